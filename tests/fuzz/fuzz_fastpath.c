/*
 * fuzz_fastpath: aiops-forecast's jansson-free reader of metric events
 * (bin/forecast/fastpath.c) against the jansson one it stands in for
 * (aiops_evread_line() and aiops_evread_metric()), line by line: a line
 * the fast path takes must be taken by jansson too, with the same fields.
 * A difference aborts, so libFuzzer reports the input.
 */
#include "compat.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "event/evread.h"
#include "../bin/forecast/forecast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same_str(const char *a, size_t alen, const char *b, size_t blen)
{
	if (a == NULL || b == NULL)
		return a == b;
	return alen == blen && memcmp(a, b, alen) == 0;
}

static int
same_cstr(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static void
check(const char *line, size_t len)
{
	struct aiops_label fl[AIOPS_MAX_LABELS], jl[AIOPS_MAX_LABELS];
	struct aiops_metric f, j;
	struct aiops_buf copy = AIOPS_BUF_INIT;
	json_t *ev = NULL;
	char err[256];
	size_t i;

	memset(&f, 0, sizeof(f));
	memset(&j, 0, sizeof(j));
	if (forecast_fast_metric(&copy, line, len, &f, fl) == 0) {
		if (aiops_evread_line(line, len, &ev, err, sizeof(err)) != 0 ||
		    aiops_evread_metric(ev, &j, jl, err, sizeof(err)) != 0)
			abort();	/* the fast path took what jansson refuses */
		if (f.ts != j.ts || !(f.value == j.value || (isnan(f.value) && isnan(j.value))) ||
		    !same_str(f.name, f.nlen, j.name, j.nlen) ||
		    !same_str(f.host, f.hlen, j.host, j.hlen) ||
		    !same_cstr(f.unit, j.unit) || !same_cstr(f.metric_type, j.metric_type) ||
		    !same_cstr(f.cluster, j.cluster) || !same_cstr(f.source, j.source) ||
		    f.nlabels != j.nlabels)
			abort();
		for (i = 0; i < f.nlabels; i++)
			if (!same_str(f.labels[i].key, f.labels[i].klen, j.labels[i].key,
			    j.labels[i].klen) || !same_str(f.labels[i].val, f.labels[i].vlen,
			    j.labels[i].val, j.labels[i].vlen))
				abort();
	}
	json_decref(ev);
	aiops_buf_release(&copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		check(p, len);
		p += len + 1;
	}
	return 0;
}
