// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/bjnp.c: Canon BJNP commands and identity responses. */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/* ndpi-bjnp-canon.pcap frame 1: 192.168.185.141:50087 -> 192.168.1.17:8612, scanner Discover. */
static const uint8_t bjnp_discover[] = {
	0x42, 0x4a, 0x4e, 0x50, 0x02, 0x01, 0x00, 0x00, 0x17, 0xa4, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

/* A printer's Get-ID response: header, then a 2-byte length counting itself, then the IEEE 1284 id. */
#define GETID_ID "MFG:Canon;CMD:BJL,BJRaster3,BSCCe;MDL:MG5200 series;CLS:PRINTER;DES:Canon MG5200 series;"
static uint8_t getid[16 + 2 + sizeof(GETID_ID) - 1];

static void build_getid(uint32_t plen, uint16_t idlen)
{
	memcpy(getid, "BJNP", 4);
	getid[4] = 0x81;
	getid[5] = 0x30;
	getid[12] = (uint8_t)(plen >> 24);
	getid[13] = (uint8_t)(plen >> 16);
	getid[14] = (uint8_t)(plen >> 8);
	getid[15] = (uint8_t)plen;
	getid[16] = (uint8_t)(idlen >> 8);
	getid[17] = (uint8_t)idlen;
	memcpy(getid + 18, GETID_ID, sizeof(GETID_ID) - 1);
}

/* A Discover response: 00 01 08 00 06 04, MAC, IPv4. */
static const uint8_t discover_resp[] = {
	'M', 'F', 'N', 'P', 0x82, 0x01, 0x00, 0x00, 0x17, 0xa4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x1e, 0x8f, 0x11, 0x22, 0x33, 192, 168, 1, 17,
};

TEST(real_discover_marks_the_probed_printer)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 50087, 8612);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("bjnp", &c, bjnp_discover, sizeof(bjnp_discover), &out, &m), 2);
	CHECK(m);
	/* truth.tsv: ndpi-bjnp-canon.pcap 192.168.1.17 app_protocol BJNP (the receiver of the probe). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_DST), "BJNP");
	CHECK(lt_get(&out, "app_protocol", OBS_SRC) == NULL);
	CHECK_STR(lt_get(&out, "bjnp_command", OBS_DST), "scanner discover");
}

TEST(getid_response_gives_model)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 8611, 50087);
	struct dec_out out;
	bool m;

	build_getid(2 + sizeof(GETID_ID) - 1, 2 + sizeof(GETID_ID) - 1);
	CHECK(lt_run("bjnp", &c, getid, sizeof(getid), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "BJNP");
	CHECK_STR(lt_get(&out, "bjnp_command", OBS_SRC), "printer get_id");
	CHECK_STR(lt_get(&out, "bjnp_device_id", OBS_SRC), GETID_ID);
	CHECK_STR(lt_get(&out, "bjnp_model", OBS_SRC), "MG5200 series");
	CHECK_STR(lt_get(&out, "bjnp_manufacturer", OBS_SRC), "Canon");
}

TEST(getid_long_key_spelling)
{
	static const char id[] = "MANUFACTURER:Canon;MODEL:iR-ADV C5235;";
	uint8_t pkt[16 + 2 + sizeof(id) - 1] = { 'B', 'J', 'N', 'P', 0x81, 0x30 };
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 8611, 50087);
	struct dec_out out;
	bool m;

	pkt[15] = 2 + sizeof(id) - 1;
	pkt[17] = 2 + sizeof(id) - 1;
	memcpy(pkt + 18, id, sizeof(id) - 1);
	CHECK(lt_run("bjnp", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "bjnp_model", OBS_SRC), "iR-ADV C5235");
	CHECK_STR(lt_get(&out, "bjnp_manufacturer", OBS_SRC), "Canon");
	CHECK_EQ_INT(lt_count(&out, "bjnp_model"), 1);
}

TEST(discover_response_binds_ip_to_mac)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 8612, 50087);
	struct dec_out out;
	const struct iot_obs *o;
	bool m;

	CHECK(lt_run("bjnp", &c, discover_resp, sizeof(discover_resp), &out, &m) > 0);
	CHECK(m);
	o = lt_obs(&out, "ip_for_mac");
	CHECK(o != NULL);
	if (o) {
		CHECK_STR(o->value, "192.168.1.17");
		CHECK_EQ_INT(o->subject, OBS_MAC);
		CHECK_EQ_INT(o->subject_mac[0] == 0x00 && o->subject_mac[5] == 0x33, 1);
	}
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "BJNP");
}

TEST(truncated_header_is_refused)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 50087, 8612);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("bjnp", &c, bjnp_discover, 15, &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(out.n, 0);
}

TEST(wrong_magic_or_type_or_port_is_refused)
{
	uint8_t pkt[sizeof(bjnp_discover)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 50087, 8612);
	struct dec_ctx other = lt_ctx(IPPROTO_UDP, 50087, 9100);
	struct dec_out out;
	bool m;

	memcpy(pkt, bjnp_discover, sizeof(pkt));
	pkt[3] = 'X';
	CHECK_EQ_INT(lt_run("bjnp", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, bjnp_discover, sizeof(pkt));
	pkt[4] = 0x03;
	CHECK_EQ_INT(lt_run("bjnp", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	lt_run("bjnp", &other, bjnp_discover, sizeof(bjnp_discover), &out, &m);
	CHECK(!m);
}

TEST(lying_lengths_are_malformed)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 8611, 50087);
	struct dec_out out;
	bool m;

	/* Header payload length one byte longer than the packet. */
	build_getid(2 + sizeof(GETID_ID), 2 + sizeof(GETID_ID) - 1);
	CHECK_EQ_INT(lt_run("bjnp", &c, getid, sizeof(getid), &out, &m), -1);
	CHECK_EQ_INT(out.n, 0);
	/* The same, but the snapshot length cut the packet: decode what is there. */
	c.truncated = true;
	CHECK(lt_run("bjnp", &c, getid, sizeof(getid), &out, &m) > 0);
	c.truncated = false;
	/* Over TCP a long payload continues in the next segment. */
	c.l4_proto = IPPROTO_TCP;
	CHECK(lt_run("bjnp", &c, getid, sizeof(getid), &out, &m) > 0);
	CHECK(m);
	c.l4_proto = IPPROTO_UDP;
	/* Id length longer than the payload. */
	build_getid(2 + sizeof(GETID_ID) - 1, 2 + sizeof(GETID_ID));
	CHECK_EQ_INT(lt_run("bjnp", &c, getid, sizeof(getid), &out, &m), -1);
	CHECK(lt_get(&out, "bjnp_model", OBS_SRC) == NULL);
	/* Id length below its own 2 bytes. */
	build_getid(2 + sizeof(GETID_ID) - 1, 1);
	CHECK_EQ_INT(lt_run("bjnp", &c, getid, sizeof(getid), &out, &m), -1);
}

TEST(discover_response_with_bad_lengths_binds_nothing)
{
	uint8_t pkt[sizeof(discover_resp)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 8612, 50087);
	struct dec_out out;
	bool m;

	memcpy(pkt, discover_resp, sizeof(pkt));
	pkt[21] = 16; /* claims IPv6 with an IPv4 EtherType */
	CHECK(lt_run("bjnp", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK(lt_obs(&out, "ip_for_mac") == NULL);
	memcpy(pkt, discover_resp, sizeof(pkt));
	pkt[19] = 0xdd;
	pkt[18] = 0x86; /* IPv6 but only 4 address bytes present */
	pkt[21] = 16;
	CHECK(lt_run("bjnp", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK(lt_obs(&out, "ip_for_mac") == NULL);
}

int main(void)
{
	RUN(real_discover_marks_the_probed_printer);
	RUN(getid_response_gives_model);
	RUN(getid_long_key_spelling);
	RUN(discover_response_binds_ip_to_mac);
	RUN(truncated_header_is_refused);
	RUN(wrong_magic_or_type_or_port_is_refused);
	RUN(lying_lengths_are_malformed);
	RUN(discover_response_with_bad_lengths_binds_nothing);
	return testlib_summary();
}
