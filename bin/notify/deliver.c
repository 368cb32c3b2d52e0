/*
 * deliver.c: the outbox to the receivers. A notification is in the
 * outbox (store/notify.h) before any attempt; each attempt is counted in
 * the state before the request goes out, so a crash in the middle leaves
 * a row that is attempted again on restart with the same dedup key (the
 * one repeat the issue allows, harmless to a receiver that deduplicates).
 * The count of an attempt is committed with what came before it (the
 * flush that queued it, the outcome of the attempt before): a commit a
 * message, none while a receiver answers, and at most one outcome, the
 * last, not yet stored.
 *
 * An outbox row's payload is {"integration": id, "status": "firing" or
 * "resolved", "body": the receiver's document}. Secrets are not in it:
 * PagerDuty's routing key, the signing secret and passwords are added
 * here, from the receiver's configuration.
 *
 * Outcomes follow Alertmanager (notify/util.go): 2xx delivered (Slack's
 * incoming webhook only with the body "ok"), 429 and 5xx and network
 * failures retried with backoff and jitter (Retry-After wins when later),
 * other 4xx dead at once with the reason.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/event.h"
#include "io/out.h"
#include "json/jw.h"
#include "net/http.h"
#include "net/retry.h"
#include "net/sign.h"
#include "net/smtp.h"
#include "notify.h"
#include "notify/payload.h"
#include "store/notify.h"
#include "store/state.h"

/* Rows attempted in one pass: a burst is sent in slices, each committed. */
#define DUE_BATCH	64

/* What one attempt came to. */
struct attempt {
	enum aiops_http_outcome	 outcome;
	long			 status;
	char			*retry_after;	/* the response's header, or NULL */
	char			 err[AIOPS_HTTP_ERRSZ];
	char			*external_ref;	/* ServiceNow: the record made, JSON */
	json_t			*message;	/* stdout: the body, in the event */
};

static int
state_fail(struct deliver *d, const char *what)
{
	snprintf(d->err, sizeof(d->err), "%s: %s", what, aiops_state_errmsg(d->state));
	return -1;
}

/* The response into a, freed by the caller's attempt_release(). */
static void
take_response(struct attempt *a, struct aiops_http_response *r)
{
	a->outcome = r->outcome;
	a->status = r->status;
	snprintf(a->err, sizeof(a->err), "%s", r->err);
	a->retry_after = r->retry_after;
	r->retry_after = NULL;
}

static void
attempt_release(struct attempt *a)
{
	free(a->retry_after);
	free(a->external_ref);
	json_decref(a->message);
}

static void
post_json(struct deliver *d, const char *url, struct aiops_http_header *h, size_t nh,
    const char *body, size_t len, unsigned flags, long timeout_ms, struct attempt *a,
    struct aiops_http_response *r)
{
	struct aiops_http_request req;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = h;
	req.nheaders = nh;
	req.body = body;
	req.body_len = len;
	req.flags = flags;
	req.timeout_ms = timeout_ms;
	aiops_http_response_init(r);
	aiops_http_do(d->http, &req, r);
	take_response(a, r);
}

/* Alertmanager's webhook: the v4 body, an Idempotency-Key, and the v1 signature. */
static void
send_webhook(struct deliver *d, const struct integration *in, const char *body,
    const char *dedup, int64_t now, struct attempt *a)
{
	struct aiops_http_header h[4] = {
		{ "Content-Type", "application/json", 0 },
		{ "Idempotency-Key", dedup, 0 },
	};
	struct aiops_buf ts = AIOPS_BUF_INIT, sig = AIOPS_BUF_INIT;
	struct aiops_http_response r;
	size_t nh = 2;

	if (in->secret != NULL) {
		struct aiops_secret s = { in->secret, strlen(in->secret) };

		aiops_sign_v1(&s, 1, now / 1000000000, body, strlen(body), &ts, &sig);
		h[nh++] = (struct aiops_http_header){ AIOPS_SIGN_HEADER_TS, ts.data, 0 };
		h[nh++] = (struct aiops_http_header){ AIOPS_SIGN_HEADER_SIG, sig.data, 1 };
	}
	post_json(d, in->url, h, nh, body, strlen(body), 0, in->timeout_ms, a, &r);
	aiops_http_response_release(&r);
	aiops_buf_release(&ts);
	aiops_buf_release(&sig);
}

/* Slack's incoming webhook: its URL is the credential; success is 200 "ok". */
static void
send_slack(struct deliver *d, const struct integration *in, const char *body,
    struct attempt *a)
{
	struct aiops_http_header h[1] = { { "Content-Type", "application/json", 0 } };
	struct aiops_http_response r;

	post_json(d, in->url, h, 1, body, strlen(body), AIOPS_HTTP_SECRET_PATH, in->timeout_ms,
	    a, &r);
	if (a->outcome == AIOPS_HTTP_OK && (r.body.len != 2 || memcmp(r.body.data, "ok", 2) != 0)) {
		a->outcome = AIOPS_HTTP_PERMANENT;
		snprintf(a->err, sizeof(a->err), "Slack answered %ld without \"ok\"", r.status);
	}
	aiops_http_response_release(&r);
}

/* PagerDuty Events API v2: the routing key goes in here, not in the state. */
static void
send_pagerduty(struct deliver *d, const struct integration *in, json_t *body,
    struct attempt *a)
{
	struct aiops_http_header h[1] = { { "Content-Type", "application/json", 0 } };
	struct aiops_http_response r;
	char *text;

	json_object_set_new(body, "routing_key", json_string(in->secret));
	text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_object_del(body, "routing_key");
	post_json(d, in->url, h, 1, text, strlen(text), 0, in->timeout_ms, a, &r);
	explicit_bzero(text, strlen(text));
	free(text);
	if (a->outcome == AIOPS_HTTP_OK)
		a->err[0] = '\0';
	else if (a->status != 0 && strstr(a->err, in->secret) != NULL)
		snprintf(a->err, sizeof(a->err), "PagerDuty answered %ld", a->status);
	aiops_http_response_release(&r);
}

/*
 * ServiceNow's Table API: the first notification of a group creates an
 * incident (201, its sys_id and number kept with the group); later ones,
 * the resolve among them, update the same record.
 */
static void
send_servicenow(struct deliver *d, const struct integration *in, const char *body,
    const char *sys_id, struct attempt *a)
{
	char *auth = aiops_http_basic_auth(in->user, in->secret), *url;
	struct aiops_http_header h[3] = {
		{ "Content-Type", "application/json", 0 },
		{ "Accept", "application/json", 0 },
		{ "Authorization", auth, 1 },
	};
	struct aiops_http_request req;
	struct aiops_http_response r;
	json_t *doc, *res;

	if (sys_id != NULL)
		xasprintf(&url, "%s/api/now/table/incident/%s", in->url, sys_id);
	else
		xasprintf(&url, "%s/api/now/table/incident", in->url);
	memset(&req, 0, sizeof(req));
	req.method = sys_id != NULL ? "PATCH" : "POST";
	req.url = url;
	req.headers = h;
	req.nheaders = 3;
	req.body = body;
	req.body_len = strlen(body);
	req.timeout_ms = in->timeout_ms;
	aiops_http_response_init(&r);
	aiops_http_do(d->http, &req, &r);
	take_response(a, &r);
	if (a->outcome == AIOPS_HTTP_OK && sys_id == NULL &&
	    (doc = json_loadb(r.body.data, r.body.len, 0, NULL)) != NULL) {
		res = json_object_get(doc, "result");
		if (json_is_string(json_object_get(res, "sys_id"))) {
			json_t *ref = json_pack("{s:O, s:O?}", "sys_id", json_object_get(res, "sys_id"),
			    "number", json_object_get(res, "number"));

			a->external_ref = json_dumps(ref, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(ref);
		}
		json_decref(doc);
	}
	explicit_bzero(auth, strlen(auth));
	free(auth);
	free(url);
	aiops_http_response_release(&r);
}

/* One mail: headers, a text part and, when there is one, an HTML part. */
static void
send_email(const struct integration *in, json_t *body, const char *dedup, int64_t now,
    struct attempt *a)
{
	struct aiops_smtp cfg;
	struct aiops_buf m = AIOPS_BUF_INIT;
	const char *subject = json_string_value(json_object_get(body, "subject"));
	const char *text = json_string_value(json_object_get(body, "text"));
	const char *html = json_string_value(json_object_get(body, "html"));
	enum aiops_http_reason reason;
	char date[AIOPS_TIME_BUFSZ];
	size_t i;

	aiops_time_format(now, date);
	aiops_buf_addf(&m, "From: %s\r\nTo: ", in->from);
	for (i = 0; i < in->nto; i++)
		aiops_buf_addf(&m, "%s%s", i ? ", " : "", in->to[i]);
	aiops_buf_addf(&m, "\r\nSubject: %s\r\nMessage-ID: <%s@aiops>\r\nX-Aiops-Date: %s\r\n"
	    "MIME-Version: 1.0\r\n", subject != NULL ? subject : "aiops", dedup, date);
	if (html != NULL)
		aiops_buf_addf(&m, "Content-Type: multipart/alternative; boundary=\"aiops-%s\"\r\n\r\n"
		    "--aiops-%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
		    "--aiops-%s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n%s\r\n--aiops-%s--\r\n",
		    dedup, dedup, text != NULL ? text : "", dedup, html, dedup);
	else
		aiops_buf_addf(&m, "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		    text != NULL ? text : "");
	memset(&cfg, 0, sizeof(cfg));
	cfg.url = in->url;
	cfg.username = in->user;
	cfg.password_file = in->secret_file;
	cfg.require_tls = in->require_tls;
	cfg.ca_file = in->ca_file;
	cfg.timeout_ms = in->timeout_ms;
	a->outcome = aiops_smtp_send(&cfg, in->from, (const char *const *)in->to, in->nto,
	    m.data, m.len, &reason, a->err, sizeof(a->err));
	aiops_buf_release(&m);
}

/* A line of JSON appended to a local file. */
static void
send_file(const struct integration *in, const char *body, struct attempt *a)
{
	FILE *fp = fopen(in->path, "a");
	int bad;

	a->outcome = AIOPS_HTTP_OK;
	if (fp == NULL) {
		a->outcome = AIOPS_HTTP_RETRY;
		snprintf(a->err, sizeof(a->err), "%s: %s", in->path, strerror(errno));
		return;
	}
	bad = fprintf(fp, "%s\n", body) < 0;
	if (fclose(fp) != 0 || bad) {
		a->outcome = AIOPS_HTTP_RETRY;
		snprintf(a->err, sizeof(a->err), "%s: %s", in->path, strerror(errno));
	}
}

/*
 * The record of the group in the receiver (ServiceNow): the one the
 * message carries, else the group's (made after the message was queued),
 * or NULL.
 */
static char *
group_sys_id(struct deliver *d, const struct aiops_outbox_msg *m, const json_t *doc)
{
	const json_t *carried = json_object_get(json_object_get(doc, "ref"), "sys_id");
	struct aiops_notify_group_list l;
	char *id = NULL;
	json_t *ref;

	if (json_is_string(carried))
		return xstrdup(json_string_value(carried));
	if (aiops_notify_group_get(d->state, m->receiver, m->group_key, &l) == -1 || l.n == 0)
		return NULL;
	if (l.v[0].external_ref != NULL &&
	    (ref = json_loads(l.v[0].external_ref, 0, NULL)) != NULL) {
		if (json_is_string(json_object_get(ref, "sys_id")))
			id = xstrdup(json_string_value(json_object_get(ref, "sys_id")));
		json_decref(ref);
	}
	aiops_notify_group_list_release(&l);
	return id;
}

static void
keep_external_ref(struct deliver *d, const struct aiops_outbox_msg *m, const char *ref)
{
	struct aiops_notify_group_list l;

	if (aiops_notify_group_get(d->state, m->receiver, m->group_key, &l) == -1 || l.n == 0)
		return;
	l.v[0].external_ref = ref;
	aiops_notify_group_put(d->state, &l.v[0]);
	l.v[0].external_ref = NULL;
	aiops_notify_group_list_release(&l);
}

/* One attempt of m to its integration. */
static void
attempt(struct deliver *d, const struct aiops_outbox_msg *m, int64_t now, struct attempt *a)
{
	const struct integration *in;
	json_t *doc, *body;
	char *text, *sys_id;

	memset(a, 0, sizeof(*a));
	a->outcome = AIOPS_HTTP_PERMANENT;
	doc = json_loads(m->payload, 0, NULL);
	body = json_object_get(doc, "body");
	in = receivers_find(d->rcv, json_string_value(json_object_get(doc, "integration")));
	if (doc == NULL || !json_is_object(body)) {
		snprintf(a->err, sizeof(a->err), "the stored notification is not readable");
		json_decref(doc);
		return;
	}
	if (in == NULL) {
		snprintf(a->err, sizeof(a->err), "%s: no longer configured",
		    json_string_value(json_object_get(doc, "integration")));
		json_decref(doc);
		return;
	}
	/* Alertmanager's webhook body byte for byte, as Go's encoder writes it. */
	if (in->type == INT_WEBHOOK || in->type == INT_FILE)
		text = aiops_payload_dump(body, in->type == INT_WEBHOOK ? AIOPS_PAYLOAD_GO : 0, NULL);
	else
		text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	switch (in->type) {
	case INT_WEBHOOK:
		send_webhook(d, in, text, m->dedup_key, now, a);
		break;
	case INT_SLACK:
		send_slack(d, in, text, a);
		break;
	case INT_PAGERDUTY:
		send_pagerduty(d, in, body, a);
		break;
	case INT_SERVICENOW:
		sys_id = group_sys_id(d, m, doc);
		send_servicenow(d, in, text, sys_id, a);
		if (a->external_ref != NULL)
			keep_external_ref(d, m, a->external_ref);
		free(sys_id);
		break;
	case INT_EMAIL:
		send_email(in, body, m->dedup_key, now, a);
		break;
	case INT_FILE:
		send_file(in, text, a);
		break;
	case INT_STDOUT:
		a->outcome = AIOPS_HTTP_OK;
		a->message = json_incref(body);
		break;
	}
	free(text);
	json_decref(doc);
}

/* The notification event of an attempt. */
static void
write_event(struct deliver *d, const struct aiops_outbox_msg *m, const struct attempt *a,
    int64_t now, int64_t retry_at, int dead)
{
	struct aiops_event_head h;
	struct aiops_jw w;
	char t[AIOPS_TIME_BUFSZ];
	const char *status = a->outcome == AIOPS_HTTP_OK ? "delivered" : "failed";

	if (d->out == NULL)
		return;
	memset(&h, 0, sizeof(h));
	h.type = "notification";
	h.ts = now;
	h.source = "aiops-notify";
	h.idkey = m->dedup_key;
	h.idklen = strlen(m->dedup_key);
	aiops_jw_init(&w, &d->out->buf);
	aiops_event_begin(&w, &h);
	aiops_jw_kcstr(&w, "status", status);
	aiops_jw_kcstr(&w, "receiver", m->receiver);
	aiops_jw_kcstr(&w, "group_key", m->group_key);
	aiops_jw_kcstr(&w, "dedup_key", m->dedup_key);
	aiops_jw_kint(&w, "attempt", (int64_t)m->attempts + 1);
	if (a->status != 0)
		aiops_jw_kint(&w, "http_status", a->status);
	if (a->message != NULL) {
		aiops_jw_key(&w, "message", 7);
		aiops_jw_json(&w, a->message);
	}
	if (a->outcome != AIOPS_HTTP_OK) {
		aiops_jw_kcstr(&w, "reason", a->err);
		if (dead) {
			aiops_jw_key(&w, "dead", 4);
			aiops_jw_bool(&w, 1);
		} else {
			aiops_time_format(retry_at, t);
			aiops_jw_kcstr(&w, "retry_at", t);
		}
	}
	aiops_jw_object_end(&w);
	aiops_out_end(d->out);
}

/* The jitter's seed of a row: the same row retries on the same schedule. */
static uint64_t
row_seed(const struct deliver *d, const struct aiops_outbox_msg *m)
{
	return aiops_hash64(m->dedup_key, strlen(m->dedup_key), d->seed);
}

/*
 * Over its receiver's rate limit: the row waits, no attempt counted, until
 * the first message of the window leaves it. 1 held back, 0 not, -1 error.
 */
static int
rate_limited(struct deliver *d, const struct aiops_outbox_msg *m, int64_t now)
{
	const struct rate_limit *rl = receivers_limit(d->rcv, m->receiver);
	uint64_t sent;
	int64_t first;

	if (rl == NULL)
		return 0;
	/* The window (now - per, now], in the state's milliseconds. */
	if (aiops_outbox_sent_since(d->state, m->receiver, now - rl->per + 1000000, &sent,
	    &first) == -1)
		return state_fail(d, "counting the receiver's messages");
	if (sent < rl->count)
		return 0;
	if (aiops_outbox_retry(d->state, m->id, first + rl->per, 0, "the receiver's rate limit") == -1)
		return state_fail(d, "holding back a message");
	return 1;
}

/* A transaction, unless one is open: the outcome of an attempt is
 * recorded in the one that then counts the next. */
static int
txn(struct deliver *d)
{
	if (aiops_state_in_transaction(d->state) || aiops_state_begin(d->state) == 0)
		return 0;
	return state_fail(d, "beginning a transaction");
}

/*
 * Attempts m and records what came of it, in a transaction left open.
 * 0, or -1 on a state error.
 */
static int
deliver_one(struct deliver *d, const struct aiops_outbox_msg *m, int64_t now)
{
	struct aiops_backoff b = { d->backoff_base, d->backoff_cap };
	struct attempt a;
	int64_t retry_at;
	int dead, rc;

	if (txn(d) == -1)
		return -1;
	if ((rc = rate_limited(d, m, now)) != 0)
		return rc == -1 ? -1 : 0;

	retry_at = aiops_retry_next(&b, m->attempts, row_seed(d, m), now, NULL);
	if (aiops_outbox_attempt(d->state, m->id, retry_at) == -1 ||
	    aiops_state_commit(d->state) == -1)
		return state_fail(d, "counting an attempt");
	attempt(d, m, now, &a);
	if (txn(d) == -1) {
		attempt_release(&a);
		return -1;
	}
	if (a.outcome == AIOPS_HTTP_RETRY)
		retry_at = aiops_retry_next(&b, m->attempts, row_seed(d, m), now, a.retry_after);
	retry_at -= retry_at % 1000000;	/* the state keeps milliseconds: tell what it keeps */
	dead = a.outcome == AIOPS_HTTP_PERMANENT ||
	    (a.outcome == AIOPS_HTTP_RETRY && m->attempts + 1 >= d->max_attempts);
	if (a.outcome == AIOPS_HTTP_OK)
		rc = aiops_outbox_sent(d->state, m->id, now, (int)a.status);
	else if (dead)
		rc = aiops_outbox_dead(d->state, m->id, now, (int)a.status, a.err);
	else
		rc = aiops_outbox_retry(d->state, m->id, retry_at, (int)a.status, a.err);
	write_event(d, m, &a, now, retry_at, dead);
	attempt_release(&a);
	return rc == -1 ? state_fail(d, "recording an attempt") : 0;
}

int
delivery_run(struct deliver *d, int64_t now)
{
	struct aiops_outbox_list l;
	size_t i, n;

	do {
		if (aiops_outbox_due(d->state, now, DUE_BATCH, &l) == -1)
			return state_fail(d, "reading the outbox");
		for (i = 0; i < l.n; i++)
			if (deliver_one(d, &l.v[i], now) == -1) {
				aiops_outbox_list_release(&l);
				return -1;
			}
		n = l.n;
		aiops_outbox_list_release(&l);
	} while (n == DUE_BATCH);
	return 0;
}
