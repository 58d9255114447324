// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/ipp.c. The corpus has no IPP capture, so the messages are crafted from RFC 8010:
 * a Get-Printer-Attributes request over HTTP, a chunked response, a body in a segment of its own, and cuts,
 * lying lengths and non-IPP traffic on port 631.
 */
#include "bb_test.h"

extern const struct decoder dec_ipp;

struct msg {
	uint8_t b[2048];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void puts_(struct msg *m, const char *s)
{
	put(m, s, strlen(s));
}

static void put16(struct msg *m, size_t v)
{
	m->b[m->n++] = (uint8_t)(v >> 8);
	m->b[m->n++] = (uint8_t)v;
}

/* One attribute: tag, name (empty for an additional value), value. */
static void attr(struct msg *m, uint8_t tag, const char *name, const void *val, size_t vlen)
{
	m->b[m->n++] = tag;
	put16(m, strlen(name));
	puts_(m, name);
	put16(m, vlen);
	put(m, val, vlen);
}

static void sattr(struct msg *m, uint8_t tag, const char *name, const char *val)
{
	attr(m, tag, name, val, strlen(val));
}

/* IPP header: version 2.0, operation or status, request id 1, operation-attributes group. */
static void ipp_header(struct msg *m, uint16_t code)
{
	const uint8_t h[] = { 2, 0, (uint8_t)(code >> 8), (uint8_t)code, 0, 0, 0, 1, 0x01 };

	put(m, h, sizeof(h));
	sattr(m, 0x47, "attributes-charset", "utf-8");
	sattr(m, 0x48, "attributes-natural-language", "en-us");
}

static void get_printer_attributes(struct msg *m)
{
	m->n = 0;
	puts_(m, "POST /ipp/print HTTP/1.1\r\nHost: 192.0.2.2:631\r\nContent-Type: application/ipp\r\n"
		 "Content-Length: 177\r\n\r\n");
	ipp_header(m, 0x000b);
	sattr(m, 0x45, "printer-uri", "ipp://192.0.2.2/ipp/print");
	sattr(m, 0x44, "requested-attributes", "printer-make-and-model");
	sattr(m, 0x44, "", "printer-device-id");
	m->b[m->n++] = 0x03;
}

/* The printer-attributes group of a response, from offset 0 of the IPP message. */
static size_t printer_body(struct msg *m)
{
	const uint8_t location[] = { 0, 5, 'e', 'n', '-', 'u', 's', 0, 7, 'F', 'l', 'o', 'o', 'r', ' ', '2' };
	size_t start = m->n;

	ipp_header(m, 0x0000);
	m->b[m->n++] = 0x04;
	sattr(m, 0x41, "printer-make-and-model", "HP LaserJet Pro M404-M405");
	sattr(m, 0x41, "printer-firmware-string-version", "002.2044A");
	sattr(m, 0x41, "", "1.0.3");
	sattr(m, 0x21, "printer-state", "\0\0\0\3");
	sattr(m, 0x41, "printer-device-id", "MFG:HP;MDL:HP LaserJet Pro M404-M405;CMD:PCL,PJL,URF;");
	attr(m, 0x35, "printer-location", location, sizeof(location));
	sattr(m, 0x42, "printer-name", "HP_M404");
	sattr(m, 0x45, "printer-uri-supported", "ipp://192.0.2.2/ipp/print");
	m->b[m->n++] = 0x03;
	return m->n - start;
}

TEST(request)
{
	struct msg m;
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 631, true, 0);

	get_printer_attributes(&m);
	CHECK(bbt_run(&dec_ipp, &c, m.b, m.n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ipp_operation"), "Get-Printer-Attributes");
	CHECK_STR(bbt_get(OBS_DST, "ipp_printer_uri"), "ipp://192.0.2.2/ipp/print");
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "IPP");
	CHECK_STR(bbt_get(OBS_SRC, "app_protocol"), "IPP");
	/* A request's requested-attributes names printer attributes; it describes nothing. */
	CHECK(bbt_get(OBS_DST, "ipp_make_and_model") == NULL);
	CHECK(bbt_get(OBS_SRC, "service") == NULL);
}

TEST(chunked_response)
{
	struct msg m, body;
	char line[16];
	struct dec_ctx c = bbt_ctx(BBT_TCP, 631, 40000, false, 0);

	body.n = 0;
	printer_body(&body);
	m.n = 0;
	puts_(&m, "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nTransfer-Encoding: Chunked\r\n\r\n");
	snprintf(line, sizeof(line), "%zx\r\n", body.n);
	puts_(&m, line);
	put(&m, body.b, body.n);
	puts_(&m, "\r\n0\r\n\r\n");
	CHECK(bbt_run(&dec_ipp, &c, m.b, m.n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ipp_make_and_model"), "HP LaserJet Pro M404-M405");
	CHECK_STR(bbt_get(OBS_SRC, "ipp_firmware"), "002.2044A,1.0.3");
	CHECK_STR(bbt_get(OBS_SRC, "ipp_device_id"), "MFG:HP;MDL:HP LaserJet Pro M404-M405;CMD:PCL,PJL,URF;");
	CHECK_STR(bbt_get(OBS_SRC, "ipp_manufacturer"), "HP");
	CHECK_STR(bbt_get(OBS_SRC, "ipp_model"), "HP LaserJet Pro M404-M405");
	CHECK_STR(bbt_get(OBS_SRC, "ipp_location"), "Floor 2");
	CHECK_STR(bbt_get(OBS_SRC, "ipp_printer_name"), "HP_M404");
	CHECK_STR(bbt_get(OBS_SRC, "service"), "tcp/631");
	CHECK(bbt_get(OBS_SRC, "ipp_operation") == NULL);
	CHECK(bbt_get(OBS_SRC, "ipp_printer_uri") == NULL);

	/* No space after the colon, other headers after it. */
	m.n = 0;
	puts_(&m, "HTTP/1.1 200 OK\r\nTransfer-Encoding:chunked\r\nContent-Type: application/ipp\r\n\r\n");
	puts_(&m, line);
	put(&m, body.b, body.n);
	CHECK(bbt_run(&dec_ipp, &c, m.b, m.n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ipp_location"), "Floor 2");
}

/* The HTTP header in one segment, the IPP body in the next: that one starts with the IPP header. */
TEST(bare_body_segment)
{
	struct msg m;
	struct dec_ctx c = bbt_ctx(BBT_TCP, 631, 40000, false, 1);

	m.n = 0;
	printer_body(&m);
	CHECK(bbt_run(&dec_ipp, &c, m.b, m.n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ipp_make_and_model"), "HP LaserJet Pro M404-M405");
	/* The same as a chunk of its own. */
	m.n = 0;
	puts_(&m, "1F4;x=y\r\n");
	printer_body(&m);
	CHECK(bbt_run(&dec_ipp, &c, m.b, m.n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ipp_printer_name"), "HP_M404");
}

/* The snapshot cuts inside printer-device-id: the attributes before it are whole, it is lost. */
TEST(cut_response)
{
	struct msg m;
	struct dec_ctx c = bbt_ctx(BBT_TCP, 631, 40000, false, 1);
	size_t cut;

	m.n = 0;
	printer_body(&m);
	cut = (size_t)((const uint8_t *)memmem(m.b, m.n, "MFG:", 4) - m.b) + 6;
	c.truncated = true;
	CHECK(bbt_run(&dec_ipp, &c, m.b, cut) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ipp_firmware"), "002.2044A,1.0.3");
	CHECK(bbt_get(OBS_SRC, "ipp_device_id") == NULL);
	CHECK(bbt_get(OBS_SRC, "ipp_manufacturer") == NULL);
}

TEST(lying_lengths)
{
	struct msg m;
	struct dec_ctx c = bbt_ctx(BBT_TCP, 631, 40000, false, 1);
	const uint8_t bad_lang[] = { 0, 50, 'e', 'n' };

	m.n = 0;
	ipp_header(&m, 0);
	m.b[m.n++] = 0x04;
	sattr(&m, 0x41, "printer-info", "Office");
	attr(&m, 0x35, "printer-location", bad_lang, sizeof(bad_lang));
	sattr(&m, 0x41, "printer-make-and-model", "X");
	put16(&m, 0xffff); /* a value length far past the end */
	CHECK(bbt_run(&dec_ipp, &c, m.b, m.n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ipp_printer_info"), "Office");
	CHECK(bbt_get(OBS_SRC, "ipp_location") == NULL);
	/* The garbage after it leaves the last attribute unproven. */
	CHECK(bbt_get(OBS_SRC, "ipp_make_and_model") == NULL);
}

TEST(unknown_operation_and_chunk_limit)
{
	struct msg m;
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 631, true, 1);

	m.n = 0;
	ipp_header(&m, 0x4321);
	CHECK(bbt_run(&dec_ipp, &c, m.b, m.n) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ipp_operation"), "0x4321");
	/* A chunk of 5 bytes ends before the IPP header does: not read as IPP. */
	m.n = 0;
	puts_(&m, "5\r\n");
	ipp_header(&m, 0x000b);
	CHECK_EQ_INT(bbt_run(&dec_ipp, &c, m.b, m.n), 0);
	CHECK_EQ_INT(bbt_out.n, 0);
}

TEST(not_ipp)
{
	const char get[] = "GET /printers/ HTTP/1.1\r\nHost: cups\r\n\r\n";
	const char page[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><head>";
	const char unfinished[] = "POST /ipp/print HTTP/1.1\r\nContent-Type: application/ipp\r\n";
	const char pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 631, true, 0);

	CHECK_EQ_INT(bbt_run(&dec_ipp, &c, get, sizeof(get) - 1), 0);
	CHECK_EQ_INT(bbt_run(&dec_ipp, &c, unfinished, sizeof(unfinished) - 1), 0);
	CHECK_EQ_INT(bbt_run(&dec_ipp, &c, pdf, sizeof(pdf) - 1), 0);
	c = bbt_ctx(BBT_TCP, 631, 40000, false, 0);
	CHECK_EQ_INT(bbt_run(&dec_ipp, &c, page, sizeof(page) - 1), 0);
	CHECK_EQ_INT(bbt_out.n, 0);
}

TEST(match_rules)
{
	struct msg m;
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 80, true, 0);

	get_printer_attributes(&m);
	CHECK(!dec_ipp.match(&c, m.b, m.n));
	c = bbt_ctx(BBT_UDP, 40000, 631, true, 0);
	CHECK(!dec_ipp.match(&c, m.b, m.n));
	CHECK_EQ_INT(bbt_decode(&dec_ipp, &c, m.b, m.n), 0);
	c = bbt_ctx(BBT_TCP, 40000, 631, true, 0);
	CHECK(!dec_ipp.match(&c, m.b, 8));
}

int main(void)
{
	RUN(request);
	RUN(chunked_response);
	RUN(bare_body_segment);
	RUN(cut_response);
	RUN(lying_lengths);
	RUN(unknown_operation_and_chunk_limit);
	RUN(not_ipp);
	RUN(match_rules);
	return testlib_summary();
}
