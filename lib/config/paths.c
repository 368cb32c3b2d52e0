#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/paths.h"
#include "core/xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* $xdg/<rel>, or $HOME/<fallback>/<rel>. */
static char *
xdg_path(const char *xdg, const char *fallback, const char *rel)
{
	const char *base = env(xdg), *home;
	char *p;

	if (base != NULL) {
		xasprintf(&p, "%s/%s", base, rel);
		return p;
	}
	home = env("HOME");
	if (home == NULL)
		return NULL;
	xasprintf(&p, "%s/%s/%s", home, fallback, rel);
	return p;
}

char *
aiops_path_state(const char *opt)
{
	const char *v;
	char *p;

	if (opt != NULL)
		return xstrdup(opt);
	if ((v = env("AIOPS_STATE")) != NULL)
		return xstrdup(v);
	if ((v = env("STATE_DIRECTORY")) != NULL) {
		/* systemd may list several directories, colon-separated. */
		size_t n = strcspn(v, ":");

		xasprintf(&p, "%.*s/state.db", (int)n, v);
		return p;
	}
	return xdg_path("XDG_STATE_HOME", ".local/state", "aiops/state.db");
}

char *
aiops_path_config(const char *opt, int *explicit)
{
	const char *v;
	char *p;

	*explicit = 1;
	if (opt != NULL)
		return xstrdup(opt);
	if ((v = env("AIOPS_CONFIG")) != NULL)
		return xstrdup(v);
	*explicit = 0;
	p = xdg_path("XDG_CONFIG_HOME", ".config", "aiops/aiops.yaml");
	if (p != NULL && access(p, F_OK) == 0)
		return p;
	free(p);
	p = xstrdup(SYSCONFDIR "/aiops/aiops.yaml");
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return NULL;
}

int
aiops_mkdirs_for(const char *path, int mode)
{
	char *dir = xstrdup(path), *s;
	int rc = 0;

	for (s = dir + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(dir, (mode_t)mode) == -1 && errno != EEXIST) {
			rc = -1;
			break;
		}
		*s = '/';
	}
	free(dir);
	return rc;
}
