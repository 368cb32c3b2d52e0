/*
 * token.c: aiops-ingest token add|list|revoke|rotate, the bearer tokens of
 * the HTTP listener (lib/store/tokens.h keeps them, lib/net/token.h checks
 * them). The secret is shown once, at add or rotate: on stdout, or in a
 * new 0600 file with --out. The state keeps only its SHA-256, and nothing
 * else ever prints it: list shows ids, names, scopes and times.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cmds.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "net/token.h"
#include "store/state.h"
#include "store/tokens.h"
#include "tool/cli.h"
#include "tool/log.h"

enum {
	OPT_SCOPE = AIOPS_OPT_PROGRAM_BASE,
	OPT_EXPIRES,
	OPT_OUT,
	OPT_GRACE,
	OPT_JSON,
};

static const char synopsis[] =
    "aiops-ingest token add [--scope scope]... [--expires dur] [--out file] name\n"
    "       aiops-ingest token list [--json]\n"
    "       aiops-ingest token revoke name|id ...\n"
    "       aiops-ingest token rotate [--grace dur] [--expires dur] [--out file] name";

static const struct aiops_opt opts[] = {
	{ "scope", OPT_SCOPE, "scope", "add: write, alerts, read or * (all); repeat for more\n"
	    "(default write)" },
	{ "expires", OPT_EXPIRES, "dur", "add, rotate: the token ends this long after now (90d);\n"
	    "rotate keeps the old token's lifetime without it" },
	{ "out", OPT_OUT, "file", "add, rotate: write the token to this new file (mode 0600)\n"
	    "instead of stdout" },
	{ "grace", OPT_GRACE, "dur", "rotate: the old token still works this long (default 0)" },
	{ "json", OPT_JSON, NULL, "list: a JSON object a line" },
	AIOPS_OPT_END
};

/* The scope names in the order they are stored. */
static const char *const scope_order[] = { "*", "write", "alerts", "read" };

struct token_opts {
	int		 scope_given[4];	/* by scope_order */
	const char	*expires;
	const char	*out;
	const char	*grace;
	int		 json;
};

static void
add_scope(struct token_opts *o, const char *s)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, scope_order[i]) == 0) {
			o->scope_given[i] = 1;
			return;
		}
	fatalx(EX_USAGE, "--scope: %s: not a scope (write, alerts, read or *)", s);
}

/* The stored list: "*" alone, else the ones given in scope_order's order. */
static char *
scopes_text(const struct token_opts *o)
{
	struct aiops_buf b = AIOPS_BUF_INIT;
	size_t i;

	if (o->scope_given[0])
		return xstrdup("*");
	for (i = 1; i < 4; i++)
		if (o->scope_given[i])
			aiops_buf_addf(&b, "%s%s", b.len ? " " : "", scope_order[i]);
	if (b.len == 0)
		aiops_buf_addstr(&b, "write");
	return aiops_buf_detach(&b, NULL);
}

static void
state_fail(struct aiops_state *st, const char *doing)
{
	fatalx(aiops_state_exit_status(st), "%s: %s: %s", aiops_state_path(st), doing,
	    aiops_state_errmsg(st));
}

/* A new file for the secret, refused when anything is at path already. */
static int
out_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd == -1 && errno == EEXIST)
		fatalx(EX_CANTCREAT, "--out: %s: it exists; the token goes only to a new file",
		    path);
	if (fd == -1)
		fatal(EX_CANTCREAT, "--out: %s", path);
	if (fchmod(fd, 0600) == -1) {
		(void)unlink(path);
		fatal(EX_CANTCREAT, "--out: %s", path);
	}
	return fd;
}

/* Writes the token and a newline to fd and closes it: 0, or -1 (errno). */
static int
out_write(int fd, const char *text)
{
	char line[AIOPS_TOKEN_LEN + 2];
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int rc = 0;

	memcpy(line, text, len);
	line[len++] = '\n';
	while (off < len && rc == 0) {
		if ((n = write(fd, line + off, len - off)) > 0)
			off += (size_t)n;
		else if (n == -1 && errno != EINTR)
			rc = -1;
	}
	OPENSSL_cleanse(line, sizeof(line));
	if (rc == 0 && fsync(fd) == -1)
		rc = -1;
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

/*
 * Shows the new token once: on stdout, or into fd (the --out file, made
 * before the state changed). Exits if the file cannot be written, after
 * revoking the token no one could know.
 */
static void
reveal(struct aiops_state *st, struct aiops_token_new *t, const char *out, int fd)
{
	size_t n;
	int e;

	if (out == NULL) {
		printf("%s\n", t->text);
		if (fflush(stdout) != EOF)
			return;
	} else if (out_write(fd, t->text) == 0)
		return;
	e = errno;
	if (out != NULL)
		(void)unlink(out);
	if (aiops_tokens_revoke(st, t->id, aiops_clock_now(), &n) == -1)
		state_fail(st, "revoking the token not written");
	errno = e;
	fatal(EX_IOERR, "%s (the new token %s is revoked)", out != NULL ? out : "stdout", t->id);
}

static int
token_add(struct aiops_cli *cli, const struct token_opts *o, int argc, char **argv)
{
	struct aiops_token_new t;
	struct aiops_token_row r;
	struct aiops_state *st;
	int64_t now = aiops_clock_now();
	int fd = -1, rc;

	if (argc != 1)
		aiops_cli_usage(cli);
	if (o->grace != NULL)
		fatalx(EX_USAGE, "token add: --grace is for rotate");
	if (!aiops_token_name_ok(argv[0]))
		fatalx(EX_USAGE, "token add: %s: a name is 1 to %d letters, digits, '.', '_' or "
		    "'-', not starting with '-', and not 12 hex digits (an id)", argv[0],
		    AIOPS_TOKEN_NAME_MAX);
	memset(&r, 0, sizeof(r));
	r.name = argv[0];
	r.scopes = scopes_text(o);
	r.created = now;
	if (o->expires != NULL)
		r.expires = now + aiops_cli_duration("--expires", o->expires);
	st = aiops_cli_state(cli, 0, "");
	if (aiops_token_generate(&t) == -1)
		fatalx(EX_SOFTWARE, "token add: libcrypto gave no random bytes");
	memcpy(r.id, t.id, sizeof(r.id));
	memcpy(r.hash, t.hash, sizeof(r.hash));
	if (o->out != NULL)
		fd = out_open(o->out);
	if ((rc = aiops_tokens_add(st, &r)) != 0) {
		aiops_token_wipe(&t);
		if (fd != -1) {
			(void)close(fd);
			(void)unlink(o->out);
		}
		if (rc == -1)
			state_fail(st, "adding the token");
		fatalx(EX_DATAERR, "token add: %s: the name is taken (token list; token rotate "
		    "gives it a new secret)", r.name);
	}
	reveal(st, &t, o->out, fd);
	log_info("token %s (id %s, scopes %s) added", r.name, r.id, r.scopes);
	aiops_token_wipe(&t);
	free(r.scopes);
	aiops_state_close(st);
	return 0;
}

static void
json_time(json_t *o, const char *key, int64_t ns)
{
	char t[AIOPS_TIME_BUFSZ];

	if (ns == 0) {
		json_object_set_new(o, key, json_null());
		return;
	}
	aiops_time_format(ns, t);
	json_object_set_new(o, key, json_string(t));
}

static void
text_time(struct aiops_buf *b, int64_t ns)
{
	char t[AIOPS_TIME_BUFSZ];

	if (ns == 0) {
		aiops_buf_addf(b, "  %-24s", "-");
		return;
	}
	aiops_time_format(ns, t);
	aiops_buf_addf(b, "  %-24s", t);
}

static const char *
status_of(const struct aiops_token_row *r, int64_t now)
{
	if (r->revoked != 0)
		return "revoked";
	if (r->expires != 0 && r->expires <= now)
		return "expired";
	return "live";
}

/* One token, never its hash: a line of text or a JSON object. */
static void
print_token(const struct aiops_token_row *r, int json, int width, int64_t now)
{
	struct aiops_buf b = AIOPS_BUF_INIT;

	if (json) {
		json_t *o = json_object(), *sc = json_array();
		const char *p = r->scopes;
		size_t len;
		char *line;

		while (*p != '\0') {
			p += strspn(p, " ");
			if ((len = strcspn(p, " ")) > 0)
				json_array_append_new(sc, json_stringn(p, len));
			p += len;
		}
		json_object_set_new(o, "id", json_string(r->id));
		json_object_set_new(o, "name", json_string(r->name));
		json_object_set_new(o, "scopes", sc);
		json_object_set_new(o, "status", json_string(status_of(r, now)));
		json_time(o, "created", r->created);
		json_time(o, "expires", r->expires);
		json_time(o, "revoked", r->revoked);
		json_time(o, "last_used", r->last_used);
		line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", line);
		free(line);
		json_decref(o);
		return;
	}
	aiops_buf_addf(&b, "%s  %-*s  %-7s  %-17s", r->id, width, r->name, status_of(r, now),
	    r->scopes);
	text_time(&b, r->created);
	text_time(&b, r->expires);
	text_time(&b, r->revoked);
	text_time(&b, r->last_used);
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	aiops_buf_addc(&b, '\n');
	fputs(b.data, stdout);
	aiops_buf_release(&b);
}

static int
token_list(struct aiops_cli *cli, const struct token_opts *o, int argc)
{
	struct aiops_token_list l;
	struct aiops_state *st;
	int64_t now = aiops_clock_now();
	size_t i;
	int width = 4;

	if (argc != 0)
		aiops_cli_usage(cli);
	st = aiops_cli_state(cli, AIOPS_STATE_READONLY, "token add creates one");
	if (aiops_tokens_list(st, &l) == -1)
		state_fail(st, "reading the tokens");
	for (i = 0; i < l.n; i++)
		if ((int)strlen(l.v[i].name) > width)
			width = (int)strlen(l.v[i].name);
	if (!o->json && l.n > 0)
		printf("%-12s  %-*s  %-7s  %-17s  %-24s  %-24s  %-24s  %s\n", "ID", width, "NAME",
		    "STATUS", "SCOPES", "CREATED", "EXPIRES", "REVOKED", "LAST USED");
	for (i = 0; i < l.n; i++)
		print_token(&l.v[i], o->json, width, now);
	aiops_token_list_release(&l);
	aiops_state_close(st);
	return 0;
}

static int
token_revoke(struct aiops_cli *cli, int argc, char **argv)
{
	struct aiops_token_list l;
	struct aiops_state *st;
	int64_t now = aiops_clock_now();
	size_t n;
	int i, status = 0;

	if (argc == 0)
		aiops_cli_usage(cli);
	st = aiops_cli_state(cli, 0, "");
	for (i = 0; i < argc; i++) {
		if (aiops_tokens_revoke(st, argv[i], now, &n) == -1)
			state_fail(st, "revoking");
		if (n > 0) {
			printf("%s: revoked (%zu token%s)\n", argv[i], n, n == 1 ? "" : "s");
			continue;
		}
		if (aiops_tokens_get(st, argv[i], &l) == -1)
			state_fail(st, "reading the tokens");
		if (l.n == 0) {
			log_warnx("%s: no such token", argv[i]);
			status = EX_DATAERR;
		} else
			printf("%s: revoked already\n", argv[i]);
		aiops_token_list_release(&l);
	}
	aiops_state_close(st);
	return status;
}

/* The token to rotate: the current one of a name (or its id). Exits if none. */
static void
rotate_find(struct aiops_state *st, const char *key, struct aiops_token_list *l)
{
	if (aiops_tokens_get(st, key, l) == -1)
		state_fail(st, "reading the tokens");
	if (l->n == 0)
		fatalx(EX_DATAERR, "token rotate: %s: no such token", key);
	if (!aiops_token_name_ok(l->v[0].name))
		fatalx(EX_DATAERR, "token rotate: %s: it was rotated already (%s); rotate its "
		    "name", key, l->v[0].name);
}

static int
token_rotate(struct aiops_cli *cli, const struct token_opts *o, int argc, char **argv)
{
	struct aiops_token_list l;
	struct aiops_token_new t;
	struct aiops_token_row r, *old;
	struct aiops_state *st;
	int64_t now = aiops_clock_now(), grace = 0;
	int fd = -1, rc;
	size_t i;

	if (argc != 1)
		aiops_cli_usage(cli);
	for (i = 0; i < 4; i++)
		if (o->scope_given[i])
			fatalx(EX_USAGE, "token rotate: the new token keeps the scopes; --scope is "
			    "for add");
	if (o->grace != NULL)
		grace = aiops_cli_duration("--grace", o->grace);
	st = aiops_cli_state(cli, 0, "");
	rotate_find(st, argv[0], &l);
	old = &l.v[0];
	memset(&r, 0, sizeof(r));
	r.name = old->name;
	r.scopes = old->scopes;
	r.created = now;
	if (o->expires != NULL)
		r.expires = now + aiops_cli_duration("--expires", o->expires);
	else if (old->expires != 0)
		r.expires = now + (old->expires - old->created);
	if (aiops_token_generate(&t) == -1)
		fatalx(EX_SOFTWARE, "token rotate: libcrypto gave no random bytes");
	memcpy(r.id, t.id, sizeof(r.id));
	memcpy(r.hash, t.hash, sizeof(r.hash));
	if (o->out != NULL)
		fd = out_open(o->out);
	if ((rc = aiops_tokens_rotate(st, old->id, &r, now, old->revoked ? 0 : grace)) != 0) {
		aiops_token_wipe(&t);
		if (fd != -1) {
			(void)close(fd);
			(void)unlink(o->out);
		}
		if (rc == -1)
			state_fail(st, "rotating the token");
		fatalx(EX_TEMPFAIL, "token rotate: %s: rotated by another run meanwhile",
		    r.name);
	}
	reveal(st, &t, o->out, fd);
	log_info("token %s rotated: id %s; the old one, %s~%s, %s", r.name, r.id, r.name,
	    old->id, grace > 0 && !old->revoked ? "works until its grace ends" : "is revoked");
	aiops_token_wipe(&t);
	aiops_token_list_release(&l);
	aiops_state_close(st);
	return 0;
}

int
ingest_token_main(int argc, char **argv)
{
	struct aiops_cli cli;
	struct token_opts o;
	const char *verb;
	int ch, rc = 0;

	memset(&o, 0, sizeof(o));
	aiops_cli_init(&cli, "aiops-ingest", "ingest", synopsis, opts);
	/* argv[0] is "token": getopt starts after it, at the verb. */
	while ((ch = aiops_cli_getopt(&cli, argc, argv)) != -1) {
		switch (ch) {
		case OPT_SCOPE:
			add_scope(&o, optarg);
			break;
		case OPT_EXPIRES:
			o.expires = optarg;
			break;
		case OPT_OUT:
			o.out = optarg;
			break;
		case OPT_GRACE:
			o.grace = optarg;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		default:
			aiops_cli_usage(&cli);
		}
	}
	if (optind >= argc)
		aiops_cli_usage(&cli);
	verb = argv[optind++];
	aiops_cli_start(&cli);
	if (strcmp(verb, "add") == 0)
		rc = token_add(&cli, &o, argc - optind, argv + optind);
	else if (strcmp(verb, "list") == 0)
		rc = token_list(&cli, &o, argc - optind);
	else if (strcmp(verb, "revoke") == 0)
		rc = token_revoke(&cli, argc - optind, argv + optind);
	else if (strcmp(verb, "rotate") == 0)
		rc = token_rotate(&cli, &o, argc - optind, argv + optind);
	else
		aiops_cli_usage(&cli);
	aiops_cli_release(&cli);
	return rc;
}
