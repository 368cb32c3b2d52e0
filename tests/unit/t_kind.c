/*
 * Metric kinds and materiality (lib/detect/kind.c): the names Prometheus,
 * OpenMetrics, Telegraf and nvidia-smi give, each to its kind and scale;
 * the rule at and around each default; and the configuration's list of
 * kinds, which must be the library's.
 */
#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/conf.h"
#include "config/schema.h"
#include "detect/kind.h"
#include "tap.h"

struct named {
	const char	*name;
	const char	*unit;
	const char	*type;
	int		 counter;
	const char	*kind;
	double		 scale;
};

static const struct named table[] = {
	/* Telegraf */
	{ "cpu_usage_user", NULL, NULL, 0, "percent", 1 },
	{ "mem_used_percent", NULL, NULL, 0, "percent", 1 },
	{ "mem_used", NULL, NULL, 0, "bytes", 1 },
	{ "mem_total", NULL, NULL, 0, "bytes", 1 },
	{ "disk_free", NULL, NULL, 0, "bytes", 1 },
	{ "disk_inodes_free", NULL, NULL, 0, "count", 1 },
	{ "net_bytes_recv", NULL, NULL, 1, "bytes", 1 },
	{ "net_packets_sent", NULL, NULL, 1, "count", 1 },
	{ "diskio_io_time", NULL, NULL, 1, "generic", 1 },
	{ "system_load15", NULL, NULL, 0, "generic", 1 },
	{ "system_n_users", NULL, NULL, 0, "count", 1 },
	{ "system_uptime", NULL, NULL, 0, "uptime", 1 },
	{ "temp_temp", NULL, NULL, 0, "temperature", 1 },
	/* Prometheus and OpenMetrics */
	{ "node_boot_time_seconds", NULL, "gauge", 0, "start_time", 1 },
	{ "process_start_time_seconds", NULL, "gauge", 0, "start_time", 1 },
	{ "node_cpu_seconds_total", NULL, "counter", 1, "generic", 1 },
	{ "node_network_receive_bytes_total", NULL, "counter", 1, "bytes", 1 },
	{ "http_requests_total", NULL, "counter", 1, "count", 1 },
	{ "http_request_duration_seconds_bucket", NULL, "histogram", 1, "count", 1 },
	{ "http_request_duration_seconds_count", NULL, "histogram", 1, "count", 1 },
	{ "http_request_duration_seconds_sum", NULL, "histogram", 1, "generic", 1 },
	{ "go_gc_duration_seconds", NULL, "summary", 0, "latency", 1 },
	{ "node_memory_MemAvailable_bytes", NULL, "gauge", 0, "bytes", 1 },
	{ "cache_hit_ratio", NULL, NULL, 0, "ratio", 1 },
	{ "cache_hit_ratio_percent", NULL, NULL, 0, "percent", 1 },
	{ "redfish_temperature_celsius", "celsius", NULL, 0, "temperature", 1 },
	{ "room_temp", "fahrenheit", NULL, 0, "temperature", 5.0 / 9.0 },
	{ "rpc_p99", "seconds", "gauge", 0, "latency", 1 },
	{ "api_latency_ms", NULL, NULL, 0, "latency", 1e-3 },
	{ "query_duration_us", NULL, NULL, 0, "latency", 1e-6 },
	{ "process_uptime_ms", NULL, NULL, 0, "uptime", 1e-3 },
	{ "http_5xx_per_min", NULL, NULL, 0, "count", 1 },
	{ "queue_depth", NULL, NULL, 0, "generic", 1 },
	{ "backup_last_status", NULL, "gauge", 0, "generic", 1 },
	{ "some_events", NULL, "counter", 1, "count", 1 },
	{ "mystery_total", NULL, NULL, 1, "count", 1 },
	/* nvidia-smi through aiops-ingest, with its units */
	{ "nvidia_smi_utilization_gpu", "%", NULL, 0, "percent", 1 },
	{ "nvidia_smi_memory_used", "MiB", NULL, 0, "bytes", 1048576 },
	{ "nvidia_smi_temperature_gpu", NULL, NULL, 0, "temperature", 1 },
	{ "nvidia_smi_power_draw", "W", NULL, 0, "generic", 1 },
};

static void
classify(void)
{
	struct aiops_kind_class c;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct named *t = &table[i];

		aiops_kind_classify(t->name, strlen(t->name), t->unit, t->type, t->counter, &c);
		is_str(aiops_kind_name(c.kind), t->kind, "%s (%s) is %s", t->name,
		    t->unit ? t->unit : "no unit", t->kind);
		ok(fabs(c.scale - t->scale) < 1e-12 * t->scale, "%s: scale %g", t->name, t->scale);
	}
}

/* material(kind, scale, value, baseline, per) with the kind's default rule */
static int
material(enum aiops_kind k, double scale, double v, double b, double per)
{
	struct aiops_kind_class c = { k, scale };
	struct aiops_kind_rule r;

	aiops_kind_default_rule(k, &r);
	return aiops_kind_material(&c, &r, v, b, per);
}

static void
rule(void)
{
	ok(!material(AIOPS_KIND_PERCENT, 1, 50.01, 50, 1), "percent: 50 to 50.01 is not material");
	ok(!material(AIOPS_KIND_PERCENT, 1, 50.000001, 50, 1), "percent: float jitter is not");
	ok(!material(AIOPS_KIND_PERCENT, 1, 99.9, 100, 1), "percent: 100 to 99.9 is not");
	ok(!material(AIOPS_KIND_PERCENT, 1, 54.99, 50, 1), "percent: 4.99 points is not");
	ok(material(AIOPS_KIND_PERCENT, 1, 55, 50, 1), "percent: 5 points is");
	ok(material(AIOPS_KIND_PERCENT, 1, 60, 50, 1), "percent: 50 to 60 is");
	ok(material(AIOPS_KIND_PERCENT, 1, 40, 50, 1), "percent: down as up");
	ok(!material(AIOPS_KIND_RATIO, 1, 0.97, 0.98, 1), "ratio: 0.01 is not");
	ok(material(AIOPS_KIND_RATIO, 1, 0.93, 0.98, 1), "ratio: 0.05 is");
	ok(!material(AIOPS_KIND_BYTES, 1, 4.0e9 + 3e8, 4.0e9, 1), "bytes: 7.5%% of 4 GB is not");
	ok(material(AIOPS_KIND_BYTES, 1, 4.0e9 + 4e8, 4.0e9, 1), "bytes: 10%% of 4 GB is");
	ok(!material(AIOPS_KIND_BYTES, 1, 900000, 1, 1), "bytes: under 1 MiB is not, whatever the ratio");
	ok(material(AIOPS_KIND_BYTES, 1048576, 1.1, 0, 1), "bytes: a MiB unit scales to bytes");
	ok(!material(AIOPS_KIND_COUNT, 1, 2, 0, 1), "count: 2 events over 0 is not");
	ok(material(AIOPS_KIND_COUNT, 1, 5, 0, 1), "count: 5 events over 0 is");
	ok(!material(AIOPS_KIND_COUNT, 1, 10.05, 10, 60), "count: a rate 0.05/s up over 60 s is 3 events: not");
	ok(material(AIOPS_KIND_COUNT, 1, 110, 10, 60), "count: 100/s more over 60 s is");
	ok(!material(AIOPS_KIND_COUNT, 1, 1100, 1000, 1), "count: 10%% of 1000 is not");
	ok(!material(AIOPS_KIND_LATENCY, 1e-3, 121.5, 120, 1), "latency: 1.25%% is not");
	ok(!material(AIOPS_KIND_LATENCY, 1e-3, 0.9, 0.1, 1), "latency: 0.8 ms is not, under the floor");
	ok(material(AIOPS_KIND_LATENCY, 1e-3, 20, 10, 1), "latency: 10 to 20 ms is");
	ok(material(AIOPS_KIND_LATENCY, 1, 0.4, 0.12, 1), "latency: 0.12 to 0.4 s is");
	ok(!material(AIOPS_KIND_TEMPERATURE, 1, 46.5, 45, 1), "temperature: 1.5 degrees is not");
	ok(material(AIOPS_KIND_TEMPERATURE, 1, 48, 45, 1), "temperature: 3 degrees is");
	ok(!material(AIOPS_KIND_TEMPERATURE, 5.0 / 9.0, 118, 113, 1), "temperature: 5 F is not 3 C");
	ok(!material(AIOPS_KIND_GENERIC, 1, 1000.5, 1000, 1), "generic: 0.05%% is not");
	ok(material(AIOPS_KIND_GENERIC, 1, 1100, 1000, 1), "generic: 10%% is");
	ok(material(AIOPS_KIND_GENERIC, 1, 0.001, 0, 1), "generic: any change of 0 is");
	ok(!material(AIOPS_KIND_GENERIC, 1, 7, 7, 1), "generic: no change is not");
	ok(!material(AIOPS_KIND_UPTIME, 1, 60, 2e6, 1), "uptime: never");
	ok(!material(AIOPS_KIND_START_TIME, 1, 2e9, 1e9, 1), "start_time: never");
	ok(!material(AIOPS_KIND_GENERIC, 1, NAN, 1, 1), "a NaN is not");
}

static void
names(void)
{
	const struct aiops_conf_key *k = aiops_conf_key_find("detect.metrics.x.kind");
	enum aiops_kind kind;
	int i;

	ok(k != NULL && k->values != NULL && strcmp(k->values, aiops_kind_names()) == 0,
	    "detect.metrics.*.kind takes the library's kinds");
	for (i = 0; i < AIOPS_KIND_N; i++) {
		const char *n = aiops_kind_name((enum aiops_kind)i);
		char key[96];

		ok(aiops_kind_parse(n, strlen(n), &kind) == 0 && kind == (enum aiops_kind)i,
		    "%s parses back", n);
		snprintf(key, sizeof(key), "detect.materiality.%s.min_change", n);
		ok((aiops_conf_key_find(key) != NULL) == aiops_kind_has_rule((enum aiops_kind)i),
		    "%s: a materiality key exactly when it has a rule", n);
	}
	ok(aiops_kind_parse("percentage", 10, &kind) == -1, "no kind percentage");
}

int
main(void)
{
	classify();
	rule();
	names();
	return tap_done();
}
