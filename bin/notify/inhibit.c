/*
 * inhibit.c: notify.inhibit_rules (lib/notify/inhibit.h) over the alerts
 * firing now. The set is loaded from the alerts table once, then kept as
 * the intake stores alerts (engine_inhibit_note) and as their ends pass
 * (expired at each flush); it is loaded again when another program wrote
 * to the state (engine_txn_begin), so the alerts table stays the truth
 * without a read of every firing alert at every flush.
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
	int			 loaded;	/* ih holds the firing alerts of the table */
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

void
engine_inhibit_forget(struct inhibitor *in)
{
	char err[256];

	if (!in->loaded)
		return;
	/* The rules were checked at start: building them again cannot fail. */
	aiops_inhibit_free(in->ih);
	in->ih = aiops_inhibit_build(in->rules, in->cfg, "notify.inhibit_rules", err, sizeof(err));
	in->loaded = 0;
}

static int
add_source(void *arg, const struct aiops_alert *a)
{
	struct inhibitor *in = arg;
	json_t *labels = notify_alert_labels(a);

	if (labels != NULL)
		aiops_inhibit_set(in->ih, a->fingerprint, strlen(a->fingerprint), labels,
		    a->ends_at);
	json_decref(labels);
	return 0;
}

int
engine_inhibit_load(struct engine *e, int64_t now)
{
	struct inhibitor *in = e->inhibit;

	if (aiops_inhibit_rules(in->ih) == 0)
		return 0;
	if (!in->loaded) {
		if (aiops_alerts_current(e->state, now, add_source, in) == -1) {
			snprintf(e->err, sizeof(e->err), "reading the alerts firing: %s",
			    aiops_state_errmsg(e->state));
			return -1;
		}
		in->loaded = 1;
	}
	aiops_inhibit_expire(in->ih, now);
	return 0;
}

void
engine_inhibit_note(struct engine *e, const struct aiops_alert *a, const json_t *labels,
    int64_t now)
{
	struct inhibitor *in = e->inhibit;
	size_t len = strlen(a->fingerprint);

	if (!in->loaded)
		return;		/* the next load reads it from the table */
	if (strcmp(a->status, "firing") == 0 && (a->ends_at == 0 || a->ends_at > now))
		aiops_inhibit_set(in->ih, a->fingerprint, len, labels, a->ends_at);
	else
		aiops_inhibit_unset(in->ih, a->fingerprint, len);
}

int
engine_inhibited(struct engine *e, const json_t *labels, int64_t now, const char **by)
{
	size_t bylen;

	return aiops_inhibit_rules(e->inhibit->ih) > 0 &&
	    aiops_inhibit_muted(e->inhibit->ih, labels, now, by, &bylen);
}
