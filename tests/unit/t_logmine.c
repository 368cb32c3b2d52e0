/*
 * t_logmine.c: TAP tests for lib/logmine (masking, header split per family,
 * stable ids, params, persistence).  Standalone build:
 *   cc -Ilib tests/unit/t_logmine.c lib/logmine*.c -o t_logmine
 */
#include "compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/logmine.h"
#include "detect/logmine_int.h"
#include "tap.h"

/* Checked snprintf: a truncated test name or input is a test bug. */
static size_t
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(buf, size, f, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= size) {
		fprintf(stderr, "t_logmine: snprintf truncated\n");
		exit(2);
	}
	return (size_t)r;
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
	fmt(name, sizeof(name), "mask %s -> %s (got %s)", in, want, out);
	ok(strcmp(out, want) == 0, "%s", name);
}

/* Header split: message, and optionally level and component. */
static void
hdr_is(const char *family, const char *line, const char *msg,
    const char *level, const char *comp)
{
	struct aiops_loghead l;
	char name[256];

	aiops_loghdr_split(NULL, line, strlen(line), &l);
	fmt(name, sizeof(name), "header %s: message", family);
	ok(eqn(l.message, l.message_len, msg), "%s", name);
	fmt(name, sizeof(name), "header %s: level", family);
	ok(eqn(l.level, l.level_len, level), "%s", name);
	fmt(name, sizeof(name), "header %s: component", family);
	ok(eqn(l.component, l.component_len, comp), "%s", name);
}

static void
test_mask(void)
{
	mask_is("12345", "<*>");
	/* host names are values; file names and code are not */
	mask_is("proxy.cse.cuhk.edu.hk:5070", "<*>");
	mask_is("www.google.com", "<*>");
	mask_is("(ns.example.co.uk),", "(<*>),");
	mask_is("db-2.internal:5432", "<*>");
	mask_is("main.cc", "main.cc");
	mask_is("app.py", "app.py");
	mask_is("org.apache.Foo", "org.apache.Foo");
	mask_is("Example.com", "Example.com");
	mask_is(".com", ".com");
	mask_is("a..com", "a..com");
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
	mask_is("C:\\Windows\\winsxs\\cbscore.dll", "<*>");
	mask_is("broadcast_0", "broadcast_<*>");
	mask_is("v6.1.7601.23505", "<*>");
	mask_is("ssh-2.0", "ssh-<*>");
	mask_is("FF:F2:9C:00:1A:2B", "<*>");
	mask_is("HTTP/1.1\"", "HTTP/1.1\"");
	mask_is("PS/2", "PS/<*>");
	mask_is("1514038440000##6993##548365", "<*>##<*>##<*>");
	mask_is("fe80::1ff:fe23:4567:890a,", "<*>,");
	/* every IPv6 form is one value (../shared/cases/detect l03b) */
	mask_is("2001:db8:85a3::8a2e:370:7334", "<*>");
	mask_is("[2001:db8::1]:443", "<*>");
	mask_is("fe80::1ff:fe23:4567:890a%eth0", "<*>");
	mask_is("::1", "<*>");
	mask_is("::ffff:192.0.2.128", "<*>");
	mask_is("2001:db8::", "<*>");
	mask_is("2001:0db8:0000:0000:0000:ff00:0042:8329", "<*>");
	mask_is("fd12:3456:789a:1::/64", "<*>");
	mask_is("[fe80::abcd]:22", "<*>");
	mask_is("(2001:db8::1),", "(<*>),");
	mask_is("[2001:db8::1]", "<*>");
	/* and what is not one stays as it was */
	mask_is("std::io::Error", "std::io::Error");
	mask_is("12:34:56", "<*>");
	mask_is("1:2:3:4:5:6:7:8:9", "<*>");
	mask_is("dead:beef", "dead:beef");
	mask_is("a::b::c", "a::b::c");
	mask_is("[fe80::1]:x", "[fe80::<*>]:x");
	mask_is("Error:Bad", "Error:Bad");
	mask_is("onExtend:1514038530000", "onExtend:<*>");
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
	hdr_is("openstack", "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 "
	    "00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server "
	    "[req-38101a0b-2096 113d3a99 54fdadf5 - - -] 10.11.10.1 \"GET "
	    "/v2/servers/detail HTTP/1.1\" status: 200", "10.11.10.1 \"GET "
	    "/v2/servers/detail HTTP/1.1\" status: 200", "INFO",
	    "nova.osapi_compute.wsgi.server");
	hdr_is("thunderbird", "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 "
	    "dn228/dn228 crond(pam_unix)[2915]: session closed for user root",
	    "session closed for user root", NULL, "crond(pam_unix)");
	hdr_is("mac", "Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: "
	    "AppleThunderboltNHIType2::prePCIWake - power up complete",
	    "AppleThunderboltNHIType2::prePCIWake - power up complete", NULL,
	    "kernel");
	hdr_is("mac detail", "Jul  1 09:01:05 calvisitor-10-105-160-95 "
	    "com.apple.xpc.launchd[1] (com.apple.xpc.launchd.domain.pid.Web"
	    "Content.35837): Service exited with abnormal code: 1", "Service "
	    "exited with abnormal code: 1", NULL, "com.apple.xpc.launchd");
	hdr_is("proxifier *64", "[10.30 16:49:08] chrome.exe *64 - proxy.example"
	    ".org:5070 close", "proxy.example.org:5070 close", NULL,
	    "chrome.exe");
	hdr_is("mac spaces", "Jul  1 10:08:51 calvisitor-10-105-160-95 Google "
	    "Chrome Helper[31213]: Couldn't set selectedTextBackgroundColor",
	    "Couldn't set selectedTextBackgroundColor", NULL,
	    "Google Chrome Helper");
	hdr_is("syslog no prog", "Jul  1 09:02:26 calvisitor-10-105-160-95 --- "
	    "last message repeated 1 time ---", "--- last message repeated 1 "
	    "time ---", NULL, NULL);
	hdr_is("rfc3164", "<34>Oct 11 22:14:15 mymachine su: 'su root' failed "
	    "for lonvick on /dev/pts/8", "'su root' failed for lonvick on "
	    "/dev/pts/8", NULL, "su");
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
	ok(l.severity == AIOPS_SEV_WARNING, "severity guessed (invalid)");
	add(lm, "2015-07-29 17:41:44,747 - ERROR [x:Y@1] - boom", &l);
	ok(l.severity == AIOPS_SEV_ERR, "severity from level");
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

/* AIOPS_LOGMINE_NO_NEW: lines join what fits, make nothing new. */
static void
test_no_new(void)
{
	struct aiops_logmine *lm = aiops_logmine_new();
	struct aiops_logline l;
	const char *fits = "Dec 10 06:55:47 LabSZ sshd[2]: Invalid user admin from 10.0.0.1";
	const char *other = "Dec 10 06:55:48 LabSZ sshd[3]: authentication failed for root";

	add(lm, "Dec 10 06:55:46 LabSZ sshd[1]: Invalid user webmaster from 10.0.0.9", &l);
	ok(aiops_logmine_add(lm, fits, strlen(fits), AIOPS_LOGMINE_RAW | AIOPS_LOGMINE_NO_NEW,
	    &l) == 0 && l.template_id == 1 && l.count == 2 && l.nparams == 2,
	    "no new: a line that fits joins its template");
	ok(aiops_logmine_add(lm, other, strlen(other), AIOPS_LOGMINE_RAW | AIOPS_LOGMINE_NO_NEW,
	    &l) == 0 && l.template_id == 0 && l.tmpl == NULL && !l.is_new && l.nparams == 0,
	    "no new: one that fits none gets template 0");
	ok(eqn(l.component, l.component_len, "sshd") && eqn(l.message, l.message_len,
	    "authentication failed for root") && l.severity == AIOPS_SEV_ERR,
	    "with its header, message and severity guessed");
	ok(aiops_logmine_count(lm) == 1, "and the miner has no template more");
	add(lm, other, &l);
	ok(l.template_id == 2 && l.is_new, "without the flag it makes one");
	aiops_logmine_free(lm);
}

static int
count_cb(void *arg, uint64_t id, const char *tmpl, uint64_t count)
{
	(void)id;
	(void)tmpl;
	*(uint64_t *)arg += count;
	return 0;
}

/* Very long lines fold their tail into one token and survive save/load. */
static void
test_long(void)
{
	struct aiops_logmine *lm = aiops_logmine_new(), *lm2;
	struct aiops_logline l;
	char *line = malloc(20000), *saved;
	size_t k = 0, len, i;
	uint64_t id, total = 0;

	for (i = 0; i < 1500; i++)
		k += fmt(line + k, 20000 - k, "w%zu ", i % 7);
	line[k - 1] = '\n';
	line[k] = '\0';
	if (aiops_logmine_add(lm, line, k, 0, &l) == -1)
		exit(1);
	id = l.template_id;
	ok(l.template_id > 0, "1500-token line mined");
	saved = aiops_logmine_save(lm, &len);
	lm2 = aiops_logmine_new();
	ok(saved != NULL && aiops_logmine_load(lm2, saved, len) == 0,
	    "long template saved and loaded");
	if (aiops_logmine_add(lm2, line, k, 0, &l) == -1)
		exit(1);
	ok(l.template_id == id && !l.is_new, "long line keeps its id");
	aiops_logmine_foreach(lm2, count_cb, &total);
	ok(total == 2, "foreach sees the counts");
	free(saved);
	free(line);
	aiops_logmine_free(lm2);
	aiops_logmine_free(lm);
}

/* Words that are the event, and lines that differ in one. */
static void
test_words(void)
{
	static const char *const yes[] = { "above", "valid", "up", "canceled",
	    "cancelled", "Started", "FAILED", "success.", "(closed)", "down,",
	    "java.net.SocketTimeoutException:", "ValueError", "KeyError:",
	    "Win32Fault", "\"GET", "POST", NULL };
	static const char *const no[] = { "anna", "node7", "Error", "error:",
	    "Exception", "heap", "valids", "upx", "", "failed7", "a.b/Error",
	    "Post", "GETS", NULL };
	const char *const *w;
	struct aiops_logmine *lm = aiops_logmine_new();
	struct aiops_logline l;
	uint64_t first;
	char name[128];

	for (w = yes; *w != NULL; w++) {
		fmt(name, sizeof(name), "event word: %s", *w);
		ok(aiops_logmine_is_event_word(*w, strlen(*w)), "%s", name);
	}
	for (w = no; *w != NULL; w++) {
		fmt(name, sizeof(name), "not an event word: %s", *w);
		ok(!aiops_logmine_is_event_word(*w, strlen(*w)), "%s", name);
	}
	aiops_logmine_add(lm, "VM vm1 Started by operator", 26, 0, &l);
	first = l.template_id;
	aiops_logmine_add(lm, "VM vm2 Stopped by operator", 26, 0, &l);
	ok(l.template_id != first && l.is_new, "Started and Stopped: two templates");
	aiops_logmine_add(lm, "VM vm3 Started by operator", 26, 0, &l);
	ok(l.template_id == first, "a third line joins its own");
	aiops_logmine_add(lm, "anna logged in from 10.0.0.1", 28, 0, &l);
	first = l.template_id;
	aiops_logmine_add(lm, "Leaving logged in from 10.0.0.3", 31, 0, &l);
	ok(l.template_id != first, "a capitalised verb first is no value");
	aiops_logmine_add(lm, "omar logged in from 10.0.0.2", 28, 0, &l);
	ok(l.template_id == first && eqn(l.tmpl, l.tmpl_len,
	    "<*> logged in from <*>"), "a variable first word joins the template");
	/* no words at all, and a header alone: a template of their own */
	ok(aiops_logmine_add(lm, "", 0, 0, &l) == 0 && l.tmpl_len == 0,
	    "an empty message is mined");
	ok(aiops_logmine_add(lm, "2026-01-05T00:00:00Z INFO", 25,
	    AIOPS_LOGMINE_RAW, &l) == 0 && l.message_len == 0,
	    "a header alone is an empty message");
	aiops_logmine_free(lm);
}

/*
 * learn_is: 40 lines of a header format (three %s: the seconds, the level
 * and a message of five kinds; "%.0s" leaves one out), learned from the
 * first 32; the 40th line's message and component.
 */
static void
learn_is(const char *family, const char *format, const char *msg,
    const char *comp)
{
	static const char *const kinds[] = { "PacketResponder 1 for block 7",
	    "Receiving block 9 src: /10.0.0.1 dest: /10.0.0.2",
	    "session opened for user root", "job 12 finished: status ok",
	    "error: upstream timeout after 40 ms" };
	struct aiops_loghdr *lh = aiops_loghdr_new();
	struct aiops_loghead l;
	char line[256], name[128], sec[8];
	int i;

	for (i = 0; i < 40; i++) {
		fmt(sec, sizeof(sec), "%02d", i);
		fmt(line, sizeof(line), format, sec, i % 5 == 4 ? "ERROR" : "INFO",
		    kinds[i % 5]);
		if (aiops_loghdr_learning(lh))
			aiops_loghdr_sample(lh, line, strlen(line));
	}
	aiops_loghdr_split(lh, line, strlen(line), &l);
	fmt(name, sizeof(name), "learned %s: message", family);
	ok(eqn(l.message, l.message_len, msg), "%s", name);
	fmt(name, sizeof(name), "learned %s: component", family);
	ok(eqn(l.component, l.component_len, comp), "%s", name);
	aiops_loghdr_free(lh);
}

static void
test_learner(void)
{
	const char *last = "error: upstream timeout after 40 ms";
	struct aiops_loghdr *lh = aiops_loghdr_new();
	struct aiops_loghead l;
	char line[128];
	int i;

	learn_is("us-pipe", "11/30/2026 9:15:%s AM | %s | billing | %s", last,
	    "billing");
	learn_is("python", "2026-11-30 09:15:%s,123 - app.views - %s - %s",
	    last, "app.views");
	learn_is("logback",
	    "09:15:%s.123 [main] %s  c.e.api.OrderController - %s", last,
	    "c.e.api.OrderController");
	learn_is("glog", "I1130 09:15:%s.123456   4411 %.0sserver.go:88] %s",
	    last, "server.go:88");
	learn_is("tabs", "2026-11-30T09:15:%s.123Z\t%s\tsrv/http.go:88\t%s",
	    last, "srv/http.go:88");
	learn_is("compose", "billing-1  %.0s| %.0s%s", last, "billing-1");
	/* a source of one kind of message: no header is learned in it */
	for (i = 0; i < 40; i++) {
		fmt(line, sizeof(line), "2026-01-05T00:00:%02dZ INFO backup: "
		    "job %d finished: status success", i % 60, 100 + i);
		if (aiops_loghdr_learning(lh))
			aiops_loghdr_sample(lh, line, strlen(line));
	}
	aiops_loghdr_split(lh, line, strlen(line), &l);
	ok(eqn(l.message, l.message_len, "job 139 finished: status success"),
	    "one kind of message: the grammar's split");
	aiops_loghdr_free(lh);
	/* fixed formats, built in */
	hdr_is("RFC 5424", "<134>1 2026-11-30T09:15:02.040Z web-03 auth 38098 "
	    "ID47 [ex@1 a=\"x]\\\"y\"][b c=\"d\"] user gone", "user gone",
	    NULL, "auth");
	hdr_is("RFC 5424 nil", "<14>1 - - - - - - hello", "hello", NULL, NULL);
	/* cut short before its structured data: not RFC 5424, read on */
	hdr_is("RFC 5424 cut", "<14>1 - - - - - ", "- - - - - ", NULL, NULL);
	hdr_is("CRI", "2026-11-30T09:15:02.006555846Z stderr F disk full",
	    "disk full", NULL, "stderr");
	hdr_is("dd.mm.yyyy", "30.11.2026 09:15:04,524 WARN  auth: disk full",
	    "disk full", "WARN", "auth");
}

int
main(void)
{
	test_words();
	test_learner();
	test_mask();
	test_header();
	test_mining();
	test_no_new();
	test_long();
	return tap_done();
}
