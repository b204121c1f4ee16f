/*
 * yml: a thin layer over libyaml's document API for the configuration
 * loaders: load a file into a node tree, report syntax errors as
 * "file:line: message", and walk mappings with line numbers so every
 * validation message can point at the offending line.
 */
#ifndef ITSTATUS_YML_H
#define ITSTATUS_YML_H

#include <yaml.h>

#include "config.h"

struct yml_doc {
	yaml_document_t doc;
	const char *file; /* borrowed, for messages */
	int loaded;
};

/* Load file into d; on failure adds the error to errs and returns -1.
 * Release with yml_release() in both cases. */
int yml_load(struct yml_doc *d, const char *file, struct cfg_errors *errs);
void yml_release(struct yml_doc *d);
yaml_node_t *yml_root(struct yml_doc *d);
yaml_node_t *yml_node(struct yml_doc *d, int id);
int yml_line(const yaml_node_t *n);
/* Scalar text (borrowed) or NULL when n is not a scalar. */
const char *yml_str(const yaml_node_t *n);
/* 1 when n is a scalar that YAML would read as null (~, null, empty plain). */
int yml_is_null(const yaml_node_t *n);
const char *yml_kind(const yaml_node_t *n);

#endif
