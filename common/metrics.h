/*
 * metrics: each daemon's Prometheus series, kept in memory and flushed to the
 * metrics table every few seconds (METRICS_FLUSH_SECONDS) in one short
 * transaction; apid renders every daemon's rows at /metrics. Thread-safe
 * (apid's handlers update from worker threads).
 *
 * Every metric is declared once in common/metrics.def (name, type, help,
 * label names, histogram buckets). Daemon code updates one by its id,
 * passing only the label values, in declaration order:
 *     met_add(MET_POLL_TOTAL, 1, s->id, outcome);
 *     met_set(MET_POLL_QUEUE_READINGS, (double)q->n);
 *     met_observe(MET_POLL_DURATION_SECONDS, secs, poll_type);
 * These macros check at compile time that the id exists, that it is a
 * counter, gauge or histogram respectively, and that the number of label
 * values is the declared one. A NULL label value is rendered as "".
 *
 * The met_def_* functions under them take a declaration instead of an id:
 * they are for t/check_metrics.c, which needs metrics of its own; daemon
 * code never builds a struct met_def (t/sh/metrics_registry.sh checks).
 */
#ifndef ITSTATUS_METRICS_H
#define ITSTATUS_METRICS_H

#include <sqlite3.h>
#include <stddef.h>

#include "metrics.def"
#include "vocab.h"

/* One metric's declaration. */
struct met_def {
	const char *name; /* without _bucket/_sum/_count */
	enum vc_metric_type type;
	const char *const *labels; /* nlabels label names */
	size_t nlabels;
	const double *buckets; /* histogram upper bounds, ascending; else NULL */
	size_t nbuckets;
	const char *help;
};

/* A parenthesized label list as an initializer; the leading NULL keeps ()
 * valid C11, and is skipped by whoever counts or reads the names. (The
 * formatter would spread the braces over four lines.) */
/* clang-format off */
#define MET_LIST_(...) {NULL, __VA_ARGS__}
/* clang-format on */
#define MET_NLIST_(list) (sizeof((const char *const[])MET_LIST_ list) / sizeof(const char *) - 1)

enum met_id {
#define MET_ID_(id, type, name, buckets, labels, help) id,
	MET_METRICS(MET_ID_)
#undef MET_ID_
	    MET_COUNT
};

/* What the call-site macros check: each metric's type and label count. */
enum {
#define MET_CONST_(id, type, name, buckets, labels, help)                                          \
	id##_TYPE_ = (int)(type), id##_NLABELS_ = (int)MET_NLIST_(labels),
	MET_METRICS(MET_CONST_)
#undef MET_CONST_
};

/* The declarations of metrics.def, indexed by enum met_id. */
extern const struct met_def met_defs[MET_COUNT];

#define met_add(...) MET_CALL_(met_def_add, VC_MT_COUNTER, __VA_ARGS__, NULL)
#define met_set(...) MET_CALL_(met_def_set, VC_MT_GAUGE, __VA_ARGS__, NULL)
#define met_observe(...) MET_CALL_(met_def_observe, VC_MT_HISTOGRAM, __VA_ARGS__, NULL)
/* The label values travel as a NULL-terminated compound literal; the NULL
 * the macros above append is why a metric without labels needs none.
 * MET_NARG_ counts them by the preprocessor (at most 8), which a compiler
 * accepts inside a static assertion where sizeof of the literal is not. */
#define MET_CALL_(fn, type, id, v, ...)                                                            \
	fn(&met_defs[id], (v), (const char *const[]){__VA_ARGS__},                                 \
	   MET_CHECK_(id, type, MET_NARG_(__VA_ARGS__)))
#define MET_NARG_(...) MET_NARG_N_(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0, ~)
#define MET_NARG_N_(a1, a2, a3, a4, a5, a6, a7, a8, a9, n, ...) n
#define MET_CHECK_(id, type, n)                                                                    \
	((n) + 0 * sizeof(struct {                                                                 \
		       _Static_assert(id##_TYPE_ == (int)(type),                                   \
				      #id ": wrong update for its type (metrics.def)");            \
		       _Static_assert(id##_NLABELS_ == (n),                                        \
				      #id ": wrong number of labels (metrics.def)");               \
		       char c_;                                                                    \
	       }))

/* Add v to a counter, set a gauge, observe v in a histogram. values holds
 * d->nlabels label values (NULL = ""); a call with another n, or on a metric
 * of another type, is logged and ignored. */
void met_def_add(const struct met_def *d, double v, const char *const *values, size_t n);
void met_def_set(const struct met_def *d, double v, const char *const *values, size_t n);
void met_def_observe(const struct met_def *d, double v, const char *const *values, size_t n);

/*
 * Render a label set from NULL-terminated key, value pairs, escaping values
 * as the text format requires: met_labels("service", "github", "outcome",
 * "ok", NULL) -> {service="github",outcome="ok"}, the form a series is
 * stored and looked up in (met_value). Caller frees.
 */
char *met_labels(const char *key, ...) __attribute__((sentinel));
/* Write every series to the metrics table for daemon; 0 or -1. */
int met_flush(sqlite3 *db, const char *daemon);
/* Forget every series (tests). */
void met_reset(void);
/* Current value of a series (a histogram's count), or -1 when absent (tests);
 * labels is the rendered set, as met_labels gives it. */
double met_value(const char *name, const char *labels);

#endif
