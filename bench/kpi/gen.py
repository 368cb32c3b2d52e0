#!/usr/bin/env python3
"""bench/kpi/gen.py - a held-out proxy for a corpus of short service KPIs.

usage: gen.py NAB_DIR OUT_SRC [--seed N]

Writes point-labelled series (timestamp,value,label) under
OUT_SRC/{tune,test}/<category>/<file>.csv, ready for
pointlabels_to_nab.py (probation 15%, windows 10% of the length).

Two kinds of series, each split half/half into "tune" and "test" by a
deterministic draw (settings may be chosen on tune; figures are reported
on test):
  nabcut, nabcut_hourly  pieces of NAB series, a few hundred to ~1000
      points, starting 50-200 points before a labelled anomaly (so the
      anomaly comes soon after the start); _hourly ones are resampled to
      hourly means first.  Point labels: the rows of NAB's raw labels.
  syn_*   generated KPI-like series with planted anomalies: request rates
      (daily + weekly rhythm, per-minute or hourly), latencies (skewed
      noise), crash counts (low Poisson counts), purchases (small integer
      counts with a daily rhythm).  Point label: the onset of each planted
      anomaly.
Standard library only, deterministic for a seed.
"""
import csv, json, math, os, random, sys
from datetime import datetime, timedelta, timezone

FMT = "%Y-%m-%d %H:%M:%S"


def read_nab(path):
    with open(path) as f:
        rd = csv.reader(f)
        next(rd)
        return [(datetime.strptime(r[0], FMT), float(r[1])) for r in rd]


def write(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "value", "label"])
        for t, v, l in rows:
            w.writerow([t.strftime(FMT), "%.6g" % v, l])


def hourly(rows, labset):
    out, cur, acc, lab = [], None, [], 0
    for t, v in rows:
        h = t.replace(minute=0, second=0)
        if cur is not None and h != cur:
            out.append((cur, sum(acc) / len(acc), lab))
            acc, lab = [], 0
        cur = h
        acc.append(v)
        lab |= t in labset
    if acc:
        out.append((cur, sum(acc) / len(acc), lab))
    return out


def nab_cuts(nab, rnd, emit):
    labels = json.load(open(os.path.join(nab, "labels", "combined_labels.json")))
    for rel, pts in sorted(labels.items()):
        if not pts:
            continue
        rows = read_nab(os.path.join(nab, "data", rel))
        labset = {datetime.strptime(p[:19], FMT) for p in pts}
        idx = {t: i for i, (t, _) in enumerate(rows)}
        name = os.path.basename(rel)[:-4]
        for k, p in enumerate(sorted(labset)):
            if p not in idx:
                continue
            a = idx[p]
            if rnd.random() < 0.3:
                dt = (rows[1][0] - rows[0][0]).total_seconds()
                per = max(1, int(3600 // dt)) if dt > 0 else 1
                if per < 2:
                    continue
                lead = rnd.randint(50, 200)
                n = rnd.randint(300, 1000)
                lo = max(0, a - lead * per)
                h = hourly(rows[lo:lo + n * per], labset)
                if len(h) < 250:
                    continue
                emit("nabcut_hourly", "%s_%d" % (name, k), h)
            else:
                lead = rnd.randint(50, 200)
                n = rnd.randint(300, 1000)
                lo = max(0, a - lead)
                cut = rows[lo:lo + n]
                if len(cut) < 250:
                    continue
                emit("nabcut", "%s_%d" % (name, k),
                     [(t, v, int(t in labset)) for t, v in cut])


def rhythm(t, peak, weekly):
    h = t.hour + t.minute / 60
    d = 0.55 + 0.45 * math.sin((h - 9) / 24 * 2 * math.pi)
    if weekly and t.weekday() >= 5:
        d *= 0.6
    return peak * d


def synth(rnd, emit):
    start0 = datetime(2026, 3, 2, tzinfo=None)
    kinds = ["rate", "latency", "crash", "purchase"]
    for i in range(120):
        kind = kinds[i % 4]
        step = rnd.choice([60, 300, 3600])
        n = rnd.randint(300, 2000) if step < 3600 else rnd.randint(250, 800)
        start = start0 + timedelta(days=rnd.randint(0, 20), hours=rnd.randint(0, 23))
        peak = 10 ** rnd.uniform(1, 4)
        noise = rnd.uniform(0.02, 0.15)
        weekly = rnd.random() < 0.6
        vals, labs = [], [0] * n
        for j in range(n):
            t = start + timedelta(seconds=step * j)
            if kind == "rate":
                v = rhythm(t, peak, weekly) * (1 + rnd.gauss(0, noise))
            elif kind == "latency":
                v = peak / 50 * math.exp(rnd.gauss(0, 0.25 + noise))
            elif kind == "crash":
                lam = rnd.choice([0.05, 0.3, 1.5]) if j == 0 else lam
                v = poisson(rnd, lam)
            else:
                lam = rhythm(t, rnd.choice([2, 8, 30]) if j == 0 else base, weekly) \
                    if j else 0
                base = base if j else rnd.choice([2, 8, 30])
                v = poisson(rnd, rhythm(t, base, weekly))
            vals.append(v)
        # one or two planted anomalies, the first soon after the start
        na = 1 if rnd.random() < 0.6 else 2
        lo = int(0.15 * n) + int(0.05 * n / na) + 5
        spots = sorted(rnd.sample(range(lo, n - 10), na))
        for a in spots:
            typ = rnd.choice(["spike", "dip", "shift", "burst"])
            labs[a] = 1
            med = sorted(vals[max(0, a - 50):a])[len(vals[max(0, a - 50):a]) // 2]
            scale = max(med, 1.0)
            if kind in ("crash", "purchase"):
                typ = rnd.choice(["spike", "burst", "dip" if med >= 5 else "spike"])
            if typ == "spike":
                vals[a] = vals[a] + scale * rnd.uniform(1.5, 6) + (8 if kind == "crash" else 0)
            elif typ == "dip":
                vals[a] = vals[a] * rnd.uniform(0.0, 0.3)
            elif typ == "shift":
                f = rnd.choice([rnd.uniform(1.5, 3), rnd.uniform(0.2, 0.6)])
                for j in range(a, n):
                    vals[j] *= f
            else:
                for j in range(a, min(n, a + rnd.randint(3, 15))):
                    vals[j] = vals[j] + scale * rnd.uniform(1, 4) + (5 if kind == "crash" else 0)
        if kind in ("crash", "purchase"):
            vals = [float(round(v)) for v in vals]
        rows = [(start + timedelta(seconds=step * j), vals[j], labs[j]) for j in range(n)]
        emit("syn_" + kind, "%s_%03d_%ds" % (kind, i, step), rows)


def poisson(rnd, lam):
    if lam > 30:
        return max(0, round(rnd.gauss(lam, math.sqrt(lam))))
    L, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rnd.random()
        if p <= L:
            return k
        k += 1


def main():
    nab, out = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--seed" else 9
    rnd = random.Random(seed)
    split = random.Random(seed + 1)
    count = {"tune": 0, "test": 0}

    def emit(cat, name, rows):
        s = "tune" if split.random() < 0.5 else "test"
        count[s] += 1
        write(os.path.join(out, s, cat, name + ".csv"), rows)

    nab_cuts(nab, rnd, emit)
    synth(rnd, emit)
    print(json.dumps(count))


if __name__ == "__main__":
    main()
