/*
 * log.h: diagnostics on stderr, plain ("aiops-ingest: msg") or one JSON
 * object per line ({"ts":...,"prog":...,"level":...,"msg":...}), as the
 * shapes of OpenBSD httpd's log.c. Control characters in messages are
 * shown as '?' so hostile input cannot drive the terminal.
 * Only programs call these; lib/ returns errors instead of printing.
 */
#ifndef AIOPS_LOG_H
#define AIOPS_LOG_H

enum aiops_log_level { AIOPS_LOG_ERROR, AIOPS_LOG_WARN, AIOPS_LOG_INFO, AIOPS_LOG_DEBUG };

/* verbosity: -1 quiet (errors only), 0 warnings, 1 info, 2 debug. */
void aiops_log_init(const char *prog, int json, int verbosity);
const char *aiops_log_prog(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error the program goes on after (always shown, even with --quiet). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
void fatalx(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
