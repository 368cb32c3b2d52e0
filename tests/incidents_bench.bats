#!/usr/bin/env bats
# bench/incidents: gensamples --fleet (seeded fleet data with planted
# faults, faults.json the truth), the quick start's faults.json, and
# score.py on a hand-made incidents file whose answers are known.
setup() {
	load test_helper
	D="$BATS_TEST_TMPDIR"
	GEN="${AIOPS_BUILDDIR:-$BATS_TEST_DIRNAME/..}/share/samples/gensamples"
	SCORE="${AIOPS_SRCDIR:-$BATS_TEST_DIRNAME/..}/bench/incidents/score.py"
}

# check_faults DIR NHOSTS DAYS: faults.json is six valid faults inside
# the data, after day 0, not overlapping, on hosts metrics.lp has.
check_faults() {
	python3 - "$@" <<'PY'
import json, re, sys
from datetime import datetime
d, nhosts, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
hosts = set()
with open(d + "/metrics.lp") as f:
    for line in f:
        hosts.add(re.search(r",host=([^, ]+)", line).group(1))
assert len(hosts) == nhosts, hosts
t0 = datetime.fromisoformat("2026-11-01T00:00:00+00:00").timestamp()
ts = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
faults = [json.loads(l) for l in open(d + "/faults.json")]
assert [f["id"] for f in faults] == ["f%d" % i for i in range(1, 7)], faults
assert sorted(f["kind"] for f in faults) == sorted(["memory", "db_connections",
    "disk_full", "cpu", "disk_io", "network"])
prev = None
for f in faults:
    assert set(f) == {"id", "kind", "hosts", "cause_host", "start", "end",
                      "signals", "title"}, f
    assert f["cause_host"] == f["hosts"][0] and set(f["hosts"]) <= hosts, f
    s, e = ts(f["start"]), ts(f["end"])
    assert t0 + 86400 <= s < e <= t0 + days * 86400, f
    assert prev is None or prev < s, f
    prev = e
    assert f["signals"] and f["title"].startswith(f["cause_host"] + ": "), f
PY
}

@test "gensamples --fleet: byte-identical for a seed, another seed differs" {
	run -0 "$GEN" --fleet --hosts 4 --days 3 "$D/a"
	run -0 "$GEN" --fleet --hosts 4 --days 3 --seed 1 "$D/b"
	run -0 "$GEN" --fleet --hosts 4 --days 3 --seed 2 "$D/c"
	for f in metrics.lp syslog.log faults.json; do
		cmp "$D/a/$f" "$D/b/$f"
		! cmp -s "$D/a/$f" "$D/c/$f"
	done
}

@test "gensamples --fleet --hosts 4 --days 3: six faults on hosts of the data, in seconds" {
	SECONDS=0
	run -0 "$GEN" --fleet --hosts 4 --days 3 --seed 7 "$D/f"
	[ "$SECONDS" -lt 10 ]
	check_faults "$D/f" 4 3
	[ "$(grep -c . "$D/f/metrics.lp")" -eq $((3 * 1440 * (9 + 10 + 9 + 9))) ]
}

@test "gensamples --fleet: the default fleet, 8 hosts and 8 days, its faults valid" {
	run -0 "$GEN" --fleet --seed 3 "$D/f"
	check_faults "$D/f" 8 8
	rm -f "$D/f/metrics.lp"
}

@test "gensamples --fleet: each fault shows in the logs of its cause host" {
	run -0 "$GEN" --fleet --hosts 4 --days 3 --seed 5 "$D/f"
	while IFS=$'\t' read -r kind host; do
		case $kind in
		memory) pat='Out of memory: Killed process' ;;
		db_connections) pat='too many clients|remaining connection slots' ;;
		disk_full) pat='No space left on device' ;;
		cpu) pat='COMMAND=/usr/bin/kill' ;;
		disk_io) pat='blk_update_request: I/O error, dev sdb' ;;
		network) pat='NIC Link is Down' ;;
		esac
		grep -E "^<[0-9]+>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} $host [^:]*: .*($pat)" \
		    "$D/f/syslog.log" > /dev/null
	done < <(jq -r '[.kind, .cause_host] | @tsv' "$D/f/faults.json")
	# the web tier logs the database's fault after it
	jq -se 'map(select(.kind == "db_connections"))[0].hosts | length > 1' "$D/f/faults.json"
}

@test "gensamples --fleet: aiops-ingest reads the syslog lines, all of them, in 2026" {
	run -0 "$GEN" --fleet --hosts 2 --days 2 "$D/f"
	run -0 --separate-stderr aiops-ingest "$D/f/syslog.log"
	[ "${#lines[@]}" -eq "$(grep -c . "$D/f/syslog.log")" ]
	[ "$(jq -r '.ts[0:7]' <<<"$output" | sort -u)" = 2026-11 ]
	[ "$(jq -r '.host' <<<"$output" | sort -u | tr '\n' ' ')" = "db-1 web-1 " ]
}

@test "gensamples --fleet: bad sizes are usage errors" {
	run -64 "$GEN" --fleet --hosts 1 "$D/f"
	run -64 "$GEN" --fleet --days 1 "$D/f"
	run -64 "$GEN" --fleet --seed x "$D/f"
	run -64 "$GEN" --fleet
}

@test "gensamples: the quick start's faults.json names its five planted faults" {
	run -0 "$GEN" "$D/qs"
	[ "$(jq -r '[.id, .kind, .cause_host, .start, .end] | join(" ")' "$D/qs/faults.json")" = "$(printf '%s\n' \
	    'f1 security web-1 2026-11-16T02:00:00Z 2026-11-16T02:20:00Z' \
	    'f2 memory web-1 2026-11-19T07:02:41Z 2026-11-19T07:58:30Z' \
	    'f3 cpu web-2 2026-11-20T14:00:00Z 2026-11-20T14:40:00Z' \
	    'f4 disk_io db-1 2026-11-21T03:10:00Z 2026-11-21T03:25:00Z' \
	    'f5 hardware gpu-1 2026-11-21T10:00:00Z 2026-11-21T13:30:00Z')" ]
}

@test "score.py: known answers on a hand-made incidents file" {
	run -0 python3 "$SCORE" --json --hosts 5 --days 7 --start 2026-11-01T00:00:00Z \
	    "$FIXTURES/incidents/faults.json" "$FIXTURES/incidents/incidents.ndjson"
	[ "$(jq -c '.current | del(.per_fault)' <<<"$output")" = \
	    '{"cause_right":2,"faults":4,"found":4,"incidents":9,"matching":6,"median_delay_min":5,"precision":0.667,"unmatched_after_day0":2,"unmatched_per_host_day":0.067}' ]
	[ "$(jq -r '.current.per_fault[] | [.id, .incident_id, .cause_right, .delay_min] | join(" ")' <<<"$output")" = "$(printf '%s\n' \
	    'f1 a true 5' 'f2 c false 3' 'f3 e false 44' 'f4 f2 true 5')" ]
}

@test "score.py: --base prints the reference column beside; no incidents scores zero" {
	: > "$D/none.ndjson"
	run -0 python3 "$SCORE" --hosts 5 --days 7 --start 2026-11-01T00:00:00Z \
	    --base "$D/none.ndjson" "$FIXTURES/incidents/faults.json" "$FIXTURES/incidents/incidents.ndjson"
	[[ $output == *"faults found                            4/4         0/4"* ]]
	[[ $output == *"cause right                             2/4         0/4"* ]]
	[[ $output == *"f2  db_connections found  WRONG  cause web-1 upstream timed out"* ]]
}

@test "bench/incidents, short: a 4-host 3-day fleet through the contract: its faults found, their causes, little else" {
	"$GEN" --fleet --seed 1 --hosts 4 --days 3 "$D/f"
	AIOPS_NOW=2026-11-04T00:00:00Z aiops-ingest "$D/f/metrics.lp" "$D/f/syslog.log" |
	    sort -s -t '"' -k 8,8 > "$D/events"
	aiops-detect --clock event --correlate --state "$D/s.db" < "$D/events" > "$D/out"
	run -0 python3 "$SCORE" --json --hosts 4 --days 3 --start 2026-11-01T00:00:00Z \
	    "$D/f/faults.json" "$D/out"
	jq -e '.current | .found == 6 and .cause_right >= 5 and .incidents <= 9
	    and .unmatched_per_host_day <= 0.25' <<<"$output"
	# Every incident has a title, a severity and a cause with its host.
	jq -e -s 'map(select(.type == "incident")) | length > 0 and all(.title != null
	    and (.severity == "critical" or .severity == "warning") and .root_cause.host != null
	    and (.fingerprint | test("^[0-9a-f]{16}$")))' "$D/out"
}
