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

Fakes of hosted services, each checking the request against the service's
documented contract (/work/shared/PEERS.md section 7) and answering as it
does; a request that breaks the contract gets the service's error and a
"violation" in LOG:
  /services/T/B/X            Slack incoming webhook: JSON with text or
                             blocks (header plain_text <= 150, section text
                             <= 3000, <= 10 fields of <= 2000); 200 "ok",
                             else 400 invalid_blocks / no_text
  /v2/enqueue                PagerDuty Events API v2: routing_key,
                             event_action trigger|acknowledge|resolve,
                             dedup_key <= 255; a trigger's payload with
                             summary <= 1024, source, severity
                             critical|error|warning|info; <= 512 KB;
                             202 {"status":"success",...}, else 400
  /api/now/table/incident    ServiceNow Table API: Basic aiops:sn-pass,
  [/SYS_ID]                  JSON in and Accept: application/json; POST
                             needs short_description, gives 201 with
                             Location and result.sys_id and number; PATCH
                             of a known sys_id 200; 401 on bad auth, 404
                             on an unknown record
  /api/now/table/change_request   the same for change requests (CHG
                             numbers); type, when given, normal, standard
                             or emergency
  /api/v2/runs               Terraform Cloud runs API: Bearer tfc-token,
                             Content-Type application/vnd.api+json, body
                             data.type "runs", data.attributes (message a
                             string, is-destroy and auto-apply booleans when
                             given), data.relationships.workspace.data
                             {type "workspaces", id "ws-..."}; 201 with
                             data.id run-... and attributes.status
                             "pending"; 401 on a bad token, 404 for the
                             workspace ws-unknown, 422 for a bad body
"""
import base64
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

    def log(self, body, violation=None):
        rec = {"method": self.command, "path": self.path,
               "headers": dict(self.headers.items()),
               "body": body.decode("utf-8", "replace")}
        if violation:
            rec["violation"] = violation
        with LOCK:
            with open(LOG, "a") as f:
                f.write(json.dumps(rec) + "\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        p = self.path
        if p.startswith("/services/"):
            return self.slack(body)
        if p == "/v2/enqueue":
            return self.pagerduty(body)
        if p.startswith("/api/now/table/incident"):
            return self.servicenow(body)
        if p.startswith("/api/now/table/change_request"):
            return self.servicenow(body, "change_request", "CHG")
        if p == "/api/v2/runs":
            return self.terraform(body)
        self.log(body)
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

    def json_body(self, body):
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return None, "Content-Type is not application/json"
        try:
            return json.loads(body), None
        except ValueError:
            return None, "not JSON"

    def refuse(self, body, code, answer, why):
        self.log(body, why)
        self.reply(code, answer.encode())

    def slack(self, body):
        doc, why = self.json_body(body)
        if why:
            return self.refuse(body, 400, "invalid_payload", why)
        if not doc.get("text") and not doc.get("blocks"):
            return self.refuse(body, 400, "no_text", "neither text nor blocks")
        for b in doc.get("blocks", []):
            t = b.get("type")
            if t == "header" and (b["text"]["type"] != "plain_text" or len(b["text"]["text"]) > 150):
                return self.refuse(body, 400, "invalid_blocks", "header")
            if t == "section":
                if "text" in b and len(b["text"]["text"]) > 3000:
                    return self.refuse(body, 400, "invalid_blocks", "section text")
                f = b.get("fields", [])
                if len(f) > 10 or any(len(x["text"]) > 2000 for x in f):
                    return self.refuse(body, 400, "invalid_blocks", "fields")
        self.log(body)
        self.reply(200, b"ok")

    def pagerduty(self, body):
        doc, why = self.json_body(body)
        if why is None and len(body) > 512000:
            why = "over 512 KB"
        if why is None:
            why = pd_violation(doc)
        if why:
            return self.refuse(body, 400, json.dumps({"status": "invalid event",
                                                      "message": "Event object is invalid",
                                                      "errors": [why]}), why)
        self.log(body)
        self.reply(202, json.dumps({"status": "success", "message": "Event processed",
                                    "dedup_key": doc["dedup_key"]}).encode())

    def terraform(self, body):
        if self.headers.get("Authorization") != "Bearer tfc-token":
            return self.refuse(body, 401, json.dumps({"errors": [{"status": "401",
                                                                 "title": "unauthorized"}]}), "auth")
        if self.headers.get("Content-Type") != "application/vnd.api+json":
            return self.refuse(body, 415, "{}", "Content-Type is not application/vnd.api+json")
        try:
            doc = json.loads(body)
        except ValueError:
            return self.refuse(body, 400, "{}", "not JSON")
        why = tfc_violation(doc)
        if why:
            return self.refuse(body, 422, json.dumps({"errors": [{"status": "422",
                                                                 "detail": why}]}), why)
        ws = doc["data"]["relationships"]["workspace"]["data"]["id"]
        if ws == "ws-unknown":
            return self.refuse(body, 404, json.dumps({"errors": [{"status": "404",
                                                                 "title": "not found"}]}), None)
        with LOCK:
            RUNS.append(doc)
            n = len(RUNS)
        self.log(body)
        out = json.dumps({"data": {"id": "run-%016d" % n, "type": "runs",
                                   "attributes": {"status": "pending",
                                                  "message": doc["data"]["attributes"].get("message", "")}}}).encode()
        self.reply(201, out, [("Content-Type", "application/vnd.api+json")])
        return None

    def servicenow(self, body, table="incident", prefix="INC"):
        want = "Basic " + base64.b64encode(b"aiops:sn-pass").decode()
        if self.headers.get("Authorization") != want:
            return self.refuse(body, 401, json.dumps({"error": {"message": "User Not Authenticated"},
                                                      "status": "failure"}), "auth")
        if self.headers.get("Accept") != "application/json":
            return self.refuse(body, 406, "{}", "Accept is not application/json")
        doc, why = self.json_body(body)
        if why:
            return self.refuse(body, 400, "{}", why)
        parts = self.path.split("/")
        if self.command == "POST" and len(parts) == 5:
            if not doc.get("short_description"):
                return self.refuse(body, 400, "{}", "no short_description")
            if table == "change_request" and doc.get("type", "normal") not in ("normal", "standard", "emergency"):
                return self.refuse(body, 400, "{}", "type")
            with LOCK:
                INCIDENTS.append(dict(doc))
                n = len(INCIDENTS)
            sys_id = "%032x" % n
            rec = dict(doc, sys_id=sys_id, number="%s%07d" % (prefix, 10000 + n))
            self.log(body)
            self.send_response(201)
            out = json.dumps({"result": rec}).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Location", "/api/now/table/%s/%s" % (table, sys_id))
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            return None
        if self.command == "PATCH" and len(parts) == 6:
            n = int(parts[5], 16) if all(c in "0123456789abcdef" for c in parts[5]) else 0
            if not 1 <= n <= len(INCIDENTS):
                return self.refuse(body, 404, json.dumps({"error": {"message": "No Record found"}}),
                                   "unknown record")
            INCIDENTS[n - 1].update(doc)
            self.log(body)
            out = json.dumps({"result": dict(INCIDENTS[n - 1], sys_id=parts[5])}).encode()
            self.reply(200, out)
            return None
        return self.refuse(body, 405, "{}", "method")


INCIDENTS = []
RUNS = []


def tfc_violation(doc):
    """What a Terraform Cloud POST /api/v2/runs body gets wrong, or None."""
    d = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(d, dict) or d.get("type") != "runs":
        return "data.type"
    at = d.get("attributes", {})
    if not isinstance(at, dict):
        return "data.attributes"
    if "message" in at and not isinstance(at["message"], str):
        return "data.attributes.message"
    for k in ("is-destroy", "auto-apply"):
        if k in at and not isinstance(at[k], bool):
            return "data.attributes." + k
    try:
        ws = d["relationships"]["workspace"]["data"]
    except (KeyError, TypeError):
        return "data.relationships.workspace"
    if ws.get("type") != "workspaces" or not str(ws.get("id", "")).startswith("ws-"):
        return "data.relationships.workspace.data"
    return None


def pd_violation(doc):
    """What a PagerDuty Events API v2 event gets wrong, or None."""
    if not isinstance(doc.get("routing_key"), str) or not doc["routing_key"]:
        return "routing_key"
    if doc.get("event_action") not in ("trigger", "acknowledge", "resolve"):
        return "event_action"
    dk = doc.get("dedup_key")
    if dk is not None and (not isinstance(dk, str) or len(dk) > 255):
        return "dedup_key"
    if doc["event_action"] != "trigger":
        return None if dk else "dedup_key required"
    pl = doc.get("payload")
    if not isinstance(pl, dict):
        return "payload"
    if not isinstance(pl.get("summary"), str) or not 0 < len(pl["summary"]) <= 1024:
        return "payload.summary"
    if not isinstance(pl.get("source"), str) or not pl["source"]:
        return "payload.source"
    if pl.get("severity") not in ("critical", "error", "warning", "info"):
        return "payload.severity"
    return None


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
