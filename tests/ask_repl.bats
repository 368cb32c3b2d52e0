#!/usr/bin/env bats
# The aiops-ask REPL as a person uses it, in a terminal made by tmux:
# answers, completion, history, Ctrl-C, quit.
setup() {
	load test_helper
	command -v tmux > /dev/null || skip "tmux not installed"
	export AIOPS_STATE="$BATS_TEST_TMPDIR/state.db"
	aiops-ingest --store "$AIOPS_SAMPLES/metrics.lp" "$AIOPS_SAMPLES/alerts.ndjson" > /dev/null
	export XDG_STATE_HOME="$BATS_TEST_TMPDIR/xdg"
	SOCK="$BATS_TEST_TMPDIR/tmux.sock"
	tmux -S "$SOCK" -f /dev/null new-session -d -x 160 -y 50 \
	    "env AIOPS_STATE='$AIOPS_STATE' AIOPS_NOW='$AIOPS_NOW' XDG_STATE_HOME='$XDG_STATE_HOME' \
	     PATH='$PATH' aiops-ask; echo EXITED \$?; sleep 30"
}

teardown() {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
}

screen() {
	tmux -S "$SOCK" capture-pane -p -J
}

# Waits (5 s at most) until the screen shows $1.
wait_for() {
	local i
	for i in $(seq 50); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "never saw: $1"; screen; false
}

keys() {
	tmux -S "$SOCK" send-keys "$@"
}

@test "repl: a question answered, completion of a host, history kept, Ctrl-C, quit" {
	wait_for "aiops> "
	keys "what is firing right now?" Enter
	wait_for "DiskWillFillSoon"
	wait_for "1 alert is firing."
	# Tab completes a host name the state knows, as far as it is one.
	keys "memory on web" Tab
	wait_for "memory on web-"
	keys C-u
	keys "memory on db" Tab Enter
	wait_for "mem_used_percent on db-1 is"
	# Ctrl-C at the prompt leaves the session open.
	keys "half a question" C-c
	keys "list hosts" Enter
	wait_for "hosts in the state."
	keys "quit" Enter
	wait_for "EXITED 0"
	# The history file has the questions, in order.
	hist="$XDG_STATE_HOME/aiops/ask_history"
	[ -f "$hist" ]
	grep -qx "what is firing right now?" "$hist"
	grep -qx "memory on db-1" "$hist"
	[ "$(tail -n 1 "$hist")" = "list hosts" ]
}

@test "repl: the session is kept in the state, and --session goes on with it" {
	wait_for "aiops> "
	wait_for "(session 1:"
	keys "what is firing right now?" Enter
	wait_for "DiskWillFillSoon"
	keys C-d
	wait_for "EXITED 0"
	run -0 sqlite3 "$AIOPS_STATE" "SELECT role, content FROM ask_messages WHERE session = 1 ORDER BY id"
	[[ ${lines[0]} == "user|what is firing right now?" ]]
	[[ ${lines[1]} == "assistant|1 alert is firing."* ]]
	run -0 sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM ask_decisions WHERE session = 1"
	[ "$output" = 1 ]
}

@test "repl: Ctrl-C stops a model's answer that stalls, and the session goes on" {
	tmux -S "$SOCK" kill-server 2>/dev/null || true
	coproc LLMD { exec /usr/bin/python3 "$AIOPS_SRCDIR/tests/helpers/llmd.py" --timeout 60; }
	read -r port <&"${LLMD[0]}"
	cat > "$BATS_TEST_TMPDIR/aiops.yaml" <<YAML
ask:
  backend: openai
  url: http://127.0.0.1:$port/v1
  model: "stall:20000"
  retries: 0
YAML
	tmux -S "$SOCK" -f /dev/null new-session -d -x 160 -y 50 \
	    "env AIOPS_STATE='$AIOPS_STATE' AIOPS_CONFIG='$BATS_TEST_TMPDIR/aiops.yaml' AIOPS_NOW='$AIOPS_NOW' \
	     XDG_STATE_HOME='$XDG_STATE_HOME' PATH='$PATH' aiops-ask; echo EXITED \$?; sleep 30"
	wait_for "aiops> "
	keys "what is firing?" Enter
	sleep 1
	start=$(date +%s)
	keys C-c
	wait_for "(interrupted)"
	[ $(($(date +%s) - start)) -le 3 ]
	keys "quit" Enter
	wait_for "EXITED 0"
	kill "$LLMD_PID" 2>/dev/null || true
}
