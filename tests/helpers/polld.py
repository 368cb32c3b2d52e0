#!/usr/bin/python3
"""polld.py: the hosted APIs aiops-ingest poll asks, on 127.0.0.1, each
checking the contract of ../shared/PEERS.md before it answers, for
tests/poll.bats.

Usage: polld.py MODE [--timeout SECONDS] [--log FILE] [--key-file FILE]
                [--app-key-file FILE] [--auth bearer|splunk] [--malformed]
MODE:
  datadog  POST /api/v2/logs/events/search with DD-API-KEY (the first line
           of --key-file) and DD-APPLICATION-KEY (of --app-key-file), a JSON
           body {"filter":{"query","from","to"[,"indexes"]},"page":{"limit"
           [,"cursor"]},"sort"}: three pages of logs linked by meta.page.after
           cursors (2, 2 and 1 logs). 403 on a wrong key, 400 on a wrong body.
  splunk   POST /services/search/jobs/export, form fields search (starting
           with "search " or "|"), output_mode=json, earliest_time,
           latest_time; Authorization "Bearer TOKEN" (or "Splunk TOKEN" with
           --auth splunk), TOKEN the first line of --key-file: three results
           streamed one JSON object a line, the last with "lastrow". 401 on a
           wrong token, 400 on a wrong body.
  prom     GET /api/v1/query and /api/v1/query_range of the Prometheus HTTP
           API behind a proxy that wants "Authorization: Bearer TOKEN": a
           vector (or a matrix) of one series; query "bad(" gets a 400
           {"status":"error","errorType":"bad_data",...}. 401 without the
           token.
--malformed answers 200 with a body that is not what the API sends.
Listens on an ephemeral port and prints it on stdout (one line). With
--log, appends one JSON line per request: method, path, the headers that
matter (never their secret values: only whether they matched) and the
body. Exits by itself after SECONDS (default 60), or as soon as its parent
dies. Python 3 standard library only.
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()


def secret(path):
    with open(path) as f:
        return f.readline().rstrip("\r\n")


def dd_log(i):
    levels = ["info", "error", "warn", "critical", "ok"]
    return {"id": "AAAA%d" % i, "type": "log",
            "attributes": {"timestamp": "2026-11-22T11:5%d:00.000Z" % i,
                           "host": "web-%d" % (i % 2), "service": "checkout",
                           "status": levels[i % len(levels)],
                           "message": "request %d handled" % i,
                           "tags": ["env:prod", "team:web"],
                           "attributes": {"http": {"status_code": 200 + i}}}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aiops-test-polld"

    def log_message(self, fmt, *args):
        pass

    def record(self, **kw):
        if ARGS.log:
            kw.update(method=self.command, path=self.path)
            with LOCK, open(ARGS.log, "a") as f:
                f.write(json.dumps(kw, sort_keys=True) + "\n")

    def answer(self, code, body, ctype="application/json"):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n).decode("utf-8", "replace")

    # ---- Datadog ----
    def datadog(self):
        raw = self.body()
        keys_ok = (self.headers.get("DD-API-KEY") == secret(ARGS.key_file) and
                   self.headers.get("DD-APPLICATION-KEY") == secret(ARGS.app_key_file))
        ctype = self.headers.get("Content-Type", "")
        self.record(keys_ok=keys_ok, content_type=ctype, body=raw)
        if self.path != "/api/v2/logs/events/search":
            return self.answer(404, {"errors": ["Not found"]})
        if not keys_ok:
            return self.answer(403, {"errors": ["Forbidden"]})
        try:
            b = json.loads(raw)
            f, page = b["filter"], b["page"]
            assert ctype.startswith("application/json")
            assert isinstance(f["query"], str) and f["query"]
            assert isinstance(f["from"], str) and isinstance(f["to"], str)
            assert "indexes" not in f or all(isinstance(x, str) for x in f["indexes"])
            assert isinstance(page["limit"], int) and 1 <= page["limit"] <= 5000
            assert b.get("sort") in ("timestamp", "-timestamp")
            cursor = page.get("cursor")
        except (ValueError, KeyError, TypeError, AssertionError) as e:
            return self.answer(400, {"errors": ["Bad request: %r" % e]})
        if ARGS.malformed:
            return self.answer(200, '{"data": [{"id": 1, "attributes": ')
        pages = {None: ([0, 1], "c2"), "c2": ([2, 3], "c3"), "c3": ([4], None)}
        if cursor not in pages:
            return self.answer(400, {"errors": ["unknown cursor"]})
        ids, after = pages[cursor]
        out = {"data": [dd_log(i) for i in ids], "meta": {"page": {}, "status": "done"}}
        if after:
            out["meta"]["page"]["after"] = after
            out["links"] = {"next": "http://127.0.0.1/api/v2/logs/events?page[cursor]=" + after}
        return self.answer(200, out)

    # ---- Splunk ----
    def splunk(self):
        raw = self.body()
        want = ("Splunk " if ARGS.auth == "splunk" else "Bearer ") + secret(ARGS.key_file)
        auth_ok = self.headers.get("Authorization") == want
        ctype = self.headers.get("Content-Type", "")
        form = urllib.parse.parse_qs(raw, keep_blank_values=True)
        self.record(auth_ok=auth_ok, content_type=ctype,
                    form={k: v[0] for k, v in form.items()})
        if self.path != "/services/search/jobs/export":
            return self.answer(404, {"messages": [{"type": "ERROR", "text": "Not Found"}]})
        if not auth_ok:
            return self.answer(401, {"messages": [{"type": "WARN", "text": "call not properly authenticated"}]})
        search = form.get("search", [""])[0]
        if (not ctype.startswith("application/x-www-form-urlencoded") or
                form.get("output_mode") != ["json"] or
                not (search.startswith("search ") or search.startswith("|")) or
                "earliest_time" not in form or "latest_time" not in form):
            return self.answer(400, {"messages": [{"type": "FATAL", "text": "bad request"}]})
        if ARGS.malformed:
            return self.answer(200, 'not json\n{"result": 3\n', "application/json")
        rows = []
        for i in range(3):
            rows.append({"preview": False, "offset": i, "result": {
                "_time": "2026-11-22T11:5%d:00.000+00:00" % i,
                "_raw": "2026-11-22 11:5%d:00 ERROR payment %d failed" % (i, i),
                "host": "db-%d" % i, "source": "/var/log/app.log",
                "sourcetype": "app", "index": "main"}})
        rows[-1]["lastrow"] = True
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
        # Streamed: chunked, a row a chunk, as Splunk's export does.
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in data.splitlines(keepends=True):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    # ---- Prometheus behind a proxy ----
    def prom(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        auth_ok = self.headers.get("Authorization") == "Bearer " + secret(ARGS.key_file)
        self.record(auth_ok=auth_ok, query=q.get("query", [""])[0])
        if not auth_ok:
            return self.answer(401, "Unauthorized\n", "text/plain")
        if ARGS.malformed:
            return self.answer(200, {"status": "success", "data": {"resultType": "vector",
                                                                   "result": [{"metric": {"__name__": "up"}, "value": [1, 2]}]}})
        query = q.get("query", [""])[0]
        if query == "bad(":
            return self.answer(400, {"status": "error", "errorType": "bad_data",
                                     "error": "1:5: parse error: unclosed left parenthesis"})
        now = time.time()
        if u.path == "/api/v1/query":
            return self.answer(200, {"status": "success", "data": {"resultType": "vector", "result": [
                {"metric": {"__name__": "up", "job": "node", "instance": "n1:9100", "cluster": "inner"},
                 "value": [now, "1"]}]}})
        if u.path == "/api/v1/query_range":
            return self.answer(200, {"status": "success", "data": {"resultType": "matrix", "result": [
                {"metric": {"__name__": "up", "job": "node"},
                 "values": [[now - 10, "1"], [now - 5, "NaN"], [now, "0"]]}]}})
        return self.answer(404, "404 page not found\n", "text/plain")

    def do_POST(self):
        if ARGS.mode == "datadog":
            return self.datadog()
        if ARGS.mode == "splunk":
            return self.splunk()
        return self.answer(405, "method not allowed\n", "text/plain")

    def do_GET(self):
        if ARGS.mode == "prom":
            return self.prom()
        return self.answer(405, "method not allowed\n", "text/plain")


def watchdog(deadline, parent):
    while time.time() < deadline and os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["datadog", "splunk", "prom"])
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--log")
    p.add_argument("--key-file")
    p.add_argument("--app-key-file")
    p.add_argument("--auth", default="bearer")
    p.add_argument("--malformed", action="store_true")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=watchdog, args=(time.time() + ARGS.timeout, os.getppid()),
                     daemon=True).start()
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
