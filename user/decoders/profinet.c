// SPDX-License-Identifier: GPL-2.0-only
/*
 * PROFINET IO: the acyclic context management of PROFINET over connectionless DCE/RPC (UDP 34964 and the
 * dynamic ports it negotiates), and the layer-2 Discovery and Configuration Protocol (EtherType 0x8892).
 *
 * DCE/RPC: reads the 80-byte connectionless (version 4) header: packet type, data representation (byte
 * order), object UUID, interface UUID, opnum and fragment length. A packet is PROFINET IO when its interface
 * is one of the PNIO interfaces DEA0000x-6C97-11D1-8271-00A02442DF7D (1 device, 2 controller, 3 supervisor,
 * 4 parameter server); the object UUID DEA00000-6C97-11D1-8271-<instance><device id><vendor id> names the
 * server's vendor and device. The RPC server is the receiver of a request and the sender of a response.
 *   on the server: app_protocol "DCERPC.PROFINET_IO", profinet_device_role (from the interface),
 *                  profinet_operation ("ReadImplicit"), profinet_vendor_id, profinet_device_id ("0x015a")
 *
 * DCP (ctx->eth_proto 0x8892, p = the bytes after the EtherType): reads the frame id, the DCP header and the
 * blocks of Identify responses, Get responses and Hello requests, all sent by the device that they describe.
 *   on the sender's MAC (OBS_MAC): app_protocol "PROFINET_DCP", profinet_station_name (NameOfStation),
 *                  profinet_type_of_station, profinet_vendor_id, profinet_device_id, profinet_device_role,
 *                  ip_for_mac
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "decoder.h"

#define PN_ETHERTYPE 0x8892
#define PN_RPC_HDR 80
#define PN_DCP_HDR 12 /* frame id, service id and type, xid, response delay, data length */
#define PN_DCP_MAX_BLOCKS 32

/* ------------------------------------------------------------------ DCE/RPC */

/* The PNIO UUIDs with data1..data3 in little-endian wire order; byte 0 of the interface is the variant. */
static const uint8_t pn_iface_le[16] = { 0x00, 0x00, 0xa0, 0xde, 0x97, 0x6c, 0xd1, 0x11,
					 0x82, 0x71, 0x00, 0xa0, 0x24, 0x42, 0xdf, 0x7d };
static const uint8_t pn_iface_be[16] = { 0xde, 0xa0, 0x00, 0x00, 0x6c, 0x97, 0x11, 0xd1,
					 0x82, 0x71, 0x00, 0xa0, 0x24, 0x42, 0xdf, 0x7d };

static bool pn_rpc_le(const uint8_t *p)
{
	return p[4] & 0x10;
}

/* 1..4 for the PNIO interfaces, 0 for anything else. */
static int pn_rpc_iface(const uint8_t *p, size_t n)
{
	const uint8_t *u = p + 24;
	int v;

	if (n < PN_RPC_HDR || p[0] != 4 || p[1] > 10)
		return 0;
	if (pn_rpc_le(p)) {
		v = u[0];
		if (memcmp(u + 1, pn_iface_le + 1, 15) != 0)
			return 0;
	} else {
		v = u[3];
		if (memcmp(u, pn_iface_be, 3) != 0 || memcmp(u + 4, pn_iface_be + 4, 12) != 0)
			return 0;
	}
	return v >= 1 && v <= 4 ? v : 0;
}

static uint16_t pn_rpc_u16(const uint8_t *p, const uint8_t *f)
{
	return pn_rpc_le(p) ? dec_le16(f) : dec_be16(f);
}

static const char *pn_opnum_name(uint16_t op)
{
	static const char *const names[] = { "Connect", "Release", "Read", "Write", "Control", "ReadImplicit" };

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : NULL;
}

static int pn_rpc_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	static const char *const roles[] = { NULL, "IO-Device", "IO-Controller", "IO-Supervisor",
					     "Parameter-Server" };
	int iface = pn_rpc_iface(p, n), before = out->n;
	const uint8_t *obj = p + 8;
	enum obs_subject server;
	const char *op;
	uint16_t flen;

	if (!iface)
		return 0;
	flen = pn_rpc_u16(p, p + 74);
	if (flen > n - PN_RPC_HDR && !ctx->truncated)
		return -1;
	switch (p[1]) {
	case 0: case 1: case 7: case 8: /* request, ping, ack, cancel: client to server */
		server = OBS_DST;
		break;
	case 9: /* fack: either side may send it */
		return 0;
	default: /* response, fault, working, nocall, reject, cancel ack */
		server = OBS_SRC;
		break;
	}
	dec_emit(out, server, "app_protocol", "DCERPC.PROFINET_IO", 18, 90);
	dec_emit_str(out, server, "profinet_device_role", roles[iface]);
	op = pn_opnum_name(pn_rpc_u16(p, p + 68));
	if (op)
		dec_emit_str(out, server, "profinet_operation", op);
	/* The object UUID is the interface UUID's family with data1 = DEA00000 and the identity in data4. */
	if ((pn_rpc_le(p) ? memcmp(obj, pn_iface_le, 10) : memcmp(obj, pn_iface_be, 10)) == 0) {
		dec_emitf(out, server, "profinet_device_id", "0x%04x", dec_be16(obj + 12));
		dec_emitf(out, server, "profinet_vendor_id", "0x%04x", dec_be16(obj + 14));
	}
	return out->n - before;
}

/* ------------------------------------------------------------------ DCP */

static bool pn_dcp_ok(const uint8_t *p, size_t n)
{
	uint16_t fid;

	if (n < PN_DCP_HDR)
		return false;
	fid = dec_be16(p);
	/* Frame ids FEFC hello, FEFD get/set, FEFE identify request, FEFF identify response; services 3-6. */
	return fid >= 0xfefc && fid <= 0xfeff && p[2] >= 3 && p[2] <= 6 &&
	       (p[3] == 0 || p[3] == 1 || p[3] == 5);
}

static void pn_dcp_emit(const struct dec_ctx *ctx, struct dec_out *out, const char *key, const char *val)
{
	dec_emit_for_mac(out, ctx->src_mac, key, val);
}

static void pn_dcp_block(const struct dec_ctx *ctx, struct dec_out *out, uint8_t opt, uint8_t sub,
			 const uint8_t *v, size_t len)
{
	char buf[256];

	if (opt == 1 && sub == 2 && len >= 4) {
		struct iot_addr a;

		if (!v[0] && !v[1] && !v[2] && !v[3])
			return; /* 0.0.0.0: no address assigned yet */
		dec_addr_from_v4(&a, v);
		dec_format_addr(&a, buf, sizeof(buf));
		pn_dcp_emit(ctx, out, "ip_for_mac", buf);
	} else if (opt == 2 && (sub == 1 || sub == 2)) {
		/* Station names are at most 240 bytes; buf holds that and keeps the copy bounded. */
		size_t l = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;

		memcpy(buf, v, l);
		buf[l] = 0;
		pn_dcp_emit(ctx, out, sub == 2 ? "profinet_station_name" : "profinet_type_of_station", buf);
	} else if (opt == 2 && sub == 3 && len >= 4) {
		snprintf(buf, sizeof(buf), "0x%04x", dec_be16(v));
		pn_dcp_emit(ctx, out, "profinet_vendor_id", buf);
		snprintf(buf, sizeof(buf), "0x%04x", dec_be16(v + 2));
		pn_dcp_emit(ctx, out, "profinet_device_id", buf);
	} else if (opt == 2 && sub == 4 && len >= 1) {
		static const char *const bits[] = { "IO-Device", "IO-Controller", "IO-Multidevice",
						     "PN-Supervisor" };
		size_t w = 0;

		buf[0] = 0;
		for (int i = 0; i < 4; i++)
			if (v[0] & (1 << i))
				w += (size_t)snprintf(buf + w, sizeof(buf) - w, "%s%s", w ? "," : "", bits[i]);
		if (w)
			pn_dcp_emit(ctx, out, "profinet_device_role", buf);
	}
}

static int pn_dcp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int before = out->n;
	size_t off = PN_DCP_HDR, end;
	uint16_t fid;

	if (!pn_dcp_ok(p, n))
		return 0;
	fid = dec_be16(p);
	/* Only frames sent by the device itself carry its identity, with a BlockInfo before each value. */
	if (!((fid == 0xfeff && p[2] == 5 && p[3] == 1) || (fid == 0xfefd && p[2] == 3 && p[3] == 1) ||
	      (fid == 0xfefc && p[2] == 6 && p[3] == 0)))
		return 0;
	end = PN_DCP_HDR + dec_be16(p + 10);
	if (end > n) {
		if (!ctx->truncated)
			return -1;
		end = n;
	}
	pn_dcp_emit(ctx, out, "app_protocol", "PROFINET_DCP");
	for (int b = 0; b < PN_DCP_MAX_BLOCKS && off + 4 <= end; b++) {
		uint8_t opt = p[off], sub = p[off + 1];
		size_t blen = dec_be16(p + off + 2);

		if (blen > end - off - 4)
			return -1;
		/* The 2-byte BlockInfo precedes the value; a block too short for it has no value. */
		if (blen >= 2)
			pn_dcp_block(ctx, out, opt, sub, p + off + 6, blen - 2);
		off += 4 + blen + (blen & 1); /* blocks are padded to an even length */
	}
	return out->n - before;
}

/* ------------------------------------------------------------------ */

static bool pn_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->eth_proto == PN_ETHERTYPE)
		return pn_dcp_ok(p, n);
	return ctx->l4_proto == IPPROTO_UDP && pn_rpc_iface(p, n) != 0;
}

static int pn_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	if (ctx->eth_proto == PN_ETHERTYPE)
		return pn_dcp_decode(ctx, p, n, out);
	return pn_rpc_decode(ctx, p, n, out);
}

const struct decoder dec_profinet = {
	.name = "profinet",
	.match = pn_match,
	.decode = pn_decode,
};
