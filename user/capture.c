// SPDX-License-Identifier: GPL-2.0-only
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"

#define ETH_HLEN 14

struct capture {
	pcap_t *pc;
	int dlt;
};

static bool link_type_supported(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 || dlt == DLT_RAW ||
	       dlt == DLT_IPV4 || dlt == DLT_IPV6 || dlt == DLT_NULL || dlt == DLT_LOOP;
}

struct capture *capture_open(const char *file, char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct capture *c;
	pcap_t *pc;
	int dlt;

	pc = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		snprintf(err, errlen, "%s", errbuf);
		return NULL;
	}
	dlt = pcap_datalink(pc);
	if (!link_type_supported(dlt)) {
		snprintf(err, errlen, "link type %s is not supported (Ethernet, Linux cooked, raw IP and loopback are)",
			 pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
		pcap_close(pc);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		pcap_close(pc);
		return NULL;
	}
	c->pc = pc;
	c->dlt = dlt;
	return c;
}

static uint32_t frame_from_l3(uint8_t *buf, uint32_t size, uint16_t eth_proto, const uint8_t *src_mac,
			      const uint8_t *l3, uint32_t len)
{
	memset(buf, 0, ETH_HLEN);
	if (src_mac)
		memcpy(buf + 6, src_mac, 6);
	buf[12] = eth_proto >> 8;
	buf[13] = eth_proto & 0xff;
	if (len > size - ETH_HLEN)
		len = size - ETH_HLEN;
	memcpy(buf + ETH_HLEN, l3, len);
	return ETH_HLEN + len;
}

static uint16_t proto_from_ip_version(const uint8_t *p, uint32_t len)
{
	if (!len)
		return 0;
	return (p[0] >> 4) == 6 ? 0x86dd : (p[0] >> 4) == 4 ? 0x0800 : 0;
}

/* Returns the frame length, or 0 for a packet that cannot become an Ethernet frame. */
static uint32_t make_frame(int dlt, const uint8_t *p, uint32_t len, uint8_t *buf, uint32_t size)
{
	uint16_t proto;

	switch (dlt) {
	case DLT_EN10MB:
		if (len < ETH_HLEN)
			return 0;
		if (len > size)
			len = size;
		memcpy(buf, p, len);
		return len;
	case DLT_LINUX_SLL: /* 16-byte cooked header, protocol last */
		if (len < 16)
			return 0;
		return frame_from_l3(buf, size, (uint16_t)(p[14] << 8 | p[15]),
				     (p[4] << 8 | p[5]) == 6 ? p + 6 : NULL, p + 16, len - 16);
	case DLT_LINUX_SLL2: /* 20-byte cooked header, protocol first */
		if (len < 20)
			return 0;
		return frame_from_l3(buf, size, (uint16_t)(p[0] << 8 | p[1]), p[11] == 6 ? p + 12 : NULL, p + 20,
				     len - 20);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		proto = proto_from_ip_version(p, len);
		return proto ? frame_from_l3(buf, size, proto, NULL, p, len) : 0;
	default: /* DLT_NULL, DLT_LOOP: a 4-byte address family, in either byte order */
		if (len < 4)
			return 0;
		proto = proto_from_ip_version(p + 4, len - 4);
		return proto ? frame_from_l3(buf, size, proto, NULL, p + 4, len - 4) : 0;
	}
}

int capture_next(struct capture *c, uint8_t *buf, uint32_t size, uint32_t *len, uint32_t *caplen,
		 uint32_t *wirelen, uint64_t *ts_ns)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(c->pc, &h, &data);

	if (rc == PCAP_ERROR_BREAK)
		return CAPTURE_EOF;
	if (rc != 1)
		return CAPTURE_ERROR;
	*caplen = h->caplen;
	*wirelen = h->len;
	/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
	*ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	*len = make_frame(c->dlt, data, h->caplen, buf, size);
	return *len ? CAPTURE_FRAME : CAPTURE_SKIP;
}

const char *capture_error(struct capture *c)
{
	return pcap_geterr(c->pc);
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	pcap_close(c->pc);
	free(c);
}
