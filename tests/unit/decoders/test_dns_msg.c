// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/dns_msg.c, the bounded DNS message reader of the name-discovery decoders: names,
 * compression (and its abuse: loops, forward pointers, pointers past the end), label lengths past the end,
 * header counts that lie in both directions, and the de-duplicating emitter.
 */
#include "decoders/dns_msg.h"
#include "testlib.h"
#include "names_test.h"

static int name_at(const struct nt_pkt *p, size_t off, char *buf, size_t *next)
{
	return dns_name(p->b, p->n, off, buf, DNS_NAME_BUF, next);
}

TEST(header_too_short)
{
	struct dns_iter it;
	const uint8_t p[11] = { 0 };

	CHECK_EQ_INT(dns_iter_init(&it, p, sizeof(p)), -1);
	CHECK_EQ_INT(dns_iter_init(&it, p, 0), -1);
}

TEST(iterates_sections_in_order)
{
	struct nt_pkt p;
	struct dns_iter it;
	struct dns_rr rr;
	char buf[DNS_NAME_BUF];

	nt_hdr(&p, 0x1234, 0x8400, 1, 1, 0, 1);
	nt_name(&p, "host.local"); /* offset 12 */
	nt_u16(&p, DNS_TYPE_A);
	nt_u16(&p, 1);
	nt_name_ptr(&p, "", 12);
	nt_rr(&p, DNS_TYPE_A, 0x8001, 4);
	nt_bytes(&p, "\x0a\x00\x00\x01", 4);
	nt_u8(&p, 0); /* root owner: an OPT record */
	nt_rr(&p, 41, 1440, 0);

	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(it.id, 0x1234);
	CHECK_EQ_INT(it.flags, 0x8400);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), 1);
	CHECK_EQ_INT(rr.section, DNS_SEC_QD);
	CHECK_EQ_INT(rr.type, DNS_TYPE_A);
	CHECK_EQ_INT(rr.rdlen, 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), 1);
	CHECK_EQ_INT(rr.section, DNS_SEC_AN);
	CHECK_EQ_INT(rr.rclass, 0x8001);
	CHECK_EQ_INT(rr.ttl, 120);
	CHECK_EQ_INT(rr.rdlen, 4);
	CHECK_EQ_INT(p.b[rr.rdata + 3], 1);
	CHECK_EQ_INT(name_at(&p, rr.name, buf, NULL), 10);
	CHECK_STR(buf, "host.local");
	CHECK_EQ_INT(dns_iter_next(&it, &rr), 1);
	CHECK_EQ_INT(rr.section, DNS_SEC_AR);
	CHECK_EQ_INT(rr.type, 41);
	CHECK_EQ_INT(name_at(&p, rr.name, buf, NULL), 0);
	CHECK_STR(buf, "");
	CHECK_EQ_INT(dns_iter_next(&it, &rr), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), 0);
}

TEST(zero_counts_with_data_is_empty)
{
	struct nt_pkt p;
	struct dns_iter it;
	struct dns_rr rr;

	nt_hdr(&p, 0, 0, 0, 0, 0, 0);
	nt_name(&p, "ignored.local");
	nt_u32(&p, 0x00010001);
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), 0);
}

TEST(huge_counts_without_data_stop)
{
	struct nt_pkt p;
	struct dns_iter it;
	struct dns_rr rr;

	nt_hdr(&p, 0, 0x8400, 0xffff, 0xffff, 0xffff, 0xffff);
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);

	/* One real question, then the lie. */
	nt_hdr(&p, 0, 0, 0xffff, 0, 0, 0);
	nt_name(&p, "a.local");
	nt_u32(&p, 0x000c0001);
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), 1);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);
}

TEST(record_cut_in_fixed_part_or_rdata)
{
	struct nt_pkt p;
	struct dns_iter it;
	struct dns_rr rr;

	nt_hdr(&p, 0, 0x8400, 0, 1, 0, 0);
	nt_name(&p, "a.local");
	nt_rr(&p, DNS_TYPE_A, 1, 4);
	nt_bytes(&p, "\x01\x02", 2); /* RDLENGTH says 4 */
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);

	nt_hdr(&p, 0, 0x8400, 0, 1, 0, 0);
	nt_name(&p, "a.local");
	nt_u16(&p, DNS_TYPE_A); /* class, TTL, RDLENGTH missing */
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);

	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_name(&p, "a.local");
	nt_u16(&p, DNS_TYPE_A); /* class missing */
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);
}

TEST(compression_backwards_and_next_offset)
{
	struct nt_pkt p;
	char buf[DNS_NAME_BUF];
	size_t next = 0, second;

	nt_hdr(&p, 0, 0, 0, 0, 0, 0);
	nt_name(&p, "_ipp._tcp.local"); /* 12: 5_ipp 4_tcp 5local 0 = 17 bytes */
	second = p.n;
	nt_name_ptr(&p, "printer", 12); /* "printer" + pointer to 12 */
	CHECK_EQ_INT(name_at(&p, second, buf, &next), 23);
	CHECK_STR(buf, "printer._ipp._tcp.local");
	CHECK_EQ_INT(next, second + 8 + 2);
	/* A pointer into the middle of an earlier name. */
	nt_hdr(&p, 0, 0, 0, 0, 0, 0);
	nt_name(&p, "_ipp._tcp.local");
	second = p.n;
	nt_name_ptr(&p, "", 12 + 5);
	CHECK_EQ_INT(name_at(&p, second, buf, &next), 10);
	CHECK_STR(buf, "_tcp.local");
	CHECK_EQ_INT(next, second + 2);
	/* Without next. */
	CHECK_EQ_INT(dns_name(p.b, p.n, 12, buf, sizeof(buf), NULL), 15);
}

TEST(compression_pointer_loops_fail)
{
	struct nt_pkt p;
	char buf[DNS_NAME_BUF];

	/* A pointer to itself. */
	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_u16(&p, 0xc00c);
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);

	/* Two names pointing at each other: 12 -> 16 (forward) is refused at once. */
	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_name_ptr(&p, "a", 16); /* 12: 01 'a' c0 10 */
	nt_name_ptr(&p, "b", 12); /* 16: 01 'b' c0 0c */
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);
	/* From 16 the chain goes back to 12, whose pointer then leads forward again: refused, no spin. */
	CHECK_EQ_INT(name_at(&p, 16, buf, NULL), -1);

	/*
	 * The sneaky loop: every pointer points before itself, yet the name never ends (a label, then a pointer
	 * back to that label). Only "before the start of the current segment" catches it.
	 */
	nt_hdr(&p, 0, 0, 0, 0, 0, 0);
	nt_u8(&p, 1);		/* 12: label "a" */
	nt_u8(&p, 'a');
	nt_u16(&p, 0xc00c);	/* 14: pointer to 12 */
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);
	CHECK_EQ_INT(name_at(&p, 14, buf, NULL), -1);

	/* A chain that walks back into the bytes of a label holding a pointer that leads forward again. */
	nt_hdr(&p, 0, 0, 0, 0, 0, 0);
	nt_u8(&p, 0x03);	/* 12: label of 3 bytes ... */
	nt_u8(&p, 0xc0);	/* 13: ... whose bytes read as a pointer to 17 */
	nt_u8(&p, 0x11);
	nt_u8(&p, 'x');
	nt_u16(&p, 0xc00d);	/* 16: pointer to 13 */
	nt_u16(&p, 0xc010);	/* 18: pointer to 16 */
	CHECK_EQ_INT(name_at(&p, 18, buf, NULL), -1);
}

TEST(pointer_past_end_or_cut_fails)
{
	struct nt_pkt p;
	struct dns_iter it;
	struct dns_rr rr;
	char buf[DNS_NAME_BUF];

	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_name_ptr(&p, "a", 0x3fff);
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);

	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_u8(&p, 0xc0); /* the second byte of the pointer is missing */
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);

	/* Skipping a cut pointer while iterating fails too. */
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);
}

TEST(label_length_past_end_fails)
{
	struct nt_pkt p;
	struct dns_iter it;
	struct dns_rr rr;
	char buf[DNS_NAME_BUF];

	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_u8(&p, 20);
	nt_bytes(&p, "short", 5);
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);

	/* A name with no terminating root label. */
	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_u8(&p, 5);
	nt_bytes(&p, "local", 5);
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);
	CHECK_EQ_INT(dns_name(p.b, p.n, p.n, buf, sizeof(buf), NULL), -1); /* offset at the end */
}

TEST(reserved_label_types_fail)
{
	struct nt_pkt p;
	struct dns_iter it;
	struct dns_rr rr;
	char buf[DNS_NAME_BUF];

	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_u8(&p, 0x41); /* 0x40: the obsolete extended label type */
	nt_bytes(&p, "ab", 2);
	nt_u8(&p, 0);
	nt_u32(&p, 0x00010001);
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);
	p.b[12] = 0x81;
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);
}

TEST(name_longer_than_255_fails)
{
	struct nt_pkt p;
	struct dns_iter it;
	struct dns_rr rr;
	char buf[DNS_NAME_BUF];

	/* 4 labels of 63 = 256 wire bytes before the root: one too many. */
	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	for (int i = 0; i < 4; i++) {
		nt_u8(&p, 63);
		for (int j = 0; j < 63; j++)
			nt_u8(&p, 'a');
	}
	nt_u8(&p, 0);
	nt_u32(&p, 0x00010001);
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), -1);
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), -1);

	/* 3 x 63 + 61 = 253 characters (255 wire bytes) is the longest legal name and fits DNS_NAME_BUF. */
	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		nt_u8(&p, 63);
		for (int j = 0; j < 63; j++)
			nt_u8(&p, 'b');
	}
	nt_u8(&p, 61);
	for (int j = 0; j < 61; j++)
		nt_u8(&p, 'c');
	nt_u8(&p, 0);
	nt_u32(&p, 0x00010001);
	CHECK_EQ_INT(name_at(&p, 12, buf, NULL), 253);
	CHECK_EQ_INT(strlen(buf), 253);
	CHECK_EQ_INT(dns_iter_init(&it, p.b, p.n), 0);
	CHECK_EQ_INT(dns_iter_next(&it, &rr), 1);
}

TEST(small_buffer_is_cut_not_overrun)
{
	struct nt_pkt p;
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	nt_hdr(&p, 0, 0, 1, 0, 0, 0);
	nt_name(&p, "abcdef.local");
	CHECK_EQ_INT(dns_name(p.b, p.n, 12, buf, 5, NULL), 4);
	CHECK_STR(buf, "abcd");
	CHECK(buf[5] == 'Z');
	CHECK_EQ_INT(dns_name(p.b, p.n, 12, buf, 0, NULL), -1);
}

TEST(suffix_and_lower)
{
	char low[16];

	CHECK(dns_name_has_suffix("7.2.0.10.in-addr.arpa", "in-addr.arpa"));
	CHECK(dns_name_has_suffix("X.IP6.ARPA", "ip6.arpa"));
	CHECK(dns_name_has_suffix("ip6.arpa", "ip6.arpa"));
	CHECK(!dns_name_has_suffix("xip6.arpa", "ip6.arpa"));
	CHECK(!dns_name_has_suffix("arpa", "ip6.arpa"));
	dns_lower(low, sizeof(low), "RO_X1C.Local");
	CHECK_STR(low, "ro_x1c.local");
	dns_lower(low, 4, "ABCDEF");
	CHECK_STR(low, "abc");
}

TEST(emit_once_drops_duplicates)
{
	struct dec_out out = { 0 };

	CHECK(dns_emit_once(&out, OBS_SRC, "k", "v", 1, 90) != NULL);
	CHECK(dns_emit_once(&out, OBS_SRC, "k", "v\r\n", 3, 90) != NULL); /* equal once sanitised */
	CHECK_EQ_INT(out.n, 1);
	CHECK(dns_emit_once(&out, OBS_DST, "k", "v", 1, 90) != NULL);
	CHECK(dns_emit_once(&out, OBS_SRC, "k2", "v", 1, 90) != NULL);
	CHECK(dns_emit_once(&out, OBS_SRC, "k", "w", 1, 90) != NULL);
	CHECK_EQ_INT(out.n, 4);
	CHECK(dns_emit_once(&out, OBS_SRC, "k", "  ", 2, 90) == NULL);
	CHECK_EQ_INT(out.n, 4);
}

int main(void)
{
	RUN(header_too_short);
	RUN(iterates_sections_in_order);
	RUN(zero_counts_with_data_is_empty);
	RUN(huge_counts_without_data_stop);
	RUN(record_cut_in_fixed_part_or_rdata);
	RUN(compression_backwards_and_next_offset);
	RUN(compression_pointer_loops_fail);
	RUN(pointer_past_end_or_cut_fails);
	RUN(label_length_past_end_fails);
	RUN(reserved_label_types_fail);
	RUN(name_longer_than_255_fails);
	RUN(small_buffer_is_cut_not_overrun);
	RUN(suffix_and_lower);
	RUN(emit_once_drops_duplicates);
	return testlib_summary();
}
