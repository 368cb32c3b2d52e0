/*
 * fuzz_template.c: libFuzzer harness for lib/match/template: compile and
 * render arbitrary templates.
 *
 * Input: byte 0 picks the escaper, then the template text; when the text
 * holds a line "----", what follows it is JSON data (used when jansson
 * loads it), else a fixed Alertmanager-shaped group is the data. The
 * fixed Alertmanager definitions are in the set too, so {{template}}
 * calls reach real code.
 *
 * Checked: a failed compile or render fills err (a non-empty C string);
 * output stays within max_output; a render is deterministic (twice, same
 * bytes); the JSON escaper's output of what a plain render wrote, quoted,
 * loads in jansson as a string equal to the output (U+FFFD for bad bytes).
 * Leaks and memory errors are the sanitizers'.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "match/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_json[] =
    "{\"Receiver\":\"r\",\"Status\":\"firing\",\"ExternalURL\":\"http://am\","
    "\"GroupLabels\":{\"alertname\":\"A\"},\"CommonLabels\":{\"alertname\":\"A\",\"sev\":\"x\"},"
    "\"CommonAnnotations\":{},\"Alerts\":[{\"Status\":\"firing\",\"Labels\":{\"alertname\":\"A\","
    "\"host\":\"h<1>\"},\"Annotations\":{\"s\":\"a \\\"b\\\" & c\"},\"StartsAt\":\"2024-03-01T10:00:00Z\","
    "\"EndsAt\":\"0001-01-01T00:00:00Z\"},{\"Status\":\"resolved\",\"Labels\":{\"alertname\":\"A\"},"
    "\"Annotations\":{},\"StartsAt\":\"bad time\"}],\"n\":[3,1.5,null,true,\"s\",[],{}],"
    "\"num\":42,\"f\":-0.0,\"big\":1e300,\"s\":\"\\u0000x\\u00e9\"}";

static const char defs[] =
    "{{ define \"sub\" }}[{{ .Status | toUpper }}:{{ .Alerts.Firing | len }}] "
    "{{ .GroupLabels.SortedPairs.Values | join \" \" }}{{ end }}"
    "{{ define \"list\" }}{{ range . }}{{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} "
    "{{ end }}{{ end }}{{ end }}"
    "{{ define \"rec\" }}{{ template \"rec\" . }}{{ end }}";

#define MAX_OUT 65536

static void
check_err(const char *err, size_t len)
{
	if (memchr(err, '\0', len) == NULL || err[0] == '\0')
		abort();
}

static int
render(struct aiops_tpl *t, json_t *d, enum aiops_tpl_escape esc, struct aiops_buf *out,
    char *err, size_t errlen)
{
	struct aiops_tpl_env env;
	int rc;

	memset(&env, 0, sizeof(env));
	env.escape = esc;
	env.now_ns = 1709290000LL * 1000000000LL;
	env.tz = esc == AIOPS_TPL_ESC_HTML ? "Europe/Paris" : NULL;
	env.max_output = MAX_OUT;
	env.max_steps = 20000;
	env.max_depth = 30;
	rc = aiops_tpl_render(t, "t", d, &env, out, err, errlen);
	if (rc < 0)
		check_err(err, errlen);
	else if (out->len > MAX_OUT)
		abort();
	return rc;
}

/* The JSON escaper: quoted, it loads back as the (repaired) bytes. */
static void
check_json_escape(const char *s, size_t n)
{
	struct aiops_buf b = AIOPS_BUF_INIT, want = AIOPS_BUF_INIT;
	json_error_t jerr;
	json_t *j;

	aiops_buf_addc(&b, '"');
	aiops_tpl_escape(AIOPS_TPL_ESC_JSON, s, n, &b);
	aiops_buf_addc(&b, '"');
	j = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (j == NULL || !json_is_string(j))
		abort();
	/* valid UTF-8 comes back as it was; bad bytes as U+FFFD each */
	{
		size_t i = 0;

		while (i < n) {
			size_t l = aiops_utf8_seqlen((const unsigned char *)s + i, n - i);

			if (l == 0) {
				aiops_buf_addstr(&want, "\xef\xbf\xbd");
				i++;
			} else {
				aiops_buf_add(&want, s + i, l);
				i += l;
			}
		}
	}
	if (json_string_length(j) != want.len ||
	    (want.len > 0 && memcmp(json_string_value(j), want.data, want.len) != 0))
		abort();
	json_decref(j);
	aiops_buf_release(&b);
	aiops_buf_release(&want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *fixed;
	struct aiops_tpl *t;
	struct aiops_buf out = AIOPS_BUF_INIT, again = AIOPS_BUF_INIT;
	const char *text, *sep;
	size_t tlen;
	json_t *d = NULL;
	char err[256], err2[256];
	enum aiops_tpl_escape esc;
	int rc;

	if (fixed == NULL)
		fixed = json_loads(fixed_json, JSON_ALLOW_NUL, NULL);
	if (size < 1 || fixed == NULL)
		return 0;
	esc = (enum aiops_tpl_escape)(data[0] % 5);
	text = (const char *)data + 1;
	tlen = size - 1;
	sep = memmem(text, tlen, "\n----\n", 6);
	if (sep != NULL) {
		size_t off = (size_t)(sep - text);

		d = json_loadb(sep + 6, tlen - off - 6, JSON_DECODE_ANY, NULL);
		tlen = off;
	}
	if (d == NULL)
		d = json_incref(fixed);

	t = aiops_tpl_new();
	if (aiops_tpl_add(t, "defs", defs, sizeof(defs) - 1, err, sizeof(err)) < 0)
		abort();
	if (aiops_tpl_add(t, "t", text, tlen, err, sizeof(err)) < 0) {
		check_err(err, sizeof(err));
		goto done;
	}
	rc = render(t, d, esc, &out, err, sizeof(err));
	/* the same render again: the same bytes, the same verdict */
	if (render(t, d, esc, &again, err2, sizeof(err2)) != rc ||
	    out.len != again.len || (out.len > 0 && memcmp(out.data, again.data, out.len) != 0) ||
	    (rc < 0 && strcmp(err, err2) != 0))
		abort();
	if (esc == AIOPS_TPL_ESC_NONE && rc == 0)
		check_json_escape(out.data != NULL ? out.data : "", out.len);
	if (esc == AIOPS_TPL_ESC_ARGV && rc == 0 && out.len > 0 &&
	    memchr(out.data, '\0', out.len) != NULL)
		abort();
done:
	aiops_buf_release(&out);
	aiops_buf_release(&again);
	aiops_tpl_free(t);
	json_decref(d);
	return 0;
}
