// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>

#include "yamldoc.h"

bool yd_fail(struct ydoc *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->err_size, "%s:%zu:%zu: %s", p->file, n ? n->start_mark.line + 1 : 0,
		 n ? n->start_mark.column + 1 : 0, msg);
	return false;
}

const char *yd_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}
