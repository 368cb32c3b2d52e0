/*
 * fuzz_logmine: raw log lines, split at '\n', through header splitting,
 * masking and mining, and the line's time read from its header span, its
 * start and its logfmt keys (core/logtime.h, event/logkeys.h), as
 * aiops-detect --raw and aiops-ingest read them; then the saved templates
 * are loaded into a fresh miner, as a restart would.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/logtime.h"
#include "detect/logmine.h"
#include "event/logkeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aiops_logmine *lm = aiops_logmine_new(), *again;
	const char *p = (const char *)data, *end = p + size;
	struct aiops_logline ll;
	int64_t ref = 1767571200LL * 1000000000LL, ts;	/* 2026-01-05 */
	char *saved;
	size_t len;

	if (lm == NULL)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (aiops_logmine_add(lm, p, n, AIOPS_LOGMINE_RAW, &ll) == 0 && ll.ts != NULL &&
		    aiops_logtime_parse(ll.ts, ll.ts_len, ref, AIOPS_LOGTIME_HEADER, &ts) == 0)
			ref = ts;
		if (aiops_logtime_scan(p, n, ref, 0, &ts) > n)
			abort();	/* a time is within its text */
		(void)aiops_logkeys_logfmt_time(p, n, ref, &ts);
		p += n + 1;
	}
	saved = aiops_logmine_save(lm, &len);
	if (saved != NULL && (again = aiops_logmine_new()) != NULL) {
		if (aiops_logmine_load(again, saved, len) != 0 ||
		    aiops_logmine_count(again) != aiops_logmine_count(lm))
			abort();	/* what was saved must load back */
		aiops_logmine_free(again);
	}
	free(saved);
	aiops_logmine_free(lm);
	return 0;
}
