// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMB dialect negotiation on TCP 445 (direct) and 139 (NetBIOS session service): enough to tell which SMB
 * versions a server speaks, for the "disable SMBv1" recommendation. Each segment starts with the 4-byte session
 * header (type 0x00 message, 0x81 session request on 139: skipped), then an SMB1 ("\xffSMB", [MS-CIFS] 2.2.3.1)
 * or SMB2/3 ("\xfeSMB", [MS-SMB2] 2.2.1) header.
 *
 *   smb_dialects    OBS_SRC of a client's NEGOTIATE: what it offers, in its order: SMB1 dialect strings
 *                   ("NT LM 0.12,SMB 2.002,SMB 2.???") or SMB2 revisions ("2.0.2,2.1,3.0,3.0.2,3.1.1")
 *   smb_dialect     OBS_SRC of a server's NEGOTIATE response: the SMB2/3 revision it chose ("3.1.1"), or
 *                   "NT LM 0.12" (SMB1, dialect index and word count 17)
 *   smb_version     OBS_SRC of any server response: "1" (an SMB1 header), "2" or "3" (from the chosen revision)
 *   app_protocol    "SMB"; service "tcp/<port>" on server responses; app_protocol "SMB" about the server a
 *                   client's request addresses (OBS_DST)
 */
#include <stdio.h>
#include <string.h>

#include "bb_util.h"
#include "decoder.h"

#define NBSS_HDR 4
#define SMB1_HDR 32
#define SMB2_HDR 64
#define SMB1_NEGOTIATE 0x72
#define SMB1_FLAGS_REPLY 0x80
#define SMB2_NEGOTIATE 0x0000
#define SMB2_FLAGS_RESPONSE 0x00000001u
#define SMB2_DIALECTS_MAX 16

static bool smb_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == 6 && (dec_port_is(ctx, 445) || dec_port_is(ctx, 139)) && n >= NBSS_HDR + 4 &&
	       p[0] == 0x00 && (p[NBSS_HDR] == 0xff || p[NBSS_HDR] == 0xfe) && !memcmp(p + NBSS_HDR + 1, "SMB", 3);
}

static void smb2_revision(uint16_t d, char *buf, size_t size)
{
	switch (d) {
	case 0x0202:
		snprintf(buf, size, "2.0.2");
		break;
	case 0x0210:
		snprintf(buf, size, "2.1");
		break;
	case 0x0300:
		snprintf(buf, size, "3.0");
		break;
	case 0x0302:
		snprintf(buf, size, "3.0.2");
		break;
	case 0x0311:
		snprintf(buf, size, "3.1.1");
		break;
	case 0x02ff:
		snprintf(buf, size, "2.???"); /* the wildcard revision of a multi-protocol negotiate */
		break;
	default:
		snprintf(buf, size, "0x%04x", d);
	}
}

/* The SMB1 NEGOTIATE request's dialect strings: each a 0x02 buffer-format byte and a NUL-terminated name. */
static int smb1_dialects(const uint8_t *p, size_t n, struct dec_out *out)
{
	char buf[OBS_VALUE_MAX];
	struct bb_str s;
	size_t i = 0, count;

	if (n < 3 || p[0] != 0) /* WordCount 0 */
		return -1;
	count = dec_le16(p + 1);
	p += 3;
	n -= 3;
	if (count < n)
		n = count;
	bb_str_init(&s, buf, sizeof(buf));
	while (i < n && p[i] == 0x02) {
		const uint8_t *name = p + i + 1;
		const uint8_t *nul = memchr(name, 0, n - i - 1);

		if (!nul)
			break;
		if (s.len)
			bb_str_addc(&s, ',');
		bb_str_add(&s, name, (size_t)(nul - name));
		i = (size_t)(nul - p) + 1;
	}
	return dec_emit(out, OBS_SRC, "smb_dialects", s.s, s.len, 90) ? 1 : 0;
}

static int smb1(const struct dec_ctx *ctx, const uint8_t *h, size_t n, struct dec_out *out)
{
	bool reply = h[9] & SMB1_FLAGS_REPLY;
	int emitted = 0;

	if (n < SMB1_HDR)
		return -1;
	if (!reply) {
		if (h[4] == SMB1_NEGOTIATE)
			emitted += smb1_dialects(h + SMB1_HDR, n - SMB1_HDR, out);
		return emitted;
	}
	if (dec_emit_str(out, OBS_SRC, "smb_version", "1"))
		emitted++;
	/* NT LM 0.12's response has 17 parameter words; older dialects fewer. */
	if (h[4] == SMB1_NEGOTIATE && n > SMB1_HDR && h[SMB1_HDR] == 17 &&
	    dec_emit_str(out, OBS_SRC, "smb_dialect", "NT LM 0.12"))
		emitted++;
	return emitted;
}

static int smb2(const uint8_t *h, size_t n, struct dec_out *out)
{
	const uint8_t *b = h + SMB2_HDR;
	size_t bn = n - SMB2_HDR;
	char buf[OBS_VALUE_MAX], rev[16];
	struct bb_str s;
	bool response;
	int emitted = 0;

	if (n < SMB2_HDR || dec_le16(h + 4) != SMB2_HDR)
		return -1;
	response = dec_le32(h + 16) & SMB2_FLAGS_RESPONSE;
	if (dec_le16(h + 12) != SMB2_NEGOTIATE) {
		if (response && dec_emit_str(out, OBS_SRC, "smb_version", "2"))
			emitted++;
		return emitted;
	}
	if (response) {
		uint16_t d;

		if (bn < 6 || dec_le16(b) != 65)
			return -1;
		d = dec_le16(b + 4);
		smb2_revision(d, rev, sizeof(rev));
		if (dec_emit_str(out, OBS_SRC, "smb_dialect", rev))
			emitted++;
		if (dec_emit_str(out, OBS_SRC, "smb_version", d >= 0x0300 && d != 0x02ff ? "3" : "2"))
			emitted++;
		return emitted;
	}
	if (bn < 36 || dec_le16(b) != 36)
		return -1;
	bb_str_init(&s, buf, sizeof(buf));
	for (size_t i = 0, count = dec_le16(b + 2); i < count && i < SMB2_DIALECTS_MAX && 36 + 2 * i + 2 <= bn; i++) {
		smb2_revision(dec_le16(b + 36 + 2 * i), rev, sizeof(rev));
		if (s.len)
			bb_str_addc(&s, ',');
		bb_str_adds(&s, rev);
	}
	if (s.len && dec_emit(out, OBS_SRC, "smb_dialects", s.s, s.len, 90))
		emitted++;
	return emitted;
}

static int smb_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	size_t len;
	int r, emitted = 0;
	char svc[16];

	if (!smb_match(ctx, p, n))
		return 0;
	len = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
	if (len > n - NBSS_HDR)
		len = n - NBSS_HDR; /* cut by the snapshot: read what is here */
	r = p[NBSS_HDR] == 0xff ? smb1(ctx, p + NBSS_HDR, len, out) : smb2(p + NBSS_HDR, len, out);
	if (r < 0)
		return -1;
	emitted += r;
	if (!ctx->from_initiator) {
		snprintf(svc, sizeof(svc), "tcp/%u", ctx->sport);
		if (dec_emit_str(out, OBS_SRC, "app_protocol", "SMB"))
			emitted++;
		if (dec_emit_str(out, OBS_SRC, "service", svc))
			emitted++;
	} else if (dec_emit(out, OBS_DST, "app_protocol", "SMB", 3, 80)) {
		emitted++;
	}
	return emitted;
}

const struct decoder dec_smb = {
	.name = "smb",
	.match = smb_match,
	.decode = smb_decode,
};
