/*
 * inhibit.c: notify.inhibit_rules (lib/notify/inhibit.h) over the alerts
 * firing now, as the alerts table has them at each flush.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"

#include "engine.h"
#include "notify.h"
#include "notify/inhibit.h"
#include "store/alerts.h"
#include "store/state.h"

struct inhibitor {
	const json_t		*rules;		/* borrowed from the configuration */
	const struct aiops_conf	*cfg;
	struct aiops_inhibit	*ih;
};

struct inhibitor *
engine_inhibit_new(const json_t *rules, const struct aiops_conf *cfg, char *err, size_t errlen)
{
	struct inhibitor *in = xcalloc(1, sizeof(*in));

	in->rules = rules;
	in->cfg = cfg;
	if ((in->ih = aiops_inhibit_build(rules, cfg, "notify.inhibit_rules", err, errlen)) == NULL) {
		free(in);
		return NULL;
	}
	return in;
}

void
engine_inhibit_free(struct inhibitor *in)
{
	if (in == NULL)
		return;
	aiops_inhibit_free(in->ih);
	free(in);
}

static int
add_source(void *arg, const struct aiops_alert *a)
{
	struct inhibitor *in = arg;
	json_t *labels = notify_alert_labels(a);

	if (labels != NULL)
		aiops_inhibit_set(in->ih, a->fingerprint, strlen(a->fingerprint), labels);
	json_decref(labels);
	return 0;
}

int
engine_inhibit_load(struct engine *e, int64_t now)
{
	(void)now;
	if (aiops_inhibit_rules(e->inhibit->ih) == 0)
		return 0;
	/* A fresh set each flush: the alerts table is the truth. The rules
	 * were checked at start, so building them again cannot fail. */
	aiops_inhibit_free(e->inhibit->ih);
	e->inhibit->ih = aiops_inhibit_build(e->inhibit->rules, e->inhibit->cfg,
	    "notify.inhibit_rules", e->err, sizeof(e->err));
	if (e->inhibit->ih == NULL)
		return -1;
	if (aiops_alerts_current(e->state, add_source, e->inhibit) == -1) {
		snprintf(e->err, sizeof(e->err), "reading the alerts firing: %s",
		    aiops_state_errmsg(e->state));
		return -1;
	}
	return 0;
}

int
engine_inhibited(struct engine *e, const json_t *labels, const char **by)
{
	size_t bylen;

	return aiops_inhibit_rules(e->inhibit->ih) > 0 &&
	    aiops_inhibit_muted(e->inhibit->ih, labels, by, &bylen);
}
