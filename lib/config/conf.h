/*
 * conf.h: the YAML configuration (libyaml), loaded into a jansson tree.
 *
 * Search order: see aiops_path_config(). Environment variables override
 * keys: AIOPS__INGEST__MAX_LINE=4096 sets ingest.max_line (path parts
 * separated by two underscores, lower-cased). Scalars are loaded as
 * strings (an empty, "~" or "null" plain scalar as null) and mappings as
 * objects; aiops_conf_validate() (schema.h) then checks every key and
 * turns each value into its type, which the getters below read. Every
 * value remembers where it was set (file:line, the variable's name, or the
 * command line option), for messages.
 */
#ifndef AIOPS_CONF_H
#define AIOPS_CONF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct aiops_conf;

/*
 * Loads the configuration for opt (--config or NULL), the environment's
 * AIOPS__* variables over it, unchecked. No file found is not an error:
 * the result is empty but for the environment. On error returns NULL and
 * fills err ("file:line: what", or "AIOPS__X__Y: what").
 */
struct aiops_conf *aiops_conf_load(const char *opt, char *err, size_t errlen);
/* Parses YAML text (name is used in messages), then the environment. */
struct aiops_conf *aiops_conf_parse(const char *name, const char *text,
    size_t len, char *err, size_t errlen);
void aiops_conf_free(struct aiops_conf *cfg);
/* The file it came from, or NULL when built-in defaults are in use. */
const char *aiops_conf_file(const struct aiops_conf *cfg);
/* The whole tree (borrowed): an object. */
json_t *aiops_conf_root(const struct aiops_conf *cfg);
/* A value by dotted path "detect.sensitivity" (borrowed), or NULL. */
json_t *aiops_conf_get(const struct aiops_conf *cfg, const char *path);
/*
 * Sets the dotted path to value (stolen), creating the mappings on the way;
 * origin ("--poll") is where it was set, for messages.
 */
void aiops_conf_set(struct aiops_conf *cfg, const char *path, json_t *value,
    const char *origin);
/*
 * Checked values (see aiops_conf_validate()): def when the key is unset
 * (or holds another type, which a checked key does not).
 */
const char *aiops_conf_string(const struct aiops_conf *cfg, const char *path,
    const char *def);
int aiops_conf_bool(const struct aiops_conf *cfg, const char *path, int def);
/* An integer or size key. */
long long aiops_conf_int(const struct aiops_conf *cfg, const char *path, long long def);
double aiops_conf_number(const struct aiops_conf *cfg, const char *path, double def);
/* A duration key, in nanoseconds. */
int64_t aiops_conf_duration(const struct aiops_conf *cfg, const char *path, int64_t def);
/* state.group: the group that may share the state file, or NULL if unset. */
const char *aiops_conf_state_group(const struct aiops_conf *cfg);
/* The line a key was defined on in the file, or 0 (set elsewhere, unset). */
int aiops_conf_line(const struct aiops_conf *cfg, const char *path);
/*
 * Where path, or the nearest mapping above it, was set: "file:line", the
 * environment variable ("AIOPS__DETECT__SENSITIVITY") or the option
 * ("--sensitivity"); the file alone when none is known. Returns buf.
 */
const char *aiops_conf_where(const struct aiops_conf *cfg, const char *path,
    char *buf, size_t len);

#endif
