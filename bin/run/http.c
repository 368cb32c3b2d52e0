/*
 * http.c: the HTTP actions of aiops-run, to their services' contracts
 * (/work/shared/PEERS.md section 7):
 *  - ServiceNow Table API: POST /api/now/table/{incident,change_request},
 *    JSON in, Accept: application/json, Basic auth; 201 with
 *    result.sys_id and result.number. correlation_id, when the rule gives
 *    none, is "aiops-run-task-<id>", so a retry after a lost answer can be
 *    found and deduplicated on the ServiceNow side.
 *  - Terraform Cloud runs API: POST /api/v2/runs, Content-Type
 *    application/vnd.api+json, Bearer token; 201 with data.id (run-...)
 *    and data.attributes.status.
 * 2xx succeeds; 429 and 5xx and network failures are retried (after
 * Retry-After when the service gives one); any other 4xx ends the task at
 * once (retrying cannot help). The credential is read from its file or
 * variable for each attempt and never leaves this file.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xmalloc.h"
#include "net/http.h"
#include "net/secret.h"
#include "run.h"

#define SECRET_MAX	4096

/* The credential of spec into buf: 0, or -1 with err. */
static int
read_credential(const json_t *spec, char *buf, size_t size, char *err, size_t errlen)
{
	const json_t *c = json_object_get(spec, "credential");
	const char *file = json_string_value(json_object_get(c, "file"));
	const char *env = json_string_value(json_object_get(c, "env")), *v;

	if (file != NULL)
		return aiops_secret_read_file(file, buf, size, err, errlen);
	if (env == NULL || (v = getenv(env)) == NULL || *v == '\0') {
		snprintf(err, errlen, "the environment has no %s", env ? env : "credential");
		return -1;
	}
	snprintf(buf, size, "%s", v);
	return 0;
}

/* What the service made, from its answer: a line for the task's output. */
static char *
made(const char *service, const struct aiops_http_response *r)
{
	json_t *doc = json_loadb(r->body.data, r->body.len, 0, NULL), *res;
	char *line;

	if (strcmp(service, "servicenow") == 0) {
		res = json_object_get(doc, "result");
		xasprintf(&line, "HTTP %ld: %s created (sys_id %s)\n", r->status,
		    json_string_value(json_object_get(res, "number")) ?
		    json_string_value(json_object_get(res, "number")) : "a record",
		    json_string_value(json_object_get(res, "sys_id")) ?
		    json_string_value(json_object_get(res, "sys_id")) : "?");
	} else {
		res = json_object_get(doc, "data");
		xasprintf(&line, "HTTP %ld: %s %s\n", r->status,
		    json_string_value(json_object_get(res, "id")) ?
		    json_string_value(json_object_get(res, "id")) : "a run",
		    json_string_value(json_object_get(json_object_get(res, "attributes"),
		    "status")) ? json_string_value(json_object_get(json_object_get(res,
		    "attributes"), "status")) : "queued");
	}
	json_decref(doc);
	return line;
}

int
http_action(struct worker *w, const json_t *spec, int64_t task_id, struct http_outcome *o)
{
	const char *service = json_string_value(json_object_get(spec, "service"));
	const char *user = json_string_value(json_object_get(spec, "user"));
	char secret[SECRET_MAX], err[512], *auth, *body;
	struct aiops_http_request req;
	struct aiops_http_response r;
	struct aiops_http_header h[3];
	json_t *doc;

	memset(o, 0, sizeof(*o));
	if (service == NULL || !json_is_string(json_object_get(spec, "url"))) {
		o->error = xstrdup("its stored action is not an HTTP request aiops-run knows");
		o->permanent = 1;
		return -1;
	}
	if (w->http == NULL && (w->http = aiops_http_new(err, sizeof(err))) == NULL) {
		o->error = xstrdup(err);
		return -1;
	}
	if (read_credential(spec, secret, sizeof(secret), err, sizeof(err)) == -1) {
		o->error = xstrdup(err);
		return -1;
	}
	doc = json_deep_copy(json_object_get(spec, "body"));
	if (strcmp(service, "servicenow") == 0) {
		if (json_object_get(doc, "correlation_id") == NULL) {
			char id[64];

			snprintf(id, sizeof(id), "aiops-run-task-%lld", (long long)task_id);
			json_object_set_new(doc, "correlation_id", json_string(id));
		}
		auth = aiops_http_basic_auth(user != NULL ? user : "", secret);
	} else
		xasprintf(&auth, "Bearer %s", secret);
	explicit_bzero(secret, sizeof(secret));
	body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	h[0] = (struct aiops_http_header){ "Content-Type",
	    json_string_value(json_object_get(spec, "content_type")), 0 };
	h[1] = (struct aiops_http_header){ "Accept", strcmp(service, "servicenow") == 0 ?
	    "application/json" : "application/vnd.api+json", 0 };
	h[2] = (struct aiops_http_header){ "Authorization", auth, 1 };
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = json_string_value(json_object_get(spec, "url"));
	req.headers = h;
	req.nheaders = 3;
	req.body = body;
	req.body_len = strlen(body);
	req.timeout_ms = (long)json_integer_value(json_object_get(spec, "timeout_ms"));
	aiops_http_response_init(&r);
	aiops_http_do(w->http, &req, &r);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	free(body);
	o->status = r.status;
	if (r.outcome == AIOPS_HTTP_OK)
		o->output = made(service, &r);
	else {
		o->error = xstrdup(r.err);
		o->permanent = r.outcome == AIOPS_HTTP_PERMANENT;
		if (r.retry_after != NULL)
			o->retry_after = xstrdup(r.retry_after);
	}
	aiops_http_response_release(&r);
	return o->error == NULL ? 0 : -1;
}
