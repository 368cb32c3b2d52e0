/* influx.c: placeholder until the parser lands (this session). */
#include "compat.h"

#include "ingest.h"

static int
pending(void *st, struct aiops_ingest *ing, const char *line, size_t len)
{
	AIOPS_UNUSED(st);
	AIOPS_UNUSED(line);
	AIOPS_UNUSED(len);
	return aiops_ingest_error(ing, "format influx is not implemented yet");
}

const struct aiops_format aiops_format_influx = {
	.name = "influx",
	.desc = "influx",
	.line = pending,
};
