/*
 * aiops-run: turns events into actions. Each event is matched against the
 * rules of the configuration (run.rules, lib/run/rule.h); a match renders
 * the rule's action for the event and, unless the rule's cooldown for that
 * target is running, queues it as a task in the state. Tasks run as child
 * processes, in this process after each batch of input (the default), or
 * in a separate `aiops-run --worker`. Every decision is in the audit log
 * and is a task event on stdout. `aiops-run test|tasks|audit` look.
 */
#include "compat.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config/conf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/evread.h"
#include "json/jw.h"
#include "run.h"
#include "run/proc.h"
#include "run/ruleindex.h"
#include "store/state.h"
#include "store/tasks.h"
#include "tool/filter.h"
#include "tool/log.h"

#ifndef PLAYBOOKDIR
#define PLAYBOOKDIR	"/usr/local/share/aiops/playbooks"
#endif

#define DAY_NS		(86400LL * AIOPS_NS_PER_SEC)

enum {
	OPT_ALL = AIOPS_OPT_PROGRAM_BASE,
	OPT_DRY_RUN,
	OPT_ENQUEUE,
	OPT_WORKER,
	OPT_ONCE,
};

static const char synopsis[] =
    "aiops-run [-hqVv] [--all] [--dry-run | --enqueue] [--state file] [--config file]\n"
    "                 [--strict] [--max-line bytes] [--clock wall|event]\n"
    "                 [--log-format plain|json] [file ...]\n"
    "       aiops-run --worker [--once] [--state file] [--config file]\n"
    "       aiops-run approve|deny id ...\n"
    "       aiops-run reset target ...\n"
    "       aiops-run test rule [event-file]\n"
    "       aiops-run tasks [--json] [--status state] [--limit n]\n"
    "       aiops-run audit [--json] [--since time]";

static const struct aiops_opt opts[] = {
	{ "all", OPT_ALL, NULL, "write every input event too, unchanged, before what it adds" },
	{ "dry-run", OPT_DRY_RUN, NULL, "queue and run nothing: print what would run" },
	{ "enqueue", OPT_ENQUEUE, NULL, "queue tasks only: a separate --worker runs them" },
	{ "worker", OPT_WORKER, NULL, "read no input: run queued tasks as they fall due,\n"
	    "until SIGTERM; SIGHUP reads the configuration again" },
	{ "once", OPT_ONCE, NULL, "with --worker: run what is due now, then exit (for cron)" },
	AIOPS_OPT_END
};

static struct {
	struct aiops_cli	 cli;
	struct aiops_out	 out;
	struct aiops_filter	 filter;
	struct aiops_evbatch	*batch;
	struct aiops_ruleset	 rules;
	struct aiops_rule_index	*index;		/* of rules */
	size_t			*cand;		/* room for every rule */
	struct worker		 w;
	struct aiops_state	*state;
	int			 all;
	int			 dry_run;
	int			 enqueue;
	int			 worker;
	int			 once;
	int64_t			 poll;		/* the worker's look at the queue */
	unsigned long		 matched, queued, suppressed, refused;
} r;

void
state_fatal(struct aiops_state *st, const char *doing)
{
	(void)aiops_out_flush(&r.out);
	fatalx(aiops_state_exit_status(st), "%s: %s: %s", aiops_state_path(st), doing,
	    aiops_state_errmsg(st));
}

void
audit(struct aiops_state *st, int64_t ts, const char *decision, const char *rule,
    const char *target, int64_t task_id, const char *event_id, const char *detail)
{
	struct aiops_audit a = {
		.ts = ts, .decision = decision, .rule = rule, .target = target,
		.task_id = task_id, .event_id = event_id, .detail = detail,
	};

	if (aiops_audit_add(st, &a) == -1)
		state_fatal(st, "writing the audit log");
}

void
task_event(struct aiops_out *out, const char *status, int64_t ts, const struct aiops_task *t,
    const json_t *extra)
{
	char tbuf[AIOPS_TIME_BUFSZ], id[96];
	struct aiops_jw jw;
	const char *key;
	json_t *v;

	aiops_jw_init(&jw, &out->buf);
	aiops_jw_object_begin(&jw);
	aiops_jw_kcstr(&jw, "type", "task");
	aiops_jw_kstr(&jw, "ts", tbuf, aiops_time_format(ts, tbuf));
	if (t != NULL && t->id != 0) {
		/* Unique per task, status and attempt: a key for receivers' dedup. */
		if (t->attempts > 0)
			snprintf(id, sizeof(id), "task-%lld-%s-%d", (long long)t->id, status,
			    t->attempts);
		else
			snprintf(id, sizeof(id), "task-%lld-%s", (long long)t->id, status);
		aiops_jw_kcstr(&jw, "id", id);
		aiops_jw_kint(&jw, "task_id", t->id);
	}
	aiops_jw_kcstr(&jw, "status", status);
	if (t != NULL) {
		aiops_jw_kcstr(&jw, "rule", t->rule);
		aiops_jw_kcstr(&jw, "target", t->target);
		if (t->action != NULL)
			aiops_jw_kcstr(&jw, "action", t->action);
		if (t->host != NULL)
			aiops_jw_kcstr(&jw, "host", t->host);
		if (t->event_id != NULL)
			aiops_jw_kcstr(&jw, "trigger_id", t->event_id);
	}
	json_object_foreach((json_t *)extra, key, v) {
		aiops_jw_key(&jw, key, strlen(key));
		aiops_jw_json(&jw, v);
	}
	aiops_jw_object_end(&jw);
	aiops_out_end(out);
}

static void
parse_options(int argc, char **argv)
{
	int ch;

	while ((ch = aiops_cli_getopt(&r.cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_ALL:
			r.all = 1;
			break;
		case OPT_DRY_RUN:
			r.dry_run = 1;
			break;
		case OPT_ENQUEUE:
			r.enqueue = 1;
			break;
		case OPT_WORKER:
			r.worker = 1;
			break;
		case OPT_ONCE:
			r.once = 1;
			break;
		default:
			aiops_cli_usage(&r.cli);
		}
	}
	if (r.once && !r.worker)
		fatalx(EX_USAGE, "--once goes with --worker");
	if (r.worker && (optind < argc || r.all || r.enqueue || r.dry_run))
		fatalx(EX_USAGE, "--worker reads no input: no files, --all, --enqueue or --dry-run");
	if (r.dry_run && r.enqueue)
		fatalx(EX_USAGE, "--dry-run queues nothing: --enqueue has nothing to do");
}

/* The rules and settings of the configuration; 0, or -1 with err. */
static int
configure(struct aiops_ruleset *rs, char *err, size_t errlen)
{
	const struct aiops_conf *cfg = r.cli.cfg;
	struct aiops_rule_defaults d = {
		.playbooks = aiops_conf_string(cfg, "run.playbooks", PLAYBOOKDIR),
		.timeout_ns = aiops_conf_duration(cfg, "run.timeout", 600 * AIOPS_NS_PER_SEC),
	};

	const json_t *users;
	int64_t expires;
	size_t i;

	if (aiops_rules_build(aiops_conf_get(cfg, "run.rules"), &d, rs, err, errlen) == -1)
		return -1;
	for (i = 0; i < rs->n; i++)
		if (aiops_rule_approval(rs->v[i], &expires, &users) && users == NULL &&
		    json_array_size(aiops_conf_get(cfg, "run.approval.users")) == 0) {
			snprintf(err, errlen, "run.rules[%zu] (%s): approval: no one may approve:"
			    " give approval.users or run.approval.users", i,
			    aiops_rule_name(rs->v[i]));
			aiops_rules_free(rs);
			return -1;
		}
	return 0;
}

static void
apply_settings(void)
{
	const struct aiops_conf *cfg = r.cli.cfg;

	r.w.ansible = aiops_conf_string(cfg, "run.ansible_playbook", "ansible-playbook");
	r.w.backoff.base_ns = aiops_conf_duration(cfg, "run.retry.base", 10 * AIOPS_NS_PER_SEC);
	r.w.backoff.cap_ns = aiops_conf_duration(cfg, "run.retry.cap", 3600 * AIOPS_NS_PER_SEC);
	r.w.output_max = (size_t)aiops_conf_int(cfg, "run.output_max", AIOPS_PROC_OUTPUT_MAX);
	r.poll = aiops_conf_duration(cfg, "run.poll", 50 * 1000000LL);
	r.w.per_host = (int)aiops_conf_int(cfg, "run.concurrency.per_host", 1);
	r.w.breaker_failures = (int)aiops_conf_int(cfg, "run.breaker.failures", 3);
	r.w.breaker_reset = aiops_conf_duration(cfg, "run.breaker.reset", 0);
}

static void
index_rules(void)
{
	r.index = aiops_rule_index_new(&r.rules);
	free(r.cand);
	r.cand = xcalloc(r.rules.n + 1, sizeof(*r.cand));
}

/* SIGHUP: the configuration again; a mistake keeps the running one. */
static void
reload(void)
{
	struct aiops_ruleset rs;
	struct aiops_conf *old;
	char err[1024];

	aiops_reload = 0;
	if (aiops_cli_reload(&r.cli, &old, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: %s; the running configuration is kept", err);
		return;
	}
	if (configure(&rs, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: %s; the running configuration is kept", err);
		aiops_conf_free(r.cli.cfg);
		r.cli.cfg = old;
		return;
	}
	aiops_rule_index_free(r.index);
	aiops_rules_free(&r.rules);
	r.rules = rs;
	index_rules();
	apply_settings();
	aiops_conf_free(old);
	log_info("SIGHUP: configuration read again (%zu rules)", r.rules.n);
}

/* The event's id, host and now, for the records of one match. */
struct trigger {
	json_t		*ev;
	const char	*id;
	const char	*host;
	int64_t		 now;
};

/* Is rule's cooldown for target running? detail says until when. */
static int
cooling(const struct aiops_rule *rule, const char *target, int64_t now, char *detail,
    size_t len)
{
	int64_t cd = aiops_rule_cooldown(rule);
	struct aiops_task_list l;
	char tbuf[AIOPS_TIME_BUFSZ];
	int on;

	if (cd <= 0)
		return 0;
	if (aiops_task_last(r.state, aiops_rule_name(rule), target,
	    now - cd + 1000000, &l)	/* until created + cd, to the ms stored */ == -1)
		state_fatal(r.state, "reading the cooldowns");
	if ((on = l.n > 0)) {
		aiops_time_format(l.v[0].created + cd, tbuf);
		snprintf(detail, len, "cooldown: task %lld was queued within %lld s; until %s",
		    (long long)l.v[0].id, (long long)(cd / AIOPS_NS_PER_SEC), tbuf);
	}
	aiops_task_list_release(&l);
	return on;
}

/* --dry-run: what would run, as a task event; nothing is stored. */
static void
dry_run(const struct aiops_rule *rule, const struct trigger *tr, const char *target,
    json_t *spec)
{
	struct aiops_task t = {
		.rule = aiops_rule_name(rule), .target = target, .host = tr->host,
		.event_id = tr->id, .action = aiops_rule_action(rule),
	};
	json_t *extra = aiops_spec_shown(spec, r.w.ansible);

	if (json_object_get(spec, "vars") != NULL)
		json_object_set(extra, "vars", json_object_get(spec, "vars"));
	if (json_is_true(json_object_get(spec, "check_first")))
		json_object_set_new(extra, "check_first", json_true());
	if (json_object_get(spec, "verify") != NULL)
		json_object_set(extra, "verify", json_object_get(spec, "verify"));
	task_event(&r.out, "dry-run", tr->now, &t, extra);
	json_decref(extra);
}

/* Has the rule's throttle for key reached its count? detail says so. */
static int
throttled(const struct aiops_rule *rule, const char *key, int64_t now, char *detail,
    size_t len)
{
	int64_t per, n;
	int max;

	if (!aiops_rule_throttle(rule, &max, &per))
		return 0;
	if (aiops_task_count_since(r.state, aiops_rule_name(rule), key, now - per + 1000000,
	    &n) == -1)
		state_fatal(r.state, "reading the throttle");
	if (n < max)
		return 0;
	snprintf(detail, len, "throttle: %lld tasks of this rule%s%s in the last %lld s (at most %d)",
	    (long long)n, key ? " for " : "", key ? key : "", (long long)(per / AIOPS_NS_PER_SEC),
	    max);
	return 1;
}

/* A matched rule that does not run now: why, audited and told. */
static void
not_now(const char *status, const struct aiops_task *t, const struct trigger *tr,
    const char *detail)
{
	json_t *extra = json_pack("{s:s}", "reason", detail);

	if (!r.dry_run)
		audit(r.state, tr->now, status, t->rule, t->target, 0, tr->id, detail);
	task_event(&r.out, status, tr->now, t, extra);
	json_decref(extra);
}

/* Adds the task: queued, or awaiting approval. */
static void
queue(const struct aiops_rule *rule, struct aiops_task *t, const struct trigger *tr)
{
	const json_t *users;
	int64_t expires;
	char tbuf[AIOPS_TIME_BUFSZ], detail[256];
	json_t *extra = NULL;

	t->state = "queued";
	if (aiops_rule_approval(rule, &expires, &users)) {
		if (expires <= 0)
			expires = aiops_conf_duration(r.cli.cfg, "run.approval.expires",
			    3600 * AIOPS_NS_PER_SEC);
		t->state = "approval";
		t->approval_expires = tr->now + expires;
	}
	if (aiops_task_add(r.state, t, &t->id) == -1)
		state_fatal(r.state, "queueing a task");
	audit(r.state, tr->now, "queued", t->rule, t->target, t->id, tr->id, t->spec);
	r.queued++;
	task_event(&r.out, "requested", tr->now, t, NULL);
	if (t->approval_expires != 0) {
		aiops_time_format(t->approval_expires, tbuf);
		snprintf(detail, sizeof(detail), "until %s: aiops-run approve %lld, or deny", tbuf,
		    (long long)t->id);
		audit(r.state, tr->now, "awaiting-approval", t->rule, t->target, t->id, tr->id,
		    detail);
		extra = json_pack("{s:s}", "approval_expires", tbuf);
		task_event(&r.out, "awaiting-approval", tr->now, t, extra);
		json_decref(extra);
	}
}

/*
 * A rule matched: refused (a value it renders is unsafe), suppressed (a
 * breaker, cooldown or throttle), shown (--dry-run), or queued.
 */
static void
matched(const struct aiops_rule *rule, const struct trigger *tr)
{
	struct aiops_task t = {
		.rule = aiops_rule_name(rule), .host = tr->host, .event_id = tr->id,
		.action = aiops_rule_action(rule), .created = tr->now, .next_attempt = tr->now,
		.max_attempts = aiops_rule_attempts(rule),
		.idempotent = aiops_rule_idempotent(rule),
	};
	struct aiops_rule_task rt;
	char err[768], detail[768], *spec_text;

	r.matched++;
	if (aiops_rule_render(rule, tr->ev, tr->now, &rt, err, sizeof(err)) == -1) {
		r.refused++;
		log_warnx("rule %s: %s: the event is refused", t.rule, err);
		t.target = "-";
		not_now("refused", &t, tr, err);
		return;
	}
	t.target = rt.target;
	t.throttle_key = rt.throttle_key;
	if (worker_breaker_open(&r.w, rt.target, tr->now, detail, sizeof(detail)) ||
	    cooling(rule, rt.target, tr->now, detail, sizeof(detail)) ||
	    throttled(rule, rt.throttle_key, tr->now, detail, sizeof(detail))) {
		r.suppressed++;
		not_now("suppressed", &t, tr, detail);
	} else if (r.dry_run) {
		dry_run(rule, tr, rt.target, rt.spec);
	} else {
		spec_text = json_dumps(rt.spec, JSON_COMPACT);
		t.spec = spec_text;
		queue(rule, &t, tr);
		free(spec_text);
	}
	aiops_rule_task_release(&rt);
}

static void
handle_event(void *arg, const struct aiops_evline *l)
{
	struct trigger tr;
	int64_t ts;
	size_t i, n;

	(void)arg;
	if (l->rc == 1)
		return;
	if (l->rc == -1) {
		aiops_filter_skip(&r.filter, l->name, l->lineno, l->err);
		return;
	}
	if (aiops_evread_ts(l->ev, &ts, NULL, 0) == 0)
		aiops_clock_observe(ts);
	if (r.all) {
		aiops_buf_add(&r.out.buf, l->line, l->len);
		aiops_out_end(&r.out);
	}
	tr.ev = l->ev;
	tr.id = json_string_value(json_object_get(l->ev, "id"));
	tr.host = json_string_value(json_object_get(l->ev, "host"));
	tr.now = aiops_clock_now();
	n = aiops_rule_index_candidates(r.index, l->ev, r.cand);
	for (i = 0; i < n; i++)
		if (aiops_rule_matches(r.rules.v[r.cand[i]], l->ev, tr.now))
			matched(r.rules.v[r.cand[i]], &tr);
	aiops_out_commit(&r.out);
}

/* A batch of lines: matched and queued in one transaction, then run. */
static void
drain(void *arg)
{
	(void)arg;
	if (aiops_reload)
		reload();
	if (!r.dry_run && aiops_state_begin(r.state) == -1)
		state_fatal(r.state, "beginning a transaction");
	aiops_evbatch_run(r.batch, handle_event, NULL);
	if (!r.dry_run && aiops_state_commit(r.state) == -1)
		state_fatal(r.state, "committing");
	if (!r.dry_run && !r.enqueue)
		worker_run_due(&r.w);
}

static void
handle_line(void *arg, const char *name, const char *line, size_t len, unsigned long lineno)
{
	(void)arg;
	if (aiops_evbatch_add(r.batch, name, line, len, lineno))
		drain(NULL);
}

/* Sleeps until the next task is due, at most the poll interval. */
static void
worker_wait(void)
{
	struct timespec ts;
	int64_t next, wait = r.poll;

	if (aiops_task_next(r.state, &next) == -1)
		state_fatal(r.state, "reading the queue");
	if (next != 0 && next - aiops_clock_now() < wait)
		wait = next - aiops_clock_now();
	if (wait < 1000000)
		wait = 1000000;
	ts.tv_sec = (time_t)(wait / AIOPS_NS_PER_SEC);
	ts.tv_nsec = (long)(wait % AIOPS_NS_PER_SEC);
	nanosleep(&ts, NULL);
}

/* --worker: the queue until SIGTERM (or, with --once, what is due now). */
static void
worker_loop(void)
{
	worker_recover(&r.w);
	(void)aiops_out_flush(&r.out);
	while (!aiops_stop) {
		if (aiops_reload)
			reload();
		worker_run_due(&r.w);
		(void)aiops_out_flush(&r.out);
		if (r.once)
			break;
		worker_wait();
	}
}

/* What the retentions no longer keep. */
static void
expire(void)
{
	const struct aiops_conf *cfg = r.cli.cfg;
	int64_t now = aiops_clock_now();
	int64_t done = aiops_conf_duration(cfg, "run.retention.tasks", 30 * DAY_NS);
	int64_t dead = aiops_conf_duration(cfg, "run.retention.dead", 90 * DAY_NS);
	int64_t aud = aiops_conf_duration(cfg, "run.retention.audit", 365 * DAY_NS);
	uint64_t ntasks, naudit;

	if (aiops_state_begin(r.state) == -1 ||
	    aiops_task_expire(r.state, now - done, now - dead, &ntasks) == -1 ||
	    aiops_audit_expire(r.state, now - aud, &naudit) == -1 ||
	    aiops_state_commit(r.state) == -1)
		state_fatal(r.state, "applying the retention");
	if (ntasks + naudit > 0)
		log_debug("retention: %llu tasks and %llu audit records deleted",
		    (unsigned long long)ntasks, (unsigned long long)naudit);
}

static int
finish(void)
{
	int status;

	if (!r.dry_run)
		expire();
	if (aiops_out_close(&r.out) == -1)
		aiops_filter_check_output(&r.filter);
	log_debug("%lu matches: %lu queued, %lu suppressed by a cooldown, %lu refused;"
	    " %lu tasks run", r.matched, r.queued, r.suppressed, r.refused, r.w.ran);
	if (r.batch != NULL)
		aiops_evbatch_free(r.batch);
	aiops_rule_index_free(r.index);
	free(r.cand);
	aiops_rules_free(&r.rules);
	aiops_http_free(r.w.http);
	if (aiops_state_close(r.state) == -1)
		log_error("closing the state file failed");
	status = aiops_filter_status(&r.filter);
	aiops_cli_release(&r.cli);
	return status;
}

int
main(int argc, char **argv)
{
	char err[1024];
	int i;

	if (argc > 1 && (strcmp(argv[1], "test") == 0 || strcmp(argv[1], "tasks") == 0 ||
	    strcmp(argv[1], "audit") == 0))
		return run_query_main(argv[1], argc - 1, argv + 1);
	if (argc > 1 && (strcmp(argv[1], "approve") == 0 || strcmp(argv[1], "deny") == 0 ||
	    strcmp(argv[1], "reset") == 0))
		return run_decide_main(argv[1], argc - 1, argv + 1);
	aiops_cli_init(&r.cli, "aiops-run", "run", synopsis, opts);
	parse_options(argc, argv);
	aiops_cli_start(&r.cli);
	if (configure(&r.rules, err, sizeof(err)) == -1)
		fatalx(EX_CONFIG, "%s", err);
	index_rules();
	apply_settings();
	r.state = r.w.state = aiops_cli_state(&r.cli, 0, "");
	aiops_out_init(&r.out, STDOUT_FILENO);
	r.w.out = &r.out;
	if (aiops_proc_identity(getpid(), r.w.id, sizeof(r.w.id)) == -1)
		snprintf(r.w.id, sizeof(r.w.id), "%ld:0", (long)getpid());
	aiops_filter_init(&r.filter, &r.cli, &r.out);
	aiops_filter_signals();
	aiops_filter_reload_signals(NULL);
	if (r.worker) {
		worker_loop();
		return finish();
	}
	if (!r.dry_run && !r.enqueue)
		worker_recover(&r.w);
	r.batch = aiops_evbatch_new();
	r.filter.drain = drain;
	if (optind == argc)
		aiops_filter_read(&r.filter, "-", handle_line, NULL);
	else
		for (i = optind; i < argc && !aiops_stop; i++)
			aiops_filter_read(&r.filter, argv[i], handle_line, NULL);
	drain(NULL);
	aiops_filter_check_output(&r.filter);
	return finish();
}
