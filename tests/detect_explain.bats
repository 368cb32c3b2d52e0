#!/usr/bin/env bats
# aiops-detect --explain: a model (tests/helpers/llmd.py, Ollama's and
# OpenAI's protocols on 127.0.0.1) explains confirmed incidents from a
# worker thread; the explanations follow their incidents, within the
# budget, redacted on the way out, and never hold up the stream.
bats_require_minimum_version 1.5.0

setup() {
	load test_helper
	T=1794700800	# 2026-11-15T00:00:00Z
	IN="$BATS_TEST_TMPDIR/in"
	: > "$IN"
	# Three confirmed incidents (critical; one with two members and an IP
	# in a log template), one lone warning that is not, all resolved.
	alert 0 web-1 HostOutOfMemory critical
	alert 7200 web-2 HighCPU critical
	alert 14400 db-1 DiskWillFillSoon warning
	newlog 21600 lb-1 haproxy err "backend down: connection from 10.9.8.7 refused"
	alert 21660 lb-1 BackendDown critical
	alert 864000 elsewhere X warning resolved
	unset AIOPS_CONFIG
}

teardown() {
	[ -z "${LLMD_PID:-}" ] || kill "$LLMD_PID" 2>/dev/null || true
}

# alert SECONDS HOST NAME SEVERITY [STATUS]
alert() {
	jq -cn --argjson ts $((T + $1)) --arg h "$2" --arg n "$3" --arg sev "$4" \
	    --arg st "${5:-firing}" \
	    '{type: "alert", ts: $ts, host: $h, alertname: $n, severity: $sev, status: $st}' >> "$IN"
}

# newlog SECONDS HOST SERVICE SEVERITY TEMPLATE: a new-template anomaly.
newlog() {
	jq -cn --argjson ts $((T + $1)) --arg h "$2" --arg s "$3" --arg sev "$4" --arg t "$5" \
	    '{type: "anomaly", ts: $ts, host: $h, name: "log_new_template", template_id: 7,
	      template: $t, service: $s, severity: $sev, score: 1, detector: "new-template"}' >> "$IN"
}

# Starts llmd.py (with the script file $1, if any); sets LLMD_PORT.
llmd() {
	coproc LLMD { exec /usr/bin/python3 "$AIOPS_SRCDIR/tests/helpers/llmd.py" --timeout 60 \
	    ${1:+--script "$1"}; }
	LLMD_PID=$LLMD_PID
	read -r LLMD_PORT <&"${LLMD[0]}"
}

# config BACKEND URL MODEL [YAML of the detect section]
config() {
	cat > "$BATS_TEST_TMPDIR/aiops.yaml" <<YAML
ask:
  backend: $1
  url: $2
  model: $3
  timeout: 10s
${4:-}
YAML
	export AIOPS_CONFIG="$BATS_TEST_TMPDIR/aiops.yaml"
}

detect() {
	aiops-detect --no-state --correlate --clock event "$@"
}

# The stream without its explanations.
plain() {
	jq -c 'select(.type != "explanation")' "$@"
}

@test "explain: each confirmed incident gets one explanation, after its incident, that refers to it" {
	llmd
	config ollama "http://127.0.0.1:$LLMD_PORT" text
	run -0 --separate-stderr detect --explain "$IN"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	# The three confirmed ones, once each; not the lone warning on db-1.
	run -0 jq -r 'select(.type == "incident" and (.severity == "critical" or .member_count >= 2))
	    | .incident_id' "$BATS_TEST_TMPDIR/out"
	want=$(sort -u <<<"$output")
	[ "$(wc -l <<<"$want")" = 3 ]
	run -0 jq -r 'select(.type == "explanation") | .incident_id' "$BATS_TEST_TMPDIR/out"
	[ "$(sort <<<"$output")" = "$want" ]
	! grep -q "$(jq -r 'select(.title | startswith("db-1")) | .incident_id' "$BATS_TEST_TMPDIR/out" | head -n 1)" \
	    <(jq -c 'select(.type == "explanation")' "$BATS_TEST_TMPDIR/out")
	# Each comes after its incident's first event.
	jq -e -s 'to_entries as $e | [$e[] | select(.value.type == "explanation")] | all(.key as $k |
	    .value.incident_id as $i | [$e[] | select(.value.type == "incident" and
	    .value.incident_id == $i) | .key] | min < $k)' "$BATS_TEST_TMPDIR/out"
	# The event: its fields, the model's text, the host of the cause.
	jq -e -s '[.[] | select(.type == "explanation")] | all(
	    (.ts | test("^2026-11-..T..:..:..\\.[0-9]{3}Z$")) and (.id | test("^[0-9a-f]{16}$")) and
	    .source == "aiops-detect" and .backend == "ollama" and .model == "text" and
	    (.text | startswith("Hello from llmd")) and (.elapsed_ms | type == "number") and
	    (.host | IN("web-1", "web-2", "lb-1")))' "$BATS_TEST_TMPDIR/out"
	# Apart from them, the output is that of a run without a model.
	unset AIOPS_CONFIG
	run -0 --separate-stderr detect "$IN"
	diff -u <(printf '%s\n' "$output") <(plain "$BATS_TEST_TMPDIR/out")
	# The requests: valid, one per explanation, a system and a user message.
	reqs=$(curl -fsS "http://127.0.0.1:$LLMD_PORT/_requests")
	[ "$(jq '[.[] | select(.error != null)] | length' <<<"$reqs")" = 0 ]
	[ "$(jq 'length' <<<"$reqs")" = 3 ]
	jq -e '.[0].body.messages | length == 2 and .[0].role == "system" and
	    (.[1].content | contains("web-1: alert HostOutOfMemory") and contains("Severity: critical"))' <<<"$reqs"
}

@test "explain: on by default when a model is configured; the id is stable; detect.explain.enabled false turns it off" {
	llmd
	config ollama "http://127.0.0.1:$LLMD_PORT" text
	run -0 --separate-stderr detect "$IN"
	ids=$(jq -r 'select(.type == "explanation") | .id' <<<"$output" | sort)
	[ "$(wc -l <<<"$ids")" = 3 ]
	run -0 --separate-stderr detect "$IN"
	[ "$(jq -r 'select(.type == "explanation") | .id' <<<"$output" | sort)" = "$ids" ]
	config ollama "http://127.0.0.1:$LLMD_PORT" text "detect: {explain: {enabled: false}}"
	run -0 --separate-stderr detect -vv "$IN"
	! grep -q '"explanation"' <<<"$output"
	[[ $stderr != *"explanations by"* ]]
	# --explain wins over the key.
	run -0 --separate-stderr detect --explain "$IN"
	[ "$(grep -c '"type":"explanation"' <<<"$output")" = 3 ]
}

@test "explain: an OpenAI-compatible server works the same" {
	llmd
	config openai "http://127.0.0.1:$LLMD_PORT/v1" text
	run -0 --separate-stderr detect --explain "$IN"
	[ "$(jq -r 'select(.type == "explanation") | .backend' <<<"$output" | sort -u)" = openai ]
	[ "$(grep -c '"type":"explanation"' <<<"$output")" = 3 ]
}

@test "explain: at most detect.explain.per_minute; the others are counted and said at -vv" {
	llmd
	config ollama "http://127.0.0.1:$LLMD_PORT" text
	AIOPS__DETECT__EXPLAIN__PER_MINUTE=2 run -0 --separate-stderr detect -vv "$IN"
	[ "$(grep -c '"type":"explanation"' <<<"$output")" = 2 ]
	[[ $stderr == *"not explained: over detect.explain.per_minute"* ]]
	[[ $stderr == *"2 explanations of 2 asked, 0 failed, 1 skipped"* ]]
	[ "$(curl -fsS "http://127.0.0.1:$LLMD_PORT/_requests" | jq length)" = 2 ]
	# 0: none asked.
	AIOPS__DETECT__EXPLAIN__PER_MINUTE=0 run -0 --separate-stderr detect "$IN"
	! grep -q '"explanation"' <<<"$output"
}

@test "explain: a slow model does not hold up the incidents; its answer comes while the input is idle" {
	llmd
	config ollama "http://127.0.0.1:$LLMD_PORT" slow:2000 "detect: {explain: {per_minute: 1}}"
	out="$BATS_TEST_TMPDIR/out"
	{ cat "$IN"; sleep 4; } | detect > "$out" 2> "$BATS_TEST_TMPDIR/err" 3>&- &
	pid=$!
	sleep 1
	# All the incidents are out, the explanation not yet.
	[ "$(grep -c '"type":"incident"' "$out")" = 8 ]
	[ "$(grep -c '"type":"explanation"' "$out")" = 0 ]
	sleep 2.5
	# Written while the input is still open (it ends at 4 s).
	[ "$(grep -c '"type":"explanation"' "$out")" = 1 ]
	wait "$pid"
	[ "$(tail -n 1 "$out" | jq -r .type)" = explanation ]
	jq -e -s '[.[] | select(.type == "explanation")][0].elapsed_ms >= 1900' "$out"
}

@test "explain: the end of the input waits for the explanations asked for" {
	llmd
	config ollama "http://127.0.0.1:$LLMD_PORT" slow:500
	run -0 --separate-stderr detect "$IN"
	[ "$(grep -c '"type":"explanation"' <<<"$output")" = 3 ]
	# A timeout: no explanation, one warning, the rest as it is.
	config ollama "http://127.0.0.1:$LLMD_PORT" slow:3000 "detect: {explain: {timeout: 1s}}"
	run -0 --separate-stderr detect "$IN"
	! grep -q '"explanation"' <<<"$output"
	[ "$(grep -c 'explaining incident' <<<"$stderr")" = 1 ]
}

@test "explain: an unreachable model is one warning, no explanation, the same output and status" {
	unset AIOPS_CONFIG
	run -0 --separate-stderr detect "$IN"
	want=$output
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	config ollama "http://127.0.0.1:$port" text
	run -0 --separate-stderr detect --explain -v "$IN"
	[ "$output" = "$want" ]
	[ "$(grep -c 'explaining incident' <<<"$stderr")" = 1 ]
	[[ $stderr == *"while it fails"* ]]
	[[ $stderr == *"0 explanations of 3 asked, 3 failed"* ]]
}

@test "explain: a model that refuses is one warning, then no more requests" {
	llmd
	config ollama "http://127.0.0.1:$LLMD_PORT" notfound
	run -0 --separate-stderr detect "$IN"
	! grep -q '"explanation"' <<<"$output"
	[ "$(grep -c 'explaining incident' <<<"$stderr")" = 1 ]
	[[ $stderr == *"no more explanations"* ]]
	[ "$(curl -fsS "http://127.0.0.1:$LLMD_PORT/_requests" | jq length)" = 1 ]
}

@test "explain: without a model nothing changes; --explain then exits 78, and needs --correlate" {
	run -0 --separate-stderr detect "$IN"
	want=$output
	config none "" ""
	run -0 --separate-stderr detect -vv "$IN"
	[ "$output" = "$want" ]
	[[ $stderr != *"explanations by"* ]]
	run -78 --separate-stderr detect --explain "$IN"
	[ -z "$output" ]
	[[ $stderr == *"--explain needs a model: set ask.backend, ask.url and ask.model"* ]]
	# A model without its name: a warning, or with --explain an error saying where.
	printf 'ask:\n  backend: openai\n  url: http://127.0.0.1:9/v1\n' > "$BATS_TEST_TMPDIR/aiops.yaml"
	run -0 --separate-stderr detect "$IN"
	[ "$output" = "$want" ]
	[[ $stderr == *"explanations off:"*"needs ask.model"* ]]
	run -78 --separate-stderr detect --explain "$IN"
	[[ $stderr == *"aiops.yaml:2: ask.backend openai needs ask.model"* ]]
	# The ask section is read as its types: a bad value says where it is.
	printf 'ask:\n  backend: ollama\n  model: m\n  timeout: soon\n' > "$BATS_TEST_TMPDIR/aiops.yaml"
	run -78 --separate-stderr detect --explain "$IN"
	[[ $stderr == *"aiops.yaml:4: ask.timeout: expected a duration"* ]]
	run -64 --separate-stderr aiops-detect --explain --no-state "$IN"
	[[ $stderr == *"--explain goes with --correlate"* ]]
}

@test "explain: what is sent is redacted, and the answer restored" {
	cat > "$BATS_TEST_TMPDIR/script.json" <<'JSON'
[{"text": "Memory ran out on web-1. Check its biggest process."},
 {"text": "CPU is busy on web-2. Check top."},
 {"text": "  The backend [IP_1] refused connections from lb-1. Check [IP_1] first.\n"}]
JSON
	llmd "$BATS_TEST_TMPDIR/script.json"
	config ollama "http://127.0.0.1:$LLMD_PORT" script
	run -0 --separate-stderr detect --explain "$IN"
	reqs=$(curl -fsS "http://127.0.0.1:$LLMD_PORT/_requests")
	[ "$(jq length <<<"$reqs")" = 3 ]
	! grep -q '10\.9\.8\.7' <<<"$reqs"
	jq -e '.[2].body.messages[1].content | contains("connection from [IP_1] refused")' <<<"$reqs"
	run -0 jq -r 'select(.type == "explanation" and .host == "lb-1") | .text' <<<"$output"
	[ "$output" = "The backend 10.9.8.7 refused connections from lb-1. Check 10.9.8.7 first." ]
}

@test "explain: with ask.redact.hostnames the host names do not leave either" {
	llmd
	config ollama "http://127.0.0.1:$LLMD_PORT" text
	printf '  redact:\n    hostnames: true\n' >> "$AIOPS_CONFIG"
	run -0 --separate-stderr detect --explain "$IN"
	[ "$(grep -c '"type":"explanation"' <<<"$output")" = 3 ]
	reqs=$(curl -fsS "http://127.0.0.1:$LLMD_PORT/_requests")
	! grep -q 'web-1\|web-2\|lb-1\|10\.9\.8\.7' <<<"$reqs"
	jq -e '.[2].body.messages[1].content | contains("[HOST_") and contains("[IP_1]")' <<<"$reqs"
}

@test "explain: the samples' incidents, each explained once after it" {
	llmd
	config ollama "http://127.0.0.1:$LLMD_PORT" text
	aiops-ingest "$AIOPS_SAMPLES/alerts.ndjson" "$AIOPS_SAMPLES/metrics.lp" "$AIOPS_SAMPLES/app.log" \
	    > "$BATS_TEST_TMPDIR/samples" 2> /dev/null
	run -0 --separate-stderr detect "$BATS_TEST_TMPDIR/samples"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	n=$(jq -r 'select(.type == "incident") | .incident_id' "$BATS_TEST_TMPDIR/out" | sort -u | wc -l)
	[ "$n" -ge 3 ]
	[ "$(jq -r 'select(.type == "explanation") | .incident_id' "$BATS_TEST_TMPDIR/out" | sort -u | wc -l)" = "$n" ]
	[ "$(grep -c '"type":"explanation"' "$BATS_TEST_TMPDIR/out")" = "$n" ]
	jq -e -s 'to_entries as $e | [$e[] | select(.value.type == "explanation")] | all(.key as $k |
	    .value.incident_id as $i | [$e[] | select(.value.type == "incident" and
	    .value.incident_id == $i and (.value.severity == "critical" or .value.member_count >= 2))
	    | .key] | min < $k)' "$BATS_TEST_TMPDIR/out"
}
