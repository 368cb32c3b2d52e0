/*
 * fuzz_logmine: raw log lines, split at '\n', through header splitting,
 * masking and mining, as aiops-detect --raw feeds them; then the saved
 * templates are loaded into a fresh miner, as a restart would.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/logmine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aiops_logmine *lm = aiops_logmine_new(), *again;
	const char *p = (const char *)data, *end = p + size;
	struct aiops_logline ll;
	char *saved;
	size_t len;

	if (lm == NULL)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		(void)aiops_logmine_add(lm, p, n, AIOPS_LOGMINE_RAW, &ll);
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
