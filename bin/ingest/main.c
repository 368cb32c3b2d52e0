/*
 * aiops-ingest: reads metrics, logs and alerts in their native formats and
 * writes normalised NDJSON events (aiops(7)); --store also keeps metric
 * history and the state of alerts in the state file.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmds.h"
#include "tool/cli.h"
#include "config/conf.h"
#include "tool/filter.h"
#include "ingest/follow.h"
#include "ingest/ingest.h"
#include "io/linereader.h"
#include "tool/log.h"
#include "store/alerts.h"
#include "store/mstore.h"
#include "io/out.h"
#include "store/state.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

enum {
	OPT_CLUSTER = AIOPS_OPT_PROGRAM_BASE,
	OPT_CURSOR,
	OPT_FOLLOW,
	OPT_FROM_SEQ,
	OPT_LISTEN,
	OPT_LIST_FORMATS,
	OPT_MAP,
	OPT_POLL,
	OPT_PRECISION,
	OPT_REPLAY,
	OPT_RETENTION,
	OPT_SOURCE,
	OPT_STORE,
	OPT_STORE_ONLY,
};

/*
 * A firing alert not received for this long is resolved (expired):
 * Alertmanager re-sends a firing alert every repeat_interval, which its
 * --data.retention (default 120h) caps.
 */
#define ALERT_EXPIRE	(120 * 3600 * AIOPS_NS_PER_SEC)

static const char synopsis[] =
    "aiops-ingest [-hqVv] [-f format] [-H name] [--follow [--poll ms]]\n"
    "                    [--store | --store-only] [--cluster name] [--source name]\n"
    "                    [--precision unit] [--map field=key] [--retention duration]\n"
    "                    [--state file] [--config file] [--strict] [--max-line bytes]\n"
    "                    [--clock wall|event] [--log-format plain|json] [file ...]\n"
    "       aiops-ingest --listen address:port [--from-seq n | --cursor name]\n"
    "                    [--store-only] [--state file] [--config file]\n"
    "       aiops-ingest --replay [--from-seq n | --cursor name] [--state file]\n"
    "       aiops-ingest token add [--scope scope ...] [--expires dur] [--out file] name\n"
    "       aiops-ingest token list [--json]\n"
    "       aiops-ingest token revoke name|id ...\n"
    "       aiops-ingest token rotate [--grace dur] [--expires dur] [--out file] name\n"
    "       aiops-ingest cluster add|update|remove|list|show|check ...\n"
    "       aiops-ingest poll [--every duration] [--store | --store-only]\n"
    "       aiops-ingest --list-formats";

static const struct aiops_opt opts[] = {
	{ "format", 'f', "FMT", "input format: auto (default), influx, prometheus, syslog,\n"
	    "json, alertmanager, redfish, sentry, nvsmi, snmp, csv, text" },
	{ "list-formats", OPT_LIST_FORMATS, NULL, "list the formats and exit" },
	{ "follow", OPT_FOLLOW, NULL,
	    "keep reading files as they grow (tail -F); offsets kept in the state" },
	{ "poll", OPT_POLL, "MS", "with --follow, how often to look for new data (default 250)" },
	{ "store", OPT_STORE, NULL, "also write metrics and alerts into the state file" },
	{ "store-only", OPT_STORE_ONLY, NULL,
	    "write metrics and alerts into the state file, print nothing" },
	{ "retention", OPT_RETENTION, "DUR",
	    "with --store, delete raw points older than DUR (e.g. 30d)" },
	{ "host", 'H', "NAME", "host for data that names none" },
	{ "cluster", OPT_CLUSTER, "NAME", "cluster of every event" },
	{ "source", OPT_SOURCE, "NAME", "source of every event (default: the format's name)" },
	{ "precision", OPT_PRECISION, "UNIT", "unit of line-protocol timestamps (default ns)" },
	{ "listen", OPT_LISTEN, "ADDR:PORT",
	    "serve the HTTP write, alert and webhook APIs; every event\n"
	    "accepted is journaled and stored before it is acknowledged" },
	{ "replay", OPT_REPLAY, NULL, "write out the listener's journal and exit" },
	{ "from-seq", OPT_FROM_SEQ, "N",
	    "with --listen or --replay, write out from journal event N" },
	{ "cursor", OPT_CURSOR, "NAME",
	    "with --listen or --replay, the named cursor to follow and move" },
	{ "map", OPT_MAP, "FIELD=KEY", "JSON logs: take FIELD (ts, message, severity, host,\n"
	    "service) from KEY (repeatable)" },
	AIOPS_OPT_END
};

struct ingest_cmd {
	struct aiops_cli		 cli;
	const struct aiops_format	*fmt;		/* NULL: auto */
	struct aiops_ingest_opts	 opts;
	int				 follow;
	int				 replay;
	int64_t				 from_seq;
	const char			*cursor;
	int				 store_waiting;	/* the state was locked: retrying */
	int				 store_only;	/* --store-only */
	int				 store;		/* 1 store, 2 store only */
	int				 poll_ms;
	int64_t				 retention;
	int64_t				 alert_retention;
	int64_t				 alert_expire;
	struct aiops_state		*state;
	struct aiops_mstore		*mstore;
	struct aiops_alertstore		*astore;
	struct aiops_out		 out;
	struct aiops_ingest		 ing;
	struct aiops_filter		 filter;
	struct aiops_input		*in;		/* the input being read */
	uint64_t			 in_id;		/* its identity, if in_has_id */
	int				 in_has_id;
};

static void __attribute__((noreturn))
list_formats(void)
{
	size_t i;

	for (i = 0; aiops_formats[i] != NULL; i++)
		printf("%-14s %s\n", aiops_formats[i]->name, aiops_formats[i]->desc);
	exit(EX_OK);
}

/* The format's own name for one of its aliases ("lp"), as the schema has it. */
static const char *
format_name(const char *arg)
{
	const struct aiops_format *fmt;

	if (strcmp(arg, "auto") == 0)
		return arg;
	if ((fmt = aiops_format_find(arg)) == NULL)
		fatalx(EX_USAGE, "--format: unknown format \"%s\" (see --list-formats)", arg);
	return fmt->name;
}

/* The unit's name for InfluxDB's spellings ("u", "n"); arg when unknown. */
static const char *
unit_name(const char *arg)
{
	static const char *const names[] = {
		[AIOPS_TU_AUTO] = "auto", [AIOPS_TU_S] = "s", [AIOPS_TU_MS] = "ms",
		[AIOPS_TU_US] = "us", [AIOPS_TU_NS] = "ns",
	};
	enum aiops_time_unit u;

	return aiops_time_unit_parse(arg, &u) == 0 ? names[u] : arg;
}

/* --map FIELD=KEY sets ingest.json.fields.FIELD. */
static void
add_map(struct ingest_cmd *c, const char *arg)
{
	static const char *const fields[] = { "ts", "message", "severity", "host", "service", NULL };
	const char *eq = strchr(arg, '=');
	size_t i;
	char *field, *path;

	if (eq == NULL || eq == arg || eq[1] == '\0')
		fatalx(EX_USAGE, "--map: expected FIELD=KEY, got \"%s\"", arg);
	field = xstrndup(arg, (size_t)(eq - arg));
	for (i = 0; fields[i] != NULL && strcmp(fields[i], field) != 0; i++)
		;
	if (fields[i] == NULL)
		fatalx(EX_USAGE, "--map: unknown field \"%s\" (ts, message, severity, host, service)", field);
	xasprintf(&path, "ingest.json.fields.%s", field);
	aiops_cli_set(&c->cli, "--map", path, eq + 1);
	free(path);
	free(field);
}

static void
parse_options(struct ingest_cmd *c, int argc, char **argv)
{
	struct aiops_cli *cli = &c->cli;
	int ch;

	while ((ch = aiops_cli_getopt(cli, argc, argv)) != -1) {
		switch (ch) {
		case 'f':
			aiops_cli_set(cli, "--format", "ingest.format", format_name(optarg));
			break;
		case 'H':
			aiops_cli_set(cli, "--host", "ingest.host", optarg);
			break;
		case OPT_CLUSTER:
			aiops_cli_set(cli, "--cluster", "ingest.cluster", optarg);
			break;
		case OPT_FOLLOW:
			c->follow = 1;
			break;
		case OPT_LISTEN:
			aiops_cli_set(cli, "--listen", "ingest.listen.address", optarg);
			break;
		case OPT_REPLAY:
			c->replay = 1;
			break;
		case OPT_FROM_SEQ:
			c->from_seq = aiops_cli_number("--from-seq", optarg, 1, INT64_MAX);
			break;
		case OPT_CURSOR:
			c->cursor = optarg;
			break;
		case OPT_LIST_FORMATS:
			list_formats();
		case OPT_MAP:
			add_map(c, optarg);
			break;
		case OPT_POLL:
			aiops_cli_set(cli, "--poll", "ingest.poll", optarg);
			break;
		case OPT_PRECISION:
			aiops_cli_set(cli, "--precision", "ingest.precision", unit_name(optarg));
			break;
		case OPT_RETENTION:
			aiops_cli_set(cli, "--retention", "ingest.retention", optarg);
			break;
		case OPT_SOURCE:
			aiops_cli_set(cli, "--source", "ingest.source", optarg);
			break;
		case OPT_STORE:
			aiops_cli_set(cli, "--store", "ingest.store", "true");
			c->store_only = 0;
			break;
		case OPT_STORE_ONLY:
			c->store_only = 1;
			break;
		default:
			aiops_cli_usage(cli);
		}
	}
}

/* The settings, checked: the command line over the environment over the file. */
static void
configure(struct ingest_cmd *c)
{
	const struct aiops_conf *cfg = c->cli.cfg;
	const char *fmt = aiops_conf_string(cfg, "ingest.format", "auto");

	c->fmt = aiops_format_find(fmt);
	if (c->fmt == NULL && strcmp(fmt, "auto") != 0)
		fatalx(EX_SOFTWARE, "ingest.format: \"%s\" is in the schema, not in the formats", fmt);
	c->opts.host = aiops_conf_string(cfg, "ingest.host", NULL);
	c->opts.cluster = aiops_conf_string(cfg, "ingest.cluster", NULL);
	c->opts.source = aiops_conf_string(cfg, "ingest.source", NULL);
	(void)aiops_time_unit_parse(aiops_conf_string(cfg, "ingest.precision", "ns"),
	    &c->opts.precision);
	c->opts.json_fields = aiops_conf_get(cfg, "ingest.json.fields");
	c->opts.max_record = c->cli.max_line;
	c->retention = aiops_conf_duration(cfg, "ingest.retention", 0);
	c->alert_retention = aiops_conf_duration(cfg, "ingest.alerts.retention", c->retention);
	c->alert_expire = aiops_conf_duration(cfg, "ingest.alerts.expire", ALERT_EXPIRE);
	c->store = c->store_only ? 2 : aiops_conf_bool(cfg, "ingest.store", 0);
	c->poll_ms = (int)aiops_conf_int(cfg, "ingest.poll", 250);
}

static void
open_state(struct ingest_cmd *c)
{
	char err[512];

	if (!c->store && !c->follow)
		return;
	c->state = aiops_cli_state(&c->cli, 0, "");
	if (c->store) {
		c->mstore = aiops_mstore_new(c->state, c->retention, err, sizeof(err));
		if (c->mstore == NULL)
			fatalx(EX_CANTCREAT, "%s", err);
		c->astore = aiops_alertstore_new(c->state, c->alert_expire, c->alert_retention);
	}
}

/* A bad line, where the format says it is; nonzero stops (--strict). */
static int
skipped(void *arg, const char *name, unsigned long line, const char *why)
{
	struct ingest_cmd *c = arg;

	aiops_filter_skip(&c->filter, name, line, why);
	return aiops_stop;
}

/* Accepted but changed or left out: one line each at -v. */
static void
note(void *arg, const char *name, unsigned long line, const char *what)
{
	struct ingest_cmd *c = arg;

	if (c->cli.verbosity > 0)
		log_info("%s:%lu: %s", name, line, what);
}

/* The counts of what was changed or left out, so nothing goes silently. */
static void
summary(const struct ingest_cmd *c)
{
	if (c->ing.nonfinite > 0)
		log_warnx("%lu sample%s not written: the value is NaN or infinite (-v shows them)",
		    c->ing.nonfinite, c->ing.nonfinite == 1 ? "" : "s");
	if (c->ing.replaced > 0)
		log_warnx("%lu line%s kept with invalid UTF-8 replaced by U+FFFD (-v shows them)",
		    c->ing.replaced, c->ing.replaced == 1 ? "" : "s");
}

/*
 * Points of a series at a time already stored are not stored again (the
 * first one is kept): a different value is a warning, a repeat of the
 * same (a retry, a file read twice) a note at -v.
 */
static void
store_summary(const struct ingest_cmd *c)
{
	uint64_t same, other;

	aiops_mstore_repeats(c->mstore, &same, &other);
	if (other > 0)
		log_warnx("%" PRIu64 " point%s not stored: another value was stored first "
		    "for the same series and time, and is kept", other, other == 1 ? "" : "s");
	if (same > 0 && c->cli.verbosity > 0)
		log_info("%" PRIu64 " point%s already stored with the same value",
		    same, same == 1 ? "" : "s");
}

/* At -v: what became of the alerts stored (alerts.h has the rules). */
static void
alert_summary(const struct ingest_cmd *c)
{
	const struct aiops_alertstore_counts *n;

	if (c->astore == NULL || c->cli.verbosity == 0)
		return;
	n = aiops_alertstore_counts(c->astore);
	if (n->added + n->changed + n->repeated + n->late == 0)
		return;
	log_info("alerts stored: %lu new, %lu changed, %lu repeated,"
	    " %lu late (kept in the history only)", n->added, n->changed, n->repeated, n->late);
}

static int
store_status(struct ingest_cmd *c)
{
	return aiops_state_exit_status(c->state);
}

/* Says what failed to be stored, the alerts' batch or the metrics', and exits. */
static void __attribute__((noreturn))
store_fatal(struct ingest_cmd *c)
{
	const char *msg;

	if (c->astore != NULL && (msg = aiops_alertstore_errmsg(c->astore)) != NULL)
		fatalx(store_status(c), "%s: %s", aiops_state_path(c->state), msg);
	fatalx(store_status(c), "%s: storing metrics: %s", aiops_state_path(c->state),
	    aiops_mstore_errmsg(c->mstore));
}

/* Stores what the batches hold: 0, or -1 (store_fatal() says why). */
static int
store_flush(struct ingest_cmd *c)
{
	if (c->mstore != NULL && aiops_mstore_flush(c->mstore) == -1)
		return -1;
	if (c->astore != NULL && aiops_alertstore_flush(c->astore) == -1)
		return -1;
	return 0;
}

/*
 * A failed store ends a batch run. A follower, a daemon, waits out a state
 * locked past the busy timeout instead: the store keeps the batch, the
 * offsets are not saved, and the next checkpoint tries again.
 */
static void
check_store(struct ingest_cmd *c)
{
	if (!c->ing.store_failed)
		return;
	if (c->follow && store_status(c) == EX_TEMPFAIL) {
		c->ing.store_failed = 0;
		if (!c->store_waiting)
			log_warnx("%s: locked by another program: holding the points and alerts, will retry",
			    aiops_state_path(c->state));
		c->store_waiting = 1;
		return;
	}
	store_fatal(c);
}

static void
feed(struct ingest_cmd *c, struct aiops_input *in, const char *line, size_t len,
    unsigned long lineno)
{
	(void)aiops_input_line(&c->ing, in, line, len, lineno);
	check_store(c);
}

static void
finish_input(struct ingest_cmd *c, struct aiops_input *in)
{
	(void)aiops_input_finish(&c->ing, in);
	check_store(c);
}

/*
 * Before a read that may wait: lines held for format detection wait for
 * more input no longer than AIOPS_DETECT_MS in all, so slow input is
 * never held back.
 */
static void
drain(void *arg)
{
	struct ingest_cmd *c = arg;
	struct pollfd pfd;
	int ms;

	if (c->in == NULL || (ms = aiops_input_wait_ms(c->in)) < 0)
		return;
	pfd.fd = c->filter.fd;
	pfd.events = POLLIN;
	if (ms > 0 && poll(&pfd, 1, ms) > 0)
		return;
	(void)aiops_input_flush(&c->ing, c->in);
	check_store(c);
}

static void
feed_line(void *arg, const char *name, const char *line, size_t len, unsigned long lineno)
{
	struct ingest_cmd *c = arg;

	AIOPS_UNUSED(name);
	c->ing.has_origin = c->in_has_id;
	c->ing.origin.file = c->in_id;
	c->ing.origin.offset = (int64_t)c->filter.line_offset;
	feed(c, c->in, line, len, lineno);
}

/*
 * The identity of a regular file read from its start (stdin too, when it
 * is one), so that its lines get the ids --follow gives them; 0 if none.
 */
static int
input_identity(const char *path, uint64_t *id)
{
	struct stat sb;
	int fd = STDIN_FILENO, ok;

	if (strcmp(path, "-") != 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (fd != STDIN_FILENO || lseek(fd, 0, SEEK_CUR) == 0) &&
	    aiops_file_identity(fd, id) == 0;
	if (fd != STDIN_FILENO)
		close(fd);
	return ok;
}

/* Reads one file (or stdin) to its end. */
static void
read_input(struct ingest_cmd *c, const char *path)
{
	struct aiops_input in;

	aiops_input_init(&in, c->fmt, strcmp(path, "-") == 0 ? "(stdin)" : path);
	c->in = &in;
	c->in_has_id = input_identity(path, &c->in_id);
	if (aiops_filter_read(&c->filter, path, feed_line, c) == 0)
		finish_input(c, &in);
	else
		(void)aiops_input_finish(&c->ing, &in);
	c->in = NULL;
	c->ing.has_origin = 0;
}

/*
 * Everything read so far is out and stored: remember where we are. Not
 * while a format holds lines it has not written (a CSV record going on,
 * a JSON document, an SNMP walk): a crash would skip them. Then the next
 * checkpoint saves the offsets; a restart meanwhile reads those lines
 * again, and their ids are the same.
 */
static void
checkpoint(struct ingest_cmd *c, struct aiops_follow *f, int holding)
{
	if (aiops_out_flush(&c->out) == -1)
		aiops_filter_check_output(&c->filter);
	if (store_flush(c) == -1) {
		c->ing.store_failed = 1;
		check_store(c);
		return;		/* offsets only past what is stored */
	}
	if (holding)
		return;
	if (aiops_follow_checkpoint(f) == -1) {
		if (store_status(c) != EX_TEMPFAIL)
			fatalx(store_status(c), "%s: saving offsets: %s",
			    aiops_state_path(c->state), aiops_follow_errmsg(f));
		if (!c->store_waiting)
			log_warnx("%s: locked by another program: will save the offsets later",
			    aiops_state_path(c->state));
		c->store_waiting = 1;
		return;
	}
	if (c->store_waiting)
		log_info("%s: stored again", aiops_state_path(c->state));
	c->store_waiting = 0;
}

/*
 * A format whose lines need the file's header (CSV, ingest.h): when the
 * lines come from another file (a rotation, a copy: another identity, or
 * an offset that goes back, since files of one header share an identity)
 * the format starts again, and when they start past the header (a
 * restart), the header is fed first. *last: the origin of the line the
 * input read last (file 0: none yet).
 */
static void
header_again(struct ingest_cmd *c, struct aiops_follow *f, struct aiops_input *in,
    struct aiops_origin *last, const struct aiops_origin *o)
{
	struct aiops_buf h = AIOPS_BUF_INIT;
	int first = last->file == 0;

	if (in->fmt == NULL || !in->fmt->header)
		return;
	if (!first && last->file == o->file && last->offset < o->offset) {
		*last = *o;
		return;
	}
	*last = *o;
	if (!first)
		finish_input(c, in);
	if (o->offset == 0)
		return;
	if (aiops_follow_first_line(f, &h) == 0) {
		c->ing.origin.file = o->file;
		c->ing.origin.offset = 0;
		c->ing.has_origin = 1;
		feed(c, in, h.data, h.len, 1);
	}
	aiops_buf_release(&h);
}

/* A rotation or truncation at -v; a loss always. */
static void
follow_note(void *arg, int warn, const char *msg)
{
	struct ingest_cmd *c = arg;

	if (warn)
		log_warnx("%s", msg);
	else if (c->cli.verbosity > 0)
		log_info("%s", msg);
}

static void
follow_inputs(struct ingest_cmd *c, char **paths, int npaths)
{
	struct aiops_input *ins = xcalloc((size_t)npaths, sizeof(*ins));
	struct aiops_origin *lasts = xcalloc((size_t)npaths, sizeof(*lasts));
	struct aiops_follow *f;
	struct aiops_origin origin;
	const char *line, *name;
	size_t len;
	unsigned long lineno;
	int i, rc;

	f = aiops_follow_new(c->state, paths, (size_t)npaths, c->cli.max_line,
	    c->poll_ms, &aiops_stop);
	if (f == NULL && c->state != NULL)
		fatalx(store_status(c), "%s: reading offsets: %s", aiops_state_path(c->state),
		    aiops_state_errmsg(c->state));
	if (f == NULL)
		fatalx(EX_SOFTWARE, "cannot follow files");
	aiops_follow_set_note(f, follow_note, c);
	for (i = 0; i < npaths; i++)
		aiops_input_init(&ins[i], c->fmt, paths[i]);
	while ((rc = aiops_follow_next(f, &line, &len, &name, &lineno, &origin)) !=
	    AIOPS_FOLLOW_STOP) {
		struct aiops_input *in = NULL;
		struct aiops_origin *last = NULL;

		if (rc == AIOPS_FOLLOW_ERROR)
			fatalx(EX_IOERR, "%s", aiops_follow_errmsg(f));
		if (rc == AIOPS_FOLLOW_IDLE) {
			int holding = 0;

			for (i = 0; i < npaths; i++) {
				(void)aiops_input_flush(&c->ing, &ins[i]);
				holding |= aiops_input_holding(&ins[i]);
			}
			check_store(c);
			checkpoint(c, f, holding);
			continue;
		}
		for (i = 0; i < npaths; i++)
			if (strcmp(paths[i], name) == 0) {
				in = &ins[i];
				last = &lasts[i];
			}
		if (rc == AIOPS_FOLLOW_TOOLONG) {
			char reason[128];

			snprintf(reason, sizeof(reason), "line of %zu bytes is longer than --max-line %zu",
			    len, c->cli.max_line);
			aiops_filter_skip(&c->filter, name, lineno, reason);
		} else if (in != NULL) {
			header_again(c, f, in, last, &origin);
			c->ing.origin = origin;
			c->ing.has_origin = 1;
			feed(c, in, line, len, lineno);
		}
		aiops_filter_check_output(&c->filter);
	}
	for (i = 0; i < npaths; i++)
		finish_input(c, &ins[i]);
	checkpoint(c, f, 0);
	aiops_follow_free(f);
	free(lasts);
	free(ins);
}

static int
finish(struct ingest_cmd *c)
{
	if (aiops_out_close(&c->out) == -1)
		aiops_filter_check_output(&c->filter);
	if (store_flush(c) == -1)
		store_fatal(c);
	if (c->mstore != NULL) {
		store_summary(c);
		(void)aiops_mstore_free(c->mstore);
	}
	alert_summary(c);
	aiops_alertstore_free(c->astore);
	if (c->state != NULL && aiops_state_close(c->state) == -1)
		log_error("%s: closing the state file failed", aiops_state_path(c->state));
	summary(c);
	aiops_cli_release(&c->cli);
	return aiops_filter_status(&c->filter);
}

/* --listen and --replay: no input files; the journal feeds standard output. */
static int
serve(struct ingest_cmd *c, int argc)
{
	struct ingest_listen_args a;
	int status;

	if (argc > optind)
		fatalx(EX_USAGE, "%s reads no files", c->replay ? "--replay" : "--listen");
	if (c->follow)
		fatalx(EX_USAGE, "--follow and --listen are two ways to run: choose one");
	if (c->from_seq > 0 && c->cursor != NULL)
		fatalx(EX_USAGE, "--from-seq and --cursor: choose one");
	memset(&a, 0, sizeof(a));
	a.cli = &c->cli;
	a.opts = &c->opts;
	a.listen = aiops_conf_string(c->cli.cfg, "ingest.listen.address", NULL);
	a.retention = c->retention;
	a.alert_retention = c->alert_retention;
	a.alert_expire = c->alert_expire;
	a.from_seq = c->from_seq;
	a.cursor = c->cursor;
	a.no_output = c->store_only;
	status = c->replay ? ingest_replay(&a) : ingest_listen(&a);
	aiops_cli_release(&c->cli);
	return status;
}

int
main(int argc, char **argv)
{
	static char dash[] = "-";
	static char *stdin_only[] = { dash };
	struct ingest_cmd c;
	char **paths;
	int npaths, i;

	if (argc > 1 && strcmp(argv[1], "cluster") == 0)
		return ingest_cluster_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "token") == 0)
		return ingest_token_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "poll") == 0)
		return ingest_poll_main(argc - 1, argv + 1);
	memset(&c, 0, sizeof(c));
	aiops_cli_init(&c.cli, "aiops-ingest", "ingest", synopsis, opts);
	parse_options(&c, argc, argv);
	aiops_cli_start(&c.cli);
	configure(&c);
	if (aiops_conf_string(c.cli.cfg, "ingest.listen.address", NULL) != NULL || c.replay)
		return serve(&c, argc);
	paths = argc > optind ? argv + optind : stdin_only;
	npaths = argc > optind ? argc - optind : 1;
	if (c.follow && strcmp(paths[0], "-") == 0)
		fatalx(EX_USAGE, "--follow needs files to follow");
	open_state(&c);
	aiops_out_init(&c.out, c.store == 2 ? -1 : STDOUT_FILENO);
	aiops_ingest_init(&c.ing, &c.opts, &c.out, c.mstore);
	c.ing.alerts = c.astore;
	c.ing.note = note;
	c.ing.note_arg = &c;
	c.ing.skip = skipped;
	c.ing.skip_arg = &c;
	aiops_filter_init(&c.filter, &c.cli, &c.out);
	c.filter.drain = drain;
	c.filter.drain_arg = &c;
	aiops_filter_signals();
	if (c.follow)
		follow_inputs(&c, paths, npaths);
	else
		for (i = 0; i < npaths && !aiops_stop; i++)
			read_input(&c, paths[i]);
	return finish(&c);
}
