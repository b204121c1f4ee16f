/*
 * tsupport: helpers shared by the Check unit tests: a per-test scratch folder,
 * writing small files, and running a suite with the runner's conventions.
 */
#ifndef ITSTATUS_TSUPPORT_H
#define ITSTATUS_TSUPPORT_H

#include <check.h>

/* A fresh scratch folder under $T_TMP (or /tmp); caller frees the path. */
char *ts_tmpdir(void);
/* Write text to dir/name; returns the full path (caller frees). Aborts the test on error. */
char *ts_write(const char *dir, const char *name, const char *text);
/* Read a whole file; NULL when unreadable. Caller frees. */
char *ts_read(const char *path, size_t *len);
/* Path of a vendor fixture ("statuspage/x.json"); caller frees. */
char *ts_fixture(const char *rel);
/* Run the suite (CK_ENV verbosity) and return the process exit code. */
int ts_run(Suite *s);

#endif
