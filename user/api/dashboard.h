/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The web dashboard's static files (user/api/dashboard/), compiled into the binary so the sensor serves them
 * with nothing to install next to it. The API server asks for a path and sends the bytes with the type.
 */
#ifndef IOTSENSE_API_DASHBOARD_H
#define IOTSENSE_API_DASHBOARD_H

#include <stddef.h>

struct dash_file {
	const char *path;	   /* "/index.html" */
	const char *type;	   /* the Content-Type header's value */
	const unsigned char *data;
	size_t len;
};

/* The file at an URL path ("/" maps to "/index.html"; a query string must be cut off first); NULL: none. */
const struct dash_file *dashboard_find(const char *path);

#endif
