/* mstore.c: placeholder until the store lands (this session). */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>

#include "mstore.h"

struct aiops_mstore { int unused; };

struct aiops_mstore *
aiops_mstore_new(struct aiops_state *st, int64_t retention, char *err, size_t errlen)
{
	AIOPS_UNUSED(st);
	AIOPS_UNUSED(retention);
	snprintf(err, errlen, "--store is not implemented yet");
	return NULL;
}

int aiops_mstore_add(struct aiops_mstore *ms, const struct aiops_metric *m) { AIOPS_UNUSED(ms); AIOPS_UNUSED(m); return -1; }
int aiops_mstore_flush(struct aiops_mstore *ms) { AIOPS_UNUSED(ms); return -1; }
const char *aiops_mstore_errmsg(struct aiops_mstore *ms) { AIOPS_UNUSED(ms); return "not implemented"; }
int aiops_mstore_free(struct aiops_mstore *ms) { free(ms); return 0; }
