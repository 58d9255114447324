// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

enum log_level log_level = LOG_WARN;

static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	fputs(prefix[level], stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* libbpf and libxdp are chatty at debug level; their warnings are worth seeing only with -v. */
static int lib_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level l = level == LIBBPF_WARN ? LOG_INFO : LOG_DEBUG;

	if (l > log_level)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	enum log_level l = level == LIBXDP_WARN ? LOG_INFO : LOG_DEBUG;

	if (l > log_level)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void log_init(enum log_level level)
{
	log_level = level;
	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_print);
}
