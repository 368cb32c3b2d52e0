#!/usr/bin/python3
"""bench/notify/am.py - the Alertmanager side of bench/notify/run.

usage: am.py sink COUNTFILE [--timeout S]
       am.py ready URL [--timeout S]
       am.py silence URL SECONDS MATCHER...
       am.py post URL BATCHES PID
       am.py count URL [DUMP]
       am.py parity DUMP FILE...

sink     a webhook receiver on 127.0.0.1: prints its port, answers 200 to
         every POST, writes the number of requests to COUNTFILE as they
         come; exits by itself after S seconds (default 900) or when its
         parent dies
ready    polls URL/-/ready until 200, or fails after S seconds (default 60)
silence  POST /api/v2/silences from now for SECONDS; a MATCHER is
         name=value, name!=value, name=~re or name!~re (values unquoted);
         prints the id
post     POSTs each line of BATCHES (a JSON array of alerts) to
         /api/v2/alerts in turn over one keep-alive connection, the file
         read before the clock starts; prints "alerts seconds vmhwm_kib
         vmrss_kib tail_alerts tail_seconds": the memory read from
         /proc/PID/status right after the last answer, the tail the last
         tenth of the batches (sent when it holds the other 90%)
count    prints the alerts Alertmanager holds: all, active, silenced,
         inhibited (GET /api/v2/alerts); with DUMP, writes there a line
         "fingerprint state" per alert
parity   compares the alerts Alertmanager holds active (DUMP of count)
         with those aiops-notify last told firing: FILEs are its file
         receivers' payloads, the last one of each receiver and group key
         counting; prints "both aiops_only am_only" and, on stderr, up to
         5 fingerprints of each difference
Standard library only.
"""
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def die(msg):
    sys.exit("am.py: " + msg)


def sink(countfile, timeout):
    lock = threading.Lock()
    seen = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with lock:
                seen[0] += 1
                # whole or not at all, for a reader at any time
                with open(countfile + ".tmp", "w") as f:
                    f.write("%d\n" % seen[0])
                os.replace(countfile + ".tmp", countfile)

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass    # a sender gone mid-request (Alertmanager stopped)

    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    parent = os.getppid()
    # Ends by itself: after the timeout, or once whoever started it is gone.
    deadline = time.monotonic() + timeout

    def watchdog():
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(0.5)
        srv.shutdown()

    threading.Thread(target=watchdog, daemon=True).start()
    srv.serve_forever()


def ready(url, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            die("%s not ready after %g s" % (url, timeout))
        time.sleep(0.1)


def parse_matcher(s):
    m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(=~|!~|!=|=)(.*)", s)
    if m is None:
        die("bad matcher: " + s)
    name, op, value = m.groups()
    return {"name": name, "value": value, "isRegex": "~" in op, "isEqual": op[0] == "="}


def rfc3339(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def silence(url, seconds, matchers):
    now = datetime.now(timezone.utc)
    body = {"matchers": [parse_matcher(m) for m in matchers],
            "startsAt": rfc3339(now), "endsAt": rfc3339(now + timedelta(seconds=seconds)),
            "createdBy": "bench/notify", "comment": "bench"}
    req = urllib.request.Request(url + "/api/v2/silences", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        print(json.load(r)["silenceID"])


def status_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    die("no %s in /proc/%d/status" % (key, pid))


def post(url, path, pid):
    with open(path, "rb") as f:
        batches = [line.rstrip(b"\n") for line in f if line.strip()]
    n = sum(len(json.loads(b)) for b in batches)
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    hdr = {"Content-Type": "application/json"}
    # the last tenth of the batches, when it holds 90% of them already
    tail_from = len(batches) - max(1, len(batches) // 10)
    tail_n = sum(len(json.loads(b)) for b in batches[tail_from:])
    t0 = time.monotonic()
    for i, b in enumerate(batches):
        if i == tail_from:
            t1 = time.monotonic()
        conn.request("POST", "/api/v2/alerts", body=b, headers=hdr)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            die("POST /api/v2/alerts: %d %s" % (r.status, body[:300]))
    t2 = time.monotonic()
    conn.close()
    print(n, "%.3f" % (t2 - t0), status_kib(pid, "VmHWM"), status_kib(pid, "VmRSS"),
          tail_n, "%.3f" % (t2 - t1))


def count(url, dump):
    with urllib.request.urlopen(url + "/api/v2/alerts", timeout=300) as r:
        alerts = json.load(r)
    if dump:
        with open(dump, "w") as f:
            for a in alerts:
                f.write("%s %s\n" % (a["fingerprint"], a["status"]["state"]))
    st = [a["status"] for a in alerts]
    print(len(alerts), sum(s["state"] == "active" for s in st),
          sum(bool(s["silencedBy"]) for s in st), sum(bool(s["inhibitedBy"]) for s in st))


def parity(dump, files):
    with open(dump) as f:
        am = {fp for fp, state in (line.split() for line in f) if state == "active"}
    last = {}
    for path in files:
        with open(path) as f:
            for line in f:
                p = json.loads(line)
                last[(p["receiver"], p["groupKey"])] = p
    told = {a["fingerprint"] for p in last.values() for a in p["alerts"]
            if a["status"] == "firing"}
    print(len(am & told), len(told - am), len(am - told))
    for name, d in (("aiops-notify only", told - am), ("Alertmanager only", am - told)):
        if d:
            print("%s: %s" % (name, " ".join(sorted(d)[:5])), file=sys.stderr)


def main(argv):
    if len(argv) < 3:
        die("usage: see the head of " + argv[0])
    cmd, args = argv[1], argv[2:]
    timeout = None
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    if cmd == "sink" and len(args) == 1:
        sink(args[0], timeout or 900)
    elif cmd == "ready" and len(args) == 1:
        ready(args[0], timeout or 60)
    elif cmd == "silence" and len(args) >= 3:
        silence(args[0], float(args[1]), args[2:])
    elif cmd == "post" and len(args) == 3:
        post(args[0], args[1], int(args[2]))
    elif cmd == "count" and len(args) in (1, 2):
        count(args[0], args[1] if len(args) == 2 else None)
    elif cmd == "parity" and len(args) >= 2:
        parity(args[0], args[1:])
    else:
        die("usage: see the head of " + argv[0])


if __name__ == "__main__":
    main(sys.argv)
