// SPDX-License-Identifier: GPL-2.0-only
/*
 * SSH (RFC 4253) on any TCP port: the identification string "SSH-protoversion-softwareversion" and the
 * unencrypted key exchange that follows it, read one captured packet at a time. A packet may hold the
 * identification line, binary packets, or both; each binary packet is uint32 packet_length, byte
 * padding_length, then the message, whose first byte is its code:
 *   20 KEXINIT: cookie and ten name-lists, giving HASSH (client) and HASSHServer (server): the MD5 of
 *      "kex;encryption;mac;compression", each the comma-separated list of that side's direction.
 *   31 KEXDH_REPLY / KEX_ECDH_REPLY and 33 KEX_DH_GEX_REPLY: the server's host key blob (string K_S), whose
 *      first field is the key type. In DH group exchange, code 31 is KEX_DH_GEX_GROUP (the mpint p): a blob
 *      whose type is not a printable name is taken for that and ignored.
 * A KEXINIT cut by the snapshot still yields HASSH when the four lists it needs are whole.
 *
 * About the sender (OBS_SRC):
 *   ssh_client_banner (client) or ssh_server_banner (server): the identification line, without CR LF
 *   ssh_proto_version   "2.0", "1.99" (a server that also speaks SSH-1) or "1.5"
 *   ssh_hassh_client, ssh_hassh_client_algorithms (client KEXINIT)
 *   ssh_hassh_server, ssh_hassh_server_algorithms (server KEXINIT)
 *   ssh_host_key_alg    the host key blob's type, e.g. "ssh-ed25519-cert-v01@openssh.com"
 *   ssh_host_key_fingerprint  "SHA256:" + base64 of SHA-256(blob), cut to 32 characters as in Zeek's logs
 *   ssh_host_key_sha256 the same, whole, as `ssh-keygen -l` prints it
 *   app_protocol "SSH"; service "tcp/<port>" when the sender is the server
 * About the receiver (OBS_DST) of a client's banner or KEXINIT: app_protocol "SSH" (the server speaks it).
 */
#include <stdio.h>
#include <string.h>

#include "bb_util.h"
#include "decoder.h"

#define SSH_MSG_KEXINIT 20
#define SSH_MSG_NEWKEYS 21
#define SSH_MSG_KEXDH_REPLY 31 /* also KEX_ECDH_REPLY, and KEX_DH_GEX_GROUP in group exchange */
#define SSH_MSG_KEX_DH_GEX_REPLY 33

#define SSH_BANNER_MAX 255     /* RFC 4253 4.2: the line is at most 255 characters with CR LF */
#define SSH_PRE_BANNER_LINES 4 /* a server may send other lines first; look at a few */
#define SSH_PACKET_MAX 35000   /* RFC 4253 6.1: implementations must accept 35000 bytes */
#define SSH_PACKETS_PER_SEGMENT 8
#define SSH_KEYTYPE_MAX 64
#define SSH_ZEEK_FP_CHARS 32 /* Zeek's ssh.log keeps 32 characters of the base64 digest */

/* Room for four name-lists joined; a segment is ~1400 bytes, so this only overflows on absurd input. */
#define SSH_ALGOS_MAX 8192

static bool ssh_is_server(const struct dec_ctx *ctx)
{
	return !ctx->from_initiator;
}

/* Key type names are short printable tokens ("ssh-rsa", "ecdsa-sha2-nistp256", "x509v3-sign-rsa"). */
static bool ssh_keytype_ok(const uint8_t *p, size_t n)
{
	if (!n || n > SSH_KEYTYPE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '@' || c == '.' || c == '_' || c == '+'))
			return false;
	}
	return true;
}

/* A name-list is comma-separated printable US-ASCII (RFC 4251 5); empty is allowed. */
static bool ssh_namelist_ok(const uint8_t *p, size_t n)
{
	return bb_is_graph(p, n);
}

/*
 * Does p start with a plausible binary packet carrying a message we read? Used by match() on ports other
 * than 22, where the identification line and the KEXINIT may arrive in separate segments.
 */
static bool ssh_binary_plausible(const uint8_t *p, size_t n)
{
	struct bb_rd r;
	uint32_t plen, first;
	uint8_t pad, code;

	bb_rd_init(&r, p, n);
	plen = bb_u32(&r);
	pad = bb_u8(&r);
	code = bb_u8(&r);
	if (r.err || plen < 12 || plen > SSH_PACKET_MAX || pad < 4 || pad >= plen)
		return false;
	if (code == SSH_MSG_KEXINIT) {
		bb_take(&r, 16); /* cookie */
		first = bb_u32(&r);
		if (r.err || first == 0 || first > plen)
			return false;
		return ssh_namelist_ok(r.p + r.off, first < bb_left(&r) ? first : bb_left(&r));
	}
	if (code == SSH_MSG_KEXDH_REPLY || code == SSH_MSG_KEX_DH_GEX_REPLY) {
		bb_u32(&r); /* blob length */
		first = bb_u32(&r);
		if (r.err || first > bb_left(&r))
			return false;
		return ssh_keytype_ok(r.p + r.off, first);
	}
	return false;
}

static bool ssh_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != 6)
		return false;
	if (n >= 4 && memcmp(p, "SSH-", 4) == 0)
		return true;
	return dec_port_is(ctx, 22) || ssh_binary_plausible(p, n);
}

/* Length of the line at p (without CR LF) and of the whole line with its end; false when no LF within max. */
static bool ssh_line(const uint8_t *p, size_t n, size_t *text, size_t *whole)
{
	size_t lim = n < SSH_BANNER_MAX ? n : SSH_BANNER_MAX;
	const uint8_t *lf = memchr(p, '\n', lim);
	size_t len;

	if (!lf)
		return false;
	len = (size_t)(lf - p);
	*whole = len + 1;
	if (len && p[len - 1] == '\r')
		len--;
	*text = len;
	return true;
}

/*
 * The identification line, at p or after a few other lines a server may send first (RFC 4253 4.2). Returns
 * the number of bytes consumed (up to the end of the SSH- line), 0 when there is none.
 */
static size_t ssh_banner(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out,
			 int *emitted)
{
	size_t off = 0, text, whole;
	const uint8_t *dash;
	int lines;

	for (lines = 0; lines <= SSH_PRE_BANNER_LINES && off < n; lines++) {
		const uint8_t *line = p + off;
		size_t left = n - off;

		if (left >= 4 && memcmp(line, "SSH-", 4) == 0) {
			if (!ssh_line(line, left, &text, &whole)) {
				/* No line end: cut by the snapshot; keep what is there. */
				text = left < SSH_BANNER_MAX ? left : SSH_BANNER_MAX;
				whole = text;
			}
			if (dec_emit(out, OBS_SRC,
				     ssh_is_server(ctx) ? "ssh_server_banner" : "ssh_client_banner",
				     (const char *)line, text, 95))
				(*emitted)++;
			/* protoversion is the field between "SSH-" and the next '-'. */
			dash = memchr(line + 4, '-', text - 4);
			if (dash && dash > line + 4 &&
			    dec_emit(out, OBS_SRC, "ssh_proto_version", (const char *)line + 4,
				     (size_t)(dash - line - 4), 95))
				(*emitted)++;
			return off + whole;
		}
		/* Only a server may send lines before its identification; a client's first bytes are it. */
		if (!ssh_is_server(ctx) || !ssh_line(line, left, &text, &whole))
			return 0;
		off += whole;
	}
	return 0;
}

/* Read a name-list from the KEXINIT; false when cut or not text. */
static bool ssh_read_namelist(struct bb_rd *r, const uint8_t **s, size_t *len)
{
	uint32_t l = bb_u32(r);
	const uint8_t *b = bb_take(r, l);

	if (!b || !ssh_namelist_ok(b, l))
		return false;
	*s = b;
	*len = l;
	return true;
}

static int ssh_kexinit(const struct dec_ctx *ctx, const uint8_t *m, size_t mlen, struct dec_out *out)
{
	/* RFC 4253 7.1: kex, host key, enc c2s, enc s2c, mac c2s, mac s2c, comp c2s, comp s2c. */
	const uint8_t *list[8];
	size_t len[8];
	char algos[SSH_ALGOS_MAX], md5[33];
	struct bb_str s;
	struct bb_rd r;
	bool server = ssh_is_server(ctx);
	/* HASSH takes the sender's own direction: client c2s lists, server s2c lists. */
	const int pick[4] = { 0, server ? 3 : 2, server ? 5 : 4, server ? 7 : 6 };
	int emitted = 0;

	bb_rd_init(&r, m, mlen);
	bb_take(&r, 1 + 16); /* message code, cookie */
	for (int i = 0; i < 8; i++)
		if (!ssh_read_namelist(&r, &list[i], &len[i]))
			return -1;
	bb_str_init(&s, algos, sizeof(algos));
	for (int i = 0; i < 4; i++) {
		if (i)
			bb_str_addc(&s, ';');
		bb_str_add(&s, list[pick[i]], len[pick[i]]);
	}
	if (s.overflow || !bb_md5_hex(s.s, s.len, md5))
		return 0;
	if (dec_emit_str(out, OBS_SRC, server ? "ssh_hassh_server" : "ssh_hassh_client", md5))
		emitted++;
	if (dec_emit(out, OBS_SRC, server ? "ssh_hassh_server_algorithms" : "ssh_hassh_client_algorithms",
		     s.s, s.len, 90))
		emitted++;
	return emitted;
}

/* The host key blob of a KEXDH/ECDH/GEX reply. Returns observations added, 0 when it is not a reply. */
static int ssh_kex_reply(const uint8_t *m, size_t mlen, struct dec_out *out)
{
	char b64[48], fp[64];
	uint8_t digest[32];
	const uint8_t *blob, *type;
	uint32_t blen, tlen;
	struct bb_rd r, br;
	int emitted = 0;

	bb_rd_init(&r, m, mlen);
	bb_take(&r, 1); /* message code */
	blen = bb_u32(&r);
	if (r.err)
		return 0;
	/* The key type is readable even when the rest of the blob was cut by the snapshot. */
	bb_rd_init(&br, r.p + r.off, blen < bb_left(&r) ? blen : bb_left(&r));
	tlen = bb_u32(&br);
	type = bb_take(&br, tlen);
	if (!type || tlen > blen || !ssh_keytype_ok(type, tlen))
		return 0; /* a GEX group (mpint p), or not SSH at all */
	if (dec_emit(out, OBS_SRC, "ssh_host_key_alg", (const char *)type, tlen, 95))
		emitted++;
	blob = bb_take(&r, blen);
	if (!blob || !bb_sha256(blob, blen, digest))
		return emitted;
	bb_base64_nopad(digest, sizeof(digest), b64, sizeof(b64));
	snprintf(fp, sizeof(fp), "SHA256:%.*s", SSH_ZEEK_FP_CHARS, b64);
	if (dec_emit_str(out, OBS_SRC, "ssh_host_key_fingerprint", fp))
		emitted++;
	snprintf(fp, sizeof(fp), "SHA256:%s", b64);
	if (dec_emit_str(out, OBS_SRC, "ssh_host_key_sha256", fp))
		emitted++;
	return emitted;
}

/* Binary packets from p on. Returns observations added, or -1 when a packet lies about its contents. */
static int ssh_packets(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out, bool *seen)
{
	size_t off = 0;
	int emitted = 0;

	for (int k = 0; k < SSH_PACKETS_PER_SEGMENT && n - off >= 6; k++) {
		uint32_t plen = dec_be32(p + off);
		uint8_t pad = p[off + 4], code = p[off + 5];
		size_t mlen, avail = n - off - 5;
		int r = 0;

		/* Past NEWKEYS, or a lie: lengths no SSH stack sends. Encrypted bytes end up here too. */
		if (plen < 5 || plen > SSH_PACKET_MAX || pad >= plen)
			break;
		mlen = plen - 1 - pad; /* the message: from the code byte to the padding */
		if (mlen > avail)
			mlen = avail; /* cut by the snapshot: parse what is there */
		if (code == SSH_MSG_KEXINIT) {
			r = ssh_kexinit(ctx, p + off + 5, mlen, out);
			if (r < 0 && mlen == plen - 1 - pad)
				return -1; /* whole packet, yet its name-lists do not fit: malformed */
		} else if ((code == SSH_MSG_KEXDH_REPLY || code == SSH_MSG_KEX_DH_GEX_REPLY) &&
			   ssh_is_server(ctx)) {
			r = ssh_kex_reply(p + off + 5, mlen, out);
		} else if (code == SSH_MSG_NEWKEYS) {
			break; /* what follows is encrypted */
		}
		if (r > 0) {
			emitted += r;
			*seen = true;
		}
		if ((size_t)plen + 4 > n - off)
			break;
		off += (size_t)plen + 4;
	}
	return emitted;
}

static int ssh_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	char svc[16];
	int emitted = 0, r;
	bool seen = false;
	size_t off;

	if (ctx->l4_proto != 6)
		return 0;
	off = ssh_banner(ctx, p, n, out, &emitted);
	if (emitted)
		seen = true;
	r = ssh_packets(ctx, p + off, n - off, out, &seen);
	if (r < 0)
		return -1;
	emitted += r;
	if (!seen)
		return emitted;
	if (dec_emit_str(out, OBS_SRC, "app_protocol", "SSH"))
		emitted++;
	if (ssh_is_server(ctx)) {
		snprintf(svc, sizeof(svc), "tcp/%u", ctx->sport);
		if (dec_emit_str(out, OBS_SRC, "service", svc))
			emitted++;
	} else if (dec_emit(out, OBS_DST, "app_protocol", "SSH", 3, 80)) {
		emitted++;
	}
	return emitted;
}

const struct decoder dec_ssh = {
	.name = "ssh",
	.match = ssh_match,
	.decode = ssh_decode,
};
