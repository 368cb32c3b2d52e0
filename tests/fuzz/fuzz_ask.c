/*
 * fuzz_ask.c: libFuzzer harness for aiops-ask's intent engine, the
 * parser of free text typed by people: words, phrases, misspellings,
 * hosts, metrics, services, alert names, time ranges (days, months,
 * hours), quoted search words. Properties: it never
 * crashes nor reads out of bounds, whatever the bytes (not UTF-8, NULs
 * cut the question as a C string would); an intent it picks has a name
 * and a confidence in [0, 1]; a time range it reads has since <= until.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ask a;
	struct ask_match m;
	char *q;

	if (a.hosts == NULL) {
		a.hosts = json_pack("[s, s, s, s]", "db-1", "web-1", "web-2", "gpu-1");
		a.metrics = json_pack("[s, s, s, s]", "cpu_usage_user", "mem_used_percent",
		    "disk_used_percent", "nvidia_smi_temperature_gpu");
		a.clusters = json_pack("[s]", "prod-eu");
		a.services = json_pack("[s, s, s]", "sshd", "postgres", "nginx");
		a.rules = json_pack("[s]", "disk-cleanup");
		a.alertnames = json_pack("[s, s]", "GPUOverheat", "DiskWillFillSoon");
		a.now = 1795348800000000000LL;
	}
	if (size > 4096)
		return 0;
	q = malloc(size + 1);
	memcpy(q, data, size);
	q[size] = '\0';
	ask_understand(&a, q, &m);
	if (m.confidence < 0 || m.confidence > 1)
		abort();
	if (m.intent != NULL && *ask_intent_name(m.intent) == '\0')
		abort();
	if (m.slots.since >= 0 && m.slots.until >= 0 && m.slots.since > m.slots.until)
		abort();
	ask_match_release(&m);
	free(q);
	return 0;
}
