/*
 * inhibit.h: Alertmanager's inhibition rules, over the set of firing
 * alerts aiops-notify holds.
 *
 * Sources: prometheus/alertmanager docs/configuration.md (<inhibit_rule>),
 * config/config.go (InhibitRule), inhibit/inhibit.go (Mutes, hasEqual).
 * See /work/shared/PEERS.md section 1.
 *
 * notify.inhibit_rules is a list of mappings:
 *   source_matchers        list of matcher texts (lib/match/matcher.h)
 *   target_matchers        list of matcher texts
 *   equal                  list of label names
 *   source_match, source_match_re, target_match, target_match_re
 *                          the deprecated maps label: value / label: regex
 * A side with no matchers matches every alert. An unknown field, a bad
 * matcher or label name is an error "where: path: what", as route.h's
 * (notify.inhibit_rules.2.source_matchers.0).
 *
 * Semantics (inhibit.go): a target alert is muted when, for some rule, it
 * matches target_matchers and a firing alert that matches source_matchers
 * has, for every label named in equal, the same value (a missing label
 * counting as ""). An alert that matches both sides of a rule cannot be
 * muted by that rule through a source that also matches both sides (so
 * two such alerts do not mute each other, nor one itself).
 *
 * Cost: sources are indexed per rule by the values of their equal labels
 * (an exact key, hashed), with those that also match the target side kept
 * apart, so a check costs, per rule, the target and source matchers and a
 * lookup, whatever the number of firing alerts; adding or removing an
 * alert costs the same. Only sources are kept: memory is a few hundred
 * bytes per firing alert and rule that it is a source of, nothing for the
 * others.
 *
 * Memory: json_t labels are borrowed by the calls (the set keeps its own
 * reference). Threads: aiops_inhibit_muted() may run on many threads at
 * once while no thread changes the set.
 */
#ifndef AIOPS_NOTIFY_INHIBIT_H
#define AIOPS_NOTIFY_INHIBIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct aiops_conf;
struct aiops_inhibit;

/*
 * The rules of list (an array, or NULL for none) found at the dotted path
 * in cfg (for messages; cfg may be NULL), and an empty set of firing
 * alerts. NULL on error, with err "where: path: what".
 */
struct aiops_inhibit *aiops_inhibit_build(const json_t *list, const struct aiops_conf *cfg,
    const char *path, char *err, size_t errlen);
void aiops_inhibit_free(struct aiops_inhibit *ih);
/* Number of rules. */
size_t aiops_inhibit_rules(const struct aiops_inhibit *ih);
/* Number of alerts in the set: those firing that are sources of a rule. */
size_t aiops_inhibit_size(const struct aiops_inhibit *ih);

/*
 * Records the alert id (idlen bytes, any bytes: its fingerprint) as firing
 * with these labels (an object) until ends_at (ns; 0: no end), replacing
 * what id had.
 */
void aiops_inhibit_set(struct aiops_inhibit *ih, const char *id, size_t idlen,
    const json_t *labels, int64_t ends_at);
/* The alert id resolved or gone: 1 when it was in the set, else 0. */
int aiops_inhibit_unset(struct aiops_inhibit *ih, const char *id, size_t idlen);
/*
 * Unsets the alerts whose end is at or before now (ns), as the set learns
 * of no resolution that only time brings: how many. Each end costs
 * O(log n) once, kept in a heap.
 */
size_t aiops_inhibit_expire(struct aiops_inhibit *ih, int64_t now);

/*
 * 1 when an alert with these labels is muted at now (ns) by the firing
 * set, else 0; a source whose end is at or before now does not count
 * (inhibit.go hasEqual: a.ResolvedAt(now)), expired or not. With by not
 * NULL, *by is set to the id of one alert that mutes it (NUL terminated,
 * valid until that alert is set or unset again), and *bylen to its
 * length, as Alertmanager records inhibitedBy.
 */
int aiops_inhibit_muted(const struct aiops_inhibit *ih, const json_t *labels, int64_t now,
    const char **by, size_t *bylen);

#endif
