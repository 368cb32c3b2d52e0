/*
 * t_smtp.c: lib/net/smtp against tests/helpers/smtpd.py on 127.0.0.1:
 * a mail over STARTTLS with AUTH, checked as received (envelope, data,
 * dot-stuffing undone, TLS, credentials); STARTTLS required but not
 * offered; a refused login; 550 and 451 recipients; a password file
 * others may read; a server that is down. No err string holds the
 * password. The certificate is made here with the openssl command.
 */
#include "compat.h"

#include <sys/stat.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/http.h"
#include "net/smtp.h"
#include "tap.h"
#include "../helpers/spawn.h"

#ifndef SMTPD_PY
#define SMTPD_PY "tests/helpers/smtpd.py"
#endif
#define PASSWORD	"pw-SEKRET-42"

static pid_t tls_pid = -1, plain_pid = -1;
static char dir[] = "/tmp/t_smtp.XXXXXX";

static void
on_alarm(int sig)
{
	static const char msg[] = "Bail out! t_smtp timed out\n";

	(void)sig;
	if (tls_pid > 0)
		kill(tls_pid, SIGKILL);
	if (plain_pid > 0)
		kill(plain_pid, SIGKILL);
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static void
file_in(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "%s/%s", dir, name);
}

static int
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

/* The n-th (0-based) mail the server recorded, or NULL. */
static json_t *
mail(const char *out, int n)
{
	char line[65536];
	json_error_t jerr;
	FILE *f = fopen(out, "r");
	json_t *v = NULL;
	int i = 0;

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL)
		if (i++ == n) {
			v = json_loads(line, 0, &jerr);
			break;
		}
	fclose(f);
	return v;
}

static const char *
jstr(json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

int
main(void)
{
	static const char msg[] = "From: aiops <aiops@example.org>\r\nTo: ops@example.org\r\n"
	    "Subject: [FIRING] disk full on db-3\r\n\r\nline one\r\n.starts with a dot\r\n..two dots\r\nend\r\n";
	char script[4096], cert[512], key[512], out[512], pwfile[512], loose[512], url[128], cmd[2048],
	    err[512];
	char *tls_argv[] = { "/usr/bin/python3", script, "--out", out, "--cert", cert, "--key", key,
	    "--user", "alert", "--password", PASSWORD, "--timeout", "60", NULL };
	char *plain_argv[] = { "/usr/bin/python3", script, "--out", out, "--timeout", "60", NULL };
	const char *to[] = { "ops@example.org", "oncall@example.org" };
	const char *bad[] = { "reject@example.org" }, *later[] = { "later@example.org" };
	struct aiops_smtp cfg;
	enum aiops_http_reason why;
	int tls_port = 0, plain_port = 0, leaks = 0;
	json_t *m;

	signal(SIGALRM, on_alarm);
	alarm(90);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	helper_path(script, sizeof(script), "smtpd.py", SMTPD_PY);
	file_in(cert, sizeof(cert), "cert.pem");
	file_in(key, sizeof(key), "key.pem");
	file_in(out, sizeof(out), "mail.ndjson");
	file_in(pwfile, sizeof(pwfile), "password");
	file_in(loose, sizeof(loose), "password-0644");
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 "
	    "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1", key, cert);
	if (system(cmd) != 0 || write_file(pwfile, PASSWORD "\n", 0600) != 0 ||
	    write_file(loose, PASSWORD "\n", 0644) != 0 ||
	    (tls_pid = spawn_server(tls_argv, &tls_port)) < 0 ||
	    (plain_pid = spawn_server(plain_argv, &plain_port)) < 0) {
		printf("Bail out! cannot set up the certificate or the servers\n");
		stop_server_pid(tls_pid);
		return 1;
	}

	/* STARTTLS required, verified against our CA, AUTH from the file. */
	memset(&cfg, 0, sizeof(cfg));
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", tls_port);
	cfg.url = url;
	cfg.username = "alert";
	cfg.password_file = pwfile;
	cfg.require_tls = 1;
	cfg.ca_file = cert;
	cfg.timeout_ms = 10000;
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", to, 2, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_OK, "sent over STARTTLS with AUTH: %s", err);
	m = mail(out, 0);
	ok(m != NULL, "the server received it");
	is_str(jstr(m, "from"), "aiops@example.org", "MAIL FROM");
	ok(json_array_size(json_object_get(m, "rcpt")) == 2 &&
	    strcmp(json_string_value(json_array_get(json_object_get(m, "rcpt"), 1)), "oncall@example.org") == 0,
	    "RCPT TO both");
	is_str(jstr(m, "data"), msg, "the message arrived intact (dot-stuffing undone)");
	ok(json_is_true(json_object_get(m, "tls")), "inside TLS");
	is_str(jstr(m, "user"), "alert", "AUTH user");
	is_str(jstr(m, "password"), PASSWORD, "AUTH password from the file");
	json_decref(m);

	/* Without our CA the certificate is not trusted. */
	cfg.ca_file = NULL;
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", to, 1, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_PERMANENT, "a self-signed certificate is refused");
	is_int(why, AIOPS_HTTP_R_TLS, "reason tls: %s", err);
	leaks += strstr(err, PASSWORD) != NULL;
	cfg.ca_file = cert;

	/* A wrong password. */
	write_file(pwfile, "wrong-SEKRET\n", 0600);
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", to, 1, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_PERMANENT, "a refused login is permanent: %s", err);
	leaks += strstr(err, "SEKRET") != NULL;
	write_file(pwfile, PASSWORD "\n", 0600);

	/* Recipients refused: 550 permanent, 451 transient. */
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", bad, 1, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_PERMANENT, "RCPT 550: permanent: %s", err);
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", later, 1, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_RETRY, "RCPT 451: retry: %s", err);
	leaks += strstr(err, PASSWORD) != NULL;

	/* A password file others may read. */
	cfg.password_file = loose;
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", to, 1, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_PERMANENT, "a password file readable by others is refused");
	ok(strstr(err, "chmod 600") != NULL, "err says why: %s", err);
	cfg.password_file = pwfile;

	/* STARTTLS required where it is not offered: never plain text. */
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", plain_port);
	cfg.username = NULL;
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", to, 1, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_PERMANENT, "STARTTLS required and not offered: permanent");
	is_int(why, AIOPS_HTTP_R_TLS, "reason tls: %s", err);
	m = mail(out, 1);
	ok(m == NULL, "nothing was sent in the clear");
	json_decref(m);
	cfg.require_tls = 0;
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", to, 1, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_OK, "plain SMTP when TLS is not required");
	m = mail(out, 1);
	ok(m != NULL && json_is_false(json_object_get(m, "tls")), "received, not in TLS");
	json_decref(m);

	/* The server is down. */
	stop_server_pid(plain_pid);
	plain_pid = -1;
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", to, 1, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_RETRY, "a server that is down: retry");
	is_int(why, AIOPS_HTTP_R_CONNECT, "reason connect: %s", err);
	is_int(aiops_smtp_send(&cfg, "aiops@example.org", to, 0, msg, sizeof(msg) - 1, &why, err, sizeof(err)),
	    AIOPS_HTTP_PERMANENT, "no recipient: permanent");
	is_int(leaks, 0, "no err string holds the password");

	stop_server_pid(tls_pid);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return tap_done();
}
