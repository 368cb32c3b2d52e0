#!/usr/bin/python3
"""smtpd.py: a small ESMTP server on 127.0.0.1 for the lib/net SMTP tests.

Usage: smtpd.py --out FILE [--timeout S] [--cert PEM --key PEM] [--user U --password P]
Prints its port on stdout; exits after S seconds (default 60) or when its
parent dies. Each mail received is appended to FILE as one JSON line:
{"from", "rcpt", "data", "tls", "user", "password"}. With --cert it offers
STARTTLS (RFC 3207) and AUTH only after it; with --user, MAIL needs AUTH
(PLAIN or LOGIN, RFC 4954) with those credentials. RCPT to an address
starting "reject" gets 550, "later" gets 451. Python standard library only
(Debian's python3-aiosmtpd is not installed here).
"""
import base64
import json
import os
import socketserver
import ssl
import sys
import threading
import time

OPTS = {}
LOCK = threading.Lock()


def path_of(args):
    """The address of "FROM:<a@b> SIZE=10" (RFC 5321 §4.1.1.2), parameters dropped."""
    rest = args.split(":", 1)[1].strip()
    return rest[1:rest.index(">")] if rest.startswith("<") and ">" in rest else rest.split(" ")[0]


class Session(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def recv(self):
        line = self.rfile.readline(4096)
        if not line:
            raise EOFError
        return line.rstrip(b"\r\n").decode("utf-8", "replace")

    def reset(self):
        self.sender, self.rcpt = None, []

    def handle(self):
        self.tls, self.user, self.password = False, None, None
        self.reset()
        self.send("220 aiops-test ESMTP")
        try:
            while self.command(self.recv()):
                pass
        except (EOFError, ConnectionError, ssl.SSLError):
            pass

    def ehlo(self):
        caps = ["250-aiops-test", "250-8BITMIME"]
        if OPTS.get("cert") and not self.tls:
            caps.append("250-STARTTLS")
        else:
            caps.append("250-AUTH PLAIN LOGIN")
        caps.append("250 SIZE 1000000")
        for c in caps:
            self.send(c)

    def starttls(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(OPTS["cert"], OPTS["key"])
        self.send("220 ready for TLS")
        self.connection = ctx.wrap_socket(self.connection, server_side=True)
        self.rfile = self.connection.makefile("rb")
        self.wfile = self.connection.makefile("wb")
        self.tls = True
        self.reset()

    def auth(self, args):
        parts = args.split()
        mech = parts[0].upper() if parts else ""
        if mech == "PLAIN":
            blob = parts[1] if len(parts) > 1 else (self.send("334 ") or self.recv())
            fields = base64.b64decode(blob).split(b"\0")
            user, pw = fields[1].decode(), fields[2].decode()
        elif mech == "LOGIN":
            self.send("334 VXNlcm5hbWU6")
            user = base64.b64decode(self.recv()).decode()
            self.send("334 UGFzc3dvcmQ6")
            pw = base64.b64decode(self.recv()).decode()
        else:
            self.send("504 unknown mechanism")
            return
        if user == OPTS.get("user") and pw == OPTS.get("password"):
            self.user, self.password = user, pw
            self.send("235 authenticated")
        else:
            self.send("535 authentication failed")

    def data(self):
        self.send("354 end with .")
        lines = []
        while True:
            line = self.rfile.readline(1 << 20)
            if not line:
                raise EOFError
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]  # RFC 5321 §4.5.2: undo the dot-stuffing
            lines.append(line)
        rec = {"from": self.sender, "rcpt": self.rcpt, "data": b"".join(lines).decode("utf-8", "replace"),
               "tls": self.tls, "user": self.user, "password": self.password}
        with LOCK, open(OPTS["out"], "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.reset()
        self.send("250 queued")

    def command(self, line):
        verb, _, args = line.partition(" ")
        verb = verb.upper()
        if verb in ("EHLO", "HELO"):
            self.ehlo() if verb == "EHLO" else self.send("250 aiops-test")
        elif verb == "STARTTLS" and OPTS.get("cert") and not self.tls:
            self.starttls()
        elif verb == "AUTH":
            self.auth(args)
        elif verb == "MAIL":
            if OPTS.get("user") and self.user is None:
                self.send("530 authentication required")
            else:
                self.sender = path_of(args)
                self.send("250 ok")
        elif verb == "RCPT":
            addr = path_of(args)
            if addr.startswith("reject"):
                self.send("550 no such user")
            elif addr.startswith("later"):
                self.send("451 try again later")
            else:
                self.rcpt.append(addr)
                self.send("250 ok")
        elif verb == "DATA":
            self.data()
        elif verb in ("RSET", "NOOP"):
            self.reset() if verb == "RSET" else None
            self.send("250 ok")
        elif verb == "QUIT":
            self.send("221 bye")
            return False
        else:
            self.send("500 unknown command")
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


def watchdog(parent, deadline):
    while True:
        if os.getppid() != parent or time.monotonic() > deadline:
            os._exit(0)
        time.sleep(0.2)


def main():
    args = sys.argv[1:]
    while args:
        OPTS[args[0].lstrip("-")] = args[1]
        args = args[2:]
    srv = Server(("127.0.0.1", 0), Session)
    threading.Thread(target=watchdog, args=(os.getppid(), time.monotonic() + float(OPTS.get("timeout", 60))),
                     daemon=True).start()
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
