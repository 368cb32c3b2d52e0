#include "compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "json/jw.h"
#include "tool/log.h"
#include "core/timeutil.h"

static const char *progname = "aiops";
static int log_json;
static int log_verbosity;

void
aiops_log_init(const char *prog, int json, int verbosity)
{
	progname = prog;
	log_json = json;
	log_verbosity = verbosity;
}

const char *
aiops_log_prog(void)
{
	return progname;
}

static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void
vlog(enum aiops_log_level level, const char *errstr, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	struct aiops_buf line = AIOPS_BUF_INIT;
	char msg[4096], ts[AIOPS_TIME_BUFSZ];
	int n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	sanitize(msg);
	if (log_json) {
		struct aiops_jw w;
		size_t tl = aiops_time_format(aiops_clock_wall(), ts);

		aiops_jw_init(&w, &line);
		aiops_jw_object_begin(&w);
		aiops_jw_kstr(&w, "ts", ts, tl);
		aiops_jw_kcstr(&w, "prog", progname);
		aiops_jw_kcstr(&w, "level", names[level]);
		aiops_jw_kcstr(&w, "msg", msg);
		if (errstr != NULL)
			aiops_jw_kcstr(&w, "error", errstr);
		aiops_jw_object_end(&w);
	} else if (errstr != NULL) {
		aiops_buf_addf(&line, "%s: %s: %s", progname, msg, errstr);
	} else {
		aiops_buf_addf(&line, "%s: %s", progname, msg);
	}
	aiops_buf_addc(&line, '\n');
	fwrite(line.data, 1, line.len, stderr);
	aiops_buf_release(&line);
}

#define LOGFN(name, level, witherr, min)			\
void								\
name(const char *fmt, ...)					\
{								\
	va_list ap;						\
	int saved = errno;					\
								\
	if (log_verbosity < (min))				\
		return;						\
	va_start(ap, fmt);					\
	vlog(level, (witherr) ? strerror(saved) : NULL, fmt, ap);	\
	va_end(ap);						\
	errno = saved;						\
}

LOGFN(log_error, AIOPS_LOG_ERROR, 0, -1)
LOGFN(log_warn, AIOPS_LOG_WARN, 1, 0)
LOGFN(log_warnx, AIOPS_LOG_WARN, 0, 0)
LOGFN(log_info, AIOPS_LOG_INFO, 0, 1)
LOGFN(log_debug, AIOPS_LOG_DEBUG, 0, 2)

void
fatal(int status, const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	vlog(AIOPS_LOG_ERROR, e, fmt, ap);
	va_end(ap);
	exit(status);
}

void
fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(AIOPS_LOG_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(status);
}
