#!/usr/bin/python3
"""smtpd_aio.py: Debian's aiosmtpd on 127.0.0.1 for tests/notify.bats.

Usage: smtpd_aio.py OUT CERT KEY USER PASSWORD [--timeout SECONDS]
Prints its port on stdout. Offers STARTTLS with CERT and KEY, requires it
before AUTH (PLAIN or LOGIN) and AUTH before MAIL. Each mail received is
appended to OUT as one JSON line: from, rcpt, data, tls, user. Exits after
SECONDS (default 60) or when its parent dies.
"""
import json
import os
import socket
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

OUT, CERT, KEY, USER, PASSWORD = sys.argv[1:6]


class Handler:
    async def handle_DATA(self, server, session, envelope):
        user = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        rec = {"from": envelope.mail_from, "rcpt": envelope.rcpt_tos,
               "data": envelope.content.decode("utf-8", "replace"),
               "tls": session.ssl is not None, "user": user}
        with open(OUT, "a") as f:
            f.write(json.dumps(rec) + "\n")
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
        and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, auth_data=auth_data)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    timeout = 60.0
    if "--timeout" in sys.argv:
        timeout = float(sys.argv[sys.argv.index("--timeout") + 1])
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(CERT, KEY)
    port = free_port()
    c = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=ctx,
                   require_starttls=True, authenticator=authenticator,
                   auth_required=True, auth_require_tls=True)
    c.start()
    print(port, flush=True)
    parent, end = os.getppid(), time.time() + timeout
    while time.time() < end and os.getppid() == parent:
        time.sleep(0.2)
    c.stop()


if __name__ == "__main__":
    main()
