/*
 * template_probe: renders one template over one JSON file, for
 * tests/template.bats (byte-for-byte against Go's text/template).
 *
 *   template_probe [-e none|json|html|slack|argv] [-n NOW_NS] [-z TZ]
 *       [-t NAME] [-x] TEMPLATE_FILE DATA_FILE
 *
 * Prints the output on stdout; on an error "ERROR: <message>" on stderr
 * and exit status 1 (2 for bad usage or files). -t runs the named
 * template of the file (a define) instead of its body; -x parses only.
 */
#include "compat.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "match/template.h"

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct aiops_buf b = AIOPS_BUF_INIT;
	char tmp[4096];
	size_t r;

	if (f == NULL)
		return NULL;
	while ((r = fread(tmp, 1, sizeof(tmp), f)) > 0)
		aiops_buf_add(&b, tmp, r);
	fclose(f);
	if (b.data == NULL)
		aiops_buf_add(&b, "", 0);
	return aiops_buf_detach(&b, n);
}

int
main(int argc, char **argv)
{
	struct aiops_tpl_env env;
	struct aiops_buf out = AIOPS_BUF_INIT;
	struct aiops_tpl *t;
	const char *name = "t";
	char err[512], *src;
	json_t *data;
	json_error_t jerr;
	size_t n;
	int c, parse_only = 0;

	memset(&env, 0, sizeof(env));
	while ((c = getopt(argc, argv, "e:n:t:xz:")) != -1) {
		switch (c) {
		case 'e':
			if (strcmp(optarg, "json") == 0)
				env.escape = AIOPS_TPL_ESC_JSON;
			else if (strcmp(optarg, "html") == 0)
				env.escape = AIOPS_TPL_ESC_HTML;
			else if (strcmp(optarg, "slack") == 0)
				env.escape = AIOPS_TPL_ESC_SLACK;
			else if (strcmp(optarg, "argv") == 0)
				env.escape = AIOPS_TPL_ESC_ARGV;
			break;
		case 'n':
			env.now_ns = strtoll(optarg, NULL, 10);
			break;
		case 't':
			name = optarg;
			break;
		case 'x':
			parse_only = 1;
			break;
		case 'z':
			env.tz = optarg;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: template_probe [-e esc] [-n now] [-z tz] [-t name] [-x] TEMPLATE DATA\n");
		return 2;
	}
	if ((src = slurp(argv[optind], &n)) == NULL) {
		perror(argv[optind]);
		return 2;
	}
	data = json_load_file(argv[optind + 1], JSON_DECODE_ANY, &jerr);
	if (data == NULL) {
		fprintf(stderr, "%s: %s\n", argv[optind + 1], jerr.text);
		return 2;
	}
	t = aiops_tpl_new();
	/* like Go's Execute, what was written before an error is kept */
	c = aiops_tpl_add(t, "t", src, n, err, sizeof(err)) < 0 ||
	    (!parse_only && aiops_tpl_render(t, name, data, &env, &out, err, sizeof(err)) < 0);
	fwrite(out.data != NULL ? out.data : "", 1, out.len, stdout);
	if (c)
		fprintf(stderr, "ERROR: %s\n", err);
	aiops_buf_release(&out);
	aiops_tpl_free(t);
	json_decref(data);
	free(src);
	return c;
}
