// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device routes called directly (no HTTP) over a store in a temp dir: filters, paging, sorting, ids in
 * every form, PATCH validation and effect, containment without pins (503), and no store at all (503).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "api/routes.h"

static char dir[] = "/tmp/iotsense-test-routes-XXXXXX";
static struct api_server srv;

struct call {
	struct api_req q;
	struct api_resp r;
	json_t *j;
};

/* method, path after /api/v1/ (segments already decoded), "k=v" params..., NULL */
static void call(struct call *c, const char *method, const char *path, const char *body, ...)
{
	char *p = strdup(path), *save = NULL;
	va_list ap;
	const char *kv;

	memset(c, 0, sizeof(*c));
	c->q.srv = &srv;
	c->q.method = method;
	for (char *s = strtok_r(p, "/", &save); s && c->q.nsegs < API_MAX_SEGS; s = strtok_r(NULL, "/", &save))
		c->q.segs[c->q.nsegs++] = strdup(s);
	free(p);
	va_start(ap, body);
	while ((kv = va_arg(ap, const char *))) {
		const char *eq = strchr(kv, '=');

		c->q.params[c->q.nparams].key = strndup(kv, eq - kv);
		c->q.params[c->q.nparams++].val = strdup(eq + 1);
	}
	va_end(ap);
	c->q.body = body;
	c->q.body_len = body ? strlen(body) : 0;
	if (!strcmp(c->q.segs[0], "devices"))
		route_devices(&c->q, &c->r);
	else if (!strcmp(c->q.segs[0], "alerts"))
		route_alerts(&c->q, &c->r);
	else if (!strcmp(c->q.segs[0], "recommendations"))
		route_recommendations(&c->q, &c->r);
	else if (!strcmp(c->q.segs[0], "vulnerabilities"))
		route_vulns(&c->q, &c->r);
	else
		route_status(&c->q, &c->r);
	c->j = c->r.body ? json_loads(c->r.body, 0, NULL) : NULL;
	if (!c->j)
		printf("  %s %s: not JSON: %s\n", method, path, c->r.body ? c->r.body : "(none)");
}

static void done(struct call *c)
{
	for (int i = 0; i < c->q.nsegs; i++)
		free(c->q.segs[i]);
	for (int i = 0; i < c->q.nparams; i++) {
		free(c->q.params[i].key);
		free(c->q.params[i].val);
	}
	free(c->r.body);
	json_decref(c->j);
}

static int64_t total(struct call *c)
{
	return json_integer_value(json_object_get(c->j, "total"));
}

static const char *item_id(struct call *c, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(c->j, "items"), i), "id"));
}

static const char *err_msg(struct call *c)
{
	return json_string_value(json_object_get(json_object_get(c->j, "error"), "message"));
}

static int setup(void)
{
	char err[512];
	struct store s;
	int rc;

	if (!mkdtemp(dir) || store_open(&s, dir, false, err, sizeof(err))) {
		printf("setup: %s\n", err);
		return -1;
	}
	rc = sqlite3_exec(
		s.db,
		"INSERT INTO devices (id, uid, mac, ip, type, vendor, risk, first_seen, last_seen, n_alerts, record,"
		" updated_at, site) VALUES"
		" ('mac:00:00:5e:00:53:01', 'mac:00:00:5e:00:53:01', '00:00:5e:00:53:01', '198.18.0.1', 'printer',"
		"  'HP', 'high', '2024-01-01T00:00:00.000000Z', '2024-01-02T00:00:00.000000Z', 1,"
		"  '{\"record\":\"device\",\"device\":{\"id\":\"mac:00:00:5e:00:53:01\",\"services\":[\"tcp/9100\"],"
		"\"contained\":false}}', 't', 'hq'),"
		" ('mac:00:00:5e:00:53:02', 'mac:00:00:5e:00:53:02', '00:00:5e:00:53:02', '198.18.0.2', 'ip_camera',"
		"  'Axis', 'medium', '2024-01-01T00:00:00.000000Z', '2024-01-03T00:00:00.000000Z', 0, '{}', 't',"
		"  'hq'),"
		" ('ip:2001:db8::5', 'ip:default/2001:db8::5', NULL, '2001:db8::5', NULL, NULL, 'none',"
		"  '2024-01-01T00:00:00.000000Z', '2024-01-04T00:00:00.000000Z', 0, '{}', 't', 'lab');"
		"INSERT INTO device_addresses VALUES ('mac:00:00:5e:00:53:01', 'ip', '198.18.0.1', 'a', 'b'),"
		" ('mac:00:00:5e:00:53:02', 'ip', '198.18.0.2', 'a', 'b'),"
		" ('ip:2001:db8::5', 'ip', '2001:db8::5', 'a', 'b');"
		"INSERT INTO device_hostnames VALUES ('mac:00:00:5e:00:53:02', 'lobby-cam.local', 'a', 'b');"
		"INSERT INTO alerts (uid, device_id, device_ip, device_mac, type, title, severity, severity_id,"
		" first_seen, last_seen, count, record) VALUES"
		" ('a1', 'ip:198.18.0.1', '198.18.0.1', NULL, 'cleartext_credentials', 't', 'medium', 3,"
		"  '2024-01-02T00:00:00.000000Z', '2024-01-02T00:00:00.000000Z', 1, '{\"finding\":{\"uid\":\"a1\"}}'),"
		" ('a2', 'ip:198.18.9.9', '198.18.9.9', NULL, 'port_scan', 't', 'high', 4,"
		"  '2024-01-05T00:00:00.000000Z', '2024-01-05T00:00:00.000000Z', 1, '{\"finding\":{\"uid\":\"a2\"}}');"
		"INSERT INTO recommendations VALUES"
		" ('mac:00:00:5e:00:53:01', 'IOTS-REC-0001', 'Disable Telnet', 'high', 'c', 'r', '[]', 't'),"
		" ('mac:00:00:5e:00:53:02', 'IOTS-REC-0001', 'Disable Telnet', 'high', 'c', 'r', '[]', 't'),"
		" ('mac:00:00:5e:00:53:02', 'IOTS-REC-0002', 'Change default password', 'high', 'c', 'r', '[]', 't');"
		"INSERT INTO vulnerabilities VALUES"
		" ('mac:00:00:5e:00:53:01', 'CVE-2024-0001', 5.0, 'MEDIUM', 0, 'nvd', '[\"fw 1.0\"]', 't'),"
		" ('mac:00:00:5e:00:53:02', 'CVE-2024-0002', 9.8, 'CRITICAL', 1, 'nvd', 'text', 't');",
		NULL, NULL, NULL);
	store_close(&s);
	srv.state_dir = dir;
	srv.pin_dir = "/nonexistent/iotsense-pins";
	return rc == SQLITE_OK ? 0 : -1;
}

TEST(list_and_filters)
{
	struct call c;

	call(&c, "GET", "devices", NULL, NULL);
	CHECK_EQ_INT(c.r.status, 200);
	CHECK_EQ_INT(total(&c), 3);
	CHECK_STR(item_id(&c, 0), "mac:00:00:5e:00:53:01"); /* riskiest first */
	CHECK_EQ_INT(json_integer_value(json_object_get(c.j, "limit")), 100);
	done(&c);
	call(&c, "GET", "devices", NULL, "type=printer", NULL);
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "devices", NULL, "type=unknown", NULL);
	CHECK_EQ_INT(total(&c), 1);
	CHECK_STR(item_id(&c, 0), "ip:2001:db8::5");
	done(&c);
	call(&c, "GET", "devices", NULL, "vendor=axis", NULL);
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "devices", NULL, "risk=medium", NULL);
	CHECK_EQ_INT(total(&c), 2);
	done(&c);
	call(&c, "GET", "devices", NULL, "site=lab", "contained=0", NULL);
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "devices", NULL, "q=LOBBY", NULL); /* a hostname, any case */
	CHECK_EQ_INT(total(&c), 1);
	CHECK_STR(item_id(&c, 0), "mac:00:00:5e:00:53:02");
	done(&c);
	call(&c, "GET", "devices", NULL, "q=' OR 1=1 --", NULL); /* bound, so just text that matches nothing */
	CHECK_EQ_INT(c.r.status, 200);
	CHECK_EQ_INT(total(&c), 0);
	done(&c);
	call(&c, "GET", "devices", NULL, "sort=last_seen", "limit=1", "offset=1", NULL);
	CHECK_EQ_INT(total(&c), 3);
	CHECK_EQ_INT(json_array_size(json_object_get(c.j, "items")), 1);
	CHECK_STR(item_id(&c, 0), "mac:00:00:5e:00:53:02");
	done(&c);
	call(&c, "GET", "devices", NULL, "offset=10", NULL);
	CHECK_EQ_INT(total(&c), 3);
	CHECK_EQ_INT(json_array_size(json_object_get(c.j, "items")), 0);
	done(&c);
}

TEST(bad_parameters)
{
	static const char *const bad[] = { "limit=-1", "limit=abc", "limit=0",	 "limit=1001", "offset=-5",
					   "type=a'b",	"type=",     "risk=huge", "contained=2", "sort=name",
					   "nosuch=1" };
	struct call c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(&c, "GET", "devices", NULL, bad[i], NULL);
		CHECK_EQ_INT(c.r.status, 400);
		CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(c.j, "error"), "status")), 400);
		CHECK(err_msg(&c) != NULL);
		done(&c);
	}
	call(&c, "GET", "alerts", NULL, "since=yesterday", NULL);
	CHECK_EQ_INT(c.r.status, 400);
	done(&c);
	call(&c, "GET", "vulnerabilities", NULL, "kev=yes", NULL);
	CHECK_EQ_INT(c.r.status, 400);
	done(&c);
}

TEST(one_device)
{
	static const char *const forms[] = { "mac:00:00:5e:00:53:01", "00:00:5E:00:53:01", "00-00-5e-00-53-01",
					     "198.18.0.1", "ip:198.18.0.1" };
	struct call c;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char path[128];

		snprintf(path, sizeof(path), "devices/%s", forms[i]);
		call(&c, "GET", path, NULL, NULL);
		CHECK_EQ_INT(c.r.status, 200);
		CHECK_STR(json_string_value(json_object_get(json_object_get(c.j, "device"), "id")),
			  "mac:00:00:5e:00:53:01");
		done(&c);
	}
	call(&c, "GET", "devices/mac:00:00:5e:00:53:01", NULL, NULL);
	CHECK(json_is_array(json_object_get(json_object_get(c.j, "device"), "services")));
	CHECK_EQ_INT(json_array_size(json_object_get(c.j, "alerts")), 1); /* matched through its IP */
	CHECK_EQ_INT(json_is_false(json_object_get(json_object_get(c.j, "device"), "contained")), 1);
	done(&c);
	call(&c, "GET", "devices/2001:0db8:0:0::5", NULL, NULL); /* IPv6 in another spelling */
	CHECK_EQ_INT(c.r.status, 200);
	done(&c);
	call(&c, "GET", "devices/mac:00:00:5e:00:53:99", NULL, NULL);
	CHECK_EQ_INT(c.r.status, 404);
	done(&c);
	call(&c, "DELETE", "devices/mac:00:00:5e:00:53:01", NULL, NULL);
	CHECK_EQ_INT(c.r.status, 405);
	CHECK_STR(c.r.allow, "GET, HEAD, PATCH");
	done(&c);
	call(&c, "GET", "devices/x/y/z", NULL, NULL);
	CHECK_EQ_INT(c.r.status, 404);
	done(&c);
}

TEST(patch)
{
	static const char *const bad[] = { "", "[]", "{}", "{\"criticality\":\"urgent\"}", "{\"name\":5}",
					   "{\"name\":\"a\\nb\"}", "{\"risk\":\"low\"}", "{\"tags\":{\"a b\":\"c\"}}",
					   "{\"tags\":{\"k\":1}}", "{\"name\":\"x\",\"name\":\"y\"}", "{" };
	struct call c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(&c, "PATCH", "devices/198.18.0.2", bad[i], NULL);
		CHECK_EQ_INT(c.r.status, 400);
		done(&c);
	}
	call(&c, "PATCH", "devices/198.18.0.2", "{\"name\":\"Lobby camera\",\"criticality\":\"high\","
						"\"tags\":{\"room\":\"lobby\",\"floor\":\"1\"}}", NULL);
	CHECK_EQ_INT(c.r.status, 200);
	CHECK_STR(json_string_value(json_object_get(c.j, "name")), "Lobby camera");
	CHECK_STR(json_string_value(json_object_get(c.j, "criticality")), "high");
	CHECK_STR(json_string_value(json_object_get(json_object_get(c.j, "tags"), "room")), "lobby");
	done(&c);
	call(&c, "PATCH", "devices/198.18.0.2", "{\"criticality\":null,\"tags\":{\"floor\":null}}", NULL);
	CHECK_EQ_INT(c.r.status, 200);
	CHECK(json_is_null(json_object_get(c.j, "criticality")));
	CHECK(json_object_get(json_object_get(c.j, "tags"), "floor") == NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(c.j, "tags"), "room")), "lobby");
	done(&c);
	call(&c, "PATCH", "devices/198.18.0.2", "{\"name\":null}", NULL); /* no tags key at all */
	CHECK_EQ_INT(c.r.status, 200);
	CHECK(json_is_null(json_object_get(c.j, "name")));
	done(&c);
	call(&c, "PATCH", "devices/198.18.7.7", "{\"name\":\"x\"}", NULL);
	CHECK_EQ_INT(c.r.status, 404);
	done(&c);
}

TEST(contain_without_pins)
{
	struct call c;

	call(&c, "POST", "devices/198.18.0.2/contain", "{\"for\":\"10m\"}", NULL);
	CHECK_EQ_INT(c.r.status, 503);
	CHECK(err_msg(&c) && strstr(err_msg(&c), "/nonexistent/iotsense-pins"));
	done(&c);
	call(&c, "POST", "devices/198.18.0.2/contain", "{\"for\":\"forever\"}", NULL);
	CHECK_EQ_INT(c.r.status, 400);
	done(&c);
	call(&c, "POST", "devices/198.18.0.2/contain", "{\"until\":\"10m\"}", NULL);
	CHECK_EQ_INT(c.r.status, 400);
	done(&c);
	call(&c, "POST", "devices/198.18.7.7/contain", NULL, NULL);
	CHECK_EQ_INT(c.r.status, 404);
	done(&c);
	call(&c, "GET", "devices/198.18.0.2/release", NULL, NULL);
	CHECK_EQ_INT(c.r.status, 405);
	done(&c);
}

TEST(other_lists)
{
	struct call c;

	call(&c, "GET", "alerts", NULL, NULL);
	CHECK_EQ_INT(total(&c), 2);
	CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(c.j, "items"), 0),
								    "finding"), "uid")), "a2"); /* newest first */
	done(&c);
	call(&c, "GET", "alerts", NULL, "severity=high", NULL);
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "alerts", NULL, "device=mac:00:00:5e:00:53:01", NULL);
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "alerts", NULL, "device=198.18.9.9", NULL); /* an address no device row holds */
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "alerts", NULL, "since=2024-01-03T00:00:00+01:00", "type=port_scan", NULL);
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "recommendations", NULL, NULL);
	CHECK_EQ_INT(total(&c), 2);
	CHECK_STR(item_id(&c, 0), "IOTS-REC-0001"); /* most devices first */
	CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(json_object_get(c.j, "items"), 0), "devices")), 2);
	done(&c);
	call(&c, "GET", "recommendations", NULL, "device=198.18.0.1", NULL);
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "vulnerabilities", NULL, NULL);
	CHECK_EQ_INT(total(&c), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(c.j, "items"), 0), "cve")),
		  "CVE-2024-0002"); /* KEV first */
	done(&c);
	call(&c, "GET", "vulnerabilities", NULL, "severity=critical", NULL);
	CHECK_EQ_INT(total(&c), 1);
	done(&c);
	call(&c, "GET", "vulnerabilities", NULL, "kev=0", "device=00:00:5e:00:53:01", NULL);
	CHECK_EQ_INT(total(&c), 1);
	CHECK(json_is_array(json_object_get(json_array_get(json_object_get(c.j, "items"), 0), "affected")));
	done(&c);
	call(&c, "GET", "status", NULL, NULL);
	CHECK_EQ_INT(c.r.status, 200);
	CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(c.j, "store"), "devices")), 3);
	CHECK(json_is_false(json_object_get(json_object_get(c.j, "kernel"), "attached")));
	done(&c);
}

TEST(no_store)
{
	struct call c;

	srv.state_dir = "/nonexistent/iotsense-state";
	call(&c, "GET", "devices", NULL, NULL);
	CHECK_EQ_INT(c.r.status, 503);
	CHECK(err_msg(&c) && strstr(err_msg(&c), "no inventory there yet"));
	done(&c);
	srv.state_dir = dir;
}

int main(void)
{
	char cmd[128];
	int ret;

	if (setup())
		return 1;
	RUN(list_and_filters);
	RUN(bad_parameters);
	RUN(one_device);
	RUN(patch);
	RUN(contain_without_pins);
	RUN(other_lists);
	RUN(no_store);
	ret = testlib_summary();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		return 1;
	return ret;
}
