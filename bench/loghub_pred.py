"""loghub_pred: run aiops-detect --raw on a log and label its lines.

Shared by bench/loghub_lodo.py and bench/loghub_headers.py (Python 3
standard library only).  The scoring contract of issue 11: `aiops-detect
--raw --all --state FILE < LOG` writes one log event per input line, in
order, with template_id and template; a line's final template is the
template of the last line with the same template_id (what bench/loghub's
predict() reads back from the state).
"""
import json
import os
import subprocess


class PredictError(Exception):
    pass


def count_lines(path):
    """Input lines as aiops-detect sees them: a last line without a newline counts."""
    with open(path, "rb") as f:
        data = f.read()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def predict(binary, log, workdir, config=None):
    """Return [(final template, message)] for the lines of LOG, in order."""
    state = os.path.join(workdir, "pred-state.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(state + suffix):
            os.unlink(state + suffix)
    cmd = [binary]
    if config:
        cmd += ["--config", config]
    cmd += ["--raw", "--all", "--state", state]
    with open(log, "rb") as f:
        p = subprocess.run(cmd, stdin=f, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise PredictError("%s exited %d: %s" % (" ".join(cmd), p.returncode,
                           p.stderr.decode("utf-8", "replace").strip()[:300]))
    ids, msgs, last = [], [], {}
    for raw in p.stdout.splitlines():
        o = json.loads(raw)
        if o.get("type") != "log":
            continue
        tid = o.get("template_id")
        ids.append(tid)
        msgs.append(o.get("message", ""))
        last[tid] = o.get("template", "")
    want = count_lines(log)
    if len(ids) != want:
        raise PredictError("%s: %d log events for %d lines" % (log, len(ids), want))
    return [(last[t], m) for t, m in zip(ids, msgs)]


def write_pred(rows, path):
    """One {"template": ...} per line, as loghub_score.py reads it."""
    with open(path, "w", encoding="utf-8") as o:
        for t, _ in rows:
            o.write(json.dumps({"template": t}) + "\n")


def norm(s):
    return " ".join(s.split())
