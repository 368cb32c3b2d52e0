#!/usr/bin/env bats
# aiops-run: rules, the queue, the worker, the audit log.

load test_helper

setup() {
	CFG="$BATS_TEST_TMPDIR/aiops.yaml"
	W="$BATS_TEST_TMPDIR/work"
	mkdir -p "$W"
}

teardown() {
	[ -z "${WORKER_PID:-}" ] || kill -9 "$WORKER_PID" 2>/dev/null || true
	[ -z "${LEFT_PGID:-}" ] || kill -9 -- "-$LEFT_PGID" 2>/dev/null || true
}

# A prediction that db-3's disk fills, with a label the rules use.
prediction() {
	printf '{"type":"prediction","ts":"%s","id":"%s","host":"%s","name":"disk_used_percent","threshold":90,"labels":{"path":"%s"}}\n' \
	    "${4:-2026-11-22T12:00:00Z}" "$1" "$2" "$3"
}

# rule NAME COMMAND-JSON [more YAML keys]: a config of one rule that fires
# on predictions of disk_used_percent.
rule() {
	local name=$1 cmd=$2
	shift 2
	{
		printf 'run:\n  retry: {base: 1ms, cap: 1ms}\n  rules:\n'
		printf '    - name: %s\n' "$name"
		printf '      criteria:\n'
		printf '        type: {type: equals, pattern: prediction}\n'
		printf '        name: {type: equals, pattern: disk_used_percent}\n'
		printf '      command: %s\n' "$cmd"
		local kv
		for kv in "$@"; do printf '      %s\n' "$kv"; done
	} > "$CFG"
}

tasks_json() { aiops-run tasks --config "$CFG" --json; }

# Has process $1 ended? (Killed, it may stay a zombie until reaped.)
gone() {
	local st
	st=$(ps -o stat= -p "$1" || true)
	[ -z "$st" ] || [[ "$st" == Z* ]]
}

@test "run: a matching event runs its command, with the event's fields as arguments" {
	rule echo '["printf", "%s|%s\n", "{{ .host }}", "{{ .labels.path }}"]'
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 /var/log)
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<< "$output" | paste -sd,)" = requested,started,succeeded ]
	[ "$(jq -r 'select(.status == "succeeded") | .output' <<< "$output")" = "db-3|/var/log" ]
	jq -es 'map(select(.status == "started")) | length == 1 and (.[0] | .argv == ["printf", "%s|%s\n", "db-3", "/var/log"])' <<< "$output"
	[ "$(jq -r 'select(.status == "requested") | .trigger_id' <<< "$output")" = p1 ]
	[ "$(tasks_json | jq -r '[.state, .attempts, .exit_status] | join(",")')" = succeeded,1,0 ]
	[ "$(stat -c %a "$AIOPS_STATE")" = 600 ]
}

@test "run: hostile event fields are inert: each is one argument, never shell text" {
	local evil
	rule echo '["printf", "[%s]\n", "{{ .labels.path }}"]'
	for evil in '$(touch pwned)' '`touch pwned`' 'a; touch pwned' 'x && touch pwned' \
	    "line1\\nline2" "it's \\\"quoted\\\"" '*' '| touch pwned' '> pwned'; do
		prediction "e-$RANDOM" "db-$RANDOM" "$evil"
	done > "$W/in.ndjson"
	cd "$W"
	run aiops-run --config "$CFG" "$W/in.ndjson"
	[ "$status" -eq 0 ]
	[ ! -e "$W/pwned" ]
	[ "$(jq -j 'select(.status == "succeeded") | .output' <<< "$output")" = "$(printf '%s\n' \
	    '[$(touch pwned)]' '[`touch pwned`]' '[a; touch pwned]' '[x && touch pwned]' \
	    '[line1' 'line2]' "[it's \"quoted\"]" '[*]' '[| touch pwned]' '[> pwned]')" ]
}

@test "run: a value that would be an option is refused, unless the rule's own text starts with -" {
	rule find '["echo", "{{ .labels.path }}", "--name={{ .host }}"]'
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 --delete; prediction p2 db-4 -rf)
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<< "$output" | paste -sd,)" = refused,refused ]
	jq -es 'map(select(.trigger_id == "p1")) | length == 1 and (.[0] | .reason == "command[1]: renders as an option (\u0027--delete\u0027) from event data")' <<< "$output"
	[ -z "$(tasks_json)" ]
	[ "$(aiops-run audit --config "$CFG" --json | jq -r .decision | paste -sd,)" = refused,refused ]
	# The literal "--name=" is the rule's: allowed, the host inside it too.
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p3 -x /tmp)
	[ "$(jq -r 'select(.status == "succeeded") | .output' <<< "$output")" = "/tmp --name=-x" ]
}

@test "run: a field the template names but the event lacks refuses the event" {
	rule echo '["echo", "{{ .labels.mount }}"]'
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 /var)
	[ "$status" -eq 0 ]
	jq -e '.status == "refused" and (.reason | test("command\\[1\\]: renders .<no value>.: a field it names is missing"))' <<< "$output"
}

@test "run: --dry-run prints what would run and stores nothing" {
	rule echo '["touch", "{{ .labels.path }}"]'
	run aiops-run --dry-run --config "$CFG" < <(prediction p1 db-3 "$W/made")
	[ "$status" -eq 0 ]
	jq -e --arg f "$W/made" '.status == "dry-run" and .argv == ["touch", $f] and .rule == "echo"' <<< "$output"
	[ ! -e "$W/made" ]
	[ -z "$(tasks_json)" ]
	[ -z "$(aiops-run audit --config "$CFG")" ]
}

@test "run: a cooldown suppresses the same rule and target, not another target" {
	rule echo '["true"]' 'cooldown: 30m'
	{
		prediction p1 db-3 /a 2026-11-22T12:00:00Z
		prediction p2 db-3 /a 2026-11-22T12:10:00Z
		prediction p3 db-4 /a 2026-11-22T12:11:00Z
		prediction p4 db-3 /a 2026-11-22T12:30:00Z
	} > "$W/in.ndjson"
	run aiops-run --clock event --config "$CFG" "$W/in.ndjson"
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.status != "started" and .status != "succeeded") | "\(.trigger_id):\(.status)"' <<< "$output" | paste -sd,)" = \
	    p1:requested,p2:suppressed,p3:requested,p4:requested ]
	jq -es 'map(select(.trigger_id == "p2")) | length == 1 and (.[0] | .reason == "cooldown: task 1 was queued within 1800 s; until 2026-11-22T12:30:00.000Z")' <<< "$output"
	[ "$(aiops-run audit --config "$CFG" --json | jq -r 'select(.decision == "suppressed") | .trigger_id')" = p2 ]
}

@test "run: a failing action is retried after a backoff, then is a dead letter with the reason" {
	unset AIOPS_NOW
	rule fail '["sh", "-c", "echo tried >> '"$W"'/tries; exit 3"]' 'retries: 2'
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 /a)
	[ "$status" -eq 0 ]
	for _ in 1 2 3; do
		sleep 0.01
		aiops-run --worker --once --config "$CFG" >> "$W/worker.out"
	done
	[ "$(wc -l < "$W/tries")" -eq 3 ]
	tasks_json | jq -e '.state == "dead" and .attempts == 3 and .exit_status == 3 and .error == "exit status 3"'
	[ "$(aiops-run audit --config "$CFG" --json | jq -r .decision | paste -sd,)" = \
	    queued,started,failed,started,failed,started,dead ]
	aiops-run audit --config "$CFG" --json | jq -es 'map(select(.decision == "dead")) | length == 1 and (.[0] | .detail == "exit status 3; attempt 3 of 3, none left")'
	[ "$(aiops-run tasks --config "$CFG" --status dead | tail -n +2 | awk '{print $1, $2}')" = "1 dead" ]
}

@test "run: a timeout kills the action's whole process group" {
	rule slow '["sh", "-c", "sleep 60 & echo $! > '"$W"'/bg; wait"]' 'timeout: 1s'
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 /a)
	[ "$status" -eq 0 ]
	jq -es 'map(select(.status == "dead")) | length == 1 and (.[0] | .reason == "timed out after 1 s: its process group was killed")' <<< "$output"
	gone "$(cat "$W/bg")"
}

@test "run: a program that cannot start is a dead letter that says why" {
	rule missing '["/nonexistent/fix-it", "now"]'
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 /a)
	[ "$status" -eq 0 ]
	jq -es 'map(select(.status == "dead")) | length == 1 and (.[0] | .reason == "/nonexistent/fix-it: No such file or directory")' <<< "$output"
}

# Starts the action's script through a worker, kills the worker with -9
# once the action runs, and leaves the action's process group in LEFT_PGID.
kill_worker_mid_task() {
	aiops-run --enqueue --config "$CFG" < <(prediction p1 db-3 /a) > /dev/null
	aiops-run --worker --config "$CFG" > "$W/worker.out" 2> "$W/worker.err" &
	WORKER_PID=$!
	local i
	for i in $(seq 100); do
		[ -s "$W/runs" ] && break
		sleep 0.05
	done
	[ -s "$W/runs" ]
	LEFT_PGID=$(sqlite3 -readonly "$AIOPS_STATE" 'SELECT pgid FROM run_tasks WHERE id = 1')
	[ -n "$LEFT_PGID" ]
	kill -9 "$WORKER_PID"
	wait "$WORKER_PID" || true
	WORKER_PID=
	[ "$(sqlite3 -readonly "$AIOPS_STATE" 'SELECT state FROM run_tasks WHERE id = 1')" = running ]
}

@test "run: kill -9 of the worker mid-task: on restart the task is not run again, and the audit says so" {
	unset AIOPS_NOW
	# The action: note the run, then hang in a child of its own.
	rule hang '["sh", "-c", "echo run >> '"$W"'/runs; sleep 60; echo done >> '"$W"'/runs"]'
	kill_worker_mid_task
	run --separate-stderr aiops-run --worker --once --config "$CFG"
	[ "$status" -eq 0 ]
	jq -e '.status == "dead" and (.reason | test("died while it ran; not idempotent: not run again"))' <<< "$output"
	# What it left running was killed with it, and it ran once.
	for pid in $(pgrep -g "$LEFT_PGID"); do gone "$pid"; done
	[ "$(cat "$W/runs")" = run ]
	[ "$(aiops-run audit --config "$CFG" --json | jq -r .decision | paste -sd,)" = queued,started,interrupted ]
	tasks_json | jq -e '.state == "dead"'
}

@test "run: kill -9 of the worker mid-task: an idempotent task runs again on restart" {
	unset AIOPS_NOW
	rule hang '["sh", "-c", "echo run >> '"$W"'/runs; [ -e '"$W"'/again ] || { touch '"$W"'/again; sleep 60; }"]' \
	    'idempotent: true' 'retries: 1'
	kill_worker_mid_task
	run --separate-stderr aiops-run --worker --once --config "$CFG"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<< "$output" | paste -sd,)" = recovered,started,succeeded ]
	[ "$(cat "$W/runs" | paste -sd,)" = run,run ]
	[ "$(aiops-run audit --config "$CFG" --json | jq -r .decision | paste -sd,)" = \
	    queued,started,recovered,started,succeeded ]
}

@test "run: a separate worker runs what --enqueue queued, and SIGHUP reloads its configuration" {
	unset AIOPS_NOW
	rule echo '["sh", "-c", "echo {{ .host }} >> '"$W"'/ran"]'
	aiops-run --worker -v --config "$CFG" > "$W/worker.out" 2> "$W/worker.err" &
	WORKER_PID=$!
	run aiops-run --enqueue --config "$CFG" < <(prediction p1 db-3 /a)
	[ "$(jq -r .status <<< "$output")" = requested ]
	local i
	for i in $(seq 100); do
		[ -s "$W/ran" ] && break
		sleep 0.05
	done
	[ "$(cat "$W/ran")" = db-3 ]
	kill -HUP "$WORKER_PID"
	for i in $(seq 100); do
		grep -q 'SIGHUP: configuration read again (1 rules)' "$W/worker.err" && break
		sleep 0.05
	done
	grep -q 'SIGHUP: configuration read again (1 rules)' "$W/worker.err"
	kill -TERM "$WORKER_PID"
	wait "$WORKER_PID"
	WORKER_PID=
	[ "$(jq -r .status "$W/worker.out" | paste -sd,)" = started,succeeded ]
}

@test "run: --all passes every input event through, in order, before what it adds" {
	rule echo '["true"]'
	{ echo '{"type":"metric","name":"x","value":1,"ts":"2026-11-22T12:00:00Z"}'; prediction p1 db-3 /a; } > "$W/in.ndjson"
	run aiops-run --all --config "$CFG" "$W/in.ndjson"
	[ "$status" -eq 0 ]
	diff <(head -2 <<< "$output") "$W/in.ndjson"
	[ "$(tail -n +3 <<< "$output" | jq -r .status | paste -sd,)" = requested,started,succeeded ]
}

@test "run: replaying a stream on the event clock gives the same decisions and output" {
	rule echo '["echo", "{{ .host }}"]' 'cooldown: 5m'
	for i in 0 1 2 3 4 5; do prediction "p$i" "db-$((i % 2))" /a "2026-11-22T12:0${i}:00Z"; done > "$W/in.ndjson"
	AIOPS_STATE="$W/a.db" aiops-run --clock event --config "$CFG" "$W/in.ndjson" > "$W/a.out"
	AIOPS_STATE="$W/b.db" aiops-run --clock event --config "$CFG" "$W/in.ndjson" > "$W/b.out"
	diff "$W/a.out" "$W/b.out"
	[ "$(grep -c '"status":"suppressed"' "$W/a.out")" -eq 4 ]
	diff <(AIOPS_STATE="$W/a.db" aiops-run audit --config "$CFG") \
	    <(AIOPS_STATE="$W/b.db" aiops-run audit --config "$CFG")
}

@test "run: the audit log is append-only" {
	rule echo '["true"]'
	aiops-run --config "$CFG" < <(prediction p1 db-3 /a) > /dev/null
	run sqlite3 "$AIOPS_STATE" "UPDATE run_audit SET detail = 'edited'"
	[ "$status" -ne 0 ]
	[[ "$output" == *"run_audit is append-only"* ]]
	[ "$(aiops-run audit --config "$CFG" --json | jq -r .decision | paste -sd,)" = queued,started,succeeded ]
	aiops-run audit --since 1h --config "$CFG" | grep -q succeeded
	[ -z "$(aiops-run audit --since 2026-11-23T00:00:00Z --config "$CFG")" ]
}

@test "run test: a rule against events, offline: matches, argv, refusals and exit status" {
	rule echo '["echo", "{{ .labels.path }}"]'
	{ prediction p1 db-3 "/var/a b"; prediction p2 db-3 --x; echo '{"type":"metric","name":"m","value":1}'; } > "$W/in.ndjson"
	run aiops-run test --config "$CFG" echo "$W/in.ndjson"
	[ "$status" -eq 65 ]
	[ "${lines[0]}" = "$W/in.ndjson:1: rule echo: matches" ]
	[ "${lines[1]}" = "  target: db-3" ]
	[ "${lines[2]}" = "  would run: echo '/var/a b'" ]
	[ "${lines[3]}" = "$W/in.ndjson:2: rule echo: matches, but refused: command[1]: renders as an option ('--x') from event data" ]
	[ "${lines[4]}" = "$W/in.ndjson:3: rule echo: no match" ]
	run aiops-run test --config "$CFG" echo < <(prediction p1 db-3 /a)
	[ "$status" -eq 0 ]
	run aiops-run test --config "$CFG" echo < <(echo '{"type":"metric","name":"m","value":1}')
	[ "$status" -eq 1 ]
	run aiops-run test --config "$CFG" nosuch < /dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"no rule is named 'nosuch' (1 rules in $CFG)"* ]]
	[ -z "$(ls "$BATS_TEST_TMPDIR" | grep state.db)" ]
}

@test "run: rule mistakes are configuration errors that name the rule and the key" {
	printf 'run:\n  rules:\n    - name: a\n      criteria: {type: {type: equals, pattern: x}}\n      command: [true]\n      playbook: x.yml\n' > "$CFG"
	run aiops-run --config "$CFG" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"run.rules[0] (a): an action, please: command, playbook, servicenow or terraform (one of them)"* ]]
	printf 'run:\n  rules:\n    - name: a\n      criteria: {x: {type: regex, pattern: "("}}\n      command: [true]\n' > "$CFG"
	run aiops-run --config "$CFG" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"run.rules[0] (a): criteria: criteria 'x' (regex): missing closing parenthesis"* ]]
	printf 'run:\n  rules:\n    - name: a\n      criteria: {x: {type: exists}}\n      command: ["{{ .x"]\n' > "$CFG"
	run aiops-run --config "$CFG" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"run.rules[0] (a): command[0]: template: "* ]]
	printf 'run:\n  rules:\n    - name: a\n      criteria: {x: {type: exists}}\n      command: [true]\n      cooldwn: 5m\n' > "$CFG"
	run aiops-run --config "$CFG" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"run.rules[0] (a): cooldwn: unknown key"* ]]
	printf 'run:\n  rules:\n    - name: a\n      command: [true]\n' > "$CFG"
	run aiops-run --config "$CFG" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"run.rules[0] (a): criteria: missing"* ]]
}

@test "run: malformed lines are reported with their line and skipped; good ones still act" {
	rule echo '["true"]'
	{ echo '{"type":'; prediction p1 db-3 /a; } > "$W/in.ndjson"
	run aiops-run --config "$CFG" "$W/in.ndjson"
	[ "$status" -eq 65 ]
	[[ "$output" == *"in.ndjson:1: skipped"* ]]
	tasks_json | jq -e '.state == "succeeded"'
}

# A point of disk_used_percent for db-3's /data, stored as aiops-ingest does.
point() {
	printf 'disk,host=db-3,path=/data used_percent=%s %s\n' "$2" \
	    "$(date -u -d "$1" +%s)000000000" | aiops-ingest --store > /dev/null
}

# An event at time $1 that matches no rule: the event clock moves on.
tick() {
	printf '{"type":"metric","ts":"%s","name":"tick","value":1}\n' "$1" |
	    aiops-run --clock event --config "$CFG"
}

@test "run: verify: the metric history says the disk is back under the threshold: verified" {
	rule cleanup '["true"]' 'verify: {metric: disk_used_percent, labels: {path: "{{ .labels.path }}"}, below: 80, within: 10m, every: 1m}'
	point 2026-11-22T11:59:00Z 93
	run --separate-stderr aiops-run --clock event --config "$CFG" < <(prediction p1 db-3 /data 2026-11-22T12:00:00Z)
	[ "$(jq -r .status <<< "$output" | paste -sd,)" = requested,started,succeeded ]
	[ "$(tasks_json | jq -r .state)" = verifying ]
	point 2026-11-22T12:01:00Z 85
	run tick 2026-11-22T12:02:00Z
	[ -z "$output" ]
	point 2026-11-22T12:03:00Z 71
	run tick 2026-11-22T12:04:00Z
	jq -es 'length == 1 and (.[0] | .status == "verified" and .evidence == "disk_used_percent on db-3 was 71 at 2026-11-22T12:03:00.000Z: below 80" and .action == "command:true")' <<< "$output"
	tasks_json | jq -e '.state == "verified" and .finished == "2026-11-22T12:04:00.000Z"'
	[ "$(aiops-run audit --config "$CFG" --json | jq -r .decision | paste -sd,)" = queued,started,succeeded,verified ]
}

@test "run: verify: still over the threshold at the deadline: unverified, and the breaker counts it" {
	rule cleanup '["true"]' 'verify: {metric: disk_used_percent, host: "{{ .host }}", below: 80, within: 10m}'
	aiops-run --clock event --config "$CFG" < <(prediction p1 db-3 /data 2026-11-22T12:00:00Z) > /dev/null
	point 2026-11-22T12:05:00Z 88
	run tick 2026-11-22T12:11:00Z
	jq -es 'length == 1 and (.[0] | .status == "unverified" and .reason == "disk_used_percent on db-3 was 88 at 2026-11-22T12:05:00.000Z: not below 80; the deadline passed")' <<< "$output"
	[ "$(sqlite3 -readonly "$AIOPS_STATE" 'SELECT failures FROM run_breakers')" = 1 ]
}

@test "run: verify: the alert that triggered it resolves: verified" {
	{
		printf 'run:\n  rules:\n    - name: fix\n      criteria: {type: {type: equals, pattern: alert}, status: {type: equals, pattern: firing}}\n'
		printf '      command: ["true"]\n      verify: {alert: resolved, within: 10m}\n'
	} > "$CFG"
	local a='{"type":"alert","ts":"2026-11-22T12:00:00Z","fingerprint":"00000000000000aa","alertname":"DiskFull","status":"firing","starts_at":"2026-11-22T12:00:00Z","host":"db-3","labels":{"alertname":"DiskFull"}}'
	aiops-ingest --store <<< "$a" | aiops-run --clock event --config "$CFG" > /dev/null
	[ "$(tasks_json | jq -r .state)" = verifying ]
	run tick 2026-11-22T12:02:00Z
	[ -z "$output" ]
	jq -c '.status = "resolved" | .ts = "2026-11-22T12:03:00Z" | .ends_at = "2026-11-22T12:03:00Z"' <<< "$a" | aiops-ingest --store > /dev/null
	run tick 2026-11-22T12:04:00Z
	jq -es 'length == 1 and (.[0] | .status == "verified" and .evidence == "alert 00000000000000aa (DiskFull) is resolved")' <<< "$output"
}

@test "run: the circuit breaker stops a target after failures in a row; reset closes it" {
	rule fail '["false"]'
	printf '  breaker: {failures: 2}\n' >> "$CFG"	# run.breaker
	for i in 1 2 3; do prediction "p$i" db-3 /a; done > "$W/in.ndjson"
	run --separate-stderr aiops-run --config "$CFG" "$W/in.ndjson"
	[ "$status" -eq 0 ]
	# p3 was queued before p1 and p2 failed: it ends unrun.
	[ "$(jq -r 'select(.status != "requested" and .status != "started") | "\(.task_id):\(.status)"' <<< "$output" | paste -sd,)" = \
	    1:dead,2:dead,2:breaker-open,3:suppressed ]
	aiops-run --config "$CFG" < <(prediction p4 db-3 /a; prediction p5 db-4 /a) > "$W/out"
	jq -es 'map(select(.trigger_id == "p4")) | length == 1 and (.[0] | .status == "suppressed" and (.reason | startswith("circuit breaker open since 2026-11-22T12:00:00.000Z after 2 failures in a row")))' "$W/out"
	[ "$(jq -r 'select(.trigger_id == "p5") | .status' "$W/out" | head -1)" = requested ]
	run aiops-run reset --config "$CFG" db-3
	[ "$status" -eq 0 ]
	[[ "$output" == "db-3: circuit breaker closed ("*" failures forgotten)" ]]
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p6 db-3 /a)
	[ "$(jq -r .status <<< "$output" | head -1)" = requested ]
	aiops-run audit --config "$CFG" --json | jq -es 'map(select(.decision == "breaker-reset")) | length == 1 and (.[0].detail | startswith("by "))'
}

@test "run: approval: a marked rule's task waits for an allowed user; approve runs it, deny ends it" {
	rule restart '["sh", "-c", "echo {{ .host }} >> '"$W"'/ran"]' "approval: {users: [$(id -un)], expires: 1h}"
	aiops-run --config "$CFG" < <(prediction p1 db-3 /a; prediction p2 db-4 /a) > "$W/out"
	[ "$(jq -r .status "$W/out" | paste -sd,)" = requested,awaiting-approval,requested,awaiting-approval ]
	[ ! -e "$W/ran" ]
	run aiops-run approve --config "$CFG" 1
	[ "$status" -eq 0 ]
	[ "$output" = "task 1 approved: a worker runs it now (rule restart, target db-3)" ]
	run aiops-run deny --config "$CFG" 2
	[ "$status" -eq 0 ]
	run aiops-run approve --config "$CFG" 2
	[ "$status" -eq 1 ]
	[[ "$output" == *"task 2: it is denied, not awaiting approval"* ]]
	aiops-run --worker --once --config "$CFG" > /dev/null
	[ "$(cat "$W/ran")" = db-3 ]
	[ "$(aiops-run audit --config "$CFG" --json | jq -r '"\(.decision):\(.task_id)"' | paste -sd,)" = \
	    queued:1,awaiting-approval:1,queued:2,awaiting-approval:2,approved:1,denied:2,started:1,succeeded:1 ]
}

@test "run: approval: only the users named may decide, and an approval not given in time expires" {
	rule restart '["true"]' 'approval: {users: [someone-else], expires: 1h}'
	aiops-run --config "$CFG" < <(prediction p1 db-3 /a) > /dev/null
	run aiops-run approve --config "$CFG" 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"task 1: $(id -un) may not approve or deny tasks of rule restart"* ]]
	run env AIOPS_NOW=2026-11-22T13:00:00Z aiops-run --worker --once --config "$CFG"
	jq -es 'length == 1 and (.[0] | .status == "expired" and .reason == "no one approved it in time")' <<< "$output"
	# With no approver anywhere, the rule is a configuration error.
	rule restart '["true"]' 'approval: true'
	run aiops-run --config "$CFG" < /dev/null
	[ "$status" -eq 78 ]
	[[ "$output" == *"run.rules[0] (restart): approval: no one may approve"* ]]
}

@test "run: a throttle caps a rule's tasks per window for each group" {
	rule echo '["true"]' 'throttle: {max: 2, per: 1h, by: "{{ .labels.path }}"}'
	for i in 1 2 3; do prediction "a$i" "db-$i" /a; done > "$W/in.ndjson"
	prediction b1 db-9 /b >> "$W/in.ndjson"
	run --separate-stderr aiops-run --config "$CFG" "$W/in.ndjson"
	[ "$(jq -r 'select(.status == "requested" or .status == "suppressed") | "\(.trigger_id):\(.status)"' <<< "$output" | paste -sd,)" = \
	    a1:requested,a2:requested,a3:suppressed,b1:requested ]
	jq -es 'map(select(.trigger_id == "a3")) | .[0].reason == "throttle: 2 tasks of this rule for /a in the last 3600 s (at most 2)"' <<< "$output"
}

@test "run: one task at a time per host: a second worker leaves that host's next task queued" {
	unset AIOPS_NOW
	# Event data as the script's own arguments ($1, $2), never in its text.
	rule slow '["sh", "-c", "touch '"$W"'/$1.started; sleep $2", "sh", "{{ .host }}", "{{ .labels.path }}"]'
	aiops-run --enqueue --config "$CFG" < <(prediction p1 db-3 2) > /dev/null
	aiops-run --worker --config "$CFG" > "$W/worker.out" 2>&1 &
	WORKER_PID=$!
	local i
	for i in $(seq 100); do [ -e "$W/db-3.started" ] && break; sleep 0.05; done
	[ -e "$W/db-3.started" ]
	kill -TERM "$WORKER_PID"	# it finishes the task it runs, then stops
	aiops-run --enqueue --config "$CFG" < <(prediction p2 db-3 0; prediction p3 db-4 0) > /dev/null
	run --separate-stderr aiops-run --worker --once --config "$CFG"
	[ "$(jq -r '"\(.task_id):\(.status)"' <<< "$output" | paste -sd,)" = 3:started,3:succeeded ]
	[ "$(sqlite3 -readonly "$AIOPS_STATE" 'SELECT state FROM run_tasks WHERE id = 2')" = queued ]
	wait "$WORKER_PID"
	WORKER_PID=
	[ "$(jq -r .status "$W/worker.out" | paste -sd,)" = started,succeeded ]
}

@test "run: aiops-notify takes every task event aiops-run writes (a dead task pages as critical)" {
	rule fail '["false", "{{ .labels.path }}"]' 'cooldown: 1h'
	{ prediction p1 db-3 /a; prediction p2 db-3 /a; prediction p3 db-4 --x; } |
	    aiops-run --config "$CFG" 2> /dev/null > "$W/tasks.ndjson"
	[ "$(jq -r .status "$W/tasks.ndjson" | sort -u | paste -sd,)" = dead,refused,requested,started,suppressed ]
	printf 'notify:\n  route: {receiver: stdout, group_by: [alertname], group_wait: 0s}\n' > "$W/notify.yaml"
	run --separate-stderr aiops-notify --config "$W/notify.yaml" --state "$W/notify.db" "$W/tasks.ndjson"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	jq -e '.status == "delivered" and .message.alerts[0].labels.alertname == "aiops_task"' <<< "$output"
	[ "$(sqlite3 -readonly "$W/notify.db" "SELECT severity, json_extract(annotations, '$.summary') FROM alerts WHERE host = 'db-3'")" = \
	    "critical|db-3: rule fail (command:false) gave up: a person must act" ]
}

# hookd: the fake of the hosted services (tests/helpers/hookd.py); its
# port in $PORT, its requests in $HOOKS.
hookd() {
	HOOKS="$BATS_TEST_TMPDIR/hooks.ndjson"
	: > "$HOOKS"
	coproc HOOKD { exec /usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/hookd.py" "$HOOKS" --timeout 60; }
	read -r -t 10 PORT <&"${HOOKD[0]}"
	[ -n "$PORT" ]
}

# http_rule KIND YAML-FLOW: a rule on predictions whose action is KIND.
http_rule() {
	printf 'run:\n  rules:\n    - name: ticket\n      criteria: {type: {type: equals, pattern: prediction}}\n      %s: %s\n      retries: 2\n' "$1" "$2" > "$CFG"
	printf '  retry: {base: 1ms, cap: 1ms}\n' >> "$CFG"
}

@test "run: a ServiceNow change request, by the Table API's contract, the password from a 0600 file" {
	hookd
	printf 'sn-pass\n' > "$W/sn.pass"
	chmod 600 "$W/sn.pass"
	http_rule servicenow "{instance_url: 'http://127.0.0.1:$PORT', username: aiops, password_file: '$W/sn.pass', table: change_request, fields: {short_description: 'Free disk on {{ .host }}', type: normal, description: 'predicted: {{ .name }} >= {{ .threshold }}'}}"
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 /data)
	[ "$status" -eq 0 ]
	jq -es 'map(select(.status == "succeeded")) | length == 1 and (.[0] | .output == "HTTP 201: CHG0010001 created (sys_id 00000000000000000000000000000001)\n" and .action == "servicenow:change_request")' <<< "$output"
	jq -es --arg u "http://127.0.0.1:$PORT/api/now/table/change_request" 'map(select(.status == "started")) | .[0].request | .method == "POST" and .url == $u and .body.short_description == "Free disk on db-3"' <<< "$output"
	[ "$(jq -r '.violation // "ok"' "$HOOKS")" = ok ]
	jq -e '.path == "/api/now/table/change_request" and (.body | fromjson) == {"short_description":"Free disk on db-3","type":"normal","description":"predicted: disk_used_percent >= 90","correlation_id":"aiops-run-task-1"}' "$HOOKS"
	# The password is nowhere but in the request's Authorization header.
	! grep -q sn-pass <<< "$output$stderr"
	! sqlite3 -readonly "$AIOPS_STATE" .dump | grep -q sn-pass
}

@test "run: ServiceNow's 401 ends the task at once (no retry), with the reason and no secret" {
	hookd
	printf 'wrong\n' > "$W/sn.pass"
	chmod 600 "$W/sn.pass"
	http_rule servicenow "{instance_url: 'http://127.0.0.1:$PORT', username: aiops, password_file: '$W/sn.pass', fields: {short_description: x}}"
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 /data)
	jq -es 'map(select(.status == "dead")) | length == 1 and (.[0].reason | test("401"))' <<< "$output"
	[ "$(wc -l < "$HOOKS")" -eq 1 ]
	aiops-run audit --config "$CFG" --json | jq -es 'map(select(.decision == "dead")) | .[0].detail | endswith("attempt 1 of 3, retrying cannot help")'
	! grep -q wrong <<< "$output$stderr"
}

@test "run: a Terraform Cloud run, by the runs API's contract; 5xx is retried, a 4xx is not" {
	hookd
	export TFC_TOKEN=tfc-token
	http_rule terraform "{url: 'http://127.0.0.1:$PORT', token_env: TFC_TOKEN, workspace: 'ws-{{ .labels.path }}', message: 'grow the disk of {{ .host }}'}"
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 db-3 abc)
	[ "$status" -eq 0 ]
	jq -es 'map(select(.status == "succeeded")) | .[0].output == "HTTP 201: run-0000000000000001 pending\n"' <<< "$output"
	[ "$(jq -r '.violation // "ok"' "$HOOKS")" = ok ]
	jq -e '.headers["Content-Type"] == "application/vnd.api+json" and (.body | fromjson) == {"data":{"type":"runs","attributes":{"message":"grow the disk of db-3","is-destroy":false,"auto-apply":false},"relationships":{"workspace":{"data":{"type":"workspaces","id":"ws-abc"}}}}}' "$HOOKS"
	# A workspace the service does not know: 404, a dead letter at once.
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p2 db-4 unknown)
	jq -es 'map(select(.status == "dead")) | length == 1 and (.[0].reason | test("404"))' <<< "$output"
	# A service that fails: retried, up to the rule's retries.
	http_rule terraform "{url: 'http://127.0.0.1:$PORT/status/503', token_env: TFC_TOKEN, workspace: ws-1}"
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p3 db-5 x)
	unset AIOPS_NOW
	for _ in 1 2; do sleep 0.01; aiops-run --worker --once --config "$CFG" > /dev/null; done
	[ "$(grep -c '/status/503/api/v2/runs' "$HOOKS")" -eq 3 ]
	aiops-run tasks --config "$CFG" --json | jq -es 'map(select(.task_id == 3)) | .[0] | .state == "dead" and .attempts == 3'
}

@test "run: a playbook runs for real with ansible-playbook, --check first, vars from the event in a 0600 file" {
	command -v ansible-playbook > /dev/null || skip "ansible-core is not installed"
	local d="$W/disk"
	mkdir -p "$d" "$W/tmp" "$W/home"
	touch -d '3 days ago' "$d/app.log.1" "$d/core.tmp"
	touch "$d/app.log.2" "$d/keep.txt"
	printf 'db_password: s3cret\n' > "$W/secrets.yml"
	chmod 600 "$W/secrets.yml"
	{
		printf 'run:\n  playbooks: %s\n  rules:\n' "$AIOPS_SRCDIR/share/playbooks"
		printf '    - name: cleanup\n      criteria: {type: {type: equals, pattern: prediction}}\n'
		printf '      playbook: disk-cleanup.yml\n      connection: local\n      check_first: true\n'
		printf '      vars: {path: "{{ .labels.path }}", older_than: 1d}\n'
		printf '      vars_files: [%s]\n' "$W/secrets.yml"
	} > "$CFG"
	export TMPDIR="$W/tmp" HOME="$W/home" ANSIBLE_LOCAL_TEMP="$W/tmp" ANSIBLE_NOCOLOR=1
	run --separate-stderr aiops-run --config "$CFG" < <(prediction p1 localhost "$d")
	[ "$status" -eq 0 ]
	jq -es --arg s "$W/secrets.yml" --arg p "$AIOPS_SRCDIR/share/playbooks/disk-cleanup.yml" \
	    'map(select(.status == "started")) | .[0].argv == ["ansible-playbook", "-i", "localhost,", "-c", "local", "--extra-vars", "@<vars file>", "--extra-vars", "@\($s)", $p]' <<< "$output"
	jq -es 'map(select(.status == "succeeded")) | length == 1 and (.[0].output | test("== check mode ==") and test("== for real ==") and test("changed=1"))' <<< "$output"
	[ "$(ls "$d" | paste -sd,)" = app.log.2,keep.txt ]
	[ -z "$(ls "$W/tmp" | grep aiops-run)" ]	# the vars file is gone
	! grep -q s3cret <<< "$output$stderr"
	tasks_json | jq -e '.state == "succeeded" and .action.vars == {"path": "'"$d"'", "older_than": "1d"}'
}

@test "run: retention: old tasks and whole days of the audit log go, the rest stays" {
	rule echo '["true"]'
	printf '  retention: {tasks: 1d, dead: 2d, audit: 3d}\n' >> "$CFG"
	prediction p1 db-3 /a 2026-11-10T08:00:00Z | aiops-run --clock event --config "$CFG" > /dev/null
	prediction p2 db-4 /a 2026-11-18T05:00:00Z | aiops-run --clock event --config "$CFG" > /dev/null
	prediction p3 db-5 /a 2026-11-21T23:00:00Z | aiops-run --clock event --config "$CFG" > /dev/null
	# The last run ends at 2026-11-21T23:00Z, event time: tasks 1 and 2, older
	# than a day, go; the audit keeps whole days from 2026-11-18 (3 days back
	# is 2026-11-18T23:00Z: that day's 05:00 records stay).
	[ "$(aiops-run tasks --config "$CFG" --json | jq -r .task_id | paste -sd,)" = 3 ]
	[ "$(aiops-run audit --config "$CFG" --json | jq -r '.ts[0:10]' | sort -u | paste -sd,)" = 2026-11-18,2026-11-21 ]
}
