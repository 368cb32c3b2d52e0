/*
 * chat.c: the tool-calling loop with a model (ask.h says what it does).
 */
#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "ask.h"
#include "config/conf.h"

int
ask_chat_configured(const struct ask *a)
{
	const char *b = aiops_conf_string(a->cli.cfg, "ask.backend", "none");

	return b != NULL && strcmp(b, "none") != 0;
}

int
ask_chat(struct ask *a, const char *question, int json, char *err, size_t errlen)
{
	(void)a;
	(void)question;
	(void)json;
	snprintf(err, errlen, "the model is not wired yet");
	return 1;
}
