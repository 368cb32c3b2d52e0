#!/usr/bin/env bats
# aiops-ask proposes a playbook, checked by the real ansible-playbook
# --syntax-check; only a person's confirmation queues it in aiops-run,
# where it still waits for an approver.
setup() {
	load test_helper
	command -v ansible-playbook > /dev/null || skip "ansible-playbook not installed"
	export AIOPS_STATE="$BATS_TEST_TMPDIR/state.db"
	aiops-ingest --store "$AIOPS_SAMPLES/metrics.lp" > /dev/null
	cat > "$BATS_TEST_TMPDIR/aiops.yaml" <<YAML
run:
  playbooks: $AIOPS_SRCDIR/share/playbooks
  approval:
    users: [$(id -un)]
YAML
	export AIOPS_CONFIG="$BATS_TEST_TMPDIR/aiops.yaml"
}

tasks() {
	sqlite3 "$AIOPS_STATE" "SELECT id, rule, target, action, state FROM run_tasks ORDER BY id"
}

@test "propose: an order is a proposal, syntax-checked, and nothing is queued unconfirmed" {
	run --separate-stderr aiops-ask "clean up the disk on db-1"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[[ $output == *"Proposed: disk-cleanup.yml on db-1 (path=/var/lib/postgresql, older_than=7d)"* ]]
	[[ $output == *"--syntax-check passed"* ]]
	[[ $output == *"Not queued"* ]]
	[ -z "$(tasks)" ]
	run -0 aiops-ask --json "clean up the disk on db-1"
	jq -e '.intent == "automation.propose" and .facts[0].queued == false' <<<"$output"
	jq -e '.facts[0].spec.kind == "playbook" and .facts[0].spec.hosts == "db-1" and .facts[0].spec.check_first' <<<"$output"
}

@test "propose: --yes queues it awaiting approval, audited; an approver lets it run" {
	run -0 --separate-stderr aiops-ask --yes "please restart nginx on web-2"
	[[ $output == *"Queued as task 1, awaiting approval: aiops-run approve 1"* ]]
	[ "$(tasks)" = "1|aiops-ask|web-2|ansible:restart-service.yml|approval" ]
	run -0 sqlite3 "$AIOPS_STATE" "SELECT decision FROM run_audit WHERE task_id = 1 ORDER BY seq"
	[ "$output" = "$(printf 'queued\nawaiting-approval')" ]
	run -0 sqlite3 "$AIOPS_STATE" "SELECT json_extract(spec, '\$.vars.service'), json_extract(spec, '\$.vars.target_host') FROM run_tasks"
	[ "$output" = "nginx|web-2" ]
	run -0 aiops-run approve 1
	[ "$(tasks)" = "1|aiops-ask|web-2|ansible:restart-service.yml|queued" ]
}

@test "propose: a host, a playbook or a service it cannot name is refused" {
	run -1 --separate-stderr aiops-ask "restart the service on web-2"
	[[ $output == *"Restart which service?"* ]]
	run -1 --separate-stderr aiops-ask "clean up the disk"
	[[ $output == *"On which host?"* ]]
	run -0 --separate-stderr aiops-ask --mcp <<'EOF2'
{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"propose_playbook","arguments":{"playbook":"../../etc/passwd","host":"db-1"}}}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"propose_playbook","arguments":{"playbook":"disk-cleanup","host":"-oProxyCommand=x"}}}
{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"propose_playbook","arguments":{"playbook":"no-such-book","host":"db-1"}}}
{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"propose_playbook","arguments":{"playbook":"disk-cleanup","host":"db-1","vars":{"path":"/srv"}}}}
EOF2
	jq -e -s '.[0].result.isError and .[1].result.isError and .[2].result.isError' <<<"$output"
	jq -e -s '.[2].result.content[0].text | contains("no playbook")' <<<"$output"
	jq -e -s '.[3].result.isError == false and .[3].result.structuredContent.rows[0].syntax_check == "ok"' <<<"$output"
	[ -z "$(tasks)" ]
}

@test "propose: a playbook that fails ansible's syntax check is not proposed" {
	mkdir -p "$BATS_TEST_TMPDIR/books"
	printf -- '- hosts: all\n  tasks:\n    - name: bad\n      no.such.module_at_all: {}\n' > "$BATS_TEST_TMPDIR/books/broken.yml"
	sed -i "s|playbooks: .*|playbooks: $BATS_TEST_TMPDIR/books|" "$AIOPS_CONFIG"
	run -0 --separate-stderr aiops-ask --mcp <<'EOF2'
{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"propose_playbook","arguments":{"playbook":"broken","host":"db-1"}}}
EOF2
	jq -e '.result.isError and (.result.content[0].text | contains("--syntax-check failed"))' <<<"$output"
}

@test "propose: a model's propose_playbook call, confirmed with --yes, is queued" {
	cat > "$BATS_TEST_TMPDIR/script.json" <<'JSON'
[{"tool_calls": [{"name": "propose_playbook", "arguments": {"playbook": "disk-cleanup", "host": "db-1", "vars": {"path": "/var/lib/postgresql", "older_than": "7d"}, "reason": "the disk fills"}}]},
 {"text": "I propose disk-cleanup on db-1."}]
JSON
	coproc LLMD { exec /usr/bin/python3 "$AIOPS_SRCDIR/tests/helpers/llmd.py" --timeout 60 --script "$BATS_TEST_TMPDIR/script.json"; }
	read -r port <&"${LLMD[0]}"
	cat >> "$AIOPS_CONFIG" <<YAML
ask:
  backend: ollama
  url: http://127.0.0.1:$port
  model: script
  retries: 0
YAML
	run -0 --separate-stderr aiops-ask --yes "the disk of db-1 fills, do something"
	kill "$LLMD_PID" 2>/dev/null || true
	[[ $output == *"I propose disk-cleanup on db-1."* ]]
	[[ $output == *"Queued as task 1, awaiting approval"* ]]
	[ "$(tasks)" = "1|aiops-ask|db-1|ansible:disk-cleanup.yml|approval" ]
}
