"""fcbench: what bench/m4/run and bench/ttc/run share.

M4 rows into metric events (the contract of issue 12: host = the series id,
name "y", a point an hour from 2020-01-01T00:00:00Z, all series interleaved
time-major), aiops-forecast run under measurement of its CPU time, and its
forecast events back into the scorers' NDJSON {"id", "forecast", "lo", "hi"}.
"""
import csv
import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import time

EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
M4_H = 48


def repo_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tools_dir(data):
    """The scorers beside the data (DATA/../tools), else the shared copy."""
    for d in (os.path.join(data, "..", "tools"),
              os.path.join(repo_root(), "..", "shared", "tools")):
        if os.path.isfile(os.path.join(d, "forecast_score.py")):
            return os.path.abspath(d)
    sys.exit("no forecast_score.py in %s/../tools nor ../shared/tools" % data)


def find_program(name="aiops-forecast"):
    """$AIOPS_BUILDDIR/bin, then build/bin of the repository, then PATH."""
    for d in (os.environ.get("AIOPS_BUILDDIR"), os.path.join(repo_root(), "build")):
        if d and os.access(os.path.join(d, "bin", name), os.X_OK):
            return os.path.join(d, "bin", name)
    p = shutil.which(name)
    if not p:
        sys.exit("no %s: set AIOPS_BUILDDIR to a build, or put it on PATH" % name)
    return p


def read_m4(path):
    """(order, {id: [values]}) of an M4 CSV (id, then values, short rows padded)."""
    rows, order = {}, []
    with open(path, newline="") as fh:
        rd = csv.reader(fh)
        next(rd)
        for row in rd:
            if row:
                rows[row[0]] = [float(v) for v in row[1:] if v.strip() not in ("", "NA")]
                order.append(row[0])
    return order, rows


def write_m4(path, order, rows):
    """An M4 CSV the scorers read: header "V1".., quoted fields, padded rows."""
    width = 1 + max(len(rows[s]) for s in order)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(["V%d" % i for i in range(1, width + 1)])
        for s in order:
            v = [repr(x) for x in rows[s]]
            w.writerow([s] + v + [""] * (width - 1 - len(v)))


def dev_split(train_csv, tmp, h=M4_H):
    """The honest tuning split: the last h points of each train row become the
    test, so settings can be chosen without reading the test file. Returns
    the paths of the truncated train and the dev test CSV."""
    order, rows = read_m4(train_csv)
    tr = os.path.join(tmp, "Dev-train.csv")
    te = os.path.join(tmp, "Dev-test.csv")
    write_m4(tr, order, {s: rows[s][:-h] for s in order})
    write_m4(te, order, {s: rows[s][-h:] for s in order})
    return tr, te


def ts_text(i, step=3600):
    t = EPOCH + datetime.timedelta(seconds=i * step)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(s):
    """RFC 3339 (Z or offset, optional fraction) to seconds since the epoch."""
    s = s.replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s).timestamp()


def num(v):
    """A value as a JSON number: integers without ".0", others exact."""
    if v == int(v) and abs(v) < 1e15:
        return "%d" % v
    return repr(v)


def write_events(path, series, step=3600, name="y"):
    """series: list of (host, values), each from 2020-01-01T00:00:00Z, one
    point every step seconds; written time-major (all series interleaved).
    Returns the number of events."""
    longest = max(len(v) for _, v in series)
    stamps = [ts_text(i, step) for i in range(longest)]
    heads = ['{"type":"metric","ts":"%%s","host":%s,"name":%s,"value":' %
             (json.dumps(h), json.dumps(name)) for h, _ in series]
    n = 0
    with open(path, "w") as fh:
        for i in range(longest):
            out = []
            for k, (_, v) in enumerate(series):
                if i < len(v):
                    out.append(heads[k] % stamps[i] + num(v[i]) + "}\n")
            fh.write("".join(out))
            n += len(out)
    return n


def run_measured(cmd, stdin_path, stdout_path, stderr_path):
    """Runs cmd with files on its standard streams; returns (exit status,
    CPU seconds of the child (user + system, from wait4's rusage), wall s)."""
    t0 = time.monotonic()
    with open(stdin_path) as i, open(stdout_path, "w") as o, open(stderr_path, "w") as e:
        p = subprocess.Popen(cmd, stdin=i, stdout=o, stderr=e)
        _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, ru.ru_utime + ru.ru_stime, time.monotonic() - t0


def stderr_tail(path, lines=5):
    with open(path, errors="replace") as fh:
        t = fh.read().splitlines()
    return "\n".join(t[-lines:])


def read_events(path, etype):
    with open(path) as fh:
        for ln, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                e = json.loads(line)
            except json.JSONDecodeError as err:
                sys.exit("%s:%d: not JSON: %s" % (path, ln, err))
            if isinstance(e, dict) and e.get("type") == etype:
                yield ln, e


def forecasts_to_ndjson(path, out, h=M4_H):
    """Forecast events of aiops-forecast into the scorers' NDJSON, one line a
    host. Returns (series written, {model: count}, [problems])."""
    models, problems, seen = {}, [], set()
    with open(out, "w") as fh:
        for ln, e in read_events(path, "forecast"):
            host = e.get("host")
            pts = e.get("forecast", e.get("horizon"))
            if host is None or not isinstance(pts, list):
                problems.append("%s:%d: forecast event without host or forecast array" % (path, ln))
                continue
            if host in seen:
                problems.append("%s:%d: second forecast for %s" % (path, ln, host))
                continue
            if len(pts) < h:
                problems.append("%s:%d: %s has %d points, not %d" % (path, ln, host, len(pts), h))
                continue
            pts = pts[:h]
            row = {"id": host, "forecast": [p.get("value") for p in pts]}
            if all("lo" in p and "hi" in p for p in pts):
                row["lo"] = [p["lo"] for p in pts]
                row["hi"] = [p["hi"] for p in pts]
            vals = row["forecast"] + row.get("lo", []) + row.get("hi", [])
            if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in vals):
                problems.append("%s:%d: %s has a value that is no finite number" % (path, ln, host))
                continue
            seen.add(host)
            m = str(e.get("model", "?"))
            models[m] = models.get(m, 0) + 1
            fh.write(json.dumps(row) + "\n")
    return len(seen), models, problems


def tool(tools, script, *args, env=None):
    """Runs a shared tool with this python; returns its stdout."""
    r = subprocess.run([sys.executable, os.path.join(tools, script), *args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if r.returncode:
        sys.exit("%s %s failed (%d):\n%s" % (script, " ".join(args), r.returncode,
                                             r.stderr.strip()[-2000:]))
    return r.stdout


def have_statsmodels():
    try:
        import numpy  # noqa: F401
        import pandas  # noqa: F401
        import statsmodels  # noqa: F401
    except ImportError as e:
        return str(e)
    return None


def reexec_system_python(path="/usr/bin/python3"):
    """Debian's packages live in the system python; a python3 first on PATH
    (pyenv, a venv) does not see them. Runs this script again with it when it
    has them; returns False when it does not (or it is already this one)."""
    if os.path.realpath(sys.executable) == os.path.realpath(path) or not os.access(path, os.X_OK):
        return False
    r = subprocess.run([path, "-c", "import numpy, pandas, statsmodels"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode:
        return False
    os.execv(path, [path, os.path.abspath(sys.argv[0])] + sys.argv[1:])


INSTALL_HINT = ("needs numpy, pandas and statsmodels for the ets_auto reference "
                "(Debian: apt-get install python3-statsmodels python3-pandas, then run "
                "with /usr/bin/python3); --no-ref skips it")


def model_list(values):
    """--model given repeatedly or as a comma list, in order, once each."""
    out = []
    for v in values or []:
        for m in v.split(","):
            m = m.strip()
            if m and m not in out:
                out.append(m)
    return out


def fmt_models(models, most=8):
    """The models chosen, most used first; past `most` names, the rest counted."""
    kv = sorted(models.items(), key=lambda kv: (-kv[1], kv[0]))
    out = ", ".join("%s %d" % x for x in kv[:most])
    if len(kv) > most:
        out += ", and %d others for %d series" % (len(kv) - most, sum(n for _, n in kv[most:]))
    return out
