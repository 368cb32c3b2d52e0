#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "tap.h"

int
main(void)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	char *p;
	size_t n, i;

	aiops_buf_addstr(&b, "abc");
	is_str(b.data, "abc", "addstr");
	aiops_buf_addc(&b, 'd');
	aiops_buf_addf(&b, "-%d-%s", 42, "x");
	is_str(b.data, "abcd-42-x", "addc and addf");
	for (i = 0; i < 10000; i++)
		aiops_buf_add(&b, "0123456789", 10);
	is_int(b.len, 9 + 100000, "grows past many reallocations");
	ok(b.data[b.len] == '\0', "stays NUL-terminated");
	aiops_buf_reset(&b);
	is_int(b.len, 0, "reset empties");
	aiops_buf_addf(&b, "%0300d", 7);
	is_int(b.len, 300, "addf longer than the first guess");
	p = aiops_buf_detach(&b, &n);
	is_int(n, 300, "detach returns the length");
	ok(b.data == NULL && b.len == 0, "detach leaves the buffer empty");
	free(p);
	p = aiops_buf_detach(&b, &n);
	ok(p != NULL && p[0] == '\0' && n == 0, "detach of an empty buffer gives \"\"");
	free(p);
	aiops_buf_release(&b);
	return tap_done();
}
