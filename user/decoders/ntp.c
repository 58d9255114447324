// SPDX-License-Identifier: GPL-2.0-only
/*
 * NTP (RFC 5905, and RFC 1305 for versions 1-3) on UDP 123. The first byte holds leap indicator, version
 * and mode. Modes 1-5 carry the 48-byte header (stratum in byte 1, reference id in bytes 12-15); modes 6
 * (ntpq control) and 7 (ntpdc private) have their own short headers, of which only version and mode are read.
 *
 * About the sender (OBS_SRC): ntp_version ("4"), ntp_mode (symmetric-active, symmetric-passive, client,
 *   server, broadcast, control, private), app_protocol "NTP". Servers (modes 1, 2, 4, 5) add
 *   ntp_server_stratum (1..16, 16 = unsynchronised), ntp_refid (the 4-character source of a stratum 1
 *   server, e.g. "GPS"), ntp_kiss_code (stratum 0: "RATE", "DENY", ...) and, in modes 4 and 5, service
 *   "udp/123". A client's stratum says nothing about a server and is not reported.
 * About the receiver of a client request (mode 3, OBS_DST, unless a multicast group): app_protocol "NTP":
 *   a request addresses a server even when its answer is not captured.
 */
#include <stdio.h>
#include <string.h>

#include "bb_util.h"
#include "decoder.h"

#define NTP_PORT 123
#define NTP_HDR_LEN 48
#define NTP_CONTROL_HDR_LEN 12
#define NTP_PRIVATE_HDR_LEN 8

enum { NTP_SYM_ACTIVE = 1, NTP_SYM_PASSIVE, NTP_CLIENT, NTP_SERVER, NTP_BROADCAST, NTP_CONTROL, NTP_PRIVATE };

static const char *const ntp_modes[8] = {
	"reserved", "symmetric-active", "symmetric-passive", "client",
	"server",   "broadcast",        "control",           "private",
};

static bool ntp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == 17 && dec_port_is(ctx, NTP_PORT) && n >= NTP_PRIVATE_HDR_LEN;
}

/* The reference id as text: up to four printable characters, NUL-padded. Its length, 0 if not text. */
static size_t ntp_refid_text(const uint8_t *id)
{
	size_t len = 0;

	while (len < 4 && id[len] >= 0x20 && id[len] < 0x7f)
		len++;
	for (size_t i = len; i < 4; i++)
		if (id[i])
			return 0;
	return len;
}

static int ntp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	uint8_t version, mode, stratum;
	size_t need, idlen;
	int emitted = 0;
	char svc[16];

	if (ctx->l4_proto != 17 || n < NTP_PRIVATE_HDR_LEN)
		return 0;
	version = (p[0] >> 3) & 7;
	mode = p[0] & 7;
	if (version < 1 || version > 4 || mode == 0)
		return -1;
	if (mode == NTP_PRIVATE)
		need = NTP_PRIVATE_HDR_LEN;
	else if (mode == NTP_CONTROL)
		need = NTP_CONTROL_HDR_LEN;
	else
		need = NTP_HDR_LEN;
	if (n < need)
		return -1;
	if (dec_emitf(out, OBS_SRC, "ntp_version", "%u", version))
		emitted++;
	if (dec_emit_str(out, OBS_SRC, "ntp_mode", ntp_modes[mode]))
		emitted++;
	if (dec_emit_str(out, OBS_SRC, "app_protocol", "NTP"))
		emitted++;
	if (mode == NTP_CLIENT && !bb_addr_is_group(&ctx->dst_ip) &&
	    dec_emit(out, OBS_DST, "app_protocol", "NTP", 3, 80))
		emitted++;
	if (mode != NTP_SYM_ACTIVE && mode != NTP_SYM_PASSIVE && mode != NTP_SERVER && mode != NTP_BROADCAST)
		return emitted;

	stratum = p[1];
	idlen = ntp_refid_text(p + 12);
	if (stratum == 0) {
		/* Kiss-o'-Death (RFC 5905 7.4): the reference id is an ASCII code. */
		if (idlen && dec_emit(out, OBS_SRC, "ntp_kiss_code", (const char *)p + 12, idlen, 90))
			emitted++;
	} else if (stratum <= 16) {
		if (dec_emitf(out, OBS_SRC, "ntp_server_stratum", "%u", stratum))
			emitted++;
		if (stratum == 1 && idlen &&
		    dec_emit(out, OBS_SRC, "ntp_refid", (const char *)p + 12, idlen, 90))
			emitted++;
	}
	if (mode == NTP_SERVER || mode == NTP_BROADCAST) {
		snprintf(svc, sizeof(svc), "udp/%u", ctx->sport);
		if (dec_emit_str(out, OBS_SRC, "service", svc))
			emitted++;
	}
	return emitted;
}

const struct decoder dec_ntp = {
	.name = "ntp",
	.match = ntp_match,
	.decode = ntp_decode,
};
