"""opsgen: time-to-threshold cases that look like operations (bench/ttc/ops).

Each case is one series sampled every 5 minutes: 7 to 14 days of history and
the next 7 days drawn from the same process (the same random stream, noise
included), and a threshold the history has not reached. The truth is the
first time the continuation reaches the threshold, linear between samples
from the last observed value (as ttc_score.py), in hours after the last
sample; None (censored) when it does not within 7 days.

Kinds (equal shares, in this order):
  sawtooth  a disk cleaned nightly: logs grow all day with the traffic (more
            from 08 to 20 UTC), log rotation at 03:00 frees 40-85% of what
            was written since the last one; the net growth per day fills it
  steady    a disk filling at a rate that follows the day (+-30..90%) with
            measurement noise
  leak      memory leaking at a steady rate under a daily cycle of 2-8
            points and AR(1) noise; threshold 95
  shift     a slowly growing disk gets a big file copied (+8..30 points) 6 h
            to 3 days before the end, then grows at its own rate
  flat      a disk or memory that never fills: a level 5-40 points under
            the threshold, a small daily cycle and noise, a drift of at most
            +-0.2 points a day
  staircase a volume a batch job writes to every 1, 2, 4, 6, 12 or 24 h, in
            steps of +-20% of one size; flat in between
Except for flat, the time to fill (at the net growth rate, from the level at
the end of the history) is log-uniform in [0.1, 30] days, so about a quarter
of them do not cross within the 7 days; but for shift, the series grew at
that rate all through its history (from 5-60 points; memory 25-70).

Deterministic: generate(seed, n) gives the same cases for the same
arguments (random.Random per case, seeded from seed and the case number).
"""
import datetime
import math
import random

STEP = 300                      # seconds between samples
PER_H = 3600 // STEP            # samples an hour
HORIZON_H = 7 * 24              # the future scored, hours
HORIZON = HORIZON_H * PER_H     # the same in samples
KINDS = ("sawtooth", "steady", "leak", "shift", "flat", "staircase")
EPOCH = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)


def days_to_fill(r):
    return math.exp(r.uniform(math.log(0.1), math.log(30.0)))


def fill(r, theta, nh, lo=5.0, hi=60.0):
    """(level at the start of the history, growth in points a day) of a
    series that started lo to hi points high and, at its net rate, reaches theta
    a log-uniform 0.1-30 days after the end of the history: a disk that
    fills in hours has been filling fast all along, from near empty."""
    start = r.uniform(lo, hi)
    days = nh / (24 * PER_H)
    rate = (theta - start) / (days + days_to_fill(r))
    return start, rate


def hod(start_h, i):
    """Hour of the day (UTC, fractional) of sample i."""
    return (start_h + i / PER_H) % 24.0


def traffic(h):
    """Relative traffic by hour of day: low at night, high 08-20 UTC; mean 1."""
    return 1.0 + 0.8 * math.sin(2 * math.pi * (h - 8.0) / 24.0)


def ar1(r, n, sigma, phi=0.8):
    out, e = [], 0.0
    s = sigma * math.sqrt(1 - phi * phi)
    for _ in range(n):
        e = phi * e + r.gauss(0.0, s)
        out.append(e)
    return out


def gen_sawtooth(r, n, nh, start_h):
    theta = 90.0
    level, net = fill(r, theta, nh)                 # net points a day
    f = r.uniform(0.4, 0.85)                        # share rotation frees
    gross = net / (1 - f)
    since = 0.0
    out = []
    for i in range(n):
        h = hod(start_h, i)
        if i and hod(start_h, i - 1) < 3.0 <= h:
            level -= f * since                      # 03:00 log rotation
            since = 0.0
        g = gross / 24.0 / PER_H * traffic(h)
        level += g
        since += g
        out.append(level + r.gauss(0.0, 0.03))
    return "disk_used_percent", theta, out


def gen_steady(r, n, nh, start_h):
    theta = 90.0
    level, rate = fill(r, theta, nh)
    amp = r.uniform(0.3, 0.9)
    phase = r.uniform(10.0, 18.0)
    sigma = r.uniform(0.02, 0.3)
    out = []
    for i in range(n):
        h = hod(start_h, i)
        level += rate / 24.0 / PER_H * (1 + amp * math.sin(2 * math.pi * (h - phase + 6) / 24.0))
        out.append(level + r.gauss(0.0, sigma))
    return "disk_used_percent", theta, out


def gen_leak(r, n, nh, start_h):
    theta = 95.0
    amp = r.uniform(2.0, 8.0)
    base, leak = fill(r, theta - amp, nh, 25.0, 70.0)   # the daily peaks fill it
    phase = r.uniform(12.0, 20.0)                   # the busiest hour
    noise = ar1(r, n, r.uniform(0.3, 1.0))
    out = []
    for i in range(n):
        h = hod(start_h, i)
        v = base + leak * i / (24 * PER_H) + amp * math.cos(2 * math.pi * (h - phase) / 24.0)
        out.append(v + noise[i])
    return "mem_used_percent", theta, out


def gen_shift(r, n, nh, start_h):
    theta = 90.0
    end = r.uniform(50.0, 85.0)
    rate = (theta - end) / days_to_fill(r)
    jump = r.uniform(8.0, 30.0)
    at = nh - int(r.uniform(6.0, 72.0) * PER_H)     # the copy, samples
    slow = r.uniform(0.0, 1.0)                      # points a day before it
    sigma = r.uniform(0.02, 0.2)
    before = end - jump - rate * (nh - at) / (24 * PER_H)
    out = []
    for i in range(n):
        if i < at:
            v = before - slow * (at - i) / (24 * PER_H)
        else:
            v = before + jump + rate * (i - at) / (24 * PER_H)
        out.append(max(1.0, v) + r.gauss(0.0, sigma))
    return "disk_used_percent", theta, out


def gen_flat(r, n, nh, start_h):
    mem = r.random() < 0.5
    theta = 95.0 if mem else 90.0
    level = theta - r.uniform(5.0, 40.0)
    amp = r.uniform(0.0, 3.0)
    drift = r.uniform(-0.2, 0.2)
    noise = ar1(r, n, r.uniform(0.1, 0.8))
    out = []
    for i in range(n):
        h = hod(start_h, i)
        v = level + drift * (i - nh) / (24 * PER_H) + amp * math.sin(2 * math.pi * h / 24.0)
        out.append(v + noise[i])
    return ("mem_used_percent" if mem else "disk_used_percent"), theta, out


def gen_staircase(r, n, nh, start_h):
    theta = 90.0
    level, per_day = fill(r, theta, nh)
    every = r.choice((1, 2, 4, 6, 12, 24)) * PER_H
    step = per_day * every / (24 * PER_H)
    first = r.randrange(every)                      # when the job runs
    out = []
    for i in range(n):
        if i % every == first:
            level += step * r.uniform(0.8, 1.2)
        out.append(level + r.gauss(0.0, 0.01))
    return "disk_used_percent", theta, out


GEN = {"sawtooth": gen_sawtooth, "steady": gen_steady, "leak": gen_leak,
       "shift": gen_shift, "flat": gen_flat, "staircase": gen_staircase}


def crossing_h(last, path, theta):
    """First reaching of theta along [last] + path, in hours; None if never."""
    prev = last
    for k, v in enumerate(path, 1):
        if v >= theta:
            frac = 1.0 if v == prev else min(max((theta - prev) / (v - prev), 0.0), 1.0)
            return ((k - 1) + frac) / PER_H
        prev = v
    return None


def make_case(seed, k, kind):
    """One case; a draw whose history already reached the threshold is
    drawn again (from the same stream, so still deterministic)."""
    r = random.Random("%d/%d" % (seed, k))
    while True:
        nh = r.randint(7 * 24, 14 * 24) * PER_H
        start_h = r.randrange(24 * PER_H) / PER_H   # the first sample's hour of day
        name, theta, v = GEN[kind](r, nh + HORIZON, nh, start_h)
        v = [round(x, 3) for x in v]
        hist, fut = v[:nh], v[nh:]
        if max(hist) < theta and min(hist) > 0:
            break
    start = EPOCH + datetime.timedelta(hours=start_h)
    return {"id": "%s-%03d" % (kind, k), "kind": kind, "name": name, "threshold": theta,
            "start": start.timestamp(), "step": STEP, "history": hist,
            "truth_h": crossing_h(hist[-1], fut, theta)}


def generate(seed=1, n=210):
    return [make_case(seed, k, KINDS[k % len(KINDS)]) for k in range(n)]


def ts_text(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
