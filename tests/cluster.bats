#!/usr/bin/env bats
# aiops-ingest cluster: the registry, its filters and events, its health checks.

load test_helper

setup() {
	PIDS=()
	SECRET="s3cr3t-$RANDOM$RANDOM"
	printf '%s\n' "$SECRET" > "$BATS_TEST_TMPDIR/token"
	chmod 600 "$BATS_TEST_TMPDIR/token"
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
}

# Starts an endpoint (tests/helpers/readyd.py ARGS...) on 127.0.0.1: its port in $PORT.
readyd() {
	local f="$BATS_TEST_TMPDIR/port.$RANDOM" i
	/usr/bin/python3 "$BATS_TEST_DIRNAME/helpers/readyd.py" --timeout 60 "$@" > "$f" &
	PIDS+=($!)
	for i in $(seq 100); do
		[ -s "$f" ] && break
		sleep 0.05
	done
	PORT=$(cat "$f")
	[ -n "$PORT" ]
}

# A TCP port on 127.0.0.1 where nothing listens.
closed_port() {
	free_port
}

three() {
	aiops-ingest cluster add --environment prod --type kubernetes --label region=eu-west \
	    --label team=ml --gpu --prometheus http://127.0.0.1:9090 prod-eu
	aiops-ingest cluster add --environment staging --type openshift --label region=us-east \
	    --label team=web staging-us
	aiops-ingest cluster add --environment dev --type slurm --label region=eu-west --gpu \
	    --snmp 127.0.0.1:1161 dev.hpc_1
}

@test "add, list, show, remove: each change an event, the table aligned" {
	run three
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	echo "${lines[0]}" | jq -e '.type == "cluster" and .action == "registered" and
	    .name == "prod-eu" and .cluster == "prod-eu" and .environment == "prod" and
	    .cluster_type == "kubernetes" and .has_gpu == true and .status == "unknown" and
	    .source == "aiops-ingest" and .labels == {"region":"eu-west","team":"ml"} and
	    .ts == "2026-11-22T12:00:00.000Z" and (.id | test("^[0-9a-f]{16}$")) and
	    .endpoints.prometheus == "http://127.0.0.1:9090"'
	run aiops-ingest cluster list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NAME        ENVIRONMENT  TYPE        GPU  STATUS   ENDPOINTS   LABELS" ]
	[ "${lines[1]}" = "dev.hpc_1   dev          slurm       yes  unknown  snmp        region=eu-west" ]
	[ "${lines[2]}" = "prod-eu     prod         kubernetes  yes  unknown  prometheus  region=eu-west,team=ml" ]
	[ "${lines[3]}" = "staging-us  staging      openshift   no   unknown  -           region=us-east,team=web" ]
	run aiops-ingest cluster show prod-eu
	[ "$status" -eq 0 ]
	[[ $output == *"environment   prod"* ]]
	[[ $output == *"prometheus    http://127.0.0.1:9090"* ]]
	[[ $output == *"status        unknown"* ]]
	run aiops-ingest cluster show --json staging-us
	echo "$output" | jq -e '.name == "staging-us" and .type == "openshift" and
	    .has_gpu == false and .status == "unknown" and .failures == 0 and
	    .created == "2026-11-22T12:00:00.000Z"'
	run aiops-ingest cluster remove staging-us
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.action == "deleted" and .name == "staging-us" and .environment == "staging"'
	run aiops-ingest cluster list --json
	echo "$output" | jq -e 'map(.name) == ["dev.hpc_1", "prod-eu"]'
}

@test "the source documents' four events, each with its own id" {
	aiops-ingest cluster add --environment dev --type baremetal \
	    --prometheus "http://127.0.0.1:$(closed_port)" lab > "$BATS_TEST_TMPDIR/ev"
	aiops-ingest cluster update --environment staging --label rack=r1 lab >> "$BATS_TEST_TMPDIR/ev"
	printf 'ingest:\n  clusters:\n    offline_after: 1\n' > "$BATS_TEST_TMPDIR/c.yaml"
	aiops-ingest cluster check --config "$BATS_TEST_TMPDIR/c.yaml" lab \
	    >> "$BATS_TEST_TMPDIR/ev" 2>/dev/null
	aiops-ingest cluster remove lab >> "$BATS_TEST_TMPDIR/ev"
	run jq -c '[.action, .environment, .status, .previous]' "$BATS_TEST_TMPDIR/ev"
	[ "${lines[0]}" = '["registered","dev","unknown",null]' ]
	[ "${lines[1]}" = '["updated","staging","unknown",null]' ]
	[ "${lines[2]}" = '["status_changed","staging","offline","unknown"]' ]
	[ "${lines[3]}" = '["deleted","staging","offline",null]' ]
	[ "$(jq -r .id "$BATS_TEST_TMPDIR/ev" | sort -u | wc -l)" -eq 4 ]
	jq -e '.labels == {"rack":"r1"}' < <(sed -n 2p "$BATS_TEST_TMPDIR/ev")
}

@test "update changes only what it is given; labels are added and removed" {
	three > /dev/null
	run aiops-ingest cluster update --label tier=gpu --remove-label team --no-gpu \
	    --alertmanager http://127.0.0.1:9093 prod-eu
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.action == "updated" and .labels == {"region":"eu-west","tier":"gpu"} and
	    .has_gpu == false and .environment == "prod" and
	    .endpoints == {"alertmanager":"http://127.0.0.1:9093","prometheus":"http://127.0.0.1:9090"}'
	run aiops-ingest cluster update --prometheus '' prod-eu
	echo "$output" | jq -e '.endpoints == {"alertmanager":"http://127.0.0.1:9093"}'
	run aiops-ingest cluster show --json prod-eu
	echo "$output" | jq -e '.type == "kubernetes" and .labels.tier == "gpu"'
}

@test "list filters: environment, type, GPU, label selectors" {
	three > /dev/null
	names() { aiops-ingest cluster list --json "$@" | jq -r 'map(.name) | join(" ")'; }
	[ "$(names --environment prod)" = "prod-eu" ]
	[ "$(names --type slurm)" = "dev.hpc_1" ]
	[ "$(names --gpu)" = "dev.hpc_1 prod-eu" ]
	[ "$(names --no-gpu)" = "staging-us" ]
	[ "$(names -l region=eu-west)" = "dev.hpc_1 prod-eu" ]
	[ "$(names --selector 'region!=eu-west')" = "staging-us" ]
	[ "$(names -l 'team in (ml, web)')" = "prod-eu staging-us" ]
	[ "$(names -l 'team notin (ml)')" = "dev.hpc_1 staging-us" ]
	[ "$(names -l team)" = "prod-eu staging-us" ]
	[ "$(names -l '!team')" = "dev.hpc_1" ]
	[ "$(names -l 'region=eu-west,team' --gpu --environment prod)" = "prod-eu" ]
	[ "$(names -l 'region=nowhere')" = "" ]
	run aiops-ingest cluster list -l 'region=eu-west' --type kubernetes
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == prod-eu* ]]
	run aiops-ingest cluster list -l 'region in eu'
	[ "$status" -eq 64 ]
	[[ $output == *"--selector: '(' expected after in or notin, at byte 11"* ]]
}

@test "validation: names, environments, URLs, labels, unknown clusters, a name taken" {
	run aiops-ingest cluster add --environment qa --type k8s a
	[ "$status" -eq 64 ]
	[[ $output == *"--environment: prod, staging or dev"* ]]
	run aiops-ingest cluster add --environment dev --type k8s 'a b'
	[ "$status" -eq 64 ]
	[[ $output == *"a cluster name is 1 to 63"* ]]
	run aiops-ingest cluster add --environment dev --type k8s "$(printf 'x%.0s' $(seq 64))"
	[ "$status" -eq 64 ]
	run aiops-ingest cluster add --environment dev k8s
	[ "$status" -eq 64 ]
	[[ $output == *"--environment and --type are needed"* ]]
	run aiops-ingest cluster add --environment dev --type k8s --prometheus ftp://x a
	[ "$status" -eq 64 ]
	run aiops-ingest cluster add --environment dev --type k8s --prometheus http://u:pw@h:9090 a
	[ "$status" -eq 64 ]
	[[ $output == *"give them in a file with --prometheus-credentials"* ]]
	[[ $output != *pw@* ]]
	run aiops-ingest cluster add --environment dev --type k8s --label 'bad key=v' a
	[ "$status" -eq 64 ]
	run aiops-ingest cluster add --environment dev --type k8s --snmp 'h:99999' a
	[ "$status" -eq 64 ]
	run aiops-ingest cluster add --environment dev --type k8s \
	    --redfish-credentials "$BATS_TEST_TMPDIR/token" a
	[ "$status" -eq 64 ]
	[[ $output == *"the cluster has no redfish endpoint"* ]]
	run aiops-ingest cluster list --label a=b
	[ "$status" -eq 64 ]
	aiops-ingest cluster add --environment dev --type k8s a > /dev/null
	run aiops-ingest cluster add --environment prod --type k8s a
	[ "$status" -eq 65 ]
	[[ $output == *"cluster a: already registered"* ]]
	[ "$(aiops-ingest cluster show --json a | jq -r .environment)" = dev ]
	for verb in show update; do
		run aiops-ingest cluster "$verb" nope
		[ "$status" -eq 1 ]
		[[ $output == *"cluster nope: no such cluster"* ]]
	done
	run aiops-ingest cluster remove nope a
	[ "$status" -eq 1 ]
	[[ $output == *"cluster nope: no such cluster"* ]]
	[[ $output == *'"action":"deleted"'* ]]
	run aiops-ingest cluster frob
	[ "$status" -eq 64 ]
	run aiops-ingest cluster --help
	[ "$status" -eq 0 ]
	[[ $output == *"aiops-ingest cluster check"* ]]
}

@test "credentials: a file name kept, never its content; a file others may read refused" {
	readyd --log "$BATS_TEST_TMPDIR/req.log"
	cp "$BATS_TEST_TMPDIR/token" "$BATS_TEST_TMPDIR/open"
	chmod 644 "$BATS_TEST_TMPDIR/open"
	run aiops-ingest cluster add --environment prod --type k8s --prometheus "http://127.0.0.1:$PORT" \
	    --prometheus-credentials "$BATS_TEST_TMPDIR/open" a
	[ "$status" -eq 77 ]
	[[ $output == *"group or others may read it"* ]]
	run aiops-ingest cluster add --environment prod --type k8s --prometheus "http://127.0.0.1:$PORT" \
	    --prometheus-credentials "$BATS_TEST_TMPDIR/missing" a
	[ "$status" -eq 66 ]
	printf 'admin:%s\n' "$SECRET" > "$BATS_TEST_TMPDIR/basic"
	chmod 400 "$BATS_TEST_TMPDIR/basic"
	cd "$BATS_TEST_TMPDIR"
	run aiops-ingest cluster add --environment prod --type k8s --prometheus "http://127.0.0.1:$PORT" \
	    --prometheus-credentials token --redfish "http://127.0.0.1:$PORT" \
	    --redfish-credentials basic a
	[ "$status" -eq 0 ]
	run aiops-ingest cluster check -v a
	[ "$status" -eq 0 ]
	[[ $output == *"cluster a: online (2 of 2 endpoints answered)"* ]]
	echo "$output" | grep '^{' | jq -e '.status == "online"'
	grep -qx "/-/ready Bearer $SECRET" req.log
	grep -qx "/redfish/v1/ Basic $(printf 'admin:%s' "$SECRET" | base64 -w0)" req.log
	run aiops-ingest cluster show --json a
	echo "$output" | jq -e --arg d "$BATS_TEST_TMPDIR" \
	    '.credentials == {"prometheus": ($d + "/token"), "redfish": ($d + "/basic")}'
	for out in "$(aiops-ingest cluster show a)" "$(aiops-ingest cluster list --json)" \
	    "$(sqlite3 "$AIOPS_STATE" .dump)"; do
		[[ $out != *"$SECRET"* ]]
	done
	# A credential unreadable at check time: that endpoint does not answer, nothing told.
	chmod 644 token
	run aiops-ingest cluster check a
	[[ $output == *"cluster a: prometheus: "*"group or others may read it"* ]]
	[[ $output != *"$SECRET"* ]]
	echo "${lines[-1]}" | jq -e '.action == "status_changed" and .status == "degraded" and .previous == "online"'
}

@test "check: online, degraded, then offline after N checks with no answer" {
	readyd
	up=$PORT
	down=$(closed_port)
	aiops-ingest cluster add --environment prod --type kubernetes \
	    --prometheus "http://127.0.0.1:$up" --alertmanager "http://127.0.0.1:$up/" c1 > /dev/null
	aiops-ingest cluster add --environment dev --type kubernetes \
	    --prometheus "http://127.0.0.1:$up" --alertmanager "http://127.0.0.1:$down" c2 > /dev/null
	aiops-ingest cluster add --environment dev --type baremetal \
	    --redfish "http://127.0.0.1:$down" --prometheus "http://127.0.0.1:$down" c3 > /dev/null
	run aiops-ingest cluster check
	[ "$status" -eq 0 ]
	echo "$output" | grep '^{' | jq -s -e 'map({(.name): [.previous, .status]}) | add ==
	    {"c1": ["unknown", "online"], "c2": ["unknown", "degraded"]}'
	[[ $output == *"cluster c2: alertmanager: GET http://127.0.0.1:$down/-/ready"* ]]
	[ "$(aiops-ingest cluster show --json c3 | jq -c '[.status, .failures]')" = '["unknown",1]' ]
	run aiops-ingest cluster check c3
	[ "$(aiops-ingest cluster show --json c3 | jq -c '[.status, .failures]')" = '["unknown",2]' ]
	run aiops-ingest cluster check c3
	echo "$output" | grep '^{' | jq -e '.name == "c3" and .status == "offline" and .previous == "unknown"'
	[ "$(aiops-ingest cluster show --json c3 | jq -c '[.status, .failures]')" = '["offline",3]' ]
	# c1 goes offline too: it stays online until the third check with no answer.
	kill "${PIDS[0]}"
	wait "${PIDS[0]}" 2>/dev/null || true
	printf 'ingest:\n  clusters:\n    offline_after: 2\n    timeout: 2s\n' > "$BATS_TEST_TMPDIR/c.yaml"
	run aiops-ingest cluster check --config "$BATS_TEST_TMPDIR/c.yaml" c1 c2
	[[ $output != *'{'* ]]
	[ "$(aiops-ingest cluster list --json | jq -r 'map(.status) | join(" ")')" = "online degraded offline" ]
	run aiops-ingest cluster check --config "$BATS_TEST_TMPDIR/c.yaml" c1 c2
	echo "$output" | grep '^{' | jq -s -e 'map([.name, .previous, .status]) ==
	    [["c1", "online", "offline"], ["c2", "degraded", "offline"]]'
	run aiops-ingest cluster show c1
	[[ $output == *"offline since"*"(2 checks in a row with no answer)"* ]]
	run aiops-ingest cluster check nope
	[ "$status" -eq 1 ]
}

@test "check --every repeats until SIGTERM" {
	readyd
	aiops-ingest cluster add --environment dev --type k8s --prometheus "http://127.0.0.1:$PORT" e > /dev/null
	aiops-ingest cluster check --every 100ms > "$BATS_TEST_TMPDIR/out" 2> /dev/null &
	local pid=$! i
	for i in $(seq 100); do
		[ "$(aiops-ingest cluster show --json e | jq -r .status)" = online ] && break
		sleep 0.05
	done
	kill "${PIDS[0]}"
	for i in $(seq 100); do
		[ "$(aiops-ingest cluster show --json e | jq -r .status)" = degraded ] && break
		[ "$(aiops-ingest cluster show --json e | jq -r .status)" = offline ] && break
		sleep 0.05
	done
	kill -TERM "$pid"
	wait "$pid"
	run jq -r .status "$BATS_TEST_TMPDIR/out"
	[ "${lines[0]}" = online ]
	[ "${lines[1]}" = offline ]
}

@test "check against the real Alertmanager" {
	command -v prometheus-alertmanager > /dev/null || skip "no prometheus-alertmanager"
	local am port d="$BATS_TEST_TMPDIR/am" i
	mkdir -p "$d"
	printf 'route:\n  receiver: none\nreceivers:\n  - name: none\n' > "$d/am.yml"
	port=$(free_port)
	prometheus-alertmanager --config.file="$d/am.yml" --storage.path="$d" \
	    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
	    --log.level=warn > "$d/log" 2>&1 &
	PIDS+=($!)
	for i in $(seq 200); do
		curl -fs "http://127.0.0.1:$port/-/ready" > /dev/null && break
		sleep 0.05
	done
	aiops-ingest cluster add --environment prod --type kubernetes \
	    --alertmanager "http://127.0.0.1:$port" --prometheus "http://127.0.0.1:$(closed_port)" am > /dev/null
	run aiops-ingest cluster check am
	echo "$output" | grep '^{' | jq -e '.status == "degraded"'
	aiops-ingest cluster show --json am | jq -e '.health.alertmanager.up == true and
	    .health.alertmanager.status == 200 and .health.prometheus.up == false'
}
