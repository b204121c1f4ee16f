/*
 * registry: services.yaml / dependencies.yaml loading and validation (see
 * registry.h). One pass per file collects every problem; the cross-checks
 * (dependency ids, duplicate ids) run only on what parsed.
 */
#include "registry.h"

#include <cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "polltype.h"
#include "vocab.h"
#include "xalloc.h"
#include "yml.h"

/* The allowed words of each enumerated key come from common/vocab.def. */
#define categories vocab_set("category")
#define poll_types vocab_set("poll_type")
#define tiers vocab_set("tier")
#define severities vocab_set("severity")

static int in_list(const struct vocab_set *set, const char *v)
{
	return vocab_parse(set, v) >= 0;
}

/* A configurable destination: every destination kind but the internal one. */
static int destination_ok(const char *v)
{
	int k = vocab_parse(vocab_set("destination_kind"), v);
	return k >= 0 && k != VC_DEST_SLACK_RESPONSE;
}

/* "a, b, c" (caller frees). */
static char *join(const struct vocab_set *set)
{
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		n += strlen(set->words[i]) + 2;
	char *s = xmalloc(n + 1), *o = s;
	*o = '\0';
	for (size_t i = 0; i < set->n; i++)
		o += snprintf(o, n + 1 - (size_t)(o - s), "%s%s", i ? ", " : "", set->words[i]);
	return s;
}

int reg_poll_type_known(const char *t)
{
	return t && in_list(poll_types, t);
}

/*
 * The registered vendor formats as pollerd declares them (each
 * pollerd/fmt_<id>.c), through the generated poll_types.def: the registry
 * checks a service's keys against its format without linking a parser.
 */
#define REG_FORMAT_(name, required, optional, products_from_name)                                  \
	{name, required, optional, products_from_name},
static const struct reg_format formats[] = {REG_FORMATS(REG_FORMAT_)};
#undef REG_FORMAT_

const struct reg_format *reg_format_find(const char *poll_type)
{
	for (size_t i = 0; poll_type && i < sizeof formats / sizeof formats[0]; i++)
		if (!strcmp(formats[i].name, poll_type))
			return &formats[i];
	return NULL;
}

/* The keys a format may require or read, and where a parsed service holds each. */
enum key_kind { KEY_TEXT, KEY_COUNT, KEY_INT };
static const struct {
	const char *key;
	size_t off;
	enum key_kind kind;
} format_keys[] = {
    {"poll_url", offsetof(struct reg_service, poll_url), KEY_TEXT},
    {"status_page_url", offsetof(struct reg_service, status_page_url), KEY_TEXT},
    {"component_name", offsetof(struct reg_service, component_name), KEY_TEXT},
    {"component_id", offsetof(struct reg_service, component_id), KEY_TEXT},
    {"products", offsetof(struct reg_service, nproducts), KEY_COUNT},
    {"expect_status", offsetof(struct reg_service, nexpect_codes), KEY_COUNT},
    {"keyword", offsetof(struct reg_service, keyword), KEY_TEXT},
    {"latency_threshold_ms", offsetof(struct reg_service, latency_threshold_ms), KEY_INT},
};

/* Index of key in format_keys, or -1. */
static int format_key(const char *key, size_t len)
{
	for (size_t i = 0; i < sizeof format_keys / sizeof format_keys[0]; i++)
		if (strlen(format_keys[i].key) == len && !strncmp(format_keys[i].key, key, len))
			return (int)i;
	return -1;
}

int reg_format_key_known(const char *key)
{
	return key && format_key(key, strlen(key)) >= 0;
}

/* Does s hold a value for format key i? */
static int key_set(const struct reg_service *s, int i)
{
	const char *at = (const char *)s + format_keys[i].off;
	switch (format_keys[i].kind) {
	case KEY_TEXT:
		return *(char *const *)(const void *)at != NULL;
	case KEY_COUNT:
		return *(const size_t *)(const void *)at != 0;
	case KEY_INT:
		return *(const int *)(const void *)at != 0;
	}
	return 0;
}

static int valid_id(const char *s)
{
	if (!*s || strlen(s) > 64 || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
		return 0;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' ||
		      *s == '_'))
			return 0;
	return 1;
}

static int valid_url(const char *u)
{
	const char *rest;
	if (!strncasecmp(u, "http://", 7))
		rest = u + 7;
	else if (!strncasecmp(u, "https://", 8))
		rest = u + 8;
	else
		return 0;
	if (!*rest || *rest == '/' || *rest == ':')
		return 0;
	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return 0;
	return 1;
}

struct ctx {
	struct yml_doc *d;
	const char *file;
	struct cfg_errors *errs;
};

/* Scalar string of v or an error; returns borrowed text or NULL. */
static const char *want_str(struct ctx *c, const char *key, yaml_node_t *v)
{
	if (!v || v->type != YAML_SCALAR_NODE || yml_is_null(v)) {
		cfg_error(c->errs, c->file, yml_line(v), "%s: expected text, got %s", key,
			  v && yml_is_null(v) ? "null" : yml_kind(v));
		return NULL;
	}
	return yml_str(v);
}

static int want_int(struct ctx *c, const char *key, yaml_node_t *v, long lo, long hi, int *out)
{
	const char *s = want_str(c, key, v);
	if (!s)
		return -1;
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || end == s || *end) {
		cfg_error(c->errs, c->file, yml_line(v), "%s: expected an integer, got \"%s\"", key,
			  s);
		return -1;
	}
	if (n < lo || n > hi) {
		cfg_error(c->errs, c->file, yml_line(v), "%s: %ld is out of range %ld..%ld", key, n,
			  lo, hi);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int want_enum(struct ctx *c, const char *key, yaml_node_t *v,
		     const struct vocab_set *allowed, char **out)
{
	const char *s = want_str(c, key, v);
	if (!s)
		return -1;
	if (!in_list(allowed, s)) {
		char *all = join(allowed);
		cfg_error(c->errs, c->file, yml_line(v), "%s: \"%s\" is not one of: %s", key, s,
			  all);
		free(all);
		return -1;
	}
	free(*out);
	*out = xstrdup(s);
	return 0;
}

/* A list of text items (a single scalar is accepted as a one-item list). */
static int want_str_list(struct ctx *c, const char *key, yaml_node_t *v, char ***out, size_t *n)
{
	if (v->type == YAML_SCALAR_NODE && !yml_is_null(v)) {
		*out = xcalloc(1, sizeof **out);
		(*out)[0] = xstrdup(yml_str(v));
		*n = 1;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		cfg_error(c->errs, c->file, yml_line(v), "%s: expected a list, got %s", key,
			  yml_kind(v));
		return -1;
	}
	int rc = 0;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		const char *s = want_str(c, key, yml_node(c->d, *it));
		if (!s) {
			rc = -1;
			continue;
		}
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = xstrdup(s);
	}
	return rc;
}

/* s[0..n) is an environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
static int env_name(const char *s, size_t n)
{
	if (!n || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/*
 * "${VAR}" as the whole (whitespace-trimmed) value expands from the
 * environment, as the seed did; a ${VAR} inside a longer value
 * ("prefix_${X}_suffix") is kept literally, as the seed kept it -- never
 * expanded. A literal that is not an http(s) URL cannot be posted to: it is
 * kept (the file loads unchanged) and the service's alerts use the main
 * webhook, with a warning.
 */
static char *expand_override(const char *v, const char *file, int line, struct cfg_errors *errs)
{
	while (isspace((unsigned char)*v))
		v++;
	size_t n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	if (n > 3 && v[0] == '$' && v[1] == '{' && v[n - 1] == '}' && env_name(v + 2, n - 3)) {
		char *var = xstrndup(v + 2, n - 3);
		const char *val = getenv(var);
		char *out = NULL;
		if (!val || !*val)
			log_warn("%s:%d: slack_channel_override: ${%s} is not set; using the main "
				 "webhook",
				 file, line, var);
		else if (!valid_url(val))
			cfg_error(errs, file, line,
				  "slack_channel_override: ${%s} is not an http(s) URL", var);
		else
			out = xstrdup(val);
		free(var);
		return out;
	}
	char *lit = xstrndup(v, n);
	if (!valid_url(lit) && strstr(lit, "${")) {
		log_warn(
		    "%s:%d: slack_channel_override: ${...} inside a longer value is kept "
		    "literally (only a whole value ${VAR} is expanded); not an http(s) URL, so "
		    "this service's alerts use the main webhook",
		    file, line);
		free(lit);
		return NULL;
	}
	if (!valid_url(lit)) {
		cfg_error(errs, file, line,
			  "slack_channel_override: expected ${ENV_VAR} or an http(s) URL");
		free(lit);
		return NULL;
	}
	/* Accepted so the old tool's files load unchanged, but it is a secret. */
	log_warn("%s:%d: slack_channel_override holds a webhook URL; prefer ${ENV_VAR}", file,
		 line);
	return lit;
}

static void free_service(struct reg_service *s)
{
	free(s->id);
	free(s->display_name);
	free(s->category);
	free(s->poll_type);
	free(s->poll_url);
	free(s->component_name);
	free(s->component_id);
	free(s->status_page_url);
	free(s->tier);
	free(s->slack_channel_override);
	free(s->slack_override_url);
	for (size_t i = 0; i < s->nproducts; i++)
		free(s->products[i]);
	free(s->products);
	free(s->expect_codes);
	free(s->keyword);
	for (size_t i = 0; i < s->ndestinations; i++)
		free(s->destinations[i]);
	free(s->destinations);
	free(s->config_json);
}

static void build_config_json(struct reg_service *s)
{
	cJSON *o = cJSON_CreateObject();
	if (s->nproducts) {
		cJSON *a = cJSON_AddArrayToObject(o, "products");
		for (size_t i = 0; i < s->nproducts; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(s->products[i]));
	}
	if (s->nexpect_codes) {
		cJSON *a = cJSON_AddArrayToObject(o, "expect_status");
		for (size_t i = 0; i < s->nexpect_codes; i++)
			cJSON_AddItemToArray(a, cJSON_CreateNumber(s->expect_codes[i]));
	}
	if (s->keyword)
		cJSON_AddStringToObject(o, "keyword", s->keyword);
	if (s->latency_threshold_ms)
		cJSON_AddNumberToObject(o, "latency_threshold_ms", s->latency_threshold_ms);
	if (s->ndestinations) {
		cJSON *a = cJSON_AddArrayToObject(o, "destinations");
		for (size_t i = 0; i < s->ndestinations; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(s->destinations[i]));
	}
	char *txt = cJSON_PrintUnformatted(o);
	s->config_json = xstrdup(txt);
	cJSON_free(txt);
	cJSON_Delete(o);
}

/* Parse one service mapping. Returns 0 when it is usable (it may still have
 * produced errors that fail the whole load). */
static int parse_service(struct ctx *c, yaml_node_t *m, struct reg_service *s)
{
	memset(s, 0, sizeof *s);
	s->line = yml_line(m);
	if (m->type != YAML_MAPPING_NODE) {
		cfg_error(c->errs, c->file, yml_line(m), "each service must be a mapping, got %s",
			  yml_kind(m));
		return -1;
	}
	/* Keys present at all, valid or not: a bad value is reported once, not
	 * again as "required". */
	int seen_id = 0, seen_name = 0, seen_cat = 0, seen_type = 0, url_line = 0;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yml_node(c->d, p->key), *v = yml_node(c->d, p->value);
		const char *k = yml_str(kn);
		const char *sv;
		if (!k) {
			cfg_error(c->errs, c->file, yml_line(kn), "keys must be plain words");
			continue;
		}
		if (!strcmp(k, "id")) {
			seen_id = 1;
			if ((sv = want_str(c, k, v))) {
				if (!valid_id(sv))
					cfg_error(c->errs, c->file, yml_line(v),
						  "id: \"%s\" must be a slug (a-z, 0-9, - and _, "
						  "at most 64)",
						  sv);
				else
					s->id = xstrdup(sv);
			}
		} else if (!strcmp(k, "display_name")) {
			seen_name = 1;
			if ((sv = want_str(c, k, v)))
				s->display_name = xstrdup(sv);
		} else if (!strcmp(k, "category")) {
			seen_cat = 1;
			want_enum(c, k, v, categories, &s->category);
		} else if (!strcmp(k, "poll_type")) {
			seen_type = 1;
			want_enum(c, k, v, poll_types, &s->poll_type);
		} else if (!strcmp(k, "poll_url")) {
			if (yml_is_null(v))
				continue;
			if ((sv = want_str(c, k, v))) {
				url_line = yml_line(v);
				if (!valid_url(sv))
					cfg_error(c->errs, c->file, yml_line(v),
						  "poll_url: \"%s\" is not an http(s) URL", sv);
				else
					s->poll_url = xstrdup(sv);
			}
		} else if (!strcmp(k, "status_page_url")) {
			if (yml_is_null(v))
				continue;
			if ((sv = want_str(c, k, v))) {
				if (!valid_url(sv))
					cfg_error(c->errs, c->file, yml_line(v),
						  "status_page_url: \"%s\" is not an http(s) URL",
						  sv);
				else
					s->status_page_url = xstrdup(sv);
			}
		} else if (!strcmp(k, "statuspage_component_name") ||
			   !strcmp(k, "component_name")) {
			if (!yml_is_null(v) && (sv = want_str(c, k, v))) {
				free(s->component_name);
				s->component_name = xstrdup(sv);
			}
		} else if (!strcmp(k, "component_id")) {
			if (!yml_is_null(v) && (sv = want_str(c, k, v)))
				s->component_id = xstrdup(sv);
		} else if (!strcmp(k, "tier")) {
			want_enum(c, k, v, tiers, &s->tier);
		} else if (!strcmp(k, "slack_channel_override")) {
			if (!yml_is_null(v) && (sv = want_str(c, k, v))) {
				s->slack_channel_override = xstrdup(sv);
				s->slack_override_url =
				    expand_override(sv, c->file, yml_line(v), c->errs);
			}
		} else if (!strcmp(k, "poll_interval_seconds")) {
			want_int(c, k, v, 1, 86400, &s->poll_interval_seconds);
		} else if (!strcmp(k, "products")) {
			want_str_list(c, k, v, &s->products, &s->nproducts);
		} else if (!strcmp(k, "expect_status")) {
			char **codes = NULL;
			size_t n = 0;
			if (want_str_list(c, k, v, &codes, &n) == 0) {
				s->expect_codes = xcalloc(n, sizeof *s->expect_codes);
				for (size_t i = 0; i < n; i++) {
					char *end;
					long code = strtol(codes[i], &end, 10);
					if (*end || end == codes[i] || code < 100 || code > 599)
						cfg_error(c->errs, c->file, yml_line(v),
							  "expect_status: \"%s\" is not an HTTP "
							  "status code",
							  codes[i]);
					else
						s->expect_codes[s->nexpect_codes++] = (int)code;
				}
			}
			for (size_t i = 0; i < n; i++)
				free(codes[i]);
			free(codes);
		} else if (!strcmp(k, "keyword")) {
			if ((sv = want_str(c, k, v)))
				s->keyword = xstrdup(sv);
		} else if (!strcmp(k, "latency_threshold_ms")) {
			want_int(c, k, v, 1, 600000, &s->latency_threshold_ms);
		} else if (!strcmp(k, "destinations")) {
			if (want_str_list(c, k, v, &s->destinations, &s->ndestinations) == 0) {
				for (size_t i = 0; i < s->ndestinations; i++)
					if (!destination_ok(s->destinations[i]))
						cfg_error(
						    c->errs, c->file, yml_line(v),
						    "destinations: \"%s\" is not one of: slack, "
						    "webhook, teams, pagerduty",
						    s->destinations[i]);
			}
		} else {
			cfg_error(c->errs, c->file, yml_line(kn), "unknown key \"%s\"", k);
		}
	}
	const char *who = s->id ? s->id : "service";
	if (!seen_id)
		cfg_error(c->errs, c->file, s->line, "service: id is required");
	if (!seen_name)
		cfg_error(c->errs, c->file, s->line, "%s: display_name is required", who);
	if (!seen_cat)
		cfg_error(c->errs, c->file, s->line, "%s: category is required", who);
	if (!seen_type)
		cfg_error(c->errs, c->file, s->line, "%s: poll_type is required", who);
	const struct reg_format *f = reg_format_find(s->poll_type);
	/* The keys the format requires, in its order. A poll_url that was given
	 * but is not an http(s) URL has had its error already. A key the
	 * registry does not know can never be set (check_fmt_table fails on it). */
	const char *k = f ? f->required : "";
	while (*k) {
		size_t n = strcspn(k, " ");
		int i = format_key(k, n);
		if (i < 0 ||
		    !(key_set(s, i) || (!strcmp(format_keys[i].key, "poll_url") && url_line)))
			cfg_error(c->errs, c->file, s->line,
				  "%s: %.*s is required for poll_type %s", who, (int)n, k,
				  s->poll_type);
		k += n + (k[n] == ' ');
	}
	/* The seed mapped product-feed services to product titles in code; its
	 * services.yaml has no products. The display name is the natural title
	 * (doc/drift.md#config), so such a file still loads. */
	if (f && f->products_from_name && !s->nproducts && s->display_name) {
		s->products = xcalloc(1, sizeof *s->products);
		s->products[0] = xstrdup(s->display_name);
		s->nproducts = 1;
		log_warn("%s:%d: %s: no products for %s; using the display name "
			 "\"%s\" as the product title",
			 c->file, s->line, who, s->poll_type, s->display_name);
	}
	if (!s->tier)
		s->tier = xstrdup("important");
	build_config_json(s);
	return s->id ? 0 : -1;
}

static void load_services(const char *file, struct reg_registry *r, struct cfg_errors *errs)
{
	struct yml_doc d;
	if (yml_load(&d, file, errs) < 0) {
		yml_free(&d);
		return;
	}
	struct ctx c = {&d, file, errs};
	yaml_node_t *root = yml_root(&d);
	yaml_node_t *list = NULL;
	if (root->type != YAML_MAPPING_NODE) {
		cfg_error(errs, file, yml_line(root), "expected a mapping with a services: list");
		yml_free(&d);
		return;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yml_node(&d, p->key), *v = yml_node(&d, p->value);
		const char *key = yml_str(k);
		if (key && !strcmp(key, "services"))
			list = v;
		else if (key && !strcmp(key, "categories")) {
			if (v->type != YAML_MAPPING_NODE && !yml_is_null(v))
				cfg_error(errs, file, yml_line(v),
					  "categories: expected a mapping");
		} else
			cfg_error(errs, file, yml_line(k), "unknown key \"%s\"", key ? key : "?");
	}
	if (!list || list->type != YAML_SEQUENCE_NODE ||
	    list->data.sequence.items.top == list->data.sequence.items.start) {
		cfg_error(errs, file, list ? yml_line(list) : yml_line(root),
			  "services: a non-empty list of services is required");
		yml_free(&d);
		return;
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		struct reg_service s;
		if (parse_service(&c, yml_node(&d, *it), &s) < 0) {
			free_service(&s);
			continue;
		}
		if (reg_find(r, s.id)) {
			cfg_error(errs, file, s.line,
				  "duplicate service id \"%s\" (first at line %d)", s.id,
				  reg_find(r, s.id)->line);
			free_service(&s);
			continue;
		}
		r->services = xreallocarray(r->services, r->nservices + 1, sizeof *r->services);
		r->services[r->nservices++] = s;
	}
	yml_free(&d);
}

static int edge_exists(const struct reg_registry *r, const char *up, const char *down)
{
	for (size_t i = 0; i < r->nedges; i++)
		if (!strcmp(r->edges[i].upstream, up) && !strcmp(r->edges[i].downstream, down))
			return 1;
	return 0;
}

static void add_edge(struct reg_registry *r, const char *up, const char *down, const char *impact,
		     const char *sev)
{
	if (edge_exists(r, up, down)) /* the first edge of a pair wins, as in the seed */
		return;
	r->edges = xreallocarray(r->edges, r->nedges + 1, sizeof *r->edges);
	struct reg_edge *e = &r->edges[r->nedges++];
	e->upstream = xstrdup(up);
	e->downstream = xstrdup(down);
	e->impact = xstrdup(impact);
	e->severity = xstrdup(sev);
}

static void load_edges(struct ctx *c, yaml_node_t *list, const char *up, int up_ok,
		       struct reg_registry *r)
{
	if (list->type != YAML_SEQUENCE_NODE) {
		if (!yml_is_null(list))
			cfg_error(c->errs, c->file, yml_line(list), "%s: expected a list of edges",
				  up);
		return;
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		yaml_node_t *m = yml_node(c->d, *it);
		if (m->type != YAML_MAPPING_NODE) {
			cfg_error(c->errs, c->file, yml_line(m), "%s: each edge must be a mapping",
				  up);
			continue;
		}
		const char *down = NULL, *impact = NULL;
		char *sev = NULL;
		int down_line = yml_line(m);
		for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
		     p < m->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = yml_node(c->d, p->key), *v = yml_node(c->d, p->value);
			const char *k = yml_str(kn);
			if (k && !strcmp(k, "service")) {
				down = want_str(c, k, v);
				down_line = yml_line(v);
			} else if (k && !strcmp(k, "impact"))
				impact = want_str(c, k, v);
			else if (k && !strcmp(k, "severity"))
				want_enum(c, k, v, severities, &sev);
			else
				cfg_error(c->errs, c->file, yml_line(kn), "unknown key \"%s\"",
					  k ? k : "?");
		}
		if (!down)
			cfg_error(c->errs, c->file, yml_line(m), "%s: edge needs a service", up);
		if (!impact)
			cfg_error(c->errs, c->file, yml_line(m), "%s: edge needs an impact", up);
		if (down && strcmp(down, "all_internal") && !reg_find(r, down))
			cfg_error(c->errs, c->file, down_line,
				  "unknown downstream service id \"%s\"", down);
		else if (down && impact && up_ok) {
			const char *sv = sev ? sev : "high";
			if (!strcmp(down, "all_internal")) {
				for (size_t i = 0; i < r->nservices; i++)
					if (strcmp(r->services[i].id, up))
						add_edge(r, up, r->services[i].id, impact, sv);
			} else {
				add_edge(r, up, down, impact, sv);
			}
		}
		free(sev);
	}
}

static void load_dependencies(const char *file, struct reg_registry *r, struct cfg_errors *errs)
{
	struct yml_doc d;
	if (yml_load(&d, file, errs) < 0) {
		yml_free(&d);
		return;
	}
	struct ctx c = {&d, file, errs};
	yaml_node_t *root = yml_root(&d);
	yaml_node_t *deps = NULL;
	if (root->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++) {
			const char *key = yml_str(yml_node(&d, p->key));
			if (key && !strcmp(key, "dependencies"))
				deps = yml_node(&d, p->value);
			else
				cfg_error(errs, file, yml_line(yml_node(&d, p->key)),
					  "unknown key \"%s\"", key ? key : "?");
		}
	} else if (!yml_is_null(root)) {
		cfg_error(errs, file, yml_line(root),
			  "expected a mapping with a dependencies: key");
	}
	if (deps && deps->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = deps->data.mapping.pairs.start;
		     p < deps->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = yml_node(&d, p->key);
			const char *up = yml_str(kn);
			if (!up) {
				cfg_error(errs, file, yml_line(kn),
					  "upstream ids must be plain words");
				continue;
			}
			int up_ok = reg_find(r, up) != NULL;
			if (!up_ok)
				cfg_error(errs, file, yml_line(kn),
					  "unknown upstream service id \"%s\"", up);
			load_edges(&c, yml_node(&d, p->value), up, up_ok, r);
		}
	} else if (deps && !yml_is_null(deps)) {
		cfg_error(errs, file, yml_line(deps),
			  "dependencies: expected a mapping of upstream id to edges");
	}
	yml_free(&d);
}

int reg_load(const char *services_path, const char *deps_path, struct reg_registry *out,
	     struct cfg_errors *errs)
{
	size_t e0 = errs->n;
	memset(out, 0, sizeof *out);
	load_services(services_path, out, errs);
	/* Without any service every edge would be "unknown id": say nothing
	 * about dependencies until the services file loads. */
	if (deps_path && out->nservices)
		load_dependencies(deps_path, out, errs);
	if (errs->n > e0) {
		reg_free(out);
		return -1;
	}
	return 0;
}

void reg_free(struct reg_registry *r)
{
	for (size_t i = 0; i < r->nservices; i++)
		free_service(&r->services[i]);
	free(r->services);
	for (size_t i = 0; i < r->nedges; i++) {
		free(r->edges[i].upstream);
		free(r->edges[i].downstream);
		free(r->edges[i].impact);
		free(r->edges[i].severity);
	}
	free(r->edges);
	memset(r, 0, sizeof *r);
}

const struct reg_service *reg_find(const struct reg_registry *r, const char *id)
{
	for (size_t i = 0; i < r->nservices; i++)
		if (!strcmp(r->services[i].id, id))
			return &r->services[i];
	return NULL;
}
