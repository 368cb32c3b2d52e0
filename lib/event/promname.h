/*
 * promname.h: metric and label names as Prometheus requires them, made
 * the way Telegraf's Prometheus output (prometheus_client, and the
 * prometheus serializer) makes them from line protocol, so that a series
 * has one name whether it was scraped or sent by Telegraf.
 *
 * Prometheus data model: a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*, a
 * label name [a-zA-Z_][a-zA-Z0-9_]*. Each character outside the set (a
 * UTF-8 sequence counts as one character) becomes '_', as Telegraf does;
 * a name that starts with a digit gets a '_' in front, as Prometheus
 * requires (Telegraf drops the digit, which can make two names one).
 */
#ifndef AIOPS_PROMNAME_H
#define AIOPS_PROMNAME_H

#include <stddef.h>

#include "core/buf.h"

enum aiops_promname { AIOPS_PN_METRIC, AIOPS_PN_LABEL };

/* Is s[0..n) a valid name of that kind? (n 0 is not.) */
int aiops_promname_valid(const char *s, size_t n, enum aiops_promname kind);
/*
 * Appends the name made from s[0..n) (UTF-8) to b; s itself when valid.
 * The result is at most n + 1 bytes long; empty only when n is 0.
 */
void aiops_promname_add(struct aiops_buf *b, const char *s, size_t n, enum aiops_promname kind);

#endif
