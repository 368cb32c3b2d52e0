#!/bin/sh
# askstate.sh SAMPLES DIR: builds DIR/state.db from the bundled samples the
# way scripts/quickstart does (aiops-ingest --store of each sample,
# aiops-detect --clock event --correlate, aiops-forecast --from-state at
# 2026-11-22T00:00Z), then has aiops-run act on the disk prediction with two
# commands instead of the playbook (one succeeds, one fails for good: a dead
# letter) and registers one cluster. The programs come from PATH; the
# caller sets AIOPS_NOW (the test clock) and the XDG directories.
set -eu
samples=$1
out=$2
mkdir -p "$out"
AIOPS_STATE=$out/state.db
export AIOPS_STATE
rm -f "$AIOPS_STATE" "$AIOPS_STATE-wal" "$AIOPS_STATE-shm"
for f in metrics.lp node.prom gpu.csv syslog.log syslog5424.log app.ndjson app.log \
    alerts.ndjson redfish-thermal.json redfish-power.json sensors.csv; do
	[ -f "$samples/$f" ] || continue
	# nvidia-smi and a BMC do not say which host they describe.
	case $f in gpu*|redfish*) host="--host gpu-1" ;; *) host= ;; esac
	# shellcheck disable=SC2086
	aiops-ingest --store $host "$samples/$f" > "$out/$f.ndjson" 2> "$out/$f.err" || [ $? -eq 65 ]
done
for f in metrics.lp syslog.log alerts.ndjson app.ndjson; do cat "$out/$f.ndjson"; done |
	sort -t '"' -k 8,8 |
	aiops-detect --clock event --correlate > "$out/detect.ndjson"
AIOPS_NOW=2026-11-22T00:00:00Z aiops-forecast --from-state > "$out/forecast.ndjson" 2> "$out/forecast.err"
cat > "$out/run.yaml" <<YAML
run:
  retry: {base: 1ms, cap: 1ms}
  rules:
    - name: disk-cleanup
      criteria:
        type: {type: equals, pattern: prediction}
        name: {type: equals, pattern: disk_used_percent}
      command: ["true"]
    - name: disk-page
      criteria:
        type: {type: equals, pattern: prediction}
        name: {type: equals, pattern: disk_used_percent}
      command: ["false"]
YAML
jq -c 'select(.type == "prediction" and .name == "disk_used_percent")' "$out/forecast.ndjson" |
	aiops-run --clock event --config "$out/run.yaml" > "$out/run.ndjson"
aiops-ingest cluster add --environment prod --type kubernetes \
    --prometheus http://127.0.0.1:9 prod-eu > "$out/cluster.ndjson"
