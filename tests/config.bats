#!/usr/bin/env bats
# The configuration contract (aiops(7) CONFIGURATION): every documented key
# works, from the file or an AIOPS__SECTION__KEY variable, the command line
# over both; an unknown section, key or variable, and a bad value, exit 78
# naming the file:line or the variable, and never show the value.
setup() {
	load test_helper
	CONF="$XDG_CONFIG_HOME/aiops/aiops.yaml"
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	METRIC='{"type":"metric","ts":1794700800,"host":"h","name":"m","value":1}'
}

# conf LINE...: the configuration file, one argument a line.
conf() {
	printf '%s\n' "$@" > "$CONF"
}

# A value that must never appear on stderr.
SECRET=hunter2-s3cr3t

@test "ingest.format sets the input format; -f wins" {
	conf 'ingest:' '  format: text'
	run -0 aiops-ingest <<<'cpu usage=1 1794700800000000000'
	[ "$(jq -r .type <<<"$output")" = log ]
	AIOPS__INGEST__FORMAT=influx run -0 aiops-ingest <<<'cpu usage=1 1794700800000000000'
	[ "$(jq -r .type <<<"$output")" = metric ]
	run -0 aiops-ingest -f influx <<<'cpu usage=1 1794700800000000000'
	[ "$(jq -r .type <<<"$output")" = metric ]
	run -0 aiops-ingest -f lp <<<'cpu usage=1 1794700800000000000'
	[ "$(jq -r .source <<<"$output")" = influx ]
}

@test "ingest.max_line from the file and from AIOPS__INGEST__MAX_LINE; --max-line wins" {
	long=$(printf '%040d' 0)
	conf 'ingest:' '  max_line: 16'
	run -65 --separate-stderr aiops-ingest -f text <<<"$long"
	[[ $stderr == *"(stdin):1: skipped: line of 40 bytes is longer than --max-line 16"* ]]
	run -0 aiops-ingest -f text --max-line 1KiB <<<"$long"
	rm "$CONF"
	AIOPS__INGEST__MAX_LINE=16 run -65 --separate-stderr aiops-ingest -f text <<<"$long"
	[[ $stderr == *"longer than --max-line 16"* ]]
	AIOPS__INGEST__MAX_LINE=1 run -78 --separate-stderr aiops-ingest -f text <<<"$long"
	[[ $stderr == *"AIOPS__INGEST__MAX_LINE: ingest.max_line: expected a size from 16 to 1GiB bytes"* ]]
	AIOPS__DETECT__MAX_LINE=16 run -65 --separate-stderr aiops-detect --no-state <<<"$long"
}

@test "ingest.poll paces --follow; --poll wins" {
	local log="$BATS_TEST_TMPDIR/app.log" out="$BATS_TEST_TMPDIR/out"
	conf 'ingest:' '  poll: 3600000'
	echo "line 1" > "$log"
	aiops-ingest --follow -f text "$log" > "$out" 2>&1 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.05; done
	echo "line 2" >> "$log"
	sleep 0.5
	kill -TERM "$pid"; wait "$pid" || true
	[ "$(wc -l < "$out")" -eq 1 ]	# an hour between looks: line 2 not seen yet
	rm -f "$AIOPS_STATE"*
	aiops-ingest --follow --poll 20 -f text "$log" > "$out" 2>&1 3>&- &
	pid=$!
	for _ in $(seq 100); do [ "$(wc -l < "$out")" -ge 2 ] && break; sleep 0.05; done
	kill -TERM "$pid"; wait "$pid" || true
	[ "$(wc -l < "$out")" -eq 2 ]
}

@test "a misspelt section is an error at its line, exit 78" {
	conf 'ingset:' '  host: web-1'
	run -78 --separate-stderr aiops-ingest <<<x
	[ -z "$output" ]
	[[ $stderr == *"aiops.yaml:1: unknown section 'ingset'"* ]]
	run -78 --separate-stderr aiops-detect --no-state </dev/null
	[[ $stderr == *"aiops.yaml:1: unknown section 'ingset'"* ]]
}

@test "an unknown key, nested or shared, is an error at its line" {
	conf 'state:' '  grop: aiops'
	run -78 --separate-stderr aiops-ingest <<<x
	[[ $stderr == *"aiops.yaml:2: unknown key 'state.grop'"* ]]
	conf 'detect:' '  logs:' '    warmpu: 10'
	run -78 --separate-stderr aiops-detect --no-state </dev/null
	[[ $stderr == *"aiops.yaml:3: unknown key 'detect.logs.warmpu'"* ]]
}

@test "another program's section is left to it" {
	conf 'detect:' '  bogus: 1' 'forecast:' '  anything: 2'
	run -0 aiops-ingest <<<x
	conf 'ingest:' '  bogus: 1'
	run -0 aiops-detect --no-state </dev/null
	rm "$CONF"
	AIOPS__DETECT__SENSITIVITY=nan run -0 aiops-ingest <<<x
	AIOPS__INGEST__POLL=soon run -0 aiops-detect --no-state </dev/null
}

@test "an unknown AIOPS__ variable names itself, exit 78" {
	AIOPS__INGEST__HOTS=web-1 run -78 --separate-stderr aiops-ingest <<<x
	[[ $stderr == *"AIOPS__INGEST__HOTS: unknown key 'ingest.hots'"* ]]
	AIOPS__INGSET__HOST=web-1 run -78 --separate-stderr aiops-ingest <<<x
	[[ $stderr == *"AIOPS__INGSET__HOST: unknown section 'ingset'"* ]]
	AIOPS__DETECT=x run -78 --separate-stderr aiops-detect --no-state </dev/null
	[[ $stderr == *"AIOPS__DETECT: detect: expected a mapping"* ]]
}

@test "the environment is checked as the command line is: no NaN" {
	AIOPS__DETECT__SENSITIVITY=nan run -78 --separate-stderr aiops-detect --no-state <<<"$METRIC"
	[ -z "$output" ]
	[[ $stderr == *"AIOPS__DETECT__SENSITIVITY: detect.sensitivity: expected a number from 0 to 1"* ]]
	run -64 --separate-stderr aiops-detect --no-state --sensitivity nan <<<"$METRIC"
	[[ $stderr == *"--sensitivity: expected a number from 0 to 1"* ]]
	conf 'detect:' '  threshold: inf'
	run -78 --separate-stderr aiops-detect --no-state <<<"$METRIC"
	[[ $stderr == *"aiops.yaml:2: detect.threshold: expected a number from 0 to 1"* ]]
}

@test "a bad environment value is blamed on the variable, not the file line it overrides" {
	conf 'detect:' '  sensitivity: 0.5' '  threshold: 0.5'
	AIOPS__DETECT__THRESHOLD=abc run -78 --separate-stderr aiops-detect --no-state </dev/null
	[[ $stderr == *"AIOPS__DETECT__THRESHOLD: detect.threshold: expected a number from 0 to 1"* ]]
	[[ $stderr != *"aiops.yaml"* ]]
}

@test "the environment overrides the file, the command line both" {
	conf 'ingest:' '  host: from-file' '  cluster: c1'
	AIOPS__INGEST__HOST=from-env run -0 aiops-ingest <<<x
	[ "$(jq -r '[.host, .cluster] | join(" ")' <<<"$output")" = "from-env c1" ]
	AIOPS__INGEST__HOST=from-env run -0 aiops-ingest -H from-argv <<<x
	[ "$(jq -r .host <<<"$output")" = from-argv ]
	AIOPS__INGEST__HOST=from-env run -0 aiops-ingest --host from-argv <<<x
	[ "$(jq -r .host <<<"$output")" = from-argv ]
}

@test "a bad precision in the file exits 78 and does not echo it" {
	conf 'ingest:' "  precision: $SECRET"
	run -78 --separate-stderr aiops-ingest <<<x
	[[ $stderr == *"aiops.yaml:2: ingest.precision: expected ns, us, ms, s or auto"* ]]
	[[ $stderr != *"$SECRET"* ]]
	rm "$CONF"
	run -64 --separate-stderr aiops-ingest --precision bogus <<<x
	[[ $stderr == *'--precision: expected ns, us, ms, s or auto, got "bogus"'* ]]
	run -0 aiops-ingest -f influx --precision u <<<'m f=1 1794700800000000'
}

@test "a bad value never appears on stderr, from the file or the environment" {
	local keys=(ingest.poll ingest.max_line ingest.store ingest.retention ingest.precision
		ingest.alerts.retention ingest.alerts.expire
		ingest.format log.format clock.mode detect.sensitivity detect.threshold
		detect.memory detect.logs.warmup detect.logs.min_burst detect.correlate.window
		detect.max_line)
	for k in "${keys[@]}"; do
		sec=${k%%.*} rest=${k#*.} prog=(aiops-$sec)
		case $sec in
		log|clock) prog=(aiops-ingest) ;;
		detect) prog+=(--no-state) ;;
		esac
		# The file: nested keys as nested YAML mappings.
		if [[ $rest == *.* ]]; then
			conf "$sec:" "  ${rest%%.*}:" "    ${rest#*.}: $SECRET"
		else
			conf "$sec:" "  $rest: $SECRET"
		fi
		run -78 --separate-stderr "${prog[@]}" </dev/null
		[[ $stderr == *"aiops.yaml:"*"$k: expected"* ]] || { echo "$k: $stderr"; false; }
		[[ $stderr != *"$SECRET"* ]] || { echo "$k: $stderr"; false; }
		rm "$CONF"
		var=AIOPS__$(tr a-z. A-Z_ <<<"$sec")__$(sed 's/\./__/g' <<<"$rest" | tr a-z A-Z)
		run env "$var=$SECRET" "${prog[@]}" </dev/null 2>&1
		[ "$status" -eq 78 ] || { echo "$var: $status $output"; false; }
		[[ $output == *"$var: $k: expected"* ]] || { echo "$var: $output"; false; }
		[[ $output != *"$SECRET"* ]] || { echo "$var: $output"; false; }
	done
}

@test "state.group, log.format and clock.mode are shared keys" {
	conf 'state:' '  group: aiops' 'log:' '  format: json' 'clock:' '  mode: event'
	run -65 --separate-stderr aiops-ingest -f influx <<<'bad'
	jq -e -s 'any(.[]; .level == "warning")' <<<"$stderr"
	run -65 --separate-stderr aiops-ingest -f influx --log-format plain <<<'bad'
	[[ $stderr == "aiops-ingest: "* ]]
	run -0 aiops-detect --no-state </dev/null
}

@test "the example configuration is accepted by every program and changes nothing" {
	run -0 aiops-ingest --config "$AIOPS_SRCDIR/contrib/aiops.yaml" "$SAMPLES/app.log"
	diff -u <(aiops-ingest "$SAMPLES/app.log") <(printf '%s\n' "$output")
	run -0 aiops-detect --no-state --config "$AIOPS_SRCDIR/contrib/aiops.yaml" </dev/null
}

@test "a list from the environment is comma-separated" {
	awk 'BEGIN { for (i = 1; i <= 5; i++)
		printf "{\"type\":\"metric\",\"ts\":%d,\"host\":\"h\",\"name\":\"a_total\",\"value\":%d}\n", 1794700800 + 60 * i, 100 * i }' > "$BATS_TEST_TMPDIR/in"
	# A counter's first point has no rate yet: its detector says so.
	AIOPS__DETECT__COUNTERS='x_*, a_*' run -0 aiops-detect --no-state --all "$BATS_TEST_TMPDIR/in"
	[ "$(head -n 1 <<<"$output" | jq -r .detector)" = counter-reset ]
	AIOPS__DETECT__COUNTERS='x_*, y_*' run -0 aiops-detect --no-state --all "$BATS_TEST_TMPDIR/in"
	[ "$(head -n 1 <<<"$output" | jq -r .detector)" = warmup ]
}
