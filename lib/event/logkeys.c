#include "compat.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/logtime.h"
#include "core/timeutil.h"
#include "event/logkeys.h"
#include "event/severity.h"

#define KEY_MAX		128	/* longest dotted-path part */
#define LOGFMT_REACH	96	/* logfmt keys are looked for this far into a line */

static const char *const names[AIOPS_LOGKEY_COUNT] = {
	"ts", "message", "severity", "host", "service",
};

static const char *const usual[AIOPS_LOGKEY_COUNT][6] = {
	{ "time", "timestamp", "@timestamp", "ts", NULL },
	{ "msg", "message", "log", "text", NULL },
	{ "level", "severity", "lvl", "log.level", NULL },
	{ "host", "hostname", NULL },
	{ "service", "app", "logger", "component", NULL },
};

const char *
aiops_logkeys_name(enum aiops_logkey f)
{
	return names[f];
}

json_t *
aiops_logkeys_lookup(json_t *o, const char *key)
{
	const char *dot;
	char part[KEY_MAX];
	json_t *v;

	if ((v = json_object_get(o, key)) != NULL)
		return v;
	if ((dot = strchr(key, '.')) == NULL || (size_t)(dot - key) >= sizeof(part))
		return NULL;
	memcpy(part, key, (size_t)(dot - key));
	part[dot - key] = '\0';
	v = json_object_get(o, part);
	return json_is_object(v) ? aiops_logkeys_lookup(v, dot + 1) : NULL;
}

json_t *
aiops_logkeys_find(json_t *o, enum aiops_logkey f, const char **key)
{
	json_t *v;
	size_t i;

	for (i = 0; usual[f][i] != NULL; i++) {
		v = aiops_logkeys_lookup(o, usual[f][i]);
		if (json_is_string(v) || (json_is_number(v) &&
		    (f == AIOPS_LOGKEY_TS || f == AIOPS_LOGKEY_SEVERITY))) {
			*key = usual[f][i];
			return v;
		}
	}
	return NULL;
}

int
aiops_logkeys_level(const json_t *v)
{
	/* trace, debug, info, warn, error, fatal */
	static const unsigned char pino[] = {
		AIOPS_SEV_DEBUG, AIOPS_SEV_DEBUG, AIOPS_SEV_INFO, AIOPS_SEV_WARNING,
		AIOPS_SEV_ERR, AIOPS_SEV_CRIT,
	};
	json_int_t l;

	if (json_is_string(v))
		return aiops_severity_parse(json_string_value(v), json_string_length(v));
	if (!json_is_integer(v))
		return -1;
	l = json_integer_value(v);
	if (l >= 0 && l <= 7)
		return (int)l;
	if (l >= 10 && l <= 60 && l % 10 == 0)
		return pino[l / 10 - 1];
	return -1;
}

/*
 * The decimals of x that a double really holds (DBL_DIG significant
 * digits): 1795172317.391 is written 1795172317.39100, not with the
 * binary noise of %.9f (.391000032).
 */
static int
real_decimals(double x)
{
	int whole = fabs(x) < 1 ? 1 : (int)log10(fabs(x)) + 1;

	return whole < DBL_DIG ? DBL_DIG - whole : 0;
}

int
aiops_json_time(const json_t *v, enum aiops_time_unit unit, int64_t *ns)
{
	char num[64];
	int n;

	if (json_is_string(v))
		return aiops_time_parse(json_string_value(v), json_string_length(v), ns);
	if (json_is_integer(v))
		n = snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v) && fabs(json_real_value(v)) < 1e19)
		n = snprintf(num, sizeof(num), "%.*f", real_decimals(json_real_value(v)),
		    json_real_value(v));
	else
		return -1;
	if (n < 0 || (size_t)n >= sizeof(num))
		return -1;
	return aiops_time_from_epoch(num, (size_t)n, unit, ns);
}

int
aiops_logkeys_time(const json_t *v, int64_t ref, int64_t *ns)
{
	if (aiops_json_time(v, AIOPS_TU_AUTO, ns) == 0)
		return 0;
	if (!json_is_string(v))
		return -1;
	return aiops_logtime_parse(json_string_value(v), json_string_length(v), ref,
	    AIOPS_LOGTIME_HEADER, ns);
}

size_t
aiops_logkeys_logfmt(const char *s, size_t n, const char *key, const char **v)
{
	size_t kl = strlen(key), lim = n < LOGFMT_REACH ? n : LOGFMT_REACH, p = 0, k, e;
	const char *eq;
	int quoted;

	/* from '=' to '=' (most lines have none), the key just before it */
	while (p < lim && (eq = memchr(s + p, '=', lim - p)) != NULL) {
		p = (size_t)(eq - s) + 1;
		k = p - 1 - kl;		/* where the key would start */
		if (p - 1 < kl || memcmp(s + k, key, kl) != 0 ||
		    (k > 0 && s[k - 1] != ' ' && s[k - 1] != '\t'))
			continue;
		if ((quoted = p < n && s[p] == '"'))
			p++;
		for (e = p; e < n && s[e] != '"' && (quoted || (s[e] != ' ' && s[e] != '\t')); e++)
			;
		*v = s + p;
		return e - p;
	}
	return 0;
}

int
aiops_logkeys_logfmt_time(const char *s, size_t n, int64_t ref, int64_t *ns)
{
	const char *v;
	size_t vl;

	if ((vl = aiops_logkeys_logfmt(s, n, "ts", &v)) == 0 &&
	    (vl = aiops_logkeys_logfmt(s, n, "time", &v)) == 0)
		return -1;
	return aiops_logtime_parse(v, vl, ref, AIOPS_LOGTIME_HEADER, ns);
}

int
aiops_logkeys_logfmt_level(const char *s, size_t n)
{
	static const char *const keys[] = { "level", "lvl", "severity" };
	const char *v;
	size_t i, vl;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((vl = aiops_logkeys_logfmt(s, n, keys[i], &v)) > 0)
			return aiops_severity_parse(v, vl);
	return -1;
}
