#!/usr/bin/env bats
# aiops-notify: routing, grouping and its timers, the notification log,
# the outbox through retries and dead letters, silences, inhibition; on
# the event-time clock, so nothing sleeps. Receivers are a real HTTP
# server on 127.0.0.1 (tests/helpers/hookd.py) that logs every request.
setup() { load test_helper; }

teardown() {
	[ -z "${HOOKD_PID:-}" ] || kill "$HOOKD_PID" 2>/dev/null || true
}

# hookd: starts the receiver; its port in $PORT, its requests in $HOOKS.
hookd() {
	HOOKS="$BATS_TEST_TMPDIR/hooks.ndjson"
	: > "$HOOKS"
	coproc HOOKD { exec /usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/hookd.py" "$HOOKS" --timeout 60; }
	HOOKD_PID=$HOOKD_PID
	read -r -t 10 PORT <&"${HOOKD[0]}"
	[ -n "$PORT" ]
}

# alert TS NAME STATUS [LABELS-JSON-MEMBERS] [ENDS] [STARTS]: an alert
# event. A firing one ends a day later unless ENDS says (Prometheus sends
# an end; without one it would resolve after resolve_timeout).
alert() {
	local ends=
	[ -z "${5:-}" ] || ends=",\"ends_at\":\"$5\""
	[ -n "${5:-}" ] || [ "$3" != firing ] || ends=',"ends_at":"2026-11-23T12:00:00Z"'
	printf '{"type":"alert","ts":"%s","alertname":"%s","status":"%s","starts_at":"%s"%s,"labels":{%s}}\n' \
	    "$1" "$2" "$3" "${6:-$1}" "$ends" "${4:-}"
}

# tick TS: an event that only moves the event-time clock.
tick() {
	printf '{"type":"metric","ts":"%s","host":"h","name":"tick","value":1}\n' "$1"
}

notify() {
	aiops-notify --clock event "$@"
}

@test "notify: no receiver set: the message is on stdout after group_wait, once" {
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"instance":"db-1:9100"'
	  tick 2026-11-22T12:00:20Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	[ -z "$output" ]	# 20 s: group_wait (30 s) has not passed
	tick 2026-11-22T12:00:31Z > "$BATS_TEST_TMPDIR/b"
	run -0 notify "$BATS_TEST_TMPDIR/b"
	jq -e -s 'length == 1 and .[0].type == "notification" and .[0].status == "delivered"
	    and .[0].receiver == "stdout" and .[0].group_key == "{}:{alertname=\"DiskFull\"}"
	    and .[0].message.version == "4" and .[0].message.status == "firing"
	    and .[0].message.alerts[0].labels.instance == "db-1:9100"' <<<"$output"
	# Nothing changed: told once, even when run again past group_interval.
	tick 2026-11-22T12:04:00Z > "$BATS_TEST_TMPDIR/c"
	run -0 notify "$BATS_TEST_TMPDIR/c"
	[ -z "$output" ]
	tick 2026-11-22T12:06:00Z > "$BATS_TEST_TMPDIR/c"
	run -0 notify "$BATS_TEST_TMPDIR/c"
	[ -z "$output" ]
}

@test "notify: resolved alerts are told, then the group is gone" {
	{ alert 2026-11-22T12:00:00Z DiskFull firing; tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	[ "$(jq -r .message.status <<<"$output")" = firing ]
	{ alert 2026-11-22T12:10:00Z DiskFull resolved '' 2026-11-22T12:10:00Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T12:20:00Z; } > "$BATS_TEST_TMPDIR/b"
	run -0 notify "$BATS_TEST_TMPDIR/b"
	jq -e '.message.status == "resolved" and .message.alerts[0].endsAt == "2026-11-22T12:10:00Z"' <<<"$output"
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM notify_groups')" = 0 ]
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM notify_members')" = 0 ]
}

@test "notify: an alert that fires again after its group emptied is told with a new dedup key" {
	{ alert 2026-11-22T12:00:00Z Flap firing
	  alert 2026-11-22T12:02:00Z Flap resolved '' 2026-11-22T12:02:00Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T12:06:00Z
	  alert 2026-11-22T12:10:00Z Flap firing
	  tick 2026-11-22T12:11:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	[ "$(jq -r '.message.status' <<<"$output" | tr '\n' ' ')" = "firing resolved firing " ]
	# A receiver that drops what it has seen by Idempotency-Key must see
	# the second episode: each message has a key of its own.
	[ "$(jq -r .dedup_key <<<"$output" | sort -u | wc -l)" = 3 ]
}

@test "notify: an alert that fires and resolves within group_wait is never told" {
	{ alert 2026-11-22T12:00:00Z Blip firing
	  alert 2026-11-22T12:00:10Z Blip resolved '' 2026-11-22T12:00:10Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	[ -z "$output" ]
}

@test "notify: repeat_interval tells a group still firing again" {
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-'EOF'
	notify:
	  route:
	    receiver: stdout
	    group_by: [alertname]
	    group_interval: 5m
	    repeat_interval: 1h
	EOF
	{ alert 2026-11-22T12:00:00Z DiskFull firing; tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	[ "$(grep -c notification <<<"$output")" = 1 ]
	tick 2026-11-22T12:30:00Z > "$BATS_TEST_TMPDIR/b"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/b"
	[ -z "$output" ]
	tick 2026-11-22T13:02:00Z > "$BATS_TEST_TMPDIR/b"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/b"
	[ "$(jq -r .message.status <<<"$output")" = firing ]
}

@test "notify: an alert without an end resolves after resolve_timeout; one relayed from Alertmanager does not" {
	printf '{"type":"alert","ts":"2026-11-22T12:00:00Z","alertname":"NoEnd","status":"firing","labels":{}}\n' > "$BATS_TEST_TMPDIR/a"
	printf '{"type":"alert","ts":"2026-11-22T12:00:00Z","alertname":"Relayed","status":"firing","labels":{},"group_key":"{}:{}"}\n' >> "$BATS_TEST_TMPDIR/a"
	tick 2026-11-22T12:01:00Z >> "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	[ "$(jq -r '.message.status' <<<"$output" | sort | uniq -c | tr -s ' ')" = " 2 firing" ]
	# Nothing is sent again: NoEnd ended at 12:05 (received at 12:00, 5 m),
	# told at its group's next flush (12:05:30); Relayed fires on.
	tick 2026-11-22T12:20:00Z > "$BATS_TEST_TMPDIR/b"
	run -0 notify "$BATS_TEST_TMPDIR/b"
	jq -e -s 'length == 1 and .[0].ts == "2026-11-22T12:05:30.000Z"
	    and .[0].message.status == "resolved"
	    and .[0].message.alerts[0].labels.alertname == "NoEnd"
	    and .[0].message.alerts[0].endsAt == "2026-11-22T12:05:00Z"' <<<"$output"
	# Sent again before its end, an alert fires on.
	{ printf '{"type":"alert","ts":"2026-11-22T12:30:00Z","alertname":"Again","status":"firing","labels":{}}\n'
	  printf '{"type":"alert","ts":"2026-11-22T12:34:00Z","alertname":"Again","status":"firing","labels":{},"starts_at":"2026-11-22T12:30:00Z"}\n'
	  tick 2026-11-22T12:38:00Z; } > "$BATS_TEST_TMPDIR/c"
	run -0 notify "$BATS_TEST_TMPDIR/c"
	jq -e -s 'length == 1 and .[0].message.status == "firing"' <<<"$output"
}

@test "notify: told as Alertmanager tells: not when the firing set only shrinks; send_resolved false gets firing alerts only" {
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF
	notify:
	  receivers:
	    - name: files
	      file_configs:
	        - path: $BATS_TEST_TMPDIR/all.ndjson
	        - path: $BATS_TEST_TMPDIR/firing.ndjson
	          send_resolved: false
	  route:
	    receiver: files
	    group_by: [alertname]
	    group_interval: 5m
	    repeat_interval: 1h
	EOF
	{ alert 2026-11-22T12:00:00Z Disk firing '"instance":"a"'
	  alert 2026-11-22T12:00:00Z Disk firing '"instance":"b"'
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	# Each file gets the webhook payload. b resolves: news for the one
	# that sends resolved alerts only.
	{ alert 2026-11-22T12:02:00Z Disk resolved '"instance":"b"' 2026-11-22T12:02:00Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T12:08:00Z; } > "$BATS_TEST_TMPDIR/b"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/b"
	jq -e -s 'length == 2 and .[1].status == "firing"
	    and ([.[1].alerts[] | .labels.instance + " " + .status] == ["a firing", "b resolved"])' \
	    "$BATS_TEST_TMPDIR/all.ndjson"
	jq -e -s 'length == 1' "$BATS_TEST_TMPDIR/firing.ndjson"
	# Nothing new: nothing told, even past group_interval.
	tick 2026-11-22T12:20:00Z > "$BATS_TEST_TMPDIR/c"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/c"
	[ -z "$output" ]
	jq -e -s 'length == 2' "$BATS_TEST_TMPDIR/all.ndjson"
	jq -e -s 'length == 1' "$BATS_TEST_TMPDIR/firing.ndjson"
	# Past repeat_interval (from 12:05:30, when the group was last told)
	# both are told again, the firing alert only.
	tick 2026-11-22T13:02:00Z > "$BATS_TEST_TMPDIR/c"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/c"
	[ -z "$output" ]
	tick 2026-11-22T13:06:00Z > "$BATS_TEST_TMPDIR/c"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/c"
	jq -e -s 'length == 3 and ([.[2].alerts[] | .labels.instance] == ["a"])' \
	    "$BATS_TEST_TMPDIR/all.ndjson"
	jq -e -s 'length == 2 and ([.[1].alerts[] | .labels.instance] == ["a"])' \
	    "$BATS_TEST_TMPDIR/firing.ndjson"
	# a resolves too: all that were told firing resolved is news for
	# both, but the one without send_resolved is sent nothing.
	{ alert 2026-11-22T13:07:00Z Disk resolved '"instance":"a"' 2026-11-22T13:07:00Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T13:20:00Z; } > "$BATS_TEST_TMPDIR/d"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/d"
	jq -e -s 'length == 4 and .[3].status == "resolved"' "$BATS_TEST_TMPDIR/all.ndjson"
	jq -e -s 'length == 2' "$BATS_TEST_TMPDIR/firing.ndjson"
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM notify_groups')" = 0 ]
}

@test "notify: routes by matchers, continue, and group_by; each group one message" {
	hookd
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF
	notify:
	  receivers:
	    - name: db
	      webhook_configs:
	        - url: http://127.0.0.1:$PORT/hook
	    - name: all
	      file_configs:
	        - path: $BATS_TEST_TMPDIR/all.ndjson
	    - name: default
	      file_configs:
	        - path: $BATS_TEST_TMPDIR/default.ndjson
	  route:
	    receiver: default
	    group_by: [alertname]
	    routes:
	      - receiver: all
	        continue: true
	      - receiver: db
	        matchers: ['team="db"']
	        group_by: [alertname, instance]
	EOF
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"team":"db","instance":"db-1"'
	  alert 2026-11-22T12:00:01Z DiskFull firing '"team":"db","instance":"db-2"'
	  alert 2026-11-22T12:00:02Z HighCPU firing '"team":"web","instance":"web-1"'
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	# db: one group per instance; all: one per alertname; default: HighCPU.
	[ "$(wc -l < "$HOOKS")" = 2 ]
	jq -e -s 'map(.body | fromjson | .groupKey) | sort ==
	    ["{}/{team=\"db\"}:{alertname=\"DiskFull\", instance=\"db-1\"}",
	     "{}/{team=\"db\"}:{alertname=\"DiskFull\", instance=\"db-2\"}"]' "$HOOKS"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/all.ndjson")" = 2 ]
	jq -e -s 'map(.groupKey) | sort == ["{}/{}:{alertname=\"DiskFull\"}", "{}/{}:{alertname=\"HighCPU\"}"]' \
	    "$BATS_TEST_TMPDIR/all.ndjson"
	# "all" took HighCPU (continue or not, a child took it): not the root.
	[ ! -e "$BATS_TEST_TMPDIR/default.ndjson" ]
	[ "$(jq -s 'map(select(.status == "delivered")) | length' <<<"$output")" = 4 ]
}

@test "notify: a webhook is signed and carries an Idempotency-Key" {
	hookd
	printf 'sekret\n' > "$BATS_TEST_TMPDIR/secret"
	chmod 600 "$BATS_TEST_TMPDIR/secret"
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF
	notify:
	  receivers:
	    - name: hook
	      webhook_configs:
	        - url: http://127.0.0.1:$PORT/hook
	          secret_file: $BATS_TEST_TMPDIR/secret
	  route:
	    receiver: hook
	EOF
	{ alert 2026-11-22T12:00:00Z DiskFull firing; tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	[ "$(wc -l < "$HOOKS")" = 1 ]
	/usr/bin/python3 - "$HOOKS" <<-'EOF'
	import hashlib, hmac, json, sys
	r = json.loads(open(sys.argv[1]).readline())
	h = {k.lower(): v for k, v in r["headers"].items()}
	ts, sig = h["x-aiops-timestamp"], h["x-aiops-signature"]
	want = hmac.new(b"sekret", (ts + "." + r["body"]).encode(), hashlib.sha256).hexdigest()
	assert sig == "v1=" + want, (sig, want)
	assert len(h["idempotency-key"]) == 16
	assert h["content-type"] == "application/json"
	assert json.loads(r["body"])["version"] == "4"
	EOF
	# The secret is nowhere in the state.
	! sqlite3 "$AIOPS_STATE" .dump | grep -q sekret
}

@test "notify: a receiver that fails is retried later with the same dedup key" {
	hookd
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF
	notify:
	  receivers:
	    - name: hook
	      webhook_configs:
	        - url: http://127.0.0.1:$PORT/flaky/x
	  route:
	    receiver: hook
	EOF
	# The alert alone: its group's timer (12:00:30) is not due at its end.
	alert 2026-11-22T12:00:00Z DiskFull firing > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	[ -z "$output" ]
	# cron at 12:01: the first attempt fails.
	AIOPS_NOW=2026-11-22T12:01:00Z run -0 aiops-notify --flush --config "$BATS_TEST_TMPDIR/c.yaml"
	jq -e '.status == "failed" and .http_status == 500 and .attempt == 1 and (.retry_at | length) > 0
	    and (has("dead") | not) and .ts == "2026-11-22T12:01:00.000Z"' <<<"$output"
	# the next run past the backoff (10 s at most for a first retry) delivers it.
	AIOPS_NOW=2026-11-22T12:02:00Z run -0 aiops-notify --flush --config "$BATS_TEST_TMPDIR/c.yaml"
	jq -e '.status == "delivered" and .attempt == 2' <<<"$output"
	[ "$(wc -l < "$HOOKS")" = 2 ]
	[ "$(jq -r '.headers["Idempotency-Key"]' "$HOOKS" | sort -u | wc -l)" = 1 ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT state || ' ' || attempts FROM notify_outbox")" = "sent 2" ]
}

@test "notify: a 4xx is a dead letter with the reason, never retried" {
	hookd
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF
	notify:
	  receivers:
	    - name: hook
	      webhook_configs:
	        - url: http://127.0.0.1:$PORT/status/400
	  route:
	    receiver: hook
	EOF
	{ alert 2026-11-22T12:00:00Z DiskFull firing; tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	jq -e '.status == "failed" and .dead == true and .http_status == 400 and (.reason | test("400"))' <<<"$output"
	AIOPS_NOW=2026-11-22T12:30:00Z run -0 aiops-notify --flush --config "$BATS_TEST_TMPDIR/c.yaml"
	[ -z "$output" ]
	[ "$(wc -l < "$HOOKS")" = 1 ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT state || ' ' || status || ' ' || attempts FROM notify_outbox")" = "dead 400 1" ]
	# After repeat_interval (4h) the group is told again: news, with a key of its own.
	AIOPS_NOW=2026-11-22T16:10:00Z run -0 aiops-notify --flush --config "$BATS_TEST_TMPDIR/c.yaml"
	[ "$(jq -r .dead <<<"$output")" = true ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count(DISTINCT dedup_key) FROM notify_outbox")" = 2 ]
}

@test "notify: silence add, list and expire; a silenced alert is not told" {
	run -0 aiops-notify silence add --duration 2h --comment 'disk swap, CHG42' 'alertname="DiskFull"' 'instance=~"db-.*"'
	id=$output
	[[ $id =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	run -0 aiops-notify silence list --json
	jq -e --arg id "$id" '.id == $id and .matchers == "{alertname=\"DiskFull\",instance=~\"db-.*\"}"
	    and .status == "active" and .comment == "disk swap, CHG42" and (.createdBy | length) > 0' <<<"$output"
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"instance":"db-1"'
	  alert 2026-11-22T12:00:00Z DiskFull firing '"instance":"web-1"'
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	jq -e -s --arg id "$id" 'length == 2
	    and (map(select(.status == "delivered"))[0] | [.message.alerts[].labels.instance] == ["web-1"])
	    and (map(select(.status == "suppressed"))[0] | .reason == "silenced"
	        and .group_key == "{}:{alertname=\"DiskFull\"}"
	        and [.alerts[] | [.labels.instance, .silence_id]] == [["db-1", $id]])' <<<"$output"
	# Held back and told once: the next flush says nothing of it.
	tick 2026-11-22T12:06:00Z > "$BATS_TEST_TMPDIR/b"
	run -0 notify "$BATS_TEST_TMPDIR/b"
	[ -z "$output" ]
	run -0 aiops-notify silence expire "$id"
	run -0 aiops-notify silence list
	[ -z "$output" ]
	run -0 aiops-notify silence list --all
	[[ $output == "$id "* ]]
	tick 2026-11-22T12:07:00Z > "$BATS_TEST_TMPDIR/b"
	run -0 notify "$BATS_TEST_TMPDIR/b"
	jq -e '[.message.alerts[].labels.instance] | sort == ["db-1", "web-1"]' <<<"$output"
}

@test "notify: an alert that resolves while silenced is not told resolved, and leaves its group" {
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"instance":"db-1"'
	  alert 2026-11-22T12:00:00Z DiskFull firing '"instance":"db-2"'
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	jq -e '[.message.alerts[].labels.instance] == ["db-1", "db-2"]' <<<"$output"
	AIOPS_NOW=2026-11-22T12:02:00Z run -0 aiops-notify silence add --duration 1h --comment flapping 'instance="db-2"'
	{ alert 2026-11-22T12:03:00Z DiskFull resolved '"instance":"db-2"' 2026-11-22T12:03:00Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T12:06:00Z; } > "$BATS_TEST_TMPDIR/b"
	run -0 notify "$BATS_TEST_TMPDIR/b"
	# Alertmanager's silencer mutes the resolved alert too: no news (and
	# no suppression event: it was held back at no flush before).
	[ -z "$output" ]
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM notify_members')" = 1 ]
}

@test "notify: two groups held back in one flush are two events with two ids" {
	run -0 aiops-notify silence add --duration 1h --comment c 'x="1"'
	{ alert 2026-11-22T12:00:00Z A firing '"x":"1"'
	  alert 2026-11-22T12:00:00Z B firing '"x":"1"'
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	jq -e -s 'length == 2 and all(.status == "suppressed") and (map(.id) | unique | length) == 2' <<<"$output"
}

@test "notify: silence mistakes are refused with what is wrong" {
	run -64 aiops-notify silence add --duration 1h 'alertname="X"'
	[[ $output == *"--comment is required"* ]]
	run -64 aiops-notify silence add --comment c 'alertname="X"'
	[[ $output == *"--end or --duration"* ]]
	run -64 aiops-notify silence add --duration 1h --comment c 'a=~"("'
	[[ $output == *"missing closing parenthesis"* ]]
	run -64 aiops-notify silence add --comment c --end 2026-11-22T11:00:00Z 'a="b"'
	[[ $output == *"ends before it starts"* || $output == *"already ended"* ]]
	run -65 aiops-notify silence expire no-such-id
	[[ $output == *"no-such-id: no such silence"* ]]
}

@test "notify: an inhibition rule holds back what a critical alert explains" {
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-'EOF'
	notify:
	  route:
	    receiver: stdout
	    group_by: [alertname]
	  inhibit_rules:
	    - source_matchers: ['severity="critical"']
	      target_matchers: ['severity="warning"']
	      equal: [host]
	EOF
	{ alert 2026-11-22T12:00:00Z NodeDown firing '"severity":"critical","host":"db-1"'
	  alert 2026-11-22T12:00:00Z DiskSlow firing '"severity":"warning","host":"db-1"'
	  alert 2026-11-22T12:00:00Z DiskSlow firing '"severity":"warning","host":"db-2"'
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	jq -e -s 'map(select(.status == "delivered") | {k: .group_key, h: [.message.alerts[].labels.host]})
	    | sort_by(.k) == [{k: "{}:{alertname=\"DiskSlow\"}", h: ["db-2"]},
	    {k: "{}:{alertname=\"NodeDown\"}", h: ["db-1"]}]' <<<"$output"
	# The one held back is said, with the alert that explains it.
	node=$(sqlite3 "$AIOPS_STATE" "SELECT fingerprint FROM alerts WHERE alertname = 'NodeDown'")
	jq -e -s --arg node "$node" 'map(select(.status == "suppressed")) | length == 1 and
	    (.[0] | .reason == "inhibited" and [.alerts[] | [.labels.host, .inhibited_by]] == [["db-1", $node]])' <<<"$output"
}

@test "notify: --all passes every input event through, in order" {
	{ alert 2026-11-22T12:00:00Z DiskFull firing; tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --all "$BATS_TEST_TMPDIR/a"
	# The group's timer (12:00:30) fires before the event of 12:01.
	diff <(sed -n 1p <<<"$output"; sed -n 3p <<<"$output") "$BATS_TEST_TMPDIR/a"
	[ "$(sed -n 2p <<<"$output" | jq -r '.type + " " + .ts')" = "notification 2026-11-22T12:00:30.000Z" ]
}

@test "notify: configuration mistakes say where" {
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-'EOF'
	notify:
	  receivers:
	    - name: hook
	      webhook_configs:
	        - url: ftp://example.com/x
	  route:
	    receiver: hook
	EOF
	run -78 aiops-notify --config "$BATS_TEST_TMPDIR/c.yaml" --flush
	[[ $output == *"c.yaml:5: notify.receivers.0.webhook_configs.0.url: expected an http:// or https:// URL"* ]]
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-'EOF'
	notify:
	  route:
	    receiver: nobody
	EOF
	run -78 aiops-notify --config "$BATS_TEST_TMPDIR/c.yaml" --flush
	[[ $output == *"c.yaml:3"*"nobody"* ]]
	printf 'notify:\n  receivers:\n    - name: p\n      pagerduty_configs:\n        - routing_key: inline\n  route:\n    receiver: p\n' \
	    > "$BATS_TEST_TMPDIR/c.yaml"
	run -78 aiops-notify --config "$BATS_TEST_TMPDIR/c.yaml" --flush
	[[ $output == *"routing_key: not a field of pagerduty_configs"* ]]
	[[ $output != *inline* ]]
}

@test "notify: a malformed alert is skipped with where, the rest flows" {
	{ printf '{"type":"alert","ts":"2026-11-22T12:00:00Z","status":"firing"}\n'
	  alert 2026-11-22T12:00:00Z DiskFull firing; tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -65 --separate-stderr notify "$BATS_TEST_TMPDIR/a"
	[[ $stderr == *"/a:1: skipped: alert: missing alertname"* ]]
	[ "$(jq -r .message.alerts[0].labels.alertname <<<"$output")" = DiskFull ]
}

@test "notify: a route muted at night says what it holds back once, and tells it in the morning" {
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-'EOF'
	notify:
	  route:
	    receiver: stdout
	    group_by: [alertname]
	    routes:
	      - matchers: ['alertname="DiskFull"']
	        mute_time_intervals: [nights]
	  time_intervals:
	    - name: nights
	      time_intervals: [{times: [{start_time: "00:00", end_time: "06:00"}]}]
	EOF
	{ alert 2026-11-23T03:00:00Z DiskFull firing '"host":"db-1"'
	  tick 2026-11-23T03:01:00Z
	  alert 2026-11-23T03:02:00Z DiskFull firing '"host":"db-2"'
	  tick 2026-11-23T03:20:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	# Two flushes in the night: each says the alerts new since the last.
	jq -e -s 'map(.status + " " + .reason + " " + ([.alerts[].labels.host] | join(",")))
	    == ["suppressed muted db-1", "suppressed muted db-2"]' <<<"$output"
	tick 2026-11-23T06:01:00Z > "$BATS_TEST_TMPDIR/b"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/b"
	jq -e '.status == "delivered" and ([.message.alerts[].labels.host] | sort) == ["db-1", "db-2"]' <<<"$output"
}

@test "notify: a recurring silence mutes only inside its times" {
	run -0 aiops-notify silence add --duration 30d --every '01:00-02:00' --comment 'nightly backup' 'alertname="BackupIO"'
	run -0 aiops-notify silence list --json
	jq -e '.schedule == [{"times":[{"start_time":"01:00","end_time":"02:00"}],"location":"UTC"}]' <<<"$output"
	# 01:30: inside the window, held back.
	{ alert 2026-11-23T01:30:00Z BackupIO firing; tick 2026-11-23T01:31:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	jq -e '.status == "suppressed" and .reason == "silenced" and .alerts[0].labels.alertname == "BackupIO"' <<<"$output"
	# 02:01: the window is over, the same alert is told.
	tick 2026-11-23T02:01:00Z > "$BATS_TEST_TMPDIR/b"
	run -0 notify "$BATS_TEST_TMPDIR/b"
	[ "$(jq -r '.message.alerts[0].labels.alertname' <<<"$output")" = BackupIO ]
	run -64 aiops-notify silence add --duration 1h --every 'funday' --comment c 'a="b"'
	[[ $output == *"--every: funday"* ]]
}

@test "notify: on the event-time clock timers fire at their own times, retries too" {
	hookd
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF
	notify:
	  receivers:
	    - name: hook
	      webhook_configs:
	        - url: http://127.0.0.1:$PORT/flaky/y
	  route:
	    receiver: hook
	EOF
	{ alert 2026-11-22T12:00:00Z DiskFull firing; tick 2026-11-22T12:30:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	jq -e -s 'length == 2 and .[0].status == "failed" and .[0].ts == "2026-11-22T12:00:30.000Z"
	    and .[1].status == "delivered" and .[1].attempt == 2 and .[1].ts == .[0].retry_at' <<<"$output"
}

@test "notify: a replay on the event-time clock gives the same bytes" {
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"host":"db-1"'
	  alert 2026-11-22T12:00:05Z DiskFull firing '"host":"db-2"'
	  alert 2026-11-22T12:20:00Z DiskFull resolved '"host":"db-1"' 2026-11-22T12:20:00Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T18:00:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	first=$output
	# firing (2), one resolved at the next tick, then repeats every 4 h
	[ "$(jq -r '.ts + " " + .message.status + " " + (.message.alerts | length | tostring)' <<<"$first" | head -n 2)" = \
	    "2026-11-22T12:00:30.000Z firing 2
2026-11-22T12:20:30.000Z firing 2" ]
	rm -f "$AIOPS_STATE"
	run -0 notify "$BATS_TEST_TMPDIR/a"
	[ "$output" = "$first" ]
}

@test "notify: --watch fires timers on time after the input, reloads on SIGHUP, stops on SIGTERM" {
	unset AIOPS_NOW	# the wall clock, running
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-'EOF2'
	notify:
	  route:
	    receiver: stdout
	    group_wait: 1s
	    group_interval: 1s
	EOF2
	mkfifo "$BATS_TEST_TMPDIR/in"
	aiops-notify --watch --config "$BATS_TEST_TMPDIR/c.yaml" < "$BATS_TEST_TMPDIR/in" \
	    > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
	pid=$!
	exec 5> "$BATS_TEST_TMPDIR/in"
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	printf '{"type":"alert","ts":"%s","alertname":"A","status":"firing"}\n' "$now" >&5
	# told about a second later, while the input is still open
	for i in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/out" ] && break; sleep 0.1; done
	[ "$(jq -r .message.alerts[0].labels.alertname "$BATS_TEST_TMPDIR/out")" = A ]
	# a new configuration: a file receiver
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF2
	notify:
	  receivers:
	    - name: file
	      file_configs:
	        - path: $BATS_TEST_TMPDIR/file.ndjson
	  route:
	    receiver: file
	    group_wait: 1s
	    group_interval: 1s
	EOF2
	kill -HUP "$pid"
	sleep 0.3
	printf '{"type":"alert","ts":"%s","alertname":"B","status":"firing"}\n' "$now" >&5
	for i in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/file.ndjson" ] && break; sleep 0.1; done
	[ "$(jq -r .alerts[0].labels.alertname "$BATS_TEST_TMPDIR/file.ndjson")" = B ]
	# a broken one is refused, the running one kept
	printf 'notify:\n  route:\n    receiver: nobody\n' > "$BATS_TEST_TMPDIR/c.yaml"
	kill -HUP "$pid"
	sleep 0.3
	printf '{"type":"alert","ts":"%s","alertname":"C","status":"firing"}\n' "$now" >&5
	exec 5>&-	# the input ends; --watch keeps the timers going
	for i in $(seq 50); do [ "$(wc -l < "$BATS_TEST_TMPDIR/file.ndjson")" = 2 ] && break; sleep 0.1; done
	[ "$(jq -r '[.alerts[].labels.alertname] | join(",")' "$BATS_TEST_TMPDIR/file.ndjson" | tail -n 1)" = B,C ]
	grep -q "nobody.*the running configuration is kept" "$BATS_TEST_TMPDIR/err"
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
}

@test "notify: a running aiops-notify sees an inhibiting alert another program stored" {
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-'EOF2'
	notify:
	  route:
	    receiver: stdout
	    group_by: [alertname]
	  inhibit_rules:
	    - source_matchers: [severity=critical]
	      target_matchers: [severity=warning]
	      equal: [cluster]
	EOF2
	mkfifo "$BATS_TEST_TMPDIR/in"
	aiops-notify --clock event --watch --config "$BATS_TEST_TMPDIR/c.yaml" \
	    < "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
	pid=$!
	exec 5> "$BATS_TEST_TMPDIR/in"
	# A first group is told: the sources of inhibition are loaded (none).
	{ alert 2026-11-22T12:00:00Z Early firing '"cluster":"c1","severity":"warning"'
	  tick 2026-11-22T12:00:31Z; } >&5
	for i in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/out" ] && break; sleep 0.1; done
	[ "$(jq -r .message.alerts[0].labels.alertname "$BATS_TEST_TMPDIR/out")" = Early ]
	# Another program stores a critical alert of cluster c1 (an
	# Alertmanager webhook through aiops-ingest --store).
	printf '%s' '{"version":"4","groupKey":"{}:{}","receiver":"r","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"NodeDown","cluster":"c1","severity":"critical"},"annotations":{},"startsAt":"2026-11-22T12:00:40Z","endsAt":"0001-01-01T00:00:00Z"}]}' |
	    aiops-ingest -f alertmanager --store > /dev/null
	# A warning of cluster c1 is now held back, not told.
	{ alert 2026-11-22T12:01:00Z Late firing '"cluster":"c1","severity":"warning"'
	  tick 2026-11-22T12:01:31Z; } >&5
	for i in $(seq 100); do [ "$(wc -l < "$BATS_TEST_TMPDIR/out")" -ge 2 ] && break; sleep 0.1; done
	exec 5>&-
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	jq -e -s 'length == 2 and .[1].status == "suppressed" and .[1].reason == "inhibited"
	    and .[1].alerts[0].labels.alertname == "Late"' "$BATS_TEST_TMPDIR/out"
}

@test "notify: title and text are Go templates, with the defines of notify.templates" {
	hookd
	cat > "$BATS_TEST_TMPDIR/defs.tmpl" <<-'EOF2'
	{{ define "hosts" }}{{ range .Alerts }}{{ .Labels.host }} {{ end }}{{ end }}
	EOF2
	printf 'http://127.0.0.1:%s/slack\n' "$PORT" > "$BATS_TEST_TMPDIR/slack.url"
	chmod 600 "$BATS_TEST_TMPDIR/slack.url"
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF2
	notify:
	  templates: [$BATS_TEST_TMPDIR/defs.tmpl]
	  receivers:
	    - name: chat
	      slack_configs:
	        - api_url_file: $BATS_TEST_TMPDIR/slack.url
	          title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} <{{ len .Alerts }}>'
	          text: 'on {{ template "hosts" . }}'
	  route:
	    receiver: chat
	    group_by: [alertname]
	EOF2
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"host":"db-1"'
	  alert 2026-11-22T12:00:00Z DiskFull firing '"host":"db-2"'
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	[ "$(jq -r .status <<<"$output")" = delivered ]
	body=$(jq -r .body "$HOOKS")
	# The header is plain text; the section is mrkdwn, its < > escaped.
	jq -e '.blocks[0].text.text == "[FIRING] DiskFull <2>"' <<<"$body"
	jq -e '[.blocks[] | select(.type == "section") | .text.text // empty] | any(startswith("on db-1 db-2"))' <<<"$body"
	jq -e '.text | contains("[FIRING] DiskFull &lt;2&gt;")' <<<"$body"
	# A template that does not compile is a configuration error, with where.
	sed -i 's/{{ len .Alerts }}/{{ len .Alerts /' "$BATS_TEST_TMPDIR/c.yaml"
	run -78 aiops-notify --config "$BATS_TEST_TMPDIR/c.yaml" --flush
	[[ $output == *"c.yaml:"*"notify.receivers.0.slack_configs.0.title"* ]]
}

@test "notify: killed in the middle of a burst, the next run delivers the rest; a repeat only for the one in flight, with its key" {
	hookd
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF2
	notify:
	  receivers:
	    - name: hook
	      webhook_configs:
	        - url: http://127.0.0.1:$PORT/slow
	  route:
	    receiver: hook
	    group_by: [alertname]
	EOF2
	{ for i in $(seq 30); do alert 2026-11-22T12:00:00Z "A$i" firing; done
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	aiops-notify --clock event --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a" \
	    > "$BATS_TEST_TMPDIR/out1" &
	pid=$!
	# 30 deliveries of 0.1 s each: cut it after a few.
	for i in $(seq 100); do [ "$(wc -l < "$HOOKS")" -ge 5 ] && break; sleep 0.05; done
	kill -KILL "$pid"
	wait "$pid" || true
	before=$(wc -l < "$HOOKS")
	[ "$before" -ge 5 ] && [ "$before" -lt 30 ]
	AIOPS_NOW=2026-11-22T12:05:00Z run -0 aiops-notify --flush --config "$BATS_TEST_TMPDIR/c.yaml"
	# every group delivered, each told once but for at most one repeat
	[ "$(jq -r '.body | fromjson | .groupKey' "$HOOKS" | sort -u | wc -l)" = 30 ]
	total=$(wc -l < "$HOOKS")
	[ "$total" -le 31 ]
	# a repeat carries the same key as the first try
	[ "$(jq -r '.headers["Idempotency-Key"]' "$HOOKS" | sort -u | wc -l)" = 30 ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM notify_outbox WHERE state = 'sent'")" = 30 ]
	echo "# $before before the kill, $total in all: $((total - 30)) repeat(s)" >&3
}

# secret NAME VALUE: a file only its owner may read.
secret() {
	printf '%s\n' "$2" > "$BATS_TEST_TMPDIR/$1"
	chmod 600 "$BATS_TEST_TMPDIR/$1"
}

@test "notify: PagerDuty Events API v2: trigger then resolve with Alertmanager's dedup key, to a fake that checks the contract" {
	hookd
	secret pd.key 0123456789abcdef0123456789abcdef
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF2
	notify:
	  receivers:
	    - name: pager
	      pagerduty_configs:
	        - url: http://127.0.0.1:$PORT/v2/enqueue
	          routing_key_file: $BATS_TEST_TMPDIR/pd.key
	  route:
	    receiver: pager
	    group_by: [alertname]
	EOF2
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"severity":"critical","host":"db-1"'
	  tick 2026-11-22T12:01:00Z
	  alert 2026-11-22T12:10:00Z DiskFull resolved '"severity":"critical","host":"db-1"' 2026-11-22T12:10:00Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T12:11:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	[ "$(jq -s 'map(select(.status == "delivered" and .http_status == 202)) | length' <<<"$output")" = 2 ]
	! jq -e 'select(has("violation"))' "$HOOKS"
	key=$(printf '%s' '{}:{alertname="DiskFull"}' | sha256sum | cut -d' ' -f1)
	jq -e -s --arg k "$key" 'map(.body | fromjson) | .[0].event_action == "trigger"
	    and .[0].dedup_key == $k and .[0].payload.severity == "critical"
	    and .[0].routing_key == "0123456789abcdef0123456789abcdef"
	    and .[1].event_action == "resolve" and .[1].dedup_key == $k' "$HOOKS"
	# the routing key is a secret: not in the state
	! sqlite3 "$AIOPS_STATE" .dump | grep -q 0123456789abcdef0123456789abcdef
}

@test "notify: Slack incoming webhook to a fake that checks Block Kit's limits" {
	hookd
	secret slack.url "http://127.0.0.1:$PORT/services/T000/B000/XXXX"
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF2
	notify:
	  receivers:
	    - name: chat
	      slack_configs:
	        - api_url_file: $BATS_TEST_TMPDIR/slack.url
	          send_resolved: true
	  route:
	    receiver: chat
	EOF2
	long=$(printf 'x%.0s' $(seq 400))
	{ alert 2026-11-22T12:00:00Z "Disk<Full>&$long" firing '"host":"db-1"'
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	[ "$(jq -r .status <<<"$output")" = delivered ]
	! jq -e 'select(has("violation"))' "$HOOKS"
	# the URL is a credential: never in an event, an error or the state
	! grep -q XXXX <<<"$output"
	! sqlite3 "$AIOPS_STATE" .dump | grep -q XXXX
}

@test "notify: ServiceNow: the incident made once, resolved in the same record; a wrong password is a dead letter" {
	hookd
	secret sn.pass sn-pass
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF2
	notify:
	  receivers:
	    - name: itsm
	      servicenow_configs:
	        - instance_url: http://127.0.0.1:$PORT
	          username: aiops
	          password_file: $BATS_TEST_TMPDIR/sn.pass
	  route:
	    receiver: itsm
	    group_by: [alertname]
	EOF2
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"severity":"critical"'
	  tick 2026-11-22T12:01:00Z
	  alert 2026-11-22T12:10:00Z DiskFull resolved '"severity":"critical"' 2026-11-22T12:10:00Z 2026-11-22T12:00:00Z
	  tick 2026-11-22T12:11:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	! jq -e 'select(has("violation"))' "$HOOKS"
	jq -e -s 'length == 2 and .[0].method == "POST" and .[0].path == "/api/now/table/incident"
	    and .[1].method == "PATCH" and .[1].path == "/api/now/table/incident/00000000000000000000000000000001"
	    and (.[1].body | fromjson | .state == "6")' "$HOOKS"
	[ "$(jq -s 'map(.http_status) | sort' <<<"$output" | jq -c .)" = "[200,201]" ]
	secret sn.pass wrong
	alert 2026-11-22T13:00:00Z Other firing > "$BATS_TEST_TMPDIR/b"
	tick 2026-11-22T13:01:00Z >> "$BATS_TEST_TMPDIR/b"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/b"
	jq -e '.status == "failed" and .dead == true and .http_status == 401' <<<"$output"
	! grep -q wrong <<<"$output"
}

@test "notify: email through a real SMTP server (aiosmtpd) with STARTTLS and AUTH" {
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd is not installed"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$BATS_TEST_TMPDIR/key.pem" \
	    -out "$BATS_TEST_TMPDIR/cert.pem" -days 1 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	coproc SMTPD { exec /usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/smtpd_aio.py" \
	    "$BATS_TEST_TMPDIR/mail.ndjson" "$BATS_TEST_TMPDIR/cert.pem" "$BATS_TEST_TMPDIR/key.pem" \
	    aiops mail-pass --timeout 60; }
	HOOKD_PID=$SMTPD_PID
	read -r -t 10 SPORT <&"${SMTPD[0]}"
	secret smtp.pass mail-pass
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF2
	notify:
	  receivers:
	    - name: mail
	      email_configs:
	        - to: [dba@example.com, ops@example.com]
	          from: aiops@example.com
	          smarthost: 127.0.0.1:$SPORT
	          auth_username: aiops
	          auth_password_file: $BATS_TEST_TMPDIR/smtp.pass
	          ca_file: $BATS_TEST_TMPDIR/cert.pem
	          timeout: 5s
	          title: 'disk on {{ .CommonLabels.host }}'
	  route:
	    receiver: mail
	EOF2
	{ alert 2026-11-22T12:00:00Z DiskFull firing '"host":"db-1"'; tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	[ "$(jq -r .status <<<"$output")" = delivered ]
	jq -e '.tls == true and .user == "aiops" and .from == "aiops@example.com"
	    and .rcpt == ["dba@example.com", "ops@example.com"]
	    and (.data | test("Subject: disk on db-1"))
	    and (.data | test("DiskFull"))' "$BATS_TEST_TMPDIR/mail.ndjson"
	# (a wrong password is t_smtp's: aiosmtpd answers it by waiting)
	! sqlite3 "$AIOPS_STATE" .dump | grep -q mail-pass
}

@test "notify: a receiver's rate limit holds messages back, none lost" {
	cat > "$BATS_TEST_TMPDIR/c.yaml" <<-EOF2
	notify:
	  receivers:
	    - name: file
	      rate_limit: 2/1h
	      file_configs:
	        - path: $BATS_TEST_TMPDIR/file.ndjson
	  route:
	    receiver: file
	    group_by: [alertname]
	EOF2
	{ for i in 1 2 3 4 5; do alert 2026-11-22T12:00:00Z "A$i" firing; done
	  tick 2026-11-22T12:01:00Z; } > "$BATS_TEST_TMPDIR/a"
	run -0 notify --config "$BATS_TEST_TMPDIR/c.yaml" "$BATS_TEST_TMPDIR/a"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/file.ndjson")" = 2 ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM notify_outbox WHERE state = 'pending' AND attempts = 0")" = 3 ]
	AIOPS_NOW=2026-11-22T12:30:00Z run -0 aiops-notify --flush --config "$BATS_TEST_TMPDIR/c.yaml"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/file.ndjson")" = 2 ]
	AIOPS_NOW=2026-11-22T13:01:00Z run -0 aiops-notify --flush --config "$BATS_TEST_TMPDIR/c.yaml"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/file.ndjson")" = 4 ]
	AIOPS_NOW=2026-11-22T14:01:00Z run -0 aiops-notify --flush --config "$BATS_TEST_TMPDIR/c.yaml"
	[ "$(jq -r '.groupKey' "$BATS_TEST_TMPDIR/file.ndjson" | sort -u | wc -l)" = 5 ]
	printf 'notify:\n  receivers:\n    - name: f\n      rate_limit: lots\n  route:\n    receiver: f\n' > "$BATS_TEST_TMPDIR/c.yaml"
	run -78 aiops-notify --config "$BATS_TEST_TMPDIR/c.yaml" --flush
	[[ $output == *"c.yaml:4: notify.receivers.0.rate_limit: expected a count per duration (10/1m)"* ]]
}
