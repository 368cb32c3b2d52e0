#!/usr/bin/env bats
# aiops-ingest -f snmp: the output of net-snmp's snmpget and snmpwalk
# (lib/ingest/snmp.c), from fixtures and from a real snmpd started here.
setup() {
	load test_helper
	cd "$FIXTURES/ingest" || return
	SNMPD_PID=
}

teardown() {
	if [[ -n $SNMPD_PID ]]; then
		kill "$SNMPD_PID" 2>/dev/null
		wait "$SNMPD_PID" 2>/dev/null
	fi
	return 0
}

# Every line of $output is a JSON object.
ndjson_ok() {
	[ "$(printf '%s\n' "$output" | jq -c 'type == "object"' | grep -c true)" \
	    -eq "$(printf '%s\n' "$output" | wc -l)" ]
}

# The metric NAME with labels LABELS (a jq object) in $output: "value metric_type unit".
metric() {
	printf '%s\n' "$output" | jq -r --arg n "$1" --argjson l "$2" \
	    'select(.name == $n and .labels == $l) | "\(.value) \(.metric_type) \(.unit)"'
}

# ------------------------------------------------------------- fixtures

@test "snmp: named output (IF-MIB, HOST-RESOURCES-MIB, SNMPv2-MIB) matches the golden file" {
	run -0 --separate-stderr aiops-ingest -f snmp snmp-named.txt
	diff -u snmp-named.expected <(printf '%s\n' "$output")
	[ -z "$stderr" ]
	ndjson_ok
}

@test "snmp: interface rows are named as snmp_exporter names them, labelled by ifDescr, ifName, ifAlias" {
	run -0 aiops-ingest -f snmp snmp-named.txt
	l2='{"ifIndex":"2","ifDescr":"Intel Corporation 82540EM Gigabit Ethernet Controller","ifName":"eth0","ifAlias":"uplink to \"core\""}'
	[ "$(metric ifHCInOctets "$l2")" = "123456789012 counter null" ]
	[ "$(metric ifInOctets "$l2")" = "4294967295 counter null" ]
	[ "$(metric ifInErrors "$l2")" = "7 counter null" ]
	[ "$(metric ifSpeed "$l2")" = "1000000000 gauge null" ]
	[ "$(metric ifOperStatus "$l2")" = "2 gauge null" ]
	[ "$(metric ifLastChange "$l2")" = "12.34 gauge seconds" ]
	# lo: an empty ifAlias is no label.
	l1='{"ifIndex":"1","ifDescr":"lo","ifName":"lo"}'
	[ "$(metric ifType "$l1")" = "24 gauge null" ]
	[ "$(metric ifHCInOctets "$l1")" = "292365 counter null" ]
	# Strings give no metric; ifIndex is the label, not a metric.
	[ -z "$(printf '%s\n' "$output" | jq -r 'select(.name | test("ifDescr|ifName|ifAlias|ifPhysAddress|ifIndex|sysDescr|sysName|sysLocation|sysObjectID|hrStorageDescr|hrStorageType|hrStorageIndex"))')" ]
}

@test "snmp: sysUpTime in seconds, the host from sysName.0, one time for the walk" {
	run -0 aiops-ingest -f snmp snmp-named.txt
	[ "$(metric sysUpTime '{}')" = "86423 gauge seconds" ]
	[ "$(metric hrSystemUptime '{}')" = "123.45 gauge seconds" ]
	[ "$(printf '%s\n' "$output" | jq -r .host | sort -u)" = gw1 ]
	[ "$(printf '%s\n' "$output" | jq -r .ts | sort -u)" = 2026-11-22T12:00:00.000Z ]
	[ "$(printf '%s\n' "$output" | jq -r .source | sort -u)" = snmp ]
}

@test "snmp: hrStorage in allocation units as the MIB has them, and in bytes" {
	run -0 aiops-ingest -f snmp snmp-named.txt
	l='{"hrStorageIndex":"36","hrStorageDescr":"/"}'
	[ "$(metric hrStorageAllocationUnits "$l")" = "4096 gauge null" ]
	[ "$(metric hrStorageSize "$l")" = "66053021 gauge null" ]
	[ "$(metric hrStorageUsed "$l")" = "4708804 gauge null" ]
	[ "$(metric hrStorageSize_bytes "$l")" = "270553174016 gauge bytes" ]
	[ "$(metric hrStorageUsed_bytes "$l")" = "19287261184 gauge bytes" ]
	l='{"hrStorageIndex":"1","hrStorageDescr":"Physical memory"}'
	[ "$(metric hrStorageUsed_bytes "$l")" = "1400430592 gauge bytes" ]
	[ "$(metric hrProcessorLoad '{"hrDeviceIndex":"196608","hrDeviceDescr":"GenuineIntel: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"}')" = "3 gauge null" ]
	[ "$(metric hrProcessorLoad '{"hrDeviceIndex":"196609"}')" = "97 gauge null" ]
}

@test "snmp: OIDs outside the table: a MIB name keeps its name, a number is snmp_<arcs>" {
	run -0 aiops-ingest -f snmp snmp-named.txt
	[ "$(metric laLoadInt '{"index":"1"}')" = "12 gauge null" ]
	[ "$(metric laLoadFloat '{"index":"1"}')" = "0.12 gauge null" ]
	# SNMPv2-SMI::enterprises is 1.3.6.1.4.1: the same name as with -On.
	[ "$(metric snmp_1_3_6_1_4_1_2021_10_1_5_2 '{}')" = "8 gauge null" ]
}

@test "snmp: No Such Instance gives nothing, noted at -v" {
	run -0 --separate-stderr aiops-ingest -v -f snmp snmp-named.txt
	[ "$(printf '%s\n' "$output" | jq -r 'select(.labels.ifIndex == "9")')" = "" ]
	[[ $stderr == *"snmp-named.txt:58: 1.3.6.1.2.1.2.2.1.10.9: no value: No Such Instance currently exists at this OID"* ]]
}

@test "snmp: numeric output (-On, iso.) with wrapped Hex-STRING and multi-line STRING matches the golden file" {
	run -0 --separate-stderr aiops-ingest -f snmp snmp-numeric.txt
	diff -u snmp-numeric.expected <(printf '%s\n' "$output")
	[ -z "$stderr" ]
	ndjson_ok
	# ifDescr.4 came as a Hex-STRING over two lines, NUL-terminated.
	l='{"ifIndex":"4","ifDescr":"eth0.100 (vlan) uplink","ifName":"eth0.100"}'
	[ "$(metric ifInOctets "$l")" = "34532479 counter null" ]
	[ "$(metric ifHCInOctets "$l")" = "18446744073709552000 counter null" ]
	[ "$(metric sysUpTime '{}')" = "2.53 gauge seconds" ]
	[ "$(metric hrStorageSize_bytes '{"hrStorageIndex":"36","hrStorageDescr":"/"}')" = "270553174016 gauge bytes" ]
	[ "$(metric snmp_1_3_6_1_4_1_2021_4_5_0 '{}')" = "24684092 gauge null" ]
	# The quoted sysDescr ran over three lines: none of them is a binding.
	[ "$(printf '%s\n' "$output" | jq -r .host | sort -u)" = router-7 ]
	[ "${#lines[@]}" -eq 16 ]
}

@test "snmp: bad lines are reported by line, nothing of them written, the rest kept" {
	run -65 --separate-stderr aiops-ingest -v -f snmp snmp-bad.txt
	diff -u snmp-bad.stderr <(grep -o 'snmp-bad.txt:[0-9]*: skipped: .*' <<< "$stderr")
	[[ $stderr == *"13 lines skipped"* ]]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(metric ifInOctets '{"ifIndex":"1","ifDescr":"lo"}')" = "100 counter null" ]
}

@test "snmp: auto-detection picks snmp for named, -On and iso. output" {
	run -0 --separate-stderr aiops-ingest snmp-named.txt
	diff -u snmp-named.expected <(printf '%s\n' "$output")
	run -0 --separate-stderr aiops-ingest snmp-numeric.txt
	diff -u snmp-numeric.expected <(printf '%s\n' "$output")
	run -0 aiops-ingest <<< 'iso.3.6.1.2.1.2.2.1.10.2 = Counter32: 123'
	[ "$(metric ifInOctets '{"ifIndex":"2"}')" = "123 counter null" ]
	run -0 aiops-ingest <<< 'IF-MIB::ifHCInOctets.2 = Counter64: 123'
	[ "$(metric ifHCInOctets '{"ifIndex":"2"}')" = "123 counter null" ]
}

@test "snmp: --host wins over sysName.0; without either there is no host" {
	run -0 aiops-ingest -f snmp -H core-sw1 snmp-named.txt
	[ "$(printf '%s\n' "$output" | jq -r .host | sort -u)" = core-sw1 ]
	run -0 aiops-ingest -f snmp <<< '.1.3.6.1.2.1.2.2.1.10.2 = Counter32: 5'
	[ "$(printf '%s\n' "$output" | jq -r 'has("host")')" = false ]
}

@test "snmp: short (-Os) and full (-Of) names, sysUpTimeInstance, Wrong Type, -Ot ticks" {
	run -0 aiops-ingest -f snmp <<'EOF'
ifDescr.3 = STRING: wlan0
ifInOctets.3 = Counter32: 5
.iso.org.dod.internet.mgmt.mib-2.interfaces.ifTable.ifEntry.ifOutOctets.3 = Counter32: 6
DISMAN-EVENT-MIB::sysUpTimeInstance = Timeticks: 12345
IF-MIB::ifInErrors.3 = Wrong Type (should be Counter32): Gauge32: 9
EOF
	[ "$(metric ifInOctets '{"ifIndex":"3","ifDescr":"wlan0"}')" = "5 counter null" ]
	[ "$(metric ifOutOctets '{"ifIndex":"3","ifDescr":"wlan0"}')" = "6 counter null" ]
	[ "$(metric sysUpTime '{}')" = "123.45 gauge seconds" ]
	[ "$(metric ifInErrors '{"ifIndex":"3","ifDescr":"wlan0"}')" = "9 gauge null" ]
}

@test "snmp: a polling loop's walks are written one by one, each with its own labels" {
	run -0 aiops-ingest -f snmp <<'EOF'
.1.3.6.1.2.1.2.2.1.2.2 = STRING: "eth0"
.1.3.6.1.2.1.2.2.1.10.2 = Counter32: 100
.1.3.6.1.2.1.2.2.1.2.2 = STRING: "wan0"
.1.3.6.1.2.1.2.2.1.10.2 = Counter32: 250
Variables found: 2
.1.3.6.1.2.1.2.2.1.10.2 = Counter32: 300
EOF
	[ "${#lines[@]}" -eq 3 ]
	# snmpwalk -Cp's count ends a walk too: the third has no ifDescr.
	[ "$(printf '%s\n' "$output" | jq -r '"\(.labels.ifDescr)=\(.value)"' | paste -sd,)" = eth0=100,wan0=250,null=300 ]
}

@test "snmp: No more variables ends a walk: the next walk does not inherit its labels" {
	run -0 aiops-ingest -f snmp <<'EOF'
.1.3.6.1.2.1.2.2.1.2.2 = STRING: "eth0"
.1.3.6.1.2.1.2.2.1.10.2 = Counter32: 100
.1.3.6.1.9 = No more variables left in this MIB View (It is past the end of the MIB tree)
.1.3.6.1.2.1.2.2.1.16.2 = Counter32: 7
EOF
	[ "$(metric ifInOctets '{"ifIndex":"2","ifDescr":"eth0"}')" = "100 counter null" ]
	[ "$(metric ifOutOctets '{"ifIndex":"2"}')" = "7 counter null" ]
}

@test "snmp: a STRING cut at the end of the input: the walk is kept, the cut noted" {
	run -0 --separate-stderr aiops-ingest -v -f snmp <<'EOF'
.1.3.6.1.2.1.2.2.1.10.2 = Counter32: 100
.1.3.6.1.2.1.2.2.1.2.2 = STRING: "eth0 is
EOF
	[ "$(metric ifInOctets '{"ifIndex":"2","ifDescr":"eth0 is"}')" = "100 counter null" ]
	[[ $stderr == *"(stdin):2: the STRING of line 2 has no closing quote at the end of the input: taken as read"* ]]
}

@test "snmp: hostile input: long OIDs refused, long strings cut, many values written in parts" {
	oid=$(printf '.1%.0s' $(seq 200))
	run -65 --separate-stderr aiops-ingest -f snmp <<< "$oid = INTEGER: 1"
	[[ $stderr == *"skipped: not an OID"* ]]
	big=$(head -c 100000 /dev/zero | tr '\0' x)
	run -0 --separate-stderr aiops-ingest -v -f snmp <<EOF
.1.3.6.1.2.1.2.2.1.2.2 = STRING: "$big"
.1.3.6.1.2.1.2.2.1.10.2 = Counter32: 1
EOF
	[ "$(printf '%s\n' "$output" | jq -r '.labels.ifDescr | length')" -eq 1024 ]
	[[ $stderr == *"the string of line 1 has more than 1024 bytes: the label keeps the first 1024"* ]]
	# 70000 values: more than a walk holds (65536): all written, noted at -v.
	awk 'BEGIN { for (i = 1; i <= 70000; i++) printf ".1.3.6.1.2.1.2.2.1.10.%d = Counter32: %d\n", i, i }' > "$BATS_TEST_TMPDIR/many"
	run -0 --separate-stderr aiops-ingest -v -f snmp "$BATS_TEST_TMPDIR/many"
	[ "${#lines[@]}" -eq 70000 ]
	[[ $stderr == *"more than 65536 values in one walk"* ]]
	[ "$(printf '%s\n' "$output" | jq -s 'map(.value) | add')" -eq $((70000 * 70001 / 2)) ]
}

@test "snmp: --store keeps the counters with their type" {
	run -0 aiops-ingest -f snmp --store-only snmp-named.txt
	run -0 sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM series"
	[ "$output" -eq 38 ]
}

# ------------------------------------------------------------ real snmpd

# A free UDP port on 127.0.0.1.
udp_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts snmpd on 127.0.0.1:$PORT, read-only for a random $COMMUNITY from
# 127.0.0.1 only, as the user running the tests (root is not needed: the
# port is above 1024 and the persistent files go to the test's directory).
# timeout(1) ends it even when teardown never runs.
start_snmpd() {
	local snmpd dir=$BATS_TEST_TMPDIR/snmpd i
	snmpd=$(command -v snmpd || echo /usr/sbin/snmpd)
	[ -x "$snmpd" ] || skip "snmpd is not installed (Debian package snmpd)"
	command -v snmpwalk >/dev/null || skip "snmpwalk is not installed (Debian package snmp)"
	PORT=$(udp_port)
	COMMUNITY=c$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	mkdir -p "$dir"
	cat > "$dir/snmpd.conf" <<EOF
agentaddress udp:127.0.0.1:$PORT
rocommunity $COMMUNITY 127.0.0.1
sysName aiops-test-agent
EOF
	chmod 600 "$dir/snmpd.conf"
	# -C: this file only; -I -smux: no listener on TCP 199.
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

walk() {
	snmpwalk -v2c -c "$COMMUNITY" -On "127.0.0.1:$PORT" "$@" 2>/dev/null
}

@test "snmp: a real snmpd's interfaces and host resources, through snmpwalk -On" {
	start_snmpd
	{ walk 1.3.6.1.2.1.1; walk 1.3.6.1.2.1.2.2; walk 1.3.6.1.2.1.25; } > "$BATS_TEST_TMPDIR/walk"
	grep -q '^\.1\.3\.6\.1\.2\.1\.2\.2\.1\.2\.1 = STRING: "lo"$' "$BATS_TEST_TMPDIR/walk"
	run -0 --separate-stderr aiops-ingest -f snmp "$BATS_TEST_TMPDIR/walk"
	[ -z "$stderr" ]
	ndjson_ok
	# lo is ifIndex 1 on Linux: its counters are counters, with ifDescr.
	lo='{"ifIndex":"1","ifDescr":"lo"}'
	[[ $(metric ifInOctets "$lo") =~ ^[0-9]+\ counter\ null$ ]]
	[[ $(metric ifOutOctets "$lo") =~ ^[0-9]+\ counter\ null$ ]]
	[ "$(metric ifType "$lo")" = "24 gauge null" ]
	# One counter per Counter32 line of the walk, no more, no less.
	[ "$(printf '%s\n' "$output" | jq -r 'select(.metric_type == "counter") | .name' | wc -l)" -eq \
	    "$(grep -c '= Counter32: ' "$BATS_TEST_TMPDIR/walk")" ]
	[ "$(printf '%s\n' "$output" | jq -r .host | sort -u)" = aiops-test-agent ]
	[[ $(metric sysUpTime '{}') =~ ^[0-9.]+\ gauge\ seconds$ ]]
	# hrStorage: Physical memory, and its bytes = units x allocation units.
	pm='{"hrStorageIndex":"1","hrStorageDescr":"Physical memory"}'
	size=$(metric hrStorageSize "$pm" | cut -d' ' -f1)
	units=$(metric hrStorageAllocationUnits "$pm" | cut -d' ' -f1)
	[ "$size" -gt 0 ] && [ "$units" -gt 0 ]
	[ "$(metric hrStorageSize_bytes "$pm")" = "$((size * units)) gauge bytes" ]
	[ "$(grep -c '^\.1\.3\.6\.1\.2\.1\.25\.2\.3\.1\.5\.' "$BATS_TEST_TMPDIR/walk")" -eq \
	    "$(printf '%s\n' "$output" | jq -r 'select(.name == "hrStorageSize") | .labels.hrStorageDescr' | grep -c .)" ]
}

@test "snmp: a real snmpd through a pipe, default output (iso.), auto-detected" {
	start_snmpd
	run -0 --separate-stderr bash -c "snmpwalk -v2c -c '$COMMUNITY' 127.0.0.1:$PORT 1.3.6.1.2.1.2.2 2>/dev/null | aiops-ingest"
	[[ $(metric ifInOctets '{"ifIndex":"1","ifDescr":"lo"}') =~ ^[0-9]+\ counter\ null$ ]]
	# A community the agent does not know gets nothing.
	run snmpget -v2c -c wrong -t 0.3 -r 0 "127.0.0.1:$PORT" 1.3.6.1.2.1.1.5.0
	[ "$status" -ne 0 ]
}
