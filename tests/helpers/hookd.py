#!/usr/bin/python3
"""hookd.py: a receiver of notifications on 127.0.0.1 for tests/notify.bats.

Usage: hookd.py LOG [--timeout SECONDS]
Listens on an ephemeral port and prints it on stdout (one line). Every
request is appended to LOG as one JSON line: method, path, headers, body.
Exits by itself after SECONDS (default 120), or when its parent dies.
Python 3 standard library only.

Paths:
  /hook           200 (a webhook)
  /slack          200 "ok" (Slack's incoming webhook)
  /status/CODE    that status
  /flaky/KEY      500 the first time KEY is asked, 200 after
  /retry429       429 with Retry-After: 120
  /slow           200 after 0.1 s (a burst takes long enough to be cut)
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = set()
LOG = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        with LOCK:
            with open(LOG, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path,
                                    "headers": dict(self.headers.items()),
                                    "body": body.decode("utf-8", "replace")}) + "\n")
        p = self.path
        if p == "/hook":
            self.reply(200)
        elif p == "/slack":
            self.reply(200, b"ok")
        elif p.startswith("/status/"):
            self.reply(int(p.split("/")[2]), b"refused")
        elif p.startswith("/flaky/"):
            with LOCK:
                first = p not in SEEN
                SEEN.add(p)
            self.reply(500 if first else 200, b"busy" if first else b"")
        elif p == "/slow":
            time.sleep(0.1)
            self.reply(200)
        elif p == "/retry429":
            self.reply(429, b"slow down", [("Retry-After", "120")])
        else:
            self.reply(404)

    do_PATCH = do_POST
    do_PUT = do_POST


def watchdog(timeout, parent):
    end = time.time() + timeout
    while time.time() < end and os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def main():
    timeout = 120.0
    if "--timeout" in sys.argv:
        timeout = float(sys.argv[sys.argv.index("--timeout") + 1])
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=watchdog, args=(timeout, os.getppid()), daemon=True).start()
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
