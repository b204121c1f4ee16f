/*
 * daemon: what the three daemons share around their own work -- the command
 * line (-f FILE, -n, -v, -V, -h, --once), loading settings plus registry with
 * every problem printed as "file:line: message", logging set-up, and SIGHUP
 * reload that swaps in a new configuration only when it is valid.
 */
#ifndef ITSTATUS_DAEMON_H
#define ITSTATUS_DAEMON_H

#include "config.h"
#include "registry.h"

struct daemon_opts {
	const char *name;    /* "pollerd" */
	const char *config;  /* -f; default etc/itstatus.yaml */
	int check_only;	     /* -n */
	int verbose;	     /* -v */
	int once;	     /* --once */
	const char *restore; /* -R SNAPSHOT */
};

/* The loaded configuration; swapped as a whole on reload. */
struct daemon_conf {
	struct cfg_settings cfg;
	struct reg_registry reg;
};

/*
 * Parse argv. allow_once: accept --once. Returns -1 to continue, or an exit
 * code (0 after -h/-V, 2 on a usage error) the caller should return.
 */
int daemon_parse_args(const char *name, int allow_once, int argc, char **argv,
		      struct daemon_opts *o);
/* Load settings + registry into c; print every problem to stderr. 0 or -1. */
int daemon_load(const struct daemon_opts *o, struct daemon_conf *c);
void daemon_conf_release(struct daemon_conf *c);
/* Configure logging from c (LOG_LEVEL, LOG_JSON, LOG_FILE; -v forces DEBUG),
 * then Sentry (daemon_setup_sentry). */
void daemon_setup_logging(const struct daemon_opts *o, const struct daemon_conf *c);
/* Enable, update or disable error reports to Sentry from cfg (SENTRY_DSN,
 * SENTRY_ENVIRONMENT; crash marker beside DATABASE_PATH; every secret, Slack
 * override URL and WEBHOOK_TOKEN_* redacted from events); after every reload. */
void daemon_setup_sentry(const char *name, const struct daemon_conf *c);
/*
 * Reload: load into a new conf; on success free *c and replace it (returns 1),
 * otherwise log every problem and keep *c (returns 0).
 */
int daemon_reload(const struct daemon_opts *o, struct daemon_conf *c);
/* Run the common start: parse args, load, -n handling, logging. Returns -1
 * to continue with c loaded, or an exit code. */
int daemon_start(const char *name, int allow_once, int argc, char **argv, struct daemon_opts *o,
		 struct daemon_conf *c);

#endif
