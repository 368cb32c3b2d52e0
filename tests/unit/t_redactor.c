/*
 * t_redactor.c: lib/llm/redactor on a table of inputs and the outputs
 * expected (every kind, and what must be left alone: fingerprints, sha256
 * ids, timestamps, durations, versions, paths, metric names); numbering
 * that stays put across calls; restore of a model's answer; apply_json;
 * bytes that are not UTF-8; and the time 1 MiB of log text takes.
 */
#include "compat.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "llm/redactor.h"
#include "tap.h"

#define D	AIOPS_REDACT_DEFAULT
#define A	AIOPS_REDACT_ALL

static const struct tc {
	unsigned	 kinds;
	const char	*in;
	const char	*want;
} cases[] = {
	/* IPv4 */
	{ D, "connect to 10.0.0.1 failed", "connect to [IP_1] failed" },
	{ D, "from 192.168.1.10:8080", "from [IP_1]:8080" },
	{ D, "route 10.1.0.0/16 via 10.1.0.1", "route [IP_1] via [IP_2]" },
	{ D, "a 10.0.0.1 b 10.0.0.2 c 10.0.0.1", "a [IP_1] b [IP_2] c [IP_1]" },
	{ D, "ip=255.255.255.255.", "ip=[IP_1]." },
	{ D, "bind 0.0.0.0", "bind [IP_1]" },
	{ D, "mask 10.0.0.1/33", "mask [IP_1]/33" },
	{ D, "version 1.2.3.4.5 released", "version 1.2.3.4.5 released" },
	{ D, "glibc 2.35 and kernel 6.1.0", "glibc 2.35 and kernel 6.1.0" },
	{ D, "not 256.1.1.1 nor 1.2.3.999", "not 256.1.1.1 nor 1.2.3.999" },
	{ D, "build v1.2.3.4", "build v1.2.3.4" },
	/* IPv6 */
	{ D, "addr 2001:db8::1 up", "addr [IP_1] up" },
	{ D, "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[IP_1]" },
	{ D, "link fe80::1ff:fe23:4567:890a%eth0 ok", "link [IP_1] ok" },
	{ D, "mapped ::ffff:192.0.2.1", "mapped [IP_1]" },
	{ D, "nat64 64:ff9b::198.51.100.7", "nat64 [IP_1]" },
	{ D, "http://[2001:db8::1]:443/", "http://[[IP_1]]:443/" },
	{ D, "prefix 2001:db8::/32", "prefix [IP_1]" },
	{ D, "listen on ::1 port 53", "listen on [IP_1] port 53" },
	{ D, "a :: b", "a :: b" },
	{ D, "at 12:30:45 and 2024-05-01T12:30:45.123Z", "at 12:30:45 and 2024-05-01T12:30:45.123Z" },
	{ D, "took 1:30, then 01:02:03", "took 1:30, then 01:02:03" },
	{ D, "std::vector<int> Foo::bar", "std::vector<int> Foo::bar" },
	/* e-mail */
	{ D, "mail alice@example.com now", "mail [EMAIL_1] now" },
	{ D, "<bob.smith+ops@mail.corp.example.org>", "<[EMAIL_1]>" },
	{ D, "alice@example.com, ALICE@example.com, alice@example.com",
	  "[EMAIL_1], [EMAIL_2], [EMAIL_1]" },
	{ D, "root@localhost", "root@localhost" },
	{ D, "[exampleSDID@32473 iut=\"3\"] sd.exampleSDID@32473.eventID",
	  "[exampleSDID@32473 iut=\"3\"] sd.exampleSDID@32473.eventID" },
	/* secrets: Authorization, Bearer */
	{ D, "Authorization: Bearer abc123def456ghi", "Authorization: Bearer [SECRET_1]" },
	{ D, "curl -H 'Authorization: Basic dXNlcjpwYXNz'", "curl -H 'Authorization: Basic [SECRET_1]'" },
	{ D, "sent bearer eyJhbGciOi.x.y-z_1", "sent bearer [SECRET_1]" },
	{ D, "Bearer authentication failed", "Bearer authentication failed" },
	/* secrets: key=value, the value only */
	{ D, "password=hunter2 user=bob", "password=[SECRET_1] user=bob" },
	{ D, "{\"password\":\"s3c\\\"ret\",\"user\":\"bob\"}", "{\"password\":\"[SECRET_1]\",\"user\":\"bob\"}" },
	{ D, "msg=\"{\\\"token\\\":\\\"t0k3n\\\"}\"", "msg=\"{\\\"token\\\":\\\"[SECRET_1]\\\"}\"" },
	{ D, "DB_PASSWORD: hunter2", "DB_PASSWORD: [SECRET_1]" },
	{ D, "api_key = abcd&x=1", "api_key = [SECRET_1]&x=1" },
	{ D, "X-Api-Key: k-123", "X-Api-Key: [SECRET_1]" },
	{ D, "client_secret='xyz zy'", "client_secret='[SECRET_1]'" },
	{ D, "Passwd => pa55", "Passwd => [SECRET_1]" },
	{ D, "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	  "AWS_SECRET_ACCESS_KEY=[SECRET_1]" },
	{ D, "GET /cb?access_token=ya29.a0Af&state=1", "GET /cb?access_token=[SECRET_1]&state=1" },
	{ D, "token: abc", "token: [SECRET_1]" },
	{ D, "max_tokens: 512, token_count=5, tokens=3", "max_tokens: 512, token_count=5, tokens=3" },
	{ D, "password:\nnext", "password:\nnext" },
	/* secrets: token shapes */
	{ D, "key AKIAIOSFODNN7EXAMPLE used", "key [SECRET_1] used" },
	{ D, "ghp_0123456789abcdefghijABCDEFGHIJ012345 pushed", "[SECRET_1] pushed" },
	{ D, "gho_0123456789abcdefghijABCDEFGHIJ012345", "[SECRET_1]" },
	{ D, "pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789",
	  "pat [SECRET_1]" },
	{ D, "slack xoxb-1234567890-abcdefghij!", "slack [SECRET_1]!" },
	{ D, "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk.",
	  "jwt [SECRET_1]." },
	{ D, "-----BEGIN RSA PRIVATE KEY-----\nMIIEow 10.0.0.1\n-----END RSA PRIVATE KEY-----\nnext",
	  "[SECRET_1]\nnext" },
	{ D, "x -----BEGIN PRIVATE KEY-----\nMIIEvQ", "x [SECRET_1]" },
	{ D, "-----BEGIN CERTIFICATE-----\nMIIB", "-----BEGIN CERTIFICATE-----\nMIIB" },
	{ D, "tok aiops_0123456789ab_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456 ok",
	  "tok [SECRET_1] ok" },
	{ D, "signing key: 3f2a9c0e8b7d6a5f4e3d2c1b0a9f8e7d", "signing key: [SECRET_1]" },
	{ D, "hmac \"c2VjcmV0LXZhbHVlLXRoYXQtaXMtbG9uZzEyMzQ=\"",
	  "hmac \"[SECRET_1]\"" },
	{ D, "fingerprint 9f86d081884c7d65 seen", "fingerprint 9f86d081884c7d65 seen" },
	{ D, "template 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	  "template 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
	{ D, "id=4e3d2c1b0a9f8e7d sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	  "id=4e3d2c1b0a9f8e7d sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
	{ D, "key: abcdefghijklmnopqrstuvwxyzabcdefghij", "key: abcdefghijklmnopqrstuvwxyzabcdefghij" },
	/* URL credentials */
	{ D, "https://bob:pa55@git.example.com/repo", "https://[SECRET_1]@git.example.com/repo" },
	{ D, "redis://:s3cret@10.0.0.5:6379/0", "redis://[SECRET_1]@[IP_1]:6379/0" },
	{ D, "https://example.com/a:b@c", "https://example.com/a:b@c" },
	/* MAC */
	{ D, "eth0 00:1a:2b:3c:4d:5e up", "eth0 [MAC_1] up" },
	{ D, "hw 00-1A-2B-3C-4D-5E", "hw [MAC_1]" },
	{ D, "cisco 001a.2b3c.4d5e.", "cisco [MAC_1]." },
	{ D, "12:30:45:67 and 0a:1b:2c:3d:4e", "12:30:45:67 and 0a:1b:2c:3d:4e" },
	/* hosts: names added (web1, db-primary) and FQDNs */
	{ A, "web1 is down", "[HOST_1] is down" },
	{ A, "WEB1:9100 and web1", "[HOST_1]:9100 and [HOST_2]" },
	{ A, "web1.lan", "[HOST_1].lan" },
	{ A, "web10 web1_cpu db-primary-2 xweb1", "web10 web1_cpu db-primary-2 xweb1" },
	{ A, "db-primary replica lag", "[HOST_1] replica lag" },
	{ A, "api.prod.example.com down", "[HOST_1] down" },
	{ A, "http://api.prod.example.com:8080/x", "http://[HOST_1]:8080/x" },
	{ A, "https://web1/metrics", "https://[HOST_1]/metrics" },
	{ A, "Resolved www.example.co.uk.", "Resolved [HOST_1]." },
	{ A, "k8s web.default.svc.cluster.local", "k8s [HOST_1]" },
	{ A, "/var/log/www.example.com.log and /etc/web1/conf",
	  "/var/log/www.example.com.log and /etc/web1/conf" },
	{ A, "node_cpu_seconds_total{instance=\"x\"} 12", "node_cpu_seconds_total{instance=\"x\"} 12" },
	{ A, "e.g. this, i.e. that, etc.", "e.g. this, i.e. that, etc." },
	{ A, "backup.tar.gz jquery.min.js config.h.in", "backup.tar.gz jquery.min.js config.h.in" },
	{ A, "at org.apache.kafka.clients.NetworkClient os.path.join",
	  "at org.apache.kafka.clients.NetworkClient os.path.join" },
	{ A, "bob@mail.example.com", "[EMAIL_1]" },
	{ D, "web1 api.prod.example.com", "web1 api.prod.example.com" },
	{ AIOPS_REDACT_HOST, "bob@mail.example.com", "bob@[HOST_1]" },
	/* mixed, overlaps, kinds off */
	{ D, "user=alice@example.com from 10.0.0.1 mac 00:1a:2b:3c:4d:5e",
	  "user=[EMAIL_1] from [IP_1] mac [MAC_1]" },
	{ D, "password=10.0.0.1", "password=[SECRET_1]" },
	{ D, "token=alice@example.com", "token=[SECRET_1]" },
	{ AIOPS_REDACT_IP, "alice@example.com 10.0.0.1 password=x", "alice@example.com [IP_1] password=x" },
	{ 0, "10.0.0.1 alice@example.com password=x", "10.0.0.1 alice@example.com password=x" },
	{ D, "", "" },
	/* bytes that are not UTF-8, a NUL-free run */
	{ D, "\xff\xfe 10.0.0.1 \xc3", "\xff\xfe [IP_1] \xc3" },
	{ D, "\xe9t\xe9 10.0.0.1\xe9", "\xe9t\xe9 [IP_1]\xe9" },
	/* placeholders typed in the input keep their numbers to themselves */
	{ D, "[IP_1] and 10.0.0.1", "[IP_1] and [IP_2]" },
	{ D, "[SECRET_1] [IP_2] password=x 10.0.0.1 10.0.0.3",
	  "[SECRET_1] [IP_2] password=[SECRET_2] [IP_1] [IP_3]" },
};

/* A test's name on one line: TAP reads a raw newline as the next line. */
static const char *
oneline(const char *s)
{
	static char buf[160];
	size_t i = 0;

	for (; *s != '\0' && i + 5 < sizeof(buf); s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			buf[i++] = (char)c;
		else
			i += (size_t)snprintf(buf + i, sizeof(buf) - i, "\\x%02x", c);
	}
	buf[i] = '\0';
	return buf;
}

static struct aiops_redactor *
mk(unsigned kinds)
{
	char err[256] = "";
	struct aiops_redactor *r = aiops_redactor_new(kinds, err, sizeof(err));

	if (r == NULL) {
		printf("# aiops_redactor_new: %s\n", err);
		exit(1);
	}
	if (aiops_redactor_add_host(r, "web1") != 0 ||
	    aiops_redactor_add_host(r, "DB-Primary.") != 0) {
		printf("# aiops_redactor_add_host failed\n");
		exit(1);
	}
	return r;
}

static void
test_table(void)
{
	struct aiops_buf out = AIOPS_BUF_INIT;
	struct aiops_redactor *r;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = mk(cases[i].kinds);
		aiops_buf_reset(&out);
		rc = aiops_redactor_apply(r, cases[i].in, strlen(cases[i].in), &out);
		ok(rc == 0, "case %zu: apply", i + 1);
		is_str(out.len ? out.data : "", cases[i].want, "case %zu: %s", i + 1,
		    oneline(cases[i].want));
		aiops_redactor_free(r);
	}
	aiops_buf_release(&out);
}

static char *
run(struct aiops_redactor *r, const char *s, int restore)
{
	struct aiops_buf out = AIOPS_BUF_INIT;
	int rc;

	aiops_buf_addstr(&out, "");
	rc = restore ? aiops_redactor_restore(r, s, strlen(s), &out) :
	    aiops_redactor_apply(r, s, strlen(s), &out);
	if (rc != 0) {
		aiops_buf_release(&out);
		return NULL;
	}
	return aiops_buf_detach(&out, NULL);
}

static void
check(struct aiops_redactor *r, const char *in, int restore, const char *want, const char *what)
{
	char *got = run(r, in, restore);

	is_str(got, want, "%s", what);
	free(got);
}

static void
test_session(void)
{
	struct aiops_redactor *r = mk(A);
	const char *orig = "web1 (10.0.0.1, 2001:db8::1) mailed alice@example.com; "
	    "password=hunter2 from 00:1a:2b:3c:4d:5e via api.prod.example.com";
	char *red, *back;

	check(r, "10.0.0.7 10.0.0.8", 0, "[IP_1] [IP_2]", "session: first call");
	check(r, "10.0.0.8 10.0.0.9 10.0.0.7", 0, "[IP_2] [IP_3] [IP_1]",
	    "session: the same IP keeps its number in a later call");
	is_int(aiops_redactor_count(r, AIOPS_REDACT_IP), 3, "count IP: distinct originals");
	red = run(r, orig, 0);
	is_str(red, "[HOST_1] ([IP_4], [IP_5]) mailed [EMAIL_1]; password=[SECRET_1] from "
	    "[MAC_1] via [HOST_2]", "session: every kind");
	back = run(r, red, 1);
	is_str(back, "web1 (10.0.0.1, 2001:db8::1) mailed alice@example.com; "
	    "password=[SECRET_1] from 00:1a:2b:3c:4d:5e via api.prod.example.com",
	    "restore: the original back, except the secret");
	free(red);
	free(back);
	check(r, "Reboot [HOST_1] ([IP_4]); rotate [SECRET_1]; [IP_99] and [EMAIL_1x] [MAC_0] [IP_1",
	    1, "Reboot web1 (10.0.0.1); rotate [SECRET_1]; [IP_99] and [EMAIL_1x] [MAC_0] [IP_1",
	    "restore: the model's answer; unknown placeholders stay");
	is_int(aiops_redactor_count(r, AIOPS_REDACT_SECRET), 1, "count SECRET");
	is_int(aiops_redactor_count(r, AIOPS_REDACT_HOST), 2, "count HOST");
	is_int(aiops_redactor_count(r, AIOPS_REDACT_EMAIL), 1, "count EMAIL");
	is_int(aiops_redactor_count(r, AIOPS_REDACT_MAC), 1, "count MAC");
	is_int(aiops_redactor_count(r, AIOPS_REDACT_URLCRED), 0, "count URLCRED");
	check(r, "https://u:p@x.example/", 0, "https://[SECRET_2]@x.example/",
	    "URL credentials share the SECRET numbers");
	is_int(aiops_redactor_count(r, AIOPS_REDACT_URLCRED), 1, "count URLCRED after one");
	aiops_redactor_free(r);

	/* a placeholder typed by the user is not mapped to our original */
	r = mk(D);
	red = run(r, "[IP_1] is 10.0.0.1? [IP_3]", 0);
	is_str(red, "[IP_1] is [IP_2]? [IP_3]", "typed placeholders: reserved");
	back = run(r, red, 1);
	is_str(back, "[IP_1] is 10.0.0.1? [IP_3]", "typed placeholders: round trip");
	free(red);
	free(back);
	check(r, "10.9.9.9", 0, "[IP_4]", "typed placeholders: numbers skip the reserved");
	aiops_redactor_free(r);
}

static void
test_errors(void)
{
	struct aiops_redactor *r;
	struct aiops_buf out = AIOPS_BUF_INIT;
	char err[128] = "";
	size_t i;
	int rc = 0;

	ok(aiops_redactor_new(1u << 9, err, sizeof(err)) == NULL && err[0] != '\0',
	    "unknown kinds refused: %s", err);
	r = mk(A);
	errno = 0;
	ok(aiops_redactor_add_host(r, "bad host") == -1 && errno == EINVAL, "bad host name");
	ok(aiops_redactor_add_host(r, "") == -1 && aiops_redactor_add_host(r, ".") == -1,
	    "empty host name");
	ok(aiops_redactor_add_host(r, "web1") == 0, "adding a host twice is fine");
	aiops_redactor_free(r);
	aiops_redactor_free(NULL);

	/* the bound: 100000 originals, then -1 and out untouched */
	r = mk(AIOPS_REDACT_IP);
	for (i = 0; i < AIOPS_REDACTOR_MAX && rc == 0; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.%zu.%zu.%zu", i >> 16, (i >> 8) & 255, i & 255);
		aiops_buf_reset(&out);
		rc = aiops_redactor_apply(r, ip, strlen(ip), &out);
	}
	ok(rc == 0, "100000 distinct IPs fit");
	aiops_buf_reset(&out);
	aiops_buf_addstr(&out, "kept:");
	errno = 0;
	rc = aiops_redactor_apply(r, "x 11.0.0.1 y", 12, &out);
	ok(rc == -1 && errno == E2BIG, "the 100001st is refused (E2BIG)");
	is_str(out.data, "kept:", "out as it was");
	aiops_buf_reset(&out);
	ok(aiops_redactor_apply(r, "x 10.0.0.0 y", 12, &out) == 0 &&
	    strcmp(out.data, "x [IP_1] y") == 0, "one seen before still works");
	aiops_redactor_free(r);
	aiops_buf_release(&out);
}

static void
test_json(void)
{
	struct aiops_redactor *r = mk(D);
	json_error_t jerr;
	json_t *in, *got;
	char *s;

	in = json_loads("{\"msg\":\"login from 10.0.0.1\",\"10.0.0.2\":[\"alice@example.com\","
	    "5,1.5,true,false,null,{\"password\":\"x y\",\"X-Auth-Token\":\"abc\","
	    "\"tokens\":\"3\",\"api_key\":7}],\"\":\"10.0.0.1\"}", 0, &jerr);
	ok(in != NULL, "json fixture parses");
	got = aiops_redactor_apply_json(r, in);
	s = got ? json_dumps(got, JSON_COMPACT) : NULL;
	is_str(s, "{\"msg\":\"login from [IP_1]\",\"[IP_2]\":[\"[EMAIL_1]\",5,1.5,true,false,"
	    "null,{\"password\":\"[SECRET_1]\",\"X-Auth-Token\":\"[SECRET_2]\",\"tokens\":\"3\","
	    "\"api_key\":7}],\"\":\"[IP_1]\"}", "apply_json: values, items, keys, secret keys");
	free(s);
	s = in ? json_dumps(in, JSON_COMPACT) : NULL;
	ok(s != NULL && strstr(s, "10.0.0.2") != NULL, "apply_json: the input is untouched");
	free(s);
	json_decref(got);
	json_decref(in);
	got = aiops_redactor_apply_json(r, NULL);
	ok(got == NULL, "apply_json(NULL) is NULL");
	in = json_stringn("a\0 10.0.0.1", 11);
	got = aiops_redactor_apply_json(r, in);
	ok(got != NULL && json_string_length(got) == 9 &&
	    memcmp(json_string_value(got), "a\0 [IP_1]", 9) == 0, "apply_json: a NUL inside");
	json_decref(got);
	json_decref(in);
	aiops_redactor_free(r);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* 1 MiB of log lines of the sorts aiops reads, a few sensitive parts in each. */
static void
test_timing(void)
{
	static const char *const lines[] = {
		"2024-05-01T12:30:45.123Z web1 sshd[1234]: Accepted publickey for alice from "
		"10.0.%u.%u port 52814 ssh2: RSA SHA256:9f86d081884c7d659a2feaa0c55ad015\n",
		"May  1 12:30:45 db-primary postgres[88]: connection authorized: user=app "
		"database=orders host=192.168.%u.%u application_name=psql\n",
		"level=info ts=2024-05-01T12:30:45Z caller=main.go:%u msg=\"scrape ok\" "
		"target=http://api.prod.example.com:9100/metrics fingerprint=4e3d2c1b0a9f8e%02x\n",
		"kernel: [%u.%u] eth0: link up, 1000Mbps, full-duplex, lpa 0x45E1 "
		"mac 00:1a:2b:3c:4d:5e\n",
		"{\"ts\":\"2024-05-01T12:30:45Z\",\"level\":\"error\",\"msg\":\"retry %u/%u\","
		"\"user\":\"bob@example.com\",\"path\":\"/var/lib/aiops/state.db\"}\n",
		"GET /api/v1/query?query=node_cpu_seconds_total&token=abc%ux%u HTTP/1.1 200 "
		"1532 \"-\" \"Prometheus/2.45.0\"\n",
	};
	struct aiops_buf in = AIOPS_BUF_INIT, out = AIOPS_BUF_INIT;
	struct aiops_redactor *r;
	struct timespec t0;
	unsigned i = 0;
	double ms;
	int rc;

	while (in.len < 1024 * 1024) {
		aiops_buf_addf(&in, lines[i % 6], (i / 6) % 200, (i * 7) % 250);
		i++;
	}
	r = mk(D);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = aiops_redactor_apply(r, in.data, in.len, &out);
	ms = ms_since(&t0);
	ok(rc == 0 && out.len > 0, "1 MiB, default kinds: %zu lines", (size_t)i);
	printf("# 1 MiB (%zu bytes, %u lines), default kinds: %.1f ms, %zu IPs %zu secrets\n",
	    in.len, i, ms, aiops_redactor_count(r, AIOPS_REDACT_IP),
	    aiops_redactor_count(r, AIOPS_REDACT_SECRET));
	aiops_redactor_free(r);

	r = mk(A);
	aiops_buf_reset(&out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = aiops_redactor_apply(r, in.data, in.len, &out);
	ms = ms_since(&t0);
	ok(rc == 0 && strstr(out.data, "web1") == NULL && strstr(out.data, "10.0.") == NULL,
	    "1 MiB, all kinds: no host or IP left");
	printf("# 1 MiB, all kinds and 2 hosts: %.1f ms\n", ms);
	aiops_redactor_free(r);
	aiops_buf_release(&in);
	aiops_buf_release(&out);
}

int
main(void)
{
	test_table();
	test_session();
	test_errors();
	test_json();
	test_timing();
	return tap_done();
}
