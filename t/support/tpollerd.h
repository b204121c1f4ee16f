/*
 * tpollerd: a pollerd instance for unit tests -- a scratch database, the
 * registry loaded from YAML text the test gives, default settings with the
 * test's overrides, and the cycle state -- so tests of the inbox and of whole
 * poll cycles drive the real subsystems without the process around them.
 */
#ifndef ITSTATUS_TPOLLERD_H
#define ITSTATUS_TPOLLERD_H

#include "../../pollerd/pollerd.h"

/*
 * Start a pollerd on a new scratch database with services_yaml and deps_yaml
 * (NULL: no dependencies) as the registry. Settings are the defaults from an
 * empty itstatus.yaml plus the environment; tests adjust p->conf.cfg and then
 * call cycle_reconfigure(p). Aborts the test on error; release with
 * tp_stop().
 */
struct pollerd *tp_start(const char *services_yaml, const char *deps_yaml);
void tp_stop(struct pollerd *p);
/* First column of the first row of sql as text ("(null)" for NULL or no row).
 * Caller frees. */
char *tp_q(struct pollerd *p, const char *sql);
/* Run a cycle over every service to its end (bounded by 30 s). */
void tp_cycle(struct pollerd *p);

#endif
