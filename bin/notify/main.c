/*
 * aiops-notify: reads events (incidents, alerts, anomalies, predictions,
 * tasks), routes them as Alertmanager does, groups and deduplicates them,
 * and delivers each notification once per group change, through a
 * durable outbox in the state file. A one-shot filter: it reads to the
 * end of its input, then flushes the groups whose timers are due and
 * delivers what the outbox holds; --flush does only the latter, for cron.
 * `aiops-notify silence add|list|expire` manages silences.
 */
#include "compat.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "config/conf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "engine.h"
#include "event/evread.h"
#include "net/http.h"
#include "notify.h"
#include "notify/route.h"
#include "notify/timeint.h"
#include "store/notify.h"
#include "store/state.h"
#include "tool/filter.h"
#include "tool/log.h"

enum {
	OPT_ALL = AIOPS_OPT_PROGRAM_BASE,
	OPT_FLUSH,
	OPT_WATCH,
};

/* Bytes of the state the program may keep in memory. */
#define NOTIFY_CACHE	(64 * 1024 * 1024)
/* Bytes of write-ahead log before a checkpoint: a flush commits, and
 * on the event clock a burst flushes many groups. */
#define NOTIFY_WAL	(64 * 1024 * 1024)
#define COMMIT_NS	(AIOPS_NS_PER_SEC / 2)	/* the longest a transaction stays open */

static const char synopsis[] =
    "aiops-notify [-hqVv] [--all] [--flush | --watch] [--state file] [--config file]\n"
    "                    [--strict] [--max-line bytes] [--clock wall|event]\n"
    "                    [--log-format plain|json] [file ...]\n"
    "       aiops-notify silence add [--start time] (--end time | --duration dur)\n"
    "                            [--every schedule] --comment text matcher ...\n"
    "       aiops-notify silence list [--all] [--json]\n"
    "       aiops-notify silence expire id ...";

static const struct aiops_opt opts[] = {
	{ "all", OPT_ALL, NULL, "write every input event too, unchanged, before what it adds" },
	{ "flush", OPT_FLUSH, NULL, "read no input: send what is due, then exit (for cron)" },
	{ "watch", OPT_WATCH, NULL, "keep running: timers fire on time, after the input too,\n"
	    "until SIGTERM; SIGHUP reads the configuration again" },
	AIOPS_OPT_END
};

/* What the configuration builds; a reload builds another and swaps. */
struct setup {
	struct receivers		 rcv;
	struct aiops_route_tree		*tree;
	struct aiops_timeint_set	*intervals;
	struct inhibitor		*inhibit;
};

static struct {
	struct aiops_cli	 cli;
	struct aiops_out	 out;
	struct aiops_filter	 filter;
	struct aiops_evbatch	*batch;
	struct engine		 e;
	struct deliver		 d;
	struct setup		 setup;
	int			 all;
	int			 flush_only;
	int			 watch;
	int64_t			 txn_since;	/* monotonic ns the transaction began; 0: none */
} n;

static void
parse_options(int argc, char **argv)
{
	int ch;

	while ((ch = aiops_cli_getopt(&n.cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_ALL:
			n.all = 1;
			break;
		case OPT_FLUSH:
			n.flush_only = 1;
			break;
		case OPT_WATCH:
			n.watch = 1;
			break;
		default:
			aiops_cli_usage(&n.cli);
		}
	}
	if (n.flush_only && optind < argc)
		fatalx(EX_USAGE, "--flush reads no input files");
	if (n.flush_only && n.all)
		fatalx(EX_USAGE, "--flush reads no input: --all has nothing to pass on");
	if (n.flush_only && n.watch)
		fatalx(EX_USAGE, "--flush runs once, --watch keeps running: choose one");
}

static void __attribute__((noreturn))
config_fatal(const char *err)
{
	fatalx(EX_CONFIG, "%s", err);
}

/* The default route when none is configured: everything to "stdout". */
static json_t *
default_route(void)
{
	return json_pack("{s:s, s:[s]}", "receiver", "stdout", "group_by", "alertname");
}

static void
setup_free(struct setup *s)
{
	aiops_route_tree_free(s->tree);
	aiops_timeint_set_free(s->intervals);
	engine_inhibit_free(s->inhibit);
	receivers_free(&s->rcv);
	memset(s, 0, sizeof(*s));
}

/* The routing tree, whose receivers and time intervals must exist. */
static struct aiops_route_tree *
build_tree(const struct aiops_conf *cfg, char *err, size_t errlen)
{
	json_t *route = aiops_conf_get(cfg, "notify.route"), *own = NULL, *names, *inames = NULL;
	struct aiops_route_tree *t = NULL;

	if (route == NULL)
		route = own = default_route();
	names = aiops_route_names(aiops_conf_get(cfg, "notify.receivers"), cfg,
	    "notify.receivers", err, errlen);
	if (names != NULL && aiops_conf_get(cfg, "notify.receivers") == NULL)
		json_array_append_new(names, json_string("stdout"));	/* the built-in one */
	if (names != NULL)
		inames = aiops_route_names(aiops_conf_get(cfg, "notify.time_intervals"), cfg,
		    "notify.time_intervals", err, errlen);
	if (inames != NULL)
		t = aiops_route_build(route, cfg, "notify.route", names, inames, err, errlen);
	json_decref(own);
	json_decref(names);
	json_decref(inames);
	return t;
}

/* Everything the configuration says; 0, or -1 with "file:line: what" in err. */
static int
setup_build(const struct aiops_conf *cfg, struct setup *s, char *err, size_t errlen)
{
	const char *tz = aiops_conf_string(cfg, "notify.timezone", "UTC");
	char why[512];

	memset(s, 0, sizeof(*s));
	if (receivers_load(&s->rcv, cfg, err, errlen) == -1)
		return -1;
	s->intervals = aiops_timeint_set_new();
	if (aiops_timeint_set_add(s->intervals, aiops_conf_get(cfg, "notify.time_intervals"),
	    why, sizeof(why)) == -1) {
		snprintf(err, errlen, "notify.time_intervals%s", why);
		goto bad;
	}
	if ((s->tree = build_tree(cfg, err, errlen)) == NULL)
		goto bad;
	s->inhibit = engine_inhibit_new(aiops_conf_get(cfg, "notify.inhibit_rules"), cfg,
	    err, errlen);
	if (s->inhibit == NULL)
		goto bad;
	if (aiops_timeint_zone_check(tz, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "notify.timezone: %s", why);
		goto bad;
	}
	return 0;
bad:
	setup_free(s);
	return -1;
}

/* Points the engine and the delivery at s and the scalars of cfg. */
static void
setup_apply(const struct aiops_conf *cfg, struct setup *s)
{
	n.e.tree = s->tree;
	n.e.intervals = s->intervals;
	n.e.inhibit = s->inhibit;
	n.e.rcv = &s->rcv;
	n.e.timezone = aiops_conf_string(cfg, "notify.timezone", "UTC");
	n.e.external_url = aiops_conf_string(cfg, "notify.external_url", "");
	n.e.resolve_timeout = aiops_conf_duration(cfg, "notify.resolve_timeout",
	    300 * AIOPS_NS_PER_SEC);
	n.d.rcv = &s->rcv;
	n.d.out = &n.out;
	n.e.out = &n.out;
	n.d.backoff_base = aiops_conf_duration(cfg, "notify.retry.base", 10 * AIOPS_NS_PER_SEC);
	n.d.backoff_cap = aiops_conf_duration(cfg, "notify.retry.cap", 3600 * AIOPS_NS_PER_SEC);
	n.d.max_attempts = (unsigned)aiops_conf_int(cfg, "notify.retry.attempts", 48);
	n.d.seed = 0x61696f7073ULL;	/* "aiops": the same run, the same schedule */
}

static void
configure(void)
{
	char err[1024];

	if (setup_build(n.cli.cfg, &n.setup, err, sizeof(err)) == -1)
		config_fatal(err);
	setup_apply(n.cli.cfg, &n.setup);
}

/*
 * SIGHUP: the configuration read again. A mistake in it is reported and
 * the running one kept; groups whose route is gone are dropped at their
 * next flush.
 */
static void
reload(void)
{
	struct aiops_conf *old;
	struct setup s;
	char err[1024];

	aiops_reload = 0;
	if (aiops_cli_reload(&n.cli, &old, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: %s; the running configuration is kept", err);
		return;
	}
	if (setup_build(n.cli.cfg, &s, err, sizeof(err)) == -1) {
		log_warnx("SIGHUP: %s; the running configuration is kept", err);
		aiops_conf_free(n.cli.cfg);
		n.cli.cfg = old;
		return;
	}
	setup_free(&n.setup);
	aiops_conf_free(old);
	n.setup = s;
	setup_apply(n.cli.cfg, &n.setup);
	log_info("SIGHUP: configuration read again");
}

static void
state_fatal(const char *what)
{
	(void)aiops_out_flush(&n.out);
	fatalx(aiops_state_exit_status(n.e.state), "%s: %s", aiops_state_path(n.e.state), what);
}

static void flush_and_deliver(int64_t at);

/* A transaction is open (begun here, or by a delivery): what the engine
 * keeps of the state is checked against other programs' writes. */
static void
txn_opened(void)
{
	n.txn_since = aiops_monotonic_ns();
	if (engine_txn_begin(&n.e) == -1)
		state_fatal(n.e.err);
}

static void
txn_begin(void)
{
	if (n.txn_since != 0)
		return;
	if (aiops_state_begin(n.e.state) == -1)
		state_fatal(aiops_state_errmsg(n.e.state));
	txn_opened();
}

static void
txn_commit(void)
{
	if (n.txn_since == 0)
		return;
	if (aiops_state_commit(n.e.state) == -1)
		state_fatal(aiops_state_errmsg(n.e.state));
	n.txn_since = 0;
}

/*
 * The timers due by now fire before the event that comes after them: on
 * the event-time clock each at its own time, so a replay of a recorded
 * stream notifies as it would have live; on the wall clock now.
 */
static void
fire_timers(int64_t now)
{
	while (n.e.next_timer != 0 && n.e.next_timer <= now)
		flush_and_deliver(aiops_clock_mode() == AIOPS_CLOCK_EVENT ? n.e.next_timer : now);
}

/* One event: an alert is routed; with --all every event goes through. */
static void
handle_event(void *arg, const struct aiops_evline *l)
{
	char err[512] = "";
	int64_t t;

	(void)arg;
	if (l->rc == 1)
		return;
	if (l->rc == -1) {
		aiops_filter_skip(&n.filter, l->name, l->lineno, l->err);
		return;
	}
	if (aiops_evread_ts(l->ev, &t, NULL, 0) == 0)
		aiops_clock_observe(t);
	fire_timers(aiops_clock_now());
	if (engine_event(&n.e, l->ev, aiops_clock_now(), err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			state_fatal(n.e.err);
		aiops_filter_skip(&n.filter, l->name, l->lineno, err);
	}
	if (n.all) {
		aiops_buf_add(&n.out.buf, l->line, l->len);
		aiops_out_end(&n.out);
	}
	aiops_out_commit(&n.out);
}

/* The alarm at the next timer (wall clock), or none. */
static void
arm_timer(void)
{
	struct itimerval it;
	int64_t wait;

	memset(&it, 0, sizeof(it));
	if (n.e.next_timer != 0) {
		wait = n.e.next_timer - aiops_clock_now();
		if (wait < 1000000)
			wait = 1000000;	/* a millisecond: 0 would disarm it */
		it.it_value.tv_sec = (time_t)(wait / AIOPS_NS_PER_SEC);
		it.it_value.tv_usec = (suseconds_t)(wait % AIOPS_NS_PER_SEC / 1000);
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Between reads under --watch: a reload asked for, the timers due now. */
static void
watch_tick(void)
{
	if (aiops_reload)
		reload();
	if (aiops_clock_mode() == AIOPS_CLOCK_WALL && n.e.next_timer != 0 &&
	    n.e.next_timer <= aiops_clock_now())
		flush_and_deliver(aiops_clock_now());
	if (aiops_clock_mode() == AIOPS_CLOCK_WALL)
		arm_timer();
}

/*
 * The lines read so far, in the open transaction. It commits when the
 * next read may wait, or once it is COMMIT_NS old: a commit per batch
 * wrote each index page again and again (100,000 alerts: 400 commits,
 * 1.7 GB written), while a pipe that pauses still has all it gave us
 * stored before we wait.
 */
static void
drain(void *arg)
{
	(void)arg;
	txn_begin();
	aiops_evbatch_run(n.batch, handle_event, NULL);
	if (aiops_stop || !aiops_filter_input_ready(&n.filter) ||
	    aiops_monotonic_ns() - n.txn_since >= COMMIT_NS)
		txn_commit();
	if (n.watch)
		watch_tick();
}

/* --watch after the input ended: the timers until SIGTERM. */
static void
watch_idle(void)
{
	struct timespec ts;
	int64_t wait;

	while (!aiops_stop) {
		watch_tick();
		wait = n.e.next_timer != 0 ? n.e.next_timer - aiops_clock_now() : AIOPS_NS_PER_SEC;
		if (wait > AIOPS_NS_PER_SEC)
			wait = AIOPS_NS_PER_SEC;	/* signals end the sleep; this bounds a race */
		if (wait < 1000000)
			wait = 1000000;
		ts.tv_sec = (time_t)(wait / AIOPS_NS_PER_SEC);
		ts.tv_nsec = (long)(wait % AIOPS_NS_PER_SEC);
		nanosleep(&ts, NULL);
	}
}

static void
handle_line(void *arg, const char *name, const char *line, size_t len, unsigned long lineno)
{
	(void)arg;
	if (aiops_evbatch_add(n.batch, name, line, len, lineno))
		drain(NULL);
}

/* When work is due next: a group's timer or a retry, 0 for none. */
static void
next_timer(void)
{
	int64_t g, o;

	if (aiops_notify_groups_next(n.e.state, &g) == -1 ||
	    aiops_outbox_next(n.e.state, &o) == -1)
		state_fatal(aiops_state_errmsg(n.e.state));
	n.e.next_timer = g == 0 ? o : o == 0 || g < o ? g : o;
}

/* Is a message in the outbox due by `at`? */
static int
delivery_due(int64_t at)
{
	int64_t o;

	if (aiops_outbox_next(n.e.state, &o) == -1)
		state_fatal(aiops_state_errmsg(n.e.state));
	return o != 0 && o <= at;
}

/*
 * The groups due at `at` (in the transaction open, or one of their own),
 * then the outbox: the first attempt commits what the flush queued (and
 * the intake before it), each attempt is committed before it is made, so
 * no lock is held while a receiver answers; the last outcome goes on in
 * the transaction.
 */
static void
flush_and_deliver(int64_t at)
{
	int open = n.txn_since != 0;

	txn_begin();
	if (engine_flush(&n.e, at) == -1)
		state_fatal(n.e.err[0] != '\0' ? n.e.err : aiops_state_errmsg(n.e.state));
	if (delivery_due(at)) {
		if (delivery_run(&n.d, at) == -1)
			state_fatal(n.d.err);
		n.txn_since = 0;
		if (aiops_state_in_transaction(n.e.state))
			txn_opened();
	}
	next_timer();
	if (!open)
		txn_commit();
	else
		txn_begin();
	aiops_out_commit(&n.out);
}

/* What the retentions no longer keep: sent and dead rows, ended silences. */
static void
expire(void)
{
	const struct aiops_conf *cfg = n.cli.cfg;
	int64_t now = aiops_clock_now(), day = 86400 * AIOPS_NS_PER_SEC;
	int64_t sent = aiops_conf_duration(cfg, "notify.retention.sent", 5 * day);
	int64_t dead = aiops_conf_duration(cfg, "notify.retention.dead", 30 * day);
	int64_t sil = aiops_conf_duration(cfg, "notify.retention.silences", 30 * day);
	uint64_t nrows, nsil;

	if (aiops_outbox_expire(n.e.state, now - sent, now - dead, &nrows) == -1 ||
	    aiops_silences_prune(n.e.state, now - sil, &nsil) == -1)
		state_fatal(aiops_state_errmsg(n.e.state));
	if (nrows + nsil > 0)
		log_debug("retention: %llu notifications and %llu silences deleted",
		    (unsigned long long)nrows, (unsigned long long)nsil);
}

static int
finish(void)
{
	int status;

	flush_and_deliver(aiops_clock_now());
	expire();
	if (aiops_out_close(&n.out) == -1)
		aiops_filter_check_output(&n.filter);
	log_debug("%lu alerts, %lu groups made, %lu notifications queued, %lu alerts held"
	    " (silenced or inhibited), %lu flushes muted", n.e.alerts, n.e.groups_made,
	    n.e.enqueued, n.e.held, n.e.muted);
	if (n.batch != NULL)
		aiops_evbatch_free(n.batch);
	setup_free(&n.setup);
	aiops_hmap_release(&n.e.known, NULL);
	aiops_http_free(n.d.http);
	if (aiops_state_close(n.e.state) == -1)
		log_error("closing the state file failed");
	status = aiops_filter_status(&n.filter);
	aiops_cli_release(&n.cli);
	return status;
}

int
main(int argc, char **argv)
{
	char err[AIOPS_HTTP_ERRSZ];
	int i;

	if (argc > 1 && strcmp(argv[1], "silence") == 0)
		return notify_silence_main(argc - 1, argv + 1);
	aiops_cli_init(&n.cli, "aiops-notify", "notify", synopsis, opts);
	parse_options(argc, argv);
	aiops_cli_start(&n.cli);
	if ((n.d.http = aiops_http_new(err, sizeof(err))) == NULL)
		fatalx(EX_SOFTWARE, "%s", err);
	configure();
	n.e.state = n.d.state = aiops_cli_state(&n.cli, 0, "");
	aiops_out_init(&n.out, STDOUT_FILENO);
	/* Every alert reads and writes its alert, group and member rows: keep
	 * them in memory across a burst (100,000 alerts: 5.8 s to 3.9 s). */
	if (aiops_state_cache(n.e.state, NOTIFY_CACHE) == -1 ||
	    aiops_state_wal_limit(n.e.state, NOTIFY_WAL) == -1)
		state_fatal(aiops_state_errmsg(n.e.state));
	aiops_filter_init(&n.filter, &n.cli, &n.out);
	aiops_filter_signals();
	if (n.watch)	/* SIGALRM only wakes a read that waits: the timers are checked after it */
		aiops_filter_reload_signals((const int[]){ SIGALRM, 0 });
	next_timer();
	if (!n.flush_only) {
		n.batch = aiops_evbatch_new();
		n.filter.drain = drain;
		if (optind == argc)
			aiops_filter_read(&n.filter, "-", handle_line, NULL);
		else
			for (i = optind; i < argc && !aiops_stop; i++)
				aiops_filter_read(&n.filter, argv[i], handle_line, NULL);
		drain(NULL);
		txn_commit();
		aiops_filter_check_output(&n.filter);
	}
	if (n.watch)
		watch_idle();
	return finish();
}
