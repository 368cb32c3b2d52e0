/*
 * silence.c: aiops-notify silence add|list|expire. A silence is a set of
 * Alertmanager matchers with a start, an end, an author and a comment,
 * kept in the state (store/notify.h); aiops-notify mutes the alerts it
 * selects while it is active. The author is the Unix user who ran the
 * command: only members of the state's group can write the state.
 */
#include "compat.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "config/conf.h"
#include "match/matcher.h"
#include "notify/timeint.h"
#include "notify.h"
#include "store/notify.h"
#include "store/state.h"
#include "tool/cli.h"
#include "tool/log.h"

enum {
	OPT_AUTHOR = AIOPS_OPT_PROGRAM_BASE,
	OPT_ALL,
	OPT_COMMENT,
	OPT_DURATION,
	OPT_END,
	OPT_EVERY,
	OPT_JSON,
	OPT_START,
};

static const char synopsis[] =
    "aiops-notify silence add [--start time] (--end time | --duration dur)\n"
    "                            [--every schedule] --comment text matcher ...\n"
    "       aiops-notify silence list [--all] [--json]\n"
    "       aiops-notify silence expire id ...";

static const struct aiops_opt opts[] = {
	{ "start", OPT_START, "TIME", "add: when it begins, RFC 3339 (default now)" },
	{ "end", OPT_END, "TIME", "add: when it ends, RFC 3339" },
	{ "duration", OPT_DURATION, "DUR", "add: how long it lasts from its start (2h)" },
	{ "comment", OPT_COMMENT, "TEXT", "add: why (a ticket, a change): required" },
	{ "every", OPT_EVERY, "SCHEDULE", "add: only inside these times, between start and end\n"
	    "('01:00-02:00', 'weekends', 'weekdays 22:00-06:00')" },
	{ "all", OPT_ALL, NULL, "list: those that ended too" },
	{ "json", OPT_JSON, NULL, "list: one JSON object a line" },
	AIOPS_OPT_END
};

struct silence_opts {
	const char	*start, *end, *duration, *comment, *every;
	int		 all, json;
};

/* The caller's user name: the author of what it adds. */
static char *
author(void)
{
	struct passwd *pw = getpwuid(getuid());
	char *name;

	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		return xstrdup(pw->pw_name);
	xasprintf(&name, "uid %lu", (unsigned long)getuid());
	return name;
}

/* A random version-4 UUID (RFC 9562), as Alertmanager names silences. */
static void
new_id(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno != EINTR)
			fatal(EX_OSERR, "getrandom");
		if (n > 0)
			got += (size_t)n;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static int64_t
parse_time(const char *opt, const char *arg)
{
	int64_t ns;

	if (aiops_time_parse_rfc3339(arg, strlen(arg), &ns) == -1)
		fatalx(EX_USAGE, "%s: %s: expected an RFC 3339 time (2026-12-01T22:00:00Z)",
		    opt, arg);
	return ns;
}

/* The matchers of argv as one set, in Alertmanager's canonical text. */
static char *
matchers_text(int argc, char **argv)
{
	struct aiops_match *m = NULL;
	char err[512], *text;
	int i;

	for (i = 0; i < argc; i++) {
		if (m == NULL)
			m = aiops_match_parse(argv[i], strlen(argv[i]), err, sizeof(err));
		else if (aiops_match_parse_add(m, argv[i], strlen(argv[i]), err, sizeof(err)) == -1) {
			aiops_match_free(m);
			m = NULL;
		}
		if (m == NULL)
			fatalx(EX_USAGE, "%s", err);
	}
	if (m == NULL || aiops_match_count(m) == 0)
		fatalx(EX_USAGE, "silence add: give at least one matcher (alertname=\"DiskFull\")");
	text = aiops_match_to_text(m, 0);
	aiops_match_free(m);
	return text;
}

/* A recurring silence's schedule, in the zone of notify.timezone. */
static char *
schedule_text(const struct aiops_cli *cli, const char *spec)
{
	const char *zone = aiops_conf_string(cli->cfg, "notify.timezone", "UTC");
	struct aiops_timeint *ti;
	char err[512], *text;

	if ((ti = aiops_timeint_parse_spec(spec, zone, err, sizeof(err))) == NULL)
		fatalx(EX_USAGE, "--every: %s: %s", spec, err);
	text = aiops_timeint_to_text(ti);
	aiops_timeint_free(ti);
	return text;
}

static int
silence_add(struct aiops_cli *cli, const struct silence_opts *o, int argc, char **argv)
{
	struct aiops_silence s;
	struct aiops_state *st;
	int64_t now = aiops_clock_now(), dur;
	char id[37], *who, *text;

	if (o->comment == NULL || *o->comment == '\0')
		fatalx(EX_USAGE, "silence add: --comment is required (why, a ticket)");
	if ((o->end == NULL) == (o->duration == NULL))
		fatalx(EX_USAGE, "silence add: give --end or --duration");
	text = matchers_text(argc, argv);
	memset(&s, 0, sizeof(s));
	s.starts_at = o->start != NULL ? parse_time("--start", o->start) : now;
	if (o->end != NULL)
		s.ends_at = parse_time("--end", o->end);
	else {
		dur = aiops_cli_duration("--duration", o->duration);
		s.ends_at = s.starts_at + dur;
	}
	if (s.ends_at <= s.starts_at)
		fatalx(EX_USAGE, "silence add: it ends before it starts");
	if (s.ends_at <= now)
		fatalx(EX_USAGE, "silence add: it has already ended");
	if (o->every != NULL)
		s.schedule = schedule_text(cli, o->every);
	new_id(id);
	who = author();
	s.id = id;
	s.matchers = text;
	s.created_by = who;
	s.comment = o->comment;
	s.created = s.updated = now;
	st = aiops_cli_state(cli, 0, "");
	if (aiops_silence_put(st, &s) == -1)
		fatalx(aiops_state_exit_status(st), "%s: adding the silence: %s",
		    aiops_state_path(st), aiops_state_errmsg(st));
	aiops_state_close(st);
	printf("%s\n", id);
	free(who);
	free(text);
	free((char *)s.schedule);
	return 0;
}

static void
print_time(struct aiops_buf *b, int64_t ns)
{
	char t[AIOPS_TIME_BUFSZ];

	aiops_time_format(ns, t);
	aiops_buf_addstr(b, t);
}

static void
print_silence(const struct aiops_silence *s, int json, int64_t now)
{
	struct aiops_buf b = AIOPS_BUF_INIT;

	if (json) {
		json_t *o = json_object();
		char t[AIOPS_TIME_BUFSZ], *line;

		json_object_set_new(o, "id", json_string(s->id));
		json_object_set_new(o, "matchers", json_string(s->matchers));
		aiops_time_format(s->starts_at, t);
		json_object_set_new(o, "startsAt", json_string(t));
		aiops_time_format(s->ends_at, t);
		json_object_set_new(o, "endsAt", json_string(t));
		json_object_set_new(o, "createdBy", json_string(s->created_by));
		json_object_set_new(o, "comment", json_string(s->comment));
		if (s->schedule != NULL)
			json_object_set_new(o, "schedule", json_loads(s->schedule, 0, NULL));
		json_object_set_new(o, "status", json_string(s->ends_at <= now ? "expired" :
		    s->starts_at > now ? "pending" : "active"));
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", line);
		free(line);
		json_decref(o);
		return;
	}
	aiops_buf_addf(&b, "%s  ", s->id);
	print_time(&b, s->starts_at);
	aiops_buf_addstr(&b, " to ");
	print_time(&b, s->ends_at);
	aiops_buf_addf(&b, "  %s%s%s  %s: %s\n", s->matchers, s->schedule ? "  every " : "",
	    s->schedule ? s->schedule : "", s->created_by, s->comment);
	fputs(b.data, stdout);
	aiops_buf_release(&b);
}

static int
silence_list(struct aiops_cli *cli, const struct silence_opts *o)
{
	struct aiops_silence_list l;
	struct aiops_state *st = aiops_cli_state(cli, AIOPS_STATE_READONLY, "");
	int64_t now = aiops_clock_now();
	size_t i;

	if (aiops_silences_list(st, now, o->all, &l) == -1)
		fatalx(aiops_state_exit_status(st), "%s: reading the silences: %s",
		    aiops_state_path(st), aiops_state_errmsg(st));
	for (i = 0; i < l.n; i++)
		print_silence(&l.v[i], o->json, now);
	aiops_silence_list_release(&l);
	aiops_state_close(st);
	return 0;
}

static int
silence_expire(struct aiops_cli *cli, int argc, char **argv)
{
	struct aiops_state *st;
	int i, found, status = 0;

	if (argc == 0)
		fatalx(EX_USAGE, "silence expire: give the id of a silence (silence list)");
	st = aiops_cli_state(cli, 0, "");
	for (i = 0; i < argc; i++) {
		if (aiops_silence_expire(st, argv[i], aiops_clock_now(), &found) == -1)
			fatalx(aiops_state_exit_status(st), "%s: expiring %s: %s",
			    aiops_state_path(st), argv[i], aiops_state_errmsg(st));
		if (!found) {
			log_warnx("%s: no such silence, or it has ended", argv[i]);
			status = EX_DATAERR;
		}
	}
	aiops_state_close(st);
	return status;
}

int
notify_silence_main(int argc, char **argv)
{
	struct aiops_cli cli;
	struct silence_opts o;
	const char *verb;
	int ch, rc;

	memset(&o, 0, sizeof(o));
	aiops_cli_init(&cli, "aiops-notify", "notify", synopsis, opts);
	/* argv[0] is "silence": getopt starts after it, at the verb. */
	while ((ch = aiops_cli_getopt(&cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_START:
			o.start = optarg;
			break;
		case OPT_END:
			o.end = optarg;
			break;
		case OPT_DURATION:
			o.duration = optarg;
			break;
		case OPT_COMMENT:
			o.comment = optarg;
			break;
		case OPT_EVERY:
			o.every = optarg;
			break;
		case OPT_ALL:
			o.all = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		default:
			aiops_cli_usage(&cli);
		}
	}
	if (optind >= argc)
		aiops_cli_usage(&cli);
	verb = argv[optind++];
	aiops_cli_start(&cli);
	if (strcmp(verb, "add") == 0)
		rc = silence_add(&cli, &o, argc - optind, argv + optind);
	else if (strcmp(verb, "list") == 0 && optind == argc)
		rc = silence_list(&cli, &o);
	else if (strcmp(verb, "expire") == 0)
		rc = silence_expire(&cli, argc - optind, argv + optind);
	else
		aiops_cli_usage(&cli);
	aiops_cli_release(&cli);
	return rc;
}
