/*
 * t_logmine.c: TAP tests for lib/logmine (masking, header split per family,
 * stable ids, params, persistence).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logmine.h"

static int ntest;
static int nfail;

static void
ok(int cond, const char *name)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", ntest, name);
}

static int
eqn(const char *p, size_t n, const char *want)
{
	if (p == NULL)
		return want == NULL;
	return want != NULL && strlen(want) == n && memcmp(p, want, n) == 0;
}

static void
mask_is(const char *in, const char *want)
{
	char out[512], name[600];

	aiops_logmine_mask_token(in, strlen(in), out);
	snprintf(name, sizeof(name), "mask %s -> %s (got %s)", in, want, out);
	ok(strcmp(out, want) == 0, name);
}

/* Header split: message, and optionally level and component. */
static void
hdr_is(const char *family, const char *line, const char *msg,
    const char *level, const char *comp)
{
	struct aiops_logline l;
	char name[256];

	aiops_logmine_header(line, strlen(line), &l);
	snprintf(name, sizeof(name), "header %s: message", family);
	ok(eqn(l.message, l.message_len, msg), name);
	snprintf(name, sizeof(name), "header %s: level", family);
	ok(eqn(l.level, l.level_len, level), name);
	snprintf(name, sizeof(name), "header %s: component", family);
	ok(eqn(l.component, l.component_len, comp), name);
}

static void
test_mask(void)
{
	mask_is("12345", "<*>");
	mask_is("10.251.73.220:50010", "<*>");
	mask_is("(HWID=1973)", "(HWID=<*>)");
	mask_is("node-246", "node-<*>");
	mask_is("CPU#0", "CPU#<*>");
	mask_is("uid=0", "uid=<*>");
	mask_is("ssh2", "ssh2");
	mask_is("0x1f,", "<*>,");
	mask_is("blk_-6952295868487656571", "<*>");
	mask_is("/etc/httpd/conf/workers2.properties", "<*>");
	mask_is("http://example.com/x?y=1", "<*>");
	mask_is("2c1e9e5c-8a4b-4c2d-9f1e-0a1b2c3d4e5f", "<*>");
	mask_is("ActivityRecord{de9231d", "ActivityRecord{<*>");
	mask_is("x[0]=1069.0,", "x[<*>]=<*>,");
	mask_is("setLightsOn(true)", "setLightsOn(<*>)");
	mask_is("10.0.0.1:50010:Got", "<*>:Got");
	mask_is("[preauth]", "[preauth]");
}

static void
test_header(void)
{
	hdr_is("syslog", "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: "
	    "check pass; user unknown", "check pass; user unknown", NULL,
	    "sshd(pam_unix)");
	hdr_is("openssh", "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user "
	    "webmaster from 173.234.31.186", "Invalid user webmaster from "
	    "173.234.31.186", NULL, "sshd");
	hdr_is("hdfs", "081109 203615 148 INFO dfs.DataNode$PacketResponder: "
	    "PacketResponder 1 for block blk_1 terminating",
	    "PacketResponder 1 for block blk_1 terminating", "INFO",
	    "dfs.DataNode$PacketResponder");
	hdr_is("log4j/hadoop", "2015-10-18 18:01:47,978 INFO [main] "
	    "org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster",
	    "Created MRAppMaster", "INFO",
	    "org.apache.hadoop.mapreduce.v2.app.MRAppMaster");
	hdr_is("zookeeper", "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]"
	    "/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time "
	    "out: 3200", "Notification time out: 3200", "INFO",
	    "QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774");
	hdr_is("android", "03-17 16:13:38.811  1702  2395 D WindowManager: "
	    "printFreezingDisplayLogs", "printFreezingDisplayLogs", "D",
	    "WindowManager");
	hdr_is("apache", "[Sun Dec 04 04:47:44 2005] [error] mod_jk child "
	    "workerEnv in error state 6", "mod_jk child workerEnv in error "
	    "state 6", "error", NULL);
	hdr_is("bgl", "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 "
	    "2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO "
	    "ciod: generating core.1820", "ciod: generating core.1820",
	    "INFO", "KERNEL");
	hdr_is("hpc", "134681 node-246 unix.hw state_change.unavailable "
	    "1077804742 1 Component State Change: Component alt0 is in the "
	    "unavailable state (HWID=1973)", "Component State Change: "
	    "Component alt0 is in the unavailable state (HWID=1973)", NULL,
	    NULL);
	hdr_is("spark", "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutor"
	    "Backend: Registered signal handlers", "Registered signal handlers",
	    "INFO", "executor.CoarseGrainedExecutorBackend");
	hdr_is("nginx error", "2024/01/02 10:00:00 [error] 1234#0: *5 open() "
	    "failed", "*5 open() failed", "error", "1234#0");
	hdr_is("healthapp", "20171223-22:15:29:606|Step_LSC|30002312|"
	    "onStandStepChanged 3579", "onStandStepChanged 3579", NULL,
	    "Step_LSC");
	hdr_is("proxifier", "[10.30 16:49:06] chrome.exe - proxy.example.org:"
	    "5070 close, 0 bytes sent", "proxy.example.org:5070 close, 0 bytes "
	    "sent", NULL, "chrome.exe");
	hdr_is("windows", "2016-09-28 04:30:30, Info                  CBS    "
	    "Loaded Servicing Stack v6.1", "Loaded Servicing Stack v6.1",
	    "Info", "CBS");
	hdr_is("no header", "plain message without header",
	    "plain message without header", NULL, NULL);
}

static void
add(struct aiops_logmine *lm, const char *line, struct aiops_logline *l)
{
	if (aiops_logmine_add(lm, line, strlen(line), AIOPS_LOGMINE_RAW,
	    l) == -1) {
		perror("aiops_logmine_add");
		exit(1);
	}
}

static void
test_mining(void)
{
	struct aiops_logmine *lm = aiops_logmine_new(), *lm2;
	struct aiops_logline l;
	uint64_t a, b;
	char *saved;
	size_t len;

	add(lm, "Dec 10 06:55:46 LabSZ sshd[1]: Invalid user webmaster from "
	    "173.234.31.186", &l);
	a = l.template_id;
	ok(l.is_new, "first line creates a template");
	add(lm, "Dec 10 06:55:47 LabSZ sshd[2]: Invalid user admin from "
	    "10.0.0.1", &l);
	ok(l.template_id == a && !l.is_new, "same shape keeps the id");
	ok(eqn(l.tmpl, l.tmpl_len, "Invalid user <*> from <*>"),
	    "template generalised");
	ok(l.nparams == 2 && eqn(l.params[0], l.param_lens[0], "admin") &&
	    eqn(l.params[1], l.param_lens[1], "10.0.0.1"), "params extracted");
	add(lm, "Dec 10 06:55:48 LabSZ sshd[3]: Connection closed by "
	    "1.2.3.4 [preauth]", &l);
	b = l.template_id;
	ok(b != a && l.is_new, "other message gets a new id");
	add(lm, "Dec 10 06:55:49 LabSZ sshd[4]: Invalid user test from "
	    "10.0.0.2", &l);
	ok(l.template_id == a, "id stable after other templates");
	ok(l.severity == AIOPS_LOGSEV_WARNING, "severity guessed (invalid)");
	add(lm, "2015-07-29 17:41:44,747 - ERROR [x:Y@1] - boom", &l);
	ok(l.severity == AIOPS_LOGSEV_ERR, "severity from level");
	ok(aiops_logmine_count(lm) == 3, "three templates");

	saved = aiops_logmine_save(lm, &len);
	ok(saved != NULL && len > 0, "save");
	lm2 = aiops_logmine_new();
	ok(aiops_logmine_load(lm2, saved, len) == 0, "load");
	add(lm2, "Dec 10 06:55:50 LabSZ sshd[5]: Invalid user guest from "
	    "10.0.0.3", &l);
	ok(l.template_id == a && !l.is_new, "id stable across save/load");
	add(lm2, "Dec 10 06:55:51 LabSZ sshd[6]: Server listening on 0.0.0.0 "
	    "port 22.", &l);
	ok(l.template_id == 4, "new ids continue after loaded ones");
	free(saved);
	aiops_logmine_free(lm2);
	aiops_logmine_free(lm);
}

int
main(void)
{
	printf("1..75\n");
	test_mask();
	test_header();
	test_mining();
	if (ntest != 75)
		printf("# planned 75, ran %d\n", ntest);
	return nfail != 0 || ntest != 75;
}
