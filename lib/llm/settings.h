/*
 * settings.h: the model client's settings from the ask section of the
 * configuration (aiops(7)), for aiops-ask and aiops-detect --explain.
 *
 * A program checks only the shared sections and its own (config/schema.h):
 * in aiops-detect the ask section is as loaded, its scalars strings. Each
 * value is taken here as the schema types it, parsed when it is still a
 * string, so the same settings come out in either program, and a value of
 * the wrong type is an error that says where it was set (never the value).
 */
#ifndef AIOPS_LLM_SETTINGS_H
#define AIOPS_LLM_SETTINGS_H

#include <stddef.h>

#include "llm/chat.h"

struct aiops_conf;

#define AIOPS_LLM_KEY_MAX	1024	/* bytes of an API key, with its NUL */

struct aiops_llm_settings {
	/*
	 * For aiops_llm_new(): url and model borrowed from the configuration
	 * (valid while it is), api_key pointing into key (or NULL); timeout,
	 * retries and rate from ask.timeout, ask.retries, ask.rate;
	 * temperature 0; seed 0 (the caller's to set).
	 */
	struct aiops_llm_config	 llm;
	const char		*backend;	/* "none", "ollama", "openai" */
	/*
	 * The redactor's kinds (llm/redactor.h): AIOPS_REDACT_DEFAULT, with
	 * AIOPS_REDACT_HOST for ask.redact.hostnames; 0 when
	 * ask.redact.enabled is false.
	 */
	unsigned		 redact;
	char			 key[AIOPS_LLM_KEY_MAX];	/* secret: "" for none */
};

/*
 * Fills s from cfg's ask section: the key from ask.key_file (a file only
 * its owner may read), else from the variable named by ask.key_env. 1 when
 * a model is configured (ask.backend ollama or openai, with a URL, Ollama's
 * default http://127.0.0.1:11434 else ask.url, and ask.model), 0 when
 * ask.backend is none or unset (then only s->backend is set), -1 with
 * "where: what" in err when a setting is wrong or missing or the key file
 * cannot be read. Wipe s with aiops_llm_settings_wipe() once the client
 * is made.
 */
int aiops_llm_settings_from(const struct aiops_conf *cfg, struct aiops_llm_settings *s,
    char *err, size_t errlen);
/* Wipes the key (explicit_bzero()). */
void aiops_llm_settings_wipe(struct aiops_llm_settings *s);

#endif
