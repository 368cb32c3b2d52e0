#!/usr/bin/python3
"""bench/notify/gen.py - one stream of distinct alerts, in two forms.

usage: gen.py OUTDIR [-n N] [--seed S] [--batch B] [--span SECONDS]
              [--am-base EPOCH]

Writes N alerts (default 100,000), every one with its own fingerprint,
the same label sets in both files:
  OUTDIR/events.ndjson  aiops alert events (aiops-notify(1), "alert"):
                        type, ts, alertname, status firing, starts_at,
                        labels, annotations; ts = starts_at, in order,
                        spread over SPAN seconds (default 600) of event
                        time from 2026-11-22T12:00:00Z
  OUTDIR/am.ndjson      the same alerts as Alertmanager API v2 batches, one
                        JSON array of B alerts (default 100) a line, for
                        POST /api/v2/alerts: labels, annotations, startsAt
                        (the same offsets from EPOCH, default the event
                        base; give the wall clock less SPAN so that
                        Alertmanager holds them as fresh), no endsAt (it
                        keeps them for resolve_timeout)

Labels: alertname (one of 20), cluster (one of 10), instance (unique per
alert, hence the fingerprint), job (one of 6), severity (critical only
for the first 4 alertnames, about 1 in 20 of theirs; else warning or
info).  bench/notify/run writes the configuration whose routes, inhibition
rule and silences select from these.
Standard library only; the same seed gives the same bytes.
"""
import argparse
import json
import os
import random
from datetime import datetime, timezone

ALERTNAMES = [
    "NodeDown", "DiskFull", "HighLatency", "ErrorBudgetBurn",   # may be critical
    "HighCPU", "HighMemory", "DiskWillFillIn4h", "NodeClockSkew",
    "NodeNetworkErrors", "NodeFilesystemReadonly", "TargetDown",
    "PostgresReplicationLag", "PostgresTooManyConnections", "MySQLSlowQueries",
    "NginxHigh5xx", "NginxUpstreamDown", "KubePodCrashLooping",
    "KubeJobFailed", "CertificateExpiry", "BatchJobLate",
]
CRITICAL_NAMES = 4
CLUSTERS = ["eu-%d" % i for i in range(1, 5)] + ["us-%d" % i for i in range(1, 5)] + \
    ["staging-1", "staging-2"]
JOBS = ["node", "postgres", "mysql", "nginx", "kubelet", "batch"]
BASE = int(datetime(2026, 11, 22, 12, 0, 0, tzinfo=timezone.utc).timestamp())


def rfc3339(t):
    """Epoch seconds (a float) as RFC 3339 UTC with milliseconds."""
    ms = int(round(t * 1000))
    d = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


def alerts(n, seed, span):
    """Yields (offset seconds, labels, annotations) for n distinct alerts."""
    rng = random.Random(seed)
    for i in range(n):
        k = rng.randrange(len(ALERTNAMES))
        name = ALERTNAMES[k]
        if k < CRITICAL_NAMES and rng.random() < 0.05:
            sev = "critical"
        else:
            sev = "warning" if rng.random() < 0.7 else "info"
        labels = {
            "alertname": name,
            "cluster": rng.choice(CLUSTERS),
            "instance": "node-%06d:9100" % i,
            "job": rng.choice(JOBS),
            "severity": sev,
        }
        ann = {"summary": "%s on node-%06d" % (name, i),
               "description": "%s has been %s for more than 5 minutes." % (name, sev)}
        yield span * i / n, labels, ann


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--span", type=float, default=600)
    ap.add_argument("--am-base", type=float, default=BASE)
    a = ap.parse_args()
    if a.n < 1 or a.batch < 1 or a.span < 0:
        ap.error("-n and --batch must be positive, --span not negative")
    os.makedirs(a.outdir, exist_ok=True)
    batch = []
    with open(os.path.join(a.outdir, "events.ndjson"), "w") as ev, \
            open(os.path.join(a.outdir, "am.ndjson"), "w") as am:
        for off, labels, ann in alerts(a.n, a.seed, a.span):
            ts = rfc3339(BASE + off)
            ev.write(json.dumps({"type": "alert", "ts": ts, "alertname": labels["alertname"],
                                 "status": "firing", "starts_at": ts, "labels": labels,
                                 "annotations": ann}, separators=(",", ":")) + "\n")
            batch.append({"labels": labels, "annotations": ann,
                          "startsAt": rfc3339(a.am_base + off)})
            if len(batch) == a.batch:
                am.write(json.dumps(batch, separators=(",", ":")) + "\n")
                batch = []
        if batch:
            am.write(json.dumps(batch, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
