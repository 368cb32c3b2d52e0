#!/usr/bin/env bats
# aiops-ingest --listen: the HTTP APIs, who may write, the journal that
# makes a 2xx durable, and hostile clients. Real servers on 127.0.0.1 only.

load test_helper

setup() {
	CFG="$BATS_TEST_TMPDIR/aiops.yaml"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	ERR="$BATS_TEST_TMPDIR/err.txt"
	BODY="$BATS_TEST_TMPDIR/body"
	: > "$CFG"
	NOW_S=$(date -d "$AIOPS_NOW" +%s)
}

teardown() {
	local p
	for p in ${LPID:-} ${APID:-}; do
		kill -9 "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
}

# start [ARGS...]: the listener on a port the kernel chooses; sets LPID, URL.
start() {
	aiops-ingest --listen 127.0.0.1:0 -v --config "$CFG" "$@" > "$OUT" 2> "$ERR" &
	LPID=$!
	listen_port
}

# Waits for the listener to say its port in $ERR; sets PORT and URL. The
# background job makes $ERR itself: it may not be there yet.
listen_port() {
	local i
	PORT=
	for i in $(seq 200); do
		PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$ERR" 2> /dev/null) || true
		[ -n "$PORT" ] && break
		sleep 0.05
	done
	[ -n "$PORT" ]
	URL="http://127.0.0.1:$PORT"
}

# Ends the listener with SIGTERM and checks that it exits 0.
stop() {
	kill -TERM "$LPID"
	wait "$LPID"
	LPID=
}

# token NAME SCOPE...: a new token's text.
token() {
	local name=$1 s args=()
	shift
	for s in "$@"; do args+=(--scope "$s"); done
	aiops-ingest token add "$name" "${args[@]}" | tail -1
}

# post PATH CURL-ARGS...: the status code; the body is in $BODY.
post() {
	local path=$1
	shift
	curl -s -o "$BODY" -w '%{http_code}' -XPOST "$URL$path" "$@"
}

get() {
	local path=$1
	shift
	curl -s -o "$BODY" -w '%{http_code}' "$URL$path" "$@"
}

q() { sqlite3 "$AIOPS_STATE" "$@"; }

points() { q 'SELECT count(*) FROM points'; }

# hmac SECRET MESSAGE: lowercase hex HMAC-SHA256.
hmac() {
	/usr/bin/python3 -c 'import hashlib, hmac, sys
print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())' "$1" "$2"
}

secret_file() {
	printf '%s\n' "$2" > "$BATS_TEST_TMPDIR/$1"
	chmod 600 "$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

@test "listen: line protocol is committed, journaled and written out before the 204" {
	tok=$(token telegraf write)
	start
	[ "$(post '/api/v2/write?org=o&bucket=b&precision=s' -H "Authorization: Token $tok" \
	    --data-binary $'cpu,host=web-1 usage_user=12.5,usage_system=3 1795348800\nmem,host=web-1 used_percent=61 1795348800\n')" = 204 ]
	[ ! -s "$BODY" ]
	# Answered means committed: the state has it before the listener stops.
	[ "$(points)" = 3 ]
	[ "$(q "SELECT sum(n) || ' ' || min(endpoint) || ' ' || min(token) FROM ingest_journal")" = "3 write telegraf" ]
	stop
	[ "$(jq -r '[.type, .host, .name, .value, .ts] | join(" ")' "$OUT")" = "metric web-1 cpu_usage_user 12.5 2026-11-22T12:00:00.000Z
metric web-1 cpu_usage_system 3 2026-11-22T12:00:00.000Z
metric web-1 mem_used_percent 61 2026-11-22T12:00:00.000Z" ]
	[ "$(q "SELECT seq FROM ingest_cursors WHERE name = 'listen'")" = 3 ]
	[ "$(stat -c %a "$AIOPS_STATE")" = 600 ]
	# The request's three events are numbered 1 to 3: a replay may start within it.
	[ "$(aiops-ingest --replay --from-seq 2 | jq -r .name | paste -sd,)" = cpu_usage_system,mem_used_percent ]
	[ "$(aiops-ingest --replay --from-seq 4 | wc -l)" = 0 ]
}

@test "listen: precision in the query, and a gzip body" {
	tok=$(token telegraf write)
	start
	[ "$(printf 'cpu,host=a v=1 1795348800123\n' | gzip |
	    post '/api/v2/write?precision=ms' -H "Authorization: Token $tok" \
	    -H 'Content-Encoding: gzip' --data-binary @-)" = 204 ]
	[ "$(post '/api/v2/write?precision=fortnights' -H "Authorization: Token $tok" \
	    --data-binary 'cpu,host=a v=1 1')" = 400 ]
	jq -e '.code == "invalid" and (.message | test("precision"))' "$BODY"
	[ "$(printf 'not gzip' | post /api/v2/write -H "Authorization: Token $tok" \
	    -H 'Content-Encoding: gzip' --data-binary @-)" = 400 ]
	[ "$(post /api/v2/write -H "Authorization: Token $tok" -H 'Content-Encoding: br' \
	    --data-binary 'cpu v=1')" = 415 ]
	stop
	[ "$(jq -r .ts "$OUT")" = 2026-11-22T12:00:00.123Z ]
}

@test "listen: no token, a bad one, one of another scope, a revoked one: refused and nothing kept" {
	w=$(token writer write)
	a=$(token alerter alerts)
	start
	lp='cpu,host=a v=1 1795348800'
	[ "$(post /api/v2/write --data-binary "$lp")" = 401 ]
	jq -e '.code == "unauthorized"' "$BODY"
	[ "$(curl -s -o /dev/null -D - -XPOST "$URL/api/v2/write" --data-binary "$lp" |
	    grep -ci '^WWW-Authenticate: Bearer')" = 1 ]
	[ "$(post /api/v2/write -H "Authorization: Token ${w%?}x" --data-binary "$lp")" = 401 ]
	[ "$(post /api/v2/write -H 'Authorization: Token aiops_000000000000_nope' --data-binary "$lp")" = 401 ]
	[ "$(post /api/v2/write -H "Authorization: Basic $w" --data-binary "$lp")" = 401 ]
	[ "$(post /api/v2/write -H "Authorization: Bearer $a" --data-binary "$lp")" = 403 ]
	[ "$(post /api/v2/write -H "Authorization: Bearer $w" --data-binary "$lp")" = 204 ]
	# Revoked by another program: refused within seconds, no restart.
	aiops-ingest token revoke writer
	for i in $(seq 50); do
		[ "$(post /api/v2/write -H "Authorization: Bearer $w" --data-binary "$lp")" = 401 ] && break
		sleep 0.1
	done
	[ "$(post /api/v2/write -H "Authorization: Bearer $w" --data-binary "$lp")" = 401 ]
	stop
	# Only what was let in: the first write, and those before the revocation was seen.
	[ "$(q 'SELECT coalesce(sum(n), 0) FROM ingest_journal')" = "$(wc -l < "$OUT")" ]
	[ "$(q "SELECT coalesce(sum(n), 0) FROM ingest_journal WHERE token != 'writer'")" = 0 ]
	# The secret is in no message.
	! grep -qF "${w#aiops_????????????_}" "$ERR"
}

@test "listen: with auth off, no token is needed; the listener says so when none exists" {
	start
	grep -q 'no token may write yet' "$ERR"
	stop
	printf 'ingest:\n  listen:\n    auth: false\n' > "$CFG"
	start
	[ "$(post /api/v2/write --data-binary 'cpu,host=a v=1 1795348800')" = 204 ]
	stop
	! grep -q 'no token may write yet' "$ERR"
}

@test "listen: bad lines are named in a 400 (a partial write) and the good ones kept" {
	tok=$(token t write)
	start
	[ "$(post '/api/v2/write?precision=s' -H "Authorization: Token $tok" \
	    --data-binary $'cpu,host=a v=1 1795348800\ncpu,host=a 1795348800\ncpu,host=b v=2 1795348800\n')" = 400 ]
	jq -e '.code == "invalid" and (.message | test("^partial write: 1 bad, 2 events kept: line 2: "))' "$BODY"
	[ "$(post /api/v2/write -H "Authorization: Token $tok" --data-binary 'garbage')" = 400 ]
	jq -e '.message | test("^nothing written")' "$BODY"
	stop
	[ "$(jq -r .host "$OUT" | paste -sd,)" = a,b ]
	[ "$(points)" = 2 ]
}

@test "listen: bodies too large, gzip bombs and slow clients are refused; it keeps serving" {
	tok=$(token t write)
	printf 'ingest:\n  listen:\n    max_body: 64KiB\n    timeout: 1s\n' > "$CFG"
	start
	head -c 100000 /dev/zero | tr '\0' 'x' > "$BATS_TEST_TMPDIR/big"
	[ "$(post /api/v2/write -H "Authorization: Token $tok" --data-binary @"$BATS_TEST_TMPDIR/big")" = 413 ]
	# Chunked, with no length declared up front.
	[ "$(post /api/v2/write -H "Authorization: Token $tok" -H 'Transfer-Encoding: chunked' \
	    --data-binary @"$BATS_TEST_TMPDIR/big")" = 413 ]
	# 10 MB of zeros are 10 kB of gzip.
	head -c 10000000 /dev/zero | gzip > "$BATS_TEST_TMPDIR/bomb.gz"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/bomb.gz")" -lt 65536 ]
	[ "$(post /api/v2/write -H "Authorization: Token $tok" -H 'Content-Encoding: gzip' \
	    --data-binary @"$BATS_TEST_TMPDIR/bomb.gz")" = 413 ]
	# Headers past the connection's 32 KiB.
	[ "$(get /health -H "X-Padding: $(head -c 40000 /dev/zero | tr '\0' a)")" = 431 ]
	# A client that never ends its headers (slowloris) is dropped after the
	# timeout, and others are served meanwhile.
	/usr/bin/python3 - "$PORT" > "$BATS_TEST_TMPDIR/slow" <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /api/v2/write HTTP/1.1\r\nHost: x\r\n")
t = time.time()
s.settimeout(10)
try:
    while s.recv(4096):
        pass
except OSError:
    pass
print("closed after %.1f" % (time.time() - t))
EOF
	slow=$!
	[ "$(get /health)" = 200 ]
	[ "$(post /api/v2/write -H "Authorization: Token $tok" --data-binary 'cpu,host=a v=1 1795348800')" = 204 ]
	wait "$slow"
	awk '{ exit !($3 < 5) }' "$BATS_TEST_TMPDIR/slow"
	[ "$(get /health)" = 200 ]
	stop
	[ "$(points)" = 1 ]
}

@test "listen: Alertmanager's push API, as Prometheus sends alerts: firing until endsAt, then resolved" {
	tok=$(token prom alerts)
	start
	[ "$(post /api/v2/alerts -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	    -d '[{"labels":{"alertname":"DiskFull","instance":"db-3:9100","severity":"critical"},"annotations":{"summary":"disk full"},"startsAt":"2026-11-22T11:50:00Z","endsAt":"2026-11-22T12:04:00Z","generatorURL":"http://prom/graph"}]')" = 200 ]
	[ "$(q "SELECT alertname, status, host, severity FROM alerts")" = "DiskFull|firing|db-3|critical" ]
	# No endsAt: firing for the resolve_timeout (5m).
	[ "$(post /api/v2/alerts -H "Authorization: Bearer $tok" -d '[{"labels":{"alertname":"Down","host":"web-1"}}]')" = 200 ]
	[ "$(q "SELECT (ends_at - starts_at) / 1000 FROM alerts WHERE alertname = 'Down'")" = 300 ]
	# An endsAt already past resolves it.
	[ "$(post /api/v2/alerts -H "Authorization: Bearer $tok" \
	    -d '[{"labels":{"alertname":"DiskFull","instance":"db-3:9100","severity":"critical"},"startsAt":"2026-11-22T11:50:00Z","endsAt":"2026-11-22T11:59:00Z"}]')" = 200 ]
	[ "$(q "SELECT status FROM alerts WHERE alertname = 'DiskFull'")" = resolved ]
	# Malformed: 400, nothing kept.
	[ "$(post /api/v2/alerts -H "Authorization: Bearer $tok" -d '{"labels":{}}')" = 400 ]
	[ "$(post /api/v2/alerts -H "Authorization: Bearer $tok" -d '[{"labels":{"alertname":"X"},"startsAt":"yesterday"}]')" = 400 ]
	[ "$(post /api/v2/alerts -H "Authorization: Bearer $tok" -d '[{"labels":{"alertname":')" = 400 ]
	stop
	[ "$(jq -r '[.alertname, .status] | join(" ")' "$OUT" | paste -sd,)" = "DiskFull firing,Down firing,DiskFull resolved" ]
	[ "$(q 'SELECT count(*) FROM alerts')" = 2 ]
}

@test "listen: Alertmanager webhooks (version 4) are stored as alerts" {
	tok=$(token am alerts)
	start
	while IFS= read -r payload; do
		[ "$(post /webhooks/alertmanager -H "Authorization: Bearer $tok" -d "$payload")" = 202 ]
	done < "$SAMPLES/alerts.ndjson"
	stop
	[ "$(jq -s 'length' "$OUT")" = "$(aiops-ingest -f alertmanager "$SAMPLES/alerts.ndjson" | wc -l)" ]
	[ "$(q 'SELECT count(*) FROM alerts')" -gt 0 ]
}

@test "listen: Sentry webhooks are taken only with Sentry-Hook-Signature right" {
	tok=$(token x '*')
	sec=$(secret_file sentry.secret 's3ntry-client-secret')
	printf 'ingest:\n  listen:\n    sentry:\n      secret_file: %s\n' "$sec" > "$CFG"
	start
	body=$(cat "$FIXTURES/ingest/sentry-alert.json")
	sig=$(hmac s3ntry-client-secret "$body")
	[ "$(post /webhooks/sentry -H "Sentry-Hook-Signature: $sig" -H 'Sentry-Hook-Resource: event_alert' \
	    --data-binary "$body")" = 202 ]
	[ "$(post /webhooks/sentry -H "Sentry-Hook-Signature: $(hmac wrong "$body")" --data-binary "$body")" = 401 ]
	[ "$(post /webhooks/sentry --data-binary "$body")" = 401 ]
	# A bearer token does not stand in for the signature.
	[ "$(post /webhooks/sentry -H "Authorization: Bearer $tok" --data-binary "$body")" = 401 ]
	stop
	[ "$(jq -s 'length' "$OUT")" = 1 ]
	jq -e '.type == "log" and .source == "sentry"' "$OUT"
	! grep -q s3ntry-client-secret "$ERR"
}

@test "listen: generic webhooks are checked with the aiops signature: stale, forged and replayed ones refused" {
	sec=$(secret_file dc2.secret 'dc2-signing-secret')
	printf 'ingest:\n  listen:\n    generic:\n      dc2:\n        secret_file: %s\n' "$sec" > "$CFG"
	start
	body='{"type":"log","ts":"2026-11-22T11:59:00Z","host":"db-3","message":"disk almost full","severity":"warning"}'
	sig="v1=$(hmac dc2-signing-secret "$NOW_S.$body")"
	[ "$(post /webhooks/generic/dc2 -H "X-Aiops-Timestamp: $NOW_S" -H "X-Aiops-Signature: $sig" \
	    --data-binary "$body")" = 202 ]
	# The same request again: a replay.
	[ "$(post /webhooks/generic/dc2 -H "X-Aiops-Timestamp: $NOW_S" -H "X-Aiops-Signature: $sig" \
	    --data-binary "$body")" = 409 ]
	# Signed with a key rotation: one of two signatures is ours.
	ts=$((NOW_S - 10))
	[ "$(post /webhooks/generic/dc2 -H "X-Aiops-Timestamp: $ts" \
	    -H "X-Aiops-Signature: v1=$(hmac old "$ts.$body"),v1=$(hmac dc2-signing-secret "$ts.$body")" \
	    --data-binary "$body")" = 202 ]
	old=$((NOW_S - 301))
	[ "$(post /webhooks/generic/dc2 -H "X-Aiops-Timestamp: $old" \
	    -H "X-Aiops-Signature: v1=$(hmac dc2-signing-secret "$old.$body")" --data-binary "$body")" = 401 ]
	jq -e '.message | test("window")' "$BODY"
	[ "$(post /webhooks/generic/dc2 -H "X-Aiops-Timestamp: $NOW_S" \
	    -H "X-Aiops-Signature: v1=$(hmac forged "$NOW_S.$body")" --data-binary "$body")" = 401 ]
	[ "$(post /webhooks/generic/dc2 --data-binary "$body")" = 401 ]
	# A source with no secret configured, and one that is not a name.
	[ "$(post /webhooks/generic/dc9 -H "X-Aiops-Timestamp: $NOW_S" -H "X-Aiops-Signature: $sig" \
	    --data-binary "$body")" = 404 ]
	[ "$(post '/webhooks/generic/..%2Fx' --data-binary "$body")" = 404 ]
	stop
	# Events of another aiops keep their own fields; the journal says whence.
	[ "$(jq -r '[.type, .host, .message] | join(" ")' "$OUT" | sort -u)" = "log db-3 disk almost full" ]
	[ "$(wc -l < "$OUT")" = 2 ]
	[ "$(q 'SELECT DISTINCT endpoint FROM ingest_journal')" = generic/dc2 ]
}

@test "listen: /health, /ready and /metrics (read scope) in Prometheus text format" {
	w=$(token w write)
	r=$(token r read)
	start
	[ "$(get /health)" = 200 ]
	[ "$(get /ready)" = 200 ]
	[ "$(get /metrics)" = 401 ]
	[ "$(get /metrics -H "Authorization: Bearer $w")" = 403 ]
	[ "$(post /api/v2/write -H "Authorization: Token $w" --data-binary 'cpu,host=a v=1 1795348800')" = 204 ]
	[ "$(get /nowhere)" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -XDELETE "$URL/api/v2/write")" = 405 ]
	[ "$(get /metrics -H "Authorization: Bearer $r")" = 200 ]
	grep -qx 'aiops_ingest_http_requests_total{endpoint="write",code="204"} 1' "$BODY"
	grep -qx 'aiops_ingest_events_total 1' "$BODY"
	grep -qx 'aiops_ingest_journal_seq 1' "$BODY"
	# The toolkit's own parser reads it back.
	aiops-ingest -f prometheus "$BODY" | jq -es 'map(select(.name == "aiops_ingest_events_total")) | .[0].value == 1'
	stop
}

@test "listen: when standard output stalls, requests are taken up to the backlog, then 503 with Retry-After" {
	tok=$(token t write)
	printf 'ingest:\n  listen:\n    backlog: 100\n' > "$CFG"
	# A reader that never reads: the pipe fills and the writes block.
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	sleep 600 < "$BATS_TEST_TMPDIR/fifo" &
	APID=$!
	aiops-ingest --listen 127.0.0.1:0 -v --config "$CFG" > "$BATS_TEST_TMPDIR/fifo" 2> "$ERR" &
	LPID=$!
	listen_port
	/usr/bin/python3 -c 'for i in range(3000): print("cpu,host=h%d,core=c%d v=%d 1795348800" % (i, i, i))' > "$BATS_TEST_TMPDIR/lp"
	[ "$(post /api/v2/write -H "Authorization: Token $tok" --data-binary @"$BATS_TEST_TMPDIR/lp")" = 204 ]
	# The 3,000 events are more than a pipe holds: most are still to write.
	for i in $(seq 50); do
		[ "$(get /ready)" = 503 ] && break
		sleep 0.1
	done
	[ "$(get /ready)" = 503 ]
	[ "$(curl -s -o "$BODY" -D "$BATS_TEST_TMPDIR/h" -w '%{http_code}' -XPOST "$URL/api/v2/write" \
	    -H "Authorization: Token $tok" --data-binary 'cpu,host=z v=1 1795348800')" = 503 ]
	grep -qi '^Retry-After: 1' "$BATS_TEST_TMPDIR/h"
	[ "$(get /health)" = 200 ]
	kill -9 "$LPID" "$APID"
	wait "$LPID" "$APID" 2> /dev/null || true
	LPID= APID=
	# All of what was acknowledged is in the journal, for the next run.
	[ "$(q 'SELECT coalesce(sum(n), 0) FROM ingest_journal')" = 3000 ]
}

@test "listen: when the reader of its standard output goes away, it stops gracefully; nothing accepted is lost" {
	tok=$(token t write)
	{ rc=0; aiops-ingest --listen 127.0.0.1:0 -v --config "$CFG" 2> "$ERR" || rc=$?; echo $rc > "$BATS_TEST_TMPDIR/rc"; } |
	    head -n 1 > "$OUT" &
	listen_port
	for i in 1 2 3; do
		post /api/v2/write -H "Authorization: Token $tok" --data-binary "cpu,host=a v=$i $((NOW_S + i))" || true
		sleep 0.2
	done
	for i in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/rc" ] && break
		sleep 0.1
	done
	[ "$(cat "$BATS_TEST_TMPDIR/rc")" = 74 ]
	grep -q 'standard output' "$ERR"
	[ "$(wc -l < "$OUT")" = 1 ]
	# What was acknowledged is journaled; the next run writes out the rest.
	[ "$(q 'SELECT coalesce(sum(n), 0) FROM ingest_journal')" -ge 2 ]
	[ "$(aiops-ingest --replay --cursor listen | jq -r .value | head -n 1)" = 2 ]
}

@test "listen: a state locked past the busy timeout, or refusing a write: 503 with Retry-After and nothing kept, then it goes on" {
	tok=$(token t '*')
	start
	hold_lock
	[ "$(curl -s -o "$BODY" -D "$BATS_TEST_TMPDIR/h" -w '%{http_code}' -XPOST "$URL/api/v2/alerts" \
	    -H "Authorization: Bearer $tok" -d '[{"labels":{"alertname":"Lost","host":"a"}}]')" = 503 ]
	grep -qi '^Retry-After: 1' "$BATS_TEST_TMPDIR/h"
	[ "$(get /ready)" = 503 ]
	release_lock
	[ "$(post /api/v2/write -H "Authorization: Token $tok" --data-binary "cpu,host=a v=1 $NOW_S")" = 204 ]
	[ "$(get /ready)" = 200 ]
	# A write refused once the alert is parsed (as a full disk would): the
	# alert is not kept for the next commit either.
	q "CREATE TRIGGER no_alerts BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'no alerts today'); END"
	[ "$(post /api/v2/alerts -H "Authorization: Bearer $tok" \
	    -d '[{"labels":{"alertname":"Lost","host":"b"}}]')" = 503 ]
	grep -q 'no alerts today' "$ERR"
	q 'DROP TRIGGER no_alerts'
	[ "$(post /api/v2/write -H "Authorization: Token $tok" --data-binary "cpu,host=a v=2 $((NOW_S + 1))")" = 204 ]
	stop
	# Nothing of the refused requests was kept.
	[ "$(q "SELECT count(*) FROM alerts WHERE alertname = 'Lost'")" = 0 ]
	[ "$(q 'SELECT coalesce(sum(n), 0) FROM ingest_journal')" = 2 ]
	[ "$(jq -r .name "$OUT" | paste -sd,)" = cpu_v,cpu_v ]
}

@test "listen: rate limits per address answer 429 with Retry-After" {
	tok=$(token t write)
	printf 'ingest:\n  listen:\n    rate: 2\n' > "$CFG"
	start
	codes=
	for i in 1 2 3 4 5 6; do
		codes="$codes $(curl -s -o /dev/null -D "$BATS_TEST_TMPDIR/h$i" -w '%{http_code}' \
		    -XPOST "$URL/api/v2/write" -H "Authorization: Token $tok" \
		    --data-binary "cpu,host=a v=$i $((NOW_S + i))")"
	done
	[[ "$codes" == " 204 204"* ]]
	[[ "$codes" == *429* ]]
	# Each 429 says when to come back.
	[ "$(grep -l '^HTTP/1.1 429' "$BATS_TEST_TMPDIR"/h* | wc -l)" = \
	    "$(grep -li '^Retry-After: [1-9]' "$BATS_TEST_TMPDIR"/h* | wc -l)" ]
	stop
}

@test "listen: a restart writes out what a killed run had not, from the cursor; --replay from any point" {
	tok=$(token t write)
	start
	for i in 1 2 3; do
		[ "$(post '/api/v2/write?precision=s' -H "Authorization: Token $tok" --data-binary "cpu,host=a v=$i $((NOW_S + i))")" = 204 ]
	done
	stop
	[ "$(wc -l < "$OUT")" = 3 ]
	# Events journaled while the cursor is behind (as when a run is killed
	# between its commit and its write): the next run writes them first.
	q "UPDATE ingest_cursors SET seq = 1 WHERE name = 'listen'"
	start
	[ "$(post '/api/v2/write?precision=s' -H "Authorization: Token $tok" --data-binary "cpu,host=a v=4 $((NOW_S + 4))")" = 204 ]
	stop
	[ "$(jq -r .value "$OUT" | paste -sd,)" = 2,3,4 ]
	run aiops-ingest --replay --from-seq 3
	[ "$status" -eq 0 ]
	[ "$(jq -r .value <<< "$output" | paste -sd,)" = 3,4 ]
	[ "$(aiops-ingest --replay | jq -r .value | paste -sd,)" = 1,2,3,4 ]
	# A named cursor moves with each replay: a cron job gets each event once.
	[ "$(aiops-ingest --replay --cursor cron | wc -l)" = 4 ]
	[ "$(aiops-ingest --replay --cursor cron | wc -l)" = 0 ]
	run aiops-ingest --replay --from-seq 1 --cursor cron
	[ "$status" -eq 64 ]
	run aiops-ingest --replay extra-file
	[ "$status" -eq 64 ]
}

@test "listen: the journal's retention drops old events; sequence numbers never go back" {
	tok=$(token t write)
	AIOPS_NOW=2026-11-01T00:00:00Z start
	[ "$(post /api/v2/write -H "Authorization: Token $tok" --data-binary 'cpu,host=a v=1 1795348800')" = 204 ]
	stop
	printf 'ingest:\n  listen:\n    retention: 7d\n' > "$CFG"
	start
	for i in $(seq 50); do
		[ "$(q 'SELECT coalesce(sum(n), 0) FROM ingest_journal')" = 0 ] && break
		sleep 0.1
	done
	[ "$(q 'SELECT coalesce(sum(n), 0) FROM ingest_journal')" = 0 ]
	[ "$(post /api/v2/write -H "Authorization: Token $tok" --data-binary 'cpu,host=a v=2 1795348801')" = 204 ]
	stop
	[ "$(q 'SELECT seq FROM ingest_journal')" = 2 ]
	run --separate-stderr aiops-ingest --replay --from-seq 1
	[ "$(jq -r .value <<< "$output")" = 2 ]
	[[ "$stderr" == *"events 1 to 1 are past the retention"* ]]
}

@test "listen: kill -9 under load: every request answered 204 is in the state and on the replayed stream, once" {
	tok=$(token load write)
	start --store-only
	acks="$BATS_TEST_TMPDIR/acks"
	: > "$acks"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/writeload.py" "$URL" "$tok" "$acks" \
	    --clients 4 --points 20 --requests 400 &
	APID=$!
	for i in $(seq 200); do
		[ "$(wc -l < "$acks")" -ge 100 ] && break
		sleep 0.05
	done
	kill -9 "$LPID"
	LPID=
	wait "$APID" || true
	APID=
	n=$(wc -l < "$acks")
	[ "$n" -ge 100 ]
	# Every acknowledged request's 20 points on the replayed stream, each once.
	aiops-ingest --replay --from-seq 1 > "$BATS_TEST_TMPDIR/replay"
	jq -r '[.labels.client, (.value | tostring)] | join(" ")' "$BATS_TEST_TMPDIR/replay" |
	    grep -v ' null$' > "$BATS_TEST_TMPDIR/got" || true
	jq -r 'select(.name == "load_v") | "\(.labels.client) \(.value) \(.labels.k)"' "$BATS_TEST_TMPDIR/replay" |
	    sort | uniq -d > "$BATS_TEST_TMPDIR/dups"
	[ ! -s "$BATS_TEST_TMPDIR/dups" ]
	jq -r 'select(.name == "load_v") | "\(.labels.client) \(.value)"' "$BATS_TEST_TMPDIR/replay" |
	    sort | uniq -c | awk '$1 == 20 { print $2, $3 }' | sort > "$BATS_TEST_TMPDIR/whole"
	sort "$acks" | comm -23 - "$BATS_TEST_TMPDIR/whole" > "$BATS_TEST_TMPDIR/missing"
	[ ! -s "$BATS_TEST_TMPDIR/missing" ]
	# And in the state: each acknowledged request's points.
	q "SELECT json_extract(s.labels, '$.client') || ' ' || CAST(p.value AS INTEGER)
	    FROM points p JOIN series s ON s.id = p.series_id WHERE s.name = 'load_v'" |
	    sort | uniq -c | awk '$1 == 20 { print $2, $3 }' | sort > "$BATS_TEST_TMPDIR/stored"
	sort "$acks" | comm -23 - "$BATS_TEST_TMPDIR/stored" > "$BATS_TEST_TMPDIR/unstored"
	[ ! -s "$BATS_TEST_TMPDIR/unstored" ]
}

@test "listen: SIGTERM ends it gracefully: what was acknowledged is written out, exit 0" {
	tok=$(token t write)
	start
	acks="$BATS_TEST_TMPDIR/acks"
	: > "$acks"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/writeload.py" "$URL" "$tok" "$acks" \
	    --clients 2 --points 5 --requests 200 &
	APID=$!
	for i in $(seq 200); do
		[ "$(wc -l < "$acks")" -ge 20 ] && break
		sleep 0.05
	done
	stop
	wait "$APID" || true
	APID=
	# Every acknowledged point is on standard output.
	[ "$(jq -r 'select(.name == "load_v") | "\(.labels.client) \(.value)"' "$OUT" | sort | uniq -c |
	    awk '$1 == 5 { print $2, $3 }' | sort | comm -13 - <(sort "$acks") | wc -l)" = 0 ]
}

@test "listen: HTTPS with a certificate and key from files" {
	command -v openssl > /dev/null || skip "openssl is not installed"
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
	    -keyout "$BATS_TEST_TMPDIR/key.pem" -out "$BATS_TEST_TMPDIR/cert.pem" 2> /dev/null
	chmod 600 "$BATS_TEST_TMPDIR/key.pem"
	printf 'ingest:\n  listen:\n    tls:\n      cert: %s\n      key: %s\n' \
	    "$BATS_TEST_TMPDIR/cert.pem" "$BATS_TEST_TMPDIR/key.pem" > "$CFG"
	tok=$(token t write)
	start
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/cert.pem" \
	    "https://localhost:$PORT/health")" = 200 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$BATS_TEST_TMPDIR/cert.pem" -XPOST \
	    "https://localhost:$PORT/api/v2/write" -H "Authorization: Token $tok" \
	    --data-binary 'cpu,host=a v=1 1795348800')" = 204 ]
	stop
	[ "$(points)" = 1 ]
}

@test "listen: bad settings are clear errors" {
	run aiops-ingest --listen nowhere
	[ "$status" -eq 69 ]
	[[ "$output" == *"--listen nowhere: not ADDRESS:PORT"* ]]
	run aiops-ingest --listen 127.0.0.1:1 --follow x
	[ "$status" -eq 64 ]
	run aiops-ingest --listen 127.0.0.1:0 file.lp
	[ "$status" -eq 64 ]
	printf 'ingest:\n  listen:\n    tls:\n      cert: /nonexistent.pem\n' > "$CFG"
	run aiops-ingest --listen 127.0.0.1:0 --config "$CFG"
	[ "$status" -eq 66 ]
	# A port in use.
	: > "$CFG"
	start
	run aiops-ingest --listen "127.0.0.1:$PORT"
	[ "$status" -eq 69 ]
	stop
}

# wait_for COMMAND...: until it succeeds, 20 s at most.
wait_for() {
	local i
	for i in $(seq 200); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

@test "listen: the real Alertmanager sends its webhooks here, with a bearer token from a file" {
	command -v prometheus-alertmanager > /dev/null || skip "no prometheus-alertmanager"
	token am alerts > "$BATS_TEST_TMPDIR/am.token"
	chmod 600 "$BATS_TEST_TMPDIR/am.token"
	start
	d="$BATS_TEST_TMPDIR/am"
	mkdir -p "$d"
	cat > "$d/am.yml" <<-YAML
	route:
	  receiver: aiops
	  group_by: [alertname]
	  group_wait: 0s
	receivers:
	  - name: aiops
	    webhook_configs:
	      - url: $URL/webhooks/alertmanager
	        send_resolved: true
	        http_config:
	          authorization:
	            type: Bearer
	            credentials_file: $BATS_TEST_TMPDIR/am.token
	YAML
	amport=$(free_port)
	prometheus-alertmanager --config.file="$d/am.yml" --storage.path="$d" \
	    --web.listen-address="127.0.0.1:$amport" --cluster.listen-address= \
	    --log.level=warn > "$d/log" 2>&1 &
	APID=$!
	wait_for curl -fs "http://127.0.0.1:$amport/-/ready" -o /dev/null
	curl -fs -XPOST "http://127.0.0.1:$amport/api/v2/alerts" -H 'Content-Type: application/json' \
	    -d '[{"labels":{"alertname":"DiskFull","host":"db-3","severity":"critical"},"annotations":{"summary":"/var is full"}}]'
	wait_for grep -q DiskFull "$OUT"
	stop
	jq -e 'select(.alertname == "DiskFull") | .status == "firing" and .host == "db-3" and .receiver == "aiops" and .source == "alertmanager"' "$OUT"
	[ "$(q "SELECT status FROM alerts WHERE alertname = 'DiskFull'")" = firing ]
	[ "$(q "SELECT DISTINCT endpoint || ' ' || token FROM ingest_journal")" = "alertmanager am" ]
}

@test "listen: the real Prometheus pushes its alerts here through the Alertmanager API" {
	command -v prometheus > /dev/null || skip "no prometheus"
	token prom alerts > "$BATS_TEST_TMPDIR/prom.token"
	chmod 600 "$BATS_TEST_TMPDIR/prom.token"
	start
	d="$BATS_TEST_TMPDIR/prom"
	mkdir -p "$d"
	cat > "$d/rules.yml" <<-YAML
	groups:
	  - name: t
	    interval: 1s
	    rules:
	      - alert: AlwaysFiring
	        expr: vector(1)
	        labels: {severity: warning, host: db-3}
	        annotations: {summary: "always"}
	YAML
	cat > "$d/prom.yml" <<-YAML
	global: {evaluation_interval: 1s}
	rule_files: [$d/rules.yml]
	alerting:
	  alertmanagers:
	    - api_version: v2
	      static_configs: [{targets: ["127.0.0.1:$PORT"]}]
	      authorization:
	        type: Bearer
	        credentials_file: $BATS_TEST_TMPDIR/prom.token
	YAML
	pport=$(free_port)
	prometheus --config.file="$d/prom.yml" --storage.tsdb.path="$d/data" \
	    --web.listen-address="127.0.0.1:$pport" --rules.alert.resend-delay=1s \
	    --log.level=warn > "$d/log" 2>&1 &
	APID=$!
	wait_for grep -q AlwaysFiring "$OUT"
	stop
	jq -es 'map(select(.alertname == "AlwaysFiring")) | .[0] | .status == "firing" and .host == "db-3"
	    and (.generator_url | test("^http://")) and .ends_at > .starts_at' "$OUT"
	[ "$(q "SELECT status FROM alerts WHERE alertname = 'AlwaysFiring'")" = firing ]
	[ "$(q "SELECT DISTINCT endpoint || ' ' || token FROM ingest_journal")" = "alerts prom" ]
}
