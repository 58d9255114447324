/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers for the rule files read with libyaml's document API (the recommendations catalog, the alert
 * rules): every error is "file:line:col: message", from the node it is about.
 */
#ifndef IOTSENSE_YAMLDOC_H
#define IOTSENSE_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

struct ydoc {
	const char *file;
	yaml_document_t *doc;
	char *err;
	size_t err_size;
};

/* Writes "file:line:col: message" (the node's position; 0:0 without one) into p->err; returns false. */
bool yd_fail(struct ydoc *p, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The node's text when it is a scalar, else NULL. */
const char *yd_scalar(const yaml_node_t *n);

#endif
