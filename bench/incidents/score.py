#!/usr/bin/env python3
"""Score aiops-detect's incidents against planted faults (bench/incidents).

usage: score.py [--json] [--name NAME] [--hosts N] [--start TS] [--days N]
                [--base BASE_INCIDENTS] FAULTS INCIDENTS
       score.py --table SUMMARY.json...

FAULTS is a faults.json (one JSON object a line: id, kind, hosts,
cause_host, start, end, signals, title).  INCIDENTS is aiops-detect's
output (other event types are skipped), "-" for stdin.

The contract (issue 10, bench/incidents/README):
- the LAST event of each incident_id counts; its span is first_seen ..
  last_seen, its hosts are `hosts`;
- an incident matches a fault when their hosts meet and the span overlaps
  [fault.start - 15 min, fault.end + 15 min];
- per fault the largest matching incident (member_count; ties: the
  earlier first_seen, then incident_id) is read for the cause, which is
  right when root_cause.host is the fault's cause_host and root_cause
  names one of the fault's signals: a signal of lowercase letters, digits
  and '_' only is a metric name, equal to root_cause's metric, what, name
  or signal field; any other is a log substring, found without regard to
  case in any string of root_cause;
- unmatched incidents per host per day after the first day: incidents
  matching no fault whose first_seen is not on day 0, divided by
  hosts * (days - 1);
- delay: the ts of the first event of the fault's largest matching
  incident minus the fault's start, in minutes.

--base scores a second build's incidents on the same faults and prints
its figures beside (the reference column).  --json prints the summary as
one JSON object instead; --table prints a table of such summaries.
Python 3 standard library only.
"""

import argparse
import json
import re
import statistics
import sys
from datetime import datetime, timezone

WIDEN = 15 * 60
METRIC_RE = re.compile(r"^[a-z0-9_]+$")
NAME_FIELDS = ("metric", "what", "name", "signal")


def parse_ts(s):
    """RFC 3339 to epoch seconds (float); None if absent or bad."""
    if not isinstance(s, str):
        return None
    s = s.strip()
    if s.endswith("Z") or s.endswith("z"):
        s = s[:-1] + "+00:00"
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        # Python < 3.11 takes at most 6 fractional digits
        m = re.match(r"^(.*\.\d{6})\d*(.*)$", s)
        if not m:
            return None
        try:
            d = datetime.fromisoformat(m.group(1) + m.group(2))
        except ValueError:
            return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


def read_ndjson(path, what):
    f = sys.stdin if path == "-" else open(path, encoding="utf-8")
    out = []
    with f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit("score.py: %s:%d: not JSON (%s): %s" % (path, n, what, e))
    return out


def load_faults(path):
    faults = []
    for f in read_ndjson(path, "faults"):
        for k in ("id", "hosts", "cause_host", "start", "end", "signals"):
            if k not in f:
                sys.exit("score.py: %s: fault without %s: %s" % (path, k, f))
        f["_start"] = parse_ts(f["start"])
        f["_end"] = parse_ts(f["end"])
        if f["_start"] is None or f["_end"] is None:
            sys.exit("score.py: %s: bad start or end: %s" % (path, f["id"]))
        faults.append(f)
    return faults


def load_incidents(path):
    """incident_id -> {last: last event, first_ts: ts of its first event}."""
    inc = {}
    for e in read_ndjson(path, "incidents"):
        if not isinstance(e, dict) or e.get("type") != "incident":
            continue
        iid = e.get("incident_id")
        if iid is None:
            continue
        if iid not in inc:
            inc[iid] = {"first_ts": parse_ts(e.get("ts")), "last": e}
        else:
            inc[iid]["last"] = e
    for i in inc.values():
        e = i["last"]
        i["span"] = (parse_ts(e.get("first_seen")), parse_ts(e.get("last_seen")))
        i["hosts"] = set(h for h in (e.get("hosts") or []) if isinstance(h, str))
        if not i["hosts"] and isinstance(e.get("host"), str):
            i["hosts"] = {e["host"]}
        mc = e.get("member_count")
        i["size"] = mc if isinstance(mc, (int, float)) else 0
    return inc


def strings(x):
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from strings(v)


def names_signal(rc, signals):
    """The signal root_cause names, or None."""
    if not isinstance(rc, dict):
        return None
    fields = [rc.get(k) for k in NAME_FIELDS if isinstance(rc.get(k), str)]
    texts = [s.lower() for s in strings(rc)]
    for s in signals:
        if METRIC_RE.match(s):
            if s in fields:
                return s
        elif any(s.lower() in t for t in texts):
            return s
    return None


def matches(i, f):
    a, b = i["span"]
    if a is None or b is None:
        return False
    if not (i["hosts"] & set(f["hosts"])):
        return False
    return a <= f["_end"] + WIDEN and b >= f["_start"] - WIDEN


def rc_label(rc):
    if not isinstance(rc, dict):
        return "-"
    for k in NAME_FIELDS + ("template", "message"):
        if isinstance(rc.get(k), str):
            return "%s %s" % (rc.get("host", "?"), rc[k])
    return "%s %s" % (rc.get("host", "?"), rc.get("kind", "?"))


def score(faults, inc, hosts, start, days):
    matched = set()
    per = []
    delays = []
    for f in faults:
        m = [(iid, i) for iid, i in inc.items() if matches(i, f)]
        matched.update(iid for iid, _ in m)
        row = {"id": f["id"], "kind": f.get("kind", "?"), "cause_host": f["cause_host"],
               "found": bool(m), "incidents": len(m)}
        if m:
            iid, i = min(m, key=lambda x: (-x[1]["size"], x[1]["span"][0], x[0]))
            e = i["last"]
            rc = e.get("root_cause")
            sig = names_signal(rc, f["signals"])
            right = (isinstance(rc, dict) and rc.get("host") == f["cause_host"]
                     and sig is not None)
            row.update({"incident_id": iid, "members": i["size"],
                        "title": e.get("title") or e.get("summary") or "",
                        "root_cause": rc_label(rc), "signal": sig,
                        "cause_right": bool(right)})
            if i["first_ts"] is not None:
                row["delay_min"] = round((i["first_ts"] - f["_start"]) / 60.0, 1)
                delays.append(row["delay_min"])
        else:
            row["cause_right"] = False
        per.append(row)
    total = len(inc)
    unmatched_late = 0
    for iid, i in inc.items():
        if iid in matched:
            continue
        a = i["span"][0]
        if start is not None and a is not None and a < start + 86400:
            continue
        unmatched_late += 1
    rate = None
    if hosts and days and days > 1:
        rate = unmatched_late / float(hosts * (days - 1))
    return {
        "faults": len(faults),
        "found": sum(r["found"] for r in per),
        "cause_right": sum(r["cause_right"] for r in per),
        "incidents": total,
        "matching": len(matched),
        "precision": round(len(matched) / total, 3) if total else None,
        "unmatched_after_day0": unmatched_late,
        "unmatched_per_host_day": round(rate, 3) if rate is not None else None,
        "median_delay_min": statistics.median(delays) if delays else None,
        "per_fault": per,
    }


def fmt(v, nd=2):
    if v is None:
        return "-"
    if isinstance(v, float):
        return ("%." + str(nd) + "f") % v
    return str(v)


def print_text(name, s, b):
    cols = [("current", s)] + ([("base", b)] if b else [])
    print("== %s" % name)
    rows = [
        ("faults found", lambda x: "%d/%d" % (x["found"], x["faults"])),
        ("cause right", lambda x: "%d/%d" % (x["cause_right"], x["faults"])),
        ("incidents total", lambda x: str(x["incidents"])),
        ("incidents matching a fault", lambda x: str(x["matching"])),
        ("precision", lambda x: fmt(x["precision"], 3)),
        ("unmatched/host/day after day 0", lambda x: fmt(x["unmatched_per_host_day"], 2)),
        ("median delay, min", lambda x: fmt(x["median_delay_min"], 1)),
    ]
    print("  %-32s %10s%s" % ("", "current", "  %10s" % "base" if b else ""))
    for label, get in rows:
        print("  %-32s %10s%s" % (label, get(s), "  %10s" % get(b) if b else ""))
    bper = {r["id"]: r for r in b["per_fault"]} if b else {}
    for r in s["per_fault"]:
        line = "  %-3s %-14s %-6s" % (r["id"], r["kind"], "found" if r["found"] else "MISSED")
        if r["found"]:
            line += " %-6s cause %s%s; %s" % (
                "right" if r["cause_right"] else "WRONG", r["root_cause"],
                "" if r.get("delay_min") is None else ", delay %s min" % fmt(r["delay_min"], 1),
                (r["title"] or "")[:100])
        if b:
            br = bper.get(r["id"], {})
            line += "  [base: %s%s]" % ("found" if br.get("found") else "missed",
                                        ", cause right" if br.get("cause_right") else "")
        print(line)


def print_table(paths):
    hdr = "%-18s %7s %7s %9s %9s %9s %12s %8s" % (
        "data set", "found", "cause", "incidents", "matching", "precision",
        "unmatched/hd", "delay")
    print(hdr)
    tot = {"found": 0, "faults": 0, "cause": 0, "inc": 0, "rates": []}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            d = json.load(f)
        for label, s in (("", d["current"]), (" (base)", d.get("base"))):
            if not s:
                continue
            print("%-18s %7s %7s %9d %9d %9s %12s %8s" % (
                (d["name"] + label)[:22], "%d/%d" % (s["found"], s["faults"]),
                "%d/%d" % (s["cause_right"], s["faults"]), s["incidents"],
                s["matching"], fmt(s["precision"], 3),
                fmt(s["unmatched_per_host_day"], 2), fmt(s["median_delay_min"], 1)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print a JSON summary")
    ap.add_argument("--name", default="data set", help="name of the data set")
    ap.add_argument("--hosts", type=int, help="hosts in the data set")
    ap.add_argument("--start", help="start of the data (RFC 3339): day 0")
    ap.add_argument("--days", type=int, help="days in the data set")
    ap.add_argument("--base", help="a second build's incidents, scored beside")
    ap.add_argument("--table", action="store_true", help="print a table of --json summaries")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    if a.table:
        print_table(a.files)
        return 0
    if len(a.files) != 2:
        ap.error("need FAULTS and INCIDENTS")
    start = parse_ts(a.start) if a.start else None
    if a.start and start is None:
        ap.error("--start: not an RFC 3339 time: %s" % a.start)
    faults = load_faults(a.files[0])
    s = score(faults, load_incidents(a.files[1]), a.hosts, start, a.days)
    b = score(faults, load_incidents(a.base), a.hosts, start, a.days) if a.base else None
    if a.json:
        print(json.dumps({"name": a.name, "hosts": a.hosts, "days": a.days,
                          "current": s, "base": b}, sort_keys=True))
    else:
        print_text(a.name, s, b)
    return 0


if __name__ == "__main__":
    sys.exit(main())
