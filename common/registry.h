/*
 * registry: the service registry (services.yaml) and dependency graph
 * (dependencies.yaml) in the old tool's schema, so a seed user's files load
 * unchanged, plus itstatus's extensions (new poll types, component selection,
 * per-service poll interval, products, http_check expectations,
 * destinations). All three daemons load it (for -n and for routing); only
 * pollerd writes it to the database.
 *
 * Validation reports every problem as "file:line: message".
 */
#ifndef ITSTATUS_REGISTRY_H
#define ITSTATUS_REGISTRY_H

#include <stddef.h>

#include "config.h"

struct reg_service {
	char *id;
	char *display_name;
	char *category;
	char *poll_type;
	char *poll_url;	      /* NULL for manual */
	char *component_name; /* statuspage_component_name or component_name */
	char *component_id;
	char *status_page_url;
	char *tier; /* critical | important | informational */
	/* The YAML text of slack_channel_override ("${VAR}" or a URL) and its
	 * expansion (NULL when the variable is unset or empty). */
	char *slack_channel_override;
	char *slack_override_url;
	int poll_interval_seconds; /* 0 = the global interval */
	char **products;
	size_t nproducts;
	int *expect_codes;
	size_t nexpect_codes;
	char *keyword;
	int latency_threshold_ms;
	char **destinations; /* slack, webhook, teams, pagerduty; NULL = defaults */
	size_t ndestinations;
	char *config_json; /* format-specific settings as JSON for services.config_json */
	int line;
};

struct reg_edge {
	char *upstream;
	char *downstream;
	char *impact;
	char *severity; /* critical | high | medium | low */
};

struct reg_registry {
	struct reg_service *services;
	size_t nservices;
	struct reg_edge *edges;
	size_t nedges;
};

/* Load and cross-validate. 0 when valid; -1 with every problem in errs (out
 * is then empty). Release with reg_free(). */
int reg_load(const char *services_path, const char *deps_path, struct reg_registry *out,
	     struct cfg_errors *errs);
void reg_free(struct reg_registry *r);
/* Borrowed pointer or NULL. */
const struct reg_service *reg_find(const struct reg_registry *r, const char *id);
/* 1 when poll_type is known. */
int reg_poll_type_known(const char *poll_type);

/*
 * A vendor format as the registry sees it: the name, required keys, optional
 * keys and flag that pollerd/fmt_<id>.c declares in its entry, copied by
 * `make` into the generated poll_types.def (doc/formats.md#adding-a-format).
 * Keys are services.yaml spellings, space separated.
 */
struct reg_format {
	const char *name;
	const char *required;	/* a service of this type without one is an error */
	const char *optional;	/* read when set (documentation; never an error) */
	int products_from_name; /* no products: the display name is the product */
};
/* The format of poll_type, or NULL. Borrowed. */
const struct reg_format *reg_format_find(const char *poll_type);
/* 1 when key is one a format may require or read (poll_url, products, ...). */
int reg_format_key_known(const char *key);

#endif
