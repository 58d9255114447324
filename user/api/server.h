/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local API (docs/api.md), Prometheus /metrics and the dashboard, on libmicrohttpd's own threads. `serve`
 * runs it over the store alone; the daemon runs it beside sensing and passes its pipeline counters.
 *
 * Security: a listen address that is not loopback needs a token; with a token every API and /metrics request
 * must carry "Authorization: Bearer TOKEN" (compared in constant time); without one, a loopback API only
 * answers loopback Host names (no DNS rebinding). Requests that change state are refused from another origin.
 */
#ifndef IOTSENSE_API_SERVER_H
#define IOTSENSE_API_SERVER_H

#include <stddef.h>

struct pipeline_stats;

struct api_opts {
	const char *listen; /* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080" */
	const char *token;  /* NULL/"" = none */
	const char *state_dir;
	const char *pin_dir;
	const char *sensor, *site, *zone;
	const struct pipeline_stats *daemon_stats; /* NULL in `serve`; read with __atomic_load_n relaxed */
};

#define API_LISTEN_DEFAULT "127.0.0.1:8080"

/* Starts listening; NULL with the reason (and what to do) in err. */
struct api_server *api_start(const struct api_opts *o, char *err, size_t err_size);
/* Stops accepting, waits for the requests in flight, frees. NULL is fine. */
void api_stop(struct api_server *a);

#endif
