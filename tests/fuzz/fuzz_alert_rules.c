// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the alert rules and IOC list loaders (user/assess/alert_rules.c, ioc.c): the input is
 * split in two by its first byte, the first part written to rules/alerts/f.yaml and the second to
 * rules/iocs/f.txt of a private directory, and loaded as an operator's files would be. When they load, a fixed
 * set of packets and flow records runs through the engine (custom rules with every kind of condition, IOC
 * matching) and the alerts are written. The second part is also read as an imported feed (the lenient parser)
 * for one input in eight (the import ends in an fsync). Not part of `make fuzz` (that loop is per decoder);
 * build and run by hand:
 *
 *   make build/fuzz/fuzz_alert_rules
 *   BUILD=build FUZZ_SECONDS=60 bash tests/fuzz/run alert_rules
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assess/alerts.h"
#include "assess/ioc.h"
#include "inventory.h"

static char dir[] = "/tmp/iotsense-fuzz-alerts-XXXXXX";
static struct inventory inv;

static void put(const char *rel, const uint8_t *p, size_t n)
{
	char path[128];
	size_t off = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);

		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	close(fd);
}

static void v4(struct iot_addr *a, const char *s)
{
	uint8_t b[4];

	inet_pton(AF_INET, s, b);
	dec_addr_from_v4(a, b);
}

static struct dec_ctx ctx(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint64_t ts)
{
	struct dec_ctx c = { .l4_proto = 6, .eth_proto = 0x0800, .from_initiator = true, .sport = sport,
			     .dport = dport, .ts_ns = ts };

	v4(&c.src_ip, src);
	v4(&c.dst_ip, dst);
	c.src_mac[1] = c.src_ip.b[15];
	c.dst_mac[1] = c.dst_ip.b[15];
	return c;
}

static const char *const keys[][2] = {
	{ "mqtt_protocol", "MQTT 3.1.1" },  { "telnet_login_prompt", "cam login:" }, { "modbus_exception", "fc=3" },
	{ "modbus_write", "fc=6 addr=1" },  { "tls_sni", "www.c2.example.invalid" }, { "http_host", "a.b:80" },
	{ "dhcp_server", "true" },	    { "ftp_password_seen", "1" },		 { "app_protocol", "Telnet" },
	{ "k", "a\xc3\xa9\xff invalid UTF-8" },
};

static void exercise(struct alerts *a)
{
	static const char *const ends[][2] = { { "10.0.0.5", "192.0.2.1" }, { "192.0.2.7", "10.0.0.9" },
					       { "10.0.0.5", "10.0.0.9" },  { "203.0.113.66", "224.0.0.251" } };
	uint64_t ts = 1700000000000000000ull;
	char *buf = NULL;
	size_t len = 0;
	struct jsonw w;
	FILE *m;

	for (int round = 0; round < 3; round++) {
		for (size_t e = 0; e < sizeof(ends) / sizeof(ends[0]); e++) {
			struct iot_ev_flow ev = { .hdr = { .type = IOT_EV_FLOW_START } };
			struct dec_ctx c = ctx(ends[e][0], 40000, ends[e][1], (uint16_t)(e ? 1883 : 23), ts);
			struct dec_out o = { .n = 0 };

			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				dec_emit_str(&o, k % 2 ? OBS_SRC : OBS_DST, keys[k][0], keys[k][1]);
			alerts_packet(a, &c, &o, &inv, "tcp fuzz");
			memcpy(ev.key.addr_a, c.src_ip.b, 16);
			memcpy(ev.key.addr_b, c.dst_ip.b, 16);
			ev.key.port_a = htons(c.sport);
			ev.key.port_b = htons(c.dport);
			ev.key.proto = 6;
			alerts_flow(a, &ev, ts, ts, ts);
			ev.hdr.type = IOT_EV_FLOW_END;
			alerts_flow(a, &ev, ts, ts, ts);
			ts += 1000000000ull;
		}
		{ /* an L2 packet */
			struct dec_ctx c = { .eth_proto = 0x0806, .ts_ns = ts, .src_mac = { 2, 0, 0, 0, 0, 1 } };
			struct dec_out o = { .n = 0 };

			dec_emit_for_mac(&o, c.src_mac, "ip_for_mac", "10.0.0.1");
			alerts_packet(a, &c, &o, &inv, "");
		}
	}
	m = open_memstream(&buf, &len);
	if (!m)
		abort();
	jw_init(&w);
	alerts_flush(a, &w, m, false);
	alerts_flush(a, &w, m, true);
	jw_free(&w);
	fclose(m);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool made;
	char root[96], err[1024], state[96];
	struct alerts *a;
	size_t split;

	if (!made) {
		struct dec_ctx c = ctx("10.0.0.5", 40000, "10.0.0.9", 80, 1);
		struct dec_out o = { .n = 0 };
		char path[128];

		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/rules", dir);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/rules/alerts", dir);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/rules/iocs", dir);
		mkdir(path, 0700);
		/* a device with attributes for src./dst. conditions (no fingerprint rules: no type) */
		inv_init(&inv);
		dec_emit_str(&o, OBS_SRC, "dhcp_vendor_class", "HP LaserJet");
		dec_emit_str(&o, OBS_DST, "service", "tcp/80");
		inv_observe(&inv, &c, &o, "fuzz");
		made = true;
	}
	if (!size)
		return 0;
	split = 1 + (size_t)data[0] * (size - 1) / 256;
	put("rules/alerts/f.yaml", data + 1, split - 1);
	put("rules/iocs/f.txt", data + split, size - split);
	snprintf(root, sizeof(root), "%s/rules", dir);
	a = alerts_new(root, NULL, err, sizeof(err));
	if (a) {
		alerts_set_learning(a, 0);
		exercise(a);
		alerts_free(a);
	} else if (strlen(err) >= sizeof(err) || !err[0]) {
		abort(); /* every failure says why */
	}
	if ((data[0] & 7) == 1) {
		struct ioc_import_report rep;
		char path[128];

		snprintf(path, sizeof(path), "%s/rules/iocs/f.txt", dir);
		snprintf(state, sizeof(state), "%s/state", dir);
		if (ioc_import(path, state, &rep, err, sizeof(err)) && !err[0])
			abort();
	}
	return 0;
}
