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
/*
 * Start the test fake $ITSTATUS_TBIN/<name> (build/t when unset) on a free
 * loopback port, its port file in dir, with extra arguments (NULL-terminated,
 * may be NULL). Returns its pid and sets *port; aborts the test when it does
 * not come up. Stop it with ts_fake_stop.
 */
int ts_fake_start(const char *name, const char *dir, const char *const *extra, int *port);
void ts_fake_stop(int pid);
/* POST body to url and expect a transfer that completes (any status). */
void ts_post(const char *url, const char *body);
/* Run the suite (CK_ENV verbosity) and return the process exit code. */
int ts_run(Suite *s);

#endif
