/*
 * daemon: shared command line, configuration loading and reload (see
 * daemon.h).
 */
#include "daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "log.h"
#include "sentry.h"
#include "sig.h"
#include "xalloc.h"

extern char **environ;

static void usage(FILE *f, const char *name, int allow_once)
{
	fprintf(f,
		"usage: %s [-f FILE] [-n] [-v] [-V] [-h] [-R SNAPSHOT]%s\n"
		"  -f FILE  settings file (default etc/itstatus.yaml)\n"
		"  -n       check the configuration and exit (0 valid, 1 not)\n"
		"  -v       more log (DEBUG)\n"
		"  -V       print the version and exit\n"
		"  -h       this help\n"
		"  -R FILE  restore DATABASE_PATH from a snapshot (daemons stopped) and exit\n"
		"%s",
		name, allow_once ? " [--once]" : "",
		allow_once ? "  --once   do one cycle and exit\n" : "");
}

int daemon_parse_args(const char *name, int allow_once, int argc, char **argv,
		      struct daemon_opts *o)
{
	memset(o, 0, sizeof *o);
	o->name = name;
	o->config = "etc/itstatus.yaml";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-f") && i + 1 < argc) {
			o->config = argv[++i];
		} else if (!strcmp(a, "-R") && i + 1 < argc) {
			o->restore = argv[++i];
		} else if (!strcmp(a, "-n")) {
			o->check_only = 1;
		} else if (!strcmp(a, "-v")) {
			o->verbose = 1;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("%s (itstatus) %s\n", name, ITSTATUS_VERSION);
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout, name, allow_once);
			return 0;
		} else if (allow_once && !strcmp(a, "--once")) {
			o->once = 1;
		} else {
			fprintf(stderr, "%s: unknown or incomplete option \"%s\"\n", name, a);
			usage(stderr, name, allow_once);
			return 2;
		}
	}
	return -1;
}

static void print_errors(const struct cfg_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		fprintf(stderr, "%s\n", e->v[i]);
}

/* Load into c, collecting problems in errs. */
static int load_into(const struct daemon_opts *o, struct daemon_conf *c, struct cfg_errors *errs)
{
	memset(c, 0, sizeof *c);
	if (cfg_load(o->config, &c->cfg, errs) < 0)
		return -1;
	if (reg_load(c->cfg.services_file, c->cfg.dependencies_file, &c->reg, errs) < 0) {
		cfg_release(&c->cfg);
		return -1;
	}
	if (c->cfg.sso_broker_service_id && !reg_find(&c->reg, c->cfg.sso_broker_service_id)) {
		cfg_error(errs, o->config, 0, "sso_broker_service_id: unknown service id \"%s\"",
			  c->cfg.sso_broker_service_id);
		daemon_conf_release(c);
		return -1;
	}
	return 0;
}

int daemon_load(const struct daemon_opts *o, struct daemon_conf *c)
{
	struct cfg_errors errs = {0};
	int rc = load_into(o, c, &errs);
	print_errors(&errs);
	cfg_errors_release(&errs);
	return rc;
}

void daemon_conf_release(struct daemon_conf *c)
{
	reg_release(&c->reg);
	cfg_release(&c->cfg);
}

void daemon_setup_sentry(const char *name, const struct daemon_conf *c)
{
	const struct cfg_settings *cfg = &c->cfg;
	/* The crash marker goes beside the database: the one folder every
	 * daemon may write to under the shipped units. */
	char *dir = NULL;
	const char *slash = cfg->database_path ? strrchr(cfg->database_path, '/') : NULL;
	if (slash)
		dir = slash == cfg->database_path
			  ? xstrdup("/")
			  : xstrndup(cfg->database_path, (size_t)(slash - cfg->database_path));
	/* Every secret, and the per-service webhook tokens apid reads from the
	 * environment, is redacted from what goes to Sentry. */
	size_t n = cfg_secret_count();
	const char **all = xreallocarray(NULL, n, sizeof *all);
	for (size_t i = 0; i < n; i++)
		all[i] = cfg_secret_value(&cfg->secrets, i);
	for (size_t i = 0; i < cfg->n_env_secrets; i++) { /* WEBHOOK_TOKEN_*_KEYCHAIN */
		all = xreallocarray(all, n + 1, sizeof *all);
		all[n++] = cfg->env_secret_values[i];
	}
	for (size_t i = 0; i < c->reg.nservices; i++) { /* per-service Slack webhooks */
		if (c->reg.services[i].slack_override_url) {
			all = xreallocarray(all, n + 1, sizeof *all);
			all[n++] = c->reg.services[i].slack_override_url;
		}
	}
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && !strncmp(*e, "WEBHOOK_TOKEN_", 14) && !strstr(*e, "_FILE=") &&
		    !strstr(*e, "_KEYCHAIN=")) {
			all = xreallocarray(all, n + 1, sizeof *all);
			all[n++] = eq + 1;
		}
	}
	sentry_set_secrets(all, n);
	free(all);
	char *err = NULL;
	if (sentry_configure(name, cfg->secrets.sentry_dsn, cfg->sentry_environment, dir, &err) <
	    0) {
		log_warn("SENTRY_DSN: %s; errors are not sent to Sentry", err);
		free(err);
	}
	free(dir);
}

void daemon_setup_logging(const struct daemon_opts *o, const struct daemon_conf *c)
{
	enum log_level lvl = LOG_LVL_INFO;
	log_level_parse(c->cfg.log_level, &lvl);
	if (o->verbose)
		lvl = LOG_LVL_DEBUG;
	log_init(o->name, lvl, c->cfg.log_json);
	if (c->cfg.log_file) {
		FILE *f = fopen(c->cfg.log_file, "a");
		if (f)
			log_set_stream(f);
		else
			log_error("cannot open LOG_FILE %s; logging to stderr", c->cfg.log_file);
	}
	daemon_setup_sentry(o->name, c);
}

int daemon_reload(const struct daemon_opts *o, struct daemon_conf *c)
{
	struct cfg_errors errs = {0};
	struct daemon_conf fresh;
	if (load_into(o, &fresh, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_error("reload rejected: %s", errs.v[i]);
		log_error(
		    "configuration reload failed; still running on the previous configuration");
		cfg_errors_release(&errs);
		return 0;
	}
	cfg_errors_release(&errs);
	daemon_conf_release(c);
	*c = fresh;
	daemon_setup_sentry(o->name, c);
	log_info("configuration reloaded: %zu services, %zu dependency edges", c->reg.nservices,
		 c->reg.nedges);
	return 1;
}

int daemon_start(const char *name, int allow_once, int argc, char **argv, struct daemon_opts *o,
		 struct daemon_conf *c)
{
	int rc = daemon_parse_args(name, allow_once, argc, argv, o);
	if (rc >= 0)
		return rc;
	/* The database (with its -wal and -shm), backups, log files and
	 * postmortems hold Slack response URLs and client addresses: readable
	 * by the service's group at most, whatever umask the shell had. */
	umask(027);
	log_init(name, LOG_LVL_INFO, 1);
	if (daemon_load(o, c) < 0) {
		fprintf(stderr, "%s: configuration is invalid\n", name);
		return 1;
	}
	if (o->restore) {
		rc = db_restore(o->restore, c->cfg.database_path,
				c->cfg.heartbeat_stale_after_seconds);
		if (rc == 0)
			printf("%s: restored %s from %s\n", name, c->cfg.database_path, o->restore);
		daemon_conf_release(c);
		return rc == 0 ? 0 : 1;
	}
	if (o->check_only) {
		printf("%s: configuration OK (%zu services, %zu dependency edges)\n", name,
		       c->reg.nservices, c->reg.nedges);
		daemon_conf_release(c);
		return 0;
	}
	daemon_setup_logging(o, c);
	if (sig_install() < 0) {
		log_error("cannot install signal handlers");
		daemon_conf_release(c);
		return 1;
	}
	return -1;
}
