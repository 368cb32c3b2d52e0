#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "config/schema.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define MAX_PARTS	16	/* deepest key path checked */
#define PATH_MAX_LEN	512	/* longest dotted path named in a message */

#define END	{ NULL, AIOPS_CONF_STRING, NULL, 0, 0, NULL }
#define STRING(name, doc)	{ name, AIOPS_CONF_STRING, NULL, 0, 0, doc }
#define ENUM(name, values, doc)	{ name, AIOPS_CONF_ENUM, values, 0, 0, doc }
#define BOOL(name, doc)		{ name, AIOPS_CONF_BOOL, NULL, 0, 0, doc }
#define INT(name, min, max, doc) { name, AIOPS_CONF_INT, NULL, min, max, doc }
#define NUMBER(name, min, max, doc) { name, AIOPS_CONF_NUMBER, NULL, min, max, doc }
#define DURATION(name, doc)	{ name, AIOPS_CONF_DURATION, NULL, 0, 0, doc }
#define SIZE(name, min, max, doc) { name, AIOPS_CONF_SIZE, NULL, min, max, doc }
#define LIST(name, doc)		{ name, AIOPS_CONF_LIST, NULL, 0, 0, doc }
#define TREE(name, doc)		{ name, AIOPS_CONF_TREE, NULL, 0, 0, doc }

/* The same bounds as --max-line: a line buffer of at most 1 GiB. */
#define MAX_LINE_KEY \
	SIZE("max_line", 16, 1 << 30, "longest input line accepted (--max-line)")

static const struct aiops_conf_key state_keys[] = {
	STRING("group", "the group whose members may share the state file"),
	END
};

static const struct aiops_conf_key log_keys[] = {
	ENUM("format", "plain|json", "format of diagnostics on standard error (--log-format)"),
	END
};

static const struct aiops_conf_key clock_keys[] = {
	ENUM("mode", "wall|event", "the toolkit clock: the wall clock or the events' own time (--clock)"),
	END
};

/* The format names are aiops_formats[] (lib/ingest); t_config checks they agree. */
static const struct aiops_conf_key ingest_keys[] = {
	ENUM("format", "auto|influx|prometheus|syslog|json|alertmanager|redfish|sentry|nvsmi|snmp|csv|text",
	    "input format (-f)"),
	STRING("host", "host of data that names none (-H)"),
	STRING("cluster", "cluster of every event (--cluster)"),
	STRING("source", "source of every event (--source)"),
	ENUM("precision", "ns|us|ms|s|auto",
	    "unit of line-protocol timestamps (--precision)"),
	BOOL("store", "also write metrics and alerts into the state file (--store)"),
	DURATION("retention", "delete stored raw points older than this (--retention)"),
	DURATION("alerts.retention",
	    "delete stored alerts resolved and not received for this (default: ingest.retention)"),
	DURATION("alerts.expire", "resolve a stored firing alert not received for this"),
	INT("clusters.offline_after", 1, 1000000,
	    "cluster check: a cluster is offline after this many checks in a row with no answer"),
	DURATION("clusters.timeout", "cluster check: how long an endpoint has to answer"),
	INT("poll", 1, 3600000, "with --follow, how often to look for new data, in milliseconds (--poll)"),
	MAX_LINE_KEY,
	STRING("json.fields.ts", "JSON logs: the key of the time (--map ts=KEY)"),
	STRING("json.fields.message", "JSON logs: the key of the message (--map message=KEY)"),
	STRING("json.fields.severity", "JSON logs: the key of the severity (--map severity=KEY)"),
	STRING("json.fields.host", "JSON logs: the key of the host (--map host=KEY)"),
	STRING("json.fields.service", "JSON logs: the key of the service (--map service=KEY)"),
	STRING("listen.address", "the HTTP listener's ADDRESS:PORT (--listen)"),
	BOOL("listen.auth", "require a bearer token with the endpoint's scope"),
	SIZE("listen.max_body", 1024, 1 << 30, "largest request body, once gzip is inflated"),
	DURATION("listen.timeout", "close a connection idle for this long"),
	INT("listen.max_connections", 1, 65536, "connections at once"),
	INT("listen.per_ip", 1, 65536, "connections at once from one address"),
	INT("listen.rate", 0, 1000000, "requests a second per token and per address (0: no limit)"),
	INT("listen.backlog", 1, 1000000000,
	    "events committed but not yet written out past which requests get 503"),
	DURATION("listen.retention", "delete journal events received longer ago"),
	STRING("listen.cursor", "the journal cursor standard output follows (--cursor)"),
	STRING("listen.tls.cert", "PEM certificate file: serve HTTPS"),
	STRING("listen.tls.key", "PEM private key file of the certificate"),
	STRING("listen.sentry.secret_file", "file with the Sentry integration's client secret"),
	STRING("listen.generic.*.secret_file", "file with the signing secret of a generic webhook"),
	DURATION("pollers.timeout", "how long a poller's request may take"),
	INT("pollers.parallel", 1, 1024, "a poller's requests in flight at once"),
	DURATION("pollers.backoff", "with --every, the first backoff of a failing target"),
	DURATION("pollers.max_backoff", "with --every, the longest backoff of a failing target"),
	SIZE("pollers.max_body", 1024, 1 << 30, "the largest answer a poller reads"),
	BOOL("pollers.clusters", "run the queries against every registered cluster's Prometheus"),
	TREE("pollers.prometheus", "Prometheus servers the queries run against, beside the registry's"),
	TREE("pollers.queries", "PromQL queries, instant or range (aiops-ingest(1) POLLERS)"),
	TREE("pollers.scrapes", "/metrics URLs to scrape"),
	TREE("pollers.datadog", "Datadog log searches"),
	TREE("pollers.splunk", "Splunk search exports"),
	TREE("pollers.snmp", "SNMP agents to GET and walk, v2c or v3 (aiops-ingest(1) POLLERS)"),
	TREE("pollers.nvidia_smi", "local nvidia-smi runs (aiops-ingest(1) POLLERS)"),
	TREE("pollers.redfish", "Redfish services (BMCs) to read over HTTPS (aiops-ingest(1) POLLERS)"),
	END
};

/* The kinds of lib/detect/kind.h (aiops_kind_names(); t_kind checks they agree). */
#define KINDS	"generic|percent|ratio|bytes|count|latency|temperature|uptime|start_time"
/* The smallest material change of a kind, in its base unit (aiops-detect(1)). */
#define MATERIALITY(kind) \
	NUMBER("materiality." kind ".min_change", 0, 1e300, \
	    "the smallest material change of a " kind " metric, in the kind's base unit"), \
	NUMBER("materiality." kind ".min_relative", 0, 1e6, \
	    "the smallest material change of a " kind " metric, as a fraction of the baseline")

static const struct aiops_conf_key detect_keys[] = {
	NUMBER("sensitivity", 0, 1, "0 (fewest alerts) to 1 (most) (--sensitivity)"),
	NUMBER("threshold", 0, 1, "alert when the score is at least this (--threshold)"),
	NUMBER("metrics.*.sensitivity", 0, 1, "the sensitivity of the metrics whose name matches *"),
	NUMBER("metrics.*.threshold", 0, 1, "the threshold of the metrics whose name matches *"),
	ENUM("metrics.*.kind", KINDS, "the kind of the metrics whose name matches * (not guessed from the name)"),
	NUMBER("metrics.*.min_change", 0, 1e300,
	    "the smallest material change of the metrics whose name matches *, in their own unit"),
	NUMBER("metrics.*.min_relative", 0, 1e6,
	    "the smallest material change of the metrics whose name matches *, as a fraction of the baseline"),
	MATERIALITY("percent"),
	MATERIALITY("ratio"),
	MATERIALITY("bytes"),
	MATERIALITY("count"),
	MATERIALITY("latency"),
	MATERIALITY("temperature"),
	MATERIALITY("generic"),
	LIST("counters", "name patterns of the counters, scored on their rate (instead of the built-in ones)"),
	INT("logs.warmup", 0, 1000000000, "log lines read before a new template is an anomaly"),
	NUMBER("logs.min_burst", 0, 1000000000, "log lines a minute a rate needs to alert"),
	NUMBER("logs.similarity", 0.01, 1, "share of a template's words a line repeats to join it"),
	DURATION("logs.retention", "how long stored log lines are kept, and the rate model of a template not seen"),
	INT("logs.max_templates", 0, 1000000000,
	    "templates a program's lines may make; past it its new kinds of line share one (0: no limit)"),
	DURATION("correlate.window", "how close in time signals count together as evidence"),
	DURATION("correlate.close_after", "an incident resolves after this without a new member"),
	DURATION("correlate.min_duration", "how long metrics alone must say things are worse for an incident"),
	DURATION("incidents.retention", "resolved incidents last seen longer ago are deleted"),
	BOOL("explain.enabled",
	    "with --correlate, the ask section's model explains confirmed incidents, when one is configured"),
	INT("explain.per_minute", 0, 1000, "explanations asked for at most a minute (0: none)"),
	DURATION("explain.timeout", "the longest one explanation may take"),
	SIZE("memory", 4096, 1LL << 40,
	    "memory for the series and their models; past it idle models go to the state (--memory)"),
	DURATION("models.retention", "how long a stored model not updated is kept"),
	MAX_LINE_KEY,
	END
};

static const struct aiops_conf_key forecast_keys[] = {
	STRING("horizon", "how far ahead: a duration (7d) or a number of steps (--horizon)"),
	NUMBER("level", 0, 100, "the prediction interval's coverage, 95 or 0.95 (--level)"),
	STRING("model", "the model of every series, or auto to choose per series (--model)"),
	STRING("thresholds.*.name", "the metric names the threshold * applies to (a pattern)"),
	NUMBER("thresholds.*.value", -1e300, 1e300, "the value of the threshold *"),
	ENUM("thresholds.*.direction", "above|below", "reached at or above the value, or at or below it"),
	STRING("thresholds.*.unit", "only series of this unit (percent, bytes, seconds...)"),
	STRING("thresholds.*.type", "only series of this type (gauge, counter...)"),
	STRING("thresholds.*.labels.*", "only series whose label * has this value"),
	BOOL("thresholds.*.enabled", "false drops the threshold * (a built-in one included)"),
	NUMBER("reemit_share", 0, 1000,
	    "a prediction is told again when its ETA moves by more than this share of the time left"),
	DURATION("retention", "a stored prediction no run has renewed for this is deleted"),
	LIST("counters", "name patterns of the counters, forecast as their rate (besides type counter)"),
	MAX_LINE_KEY,
	END
};

/*
 * aiops-notify. The trees follow Alertmanager's configuration
 * (docs/configuration.md): route and inhibit_rules are read by
 * lib/notify/route.h and inhibit.h, time_intervals by lib/notify/timeint.h.
 */
static const struct aiops_conf_key notify_keys[] = {
	TREE("route", "the routing tree, Alertmanager's route (aiops-notify(1))"),
	TREE("inhibit_rules", "the inhibition rules, a list of Alertmanager's inhibit_rule"),
	TREE("time_intervals", "named time intervals, Alertmanager's list of time_interval"),
	TREE("receivers", "the receivers, a list of mappings with a name, or a mapping by name"),
	LIST("templates", "files of Go template defines the receivers' title and text may use"),
	DURATION("resolve_timeout", "an alert that gives no end is resolved after this"),
	STRING("timezone", "the IANA time zone of time intervals and recurring silences"),
	STRING("external_url", "the URL that links in messages lead to"),
	DURATION("retention.sent", "delivered notifications and the notification log are kept this long"),
	DURATION("retention.dead", "dead letters are kept this long"),
	DURATION("retention.silences", "silences that ended are kept this long"),
	DURATION("retry.base", "the first retry of a failed delivery waits up to this"),
	DURATION("retry.cap", "retries of a failed delivery wait at most this"),
	INT("retry.attempts", 1, 1000000, "attempts of a delivery before it is a dead letter"),
	MAX_LINE_KEY,
	END
};

/* aiops-run. The rules are read by lib/run/rule.h. */
static const struct aiops_conf_key run_keys[] = {
	TREE("rules", "the rules, a list of mappings (aiops-run(1))"),
	STRING("playbooks", "the folder of playbooks a rule names by a relative path"),
	STRING("ansible_playbook", "the ansible-playbook program (searched in PATH)"),
	DURATION("timeout", "how long an action may run when its rule gives no timeout"),
	DURATION("poll", "how often a --worker looks at the queue"),
	SIZE("output_max", 256, 1LL << 30, "bytes of an action's output kept, its end"),
	DURATION("retry.base", "the first retry of a failed task waits up to this"),
	DURATION("retry.cap", "retries of a failed task wait at most this"),
	DURATION("retention.tasks", "tasks that succeeded are kept this long"),
	DURATION("retention.dead", "dead tasks (dead letters) are kept this long"),
	DURATION("retention.audit", "the audit log keeps whole days for this long"),
	LIST("approval.users", "the users who may approve or deny tasks of rules marked approval"),
	DURATION("approval.expires", "a task not approved for this long expires"),
	INT("concurrency.per_host", 0, 1000000, "tasks one host may run at once (0: no limit)"),
	INT("breaker.failures", 0, 1000000,
	    "failures in a row that open a target's circuit breaker (0: never)"),
	DURATION("breaker.reset", "an open circuit breaker closes by itself after this (0: by hand)"),
	MAX_LINE_KEY,
	END
};

/* aiops-ask: the model, the tool-calling loop, redaction, the sql tool, retention. */
static const struct aiops_conf_key ask_keys[] = {
	ENUM("backend", "none|ollama|openai", "the language model's API: none answers offline only"),
	STRING("url", "the model server's base URL (http://127.0.0.1:11434, or .../v1)"),
	STRING("model", "the model's name"),
	STRING("key_file", "a file (mode 0600) holding the API key"),
	STRING("key_env", "an environment variable holding the API key"),
	DURATION("timeout", "the longest a model's answer may take"),
	INT("retries", 0, 10, "attempts again after a failure before any text came"),
	NUMBER("rate", 0, 1e6, "at most this many requests to the model a minute (0: no limit)"),
	INT("max_steps", 1, 50, "turns of the tool-calling loop at most"),
	INT("max_tool_calls", 1, 200, "tool calls of one answer at most"),
	STRING("persona", "the persona: a name in share/personas, or a file"),
	ENUM("style", "concise|balanced|detailed", "how much an answer says (the persona's, else concise)"),
	ENUM("autonomy", "cautious|balanced|autonomous",
	    "whether a model may propose playbooks (the persona's, else cautious)"),
	BOOL("redact.enabled", "redact free text before it goes to the model"),
	BOOL("redact.hostnames", "redact host names too"),
	DURATION("sql.timeout", "the longest a SELECT of the sql tool may run"),
	INT("sql.max_rows", 1, 100000, "rows the sql tool returns at most"),
	DURATION("retention.sessions", "sessions unused this long are deleted, with their messages"),
	DURATION("retention.decisions", "decisions (question, intent, tools, answer) are kept this long"),
	MAX_LINE_KEY,
	END
};

const struct aiops_conf_section aiops_conf_sections[] = {
	{ "state", 1, state_keys },
	{ "log", 1, log_keys },
	{ "clock", 1, clock_keys },
	{ "ingest", 0, ingest_keys },
	{ "detect", 0, detect_keys },
	{ "forecast", 0, forecast_keys },
	{ "notify", 0, notify_keys },
	{ "run", 0, run_keys },
	{ "ask", 0, ask_keys },
	{ NULL, 0, NULL },
};

const struct aiops_conf_section *
aiops_conf_section_find(const char *name)
{
	const struct aiops_conf_section *s;

	for (s = aiops_conf_sections; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/*
 * Does the key name match parts[0..n)? A "*" part matches any one part.
 * With prefix set, parts may also be a proper beginning of the name: a
 * mapping on the way to a key.
 */
static int
key_matches(const char *name, const char *const *parts, size_t n, int prefix)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t len = strcspn(name, ".");

		if (*name == '\0')
			return 0;
		if (!(len == 1 && *name == '*') &&
		    (strlen(parts[i]) != len || strncmp(name, parts[i], len) != 0))
			return 0;
		name += len;
		if (*name == '.')
			name++;
	}
	return *name == '\0' ? !prefix : prefix;
}

static const struct aiops_conf_key *
find_key(const struct aiops_conf_section *s, const char *const *parts, size_t n, int prefix)
{
	const struct aiops_conf_key *k;

	for (k = s->keys; k->name != NULL; k++)
		if (key_matches(k->name, parts, n, prefix))
			return k;
	return NULL;
}

const struct aiops_conf_key *
aiops_conf_key_find(const char *path)
{
	const struct aiops_conf_section *s;
	const struct aiops_conf_key *k = NULL;
	const char *parts[MAX_PARTS];
	char *copy = xstrdup(path), *p = copy, *dot = NULL;
	size_t n = 0;

	while (n < MAX_PARTS) {
		parts[n++] = p;
		if ((dot = strchr(p, '.')) == NULL)
			break;
		*dot = '\0';
		p = dot + 1;
	}
	if (dot == NULL && n >= 2 && (s = aiops_conf_section_find(parts[0])) != NULL)
		k = find_key(s, parts + 1, n - 1, 0);
	free(copy);
	return k;
}

const char *
aiops_conf_type_name(enum aiops_conf_type type)
{
	static const char *const names[] = {
		"string", "enum", "bool", "integer", "number", "duration", "size", "list",
		"tree",
	};

	return (size_t)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/* A byte count the way a person writes it: 1GiB, 64KiB, 4000. */
static void
size_text(long long n, char *buf, size_t len)
{
	if (n >= (1LL << 30) && n % (1LL << 30) == 0)
		snprintf(buf, len, "%lldGiB", n >> 30);
	else if (n >= (1LL << 20) && n % (1LL << 20) == 0)
		snprintf(buf, len, "%lldMiB", n >> 20);
	else if (n >= (1LL << 10) && n % (1LL << 10) == 0)
		snprintf(buf, len, "%lldKiB", n >> 10);
	else
		snprintf(buf, len, "%lld", n);
}

/* "a, b or c" from "a|b|c". */
static void
enum_text(const char *values, char *buf, size_t len)
{
	const char *p = values;
	size_t used = 0;

	buf[0] = '\0';
	while (*p != '\0' && used < len) {
		size_t n = strcspn(p, "|");
		int w;

		w = snprintf(buf + used, len - used, "%s%.*s",
		    p == values ? "" : p[n] == '\0' ? " or " : ", ", (int)n, p);
		if (w < 0)
			return;
		used += (size_t)w;
		p += n;
		if (*p == '|')
			p++;
	}
}

const char *
aiops_conf_expected(const struct aiops_conf_key *key, char *buf, size_t len)
{
	char lo[32], hi[32], words[256];

	switch (key->type) {
	case AIOPS_CONF_STRING:
		snprintf(buf, len, "expected a string");
		break;
	case AIOPS_CONF_ENUM:
		enum_text(key->values, words, sizeof(words));
		snprintf(buf, len, "expected %s", words);
		break;
	case AIOPS_CONF_BOOL:
		snprintf(buf, len, "expected true or false");
		break;
	case AIOPS_CONF_INT:
		snprintf(buf, len, "expected an integer from %.0f to %.0f", key->min, key->max);
		break;
	case AIOPS_CONF_NUMBER:
		snprintf(buf, len, "expected a number from %.15g to %.15g", key->min, key->max);
		break;
	case AIOPS_CONF_DURATION:
		snprintf(buf, len, "expected a duration such as 90s, 5m, 2h, 7d");
		break;
	case AIOPS_CONF_SIZE:
		size_text((long long)key->min, lo, sizeof(lo));
		size_text((long long)key->max, hi, sizeof(hi));
		snprintf(buf, len, "expected a size from %s to %s bytes, such as 4096 or 64KiB", lo, hi);
		break;
	case AIOPS_CONF_LIST:
		snprintf(buf, len, "expected a list of strings");
		break;
	case AIOPS_CONF_TREE:
		snprintf(buf, len, "expected a YAML mapping or list");
		break;
	}
	return buf;
}

/* 0 and *out set when s is a whole integer in range. */
static int
parse_int(const char *s, double min, double max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || *out < min || *out > max)
		return -1;
	return 0;
}

/* A count of bytes, with an optional binary unit: 4096, 64k, 64KiB, 1M, 2GiB. */
static int
parse_size(const char *s, double min, double max, long long *out)
{
	static const struct { const char *unit; int shift; } units[] = {
		{ "", 0 }, { "B", 0 }, { "k", 10 }, { "K", 10 }, { "KiB", 10 },
		{ "M", 20 }, { "MiB", 20 }, { "G", 30 }, { "GiB", 30 },
	};
	char *end;
	long long n;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (n > (INT64_MAX >> units[i].shift))
			return -1;
		*out = n << units[i].shift;
		return *out < min || *out > max ? -1 : 0;
	}
	return -1;
}

static int
parse_number(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(*out) ||
	    *out < min || *out > max)
		return -1;
	return 0;
}

static int
enum_has(const char *values, const char *s)
{
	size_t len = strlen(s);

	while (*values != '\0') {
		size_t n = strcspn(values, "|");

		if (n == len && strncmp(values, s, n) == 0)
			return 1;
		values += n;
		if (*values == '|')
			values++;
	}
	return 0;
}

static int
parse_bool(const char *s, int *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0 ||
	    strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "off") == 0 ||
	    strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* "a, b,c" as ["a", "b", "c"]; empty items are dropped. */
static json_t *
split_list(const char *s)
{
	json_t *arr = json_array();

	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		const char *b = s, *e = s + n;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b && json_array_append_new(arr, json_stringn(b, (size_t)(e - b))) == -1) {
			json_decref(arr);
			return NULL;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return arr;
}

json_t *
aiops_conf_value(const struct aiops_conf_key *key, const char *text, char *why, size_t whylen)
{
	json_t *v = NULL;
	long long n;
	double d;
	int64_t ns;
	int b;

	switch (key->type) {
	case AIOPS_CONF_STRING:
		v = json_string(text);		/* NULL unless UTF-8 */
		break;
	case AIOPS_CONF_ENUM:
		if (enum_has(key->values, text))
			v = json_string(text);
		break;
	case AIOPS_CONF_BOOL:
		if (parse_bool(text, &b) == 0)
			v = json_boolean(b);
		break;
	case AIOPS_CONF_INT:
		if (parse_int(text, key->min, key->max, &n) == 0)
			v = json_integer(n);
		break;
	case AIOPS_CONF_NUMBER:
		if (parse_number(text, key->min, key->max, &d) == 0)
			v = json_real(d);
		break;
	case AIOPS_CONF_DURATION:
		if (aiops_duration_parse(text, &ns) == 0)
			v = json_integer(ns);
		break;
	case AIOPS_CONF_SIZE:
		if (parse_size(text, key->min, key->max, &n) == 0)
			v = json_integer(n);
		break;
	case AIOPS_CONF_LIST:
		v = split_list(text);
		break;
	case AIOPS_CONF_TREE:
		break;		/* a structure is written in the file */
	}
	if (v == NULL)
		aiops_conf_expected(key, why, whylen);
	return v;
}

/* The walk of one section: where it is, for messages. */
struct walk {
	struct aiops_conf			*cfg;
	const struct aiops_conf_section		*sec;
	const char				*parts[MAX_PARTS];
	size_t					 n;	/* parts[0] is the section */
	char					*err;
	size_t					 errlen;
};

static const char *
walk_path(const struct walk *w, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < w->n && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? "." : "", w->parts[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

/*
 * Fails with "where: unknown key 'path'" (unknown is "key" or "section"),
 * or else "where: path: what".
 */
static int
walk_fail(const struct walk *w, const char *unknown, const char *what)
{
	char path[PATH_MAX_LEN], where[PATH_MAX_LEN];

	walk_path(w, path, sizeof(path));
	aiops_conf_where(w->cfg, path, where, sizeof(where));
	if (unknown != NULL)
		snprintf(w->err, w->errlen, "%s: unknown %s '%s'", where, unknown, path);
	else
		snprintf(w->err, w->errlen, "%s: %s: %s", where, path, what);
	return -1;
}

/* A list from YAML: every item a scalar. */
static int
check_list(const struct walk *w, const struct aiops_conf_key *k, json_t *arr)
{
	char why[128];
	size_t i;
	json_t *item;

	json_array_foreach(arr, i, item)
		if (!json_is_string(item))
			return walk_fail(w, NULL, aiops_conf_expected(k, why, sizeof(why)));
	return 0;
}

/* The value of a key, replaced in parent by its checked form. */
static int
check_value(const struct walk *w, const struct aiops_conf_key *k, json_t *parent,
    const char *name, json_t *val)
{
	char why[256];
	json_t *v;

	if (k->type == AIOPS_CONF_LIST && json_is_array(val))
		return check_list(w, k, val);
	if (k->type == AIOPS_CONF_TREE)		/* its reader checks inside */
		return json_is_object(val) || json_is_array(val) ? 0 :
		    walk_fail(w, NULL, aiops_conf_expected(k, why, sizeof(why)));
	if (!json_is_string(val))
		return walk_fail(w, NULL, aiops_conf_expected(k, why, sizeof(why)));
	if ((v = aiops_conf_value(k, json_string_value(val), why, sizeof(why))) == NULL)
		return walk_fail(w, NULL, why);
	json_object_set_new(parent, name, v);
	return 0;
}

static int
check_mapping(struct walk *w, json_t *obj)
{
	const char *name;
	json_t *val;
	void *tmp;

	json_object_foreach_safe(obj, tmp, name, val) {
		const struct aiops_conf_key *k;
		int rc = 0, above;

		if (w->n >= MAX_PARTS)
			return walk_fail(w, NULL, "nested too deeply");
		w->parts[w->n++] = name;
		k = find_key(w->sec, w->parts + 1, w->n - 1, 0);
		above = k == NULL && find_key(w->sec, w->parts + 1, w->n - 1, 1) != NULL;
		if (k == NULL && !above)
			rc = walk_fail(w, "key", NULL);
		else if (json_is_null(val))
			json_object_del(obj, name);	/* empty: unset */
		else if (k != NULL)
			rc = check_value(w, k, obj, name, val);
		else if (!json_is_object(val))
			rc = walk_fail(w, NULL, "expected a mapping");
		else
			rc = check_mapping(w, val);
		w->n--;
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
aiops_conf_validate(struct aiops_conf *cfg, const char *section, char *err, size_t errlen)
{
	json_t *root = aiops_conf_root(cfg), *val;
	const char *name;
	void *tmp;
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.err = err;
	w.errlen = errlen;
	json_object_foreach_safe(root, tmp, name, val) {
		w.sec = aiops_conf_section_find(name);
		w.parts[0] = name;
		w.n = 1;
		if (w.sec == NULL)
			return walk_fail(&w, "section", NULL);
		if (!w.sec->shared && strcmp(name, section) != 0)
			continue;	/* another program's: left to it */
		if (json_is_null(val))
			json_object_del(root, name);
		else if (!json_is_object(val))
			return walk_fail(&w, NULL, "expected a mapping");
		else if (check_mapping(&w, val) == -1)
			return -1;
	}
	return 0;
}
