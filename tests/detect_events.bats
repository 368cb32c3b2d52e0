#!/usr/bin/env bats
# The anomaly and incident events of aiops-detect, the contract the
# programs after it consume: golden files (fixtures/detect/<case>.ndjson
# in, <case>.expected out), replayed on the event clock, the wall clock
# frozen, and the same events kept in the state.
setup() {
	load test_helper
	D="$FIXTURES/detect"
	# New log templates alert after 20 lines, not 2000.
	export AIOPS__DETECT__LOGS__WARMUP=20
}

# golden CASE: the events of CASE, then the anomalies stored for them.
golden() {
	run -0 --separate-stderr aiops-detect --correlate --clock event "$D/$1.ndjson"
	diff -u "$D/$1.expected" <(printf '%s\n' "$output")
	[ -z "$stderr" ]
	# Anomalies are stored byte for byte as written.
	diff -u <(grep '^{"type":"anomaly"' "$D/$1.expected") \
	    <(sqlite3 "$AIOPS_STATE" 'SELECT event FROM anomalies ORDER BY ts, id')
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM incidents')" -eq \
	    "$(jq -r 'select(.type == "incident") | .incident_id' "$D/$1.expected" | sort -u | wc -l)" ]
}

@test "golden: a CPU spike and the alert on it make one incident, resolved 30 quiet minutes after the alert ends" {
	golden spike-alert
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT status, first_seen, last_seen FROM incidents')" = \
	    'resolved|1794766800000|1794767160000' ]
}

@test "golden: a new kind of log line, then an alert: the log line is the suspected cause" {
	golden new-log-alert
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT kind, name, template_id FROM anomalies")" = 'log|log_new_template|3' ]
}
