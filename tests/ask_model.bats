#!/usr/bin/env bats
# aiops-ask with a model (tests/helpers/llmd.py speaks Ollama's and
# OpenAI's streamed protocols on 127.0.0.1, scripted turn by turn), and
# aiops-ask --mcp driven by a client over stdio.
setup() {
	load test_helper
	export AIOPS_STATE="$BATS_TEST_TMPDIR/state.db"
	aiops-ingest --store "$AIOPS_SAMPLES/metrics.lp" "$AIOPS_SAMPLES/alerts.ndjson" > /dev/null
}

teardown() {
	[ -z "${LLMD_PID:-}" ] || kill "$LLMD_PID" 2>/dev/null || true
}

# Starts llmd.py with the script file $1; sets LLMD_PORT.
llmd() {
	coproc LLMD { exec /usr/bin/python3 "$AIOPS_SRCDIR/tests/helpers/llmd.py" --timeout 60 --script "$1"; }
	LLMD_PID=$LLMD_PID
	read -r LLMD_PORT <&"${LLMD[0]}"
}

config() {	# backend url
	cat > "$BATS_TEST_TMPDIR/aiops.yaml" <<YAML
ask:
  backend: $1
  url: $2
  model: script
  retries: 0
  timeout: 10s
YAML
	export AIOPS_CONFIG="$BATS_TEST_TMPDIR/aiops.yaml"
}

script() {
	cat > "$BATS_TEST_TMPDIR/script.json" <<'JSON'
[{"text": "", "tool_calls": [{"name": "list_alerts", "arguments": {"status": "firing"}}]},
 {"text": "One alert is firing: DiskWillFillSoon on db-1 (10.0.0.7)."}]
JSON
}

@test "ask with Ollama: the model calls a tool, the answer streams, the question left redacted" {
	script
	llmd "$BATS_TEST_TMPDIR/script.json"
	config ollama "http://127.0.0.1:$LLMD_PORT"
	run -0 --separate-stderr aiops-ask "is 10.0.0.7 alerting? mail ops@example.com"
	[[ $output == *"DiskWillFillSoon on db-1"* ]]
	reqs=$(curl -fsS "http://127.0.0.1:$LLMD_PORT/_requests")
	# Both requests were valid for the API, the second carried the tool's result.
	[ "$(jq '[.[] | select(.error != null)] | length' <<<"$reqs")" = 0 ]
	[ "$(jq 'length' <<<"$reqs")" = 2 ]
	jq -e '.[1].body.messages | map(select(.role == "tool")) | .[0].tool_name == "list_alerts"' <<<"$reqs"
	jq -e '.[1].body.messages | map(select(.role == "tool")) | .[0].content | contains("DiskWillFillSoon")' <<<"$reqs"
	# Nothing of the IP or the address left the machine.
	! grep -q '10\.0\.0\.7\|ops@example.com' <<<"$reqs"
	jq -e '.[0].body.messages[1].content | contains("[IP_1]") and contains("[EMAIL_1]")' <<<"$reqs"
	# The decision is recorded, with its tool call.
	run -0 sqlite3 "$AIOPS_STATE" "SELECT backend, intent, json_extract(tools, '\$[0].name') FROM ask_decisions"
	[ "$output" = "ollama|model|list_alerts" ]
}

@test "ask with an OpenAI-compatible server: --json carries the answer, the tools and the facts" {
	script
	llmd "$BATS_TEST_TMPDIR/script.json"
	config openai "http://127.0.0.1:$LLMD_PORT/v1"
	run -0 --separate-stderr aiops-ask --json "what is firing?"
	jq -e '.intent == "model" and .backend == "openai"' <<<"$output"
	jq -e '.answer | contains("DiskWillFillSoon")' <<<"$output"
	jq -e '.tools[0].name == "list_alerts" and .tools[0].rows == 1' <<<"$output"
	jq -e '.facts[0].alertname == "DiskWillFillSoon" and .facts[0].host == "db-1"' <<<"$output"
	reqs=$(curl -fsS "http://127.0.0.1:$LLMD_PORT/_requests")
	[ "$(jq '[.[] | select(.error != null)] | length' <<<"$reqs")" = 0 ]
	jq -e '.[1].body.messages | map(select(.role == "tool")) | .[0].tool_call_id != null' <<<"$reqs"
}

@test "a malformed tool call is told back to the model, which goes on" {
	cat > "$BATS_TEST_TMPDIR/script.json" <<'JSON'
[{"tool_calls": [{"name": "list_alerts", "arguments": "{\"status\": "}]},
 {"tool_calls": [{"name": "no_such_tool", "arguments": {}}]},
 {"text": "Nothing to report."}]
JSON
	llmd "$BATS_TEST_TMPDIR/script.json"
	config openai "http://127.0.0.1:$LLMD_PORT/v1"
	run -0 --separate-stderr aiops-ask "what is firing?"
	[[ $output == *"Nothing to report."* ]]
	reqs=$(curl -fsS "http://127.0.0.1:$LLMD_PORT/_requests")
	jq -e '.[1].body.messages[-1].content | contains("not a JSON object")' <<<"$reqs"
	jq -e '.[2].body.messages[-1].content | contains("no tool no_such_tool")' <<<"$reqs"
}

@test "the model unreachable: the offline engine answers, with a warning" {
	port=$(free_port)
	config ollama "http://127.0.0.1:$port"
	run -0 --separate-stderr aiops-ask "what is firing right now?"
	[[ $output == *"DiskWillFillSoon"* ]]
	[[ $stderr == *"answering offline"* ]]
	run -0 --separate-stderr aiops-ask --offline "what is firing right now?"
	[[ $output == *"DiskWillFillSoon"* ]]
	[ -z "$stderr" ]
}

@test "the MCP server: handshake, tools/list, a tool call, a bad call" {
	run -0 --separate-stderr aiops-ask --mcp <<'EOF2'
{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bats","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/list"}
{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_alerts","arguments":{"status":"firing"}}}
{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}}
{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"list_alerts","arguments":{"since":"a while"}}}
{"jsonrpc":"2.0","id":6,"method":"no/such/method"}
not json
{"jsonrpc":"2.0","id":7,"method":"ping"}
EOF2
	# One reply per request, none for the notification, in order.
	[ "$(wc -l <<<"$output")" = 8 ]
	jq -e -s '.[0].id == 1 and .[0].result.protocolVersion == "2025-06-18" and .[0].result.capabilities.tools != null' <<<"$output"
	jq -e -s '.[1].result.tools | map(.name) | index("list_alerts") != null and index("sql") != null' <<<"$output"
	jq -e -s '.[1].result.tools | all(.inputSchema.type == "object" and .annotations.readOnlyHint)' <<<"$output"
	jq -e -s '.[2].result.isError == false and .[2].result.structuredContent.rows[0].alertname == "DiskWillFillSoon"' <<<"$output"
	jq -e -s '.[2].result.content[0].type == "text"' <<<"$output"
	jq -e -s '.[3].error.code == -32602' <<<"$output"
	jq -e -s '.[4].result.isError == true and (.[4].result.content[0].text | contains("since"))' <<<"$output"
	jq -e -s '.[5].error.code == -32601 and .[6].error.code == -32700 and .[6].id == null' <<<"$output"
	jq -e -s '.[7].id == 7 and .[7].result == {}' <<<"$output"
	[ -z "$stderr" ]
}
