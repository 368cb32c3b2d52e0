#!/usr/bin/env bats
# lib/match/template against Go's own text/template: the templates of
# fixtures/template/parity.txt (cases split by a line "=====") render over
# fixtures/template/data.json through tests/unit/template_probe and through
# a tiny Go program (fixtures/template/go, built here; skipped without go)
# and must give the same bytes and both succeed or both fail. Functions Go
# lacks (Alertmanager's) are checked against expected strings.
setup_file() {
	PROBE="${AIOPS_BUILDDIR:-$BATS_TEST_DIRNAME/..}/tests/unit/template_probe"
	export PROBE
	if command -v go >/dev/null 2>&1; then
		cp -r "$BATS_TEST_DIRNAME/fixtures/template/go" "$BATS_FILE_TMPDIR/go"
		(cd "$BATS_FILE_TMPDIR/go" && GOCACHE="$BATS_FILE_TMPDIR/gocache" GOFLAGS=-mod=mod \
			GOPROXY=off go build -o "$BATS_FILE_TMPDIR/gorender" .) >&2
	fi
}

setup() {
	load test_helper
	[ -x "$PROBE" ] || skip "tests/unit/template_probe is not built (make check builds it)"
}

# The cases of parity.txt into $BATS_TEST_TMPDIR/case.N (no trailing newline).
split_cases() {
	/usr/bin/python3 - "$FIXTURES/template/parity.txt" "$BATS_TEST_TMPDIR" <<'PY'
import sys
cases = open(sys.argv[1], 'rb').read().split(b'\n=====\n')
for i, c in enumerate(cases):
    open('%s/case.%d' % (sys.argv[2], i), 'wb').write(c.rstrip(b'\n'))
print(len(cases))
PY
}

@test "template: byte-identical with Go's text/template on the parity cases" {
	[ -x "$BATS_FILE_TMPDIR/gorender" ] || skip "no Go toolchain (apt-get install golang-go)"
	n=$(split_cases)
	[ "$n" -ge 40 ]
	data="$FIXTURES/template/data.json"
	bad=0 errs=0
	for i in $(seq 0 $((n - 1))); do
		c="$BATS_TEST_TMPDIR/case.$i"
		grc=0 orc=0
		"$BATS_FILE_TMPDIR/gorender" "$c" "$data" >"$c.go" 2>"$c.goerr" || grc=$?
		"$PROBE" "$c" "$data" >"$c.us" 2>"$c.userr" || orc=$?
		if ! cmp -s "$c.go" "$c.us" || { [ $grc -eq 0 ] && [ $orc -ne 0 ]; } ||
		    { [ $grc -ne 0 ] && [ $orc -eq 0 ]; }; then
			echo "case $i differs: $(cat "$c")"
			echo "  go ($grc): $(cat "$c.go") $(cat "$c.goerr")"
			echo "  us ($orc): $(cat "$c.us") $(cat "$c.userr")"
			bad=$((bad + 1))
		fi
		[ $grc -eq 0 ] || errs=$((errs + 1))
	done
	echo "$n cases, $errs errors in both, $bad differ"
	[ "$bad" -eq 0 ]
	[ "$errs" -ge 8 ]	# the error cases did fail, in both
}

@test "template: errors carry Go's words with line and column" {
	printf 'a\nb {{ .x | nosuch }}' > "$BATS_TEST_TMPDIR/t"
	run "$PROBE" "$BATS_TEST_TMPDIR/t" "$FIXTURES/template/data.json"
	[ "$status" -eq 1 ]
	[ "$output" = 'ERROR: template: t:2:10: function "nosuch" not defined' ]
	printf '{{ index .n 9 }}' > "$BATS_TEST_TMPDIR/t"
	run "$PROBE" "$BATS_TEST_TMPDIR/t" "$FIXTURES/template/data.json"
	[ "$status" -eq 1 ]
	[ "$output" = 'ERROR: template: t:1:3: executing "t" at <index .n 9>: error calling index: index out of range: 9' ]
}

@test "template: Alertmanager's functions and methods give the expected strings" {
	t="$BATS_TEST_TMPDIR/t" d="$FIXTURES/template/data.json"
	printf '%s' '[{{ .Status | toUpper }}:{{ .Alerts.Firing | len }}] {{ .GroupLabels.SortedPairs.Values | join " " }} ({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }})' > "$t"
	run "$PROBE" "$t" "$d"
	[ "$output" = '[FIRING:1] DiskFull (critical)' ]
	printf '%s' '{{ range .Alerts }}{{ .StartsAt | tz "America/New_York" | date "Jan 2 15:04 MST" }}, {{ since .StartsAt | humanizeDuration }}; {{ end }}' > "$t"
	run "$PROBE" -n 1709290000000000000 "$t" "$d"
	[ "$output" = 'Mar 1 05:00 EST, 46m 40s; Mar 1 04:00 EST, 1h 46m 40s; ' ]
	printf '%s' '{{ .StartsAt }}' > "$t"
	printf '%s' '{{ (index .Alerts 0).StartsAt | date "2006-01-02T15:04:05Z07:00 Mon" }}|{{ title "disk full" }}|{{ reReplaceAll "(db)(\\d)" "$2-$1" "db1 db2" }}|{{ match "^Disk" .CommonLabels.alertname }}' > "$t"
	run "$PROBE" -z Asia/Tokyo "$t" "$d"
	[ "$output" = '2024-03-01T19:00:00+09:00 Fri|Disk Full|1-db 2-db|true' ]
}

@test "template: each escaper, as the sinks need it" {
	t="$BATS_TEST_TMPDIR/t" d="$BATS_TEST_TMPDIR/d.json"
	printf '%s' '{"v":"<b> & \"q\" '\''s'\'' \n"}' > "$d"
	printf '%s' '<p>{{ .v }}</p>' > "$t"
	run "$PROBE" -e html "$t" "$d"
	[ "$output" = '<p>&lt;b&gt; &amp; &#34;q&#34; &#39;s&#39; '$'\n''</p>' ]
	run "$PROBE" -e slack "$t" "$d"
	[ "$output" = '<p>&lt;b&gt; &amp; "q" '\''s'\'' '$'\n''</p>' ]
	printf '%s' '{"text":"{{ .v }}"}' > "$t"
	run "$PROBE" -e json "$t" "$d"
	[ "$status" -eq 0 ]
	# what the JSON escaper wrote inside the quotes is one valid JSON string
	printf '%s' "$output" | /usr/bin/python3 -c 'import json,sys; v=json.load(sys.stdin)["text"]; assert v == "<b> & \"q\" '\''s'\'' \n", v'
	printf '%s' '--label={{ .v }}' > "$t"
	run "$PROBE" -e argv "$t" "$d"
	[ "$output" = '--label=<b> & "q" '\''s'\'' ' ]	# run drops the final newline
	printf '%s' '{{ printf "%s%c" .v 0 }}' > "$t"
	run "$PROBE" -e argv "$t" "$d"
	[ "$status" -eq 1 ]
	[[ "$output" == *"NUL"* ]]
}
