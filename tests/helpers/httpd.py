#!/usr/bin/python3
"""httpd.py: a scripted HTTP/1.1 server on 127.0.0.1 for the lib/net tests.

Usage: httpd.py [--timeout SECONDS]
Listens on an ephemeral port and prints it on stdout (one line). Exits by
itself after SECONDS (default 60), or as soon as its parent dies, so a test
that crashes never leaves it behind. Python 3 standard library only.

Paths (query parameters in brackets):
  /ok                 200 "hello", text/plain
  /slack              200 "ok" (a Slack incoming webhook's success)
  /accepted           202 (PagerDuty Events API v2)
  /status/CODE        that status, body "status CODE"
  /429s               429, Retry-After: 7
  /429d               429, Retry-After as an IMF-fixdate
  /flaky/KEY          500 the first time KEY is asked, 200 "recovered" after
  /slow[?ms=N]        waits N ms (default 3000), then 200
  /big[?n=N&status=S] S (200) with N bytes (default 1 MiB), Content-Length given
  /bigchunked[?n=N]   the same, chunked (no length known in advance)
  /ndjson             chunked NDJSON, lines split across chunks
  /sse                chunked Server-Sent Events (CRLF, comments, [DONE])
  /stall              chunked: one line, then silence for 5 s
  /redirect           302 to /ok
  /cut                Content-Length: 100, 10 bytes, then the connection closes
  /echo[?status=N]    JSON: method, path, query, headers, body, client port
  /conc[?ms=N&id=I]   holds N ms (default 200), answers {"id": I}; counts overlap
  /maxconc            {"max": the most /conc requests in flight at once}
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
STATE = {"flaky": set(), "inflight": 0, "max": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aiops-test-httpd"

    def log_message(self, fmt, *args):  # quiet: the TAP stream is stdout of the test
        pass

    def reply(self, code, body=b"", ctype="text/plain", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if code >= 200 and code not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        # HEAD, 1xx, 204 and 304 responses have no body (RFC 9110 §6.4.1).
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def chunk(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def start_chunked(self, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = self.read_body()
        p = url.path
        if p == "/ok":
            self.reply(200, "hello")
        elif p == "/slack":
            self.reply(200, "ok")
        elif p == "/accepted":
            self.reply(202, '{"status":"success"}', "application/json")
        elif p.startswith("/status/"):
            code = int(p[len("/status/"):])
            self.reply(code, "status %d" % code)
        elif p == "/429s":
            self.reply(429, "slow down", headers=[("Retry-After", "7")])
        elif p == "/429d":
            self.reply(429, "slow down", headers=[("Retry-After", "Wed, 21 Oct 2037 07:28:00 GMT")])
        elif p.startswith("/flaky/"):
            with LOCK:
                first = p not in STATE["flaky"]
                STATE["flaky"].add(p)
            if first:
                self.reply(500, "try later")
            else:
                self.reply(200, "recovered")
        elif p == "/slow":
            time.sleep(int(q.get("ms", 3000)) / 1000)
            self.reply(200, "late")
        elif p == "/big":
            self.reply(int(q.get("status", 200)), b"x" * int(q.get("n", 1 << 20)))
        elif p == "/bigchunked":
            self.start_chunked("text/plain")
            left = int(q.get("n", 1 << 20))
            try:
                while left > 0:
                    n = min(left, 65536)
                    self.chunk(b"y" * n)
                    left -= n
                self.chunk(b"")
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
        elif p == "/ndjson":
            self.start_chunked("application/x-ndjson")
            for piece in ['{"n":1}\n{"n"', ':2}\r\n', '{"n":3}\n\n{"n":4', '}\n', '{"n":5}']:
                self.chunk(piece)
                time.sleep(0.01)
            self.chunk("")
        elif p == "/sse":
            self.start_chunked("text/event-stream")
            for piece in [": keep-alive\r\n\r\n", "data: {\"a\":1}\r", "\n\r\ndata: line1\n",
                          "data: line2\n\nevent: ping\ndata:x\nid: 7\n\n", "data: [DONE]\n\n"]:
                self.chunk(piece)
                time.sleep(0.01)
            self.chunk("")
        elif p == "/stall":
            self.start_chunked("application/x-ndjson")
            self.chunk('{"n":1}\n')
            time.sleep(5)
            self.close_connection = True
        elif p == "/redirect":
            self.reply(302, "", headers=[("Location", "/ok")])
        elif p == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
        elif p == "/echo":
            doc = {"method": self.command, "path": p, "query": url.query,
                   "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": body.decode("utf-8", "replace"), "body_len": len(body),
                   "port": self.client_address[1]}
            self.reply(int(q.get("status", 200)), json.dumps(doc, sort_keys=True), "application/json")
        elif p == "/conc":
            with LOCK:
                STATE["inflight"] += 1
                STATE["max"] = max(STATE["max"], STATE["inflight"])
            time.sleep(int(q.get("ms", 200)) / 1000)
            with LOCK:
                STATE["inflight"] -= 1
            self.reply(200, json.dumps({"id": q.get("id", "")}), "application/json")
        elif p == "/maxconc":
            self.reply(200, json.dumps({"max": STATE["max"]}), "application/json")
        else:
            self.reply(404, "no such path")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (timeouts, caps) is part of the tests


def watchdog(parent, deadline):
    """Exit when the parent is gone or the time is up, whatever the server does."""
    while True:
        if os.getppid() != parent or time.monotonic() > deadline:
            os._exit(0)
        time.sleep(0.2)


def main():
    timeout = 60.0
    if len(sys.argv) == 3 and sys.argv[1] == "--timeout":
        timeout = float(sys.argv[2])
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=watchdog, args=(os.getppid(), time.monotonic() + timeout),
                     daemon=True).start()
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
