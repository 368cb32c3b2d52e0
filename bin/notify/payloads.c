/*
 * payloads.c: what each integration is sent for a group
 * (lib/notify/payload.h), as the outbox keeps it: {"integration",
 * "status", "body"}. Secrets are left out (deliver.c adds them).
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "notify.h"
#include "match/template.h"
#include "notify/payload.h"

/* What a template renders with: the integration, the time, the zone. */
struct render_arg {
	const struct integration	*in;
	int64_t				 now;
	const char			*tz;
};

/* The integration's title and text templates where it has them, else the built-in texts. */
static int
render(void *arg, enum aiops_payload_text what, const json_t *data, struct aiops_buf *out,
    char *err, size_t errlen)
{
	const struct render_arg *r = arg;
	struct aiops_tpl_env env;
	int title = what == AIOPS_TEXT_TITLE;

	if (!(title ? r->in->has_title : r->in->has_text))
		return aiops_payload_default_text(NULL, what, data, out, err, errlen);
	memset(&env, 0, sizeof(env));
	env.escape = AIOPS_TPL_ESC_NONE;	/* each body escapes for its sink */
	env.now_ns = r->now;
	env.tz = r->tz;
	return aiops_tpl_render(r->in->tpl, title ? "title" : "text", (json_t *)data, &env, out,
	    err, errlen);
}

/* An email: the title as subject, the body as its text. */
static json_t *
email_body(const struct aiops_payload *p, const struct aiops_payload_texts *t, char *err,
    size_t errlen)
{
	struct aiops_buf subject = AIOPS_BUF_INIT, text = AIOPS_BUF_INIT;
	json_t *data = aiops_payload_data(p), *body = NULL;

	if (t->render(t->arg, AIOPS_TEXT_TITLE, data, &subject, err, errlen) == 0 &&
	    t->render(t->arg, AIOPS_TEXT_BODY, data, &text, err, errlen) == 0)
		body = json_pack("{s:s, s:s}", "subject", subject.data ? subject.data : "",
		    "text", text.data ? text.data : "");
	json_decref(data);
	aiops_buf_release(&subject);
	aiops_buf_release(&text);
	return body;
}

static json_t *
body_of(const struct integration *in, const struct aiops_payload *p, int firing,
    const struct aiops_payload_texts *t, char *err, size_t errlen)
{
	struct aiops_pagerduty_opts pd;
	json_t *b;

	switch (in->type) {
	case INT_SLACK:
		return aiops_payload_slack(p, t, err, errlen);
	case INT_PAGERDUTY:
		memset(&pd, 0, sizeof(pd));
		pd.routing_key = "-";	/* the real one is added when it is sent */
		if ((b = aiops_payload_pagerduty(p, &pd, t, err, errlen)) != NULL)
			json_object_del(b, "routing_key");
		return b;
	case INT_SERVICENOW:
		return firing ? aiops_payload_servicenow(p, NULL, t, err, errlen) :
		    aiops_payload_servicenow_resolve(p, NULL, t, err, errlen);
	case INT_EMAIL:
		return email_body(p, t, err, errlen);
	case INT_WEBHOOK:
	case INT_FILE:
	case INT_STDOUT:
		return aiops_payload_webhook(p, in->max_alerts);
	}
	return NULL;
}

char *
notify_payload(const struct integration *in, const struct gview *g,
    const char *external_url, const char *tz, int64_t now, char *err, size_t errlen)
{
	struct render_arg ra = { in, now, tz };
	struct aiops_payload_texts texts = { render, &ra };
	struct aiops_payload_group pg;
	struct aiops_alert *alerts = xcalloc(g->n + 1, sizeof(*alerts));
	struct aiops_payload *p;
	json_t *body, *doc;
	char *text = NULL;
	size_t i, n = 0;
	int firing;

	/* One that does not send resolved alerts is sent the firing ones
	 * only, and nothing when none fires (Alertmanager's RetryStage). */
	for (i = 0; i < g->n; i++)
		if (g->v[i].firing || in->send_resolved)
			alerts[n++] = g->v[i].a;
	if (n == 0) {
		free(alerts);
		err[0] = '\0';
		return NULL;
	}
	memset(&pg, 0, sizeof(pg));
	pg.receiver = g->receiver;
	pg.group_key = g->group_key;
	pg.group_labels = g->group_labels;
	pg.alerts = alerts;
	pg.nalerts = n;
	pg.external_url = external_url != NULL && *external_url != '\0' ? external_url : NULL;
	pg.now = now;
	p = aiops_payload_prepare(&pg, err, errlen);
	free(alerts);
	if (p == NULL)
		return NULL;
	firing = strcmp(aiops_payload_status(p), "firing") == 0;
	if ((body = body_of(in, p, firing, &texts, err, errlen)) != NULL) {
		doc = json_pack("{s:s, s:s, s:o}", "integration", in->id,
		    "status", firing ? "firing" : "resolved", "body", body);
		/* The record a receiver made for the group goes with the message:
		 * the group may be gone (resolved) when it is sent. */
		if (g->external_ref != NULL)
			json_object_set_new(doc, "ref", json_loads(g->external_ref, 0, NULL));
		text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(doc);
	}
	aiops_payload_free(p);
	return text;
}
