/*
 * cluster.c: aiops-ingest cluster add|update|remove|list|show|check, the
 * cluster registry (issue 15, part 3) in the state (store/clusters.h).
 *
 * A change writes one cluster event (aiops(7)) on stdout: action
 * registered, updated, deleted, or status_changed when a health check
 * moves a cluster between unknown, online, degraded and offline. Only the
 * names of credential files are stored; check reads them per request.
 */
#include "compat.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "config/conf.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/timeutil.h"
#include "core/xmalloc.h"
#include "event/event.h"
#include "ingest/snmppoll.h"
#include "io/out.h"
#include "json/jw.h"
#include "match/selector.h"
#include "net/http.h"
#include "net/secret.h"
#include "store/clusters.h"
#include "store/state.h"
#include "tool/cli.h"
#include "tool/log.h"

#define NAME_MAX_LEN	63
#define URL_MAX_LEN	2048
#define SECRET_MAX	4096
#define OFFLINE_AFTER	3
#define CHECK_TIMEOUT	(10 * AIOPS_NS_PER_SEC)

enum {
	OPT_JSON = AIOPS_OPT_PROGRAM_BASE,
	OPT_ENVIRONMENT,
	OPT_TYPE,
	OPT_LABEL,
	OPT_REMOVE_LABEL,
	OPT_GPU,
	OPT_NO_GPU,
	OPT_INSECURE,
	OPT_NO_INSECURE,
	OPT_SELECTOR,
	OPT_EVERY,
	OPT_ENDPOINT,		/* OPT_ENDPOINT + EP_*: the endpoint's URL */
	OPT_CREDENTIALS = OPT_ENDPOINT + 8,	/* + EP_*: its credential file */
};

enum endpoint { EP_PROMETHEUS, EP_ALERTMANAGER, EP_REDFISH, EP_SNMP, NEP };

static const char *const ep_names[NEP] = { "prometheus", "alertmanager", "redfish", "snmp" };
/* What a health check asks of each; NULL: not polled (SNMP, see aiops-ingest(1)). */
static const char *const ep_paths[NEP] = { "/-/ready", "/-/ready", "/redfish/v1/", NULL };

static const char synopsis[] =
    "aiops-ingest cluster add --environment prod|staging|dev --type type [--label k=v]\n"
    "                    [--gpu | --no-gpu] [--prometheus url] [--alertmanager url]\n"
    "                    [--redfish url] [--snmp host[:port]] [--ENDPOINT-credentials file]\n"
    "                    [--insecure] name\n"
    "       aiops-ingest cluster update [add's options] [--remove-label key] [--no-insecure] name\n"
    "       aiops-ingest cluster remove name ...\n"
    "       aiops-ingest cluster list [--json] [--environment env] [--type type]\n"
    "                    [--gpu | --no-gpu] [-l selector]\n"
    "       aiops-ingest cluster show [--json] name\n"
    "       aiops-ingest cluster check [--every duration] [name ...]";

static const struct aiops_opt opts[] = {
	{ "environment", OPT_ENVIRONMENT, "ENV", "prod, staging or dev (list: only those)" },
	{ "type", OPT_TYPE, "TYPE", "kubernetes, openshift, slurm, baremetal... (list: only those)" },
	{ "label", OPT_LABEL, "K=V", "a label of the cluster (repeatable)" },
	{ "remove-label", OPT_REMOVE_LABEL, "KEY", "update: drop a label (repeatable)" },
	{ "gpu", OPT_GPU, NULL, "it has GPUs (list: only those)" },
	{ "no-gpu", OPT_NO_GPU, NULL, "it has none (list: only those)" },
	{ "prometheus", OPT_ENDPOINT + EP_PROMETHEUS, "URL", "its Prometheus (\"\": none)" },
	{ "alertmanager", OPT_ENDPOINT + EP_ALERTMANAGER, "URL", "its Alertmanager (\"\": none)" },
	{ "redfish", OPT_ENDPOINT + EP_REDFISH, "URL", "its Redfish service, a BMC (\"\": none)" },
	{ "snmp", OPT_ENDPOINT + EP_SNMP, "HOST[:PORT]", "its SNMP agent (\"\": none)" },
	{ "prometheus-credentials", OPT_CREDENTIALS + EP_PROMETHEUS, "FILE",
	    "a file (mode 0600) holding a bearer token or user:password" },
	{ "alertmanager-credentials", OPT_CREDENTIALS + EP_ALERTMANAGER, "FILE", "the same" },
	{ "redfish-credentials", OPT_CREDENTIALS + EP_REDFISH, "FILE", "the same" },
	{ "snmp-credentials", OPT_CREDENTIALS + EP_SNMP, "FILE", "a file holding the community" },
	{ "insecure", OPT_INSECURE, NULL, "do not verify its endpoints' TLS certificates" },
	{ "no-insecure", OPT_NO_INSECURE, NULL, "update: verify them again" },
	{ "selector", 'l', "SEL", "list: a label selector (k=v, k!=v, k in (a,b), k notin (a,b), k, !k)" },
	{ "json", OPT_JSON, NULL, "list, show: JSON (an array, an object)" },
	{ "every", OPT_EVERY, "DUR", "check: again every DUR until SIGTERM" },
	AIOPS_OPT_END
};

struct cmd {
	struct aiops_cli	 cli;
	const char		*verb;
	int			 json;
	const char		*environment;
	const char		*type;
	int			 gpu;		/* -1: not given */
	int			 insecure;	/* -1: not given */
	json_t			*labels;	/* --label: key -> value */
	json_t			*unlabels;	/* --remove-label: keys */
	const char		*endpoint[NEP];	/* NULL: not given; "": none */
	const char		*cred[NEP];
	int			 changes;	/* options only add and update take */
	const char		*selector;
	int64_t			 every;
	struct aiops_state	*st;
	struct aiops_out	 out;
};

static volatile sig_atomic_t stopping;

static void __attribute__((noreturn))
state_fatal(struct cmd *c, const char *doing)
{
	(void)aiops_out_flush(&c->out);
	fatalx(aiops_state_exit_status(c->st), "%s: %s: %s", aiops_state_path(c->st), doing,
	    aiops_state_errmsg(c->st));
}

/* Letters, digits and - _ . only, 1 to 63 of them, starting with a letter or digit. */
static int
valid_word(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || !(isalnum((unsigned char)s[0])))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

static void
check_name(const char *name)
{
	if (!valid_word(name))
		fatalx(EX_USAGE, "'%s': a cluster name is 1 to %d letters, digits, '-', '_' or '.', "
		    "starting with a letter or digit", name, NAME_MAX_LEN);
}

static void
check_environment(const char *env)
{
	if (strcmp(env, "prod") != 0 && strcmp(env, "staging") != 0 && strcmp(env, "dev") != 0)
		fatalx(EX_USAGE, "--environment: prod, staging or dev, got \"%s\"", env);
}

/* An http(s) URL with no user or password in it: those go in a file. */
static void
check_url(const char *opt, const char *url)
{
	const char *auth, *end;

	if (strncmp(url, "http://", 7) == 0)
		auth = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		auth = url + 8;
	else
		fatalx(EX_USAGE, "--%s: an http:// or https:// URL, got \"%s\"", opt, url);
	if (strlen(url) > URL_MAX_LEN || strpbrk(url, " \t\r\n") != NULL || *auth == '\0' ||
	    *auth == '/')
		fatalx(EX_USAGE, "--%s: not a URL: \"%s\"", opt, url);
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		fatalx(EX_USAGE, "--%s: a URL with a user or password in it: give them in a file "
		    "with --%s-credentials", opt, opt);
}

/* host or host:port, a name or an IPv4 address. */
static void
check_snmp(const char *arg)
{
	const char *colon = strchr(arg, ':');
	size_t hlen = colon ? (size_t)(colon - arg) : strlen(arg);

	if (hlen == 0 || hlen > 253 ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != hlen)
		fatalx(EX_USAGE, "--snmp: host or host:port, got \"%s\"", arg);
	if (colon != NULL)
		(void)aiops_cli_number("--snmp's port", colon + 1, 1, 65535);
}

/*
 * The credential file of --opt: it must hold a first line that only its
 * owner may read (aiops_secret_read_file()'s rules), read here once and
 * forgotten; its absolute name (new) is what the registry keeps.
 */
static char *
credential_file(const char *opt, const char *path)
{
	char buf[SECRET_MAX], why[512], abs[PATH_MAX];
	struct stat sb;

	if (stat(path, &sb) == -1)
		fatal(EX_NOINPUT, "--%s: %s", opt, path);
	if (!S_ISREG(sb.st_mode))
		fatalx(EX_NOINPUT, "--%s: %s: not a file", opt, path);
	if (aiops_secret_read_file(path, buf, sizeof(buf), why, sizeof(why)) == -1)
		fatalx(EX_NOPERM, "--%s: %s", opt, why);
	explicit_bzero(buf, sizeof(buf));
	if (realpath(path, abs) == NULL)
		fatal(EX_NOINPUT, "--%s: %s", opt, path);
	return xstrdup(abs);
}

static void
add_label(struct cmd *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *k;

	if (eq == NULL)
		fatalx(EX_USAGE, "--label: key=value, got \"%s\"", arg);
	k = xstrndup(arg, (size_t)(eq - arg));
	if (!aiops_selector_valid_key(k))
		fatalx(EX_USAGE, "--label: '%s': a key is 1 to %d letters, digits, '-', '_', '.' "
		    "or '/'", k, AIOPS_SELECTOR_KEY_MAX);
	if (!aiops_selector_valid_value(eq + 1))
		fatalx(EX_USAGE, "--label: '%s': a value is at most %d letters, digits, '-', '_' "
		    "or '.'", eq + 1, AIOPS_SELECTOR_VALUE_MAX);
	json_object_set_new(c->labels, k, json_string(eq + 1));
	free(k);
}

static void
parse_options(struct cmd *c, int argc, char **argv)
{
	int ch;

	while ((ch = aiops_cli_getopt(&c->cli, argc, argv)) != -1) {
		if (ch >= OPT_ENDPOINT && ch < OPT_ENDPOINT + NEP) {
			c->endpoint[ch - OPT_ENDPOINT] = optarg;
			c->changes = 1;
			continue;
		}
		if (ch >= OPT_CREDENTIALS && ch < OPT_CREDENTIALS + NEP) {
			c->cred[ch - OPT_CREDENTIALS] = optarg;
			c->changes = 1;
			continue;
		}
		switch (ch) {
		case OPT_JSON:
			c->json = 1;
			break;
		case OPT_ENVIRONMENT:
			check_environment(optarg);
			c->environment = optarg;
			break;
		case OPT_TYPE:
			if (!valid_word(optarg))
				fatalx(EX_USAGE, "--type: one word of letters, digits, '-', '_' "
				    "or '.', got \"%s\"", optarg);
			c->type = optarg;
			break;
		case OPT_LABEL:
			add_label(c, optarg);
			c->changes = 1;
			break;
		case OPT_REMOVE_LABEL:
			json_array_append_new(c->unlabels, json_string(optarg));
			c->changes = 1;
			break;
		case OPT_GPU:
		case OPT_NO_GPU:
			c->gpu = ch == OPT_GPU;
			break;
		case OPT_INSECURE:
		case OPT_NO_INSECURE:
			c->insecure = ch == OPT_INSECURE;
			c->changes = 1;
			break;
		case 'l':
			c->selector = optarg;
			break;
		case OPT_EVERY:
			c->every = aiops_cli_duration("--every", optarg);
			if (c->every <= 0)
				fatalx(EX_USAGE, "--every: a duration longer than 0");
			break;
		default:
			aiops_cli_usage(&c->cli);
		}
	}
}

/* Refuses the options the verb does not take. */
static void
check_verb_options(struct cmd *c)
{
	int is_add = strcmp(c->verb, "add") == 0, is_update = strcmp(c->verb, "update") == 0;
	int is_list = strcmp(c->verb, "list") == 0;

	if ((c->changes || ((c->environment || c->type || c->gpu >= 0) && !is_list)) &&
	    !is_add && !is_update)
		fatalx(EX_USAGE, "cluster %s: options of add and update given", c->verb);
	if (is_add && json_array_size(c->unlabels) > 0)
		fatalx(EX_USAGE, "cluster add: --remove-label is for update");
	if (is_add && c->insecure == 0)
		fatalx(EX_USAGE, "cluster add: --no-insecure is for update");
	if (c->selector != NULL && !is_list)
		fatalx(EX_USAGE, "cluster %s: --selector is for list", c->verb);
	if (c->json && !is_list && strcmp(c->verb, "show") != 0)
		fatalx(EX_USAGE, "cluster %s: --json is for list and show", c->verb);
	if (c->every != 0 && strcmp(c->verb, "check") != 0)
		fatalx(EX_USAGE, "cluster %s: --every is for check", c->verb);
}

/* A stored JSON object (a new reference; an empty object if it is not one). */
static json_t *
object_of(const char *text)
{
	json_t *o = text != NULL ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	return o;
}

static char *
dump(const json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	if (s == NULL)
		xoom(0);
	return s;
}

/*
 * The options applied over a cluster's labels, endpoints and credentials
 * (each a new reference in and out).
 */
static void
apply_changes(struct cmd *c, json_t *labels, json_t *endpoints, json_t *creds)
{
	const char *k;
	json_t *v;
	size_t i;
	int e;

	json_object_update(labels, c->labels);
	json_array_foreach(c->unlabels, i, v)
		json_object_del(labels, json_string_value(v));
	if (json_object_size(labels) > AIOPS_MAX_LABELS)
		fatalx(EX_USAGE, "a cluster has at most %d labels", AIOPS_MAX_LABELS);
	for (e = 0; e < NEP; e++) {
		if (c->endpoint[e] != NULL && *c->endpoint[e] == '\0') {
			json_object_del(endpoints, ep_names[e]);
			json_object_del(creds, ep_names[e]);
		} else if (c->endpoint[e] != NULL) {
			if (e == EP_SNMP)
				check_snmp(c->endpoint[e]);
			else
				check_url(ep_names[e], c->endpoint[e]);
			json_object_set_new(endpoints, ep_names[e], json_string(c->endpoint[e]));
		}
		if (c->cred[e] != NULL && *c->cred[e] == '\0')
			json_object_del(creds, ep_names[e]);
		else if (c->cred[e] != NULL) {
			char opt[64], *abs;

			snprintf(opt, sizeof(opt), "%s-credentials", ep_names[e]);
			abs = credential_file(opt, c->cred[e]);
			json_object_set_new(creds, ep_names[e], json_string(abs));
			free(abs);
		}
	}
	if (c->insecure == 1)
		json_object_set_new(endpoints, "insecure", json_true());
	else if (c->insecure == 0)
		json_object_del(endpoints, "insecure");
	json_object_foreach(creds, k, v)
		if (json_object_get(endpoints, k) == NULL)
			fatalx(EX_USAGE, "--%s-credentials: the cluster has no %s endpoint", k, k);
}

/*
 * Writes the cluster event of action about cl: previous is the status
 * before, for status_changed.
 */
static void
cluster_event(struct cmd *c, const char *action, const struct aiops_cluster *cl,
    const char *previous)
{
	json_t *labels = object_of(cl->labels), *eps = object_of(cl->endpoints), *v;
	struct aiops_label lv[AIOPS_MAX_LABELS];
	struct aiops_event_head h;
	struct aiops_buf idkey;
	struct aiops_jw jw;
	const char *k;
	size_t n = 0;

	json_object_foreach(labels, k, v) {
		if (n == AIOPS_MAX_LABELS)
			break;
		lv[n].key = k;
		lv[n].klen = strlen(k);
		lv[n].val = json_string_value(v) ? json_string_value(v) : "";
		lv[n].vlen = strlen(lv[n].val);
		n++;
	}
	aiops_buf_init(&idkey);
	aiops_buf_addf(&idkey, "%s\xff%s\xff%s", cl->name, action, cl->status);
	memset(&h, 0, sizeof(h));
	h.type = "cluster";
	h.ts = aiops_clock_now();
	h.cluster = cl->name;
	h.source = "aiops-ingest";
	h.labels = lv;
	h.nlabels = n;
	h.idkey = idkey.data;
	h.idklen = idkey.len;
	aiops_jw_init(&jw, &c->out.buf);
	(void)aiops_event_begin(&jw, &h);
	aiops_jw_kcstr(&jw, "action", action);
	aiops_jw_kcstr(&jw, "name", cl->name);
	aiops_jw_kcstr(&jw, "environment", cl->environment);
	aiops_jw_kcstr(&jw, "cluster_type", cl->type);
	aiops_jw_key(&jw, "has_gpu", 7);
	aiops_jw_bool(&jw, cl->has_gpu);
	aiops_jw_kcstr(&jw, "status", cl->status);
	if (previous != NULL)
		aiops_jw_kcstr(&jw, "previous", previous);
	aiops_jw_key(&jw, "endpoints", 9);
	aiops_jw_json(&jw, eps);
	aiops_jw_object_end(&jw);
	aiops_out_end(&c->out);
	aiops_buf_release(&idkey);
	json_decref(labels);
	json_decref(eps);
}

static void
txn(struct cmd *c, int commit)
{
	if ((commit ? aiops_state_commit(c->st) : aiops_state_begin(c->st)) == -1)
		state_fatal(c, commit ? "committing" : "beginning a transaction");
}

static int
cmd_add(struct cmd *c, const char *name)
{
	json_t *labels = json_object(), *eps = json_object(), *creds = json_object();
	struct aiops_cluster cl;
	char *l, *e, *cr;
	int added;

	check_name(name);
	if (c->environment == NULL || c->type == NULL)
		fatalx(EX_USAGE, "cluster add: --environment and --type are needed");
	apply_changes(c, labels, eps, creds);
	l = dump(labels);
	e = dump(eps);
	cr = dump(creds);
	memset(&cl, 0, sizeof(cl));
	cl.name = name;
	cl.environment = c->environment;
	cl.type = c->type;
	cl.labels = l;
	cl.has_gpu = c->gpu == 1;
	cl.endpoints = e;
	cl.credentials = cr;
	cl.created = cl.updated = aiops_clock_now();
	cl.status = "unknown";
	c->st = aiops_cli_state(&c->cli, 0, "");
	txn(c, 0);
	if (aiops_cluster_add(c->st, &cl, &added) == -1)
		state_fatal(c, "registering the cluster");
	txn(c, 1);
	if (!added)
		fatalx(EX_DATAERR, "cluster %s: already registered (cluster update changes it)", name);
	cluster_event(c, "registered", &cl, NULL);
	free(l);
	free(e);
	free(cr);
	json_decref(labels);
	json_decref(eps);
	json_decref(creds);
	return 0;
}

/* Cluster name into l, or exit 1 saying there is none. */
static void
get_or_die(struct cmd *c, const char *name, struct aiops_cluster_list *l)
{
	if (aiops_cluster_get(c->st, name, l) == -1)
		state_fatal(c, "reading the registry");
	if (l->n == 0) {
		if (aiops_state_in_transaction(c->st))
			aiops_state_rollback(c->st);
		fatalx(1, "cluster %s: no such cluster (cluster list shows them)", name);
	}
}

static int
cmd_update(struct cmd *c, const char *name)
{
	struct aiops_cluster_list l;
	struct aiops_cluster cl;
	json_t *labels, *eps, *creds;
	char *lt, *et, *ct;
	int found;

	check_name(name);
	c->st = aiops_cli_state(&c->cli, 0, "");
	txn(c, 0);
	get_or_die(c, name, &l);
	cl = l.v[0];
	labels = object_of(cl.labels);
	eps = object_of(cl.endpoints);
	creds = object_of(cl.credentials);
	apply_changes(c, labels, eps, creds);
	cl.labels = lt = dump(labels);
	cl.endpoints = et = dump(eps);
	cl.credentials = ct = dump(creds);
	if (c->environment != NULL)
		cl.environment = c->environment;
	if (c->type != NULL)
		cl.type = c->type;
	if (c->gpu >= 0)
		cl.has_gpu = c->gpu;
	cl.updated = aiops_clock_now();
	if (aiops_cluster_update(c->st, &cl, &found) == -1)
		state_fatal(c, "updating the cluster");
	txn(c, 1);
	cluster_event(c, "updated", &cl, NULL);
	free(lt);
	free(et);
	free(ct);
	json_decref(labels);
	json_decref(eps);
	json_decref(creds);
	aiops_cluster_list_release(&l);
	return 0;
}

static int
cmd_remove(struct cmd *c, int argc, char **argv)
{
	struct aiops_cluster_list l;
	int i, found, rc = 0;

	c->st = aiops_cli_state(&c->cli, 0, "");
	for (i = 0; i < argc; i++) {
		check_name(argv[i]);
		txn(c, 0);
		if (aiops_cluster_get(c->st, argv[i], &l) == -1 ||
		    (l.n == 1 && aiops_cluster_remove(c->st, argv[i], &found) == -1))
			state_fatal(c, "removing the cluster");
		txn(c, 1);
		if (l.n == 0) {
			log_warnx("cluster %s: no such cluster", argv[i]);
			rc = 1;
			continue;
		}
		cluster_event(c, "deleted", &l.v[0], NULL);
		aiops_cluster_list_release(&l);
	}
	return rc;
}

static void
set_time(json_t *o, const char *key, int64_t ns)
{
	char t[AIOPS_TIME_BUFSZ];

	if (ns != 0) {
		aiops_time_format(ns, t);
		json_object_set_new(o, key, json_string(t));
	}
}

/* A cluster as the JSON of list and show (new). */
static json_t *
cluster_json(const struct aiops_cluster *cl)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:b, s:o, s:o, s:s, s:i}",
	    "name", cl->name, "environment", cl->environment, "type", cl->type,
	    "labels", object_of(cl->labels), "has_gpu", cl->has_gpu,
	    "endpoints", object_of(cl->endpoints), "credentials", object_of(cl->credentials),
	    "status", cl->status, "failures", cl->failures);

	set_time(o, "status_since", cl->status_since);
	set_time(o, "created", cl->created);
	set_time(o, "updated", cl->updated);
	if (cl->health != NULL)
		json_object_set_new(o, "health", object_of(cl->health));
	return o;
}

static void
print_json(const json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s == NULL)
		xoom(0);
	printf("%s\n", s);
	free(s);
}

/* "k=v,k=v" of a JSON object of strings, "-" when empty (new). */
static char *
pairs(const char *text, int with_values)
{
	json_t *o = object_of(text), *v;
	struct aiops_buf b;
	const char *k;
	char *s;

	aiops_buf_init(&b);
	json_object_foreach(o, k, v) {
		if (!json_is_string(v))
			continue;
		if (b.len > 0)
			aiops_buf_addc(&b, ',');
		aiops_buf_addstr(&b, k);
		if (with_values)
			aiops_buf_addf(&b, "=%s", json_string_value(v));
	}
	s = xstrndup(b.len > 0 ? b.data : "-", b.len > 0 ? b.len : 1);
	aiops_buf_release(&b);
	json_decref(o);
	return s;
}

static int
width(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

/* The aligned table of list. */
static void
print_table(const struct aiops_cluster_list *l, char **eps, char **labels)
{
	int w[5] = { 4, 11, 4, 6, 9 };
	size_t i;

	for (i = 0; i < l->n; i++) {
		w[0] = width(w[0], l->v[i].name);
		w[1] = width(w[1], l->v[i].environment);
		w[2] = width(w[2], l->v[i].type);
		w[3] = width(w[3], l->v[i].status);
		w[4] = width(w[4], eps[i]);
	}
	printf("%-*s  %-*s  %-*s  %-3s  %-*s  %-*s  %s\n", w[0], "NAME", w[1], "ENVIRONMENT",
	    w[2], "TYPE", "GPU", w[3], "STATUS", w[4], "ENDPOINTS", "LABELS");
	for (i = 0; i < l->n; i++)
		printf("%-*s  %-*s  %-*s  %-3s  %-*s  %-*s  %s\n", w[0], l->v[i].name, w[1],
		    l->v[i].environment, w[2], l->v[i].type, l->v[i].has_gpu ? "yes" : "no",
		    w[3], l->v[i].status, w[4], eps[i], labels[i]);
}

static int
cmd_list(struct cmd *c)
{
	struct aiops_cluster_filter f = { c->environment, c->type, c->gpu };
	struct aiops_selector *sel = NULL;
	struct aiops_cluster_list l, kept;
	char err[256], **eps, **labels;
	json_t *arr = json_array(), *lab;
	size_t i;

	if (c->selector != NULL &&
	    (sel = aiops_selector_parse(c->selector, err, sizeof(err))) == NULL)
		fatalx(EX_USAGE, "--selector: %s", err);
	c->st = aiops_cli_state(&c->cli, AIOPS_STATE_READONLY, "");
	if (aiops_cluster_list(c->st, &f, &l) == -1)
		state_fatal(c, "reading the registry");
	memset(&kept, 0, sizeof(kept));
	kept.v = xreallocarray(NULL, l.n + 1, sizeof(*kept.v));
	for (i = 0; i < l.n; i++) {
		lab = object_of(l.v[i].labels);
		if (sel == NULL || aiops_selector_matches(sel, lab))
			kept.v[kept.n++] = l.v[i];
		json_decref(lab);
	}
	if (c->json) {
		for (i = 0; i < kept.n; i++)
			json_array_append_new(arr, cluster_json(&kept.v[i]));
		print_json(arr);
	} else if (kept.n > 0) {
		eps = xreallocarray(NULL, kept.n, sizeof(*eps));
		labels = xreallocarray(NULL, kept.n, sizeof(*labels));
		for (i = 0; i < kept.n; i++) {
			eps[i] = pairs(kept.v[i].endpoints, 0);
			labels[i] = pairs(kept.v[i].labels, 1);
		}
		print_table(&kept, eps, labels);
		for (i = 0; i < kept.n; i++) {
			free(eps[i]);
			free(labels[i]);
		}
		free(eps);
		free(labels);
	}
	free(kept.v);
	json_decref(arr);
	aiops_selector_free(sel);
	aiops_cluster_list_release(&l);
	return 0;
}

/* show's lines of the endpoints, each with its credential file and last answer. */
static void
show_endpoints(const struct aiops_cluster *cl)
{
	json_t *eps = object_of(cl->endpoints), *creds = object_of(cl->credentials);
	json_t *health = object_of(cl->health), *hv;
	const char *cred;
	int e;

	for (e = 0; e < NEP; e++) {
		if (json_object_get(eps, ep_names[e]) == NULL)
			continue;
		printf("%-14s%s\n", ep_names[e],
		    json_string_value(json_object_get(eps, ep_names[e])));
		if ((cred = json_string_value(json_object_get(creds, ep_names[e]))) != NULL)
			printf("%-14s%s\n", "  credentials", cred);
		if ((hv = json_object_get(health, ep_names[e])) != NULL) {
			if (json_is_true(json_object_get(hv, "up")))
				printf("%-14sup (HTTP %lld, %lld ms)\n", "  last check",
				    json_integer_value(json_object_get(hv, "status")),
				    json_integer_value(json_object_get(hv, "ms")));
			else
				printf("%-14s%s\n", "  last check",
				    json_string_value(json_object_get(hv, "error")) ?
				    json_string_value(json_object_get(hv, "error")) : "down");
		}
	}
	if (json_is_true(json_object_get(eps, "insecure")))
		printf("%-14s%s\n", "tls", "not verified (--insecure)");
	json_decref(eps);
	json_decref(creds);
	json_decref(health);
}

static int
cmd_show(struct cmd *c, const char *name)
{
	struct aiops_cluster_list l;
	const struct aiops_cluster *cl;
	char t[AIOPS_TIME_BUFSZ], *labels;
	json_t *o;

	check_name(name);
	c->st = aiops_cli_state(&c->cli, AIOPS_STATE_READONLY, "");
	get_or_die(c, name, &l);
	cl = &l.v[0];
	if (c->json) {
		o = cluster_json(cl);
		print_json(o);
		json_decref(o);
	} else {
		labels = pairs(cl->labels, 1);
		printf("%-14s%s\n%-14s%s\n%-14s%s\n%-14s%s\n%-14s%s\n", "name", cl->name,
		    "environment", cl->environment, "type", cl->type, "gpu",
		    cl->has_gpu ? "yes" : "no", "labels", labels);
		free(labels);
		show_endpoints(cl);
		printf("%-14s%s", "status", cl->status);
		if (cl->status_since != 0) {
			aiops_time_format(cl->status_since, t);
			printf(" since %s", t);
		}
		if (cl->failures > 0)
			printf(" (%d checks in a row with no answer)", cl->failures);
		aiops_time_format(cl->created, t);
		printf("\n%-14s%s\n", "created", t);
		aiops_time_format(cl->updated, t);
		printf("%-14s%s\n", "updated", t);
	}
	aiops_cluster_list_release(&l);
	return 0;
}

/*
 * An SNMP agent answers when it gives its sysUpTime.0 (SNMPv2-MIB), asked
 * with the community of its credential file.
 */
#define SYS_UPTIME	"1.3.6.1.2.1.1.3.0"

/* One endpoint of one cluster in a health check. */
struct probe {
	size_t			 cluster;	/* index in the list checked */
	int			 ep;
	char			*url;		/* SNMP: the agent, host[:port] */
	char			*auth;		/* the Authorization value (SNMP: the community), or NULL */
	struct aiops_http_header hdr;
	char			 err[AIOPS_HTTP_ERRSZ];	/* "" when it could be asked */
	size_t			 req;		/* its request, when asked */
};

/* The Authorization value of the credential in file (new), or NULL with err. */
static char *
authorization(const char *file, char *err, size_t errlen)
{
	char buf[SECRET_MAX], *colon, *v;

	if (aiops_secret_read_file(file, buf, sizeof(buf), err, errlen) == -1)
		return NULL;
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		v = aiops_http_basic_auth(buf, colon + 1);
	} else
		xasprintf(&v, "Bearer %s", buf);
	explicit_bzero(buf, sizeof(buf));
	return v;
}

/* An SNMP agent's probe: its community read from the credential file. */
static void
add_snmp_probe(struct probe *p, const char *peer, const char *file)
{
	char buf[SECRET_MAX];

	p->url = xstrdup(peer);
	if (file == NULL) {
		snprintf(p->err, sizeof(p->err), "no community: --snmp-credentials FILE");
		return;
	}
	if (aiops_secret_read_file(file, buf, sizeof(buf), p->err, sizeof(p->err)) == -1)
		return;
	p->auth = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
}

/*
 * Asks the SNMP agents among the probes for their sysUpTime.0, all at
 * once; an agent that does not answer gets its probe's err.
 */
static void
run_snmp_probes(struct probe *pv, size_t n, int64_t timeout)
{
	static const char *const get[] = { SYS_UPTIME };
	struct aiops_snmp_target *t = xcalloc(n + 1, sizeof(*t));
	struct aiops_snmp_result *r = xcalloc(n + 1, sizeof(*r));
	size_t *of = xcalloc(n + 1, sizeof(*of));
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (pv[i].ep != EP_SNMP || pv[i].err[0] != '\0')
			continue;
		t[k].peer = pv[i].url;
		t[k].version = 2;
		t[k].community = pv[i].auth;
		t[k].get = get;
		t[k].nget = 1;
		t[k].timeout_ms = (long)(timeout / 1000000);
		t[k].retries = 0;
		of[k++] = i;
	}
	if (k > 0)
		(void)aiops_snmp_poll(t, r, k);
	for (i = 0; i < k; i++) {
		if (r[i].failed || r[i].nvarbinds == 0)
			snprintf(pv[of[i]].err, sizeof(pv[of[i]].err), "%s: %s", pv[of[i]].url,
			    r[i].failed ? r[i].err : "no sysUpTime.0");
		aiops_snmp_result_release(&r[i]);
	}
	free(of);
	free(r);
	free(t);
}

/* The probes of cluster i, appended to *pv (*n of them). */
static void
add_probes(const struct aiops_cluster *cl, size_t i, struct probe **pv, size_t *n)
{
	json_t *eps = object_of(cl->endpoints), *creds = object_of(cl->credentials);
	const char *url, *file;
	struct probe *p;
	size_t len;
	int e;

	for (e = 0; e < NEP; e++) {
		if ((url = json_string_value(json_object_get(eps, ep_names[e]))) == NULL)
			continue;
		*pv = xreallocarray(*pv, *n + 1, sizeof(**pv));
		p = &(*pv)[(*n)++];
		memset(p, 0, sizeof(*p));
		p->cluster = i;
		p->ep = e;
		if (e == EP_SNMP) {
			add_snmp_probe(p, url, json_string_value(json_object_get(creds, "snmp")));
			continue;
		}
		len = strlen(url);
		while (len > 0 && url[len - 1] == '/')
			len--;
		xasprintf(&p->url, "%.*s%s", (int)len, url, ep_paths[e]);
		if ((file = json_string_value(json_object_get(creds, ep_names[e]))) != NULL &&
		    (p->auth = authorization(file, p->err, sizeof(p->err))) != NULL) {
			p->hdr.name = "Authorization";
			p->hdr.value = p->auth;
			p->hdr.secret = 1;
		}
	}
	json_decref(eps);
	json_decref(creds);
}

static void
release_probes(struct probe *pv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(pv[i].url);
		if (pv[i].auth != NULL) {
			explicit_bzero(pv[i].auth, strlen(pv[i].auth));
			free(pv[i].auth);
		}
	}
	free(pv);
}

/* Performs the probes that can be asked, all at once. */
static void
run_probes(struct cmd *c, const struct aiops_cluster_list *l, struct probe *pv, size_t n,
    struct aiops_http *h, struct aiops_http_response *resps)
{
	struct aiops_http_request *reqs = xcalloc(n + 1, sizeof(*reqs));
	int64_t timeout = aiops_conf_duration(c->cli.cfg, "ingest.clusters.timeout",
	    CHECK_TIMEOUT);
	size_t i, nreq = 0;
	json_t *eps;

	run_snmp_probes(pv, n, timeout);
	for (i = 0; i < n; i++) {
		if (pv[i].err[0] != '\0' || pv[i].ep == EP_SNMP)
			continue;
		pv[i].req = nreq;
		reqs[nreq].url = pv[i].url;
		reqs[nreq].headers = pv[i].auth != NULL ? &pv[i].hdr : NULL;
		reqs[nreq].nheaders = pv[i].auth != NULL;
		reqs[nreq].timeout_ms = timeout / 1000000;
		reqs[nreq].connect_timeout_ms = timeout / 1000000;
		reqs[nreq].max_body = 64 * 1024;
		eps = object_of(l->v[pv[i].cluster].endpoints);
		if (json_is_true(json_object_get(eps, "insecure")))
			reqs[nreq].flags |= AIOPS_HTTP_NO_VERIFY;
		json_decref(eps);
		aiops_http_response_init(&resps[nreq]);
		nreq++;
	}
	if (nreq > 0 && aiops_http_multi(h, reqs, resps, nreq, 0) == -1)
		log_warnx("the health checks could not all be made");
	free(reqs);
}

/* What cluster i's probes found: its health JSON (new), endpoints asked and answering. */
static json_t *
health_of(struct cmd *c, const struct aiops_cluster *cl, size_t i, const struct probe *pv,
    size_t n, const struct aiops_http_response *resps, int *asked, int *up)
{
	json_t *health = json_object(), *hv;
	const struct aiops_http_response *r;
	size_t j;

	(void)c;
	*asked = *up = 0;
	for (j = 0; j < n; j++) {
		if (pv[j].cluster != i)
			continue;
		(*asked)++;
		if (pv[j].err[0] != '\0') {
			hv = json_pack("{s:b, s:s}", "up", 0, "error", pv[j].err);
		} else if (pv[j].ep == EP_SNMP) {
			(*up)++;
			hv = json_pack("{s:b}", "up", 1);
		} else {
			r = &resps[pv[j].req];
			if (r->outcome == AIOPS_HTTP_OK) {
				(*up)++;
				hv = json_pack("{s:b, s:i, s:I}", "up", 1, "status", (int)r->status,
				    "ms", (json_int_t)(r->elapsed_ns / 1000000));
			} else
				hv = json_pack("{s:b, s:s}", "up", 0, "error", r->err);
		}
		if (!json_is_true(json_object_get(hv, "up")))
			log_warnx("cluster %s: %s: %s", cl->name, ep_names[pv[j].ep],
			    json_string_value(json_object_get(hv, "error")));
		json_object_set_new(health, ep_names[pv[j].ep], hv);
	}
	return health;
}

/*
 * The status after a check that asked `asked` endpoints and heard from
 * `up`, with *failures the checks in a row that heard from none (updated).
 */
static const char *
next_status(const char *prev, int asked, int up, int *failures, int offline_after)
{
	if (asked == 0)
		return prev;
	if (up > 0) {
		*failures = 0;
		return up == asked ? "online" : "degraded";
	}
	(*failures)++;
	return *failures >= offline_after ? "offline" : prev;
}

/* Records cluster name's check, reading its row again in the transaction. */
static void
record_check(struct cmd *c, const char *name, int asked, int up, const json_t *health)
{
	struct aiops_cluster_list l;
	const char *status;
	char *prev, *h = dump(health);
	int failures, found;
	int offline_after = (int)aiops_conf_int(c->cli.cfg, "ingest.clusters.offline_after",
	    OFFLINE_AFTER);

	txn(c, 0);
	if (aiops_cluster_get(c->st, name, &l) == -1)
		state_fatal(c, "reading the registry");
	if (l.n == 0) {		/* removed meanwhile */
		txn(c, 1);
		free(h);
		return;
	}
	failures = l.v[0].failures;
	status = next_status(l.v[0].status, asked, up, &failures, offline_after);
	if (aiops_cluster_health(c->st, name, status, failures, h, aiops_clock_now(),
	    &found) == -1)
		state_fatal(c, "recording the health check");
	txn(c, 1);
	log_info("cluster %s: %s (%d of %d endpoints answered)", name, status, up, asked);
	if (strcmp(status, l.v[0].status) != 0) {
		prev = (char *)l.v[0].status;
		l.v[0].status = status;
		cluster_event(c, "status_changed", &l.v[0], prev);
		l.v[0].status = prev;
	}
	free(h);
	aiops_cluster_list_release(&l);
}

/* One health check of the clusters named (all when argc is 0): 0, or 1 if one is unknown. */
static int
check_once(struct cmd *c, struct aiops_http *h, int argc, char **argv)
{
	struct aiops_cluster_list l, one;
	struct aiops_http_response *resps;
	struct probe *pv = NULL;
	size_t n = 0, i;
	int k, asked, up, rc = 0;
	json_t *health;

	memset(&l, 0, sizeof(l));
	if (argc == 0 && aiops_cluster_list(c->st, NULL, &l) == -1)
		state_fatal(c, "reading the registry");
	for (k = 0; k < argc; k++) {
		if (aiops_cluster_get(c->st, argv[k], &one) == -1)
			state_fatal(c, "reading the registry");
		if (one.n == 0) {
			log_warnx("cluster %s: no such cluster", argv[k]);
			rc = 1;
			continue;
		}
		l.v = xreallocarray(l.v, l.n + 1, sizeof(*l.v));
		l.v[l.n++] = one.v[0];
		free(one.v);
	}
	for (i = 0; i < l.n; i++)
		add_probes(&l.v[i], i, &pv, &n);
	resps = xcalloc(n + 1, sizeof(*resps));
	run_probes(c, &l, pv, n, h, resps);
	for (i = 0; i < l.n; i++) {
		health = health_of(c, &l.v[i], i, pv, n, resps, &asked, &up);
		record_check(c, l.v[i].name, asked, up, health);
		json_decref(health);
	}
	for (i = 0; i < n; i++)
		if (pv[i].err[0] == '\0' && pv[i].ep != EP_SNMP)
			aiops_http_response_release(&resps[pv[i].req]);
	free(resps);
	release_probes(pv, n);
	aiops_cluster_list_release(&l);
	if (aiops_out_flush(&c->out) == -1)
		fatal(EX_IOERR, "standard output");
	return rc;
}

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Sleeps ns, or less when a signal asks to stop. */
static void
nap(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / AIOPS_NS_PER_SEC), (long)(ns % AIOPS_NS_PER_SEC) };

	while (!stopping && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
cmd_check(struct cmd *c, int argc, char **argv)
{
	struct sigaction sa;
	struct aiops_http *h;
	char err[256];
	int i, rc;

	for (i = 0; i < argc; i++)
		check_name(argv[i]);
	if ((h = aiops_http_new(err, sizeof(err))) == NULL)
		fatalx(EX_SOFTWARE, "%s", err);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	c->st = aiops_cli_state(&c->cli, 0, "");
	do {
		int64_t start = aiops_clock_now();

		rc = check_once(c, h, argc, argv);
		if (c->every > 0 && !stopping)
			nap(c->every - (aiops_clock_now() - start));
	} while (c->every > 0 && !stopping);
	aiops_http_free(h);
	return rc;
}

/* The verb's operands: exactly one name, at least one, or any number. */
static void
operands(struct cmd *c, int n, int min, int max)
{
	if (n < min || (max >= 0 && n > max))
		aiops_cli_usage(&c->cli);
}

static int
dispatch(struct cmd *c, int argc, char **argv)
{
	if (strcmp(c->verb, "add") == 0 || strcmp(c->verb, "update") == 0 ||
	    strcmp(c->verb, "show") == 0) {
		operands(c, argc, 1, 1);
		return c->verb[0] == 'a' ? cmd_add(c, argv[0]) : c->verb[0] == 'u' ?
		    cmd_update(c, argv[0]) : cmd_show(c, argv[0]);
	}
	if (strcmp(c->verb, "remove") == 0) {
		operands(c, argc, 1, -1);
		return cmd_remove(c, argc, argv);
	}
	if (strcmp(c->verb, "list") == 0) {
		operands(c, argc, 0, 0);
		return cmd_list(c);
	}
	return cmd_check(c, argc, argv);
}

int
ingest_cluster_main(int argc, char **argv)
{
	static const char *const verbs[] = { "add", "update", "remove", "list", "show", "check" };
	struct cmd c;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.gpu = c.insecure = -1;
	c.labels = json_object();
	c.unlabels = json_array();
	aiops_cli_init(&c.cli, "aiops-ingest", "ingest", synopsis, opts);
	if (argc < 2 || argv[1][0] == '-') {
		/* --help, --version, or nothing: no verb */
		parse_options(&c, argc, argv);
		aiops_cli_usage(&c.cli);
	}
	c.verb = argv[1];
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(c.verb, verbs[i]) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0])) {
		log_warnx("cluster: no verb '%s' (add, update, remove, list, show, check)", c.verb);
		aiops_cli_usage(&c.cli);
	}
	/* argv[1] is the verb: getopt starts after it. */
	parse_options(&c, argc - 1, argv + 1);
	check_verb_options(&c);
	aiops_cli_start(&c.cli);
	aiops_out_init(&c.out, STDOUT_FILENO);
	rc = dispatch(&c, argc - 1 - optind, argv + 1 + optind);
	if (aiops_out_close(&c.out) == -1)
		fatal(EX_IOERR, "standard output");
	if (c.st != NULL)
		aiops_state_close(c.st);
	json_decref(c.labels);
	json_decref(c.unlabels);
	aiops_cli_release(&c.cli);
	return rc;
}
