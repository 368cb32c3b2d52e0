/*
 * clock.h: the one clock of the toolkit. Every timer, window, cooldown and
 * retention reads aiops_clock_now().
 *
 * Wall mode: the system's real time, or $AIOPS_NOW (RFC 3339 or epoch)
 * frozen, for tests. Event mode (--clock event): the clock is the latest
 * event time seen (aiops_clock_observe), so replaying a recorded stream
 * gives byte-identical output with no sleeping.
 */
#ifndef AIOPS_CLOCK_H
#define AIOPS_CLOCK_H

#include <stdint.h>

enum aiops_clock_mode { AIOPS_CLOCK_WALL, AIOPS_CLOCK_EVENT };

/* 0 ok, -1 when $AIOPS_NOW is set but is not a time. */
int aiops_clock_init(enum aiops_clock_mode mode);
enum aiops_clock_mode aiops_clock_mode(void);
/* Nanoseconds since the epoch on the toolkit clock. */
int64_t aiops_clock_now(void);
/* Real (or AIOPS_NOW) time whatever the mode: for log lines only. */
int64_t aiops_clock_wall(void);
/* Event mode: advance to ts when it is later (the clock never goes back). */
void aiops_clock_observe(int64_t ts);
/* CLOCK_MONOTONIC in nanoseconds: for durations measured here only. */
int64_t aiops_monotonic_ns(void);

#endif
