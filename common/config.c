/*
 * config: settings table, YAML + environment loading, secrets (see config.h).
 *
 * Each setting's default is written as text and goes through the same parser
 * as YAML and environment values, so a default can never be out of its own
 * range without the unit test noticing. Precedence: default < YAML <
 * environment.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "keychain.h"
#include "log.h"
#include "sentry.h"
#include "xalloc.h"
#include "yml.h"

void cfg_error(struct cfg_errors *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	e->v = xreallocarray(e->v, e->n + 1, sizeof *e->v);
	if (line > 0)
		e->v[e->n++] = xasprintf("%s:%d: %s", file, line, msg);
	else
		e->v[e->n++] = xasprintf("%s: %s", file, msg);
	free(msg);
}

void cfg_errors_release(struct cfg_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

enum stype { T_INT, T_DOUBLE, T_BOOL, T_STR, T_PATH, T_LEVEL };

struct setting {
	const char *name;
	enum stype type;
	size_t off;
	const char *dflt; /* NULL: unset */
	double min, max;
	int min_exclusive;
};

/* One setting per line reads better than the formatter's layout. */
/* clang-format off */
#define S(n, t, d, lo, hi) {#n, t, offsetof(struct cfg_settings, n), d, lo, hi, 0}
#define SX(n, t, d, lo, hi) {#n, t, offsetof(struct cfg_settings, n), d, lo, hi, 1}
static const struct setting settings[] = {
	S(database_path, T_PATH, "data.db", 0, 0),
	S(services_file, T_PATH, "services.yaml", 0, 0),
	S(dependencies_file, T_PATH, "dependencies.yaml", 0, 0),
	S(poll_interval_seconds, T_INT, "60", 1, 3600),
	S(host, T_STR, "127.0.0.1", 0, 0),
	S(port, T_INT, "8000", 1, 65535),
	S(log_level, T_LEVEL, "INFO", 0, 0),
	S(log_json, T_BOOL, "true", 0, 0),
	S(log_file, T_PATH, NULL, 0, 0),
	S(seed_demo_data, T_BOOL, "false", 0, 0),
	S(cors_origins, T_STR, "http://localhost:5173,http://127.0.0.1:5173", 0, 0),
	S(breaker_threshold, T_INT, "3", 1, 20),
	SX(breaker_ttl_seconds, T_DOUBLE, "300", 0, 3600),
	S(poller_failure_threshold, T_INT, "3", 1, 20),
	S(alert_confirm_threshold_polls, T_INT, "3", 1, 20),
	S(alert_recovery_threshold_polls, T_INT, "2", 1, 20),
	S(alert_min_state_duration_seconds, T_INT, "600", 0, 86400),
	S(alert_dedup_window_seconds, T_INT, "86400", 1, 604800),
	S(dependency_correlation_threshold, T_INT, "3", 1, 100),
	S(sso_broker_service_id, T_STR, NULL, 0, 0),
	S(sentry_environment, T_STR, "production", 0, 0),
	S(sentry_traces_sample_rate, T_DOUBLE, "0.0", 0, 1),
	S(heartbeat_interval_seconds, T_INT, "30", 1, 600),
	S(heartbeat_stale_after_seconds, T_INT, "120", 1, 3600),
	S(retention_days_status_events, T_INT, "90", 0, 3650),
	S(retention_days_alert_sent_log, T_INT, "90", 0, 3650),
	S(retention_interval_hours, T_INT, "168", 1, 8760),
	S(wal_checkpoint_interval_hours, T_INT, "24", 1, 168),
	S(backup_dir, T_PATH, "backups", 0, 0),
	S(backup_time_hour, T_INT, "2", 0, 23),
	S(backup_retention_days, T_INT, "7", 1, 3650),
	S(postmortems_enabled, T_BOOL, "false", 0, 0),
	S(postmortems_dir, T_PATH, "postmortems", 0, 0),
	S(slo_burn_rate_enabled, T_BOOL, "false", 0, 0),
	S(slo_target_percent, T_DOUBLE, "99.9", 90.0, 99.99),
	S(slo_burn_rate_check_interval_seconds, T_INT, "300", 1, 3600),
	SX(slo_burn_rate_fast_threshold, T_DOUBLE, "14.4", 0, 100),
	SX(slo_burn_rate_slow_threshold, T_DOUBLE, "6.0", 0, 100),
	SX(slo_burn_rate_ticket_threshold, T_DOUBLE, "1.0", 0, 100),
	S(webhooks_enabled, T_BOOL, "false", 0, 0),
	S(slack_ack_enabled, T_BOOL, "false", 0, 0),
	S(slack_slash_enabled, T_BOOL, "false", 0, 0),
	S(http_connect_timeout_seconds, T_INT, "5", 1, 60),
	S(http_timeout_seconds, T_INT, "15", 1, 300),
	S(http_max_body_bytes, T_INT, "5242880", 1024, 104857600),
	S(http_max_host_connections, T_INT, "2", 1, 64),
	S(http_retry_attempts, T_INT, "3", 1, 10),
	S(rss_active_hours, T_INT, "24", 1, 720),
	S(alert_delivery_max_age_seconds, T_INT, "86400", 60, 604800),
	S(slack_min_interval_ms, T_INT, "1000", 0, 60000),
	S(dependency_correlation_window_seconds, T_INT, "300", 0, 86400),
	S(alert_group_wait_seconds, T_INT, "0", 0, 600),
	S(degraded_sla_weight, T_DOUBLE, "1.0", 0, 1),
	S(burn_min_coverage_percent, T_DOUBLE, "90", 1, 100),
	S(metrics_flush_seconds, T_INT, "5", 1, 300),
	S(apid_threads, T_INT, "8", 1, 64),
	S(admin_wait_ms, T_INT, "3000", 0, 30000),
	S(slack_response_url_hosts, T_STR, "hooks.slack.com", 0, 0),
	S(web_root, T_PATH, "../web/dist", 0, 0),
	S(poller_queue_max_readings, T_INT, "100000", 100, 10000000),
	S(trusted_proxies, T_STR, NULL, 0, 0),
	S(apid_client_max_requests, T_INT, "32", 1, 1024),
	S(apid_client_max_streams, T_INT, "32", 1, 256),
	S(statuspage_body_only_signature, T_BOOL, "false", 0, 0),
	S(uptime_min_coverage_percent, T_DOUBLE, "10", 0, 100),
	S(sla_count_maintenance, T_BOOL, "false", 0, 0),
};
/* clang-format on */
#define NSETTINGS (sizeof settings / sizeof settings[0])

struct secret {
	const char *env;
	size_t off;
	int is_url;
};
/* clang-format off */
#define SEC(n, env, url) {env, offsetof(struct cfg_secrets, n), url}
static const struct secret secrets[] = {
	SEC(slack_webhook_url, "SLACK_WEBHOOK_URL", 1),
	SEC(poller_health_slack_webhook_url, "POLLER_HEALTH_SLACK_WEBHOOK_URL", 1),
	SEC(admin_api_token, "ADMIN_API_TOKEN", 0),
	SEC(statuspage_webhook_secret, "STATUSPAGE_WEBHOOK_SECRET", 0),
	SEC(slack_signing_secret, "SLACK_SIGNING_SECRET", 0),
	SEC(sentry_dsn, "SENTRY_DSN", 1),
	SEC(healthcheck_ping_url, "HEALTHCHECK_PING_URL", 1),
	SEC(generic_webhook_url, "GENERIC_WEBHOOK_URL", 1),
	SEC(teams_webhook_url, "TEAMS_WEBHOOK_URL", 1),
	SEC(pagerduty_routing_key, "PAGERDUTY_ROUTING_KEY", 0),
};
/* clang-format on */
#define NSECRETS (sizeof secrets / sizeof secrets[0])

size_t cfg_secret_count(void)
{
	return NSECRETS;
}
const char *cfg_secret_value(const struct cfg_secrets *s, size_t i)
{
	return i < NSECRETS ? *(char *const *)((const char *)s + secrets[i].off) : NULL;
}

size_t cfg_setting_count(void)
{
	return NSETTINGS;
}
const char *cfg_setting_name(size_t i)
{
	return i < NSETTINGS ? settings[i].name : NULL;
}

static char *upper(const char *s)
{
	char *u = xstrdup(s);
	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const t[] = {"true", "yes", "on", "1"};
	static const char *const f[] = {"false", "no", "off", "0"};
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(v, t[i])) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(v, f[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

char *cfg_resolve_path(const char *dir, const char *p)
{
	if (p[0] == '/' || !dir || !*dir)
		return xstrdup(p);
	return xasprintf("%s/%s", dir, p);
}

/* Parse v into the setting's slot. base: folder for relative paths. Returns
 * NULL on success or an error message (caller frees). */
static char *apply(struct cfg_settings *s, const struct setting *st, const char *v,
		   const char *base)
{
	void *slot = (char *)s + st->off;
	switch (st->type) {
	case T_INT: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || end == v || *end)
			return xasprintf("%s: expected an integer, got \"%s\"", st->name, v);
		if (n < (long)st->min || n > (long)st->max)
			return xasprintf("%s: %ld is out of range %.0f..%.0f", st->name, n, st->min,
					 st->max);
		*(int *)slot = (int)n;
		return NULL;
	}
	case T_DOUBLE: {
		char *end;
		errno = 0;
		double d = strtod(v, &end);
		if (errno || end == v || *end || !isfinite(d))
			return xasprintf("%s: expected a number, got \"%s\"", st->name, v);
		if ((st->min_exclusive ? d <= st->min : d < st->min) || d > st->max)
			return xasprintf("%s: %g is out of range %s%g..%g", st->name, d,
					 st->min_exclusive ? ">" : "", st->min, st->max);
		*(double *)slot = d;
		return NULL;
	}
	case T_BOOL:
		if (parse_bool(v, (int *)slot) < 0)
			return xasprintf("%s: expected true or false, got \"%s\"", st->name, v);
		return NULL;
	case T_LEVEL: {
		enum log_level lvl;
		if (log_level_parse(v, &lvl) < 0)
			return xasprintf(
			    "%s: expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got \"%s\"",
			    st->name, v);
		break;
	}
	case T_STR:
	case T_PATH:
		if (!*v && st->type == T_PATH)
			return xasprintf("%s: empty path", st->name);
		break;
	}
	char **sp = slot;
	free(*sp);
	*sp = st->type == T_PATH ? cfg_resolve_path(base, v) : xstrdup(v);
	return NULL;
}

static const struct setting *find_setting(const char *name)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (!strcmp(settings[i].name, name))
			return &settings[i];
	return NULL;
}

static char *trim_dup(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static int is_http_url(const char *u)
{
	const char *rest = NULL;
	if (!strncasecmp(u, "http://", 7))
		rest = u + 7;
	else if (!strncasecmp(u, "https://", 8))
		rest = u + 8;
	return rest && *rest && *rest != '/' && !strpbrk(u, " \t\r\n");
}

static char *read_secret_file(const char *path, struct cfg_errors *errs, const char *var)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		cfg_error(errs, "environment", 0, "%s_FILE: cannot read %s: %s", var, path,
			  strerror(errno));
		return NULL;
	}
	char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return trim_dup(buf);
}

/* NAME_KEYCHAIN=service[/account]: the item's password, or NULL with the
 * reason in errs (the daemon then refuses to start, or a reload is rejected). */
static char *read_secret_keychain(const char *spec, struct cfg_errors *errs, const char *var)
{
	char *v = NULL, *why = NULL;
	if (keychain_read(spec, &v, &why) < 0) {
		cfg_error(errs, "environment", 0, "%s_KEYCHAIN=%s: %s", var, spec, why);
		free(why);
		return NULL;
	}
	char *t = trim_dup(v);
	memset(v, 0, strlen(v));
	free(v);
	if (!*t)
		cfg_error(errs, "environment", 0, "%s_KEYCHAIN=%s: the item's password is empty",
			  var, spec);
	return t;
}

/* The secret in var, or the file var_FILE names, or (keychain) the item
 * var_KEYCHAIN names; trimmed; NULL when unset or empty. */
static char *secret_value(const char *var, int keychain, struct cfg_errors *errs)
{
	char *fvar = xasprintf("%s_FILE", var);
	char *kvar = xasprintf("%s_KEYCHAIN", var);
	const char *fpath = getenv(fvar), *kspec = keychain ? getenv(kvar) : NULL;
	char *v = NULL;
	if (kspec && *kspec) {
		/* A new way to set a secret: two sources at once is a mistake. */
		if ((fpath && *fpath) || (getenv(var) && *getenv(var)))
			cfg_error(errs, "environment", 0, "%s: set only one of %s, %s and %s", var,
				  var, fvar, kvar);
		else
			v = read_secret_keychain(kspec, errs, var);
	} else if (fpath && *fpath) {
		v = read_secret_file(fpath, errs, var);
	} else if (getenv(var)) {
		v = trim_dup(getenv(var));
	}
	free(fvar);
	free(kvar);
	if (v && !*v) { /* empty means not configured (doc/compat.md#bug-15) */
		free(v);
		v = NULL;
	}
	return v;
}

char *cfg_secret_env(const char *var)
{
	struct cfg_errors errs = {0};
	/* no Keychain here: it is read at load (cfg_env_secret), not per call */
	char *v = secret_value(var, 0, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_warn("%s", errs.v[i]);
	cfg_errors_release(&errs);
	return v;
}

static void load_secrets(struct cfg_secrets *sec, struct cfg_errors *errs)
{
	for (size_t i = 0; i < NSECRETS; i++) {
		char **slot = (char **)((char *)sec + secrets[i].off);
		char *v = secret_value(secrets[i].env, 1, errs);
		if (v && secrets[i].is_url && !is_http_url(v)) {
			cfg_error(errs, "environment", 0, "%s: not an http(s) URL", secrets[i].env);
			free(v);
			v = NULL;
		}
		char *why = NULL;
		if (v && secrets[i].off == offsetof(struct cfg_secrets, sentry_dsn) &&
		    sentry_dsn_check(v, &why) < 0) {
			/* The DSN is a credential: say what is wrong, not what it is. */
			cfg_error(errs, "environment", 0, "SENTRY_DSN: %s", why);
			free(why);
			free(v);
			v = NULL;
		}
		*slot = v;
	}
}

extern char **environ;

/*
 * WEBHOOK_TOKEN_<ID>_KEYCHAIN: apid reads WEBHOOK_TOKEN_<ID> (or its _FILE)
 * on every request, but running `security` per request would let any sender
 * make apid spawn processes, so keychain items are read here, at load and
 * reload, like the fixed secrets.
 */
static void load_env_keychain(struct cfg_settings *s, struct cfg_errors *errs)
{
	static const char prefix[] = "WEBHOOK_TOKEN_", suffix[] = "_KEYCHAIN";
	const size_t pl = sizeof prefix - 1, sl = sizeof suffix - 1;
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t nl = eq ? (size_t)(eq - *e) : 0;
		if (!eq || !eq[1] || nl <= pl + sl || strncmp(*e, prefix, pl) ||
		    strncmp(eq - sl, suffix, sl))
			continue;
		char *name = xstrndup(*e, nl - sl);
		char *fvar = xasprintf("%s_FILE", name);
		const char *plain = getenv(name), *file = getenv(fvar);
		char *v = NULL;
		if ((plain && *plain) || (file && *file))
			cfg_error(errs, "environment", 0,
				  "%s: set only one of %s, %s and %s_KEYCHAIN", name, name, fvar,
				  name);
		else
			v = read_secret_keychain(eq + 1, errs, name);
		free(fvar);
		if (!v || !*v) {
			free(v);
			free(name);
			continue;
		}
		size_t n = s->n_env_secrets + 1;
		s->env_secret_names = xreallocarray(s->env_secret_names, n, sizeof(char *));
		s->env_secret_values = xreallocarray(s->env_secret_values, n, sizeof(char *));
		s->env_secret_names[n - 1] = name;
		s->env_secret_values[n - 1] = v;
		s->n_env_secrets = n;
	}
}

const char *cfg_env_secret(const struct cfg_settings *s, const char *name)
{
	for (size_t i = 0; i < s->n_env_secrets; i++)
		if (!strcmp(s->env_secret_names[i], name))
			return s->env_secret_values[i];
	return NULL;
}

static int is_secret_key(const char *key)
{
	for (size_t i = 0; i < NSECRETS; i++)
		if (!strcasecmp(key, secrets[i].env))
			return 1;
	return 0;
}

static int file_exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* "x/services.yaml" -> "x/services.local.yaml" when that exists. */
static void prefer_local(char **path)
{
	size_t n = strlen(*path);
	if (n < 5 || strcmp(*path + n - 5, ".yaml"))
		return;
	char *local = xasprintf("%.*s.local.yaml", (int)(n - 5), *path);
	if (file_exists(local)) {
		free(*path);
		*path = local;
	} else {
		free(local);
	}
}

static void load_yaml(struct cfg_settings *s, const char *file, struct cfg_errors *errs,
		      unsigned char *seen)
{
	struct yml_doc d;
	if (yml_load(&d, file, errs) < 0) {
		yml_release(&d);
		return;
	}
	yaml_node_t *root = yml_root(&d);
	if (root->type != YAML_MAPPING_NODE) {
		if (!yml_is_null(root))
			cfg_error(errs, file, yml_line(root),
				  "expected a mapping of settings, got %s", yml_kind(root));
		yml_release(&d);
		return;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yml_node(&d, p->key), *v = yml_node(&d, p->value);
		const char *key = yml_str(k);
		if (!key) {
			cfg_error(errs, file, yml_line(k), "setting names must be plain words");
			continue;
		}
		const struct setting *st = find_setting(key);
		if (!st) {
			if (is_secret_key(key)) {
				char *env = upper(key);
				cfg_error(
				    errs, file, yml_line(k),
				    "%s is a secret: set it in the environment (%s or %s_FILE), "
				    "never in YAML",
				    key, env, env);
				free(env);
			} else
				cfg_error(errs, file, yml_line(k), "unknown setting \"%s\"", key);
			continue;
		}
		if (seen[st - settings]) {
			cfg_error(errs, file, yml_line(k), "%s is set twice", key);
			continue;
		}
		seen[st - settings] = 1;
		if (v->type != YAML_SCALAR_NODE) {
			cfg_error(errs, file, yml_line(v), "%s: expected a single value, got %s",
				  key, yml_kind(v));
			continue;
		}
		if (yml_is_null(v)) {
			if (st->type == T_STR || (st->type == T_PATH && !st->dflt)) {
				char **sp = (char **)((char *)s + st->off);
				free(*sp);
				*sp = NULL;
			} else {
				cfg_error(errs, file, yml_line(v), "%s: a value is required", key);
			}
			continue;
		}
		char *msg = apply(s, st, yml_str(v), s->config_dir);
		if (msg) {
			cfg_error(errs, file, yml_line(v), "%s", msg);
			free(msg);
		}
	}
	yml_release(&d);
}

int cfg_load(const char *path, struct cfg_settings *out, struct cfg_errors *errs)
{
	size_t nerr0 = errs->n;
	memset(out, 0, sizeof *out);
	if (!path)
		path = "etc/itstatus.yaml";
	out->config_path = xstrdup(path);
	const char *slash = strrchr(path, '/');
	out->config_dir =
	    slash ? xstrndup(path, (size_t)(slash - path + (slash == path))) : xstrdup(".");

	for (size_t i = 0; i < NSETTINGS; i++) {
		if (!settings[i].dflt)
			continue;
		char *msg = apply(out, &settings[i], settings[i].dflt, out->config_dir);
		if (msg) { /* a bad default is a programming error; report it like any other */
			cfg_error(errs, "(defaults)", 0, "%s", msg);
			free(msg);
		}
	}
	unsigned char seen[NSETTINGS] = {0};
	load_yaml(out, path, errs, seen);

	int explicit_services = seen[find_setting("services_file") - settings];
	int explicit_deps = seen[find_setting("dependencies_file") - settings];
	for (size_t i = 0; i < NSETTINGS; i++) {
		char *env = upper(settings[i].name);
		const char *v = getenv(env);
		if (v) {
			/* An empty variable means "not set" for optional text settings. */
			if (!*v && (settings[i].type == T_STR || settings[i].type == T_PATH) &&
			    !settings[i].dflt) {
				free(env);
				continue;
			}
			char *msg = apply(out, &settings[i], v, NULL);
			if (msg) {
				cfg_error(errs, "environment", 0, "%s (from %s)", msg, env);
				free(msg);
			}
			if (!strcmp(settings[i].name, "services_file"))
				explicit_services = 1;
			if (!strcmp(settings[i].name, "dependencies_file"))
				explicit_deps = 1;
		}
		free(env);
	}
	if (!explicit_services)
		prefer_local(&out->services_file);
	if (!explicit_deps)
		prefer_local(&out->dependencies_file);
	load_secrets(&out->secrets, errs);
	load_env_keychain(out, errs);

	if (errs->n > nerr0) {
		cfg_release(out);
		return -1;
	}
	return 0;
}

void cfg_release(struct cfg_settings *s)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		if (settings[i].type == T_STR || settings[i].type == T_PATH ||
		    settings[i].type == T_LEVEL) {
			char **sp = (char **)((char *)s + settings[i].off);
			free(*sp);
		}
	}
	for (size_t i = 0; i < NSECRETS; i++)
		free(*(char **)((char *)&s->secrets + secrets[i].off));
	for (size_t i = 0; i < s->n_env_secrets; i++) {
		free(s->env_secret_names[i]);
		free(s->env_secret_values[i]);
	}
	free(s->env_secret_names);
	free(s->env_secret_values);
	free(s->config_path);
	free(s->config_dir);
	memset(s, 0, sizeof *s);
}

void cfg_dump(const struct cfg_settings *s, FILE *f)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		const void *slot = (const char *)s + settings[i].off;
		switch (settings[i].type) {
		case T_INT:
			fprintf(f, "%s=%d\n", settings[i].name, *(const int *)slot);
			break;
		case T_DOUBLE:
			fprintf(f, "%s=%g\n", settings[i].name, *(const double *)slot);
			break;
		case T_BOOL:
			fprintf(f, "%s=%s\n", settings[i].name,
				*(const int *)slot ? "true" : "false");
			break;
		default: {
			const char *v = *(char *const *)slot;
			fprintf(f, "%s=%s\n", settings[i].name, v ? v : "(unset)");
		}
		}
	}
	for (size_t i = 0; i < NSECRETS; i++) {
		const char *v = *(char *const *)((const char *)&s->secrets + secrets[i].off);
		fprintf(f, "%s=%s\n", secrets[i].env, v ? "(set)" : "(unset)");
	}
}
