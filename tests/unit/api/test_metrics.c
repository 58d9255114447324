// SPDX-License-Identifier: GPL-2.0-only
/*
 * /metrics pieces: label escaping, the kernel families from a synthetic view (hostile interface name), the
 * daemon counters, and the store's families over a real store in a temp dir (types, severities, outputs' queue
 * depth = outbox rows past acked_seq). Every sample line must parse as the exposition format says.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "api/metrics.h"
#include "pipeline.h"
#include "store/store.h"

/* name{l="v",...} value — a small checker of the text format's sample line. */
static int sample_ok(const char *l)
{
	const char *p = l;

	if (!isalpha((unsigned char)*p) && *p != '_' && *p != ':')
		return 0;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
		p++;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			if (!isalpha((unsigned char)*p) && *p != '_')
				return 0;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			if (*p++ != '=' || *p++ != '"')
				return 0;
			while (*p && *p != '"') {
				if (*p == '\\') {
					p++;
					if (*p != '\\' && *p != '"' && *p != 'n')
						return 0;
				} else if (*p == '\n') {
					return 0;
				}
				p++;
			}
			if (*p++ != '"')
				return 0;
			if (*p == ',')
				p++;
		}
		p++;
	}
	if (*p++ != ' ' || !*p)
		return 0;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p) && !strchr(".eE+-", *p))
			return 0;
	return 1;
}

/* Every line: a comment, or a valid sample. Returns the number of bad lines. */
static int bad_lines(char *text)
{
	int bad = 0;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		if (!sample_ok(line)) {
			printf("  bad line: %s\n", line);
			bad++;
		}
	}
	return bad;
}

TEST(label_escape)
{
	struct prom p = {};

	prom_label_value(&p, "a\"b\\c\nd");
	CHECK_STR(p.buf, "a\\\"b\\\\c\\nd");
	free(p.buf);
}

TEST(grows)
{
	struct prom p = {};

	for (int i = 0; i < 2000; i++)
		prom_printf(&p, "line_%d 1\n", i);
	CHECK(!p.oom);
	CHECK(strstr(p.buf, "line_1999 1\n") != NULL);
	CHECK_EQ_INT(p.len, strlen(p.buf));
	free(p.buf);
}

TEST(kernel)
{
	struct kernel_view *kv = calloc(1, sizeof(*kv));
	struct prom p = {};

	kv->nifs = 1;
	kv->keys[0].ifindex = 7;
	strcpy(kv->ifs[0].ifname, "ev\"il\\0");
	kv->ifs[0].xdp_mode = IOT_XDP_SKB;
	kv->have_counters = true;
	kv->cnt[IOT_HOOK_XDP].c[IOT_CNT_PACKETS] = 10;
	kv->cnt[IOT_HOOK_TC_EGRESS].c[IOT_CNT_PACKETS] = 5;
	kv->cnt[IOT_HOOK_XDP].c[IOT_CNT_RB_FAIL] = 3;
	kv->cnt[IOT_HOOK_XDP].c[IOT_CNT_ARP] = 2;
	metrics_kernel(&p, kv);
	CHECK(strstr(p.buf, "# TYPE iotsense_packets_total counter\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_packets_total{hook=\"xdp\"} 10\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_packets_total{hook=\"tc_egress\"} 5\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_ringbuf_drops_total{hook=\"xdp\"} 3\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_kernel_arp_total{hook=\"xdp\"} 2\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_flows_total{hook=\"xdp\"} 0\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_kernel_packets_total") == NULL); /* renamed ones appear once */
	CHECK(strstr(p.buf, "ifname=\"ev\\\"il\\\\0\"") != NULL);
	CHECK(strstr(p.buf, "xdp_mode=\"skb\"") != NULL);
	CHECK_EQ_INT(bad_lines(p.buf), 0);
	free(p.buf);
	free(kv);
}

TEST(daemon)
{
	struct pipeline_stats st = { .events = 5, .bad_events = 1, .decoder_malformed = 2, .decoder_dropped = 4 };
	struct prom p = {};

	metrics_daemon(&p, &st);
	CHECK(strstr(p.buf, "iotsense_events_total 5\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_bad_events_total 1\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_decoder_errors_total{reason=\"malformed\"} 2\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_decoder_errors_total{reason=\"dropped\"} 4\n") != NULL);
	CHECK(strstr(p.buf, "# HELP iotsense_events_total ") != NULL);
	CHECK_EQ_INT(bad_lines(p.buf), 0);
	free(p.buf);
}

TEST(store)
{
	char dir[] = "/tmp/iotsense-test-metrics-XXXXXX", err[512], path[4200];
	struct store s;
	struct prom p = {};

	CHECK(mkdtemp(dir) != NULL);
	if (store_open(&s, dir, false, err, sizeof(err))) {
		printf("  store_open: %s\n", err);
		CHECK(0);
		return;
	}
	CHECK(sqlite3_exec(s.db,
			   "INSERT INTO devices (id, uid, type, first_seen, last_seen, record, updated_at) VALUES"
			   " ('mac:00:00:00:00:00:01', 'u1', 'printer', 't', 't', '{}', 't'),"
			   " ('mac:00:00:00:00:00:02', 'u2', 'printer', 't', 't', '{}', 't'),"
			   " ('ip:198.18.0.3', 'u3', NULL, 't', 't', '{}', 't'),"
			   " ('ip:198.18.0.4', 'u4', 'a\"b', 't', 't', '{}', 't');"
			   "INSERT INTO alerts (uid, type, title, severity, severity_id, first_seen, last_seen, count,"
			   " record) VALUES ('a1', 'x', 'x', 'high', 4, 't', 't', 1, '{}');"
			   "INSERT INTO outbox (record_id, kind, created_at, body) VALUES ('r1', 'device', 't', '{}'),"
			   " ('r2', 'device', 't', '{}'), ('r3', 'alert', 't', '{}');"
			   "INSERT INTO output_state (name, acked_seq, sent, failures, dropped) VALUES"
			   " ('splunk', 1, 7, 2, 1), ('sys\\log', 3, 3, 0, 0);",
			   NULL, NULL, NULL) == SQLITE_OK);
	metrics_store(&p, &s);
	CHECK(strstr(p.buf, "iotsense_store_up 1\n") != NULL);
	CHECK(strstr(p.buf, "# TYPE iotsense_devices gauge\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_devices{type=\"printer\"} 2\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_devices{type=\"unknown\"} 1\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_devices{type=\"a\\\"b\"} 1\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_alerts{severity=\"high\"} 1\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_output_queue_depth{output=\"splunk\"} 2\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_output_queue_depth{output=\"sys\\\\log\"} 0\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_output_sent_total{output=\"splunk\"} 7\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_output_failures_total{output=\"splunk\"} 2\n") != NULL);
	CHECK(strstr(p.buf, "iotsense_output_dropped_total{output=\"splunk\"} 1\n") != NULL);
	CHECK_EQ_INT(bad_lines(p.buf), 0);
	free(p.buf);
	store_close(&s);

	memset(&p, 0, sizeof(p));
	metrics_store(&p, NULL);
	CHECK_STR(p.buf, "# HELP iotsense_store_up 1 when the inventory store could be read.\n"
			 "# TYPE iotsense_store_up gauge\niotsense_store_up 0\n");
	free(p.buf);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK(system(path) == 0);
}

int main(void)
{
	RUN(label_escape);
	RUN(grows);
	RUN(kernel);
	RUN(daemon);
	RUN(store);
	return testlib_summary();
}
