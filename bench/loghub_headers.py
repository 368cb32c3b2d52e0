#!/usr/bin/env python3
"""loghub_headers.py: the Loghub-2k messages under other systems' headers.

Usage: loghub_headers.py --data DATA --score SCORE --tmp DIR --bin BIN
                         [--base BIN] [--examples N] [--shapes a,b,...]

For each of the 8 shared Loghub-2k datasets, the Content column of its
*_structured_corrected.csv is written again, line by line and in order,
under each header shape below: the 8 held-out Loghub systems' headers as
Loghub writes them, and shapes that are in no built-in list of
lib/detect/logmine_hdr.c.  The messages are the same, so the ground truth of
each generated line is the original EventTemplate, and what changes from
one shape to the next is only what the header split makes of the header.

Header fields vary per line as in real logs: times increase (seconds
apart, sometimes in bursts), pids, threads and hosts vary, the component
is a fixed function of the line's original component (the same program
writes the same messages), and the level follows the line's own level
where the dataset has one (HDFS, Apache, BGL, Zookeeper, Android), else
INFO.  Everything is drawn from random.Random seeded by the shape and
dataset names: the files are the same on every run.

Printed: per shape, GA and PA (loghub_score.py, mean over the 8 datasets)
and the share of lines whose extracted message (the log event's "message")
equals the original Content after whitespace normalisation, which is the
header split's own accuracy; then GA per dataset; then, for each shape
where the split is wrong on some line, the count of each kind of failure
and example lines with the message aiops-detect extracted.  Stdlib only; writes only under --tmp.
"""
import argparse
import calendar
import csv
import json
import os
import random
import subprocess
import sys
import time
import zlib

sys.dont_write_bytecode = True     # nothing written next to the bench
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loghub_pred  # noqa: E402

csv.field_size_limit(sys.maxsize)

SETS = "HDFS Apache OpenSSH BGL Linux Zookeeper Android HPC".split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# The line's own level, where the dataset has one, as debug/info/warn/error/fatal.
LEVELS = {"info": "info", "notice": "info", "i": "info",
          "warn": "warn", "warning": "warn", "w": "warn",
          "error": "error", "err": "error", "e": "error", "severe": "error",
          "failure": "error",
          "fatal": "fatal", "critical": "fatal", "crit": "fatal", "f": "fatal",
          "debug": "debug", "d": "debug", "v": "debug", "verbose": "debug",
          "trace": "debug"}


def read_set(data, d):
    path = os.path.join(data, "loghub-2k", d, "%s_2k.log_structured_corrected.csv" % d)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        lvl = LEVELS.get((r.get("Level") or "").strip().lower(), "info")
        out.append({"content": r["Content"], "template": r["EventTemplate"],
                    "event": r.get("EventId", ""), "level": lvl,
                    "comp": r.get("Component") or ""})
    return out


def pick(pool, key):
    """The same pool entry for the same original component."""
    return pool[zlib.crc32(key.encode("utf-8")) % len(pool)]


class Clock:
    """Seconds that increase line by line, with bursts of equal seconds."""

    def __init__(self, rng, start):
        self.rng = rng
        self.t = float(start)

    def tick(self):
        r = self.rng.random()
        if r < 0.35:
            self.t += self.rng.random() * 0.05      # same second, a burst
        elif r < 0.9:
            self.t += self.rng.random() * 3
        else:
            self.t += self.rng.random() * 120
        return self.t

    def parts(self):
        t = self.t
        g = time.gmtime(int(t))
        frac = t - int(t)
        return g, int(frac * 1000), int(frac * 1000000)


def hms(g):
    return "%02d:%02d:%02d" % (g.tm_hour, g.tm_min, g.tm_sec)


def ymd(g, sep="-"):
    return "%04d%s%02d%s%02d" % (g.tm_year, sep, g.tm_mon, sep, g.tm_mday)


def vocab(level, words):
    """words: debug, info, warn, error, fatal spellings of one system."""
    return words[["debug", "info", "warn", "error", "fatal"].index(level)]


def hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid(rng):
    h = hexid(rng, 32)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


# Each shape: (name, what it is, start time (UTC, as the header shows it),
# header function).  A header
# function takes (rng, clock, row, st) and returns the text before the
# message (its own separator included); st is a dict for per-file state.

def h_hadoop(rng, c, row, st):
    g, ms, _ = c.parts()
    threads = ["main", "RMCommunicator Allocator", "AsyncDispatcher event handler",
               "IPC Server handler %d on 62270" % rng.randrange(30),
               "Socket Reader #1 for port 62270", "ContainerLauncher #%d" % rng.randrange(10),
               "eventHandlingThread", "CommitterEvent Processor #%d" % rng.randrange(5),
               "LeaseRenewer:msrabi@msra-sa-41:9000"]
    comps = ["org.apache.hadoop.mapreduce.v2.app.MRAppMaster",
             "org.apache.hadoop.mapreduce.v2.app.rm.RMContainerAllocator",
             "org.apache.hadoop.ipc.Server",
             "org.apache.hadoop.mapreduce.v2.app.job.impl.TaskAttemptImpl",
             "org.apache.hadoop.hdfs.LeaseRenewer",
             "org.apache.hadoop.mapred.TaskAttemptListenerImpl",
             "org.apache.hadoop.yarn.event.AsyncDispatcher",
             "org.apache.hadoop.mapreduce.v2.app.launcher.ContainerLauncherImpl"]
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"])
    return "%s %s,%03d %s [%s] %s: " % (ymd(g), hms(g), ms, lvl, rng.choice(threads),
                                        pick(comps, row["comp"]))


def h_spark(rng, c, row, st):
    g, _, _ = c.parts()
    comps = ["executor.CoarseGrainedExecutorBackend", "spark.SecurityManager",
             "storage.BlockManager", "executor.Executor", "storage.MemoryStore",
             "broadcast.TorrentBroadcast", "spark.MapOutputTrackerWorker",
             "python.PythonRunner", "util.Utils", "storage.DiskBlockManager"]
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARN", "ERROR", "ERROR"])
    return "%02d/%02d/%02d %s %s %s: " % (g.tm_year % 100, g.tm_mon, g.tm_mday, hms(g), lvl,
                                          pick(comps, row["comp"]))


def h_thunderbird(rng, c, row, st):
    g, _, _ = c.parts()     # the local time; the epoch seconds are UTC (PST + 8 h)
    progs = ["crond(pam_unix)", "sshd(pam_unix)", "kernel", "ntpd", "xinetd", "pbs_mom",
             "dhcpd", "syslogd", "gmond", "/apps/x86_64/system/ganglia-3.0.1/sbin/gmetad"]
    prog = pick(progs, row["comp"])
    if rng.random() < 0.05:
        host = "tbird-admin1"
        src = "local@tbird-admin1"
    else:
        host = "%s%d" % (rng.choice(["dn", "en", "bn", "an"]), rng.randrange(1, 1025))
        src = "%s/%s" % (host, host)
    label = "-" if rng.random() < 0.97 else rng.choice(["VAPI", "ECC", "CPU", "PBS_CHK"])
    pid = "" if prog == "kernel" else "[%d]" % rng.randrange(300, 32000)
    return "%s %d %s %s %s %d %s %s %s%s: " % (
        label, int(c.t) + 8 * 3600, ymd(g, "."), host, MONTHS[g.tm_mon - 1], g.tm_mday, hms(g),
        src, prog, pid)


def h_windows(rng, c, row, st):
    g, _, _ = c.parts()
    lvl = vocab(row["level"], ["Info", "Info", "Warning", "Error", "Error"])
    comp = pick(["CBS", "CSI", "CBS", "SQM"], row["comp"])
    return "%s %s, %-22s%-7s" % (ymd(g), hms(g), lvl, comp)


def h_healthapp(rng, c, row, st):
    g, ms, _ = c.parts()
    comps = ["Step_LSC", "Step_StandReportReceiver", "Step_SPUtils", "Step_ExtSDM",
             "HiH_HiSyncControl", "Step_StandStepCounter", "HiH_HiHealthDataInsertStore",
             "HiH_ListenerManager", "Step_NotificationUtil"]
    return "%s-%s:%d|%s|%d|" % (ymd(g, ""), hms(g), ms, pick(comps, row["comp"]),
                                st.setdefault("pid", 30002312))


def h_proxifier(rng, c, row, st):
    g, _, _ = c.parts()
    progs = ["chrome.exe", "svchost.exe", "Dropbox.exe *64", "QQProtect.exe", "YodaoDict.exe",
             "WeChat.exe", "putty.exe", "firefox.exe *64", "Skype.exe"]
    return "[%02d.%02d %s] %s - " % (g.tm_mon, g.tm_mday, hms(g), pick(progs, row["comp"]))


def h_openstack(rng, c, row, st):
    g, ms, _ = c.parts()
    comps = [("nova-api", "nova.osapi_compute.wsgi.server"),
             ("nova-api", "nova.metadata.wsgi.server"),
             ("nova-compute", "nova.compute.manager"),
             ("nova-compute", "nova.virt.libvirt.imagecache"),
             ("nova-compute", "nova.compute.resource_tracker"),
             ("nova-compute", "nova.compute.claims"),
             ("nova-scheduler", "nova.scheduler.host_manager")]
    svc, comp = pick(comps, row["comp"])
    files = {"nova-api": "nova-api.log.1.2017-05-16_13:53:08",
             "nova-compute": "nova-compute.log.1.2017-05-16_13:55:31",
             "nova-scheduler": "nova-scheduler.log.1.2017-05-16_13:53:08"}
    pids = st.setdefault("pids", {"nova-api": 25746, "nova-compute": 2931,
                                  "nova-scheduler": 11218})
    if rng.random() < 0.02:
        pids[svc] = rng.randrange(1000, 30000)      # a worker restarted
    if rng.random() < 0.8:
        req = "req-%s %s %s - - -" % (uuid(rng), hexid(rng, 32), hexid(rng, 32))
    else:
        req = "-"
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    return "%s %s %s.%03d %d %s %s [%s] " % (files[svc], ymd(g), hms(g), ms, pids[svc], lvl,
                                            comp, req)


def h_mac(rng, c, row, st):
    g, _, _ = c.parts()
    progs = ["kernel[0]", "com.apple.CDScheduler[43]", "QQ[10018]", "Microsoft Word[14463]",
             "mDNSResponder[91]", "symptomsd[215]", "UserEventAgent[43]", "WindowServer[184]",
             "Google Chrome Helper[31213]", "sharingd[30299]",
             "com.apple.xpc.launchd[1] (com.apple.xpc.launchd.domain.pid.WebContent.%d)"]
    prog = pick(progs, row["comp"])
    if "%d" in prog:
        prog = prog % rng.randrange(30000, 40000)
    host = st.setdefault("host", "calvisitor-10-105-160-95")
    if rng.random() < 0.01:
        st["host"] = rng.choice(["calvisitor-10-105-160-95", "authorMacBook-Pro",
                                 "calvisitor-10-105-162-105", "airbears2-10-142-110-255"])
    return "%s %2d %s %s %s: " % (MONTHS[g.tm_mon - 1], g.tm_mday, hms(g), host, prog)


# Shapes in no built-in list of logmine_hdr.c.

SVCS = ["billing", "api", "auth", "worker", "scheduler", "gateway", "indexer", "mailer"]
HOSTS = ["web-%02d" % i for i in range(1, 9)] + ["db-1", "db-2", "cache-3"]


def h_bracket_tz(rng, c, row, st):
    g, ms, _ = c.parts()
    return "[%04d/%02d/%02d %s.%03d +0100] %s %s: " % (
        g.tm_year, g.tm_mon, g.tm_mday, hms(g), ms, rng.choice(HOSTS), pick(SVCS, row["comp"]))


def h_us_pipe(rng, c, row, st):
    g, _, _ = c.parts()
    h12 = g.tm_hour % 12 or 12
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"])
    return "%d/%d/%04d %d:%02d:%02d %s | %s | %s | " % (
        g.tm_mon, g.tm_mday, g.tm_year, h12, g.tm_min, g.tm_sec,
        "AM" if g.tm_hour < 12 else "PM", lvl, pick(SVCS, row["comp"]))


def h_glog(rng, c, row, st):
    g, _, us = c.parts()
    files = ["server.go", "handler.go", "controller.go", "reflector.go", "kubelet.go",
             "cache.go", "main.go"]
    lvl = vocab(row["level"], ["I", "I", "W", "E", "F"])
    tid = rng.choice(st.setdefault("tids", [rng.randrange(1, 99999) for _ in range(4)]))
    f = pick(files, row["comp"])
    return "%s%02d%02d %s.%06d %7d %s:%d] " % (lvl, g.tm_mon, g.tm_mday, hms(g), us, tid, f,
                                               zlib.crc32(row["event"].encode()) % 900 + 20)


def h_python(rng, c, row, st):
    g, ms, _ = c.parts()
    mods = ["app.views", "app.db.session", "celery.worker", "urllib3.connectionpool",
            "app.tasks.sync", "gunicorn.error"]
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    return "%s %s,%03d - %s - %s - " % (ymd(g), hms(g), ms, pick(mods, row["comp"]), lvl)


def h_ruby(rng, c, row, st):
    g, _, us = c.parts()
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"])
    pid = rng.choice(st.setdefault("pids", [rng.randrange(1000, 60000) for _ in range(3)]))
    return "%s, [%sT%s.%06d #%d] %5s -- %s: " % (lvl[0], ymd(g), hms(g), us, pid, lvl,
                                                  pick(SVCS, row["comp"]))


def h_postgres(rng, c, row, st):
    g, ms, _ = c.parts()
    lvl = vocab(row["level"], ["DEBUG1", "LOG", "WARNING", "ERROR", "FATAL"])
    return "%s %s.%03d UTC [%d] %s:  " % (ymd(g), hms(g), ms, rng.randrange(1000, 40000), lvl)


def h_rfc5424(rng, c, row, st):
    g, ms, _ = c.parts()
    sev = {"debug": 7, "info": 6, "warn": 4, "error": 3, "fatal": 2}[row["level"]]
    return "<%d>1 %sT%s.%03dZ %s %s %d %s - " % (
        16 * 8 + sev, ymd(g), hms(g), ms, rng.choice(HOSTS), pick(SVCS, row["comp"]),
        rng.randrange(1000, 40000), rng.choice(["-", "-", "ID47", "audit"]))


def h_zap(rng, c, row, st):
    g, ms, _ = c.parts()
    callers = ["server/http.go:88", "store/pg.go:214", "queue/consumer.go:61",
               "auth/token.go:132", "cmd/main.go:45"]
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"])
    return "%sT%s.%03d+0100\t%s\t%s\t" % (ymd(g), hms(g), ms, lvl, pick(callers, row["comp"]))


def h_elixir(rng, c, row, st):
    g, ms, _ = c.parts()
    lvl = vocab(row["level"], ["debug", "info", "warning", "error", "error"])
    return "%s.%03d [%s] " % (hms(g), ms, lvl)


def h_logback(rng, c, row, st):
    g, ms, _ = c.parts()
    threads = ["main", "http-nio-8080-exec-%d" % rng.randrange(1, 11),
               "pool-2-thread-%d" % rng.randrange(1, 5), "scheduling-1"]
    loggers = ["c.e.billing.InvoiceService", "o.s.web.servlet.DispatcherServlet",
               "com.zaxxer.hikari.HikariDataSource", "c.e.api.OrderController",
               "o.a.kafka.clients.NetworkClient"]
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARN", "ERROR", "ERROR"])
    return "%s.%03d [%s] %-5s %s - " % (hms(g), ms, rng.choice(threads), lvl,
                                        pick(loggers, row["comp"]))


def h_euro(rng, c, row, st):
    g, ms, _ = c.parts()
    lvl = vocab(row["level"], ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"])
    return "%02d.%02d.%04d %s,%03d %-5s [%s] " % (g.tm_mday, g.tm_mon, g.tm_year, hms(g), ms,
                                                  lvl, pick(SVCS, row["comp"]))


def h_cri(rng, c, row, st):
    g, _, us = c.parts()
    return "%sT%s.%06d%03dZ %s F " % (ymd(g), hms(g), us, rng.randrange(1000),
                                      "stderr" if row["level"] in ("warn", "error", "fatal")
                                      else "stdout")


def h_compose(rng, c, row, st):
    svc = pick(SVCS, row["comp"])
    return "%-10s| " % ("%s-%d" % (svc, 1 + zlib.crc32(svc.encode()) % 2))


SHAPES = [
    ("Hadoop", "2015-10-18 18:01:47,978 INFO [main] org.apache...MRAppMaster: MSG",
     (2015, 10, 18, 18, 1, 47), h_hadoop),
    ("Spark", "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: MSG",
     (2017, 6, 9, 20, 10, 40), h_spark),
    ("Thunderbird", "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: MSG",
     (2005, 11, 9, 12, 1, 1), h_thunderbird),
    ("Windows", "2016-09-28 04:30:30, Info                  CBS    MSG",
     (2016, 9, 28, 4, 30, 30), h_windows),
    ("HealthApp", "20171223-22:15:29:606|Step_LSC|30002312|MSG",
     (2017, 12, 23, 22, 15, 29), h_healthapp),
    ("Proxifier", "[10.30 16:49:06] chrome.exe - MSG",
     (2016, 10, 30, 16, 49, 6), h_proxifier),
    ("OpenStack", "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova... [req-... - - -] MSG",
     (2017, 5, 16, 0, 0, 0), h_openstack),
    ("Mac", "Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: MSG",
     (2017, 7, 1, 9, 0, 55), h_mac),
    ("bracket-tz", "[2026/11/30 09:15:02.123 +0100] web-03 billing: MSG",
     (2026, 11, 30, 9, 15, 2), h_bracket_tz),
    ("us-pipe", "11/30/2026 9:15:02 AM | WARN | billing | MSG",
     (2026, 11, 30, 9, 15, 2), h_us_pipe),
    ("glog", "I1130 09:15:02.123456    4411 server.go:123] MSG",
     (2026, 11, 30, 9, 15, 2), h_glog),
    ("python", "2026-11-30 09:15:02,123 - app.views - WARNING - MSG",
     (2026, 11, 30, 9, 15, 2), h_python),
    ("ruby", "W, [2026-11-30T09:15:02.123456 #4411]  WARN -- billing: MSG",
     (2026, 11, 30, 9, 15, 2), h_ruby),
    ("postgres", "2026-11-30 09:15:02.123 UTC [4411] LOG:  MSG",
     (2026, 11, 30, 9, 15, 2), h_postgres),
    ("rfc5424", "<134>1 2026-11-30T09:15:02.123Z web-03 billing 4411 - - MSG",
     (2026, 11, 30, 9, 15, 2), h_rfc5424),
    ("zap-tabs", "2026-11-30T09:15:02.123+0100<TAB>INFO<TAB>server/http.go:88<TAB>MSG",
     (2026, 11, 30, 9, 15, 2), h_zap),
    ("elixir", "09:15:02.123 [info] MSG",
     (2026, 11, 30, 9, 15, 2), h_elixir),
    ("logback", "09:15:02.123 [http-nio-8080-exec-3] WARN  c.e.api.OrderController - MSG",
     (2026, 11, 30, 9, 15, 2), h_logback),
    ("dd.mm.yyyy", "30.11.2026 09:15:02,123 WARN  [billing] MSG",
     (2026, 11, 30, 9, 15, 2), h_euro),
    ("cri", "2026-11-30T09:15:02.123456789Z stdout F MSG",
     (2026, 11, 30, 9, 15, 2), h_cri),
    ("compose", "billing-1 | MSG",
     (2026, 11, 30, 9, 15, 2), h_compose),
]
HELD_OUT = 8    # the first 8 shapes are the held-out Loghub systems'


def generate(shape, rows, d):
    name, _, start, fn = shape
    rng = random.Random("%s/%s" % (name, d))
    clock = Clock(rng, calendar.timegm(start))
    st = {}
    lines = []
    for row in rows:
        clock.tick()
        line = (fn(rng, clock, row, st) + row["content"]).rstrip("\n")
        lines.append(line)
    return lines


def write_gt(rows, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["LineId", "Content", "EventId", "EventTemplate"])
        for i, r in enumerate(rows, 1):
            w.writerow([i, r["content"], r["event"], r["template"]])


def score_dir(score, gtdir, pred_dir):
    p = subprocess.run([sys.executable, score, "--json", "--dir", gtdir, pred_dir],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        res = json.loads(p.stdout)
    except ValueError:
        sys.exit("loghub_score.py failed: " + p.stderr.strip()[:300])
    for d in SETS:
        if not isinstance(res.get(d), dict):
            sys.exit("loghub_score.py: %s: %s" % (d, res.get(d)))
    return {d: (res[d]["GA"], res[d]["PA"]) for d in SETS}


def run_build(binary, shapes, logs, data_rows, score, gtdir, work):
    """{shape: {"score": {d: (GA, PA)}, "msg": {d: share},
    "bad": [(d, line, msg, content, template)]}}"""
    out = {}
    for sname, _, _, _ in shapes:
        pdir = os.path.join(work, "pred", sname)
        os.makedirs(pdir, exist_ok=True)
        msg, bad = {}, []
        for d in SETS:
            log = logs[sname][d]
            rows = loghub_pred.predict(binary, log, work)
            loghub_pred.write_pred(rows, os.path.join(pdir, d + ".jsonl"))
            with open(log, encoding="utf-8", errors="replace", newline="") as f:
                text = f.read().split("\n")
            ok = 0
            for i, ((_, m), r) in enumerate(zip(rows, data_rows[d])):
                if loghub_pred.norm(m) == loghub_pred.norm(r["content"]):
                    ok += 1
                else:
                    bad.append((d, text[i].rstrip("\r"), m, r["content"], r["template"]))
            msg[d] = ok / len(rows)
        out[sname] = {"score": score_dir(score, gtdir, pdir), "msg": msg, "bad": bad}
    return out


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs)


def failure_kind(m, content):
    m, c = loghub_pred.norm(m), loghub_pred.norm(content)
    if m.endswith(c):
        return "header left in the message"
    if c.endswith(m):
        return "start of the message taken as header"
    return "other"


def examples(bad, n):
    """Up to n failures: each kind of failure first, then each dataset,
    then each template of a dataset, then any."""
    out, seen = [], set()
    keys = [lambda k, b: k, lambda k, b: (k, b[0]), lambda k, b: (k, b[0], b[4]),
            lambda k, b: id(b)]
    for rnd, key in enumerate(keys):
        for b in bad:
            if len(out) == n:
                return out
            k = failure_kind(b[2], b[3])
            if (rnd, key(k, b)) in seen or any(b is o for o in out):
                continue
            for r in range(len(keys)):
                seen.add((r, keys[r](k, b)))
            out.append(b)
    return out


def clip(s, n=150):
    s = s.replace("\t", "<TAB>")
    return s if len(s) <= n else s[:n] + "..."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--score", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--base")
    ap.add_argument("--examples", type=int, default=4)
    ap.add_argument("--shapes", help="comma-separated subset of the shapes")
    a = ap.parse_args()

    shapes = SHAPES
    if a.shapes:
        want = a.shapes.split(",")
        shapes = [s for s in SHAPES if s[0] in want]
    data_rows = {d: read_set(a.data, d) for d in SETS}
    gtdir = os.path.join(a.tmp, "gt")
    logs = {"original": {}}
    for d in SETS:
        write_gt(data_rows[d], os.path.join(gtdir, d, "%s_2k.log_structured_corrected.csv" % d))
        logs["original"][d] = os.path.join(a.data, "loghub-2k", d, "%s_2k.log" % d)
    for s in shapes:
        logs[s[0]] = {}
        sdir = os.path.join(a.tmp, "logs", s[0])
        os.makedirs(sdir, exist_ok=True)
        for d in SETS:
            path = os.path.join(sdir, d + ".log")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write("\n".join(generate(s, data_rows[d], d)) + "\n")
            logs[s[0]][d] = path
    allshapes = [("original", "the datasets' own headers", 0, None)] + list(shapes)

    builds = [("this build", a.bin)] + ([("base", a.base)] if a.base else [])
    res = []
    for k, (name, b) in enumerate(builds):
        res.append(run_build(b, allshapes, logs, data_rows, a.score, gtdir,
                             os.path.join(a.tmp, "b%d" % k)))

    head = "%-12s %6s %6s %6s" % ("shape", "GA", "PA", "msg=")
    if a.base:
        head += "   base %6s %6s %6s" % ("GA", "PA", "msg=")
    print(head + "   example header")
    groups = [("", allshapes[:1]), ("-- held-out Loghub systems' headers", allshapes[1:1 + HELD_OUT]),
              ("-- headers in no built-in list", allshapes[1 + HELD_OUT:])]
    for title, group in groups:
        if title and group:
            print(title)
        sums = [[0.0, 0.0, 0.0] for _ in res]
        for sname, example, _, _ in group:
            line = "%-12s" % sname
            for k, r in enumerate(res):
                x = r[sname]
                ga = mean(x["score"][d][0] for d in SETS)
                pa = mean(x["score"][d][1] for d in SETS)
                ms = mean(x["msg"][d] for d in SETS)
                sums[k] = [sums[k][0] + ga, sums[k][1] + pa, sums[k][2] + ms]
                line += (" " if k == 0 else "   base") + " %6.3f %6.3f %6.3f" % (ga, pa, ms)
            print(line + "   " + (example if sname != "original" else ""))
        if title and len(group) > 1:
            line = "%-12s" % "  mean"
            for k in range(len(res)):
                line += (" " if k == 0 else "   base") + " %6.3f %6.3f %6.3f" % tuple(
                    v / len(group) for v in sums[k])
            print(line)
    print("(GA, PA: loghub_score.py, mean over the 8 datasets; msg=: share of lines whose"
          " extracted message equals the original Content, whitespace-normalised)")

    print()
    print("GA / msg= per dataset, this build")
    print("%-12s " % "shape" + " ".join("%11s" % d for d in SETS))
    for sname, _, _, _ in allshapes:
        x = res[0][sname]
        print("%-12s " % sname + " ".join("%5.3f/%5.3f" % (x["score"][d][0], x["msg"][d])
                                          for d in SETS))

    if a.examples > 0:
        print()
        print("Where the message split goes wrong, this build"
              " (L = line, M = message extracted, C = original Content)")
        for sname, _, _, _ in allshapes:
            x = res[0][sname]
            if not x["bad"]:
                continue
            kinds = {}
            for b in x["bad"]:
                k = failure_kind(b[2], b[3])
                kinds[k] = kinds.get(k, 0) + 1
            print("%s: %d of %d lines wrong: %s" % (
                sname, len(x["bad"]), sum(len(data_rows[d]) for d in SETS),
                ", ".join("%s %d" % kv for kv in sorted(kinds.items(), key=lambda kv: -kv[1]))))
            for d, line, m, content, _ in examples(x["bad"], a.examples):
                print("  [%s] L: %s" % (d, clip(line)))
                print("  %s  M: %s" % (" " * len(d), clip(m)))
                print("  %s  C: %s" % (" " * len(d), clip(content)))


if __name__ == "__main__":
    main()
