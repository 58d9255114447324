// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dashboard's files embedded with the assembler's .incbin (no generated sources, no build step): each file
 * gets a start and an end symbol, and its length is their difference. The paths are relative to the repository
 * root, where make runs; the Makefile makes this object depend on every file of user/api/dashboard so an edit rebuilds it.
 */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "api/dashboard.h"

#define DASH_INCBIN(sym, file)                                                                                     \
	".section .rodata\n"                                                                                       \
	".balign 16\n"                                                                                             \
	".global " #sym "\n" #sym ":\n"                                                                            \
	".incbin \"user/api/dashboard/" file "\"\n"                                                                \
	".global " #sym "_end\n" #sym "_end:\n"                                                                    \
	".byte 0\n"                                                                                                \
	".previous\n"

__asm__(DASH_INCBIN(dash_index, "index.html") DASH_INCBIN(dash_app, "app.js") DASH_INCBIN(dash_style, "style.css")
		DASH_INCBIN(dash_favicon, "favicon.svg"));

extern const unsigned char dash_index[], dash_index_end[];
extern const unsigned char dash_app[], dash_app_end[];
extern const unsigned char dash_style[], dash_style_end[];
extern const unsigned char dash_favicon[], dash_favicon_end[];

static struct dash_file files[] = {
	{ "/index.html", "text/html; charset=utf-8", dash_index, 0 },
	{ "/app.js", "text/javascript; charset=utf-8", dash_app, 0 },
	{ "/style.css", "text/css; charset=utf-8", dash_style, 0 },
	{ "/favicon.svg", "image/svg+xml", dash_favicon, 0 },
};
static pthread_once_t files_once = PTHREAD_ONCE_INIT;

/* The lengths are only known at link time (end - start is no constant expression in C): filled once. */
static void files_init(void)
{
	const unsigned char *end[] = { dash_index_end, dash_app_end, dash_style_end, dash_favicon_end };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		files[i].len = (size_t)(end[i] - files[i].data);
}

const struct dash_file *dashboard_find(const char *path)
{
	if (!path)
		return NULL;
	pthread_once(&files_once, files_init);
	if (!strcmp(path, "/"))
		path = "/index.html";
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(path, files[i].path))
			return &files[i];
	return NULL;
}
