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

# distinct N [SEED]: N raw lines of program app, 20 a minute from
# 2026-01-05, each three random words (letters only, so none is masked:
# every line its own template); with them a heartbeat of program cron a
# minute, and in minute 500 twelve lines of one cron template.
distinct() {
	python3 - "$@" <<'PY'
import datetime, random, sys
n = int(sys.argv[1])
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
t0 = datetime.datetime(2026, 1, 5)
w = lambda: ''.join(rnd.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(8))
for i in range(n):
    m = i // 20
    ts = (t0 + datetime.timedelta(minutes=m, seconds=i % 20)).strftime('%Y-%m-%dT%H:%M:%SZ')
    print(f'{ts} INFO app: {w()} {w()} {w()}')
    if i % 20 == 0:
        print(f'{ts} INFO cron: heartbeat ok')
    if m == 500 and i % 20 < 12:
        print(f'{ts} INFO cron: job {i} ran')
PY
}

q() {
	sqlite3 "$BATS_TEST_TMPDIR/s.db" "$@"
}

@test "a template seen once a day that writes 80 lines in a minute is flagged" {
	rare 0 2900 2800 > "$BATS_TEST_TMPDIR/in"
	run -0 aiops-detect --raw --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in"
	jq -e -s 'map(select(.name == "log_template_rate")) | length == 1
	    and .[0].value == 80 and .[0].labels.template_id == "2"
	    and .[0].ts == "2026-01-06T22:41:00.000Z"' <<<"$output"
}

@test "the burst of a rare template is flagged when it comes in a later run" {
	rare 0 2700 -1 > "$BATS_TEST_TMPDIR/a"
	rare 2700 2900 2800 > "$BATS_TEST_TMPDIR/b"
	aiops-detect --raw --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/a"
	run -0 aiops-detect --raw --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/b"
	jq -e -s 'map(select(.name == "log_template_rate")) | length == 1
	    and .[0].value == 80 and .[0].ts == "2026-01-06T22:41:00.000Z"' <<<"$output"
}

@test "a template with a model, quiet for hours, is flagged when it bursts again" {
	# A line an hour, 12 at minute 1000 (its model is made), quiet for
	# six hours, then 80: scored after the quiet minutes, not held as a
	# point far ahead of its series.
	python3 - > "$BATS_TEST_TMPDIR/in" <<'PY'
import datetime
t0 = datetime.datetime(2026, 1, 5)
for m in range(1500):
    ts = (t0 + datetime.timedelta(minutes=m)).strftime('%Y-%m-%dT%H:%M:%SZ')
    print(f'{ts} INFO app: heartbeat ok')
    k = 12 if m == 1000 else 80 if m == 1400 else 1 if m % 60 == 7 and m < 1000 else 0
    for j in range(k):
        print(f'{ts} INFO backup: volume {j} copied to the vault')
PY
	run -0 aiops-detect --raw --no-state "$BATS_TEST_TMPDIR/in"
	[ "$(jq -r 'select(.name == "log_template_rate") | .value' <<<"$output" | paste -sd ' ')" = '12 80' ]
}

@test "a template steady under the alert floor is not a burst when it first reaches it" {
	# 6 to 9 lines a minute for 500 minutes, then 10: its model, made then,
	# starts from its own rate, not from zeros.
	python3 - > "$BATS_TEST_TMPDIR/in" <<'PY'
import datetime
t0 = datetime.datetime(2026, 1, 5)
for m in range(600):
    ts = (t0 + datetime.timedelta(minutes=m)).strftime('%Y-%m-%dT%H:%M:%SZ')
    for j in range(10 if m == 500 else 6 + (m * 7) % 4):
        print(f'{ts} INFO api: request {j} served')
PY
	run -0 aiops-detect --raw --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in"
	[ -z "$output" ]
	[ "$(q "SELECT count(*) FROM detector_models WHERE series_key LIKE 'log_template_rate%'")" -eq 1 ]
}

@test "20,000 lines of as many templates: a small state, a model only for the templates that could burst" {
	distinct 20000 > "$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr aiops-detect --raw --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in"
	# Each line is kept for search (its row and full-text index, about 125
	# bytes: 2.5 MB), and app's first 10,000 make a template each
	# (detect.logs.max_templates; about 100 bytes with its index: 1 MB):
	# 3.8 MB. A model a template (1.8 KB stored) made it 47 MB.
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/s.db")" -lt $((6 << 20)) ]
	[ "$(q 'SELECT count(*) FROM log_templates')" -eq 10003 ]
	# Twelve lines in a minute could burst (detect.logs.min_burst 10), and
	# so could the 20 a minute of app past its cap; the heartbeat's one a
	# minute, and the others' one in all, could not.
	[ "$(q "SELECT t.template FROM detector_models m JOIN log_templates t
	    ON m.series_key = 'log_template_rate{template_id=\"' || t.id || '\"}' ORDER BY t.id" |
	    paste -sd '|')" = 'job <*> ran|<*> (app: past detect.logs.max_templates)' ]
	[ "$(q "SELECT count(*) FROM detector_models WHERE series_key LIKE 'log_template_rate%'")" -eq 2 ]
}

@test "a second run over the same state goes on with the same template ids" {
	distinct 3000 > "$BATS_TEST_TMPDIR/in"
	aiops-detect --raw --all --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in" 2>/dev/null |
	    jq -r .template_id > "$BATS_TEST_TMPDIR/ids1"
	n=$(q 'SELECT count(*) FROM log_templates')
	aiops-detect --raw --all --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/in" 2>/dev/null |
	    jq -r .template_id > "$BATS_TEST_TMPDIR/ids2"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/ids1")" -eq 3150 ]
	cmp "$BATS_TEST_TMPDIR/ids1" "$BATS_TEST_TMPDIR/ids2"
	[ "$(q 'SELECT count(*) FROM log_templates')" -eq "$n" ]
	# Each template saved once a run with its count: twice the lines now.
	[ "$(q 'SELECT sum(count) FROM log_templates')" -eq 6300 ]
}

@test "past detect.logs.max_templates a program's new kinds of line share one template, told once" {
	mkdir -p "$XDG_CONFIG_HOME/aiops"
	printf 'detect:\n  logs:\n    max_templates: 1000\n' > "$XDG_CONFIG_HOME/aiops/aiops.yaml"
	distinct 3000 > "$BATS_TEST_TMPDIR/a"
	run -0 --separate-stderr aiops-detect --raw --all --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/a"
	[ "$(grep -c 'max_templates' <<<"$stderr")" -eq 1 ]
	[[ $stderr == *'app: 1000 templates, as many as detect.logs.max_templates allows'* ]]
	# 1000 of app's, the heartbeat, and app's overflow template.
	[ "$(q 'SELECT count(*) FROM log_templates')" -eq 1002 ]
	[ "$(q "SELECT id, template, count, source FROM log_templates WHERE id > 1000000")" = \
	    '4503599627370497|<*> (app: past detect.logs.max_templates)|2000|app' ]
	jq -e -s 'map(select(.service == "app")) | .[1000] | .template_id == 4503599627370497
	    and .params == [.message]' <<<"$output"
	# A second run: told again, once; app makes no template, cron still does.
	{ distinct 3000 2; echo '2026-01-05T03:00:00Z INFO cron: backup started'; } > "$BATS_TEST_TMPDIR/b"
	run -0 --separate-stderr aiops-detect --raw --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/b"
	[ "$(grep -c 'max_templates' <<<"$stderr")" -eq 1 ]
	[ "$(q 'SELECT count(*) FROM log_templates')" -eq 1003 ]
	[ "$(q "SELECT count FROM log_templates WHERE id = 4503599627370497")" -eq 5000 ]
	[ "$(q "SELECT source FROM log_templates WHERE template = 'backup started'")" = cron ]
}

@test "the model of a template not seen for detect.logs.retention is deleted, the template kept" {
	# Event time: the backup template gets its model in January.
	rare 0 2900 2800 > "$BATS_TEST_TMPDIR/a"
	aiops-detect --raw --clock event --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/a"
	[ "$(q "SELECT series_key FROM detector_models")" = 'log_template_rate{template_id="2"}' ]
	# The wall clock (AIOPS_NOW, November): a run with a burst of its own.
	{ for j in $(seq 12); do echo "2026-11-22T11:00:0${j: -1}Z INFO web: request $j failed"; done
	  echo '2026-11-22T11:01:00Z INFO web: request 13 failed'; } > "$BATS_TEST_TMPDIR/b"
	aiops-detect --raw --state "$BATS_TEST_TMPDIR/s.db" "$BATS_TEST_TMPDIR/b"
	[ "$(q "SELECT series_key FROM detector_models WHERE series_key LIKE 'log_template_rate%'")" = \
	    'log_template_rate{template_id="3"}' ]
	[ "$(q "SELECT count(*) FROM log_templates")" -eq 3 ]
}
