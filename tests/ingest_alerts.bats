#!/usr/bin/env bats
# aiops-ingest: Alertmanager webhook payloads, Redfish Thermal/Power
# resources and nvidia-smi CSV (lib/ingest/{alertmanager,redfish,nvsmi}.c).
setup() { load test_helper; IN="$FIXTURES/ingest"; }

teardown() {
	local f
	for f in "$BATS_TEST_TMPDIR"/*.pid; do
		[[ -f $f ]] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# Every line of $output is a JSON object.
ndjson_ok() {
	printf '%s\n' "$output" | /usr/bin/python3 -c '
import json, sys
for n, line in enumerate(sys.stdin, 1):
    if line.strip() and not isinstance(json.loads(line), dict):
        sys.exit("line %d: not an object" % n)'
}

# Prometheus fingerprint of labels given as k=v args, computed here
# independently of the C code (prometheus/common model/signature.go).
prom_fingerprint() {
	/usr/bin/python3 - "$@" <<'EOF'
import sys
labels = dict(a.split("=", 1) for a in sys.argv[1:])
h = 0xcbf29ce484222325
for k in sorted(labels):
    for b in k.encode() + b"\xff" + labels[k].encode() + b"\xff":
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
print("%016x" % h)
EOF
}

# ---- Alertmanager ----

@test "alertmanager: a firing v4 payload, pretty-printed, detected as JSON" {
	run -0 --separate-stderr aiops-ingest "$IN/am-firing.json"
	diff -u "$IN/am-firing.expected" <(printf '%s\n' "$output")
	[[ -z $stderr ]]
}

@test "alertmanager: the computed fingerprint is Prometheus' own" {
	local want
	want=$(prom_fingerprint alertname=HighCPU instance=web-2:9100 severity=critical)
	[[ $want == 66b31e347cdc900a ]]
	run -0 --separate-stderr aiops-ingest -f alertmanager "$IN/am-firing.json"
	got=$(printf '%s\n' "$output" | jq -r 'select(.alertname == "HighCPU") | .fingerprint')
	[[ $got == "$want" ]]
}

@test "alertmanager: a given fingerprint is kept, an empty one computed" {
	run -0 --separate-stderr aiops-ingest -f alertmanager "$IN/am-firing.json"
	[[ $(printf '%s\n' "$output" | jq -r 'select(.alertname == "DiskWillFill") | .fingerprint') == 0123456789abcdef ]]
	run -0 --separate-stderr aiops-ingest -f alertmanager "$IN/am-resolved.json"
	want=$(prom_fingerprint alertname=NodeDown 'instance=[2001:db8::7]:9100')
	[[ $(printf '%s\n' "$output" | jq -r 'select(.alertname == "NodeDown") | .fingerprint') == "$want" ]]
}

@test "alertmanager: resolved alerts take endsAt as time; host from instance, IPv6 too" {
	run -0 --separate-stderr aiops-ingest -f alertmanager "$IN/am-resolved.json"
	diff -u "$IN/am-resolved.expected" <(printf '%s\n' "$output")
	[[ $(printf '%s\n' "$output" | jq -r '.host' | paste -sd,) == "web-2,2001:db8::7" ]]
}

@test "alertmanager: firing and resolved of one alert have different ids" {
	run -0 aiops-ingest -f alertmanager "$IN/am-firing.json" "$IN/am-resolved.json"
	n=$(printf '%s\n' "$output" | jq -r 'select(.alertname == "HighCPU") | .id' | sort -u | wc -l)
	[[ $n -eq 2 ]]
}

@test "alertmanager: -f json routes a payload to the alert handler" {
	run -0 --separate-stderr aiops-ingest -f json "$IN/am-resolved.json"
	diff -u "$IN/am-resolved.expected" <(printf '%s\n' "$output")
}

@test "alertmanager: missing fields, wrong types and truncated JSON are skipped with file:line" {
	run -65 --separate-stderr aiops-ingest -v -f alertmanager "$IN/am-bad.ndjson"
	diff -u "$IN/am-bad.expected" <(printf '%s\n' "$output")
	ndjson_ok
	[[ $stderr == *"am-bad.ndjson:2: skipped: alerts[1]: missing labels.alertname"* ]]
	[[ $stderr == *"am-bad.ndjson:3: skipped: alerts[0]: status is not \"firing\" or \"resolved\""* ]]
	[[ $stderr == *"am-bad.ndjson:4: skipped: alerts[0]: startsAt is not an RFC 3339 time"* ]]
	[[ $stderr == *"am-bad.ndjson:5: skipped: alerts[0]: labels is not an object"* ]]
	[[ $stderr == *"am-bad.ndjson:6: skipped: alerts[0]: labels.port is not a string"* ]]
	[[ $stderr == *"am-bad.ndjson:7: skipped: not an Alertmanager payload"* ]]
	[[ $stderr == *"am-bad.ndjson:8: skipped:"* ]]
	[[ $stderr == *"am-bad.ndjson:9: skipped: alerts[0]: resolved alert without endsAt"* ]]
	[[ $stderr == *"am-bad.ndjson:11: skipped: alerts[0]: not an object"* ]]
	[[ $stderr == *"am-bad.ndjson:12: skipped: alerts[0]: endsAt is not an RFC 3339 time"* ]]
	[[ $stderr == *"am-bad.ndjson:13: skipped: groupKey is not a string"* ]]
	[[ $stderr == *"am-bad.ndjson:15: skipped: alerts[0]: annotations is not an object"* ]]
	[[ $stderr == *"am-bad.ndjson:16: skipped: alerts[0]: missing status"* ]]
	[[ $stderr == *"am-bad.ndjson:17: skipped: alerts[0]: missing labels"* ]]
	[[ $stderr == *"am-bad.ndjson:18: skipped: alerts[0]: missing startsAt"* ]]
	[[ $stderr == *"am-bad.ndjson:19: skipped: alerts[0]: fingerprint is not a string"* ]]
	[[ $stderr == *"18 lines skipped"* ]]
}

@test "alertmanager: a bad alert skips its whole payload, nothing half-written" {
	run -65 --separate-stderr aiops-ingest -f alertmanager "$IN/am-bad.ndjson"
	! printf '%s\n' "$output" | grep -q '"alertname":"Ok"' || false
}

@test "alertmanager: a truncated pretty-printed payload is reported, not emitted" {
	head -n 20 "$IN/am-firing.json" > "$BATS_TEST_TMPDIR/cut.json"
	run -65 --separate-stderr aiops-ingest -f alertmanager "$BATS_TEST_TMPDIR/cut.json"
	[[ -z $output ]]
	[[ $stderr == *"cut.json:"*": skipped: "*"truncated"* ]]
}

@test "alertmanager: --strict stops at the first bad payload" {
	run -65 --separate-stderr aiops-ingest --strict -f alertmanager "$IN/am-bad.ndjson"
	[[ $(printf '%s\n' "$output" | wc -l) -eq 1 ]]
	[[ $stderr == *"am-bad.ndjson:2: skipped:"* ]]
	[[ $stderr != *"am-bad.ndjson:3:"* ]]
}

@test "alertmanager: a payload of another version is read all the same" {
	sed 's/"version": "4"/"version": "5"/' "$IN/am-firing.json" > "$BATS_TEST_TMPDIR/v5.json"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/v5.json"
	diff -u "$IN/am-firing.expected" <(printf '%s\n' "$output")
	[[ -z $stderr ]]
}

# Starts a real Alertmanager (Debian: prometheus-alertmanager) whose webhook
# receiver is am-capture.py, saving each payload it posts as
# $BATS_TEST_TMPDIR/got/body-N.json; $1 is its repeat_interval. Sets
# AM_PORT. Skips the test when there is no Alertmanager.
start_am() {
	local am hook i
	am=$(command -v prometheus-alertmanager || command -v alertmanager) ||
	    skip "no alertmanager binary (apt-get install prometheus-alertmanager)"
	mkdir -p "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/am"
	/usr/bin/python3 "$IN/am-capture.py" "$BATS_TEST_TMPDIR/hook.port" "$BATS_TEST_TMPDIR/got" 3>&- &
	echo $! > "$BATS_TEST_TMPDIR/hook.pid"
	for i in $(seq 100); do [[ -s $BATS_TEST_TMPDIR/hook.port ]] && break; sleep 0.1; done
	hook=$(cat "$BATS_TEST_TMPDIR/hook.port")
	AM_PORT=$(free_port)
	cat > "$BATS_TEST_TMPDIR/am.yml" <<EOF
route:
  receiver: aiops
  group_by: ['alertname']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: $1
receivers:
  - name: aiops
    webhook_configs:
      - url: http://127.0.0.1:$hook/hook
        send_resolved: true
EOF
	"$am" --config.file="$BATS_TEST_TMPDIR/am.yml" --storage.path="$BATS_TEST_TMPDIR/am" \
	    --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= \
	    >"$BATS_TEST_TMPDIR/am.log" 2>&1 3>&- &
	echo $! > "$BATS_TEST_TMPDIR/am.pid"
}

# Posts alert HighCPU to the Alertmanager's API: am_post fire|resolve
# [STARTS], STARTS in epoch seconds (default: 5 minutes ago); resolved one
# second ago.
am_post() {
	/usr/bin/python3 - "$AM_PORT" "$1" "${2:-}" <<'EOF'
import datetime, json, sys, time, urllib.request
now = datetime.datetime.now(datetime.timezone.utc)
starts = now - datetime.timedelta(minutes=5)
if sys.argv[3]:
    starts = datetime.datetime.fromtimestamp(int(sys.argv[3]), datetime.timezone.utc)
alert = {"labels": {"alertname": "HighCPU", "instance": "web-2:9100", "severity": "critical"},
         "annotations": {"summary": "CPU above 90% on web-2"},
         "startsAt": starts.isoformat(),
         "generatorURL": "http://prometheus:9090/graph"}
if sys.argv[2] == "resolve":
    alert["endsAt"] = (now - datetime.timedelta(seconds=1)).isoformat()
req = urllib.request.Request("http://127.0.0.1:%s/api/v2/alerts" % sys.argv[1],
    data=json.dumps([alert]).encode(), headers={"Content-Type": "application/json"})
for i in range(100):
    try:
        urllib.request.urlopen(req, timeout=5).read()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("alertmanager did not answer")
EOF
}

# Waits (20 s at most) for the receiver's payload number $1.
am_await() {
	local i
	for i in $(seq 200); do [[ -f $BATS_TEST_TMPDIR/got/body-$1.json ]] && return 0; sleep 0.1; done
	cat "$BATS_TEST_TMPDIR/am.log"
	return 1
}

# Posts an alert through a real Alertmanager, then resolves it, and feeds
# what the receiver got to aiops-ingest.
@test "alertmanager: payloads from a real Alertmanager" {
	start_am 1h
	am_post fire
	am_await 1
	am_post resolve
	am_await 2

	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/got/body-1.json" \
	    "$BATS_TEST_TMPDIR/got/body-2.json"
	ndjson_ok
	[[ -z $stderr ]]
	want=$(prom_fingerprint alertname=HighCPU instance=web-2:9100 severity=critical)
	printf '%s\n' "$output" | jq -e --arg fp "$want" -s '
	    length == 2 and
	    (map(.type) | unique) == ["alert"] and
	    (map(.status)) == ["firing", "resolved"] and
	    all(.[]; .fingerprint == $fp and .host == "web-2" and .alertname == "HighCPU"
	        and .severity == "critical" and .receiver == "aiops"
	        and (.group_key | test("alertname")) and .source == "alertmanager") and
	    (.[0] | has("ends_at") | not) and (.[1].ts == .[1].ends_at)'
	# Without Alertmanager's own fingerprint, ours is the same.
	sed 's/"fingerprint":"[0-9a-f]*"/"fingerprint":""/' "$BATS_TEST_TMPDIR/got/body-1.json" > "$BATS_TEST_TMPDIR/nofp.json"
	! grep -q '"fingerprint":"[0-9a-f]' "$BATS_TEST_TMPDIR/nofp.json" || false
	run -0 --separate-stderr aiops-ingest -f alertmanager "$BATS_TEST_TMPDIR/nofp.json"
	[[ $(printf '%s\n' "$output" | jq -r .fingerprint) == "$want" ]]
}

# ---- Alerts in the state (--store; lib/store/alerts.c, aiops(7) Alerts) ----

# A one-line webhook payload of one alert: payload NAME STATUS STARTS [ENDS]
# (no endsAt: Alertmanager's zero time, as a firing alert has).
payload() {
	jq -nc --arg n "$1" --arg st "$2" --arg s "$3" --arg e "${4:-0001-01-01T00:00:00Z}" '
	    {version: "4", status: $st, receiver: "aiops", groupKey: "{}:{}",
	     alerts: [{status: $st,
	               labels: {alertname: $n, instance: "web-2:9100", severity: "critical"},
	               annotations: {summary: "CPU above 90%"}, startsAt: $s, endsAt: $e,
	               generatorURL: "http://prometheus:9090/graph"}]}'
}

q() {
	sqlite3 -readonly "$AIOPS_STATE" "$1"
}

# The alert's row, the times and what says why.
alert_row() {
	q "SELECT alertname, status, expired, starts_at, coalesce(ends_at, '-'), first_seen, last_seen
	    FROM alerts WHERE alertname = '$1'"
}

# Its history: status@ts/count, then x when the end is a guess.
history() {
	q "SELECT h.status || '@' || h.ts || '/' || h.count || CASE WHEN h.expired THEN 'x' ELSE '' END
	    FROM alert_history h JOIN alerts a USING (fingerprint) WHERE a.alertname = '$1'
	    ORDER BY h.ts, h.status" | paste -sd' '
}

# HighCPU of web-2: 11:55:00.123 to 11:59, the state at 12:00 (AIOPS_NOW).
FP=66b31e347cdc900a

@test "alerts --store: firing, then resolved: the rows exactly, the state 0600" {
	payload HighCPU firing 2026-11-22T11:55:00.123Z > "$BATS_TEST_TMPDIR/f.json"
	payload HighCPU resolved 2026-11-22T11:55:00.123Z 2026-11-22T11:59:00Z > "$BATS_TEST_TMPDIR/r.json"
	run -0 --separate-stderr aiops-ingest --store "$BATS_TEST_TMPDIR/f.json"
	[[ $(jq -r .fingerprint <<<"$output") == "$FP" ]]
	[[ $(stat -c %a "$AIOPS_STATE") == 600 ]]
	[[ $(q "SELECT * FROM alerts") == "$FP|HighCPU|firing|0|critical|web-2|"\
'{"alertname":"HighCPU","instance":"web-2:9100","severity":"critical"}|{"summary":"CPU above 90%"}|'\
'1795348500123||http://prometheus:9090/graph|alertmanager|1795348800000|1795348800000' ]]
	[[ $(q "SELECT * FROM alert_history") == "1|$FP|1795348500123|firing|1795348500123|0|1795348800000|1795348800000|1" ]]
	# Five minutes later, the resolved.
	AIOPS_NOW=2026-11-22T12:05:00Z run -0 --separate-stderr aiops-ingest --store-only "$BATS_TEST_TMPDIR/r.json"
	[[ -z $output ]]
	[[ $(alert_row HighCPU) == "HighCPU|resolved|0|1795348500123|1795348740000|1795348800000|1795349100000" ]]
	[[ $(history HighCPU) == "firing@1795348500123/1 resolved@1795348740000/1" ]]
	[[ $(q "SELECT id, first_seen, last_seen FROM alert_history WHERE status = 'resolved'") == \
	    "2|1795349100000|1795349100000" ]]
	[[ $(stat -c %a "$AIOPS_STATE") == 600 ]]
}

@test "alerts --store: a payload re-delivered adds no history row, only last_seen and the count" {
	payload HighCPU firing 2026-11-22T11:55:00.123Z > "$BATS_TEST_TMPDIR/f.json"
	# group_interval: three times in one file, then once more 4 hours on.
	cat "$BATS_TEST_TMPDIR/f.json" "$BATS_TEST_TMPDIR/f.json" "$BATS_TEST_TMPDIR/f.json" > "$BATS_TEST_TMPDIR/f3.json"
	run -0 --separate-stderr aiops-ingest -v --store-only "$BATS_TEST_TMPDIR/f3.json"
	[[ $stderr == *"alerts stored: 1 new, 0 changed, 2 repeated, 0 late"* ]]
	AIOPS_NOW=2026-11-22T16:00:00Z run -0 --separate-stderr aiops-ingest -v --store-only "$BATS_TEST_TMPDIR/f.json"
	[[ $stderr == *"alerts stored: 0 new, 0 changed, 1 repeated, 0 late"* ]]
	[[ $(q "SELECT count(*) FROM alerts") == 1 ]]
	[[ $(history HighCPU) == "firing@1795348500123/4" ]]
	[[ $(alert_row HighCPU) == "HighCPU|firing|0|1795348500123|-|1795348800000|1795363200000" ]]
	[[ $(q "SELECT first_seen, last_seen FROM alert_history") == "1795348800000|1795363200000" ]]
	# The resolved, twice (Alertmanager retries a webhook that failed).
	payload HighCPU resolved 2026-11-22T11:55:00.123Z 2026-11-22T15:00:00Z > "$BATS_TEST_TMPDIR/r.json"
	AIOPS_NOW=2026-11-22T16:01:00Z aiops-ingest --store-only "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/r.json"
	[[ $(history HighCPU) == "firing@1795348500123/4 resolved@1795359600000/2" ]]
}

@test "alerts --store: alert events of aiops(7) (one aiops feeding another) are checked and kept alike" {
	payload HighCPU firing 2026-11-22T11:55:00.123Z > "$BATS_TEST_TMPDIR/f.json"
	payload HighCPU resolved 2026-11-22T11:55:00.123Z 2026-11-22T11:59:00Z > "$BATS_TEST_TMPDIR/r.json"
	aiops-ingest "$BATS_TEST_TMPDIR/f.json" "$BATS_TEST_TMPDIR/r.json" > "$BATS_TEST_TMPDIR/events"
	# Broken ones: no status, a bad starts_at, annotations not an object.
	{
		head -n 1 "$BATS_TEST_TMPDIR/events" | jq -c 'del(.status)'
		head -n 1 "$BATS_TEST_TMPDIR/events" | jq -c '.starts_at = "2026-02-30T00:00:00Z"'
		head -n 1 "$BATS_TEST_TMPDIR/events" | jq -c '.annotations = "x"'
		cat "$BATS_TEST_TMPDIR/events"
	} > "$BATS_TEST_TMPDIR/in"
	run -65 --separate-stderr aiops-ingest --store "$BATS_TEST_TMPDIR/in"
	[[ $stderr == *"in:1: skipped: an alert's \"status\" is \"firing\" or \"resolved\""* ]]
	[[ $stderr == *'in:2: skipped: bad "starts_at" "2026-02-30T00:00:00Z"'* ]]
	[[ $stderr == *'in:3: skipped: "annotations" is a string, not an object'* ]]
	diff <(printf '%s\n' "$output") "$BATS_TEST_TMPDIR/events"
	# The same rows as from the webhooks themselves.
	[[ $(alert_row HighCPU) == "HighCPU|resolved|0|1795348500123|1795348740000|1795348800000|1795348800000" ]]
	[[ $(history HighCPU) == "firing@1795348500123/1 resolved@1795348740000/1" ]]
	[[ $(q "SELECT fingerprint, labels, annotations, source FROM alerts") == "$FP|"\
'{"alertname":"HighCPU","instance":"web-2:9100","severity":"critical"}|{"summary":"CPU above 90%"}|alertmanager' ]]
}

@test "alerts --store: a resolved before its firing: the firing does not resurrect it" {
	payload HighCPU firing 2026-11-22T11:55:00.123Z > "$BATS_TEST_TMPDIR/f.json"
	payload HighCPU resolved 2026-11-22T11:55:00.123Z 2026-11-22T11:59:00Z > "$BATS_TEST_TMPDIR/r.json"
	run -0 --separate-stderr aiops-ingest -v --store-only "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/f.json"
	[[ $stderr == *"alerts stored: 1 new, 0 changed, 0 repeated, 1 late (kept in the history only)"* ]]
	[[ $(alert_row HighCPU) == "HighCPU|resolved|0|1795348500123|1795348740000|1795348800000|1795348800000" ]]
	# The history says what happened, in the order of its times.
	[[ $(history HighCPU) == "firing@1795348500123/1 resolved@1795348740000/1" ]]
	# A later run brings the firing again: still resolved.
	AIOPS_NOW=2026-11-22T12:10:00Z aiops-ingest --store-only "$BATS_TEST_TMPDIR/f.json"
	[[ $(alert_row HighCPU) == "HighCPU|resolved|0|1795348500123|1795348740000|1795348800000|1795348800000" ]]
	# It fires again, a new startsAt; then the old episode's firing comes late.
	payload HighCPU firing 2026-11-22T12:20:00Z > "$BATS_TEST_TMPDIR/f2.json"
	AIOPS_NOW=2026-11-22T12:21:00Z aiops-ingest --store-only "$BATS_TEST_TMPDIR/f2.json" "$BATS_TEST_TMPDIR/f.json"
	[[ $(alert_row HighCPU) == "HighCPU|firing|0|1795350000000|-|1795350060000|1795350060000" ]]
	[[ $(history HighCPU) == "firing@1795348500123/3 resolved@1795348740000/1 firing@1795350000000/1" ]]
}

@test "alerts --store: a firing alert not received for ingest.alerts.expire expires, until it comes again" {
	payload HighCPU firing 2026-11-22T11:55:00.123Z > "$BATS_TEST_TMPDIR/f.json"
	payload DiskFull firing 2026-11-28T11:00:00Z > "$BATS_TEST_TMPDIR/other.json"
	aiops-ingest --store-only "$BATS_TEST_TMPDIR/f.json"
	# Four days on, another alert: within the default 5 days, it still fires.
	AIOPS_NOW=2026-11-26T12:00:00Z aiops-ingest --store-only "$BATS_TEST_TMPDIR/other.json"
	[[ $(alert_row HighCPU) == "HighCPU|firing|0|1795348500123|-|1795348800000|1795348800000" ]]
	# Six days on: expired, ended five days after it was last received.
	AIOPS_NOW=2026-11-28T12:00:00Z aiops-ingest --store-only "$BATS_TEST_TMPDIR/other.json"
	[[ $(alert_row HighCPU) == "HighCPU|resolved|1|1795348500123|1795780800000|1795348800000|1795348800000" ]]
	[[ $(history HighCPU) == "firing@1795348500123/1 resolved@1795780800000/0x" ]]
	# Alertmanager sends it again (repeat_interval): it fires, the guessed end is gone.
	AIOPS_NOW=2026-11-28T12:01:00Z aiops-ingest --store-only "$BATS_TEST_TMPDIR/f.json"
	[[ $(alert_row HighCPU) == "HighCPU|firing|0|1795348500123|-|1795348800000|1795867260000" ]]
	[[ $(history HighCPU) == "firing@1795348500123/2" ]]
	# With ingest.alerts.expire 1h, an hour and a minute later it expires again.
	AIOPS__INGEST__ALERTS__EXPIRE=1h AIOPS_NOW=2026-11-28T13:02:00Z \
	    aiops-ingest --store-only "$BATS_TEST_TMPDIR/other.json"
	[[ $(alert_row HighCPU) == "HighCPU|resolved|1|1795348500123|1795870860000|1795348800000|1795867260000" ]]
	# An alert whose endsAt has passed is resolved by that alone.
	payload Spot firing 2026-11-28T12:00:00Z 2026-11-28T12:30:00Z > "$BATS_TEST_TMPDIR/spot.json"
	AIOPS_NOW=2026-11-28T12:10:00Z aiops-ingest --store-only "$BATS_TEST_TMPDIR/spot.json"
	[[ $(alert_row Spot) == "Spot|firing|0|1795867200000|1795869000000|1795867800000|1795867800000" ]]
	AIOPS_NOW=2026-11-28T12:40:00Z aiops-ingest --store-only "$BATS_TEST_TMPDIR/other.json"
	[[ $(alert_row Spot) == "Spot|resolved|0|1795867200000|1795869000000|1795867800000|1795867800000" ]]
	[[ $(history Spot) == "firing@1795867200000/1 resolved@1795869000000/0" ]]
}

@test "alerts --store: retention deletes resolved alerts and old history, keeps what fires" {
	payload Gone resolved 2026-11-22T10:00:00Z 2026-11-22T11:00:00Z > "$BATS_TEST_TMPDIR/gone.json"
	payload Firing firing 2026-11-22T09:00:00Z > "$BATS_TEST_TMPDIR/firing.json"
	payload Again firing 2026-11-22T08:00:00Z > "$BATS_TEST_TMPDIR/a1.json"
	payload Again resolved 2026-11-22T08:00:00Z 2026-11-22T08:30:00Z > "$BATS_TEST_TMPDIR/a2.json"
	payload Again firing 2026-12-31T08:00:00Z > "$BATS_TEST_TMPDIR/a3.json"
	aiops-ingest --store-only "$BATS_TEST_TMPDIR"/{gone,firing,a1,a2}.json
	[[ $(q "SELECT count(*) FROM alerts") == 3 && $(q "SELECT count(*) FROM alert_history") == 4 ]]
	# 40 days on; Firing re-sent all along (no expiry here); Again fires anew.
	export AIOPS_NOW=2027-01-01T12:00:00Z AIOPS__INGEST__ALERTS__EXPIRE=0
	# ingest.alerts.retention wins over --retention.
	AIOPS__INGEST__ALERTS__RETENTION=90d aiops-ingest --store-only --retention 30d \
	    "$BATS_TEST_TMPDIR/a3.json"
	[[ $(q "SELECT count(*) FROM alerts") == 3 && $(q "SELECT count(*) FROM alert_history") == 5 ]]
	# --retention 30d applies to alerts too.
	aiops-ingest --store-only --retention 30d "$BATS_TEST_TMPDIR/a3.json"
	[[ $(q "SELECT alertname FROM alerts ORDER BY alertname" | paste -sd,) == "Again,Firing" ]]
	[[ $(history Firing) == "firing@1795338000000/1" ]]
	[[ $(history Again) == "firing@1798704000000/2" ]]
	[[ $(q "SELECT count(*) FROM alert_history WHERE fingerprint NOT IN (SELECT fingerprint FROM alerts)") == 0 ]]
}

@test "alerts --store: hostile labels are stored as they came, bound, never run as SQL" {
	jq -nc '{version: "4", alerts: [{status: "firing",
	    labels: {alertname: "x\u0027); DROP TABLE alerts; --", "q\"k": "v\"al\\ue",
	             instance: "h\u00e9te:1", severity: "crit\u0027ical"},
	    annotations: {"a": {"nested": [1, 2]}}, startsAt: "2026-11-22T11:00:00Z"}]}' \
	    > "$BATS_TEST_TMPDIR/h.json"
	run -0 --separate-stderr aiops-ingest --store "$BATS_TEST_TMPDIR/h.json"
	fp=$(jq -r .fingerprint <<<"$output")
	[[ $(q "SELECT count(*) FROM alerts WHERE fingerprint = '$fp'") == 1 ]]
	[[ $(q "SELECT alertname FROM alerts") == "x'); DROP TABLE alerts; --" ]]
	[[ $(q "SELECT json_valid(labels) || json_valid(annotations) || severity || ' ' || host FROM alerts") == \
	    "11crit'ical héte" ]]
	[[ $(q "SELECT labels FROM alerts" | jq -c '.["q\"k"]') == '"v\"al\\ue"' ]]
	[[ $(q "SELECT labels FROM alerts" | jq -r .alertname) == "x'); DROP TABLE alerts; --" ]]
	[[ $(q "SELECT annotations FROM alerts") == '{"a":{"nested":[1,2]}}' ]]
}

@test "alerts --store: a follower holds the alerts while the state is locked, then stores them" {
	payload HighCPU firing 2026-11-22T11:55:00.123Z > "$BATS_TEST_TMPDIR/hook.ndjson"
	aiops-ingest --follow --store-only --poll 20 -f alertmanager "$BATS_TEST_TMPDIR/hook.ndjson" \
	    2>"$BATS_TEST_TMPDIR/err" 3>&- &
	echo $! > "$BATS_TEST_TMPDIR/follow.pid"
	for i in $(seq 200); do [[ $(q 'SELECT count(*) FROM alerts' 2>/dev/null) == 1 ]] && break; sleep 0.05; done
	hold_lock
	payload HighCPU resolved 2026-11-22T11:55:00.123Z 2026-11-22T11:59:00Z >> "$BATS_TEST_TMPDIR/hook.ndjson"
	sleep 6		# past the 5 s busy timeout
	kill -0 "$(cat "$BATS_TEST_TMPDIR/follow.pid")"
	grep -q "locked by another program" "$BATS_TEST_TMPDIR/err"
	[[ $(q "SELECT status FROM alerts") == firing ]]
	release_lock
	# Stored at the next checkpoint: the next line read, or the end.
	kill -TERM "$(cat "$BATS_TEST_TMPDIR/follow.pid")"
	wait "$(cat "$BATS_TEST_TMPDIR/follow.pid")"
	rm "$BATS_TEST_TMPDIR/follow.pid"
	[[ $(history HighCPU) == "firing@1795348500123/1 resolved@1795348740000/1" ]]
}

# A real Alertmanager re-sending a firing alert every second, then resolving it.
@test "alerts --store: a real Alertmanager's notifications, re-sent, then resolved" {
	local starts=$(( $(date +%s) - 300 )) n i
	start_am 1s
	am_post fire "$starts"
	am_await 2		# the first, and one re-sent
	am_post resolve "$starts"
	for i in $(seq 200); do
		grep -qs '"status":"resolved"' "$BATS_TEST_TMPDIR"/got/body-*.json && break
		sleep 0.1
	done
	kill "$(cat "$BATS_TEST_TMPDIR/am.pid")"
	n=$(ls "$BATS_TEST_TMPDIR"/got/body-*.json | wc -l)
	nfire=$(cat "$BATS_TEST_TMPDIR"/got/body-*.json | jq -s 'map(select(.alerts[0].status == "firing")) | length')
	nres=$(cat "$BATS_TEST_TMPDIR"/got/body-*.json | jq -s 'map(select(.alerts[0].status == "resolved")) | length')
	[[ $nfire -ge 2 && $nres -ge 1 && $((nfire + nres)) -eq $n ]]
	ends=$(cat "$BATS_TEST_TMPDIR"/got/body-*.json | jq -r 'select(.alerts[0].status == "resolved") | .alerts[0].endsAt' | head -n 1)
	ends_ms=$(/usr/bin/python3 -c 'import sys, datetime
s = sys.argv[1].rstrip("Z")
d, f = (s.split(".") + [""])[:2]
t = datetime.datetime.fromisoformat(d).replace(tzinfo=datetime.timezone.utc)
print(int(t.timestamp()) * 1000 + int((f + "000")[:3]))' "$ends")
	# In the order received.
	for i in $(seq "$n"); do cat "$BATS_TEST_TMPDIR/got/body-$i.json"; done > "$BATS_TEST_TMPDIR/all.ndjson"
	run -0 --separate-stderr aiops-ingest -v --store-only "$BATS_TEST_TMPDIR/all.ndjson"
	[[ $stderr == *"alerts stored: 1 new, 1 changed, $((n - 2)) repeated, 0 late"* ]]
	[[ $(q "SELECT fingerprint, status, expired, starts_at, ends_at FROM alerts") == \
	    "$FP|resolved|0|${starts}000|$ends_ms" ]]
	[[ $(history HighCPU) == "firing@${starts}000/$nfire resolved@$ends_ms/$nres" ]]
}

# ---- Redfish ----

@test "redfish: a Thermal resource, detected as JSON" {
	run -0 --separate-stderr aiops-ingest "$IN/redfish-thermal.json"
	diff -u "$IN/redfish-thermal.expected" <(printf '%s\n' "$output")
	[[ -z $stderr ]]
}

@test "redfish: a Power resource" {
	run -0 --separate-stderr aiops-ingest -f redfish "$IN/redfish-power.json"
	diff -u "$IN/redfish-power.expected" <(printf '%s\n' "$output")
	[[ -z $stderr ]]
}

@test "redfish: --host names the BMC's host" {
	run -0 --separate-stderr aiops-ingest --host bmc-7 -f redfish "$IN/redfish-power.json"
	[[ $(printf '%s\n' "$output" | jq -r .host | sort -u) == bmc-7 ]]
}

@test "redfish: null readings are skipped, health becomes 1/0.5/0" {
	run -0 --separate-stderr aiops-ingest -f redfish "$IN/redfish-thermal.json"
	! printf '%s\n' "$output" | grep -q 'CPU2 Temp' || false
	[[ $(printf '%s\n' "$output" | jq -r 'select(.name == "redfish_health") | .value' | paste -sd,) == "1,0.5,1,0" ]]
}

@test "redfish: wrong types and other resources are skipped with file:line" {
	run -65 --separate-stderr aiops-ingest -v -f redfish "$IN/redfish-bad.ndjson"
	diff -u "$IN/redfish-bad.expected" <(printf '%s\n' "$output")
	ndjson_ok
	[[ $stderr == *"redfish-bad.ndjson:1: skipped: Temperatures is not an array"* ]]
	[[ $stderr == *"redfish-bad.ndjson:2: skipped: Temperatures[0].ReadingCelsius is not a number"* ]]
	[[ $stderr == *"redfish-bad.ndjson:3: skipped: Temperatures[0].Status.Health is not OK, Warning or Critical"* ]]
	[[ $stderr == *"redfish-bad.ndjson:4: skipped: not a Redfish Thermal or Power resource"* ]]
	[[ $stderr == *"redfish-bad.ndjson:5: skipped: Fans[0] is not an object"* ]]
	[[ $stderr == *"redfish-bad.ndjson:6: skipped: PowerControl[0].PowerMetrics is not an object"* ]]
	[[ $stderr == *"redfish-bad.ndjson:7: skipped: Voltages[0].Name is not a string"* ]]
	[[ $stderr == *"redfish-bad.ndjson:8: skipped:"* ]]
	[[ $stderr == *"redfish-bad.ndjson:9: skipped: Fans[0].ReadingUnits is not RPM or Percent"* ]]
	[[ $stderr == *"redfish-bad.ndjson:10: skipped: Temperatures[1].ReadingCelsius is not a number"* ]]
	[[ $stderr == *"redfish-bad.ndjson:11: skipped: PowerSupplies[0].Status is not an object"* ]]
	[[ $stderr == *"11 lines skipped"* ]]
}

@test "redfish: a bad member late in a resource leaves no metric of it" {
	run -65 --separate-stderr aiops-ingest -f redfish "$IN/redfish-bad.ndjson"
	! printf '%s\n' "$output" | grep -q 'CPU1 Temp' || false
}

@test "redfish: an Absent sensor reading 0 gives no reading, a null one none either" {
	# The situation of a BMC with an empty CPU socket and an unread sensor.
	cat > "$BATS_TEST_TMPDIR/t.json" <<-'EOF'
	{"@odata.id": "/redfish/v1/Chassis/1/Thermal", "@odata.type": "#Thermal.v1_7_0.Thermal",
	 "Temperatures": [
	  {"MemberId": "0", "Name": "CPU2 Temp", "ReadingCelsius": 0, "Status": {"State": "Absent"}},
	  {"MemberId": "1", "Name": "PCH Temp", "ReadingCelsius": null, "Status": {"State": "Enabled", "Health": null}},
	  {"MemberId": "2", "Name": "Inlet Temp", "ReadingCelsius": 23, "Status": {"State": "Enabled", "Health": "OK"}}],
	 "Fans": [{"MemberId": "0", "Name": "Fan 1", "Reading": null, "ReadingUnits": "RPM", "Status": {"State": "Absent"}}]}
	EOF
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/t.json"
	[[ $(printf '%s\n' "$output" | jq -r 'select(.name != "redfish_health") | "\(.labels.sensor // .labels.fan)=\(.value)"' | paste -sd,) == "Inlet Temp=23" ]]
	[[ $(printf '%s\n' "$output" | jq -r 'select(.name == "redfish_health") | .labels.sensor' | paste -sd,) == "Inlet Temp" ]]
	[[ -z $stderr ]]
	# Left out, but said so at -v.
	run -0 --separate-stderr aiops-ingest -v -f redfish "$BATS_TEST_TMPDIR/t.json"
	[[ $stderr == *"Temperatures[0] (CPU2 Temp): Status.State Absent: no reading"* ]]
	[[ $stderr == *"Fans[0] (Fan 1): Status.State Absent: no reading"* ]]
}

@test "redfish: Absent, Disabled, StandbyOffline, UnavailableOffline: no metric; other states read" {
	run -0 --separate-stderr aiops-ingest -f redfish "$IN/redfish-states.json"
	[[ $(printf '%s\n' "$output" | jq -r '"\(.name):\(.labels.sensor // .labels.fan // .labels.psu)=\(.value)"' | paste -sd' ') == \
	    "redfish_temperature_celsius:Exhaust Temp=0 redfish_health:Exhaust Temp=1 redfish_temperature_celsius:PCH Temp=31 redfish_temperature_celsius:Riser Temp=29 redfish_temperature_celsius:NVMe Temp=35 redfish_fan_speed:Fan 2=0 redfish_health:Fan 2=0 redfish_voltage_volts:12V=12.1 redfish_health:12V=1 redfish_psu_input_watts:PSU 2=14 redfish_psu_output_watts:PSU 2=0 redfish_health:PSU 2=1" ]]
	# Out of service, a sensor says nothing: not even its health.
	! printf '%s\n' "$output" | grep -Eq 'CPU1 Temp|DIMM A1|GPU Temp|Fan 1|VBAT|PSU 1' || false
	printf '{"@odata.type":"#Thermal.v1_0_0.Thermal","Temperatures":[{"Name":"x","ReadingCelsius":1,"Status":{"State":5}}]}\n' > "$BATS_TEST_TMPDIR/bad.json"
	run -65 --separate-stderr aiops-ingest -f redfish "$BATS_TEST_TMPDIR/bad.json"
	[[ -z $output ]]
	[[ $stderr == *"bad.json:1: skipped: Temperatures[0].Status.State is not a string"* ]]
}

# ---- nvidia-smi ----

@test "nvsmi: --format=csv with units and timestamps, detected" {
	run -0 --separate-stderr aiops-ingest "$IN/nvsmi-units.csv"
	diff -u "$IN/nvsmi-units.expected" <(printf '%s\n' "$output")
	[[ -z $stderr ]]
}

@test "nvsmi: csv,nounits; [N/A] and [Not Supported] fields left out" {
	run -0 --separate-stderr aiops-ingest -f nvsmi "$IN/nvsmi-nounits.csv"
	diff -u "$IN/nvsmi-nounits.expected" <(printf '%s\n' "$output")
	! printf '%s\n' "$output" | grep -q '"gpu":"0".*nvidia_smi_fan_speed' || false
	[[ -z $stderr ]]
}

@test "nvsmi: with and without units give the same metrics" {
	{
		head -n 1 "$IN/nvsmi-units.csv"
		tail -n +2 "$IN/nvsmi-units.csv" | sed 's/ %//g; s/ MiB//g; s/ W//g; s/ MHz//g'
	} > "$BATS_TEST_TMPDIR/nounits.csv"
	run -0 --separate-stderr aiops-ingest -f nvsmi "$BATS_TEST_TMPDIR/nounits.csv"
	diff -u "$IN/nvsmi-units.expected" <(printf '%s\n' "$output")
}

@test "nvsmi: the alias nvidia-smi, CRLF line ends" {
	run -0 --separate-stderr aiops-ingest -f nvidia-smi "$IN/nvsmi-crlf.csv"
	diff -u "$IN/nvsmi-crlf.expected" <(printf '%s\n' "$output")
}

@test "nvsmi: one gpu event per row with the GPU_UPDATE figures" {
	run -0 --separate-stderr aiops-ingest "$IN/nvsmi-units.csv"
	[[ $(printf '%s\n' "$output" | jq -c 'select(.type == "gpu")' | wc -l) -eq 3 ]]
	printf '%s\n' "$output" | jq -e -s 'map(select(.type == "gpu"))[1] |
	    .index == 1 and .utilization_gpu == 100 and .memory_used_mib == 39000 and
	    .memory_total_mib == 40960 and .temperature_c == 83 and .power_w == 398.12 and
	    .ecc_errors == 2 and .uuid == "GPU-5b4a8c1e-0b7c-7c3e-1f0e-5d1f0f6f4a02"'
}

@test "nvsmi: truncated rows, wrong types and units are skipped with file:line" {
	run -65 --separate-stderr aiops-ingest -f nvsmi "$IN/nvsmi-bad.csv"
	diff -u "$IN/nvsmi-bad.expected" <(printf '%s\n' "$output")
	ndjson_ok
	[[ $stderr == *"nvsmi-bad.csv:3: skipped: 4 fields where the header has 6"* ]]
	[[ $stderr == *"nvsmi-bad.csv:4: skipped: utilization.gpu: not a number"* ]]
	[[ $stderr == *"nvsmi-bad.csv:5: skipped: memory.used: unit \"MB\" where the header says \"MiB\""* ]]
	[[ $stderr == *"nvsmi-bad.csv:6: skipped: temperature.gpu: not a number"* ]]
	[[ $stderr == *"nvsmi-bad.csv:7: skipped: timestamp: not a time"* ]]
	[[ $stderr == *"nvsmi-bad.csv:8: skipped: 7 fields where the header has 6"* ]]
	[[ $stderr == *"nvsmi-bad.csv:9: skipped: index: not a GPU index"* ]]
	[[ $stderr == *"nvsmi-bad.csv:10: skipped: utilization.gpu: not a number"* ]]
	[[ $stderr == *"nvsmi-bad.csv:11: skipped: 4 fields where the header has 6"* ]]
	[[ $stderr == *"9 lines skipped"* ]]
}

@test "nvsmi: noheader output is refused, line by line, saying why" {
	run -65 --separate-stderr aiops-ingest -f nvsmi "$IN/nvsmi-noheader.csv"
	[[ -z $output ]]
	[[ $stderr == *"nvsmi-noheader.csv:1: skipped: no header line"*"noheader"* ]]
	[[ $stderr == *"nvsmi-noheader.csv:2: skipped: no header line"* ]]
}

@test "nvsmi: binary garbage is skipped, good rows still flow" {
	{
		head -n 2 "$IN/nvsmi-bad.csv"
		printf '\x00\x01\xff\xfe garbage\n'
		printf '\xc3\x28, \x80\x80\n'
		printf '\x1b[31m;;,,,,,\x7f\n'
		/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(11, 256)) + b"\n")'
		tail -n 1 "$IN/nvsmi-bad.csv"
	} > "$BATS_TEST_TMPDIR/garbage.csv"
	run -65 --separate-stderr aiops-ingest -f nvsmi "$BATS_TEST_TMPDIR/garbage.csv"
	ndjson_ok
	[[ $(printf '%s\n' "$output" | jq -c 'select(.type == "gpu")' | wc -l) -eq 2 ]]
	[[ $stderr == *"garbage.csv:3: skipped:"* ]]
	[[ $stderr == *"garbage.csv:4: skipped:"* ]]
	[[ $stderr == *"garbage.csv:5: skipped:"* ]]
	[[ $stderr == *"garbage.csv:6: skipped:"* ]]
}

@test "nvsmi: a second header (concatenated runs) replaces the first" {
	cat "$IN/nvsmi-nounits.csv" "$IN/nvsmi-crlf.csv" > "$BATS_TEST_TMPDIR/two.csv"
	run -0 --separate-stderr aiops-ingest -f nvsmi "$BATS_TEST_TMPDIR/two.csv"
	[[ $(printf '%s\n' "$output" | jq -c 'select(.type == "gpu")' | wc -l) -eq 3 ]]
}

@test "nvsmi: an empty file gives nothing and succeeds" {
	: > "$BATS_TEST_TMPDIR/empty.csv"
	run -0 --separate-stderr aiops-ingest -f nvsmi "$BATS_TEST_TMPDIR/empty.csv"
	[[ -z $output ]]
}
