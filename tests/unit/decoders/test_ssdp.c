// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/ssdp.c: real M-SEARCH and NOTIFY messages from ndpi-ssdp-msearch-ua.pcap,
 * ndpi-lan-telegram.pcap and ndpi-lan-1kxun.pcap checked against truth.tsv, then crafted responses, odd header
 * spellings, line endings and cut or foreign payloads.
 */
#include "testlib.h"
#include "names_test.h"

extern const struct decoder dec_ssdp;

/* Real payloads (UDP payload bytes, as captured; text, so written as strings: use sizeof - 1). */
/* ndpi-ssdp-msearch-ua.pcap frame 1: 192.168.242.50:56446 -> 239.255.255.250:1900 */
static const char chrome99_msearch[] =
	"M-SEARCH * HTTP/1.1\r\n"
	"HOST: 239.255.255.250:1900\r\n"
	"MAN: \"ssdp:discover\"\r\n"
	"MX: 1\r\n"
	"ST: urn:dial-multiscreen-org:service:dial:1\r\n"
	"USER-AGENT: Google Chrome/99.0.4844.74 Mac OS X\r\n"
	"\r\n";
/* ndpi-lan-telegram.pcap frame 748: 192.168.1.77:52127 -> 239.255.255.250:1900 */
static const char chrome83_msearch[] =
	"M-SEARCH * HTTP/1.1\r\n"
	"HOST: 239.255.255.250:1900\r\n"
	"MAN: \"ssdp:discover\"\r\n"
	"MX: 1\r\n"
	"ST: urn:dial-multiscreen-org:service:dial:1\r\n"
	"USER-AGENT: Google Chrome/83.0.4103.34 Mac OS X\r\n"
	"\r\n";
/* ndpi-lan-1kxun.pcap frame 693: 192.168.5.49:1900 -> 239.255.255.250:1900 */
static const char windows_notify[] =
	"NOTIFY * HTTP/1.1\r\n"
	"Host: 239.255.255.250:1900\r\n"
	"NT: urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1\r\n"
	"NTS: ssdp:alive\r\n"
	"Location: http://192.168.5.49:2869/upnphost/udhisapi.dll?content=uuid:9319395a-4d03-4750-bb1b-4663933"
	"ab812\r\n"
	"USN: uuid:9319395a-4d03-4750-bb1b-4663933ab812::urn:microsoft.com:service:X_MS_MediaReceiverRegistrar"
	":1\r\n"
	"Cache-Control: max-age=900\r\n"
	"Server: Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0\r\n"
	"OPT:\"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n"
	"01-NLS: d07b435d299b41784ca3d2ae2b959948\r\n"
	"\r\n";
/* ndpi-lan-1kxun.pcap frame 3: 192.168.5.57:55809 -> 239.255.255.250:1900 */
static const char igd_msearch[] =
	"M-SEARCH * HTTP/1.1\r\n"
	"Host:239.255.255.250:1900\r\n"
	"ST:urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
	"Man:\"ssdp:discover\"\r\n"
	"MX:3\r\n"
	"\r\n";

#define RUN_TEXT(c, s, out) nt_run(&dec_ssdp, (c), (const uint8_t *)(s), sizeof(s) - 1, (out))

static struct dec_ctx search_ctx(const char *src)
{
	return nt_ctx(IPPROTO_UDP, src, 50000, "239.255.255.250", 1900);
}

/* truth: ndpi-ssdp-msearch-ua.pcap 192.168.242.50 ssdp_user_agent, app_protocol SSDP */
TEST(real_msearch_with_user_agent)
{
	struct dec_ctx c = search_ctx("192.168.242.50");
	struct dec_out out;

	CHECK(RUN_TEXT(&c, chrome99_msearch, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_user_agent"), "Google Chrome/99.0.4844.74 Mac OS X");
	CHECK_STR(nt_value(&out, OBS_SRC, "app_protocol"), "SSDP");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_method"), "M-SEARCH");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_st"), "urn:dial-multiscreen-org:service:dial:1");
	CHECK_EQ_INT(nt_count(&out, "ssdp_nt"), 0);
	CHECK_EQ_INT(out.n, 4);

	/* truth: ndpi-lan-telegram.pcap 192.168.1.77 */
	c = search_ctx("192.168.1.77");
	CHECK(RUN_TEXT(&c, chrome83_msearch, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_user_agent"), "Google Chrome/83.0.4103.34 Mac OS X");
	CHECK(nt_has(&out, OBS_SRC, "app_protocol", "SSDP"));
}

/* truth: ndpi-lan-1kxun.pcap 192.168.5.57 app_protocol SSDP (no blanks after the colons) */
TEST(real_msearch_without_blanks)
{
	struct dec_ctx c = search_ctx("192.168.5.57");
	struct dec_out out;

	CHECK(RUN_TEXT(&c, igd_msearch, &out) > 0);
	CHECK(nt_has(&out, OBS_SRC, "app_protocol", "SSDP"));
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_st"), "urn:schemas-upnp-org:device:InternetGatewayDevice:1");
	CHECK_EQ_INT(nt_count(&out, "ssdp_user_agent"), 0);
}

/* truth: ndpi-lan-1kxun.pcap 192.168.5.49 app_protocol SSDP */
TEST(real_notify)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "192.168.5.49", 1900, "239.255.255.250", 1900);
	struct dec_out out;

	CHECK(RUN_TEXT(&c, windows_notify, &out) > 0);
	CHECK(nt_has(&out, OBS_SRC, "app_protocol", "SSDP"));
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_method"), "NOTIFY");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_server"), "Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_location"),
		  "http://192.168.5.49:2869/upnphost/udhisapi.dll?content=uuid:9319395a-4d03-4750-bb1b-4663933ab812");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_nt"), "urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_nts"), "ssdp:alive");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_usn"),
		  "uuid:9319395a-4d03-4750-bb1b-4663933ab812::urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_uuid"), "9319395a-4d03-4750-bb1b-4663933ab812");
	CHECK_EQ_INT(nt_count(&out, "ssdp_st"), 0);
}

TEST(crafted_response_lf_only_and_odd_headers)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "192.168.1.1", 1900, "192.168.1.77", 52127);
	struct dec_out out;
	static const char resp[] = "HTTP/1.1 200 OK\n"
				   "CACHE-CONTROL: max-age=1800\n"
				   "st : upnp:rootdevice\n"
				   "usn:uuid:abc-123\n"
				   "location:\thttp://192.168.1.1:5000/rootDesc.xml  \n"
				   "SeRvEr: Linux/3.14 UPnP/1.0 MiniUPnPd/2.1\n"
				   "no colon here\n"
				   "X-User-Agent: redsonic\n"
				   "\n"
				   "SERVER: after the blank line\n";

	CHECK(RUN_TEXT(&c, resp, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_method"), "RESPONSE");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_nt"), "upnp:rootdevice"); /* a response's ST is what it offers */
	CHECK_EQ_INT(nt_count(&out, "ssdp_st"), 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_usn"), "uuid:abc-123");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_uuid"), "abc-123");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_location"), "http://192.168.1.1:5000/rootDesc.xml");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_server"), "Linux/3.14 UPnP/1.0 MiniUPnPd/2.1");
	CHECK_EQ_INT(nt_count(&out, "ssdp_server"), 1);
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_user_agent"), "redsonic");
}

TEST(crafted_cut_and_empty_values)
{
	struct dec_ctx c = search_ctx("10.0.0.1");
	struct dec_out out;
	static const char cut[] = "M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\nUSER-AGENT: Chrom";
	static const char empty[] = "NOTIFY * HTTP/1.1\r\nSERVER:\r\nUSN: \r\nNT:   \r\n";
	static const char bare[] = "NOTIFY * HTTP/1.1";

	CHECK(RUN_TEXT(&c, cut, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_user_agent"), "Chrom");
	CHECK_STR(nt_value(&out, OBS_SRC, "ssdp_st"), "ssdp:all");

	CHECK(RUN_TEXT(&c, empty, &out) > 0);
	CHECK_EQ_INT(nt_count(&out, "ssdp_server"), 0);
	CHECK_EQ_INT(nt_count(&out, "ssdp_usn"), 0);
	CHECK_EQ_INT(nt_count(&out, "ssdp_nt"), 0);
	CHECK_EQ_INT(out.n, 2);

	CHECK_EQ_INT(RUN_TEXT(&c, bare, &out), 2);
}

TEST(usn_without_uuid)
{
	struct dec_ctx c = search_ctx("10.0.0.1");
	struct dec_out out;
	static const char notify[] = "NOTIFY * HTTP/1.1\r\nUSN: urn:x\r\n\r\n";
	static const char onlyuuid[] = "NOTIFY * HTTP/1.1\r\nUSN: uuid:\r\n\r\n";

	CHECK(RUN_TEXT(&c, notify, &out) > 0);
	CHECK_EQ_INT(nt_count(&out, "ssdp_uuid"), 0);
	CHECK(RUN_TEXT(&c, onlyuuid, &out) > 0);
	CHECK_EQ_INT(nt_count(&out, "ssdp_uuid"), 0);
}

TEST(match_refuses_other_traffic)
{
	struct dec_ctx c = search_ctx("10.0.0.1");
	struct dec_out out = { 0 };
	static const char get[] = "GET / HTTP/1.1\r\n\r\n";
	static const char notfound[] = "HTTP/1.1 404 Not Found\r\n\r\n";
	static const char lower[] = "m-search * HTTP/1.1\r\n\r\n";

	CHECK(!dec_ssdp.match(&c, (const uint8_t *)get, sizeof(get) - 1));
	CHECK(!dec_ssdp.match(&c, (const uint8_t *)notfound, sizeof(notfound) - 1));
	CHECK(dec_ssdp.match(&c, (const uint8_t *)lower, sizeof(lower) - 1));
	CHECK(!dec_ssdp.match(&c, (const uint8_t *)"HTTP/1.1 20", 11));
	CHECK(!dec_ssdp.match(&c, (const uint8_t *)"", 0));
	CHECK_EQ_INT(dec_ssdp.decode(&c, (const uint8_t *)get, sizeof(get) - 1, &out), -1);
	CHECK_EQ_INT(out.n, 0);
	c = nt_ctx(IPPROTO_UDP, "10.0.0.1", 50000, "10.0.0.2", 80);
	CHECK(!dec_ssdp.match(&c, (const uint8_t *)chrome99_msearch, sizeof(chrome99_msearch) - 1));
	c = nt_ctx(IPPROTO_TCP, "10.0.0.1", 50000, "10.0.0.2", 1900);
	CHECK(!dec_ssdp.match(&c, (const uint8_t *)chrome99_msearch, sizeof(chrome99_msearch) - 1));
}

TEST(every_prefix_of_real_notify)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "192.168.5.49", 1900, "239.255.255.250", 1900);
	struct dec_out out;

	for (size_t n = 0; n < sizeof(windows_notify); n++) {
		memset(&out, 0, sizeof(out));
		dec_ssdp.decode(&c, (const uint8_t *)windows_notify, n, &out);
		CHECK(out.n <= 12);
	}
}

int main(void)
{
	RUN(real_msearch_with_user_agent);
	RUN(real_msearch_without_blanks);
	RUN(real_notify);
	RUN(crafted_response_lf_only_and_odd_headers);
	RUN(crafted_cut_and_empty_values);
	RUN(usn_without_uuid);
	RUN(match_refuses_other_traffic);
	RUN(every_prefix_of_real_notify);
	return testlib_summary();
}
