#!/usr/bin/env bats
# aiops-detect --raw on what a state must survive: a rare template's burst,
# text that never forms templates (bounded state), a second run.
setup() {
	load test_helper
}

# rare FROM TO BURST: raw lines of minutes FROM..TO-1 from 2026-01-05: a
# heartbeat a minute, a backup line once a day (minute 100 of each), and at
# minute BURST (-1: none) 80 backup lines at once.
rare() {
	python3 - "$@" <<'PY'
import datetime, sys
start, end, burst = (int(a) for a in sys.argv[1:4])
t0 = datetime.datetime(2026, 1, 5)
for m in range(start, end):
    ts = (t0 + datetime.timedelta(minutes=m)).strftime('%Y-%m-%dT%H:%M:%SZ')
    print(f'{ts} INFO app: heartbeat ok')
    if m % 1440 == 100:
        print(f'{ts} INFO backup: volume 7 copied to the vault')
    if m == burst:
        for j in range(80):
            print(f'{ts} INFO backup: volume {j} copied to the vault')
PY
}

@test "a template seen once a day that writes 80 lines in a minute is flagged" {
	rare 0 2900 2800 > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --raw --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in"
	jq -e -s 'map(select(.name == "log_template_rate")) | length == 1
	    and .[0].value == 80 and .[0].labels.template_id == "2"
	    and .[0].ts == "2026-01-06T22:41:00.000Z"' <<<"$output"
}
