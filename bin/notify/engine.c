/*
 * engine.c: Alertmanager's dispatcher, with its state in the state file.
 *
 * Intake (engine_event): an event becomes an alert (mapping.c), which is
 * stored in the alerts table (the one place that keeps alert state); the
 * routing tree names the routes that take it; each route puts it in the
 * group of its receiver and group key, made on its first alert with its
 * timer at group_wait (at once when the alert began more than group_wait
 * ago, as Alertmanager does).
 *
 * Flush (engine_flush): every group whose timer is due is looked at:
 * its alerts as the alerts table has them now, less those silenced or
 * inhibited, the whole group held back while its route is muted. Each
 * integration of its receiver is told when Alertmanager's would be
 * (needs_update: an alert fires that was not told firing, all that were
 * told firing resolved, alerts resolved that were not told so, or
 * repeat_interval passed), against the group's notification log: the
 * firing and resolved sets last told. Each such integration gets one
 * outbox row, with a dedup key that is the same for the same change, so
 * a rerun after a crash cannot enqueue it twice. Resolved alerts leave
 * the group once told; a group with nothing left is deleted. Its timer
 * moves on by group_interval.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/hash.h"
#include "core/xmalloc.h"
#include "engine.h"
#include "event/event.h"
#include "io/out.h"
#include "json/jw.h"
#include "match/matcher.h"
#include "notify.h"
#include "notify/route.h"
#include "notify/timeint.h"
#include "store/alerts.h"
#include "store/notify.h"
#include "store/state.h"
#include "tool/log.h"

static int
state_fail(struct engine *e, const char *what)
{
	snprintf(e->err, sizeof(e->err), "%s: %s", what, aiops_state_errmsg(e->state));
	return -1;
}

static void
forget_known(struct engine *e)
{
	aiops_hmap_release(&e->known, NULL);
	aiops_hmap_init(&e->known);
	e->known_gone = 0;
}

int
engine_txn_begin(struct engine *e)
{
	int rc = aiops_state_changed_elsewhere(e->state);

	if (rc == -1)
		return state_fail(e, "reading the state's version");
	if (rc == 1) {
		forget_known(e);
		engine_inhibit_forget(e->inhibit);
	}
	return 0;
}

/* The key of a group in e->known: "receiver\0group_key" (new, *len bytes). */
static char *
known_key(const char *receiver, const char *group_key, size_t *len)
{
	size_t rl = strlen(receiver), kl = strlen(group_key);
	char *k = xmalloc(rl + 1 + kl);

	memcpy(k, receiver, rl + 1);
	memcpy(k + rl + 1, group_key, kl);
	*len = rl + 1 + kl;
	return k;
}

/* Marks a group known to be in the state (1) or gone (0). */
static void
set_known(struct engine *e, const char *receiver, const char *group_key, int in)
{
	size_t len;
	char *k;

	/* A group per alert makes a key per alert: the gone ones go. */
	if (!in && ++e->known_gone > 1024 && e->known_gone > e->known.len / 2) {
		forget_known(e);
		return;
	}
	k = known_key(receiver, group_key, &len);
	aiops_hmap_put(&e->known, k, len, in ? (void *)e : NULL);
	free(k);
}

static int
is_known(const struct engine *e, const char *receiver, const char *group_key)
{
	size_t len;
	char *k = known_key(receiver, group_key, &len);
	int in = aiops_hmap_get(&e->known, k, len) != NULL;

	free(k);
	return in;
}

/* Puts the alert in the group of route r, making the group if it is new. */
static int
join_group(struct engine *e, const struct aiops_route *r, const struct mapped *m, int64_t now)
{
	struct aiops_notify_group_list l = { NULL, 0 };
	struct aiops_notify_group g;
	char *key = aiops_route_group_key(r, m->labels), *labels;
	json_t *gl;
	int rc = 0, known = is_known(e, r->receiver, key);

	if (!known && aiops_notify_group_get(e->state, r->receiver, key, &l) == -1) {
		free(key);
		return state_fail(e, "reading a group");
	}
	if (!known && l.n == 0) {
		gl = aiops_route_group_labels(r, m->labels);
		labels = json_dumps(gl, JSON_COMPACT | JSON_SORT_KEYS);
		memset(&g, 0, sizeof(g));
		g.receiver = r->receiver;
		g.group_key = key;
		g.route = r->id;
		g.group_labels = labels;
		g.created = now;
		/* An alert that began long ago is not held for group_wait. */
		g.next_flush = m->a.starts_at + r->group_wait < now ? now : now + r->group_wait;
		rc = aiops_notify_group_put(e->state, &g);
		if (e->next_timer == 0 || g.next_flush < e->next_timer)
			e->next_timer = g.next_flush;
		free(labels);
		json_decref(gl);
		e->groups_made++;
	}
	aiops_notify_group_list_release(&l);
	if (rc == 0)
		set_known(e, r->receiver, key, 1);
	if (rc == 0)
		rc = aiops_notify_member_add(e->state, r->receiver, key, m->a.fingerprint, now);
	free(key);
	return rc == -1 ? state_fail(e, "adding to a group") : 0;
}

int
engine_event(struct engine *e, const json_t *ev, int64_t now, char *err, size_t errlen)
{
	const struct aiops_route **routes;
	struct mapped m;
	size_t i, n;
	int rc;

	if ((rc = notify_map_event(e->state, ev, now, e->resolve_timeout, &m, err, errlen)) <= 0) {
		if (rc == -1 && err[0] == '\0')
			state_fail(e, "reading an alert");
		return rc;
	}
	e->alerts++;
	if ((rc = aiops_alerts_put(e->state, &m.a, now)) == -1) {
		notify_mapped_release(&m);
		snprintf(err, errlen, "%s", "");
		return state_fail(e, "storing an alert");
	}
	if (rc != AIOPS_ALERT_LATE)
		engine_inhibit_note(e, &m.a, m.labels, now);
	routes = xcalloc(aiops_route_count(e->tree), sizeof(*routes));
	n = aiops_route_match(e->tree, m.labels, routes);
	for (rc = 0, i = 0; i < n && rc == 0; i++)
		rc = join_group(e, routes[i], &m, now);
	free(routes);
	notify_mapped_release(&m);
	return rc == -1 ? -1 : 1;
}

/* ------------------------------------------------------------------ flush */

/* A silence as a flush applies it. */
struct live_silence {
	char			*id;
	struct aiops_match	*m;
	struct aiops_timeint	*schedule;	/* recurring, or NULL */
	int64_t			 starts_at, ends_at;
};

struct flush {
	struct engine		*e;
	int64_t			 now;
	struct live_silence	*sil;
	size_t			 nsil;
};

static int
load_silences(struct flush *f)
{
	struct aiops_silence_list l;
	char err[256];
	size_t i;

	if (aiops_silences_list(f->e->state, f->now, 0, &l) == -1)
		return state_fail(f->e, "reading the silences");
	f->sil = xcalloc(l.n + 1, sizeof(*f->sil));
	for (i = 0; i < l.n; i++) {
		struct live_silence *s = &f->sil[f->nsil];

		s->m = aiops_match_parse(l.v[i].matchers, strlen(l.v[i].matchers), err, sizeof(err));
		if (s->m == NULL)
			continue;	/* checked when added: a newer syntax, say */
		if (l.v[i].schedule != NULL && (s->schedule = aiops_timeint_parse_text(
		    l.v[i].schedule, strlen(l.v[i].schedule), err, sizeof(err))) == NULL) {
			aiops_match_free(s->m);
			continue;
		}
		s->id = xstrdup(l.v[i].id);
		s->starts_at = l.v[i].starts_at;
		s->ends_at = l.v[i].ends_at;
		f->nsil++;
	}
	aiops_silence_list_release(&l);
	return 0;
}

static void
free_silences(struct flush *f)
{
	size_t i;

	for (i = 0; i < f->nsil; i++) {
		free(f->sil[i].id);
		aiops_match_free(f->sil[i].m);
		aiops_timeint_free(f->sil[i].schedule);
	}
	free(f->sil);
}

/* The id of a silence that mutes these labels now, or NULL. */
static const char *
silenced(const struct flush *f, const json_t *labels)
{
	size_t i;

	for (i = 0; i < f->nsil; i++) {
		const struct live_silence *s = &f->sil[i];

		if (s->starts_at > f->now || s->ends_at <= f->now)
			continue;
		if (s->schedule != NULL &&
		    !aiops_timeint_contains(s->schedule, f->now, f->e->timezone))
			continue;
		if (aiops_match_eval(s->m, labels, f->now))
			return s->id;
	}
	return NULL;
}

/* Is the route muted now: in a mute interval, or outside its active ones? */
static int
muted(const struct engine *e, const struct aiops_route *r, int64_t now)
{
	const struct aiops_timeint *ti;
	size_t i;
	int active = r->nactive == 0;

	for (i = 0; i < r->nmute; i++)
		if ((ti = aiops_timeint_set_get(e->intervals, r->mute_time_intervals[i])) != NULL &&
		    aiops_timeint_contains(ti, now, e->timezone))
			return 1;
	for (i = 0; i < r->nactive && !active; i++)
		if ((ti = aiops_timeint_set_get(e->intervals, r->active_time_intervals[i])) != NULL &&
		    aiops_timeint_contains(ti, now, e->timezone))
			active = 1;
	return !active;
}

struct members {
	char	**fp;
	int64_t	*joined;
	size_t	 n;
};

static int
add_member(void *arg, const char *fp, int64_t joined)
{
	struct members *m = arg;

	m->fp = xreallocarray(m->fp, m->n + 1, sizeof(*m->fp));
	m->joined = xreallocarray(m->joined, m->n + 1, sizeof(*m->joined));
	m->joined[m->n] = joined;
	m->fp[m->n++] = xstrdup(fp);
	return 0;
}

static void
members_free(struct members *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->fp[i]);
	free(m->fp);
	free(m->joined);
}

/*
 * Alerts a flush holds back, for the suppression events: each alert that
 * joined its group since the group's last flush, once, with why (the
 * silence's id, the fingerprint of an alert that inhibits it, nothing when
 * the route is muted).
 */
struct held {
	char		*fp;
	json_t		*labels;
	char		*by;
};

struct held_list {
	struct held	*v;
	size_t		 n;
};

enum { HELD_SILENCED, HELD_INHIBITED, HELD_MUTED, HELD_KINDS };
static const char *const held_reason[HELD_KINDS] = { "silenced", "inhibited", "muted" };

static void
held_add(struct held_list *l, const char *fp, const json_t *labels, const char *by)
{
	struct held *h;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	h = &l->v[l->n++];
	h->fp = xstrdup(fp);
	h->labels = json_incref((json_t *)labels);	/* nothing changes them */
	h->by = by != NULL ? xstrdup(by) : NULL;
}

static void
held_free(struct held_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].fp);
		json_decref(l->v[i].labels);
		free(l->v[i].by);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * A notification event with status "suppressed": the alerts of the group
 * held back for one reason, each with its labels and what holds it.
 */
static void
write_suppressed(struct flush *f, const struct aiops_notify_group *grp, int kind,
    const struct held_list *l)
{
	struct aiops_out *out = f->e->out;
	struct aiops_event_head h;
	struct aiops_jw w;
	char *idkey;
	size_t i;

	if (out == NULL || l->n == 0)
		return;
	memset(&h, 0, sizeof(h));
	h.type = "notification";
	h.ts = f->now;
	h.source = "aiops-notify";
	/* The same flush of the same group gives the same id on a rerun, and
	 * two groups held back in one flush two ids. */
	xasprintf(&idkey, "%s\n%s\n%s", held_reason[kind], grp->receiver, grp->group_key);
	h.idkey = idkey;
	h.idklen = strlen(idkey);
	aiops_jw_init(&w, &out->buf);
	aiops_event_begin(&w, &h);
	aiops_jw_kcstr(&w, "status", "suppressed");
	aiops_jw_kcstr(&w, "reason", held_reason[kind]);
	aiops_jw_kcstr(&w, "receiver", grp->receiver);
	aiops_jw_kcstr(&w, "group_key", grp->group_key);
	aiops_jw_key(&w, "alerts", 6);
	aiops_jw_array_begin(&w);
	for (i = 0; i < l->n; i++) {
		aiops_jw_object_begin(&w);
		aiops_jw_kcstr(&w, "fingerprint", l->v[i].fp);
		aiops_jw_key(&w, "labels", 6);
		aiops_jw_json(&w, l->v[i].labels);
		if (l->v[i].by != NULL)
			aiops_jw_kcstr(&w, kind == HELD_SILENCED ? "silence_id" : "inhibited_by",
			    l->v[i].by);
		aiops_jw_object_end(&w);
	}
	aiops_jw_array_end(&w);
	aiops_jw_object_end(&w);
	aiops_out_end(out);
	free(idkey);
}

static void
galert_release(struct galert *a)
{
	aiops_alert_release(&a->a);
	json_decref(a->labels);
	json_decref(a->annotations);
	memset(a, 0, sizeof(*a));
}

static void
gview_free(struct gview *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		galert_release(&g->v[i]);
	free(g->v);
	json_decref(g->group_labels);
}

/*
 * Why a firing alert is held back now (a HELD_ kind, with *by), or -1
 * when it is not. A muted route holds back all.
 */
static int
hold(struct flush *f, const json_t *labels, int muted, const char **by)
{
	*by = NULL;
	if (muted)
		return HELD_MUTED;
	if ((*by = silenced(f, labels)) != NULL)
		return HELD_SILENCED;
	if (engine_inhibited(f->e, labels, f->now, by))
		return HELD_INHIBITED;
	return -1;
}

/*
 * The group's alerts as the alerts table has them now, less the silenced
 * and inhibited ones (those new since the group's last flush also in
 * news, by kind), all firing ones when muted. A firing alert held back
 * counts in *held (it keeps the group); a resolved one leaves the group
 * untold, as Alertmanager's silencer and inhibitor mute resolved alerts
 * too and it then forgets them.
 */
static int
gather(struct flush *f, const struct aiops_notify_group *grp, int muted, struct gview *g,
    size_t *held, struct held_list news[HELD_KINDS])
{
	struct members mem = { NULL, NULL, 0 };
	const char *by;
	size_t i;
	int rc, kind;

	memset(g, 0, sizeof(*g));
	g->receiver = grp->receiver;
	g->group_key = grp->group_key;
	g->group_labels = json_loads(grp->group_labels, 0, NULL);
	if (aiops_notify_members(f->e->state, grp->receiver, grp->group_key, add_member, &mem) == -1)
		return state_fail(f->e, "reading a group's alerts");
	g->v = xcalloc(mem.n + 1, sizeof(*g->v));
	for (i = 0; i < mem.n; i++) {
		struct galert *a = &g->v[g->n];

		if ((rc = aiops_alerts_get(f->e->state, mem.fp[i], f->now, &a->a)) == -1) {
			members_free(&mem);
			return state_fail(f->e, "reading an alert");
		}
		if (rc == 0)
			continue;
		a->labels = notify_alert_labels(&a->a);
		a->annotations = json_loads(a->a.annotations, 0, NULL);
		a->firing = strcmp(a->a.status, "firing") == 0;
		kind = a->labels == NULL || (muted && !a->firing) ? -1 :
		    hold(f, a->labels, muted, &by);
		if (kind != -1 && mem.joined[i] >= grp->last_flush)
			held_add(&news[kind], a->a.fingerprint, a->labels, by);
		if (kind != -1 && !a->firing && aiops_notify_member_remove(f->e->state,
		    grp->receiver, grp->group_key, mem.fp[i]) == -1) {
			galert_release(a);
			members_free(&mem);
			return state_fail(f->e, "removing a resolved alert");
		}
		if (a->labels == NULL || kind != -1) {
			*held += a->labels == NULL || a->firing;
			galert_release(a);
			continue;
		}
		g->nfiring += a->firing;
		g->n++;
	}
	members_free(&mem);
	return 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The fingerprints of the group's firing (or resolved) alerts, sorted,
 * "," between: a set of Alertmanager's notification log (new).
 */
static char *
told_set(const struct gview *g, int firing)
{
	const char **fp = xcalloc(g->n + 1, sizeof(*fp));
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < g->n; i++)
		if (g->v[i].firing == firing)
			fp[n++] = g->v[i].a.fingerprint;
	qsort(fp, n, sizeof(*fp), str_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0)
			aiops_buf_addc(&b, ',');
		aiops_buf_addstr(&b, fp[i]);
	}
	free(fp);
	return aiops_buf_detach(&b, NULL);
}

/* Is every item of the sorted list a (told_set's form) in the sorted list b? */
static int
subset(const char *a, const char *b)
{
	size_t al, bl;
	int c;

	if (b == NULL)
		b = "";
	while (*a != '\0') {
		al = strcspn(a, ",");
		for (;;) {
			if (*b == '\0')
				return 0;
			bl = strcspn(b, ",");
			c = strncmp(a, b, al < bl ? al : bl);
			if (c == 0 && al != bl)
				c = al < bl ? -1 : 1;
			if (c < 0)
				return 0;	/* b went past it */
			b += bl + (b[bl] == ',');
			if (c == 0)
				break;
		}
		a += al + (a[al] == ',');
	}
	return 1;
}

/* What a flush found in a group, against what the group was last told. */
struct change {
	const struct aiops_notify_group	*grp;
	char				*firing, *resolved;	/* told_set()s of now */
	size_t				 nfiring;
	int64_t				 repeat;		/* the route's repeat_interval */
};

/*
 * Alertmanager's DedupStage.needsUpdate (notify/notify.go), for an
 * integration that does or does not send resolved alerts: news when an
 * alert fires that was not told firing; when all resolved that were told
 * firing (whatever send_resolved says, to clear the log); when alerts
 * resolved that were not told so, for one that sends them; else when
 * repeat_interval has passed since the group was last told.
 */
static int
needs_update(const struct change *c, int send_resolved, int64_t now)
{
	const struct aiops_notify_group *g = c->grp;

	if (g->last_notified == 0)
		return c->nfiring > 0;
	if (!subset(c->firing, g->told_firing))
		return 1;
	if (c->nfiring == 0)
		return g->told_firing != NULL && g->told_firing[0] != '\0';
	if (send_resolved && !subset(c->resolved, g->told_resolved))
		return 1;
	return now - g->last_notified >= c->repeat;
}

/*
 * The outbox rows of a notification: one per integration of the receiver
 * that has news (needs_update). The dedup key is the integration, the
 * group (and when it was made), the two sets and when the group was last
 * told: the same for a flush run again after a crash (its transaction
 * never committed), another for a repeat, which is news. *told is set
 * when any integration had news: the group's log moves on.
 */
static int
enqueue(struct flush *f, const struct gview *g, const struct change *c, int *told)
{
	const struct receivers *rcv = f->e->rcv;
	int64_t last = c->grp->last_notified, id;
	struct aiops_outbox_msg m;
	size_t i;

	*told = 0;
	for (i = 0; i < rcv->n; i++) {
		const struct integration *in = &rcv->v[i];
		char dedup[80], err[512], *payload;
		uint64_t h;

		if (strcmp(in->receiver, g->receiver) != 0 ||
		    !needs_update(c, in->send_resolved, f->now))
			continue;
		*told = 1;
		if ((payload = notify_payload(in, g, f->e->external_url, f->e->timezone, f->now, err,
		    sizeof(err))) == NULL) {
			if (err[0] != '\0')
				log_warnx("%s: %s: no notification: %s", in->id, g->group_key, err);
			continue;
		}
		h = aiops_hash64(in->id, strlen(in->id) + 1, 0xcbf29ce484222325ULL);
		h = aiops_hash64(g->group_key, strlen(g->group_key) + 1, h);
		h = aiops_hash64(c->firing, strlen(c->firing) + 1, h);
		h = aiops_hash64(c->resolved, strlen(c->resolved) + 1, h);
		h = aiops_hash64(&last, sizeof(last), h);
		/* A group made again after it emptied starts its log afresh:
		 * its creation tells its first message from the last one's. */
		h = aiops_hash64(&c->grp->created, sizeof(c->grp->created), h);
		snprintf(dedup, sizeof(dedup), "%016llx", (unsigned long long)h);
		memset(&m, 0, sizeof(m));
		m.receiver = g->receiver;
		m.group_key = g->group_key;
		m.dedup_key = dedup;
		m.payload = payload;
		m.created = m.next_attempt = f->now;
		if (aiops_outbox_add(f->e->state, &m, &id) == -1) {
			free(payload);
			return state_fail(f->e, "adding to the outbox");
		}
		f->e->enqueued++;
		free(payload);
	}
	return 0;
}

/* Resolved alerts leave the group once told. */
static int
drop_resolved(struct flush *f, const struct gview *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (!g->v[i].firing && aiops_notify_member_remove(f->e->state, g->receiver,
		    g->group_key, g->v[i].a.fingerprint) == -1)
			return state_fail(f->e, "removing a resolved alert");
	return 0;
}

static int
flush_group(struct flush *f, const struct aiops_notify_group *grp)
{
	const struct aiops_route *r = aiops_route_find(f->e->tree, grp->route);
	struct aiops_notify_group up = *grp;	/* as it is written back */
	struct held_list news[HELD_KINDS];
	struct change c;
	struct gview g;
	size_t held = 0;
	int told = 0, rc, muted_now, k;

	if (r == NULL) {
		/* Its route is gone with a new configuration: so is the group. */
		set_known(f->e, grp->receiver, grp->group_key, 0);
		if (aiops_notify_group_delete(f->e->state, grp->receiver, grp->group_key) == -1)
			return state_fail(f->e, "deleting a group");
		return 0;
	}
	up.next_flush = f->now + r->group_interval;
	up.last_flush = f->now;
	memset(news, 0, sizeof(news));
	muted_now = muted(f->e, r, f->now);
	rc = gather(f, grp, muted_now, &g, &held, news);
	for (k = 0; k < HELD_KINDS; k++) {
		if (rc == 0)
			write_suppressed(f, grp, k, &news[k]);
		held_free(&news[k]);
	}
	if (rc == -1)
		return -1;
	if (muted_now) {
		/* Nothing is told, nothing leaves: the group waits it out. */
		f->e->muted++;
		gview_free(&g);
		return aiops_notify_group_put(f->e->state, &up) == -1 ?
		    state_fail(f->e, "moving a group's timer") : 0;
	}
	f->e->held += held;
	c.grp = grp;
	c.firing = told_set(&g, 1);
	c.resolved = told_set(&g, 0);
	c.nfiring = g.nfiring;
	c.repeat = r->repeat_interval;
	g.external_ref = grp->external_ref;
	rc = g.n > 0 ? enqueue(f, &g, &c, &told) : 0;
	if (told) {
		up.last_notified = f->now;
		up.told_firing = c.firing;
		up.told_resolved = c.resolved;
	}
	if (rc == 0)
		rc = drop_resolved(f, &g);
	if (rc == 0 && g.nfiring == 0 && held == 0) {
		set_known(f->e, grp->receiver, grp->group_key, 0);
		rc = aiops_notify_group_delete(f->e->state, grp->receiver, grp->group_key);
	}
	else if (rc == 0)
		rc = aiops_notify_group_put(f->e->state, &up);
	free(c.firing);
	free(c.resolved);
	gview_free(&g);
	return rc == -1 ? state_fail(f->e, "updating a group") : 0;
}

int
engine_flush(struct engine *e, int64_t now)
{
	struct aiops_notify_group_list l;
	struct flush f;
	size_t i;
	int rc = 0;

	memset(&f, 0, sizeof(f));
	f.e = e;
	f.now = now;
	if (aiops_notify_groups_due(e->state, now, &l) == -1)
		return state_fail(e, "reading the groups due");
	if (l.n > 0 && (rc = load_silences(&f)) == 0 && (rc = engine_inhibit_load(e, now)) == 0)
		for (i = 0; i < l.n && rc == 0; i++)
			rc = flush_group(&f, &l.v[i]);
	free_silences(&f);
	aiops_notify_group_list_release(&l);
	return rc;
}
