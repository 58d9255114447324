// SPDX-License-Identifier: GPL-2.0-only
/*
 * LLMNR (RFC 4795), UDP 5355: Windows' link-local name resolution. A query names the host the asker is looking
 * for; a response comes from the owner of the name, unicast to the asker.
 *
 * Keys (subject OBS_SRC):
 *   app_protocol      "LLMNR"
 *   llmnr_query_name  a name asked for, ASCII lower-cased (LLMNR names compare case-insensitively)
 *   llmnr_hostname    the name a responder answers for (its own), as sent
 *   llmnr_address     an A/AAAA address the responder gives for itself
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "dns_msg.h"

#define LLMNR_PORT 5355

static bool llmnr_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_UDP && dec_port_is(ctx, LLMNR_PORT) && n >= DNS_HDR_LEN &&
	       DNS_OPCODE(dec_be16(p + 2)) == 0;
}

static int on_question(const struct dns_iter *it, const struct dns_rr *rr, struct dec_out *out)
{
	char name[DNS_NAME_BUF], low[DNS_NAME_BUF];

	if (dns_name(it->p, it->n, rr->name, name, sizeof(name), NULL) <= 0)
		return -1;
	dns_lower(low, sizeof(low), name);
	return dns_emit_once(out, OBS_SRC, "llmnr_query_name", low, strlen(low), 90) ? 1 : 0;
}

static int on_answer(const struct dns_iter *it, const struct dns_rr *rr, struct dec_out *out)
{
	char name[DNS_NAME_BUF], ip[64];
	struct iot_addr a;
	int c = 0;

	if (rr->type != DNS_TYPE_A && rr->type != DNS_TYPE_AAAA)
		return 0;
	if (rr->rdlen != (rr->type == DNS_TYPE_A ? 4 : 16) ||
	    dns_name(it->p, it->n, rr->name, name, sizeof(name), NULL) <= 0)
		return -1;
	if (dns_emit_once(out, OBS_SRC, "llmnr_hostname", name, strlen(name), 90))
		c++;
	if (rr->type == DNS_TYPE_A)
		dec_addr_from_v4(&a, it->p + rr->rdata);
	else
		dec_addr_from_v6(&a, it->p + rr->rdata);
	dec_format_addr(&a, ip, sizeof(ip));
	if (dns_emit_once(out, OBS_SRC, "llmnr_address", ip, strlen(ip), 90))
		c++;
	return c;
}

static int llmnr_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct dns_iter it;
	struct dns_rr rr;
	bool response, bad = false;
	int c = 0, r, got, records = 0;

	(void)ctx;
	/* RFC 4795 2.1.1: opcode 0 is the only standard one. */
	if (dns_iter_init(&it, p, n) < 0 || DNS_OPCODE(it.flags) != 0)
		return -1;
	response = it.flags & DNS_FLAG_QR;
	while ((r = dns_iter_next(&it, &rr)) > 0) {
		got = 0;
		/* A response repeats the question: that name is the responder's own, taken from the answer. */
		if (rr.section == DNS_SEC_QD && !response)
			got = on_question(&it, &rr, out);
		else if (rr.section == DNS_SEC_AN && response)
			got = on_answer(&it, &rr, out);
		if (got < 0) {
			bad = true;
			continue;
		}
		records++;
		c += got;
	}
	if (records && dec_emit_str(out, OBS_SRC, "app_protocol", "LLMNR"))
		c++;
	return (r < 0 || bad) ? -1 : c;
}

const struct decoder dec_llmnr = {
	.name = "llmnr",
	.match = llmnr_match,
	.decode = llmnr_decode,
};
