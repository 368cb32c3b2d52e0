/*
 * persona.c: the personas of share/personas (default, platform-ops,
 * gpu-expert, network-cnf, telco-5g): text that tells a model whom it
 * speaks to, and two settings read from their "# style:" and
 * "# autonomy:" lines, which ask.style and ask.autonomy override. The
 * style also sets how many rows the offline engine's tables show.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "config/conf.h"
#include "core/xmalloc.h"
#include "tool/log.h"

#ifndef PERSONADIR
#define PERSONADIR	"/usr/local/share/aiops/personas"
#endif

static const char *const styles[] = { "concise", "balanced", "detailed", NULL };
static const char *const autonomies[] = { "cautious", "balanced", "autonomous", NULL };

static const char *
one_of(const char *v, const char *const *list, const char *dflt)
{
	size_t i;

	for (i = 0; v != NULL && list[i] != NULL; i++)
		if (strcmp(v, list[i]) == 0)
			return list[i];
	return dflt;
}

/* "# key: value" of a persona's header into out. */
static void
header(const char *line, const char *key, char *out, size_t size)
{
	size_t n = strlen(key);

	line += strspn(line, "# ");
	if (strncmp(line, key, n) == 0 && line[n] == ':') {
		line += n + 1;
		line += strspn(line, " \t");
		snprintf(out, size, "%.*s", (int)strcspn(line, " \t\r\n"), line);
	}
}

int
ask_persona_load(struct ask *a, const char *name, char *err, size_t errlen)
{
	char path[4096], style[32] = "", autonomy[32] = "", *line = NULL;
	struct aiops_buf text;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	if (name == NULL)
		name = aiops_conf_string(a->cli.cfg, "ask.persona", "default");
	if (strchr(name, '/') != NULL)
		snprintf(path, sizeof(path), "%s", name);
	else if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(name))
		snprintf(path, sizeof(path), "%s/%s.txt", PERSONADIR, name);
	else {
		snprintf(err, errlen, "persona %s: a name of share/personas, or a file", name);
		return -1;
	}
	aiops_buf_init(&text);
	if ((fp = fopen(path, "r")) == NULL) {
		/* The built-in default needs no file; another name must have one. */
		if (strcmp(name, "default") != 0) {
			snprintf(err, errlen, "persona %s: %s: not found", name, path);
			return -1;
		}
	} else {
		while ((n = getline(&line, &cap, fp)) != -1) {
			if (line[0] == '#') {
				header(line, "style", style, sizeof(style));
				header(line, "autonomy", autonomy, sizeof(autonomy));
			} else {
				aiops_buf_add(&text, line, (size_t)n);
			}
		}
		free(line);
		fclose(fp);
	}
	free(a->persona);
	free(a->persona_text);
	a->persona = xstrdup(name);
	a->persona_text = xstrdup(aiops_buf_cstr(&text));
	aiops_buf_release(&text);
	a->style = one_of(aiops_conf_string(a->cli.cfg, "ask.style", style), styles, "concise");
	a->autonomy = one_of(aiops_conf_string(a->cli.cfg, "ask.autonomy", autonomy), autonomies,
	    "cautious");
	a->table_rows = strcmp(a->style, "concise") == 0 ? 10 :
	    strcmp(a->style, "balanced") == 0 ? 20 : 50;
	return 0;
}

/* What the style and autonomy ask of a model, a sentence each. */
const char *
ask_persona_rules(const struct ask *a)
{
	if (strcmp(a->style, "detailed") == 0)
		return strcmp(a->autonomy, "autonomous") == 0 ?
		    "Explain your reasoning with every relevant number. You may propose a playbook "
		    "with propose_playbook when one fits; a person still approves it." :
		    "Explain your reasoning with every relevant number. Suggest actions, but never "
		    "propose one to run: a person decides.";
	if (strcmp(a->style, "balanced") == 0)
		return strcmp(a->autonomy, "cautious") == 0 ?
		    "Answer in a short paragraph, then the evidence. Suggest actions; a person decides." :
		    "Answer in a short paragraph, then the evidence. You may propose a playbook with "
		    "propose_playbook; a person approves it.";
	return strcmp(a->autonomy, "autonomous") == 0 ?
	    "Answer in at most three sentences. You may propose a playbook with propose_playbook; "
	    "a person approves it." :
	    "Answer in at most three sentences. Suggest an action only when the data points to one.";
}
