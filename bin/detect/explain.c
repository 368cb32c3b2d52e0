/*
 * explain.c: aiops-detect --explain, the third tier of detection: a
 * language model (aiops-ask's, the ask section) explains confirmed
 * incidents in a few sentences, with the first thing to check.
 *
 * The stream never waits for a model. The correlator offers each incident
 * event it writes (detect_explain_offer()); one that is confirmed and not
 * yet explained, within the budget (detect.explain.per_minute) and the
 * queue's room, becomes a job. A worker thread asks the model, one job at
 * a time, each bounded by detect.explain.timeout, and puts the answer on
 * the list of those done, waking the main thread through a pipe; the main
 * thread writes the explanation events between batches of input
 * (detect_explain_write()), and at the end of input waits for the jobs
 * left (detect_explain_finish()). What leaves the machine is redacted
 * (llm/redactor.h) and the answer restored; the redactor and the client
 * are the worker's alone.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "detect.h"
#include "llm/chat.h"
#include "llm/settings.h"
#include "llm/redactor.h"
#include "tool/log.h"

#define MINUTE_NS		(60 * AIOPS_NS_PER_SEC)
#define QUEUE_MAX		64	/* jobs waiting or running at most */
#define PROMPT_MEMBERS		12	/* members a prompt lists at most */
#define ANSWER_MAX		4096	/* bytes of an explanation kept */

#define CSTR(b)	((b)->data != NULL ? (b)->data : "")

static const char system_prompt[] =
    "You are aiops-detect's explainer, writing for an operator on call. You are given an "
    "incident that an anomaly detector and a correlator found: its title, severity, hosts, "
    "suspected cause and the anomalies and alerts in it. In 2 to 4 sentences of plain text, "
    "say what is most likely happening and why, then the first thing to check. Do not "
    "invent numbers, hosts or times that are not given. Words in square brackets such as "
    "[IP_1] stand for redacted values: keep them as they are.";

struct job {
	struct job		*next;
	char			 incident_id[AIOPS_EVENT_ID_LEN + 1];
	char			*host;		/* the suspected cause's, or NULL */
	json_t			*hosts;		/* the incident's: names to redact (a copy) */
	char			*prompt;	/* as the main thread wrote it: not redacted */
	/* set by the worker */
	enum aiops_llm_error	 rc;
	char			*text;		/* the answer, restored; NULL on failure */
	int64_t			 elapsed_ms;
	char			 err[512];
};

struct explainer {
	/* the worker's alone */
	struct aiops_llm	*llm;
	struct aiops_redactor	*red;
	/* set at start, read by both */
	char			*backend, *model;
	/* shared, under mu */
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;
	struct job		*queue, **queue_tail;
	struct job		*done, **done_tail;
	size_t			 pending;	/* queued or running */
	int			 quit;		/* no more jobs come */
	int			 cancel;	/* drop the jobs left, stop the one running */
	int			 refused;	/* the model refused: no more calls */
	/* the main thread's */
	pthread_t		 thread;
	int			 wake[2];	/* a byte: something is done */
	int			 per_minute;
	int64_t			*admitted;	/* ring: when the last per_minute jobs came */
	size_t			 next_slot;
	json_t			*seen;		/* incident ids with a job */
	unsigned long		 jobs, written, failed, skipped;
	int			 warned;
};

/* ---------------------------------------------------------------- */
/* The worker                                                       */

static int
on_token(const char *p, size_t n, void *arg)
{
	struct explainer *x = arg;
	int stop;

	(void)p;
	(void)n;
	pthread_mutex_lock(&x->mu);
	stop = x->cancel;
	pthread_mutex_unlock(&x->mu);
	return stop;
}

/* Trims space around an answer and cuts it to ANSWER_MAX bytes (whole characters). */
static char *
tidy(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == '\t'))
		n--;
	if (n > ANSWER_MAX) {
		n = ANSWER_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return n > 0 ? xstrndup(s, n) : NULL;
}

/* One job: the prompt redacted, the model asked, its answer restored. */
static void
run(struct explainer *x, struct job *j)
{
	struct aiops_buf red = AIOPS_BUF_INIT, back = AIOPS_BUF_INIT;
	struct aiops_llm_reply reply;
	json_t *msgs;
	int64_t t0 = aiops_monotonic_ns();
	size_t i;
	json_t *h;

	/* known host names, for ask.redact.hostnames (the redactor ignores them otherwise) */
	json_array_foreach(j->hosts, i, h)
		if (x->red != NULL)
			(void)aiops_redactor_add_host(x->red, json_string_value(h));
	if (x->red != NULL && aiops_redactor_apply(x->red, j->prompt, strlen(j->prompt),
	    &red) == -1) {
		/* fail closed: nothing unredacted leaves */
		j->rc = AIOPS_LLM_E_PROTOCOL;
		snprintf(j->err, sizeof(j->err), "redacting the prompt: %s", strerror(errno));
		aiops_buf_release(&red);
		return;
	}
	msgs = json_pack("[{s:s, s:s}, {s:s, s:s}]", "role", "system", "content", system_prompt,
	    "role", "user", "content", x->red != NULL ? CSTR(&red) : j->prompt);
	aiops_llm_reply_init(&reply);
	j->rc = aiops_llm_chat(x->llm, msgs, NULL, on_token, x, &reply, j->err, sizeof(j->err));
	j->elapsed_ms = (aiops_monotonic_ns() - t0) / 1000000;
	if (j->rc == AIOPS_LLM_OK) {
		if (x->red != NULL && aiops_redactor_restore(x->red, CSTR(&reply.text),
		    reply.text.len, &back) == 0)
			j->text = tidy(CSTR(&back), back.len);
		else if (x->red == NULL)
			j->text = tidy(CSTR(&reply.text), reply.text.len);
		if (j->text == NULL) {
			j->rc = AIOPS_LLM_E_PROTOCOL;
			snprintf(j->err, sizeof(j->err), "the model gave no text");
		}
	}
	aiops_llm_reply_release(&reply);
	aiops_buf_release(&back);
	aiops_buf_release(&red);
	json_decref(msgs);
}

static void *
worker(void *arg)
{
	struct explainer *x = arg;
	struct job *j;
	char c = 'x';

	pthread_mutex_lock(&x->mu);
	for (;;) {
		while (x->queue == NULL && !x->quit)
			pthread_cond_wait(&x->work, &x->mu);
		if ((j = x->queue) == NULL)
			break;
		if ((x->queue = j->next) == NULL)
			x->queue_tail = &x->queue;
		j->next = NULL;
		if (x->cancel || x->refused) {
			j->rc = AIOPS_LLM_E_CANCELLED;
		} else {
			pthread_mutex_unlock(&x->mu);
			run(x, j);
			pthread_mutex_lock(&x->mu);
			if (j->rc == AIOPS_LLM_E_REFUSED)
				x->refused = 1;
		}
		*x->done_tail = j;
		x->done_tail = &j->next;
		x->pending--;
		/* the pipe is non-blocking: when full, the main thread is awake anyway */
		(void)!write(x->wake[1], &c, 1);
	}
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

/* ---------------------------------------------------------------- */
/* The main thread's side                                           */

static void
job_free(struct job *j)
{
	free(j->host);
	json_decref(j->hosts);
	free(j->prompt);
	free(j->text);
	free(j);
}

/* The client, the redactor, the thread: 0, or -1 with err. */
static int
start(struct explainer *x, struct aiops_llm_settings *s, int64_t timeout, char *err,
    size_t errlen)
{
	int i;

	/*
	 * A call is not retried and does not wait for a rate: the budget is
	 * detect.explain.per_minute, and one call takes the timeout at most.
	 */
	s->llm.timeout_ms = (long)(timeout / 1000000);
	s->llm.idle_timeout_ms = s->llm.timeout_ms;
	if (s->llm.connect_timeout_ms == 0 || s->llm.connect_timeout_ms > s->llm.timeout_ms)
		s->llm.connect_timeout_ms = s->llm.timeout_ms;
	s->llm.retries = 0;
	s->llm.rate_per_min = 0;
	s->llm.seed = (uint64_t)getpid();
	if ((x->llm = aiops_llm_new(&s->llm, err, errlen)) == NULL)
		return -1;
	if (s->redact != 0 && (x->red = aiops_redactor_new(s->redact, err, errlen)) == NULL)
		return -1;
	x->backend = xstrdup(s->backend);
	x->model = xstrdup(s->llm.model);
	if (pipe(x->wake) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < 2; i++) {
		(void)fcntl(x->wake[i], F_SETFL, fcntl(x->wake[i], F_GETFL) | O_NONBLOCK);
		(void)fcntl(x->wake[i], F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_init(&x->mu, NULL);
	pthread_cond_init(&x->work, NULL);
	x->queue_tail = &x->queue;
	x->done_tail = &x->done;
	if ((errno = pthread_create(&x->thread, NULL, worker, x)) != 0) {
		snprintf(err, errlen, "starting the explainer's thread: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
release(struct explainer *x)
{
	aiops_llm_free(x->llm);
	aiops_redactor_free(x->red);
	free(x->backend);
	free(x->model);
	free(x->admitted);
	json_decref(x->seen);
	free(x);
}

int
detect_explain_init(struct detect *d, const struct detect_explain_conf *conf)
{
	struct aiops_llm_settings s;
	struct explainer *x;
	char err[1024];
	int rc;

	if ((rc = aiops_llm_settings_from(d->cfg, &s, err, sizeof(err))) != 1) {
		if (rc == -1 && conf->required)
			fatalx(EX_CONFIG, "%s", err);
		if (rc == -1)
			log_warnx("explanations off: %s", err);
		else if (conf->required)
			fatalx(EX_CONFIG, "--explain needs a model: set ask.backend, ask.url and "
			    "ask.model (aiops(7))");
		return 0;
	}
	x = xcalloc(1, sizeof(*x));
	x->per_minute = conf->per_minute;
	x->admitted = xcalloc((size_t)conf->per_minute + 1, sizeof(*x->admitted));
	x->seen = json_object();
	x->wake[0] = x->wake[1] = -1;
	if (start(x, &s, conf->timeout, err, sizeof(err)) == -1) {
		aiops_llm_settings_wipe(&s);
		for (rc = 0; rc < 2; rc++)
			if (x->wake[rc] != -1)
				close(x->wake[rc]);
		release(x);
		if (conf->required)
			fatalx(EX_CONFIG, "%s", err);
		log_warnx("explanations off: %s", err);
		return 0;
	}
	aiops_llm_settings_wipe(&s);
	log_debug("explanations by %s model %s, at most %d a minute", x->backend, x->model,
	    x->per_minute);
	d->explain = x;
	return 1;
}

/*
 * Confirmed, for an explanation: told open or updated with at least two
 * members, or critical. An incident is explained once.
 */
static int
confirmed(const struct detect_incident_view *v)
{
	if (strcmp(v->status, "open") != 0 && strcmp(v->status, "updated") != 0)
		return 0;
	return v->nmembers >= 2 || strcmp(v->severity, "critical") == 0;
}

/* Is there room in the last minute's budget? Takes it when there is. */
static int
within_budget(struct explainer *x)
{
	int64_t now = aiops_monotonic_ns();
	size_t n = (size_t)x->per_minute;

	/* the slot to reuse holds the oldest of the last per_minute jobs */
	if (x->jobs >= n && now - x->admitted[x->next_slot] < MINUTE_NS)
		return 0;
	x->admitted[x->next_slot] = now;
	x->next_slot = (x->next_slot + 1) % n;
	return 1;
}

static const char *
str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A member as a line: when, what, where, and what the detector saw. */
static void
member_line(struct aiops_buf *b, const char *lead, const json_t *m)
{
	const json_t *v;

	aiops_buf_addf(b, "%s%s %s %s", lead, str(m, "ts") ? str(m, "ts") : "?",
	    str(m, "kind") ? str(m, "kind") : "signal", str(m, "what") ? str(m, "what") : "");
	if (str(m, "host") != NULL)
		aiops_buf_addf(b, " on %s", str(m, "host"));
	if (str(m, "service") != NULL)
		aiops_buf_addf(b, " (%s)", str(m, "service"));
	if (str(m, "detector") != NULL)
		aiops_buf_addf(b, ", detector %s", str(m, "detector"));
	if (str(m, "severity") != NULL)
		aiops_buf_addf(b, ", severity %s", str(m, "severity"));
	if (json_is_number(v = json_object_get(m, "value")))
		aiops_buf_addf(b, ", value %.6g", json_number_value(v));
	if (json_is_number(v = json_object_get(m, "deviation")))
		aiops_buf_addf(b, ", %.3g robust deviations from its baseline", json_number_value(v));
	if (json_is_number(v = json_object_get(m, "score")))
		aiops_buf_addf(b, ", score %.2f", json_number_value(v));
	if (json_is_true(json_object_get(m, "resolved")))
		aiops_buf_addstr(b, ", resolved");
	aiops_buf_addstr(b, "\n");
}

/* What the model reads (redacted by the worker). A new string. */
static char *
prompt(const struct detect_incident_view *v)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i, n = json_array_size(v->members);
	json_t *h;

	aiops_buf_addf(&b, "Incident: %s\nSeverity: %s\nHosts:", v->title, v->severity);
	json_array_foreach(v->hosts, i, h)
		aiops_buf_addf(&b, "%s %s", i ? "," : "", json_string_value(h));
	if (json_array_size(v->hosts) == 0)
		aiops_buf_addstr(&b, " unknown");
	aiops_buf_addstr(&b, "\n");
	member_line(&b, "Suspected cause: ", v->root);
	aiops_buf_addf(&b, "Signals: %zu in all; ", v->nmembers);
	if (n > PROMPT_MEMBERS)
		aiops_buf_addf(&b, "the first %d:\n", PROMPT_MEMBERS);
	else
		aiops_buf_addstr(&b, "they are:\n");
	for (i = 0; i < n && i < PROMPT_MEMBERS; i++)
		member_line(&b, "- ", json_array_get(v->members, i));
	aiops_buf_addstr(&b, "Explain this incident and say the first thing to check.\n");
	return aiops_buf_detach(&b, NULL);
}

void
detect_explain_offer(struct detect *d, const struct detect_incident_view *v)
{
	struct explainer *x = d->explain;
	struct job *j;
	int full;

	if (x == NULL || !confirmed(v) || json_object_get(x->seen, v->id) != NULL)
		return;
	pthread_mutex_lock(&x->mu);
	full = x->pending >= QUEUE_MAX || x->refused;
	pthread_mutex_unlock(&x->mu);
	if (full || !within_budget(x)) {
		x->skipped++;
		log_debug("incident %s not explained: %s", v->id, full ?
		    "the queue is full" : "over detect.explain.per_minute");
		return;
	}
	json_object_set_new(x->seen, v->id, json_true());
	j = xcalloc(1, sizeof(*j));
	snprintf(j->incident_id, sizeof(j->incident_id), "%s", v->id);
	j->host = v->host != NULL ? xstrdup(v->host) : NULL;
	j->hosts = json_deep_copy(v->hosts);
	j->prompt = prompt(v);
	x->jobs++;
	pthread_mutex_lock(&x->mu);
	*x->queue_tail = j;
	x->queue_tail = &j->next;
	x->pending++;
	pthread_cond_signal(&x->work);
	pthread_mutex_unlock(&x->mu);
}

/* The explanation event of job j (aiops(7)). */
static void
write_event(struct detect *d, const struct job *j)
{
	struct explainer *x = d->explain;
	struct aiops_event_head h;
	struct aiops_buf key = AIOPS_BUF_INIT;
	char ts[AIOPS_TIME_BUFSZ], id[AIOPS_EVENT_ID_LEN + 1];
	struct aiops_jw w;

	/* the same incident and model give the same id, whenever it is written */
	aiops_buf_addf(&key, "%s/%s/%s", j->incident_id, x->backend, x->model);
	memset(&h, 0, sizeof(h));
	h.type = "explanation";
	h.source = "aiops-detect";
	h.idkey = key.data;
	h.idklen = key.len;
	aiops_event_id_text(aiops_event_id(&h), id);
	aiops_buf_release(&key);
	aiops_time_format(aiops_clock_now(), ts);
	aiops_jw_init(&w, &d->out.buf);
	aiops_jw_object_begin(&w);
	aiops_jw_kcstr(&w, "type", "explanation");
	aiops_jw_kcstr(&w, "ts", ts);
	aiops_jw_kcstr(&w, "id", id);
	if (j->host != NULL)
		aiops_jw_kcstr(&w, "host", j->host);
	aiops_jw_kcstr(&w, "source", "aiops-detect");
	aiops_jw_key(&w, "labels", 6);
	aiops_jw_object_begin(&w);
	aiops_jw_object_end(&w);
	aiops_jw_kcstr(&w, "incident_id", j->incident_id);
	aiops_jw_kcstr(&w, "text", j->text);
	aiops_jw_kcstr(&w, "backend", x->backend);
	aiops_jw_kcstr(&w, "model", x->model);
	aiops_jw_kint(&w, "elapsed_ms", j->elapsed_ms);
	aiops_jw_object_end(&w);
	aiops_out_end(&d->out);
}

/* A job done: its event, or what failed (a warning the first time). */
static void
settle(struct detect *d, struct job *j)
{
	struct explainer *x = d->explain;

	if (j->rc == AIOPS_LLM_OK) {
		write_event(d, j);
		x->written++;
	} else if (j->rc == AIOPS_LLM_E_CANCELLED) {
		x->skipped++;
	} else if (!x->warned) {
		x->failed++;
		x->warned = 1;
		log_warnx("explaining incident %s failed: %s%s", j->incident_id, j->err,
		    j->rc == AIOPS_LLM_E_REFUSED ? "; no more explanations" :
		    "; incidents go on without explanations while it fails");
	} else {
		x->failed++;
		log_debug("explaining incident %s failed: %s", j->incident_id, j->err);
	}
}

void
detect_explain_write(struct detect *d)
{
	struct explainer *x = d->explain;
	struct job *list, *j;
	char buf[64];

	if (x == NULL)
		return;
	while (read(x->wake[0], buf, sizeof(buf)) > 0)
		continue;
	pthread_mutex_lock(&x->mu);
	list = x->done;
	x->done = NULL;
	x->done_tail = &x->done;
	pthread_mutex_unlock(&x->mu);
	while ((j = list) != NULL) {
		list = j->next;
		settle(d, j);
		job_free(j);
	}
	d->out_safe = d->out.buf.len;
}

int
detect_explain_fd(struct detect *d)
{
	struct explainer *x = d->explain;
	size_t pending;

	if (x == NULL)
		return -1;
	pthread_mutex_lock(&x->mu);
	pending = x->pending;
	pthread_mutex_unlock(&x->mu);
	return pending > 0 ? x->wake[0] : -1;
}

void
detect_explain_finish(struct detect *d, int cancel)
{
	struct explainer *x = d->explain;

	if (x == NULL)
		return;
	pthread_mutex_lock(&x->mu);
	x->quit = 1;
	x->cancel = cancel;
	pthread_cond_signal(&x->work);
	pthread_mutex_unlock(&x->mu);
	/* each job takes detect.explain.timeout at most */
	pthread_join(x->thread, NULL);
	detect_explain_write(d);
	log_info("%lu explanation%s of %lu asked, %lu failed, %lu skipped", x->written,
	    x->written == 1 ? "" : "s", x->jobs, x->failed, x->skipped);
	close(x->wake[0]);
	close(x->wake[1]);
	pthread_cond_destroy(&x->work);
	pthread_mutex_destroy(&x->mu);
	release(x);
	d->explain = NULL;
}
