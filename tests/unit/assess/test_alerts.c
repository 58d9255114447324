// SPDX-License-Identifier: GPL-2.0-only
/*
 * The alerts engine (user/assess/alert*.c, ioc.c): each built-in detector fed crafted packets and flow records
 * (fires when it should, aggregates repeats into one record with a count, stays quiet on benign traffic), custom
 * rules with thresholds and windows, IOC matching of addresses, networks and domains, the loaders' errors, the
 * records and the memory caps.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assess/alert_int.h"
#include "assess/alerts.h"
#include "assess/ioc.h"
#include "classify.h"
#include "inventory.h"
#include "testlib.h"

#define T0 1700000000000000000ull
#define SEC 1000000000ull

static char tmpdir[] = "/tmp/iotsense-test-alerts-XXXXXX";

static void write_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void clear_dir(const char *rel)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s' && mkdir -p '%s/%s'", tmpdir, rel, tmpdir, rel);
	if (system(cmd))
		abort();
}

/*
 * A fresh engine over the rules written to tmpdir. Learning an hour (no new_device noise; tests of it set their
 * own), update interval 0.
 */
static struct alerts *engine(const char *alerts_yaml, const char *iocs_txt)
{
	char err[1024], root[256];
	struct alerts *a;

	clear_dir("rules/alerts");
	clear_dir("rules/iocs");
	if (alerts_yaml)
		write_file("rules/alerts/test.yaml", alerts_yaml);
	if (iocs_txt)
		write_file("rules/iocs/test.txt", iocs_txt);
	snprintf(root, sizeof(root), "%s/rules", tmpdir);
	a = alerts_new(root, NULL, err, sizeof(err));
	if (!a) {
		printf("  alerts_new: %s\n", err);
		return NULL;
	}
	alerts_set_learning(a, 3600);
	alerts_set_update_interval(a, 0);
	return a;
}

static void v4(struct iot_addr *a, const char *s)
{
	uint8_t b[4];

	inet_pton(AF_INET, s, b);
	dec_addr_from_v4(a, b);
}

static void mac_of(uint8_t m[6], int n)
{
	const uint8_t base[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x00 };

	memcpy(m, base, 6);
	m[4] = (uint8_t)(n >> 8);
	m[5] = (uint8_t)n;
}

/* A TCP packet; macs are numbered after the last octet of each address. */
static struct dec_ctx pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport, bool from_init,
			  uint64_t ts)
{
	struct dec_ctx c = { .l4_proto = 6, .eth_proto = 0x0800, .from_initiator = from_init, .ts_ns = ts,
			     .sport = sport, .dport = dport };

	v4(&c.src_ip, src);
	v4(&c.dst_ip, dst);
	mac_of(c.src_mac, c.src_ip.b[15]);
	mac_of(c.dst_mac, c.dst_ip.b[15]);
	return c;
}

static void obs(struct dec_out *o, enum obs_subject subj, const char *key, const char *val)
{
	dec_emit_str(o, subj, key, val);
}

static void feed(struct alerts *a, struct dec_ctx c, const char *key, const char *val, enum obs_subject subj)
{
	struct dec_out o = { .n = 0 };
	char flow[128];

	if (key)
		obs(&o, subj, key, val);
	snprintf(flow, sizeof(flow), "tcp test:%u -> test:%u", c.sport, c.dport);
	alerts_packet(a, &c, &o, NULL, flow);
}

/* A flow start or end record between src (the initiator) and dst. */
static struct iot_ev_flow flow_rec(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t proto,
				   bool start)
{
	struct iot_ev_flow ev;
	struct iot_addr s, d;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = start ? IOT_EV_FLOW_START : IOT_EV_FLOW_END;
	ev.hdr.version = IOT_ABI_VERSION;
	ev.hdr.size = sizeof(ev);
	v4(&s, src);
	v4(&d, dst);
	memcpy(ev.key.addr_a, s.b, 16);
	memcpy(ev.key.addr_b, d.b, 16);
	ev.key.port_a = htons(sport);
	ev.key.port_b = htons(dport);
	ev.key.proto = proto;
	ev.flow.initiator = IOT_DIR_AB;
	ev.flow.packets[0] = 1;
	ev.flow.tcp_flags[0] = 0x02;
	mac_of(ev.mac_a, s.b[15]);
	mac_of(ev.mac_b, d.b[15]);
	return ev;
}

static void flow(struct alerts *a, struct iot_ev_flow ev, uint64_t ts)
{
	alerts_flow(a, &ev, ts, ts, ts);
}

/* Flushes into memory; returns the records as a JSON array (caller frees). */
static json_t *flush(struct alerts *a, bool final, int *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct jsonw w;
	json_t *arr = json_array();
	char *line, *save = NULL;

	jw_init(&w);
	*n = alerts_flush(a, &w, m, final);
	fclose(m);
	jw_free(&w);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t e;
		json_t *r = json_loads(line, 0, &e);

		if (!r)
			printf("  not JSON: %s\n", line);
		else
			json_array_append_new(arr, r);
	}
	free(buf);
	return arr;
}

static const char *str(json_t *o, const char *path)
{
	char buf[128], *save = NULL, *part;
	json_t *x = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part && x; part = strtok_r(NULL, ".", &save))
		x = isdigit((unsigned char)part[0]) ? json_array_get(x, atoi(part)) : json_object_get(x, part);
	return json_is_string(x) ? json_string_value(x) : NULL;
}

static long long num(json_t *o, const char *key)
{
	json_t *x = json_object_get(o, key);

	return json_is_integer(x) ? json_integer_value(x) : -1;
}

/* The records of one rule ("builtin:modbus_write"), and the first of them. */
static int count_rule(json_t *arr, const char *rule, json_t **first)
{
	size_t i;
	json_t *r;
	int n = 0;

	if (first)
		*first = NULL;
	json_array_foreach(arr, i, r) {
		if (str(r, "rule") && !strcmp(str(r, "rule"), rule)) {
			if (!n && first)
				*first = r;
			n++;
		}
	}
	return n;
}

/* ---- OT ---- */

TEST(modbus_write_fires_aggregates_and_names_the_client)
{
	struct alerts *a = engine(NULL, NULL);
	json_t *arr, *r;
	int n;

	/* client 10.0.0.5 writes to PLC 10.0.0.9 three times; the decoder writes the fact on both ends */
	for (int i = 0; i < 3; i++) {
		struct dec_ctx c = pkt("10.0.0.5", 40000, "10.0.0.9", 502, true, T0 + i * SEC);
		struct dec_out o = { .n = 0 };

		obs(&o, OBS_SRC, "modbus_write", i < 2 ? "fc=6 addr=5 value=11" : "fc=16 addr=1 count=2");
		obs(&o, OBS_DST, "modbus_write", i < 2 ? "fc=6 addr=5 value=11" : "fc=16 addr=1 count=2");
		alerts_packet(a, &c, &o, NULL, "tcp 10.0.0.5:40000 -> 10.0.0.9:502");
	}
	/* reads are benign */
	feed(a, pkt("10.0.0.5", 40000, "10.0.0.9", 502, true, T0 + 5 * SEC), "modbus_function",
	     "read_holding_registers", OBS_SRC);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:modbus_write", &r), 1);
	if (r) {
		CHECK_EQ_INT(num(r, "count"), 3);
		CHECK_STR(str(r, "device.ip"), "10.0.0.5");
		CHECK_STR(str(r, "device.id"), "ip:10.0.0.5");
		CHECK_STR(str(r, "detail"), "10.0.0.9");
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T0855");
		CHECK_STR(str(r, "attacks.1.technique.uid"), "T0836");
		CHECK_STR(str(r, "severity"), "medium");
		CHECK_EQ_INT(num(r, "severity_id"), 3);
		CHECK_EQ_INT(num(r, "class_uid"), 2004);
		CHECK_EQ_INT(num(r, "activity_id"), 1);
		CHECK_EQ_INT(json_array_size(json_object_get(r, "evidence")), 2);
		CHECK_STR(str(r, "evidence.0.value"), "fc=6 addr=5 value=11");
		CHECK_STR(str(r, "first_seen"), "2023-11-14T22:13:20.000000Z");
		CHECK_STR(str(r, "last_seen"), "2023-11-14T22:13:22.000000Z");
		CHECK(str(r, "finding.uid") && strlen(str(r, "finding.uid")) == 16);
	}
	json_decref(arr);
	alerts_free(a);
}

TEST(ot_commands_map_to_their_detectors)
{
	struct alerts *a = engine(NULL, NULL);
	json_t *arr, *r;
	int n;

	/* S7: the PLC (port 102) sends the download-block job; the actor is still the client */
	feed(a, pkt("10.0.0.40", 102, "10.0.0.10", 50000, false, T0), "s7_download", "DB1", OBS_SRC);
	feed(a, pkt("10.0.0.10", 50000, "10.0.0.40", 102, true, T0 + 1), "s7_plc_stop", "P_PROGRAM", OBS_SRC);
	feed(a, pkt("10.0.0.10", 50000, "10.0.0.40", 102, true, T0 + 2), "s7_plc_control", "_INSE DB1", OBS_SRC);
	feed(a, pkt("10.0.0.10", 50000, "10.0.0.40", 102, true, T0 + 3), "s7_plc_control", "P_PROGRAM", OBS_SRC);
	feed(a, pkt("10.0.0.10", 50000, "10.0.0.40", 102, true, T0 + 4), "s7_write", "area=DB db=1", OBS_SRC);
	/* EtherNet/IP */
	feed(a, pkt("10.0.0.11", 50001, "10.0.0.41", 44818, true, T0 + 5), "cip_reset", "class=0x01 instance=1 type=0",
	     OBS_SRC);
	feed(a, pkt("10.0.0.11", 50001, "10.0.0.41", 44818, true, T0 + 6), "cip_control", "Stop class=0x8e", OBS_SRC);
	feed(a, pkt("10.0.0.11", 50001, "10.0.0.41", 44818, true, T0 + 7), "cip_write", "Write_Tag tag=Speed",
	     OBS_SRC);
	/* Modbus control functions */
	feed(a, pkt("10.0.0.12", 50002, "10.0.0.42", 502, true, T0 + 8), "modbus_control",
	     "fc=8 sub=1 restart_communications", OBS_SRC);
	feed(a, pkt("10.0.0.12", 50002, "10.0.0.42", 502, true, T0 + 9), "modbus_control", "umas=initialize_download",
	     OBS_SRC);
	feed(a, pkt("10.0.0.12", 50002, "10.0.0.42", 502, true, T0 + 10), "modbus_control", "umas=stop_plc", OBS_SRC);
	feed(a, pkt("10.0.0.12", 50002, "10.0.0.42", 502, true, T0 + 11), "modbus_control",
	     "fc=8 sub=4 force_listen_only_mode", OBS_SRC);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:s7_program_download", &r), 1);
	if (r) {
		CHECK_EQ_INT(num(r, "count"), 2); /* the download and the _INSE of the same block */
		CHECK_STR(str(r, "device.ip"), "10.0.0.10");
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T0843");
	}
	CHECK_EQ_INT(count_rule(arr, "builtin:s7_cpu_stop", &r), 1);
	if (r) {
		CHECK_STR(str(r, "severity"), "critical");
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T0858");
	}
	CHECK_EQ_INT(count_rule(arr, "builtin:s7_plc_control", NULL), 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:s7_write", NULL), 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:enip_reset", &r), 1);
	if (r)
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T0816");
	CHECK_EQ_INT(count_rule(arr, "builtin:enip_mode_change", NULL), 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:enip_write", NULL), 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:modbus_restart", NULL), 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:modbus_program_download", NULL), 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:modbus_mode_change", NULL), 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:modbus_control", NULL), 1);
	CHECK_EQ_INT(n, 11);
	json_decref(arr);
	alerts_free(a);
}

TEST(engineering_stations_may_command)
{
	struct alerts *a = engine("engineering_stations:\n  - 10.0.0.5\n  - 10.1.0.0/16\n  - 02:00:5e:10:00:07\n",
				  NULL);
	json_t *arr, *r;
	int n;

	feed(a, pkt("10.0.0.5", 40000, "10.0.0.9", 502, true, T0), "modbus_write", "fc=6 addr=5 value=1", OBS_SRC);
	feed(a, pkt("10.1.2.3", 40000, "10.0.0.9", 502, true, T0), "modbus_write", "fc=6 addr=5 value=1", OBS_SRC);
	feed(a, pkt("10.9.0.7", 40000, "10.0.0.9", 502, true, T0), "modbus_write", "fc=6 addr=5 value=1", OBS_SRC);
	feed(a, pkt("10.0.0.6", 40000, "10.0.0.9", 502, true, T0), "modbus_write", "fc=6 addr=5 value=1", OBS_SRC);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:modbus_write", &r), 1);
	if (r)
		CHECK_STR(str(r, "device.ip"), "10.0.0.6");
	json_decref(arr);
	alerts_free(a);
}

/* ---- new devices ---- */

TEST(new_device_after_learning_only)
{
	struct alerts *a = engine(NULL, NULL);
	json_t *arr, *r;
	int n;

	alerts_set_learning(a, 60);
	feed(a, pkt("10.0.0.1", 1000, "10.0.0.2", 80, true, T0), NULL, NULL, 0);	    /* learning */
	feed(a, pkt("10.0.0.3", 1000, "10.0.0.2", 80, true, T0 + 59 * SEC), NULL, NULL, 0); /* learning */
	feed(a, pkt("10.0.0.4", 1000, "10.0.0.2", 80, true, T0 + 61 * SEC), NULL, NULL, 0); /* new */
	feed(a, pkt("10.0.0.4", 1000, "10.0.0.2", 80, true, T0 + 70 * SEC), NULL, NULL, 0); /* known now */
	feed(a, pkt("10.0.0.1", 1000, "10.0.0.2", 80, true, T0 + 80 * SEC), NULL, NULL, 0); /* learned */
	arr = flush(a, true, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:new_device", &r), 1);
	if (r) {
		CHECK_STR(str(r, "device.mac"), "02:00:5e:10:00:04");
		CHECK_STR(str(r, "device.id"), "mac:02:00:5e:10:00:04");
		CHECK_EQ_INT(num(r, "count"), 1);
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T1200");
		CHECK_STR(str(r, "severity"), "low");
	}
	json_decref(arr);
	alerts_free(a);

	/* learning 0: every device is new; group and zero MACs are not devices */
	a = engine(NULL, NULL);
	alerts_set_learning(a, 0);
	{
		struct dec_ctx c = pkt("10.0.0.1", 1000, "10.0.0.2", 80, true, T0);

		c.src_mac[0] = 0x01;
		alerts_packet(a, &c, &(struct dec_out){ .n = 0 }, NULL, "");
		memset(c.src_mac, 0, 6);
		alerts_packet(a, &c, &(struct dec_out){ .n = 0 }, NULL, "");
	}
	feed(a, pkt("10.0.0.3", 1000, "10.0.0.2", 80, true, T0), NULL, NULL, 0);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:new_device", NULL), 1);
	json_decref(arr);
	alerts_free(a);
}

/* ---- IOCs ---- */

static const char *const test_iocs = "# test list\n"
				     "203.0.113.66\n"
				     "198.51.100.128/25   # a network\n"
				     "2001:db8:bad::/48\n"
				     "c2.example.invalid\n"
				     "*.beacon.example.invalid\n";

TEST(ioc_addresses_and_networks_at_flow_start)
{
	struct alerts *a = engine(NULL, test_iocs);
	struct iot_ev_flow ev;
	json_t *arr, *r;
	int n;

	flow(a, flow_rec("10.0.0.5", 40000, "203.0.113.66", 443, 6, true), T0);
	flow(a, flow_rec("10.0.0.5", 40001, "203.0.113.66", 443, 6, true), T0 + SEC);
	flow(a, flow_rec("10.0.0.5", 40001, "203.0.113.66", 443, 6, false), T0 + 2 * SEC); /* ends don't count */
	flow(a, flow_rec("10.0.0.6", 40000, "198.51.100.200", 80, 6, true), T0);	    /* in the /25 */
	flow(a, flow_rec("10.0.0.6", 40000, "198.51.100.100", 80, 6, true), T0);	    /* outside it */
	flow(a, flow_rec("203.0.113.66", 5555, "10.0.0.7", 23, 6, true), T0);		    /* inbound */
	flow(a, flow_rec("10.0.0.8", 40000, "192.0.2.1", 443, 6, true), T0);		    /* benign */
	ev = flow_rec("10.0.0.9", 40000, "192.0.2.9", 443, 6, true);
	ev.flow.flags |= IOT_FLOW_F_IOC; /* the kernel's map knew it */
	flow(a, ev, T0);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:ioc_contact", NULL), 4);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		r = json_array_get(arr, i);
		if (!strcmp(str(r, "device.ip"), "10.0.0.5")) {
			CHECK_EQ_INT(num(r, "count"), 2);
			CHECK_STR(str(r, "detail"), "203.0.113.66");
			CHECK_STR(str(r, "attacks.0.technique.uid"), "T1071");
			CHECK_STR(str(r, "severity"), "high");
		} else if (!strcmp(str(r, "device.ip"), "10.0.0.6")) {
			CHECK_STR(str(r, "detail"), "198.51.100.128/25");
		} else if (!strcmp(str(r, "device.ip"), "10.0.0.7")) {
			CHECK_STR(str(r, "evidence.0.key"), "ioc_ip_inbound");
		} else if (!strcmp(str(r, "device.ip"), "10.0.0.9")) {
			CHECK_STR(str(r, "detail"), "192.0.2.9 (kernel IOC map)");
		} else {
			CHECK(!"unexpected device");
		}
	}
	json_decref(arr);
	{
		struct iot_addr ips[8];

		CHECK_EQ_INT(alerts_ioc_ips(a, ips, 8), 1); /* host entries only; networks stay in user space */
	}
	alerts_free(a);
}

/* An IPv4/UDP DNS query for name, as the snippet holds it from the IP header on. */
static size_t dns_query(uint8_t *b, const char *name)
{
	size_t off = 28 + 12, n;
	const char *p = name;

	memset(b, 0, 512);
	b[0] = 0x45;
	b[9] = 17;
	b[28 + 1] = 0x42;	/* id */
	b[28 + 2] = 0x01;	/* RD */
	b[28 + 5] = 1;		/* QDCOUNT */
	while (*p) {
		const char *dot = strchr(p, '.');

		n = dot ? (size_t)(dot - p) : strlen(p);
		b[off++] = (uint8_t)n;
		memcpy(b + off, p, n);
		off += n;
		p += n + (dot ? 1 : 0);
	}
	b[off++] = 0;
	b[off + 1] = 1; /* A */
	b[off + 3] = 1; /* IN */
	return off + 4;
}

TEST(ioc_domains_in_dns_sni_and_host)
{
	size_t ix;
	struct alerts *a = engine(NULL, test_iocs);
	uint8_t buf[512];
	json_t *arr, *r;
	int n;

	/* DNS query for a name under a wildcard entry */
	{
		struct dec_ctx c = pkt("10.0.0.5", 5353, "10.0.0.1", 53, true, T0);

		c.l4_proto = 17;
		c.sport = 40000;
		c.l3 = buf;
		c.l3_len = (uint32_t)dns_query(buf, "x.y.beacon.example.invalid");
		alerts_packet(a, &c, &(struct dec_out){ .n = 0 }, NULL, "udp dns");
		c.l3_len = (uint32_t)dns_query(buf, "example.invalid"); /* the parent of an entry: no */
		alerts_packet(a, &c, &(struct dec_out){ .n = 0 }, NULL, "udp dns");
		c.l3_len = (uint32_t)dns_query(buf, "notc2.example.invalid"); /* not a label boundary: no */
		alerts_packet(a, &c, &(struct dec_out){ .n = 0 }, NULL, "udp dns");
		buf[28 + 2] |= 0x80; /* a response naming c2: the query already counted */
		alerts_packet(a, &c, &(struct dec_out){ .n = 0 }, NULL, "udp dns");
	}
	feed(a, pkt("10.0.0.6", 40000, "192.0.2.1", 443, true, T0 + SEC), "tls_sni", "a.b.C2.example.invalid",
	     OBS_SRC);
	feed(a, pkt("10.0.0.7", 40000, "192.0.2.1", 80, true, T0 + SEC), "http_host", "c2.example.invalid.:8080",
	     OBS_DST);
	feed(a, pkt("10.0.0.8", 40000, "192.0.2.1", 80, true, T0 + SEC), "http_host", "www.example.com", OBS_DST);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:ioc_contact", NULL), 3);
	json_array_foreach(arr, ix, r) {
		const char *dev = str(r, "device.ip");

		if (!strcmp(dev, "10.0.0.5")) {
			CHECK_STR(str(r, "detail"), "beacon.example.invalid");
			CHECK_STR(str(r, "evidence.0.key"), "dns_query");
			CHECK_STR(str(r, "evidence.0.value"), "x.y.beacon.example.invalid");
		} else if (!strcmp(dev, "10.0.0.6")) {
			CHECK_STR(str(r, "detail"), "c2.example.invalid");
			CHECK_STR(str(r, "evidence.0.key"), "tls_sni");
		} else {
			CHECK_STR(dev, "10.0.0.7");
			CHECK_STR(str(r, "evidence.0.key"), "http_host");
		}
	}
	json_decref(arr);
	alerts_free(a);
}

TEST(ioc_set_parsing_and_matching)
{
	struct ioc_set s;
	struct ioc_net net;
	struct iot_addr ip;
	char dom[IOC_TEXT_MAX], why[160], buf[64];

	CHECK_EQ_INT(ioc_parse("10.1.2.3/8", true, &net, dom, sizeof(dom), why, sizeof(why)), IOC_NONE);
	CHECK_EQ_INT(ioc_parse("10.1.2.3/8", false, &net, dom, sizeof(dom), why, sizeof(why)), IOC_NET);
	ioc_net_format(&net, buf, sizeof(buf));
	CHECK_STR(buf, "10.0.0.0/8");
	CHECK_EQ_INT(ioc_parse("com", true, &net, dom, sizeof(dom), why, sizeof(why)), IOC_NONE);
	CHECK_EQ_INT(ioc_parse("1.2.3", true, &net, dom, sizeof(dom), why, sizeof(why)), IOC_NONE);
	CHECK_EQ_INT(ioc_parse("a..b", true, &net, dom, sizeof(dom), why, sizeof(why)), IOC_NONE);
	CHECK_EQ_INT(ioc_parse("*.Evil.Example.", true, &net, dom, sizeof(dom), why, sizeof(why)), IOC_DOMAIN);
	CHECK_STR(dom, "evil.example");
	CHECK_EQ_INT(ioc_parse("2001:db8::/129", true, &net, dom, sizeof(dom), why, sizeof(why)), IOC_NONE);
	ioc_set_init(&s);
	ioc_parse("2001:db8::/32", true, &net, dom, sizeof(dom), why, sizeof(why));
	ioc_add_net(&s, &net);
	ioc_parse("192.0.2.7", true, &net, dom, sizeof(dom), why, sizeof(why));
	ioc_add_net(&s, &net);
	ioc_add_net(&s, &net); /* duplicates merge */
	ioc_add_domain(&s, "evil.example");
	ioc_set_finish(&s);
	CHECK_EQ_INT(s.nnets, 2);
	v4(&ip, "192.0.2.7");
	CHECK(ioc_match_ip(&s, &ip) != NULL);
	v4(&ip, "192.0.2.8");
	CHECK(ioc_match_ip(&s, &ip) == NULL);
	inet_pton(AF_INET6, "2001:db8:1::5", ip.b);
	ip.family = AF_INET6;
	CHECK(ioc_match_ip(&s, &ip) != NULL);
	CHECK_STR(ioc_match_domain(&s, "A.EVIL.example"), "evil.example");
	CHECK_STR(ioc_match_domain(&s, "evil.example."), "evil.example");
	CHECK(ioc_match_domain(&s, "example") == NULL);
	CHECK(ioc_match_domain(&s, "devil.example") == NULL);
	CHECK(ioc_match_domain(&s, "[2001:db8::1]:443") == NULL);
	ioc_set_free(&s);
}

TEST(ioc_feed_import_is_normalised_and_loaded)
{
	struct ioc_import_report rep;
	char err[512], state[256], root[256], path[300];
	struct alerts *a;
	json_t *arr;
	int n;

	write_file("feed.txt", "# a feed\n203.0.113.9\nhxxps://evil[.]example.invalid/x\n0.0.0.0 ads.example.invalid\n"
			       "198.51.100.7:8080\ngarbage line here\n203.0.113.9\n");
	snprintf(path, sizeof(path), "%s/feed.txt", tmpdir);
	snprintf(state, sizeof(state), "%s/state", tmpdir);
	CHECK_EQ_INT(ioc_import(path, state, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(rep.ips, 3);
	CHECK_EQ_INT(rep.domains, 2);
	CHECK_EQ_INT(rep.duplicates, 1);
	CHECK_EQ_INT(rep.skipped_invalid, 1);
	/* a file with nothing usable changes nothing */
	write_file("empty.txt", "nothing\n");
	snprintf(path, sizeof(path), "%s/empty.txt", tmpdir);
	CHECK_EQ_INT(ioc_import(path, state, &rep, err, sizeof(err)), -1);
	/* the engine loads the imported list */
	clear_dir("rules/alerts");
	clear_dir("rules/iocs");
	snprintf(root, sizeof(root), "%s/rules", tmpdir);
	a = alerts_new(root, state, err, sizeof(err));
	CHECK(a != NULL);
	if (!a)
		return;
	alerts_set_learning(a, 0);
	feed(a, pkt("10.0.0.5", 40000, "192.0.2.1", 443, true, T0), "tls_sni", "www.evil.example.invalid", OBS_SRC);
	flow(a, flow_rec("10.0.0.5", 40000, "198.51.100.7", 443, 6, true), T0);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:ioc_contact", NULL), 2);
	json_decref(arr);
	alerts_free(a);
}

/* ---- scans ---- */

static void probe(struct alerts *a, const char *src, const char *dst, uint16_t port, bool answered, uint64_t ts)
{
	struct iot_ev_flow ev = flow_rec(src, 40000, dst, port, 6, false);

	if (answered) {
		ev.flow.packets[1] = 1;
		ev.flow.tcp_flags[1] = 0x12;
	} else if (port % 2) {
		ev.flow.packets[1] = 1; /* a reset is no answer */
		ev.flow.tcp_flags[1] = 0x14;
	}
	alerts_flow(a, &ev, ts + 120 * SEC, ts, ts);
}

/* An IOT_EV_FLOOD record as the datapath sends it: src's new flows shed over its budget. */
static struct iot_ev_flood flood_rec(const char *src, const char *dst, uint16_t dport, uint32_t shed, bool all)
{
	struct iot_ev_flood ev;
	struct iot_addr s, d;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = IOT_EV_FLOOD;
	ev.hdr.version = IOT_ABI_VERSION;
	ev.hdr.size = sizeof(ev);
	v4(&s, src);
	v4(&d, dst);
	memcpy(ev.key.addr_a, d.b, 16); /* the source on either side of the key */
	memcpy(ev.key.addr_b, s.b, 16);
	ev.key.port_a = htons(dport);
	ev.key.port_b = htons(40000);
	ev.key.proto = 6;
	ev.dir = IOT_DIR_BA;
	memcpy(ev.src, s.b, 16);
	mac_of(ev.src_mac, s.b[15]);
	ev.scope = all ? IOT_FLOOD_ALL : IOT_FLOOD_SOURCE;
	ev.shed = shed;
	ev.admitted = 256;
	return ev;
}

TEST(flood_records_raise_one_alert_per_source)
{
	struct alerts *a = engine(NULL, NULL);
	struct iot_ev_flood ev = flood_rec("10.0.0.5", "10.0.0.9", 443, 1000, false);
	json_t *arr, *r;
	int n;

	alerts_flood(a, &ev, T0);
	ev.shed = 5000;
	alerts_flood(a, &ev, T0 + 10 * SEC); /* the same source ten seconds later: the same alert, grown */
	ev = flood_rec("10.0.0.6", "10.0.0.9", 80, 7, true);
	alerts_flood(a, &ev, T0 + 11 * SEC);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:new_flow_flood", &r), 2);
	if (r) {
		CHECK_STR(str(r, "device.ip"), "10.0.0.5");
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T1046");
		CHECK_EQ_INT(num(r, "count"), 2);
		CHECK(str(r, "finding.desc") && strstr(str(r, "finding.desc"), "1000 shed and 256 admitted"));
	}
	json_decref(arr);
	alerts_free(a);
}

TEST(port_and_host_scans)
{
	struct alerts *a = engine(NULL, NULL);
	json_t *arr, *r;
	int n;

	for (int p = 1; p <= 40; p++) /* 40 closed ports of one host in 20 s */
		probe(a, "10.0.0.5", "10.0.0.9", (uint16_t)p, false, T0 + p * SEC / 2);
	for (int p = 1; p <= 40; p++) /* answered: a busy client, not a scan */
		probe(a, "10.0.0.6", "10.0.0.9", (uint16_t)(1000 + p), true, T0 + p * SEC / 2);
	for (int p = 1; p <= 40; p++) /* slow: 10 ports a minute never reach the threshold */
		probe(a, "10.0.0.7", "10.0.0.9", (uint16_t)p, false, T0 + p * 6 * SEC);
	for (int h = 1; h <= 40; h++) { /* a sweep of port 23 over 40 hosts, on the internet too */
		char dst[32];

		snprintf(dst, sizeof(dst), "%s.%d", h % 2 ? "10.0.1" : "192.0.2", h);
		probe(a, "10.0.0.8", dst, 23, false, T0 + h * SEC / 4);
	}
	/* from the internet: not a site device */
	for (int p = 1; p <= 40; p++)
		probe(a, "192.0.2.200", "10.0.0.9", (uint16_t)p, false, T0 + p * SEC / 2);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:port_scan", &r), 1);
	if (r) {
		CHECK_STR(str(r, "device.ip"), "10.0.0.5");
		CHECK_STR(str(r, "detail"), "10.0.0.9");
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T1046");
		CHECK_EQ_INT(num(r, "count"), 1);
	}
	CHECK_EQ_INT(count_rule(arr, "builtin:host_scan", &r), 1);
	if (r)
		CHECK_STR(str(r, "device.ip"), "10.0.0.8");
	CHECK_EQ_INT(n, 2);
	json_decref(arr);
	alerts_free(a);
}

/* ---- logins ---- */

TEST(brute_force_per_window_and_cleartext_credentials)
{
	size_t ix;
	struct alerts *a = engine(NULL, NULL);
	json_t *arr, *r;
	int n;

	/* 12 SSH connections in 30 s, then 12 more two minutes later: two windows over the threshold */
	for (int i = 0; i < 12; i++)
		feed(a, pkt("10.0.0.5", (uint16_t)(40000 + i), "10.0.0.9", 22, true, T0 + i * SEC * 5 / 2),
		     "ssh_client_banner", "SSH-2.0-libssh", OBS_SRC);
	for (int i = 0; i < 12; i++)
		feed(a, pkt("10.0.0.5", (uint16_t)(41000 + i), "10.0.0.9", 22, true, T0 + 120 * SEC + i * SEC),
		     "ssh_client_banner", "SSH-2.0-libssh", OBS_SRC);
	/* 5 attempts are a user who mistyped */
	for (int i = 0; i < 5; i++)
		feed(a, pkt("10.0.0.6", (uint16_t)(40000 + i), "10.0.0.9", 22, true, T0 + i * SEC),
		     "ssh_client_banner", "SSH-2.0-OpenSSH_9.0", OBS_SRC);
	/* Telnet: the server's password prompts count against the client */
	for (int i = 0; i < 10; i++)
		feed(a, pkt("10.0.0.9", 23, "10.0.0.7", (uint16_t)(40000 + i), false, T0 + i * SEC),
		     "telnet_password_prompt", "Password:", OBS_SRC);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:brute_force", NULL), 2);
	json_array_foreach(arr, ix, r) {
		if (strcmp(str(r, "rule"), "builtin:brute_force"))
			continue;
		if (!strcmp(str(r, "device.ip"), "10.0.0.5")) {
			CHECK_EQ_INT(num(r, "count"), 2);
			CHECK_STR(str(r, "detail"), "SSH to 10.0.0.9");
			CHECK_STR(str(r, "attacks.0.technique.uid"), "T1110");
		} else {
			CHECK_STR(str(r, "device.ip"), "10.0.0.7");
			CHECK_STR(str(r, "detail"), "Telnet to 10.0.0.9");
		}
	}
	CHECK_EQ_INT(count_rule(arr, "builtin:cleartext_credentials", &r), 1); /* the Telnet logins */
	if (r) {
		CHECK_STR(str(r, "device.ip"), "10.0.0.7");
		CHECK_STR(str(r, "detail"), "Telnet to 10.0.0.9:23");
		CHECK_EQ_INT(num(r, "count"), 10);
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T1552");
		CHECK_STR(str(r, "attacks.1.technique.uid"), "T1040");
	}
	json_decref(arr);
	alerts_free(a);

	a = engine(NULL, NULL);
	{
		struct dec_ctx c = pkt("10.0.0.5", 40000, "10.0.0.9", 21, true, T0);
		struct dec_out o = { .n = 0 };

		obs(&o, OBS_SRC, "ftp_user", "anonymous");
		obs(&o, OBS_SRC, "ftp_password_seen", "1");
		alerts_packet(a, &c, &o, NULL, "tcp ftp");
	}
	feed(a, pkt("10.0.0.5", 40001, "10.0.0.9", 80, true, T0), "http_basic_auth", "1", OBS_SRC);
	feed(a, pkt("10.0.0.5", 40002, "10.0.0.9", 1883, true, T0), "mqtt_password_present", "1", OBS_SRC);
	feed(a, pkt("10.0.0.5", 40003, "10.0.0.9", 22, true, T0), "ssh_client_banner", "SSH-2.0-x", OBS_SRC);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:cleartext_credentials", NULL), 3);
	CHECK_EQ_INT(n, 3);
	json_array_foreach(arr, ix, r)
		if (!strcmp(str(r, "detail"), "FTP to 10.0.0.9:21"))
			CHECK_STR(str(r, "evidence.1.value"), "anonymous");
	json_decref(arr);
	alerts_free(a);
}

/* ---- ARP and DHCP ---- */

static void arp_claim(struct alerts *a, const char *ip, int mac, uint64_t ts)
{
	struct dec_ctx c = { .eth_proto = 0x0806, .ts_ns = ts };
	struct dec_out o = { .n = 0 };
	uint8_t m[6];

	mac_of(m, mac);
	memcpy(c.src_mac, m, 6);
	memset(c.dst_mac, 0xff, 6);
	dec_emit_for_mac(&o, m, "arp_op", "reply");
	dec_emit_for_mac(&o, m, "ip_for_mac", ip);
	alerts_packet(a, &c, &o, NULL, "");
}

TEST(arp_spoofing_is_a_recent_claim_by_another_mac)
{
	size_t ix;
	struct alerts *a = engine(NULL, NULL);
	json_t *arr, *r;
	int n;

	alerts_set_learning(a, 3600); /* no new_device noise */
	arp_claim(a, "10.0.0.1", 1, T0);
	arp_claim(a, "10.0.0.1", 1, T0 + SEC);
	arp_claim(a, "10.0.0.1", 66, T0 + 5 * SEC);  /* the poisoner */
	arp_claim(a, "10.0.0.1", 1, T0 + 6 * SEC);   /* the gateway answers again */
	arp_claim(a, "10.0.0.1", 66, T0 + 7 * SEC);  /* and the poisoner again */
	arp_claim(a, "10.0.0.2", 2, T0);
	arp_claim(a, "10.0.0.2", 3, T0 + 1000 * SEC); /* the address was reassigned long after */
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:arp_spoofing", NULL), 2);
	json_array_foreach(arr, ix, r) {
		if (!strcmp(str(r, "device.mac"), "02:00:5e:10:00:42")) {
			CHECK_EQ_INT(num(r, "count"), 2);
			CHECK_STR(str(r, "detail"), "10.0.0.1");
			CHECK_STR(str(r, "attacks.0.technique.uid"), "T1557.002");
			CHECK_STR(str(r, "device.id"), "mac:02:00:5e:10:00:42");
		} else {
			CHECK_STR(str(r, "device.mac"), "02:00:5e:10:00:01"); /* the flip back is a flip too */
		}
	}
	json_decref(arr);
	alerts_free(a);
}

static void dhcp_reply(struct alerts *a, const char *server, uint64_t ts)
{
	struct dec_ctx c = pkt(server, 67, "255.255.255.255", 68, true, ts);
	struct dec_out o = { .n = 0 };

	c.l4_proto = 17;
	memset(c.dst_mac, 0xff, 6);
	obs(&o, OBS_SRC, "dhcp_server", "true");
	obs(&o, OBS_SRC, "dhcp_server_id", server);
	alerts_packet(a, &c, &o, NULL, "udp dhcp");
}

TEST(rogue_dhcp_learned_or_listed)
{
	struct alerts *a = engine(NULL, NULL);
	json_t *arr, *r;
	int n;

	alerts_set_learning(a, 60);
	dhcp_reply(a, "10.0.0.1", T0);
	dhcp_reply(a, "10.0.0.1", T0 + 100 * SEC);
	dhcp_reply(a, "10.0.0.66", T0 + 120 * SEC);
	dhcp_reply(a, "10.0.0.66", T0 + 130 * SEC);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:rogue_dhcp", &r), 1);
	if (r) {
		CHECK_STR(str(r, "device.ip"), "10.0.0.66");
		CHECK_STR(str(r, "device.mac"), "02:00:5e:10:00:42");
		CHECK_EQ_INT(num(r, "count"), 2);
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T1557.003");
	}
	json_decref(arr);
	alerts_free(a);

	a = engine("dhcp_servers: [10.0.0.1]\n", NULL);
	alerts_set_learning(a, 3600);
	dhcp_reply(a, "10.0.0.1", T0);
	dhcp_reply(a, "10.0.0.66", T0 + SEC); /* listed servers: no learning needed */
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:rogue_dhcp", &r), 1);
	if (r)
		CHECK_STR(str(r, "device.ip"), "10.0.0.66");
	json_decref(arr);
	alerts_free(a);
}

/* ---- what a device is: identity changes and unusual internet traffic ---- */

static const char *const test_fingerprints = "- id: t-hp\n  match:\n    dhcp_vendor_class: '^HP'\n"
					     "  set:\n    type: printer\n    vendor: HP\n  confidence: 90\n"
					     "- id: t-ms\n  match:\n    dhcp_vendor_class: '^MSFT'\n"
					     "  set:\n    type: workstation\n    vendor: Microsoft\n  confidence: 95\n";

static bool inv_with_rules(struct inventory *inv)
{
	struct classify_error err;
	char dir[256];

	inv_init(inv);
	clear_dir("fp");
	write_file("fp/t.yaml", test_fingerprints);
	snprintf(dir, sizeof(dir), "%s/fp", tmpdir);
	inv->rules = classify_load(dir, &err);
	if (!inv->rules)
		printf("  classify_load: %s\n", err.msg);
	return inv->rules != NULL;
}

/* A DHCP request naming its client by chaddr, through the inventory and the engine as the pipeline does. */
static void dhcp_client(struct alerts *a, struct inventory *inv, int mac, const char *vendor_class, uint64_t ts)
{
	struct dec_ctx c = pkt("0.0.0.0", 68, "255.255.255.255", 67, true, ts);
	struct dec_out o = { .n = 0 };
	uint8_t m[6];

	c.l4_proto = 17;
	mac_of(m, mac);
	memcpy(c.src_mac, m, 6);
	dec_emit_for_mac(&o, m, "dhcp_vendor_class", vendor_class);
	inv_observe(inv, &c, &o, "udp dhcp");
	alerts_packet(a, &c, &o, inv, "udp dhcp");
}

TEST(identity_change_after_the_profile_settled)
{
	size_t ix;
	struct alerts *a = engine(NULL, NULL);
	struct inventory inv;
	json_t *arr, *r;
	int n;

	if (!inv_with_rules(&inv))
		return;
	alerts_set_learning(a, 3600);
	dhcp_client(a, &inv, 1, "HP LaserJet 4250", T0);	   /* a printer ... */
	dhcp_client(a, &inv, 1, "MSFT 5.0", T0 + 600 * SEC); /* ... ten minutes later a Windows PC on its MAC */
	dhcp_client(a, &inv, 2, "HP LaserJet 4250", T0);
	dhcp_client(a, &inv, 2, "MSFT 5.0", T0 + 10 * SEC); /* still forming: no alert */
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:identity_change", NULL), 2);
	json_array_foreach(arr, ix, r) {
		CHECK_STR(str(r, "device.mac"), "02:00:5e:10:00:01");
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T1036");
		if (!strcmp(str(r, "detail"), "type")) {
			CHECK_STR(str(r, "evidence.0.value"), "printer (rule t-hp)");
			CHECK_STR(str(r, "evidence.1.value"), "workstation (rule t-ms)");
		} else {
			CHECK_STR(str(r, "detail"), "vendor");
		}
	}
	json_decref(arr);
	alerts_free(a);
	inv_free(&inv);
}

TEST(iot_device_on_an_unusual_internet_port_or_protocol)
{
	size_t ix;
	struct alerts *a = engine(NULL, NULL);
	struct inventory inv;
	json_t *arr, *r;
	int n;

	if (!inv_with_rules(&inv))
		return;
	{
		struct dec_ctx c = pkt("10.0.0.20", 5000, "10.0.0.1", 80, true, T0);
		struct dec_out o = { .n = 0 };

		obs(&o, OBS_SRC, "dhcp_vendor_class", "HP LaserJet"); /* 10.0.0.20 is a printer */
		inv_observe(&inv, &c, &o, "");
		alerts_packet(a, &c, &o, &inv, "");
	}
	flow(a, flow_rec("10.0.0.20", 40000, "192.0.2.50", 6667, 6, true), T0 + SEC); /* IRC: unusual */
	flow(a, flow_rec("10.0.0.20", 40001, "192.0.2.51", 6667, 6, true), T0 + SEC); /* same port: aggregated */
	flow(a, flow_rec("10.0.0.20", 40002, "192.0.2.50", 443, 6, true), T0 + SEC);  /* HTTPS: fine */
	flow(a, flow_rec("10.0.0.20", 40003, "10.0.0.30", 6667, 6, true), T0 + SEC);  /* inside the site: fine */
	flow(a, flow_rec("10.0.0.21", 40000, "192.0.2.50", 6667, 6, true), T0 + SEC); /* unknown type: fine */
	feed(a, pkt("192.0.2.60", 40000, "10.0.0.20", 23, true, T0 + 2 * SEC), "app_protocol", "Telnet", OBS_DST);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "builtin:iot_unusual_internet", NULL), 2);
	json_array_foreach(arr, ix, r) {
		if (strcmp(str(r, "rule"), "builtin:iot_unusual_internet"))
			continue;
		CHECK_STR(str(r, "device.ip"), "10.0.0.20");
		CHECK_STR(str(r, "attacks.0.technique.uid"), "T1571");
		if (!strcmp(str(r, "detail"), "tcp/6667"))
			CHECK_EQ_INT(num(r, "count"), 2);
		else
			CHECK_STR(str(r, "detail"), "protocol Telnet");
	}
	json_decref(arr);
	alerts_free(a);
	inv_free(&inv);
}

/* ---- custom rules ---- */

static const char *const custom_rules =
	"rules:\n"
	"  - id: mqtt-public\n"
	"    title: MQTT to a public broker\n"
	"    severity: medium\n"
	"    technique: T1071\n"
	"    technique_name: Application Layer Protocol\n"
	"    match:\n"
	"      mqtt_protocol: '.'\n"
	"      flow.dst_scope: internet\n"
	"      flow.dport: '1883'\n"
	"  - id: telnet-burst\n"
	"    title: Telnet prompts\n"
	"    severity: high\n"
	"    device: dst\n"
	"    match:\n"
	"      telnet_login_prompt: 'login'\n"
	"    threshold: {count: 3, window: 10, by: src_dst}\n"
	"  - id: smb-from-printer\n"
	"    title: SMB from a printer\n"
	"    severity: low\n"
	"    match:\n"
	"      flow.dport: '445|139'\n"
	"      src.type: '^printer$'\n"
	"  - id: off\n"
	"    title: disabled\n"
	"    severity: low\n"
	"    enabled: false\n"
	"    match: {flow.proto: tcp}\n"
	"disabled_builtins: [new_device]\n";

TEST(custom_rules_conditions_thresholds_windows)
{
	struct alerts *a = engine(custom_rules, NULL);
	struct inventory inv;
	json_t *arr, *r;
	int n;

	if (!a || !inv_with_rules(&inv))
		return;
	feed(a, pkt("10.0.0.5", 40000, "192.0.2.1", 1883, true, T0), "mqtt_protocol", "MQTT 3.1.1", OBS_SRC);
	feed(a, pkt("10.0.0.5", 40001, "192.0.2.1", 8883, true, T0), "mqtt_protocol", "MQTT 3.1.1", OBS_SRC);
	feed(a, pkt("10.0.0.5", 40002, "10.0.0.2", 1883, true, T0), "mqtt_protocol", "MQTT 3.1.1", OBS_SRC);
	/* 2 prompts, then 3 within 10 s (fires once), then 3 more much later (fires again) */
	for (int i = 0; i < 2; i++)
		feed(a, pkt("10.0.0.9", 23, "10.0.0.7", 40000, false, T0 + i * SEC), "telnet_login_prompt", "x login:",
		     OBS_SRC);
	for (int i = 0; i < 4; i++)
		feed(a, pkt("10.0.0.9", 23, "10.0.0.7", 40000, false, T0 + 30 * SEC + i * SEC), "telnet_login_prompt",
		     "x login:", OBS_SRC);
	for (int i = 0; i < 3; i++)
		feed(a, pkt("10.0.0.9", 23, "10.0.0.7", 40000, false, T0 + 100 * SEC + i * SEC),
		     "telnet_login_prompt", "x login:", OBS_SRC);
	/* flow-only rule: tested at flow start, with the device's type from the inventory */
	{
		struct dec_ctx c = pkt("10.0.0.20", 5000, "10.0.0.1", 80, true, T0);
		struct dec_out o = { .n = 0 };

		obs(&o, OBS_SRC, "dhcp_vendor_class", "HP LaserJet");
		inv_observe(&inv, &c, &o, "");
		alerts_packet(a, &c, &o, &inv, "");
	}
	flow(a, flow_rec("10.0.0.20", 40000, "10.0.0.3", 445, 6, true), T0 + SEC);
	flow(a, flow_rec("10.0.0.20", 40000, "10.0.0.3", 445, 6, false), T0 + 2 * SEC); /* ends don't count */
	flow(a, flow_rec("10.0.0.21", 40000, "10.0.0.3", 445, 6, true), T0 + SEC);	  /* not a printer */
	feed(a, pkt("10.0.0.20", 40000, "10.0.0.3", 445, true, T0 + SEC), NULL, NULL, 0); /* packets don't */
	arr = flush(a, true, &n);
	CHECK_EQ_INT(count_rule(arr, "mqtt-public", &r), 1);
	if (r) {
		CHECK_STR(str(r, "device.ip"), "10.0.0.5");
		CHECK_STR(str(r, "finding.types.0"), "mqtt-public");
		CHECK_STR(str(r, "attacks.0.technique.name"), "Application Layer Protocol");
		CHECK_STR(str(r, "evidence.0.key"), "mqtt_protocol");
	}
	CHECK_EQ_INT(count_rule(arr, "telnet-burst", &r), 1);
	if (r) {
		CHECK_EQ_INT(num(r, "count"), 2);
		CHECK_STR(str(r, "device.ip"), "10.0.0.7");
		CHECK_STR(str(r, "detail"), "10.0.0.9");
		CHECK_STR(str(r, "severity"), "high");
		CHECK(json_array_size(json_object_get(r, "attacks")) == 0);
	}
	CHECK_EQ_INT(count_rule(arr, "smb-from-printer", &r), 1);
	if (r)
		CHECK_EQ_INT(num(r, "count"), 1);
	CHECK_EQ_INT(count_rule(arr, "off", NULL), 0);
	CHECK_EQ_INT(count_rule(arr, "builtin:new_device", NULL), 0);
	CHECK_EQ_INT(n, 3);
	json_decref(arr);
	alerts_free(a);
	inv_free(&inv);
}

TEST(loader_errors_name_file_line_column)
{
	char err[1024], root[256];
	struct alerts *a;

	clear_dir("rules/alerts");
	clear_dir("rules/iocs");
	snprintf(root, sizeof(root), "%s/rules", tmpdir);
	a = alerts_new(root, NULL, err, sizeof(err)); /* empty directories are fine */
	CHECK(a != NULL);
	alerts_free(a);
	snprintf(root, sizeof(root), "%s/nonexistent", tmpdir);
	a = alerts_new(root, NULL, err, sizeof(err)); /* and so are missing ones */
	CHECK(a != NULL);
	alerts_free(a);
	snprintf(root, sizeof(root), "%s/rules", tmpdir);
	write_file("rules/alerts/bad.yaml", "- id: x\n  title: t\n  severity: loud\n  match: {a: b}\n");
	a = alerts_new(root, NULL, err, sizeof(err));
	CHECK(a == NULL);
	CHECK(strstr(err, "rules/alerts/bad.yaml:3:13: severity 'loud'") != NULL);
	write_file("rules/alerts/bad.yaml", "- id: x\n  title: t\n  severity: low\n  match: {flow.dport: '(('}\n");
	a = alerts_new(root, NULL, err, sizeof(err));
	CHECK(a == NULL);
	CHECK(strstr(err, "bad.yaml:4:23: bad pattern") != NULL);
	clear_dir("rules/alerts");
	write_file("rules/iocs/bad.txt", "# ok\n203.0.113.1\n  evil example\n");
	a = alerts_new(root, NULL, err, sizeof(err));
	CHECK(a == NULL);
	CHECK(strstr(err, "rules/iocs/bad.txt:3:7: one entry per line") != NULL);
	clear_dir("rules/iocs");
	/* the shipped rules load */
	a = alerts_new("rules", NULL, err, sizeof(err));
	CHECK(a != NULL);
	if (!a)
		printf("  %s\n", err);
	alerts_free(a);
	CHECK_EQ_INT(alert_rules_check("rules", false), 0);
}

/* ---- records, updates, caps ---- */

TEST(updates_are_rate_limited_and_final_flush_writes_them)
{
	struct alerts *a = engine(NULL, NULL);
	json_t *arr, *r;
	int n;

	alerts_set_update_interval(a, 3600);
	feed(a, pkt("10.0.0.5", 40000, "10.0.0.9", 502, true, T0), "modbus_write", "fc=6", OBS_SRC);
	arr = flush(a, false, &n);
	CHECK_EQ_INT(n, 1);
	json_decref(arr);
	arr = flush(a, false, &n); /* nothing changed */
	CHECK_EQ_INT(n, 0);
	json_decref(arr);
	feed(a, pkt("10.0.0.5", 40000, "10.0.0.9", 502, true, T0 + SEC), "modbus_write", "fc=6", OBS_SRC);
	arr = flush(a, false, &n); /* changed, but the last record is recent */
	CHECK_EQ_INT(n, 0);
	json_decref(arr);
	arr = flush(a, true, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:modbus_write", &r), 1);
	if (r) {
		CHECK_EQ_INT(num(r, "activity_id"), 2);
		CHECK_EQ_INT(num(r, "type_uid"), 200402);
		CHECK_EQ_INT(num(r, "count"), 2);
	}
	json_decref(arr);
	alerts_free(a);
}

TEST(uid_is_stable_across_runs)
{
	const char *uid[2] = { NULL, NULL };
	char keep[2][32];

	for (int run = 0; run < 2; run++) {
		struct alerts *a = engine(NULL, NULL);
		json_t *arr, *r;
		int n;

		feed(a, pkt("10.0.0.5", 40000 + run, "10.0.0.9", 502, true, T0 + run * SEC), "modbus_write", "fc=6",
		     OBS_SRC);
		arr = flush(a, true, &n);
		count_rule(arr, "builtin:modbus_write", &r);
		uid[run] = r ? str(r, "finding.uid") : NULL;
		snprintf(keep[run], sizeof(keep[run]), "%s", uid[run] ? uid[run] : "");
		json_decref(arr);
		alerts_free(a);
	}
	CHECK(keep[0][0] != 0);
	CHECK_STR(keep[0], keep[1]);
}

TEST(evidence_and_table_caps)
{
	struct alerts *a = engine(NULL, NULL);
	struct alerts_stats st;
	json_t *arr, *r;
	char v[32], dst[32];
	int n;

	for (int i = 0; i < 10; i++) {
		snprintf(v, sizeof(v), "fc=6 addr=%d", i);
		feed(a, pkt("10.0.0.5", 40000, "10.0.0.9", 502, true, T0 + i), "modbus_write", v, OBS_SRC);
	}
	arr = flush(a, true, &n);
	count_rule(arr, "builtin:modbus_write", &r);
	if (r) {
		CHECK_EQ_INT(json_array_size(json_object_get(r, "evidence")), ALERT_EVIDENCE_MAX);
		CHECK_EQ_INT(num(r, "evidence_omitted"), 10 - ALERT_EVIDENCE_MAX);
	}
	json_decref(arr);
	alerts_free(a);

	/* one alert more than the table holds, none written yet: one hit is dropped, and said so */
	a = engine(NULL, NULL);
	for (int i = 0; i <= ALERTS_MAX; i++) {
		snprintf(dst, sizeof(dst), "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255);
		feed(a, pkt("10.200.0.5", 40000, dst, 502, true, T0 + i), "modbus_write", "fc=6", OBS_SRC);
	}
	alerts_get_stats(a, &st);
	CHECK_EQ_INT(st.dropped, 1);
	arr = flush(a, false, &n);
	CHECK_EQ_INT(n, ALERTS_MAX + 1);
	CHECK_EQ_INT(count_rule(arr, "builtin:alerts_dropped", &r), 1);
	if (r)
		CHECK_EQ_INT(num(r, "count"), 1);
	json_decref(arr);
	/* written alerts make room: the oldest goes */
	feed(a, pkt("10.200.0.5", 40000, "10.250.0.1", 502, true, T0 + 99 * SEC), "modbus_write", "fc=6", OBS_SRC);
	alerts_get_stats(a, &st);
	CHECK_EQ_INT(st.evicted, 1);
	CHECK_EQ_INT(st.dropped, 1);
	arr = flush(a, false, &n);
	CHECK_EQ_INT(n, 1);
	json_decref(arr);
	alerts_free(a);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	clear_dir("rules");
	RUN(modbus_write_fires_aggregates_and_names_the_client);
	RUN(ot_commands_map_to_their_detectors);
	RUN(engineering_stations_may_command);
	RUN(new_device_after_learning_only);
	RUN(ioc_addresses_and_networks_at_flow_start);
	RUN(ioc_domains_in_dns_sni_and_host);
	RUN(ioc_set_parsing_and_matching);
	RUN(ioc_feed_import_is_normalised_and_loaded);
	RUN(port_and_host_scans);
	RUN(brute_force_per_window_and_cleartext_credentials);
	RUN(arp_spoofing_is_a_recent_claim_by_another_mac);
	RUN(rogue_dhcp_learned_or_listed);
	RUN(identity_change_after_the_profile_settled);
	RUN(iot_device_on_an_unusual_internet_port_or_protocol);
	RUN(custom_rules_conditions_thresholds_windows);
	RUN(loader_errors_name_file_line_column);
	RUN(updates_are_rate_limited_and_final_flush_writes_them);
	RUN(uid_is_stable_across_runs);
	RUN(evidence_and_table_caps);
	RUN(flood_records_raise_one_alert_per_source);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd))
			printf("  could not remove %s\n", tmpdir);
	}
	return testlib_summary();
}
