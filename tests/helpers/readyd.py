#!/usr/bin/python3
"""readyd.py: an endpoint of a registered cluster for tests/cluster.bats,
on 127.0.0.1.

Usage: readyd.py [--timeout SECONDS] [--log FILE] [--status CODE]
Listens on an ephemeral port and prints it on stdout (one line). Answers
GET /-/ready (Prometheus and Alertmanager) with CODE (default 200, body
"ready") and GET /redfish/v1/ with CODE and a Redfish service root; 404
for any other path. With --log, appends a line per request: the path and
the Authorization header as received ("-" for none). Exits by itself
after SECONDS (default 60), or as soon as its parent dies, so a test that
crashes never leaves it behind. Python 3 standard library only.
"""
import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aiops-test-readyd"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        if ARGS.log:
            with LOCK, open(ARGS.log, "a") as f:
                f.write("%s %s\n" % (self.path, self.headers.get("Authorization", "-")))
        if self.path == "/-/ready":
            body, ctype = b"ready\n", "text/plain"
        elif self.path == "/redfish/v1/":
            body = json.dumps({"@odata.id": "/redfish/v1/", "Id": "RootService",
                               "Name": "Root Service", "RedfishVersion": "1.15.0"}).encode()
            ctype = "application/json"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(ARGS.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def watchdog(parent, deadline):
    while time.time() < deadline and os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--log")
    p.add_argument("--status", type=int, default=200)
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=watchdog, args=(os.getppid(), time.time() + ARGS.timeout),
                     daemon=True).start()
    print(srv.server_address[1], flush=True)
    sys.stdout.close()
    srv.serve_forever()


if __name__ == "__main__":
    main()
