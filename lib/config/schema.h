/*
 * schema.h: every configuration key the toolkit knows, with its type, range
 * and a line of documentation, and the check of a loaded configuration
 * against them.
 *
 * A program checks the sections every program reads (state, log, clock)
 * and its own section (ingest, detect...); the sections of the other aiops
 * programs are left to them; any other section, and any key not in the
 * schema, is an error that says where it was set: file:line, or the name
 * of the AIOPS__SECTION__KEY variable. Messages never quote the value,
 * which may be a secret.
 */
#ifndef AIOPS_SCHEMA_H
#define AIOPS_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

struct aiops_conf;

/* The checked value of each type, as aiops_conf_validate() leaves it. */
enum aiops_conf_type {
	AIOPS_CONF_STRING,	/* a JSON string */
	AIOPS_CONF_ENUM,	/* a JSON string, one of the key's values */
	AIOPS_CONF_BOOL,	/* true or false */
	AIOPS_CONF_INT,		/* an integer in [min, max] */
	AIOPS_CONF_NUMBER,	/* a finite real in [min, max] */
	AIOPS_CONF_DURATION,	/* an integer, nanoseconds ("30s", "5m", "1h30m") */
	AIOPS_CONF_SIZE,	/* an integer, bytes in [min, max] ("4096", "64KiB") */
	AIOPS_CONF_LIST,	/* an array of strings */
	AIOPS_CONF_TREE,	/* a YAML mapping or list, left as loaded (scalars
				 * as strings): the program that reads it checks
				 * it (notify.route: lib/notify/route.h) */
};

struct aiops_conf_key {
	const char		*name;		/* below the section, dotted; a "*"
						 * part stands for any one name */
	enum aiops_conf_type	 type;
	const char		*values;	/* ENUM: the words, '|'-separated */
	double			 min, max;	/* INT, NUMBER, SIZE */
	const char		*doc;		/* one line, for aiops(7) */
};

struct aiops_conf_section {
	const char			*name;
	int				 shared;	/* read by every program */
	const struct aiops_conf_key	*keys;		/* ended by a NULL name */
};

/* The shared sections, then one per program; ended by a NULL name. */
extern const struct aiops_conf_section aiops_conf_sections[];

/* The section called name, or NULL. */
const struct aiops_conf_section *aiops_conf_section_find(const char *name);
/*
 * The key at a dotted path from the top ("detect.metrics.cpu_*.threshold"),
 * or NULL when there is none.
 */
const struct aiops_conf_key *aiops_conf_key_find(const char *path);
/*
 * "string", "enum", "bool", "integer", "number", "duration", "size", "list",
 * "tree".
 */
const char *aiops_conf_type_name(enum aiops_conf_type type);
/*
 * What key accepts, for messages: "expected a number from 0 to 1".
 * Returns buf.
 */
const char *aiops_conf_expected(const struct aiops_conf_key *key, char *buf, size_t len);
/*
 * Parses text (from a YAML scalar, the environment or the command line)
 * as a value of key: a new JSON value of its checked type, or NULL with
 * aiops_conf_expected() in why. A list is split at commas. A tree cannot
 * be written as one text: always NULL (the environment can still set a
 * scalar inside it, AIOPS__NOTIFY__ROUTE__RECEIVER).
 */
json_t *aiops_conf_value(const struct aiops_conf_key *key, const char *text,
    char *why, size_t whylen);
/*
 * Checks cfg for the program whose section is section ("ingest"): every
 * shared section and its own, each key known and its value of the key's
 * type. Values are replaced by their checked form; a null value (an empty
 * YAML value) is removed, as if unset. 0, or -1 with "where: what" in err.
 */
int aiops_conf_validate(struct aiops_conf *cfg, const char *section,
    char *err, size_t errlen);

#endif
