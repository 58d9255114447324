// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/ftp.c: the control sessions of zeek-ftp-ipv4.pcap and ndpi-ftp.pcap checked against
 * truth.tsv, and crafted replies and commands: multi-line greetings, lines with no CRLF, NUL bytes, long lines.
 */
#include "testlib.h"
#include "text_banners_test.h"

/* zeek-ftp-ipv4.pcap frame 4, 61 bytes */
static const uint8_t zeek_ftp_f4[] = {
	0x32, 0x32, 0x30, 0x20, 0x66, 0x74, 0x70, 0x2e, 0x4e, 0x65, 0x74, 0x42, 0x53, 0x44, 0x2e, 0x6f,
	0x72, 0x67, 0x20, 0x46, 0x54, 0x50, 0x20, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x20, 0x28, 0x4e,
	0x65, 0x74, 0x42, 0x53, 0x44, 0x2d, 0x66, 0x74, 0x70, 0x64, 0x20, 0x32, 0x30, 0x31, 0x30, 0x30,
	0x33, 0x32, 0x30, 0x29, 0x20, 0x72, 0x65, 0x61, 0x64, 0x79, 0x2e, 0x0d, 0x0a,
};
/* zeek-ftp-ipv4.pcap frame 6, 16 bytes */
static const uint8_t zeek_ftp_f6[] = {
	0x55, 0x53, 0x45, 0x52, 0x20, 0x61, 0x6e, 0x6f, 0x6e, 0x79, 0x6d, 0x6f, 0x75, 0x73, 0x0d, 0x0a,
};
/* zeek-ftp-ipv4.pcap frame 9, 11 bytes */
static const uint8_t zeek_ftp_f9[] = {
	0x50, 0x41, 0x53, 0x53, 0x20, 0x74, 0x65, 0x73, 0x74, 0x0d, 0x0a,
};
/* zeek-ftp-ipv4.pcap frame 16, 6 bytes */
static const uint8_t zeek_ftp_f16[] = {
	0x53, 0x59, 0x53, 0x54, 0x0d, 0x0a,
};
/* zeek-ftp-ipv4.pcap frame 17, 49 bytes */
static const uint8_t zeek_ftp_f17[] = {
	0x32, 0x31, 0x35, 0x20, 0x55, 0x4e, 0x49, 0x58, 0x20, 0x54, 0x79, 0x70, 0x65, 0x3a, 0x20, 0x4c,
	0x38, 0x20, 0x56, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x3a, 0x20, 0x4e, 0x65, 0x74, 0x42, 0x53,
	0x44, 0x2d, 0x66, 0x74, 0x70, 0x64, 0x20, 0x32, 0x30, 0x31, 0x30, 0x30, 0x33, 0x32, 0x30, 0x0d,
	0x0a,
};
/* ndpi-ftp.pcap frame 4, 20 bytes */
static const uint8_t ndpi_ftp_f4[] = {
	0x32, 0x32, 0x30, 0x20, 0x28, 0x76, 0x73, 0x46, 0x54, 0x50, 0x64, 0x20, 0x33, 0x2e, 0x30, 0x2e,
	0x33, 0x29, 0x0d, 0x0a,
};
/* ndpi-ftp.pcap frame 6, 16 bytes */
static const uint8_t ndpi_ftp_f6[] = {
	0x55, 0x53, 0x45, 0x52, 0x20, 0x61, 0x6e, 0x6f, 0x6e, 0x79, 0x6d, 0x6f, 0x75, 0x73, 0x0d, 0x0a,
};
/* ndpi-ftp.pcap frame 10, 13 bytes */
static const uint8_t ndpi_ftp_f10[] = {
	0x50, 0x41, 0x53, 0x53, 0x20, 0x4e, 0x63, 0x46, 0x54, 0x50, 0x40, 0x0d, 0x0a,
};
/* ndpi-ftp.pcap frame 28, 30 bytes */
static const uint8_t ndpi_ftp_f28[] = {
	0x43, 0x4c, 0x4e, 0x54, 0x20, 0x4e, 0x63, 0x46, 0x54, 0x50, 0x20, 0x33, 0x2e, 0x32, 0x2e, 0x36,
	0x20, 0x6d, 0x61, 0x63, 0x6f, 0x73, 0x78, 0x31, 0x30, 0x2e, 0x31, 0x33, 0x0d, 0x0a,
};

TEST(netbsd_session)
{
	struct dec_ctx s = tb_tcp(21, 50003, false), c = tb_tcp(50003, 21, true);
	struct dec_out out;
	bool m;

	/* truth.tsv: 199.233.217.249 ftp_banner, app_protocol FTP; 141.142.220.235 ftp_user anonymous. */
	CHECK(TB_RUN("ftp", &s, zeek_ftp_f4, &out, &m) > 0);
	CHECK(m);
	CHECK_STR(tb_get(&out, "ftp_banner", OBS_SRC),
		  "220 ftp.NetBSD.org FTP server (NetBSD-ftpd 20100320) ready.");
	CHECK_STR(tb_get(&out, "app_protocol", OBS_SRC), "FTP");
	CHECK(TB_RUN("ftp", &c, zeek_ftp_f6, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_user", OBS_SRC), "anonymous");
	CHECK(TB_RUN("ftp", &c, zeek_ftp_f9, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_password_seen", OBS_SRC), "1");
	CHECK(tb_nowhere(&out, "test"));
	CHECK_EQ_INT(TB_RUN("ftp", &c, zeek_ftp_f16, &out, NULL), 0);
	CHECK(TB_RUN("ftp", &s, zeek_ftp_f17, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_syst", OBS_SRC), "UNIX Type: L8 Version: NetBSD-ftpd 20100320");
}

TEST(vsftpd_session)
{
	struct dec_ctx s = tb_tcp(21, 50694, false), c = tb_tcp(50694, 21, true);
	struct dec_out out;

	/* truth.tsv: 90.130.70.73 ftp_banner; 192.168.1.212 ftp_user anonymous. */
	CHECK(TB_RUN("ftp", &s, ndpi_ftp_f4, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_banner", OBS_SRC), "220 (vsFTPd 3.0.3)");
	CHECK(TB_RUN("ftp", &c, ndpi_ftp_f6, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_user", OBS_SRC), "anonymous");
	CHECK(TB_RUN("ftp", &c, ndpi_ftp_f10, &out, NULL) > 0);
	CHECK(tb_nowhere(&out, "NcFTP@"));
	CHECK(TB_RUN("ftp", &c, ndpi_ftp_f28, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_client", OBS_SRC), "NcFTP 3.2.6 macosx10.13");
}

TEST(multi_line_greeting)
{
	struct dec_ctx s = tb_tcp(21, 40000, false);
	struct dec_out out;
	static const char pkt[] = "220-Welcome to the FTP service.\r\n220-Be nice.\r\n220 Ready\r\n";

	CHECK(TB_RUNS("ftp", &s, pkt, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_banner", OBS_SRC), "220 Welcome to the FTP service.");
	CHECK_EQ_INT(tb_count(&out, "ftp_banner"), 1);
}

TEST(continuation_text_is_silent)
{
	struct dec_ctx s = tb_tcp(21, 40000, false);
	struct dec_out out;
	static const char pkt[] = "    The NetBSD Project FTP Server\r\n    located in Redwood City";

	CHECK_EQ_INT(TB_RUNS("ftp", &s, pkt, &out, NULL), 0);
}

TEST(odd_lines)
{
	struct dec_ctx s = tb_tcp(21, 40000, false), c = tb_tcp(40000, 21, true);
	struct dec_out out;
	static const char no_crlf[] = "220 tiny ftpd";
	static const char nul[] = "220 cam\0era ftpd\r\n";
	static const char short_code[] = "22";
	static const char bad_code[] = "2200 x\r\n999 y\r\n";
	static const char cut_user[] = "USER adm";
	static const char pass_cut[] = "PASS hunt";
	static const char lower[] = "user root\nsyst\n";
	static char big[65536 + 8];

	CHECK(TB_RUNS("ftp", &s, no_crlf, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_banner", OBS_SRC), "220 tiny ftpd");
	CHECK(TB_RUNS("ftp", &s, nul, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_banner", OBS_SRC), "220 cam era ftpd");
	CHECK_EQ_INT(TB_RUNS("ftp", &s, short_code, &out, NULL), 0);
	CHECK_EQ_INT(TB_RUNS("ftp", &s, bad_code, &out, NULL), 0);
	/* A USER cut by the end of the packet might be a prefix of the real name: skipped. */
	CHECK_EQ_INT(TB_RUNS("ftp", &c, cut_user, &out, NULL), 0);
	CHECK(TB_RUNS("ftp", &c, pass_cut, &out, NULL) > 0);
	CHECK(tb_nowhere(&out, "hunt"));
	CHECK(TB_RUNS("ftp", &c, lower, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_user", OBS_SRC), "root");

	memcpy(big, "220 ", 4);
	memset(big + 4, 'x', sizeof(big) - 6);
	memcpy(big + sizeof(big) - 2, "\r\n", 2);
	CHECK(TB_RUN("ftp", &s, big, &out, NULL) > 0);
	CHECK_EQ_INT(strlen(tb_get(&out, "ftp_banner", OBS_SRC)), OBS_VALUE_MAX - 1);
}

TEST(direction_without_well_known_source)
{
	/* Both ends on 21 (active-mode oddities): the flow's initiator is the client. */
	struct dec_ctx c = tb_tcp(21, 21, true), s = tb_tcp(21, 21, false);
	struct dec_out out;

	CHECK(TB_RUN("ftp", &c, zeek_ftp_f6, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_user", OBS_SRC), "anonymous");
	CHECK(TB_RUN("ftp", &s, ndpi_ftp_f4, &out, NULL) > 0);
	CHECK_STR(tb_get(&out, "ftp_banner", OBS_SRC), "220 (vsFTPd 3.0.3)");
}

TEST(match_wants_port_21)
{
	struct dec_ctx a = tb_tcp(40000, 21, true), b = tb_tcp(40000, 2121, true), u = tb_udp(40000, 21);
	const struct decoder *d = dec_find("ftp");

	CHECK(d != NULL);
	if (!d)
		return;
	CHECK(d->match(&a, zeek_ftp_f6, sizeof(zeek_ftp_f6)));
	CHECK(!d->match(&b, zeek_ftp_f6, sizeof(zeek_ftp_f6)));
	CHECK(!d->match(&u, zeek_ftp_f6, sizeof(zeek_ftp_f6)));
	CHECK(!d->match(&a, zeek_ftp_f6, 0));
}

int main(void)
{
	RUN(netbsd_session);
	RUN(vsftpd_session);
	RUN(multi_line_greeting);
	RUN(continuation_text_is_silent);
	RUN(odd_lines);
	RUN(direction_without_well_known_source);
	RUN(match_wants_port_21);
	return testlib_summary();
}
