#include "compat.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/timeutil.h"

static enum aiops_clock_mode clock_mode = AIOPS_CLOCK_WALL;
static int64_t frozen;		/* $AIOPS_NOW, or 0 */
static int64_t event_now;	/* latest event time seen */

int
aiops_clock_init(enum aiops_clock_mode mode)
{
	const char *s = getenv("AIOPS_NOW");

	clock_mode = mode;
	frozen = 0;
	event_now = 0;
	if (s != NULL && *s != '\0' && aiops_time_parse(s, strlen(s), &frozen) == -1)
		return -1;
	return 0;
}

enum aiops_clock_mode
aiops_clock_mode(void)
{
	return clock_mode;
}

int64_t
aiops_clock_wall(void)
{
	struct timespec ts;

	if (frozen != 0)
		return frozen;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * AIOPS_NS_PER_SEC + ts.tv_nsec;
}

int64_t
aiops_clock_now(void)
{
	if (clock_mode == AIOPS_CLOCK_EVENT)
		return event_now != 0 ? event_now : aiops_clock_wall();
	return aiops_clock_wall();
}

void
aiops_clock_observe(int64_t ts)
{
	if (ts > event_now)
		event_now = ts;
}

int64_t
aiops_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * AIOPS_NS_PER_SEC + ts.tv_nsec;
}
