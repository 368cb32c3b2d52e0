#!/usr/bin/env bats
# aiops-detect --raw: a line's time is its own, whatever form its header
# writes it in (lib/core/logtime.c, shared with aiops-ingest), or its JSON
# or logfmt time key; rates and bursts are counted on that time. The
# field cases l05 and l06 come from tests/fixtures/detect-cases/logtime.py.
setup() {
	load test_helper
	CASES="$FIXTURES/detect-cases/logtime.py"
	# The cases' lines are of 5 January 2026 and their RFC 3164 times have
	# no year: they are read the next day.
	export AIOPS_NOW=2026-01-06T00:00:00Z
}

# gen NAME: the case's lines into $BATS_TEST_TMPDIR/NAME.
gen() {
	python3 "$CASES" "$1" > "$BATS_TEST_TMPDIR/$1"
}

# anomalies NAME [options]: aiops-detect --raw over the case with the
# test's state; the anomalies, one JSON array a line: [ts, name, value].
anomalies() {
	local name=$1; shift
	gen "$name"
	aiops-detect --raw --all --state "$AIOPS_STATE" "$@" "$BATS_TEST_TMPDIR/$name" |
	    jq -c 'select(.type == "anomaly") | [.ts, .name, .value]'
}

# times [options]: the "ts" of each event aiops-detect --raw --all writes
# for the lines on stdin, one a line.
times() {
	aiops-detect --raw --all --no-state "$@" | jq -r .ts
}

# ---- the field cases ----

@test "l05: an error every 5 minutes in RFC 3164 syslog is no burst" {
	run -0 anomalies l05_syslog_3164
	[ -z "$output" ]
}

@test "l05: ... nor with ISO 8601 times" {
	run -0 anomalies l05_iso
	[ -z "$output" ]
}

@test "l05: the RFC 3164 lines are counted on their own times, 10 s apart" {
	gen l05_syslog_3164
	run -0 times < "$BATS_TEST_TMPDIR/l05_syslog_3164"
	[ "$(sed -n 1p <<<"$output")" = 2026-01-05T00:00:00.000Z ]
	[ "$(sed -n 2p <<<"$output")" = 2026-01-05T00:00:10.000Z ]
	[ "$(sed -n '$p' <<<"$output")" = 2026-01-05T07:59:50.000Z ]
}

@test "l06: a burst of 80 errors in a minute is flagged in the ISO 8601 file" {
	run -0 anomalies l06_burst_iso
	[ "$output" = '["2026-01-05T06:01:00.000Z","log_template_rate",80]
["2026-01-05T06:01:00.000Z","log_error_rate",80]' ]
}

@test "l06: ... and in the RFC 3164 file, as in the ISO one" {
	iso=$(anomalies l06_burst_iso)
	rm -f "$AIOPS_STATE"
	run -0 anomalies l06_burst_3164
	[ -n "$output" ]
	[ "$output" = "$iso" ]
}

@test "l06: ... and with --clock event" {
	iso=$(anomalies l06_burst_iso)
	rm -f "$AIOPS_STATE"
	run -0 anomalies l06_burst_3164 --clock event
	[ "$output" = "$iso" ]
}

# ---- our own: the same burst in other forms ----

@test "the l06 burst in JSON lines (epoch ms in @timestamp) is flagged the same" {
	iso=$(anomalies l06_burst_iso)
	rm -f "$AIOPS_STATE"
	run -0 anomalies k_burst_json
	[ "$output" = "$iso" ]
}

@test "the l06 burst in logfmt lines (ts=) is flagged the same" {
	iso=$(anomalies l06_burst_iso)
	rm -f "$AIOPS_STATE"
	run -0 anomalies k_burst_logfmt
	[ "$output" = "$iso" ]
}

@test "the l06 burst in HDFS lines (YYMMDD HHMMSS) is flagged the same" {
	iso=$(anomalies l06_burst_iso)
	rm -f "$AIOPS_STATE"
	run -0 anomalies k_burst_hdfs
	[ "$output" = "$iso" ]
}

# ---- one line of each form ----

@test "every header form gives the line's own time" {
	run -0 times <<'EOF'
<11>Jan  5 00:00:00 app-1 worker[865]: error: upstream timeout
Jan 05 00:00:01.250 app-1 worker[865]: processed
2026-01-05 00:00:02,747 - INFO  [main:Server@1] - started
2026-01-05T02:00:03+02:00 app-1 worker[865]: processed
[Mon Jan 05 00:00:04 2026] [notice] child pid 1 exit signal
127.0.0.1 - - [05/Jan/2026:00:00:05 +0000] "GET / HTTP/1.0" 200 2326
- 1767571206 2026.01.05 R02-M1-N0-C:J12-U11 2026-01-05-00.00.06.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO cache parity error corrected
260105 000007 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating
26/01/05 00:00:08 INFO executor.Executor: Finished task
01-05 00:00:09.811  1702  2395 D WindowManager: printFreezingDisplayLogsopening app wtoken
20260105-00:00:10:606|Step_LSC|30002312|onStandStepChanged 3579
[01.05 00:00:11] chrome.exe - proxy.example.com:5070 open through proxy
1767571212345 host-1 kernel: tick
EOF
	[ "$output" = "2026-01-05T00:00:00.000Z
2026-01-05T00:00:01.250Z
2026-01-05T00:00:02.747Z
2026-01-05T00:00:03.000Z
2026-01-05T00:00:04.000Z
2026-01-05T00:00:05.000Z
2026-01-05T00:00:06.000Z
2026-01-05T00:00:07.000Z
2026-01-05T00:00:08.000Z
2026-01-05T00:00:09.811Z
2026-01-05T00:00:10.606Z
2026-01-05T00:00:11.000Z
2026-01-05T00:00:12.345Z" ]
}

@test "JSON lines: the time from ts, time, @timestamp or timestamp; level, message, host and service too" {
	run -0 aiops-detect --raw --all --no-state <<'EOF'
{"ts":"2026-01-05T00:00:00Z","level":"error","msg":"upstream timeout after 30 ms","host":"web-1","service":"api"}
{"time":"2026-01-05T00:00:01.500+00:00","message":"order 1 accepted"}
{"@timestamp":1767571202000,"msg":"order 2 accepted","severity":"warn"}
{"timestamp":1767571203,"msg":"order 3 accepted","level":50}
{"time":"Jan  5 00:00:04","msg":"order 4 accepted"}
EOF
	[ "$(jq -r .ts <<<"$output")" = "2026-01-05T00:00:00.000Z
2026-01-05T00:00:01.500Z
2026-01-05T00:00:02.000Z
2026-01-05T00:00:03.000Z
2026-01-05T00:00:04.000Z" ]
	jq -e -s '.[0] | .host == "web-1" and .service == "api" and .severity == "error"
	    and .message == "upstream timeout after 30 ms"' <<<"$output"
	jq -e -s '(.[2].severity == "warning") and (.[3].severity == "error")
	    and (.[1].template_id == .[2].template_id)' <<<"$output"
}

@test "logfmt lines: the time from ts= or time=, quoted or not; the level from level=" {
	run -0 aiops-detect --raw --all --no-state <<'EOF'
ts=2026-01-05T00:00:00Z level=error msg="upstream timeout"
level=info time="2026-01-05 00:00:01.250" msg="order 1 accepted"
ts=1767571202 level=warn msg="slow"
EOF
	[ "$(jq -r .ts <<<"$output")" = "2026-01-05T00:00:00.000Z
2026-01-05T00:00:01.250Z
2026-01-05T00:00:02.000Z" ]
	[ "$(jq -r .severity <<<"$output" | tr '\n' ' ')" = "error info warning " ]
}

# ---- no year ----

@test "a log that crosses New Year goes on into January, read months later" {
	gen k_new_year_3164
	AIOPS_NOW=2027-06-01T00:00:00Z run -0 times < "$BATS_TEST_TMPDIR/k_new_year_3164"
	[ "$(sed -n '1p;60p;61p;120p' <<<"$output")" = "2026-12-31T23:00:00.000Z
2026-12-31T23:59:00.000Z
2027-01-01T00:00:00.000Z
2027-01-01T00:59:00.000Z" ]
	[ "$(sort -c <<<"$output" && echo sorted)" = sorted ]
}

@test "a Dec 31 line read on Jan 1 is last year's; a Jan 1 line read on Dec 31 next year's" {
	AIOPS_NOW=2027-01-01T00:00:10Z run -0 times <<<'Dec 31 23:59:59 h p: late'
	[ "$output" = 2026-12-31T23:59:59.000Z ]
	AIOPS_NOW=2026-12-31T23:59:50Z run -0 times <<<'Jan  1 00:00:01 h p: early'
	[ "$output" = 2027-01-01T00:00:01.000Z ]
}

@test "Feb 29 without a year is the nearest leap year's" {
	AIOPS_NOW=2027-06-01T00:00:00Z run -0 times <<<'Feb 29 12:00:00 h p: leap'
	[ "$output" = 2028-02-29T12:00:00.000Z ]
}

# ---- no time ----

@test "a line with no time, or an impossible one, gets the clock and is still mined" {
	run -0 aiops-detect --raw --all --no-state <<'EOF'
Feb 30 00:00:00 app-1 worker[1]: processed batch 1
no time on this line at all
2026-13-05T00:00:00Z app-1 worker[1]: processed batch 2
EOF
	[ "$(jq -r .ts <<<"$output" | sort -u)" = 2026-01-06T00:00:00.000Z ]
	[ "$(jq -r '.template_id > 0' <<<"$output" | sort -u)" = true ]
	[ "$(jq -r .template <<<"$output" | sed -n 3p)" != null ]
}

@test "--clock event: a line with no time gets the latest line's time, not the wall clock" {
	printf '%s\n' 'Jan  5 00:00:00 app-1 worker[1]: a 1' 'no time here' 'Jan  5 00:01:00 app-1 worker[1]: a 2' > "$BATS_TEST_TMPDIR/in"
	run -0 times --clock event < "$BATS_TEST_TMPDIR/in"
	[ "$output" = "2026-01-05T00:00:00.000Z
2026-01-05T00:00:00.000Z
2026-01-05T00:01:00.000Z" ]
	run -0 times < "$BATS_TEST_TMPDIR/in"
	[ "$(sed -n 2p <<<"$output")" = 2026-01-06T00:00:00.000Z ]
}

# ---- one reader for both programs ----

@test "aiops-ingest reads the same time as aiops-detect --raw" {
	printf '%s\n' '<11>Jan  5 00:00:00 app-1 worker[865]: error: upstream timeout' > "$BATS_TEST_TMPDIR/s.log"
	printf '%s\n' '[Mon Jan 05 00:00:04 2026] [notice] child pid 1 exit signal' \
	    'Jan 05 00:00:05.250 app-1 worker: x' 'level=info ts=1767571206 msg=y' > "$BATS_TEST_TMPDIR/t.log"
	[ "$(aiops-ingest -f syslog "$BATS_TEST_TMPDIR/s.log" | jq -r .ts)" = "$(times < "$BATS_TEST_TMPDIR/s.log")" ]
	[ "$(aiops-ingest -f text "$BATS_TEST_TMPDIR/t.log" | jq -r .ts)" = "$(times < "$BATS_TEST_TMPDIR/t.log")" ]
}
