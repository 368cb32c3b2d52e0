/* follow.c: placeholder until --follow lands (this session). */
#include "compat.h"

#include <stdlib.h>

#include "follow.h"

struct aiops_follow *
aiops_follow_new(struct aiops_state *st, char *const *paths, size_t npaths,
    size_t max_line, int poll_ms, volatile int *stop)
{
	AIOPS_UNUSED(st); AIOPS_UNUSED(paths); AIOPS_UNUSED(npaths);
	AIOPS_UNUSED(max_line); AIOPS_UNUSED(poll_ms); AIOPS_UNUSED(stop);
	return NULL;
}

void aiops_follow_free(struct aiops_follow *f) { free(f); }
int aiops_follow_next(struct aiops_follow *f, const char **line, size_t *len, const char **name, unsigned long *lineno)
{ AIOPS_UNUSED(f); AIOPS_UNUSED(line); AIOPS_UNUSED(len); AIOPS_UNUSED(name); AIOPS_UNUSED(lineno); return AIOPS_FOLLOW_ERROR; }
int aiops_follow_checkpoint(struct aiops_follow *f) { AIOPS_UNUSED(f); return -1; }
const char *aiops_follow_errmsg(const struct aiops_follow *f) { AIOPS_UNUSED(f); return "not implemented"; }
