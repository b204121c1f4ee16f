/*
 * config: the settings file (etc/itstatus.yaml) plus environment overrides and
 * secrets. Every setting is one row of a table (name, type, default, range);
 * the environment variable of the same name in upper case overrides the key
 * (POLL_INTERVAL_SECONDS <-> poll_interval_seconds), exactly as the old tool's
 * environment did. Secrets (tokens, webhook URLs, signing secrets) come only
 * from the environment: NAME, a NAME_FILE variable, or NAME_KEYCHAIN=
 * service[/account] for the macOS Keychain (keychain.h; a missing item is an
 * error like an unreadable file); an empty secret counts as "not configured".
 *
 * Problems are collected, never fatal one by one: every unknown key, bad value
 * and out-of-range number is reported as "file:line: message" so an operator
 * fixes them all in one go. The YAML is read with libyaml's document API (the
 * parser libcyaml is built on), because libcyaml stops at the first error and
 * we must report all of them with their lines.
 */
#ifndef ITSTATUS_CONFIG_H
#define ITSTATUS_CONFIG_H

#include <stddef.h>
#include <stdio.h>

/* A list of "file:line: message" strings. */
struct cfg_errors {
	char **v;
	size_t n;
};
void cfg_error(struct cfg_errors *e, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void cfg_errors_release(struct cfg_errors *e);

struct cfg_secrets {
	char *slack_webhook_url;
	char *poller_health_slack_webhook_url;
	char *admin_api_token;
	char *statuspage_webhook_secret;
	char *slack_signing_secret;
	char *sentry_dsn;
	char *healthcheck_ping_url;
	char *generic_webhook_url;
	char *teams_webhook_url;
	char *pagerduty_routing_key;
};

struct cfg_settings {
	char *config_path; /* the settings file as given */
	char *config_dir;  /* its folder: relative paths resolve against it */
	char *database_path;
	char *services_file;	 /* resolved; *.local.yaml preferred when present */
	char *dependencies_file; /* resolved */
	int poll_interval_seconds;
	char *host;
	int port;
	char *log_level;
	int log_json;
	char *log_file;
	int seed_demo_data;
	char *cors_origins;
	int breaker_threshold;
	double breaker_ttl_seconds;
	int poller_failure_threshold;
	int alert_confirm_threshold_polls;
	int alert_recovery_threshold_polls;
	int alert_min_state_duration_seconds;
	int alert_dedup_window_seconds;
	int dependency_correlation_threshold;
	char *sso_broker_service_id;
	char *sentry_environment;
	double sentry_traces_sample_rate;
	int heartbeat_interval_seconds;
	int heartbeat_stale_after_seconds;
	int retention_days_status_events;
	int retention_days_alert_sent_log;
	int retention_interval_hours;
	int wal_checkpoint_interval_hours;
	char *backup_dir;
	int backup_time_hour;
	int backup_retention_days;
	int postmortems_enabled;
	char *postmortems_dir;
	int slo_burn_rate_enabled;
	double slo_target_percent;
	int slo_burn_rate_check_interval_seconds;
	double slo_burn_rate_fast_threshold;
	double slo_burn_rate_slow_threshold;
	double slo_burn_rate_ticket_threshold;
	int webhooks_enabled;
	int slack_ack_enabled;
	int slack_slash_enabled;
	/* itstatus additions */
	int http_connect_timeout_seconds;
	int http_timeout_seconds;
	int http_max_body_bytes;
	int http_max_host_connections;
	int http_retry_attempts;
	int rss_active_hours;
	int alert_delivery_max_age_seconds;
	int slack_min_interval_ms;
	int dependency_correlation_window_seconds;
	int alert_group_wait_seconds;
	double degraded_sla_weight;
	double burn_min_coverage_percent;
	int metrics_flush_seconds;
	int apid_threads;
	int admin_wait_ms;
	char *slack_response_url_hosts;
	char *web_root;
	int poller_queue_max_readings;
	/* apid request limits (doc/security.md) */
	char *trusted_proxies;
	int apid_client_max_requests;
	int apid_client_max_streams;
	int statuspage_body_only_signature;
	double uptime_min_coverage_percent;
	int sla_count_maintenance;

	struct cfg_secrets secrets;
	/* WEBHOOK_TOKEN_<ID> values that came from WEBHOOK_TOKEN_<ID>_KEYCHAIN
	 * (read at load, like the fixed secrets): see cfg_env_secret(). */
	char **env_secret_names, **env_secret_values;
	size_t n_env_secrets;
};

/*
 * Load path (NULL = etc/itstatus.yaml) with environment overrides into *out.
 * Returns 0 when valid; otherwise -1 with every problem in errs (out is then
 * freed and zeroed). The caller owns *out and releases it with cfg_release().
 */
int cfg_load(const char *path, struct cfg_settings *out, struct cfg_errors *errs);
void cfg_release(struct cfg_settings *s);
/* A secret read at use time (per-service ones such as WEBHOOK_TOKEN_<ID>):
 * var, or the file var_FILE names, trimmed like every secret; NULL when
 * unset or empty (problems are logged). Caller frees. */
char *cfg_secret_env(const char *var);
/* Resolve p against dir unless absolute; caller frees. */
char *cfg_resolve_path(const char *dir, const char *p);
/* Print every setting with its value and source (secrets shown as set/unset). */
void cfg_dump(const struct cfg_settings *s, FILE *f);
/* A secret the daemons look up by environment name (WEBHOOK_TOKEN_<ID>)
 * that was given as NAME_KEYCHAIN: its value, or NULL (then NAME and
 * NAME_FILE apply as before). */
const char *cfg_env_secret(const struct cfg_settings *s, const char *name);
/* Number of secrets and the value of the i-th one (NULL when unset). */
size_t cfg_secret_count(void);
const char *cfg_secret_value(const struct cfg_secrets *s, size_t i);
/* Number of settings known (for docs/tests) and the name of the i-th one. */
size_t cfg_setting_count(void);
const char *cfg_setting_name(size_t i);

#endif
