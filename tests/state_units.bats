#!/usr/bin/env bats
# The state file as every program shares it: the units of its times, a
# state of an earlier schema migrated to them, and readers that leave it
# as it is.
setup() {
	load test_helper
	S="$FIXTURES/state"
}

teardown() {
	[ -z "${FPID:-}" ] || { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; } || true
	[ -z "${RO_DIR:-}" ] || { chmod -R u+w "$RO_DIR"; rm -rf "$RO_DIR"; }
}

q() {
	sqlite3 "$AIOPS_STATE" "$1"
}

# history: 250 minutes of web-1, a CPU spike at 04:00 with an alert on it,
# a byte counter and an sshd line a minute (the input of fixtures/state/v3.sql).
history() {
	awk 'BEGIN {
		t0 = 1794700800; c = 0
		for (i = 1; i <= 250; i++) {
			t = t0 + 60 * i
			v = 40 + (i * 7919 % 13) / 10; if (i == 240) v = 400
			c += 1000 + (i * 7919 % 13)
			printf "{\"type\":\"metric\",\"ts\":%d,\"host\":\"web-1\",\"name\":\"cpu_usage_user\",\"value\":%.1f}\n", t, v
			printf "{\"type\":\"metric\",\"ts\":%d,\"host\":\"web-1\",\"name\":\"net_bytes_total\",\"value\":%d}\n", t, c
			printf "{\"type\":\"log\",\"ts\":%d,\"host\":\"web-1\",\"service\":\"sshd\",\"message\":\"Accepted password for user%d from 10.0.0.%d port %d ssh2\"}\n", t + 30, i % 5, i % 7, 40000 + i
			if (i == 240) printf "{\"type\":\"alert\",\"ts\":%d,\"host\":\"web-1\",\"alertname\":\"HighCPU\",\"status\":\"firing\"}\n", t + 10
		}
	}'
}

# Every integer time column of every table, as "table.column: value"
# for the values not of the unit the column's name says: 13 digits for
# milliseconds, 19 for a column named _ns (times of 2001 to 2286).
wrong_units() {
	local t c
	for t in $(q "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' ORDER BY name"); do
		for c in $(q "SELECT name FROM pragma_table_info('$t') WHERE type = 'INTEGER'
		    AND (name IN ('ts', 'minute', 'bucket', 'updated') OR name LIKE '%_ts'
		    OR name LIKE '%_seen' OR name LIKE '%_at' OR name LIKE '%_ns')"); do
			local digits=13
			[[ $c == *_ns ]] && digits=19
			q "SELECT '$t.$c: ' || $c FROM $t WHERE $c IS NOT NULL AND length($c) <> $digits"
		done
	done
	# Times kept in meta, as a time column would keep them.
	q "SELECT 'meta.' || key || ': ' || value FROM meta WHERE key = 'detect.log_minute' AND length(value) <> 13"
}

@test "state: a fresh state keeps every time in ms, or in ns where the column says _ns" {
	history > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --correlate --clock event "$BATS_TEST_TMPDIR/in"
	printf 'cpu,host=web-1 usage_user=41 1794700860000000000\n' | aiops-ingest --store-only -f influx
	# An alert that fired and resolved, and one firing with no end.
	printf '%s\n' '{"version":"4","alerts":[
	    {"status":"resolved","labels":{"alertname":"A"},"startsAt":"2026-11-22T11:00:00.5Z","endsAt":"2026-11-22T11:30:00Z"},
	    {"status":"firing","labels":{"alertname":"B"},"startsAt":"2026-11-22T11:50:00Z","endsAt":"0001-01-01T00:00:00Z"}]}' |
	    tr -d '\n' | aiops-ingest --store-only -f alertmanager
	printf 'line one\n' > "$BATS_TEST_TMPDIR/app.log"
	aiops-ingest --follow --poll 20 -f text "$BATS_TEST_TMPDIR/app.log" > "$BATS_TEST_TMPDIR/out" 3>&- &
	FPID=$!
	for _ in $(seq 250); do [ -s "$BATS_TEST_TMPDIR/out" ] && break; sleep 0.02; done
	kill -TERM "$FPID"; wait "$FPID"; FPID=
	# Each table with a time has rows to look at.
	for t in series points rollup_5m rollup_1h file_offsets detector_models anomalies \
	    log_templates log_lines log_rate_pending incidents alerts alert_history; do
		[ "$(q "SELECT count(*) FROM $t")" -gt 0 ] || { echo "$t is empty"; false; }
	done
	[ "$(q "SELECT count(*) FROM detector_models WHERE counter_ts_ns IS NOT NULL")" -eq 1 ]
	[ "$(q "SELECT count(*) FROM alerts WHERE ends_at IS NULL")" -eq 1 ]
	run wrong_units
	[ -z "$output" ]
	[ "$(q "SELECT first_seen FROM incidents")" = 1794715200000 ]
}

@test "state: a state of schema 3 is migrated, its times in ns become ms" {
	sqlite3 "$AIOPS_STATE" < "$S/v3.sql"
	chmod 600 "$AIOPS_STATE"
	[ "$(q 'PRAGMA user_version')" -eq 3 ]
	# A counter sample a minute on; seven hours later an alert elsewhere.
	printf '%s\n' \
	    '{"type":"metric","ts":"2026-11-15T04:11:00Z","host":"web-1","name":"net_bytes_total","value":252500}' \
	    '{"type":"alert","ts":"2026-11-15T11:00:00Z","host":"db-9","alertname":"Other","status":"firing"}' \
	    > "$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr aiops-detect --correlate --clock event --all "$BATS_TEST_TMPDIR/in"
	[ "$(q 'PRAGMA user_version')" -ge 10 ]
	# The open incident resumed with its times: its alert HighCPU never said
	# it ended, so it resolves 6 hours (12 times 30 minutes) after 04:06.
	inc=$(jq -c 'select(.type == "incident" and .status == "resolved")' <<<"$output")
	jq -e '.incident_id == "f49634160cb730f9" and .ts == "2026-11-15T10:06:00.000Z"
	    and .first_seen == "2026-11-15T04:00:00.000Z" and .last_seen == "2026-11-15T04:06:00.000Z"
	    and .member_count == 8' <<<"$inc"
	[ "$(q "SELECT first_seen, last_seen, status FROM incidents WHERE id = 'f49634160cb730f9'")" = \
	    '1794715200000|1794715560000|resolved' ]
	# The counter went on from its last sample: a rate, not a reset.
	[ "$(head -n 1 <<<"$output" | jq -r .detector)" != counter-reset ]
	[ "$(q "SELECT counter_ts_ns FROM detector_models")" = 1794715860000000000 ]
	# Step 8: the model's name and host dropped (its key holds them).
	[ "$(q "SELECT group_concat(name, ' ') FROM pragma_table_info('detector_models')")" = \
	    'series_key updated counter_ts_ns counter_value model' ]
	[ "$(q "SELECT minute FROM log_rate_pending")" = 1794715800000 ]
	[ "$(q "SELECT value FROM meta WHERE key = 'detect.log_minute'")" = 1794715800000 ]
	run wrong_units
	[ -z "$output" ]
}

# A state written and closed, with its sha256 and mtime in $BEFORE.
written_state() {
	history > "$BATS_TEST_TMPDIR/in"
	aiops-detect --clock event "$BATS_TEST_TMPDIR/in" > /dev/null
	[ ! -e "$AIOPS_STATE-wal" ] && [ ! -e "$AIOPS_STATE-shm" ]
	BEFORE="$(sha256sum < "$AIOPS_STATE") $(stat -c %y "$AIOPS_STATE")"
}

@test "state: --search only reads: no -wal or -shm made, the file untouched" {
	written_state
	run -0 aiops-detect --search password --limit 2
	[ "${#lines[@]}" -eq 3 ]
	[ ! -e "$AIOPS_STATE-wal" ] && [ ! -e "$AIOPS_STATE-shm" ]
	[ "$(sha256sum < "$AIOPS_STATE") $(stat -c %y "$AIOPS_STATE")" = "$BEFORE" ]
}

# Root ignores file modes, so as root the reader runs as nobody, in the
# state's group.
@test "state: --search works on a state its user may only read, where a writer fails" {
	written_state
	RO_DIR=$(mktemp -d /tmp/aiops-state-ro.XXXXXX)
	cp "$AIOPS_STATE" "$RO_DIR/state.db"
	local as=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "root without setpriv"
		# Readable through its group, as state.group makes it: never by all.
		chgrp nogroup "$RO_DIR" "$RO_DIR/state.db"
		chmod 0750 "$RO_DIR"
		chmod 0640 "$RO_DIR/state.db"
		as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	else
		chmod 0400 "$RO_DIR/state.db"
		chmod 0500 "$RO_DIR"
	fi
	export AIOPS_STATE="$RO_DIR/state.db"
	run -0 --separate-stderr "${as[@]}" "$(command -v aiops-detect)" --search password --limit 2
	[ "${#lines[@]}" -eq 3 ]
	jq -e -s 'map(.kind) == ["template", "log", "log"]' <<<"$output"
	# The same file opened for writing is refused.
	run -73 --separate-stderr "${as[@]}" "$(command -v aiops-detect)" --from-state
	[[ $stderr == *"read-only"* ]]
	[ "$(ls "$RO_DIR")" = state.db ]
}
