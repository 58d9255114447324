// SPDX-License-Identifier: GPL-2.0-only
/*
 * Passive TCP/IP fingerprint of SYN and SYN-ACK packets, in the spirit of p0f v3: every stack fills the IP and
 * TCP headers of a connection opening in its own way (initial TTL, option order, window, quirks).
 *
 * Reads ctx->l3 (the kernel copies the headers for DEC_REASON_SYN): the IPv4 header honouring IHL, or the IPv6
 * header when its next header is TCP (extension headers are not walked), then the TCP header and options.
 *
 * Emits on the sender (OBS_SRC):
 *   tcp_fp_syn / tcp_fp_synack   "ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass", p0f's field layout:
 *     ver     4 or 6
 *     ittl    the TTL or hop limit rounded up to 32, 64, 128 or 255 (the hop distance is left out: it
 *             depends on where the sensor sits, not on the stack)
 *     olen    IPv4 options length
 *     mss     the MSS option, or * when absent
 *     wsize   the window, as mss*N when it is a multiple of the MSS; scale: the window scale, 0 when absent
 *     olayout the options in order: mss, nop, ws, sok, sack, ts, eol+N (N bytes after EOL), ?K (kind K)
 *     quirks  df, id+, id-, ecn, 0+, flow, seq-, ack+, ack-, uptr+, urgf+, pushf+, ts1-, ts2+, opt+, exws, bad
 *     pclass  0 without payload, + with
 *   tcp_os  an OS family guess from a small table of well-known layouts, confidence 40-60
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "decoder.h"

#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define FP_MAX 200

/*
 * Well-known option layouts. The layout and the initial TTL are what distinguishes families most reliably;
 * windows vary with tuning and are not used. Unknown layouts get no guess rather than a wrong one.
 */
static const struct {
	uint8_t ittl;
	uint8_t synack; /* 0 SYN only, 1 SYN-ACK only, 2 both */
	const char *olayout;
	const char *os;
	uint8_t confidence;
} tcpfp_table[] = {
	{ 64, 2, "mss,sok,ts,nop,ws", "Linux", 60 },
	{ 64, 2, "mss,nop,nop,sok,nop,ws", "Linux", 45 },
	{ 64, 0, "mss,nop,ws,nop,nop,ts,sok,eol+1", "macOS/iOS", 60 },
	{ 64, 2, "mss,nop,ws,sok,ts", "FreeBSD", 50 },
	{ 128, 2, "mss,nop,ws,nop,nop,sok", "Windows", 60 },
	{ 128, 2, "mss,nop,ws,sok,ts", "Windows", 50 },
	{ 128, 2, "mss,nop,nop,sok", "Windows", 50 },
	/*
	 * A lone MSS (or nothing) is what lwIP, uIP and most RTOS stacks answer with, often with an initial
	 * TTL of 32 or 255 that no desktop OS uses (the Omron PLC of ndpi-fins.pcapng: TTL 20, MSS 536).
	 * Only the SYN-ACK counts: port scanners send such SYNs too.
	 */
	{ 32, 1, "mss", "embedded/RTOS", 50 },
	{ 64, 1, "mss", "embedded/RTOS", 40 },
	{ 255, 1, "mss", "embedded/RTOS", 40 },
	{ 32, 1, "", "embedded/RTOS", 50 },
	{ 64, 1, "", "embedded/RTOS", 40 },
	{ 255, 1, "", "embedded/RTOS", 40 },
};

struct tcpfp_sig {
	unsigned ver, ittl, olen, wsize, scale;
	int mss; /* -1 when absent */
	bool synack, payload;
	char olayout[96];
	char quirks[96];
};

static void fp_append(char *buf, size_t size, const char *s)
{
	size_t l = strlen(buf);

	if (l + 1 < size)
		snprintf(buf + l, size - l, "%s%s", l ? "," : "", s);
}

static unsigned fp_ittl(unsigned ttl)
{
	return ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255;
}

/* The TCP options: layout, MSS, window scale, timestamp quirks. Sets "bad" on a malformed option list. */
static void fp_options(struct tcpfp_sig *s, const uint8_t *o, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t kind = o[i];
		size_t olen;
		char tmp[16];

		if (kind == 0) {
			size_t rest = len - i - 1;

			snprintf(tmp, sizeof(tmp), "eol+%u", (unsigned)rest); /* options are <= 40 bytes */
			fp_append(s->olayout, sizeof(s->olayout), tmp);
			for (size_t j = i + 1; j < len; j++)
				if (o[j]) {
					fp_append(s->quirks, sizeof(s->quirks), "opt+");
					break;
				}
			return;
		}
		if (kind == 1) {
			fp_append(s->olayout, sizeof(s->olayout), "nop");
			i++;
			continue;
		}
		if (i + 1 >= len || o[i + 1] < 2 || o[i + 1] > len - i) {
			fp_append(s->quirks, sizeof(s->quirks), "bad");
			return;
		}
		olen = o[i + 1];
		switch (kind) {
		case 2:
			fp_append(s->olayout, sizeof(s->olayout), "mss");
			if (olen == 4)
				s->mss = dec_be16(o + i + 2);
			break;
		case 3:
			fp_append(s->olayout, sizeof(s->olayout), "ws");
			if (olen == 3) {
				s->scale = o[i + 2];
				if (s->scale > 14)
					fp_append(s->quirks, sizeof(s->quirks), "exws");
			}
			break;
		case 4:
			fp_append(s->olayout, sizeof(s->olayout), "sok");
			break;
		case 5:
			fp_append(s->olayout, sizeof(s->olayout), "sack");
			break;
		case 8:
			fp_append(s->olayout, sizeof(s->olayout), "ts");
			if (olen == 10) {
				if (!dec_be32(o + i + 2))
					fp_append(s->quirks, sizeof(s->quirks), "ts1-");
				/* A SYN cannot echo a peer's timestamp yet. */
				if (!s->synack && dec_be32(o + i + 6))
					fp_append(s->quirks, sizeof(s->quirks), "ts2+");
			}
			break;
		default:
			snprintf(tmp, sizeof(tmp), "?%u", kind);
			fp_append(s->olayout, sizeof(s->olayout), tmp);
			break;
		}
		i += olen;
	}
}

/* Parses the IP and TCP headers; false when they are not a complete SYN or SYN-ACK. */
static bool fp_parse(const uint8_t *l3, size_t n, struct tcpfp_sig *s)
{
	const uint8_t *t;
	size_t ihl, thl, total;
	uint8_t flags;

	memset(s, 0, sizeof(*s));
	s->mss = -1;
	if (n < 1)
		return false;
	s->ver = l3[0] >> 4;
	if (s->ver == 4) {
		ihl = (size_t)(l3[0] & 15) * 4;
		if (ihl < 20 || n < ihl || l3[9] != IPPROTO_TCP)
			return false;
		/* A fragment other than the first has no TCP header. */
		if (dec_be16(l3 + 6) & 0x1fff)
			return false;
		s->ittl = fp_ittl(l3[8]);
		s->olen = (unsigned)(ihl - 20);
		total = dec_be16(l3 + 2);
		if (l3[6] & 0x40) {
			fp_append(s->quirks, sizeof(s->quirks), "df");
			if (dec_be16(l3 + 4))
				fp_append(s->quirks, sizeof(s->quirks), "id+");
		} else if (!dec_be16(l3 + 4)) {
			fp_append(s->quirks, sizeof(s->quirks), "id-");
		}
		if (l3[1] & 3)
			fp_append(s->quirks, sizeof(s->quirks), "ecn");
		if (l3[6] & 0x80)
			fp_append(s->quirks, sizeof(s->quirks), "0+");
	} else if (s->ver == 6) {
		ihl = 40;
		if (n < ihl || l3[6] != IPPROTO_TCP)
			return false;
		s->ittl = fp_ittl(l3[7]);
		total = 40 + (size_t)dec_be16(l3 + 4);
		if (((l3[1] >> 4) & 3) != 0)
			fp_append(s->quirks, sizeof(s->quirks), "ecn");
		if ((l3[1] & 15) || l3[2] || l3[3])
			fp_append(s->quirks, sizeof(s->quirks), "flow");
	} else {
		return false;
	}
	if (n - ihl < 20)
		return false;
	t = l3 + ihl;
	thl = (size_t)(t[12] >> 4) * 4;
	flags = t[13];
	if (thl < 20 || thl > n - ihl || (flags & (TCP_SYN | TCP_RST)) != TCP_SYN)
		return false;
	s->synack = flags & TCP_ACK;
	s->wsize = dec_be16(t + 14);
	s->payload = total > ihl + thl;

	if ((flags & (TCP_ECE | TCP_CWR)) && !strstr(s->quirks, "ecn"))
		fp_append(s->quirks, sizeof(s->quirks), "ecn");
	if (!dec_be32(t + 4))
		fp_append(s->quirks, sizeof(s->quirks), "seq-");
	if (s->synack && !dec_be32(t + 8))
		fp_append(s->quirks, sizeof(s->quirks), "ack-");
	if (!s->synack && dec_be32(t + 8))
		fp_append(s->quirks, sizeof(s->quirks), "ack+");
	if (!(flags & TCP_URG) && dec_be16(t + 18))
		fp_append(s->quirks, sizeof(s->quirks), "uptr+");
	if (flags & TCP_URG)
		fp_append(s->quirks, sizeof(s->quirks), "urgf+");
	if (flags & TCP_PSH)
		fp_append(s->quirks, sizeof(s->quirks), "pushf+");
	fp_options(s, t + 20, thl - 20);
	return true;
}

static bool tcpfp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->reason == DEC_REASON_SYN;
}

static int tcpfp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct tcpfp_sig s;
	char mss[12], wsize[24];
	int before = out->n;

	if (!ctx->l3 || ctx->reason != DEC_REASON_SYN)
		return 0;
	if (!fp_parse(ctx->l3, ctx->l3_len, &s))
		return -1;
	if (s.mss >= 0)
		snprintf(mss, sizeof(mss), "%d", s.mss);
	else
		snprintf(mss, sizeof(mss), "*");
	if (s.mss > 0 && s.wsize && s.wsize % (unsigned)s.mss == 0)
		snprintf(wsize, sizeof(wsize), "mss*%u", s.wsize / (unsigned)s.mss);
	else
		snprintf(wsize, sizeof(wsize), "%u", s.wsize);
	dec_emitf(out, OBS_SRC, s.synack ? "tcp_fp_synack" : "tcp_fp_syn", "%u:%u:%u:%s:%s,%u:%s:%s:%s", s.ver,
		  s.ittl, s.olen, mss, wsize, s.scale, s.olayout, s.quirks, s.payload ? "+" : "0");

	for (size_t i = 0; i < sizeof(tcpfp_table) / sizeof(tcpfp_table[0]); i++) {
		if (tcpfp_table[i].ittl != s.ittl || strcmp(tcpfp_table[i].olayout, s.olayout) != 0)
			continue;
		if (tcpfp_table[i].synack != 2 && tcpfp_table[i].synack != s.synack)
			continue;
		dec_emit(out, OBS_SRC, "tcp_os", tcpfp_table[i].os, strlen(tcpfp_table[i].os),
			 tcpfp_table[i].confidence);
		break;
	}
	return out->n - before;
}

const struct decoder dec_tcpfp = {
	.name = "tcpfp",
	.match = tcpfp_match,
	.decode = tcpfp_decode,
};
