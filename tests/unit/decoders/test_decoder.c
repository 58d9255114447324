// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/decoder.c: the emitters every decoder relies on to neutralise wire bytes. */
#include <sys/socket.h>

#include "decoders/decoder.h"
#include "testlib.h"

TEST(emit_trims_and_neutralises_control_bytes)
{
	struct dec_out out = { 0 };
	const char raw[] = "  SSH-2.0-Evil\x1b[31m\0tail\r\n";
	struct iot_obs *o = dec_emit(&out, OBS_SRC, "ssh_server_banner", raw, sizeof(raw) - 1, 90);

	CHECK(o != NULL);
	CHECK_STR(o->value, "SSH-2.0-Evil [31m tail");
	CHECK_STR(o->key, "ssh_server_banner");
	CHECK_EQ_INT(o->subject, OBS_SRC);
}

TEST(emit_skips_empty_values)
{
	struct dec_out out = { 0 };

	CHECK(dec_emit(&out, OBS_SRC, "k", " \r\n", 3, 90) == NULL);
	CHECK_EQ_INT(out.n, 0);
}

TEST(emit_counts_overflow)
{
	struct dec_out out = { 0 };

	for (int i = 0; i < DEC_OUT_MAX + 5; i++)
		dec_emitf(&out, OBS_DST, "k", "%d", i);
	CHECK_EQ_INT(out.n, DEC_OUT_MAX);
	CHECK_EQ_INT(out.dropped, 5);
}

TEST(emit_cuts_long_values)
{
	struct dec_out out = { 0 };
	char big[2000];

	memset(big, 'a', sizeof(big));
	struct iot_obs *o = dec_emit(&out, OBS_SRC, "k", big, sizeof(big), 90);
	CHECK(o != NULL);
	CHECK_EQ_INT(strlen(o->value), OBS_VALUE_MAX - 1);
}

TEST(format_addresses)
{
	struct iot_addr a;
	char buf[64];
	const uint8_t v4[4] = { 198, 18, 0, 7 };
	const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	dec_addr_from_v4(&a, v4);
	dec_format_addr(&a, buf, sizeof(buf));
	CHECK_STR(buf, "198.18.0.7");
	dec_addr_from_v6(&a, v6);
	dec_format_addr(&a, buf, sizeof(buf));
	CHECK_STR(buf, "2001:db8::1");
}

TEST(format_mac_and_hex)
{
	const uint8_t mac[6] = { 0x00, 0x0b, 0x82, 0xaa, 0xbb, 0xcc };
	char buf[18], hex[9];

	dec_format_mac(mac, buf);
	CHECK_STR(buf, "00:0b:82:aa:bb:cc");
	dec_hex(mac, 4, hex);
	CHECK_STR(hex, "000b82aa");
}

int main(void)
{
	RUN(emit_trims_and_neutralises_control_bytes);
	RUN(emit_skips_empty_values);
	RUN(emit_counts_overflow);
	RUN(emit_cuts_long_values);
	RUN(format_addresses);
	RUN(format_mac_and_hex);
	return testlib_summary();
}
