/*
 * settings.c: the model client's settings from the ask section (settings.h).
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf.h"
#include "config/schema.h"
#include "core/errf.h"
#include "llm/settings.h"
#include "llm/redactor.h"
#include "net/secret.h"

/*
 * The value at path as its key's type: set in *v (a new reference, NULL
 * when unset). A string not yet checked (another program's section) is
 * parsed now. 0, or -1 with err.
 */
static int
typed(const struct aiops_conf *cfg, const char *path, json_t **v, char *err, size_t errlen)
{
	const struct aiops_conf_key *k = aiops_conf_key_find(path);
	json_t *raw = aiops_conf_get(cfg, path);
	char why[256], where[512];

	*v = NULL;
	if (raw == NULL || json_is_null(raw))
		return 0;
	if (k != NULL && json_is_string(raw) &&
	    (*v = aiops_conf_value(k, json_string_value(raw), why, sizeof(why))) != NULL)
		return 0;
	if (k != NULL && !json_is_string(raw) && k->type != AIOPS_CONF_STRING &&
	    k->type != AIOPS_CONF_ENUM) {
		*v = json_incref(raw);	/* checked already */
		return 0;
	}
	if (k == NULL)
		snprintf(why, sizeof(why), "no such key");
	else if (!json_is_string(raw))
		aiops_conf_expected(k, why, sizeof(why));
	aiops_errf(err, errlen, "%s: %s: %s", aiops_conf_where(cfg, path, where, sizeof(where)),
	    path, why);
	return -1;
}

/* The settings but the key; -1 with err when one is not of its type. */
static int
read_values(const struct aiops_conf *cfg, struct aiops_llm_settings *s, const char **kf,
    const char **ke, char *err, size_t errlen)
{
	static const char *const paths[] = { "ask.backend", "ask.url", "ask.model",
	    "ask.key_file", "ask.key_env", "ask.timeout", "ask.retries", "ask.rate",
	    "ask.redact.enabled", "ask.redact.hostnames" };
	json_t *v[sizeof(paths) / sizeof(paths[0])];
	size_t i, n = sizeof(paths) / sizeof(paths[0]);
	int rc = 0;

	for (i = 0; i < n; i++)
		if (rc == -1 || typed(cfg, paths[i], &v[i], err, errlen) == -1) {
			v[i] = NULL;
			rc = -1;
		}
	if (rc == 0) {
		/* The strings stay in cfg: the parsed copies go below. */
		s->backend = v[0] != NULL ? json_string_value(aiops_conf_get(cfg, paths[0])) : "none";
		s->llm.url = v[1] != NULL ? json_string_value(aiops_conf_get(cfg, paths[1])) : NULL;
		s->llm.model = v[2] != NULL ? json_string_value(aiops_conf_get(cfg, paths[2])) : NULL;
		*kf = v[3] != NULL ? json_string_value(aiops_conf_get(cfg, paths[3])) : NULL;
		*ke = v[4] != NULL ? json_string_value(aiops_conf_get(cfg, paths[4])) : NULL;
		s->llm.timeout_ms = v[5] != NULL ? (long)(json_integer_value(v[5]) / 1000000) : 120000;
		s->llm.retries = v[6] != NULL ? (int)json_integer_value(v[6]) : 2;
		s->llm.rate_per_min = v[7] != NULL ? json_number_value(v[7]) : 0;
		s->redact = v[8] == NULL || json_is_true(v[8]) ? AIOPS_REDACT_DEFAULT : 0;
		if (s->redact != 0 && v[9] != NULL && json_is_true(v[9]))
			s->redact |= AIOPS_REDACT_HOST;
	}
	for (i = 0; i < n; i++)
		json_decref(v[i]);
	return rc;
}

int
aiops_llm_settings_from(const struct aiops_conf *cfg, struct aiops_llm_settings *s,
    char *err, size_t errlen)
{
	const char *kf = NULL, *ke = NULL;
	char where[512];

	memset(s, 0, sizeof(*s));
	s->backend = "none";
	if (read_values(cfg, s, &kf, &ke, err, errlen) == -1)
		return -1;
	s->llm.api = aiops_llm_api_parse(s->backend);
	if (s->llm.api == AIOPS_LLM_NONE)
		return 0;
	if (s->llm.url == NULL && s->llm.api == AIOPS_LLM_OLLAMA)
		s->llm.url = "http://127.0.0.1:11434";
	if (s->llm.url == NULL || s->llm.model == NULL) {
		aiops_errf(err, errlen, "%s: ask.backend %s needs ask.%s",
		    aiops_conf_where(cfg, "ask.backend", where, sizeof(where)), s->backend,
		    s->llm.url == NULL ? "url" : "model");
		return -1;
	}
	if (kf != NULL && aiops_secret_read_file(kf, s->key, sizeof(s->key), err, errlen) == -1)
		return -1;
	if (kf == NULL && ke != NULL && getenv(ke) != NULL &&
	    (size_t)snprintf(s->key, sizeof(s->key), "%s", getenv(ke)) >= sizeof(s->key)) {
		aiops_llm_settings_wipe(s);
		aiops_errf(err, errlen, "%s: the key is longer than %d bytes", ke,
		    AIOPS_LLM_KEY_MAX - 1);
		return -1;
	}
	s->llm.api_key = s->key[0] != '\0' ? s->key : NULL;
	s->llm.temperature = 0;
	return 1;
}

void
aiops_llm_settings_wipe(struct aiops_llm_settings *s)
{
	explicit_bzero(s->key, sizeof(s->key));
	s->llm.api_key = NULL;
}
