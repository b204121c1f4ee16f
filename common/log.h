/*
 * log: one line per event on stderr (or a file). JSON by default -- one object
 * per line with ts, level, daemon, msg and optional key/value fields -- so
 * launchd/journald logs can be searched with jq; LOG_JSON=false gives readable
 * text. Formats are printf-checked.
 */
#ifndef ITSTATUS_LOG_H
#define ITSTATUS_LOG_H

#include <stdio.h>

enum log_level {
	LOG_LVL_DEBUG = 0,
	LOG_LVL_INFO,
	LOG_LVL_WARNING,
	LOG_LVL_ERROR,
	LOG_LVL_CRITICAL
};

/* daemon: name put on every line (copied). json: 1 JSON lines, 0 text. */
void log_init(const char *daemon, enum log_level min, int json);
void log_set_level(enum log_level min);
void log_set_json(int json);
/* Redirect to an open stream (tests); NULL restores stderr. */
void log_set_stream(FILE *f);
/* Parse "DEBUG".."CRITICAL" (any case, WARN accepted); 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);
int log_enabled(enum log_level lvl);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Like log_msg with structured fields: kv is a NULL-terminated list of
 * key, value string pairs (values may be NULL, written as null).
 */
void log_kv(enum log_level lvl, const char *const *kv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)

#endif
