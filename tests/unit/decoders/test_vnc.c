// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/vnc.c. The corpus has no RFB capture, so the handshakes are crafted from RFC 6143:
 * versions, 3.3 and 3.8 security negotiation, ServerInit alone or after a SecurityResult, and near misses.
 */
#include "bb_test.h"

extern const struct decoder dec_vnc;

/* ServerInit: 1024x768, 32 bpp depth 24 little-endian true colour, name "raspberrypi". */
static const uint8_t server_init[] = {
	0x04, 0x00, 0x03, 0x00, 0x20, 0x18, 0x00, 0x01, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x10, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 'r', 'a', 's', 'p', 'b', 'e', 'r', 'r', 'y', 'p', 'i',
};

TEST(versions)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 5900, 40000, false, 0);

	CHECK(bbt_run(&dec_vnc, &c, "RFB 003.008\n", 12) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "vnc_server_version"), "RFB 003.008");
	CHECK_STR(bbt_get(OBS_SRC, "app_protocol"), "VNC");
	CHECK_STR(bbt_get(OBS_SRC, "service"), "tcp/5900");

	c = bbt_ctx(BBT_TCP, 40000, 5900, true, 0);
	CHECK(bbt_run(&dec_vnc, &c, "RFB 003.007\n", 12) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "vnc_client_version"), "RFB 003.007");
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "VNC");
	CHECK(bbt_get(OBS_SRC, "service") == NULL);
}

/* Any port, when the segment is an RFB version. */
TEST(version_on_other_port)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 5999, 40000, false, 0);

	CHECK(bbt_run(&dec_vnc, &c, "RFB 003.889\n", 12) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "vnc_server_version"), "RFB 003.889");
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, "HTTP/1.1 200 OK\r\n", 17), -100);
}

TEST(security_types_38)
{
	const uint8_t types[] = { 3, 1, 2, 30 };
	struct dec_ctx c = bbt_ctx(BBT_TCP, 5901, 40000, false, 1);

	CHECK(bbt_run(&dec_vnc, &c, types, sizeof(types)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "vnc_security_types"), "None,VNC Authentication,Apple Remote Desktop");
	CHECK_STR(bbt_get(OBS_SRC, "vnc_auth_none"), "1");
}

TEST(security_type_33)
{
	const uint8_t vnc_auth[] = { 0, 0, 0, 2 };
	const uint8_t none[] = { 0, 0, 0, 1 };
	struct dec_ctx c = bbt_ctx(BBT_TCP, 5900, 40000, false, 1);

	CHECK(bbt_run(&dec_vnc, &c, vnc_auth, sizeof(vnc_auth)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "vnc_security_types"), "VNC Authentication");
	CHECK(bbt_get(OBS_SRC, "vnc_auth_none") == NULL);
	CHECK(bbt_run(&dec_vnc, &c, none, sizeof(none)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "vnc_auth_none"), "1");
}

/* Count 0 (3.7+) or type 0 (3.3): the connection failed, a reason follows. Nothing to report. */
TEST(security_failure)
{
	const uint8_t fail38[] = { 0, 0, 0, 0, 5, 'b', 'u', 's', 'y', '!' };
	const uint8_t fail33[] = { 0, 0, 0, 0, 0, 0, 0, 5, 'b', 'u', 's', 'y', '!' };
	struct dec_ctx c = bbt_ctx(BBT_TCP, 5900, 40000, false, 1);

	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, fail38, sizeof(fail38)), 0);
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, fail33, sizeof(fail33)), 0);
	CHECK_EQ_INT(bbt_out.n, 0);
}

TEST(client_choice)
{
	const uint8_t none[] = { 1 }, tight[] = { 16 }, zero[] = { 0 };
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 5900, true, 1);

	CHECK(bbt_run(&dec_vnc, &c, none, 1) > 0);
	CHECK_STR(bbt_get(OBS_DST, "vnc_security_chosen"), "None");
	CHECK_STR(bbt_get(OBS_DST, "vnc_auth_none"), "1");
	CHECK(bbt_run(&dec_vnc, &c, tight, 1) > 0);
	CHECK_STR(bbt_get(OBS_DST, "vnc_security_chosen"), "Tight");
	CHECK(bbt_get(OBS_DST, "vnc_auth_none") == NULL);
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, zero, 1), 0);
	/* ClientInit (shared flag 1) comes later: not a choice. */
	c.seq = 2;
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, none, 1), 0);
	CHECK_EQ_INT(bbt_out.n, 0);
}

TEST(server_init)
{
	uint8_t seg[64];
	struct dec_ctx c = bbt_ctx(BBT_TCP, 5900, 40000, false, 3);

	CHECK(bbt_run(&dec_vnc, &c, server_init, sizeof(server_init)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "vnc_desktop_name"), "raspberrypi");
	/* SecurityResult OK and ServerInit in one segment. */
	memset(seg, 0, 4);
	memcpy(seg + 4, server_init, sizeof(server_init));
	c.seq = 2;
	CHECK(bbt_run(&dec_vnc, &c, seg, 4 + sizeof(server_init)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "vnc_desktop_name"), "raspberrypi");
}

TEST(server_init_near_misses)
{
	uint8_t bad[sizeof(server_init)];
	const uint8_t challenge[16] = { 0x12, 0x34, 0x56 };
	struct dec_ctx c = bbt_ctx(BBT_TCP, 5900, 40000, false, 3);

	/* Name length one more than the segment holds. */
	memcpy(bad, server_init, sizeof(bad));
	bad[23] = 12;
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, bad, sizeof(bad)), 0);
	/* 24 bits per pixel is not a wire format. */
	memcpy(bad, server_init, sizeof(bad));
	bad[4] = 24;
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, bad, sizeof(bad)), 0);
	/* Cut by the snapshot. */
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, server_init, 30), 0);
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, server_init, 10), 0);
	/* A VNC Authentication challenge. */
	c.seq = 2;
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, challenge, sizeof(challenge)), 0);
	CHECK_EQ_INT(bbt_out.n, 0);
}

/* The type list must fill the segment exactly, or it is something else. */
TEST(type_list_length_mismatch)
{
	const uint8_t longer[] = { 4, 1, 2 };
	struct dec_ctx c = bbt_ctx(BBT_TCP, 5900, 40000, false, 1);

	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, longer, sizeof(longer)), 0);
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, longer, 1), 0);
	CHECK_EQ_INT(bbt_out.n, 0);
}

TEST(match_rules)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 5911, true, 0);

	CHECK(!dec_vnc.match(&c, (const uint8_t *)"\x01", 1));
	CHECK(dec_vnc.match(&c, (const uint8_t *)"RFB 003.008\n", 12));
	c = bbt_ctx(BBT_UDP, 40000, 5900, true, 0);
	CHECK(!dec_vnc.match(&c, (const uint8_t *)"RFB 003.008\n", 12));
	CHECK_EQ_INT(bbt_decode(&dec_vnc, &c, "RFB 003.008\n", 12), 0);
	c = bbt_ctx(BBT_TCP, 40000, 5900, true, 0);
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, "", 0), 0);
	CHECK_EQ_INT(bbt_run(&dec_vnc, &c, "RFB 003.008", 11), 0);
}

int main(void)
{
	RUN(versions);
	RUN(version_on_other_port);
	RUN(security_types_38);
	RUN(security_type_33);
	RUN(security_failure);
	RUN(client_choice);
	RUN(server_init);
	RUN(server_init_near_misses);
	RUN(type_list_length_mismatch);
	RUN(match_rules);
	return testlib_summary();
}
