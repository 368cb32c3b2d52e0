#!/usr/bin/env bats
# The state file contract of aiops(7): who may open it, what is refused,
# and programs starting together on a state that does not exist yet.
setup() { load test_helper; }

@test "programs starting together on a new state all wait, none loses its input" {
	head -n 400 "$SAMPLES/metrics.lp" > "$BATS_TEST_TMPDIR/in.lp"
	AIOPS_STATE="$BATS_TEST_TMPDIR/one.db" aiops-ingest --store "$BATS_TEST_TMPDIR/in.lp" > /dev/null
	want=$(sqlite3 "$BATS_TEST_TMPDIR/one.db" 'SELECT count(*) FROM points')
	[ "$want" -gt 0 ]
	for trial in $(seq 1 25); do
		d="$BATS_TEST_TMPDIR/t$trial"
		mkdir "$d"
		for i in 1 2 3 4 5 6; do
			( AIOPS_STATE="$d/state.db" aiops-ingest --store "$BATS_TEST_TMPDIR/in.lp" \
			    > /dev/null 2> "$d/err$i"; echo $? > "$d/rc$i" ) 3>&- &
		done
		wait
		for i in 1 2 3 4 5 6; do
			[ "$(cat "$d/rc$i")" = 0 ] || { echo "trial $trial: $(cat "$d/err$i")"; false; }
		done
		[ "$(sqlite3 "$d/state.db" 'SELECT count(*) FROM points')" = "$want" ]
	done
}

@test "a dangling symlink as the state is refused and its target not created" {
	ln -s "$BATS_TEST_TMPDIR/nowhere/state.db" "$BATS_TEST_TMPDIR/link.db"
	run -73 --separate-stderr aiops-ingest --store --state "$BATS_TEST_TMPDIR/link.db" "$SAMPLES/metrics.lp"
	[[ $stderr == *"link.db: a symlink to nothing"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/nowhere" ]
}

@test "a symlink to an empty file is refused and the file left alone" {
	: > "$BATS_TEST_TMPDIR/empty"
	chmod 644 "$BATS_TEST_TMPDIR/empty"
	ln -s "$BATS_TEST_TMPDIR/empty" "$BATS_TEST_TMPDIR/link.db"
	run -73 --separate-stderr aiops-detect --state "$BATS_TEST_TMPDIR/link.db" < /dev/null
	[[ $stderr == *"empty file, not an aiops state"* ]]
	[ ! -s "$BATS_TEST_TMPDIR/empty" ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/empty")" = 644 ]
}

@test "a symlink to an aiops state is followed" {
	aiops-ingest --store "$SAMPLES/metrics.lp" > /dev/null
	ln -s "$AIOPS_STATE" "$BATS_TEST_TMPDIR/link.db"
	run -0 aiops-detect --search 'x' --state "$BATS_TEST_TMPDIR/link.db"
}

@test "a state every user may read or write is refused, exit 77, saying what to do" {
	aiops-ingest --store "$SAMPLES/metrics.lp" > /dev/null
	chmod 666 "$AIOPS_STATE"
	run -77 --separate-stderr aiops-ingest --store "$SAMPLES/metrics.lp"
	[[ $stderr == *"mode 0666 lets every user change it: chmod o-rw"* ]]
	chmod 644 "$AIOPS_STATE"
	run -77 --separate-stderr aiops-detect < /dev/null
	[[ $stderr == *"mode 0644 lets every user read it"* ]]
	chmod 640 "$AIOPS_STATE"
	run -0 aiops-detect < /dev/null
}

@test "another program's SQLite database is refused and left unchanged" {
	sqlite3 "$BATS_TEST_TMPDIR/other.db" 'CREATE TABLE t(x); INSERT INTO t VALUES (1);'
	chmod 600 "$BATS_TEST_TMPDIR/other.db"
	before=$(sqlite3 "$BATS_TEST_TMPDIR/other.db" .dump | md5sum)
	run -73 --separate-stderr aiops-ingest --store --state "$BATS_TEST_TMPDIR/other.db" "$SAMPLES/metrics.lp"
	[[ $stderr == *"other.db: not an aiops state"* ]]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/other.db" .dump | md5sum)" = "$before" ]
}

@test "a state made before the application_id is adopted and stamped" {
	aiops-ingest --store "$SAMPLES/metrics.lp" > /dev/null
	sqlite3 "$AIOPS_STATE" 'PRAGMA application_id = 0'
	run -0 aiops-ingest --store "$SAMPLES/metrics.lp"
	[ "$(sqlite3 "$AIOPS_STATE" 'PRAGMA application_id')" = 1095323472 ]
}

@test "a new state is 0600 in a 0700 directory and marked as ours" {
	export AIOPS_STATE="$BATS_TEST_TMPDIR/new/dir/state.db"
	aiops-ingest --store "$SAMPLES/metrics.lp" > /dev/null
	[ "$(stat -c %a "$AIOPS_STATE")" = 600 ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/new/dir")" = 700 ]
	[ "$(sqlite3 "$AIOPS_STATE" 'PRAGMA application_id')" = 1095323472 ]
}

@test "skipped lines: the first ten are reported, then only counted" {
	head -c 2000000 /dev/urandom | base64 -w 50 | sed 's/^/\x01/' > "$BATS_TEST_TMPDIR/junk"
	n=$(wc -l < "$BATS_TEST_TMPDIR/junk")
	run -65 --separate-stderr aiops-ingest -f influx "$BATS_TEST_TMPDIR/junk"
	[ "$(grep -c ': skipped: ' <<< "$stderr")" -eq 10 ]
	[[ $stderr == *"junk:11: more lines skipped: counted, not shown (-v shows them)"* ]]
	[[ $stderr == *"$n lines skipped"* ]]
	[ "$(wc -l <<< "$stderr")" -eq 12 ]
	run -65 --separate-stderr aiops-ingest -v -f influx "$BATS_TEST_TMPDIR/junk"
	[ "$(grep -c ': skipped: ' <<< "$stderr")" -eq "$n" ]
}

@test "state.group: the state is created 0660 for that group, in a 2770 directory" {
	group=$(id -gn)
	export AIOPS_STATE="$BATS_TEST_TMPDIR/shared/state.db"
	printf 'state:\n  group: %s\n' "$group" > "$BATS_TEST_TMPDIR/c.yaml"
	run -0 aiops-ingest --config "$BATS_TEST_TMPDIR/c.yaml" --store "$SAMPLES/metrics.lp"
	[ "$(stat -c '%a %G' "$AIOPS_STATE")" = "660 $group" ]
	[ "$(stat -c '%a %G' "$BATS_TEST_TMPDIR/shared")" = "2770 $group" ]
	AIOPS__STATE__GROUP=no-such-group-aiops run -78 --separate-stderr aiops-ingest --store \
	    --state "$BATS_TEST_TMPDIR/other/state.db" "$SAMPLES/metrics.lp"
	[[ $stderr == *"state.group: no such group"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/other" ]
}
