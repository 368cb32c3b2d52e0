/*
 * payload.c: receivers' bodies for a group of alerts; contracts in payload.h.
 */
#include "compat.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "core/utf8.h"
#include "core/errf.h"
#include "core/xmalloc.h"
#include "event/severity.h"
#include "notify/payload.h"
#include "store/alerts.h"

struct palert {
	size_t		 index;		/* in the caller's order: a stable sort */
	int		 resolved;
	json_t		*labels;
	json_t		*annotations;
	int64_t		 starts_at, ends_at;
	char		*generator_url;	/* "" when none */
	char		*fingerprint;
	char		*severity;	/* or NULL */
	char		*host;		/* or NULL */
};

struct aiops_payload {
	char		*receiver;
	char		*group_key;
	char		 dedup_key[AIOPS_DEDUP_KEY_LEN + 1];
	json_t		*group_labels;
	char		*external_url;	/* without a trailing slash; "" when none */
	int64_t		 now;
	struct palert	*a;
	size_t		 n;
};

static const char *
jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* ---------------------------------------------------------------------
 * Preparing the group
 * ---------------------------------------------------------------------
 */

/* Parses text as an object of strings; NULL when it is none. */
static json_t *
string_object(const char *text)
{
	json_t *o, *v;
	const char *k;

	if (text == NULL)
		return json_object();
	if ((o = json_loads(text, 0, NULL)) == NULL)
		return NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	json_object_foreach(o, k, v)
		if (!json_is_string(v)) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* A label Go reads from a map: present or not, and its value. */
static const char *
label(const json_t *labels, const char *name)
{
	return jstr(labels, name);
}

/* Go's string order: bytes, then length. */
static int
gostrcmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* model.LabelSet.Before (prometheus/common model/labelset.go). */
static int
labels_before(const json_t *ls, const json_t *o)
{
	const char **names, *k, *mv, *ov;
	size_t n = 0, i;
	json_t *v;
	int r = 0;

	if (json_object_size(ls) != json_object_size(o))
		return json_object_size(ls) < json_object_size(o);
	names = xcalloc(json_object_size(ls) + json_object_size(o) + 1, sizeof(*names));
	json_object_foreach((json_t *)ls, k, v)
		names[n++] = k;
	json_object_foreach((json_t *)o, k, v)
		names[n++] = k;
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if ((mv = label(ls, names[i])) == NULL) {
			r = 1;
			break;
		}
		if ((ov = label(o, names[i])) == NULL)
			break;
		if (gostrcmp(mv, ov) != 0) {
			r = gostrcmp(mv, ov) < 0;
			break;
		}
	}
	free(names);
	return r;
}

/* types.AlertSlice.Less: by job, then instance, then the label sets. */
static int
alert_less(const struct palert *x, const struct palert *y)
{
	static const char *const keys[] = { "job", "instance" };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *xv = label(x->labels, keys[i]), *yv = label(y->labels, keys[i]);

		if (xv == NULL && yv == NULL)
			continue;
		if (xv == NULL)
			return 0;
		if (yv == NULL)
			return 1;
		if (gostrcmp(xv, yv) != 0)
			return gostrcmp(xv, yv) < 0;
	}
	return labels_before(x->labels, y->labels);
}

/* sort.Stable: the caller's order breaks ties. */
static int
palert_cmp(const void *a, const void *b)
{
	const struct palert *x = a, *y = b;

	if (alert_less(x, y))
		return -1;
	if (alert_less(y, x))
		return 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static char *
dup_or(const char *s, const char *dflt)
{
	return s != NULL ? xstrdup(s) : dflt != NULL ? xstrdup(dflt) : NULL;
}

void
aiops_payload_sha256_hex(const char *key, size_t len, char out[AIOPS_DEDUP_KEY_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	/* SHA-256 is in every libcrypto: a failure is one to allocate */
	if (EVP_Digest(key, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		xoom(sizeof(md));
	for (i = 0; i < mdlen; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[AIOPS_DEDUP_KEY_LEN] = '\0';
}

static int
prepare_alert(struct aiops_payload *p, const struct aiops_alert *in, size_t i,
    char *err, size_t errlen)
{
	struct palert *a = &p->a[i];

	a->index = i;
	if (in->fingerprint == NULL) {
		aiops_errf(err, errlen, "alerts[%zu]: no fingerprint", i);
		return -1;
	}
	if ((a->labels = string_object(in->labels)) == NULL) {
		aiops_errf(err, errlen, "alerts[%zu] (%s): labels are not an object of strings",
		    i, in->fingerprint);
		return -1;
	}
	if ((a->annotations = string_object(in->annotations)) == NULL) {
		aiops_errf(err, errlen,
		    "alerts[%zu] (%s): annotations are not an object of strings",
		    i, in->fingerprint);
		return -1;
	}
	/* types.Alert.ResolvedAt: an end at or before now */
	a->resolved = (in->status != NULL && strcmp(in->status, "resolved") == 0) ||
	    (in->ends_at != 0 && in->ends_at <= p->now);
	a->starts_at = in->starts_at;
	a->ends_at = in->ends_at != 0 ? in->ends_at : a->resolved ? p->now : 0;
	a->generator_url = dup_or(in->generator_url, "");
	a->fingerprint = xstrdup(in->fingerprint);
	a->severity = dup_or(in->severity != NULL ? in->severity :
	    label(a->labels, "severity"), NULL);
	a->host = dup_or(in->host != NULL ? in->host : label(a->labels, "host"), NULL);
	return 0;
}

struct aiops_payload *
aiops_payload_prepare(const struct aiops_payload_group *g, char *err, size_t errlen)
{
	struct aiops_payload *p;
	size_t i, n;

	if (errlen > 0)
		err[0] = '\0';
	if (g->receiver == NULL || g->group_key == NULL) {
		aiops_errf(err, errlen, "group without %s", g->receiver == NULL ? "receiver" :
		    "group key");
		return NULL;
	}
	if (g->group_labels != NULL && !json_is_object(g->group_labels)) {
		aiops_errf(err, errlen, "group labels are not an object");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->receiver = xstrdup(g->receiver);
	p->group_key = xstrdup(g->group_key);
	aiops_payload_sha256_hex(g->group_key, strlen(g->group_key), p->dedup_key);
	p->group_labels = g->group_labels != NULL ? json_deep_copy(g->group_labels) :
	    json_object();
	p->external_url = xstrdup(g->external_url != NULL ? g->external_url : "");
	/* Alertmanager strips the trailing slash of --web.external-url */
	n = strlen(p->external_url);
	while (n > 0 && p->external_url[n - 1] == '/')
		p->external_url[--n] = '\0';
	p->now = g->now;
	p->a = xcalloc(g->nalerts + 1, sizeof(*p->a));
	for (i = 0; i < g->nalerts; i++, p->n++)
		if (prepare_alert(p, &g->alerts[i], i, err, errlen) == -1) {
			p->n++;
			aiops_payload_free(p);
			return NULL;
		}
	qsort(p->a, p->n, sizeof(*p->a), palert_cmp);
	return p;
}

void
aiops_payload_free(struct aiops_payload *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		json_decref(p->a[i].labels);
		json_decref(p->a[i].annotations);
		free(p->a[i].generator_url);
		free(p->a[i].fingerprint);
		free(p->a[i].severity);
		free(p->a[i].host);
	}
	free(p->a);
	free(p->receiver);
	free(p->group_key);
	free(p->external_url);
	json_decref(p->group_labels);
	free(p);
}

static int
any_firing(const struct palert *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!a[i].resolved)
			return 1;
	return 0;
}

const char *
aiops_payload_status(const struct aiops_payload *p)
{
	return any_firing(p->a, p->n) ? "firing" : "resolved";
}

size_t
aiops_payload_count(const struct aiops_payload *p, const char *status)
{
	size_t i, c = 0;
	int want = strcmp(status, "resolved") == 0;

	for (i = 0; i < p->n; i++)
		if (p->a[i].resolved == want)
			c++;
	return c;
}

const char *
aiops_payload_dedup_key(const struct aiops_payload *p)
{
	return p->dedup_key;
}

/* ---------------------------------------------------------------------
 * Times and the template data
 * ---------------------------------------------------------------------
 */

/* Go's time.Time JSON (RFC3339Nano, UTC); the zero time for 0 when zero is set. */
static json_t *
gotime(int64_t ns, int zero)
{
	char buf[64];
	int64_t secs, days, rem, y;
	long frac;
	unsigned m, d;
	int n, w;

	if (zero && ns == 0)
		return json_string("0001-01-01T00:00:00Z");
	secs = ns / AIOPS_NS_PER_SEC;
	frac = (long)(ns % AIOPS_NS_PER_SEC);
	if (frac < 0) {
		frac += AIOPS_NS_PER_SEC;
		secs--;
	}
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	aiops_civil_from_days(days, &y, &m, &d);
	n = snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d", (long long)y, m, d,
	    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (frac > 0) {
		/* the fraction without its trailing zeros */
		for (w = 9; frac % 10 == 0; w--)
			frac /= 10;
		n += snprintf(buf + n, sizeof(buf) - n, ".%0*ld", w, frac);
	}
	(void)snprintf(buf + n, sizeof(buf) - n, "Z");
	return json_string(buf);
}

/* A copy of an object with its members in name order (a Go map's JSON). */
static json_t *
sorted_copy(const json_t *o)
{
	const char **names, *k;
	json_t *r = json_object(), *v;
	size_t n = 0, i;

	names = xcalloc(json_object_size(o) + 1, sizeof(*names));
	json_object_foreach((json_t *)o, k, v)
		names[n++] = k;
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++)
		json_object_set(r, names[i], json_object_get(o, names[i]));
	free(names);
	return r;
}

/* The pairs every alert of a[0..n) shares (template.Data's common maps). */
static json_t *
common(const struct palert *a, size_t n, int annotations)
{
	json_t *c, *v;
	const char *k;
	void *tmp;
	size_t i;

	if (n == 0)
		return json_object();
	c = json_deep_copy(annotations ? a[0].annotations : a[0].labels);
	for (i = 1; i < n && json_object_size(c) > 0; i++) {
		const json_t *o = annotations ? a[i].annotations : a[i].labels;

		json_object_foreach_safe(c, tmp, k, v) {
			const char *ov = jstr(o, k);

			if (ov == NULL || strcmp(ov, json_string_value(v)) != 0)
				json_object_del(c, k);
		}
	}
	v = sorted_copy(c);
	json_decref(c);
	return v;
}

/* One alert with the names of `go` (template data) or of the webhook. */
static json_t *
alert_json(const struct palert *a, int go)
{
	json_t *o = json_object();

	json_object_set_new(o, go ? "Status" : "status",
	    json_string(a->resolved ? "resolved" : "firing"));
	json_object_set_new(o, go ? "Labels" : "labels", sorted_copy(a->labels));
	json_object_set_new(o, go ? "Annotations" : "annotations", sorted_copy(a->annotations));
	json_object_set_new(o, go ? "StartsAt" : "startsAt", gotime(a->starts_at, 0));
	/* types.Alerts: a firing alert's end is not shown */
	json_object_set_new(o, go ? "EndsAt" : "endsAt", gotime(a->resolved ? a->ends_at : 0, 1));
	json_object_set_new(o, go ? "GeneratorURL" : "generatorURL",
	    json_string(a->generator_url));
	json_object_set_new(o, go ? "Fingerprint" : "fingerprint", json_string(a->fingerprint));
	return o;
}

/* template.Data over the first n alerts: go names for templates, else the webhook's. */
static json_t *
data_of(const struct aiops_payload *p, size_t n, int go)
{
	json_t *d = json_object(), *alerts = json_array();
	size_t i;

	json_object_set_new(d, go ? "Receiver" : "receiver", json_string(p->receiver));
	json_object_set_new(d, go ? "Status" : "status",
	    json_string(any_firing(p->a, n) ? "firing" : "resolved"));
	for (i = 0; i < n; i++)
		json_array_append_new(alerts, alert_json(&p->a[i], go));
	json_object_set_new(d, go ? "Alerts" : "alerts", alerts);
	json_object_set_new(d, go ? "GroupLabels" : "groupLabels", sorted_copy(p->group_labels));
	json_object_set_new(d, go ? "CommonLabels" : "commonLabels", common(p->a, n, 0));
	json_object_set_new(d, go ? "CommonAnnotations" : "commonAnnotations",
	    common(p->a, n, 1));
	json_object_set_new(d, go ? "ExternalURL" : "externalURL", json_string(p->external_url));
	return d;
}

json_t *
aiops_payload_data(const struct aiops_payload *p)
{
	return data_of(p, p->n, 1);
}

json_t *
aiops_payload_webhook(const struct aiops_payload *p, size_t max_alerts)
{
	size_t n = max_alerts != 0 && max_alerts < p->n ? max_alerts : p->n;
	json_t *d = data_of(p, n, 0);

	/* webhook.Message embeds the data, then adds these */
	json_object_set_new(d, "version", json_string("4"));
	json_object_set_new(d, "groupKey", json_string(p->group_key));
	json_object_set_new(d, "truncatedAlerts", json_integer((json_int_t)(p->n - n)));
	return d;
}

/* ---------------------------------------------------------------------
 * Default texts
 * ---------------------------------------------------------------------
 */

/* "36m", "2h 5m", "3d 4h", "45s". */
static void
add_duration(struct aiops_buf *b, int64_t ns)
{
	int64_t s = ns / AIOPS_NS_PER_SEC;

	if (s < 0)
		s = 0;
	if (s < 60)
		aiops_buf_addf(b, "%llds", (long long)s);
	else if (s < 3600)
		aiops_buf_addf(b, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		aiops_buf_addf(b, "%lldh %lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
	else
		aiops_buf_addf(b, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s / 3600 % 24));
}

static int
parse_gotime(const char *s, int64_t *ns)
{
	if (s == NULL || strncmp(s, "0001-01-01T", 11) == 0)
		return -1;
	return aiops_time_parse_rfc3339(s, strlen(s), ns);
}

/* The earliest start and the latest end of data's alerts (0 when none). */
static void
span(const json_t *alerts, int64_t *first, int64_t *last)
{
	const json_t *a;
	int64_t t;
	size_t i;

	*first = *last = 0;
	json_array_foreach(alerts, i, a) {
		if (parse_gotime(jstr(a, "StartsAt"), &t) == 0 && (*first == 0 || t < *first))
			*first = t;
		if (parse_gotime(jstr(a, "EndsAt"), &t) == 0 && t > *last)
			*last = t;
	}
}

/* Values of o in name order, joined by spaces; skip: names to leave out. */
static void
add_values(struct aiops_buf *b, const json_t *o, const json_t *skip)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach((json_t *)o, k, v) {
		if (skip != NULL && json_object_get(skip, k) != NULL)
			continue;
		aiops_buf_addf(b, "%s%s", first ? "" : " ", json_string_value(v));
		first = 0;
	}
}

/*
 * [FIRING:2] the common summary, else Alertmanager's __subject: the group
 * label values and, in brackets, the other common label values.
 */
static void
default_title(const json_t *d, struct aiops_buf *out)
{
	const json_t *alerts = json_object_get(d, "Alerts"), *a;
	const json_t *cl = json_object_get(d, "CommonLabels");
	const json_t *gl = json_object_get(d, "GroupLabels");
	const char *sum = jstr(json_object_get(d, "CommonAnnotations"), "summary");
	const char *st = jstr(d, "Status");
	size_t i, firing = 0;
	int64_t first, last;

	json_array_foreach(alerts, i, a)
		if (strcmp(jstr(a, "Status"), "firing") == 0)
			firing++;
	if (st != NULL && strcmp(st, "firing") == 0)
		aiops_buf_addf(out, "[FIRING:%zu] ", firing);
	else
		aiops_buf_addstr(out, "[RESOLVED] ");
	if (sum != NULL)
		aiops_buf_addstr(out, sum);
	else {
		size_t before = out->len;

		add_values(out, gl, NULL);
		if (json_object_size(cl) > json_object_size(gl)) {
			aiops_buf_addstr(out, out->len > before ? " (" : "(");
			add_values(out, cl, gl);
			aiops_buf_addc(out, ')');
		}
	}
	if (st != NULL && strcmp(st, "resolved") == 0) {
		span(alerts, &first, &last);
		if (first != 0 && last >= first) {
			aiops_buf_addstr(out, " (lasted ");
			add_duration(out, last - first);
			aiops_buf_addc(out, ')');
		}
	}
}

/* One alert: status and summary, its description, when, and its labels. */
static void
body_alert(const json_t *a, struct aiops_buf *out)
{
	const json_t *ann = json_object_get(a, "Annotations"), *lab = json_object_get(a, "Labels");
	const char *sum = jstr(ann, "summary"), *desc = jstr(ann, "description");
	const char *cause = jstr(ann, "suspected_cause"), *k;
	int64_t s, e;
	json_t *v;

	aiops_buf_addf(out, "[%s] ", strcmp(jstr(a, "Status"), "firing") == 0 ?
	    "FIRING" : "RESOLVED");
	if (sum != NULL)
		aiops_buf_addstr(out, sum);
	else
		aiops_buf_addstr(out, jstr(lab, "alertname") != NULL ? jstr(lab, "alertname") :
		    jstr(a, "Fingerprint"));
	aiops_buf_addc(out, '\n');
	if (desc != NULL && (sum == NULL || strcmp(desc, sum) != 0))
		aiops_buf_addf(out, "%s\n", desc);
	if (cause != NULL)
		aiops_buf_addf(out, "Suspected cause: %s\n", cause);
	aiops_buf_addf(out, "Started %s", jstr(a, "StartsAt"));
	if (parse_gotime(jstr(a, "EndsAt"), &e) == 0) {
		aiops_buf_addf(out, ", ended %s", jstr(a, "EndsAt"));
		if (parse_gotime(jstr(a, "StartsAt"), &s) == 0) {
			aiops_buf_addstr(out, ", lasted ");
			add_duration(out, e - s);
		}
	}
	aiops_buf_addstr(out, "\nLabels:");
	json_object_foreach((json_t *)lab, k, v)
		aiops_buf_addf(out, " %s=%s", k, json_string_value(v));
	aiops_buf_addc(out, '\n');
	if (jstr(a, "GeneratorURL") != NULL && *jstr(a, "GeneratorURL") != '\0')
		aiops_buf_addf(out, "Source: %s\n", jstr(a, "GeneratorURL"));
}

static void
default_body(const json_t *d, struct aiops_buf *out)
{
	const json_t *alerts = json_object_get(d, "Alerts"), *a;
	size_t i, n = json_array_size(alerts);

	json_array_foreach(alerts, i, a) {
		if (i == AIOPS_PAYLOAD_BODY_ALERTS) {
			aiops_buf_addf(out, "... and %zu more\n", n - i);
			break;
		}
		if (i > 0)
			aiops_buf_addc(out, '\n');
		body_alert(a, out);
	}
	if (jstr(d, "ExternalURL") != NULL && *jstr(d, "ExternalURL") != '\0')
		aiops_buf_addf(out, "\nMore: %s\n", jstr(d, "ExternalURL"));
}

int
aiops_payload_default_text(void *arg, enum aiops_payload_text what, const json_t *data,
    struct aiops_buf *out, char *err, size_t errlen)
{
	(void)arg;
	(void)err;
	(void)errlen;
	if (what == AIOPS_TEXT_TITLE)
		default_title(data, out);
	else
		default_body(data, out);
	return 0;
}

/* Renders what into a new string; NULL with err on a renderer's failure. */
static char *
render(const struct aiops_payload *p, const struct aiops_payload_texts *t,
    enum aiops_payload_text what, char *err, size_t errlen)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	json_t *d = aiops_payload_data(p);
	aiops_payload_render_fn fn = t != NULL && t->render != NULL ? t->render :
	    aiops_payload_default_text;
	int r = fn(t != NULL ? t->arg : NULL, what, d, &b, err, errlen);

	json_decref(d);
	if (r == -1) {
		aiops_buf_release(&b);
		return NULL;
	}
	aiops_buf_addstr(&b, "");	/* "" rather than NULL for an empty text */
	/* a title is one line, never empty: PagerDuty and Slack require one */
	if (what == AIOPS_TEXT_TITLE) {
		char *nl;

		while ((nl = strpbrk(b.data, "\r\n")) != NULL)
			*nl = ' ';
		if (strspn(b.data, " \t") == b.len) {
			aiops_buf_reset(&b);
			aiops_buf_addstr(&b, any_firing(p->a, p->n) ? "[FIRING]" : "[RESOLVED]");
		}
	}
	/* jansson takes UTF-8 only: a renderer's stray byte becomes U+FFFD */
	return aiops_buf_detach(&b, NULL);
}

/*
 * s cut to max characters (code points): max - 1 of them and an ellipsis,
 * notify/util.go TruncateInRunes. Invalid UTF-8 counts a byte a character.
 */
static json_t *
truncated(const char *s, size_t max)
{
	size_t i = 0, chars = 0, cut = 0;
	struct aiops_buf b = AIOPS_BUF_INIT;
	json_t *r;

	while (s[i] != '\0') {
		if (chars == max - 1)
			cut = i;
		chars++;
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
	}
	if (chars <= max)
		return json_string(s);
	aiops_buf_add(&b, s, cut);
	aiops_buf_addstr(&b, "\xe2\x80\xa6");
	r = json_string(b.data);
	aiops_buf_release(&b);
	return r;
}

/* A JSON string of s, invalid UTF-8 replaced by U+FFFD (jansson refuses it). */
static json_t *
text(const char *s)
{
	json_t *r = json_string(s);
	struct aiops_buf b = AIOPS_BUF_INIT;

	if (r != NULL)
		return r;
	aiops_utf8_repair(&b, s, strlen(s));
	r = json_string(b.data != NULL ? b.data : "");
	aiops_buf_release(&b);
	return r;
}

/* As truncated(), for text that may not be UTF-8. */
static json_t *
text_max(const char *s, size_t max)
{
	json_t *t = text(s), *r = truncated(json_string_value(t), max);

	json_decref(t);
	return r;
}

/* ---------------------------------------------------------------------
 * Severity, hosts
 * ---------------------------------------------------------------------
 */

const char *
aiops_payload_pd_severity(const char *s)
{
	int l;

	if (s == NULL)
		return "warning";
	if (strcasecmp(s, "page") == 0 || strcasecmp(s, "high") == 0)
		return "critical";
	if ((l = aiops_severity_parse(s, strlen(s))) < 0)
		return "warning";
	return l <= 2 ? "critical" : l == 3 ? "error" : l == 4 ? "warning" : "info";
}

static int
pd_rank(const char *s)
{
	static const char *const order[] = { "critical", "error", "warning", "info" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, order[i]) == 0)
			return (int)i;
	return 2;
}

/* The worst severity of the firing alerts (of all, when none fires). */
static const char *
group_severity(const struct aiops_payload *p)
{
	const char *worst = NULL;
	int firing = any_firing(p->a, p->n);
	size_t i;

	for (i = 0; i < p->n; i++) {
		const char *s = aiops_payload_pd_severity(p->a[i].severity);

		if (firing && p->a[i].resolved)
			continue;
		if (worst == NULL || pd_rank(s) < pd_rank(worst))
			worst = s;
	}
	return worst != NULL ? worst : "warning";
}

/* The hosts of the alerts, each once, in order: "db-1, db-2". */
static void
add_hosts(struct aiops_buf *b, const struct aiops_payload *p)
{
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		if (p->a[i].host == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (p->a[j].host != NULL && strcmp(p->a[j].host, p->a[i].host) == 0)
				break;
		if (j == i)
			aiops_buf_addf(b, "%s%s", b->len > 0 ? ", " : "", p->a[i].host);
	}
}

static int64_t
first_start(const struct aiops_payload *p)
{
	int64_t t = 0;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (t == 0 || p->a[i].starts_at < t)
			t = p->a[i].starts_at;
	return t;
}

static int64_t
last_end(const struct aiops_payload *p)
{
	int64_t t = 0;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->a[i].ends_at > t)
			t = p->a[i].ends_at;
	return t;
}

static json_t *
rfc3339(int64_t ns)
{
	char t[AIOPS_TIME_BUFSZ];

	aiops_time_format(ns, t);
	return json_string(t);
}

/* ---------------------------------------------------------------------
 * PagerDuty
 * ---------------------------------------------------------------------
 */

/* Alertmanager's pagerduty.default.instances for one status. */
static json_t *
pd_instances(const struct aiops_payload *p, int resolved)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	const char *k;
	json_t *v, *r;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->a[i].resolved != resolved)
			continue;
		aiops_buf_addstr(&b, "Labels:\n");
		json_object_foreach(p->a[i].labels, k, v)
			aiops_buf_addf(&b, " - %s = %s\n", k, json_string_value(v));
		aiops_buf_addstr(&b, "Annotations:\n");
		json_object_foreach(p->a[i].annotations, k, v)
			aiops_buf_addf(&b, " - %s = %s\n", k, json_string_value(v));
		aiops_buf_addf(&b, "Source: %s\n", p->a[i].generator_url);
	}
	r = text(b.data != NULL ? b.data : "");
	aiops_buf_release(&b);
	return r;
}

static json_t *
pd_details(const struct aiops_payload *p)
{
	json_t *d = json_object();
	char n[32];

	json_object_set_new(d, "firing", pd_instances(p, 0));
	json_object_set_new(d, "resolved", pd_instances(p, 1));
	(void)snprintf(n, sizeof(n), "%zu", aiops_payload_count(p, "firing"));
	json_object_set_new(d, "num_firing", json_string(n));
	(void)snprintf(n, sizeof(n), "%zu", aiops_payload_count(p, "resolved"));
	json_object_set_new(d, "num_resolved", json_string(n));
	return d;
}

static json_t *
pd_links(const struct aiops_payload *p)
{
	json_t *links = json_array(), *l;
	size_t i, j;

	for (i = 0; i < p->n && json_array_size(links) < 5; i++) {
		if (*p->a[i].generator_url == '\0')
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(p->a[j].generator_url, p->a[i].generator_url) == 0)
				break;
		if (j < i)
			continue;
		l = json_object();
		json_object_set_new(l, "href", text(p->a[i].generator_url));
		json_object_set_new(l, "text", text(jstr(p->a[i].labels, "alertname") != NULL ?
		    jstr(p->a[i].labels, "alertname") : "source"));
		json_array_append_new(links, l);
	}
	return links;
}

static void
set_opt(json_t *o, const char *key, const char *val)
{
	if (val != NULL && *val != '\0')
		json_object_set_new(o, key, text(val));
}

json_t *
aiops_payload_pagerduty(const struct aiops_payload *p, const struct aiops_pagerduty_opts *o,
    const struct aiops_payload_texts *t, char *err, size_t errlen)
{
	json_t *body, *pl;
	struct aiops_buf src = AIOPS_BUF_INIT;
	char *title, *dump;
	size_t len;

	if (o == NULL || o->routing_key == NULL || *o->routing_key == '\0') {
		aiops_errf(err, errlen, "pagerduty: no routing_key");
		return NULL;
	}
	body = json_object();
	json_object_set_new(body, "routing_key", text(o->routing_key));
	json_object_set_new(body, "dedup_key", json_string(p->dedup_key));
	if (!any_firing(p->a, p->n)) {
		json_object_set_new(body, "event_action", json_string("resolve"));
		return body;
	}
	json_object_set_new(body, "event_action", json_string("trigger"));
	if ((title = render(p, t, AIOPS_TEXT_TITLE, err, errlen)) == NULL) {
		json_decref(body);
		return NULL;
	}
	pl = json_object();
	json_object_set_new(pl, "summary", text_max(title, AIOPS_PD_SUMMARY_MAX));
	free(title);
	add_hosts(&src, p);
	json_object_set_new(pl, "source", text_max(src.len > 0 ? src.data :
	    (o->client != NULL ? o->client : "aiops"), 255));
	aiops_buf_release(&src);
	json_object_set_new(pl, "severity", json_string(group_severity(p)));
	json_object_set_new(pl, "timestamp", rfc3339(first_start(p)));
	set_opt(pl, "class", o->class);
	set_opt(pl, "component", o->component);
	set_opt(pl, "group", o->group);
	json_object_set_new(pl, "custom_details", pd_details(p));
	json_object_set_new(body, "payload", pl);
	json_object_set_new(body, "links", pd_links(p));
	json_object_set_new(body, "client", text(o->client != NULL ? o->client : "aiops"));
	if (*p->external_url != '\0')
		json_object_set_new(body, "client_url", text(p->external_url));
	/* notify/pagerduty: an event over the limit loses its details */
	dump = aiops_payload_dump(body, 0, &len);
	if (len > AIOPS_PD_MAX_EVENT) {
		json_t *note = json_object();

		json_object_set_new(note, "error", json_string("Custom details have been "
		    "removed because the original event exceeds the maximum size of 512kB"));
		json_object_set_new(pl, "custom_details", note);
	}
	free(dump);
	return body;
}

/* ---------------------------------------------------------------------
 * ServiceNow
 * ---------------------------------------------------------------------
 */

/* urgency and impact (each "1" to "3") of a PagerDuty severity word */
static void
sn_levels(const char *sev, const char **urgency, const char **impact)
{
	switch (pd_rank(sev)) {
	case 0:
		*urgency = "1", *impact = "1";
		break;
	case 1:
		*urgency = "2", *impact = "2";
		break;
	case 2:
		*urgency = "2", *impact = "3";
		break;
	default:
		*urgency = "3", *impact = "3";
	}
}

json_t *
aiops_payload_servicenow(const struct aiops_payload *p, const struct aiops_servicenow_opts *o,
    const struct aiops_payload_texts *t, char *err, size_t errlen)
{
	const char *urgency, *impact;
	char *title, *body;
	json_t *r;

	if ((title = render(p, t, AIOPS_TEXT_TITLE, err, errlen)) == NULL)
		return NULL;
	if ((body = render(p, t, AIOPS_TEXT_BODY, err, errlen)) == NULL) {
		free(title);
		return NULL;
	}
	sn_levels(group_severity(p), &urgency, &impact);
	r = json_object();
	json_object_set_new(r, "short_description", text_max(title, AIOPS_SN_SHORT_MAX));
	json_object_set_new(r, "description", text_max(body, AIOPS_SN_DESCRIPTION_MAX));
	json_object_set_new(r, "urgency", json_string(urgency));
	json_object_set_new(r, "impact", json_string(impact));
	json_object_set_new(r, "correlation_id", json_string(p->dedup_key));
	json_object_set_new(r, "correlation_display", json_string("aiops"));
	if (o != NULL) {
		set_opt(r, "assignment_group", o->assignment_group);
		set_opt(r, "caller_id", o->caller_id);
		set_opt(r, "category", o->category);
	}
	free(title);
	free(body);
	return r;
}

json_t *
aiops_payload_servicenow_resolve(const struct aiops_payload *p,
    const struct aiops_servicenow_opts *o, const struct aiops_payload_texts *t,
    char *err, size_t errlen)
{
	char *title;
	json_t *r;

	if ((title = render(p, t, AIOPS_TEXT_TITLE, err, errlen)) == NULL)
		return NULL;
	r = json_object();
	json_object_set_new(r, "state", json_string("6"));
	json_object_set_new(r, "close_code", text(o != NULL && o->close_code != NULL ?
	    o->close_code : "Solution provided"));
	json_object_set_new(r, "close_notes", text_max(title, AIOPS_SN_DESCRIPTION_MAX));
	free(title);
	return r;
}

/* ---------------------------------------------------------------------
 * Slack
 * ---------------------------------------------------------------------
 */

/* s with & < > escaped, as Slack asks of message text. */
static char *
slack_escape(const char *s)
{
	struct aiops_buf b = AIOPS_BUF_INIT;

	for (; *s != '\0'; s++) {
		if (*s == '&')
			aiops_buf_addstr(&b, "&amp;");
		else if (*s == '<')
			aiops_buf_addstr(&b, "&lt;");
		else if (*s == '>')
			aiops_buf_addstr(&b, "&gt;");
		else
			aiops_buf_addc(&b, *s);
	}
	aiops_buf_addstr(&b, "");
	return aiops_buf_detach(&b, NULL);
}

static json_t *
slack_text(const char *type, const char *s, size_t max)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "text", text_max(s, max));
	if (strcmp(type, "plain_text") == 0)
		json_object_set_new(o, "emoji", json_true());
	return o;
}

/* A mrkdwn field "*Name*\nvalue", the value escaped. */
static json_t *
slack_field(const char *name, const char *value)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	char *esc = slack_escape(value);
	json_t *f;

	aiops_buf_addf(&b, "*%s*\n%s", name, esc);
	f = slack_text("mrkdwn", b.data, AIOPS_SLACK_FIELD_MAX);
	free(esc);
	aiops_buf_release(&b);
	return f;
}

static json_t *
slack_fields(const struct aiops_payload *p)
{
	json_t *fields = json_array();
	struct aiops_buf b = AIOPS_BUF_INIT;
	char t[AIOPS_TIME_BUFSZ];

	json_array_append_new(fields, slack_field("Severity", group_severity(p)));
	add_hosts(&b, p);
	if (b.len > 0)
		json_array_append_new(fields, slack_field("Hosts", b.data));
	aiops_time_format(first_start(p), t);
	json_array_append_new(fields, slack_field("Started", t));
	if (!any_firing(p->a, p->n) && last_end(p) >= first_start(p)) {
		aiops_buf_reset(&b);
		add_duration(&b, last_end(p) - first_start(p));
		json_array_append_new(fields, slack_field("Lasted", b.data));
	}
	aiops_buf_release(&b);
	return fields;
}

static json_t *
slack_context(const struct aiops_payload *p)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	json_t *ctx = json_object(), *el = json_array();
	char *esc = slack_escape(p->receiver);

	aiops_buf_addf(&b, "aiops \xc2\xb7 %s \xc2\xb7 %zu firing, %zu resolved", esc,
	    aiops_payload_count(p, "firing"), aiops_payload_count(p, "resolved"));
	free(esc);
	if (*p->external_url != '\0') {
		/* a link: <url|text>; the URL's own & < > escaped */
		esc = slack_escape(p->external_url);
		aiops_buf_addf(&b, " \xc2\xb7 <%s|more>", esc);
		free(esc);
	}
	json_object_set_new(ctx, "type", json_string("context"));
	json_array_append_new(el, slack_text("mrkdwn", b.data, AIOPS_SLACK_FIELD_MAX));
	json_object_set_new(ctx, "elements", el);
	aiops_buf_release(&b);
	return ctx;
}

json_t *
aiops_payload_slack(const struct aiops_payload *p, const struct aiops_payload_texts *t,
    char *err, size_t errlen)
{
	char *title, *body, *etitle, *ebody;
	json_t *msg, *blocks, *blk;

	if ((title = render(p, t, AIOPS_TEXT_TITLE, err, errlen)) == NULL)
		return NULL;
	if ((body = render(p, t, AIOPS_TEXT_BODY, err, errlen)) == NULL) {
		free(title);
		return NULL;
	}
	etitle = slack_escape(title);
	ebody = slack_escape(body);
	msg = json_object();
	json_object_set_new(msg, "text", text_max(etitle, AIOPS_SLACK_TEXT_MAX));
	blocks = json_array();
	blk = json_object();
	json_object_set_new(blk, "type", json_string("header"));
	/* plain_text is not parsed: the title as it is */
	json_object_set_new(blk, "text", slack_text("plain_text", title, AIOPS_SLACK_HEADER_MAX));
	json_array_append_new(blocks, blk);
	if (*ebody != '\0') {
		blk = json_object();
		json_object_set_new(blk, "type", json_string("section"));
		json_object_set_new(blk, "text", slack_text("mrkdwn", ebody,
		    AIOPS_SLACK_SECTION_MAX));
		json_array_append_new(blocks, blk);
	}
	blk = json_object();
	json_object_set_new(blk, "type", json_string("section"));
	json_object_set_new(blk, "fields", slack_fields(p));
	json_array_append_new(blocks, blk);
	json_array_append_new(blocks, slack_context(p));
	json_object_set_new(msg, "blocks", blocks);
	free(title);
	free(body);
	free(etitle);
	free(ebody);
	return msg;
}

/* ---------------------------------------------------------------------
 * Dumping
 * ---------------------------------------------------------------------
 */

static const char hexd[] = "0123456789abcdef";

/*
 * jansson's compact text rewritten as Go's encoder writes it. < > & occur
 * only inside strings in JSON text, and every escape starts with a
 * backslash, so one pass over the bytes is exact.
 */
static void
goify(struct aiops_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' && i + 1 < n) {
			char e = s[++i];

			if (e == 'b' || e == 'f')
				aiops_buf_addf(b, "\\u00%s", e == 'b' ? "08" : "0c");
			else if (e == 'u' && i + 4 < n) {
				/* jansson's \u00XX is upper case, Go's lower */
				size_t k;

				aiops_buf_addstr(b, "\\u");
				for (k = 1; k <= 4; k++) {
					char h = s[i + k];

					aiops_buf_addc(b, h >= 'A' && h <= 'F' ? h - 'A' + 'a' : h);
				}
				i += 4;
			} else {
				aiops_buf_addc(b, '\\');
				aiops_buf_addc(b, e);
			}
		} else if (c == '<' || c == '>' || c == '&') {
			aiops_buf_addstr(b, "\\u00");
			aiops_buf_addc(b, hexd[c >> 4]);
			aiops_buf_addc(b, hexd[c & 0xf]);
		} else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			aiops_buf_addstr(b, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
			i += 2;
		} else
			aiops_buf_addc(b, (char)c);
	}
}

char *
aiops_payload_dump(const json_t *body, int flags, size_t *len)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	char *s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		xoom(0);
	if (!(flags & AIOPS_PAYLOAD_GO)) {
		if (len != NULL)
			*len = strlen(s);
		return s;
	}
	goify(&b, s, strlen(s));
	free(s);
	aiops_buf_addc(&b, '\n');
	return aiops_buf_detach(&b, len);
}
