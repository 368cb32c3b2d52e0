/*
 * ruleindex.h: which of many rules an event can match, without trying
 * them all. Most rules name exact values (type equals prediction, name
 * equals disk_used_percent): each rule is filed under the values of the
 * two of its equals criteria whose paths tell rules apart best (of one
 * when it has one), and an event is tried only against the rules filed
 * under its own values at those paths, and the rules with no equals
 * criterion.
 * The answer is the same as trying every rule (tests/unit/t_ruleindex
 * checks it on random rules and events); only the work differs.
 */
#ifndef AIOPS_RUN_RULEINDEX_H
#define AIOPS_RUN_RULEINDEX_H

#include <jansson.h>
#include <stddef.h>

#include "run/rule.h"

struct aiops_rule_index;

/* An index of rs (borrowed: it must outlive the index). */
struct aiops_rule_index *aiops_rule_index_new(const struct aiops_ruleset *rs);
void aiops_rule_index_free(struct aiops_rule_index *x);
/*
 * The rules event may match, as indexes into rs->v in increasing order,
 * into out (room for rs->n). Returns how many. Each must still be tried
 * with aiops_rule_matches().
 */
size_t aiops_rule_index_candidates(const struct aiops_rule_index *x, const json_t *event,
    size_t *out);

#endif
