#!/usr/bin/env bats
# aiops-detect --correlate: which groups of anomalies and alerts become
# incidents (evidence), what they say (title, severity, labels,
# fingerprint) and which member is the suspected cause. The members are
# given as anomaly, alert and log events, on the event clock.
setup() {
	load test_helper
	T=1794700800	# 2026-11-15T00:00:00Z, a Sunday
	IN="$BATS_TEST_TMPDIR/in"
	: > "$IN"
}

# an SECONDS HOST NAME SCORE VALUE DEVIATION [LABELS]: a metric anomaly at T+SECONDS.
an() {
	printf '{"type":"anomaly","ts":%d,"host":"%s","name":"%s","score":%s,"value":%s,"detector":"level","baseline":{"value":0,"deviation":%s},"labels":%s}\n' \
	    $((T + $1)) "$2" "$3" "$4" "$5" "$6" "${7:-{\}}" >> "$IN"
}

# newlog SECONDS HOST SERVICE SEVERITY TEMPLATE: a new-template anomaly.
newlog() {
	jq -cn --argjson ts $((T + $1)) --arg h "$2" --arg s "$3" --arg sev "$4" --arg t "$5" \
	    '{type: "anomaly", ts: $ts, host: $h, name: "log_new_template", template_id: 7,
	      template: $t, service: $s, severity: $sev, score: 1, detector: "new-template"}' >> "$IN"
}

# alert SECONDS HOST NAME SEVERITY [STATUS [CLUSTER]]
alert() {
	jq -cn --argjson ts $((T + $1)) --arg h "$2" --arg n "$3" --arg sev "$4" \
	    --arg st "${5:-firing}" --arg c "${6:-}" \
	    '{type: "alert", ts: $ts, host: $h, alertname: $n, severity: $sev, status: $st}
	     + (if $c == "" then {} else {cluster: $c} end)' >> "$IN"
}

# Memory of HOST used at PCT% for MINUTES minutes from SECONDS on: three siblings a minute.
memory() {
	local i
	for ((i = 0; i < $4; i++)); do
		an $(($1 + 60 * i)) "$2" mem_used_percent "$5" "$3" 6
		an $(($1 + 60 * i)) "$2" mem_available_percent "$5" $((100 - $3)) -6
		an $(($1 + 60 * i)) "$2" mem_used "$5" $(($3 * 160000000)) 6
	done
}

# CPU of HOST used at PCT% for MINUTES minutes from SECONDS on.
cpu() {
	local i
	for ((i = 0; i < $4; i++)); do
		an $(($1 + 60 * i)) "$2" cpu_usage_idle "$5" $((100 - $3)) -7 '{"cpu":"cpu-total"}'
	done
}

# A far later line, so every incident resolves.
later() {
	echo "{\"type\":\"alert\",\"ts\":$((T + 86400 * 10)),\"host\":\"elsewhere\",\"alertname\":\"X\",\"status\":\"resolved\"}" >> "$IN"
}

correlate() {
	later
	jq -c -s 'sort_by(.ts) | .[]' "$IN" > "$IN.sorted" && mv "$IN.sorted" "$IN"
	run -0 --separate-stderr aiops-detect --correlate --clock event "$@" "$IN"
	INC=$(jq -c 'select(.type == "incident")' <<<"$output")
	LAST=$(jq -c -s 'group_by(.incident_id) | map(last) | sort_by(.first_seen) | .[]' <<<"$INC")
	jq -c "{ts, status, incident_id, title}" <<<"$INC"	# shown when a test fails
}

count() {
	if [ -z "$LAST" ]; then echo 0; else wc -l <<<"$LAST"; fi
}

@test "incidents: one signal, however many sibling series say it, is not enough" {
	memory 0 web-1 85 20 0.8
	correlate
	[ "$(count)" -eq 0 ]
}

@test "incidents: two signals of a host that last are one incident; its members are all there" {
	memory 0 web-1 85 15 0.8
	cpu 60 web-1 92 15 0.8
	correlate
	[ "$(count)" -eq 1 ]
	jq -e '.status == "resolved" and .hosts == ["web-1"] and .member_count == 60
	    and (.signals | map(.signal) | sort == ["cpu{cpu=cpu-total}", "mem"])
	    and .root_cause.host == "web-1" and .root_cause.what == "mem_used_percent"
	    and .root_cause.signal == "mem"
	    and (.root_cause.names | sort == ["mem_available_percent", "mem_used", "mem_used_percent"])
	    and .title == "web-1: memory use up, CPU saturated"
	    and .severity == "warning"' <<<"$LAST"
	# It opens when the evidence has lasted ten minutes, not at the first anomaly.
	jq -e -s '.[0].status == "open" and .[0].ts == "2026-11-15T00:10:00.000Z"
	    and .[0].first_seen == "2026-11-15T00:00:00.000Z"' <<<"$INC"
	# Resolved 30 quiet minutes after the last member, on the event clock.
	jq -e '.ts == "2026-11-15T00:45:00.000Z" and .last_seen == "2026-11-15T00:15:00.000Z"' <<<"$LAST"
}

@test "incidents: a burst of a few minutes with nothing broken pages nobody" {
	memory 0 web-1 85 3 0.95
	cpu 0 web-1 88 3 0.95
	an 0 web-1 diskio_io_time 0.99 900 8 '{"name":"sda"}'
	an 60 web-1 diskio_io_time 0.99 900 8 '{"name":"sda"}'
	correlate
	[ "$(count)" -eq 0 ]
}

@test "incidents: one strong signal is enough: a resource exhausted for five minutes" {
	cpu 0 cache-1 99 6 0.99
	correlate
	[ "$(count)" -eq 1 ]
	jq -e '.title == "cache-1: CPU saturated" and .root_cause.what == "cpu_usage_idle"' <<<"$LAST"
	jq -e -s '.[0].ts == "2026-11-15T00:05:00.000Z"' <<<"$INC"
}

@test "incidents: a CPU that stays saturated after the one point the detector flags is an incident" {
	local i v key='cpu_usage_idle{host=\"cache-1\",cpu=\"cpu-total\"}'
	# The one anomaly; then its series' points, which make none (the model
	# is in its warm-up), at 0.5% idle for ten minutes, then 90%.
	printf '{"type":"anomaly","ts":%d,"host":"cache-1","name":"cpu_usage_idle","score":0.99,"value":0.5,"detector":"spike","baseline":{"value":90,"deviation":-9},"labels":{"cpu":"cpu-total"},"series":"%s"}\n' \
	    "$T" "$key" > "$IN"
	for ((i = 1; i <= 15; i++)); do
		if ((i <= 10)); then v=0.5; else v=90; fi
		printf '{"type":"metric","ts":%d,"host":"cache-1","name":"cpu_usage_idle","labels":{"cpu":"cpu-total"},"value":%s}\n' \
		    $((T + 60 * i)) "$v"
	done >> "$IN"
	correlate
	[ "$(jq -c 'select(.type == "anomaly")' <<<"$output" | wc -l)" -eq 0 ]
	[ "$(count)" -eq 1 ]
	jq -e '.title == "cache-1: CPU saturated" and .member_count == 1
	    and .first_seen == "2026-11-15T00:00:00.000Z" and .last_seen == "2026-11-15T00:10:00.000Z"
	    and .ts == "2026-11-15T00:40:00.000Z"' <<<"$LAST"
	jq -e -s '.[0].ts == "2026-11-15T00:05:00.000Z"' <<<"$INC"
}

@test "incidents: use that fell (log rotation freeing /var) or that leaves ample room (a deploy) is no incident" {
	local i
	for ((i = 0; i < 20; i++)); do
		an $((60 * i)) web-1 disk_used_percent 0.99 41 -9 '{"path":"/var"}'
		an $((60 * i)) web-2 mem_used_percent 0.99 55 8
		an $((60 * i)) web-2 cpu_usage_user 0.95 60 8 '{"cpu":"cpu-total"}'
	done
	correlate
	[ "$(count)" -eq 0 ]
}

@test "incidents: an alert is enough; its severity is the incident's; its end alone opens nothing" {
	alert 0 db-1 PostgresDown critical
	alert 7200 web-3 Gone warning resolved
	correlate
	[ "$(count)" -eq 1 ]
	jq -e '.severity == "critical" and .title == "db-1: alert PostgresDown" and .hosts == ["db-1"]
	    and .labels == {"alertname": "aiops_incident", "host": "db-1", "signal": "alert:PostgresDown"}' <<<"$LAST"
}

@test "incidents: a line that says what broke is enough: the OOM killer, seen before or not" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	# The miner is in its warm-up for all of these lines: no new-template anomaly.
	local i
	for ((i = 0; i < 5; i++)); do
		echo "{\"type\":\"log\",\"ts\":$((T + i * 7200)),\"host\":\"web-2\",\"service\":\"kernel\",\"severity\":\"error\",\"message\":\"Out of memory: Killed process $((4000 + i)) (java) total-vm:9000kB\"}"
	done > "$IN"
	correlate
	[ "$(count)" -eq 5 ]
	jq -e -s 'all(.title == "web-2: memory exhausted, the OOM killer killed a process"
	    and .severity == "critical" and .root_cause.detector == "failure"
	    and (.root_cause.what | test("Out of memory")))' <<<"$LAST"
	# The same problem again: the same fingerprint, for aiops-notify to group.
	[ "$(jq -r .fingerprint <<<"$LAST" | sort -u | wc -l)" -eq 1 ]
	[ "$(jq -r .incident_id <<<"$LAST" | sort -u | wc -l)" -eq 5 ]
}

@test "incidents: the cause is where the problem started: the database before the web tier's errors" {
	newlog 0 db-1 postgres critical 'FATAL: sorry, too many clients already'
	newlog 90 web-1 nginx error 'upstream timed out (110: Connection timed out) while reading response header from upstream'
	newlog 95 web-2 nginx error 'upstream timed out (110: Connection timed out) while reading response header from upstream'
	alert 120 web-1 NginxHigh5xx critical
	alert 125 web-2 NginxHigh5xx critical
	correlate
	[ "$(count)" -eq 1 ]
	jq -e '.root_cause.host == "db-1" and (.root_cause.what | test("too many clients"))
	    and (.hosts | sort == ["db-1", "web-1", "web-2"])
	    and .title == "db-1: out of database connections; web-1, web-2: upstream timeouts"' <<<"$LAST"
}

@test "incidents: a blip on a network counter just before is not the cause" {
	an 0 db-1 net_bytes_recv 0.75 9000 4 '{"interface":"eth0"}'
	newlog 180 db-1 kernel error 'blk_update_request: I/O error, dev sdb, sector <*> op <*>:(READ)'
	an 200 db-1 cpu_usage_iowait 0.97 31 9 '{"cpu":"cpu-total"}'
	an 260 db-1 cpu_usage_iowait 0.97 33 9 '{"cpu":"cpu-total"}'
	correlate
	[ "$(count)" -eq 1 ]
	# The I/O error and the CPUs waiting on the disk, a minute apart, both name
	# the disk: the metric comes first (resources fail first, then logs say so).
	jq -e '.root_cause.signal == "diskio" and .root_cause.what == "cpu_usage_iowait"
	    and .first_seen == "2026-11-15T00:00:00.000Z"
	    and .title == "db-1: disk I/O up, disk I/O errors"' <<<"$LAST"
}

@test "incidents: hosts of other clusters are other incidents" {
	alert 0 web-1 A critical firing prod
	alert 60 gpu-1 B critical firing lab
	alert 120 web-2 C critical firing prod
	correlate
	[ "$(count)" -eq 2 ]
	jq -e -s '.[0].hosts == ["web-1", "web-2"] and .[1].hosts == ["gpu-1"]
	    and .[0].labels.cluster == "prod" and .[1].labels.cluster == "lab"' <<<"$LAST"
}

@test "incidents: the fingerprint and labels are fixed when it opens" {
	alert 0 web-1 First warning
	cpu 30 web-1 99 5 0.99
	alert 600 web-1 Second critical
	correlate
	[ "$(count)" -eq 1 ]
	[ "$(jq -r .fingerprint <<<"$INC" | sort -u | wc -l)" -eq 1 ]
	[ "$(jq -c .labels <<<"$INC" | sort -u | wc -l)" -eq 1 ]
	# The severity follows the members: warning, then critical.
	jq -e -s 'map(.severity) | first == "warning" and last == "critical"' <<<"$INC"
	# Prometheus's fingerprint of the labels, as an alert's is.
	jq -e '.fingerprint | test("^[0-9a-f]{16}$")' <<<"$LAST"
}

@test "incidents: metrics alone at the time of day of an incident the day before are a routine, stored and not told" {
	local d
	for d in 0 1 2; do
		memory $((86400 * d + 7200 + 300 * d)) db-1 88 15 0.95
		an $((86400 * d + 7200 + 300 * d)) db-1 diskio_io_time 0.99 900 8 '{"name":"sdb"}'
	done
	# Day 3 at the same time, but a line says the disk fails: told.
	memory $((86400 * 3 + 7200)) db-1 88 15 0.95
	newlog $((86400 * 3 + 7300)) db-1 kernel error 'Buffer I/O error on dev sdb1, logical block <*>'
	correlate
	[ "$(count)" -eq 2 ]
	jq -e -s '.[0].first_seen == "2026-11-15T02:00:00.000Z" and .[1].first_seen == "2026-11-18T02:00:00.000Z"' <<<"$LAST"
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT group_concat(status) FROM (SELECT status FROM incidents ORDER BY first_seen)")" = \
	    resolved,routine,routine,resolved ]
}

@test "incidents: an open incident goes on in the next run with its fingerprint; resolved ones expire" {
	alert 0 web-1 A critical
	run -0 aiops-detect --correlate --clock event "$IN"
	fp=$(jq -r 'select(.type == "incident") | .fingerprint' <<<"$output")
	: > "$IN"
	alert 300 web-1 B warning
	correlate
	jq -e --arg fp "$fp" '.member_count == 2 and .fingerprint == $fp and .status == "resolved"' <<<"$LAST"
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT status, severity, fingerprint = '$fp', title FROM incidents")" = \
	    "resolved|critical|1|web-1: alert A, alert B" ]
	# 90 days on, the next run deletes it.
	AIOPS_NOW=2027-03-01T00:00:00Z run -0 aiops-detect --correlate --clock event /dev/null
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM incidents')" -eq 0 ]
}

@test "incidents: one stays open while an alert of it still fires, and resolves 30 minutes after its end" {
	alert 0 web-1 HostOutOfMemory critical
	newlog 2520 web-1 kernel error 'Out of memory: Killed process <*> (java) total-vm:<*>'
	alert 2700 web-1 HostOutOfMemory critical resolved
	correlate
	[ "$(count)" -eq 1 ]
	jq -e '.first_seen == "2026-11-15T00:00:00.000Z" and .last_seen == "2026-11-15T00:45:00.000Z"
	    and .ts == "2026-11-15T01:15:00.000Z" and .member_count == 3' <<<"$LAST"
}

@test "incidents: a strong burst on a network counter, over before the failure began, is not the cause" {
	an 0 db-1 net_bytes_recv 0.95 9000 6 '{"interface":"eth0"}'
	an 60 db-1 net_bytes_recv 0.95 9000 6 '{"interface":"eth0"}'
	newlog 480 db-1 postgres critical 'FATAL: sorry, too many clients already'
	correlate
	[ "$(count)" -eq 1 ]
	jq -e '.root_cause.signal == "log:postgres" and .first_seen == "2026-11-15T00:00:00.000Z"
	    and .title == "db-1: out of database connections, network traffic up (eth0)"' <<<"$LAST"
}
