/*
 * answer.c: each intent answered from the tools: a sentence or two a
 * person reads at 3 a.m., a table, the rows as typed facts and the ids of
 * the events used as evidence. Every number in the text is in the facts.
 */
#include "compat.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "ask.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define CELL_MAX	72

void
ask_answer_init(struct ask_answer *ans)
{
	aiops_buf_init(&ans->text);
	ans->facts = json_array();
	ans->evidence = json_array();
	ans->understood = 1;
	ans->table_rows = 20;
}

void
ask_answer_release(struct ask_answer *ans)
{
	aiops_buf_release(&ans->text);
	json_decref(ans->facts);
	json_decref(ans->evidence);
}

static void
say(struct ask_answer *ans, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct ask_answer *ans, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	aiops_buf_addstr(&ans->text, buf);
}

/* "2h 20m", "3d 4h", "45s". */
static const char *
human(double s, char *buf, size_t size)
{
	long v = (long)llround(s);

	if (v >= 86400)
		snprintf(buf, size, "%ldd %ldh", v / 86400, v % 86400 / 3600);
	else if (v >= 3600)
		snprintf(buf, size, "%ldh %ldm", v / 3600, v % 3600 / 60);
	else if (v >= 60)
		snprintf(buf, size, "%ldm", v / 60);
	else
		snprintf(buf, size, "%lds", v);
	return buf;
}

static const char *
str(const json_t *row, const char *k)
{
	const char *s = json_string_value(json_object_get(row, k));

	return s != NULL ? s : "";
}

static double
num(const json_t *row, const char *k)
{
	return json_number_value(json_object_get(row, k));
}

/* A cell as text: numbers short, JSON compact, long text cut. */
static void
cell(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v)) {
		double d = json_real_value(v);

		snprintf(buf, size, fabs(d) >= 1e6 ? "%.4g" : fabs(d) >= 100 ? "%.1f" : "%.3g", d);
	} else if (json_is_null(v) || v == NULL)
		snprintf(buf, size, "-");
	else if (json_is_array(v) && json_array_size(v) > 0 && json_is_string(json_array_get(v, 0))) {
		size_t i, len = 0;
		json_t *x;

		buf[0] = '\0';
		json_array_foreach(v, i, x)
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
			    i ? "," : "", json_string_value(x));
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;
		size_t len = 0;

		buf[0] = '\0';
		json_object_foreach((json_t *)v, k, x)
			if (json_is_string(x))
				len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s=%s",
				    len ? "," : "", k, json_string_value(x));
	} else {
		char *d = json_dumps(v, JSON_COMPACT);

		snprintf(buf, size, "%s", d != NULL ? d : "");
		free(d);
	}
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	if (strlen(buf) > CELL_MAX)
		strcpy(buf + CELL_MAX - 3, "...");
}

/* The rows as an aligned table of the space-separated columns cols. */
static void
table(struct ask_answer *ans, const json_t *rows, const char *cols)
{
	char names[16][32], c[CELL_MAX + 8];
	size_t ncol = 0, width[16], i, j;
	const char *p = cols;
	json_t *row;

	if (json_array_size(rows) == 0)
		return;
	while (*p != '\0' && ncol < 16) {
		size_t n = strcspn(p, " ");

		snprintf(names[ncol], sizeof(names[ncol]), "%.*s", (int)n, p);
		width[ncol] = n;
		ncol++;
		p += n;
		p += strspn(p, " ");
	}
	json_array_foreach(rows, i, row) {
		if (i == ans->table_rows)
			break;
		for (j = 0; j < ncol; j++) {
			cell(json_object_get(row, names[j]), c, sizeof(c));
			if (strlen(c) > width[j])
				width[j] = strlen(c);
		}
	}
	aiops_buf_addc(&ans->text, '\n');
	for (j = 0; j < ncol; j++)
		say(ans, "%-*s%s", j + 1 < ncol ? (int)width[j] : 0, names[j], j + 1 < ncol ? "  " : "");
	aiops_buf_addc(&ans->text, '\n');
	json_array_foreach(rows, i, row) {
		if (i == ans->table_rows) {
			say(ans, "... and %zu more (--json has them all)\n", json_array_size(rows) - ans->table_rows);
			break;
		}
		for (j = 0; j < ncol; j++) {
			cell(json_object_get(row, names[j]), c, sizeof(c));
			say(ans, "%-*s%s", j + 1 < ncol ? (int)width[j] : 0, c, j + 1 < ncol ? "  " : "");
		}
		aiops_buf_addc(&ans->text, '\n');
	}
}

/* The facts: the rows kept, and each row's id as evidence. */
static void
keep(struct ask_answer *ans, const json_t *rows)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		json_array_append(ans->facts, row);
		if (json_is_string(json_object_get(row, "id")))
			json_array_append(ans->evidence, json_object_get(row, "id"));
	}
}

/* The rows as the answer's table and facts; the reference is taken. */
static void
show(struct ask_answer *ans, json_t *rows, const char *cols)
{
	table(ans, rows, cols);
	keep(ans, rows);
	json_decref(rows);
}

/* A tool's arguments from the slots named in keys ("host metric since until"). */
static json_t *
args_of(const struct ask_match *m, const char *keys)
{
	const struct ask_slots *s = &m->slots;
	json_t *o = json_object();
	char t[40];

	if (strstr(keys, "host") && s->host != NULL)
		json_object_set_new(o, "host", json_string(s->host));
	if (strstr(keys, "metric") && s->metric != NULL)
		json_object_set_new(o, "metric", json_string(s->metric));
	if (strstr(keys, "severity") && s->severity != NULL)
		json_object_set_new(o, "severity", json_string(s->severity));
	if (strstr(keys, "cluster") && s->cluster != NULL)
		json_object_set_new(o, "cluster", json_string(s->cluster));
	if (strstr(keys, "service") && s->service != NULL)
		json_object_set_new(o, "service", json_string(s->service));
	if (strstr(keys, "alertname") && s->alertname != NULL)
		json_object_set_new(o, "alertname", json_string(s->alertname));
	if (strstr(keys, "rule") && s->rule != NULL)
		json_object_set_new(o, "rule", json_string(s->rule));
	if (strstr(keys, "since") && s->since >= 0) {
		aiops_time_format(s->since * 1000000LL, t);
		json_object_set_new(o, "since", json_string(t));
	}
	if (strstr(keys, "until") && s->until >= 0) {
		aiops_time_format(s->until * 1000000LL, t);
		json_object_set_new(o, "until", json_string(t));
	}
	return o;
}

/* The number of rows in all of the last call, more than it returned when cut. */
static size_t last_total;

/* Calls the tool; its rows (a new reference), or NULL with err. */
static json_t *
call(struct ask *a, const char *tool, json_t *args, char *err, size_t errlen)
{
	json_t *r = ask_tool_call(a, tool, args, err, errlen), *rows;

	json_decref(args);
	if (r == NULL)
		return NULL;
	rows = json_incref(json_object_get(r, "rows"));
	last_total = json_is_integer(json_object_get(r, "total")) ?
	    (size_t)json_integer_value(json_object_get(r, "total")) : json_array_size(rows);
	json_decref(r);
	return rows;
}

#define CALL(rows, tool, args)						\
	if (((rows) = call(a, (tool), (args), err, errlen)) == NULL)	\
		return -1

/* " from sshd on db-1 in the last 24 hours": the slots as words. */
static const char *
scope(const struct ask_match *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s%s", m->slots.service ? " from " : "",
	    m->slots.service ? m->slots.service : "", m->slots.host ? " on " : "",
	    m->slots.host ? m->slots.host : "", m->slots.period ? " " : "",
	    m->slots.period ? m->slots.period : "");
	return buf;
}

/* scope(), and " in prod-eu" first when a cluster was asked (for the tools that take it). */
static const char *
cluster_scope(const struct ask_match *m, char *buf, size_t size)
{
	char sc[160];

	snprintf(buf, size, "%s%s%s", m->slots.cluster ? " in " : "",
	    m->slots.cluster ? m->slots.cluster : "", scope(m, sc, sizeof(sc)));
	return buf;
}

/* Says so when the question named a host the state does not know. */
static int
unknown_host(struct ask *a, const struct ask_match *m, struct ask_answer *ans)
{
	size_t i;
	json_t *h;

	if (m->slots.host != NULL || m->slots.unknown_host == NULL)
		return 0;
	say(ans, "I know no host %s. The hosts in the state are:", m->slots.unknown_host);
	json_array_foreach(a->hosts, i, h)
		say(ans, "%s %s", i ? "," : "", json_string_value(h));
	say(ans, ".\n");
	return 1;
}

int
a_help(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err, size_t errlen)
{
	size_t i;

	say(ans, "Ask about alerts, anomalies, incidents and their cause, what will cross a "
	    "threshold, metrics (current, peak, average), log templates and searches, GPUs, "
	    "clusters, automation, and MTTR, MTBF and uptime. For example:\n");
	for (i = 0; ask_examples[i] != NULL; i++)
		say(ans, "  %s\n", ask_examples[i]);
	return 0;
}

int
a_alerts_current(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *args = args_of(m, "host cluster severity alertname"), *rows;
	char sc[224];

	if (unknown_host(a, m, ans))
		return 0;
	json_object_set_new(args, "status", json_string("firing"));
	CALL(rows, "list_alerts", args);
	if (json_array_size(rows) == 0)
		say(ans, "No %s%salert is firing%s.\n", m->slots.severity ? m->slots.severity : "",
		    m->slots.severity ? " " : "",
		    cluster_scope(m, sc, sizeof(sc)));
	else
		say(ans, "%zu %salert%s firing%s.\n", json_array_size(rows),
		    m->slots.severity ? "" : "", json_array_size(rows) == 1 ? " is" : "s are",
		    cluster_scope(m, sc, sizeof(sc)));
	show(ans, rows, "alertname severity host starts_at summary");
	return 0;
}

int
a_alerts_history(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *args = args_of(m, "host cluster severity alertname since until"), *rows;
	char sc[224], d[32];
	size_t firing = 0, i;
	json_t *row;

	if (unknown_host(a, m, ans))
		return 0;
	CALL(rows, "list_alerts", args);
	json_array_foreach(rows, i, row)
		firing += strcmp(str(row, "status"), "firing") == 0;
	say(ans, "%zu %s%salert%s%s: %zu firing, %zu resolved.\n", json_array_size(rows),
	    m->slots.alertname ? m->slots.alertname : "", m->slots.alertname ? " " : "",
	    json_array_size(rows) == 1 ? "" : "s",
	    cluster_scope(m, sc, sizeof(sc)), firing, json_array_size(rows) - firing);
	/* "did the GPU overheat alert ever clear": when, and how long it lasted */
	json_array_foreach(rows, i, row)
		if (m->slots.alertname != NULL && i < 5)
			say(ans, "  %s on %s: %s %s%s (%s)\n", str(row, "alertname"), str(row, "host"),
			    str(row, "starts_at"), strcmp(str(row, "status"), "firing") == 0 ?
			    "firing since then" : "resolved at ", str(row, "ends_at"),
			    human(num(row, "duration_s"), d, sizeof(d)));
	show(ans, rows, "alertname status severity host starts_at ends_at");
	return 0;
}

int
a_alerts_count(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return a_alerts_history(a, m, ans, err, errlen);
}

int
a_anomalies(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *sum;
	char sc[160];

	if (unknown_host(a, m, ans))
		return 0;
	CALL(rows, "list_anomalies", args_of(m, "host metric since until"));
	CALL(sum, "summarize_anomalies", args_of(m, "host metric since until"));
	if (json_array_size(rows) == 0)
		say(ans, "No anomaly%s%s%s.\n", m->slots.metric_word ? " in " : "",
		    m->slots.metric_word ? m->slots.metric_word : "", scope(m, sc, sizeof(sc)));
	else {
		json_t *top = json_array_get(rows, 0);

		say(ans, "%zu anomal%s%s%s, in %zu series; the strongest: %s %s at %s (score %.2f): %s\n",
		    json_array_size(rows), json_array_size(rows) == 1 ? "y" : "ies",
		    m->slots.metric_word ? " in " : "", m->slots.metric_word ? m->slots.metric_word : "",
		    json_array_size(sum), str(top, "host"), str(top, "metric"), str(top, "ts"),
		    num(top, "score"), str(top, "reason"));
		table(ans, sum, "host metric count score first last");
	}
	keep(ans, rows);
	json_decref(rows);
	json_decref(sum);
	(void)sc;
	return 0;
}

int
a_anomalies_top(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *sum, *row, *byhost = json_object(), *rows = json_array(), *v;
	const char *k;
	size_t i;
	char sc[160];

	CALL(sum, "summarize_anomalies", args_of(m, "since until"));
	json_array_foreach(sum, i, row) {
		const char *h = json_is_string(json_object_get(row, "host")) ? str(row, "host") : "(none)";
		json_t *o = json_object_get(byhost, h);

		if (o == NULL) {
			o = json_pack("{s:s, s:i, s:f}", "host", h, "anomalies", 0, "score", 0.0);
			json_object_set_new(byhost, h, o);
		}
		json_object_set_new(o, "anomalies", json_integer(json_integer_value(
		    json_object_get(o, "anomalies")) + json_integer_value(json_object_get(row, "count"))));
		if (num(row, "score") > num(o, "score"))
			json_object_set_new(o, "score", json_real(num(row, "score")));
	}
	json_object_foreach(byhost, k, v)
		json_array_append(rows, v);
	/* Most anomalies first (insertion sort: a handful of hosts). */
	for (i = 1; i < json_array_size(rows); i++) {
		size_t j = i;

		while (j > 0 && json_integer_value(json_object_get(json_array_get(rows, j - 1), "anomalies")) <
		    json_integer_value(json_object_get(json_array_get(rows, j), "anomalies"))) {
			json_t *x = json_incref(json_array_get(rows, j));

			json_array_set(rows, j, json_array_get(rows, j - 1));
			json_array_set_new(rows, j - 1, x);
			j--;
		}
	}
	if (json_array_size(rows) == 0)
		say(ans, "No anomaly%s.\n", scope(m, sc, sizeof(sc)));
	else
		say(ans, "%s has the most anomalies%s: %lld.\n", str(json_array_get(rows, 0), "host"),
		    scope(m, sc, sizeof(sc)),
		    (long long)json_integer_value(json_object_get(json_array_get(rows, 0), "anomalies")));
	show(ans, rows, "host anomalies score");
	json_decref(byhost);
	json_decref(sum);
	return 0;
}

static void
incident_line(struct ask_answer *ans, const json_t *row)
{
	char d[32];

	say(ans, "%s %s incident %s, %s to %s (%s): %s\n", str(row, "status"), str(row, "severity"),
	    str(row, "id"), str(row, "first_seen"), str(row, "last_seen"),
	    human(num(row, "duration_s"), d, sizeof(d)), str(row, "title"));
}

int
a_incidents(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows;
	char sc[160];
	size_t open = 0, i;
	json_t *row;

	if (unknown_host(a, m, ans))
		return 0;
	CALL(rows, "list_incidents", args_of(m, "host since until"));
	json_array_foreach(rows, i, row)
		open += strcmp(str(row, "status"), "open") == 0;
	say(ans, "%zu incident%s%s, %zu open.\n", json_array_size(rows),
	    json_array_size(rows) == 1 ? "" : "s", scope(m, sc, sizeof(sc)), open);
	show(ans, rows, "id status severity first_seen duration_s title");
	return 0;
}

int
a_incidents_open(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *args = args_of(m, "host"), *rows;
	char sc[160];

	json_object_set_new(args, "status", json_string("open"));
	CALL(rows, "list_incidents", args);
	if (json_array_size(rows) == 0)
		say(ans, "No incident is open%s.\n", scope(m, sc, sizeof(sc)));
	else
		say(ans, "%zu incident%s open%s.\n", json_array_size(rows),
		    json_array_size(rows) == 1 ? " is" : "s are", scope(m, sc, sizeof(sc)));
	show(ans, rows, "id severity first_seen last_seen title");
	return 0;
}

/*
 * How many words of the question the title has, as whole words, its
 * punctuation dropped inside words ("I/O" is "io"): "the db-1 disk io
 * mess" is the incident titled "disk I/O errors", not the latest.
 */
static int
title_score(const char *title, const char *question)
{
	char t[512], w[64], word[68];
	const char *q;
	size_t i, k = 0;
	int score = 0;

	t[k++] = ' ';
	for (i = 0; title[i] != '\0' && k < sizeof(t) - 2; i++) {
		unsigned char c = (unsigned char)title[i];

		if (isalnum(c))
			t[k++] = (char)tolower(c);
		else if (c != '/' && c != '\'' && t[k - 1] != ' ')
			t[k++] = ' ';
	}
	t[k++] = ' ';
	t[k] = '\0';
	for (q = question; *q != '\0';) {
		size_t n = strcspn(q, " ");

		if (n >= 2 && n < sizeof(w)) {
			snprintf(w, sizeof(w), "%.*s", (int)n, q);
			snprintf(word, sizeof(word), " %s ", w);
			score += !ask_stop_word(w) && strstr(t, word) != NULL;
		}
		q += n;
		q += strspn(q, " ");
	}
	return score;
}

/*
 * The incident the question means: by id, else the one in scope (host,
 * range) whose title has the most of the question's words, else the
 * latest. When none is in the range, the nearest outside it, and
 * *outside says so: by its title, else the latest begun before the
 * range ended.
 */
static json_t *
the_incident(struct ask *a, const struct ask_match *m, int *outside, char *err, size_t errlen)
{
	json_t *args = args_of(m, *outside ? "host" : "host since until"), *rows, *row, *one = NULL;
	int best = 0, sc;
	char until[40] = "";
	size_t i;

	if (m->slots.id != NULL)
		json_object_set_new(args, "id", json_string(m->slots.id));
	if ((rows = call(a, "list_incidents", args, err, errlen)) == NULL)
		return NULL;
	if (*outside && m->slots.until >= 0)
		aiops_time_format(m->slots.until * 1000000LL, until);
	json_array_foreach(rows, i, row) {
		if (m->normalized != NULL &&
		    (sc = title_score(str(row, "title"), m->normalized)) > best) {
			best = sc;
			one = row;
		}
	}
	/* ISO times in one format compare as strings */
	json_array_foreach(rows, i, row)
		if (one == NULL && (until[0] == '\0' || strcmp(str(row, "first_seen"), until) <= 0))
			one = row;
	one = json_incref(one);
	json_decref(rows);
	if (one == NULL && !*outside && m->slots.since >= 0 && m->slots.id == NULL) {
		*outside = 1;
		return the_incident(a, m, outside, err, errlen);
	}
	return one != NULL ? one : json_null();
}

/* "No incident on db-1 on sat night; the nearest:" when it is outside the range. */
static void
nearest(struct ask_answer *ans, const struct ask_match *m, int outside)
{
	char sc[160];

	if (outside)
		say(ans, "No incident%s; the nearest:\n", scope(m, sc, sizeof(sc)));
}

int
a_incident_cause(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *inc;
	char sc[160];
	int outside = 0;

	if (unknown_host(a, m, ans))
		return 0;
	if ((inc = the_incident(a, m, &outside, err, errlen)) == NULL)
		return -1;
	if (json_is_null(inc)) {
		say(ans, "No incident%s, so no cause to tell.\n", scope(m, sc, sizeof(sc)));
	} else {
		nearest(ans, m, outside);
		say(ans, "The suspected cause of incident %s (%s, %s): %s on %s (%s).\n",
		    str(inc, "id"), str(inc, "first_seen"), str(inc, "title"), str(inc, "cause"),
		    str(inc, "cause_host"), str(inc, "cause_kind"));
		json_array_append(ans->facts, inc);
		json_array_append(ans->evidence, json_object_get(inc, "id"));
	}
	json_decref(inc);
	return 0;
}

int
a_incident_summary(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *inc;
	char sc[160], hosts[CELL_MAX + 8];
	int outside = 0;

	if (unknown_host(a, m, ans))
		return 0;
	if ((inc = the_incident(a, m, &outside, err, errlen)) == NULL)
		return -1;
	if (json_is_null(inc)) {
		say(ans, "No incident%s.\n", scope(m, sc, sizeof(sc)));
	} else {
		nearest(ans, m, outside);
		incident_line(ans, inc);
		cell(json_object_get(inc, "hosts"), hosts, sizeof(hosts));
		say(ans, "Hosts: %s. Suspected cause: %s on %s. %lld events grouped.\n",
		    hosts, str(inc, "cause"),
		    str(inc, "cause_host"), (long long)json_integer_value(json_object_get(inc, "members")));
		if (*str(inc, "summary") != '\0')
			say(ans, "%s\n", str(inc, "summary"));
		json_array_append(ans->facts, inc);
		json_array_append(ans->evidence, json_object_get(inc, "id"));
	}
	json_decref(inc);
	return 0;
}

static int
predictions(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen, int when)
{
	json_t *args = args_of(m, "host metric"), *rows, *row;
	char sc[160], d[32];
	size_t i;

	if (unknown_host(a, m, ans))
		return 0;
	/* "this week": what crosses in the next 7 days. */
	if (m->slots.since >= 0 && m->slots.until < 0)
		json_object_set_new(args, "within", json_string(when ? "30d" : "7d"));
	CALL(rows, "list_predictions", args);
	if (json_array_size(rows) == 0) {
		say(ans, "Nothing is predicted to cross a threshold%s%s%s.\n",
		    m->slots.metric_word ? " in " : "", m->slots.metric_word ? m->slots.metric_word : "",
		    scope(m, sc, sizeof(sc)));
	} else {
		json_array_foreach(rows, i, row) {
			const char *path = json_string_value(json_object_get(json_object_get(row, "labels"),
			    "path"));

			if (json_is_true(json_object_get(row, "crossed")) ||
			    json_integer_value(json_object_get(row, "crossed")) == 1)
				say(ans, "%s %s%s%s has crossed %g already.\n", str(row, "host"),
				    str(row, "metric"), path ? " " : "", path ? path : "",
				    num(row, "threshold"));
			else
				say(ans, "%s %s%s%s reaches %g at %s (%s to %s), in %s.\n", str(row, "host"),
				    str(row, "metric"), path ? " " : "", path ? path : "",
				    num(row, "threshold"), str(row, "eta"), str(row, "eta_lo"),
				    *str(row, "eta_hi") ? str(row, "eta_hi") : "past the horizon",
				    human(num(row, "hours_left") * 3600, d, sizeof(d)));
		}
		if (json_array_size(rows) > 1)
			table(ans, rows, "host metric labels threshold eta eta_lo eta_hi hours_left");
	}
	keep(ans, rows);
	json_decref(rows);
	return 0;
}

int
a_predictions(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return predictions(a, m, ans, err, errlen, 0);
}

int
a_prediction_when(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return predictions(a, m, ans, err, errlen, 1);
}

/* The metric the question means, or a question back. */
static int
need_metric(const struct ask_match *m, struct ask_answer *ans)
{
	if (m->slots.metric != NULL)
		return 0;
	say(ans, "Which metric? Say cpu, memory, disk, load, network, gpu temperature, or a "
	    "metric's name (ask: list metrics).\n");
	ans->understood = 0;
	return 1;
}

int
a_forecast(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *args, *r, *rows, *end;
	char h[32], lab[CELL_MAX + 8];
	int64_t ahead = m->slots.ahead > 0 ? m->slots.ahead : 24 * 3600 * 1000LL;

	if (unknown_host(a, m, ans) || need_metric(m, ans))
		return 0;
	args = json_pack("{s:s, s:s}", "metric", m->slots.metric, "horizon",
	    human((double)ahead / 1000, h, sizeof(h)));
	/* human() writes "1d 0h": the tool takes the minutes. */
	json_object_set_new(args, "horizon", json_string((snprintf(h, sizeof(h), "%lldm",
	    (long long)(ahead / 60000)), h)));
	if (m->slots.host != NULL)
		json_object_set_new(args, "host", json_string(m->slots.host));
	r = ask_tool_call(a, "forecast_series", args, err, errlen);
	json_decref(args);
	if (r == NULL) {
		say(ans, "No forecast of %s: %s\n", m->slots.metric, err);
		return 0;
	}
	rows = json_object_get(r, "rows");
	end = json_array_get(rows, json_array_size(rows) - 1);
	cell(json_object_get(r, "labels"), lab, sizeof(lab));
	say(ans, "%s on %s%s%s%s, now %g: at %s, %g (95%%: %g to %g); model %s.\n", m->slots.metric,
	    str(r, "host"), *lab ? " (" : "", lab, *lab ? ")" : "", num(r, "last"), str(end, "ts"),
	    num(end, "mean"), num(end, "lo"), num(end, "hi"), str(r, "model"));
	table(ans, rows, "ts mean lo hi");
	keep(ans, rows);
	json_decref(r);
	return 0;
}

/*
 * " (12h 5m before now: nothing newer)" when a latest point at ts is over
 * an hour old, else "": a value that stopped coming is not a current one.
 */
static const char *
staleness(const struct ask *a, const char *ts, char *buf, size_t size)
{
	char d[32];
	int64_t t;

	buf[0] = '\0';
	if (aiops_time_parse_rfc3339(ts, strlen(ts), &t) == 0 && a->now - t > 3600 * 1000000000LL)
		snprintf(buf, size, " (%s before now: nothing newer)",
		    human((double)(a->now - t) / 1e9, d, sizeof(d)));
	return buf;
}

static json_t *summary(struct ask *a, const struct ask_match *m, char *err, size_t errlen);

/* A metric over the question's period: its range, series by series. */
static int
metric_range(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *row;
	size_t i;
	char lb[CELL_MAX + 8];

	if ((rows = summary(a, m, err, errlen)) == NULL)
		return -1;
	if (json_array_size(rows) == 0) {
		json_t *args = args_of(m, "host metric"), *last;
		char old[96];

		say(ans, "No points of %s%s%s %s.\n", m->slots.metric, m->slots.host ? " on " : "",
		    m->slots.host ? m->slots.host : "", m->slots.period);
		json_object_set_new(args, "aggregation", json_string("latest"));
		CALL(last, "query_metrics", args);
		json_array_foreach(last, i, row)
			if (i < 5)
				say(ans, "  the latest%s%s: %g at %s%s\n", *str(row, "host") ? " on " : "",
				    str(row, "host"), num(row, "value"), str(row, "ts"),
				    staleness(a, str(row, "ts"), old, sizeof(old)));
		keep(ans, last);
		json_decref(last);
	} else
		say(ans, "%s %s%s%s, the series with the highest peak first:\n", m->slots.metric,
		    m->slots.period, m->slots.host ? " on " : "", m->slots.host ? m->slots.host : "");
	json_array_foreach(rows, i, row) {
		if (i == 5)
			break;
		cell(json_object_get(row, "labels"), lb, sizeof(lb));
		say(ans, "  %s%s%s: peak %g at %s, average %.4g, low %g (%lld points)\n",
		    str(row, "host"), *lb ? " " : "", lb, num(row, "max"), str(row, "max_ts"),
		    num(row, "avg"), num(row, "min"), (long long)json_integer_value(json_object_get(row, "n")));
	}
	show(ans, rows, "host metric labels min avg max max_ts n");
	return 0;
}

int
a_metric_current(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *args = args_of(m, "host metric"), *rows, *row;
	size_t i;
	char old[96];

	if (unknown_host(a, m, ans) || need_metric(m, ans)) {
		json_decref(args);
		return 0;
	}
	/* "cpu on web-2 friday afternoon": then, not now. */
	if (m->slots.since >= 0) {
		json_decref(args);
		return metric_range(a, m, ans, err, errlen);
	}
	json_object_set_new(args, "aggregation", json_string("latest"));
	CALL(rows, "query_metrics", args);
	if (json_array_size(rows) == 0)
		say(ans, "No series of %s%s%s.\n", m->slots.metric, m->slots.host ? " on " : "",
		    m->slots.host ? m->slots.host : "");
	else if (json_array_size(rows) == 1) {
		row = json_array_get(rows, 0);
		say(ans, "%s on %s is %g%s%s at %s%s.\n", str(row, "metric"), str(row, "host"),
		    num(row, "value"), *str(row, "unit") ? " " : "", str(row, "unit"), str(row, "ts"),
		    staleness(a, str(row, "ts"), old, sizeof(old)));
	} else {
		say(ans, "%s, the last value of %zu series:\n", m->slots.metric, json_array_size(rows));
		json_array_foreach(rows, i, row)
			if (i < 5)
				say(ans, "  %s %g at %s%s\n", str(row, "host"), num(row, "value"), str(row, "ts"),
				    staleness(a, str(row, "ts"), old, sizeof(old)));
		table(ans, rows, "host metric labels value ts");
	}
	keep(ans, rows);
	json_decref(rows);
	return 0;
}

/* Over the range (default: the last 24 hours): the rows of metric_agg. */
static json_t *
summary(struct ask *a, const struct ask_match *m, char *err, size_t errlen)
{
	json_t *args = args_of(m, "host metric since until");

	if (m->slots.since < 0)
		json_object_set_new(args, "since", json_string("24h"));
	json_object_set_new(args, "aggregation", json_string("summary"));
	return call(a, "query_metrics", args, err, errlen);
}

static int
aggregate(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen, const char *what, const char *col)
{
	json_t *rows, *row, *best = NULL;
	size_t i;
	const char *period = m->slots.period ? m->slots.period : "in the last 24 hours";

	if (unknown_host(a, m, ans) || need_metric(m, ans))
		return 0;
	if ((rows = summary(a, m, err, errlen)) == NULL)
		return -1;
	json_array_foreach(rows, i, row)
		if (best == NULL || (strcmp(col, "min") == 0 ? num(row, col) < num(best, col) :
		    num(row, col) > num(best, col)))
			best = row;
	if (best == NULL)
		say(ans, "No points of %s%s%s %s.\n", m->slots.metric, m->slots.host ? " on " : "",
		    m->slots.host ? m->slots.host : "", period);
	else if (strcmp(col, "max") == 0)
		say(ans, "The %s of %s %s: %g on %s at %s%s.\n", what, m->slots.metric, period,
		    num(best, col), str(best, "host"), str(best, "max_ts"),
		    json_array_size(rows) > 1 ? " (of all its series)" : "");
	else
		say(ans, "The %s of %s %s: %g on %s%s.\n", what, m->slots.metric, period, num(best, col),
		    str(best, "host"), json_array_size(rows) > 1 ? " (of all its series)" : "");
	show(ans, rows, "host metric labels min avg max last n");
	return 0;
}

int
a_metric_peak(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return aggregate(a, m, ans, err, errlen, "peak", "max");
}

int
a_metric_avg(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return aggregate(a, m, ans, err, errlen, "highest average", "avg");
}

int
a_metric_min(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return aggregate(a, m, ans, err, errlen, "lowest value", "min");
}

int
a_metric_top(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return aggregate(a, m, ans, err, errlen, "peak", "max");
}

int
a_logs_top(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *args;
	char sc[160];

	if (unknown_host(a, m, ans))
		return 0;
	args = args_of(m, "host service since until");
	if (m->slots.errors_only)
		json_object_set_new(args, "errors", json_true());
	CALL(rows, "top_log_templates", args);
	if (json_array_size(rows) == 0)
		say(ans, "No %s lines%s.\n", m->slots.errors_only ? "error" : "log",
		    scope(m, sc, sizeof(sc)));
	else
		say(ans, "%zu kinds of %s lines%s; the most frequent, %lld lines: %s\n",
		    json_array_size(rows), m->slots.errors_only ? "error" : "log", scope(m, sc, sizeof(sc)),
		    (long long)json_integer_value(json_object_get(json_array_get(rows, 0), "count")),
		    str(json_array_get(rows, 0), "template"));
	show(ans, rows, "count hosts template");
	return 0;
}

int
a_logs_new(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *args = args_of(m, "host since until");
	char sc[160];

	if (unknown_host(a, m, ans)) {
		json_decref(args);
		return 0;
	}
	CALL(rows, "new_log_templates", args);
	if (json_array_size(rows) == 0)
		say(ans, "No new kind of log line%s.\n", scope(m, sc, sizeof(sc)));
	else
		say(ans, "%zu new kind%s of log line%s; the latest, first seen %s on %s: %s\n",
		    json_array_size(rows), json_array_size(rows) == 1 ? "" : "s",
		    scope(m, sc, sizeof(sc)), str(json_array_get(rows, json_array_size(rows) - 1), "first_seen"),
		    str(json_array_get(rows, json_array_size(rows) - 1), "host"),
		    str(json_array_get(rows, json_array_size(rows) - 1), "template"));
	show(ans, rows, "first_seen host count template");
	return 0;
}

/* The intent an answer was: unknown when a guess at one came to nothing. */
const char *
ask_answer_intent(const struct ask_match *m, const struct ask_answer *ans)
{
	return m->slots.guess && !ans->understood ? "unknown" : ask_intent_name(m->intent);
}

/* Says so, with questions to try; why is said first when there is a why. */
static void
not_understood(struct ask_answer *ans, const char *why)
{
	size_t i;

	ans->understood = 0;
	say(ans, "I did not understand that%s. Try:\n", why);
	for (i = 0; ask_examples[i] != NULL && i < 5; i++)
		say(ans, "  %s\n", ask_examples[i]);
	say(ans, "(help lists more)\n");
}

/*
 * A guessed search found nothing in the period: when lines outside it
 * have the words, says so with the last one; when none do, the question
 * was not understood.
 */
static int
guessed_none(struct ask *a, const struct ask_match *m, struct ask_answer *ans, json_t *rows,
    char *err, size_t errlen)
{
	json_t *args = args_of(m, "host service"), *all;
	char sc[160];

	json_decref(rows);
	json_object_set_new(args, "query", json_string(m->slots.query));
	json_object_set_new(args, "any", json_true());
	CALL(all, "search_logs", args);
	if (json_array_size(all) == 0 || m->slots.since < 0) {
		json_decref(all);
		not_understood(ans, ", and no log line mentions it");
		return 0;
	}
	say(ans, "No log line mentions \"%s\"%s; %zu do in all, the last at %s on %s:\n",
	    m->slots.query, scope(m, sc, sizeof(sc)), last_total,
	    str(json_array_get(all, 0), "ts"), str(json_array_get(all, 0), "host"));
	show(ans, all, "ts host severity message");
	return 0;
}

int
a_logs_search(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *args = args_of(m, "host service since until"), *rows;
	char sc[160];
	int errors = m->slots.errors_only, filter = errors || m->slots.failures_only;
	int pass, used_filter = 0;

	if (m->slots.query == NULL) {
		json_decref(args);
		say(ans, "Search for what? Put the words in quotes: search logs for \"timeout\".\n");
		ans->understood = 0;
		return 0;
	}
	/*
	 * Most precise first: error lines, or lines that say it failed, when
	 * asked; words not quoted all as prefixes, then any of them. The
	 * first that finds lines is the answer.
	 */
	json_object_set_new(args, "query", json_string(m->slots.query));
	rows = NULL;
	for (pass = 0; pass < 4; pass++) {
		int with_filter = pass < 2, any = pass % 2;

		if ((with_filter && !filter) || (any && !m->slots.query_any) ||
		    (rows != NULL && json_array_size(rows) > 0))
			continue;
		json_object_del(args, "errors");
		json_object_del(args, "failures");
		if (with_filter)
			json_object_set_new(args, errors ? "errors" : "failures", json_true());
		json_object_set_new(args, "prefix", json_boolean(m->slots.query_any));
		json_object_set_new(args, "any", json_boolean(any));
		json_decref(rows);
		if ((rows = call(a, "search_logs", json_incref(args), err, errlen)) == NULL) {
			json_decref(args);
			return -1;
		}
		used_filter = with_filter;
	}
	json_decref(args);
	filter = used_filter;
	errors = errors && used_filter;
	/* Words understood as nothing else: a search, when some line has them. */
	if (m->slots.guess && json_array_size(rows) == 0)
		return guessed_none(a, m, ans, rows, err, errlen);
	say(ans, "%zu %s line%s%s%s%s%s%s%s\n", last_total, errors ? "error" : "log",
	    last_total == 1 ? "" : "s", *m->slots.query == '\0' ? "" : m->slots.query_any ?
	    " mentioning \"" : " with \"", m->slots.query, *m->slots.query == '\0' ? "" : "\"",
	    filter && !errors ? " that say something failed" : "",
	    scope(m, sc, sizeof(sc)), json_array_size(rows) > 0 ? ", newest first:" : ".");
	show(ans, rows, "ts host severity message");
	return 0;
}

int
a_logs_errors(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows;
	char sc[160];

	if (unknown_host(a, m, ans))
		return 0;
	CALL(rows, "error_logs", args_of(m, "host service since until"));
	say(ans, "%zu error line%s%s%s\n", last_total, last_total == 1 ? "" : "s",
	    scope(m, sc, sizeof(sc)), last_total > json_array_size(rows) ?
	    ", the newest first:" : json_array_size(rows) > 0 ? ", newest first:" : ".");
	show(ans, rows, "ts host service severity message");
	return 0;
}

int
a_logs_volume(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *row;
	char sc[160];
	long long total = 0;
	size_t i;

	CALL(rows, "count_logs", args_of(m, "host service since until"));
	json_array_foreach(rows, i, row)
		total += json_integer_value(json_object_get(row, "count"));
	say(ans, "%lld log lines%s.\n", total, scope(m, sc, sizeof(sc)));
	show(ans, rows, "host severity count");
	return 0;
}

/* "any gpu throttling?": what the logs say of it, beside the readings. */
static int
gpu_logs(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *args = args_of(m, "host since until"), *rows, *row;
	size_t i;
	char sc[160];

	json_object_set_new(args, "query", json_string(m->slots.terms));
	json_object_set_new(args, "any", json_true());
	CALL(rows, "search_logs", args);
	say(ans, "%zu log line%s mentioning \"%s\"%s%s\n", last_total, last_total == 1 ? "" : "s",
	    m->slots.terms, scope(m, sc, sizeof(sc)), json_array_size(rows) > 0 ? ", the newest:" : ".");
	json_array_foreach(rows, i, row)
		if (i < 3)
			say(ans, "  %s %s %.*s\n", str(row, "ts"), str(row, "host"), CELL_MAX * 2,
			    str(row, "message"));
	keep(ans, rows);
	json_decref(rows);
	return 0;
}

static int
gpu(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err, size_t errlen,
    int temp_only)
{
	json_t *rows, *row, *shown, *hot = NULL;
	size_t i, gpus = 0;
	double ecc = 0;
	char old[96];

	/* "gpu temps yesterday", "gpu util yesterday": that metric's range then. */
	if (m->slots.since >= 0 && (temp_only || (m->slots.metric != NULL &&
	    strncmp(m->slots.metric, "nvidia_smi_", 11) == 0))) {
		struct ask_match t = *m;

		if (temp_only)
			t.slots.metric = (char *)"nvidia_smi_temperature_gpu";
		return metric_range(a, &t, ans, err, errlen);
	}
	CALL(rows, "gpu_status", args_of(m, "host"));
	shown = json_array();
	json_array_foreach(rows, i, row) {
		int is_temp = strcmp(str(row, "metric"), "nvidia_smi_temperature_gpu") == 0;

		if (is_temp && (hot == NULL || num(row, "value") > num(hot, "value")))
			hot = row;
		if (strncmp(str(row, "metric"), "nvidia_smi_ecc_errors_uncorrected", 33) == 0) {
			ecc += num(row, "value");
			gpus++;
		}
		if (!temp_only || is_temp)
			json_array_append(shown, row);
	}
	if (json_array_size(rows) == 0)
		say(ans, "No GPU readings%s%s.\n", m->slots.host ? " on " : "",
		    m->slots.host ? m->slots.host : "");
	else if (hot != NULL)
		say(ans, "%zu GPU %s; the hottest is GPU %s on %s at %g C, at %s%s.\n",
		    json_array_size(shown), temp_only ? "temperatures" : "readings",
		    json_string_value(json_object_get(json_object_get(hot, "labels"), "gpu")) ?
		    json_string_value(json_object_get(json_object_get(hot, "labels"), "gpu")) : "?",
		    str(hot, "host"), num(hot, "value"), str(hot, "ts"),
		    staleness(a, str(hot, "ts"), old, sizeof(old)));
	else
		say(ans, "%zu GPU readings.\n", json_array_size(rows));
	if (!temp_only && gpus > 0)
		say(ans, "Uncorrected ECC errors: %g over %zu GPU%s.\n", ecc, gpus, gpus == 1 ? "" : "s");
	if (m->slots.terms != NULL && gpu_logs(a, m, ans, err, errlen) == -1) {
		json_decref(shown);
		json_decref(rows);
		return -1;
	}
	table(ans, shown, "host metric labels value ts");
	keep(ans, shown);
	json_decref(shown);
	json_decref(rows);
	return 0;
}

int
a_gpu(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err, size_t errlen)
{
	return gpu(a, m, ans, err, errlen, 0);
}

int
a_gpu_temp(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return gpu(a, m, ans, err, errlen, 1);
}

/* "  prod-eu (online): hosts db-1,web-1; 1 alert firing, 0 incidents open" */
static void
cluster_line(struct ask_answer *ans, const json_t *row)
{
	json_int_t firing = json_integer_value(json_object_get(row, "firing"));
	json_int_t open = json_integer_value(json_object_get(row, "open_incidents"));

	say(ans, "  %s%s%s%s: hosts %s; %lld alert%s firing, %lld incident%s open\n",
	    str(row, "cluster"), *str(row, "status") ? " (" : "", str(row, "status"),
	    *str(row, "status") ? ")" : "", *str(row, "hosts") ? str(row, "hosts") : "none known",
	    (long long)firing, firing == 1 ? "" : "s", (long long)open, open == 1 ? "" : "s");
}

int
a_clusters_list(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *row;
	size_t i, reg = 0;

	CALL(rows, "list_clusters", args_of(m, "cluster"));
	json_array_foreach(rows, i, row)
		reg += json_integer_value(json_object_get(row, "registered")) != 0;
	if (json_array_size(rows) == 0)
		say(ans, "No cluster is known: none registered (aiops-ingest cluster add), no "
		    "cluster label on alerts, incidents or series.\n");
	else
		say(ans, "%zu cluster%s: %zu registered, %zu named by labels only.\n",
		    json_array_size(rows), json_array_size(rows) == 1 ? "" : "s", reg,
		    json_array_size(rows) - reg);
	json_array_foreach(rows, i, row)
		cluster_line(ans, row);
	show(ans, rows, "cluster environment status hosts firing open_incidents");
	return 0;
}

/* The alerts firing in a cluster (its label, or on its hosts), a line each. */
static int
cluster_alerts(struct ask *a, const char *cluster, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *row;
	size_t i;

	CALL(rows, "list_alerts", json_pack("{s:s, s:s}", "cluster", cluster, "status", "firing"));
	json_array_foreach(rows, i, row)
		say(ans, "    firing: %s on %s (%s) since %s\n", str(row, "alertname"),
		    str(row, "host"), str(row, "severity"), str(row, "starts_at"));
	keep(ans, rows);
	json_decref(rows);
	return 0;
}

/* A cluster is in trouble when registered and not online, or an alert
 * fires or an incident is open on its hosts. */
static int
cluster_trouble(const json_t *row)
{
	return (*str(row, "status") != '\0' && strcmp(str(row, "status"), "online") != 0) ||
	    json_integer_value(json_object_get(row, "firing")) > 0 ||
	    json_integer_value(json_object_get(row, "open_incidents")) > 0;
}

int
a_clusters_health(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *row;
	size_t i, bad = 0;

	CALL(rows, "list_clusters", args_of(m, "cluster"));
	json_array_foreach(rows, i, row)
		bad += cluster_trouble(row);
	if (json_array_size(rows) == 0)
		say(ans, "No cluster is known: none registered (aiops-ingest cluster add), no "
		    "cluster label on alerts, incidents or series.\n");
	else if (bad == 0)
		say(ans, "%s%zu cluster%s fine: no alert firing, no incident open%s.\n",
		    json_array_size(rows) > 1 ? "All " : "", json_array_size(rows),
		    json_array_size(rows) == 1 ? " is" : "s are",
		    json_array_size(rows) > 1 ? ", the registered ones online" : "");
	else
		say(ans, "%zu of %zu cluster%s in trouble:\n", bad, json_array_size(rows),
		    json_array_size(rows) == 1 ? " is" : "s are");
	json_array_foreach(rows, i, row) {
		cluster_line(ans, row);
		if (json_integer_value(json_object_get(row, "firing")) > 0 &&
		    cluster_alerts(a, str(row, "cluster"), ans, err, errlen) == -1) {
			json_decref(rows);
			return -1;
		}
	}
	show(ans, rows, "cluster environment status status_since hosts firing open_incidents");
	return 0;
}

int
a_automation(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *row;
	char sc[160];
	size_t i;

	CALL(rows, "list_tasks", args_of(m, "host rule since until"));
	if (json_array_size(rows) == 0)
		say(ans, "Automation ran no task%s%s%s.\n", m->slots.rule ? " of rule " : "",
		    m->slots.rule ? m->slots.rule : "", scope(m, sc, sizeof(sc)));
	else {
		say(ans, "Automation ran %zu task%s%s%s%s:\n", json_array_size(rows),
		    json_array_size(rows) == 1 ? "" : "s", m->slots.rule ? " of rule " : "",
		    m->slots.rule ? m->slots.rule : "", scope(m, sc, sizeof(sc)));
		json_array_foreach(rows, i, row)
			if (i < 5)
				say(ans, "  %s rule %s on %s: %s%s%s\n", str(row, "created"), str(row, "rule"),
				    str(row, "target"), str(row, "state"), *str(row, "error") ? ", " : "",
				    str(row, "error"));
	}
	show(ans, rows, "id created rule target action state attempts");
	return 0;
}

int
a_automation_failed(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *args = args_of(m, "host since until"), *rows;
	char sc[160];

	json_object_set_new(args, "status", json_string("dead"));
	CALL(rows, "list_tasks", args);
	if (json_array_size(rows) == 0)
		say(ans, "No task failed for good%s.\n", scope(m, sc, sizeof(sc)));
	else
		say(ans, "%zu task%s failed for good (dead letters)%s.\n", json_array_size(rows),
		    json_array_size(rows) == 1 ? "" : "s", scope(m, sc, sizeof(sc)));
	show(ans, rows, "id created rule target attempts error");
	return 0;
}

int
a_audit(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows;
	char sc[160];

	CALL(rows, "audit_log", args_of(m, "host since until"));
	say(ans, "%zu decision%s in the audit log%s.\n", json_array_size(rows),
	    json_array_size(rows) == 1 ? "" : "s", scope(m, sc, sizeof(sc)));
	show(ans, rows, "seq ts decision rule target task_id");
	return 0;
}

static json_t *
kpi(struct ask *a, const struct ask_match *m, char *err, size_t errlen, json_t **range)
{
	json_t *args = args_of(m, "host cluster since until"), *r;

	r = ask_tool_call(a, "kpi_report", args, err, errlen);
	json_decref(args);
	if (r == NULL)
		return NULL;
	*range = r;
	return json_incref(json_object_get(r, "rows"));
}

static int
kpi_answer(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen, const char *which)
{
	json_t *range = NULL, *rows, *row, *fleet;
	size_t i;
	char d1[32], d2[32];

	if (unknown_host(a, m, ans))
		return 0;
	if ((rows = kpi(a, m, err, errlen, &range)) == NULL)
		return -1;
	say(ans, "From %s to %s:\n", str(range, "since"), str(range, "until"));
	fleet = json_object_get(range, "fleet");
	if (!m->slots.host && (strcmp(which, "mttr") == 0 || strcmp(which, "report") == 0) &&
	    json_is_number(json_object_get(fleet, "mttr_s")))
		say(ans, "  all hosts%s%s: MTTR %s over %lld resolved incident%s\n",
		    m->slots.cluster ? " of " : "", m->slots.cluster ? m->slots.cluster : "",
		    human(num(fleet, "mttr_s"), d1, sizeof(d1)),
		    (long long)json_integer_value(json_object_get(fleet, "resolved")),
		    json_integer_value(json_object_get(fleet, "resolved")) == 1 ? "" : "s");
	json_array_foreach(rows, i, row) {
		const char *h = str(row, "host");

		if (strcmp(which, "mttr") == 0 || strcmp(which, "report") == 0) {
			if (json_is_number(json_object_get(row, "mttr_s")))
				say(ans, "  %s: MTTR %s over %lld resolved incident%s\n", h,
				    human(num(row, "mttr_s"), d1, sizeof(d1)),
				    (long long)json_integer_value(json_object_get(row, "resolved")),
				    json_integer_value(json_object_get(row, "resolved")) == 1 ? "" : "s");
		}
		if (strcmp(which, "mtbf") == 0 || strcmp(which, "report") == 0) {
			if (json_is_number(json_object_get(row, "mtbf_s")) &&
			    json_integer_value(json_object_get(row, "failures")) > 0)
				say(ans, "  %s: MTBF %s, %lld failure%s, availability %.2f%%\n", h,
				    human(num(row, "mtbf_s"), d1, sizeof(d1)),
				    (long long)json_integer_value(json_object_get(row, "failures")),
				    json_integer_value(json_object_get(row, "failures")) == 1 ? "" : "s",
				    num(row, "availability_pct"));
		}
		if (strcmp(which, "uptime") == 0 || strcmp(which, "report") == 0) {
			if (json_is_number(json_object_get(row, "uptime_s")))
				say(ans, "  %s: up %s, %lld restart%s%s%s, availability %.2f%%\n", h,
				    human(num(row, "uptime_s"), d2, sizeof(d2)),
				    (long long)json_integer_value(json_object_get(row, "restarts")),
				    json_integer_value(json_object_get(row, "restarts")) == 1 ? "" : "s",
				    *str(row, "last_restart") ? ", the last at " : "", str(row, "last_restart"),
				    num(row, "availability_pct"));
			else if (strcmp(which, "uptime") == 0)
				say(ans, "  %s: no uptime metric; availability %.2f%%\n", h,
				    num(row, "availability_pct"));
		}
	}
	/* A host asked about: its lines, not its cluster's. */
	json_array_foreach(json_object_get(range, "clusters"), i, row) {
		if (strcmp(which, "uptime") == 0 || m->slots.host != NULL)
			break;
		say(ans, "  cluster %s: MTTR %s, MTBF %s, %lld failure%s, availability %.2f%%\n",
		    str(row, "cluster"), json_is_number(json_object_get(row, "mttr_s")) ?
		    human(num(row, "mttr_s"), d1, sizeof(d1)) : "-",
		    human(num(row, "mtbf_s"), d2, sizeof(d2)),
		    (long long)json_integer_value(json_object_get(row, "failures")),
		    json_integer_value(json_object_get(row, "failures")) == 1 ? "" : "s",
		    num(row, "availability_pct"));
		json_array_append(ans->facts, row);
	}
	if (json_array_size(rows) == 0)
		say(ans, "  no incident and no uptime metric%s%s.\n", m->slots.host ? " on " : "",
		    m->slots.host ? m->slots.host : "");
	show(ans, rows, "host failures resolved downtime_s mttr_s mtbf_s availability_pct restarts uptime_s");
	json_decref(range);
	return 0;
}

int
a_kpi_mttr(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return kpi_answer(a, m, ans, err, errlen, "mttr");
}

int
a_kpi_mtbf(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return kpi_answer(a, m, ans, err, errlen, "mtbf");
}

int
a_kpi_uptime(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return kpi_answer(a, m, ans, err, errlen, "uptime");
}

int
a_kpi_report(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	return kpi_answer(a, m, ans, err, errlen, "report");
}

int
a_hosts(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows;

	CALL(rows, "list_hosts", json_object());
	say(ans, "%zu hosts in the state.\n", json_array_size(rows));
	show(ans, rows, "host series alerts anomalies incidents");
	return 0;
}

int
a_metrics(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *rows, *row, *shown;
	size_t i;

	CALL(rows, "list_metrics", json_object());
	shown = json_array();
	json_array_foreach(rows, i, row)
		if (m->slots.host == NULL || strstr(str(row, "hosts"), m->slots.host) != NULL)
			json_array_append(shown, row);
	say(ans, "%zu metrics%s%s.\n", json_array_size(shown), m->slots.host ? " on " : "",
	    m->slots.host ? m->slots.host : "");
	table(ans, shown, "metric series unit hosts");
	keep(ans, shown);
	json_decref(shown);
	json_decref(rows);
	return 0;
}

int
a_sql(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err, size_t errlen)
{
	json_t *args = json_pack("{s:s}", "query", m->slots.query ? m->slots.query : ""), *r;
	json_t *row;
	const char *k;
	json_t *v;
	struct aiops_buf cols;

	r = ask_tool_call(a, "sql", args, err, errlen);
	json_decref(args);
	if (r == NULL) {
		say(ans, "The query was refused: %s\n", err);
		ans->understood = 0;
		return 0;
	}
	row = json_array_get(json_object_get(r, "rows"), 0);
	aiops_buf_init(&cols);
	json_object_foreach(row, k, v)
		aiops_buf_addf(&cols, "%s%s", cols.len ? " " : "", k);
	say(ans, "%zu row%s%s.\n", json_array_size(json_object_get(r, "rows")),
	    json_array_size(json_object_get(r, "rows")) == 1 ? "" : "s",
	    json_is_true(json_object_get(r, "truncated")) ? " (cut at the row limit)" : "");
	table(ans, json_object_get(r, "rows"), aiops_buf_cstr(&cols));
	keep(ans, json_object_get(r, "rows"));
	aiops_buf_release(&cols);
	json_decref(r);
	return 0;
}

/* The path of the fullest disk of host: what a cleanup there is about. */
static char *
fullest_disk(struct ask *a, const char *host, char *err, size_t errlen)
{
	json_t *rows = call(a, "query_metrics", json_pack("{s:s, s:s, s:s}", "metric",
	    "disk_used_percent", "host", host, "aggregation", "latest"), err, errlen), *row, *best = NULL;
	const char *path;
	char *out = NULL;
	size_t i;

	json_array_foreach(rows, i, row)
		if (best == NULL || num(row, "value") > num(best, "value"))
			best = row;
	path = json_string_value(json_object_get(json_object_get(best, "labels"), "path"));
	if (path != NULL)
		out = xstrdup(path);
	json_decref(rows);
	return out;
}

int
a_propose(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	const char *book = ask_propose_verb(m->normalized), *q = m->normalized;
	json_t *vars = json_object(), *args, *r;
	char *path = NULL, service[64] = "";
	const char *k;
	json_t *v;

	if (book == NULL)
		book = "disk-cleanup";
	if (m->slots.host == NULL) {
		json_decref(vars);
		if (unknown_host(a, m, ans))
			return 0;
		say(ans, "On which host? Say: %s on db-1.\n", book);
		ans->understood = 0;
		return 0;
	}
	if (strcmp(book, "disk-cleanup") == 0) {
		if ((path = fullest_disk(a, m->slots.host, err, errlen)) == NULL) {
			json_decref(vars);
			say(ans, "%s has no disk_used_percent series to tell which disk to clean.\n",
			    m->slots.host);
			ans->understood = 0;
			return 0;
		}
		json_object_set_new(vars, "path", json_string(path));
		json_object_set_new(vars, "older_than", json_string("7d"));
	} else if (strcmp(book, "log-rotate") == 0) {
		json_object_set_new(vars, "path", json_string("/var/log"));
		json_object_set_new(vars, "patterns", json_pack("[s]", "*.log"));
		json_object_set_new(vars, "compress", json_true());
	} else if (strcmp(book, "restart-service") == 0) {
		const char *p = strstr(q, "restart ");

		if (p != NULL)
			sscanf(p + 8, "%63[a-z0-9@._-]", service);
		if (service[0] == '\0' || strcmp(service, "the") == 0 || strcmp(service, "service") == 0) {
			json_decref(vars);
			say(ans, "Restart which service? Say: restart nginx on web-1.\n");
			ans->understood = 0;
			return 0;
		}
		json_object_set_new(vars, "service", json_string(service));
	}
	args = json_pack("{s:s, s:s, s:O, s:s}", "playbook", book, "host", m->slots.host, "vars", vars,
	    "reason", m->normalized);
	r = ask_tool_call(a, "propose_playbook", args, err, errlen);
	json_decref(args);
	if (r == NULL) {
		say(ans, "I cannot propose %s on %s: %s\n", book, m->slots.host, err);
		ans->understood = 0;
		json_decref(vars);
		free(path);
		return 0;
	}
	say(ans, "Proposed: %s.yml on %s", book, m->slots.host);
	json_object_foreach(vars, k, v) {
		char c[CELL_MAX + 8];

		cell(v, c, sizeof(c));
		say(ans, "%s%s=%s", k == json_object_iter_key(json_object_iter(vars)) ? " (" : ", ", k, c);
	}
	say(ans, "%s; ansible-playbook --syntax-check passed. Nothing runs until you confirm it and "
	    "an approver approves it in aiops-run (check mode first).\n", json_object_size(vars) ? ")" : "");
	keep(ans, json_object_get(r, "rows"));
	json_decref(r);
	json_decref(vars);
	free(path);
	return 0;
}

int
a_host_status(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *alerts, *inc, *anom, *pred, *args, *row;
	size_t i;
	char d[32];

	if (m->slots.host == NULL) {
		if (unknown_host(a, m, ans))
			return 0;
		return a_overview(a, m, ans, err, errlen);
	}
	args = args_of(m, "host");
	json_object_set_new(args, "status", json_string("firing"));
	CALL(alerts, "list_alerts", args);
	CALL(inc, "list_incidents", args_of(m, "host since until"));
	args = args_of(m, "host since until");
	if (m->slots.since < 0)
		json_object_set_new(args, "since", json_string("24h"));
	CALL(anom, "summarize_anomalies", args);
	CALL(pred, "list_predictions", args_of(m, "host"));
	say(ans, "%s: %zu alert%s firing, %zu incident%s (%s), %zu anomalous series %s, %zu "
	    "prediction%s.\n", m->slots.host, json_array_size(alerts),
	    json_array_size(alerts) == 1 ? "" : "s", json_array_size(inc),
	    json_array_size(inc) == 1 ? "" : "s", "all time", json_array_size(anom),
	    m->slots.period ? m->slots.period : "in the last 24 hours", json_array_size(pred),
	    json_array_size(pred) == 1 ? "" : "s");
	json_array_foreach(alerts, i, row)
		say(ans, "  firing: %s (%s) since %s%s%s\n", str(row, "alertname"), str(row, "severity"),
		    str(row, "starts_at"), *str(row, "summary") ? ": " : "", str(row, "summary"));
	json_array_foreach(pred, i, row)
		if (!json_integer_value(json_object_get(row, "crossed")))
			say(ans, "  predicted: %s reaches %g at %s, in %s\n", str(row, "metric"),
			    num(row, "threshold"), str(row, "eta"),
			    human(num(row, "hours_left") * 3600, d, sizeof(d)));
	json_array_foreach(inc, i, row) {
		if (i == 3)
			break;
		say(ans, "  incident %s %s %s: %s; cause: %s on %s\n", str(row, "id"), str(row, "status"),
		    str(row, "first_seen"), str(row, "title"), str(row, "cause"), str(row, "cause_host"));
	}
	table(ans, anom, "metric kind count score first last");
	keep(ans, alerts);
	keep(ans, pred);
	keep(ans, inc);
	keep(ans, anom);
	json_decref(alerts);
	json_decref(inc);
	json_decref(anom);
	json_decref(pred);
	return 0;
}

int
a_overview(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	json_t *alerts, *inc, *pred, *anom, *args, *row;
	size_t i;
	char d[32];

	/* "how is prod-eu doing": the cluster's hosts. */
	if (m->slots.cluster != NULL && m->slots.host == NULL)
		return a_clusters_health(a, m, ans, err, errlen);
	args = json_pack("{s:s}", "status", "firing");
	CALL(alerts, "list_alerts", args);
	args = json_pack("{s:s}", "status", "open");
	CALL(inc, "list_incidents", args);
	args = json_pack("{s:s}", "within", "7d");
	CALL(pred, "list_predictions", args);
	args = args_of(m, "since until");
	if (m->slots.since < 0)
		json_object_set_new(args, "since", json_string("24h"));
	CALL(anom, "summarize_anomalies", args);
	if (json_array_size(alerts) + json_array_size(inc) + json_array_size(pred) == 0)
		say(ans, "Nothing is firing, no incident is open, nothing is predicted to cross a "
		    "threshold in the next 7 days.\n");
	else
		say(ans, "%zu alert%s firing, %zu incident%s open, %zu threshold%s predicted to be "
		    "crossed within 7 days.\n", json_array_size(alerts),
		    json_array_size(alerts) == 1 ? "" : "s", json_array_size(inc),
		    json_array_size(inc) == 1 ? "" : "s", json_array_size(pred),
		    json_array_size(pred) == 1 ? "" : "s");
	json_array_foreach(alerts, i, row)
		say(ans, "  firing: %s on %s (%s) since %s\n", str(row, "alertname"), str(row, "host"),
		    str(row, "severity"), str(row, "starts_at"));
	json_array_foreach(inc, i, row)
		say(ans, "  open incident %s: %s\n", str(row, "id"), str(row, "title"));
	json_array_foreach(pred, i, row)
		if (!json_integer_value(json_object_get(row, "crossed")))
			say(ans, "  predicted: %s %s reaches %g at %s, in %s\n", str(row, "host"),
			    str(row, "metric"), num(row, "threshold"), str(row, "eta"),
			    human(num(row, "hours_left") * 3600, d, sizeof(d)));
	say(ans, "%zu anomalous series %s.\n", json_array_size(anom),
	    m->slots.period ? m->slots.period : "in the last 24 hours");
	table(ans, anom, "host metric count score last");
	keep(ans, alerts);
	keep(ans, inc);
	keep(ans, pred);
	keep(ans, anom);
	json_decref(alerts);
	json_decref(inc);
	json_decref(pred);
	json_decref(anom);
	return 0;
}

int
ask_answer(struct ask *a, const struct ask_match *m, struct ask_answer *ans, char *err,
    size_t errlen)
{
	ask_answer_fn *fn = ask_intent_answer(m->intent);

	if (a->table_rows > 0)
		ans->table_rows = a->table_rows;
	if (fn == NULL) {
		if (m->slots.unknown_host != NULL && unknown_host(a, m, ans)) {
			ans->understood = 0;
			return 0;
		}
		not_understood(ans, "");
		return 0;
	}
	return fn(a, m, ans, err, errlen);
}

json_t *
ask_answer_json(const char *question, const struct ask_match *m, const struct ask_answer *ans)
{
	const struct ask_slots *s = &m->slots;
	json_t *slots = json_object(), *o;
	char t[40];

	if (s->host)
		json_object_set_new(slots, "host", json_string(s->host));
	if (s->unknown_host && !s->host)
		json_object_set_new(slots, "unknown_host", json_string(s->unknown_host));
	if (s->cluster)
		json_object_set_new(slots, "cluster", json_string(s->cluster));
	if (s->metric)
		json_object_set_new(slots, "metric", json_string(s->metric));
	if (s->severity)
		json_object_set_new(slots, "severity", json_string(s->severity));
	if (s->query)
		json_object_set_new(slots, "query", json_string(s->query));
	if (s->rule)
		json_object_set_new(slots, "rule", json_string(s->rule));
	if (s->alertname)
		json_object_set_new(slots, "alertname", json_string(s->alertname));
	if (s->service)
		json_object_set_new(slots, "service", json_string(s->service));
	if (s->id)
		json_object_set_new(slots, "id", json_string(s->id));
	if (s->since >= 0) {
		aiops_time_format(s->since * 1000000LL, t);
		json_object_set_new(slots, "since", json_string(t));
	}
	if (s->until >= 0) {
		aiops_time_format(s->until * 1000000LL, t);
		json_object_set_new(slots, "until", json_string(t));
	}
	if (s->period)
		json_object_set_new(slots, "period", json_string(s->period));
	if (m->normalized != NULL)
		json_object_set_new(slots, "read_as", json_string(m->normalized));
	o = json_pack("{s:s, s:s, s:o, s:f, s:b, s:s, s:O, s:O}", "question", question, "intent",
	    ask_answer_intent(m, ans), "slots", slots, "confidence",
	    round(m->confidence * 100) / 100, "understood", ans->understood, "answer",
	    aiops_buf_cstr(&ans->text), "facts", ans->facts, "evidence",
	    ans->evidence);
	return o;
}
