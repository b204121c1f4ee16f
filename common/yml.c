/*
 * yml: libyaml document loading for configuration files (see yml.h).
 */
#include "yml.h"

#include <stdio.h>
#include <errno.h>
#include <string.h>

int yml_load(struct yml_doc *d, const char *file, struct cfg_errors *errs)
{
	memset(d, 0, sizeof *d);
	d->file = file;
	FILE *f = fopen(file, "rb");
	if (!f) {
		cfg_error(errs, file, 0, "cannot read file: %s", strerror(errno));
		return -1;
	}
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	int ok = yaml_parser_load(&p, &d->doc);
	if (!ok) {
		int line = (int)(p.problem_mark.line + 1);
		cfg_error(errs, file, line, "YAML syntax error: %s%s%s",
			  p.problem ? p.problem : "?", p.context ? " " : "",
			  p.context ? p.context : "");
	} else {
		d->loaded = 1;
	}
	yaml_parser_delete(&p);
	fclose(f);
	if (ok && !yaml_document_get_root_node(&d->doc)) {
		cfg_error(errs, file, 1, "file is empty");
		return -1;
	}
	return ok ? 0 : -1;
}

void yml_release(struct yml_doc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = 0;
}

yaml_node_t *yml_root(struct yml_doc *d)
{
	return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

yaml_node_t *yml_node(struct yml_doc *d, int id)
{
	return yaml_document_get_node(&d->doc, id);
}

int yml_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

const char *yml_str(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int yml_is_null(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return 0;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *s = (const char *)n->data.scalar.value;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

const char *yml_kind(const yaml_node_t *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}
