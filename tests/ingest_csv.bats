#!/usr/bin/env bats
# aiops-ingest: CSV records over several lines (RFC 4180 2.6, 2.7).
setup() { load test_helper; }

@test "csv: a quoted field spanning lines is one record, \"\" is a quote" {
	# The situation of a sensor name with a comma, a newline and quotes.
	cat > "$BATS_TEST_TMPDIR/q.csv" <<-'EOF'
	time,host,sensor,value
	2026-11-20T10:00:00Z,env-1,"rack a, inlet",21.4
	2026-11-20T10:00:00Z,env-1,"rack b
	second line",22.0
	2026-11-20T10:00:00Z,env-1,"say ""hi""",23.5
	2026-11-20T10:01:00Z,env-1,plain,24.0
	EOF
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/q.csv"
	[[ -z $stderr ]]
	[[ $(printf '%s\n' "$output" | wc -l) -eq 4 ]]
	[[ $(printf '%s\n' "$output" | jq -c '[.labels.sensor, .value, .ts, .host]' | paste -sd'|') == \
	    '["rack a, inlet",21.4,"2026-11-20T10:00:00.000Z","env-1"]|["rack b\nsecond line",22,"2026-11-20T10:00:00.000Z","env-1"]|["say \"hi\"",23.5,"2026-11-20T10:00:00.000Z","env-1"]|["plain",24,"2026-11-20T10:01:00.000Z","env-1"]' ]]
	# Said at -v, so that a stray quote closed by another is seen.
	run -0 --separate-stderr aiops-ingest -v "$BATS_TEST_TMPDIR/q.csv"
	[[ $stderr == *"q.csv:4: one record of lines 3-4: the quoted field at line 3 column 28 spans them"* ]]
}

@test "csv: CRLF, an empty line and a ,-separated line within a field; a header over two lines" {
	printf 'time,"sen\r\nsor",value\r\n2026-11-20T10:00:00Z,"a\r\n\r\nb, c\r\n""d""",1\r\n2026-11-20T10:01:00Z,"",2\r\n' > "$BATS_TEST_TMPDIR/c.csv"
	run -0 --separate-stderr aiops-ingest -f csv "$BATS_TEST_TMPDIR/c.csv"
	[[ -z $stderr ]]
	[[ $(printf '%s\n' "$output" | jq -c '[.name, .labels, .value]' | paste -sd'|') == \
	    '["value",{"sen_sor":"a\n\nb, c\n\"d\""},1]|["value",{},2]' ]]
	# (The header's name made a valid label name, as every label's is.)
}

@test "csv: name,value rows with a label over lines" {
	printf 'time,name,value,note\n2026-11-20T10:00:00Z,temp,21,"line one\nline two"\n2026-11-20T10:00:00Z,temp,22,x\n' > "$BATS_TEST_TMPDIR/l.csv"
	run -0 --separate-stderr aiops-ingest -f csv "$BATS_TEST_TMPDIR/l.csv"
	[[ $(printf '%s\n' "$output" | jq -c '[.name, .labels.note, .value]' | paste -sd'|') == \
	    '["temp","line one\nline two",21]|["temp","x",22]' ]]
}

@test "csv: errors after a record of several lines name the right lines" {
	cat > "$BATS_TEST_TMPDIR/n.csv" <<-'EOF'
	time,host,sensor,value
	2026-11-20T10:00:00Z,h,"multi
	line",1
	2026-11-20T10:01:00Z,h,"x

	y",notnum
	2026-11-20T10:02:00Z,h,c
	2026-11-20T10:03:00Z,h,d,4
	2026-11-20T10:04:00Z,h,e,bad
	EOF
	run -65 --separate-stderr aiops-ingest -f csv "$BATS_TEST_TMPDIR/n.csv"
	[[ $(printf '%s\n' "$output" | jq -c '[.labels.sensor, .value]' | paste -sd'|') == '["multi\nline",1]|["d",4]' ]]
	# An error within a record of lines 4-6: its first line.
	[[ $stderr == *'n.csv:4: skipped: column value: "notnum" is not a number (in the record of lines 4-6 that the quote at line 4 column 24 opened)'* ]]
	[[ $stderr == *"n.csv:7: skipped: expected 4 fields as in the header, got 3"* ]]
	[[ $stderr == *'n.csv:9: skipped: column value: "bad" is not a number'* ]]
	[[ $stderr == *"3 lines skipped"* ]]
}

@test "csv: a quote left open at the end of input is reported where its record starts" {
	printf 'time,host,sensor,value\n2026-11-20T10:00:00Z,h,a,1\n2026-11-20T10:01:00Z,h,"open,2\n2026-11-20T10:02:00Z,h,b,3\n2026-11-20T10:03:00Z,h,c,4\n' > "$BATS_TEST_TMPDIR/e.csv"
	run -65 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/e.csv"
	[[ $(printf '%s\n' "$output" | jq -c '[.labels.sensor, .value]') == '["a",1]' ]]
	[[ $stderr == *"e.csv:3: skipped: unterminated quote at line 3 column 24: the input ends inside the quoted field (lines 3-5 skipped)"* ]]
	# The same from standard input.
	run -65 --separate-stderr aiops-ingest -f csv < "$BATS_TEST_TMPDIR/e.csv"
	[[ $stderr == *"(stdin):3: skipped: unterminated quote at line 3 column 24"* ]]
}

@test "csv: a stray quote takes at most --max-line bytes, then reading goes on" {
	{
		printf 'time,host,sensor,value\n2026-11-20T10:00:00Z,h,"stray,1\n'
		for i in $(seq 10 40); do printf '2026-11-20T10:%02d:00Z,h,s,%d\n' "$i" "$i"; done
	} > "$BATS_TEST_TMPDIR/s.csv"
	run -65 --separate-stderr aiops-ingest --max-line 200 "$BATS_TEST_TMPDIR/s.csv"
	# Lines 2-9 (200 bytes and more) are one record, skipped; from line 10 on, rows again.
	[[ $stderr == *"s.csv:2: skipped: unterminated quote at line 2 column 24: record longer than 200 bytes (lines 2-9 skipped)"* ]]
	[[ $(printf '%s\n' "$output" | jq -r .value | paste -sd,) == "$(seq -s, 17 40)" ]]
	# The default bound is --max-line's, 1 MiB: a file of 2 MiB after a stray quote.
	{
		printf 'time,host,sensor,value\n2026-11-20T10:00:00Z,h,"stray,1\n'
		for i in $(seq 1 70000); do printf '2026-11-20T10:00:00Z,h,s,%d\n' "$i"; done
	} > "$BATS_TEST_TMPDIR/big.csv"
	run -65 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/big.csv"
	[[ $stderr == *"big.csv:2: skipped: unterminated quote at line 2 column 24: record longer than 1048576 bytes (lines 2-"* ]]
	[[ $(printf '%s\n' "$output" | wc -l) -gt 30000 ]]
	[[ $(printf '%s\n' "$output" | tail -n 1 | jq -r .value) == 70000 ]]
}

@test "csv: a quoted header with spaces and signs, every cell quoted, CRLF: detected, names made valid" {
	printf '"Time","Host","CPU %%","mem used (MiB)"\r\n"2026-11-20 10:00:00","web-1","12.5","2048"\r\n"2026-11-20 10:01:00","web-1","13.0",""\r\n' > "$BATS_TEST_TMPDIR/h.csv"
	run -0 --separate-stderr aiops-ingest -v "$BATS_TEST_TMPDIR/h.csv"
	[[ $stderr == "aiops-ingest: $BATS_TEST_TMPDIR/h.csv:1: format csv (csv 50, text 3, "* ]]
	[[ $(printf '%s\n' "$output" | jq -c '[.source, .ts, .host, .name, .value]' | paste -sd'|') == \
	    '["csv","2026-11-20T10:00:00.000Z","web-1","CPU__",12.5]|["csv","2026-11-20T10:00:00.000Z","web-1","mem_used__MiB_",2048]|["csv","2026-11-20T10:01:00.000Z","web-1","CPU__",13]' ]]
}
