#!/usr/bin/env bats
# aiops-ingest as a whole: inputs, format detection, errors, output.
setup() { load test_helper; }

@test "plain text from stdin becomes log events with the clock's time" {
	run -0 --separate-stderr aiops-ingest <<<"hello world"
	[ "$output" = '{"type":"log","ts":"2026-11-22T12:00:00.000Z","id":"'"$(jq -r .id <<<"$output")"'","source":"text","labels":{},"severity":"info","message":"hello world"}' ]
	[ -z "$stderr" ]
}

@test "ids are stable across runs and differ between lines" {
	a=$(printf 'one\ntwo\n' | aiops-ingest | jq -r .id)
	b=$(printf 'one\ntwo\n' | aiops-ingest | jq -r .id)
	[ "$a" = "$b" ]
	[ "$(sort -u <<<"$a" | wc -l)" -eq 2 ]
	[[ $(head -n1 <<<"$a") =~ ^[0-9a-f]{16}$ ]]
}

@test "--host, --cluster and --source fill the event head" {
	run -0 aiops-ingest --host h1 --cluster c1 --source app <<<"x"
	[ "$(jq -r '[.host, .cluster, .source] | join(" ")' <<<"$output")" = "h1 c1 app" ]
}

@test "a leading RFC 3339 time and a severity word are taken from a text line" {
	run -0 aiops-ingest -f text <<<"2026-11-15T08:00:01.5Z ERROR disk full"
	[ "$(jq -r '.ts + " " + .severity' <<<"$output")" = "2026-11-15T08:00:01.500Z error" ]
}

@test "several files are read in order, and - is stdin" {
	printf 'a\n' > "$BATS_TEST_TMPDIR/1.log"
	printf 'c\n' > "$BATS_TEST_TMPDIR/2.log"
	run -0 bash -c "printf 'b\n' | aiops-ingest '$BATS_TEST_TMPDIR/1.log' - '$BATS_TEST_TMPDIR/2.log' | jq -r .message"
	[ "$output" = "$(printf 'a\nb\nc')" ]
}

@test "a missing file is reported, the others are read, exit 66" {
	printf 'a\n' > "$BATS_TEST_TMPDIR/1.log"
	run -66 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/nope.log" "$BATS_TEST_TMPDIR/1.log"
	[ "$(jq -r .message <<<"$output")" = a ]
	[[ $stderr == *"nope.log: No such file or directory"* ]]
}

@test "an empty file gives no events and exit 0" {
	: > "$BATS_TEST_TMPDIR/empty"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/empty"
	[ -z "$output" ] && [ -z "$stderr" ]
}

@test "invalid UTF-8 and NUL bytes become U+FFFD: the line is kept, counted, shown at -v" {
	printf 'good one\nbad \377 byte\nnul \000 byte\ngood two\n' > "$BATS_TEST_TMPDIR/in.log"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/in.log"
	[ "$(jq -r .message <<<"$output")" = "$(printf 'good one\nbad \357\277\275 byte\nnul \357\277\275 byte\ngood two')" ]
	[ "$stderr" = "aiops-ingest: 2 lines kept with invalid UTF-8 replaced by U+FFFD (-v shows them)" ]
	run -0 --separate-stderr aiops-ingest -v "$BATS_TEST_TMPDIR/in.log"
	[[ $stderr == *"in.log:2: invalid UTF-8 at byte 5 replaced by U+FFFD"* ]]
	[[ $stderr == *"in.log:3: NUL byte at byte 5 replaced by U+FFFD"* ]]
}

@test "--strict stops at the first bad line with exit 65" {
	printf 'm v=1\nbad\nm v=2\n' > "$BATS_TEST_TMPDIR/in.lp"
	run -65 --separate-stderr aiops-ingest --strict -f influx "$BATS_TEST_TMPDIR/in.lp"
	[ "$(jq -r .value <<<"$output")" = 1 ]
	[[ $stderr == *"in.lp:2: stopping (--strict)"* ]]
}

@test "--strict stops at the first bad line of the detection window too" {
	printf 'm v=1\nbad\nm v=2\n' > "$BATS_TEST_TMPDIR/in.lp"
	run -65 --separate-stderr aiops-ingest --strict "$BATS_TEST_TMPDIR/in.lp"
	[ "$(jq -r .value <<<"$output")" = 1 ]
	[[ $stderr == *"in.lp:2: stopping (--strict)"* ]]
}

@test "a 10 MB line is skipped with its size; the lines around it flow" {
	{ echo before; head -c 10485760 /dev/zero | tr '\0' x; echo; echo after; } > "$BATS_TEST_TMPDIR/big.log"
	run -65 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/big.log"
	[ "$(jq -r .message <<<"$output")" = "$(printf 'before\nafter')" ]
	[[ $stderr == *"big.log:2: skipped: line of 10485760 bytes is longer than --max-line 1048576"* ]]
	run -0 bash -c "aiops-ingest --max-line 20000000 '$BATS_TEST_TMPDIR/big.log' | wc -l"
	[ "$output" -eq 3 ]
}

@test "binary garbage is skipped line by line without a crash" {
	head -c 65536 /dev/urandom > "$BATS_TEST_TMPDIR/garbage"
	run --separate-stderr aiops-ingest -f text "$BATS_TEST_TMPDIR/garbage"
	[ "$status" -eq 0 ] || [ "$status" -eq 65 ]
	[ -z "$output" ] || jq -c . <<<"$output" >/dev/null
}

@test "a full disk is an I/O error, exit 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -74 --separate-stderr bash -c 'seq 1 100000 | aiops-ingest > /dev/full'
	[[ $stderr == *"writing standard output: No space left on device"* ]]
}

@test "a closed pipe ends quietly" {
	run --separate-stderr bash -c 'seq 1 200000 | aiops-ingest | head -n 1 >/dev/null; echo "${PIPESTATUS[1]}"'
	[[ $output == 0 || $output == 141 ]]
	[ -z "$stderr" ]
}

@test "SIGTERM stops a reader waiting on stdin after flushing what it had" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	aiops-ingest < "$BATS_TEST_TMPDIR/fifo" > "$BATS_TEST_TMPDIR/out" 3>&- &
	pid=$!
	exec 4> "$BATS_TEST_TMPDIR/fifo"
	echo "first line" >&4
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/out" ] && break; sleep 0.05; done
	kill -TERM "$pid"
	wait "$pid" || status=$?
	exec 4>&-
	[ "${status:-0}" -eq 0 ]
	[ "$(jq -r .message "$BATS_TEST_TMPDIR/out")" = "first line" ]
}

@test "--list-formats names every format" {
	run -0 aiops-ingest --list-formats
	for f in influx prometheus syslog json alertmanager redfish sentry nvsmi snmp csv text; do
		grep -q "^$f " <<<"$output"
	done
}

@test "an unknown format is a usage error" {
	run -64 --separate-stderr aiops-ingest -f nope
	[[ $stderr == *'unknown format "nope"'* ]]
}

@test "a config file sets defaults and an unknown key names file:line, exit 78" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'ingest:\n  host: from-config\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -0 aiops-ingest <<<"x"
	[ "$(jq -r .host <<<"$output")" = from-config ]
	AIOPS__INGEST__HOST=from-env run -0 aiops-ingest <<<"x"
	[ "$(jq -r .host <<<"$output")" = from-env ]
	printf 'ingest:\n  host: a\n  hots: b\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -78 --separate-stderr aiops-ingest <<<"x"
	[[ $stderr == *"aiops.yaml:3: unknown key 'ingest.hots'"* ]]
}

@test "--config names a file that must exist" {
	run -78 --separate-stderr aiops-ingest --config "$BATS_TEST_TMPDIR/none.yaml" <<<"x"
	[[ $stderr == *"none.yaml: No such file or directory"* ]]
}

@test "--log-format json writes diagnostics as JSON lines" {
	run -65 --separate-stderr aiops-ingest -f influx --log-format json <<<'bad'
	jq -s -e 'any(.[]; .level == "warning" and (.msg | test("skipped: missing fields")))' <<<"$stderr"
}
