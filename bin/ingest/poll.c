/*
 * poll.c: aiops-ingest poll, the pollers (issue 15, part 2).
 *
 * One round asks every target at once (net/http.h aiops_http_multi, the
 * timeouts of ingest.pollers), writes what they answer as events through
 * lib/ingest's sink (and, with --store, into the state), and says which
 * targets failed and why. One round by default (cron); --every DUR runs
 * one every DUR until SIGTERM, SIGHUP reading the configuration again. A
 * target that fails is asked again next round; under --every it backs
 * off (net/retry.h: exponential, full jitter, seeded by its name) and the
 * warning is given once, until it answers again.
 *
 * Targets come from ingest.pollers (each list checked here: errors say
 * "ingest.pollers.KEY[i]: what") and from the cluster registry: every
 * query runs against every registered cluster's Prometheus, with its
 * credential file, and against the servers of ingest.pollers.prometheus.
 *
 * HOW TO ADD A KIND: write a `struct kind` and put it in kinds[] below.
 *   - key: its list under ingest.pollers (add the key to lib/config/
 *     schema.c as a TREE, to man/aiops.7 and contrib/aiops.yaml);
 *   - load(): checks item i of that list and adds its targets with
 *     target_add() (a kind that needs the registry reads p->clusters);
 *   - an HTTP kind sets request() (fills t->url, t->body and headers
 *     with the target_* helpers; called again for a next page) and
 *     response() (turns the answer into events through the struct
 *     aiops_ingest it is given: 0 done, 1 ask again, -1 failed with
 *     t->why set by fail());
 *   - a kind that is not HTTP (SNMP, a local command) sets run()
 *     instead: it is called synchronously in the round, before the HTTP
 *     requests go out, and returns 0 or -1 (fail()).
 * The driver does the rest: scheduling, backoff, warnings, exit status,
 * the output and the store.
 */
#include "compat.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmds.h"
#include "config/conf.h"
#include "config/paths.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/logtime.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/event.h"
#include "event/severity.h"
#include "ingest/ingest.h"
#include "ingest/logfields.h"
#include "ingest/promapi.h"
#include "ingest/rfpoll.h"
#include "ingest/snmppoll.h"
#include "io/out.h"
#include "net/http.h"
#include "net/retry.h"
#include "net/secret.h"
#include "run/proc.h"
#include "store/alerts.h"
#include "store/clusters.h"
#include "store/mstore.h"
#include "store/state.h"
#include "tool/cli.h"
#include "tool/filter.h"
#include "tool/log.h"

#define SECRET_MAX		4096
#define DEF_TIMEOUT		(10 * AIOPS_NS_PER_SEC)
#define DEF_MAX_BACKOFF		(10 * 60 * AIOPS_NS_PER_SEC)
#define DEF_STEP		(15 * AIOPS_NS_PER_SEC)
#define MAX_RANGE_POINTS	11000	/* Prometheus's cap per series */
#define DD_PAGE_LIMIT		1000
#define DD_PAGES		10
#define MAX_HEADERS		4
#define ALERT_EXPIRE		(120 * 3600 * AIOPS_NS_PER_SEC)

enum {
	OPT_EVERY = AIOPS_OPT_PROGRAM_BASE,
	OPT_STORE,
	OPT_STORE_ONLY,
};

static const char synopsis[] =
    "aiops-ingest poll [-qVv] [--every duration] [--store | --store-only]\n"
    "                    [--state file] [--config file]";

static const struct aiops_opt opts[] = {
	{ "every", OPT_EVERY, "DUR", "poll again every DUR until SIGTERM (default: once)" },
	{ "store", OPT_STORE, NULL, "also write metrics into the state file" },
	{ "store-only", OPT_STORE_ONLY, NULL, "write metrics into the state file, print nothing" },
	AIOPS_OPT_END
};

struct poll;
struct target;

struct kind {
	const char	*name;		/* in messages */
	const char	*key;		/* its list: ingest.pollers.KEY */
	const char	*source;	/* the events' source */
	int		(*load)(struct poll *p, const json_t *item, size_t i);
	int		(*request)(struct poll *p, struct target *t);
	int		(*response)(struct poll *p, struct target *t, struct aiops_ingest *ing,
			    const struct aiops_http_response *r);
	int		(*run)(struct poll *p, struct target *t, struct aiops_ingest *ing);
};

/* A Prometheus server queries run against: a registered cluster's, or the config's. */
struct server {
	char		*cluster;	/* the cluster label, or NULL */
	char		*url;		/* base URL, no trailing '/' */
	char		*cred;		/* credential file, or NULL */
	int		 insecure;
};

struct target {
	const struct kind	*kind;
	char			*key;		/* unique: names it in messages and the schedule */
	const json_t		*conf;		/* its item (the plan holds it) */
	const struct server	*server;	/* queries: where */
	const char		*cluster;	/* events' cluster, or NULL */
	const char		*host;		/* events' host when they name none, or NULL */
	/* The request being made (reset by target_reset()). */
	struct aiops_buf	 url, body;
	struct aiops_http_header hdr[MAX_HEADERS];
	char			*hval[MAX_HEADERS];	/* owned values, wiped when freed */
	size_t			 nhdr;
	const char		*capture[2];
	unsigned		 flags;
	/* This round. */
	int			 page;		/* requests made */
	char			*cursor;	/* Datadog's next page */
	int			 pending;	/* to ask (again) */
	int			 failed;
	char			 why[AIOPS_HTTP_ERRSZ];
	char			*retry_after;
	size_t			 req;		/* index in this pass's requests */
	unsigned long		 events;
	int64_t			 window_to;	/* log searches: this round's end, real ns; 0: none */
};

/* What a target's failures in a row left: kept across rounds by key. */
struct sched {
	char		*key;
	unsigned	 attempt;
	int64_t		 next_at;	/* monotonic ns; 0: now */
	int		 warned;
	int		 seen;		/* in the last round */
	int64_t		 since;		/* log searches: where the last window answered ended */
};

/* ingest.pollers, checked: the lists are held (json_incref), not the configuration. */
struct plan {
	int64_t		 timeout;
	unsigned	 parallel;
	int64_t		 backoff, max_backoff;
	size_t		 max_body;
	int		 clusters;
	json_t		*lists[8];	/* per kinds[] */
};

struct poll {
	struct aiops_cli	 cli;
	int64_t			 every;
	int			 store;		/* 1 store, 2 store only */
	struct plan		 plan;
	struct aiops_state	*state;
	struct aiops_mstore	*mstore;
	struct aiops_alertstore	*astore;
	struct aiops_out	 out;
	struct aiops_http	*http;
	struct server		*servers;
	size_t			 nservers;
	struct target		*targets;
	size_t			 ntargets;
	struct sched		*sched;
	size_t			 nsched;
	/* Loading: where an error goes. */
	char			 err[1024];
	size_t			 nonfinite;
};

/* ---- helpers for kinds ---- */

/* t failed: why (printf-style). Returns -1. */
static int __attribute__((format(printf, 2, 3)))
fail(struct target *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	t->failed = 1;
	return -1;
}

/* A loading error: "where: ingest.pollers.KEY[i]: what". Returns -1. */
static int __attribute__((format(printf, 4, 5)))
conf_error(struct poll *p, const char *key, size_t i, const char *fmt, ...)
{
	char path[128], where[256], what[512];
	va_list ap;

	snprintf(path, sizeof(path), "ingest.pollers.%s", key);
	aiops_conf_where(p->cli.cfg, path, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, sizeof(p->err), "%s: %s[%zu]: %s", where, path, i, what);
	return -1;
}

/* Percent-encodes s (RFC 3986 unreserved kept) onto b. */
static void
urlenc(struct aiops_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u;

	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (isalnum(*u) || *u == '-' || *u == '.' || *u == '_' || *u == '~') {
			aiops_buf_add(b, (const char *)u, 1);
		} else {
			char e[3] = { '%', hex[*u >> 4], hex[*u & 15] };

			aiops_buf_add(b, e, 3);
		}
	}
}

static void
bufstr(struct aiops_buf *b, const char *s)
{
	aiops_buf_add(b, s, strlen(s));
}

/* Adds a request header; value copied (and wiped when done). */
static void
target_header(struct target *t, const char *name, const char *value, int secret)
{
	if (t->nhdr == MAX_HEADERS)
		return;
	t->hval[t->nhdr] = xstrdup(value);
	t->hdr[t->nhdr].name = name;
	t->hdr[t->nhdr].value = t->hval[t->nhdr];
	t->hdr[t->nhdr].secret = secret;
	t->nhdr++;
}

/* Forgets the last request's URL, body and headers. */
static void
target_reset(struct target *t)
{
	size_t i;

	aiops_buf_reset(&t->url);
	if (t->body.len > 0)
		explicit_bzero(t->body.data, t->body.len);
	aiops_buf_reset(&t->body);
	for (i = 0; i < t->nhdr; i++) {
		explicit_bzero(t->hval[i], strlen(t->hval[i]));
		free(t->hval[i]);
	}
	t->nhdr = 0;
	t->capture[0] = NULL;
}

/* A secret from a file, into buf. 0, or -1 with t failed. */
static int
read_secret(struct target *t, const char *file, char *buf, size_t size)
{
	char err[512];

	if (aiops_secret_read_file(file, buf, size, err, sizeof(err)) == -1)
		return fail(t, "%s", err);
	return 0;
}

/* An Authorization header from a credential file: "user:password" is Basic, else Bearer. */
static int
target_auth(struct target *t, const char *file)
{
	char buf[SECRET_MAX], *colon, *v;

	if (file == NULL)
		return 0;
	if (read_secret(t, file, buf, sizeof(buf)) == -1)
		return -1;
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		v = aiops_http_basic_auth(buf, colon + 1);
	} else
		xasprintf(&v, "Bearer %s", buf);
	explicit_bzero(buf, sizeof(buf));
	target_header(t, "Authorization", v, 1);
	explicit_bzero(v, strlen(v));
	free(v);
	return 0;
}

static const char *
item_str(const json_t *item, const char *k)
{
	return json_string_value(json_object_get(item, k));
}

/* An integer field (YAML gives a string or a number), or -1. */
static long long
item_int(const json_t *item, const char *k)
{
	const json_t *v = json_object_get(item, k);
	const char *s;
	char *end;
	long long n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if ((s = json_string_value(v)) == NULL || *s == '\0')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	return *end != '\0' || errno != 0 ? -1 : n;
}

/* A boolean field (YAML gives true/false as a word or a boolean): 1, 0, or -1. */
static int
item_bool(const json_t *item, const char *k)
{
	const json_t *v = json_object_get(item, k);
	const char *s = json_string_value(v);

	if (json_is_boolean(v))
		return json_is_true(v);
	if (s != NULL && strcmp(s, "true") == 0)
		return 1;
	if (s != NULL && strcmp(s, "false") == 0)
		return 0;
	return -1;
}

/*
 * Checks that item is a mapping with only the keys in allowed
 * (NULL-terminated), each of the shape its name says: lists of strings
 * or of OIDs, booleans, integers in their range, else non-empty strings.
 */
static int
check_keys(struct poll *p, const char *key, size_t i, const json_t *item,
    const char *const *allowed)
{
	const char *k;
	json_t *v;
	size_t j;

	if (!json_is_object(item))
		return conf_error(p, key, i, "expected a mapping");
	json_object_foreach((json_t *)item, k, v) {
		for (j = 0; allowed[j] != NULL && strcmp(allowed[j], k) != 0; j++)
			;
		if (allowed[j] == NULL)
			return conf_error(p, key, i, "unknown key '%s'", k);
		if (strcmp(k, "indexes") == 0) {
			size_t n;
			json_t *e;

			if (!json_is_array(v))
				return conf_error(p, key, i, "%s: expected a list of strings", k);
			json_array_foreach(v, n, e)
				if (!json_is_string(e))
					return conf_error(p, key, i, "%s: expected a list of strings", k);
		} else if (strcmp(k, "get") == 0 || strcmp(k, "walk") == 0) {
			size_t n;
			json_t *e;

			if (!json_is_array(v))
				return conf_error(p, key, i, "%s: expected a list of numeric OIDs", k);
			if (json_array_size(v) > 32)
				return conf_error(p, key, i, "%s: 32 OIDs at most", k);
			json_array_foreach(v, n, e)
				if (!json_is_string(e) || !aiops_snmp_oid_valid(json_string_value(e)))
					return conf_error(p, key, i, "%s[%zu]: not a numeric OID "
					    "such as 1.3.6.1.2.1.1.3.0 (no MIB is loaded)", k, n);
		} else if (strcmp(k, "insecure") == 0) {
			if (item_bool(item, k) == -1)
				return conf_error(p, key, i, "%s: expected true or false", k);
		} else if (strcmp(k, "limit") == 0 || strcmp(k, "pages") == 0) {
			if (item_int(item, k) < 1 || item_int(item, k) > 100000)
				return conf_error(p, key, i, "%s: expected an integer from 1 to 100000", k);
		} else if (strcmp(k, "retries") == 0) {
			if (item_int(item, k) < 0 || item_int(item, k) > 10)
				return conf_error(p, key, i, "%s: expected an integer from 0 to 10", k);
		} else if (strcmp(k, "max_repetitions") == 0) {
			if (item_int(item, k) < 1 || item_int(item, k) > 1000)
				return conf_error(p, key, i, "%s: expected an integer from 1 to 1000", k);
		} else if (!json_is_string(v) || json_string_length(v) == 0)
			return conf_error(p, key, i, "%s: expected a string", k);
	}
	return 0;
}

static int
need(struct poll *p, const char *key, size_t i, const json_t *item, const char *k)
{
	if (item_str(item, k) == NULL)
		return conf_error(p, key, i, "%s: required", k);
	return 0;
}

/* An http(s) URL without userinfo. */
static int
check_url(struct poll *p, const char *key, size_t i, const char *url)
{
	const char *auth, *end;

	if (strncmp(url, "http://", 7) == 0)
		auth = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		auth = url + 8;
	else
		return conf_error(p, key, i, "url: an http:// or https:// URL, got \"%s\"", url);
	end = auth + strcspn(auth, "/?#");
	if (*auth == '\0' || *auth == '/' || strpbrk(url, " \t\r\n") != NULL)
		return conf_error(p, key, i, "url: not a URL: \"%s\"", url);
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return conf_error(p, key, i, "url: a user or password in the URL: give them in "
		    "a credentials file");
	return 0;
}

static int
check_duration(struct poll *p, const char *key, size_t i, const json_t *item, const char *k,
    int64_t *ns)
{
	const char *s = item_str(item, k);

	if (s == NULL)
		return 0;
	if (aiops_duration_parse(s, ns) == -1 || *ns <= 0)
		return conf_error(p, key, i, "%s: expected a duration such as 90s, 5m, 2h, got \"%s\"",
		    k, s);
	return 0;
}

/* Adds a target of kind k; key is formatted. Returns it. */
static struct target * __attribute__((format(printf, 4, 5)))
target_add(struct poll *p, const struct kind *k, const json_t *conf, const char *fmt, ...)
{
	struct target *t;
	va_list ap;

	p->targets = xreallocarray(p->targets, p->ntargets + 1, sizeof(*p->targets));
	t = &p->targets[p->ntargets++];
	memset(t, 0, sizeof(*t));
	t->kind = k;
	t->conf = conf;
	va_start(ap, fmt);
	if (vasprintf(&t->key, fmt, ap) == -1)
		fatal(EX_OSERR, "vasprintf");
	va_end(ap);
	aiops_buf_init(&t->url);
	aiops_buf_init(&t->body);
	t->host = item_str(conf, "host");
	t->cluster = item_str(conf, "cluster");
	return t;
}

static int
base_url(struct target *t, const char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	aiops_buf_add(&t->url, url, n);
	return 0;
}

/* ---- Prometheus HTTP API queries ---- */

static const char *const query_keys[] = { "name", "query", "range", "step", NULL };
static const char *const server_keys[] = { "url", "name", "credentials", "insecure", NULL };

static const struct kind kind_query;

static int
query_load(struct poll *p, const json_t *item, size_t i)
{
	int64_t range = 0, step = DEF_STEP;
	size_t s;

	if (check_keys(p, "queries", i, item, query_keys) == -1 ||
	    need(p, "queries", i, item, "query") == -1 ||
	    check_duration(p, "queries", i, item, "range", &range) == -1 ||
	    check_duration(p, "queries", i, item, "step", &step) == -1)
		return -1;
	if (item_str(item, "step") != NULL && range == 0)
		return conf_error(p, "queries", i, "step: only with a range");
	if (range > 0 && range / step > MAX_RANGE_POINTS)
		return conf_error(p, "queries", i, "range / step: more than %d points a series, "
		    "which Prometheus refuses", MAX_RANGE_POINTS);
	for (s = 0; s < p->nservers; s++) {
		struct target *t = target_add(p, &kind_query, item, "query %s on %s%s",
		    item_str(item, "name") ? item_str(item, "name") : item_str(item, "query"),
		    p->servers[s].cluster ? "cluster " : "", p->servers[s].cluster ?
		    p->servers[s].cluster : p->servers[s].url);

		t->server = &p->servers[s];
		t->cluster = p->servers[s].cluster;
		if (p->servers[s].insecure)
			t->flags |= AIOPS_HTTP_NO_VERIFY;
	}
	return 0;
}

/* Seconds since the epoch as Prometheus takes them, of the real time (not AIOPS_NOW). */
static void
unix_time(struct aiops_buf *b, int64_t ns)
{
	char s[48];

	snprintf(s, sizeof(s), "%" PRId64 ".%03d", (int64_t)(ns / AIOPS_NS_PER_SEC),
	    (int)(ns % AIOPS_NS_PER_SEC / 1000000));
	bufstr(b, s);
}

static int64_t
real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * AIOPS_NS_PER_SEC + ts.tv_nsec;
}

static struct sched *sched_of(struct poll *p, const char *key);

/*
 * A log search's window (Datadog's from and to, Splunk's earliest and
 * latest): as configured, except that one left open ("to now") goes on,
 * with --every, from where the last round that answered ended, so that
 * a log is fetched once and not again every round while the window
 * still covers it. *from and *to get those bounds in real ns, or 0 when
 * the configured text is to be sent.
 */
static void
log_window(struct poll *p, struct target *t, const char *conf_to, int64_t *from, int64_t *to)
{
	const struct sched *s;

	*from = *to = 0;
	if (conf_to != NULL || p->every == 0)
		return;
	if (t->window_to == 0)
		t->window_to = real_now();	/* once a round: its pages share it */
	s = sched_of(p, t->key);
	if (s->since > 0) {
		*from = s->since;
		*to = t->window_to;
	}
}

static int
query_request(struct poll *p, struct target *t)
{
	int64_t range = 0, step = DEF_STEP, now = real_now();
	const char *r = item_str(t->conf, "range"), *s = item_str(t->conf, "step");
	char num[32];

	(void)p;
	if (r != NULL)
		(void)aiops_duration_parse(r, &range);
	if (s != NULL)
		(void)aiops_duration_parse(s, &step);
	base_url(t, t->server->url);
	bufstr(&t->url, range > 0 ? "/api/v1/query_range?query=" : "/api/v1/query?query=");
	urlenc(&t->url, item_str(t->conf, "query"));
	if (range > 0) {
		bufstr(&t->url, "&start=");
		unix_time(&t->url, now - range);
		bufstr(&t->url, "&end=");
		unix_time(&t->url, now);
		snprintf(num, sizeof(num), "&step=%.3f", (double)step / AIOPS_NS_PER_SEC);
		bufstr(&t->url, num);
	}
	return target_auth(t, t->server->cred);
}

static int
query_response(struct poll *p, struct target *t, struct aiops_ingest *ing,
    const struct aiops_http_response *r)
{
	struct aiops_promapi_result res;
	int rc;

	(void)p;
	rc = aiops_promapi_emit(ing, r->body.data, r->body.len, item_str(t->conf, "name"),
	    t->cluster, &res);
	if (rc == 1)
		return fail(t, "Prometheus answered %s", res.error);
	if (rc == -1)
		return fail(t, "a malformed answer: %s", ing->err);
	if (res.warnings > 0)
		log_warnx("%s: Prometheus warns: %s", t->key, res.warning);
	t->events += res.events;
	return 0;
}

/* The error a Prometheus server gives with a 4xx or 5xx, when its body says it. */
static void
query_error(struct target *t, struct aiops_ingest *ing, const struct aiops_http_response *r)
{
	struct aiops_promapi_result res;

	if (r->status >= 400 && r->body.len > 0 &&
	    aiops_promapi_emit(ing, r->body.data, r->body.len, NULL, NULL, &res) == 1)
		fail(t, "HTTP %ld: Prometheus answered %s", r->status, res.error);
}

static const struct kind kind_query = {
	.name = "query", .key = "queries", .source = "promql",
	.load = query_load, .request = query_request, .response = query_response,
};

/* ---- /metrics scrapes ---- */

static const char *const scrape_keys[] = { "url", "host", "cluster", "credentials",
	"insecure", NULL };
static const struct kind kind_scrape;

static int
scrape_load(struct poll *p, const json_t *item, size_t i)
{
	struct target *t;

	if (check_keys(p, "scrapes", i, item, scrape_keys) == -1 ||
	    need(p, "scrapes", i, item, "url") == -1 ||
	    check_url(p, "scrapes", i, item_str(item, "url")) == -1)
		return -1;
	t = target_add(p, &kind_scrape, item, "scrape %s", item_str(item, "url"));
	if (item_bool(item, "insecure") == 1)
		t->flags |= AIOPS_HTTP_NO_VERIFY;
	return 0;
}

static int
scrape_request(struct poll *p, struct target *t)
{
	(void)p;
	bufstr(&t->url, item_str(t->conf, "url"));
	target_header(t, "Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1", 0);
	return target_auth(t, item_str(t->conf, "credentials"));
}

struct skips {
	unsigned long	 n;
	char		 first[256];
};

static int
count_skip(void *arg, const char *name, unsigned long line, const char *why)
{
	struct skips *s = arg;

	(void)name;
	if (s->n++ == 0)
		snprintf(s->first, sizeof(s->first), "line %lu: %s", line, why);
	return 0;
}

/* Feeds body to format fmt line by line; bad lines counted in *sk. */
static void
feed_lines(struct aiops_ingest *ing, const struct aiops_format *fmt, const char *name,
    const char *body, size_t len, struct skips *sk)
{
	struct aiops_input in;
	const char *q = body, *end = body + len, *nl;
	unsigned long lineno = 0;

	ing->skip = count_skip;
	ing->skip_arg = sk;
	aiops_input_init(&in, fmt, name);
	while (q < end) {
		if ((nl = memchr(q, '\n', (size_t)(end - q))) == NULL)
			nl = end;
		(void)aiops_input_line(ing, &in, q, (size_t)(nl - q), ++lineno);
		q = nl + 1;
	}
	(void)aiops_input_finish(ing, &in);
}

static int
scrape_response(struct poll *p, struct target *t, struct aiops_ingest *ing,
    const struct aiops_http_response *r)
{
	struct skips sk;
	unsigned long before = ing->nevents;

	(void)p;
	memset(&sk, 0, sizeof(sk));
	feed_lines(ing, aiops_format_find("prometheus"), t->key, r->body.data, r->body.len, &sk);
	t->events += ing->nevents - before;
	if (sk.n > 0)
		log_warnx("%s: %lu line%s skipped, the first at %s", t->key, sk.n,
		    sk.n == 1 ? "" : "s", sk.first);
	return 0;
}

static const struct kind kind_scrape = {
	.name = "scrape", .key = "scrapes", .source = "prometheus",
	.load = scrape_load, .request = scrape_request, .response = scrape_response,
};

/* ---- Datadog logs search ---- */

static const char *const dd_keys[] = { "name", "site", "url", "query", "from", "to", "indexes",
	"api_key_file", "app_key_file", "limit", "pages", "host", "cluster", NULL };
static const struct kind kind_datadog;

static int
dd_load(struct poll *p, const json_t *item, size_t i)
{
	const char *url = item_str(item, "url");

	if (check_keys(p, "datadog", i, item, dd_keys) == -1 ||
	    need(p, "datadog", i, item, "query") == -1 ||
	    need(p, "datadog", i, item, "api_key_file") == -1 ||
	    need(p, "datadog", i, item, "app_key_file") == -1 ||
	    (url != NULL && check_url(p, "datadog", i, url) == -1))
		return -1;
	if (url != NULL && item_str(item, "site") != NULL)
		return conf_error(p, "datadog", i, "site and url: give one");
	(void)target_add(p, &kind_datadog, item, "datadog %s",
	    item_str(item, "name") ? item_str(item, "name") : item_str(item, "query"));
	return 0;
}

static int
dd_request(struct poll *p, struct target *t)
{
	const char *url = item_str(t->conf, "url"), *site = item_str(t->conf, "site");
	json_t *body, *filter, *page, *idx = json_object_get(t->conf, "indexes");
	json_int_t limit = item_int(t->conf, "limit");
	char key[SECRET_MAX], *s, fbuf[32], tbuf[32];
	int64_t from, to;

	if (url != NULL)
		base_url(t, url);
	else {
		bufstr(&t->url, "https://api.");
		bufstr(&t->url, site != NULL ? site : "datadoghq.com");
	}
	bufstr(&t->url, "/api/v2/logs/events/search");
	if (read_secret(t, item_str(t->conf, "api_key_file"), key, sizeof(key)) == -1)
		return -1;
	target_header(t, "DD-API-KEY", key, 1);
	explicit_bzero(key, sizeof(key));
	if (read_secret(t, item_str(t->conf, "app_key_file"), key, sizeof(key)) == -1)
		return -1;
	target_header(t, "DD-APPLICATION-KEY", key, 1);
	explicit_bzero(key, sizeof(key));
	target_header(t, "Content-Type", "application/json", 0);
	log_window(p, t, item_str(t->conf, "to"), &from, &to);
	if (from > 0) {
		snprintf(fbuf, sizeof(fbuf), "%lld", (long long)(from / 1000000));
		snprintf(tbuf, sizeof(tbuf), "%lld", (long long)(to / 1000000));
	}
	filter = json_pack("{s:s, s:s, s:s}", "query", item_str(t->conf, "query"),
	    "from", from > 0 ? fbuf : item_str(t->conf, "from") ? item_str(t->conf, "from") :
	    "now-15m", "to", from > 0 ? tbuf : item_str(t->conf, "to") ?
	    item_str(t->conf, "to") : "now");
	if (idx != NULL)
		json_object_set(filter, "indexes", idx);
	page = json_pack("{s:I}", "limit", limit > 0 ? limit : (json_int_t)DD_PAGE_LIMIT);
	if (t->cursor != NULL)
		json_object_set_new(page, "cursor", json_string(t->cursor));
	body = json_pack("{s:o, s:o, s:s}", "filter", filter, "page", page, "sort", "timestamp");
	s = json_dumps(body, JSON_COMPACT);
	bufstr(&t->body, s);
	free(s);
	json_decref(body);
	t->capture[0] = "X-RateLimit-Reset";
	return 0;
}

/* The level of a Datadog status or a Splunk level word; "info" when none. */
static const char *
severity_of(const char *s)
{
	int level;

	if (s == NULL)
		return "info";
	if (strcmp(s, "ok") == 0 || strcmp(s, "success") == 0)
		return "info";
	level = aiops_severity_parse(s, strlen(s));
	return level >= 0 ? aiops_severity_name(level) : "info";
}

static int
dd_response(struct poll *p, struct target *t, struct aiops_ingest *ing,
    const struct aiops_http_response *r)
{
	json_error_t e;
	json_t *doc, *data, *d, *a;
	const char *after;
	json_int_t pages = item_int(t->conf, "pages");
	size_t i;

	(void)p;
	if ((doc = json_loadb(r->body.data, r->body.len, 0, &e)) == NULL)
		return fail(t, "a malformed answer: not JSON: %s at line %d", e.text, e.line);
	data = json_object_get(doc, "data");
	if (!json_is_array(data)) {
		json_decref(doc);
		return fail(t, "a malformed answer: no \"data\" array");
	}
	json_array_foreach(data, i, d) {
		if (!json_is_object(json_object_get(d, "attributes"))) {
			json_decref(doc);
			return fail(t, "a malformed answer: data[%zu] has no attributes", i);
		}
	}
	json_array_foreach(data, i, d) {
		struct aiops_logrec rec;
		json_t *fields = json_object();
		const char *ts, *id = item_str(d, "id");

		a = json_object_get(d, "attributes");
		aiops_logrec_init(&rec);
		if ((ts = item_str(a, "timestamp")) != NULL &&
		    aiops_time_parse(ts, strlen(ts), &rec.ts) == 0)
			rec.has_ts = 1;
		rec.message = item_str(a, "message") ? item_str(a, "message") : "";
		rec.mlen = strlen(rec.message);
		if ((rec.host = item_str(a, "host")) != NULL)
			rec.hlen = strlen(rec.host);
		if ((rec.service = item_str(a, "service")) != NULL)
			rec.slen = strlen(rec.service);
		rec.severity = severity_of(item_str(a, "status"));
		if (id != NULL)
			json_object_set_new(fields, "id", json_string(id));
		if (json_object_get(a, "tags") != NULL)
			json_object_set(fields, "tags", json_object_get(a, "tags"));
		if (json_is_object(json_object_get(a, "attributes")))
			json_object_set(fields, "attributes", json_object_get(a, "attributes"));
		rec.fields = fields;
		aiops_logrec_emit(ing, &rec, aiops_ingest_source(ing, "datadog"));
		json_decref(fields);
		t->events++;
	}
	after = json_string_value(json_object_get(json_object_get(json_object_get(doc, "meta"),
	    "page"), "after"));
	free(t->cursor);
	t->cursor = after != NULL && *after != '\0' ? xstrdup(after) : NULL;
	json_decref(doc);
	if (t->cursor == NULL)
		return 0;
	if (t->page >= (pages > 0 ? pages : DD_PAGES)) {
		log_warnx("%s: stopped after %d pages (pages); more logs match", t->key, t->page);
		return 0;
	}
	return 1;
}

static const struct kind kind_datadog = {
	.name = "datadog", .key = "datadog", .source = "datadog",
	.load = dd_load, .request = dd_request, .response = dd_response,
};

/* ---- Splunk search export ---- */

static const char *const splunk_keys[] = { "name", "url", "search", "earliest", "latest",
	"token_file", "auth", "host", "cluster", "insecure", NULL };
static const struct kind kind_splunk;

static int
splunk_load(struct poll *p, const json_t *item, size_t i)
{
	const char *auth = item_str(item, "auth");
	struct target *t;

	if (check_keys(p, "splunk", i, item, splunk_keys) == -1 ||
	    need(p, "splunk", i, item, "url") == -1 ||
	    need(p, "splunk", i, item, "search") == -1 ||
	    need(p, "splunk", i, item, "token_file") == -1 ||
	    check_url(p, "splunk", i, item_str(item, "url")) == -1)
		return -1;
	if (auth != NULL && strcmp(auth, "bearer") != 0 && strcmp(auth, "splunk") != 0)
		return conf_error(p, "splunk", i, "auth: bearer or splunk, got \"%s\"", auth);
	t = target_add(p, &kind_splunk, item, "splunk %s",
	    item_str(item, "name") ? item_str(item, "name") : item_str(item, "search"));
	if (item_bool(item, "insecure") == 1)
		t->flags |= AIOPS_HTTP_NO_VERIFY;
	return 0;
}

static int
splunk_request(struct poll *p, struct target *t)
{
	const char *search = item_str(t->conf, "search"), *auth = item_str(t->conf, "auth");
	const char *earliest = item_str(t->conf, "earliest"), *latest = item_str(t->conf, "latest");
	char tok[SECRET_MAX], *v, fbuf[32], tbuf[32];
	int64_t from, to;

	log_window(p, t, latest, &from, &to);
	if (from > 0) {
		snprintf(fbuf, sizeof(fbuf), "%.3f", (double)from / AIOPS_NS_PER_SEC);
		snprintf(tbuf, sizeof(tbuf), "%.3f", (double)to / AIOPS_NS_PER_SEC);
		earliest = fbuf;
		latest = tbuf;
	}
	base_url(t, item_str(t->conf, "url"));
	bufstr(&t->url, "/services/search/jobs/export");
	if (read_secret(t, item_str(t->conf, "token_file"), tok, sizeof(tok)) == -1)
		return -1;
	xasprintf(&v, "%s %s", auth != NULL && strcmp(auth, "splunk") == 0 ? "Splunk" : "Bearer",
	    tok);
	explicit_bzero(tok, sizeof(tok));
	target_header(t, "Authorization", v, 1);
	explicit_bzero(v, strlen(v));
	free(v);
	target_header(t, "Content-Type", "application/x-www-form-urlencoded", 0);
	bufstr(&t->body, "search=");
	/* A search that does not start with a command is a "search" one. */
	if (strncmp(search, "search ", 7) != 0 && search[0] != '|')
		bufstr(&t->body, "search%20");
	urlenc(&t->body, search);
	bufstr(&t->body, "&output_mode=json");
	bufstr(&t->body, "&earliest_time=");
	urlenc(&t->body, earliest != NULL ? earliest : "-15m");
	bufstr(&t->body, "&latest_time=");
	urlenc(&t->body, latest != NULL ? latest : "now");
	return 0;
}

/* One result of the export: a log event. */
static void
splunk_result(struct aiops_ingest *ing, const json_t *res)
{
	static const char *const known[] = { "_time", "_raw", "host", "source", "sourcetype",
		"log_level", "level", "severity", NULL };
	struct aiops_logrec rec;
	json_t *fields = json_object(), *v;
	const char *k, *tm, *lvl;
	size_t j;

	aiops_logrec_init(&rec);
	if ((tm = item_str(res, "_time")) != NULL &&
	    (aiops_time_parse(tm, strlen(tm), &rec.ts) == 0 ||
	    aiops_logtime_parse(tm, strlen(tm), aiops_ingest_now(ing), 0, &rec.ts) == 0))
		rec.has_ts = 1;
	rec.message = item_str(res, "_raw") ? item_str(res, "_raw") : "";
	rec.mlen = strlen(rec.message);
	if ((rec.host = item_str(res, "host")) != NULL)
		rec.hlen = strlen(rec.host);
	if ((rec.service = item_str(res, "sourcetype")) != NULL)
		rec.slen = strlen(rec.service);
	lvl = item_str(res, "log_level") ? item_str(res, "log_level") :
	    item_str(res, "level") ? item_str(res, "level") : item_str(res, "severity");
	rec.severity = lvl != NULL ? severity_of(lvl) :
	    aiops_logrec_guess_severity(rec.message, rec.mlen);
	json_object_foreach((json_t *)res, k, v) {
		for (j = 0; known[j] != NULL && strcmp(known[j], k) != 0; j++)
			;
		if (known[j] == NULL || strcmp(k, "source") == 0)
			json_object_set(fields, k, v);
	}
	rec.fields = fields;
	aiops_logrec_emit(ing, &rec, aiops_ingest_source(ing, "splunk"));
	json_decref(fields);
}

static int
splunk_response(struct poll *p, struct target *t, struct aiops_ingest *ing,
    const struct aiops_http_response *r)
{
	const char *q = r->body.data, *end = q + r->body.len, *nl;
	unsigned long lineno = 0, bad = 0;
	char first[256] = "";
	json_error_t e;
	json_t *doc, *res, *msgs, *m;
	size_t i;

	(void)p;
	while (q < end) {
		if ((nl = memchr(q, '\n', (size_t)(end - q))) == NULL)
			nl = end;
		lineno++;
		if (nl - q > 0 && strspn(q, " \t\r") < (size_t)(nl - q)) {
			doc = json_loadb(q, (size_t)(nl - q), 0, &e);
			if (doc == NULL || !json_is_object(doc)) {
				if (bad++ == 0)
					snprintf(first, sizeof(first), "line %lu: %s", lineno,
					    doc == NULL ? e.text : "not an object");
			} else if (json_is_object(res = json_object_get(doc, "result"))) {
				splunk_result(ing, res);
				t->events++;
			} else if (json_is_array(msgs = json_object_get(doc, "messages"))) {
				json_array_foreach(msgs, i, m) {
					const char *type = item_str(m, "type");

					if (type != NULL && (strcmp(type, "ERROR") == 0 ||
					    strcmp(type, "FATAL") == 0)) {
						fail(t, "Splunk answered %s: %s", type,
						    item_str(m, "text") ? item_str(m, "text") : "");
					}
				}
			}
			json_decref(doc);
		}
		q = nl + 1;
	}
	if (bad > 0 && !t->failed)
		return fail(t, "a malformed answer: %lu line%s not JSON objects, the first at %s",
		    bad, bad == 1 ? "" : "s", first);
	return t->failed ? -1 : 0;
}

static const struct kind kind_splunk = {
	.name = "splunk", .key = "splunk", .source = "splunk",
	.load = splunk_load, .request = splunk_request, .response = splunk_response,
};

/*
 * ---- SNMP agents, local nvidia-smi, Redfish services ----
 *
 * SNMP (lib/ingest/snmppoll.h) and Redfish (lib/ingest/rfpoll.h) targets
 * are polled together, every due one at once, by batch_prepare() before
 * the round's run() calls; each run() then writes its own target's
 * answers. An item of ingest.pollers.snmp or .redfish without an address
 * or URL stands for every registered cluster's agent or service, with the
 * cluster's credential file. nvidia-smi runs in run() itself.
 */

static const struct kind kind_snmp, kind_nvsmi, kind_redfish;
static struct sched *sched_of(struct poll *p, const char *key);

static const char *const snmp_keys[] = { "name", "address", "version", "community_file",
	"user", "auth_protocol", "auth_passphrase_file", "priv_protocol", "priv_passphrase_file",
	"context", "get", "walk", "timeout", "retries", "max_repetitions", "host", "cluster", NULL };
static const char *const nvsmi_keys[] = { "name", "command", "timeout", "host", "cluster", NULL };
static const char *const rf_keys[] = { "name", "url", "credentials", "insecure", "ca_file",
	"timeout", "host", "cluster", NULL };

/* The default walks of an SNMP item naming no OID: system, ifTable, ifXTable, hrStorage. */
static const char *const snmp_default_walks[] = {
	"1.3.6.1.2.1.1", "1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1", "1.3.6.1.2.1.25.2.3",
};
static const char *const nvsmi_query =
    "index,name,uuid,pci.bus_id,utilization.gpu,utilization.memory,memory.used,memory.total,"
    "memory.free,temperature.gpu,power.draw,power.limit,fan.speed,"
    "ecc.errors.corrected.volatile.total,ecc.errors.uncorrected.volatile.total";

/* Registry endpoints of this round's targets (struct server, owned here). */
static struct server *reg_servers;
static size_t nreg_servers, reg_cap;

/* Per target index, what batch_prepare() got for it. */
struct batch {
	int				 polled;
	struct aiops_snmp_target	 snmp;
	struct aiops_snmp_result	 snmp_r;
	const char			*oids[64];
	char				 community[SECRET_MAX];
	char				 authpass[SECRET_MAX], privpass[SECRET_MAX];
	struct aiops_redfish_target	 rf;
	struct aiops_redfish_result	 rf_r;
	struct aiops_http_header	 rfh;
	char				*rfauth;
	char				 rfwhy[AIOPS_HTTP_ERRSZ];
};
static struct batch *batches;
static size_t nbatches;

static int
item_true(const json_t *item, const char *k)
{
	const json_t *v = json_object_get(item, k);

	return json_is_true(v) || (json_is_string(v) && strcmp(json_string_value(v), "true") == 0);
}

static long
item_long(const json_t *item, const char *k, long def)
{
	const json_t *v = json_object_get(item, k);

	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (json_is_string(v))
		return strtol(json_string_value(v), NULL, 10);
	return def;
}

static int64_t
item_duration(const json_t *item, const char *k, int64_t def)
{
	int64_t ns;
	const char *s = item_str(item, k);

	if (s == NULL || aiops_duration_parse(s, &ns) == -1 || ns <= 0)
		return def;
	return ns;
}

static const struct server *
reg_server_add(const char *cluster, const char *endpoint, const char *cred, int insecure)
{
	struct server *s;

	if (nreg_servers == reg_cap) {
		/* Targets point into the array: it never moves within a round. */
		return NULL;
	}
	s = &reg_servers[nreg_servers++];
	s->cluster = xstrdup(cluster);
	s->url = xstrdup(endpoint);
	s->cred = cred != NULL ? xstrdup(cred) : NULL;
	s->insecure = insecure;
	return s;
}

/* Adds a target of kind k per registered cluster with endpoint ep; item is its config. */
static void
registry_targets(struct poll *p, const struct kind *k, const json_t *item, const char *ep)
{
	struct aiops_cluster_list l;
	size_t i;

	if (p->state == NULL || !p->plan.clusters)
		return;
	if (aiops_cluster_list(p->state, NULL, &l) == -1) {
		log_warnx("%s: reading the cluster registry: %s", aiops_state_path(p->state),
		    aiops_state_errmsg(p->state));
		return;
	}
	if (reg_servers == NULL) {
		reg_cap = 4096;
		reg_servers = xcalloc(reg_cap, sizeof(*reg_servers));
	}
	for (i = 0; i < l.n; i++) {
		json_t *eps = json_loads(l.v[i].endpoints ? l.v[i].endpoints : "{}", 0, NULL);
		json_t *creds = json_loads(l.v[i].credentials ? l.v[i].credentials : "{}", 0, NULL);
		const char *where = item_str(eps, ep);
		const struct server *s;
		struct target *t;

		if (where != NULL && *where != '\0' &&
		    (s = reg_server_add(l.v[i].name, where, item_str(creds, ep),
		    json_is_true(json_object_get(eps, "insecure")))) != NULL) {
			t = target_add(p, k, item, "%s %s%s%s of cluster %s", k->name,
			    item_str(item, "name") ? item_str(item, "name") : "",
			    item_str(item, "name") ? " on " : "", where, s->cluster);
			t->server = s;
			t->cluster = s->cluster;
		}
		json_decref(eps);
		json_decref(creds);
	}
	aiops_cluster_list_release(&l);
}

static int
snmp_load(struct poll *p, const json_t *item, size_t i)
{
	const char *v = item_str(item, "version"), *addr = item_str(item, "address");
	int64_t ns;

	if (check_keys(p, "snmp", i, item, snmp_keys) == -1 ||
	    check_duration(p, "snmp", i, item, "timeout", &ns) == -1)
		return -1;
	if (v != NULL && strcmp(v, "2c") != 0 && strcmp(v, "3") != 0)
		return conf_error(p, "snmp", i, "version: 2c or 3, got \"%s\"", v);
	if (v != NULL && strcmp(v, "3") == 0) {
		if (need(p, "snmp", i, item, "user") == -1)
			return -1;
		if (item_str(item, "priv_protocol") != NULL && item_str(item, "auth_protocol") == NULL)
			return conf_error(p, "snmp", i, "priv_protocol: needs auth_protocol");
		if (item_str(item, "auth_protocol") != NULL &&
		    item_str(item, "auth_passphrase_file") == NULL)
			return conf_error(p, "snmp", i, "auth_passphrase_file: required with "
			    "auth_protocol");
		if (item_str(item, "priv_protocol") != NULL &&
		    item_str(item, "priv_passphrase_file") == NULL)
			return conf_error(p, "snmp", i, "priv_passphrase_file: required with "
			    "priv_protocol");
		if (item_str(item, "community_file") != NULL)
			return conf_error(p, "snmp", i, "community_file: SNMPv2c only");
	} else {
		static const char *const v3only[] = { "user", "auth_protocol",
			"auth_passphrase_file", "priv_protocol", "priv_passphrase_file", "context" };
		size_t k;

		for (k = 0; k < sizeof(v3only) / sizeof(v3only[0]); k++)
			if (item_str(item, v3only[k]) != NULL)
				return conf_error(p, "snmp", i, "%s: SNMPv3 only (version: 3)", v3only[k]);
		if (addr != NULL && item_str(item, "community_file") == NULL)
			return conf_error(p, "snmp", i, "community_file: required (a file, mode 0600, "
			    "holding the community)");
	}
	{
		/* The protocols, as net-snmp knows them. */
		struct aiops_snmp_target st;
		const char *one = "1.3.6";
		char err[256];

		memset(&st, 0, sizeof(st));
		st.peer = "x";
		st.version = 3;
		st.user = "x";
		st.auth_proto = item_str(item, "auth_protocol");
		st.priv_proto = item_str(item, "priv_protocol");
		st.auth_pass = st.priv_pass = "xxxxxxxx";
		st.get = &one;
		st.nget = 1;
		if (v != NULL && strcmp(v, "3") == 0 && aiops_snmp_check(&st, err, sizeof(err)) == -1)
			return conf_error(p, "snmp", i, "%s", err);
	}
	if (addr != NULL) {
		if (strpbrk(addr, " \t\r\n/@") != NULL)
			return conf_error(p, "snmp", i, "address: host or host:port, got \"%s\"", addr);
		target_add(p, &kind_snmp, item, "snmp %s%s%s", item_str(item, "name") ?
		    item_str(item, "name") : "", item_str(item, "name") ? " on " : "", addr);
	} else
		registry_targets(p, &kind_snmp, item, "snmp");
	return 0;
}

static int
nvsmi_load(struct poll *p, const json_t *item, size_t i)
{
	int64_t ns;

	if (check_keys(p, "nvidia_smi", i, item, nvsmi_keys) == -1 ||
	    check_duration(p, "nvidia_smi", i, item, "timeout", &ns) == -1)
		return -1;
	target_add(p, &kind_nvsmi, item, "nvidia-smi%s%s", item_str(item, "name") ? " " : "",
	    item_str(item, "name") ? item_str(item, "name") : "");
	return 0;
}

static int
rf_load(struct poll *p, const json_t *item, size_t i)
{
	const char *url = item_str(item, "url");
	int64_t ns;

	if (check_keys(p, "redfish", i, item, rf_keys) == -1 ||
	    check_duration(p, "redfish", i, item, "timeout", &ns) == -1)
		return -1;
	if (url != NULL) {
		if (check_url(p, "redfish", i, url) == -1)
			return -1;
		target_add(p, &kind_redfish, item, "redfish %s", url);
	} else
		registry_targets(p, &kind_redfish, item, "redfish");
	return 0;
}

/* The host part of host:port, [v6]:port or a URL's authority, into buf. */
static const char *
host_of(const char *s, char *buf, size_t size)
{
	const char *a = strstr(s, "://"), *e;

	a = a != NULL ? a + 3 : s;
	if (strncmp(a, "udp:", 4) == 0 || strncmp(a, "tcp:", 4) == 0)
		a += 4;
	if (*a == '[') {
		e = strchr(++a, ']');
		e = e != NULL ? e : a + strlen(a);
	} else
		e = a + strcspn(a, ":/?#");
	snprintf(buf, size, "%.*s", (int)(e - a), a);
	return buf;
}

/* Reads a secret named by key of t's item (or file) into buf; -1 with t failed. */
static int
batch_secret(struct target *t, const char *file, char *buf, size_t size)
{
	if (file == NULL)
		return fail(t, "no credential file");
	return read_secret(t, file, buf, size);
}

static void
batch_snmp_setup(struct poll *p, struct target *t, struct batch *b)
{
	const json_t *item = t->conf;
	const char *v = item_str(item, "version");
	struct aiops_snmp_target *s = &b->snmp;
	json_t *e;
	size_t n = 0, k;

	memset(s, 0, sizeof(*s));
	s->peer = t->server != NULL ? t->server->url : item_str(item, "address");
	s->timeout_ms = item_duration(item, "timeout", p->plan.timeout) / 1000000;
	s->retries = (int)item_long(item, "retries", AIOPS_SNMP_RETRIES);
	s->max_repetitions = (int)item_long(item, "max_repetitions", AIOPS_SNMP_REPETITIONS);
	json_array_foreach(json_object_get(item, "get"), k, e)
		b->oids[n++] = json_string_value(e);
	s->get = b->oids;
	s->nget = n;
	json_array_foreach(json_object_get(item, "walk"), k, e)
		b->oids[n++] = json_string_value(e);
	s->walk = b->oids + s->nget;
	s->nwalk = n - s->nget;
	if (n == 0) {
		s->walk = snmp_default_walks;
		s->nwalk = sizeof(snmp_default_walks) / sizeof(snmp_default_walks[0]);
	}
	if (v != NULL && strcmp(v, "3") == 0) {
		s->version = 3;
		s->user = item_str(item, "user");
		s->context = item_str(item, "context");
		if ((s->auth_proto = item_str(item, "auth_protocol")) != NULL) {
			if (batch_secret(t, item_str(item, "auth_passphrase_file"), b->authpass,
			    sizeof(b->authpass)) == -1)
				return;
			s->auth_pass = b->authpass;
		}
		if ((s->priv_proto = item_str(item, "priv_protocol")) != NULL) {
			if (batch_secret(t, item_str(item, "priv_passphrase_file"), b->privpass,
			    sizeof(b->privpass)) == -1)
				return;
			s->priv_pass = b->privpass;
		}
	} else {
		const char *file = item_str(item, "community_file");

		s->version = 2;
		if (t->server != NULL && t->server->cred != NULL)
			file = t->server->cred;
		if (batch_secret(t, file, b->community, sizeof(b->community)) == -1)
			return;
		s->community = b->community;
	}
	b->polled = 1;
}

static void
batch_rf_setup(struct poll *p, struct target *t, struct batch *b)
{
	const json_t *item = t->conf;
	struct aiops_redfish_target *r = &b->rf;
	const char *cred = t->server != NULL && t->server->cred != NULL ? t->server->cred :
	    item_str(item, "credentials");

	memset(r, 0, sizeof(*r));
	r->url = t->server != NULL ? t->server->url : item_str(item, "url");
	r->timeout_ms = item_duration(item, "timeout", p->plan.timeout) / 1000000;
	r->max_body = p->plan.max_body;
	r->ca_file = item_str(item, "ca_file");
	if (item_true(item, "insecure") || (t->server != NULL && t->server->insecure))
		r->flags |= AIOPS_HTTP_NO_VERIFY;
	if (cred != NULL) {
		char buf[SECRET_MAX], *colon;

		if (read_secret(t, cred, buf, sizeof(buf)) == -1)
			return;
		if ((colon = strchr(buf, ':')) != NULL) {
			*colon = '\0';
			b->rfauth = aiops_http_basic_auth(buf, colon + 1);
			b->rfh.name = "Authorization";
		} else {
			b->rfauth = xstrdup(buf);	/* a session's token */
			b->rfh.name = "X-Auth-Token";
		}
		explicit_bzero(buf, sizeof(buf));
		b->rfh.value = b->rfauth;
		b->rfh.secret = 1;
		r->headers = &b->rfh;
		r->nheaders = 1;
	}
	b->polled = 1;
}

/* Polls every due SNMP and Redfish target at once; run() writes their answers. */
static void
batch_prepare(struct poll *p, int64_t now)
{
	struct aiops_snmp_target *st;
	struct aiops_snmp_result *sr;
	struct aiops_redfish_target *rt;
	struct aiops_redfish_result *rr;
	size_t i, ns = 0, nr = 0, *si, *ri;

	nbatches = p->ntargets;
	batches = xcalloc(nbatches + 1, sizeof(*batches));
	si = xcalloc(nbatches + 1, sizeof(*si));
	ri = xcalloc(nbatches + 1, sizeof(*ri));
	for (i = 0; i < p->ntargets; i++) {
		struct target *t = &p->targets[i];

		if ((t->kind != &kind_snmp && t->kind != &kind_redfish) ||
		    sched_of(p, t->key)->next_at > now)
			continue;
		if (t->kind == &kind_snmp) {
			batch_snmp_setup(p, t, &batches[i]);
			if (batches[i].polled)
				si[ns++] = i;
		} else {
			batch_rf_setup(p, t, &batches[i]);
			if (batches[i].polled)
				ri[nr++] = i;
		}
		if (t->failed) {	/* a credential file: run() says so */
			snprintf(batches[i].rfwhy, sizeof(batches[i].rfwhy), "%s", t->why);
			t->failed = 0;
		}
	}
	if (ns > 0) {
		st = xcalloc(ns, sizeof(*st));
		sr = xcalloc(ns, sizeof(*sr));
		for (i = 0; i < ns; i++)
			st[i] = batches[si[i]].snmp;
		(void)aiops_snmp_poll(st, sr, ns);
		for (i = 0; i < ns; i++) {
			batches[si[i]].snmp_r = sr[i];
			explicit_bzero(batches[si[i]].community, sizeof(batches[si[i]].community));
			explicit_bzero(batches[si[i]].authpass, sizeof(batches[si[i]].authpass));
			explicit_bzero(batches[si[i]].privpass, sizeof(batches[si[i]].privpass));
		}
		free(st);
		free(sr);
	}
	if (nr > 0) {
		rt = xcalloc(nr, sizeof(*rt));
		rr = xcalloc(nr, sizeof(*rr));
		for (i = 0; i < nr; i++)
			rt[i] = batches[ri[i]].rf;
		(void)aiops_redfish_poll(p->http, rt, rr, nr, p->plan.parallel);
		for (i = 0; i < nr; i++) {
			struct batch *b = &batches[ri[i]];

			b->rf_r = rr[i];
			if (b->rfauth != NULL) {
				explicit_bzero(b->rfauth, strlen(b->rfauth));
				free(b->rfauth);
				b->rfauth = NULL;
			}
		}
		free(rt);
		free(rr);
	}
	free(si);
	free(ri);
}

static void
batch_release(void)
{
	size_t i;

	for (i = 0; i < nbatches; i++) {
		aiops_snmp_result_release(&batches[i].snmp_r);
		aiops_redfish_result_release(&batches[i].rf_r);
		if (batches[i].rfauth != NULL) {
			explicit_bzero(batches[i].rfauth, strlen(batches[i].rfauth));
			free(batches[i].rfauth);
		}
	}
	free(batches);
	batches = NULL;
	nbatches = 0;
	for (i = 0; i < nreg_servers; i++) {
		free(reg_servers[i].cluster);
		free(reg_servers[i].url);
		free(reg_servers[i].cred);
	}
	free(reg_servers);
	reg_servers = NULL;
	nreg_servers = reg_cap = 0;
}

static struct batch *
batch_of(struct poll *p, struct target *t)
{
	size_t i = (size_t)(t - p->targets);

	return i < nbatches ? &batches[i] : NULL;
}

static int
snmp_run(struct poll *p, struct target *t, struct aiops_ingest *ing)
{
	struct batch *b = batch_of(p, t);
	struct aiops_ingest_opts *o = (struct aiops_ingest_opts *)ing->opts;
	char host[256];
	struct skips sk;
	unsigned long before = ing->nevents;

	if (b == NULL || b->rfwhy[0] != '\0')
		return fail(t, "%s", b != NULL ? b->rfwhy : "not polled");
	if (!b->polled)
		return fail(t, "not polled");
	/* The host: the item's, else the agent's sysName.0 when polled, else its address. */
	if (o->host == NULL && strstr(b->snmp_r.text.data ? b->snmp_r.text.data : "",
	    ".1.3.6.1.2.1.1.5.0 = STRING") == NULL)
		o->host = host_of(b->snmp.peer, host, sizeof(host));
	memset(&sk, 0, sizeof(sk));
	feed_lines(ing, aiops_format_find("snmp"), t->key, b->snmp_r.text.data ?
	    b->snmp_r.text.data : "", b->snmp_r.text.len, &sk);
	t->events += ing->nevents - before;
	if (sk.n > 0)
		log_warnx("%s: %lu binding%s not read, the first at %s", t->key, sk.n,
		    sk.n == 1 ? "" : "s", sk.first);
	if (b->snmp_r.failed)
		return fail(t, "%s", b->snmp_r.err);
	return 0;
}

static int
rf_run(struct poll *p, struct target *t, struct aiops_ingest *ing)
{
	struct batch *b = batch_of(p, t);
	struct aiops_ingest_opts *o = (struct aiops_ingest_opts *)ing->opts;
	char host[256];
	unsigned long before = ing->nevents;

	if (b == NULL || b->rfwhy[0] != '\0')
		return fail(t, "%s", b != NULL ? b->rfwhy : "not polled");
	if (!b->polled)
		return fail(t, "not polled");
	if (o->host == NULL)
		o->host = host_of(b->rf.url, host, sizeof(host));
	if (aiops_redfish_result_emit(ing, &b->rf_r) == -1)
		log_warnx("%s: a resource not read: %s", t->key, ing->err);
	t->events += ing->nevents - before;
	if (b->rf_r.failed)
		return fail(t, "%s", b->rf_r.err);
	return 0;
}

/* nvidia-smi on PATH, into buf; NULL when there is none. */
static const char *
nvsmi_on_path(char *buf, size_t size)
{
	const char *path = getenv("PATH"), *q;

	for (q = path; q != NULL && *q != '\0'; q += *q == ':') {
		size_t n = strcspn(q, ":");

		if (n > 0 && (size_t)snprintf(buf, size, "%.*s/nvidia-smi", (int)n, q) < size &&
		    access(buf, X_OK) == 0)
			return buf;
		q += n;
	}
	return NULL;
}

static int
nvsmi_run(struct poll *p, struct target *t, struct aiops_ingest *ing)
{
	const char *cmd = item_str(t->conf, "command");
	char found[4096], query[1024], err[512], *argv[4];
	struct aiops_proc_opts po;
	struct aiops_proc_result r;
	struct skips sk;
	unsigned long before = ing->nevents;

	if (cmd == NULL && (cmd = nvsmi_on_path(found, sizeof(found))) == NULL) {
		if (p->cli.verbosity > 0)
			log_info("%s: no nvidia-smi on PATH: skipped", t->key);
		return 0;
	}
	snprintf(query, sizeof(query), "--query-gpu=%s", nvsmi_query);
	argv[0] = (char *)cmd;
	argv[1] = query;
	argv[2] = (char *)"--format=csv,nounits";
	argv[3] = NULL;
	memset(&po, 0, sizeof(po));
	po.timeout_ns = item_duration(t->conf, "timeout", p->plan.timeout);
	po.grace_ns = AIOPS_NS_PER_SEC;
	memset(&r, 0, sizeof(r));
	if (aiops_proc_run(argv, &po, &r, err, sizeof(err)) == -1)
		return fail(t, "%s", err);
	if (r.timed_out || r.exit_status != 0) {
		char last[256];
		size_t n = r.len;

		while (n > 0 && (r.output[n - 1] == '\n' || r.output[n - 1] == '\r'))
			n--;
		{
			size_t s = n;

			while (s > 0 && r.output[s - 1] != '\n')
				s--;
			snprintf(last, sizeof(last), "%.*s", (int)(n - s), r.output + s);
		}
		if (r.timed_out)
			fail(t, "%s: no answer in %.0fs: killed", cmd,
			    (double)po.timeout_ns / AIOPS_NS_PER_SEC);
		else if (r.signal != 0)
			fail(t, "%s: killed by signal %d", cmd, r.signal);
		else
			fail(t, "%s: exit status %d%s%s", cmd, r.exit_status, last[0] ? ": " : "",
			    last);
		free(r.output);
		return -1;
	}
	memset(&sk, 0, sizeof(sk));
	feed_lines(ing, aiops_format_find("nvsmi"), t->key, r.output, r.len, &sk);
	free(r.output);
	t->events += ing->nevents - before;
	if (sk.n > 0)
		log_warnx("%s: %lu line%s skipped, the first at %s", t->key, sk.n,
		    sk.n == 1 ? "" : "s", sk.first);
	return 0;
}

static const struct kind kind_snmp = {
	.name = "snmp", .key = "snmp", .source = "snmp",
	.load = snmp_load, .run = snmp_run,
};
static const struct kind kind_nvsmi = {
	.name = "nvidia-smi", .key = "nvidia_smi", .source = "nvidia-smi",
	.load = nvsmi_load, .run = nvsmi_run,
};
static const struct kind kind_redfish = {
	.name = "redfish", .key = "redfish", .source = "redfish",
	.load = rf_load, .run = rf_run,
};

/* The kinds, in the order their targets are polled and written. */
static const struct kind *const kinds[] = {
	&kind_query, &kind_scrape, &kind_datadog, &kind_splunk,
	&kind_snmp, &kind_nvsmi, &kind_redfish, NULL
};

/* ---- the plan: ingest.pollers ---- */

static void
plan_release(struct plan *pl)
{
	size_t i;

	for (i = 0; i < sizeof(pl->lists) / sizeof(pl->lists[0]); i++)
		json_decref(pl->lists[i]);
	memset(pl, 0, sizeof(*pl));
}

static int
check_servers(struct poll *p, const json_t *list)
{
	size_t i;
	json_t *item;

	json_array_foreach(list, i, item) {
		if (check_keys(p, "prometheus", i, item, server_keys) == -1 ||
		    need(p, "prometheus", i, item, "url") == -1 ||
		    check_url(p, "prometheus", i, item_str(item, "url")) == -1)
			return -1;
	}
	return 0;
}

/* Reads and checks ingest.pollers into pl: 0, or -1 with p->err. */
static int
plan_load(struct poll *p, struct plan *pl)
{
	const struct aiops_conf *cfg = p->cli.cfg;
	json_t *list, *servers = aiops_conf_get(cfg, "ingest.pollers.prometheus");
	char path[128];
	size_t k, i;
	json_t *item;

	memset(pl, 0, sizeof(*pl));
	pl->timeout = aiops_conf_duration(cfg, "ingest.pollers.timeout", DEF_TIMEOUT);
	pl->parallel = (unsigned)aiops_conf_int(cfg, "ingest.pollers.parallel", AIOPS_HTTP_PARALLEL);
	pl->backoff = aiops_conf_duration(cfg, "ingest.pollers.backoff", 0);
	pl->max_backoff = aiops_conf_duration(cfg, "ingest.pollers.max_backoff", DEF_MAX_BACKOFF);
	pl->max_body = (size_t)aiops_conf_int(cfg, "ingest.pollers.max_body", AIOPS_HTTP_MAX_BODY);
	pl->clusters = aiops_conf_bool(cfg, "ingest.pollers.clusters", 1);
	if (servers != NULL && !json_is_array(servers)) {
		aiops_conf_where(cfg, "ingest.pollers.prometheus", path, sizeof(path));
		snprintf(p->err, sizeof(p->err), "%s: ingest.pollers.prometheus: expected a list",
		    path);
		return -1;
	}
	if (servers != NULL && check_servers(p, servers) == -1)
		return -1;
	pl->lists[7] = json_incref(servers);
	for (k = 0; kinds[k] != NULL; k++) {
		snprintf(path, sizeof(path), "ingest.pollers.%s", kinds[k]->key);
		list = aiops_conf_get(cfg, path);
		if (list == NULL)
			continue;
		if (!json_is_array(list)) {
			char where[256];

			aiops_conf_where(cfg, path, where, sizeof(where));
			snprintf(p->err, sizeof(p->err), "%s: %s: expected a list", where, path);
			plan_release(pl);
			return -1;
		}
		pl->lists[k] = json_incref(list);
	}
	/* Check every item with no server: load() then adds no query target. */
	for (k = 0; kinds[k] != NULL; k++) {
		size_t ns = p->nservers, nt = p->ntargets;

		p->nservers = 0;
		json_array_foreach(pl->lists[k], i, item) {
			if (kinds[k]->load(p, item, i) == -1) {
				p->nservers = ns;
				plan_release(pl);
				return -1;
			}
		}
		p->nservers = ns;
		while (p->ntargets > nt) {
			struct target *t = &p->targets[--p->ntargets];

			free(t->key);
			aiops_buf_release(&t->url);
			aiops_buf_release(&t->body);
		}
	}
	return 0;
}

/* ---- the round ---- */

static void
servers_release(struct poll *p)
{
	size_t i;

	for (i = 0; i < p->nservers; i++) {
		free(p->servers[i].cluster);
		free(p->servers[i].url);
		free(p->servers[i].cred);
	}
	free(p->servers);
	p->servers = NULL;
	p->nservers = 0;
}

static void
server_add(struct poll *p, const char *cluster, const char *url, const char *cred, int insecure)
{
	struct server *s;

	p->servers = xreallocarray(p->servers, p->nservers + 1, sizeof(*p->servers));
	s = &p->servers[p->nservers++];
	s->cluster = cluster != NULL ? xstrdup(cluster) : NULL;
	s->url = xstrdup(url);
	s->cred = cred != NULL ? xstrdup(cred) : NULL;
	s->insecure = insecure;
}

/* The Prometheus servers: each registered cluster's, then the config's. */
static void
servers_load(struct poll *p)
{
	struct aiops_cluster_list l;
	json_t *item;
	size_t i;

	servers_release(p);
	if (p->state != NULL && p->plan.clusters && p->plan.lists[0] != NULL) {
		if (aiops_cluster_list(p->state, NULL, &l) == -1) {
			log_warnx("%s: reading the cluster registry: %s", aiops_state_path(p->state),
			    aiops_state_errmsg(p->state));
		} else {
			for (i = 0; i < l.n; i++) {
				json_t *eps = json_loads(l.v[i].endpoints ? l.v[i].endpoints : "{}",
				    0, NULL);
				json_t *creds = json_loads(l.v[i].credentials ?
				    l.v[i].credentials : "{}", 0, NULL);
				const char *url = item_str(eps, "prometheus");

				if (url != NULL && *url != '\0')
					server_add(p, l.v[i].name, url, item_str(creds, "prometheus"),
					    json_is_true(json_object_get(eps, "insecure")));
				json_decref(eps);
				json_decref(creds);
			}
			aiops_cluster_list_release(&l);
		}
	}
	json_array_foreach(p->plan.lists[7], i, item)
		server_add(p, item_str(item, "name"), item_str(item, "url"),
		    item_str(item, "credentials"), item_bool(item, "insecure") == 1);
}

static void
targets_release(struct poll *p)
{
	size_t i;

	for (i = 0; i < p->ntargets; i++) {
		target_reset(&p->targets[i]);
		aiops_buf_release(&p->targets[i].url);
		aiops_buf_release(&p->targets[i].body);
		free(p->targets[i].key);
		free(p->targets[i].cursor);
		free(p->targets[i].retry_after);
	}
	free(p->targets);
	p->targets = NULL;
	p->ntargets = 0;
}

static void
targets_load(struct poll *p)
{
	size_t k, i;
	json_t *item;

	targets_release(p);
	servers_load(p);
	for (k = 0; kinds[k] != NULL; k++)
		json_array_foreach(p->plan.lists[k], i, item)
			(void)kinds[k]->load(p, item, i);	/* checked by plan_load() */
}

static struct sched *
sched_of(struct poll *p, const char *key)
{
	struct sched *s;
	size_t i;

	for (i = 0; i < p->nsched; i++)
		if (strcmp(p->sched[i].key, key) == 0)
			return &p->sched[i];
	p->sched = xreallocarray(p->sched, p->nsched + 1, sizeof(*p->sched));
	s = &p->sched[p->nsched++];
	memset(s, 0, sizeof(*s));
	s->key = xstrdup(key);
	return s;
}

/* FNV-1a: the seed of a target's jitter. */
static uint64_t
seed_of(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
skipped_note(void *arg, const char *name, unsigned long line, const char *what)
{
	struct poll *p = arg;

	if (p->cli.verbosity > 0)
		log_info("%s: %lu: %s", name, line, what);
}

/* A sink for target t, writing to p's output and store. */
static void
sink(struct poll *p, struct target *t, struct aiops_ingest *ing, struct aiops_ingest_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = t->host;
	o->cluster = t->cluster;
	o->precision = AIOPS_TU_AUTO;
	aiops_ingest_init(ing, o, &p->out, p->mstore);
	ing->alerts = p->astore;
	ing->name = t->key;
	ing->note = skipped_note;
	ing->note_arg = p;
}

static void
sink_done(struct poll *p, struct aiops_ingest *ing)
{
	p->nonfinite += ing->nonfinite;
	if (ing->store_failed)
		fatalx(aiops_state_exit_status(p->state), "%s: storing: %s",
		    aiops_state_path(p->state), aiops_mstore_errmsg(p->mstore));
}

/* The HTTP requests of the targets pending, all at once, until none is. */
static void
run_http(struct poll *p)
{
	struct aiops_http_request *reqs = xcalloc(p->ntargets + 1, sizeof(*reqs));
	struct aiops_http_response *resps = xcalloc(p->ntargets + 1, sizeof(*resps));
	struct aiops_ingest ing;
	struct aiops_ingest_opts o;
	size_t i, n;
	int rc;

	for (;;) {
		n = 0;
		for (i = 0; i < p->ntargets; i++) {
			struct target *t = &p->targets[i];
			struct aiops_http_request *q = &reqs[n];

			if (!t->pending || t->kind->request == NULL)
				continue;
			target_reset(t);
			if (t->kind->request(p, t) == -1) {
				t->pending = 0;
				continue;
			}
			t->page++;
			memset(q, 0, sizeof(*q));
			q->url = t->url.data;
			q->body = t->body.len > 0 ? t->body.data : NULL;
			q->body_len = t->body.len;
			q->method = t->body.len > 0 ? "POST" : "GET";
			q->headers = t->hdr;
			q->nheaders = t->nhdr;
			q->timeout_ms = p->plan.timeout / 1000000;
			q->connect_timeout_ms = p->plan.timeout / 1000000;
			q->max_body = p->plan.max_body;
			q->flags = t->flags;
			q->capture = t->capture[0] != NULL ? t->capture : NULL;
			aiops_http_response_init(&resps[n]);
			t->req = n++;
		}
		if (n == 0)
			break;
		if (aiops_http_multi(p->http, reqs, resps, n, p->plan.parallel) == -1)
			log_warnx("the requests could not all be made");
		for (i = 0; i < p->ntargets; i++) {
			struct target *t = &p->targets[i];
			struct aiops_http_response *r;

			if (!t->pending || t->kind->request == NULL)
				continue;
			r = &resps[t->req];
			t->pending = 0;
			sink(p, t, &ing, &o);
			if (r->outcome != AIOPS_HTTP_OK) {
				fail(t, "%s", r->err);
				if (t->kind == &kind_query)
					query_error(t, &ing, r);
				free(t->retry_after);
				t->retry_after = r->retry_after != NULL ? xstrdup(r->retry_after) :
				    r->captured[0] != NULL ? xstrdup(r->captured[0]) : NULL;
			} else if ((rc = t->kind->response(p, t, &ing, r)) == 1)
				t->pending = 1;
			else if (rc == -1 && !t->failed)
				fail(t, "%s", ing.err);
			sink_done(p, &ing);
			aiops_http_response_release(&resps[t->req]);
		}
		if (aiops_out_flush(&p->out) == -1)
			fatal(EX_IOERR, "standard output");
	}
	free(reqs);
	free(resps);
}

/* One round: every target due. Returns 0 when all answered, 1 when some did not. */
static int
round_once(struct poll *p)
{
	struct aiops_backoff b;
	struct aiops_ingest ing;
	struct aiops_ingest_opts o;
	int64_t now = aiops_monotonic_ns();
	size_t i;
	int status = 0;

	targets_load(p);
	if (p->ntargets == 0)
		log_warnx("no targets: set ingest.pollers (aiops-ingest(1) POLLERS)");
	for (i = 0; i < p->nsched; i++)
		p->sched[i].seen = 0;
	batch_prepare(p, now);
	for (i = 0; i < p->ntargets; i++) {
		struct target *t = &p->targets[i];
		struct sched *s = sched_of(p, t->key);

		s->seen = 1;
		if (s->next_at > now) {
			t->failed = 1;		/* backing off: not asked */
			snprintf(t->why, sizeof(t->why), "backing off");
			continue;
		}
		if (t->kind->run != NULL) {
			sink(p, t, &ing, &o);
			if (t->kind->run(p, t, &ing) == -1 && !t->failed)
				fail(t, "%s", ing.err);
			sink_done(p, &ing);
		} else
			t->pending = 1;
	}
	batch_release();
	if (aiops_out_flush(&p->out) == -1)
		fatal(EX_IOERR, "standard output");
	run_http(p);
	if (p->mstore != NULL && aiops_mstore_flush(p->mstore) == -1)
		fatalx(aiops_state_exit_status(p->state), "%s: storing: %s",
		    aiops_state_path(p->state), aiops_mstore_errmsg(p->mstore));
	if (p->astore != NULL && aiops_alertstore_flush(p->astore) == -1)
		fatalx(aiops_state_exit_status(p->state), "%s: storing alerts: %s",
		    aiops_state_path(p->state), aiops_alertstore_errmsg(p->astore));
	b.base_ns = p->plan.backoff > 0 ? p->plan.backoff : p->every;
	b.cap_ns = p->plan.max_backoff;
	now = aiops_monotonic_ns();
	for (i = 0; i < p->ntargets; i++) {
		struct target *t = &p->targets[i];
		struct sched *s = sched_of(p, t->key);

		if (!t->failed) {
			if (t->window_to > 0)
				s->since = t->window_to;
			if (s->warned)
				log_info("%s: answers again", t->key);
			else if (p->cli.verbosity > 0)
				log_info("%s: %lu event%s", t->key, t->events, t->events == 1 ? "" : "s");
			s->attempt = 0;
			s->next_at = 0;
			s->warned = 0;
			continue;
		}
		status = 1;
		if (p->every == 0) {
			log_warnx("%s: %s", t->key, t->why);
			continue;
		}
		if (strcmp(t->why, "backing off") == 0)
			continue;
		/* Wall-clock Retry-After is turned into a delay on the same scale. */
		{
			int64_t wall = aiops_clock_wall();
			int64_t at = aiops_retry_next(&b, s->attempt, seed_of(t->key), wall,
			    t->retry_after);

			s->next_at = now + (at - wall);
		}
		s->attempt++;
		if (!s->warned)
			log_warnx("%s: %s; backing off: next try in %.1fs or the round after "
			    "(said once until it answers)", t->key, t->why,
			    (double)(s->next_at - now) / AIOPS_NS_PER_SEC);
		else if (p->cli.verbosity > 0)
			log_info("%s: %s (attempt %u)", t->key, t->why, s->attempt);
		s->warned = 1;
	}
	return status;
}

/* SIGHUP: the configuration and the plan again; the old ones kept on an error. */
static void
reload(struct poll *p)
{
	struct aiops_conf *old = NULL;
	struct plan pl;
	char err[1024];

	aiops_reload = 0;
	if (aiops_cli_reload(&p->cli, &old, err, sizeof(err)) == -1) {
		log_warnx("reload: %s: keeping the configuration in force", err);
		return;
	}
	targets_release(p);
	if (plan_load(p, &pl) == -1) {
		log_warnx("reload: %s: keeping the targets in force", p->err);
	} else {
		plan_release(&p->plan);
		p->plan = pl;
		log_info("configuration reloaded");
	}
	aiops_conf_free(old);
}

static void
nap(int64_t ns)
{
	struct timespec ts;

	if (ns <= 0)
		return;
	ts.tv_sec = (time_t)(ns / AIOPS_NS_PER_SEC);
	ts.tv_nsec = (long)(ns % AIOPS_NS_PER_SEC);
	while (!aiops_stop && !aiops_reload && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Whether some list polls the registry: queries, or SNMP and Redfish items with no address. */
static int
registry_wanted(const struct poll *p)
{
	size_t k, i;
	json_t *item;

	if (p->plan.lists[0] != NULL)
		return 1;
	for (k = 0; kinds[k] != NULL; k++) {
		if (kinds[k] != &kind_snmp && kinds[k] != &kind_redfish)
			continue;
		json_array_foreach(p->plan.lists[k], i, item)
			if (item_str(item, kinds[k] == &kind_snmp ? "address" : "url") == NULL)
				return 1;
	}
	return 0;
}

/* The state: with --store, or to read the registry when there is one. */
static void
open_state(struct poll *p)
{
	char err[512], *path;
	struct stat sb;

	if (p->store) {
		p->state = aiops_cli_state(&p->cli, 0, "");
		p->mstore = aiops_mstore_new(p->state, aiops_conf_duration(p->cli.cfg,
		    "ingest.retention", 0), err, sizeof(err));
		if (p->mstore == NULL)
			fatalx(EX_CANTCREAT, "%s", err);
		p->astore = aiops_alertstore_new(p->state,
		    aiops_conf_duration(p->cli.cfg, "ingest.alerts.expire", ALERT_EXPIRE),
		    aiops_conf_duration(p->cli.cfg, "ingest.alerts.retention",
		    aiops_conf_duration(p->cli.cfg, "ingest.retention", 0)));
		return;
	}
	if (!p->plan.clusters || !registry_wanted(p))
		return;
	path = aiops_path_state(p->cli.state_opt);
	if (path != NULL && stat(path, &sb) == 0)
		p->state = aiops_cli_state(&p->cli, AIOPS_STATE_READONLY, "");
	else if (p->cli.state_opt != NULL)
		fatalx(EX_NOINPUT, "%s: no such state file", p->cli.state_opt);
	free(path);
}

int
ingest_poll_main(int argc, char **argv)
{
	struct poll p;
	int ch, status = 0, store_only = 0;

	memset(&p, 0, sizeof(p));
	aiops_cli_init(&p.cli, "aiops-ingest", "ingest", synopsis, opts);
	while ((ch = aiops_cli_getopt(&p.cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_EVERY:
			p.every = aiops_cli_duration("--every", optarg);
			if (p.every <= 0)
				fatalx(EX_USAGE, "--every: a duration above 0");
			break;
		case OPT_STORE:
			p.store = 1;
			break;
		case OPT_STORE_ONLY:
			store_only = 1;
			break;
		default:
			aiops_cli_usage(&p.cli);
		}
	}
	if (optind < argc)
		aiops_cli_usage(&p.cli);
	aiops_cli_start(&p.cli);
	if (store_only)
		p.store = 2;
	else if (!p.store)
		p.store = aiops_conf_bool(p.cli.cfg, "ingest.store", 0);
	if (plan_load(&p, &p.plan) == -1)
		fatalx(EX_CONFIG, "%s", p.err);
	open_state(&p);
	{
		char err[256];

		if ((p.http = aiops_http_new(err, sizeof(err))) == NULL)
			fatalx(EX_SOFTWARE, "%s", err);
	}
	aiops_out_init(&p.out, p.store == 2 ? -1 : STDOUT_FILENO);
	aiops_filter_signals();
	if (p.every > 0)
		aiops_filter_reload_signals(NULL);
	do {
		int64_t start = aiops_monotonic_ns();

		if (aiops_reload)
			reload(&p);
		status = round_once(&p);
		if (p.every > 0)
			nap(p.every - (aiops_monotonic_ns() - start));
	} while (p.every > 0 && !aiops_stop);
	if (aiops_out_close(&p.out) == -1)
		fatal(EX_IOERR, "standard output");
	if (p.nonfinite > 0)
		log_warnx("%zu sample%s not written: the value is NaN or infinite (-v shows them)",
		    p.nonfinite, p.nonfinite == 1 ? "" : "s");
	targets_release(&p);
	servers_release(&p);
	plan_release(&p.plan);
	if (p.mstore != NULL && aiops_mstore_free(p.mstore) == -1)
		log_warnx("closing the store of metrics failed");
	aiops_alertstore_free(p.astore);
	if (p.state != NULL)
		aiops_state_close(p.state);
	aiops_http_free(p.http);
	while (p.nsched > 0)
		free(p.sched[--p.nsched].key);
	free(p.sched);
	aiops_cli_release(&p.cli);
	return status;
}
