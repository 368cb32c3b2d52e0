#!/usr/bin/python3
"""A bounded load client for aiops-ingest --listen's write API.

writeload.py URL TOKEN ACKS [--clients N] [--requests R] [--points P]

Each of N clients keeps one connection (keep-alive) and sends up to R
requests of P distinct points each:
    load,client=C v=R,i=K T
where T is distinct per request (seconds, precision=s). Once a request is
answered 204, the line "C R" is appended to ACKS and flushed: ACKS is
what was acknowledged, whatever happens to the listener afterwards. A
client stops at its first failure (a refused or dropped connection).
"""
import http.client
import sys
import threading
import urllib.parse


def client(url, token, acks, lock, c, requests, points):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    for r in range(requests):
        t = 1764000000 + r
        body = "".join("load,client=c%d,k=%d v=%d,i=%d %d\n" % (c, k, r, k, t)
                       for k in range(points))
        try:
            conn.request("POST", "/api/v2/write?precision=s", body=body,
                         headers={"Authorization": "Token " + token})
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException):
            return
        if resp.status != 204:
            return
        with lock:
            acks.write("c%d %d\n" % (c, r))
            acks.flush()


def main():
    args = sys.argv[1:]
    url, token, path = args[0], args[1], args[2]
    opts = dict(zip(args[3::2], args[4::2]))
    n = int(opts.get("--clients", 4))
    requests = int(opts.get("--requests", 1000000))
    points = int(opts.get("--points", 10))
    lock = threading.Lock()
    with open(path, "a") as acks:
        ts = [threading.Thread(target=client,
                               args=(url, token, acks, lock, c, requests, points))
              for c in range(n)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()


if __name__ == "__main__":
    main()
