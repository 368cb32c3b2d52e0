#!/usr/bin/python3
"""llmd.py: a scripted language-model server on 127.0.0.1 for lib/llm's
tests and aiops-ask's: Ollama's POST /api/chat (NDJSON) and an
OpenAI-compatible POST /v1/chat/completions (Server-Sent Events), both
streamed, as /work/shared/PEERS.md §7 describes them.

Usage: llmd.py [--timeout SECONDS] [--key KEY] [--script FILE] [--script-dir DIR]
Listens on an ephemeral port and prints it on stdout (one line). Exits by
itself after SECONDS (default 60), or as soon as its parent dies. Python 3
standard library only.

Every request is checked against the API's contract (method, path,
Content-Type, "Authorization: Bearer KEY" when --key is given, model,
"stream": true, the shape of messages and tools in that API's dialect:
OpenAI's arguments are JSON strings and tool results carry tool_call_id,
Ollama's arguments are objects and tool results carry tool_name; no
field of the other dialect); a wrong one is answered 400 with the reason
in the API's error shape ({"error": "..."} for Ollama, {"error":
{"message": "..."}} for OpenAI), a wrong key 401.

The model name picks the answer:
  text                 a streamed text in several pieces (usage counted)
  tools                one tool call
  tools-split          text, then two tool calls; OpenAI: the fragments of
                       the two interleaved, their arguments split inside
                       an escape and inside a UTF-8 character (raw bytes),
                       and the text split inside a character too; Ollama:
                       the calls in lines of their own before the last,
                       lines split across chunks
  tools-bad-args       a tool call whose arguments are not a JSON object
  slow[:MS]            nothing for MS ms (default 3000), then text
  stall[:MS]           one piece of text, then nothing for MS ms (3000)
  500-then-ok[:N[:T]]  500 for the first N requests (default 1) of this
                       model name and API, then text (T: any tag, to keep
                       counters apart)
  429[:N[:T]]          429 with Retry-After: 1 N times, then text
  429-always           429 with Retry-After: 1
  notfound             404 "model not found", as Ollama and OpenAI word it
  truncated            text, then the body ends without done/[DONE]
  cut                  text, then the connection closes mid-chunk
  error                200, then an error object in the stream
  script               the next turn of --script FILE (see below)
  script:NAME          the next turn of DIR/NAME (--script-dir, else the
                       folder of --script), a counter per NAME
  anything else        404 model not found
A script is a JSON list of turns, served in order, one per request, in
the API the request came in:
  {"text": "...", "tool_calls": [{"name": "...", "arguments": {...}}],
   "finish_reason": "stop", "status": 500, "delay_ms": 0}
(all optional; "arguments" a string is sent as is, a malformed one; a
"status" other than 200 answers that status with an error). A request
after the last turn is answered 400 "script exhausted".

Other paths:
  GET /_requests       the requests so far, a JSON array of {"method",
                       "path", "headers" (names lowercased), "body" (the
                       JSON, or the text if it was not JSON), "error" (the
                       reason it was refused, or null)}
  POST /_reset         forgets the requests and the counters
"""
import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"requests": [], "counts": {}, "script_pos": {}, "scripts": {}}
ARGS = None

TEXT = ["Hello", " from", " llmd:", " disk", " /var", " is", " 91%", " full.", " \u00dcn\u00efc\u00f8d\u00e9", " \u2713"]
TOOL = {"name": "search_logs", "arguments": {"query": "error", "limit": 5}}
SPLIT_CALLS = [
    {"name": "search_logs", "arguments": {"query": "a \"quoted\"\nline \u00e9\u2713", "limit": 5}},
    {"name": "get_metric", "arguments": {"name": "cpu", "host": "db-1"}},
]
BAD_ARGS = '{"query": "unterminated'


class Refuse(Exception):
    def __init__(self, code, reason):
        Exception.__init__(self, reason)
        self.code = code
        self.reason = reason


def need(cond, reason):
    if not cond:
        raise Refuse(400, reason)


def check_tools(tools):
    need(isinstance(tools, list), "tools is not an array")
    for i, t in enumerate(tools):
        need(isinstance(t, dict) and t.get("type") == "function", "tools[%d].type is not \"function\"" % i)
        f = t.get("function")
        need(isinstance(f, dict), "tools[%d].function is not an object" % i)
        need(isinstance(f.get("name"), str) and f["name"], "tools[%d].function.name is missing" % i)
        need("description" not in f or isinstance(f["description"], str),
             "tools[%d].function.description is not a string" % i)
        need(isinstance(f.get("parameters"), dict), "tools[%d].function.parameters is not an object" % i)


def check_openai_messages(msgs):
    ids = set()
    for i, m in enumerate(msgs):
        where = "messages[%d]" % i
        role = m["role"]
        extra = set(m) - {"role", "content", "name", "tool_calls", "tool_call_id"}
        need(not extra, "%s: %s is not a field of OpenAI's messages" % (where, ", ".join(sorted(extra))))
        c = m.get("content")
        if role == "assistant":
            need(c is None or isinstance(c, str), "%s.content is not a string or null" % where)
            calls = m.get("tool_calls")
            need(calls is not None or isinstance(c, str), "%s: no content and no tool_calls" % where)
            if calls is not None:
                need(isinstance(calls, list) and calls, "%s.tool_calls is not a non-empty array" % where)
                for j, tc in enumerate(calls):
                    w = "%s.tool_calls[%d]" % (where, j)
                    need(isinstance(tc, dict), "%s is not an object" % w)
                    need(isinstance(tc.get("id"), str) and tc["id"], "%s.id is missing" % w)
                    need(tc.get("type") == "function", "%s.type is not \"function\"" % w)
                    f = tc.get("function")
                    need(isinstance(f, dict) and isinstance(f.get("name"), str), "%s.function.name is missing" % w)
                    need(isinstance(f.get("arguments"), str), "%s.function.arguments is not a JSON string" % w)
                    ids.add(tc["id"])
        elif role == "tool":
            need(isinstance(c, str), "%s.content is not a string" % where)
            need(isinstance(m.get("tool_call_id"), str), "%s.tool_call_id is missing" % where)
            need(m["tool_call_id"] in ids, "%s.tool_call_id %r answers no earlier tool call" % (where, m["tool_call_id"]))
        else:
            need(isinstance(c, (str, list)), "%s.content is not a string or an array" % where)
            need("tool_calls" not in m and "tool_call_id" not in m, "%s: tool fields on a %s message" % (where, role))


def check_ollama_messages(msgs):
    names = set()
    for i, m in enumerate(msgs):
        where = "messages[%d]" % i
        role = m["role"]
        extra = set(m) - {"role", "content", "images", "tool_calls", "tool_name", "thinking"}
        need(not extra, "%s: %s is not a field of Ollama's messages" % (where, ", ".join(sorted(extra))))
        need(isinstance(m.get("content"), str), "%s.content is not a string" % where)
        if "tool_calls" in m:
            need(role == "assistant", "%s: tool_calls on a %s message" % (where, role))
            calls = m["tool_calls"]
            need(isinstance(calls, list) and calls, "%s.tool_calls is not a non-empty array" % where)
            for j, tc in enumerate(calls):
                w = "%s.tool_calls[%d]" % (where, j)
                need(isinstance(tc, dict) and set(tc) <= {"function"}, "%s: only \"function\" belongs here" % w)
                f = tc.get("function")
                need(isinstance(f, dict) and set(f) <= {"name", "arguments", "index"},
                     "%s.function has fields Ollama does not know" % w)
                need(isinstance(f.get("name"), str) and f["name"], "%s.function.name is missing" % w)
                need(isinstance(f.get("arguments"), dict), "%s.function.arguments is not an object" % w)
                names.add(f["name"])
        if role == "tool":
            need(isinstance(m.get("tool_name"), str), "%s.tool_name is missing" % where)
            need(m["tool_name"] in names, "%s.tool_name %r names no earlier tool call" % (where, m["tool_name"]))
        else:
            need("tool_name" not in m, "%s: tool_name on a %s message" % (where, role))


def check_request(api, headers, raw):
    ctype = headers.get("content-type", "")
    need(ctype.split(";")[0].strip() == "application/json", "Content-Type is %r, not application/json" % ctype)
    if ARGS.key is not None:
        if headers.get("authorization") != "Bearer " + ARGS.key:
            raise Refuse(401, "invalid API key" if "authorization" in headers else "no Authorization header")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Refuse(400, "the body is not JSON: %s" % e)
    need(isinstance(body, dict), "the body is not a JSON object")
    need(isinstance(body.get("model"), str) and body["model"], "model is missing")
    need(body.get("stream") is True, "stream is not true")
    msgs = body.get("messages")
    need(isinstance(msgs, list) and msgs, "messages is not a non-empty array")
    for i, m in enumerate(msgs):
        need(isinstance(m, dict), "messages[%d] is not an object" % i)
        need(m.get("role") in ("system", "user", "assistant", "tool"), "messages[%d].role is %r" % (i, m.get("role")))
    if "tools" in body:
        check_tools(body["tools"])
    if api == "openai":
        check_openai_messages(msgs)
        need("options" not in body, "options is Ollama's, not OpenAI's")
        so = body.get("stream_options")
        need(so is None or isinstance(so, dict), "stream_options is not an object")
        t = body.get("temperature")
        need(t is None or isinstance(t, (int, float)), "temperature is not a number")
    else:
        check_ollama_messages(msgs)
        need("stream_options" not in body and "temperature" not in body,
             "stream_options and a top-level temperature are OpenAI's: Ollama reads options.temperature")
        opts = body.get("options")
        need(opts is None or isinstance(opts, dict), "options is not an object")
        if isinstance(opts, dict):
            t = opts.get("temperature")
            need(t is None or isinstance(t, (int, float)), "options.temperature is not a number")
    return body


def json_bytes_string(b):
    """A JSON string literal of bytes b, bytes >= 0x80 left raw (maybe not UTF-8)."""
    out = bytearray(b'"')
    for c in b:
        if c == 0x22:
            out += b'\\"'
        elif c == 0x5c:
            out += b'\\\\'
        elif c < 0x20:
            out += b'\\u%04x' % c
        else:
            out.append(c)
    out += b'"'
    return bytes(out)


def dumps_with_raw(obj, raws):
    """json.dumps(obj) with the strings "@RAWn@" replaced by raws[n] (bytes)."""
    text = json.dumps(obj, ensure_ascii=False).encode()
    for n, r in enumerate(raws):
        text = text.replace(b'"@RAW%d@"' % n, json_bytes_string(r))
    return text


def split_bytes(b, at):
    """b split at the offsets in at."""
    pieces, last = [], 0
    for k in sorted(set(x for x in at if 0 < x < len(b))):
        pieces.append(b[last:k])
        last = k
    pieces.append(b[last:])
    return pieces


def awkward_cuts(b):
    """Offsets inside an escape and inside a UTF-8 character of b, and a few more."""
    cuts = [1, len(b) // 2]
    i = b.find(b"\\")
    if i >= 0:
        cuts.append(i + 1)      # between the backslash and what it escapes
    for j, c in enumerate(b):
        if c >= 0xc0:
            cuts.append(j + 1)  # after the lead byte of a character
            break
    return cuts


def pieces_of(turn):
    """The pieces a turn's text streams in: given, or a word each."""
    if turn.get("pieces"):
        return turn["pieces"]
    if not turn.get("text"):
        return []
    return re.findall(r"\s*\S+|\s+$", turn["text"])


def args_text(args):
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aiops-test-llmd"

    def log_message(self, fmt, *args):
        pass

    # ---- plumbing ----

    def reply(self, code, body, ctype="application/json", headers=()):
        if not isinstance(body, bytes):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def refuse(self, api, code, reason, headers=()):
        if api == "ollama":
            doc = {"error": reason}
        else:
            doc = {"error": {"message": reason, "type": "invalid_request_error", "param": None, "code": None}}
        self.reply(code, json.dumps(doc), headers=headers)

    def start_stream(self, api):
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson" if api == "ollama" else "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data, pause=0.02):
        if isinstance(data, str):
            data = data.encode()
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
            if pause:
                time.sleep(pause)

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def record(self, body, raw, error):
        if body is None:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                body = raw.decode("utf-8", "replace")
        with LOCK:
            STATE["requests"].append({"method": self.command, "path": self.path,
                                      "headers": {k.lower(): v for k, v in self.headers.items()},
                                      "body": body, "error": error})

    # ---- the two APIs ----

    def ollama_lines(self, model, turn, nmsgs, style):
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        head = {"model": model, "created_at": now}
        lines = []
        for piece in pieces_of(turn):
            lines.append(dict(head, message={"role": "assistant", "content": piece}, done=False))
        calls = turn.get("tool_calls") or []
        if style == "split":
            for c in calls:      # one line each, before the last
                lines.append(dict(head, message={"role": "assistant", "content": "", "tool_calls": [
                    {"function": {"name": c["name"], "arguments": c["arguments"]}}]}, done=False))
        elif calls:
            lines.append(dict(head, message={"role": "assistant", "content": "", "tool_calls": [
                {"function": {"name": c["name"], "arguments": c["arguments"]}} for c in calls]}, done=False))
        last = dict(head, message={"role": "assistant", "content": ""}, done=True,
                    done_reason=turn.get("finish_reason") or "stop",
                    total_duration=123456789, load_duration=1234, prompt_eval_count=10 * nmsgs,
                    prompt_eval_duration=1000, eval_count=len(lines), eval_duration=2000)
        return [(json.dumps(x, ensure_ascii=False) + "\n").encode() for x in lines], \
            (json.dumps(last) + "\n").encode()

    def openai_events(self, model, turn, nmsgs, style):
        base = {"id": "chatcmpl-llmd", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model, "system_fingerprint": "fp_llmd"}

        def ev(delta, finish=None, raws=()):
            doc = dict(base, choices=[{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}])
            return b"data: " + dumps_with_raw(doc, list(raws)) + b"\n\n"

        events = [ev({"role": "assistant", "content": ""})]
        pieces = pieces_of(turn)
        if style == "split" and pieces:
            whole = "".join(pieces).encode()
            for p in split_bytes(whole, awkward_cuts(whole) + [3, 5]):
                events.append(ev({"content": "@RAW0@"}, raws=[p]))
        else:
            for p in pieces:
                events.append(ev({"content": p}))
        calls = turn.get("tool_calls") or []
        frags = []    # (call index, fragment event)
        for k, c in enumerate(calls):
            a = args_text(c["arguments"]).encode()
            first = {"index": k, "id": "call_llmd_%d" % k, "type": "function",
                     "function": {"name": c["name"], "arguments": ""}}
            frags.append((k, ev({"tool_calls": [first]})))
            cuts = awkward_cuts(a) if style == "split" else [len(a) // 2]
            for p in split_bytes(a, cuts):
                frags.append((k, ev({"tool_calls": [{"index": k, "function": {"arguments": "@RAW0@"}}]},
                                    raws=[p])))
        if style == "split" and len(calls) > 1:
            # interleave: each call's first two fragments, then the rest in order
            head = [f for k in range(len(calls)) for f in [x for x in frags if x[0] == k][:2]]
            rest = [f for f in frags if f not in head]
            frags = head + rest
        events += [f[1] for f in frags]
        finish = turn.get("finish_reason") or ("tool_calls" if calls else "stop")
        events.append(ev({}, finish))
        usage = dict(base, choices=[], usage={"prompt_tokens": 10 * nmsgs, "completion_tokens": len(events),
                                              "total_tokens": 10 * nmsgs + len(events)})
        events.append(b"data: " + json.dumps(usage).encode() + b"\n\n")
        return events, b"data: [DONE]\n\n"

    def stream(self, api, model, turn, nmsgs, style="", ending="ok", stall_ms=0):
        if api == "ollama":
            parts, last = self.ollama_lines(model, turn, nmsgs, style)
        else:
            parts, last = self.openai_events(model, turn, nmsgs, style)
        self.start_stream(api)
        try:
            if style == "split":     # pieces across chunk boundaries too
                data = b"".join(parts)
                for p in split_bytes(data, list(range(7, len(data), 53))):
                    self.chunk(p, 0.005)
            else:
                for i, p in enumerate(parts):
                    self.chunk(p)
                    # after the first text (OpenAI's first event has the role only)
                    if stall_ms and i == (0 if api == "ollama" else 1):
                        time.sleep(stall_ms / 1000)
            if ending == "truncated":
                self.end_stream()
                return
            if ending == "cut":
                self.wfile.write(b"100\r\nnot the whole chunk")
                self.wfile.flush()
                self.close_connection = True
                return
            self.chunk(last, 0)
            self.end_stream()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def stream_error(self, api):
        self.start_stream(api)
        if api == "ollama":
            self.chunk(json.dumps({"model": "error", "message": {"role": "assistant", "content": "Hi"},
                                   "done": False}) + "\n")
            self.chunk(json.dumps({"error": "an error in the middle of the stream"}) + "\n")
        else:
            self.chunk('data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n')
            self.chunk('data: {"error":{"message":"an error in the middle of the stream","type":"server_error"}}\n\n')
        self.end_stream()

    def count(self, key):
        with LOCK:
            n = STATE["counts"].get(key, 0)
            STATE["counts"][key] = n + 1
        return n

    def script_turn(self, name):
        if name is None:
            path = ARGS.script
        else:
            folder = ARGS.script_dir or (os.path.dirname(ARGS.script) if ARGS.script else ".")
            path = os.path.join(folder, name)
            if not os.path.exists(path) and os.path.exists(path + ".json"):
                path += ".json"
        if path is None:
            raise Refuse(400, "no --script given")
        with LOCK:
            if path not in STATE["scripts"]:
                try:
                    with open(path, encoding="utf-8") as f:
                        STATE["scripts"][path] = json.load(f)
                except (OSError, ValueError) as e:
                    raise Refuse(400, "script %s: %s" % (path, e))
            turns = STATE["scripts"][path]
            pos = STATE["script_pos"].get(path, 0)
            STATE["script_pos"][path] = pos + 1
        if not isinstance(turns, list) or pos >= len(turns):
            raise Refuse(400, "script exhausted: %d turns served" % (len(turns) if isinstance(turns, list) else 0))
        return turns[pos]

    def answer(self, api, body):
        model = body["model"]
        nmsgs = len(body["messages"])
        name, _, rest = model.partition(":")
        text = {"pieces": TEXT}
        if model == "text":
            self.stream(api, model, text, nmsgs)
        elif model == "tools":
            self.stream(api, model, {"tool_calls": [TOOL]}, nmsgs)
        elif model == "tools-split":
            self.stream(api, model, {"pieces": ["Looking \u2713 ", "into it."], "tool_calls": SPLIT_CALLS},
                        nmsgs, style="split")
        elif model == "tools-bad-args":
            self.stream(api, model, {"tool_calls": [{"name": "search_logs", "arguments": BAD_ARGS}]}, nmsgs)
        elif name == "slow":
            time.sleep(int(rest or 3000) / 1000)
            self.stream(api, model, text, nmsgs)
        elif name == "stall":
            self.stream(api, model, text, nmsgs, stall_ms=int(rest or 3000))
        elif name in ("500-then-ok", "429"):
            n, _, _ = rest.partition(":")
            if self.count((api, model)) < int(n or 1):
                if name == "429":
                    self.refuse(api, 429, "rate limited: slow down", headers=[("Retry-After", "1")])
                else:
                    self.refuse(api, 500, "internal error")
            else:
                self.stream(api, model, text, nmsgs)
        elif model == "429-always":
            self.refuse(api, 429, "rate limited: slow down", headers=[("Retry-After", "1")])
        elif model == "truncated":
            self.stream(api, model, text, nmsgs, ending="truncated")
        elif model == "cut":
            self.stream(api, model, text, nmsgs, ending="cut")
        elif model == "error":
            self.stream_error(api)
        elif name == "script":
            turn = self.script_turn(rest or None)
            if turn.get("delay_ms"):
                time.sleep(turn["delay_ms"] / 1000)
            status = turn.get("status", 200)
            if status != 200:
                self.refuse(api, status, turn.get("error") or "scripted failure",
                            headers=[("Retry-After", "1")] if status == 429 else ())
            else:
                self.stream(api, model, turn, nmsgs, ending=turn.get("ending", "ok"))
        else:
            self.not_found(api, model)

    def not_found(self, api, model):
        if api == "ollama":
            self.refuse(api, 404, 'model "%s" not found, try pulling it first' % model)
        else:
            self.reply(404, json.dumps({"error": {"message": "The model `%s` does not exist or you do not have "
                                                  "access to it." % model, "type": "invalid_request_error",
                                                  "param": None, "code": "model_not_found"}}))

    # ---- dispatch ----

    def do_POST(self):
        raw = self.read_body()
        api = {"/api/chat": "ollama", "/v1/chat/completions": "openai"}.get(self.path)
        if self.path == "/_reset":
            with LOCK:
                STATE["requests"] = []
                STATE["counts"] = {}
                STATE["script_pos"] = {}
            self.reply(200, "{}")
            return
        if api is None:
            self.record(None, raw, "no such path")
            self.reply(404, json.dumps({"error": "no such path: %s" % self.path}))
            return
        try:
            body = check_request(api, {k.lower(): v for k, v in self.headers.items()}, raw)
        except Refuse as e:
            self.record(None, raw, e.reason)
            self.refuse(api, e.code, e.reason)
            return
        self.record(body, raw, None)
        try:
            self.answer(api, body)
        except Refuse as e:
            self.refuse(api, e.code, e.reason)

    def do_GET(self):
        self.read_body()
        if self.path == "/_requests":
            with LOCK:
                doc = json.dumps(STATE["requests"])
            self.reply(200, doc)
        elif self.path in ("/api/chat", "/v1/chat/completions"):
            api = "ollama" if self.path == "/api/chat" else "openai"
            self.record(None, b"", "method must be POST")
            self.refuse(api, 405, "method must be POST")
        else:
            self.reply(404, json.dumps({"error": "no such path: %s" % self.path}))

    do_PUT = do_DELETE = do_PATCH = do_GET


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (timeouts, cancels) is part of the tests


def watchdog(parent, deadline):
    """Exit when the parent is gone or the time is up, whatever the server does."""
    while True:
        if os.getppid() != parent or time.monotonic() > deadline:
            os._exit(0)
        time.sleep(0.2)


def main():
    global ARGS
    ap = argparse.ArgumentParser(description="a scripted Ollama and OpenAI-compatible chat server")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--key")
    ap.add_argument("--script")
    ap.add_argument("--script-dir")
    ARGS = ap.parse_args()
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=watchdog, args=(os.getppid(), time.monotonic() + ARGS.timeout),
                     daemon=True).start()
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
