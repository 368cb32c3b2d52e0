/*
 * incidents.c: aiops-detect --correlate, the incidents an on-call person
 * is paged for (aiops-detect(1), INCIDENTS).
 *
 * A member (an anomaly, a restart, an alert) joins the open group of its
 * host that saw a member within the window, or starts one. A member is
 * one signal of its host: the metrics of one family and device (mem_used
 * and mem_available_percent; the four counters of eth0), the lines of one
 * program, one alert name. A group is an incident only once it has
 * evidence: an alert, or one strong signal (a critical log line; a metric
 * surprise that lasted), or two signals that are evidence. A group
 * without it is dropped unseen when its host goes quiet. An incident takes
 * in the incidents of other hosts of its cluster that start while it is
 * open, so one problem seen on several hosts is one incident.
 *
 * The suspected cause is the earliest signal that is evidence (a metric
 * before a log line before a restart before an alert within a minute:
 * resources fail first, then logs say so, then alerting), which names
 * the host where the problem started: the database out of connections
 * before the web tier's errors. Incidents open, update and resolve on the
 * toolkit clock, so a replay gives the same incidents.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/clock.h"
#include "detect.h"
#include "event/event.h"
#include "event/evread.h"
#include "event/severity.h"
#include "json/jw.h"
#include "store/incidents.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define MAX_MEMBERS	100	/* kept per incident; more are counted */
#define MAX_SIGNALS	64	/* per incident; members of more still count */
#define ROOT_TIE_NS	(60 * AIOPS_NS_PER_SEC)
#define CAUSE_GAP	(5 * 60 * AIOPS_NS_PER_SEC)	/* isolated() */
/*
 * Evidence, in quarters (weight()): an incident needs two signals, or one
 * strong one. A metric signal is strong when it lasted this many points
 * this surprising; one under WEAK_SCORE is barely past its threshold.
 */
#define EVIDENCE	4
#define STRONG_POINTS	3
#define STRONG_SCORE	0.9
#define WEAK_SCORE	0.7
/* A share of memory, disk space or CPU used under this (%) leaves ample room. */
#define CAPACITY_USED	80
/* ... and over this (%) it is exhausted. */
#define SATURATED	95
/* A metric-only incident at a time of day seen in these days before is routine. */
#define ROUTINE_DAYS	7
#define ROUTINE_SLACK	(45 * 60 * AIOPS_NS_PER_SEC)
#define DAY_NS		(86400 * AIOPS_NS_PER_SEC)
#define ALERT_HOLD	12
#define MAX_WATCH	256	/* series watched at once (watch()) */
#define TITLE_PHRASES	3
#define TITLE_HOSTS	3

/* The order of signals at one time: causes first, consequences last. */
enum rank { R_METRIC, R_LOG, R_RESTART, R_ALERT };

/* One signal of one host in an incident: siblings together. */
struct signal {
	char		*host;		/* "" for none */
	char		*label;		/* "mem", "net{interface=eth0}", "log:sshd", "alert:X" */
	enum rank	 rank;
	int64_t		 first, last;
	size_t		 n;		/* members */
	/*
	 * Of the members that say things got worse (not a memory, disk or
	 * CPU use that fell: relief()): how many distinct times, the last,
	 * and their highest score.
	 */
	size_t		 points;
	size_t		 strong_points;	/* of them scored STRONG_SCORE or more */
	int64_t		 first_point, last_point, first_strong, last_strong;
	double		 used;		/* the highest share of a capacity used, %; -1 none */
	double		 max_score;
	int		 level;		/* the worst RFC 5424 level of its members; 8: none */
	int		 firing;	/* an alert of it fired */
	int		 still_firing;	/* and its latest word was not its end */
	json_t		*head;		/* its first member (signal_add()) */
	int		 known;		/* a log's: the best phrase its lines match; -1 none */
	json_t		*telling;	/* the member that matched it */
};

struct incident {
	char		 id[17];
	int64_t		 first_seen, last_seen;
	int		 confirmed;	/* has the evidence; reported unless routine */
	int		 routine;	/* a daily routine (recurs()): stored, not told */
	json_t		*hosts;		/* array of strings */
	json_t		*clusters;
	json_t		*members;	/* array of objects */
	struct signal	*sig;
	size_t		 nsig;
	size_t		 nmembers;	/* all, including those not kept */
	size_t		 reported_hosts;
	size_t		 reported_members;
	char		*severity;	/* as last reported */
	json_t		*labels;	/* fixed when it opened */
	char		 fingerprint[AIOPS_EVENT_ID_LEN + 1];
	struct incident	*next;
};

/* A series whose resource was found exhausted, and where it belongs. */
struct watch {
	char		*series;
	char		*name;		/* its metric */
	char		*host, *label;	/* its signal */
	struct incident	*g;
};

/* When an incident began on a host, to know a daily routine. */
struct recent {
	char		*host;
	int64_t		 first_seen;
};

struct correlator {
	int64_t		 window;	/* signals this close are evidence together */
	int64_t		 close_after;	/* quiet this long: resolved */
	int64_t		 min_duration;	/* metrics alone: worse for this long */
	struct incident	*open;		/* incidents, and groups not yet incidents */
	json_t		*host_cluster;	/* host -> cluster, learned from events */
	struct recent	*recent;	/* incidents of the last ROUTINE_DAYS */
	size_t		 nrecent;
	struct watch	*watch;		/* series of a resource found exhausted */
	size_t		 nwatch;
};

static void unwatch(struct correlator *, const struct incident *, struct incident *);

static int
has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

static void
add_string(json_t *arr, const char *s)
{
	if (s != NULL && *s != '\0' && !has_string(arr, s))
		json_array_append_new(arr, json_string(s));
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
}

/*
 * What a log line's words say happened, most telling first: the OOM
 * killer's lines before systemd's "Failed with result".
 */
static const struct {
	const char	*words, *phrase;
	int		 failure;	/* says on its own that something broke */
} known[] = {
	{ "out of memory", "memory exhausted, the OOM killer killed a process", 1 },
	{ "oom-kill", "memory exhausted, the OOM killer killed a process", 1 },
	{ "oom_reaper", "memory exhausted, the OOM killer killed a process", 1 },
	{ "no space left", "disk full", 1 },
	{ "i/o error", "disk I/O errors", 1 },
	{ "medium error", "disk I/O errors", 1 },
	{ "pending) sectors", "disk failing (SMART)", 1 },
	{ "offline uncorrectable", "disk failing (SMART)", 1 },
	{ "too many clients", "out of database connections", 1 },
	{ "connection slots", "out of database connections", 1 },
	{ "too many connections", "out of database connections", 1 },
	{ "link is down", "network link down", 1 },
	{ "nic link", "network link flapping", 0 },
	{ "upstream timed out", "upstream timeouts", 0 },
	{ "upstream", "upstream errors", 0 },
	{ "segfault", "a process crashed", 1 },
	{ "core dumped", "a process crashed", 1 },
	{ "authentication failure", "failed logins", 0 },
	{ "failed password", "failed logins", 0 },
	{ "invalid user", "failed logins", 0 },
	{ "authentication attempts", "failed logins", 0 },
	{ "deadlock", "deadlocks", 0 },
	{ "fan", "fan failure", 0 },
	{ "temperature", "overheating", 0 },
	{ "thermal", "overheating", 0 },
	{ "timed out", "timeouts", 0 },
	{ "refused", "connections refused", 0 },
	{ "rebooting", "rebooted", 0 },
	{ "reboot", "rebooted", 0 },
	{ "main process exited", "a service failed", 0 },
	{ "failed with result", "a service failed", 0 },
};

/* The first of known[] that template tmpl matches, or -1. */
static int
known_phrase(const char *tmpl)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (contains(tmpl, known[i].words))
			return (int)i;
	return -1;
}

/* ---------------------------------------------------------------- */
/* Signals                                                          */

/*
 * The family of a metric: its first word, after the exporter's prefix
 * ("node_"): mem_used and mem_available_percent are "mem", the four net
 * counters "net", node_memory_MemFree_bytes "memory".
 */
static void
metric_family(const char *name, size_t n, struct aiops_buf *b)
{
	const char *us;

	if (n > 5 && memcmp(name, "node_", 5) == 0) {
		name += 5;
		n -= 5;
	}
	if ((us = memchr(name, '_', n)) != NULL && us > name)
		n = (size_t)(us - name);
	aiops_buf_add(b, name, n);
}

/* Labels that say where a host runs, not which device a metric is of. */
static int
placement_label(const struct aiops_label *l)
{
	static const char *const skip[] = { "host", "cluster", "instance", "job", "env",
	    "environment", "region", "zone", "dc", "datacenter", NULL };
	size_t i;

	for (i = 0; skip[i] != NULL; i++)
		if (l->klen == strlen(skip[i]) && memcmp(l->key, skip[i], l->klen) == 0)
			return 1;
	return 0;
}

/* The signal member m belongs to, and its rank. */
static enum rank
signal_label(const struct detect_member *m, struct aiops_buf *b)
{
	size_t i, nl = 0;

	if (strcmp(m->kind, "alert") == 0) {
		aiops_buf_addstr(b, "alert:");
		aiops_buf_add(b, m->what, m->wlen);
		return R_ALERT;
	}
	if (strcmp(m->kind, "log") == 0) {
		aiops_buf_addstr(b, "log:");
		if (m->service != NULL)
			aiops_buf_add(b, m->service, m->slen);
		return R_LOG;
	}
	if (m->detector != NULL && strcmp(m->detector, "restart") == 0) {
		aiops_buf_addstr(b, "restart");
		return R_RESTART;
	}
	/* time the CPUs wait on disks says what the disks' counters do */
	if (m->what != NULL && memmem(m->what, m->wlen, "iowait", 6) != NULL) {
		aiops_buf_addstr(b, "diskio");
		return R_METRIC;
	}
	metric_family(m->what != NULL ? m->what : "", m->what != NULL ? m->wlen : 0, b);
	for (i = 0; i < m->nlabels; i++) {
		if (placement_label(&m->labels[i]))
			continue;
		aiops_buf_addstr(b, nl++ ? "," : "{");
		aiops_buf_add(b, m->labels[i].key, m->labels[i].klen);
		aiops_buf_addstr(b, "=");
		aiops_buf_add(b, m->labels[i].val, m->labels[i].vlen);
	}
	if (nl > 0)
		aiops_buf_addstr(b, "}");
	return R_METRIC;
}

/*
 * A metric that sums up others (the load average, process counts): it
 * moves with the CPU, memory or disks it sums up, which are the cause
 * and the evidence; it is neither on its own.
 */
static int
derived(const struct signal *s)
{
	return strncmp(s->label, "system", 6) == 0 || strncmp(s->label, "processes", 9) == 0 ||
	    strncmp(s->label, "load", 4) == 0;
}

/*
 * How much a signal says there is a problem, in quarters of what an
 * incident needs: 0 nothing (a new kind of info line, an alert's end, a
 * metric barely past its threshold), 1 a warning, 2 evidence, 4 enough on
 * its own (an alert; a critical line, or one that says what broke: the
 * OOM killer, a disk full or failing, a database out of connections).
 */
static int
weight(const struct signal *s)
{
	switch (s->rank) {
	case R_ALERT:
		return s->firing ? 4 : 0;
	case R_LOG:
		if (s->level <= AIOPS_SEV_CRIT || (s->known >= 0 && known[s->known].failure))
			return 4;
		return s->level <= AIOPS_SEV_ERR ? 2 : s->level <= AIOPS_SEV_WARNING ? 1 : 0;
	case R_RESTART:
		return 2;
	case R_METRIC:
		if (*s->host == '\0' || derived(s))
			return 0;	/* a rate of all hosts' lines; the load */
		if (s->points == 0 || s->max_score < WEAK_SCORE)
			return 0;
		/* a change in use that leaves ample room is not a shortage: a deploy */
		if (s->used >= 0 && s->used < CAPACITY_USED)
			return 1;
		/* a surprise that lasted, or that left a resource with no room */
		if (s->strong_points >= STRONG_POINTS ||
		    (s->max_score >= STRONG_SCORE && s->used >= SATURATED))
			return 4;
		return 2;
	}
	return 0;
}

/*
 * May the signal be the cause? Evidence, and for a metric more than one
 * unremarkable point: a lone blip on a network counter that happened to
 * come first is not why the database fell over.
 */
static int
eligible(const struct signal *s)
{
	if (weight(s) < 2 || *s->host == '\0')
		return 0;
	return s->rank != R_METRIC || s->points >= 2 || s->max_score >= STRONG_SCORE;
}

/* Is this metric a headroom (available, free, idle), which falls under pressure? */
static int
headroom(const char *name)
{
	return contains(name, "avail") || contains(name, "free") || contains(name, "idle");
}

/* A family of disk space (not disk I/O). */
static int
disk_space(const char *label, const char *name)
{
	if (strncmp(label, "filesystem", 10) == 0)
		return 1;
	return strncmp(label, "disk", 4) == 0 && strncmp(label, "diskio", 6) != 0 &&
	    !contains(name, "io") && !contains(name, "read") && !contains(name, "write");
}

/*
 * Does the metric anomaly say things got better: less memory, CPU or disk
 * used, a lower load, fewer errors, a cooler part? Log rotation freeing
 * /var pages nobody. Traffic that falls is not relief: it may be an outage.
 */
static int
relief(const char *label, const char *name, double deviation)
{
	int pressure = headroom(name) ? deviation < 0 : deviation > 0;

	if (deviation == 0 || pressure)
		return 0;
	return strncmp(label, "mem", 3) == 0 || strncmp(label, "swap", 4) == 0 ||
	    strncmp(label, "cpu", 3) == 0 || strncmp(label, "system", 6) == 0 ||
	    strncmp(label, "load", 4) == 0 || disk_space(label, name) ||
	    contains(name, "err") || contains(name, "drop") || contains(name, "temp");
}

/* Is this metric a share of a capacity in percent: memory, disk space, CPU time used? */
static int
capacity_share(const char *name)
{
	if (contains(name, "iowait") || contains(name, "inodes"))
		return 0;
	return contains(name, "percent") || (strncmp(name, "cpu_usage_", 10) == 0);
}

/* The share used that value of metric name says, in percent. */
static double
used_share(const char *name, double value)
{
	return headroom(name) ? 100 - value : value;
}

/* A member's robust z, signed so that more pressure is positive. */
static double
pressure(const json_t *m)
{
	double z = json_number_value(json_object_get(m, "deviation"));

	return headroom(jstr(m, "what")) ? -z : z;
}

/*
 * Of siblings at one time, which names the signal: one that says a load
 * rose (the disk's busy time) before one that fell (its writes, stalled
 * by errors), then the most surprising.
 */
static int
better_head(const json_t *m, const json_t *head)
{
	int up = pressure(m) > 0, head_up = pressure(head) > 0;

	if (up != head_up)
		return up;
	return json_number_value(json_object_get(m, "score")) >
	    json_number_value(json_object_get(head, "score"));
}

static struct signal *
find_signal(struct incident *inc, const char *host, const char *label)
{
	size_t i;

	for (i = 0; i < inc->nsig; i++)
		if (strcmp(inc->sig[i].host, host) == 0 && strcmp(inc->sig[i].label, label) == 0)
			return &inc->sig[i];
	return NULL;
}

/* Adds member mj (of signal label, rank) to inc's signals. */
static void
signal_add(struct incident *inc, const char *host, const char *label, enum rank rank,
    json_t *mj)
{
	struct signal *s = find_signal(inc, host, label);
	int64_t ts = json_integer_value(json_object_get(mj, "_ns"));
	const char *sev = jstr(mj, "severity");
	const json_t *v = json_object_get(mj, "value");
	int level = sev != NULL ? aiops_severity_parse(sev, strlen(sev)) : -1;

	if (s == NULL) {
		if (inc->nsig == MAX_SIGNALS)
			return;
		inc->sig = xreallocarray(inc->sig, inc->nsig + 1, sizeof(*s));	/* few */
		s = &inc->sig[inc->nsig++];
		memset(s, 0, sizeof(*s));
		s->host = xstrdup(host);
		s->label = xstrdup(label);
		s->rank = rank;
		s->first = s->last = ts;
		s->level = 8;
		s->known = -1;
		s->used = -1;
	}
	if (s->head == NULL || ts < s->first || (ts == s->first && better_head(mj, s->head))) {
		json_decref(s->head);
		s->head = json_incref(mj);
	}
	if (ts < s->first)
		s->first = ts;
	if (ts > s->last)
		s->last = ts;
	s->n++;
	if (rank != R_METRIC || !relief(label, jstr(mj, "what"),
	    json_number_value(json_object_get(mj, "deviation")))) {
		if (s->points == 0 || ts < s->first_point)
			s->first_point = ts;
		if (s->points == 0 || ts != s->last_point)
			s->points++;
		if (json_number_value(json_object_get(mj, "score")) >= STRONG_SCORE &&
		    (s->strong_points == 0 || ts != s->last_strong)) {
			if (s->strong_points++ == 0)
				s->first_strong = ts;
			s->last_strong = ts;
		}
		if (ts > s->last_point)
			s->last_point = ts;
		if (rank == R_METRIC && json_is_number(v) && capacity_share(jstr(mj, "what")) &&
		    used_share(jstr(mj, "what"), json_number_value(v)) > s->used)
			s->used = used_share(jstr(mj, "what"), json_number_value(v));
		if (json_number_value(json_object_get(mj, "score")) > s->max_score)
			s->max_score = json_number_value(json_object_get(mj, "score"));
	}
	if (level >= 0 && level < s->level)
		s->level = level;
	if (rank == R_LOG) {
		int k = known_phrase(jstr(mj, "what"));

		if (k >= 0 && (s->known < 0 || k < s->known)) {
			s->known = k;
			json_decref(s->telling);
			s->telling = json_incref(mj);
		}
	}
	if (rank == R_ALERT && json_object_get(mj, "resolved") == NULL)
		s->firing = 1;
	if (rank == R_ALERT && ts >= s->last)
		s->still_firing = json_object_get(mj, "resolved") == NULL;
}

/* Are two signals of one host and family (diskio of sda and of sdb)? */
static int
same_family(const struct signal *a, const struct signal *b)
{
	size_t na = strcspn(a->label, "{"), nb = strcspn(b->label, "{");

	return na == nb && memcmp(a->label, b->label, na) == 0 && strcmp(a->host, b->host) == 0;
}

/*
 * The evidence of inc's signals seen within span of `now`: of each family
 * of a host, its strongest signal (siblings count once).
 */
static int
evidence(const struct incident *inc, int64_t now, int64_t span)
{
	int sum = 0, w;
	size_t i, j;

	for (i = 0; i < inc->nsig; i++) {
		const struct signal *s = &inc->sig[i];

		if (s->last < now - span || (w = weight(s)) == 0)
			continue;
		for (j = 0; j < inc->nsig; j++)
			if (j != i && same_family(&inc->sig[j], s) && inc->sig[j].last >= now - span &&
			    (weight(&inc->sig[j]) > w || (weight(&inc->sig[j]) == w && j < i)))
				break;
		if (j == inc->nsig)
			sum += w;
	}
	return sum;
}

/*
 * How long the metrics that are evidence (and the load) have said things
 * are worse: a burst of a few minutes with nothing broken pages nobody.
 * The detectors flag the start of a shift, not each of its points: the
 * load, which lags, tells that a CPU saturation goes on.
 */
static int64_t
metric_duration(const struct incident *inc)
{
	int64_t first = INT64_MAX, last = INT64_MIN;
	size_t i;

	for (i = 0; i < inc->nsig; i++) {
		const struct signal *s = &inc->sig[i];

		/* the load is no evidence, but says how long the CPUs stay busy */
		if (s->rank != R_METRIC || (weight(s) == 0 &&
		    !(derived(s) && s->points > 0 && s->max_score >= WEAK_SCORE)))
			continue;
		if (s->first_point < first)
			first = s->first_point;
		if (s->last_point > last)
			last = s->last_point;
	}
	return first == INT64_MAX ? 0 : last - first;
}

/* A signal's rank for the order of causes: a rate of log lines is a log's. */
static enum rank
order_rank(const struct signal *s)
{
	if (s->rank == R_METRIC && strncmp(s->label, "log", 3) == 0 &&
	    (s->label[3] == '\0' || s->label[3] == '{'))
		return R_LOG;
	return s->rank;
}

/*
 * Is a before b as a cause? On one host, within a minute, by rank: a
 * metric sampled at the end of its minute says what happened during it.
 * Across hosts, by time alone.
 */
static int
earlier(const struct signal *a, const struct signal *b)
{
	int64_t tie = strcmp(a->host, b->host) == 0 ? ROOT_TIE_NS : 0;

	if (a->first < b->first - tie)
		return 1;
	if (a->first > b->first + tie)
		return 0;
	if (order_rank(a) != order_rank(b))
		return order_rank(a) < order_rank(b);
	if (a->rank == R_METRIC && derived(a) != derived(b))
		return derived(b);
	if (weight(a) != weight(b))
		return weight(a) > weight(b);
	return a->first < b->first;
}

/*
 * Was s over before the next signal of its host began (by more than
 * CAUSE_GAP)? Then it is a blip that came first, not what the others
 * follow from.
 */
static int
isolated(const struct incident *inc, const struct signal *s)
{
	const struct signal *next = NULL;
	size_t i;

	for (i = 0; i < inc->nsig; i++) {
		const struct signal *t = &inc->sig[i];

		if (t != s && eligible(t) && strcmp(t->host, s->host) == 0 && t->first >= s->first &&
		    (next == NULL || t->first < next->first))
			next = t;
	}
	return next != NULL && next->first > s->last + CAUSE_GAP;
}

/*
 * The suspected cause: the earliest eligible signal that is not isolated
 * (else the earliest eligible, else any with evidence, else any).
 */
static const struct signal *
root_signal(const struct incident *inc)
{
	const struct signal *best = NULL;
	size_t i;
	int pass;

	for (pass = 0; pass < 4 && best == NULL; pass++)
		for (i = 0; i < inc->nsig; i++) {
			const struct signal *s = &inc->sig[i];

			if ((pass == 0 && (!eligible(s) || isolated(inc, s))) ||
			    (pass == 1 && !eligible(s)) || (pass == 2 && weight(s) == 0))
				continue;
			if (best == NULL || earlier(s, best))
				best = s;
		}
	return best;
}

/* ---------------------------------------------------------------- */
/* What it means                                                    */

/* What a metric signal says, in words: "memory exhausted", "disk /var filling". */
static void
metric_phrase(const struct signal *s, struct aiops_buf *b)
{
	const char *name = jstr(s->head, "what"), *fam = s->label, *dev = strchr(s->label, '{');
	int up = pressure(s->head) > 0;

	/* s->used is -1 where no share of a capacity was seen */
	if (strncmp(fam, "mem", 3) == 0 || strncmp(fam, "swap", 4) == 0)
		aiops_buf_addstr(b, !up ? "memory use down" : s->used >= 90 ?
		    "memory exhausted" : "memory use up");
	else if (strncmp(fam, "cpu", 3) == 0)
		aiops_buf_addstr(b, contains(name, "iowait") ? "CPU waiting on I/O" :
		    !up ? "CPU use down" : s->used >= 90 ? "CPU saturated" : "CPU use up");
	else if (disk_space(fam, name))
		aiops_buf_addstr(b, !up ? "disk space freed" : s->used >= 95 ?
		    "disk full" : "disk filling");
	else if (strncmp(fam, "disk", 4) == 0)
		aiops_buf_addstr(b, up ? "disk I/O up" : "disk I/O down");
	else if (strncmp(fam, "net", 3) == 0)
		aiops_buf_addstr(b, contains(name, "err") || contains(name, "drop") ?
		    "network errors" : up ? "network traffic up" : "network traffic down");
	else if (strncmp(fam, "system", 6) == 0 || strncmp(fam, "load", 4) == 0)
		aiops_buf_addstr(b, up ? "load up" : "load down");
	else if (contains(name, "backends") || contains(name, "connections"))
		aiops_buf_addstr(b, up ? "connections up" : "connections down");
	else if (contains(name, "5xx") || contains(name, "error"))
		aiops_buf_addstr(b, up ? "errors up" : "errors down");
	else if (contains(name, "temp"))
		aiops_buf_addstr(b, up ? "temperature up" : "temperature down");
	else if (strcmp(fam, "log") == 0 || strncmp(fam, "log{", 4) == 0)
		aiops_buf_addstr(b, up ? "log lines up" : "log lines down");
	else
		aiops_buf_addf(b, "%s %s", name != NULL ? name : fam, up ? "up" : "down");
	if (dev != NULL && (strncmp(fam, "disk", 4) == 0 || strncmp(fam, "net", 3) == 0 ||
	    strncmp(fam, "filesystem", 10) == 0)) {
		const char *eq = strchr(dev, '='), *end = eq ? strpbrk(eq, ",}") : NULL;

		if (eq != NULL && end != NULL)
			aiops_buf_addf(b, " (%.*s)", (int)(end - eq - 1), eq + 1);
	}
}

static void
phrase(const struct signal *s, struct aiops_buf *b)
{
	const char *what = jstr(s->head, "what");

	switch (s->rank) {
	case R_ALERT:
		aiops_buf_addf(b, "alert %s", what);
		break;
	case R_RESTART:
		aiops_buf_addstr(b, "restarted");
		break;
	case R_LOG:
		if (s->known >= 0)
			aiops_buf_addstr(b, known[s->known].phrase);
		else
			aiops_buf_addf(b, "%s %s", s->label[4] ? s->label + 4 : "log",
			    s->level <= AIOPS_SEV_ERR ? "errors" : "warnings");
		break;
	case R_METRIC:
		metric_phrase(s, b);
		break;
	}
}

/* Adds s's phrase to b unless it says what b already does. */
static int
add_phrase(struct aiops_buf *b, size_t from, const struct signal *s, int n)
{
	struct aiops_buf p = AIOPS_BUF_INIT;
	int added = 0;

	phrase(s, &p);
	aiops_buf_add(&p, "", 1);
	if (strstr(b->data + from, p.data) == NULL) {
		aiops_buf_addf(b, "%s%s", n ? ", " : "", p.data);
		added = 1;
	}
	aiops_buf_release(&p);
	return added;
}

/* Signals in the order a cause comes before its consequences. */
static int
cmp_signal(const void *a, const void *b)
{
	const struct signal *x = *(const struct signal *const *)a;
	const struct signal *y = *(const struct signal *const *)b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (int)x->rank - (int)y->rank;
}

/*
 * "web-1: memory exhausted, restarted; web-2, web-3: upstream errors":
 * the cause's host and what its signals say, in time order, then the
 * other hosts and what the first of theirs says.
 */
static void
title(const struct incident *inc, const struct signal *root, struct aiops_buf *b)
{
	const struct signal **v = xreallocarray(NULL, inc->nsig ? inc->nsig : 1, sizeof(*v));
	size_t i, n = 0, from, nother = 0;
	int said = 0;

	for (i = 0; i < inc->nsig; i++)
		if (eligible(&inc->sig[i]))
			v[n++] = &inc->sig[i];
	qsort(v, n, sizeof(*v), cmp_signal);
	aiops_buf_addf(b, "%s: ", *root->host ? root->host : "unknown host");
	from = b->len;
	aiops_buf_add(b, "", 1);	/* strstr() in add_phrase() needs the NUL */
	b->len--;
	said += add_phrase(b, from, root, said);
	for (i = 0; i < n && said < TITLE_PHRASES; i++)
		if (v[i] != root && strcmp(v[i]->host, root->host) == 0)
			said += add_phrase(b, from, v[i], said);
	for (i = 0; i < n; i++) {
		size_t j;
		int dup = 0;

		if (strcmp(v[i]->host, root->host) == 0 || *v[i]->host == '\0')
			continue;
		for (j = 0; j < i; j++)
			dup |= strcmp(v[j]->host, v[i]->host) == 0;
		if (dup)
			continue;
		if (nother < TITLE_HOSTS)
			aiops_buf_addf(b, "%s%s", nother ? ", " : "; ", v[i]->host);
		nother++;
	}
	if (nother > TITLE_HOSTS)
		aiops_buf_addf(b, " and %zu more", nother - TITLE_HOSTS);
	if (nother > 0) {
		for (i = 0; i < n; i++)
			if (strcmp(v[i]->host, root->host) != 0 && *v[i]->host != '\0')
				break;
		aiops_buf_addstr(b, ": ");
		phrase(v[i], b);
	}
	free(v);
}

/*
 * One word for the worst of the members: alerts' and logs' own, critical
 * for a line that says what broke, else warning.
 */
static const char *
severity(const struct incident *inc)
{
	int worst = AIOPS_SEV_WARNING;
	size_t i;

	for (i = 0; i < inc->nsig; i++) {
		const struct signal *s = &inc->sig[i];

		if (weight(s) > 0 && s->level < worst)
			worst = s->level;
		if (s->known >= 0 && known[s->known].failure)
			worst = AIOPS_SEV_CRIT;
	}
	return worst <= AIOPS_SEV_CRIT ? "critical" : "warning";
}

/* The string members of object o as labels, sorted by name; how many (at most max). */
static size_t
label_array(const json_t *o, struct aiops_label *l, size_t max)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	json_object_foreach((json_t *)o, k, v) {
		if (n == max || !json_is_string(v))
			continue;
		l[n].key = k;
		l[n].klen = strlen(k);
		l[n].val = json_string_value(v);
		l[n].vlen = json_string_length(v);
		n++;
	}
	aiops_labels_sort(l, n);
	return n;
}

/*
 * The labels an incident keeps from when it opened: the host and signal
 * of its cause, its cluster. Their fingerprint is Prometheus's, as an
 * alert's is, so aiops-notify groups a problem that comes back.
 */
static void
fix_labels(struct incident *inc, const struct signal *root, struct correlator *c)
{
	const char *cluster = *root->host ? jstr(c->host_cluster, root->host) : NULL;
	struct aiops_label l[4];
	size_t n;

	inc->labels = json_object();
	json_object_set_new(inc->labels, "alertname", json_string("aiops_incident"));
	if (cluster != NULL)
		json_object_set_new(inc->labels, "cluster", json_string(cluster));
	if (*root->host)
		json_object_set_new(inc->labels, "host", json_string(root->host));
	json_object_set_new(inc->labels, "signal", json_string(root->label));
	n = label_array(inc->labels, l, 4);
	aiops_labels_fingerprint(l, n, inc->fingerprint);
}

/* ---------------------------------------------------------------- */
/* Reporting                                                        */

static void
summary(const struct incident *inc, const char *ttl, const json_t *root, struct aiops_buf *b)
{
	size_t i;
	json_t *h;

	aiops_buf_addf(b, "%s; %zu signal%s on ", ttl, inc->nmembers, inc->nmembers == 1 ? "" : "s");
	json_array_foreach(inc->hosts, i, h)
		aiops_buf_addf(b, "%s%s", i ? ", " : "", json_string_value(h));
	if (json_array_size(inc->hosts) == 0)
		aiops_buf_addstr(b, "unknown hosts");
	aiops_buf_addf(b, "; suspected cause: %s %s", jstr(root, "kind"), jstr(root, "what"));
	if (jstr(root, "host") != NULL)
		aiops_buf_addf(b, " on %s", jstr(root, "host"));
	aiops_buf_addf(b, " at %s", jstr(root, "ts"));
}

/* A member as the event and the state show it: without our sort key. */
static json_t *
public_member(const json_t *m)
{
	json_t *o = json_deep_copy(m);

	json_object_del(o, "_ns");
	return o;
}

static json_t *
public_members(const json_t *members)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(members, i, v)
		json_array_append_new(out, public_member(v));
	return out;
}

/* The signals of inc, for the event: host, signal, first time, points, evidence. */
static json_t *
signals_json(const struct incident *inc)
{
	json_t *a = json_array();
	char ts[AIOPS_TIME_BUFSZ];
	size_t i;

	for (i = 0; i < inc->nsig; i++) {
		const struct signal *s = &inc->sig[i];

		aiops_time_format(s->first, ts);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I, s:i}", "host", s->host,
		    "signal", s->label, "first", ts, "count", (json_int_t)s->n,
		    "weight", weight(s)));
	}
	return a;
}

static void
save_incident(struct detect *d, const struct incident *inc, const char *status,
    const char *ttl, const char *sum, const json_t *root)
{
	struct aiops_incident row;
	char *hosts, *rootj, *members, *labels;
	json_t *stored = json_deep_copy(root);
	int rc;

	if (d->state == NULL) {
		json_decref(stored);
		return;
	}
	/* the state keeps the members' times in ns, to order them when resumed */
	json_object_set(stored, "_ns", json_object_get(root, "_ns"));
	hosts = json_dumps(inc->hosts, JSON_COMPACT);
	rootj = json_dumps(stored, JSON_COMPACT);
	members = json_dumps(inc->members, JSON_COMPACT);
	labels = json_dumps(inc->labels, JSON_COMPACT);
	memset(&row, 0, sizeof(row));
	memcpy(row.id, inc->id, sizeof(row.id));
	row.status = status;
	row.first_seen = inc->first_seen;
	row.last_seen = inc->last_seen;
	row.hosts = hosts;
	row.root_cause = rootj;
	row.members = members;
	row.summary = sum;
	row.severity = inc->severity;
	row.title = ttl;
	row.labels = labels;
	row.fingerprint = inc->fingerprint;
	rc = aiops_incidents_put(d->state, &row);
	free(hosts);
	free(rootj);
	free(members);
	free(labels);
	json_decref(stored);
	if (rc == -1)
		detect_state_fatal(d, "storing an incident");
}

/* The metrics of signal s in inc: siblings named with the one that came first. */
static json_t *
signal_names(const struct incident *inc, const struct signal *s)
{
	json_t *names = json_array(), *v;
	size_t i;

	json_array_foreach(inc->members, i, v) {
		const char *host = jstr(v, "host");

		if (strcmp(host != NULL ? host : "", s->host) == 0 &&
		    strcmp(jstr(v, "signal"), s->label) == 0)
			add_string(names, jstr(v, "what"));
	}
	return names;
}

/*
 * Writes the incident event and stores the incident; status "routine"
 * stores it only (recurs()).
 */
static void
report(struct detect *d, struct incident *inc, const char *status, int64_t ts)
{
	struct aiops_buf sum = AIOPS_BUF_INIT, ttl = AIOPS_BUF_INIT;
	const struct signal *rs = root_signal(inc);
	struct aiops_event_head h;
	char first[AIOPS_TIME_BUFSZ], last[AIOPS_TIME_BUFSZ];
	struct aiops_label lv[4];
	struct aiops_jw w;
	const json_t *rm = rs->telling != NULL ? rs->telling : rs->head;
	json_t *root = public_member(rm), *members = public_members(inc->members);
	json_t *sigs = signals_json(inc);
	const char *rhost = *rs->host ? rs->host : NULL;

	if (inc->labels == NULL)
		fix_labels(inc, rs, d->corr);
	free(inc->severity);
	inc->severity = xstrdup(severity(inc));
	json_object_set_new(root, "signal", json_string(rs->label));
	if (rs->rank == R_METRIC)
		json_object_set_new(root, "names", signal_names(inc, rs));
	title(inc, rs, &ttl);
	aiops_buf_add(&ttl, "", 1);
	summary(inc, ttl.data, root, &sum);
	aiops_buf_add(&sum, "", 1);
	aiops_time_format(inc->first_seen, first);
	aiops_time_format(inc->last_seen, last);
	if (strcmp(status, "routine") == 0)
		goto store;
	memset(&h, 0, sizeof(h));
	h.type = "incident";
	h.ts = ts;
	h.host = rhost;
	h.hlen = rhost != NULL ? strlen(rhost) : 0;
	h.source = "aiops-detect";
	h.labels = lv;
	h.nlabels = label_array(inc->labels, lv, 4);
	h.idkey = inc->id;
	h.idklen = 16;
	aiops_jw_init(&w, &d->out.buf);
	aiops_event_begin(&w, &h);
	aiops_jw_kcstr(&w, "incident_id", inc->id);
	aiops_jw_kcstr(&w, "status", status);
	aiops_jw_kcstr(&w, "severity", inc->severity);
	aiops_jw_kcstr(&w, "title", ttl.data);
	aiops_jw_kcstr(&w, "fingerprint", inc->fingerprint);
	aiops_jw_kcstr(&w, "first_seen", first);
	aiops_jw_kcstr(&w, "last_seen", last);
	aiops_jw_key(&w, "hosts", 5);
	aiops_jw_json(&w, inc->hosts);
	aiops_jw_key(&w, "clusters", 8);
	aiops_jw_json(&w, inc->clusters);
	aiops_jw_key(&w, "member_count", 12);
	aiops_jw_uinteger(&w, inc->nmembers);
	aiops_jw_key(&w, "signals", 7);
	aiops_jw_json(&w, sigs);
	aiops_jw_key(&w, "members", 7);
	aiops_jw_json(&w, members);
	aiops_jw_key(&w, "root_cause", 10);
	aiops_jw_json(&w, root);
	aiops_jw_kcstr(&w, "summary", sum.data);
	aiops_jw_object_end(&w);
	aiops_out_end(&d->out);
	if (d->explain != NULL) {
		struct detect_incident_view v = { inc->id, status, inc->severity, ttl.data,
		    rhost, inc->hosts, members, root, inc->nmembers };

		detect_explain_offer(d, &v);
	}
store:
	json_object_set(root, "_ns", json_object_get(rm, "_ns"));
	save_incident(d, inc, strcmp(status, "updated") == 0 ? "open" : status, ttl.data,
	    sum.data, root);
	inc->reported_hosts = json_array_size(inc->hosts);
	inc->reported_members = inc->nmembers;
	json_decref(root);
	json_decref(members);
	json_decref(sigs);
	aiops_buf_release(&sum);
	aiops_buf_release(&ttl);
}

/* ---------------------------------------------------------------- */
/* Grouping                                                         */

/* The member's event id, or for an event without one a hash of its text. */
static void
member_id(const struct detect_member *m, char id[AIOPS_EVENT_ID_LEN + 1])
{
	if (m->id != NULL) {
		memcpy(id, m->id, AIOPS_EVENT_ID_LEN + 1);
		return;
	}
	aiops_event_id_text(aiops_hash64(m->event ? m->event : "", m->elen, AIOPS_HASH_INIT), id);
}

static const char *
level_word(int level)
{
	if (level <= AIOPS_SEV_CRIT)
		return "critical";
	return aiops_severity_name(level);
}

static json_t *
member_json(const struct detect_member *m, const char *id, const char *host,
    const char *label)
{
	char ts[AIOPS_TIME_BUFSZ];
	json_t *o;

	aiops_time_format(m->ts, ts);
	o = json_pack("{s:s, s:s, s:s, s:s%, s:f}", "id", id, "kind", m->kind, "ts", ts,
	    "what", m->what != NULL ? m->what : "", m->what != NULL ? m->wlen : 0,
	    "score", m->score);
	if (host != NULL)
		json_object_set_new(o, "host", json_string(host));
	json_object_set_new(o, "signal", json_string(label));
	if (m->detector != NULL)
		json_object_set_new(o, "detector", json_string(m->detector));
	if (m->service != NULL)
		json_object_set_new(o, "service", json_stringn(m->service, m->slen));
	if (m->level >= 0 && m->level <= 7)
		json_object_set_new(o, "severity", json_string(level_word(m->level)));
	if (isfinite(m->value) && strcmp(m->kind, "metric") == 0)
		json_object_set_new(o, "value", json_real(m->value));
	if (m->deviation != 0 && isfinite(m->deviation))
		json_object_set_new(o, "deviation", json_real(m->deviation));
	if (m->resolved)
		json_object_set_new(o, "resolved", json_true());
	json_object_set_new(o, "_ns", json_integer(m->ts));
	return o;
}

/* The cluster of a host: its own, or the one its host was seen in. */
static const char *
host_cluster(struct correlator *c, const char *cluster, const char *host)
{
	if (cluster != NULL)
		return cluster;
	return *host ? jstr(c->host_cluster, host) : NULL;
}

/* May incidents with these clusters be one? Unless both say, and differ. */
static int
same_cluster(const json_t *a, const json_t *b)
{
	size_t i;
	json_t *v;

	if (json_array_size(a) == 0 || json_array_size(b) == 0)
		return 1;
	json_array_foreach(a, i, v)
		if (has_string(b, json_string_value(v)))
			return 1;
	return 0;
}

static struct incident *
incident_new(struct correlator *c, const char *id, int64_t ts)
{
	struct incident *inc = xcalloc(1, sizeof(*inc));

	memcpy(inc->id, id, sizeof(inc->id));
	inc->first_seen = inc->last_seen = ts;
	inc->hosts = json_array();
	inc->clusters = json_array();
	inc->members = json_array();
	inc->next = c->open;
	c->open = inc;
	return inc;
}

static void
incident_free(struct incident *inc)
{
	size_t i;

	for (i = 0; i < inc->nsig; i++) {
		free(inc->sig[i].host);
		free(inc->sig[i].label);
		json_decref(inc->sig[i].head);
		json_decref(inc->sig[i].telling);
	}
	free(inc->sig);
	free(inc->severity);
	json_decref(inc->labels);
	json_decref(inc->hosts);
	json_decref(inc->clusters);
	json_decref(inc->members);
	free(inc);
}

static void
unlink_incident(struct correlator *c, struct incident *inc)
{
	struct incident **pp;

	for (pp = &c->open; *pp != inc; pp = &(*pp)->next)
		;
	*pp = inc->next;
}

/* Adds member mj to inc. */
static void
add_member(struct incident *inc, json_t *mj, const char *host, const char *cluster,
    const char *label, enum rank rank)
{
	int64_t ts = json_integer_value(json_object_get(mj, "_ns"));

	if (ts > inc->last_seen)
		inc->last_seen = ts;
	if (ts < inc->first_seen)
		inc->first_seen = ts;
	add_string(inc->hosts, host);
	add_string(inc->clusters, cluster);
	inc->nmembers++;
	if (json_array_size(inc->members) < MAX_MEMBERS)
		json_array_append(inc->members, mj);
	signal_add(inc, host, label, rank, mj);
}

/* Moves what group g has into incident inc, and frees g. */
static void
merge(struct correlator *c, struct incident *inc, struct incident *g)
{
	size_t i;
	json_t *v;

	json_array_foreach(g->members, i, v) {
		const char *host = jstr(v, "host");
		const char *label = jstr(v, "signal");
		const struct signal *s = find_signal(g, host ? host : "", label);

		add_member(inc, v, host ? host : "", NULL, label, s != NULL ? s->rank : R_METRIC);
	}
	inc->nmembers += g->nmembers - json_array_size(g->members);
	json_array_foreach(g->clusters, i, v)
		add_string(inc->clusters, json_string_value(v));
	unwatch(c, g, inc);
	unlink_incident(c, g);
	incident_free(g);
}

/*
 * How long an incident must be quiet to resolve: close_after, or while an
 * alert of it still fires, until the alert ends (at most ALERT_HOLD times
 * close_after, for an alert whose end never comes).
 */
static int64_t
quiet_for(const struct correlator *c, const struct incident *inc)
{
	size_t i;

	for (i = 0; i < inc->nsig; i++)
		if (inc->sig[i].still_firing)
			return ALERT_HOLD * c->close_after;
	return c->close_after;
}

/*
 * The open incident of host (until it resolves), or its group that saw a
 * member within the window.
 */
static struct incident *
find_group(struct correlator *c, int64_t ts, const char *host)
{
	struct incident *inc, *best = NULL;

	for (inc = c->open; inc != NULL; inc = inc->next)
		if (ts - inc->last_seen <= (inc->confirmed ? quiet_for(c, inc) : c->close_after) &&
		    has_string(inc->hosts, host) &&
		    (best == NULL || inc->confirmed > best->confirmed ||
		    (inc->confirmed == best->confirmed && inc->last_seen > best->last_seen)))
			best = inc;
	return best;
}

/* Did a line or an alert say something broke (a failure, an error, an alert)? */
static int
said_broken(const struct incident *inc)
{
	size_t i;

	for (i = 0; i < inc->nsig; i++)
		if ((inc->sig[i].rank == R_LOG || inc->sig[i].rank == R_ALERT) &&
		    weight(&inc->sig[i]) >= 2)
			return 1;
	return 0;
}

/*
 * An open incident group g may join: of its cluster, still open when g
 * began, and one where a line or an alert said something broke, that g's
 * own trouble may follow from (the web tier's errors after the database
 * ran out of connections). Metrics alone on two hosts at once are two
 * problems, and a group that says something broke is its own cause, not
 * a consequence of metrics elsewhere.
 */
static struct incident *
find_incident(struct correlator *c, const struct incident *g)
{
	struct incident *inc, *best = NULL;

	for (inc = c->open; inc != NULL; inc = inc->next)
		if (inc != g && inc->confirmed && !inc->routine && said_broken(inc) &&
		    g->first_seen - inc->last_seen <= c->close_after &&
		    same_cluster(inc->clusters, g->clusters) &&
		    (best == NULL || inc->last_seen > best->last_seen))
			best = inc;
	return best;
}


static void
remember(struct correlator *c, const char *host, int64_t first_seen)
{
	size_t i, n = 0;

	/* forget what is too old to say anything, keeping the list short */
	for (i = 0; i < c->nrecent; i++) {
		if (first_seen - c->recent[i].first_seen > (ROUTINE_DAYS + 1) * DAY_NS) {
			free(c->recent[i].host);
			continue;
		}
		c->recent[n++] = c->recent[i];
	}
	c->nrecent = n;
	c->recent = xreallocarray(c->recent, n + 1, sizeof(*c->recent));
	c->recent[n].host = xstrdup(host);
	c->recent[n].first_seen = first_seen;
	c->nrecent++;
}

/*
 * Is incident inc, which only metrics say is one, a daily routine: did
 * an incident begin on its cause's host at this time of day (within 45
 * minutes) on one of the 7 days before? The nightly backup, the batch job
 * at 100% CPU: the metric models learn them in two or three days; until
 * then this keeps them from paging anyone again. A line or an alert that
 * says something broke is never routine.
 */
static int
recurs(const struct correlator *c, const struct incident *inc, const char *host)
{
	size_t i;

	if (said_broken(inc))
		return 0;
	for (i = 0; i < c->nrecent; i++) {
		int64_t ago = inc->first_seen - c->recent[i].first_seen, tod = ago % DAY_NS;

		if (strcmp(c->recent[i].host, host) == 0 && ago >= DAY_NS - ROUTINE_SLACK &&
		    ago <= ROUTINE_DAYS * DAY_NS + ROUTINE_SLACK &&
		    (tod <= ROUTINE_SLACK || tod >= DAY_NS - ROUTINE_SLACK))
			return 1;
	}
	return 0;
}

/* Remembers when group g began on each of its hosts (for recurs()). */
static void
remember_hosts(struct correlator *c, const struct incident *g)
{
	size_t i;
	json_t *h;

	json_array_foreach(g->hosts, i, h)
		remember(c, json_string_value(h), g->first_seen);
}

/*
 * Has group g the evidence of an incident: enough of it (evidence()),
 * and something broke (a line, an alert, a restart says so; a resource is
 * exhausted) or metrics have said so for min_duration?
 */
static int
confirmable(const struct correlator *c, const struct incident *g, int64_t now)
{
	size_t i;

	if (evidence(g, now, c->window) < EVIDENCE)
		return 0;
	if (said_broken(g))
		return 1;
	for (i = 0; i < g->nsig; i++) {
		const struct signal *s = &g->sig[i];

		if (s->rank == R_RESTART)
			return 1;
		/* a resource with no room left for half of min_duration */
		if (s->rank == R_METRIC && s->used >= SATURATED && weight(s) == 4 &&
		    s->last_strong - s->first_strong >= c->min_duration / 2)
			return 1;
	}
	return metric_duration(g) >= c->min_duration;
}

/* Tell when it opens, when a host joins, and as it doubles in size. */
static void
tell(struct detect *d, struct incident *inc, int64_t ts)
{
	if (inc->routine && said_broken(inc))
		inc->routine = 0;	/* not so routine after all: open it */
	if (inc->routine)
		return;
	if (inc->reported_members == 0)
		report(d, inc, "open", ts);
	else if (json_array_size(inc->hosts) > inc->reported_hosts ||
	    inc->nmembers >= 2 * inc->reported_members ||
	    strcmp(severity(inc), inc->severity) != 0)
		report(d, inc, "updated", ts);
}

/*
 * Group g has the evidence: it joins an incident (find_incident()) or is
 * one. The incident it is now part of.
 */
static struct incident *
confirm(struct correlator *c, struct incident *g)
{
	struct incident *inc;

	remember_hosts(c, g);
	if ((inc = find_incident(c, g)) != NULL) {
		merge(c, inc, g);
		return inc;
	}
	g->confirmed = 1;
	g->routine = recurs(c, g, root_signal(g)->host);
	return g;
}

/* Does metric member m say a resource is exhausted, surprisingly? */
static int
exhausted(const json_t *m)
{
	const char *what = jstr(m, "what");
	const json_t *v = json_object_get(m, "value");

	return json_is_number(v) && capacity_share(what) && pressure(m) > 0 &&
	    used_share(what, json_number_value(v)) >= SATURATED &&
	    json_number_value(json_object_get(m, "score")) >= STRONG_SCORE;
}

/*
 * Watches series (of signal label on host, in group g): its next points,
 * which make no anomaly once the detector has flagged the shift, tell
 * whether the resource stays exhausted (detect_correlate_point()).
 */
static void
watch(struct correlator *c, const char *series, const char *name, struct incident *g,
    const char *host, const char *label)
{
	size_t i;

	for (i = 0; i < c->nwatch; i++)
		if (strcmp(c->watch[i].series, series) == 0) {
			c->watch[i].g = g;
			return;
		}
	if (c->nwatch == MAX_WATCH)
		return;
	c->watch = xreallocarray(c->watch, c->nwatch + 1, sizeof(*c->watch));
	c->watch[c->nwatch].series = xstrdup(series);
	c->watch[c->nwatch].name = xstrdup(name);
	c->watch[c->nwatch].host = xstrdup(host);
	c->watch[c->nwatch].label = xstrdup(label);
	c->watch[c->nwatch].g = g;
	c->nwatch++;
}

static void
unwatch_at(struct correlator *c, size_t i)
{
	free(c->watch[i].series);
	free(c->watch[i].name);
	free(c->watch[i].host);
	free(c->watch[i].label);
	c->watch[i] = c->watch[--c->nwatch];
}

/* Forgets the watches of incident g (freed), or gives them to `to`. */
static void
unwatch(struct correlator *c, const struct incident *g, struct incident *to)
{
	size_t i;

	for (i = 0; i < c->nwatch;) {
		if (c->watch[i].g != g) {
			i++;
		} else if (to != NULL) {
			c->watch[i++].g = to;
		} else {
			unwatch_at(c, i);
		}
	}
}

void
detect_correlate_point(struct detect *d, const char *series, const struct aiops_metric *m,
    double v)
{
	struct correlator *c = d->corr;
	struct incident *g;
	struct signal *s;
	size_t i;

	if (c == NULL || c->nwatch == 0)
		return;
	for (i = 0; i < c->nwatch && strcmp(c->watch[i].series, series) != 0; i++)
		;
	if (i == c->nwatch)
		return;
	g = c->watch[i].g;
	s = find_signal(g, c->watch[i].host, c->watch[i].label);
	if (s == NULL || m->ts <= s->last_strong)
		return;
	if (used_share(c->watch[i].name, v) < SATURATED) {
		unwatch_at(c, i);	/* room again */
		return;
	}
	/* still exhausted: the signal, and its group, go on */
	s->points++;
	s->strong_points++;
	s->last_point = s->last_strong = s->last = m->ts;
	if (m->ts > g->last_seen)
		g->last_seen = m->ts;
	if (!g->confirmed && confirmable(c, g, m->ts))
		g = confirm(c, g);
	if (g->confirmed)
		tell(d, g, m->ts);
}

void
detect_correlate(struct detect *d, const struct detect_member *m)
{
	struct correlator *c = d->corr;
	struct aiops_buf label = AIOPS_BUF_INIT;
	struct incident *g;
	char id[17], *host;
	const char *cluster;
	enum rank rank;
	json_t *mj;

	if (c == NULL)
		return;
	member_id(m, id);		/* before we write: m->event may move */
	host = m->host != NULL ? xstrndup(m->host, m->hlen) : xstrdup("");
	if (*host && m->cluster != NULL)
		json_object_set_new(c->host_cluster, host, json_string(m->cluster));
	cluster = host_cluster(c, m->cluster, host);
	detect_correlate_tick(d);
	rank = signal_label(m, &label);
	aiops_buf_add(&label, "", 1);
	mj = member_json(m, id, *host ? host : NULL, label.data);
	if ((g = find_group(c, m->ts, host)) == NULL && !m->resolved && *host != '\0')
		g = incident_new(c, id, m->ts);
	if (g != NULL) {
		add_member(g, mj, host, cluster, label.data, rank);
		if (!g->confirmed && confirmable(c, g, m->ts))
			g = confirm(c, g);
		if (rank == R_METRIC && m->series != NULL && exhausted(mj))
			watch(c, m->series, jstr(mj, "what"), g, host, label.data);
		if (g->confirmed)
			tell(d, g, m->ts);
	}
	json_decref(mj);
	aiops_buf_release(&label);
	free(host);
}

void
detect_correlate_tick(struct detect *d)
{
	struct correlator *c = d->corr;
	struct incident **pp;
	int64_t now;

	if (c == NULL)
		return;
	now = aiops_clock_now();
	for (pp = &c->open; *pp != NULL;) {
		struct incident *inc = *pp;

		if (!inc->confirmed && now - inc->last_seen > c->close_after) {
			*pp = inc->next;	/* never had the evidence: nobody hears of it */
			unwatch(c, inc, NULL);
			incident_free(inc);
		} else if (inc->confirmed && now - inc->last_seen > quiet_for(c, inc)) {
			report(d, inc, inc->routine ? "routine" : "resolved",
			    inc->last_seen + quiet_for(c, inc));
			*pp = inc->next;
			unwatch(c, inc, NULL);
			incident_free(inc);
		} else {
			pp = &inc->next;
		}
	}
}

/* Does log member m say that something broke? */
static int
failure_line(const struct detect_member *m)
{
	char t[512];
	int k;

	if (m->level >= 0 && m->level <= AIOPS_SEV_CRIT)
		return 1;
	snprintf(t, sizeof(t), "%.*s", (int)m->wlen, m->what != NULL ? m->what : "");
	return (k = known_phrase(t)) >= 0 && known[k].failure;
}

void
detect_correlate_line(struct detect *d, const struct detect_member *m)
{
	struct correlator *c = d->corr;
	struct aiops_buf label = AIOPS_BUF_INIT;
	const struct signal *s = NULL;
	struct incident *g;
	char *h;

	if (c == NULL || m->host == NULL || !failure_line(m))
		return;
	/* one member a minute of a program's failures on a host is enough */
	h = xstrndup(m->host, m->hlen);
	signal_label(m, &label);
	aiops_buf_add(&label, "", 1);
	if ((g = find_group(c, m->ts, h)) != NULL)
		s = find_signal(g, h, label.data);
	free(h);
	aiops_buf_release(&label);
	if (s != NULL && m->ts - s->last < 60 * AIOPS_NS_PER_SEC && weight(s) == 4)
		return;
	detect_correlate(d, m);
}

/* An alert's severity label as a level: critical 2, warning 4, info 6. */
static int
alert_level(const char *sev)
{
	int l;

	if (sev == NULL)
		return AIOPS_SEV_WARNING;
	if ((l = aiops_severity_parse(sev, strlen(sev))) >= 0)
		return l;
	if (strcasecmp(sev, "page") == 0 || strcasecmp(sev, "high") == 0)
		return AIOPS_SEV_CRIT;
	return AIOPS_SEV_WARNING;
}

void
detect_correlate_event(struct detect *d, const json_t *ev, const char *line, size_t len)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	const json_t *labels = json_object_get(ev, "labels"), *id = json_object_get(ev, "id");
	struct aiops_label lv[16];
	struct detect_member m;
	const char *what, *k;
	json_t *v;
	char err[128];

	if (d->corr == NULL || type == NULL)
		return;
	memset(&m, 0, sizeof(m));
	m.level = -1;
	m.value = NAN;
	if (aiops_evread_ts(ev, &m.ts, err, sizeof(err)) == -1)
		return;
	if (strcmp(type, "alert") == 0) {
		m.kind = "alert";
		what = jstr(ev, "alertname");
		m.score = 1.0;
		m.level = alert_level(jstr(ev, "severity"));
		m.resolved = jstr(ev, "status") != NULL && strcmp(jstr(ev, "status"), "resolved") == 0;
	} else if (strcmp(type, "anomaly") == 0) {
		m.kind = json_object_get(ev, "template_id") ? "log" : "metric";
		what = jstr(ev, "template_id") || json_object_get(ev, "template") ?
		    jstr(ev, "template") : jstr(ev, "name");
		if (what == NULL)
			what = jstr(ev, "name");
		m.score = json_number_value(json_object_get(ev, "score"));
		m.detector = jstr(ev, "detector");
		m.service = jstr(ev, "service");
		m.slen = m.service != NULL ? strlen(m.service) : 0;
		m.series = jstr(ev, "series");
		if (jstr(ev, "severity") != NULL)
			m.level = aiops_severity_parse(jstr(ev, "severity"), strlen(jstr(ev, "severity")));
		if (json_is_number(json_object_get(ev, "rate")))
			m.value = json_number_value(json_object_get(ev, "rate"));
		else if (json_is_number(json_object_get(ev, "value")))
			m.value = json_number_value(json_object_get(ev, "value"));
		m.deviation = json_number_value(json_object_get(json_object_get(ev, "baseline"),
		    "deviation"));
		json_object_foreach((json_t *)labels, k, v) {
			if (m.nlabels == sizeof(lv) / sizeof(lv[0]) || !json_is_string(v))
				continue;
			lv[m.nlabels].key = k;
			lv[m.nlabels].klen = strlen(k);
			lv[m.nlabels].val = json_string_value(v);
			lv[m.nlabels].vlen = json_string_length(v);
			m.nlabels++;
		}
		aiops_labels_sort(lv, m.nlabels);
		m.labels = lv;
	} else {
		return;
	}
	aiops_clock_observe(m.ts);
	m.host = jstr(ev, "host");
	m.hlen = m.host ? strlen(m.host) : 0;
	m.cluster = jstr(ev, "cluster");
	if (m.cluster == NULL)
		m.cluster = jstr(labels, "cluster");
	m.what = what;
	m.wlen = what ? strlen(what) : 0;
	if (json_is_string(id) && json_string_length(id) == AIOPS_EVENT_ID_LEN)
		m.id = json_string_value(id);
	m.event = line;
	m.elen = len;
	detect_correlate(d, &m);
}

/* ---------------------------------------------------------------- */
/* Across runs                                                      */

/* The rank of a stored member, from its kind and signal. */
static enum rank
stored_rank(const json_t *v)
{
	const char *kind = jstr(v, "kind"), *label = jstr(v, "signal");

	if (kind != NULL && strcmp(kind, "alert") == 0)
		return R_ALERT;
	if (kind != NULL && strcmp(kind, "log") == 0)
		return R_LOG;
	return label != NULL && strcmp(label, "restart") == 0 ? R_RESTART : R_METRIC;
}

/* An open incident of an earlier run, or NULL if its JSON is not ours. */
static struct incident *
resume(struct correlator *c, const struct aiops_incident *row)
{
	json_t *hosts = json_loads(row->hosts != NULL ? row->hosts : "", 0, NULL);
	json_t *members = json_loads(row->members != NULL ? row->members : "", 0, NULL);
	json_t *labels = json_loads(row->labels != NULL ? row->labels : "", 0, NULL);
	struct incident *inc;
	size_t i;
	json_t *v;

	if (!json_is_array(hosts) || !json_is_array(members) || json_array_size(members) == 0) {
		json_decref(hosts);
		json_decref(members);
		json_decref(labels);
		return NULL;
	}
	inc = incident_new(c, row->id, row->first_seen);
	inc->last_seen = row->last_seen;
	inc->confirmed = 1;
	json_array_foreach(members, i, v) {
		const char *host = jstr(v, "host"), *label = jstr(v, "signal");

		if (label == NULL)	/* a member of before schema 9 */
			json_object_set_new(v, "signal", json_string(label = jstr(v, "kind")));
		add_member(inc, v, host != NULL ? host : "", NULL, label, stored_rank(v));
	}
	json_array_foreach(hosts, i, v)
		add_string(inc->hosts, json_string_value(v));
	inc->reported_members = inc->nmembers;
	inc->reported_hosts = json_array_size(inc->hosts);
	inc->severity = xstrdup(row->severity != NULL ? row->severity : severity(inc));
	if (json_is_object(labels))
		inc->labels = json_incref(labels);
	if (row->fingerprint != NULL && strlen(row->fingerprint) == AIOPS_EVENT_ID_LEN) {
		memcpy(inc->fingerprint, row->fingerprint, sizeof(inc->fingerprint));
	} else {
		json_decref(inc->labels);	/* fixed again when next told */
		inc->labels = NULL;
	}
	json_decref(hosts);
	json_decref(members);
	json_decref(labels);
	return inc;
}

static void
load_open(struct detect *d)
{
	struct aiops_incident_query q;
	struct aiops_incident_list l;
	size_t i;

	memset(&q, 0, sizeof(q));
	q.status = "open";
	if (aiops_incidents_list(d->state, &q, &l) == -1)
		detect_state_fatal(d, "loading open incidents");
	for (i = 0; i < l.n; i++)
		resume(d->corr, &l.v[i]);
	aiops_incident_list_release(&l);
}

void
detect_correlate_init(struct detect *d, const struct detect_correlate_conf *conf)
{
	struct correlator *c = xcalloc(1, sizeof(*c));

	c->window = conf->window;
	c->close_after = conf->close_after;
	c->min_duration = conf->min_duration;
	c->host_cluster = json_object();
	d->corr = c;
	if (d->state == NULL)
		return;
	if (conf->retention > 0 &&
	    aiops_incidents_expire(d->state, aiops_clock_now() - conf->retention) == -1)
		detect_state_fatal(d, "deleting the incidents past detect.incidents.retention");
	load_open(d);
}

void
detect_correlate_free(struct detect *d)
{
	struct correlator *c = d->corr;

	if (c == NULL)
		return;
	while (c->open != NULL) {
		struct incident *inc = c->open;

		c->open = inc->next;
		incident_free(inc);
	}
	while (c->nwatch > 0)
		unwatch_at(c, c->nwatch - 1);
	free(c->watch);
	while (c->nrecent > 0)
		free(c->recent[--c->nrecent].host);
	free(c->recent);
	json_decref(c->host_cluster);
	free(c);
	d->corr = NULL;
}
