/*
 * metrics: each daemon's Prometheus series, kept in memory and flushed to the
 * metrics table every few seconds (METRICS_FLUSH_SECONDS) in one short
 * transaction; apid renders every daemon's rows at /metrics. Thread-safe
 * (apid's handlers update from worker threads).
 *
 * Names are given without the labels; labels are a rendered label set built
 * with met_labels() ("" for none). Histograms are stored as their _bucket,
 * _sum and _count series, which is what the text format needs.
 */
#ifndef ITSTATUS_METRICS_H
#define ITSTATUS_METRICS_H

#include <sqlite3.h>
#include <stddef.h>

/* Default histogram buckets (seconds). */
extern const double met_default_buckets[];
extern const size_t met_default_nbuckets;

void met_counter_add(const char *name, const char *labels, const char *help, double v);
void met_gauge_set(const char *name, const char *labels, const char *help, double v);
void met_histogram_observe(const char *name, const char *labels, const char *help,
			   const double *buckets, size_t nbuckets, double v);
/*
 * Render a label set from NULL-terminated key, value pairs, escaping values
 * as the text format requires: met_labels("service", "github", "outcome",
 * "ok", NULL) -> {service="github",outcome="ok"}. Caller frees.
 */
char *met_labels(const char *key, ...) __attribute__((sentinel));
/* Write every series to the metrics table for daemon; 0 or -1. */
int met_flush(sqlite3 *db, const char *daemon);
/* Forget every series (tests). */
void met_reset(void);
/* Current value of a series, or -1 when absent (tests). */
double met_value(const char *name, const char *labels);

#endif
