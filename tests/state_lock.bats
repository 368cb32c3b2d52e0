#!/usr/bin/env bats
# A state file another program holds locked past the busy timeout (5 s):
# every writer gives up with EX_TEMPFAIL (75), try again later, whatever
# it was storing; a reader goes on. The writers run side by side under one
# lock held 8 s, so the file takes seconds, not a minute.
setup() {
	load test_helper
	D="$BATS_TEST_TMPDIR"
}

teardown() {
	[ -z "${LOCK_PID:-}" ] || wait "$LOCK_PID" 2>/dev/null || true
}

# A migrated state with something in it for every writer below.
make_state() {
	awk 'BEGIN { for (i = 1; i <= 30; i++) {
		printf "{\"type\":\"metric\",\"ts\":%d,\"host\":\"web-1\",\"name\":\"cpu_usage_user\",\"value\":%d}\n", 1794700800 + 60 * i, 40 + i % 3
		printf "{\"type\":\"log\",\"ts\":%d,\"host\":\"web-1\",\"message\":\"session opened for user u%d\"}\n", 1794700830 + 60 * i, i % 4
	} }' > "$D/events"
	grep metric "$D/events" | head -n 5 > "$D/metrics"
	printf 'cpu,host=web-1 usage_user=41 1794702660000000000\n' > "$D/points.lp"
	# In the minute the stored logs reached: only the log tables are written.
	printf '2026-11-15T00:30:45Z web-1 sshd[42]: session opened for user u9\n' > "$D/raw.log"
	echo '{"type":"alert","ts":"2026-11-15T00:31:00Z","host":"web-1","alertname":"A","status":"firing"}' > "$D/alert"
	aiops-ingest --store-only -f influx "$D/points.lp"
	aiops-detect --clock event "$D/events" > /dev/null
}

@test "state locked: every writer exits 75 after the busy timeout, a reader goes on" {
	make_state
	hold_lock 8
	local t0=$SECONDS
	aiops-ingest --store-only -f influx "$D/points.lp" 2> "$D/ingest.err" 3>&- &
	local ingest=$!
	aiops-detect --clock event "$D/metrics" > /dev/null 2> "$D/metrics.err" 3>&- &
	local metrics=$!
	aiops-detect --raw "$D/raw.log" > /dev/null 2> "$D/raw.err" 3>&- &
	local raw=$!
	aiops-detect --correlate --clock event "$D/alert" > /dev/null 2> "$D/correlate.err" 3>&- &
	local correlate=$!
	aiops-detect --from-state --since 30d > /dev/null 2> "$D/from-state.err" 3>&- &
	local from_state=$!
	# Meanwhile a reader is not held up.
	run -0 aiops-detect --search session --limit 1
	[ "${#lines[@]}" -eq 2 ]
	[ $((SECONDS - t0)) -lt 4 ]
	local name pid rc
	for name in ingest metrics raw correlate from_state; do
		pid=${!name}
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 75 ] || { echo "$name: exit $rc: $(cat "$D/${name/_/-}.err")"; false; }
		grep -q 'database is locked' "$D/${name/_/-}.err"
	done
	[ $((SECONDS - t0)) -ge 4 ]
	grep -q 'saving models' "$D/metrics.err"
	grep -q 'saving log templates' "$D/raw.err"
	grep -Eq 'storing an incident|deleting the incidents past' "$D/correlate.err"
	wait "$LOCK_PID"
	LOCK_PID=
}
