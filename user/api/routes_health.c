// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET /healthz and GET /readyz: what a Kubernetes kubelet (or systemd, or a load balancer) asks.
 *
 * /healthz is liveness: the process answers HTTP. It touches neither the store nor the pins, so a slow disk or
 * a busy store never gets a healthy sensor restarted.
 * /readyz is readiness: the store opens for reading and, when the daemon (`run`) serves the API, at least one
 * interface is in the attachment registry; otherwise 503 with the reason.
 *
 * Neither needs the token (server.c skips it for them): a probe spec would have to carry the token in clear
 * in the pod spec, and the answers disclose nothing but "ok" or a fixed reason. The Host guard of a loopback
 * API without a token still applies, as for every path.
 */
#include <stdlib.h>
#include <string.h>

#include "api/metrics.h"
#include "api/routes.h"
#include "lib/log.h"

static bool health_request_ok(const struct api_http_req *h, struct api_resp *r)
{
	if (strcmp(h->method, "GET") && strcmp(h->method, "HEAD")) {
		resp_method(r, "GET, HEAD");
		return false;
	}
	/* Strict as the API: a probe sends no query, so one is a typo or someone else's request. */
	if (h->nquery) {
		resp_error(r, 400, "%s takes no parameters", h->url);
		return false;
	}
	return true;
}

static void resp_ok(struct api_resp *r)
{
	resp_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

/* The daemon's interfaces in the registry (0 when it is not pinned yet); -1 out of memory. */
static int attached_interfaces(const char *pin_dir)
{
	struct kernel_view *kv = calloc(1, sizeof(*kv));
	int n;

	if (!kv)
		return -1;
	kernel_view_read(pin_dir, kv);
	n = kv->nifs;
	free(kv);
	return n;
}

void api_health(const struct api_server *a, const struct api_http_req *h, struct api_resp *r)
{
	char err[1024];
	struct store s;
	int n;

	if (!health_request_ok(h, r))
		return;
	if (!strcmp(h->url, "/healthz"))
		return resp_ok(r);
	if (strcmp(h->url, "/readyz"))
		return resp_error(r, 404, "no such path (docs/api.md lists the endpoints)");

	/* The reasons are fixed texts: without a token, anyone who reaches the port reads them. The detail
	 * (the store's path and SQLite's error) goes to the debug log; `iotsense status` shows it too. */
	if (store_open(&s, a->state_dir, true, err, sizeof(err))) {
		pr_debug("readyz: %s\n", err);
		return resp_error(r, 503, "not ready: the store cannot be opened for reading "
					  "(iotsense status says why)");
	}
	store_close(&s);
	if (!a->o.daemon_stats)
		return resp_ok(r); /* `serve` senses nothing: the store is all it needs */
	n = attached_interfaces(a->pin_dir);
	if (n < 0)
		return resp_error(r, 500, "out of memory reading the attachment registry");
	if (!n)
		return resp_error(r, 503, "not ready: no interface is attached yet (none of the configured "
					  "interfaces exists, or attaching failed: see the daemon's log)");
	resp_ok(r);
}
