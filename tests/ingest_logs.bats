#!/usr/bin/env bats
# aiops-ingest, the log-side formats: syslog (RFC 3164, RFC 5424), JSON and
# NDJSON logs (field mapping, documents, aiops events), and CSV.
setup() {
	load test_helper
	F="$FIXTURES/ingest"
}

# golden CASE [ARGS...]: ingest $F/CASE.* (one file) and compare with CASE.expected.
golden() {
	local case=$1; shift
	local in
	in=$(ls "$F/$case".* | grep -v '\.expected$')
	run --separate-stderr aiops-ingest "$@" "$in"
	diff -u "$F/$case.expected" <(printf '%s\n' "$output" | sed '/^$/d')
}

# ---- syslog ----

@test "syslog: RFC 3164 with PRI: facility, severity, tag, pid, no-host lines, RFC 3339 time" {
	golden syslog-3164
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(jq -r .source <<<"$output" | sort -u)" = syslog ]
}

@test "syslog: a /var/log/syslog file without PRI is detected and parsed" {
	golden syslog-file
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "syslog: RFC 5424 with structured data, escapes, NILVALUEs and a BOM" {
	golden syslog-5424
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(jq -r 'select(.labels["sd.a@1.q"]) | .labels["sd.a@1.q"]' <<<"$output")" = 'say "hi"' ]
}

@test "syslog: RFC 3164 takes the year nearest to the clock" {
	run -0 env AIOPS_NOW=2027-01-05T00:00:00Z aiops-ingest -f syslog <<-'EOF'
	Dec 31 23:00:00 h app: last year
	Jan 20 10:00:00 h app: two weeks ahead is still this year
	EOF
	[ "$(jq -r .ts <<<"$output")" = "$(printf '2026-12-31T23:00:00.000Z\n2027-01-20T10:00:00.000Z')" ]
	run -0 env AIOPS_NOW=2028-03-01T00:00:00Z aiops-ingest -f syslog <<<"Feb 29 12:00:00 h app: leap year"
	[ "$(jq -r .ts <<<"$output")" = 2028-02-29T12:00:00.000Z ]
}

# RFC 3164 4.3.2: a line without a valid header is a message all the same
# (it used to be skipped as a bad timestamp); only a broken PRI or RFC 5424
# line is skipped.
@test "syslog: bad PRI and broken RFC 5424 are skipped with their column; headerless lines kept" {
	golden syslog-bad -v
	[ "$status" -eq 65 ]
	[[ $stderr == *"syslog-bad.log:2: skipped: PRI 192 out of range (0-191) at column 2"* ]]
	[[ $stderr == *"syslog-bad.log:3: skipped: bad PRI (expected <0-191>) at column 3"* ]]
	[[ $stderr == *"syslog-bad.log:4: skipped: bad PRI (expected <0-191>) at column 4"* ]]
	[[ $stderr == *"syslog-bad.log:6: no such date or time at column 5: the line is the message, at the time of receipt"* ]]
	[[ $stderr == *"syslog-bad.log:8: no such date or time at column 5"* ]]
	[[ $stderr == *"syslog-bad.log:10: skipped: bad TIMESTAMP at column 7"* ]]
	[[ $stderr == *"syslog-bad.log:11: skipped: truncated header after APP-NAME at column 31"* ]]
	[[ $stderr == *"syslog-bad.log:12: skipped: unterminated SD element at column 55"* ]]
	[[ $stderr == *"syslog-bad.log:13: skipped: unterminated SD value at column 55"* ]]
	[[ $stderr == *"syslog-bad.log:14: skipped: expected '\"' at column 41"* ]]
	[[ $stderr == *"9 lines skipped"* ]]
	[[ $stderr != *"skipped: bad timestamp"* && $stderr != *"skipped: bad date"* ]]
}

@test "syslog: --strict stops at the first bad line" {
	run -65 --separate-stderr aiops-ingest --strict "$F/syslog-bad.log"
	[ "$(jq -r .message <<<"$output")" = first ]
	[[ $stderr == *"syslog-bad.log:2: stopping (--strict)"* ]]
}

@test "syslog: an SD escape at every position of a value" {
	for i in 0 1 2 3 4 5 6; do
		for e in '\"' '\\' '\]'; do
			v="abcdef"
			raw="${v:0:i}$e${v:i}"
			want="${v:0:i}${e:1}${v:i}"
			run -0 aiops-ingest -f syslog <<<"<13>1 - h a - - [x k=\"$raw\"] m"
			[ "$(jq -r '.labels["sd.x.k"]' <<<"$output")" = "$want" ]
		done
	done
}

@test "syslog: CRLF line ends and a last line without newline" {
	sed 's/$/\r/' "$F/syslog-5424.log" > "$BATS_TEST_TMPDIR/crlf.log"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/crlf.log"
	# Another file: a line of no time of its own has another id (aiops(7)).
	diff -u <(jq -c 'del(.id)' "$F/syslog-5424.expected") <(printf '%s\n' "$output" | jq -c 'del(.id)')
	printf '<13>Nov 22 11:00:00 h app: no newline' > "$BATS_TEST_TMPDIR/nonl.log"
	run -0 aiops-ingest "$BATS_TEST_TMPDIR/nonl.log"
	[ "$(jq -r .message <<<"$output")" = "no newline" ]
}

# ---- JSON ----

@test "json: logs with the usual key names, epoch s/ms/us/ns, nested and unknown levels" {
	golden json-logs
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "json: --map names the keys of ts, message, severity, host and service" {
	golden json-map --map ts=t --map message=body --map severity=sev --map host=node --map service=unit
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "json: the same mapping from the config file" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	cat > "$XDG_CONFIG_HOME/aiops/aiops.yaml" <<-'EOF'
	ingest:
	  json:
	    fields:
	      ts: t
	      message: body
	      severity: sev
	      host: node
	      service: unit
	EOF
	golden json-map
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "json: --map wins over the config file" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'ingest:\n  json:\n    fields:\n      message: msg\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	run -0 aiops-ingest -f json <<<'{"msg":"from config","body":"from --map"}'
	[ "$(jq -r .message <<<"$output")" = "from config" ]
	run -0 aiops-ingest -f json --map message=body <<<'{"msg":"from config","body":"from --map"}'
	[ "$(jq -r .message <<<"$output")" = "from --map" ]
	[ "$(jq -r .fields.msg <<<"$output")" = "from config" ]
}

@test "json: a mapped key of the wrong type is an error" {
	golden json-types --map ts=when --map message=text --map host=node --map severity=lvl
	[ "$status" -eq 65 ]
	[[ $stderr == *"json-types.ndjson:2: skipped: bad time in key \"when\": expected RFC 3339 or an epoch number"* ]]
	[[ $stderr == *"json-types.ndjson:4: skipped: bad time in key \"when\""* ]]
	[[ $stderr == *"json-types.ndjson:5: skipped: message: key \"text\" is not a string"* ]]
	[[ $stderr == *"json-types.ndjson:6: skipped: host: key \"node\" is not a string"* ]]
	[[ $stderr == *"json-types.ndjson:7: skipped: severity: key \"lvl\" is not a string or a number"* ]]
	[[ $stderr == *"6 lines skipped"* ]]
}

@test "json: pretty-printed documents, several in a row, blank lines inside" {
	golden json-pretty
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "json: aiops events are checked, a metric written normalised, ingest output re-ingests to itself" {
	golden json-event
	[ "$status" -eq 0 ]
	run -0 bash -c "aiops-ingest '$F/json-logs.ndjson' | aiops-ingest"
	diff -u "$F/json-logs.expected" <(printf '%s\n' "$output")
}

@test "json: bad NDJSON lines are skipped, each with its reason" {
	golden json-bad
	[ "$status" -eq 65 ]
	[[ $stderr == *"json-bad.ndjson:2: skipped: truncated JSON: premature end of input"* ]]
	[[ $stderr == *"json-bad.ndjson:3: skipped: truncated JSON: '}' expected near end of file"* ]]
	[[ $stderr == *"json-bad.ndjson:4: skipped: expected a JSON object, got an array"* ]]
	[[ $stderr == *"json-bad.ndjson:5: skipped: expected a JSON object, got a string"* ]]
	[[ $stderr == *"json-bad.ndjson:6: skipped: expected a JSON object, got a number"* ]]
	[[ $stderr == *"json-bad.ndjson:7: skipped: bad time \"yesterday\" in key \"time\""* ]]
	[[ $stderr == *"json-bad.ndjson:8: skipped: invalid escape near"* ]]
	[[ $stderr == *"json-bad.ndjson:9: skipped: \\u0000 is not allowed"* ]]
	[[ $stderr == *"8 lines skipped"* ]]
}

@test "json: a bad document is reported at its line; the next documents flow" {
	golden json-bad-pretty
	[ "$status" -eq 65 ]
	[[ $stderr == *"json-bad-pretty.json:6: skipped: '}' expected near '\"level\"' at column 9"* ]]
	[[ $stderr == *"json-bad-pretty.json:12: skipped: truncated document (starting at line 11)"* ]]
	[[ $stderr == *"json-bad-pretty.json:16: skipped: expected a JSON object, got an array"* ]]
	[[ $stderr == *"json-bad-pretty.json:20: skipped: truncated document (starting at line 19)"* ]]
	[[ $stderr == *"4 lines skipped"* ]]
}

@test "json: CRLF, a BOM, and a last line or document without newline" {
	{ printf '\357\273\277'; sed 's/$/\r/' "$F/json-pretty.json"; } > "$BATS_TEST_TMPDIR/crlf.json"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/crlf.json"
	diff -u <(jq -c 'del(.id)' "$F/json-pretty.expected") <(printf '%s\n' "$output" | jq -c 'del(.id)')
	printf '{"msg":"a"}\n{"msg":"no newline"}' > "$BATS_TEST_TMPDIR/nonl.ndjson"
	run -0 aiops-ingest "$BATS_TEST_TMPDIR/nonl.ndjson"
	[ "$(jq -r .message <<<"$output")" = "$(printf 'a\nno newline')" ]
	printf '{\n  "msg": "doc without newline"\n}' > "$BATS_TEST_TMPDIR/nonl.json"
	run -0 aiops-ingest "$BATS_TEST_TMPDIR/nonl.json"
	[ "$(jq -r .message <<<"$output")" = "doc without newline" ]
}

@test "json: a document over 64 MiB is refused; the next one flows" {
	x=$(head -c 1000000 /dev/zero | tr '\0' x)
	{
		echo '{'
		for i in $(seq 1 70); do printf '  "k%d": "%s",\n' "$i" "$x"; done
		echo '  "end": 1'
		echo '}'
		echo '{"msg": "after"}'
	} > "$BATS_TEST_TMPDIR/big.json"
	run -65 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/big.json"
	[ "$(jq -r .message <<<"$output")" = after ]
	[[ $stderr == *"big.json:1: skipped: JSON document longer than 64 MiB"* ]]
	[[ $stderr == *"1 line skipped"* ]]
}

@test "json: an escape at every position of a message and a key" {
	for i in 0 1 2 3 4 5 6; do
		for e in '\"' '\\' '\/' '\n' '\t' '\u00e9' '\ud83d\ude00'; do
			v="abcdef"
			raw="${v:0:i}$e${v:i}"
			run -0 aiops-ingest -f json <<<"{\"msg\":\"$raw\",\"k$raw\":1}"
			[ "$(jq -c '[.message, (.fields | keys[0])]' <<<"$output")" = \
			    "$(jq -c '[.msg, (del(.msg) | keys[0])]' <<<"{\"msg\":\"$raw\",\"k$raw\":1}")" ]
		done
	done
}

@test "json: forced alertmanager or redfish on something else is skipped" {
	run -65 --separate-stderr aiops-ingest -f alertmanager <<<'{"msg":"a log"}'
	[ -z "$output" ]
	[[ $stderr == *"(stdin):1: skipped: "* ]]
	run -65 --separate-stderr aiops-ingest -f redfish <<<'{"msg":"a log"}'
	[ -z "$output" ]
	[[ $stderr == *"(stdin):1: skipped: "* ]]
}

# ---- CSV ----

@test "csv: wide rows, a metric per numeric column, the other columns labels" {
	golden csv-wide
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(jq -r .source <<<"$output" | sort -u)" = csv ]
}

@test "csv: name,value rows, one metric each, with unit and labels" {
	golden csv-long
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "csv: bad rows are skipped with their reason" {
	golden csv-bad
	[ "$status" -eq 65 ]
	[[ $stderr == *"csv-bad.csv:3: skipped: column cpu: \"abc\" is not a number"* ]]
	[[ $stderr == *"csv-bad.csv:4: skipped: expected 4 fields as in the header, got 3"* ]]
	[[ $stderr == *"csv-bad.csv:5: skipped: expected 4 fields as in the header, got 5"* ]]
	[[ $stderr == *"csv-bad.csv:6: skipped: column time: bad time \"yesterday\""* ]]
	# The quote of line 7 opens a field that line 8's first quote closes.
	[[ $stderr == *"csv-bad.csv:7: skipped: unexpected 'c' after a closing quote at line 8 column 31 (in the record of lines 7-8 that the quote at line 7 column 30 opened)"* ]]
	[[ $stderr == *"csv-bad.csv:9: skipped: column cpu: \"0x1F\" is not a number"* ]]
	[[ $stderr == *"8 lines skipped"* ]]
}

@test "csv: CRLF and a last line without newline" {
	golden csv-crlf
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
}

@test "csv: a byte order mark and a quoted header; a bad header is retried on the next line" {
	printf '\357\273\277"ts","load"\n2026-11-22T10:00:00Z,0.5\n' > "$BATS_TEST_TMPDIR/bom.csv"
	run -0 aiops-ingest "$BATS_TEST_TMPDIR/bom.csv"
	[ "$(jq -c '[.name, .value, .ts]' <<<"$output")" = '["load",0.5,"2026-11-22T10:00:00.000Z"]' ]
	run -65 --separate-stderr aiops-ingest -f csv <<-'EOF'
	time,x,x
	time,x
	2026-11-22T10:00:00Z,1
	EOF
	[[ $stderr == *"(stdin):1: skipped: header: column \"x\" appears twice"* ]]
	[ "$(jq -r .name <<<"$output")" = x ]
}

@test "csv: a hundred metric columns; more than 64 label columns is an error" {
	{
		printf 'time'; for i in $(seq 1 100); do printf ',c%d' "$i"; done; echo
		printf '2026-11-22T10:00:00Z'; for i in $(seq 1 100); do printf ',%d' "$i"; done; echo
		printf '2026-11-22T10:01:00Z'; for i in $(seq 1 100); do printf ',x%d' "$i"; done; echo
	} > "$BATS_TEST_TMPDIR/wide.csv"
	run -65 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/wide.csv"
	[ "$(jq -s 'length' <<<"$output")" -eq 100 ]
	[ "$(jq -s 'map(.value) | add' <<<"$output")" -eq 5050 ]
	[[ $stderr == *"wide.csv:3: skipped: column c1: \"x1\" is not a number"* ]]
	{
		printf 'time'; for i in $(seq 1 70); do printf ',l%d' "$i"; done; echo ',v'
		printf '2026-11-22T10:00:00Z'; for i in $(seq 1 70); do printf ',x'; done; echo ',1'
	} > "$BATS_TEST_TMPDIR/labels.csv"
	run -65 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/labels.csv"
	[[ $stderr == *"labels.csv:2: skipped: more than 64 label columns"* ]]
}

# ---- all three ----

@test "all: every golden output is compact NDJSON as jq -c writes it" {
	for f in "$F"/syslog-*.expected "$F"/json-*.expected "$F"/csv-*.expected; do
		diff -u "$f" <(jq -c . "$f")
	done
}

@test "all: one severity vocabulary (aiops(7)) for JSON levels, syslog and plain text" {
	printf '%s\n' '{"msg":"a","level":"dbg"}' '{"msg":"b","level":"Emergency"}' \
	    '{"msg":"c","level":"informational"}' '{"msg":"d","level":"e"}' \
	    '{"msg":"e","level":"FAILURE"}' '{"msg":"f","level":"C"}' > "$BATS_TEST_TMPDIR/in.ndjson"
	run -0 aiops-ingest -f json "$BATS_TEST_TMPDIR/in.ndjson"
	[ "$(jq -r .severity <<<"$output" | paste -sd ' ')" = "debug critical info error error info" ]
	# A level no word names stays in the fields.
	jq -e -s '.[5].fields.level == "C" and (.[0] | has("fields") | not)' <<<"$output"
	# Letter codes set apart by spaces, but not a unit or the article "A".
	printf '%s\n' '12-01 10:00:00.123  1234  1235 E Tag: boom' \
	    '2026-11-15T00:00:00Z gpu-1 temperature 90 C >= threshold 88 C' \
	    '2026-11-15T00:00:00Z A new session; then an ERROR' \
	    '2026-11-15T00:00:00Z [verbose] cache warm' > "$BATS_TEST_TMPDIR/in.log"
	run -0 aiops-ingest -f text "$BATS_TEST_TMPDIR/in.log"
	[ "$(jq -r .severity <<<"$output" | paste -sd ' ')" = "error info error debug" ]
	printf '%s\n' 'Nov 15 00:00:01 gpu-1 dcgm[1]: temperature 90 C >= slowdown threshold 88 C' \
	    'Nov 15 00:00:02 web-1 app[2]: [dbg] cache warm' > "$BATS_TEST_TMPDIR/syslog.log"
	run -0 aiops-ingest -f syslog "$BATS_TEST_TMPDIR/syslog.log"
	# No PRI and no level word: RFC 3164's default, notice.
	[ "$(jq -r .severity <<<"$output" | paste -sd ' ')" = "notice debug" ]
}

@test "text: logfmt (Prometheus, Loki, Go's slog): level= in lower case and ts= or time= are read" {
	printf '%s\n' 'level=info ts=2026-11-20T10:00:00.123Z caller=main.go:1 msg="Starting Prometheus"' \
	    'ts=2026-11-20T10:00:01Z level=error caller=x msg="failed to bind"' \
	    'time="2026-11-20T10:00:02+01:00" level=WARN msg="slow"' \
	    'level=whatever msg=x' 'time=yesterday lvl=debug msg=y' > "$BATS_TEST_TMPDIR/logfmt.log"
	run -0 --separate-stderr aiops-ingest -v "$BATS_TEST_TMPDIR/logfmt.log"
	[[ $stderr == *"format text (text 5, "* ]]
	[ "$(jq -r '.source + " " + .ts + " " + .severity' <<<"$output")" = "$(printf '%s\n' \
	    'text 2026-11-20T10:00:00.123Z info' 'text 2026-11-20T10:00:01.000Z error' \
	    'text 2026-11-20T09:00:02.000Z warning' 'text 2026-11-22T12:00:00.000Z info' \
	    'text 2026-11-22T12:00:00.000Z debug')" ]
	# In a message, as in prose, "level=" names the level too; "error" alone does not.
	run -0 aiops-ingest -f syslog <<<'Nov 20 10:00:00 web-1 app[2]: level=error msg="disk full"'
	[ "$(jq -r .severity <<<"$output")" = error ]
}

@test "all: invalid UTF-8 becomes U+FFFD and is counted; the line is kept" {
	printf '<13>Nov 22 11:00:00 h a: ok\n<13>Nov 22 11:00:00 h a: bad \377\n' > "$BATS_TEST_TMPDIR/u.log"
	printf '{"msg":"ok"}\n{"msg":"bad \300\257"}\n' > "$BATS_TEST_TMPDIR/u.ndjson"
	printf 'time,v,l\n2026-11-22T10:00:00Z,1,ok\n2026-11-22T10:00:00Z,2,\355\240\200\n' > "$BATS_TEST_TMPDIR/u.csv"
	run -0 --separate-stderr aiops-ingest -v "$BATS_TEST_TMPDIR/u.log"
	[ "$(jq -r .message <<<"$output")" = "$(printf 'ok\nbad \357\277\275')" ]
	[[ $stderr == *"u.log:2: invalid UTF-8 at byte 30 replaced by U+FFFD"* ]]
	[[ $stderr == *"1 line kept with invalid UTF-8 replaced by U+FFFD"* ]]
	# JSON too (jansson would refuse the line): the bytes are replaced first.
	run -0 --separate-stderr aiops-ingest -v "$BATS_TEST_TMPDIR/u.ndjson"
	[ "$(jq -r .message <<<"$output")" = "$(printf 'ok\nbad \357\277\275\357\277\275')" ]
	[[ $stderr == *"u.ndjson:2: invalid UTF-8 at byte 13 replaced by U+FFFD"* ]]
	run -0 --separate-stderr aiops-ingest -v "$BATS_TEST_TMPDIR/u.csv"
	[ "$(jq -r .labels.l <<<"$output")" = "$(printf 'ok\n\357\277\275\357\277\275\357\277\275')" ]
	[[ $stderr == *"u.csv:3: invalid UTF-8 at byte 24 replaced by U+FFFD"* ]]
}

@test "all: an empty file gives nothing and exit 0" {
	: > "$BATS_TEST_TMPDIR/empty"
	for f in syslog json csv; do
		run -0 --separate-stderr aiops-ingest -f "$f" "$BATS_TEST_TMPDIR/empty"
		[ -z "$output" ] && [ -z "$stderr" ]
	done
}

@test "all: binary garbage is skipped without a crash; stdout stays NDJSON" {
	head -c 262144 /dev/urandom > "$BATS_TEST_TMPDIR/garbage"
	for f in syslog json csv; do
		run --separate-stderr aiops-ingest -f "$f" "$BATS_TEST_TMPDIR/garbage"
		[ "$status" -eq 0 ] || [ "$status" -eq 65 ]
		[ -z "$output" ] || jq -c . <<<"$output" >/dev/null
	done
}

@test "all: truncated lines at every length are skipped or parsed, never a crash" {
	for f in "$F/syslog-5424.log" "$F/json-logs.ndjson" "$F/csv-wide.csv"; do
		line=$(sed -n 2p "$f")
		head -n 1 "$f" > "$BATS_TEST_TMPDIR/t"
		for ((i = 1; i < ${#line}; i += 3)); do
			printf '%s\n' "${line:0:i}" >> "$BATS_TEST_TMPDIR/t"
		done
		run --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/t"
		[ "$status" -eq 0 ] || [ "$status" -eq 65 ]
		[ -z "$output" ] || jq -c . <<<"$output" >/dev/null
	done
}

@test "text: the header is split as aiops-detect --raw splits it: time, host, program, pid, level, message agree" {
	printf '%s\n' '<11>Jan  5 00:00:00 app-1 worker[865]: error: upstream timeout after 4713 ms' \
	    '2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.MRAppMaster: Created MRAppMaster' \
	    '17/06/09 20:10:40 WARN executor.Backend: Registered signal handlers' \
	    '<134>1 2026-11-30T09:15:02.040Z web-03 auth 38098 ID47 - user gone' \
	    '2026-11-30T09:15:02.006555846Z stderr F disk full' \
	    'just a line' > "$BATS_TEST_TMPDIR/in.log"
	export AIOPS_NOW=2026-01-06T00:00:00Z
	run -0 aiops-ingest -f text "$BATS_TEST_TMPDIR/in.log"
	ingest=$(jq -c '[.ts, .host, .service, .labels.pid, .severity, .message]' <<<"$output")
	run -0 aiops-detect --raw --all --no-state "$BATS_TEST_TMPDIR/in.log"
	detect=$(jq -c '[.ts, .host, .service, .labels.pid, .severity, .message]' <<<"$output")
	[ "$ingest" = "$detect" ]
	[ "$(sed -n 1p <<<"$ingest")" = '["2026-01-05T00:00:00.000Z","app-1","worker","865","error","error: upstream timeout after 4713 ms"]' ]
	[ "$(sed -n 4p <<<"$ingest")" = '["2026-11-30T09:15:02.040Z","web-03","auth","38098","info","user gone"]' ]
}

@test "text: a header in no built-in list is learned from the input's first lines" {
	for ((i = 0; i < 40; i++)); do
		printf '11/30/2026 9:15:%02d AM | %s | billing | %s\n' $i \
		    "$( ((i % 4)) && echo INFO || echo ERROR)" \
		    "$(case $((i % 3)) in 0) echo "invoice $i sent";; 1) echo "payment $i declined: card expired";; 2) echo "retry queue at $i";; esac)"
	done > "$BATS_TEST_TMPDIR/in.log"
	run -0 aiops-ingest -f text "$BATS_TEST_TMPDIR/in.log"
	# learned after 32 lines: the last ones lose their header
	[ "$(jq -r '[.service, .severity, .message] | join(",")' <<<"$output" | tail -n 2)" = "$(printf '%s\n' \
	    'billing,info,retry queue at 38' 'billing,info,invoice 39 sent')" ]
	# aiops-detect holds the first lines back until it has learned: all lose it
	run -0 aiops-detect --raw --all --no-state "$BATS_TEST_TMPDIR/in.log"
	[ "$(jq -r .message <<<"$output" | grep -c '|')" -eq 0 ]
	[ "$(jq -r .service <<<"$output" | sort -u)" = billing ]
}
