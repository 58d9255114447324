// SPDX-License-Identifier: GPL-2.0-only
/*
 * /healthz and /readyz (user/api/routes_health.c) called below libmicrohttpd, as the fuzzer does: liveness
 * answers without a store; readiness wants the store and, inside `run`, an interface in the attachment
 * registry (a real pinned BPF hash map here, with one entry); the probes pass api_precheck without the token
 * while /api/ and /metrics do not, and a loopback API without a token still refuses foreign Host names.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "testlib.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "pipeline.h"

#define TOKEN "health-test-token-0123456789abcdef"

static char dir[] = "/tmp/iotsense-test-health-XXXXXX";
static char state[64], pins[96];
static struct pipeline_stats stats; /* only its address matters: non-NULL means "inside run" */

struct answer {
	struct api_resp r;
	json_t *j;
};

static void server(struct api_server *a, const char *state_dir, const char *pin_dir, bool daemon,
		   const char *token)
{
	memset(a, 0, sizeof(*a));
	a->state_dir = (char *)state_dir;
	a->pin_dir = (char *)pin_dir;
	a->token = (char *)token;
	a->loopback = true;
	a->o.state_dir = state_dir;
	a->o.pin_dir = pin_dir;
	a->o.token = token;
	a->o.daemon_stats = daemon ? &stats : NULL;
}

static void ask(struct answer *x, const struct api_server *a, const char *method, const char *url, int nquery)
{
	struct api_http_req h = { .method = method, .url = url, .uri_len = strlen(url), .nquery = nquery };

	memset(x, 0, sizeof(*x));
	api_health(a, &h, &x->r);
	x->j = x->r.body ? json_loads(x->r.body, 0, NULL) : NULL;
	if (!x->j)
		printf("  %s %s: not JSON: %s\n", method, url, x->r.body ? x->r.body : "(none)");
}

static void done(struct answer *x)
{
	free(x->r.body);
	json_decref(x->j);
}

static const char *status_of(struct answer *x)
{
	return json_string_value(json_object_get(x->j, "status"));
}

static const char *err_msg(struct answer *x)
{
	return json_string_value(json_object_get(json_object_get(x->j, "error"), "message"));
}

static int precheck(const struct api_server *a, const char *url, const char *host, const char *auth)
{
	struct api_http_req h = { .method = "GET", .url = url, .uri_len = strlen(url), .host = host,
				  .authorization = auth };
	const char *msg = NULL;

	return api_precheck(a, &h, &msg);
}

TEST(healthz_needs_no_store)
{
	struct api_server a;
	struct answer x;

	server(&a, "/nonexistent/iotsense-state", "/nonexistent/iotsense-pins", true, NULL);
	ask(&x, &a, "GET", "/healthz", 0);
	CHECK_EQ_INT(x.r.status, 200);
	CHECK_STR(status_of(&x), "ok");
	CHECK_STR(x.r.content_type, "application/json");
	CHECK_STR(x.r.body, "{\"status\":\"ok\"}");
	done(&x);
	ask(&x, &a, "HEAD", "/healthz", 0);
	CHECK_EQ_INT(x.r.status, 200);
	done(&x);
}

TEST(methods_and_parameters)
{
	struct api_server a;
	struct answer x;

	server(&a, state, "/nonexistent/iotsense-pins", false, NULL);
	ask(&x, &a, "POST", "/healthz", 0);
	CHECK_EQ_INT(x.r.status, 405);
	CHECK_STR(x.r.allow, "GET, HEAD");
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(x.j, "error"), "status")), 405);
	done(&x);
	ask(&x, &a, "DELETE", "/readyz", 0);
	CHECK_EQ_INT(x.r.status, 405);
	done(&x);
	ask(&x, &a, "GET", "/readyz", 1);
	CHECK_EQ_INT(x.r.status, 400);
	CHECK(err_msg(&x) && strstr(err_msg(&x), "takes no parameters"));
	done(&x);
}

/* Runs first among the readyz tests: the store does not exist yet. */
TEST(readyz_without_store)
{
	struct api_server a;
	struct answer x;
	char db[128];

	server(&a, state, "/nonexistent/iotsense-pins", false, NULL);
	ask(&x, &a, "GET", "/readyz", 0);
	CHECK_EQ_INT(x.r.status, 503);
	CHECK(err_msg(&x) && strstr(err_msg(&x), "store cannot be opened"));
	/* A fixed reason: no path for whoever reaches the port without a token. */
	CHECK(err_msg(&x) && !strstr(err_msg(&x), state));
	done(&x);
	/* Readiness reads; it must not create the store. */
	snprintf(db, sizeof(db), "%s/iotsense.db", state);
	CHECK(access(db, F_OK) != 0);
}

TEST(readyz_serve_needs_the_store_only)
{
	struct api_server a;
	struct answer x;
	char err[512];
	struct store s;

	CHECK_EQ_INT(store_open(&s, state, false, err, sizeof(err)), 0);
	store_close(&s);
	server(&a, state, "/nonexistent/iotsense-pins", false, NULL);
	ask(&x, &a, "GET", "/readyz", 0);
	CHECK_EQ_INT(x.r.status, 200);
	CHECK_STR(status_of(&x), "ok");
	done(&x);
}

TEST(readyz_daemon_needs_an_interface)
{
	struct iot_attach_key k = { .netns = 4026531840ull, .ifindex = 7 };
	struct iot_attach v = { .ifname = "eth0", .xdp_mode = IOT_XDP_SKB };
	struct api_server a;
	struct answer x;
	char path[160];
	int fd;

	server(&a, state, pins, true, NULL);
	ask(&x, &a, "GET", "/readyz", 0);
	CHECK_EQ_INT(x.r.status, 503);
	CHECK(err_msg(&x) && strstr(err_msg(&x), "no interface is attached"));
	done(&x);

	/* The registry `run` pins, empty: still not ready. */
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "iot_attach", sizeof(k), sizeof(v), 16, NULL);
	snprintf(path, sizeof(path), "%s/iot_attach", pins);
	CHECK(fd >= 0);
	CHECK(mkdir(pins, 0700) == 0);
	CHECK(fd >= 0 && bpf_obj_pin(fd, path) == 0);
	ask(&x, &a, "GET", "/readyz", 0);
	CHECK_EQ_INT(x.r.status, 503);
	done(&x);

	/* One interface attached: ready. */
	CHECK(fd >= 0 && bpf_map_update_elem(fd, &k, &v, BPF_ANY) == 0);
	ask(&x, &a, "GET", "/readyz", 0);
	CHECK_EQ_INT(x.r.status, 200);
	CHECK_STR(status_of(&x), "ok");
	done(&x);

	/* Detached again (the daemon is stopping): not ready. */
	CHECK(fd >= 0 && bpf_map_delete_elem(fd, &k) == 0);
	ask(&x, &a, "GET", "/readyz", 0);
	CHECK_EQ_INT(x.r.status, 503);
	done(&x);
	if (fd >= 0)
		close(fd);
}

TEST(probes_need_no_token)
{
	struct api_server a;

	server(&a, state, pins, false, TOKEN);
	CHECK_EQ_INT(precheck(&a, "/healthz", "198.18.0.1:9101", NULL), 0);
	CHECK_EQ_INT(precheck(&a, "/readyz", "198.18.0.1:9101", NULL), 0);
	/* ... while everything with data still does. */
	CHECK_EQ_INT(precheck(&a, "/metrics", "198.18.0.1:9101", NULL), 401);
	CHECK_EQ_INT(precheck(&a, "/api/v1/status", "198.18.0.1:9101", NULL), 401);
	CHECK_EQ_INT(precheck(&a, "/metrics", "198.18.0.1:9101", "Bearer " TOKEN), 0);
	/* A path that only starts like a probe is no probe. */
	CHECK_EQ_INT(precheck(&a, "/healthz/x", "198.18.0.1:9101", NULL), 0); /* the dashboard's 404 */
	CHECK_EQ_INT(precheck(&a, "/api/v1/healthz", "198.18.0.1:9101", NULL), 401);
}

TEST(probes_keep_the_host_guard)
{
	struct api_server a;

	server(&a, state, pins, false, NULL);
	CHECK_EQ_INT(precheck(&a, "/healthz", "127.0.0.1:8080", NULL), 0);
	CHECK_EQ_INT(precheck(&a, "/readyz", "localhost:8080", NULL), 0);
	CHECK_EQ_INT(precheck(&a, "/readyz", "[::1]:8080", NULL), 0);
	CHECK_EQ_INT(precheck(&a, "/healthz", "rebind.example:8080", NULL), 403);
	CHECK_EQ_INT(precheck(&a, "/readyz", "198.18.0.1:8080", NULL), 403);
}

static void cleanup(void)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/iot_attach", pins);
	unlink(path);
	rmdir(pins);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		printf("cleanup: could not remove %s\n", dir);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		printf("setup: mkdtemp failed\n0 passed, 1 failed\n");
		return 1;
	}
	snprintf(state, sizeof(state), "%s/state", dir);
	/* The registry pin lives in the BPF filesystem, under a name of its own; never the sensor's. */
	snprintf(pins, sizeof(pins), "/sys/fs/bpf/iotsense-test-health-%d", (int)getpid());
	if (mkdir(state, 0700)) {
		printf("setup: mkdir %s failed\n0 passed, 1 failed\n", state);
		return 1;
	}
	RUN(healthz_needs_no_store);
	RUN(methods_and_parameters);
	RUN(readyz_without_store);
	RUN(readyz_serve_needs_the_store_only);
	RUN(readyz_daemon_needs_an_interface);
	RUN(probes_need_no_token);
	RUN(probes_keep_the_host_guard);
	cleanup();
	return testlib_summary();
}
