/*
 * xalloc: the one allocation wrapper family. Every allocation in itstatus goes
 * through these; running out of memory is not a condition a status watcher can
 * recover from meaningfully, so each wrapper logs and exits instead of
 * returning NULL. Callers therefore never check for NULL.
 *
 * Ownership: every pointer returned here belongs to the caller, who frees it
 * with free().
 */
#ifndef ITSTATUS_XALLOC_H
#define ITSTATUS_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size; overflow is fatal like OOM. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* Copy at most n bytes of s and NUL-terminate. */
char *xstrndup(const char *s, size_t n);
/* Like xstrdup but NULL stays NULL. */
char *xstrdup_or_null(const char *s);
/* printf into a fresh string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
