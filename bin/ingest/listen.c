/*
 * listen.c: aiops-ingest --listen ADDRESS:PORT, the HTTP listener, and
 * aiops-ingest --replay, which writes out its journal again.
 *
 * Three parts, each in its own thread:
 *  - the HTTP threads (lib/net/httpd, a thread per connection) check a
 *    request (route, token or signature, rate, backlog), queue it as a
 *    job and wait until the committer has made it durable or failed;
 *  - the committer parses the queued bodies with the formats of
 *    lib/ingest and, in one transaction for all the jobs it took (a
 *    group commit), appends every event to the journal and stores the
 *    points and alerts; only after COMMIT are the requests answered 2xx;
 *  - the main thread feeds standard output from the journal, in order,
 *    moving the named cursor after each write, and handles signals.
 * A stalled standard output stalls only the last: requests are still
 * taken until the events not yet written out pass the backlog, then
 * answered 503 with Retry-After.
 */
#include "compat.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "config/conf.h"
#include "core/clock.h"
#include "core/hmap.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "ingest/ingest.h"
#include "ingest/jsondoc.h"
#include "io/out.h"
#include "net/httpd.h"
#include "net/secret.h"
#include "net/sign.h"
#include "net/token.h"
#include "store/alerts.h"
#include "store/journal.h"
#include "store/mstore.h"
#include "store/state.h"
#include "store/tokens.h"
#include "tool/filter.h"
#include "tool/log.h"

#define DEFAULT_BACKLOG		1000000
#define DEFAULT_RETENTION	(7 * 86400 * AIOPS_NS_PER_SEC)
#define DEFAULT_CURSOR		"listen"
#define READ_BATCH		4096		/* journal events per read for stdout */
#define JOB_BYTES_MAX		(64 << 20)	/* bodies in one group commit, at most */
#define HOUSEKEEP_NS		(1 * AIOPS_NS_PER_SEC)
#define EXPIRE_MAX		10000		/* journal rows deleted per transaction */
#define SECRET_MAX		1024
#define MAX_ERRORS_SHOWN	5
#define STATE_CACHE		(64 << 20)	/* bytes of the committer's page cache */
#define STATE_WAL		(8 << 20)	/* log bytes between checkpoints */

/* What an endpoint takes and how it is let in. */
enum auth { AUTH_TOKEN, AUTH_SENTRY, AUTH_SIGNED };

struct endpoint {
	const char	*path;		/* exact, or a prefix ending in '/' */
	const char	*name;		/* for the journal and /metrics */
	const char	*scope;		/* of a token */
	enum auth	 auth;
	const char	*format;	/* the lib/ingest format; NULL: push API alerts */
	int		 ok;		/* the success status its peers expect */
};

/*
 * The success codes are the peers' own: InfluxDB's write answers 204,
 * Alertmanager's push API 200; webhooks 202. Every one is sent only
 * once what the request carried is committed.
 */
static const struct endpoint endpoints[] = {
	{ "/api/v2/write", "write", "write", AUTH_TOKEN, "influx", 204 },
	{ "/api/v2/alerts", "alerts", "alerts", AUTH_TOKEN, NULL, 200 },
	{ "/webhooks/alertmanager", "alertmanager", "alerts", AUTH_TOKEN, "alertmanager", 202 },
	{ "/webhooks/sentry", "sentry", NULL, AUTH_SENTRY, "sentry", 202 },
	{ "/webhooks/generic/", "generic", NULL, AUTH_SIGNED, "json", 202 },
};

/* One request's body, queued for the committer. */
struct job {
	const struct endpoint	*ep;
	char			 endpoint[96];	/* "generic/SOURCE" for those */
	const char		*source;	/* the generic source, or NULL */
	const char		*body;
	size_t			 len;
	enum aiops_time_unit	 precision;
	char			 token[AIOPS_TOKEN_NAME_MAX + 1];	/* name, or "" */
	char			 token_id[AIOPS_TOKEN_ID_LEN + 1];
	/* Set by the committer. */
	int			 done;
	int			 status;
	unsigned long		 nevents;
	unsigned long		 nbad;
	struct aiops_buf	 errors;	/* the first bad lines, one per line */
	struct job		*next;
};

/* A request counter of /metrics, by endpoint and status. */
struct counter {
	char		 endpoint[32];
	int		 code;
	unsigned long	 n;
};

/* A token bucket (rate limits), keyed by token or address. */
struct bucket {
	double		 tokens;
	int64_t		 at;
};

static struct listener {
	const struct ingest_listen_args	*args;
	const struct aiops_conf		*cfg;
	struct aiops_state		*st;		/* the committer's */
	struct aiops_state		*wst;		/* the writer's */
	struct aiops_mstore		*mstore;
	struct aiops_alertstore		*astore;
	struct aiops_httpd		*httpd;
	int				 auth;
	size_t				 backlog_max;
	int64_t				 retention;
	double				 rate;		/* requests/s; 0: no limit */
	const char			*cursor;

	pthread_mutex_t			 mu;
	pthread_cond_t			 work;		/* a job queued, or stop */
	pthread_cond_t			 done;		/* jobs answered */
	pthread_cond_t			 more;		/* committed past written */
	struct job			*head, *tail;
	int				 stopping;	/* the committer: finish and end */
	int				 failing;	/* the state refuses writes */
	int64_t				 committed;	/* the last seq committed */
	int64_t				 written;	/* the last seq written out */
	int				 committing;	/* the committer runs: it saves the cursor */
	int64_t				 cursor_saved;	/* the committer's: the cursor's seq */

	pthread_rwlock_t		 tlock;		/* guards tokens */
	struct aiops_tokenset		*tokens;

	pthread_mutex_t			 mmu;		/* guards what follows */
	struct counter			*counters;
	size_t				 ncounters;
	unsigned long			 events;	/* accepted, in all */
	unsigned long			 commits;
	double				 commit_seconds;
	struct aiops_hmap		 replay[2];	/* signatures seen, two windows */
	int64_t				 replay_since;
	struct aiops_hmap		 buckets[2];
	int64_t				 buckets_since;
} L;

/* ---- small helpers ---- */

static int64_t
now_ns(void)
{
	return aiops_clock_now();
}

static void
count(const char *endpoint, int code)
{
	size_t i;

	pthread_mutex_lock(&L.mmu);
	for (i = 0; i < L.ncounters; i++)
		if (L.counters[i].code == code && strcmp(L.counters[i].endpoint, endpoint) == 0)
			break;
	if (i == L.ncounters) {
		L.counters = xreallocarray(L.counters, L.ncounters + 1, sizeof(*L.counters));
		snprintf(L.counters[i].endpoint, sizeof(L.counters[i].endpoint), "%s", endpoint);
		L.counters[i].code = code;
		L.counters[i].n = 0;
		L.ncounters++;
	}
	L.counters[i].n++;
	pthread_mutex_unlock(&L.mmu);
}

/* A JSON error body as InfluxDB's: {"code":"invalid","message":"..."}. */
static void
json_error(struct aiops_httpd_resp *rs, int status, const char *code, const char *msg)
{
	json_t *o = json_pack("{s:s, s:s}", "code", code, "message", msg);
	char *s = json_dumps(o, JSON_COMPACT);

	rs->status = status;
	rs->content_type = "application/json; charset=utf-8";
	aiops_buf_addstr(&rs->body, s != NULL ? s : "{}");
	aiops_buf_addc(&rs->body, '\n');
	free(s);
	json_decref(o);
}

static const char *
status_code_word(int status)
{
	switch (status) {
	case 400: return "invalid";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 405: return "method not allowed";
	case 409: return "conflict";
	case 413: return "request too large";
	case 429: return "too many requests";
	case 503: return "unavailable";
	default: return "internal error";
	}
}

static void
fail(struct aiops_httpd_resp *rs, int status, const char *msg)
{
	json_error(rs, status, status_code_word(status), msg);
}

/* ---- limits: rate and replay ---- */

/* Two generations of a map, the older dropped every period: no removal needed. */
static void
generations(struct aiops_hmap m[2], int64_t *since, int64_t period, int64_t now)
{
	if (now - *since < period)
		return;
	aiops_hmap_release(&m[1], free);
	m[1] = m[0];
	aiops_hmap_init(&m[0]);
	*since = now;
}

/*
 * A token bucket of L.rate requests a second, as many in a burst, per
 * key: 0 when the request may go on, else the seconds to wait.
 */
static int
rate_wait(const char *key)
{
	struct bucket *b;
	int64_t now = aiops_monotonic_ns();
	size_t klen = strlen(key);
	int wait = 0;

	if (L.rate <= 0)
		return 0;
	pthread_mutex_lock(&L.mmu);
	generations(L.buckets, &L.buckets_since, 60 * AIOPS_NS_PER_SEC, now);
	if ((b = aiops_hmap_get(&L.buckets[0], key, klen)) == NULL) {
		struct bucket *old = aiops_hmap_get(&L.buckets[1], key, klen);

		b = xcalloc(1, sizeof(*b));
		*b = old != NULL ? *old : (struct bucket){ L.rate, now };
		aiops_hmap_put(&L.buckets[0], key, klen, b);
	}
	b->tokens += (double)(now - b->at) / 1e9 * L.rate;
	if (b->tokens > L.rate)
		b->tokens = L.rate;
	b->at = now;
	if (b->tokens >= 1)
		b->tokens -= 1;
	else
		wait = (int)((1 - b->tokens) / L.rate) + 1;
	pthread_mutex_unlock(&L.mmu);
	return wait;
}

/*
 * 1 when this signature was seen within the signing window: a replay.
 * Remembered for one to two windows, longer than a timestamp stays good.
 */
static int
replayed(const char *sig)
{
	int64_t now = aiops_monotonic_ns();
	size_t n = strlen(sig);
	int seen;

	pthread_mutex_lock(&L.mmu);
	generations(L.replay, &L.replay_since, AIOPS_SIGN_WINDOW_S * AIOPS_NS_PER_SEC, now);
	seen = aiops_hmap_get(&L.replay[0], sig, n) != NULL ||
	    aiops_hmap_get(&L.replay[1], sig, n) != NULL;
	if (!seen)
		aiops_hmap_put(&L.replay[0], sig, n, (void *)1);
	pthread_mutex_unlock(&L.mmu);
	return seen;
}

/* ---- who may write ---- */

/* Loads the live tokens into a new verifier and swaps it in. 0, or -1. */
static int
tokens_load(struct aiops_state *st)
{
	struct aiops_token_list l;
	struct aiops_tokenset *ts, *old;

	if (aiops_tokens_live(st, now_ns(), &l) == -1)
		return -1;
	ts = aiops_tokenset_new(l.v, l.n);
	aiops_token_list_release(&l);
	pthread_rwlock_wrlock(&L.tlock);
	old = L.tokens;
	L.tokens = ts;
	pthread_rwlock_unlock(&L.tlock);
	aiops_tokenset_free(old);
	return 0;
}

/* The bearer token for scope: 0 and the job's token filled, or the refusal. */
static int
check_token(const struct aiops_httpd_req *req, const char *scope, struct job *j,
    struct aiops_httpd_resp *rs)
{
	const char *auth = aiops_httpd_header(req, "Authorization");
	const struct aiops_token_row *row = NULL;
	enum aiops_token_status ts;

	if (!L.auth)
		return 0;
	pthread_rwlock_rdlock(&L.tlock);
	ts = aiops_tokenset_check(L.tokens, auth, scope, now_ns(), &row);
	if (ts == AIOPS_TOKEN_OK && j != NULL) {
		snprintf(j->token, sizeof(j->token), "%s", row->name);
		snprintf(j->token_id, sizeof(j->token_id), "%s", row->id);
	}
	pthread_rwlock_unlock(&L.tlock);
	switch (ts) {
	case AIOPS_TOKEN_OK:
		return 0;
	case AIOPS_TOKEN_DENIED:
		fail(rs, 403, "the token lacks the scope of this endpoint");
		return -1;
	default:
		rs->www_authenticate = "Bearer";
		fail(rs, 401, ts == AIOPS_TOKEN_NONE ? "a bearer token is required" :
		    ts == AIOPS_TOKEN_EXPIRED ? "the token has expired" : "the token is not valid");
		return -1;
	}
}

/* A secret named by a configuration key, read now (a rotation needs no restart). */
static int
read_secret(const char *key, char *buf, size_t size, struct aiops_httpd_resp *rs)
{
	const char *path = aiops_conf_string(L.cfg, key, NULL);
	char err[512];

	if (path == NULL) {
		fail(rs, 404, "no secret is configured for this webhook");
		return -1;
	}
	if (aiops_secret_read_file(path, buf, size, err, sizeof(err)) == -1) {
		log_warnx("%s: %s", key, err);
		fail(rs, 503, "the webhook's secret cannot be read");
		return -1;
	}
	return 0;
}

static int
check_signature(const struct aiops_httpd_req *req, struct job *j, struct aiops_httpd_resp *rs)
{
	struct aiops_secret sec;
	enum aiops_sign_status s;
	const char *ts, *sig;
	char key[160], secret[SECRET_MAX];

	if (j->ep->auth == AUTH_SENTRY) {
		if (read_secret("ingest.listen.sentry.secret_file", secret, sizeof(secret), rs) == -1)
			return -1;
		sig = aiops_httpd_header(req, AIOPS_SIGN_HEADER_SENTRY);
		sec.key = secret;
		sec.len = strlen(secret);
		s = sig == NULL ? AIOPS_SIGN_MALFORMED :
		    aiops_sign_sentry_verify(&sec, 1, sig, strlen(sig), req->body, req->len);
	} else {
		snprintf(key, sizeof(key), "ingest.listen.generic.%s.secret_file", j->source);
		if (read_secret(key, secret, sizeof(secret), rs) == -1)
			return -1;
		ts = aiops_httpd_header(req, AIOPS_SIGN_HEADER_TS);
		sig = aiops_httpd_header(req, AIOPS_SIGN_HEADER_SIG);
		sec.key = secret;
		sec.len = strlen(secret);
		s = ts == NULL || sig == NULL ? AIOPS_SIGN_MALFORMED :
		    aiops_sign_v1_verify(&sec, 1, ts, strlen(ts), sig, strlen(sig), req->body,
		    req->len, now_ns() / AIOPS_NS_PER_SEC, 0);
		if (s == AIOPS_SIGN_OK && replayed(sig)) {
			explicit_bzero(secret, sizeof(secret));
			fail(rs, 409, "this signed request was received already (a replay)");
			return -1;
		}
	}
	explicit_bzero(secret, sizeof(secret));
	if (s == AIOPS_SIGN_OK)
		return 0;
	fail(rs, 401, s == AIOPS_SIGN_STALE ? "the signature's timestamp is outside the window" :
	    s == AIOPS_SIGN_MALFORMED ? "the signature headers are missing or malformed" :
	    "the signature does not match");
	return -1;
}

/* ---- routing ---- */

/* A generic webhook's source: a name of letters, digits, - _ . (at most 63). */
static int
source_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

static const struct endpoint *
route(const char *url, const char **rest)
{
	size_t i, n;

	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		n = strlen(endpoints[i].path);
		if (endpoints[i].path[n - 1] == '/' ? strncmp(url, endpoints[i].path, n) == 0 :
		    strcmp(url, endpoints[i].path) == 0) {
			*rest = url + n;
			return &endpoints[i];
		}
	}
	return NULL;
}

/* ---- the committer ---- */

/* A bad line of a body: counted, the first few kept for the answer. */
static int
job_skip(void *arg, const char *name, unsigned long line, const char *why)
{
	struct job *j = arg;

	(void)name;
	if (j->nbad++ < MAX_ERRORS_SHOWN)
		aiops_buf_addf(&j->errors, "%sline %lu: %s", j->errors.len > 0 ? "; " : "",
		    line, why);
	return 0;
}

/*
 * Parses a body into events (out) and the stores' batches: 0, or -1 when
 * storing failed (the transaction is then gone).
 */
static int
job_parse(struct job *j, struct aiops_out *out)
{
	struct aiops_ingest_opts opts = *L.args->opts;
	struct aiops_ingest ing;
	struct aiops_input in;
	const char *p = j->body, *end = j->body + j->len, *nl;
	unsigned long lineno = 0;

	opts.precision = j->precision;
	if (j->source != NULL)
		opts.source = j->source;
	aiops_ingest_init(&ing, &opts, out, L.mstore);
	ing.alerts = L.astore;
	ing.name = j->endpoint;
	ing.skip = job_skip;
	ing.skip_arg = j;
	if (j->ep->format == NULL) {
		json_error_t e;
		json_t *doc = json_loadb(j->body, j->len, 0, &e);

		if (doc == NULL)
			(void)job_skip(j, NULL, (unsigned long)e.line, e.text);
		else if (aiops_alertmanager_emit_postable(&ing, doc) == -1)
			(void)job_skip(j, NULL, 1, ing.err);
		json_decref(doc);
		return ing.store_failed ? -1 : 0;
	}
	aiops_input_init(&in, aiops_format_find(j->ep->format), j->endpoint);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		(void)aiops_input_line(&ing, &in, p, (size_t)(nl - p), ++lineno);
		p = nl + 1;
	}
	(void)aiops_input_finish(&ing, &in);
	return ing.store_failed ? -1 : 0;
}

/* Journals the events a job made (out's lines from mark on), in one row. 0, or -1. */
static int
job_journal(struct job *j, const struct aiops_out *out, size_t mark, int64_t received,
    int64_t *last)
{
	struct aiops_journal_origin o = { received, j->endpoint, j->token[0] ? j->token : NULL };
	const char *p = out->buf.data + mark, *end = out->buf.data + out->buf.len;
	size_t n = 0;

	for (; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		n++;
	if (n == 0)
		return 0;
	j->nevents = n;
	/* Each line ends with '\n': the row keeps them between, not after. */
	return aiops_journal_append(L.st, &o, out->buf.data + mark, out->buf.len - mark - 1, n,
	    last);
}

/*
 * A body with bad lines: the good ones are kept and the answer is 400
 * naming the bad (InfluxDB's "partial write"); none good: 400 too.
 */
static void
job_status(struct job *j)
{
	j->status = j->nbad > 0 ? 400 : j->ep->ok;
}

/*
 * The cursor, moved to what the main thread has written out: by the
 * committer, in its own transactions, so that the state has one writer
 * and the two threads never wait on each other's lock. *saved gets where
 * it was moved to, to take as saved once that commits. 0, or -1.
 */
static int
persist_cursor(int64_t *saved)
{
	int64_t written;

	pthread_mutex_lock(&L.mu);
	written = L.written;
	pthread_mutex_unlock(&L.mu);
	*saved = L.cursor_saved;
	if (L.cursor == NULL || written <= L.cursor_saved)
		return 0;
	if (aiops_journal_cursor_set(L.st, L.cursor, written, now_ns()) == -1)
		return -1;
	*saved = written;
	return 0;
}

/* Every job of the batch in one transaction: 0, or -1 with nothing kept. */
static int
commit_batch(struct job *batch, int64_t *last)
{
	struct aiops_out out;
	const char *ids[256];
	size_t nids = 0, mark;
	int64_t received = now_ns(), saved;
	struct job *j;
	int rc = -1;

	aiops_out_init(&out, AIOPS_OUT_MEMORY);
	if (aiops_state_begin(L.st) == -1)
		goto done;
	for (j = batch; j != NULL; j = j->next) {
		mark = out.buf.len;
		/* A store that failed rolled the whole transaction back. */
		if (job_parse(j, &out) == -1 || !aiops_state_in_transaction(L.st) ||
		    job_journal(j, &out, mark, received, last) == -1)
			goto done;
		if (j->token_id[0] != '\0' && nids < sizeof(ids) / sizeof(ids[0]))
			ids[nids++] = j->token_id;
		aiops_buf_reset(&out.buf);
	}
	if (aiops_mstore_flush(L.mstore) == -1 || aiops_alertstore_flush(L.astore) == -1 ||
	    (nids > 0 && aiops_tokens_touch(L.st, ids, nids, received) == -1) ||
	    persist_cursor(&saved) == -1 || aiops_state_commit(L.st) == -1)
		goto done;
	L.cursor_saved = saved;
	rc = 0;
done:
	if (rc == -1) {
		log_warnx("%s: storing a batch failed, answered 503: %s", aiops_state_path(L.st),
		    aiops_state_errmsg(L.st));
		aiops_state_rollback(L.st);
		aiops_mstore_forget(L.mstore);
		aiops_alertstore_forget(L.astore);
	}
	aiops_out_close(&out);
	return rc;
}

/* Takes the queued jobs, up to JOB_BYTES_MAX of bodies (one at least). */
static struct job *
take_jobs(void)
{
	struct job *first = L.head, *j = L.head, *prev = NULL;
	size_t bytes = 0;

	while (j != NULL && (prev == NULL || bytes + j->len <= JOB_BYTES_MAX)) {
		bytes += j->len;
		prev = j;
		j = j->next;
	}
	if (prev != NULL)
		prev->next = NULL;
	L.head = j;
	if (j == NULL)
		L.tail = NULL;
	return first;
}

/* Retention, and tokens added or revoked by another program. */
static void
housekeep(int64_t *next)
{
	int64_t now = aiops_monotonic_ns(), saved;
	size_t deleted;
	int changed;

	if (now < *next)
		return;
	*next = now + HOUSEKEEP_NS;
	if (persist_cursor(&saved) == -1)
		log_warnx("moving the cursor %s: %s", L.cursor, aiops_state_errmsg(L.st));
	else
		L.cursor_saved = saved;	/* a statement of its own: committed */
	if ((changed = aiops_state_changed_elsewhere(L.st)) == 1 && tokens_load(L.st) == -1)
		log_warnx("reloading the tokens: %s", aiops_state_errmsg(L.st));
	if (L.retention <= 0)
		return;
	if (aiops_state_begin(L.st) == -1 ||
	    aiops_journal_expire(L.st, now_ns() - L.retention, EXPIRE_MAX, &deleted) == -1 ||
	    aiops_state_commit(L.st) == -1) {
		log_warnx("journal retention: %s", aiops_state_errmsg(L.st));
		aiops_state_rollback(L.st);
	}
}

static void *
committer(void *arg)
{
	struct job *batch, *j, *next;
	unsigned long nevents;
	int64_t last, due = 0, t0;
	int rc;

	(void)arg;
	for (;;) {
		housekeep(&due);
		pthread_mutex_lock(&L.mu);
		while (L.head == NULL && !L.stopping) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			if (pthread_cond_timedwait(&L.work, &L.mu, &ts) == ETIMEDOUT)
				break;
		}
		if (L.head == NULL && L.stopping) {
			pthread_mutex_unlock(&L.mu);
			return NULL;
		}
		batch = take_jobs();
		pthread_mutex_unlock(&L.mu);
		if (batch == NULL)
			continue;
		t0 = aiops_monotonic_ns();
		last = 0;
		rc = commit_batch(batch, &last);
		/* Counted before the jobs are let go: each is on its handler's stack. */
		for (j = batch, nevents = 0; rc == 0 && j != NULL; j = j->next)
			nevents += j->nevents;
		pthread_mutex_lock(&L.mu);
		for (j = batch; j != NULL; j = next) {
			next = j->next;
			if (rc == 0)
				job_status(j);
			else
				j->status = 503;
			j->done = 1;
		}
		L.failing = rc == -1;
		if (rc == 0 && last > L.committed)
			L.committed = last;
		pthread_cond_broadcast(&L.done);
		pthread_cond_broadcast(&L.more);
		pthread_mutex_unlock(&L.mu);
		pthread_mutex_lock(&L.mmu);
		L.events += nevents;
		L.commits += rc == 0;
		L.commit_seconds += (double)(aiops_monotonic_ns() - t0) / 1e9;
		pthread_mutex_unlock(&L.mmu);
	}
}

/* ---- requests ---- */

/* Queues the job and waits for the committer's answer. */
static void
submit(struct job *j, struct aiops_httpd_resp *rs)
{
	char msg[768];

	aiops_buf_init(&j->errors);
	pthread_mutex_lock(&L.mu);
	if (L.committed - L.written >= (int64_t)L.backlog_max || L.stopping) {
		pthread_mutex_unlock(&L.mu);
		rs->retry_after = 1;
		fail(rs, 503, L.stopping ? "shutting down" :
		    "the events accepted are not written out yet: the backlog is full");
		return;
	}
	if (L.tail != NULL)
		L.tail->next = j;
	else
		L.head = j;
	L.tail = j;
	pthread_cond_signal(&L.work);
	while (!j->done)
		pthread_cond_wait(&L.done, &L.mu);
	pthread_mutex_unlock(&L.mu);
	if (j->status == 503) {
		rs->retry_after = 1;
		fail(rs, 503, "the state file cannot be written now");
	} else if (j->status == 400) {
		snprintf(msg, sizeof(msg), "%s: %lu bad, %lu event%s kept: %s",
		    j->nevents > 0 ? "partial write" : "nothing written", j->nbad, j->nevents,
		    j->nevents == 1 ? "" : "s", j->errors.data);
		fail(rs, 400, msg);
	} else
		rs->status = j->status;
	aiops_buf_release(&j->errors);
}

static int
precision_of(const struct aiops_httpd_req *req, struct job *j, struct aiops_httpd_resp *rs)
{
	const char *p = aiops_httpd_query(req, "precision");

	j->precision = L.args->opts->precision;	/* ingest.precision, ns by default */
	if (p == NULL || *p == '\0')
		return 0;
	if (aiops_time_unit_parse(p, &j->precision) == -1) {
		fail(rs, 400, "precision: not one of ns, us, ms, s");
		return -1;
	}
	return 0;
}

static void
write_metrics(struct aiops_httpd_resp *rs)
{
	struct aiops_buf *b = &rs->body;
	int64_t committed, written;
	size_t i;

	pthread_mutex_lock(&L.mu);
	committed = L.committed;
	written = L.written;
	pthread_mutex_unlock(&L.mu);
	rs->status = 200;
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	pthread_mutex_lock(&L.mmu);
	aiops_buf_addstr(b, "# HELP aiops_ingest_http_requests_total HTTP requests answered, "
	    "by endpoint and status code.\n# TYPE aiops_ingest_http_requests_total counter\n");
	for (i = 0; i < L.ncounters; i++)
		aiops_buf_addf(b, "aiops_ingest_http_requests_total{endpoint=\"%s\",code=\"%d\"} %lu\n",
		    L.counters[i].endpoint, L.counters[i].code, L.counters[i].n);
	aiops_buf_addf(b, "# HELP aiops_ingest_events_total Events accepted and journaled.\n"
	    "# TYPE aiops_ingest_events_total counter\naiops_ingest_events_total %lu\n", L.events);
	aiops_buf_addf(b, "# HELP aiops_ingest_commits_total Group commits of the state.\n"
	    "# TYPE aiops_ingest_commits_total counter\naiops_ingest_commits_total %lu\n",
	    L.commits);
	aiops_buf_addf(b, "# HELP aiops_ingest_commit_seconds_total Time spent committing.\n"
	    "# TYPE aiops_ingest_commit_seconds_total counter\n"
	    "aiops_ingest_commit_seconds_total %.6f\n", L.commit_seconds);
	pthread_mutex_unlock(&L.mmu);
	aiops_buf_addf(b, "# HELP aiops_ingest_journal_seq The last sequence number committed.\n"
	    "# TYPE aiops_ingest_journal_seq gauge\naiops_ingest_journal_seq %" PRId64 "\n",
	    committed);
	aiops_buf_addf(b, "# HELP aiops_ingest_backlog_events Events committed, not yet "
	    "written out.\n# TYPE aiops_ingest_backlog_events gauge\n"
	    "aiops_ingest_backlog_events %" PRId64 "\n", committed - written);
}

static void
answer_get(const struct aiops_httpd_req *req, struct aiops_httpd_resp *rs)
{
	int ready;

	if (strcmp(req->url, "/health") == 0) {
		rs->status = 200;
		aiops_buf_addstr(&rs->body, "ok\n");
	} else if (strcmp(req->url, "/ready") == 0) {
		pthread_mutex_lock(&L.mu);
		ready = !L.stopping && !L.failing &&
		    L.committed - L.written < (int64_t)L.backlog_max;
		pthread_mutex_unlock(&L.mu);
		rs->status = ready ? 200 : 503;
		aiops_buf_addstr(&rs->body, ready ? "ready\n" : "not ready\n");
	} else if (strcmp(req->url, "/metrics") == 0) {
		if (check_token(req, "read", NULL, rs) == 0)
			write_metrics(rs);
	} else
		fail(rs, 404, "no such endpoint");
}

static void
answer_post(const struct aiops_httpd_req *req, struct aiops_httpd_resp *rs, const char **name)
{
	const struct endpoint *ep;
	const char *rest = NULL;
	struct job j;
	int wait;

	if ((ep = route(req->url, &rest)) == NULL) {
		fail(rs, 404, "no such endpoint");
		return;
	}
	*name = ep->name;
	memset(&j, 0, sizeof(j));
	j.ep = ep;
	j.body = req->body;
	j.len = req->len;
	snprintf(j.endpoint, sizeof(j.endpoint), "%s", ep->name);
	if (ep->auth == AUTH_SIGNED) {
		if (!source_ok(rest)) {
			fail(rs, 404, "a generic webhook is /webhooks/generic/NAME");
			return;
		}
		j.source = rest;
		snprintf(j.endpoint, sizeof(j.endpoint), "generic/%s", rest);
	}
	if ((wait = rate_wait(req->peer)) > 0) {
		rs->retry_after = wait;
		fail(rs, 429, "too many requests from this address");
		return;
	}
	if (ep->auth == AUTH_TOKEN ? check_token(req, ep->scope, &j, rs) == -1 :
	    check_signature(req, &j, rs) == -1)
		return;
	if (j.token[0] != '\0' && (wait = rate_wait(j.token)) > 0) {
		rs->retry_after = wait;
		fail(rs, 429, "too many requests with this token");
		return;
	}
	if (precision_of(req, &j, rs) == -1)
		return;
	submit(&j, rs);
}

static void
handle(void *arg, const struct aiops_httpd_req *req, struct aiops_httpd_resp *rs)
{
	const char *name = "other";

	(void)arg;
	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
		answer_get(req, rs);
		name = req->url + 1;
		if (strcmp(name, "health") != 0 && strcmp(name, "ready") != 0 &&
		    strcmp(name, "metrics") != 0)
			name = "other";
	} else if (strcmp(req->method, "POST") == 0)
		answer_post(req, rs, &name);
	else
		fail(rs, 405, "only GET and POST");
	count(name, rs->status);
}

/* ---- standard output ---- */

struct writer {
	struct aiops_out	 out;
	int64_t			 last;		/* written out */
	int64_t			 read;		/* read into out, maybe not written yet */
	int64_t			 saved;		/* monotonic ns the cursor was last moved */
	int64_t			 saved_seq;	/* to there */
};

/*
 * While the committer runs, it moves the cursor (persist_cursor: with
 * each group commit, and every second when idle); after it, and for
 * --replay, the writer does, at most every CURSOR_NS and at the end. A
 * crash writes out again what the cursor had not passed, as a reader of
 * an at-least-once stream expects, for a lock taken far less often.
 */
#define CURSOR_NS	(100 * 1000000LL)

static void
save_cursor(struct writer *w, int force)
{
	int64_t now = aiops_monotonic_ns();

	if (L.committing || L.cursor == NULL || w->last == w->saved_seq ||
	    (!force && now - w->saved < CURSOR_NS))
		return;
	w->saved = now;
	w->saved_seq = w->last;
	if (aiops_journal_cursor_set(L.wst, L.cursor, w->last, now_ns()) == -1)
		log_warnx("moving the cursor %s: %s", L.cursor, aiops_state_errmsg(L.wst));
}

static int
write_event(void *arg, int64_t seq, const char *event, size_t len)
{
	struct writer *w = arg;

	aiops_buf_add(&w->out.buf, event, len);
	aiops_out_end(&w->out);
	w->read = seq;
	return 0;
}

/*
 * Writes out the journal past *from, up to what is committed, moving the
 * cursor: 1 when something was written, 0 when nothing was there, -1
 * when standard output or the state failed.
 */
static int
write_some(struct writer *w, int64_t *from)
{
	long n = aiops_journal_read(L.wst, *from, READ_BATCH, write_event, w);

	if (n <= 0) {
		if (n == -1)
			log_warnx("reading the journal: %s", aiops_state_errmsg(L.wst));
		return (int)n;
	}
	if (L.args->no_output)
		aiops_buf_reset(&w->out.buf);
	else if (aiops_out_flush(&w->out) == -1) {
		log_warn("standard output");
		return -1;
	}
	*from = w->last = w->read;
	save_cursor(w, 0);
	pthread_mutex_lock(&L.mu);
	L.written = w->last;
	pthread_mutex_unlock(&L.mu);
	return 1;
}

/*
 * Where standard output starts: --from-seq, else the cursor; a cursor
 * not yet made starts at the end for a listener (a new consumer takes
 * what comes from now on) and at the beginning for --replay.
 */
static int64_t
start_seq(struct aiops_state *st, int replay)
{
	int64_t seq;
	int rc;

	if (L.args->from_seq > 0)
		return L.args->from_seq - 1;
	if ((rc = aiops_journal_cursor_get(st, L.cursor, &seq)) == -1)
		fatalx(aiops_state_exit_status(st), "%s: %s", aiops_state_path(st),
		    aiops_state_errmsg(st));
	if (rc == 1)
		return seq;
	if (replay)
		return 0;
	if (aiops_journal_last(st, &seq) == -1)
		fatalx(aiops_state_exit_status(st), "%s: %s", aiops_state_path(st),
		    aiops_state_errmsg(st));
	return seq;
}

/* ---- setting up ---- */

/* A PEM file's text (new), or exits. */
static char *
read_pem(const char *key)
{
	const char *path = aiops_conf_string(L.cfg, key, NULL);
	struct aiops_buf b;
	char chunk[4096];
	size_t n;
	FILE *f;

	if (path == NULL)
		return NULL;
	if ((f = fopen(path, "re")) == NULL)
		fatal(EX_NOINPUT, "%s: %s", key, path);
	aiops_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		aiops_buf_add(&b, chunk, n);
	fclose(f);
	aiops_buf_addc(&b, '\0');
	return b.data;
}

static void
settings(const struct ingest_listen_args *a)
{
	L.args = a;
	L.cfg = a->cli->cfg;
	L.auth = aiops_conf_bool(L.cfg, "ingest.listen.auth", 1);
	L.backlog_max = (size_t)aiops_conf_int(L.cfg, "ingest.listen.backlog", DEFAULT_BACKLOG);
	L.retention = aiops_conf_duration(L.cfg, "ingest.listen.retention", DEFAULT_RETENTION);
	L.rate = (double)aiops_conf_int(L.cfg, "ingest.listen.rate", 0);
	L.cursor = a->cursor != NULL ? a->cursor :
	    aiops_conf_string(L.cfg, "ingest.listen.cursor", DEFAULT_CURSOR);
}

static void
open_stores(const struct ingest_listen_args *a)
{
	char err[512];

	L.st = aiops_cli_state(a->cli, 0, "");
	L.wst = aiops_cli_state(a->cli, 0, "");
	/*
	 * A 2xx promises the events survive a power loss, not only a crash.
	 * Every group commit rewrites the series and rollups it touched: a
	 * larger page cache keeps those pages from being read again, and
	 * a log of 8 MiB, twice SQLite's default, copies a page rewritten
	 * by many commits into the file once for them (measured with
	 * bench/listen: 4, 8, 16 and 64 MiB; past 8 the checkpoints that
	 * do come hold a commit up long enough to show in the p99).
	 */
	if (aiops_state_durable(L.st) == -1 || aiops_state_cache(L.st, STATE_CACHE) == -1 ||
	    aiops_state_wal_limit(L.st, STATE_WAL) == -1)
		fatalx(aiops_state_exit_status(L.st), "%s: %s", aiops_state_path(L.st),
		    aiops_state_errmsg(L.st));
	L.mstore = aiops_mstore_new(L.st, a->retention, err, sizeof(err));
	if (L.mstore == NULL)
		fatalx(EX_CANTCREAT, "%s", err);
	L.astore = aiops_alertstore_new(L.st, a->alert_expire, a->alert_retention);
	if (tokens_load(L.st) == -1)
		fatalx(aiops_state_exit_status(L.st), "%s: %s", aiops_state_path(L.st),
		    aiops_state_errmsg(L.st));
	if (L.auth && aiops_tokenset_size(L.tokens) == 0)
		log_warnx("no token may write yet: every request will be refused "
		    "(aiops-ingest token add NAME; or ingest.listen.auth: false)");
	if (aiops_journal_last(L.st, &L.committed) == -1)
		fatalx(aiops_state_exit_status(L.st), "%s: %s", aiops_state_path(L.st),
		    aiops_state_errmsg(L.st));
}

static struct aiops_httpd *
start_httpd(const struct ingest_listen_args *a)
{
	struct aiops_httpd_opts o;
	struct aiops_httpd *h;
	char err[512], *cert, *key;

	memset(&o, 0, sizeof(o));
	o.listen = a->listen;
	o.max_body = (size_t)aiops_conf_int(L.cfg, "ingest.listen.max_body", 0);
	o.timeout = (unsigned)(aiops_conf_duration(L.cfg, "ingest.listen.timeout", 0) /
	    AIOPS_NS_PER_SEC);
	o.max_conns = (unsigned)aiops_conf_int(L.cfg, "ingest.listen.max_connections", 0);
	o.per_ip = (unsigned)aiops_conf_int(L.cfg, "ingest.listen.per_ip", 0);
	cert = read_pem("ingest.listen.tls.cert");
	key = read_pem("ingest.listen.tls.key");
	o.cert_pem = cert;
	o.key_pem = key;
	h = aiops_httpd_start(&o, handle, NULL, err, sizeof(err));
	if (key != NULL)
		explicit_bzero(key, strlen(key));
	free(cert);
	free(key);
	if (h == NULL)
		fatalx(EX_UNAVAILABLE, "--listen %s", err);
	return h;
}

/* Threads started from here on get SIGINT, SIGTERM, SIGHUP blocked. */
static void
block_signals(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(how, &set, NULL);
}

/* Waits for news for the writer: committed past from, a signal, or a second. */
static void
wait_more(int64_t from)
{
	struct timespec ts;

	pthread_mutex_lock(&L.mu);
	if (L.committed <= from) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&L.more, &L.mu, &ts);
	}
	pthread_mutex_unlock(&L.mu);
}

static void
init_sync(void)
{
	pthread_mutex_init(&L.mu, NULL);
	pthread_mutex_init(&L.mmu, NULL);
	pthread_rwlock_init(&L.tlock, NULL);
	pthread_cond_init(&L.work, NULL);
	pthread_cond_init(&L.done, NULL);
	pthread_cond_init(&L.more, NULL);
	aiops_hmap_init(&L.replay[0]);
	aiops_hmap_init(&L.replay[1]);
	aiops_hmap_init(&L.buckets[0]);
	aiops_hmap_init(&L.buckets[1]);
}

/* SIGHUP: the configuration again (secrets are read per request anyway). */
static void
reload(void)
{
	struct aiops_conf *old = NULL;
	char err[1024];

	aiops_reload = 0;
	if (aiops_cli_reload(L.args->cli, &old, err, sizeof(err)) == -1) {
		log_warnx("reload: %s: keeping the configuration in force", err);
		return;
	}
	/* Requests in flight may still read the old one: it is kept until exit. */
	pthread_mutex_lock(&L.mu);
	settings(L.args);
	pthread_mutex_unlock(&L.mu);
	if (tokens_load(L.wst) == -1)
		log_warnx("reload: tokens: %s", aiops_state_errmsg(L.wst));
	log_info("configuration reloaded");
	(void)old;
}

int
ingest_listen(const struct ingest_listen_args *a)
{
	struct writer w;
	pthread_t ct;
	int64_t from;
	int out_ok = 1, rc;

	settings(a);
	init_sync();
	open_stores(a);
	from = start_seq(L.wst, 0);
	L.written = from < L.committed ? from : L.committed;
	aiops_filter_signals();
	aiops_filter_reload_signals(NULL);
	/*
	 * A reader gone is an EPIPE to stop on gracefully, answering the
	 * requests in flight, not a signal that ends the process among them.
	 */
	signal(SIGPIPE, SIG_IGN);
	block_signals(SIG_BLOCK);
	/* Listening first: a bad address exits before any thread runs. */
	L.httpd = start_httpd(a);
	L.committing = 1;
	L.cursor_saved = from;
	if (pthread_create(&ct, NULL, committer, NULL) != 0)
		fatal(EX_OSERR, "starting the committer");
	block_signals(SIG_UNBLOCK);
	if (a->cli->verbosity > 0 || isatty(STDERR_FILENO))
		log_info("listening on %s (port %u)", a->listen, aiops_httpd_port(L.httpd));
	memset(&w, 0, sizeof(w));
	w.last = w.saved_seq = from;
	aiops_out_init(&w.out, STDOUT_FILENO);
	while (!aiops_stop) {
		if (aiops_reload)
			reload();
		if ((rc = write_some(&w, &from)) == 1)
			continue;
		if (rc == -1 && w.out.error != 0) {
			/* The pipeline downstream is gone: stop; a restart goes on from the cursor. */
			out_ok = 0;
			break;
		}
		save_cursor(&w, 1);
		wait_more(from);
	}
	/* Graceful: no new connections, the requests in flight answered. */
	aiops_httpd_stop(L.httpd);
	pthread_mutex_lock(&L.mu);
	L.stopping = 1;
	pthread_cond_signal(&L.work);
	pthread_mutex_unlock(&L.mu);
	pthread_join(ct, NULL);
	L.committing = 0;	/* the main thread is the one writer left */
	while (out_ok && write_some(&w, &from) == 1)
		;
	save_cursor(&w, 1);
	aiops_out_close(&w.out);
	aiops_tokenset_free(L.tokens);
	if (aiops_mstore_free(L.mstore) == -1)
		log_warnx("closing the store of metrics failed");
	aiops_alertstore_free(L.astore);
	aiops_state_close(L.st);
	aiops_state_close(L.wst);
	return out_ok ? EX_OK : EX_IOERR;
}

/* ---- --replay ---- */

int
ingest_replay(const struct ingest_listen_args *a)
{
	struct writer w;
	int64_t from, first;
	int rc;

	settings(a);
	init_sync();
	L.cursor = a->cursor;
	L.wst = aiops_cli_state(a->cli, 0, "");
	from = a->from_seq > 0 || a->cursor != NULL ? start_seq(L.wst, 1) : 0;
	if (aiops_journal_first(L.wst, &first) == 0 && first > 0 && from + 1 < first)
		log_warnx("events %" PRId64 " to %" PRId64 " are past the retention and gone",
		    from + 1, first - 1);
	memset(&w, 0, sizeof(w));
	w.last = w.saved_seq = from;
	aiops_out_init(&w.out, STDOUT_FILENO);
	while ((rc = write_some(&w, &from)) == 1 && !aiops_stop)
		;
	save_cursor(&w, 1);
	aiops_out_close(&w.out);
	aiops_state_close(L.wst);
	return rc == -1 ? EX_IOERR : EX_OK;
}
