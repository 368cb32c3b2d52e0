/*
 * route.h: Alertmanager's routing tree, built from aiops-notify's
 * configuration (notify.route), and the keys of the groups it makes.
 *
 * Sources: prometheus/alertmanager docs/configuration.md (<route>, the
 * root's rules), config/config.go (Route.UnmarshalYAML: what is checked),
 * dispatch/route.go (NewRoute: defaults and inheritance; Match; Key; ID),
 * dispatch/dispatch.go (getGroupLabels, aggrGroup.GroupKey),
 * prometheus/common model/labelset.go (LabelSet.String). See
 * /work/shared/PEERS.md section 1.
 *
 * A route is a mapping of
 *   receiver               string; unset or "" inherits the parent's
 *   group_by               list of label names; ['...'] groups by every
 *                          label; unset or [] inherits
 *   continue               bool (true/false, yes/no, on/off); default false
 *   matchers               list of matcher texts (lib/match/matcher.h),
 *                          ANDed: `severity="critical"`, `team=~"db|web"`
 *   match, match_re        deprecated maps label: value and label: regex,
 *                          turned into = and =~ matchers; a match_re regex
 *                          is kept as Alertmanager keeps it, "^(?:re)$",
 *                          so keys print the same
 *   group_wait             duration (lib/core/timeutil.h), default 30s
 *   group_interval         duration > 0, default 5m
 *   repeat_interval        duration > 0, default 4h
 *   mute_time_intervals, active_time_intervals
 *                          lists of names of notify.time_intervals
 *   routes                 list of child routes
 * Children inherit receiver, group_by, group_wait, group_interval and
 * repeat_interval from their parent when unset; matchers, continue and the
 * time intervals are each route's own (NewRoute assigns them, never copies
 * them). The root must name a receiver and may have no matchers and no
 * time intervals (config.go). A receiver or time interval that is not
 * defined is an error when the caller gives the names defined.
 *
 * Deliberate differences: a duration may also be a bare number of seconds
 * (aiops' duration syntax; Alertmanager wants a unit); a label name is any
 * non-empty UTF-8 text, as Alertmanager's UTF-8 mode; regexes are PCRE2
 * (matcher.h). Not supported: main's templated route `labels`.
 *
 * Errors: NULL, and err (errlen bytes, NUL-terminated) holds
 * "where: path: what" with where from aiops_conf_where() ("aiops.yaml:12")
 * and path the dotted path of the mistake, list items by index:
 *   aiops.yaml:14: notify.route.routes.1.matchers.0: matcher 'a=~"("': ...
 *   aiops.yaml:9: notify.route.routes.0: unknown field 'recevier'
 * Nothing is printed. Values in the tree may be YAML's strings (as
 * lib/config loads them) or JSON's numbers and booleans.
 *
 * Memory: a tree owns its routes; json_t arguments are borrowed. Threads:
 * a built tree is read-only; matching and keys may run on many threads.
 */
#ifndef AIOPS_NOTIFY_ROUTE_H
#define AIOPS_NOTIFY_ROUTE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct aiops_conf;
struct aiops_match;

#define AIOPS_ROUTE_GROUP_WAIT		(30LL * 1000000000)	/* ns, 30s */
#define AIOPS_ROUTE_GROUP_INTERVAL	(300LL * 1000000000)	/* ns, 5m */
#define AIOPS_ROUTE_REPEAT_INTERVAL	(14400LL * 1000000000)	/* ns, 4h */
/* Deepest route nesting accepted. */
#define AIOPS_ROUTE_MAX_DEPTH		64

/* A route of a built tree: read-only for callers. Durations in ns. */
struct aiops_route {
	const struct aiops_route	*parent;	/* NULL for the root */
	struct aiops_route		**routes;	/* children, in order */
	size_t				 nroutes;
	size_t				 index;		/* among the parent's routes */
	int				 depth;		/* 0 for the root */
	char				*receiver;	/* own or inherited */
	struct aiops_match		*matchers;	/* own; empty: every alert */
	char				**group_by;	/* sorted, unique */
	size_t				 ngroup_by;
	int				 group_by_all;	/* group_by: ['...'] */
	int				 cont;		/* continue */
	int64_t				 group_wait;
	int64_t				 group_interval;
	int64_t				 repeat_interval_set;	/* as written or inherited */
	/*
	 * What the program waits between repeats: repeat_interval_set
	 * rounded up to a multiple of group_interval, since Alertmanager
	 * only sends at a group_interval tick.
	 */
	int64_t				 repeat_interval;
	char				**mute_time_intervals;
	size_t				 nmute;
	char				**active_time_intervals;
	size_t				 nactive;
	/*
	 * Alertmanager's Route.Key(): the parent's key, "/", then this
	 * route's matchers sorted as text: {} for the root,
	 * {}/{team="db"} below it. Two routes may share a key.
	 */
	char				*key;
	/*
	 * Alertmanager's Route.ID(): the key with each route's index among
	 * its siblings, {}/{team="db"}/0: unique in the tree and the same
	 * after a reload of the same tree (the state keys groups by it).
	 */
	char				*id;
	char				*path;		/* notify.route.routes.0 */
};

struct aiops_route_tree;

/*
 * Builds the tree whose root is route (a mapping), found at the dotted
 * path in cfg (for messages; cfg may be NULL: messages then give the path
 * alone). receivers and time_intervals are arrays of the names defined
 * (aiops_route_names()), or NULL to skip that check.
 */
struct aiops_route_tree *aiops_route_build(const json_t *route, const struct aiops_conf *cfg,
    const char *path, const json_t *receivers, const json_t *time_intervals, char *err,
    size_t errlen);
void aiops_route_tree_free(struct aiops_route_tree *t);

/*
 * The names defined by a list of mappings with a `name` (Alertmanager's
 * receivers and time_intervals) or by a mapping keyed by name: a new
 * array of strings in order. NULL list: an empty array. A missing, empty
 * or repeated name, or an item not a mapping, is an error (NULL, err
 * "where: path.N: what").
 */
json_t *aiops_route_names(const json_t *list, const struct aiops_conf *cfg, const char *path,
    char *err, size_t errlen);

/*
 * The matchers of a mapping from its fields PREFIXmatchers (a list of
 * matcher texts), PREFIXmatch and PREFIXmatch_re (the deprecated maps, as
 * for a route): prefix "" for a route, "source_" or "target_" for an
 * inhibition rule. None of them: the empty set, which matches every
 * alert. A new match, or NULL with err as aiops_route_build()'s.
 */
struct aiops_match *aiops_route_matchers(const json_t *node, const char *prefix,
    const struct aiops_conf *cfg, const char *path, char *err, size_t errlen);

const struct aiops_route *aiops_route_root(const struct aiops_route_tree *t);
/* Number of routes; a match never returns more. */
size_t aiops_route_count(const struct aiops_route_tree *t);
/* The i-th route depth-first, parents before children (i < count). */
const struct aiops_route *aiops_route_at(const struct aiops_route_tree *t, size_t i);
/* The route whose id is id, or NULL (after a reload: gone). */
const struct aiops_route *aiops_route_find(const struct aiops_route_tree *t, const char *id);

/*
 * The routes that take an alert with these labels (an object; a missing
 * label is ""), as Route.Match: depth-first from the root; a route whose
 * matchers fail takes nothing below it; the first matching child stops
 * the search among its siblings unless it has continue; a route none of
 * whose children match takes the alert itself. out has room for
 * aiops_route_count() routes; returns how many it holds, at least 1 (the
 * root matches every alert), in the tree's order.
 */
size_t aiops_route_match(const struct aiops_route_tree *t, const json_t *labels,
    const struct aiops_route **out);

/*
 * The group labels of an alert on route r (getGroupLabels): the alert's
 * labels named in group_by (every label with group_by_all); a label the
 * alert lacks is left out. A new object.
 */
json_t *aiops_route_group_labels(const struct aiops_route *r, const json_t *labels);
/*
 * A label set as prometheus/common's LabelSet.String(): names sorted
 * bytewise, name="value" joined by ", " in braces, values quoted as Go's
 * strconv.Quote (\" \\ \n \t..., \xNN for a byte not UTF-8, \u00a0 for a
 * rune Go does not print). A value that is not a string is its JSON text.
 * A new string.
 */
char *aiops_route_labels_text(const json_t *labels);
/*
 * The group key of an alert on r, as aggrGroup.GroupKey(): r's key, ":",
 * the group labels' text: {}/{team="db"}:{alertname="X", env="prod"}.
 * A new string.
 */
char *aiops_route_group_key(const struct aiops_route *r, const json_t *labels);

#endif
