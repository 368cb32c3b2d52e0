#!/usr/bin/env bats
# Parity with Alertmanager (issue 13): the real Alertmanager (Debian
# prometheus-alertmanager) and aiops-notify --watch on the wall clock get
# the same recorded alert stream (tests/data/parity_*.ndjson) at the same
# offsets, POST /api/v2/alerts for one and a line on stdin for the other,
# with the same routes, grouping, timings and inhibition rules; their
# webhooks go to one sink on 127.0.0.1 that notes when each arrives. Then
# group by group: the same notifications with the same alerts (firing or
# resolved), the first within group_wait + 1 s of each other, the later
# ones within group_interval + 1 s. tests/helpers/parity.py does both parts
# and says what differs.
#
# Timings: group_wait 1s, group_interval 2s, repeat_interval 5s. A repeat
# then falls on the third tick after a notification (6 s) on both sides,
# a second away from repeat_interval: Alertmanager stamps its log after the
# webhook returns, so a repeat_interval on a tick would race. Alerts
# change half a second or more away from every tick for the same reason,
# and each stream ends more than a second away from the next notification.
#
# The six scenarios run at once, from setup_file, each with its own
# Alertmanager, aiops-notify and sink, so the file takes as long as the
# longest (some 12 s) instead of their sum; each test waits for its own and
# compares. A scenario NAME is tests/data/parity_NAME.ndjson, the stream
# (each line's note says what Alertmanager does with it), and
# tests/data/parity_NAME.yaml, the routing both sides get.
SCENARIOS=(basic shrink unresolved "timeout --resolve-timeout 4s" missing inhibit)

setup_file() {
	local s name
	AM=${AM:-/usr/bin/prometheus-alertmanager}
	[ -x "$AM" ] || return 0	# each test skips
	unset AIOPS_NOW AIOPS_STATE AIOPS_CONFIG
	for s in "${SCENARIOS[@]}"; do
		# shellcheck disable=SC2086 # a scenario is a name and options
		set -- $s
		name=$1
		shift
		mkdir -p "$BATS_FILE_TMPDIR/$name"
		{
			# python itself in the background: $! is its pid, for teardown_file
			/usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/parity.py" run --am "$AM" \
			    --notify "$(command -v aiops-notify)" \
			    --stream "$BATS_TEST_DIRNAME/data/parity_$name.ndjson" \
			    --routing "$BATS_TEST_DIRNAME/data/parity_$name.yaml" \
			    --dir "$BATS_FILE_TMPDIR/$name" "$@" > "$BATS_FILE_TMPDIR/$name/run.log" 2>&1 &
			echo $! > "$BATS_FILE_TMPDIR/$name/pid"
			wait $!
			echo $? > "$BATS_FILE_TMPDIR/$name/rc"
		} 3>&- &
	done
}

teardown_file() {
	local p
	# Each run ends by itself; this is for a file cut short.
	for p in "$BATS_FILE_TMPDIR"/*/pid; do
		if [ -e "$p" ] && [ ! -e "${p%pid}rc" ]; then
			kill "$(cat "$p")" 2>/dev/null || true
		fi
	done
}

setup() {
	load test_helper
	AM=${AM:-/usr/bin/prometheus-alertmanager}
}

parity_py() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/parity.py" "$@"
}

# parity NAME N: waits for scenario NAME's run, then compares what the two
# sent; Alertmanager must have sent N notifications, or the scenario did
# not run as designed.
parity() {
	local d=$BATS_FILE_TMPDIR/$1 out _
	[ -x "$AM" ] || skip "no Alertmanager at $AM (Debian prometheus-alertmanager)"
	for _ in $(seq 900); do
		[ -s "$d/rc" ] && break
		sleep 0.1
	done
	[ -s "$d/rc" ] || { echo "parity.py run $1: not done after 90 s"; return 1; }
	if [ "$(cat "$d/rc")" != 0 ]; then
		cat "$d/run.log"
		return 1
	fi
	if ! out=$(parity_py compare --group-wait 1 --group-interval 2 --expect "$2" \
	    "$d/notifications.ndjson"); then
		printf '%s\n' "$out"
		sed 's/^/aiops-notify: /' "$d/aiops.err"
		return 1
	fi
	# the summary, and pairs within the bounds but over 0.5 s apart
	printf '%s\n' "$out" | sed "1s/^/$1: /; s/^/# /" >&3
}

@test "parity: groups, a late alert, resolved alerts, two routes, repeats" {
	parity basic 9
}

# The next four are Alertmanager's DedupStage.needsUpdate, RetryStage (which
# drops resolved alerts without send_resolved), the API's resolve_timeout
# and the dispatcher's group labels.

@test "parity: a group whose firing alerts only shrink is not told again before repeat_interval (send_resolved false)" {
	parity shrink 2
}

@test "parity: send_resolved false: resolved alerts are not sent, a group all resolved sends nothing" {
	parity unresolved 3
}

# resolve_timeout 4s, not 5s: an alert's end (received + 4 s) then falls
# between two ticks of a group that began with it (received + 1 s + 2k s).
@test "parity: an alert without endsAt ends resolve_timeout after it was last received" {
	parity timeout 3
}

@test "parity: group_by a label an alert lacks groups it by the empty value, none invented" {
	parity missing 2
}

@test "parity: inhibition by equal alertname or cluster mutes the same alerts, until the source resolves" {
	parity inhibit 4
}

@test "parity: the comparison itself finds a missing notification, other alerts, a late one, another fingerprint" {
	f=$BATS_TEST_TMPDIR/n.ndjson
	a='{"status":"firing","labels":{"alertname":"A","i":"1"},"fingerprint":"f1"}'
	b='{"status":"resolved","labels":{"alertname":"A","i":"1"},"fingerprint":"f1"}'
	c='{"status":"firing","labels":{"alertname":"A","i":"1"},"fingerprint":"f2"}'
	n() { printf '{"side":"%s","t":%s,"receiver":"hook","groupKey":"%s","alerts":[%s]}\n' "$@"; }
	{ n am 1.0 'G1' "$a"; n aiops 1.1 'G1' "$a"; n am 3.0 'G1' "$b"; n aiops 3.0 'G1' "$b"; } > "$f"
	run -0 parity_py compare --expect 2 "$f"
	[[ ${lines[0]} == "1 groups; 2 notifications from Alertmanager, 2 from aiops-notify; the same;"* ]]
	run -1 parity_py compare --expect 3 "$f"
	[[ $output == *"Alertmanager sent 2 notifications, 3 expected"* ]]
	{ n am 1.0 'G1' "$a"; n aiops 1.0 'G1' "$a"; n am 3.0 'G1' "$b"; } > "$f"
	run -1 parity_py compare "$f"
	[[ $output == *"notification 2: only Alertmanager sent it"* ]]
	{ n am 1.0 'G1' "$a"; n aiops 1.0 'G1' "$a"; n aiops 3.0 'G1' "$b"; } > "$f"
	run -1 parity_py compare "$f"
	[[ $output == *"notification 2: only aiops-notify sent it"* ]]
	{ n am 1.0 'G1' "$a"; n aiops 1.0 'G1' "$b"; } > "$f"
	run -1 parity_py compare "$f"
	[[ $output == *"notification 1: not the same alerts"* ]]
	# 2.0 s apart: within group_wait 1 s + 1 s; 2.1 s: not
	{ n am 1.0 'G1' "$a"; n aiops 3.0 'G1' "$a"; } > "$f"
	run -0 parity_py compare "$f"
	[[ $output == *"note: G1, receiver hook, notification 1: 2.00 s apart (within 2 s)"* ]]
	{ n am 1.0 'G1' "$a"; n aiops 3.1 'G1' "$a"; } > "$f"
	run -1 parity_py compare "$f"
	[[ $output == *"notification 1: 2.10 s apart, more than group_wait 1 s + 1 s"* ]]
	{ n am 1.0 'G1' "$a"; n aiops 1.0 'G1' "$a"; n am 3.0 'G1' "$b"; n aiops 6.1 'G1' "$b"; } > "$f"
	run -1 parity_py compare "$f"
	[[ $output == *"notification 2: 3.10 s apart, more than group_interval 2 s + 1 s"* ]]
	{ n am 1.0 'G1' "$a"; n aiops 1.0 'G2' "$a"; } > "$f"
	run -1 parity_py compare "$f"
	[[ $output == *"group G1, receiver hook:"*"group G2, receiver hook:"* ]]
	{ n am 1.0 'G1' "$a"; n aiops 1.0 'G1' "$c"; } > "$f"
	run -1 parity_py compare "$f"
	[[ $output == *'fingerprint of {alertname="A", i="1"}: Alertmanager f1, aiops-notify f2'* ]]
}
