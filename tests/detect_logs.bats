#!/usr/bin/env bats
# aiops-detect on logs: templates, new templates, rates, search, incidents.
setup() {
	load test_helper
}

# logs N: N syslog-style lines of three kinds, one a minute.
logs() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			t = 1794700800 + 60 * i
			if (i % 3 == 0) m = sprintf("Accepted password for user%d from 10.0.%d.%d port %d ssh2", i % 5, i % 7, i % 11, 40000 + i)
			else if (i % 3 == 1) m = sprintf("session opened for user user%d by (uid=%d)", i % 5, i % 3)
			else m = sprintf("Connection closed by 10.0.%d.%d port %d [preauth]", i % 7, i % 11, 50000 + i)
			printf "{\"type\":\"log\",\"ts\":%d,\"host\":\"web-1\",\"service\":\"sshd\",\"severity\":\"info\",\"message\":\"%s\"}\n", t, m
		}
	}'
}

@test "log events get templates with <*> and their params" {
	logs 9 > "$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr aiops-detect --no-state --all "$BATS_TEST_TMPDIR/in"
	[ "$(jq -r .template_id <<<"$output" | sort -u | wc -l)" -eq 3 ]
	jq -e -s '.[0] | (.template | test("<\\*>")) and (.params | length > 0) and .template_id > 0 and .service == "sshd"' <<<"$output"
	jq -e -s 'map(.template_id) | .[0] == .[3] and .[0] != .[1]' <<<"$output"
}

@test "--raw splits the header off and mines the message" {
	printf '%s\n' \
	    'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4' \
	    'Jun 14 15:16:02 combo sshd(pam_unix)[19937]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.5' \
	    '2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200' > "$BATS_TEST_TMPDIR/raw.log"
	run -0 aiops-detect --raw --all --no-state "$BATS_TEST_TMPDIR/raw.log"
	[ "$(wc -l <<<"$output")" -eq 3 ]
	jq -e -s '.[0].template_id == .[1].template_id and .[0].host == "combo"
	    and (.[0].message | startswith("authentication failure"))
	    and (.[2].message | startswith("Notification time out"))' <<<"$output"
}

@test "template ids stay the same across runs sharing the state" {
	logs 30 > "$BATS_TEST_TMPDIR/in"
	a=$(aiops-detect --all --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in" | jq -r .template_id)
	b=$(aiops-detect --all --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in" | jq -r .template_id)
	[ "$a" = "$b" ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/s.db" 'SELECT count(*) FROM log_templates')" -eq 3 ]
}

@test "a new kind of line after the warm-up is an anomaly, once" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'detect:\n  logs:\n    warmup: 20\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	{ logs 30; logs 2 | sed 's/"message":"[^"]*"/"message":"kernel: disk sdb: I\/O error, sector 12345"/'; } > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	[ "$(wc -l <<<"$output")" -eq 1 ]
	jq -e '.type == "anomaly" and .detector == "new-template" and .host == "web-1"
	    and (.template | test("I/O error")) and .score == 1' <<<"$output"
}

@test "a log event's severity is read with aiops(7)'s words, and wins over the guess" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'detect:\n  logs:\n    warmup: 0\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	printf '%s\n' \
	    '{"type":"log","ts":1794700800,"host":"web-1","severity":"EMERGENCY","message":"disk on fire"}' \
	    '{"type":"log","ts":1794700860,"host":"web-1","severity":"dbg","message":"probe failed twice"}' \
	    '{"type":"log","ts":1794700920,"host":"web-1","severity":"C","message":"login failed for root"}' > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	[ "$(jq -r .severity <<<"$output" | paste -sd ' ')" = "critical debug error" ]
}

@test "no new-template anomaly during the warm-up" {
	logs 30 > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state "$BATS_TEST_TMPDIR/in"
	[ -z "$output" ]
}

@test "--search finds stored lines and templates, best first" {
	logs 30 > "$BATS_TEST_TMPDIR/in"
	# Event time: the lines are from 2026-11-15, older than the retention by the wall clock.
	aiops-detect --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --state "$BATS_TEST_TMPDIR/s.db" --search 'preauth' --limit 5
	jq -e -s 'all(.type == "search")' <<<"$output"
	jq -e -s 'map(select(.kind == "template")) | length == 1' <<<"$output"
	jq -e -s 'map(select(.kind == "log")) | length == 5 and all(.message | test("preauth"))' <<<"$output"
	jq -e -s 'map(.rank) | .[1:6] == (.[1:6] | sort | reverse)' <<<"$output"
	run -65 --separate-stderr aiops-detect --state "$BATS_TEST_TMPDIR/s.db" --search '"unbalanced'
	[[ $stderr == *"--search:"* ]]
	run -64 aiops-detect --no-state --search x
	# A reader does not make the state it cannot find.
	run -66 --separate-stderr aiops-detect --state "$BATS_TEST_TMPDIR/none.db" --search x
	[ ! -e "$BATS_TEST_TMPDIR/none.db" ]
}

@test "--search results have a type of their own, and only the fields of their kind" {
	aiops-detect --clock event "$FIXTURES/detect/search.ndjson"
	run -0 --separate-stderr aiops-detect --search 'space OR disk OR device' --limit 3
	diff -u "$FIXTURES/detect/search.expected" <(printf '%s\n' "$output")
	[[ $output != *null* ]]
	[ -z "$stderr" ]
}

@test "stored lines older than the retention are removed" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'detect:\n  logs:\n    retention: 10m\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	logs 30 > "$BATS_TEST_TMPDIR/in"
	aiops-detect --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in"
	n=$(sqlite3 "$BATS_TEST_TMPDIR/s.db" 'SELECT count(*) FROM log_lines')
	[ "$n" -le 11 ] && [ "$n" -ge 9 ]
}

@test "a burst of one template is scored as a rate and flagged" {
	awk 'BEGIN {
		for (m = 0; m < 400; m++) {
			k = (m >= 380 && m < 383) ? 60 : 2
			for (j = 0; j < k; j++)
				printf "{\"type\":\"log\",\"ts\":%d,\"host\":\"db-1\",\"message\":\"could not connect to server: Connection refused (%d)\"}\n", 1794700800 + 60 * m + j % 60, j
		}
	}' > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state --clock event "$BATS_TEST_TMPDIR/in"
	jq -e -s 'map(select(.name == "log_template_rate")) | length >= 1 and all(.value >= 10)' <<<"$output"
}

@test "--correlate groups an anomaly and an alert on one host into one incident, not another cluster's" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'detect:\n  logs:\n    warmup: 20\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	{
		logs 30
		echo '{"type":"log","ts":1794702700,"host":"web-1","message":"kernel: Out of memory: Killed process 4242 (java)"}'
		echo '{"type":"alert","ts":"2026-11-15T00:33:00Z","host":"web-1","cluster":"prod","alertname":"HostOutOfMemory","status":"firing"}'
		echo '{"type":"alert","ts":"2026-11-15T00:34:00Z","host":"db-9","cluster":"lab","alertname":"Other","status":"firing"}'
		echo '{"type":"log","ts":1794710000,"host":"web-1","message":"much later"}'
	} > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --no-state --correlate --clock event "$BATS_TEST_TMPDIR/in"
	inc=$(jq -c 'select(.type == "incident" and .status == "resolved" and .hosts == ["web-1"])' <<<"$output")
	[ "$(wc -l <<<"$inc")" -eq 1 ]
	jq -e '.member_count == 2 and .root_cause.kind == "log" and .root_cause.host == "web-1"
	    and .title == "web-1: memory exhausted, the OOM killer killed a process, alert HostOutOfMemory"
	    and (.members | map(.kind) | sort == ["alert", "log"])
	    and (.summary | test("suspected cause"))' <<<"$inc"
	jq -e -s 'map(select(.type == "incident" and .hosts == ["db-9"])) | length >= 1' <<<"$output"
}

@test "open incidents are kept in the state between runs" {
	echo '{"type":"alert","ts":"2026-11-15T00:33:00Z","host":"web-1","alertname":"A","status":"firing"}' > "$BATS_TEST_TMPDIR/a"
	echo '{"type":"alert","ts":"2026-11-15T00:35:00Z","host":"web-1","alertname":"B","status":"firing"}' > "$BATS_TEST_TMPDIR/b"
	aiops-detect --correlate --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/a" > /dev/null
	run -0 aiops-detect --correlate --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/b"
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/s.db" "SELECT count(*) FROM incidents")" -eq 1 ]
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/s.db" "SELECT json_array_length(members) FROM incidents")" -eq 2 ]
}

@test "--raw: every form of an IPv6 address is one value, as an IPv4 address is" {
	printf '2026-01-05T00:00:%02dZ INFO relay: session from %s closed\n' \
	    1 2001:db8:4:1::8a2e:370:1 2 '[2001:db8::7]:8443' 3 'fe80::2a0:c9ff:fe00:1%ens3' \
	    4 ::1 5 ::ffff:198.51.100.9 6 2001:db8:: 7 2001:0db8:0000:0000:0001:ff00:0042:0001 \
	    8 198.51.100.20:993 9 2001:db8:aa::/48 10 '[fe80::1]:2222' 11 '(2001:db8::5),' > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --raw --all --no-state "$BATS_TEST_TMPDIR/in"
	[ "$(jq -r .template <<<"$output" | sort | uniq -c | awk '{$1=$1; print}')" = \
	    '11 session from <*> closed' ]
	# a stream of them, bracketed with ports, with zones: one template
	for ((i = 0; i < 60; i++)); do
		case $((i % 3)) in
		0) a="[fe80::$(printf %x $((i * 97 % 65535)))]:$((1024 + i * 13))" ;;
		1) a="fe80::$(printf %x $((i * 31))):$(printf %x $((i * 7))):1:$(printf %x $i)%eth$((i % 4))" ;;
		2) a="[2001:db8:$(printf %x $((i * 101))):1::$(printf %x $i)]:$((2000 + i))" ;;
		esac
		printf '2026-01-05T00:%02d:%02dZ INFO relay: client %s disconnected after idle timeout\n' \
		    $((i / 12)) $((i * 5 % 60)) "$a"
	done > "$BATS_TEST_TMPDIR/stream"
	run -0 aiops-detect --raw --all --no-state "$BATS_TEST_TMPDIR/stream"
	[ "$(jq -r .template <<<"$output" | sort | uniq -c | awk '{$1=$1; print}')" = \
	    '60 client <*> disconnected after idle timeout' ]
}

@test "--raw: a program whose text does not form templates is told once; its new lines stop alerting, others' do not" {
	# free text: queries of random words logged verbatim; beside it, a
	# program of two kinds of line, then a third kind at the end
	awk 'BEGIN {
		srand(7)
		split("ka lo mi ne ru ta so vi ze po da fe gu hi jo", syl, " ")
		for (i = 0; i < 2400; i++) {
			q = ""
			for (w = 0; w < 2 + int(rand() * 5); w++) {
				word = ""
				for (s = 0; s < 2 + int(rand() * 3); s++)
					word = word syl[1 + int(rand() * 15)]
				q = q " " word
			}
			printf "2026-01-05T%02d:%02d:%02dZ INFO search: query%s\n", i / 3600, (i / 60) % 60, i % 60, q
			if (i % 4 == 0)
				printf "2026-01-05T%02d:%02d:%02dZ INFO cron: job %d %s\n", i / 3600, (i / 60) % 60, i % 60, i, (i % 8 ? "started" : "done")
		}
		print "2026-01-05T00:40:00Z ERROR cron: job 9999 killed by the watchdog"
	}' > "$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr env AIOPS__DETECT__LOGS__WARMUP=100 aiops-detect --raw --no-state "$BATS_TEST_TMPDIR/in"
	[ "$(grep -c 'search: .* does not form templates' <<<"$stderr")" -eq 1 ]
	# the search lines alerted until the source was found out, at its
	# 1000th line (two blocks of 500, 00:16:39), and never after
	[ "$(jq -c 'select(.detector == "new-template" and (.template | startswith("query"))
	    and .ts < "2026-01-05T00:16:40")' <<<"$output" | wc -l)" -gt 500 ]
	[ "$(jq -c 'select(.detector == "new-template" and (.template | startswith("query"))
	    and .ts >= "2026-01-05T00:16:40")' <<<"$output" | wc -l)" -eq 0 ]
	[ "$(jq -c 'select(.detector == "new-template" and .ts > "2026-01-05T00:25:00")' <<<"$output" | jq -r .template)" = \
	    'job <*> killed by the watchdog' ]
}
