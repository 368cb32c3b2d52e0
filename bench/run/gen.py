#!/usr/bin/python3
"""gen.py OUTDIR [-r RULES] [-n EVENTS] [--seed S]: aiops-run's bench data.

Writes, the same rules in two forms and one stream of events:
  rules.yaml     the configuration aiops-run reads (run.rules)
  rules.json     the same rules as a JSON list, for st2ref.py
  events.ndjson  events of every type the pipeline makes
Rules (as operators write them): each names the event type it is for
(type equals: st2's trigger), most a metric (name equals), a host prefix
(startswith) and a threshold (greaterthan); one in ten a regex on a label
instead of the name; one in twenty no name at all (every metric of its
type). Events: metrics, logs, alerts, anomalies, predictions over 50 names
and 200 hosts; about one in sixteen matches a rule. The same seed gives
the same bytes. Python 3 standard library only.
"""
import argparse
import json
import random

NAMES = ["disk_used_percent", "mem_used_percent", "cpu_usage_idle", "load1", "net_err_in",
         "http_5xx_rate", "gpu_temp", "gpu_util", "swap_used_percent", "inode_used_percent"] + \
    ["app_metric_%02d" % i for i in range(40)]
TYPES = ["prediction", "anomaly", "alert", "incident"]


def rule(i, rnd):
    t = TYPES[i % len(TYPES)]
    crit = {"type": {"type": "equals", "pattern": t}}
    kind = rnd.random()
    if kind < 0.10:
        crit["labels.mount"] = {"type": "regex", "pattern": "^/(data|var)[0-9]*$"}
    elif kind < 0.95:
        crit["name"] = {"type": "equals", "pattern": rnd.choice(NAMES)}
    crit["host"] = {"type": "startswith", "pattern": "db-%02d" % rnd.randrange(20)}
    crit["value"] = {"type": "greaterthan", "pattern": rnd.randrange(80, 99)}
    return {"name": "r%04d" % i, "criteria": crit,
            "command": ["true", "{{ .host }}", "{{ .name }}"]}


def event(j, rnd):
    t = rnd.choice(["metric"] * 6 + ["log"] * 2 + TYPES)
    ev = {"type": t, "ts": "2026-11-22T%02d:%02d:%02d.%03dZ" % (12 + j // 3600000 % 12,
                                                               j // 60000 % 60, j // 1000 % 60, j % 1000),
          "id": "e%07d" % j, "host": "db-%03d" % rnd.randrange(200), "name": rnd.choice(NAMES),
          "value": round(rnd.random() * 100, 2),
          "labels": {"mount": rnd.choice(["/", "/data", "/data2", "/var", "/home"])}}
    if t == "log":
        ev["message"] = "connection reset by peer"
    return ev


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("-r", type=int, default=1000)
    ap.add_argument("-n", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    rules = [rule(i, rnd) for i in range(a.r)]
    with open(a.out + "/rules.json", "w") as f:
        json.dump(rules, f)
    with open(a.out + "/rules.yaml", "w") as f:
        f.write("run:\n  rules:\n")
        for r in rules:
            f.write("    - name: %s\n      criteria: %s\n      command: %s\n"
                    % (r["name"], json.dumps(r["criteria"]), json.dumps(r["command"])))
    with open(a.out + "/events.ndjson", "w") as f:
        for j in range(a.n):
            f.write(json.dumps(event(j, rnd), separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
