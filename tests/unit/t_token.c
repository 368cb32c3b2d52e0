/*
 * The listener's tokens: the format, the hash, the verifier's answers
 * (ok, none, malformed, unknown, denied, expired) for well-formed and
 * hostile Authorization headers, the dummy compare of an unknown id, the
 * set read from many threads; and lib/store/tokens.c on a real state file
 * (add, list, live, revoke, rotate with and without a grace, touch).
 */
#include "compat.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/clock.h"
#include "net/token.h"
#include "store/state.h"
#include "store/tokens.h"
#include "tap.h"
#include "tdb.h"

#define NS_PER_S	1000000000LL
/* 2026-11-22T12:00:00Z in ns. */
#define NOW		(1795348800LL * NS_PER_S)

static char dir[] = "/tmp/t_token.XXXXXX";
static char path[512];

static const char B64URL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
test_format(void)
{
	struct aiops_token_new t, u;
	unsigned char h[32], h2[32];
	char id[AIOPS_TOKEN_ID_LEN + 1];
	const char *secret;
	unsigned int n;
	size_t i;
	int good = 1;

	ok(aiops_token_generate(&t) == 0, "generate");
	is_int(strlen(t.text), 62, "a token is 62 characters");
	ok(strncmp(t.text, "aiops_", 6) == 0, "it starts with aiops_");
	ok(strspn(t.id, "0123456789abcdef") == 12 && strlen(t.id) == 12, "id: 12 lowercase hex");
	ok(memcmp(t.text + 6, t.id, 12) == 0 && t.text[18] == '_', "aiops_<id>_...");
	for (i = 19; i < 62; i++)
		if (strchr(B64URL, t.text[i]) == NULL)
			good = 0;
	ok(good, "secret: 43 base64url characters");
	/* 32 bytes in 43 characters: the last one carries 4 bits, its low 2 are 0. */
	ok((strchr(B64URL, t.text[61]) - B64URL) % 4 == 0, "the last character is canonical");
	ok(aiops_token_parse(t.text, 62, id, &secret) == 0, "parse");
	is_str(id, t.id, "parse: id");
	ok(secret == t.text + 19, "parse: the secret inside the text");
	ok(aiops_token_hash(secret, 43, h) == 0, "hash");
	ok(memcmp(h, t.hash, 32) == 0, "the hash is of the secret part");
	EVP_Digest(secret, 43, h2, &n, EVP_sha256(), NULL);
	ok(memcmp(h, h2, 32) == 0, "SHA-256");
	ok(aiops_token_hash("abc", 3, h) == 0 && h[0] == 0xba && h[1] == 0x78 && h[31] == 0xad,
	    "SHA-256 of abc (FIPS 180-2 vector)");
	ok(aiops_token_generate(&u) == 0 && strcmp(u.text, t.text) != 0 &&
	    strcmp(u.id, t.id) != 0, "two tokens differ");
	aiops_token_wipe(&u);
	ok(u.text[0] == '\0' && u.hash[0] == 0 && u.hash[31] == 0, "wipe zeroes");

	ok(aiops_token_parse(t.text, 61, id, &secret) == -1, "parse: short");
	ok(aiops_token_parse("aiops_0123456789AB_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    62, id, &secret) == -1, "parse: upper-case id");
	ok(aiops_token_parse("aiops_0123456789ab_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    62, id, &secret) == 0, "parse: a shaped token");
	ok(aiops_token_parse("aiops_0123456789ab_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=",
	    62, id, &secret) == -1, "parse: padding refused");
	ok(aiops_token_parse("aiops_0123456789ab_aaaaaaaaaaaaaaaaaaaa+aaaaaaaaaaaaaaaaaaaaaa",
	    62, id, &secret) == -1, "parse: base64 '+' refused");
	ok(aiops_token_parse("aiops-0123456789ab_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    62, id, &secret) == -1, "parse: wrong prefix");
	ok(aiops_token_parse("aiops_0123456789ab-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    62, id, &secret) == -1, "parse: wrong separator");
	ok(aiops_token_parse("aiops_0123456789ab_aaaaaaaaaaaaaaaaaaaa\0aaaaaaaaaaaaaaaaaaaaaa",
	    62, id, &secret) == -1 && secret == NULL, "parse: a NUL inside");
	aiops_token_wipe(&t);
}

static void
test_names(void)
{
	char longname[80];

	ok(aiops_token_scope_ok("write") && aiops_token_scope_ok("alerts") &&
	    aiops_token_scope_ok("read") && aiops_token_scope_ok("*"), "the four scopes");
	ok(!aiops_token_scope_ok("admin") && !aiops_token_scope_ok("") &&
	    !aiops_token_scope_ok("Write") && !aiops_token_scope_ok("write ") &&
	    !aiops_token_scope_ok(NULL), "others refused");
	ok(aiops_token_scopes_grant("write alerts", "alerts"), "grant: listed");
	ok(!aiops_token_scopes_grant("write alerts", "read"), "grant: not listed");
	ok(aiops_token_scopes_grant("*", "read"), "grant: * is all");
	ok(!aiops_token_scopes_grant("writealerts", "write"), "grant: words, not substrings");
	ok(!aiops_token_scopes_grant("write", "*") && !aiops_token_scopes_grant("*", "x"),
	    "grant: asking for * or a stranger");
	ok(aiops_token_name_ok("telegraf-web.1_a"), "name: letters, digits, . _ -");
	ok(!aiops_token_name_ok("") && !aiops_token_name_ok("-x") &&
	    !aiops_token_name_ok("a b") && !aiops_token_name_ok("a~1") &&
	    !aiops_token_name_ok("a/b") && !aiops_token_name_ok(NULL), "name: refused shapes");
	ok(!aiops_token_name_ok("0123456789ab") && aiops_token_name_ok("0123456789abc"),
	    "name: not an id's shape");
	memset(longname, 'n', sizeof(longname));
	longname[64] = '\0';
	ok(aiops_token_name_ok(longname), "name: 64 bytes");
	longname[64] = 'n';
	longname[65] = '\0';
	ok(!aiops_token_name_ok(longname), "name: 65 refused");
	is_str(aiops_token_status_name(AIOPS_TOKEN_OK), "ok", "status ok");
	is_str(aiops_token_status_name(AIOPS_TOKEN_NONE), "none", "status none");
	is_str(aiops_token_status_name(AIOPS_TOKEN_MALFORMED), "malformed", "status malformed");
	is_str(aiops_token_status_name(AIOPS_TOKEN_UNKNOWN), "unknown", "status unknown");
	is_str(aiops_token_status_name(AIOPS_TOKEN_DENIED), "denied", "status denied");
	is_str(aiops_token_status_name(AIOPS_TOKEN_EXPIRED), "expired", "status expired");
}

/* A row for the token t. */
static struct aiops_token_row
row_of(const struct aiops_token_new *t, const char *name, const char *scopes,
    int64_t expires, int64_t revoked)
{
	struct aiops_token_row r;

	memset(&r, 0, sizeof(r));
	memcpy(r.id, t->id, sizeof(r.id));
	memcpy(r.hash, t->hash, sizeof(r.hash));
	r.name = (char *)name;
	r.scopes = (char *)scopes;
	r.created = NOW;
	r.expires = expires;
	r.revoked = revoked;
	return r;
}

static struct aiops_token_new tw, ta, tx, tr, tall;
static struct aiops_tokenset *set;

static enum aiops_token_status
check(const char *hdr, const char *scope)
{
	return aiops_tokenset_check(set, hdr, scope, NOW, NULL);
}

static void
test_check(void)
{
	struct aiops_token_row rows[5];
	const struct aiops_token_row *r;
	char hdr[600], wrong[80], big[70000];

	aiops_token_generate(&tw);
	aiops_token_generate(&ta);
	aiops_token_generate(&tx);
	aiops_token_generate(&tr);
	aiops_token_generate(&tall);
	rows[0] = row_of(&tw, "telegraf", "write", 0, 0);
	rows[1] = row_of(&ta, "prometheus", "alerts read", NOW + NS_PER_S, 0);
	rows[2] = row_of(&tx, "old", "write", NOW, 0);
	rows[3] = row_of(&tr, "gone", "write", 0, NOW - NS_PER_S);
	rows[4] = row_of(&tall, "root", "*", 0, 0);
	set = aiops_tokenset_new(rows, 5);
	ok(set != NULL, "a set");
	is_int(aiops_tokenset_size(set), 4, "the revoked row is left out");

	snprintf(hdr, sizeof(hdr), "Bearer %s", tw.text);
	r = NULL;
	is_int(aiops_tokenset_check(set, hdr, "write", NOW, &r), AIOPS_TOKEN_OK, "Bearer: ok");
	ok(r != NULL && strcmp(r->name, "telegraf") == 0 && strcmp(r->id, tw.id) == 0,
	    "ok: the row");
	snprintf(hdr, sizeof(hdr), "Token %s", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_OK, "Token (InfluxDB v2, Telegraf): ok");
	snprintf(hdr, sizeof(hdr), "bearer   %s  ", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_OK, "scheme in any case, spaces around");
	snprintf(hdr, sizeof(hdr), "\tTOKEN\t%s", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_OK, "tabs");
	snprintf(hdr, sizeof(hdr), "Bearer %s", tw.text);
	r = (const void *)hdr;
	is_int(aiops_tokenset_check(set, hdr, "alerts", NOW, &r), AIOPS_TOKEN_DENIED,
	    "a scope it lacks: denied");
	ok(r != NULL && strcmp(r->name, "telegraf") == 0, "denied: the row, for the log");
	is_int(check(hdr, "read"), AIOPS_TOKEN_DENIED, "read: denied");
	is_int(check(hdr, "*"), AIOPS_TOKEN_DENIED, "asking for *: denied");
	is_int(check(hdr, "bogus"), AIOPS_TOKEN_DENIED, "an unknown scope: denied");
	is_int(check(hdr, NULL), AIOPS_TOKEN_DENIED, "no scope: denied");
	snprintf(hdr, sizeof(hdr), "Bearer %s", tall.text);
	is_int(check(hdr, "write") | check(hdr, "alerts") | check(hdr, "read"), AIOPS_TOKEN_OK,
	    "*: every scope");
	snprintf(hdr, sizeof(hdr), "Bearer %s", ta.text);
	is_int(check(hdr, "alerts"), AIOPS_TOKEN_OK, "two scopes: the first");
	is_int(check(hdr, "read"), AIOPS_TOKEN_OK, "two scopes: the second");
	is_int(aiops_tokenset_check(set, hdr, "read", NOW + NS_PER_S - 1, NULL), AIOPS_TOKEN_OK,
	    "just before its expiry");
	is_int(aiops_tokenset_check(set, hdr, "read", NOW + NS_PER_S, NULL), AIOPS_TOKEN_EXPIRED,
	    "at its expiry: expired");
	snprintf(hdr, sizeof(hdr), "Bearer %s", tx.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_EXPIRED, "expired");
	snprintf(hdr, sizeof(hdr), "Bearer %s", tr.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_UNKNOWN, "revoked: unknown");

	/* The right id, a wrong secret; a wrong id, the right secret. */
	memcpy(wrong, tw.text, 63);
	wrong[40] = wrong[40] == 'A' ? 'B' : 'A';
	snprintf(hdr, sizeof(hdr), "Bearer %s", wrong);
	r = (const void *)hdr;
	is_int(aiops_tokenset_check(set, hdr, "write", NOW, &r), AIOPS_TOKEN_UNKNOWN,
	    "one character of the secret wrong: unknown");
	ok(r == NULL, "unknown: no row");
	memcpy(wrong, tw.text, 63);
	wrong[6] = wrong[6] == 'a' ? 'b' : 'a';
	snprintf(hdr, sizeof(hdr), "Bearer %s", wrong);
	is_int(check(hdr, "write"), AIOPS_TOKEN_UNKNOWN, "an unknown id: unknown");
	memcpy(wrong, tw.text, 19);
	memcpy(wrong + 19, ta.text + 19, 44);
	snprintf(hdr, sizeof(hdr), "Bearer %s", wrong);
	is_int(check(hdr, "write"), AIOPS_TOKEN_UNKNOWN, "another token's secret: unknown");

	is_int(check(NULL, "write"), AIOPS_TOKEN_NONE, "no header: none");
	is_int(check("", "write"), AIOPS_TOKEN_NONE, "empty: none");
	is_int(check("  \t", "write"), AIOPS_TOKEN_NONE, "blank: none");
	is_int(check("Bearer", "write"), AIOPS_TOKEN_MALFORMED, "a scheme alone");
	is_int(check("Bearer ", "write"), AIOPS_TOKEN_MALFORMED, "a scheme and a space");
	is_int(check(tw.text, "write"), AIOPS_TOKEN_MALFORMED, "a token without a scheme");
	snprintf(hdr, sizeof(hdr), "Basic %s", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "Basic");
	snprintf(hdr, sizeof(hdr), "Bearer%s", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "no space after the scheme");
	snprintf(hdr, sizeof(hdr), "Bearers %s", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "Bearers");
	snprintf(hdr, sizeof(hdr), "Bearer %s x", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "something after the token");
	snprintf(hdr, sizeof(hdr), "Bearer %s %s", tw.text, tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "two tokens");
	snprintf(hdr, sizeof(hdr), "Bearer %.61s", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "a character short");
	snprintf(hdr, sizeof(hdr), "Bearer %sA", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "a character long");
	snprintf(hdr, sizeof(hdr), "Bearer xiops%s", tw.text + 5);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "wrong prefix");
	snprintf(hdr, sizeof(hdr), "Bearer %.18s", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "no secret");
	snprintf(hdr, sizeof(hdr), "Bearer aiops__%s", tw.text + 19);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "no id");
	snprintf(hdr, sizeof(hdr), "Bearer %s", tw.text);
	hdr[30] = '\0';
	is_int(aiops_tokenset_check_n(set, hdr, 7 + 62, "write", NOW, NULL),
	    AIOPS_TOKEN_MALFORMED, "a NUL inside the value (check_n)");
	snprintf(hdr, sizeof(hdr), "Bearer %s", tw.text);
	is_int(aiops_tokenset_check_n(set, hdr, strlen(hdr), "write", NOW, NULL), AIOPS_TOKEN_OK,
	    "check_n: ok");
	is_int(aiops_tokenset_check_n(set, hdr, strlen(hdr) - 1, "write", NOW, NULL),
	    AIOPS_TOKEN_MALFORMED, "check_n: its length is what counts");
	memset(big, ' ', sizeof(big));
	memcpy(big, "Bearer ", 7);
	memcpy(big + sizeof(big) - 63, tw.text, 62);
	big[sizeof(big) - 1] = '\0';
	is_int(check(big, "write"), AIOPS_TOKEN_MALFORMED, "a 70 kB header: malformed");
	memset(big, 'A', sizeof(big) - 1);
	is_int(check(big, "write"), AIOPS_TOKEN_MALFORMED, "70 kB of letters");
	snprintf(hdr, sizeof(hdr), "Bearer %s", tw.text);
	hdr[20] = '\x80';
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "a byte above 127");
	snprintf(hdr, sizeof(hdr), "Bearer %s\r\nX: y", tw.text);
	is_int(check(hdr, "write"), AIOPS_TOKEN_MALFORMED, "CRLF and another header");
}

static double
elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median time of a check of hdr, over rounds of 200 checks. */
static double
median_check(const char *hdr)
{
	double t[41];
	struct timespec a, b;
	int i, j;

	for (i = 0; i < 41; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (j = 0; j < 200; j++)
			(void)check(hdr, "write");
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = elapsed_ns(&a, &b) / 200;
	}
	qsort(t, 41, sizeof(t[0]), cmp_double);
	return t[20];
}

/*
 * The dummy path: an unknown id costs what a known id with a wrong secret
 * costs (a hash and a compare), not a parse alone. Loose bounds, for a
 * shared machine: skipping the hash would make it several times faster.
 */
static void
test_timing(void)
{
	char known[80], unknown[80], bad[80];
	double tk, tu, tb;

	snprintf(known, sizeof(known), "Bearer %s", tw.text);
	known[50] = known[50] == 'A' ? 'B' : 'A';
	snprintf(unknown, sizeof(unknown), "Bearer %s", tw.text);
	unknown[13] = unknown[13] == 'a' ? 'b' : 'a';
	snprintf(bad, sizeof(bad), "Bearer %s", tw.text);
	bad[8] = 'X';
	tk = median_check(known);
	tu = median_check(unknown);
	tb = median_check(bad);
	printf("# ns per check: known id %.0f, unknown id %.0f, malformed %.0f\n", tk, tu, tb);
	ok(tu > tk / 2.5 && tu < tk * 2.5, "an unknown id takes about the time of a known one");
	ok(tb < tk, "a malformed header is refused before any hash");
}

static void *
hammer(void *arg)
{
	char hdr[80];
	long bad = 0;
	int i;

	(void)arg;
	snprintf(hdr, sizeof(hdr), "Token %s", ta.text);
	for (i = 0; i < 20000; i++) {
		const struct aiops_token_row *r = NULL;

		if (aiops_tokenset_check(set, hdr, "alerts", NOW, &r) != AIOPS_TOKEN_OK ||
		    r == NULL || strcmp(r->name, "prometheus") != 0)
			bad++;
		if (check("Bearer nope", "alerts") != AIOPS_TOKEN_MALFORMED)
			bad++;
	}
	return (void *)bad;
}

static void
test_threads(void)
{
	pthread_t th[4];
	char hdr[80];
	void *res;
	long bad = 0;
	int i;

	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, NULL);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], &res);
		bad += (long)res;
	}
	is_int(bad, 0, "four threads checking at once: every answer right");
	snprintf(hdr, sizeof(hdr), "Bearer %s", ta.text);
	is_int(aiops_tokenset_check(NULL, hdr, "alerts", NOW, NULL), AIOPS_TOKEN_UNKNOWN,
	    "a NULL set lets no one in");
	is_int(aiops_tokenset_check(NULL, NULL, "alerts", NOW, NULL), AIOPS_TOKEN_NONE,
	    "a NULL set: none");
	is_int(aiops_tokenset_size(NULL), 0, "a NULL set: size 0");
	aiops_tokenset_free(set);
	aiops_tokenset_free(NULL);
	aiops_tokenset_free(aiops_tokenset_new(NULL, 0));
	ok(1, "free, free(NULL), an empty set");
}

static struct aiops_state *
open_rw(void)
{
	struct aiops_state_error e;
	struct aiops_state *st = aiops_state_open(path, 0, NULL, &e);

	if (st == NULL)
		printf("# %s\n", e.text);
	return st;
}

/* 1 when the file at p (and its -wal) holds the len bytes at needle. */
static int
file_has(const char *p, const char *needle, size_t len)
{
	char wal[600];
	const char *files[2] = { p, wal };
	char *buf;
	size_t n, i;
	FILE *fp;
	int found = 0, k;

	snprintf(wal, sizeof(wal), "%s-wal", p);
	for (k = 0; k < 2; k++) {
		if ((fp = fopen(files[k], "rb")) == NULL)
			continue;
		buf = malloc(1 << 24);
		n = fread(buf, 1, 1 << 24, fp);
		fclose(fp);
		for (i = 0; i + len <= n && !found; i++)
			found = memcmp(buf + i, needle, len) == 0;
		free(buf);
	}
	return found;
}

static int
has_id(const struct aiops_token_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return 1;
	return 0;
}

/* The names of l, space-separated (static buffer). */
static const char *
names(const struct aiops_token_list *l)
{
	static char out[512];
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && o < sizeof(out); i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? " " : "", l->v[i].name);
	return out;
}

static void
test_store(void)
{
	struct aiops_token_new a, b, c, d;
	struct aiops_token_row ra, rb, rc, rd;
	struct aiops_token_list l;
	struct aiops_state *st;
	const char *ids[3];
	char want[128], hdr[80];
	size_t n;

	if (tdb_scratch(dir, path, sizeof(path)) == -1 || (st = open_rw()) == NULL) {
		ok(0, "a scratch state");
		return;
	}
	aiops_token_generate(&a);
	aiops_token_generate(&b);
	aiops_token_generate(&c);
	aiops_token_generate(&d);
	ra = row_of(&a, "telegraf", "write", 0, 0);
	rb = row_of(&b, "prom", "alerts read", NOW + 3600 * NS_PER_S, 0);
	is_int(aiops_tokens_add(st, &ra), 0, "add");
	is_int(aiops_tokens_add(st, &rb), 0, "add another, with an expiry");
	rc = row_of(&c, "telegraf", "read", 0, 0);
	is_int(aiops_tokens_add(st, &rc), 1, "a name taken: 1");
	is_int(tdb_int(path, "SELECT count(*) FROM ingest_tokens", 0), 2, "two rows");
	is_int(tdb_int(path, "SELECT length(hash) FROM ingest_tokens WHERE name = 'telegraf'", 0),
	    32, "the hash: 32 bytes");
	is_int(tdb_int(path, "SELECT expires FROM ingest_tokens WHERE name = 'prom'", 0),
	    NOW / 1000000 + 3600 * 1000, "times in ms in the table");
	is_str(tdb_row(path, "SELECT typeof(expires), typeof(revoked), typeof(last_used)"
	    " FROM ingest_tokens WHERE name = 'telegraf'", 0), "null|null|null",
	    "none is NULL");
	ok(!file_has(path, a.text + 19, 43) && !file_has(path, a.text, 62),
	    "the secret is nowhere in the state file");

	ok(aiops_tokens_list(st, &l) == 0 && l.n == 2, "list");
	is_str(names(&l), "prom telegraf", "list: by name");
	ok(l.n == 2 && memcmp(l.v[1].hash, a.hash, 32) == 0 && strcmp(l.v[1].id, a.id) == 0 &&
	    strcmp(l.v[0].scopes, "alerts read") == 0 && l.v[0].expires == NOW + 3600 * NS_PER_S &&
	    l.v[1].created == NOW && l.v[1].expires == 0, "list: the rows read back");
	aiops_token_list_release(&l);
	ok(aiops_tokens_get(st, a.id, &l) == 0 && l.n == 1 && strcmp(l.v[0].name, "telegraf") == 0,
	    "get by id");
	aiops_token_list_release(&l);
	ok(aiops_tokens_get(st, "prom", &l) == 0 && l.n == 1 && strcmp(l.v[0].id, b.id) == 0,
	    "get by name");
	aiops_token_list_release(&l);
	ok(aiops_tokens_get(st, "nobody", &l) == 0 && l.n == 0, "get: none");
	aiops_token_list_release(&l);
	ok(aiops_tokens_live(st, NOW, &l) == 0 && l.n == 2, "live: both");
	aiops_token_list_release(&l);
	ok(aiops_tokens_live(st, NOW + 3600 * NS_PER_S, &l) == 0 && l.n == 1 &&
	    strcmp(l.v[0].name, "telegraf") == 0, "live: not the expired one");
	aiops_token_list_release(&l);

	/* touch: last_used moves forward only. */
	ids[0] = a.id;
	ids[1] = b.id;
	ids[2] = "ffffffffffff";
	is_int(aiops_tokens_touch(st, ids, 3, NOW + 5 * NS_PER_S), 0, "touch three ids");
	is_int(aiops_tokens_touch(st, ids, 1, NOW + 2 * NS_PER_S), 0, "touch back in time");
	is_int(tdb_int(path, "SELECT last_used FROM ingest_tokens WHERE name = 'telegraf'", 0),
	    NOW / 1000000 + 5000, "last_used: the latest");
	is_int(aiops_tokens_touch(st, ids, 0, NOW), 0, "touch nothing");

	/* rotate without a grace: the old row revoked at once, renamed. */
	rc = row_of(&c, "telegraf", "write", 0, 0);
	is_int(aiops_tokens_rotate(st, a.id, &rc, NOW + 10 * NS_PER_S, 0), 0, "rotate");
	ok(aiops_tokens_get(st, "telegraf", &l) == 0 && l.n == 1 && strcmp(l.v[0].id, c.id) == 0,
	    "the name is the new token's");
	aiops_token_list_release(&l);
	snprintf(want, sizeof(want), "telegraf~%s", a.id);
	ok(aiops_tokens_get(st, a.id, &l) == 0 && l.n == 1 && strcmp(l.v[0].name, want) == 0 &&
	    l.v[0].revoked == NOW + 10 * NS_PER_S, "the old one: NAME~ID, revoked");
	aiops_token_list_release(&l);
	is_int(aiops_tokens_rotate(st, a.id, &rc, NOW, 0), 1, "rotating a row retired: 1");

	/* rotate with a grace: the old row lives until now + grace. */
	rd = row_of(&d, "telegraf", "write", 0, 0);
	is_int(aiops_tokens_rotate(st, c.id, &rd, NOW + 20 * NS_PER_S, 60 * NS_PER_S), 0,
	    "rotate with a grace");
	ok(aiops_tokens_live(st, NOW + 30 * NS_PER_S, &l) == 0, "live");
	snprintf(want, sizeof(want), "prom telegraf telegraf~%s", c.id);
	{
		/* live is by id: sort the names for the comparison. */
		size_t i, j;
		struct aiops_token_row t;

		for (i = 0; i < l.n; i++)
			for (j = i + 1; j < l.n; j++)
				if (strcmp(l.v[i].name, l.v[j].name) > 0) {
					t = l.v[i];
					l.v[i] = l.v[j];
					l.v[j] = t;
				}
	}
	is_str(names(&l), want, "live: the new one and the old in its grace");
	ok(l.n == 3 && l.v[2].expires == NOW + 80 * NS_PER_S && l.v[2].revoked == 0,
	    "the grace: its expires");
	set = aiops_tokenset_new(l.v, l.n);
	aiops_token_list_release(&l);
	snprintf(hdr, sizeof(hdr), "Bearer %s", c.text);
	is_int(aiops_tokenset_check(set, hdr, "write", NOW + 30 * NS_PER_S, NULL), AIOPS_TOKEN_OK,
	    "the old secret works in the grace");
	is_int(aiops_tokenset_check(set, hdr, "write", NOW + 80 * NS_PER_S, NULL),
	    AIOPS_TOKEN_EXPIRED, "and not after");
	snprintf(hdr, sizeof(hdr), "Bearer %s", d.text);
	is_int(aiops_tokenset_check(set, hdr, "write", NOW + 80 * NS_PER_S, NULL), AIOPS_TOKEN_OK,
	    "the new one does");
	aiops_tokenset_free(set);
	ok(aiops_tokens_live(st, NOW + 80 * NS_PER_S, &l) == 0 && l.n == 2 &&
	    has_id(&l, b.id) && has_id(&l, d.id), "live after the grace: the new one and prom");
	aiops_token_list_release(&l);

	/* A grace never lengthens an expiry. */
	rc = row_of(&c, "prom", "alerts read", 0, 0);
	memcpy(rc.id, "0000000000aa", 13);
	is_int(aiops_tokens_rotate(st, b.id, &rc, NOW, 7200 * NS_PER_S), 0, "rotate prom, grace 2h");
	ok(aiops_tokens_get(st, b.id, &l) == 0 && l.n == 1 &&
	    l.v[0].expires == NOW + 3600 * NS_PER_S, "its 1h expiry kept");
	aiops_token_list_release(&l);

	/* revoke by name: the rows it was rotated from too. */
	is_int(aiops_tokens_revoke(st, "telegraf", NOW + 40 * NS_PER_S, &n), 0, "revoke by name");
	is_int(n, 2, "the current one and the one in its grace (the older was revoked)");
	is_int(aiops_tokens_revoke(st, "telegraf", NOW + 50 * NS_PER_S, &n), 0, "again");
	is_int(n, 0, "nothing left to revoke");
	is_int(tdb_int(path, "SELECT count(*) FROM ingest_tokens WHERE name LIKE 'telegraf%'"
	    " AND revoked IS NULL", 0), 0, "every telegraf row revoked");
	is_int(aiops_tokens_revoke(st, "0000000000aa", NOW, &n), 0, "revoke by id");
	is_int(n, 1, "one");
	snprintf(want, sizeof(want), "prom~%s", b.id);
	ok(aiops_tokens_get(st, b.id, &l) == 0 && l.n == 1 && l.v[0].revoked == 0 &&
	    strcmp(l.v[0].name, want) == 0, "by id: its predecessor untouched");
	aiops_token_list_release(&l);
	is_int(aiops_tokens_revoke(st, "tele", NOW, &n), 0, "a prefix of a name");
	is_int(n, 0, "revokes nothing");
	is_int(aiops_tokens_revoke(st, "%", NOW, &n) + (int)n, 0, "a LIKE pattern revokes nothing");
	ok(aiops_tokens_live(st, NOW, &l) == 0 && l.n == 1, "live: prom's old row alone");
	aiops_token_list_release(&l);

	/* Inside the caller's transaction. */
	ok(aiops_state_begin(st) == 0, "begin");
	ra = row_of(&a, "again", "write", 0, 0);
	memcpy(ra.id, "0000000000bb", 13);
	is_int(aiops_tokens_add(st, &ra), 0, "add in a transaction");
	aiops_state_rollback(st);
	ok(aiops_tokens_get(st, "again", &l) == 0 && l.n == 0, "rolled back with it");
	aiops_token_list_release(&l);
	aiops_state_close(st);
	tdb_scratch_remove(dir);
	aiops_token_wipe(&a);
	aiops_token_wipe(&b);
	aiops_token_wipe(&c);
	aiops_token_wipe(&d);
}

int
main(void)
{
	test_format();
	test_names();
	test_check();
	test_timing();
	test_threads();
	test_store();
	return tap_done();
}
