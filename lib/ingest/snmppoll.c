/*
 * snmppoll.c: SNMP GETs and walks with net-snmp's library; see snmppoll.h.
 *
 * One job per target on net-snmp's traditional asynchronous API: each
 * job has one request in flight (its GETs, by GET_CHUNK OIDs a PDU, then
 * each walk by GETBULK), and the callback of its answer sends the next;
 * the loop below waits on every session at once with select(2) and lets
 * net-snmp resend on its timeouts. A walk ends, as snmpwalk's does, at an
 * OID outside its subtree or at an exception (endOfMibView, noSuchObject,
 * noSuchInstance); an OID that does not grow is an error (a looping
 * agent); a walk that found nothing GETs its root, and prints whatever
 * comes back, as snmpwalk does.
 */
#include "compat.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "core/buf.h"
#include "core/errf.h"
#include "ingest/snmppoll.h"

#define GET_CHUNK	16	/* OIDs of one GET PDU */
#define MINPASS		8	/* net-snmp refuses shorter passphrases */

static pthread_mutex_t snmp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t snmp_once = PTHREAD_ONCE_INIT;
static char lastlog[256];	/* net-snmp's last message, under snmp_lock */

/* Whatever net-snmp logs: kept for an error message, never printed. */
static int
logged(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	size_t n;

	(void)major; (void)minor; (void)client;
	if (m == NULL || m->msg == NULL)
		return 0;
	snprintf(lastlog, sizeof(lastlog), "%s", m->msg);
	n = strlen(lastlog);
	while (n > 0 && (lastlog[n - 1] == '\n' || lastlog[n - 1] == '\r'))
		lastlog[--n] = '\0';
	return 0;
}

static void
snmp_setup(void)
{
	netsnmp_log_handler *h;

	/* A handler of our own first: without one, net-snmp turns stderr on. */
	h = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_CALLBACK, LOG_DEBUG);
	(void)h;
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, logged, NULL);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_NO_TOKEN_WARNINGS, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	/* No MIB: a directory that holds none, whatever MIBS and MIBDIRS say. */
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIBDIRS, "/nonexistent/aiops-no-mibs");
	init_snmp("aiops");
	/* `snmpget -On`: numeric OIDs. */
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
	    NETSNMP_OID_OUTPUT_NUMERIC);
	lastlog[0] = '\0';
}

int
aiops_snmp_oid_valid(const char *s)
{
	int arcs = 0;

	if (*s == '.')
		s++;
	for (;;) {
		const char *d = s;
		unsigned long long v = 0;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s - '0');
			if (v > 0xffffffffULL)
				return 0;
			s++;
		}
		if (s == d)
			return 0;
		if (++arcs > MAX_OID_LEN)
			return 0;
		if (*s == '\0')
			return arcs >= 2;
		if (*s++ != '.')
			return 0;
	}
}

/* The numeric OID s into o (checked before). */
static size_t
oid_parse(const char *s, oid *o)
{
	size_t n = 0;

	if (*s == '.')
		s++;
	while (*s != '\0' && n < MAX_OID_LEN) {
		o[n++] = (oid)strtoul(s, (char **)&s, 10);
		if (*s == '.')
			s++;
	}
	return n;
}

int
aiops_snmp_check(const struct aiops_snmp_target *t, char *err, size_t errlen)
{
	size_t i;

	pthread_once(&snmp_once, snmp_setup);
	if (t->peer == NULL || t->peer[0] == '\0')
		return aiops_errf(err, errlen, "no agent address"), -1;
	if (t->version != 2 && t->version != 3)
		return aiops_errf(err, errlen, "version: 2c or 3"), -1;
	if (t->nget == 0 && t->nwalk == 0)
		return aiops_errf(err, errlen, "nothing to poll: no get and no walk OIDs"), -1;
	for (i = 0; i < t->nget; i++)
		if (!aiops_snmp_oid_valid(t->get[i]))
			return aiops_errf(err, errlen, "get: \"%s\" is not a numeric OID", t->get[i]), -1;
	for (i = 0; i < t->nwalk; i++)
		if (!aiops_snmp_oid_valid(t->walk[i]))
			return aiops_errf(err, errlen, "walk: \"%s\" is not a numeric OID", t->walk[i]), -1;
	if (t->version == 2) {
		if (t->community == NULL || t->community[0] == '\0')
			return aiops_errf(err, errlen, "SNMPv2c needs a community"), -1;
		return 0;
	}
	if (t->user == NULL || t->user[0] == '\0')
		return aiops_errf(err, errlen, "SNMPv3 needs a user"), -1;
	if (t->auth_proto == NULL && t->priv_proto != NULL)
		return aiops_errf(err, errlen, "SNMPv3 privacy needs authentication"), -1;
	if (t->auth_proto != NULL) {
		if (usm_lookup_auth_type(t->auth_proto) < 0)
			return aiops_errf(err, errlen,
			    "auth protocol \"%s\": MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512",
			    t->auth_proto), -1;
		if (t->auth_pass == NULL || strlen(t->auth_pass) < MINPASS)
			return aiops_errf(err, errlen, "the auth passphrase needs %d characters at least",
			    MINPASS), -1;
	}
	if (t->priv_proto != NULL) {
		if (usm_lookup_priv_type(t->priv_proto) < 0)
			return aiops_errf(err, errlen,
			    "priv protocol \"%s\": DES, AES, AES-192 or AES-256", t->priv_proto), -1;
		if (t->priv_pass == NULL || strlen(t->priv_pass) < MINPASS)
			return aiops_errf(err, errlen, "the priv passphrase needs %d characters at least",
			    MINPASS), -1;
	}
	return 0;
}

enum phase { P_GET, P_WALK, P_WALKGET, P_DONE };

struct job {
	const struct aiops_snmp_target	*t;
	struct aiops_snmp_result	*r;
	netsnmp_session			*ss;
	enum phase			 phase;
	size_t				 next;		/* P_GET: next OID; walks: index */
	oid				 root[MAX_OID_LEN], cur[MAX_OID_LEN];
	size_t				 rootlen, curlen;
	size_t				 got;		/* bindings of this walk */
};

static void
job_fail(struct job *j, const char *fmt, const char *a, const char *b)
{
	if (!j->r->failed) {
		j->r->failed = 1;
		snprintf(j->r->err, sizeof(j->r->err), fmt, a, b);
	}
	j->phase = P_DONE;
}

/* One binding as `snmpget -On` prints it, a line of r->text. */
static int
print_var(struct job *j, const netsnmp_variable_list *v)
{
	u_char *b = NULL;
	size_t blen = 0, olen = 0;

	if (j->r->nvarbinds >= AIOPS_SNMP_MAX_VARBINDS) {
		job_fail(j, "%s: more than %s bindings", j->t->peer, "100000");
		return -1;
	}
	if (!sprint_realloc_variable(&b, &blen, &olen, 1, v->name, v->name_length, v)) {
		free(b);
		job_fail(j, "%s: %s", j->t->peer, "a binding could not be printed");
		return -1;
	}
	aiops_buf_add(&j->r->text, b, olen);
	aiops_buf_addc(&j->r->text, '\n');
	free(b);
	j->r->nvarbinds++;
	return 0;
}

static int answered(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic);

/* Sends the job's next request, or ends it. */
static void
job_next(struct job *j)
{
	netsnmp_pdu *pdu = NULL;
	oid o[MAX_OID_LEN];
	size_t n, k;

	while (j->phase != P_DONE && pdu == NULL) {
		switch (j->phase) {
		case P_GET:
			if (j->next >= j->t->nget) {
				j->phase = P_WALK;
				j->next = 0;
				j->curlen = 0;
				break;
			}
			pdu = snmp_pdu_create(SNMP_MSG_GET);
			for (k = 0; k < GET_CHUNK && j->next < j->t->nget; k++, j->next++) {
				n = oid_parse(j->t->get[j->next], o);
				snmp_add_null_var(pdu, o, n);
			}
			break;
		case P_WALK:
			if (j->next >= j->t->nwalk) {
				j->phase = P_DONE;
				break;
			}
			if (j->curlen == 0) {	/* a walk starts */
				j->rootlen = oid_parse(j->t->walk[j->next], j->root);
				memcpy(j->cur, j->root, j->rootlen * sizeof(oid));
				j->curlen = j->rootlen;
				j->got = 0;
			}
			pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
			pdu->non_repeaters = 0;
			pdu->max_repetitions = j->t->max_repetitions > 0 ? j->t->max_repetitions :
			    AIOPS_SNMP_REPETITIONS;
			snmp_add_null_var(pdu, j->cur, j->curlen);
			break;
		case P_WALKGET:
			pdu = snmp_pdu_create(SNMP_MSG_GET);
			snmp_add_null_var(pdu, j->root, j->rootlen);
			break;
		case P_DONE:
			break;
		}
	}
	if (pdu == NULL)
		return;
	if (snmp_send(j->ss, pdu) == 0) {
		char *e = NULL;

		snmp_error(j->ss, NULL, NULL, &e);
		snmp_free_pdu(pdu);
		job_fail(j, "%s: cannot send: %s", j->t->peer, e != NULL ? e : "?");
		free(e);
	}
}

/* The end of a walk: the next one, or a GET of its root when it found nothing. */
static void
walk_end(struct job *j)
{
	if (j->got == 0 && j->phase == P_WALK) {
		j->phase = P_WALKGET;
		return;
	}
	j->phase = P_WALK;
	j->next++;
	j->curlen = 0;
}

static int
answered(int op, netsnmp_session *sp, int reqid, netsnmp_pdu *pdu, void *magic)
{
	struct job *j = magic;
	netsnmp_variable_list *v;
	char what[64];

	(void)reqid;
	snprintf(what, sizeof(what), "%s", j->phase == P_GET ? "get" :
	    j->phase == P_DONE ? "?" : "walk");
	if (j->phase == P_WALK || j->phase == P_WALKGET)
		snprintf(what, sizeof(what), "walk %s", j->t->walk[j->next]);
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		job_fail(j, "%s: %s: no answer (timeout)", j->t->peer, what);
		return 1;
	}
	if (pdu != NULL && pdu->command == SNMP_MSG_REPORT) {
		job_fail(j, "%s: %s", j->t->peer, snmp_api_errstring(snmpv3_get_report_type(pdu)));
		return 1;
	}
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || pdu == NULL) {
		int e = sp != NULL ? sp->s_snmp_errno : 0;
		char why[400];

		snprintf(why, sizeof(why), "%s: %s", what, e != 0 ? snmp_api_errstring(e) :
		    op == NETSNMP_CALLBACK_OP_SEC_ERROR ? "the answer failed the security checks" :
		    lastlog[0] != '\0' ? lastlog : "the request failed");
		job_fail(j, "%s: %s", j->t->peer, why);
		return 1;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		char e[128];

		snprintf(e, sizeof(e), "%s: %s", what, snmp_errstring((int)pdu->errstat));
		job_fail(j, "%s: %s", j->t->peer, e);
		return 1;
	}
	switch (j->phase) {
	case P_GET:
	case P_WALKGET:
		for (v = pdu->variables; v != NULL; v = v->next_variable)
			if (print_var(j, v) < 0)
				return 1;
		if (j->phase == P_WALKGET) {
			j->phase = P_WALK;
			j->next++;
			j->curlen = 0;
		}
		break;
	case P_WALK:
		for (v = pdu->variables; v != NULL; v = v->next_variable) {
			if (v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT ||
			    v->type == SNMP_NOSUCHINSTANCE || v->name_length < j->rootlen ||
			    memcmp(v->name, j->root, j->rootlen * sizeof(oid)) != 0) {
				walk_end(j);
				goto next;
			}
			if (snmp_oid_compare(v->name, v->name_length, j->cur, j->curlen) <= 0) {
				job_fail(j, "%s: %s: OID not increasing (the agent loops)",
				    j->t->peer, what);
				return 1;
			}
			if (print_var(j, v) < 0)
				return 1;
			j->got++;
			memcpy(j->cur, v->name, v->name_length * sizeof(oid));
			j->curlen = v->name_length;
		}
		if (pdu->variables == NULL)
			walk_end(j);
		break;
	case P_DONE:
		return 1;
	}
next:
	job_next(j);
	return 1;
}

/* Opens the job's session (SNMPv3: learns the engine ID). 0, or -1. */
static int
job_open(struct job *j)
{
	const struct aiops_snmp_target *t = j->t;
	netsnmp_session s;
	size_t len;

	snmp_sess_init(&s);
	s.peername = (char *)t->peer;
	s.timeout = (t->timeout_ms > 0 ? t->timeout_ms : AIOPS_SNMP_TIMEOUT_MS) * 1000L;
	s.retries = t->retries >= 0 ? t->retries : AIOPS_SNMP_RETRIES;
	s.callback = answered;
	s.callback_magic = j;
	if (t->version == 2) {
		s.version = SNMP_VERSION_2c;
		s.community = (u_char *)t->community;
		s.community_len = strlen(t->community);
	} else {
		s.version = SNMP_VERSION_3;
		s.securityName = (char *)t->user;
		s.securityNameLen = strlen(t->user);
		s.securityModel = SNMP_SEC_MODEL_USM;
		s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
		if (t->context != NULL) {
			s.contextName = (char *)t->context;
			s.contextNameLen = strlen(t->context);
		}
		if (t->auth_proto != NULL) {
			int at = usm_lookup_auth_type(t->auth_proto);

			s.securityLevel = SNMP_SEC_LEVEL_AUTHNOPRIV;
			s.securityAuthProto = sc_get_auth_oid(at, &len);
			s.securityAuthProtoLen = len;
			s.securityAuthKeyLen = USM_AUTH_KU_LEN;
			if (generate_Ku(s.securityAuthProto, (u_int)s.securityAuthProtoLen,
			    (const u_char *)t->auth_pass, strlen(t->auth_pass), s.securityAuthKey,
			    &s.securityAuthKeyLen) != SNMPERR_SUCCESS) {
				job_fail(j, "%s: %s", t->peer, "cannot make the auth key from its passphrase");
				return -1;
			}
		}
		if (t->priv_proto != NULL) {
			int pt = usm_lookup_priv_type(t->priv_proto);

			s.securityLevel = SNMP_SEC_LEVEL_AUTHPRIV;
			s.securityPrivProto = sc_get_priv_oid(pt, &len);
			s.securityPrivProtoLen = len;
			s.securityPrivKeyLen = USM_PRIV_KU_LEN;
			if (generate_Ku(s.securityAuthProto, (u_int)s.securityAuthProtoLen,
			    (const u_char *)t->priv_pass, strlen(t->priv_pass), s.securityPrivKey,
			    &s.securityPrivKeyLen) != SNMPERR_SUCCESS) {
				job_fail(j, "%s: %s", t->peer, "cannot make the priv key from its passphrase");
				return -1;
			}
		}
	}
	lastlog[0] = '\0';
	j->ss = snmp_open(&s);
	explicit_bzero(s.securityAuthKey, sizeof(s.securityAuthKey));
	explicit_bzero(s.securityPrivKey, sizeof(s.securityPrivKey));
	if (j->ss == NULL) {
		int e = snmp_errno;

		job_fail(j, "%s: cannot open the session: %s", t->peer,
		    e != 0 ? snmp_api_errstring(e) : lastlog[0] != '\0' ? lastlog : "?");
		return -1;
	}
	return 0;
}

size_t
aiops_snmp_poll(const struct aiops_snmp_target *targets, struct aiops_snmp_result *results, size_t n)
{
	struct job *jobs;
	size_t i, failed = 0;

	pthread_once(&snmp_once, snmp_setup);
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	for (i = 0; i < n; i++) {
		aiops_buf_init(&results[i].text);
		results[i].nvarbinds = 0;
		results[i].failed = 0;
		results[i].err[0] = '\0';
	}
	if (jobs == NULL) {
		for (i = 0; i < n; i++) {
			results[i].failed = 1;
			snprintf(results[i].err, sizeof(results[i].err), "out of memory");
		}
		return n;
	}
	pthread_mutex_lock(&snmp_lock);
	for (i = 0; i < n; i++) {
		char err[256];

		jobs[i].t = &targets[i];
		jobs[i].r = &results[i];
		jobs[i].phase = P_GET;
		if (aiops_snmp_check(&targets[i], err, sizeof(err)) < 0) {
			job_fail(&jobs[i], "%s: %s", targets[i].peer != NULL ? targets[i].peer : "?", err);
			continue;
		}
		if (job_open(&jobs[i]) == 0)
			job_next(&jobs[i]);
	}
	for (;;) {
		int nfds = 0, block = 1, busy = 0, k;
		fd_set fds;
		struct timeval tv = { 1, 0 };

		for (i = 0; i < n; i++)
			if (jobs[i].phase != P_DONE)
				busy = 1;
		if (!busy)
			break;
		FD_ZERO(&fds);
		snmp_select_info(&nfds, &fds, &tv, &block);
		if (nfds == 0 && block) {	/* nothing in flight: should not be */
			for (i = 0; i < n; i++)
				if (jobs[i].phase != P_DONE)
					job_fail(&jobs[i], "%s: %s", jobs[i].t->peer, "no request in flight");
			break;
		}
		k = select(nfds, &fds, NULL, NULL, block ? NULL : &tv);
		if (k > 0)
			snmp_read(&fds);
		else if (k == 0)
			snmp_timeout();
		else if (errno != EINTR) {
			for (i = 0; i < n; i++)
				if (jobs[i].phase != P_DONE)
					job_fail(&jobs[i], "%s: select: %s", jobs[i].t->peer, strerror(errno));
			break;
		}
	}
	for (i = 0; i < n; i++) {
		if (jobs[i].ss != NULL)
			snmp_close(jobs[i].ss);
		failed += results[i].failed != 0;
	}
	pthread_mutex_unlock(&snmp_lock);
	free(jobs);
	return failed;
}

void
aiops_snmp_result_release(struct aiops_snmp_result *r)
{
	aiops_buf_release(&r->text);
}
