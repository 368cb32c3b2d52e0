#!/usr/bin/env bats
# aiops-ingest --follow: tail -F semantics (appends, partial lines,
# rotation, truncation, files that come and go) and offsets kept in the
# state, so that a restart neither loses nor repeats a line.
setup() {
	load test_helper
	LOG="$BATS_TEST_TMPDIR/app.log"
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
	: > "$OUT"
	: > "$ERR"
}

teardown() {
	[ -z "${FPID:-}" ] || { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; } || true
}

# Starts following the given files in the background (output to $OUT).
follow() {
	aiops-ingest --follow --poll 20 -f text "$@" >> "$OUT" 2>> "$ERR" 3>&- &
	FPID=$!
}

# Stops the follower with SIGTERM; its exit status goes into $status.
stop() {
	kill -TERM "$FPID"
	status=0
	wait "$FPID" || status=$?
	FPID=
}

# Waits (5 s at most) until $OUT holds at least N events.
wait_lines() {
	local i
	for i in $(seq 250); do
		[ "$(wc -l < "$OUT")" -ge "$1" ] && return 0
		sleep 0.02
	done
	echo "# waited for $1 events, got $(wc -l < "$OUT"):" >&2
	cat "$OUT" "$ERR" >&2
	return 1
}

messages() {
	jq -r .message "$OUT"
}

# add FILE LINE...: appends lines to FILE.
add() {
	local f=$1
	shift
	printf '%s\n' "$@" >> "$f"
}

@test "follow: reads what is there, then the lines appended later" {
	add "$LOG" "line 1" "line 2"
	follow "$LOG"
	wait_lines 2
	add "$LOG" "line 3" "line 4"
	wait_lines 4
	stop
	[ "$status" -eq 0 ]
	diff -u <(printf 'line %d\n' 1 2 3 4) <(messages)
	[ ! -s "$ERR" ]
}

@test "follow: a partial last line waits for its newline" {
	local other="$BATS_TEST_TMPDIR/other.log"
	add "$LOG" "line 1"
	: > "$other"
	follow "$LOG" "$other"
	wait_lines 1
	printf 'par' >> "$LOG"
	# Two events from the other file: the first file was read in between.
	add "$other" "other 1"
	wait_lines 2
	add "$other" "other 2"
	wait_lines 3
	! messages | grep -q par
	printf 'tial\n' >> "$LOG"
	wait_lines 4
	stop
	[ "$(messages | grep -c '^partial$')" -eq 1 ]
}

@test "follow: rotation (mv, then a new file) loses and repeats nothing" {
	add "$LOG" "line 1" "line 2"
	follow "$LOG"
	wait_lines 2
	add "$LOG" "line 3"
	mv "$LOG" "$LOG.1"
	add "$LOG.1" "line 4"		# the writer had it open still
	add "$LOG" "line 5" "line 6"
	wait_lines 6
	add "$LOG" "line 7"
	wait_lines 7
	stop
	diff -u <(printf 'line %d\n' 1 2 3 4 5 6 7) <(messages)
}

@test "follow: an unterminated last line of a rotated file is still read" {
	add "$LOG" "line 1"
	follow "$LOG"
	wait_lines 1
	printf 'line 2' >> "$LOG"
	mv "$LOG" "$LOG.1"
	add "$LOG" "line 3"
	wait_lines 3
	stop
	diff -u <(printf 'line %d\n' 1 2 3) <(messages)
}

@test "follow: a truncated file is read again from the start" {
	add "$LOG" "a long first line" "a long second line"
	follow "$LOG"
	wait_lines 2
	: > "$LOG"
	add "$LOG" "new 1"
	wait_lines 3
	add "$LOG" "new 2"
	wait_lines 4
	stop
	diff -u <(printf '%s\n' "a long first line" "a long second line" "new 1" "new 2") <(messages)
}

@test "follow: a file that does not exist yet is waited for" {
	follow "$LOG"
	sleep 0.1	# a few polls without the file
	add "$BATS_TEST_TMPDIR/elsewhere" "not this one"
	add "$LOG" "line 1"
	wait_lines 1
	stop
	[ "$status" -eq 0 ]
	diff -u <(echo "line 1") <(messages)
	[ ! -s "$ERR" ]
}

@test "follow: a file that vanishes and comes back" {
	add "$LOG" "line 1"
	follow "$LOG"
	wait_lines 1
	rm "$LOG"
	sleep 0.1	# a few polls without the file
	add "$LOG" "line 2" "line 3"
	wait_lines 3
	stop
	[ "$status" -eq 0 ]
	diff -u <(printf 'line %d\n' 1 2 3) <(messages)
	[ ! -s "$ERR" ]
}

@test "follow: a restart neither loses nor repeats a line" {
	add "$LOG" "line 1" "line 2" "line 3"
	follow "$LOG"
	wait_lines 3
	printf 'line 4' >> "$LOG"	# unterminated when we stop
	stop
	[ "$status" -eq 0 ]
	printf ' continued\n' >> "$LOG"
	add "$LOG" "line 5"
	follow "$LOG"
	wait_lines 5
	add "$LOG" "line 6"
	wait_lines 6
	stop
	diff -u <(printf '%s\n' "line 1" "line 2" "line 3" "line 4 continued" "line 5" "line 6") <(messages)
	[ "$(jq -r .id "$OUT" | sort -u | wc -l)" -eq 6 ]
}

@test "follow: several restarts in a row, lines appended in between" {
	local n
	for n in 1 2 3; do
		add "$LOG" "run $n a" "run $n b"
		follow "$LOG"
		wait_lines $((n * 2))
		stop
	done
	[ "$(jq -r .id "$OUT" | sort -u | wc -l)" -eq 6 ]
	diff -u <(printf 'run %s\n' "1 a" "1 b" "2 a" "2 b" "3 a" "3 b") <(messages)
}

@test "follow: after a restart, a file replaced meanwhile is read from its start" {
	add "$LOG" "old 1" "old 2" "old 3"
	follow "$LOG"
	wait_lines 3
	stop
	mv "$LOG" "$LOG.1"
	add "$LOG" "new 1"
	follow "$LOG"
	wait_lines 4
	stop
	diff -u <(printf '%s\n' "old 1" "old 2" "old 3" "new 1") <(messages)
}

@test "follow: offsets and line numbers are kept in the state" {
	add "$LOG" "line 1" "line 2"
	follow "$LOG"
	wait_lines 2
	stop
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT path, offset, lineno FROM file_offsets')" = "$LOG|14|2" ]
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT ino FROM file_offsets')" = "$(stat -c %i "$LOG")" ]
}

@test "follow: a relative path is kept as an absolute one" {
	cd "$BATS_TEST_TMPDIR"
	add app.log "line 1"
	follow app.log
	wait_lines 1
	stop
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT path FROM file_offsets')" = "$(pwd -P)/app.log" ] ||
	    [ "$(sqlite3 "$AIOPS_STATE" 'SELECT path FROM file_offsets')" = "$PWD/app.log" ]
}

@test "follow: a line over --max-line is reported with its line number and skipped" {
	add "$LOG" "line 1" "this line is far longer than sixteen bytes" "line 3"
	aiops-ingest --follow --poll 20 --max-line 16 -f text "$LOG" >> "$OUT" 2>> "$ERR" 3>&- &
	FPID=$!
	wait_lines 2
	stop
	[ "$status" -eq 65 ]
	diff -u <(printf 'line %d\n' 1 3) <(messages)
	grep -q "app.log:2: skipped: line of 42 bytes is longer than --max-line 16" "$ERR"
}

@test "follow: SIGTERM stops it promptly, even while it waits" {
	aiops-ingest --follow --poll 10000 -f text "$LOG" >> "$OUT" 2>> "$ERR" 3>&- &
	FPID=$!
	sleep 0.2
	local t0=$SECONDS
	stop
	[ "$status" -eq 0 ]
	[ $((SECONDS - t0)) -le 1 ]
}

@test "follow: several files at once" {
	local b="$BATS_TEST_TMPDIR/b.log"
	add "$LOG" "a 1"
	add "$b" "b 1"
	follow "$LOG" "$b"
	wait_lines 2
	add "$b" "b 2"
	add "$LOG" "a 2"
	wait_lines 4
	stop
	diff -u <(printf '%s\n' "a 1" "a 2" "b 1" "b 2") <(messages | sort)
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM file_offsets')" -eq 2 ]
}

@test "follow: --follow needs files" {
	run -64 --separate-stderr aiops-ingest --follow -f text
	[[ $stderr == *"--follow needs files"* ]]
}
