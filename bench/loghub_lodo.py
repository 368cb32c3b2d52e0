#!/usr/bin/env python3
"""loghub_lodo.py: Loghub-2k leave-one-dataset-out for aiops-detect --raw.

Usage: loghub_lodo.py --data DATA --score SCORE --tmp DIR --bin BIN [--base BIN]

The miner's one tunable, detect.logs.similarity, is chosen for each
dataset D from a fixed grid as the value with the best mean (GA + PA) / 2
over the OTHER seven datasets, and D is scored with it: nothing about D
(no header rule, mask or threshold) is chosen by looking at D.  Ties go to
the value nearest the default 0.72, then to the smaller one; neither looks
at D either.  Predictions are cached per (dataset, value): 8 x 10 runs of
aiops-detect, and one loghub_score.py --dir run per value.
"""
import argparse
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True     # nothing written next to the bench
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loghub_pred  # noqa: E402

SETS = "HDFS Apache OpenSSH BGL Linux Zookeeper Android HPC".split()
GRID = [0.5, 0.55, 0.6, 0.65, 0.7, 0.72, 0.75, 0.8, 0.85, 0.9]
DEFAULT = 0.72


def score_dir(score, data, pred_dir):
    """{dataset: (GA, PA)} from one loghub_score.py --dir --json run."""
    p = subprocess.run([sys.executable, score, "--json", "--dir",
                        os.path.join(data, "loghub-2k"), pred_dir],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        res = json.loads(p.stdout)
    except ValueError:
        sys.exit("loghub_score.py failed: " + p.stderr.strip()[:300])
    out = {}
    for d in SETS:
        r = res.get(d)
        if not isinstance(r, dict):
            sys.exit("loghub_score.py: %s: %s" % (d, r))
        out[d] = (r["GA"], r["PA"])
    return out


def grid_scores(binary, data, score, work):
    """{value or None (no config): {dataset: (GA, PA)}}, None if the build
    does not know detect.logs.similarity."""
    os.makedirs(work, exist_ok=True)
    table = {}
    for v in [None] + GRID:
        cfg = None
        if v is not None:
            cfg = os.path.join(work, "sim-%s.yaml" % v)
            with open(cfg, "w") as f:
                f.write("detect:\n  logs:\n    similarity: %s\n" % v)
        pdir = os.path.join(work, "default" if v is None else "sim-%s" % v)
        os.makedirs(pdir, exist_ok=True)
        for d in SETS:
            log = os.path.join(data, "loghub-2k", d, "%s_2k.log" % d)
            try:
                rows = loghub_pred.predict(binary, log, work, cfg)
            except loghub_pred.PredictError as e:
                if v is not None and "similarity" in str(e):
                    return table, str(e)
                raise
            loghub_pred.write_pred(rows, os.path.join(pdir, d + ".jsonl"))
        table[v] = score_dir(score, data, pdir)
    return table, None


def choose(table, held_out):
    """The grid value with the best mean (GA+PA)/2 over the other datasets."""
    def key(v):
        others = [table[v][d] for d in SETS if d != held_out]
        m = sum(ga + pa for ga, pa in others) / (2 * len(others))
        return (round(m, 12), -abs(v - DEFAULT), -v)
    return max(GRID, key=key)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--score", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--base")
    a = ap.parse_args()

    builds = [("this build", a.bin)] + ([("base", a.base)] if a.base else [])
    results = []
    for name, b in builds:
        table, err = grid_scores(b, a.data, a.score,
                                 os.path.join(a.tmp, "lodo-" + str(len(results))))
        results.append((name, table, err))

    print("grid value -> mean GA / PA over all 8 (context only; not used to choose)")
    hdr = "%-8s" % "value"
    for name, _, _ in results:
        hdr += "   %-13s" % (name + " GA/PA")
    print(hdr)
    for v in [None] + GRID:
        line = "%-8s" % ("none" if v is None else v)
        for _, table, _ in results:
            if v in table:
                ga = sum(table[v][d][0] for d in SETS) / len(SETS)
                pa = sum(table[v][d][1] for d in SETS) / len(SETS)
                line += "   %.3f %.3f  " % (ga, pa)
            else:
                line += "   %-13s" % "n/a"
        print(line)
    print()

    cols = "%-10s %5s %6s %6s   %-16s" % ("Dataset", "sim", "GA", "PA", "default GA / PA")
    if a.base:
        cols += "   base: %5s %6s %6s   %s" % ("sim", "GA", "PA", "default GA / PA")
    print(cols)
    sums = [[0.0] * 4 for _ in results]
    for d in SETS:
        line = ""
        for k, (name, table, err) in enumerate(results):
            dga, dpa = table[None][d]
            if err is None:
                v = choose(table, d)
                ga, pa = table[v][d]
                part = "%5s %6.3f %6.3f   %.3f / %.3f   " % (v, ga, pa, dga, dpa)
                sums[k][0] += ga
                sums[k][1] += pa
            else:
                part = "%5s %6s %6s   %.3f / %.3f   " % ("n/a", "", "", dga, dpa)
            sums[k][2] += dga
            sums[k][3] += dpa
            line += part if k == 0 else "   base: " + part
        print("%-10s %s" % (d, line.rstrip()))
    line = ""
    for k, (name, table, err) in enumerate(results):
        n = len(SETS)
        if err is None:
            part = "%5s %6.3f %6.3f   %.3f / %.3f   " % ("", sums[k][0] / n, sums[k][1] / n,
                                                        sums[k][2] / n, sums[k][3] / n)
        else:
            part = "%5s %6s %6s   %.3f / %.3f   " % ("", "n/a", "", sums[k][2] / n, sums[k][3] / n)
        line += part if k == 0 else "   base: " + part
    print("%-10s %s" % ("Average", line.rstrip()))
    for name, _, err in results:
        if err is not None:
            print("%s: no leave-one-out (%s)" % (name, err.split(": ")[-1]))


if __name__ == "__main__":
    main()
