#!/usr/bin/python3
"""st2ref.py RULES.json EVENTS.ndjson: the reference, StackStorm's way.

StackStorm's rules engine (st2reactor.rules: RulesMatcher, RuleFilter)
takes the rules of the trigger an instance is for, then filters each by
its criteria: every criterion looks its path up in the payload and
applies the operator (st2common/operators.py). This is that loop, in
Python as st2 runs it, with the operators the bench's rules use (equals,
startswith, greaterthan, regex = re.search with DOTALL, as st2 compiles
it), rules grouped by their type as st2 groups them by trigger. StackStorm
itself needs MongoDB and RabbitMQ and is not in Debian; this measures the
evaluation alone, not st2's messaging, so it is a kind reference.
Prints: events, matches, seconds, events/s (one line of JSON).
"""
import json
import re
import sys
import time


def lookup(payload, path):
    v = payload
    for part in path.split("."):
        if isinstance(v, dict):
            v = v.get(part)
        else:
            return None
    return v


def compile_rule(r):
    out = []
    for path, c in r["criteria"].items():
        op, pat = c["type"], c["pattern"]
        if op == "equals":
            out.append((path, lambda v, p=pat: v == p))
        elif op == "startswith":
            out.append((path, lambda v, p=pat: isinstance(v, str) and v.startswith(p)))
        elif op == "greaterthan":
            out.append((path, lambda v, p=pat: v is not None and v > p))
        elif op == "regex":
            rx = re.compile(pat, re.DOTALL)
            out.append((path, lambda v, rx=rx: isinstance(v, str) and rx.search(v) is not None))
        else:
            raise SystemExit("st2ref: operator %s not in the bench" % op)
    return out


def main():
    rules = json.load(open(sys.argv[1]))
    by_type = {}
    for r in rules:
        by_type.setdefault(r["criteria"]["type"]["pattern"], []).append(compile_rule(r))
    lines = open(sys.argv[2]).read().splitlines()
    t0 = time.perf_counter()
    n = matches = 0
    for line in lines:
        ev = json.loads(line)
        n += 1
        for crit in by_type.get(ev.get("type"), ()):
            if all(f(lookup(ev, path)) for path, f in crit):
                matches += 1
    dt = time.perf_counter() - t0
    print(json.dumps({"events": n, "matches": matches, "seconds": round(dt, 3),
                      "events_per_s": round(n / dt)}))


if __name__ == "__main__":
    main()
