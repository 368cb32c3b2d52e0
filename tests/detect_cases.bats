#!/usr/bin/env bats
# aiops-detect on the metric field cases (the operators' reports the
# project collects, rewritten as tests/fixtures/detect-cases/cases.py) and
# on cases of our own for each kind of metric: materiality, restarts,
# routines, level shifts, bad timestamps, config validation, and output
# that agrees with the state.
#
# Cases marked need the model's routines, re-centring, far-future
# hold and count model (lib/detect/mdetect.c).
setup() {
	load test_helper
	CASES="$FIXTURES/detect-cases/cases.py"
}

# gen NAME: the case's events into $BATS_TEST_TMPDIR/NAME.
gen() {
	python3 "$CASES" "$1" > "$BATS_TEST_TMPDIR/$1"
}

# anomalies NAME [options]: aiops-detect over the case with the test's
# state; the anomaly events, one JSON array a line: [ts, detector, value].
anomalies() {
	local name=$1; shift
	gen "$name"
	aiops-detect --state "$AIOPS_STATE" "$@" "$BATS_TEST_TMPDIR/$name" |
	    jq -c 'select(.type == "anomaly") | [.ts, .detector, .value]'
}

# conf LINE...: the user's configuration file.
conf() {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf '%s\n' "$@" > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
}

# ---- no practical significance ----

@test "m01: a flat percentage moving by 0.01 points is not an anomaly" {
	run -0 anomalies m01_flat_tiny
	[ -z "$output" ]
}

@test "m01b: a flat percentage moving by float jitter is not an anomaly" {
	run -0 anomalies m01b
	[ -z "$output" ]
}

@test "m01c: a flat percentage moving by 10 points is one anomaly, of kind percent" {
	gen m01c
	run -0 aiops-detect --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/m01c"
	[ "$(jq -c '[.ts, .value, .kind, .baseline.value]' <<<"$output")" = '["2026-01-05T06:40:00.000Z",60,"percent",50]' ]
}

@test "m01: the score is still the surprise; the gate only decides the event" {
	gen m01_flat_tiny
	run -0 aiops-detect --all --no-state "$BATS_TEST_TMPDIR/m01_flat_tiny"
	[ "$(wc -l <<<"$output")" -eq 600 ]
	jq -e '.value == 50.01 and .score >= 0.5' <<<"$(sed -n 401p <<<"$output")"
	[ "$(jq -c 'select(.type == "anomaly")' <<<"$output")" = "" ]
}

@test "m12a: a CPU saturating at 100 alerts once, the hours pinned at 100 stay quiet" {
	run -0 anomalies m12a_pinned_saturated
	[ "$(grep -c '"2026-01-05T11:40:00.000Z",' <<<"$output")" -eq 1 ]
	[ "$(jq -s -c 'map(select(.[0] > "2026-01-05T11:40:00.000Z"))' <<<"$output")" = '[]' ]
}

@test "m12b: a ratio pinned at 100 percent dipping to 99.9 and 99.8 is not an anomaly" {
	run -0 anomalies m12b_pinned_dips
	[ -z "$output" ]
}

# ---- counts ----

@test "m11: isolated errors of a low count are noise, the burst of 25 is the one anomaly" {
	run -0 anomalies m11_lowcount
	[ "$(jq -c '[.[0], .[2]]' <<<"$output")" = '["2026-01-06T17:40:00.000Z",25]' ]
}

# ---- restarts ----

@test "m03c: an uptime that falls is one restart event, stored, then quiet" {
	gen m03c_uptime_reboot
	run -0 aiops-detect --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/m03c_uptime_reboot"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	jq -e '.type == "anomaly" and .detector == "restart" and .kind == "uptime"
	    and .name == "system_uptime" and .host == "h1" and .ts == "2026-01-07T02:00:00.000Z"
	    and .value == 60 and .previous == 2180000 and .score == 1
	    and .started == "2026-01-07T01:59:00.000Z"
	    and .reason == "h1 restarted: system_uptime fell from 2180000 to 60"' <<<"$output"
	id=$(jq -r .id <<<"$output")
	[ "$(sqlite3 -readonly "$AIOPS_STATE" "SELECT id, detector, kind, name FROM anomalies")" = "$id|restart|metric|system_uptime" ]
}

@test "m03c: the uptime never alerts statistically, whatever the threshold" {
	run -0 anomalies m03c_uptime_reboot --threshold 0.01
	[ "$output" = '["2026-01-07T02:00:00.000Z","restart",60]' ]
}

@test "a reboot resetting a host's uptime and counters is one restart fact; the other host none" {
	run -0 anomalies k_reboot
	[ "$output" = '["2026-01-05T10:00:00.000Z","restart",60]' ]
}

@test "a reboot seen by two runs is still one restart fact" {
	gen k_reboot
	# the first run ends with web-1's uptime after the reboot, its counters come next run
	head -n 4801 "$BATS_TEST_TMPDIR/k_reboot" > "$BATS_TEST_TMPDIR/a"
	tail -n +4802 "$BATS_TEST_TMPDIR/k_reboot" > "$BATS_TEST_TMPDIR/b"
	run -0 aiops-detect --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/a"
	[ "$(jq -c '[.host, .name, .detector]' <<<"$output")" = '["web-1","system_uptime","restart"]' ]
	run -0 aiops-detect --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/b"
	[ -z "$output" ]
	[ "$(sqlite3 -readonly "$AIOPS_STATE" "SELECT count(*) FROM anomalies")" -eq 1 ]
}

@test "a process start time that moves is one restart fact with the time it started" {
	gen k_process_restart
	run -0 aiops-detect --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/k_process_restart"
	[ "$(jq -c '[.ts, .host, .detector, .kind, .started, .labels.job]' <<<"$output")" = \
	    '["2026-01-05T07:30:00.000Z","api-1","restart","start_time","2026-01-05T07:29:40.000Z","api"]' ]
}

# ---- routines ----

@test "m04: a daily 03:00 backup is the baseline after a few days" {
	run -0 anomalies m04_daily_cron
	[ "$(jq -s -c 'map(select(.[0] >= "2026-01-09"))' <<<"$output")" = '[]' ]
}

@test "m04b: the daily backup does not alert on day 28, nor after day 4" {
	run -0 anomalies m04b_daily_cron_28d
	[ "$(jq -s -c 'map(select(.[0] >= "2026-01-09"))' <<<"$output")" = '[]' ]
}

@test "a weekly batch is the baseline from its third week" {
	run -0 anomalies k_weekly
	[ "$(jq -s -c 'map(select(.[0] >= "2026-01-19"))' <<<"$output")" = '[]' ]
}

# ---- after a level shift ----

# spike_after K: the spike K minutes after the step is an anomaly.
spike_after() {
	local k=$1 ts
	ts=$(python3 -c "import datetime as d; print((d.datetime(2026,1,5)+d.timedelta(minutes=400+$k)).strftime('%Y-%m-%dT%H:%M:%S.000Z'))")
	run -0 anomalies "m08b_k$k"
	[ "$(grep -c "^\[\"$ts\",\"[a-z]*\",30\]\$" <<<"$output")" -eq 1 ]
}

@test "m08b: a spike 5 hours after a step alerts as without the step" {
	spike_after 300
}

@test "m08b: a spike 18 hours after a step alerts as without the step" {
	spike_after 1100
}

@test "m08b: a spike 33 hours after a step alerts as without the step" {
	spike_after 2000
}

@test "m08b: a spike 67 hours after a step alerts" {
	spike_after 4000
}

@test "m08b: a spike 133 hours after a step alerts" {
	spike_after 8000
}

@test "m08c: the control, a spike without a step, is the one anomaly" {
	run -0 anomalies m08c_control_spike_no_step
	[ "$(jq -c '[.[0], .[2]]' <<<"$output")" = '["2026-01-06T01:00:00.000Z",20]' ]
}

# ---- timestamps ----

@test "m09a: late points are scored once each, in input order, and are not anomalies" {
	gen m09a_late
	run -0 --separate-stderr aiops-detect --all --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/m09a_late"
	[ -z "$stderr" ]
	diff <(jq -c '[.ts, .value]' "$BATS_TEST_TMPDIR/m09a_late") \
	    <(jq -c 'select(.type == "metric" and (.score | type) == "number") | [.ts, .value]' <<<"$output")
	late=$(jq -s -c '[.[] | select(.type == "anomaly") | .ts | select(.[14:16] | tonumber % 40 == 0)]' <<<"$output")
	[ "$late" = '[]' ]
}

@test "m09b: every point is written once, in order, with its score, exit 0" {
	gen m09b_future
	run -0 --separate-stderr aiops-detect --all --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/m09b_future"
	diff <(jq -c '[.ts, .value]' "$BATS_TEST_TMPDIR/m09b_future") \
	    <(jq -c 'select(.type == "metric" and (.score | type) == "number") | [.ts, .value]' <<<"$output")
	[ "$(jq -c 'select(.type == "anomaly" and .ts == "2026-01-07T05:00:00.000Z")' <<<"$output")" = "" ]
}

@test "m09b: a point 2 days ahead is warned once with its line, never learned nor an anomaly" {
	gen m09b_future
	run -0 --separate-stderr aiops-detect --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/m09b_future"
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]
	[[ $stderr == *"m09b_future:301: queue_depth{host=\"h2\"}: time 2026-01-07T05:00:00.000Z is far ahead of the series' own"* ]]
	# the step to 80 may alert, the spike to 200 does; nothing else
	[ "$(jq -c 'select(.value == 200) | .ts' <<<"$output")" = '"2026-01-05T20:00:00.000Z"' ]
	[ "$(grep -c . <<<"$output")" -le 3 ]
	python3 "$CASES" m09b_next > "$BATS_TEST_TMPDIR/next"
	run -0 aiops-detect --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/next"
	[ -z "$output" ]
}

# ---- our own, one per kind: the small change is quiet, the large one alerts ----

# one_anomaly NAME KIND: exactly one anomaly, at minute 800 (13:20), of KIND.
one_anomaly() {
	gen "$1"
	run -0 aiops-detect --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/$1"
	[ "$(jq -c '[.ts, .kind]' <<<"$output")" = "[\"2026-01-05T13:20:00.000Z\",\"$2\"]" ]
}

@test "bytes: 3 MiB more of a 4 GiB memory is quiet, 1.5 GiB more alerts" {
	one_anomaly k_bytes bytes
}

@test "latency in ms: 1.5 ms more of 120 is quiet, 400 ms alerts" {
	one_anomaly k_latency_ms latency
}

@test "latency in seconds, by its unit: 1.5 ms more is quiet, 0.4 s alerts" {
	one_anomaly k_latency_seconds latency
}

@test "temperature: 1.5 degrees more is quiet, 70 C alerts" {
	one_anomaly k_temperature temperature
}

@test "ratio: 0.98 to 0.97 is quiet, 0.5 alerts" {
	one_anomaly k_ratio ratio
}

@test "counter of events: 3 requests more in a minute is quiet, 6000 more alerts, on the rate" {
	one_anomaly k_counter count
	jq -e '.rate > 100 and .baseline.value < 11' <<<"$output"
}

@test "generic: half a unit more of 1000 is quiet, 3000 alerts" {
	one_anomaly k_generic generic
}

# ---- materiality in the configuration ----

@test "detect.materiality.percent.min_change lowers the bar for every percentage" {
	conf 'detect:' '  materiality:' '    percent:' '      min_change: 0.001'
	run -0 anomalies m01_flat_tiny
	[ "$output" = '["2026-01-05T06:40:00.000Z","spike",50.01]' ]
}

@test "detect.metrics.GLOB.min_change and min_relative apply to the metrics they match" {
	conf 'detect:' '  metrics:' '    "queue_fill_*": { min_change: 0.005 }'
	run -0 anomalies m01_flat_tiny
	[ "$output" = '["2026-01-05T06:40:00.000Z","spike",50.01]' ]
	conf 'detect:' '  metrics:' '    "queue_fill_*": { min_change: 20 }'
	rm -f "$AIOPS_STATE"*
	run -0 anomalies m01c
	[ -z "$output" ]
	conf 'detect:' '  metrics:' '    "queue_*": { kind: generic, min_relative: 0.5 }'
	rm -f "$AIOPS_STATE"*
	run -0 anomalies m01c
	[ -z "$output" ]
}

@test "detect.metrics.GLOB.kind: a metric declared an uptime restarts instead of alerting" {
	gen m03c_uptime_reboot
	sed 's/system_uptime/host_alive_for/' "$BATS_TEST_TMPDIR/m03c_uptime_reboot" > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	[ "$(jq -r .detector <<<"$output" | sort -u)" = "spike" ]
	conf 'detect:' '  metrics:' '    host_alive_for: { kind: uptime }'
	run -0 aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	[ "$(jq -c '[.ts, .detector, .kind]' <<<"$output")" = '["2026-01-07T02:00:00.000Z","restart","uptime"]' ]
}

# ---- configuration validated ----

@test "cfg_thr15: threshold 1.5 is refused with file:line, exit 78" {
	conf 'detect:' '  threshold: 1.5'
	run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"aiops.yaml:2: detect.threshold: expected a number from 0 to 1"* ]]
}

@test "cfg_metric_thr2: a per-metric threshold of 2.0 is refused with file:line, exit 78" {
	conf 'detect:' '  metrics:' '    "api_*": { threshold: 2.0 }'
	run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"aiops.yaml:3: detect.metrics.api_*.threshold: expected a number from 0 to 1"* ]]
}

@test "cfg: AIOPS__DETECT__THRESHOLD=1.5 is refused, naming the variable, exit 78" {
	AIOPS__DETECT__THRESHOLD=1.5 run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"AIOPS__DETECT__THRESHOLD: detect.threshold: expected a number from 0 to 1"* ]]
}

@test "cfg_sens5: sensitivity 5 is refused with file:line, exit 78" {
	conf 'detect:' '  sensitivity: 5'
	run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"aiops.yaml:2: detect.sensitivity: expected a number from 0 to 1"* ]]
}

@test "cfg: the materiality keys are checked like every key" {
	conf 'detect:' '  materiality:' '    percent:' '      min_change: -1'
	run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"aiops.yaml:4: detect.materiality.percent.min_change: expected a number from 0 to 1e+300"* ]]
	conf 'detect:' '  materiality:' '    uptime:' '      min_change: 5'
	run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"aiops.yaml:3: unknown key 'detect.materiality.uptime'"* ]]
	conf 'detect:' '  materiality:' '    percent:' '      min_chnage: 5'
	run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"aiops.yaml:4: unknown key 'detect.materiality.percent.min_chnage'"* ]]
	conf 'detect:' '  metrics:' '    "cpu_*": { kind: percentage }'
	run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"aiops.yaml:3: detect.metrics.cpu_*.kind: expected generic, percent, ratio, bytes, count, latency, temperature, uptime or start_time"* ]]
	conf 'detect:' '  metrics:' '    "cpu_*": { min_relative: nan }'
	run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"aiops.yaml:3: detect.metrics.cpu_*.min_relative: expected a number from 0 to 1000000"* ]]
	rm "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	AIOPS__DETECT__MATERIALITY__LATENCY__MIN_RELATIVE=-0.5 run -78 --separate-stderr aiops-detect --no-state /dev/null
	[[ $stderr == *"AIOPS__DETECT__MATERIALITY__LATENCY__MIN_RELATIVE: detect.materiality.latency.min_relative: expected a number"* ]]
}

# ---- output and state agree ----

@test "a state that cannot grow stops the run at once: what was printed is what was stored" {
	gen k_reboots_many
	aiops-detect --state "$AIOPS_STATE" < /dev/null
	run bash -c 'trap "" XFSZ; ulimit -f 400; exec aiops-detect --all --state "$AIOPS_STATE" "$1"' _ \
	    "$BATS_TEST_TMPDIR/k_reboots_many"
	[ "$status" -eq 74 ]
	[[ $output == *"storing an anomaly"* ]]
	printed=$(grep '^{' <<<"$output" | jq -r 'select(.type == "anomaly") | .id' | sort)
	stored=$(sqlite3 -readonly "$AIOPS_STATE" "SELECT id FROM anomalies ORDER BY id")
	[ -n "$printed" ]
	[ "$printed" = "$stored" ]
	# it stopped at the first failure: far from the 9600 points of the input
	[ "$(grep -c '"type":"metric"' <<<"$output")" -lt 2000 ]
}
