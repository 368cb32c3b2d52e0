#!/usr/bin/python3
"""parity.py: Alertmanager and aiops-notify on one alert stream (issue 13).

usage: parity.py run --am BIN --notify BIN --stream FILE --routing FILE --dir DIR
                     [--resolve-timeout DUR] [--timeout S]
       parity.py compare FILE [--group-wait S] [--group-interval S] [--expect N]
                         [--note S]

run      starts a webhook sink on 127.0.0.1, the real Alertmanager (BIN, on
         127.0.0.1, gossip off, its storage in DIR) and aiops-notify --watch
         --clock wall (its stdin a pipe, its state in DIR), both configured
         from ROUTING; then plays STREAM on the wall clock: at each line's
         offset, POST /api/v2/alerts to Alertmanager and the same alert as an
         aiops alert event line to aiops-notify. At the stream's end it stops
         both (one SIGTERM each) and writes DIR/notifications.ndjson: one line
         per webhook the sink got, in arrival order: side ("am" or "aiops"),
         t (seconds since the stream began), receiver, groupKey, and alerts
         (status, labels, fingerprint). Also in DIR: am.yaml, notify.yaml,
         am.log, aiops.out, aiops.err, sink.ndjson (the raw requests),
         am-alerts.json (GET /api/v2/alerts just before the stop) and
         run.json (exit statuses). Exits 0 once both ran, whatever they sent;
         2 when one could not run. Everything it starts dies with it; it
         gives up after --timeout seconds (default 120).
compare  reads FILE (run's notifications.ndjson) and compares, group by
         group (receiver and group key), what each side sent: the same
         notifications in the same order, each with the same alerts (label
         sets, firing or resolved), the first within group_wait + 1 s of
         the other side's, the later ones within group_interval + 1 s; and
         the same fingerprint for the same labels. Prints a summary line,
         then for each group that differs both sides' timelines and what
         differs; exits 1 when anything differs (or Alertmanager did not send
         the N notifications of --expect, the scenario's own check). Pairs
         within those bounds but more than --note seconds apart (default
         0.5; both sides are usually within 0.1 s) are printed last as
         "note:" lines: a timer off by a second passes the bounds.

ROUTING is Alertmanager's configuration without `global` (route,
inhibit_rules, receivers), with @SINK@ where a webhook URL's
http://127.0.0.1:PORT goes: Alertmanager gets it under global:
resolve_timeout, aiops-notify indented under notify: with
notify.resolve_timeout (--resolve-timeout, default 5m for both), each
side's webhooks pointing to its own path of the one sink (/am/..., /aiops/...).

STREAM: one JSON object a line, in time order:
  {"at": 0.0, "labels": {...}}             fires at offset 0.0 s, no end
  {"at": 2.0, "labels": {...}, "ends": 9}  fires, with an end at 9 s
  {"at": 4.2, "labels": {...}, "ends": 4.2}  resolved (ends <= at)
  {"at": 9.5, "end": true}                 the last line: stop at 9.5 s
Optional: "starts" (offset of its start; default the start of the episode
it continues, else "at"), "annotations", "note" (for the reader; ignored).
Offsets are seconds from the start of the stream, in milliseconds at most.
Standard library only.
"""
import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


class Failed(Exception):
    pass


def rfc3339(t):
    """Epoch seconds as RFC 3339 UTC with milliseconds."""
    ms = int(round(t * 1000))
    d = datetime.fromtimestamp(ms // 1000, tz=timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


def die_with_parent():
    """In a child before exec: SIGTERM it when the parent dies."""
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# ---------------------------------------------------------------- run

def read_stream(path):
    events = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            e = json.loads(line)
            if "at" not in e or (events and e["at"] < events[-1]["at"]):
                raise Failed("%s:%d: no \"at\", or before the line above" % (path, n))
            events.append(e)
    if not events or not events[-1].get("end"):
        raise Failed("%s: the last line must be {\"at\": ..., \"end\": true}" % path)
    return events


class Sink:
    """Records every POST with its arrival time; answers 200."""

    def __init__(self, log):
        self.lock = threading.Lock()
        self.got = []
        self.t0 = None
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                t = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with sink.lock:
                    sink.got.append((t, self.path, body.decode("utf-8", "replace")))
                    with open(log, "a") as f:
                        f.write(json.dumps({"mono": t, "path": self.path,
                                            "body": body.decode("utf-8", "replace")}) + "\n")

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass    # a sender gone mid-request (stopped)

        # Bound now, served from start(): the children are forked before
        # any thread runs.
        self.srv = Server(("127.0.0.1", 0), Handler)
        self.port = self.srv.server_address[1]

    def start(self):
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        if getattr(self, "thread", None) is not None:
            self.srv.shutdown()
        self.srv.server_close()


def configs(routing, port, resolve_timeout, d):
    with open(routing) as f:
        text = f.read()
    if "@SINK@" not in text:
        raise Failed("%s: no @SINK@ in it" % routing)
    am = "global:\n  resolve_timeout: %s\n" % resolve_timeout + \
        text.replace("@SINK@", "http://127.0.0.1:%d/am" % port)
    ai = "notify:\n  resolve_timeout: %s\n" % resolve_timeout + "".join(
        ("  " + l if l.strip() else l) for l in
        text.replace("@SINK@", "http://127.0.0.1:%d/aiops" % port).splitlines(True))
    paths = os.path.join(d, "am.yaml"), os.path.join(d, "notify.yaml")
    for p, t in zip(paths, (am, ai)):
        with open(p, "w") as f:
            f.write(t)
    return paths


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_ready(url, proc, log, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise Failed("Alertmanager exited (%d): %s" % (proc.returncode, tail(log)))
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise Failed("Alertmanager not ready after %d s: %s" % (timeout, tail(log)))
        time.sleep(0.05)


def wait_reading(proc, log, timeout=30):
    """Waits until proc blocks reading its stdin (Linux /proc/PID/syscall:
    read, fd 0): started, state open, configuration read. A stream played
    sooner reaches it late (slow under the sanitizers), and an alert that
    began over group_wait before it is read is flushed at once, alone."""
    deadline = time.monotonic() + timeout
    path = "/proc/%d/syscall" % proc.pid
    while True:
        if proc.poll() is not None:
            raise Failed("aiops-notify exited (%d): %s" % (proc.returncode, tail(log)))
        try:
            with open(path) as f:
                fields = f.read().split()
        except OSError:
            time.sleep(1)   # no /proc: give it a second
            return
        if fields[:2] == ["0", "0x0"]:
            return
        if time.monotonic() > deadline:
            raise Failed("aiops-notify not reading its input after %d s" % timeout)
        time.sleep(0.02)


def tail(path, n=5):
    try:
        with open(path, errors="replace") as f:
            return " | ".join(l.rstrip() for l in f.readlines()[-n:])
    except OSError:
        return ""


def both_forms(e, wall0, starts_of):
    """The alert of stream line e: (Alertmanager's, aiops-notify's)."""
    labels = e["labels"]
    key = json.dumps(labels, sort_keys=True)
    ends = e.get("ends")
    resolved = ends is not None and ends <= e["at"]
    starts = e.get("starts", starts_of.get(key, e["at"]))
    starts_of.pop(key, None)
    if not resolved:
        starts_of[key] = starts
    am = {"labels": labels, "startsAt": rfc3339(wall0 + starts)}
    ev = {"type": "alert", "ts": rfc3339(wall0 + (ends if resolved else starts)),
          "alertname": labels.get("alertname", ""),
          "status": "resolved" if resolved else "firing",
          "starts_at": rfc3339(wall0 + starts)}
    if ends is not None:
        am["endsAt"] = ev["ends_at"] = rfc3339(wall0 + ends)
    if "annotations" in e:
        am["annotations"] = ev["annotations"] = e["annotations"]
    ev["labels"] = labels
    return am, ev


def post_alert(url, alert):
    req = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps([alert]).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            r.read()
    except urllib.error.HTTPError as err:
        raise Failed("POST /api/v2/alerts: %d %s" % (err.code, err.read()[:300]))


def stop(proc, timeout=10):
    """One SIGTERM, then SIGKILL after timeout; returns its exit status."""
    if proc is None:
        return None
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return "killed: no exit %d s after SIGTERM" % timeout
    return proc.returncode


def run(a):
    d = os.path.abspath(a.dir)
    events = read_stream(a.stream)
    sink = Sink(os.path.join(d, "sink.ndjson"))
    am_yaml, ai_yaml = configs(a.routing, sink.port, a.resolve_timeout, d)
    env = {k: v for k, v in os.environ.items()
           if k not in ("AIOPS_NOW", "AIOPS_CONFIG", "AIOPS_STATE")}
    port = free_port()
    url = "http://127.0.0.1:%d" % port
    os.makedirs(os.path.join(d, "am-data"), exist_ok=True)
    am = ai = None
    status = {}
    try:
        with open(os.path.join(d, "aiops.out"), "w") as out, \
                open(os.path.join(d, "aiops.err"), "w") as err, \
                open(os.path.join(d, "am.log"), "w") as amlog:
            ai = subprocess.Popen([a.notify, "--watch", "--clock", "wall",
                                   "--state", os.path.join(d, "state.db"), "--config", ai_yaml],
                                  stdin=subprocess.PIPE, stdout=out, stderr=err, env=env,
                                  preexec_fn=die_with_parent)
            am = subprocess.Popen([a.am, "--config.file=" + am_yaml,
                                   "--storage.path=" + os.path.join(d, "am-data"),
                                   "--web.listen-address=127.0.0.1:%d" % port,
                                   "--cluster.listen-address=", "--log.level=warn"],
                                  stdin=subprocess.DEVNULL, stdout=amlog, stderr=amlog,
                                  preexec_fn=die_with_parent)
        sink.start()
        wait_ready(url, am, os.path.join(d, "am.log"))
        wait_reading(ai, os.path.join(d, "aiops.err"))
        # Both clocks read at one instant: wall time for the alerts' own
        # times, monotonic time for the schedule and the arrivals.
        mono0, wall0 = time.monotonic(), round(time.time(), 3)
        sink.t0 = mono0
        starts_of = {}
        for e in events:
            delay = mono0 + e["at"] - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if e.get("end"):
                break
            am_alert, ev = both_forms(e, wall0, starts_of)
            try:
                ai.stdin.write((json.dumps(ev, separators=(",", ":")) + "\n").encode())
                ai.stdin.flush()
            except BrokenPipeError:
                raise Failed("aiops-notify stopped reading: %s" % tail(os.path.join(d, "aiops.err")))
            post_alert(url, am_alert)
        try:
            with urllib.request.urlopen(url + "/api/v2/alerts", timeout=5) as r:
                with open(os.path.join(d, "am-alerts.json"), "w") as f:
                    f.write(r.read().decode())
        except OSError:
            pass
        end = time.monotonic() - mono0
    finally:
        if ai is not None and ai.stdin is not None:
            try:
                ai.stdin.close()
            except OSError:
                pass
        status["aiops"] = stop(ai)
        status["am"] = stop(am)
        sink.stop()
    status["end"] = round(end, 3)
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump(status, f)
        f.write("\n")
    with open(os.path.join(d, "notifications.ndjson"), "w") as f:
        for t, path, body in sorted(sink.got):
            side = path.split("/")[1]
            p = json.loads(body)
            rec = {"side": side, "t": round(t - mono0, 3), "receiver": p.get("receiver"),
                   "groupKey": p.get("groupKey"),
                   "alerts": [{"status": x.get("status"), "labels": x.get("labels"),
                               "fingerprint": x.get("fingerprint")} for x in p.get("alerts", [])]}
            f.write(json.dumps(rec, sort_keys=True) + "\n")


# ---------------------------------------------------------------- compare

SIDES = (("am", "Alertmanager"), ("aiops", "aiops-notify"))


def lstr(labels):
    return "{" + ", ".join('%s="%s"' % kv for kv in sorted(labels.items())) + "}"


def content(n):
    """What a notification told: (firing label sets, resolved label sets)."""
    return (tuple(sorted(lstr(a["labels"]) for a in n["alerts"] if a["status"] == "firing")),
            tuple(sorted(lstr(a["labels"]) for a in n["alerts"] if a["status"] != "firing")))


def show(n):
    f, r = content(n)
    s = "%6.2fs" % n["t"]
    if f:
        s += "  firing " + " ".join(f)
    if r:
        s += "  resolved " + " ".join(r)
    return s


def compare(a):
    problems = []
    if os.path.exists(os.path.join(os.path.dirname(a.file), "run.json")):
        with open(os.path.join(os.path.dirname(a.file), "run.json")) as f:
            st = json.load(f)
        if st.get("aiops") != 0:
            problems.append("aiops-notify --watch ended with %s after one SIGTERM" % st.get("aiops"))
    with open(a.file) as f:
        ns = [json.loads(l) for l in f if l.strip()]
    groups = {}
    for n in ns:
        groups.setdefault((n["receiver"], n["groupKey"]), {"am": [], "aiops": []})[n["side"]].append(n)
    count = {s: sum(1 for n in ns if n["side"] == s) for s, _ in SIDES}
    out, late, worst = [], [], [0.0, 0.0]
    for key in sorted(groups, key=lambda k: (str(k[0]), str(k[1]))):
        g = groups[key]
        why = []
        for i in range(max(len(g["am"]), len(g["aiops"]))):
            x = g["am"][i] if i < len(g["am"]) else None
            y = g["aiops"][i] if i < len(g["aiops"]) else None
            if x is None or y is None:
                why.append("notification %d: only %s sent it" % (i + 1, "aiops-notify" if x is None
                                                                   else "Alertmanager"))
                continue
            if content(x) != content(y):
                why.append("notification %d: not the same alerts" % (i + 1))
            tol = (a.group_wait if i == 0 else a.group_interval) + 1
            dt = abs(x["t"] - y["t"])
            worst[i > 0] = max(worst[i > 0], dt)
            if dt > tol:
                why.append("notification %d: %.2f s apart, more than %s %g s + 1 s" %
                           (i + 1, dt, "group_wait" if i == 0 else "group_interval", tol - 1))
            elif dt > a.note:
                late.append("note: %s, receiver %s, notification %d: %.2f s apart (within %g s)" %
                            (key[1], key[0], i + 1, dt, tol))
        if why:
            out.append("group %s, receiver %s:" % (key[1], key[0]))
            for s, name in SIDES:
                out.append("  %s:%s" % (name, "" if g[s] else " nothing"))
                out.extend("    " + show(n) for n in g[s])
            out.extend("  differs: " + w for w in why)
    fps = {}
    for n in ns:
        for x in n["alerts"]:
            fps.setdefault(lstr(x["labels"]), {}).setdefault(n["side"], set()).add(x["fingerprint"])
    for l, by in sorted(fps.items()):
        if "am" in by and "aiops" in by and by["am"] != by["aiops"]:
            out.append("fingerprint of %s: Alertmanager %s, aiops-notify %s" %
                       (l, ",".join(sorted(by["am"])), ",".join(sorted(by["aiops"]))))
    if a.expect is not None and count["am"] != a.expect:
        problems.append("the scenario did not run as designed: Alertmanager sent %d notifications, "
                     "%d expected" % (count["am"], a.expect))
    ndiff = sum(1 for l in out if not l.startswith(" "))
    print("%d groups; %d notifications from Alertmanager, %d from aiops-notify; "
          "%s; times apart at most %.2f s (first), %.2f s (later)" %
          (len(groups), count["am"], count["aiops"],
           "%d group(s) differ" % ndiff if ndiff else "the same", worst[0], worst[1]))
    for l in problems + out + late:
        print(l)
    return 1 if out or problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--am", required=True)
    r.add_argument("--notify", required=True)
    r.add_argument("--stream", required=True)
    r.add_argument("--routing", required=True)
    r.add_argument("--dir", required=True)
    r.add_argument("--resolve-timeout", default="5m")
    r.add_argument("--timeout", type=float, default=120)
    c = sub.add_parser("compare")
    c.add_argument("file")
    c.add_argument("--group-wait", type=float, default=1)
    c.add_argument("--group-interval", type=float, default=2)
    c.add_argument("--expect", type=int)
    c.add_argument("--note", type=float, default=0.5)
    a = ap.parse_args()
    if a.cmd == "compare":
        return compare(a)

    def give_up(sig, frame):
        raise Failed("signal %d" % sig if sig != signal.SIGALRM else
                     "gave up after %g s" % a.timeout)
    signal.signal(signal.SIGTERM, give_up)
    signal.signal(signal.SIGINT, give_up)
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(max(1, int(a.timeout)))
    try:
        run(a)
    except (Failed, OSError, ValueError) as err:
        print("parity.py run: %s" % err, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
