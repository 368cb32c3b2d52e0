/*
 * worker.c: the queue's side of aiops-run. A task is claimed in a
 * transaction of its own, committed before its action starts (so a worker
 * killed mid-task leaves it running, for worker_recover() to find), run as
 * a child process (run/proc.h), and its outcome committed: succeeded,
 * queued again after a backoff, or dead (a dead letter, with the reason).
 * Every step is in the audit log and is a task event on stdout.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "run.h"
#include "run/proc.h"
#include "tool/filter.h"
#include "tool/log.h"

/* What one attempt came to. */
struct attempt {
	int		 ok;
	int		 exit_status;	/* -1: none */
	char		*error;		/* why it failed, or NULL */
	int		 permanent;	/* retrying cannot help (an HTTP 4xx) */
	char		*retry_after;	/* the service asked to wait, or NULL */
	struct aiops_buf output;
};

static void
txn_begin(struct worker *w)
{
	if (aiops_state_begin(w->state) == -1)
		state_fatal(w->state, "beginning a transaction");
}

static void
txn_commit(struct worker *w)
{
	if (aiops_state_commit(w->state) == -1)
		state_fatal(w->state, "committing");
}

struct started_ctx {
	struct worker	*w;
	int64_t		 id;
};

/* The action's process group is recorded, so recovery can kill it. */
static void
on_started(void *arg, pid_t pgid)
{
	struct started_ctx *c = arg;

	txn_begin(c->w);
	if (aiops_task_set_pgid(c->w->state, c->id, (long)pgid) == -1)
		state_fatal(c->w->state, "recording a task's process group");
	txn_commit(c->w);
}

/* Runs argv once into a; label ("check: ") prefixes its failure. */
static int
run_argv(struct worker *w, int64_t id, char **argv, int64_t timeout_ns, const char *label,
    struct attempt *a, char *const *env)
{
	struct started_ctx ctx = { w, id };
	struct aiops_proc_opts o = {
		.timeout_ns = timeout_ns, .output_max = w->output_max,
		.started = on_started, .arg = &ctx, .env = env,
	};
	struct aiops_proc_result r;
	char err[512];

	if (aiops_proc_run(argv, &o, &r, err, sizeof(err)) == -1) {
		xasprintf(&a->error, "%s%s", label, err);
		return -1;
	}
	aiops_buf_add(&a->output, r.output, r.len);
	a->exit_status = r.exit_status;
	if (r.timed_out)
		xasprintf(&a->error, "%stimed out after %lld s: its process group was killed",
		    label, (long long)(timeout_ns / 1000000000));
	else if (r.exit_status == -1)
		xasprintf(&a->error, "%skilled by signal %d", label, r.signal);
	else if (r.exit_status != 0)
		xasprintf(&a->error, "%sexit status %d", label, r.exit_status);
	free(r.output);
	return a->error == NULL ? 0 : -1;
}

/* The vars of a playbook task in a file only we may read: its path (free). */
static char *
write_vars(const json_t *vars, char **dir, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char *path;
	int fd;

	xasprintf(dir, "%s/aiops-run.XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(*dir) == NULL) {
		snprintf(err, errlen, "%s: %s", *dir, strerror(errno));
		free(*dir);
		*dir = NULL;
		return NULL;
	}
	xasprintf(&path, "%s/vars.json", *dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 || json_dumpfd(vars, fd, JSON_COMPACT) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void
remove_vars(char *dir, char *path)
{
	if (path != NULL)
		unlink(path);
	if (dir != NULL)
		rmdir(dir);
	free(path);
	free(dir);
}

/* The action of spec, once: a playbook in check mode first when asked. */
static void
attempt_run(struct worker *w, int64_t id, const json_t *spec, struct attempt *a)
{
	int64_t timeout = json_integer_value(json_object_get(spec, "timeout_ms")) * 1000000;
	const char *kind = json_string_value(json_object_get(spec, "kind"));
	char err[512], *dir = NULL, *vars = NULL, **argv;
	int playbook = kind != NULL && strcmp(kind, "playbook") == 0;

	a->exit_status = -1;
	if (kind != NULL && strcmp(kind, "http") == 0) {
		struct http_outcome o;

		http_action(w, spec, id, &o);
		if (o.output != NULL)
			aiops_buf_addstr(&a->output, o.output);
		a->error = o.error;
		a->permanent = o.permanent;
		a->retry_after = o.retry_after;
		a->ok = a->error == NULL;
		free(o.output);
		return;
	}
	if (playbook && (vars = write_vars(json_object_get(spec, "vars"), &dir, err,
	    sizeof(err))) == NULL) {
		a->error = xstrdup(err);
		remove_vars(dir, vars);
		return;
	}
	if (playbook && json_is_true(json_object_get(spec, "check_first"))) {
		if ((argv = aiops_spec_argv(spec, w->ansible, vars, 1, err, sizeof(err))) == NULL) {
			a->error = xstrdup(err);
			goto out;
		}
		aiops_buf_addstr(&a->output, "== check mode ==\n");
		if (run_argv(w, id, argv, timeout, "check mode: ", a, aiops_proc_playbook_env()) == -1) {
			aiops_argv_free(argv);
			goto out;
		}
		aiops_argv_free(argv);
		aiops_buf_addstr(&a->output, "== for real ==\n");
	}
	if ((argv = aiops_spec_argv(spec, w->ansible, vars, 0, err, sizeof(err))) == NULL) {
		a->error = xstrdup(err);
		goto out;
	}
	run_argv(w, id, argv, timeout, "", a, playbook ? aiops_proc_playbook_env() : NULL);
	aiops_argv_free(argv);
out:
	remove_vars(dir, vars);
	a->ok = a->error == NULL;
}

/* The last max bytes of the output, as text to store (new). */
static char *
output_tail(struct attempt *a, size_t max)
{
	size_t from = a->output.len > max ? a->output.len - max : 0;
	char *s = xmalloc(a->output.len - from + 1);

	if (a->output.len > 0)	/* no output: no buffer */
		memcpy(s, a->output.data + from, a->output.len - from);
	s[a->output.len - from] = '\0';
	return s;
}

void
worker_failure(struct worker *w, const struct aiops_task *t, const char *reason)
{
	int64_t now = aiops_clock_now();
	char detail[640];
	json_t *extra;
	int opened;

	if (aiops_breaker_failure(w->state, t->target, t->id, now, w->breaker_failures, reason,
	    &opened) == -1)
		state_fatal(w->state, "counting a failure for the circuit breaker");
	if (!opened)
		return;
	snprintf(detail, sizeof(detail), "%d failures in a row on %s: its tasks stop until"
	    " `aiops-run reset %s`", w->breaker_failures, t->target, t->target);
	audit(w->state, now, "breaker-open", t->rule, t->target, t->id, t->event_id, detail);
	extra = json_pack("{s:s}", "reason", detail);
	task_event(w->out, "breaker-open", now, t, extra);
	json_decref(extra);
}

int
worker_breaker_open(struct worker *w, const char *target, int64_t now, char *detail,
    size_t len)
{
	struct aiops_breaker b;
	char tbuf[AIOPS_TIME_BUFSZ];
	int open;

	if (aiops_breaker_get(w->state, target, &b) == -1)
		state_fatal(w->state, "reading the circuit breakers");
	open = b.opened != 0 && (w->breaker_reset <= 0 || now < b.opened + w->breaker_reset);
	if (open) {
		aiops_time_format(b.opened, tbuf);
		snprintf(detail, len, "circuit breaker open since %s after %d failures in a row"
		    " (task %lld: %.200s); `aiops-run reset %.100s` closes it", tbuf, b.failures,
		    (long long)b.last_task, b.reason ? b.reason : "?", target);
	}
	free(b.reason);
	return open;
}

/* A task queued before its target's breaker opened ends unrun. */
static int
stopped_by_breaker(struct worker *w, const struct aiops_task *t)
{
	int64_t now = aiops_clock_now();
	char detail[640];
	json_t *extra;
	int moved;

	if (!worker_breaker_open(w, t->target, now, detail, sizeof(detail)))
		return 0;
	if (aiops_task_move(w->state, t->id, "queued", "dead", now, 0, 0, detail, NULL,
	    &moved) == -1)
		state_fatal(w->state, "ending a task");
	audit(w->state, now, "suppressed", t->rule, t->target, t->id, t->event_id, detail);
	extra = json_pack("{s:s}", "reason", detail);
	task_event(w->out, "suppressed", now, t, extra);
	json_decref(extra);
	return 1;
}

void
worker_success(struct worker *w, const struct aiops_task *t)
{
	if (aiops_breaker_reset(w->state, t->target) == -1)
		state_fatal(w->state, "closing a circuit breaker");
}

/* Sends a successful task with a verify block to verifying. */
static void
start_verifying(struct worker *w, const struct aiops_task *t, const json_t *verify,
    int64_t now)
{
	int64_t within = json_integer_value(json_object_get(verify, "within_ms")) * 1000000;
	int moved;

	if (aiops_task_move(w->state, t->id, "verifying", "verifying", now, now, now + within,
	    NULL, NULL, &moved) == -1)
		state_fatal(w->state, "recording a task's outcome");
}

/* The outcome of an attempt of t, committed, told and audited. */
static void
record(struct worker *w, const struct aiops_task *t, struct attempt *a, const json_t *spec)
{
	int64_t now = aiops_clock_now(), next = now;
	const json_t *verify = json_object_get(spec, "verify");
	const char *state, *status;
	char *output = output_tail(a, w->output_max), detail[640];
	json_t *extra;

	if (a->ok) {
		state = status = "succeeded";
		snprintf(detail, sizeof(detail), "exit status 0%s",
		    verify != NULL ? "; verifying" : "");
	} else if (t->attempts < t->max_attempts && !a->permanent) {
		state = "queued";
		status = "failed";
		next = aiops_retry_next(&w->backoff, (unsigned)(t->attempts - 1),
		    (uint64_t)t->id, now, a->retry_after);
		snprintf(detail, sizeof(detail), "%s; attempt %d of %d, the next in %lld ms",
		    a->error, t->attempts, t->max_attempts, (long long)((next - now) / 1000000));
	} else {
		state = status = "dead";
		snprintf(detail, sizeof(detail), "%s; attempt %d of %d, %s", a->error,
		    t->attempts, t->max_attempts, a->permanent ? "retrying cannot help" :
		    "none left");
	}
	txn_begin(w);
	if (aiops_task_end(w->state, t->id, a->ok && verify != NULL ? "verifying" : state, now,
	    next, a->exit_status, output, a->ok ? NULL : a->error) == -1)
		state_fatal(w->state, "recording a task's outcome");
	audit(w->state, now, status, t->rule, t->target, t->id, t->event_id, detail);
	if (a->ok && verify != NULL)
		start_verifying(w, t, verify, now);
	else if (a->ok)
		worker_success(w, t);
	extra = json_pack("{s:i, s:i, s:s}", "attempt", t->attempts, "max_attempts",
	    t->max_attempts, "output", output);
	if (a->exit_status >= 0)
		json_object_set_new(extra, "exit_status", json_integer(a->exit_status));
	if (!a->ok)
		json_object_set_new(extra, "reason", json_string(a->error));
	if (strcmp(state, "queued") == 0)
		json_object_set_new(extra, "retry_at", json_integer(next / 1000000));
	task_event(w->out, status, now, t, extra);
	json_decref(extra);
	if (strcmp(state, "dead") == 0)
		worker_failure(w, t, a->error);
	txn_commit(w);
	free(output);
}

/* Claims t, whose stored action is spec (NULL: not JSON); 0 when another
 * worker was first. */
static int
claim(struct worker *w, struct aiops_task *t, const json_t *spec)
{
	int64_t now = aiops_clock_now();
	json_t *extra, *shown, *argv;
	char *text;
	int claimed;

	if (aiops_task_claim(w->state, t->id, w->id, now, &claimed) == -1)
		state_fatal(w->state, "claiming a task");
	if (!claimed)
		return 0;
	t->attempts++;
	extra = json_pack("{s:i}", "attempt", t->attempts);
	shown = aiops_spec_shown(spec, w->ansible);
	json_object_update(extra, shown);
	json_decref(shown);
	argv = json_object_get(extra, "argv");
	text = argv != NULL ? json_dumps(argv, JSON_COMPACT) : NULL;
	audit(w->state, now, "started", t->rule, t->target, t->id, t->event_id,
	    text != NULL ? text : t->spec);
	free(text);
	task_event(w->out, "started", now, t, extra);
	json_decref(extra);
	return 1;
}

static void
run_one(struct worker *w, struct aiops_task *t, const json_t *spec)
{
	struct attempt a;

	memset(&a, 0, sizeof(a));
	aiops_out_commit(w->out);
	(void)aiops_out_flush(w->out);	/* "started" is out before the action runs */
	if (spec == NULL) {
		a.exit_status = -1;
		a.error = xstrdup("its stored action is not JSON");
	} else {
		attempt_run(w, t->id, spec, &a);
	}
	w->ran++;
	record(w, t, &a, spec);
	aiops_out_commit(w->out);
	aiops_buf_release(&a.output);
	free(a.error);
	free(a.retry_after);
}

/* Approvals not given in time end the task. */
static void
expire_approvals(struct worker *w)
{
	struct aiops_task_list l;
	int64_t now = aiops_clock_now();
	const char *why = "no one approved it in time";
	size_t i;
	int moved;

	txn_begin(w);
	if (aiops_task_approval_expired(w->state, now, &l) == -1)
		state_fatal(w->state, "reading the approvals");
	for (i = 0; i < l.n; i++) {
		if (aiops_task_move(w->state, l.v[i].id, "approval", "expired", now, 0, 0, why, NULL,
		    &moved) == -1)
			state_fatal(w->state, "expiring an approval");
		if (!moved)
			continue;
		audit(w->state, now, "expired", l.v[i].rule, l.v[i].target, l.v[i].id,
		    l.v[i].event_id, why);
		{
			json_t *extra = json_pack("{s:s}", "reason", why);

			task_event(w->out, "expired", now, &l.v[i], extra);
			json_decref(extra);
		}
	}
	txn_commit(w);
	aiops_out_commit(w->out);
	aiops_task_list_release(&l);
}

/* One check of a verifying task: verified, unverified at its deadline, or later. */
static void
verify_one(struct worker *w, const struct aiops_task *t, int64_t now)
{
	json_t *spec = json_loads(t->spec, 0, NULL), *verify = json_object_get(spec, "verify");
	int64_t every = json_integer_value(json_object_get(verify, "every_ms")) * 1000000;
	char seen[512], detail[640];
	const char *to;
	json_t *extra;
	int ok, moved;

	ok = verify != NULL && verify_check(w, t, verify, now, seen, sizeof(seen));
	if (verify == NULL)
		snprintf(seen, sizeof(seen), "its stored action has no verify block");
	if (!ok && now < t->verify_deadline && verify != NULL) {
		int64_t next = now + (every > 0 ? every : 30 * 1000000000LL);

		if (next > t->verify_deadline)
			next = t->verify_deadline;
		if (aiops_task_move(w->state, t->id, "verifying", "verifying", now, next, 0, NULL,
		    NULL, &moved) == -1)
			state_fatal(w->state, "scheduling a check");
		json_decref(spec);
		return;
	}
	to = ok ? "verified" : "unverified";
	snprintf(detail, sizeof(detail), "%s%s", seen, ok ? "" : "; the deadline passed");
	if (aiops_task_move(w->state, t->id, "verifying", to, now, 0, 0, ok ? NULL : detail,
	    NULL, &moved) == -1)
		state_fatal(w->state, "recording a check");
	if (moved) {
		audit(w->state, now, to, t->rule, t->target, t->id, t->event_id, detail);
		extra = json_pack("{s:s}", ok ? "evidence" : "reason", detail);
		task_event(w->out, to, now, t, extra);
		json_decref(extra);
		if (ok)
			worker_success(w, t);
		else
			worker_failure(w, t, detail);
	}
	json_decref(spec);
}

static void
verify_due(struct worker *w)
{
	struct aiops_task_list l;
	int64_t now = aiops_clock_now();
	size_t i;

	txn_begin(w);
	if (aiops_task_verify_due(w->state, now, &l) == -1)
		state_fatal(w->state, "reading the tasks verifying");
	for (i = 0; i < l.n; i++)
		verify_one(w, &l.v[i], now);
	txn_commit(w);
	aiops_out_commit(w->out);
	aiops_task_list_release(&l);
}

void
worker_run_due(struct worker *w)
{
	struct aiops_task_list l;
	json_t *spec;
	int claimed;

	expire_approvals(w);
	verify_due(w);
	while (!aiops_stop) {
		txn_begin(w);
		if (aiops_task_due(w->state, aiops_clock_now(), w->per_host, &l) == -1)
			state_fatal(w->state, "reading the queue");
		if (l.n == 0) {
			txn_commit(w);
			aiops_task_list_release(&l);
			break;
		}
		spec = json_loads(l.v[0].spec, 0, NULL);	/* read once, for both */
		claimed = !stopped_by_breaker(w, &l.v[0]) && claim(w, &l.v[0], spec);
		txn_commit(w);
		if (claimed)
			run_one(w, &l.v[0], spec);
		json_decref(spec);
		aiops_task_list_release(&l);
	}
	verify_due(w);	/* the first check of what just ran */
}

void
worker_recover(struct worker *w)
{
	struct aiops_task_list l;
	int64_t now = aiops_clock_now();
	char detail[512];
	size_t i;

	txn_begin(w);
	if (aiops_task_running(w->state, &l) == -1)
		state_fatal(w->state, "reading the running tasks");
	for (i = 0; i < l.n; i++) {
		struct aiops_task *t = &l.v[i];
		int again = t->idempotent && t->attempts < t->max_attempts;

		if (aiops_proc_alive(t->worker))
			continue;
		/* Its worker is gone; what it started may not be. */
		if (t->pgid > 0)
			kill(-(pid_t)t->pgid, SIGKILL);
		snprintf(detail, sizeof(detail), "its worker (%s) died while it ran; %s",
		    t->worker ? t->worker : "?", again ? "idempotent: queued again" :
		    t->idempotent ? "no attempt left" : "not idempotent: not run again");
		if (aiops_task_end(w->state, t->id, again ? "queued" : "dead", now, now, -1, NULL,
		    detail) == -1)
			state_fatal(w->state, "recovering a task");
		audit(w->state, now, again ? "recovered" : "interrupted", t->rule, t->target, t->id,
		    t->event_id, detail);
		{
			json_t *extra = json_pack("{s:s}", "reason", detail);

			task_event(w->out, again ? "recovered" : "dead", now, t, extra);
			json_decref(extra);
		}
		if (!again)
			worker_failure(w, t, detail);
		log_warnx("task %lld (%s, %s): %s", (long long)t->id, t->rule, t->target, detail);
	}
	txn_commit(w);
	aiops_out_commit(w->out);
	aiops_task_list_release(&l);
}
