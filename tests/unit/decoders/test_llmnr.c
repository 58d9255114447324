// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/llmnr.c: real LLMNR queries from ndpi-lan-1kxun.pcap checked against truth.tsv
 * (llmnr_query_name is lower-cased, on the asker), then crafted responses and malformed packets.
 */
#include "decoders/dns_msg.h"
#include "testlib.h"
#include "names_test.h"

extern const struct decoder dec_llmnr;

/* Real payloads (UDP payload bytes, as captured). */
/* ndpi-lan-1kxun.pcap frame 17: 192.168.115.8:51458 -> 224.0.0.252:5355 (eth 00:1c:42:8e:70:31): Standard query 0x605e A wpad */
static const uint8_t kx_wpad_query[] = {
	0x60, 0x5e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x77, 0x70, 0x61,
	0x64, 0x00, 0x00, 0x01, 0x00, 0x01,
};
/* ndpi-lan-1kxun.pcap frame 591: fe80::9bd:81dd:2fdc:5750:61548 -> ff02::1:3:5355 (eth e8:b1:fc:ab:fb:b2): Standard query 0xcd91 ANY caesar-thinkpad */
static const uint8_t kx_caesar_query_v6[] = {
	0xcd, 0x91, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x63, 0x61, 0x65,
	0x73, 0x61, 0x72, 0x2d, 0x74, 0x68, 0x69, 0x6e, 0x6b, 0x70, 0x61, 0x64, 0x00, 0x00, 0xff, 0x00,
	0x01,
};
/* ndpi-lan-1kxun.pcap frame 15: 192.168.5.47:61603 -> 224.0.0.252:5355 (eth cc:3d:82:1e:ee:e3): Standard query 0xa000 ANY RO_X1C */
static const uint8_t kx_ro_x1c_query[] = {
	0xa0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x52, 0x4f, 0x5f,
	0x58, 0x31, 0x43, 0x00, 0x00, 0xff, 0x00, 0x01,
};
/* ndpi-lan-1kxun.pcap frame 731: 192.168.3.236:62069 -> 224.0.0.252:5355 (eth 3c:a9:f4:5a:03:84): Standard query 0xb37e ANY WANGS-LTW */
static const uint8_t kx_wangs_query[] = {
	0xb3, 0x7e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x57, 0x41, 0x4e,
	0x47, 0x53, 0x2d, 0x4c, 0x54, 0x57, 0x00, 0x00, 0xff, 0x00, 0x01,
};
/* ndpi-lan-1kxun.pcap frame 44: 192.168.3.95:58779 -> 224.0.0.252:5355 (eth fc:f8:ae:32:97:2c): Standard query 0xf604 ANY 小佛專機 */
static const uint8_t kx_chinese_query[] = {
	0xf6, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0xe5, 0xb0, 0x8f,
	0xe4, 0xbd, 0x9b, 0xe5, 0xb0, 0x88, 0xe6, 0xa9, 0x9f, 0x00, 0x00, 0xff, 0x00, 0x01,
};

static struct dec_ctx query_ctx(const char *src, uint16_t sport)
{
	return nt_ctx(IPPROTO_UDP, src, sport, strchr(src, ':') ? "ff02::1:3" : "224.0.0.252", 5355);
}

/* truth: ndpi-lan-1kxun.pcap 192.168.115.8 llmnr_query_name wpad, app_protocol LLMNR */
TEST(real_wpad_query)
{
	struct dec_ctx c = query_ctx("192.168.115.8", 51458);
	struct dec_out out;

	CHECK_EQ_INT(nt_run(&dec_llmnr, &c, kx_wpad_query, sizeof(kx_wpad_query), &out), 2);
	CHECK(nt_has(&out, OBS_SRC, "llmnr_query_name", "wpad"));
	CHECK(nt_has(&out, OBS_SRC, "app_protocol", "LLMNR"));
	CHECK_EQ_INT(out.malformed, 0);
}

/* truth: fe80::9bd:81dd:2fdc:5750 (and 192.168.5.49) llmnr_query_name caesar-thinkpad */
TEST(real_caesar_query_v6)
{
	struct dec_ctx c = query_ctx("fe80::9bd:81dd:2fdc:5750", 61548);
	struct dec_out out;

	CHECK(nt_run(&dec_llmnr, &c, kx_caesar_query_v6, sizeof(kx_caesar_query_v6), &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "llmnr_query_name"), "caesar-thinkpad");
	CHECK(nt_has(&out, OBS_SRC, "app_protocol", "LLMNR"));
}

/* truth: 192.168.5.47 and fe80::edf5:240a:c8c0:8312 llmnr_query_name ro_x1c (sent as "RO_X1C") */
TEST(real_upper_case_query_is_lowered)
{
	struct dec_ctx c = query_ctx("192.168.5.47", 61603);
	struct dec_out out;

	CHECK(nt_run(&dec_llmnr, &c, kx_ro_x1c_query, sizeof(kx_ro_x1c_query), &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "llmnr_query_name"), "ro_x1c");

	c = query_ctx("192.168.3.236", 62069);
	CHECK(nt_run(&dec_llmnr, &c, kx_wangs_query, sizeof(kx_wangs_query), &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "llmnr_query_name"), "wangs-ltw");
}

/* truth: 192.168.3.95 app_protocol LLMNR (its UTF-8 query name is kept as UTF-8) */
TEST(real_utf8_query)
{
	struct dec_ctx c = query_ctx("192.168.3.95", 58779);
	struct dec_out out;

	CHECK(nt_run(&dec_llmnr, &c, kx_chinese_query, sizeof(kx_chinese_query), &out) > 0);
	CHECK(nt_has(&out, OBS_SRC, "app_protocol", "LLMNR"));
	CHECK_STR(nt_value(&out, OBS_SRC, "llmnr_query_name"), "\xe5\xb0\x8f\xe4\xbd\x9b\xe5\xb0\x88\xe6\xa9\x9f");
}

TEST(crafted_response_names_the_responder)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "192.168.5.41", 5355, "192.168.5.50", 62756);
	struct dec_out out;
	struct nt_pkt p;

	nt_hdr(&p, 0xb37e, 0x8000, 1, 2, 0, 0);
	nt_name(&p, "Kevin-PC"); /* 12 */
	nt_u32(&p, 0x00ff0001);
	nt_u16(&p, 0xc00c);
	nt_rr(&p, DNS_TYPE_A, 1, 4);
	nt_bytes(&p, "\xc0\xa8\x05\x29", 4);
	nt_u16(&p, 0xc00c);
	nt_rr(&p, DNS_TYPE_AAAA, 1, 16);
	nt_bytes(&p, "\xfe\x80\0\0\0\0\0\0\x45\x68\xef\xbc\x40\xb1\x13\x46", 16);
	CHECK(nt_run(&dec_llmnr, &c, p.b, p.n, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "llmnr_hostname"), "Kevin-PC");
	CHECK_EQ_INT(nt_count(&out, "llmnr_hostname"), 1);
	CHECK(nt_has(&out, OBS_SRC, "llmnr_address", "192.168.5.41"));
	CHECK(nt_has(&out, OBS_SRC, "llmnr_address", "fe80::4568:efbc:40b1:1346"));
	CHECK(nt_has(&out, OBS_SRC, "app_protocol", "LLMNR"));
	/* The echoed question is not the responder asking. */
	CHECK_EQ_INT(nt_count(&out, "llmnr_query_name"), 0);
}

TEST(match_and_opcode)
{
	struct dec_ctx c = query_ctx("10.0.0.1", 50000);
	uint8_t h[12] = { 0 };

	CHECK(dec_llmnr.match(&c, h, sizeof(h)));
	CHECK(!dec_llmnr.match(&c, h, 11));
	h[2] = 0x10; /* opcode 2 */
	CHECK(!dec_llmnr.match(&c, h, sizeof(h)));
	c.l4_proto = IPPROTO_TCP;
	h[2] = 0;
	CHECK(!dec_llmnr.match(&c, h, sizeof(h)));
	c = nt_ctx(IPPROTO_UDP, "10.0.0.1", 5353, "10.0.0.2", 5353);
	CHECK(!dec_llmnr.match(&c, h, sizeof(h)));
}

TEST(malformed)
{
	struct dec_ctx c = query_ctx("10.0.0.1", 50000);
	struct dec_out out;
	struct nt_pkt p;

	/* Only a header, counts claiming thousands of records. */
	nt_hdr(&p, 1, 0, 0x1000, 0x1000, 0, 0);
	CHECK_EQ_INT(nt_run(&dec_llmnr, &c, p.b, p.n, &out), -1);
	CHECK_EQ_INT(out.n, 0);

	/* A question that is one compression pointer to itself. */
	nt_hdr(&p, 1, 0, 1, 0, 0, 0);
	nt_u16(&p, 0xc00c);
	nt_u32(&p, 0x00010001);
	CHECK_EQ_INT(nt_run(&dec_llmnr, &c, p.b, p.n, &out), -1);
	CHECK_EQ_INT(nt_count(&out, "llmnr_query_name"), 0);

	/* An A answer with a 2-byte address. */
	c = nt_ctx(IPPROTO_UDP, "10.0.0.2", 5355, "10.0.0.1", 50000);
	nt_hdr(&p, 1, 0x8000, 0, 1, 0, 0);
	nt_name(&p, "host");
	nt_rr(&p, DNS_TYPE_A, 1, 2);
	nt_u16(&p, 0);
	CHECK_EQ_INT(nt_run(&dec_llmnr, &c, p.b, p.n, &out), -1);
	CHECK_EQ_INT(nt_count(&out, "llmnr_hostname"), 0);

	/* A label length past the end of the packet. */
	nt_hdr(&p, 1, 0, 1, 0, 0, 0);
	nt_u8(&p, 60);
	nt_bytes(&p, "wpad", 4);
	CHECK_EQ_INT(nt_run(&dec_llmnr, &c, p.b, p.n, &out), -1);
	CHECK_EQ_INT(out.n, 0);

	/* Too short for a header; a foreign opcode. */
	CHECK_EQ_INT(dec_llmnr.decode(&c, p.b, 4, &out), -1);
	nt_hdr(&p, 1, 0x2800, 0, 0, 0, 0);
	CHECK_EQ_INT(dec_llmnr.decode(&c, p.b, p.n, &out), -1);
}

TEST(every_prefix_of_a_real_query)
{
	struct dec_ctx c = query_ctx("192.168.5.47", 61603);
	struct dec_out out;

	for (size_t n = 0; n <= sizeof(kx_ro_x1c_query); n++) {
		memset(&out, 0, sizeof(out));
		dec_llmnr.decode(&c, kx_ro_x1c_query, n, &out);
		/* The question is the last thing in the packet: only the whole packet yields the name. */
		CHECK_EQ_INT(nt_count(&out, "llmnr_query_name"), n == sizeof(kx_ro_x1c_query) ? 1 : 0);
	}
}

int main(void)
{
	RUN(real_wpad_query);
	RUN(real_caesar_query_v6);
	RUN(real_upper_case_query_is_lowered);
	RUN(real_utf8_query);
	RUN(crafted_response_names_the_responder);
	RUN(match_and_opcode);
	RUN(malformed);
	RUN(every_prefix_of_a_real_query);
	return testlib_summary();
}
