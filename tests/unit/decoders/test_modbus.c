// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/modbus.c: real ADUs from the corpus (zeek-modbus-p502.pcap, ndpi-modbus.pcap,
 * ndpi-umas.pcap) checked against truth.tsv, and crafted ADUs for every branch (exceptions, writes, device
 * identification, several ADUs per packet, lying lengths, bad protocol ids, truncation).
 */
#include "decoders/decoder.h"
#include "testlib.h"
#include "ot_testutil.h"

extern const struct decoder dec_modbus;

#define TCP 6

/* zeek-modbus-p502.pcap frame 4: 10.0.0.9:3082 -> 10.0.0.3:502 tcp, 12 bytes (read coils, unit 10) */
static const uint8_t zeek_req[] = {
	0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x0a, 0x01, 0x00, 0x00, 0x00, 0x01,
};
/* zeek-modbus-p502.pcap frame 5: 10.0.0.3:502 -> 10.0.0.9:3082 tcp, 10 bytes */
static const uint8_t zeek_resp[] = {
	0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x0a, 0x01, 0x01, 0x00,
};
/* zeek-modbus-p502.pcap frame 19: 10.0.0.9:3082 -> 10.0.0.3:502 tcp, 12 bytes (write single register) */
static const uint8_t zeek_write[] = {
	0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x0a, 0x06, 0x00, 0x05, 0x00, 0x0b,
};
/* zeek-modbus-p502.pcap frame 72: 192.168.10.113:502 -> 159.203.208.13:33752 tcp: not Modbus (protocol id) */
static const uint8_t zeek_nonmodbus[] = {
	0x4d, 0x47, 0x4c, 0x4e, 0x00, 0x03, 0x5f, 0xb1, 0x01,
};
/* zeek-modbus-p502.pcap frame 29: 87.236.176.106:38129 -> 192.168.10.111:502 tcp (a DCE/RPC probe) */
static const uint8_t zeek_dcerpc[] = {
	0x05, 0x00, 0x0b, 0x03, 0x10, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0xb8, 0x10, 0xb8, 0x10, 0x00, 0x00, 0x00, 0x00,
};
/* ndpi-modbus.pcap frame 4: 192.168.110.138:502 -> 192.168.110.131:2074 tcp, 11 bytes */
static const uint8_t ndpi_resp[] = {
	0x00, 0xd2, 0x00, 0x00, 0x00, 0x05, 0x01, 0x03, 0x02, 0x41, 0xc8,
};
/* ndpi-umas.pcap frame 4: 192.168.63.100:7718 -> 192.168.63.253:502 tcp, 10 bytes (UMAS read_id) */
static const uint8_t umas_req[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x00, 0x02,
};
/* ndpi-umas.pcap frame 6: 192.168.63.253:502 -> 192.168.63.100:7718 tcp, 56 bytes */
static const uint8_t umas_resp[] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x00, 0x5a, 0x00, 0xfe, 0x10, 0xff,
	0x5a, 0x01, 0x01, 0x00, 0x00, 0x00, 0x70, 0x02, 0x00, 0x00, 0x27, 0x00,
	0x09, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x31, 0x34, 0x30,
	0x20, 0x43, 0x50, 0x55, 0x20, 0x33, 0x31, 0x31, 0x20, 0x31, 0x30, 0x01,
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00,
};

static struct dec_out out;

static struct dec_ctx to_server(void)
{
	return ot_ctx(TCP, "10.0.0.9", 3082, "10.0.0.3", 502, true);
}

static struct dec_ctx to_client(void)
{
	return ot_ctx(TCP, "10.0.0.3", 502, "10.0.0.9", 3082, false);
}

TEST(zeek_request_truth)
{
	struct dec_ctx c = to_server();

	CHECK(ot_run(&dec_modbus, &c, zeek_req, sizeof(zeek_req), &out) > 0);
	/* truth.tsv: 10.0.0.3 app_protocol Modbus(/TCP), modbus_unit_id 10; 10.0.0.9 modbus_role client */
	CHECK_STR(ot_find(&out, "app_protocol", OBS_DST), "Modbus");
	CHECK_STR(ot_find(&out, "modbus_unit_id", OBS_DST), "10");
	CHECK_STR(ot_find(&out, "modbus_role", OBS_SRC), "client");
	CHECK_STR(ot_find(&out, "modbus_role", OBS_DST), "server");
	CHECK_STR(ot_find(&out, "modbus_function", OBS_SRC), "read_coils");
	CHECK(ot_find(&out, "app_protocol", OBS_SRC) == NULL);
	CHECK(ot_find(&out, "modbus_write", OBS_SRC) == NULL);
}

TEST(zeek_response_truth)
{
	struct dec_ctx c = to_client();

	CHECK(ot_run(&dec_modbus, &c, zeek_resp, sizeof(zeek_resp), &out) > 0);
	CHECK_STR(ot_find(&out, "app_protocol", OBS_SRC), "Modbus");
	CHECK_STR(ot_find(&out, "modbus_unit_id", OBS_SRC), "10");
	CHECK_STR(ot_find(&out, "modbus_role", OBS_DST), "client");
	CHECK_STR(ot_find(&out, "modbus_role", OBS_SRC), "server");
}

TEST(zeek_write_single_register)
{
	struct dec_ctx c = to_server();

	CHECK(ot_run(&dec_modbus, &c, zeek_write, sizeof(zeek_write), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_function", OBS_SRC), "write_single_register");
	CHECK_STR(ot_find(&out, "modbus_write", OBS_SRC), "fc=6 addr=5 value=11");
	CHECK_STR(ot_find(&out, "modbus_write", OBS_DST), "fc=6 addr=5 value=11");

	/* The echo from the server is no new write. */
	c = to_client();
	CHECK(ot_run(&dec_modbus, &c, zeek_write, sizeof(zeek_write), &out) > 0);
	CHECK_EQ_INT(ot_count(&out, "modbus_write"), 0);
}

TEST(zeek_non_modbus_on_port_502)
{
	struct dec_ctx c = ot_ctx(TCP, "192.168.10.113", 502, "159.203.208.13", 33752, false);

	CHECK_EQ_INT(ot_run(&dec_modbus, &c, zeek_nonmodbus, sizeof(zeek_nonmodbus), &out), -2);
	CHECK_EQ_INT(dec_modbus.decode(&c, zeek_nonmodbus, sizeof(zeek_nonmodbus), &out), -1);
	CHECK_EQ_INT(out.n, 0);
	c = ot_ctx(TCP, "87.236.176.106", 38129, "192.168.10.111", 502, true);
	CHECK_EQ_INT(ot_run(&dec_modbus, &c, zeek_dcerpc, sizeof(zeek_dcerpc), &out), -2);
	CHECK_EQ_INT(dec_modbus.decode(&c, zeek_dcerpc, sizeof(zeek_dcerpc), &out), -1);
	CHECK_EQ_INT(out.n, 0);
}

TEST(ndpi_response_truth)
{
	struct dec_ctx c = ot_ctx(TCP, "192.168.110.138", 502, "192.168.110.131", 2074, false);

	CHECK(ot_run(&dec_modbus, &c, ndpi_resp, sizeof(ndpi_resp), &out) > 0);
	/* truth.tsv: 192.168.110.138 app_protocol Modbus */
	CHECK_STR(ot_find(&out, "app_protocol", OBS_SRC), "Modbus");
	CHECK_STR(ot_find(&out, "modbus_unit_id", OBS_SRC), "1");
	CHECK_STR(ot_find(&out, "modbus_function", OBS_DST), "read_holding_registers");
}

TEST(umas_truth)
{
	/* A capture may start mid-flow: the port, not the initiator flag, says who the server is. */
	struct dec_ctx c = ot_ctx(TCP, "192.168.63.100", 7718, "192.168.63.253", 502, false);

	CHECK(ot_run(&dec_modbus, &c, umas_req, sizeof(umas_req), &out) > 0);
	/* truth.tsv: 192.168.63.253 app_protocol Modbus.UMAS */
	CHECK(ot_has(&out, "app_protocol", OBS_DST, "Modbus.UMAS"));
	CHECK(ot_has(&out, "app_protocol", OBS_DST, "Modbus"));
	CHECK_STR(ot_find(&out, "modbus_umas_function", OBS_SRC), "read_id");

	c = ot_ctx(TCP, "192.168.63.253", 502, "192.168.63.100", 7718, true);
	CHECK(ot_run(&dec_modbus, &c, umas_resp, sizeof(umas_resp), &out) > 0);
	CHECK(ot_has(&out, "app_protocol", OBS_SRC, "Modbus.UMAS"));
}

TEST(umas_stop_and_write)
{
	const uint8_t stop[] = { 0x00, 0x07, 0x00, 0x00, 0x00, 0x05, 0x00, 0x5a, 0x01, 0x41, 0xff };
	const uint8_t wr[] = { 0x00, 0x08, 0x00, 0x00, 0x00, 0x05, 0x00, 0x5a, 0x01, 0x23, 0x00 };
	const uint8_t unk[] = { 0x00, 0x08, 0x00, 0x00, 0x00, 0x04, 0x00, 0x5a, 0x01, 0x99 };
	struct dec_ctx c = to_server();

	CHECK(ot_run(&dec_modbus, &c, stop, sizeof(stop), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_control", OBS_SRC), "umas=stop_plc");
	CHECK_STR(ot_find(&out, "modbus_control", OBS_DST), "umas=stop_plc");
	CHECK(ot_run(&dec_modbus, &c, wr, sizeof(wr), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_DST), "umas=write_variables");
	CHECK(ot_run(&dec_modbus, &c, unk, sizeof(unk), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_umas_function", OBS_SRC), "0x99");
}

TEST(write_function_codes)
{
	const uint8_t fc5[] = { 0, 1, 0, 0, 0, 6, 1, 0x05, 0x00, 0x10, 0xff, 0x00 };
	const uint8_t fc5odd[] = { 0, 1, 0, 0, 0, 6, 1, 0x05, 0x00, 0x10, 0x12, 0x34 };
	const uint8_t fc15[] = { 0, 1, 0, 0, 0, 8, 1, 0x0f, 0x00, 0x13, 0x00, 0x0a, 0x01, 0xcd };
	const uint8_t fc16[] = { 0, 1, 0, 0, 0, 11, 1, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0, 10, 1, 2 };
	const uint8_t fc21[] = { 0, 1, 0, 0, 0, 12, 1, 0x15, 0x0a, 0x06, 0x00, 0x04,
				 0x00, 0x07, 0x00, 0x01, 0x06, 0xaf };
	const uint8_t fc22[] = { 0, 1, 0, 0, 0, 8, 1, 0x16, 0x00, 0x04, 0x00, 0xf2, 0x00, 0x25 };
	const uint8_t fc23[] = { 0, 1, 0, 0, 0, 17, 1, 0x17, 0, 3, 0, 6, 0, 14, 0, 3,
				 6, 0, 0xff, 0, 0xff, 0, 0xff };
	struct dec_ctx c = to_server();

	ot_run(&dec_modbus, &c, fc5, sizeof(fc5), &out);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_SRC), "fc=5 addr=16 value=on");
	ot_run(&dec_modbus, &c, fc5odd, sizeof(fc5odd), &out);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_SRC), "fc=5 addr=16 value=0x1234");
	ot_run(&dec_modbus, &c, fc15, sizeof(fc15), &out);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_DST), "fc=15 addr=19 count=10");
	ot_run(&dec_modbus, &c, fc16, sizeof(fc16), &out);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_SRC), "fc=16 addr=1 count=2");
	ot_run(&dec_modbus, &c, fc21, sizeof(fc21), &out);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_SRC), "fc=21 file=4 record=7");
	ot_run(&dec_modbus, &c, fc22, sizeof(fc22), &out);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_SRC), "fc=22 addr=4 and=0x00f2 or=0x0025");
	ot_run(&dec_modbus, &c, fc23, sizeof(fc23), &out);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_SRC), "fc=23 addr=14 count=3");
	CHECK_STR(ot_find(&out, "modbus_function", OBS_SRC), "read_write_multiple_registers");
}

TEST(write_cut_short_still_reported)
{
	/* The MBAP length says 2: unit and function code only. */
	const uint8_t fc6[] = { 0, 1, 0, 0, 0, 2, 1, 0x06 };
	struct dec_ctx c = to_server();

	CHECK(ot_run(&dec_modbus, &c, fc6, sizeof(fc6), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_write", OBS_SRC), "fc=6");
}

TEST(diagnostics_restart)
{
	const uint8_t d[] = { 0, 1, 0, 0, 0, 6, 1, 0x08, 0x00, 0x01, 0xff, 0x00 };
	const uint8_t echo[] = { 0, 1, 0, 0, 0, 6, 1, 0x08, 0x00, 0x00, 0x12, 0x34 };
	struct dec_ctx c = to_server();

	ot_run(&dec_modbus, &c, d, sizeof(d), &out);
	CHECK_STR(ot_find(&out, "modbus_control", OBS_DST), "fc=8 sub=1 restart_communications");
	ot_run(&dec_modbus, &c, echo, sizeof(echo), &out);
	CHECK_EQ_INT(ot_count(&out, "modbus_control"), 0);
	CHECK_STR(ot_find(&out, "modbus_function", OBS_SRC), "diagnostics");
}

TEST(exception_response)
{
	const uint8_t e[] = { 0, 1, 0, 0, 0, 3, 1, 0x83, 0x02 };
	const uint8_t e2[] = { 0, 1, 0, 0, 0, 3, 1, 0x81, 0x07 };
	struct dec_ctx c = to_client();

	CHECK(ot_run(&dec_modbus, &c, e, sizeof(e), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_exception", OBS_SRC), "fc=3 code=2 (illegal_data_address)");
	CHECK(ot_run(&dec_modbus, &c, e2, sizeof(e2), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_exception", OBS_SRC), "fc=1 code=7 (unknown)");
}

TEST(read_device_identification)
{
	const uint8_t r[] = {
		0x00, 0x05, 0x00, 0x00, 0x00, 0x2f, 0x01, 0x2b, 0x0e, 0x02, 0x82, 0x00, 0x00, 0x05,
		0x00, 0x12, 'S', 'c', 'h', 'n', 'e', 'i', 'd', 'e', 'r', ' ',
		'E', 'l', 'e', 'c', 't', 'r', 'i', 'c',
		0x01, 0x06, 'B', 'M', 'X', 'P', '3', '4',
		0x02, 0x04, 'v', '2', '.', '8',
		0x05, 0x00,
		0x09, 0x01, 'x',
	};
	const uint8_t req[] = { 0, 5, 0, 0, 0, 5, 1, 0x2b, 0x0e, 0x01, 0x00 };
	struct dec_ctx c = to_client();

	CHECK(ot_run(&dec_modbus, &c, r, sizeof(r), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_vendor", OBS_SRC), "Schneider Electric");
	CHECK_STR(ot_find(&out, "modbus_product_code", OBS_SRC), "BMXP34");
	CHECK_STR(ot_find(&out, "modbus_revision", OBS_SRC), "v2.8");
	CHECK(ot_find(&out, "modbus_model_name", OBS_SRC) == NULL); /* empty value */
	CHECK_STR(ot_find(&out, "modbus_function", OBS_DST), "read_device_identification");

	c = to_server();
	CHECK(ot_run(&dec_modbus, &c, req, sizeof(req), &out) > 0);
	CHECK(ot_find(&out, "modbus_vendor", OBS_DST) == NULL);
}

TEST(device_identification_lying_object_length)
{
	/* Second object claims 200 bytes: the first is kept, nothing is read past the PDU. */
	const uint8_t r[] = {
		0x00, 0x05, 0x00, 0x00, 0x00, 0x11, 0x01, 0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x03,
		0x00, 0x03, 'A', 'B', 'C', 0x01, 200, 'x', 'y',
	};
	struct dec_ctx c = to_client();

	CHECK(ot_run(&dec_modbus, &c, r, sizeof(r), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_vendor", OBS_SRC), "ABC");
	CHECK(ot_find(&out, "modbus_product_code", OBS_SRC) == NULL);
	ot_all_prefixes(&dec_modbus, &c, r, sizeof(r));
}

TEST(several_adus_in_one_packet)
{
	const uint8_t p[] = {
		0, 1, 0, 0, 0, 6, 1, 0x03, 0, 0, 0, 1,	     /* read holding registers, unit 1 */
		0, 2, 0, 0, 0, 6, 2, 0x06, 0, 9, 0, 3,	     /* write single register, unit 2 */
		0, 3, 0, 0, 0, 6, 1, 0x03, 0, 0, 0, 1,	     /* a repeat: no new facts */
		0, 4, 0, 0, 0, 6, 3, 0x05, 0, 1, 0xff, 0x00, /* write single coil, unit 3 */
	};
	struct dec_ctx c = to_server();

	CHECK(ot_run(&dec_modbus, &c, p, sizeof(p), &out) > 0);
	CHECK(ot_has(&out, "modbus_unit_id", OBS_DST, "1"));
	CHECK(ot_has(&out, "modbus_unit_id", OBS_DST, "2"));
	CHECK(ot_has(&out, "modbus_unit_id", OBS_DST, "3"));
	CHECK(ot_has(&out, "modbus_write", OBS_SRC, "fc=6 addr=9 value=3"));
	CHECK(ot_has(&out, "modbus_write", OBS_SRC, "fc=5 addr=1 value=on"));
	CHECK_EQ_INT(ot_count(&out, "app_protocol"), 1);
	CHECK_EQ_INT(ot_count(&out, "modbus_unit_id"), 3);
}

TEST(bounded_adu_loop)
{
	uint8_t p[12 * 40];
	struct dec_ctx c = to_server();

	for (int i = 0; i < 40; i++) {
		const uint8_t adu[] = { 0, (uint8_t)i, 0, 0, 0, 6, (uint8_t)i, 0x03, 0, 0, 0, 1 };

		memcpy(p + 12 * i, adu, 12);
	}
	CHECK(ot_run(&dec_modbus, &c, p, sizeof(p), &out) > 0);
	CHECK_EQ_INT(ot_count(&out, "modbus_unit_id"), 16);
}

TEST(lying_length_and_bad_headers)
{
	const uint8_t longer[] = { 0, 1, 0, 0, 0, 0x20, 1, 0x03, 0, 0, 0, 1 };
	const uint8_t zero_len[] = { 0, 1, 0, 0, 0, 1, 1, 0x03, 0, 0, 0, 1 };
	const uint8_t huge_len[] = { 0, 1, 0, 0, 1, 0, 1, 0x03, 0, 0, 0, 1 };
	const uint8_t fc0[] = { 0, 1, 0, 0, 0, 6, 1, 0x00, 0, 0, 0, 1 };
	const uint8_t proto1[] = { 0, 1, 0, 1, 0, 6, 1, 0x03, 0, 0, 0, 1 };
	/* Good first ADU, then a second one that lies: the first still counts. */
	const uint8_t good_then_bad[] = { 0, 1, 0, 0, 0, 6, 1, 0x03, 0, 0, 0, 1,
					  0, 2, 0, 0, 0, 0x40, 1, 0x06, 0, 1 };
	struct dec_ctx c = to_server();

	CHECK_EQ_INT(ot_run(&dec_modbus, &c, longer, sizeof(longer), &out), -1);
	CHECK_EQ_INT(out.n, 0);
	CHECK_EQ_INT(ot_run(&dec_modbus, &c, zero_len, sizeof(zero_len), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_modbus, &c, huge_len, sizeof(huge_len), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_modbus, &c, fc0, sizeof(fc0), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_modbus, &c, proto1, sizeof(proto1), &out), -2);
	CHECK(ot_run(&dec_modbus, &c, good_then_bad, sizeof(good_then_bad), &out) > 0);
	CHECK_EQ_INT(ot_count(&out, "modbus_write"), 0);

	/* A snapshot-truncated packet: what is there is still read. */
	c.truncated = true;
	CHECK(ot_run(&dec_modbus, &c, longer, sizeof(longer), &out) > 0);
	CHECK_STR(ot_find(&out, "modbus_function", OBS_SRC), "read_holding_registers");
}

TEST(match_needs_port_and_transport)
{
	struct dec_ctx c = ot_ctx(TCP, "10.0.0.9", 3082, "10.0.0.3", 503, true);

	CHECK(!dec_modbus.match(&c, zeek_req, sizeof(zeek_req)));
	c = to_server();
	c.l4_proto = 1;
	CHECK(!dec_modbus.match(&c, zeek_req, sizeof(zeek_req)));
	c = to_server();
	CHECK(!dec_modbus.match(&c, zeek_req, 7));
	CHECK(dec_modbus.match(&c, zeek_req, 8));
}

TEST(truncated_everywhere)
{
	struct dec_ctx c = to_client();

	ot_all_prefixes(&dec_modbus, &c, umas_resp, sizeof(umas_resp));
	c = to_server();
	ot_all_prefixes(&dec_modbus, &c, zeek_write, sizeof(zeek_write));
	CHECK(1);
}

TEST(no_facts_on_broadcast)
{
	struct dec_ctx c = ot_ctx(17, "10.0.0.9", 3082, "10.0.0.255", 502, true);

	CHECK(ot_run(&dec_modbus, &c, zeek_req, sizeof(zeek_req), &out) > 0);
	CHECK(ot_find(&out, "app_protocol", OBS_DST) == NULL);
	CHECK_STR(ot_find(&out, "modbus_role", OBS_SRC), "client");
}

int main(void)
{
	RUN(zeek_request_truth);
	RUN(zeek_response_truth);
	RUN(zeek_write_single_register);
	RUN(zeek_non_modbus_on_port_502);
	RUN(ndpi_response_truth);
	RUN(umas_truth);
	RUN(umas_stop_and_write);
	RUN(write_function_codes);
	RUN(write_cut_short_still_reported);
	RUN(diagnostics_restart);
	RUN(exception_response);
	RUN(read_device_identification);
	RUN(device_identification_lying_object_length);
	RUN(several_adus_in_one_packet);
	RUN(bounded_adu_loop);
	RUN(lying_length_and_bad_headers);
	RUN(match_needs_port_and_transport);
	RUN(truncated_everywhere);
	RUN(no_facts_on_broadcast);
	return testlib_summary();
}
