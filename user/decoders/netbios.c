// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetBIOS over TCP/IP (RFC 1001/1002): the Name Service (UDP 137), the Datagram Service (UDP 138) with the SMB
 * browser announcements it carries (MS-BRWS), and the first bytes of the Session Service (TCP 139).
 *
 * A NetBIOS name travels "first-level encoded": 16 bytes become 32 letters 'A'..'P' in one DNS label. Byte 16 is
 * the suffix (type): <00> workstation, <20> file server, <1d>/<1e>/<1b>/<1c> browser and domain roles. Names are
 * in an undeclared OEM code page, so bytes >= 0x80 are replaced by '?' rather than passed on as broken UTF-8.
 *
 * Keys (subject OBS_SRC unless said otherwise):
 *   app_protocol        "NetBIOS"; "NetBIOS.SMBv1" for a datagram carrying SMB (as nDPI names them). For the
 *                       session service it goes on the port-139 side.
 *   netbios_name_seen   a name the device asked for, registered, answered for or sent a datagram from, ASCII
 *                       lower-cased, padding stripped, no suffix (nDPI's per-flow NetBIOS name)
 *   netbios_name        a computer name the device owns (unique <00>/<20>), as sent; subject OBS_IP when a name
 *                       server answers for another address
 *   netbios_domain      a workgroup or domain the device belongs to (group <00>/<1c>/<1e>, unique <1b>/<1d>)
 *   netbios_mac         the unit ID (MAC) of an NBSTAT response
 *   netbios_server_name, netbios_os_version ("6.1"), netbios_server_type ("0x00051003"), netbios_roles
 *                       ("workstation,server,..."), netbios_comment: from a browser host announcement
 *   service             "tcp/139" on a positive session response
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "decoder.h"
#include "dns_msg.h"

#define NBNS_PORT 137
#define NBDGM_PORT 138
#define NBSS_PORT 139

#define NB_TYPE_NB 0x20
#define NB_TYPE_NBSTAT 0x21
#define NB_FLAG_GROUP 0x8000

/* Name service opcodes (RFC 1002 4.2.1.1). */
enum {
	NB_OP_QUERY = 0,
	NB_OP_REGISTER = 5,
	NB_OP_RELEASE = 6,
	NB_OP_WACK = 7,
	NB_OP_REFRESH = 8,
	NB_OP_REFRESH_ALT = 9,
	NB_OP_MULTIHOMED = 15,
};

struct nb_name {
	char name[17]; /* up to 16 name bytes (15 in an encoded name), padding stripped, NUL-terminated */
	uint8_t suffix;
	bool printable; /* no control bytes: "\x01\x02__MSBROWSE__\x02" is a protocol token, not a name */
};

/* Copies a name field of len <= 16 bytes: drops trailing spaces and NULs, maps bytes >= 0x80 to '?'. */
static void nb_set_name(struct nb_name *nb, const uint8_t *raw, size_t len)
{
	size_t i;

	while (len && (raw[len - 1] == ' ' || raw[len - 1] == 0))
		len--;
	nb->printable = true;
	for (i = 0; i < len && i < sizeof(nb->name) - 1; i++) {
		uint8_t c = raw[i];

		if (c < 0x20 || c == 0x7f)
			nb->printable = false;
		nb->name[i] = c >= 0x80 ? '?' : (char)c;
	}
	nb->name[i] = 0;
}

/* Decodes the first label of a dns_name() text: exactly 32 letters 'A'..'P'. */
static bool nb_decode(const char *text, struct nb_name *nb)
{
	uint8_t raw[16];

	for (int i = 0; i < 32; i++)
		if (text[i] < 'A' || text[i] > 'P')
			return false;
	if (text[32] != 0 && text[32] != '.') /* a scope ID may follow as further labels */
		return false;
	for (int i = 0; i < 16; i++)
		raw[i] = (uint8_t)((text[2 * i] - 'A') << 4 | (text[2 * i + 1] - 'A'));
	nb_set_name(nb, raw, 15);
	nb->suffix = raw[15];
	return true;
}

/* Reads and decodes the NetBIOS name at off; *next (may be NULL) gets the offset after it. */
static bool nb_read(const uint8_t *p, size_t n, size_t off, struct nb_name *nb, size_t *next)
{
	char text[DNS_NAME_BUF];

	return dns_name(p, n, off, text, sizeof(text), next) >= 32 && nb_decode(text, nb);
}

enum nb_kind { NB_OTHER, NB_HOST, NB_DOMAIN };

/* What a (suffix, group) pair says about the name (MS-BRWS 2.1, MS-NBTE). */
static enum nb_kind nb_kind(uint8_t suffix, bool group)
{
	if (!group && (suffix == 0x00 || suffix == 0x20))
		return NB_HOST;
	if (group && (suffix == 0x00 || suffix == 0x1c || suffix == 0x1e))
		return NB_DOMAIN;
	if (!group && (suffix == 0x1b || suffix == 0x1d))
		return NB_DOMAIN;
	return NB_OTHER;
}

static int emit(struct dec_out *out, enum obs_subject subj, const char *key, const char *val)
{
	return dns_emit_once(out, subj, key, val, strlen(val), 90) ? 1 : 0;
}

static int emit_seen(struct dec_out *out, enum obs_subject subj, const struct nb_name *nb)
{
	char low[sizeof(nb->name)];

	/* "*" is the NBSTAT wildcard, not a name. */
	if (!nb->printable || nb->name[0] == '*')
		return 0;
	dns_lower(low, sizeof(low), nb->name);
	return emit(out, subj, "netbios_name_seen", low);
}

static int emit_owned(struct dec_out *out, enum obs_subject subj, const struct nb_name *nb, bool group)
{
	enum nb_kind k = nb_kind(nb->suffix, group);

	if (!nb->printable || nb->name[0] == '*' || k == NB_OTHER)
		return 0;
	return emit(out, subj, k == NB_HOST ? "netbios_name" : "netbios_domain", nb->name);
}

/* NBSTAT RDATA: a count, 18-byte entries (15 name bytes, suffix, flags), then the unit ID (MAC). */
static int on_nbstat(const uint8_t *rd, size_t len, struct dec_out *out)
{
	static const uint8_t zero_mac[6];
	struct nb_name nb;
	size_t count, off = 1;
	char mac[18];
	int c = 0;

	if (len < 1)
		return -1;
	count = rd[0];
	for (size_t i = 0; i < count; i++, off += 18) {
		if (off + 18 > len)
			return -1;
		nb_set_name(&nb, rd + off, 15);
		nb.suffix = rd[off + 15];
		c += emit_owned(out, OBS_SRC, &nb, dec_be16(rd + off + 16) & NB_FLAG_GROUP);
	}
	/* Samba reports an all-zero unit ID: that is no MAC. */
	if (off + 6 <= len && memcmp(rd + off, zero_mac, 6) != 0) {
		dec_format_mac(rd + off, mac);
		c += emit(out, OBS_SRC, "netbios_mac", mac);
	}
	return c;
}

/* A positive name query response: NB_FLAGS + IPv4 address entries. */
static int on_nb_answer(const struct dec_ctx *ctx, const struct nb_name *nb, const uint8_t *rd, size_t len,
			struct dec_out *out)
{
	struct iot_addr a;
	bool group;

	if (len < 6)
		return -1;
	group = dec_be16(rd) & NB_FLAG_GROUP;
	dec_addr_from_v4(&a, rd + 2);
	if (memcmp(a.b, ctx->src_ip.b, 16) == 0)
		return emit_owned(out, OBS_SRC, nb, group);
	/* A name server (WINS) answering for another host: the name belongs to the address in the answer. */
	if (nb->printable && nb_kind(nb->suffix, group) == NB_HOST)
		return dec_emit_for_ip(out, &a, "netbios_name", nb->name) ? 1 : 0;
	return 0;
}

static int nbns_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct dns_iter it;
	struct dns_rr rr;
	struct nb_name nb;
	bool response, claim, bad = false;
	int c = 0, r, got, seen, records = 0;
	unsigned int op;

	if (dns_iter_init(&it, p, n) < 0)
		return -1;
	op = DNS_OPCODE(it.flags);
	if (op != NB_OP_QUERY && op != NB_OP_REGISTER && op != NB_OP_RELEASE && op != NB_OP_WACK &&
	    op != NB_OP_REFRESH && op != NB_OP_REFRESH_ALT && op != NB_OP_MULTIHOMED)
		return -1;
	response = it.flags & DNS_FLAG_QR;
	/* Registrations, refreshes and releases name the sender's own names. */
	claim = !response && op != NB_OP_QUERY && op != NB_OP_WACK;
	while ((r = dns_iter_next(&it, &rr)) > 0) {
		got = 0;
		/* Every name in this protocol is an encoded NetBIOS name: anything else is not NBNS. */
		if (!nb_read(p, n, rr.name, &nb, NULL)) {
			bad = true;
			continue;
		}
		records++;
		if (rr.section == DNS_SEC_QD && !response) {
			got = emit_seen(out, OBS_SRC, &nb);
		} else if (rr.section == DNS_SEC_AR && claim && rr.type == NB_TYPE_NB) {
			/* The additional record of a registration carries NB_FLAGS: unique or group. */
			if (rr.rdlen < 6)
				got = -1;
			else
				got = emit_owned(out, OBS_SRC, &nb, dec_be16(p + rr.rdata) & NB_FLAG_GROUP);
		} else if (rr.section == DNS_SEC_AN && response && op == NB_OP_QUERY && DNS_RCODE(it.flags) == 0) {
			if (rr.type == NB_TYPE_NBSTAT) {
				got = on_nbstat(p + rr.rdata, rr.rdlen, out);
			} else if (rr.type == NB_TYPE_NB) {
				seen = emit_seen(out, OBS_SRC, &nb);
				got = on_nb_answer(ctx, &nb, p + rr.rdata, rr.rdlen, out);
				if (got >= 0)
					got += seen;
			}
		}
		if (got < 0)
			bad = true;
		else
			c += got;
	}
	if (records)
		c += emit(out, OBS_SRC, "app_protocol", "NetBIOS");
	return (r < 0 || bad) ? -1 : c;
}

/* Server type bits of a host announcement (MS-BRWS 2.2.1 / MS-RAP SV_TYPE_*). */
static const struct {
	uint32_t bit;
	const char *name;
} sv_types[] = {
	{ 0x00000001, "workstation" },	     { 0x00000002, "server" },
	{ 0x00000004, "sql_server" },	     { 0x00000008, "domain_controller" },
	{ 0x00000010, "backup_controller" }, { 0x00000020, "time_source" },
	{ 0x00000040, "apple" },	     { 0x00000080, "novell" },
	{ 0x00000100, "domain_member" },     { 0x00000200, "print_server" },
	{ 0x00000400, "dialin_server" },     { 0x00000800, "unix" },
	{ 0x00001000, "nt_workstation" },    { 0x00002000, "wfw" },
	{ 0x00008000, "nt_server" },	     { 0x00010000, "potential_browser" },
	{ 0x00020000, "backup_browser" },    { 0x00040000, "master_browser" },
	{ 0x00080000, "domain_master" },     { 0x00400000, "windows" },
	{ 0x00800000, "dfs" },		     { 0x02000000, "terminal_server" },
};

static int emit_roles(struct dec_out *out, uint32_t type)
{
	char buf[OBS_VALUE_MAX];
	size_t w = 0;
	int k;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(sv_types) / sizeof(sv_types[0]); i++) {
		if (!(type & sv_types[i].bit))
			continue;
		k = snprintf(buf + w, sizeof(buf) - w, "%s%s", w ? "," : "", sv_types[i].name);

		if (k < 0 || (size_t)k >= sizeof(buf) - w)
			break;
		w += (size_t)k;
	}
	return w ? emit(out, OBS_SRC, "netbios_roles", buf) : 0;
}

/* Browser frame (MS-BRWS 2.2): host, local master and domain announcements. */
static int on_browser(const uint8_t *b, size_t len, const struct nb_name *dst, struct dec_out *out)
{
	struct nb_name srv;
	size_t clen;
	int c = 0;

	if (len < 32)
		return 0;
	nb_set_name(&srv, b + 6, 16);
	switch (b[0]) {
	case 0x01: /* HostAnnouncement */
	case 0x0f: /* LocalMasterAnnouncement */
		if (srv.printable)
			c += emit(out, OBS_SRC, "netbios_server_name", srv.name);
		c += dec_emitf(out, OBS_SRC, "netbios_os_version", "%u.%u", b[22], b[23]) ? 1 : 0;
		c += dec_emitf(out, OBS_SRC, "netbios_server_type", "0x%08x", dec_le32(b + 24)) ? 1 : 0;
		c += emit_roles(out, dec_le32(b + 24));
		for (clen = 0; 32 + clen < len && b[32 + clen]; clen++)
			;
		if (clen && dec_emit(out, OBS_SRC, "netbios_comment", (const char *)b + 32, clen, 90))
			c++;
		/* Announcements go to the sender's workgroup: WORKGROUP<1d> (host) or <1e> (local master). */
		if (dst && dst->printable && (dst->suffix == 0x1d || dst->suffix == 0x1e))
			c += emit(out, OBS_SRC, "netbios_domain", dst->name);
		break;
	case 0x0c: /* DomainAnnouncement: the sender is the master browser of the workgroup it names */
		if (srv.printable)
			c += emit(out, OBS_SRC, "netbios_domain", srv.name);
		break;
	}
	return c;
}

static bool prefix_ci(const uint8_t *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	if (n < l)
		return false;
	for (size_t i = 0; i < l; i++) {
		uint8_t c = p[i];

		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 'a' + 'A');
		if (c != (uint8_t)lit[i])
			return false;
	}
	return true;
}

/* SMB_COM_TRANSACTION to \MAILSLOT\BROWSE: find the browser frame in its data. */
static int on_smb(const uint8_t *s, size_t n, const struct nb_name *dst, struct dec_out *out)
{
	size_t wc, bytes, doff, dcnt;

	if (n < 33 || s[4] != 0x25) /* SMB_COM_TRANSACTION */
		return 0;
	wc = s[32];
	bytes = 33 + 2 * wc + 2; /* words, then ByteCount, then the bytes */
	if (wc < 14 || bytes > n)
		return 0;
	dcnt = dec_le16(s + 33 + 2 * 11);
	doff = dec_le16(s + 33 + 2 * 12);
	if (!prefix_ci(s + bytes, n - bytes, "\\MAILSLOT\\BROWSE") || doff >= n)
		return 0;
	if (dcnt > n - doff) /* a cut packet: read what is there */
		dcnt = n - doff;
	return on_browser(s + doff, dcnt, dst, out);
}

static int nbdgm_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct nb_name src, dst;
	size_t off;
	int c = 0;

	(void)ctx;
	if (n < 10)
		return -1;
	switch (p[0]) {
	case 0x10: /* DIRECT_UNIQUE */
	case 0x11: /* DIRECT_GROUP */
	case 0x12: /* BROADCAST */
		if (n < 14 || !nb_read(p, n, 14, &src, &off))
			return -1;
		c += emit_seen(out, OBS_SRC, &src);
		c += emit_owned(out, OBS_SRC, &src, false);
		if (!nb_read(p, n, off, &dst, &off))
			return -1;
		if (n - off >= 4 && memcmp(p + off, "\xffSMB", 4) == 0) {
			c += emit(out, OBS_SRC, "app_protocol", "NetBIOS.SMBv1");
			c += on_smb(p + off, n - off, &dst, out);
			return c;
		}
		break;
	case 0x13: /* ERROR */
		break;
	case 0x14: /* QUERY REQUEST: the name asked for follows the header */
	case 0x15:
	case 0x16:
		if (!nb_read(p, n, 10, &dst, NULL))
			return -1;
		if (p[0] == 0x14)
			c += emit_seen(out, OBS_SRC, &dst);
		break;
	default:
		return -1;
	}
	c += emit(out, OBS_SRC, "app_protocol", "NetBIOS");
	return c;
}

/* Session service header: type, flags (bit 0 extends the length), 16-bit length. */
static int nbss_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	enum obs_subject server = ctx->dport == NBSS_PORT ? OBS_DST : OBS_SRC;
	enum obs_subject client = server == OBS_DST ? OBS_SRC : OBS_DST;
	struct nb_name called, calling;
	size_t off;
	int c = 0;

	if (n < 4 || (p[1] & 0xfe))
		return -1;
	switch (p[0]) {
	case 0x81: /* SESSION REQUEST: called name, then calling name */
		if (!nb_read(p, n, 4, &called, &off) || !nb_read(p, n, off, &calling, NULL))
			return -1;
		c += emit_seen(out, server, &called);
		c += emit_owned(out, server, &called, false);
		c += emit_seen(out, client, &calling);
		c += emit_owned(out, client, &calling, false);
		break;
	case 0x82: /* POSITIVE SESSION RESPONSE */
		if (server == OBS_SRC)
			c += emit(out, OBS_SRC, "service", "tcp/139");
		break;
	case 0x83: /* NEGATIVE SESSION RESPONSE */
	case 0x84: /* RETARGET */
	case 0x85: /* KEEP ALIVE */
		break;
	case 0x00: /* SESSION MESSAGE: only the first one can be recognised, by its SMB header */
		if (n < 8 || (memcmp(p + 4, "\xffSMB", 4) != 0 && memcmp(p + 4, "\xfeSMB", 4) != 0))
			return 0;
		break;
	default:
		return -1;
	}
	c += emit(out, server, "app_protocol", "NetBIOS");
	return c;
}

static bool netbios_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	(void)p;
	if (ctx->l4_proto == IPPROTO_UDP)
		return (dec_port_is(ctx, NBNS_PORT) && n >= DNS_HDR_LEN) || (dec_port_is(ctx, NBDGM_PORT) && n >= 10);
	if (ctx->l4_proto == IPPROTO_TCP)
		return dec_port_is(ctx, NBSS_PORT) && n >= 4;
	return false;
}

static int netbios_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	if (ctx->l4_proto == IPPROTO_TCP)
		return nbss_decode(ctx, p, n, out);
	/* The datagram service always runs between two 138s; name service clients may use any source port. */
	if (dec_port_is(ctx, NBDGM_PORT))
		return nbdgm_decode(ctx, p, n, out);
	return nbns_decode(ctx, p, n, out);
}

const struct decoder dec_netbios = {
	.name = "netbios",
	.match = netbios_match,
	.decode = netbios_decode,
};
