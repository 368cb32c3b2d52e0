#!/usr/bin/env bats
# aiops-detect on metrics: scoring, --all, state across runs, bad input.
setup() {
	load test_helper
	unset AIOPS_NOW
}

# series N [spike-at] [name]: N five-minute points of a steady series with
# a small daily wave, one point 20 times higher at spike-at (1-based).
series() {
	awk -v n="$1" -v at="${2:-0}" -v name="${3:-cpu_usage_user}" 'BEGIN {
		t0 = 1794700800
		for (i = 1; i <= n; i++) {
			v = 40 + 5 * sin(2 * 3.14159265 * i / 288) + (i * 7919 % 13) / 10
			if (i == at) v *= 20
			printf "{\"type\":\"metric\",\"ts\":%d,\"host\":\"web-1\",\"labels\":{\"cpu\":\"cpu-total\"},\"name\":\"%s\",\"value\":%.3f}\n", t0 + 300 * i, name, v
		}
	}'
}

@test "a spike after the warm-up is an anomaly with a readable reason" {
	series 600 500 > "$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	jq -e -s 'length >= 1' <<<"$output"
	spike=$(jq -c 'select(.value > 400)' <<<"$output")
	[ -n "$spike" ]
	jq -e '.type == "anomaly" and .name == "cpu_usage_user" and .host == "web-1"
	    and .score >= .threshold and .score <= 1 and (.reason | test("724"))
	    and .baseline.value < 60 and .labels.cpu == "cpu-total"
	    and (.id | test("^[0-9a-f]{16}$"))' <<<"$spike"
	[ -z "$stderr" ]
}

@test "nothing is flagged in a steady series" {
	series 600 > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	[ -z "$output" ]
}

@test "--all annotates metric events in place and passes the others untouched" {
	{ series 3; echo '{"type":"log","ts":"2026-11-15T00:00:00Z","message":"x","note":"kept as is"}'; } > "$BATS_TEST_TMPDIR/in"
	printf '{"type":"alert","weird":  [1, 2]}\n' >> "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state --all "$BATS_TEST_TMPDIR/in"
	[ "$(wc -l <<<"$output")" -eq 5 ]
	in1=$(head -n 1 "$BATS_TEST_TMPDIR/in")
	out1=$(head -n 1 <<<"$output")
	[[ $out1 == "${in1%\}},\"score\":"* ]]
	jq -e '.detector == "warmup" and .score == 0' <<<"$out1"
	[ "$(tail -n 1 <<<"$output")" = '{"type":"alert","weird":  [1, 2]}' ]
	jq -e '.template_id and .note == "kept as is"' <<<"$(sed -n 4p <<<"$output")"
}

@test "two runs sharing the state give what one long run gives" {
	series 900 700 > "$BATS_TEST_TMPDIR/all"
	head -n 450 "$BATS_TEST_TMPDIR/all" > "$BATS_TEST_TMPDIR/a"
	tail -n +451 "$BATS_TEST_TMPDIR/all" > "$BATS_TEST_TMPDIR/b"
	aiops-detect --all --state "$BATS_TEST_TMPDIR/one.db" "$BATS_TEST_TMPDIR/all" > "$BATS_TEST_TMPDIR/one.out"
	aiops-detect --all --state "$BATS_TEST_TMPDIR/two.db" "$BATS_TEST_TMPDIR/a" > "$BATS_TEST_TMPDIR/two.out"
	aiops-detect --all --state "$BATS_TEST_TMPDIR/two.db" "$BATS_TEST_TMPDIR/b" >> "$BATS_TEST_TMPDIR/two.out"
	cmp "$BATS_TEST_TMPDIR/one.out" "$BATS_TEST_TMPDIR/two.out"
	jq -e -s 'map(select(.type == "anomaly")) | length >= 1' "$BATS_TEST_TMPDIR/one.out"
	run sqlite3 "$BATS_TEST_TMPDIR/two.db" "SELECT count(*) FROM detector_models; SELECT count(*) > 0 FROM anomalies;"
	[ "$output" = "$(printf '1\n1')" ]
}

@test "points replayed from an earlier run are scored but not learned again" {
	series 500 > "$BATS_TEST_TMPDIR/in"
	aiops-detect --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in"
	a=$(sqlite3 "$BATS_TEST_TMPDIR/s.db" "SELECT hex(model) FROM detector_models")
	aiops-detect --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in"
	b=$(sqlite3 "$BATS_TEST_TMPDIR/s.db" "SELECT hex(model) FROM detector_models")
	[ "$a" = "$b" ]
}

@test "malformed events are reported with file:line; good ones flow; exit 65" {
	{
		series 2
		echo 'not json'
		echo '[1,2]'
		echo '{"type":"metric","ts":"2026-11-15T00:00:00Z","name":"x"}'
		echo '{"type":"metric","ts":"2026-11-15T00:00:00Z","name":"x","value":"12"}'
		echo '{"type":"metric","ts":"yesterday","name":"x","value":1}'
		echo '{"type":"metric","ts":"2026-11-15T00:00:00Z","value":1}'
		echo '{"type":"metric","ts":"2026-11-15T00:00:00Z","name":"x","value":1,"labels":{"a":1}}'
		series 1
	} > "$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr aiops-detect --no-state --all "$BATS_TEST_TMPDIR/in"
	[ "$(wc -l <<<"$output")" -eq 3 ]
	[[ $stderr == *"in:3: skipped: invalid JSON"* ]]
	[[ $stderr == *"in:4: skipped: expected a JSON object"* ]]
	[[ $stderr == *"in:5: skipped: metric without a value"* ]]
	[[ $stderr == *"in:6: skipped: value is not a number"* ]]
	[[ $stderr == *"in:7: skipped: ts: not a time"* ]]
	[[ $stderr == *"in:8: skipped: metric without a name"* ]]
	[[ $stderr == *"in:9: skipped: label a is not a string"* ]]
	[[ $stderr == *"7 lines skipped"* ]]
}

@test "duplicate and out-of-order points are handled, not fatal" {
	{ series 300; series 300 | tail -n 5; series 300 | sed -n 100p; } > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state --all "$BATS_TEST_TMPDIR/in"
	[ "$(jq -s 'map(select(.type == "metric")) | length' <<<"$output")" -eq 306 ]
}

@test "a counter is scored on its rate and a reset is a restart, not a statistical anomaly" {
	awk 'BEGIN { t0 = 1794700800; c = 0
		for (i = 1; i <= 400; i++) {
			c += 1000 + (i * 7919 % 13); if (i == 300) c = 5
			printf "{\"type\":\"metric\",\"ts\":%d,\"host\":\"h\",\"name\":\"net_bytes_total\",\"value\":%d}\n", t0 + 60 * i, c
		} }' > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state --all "$BATS_TEST_TMPDIR/in"
	[ "$(sed -n 300p <<<"$output" | jq -r .detector)" = "counter-reset" ]
	[ "$(jq -s -c 'map(select(.type == "anomaly") | [.ts, .detector, .previous, .value])' <<<"$output")" = \
	    '[["2026-11-15T05:00:00.000Z","restart",300794,5]]' ]
}

@test "per-metric sensitivity and threshold come from the config" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'detect:\n  metrics:\n    "cpu_*":\n      threshold: 0.99\n    "mem_*":\n      sensitivity: 1\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	{ series 600 500; series 600 500 mem_used_percent; } > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	# cpu_*: only scores of 0.99 and more; mem_*: sensitivity 1 is threshold 0.1.
	jq -e -s 'map(select(.name == "cpu_usage_user")) | all(.threshold == 0.99 and .score >= 0.99)' <<<"$output"
	jq -e -s 'map(select(.name == "mem_used_percent")) | length >= 1 and all(.threshold < 0.11)' <<<"$output"
	printf 'detect:\n  sensitivty: 1\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -78 --separate-stderr aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	[[ $stderr == *"aiops.yaml:2: unknown key 'detect.sensitivty'"* ]]
}

@test "--threshold and --sensitivity are checked" {
	run -64 --separate-stderr aiops-detect --threshold 2 </dev/null
	[[ $stderr == *"--threshold: expected a number from 0 to 1"* ]]
	run -64 --separate-stderr aiops-detect --sensitivity x </dev/null
	run -64 --separate-stderr aiops-detect --since 2h </dev/null
}

@test "--from-state --since reads the history aiops-ingest stored" {
	awk 'BEGIN { t0 = 1795348800 - 600 * 300
		for (i = 1; i <= 600; i++) printf "cpu,host=db-1 usage_user=%.2f %.0f\n", 40 + (i * 7919 % 13) / 10 + (i == 590 ? 500 : 0), (t0 + 300 * i) * 1000000000 }' |
		aiops-ingest --store-only --state "$BATS_TEST_TMPDIR/s.db"
	AIOPS_NOW=2026-11-22T12:00:00Z run -0 aiops-detect --state "$BATS_TEST_TMPDIR/s.db" --from-state --since 3d --all
	[ "$(jq -s "map(select(.type == \"metric\")) | length" <<<"$output")" -eq 600 ]
	jq -e -s 'map(select(.type == "anomaly" and .host == "db-1" and .value > 500)) | length == 1' <<<"$output"
}

@test "a state file that cannot be opened is refused, exit 73" {
	mkdir "$BATS_TEST_TMPDIR/dir.db"
	run -73 --separate-stderr aiops-detect --state "$BATS_TEST_TMPDIR/dir.db" </dev/null
	[[ $stderr == *"dir.db"* ]]
}

@test "SIGTERM stops aiops-detect waiting on stdin, with what it read handled" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	aiops-detect --no-state --all < "$BATS_TEST_TMPDIR/fifo" > "$BATS_TEST_TMPDIR/out" 3>&- &
	pid=$!
	exec 4> "$BATS_TEST_TMPDIR/fifo"
	series 3 >&4
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/out" ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid" || status=$?
	exec 4>&-
	[ "${status:-0}" -eq 0 ]
	[ "$(wc -l < "$BATS_TEST_TMPDIR/out")" -eq 3 ]
}
