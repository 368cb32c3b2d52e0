#!/usr/bin/env bats
# aiops-ingest on values and names (issue 8, items 3, 4 and 9): NaN and
# infinite samples counted and shown, metric and label names made valid
# Prometheus names as Telegraf's Prometheus output makes them (and schema
# step 5 renaming what an older state holds), the Prometheus # TYPE
# carried as metric_type, and events already in our format checked.
setup() {
	load test_helper
}

# ------------------------------------------------------ NaN and infinities

@test "prometheus: NaN, +Inf and -Inf samples are counted, shown at -v, the finite kept" {
	printf '# TYPE g gauge\ng{k="nan"} NaN\ng{k="pinf"} +Inf\ng{k="ninf"} -Inf\ng{k="ok"} 1.5\n' \
	    > "$BATS_TEST_TMPDIR/pr02.prom"
	run -0 --separate-stderr aiops-ingest -v -f prometheus "$BATS_TEST_TMPDIR/pr02.prom"
	[ "$output" = '{"type":"metric","ts":"2026-11-22T12:00:00.000Z","id":"1421aceead9815e9","source":"prometheus","labels":{"k":"ok"},"name":"g","value":1.5,"metric_type":"gauge"}' ]
	f="$BATS_TEST_TMPDIR/pr02.prom"
	[ "$stderr" = "aiops-ingest: $f:2: NaN sample of g{k=\"nan\"} not written: JSON has no number for it
aiops-ingest: $f:3: +Inf sample of g{k=\"pinf\"} not written: JSON has no number for it
aiops-ingest: $f:4: -Inf sample of g{k=\"ninf\"} not written: JSON has no number for it
aiops-ingest: 3 samples not written: the value is NaN or infinite (-v shows them)" ]
	# Without -v, the count alone.
	run -0 --separate-stderr aiops-ingest "$f"
	[ "$stderr" = "aiops-ingest: 3 samples not written: the value is NaN or infinite (-v shows them)" ]
}

@test "prometheus: a summary with NaN quantiles keeps its _sum and _count" {
	printf '# TYPE rpc_seconds summary\nrpc_seconds{quantile="0.5"} NaN\nrpc_seconds{quantile="0.99"} NaN\nrpc_seconds_sum 0\nrpc_seconds_count 0\n' |
	    { run -0 --separate-stderr aiops-ingest -v -f prometheus; 
	      [ "$(jq -c '[.name, .value, .metric_type]' <<<"$output")" = '["rpc_seconds_sum",0,"summary"]
["rpc_seconds_count",0,"summary"]' ]
	      [ "$stderr" = 'aiops-ingest: (stdin):2: NaN sample of rpc_seconds{quantile="0.5"} not written: JSON has no number for it
aiops-ingest: (stdin):3: NaN sample of rpc_seconds{quantile="0.99"} not written: JSON has no number for it
aiops-ingest: 2 samples not written: the value is NaN or infinite (-v shows them)' ]; }
}

@test "prometheus: nan, Inf, +inf, -Infinity and a value beyond a double are all counted" {
	run -0 --separate-stderr aiops-ingest -f prometheus <<<'a nan
b Inf
c +inf
d -Infinity
e 1e999
f 2'
	[ "$(jq -c '[.name, .value]' <<<"$output")" = '["f",2]' ]
	[ "$stderr" = "aiops-ingest: 5 samples not written: the value is NaN or infinite (-v shows them)" ]
}

@test "influx: line protocol has no NaN or infinity: such a field makes the line bad" {
	run -65 --separate-stderr aiops-ingest -f influx <<<'m a=NaN 1
m b=-Inf 1
m c=1e999 1
m d=1 1'
	[ "$(jq -c '[.name, .value]' <<<"$output")" = '["m_d",1]' ]
	[ "$stderr" = "aiops-ingest: (stdin):1: skipped: bad field value at column 5
aiops-ingest: (stdin):2: skipped: bad number at column 5
aiops-ingest: (stdin):3: skipped: float out of range at column 5
aiops-ingest: 3 lines skipped" ]
}

# ------------------------------------------------------------ metric names

@test "influx: the measurement prometheus is left out, as Telegraf's Prometheus output does" {
	run -0 --separate-stderr aiops-ingest -f influx <<<'prometheus,host=web-1,url=http://web-1:9100/metrics http_requests_total=5,process_cpu_seconds_total=1.5 1795348800000000000'
	[ "$(jq -c '[.name, .host, .labels, .value]' <<<"$output")" = '["http_requests_total","web-1",{"url":"http://web-1:9100/metrics"},5]
["process_cpu_seconds_total","web-1",{"url":"http://web-1:9100/metrics"},1.5]' ]
	[ -z "$stderr" ]
}

@test "influx: names are made valid: escapes, spaces, booleans as 1 and 0" {
	run -0 --separate-stderr aiops-ingest -f influx <<<'cpu\,x,host=h1 field\ key=1,b1=t,b2=TRUE,b3=False,b4=f 1795348800000000000'
	[ "$(jq -c '[.name, .value]' <<<"$output")" = '["cpu_x_field_key",1]
["cpu_x_b1",1]
["cpu_x_b2",1]
["cpu_x_b3",0]
["cpu_x_b4",0]' ]
}

@test "influx: a leading digit gets a _, UTF-8 is one _, label names too, ':' only in metric names" {
	run -0 --separate-stderr aiops-ingest -f influx <<<'9p,app.kubernetes.io/name=web,k:1=a,é=b,ok_1=c disk.io:rate=1,µs=2 1795348800000000000'
	[ "$(jq -c '[.name, .labels]' <<<"$output")" = '["_9p_disk_io:rate",{"_":"b","app_kubernetes_io_name":"web","k_1":"a","ok_1":"c"}]
["_9p__s",{"_":"b","app_kubernetes_io_name":"web","k_1":"a","ok_1":"c"}]' ]
	run -0 --separate-stderr aiops-ingest -f influx <<<'prometheus 2xx=1 1'
	[ "$(jq -r .name <<<"$output")" = "_2xx" ]
}

@test "influx: two tag keys that make one label name make the line bad" {
	run -65 --separate-stderr aiops-ingest -f influx <<<'m,a-b=1,a.b=2 f=1 1
m,a-b=1 f=2 1'
	[ "$(jq -c '[.name, .labels, .value]' <<<"$output")" = '["m_f",{"a_b":"1"},2]' ]
	[ "$stderr" = 'aiops-ingest: (stdin):1: skipped: two tag keys make the label name "a_b"
aiops-ingest: 1 line skipped' ]
}

@test "csv: every format's metric names are made valid; a label given twice so is noted" {
	printf 'time,host,cpu usage %%,a b,a-b\n2026-11-22T12:00:00Z,h1,5,x,y\n' > "$BATS_TEST_TMPDIR/w.csv"
	run -0 --separate-stderr aiops-ingest -v -f csv "$BATS_TEST_TMPDIR/w.csv"
	[ "$(jq -c '[.name, .labels, .value]' <<<"$output")" = '["cpu_usage__",{"a_b":"x"},5]' ]
	[ "$stderr" = "aiops-ingest: $BATS_TEST_TMPDIR/w.csv:2: label \"a_b\" given twice once made valid: the value \"y\" left out" ]
}

# ------------------------------------------------------------- metric_type

@test "prometheus: # TYPE goes on every sample of the family, children of histograms included" {
	run -0 --separate-stderr aiops-ingest -f prometheus <<<'# TYPE h histogram
# UNIT h seconds
h_bucket{le="0.5"} 1
h_bucket{le="+Inf"} 2
h_sum 0.7
h_count 2
# TYPE s summary
s{quantile="0.5"} 3
s_sum 4
s_count 5
# TYPE c counter
c_total 6
c_created 1795348800
# TYPE g gauge
g 7
# TYPE u untyped
u 8
# TYPE o unknown
o 9
plain 10'
	[ "$(jq -c '[.name, .metric_type, .unit]' <<<"$output")" = '["h_bucket","histogram","seconds"]
["h_bucket","histogram","seconds"]
["h_sum","histogram","seconds"]
["h_count","histogram","seconds"]
["s","summary",null]
["s_sum","summary",null]
["s_count","summary",null]
["c_total","counter",null]
["c_created","counter",null]
["g","gauge",null]
["u","untyped",null]
["o","untyped",null]
["plain",null,null]' ]
}

@test "prometheus: 0.0.4 names the counter with its _total, and the type still applies" {
	run -0 aiops-ingest -f prometheus <<<'# TYPE http_requests_total counter
http_requests_total{code="200"} 5'
	[ "$(jq -r .metric_type <<<"$output")" = counter ]
}

@test "prometheus: Prometheus 3 quoted names and {__name__=...}; names made valid, TYPE applies" {
	run -65 --separate-stderr aiops-ingest -f prometheus <<<'# HELP "http.requests" Requests.
# TYPE "http.requests" counter
{"http.requests", "http.status"="200"} 9
{"http.requests",code="500",} 1
{__name__="dunder",job="a"} 8
up{"k.8s"="x"} 1
{"a\"b"} 2
{} 3
x{__name__="y"} 4'
	[ "$(jq -c '[.name, .labels, .value, .metric_type]' <<<"$output")" = '["http_requests",{"http_status":"200"},9,"counter"]
["http_requests",{"code":"500"},1,"counter"]
["dunder",{"job":"a"},8,null]
["up",{"k_8s":"x"},1,null]
["a_b",{},2,null]' ]
	[ "$stderr" = "$(printf '%s\n' '(stdin):8: skipped: no metric name at column 1' \
	    '(stdin):9: skipped: metric name given twice at column 3' 'aiops-ingest: 2 lines skipped' | sed '1,2s/^/aiops-ingest: /')" ]
	# Detected as Prometheus, not as JSON, though every sample starts with '{'.
	printf '%s\n' '{"node.load1",instance="a"} 0.5' '{"node.load5",instance="a"} 0.25' > "$BATS_TEST_TMPDIR/q.prom"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/q.prom"
	[ "$(jq -r '[.source, .name, .value] | join(" ")' <<<"$output")" = "$(printf '%s\n' \
	    'prometheus node_load1 0.5' 'prometheus node_load5 0.25')" ]
}

@test "prometheus: TYPE after HELP, TYPE without samples, samples before their TYPE, le=\"+Inf\" kept" {
	run -0 --separate-stderr aiops-ingest -f prometheus <<<'early 1
# HELP early An early sample.
# TYPE early gauge
early 2
# TYPE no_samples counter
# HELP h Latency.
# TYPE h histogram
h_bucket{le="0.1"} 1
h_bucket{le="+Inf"} 3
h_count 3
# TYPE process_cpu_seconds counter
# UNIT process_cpu_seconds seconds
process_cpu_seconds_total 4.5
process_cpu_seconds_created 1.7e9
# EOF'
	[ "$(jq -c '[.name, .labels, .value, .metric_type, .unit]' <<<"$output")" = '["early",{},1,null,null]
["early",{},2,"gauge",null]
["h_bucket",{"le":"0.1"},1,"histogram",null]
["h_bucket",{"le":"+Inf"},3,"histogram",null]
["h_count",{},3,"histogram",null]
["process_cpu_seconds_total",{},4.5,"counter","seconds"]
["process_cpu_seconds_created",{},1700000000,"counter","seconds"]' ]
	[ -z "$stderr" ]
}

@test "store: a series keeps the first metric_type it is given; line protocol gives none" {
	printf 'x 1 1795348800000\n' | aiops-ingest --store-only -f prometheus
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT coalesce(metric_type, 'NULL') FROM series")" = NULL ]
	printf '# TYPE x gauge\nx 2 1795348860000\n' | aiops-ingest --store-only -f prometheus
	printf '# TYPE x counter\nx 3 1795348920000\n# TYPE y summary\ny_sum 1 1795348800000\n' |
	    aiops-ingest --store-only -f prometheus
	printf 'm f=1 1795348800000000000\n' | aiops-ingest --store-only -f influx
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT name || ' ' || coalesce(metric_type, 'NULL') FROM series ORDER BY name")" = "m_f NULL
x gauge
y_sum summary" ]
}

@test "detect: metric history read from the state carries the series' metric_type" {
	printf '# TYPE x counter\nx_total 1 1795348800000\nx_total 2 1795348860000\nplain 3 1795348860000\n' |
	    aiops-ingest --store-only -f prometheus
	run -0 --separate-stderr aiops-detect --from-state --since 1d --all
	[ "$(jq -c '[.name, .metric_type]' <<<"$output")" = '["x_total","counter"]
["x_total","counter"]
["plain",null]' ]
}

# ------------------------------------------------------ schema step 5

@test "state: step 5 renames series stored under the old names, history and models follow" {
	sqlite3 "$AIOPS_STATE" < "$FIXTURES/ingest/state-v4.sql"
	chmod 600 "$AIOPS_STATE"
	[ "$(sqlite3 "$AIOPS_STATE" 'PRAGMA user_version')" = 4 ]
	# The new binary migrates and then stores the same kind of line again.
	run -0 --separate-stderr aiops-ingest --store-only -f influx <<<'prometheus,host=web-1,url=http://web-1:9100/metrics http_requests_total=9 1795348920000000000'
	[ "$(sqlite3 "$AIOPS_STATE" 'PRAGMA user_version')" -ge 5 ]
	# The point stored under prometheus_http_requests_total is found under
	# http_requests_total, merged with the one already stored there.
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT p.ts || ' ' || p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.name = 'http_requests_total' ORDER BY p.ts")" = "1795348800000 5.0
1795348860000 7.0
1795348920000 9.0" ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM series WHERE name LIKE 'prometheus_http%'")" = 0 ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count || ' ' || sum || ' ' || min || ' ' || max FROM rollup_5m r JOIN series s ON s.id = r.series_id WHERE s.name = 'http_requests_total' ORDER BY bucket")" = "3 21.0 5.0 9.0" ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT first_ts || ' ' || last_ts FROM series WHERE name = 'http_requests_total'")" = "1795348800000 1795348920000" ]
	# Names and label names made valid; a Prometheus server's own metric
	# (no url label: not from Telegraf) keeps its name.
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT key || ' ' || labels FROM series ORDER BY key")" = 'cpu_x_b1{host="h1",a_b="q"} {"a_b":"q"}
cpu_x_field_key{host="h1",a_b="q"} {"a_b":"q"}
http_requests_total{host="web-1",url="http://web-1:9100/metrics"} {"url":"http://web-1:9100/metrics"}
process_cpu_seconds_total{host="web-1",url="http://web-1:9100/metrics"} {"url":"http://web-1:9100/metrics"}
prometheus_tsdb_head_series{} {}' ]
	# (step 8 dropped the model's name: its key holds it)
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT series_key FROM detector_models")" = 'http_requests_total{host="web-1",url="http://web-1:9100/metrics"}' ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT series_key || ' ' || name FROM anomalies")" = 'cpu_x_field_key{host="h1",a_b="q"} cpu_x_field_key' ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM points")" = 7 ]
}

# --------------------------------------------------- events in our format

@test "aiops events: checked; bad ones reported with file and line, the good stored" {
	cat > "$BATS_TEST_TMPDIR/ev.ndjson" <<'EOF2'
{"type":"metric","ts":"2026-11-22T12:00:00.000Z","id":"fadd6769b33de81c","host":"h1","source":"influx","labels":{},"name":"cpu_x_field_key","value":1}
{"type":"metric","ts":"2026-02-30T00:00:00Z","name":"x","value":1}
{"type":"metric","ts":1e300,"name":"x","value":1}
{"type":"metric","ts":"2026-11-22T12:00:00Z","name":"x","value":"1.5"}
{"type":"metric","ts":"2026-11-22T12:00:00Z","name":"x","value":1,"labels":{"a":{"b":"c"}}}
{"type":"metric","ts":"2026-11-22T12:00:00Z","value":1}
{"type":"metric","ts":"2026-11-22T12:00:00Z","id":"XYZ","name":"x","value":1}
{"type":"metric","name":"x","value":1}
{"type":"metric","ts":"2026-11-22T12:00:00Z","name":"x","value":true}
{"type":"metric","ts":"2026-11-22T12:00:00Z","name":"x","value":1,"metric_type":"meter"}
{"type":"metric","ts":"2026-11-22T12:00:00Z","name":"x","value":1,"labels":["a"]}
{"type":"anomaly","ts":"2026-11-22T12:00:00Z","labels":{}}
{"type":"metric","ts":1795348860,"host":"h1","labels":{"z":"1","a":"2"},"name":"cpu_x_field_key","value":2,"metric_type":"gauge","extra":{"k":[1]}}
EOF2
	f="$BATS_TEST_TMPDIR/ev.ndjson"
	run -65 --separate-stderr aiops-ingest -v -f json --store "$f"
	[ "$stderr" = "aiops-ingest: $f:2: skipped: bad \"ts\" \"2026-02-30T00:00:00Z\": not a real RFC 3339 time or epoch number
aiops-ingest: $f:3: skipped: \"ts\" 1e+300 is out of range
aiops-ingest: $f:4: skipped: \"value\" is a string, not a number
aiops-ingest: $f:5: skipped: label \"a\" is an object, not a string
aiops-ingest: $f:6: skipped: a metric without a \"name\"
aiops-ingest: $f:7: skipped: bad \"id\" \"XYZ\": not 16 lower-case hex digits
aiops-ingest: $f:8: skipped: no \"ts\"
aiops-ingest: $f:9: skipped: \"value\" is a boolean, not a number
aiops-ingest: $f:10: skipped: \"metric_type\" \"meter\" is not a Prometheus type
aiops-ingest: $f:11: skipped: \"labels\" is an array, not an object
aiops-ingest: $f:12: skipped: an event of type \"anomaly\" without \"id\"
aiops-ingest: 11 lines skipped" ]
	# Written normalised: ts as RFC 3339, labels sorted, id computed,
	# members we do not know kept after ours.
	[ "$output" = '{"type":"metric","ts":"2026-11-22T12:00:00.000Z","id":"fadd6769b33de81c","host":"h1","source":"influx","labels":{},"name":"cpu_x_field_key","value":1}
{"type":"metric","ts":"2026-11-22T12:01:00.000Z","id":"d1d3cf44b02bbcf8","host":"h1","labels":{"a":"2","z":"1"},"name":"cpu_x_field_key","value":2,"metric_type":"gauge","extra":{"k":[1]}}' ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT s.key || ' ' || coalesce(s.metric_type, 'NULL') || ' ' || p.ts || ' ' || p.value FROM points p JOIN series s ON s.id = p.series_id ORDER BY p.ts")" = 'cpu_x_field_key{host="h1"} NULL 1795348800000 1.0
cpu_x_field_key{host="h1",a="2",z="1"} gauge 1795348860000 2.0' ]
}

@test "aiops events: what aiops-ingest wrote, read again without ids, gives the same events" {
	printf 'cpu,host=h1,cpu=cpu0 usage_user=1.5,usage_system=2i 1795348800000000000\n' |
	    aiops-ingest -f influx > "$BATS_TEST_TMPDIR/a"
	jq -c 'del(.id) | .ts = 1795348800000' "$BATS_TEST_TMPDIR/a" > "$BATS_TEST_TMPDIR/b"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/b"
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/a")" ]
	# And stored like any metric with --store-only.
	run -0 aiops-ingest --store-only "$BATS_TEST_TMPDIR/a"
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM points")" = 2 ]
}

@test "aiops events: old names are made valid (and the id computed again), -H fills the host" {
	run -0 --separate-stderr aiops-ingest -H h9 <<<'{"type":"metric","ts":"2026-11-22T12:00:00Z","id":"0000000000000000","labels":{"a-b":"1"},"name":"cpu,x_field key","value":1}'
	[ "$(jq -c '[.name, .host, .labels, .id != "0000000000000000"]' <<<"$output")" = '["cpu_x_field_key","h9",{"a_b":"1"},true]' ]
	want=$(printf 'cpu\\,x,host=h9,a-b=1 field\\ key=1 1795348800000000000\n' | aiops-ingest -f influx | jq -r .id)
	[ "$(jq -r .id <<<"$output")" = "$want" ]
}

@test "aiops events: a log or alert without id gets one; other types pass as they are" {
	run -0 --separate-stderr aiops-ingest <<<'{"type":"log","ts":"2026-11-22T12:00:00Z","host":"h","labels":{},"message":"disk full","severity":"error"}
{"type":"alert","ts":"2026-11-22T12:00:00Z","labels":{"alertname":"A"},"fingerprint":"0123456789abcdef","status":"firing","other":1}
{"type":"anomaly","ts":"2026-11-22T12:00:00Z","id":"00000000000000aa","labels":{},"name":"x","score":0.5,"new":[1]}'
	[ "$(jq -c 'keys_unsorted[0:3]' <<<"$output" | sort -u)" = '["type","ts","id"]' ]
	[ "$(sed -n 3p <<<"$output")" = '{"type":"anomaly","ts":"2026-11-22T12:00:00Z","id":"00000000000000aa","labels":{},"name":"x","score":0.5,"new":[1]}' ]
	# The log's id is the one aiops-ingest gives the same log.
	[ "$(head -n 1 <<<"$output" | jq -r .id)" = "$(head -n 1 <<<"$output" | jq -c 'del(.id)' | aiops-ingest | jq -r .id)" ]
}
