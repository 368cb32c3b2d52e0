#!/usr/bin/python3
"""latency.py MODE CONFIG STATE AIOPS-RUN [-k K]: event-to-action latency.
latency.py floor K: what starting /bin/true and waiting for it costs here.

MODE inline: one `aiops-run` reads the events on a pipe and runs their
tasks itself. MODE worker: `aiops-run --enqueue` reads them and a separate
`aiops-run --worker` runs the tasks. The rule's action is `date +%s%N`:
its output, in the task's succeeded event, is when the action began. The
latency of an event is that time less the time it was written to the
pipe. K events (default 50), 20 ms apart; prints the median, the 90th
percentile and the largest, in milliseconds, as one line of JSON.
"""
import json
import os
import subprocess
import sys
import time


def floor(k):
    """The median ms to start /bin/true and wait for it (os.posix_spawn)."""
    t = []
    for _ in range(k):
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn("/bin/true", ["true"], os.environ)
        os.waitpid(pid, 0)
        t.append((time.perf_counter_ns() - t0) / 1e6)
    t.sort()
    print(json.dumps({"mode": "floor", "events": k, "median_ms": round(t[k // 2], 2)}))


def main():
    if sys.argv[1] == "floor":
        return floor(int(sys.argv[2]))
    mode, cfg, state, prog = sys.argv[1:5]
    k = int(sys.argv[sys.argv.index("-k") + 1]) if "-k" in sys.argv else 50
    env = dict(os.environ, AIOPS_STATE=state)
    base = [prog, "--config", cfg]
    worker = None
    if mode == "inline":
        feeder = subprocess.Popen(base, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        reader = feeder.stdout
    else:
        worker = subprocess.Popen(base + ["--worker"], stdout=subprocess.PIPE, env=env)
        feeder = subprocess.Popen(base + ["--enqueue"], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, env=env)
        reader = worker.stdout
        time.sleep(0.3)     # the worker is up and waiting
    lat = []
    for i in range(k):
        t0 = time.time_ns()
        feeder.stdin.write(b'{"type":"ping","id":"p%d","host":"h%d"}\n' % (i, i))
        feeder.stdin.flush()
        while True:
            ev = json.loads(reader.readline())
            if ev.get("status") == "succeeded":
                lat.append((int(ev["output"].strip()) - t0) / 1e6)
                break
        time.sleep(0.02)
    feeder.stdin.close()
    feeder.wait()
    if worker is not None:
        worker.terminate()
        worker.wait()
    lat.sort()
    print(json.dumps({"mode": mode, "events": k, "median_ms": round(lat[len(lat) // 2], 2),
                      "p90_ms": round(lat[int(len(lat) * 0.9)], 2), "max_ms": round(lat[-1], 2)}))


if __name__ == "__main__":
    main()
