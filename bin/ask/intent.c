/*
 * intent.c: the offline intent engine. A question is lower-cased and cut
 * into words; a few phrases become one word ("root cause", "run out");
 * a word that is no known word but one edit away from one (two for long
 * words) is read as that word (Damerau-Levenshtein), so "anomolies" and
 * "alrets" are understood. Slots come out first: a host or cluster the
 * state knows, a metric by name or by its everyday word ("cpu", "disk"),
 * a time range ("last 24h", "since yesterday", "this week"), a severity,
 * a status, words in quotes to search for. Each intent then scores the
 * words it cares about (cues) and the slots it uses; the best wins, and
 * its confidence says by how much. Below AIOPS_ASK_MIN_SCORE nothing is
 * understood, and aiops-ask says so with questions to try.
 */
#include "compat.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ask.h"
#include "answer.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"

#define NS_PER_MS	1000000LL
#define MS_HOUR		3600000LL
#define MS_DAY		(24 * MS_HOUR)
#define MAX_WORDS	64
#define MIN_SCORE	3

struct ask_intent {
	const char	*name;
	const char	*cues;		/* "stem=weight ...": a word starting with stem scores weight */
	unsigned	 slots;		/* the slots that add to its score */
	ask_answer_fn	*answer;
};

/* The slots an intent uses; _NEEDED: the slot is what the question is about. */
enum {
	S_HOST = 1, S_METRIC = 2, S_TIME = 4, S_QUERY = 8, S_CLUSTER = 16, S_SEV = 32,
	S_METRIC_NEEDED = 64, S_QUERY_NEEDED = 128,
};

/*
 * The intents. Cues are stems; weight 3 is a word that names the intent
 * alone ("anomalies"), 1 a word that leans to it ("now"), a negative one
 * a word that says it is another ("resolved" for current alerts).
 */
static const struct ask_intent intents[] = {
	{ "help", "help=5 example=4 usage=3 command=3 can=1 ask=1", 0, a_help },
	{ "overview", "wrong=3 overview=4 status=2 health=2 goingon=4 happening=3 broken=3 problem=2 "
	  "everything=2 summary=2 summari=2 fine=2 ok=1 okay=1 issue=2 now=1", S_TIME, a_overview },
	{ "host.status", "wrong=3 status=2 health=2 how=1 doing=2 problem=2 issue=2 going=1 "
	  "happening=2 broken=3 check=1 look=1 about=1 up=1 goingon=3", 0, a_host_status },
	{ "alerts.current", "alert=4 alarm=4 firing=3 fire=2 active=2 current=2 now=1 open=1 "
	  "page=2 paging=3 right=1 resolved=-3 history=-3 yesterday=-1 many=-2", S_HOST | S_SEV, a_alerts_current },
	{ "alerts.history", "alert=4 alarm=4 resolved=3 history=3 fired=3 past=1 earlier=1 ended=2 "
	  "clear=3 many=-2 page=2 paged=3 did=1 ever=1", S_HOST | S_TIME | S_SEV, a_alerts_history },
	{ "alerts.count", "alert=3 alarm=3 many=3 count=3 number=2 fired=1", S_HOST | S_TIME,
	  a_alerts_count },
	{ "anomalies.list", "anomal=5 abnormal=4 unusual=4 weird=3 odd=2 spike=3 outlier=4 strange=3 "
	  "deviat=3 most=-1", S_HOST | S_METRIC | S_TIME, a_anomalies },
	{ "anomalies.top", "anomal=4 abnormal=3 unusual=3 outlier=3 most=3 top=2 which=1 worst=2 "
	  "noisiest=3 rank=2", S_TIME, a_anomalies_top },
	{ "incidents.list", "incident=5 incidents=2 outage=4 problem=1 failure=2 event=1 open=-1 "
	  "rootcause=-3 why=-2 last=-1", S_HOST | S_TIME, a_incidents },
	{ "incidents.open", "incident=4 outage=3 open=3 ongoing=3 active=2 unresolved=3 current=2 "
	  "still=2", S_HOST, a_incidents_open },
	{ "incident.cause", "rootcause=6 cause=4 why=4 reason=3 culprit=4 caused=4 behind=2 "
	  "incident=2 outage=2 fail=1 down=1 crash=1 reboot=1", S_HOST | S_TIME, a_incident_cause },
	{ "incident.summary", "summar=3 explain=3 describe=3 tell=2 detail=3 incident=3 outage=2 "
	  "last=2 latest=3 recent=2 happened=3 about=1", S_HOST | S_TIME, a_incident_summary },
	{ "forecast.threshold", "fill=5 filing=5 full=4 runout=5 exhaust=5 cross=4 threshold=4 predict=4 "
	  "forecast=4 will=2 going=1 soon=2 capacity=3 week=1 ahead=2 trend=2",
	  S_HOST | S_METRIC, a_predictions },
	{ "forecast.when", "when=5 eta=5 long=2 until=2 did=-3 last=-2 full=2 fill=2 runout=3 reach=3 left=2 "
	  "hit=2", S_HOST | S_METRIC, a_prediction_when },
	{ "forecast.series", "forecast=5 predict=4 projection=4 project=3 next=2 tomorrow=3 "
	  "expect=3 outlook=4 trend=2 future=3 ahead=2", S_HOST | S_METRIC_NEEDED, a_forecast },
	{ "metric.current", "current=3 now=2 latest=3 value=3 level=2 reading=3 what=1 show=1 "
	  "usage=2 utili=2 used=1 much=1 many=2 have=1 all=1 every=1 high=-1", S_HOST | S_METRIC_NEEDED, a_metric_current },
	{ "metric.peak", "max=4 peak=5 highest=4 maximum=5 worst=2 top=1 spike=1 high=2",
	  S_HOST | S_METRIC_NEEDED | S_TIME, a_metric_peak },
	{ "metric.average", "average=5 avg=5 mean=5 typical=4 normal=2 usual=2 median=2",
	  S_HOST | S_METRIC_NEEDED | S_TIME, a_metric_avg },
	{ "metric.min", "min=4 minimum=5 lowest=5 least=3 low=2", S_HOST | S_METRIC_NEEDED | S_TIME,
	  a_metric_min },
	{ "metric.top_hosts", "which=2 busiest=5 most=2 top=2 rank=3 hosts=2 server=1 compare=3 "
	  "each=2 every=2 per=2 highest=1 loaded=3", S_METRIC_NEEDED | S_TIME, a_metric_top },
	{ "logs.top", "log=2 template=4 pattern=3 message=2 line=1 top=3 common=4 frequent=4 "
	  "most=2 noisy=3 noisiest=3 spam=3 new=-4 first=-2", S_HOST | S_TIME, a_logs_top },
	{ "logs.new", "new=4 novel=4 never=3 first=2 unseen=4 template=3 pattern=3 log=2 message=2 "
	  "kind=2 appeared=3 line=1 since=1", S_HOST | S_TIME, a_logs_new },
	{ "logs.search", "search=5 grep=5 find=3 mention=4 contain=4 say=2 said=2 saying=2 with=1 "
	  "log=2 line=1 message=1 for=1 look=1", S_HOST | S_TIME | S_QUERY_NEEDED, a_logs_search },
	{ "logs.errors", "error=1 err=3 fail=2 exception=3 fatal=3 critical=1 log=2 "
	  "line=1 message=1 why=-4", S_HOST | S_TIME, a_logs_errors },
	{ "logs.volume", "log=3 line=2 volume=4 many=2 count=2 amount=2 much=1 chatty=3 verbose=3",
	  S_HOST | S_TIME, a_logs_volume },
	{ "gpu.status", "gpu=5 nvidia=5 cuda=4 ecc=5 vram=4 card=1 accelerator=3 smi=2 dcgm=4 "
	  "a100=4 h100=4 h200=4 v100=4 a10=3 l40=3 mi300=4",
	  S_HOST, a_gpu },
	{ "gpu.temperature", "gpu=3 nvidia=3 hot=4 temperature=4 temp=4 heat=3 overheat=5 thermal=4 "
	  "cool=2", S_HOST, a_gpu_temp },
	{ "clusters.health", "cluster=4 health=3 healthy=3 offline=4 degraded=4 down=2 online=3 "
	  "problem=2 trouble=3 issue=2 wrong=2 fine=1 "
	  "unreachable=4 status=2 reachable=3", S_CLUSTER, a_clusters_health },
	{ "clusters.list", "cluster=4 list=2 registered=3 registry=4 which=1 all=1 show=1 know=1 "
	  "environment=2 prod=1", S_CLUSTER, a_clusters_list },
	{ "automation.actions", "automation=5 automat=4 auto=3 playbook=4 task=3 remediat=4 fix=3 fixed=3 "
	  "did=2 action=3 ran=3 run=2 ansible=4 healed=3 cleanup=2 rule=3 failed=-1",
	  S_HOST | S_TIME, a_automation },
	{ "automation.failed", "failed=4 fail=4 dead=4 letter=2 broken=2 error=1 task=3 automation=3 "
	  "playbook=3 unsuccessful=3 retry=2", S_HOST | S_TIME, a_automation_failed },
	{ "automation.audit", "audit=9 trail=3 decision=3 approved=3 approval=3 denied=3 who=1",
	  S_HOST | S_TIME, a_audit },
	{ "kpi.mttr", "mttr=7 repair=4 recover=3 recovery=3 resolve=2 fix=1 long=1 restore=3",
	  S_HOST | S_TIME, a_kpi_mttr },
	{ "kpi.mtbf", "mtbf=7 between=3 often=5 frequently=3 failures=3 reliab=2 fail=1",
	  S_HOST | S_TIME, a_kpi_mtbf },
	{ "kpi.uptime", "uptime=6 restart=5 reboot=5 rebooted=5 restarted=5 availability=5 "
	  "available=3 up=1 since=1 boot=4 downtime=4 why=-4", S_HOST | S_TIME, a_kpi_uptime },
	{ "kpi.report", "kpi=7 report=4 sla=5 slo=4 reliab=4 metrics=1 mttr=2 mtbf=2", S_HOST | S_TIME,
	  a_kpi_report },
	{ "hosts.list", "host=4 server=3 machine=3 node=3 box=2 list=2 which=1 all=2 know=2 "
	  "monitor=2 inventory=4 fleet=3 wrong=-3", 0, a_hosts },
	{ "metrics.list", "metric=4 series=3 measure=2 list=2 which=1 what=1 collect=3 track=3 "
	  "available=1", S_HOST, a_metrics },
	{ "automation.propose", "propose=6 suggest=3 cleanup=4 rotate=4 remediate=3", S_HOST,
	  a_propose },
	{ "sql", "select=8 from=1", 0, a_sql },
};

#define NINTENTS	(sizeof(intents) / sizeof(intents[0]))

const char *const ask_examples[] = {
	"what is firing right now?",
	"what is wrong with db-1?",
	"anomalies on web-2 in the last 24h",
	"what caused the last incident?",
	"which disks fill up this week?",
	"top log templates since yesterday",
	"search logs for \"out of memory\"",
	"gpu status",
	"what did automation do today?",
	"kpi report for last week",
	NULL,
};

const char *const ask_words[] = {
	"alerts", "anomalies", "incidents", "firing", "resolved", "cause", "forecast", "fill",
	"cpu", "memory", "disk", "load", "network", "gpu", "temperature", "logs", "templates",
	"search", "errors", "clusters", "automation", "tasks", "audit", "mttr", "mtbf", "uptime",
	"kpi", "hosts", "metrics", "since", "yesterday", "today", "last", "week", "hours",
	"help", "quit", NULL,
};

/* Phrases read as one word. */
static const char *const phrases[][2] = {
	{ "root cause", "rootcause" }, { "run out", "runout" }, { "running out", "runout" },
	{ "runs out", "runout" }, { "going on", "goingon" }, { "what can i ask", "help" },
	{ "what can you do", "help" }, { "what do you know", "help" },
	{ "time to repair", "mttr" }, { "time to recover", "mttr" }, { "time to resolve", "mttr" },
	{ "time to restore", "mttr" }, { "mean time between", "mtbf" }, { "between failures", "mtbf" },
	{ "what's", "what is" }, { "whats", "what is" }, { "what s ", "what is " },
	{ "isn't", "is not" }, { "right now", "now" }, { "at the moment", "now" },
	{ "last night", "lastnight" }, { "this week", "thisweek" }, { "this wk", "thisweek" }, { "next week", "nextweek" },
	{ "this month", "thismonth" }, { "out of memory", "outofmemory" }, { "full up", "full" },
};

/* Everyday words of a metric, and the metric names they mean, preferred first. */
static const struct {
	const char	*word;
	const char	*metrics;	/* space-separated */
} metric_words[] = {
	{ "iowait", "cpu_usage_iowait" },
	{ "cpu", "cpu_usage_user node_cpu_seconds_total" },
	{ "processor", "cpu_usage_user node_cpu_seconds_total" },
	{ "memory", "mem_used_percent node_memory_MemAvailable_bytes" },
	{ "mem", "mem_used_percent node_memory_MemAvailable_bytes" },
	{ "ram", "mem_used_percent node_memory_MemAvailable_bytes" },
	{ "disk", "disk_used_percent node_filesystem_avail_bytes" },
	{ "disks", "disk_used_percent node_filesystem_avail_bytes" },
	{ "fills", "disk_used_percent node_filesystem_avail_bytes" },
	{ "space", "disk_used_percent node_filesystem_avail_bytes" },
	{ "storage", "disk_used_percent node_filesystem_avail_bytes" },
	{ "filesystem", "disk_used_percent node_filesystem_avail_bytes" },
	{ "load", "system_load1 node_load1" },
	{ "network", "net_bytes_recv node_network_receive_bytes_total" },
	{ "traffic", "net_bytes_recv node_network_receive_bytes_total" },
	{ "bandwidth", "net_bytes_recv node_network_receive_bytes_total" },
	{ "packets", "net_packets_recv" },
	{ "fan", "redfish_fan_speed" },
	{ "fans", "redfish_fan_speed" },
	{ "voltage", "redfish_voltage_volts" },
	{ "watts", "redfish_power_consumed_watts nvidia_smi_power_draw" },
	{ "power", "redfish_power_consumed_watts nvidia_smi_power_draw" },
	{ "temperature", "redfish_temperature_celsius nvidia_smi_temperature_gpu" },
	{ "temp", "redfish_temperature_celsius nvidia_smi_temperature_gpu" },
	{ "temps", "redfish_temperature_celsius nvidia_smi_temperature_gpu" },
	{ "cpus", "system_n_cpus" },
	{ "cores", "system_n_cpus" },
	{ "backup", "backup_last_status" },
};

/* Words the spelling fix may turn a word into, besides the cues. */
static const char *const known_words[] = {
	"last", "past", "since", "today", "yesterday", "hour", "hours", "day", "days", "week",
	"weeks", "minute", "minutes", "month", "ago", "what", "which", "show", "list", "when",
	"will", "with", "critical", "warning", "error", "firing", "resolved", "open", "logs",
	"host", "hosts", "cluster", "clusters", "the", "for", "and", "any", "there", "are",
	"anomalies", "anomaly", "alerts", "incidents", "templates", "automation", "errors",
	"filling", "tomorrow", "next", "rack", "morning", "afternoon", "evening", "night", "noon",
	"midnight", "around", "early", "late", "ever", "never", "every", "root", "clear", "clean",
	"many",
	"brute", "force", "attack", "job", "jobs", "kill", "kills", "killed", "killer", "util",
	"utilization", "utilisation", "box", "january", "february", "march", "april", "june",
	"july", "august", "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	NULL,
};

static char *
xstrndup0(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Damerau-Levenshtein (optimal string alignment) distance, capped. */
static int
distance(const char *a, const char *b, int cap)
{
	int la = (int)strlen(a), lb = (int)strlen(b), i, j;
	int d[3][40];

	if (la >= 39 || lb >= 39 || abs(la - lb) > cap)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		int *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3], best = cap + 1;

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int cost = a[i - 1] != b[j - 1], v = prev[j] + 1;

			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (prev[j - 1] + cost < v)
				v = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return d[la % 3][lb];
}

/* Does the word carry the stem (a prefix of at least three letters, or the whole word)? */
static int
has_stem(const char *word, const char *stem, size_t len)
{
	if (strlen(word) < len || strncmp(word, stem, len) != 0)
		return 0;
	return len >= 3 || strlen(word) == len;
}

/* Is word a cue of some intent, a metric word or a known word? */
static int
is_known(const char *word)
{
	size_t i;

	for (i = 0; i < NINTENTS; i++) {
		const char *c = intents[i].cues;

		while (*c != '\0') {
			size_t n = strcspn(c, "=");

			if (has_stem(word, c, n))
				return 1;
			c += n;
			c += strcspn(c, " ");
			c += strspn(c, " ");
		}
	}
	for (i = 0; i < sizeof(metric_words) / sizeof(metric_words[0]); i++)
		if (strcmp(word, metric_words[i].word) == 0)
			return 1;
	for (i = 0; known_words[i] != NULL; i++)
		if (strcmp(word, known_words[i]) == 0)
			return 1;
	return 0;
}

static void
consider(const char *word, const char *cand, size_t n, int cap, int *best, char *out, size_t outsz)
{
	char c[40];
	int d;

	if (n >= sizeof(c) || n < 4)
		return;
	memcpy(c, cand, n);
	c[n] = '\0';
	d = distance(word, c, cap);
	if (d < *best) {
		*best = d;
		snprintf(out, outsz, "%s", c);
	}
}

/* The known word one or two edits from word, if one is; else word itself. */
static void
correct(char *word, size_t size)
{
	char fix[40] = "";
	int cap = strlen(word) >= 8 ? 2 : 1, best = cap + 1;
	size_t i;

	if (strlen(word) < 4 || strpbrk(word, "0123456789_-.") != NULL || is_known(word))
		return;
	for (i = 0; i < NINTENTS; i++) {
		const char *c = intents[i].cues;

		while (*c != '\0') {
			size_t n = strcspn(c, "=");

			/* A stem is compared with the word's start of the same length too. */
			consider(word, c, n, cap, &best, fix, sizeof(fix));
			if (strlen(word) > n + 1 && n >= 5 && n < 40) {
				char head[40], stem[40];
				int d;

				snprintf(head, sizeof(head), "%.*s", (int)n, word);
				snprintf(stem, sizeof(stem), "%.*s", (int)n, c);
				if ((d = distance(head, stem, 1)) <= 1 && d < best) {
					best = d;
					snprintf(fix, sizeof(fix), "%s%s", stem, word + n);
				}
			}
			c += n;
			c += strcspn(c, " ");
			c += strspn(c, " ");
		}
	}
	for (i = 0; i < sizeof(metric_words) / sizeof(metric_words[0]); i++)
		consider(word, metric_words[i].word, strlen(metric_words[i].word), cap, &best, fix,
		    sizeof(fix));
	for (i = 0; known_words[i] != NULL; i++)
		consider(word, known_words[i], strlen(known_words[i]), cap, &best, fix, sizeof(fix));
	if (best <= cap && fix[0] != '\0')
		snprintf(word, size, "%s", fix);
}

/* Lower case, phrases joined, quoted text kept aside as the search query. */
static char *
normalize(const char *q, char **quoted)
{
	struct aiops_buf b;
	const char *p;
	size_t i, from;
	char *s, *hit;

	aiops_buf_init(&b);
	*quoted = NULL;
	for (p = q; *p != '\0'; p++) {
		if (*p == '"' || *p == '\'' ) {
			const char *end = strchr(p + 1, *p);

			/* 'too many clients' quotes as "too many clients" does; "what's" does not. */
			if (*p == '\'' && (p > q && isalnum((unsigned char)p[-1])))
				end = NULL;
			while (*p == '\'' && end != NULL && isalnum((unsigned char)end[1]))
				end = strchr(end + 1, '\'');
			if (end != NULL && end > p + 1) {
				if (*quoted == NULL)
					*quoted = xstrndup0(p + 1, (size_t)(end - p - 1));
				p = end;
				aiops_buf_addc(&b, ' ');
				continue;
			}
			/* "db-1's disk" is db-1's: the possessive goes, "what's" is "whats". */
			if (*p == '\'' && p[1] == 's' && !isalnum((unsigned char)p[2]) && p > q &&
			    isdigit((unsigned char)p[-1])) {
				p++;
				continue;
			}
			if (*p == '\'')
				continue;
		}
		aiops_buf_addc(&b, (char)tolower((unsigned char)*p));
	}
	s = xstrdup(aiops_buf_cstr(&b));
	aiops_buf_release(&b);
	for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		for (from = 0; (hit = strstr(s + from, phrases[i][0])) != NULL;) {
			size_t n = strlen(phrases[i][0]);
			struct aiops_buf r;

			/* Whole words only: "recover" is no phrase inside "recovery". */
			if ((hit > s && isalnum((unsigned char)hit[-1])) ||
			    (isalnum((unsigned char)hit[n - 1]) && isalnum((unsigned char)hit[n]))) {
				from = (size_t)(hit - s) + 1;
				continue;
			}
			from = (size_t)(hit - s) + strlen(phrases[i][1]);
			aiops_buf_init(&r);
			aiops_buf_add(&r, s, (size_t)(hit - s));
			aiops_buf_addstr(&r, phrases[i][1]);
			aiops_buf_addstr(&r, hit + strlen(phrases[i][0]));
			free(s);
			s = xstrdup(aiops_buf_cstr(&r));
			aiops_buf_release(&r);
		}
	return s;
}

static int
is_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':' || c == '%' || c == '/';
}

/* Splits s into words (in place); trailing dots and dashes dropped. */
static size_t
split(char *s, char **w, size_t max)
{
	size_t n = 0;

	while (*s != '\0' && n < max) {
		while (*s != '\0' && !is_word_char((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		w[n++] = s;
		while (*s != '\0' && is_word_char((unsigned char)*s))
			s++;
		if (*s != '\0')
			*s++ = '\0';
		{
			char *e = w[n - 1] + strlen(w[n - 1]);

			while (e > w[n - 1] && (e[-1] == '.' || e[-1] == '-' || e[-1] == ':'))
				*--e = '\0';
			if (*w[n - 1] == '\0')
				n--;
		}
	}
	return n;
}

/* A host the state knows, by name or with its punctuation dropped ("db1" for "db-1"). */
static const char *
known_host(const struct ask *a, const char *w)
{
	size_t i;
	json_t *h;
	char sq[128], hq[128];

	json_array_foreach(a->hosts, i, h) {
		const char *name = json_string_value(h);
		size_t j, k;

		if (strcasecmp(name, w) == 0)
			return name;
		for (j = k = 0; w[j] != '\0' && k < sizeof(sq) - 1; j++)
			if (isalnum((unsigned char)w[j]))
				sq[k++] = w[j];
		sq[k] = '\0';
		for (j = k = 0; name[j] != '\0' && k < sizeof(hq) - 1; j++)
			if (isalnum((unsigned char)name[j]))
				hq[k++] = (char)tolower((unsigned char)name[j]);
		hq[k] = '\0';
		if (k >= 3 && strcmp(sq, hq) == 0)
			return name;
	}
	return NULL;
}

static const char *
known_in(const json_t *list, const char *w)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (strcasecmp(json_string_value(v), w) == 0)
			return json_string_value(v);
	return NULL;
}

/* Shaped like a host name: letters, then a dash or not, then digits ("db-3", "web7"). */
static int
host_shaped(const char *w)
{
	size_t n = strspn(w, "abcdefghijklmnopqrstuvwxyz");

	if (n < 2)
		return 0;
	if (w[n] == '-' || w[n] == '_')
		n++;
	return isdigit((unsigned char)w[n]) && strspn(w + n, "0123456789") == strlen(w + n);
}

/* A service of the logs by its name, or its daemon's ("ssh" for sshd);
 * not a word the intents know. */
static const char *
known_service(struct ask *a, const char *w)
{
	char d[64];
	const char *v;

	if (strlen(w) < 3 || is_known(w) || ask_stop_word(w) || host_shaped(w) ||
	    strspn(w, "0123456789") == strlen(w))
		return NULL;
	if ((v = known_in(ask_services(a), w)) != NULL)
		return v;
	snprintf(d, sizeof(d), "%sd", w);
	return known_in(ask_services(a), d);
}

/* The first metric of the space-separated list the state has, else the first. */
static char *
pick_metric(const struct ask *a, const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, " ");
		char name[128];

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (known_in(a->metrics, name) != NULL)
			return xstrdup(name);
		p += n;
		p += strspn(p, " ");
	}
	return xstrndup0(list, strcspn(list, " "));
}

static int64_t
day_start(int64_t ms)
{
	return ms - ((ms % MS_DAY) + MS_DAY) % MS_DAY;
}

static void
set_period(struct ask_slots *s, int64_t since, int64_t until, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
set_period(struct ask_slots *s, int64_t since, int64_t until, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	s->since = since;
	s->until = until;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(s->period);
	s->period = xstrdup(buf);
}

/* How far back N units go, if it is a time this side of 1970: else -1. */
static int64_t
back(int64_t now, long num, int64_t ms)
{
	if (num <= 0 || num > 100000 || (int64_t)num > now / ms)
		return -1;
	return now - num * ms;
}

/* 0 for sunday to 6 for saturday (or their first three letters), else -1. */
static int
weekday(const char *w)
{
	static const char *const days[] = { "sunday", "monday", "tuesday", "wednesday",
	    "thursday", "friday", "saturday" };
	int i;

	/* "thu", "thurs", "tues": a start of the name; "mondays"; "weds" */
	for (i = 0; i < 7; i++)
		if ((strlen(w) >= 3 && strncmp(w, days[i], strlen(w)) == 0) ||
		    (strlen(w) == strlen(days[i]) + 1 && strncmp(w, days[i], strlen(days[i])) == 0 &&
		    w[strlen(days[i])] == 's') || (i == 3 && strcmp(w, "weds") == 0))
			return i;
	return -1;
}

/* A unit word's milliseconds, or 0. */
static int64_t
unit_ms(const char *w)
{
	if (strncmp(w, "min", 3) == 0 || strcmp(w, "m") == 0)
		return 60000;
	if (strncmp(w, "hour", 4) == 0 || strcmp(w, "h") == 0 || strcmp(w, "hr") == 0 ||
	    strcmp(w, "hrs") == 0)
		return MS_HOUR;
	if (strncmp(w, "day", 3) == 0 || strcmp(w, "d") == 0)
		return MS_DAY;
	if (strncmp(w, "week", 4) == 0 || strcmp(w, "w") == 0 || strcmp(w, "wk") == 0)
		return 7 * MS_DAY;
	if (strncmp(w, "month", 5) == 0)
		return 30 * MS_DAY;
	return 0;
}

static const char *
unit_name(int64_t ms)
{
	return ms == 60000 ? "minute" : ms == MS_HOUR ? "hour" : ms == MS_DAY ? "day" :
	    ms == 7 * MS_DAY ? "week" : "month";
}

/*
 * A time of day, "2pm", "14:30", "2 pm" (then *used is 2): minutes from
 * midnight, or -1.
 */
static int
clock_time(const char *w, const char *next, size_t *used)
{
	char *end;
	long h = strtol(w, &end, 10), min = 0;
	const char *ampm = end;

	*used = 1;
	if (strcmp(w, "noon") == 0 || strcmp(w, "midday") == 0)
		return 12 * 60;
	if (strcmp(w, "midnight") == 0)
		return 0;
	if (end == w || h < 0 || h > 23)
		return -1;
	if (*end == ':') {
		min = strtol(end + 1, &end, 10);
		if (end != ampm + 3 || min < 0 || min > 59)
			return -1;
		ampm = end;
	}
	if (*ampm == '\0' && (strcmp(next, "am") == 0 || strcmp(next, "pm") == 0)) {
		ampm = next;
		*used = 2;
	} else if (*ampm == '\0' && *end == '\0' && ampm == w + strlen(w) && strchr(w, ':') == NULL) {
		return -1;	/* a bare number is no time */
	}
	if (strcmp(ampm, "am") == 0 || strcmp(ampm, "pm") == 0) {
		if (h < 1 || h > 12)
			return -1;
		h = h % 12 + (ampm[0] == 'p' ? 12 : 0);
	} else if (*ampm != '\0') {
		return -1;
	}
	return (int)(h * 60 + min);
}

/*
 * After a day, the hours asked of it: "2pm" or "at 2pm" (that hour),
 * "between 2pm and 3pm", "from 14:00 to 15:30". The words taken, the
 * period narrowed; 0 and nothing changed when there are none.
 */
static size_t
day_hours(char **w, size_t i, size_t n, int64_t day, const char *prefix, struct ask_slots *s)
{
	size_t k = i, k0, j, u1, u2;
	int from, to = -1, range = 0, around = 0;
	struct aiops_buf b;
	char *dash;

	if (k < n && (strcmp(w[k], "at") == 0 || strcmp(w[k], "around") == 0 ||
	    strcmp(w[k], "about") == 0 || strcmp(w[k], "by") == 0))
		around = strcmp(w[k++], "at") != 0;
	else if (k < n && (strcmp(w[k], "between") == 0 || strcmp(w[k], "from") == 0)) {
		k++;
		range = 1;
	}
	k0 = k;
	/* "14:00-14:45" */
	if (k < n && !range && (dash = strchr(w[k], '-')) != NULL && dash[1] != '\0') {
		char a[16];

		snprintf(a, sizeof(a), "%.*s", (int)(dash - w[k]), w[k]);
		if ((from = clock_time(a, "", &u1)) >= 0 && (to = clock_time(dash + 1, "", &u2)) > from) {
			k++;
			goto found;
		}
		to = -1;
	}
	if (k >= n || (from = clock_time(w[k], k + 1 < n ? w[k + 1] : "", &u1)) < 0)
		return 0;
	k += u1;
	/* "13:00 to 15:00" */
	if (!range && k + 1 < n && (strcmp(w[k], "to") == 0 || strcmp(w[k], "until") == 0 ||
	    strcmp(w[k], "till") == 0) && clock_time(w[k + 1], k + 2 < n ? w[k + 2] : "", &u2) > from)
		range = 1;
	if (range) {
		if (k + 1 >= n || (strcmp(w[k], "and") != 0 && strcmp(w[k], "to") != 0) ||
		    (to = clock_time(w[k + 1], k + 2 < n ? w[k + 2] : "", &u2)) <= from)
			return 0;
		k += 1 + u2;
	}
	/* "around 14:00": half an hour either side */
	if (around) {
		from -= 30;
		to = from + 60;
	}
found:
	aiops_buf_init(&b);
	aiops_buf_addf(&b, "%s%s", prefix, k0 == i ? " at" : "");
	for (j = i; j < k; j++)
		aiops_buf_addf(&b, " %s", w[j]);
	set_period(s, day + from * 60000LL, day + (to >= 0 ? to * 60000LL : from * 60000LL + MS_HOUR),
	    "%s", aiops_buf_cstr(&b));
	aiops_buf_release(&b);
	return k - i;
}

/* "20", "19th", "1st": a day of a month, 1 to 31; with need_suffix, only "19th"; else -1. */
static long
day_number(const char *w, int need_suffix)
{
	char *end;
	long d = strtol(w, &end, 10);

	if (end == w || d < 1 || d > 31 || (need_suffix && *end == '\0') || (*end != '\0' &&
	    strcmp(end, "st") != 0 && strcmp(end, "nd") != 0 && strcmp(end, "rd") != 0 &&
	    strcmp(end, "th") != 0))
		return -1;
	return d;
}

/*
 * The start (ms) of day d of month (0 to 11; -1: today's month), the
 * latest such day not ahead of today: of the month before, or the year
 * before, when it is.
 */
static int64_t
recent_day(int64_t today, int month, long d)
{
	time_t t = (time_t)(today / 1000);
	struct tm tm;
	int64_t day = -1;
	int back;

	/* timegm() normalizes tm ("nov 31" is dec 1): each try starts afresh */
	for (back = 0; back < 2; back++) {
		if (gmtime_r(&t, &tm) == NULL)
			return -1;
		if (month >= 0)
			tm.tm_mon = month;
		if (back && month >= 0)
			tm.tm_year--;
		else if (back)
			tm.tm_mon--;
		tm.tm_mday = (int)d;
		if ((day = (int64_t)timegm(&tm) * 1000) <= today)
			break;
	}
	return day;
}

/* 0 for "jan" or "january" to 11, else -1 ("may" only as a date's month). */
static int
month_of(const char *w)
{
	static const char *const months[] = { "january", "february", "march", "april", "may",
	    "june", "july", "august", "september", "october", "november", "december" };
	int i;

	for (i = 0; i < 12; i++)
		if ((strlen(w) >= 3 && strncmp(w, months[i], strlen(w)) == 0) ||
		    (i == 8 && strcmp(w, "sept") == 0))
			return i;
	return -1;
}

/*
 * A day and a month in words i and i+1, either way round ("20 nov",
 * "nov 20th"): 2 and the day's start in *ms; else 0.
 */
static size_t
month_day(char **w, size_t i, size_t n, int64_t today, int64_t *ms)
{
	int digit_first;
	long d;
	int month;

	if (i + 1 >= n)
		return 0;
	digit_first = isdigit((unsigned char)w[i][0]);
	if ((d = day_number(w[digit_first ? i : i + 1], 0)) < 0 ||
	    (month = month_of(w[digit_first ? i + 1 : i])) < 0 ||
	    (*ms = recent_day(today, month, d)) < 0)
		return 0;
	return 2;
}

/* "morning", "afternoon", "evening" after a day: 1 and the period narrowed to it, else 0. */
static size_t
day_part(const char *w, int64_t day, const char *prefix, struct ask_slots *s)
{
	static const struct {
		const char	*word;
		int		 from, to;	/* hours of the day (UTC) */
	} parts[] = { { "morning", 6, 12 }, { "afternoon", 12, 18 }, { "evening", 18, 24 },
	    { "night", 20, 30 } };
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strcmp(w, parts[i].word) == 0) {
			snprintf(text, sizeof(text), "%s %s", prefix, w);
			set_period(s, day + parts[i].from * MS_HOUR, day + parts[i].to * MS_HOUR, "%s", text);
			return 1;
		}
	return 0;
}

/* What narrows a day after it ("friday afternoon", "friday 2pm"): the words taken. */
static size_t
after_day(char **w, size_t i, size_t n, int64_t day, struct ask_slots *s)
{
	size_t k;

	if (i >= n)
		return 0;
	if ((k = day_part(w[i], day, s->period, s)) > 0)
		return k;
	return day_hours(w, i, n, day, s->period, s);
}

/*
 * The time words from word i: returns how many words they took (0: none).
 * "last 24h", "past 3 days", "last hour", "since yesterday", "since
 * 2026-11-20", "today", "yesterday", "thisweek", "lastnight", "24h",
 * "3 hours ago", "on 2026-11-21".
 */
static size_t
time_words(const struct ask *a, char **w, size_t i, size_t n, struct ask_slots *s)
{
	int64_t now = a->now / NS_PER_MS, today = day_start(now), ns, ms;
	const char *x = w[i], *y = i + 1 < n ? w[i + 1] : "", *z = i + 2 < n ? w[i + 2] : "";
	char *end;
	long num;
	size_t took;
	int wd;

	if (strcmp(x, "today") == 0) {
		set_period(s, today, -1, "today");
		return 1 + after_day(w, i + 1, n, today, s);
	}
	if (strcmp(x, "yesterday") == 0) {
		set_period(s, today - MS_DAY, today, "yesterday");
		return 1 + after_day(w, i + 1, n, today - MS_DAY, s);
	}
	if ((wd = weekday(x)) >= 0) {
		/* The last such day, today included: 1970-01-01 was a Thursday (4). */
		int64_t back_days = ((today / MS_DAY + 4) % 7 - wd + 7) % 7;

		set_period(s, today - back_days * MS_DAY, today - back_days * MS_DAY + MS_DAY, "on %s", x);
		return 1 + after_day(w, i + 1, n, today - back_days * MS_DAY, s);
	}
	if (strcmp(x, "this") == 0 && day_part(y, today, "this", s) > 0)
		return 2;
	/* Hours without a day: today's, yesterday's when today's are still ahead. */
	if (s->since < 0 && (took = day_hours(w, i, n, today, "today", s)) > 0) {
		if (s->since > now)
			day_hours(w, i, n, today - MS_DAY, "yesterday", s);
		return took;
	}
	if (strcmp(x, "lastnight") == 0 || strcmp(x, "overnight") == 0) {
		set_period(s, today - 4 * MS_HOUR, today + 8 * MS_HOUR, "last night");
		return 1;
	}
	/* Ahead: "next 24h", "next 3 days", "tomorrow" (a forecast's horizon). */
	if (strcmp(x, "next") == 0 && *y != '\0') {
		num = strtol(y, &end, 10);
		if (end != y && *end == '\0' && (ms = unit_ms(z)) > 0 && back(now, num, ms) >= 0) {
			s->ahead = num * ms;
			return 3;
		}
		if (end != y && (ms = unit_ms(end)) > 0 && back(now, num, ms) >= 0) {
			s->ahead = num * ms;
			return 2;
		}
		if ((ms = unit_ms(y)) > 0 && strlen(y) > 1) {
			s->ahead = ms;
			return 2;
		}
	}
	if (strcmp(x, "tomorrow") == 0) {
		s->ahead = 2 * MS_DAY - (now - today);
		return 1;
	}
	if (strcmp(x, "thisweek") == 0 || strcmp(x, "nextweek") == 0) {
		set_period(s, now - 7 * MS_DAY, -1, "in the last 7 days");
		return 1;
	}
	if (strcmp(x, "thismonth") == 0) {
		set_period(s, now - 30 * MS_DAY, -1, "in the last 30 days");
		return 1;
	}
	if ((strcmp(x, "last") == 0 || strcmp(x, "past") == 0 || strcmp(x, "previous") == 0 ||
	    strcmp(x, "recent") == 0) && *y != '\0') {
		num = strtol(y, &end, 10);
		if (end != y && *end == '\0' && (ms = unit_ms(z)) > 0 && back(now, num, ms) >= 0) {
			set_period(s, back(now, num, ms), -1, "in the last %ld %s%s", num, unit_name(ms),
			    num == 1 ? "" : "s");
			return 3;
		}
		if (end != y && (ms = unit_ms(end)) > 0 && back(now, num, ms) >= 0) {
			set_period(s, back(now, num, ms), -1, "in the last %ld %s%s", num, unit_name(ms),
			    num == 1 ? "" : "s");
			return 2;
		}
		if ((ms = unit_ms(y)) > 0 && strlen(y) > 1) {
			if (strcmp(x, "last") == 0 && ms == 7 * MS_DAY && strcmp(y, "week") == 0)
				set_period(s, now - ms, -1, "in the last week");
			else
				set_period(s, now - ms, -1, "in the last %s", unit_name(ms));
			return 2;
		}
	}
	if (strcmp(x, "since") == 0 && *y != '\0') {
		size_t used = time_words(a, w, i + 1, n, s);

		if (used > 0) {
			/* Since a day: from its start to now. */
			struct aiops_buf t;
			size_t j;

			aiops_buf_init(&t);
			aiops_buf_addstr(&t, "since");
			for (j = i + 1; j <= i + used; j++)
				aiops_buf_addf(&t, " %s", w[j]);
			set_period(s, s->since, -1, "%s", aiops_buf_cstr(&t));
			aiops_buf_release(&t);
			return used + 1;
		}
		if (aiops_time_parse_rfc3339(y, strlen(y), &ns) == 0 ||
		    (strlen(y) == 10 && aiops_time_parse_rfc3339(y, strlen(y), &ns) == 0)) {
			set_period(s, ns / NS_PER_MS, -1, "since %s", y);
			return 2;
		}
		if (strlen(y) == 10) {
			char full[32];

			snprintf(full, sizeof(full), "%sT00:00:00Z", y);
			if (aiops_time_parse_rfc3339(full, strlen(full), &ns) == 0) {
				set_period(s, ns / NS_PER_MS, -1, "since %s", y);
				return 2;
			}
		}
	}
	/* "20 nov", "nov 20", "november 20th" */
	if ((took = month_day(w, i, n, today, &ms)) > 0) {
		char text[64];

		snprintf(text, sizeof(text), "on %s %s", w[i], w[i + 1]);
		set_period(s, ms, ms + MS_DAY, "%s", text);
		return took + after_day(w, i + took, n, ms, s);
	}
	/* "the 19th", "19th": of this month */
	if ((num = day_number(strcmp(x, "the") == 0 ? y : x, 1)) > 0 &&
	    (ms = recent_day(today, -1, num)) >= 0) {
		size_t at = i + (strcmp(x, "the") == 0);

		set_period(s, ms, ms + MS_DAY, "on the %s", w[at]);
		return at - i + 1 + after_day(w, at + 1, n, ms, s);
	}
	if (strlen(x) == 10 && x[4] == '-' && x[7] == '-') {
		char full[32];

		snprintf(full, sizeof(full), "%sT00:00:00Z", x);
		if (aiops_time_parse_rfc3339(full, strlen(full), &ns) == 0) {
			set_period(s, ns / NS_PER_MS, ns / NS_PER_MS + MS_DAY, "on %s", x);
			return 1 + after_day(w, i + 1, n, ns / NS_PER_MS, s);
		}
	}
	num = strtol(x, &end, 10);
	if (end != x && num > 0) {
		if (*end == '\0' && (ms = unit_ms(y)) > 0 && strcmp(z, "ago") == 0 &&
		    back(now, num, ms) >= 0) {
			set_period(s, back(now, num, ms), -1, "in the last %ld %s%s", num, unit_name(ms),
			    num == 1 ? "" : "s");
			return 3;
		}
		if (*end != '\0' && (ms = unit_ms(end)) > 0 && back(now, num, ms) >= 0) {
			set_period(s, back(now, num, ms), -1, "in the last %ld %s%s", num, unit_name(ms),
			    num == 1 ? "" : "s");
			return 1;
		}
	}
	return 0;
}

/*
 * An alert's name in the words from i: the name itself ("GPUOverheat"),
 * or, in a question about alerts, words that make it ("gpu overheat",
 * "disk will fill soon"). The number of words, the name in *name.
 */
static size_t
alert_words(const struct ask *a, char **w, size_t i, size_t n, int about_alerts, const char **name)
{
	char joined[128] = "";
	size_t k, j;
	json_t *v;

	for (k = i; k < n && k < i + 4 && w[k] != NULL; k++) {
		snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s", w[k]);
		if (k > i && !about_alerts)
			break;
		json_array_foreach(a->alertnames, j, v)
			if (strcasecmp(json_string_value(v), joined) == 0) {
				*name = json_string_value(v);
				return k - i + 1;
			}
	}
	return 0;
}

/* Fills m's slots from the words; marks the words they took with NULL. */
static void
slots(struct ask *a, char **w, size_t n, struct ask_slots *s, const char *quoted)
{
	size_t i, j, used;
	int gpu = 0, alerts = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(w[i], "gpu") == 0 || strcmp(w[i], "gpus") == 0 || strcmp(w[i], "nvidia") == 0)
			gpu = 1;
		if (strncmp(w[i], "alert", 5) == 0 || strncmp(w[i], "alarm", 5) == 0 ||
		    strncmp(w[i], "page", 4) == 0 || strcmp(w[i], "fired") == 0 ||
		    strcmp(w[i], "firing") == 0)
			alerts = 1;
	}
	for (i = 0; i < n; i++) {
		const char *v;

		if (w[i] == NULL)
			continue;
		if ((used = time_words(a, w, i, n, s)) > 0) {
			for (j = 0; j < used; j++)
				w[i + j] = NULL;
			i += used - 1;
			continue;
		}
		if (s->alertname == NULL && (used = alert_words(a, w, i, n, alerts, &v)) > 0) {
			s->alertname = xstrdup(v);
			for (j = 0; j < used; j++)
				w[i + j] = NULL;
			i += used - 1;
		} else if (s->host == NULL && (v = known_host(a, w[i])) != NULL) {
			s->host = xstrdup(v);
			w[i] = NULL;
		} else if (s->cluster == NULL && (v = known_in(a->clusters, w[i])) != NULL) {
			s->cluster = xstrdup(v);
			w[i] = NULL;
		} else if (s->rule == NULL && (v = known_in(a->rules, w[i])) != NULL) {
			s->rule = xstrdup(v);
			w[i] = NULL;
		} else if (s->service == NULL && (v = known_service(a, w[i])) != NULL) {
			s->service = xstrdup(v);
			w[i] = NULL;
		} else if (s->metric == NULL && strpbrk(w[i], "_:") != NULL &&
		    (v = known_in(a->metrics, w[i])) != NULL) {
			/* Only names no sentence uses: "up" is a metric, and a word. */
			s->metric = xstrdup(v);
			s->metric_word = xstrdup(v);
			w[i] = NULL;
		} else if (s->unknown_host == NULL && host_shaped(w[i])) {
			s->unknown_host = xstrdup(w[i]);
		} else if (s->severity == NULL && (strcmp(w[i], "critical") == 0 ||
		    strcmp(w[i], "warning") == 0 || strcmp(w[i], "crit") == 0)) {
			s->severity = xstrdup(w[i][4] == '\0' ? "critical" : w[i]);
		} else if (s->id == NULL && strlen(w[i]) == 16 &&
		    strspn(w[i], "0123456789abcdef") == 16) {
			s->id = xstrdup(w[i]);
			w[i] = NULL;
		}
	}
	/* Everyday metric words, once no exact name was given. */
	for (i = 0; i < n && s->metric == NULL; i++) {
		size_t k;

		if (w[i] == NULL)
			continue;
		for (k = 0; k < sizeof(metric_words) / sizeof(metric_words[0]); k++)
			if (strcmp(w[i], metric_words[k].word) == 0) {
				const char *list = metric_words[k].metrics;
				int free_ = i > 0 && w[i - 1] != NULL && (strcmp(w[i - 1], "free") == 0 ||
				    strcmp(w[i - 1], "available") == 0);

				if (free_ && strcmp(list, "mem_used_percent node_memory_MemAvailable_bytes") == 0)
					list = "mem_available_percent mem_available node_memory_MemAvailable_bytes";
				else if (free_ && strncmp(list, "disk_used_percent", 17) == 0)
					list = "disk_free node_filesystem_avail_bytes";

				if (gpu && strstr(list, "nvidia_smi_") != NULL)
					list = strstr(list, "nvidia_smi_");
				if (gpu && strcmp(w[i], "memory") == 0)
					list = "nvidia_smi_memory_used";
				s->metric = pick_metric(a, list);
				s->metric_word = xstrdup(w[i]);
				break;
			}
	}
	if (s->metric == NULL && gpu) {
		for (i = 0; i < n; i++)
			if (w[i] != NULL && (strncmp(w[i], "util", 4) == 0 || strcmp(w[i], "usage") == 0)) {
				s->metric = xstrdup("nvidia_smi_utilization_gpu");
				s->metric_word = xstrdup("gpu utilisation");
			}
	}
	if (quoted != NULL)
		s->query = xstrdup(quoted);
}

/* The words after "for", "mention(ing)", "containing", "with" as a search query. */
static void
search_words(char **w, size_t n, struct ask_slots *s)
{
	static const char *const stop[] = { "the", "a", "an", "logs", "log", "lines", "line",
	    "messages", "message", "on", "in", "from", "of", "that", "any", "all", NULL };
	struct aiops_buf b;
	size_t i, k;
	int on = 0;

	if (s->query != NULL)
		return;
	aiops_buf_init(&b);
	for (i = 0; i < n; i++) {
		if (w[i] == NULL)
			continue;
		if (strcmp(w[i], "for") == 0 || strncmp(w[i], "mention", 7) == 0 ||
		    strncmp(w[i], "contain", 7) == 0 || strcmp(w[i], "grep") == 0 ||
		    strcmp(w[i], "saying") == 0 || strcmp(w[i], "about") == 0 ||
		    strcmp(w[i], "with") == 0) {
			on = 1;
			continue;
		}
		if (!on || host_shaped(w[i]))
			continue;
		for (k = 0; stop[k] != NULL; k++)
			if (strcmp(w[i], stop[k]) == 0)
				break;
		if (stop[k] == NULL) {
			if (strcmp(w[i], "outofmemory") == 0)
				aiops_buf_addf(&b, "%sout of memory", b.len ? " " : "");
			else
				aiops_buf_addf(&b, "%s%s", b.len ? " " : "", w[i]);
		}
	}
	if (b.len > 0)
		s->query = xstrdup(aiops_buf_cstr(&b));
	aiops_buf_release(&b);
}

/* Words that say nothing of what to look for. */
int
ask_stop_word(const char *w)
{
	static const char *const stop[] = { "an", "as", "at", "be", "by", "do", "if", "in", "is",
	    "it", "me", "my", "no", "of", "on", "or", "so", "to", "us", "we", "about", "again",
	    "all", "and", "any", "anything",
	    "are", "been", "can", "could", "did", "does", "done", "ever", "from", "get", "give",
	    "got", "had", "has", "have", "how", "its", "just", "know", "let", "look", "many",
	    "much", "need", "not", "our", "over", "per", "please", "pls", "see", "should",
	    "show", "some", "something", "still", "tell", "than", "that", "the", "then", "there",
	    "these", "this", "those", "want", "was", "were", "what", "when", "where", "which",
	    "who", "why", "will", "with", "would", "you", "your", NULL };
	size_t i;

	for (i = 0; stop[i] != NULL; i++)
		if (strcmp(w, stop[i]) == 0)
			return 1;
	return 0;
}

/* Does a word of the question start with one of the stems? */
static int
has_word(char **w, size_t n, const char *const *stems)
{
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; w[i] != NULL && stems[k] != NULL; k++)
			if (strncmp(w[i], stems[k], strlen(stems[k])) == 0)
				return 1;
	return 0;
}

/* The words no slot, cue or stop list took: the things a question names
 * that only the logs may know ("stripe", "sdb", "ssh"). */
static void
content_terms(char **w, size_t n, struct ask_slots *s)
{
	static const char *const attack[] = { "brute", "forc", "attack", "intrus", "unauthori",
	    "hack", "breach", NULL };
	struct aiops_buf b;
	size_t i;

	/* "who was brute forcing ssh": lines that say something failed. */
	s->failure_words = has_word(w, n, attack);
	aiops_buf_init(&b);
	for (i = 0; i < n; i++)
		if (w[i] != NULL && strlen(w[i]) >= 3 && strspn(w[i], "0123456789") < strlen(w[i]) &&
		    !has_word(&w[i], 1, attack) &&
		    !is_known(w[i]) && !ask_stop_word(w[i]) && !host_shaped(w[i]) &&
		    strpbrk(w[i], "%/:") == NULL)
			aiops_buf_addf(&b, "%s%s", b.len ? " " : "", w[i]);
	if (b.len > 0)
		s->terms = xstrdup(aiops_buf_cstr(&b));
	aiops_buf_release(&b);
}

static const struct ask_intent *
intent_named(const char *name)
{
	size_t k;

	for (k = 0; k < NINTENTS; k++)
		if (strcmp(intents[k].name, name) == 0)
			return &intents[k];
	return NULL;
}

/*
 * Errors ranked ("most common errors on web-2") are the top templates of
 * the error lines; errors never seen before, the new templates.
 */
static void
errors_how(char **w, size_t n, struct ask_match *m)
{
	static const char *const rank[] = { "common", "frequent", "top", "most", "noisiest",
	    "usual", NULL };
	static const char *const novel[] = { "new", "never", "unseen", "novel", "first", NULL };
	static const char *const error[] = { "err", "fail", "exception", "fatal", NULL };

	if (strcmp(ask_intent_name(m->intent), "logs.top") == 0 && has_word(w, n, error))
		m->slots.errors_only = 1;
	if (strcmp(ask_intent_name(m->intent), "logs.errors") != 0)
		return;
	if (has_word(w, n, novel)) {
		m->intent = intent_named("logs.new");
	} else if (has_word(w, n, rank)) {
		m->intent = intent_named("logs.top");
		m->slots.errors_only = 1;
	}
}

/*
 * A question about logs, or about something failing, that names a thing
 * no slot knows is a search of the logs for it: "stripe errors last
 * week", "failed ssh logins on web-1". Not when it says it is about
 * automation ("failed tasks").
 */
static void
search_for_terms(char **w, size_t n, struct ask_match *m)
{
	static const char *const automation[] = { "task", "automat", "playbook", "ansible",
	    "remediat", "rule", "runbook", NULL };
	const char *name = ask_intent_name(m->intent);
	int terms = m->slots.terms != NULL || m->slots.failure_words;

	if (m->slots.query != NULL)
		return;
	if (strcmp(name, "automation.failed") == 0) {
		/* "failed ssh logins": what failed, of a service or named */
		if (has_word(w, n, automation) || (!terms && m->slots.service == NULL))
			return;
	} else if (strcmp(name, "automation.actions") == 0) {
		/* "when did pg_backup last run"; "what did cron run" is cron's logs */
		if (has_word(w, n, automation) || m->slots.terms == NULL)
			return;
	} else if (strcmp(name, "logs.errors") != 0 && strcmp(name, "logs.top") != 0 &&
	    strcmp(name, "logs.volume") != 0) {
		return;
	} else if (!terms) {
		return;	/* "postgres errors": the error lines of a service, as asked */
	}
	m->slots.errors_only = strcmp(name, "logs.errors") == 0;
	m->slots.failures_only = strcmp(name, "automation.failed") == 0 || m->slots.failure_words;
	m->slots.query = xstrdup(m->slots.terms != NULL ? m->slots.terms : "");
	m->slots.query_any = 1;
	m->intent = intent_named("logs.search");
}

static int
score(const struct ask_intent *in, char **w, size_t n, const struct ask_slots *s)
{
	const char *c = in->cues;
	int total = 0;
	size_t i;

	while (*c != '\0') {
		size_t len = strcspn(c, "=");
		int weight = atoi(c + len + 1);

		for (i = 0; i < n; i++)
			if (w[i] != NULL && has_stem(w[i], c, len)) {
				total += weight;
				break;
			}
		c += len;
		c += strcspn(c, " ");
		c += strspn(c, " ");
	}
	if (total <= 0)
		return total;
	if ((in->slots & S_HOST) && s->host != NULL)
		total += 1;
	if ((in->slots & (S_METRIC | S_METRIC_NEEDED)) && s->metric != NULL)
		total += (in->slots & S_METRIC_NEEDED) ? 3 : 1;
	if ((in->slots & S_TIME) && s->since >= 0)
		total += 1;
	if ((in->slots & S_QUERY_NEEDED) && s->query != NULL)
		total += 3;
	if ((in->slots & S_CLUSTER) && s->cluster != NULL)
		total += 2;
	return total;
}

int
ask_understand(struct ask *a, const char *question, struct ask_match *m)
{
	char *w[MAX_WORDS], *words, *quoted = NULL, *all[MAX_WORDS];
	size_t n, i, k;
	int best = 0, second = 0;
	struct aiops_buf norm;

	memset(m, 0, sizeof(*m));
	m->slots.since = m->slots.until = -1;
	words = normalize(question, &quoted);
	n = split(words, w, MAX_WORDS);
	for (i = 0; i < n; i++) {
		char fixed[64];

		snprintf(fixed, sizeof(fixed), "%s", w[i]);
		if (known_host(a, w[i]) == NULL)
			correct(fixed, sizeof(fixed));
		if (strcmp(fixed, w[i]) != 0 && strlen(fixed) <= strlen(w[i]) + 4)
			w[i] = strcpy(xmalloc(strlen(fixed) + 1), fixed);
		else
			w[i] = xstrdup(w[i]);
		all[i] = w[i];
	}
	aiops_buf_init(&norm);
	for (i = 0; i < n; i++)
		aiops_buf_addf(&norm, "%s%s", i ? " " : "", w[i]);
	m->normalized = xstrdup(aiops_buf_cstr(&norm));
	aiops_buf_release(&norm);
	slots(a, w, n, &m->slots, quoted);
	/* SQL typed as a question runs as it is. */
	if (n > 1 && (strcmp(all[0], "select") == 0 || (strcmp(all[0], "with") == 0 &&
	    strstr(m->normalized, "select") != NULL))) {
		m->intent = &intents[NINTENTS - 1];
		m->confidence = 1;
		free(m->slots.query);
		m->slots.query = xstrdup(question + strspn(question, " \t"));
		goto out;
	}
	/* An order ("clean up the disk on db-1"): a playbook to propose. */
	if (n > 1 && ask_propose_verb(m->normalized) != NULL) {
		m->intent = &intents[NINTENTS - 2];
		m->confidence = m->slots.host != NULL ? 0.9 : 0.6;
		goto out;
	}
	search_words(w, n, &m->slots);
	content_terms(w, n, &m->slots);
	for (k = 0; k < NINTENTS - 1; k++) {
		int sc = score(&intents[k], w, n, &m->slots);

		/* A host named, nothing else asked: how is it. */
		if (strcmp(intents[k].name, "host.status") == 0 &&
		    (m->slots.host != NULL || m->slots.unknown_host != NULL))
			sc += 2;
		if (sc > best) {
			second = best;
			best = sc;
			m->intent = &intents[k];
		} else if (sc > second) {
			second = sc;
		}
	}
	/* A thing only the logs may name ("stripe 502s", "brute forcing ssh"),
	 * a search for it; a host, a cluster or a metric alone is a question
	 * about it. */
	if (best < MIN_SCORE && m->slots.query == NULL && (m->slots.terms != NULL ||
	    (m->slots.failure_words && (m->slots.service != NULL || m->slots.host != NULL)))) {
		m->intent = intent_named("logs.search");
		m->slots.query = xstrdup(m->slots.terms != NULL ? m->slots.terms : "");
		m->slots.query_any = 1;
		m->slots.failures_only = m->slots.failure_words;
		m->slots.guess = 1;
		best = MIN_SCORE;
	} else if (best < MIN_SCORE && m->slots.host != NULL && m->slots.metric == NULL) {
		m->intent = intent_named("host.status");
		best = MIN_SCORE;
	} else if (best < MIN_SCORE && m->slots.metric != NULL) {
		m->intent = intent_named("metric.current");
		best = MIN_SCORE;
	} else if (best < MIN_SCORE && m->slots.cluster != NULL) {
		m->intent = intent_named("clusters.health");
		best = MIN_SCORE;
	}
	if (best < MIN_SCORE) {
		m->intent = NULL;
		m->confidence = best <= 0 ? 0 : (double)best / 10;
	} else {
		double c = 0.5 + 0.5 * (double)(best - second) / (double)best;

		m->confidence = c > 1 ? 1 : c;
		errors_how(w, n, m);
		search_for_terms(w, n, m);
	}
out:
	for (i = 0; i < n; i++)
		free(all[i]);
	free(words);
	free(quoted);
	return 0;
}

void
ask_match_release(struct ask_match *m)
{
	struct ask_slots *s = &m->slots;

	free(s->host);
	free(s->unknown_host);
	free(s->cluster);
	free(s->metric);
	free(s->metric_word);
	free(s->severity);
	free(s->status);
	free(s->query);
	free(s->terms);
	free(s->rule);
	free(s->service);
	free(s->alertname);
	free(s->id);
	free(s->period);
	free(m->normalized);
	memset(m, 0, sizeof(*m));
}

const char *
ask_intent_name(const struct ask_intent *in)
{
	return in != NULL ? in->name : "unknown";
}

ask_answer_fn *
ask_intent_answer(const struct ask_intent *in)
{
	return in != NULL ? in->answer : NULL;
}

/*
 * The playbook an order at the start of a question asks for, or NULL:
 * "clean up ...", "free space ...", "rotate the logs ...", "restart
 * nginx ...", "update packages ...", after a "please" or "can you".
 */
const char *
ask_propose_verb(const char *q)
{
	static const char *const lead[] = { "please ", "can you ", "could you ", "pls ", NULL };
	static const char *const orders[][2] = {
		{ "clean", "disk-cleanup" }, { "cleanup", "disk-cleanup" },
		{ "free up", "disk-cleanup" }, { "free space", "disk-cleanup" },
		{ "free disk", "disk-cleanup" }, { "make space", "disk-cleanup" },
		{ "rotate", "log-rotate" }, { "restart", "restart-service" },
		{ "update", "package-update" }, { "upgrade", "package-update" },
		{ "patch", "package-update" },
	};
	size_t i;

	for (i = 0; lead[i] != NULL; i++)
		if (strncmp(q, lead[i], strlen(lead[i])) == 0)
			q += strlen(lead[i]);
	for (i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		size_t n = strlen(orders[i][0]);

		if (strncmp(q, orders[i][0], n) == 0 && (q[n] == ' ' || q[n] == '\0' ||
		    (strcmp(orders[i][0], "clean") == 0 && strncmp(q + n, "up", 2) == 0)))
			return orders[i][1];
	}
	return NULL;
}

size_t
ask_intent_count(void)
{
	return NINTENTS;
}
