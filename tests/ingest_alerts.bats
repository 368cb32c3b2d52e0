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
# receiver is am-capture.py, posts an alert through its API, then resolves
# it, and feeds what the receiver got to aiops-ingest.
@test "alertmanager: payloads from a real Alertmanager" {
	local am port hook i
	am=$(command -v prometheus-alertmanager || command -v alertmanager) ||
	    skip "no alertmanager binary (apt-get install prometheus-alertmanager)"
	mkdir -p "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/am"
	/usr/bin/python3 "$IN/am-capture.py" "$BATS_TEST_TMPDIR/hook.port" "$BATS_TEST_TMPDIR/got" 3>&- &
	echo $! > "$BATS_TEST_TMPDIR/hook.pid"
	for i in $(seq 100); do [[ -s $BATS_TEST_TMPDIR/hook.port ]] && break; sleep 0.1; done
	hook=$(cat "$BATS_TEST_TMPDIR/hook.port")
	port=$(free_port)
	cat > "$BATS_TEST_TMPDIR/am.yml" <<EOF
route:
  receiver: aiops
  group_by: ['alertname']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: aiops
    webhook_configs:
      - url: http://127.0.0.1:$hook/hook
        send_resolved: true
EOF
	"$am" --config.file="$BATS_TEST_TMPDIR/am.yml" --storage.path="$BATS_TEST_TMPDIR/am" \
	    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
	    >"$BATS_TEST_TMPDIR/am.log" 2>&1 3>&- &
	echo $! > "$BATS_TEST_TMPDIR/am.pid"
	post() {
		/usr/bin/python3 - "$port" "$1" <<'EOF'
import datetime, json, sys, time, urllib.request
now = datetime.datetime.now(datetime.timezone.utc)
alert = {"labels": {"alertname": "HighCPU", "instance": "web-2:9100", "severity": "critical"},
         "annotations": {"summary": "CPU above 90% on web-2"},
         "startsAt": (now - datetime.timedelta(minutes=5)).isoformat(),
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
	post fire
	for i in $(seq 200); do [[ -f $BATS_TEST_TMPDIR/got/body-1.json ]] && break; sleep 0.1; done
	[[ -f $BATS_TEST_TMPDIR/got/body-1.json ]] || { cat "$BATS_TEST_TMPDIR/am.log"; false; }
	post resolve
	for i in $(seq 200); do [[ -f $BATS_TEST_TMPDIR/got/body-2.json ]] && break; sleep 0.1; done
	[[ -f $BATS_TEST_TMPDIR/got/body-2.json ]] || { cat "$BATS_TEST_TMPDIR/am.log"; false; }

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
