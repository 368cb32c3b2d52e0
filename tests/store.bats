#!/usr/bin/env bats
# aiops-ingest --store: metric history in the state file (series, points,
# 5-minute and 1-hour rollups), retention, and a state file that cannot
# be written (read-only, or locked by another writer).
setup() {
	load test_helper
	S="$FIXTURES/store"
}

teardown() {
	[ -z "${LOCK_PID:-}" ] || { touch "$BATS_TEST_TMPDIR/release"; kill "$LOCK_PID" 2>/dev/null; wait "$LOCK_PID" 2>/dev/null; } || true
	[ -z "${ING_PID:-}" ] || { kill "$ING_PID" 2>/dev/null; wait "$ING_PID" 2>/dev/null; } || true
	[ -z "${FPID:-}" ] || { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; } || true
	[ -z "${RO_DIR:-}" ] || rm -rf "$RO_DIR"
}

# Series, points and rollups of a state, in a stable order.
dump() {
	sqlite3 "${1:-$AIOPS_STATE}" \
	    "SELECT key, name, host, labels, unit, first_ts, last_ts FROM series ORDER BY key" \
	    "SELECT s.name, p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id ORDER BY s.name, p.ts" \
	    "SELECT '5m', s.name, r.bucket, r.count, r.sum, r.min, r.max, r.last FROM rollup_5m r JOIN series s ON s.id = r.series_id ORDER BY 2, 3" \
	    "SELECT '1h', s.name, r.bucket, r.count, r.sum, r.min, r.max, r.last FROM rollup_1h r JOIN series s ON s.id = r.series_id ORDER BY 2, 3"
}

# The rows of rollup_5m and rollup_1h that differ from a GROUP BY over the
# points of their bucket (count, sum, min, max, last), either way: none
# when the rollups hold exactly the stored points.
rollup_drift() {
	local t w
	for t in 5m:300000 1h:3600000; do
		w=${t#*:} t=${t%%:*}
		sqlite3 -readonly "${1:-$AIOPS_STATE}" "
		    WITH g AS (SELECT series_id, ts / $w * $w AS bucket, count(*) AS c,
		        sum(value) AS s, min(value) AS lo, max(value) AS hi, max(ts) AS lts
		        FROM points GROUP BY 1, 2),
		    x AS (SELECT g.series_id, g.bucket, g.c, g.s, g.lo, g.hi, p.value AS last
		        FROM g JOIN points p ON p.series_id = g.series_id AND p.ts = g.lts),
		    r AS (SELECT series_id, bucket, count, sum, min, max, last FROM rollup_$t)
		    SELECT '$t points', * FROM (SELECT * FROM x EXCEPT SELECT * FROM r)
		    UNION ALL SELECT '$t rollup', * FROM (SELECT * FROM r EXCEPT SELECT * FROM x)"
	done
}

# Read-only: a query must never create the state before the program does.
q() {
	sqlite3 -readonly "$AIOPS_STATE" "$1"
}

@test "store: points, series and rollups" {
	run -0 --separate-stderr aiops-ingest --store-only -f influx "$S/points.lp"
	[ -z "$output" ]
	[ -z "$stderr" ]
	diff -u "$S/points.expected" <(dump)
}

@test "store: --store also writes the events" {
	run -0 --separate-stderr aiops-ingest --store -f influx "$S/points.lp"
	[ "${#lines[@]}" -eq 10 ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -r .name | sort -u | tr '\n' ' ')" = 'cpu_usage_system cpu_usage_user disk_used_percent ' ]
	[ "$(q 'SELECT count(*) FROM points')" -eq 10 ]
}

@test "store: the state file is created 0600 in a 0700 directory" {
	export AIOPS_STATE="$BATS_TEST_TMPDIR/new/dir/state.db"
	run -0 aiops-ingest --store-only -f influx "$S/points.lp"
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/new/dir")" = 700 ]
	[ "$(stat -c %a "$AIOPS_STATE")" = 600 ]
	[ "$(q 'PRAGMA journal_mode')" = wal ]
}

@test "store: --state names the file" {
	run -0 aiops-ingest --state "$BATS_TEST_TMPDIR/other.db" --store-only -f influx "$S/points.lp"
	[ ! -e "$AIOPS_STATE" ]
	diff -u "$S/points.expected" <(dump "$BATS_TEST_TMPDIR/other.db")
}

@test "store: the same input twice leaves the same state" {
	run -0 aiops-ingest --store-only -f influx "$S/points.lp"
	run -0 aiops-ingest --store-only -f influx "$S/points.lp"
	diff -u "$S/points.expected" <(dump)
}

@test "store: another value at a stored series and time is not stored, and said so" {
	run -0 aiops-ingest --store-only -f influx "$S/points.lp"
	run -0 --separate-stderr aiops-ingest --store-only -f influx "$S/dup.lp"
	[ "$stderr" = "aiops-ingest: 1 point not stored: another value was stored first for the same series and time, and is kept" ]
	# The first value (30) stays, and the rollups with it.
	diff -u "$S/points.expected" <(dump)
	[ -z "$(rollup_drift)" ]
}

@test "store: a point sent twice is stored once, a note at -v only" {
	run -0 --separate-stderr aiops-ingest --store-only -f influx "$S/points.lp"
	[ -z "$stderr" ]
	run -0 --separate-stderr aiops-ingest --store-only -f influx "$S/points.lp"
	[ -z "$stderr" ]
	run -0 --separate-stderr aiops-ingest -v --store-only -f influx "$S/points.lp"
	[ "$stderr" = "aiops-ingest: 10 points already stored with the same value" ]
	diff -u "$S/points.expected" <(dump)
}

@test "store: 5,000 series sent twice: each point stored once, rollups unchanged" {
	awk 'BEGIN { for (s = 0; s < 5000; s++) printf "m,host=h%d v=%d.5 1795345200000000000\n", s, s % 89 }' \
		> "$BATS_TEST_TMPDIR/5k.lp"
	run -0 aiops-ingest --store-only -f influx "$BATS_TEST_TMPDIR/5k.lp"
	local before
	before=$(dump)
	run -0 --separate-stderr aiops-ingest -v --store-only -f influx "$BATS_TEST_TMPDIR/5k.lp"
	[ "$stderr" = "aiops-ingest: 5000 points already stored with the same value" ]
	[ "$(q 'SELECT count(*), sum(value) FROM points')" = '5000|221916.0' ]
	[ "$(q 'SELECT sum(count), sum(sum) FROM rollup_5m')" = '5000|221916.0' ]
	[ "$(dump)" = "$before" ]
}

# 50 series (usage of cpu c0..c49), a point every 10 s. Run a: steps 0-59,
# with gaps (series 0, 3, ... at steps 3, 8, ...). Run b: steps 0-79, the
# even series with other values, the gaps filled in (points older than the
# newest stored, in buckets holding later ones), c1 twice per new step with
# another value, c0 and c2 twice with the same.
gen_ab() {
	awk -v run="$1" 'BEGIN {
		for (i = 0; i < (run == "a" ? 60 : 80); i++)
			for (s = 0; s < 50; s++) {
				if (run == "a" && s % 3 == 0 && i % 5 == 3)
					continue
				v = (i * 7 + s) % 97 + (run == "b" && s % 2 == 0 ? 1.5 : 0.5)
				ts = 1795340000 + i * 10
				printf "cpu,host=h%d,cpu=c%d usage=%s %d000000000\n", s % 5, s, v, ts
				if (run == "b" && i >= 60 && s <= 2)
					printf "cpu,host=h%d,cpu=c%d usage=%s %d000000000\n", s % 5, s, v + (s == 1), ts
			}
	}'
}

@test "store: re-sent points, changed or not, with new ones: the first stays, rollups equal the points" {
	gen_ab a > "$BATS_TEST_TMPDIR/a.lp"
	gen_ab b > "$BATS_TEST_TMPDIR/b.lp"
	run -0 aiops-ingest --store-only -f influx "$BATS_TEST_TMPDIR/a.lp"
	[ "$(q 'SELECT count(*) FROM points')" -eq 2796 ]
	[ -z "$(rollup_drift)" ]
	run -0 --separate-stderr aiops-ingest -v --store-only -f influx "$BATS_TEST_TMPDIR/b.lp"
	[ "${stderr_lines[0]}" = "aiops-ingest: 1412 points not stored: another value was stored first for the same series and time, and is kept" ]
	[ "${stderr_lines[1]}" = "aiops-ingest: 1444 points already stored with the same value" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	# What is stored: the first line of each series and time, a then b.
	cat "$BATS_TEST_TMPDIR/a.lp" "$BATS_TEST_TMPDIR/b.lp" |
	    awk '!seen[$1 " " $3]++ { split($1, t, "cpu="); printf "%s|%s000|%.1f\n", t[2], substr($3, 1, 10), substr($2, 7) }' |
	    sort > "$BATS_TEST_TMPDIR/want"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/want")" -eq 4000 ]
	q "SELECT json_extract(s.labels, '$.cpu'), p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id" |
	    sort | diff -u "$BATS_TEST_TMPDIR/want" -
	[ -z "$(rollup_drift)" ]
	# The same lines in one run, the repeats within batches: the same state.
	cat "$BATS_TEST_TMPDIR/a.lp" "$BATS_TEST_TMPDIR/b.lp" > "$BATS_TEST_TMPDIR/ab.lp"
	run -0 --separate-stderr aiops-ingest -v --state "$BATS_TEST_TMPDIR/one.db" --store-only -f influx "$BATS_TEST_TMPDIR/ab.lp"
	[ "${stderr_lines[0]}" = "aiops-ingest: 1412 points not stored: another value was stored first for the same series and time, and is kept" ]
	diff -u <(dump) <(dump "$BATS_TEST_TMPDIR/one.db")
}

@test "store: kill -9 while storing, then the file again with changes: rollups equal the points" {
	awk 'BEGIN { for (i = 0; i < 300; i++) for (s = 0; s < 200; s++)
		printf "cpu,host=h%d,cpu=c%d usage=%d.5,idle=3 %d000000000\n", s % 10, s, (i * s) % 97, 1795340000 + i * 10 }' \
		> "$BATS_TEST_TMPDIR/big.lp"
	aiops-ingest --store-only -f influx "$BATS_TEST_TMPDIR/big.lp" 3>&- &
	pid=$!
	sleep 0.4
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" || true
	[ -z "$(rollup_drift)" ]
	# Again, with every third series changed and a later step added.
	awk '{ split($1, t, "cpu=c") } t[2] % 3 == 0 { sub(/usage=/, "usage=1") } { print }' \
		"$BATS_TEST_TMPDIR/big.lp" > "$BATS_TEST_TMPDIR/again.lp"
	awk 'BEGIN { for (s = 0; s < 200; s++)
		printf "cpu,host=h%d,cpu=c%d usage=%d.25,idle=3 1795343000000000000\n", s % 10, s, s }' \
		>> "$BATS_TEST_TMPDIR/again.lp"
	run -0 aiops-ingest --store-only -f influx "$BATS_TEST_TMPDIR/again.lp"
	[ "$(q 'SELECT count(*) FROM points')" -eq 120400 ]
	[ "$(q 'SELECT sum(count) FROM rollup_1h')" -eq 120400 ]
	[ -z "$(rollup_drift)" ]
}

@test "store: batches across many series are committed whole" {
	for i in $(seq 0 2999); do
		printf 'm,host=h%d v=%d %d\n' $((i % 300)) "$i" $((1795345200 + i / 300 * 10))000000000
	done > "$BATS_TEST_TMPDIR/many.lp"
	run -0 aiops-ingest --store-only -f influx "$BATS_TEST_TMPDIR/many.lp"
	[ "$(q 'SELECT count(*) FROM series')" -eq 300 ]
	[ "$(q 'SELECT count(*), sum(value) FROM points')" = '3000|4498500.0' ]
	[ "$(q 'SELECT sum(count), sum(sum) FROM rollup_5m')" = '3000|4498500.0' ]
	[ "$(q 'SELECT sum(count), sum(sum) FROM rollup_1h')" = '3000|4498500.0' ]
}

@test "store: --retention deletes raw points, 5 m rollups at 10x, 1 h rollups at 100x" {
	run -0 aiops-ingest --store-only --retention 30m -f influx "$S/old.lp"
	# Raw: newer than 11:30. 5 m: buckets after 07:00. 1 h: after 2026-11-20T10:00.
	[ "$(q 'SELECT ts, value FROM points')" = '1795348200000|4.0' ]
	[ "$(q 'SELECT group_concat(bucket || ":" || count) FROM rollup_5m')" = '1795345200000:1,1795348200000:1' ]
	[ "$(q 'SELECT group_concat(bucket || ":" || count) FROM rollup_1h')" = '1795327200000:1,1795345200000:2' ]
}

@test "store: retention reaches series that get no new points" {
	run -0 aiops-ingest --store-only -f influx "$S/old.lp"
	[ "$(q 'SELECT count(*) FROM points')" -eq 4 ]
	run -0 aiops-ingest --store-only --retention 30m -f influx "$S/dup.lp"
	[ "$(q "SELECT count(*) FROM points p JOIN series s ON s.id = p.series_id WHERE s.name = 'mem_used'")" -eq 1 ]
}

@test "store: retention from the config file" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'ingest:\n  retention: 30m\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -0 aiops-ingest --store-only -f influx "$S/old.lp"
	[ "$(q 'SELECT count(*) FROM points')" -eq 1 ]
}

# Root ignores file modes, so as root the writer runs as nobody.
@test "store: a read-only state file is refused clearly, nothing written" {
	RO_DIR=$(mktemp -d /tmp/aiops-store-ro.XXXXXX)
	chmod 755 "$RO_DIR"
	export AIOPS_STATE="$RO_DIR/state.db"
	run -0 aiops-ingest --store-only -f influx "$S/points.lp"
	local as=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "root without setpriv"
		chown -R nobody "$RO_DIR"
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	fi
	chmod 0400 "$AIOPS_STATE"
	run --separate-stderr "${as[@]}" "$(command -v aiops-ingest)" --store-only -f influx "$S/dup.lp"
	[[ $status -eq 73 || $status -eq 74 ]]
	[[ $stderr == *"$AIOPS_STATE"*"read-only"* ]]
	chmod 0600 "$AIOPS_STATE"
	diff -u "$S/points.expected" <(dump)
}

@test "store: a state file locked longer than the busy timeout: waits, then fails clearly" {
	run -0 aiops-ingest --store-only -f influx "$S/points.lp"
	hold_lock
	local t0=$SECONDS
	run --separate-stderr aiops-ingest --store-only -f influx "$S/dup.lp"
	# EX_TEMPFAIL: worth trying again once the other writer is done.
	[ "$status" -eq 75 ]
	[ $((SECONDS - t0)) -ge 4 ]
	[[ $stderr == *"$AIOPS_STATE: storing metrics: "*"database is locked"* ]]
	release_lock
	diff -u "$S/points.expected" <(dump)
}

@test "store: a state file locked for a moment: waits, then succeeds" {
	run -0 aiops-ingest --store-only -f influx "$S/points.lp"
	hold_lock
	aiops-ingest --store-only -f influx "$S/dup.lp" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	ING_PID=$!
	sleep 0.5
	kill -0 "$ING_PID"	# still waiting for the lock
	release_lock
	wait "$ING_PID"
	ING_PID=
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "aiops-ingest: 1 point not stored: another value was stored first for the same series and time, and is kept" ]
	[ "$(q "SELECT value FROM points WHERE ts = 1795345260000 AND series_id = (SELECT id FROM series WHERE name = 'cpu_usage_user')")" = 30.0 ]
}

@test "store: a file that is not a state file" {
	printf 'not a database, just text\n%.0s' $(seq 200) > "$AIOPS_STATE"
	chmod 600 "$AIOPS_STATE"
	run --separate-stderr aiops-ingest --store-only -f influx "$S/points.lp"
	[ "$status" -eq 73 ]
	[[ $stderr == *"$AIOPS_STATE"*"not a database"* ]]
}

@test "store: a follower waits out a state locked past the busy timeout, then stores all" {
	log="$BATS_TEST_TMPDIR/m.lp"
	head -n 3 "$S/points.lp" > "$log"
	aiops-ingest --follow --store-only --poll 20 -f influx "$log" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	FPID=$!
	for i in $(seq 200); do [ "$(q 'SELECT count(*) FROM points' 2>/dev/null)" -gt 0 ] 2>/dev/null && break; sleep 0.05; done
	hold_lock
	tail -n +4 "$S/points.lp" >> "$log"
	sleep 6		# past the 5 s busy timeout
	kill -0 "$FPID"	# a daemon: still there
	grep -q "locked by another program" "$BATS_TEST_TMPDIR/err"
	release_lock
	for i in $(seq 100); do diff -q "$S/points.expected" <(dump) >/dev/null && break; sleep 0.05; done
	kill -TERM "$FPID"
	rc=0
	wait "$FPID" || rc=$?
	FPID=
	[ "$rc" -eq 0 ]
	diff -u "$S/points.expected" <(dump)
}

@test "store: SIGTERM while re-sent points are stored ends within seconds, exit 0" {
	awk 'BEGIN { for (i = 0; i < 400; i++) for (s = 0; s < 250; s++)
		printf "cpu,host=h%d,cpu=c%d usage=%d.5,idle=3 %d000000000\n", s % 10, s, (i * s) % 97, 1795340000 + i * 10 }' \
		> "$BATS_TEST_TMPDIR/big.lp"
	aiops-ingest --store-only -f influx "$BATS_TEST_TMPDIR/big.lp"
	aiops-ingest --store-only -f influx "$BATS_TEST_TMPDIR/big.lp" 3>&- &
	pid=$!
	sleep 0.5
	local t0=$SECONDS
	kill -TERM "$pid" 2>/dev/null || true
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	[ $((SECONDS - t0)) -le 4 ]
	[ "$(q 'SELECT count(*) FROM points')" -eq 200000 ]
}
