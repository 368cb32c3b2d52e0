#!/usr/bin/env bats
# aiops-ingest poll: Debian's prometheus and prometheus-node-exporter on
# 127.0.0.1 (one node exporter, two Prometheus servers as two registered
# clusters), and local servers checking the contracts of the Datadog logs
# search, the Splunk search export and a Prometheus behind a proxy that
# wants a bearer token (tests/helpers/polld.py).

load test_helper

PROMETHEUS=/usr/bin/prometheus
NODE_EXPORTER=/usr/bin/prometheus-node-exporter

setup() {
	PIDS=()
	TOKEN="tok-$RANDOM$RANDOM"
	printf '%s\n' "$TOKEN" > "$BATS_TEST_TMPDIR/token"
	chmod 600 "$BATS_TEST_TMPDIR/token"
	export AIOPS_CONFIG="$BATS_TEST_TMPDIR/aiops.yaml"
	printf 'ingest: {}\n' > "$AIOPS_CONFIG"
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
}

need_prometheus() {
	[ -x "$PROMETHEUS" ] && [ -x "$NODE_EXPORTER" ] ||
		skip "Debian's prometheus and prometheus-node-exporter are not installed"
}

# Waits until URL answers 200 (10 s at most).
wait_url() {
	local i
	for i in $(seq 200); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "$1 never answered" >&2
	return 1
}

# A node exporter on a free port ($NODE_PORT), for 120 s at most.
start_node_exporter() {
	NODE_PORT=$(free_port)
	timeout 120 "$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NODE_PORT" \
	    --collector.disable-defaults --collector.loadavg --collector.meminfo \
	    > "$BATS_TEST_TMPDIR/node.log" 2>&1 &
	PIDS+=($!)
	wait_url "http://127.0.0.1:$NODE_PORT/metrics"
}

# A Prometheus N scraping the node exporter every second: its port in PROM_PORT[N].
start_prometheus() {
	local n=$1 port dir="$BATS_TEST_TMPDIR/prom$1"
	port=$(free_port)
	mkdir -p "$dir"
	cat > "$dir/prometheus.yml" <<-EOF
	global: { scrape_interval: 1s, evaluation_interval: 1s }
	scrape_configs:
	  - job_name: node
	    static_configs: [{ targets: ['127.0.0.1:$NODE_PORT'] }]
	EOF
	timeout 120 "$PROMETHEUS" --config.file="$dir/prometheus.yml" \
	    --storage.tsdb.path="$dir/data" --web.listen-address="127.0.0.1:$port" \
	    > "$dir/log" 2>&1 &
	PIDS+=($!)
	PROM_PORT[$n]=$port
}

# Both Prometheus ready with at least two scrapes of the node exporter.
wait_scraped() {
	local port i
	for port in "$@"; do
		wait_url "http://127.0.0.1:$port/-/ready"
		for i in $(seq 200); do
			curl -fsS "http://127.0.0.1:$port/api/v1/query?query=count_over_time(up%5B1m%5D)" |
			    jq -e '.data.result[0].value[1] | tonumber >= 2' > /dev/null 2>&1 && break
			sleep 0.05
		done
	done
}

# Starts tests/helpers/polld.py MODE ARGS...: its port in PORT.
polld() {
	local f="$BATS_TEST_TMPDIR/port.$RANDOM" i
	/usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/polld.py" "$@" --timeout 60 > "$f" &
	PIDS+=($!)
	for i in $(seq 100); do
		[ -s "$f" ] && break
		sleep 0.05
	done
	PORT=$(cat "$f")
	[ -n "$PORT" ]
}

two_clusters() {
	need_prometheus
	start_node_exporter
	start_prometheus 1
	start_prometheus 2
	aiops-ingest cluster add --environment prod --type kubernetes \
	    --prometheus "http://127.0.0.1:${PROM_PORT[1]}" east > /dev/null
	aiops-ingest cluster add --environment staging --type kubernetes \
	    --prometheus "http://127.0.0.1:${PROM_PORT[2]}/" west > /dev/null
	wait_scraped "${PROM_PORT[1]}" "${PROM_PORT[2]}"
}

@test "a range query federated over two clusters: the node exporter's series once per cluster, labelled; --store" {
	two_clusters
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    queries:
	      - { query: 'node_load1', range: 30s, step: 1s }
	      - { query: 'up{job="node"}' }
	      - { query: 'scalar(count(up))', name: targets }
	EOF
	run --separate-stderr aiops-ingest poll --store
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ -z "$stderr" ]
	# Range: one series per cluster, several points each, labelled with it.
	echo "$output" | jq -s -e '[.[] | select(.name == "node_load1")] |
	    (map(.cluster) | unique) == ["east", "west"] and
	    all(.labels.cluster == .cluster and .labels.job == "node" and
	        .source == "promql" and .type == "metric" and (.value | type) == "number") and
	    (group_by(.cluster) | all(length >= 2)) and
	    (group_by(.cluster) | map(map(.labels | tostring) | unique | length) == [1, 1])'
	echo "$output" | jq -s -e --arg i "127.0.0.1:$NODE_PORT" \
	    '[.[] | select(.name == "node_load1")] | all(.labels.instance == $i)'
	# Instant: up == 1 once per cluster; the scalar under its name.
	echo "$output" | jq -s -e '[.[] | select(.name == "up")] |
	    length == 2 and all(.value == 1) and (map(.labels.cluster) | sort) == ["east", "west"]'
	echo "$output" | jq -s -e '[.[] | select(.name == "targets")] |
	    length == 2 and all(.value == 1 and .labels == {"cluster": .cluster})'
	# --store: the points in the state, a series per cluster.
	local n
	n=$(echo "$output" | jq -s '[.[] | select(.name == "node_load1")] | length')
	run sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM series WHERE name = 'node_load1';
	    SELECT count(*) FROM points JOIN series ON series.id = series_id WHERE name = 'node_load1';
	    SELECT count(*) FROM series WHERE name = 'up' AND labels LIKE '%\"cluster\":\"west\"%';"
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = "$n" ]
	[ "${lines[2]}" = 1 ]
}

@test "a cluster whose Prometheus is down: exit 1, a warning naming it, the others still come out" {
	two_clusters
	aiops-ingest cluster add --environment dev --type baremetal \
	    --prometheus "http://127.0.0.1:$(free_port)" gone > /dev/null
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    timeout: 3s
	    queries:
	      - { query: 'up' }
	      - { query: 'bad(' }
	    scrapes:
	      - { url: 'http://127.0.0.1:$NODE_PORT/metrics', host: node1 }
	EOF
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 1 ]
	[[ $stderr == *"query up on cluster gone: "*"Couldn't connect"* ]]
	# Prometheus's own error, per cluster that answered.
	[[ $stderr == *"query bad( on cluster east: HTTP 400: Prometheus answered bad_data: "*"parse error"* ]]
	[[ $stderr == *"query bad( on cluster west: HTTP 400: Prometheus answered bad_data: "* ]]
	echo "$output" | jq -s -e '[.[] | select(.name == "up" and .source == "promql")] |
	    (map(.cluster) | sort) == ["east", "west"]'
	# The scrape: the exposition parser, the target's host.
	echo "$output" | jq -s -e '[.[] | select(.source == "prometheus")] |
	    length > 0 and all(.host == "node1") and any(.name == "node_load1")'
}

@test "a cluster's credential file: the bearer token sent, never shown; a wrong one fails with a warning" {
	cp -p "$BATS_TEST_TMPDIR/token" "$BATS_TEST_TMPDIR/server-token"
	polld prom --key-file "$BATS_TEST_TMPDIR/server-token" --log "$BATS_TEST_TMPDIR/log"
	aiops-ingest cluster add --environment prod --type kubernetes \
	    --prometheus "http://127.0.0.1:$PORT" --prometheus-credentials "$BATS_TEST_TMPDIR/token" \
	    proxied > /dev/null
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    queries:
	      - { query: 'up' }
	      - { query: 'up', range: 1m }
	EOF
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(jq -s 'map(select(.auth_ok)) | length' "$BATS_TEST_TMPDIR/log")" = 2 ]
	# The series' own cluster label is kept as exported_cluster.
	echo "$output" | jq -s -e '.[0] | .cluster == "proxied" and .labels.cluster == "proxied" and
	    .labels.exported_cluster == "inner" and .value == 1'
	# Range: a NaN sample makes no event, and is counted.
	echo "$output" | jq -s -e '[.[] | select(.labels.exported_cluster == null)] | map(.value) == [1, 0]'
	[[ $stderr == *"1 sample not written: the value is NaN or infinite"* ]]
	printf 'wrong-%s\n' "$TOKEN" > "$BATS_TEST_TMPDIR/token"
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 1 ]
	[[ $stderr == *"query up on cluster proxied: "*"401"* ]]
	[[ $stderr != *"$TOKEN"* ]]
}

@test "a configured Prometheus with user:password: basic auth; a malformed answer is a warning" {
	polld prom --key-file "$BATS_TEST_TMPDIR/token" --malformed
	printf 'u:p\n' > "$BATS_TEST_TMPDIR/basic"
	chmod 600 "$BATS_TEST_TMPDIR/basic"
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    prometheus:
	      - { url: 'http://127.0.0.1:$PORT', name: lab, credentials: '$BATS_TEST_TMPDIR/token' }
	      - { url: 'http://127.0.0.1:$PORT', name: basic, credentials: '$BATS_TEST_TMPDIR/basic' }
	    queries:
	      - { query: 'up' }
	EOF
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ $stderr == *"query up on cluster lab: a malformed answer: a sample's value is not a string"* ]]
	[[ $stderr == *"query up on cluster basic: "*"401"* ]]
}

@test "Datadog logs search: the keys from files, the body's shape, every page by its cursor" {
	printf 'app-%s\n' "$RANDOM" > "$BATS_TEST_TMPDIR/app"
	chmod 600 "$BATS_TEST_TMPDIR/app"
	polld datadog --key-file "$BATS_TEST_TMPDIR/token" --app-key-file "$BATS_TEST_TMPDIR/app" \
	    --log "$BATS_TEST_TMPDIR/log"
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    datadog:
	      - url: 'http://127.0.0.1:$PORT'
	        name: checkout-errors
	        query: 'service:checkout status:error'
	        from: now-1h
	        indexes: [main]
	        limit: 2
	        api_key_file: '$BATS_TEST_TMPDIR/token'
	        app_key_file: '$BATS_TEST_TMPDIR/app'
	EOF
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 0 ] || { echo "$stderr"; cat "$BATS_TEST_TMPDIR/log"; false; }
	[ "${#lines[@]}" -eq 5 ]
	jq -s -e 'length == 3 and all(.keys_ok and .path == "/api/v2/logs/events/search" and
	    .method == "POST" and (.content_type | startswith("application/json"))) and
	    (map(.body | fromjson) | map(.page.cursor) == [null, "c2", "c3"] and
	     all(.filter == {"query": "service:checkout status:error", "from": "now-1h",
	         "to": "now", "indexes": ["main"]} and .page.limit == 2 and .sort == "timestamp"))' \
	    "$BATS_TEST_TMPDIR/log"
	echo "$output" | jq -s -e 'map(.message) == ["request 0 handled", "request 1 handled",
	    "request 2 handled", "request 3 handled", "request 4 handled"] and
	    map(.severity) == ["info", "error", "warning", "critical", "info"] and
	    all(.type == "log" and .source == "datadog" and .service == "checkout") and
	    .[0].host == "web-0" and .[0].ts == "2026-11-22T11:50:00.000Z" and
	    .[1].fields == {"id": "AAAA1", "tags": ["env:prod", "team:web"],
	        "attributes": {"http": {"status_code": 201}}}'
	# pages caps the cursors followed, and says so.
	printf '        pages: 2\n' >> "$AIOPS_CONFIG"
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ $stderr == *"datadog checkout-errors: stopped after 2 pages"* ]]
}

@test "Datadog with --every: each round's window starts where the last one that answered ended" {
	printf 'app-%s\n' "$RANDOM" > "$BATS_TEST_TMPDIR/app"
	chmod 600 "$BATS_TEST_TMPDIR/app"
	polld datadog --key-file "$BATS_TEST_TMPDIR/token" --app-key-file "$BATS_TEST_TMPDIR/app" \
	    --log "$BATS_TEST_TMPDIR/log"
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    datadog:
	      - url: 'http://127.0.0.1:$PORT'
	        query: 'status:error'
	        from: now-1h
	        api_key_file: '$BATS_TEST_TMPDIR/token'
	        app_key_file: '$BATS_TEST_TMPDIR/app'
	EOF
	timeout -s TERM 2.6 aiops-ingest poll --every 1s > /dev/null || [ $? -eq 124 ]
	# The first page of each round: the first asks the window configured,
	# each next one from the end of the one before, in epoch milliseconds.
	jq -s -e 'map(.body | fromjson | select(.page.cursor == null) | .filter) as $w |
	    ($w | length) >= 2 and $w[0].from == "now-1h" and $w[0].to == "now" and
	    all($w[1:][]; (.from | test("^[0-9]{13}$")) and (.to | test("^[0-9]{13}$")) and
	        (.to | tonumber) > (.from | tonumber)) and
	    ([range(2; $w | length)] | all(. as $i | $w[$i].from == $w[$i - 1].to))' \
	    "$BATS_TEST_TMPDIR/log"
}

@test "Datadog: a wrong key and a malformed answer are warnings naming the search, keys never shown" {
	printf 'app\n' > "$BATS_TEST_TMPDIR/app"
	chmod 600 "$BATS_TEST_TMPDIR/app"
	polld datadog --key-file "$BATS_TEST_TMPDIR/app" --app-key-file "$BATS_TEST_TMPDIR/app"
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    datadog:
	      - { url: 'http://127.0.0.1:$PORT', query: '*', api_key_file: '$BATS_TEST_TMPDIR/token',
	          app_key_file: '$BATS_TEST_TMPDIR/app' }
	EOF
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 1 ]
	[[ $stderr == *"datadog *: POST http://127.0.0.1:$PORT/api/v2/logs/events/search: "*403* ]]
	[[ $stderr != *"$TOKEN"* ]]
	polld datadog --key-file "$BATS_TEST_TMPDIR/token" --app-key-file "$BATS_TEST_TMPDIR/app" --malformed
	sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$PORT/" "$AIOPS_CONFIG"
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 1 ]
	[[ $stderr == *"datadog *: a malformed answer: not JSON"* ]]
}

@test "Splunk search export: the token from a file, the form, the streamed results as logs" {
	polld splunk --key-file "$BATS_TEST_TMPDIR/token" --auth splunk --log "$BATS_TEST_TMPDIR/log"
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    splunk:
	      - { url: 'http://127.0.0.1:$PORT/', search: 'index=main error', auth: splunk,
	          earliest: '-1h', token_file: '$BATS_TEST_TMPDIR/token' }
	EOF
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	jq -s -e '.[0] | .auth_ok and .method == "POST" and .path == "/services/search/jobs/export" and
	    (.content_type | startswith("application/x-www-form-urlencoded")) and
	    .form == {"search": "search index=main error", "output_mode": "json",
	        "earliest_time": "-1h", "latest_time": "now"}' "$BATS_TEST_TMPDIR/log"
	[ "${#lines[@]}" -eq 3 ]
	echo "$output" | jq -s -e 'all(.type == "log" and .source == "splunk" and .service == "app" and
	    .severity == "error" and .fields.source == "/var/log/app.log" and .fields.index == "main") and
	    map(.host) == ["db-0", "db-1", "db-2"] and .[1].ts == "2026-11-22T11:51:00.000Z" and
	    .[2].message == "2026-11-22 11:52:00 ERROR payment 2 failed"'
}

@test "Splunk: Bearer by default, a wrong token and a malformed stream are warnings" {
	cp -p "$BATS_TEST_TMPDIR/token" "$BATS_TEST_TMPDIR/server-token"
	polld splunk --key-file "$BATS_TEST_TMPDIR/server-token" --malformed
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    splunk:
	      - { url: 'http://127.0.0.1:$PORT', name: errs, search: '| search error',
	          token_file: '$BATS_TEST_TMPDIR/token' }
	EOF
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 1 ]
	[[ $stderr == *"splunk errs: a malformed answer: 2 lines not JSON objects, the first at line 1"* ]]
	printf 'other\n' > "$BATS_TEST_TMPDIR/token"
	run --separate-stderr aiops-ingest poll
	[ "$status" -eq 1 ]
	[[ $stderr == *"splunk errs: POST "*"401"* ]]
	[[ $stderr != *"$TOKEN"* ]]
}

@test "--every: a failing target backs off and is warned about once; SIGTERM ends it" {
	polld prom --key-file "$BATS_TEST_TMPDIR/token"
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    backoff: 1s
	    max_backoff: 2s
	    prometheus:
	      - { url: 'http://127.0.0.1:$PORT', name: ok, credentials: '$BATS_TEST_TMPDIR/token' }
	      - { url: 'http://127.0.0.1:$(free_port)', name: down }
	    queries:
	      - { query: 'up' }
	EOF
	aiops-ingest poll --every 300ms > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
	local pid=$!
	sleep 2.5
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 1 ]
	[ "$(grep -c 'query up on cluster down' "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	grep -q 'backing off' "$BATS_TEST_TMPDIR/err"
	[ "$(jq -s 'map(select(.cluster == "ok")) | length' "$BATS_TEST_TMPDIR/out")" -ge 4 ]
}

@test "configuration errors name the target and exit 78" {
	cat > "$AIOPS_CONFIG" <<-EOF
	ingest:
	  pollers:
	    queries:
	      - { query: 'up' }
	      - { qurey: 'up' }
	EOF
	run aiops-ingest poll
	[ "$status" -eq 78 ]
	[[ $output == *"ingest.pollers.queries[1]: unknown key 'qurey'"* ]]
	printf 'ingest:\n  pollers:\n    scrapes:\n      - { url: "http://u:p@h/metrics" }\n' > "$AIOPS_CONFIG"
	run aiops-ingest poll
	[ "$status" -eq 78 ]
	[[ $output == *"ingest.pollers.scrapes[0]: url: a user or password in the URL"* ]]
	printf 'ingest:\n  pollers:\n    queries:\n      - { query: up, range: 1d, step: 1s }\n' > "$AIOPS_CONFIG"
	run aiops-ingest poll
	[ "$status" -eq 78 ]
	[[ $output == *"queries[0]: range / step: more than 11000 points"* ]]
	printf 'ingest:\n  pollers:\n    datadog: { query: x }\n' > "$AIOPS_CONFIG"
	run aiops-ingest poll
	[ "$status" -eq 78 ]
	[[ $output == *"ingest.pollers.datadog: expected a list"* ]]
	printf 'ingest:\n  pollers:\n    splunk:\n      - { url: "http://h", search: x }\n' > "$AIOPS_CONFIG"
	run aiops-ingest poll
	[ "$status" -eq 78 ]
	[[ $output == *"ingest.pollers.splunk[0]: token_file: required"* ]]
}
