#!/usr/bin/env bats
# aiops-ingest poll: SNMP agents (a real snmpd on loopback, v2c and v3,
# from the configuration and through the cluster registry), local
# nvidia-smi (stand-ins on PATH), Redfish over HTTPS (a stand-in BMC).
load test_helper

setup() {
	SNMPD_PID=
	RF_PID=
	cd "$BATS_TEST_TMPDIR" || return
}

teardown() {
	local p
	for p in $SNMPD_PID $RF_PID; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	return 0
}

udp_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# A secret file (mode 0600) holding $2.
secret() {
	printf '%s\n' "$2" > "$1"
	chmod 600 "$1"
}

# snmpd on 127.0.0.1:$PORT: read-only community $COMMUNITY, and SNMPv3 user
# aiopsv3 (SHA-256, AES) with the passphrases in v3auth and v3priv.
start_snmpd() {
	local snmpd dir=$BATS_TEST_TMPDIR/snmpd i
	snmpd=$(command -v snmpd || echo /usr/sbin/snmpd)
	[ -x "$snmpd" ] || skip "snmpd is not installed (Debian package snmpd)"
	command -v snmpwalk >/dev/null || skip "snmpwalk is not installed (Debian package snmp)"
	PORT=$(udp_port)
	COMMUNITY=c$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	AUTHPASS=a$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	PRIVPASS=p$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	mkdir -p "$dir"
	cat > "$dir/snmpd.conf" <<EOF
agentaddress udp:127.0.0.1:$PORT
rocommunity $COMMUNITY 127.0.0.1
sysName aiops-poll-agent
createUser aiopsv3 SHA-256 "$AUTHPASS" AES "$PRIVPASS"
rouser aiopsv3 authpriv
EOF
	chmod 600 "$dir/snmpd.conf"
	secret community "$COMMUNITY"
	secret v3auth "$AUTHPASS"
	secret v3priv "$PRIVPASS"
	SNMP_PERSISTENT_DIR=$dir timeout 120 "$snmpd" -f -Lo -C -c "$dir/snmpd.conf" \
	    -I -smux -p "$dir/pid" > "$dir/log" 2>&1 3>&- &
	SNMPD_PID=$!
	for i in $(seq 100); do
		snmpget -v2c -c "$COMMUNITY" -t 0.2 -r 0 "127.0.0.1:$PORT" 1.3.6.1.2.1.1.5.0 \
		    >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$dir/log" >&2
	return 1
}

# Some event of $output satisfies the jq condition $1.
holds() {
	printf '%s\n' "$output" | jq -s -e "any(.[]; $1)" > /dev/null
}

# The events without what changes from one poll to the next.
stable() {
	jq -c 'del(.ts, .id) | if (.name | test("Octets|Pkts|UpTime$|sysUpTime")) then del(.value) else . end' | sort
}

@test "poll snmp: v2c GETs and walks give the events snmpget -On and snmpwalk -On piped into aiops-ingest give" {
	start_snmpd
	cat > c.yaml <<EOF
ingest:
  pollers:
    snmp:
      - address: 127.0.0.1:$PORT
        community_file: $PWD/community
        get: [1.3.6.1.2.1.1.5.0, 1.3.6.1.2.1.1.7.0]
        walk: [1.3.6.1.2.1.2.2, 1.3.6.1.2.1.1.9]
        timeout: 2s
EOF
	run -0 --separate-stderr aiops-ingest poll --config c.yaml
	[ -z "$stderr" ]
	printf '%s\n' "$output" | stable > polled
	{
		snmpget -v2c -c "$COMMUNITY" -On "127.0.0.1:$PORT" 1.3.6.1.2.1.1.5.0 1.3.6.1.2.1.1.7.0
		snmpwalk -v2c -c "$COMMUNITY" -On "127.0.0.1:$PORT" 1.3.6.1.2.1.2.2
		snmpwalk -v2c -c "$COMMUNITY" -On "127.0.0.1:$PORT" 1.3.6.1.2.1.1.9
	} 2>/dev/null > cli.txt
	grep -q '^\.1\.3\.6\.1\.2\.1\.2\.2\.1\.2\.1 = STRING: ' cli.txt
	aiops-ingest -f snmp cli.txt | stable > piped
	diff -u piped polled
	[ "$(wc -l < polled)" -gt 20 ]
	# sysName.0 names the host; ifInOctets of lo is a counter.
	[ "$(printf '%s\n' "$output" | jq -r .host | sort -u)" = aiops-poll-agent ]
	holds '(.name == "ifInOctets" and .labels.ifIndex == "1") and (.metric_type == "counter")'
	# The community is in no output.
	! grep -q "$COMMUNITY" <<< "$output$stderr"
}

@test "poll snmp: v3 authPriv (SHA-256, AES); a wrong passphrase is an authentication failure, not a hang" {
	start_snmpd
	cat > c.yaml <<EOF
ingest:
  pollers:
    snmp:
      - name: v3
        address: 127.0.0.1:$PORT
        version: 3
        user: aiopsv3
        auth_protocol: SHA-256
        auth_passphrase_file: $PWD/v3auth
        priv_protocol: AES
        priv_passphrase_file: $PWD/v3priv
        walk: [1.3.6.1.2.1.2.2.1.3]
        timeout: 1s
EOF
	run -0 --separate-stderr aiops-ingest poll --config c.yaml
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.name == "ifType") | .labels.ifIndex' | head -n 1)" = 1 ]
	# No sysName polled: the host is the agent's address.
	[ "$(printf '%s\n' "$output" | jq -r .host | sort -u)" = 127.0.0.1 ]
	secret v3auth wrongpassphrase
	SECONDS=0
	run -1 --separate-stderr aiops-ingest poll --config c.yaml
	[ "$SECONDS" -lt 10 ]
	[[ $stderr == *"snmp v3 on 127.0.0.1:$PORT"*"Authentication failure"* ]]
	! grep -q wrongpassphrase <<< "$stderr"
}

@test "poll snmp: a wrong community gets no answer: a warning and exit 1 after the timeout" {
	start_snmpd
	secret wrong not-the-community
	cat > c.yaml <<EOF
ingest:
  pollers:
    snmp:
      - address: 127.0.0.1:$PORT
        community_file: $PWD/wrong
        get: [1.3.6.1.2.1.1.5.0]
        timeout: 300ms
        retries: 1
EOF
	SECONDS=0
	run -1 --separate-stderr aiops-ingest poll --config c.yaml
	[ "$SECONDS" -lt 5 ]
	[ -z "$output" ]
	[[ $stderr == *"snmp 127.0.0.1:$PORT: 127.0.0.1:$PORT: get: no answer (timeout)"* ]]
	! grep -q not-the-community <<< "$stderr"
	# A community file others may read is refused before anything is sent.
	chmod 644 wrong
	run -1 --separate-stderr aiops-ingest poll --config c.yaml
	[[ $stderr == *wrong* ]]
}

@test "poll snmp: the configuration is checked, errors name the key" {
	printf 'ingest:\n  pollers:\n    snmp:\n      - address: 127.0.0.1:1161\n        community_file: /x\n        walk: [IF-MIB::ifTable]\n' > c.yaml
	run -78 --separate-stderr aiops-ingest poll --config c.yaml
	[[ $stderr == *"ingest.pollers.snmp[0]: walk[0]: not a numeric OID"* ]]
	printf 'ingest:\n  pollers:\n    snmp:\n      - address: h\n        version: 3\n        user: u\n        auth_protocol: ROT13\n        auth_passphrase_file: /x\n' > c.yaml
	run -78 --separate-stderr aiops-ingest poll --config c.yaml
	[[ $stderr == *"ingest.pollers.snmp[0]: auth protocol \"ROT13\""* ]]
	printf 'ingest:\n  pollers:\n    snmp:\n      - address: h\n        community: public\n' > c.yaml
	run -78 --separate-stderr aiops-ingest poll --config c.yaml
	[[ $stderr == *"unknown key 'community'"* ]]
	printf 'ingest:\n  pollers:\n    snmp:\n      - address: h\n' > c.yaml
	run -78 --separate-stderr aiops-ingest poll --config c.yaml
	[[ $stderr == *"community_file: required"* ]]
}

@test "poll snmp: a registered cluster's agent, with its credential file, labelled with the cluster" {
	start_snmpd
	aiops-ingest cluster add --environment dev --type baremetal \
	    --snmp "127.0.0.1:$PORT" --snmp-credentials "$PWD/community" lab
	cat > c.yaml <<EOF
ingest:
  pollers:
    snmp:
      - walk: [1.3.6.1.2.1.1.9]
        get: [1.3.6.1.2.1.1.5.0]
EOF
	run -0 --separate-stderr aiops-ingest poll --config c.yaml
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jq -r .cluster | sort -u)" = lab ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.name == "sysORUpTime") | .name' | wc -l)" -ge 5 ]
	# --store keeps them.
	run -0 aiops-ingest poll --config c.yaml --store-only
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM series")" -ge 5 ]
}

# ------------------------------------------------------------- nvidia-smi

# An nvidia-smi stand-in in ./bin printing what $1 says: csv, fail, hang.
stand_in() {
	mkdir -p bin
	case $1 in
	csv) cat > bin/nvidia-smi <<'EOF'
#!/bin/sh
# nvidia-smi --query-gpu=... --format=csv,nounits, as the documentation shows it.
case "$1 $2" in
--query-gpu=index,name,uuid,*" --format=csv,nounits") ;;
*) echo "unexpected arguments: $*" >&2; exit 2 ;;
esac
echo "index, name, uuid, pci.bus_id, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], memory.free [MiB], temperature.gpu, power.draw [W], power.limit [W], fan.speed [%], ecc.errors.corrected.volatile.total, ecc.errors.uncorrected.volatile.total"
echo "0, NVIDIA A100-SXM4-40GB, GPU-1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718, 00000000:07:00.0, 45, 20, 30000, 40960, 10960, 61, 250.51, 400.00, [N/A], 0, 0"
echo "1, NVIDIA A100-SXM4-40GB, GPU-aa00bb11-cc22-dd33-ee44-ff5566778899, 00000000:0F:00.0, 0, 0, 4, 40960, 40956, 33, 52.10, 400.00, [N/A], 3, 1"
EOF
	;;
	fail) printf '#!/bin/sh\necho "NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver."\nexit 9\n' > bin/nvidia-smi ;;
	hang) printf '#!/bin/sh\nsleep 30\n' > bin/nvidia-smi ;;
	esac
	chmod +x bin/nvidia-smi
}

@test "poll nvidia_smi: the stand-in's CSV becomes GPU metrics and gpu events" {
	stand_in csv
	printf 'ingest:\n  pollers:\n    nvidia_smi:\n      - host: gpu-node-1\n' > c.yaml
	PATH=$PWD/bin:$PATH run -0 --separate-stderr aiops-ingest poll --config c.yaml
	[ -z "$stderr" ]
	holds '(.name == "nvidia_smi_temperature_gpu" and .labels.gpu == "0") and (.value == 61 and .host == "gpu-node-1")'
	holds '(.name == "nvidia_smi_memory_used" and .labels.gpu == "1") and (.value == 4 and .labels.uuid == "GPU-aa00bb11-cc22-dd33-ee44-ff5566778899")'
	[ "$(printf '%s\n' "$output" | jq -r 'select(.type == "gpu") | .type' | wc -l)" -eq 2 ]
	! holds '.name == "nvidia_smi_fan_speed"'
}

@test "poll nvidia_smi: one that fails, one that hangs past the timeout, none on PATH" {
	stand_in fail
	printf 'ingest:\n  pollers:\n    nvidia_smi:\n      - timeout: 1s\n' > c.yaml
	PATH=$PWD/bin:$PATH run -1 --separate-stderr aiops-ingest poll --config c.yaml
	[ -z "$output" ]
	[[ $stderr == *"exit status 9: NVIDIA-SMI has failed"* ]]
	stand_in hang
	SECONDS=0
	PATH=$PWD/bin:$PATH run -1 --separate-stderr aiops-ingest poll --config c.yaml
	[ "$SECONDS" -lt 8 ]
	[[ $stderr == *"no answer in 1s: killed"* ]]
	# No nvidia-smi on PATH: skipped quietly...
	PATH=/usr/bin:/bin run -0 --separate-stderr "$AIOPS_BUILDDIR/bin/aiops-ingest" poll --config c.yaml
	[ -z "$output" ] && [ -z "$stderr" ]
	# ...unless named explicitly.
	printf 'ingest:\n  pollers:\n    nvidia_smi:\n      - command: %s/none/nvidia-smi\n' "$PWD" > c.yaml
	run -1 --separate-stderr aiops-ingest poll --config c.yaml
	[[ $stderr == *"none/nvidia-smi"* ]]
}

# ------------------------------------------------------------- Redfish

start_redfish() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout bmc.key -out bmc.crt -days 2 \
	    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
	/usr/bin/python3 "$AIOPS_SRCDIR/tests/helpers/redfishd.py" bmc.crt bmc.key admin:s3cret-pw \
	    "$FIXTURES/ingest/redfish-thermal.json" "$FIXTURES/ingest/redfish-power.json" 60 \
	    > rf.port 2> rf.log 3>&- &
	RF_PID=$!
	local i
	for i in $(seq 50); do
		[ -s rf.port ] && break
		sleep 0.1
	done
	RFPORT=$(cat rf.port)
	[ -n "$RFPORT" ]
}

@test "poll redfish: Thermal, Power and the chassis and system health over HTTPS with Basic auth" {
	start_redfish
	secret bmc.cred admin:s3cret-pw
	cat > c.yaml <<EOF
ingest:
  pollers:
    redfish:
      - url: https://127.0.0.1:$RFPORT
        credentials: $PWD/bmc.cred
        ca_file: $PWD/bmc.crt
EOF
	run -0 --separate-stderr aiops-ingest poll --config c.yaml
	[ -z "$stderr" ]
	# The same readings as the redfish format gives of the two resources.
	printf '%s\n' "$output" | jq -c 'select(.name != "redfish_health" or .labels.kind != "chassis" and .labels.kind != "system") | del(.ts, .id, .host)' | sort > polled
	cat "$FIXTURES/ingest/redfish-thermal.json" "$FIXTURES/ingest/redfish-power.json" |
	    aiops-ingest -f redfish | jq -c 'del(.ts, .id, .host) | .labels.chassis = "1U"' | sort > direct
	diff -u direct polled
	holds '(.name == "redfish_health" and .labels.kind == "chassis") and (.labels.chassis == "1U" and .value == 1)'
	holds '(.name == "redfish_health" and .labels.kind == "system") and (.labels.system == "1" and .value == 0.5)'
	[ "$(printf '%s\n' "$output" | jq -r .host | sort -u)" = 127.0.0.1 ]
	grep -qx /redfish/v1/Chassis/1U/Power rf.log
	# Without the CA file the self-signed certificate is refused...
	sed -i '/ca_file/d' c.yaml
	run -1 --separate-stderr aiops-ingest poll --config c.yaml
	[[ $stderr == *"/redfish/v1/"* ]]
	[ -z "$output" ]
	# ...unless the target says insecure.
	printf '        insecure: true\n' >> c.yaml
	run -0 aiops-ingest poll --config c.yaml
}

@test "poll redfish: a wrong password is a 401, said without the password; a cluster's BMC" {
	start_redfish
	secret bmc.cred admin:not-the-password
	cat > c.yaml <<EOF
ingest:
  pollers:
    redfish:
      - url: https://127.0.0.1:$RFPORT
        credentials: $PWD/bmc.cred
        insecure: true
EOF
	run -1 --separate-stderr aiops-ingest poll --config c.yaml
	[ -z "$output" ]
	[[ $stderr == *"401"* ]]
	! grep -q not-the-password <<< "$stderr"
	secret good.cred admin:s3cret-pw
	aiops-ingest cluster add --environment prod --type baremetal \
	    --redfish "https://127.0.0.1:$RFPORT" --redfish-credentials "$PWD/good.cred" rack7
	printf 'ingest:\n  pollers:\n    redfish:\n      - ca_file: %s/bmc.crt\n' "$PWD" > c.yaml
	run -0 --separate-stderr aiops-ingest poll --config c.yaml
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jq -r .cluster | sort -u)" = rack7 ]
	holds '.name == "redfish_temperature_celsius"'
}

@test "cluster check: an SNMP agent answers with its sysUpTime.0, asked with the community of its credential file" {
	start_snmpd
	secret wrong "not-$COMMUNITY"
	printf 'ingest:\n  clusters:\n    timeout: 500ms\n    offline_after: 1\n' > c.yaml
	aiops-ingest cluster add --environment dev --type baremetal --snmp "127.0.0.1:$PORT" \
	    --snmp-credentials "$PWD/community" good > /dev/null
	aiops-ingest cluster add --environment dev --type baremetal --snmp "127.0.0.1:$PORT" \
	    --snmp-credentials "$PWD/wrong" bad > /dev/null
	run --separate-stderr aiops-ingest cluster check --config c.yaml
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.action == "status_changed") | "\(.name) \(.status)"' <<< "$output" | sort | paste -sd,)" = "bad offline,good online" ]
	aiops-ingest cluster show --json good | jq -e '.health.snmp.up == true'
	aiops-ingest cluster show --json bad | jq -e '.health.snmp.up == false and (.health.snmp.error | test("127.0.0.1"))'
	# The community is in no message.
	[[ "$stderr" != *"$COMMUNITY"* ]]
	! aiops-ingest cluster show --json bad | grep -qF "$COMMUNITY"
}
