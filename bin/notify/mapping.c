/*
 * mapping.c: events as alerts (lib/notify/alert.h), continued from the
 * alert the state holds (Alertmanager's merge), and an alert of the state
 * as the labels routes, silences and inhibition match.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/xmalloc.h"
#include "notify.h"
#include "notify/alert.h"
#include "store/alerts.h"

int
notify_map_event(struct aiops_state *st, const json_t *ev, int64_t now,
    int64_t resolve_timeout, struct mapped *m, char *err, size_t errlen)
{
	struct aiops_alertmap_opts o = { now, resolve_timeout };
	struct aiops_alertmap *am = xcalloc(1, sizeof(*am));
	struct aiops_alert stored;
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = aiops_alertmap_event(ev, &o, am, err, errlen)) != 1) {
		aiops_alertmap_release(am);
		free(am);
		return rc;
	}
	if ((rc = aiops_alerts_get(st, am->fingerprint, now, &stored)) == 1) {
		aiops_alertmap_merge(am, &stored);
		aiops_alert_release(&stored);
	} else if (rc == -1) {
		aiops_alertmap_release(am);
		free(am);
		err[0] = '\0';	/* the state's own failure */
		return -1;
	}
	m->a = am->alert;
	m->labels = json_incref(am->match_labels);
	m->own = am;
	return 1;
}

void
notify_mapped_release(struct mapped *m)
{
	json_decref(m->labels);
	if (m->own != NULL) {
		aiops_alertmap_release(m->own);
		free(m->own);
	}
	memset(m, 0, sizeof(*m));
}

json_t *
notify_alert_labels(const struct aiops_alert *a)
{
	json_t *l = json_loads(a->labels, 0, NULL);

	if (!json_is_object(l)) {
		json_decref(l);
		return NULL;
	}
	if (a->severity != NULL && json_object_get(l, "severity") == NULL)
		json_object_set_new(l, "severity", json_string(a->severity));
	return l;
}
