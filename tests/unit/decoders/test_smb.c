// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/smb.c on crafted negotiations laid out per [MS-CIFS] 2.2.4.52 (SMB1 NEGOTIATE) and
 * [MS-SMB2] 2.2.3/2.2.4 (SMB2 NEGOTIATE request and response), as Windows 10 and Samba send them: the corpus
 * has no SMB capture. Also: cut and malformed headers.
 */
#include "bb_test.h"

extern const struct decoder dec_smb;

static uint8_t pkt[512];

/* NetBIOS session header + SMB1 header (command, flags) + body. Returns the length. */
static size_t smb1(uint8_t cmd, uint8_t flags, const uint8_t *body, size_t bn)
{
	size_t n = 4 + 32 + bn;

	memset(pkt, 0, sizeof(pkt));
	pkt[1] = (uint8_t)((n - 4) >> 16), pkt[2] = (uint8_t)((n - 4) >> 8), pkt[3] = (uint8_t)(n - 4);
	memcpy(pkt + 4, "\xffSMB", 4);
	pkt[8] = cmd;
	pkt[13] = flags;
	memcpy(pkt + 36, body, bn);
	return n;
}

/* NetBIOS session header + SMB2 header (command, flags) + body. */
static size_t smb2(uint16_t cmd, uint32_t flags, const uint8_t *body, size_t bn)
{
	size_t n = 4 + 64 + bn;

	memset(pkt, 0, sizeof(pkt));
	pkt[1] = (uint8_t)((n - 4) >> 16), pkt[2] = (uint8_t)((n - 4) >> 8), pkt[3] = (uint8_t)(n - 4);
	memcpy(pkt + 4, "\xfeSMB", 4);
	pkt[8] = 64; /* StructureSize */
	pkt[16] = (uint8_t)cmd, pkt[17] = (uint8_t)(cmd >> 8);
	pkt[20] = (uint8_t)flags;
	memcpy(pkt + 68, body, bn);
	return n;
}

/* SMB1 NEGOTIATE request: WordCount 0, ByteCount, then 0x02 "dialect" NUL ... */
static const uint8_t smb1_dialects[] = {
	0x00, 0x22, 0x00, 0x02, 'N', 'T', ' ', 'L', 'M', ' ', '0', '.', '1', '2', 0x00, 0x02, 'S', 'M', 'B', ' ',
	'2', '.', '0', '0', '2', 0x00, 0x02, 'S', 'M', 'B', ' ', '2', '.', '?', '?', '?', 0x00,
};

TEST(smb1_negotiate_request_lists_dialects)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 50000, 445, true, 0);
	size_t n = smb1(0x72, 0x18, smb1_dialects, sizeof(smb1_dialects));

	CHECK(bbt_run(&dec_smb, &c, pkt, n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "smb_dialects"), "NT LM 0.12,SMB 2.002,SMB 2.???");
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "SMB");
	CHECK(bbt_get(OBS_SRC, "smb_version") == NULL); /* a client offering SMB1 is not a server speaking it */
}

TEST(smb1_server_response_is_smbv1)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 445, 50000, false, 0);
	uint8_t body[40] = { 17 }; /* WordCount 17: NT LM 0.12 */
	size_t n = smb1(0x72, 0x98, body, sizeof(body));

	CHECK(bbt_run(&dec_smb, &c, pkt, n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "smb_version"), "1");
	CHECK_STR(bbt_get(OBS_SRC, "smb_dialect"), "NT LM 0.12");
	CHECK_STR(bbt_get(OBS_SRC, "service"), "tcp/445");
	CHECK_STR(bbt_get(OBS_SRC, "app_protocol"), "SMB");
}

TEST(smb2_negotiate_request_and_response)
{
	struct dec_ctx cli = bbt_ctx(BBT_TCP, 50001, 445, true, 0), srv = bbt_ctx(BBT_TCP, 445, 50001, false, 0);
	uint8_t req[46] = { 36, 0, 5, 0, 1, 0 }, rsp[64] = { 65, 0, 1, 0, 0x11, 0x03 };
	const uint16_t dialects[5] = { 0x0202, 0x0210, 0x0300, 0x0302, 0x0311 };
	size_t n;

	for (int i = 0; i < 5; i++)
		req[36 + 2 * i] = (uint8_t)dialects[i], req[37 + 2 * i] = (uint8_t)(dialects[i] >> 8);
	n = smb2(0, 0, req, sizeof(req));
	CHECK(bbt_run(&dec_smb, &cli, pkt, n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "smb_dialects"), "2.0.2,2.1,3.0,3.0.2,3.1.1");
	n = smb2(0, 1, rsp, sizeof(rsp));
	CHECK(bbt_run(&dec_smb, &srv, pkt, n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "smb_dialect"), "3.1.1");
	CHECK_STR(bbt_get(OBS_SRC, "smb_version"), "3");
	rsp[4] = 0x10, rsp[5] = 0x02;
	n = smb2(0, 1, rsp, sizeof(rsp));
	CHECK(bbt_run(&dec_smb, &srv, pkt, n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "smb_version"), "2");
}

TEST(malformed_and_cut)
{
	struct dec_ctx srv = bbt_ctx(BBT_TCP, 445, 50002, false, 0), other = bbt_ctx(BBT_TCP, 8445, 50002, false, 0);
	uint8_t rsp[64] = { 65, 0 };
	size_t n = smb2(0, 1, rsp, sizeof(rsp));

	CHECK_EQ_INT(bbt_run(&dec_smb, &srv, pkt, 40), -1); /* SMB2 header cut */
	pkt[8] = 63;					   /* wrong StructureSize */
	CHECK_EQ_INT(bbt_run(&dec_smb, &srv, pkt, n), -1);
	CHECK_EQ_INT(bbt_run(&dec_smb, &other, pkt, n), -100); /* not an SMB port: no match */
	CHECK_EQ_INT(bbt_run(&dec_smb, &srv, (const uint8_t *)"\x00\x00\x00\x10GET / HTTP", 14), -100);
	n = smb1(0x72, 0x18, (const uint8_t *)"\x00\x40\x00\x02NT LM", 9); /* dialect without its NUL */
	CHECK(bbt_run(&dec_smb, &srv, pkt, n) >= 0);
	CHECK_EQ_INT(bbt_run(&dec_smb, &srv, pkt, 20), -1); /* SMB1 header cut */
}

int main(void)
{
	RUN(smb1_negotiate_request_lists_dialects);
	RUN(smb1_server_response_is_smbv1);
	RUN(smb2_negotiate_request_and_response);
	RUN(malformed_and_cut);
	return testlib_summary();
}
