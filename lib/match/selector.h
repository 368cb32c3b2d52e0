/*
 * selector.h: Kubernetes label selectors (the equality- and set-based
 * requirements of kubectl's -l / --selector), matched against a label set.
 *
 *   k=v, k==v      label k is v
 *   k!=v           label k is not v, or there is no label k
 *   k in (a,b)     label k is a or b
 *   k notin (a,b)  label k is neither, or there is no label k
 *   k              there is a label k
 *   !k             there is no label k
 *
 * Requirements are separated by commas and all must hold; spaces around
 * words are ignored. Keys are letters, digits and - _ . / (at most 253
 * bytes); values letters, digits and - _ . (at most 63, possibly empty),
 * as Kubernetes has them (k8s.io/apimachinery pkg/labels/selector.go).
 * The empty selector matches every label set.
 *
 * Memory: aiops_selector_parse() returns a new selector for
 * aiops_selector_free(); labels are borrowed. Nothing prints.
 */
#ifndef AIOPS_SELECTOR_H
#define AIOPS_SELECTOR_H

#include <jansson.h>
#include <stddef.h>

#define AIOPS_SELECTOR_KEY_MAX		253
#define AIOPS_SELECTOR_VALUE_MAX	63

struct aiops_selector;

/* text parsed, or NULL with "what, at byte N" in err. */
struct aiops_selector *aiops_selector_parse(const char *text, char *err, size_t errlen);
/* 1 when the labels (a JSON object of strings; NULL: none) satisfy s, else 0. */
int aiops_selector_matches(const struct aiops_selector *s, const json_t *labels);
void aiops_selector_free(struct aiops_selector *s);
/* 1 when k is a valid label key, v a valid label value (above). */
int aiops_selector_valid_key(const char *k);
int aiops_selector_valid_value(const char *v);

#endif
