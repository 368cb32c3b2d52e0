/*
 * bench/kpi/alone.c - the metric detector alone over NAB-layout CSVs: no
 * parsing of events, no state; writes NAB result files and prints the
 * detector's own points/s and aiops_mdetect_size().  For comparing model
 * versions in one session (the numbers in the README's detection rows).
 *
 * cc -O2 -Ilib -I<builddir> -o /tmp/alone bench/kpi/alone.c \
 *     lib/detect/mdetect.c -lm
 * mkdir -p /tmp/r/aiops && /tmp/alone /tmp/r/aiops NAB/data/CATEGORY/FILE.csv...
 * env: WARM=N sets params.warmup.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "detect/mdetect.h"

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	double tot = 0;
	long pts = 0;
	int a;

	if (argc < 3) {
		fprintf(stderr, "usage: alone OUTDIR CSV...\n");
		return 64;
	}
	for (a = 2; a < argc; a++) {
		char path[4096], line[512], *d1, *d2, *cat, *b;
		struct aiops_mdetect_params p;
		struct aiops_mdetect *m;
		FILE *f = fopen(argv[a], "r"), *o;

		if (f == NULL) {
			perror(argv[a]);
			return 66;
		}
		d1 = strdup(argv[a]);
		d2 = strdup(argv[a]);
		cat = basename(dirname(d1));
		b = basename(d2);
		snprintf(path, sizeof(path), "%s/%s", argv[1], cat);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/%s/aiops_%s", argv[1], cat, b);
		if ((o = fopen(path, "w")) == NULL) {
			perror(path);
			return 73;
		}
		fprintf(o, "timestamp,value,anomaly_score\n");
		aiops_mdetect_params_default(&p);
		if (getenv("WARM") != NULL)
			p.warmup = (uint32_t)atoi(getenv("WARM"));
		m = aiops_mdetect_new(&p);
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		while (fgets(line, sizeof(line), f) != NULL) {
			struct tm tm = { 0 };
			char *c = strchr(line, ','), *e;
			long long ts;
			double v, s, t0;

			if (c == NULL)
				continue;
			*c = '\0';
			strptime(line, "%Y-%m-%d %H:%M:%S", &tm);
			ts = (long long)timegm(&tm) * 1000000000LL;
			v = strtod(c + 1, NULL);
			t0 = now();
			s = aiops_mdetect_update(m, ts, v, NULL);
			tot += now() - t0;
			pts++;
			if ((e = strpbrk(c + 1, "\r\n")) != NULL)
				*e = '\0';
			fprintf(o, "%s,%s,%.17g\n", line, c + 1, s);
		}
		aiops_mdetect_free(m);
		fclose(o);
		fclose(f);
		free(d1);
		free(d2);
	}
	fprintf(stderr, "%ld points, detector %.3f s = %.0f points/s, "
	    "model %zu bytes\n", pts, tot, pts / tot, aiops_mdetect_size());
	return 0;
}
