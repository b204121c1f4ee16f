/*
 * log: JSON-lines or text logging (see log.h). Each line is built in memory
 * and written with one fwrite so lines from several threads never interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "sentry.h"
#include "timeutil.h"
#include "xalloc.h"

static char *log_daemon;
static enum log_level log_min = LOG_LVL_INFO;
static int log_json = 1;
static FILE *log_stream;

static const char *const level_names[] = {"debug", "info", "warning", "error", "critical"};

void log_init(const char *daemon, enum log_level min, int json)
{
	free(log_daemon);
	log_daemon = xstrdup(daemon ? daemon : "itstatus");
	log_min = min;
	log_json = json;
}

void log_set_level(enum log_level min)
{
	log_min = min;
}
void log_set_json(int json)
{
	log_json = json;
}
void log_set_stream(FILE *f)
{
	log_stream = f;
}
int log_enabled(enum log_level lvl)
{
	return lvl >= log_min;
}

int log_level_parse(const char *s, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level lvl;
	} names[] = {
	    {"debug", LOG_LVL_DEBUG},  {"info", LOG_LVL_INFO},	 {"warning", LOG_LVL_WARNING},
	    {"warn", LOG_LVL_WARNING}, {"error", LOG_LVL_ERROR}, {"critical", LOG_LVL_CRITICAL},
	};
	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].lvl;
			return 0;
		}
	}
	return -1;
}

/* Text lines carry outside input (request paths, vendor text): control
 * characters are written as escapes, so no value can end the line, forge
 * the next one or send escape sequences to a terminal. */
static void put_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else if (c == '\\')
			buf_puts(b, "\\\\");
		else
			buf_putc(b, (char)c);
	}
}

/* The longest line written: a message quoting a whole vendor body is cut
 * down to a note, never a line that fills the disk. */
#define LOG_LINE_CAP (1024 * 1024)

/* One line into b (empty, capped). */
static void format_line(struct buf *b, enum log_level lvl, const char *ts, const char *msg,
			const char *const *kv)
{
	const char *d = log_daemon ? log_daemon : "itstatus";
	if (log_json) {
		buf_printf(b, "{\"ts\":\"%s\",\"level\":\"%s\",\"daemon\":", ts, level_names[lvl]);
		buf_put_json_str(b, d);
		buf_puts(b, ",\"msg\":");
		buf_put_json_str(b, msg);
		for (size_t i = 0; kv && kv[i]; i += 2) {
			buf_putc(b, ',');
			buf_put_json_str(b, kv[i]);
			buf_putc(b, ':');
			buf_put_json_str(b, kv[i + 1]);
		}
		buf_puts(b, "}\n");
	} else {
		buf_printf(b, "%s %-8s %s: ", ts, level_names[lvl], d);
		put_text(b, msg);
		for (size_t i = 0; kv && kv[i]; i += 2) {
			buf_putc(b, ' ');
			put_text(b, kv[i]);
			buf_putc(b, '=');
			put_text(b, kv[i + 1] ? kv[i + 1] : "null");
		}
		buf_putc(b, '\n');
	}
}

static void emit(enum log_level lvl, const char *const *kv, const char *fmt, va_list ap)
{
	char ts[TS_ISO_LEN + 1];
	char *msg = xvasprintf(fmt, ap);
	struct buf b;
	buf_init(&b, LOG_LINE_CAP);
	ts_now_iso(ts);
	format_line(&b, lvl, ts, msg, kv);
	if (b.overflowed) { /* not buf_check: that would log from inside the logger */
		buf_reset(&b);
		format_line(&b, lvl, ts, "(log line longer than LOG_LINE_CAP, dropped)", NULL);
	}
	FILE *f = log_stream ? log_stream : stderr;
	fwrite(b.data, 1, b.len, f);
	fflush(f);
	sentry_capture(lvl, msg, kv); /* errors and above; queued, never waits */
	buf_release(&b);
	free(msg);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	if (lvl < log_min)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit(lvl, NULL, fmt, ap);
	va_end(ap);
}

void log_kv(enum log_level lvl, const char *const *kv, const char *fmt, ...)
{
	if (lvl < log_min)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit(lvl, kv, fmt, ap);
	va_end(ap);
}
