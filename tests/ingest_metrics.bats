#!/usr/bin/env bats
# aiops-ingest on metric formats: InfluxDB line protocol and the Prometheus
# text format / OpenMetrics. Golden files in fixtures/ingest/.
setup() {
	load test_helper
	cd "$FIXTURES/ingest" || return
}

# Every line of a file is a JSON object, and jq -c . gives it back unchanged
# (but for values of 1e15 and more, which jq 1.6 prints without exponent).
ndjson_ok() {
	[ "$(jq -c 'type == "object"' "$1" | grep -c true)" -eq "$(wc -l < "$1")" ]
	diff -u <(grep -v '"value":-*[0-9.]*e+' "$1") \
	    <(jq -c 'select(.value == null or (.value | fabs) < 1e15)' "$1")
}

# golden FORMAT CASE EXT: stdout matches CASE.expected, and is NDJSON.
golden() {
	run -0 --separate-stderr aiops-ingest -f "$1" "$2.$3"
	diff -u "$2.expected" <(printf '%s\n' "$output")
	[ -z "$stderr" ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	ndjson_ok "$BATS_TEST_TMPDIR/out"
}

# ---------------------------------------------------------------- influx

@test "influx: escapes in measurement, tag keys and values, field keys and strings" {
	golden influx influx-escapes lp
}

@test "influx: float, integer, unsigned, boolean and string fields" {
	golden influx influx-types lp
}

@test "influx: comments, blank lines, missing timestamp, trailing blanks" {
	golden influx influx-layout lp
}

@test "influx: a missing timestamp is the frozen clock" {
	run -0 --separate-stderr aiops-ingest -f influx <<< 'm f=1'
	[ "$(jq -r .ts <<< "$output")" = 2026-11-22T12:00:00.000Z ]
}

@test "influx: precision s, ms, us, ns and auto" {
	check() {
		run -0 --separate-stderr aiops-ingest -f influx --precision "$1" <<< "m f=1 $2"
		[ "$(jq -r .ts <<< "$output")" = "$3" ]
	}
	check s 1700000000 2023-11-14T22:13:20.000Z
	check ms 1700000000123 2023-11-14T22:13:20.123Z
	check us 1700000000123456 2023-11-14T22:13:20.123456Z
	check ns 1700000000123456789 2023-11-14T22:13:20.123456789Z
	check ms 1700000000 1970-01-20T16:13:20.000Z
	check s -1 1969-12-31T23:59:59.000Z
	check auto 1700000000 2023-11-14T22:13:20.000Z
	check auto 1700000000123 2023-11-14T22:13:20.123Z
	check auto 1700000000123456789 2023-11-14T22:13:20.123456789Z
}

@test "influx: a timestamp that overflows in its precision is a bad line" {
	run -65 --separate-stderr aiops-ingest -f influx --precision s <<< 'm f=1 9300000000000'
	[ -z "$output" ]
	[[ $stderr == *"(stdin):1: skipped: timestamp out of range at column 7"* ]]
}

@test "influx: CRLF line ends and a last line without newline" {
	printf 'cpu,host=h1 usage=1.5 1700000000000000000\r\ncpu,host=h2 usage=2.5 1700000000000000000\r\n# c\r\ncpu,host=h3 usage=3.5 1700000000000000000' > "$BATS_TEST_TMPDIR/crlf.lp"
	run -0 --separate-stderr aiops-ingest -f influx "$BATS_TEST_TMPDIR/crlf.lp"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -r .host <<< "$output" | tr '\n' ' ')" = "h1 h2 h3 " ]
	[ "$(jq -r .value <<< "$output" | tr '\n' ' ')" = "1.5 2.5 3.5 " ]
}

@test "influx: bad lines are skipped with file:line: what at column, status 65" {
	run -65 --separate-stderr aiops-ingest -v -f influx influx-bad.lp
	diff -u influx-bad.expected <(printf '%s\n' "$output")
	diff -u influx-bad.stderr <(grep -o 'influx-bad.lp:[0-9]*: skipped: .*' <<< "$stderr")
	[[ $stderr == *"29 lines skipped"* ]]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	ndjson_ok "$BATS_TEST_TMPDIR/out"
}

@test "influx: a bad line emits none of its fields" {
	run -65 --separate-stderr aiops-ingest -f influx <<< 'm a=1,b=2,c=x 1700000000000000000'
	[ -z "$output" ]
	[[ $stderr == *"(stdin):1: skipped: bad field value at column 13"* ]]
}

@test "influx: --strict stops at the first bad line" {
	run -65 --separate-stderr aiops-ingest -f influx --strict influx-bad.lp
	[ "${#lines[@]}" -eq 1 ]
	[[ $stderr == *"influx-bad.lp:2: skipped: missing fields at column 2"* ]]
	[[ $stderr == *"stopping (--strict)"* ]]
	[[ $stderr != *"influx-bad.lp:3:"* ]]
}

@test "influx: a 10 MB line is refused by --max-line and the next lines flow" {
	{
		echo 'a f=1 1700000000000000000'
		printf 'big,t=x f="'
		head -c 10485760 /dev/zero | tr '\0' x
		echo '"'
		echo 'b f=2 1700000000000000000'
	} > "$BATS_TEST_TMPDIR/big.lp"
	run -65 --separate-stderr aiops-ingest -f influx "$BATS_TEST_TMPDIR/big.lp"
	[ "$(jq -r .name <<< "$output" | tr '\n' ' ')" = "a_f b_f " ]
	[[ $stderr == *"big.lp:2: skipped: line of 10485772 bytes is longer than --max-line"* ]]
}

@test "influx: a string field over 64 KiB is a bad line" {
	{
		printf 'm s="'
		head -c 70000 /dev/zero | tr '\0' x
		echo '",f=1'
	} > "$BATS_TEST_TMPDIR/long.lp"
	run -65 --separate-stderr aiops-ingest -f influx "$BATS_TEST_TMPDIR/long.lp"
	[ -z "$output" ]
	[[ $stderr == *"long.lp:1: skipped: string field longer than 64 KiB at column 5"* ]]
}

@test "influx: binary garbage is skipped, stdout stays NDJSON" {
	{
		echo 'a f=1 1700000000000000000'
		head -c 4096 /dev/urandom
		printf '\nb f=2 1700000000000000000\n'
	} > "$BATS_TEST_TMPDIR/garbage.lp"
	run --separate-stderr aiops-ingest -f influx "$BATS_TEST_TMPDIR/garbage.lp"
	[ "$status" -eq 65 ] || [ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	ndjson_ok "$BATS_TEST_TMPDIR/out"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/out" | jq -r .name)" = a_f ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/out" | jq -r .name)" = b_f ]
}

@test "influx: an empty file gives nothing and succeeds" {
	: > "$BATS_TEST_TMPDIR/empty.lp"
	run -0 --separate-stderr aiops-ingest -f influx "$BATS_TEST_TMPDIR/empty.lp"
	[ -z "$output" ]
	[ -z "$stderr" ]
}

@test "influx: the host tag wins over --host, which fills in for lines without one" {
	run -0 --separate-stderr aiops-ingest -f influx --host dflt <<-'EOF'
	m,host=h1,a=b f=1 1700000000000000000
	m,a=b f=1 1700000000000000000
	EOF
	[ "$(jq -r .host <<< "$output" | tr '\n' ' ')" = "h1 dflt " ]
	[ "$(jq -c .labels <<< "$output" | sort -u)" = '{"a":"b"}' ]
}

@test "influx: --format auto finds line protocol" {
	run -0 --separate-stderr aiops-ingest influx-types.lp
	diff -u influx-types.expected <(printf '%s\n' "$output")
	run -0 --separate-stderr aiops-ingest < influx-layout.lp
	diff -u influx-layout.expected <(printf '%s\n' "$output")
}

# ---------------------------------------------------------------- prometheus

@test "prometheus: 0.0.4 example with HELP, TYPE, escapes, histogram and summary" {
	run -0 --separate-stderr aiops-ingest -v -f prometheus prom-basic.prom
	diff -u prom-basic.expected <(printf '%s\n' "$output")
	# Its +Inf sample is counted and shown, not written.
	[ "$stderr" = 'aiops-ingest: prom-basic.prom:13: +Inf sample of something_weird{problem="division by zero"} not written: JSON has no number for it
aiops-ingest: 1 sample not written: the value is NaN or infinite (-v shows them)' ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	ndjson_ok "$BATS_TEST_TMPDIR/out"
}

@test "prometheus: OpenMetrics UNIT, _total, exemplars, all types and # EOF" {
	golden prometheus prom-om prom
	[ "$(grep -c '"unit":"seconds"' prom-om.expected)" -eq 4 ]
}

@test "prometheus: label value escapes and blanks" {
	golden prometheus prom-escapes prom
}

@test "prometheus: NaN and infinite values make no event and no error, and are counted" {
	run -0 --separate-stderr aiops-ingest -f prometheus prom-nan.prom
	diff -u prom-nan.expected <(printf '%s\n' "$output")
	[ "$stderr" = "aiops-ingest: 5 samples not written: the value is NaN or infinite (-v shows them)" ]
}

@test "prometheus: bad lines are skipped with file:line: what at column, status 65" {
	run -65 --separate-stderr aiops-ingest -v -f prometheus prom-bad.prom
	diff -u prom-bad.expected <(printf '%s\n' "$output")
	diff -u prom-bad.stderr <(grep -o 'prom-bad.prom:[0-9]*: skipped: .*' <<< "$stderr")
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	ndjson_ok "$BATS_TEST_TMPDIR/out"
}

@test "prometheus: anything after # EOF is an error" {
	run -65 --separate-stderr aiops-ingest -f prometheus prom-eof.prom
	diff -u prom-eof.expected <(printf '%s\n' "$output")
	[[ $stderr == *"prom-eof.prom:4: skipped: data after # EOF"* ]]
}

@test "prometheus: timestamps are ms, or seconds with a '.', an exponent or below 1e11" {
	run -0 --separate-stderr aiops-ingest -f prometheus <<-'EOF'
	a 1 1700000000123
	a 1 1700000000
	a 1 1700000000.5
	a 1 1.7000000005e9
	a 1
	EOF
	[ "$(jq -r .ts <<< "$output" | tr '\n' ' ')" = "2023-11-14T22:13:20.123Z 2023-11-14T22:13:20.000Z 2023-11-14T22:13:20.500Z 2023-11-14T22:13:20.500Z 2026-11-22T12:00:00.000Z " ]
}

@test "prometheus: CRLF, a last line without newline, binary garbage" {
	{
		printf '# TYPE a gauge\r\na 1 1700000000000\r\n'
		head -c 4096 /dev/urandom
		printf '\na 2 1700000000000'
	} > "$BATS_TEST_TMPDIR/mixed.prom"
	run --separate-stderr aiops-ingest -f prometheus "$BATS_TEST_TMPDIR/mixed.prom"
	[ "$status" -eq 65 ] || [ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	ndjson_ok "$BATS_TEST_TMPDIR/out"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/out" | jq -r .value)" = 1 ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/out" | jq -r .value)" = 2 ]
}

@test "prometheus: --format auto finds the exposition format" {
	run -0 --separate-stderr aiops-ingest prom-basic.prom
	diff -u prom-basic.expected <(printf '%s\n' "$output")
	run -0 --separate-stderr aiops-ingest < prom-om.prom
	diff -u prom-om.expected <(printf '%s\n' "$output")
	run -0 --separate-stderr aiops-ingest <<< 'up{job="node"} 1 1700000000000'
	[ "$(jq -r .name <<< "$output")" = up ]
}
