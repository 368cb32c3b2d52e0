#!/usr/bin/env bats
# aiops-detect under a memory budget (detect.memory, --memory): models past
# it are evicted to the state and loaded again, and nothing a run writes or
# stores depends on the budget. With --no-state they are dropped, said once.

load test_helper

# 40 series on 4 hosts, one point each a minute for MINUTES from
# minute FIRST, in time order; a jump on two series at minute 220.
points() {	# FIRST MINUTES
	awk -v m0="$1" -v n="$2" 'BEGIN {
		for (j = m0; j < m0 + n; j++)
			for (k = 0; k < 40; k++) {
				v = 50 + 10 * sin(j / 30 + k) + (j * 7919 + k * 104729) % 17 / 4
				if (j == 220 && (k == 3 || k == 17))
					v += 400
				printf "{\"type\":\"metric\",\"ts\":%d,\"host\":\"h%d\",\"name\":\"m%d\",\"value\":%.2f}\n",
				    1795348800 - 86400 + 60 * j, k % 4, k, v
			}
	}'
}

setup() {
	points 0 150 > "$BATS_TEST_TMPDIR/one"
	points 150 100 > "$BATS_TEST_TMPDIR/two"
}

# The stored models, as text: key, model, counter sample.
models() {
	sqlite3 -readonly "$1" "SELECT series_key, hex(model), counter_ts_ns, counter_value FROM detector_models ORDER BY series_key"
}

# The metric lines of an input or output: their ts, host and name, in
# order; and of an output, the type of their score.
metric_order() {
	jq -r 'select(.type == "metric") | "\(.ts) \(.host) \(.name) \(.score // 0 | type)"'
}

@test "a tiny detect.memory evicts and reloads models: output and state as without a budget" {
	small="$BATS_TEST_TMPDIR/small.db" big="$BATS_TEST_TMPDIR/big.db"
	for part in one two; do
		run -0 --separate-stderr aiops-detect -v --all --memory 64KiB --state "$small" "$BATS_TEST_TMPDIR/$part"
		echo "$output" > "$BATS_TEST_TMPDIR/small.$part"
		# Every point came back: more loaded again than there are series.
		[[ $stderr =~ "40 series, "([0-9]+)" models evicted, "([0-9]+)" loaded again" ]]
		[ "${BASH_REMATCH[2]}" -gt 40 ]
		run -0 --separate-stderr aiops-detect -v --all --state "$big" "$BATS_TEST_TMPDIR/$part"
		echo "$output" > "$BATS_TEST_TMPDIR/big.$part"
		[[ $stderr != *"evicted"* ]]
		cmp "$BATS_TEST_TMPDIR/small.$part" "$BATS_TEST_TMPDIR/big.$part"
		# Every point written once, in order, with its score.
		diff <(metric_order < "$BATS_TEST_TMPDIR/$part") <(metric_order < "$BATS_TEST_TMPDIR/small.$part")
		jq -e -s 'map(select(.type == "metric") | .score | type == "number") | all' "$BATS_TEST_TMPDIR/small.$part"
	done
	# The jumps are found, on the second run, from the models the first stored.
	[ "$(jq -r 'select(.type == "anomaly" and .value > 300) | .series' "$BATS_TEST_TMPDIR/small.two")" = 'm3{host="h3"}
m17{host="h1"}' ]
	[ "$(sqlite3 -readonly "$small" 'SELECT count(*) FROM detector_models')" -eq 40 ]
	diff <(models "$small") <(models "$big")
}

@test "the budget comes from the config too, and is checked like the command line" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'detect:\n  memory: 64KiB\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -0 --separate-stderr aiops-detect -v --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/one"
	[[ $stderr == *"40 series, "*" models evicted"* ]]
	printf 'detect:\n  sensitivity: 0.5\n  memory: 1KiB\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -78 --separate-stderr aiops-detect --no-state </dev/null
	[[ $stderr == *"aiops.yaml:3: detect.memory: expected a size from 4KiB to "* ]]
	rm "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -64 --separate-stderr aiops-detect --no-state --memory lots </dev/null
	[[ $stderr == *"--memory: expected a size"* ]]
}

@test "--no-state past the budget drops the models evicted, with one warning; within it, as with a state" {
	cat "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two" > "$BATS_TEST_TMPDIR/all"
	run -0 --separate-stderr aiops-detect --all --no-state "$BATS_TEST_TMPDIR/all"
	[ -z "$stderr" ]
	echo "$output" > "$BATS_TEST_TMPDIR/ample"
	run -0 --separate-stderr aiops-detect --all --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/all"
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/ample")" ]
	run -0 --separate-stderr aiops-detect --all --no-state --memory 64KiB "$BATS_TEST_TMPDIR/all"
	[ "$(grep -c . <<<"$stderr")" -eq 1 ]
	[[ $stderr =~ ^"aiops-detect: "[0-9]+" models dropped: over detect.memory with no state to keep them (--no-state), their series started afresh"$ ]]
	# Still every point once, in order, scored; the scores are those of
	# models started afresh, so they differ.
	diff <(metric_order < "$BATS_TEST_TMPDIR/ample") <(metric_order <<<"$output")
	[ "$output" != "$(cat "$BATS_TEST_TMPDIR/ample")" ]
}

@test "stored models not updated for detect.models.retention are deleted" {
	points 0 5 > "$BATS_TEST_TMPDIR/old"
	sed 's/"name":"m/"name":"new/' "$BATS_TEST_TMPDIR/old" > "$BATS_TEST_TMPDIR/new"
	AIOPS_NOW=2026-10-01T00:00:00Z run -0 aiops-detect "$BATS_TEST_TMPDIR/old"
	# 52 days later: kept by a retention of 60 days, not by the default 30.
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'detect:\n  models:\n    retention: 60d\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -0 aiops-detect "$BATS_TEST_TMPDIR/new"
	[ "$(sqlite3 -readonly "$AIOPS_STATE" 'SELECT count(*) FROM detector_models')" -eq 80 ]
	rm "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -0 aiops-detect "$BATS_TEST_TMPDIR/new"
	[ "$(sqlite3 -readonly "$AIOPS_STATE" "SELECT count(*) || ' ' || min(series_key) FROM detector_models")" = '40 new0{host="h0"}' ]
}
