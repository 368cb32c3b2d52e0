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
    struct attempt *a)
{
	struct started_ctx ctx = { w, id };
	struct aiops_proc_opts o = {
		.timeout_ns = timeout_ns, .output_max = w->output_max,
		.started = on_started, .arg = &ctx,
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
		if (run_argv(w, id, argv, timeout, "check mode: ", a) == -1) {
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
	run_argv(w, id, argv, timeout, "", a);
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

	memcpy(s, a->output.data + from, a->output.len - from);
	s[a->output.len - from] = '\0';
	return s;
}

/* The outcome of an attempt of t, committed, told and audited. */
static void
record(struct worker *w, const struct aiops_task *t, struct attempt *a)
{
	int64_t now = aiops_clock_now(), next = now;
	const char *state, *status;
	char *output = output_tail(a, w->output_max), detail[640];
	json_t *extra;

	if (a->ok) {
		state = status = "succeeded";
		snprintf(detail, sizeof(detail), "exit status 0");
	} else if (t->attempts < t->max_attempts) {
		state = "queued";
		status = "failed";
		next = aiops_retry_next(&w->backoff, (unsigned)(t->attempts - 1),
		    (uint64_t)t->id, now, NULL);
		snprintf(detail, sizeof(detail), "%s; attempt %d of %d, the next in %lld ms",
		    a->error, t->attempts, t->max_attempts, (long long)((next - now) / 1000000));
	} else {
		state = status = "dead";
		snprintf(detail, sizeof(detail), "%s; attempt %d of %d, none left", a->error,
		    t->attempts, t->max_attempts);
	}
	txn_begin(w);
	if (aiops_task_end(w->state, t->id, state, now, next, a->exit_status, output,
	    a->ok ? NULL : a->error) == -1)
		state_fatal(w->state, "recording a task's outcome");
	audit(w->state, now, status, t->rule, t->target, t->id, t->event_id, detail);
	txn_commit(w);
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
	free(output);
}

/* Claims t; 0 when another worker was first. */
static int
claim(struct worker *w, struct aiops_task *t)
{
	int64_t now = aiops_clock_now();
	json_t *spec, *extra;
	char err[256], **argv, *text;
	int claimed;

	if (aiops_task_claim(w->state, t->id, w->id, now, &claimed) == -1)
		state_fatal(w->state, "claiming a task");
	if (!claimed)
		return 0;
	t->attempts++;
	spec = json_loads(t->spec, 0, NULL);
	argv = spec != NULL ? aiops_spec_argv(spec, w->ansible, "<vars file>", 0, err,
	    sizeof(err)) : NULL;
	extra = json_pack("{s:i}", "attempt", t->attempts);
	if (argv != NULL) {
		json_t *a = json_array();
		size_t i;

		for (i = 0; argv[i] != NULL; i++)
			json_array_append_new(a, json_string(argv[i]));
		json_object_set_new(extra, "argv", a);
	}
	text = argv != NULL ? json_dumps(json_object_get(extra, "argv"), JSON_COMPACT) : NULL;
	audit(w->state, now, "started", t->rule, t->target, t->id, t->event_id,
	    text != NULL ? text : t->spec);
	free(text);
	task_event(w->out, "started", now, t, extra);
	json_decref(extra);
	json_decref(spec);
	aiops_argv_free(argv);
	return 1;
}

static void
run_one(struct worker *w, struct aiops_task *t)
{
	struct attempt a;
	json_t *spec;

	memset(&a, 0, sizeof(a));
	aiops_out_commit(w->out);
	(void)aiops_out_flush(w->out);	/* "started" is out before the action runs */
	if ((spec = json_loads(t->spec, 0, NULL)) == NULL) {
		a.exit_status = -1;
		a.error = xstrdup("its stored action is not JSON");
	} else {
		attempt_run(w, t->id, spec, &a);
		json_decref(spec);
	}
	w->ran++;
	record(w, t, &a);
	aiops_out_commit(w->out);
	aiops_buf_release(&a.output);
	free(a.error);
}

void
worker_run_due(struct worker *w)
{
	struct aiops_task_list l;
	int claimed;

	while (!aiops_stop) {
		txn_begin(w);
		if (aiops_task_due(w->state, aiops_clock_now(), &l) == -1)
			state_fatal(w->state, "reading the queue");
		claimed = l.n == 1 && claim(w, &l.v[0]);
		txn_commit(w);
		if (l.n == 0) {
			aiops_task_list_release(&l);
			return;
		}
		if (claimed)
			run_one(w, &l.v[0]);
		aiops_task_list_release(&l);
	}
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
		log_warnx("task %lld (%s, %s): %s", (long long)t->id, t->rule, t->target, detail);
	}
	txn_commit(w);
	aiops_out_commit(w->out);
	aiops_task_list_release(&l);
}
