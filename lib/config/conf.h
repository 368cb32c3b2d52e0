/*
 * conf.h: the YAML configuration (libyaml), loaded into a jansson tree.
 *
 * Search order: see aiops_path_config(). Environment variables override
 * keys: AIOPS__INGEST__MAX_LINE=4096 sets ingest.max_line (path parts
 * separated by two underscores, lower-cased). Scalars are kept as strings
 * unless plainly numbers or booleans; getters convert. Every key remembers
 * its line, so aiops_conf_check() can name file:line of an unknown key.
 */
#ifndef AIOPS_CONF_H
#define AIOPS_CONF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct aiops_conf;

/*
 * Loads the configuration for opt (--config or NULL). No file found is not
 * an error: the result is empty. On error returns NULL and fills err
 * ("file:line: what").
 */
struct aiops_conf *aiops_conf_load(const char *opt, char *err, size_t errlen);
/* Parses YAML text (name is used in messages). For tests and fuzzing. */
struct aiops_conf *aiops_conf_parse(const char *name, const char *text,
    size_t len, char *err, size_t errlen);
void aiops_conf_free(struct aiops_conf *cfg);
/* The file it came from, or NULL when built-in defaults are in use. */
const char *aiops_conf_file(const struct aiops_conf *cfg);
/* The whole tree (borrowed): an object. */
json_t *aiops_conf_root(const struct aiops_conf *cfg);
/* A value by dotted path "detect.sensitivity" (borrowed), or NULL. */
json_t *aiops_conf_get(const struct aiops_conf *cfg, const char *path);
const char *aiops_conf_string(const struct aiops_conf *cfg, const char *path,
    const char *def);
/* Numbers, booleans and durations; -1 with err filled when the value is bad. */
int aiops_conf_number(const struct aiops_conf *cfg, const char *path,
    double def, double *out, char *err, size_t errlen);
int aiops_conf_bool(const struct aiops_conf *cfg, const char *path,
    int def, int *out, char *err, size_t errlen);
int aiops_conf_duration(const struct aiops_conf *cfg, const char *path,
    int64_t def, int64_t *out, char *err, size_t errlen);
/*
 * Checks the keys under section against allowed, a NULL-terminated list
 * of dotted paths relative to it where "*" matches any one key. -1 with
 * "file:line: unknown key 'x.y'" in err when one is not allowed.
 */
int aiops_conf_check(const struct aiops_conf *cfg, const char *section,
    const char *const *allowed, char *err, size_t errlen);
/* The line a key was defined on, or 0 (environment, unknown). */
int aiops_conf_line(const struct aiops_conf *cfg, const char *path);

#endif
