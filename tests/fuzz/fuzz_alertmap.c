/*
 * fuzz_alertmap.c: libFuzzer harness for lib/notify/alert and payload.
 *
 * The input is one JSON document (any JSON, usually an event object);
 * its first byte, when it is a digit, picks the event type written into
 * an object so every mapper is reached. A mapped alert must have a valid
 * fingerprint (16 lower-case hex digits), one computed again from its
 * labels when the event gave none, labels and annotations that are
 * objects of strings, a status firing or resolved; a malformed event an
 * error message. The alert then goes through every payload builder,
 * whose bodies must dump. Never a crash or a leak.
 */
#include "compat.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/alert.h"
#include "notify/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {
	"alert", "incident", "anomaly", "prediction", "task", "metric", "log",
	"forecast", "notification", "x",
};

static int
valid_fp(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == AIOPS_FINGERPRINT_LEN;
}

static void
strings_only(const json_t *o)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		abort();
	json_object_foreach((json_t *)o, k, v)
		if (!json_is_string(v))
			abort();
}

static void
dump_free(json_t *b)
{
	char *s;

	if (b == NULL)
		return;
	s = aiops_payload_dump(b, AIOPS_PAYLOAD_GO, NULL);
	free(s);
	json_decref(b);
}

static void
payloads(const struct aiops_alertmap *am)
{
	struct aiops_payload_group g = { "r", "{}:{}", am->labels, &am->alert, 1,
	    "http://x/", am->alert.starts_at };
	struct aiops_pagerduty_opts pd = { "k", NULL, NULL, NULL, NULL };
	struct aiops_payload *p;
	char err[256];

	if ((p = aiops_payload_prepare(&g, err, sizeof(err))) == NULL)
		abort();	/* a mapped alert is always a valid one */
	dump_free(aiops_payload_webhook(p, 0));
	dump_free(aiops_payload_pagerduty(p, &pd, NULL, err, sizeof(err)));
	dump_free(aiops_payload_servicenow(p, NULL, NULL, err, sizeof(err)));
	dump_free(aiops_payload_servicenow_resolve(p, NULL, NULL, err, sizeof(err)));
	dump_free(aiops_payload_slack(p, NULL, err, sizeof(err)));
	aiops_payload_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aiops_alertmap am;
	char err[256], fp[AIOPS_FINGERPRINT_LEN + 1];
	json_t *ev;
	int r;

	if (size > 0 && data[0] >= '0' && data[0] <= '9') {
		ev = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
		if (json_is_object(ev)) {
			json_object_set_new(ev, "type", json_string(types[data[0] - '0']));
			if (json_object_get(ev, "ts") == NULL)
				json_object_set_new(ev, "ts", json_string("2026-11-22T12:00:00Z"));
		}
	} else
		ev = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (ev == NULL)
		return 0;
	err[0] = 'x';
	r = aiops_alertmap_event(ev, NULL, &am, err, sizeof(err));
	if (r == -1 && (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL))
		abort();
	if (r == 1) {
		if (!valid_fp(am.alert.fingerprint))
			abort();
		if (json_object_get(ev, "fingerprint") == NULL) {
			if (aiops_alert_fingerprint(am.labels, fp) != 0 ||
			    strcmp(fp, am.alert.fingerprint) != 0)
				abort();
		}
		strings_only(am.labels);
		strings_only(am.annotations);
		strings_only(am.match_labels);
		if (json_object_get(am.match_labels, "severity") == NULL ||
		    json_object_get(am.labels, "alertname") == NULL)
			abort();
		if (strcmp(am.alert.status, "firing") != 0 &&
		    strcmp(am.alert.status, "resolved") != 0)
			abort();
		payloads(&am);
	}
	aiops_alertmap_release(&am);
	json_decref(ev);
	return 0;
}
