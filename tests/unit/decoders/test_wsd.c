// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/wsd.c: the real WS-Discovery Resolve messages of ndpi-wsd.pcapng (IPv6 and IPv4
 * senders, truth.tsv app_protocol WSD), then crafted Hello, ProbeMatches, Probe and Bye messages and broken XML.
 */
#include "testlib.h"
#include "names_test.h"

extern const struct decoder dec_wsd;

/* Real payloads (UDP payload bytes, as captured; text, so written as strings: use sizeof - 1). */
/* ndpi-wsd.pcapng frame 1: fe80::3441:3d24:6d30:a807:58932 -> ff02::c:3702 */
static const char resolve_v6[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-"
	"envelope\" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsd=\"http://schemas."
	"xmlsoap.org/ws/2005/04/discovery\"><soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery<"
	"/wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Resolve</wsa:Action><wsa:MessageI"
	"D>urn:uuid:3f42dc9a-24ce-48d1-88f9-16b96a137d71</wsa:MessageID></soap:Header><soap:Body><wsd:Resolve>"
	"<wsa:EndpointReference><wsa:Address>urn:uuid:e3248000-80ce-11db-8000-001ba99ec956</wsa:Address></wsa:"
	"EndpointReference></wsd:Resolve></soap:Body></soap:Envelope>";
/* ndpi-wsd.pcapng frame 2: 192.168.61.66:58931 -> 239.255.255.250:3702 */
static const char resolve_v4[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-"
	"envelope\" xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsd=\"http://schemas."
	"xmlsoap.org/ws/2005/04/discovery\"><soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery<"
	"/wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Resolve</wsa:Action><wsa:MessageI"
	"D>urn:uuid:3f42dc9a-24ce-48d1-88f9-16b96a137d71</wsa:MessageID></soap:Header><soap:Body><wsd:Resolve>"
	"<wsa:EndpointReference><wsa:Address>urn:uuid:e3248000-80ce-11db-8000-001ba99ec956</wsa:Address></wsa:"
	"EndpointReference></wsd:Resolve></soap:Body></soap:Envelope>";

#define RUN_TEXT(c, s, out) nt_run(&dec_wsd, (c), (const uint8_t *)(s), sizeof(s) - 1, (out))

/* truth: ndpi-wsd.pcapng fe80::3441:3d24:6d30:a807 and 192.168.61.66 app_protocol WSD */
TEST(real_resolve)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "fe80::3441:3d24:6d30:a807", 58932, "ff02::c", 3702);
	struct dec_out out;

	CHECK_EQ_INT(RUN_TEXT(&c, resolve_v6, &out), 2);
	CHECK_STR(nt_value(&out, OBS_SRC, "app_protocol"), "WSD");
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_action"), "Resolve");
	/* The address in a Resolve is the device looked for, not the sender. */
	CHECK_EQ_INT(nt_count(&out, "wsd_endpoint"), 0);

	c = nt_ctx(IPPROTO_UDP, "192.168.61.66", 58931, "239.255.255.250", 3702);
	CHECK_EQ_INT(RUN_TEXT(&c, resolve_v4, &out), 2);
	CHECK(nt_has(&out, OBS_SRC, "app_protocol", "WSD"));
}

/* A printer's Hello in the WS-Discovery 1.1 namespace, with a byte order mark and attributes on tags. */
static const char hello[] =
	"\xef\xbb\xbf <?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
	"xmlns:a=\"http://www.w3.org/2005/08/addressing\" xmlns:d=\"http://docs.oasis-open.org/ws-dd/ns/discovery/"
	"2009/01\"><s:Header><a:Action s:mustUnderstand=\"1\">http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01/"
	"Hello</a:Action><a:MessageID>urn:uuid:1</a:MessageID><d:AppSequence InstanceId=\"1\" MessageNumber=\"1\"/>"
	"</s:Header><s:Body><d:Hello><a:EndpointReference><a:Address>urn:uuid:16a65700-007c-1000-bb49-"
	"001599c3d81a</a:Address></a:EndpointReference><d:Types>wsdp:Device  wprt:PrintDeviceType\n"
	"wscn:ScanDeviceType</d:Types><d:XAddrs>http://192.168.1.20:3911/ http://[fe80::215:99ff:fec3:d81a]:3911/"
	"</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:Hello></s:Body></s:Envelope>";

TEST(crafted_hello_describes_the_sender)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "192.168.1.20", 3702, "239.255.255.250", 3702);
	struct dec_out out;

	CHECK(RUN_TEXT(&c, hello, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_action"), "Hello");
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_endpoint"), "urn:uuid:16a65700-007c-1000-bb49-001599c3d81a");
	CHECK(nt_has(&out, OBS_SRC, "wsd_types", "wsdp:Device"));
	CHECK(nt_has(&out, OBS_SRC, "wsd_types", "wprt:PrintDeviceType"));
	CHECK(nt_has(&out, OBS_SRC, "wsd_types", "wscn:ScanDeviceType"));
	CHECK_EQ_INT(nt_count(&out, "wsd_types"), 3);
	CHECK(nt_has(&out, OBS_SRC, "wsd_xaddrs", "http://192.168.1.20:3911/"));
	CHECK(nt_has(&out, OBS_SRC, "wsd_xaddrs", "http://[fe80::215:99ff:fec3:d81a]:3911/"));
	CHECK_EQ_INT(nt_count(&out, "wsd_probe_types"), 0);
}

TEST(crafted_probe_and_probe_matches)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "192.168.1.30", 50000, "239.255.255.250", 3702);
	struct dec_out out;
	static const char probe[] =
		"<soap:Envelope><soap:Header><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
		"</wsa:Action></soap:Header><soap:Body><wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe>"
		"</soap:Body></soap:Envelope>";
	static const char matches[] =
		"<soap:Envelope><soap:Header><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches"
		"</wsa:Action><wsa:RelatesTo>urn:uuid:9</wsa:RelatesTo></soap:Header><soap:Body><wsd:ProbeMatches>"
		"<wsd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:cam-1</wsa:Address>"
		"</wsa:EndpointReference><wsd:Types>dn:NetworkVideoTransmitter</wsd:Types>"
		"<wsd:XAddrs>http://192.168.1.40/onvif/device_service</wsd:XAddrs></wsd:ProbeMatch>"
		"</wsd:ProbeMatches></soap:Body></soap:Envelope>";

	CHECK(RUN_TEXT(&c, probe, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_action"), "Probe");
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_probe_types"), "wsdp:Device");
	CHECK_EQ_INT(nt_count(&out, "wsd_types"), 0);

	c = nt_ctx(IPPROTO_UDP, "192.168.1.40", 3702, "192.168.1.30", 50000);
	CHECK(RUN_TEXT(&c, matches, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_action"), "ProbeMatches");
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_types"), "dn:NetworkVideoTransmitter");
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_xaddrs"), "http://192.168.1.40/onvif/device_service");
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_endpoint"), "urn:uuid:cam-1");
}

TEST(crafted_bye_with_empty_elements)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "192.168.1.20", 3702, "239.255.255.250", 3702);
	struct dec_out out;
	static const char bye[] =
		"<e:Envelope><e:Header><w:Action>x/Bye</w:Action></e:Header><e:Body><d:Bye><w:EndpointReference>"
		"<w:Address/></w:EndpointReference><d:Types></d:Types><d:XAddrs>   </d:XAddrs></d:Bye></e:Body>"
		"</e:Envelope>";

	CHECK(RUN_TEXT(&c, bye, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_action"), "Bye");
	CHECK_EQ_INT(nt_count(&out, "wsd_endpoint"), 0);
	CHECK_EQ_INT(nt_count(&out, "wsd_types"), 0);
	CHECK_EQ_INT(nt_count(&out, "wsd_xaddrs"), 0);
}

TEST(broken_or_foreign_payloads)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "10.0.0.1", 50000, "239.255.255.250", 3702);
	struct dec_out out;
	static const char no_envelope[] = "<html><body>hi</body></html>";
	static const char cut_tag[] = "<soap:Envelope xmlns:soap=\"x\"";
	static const char cut_text[] = "<soap:Envelope><soap:Header><wsa:Action>http://x/Hel";
	static const char no_body[] = "<soap:Envelope><soap:Header><wsa:Action>urn:Hello</wsa:Action>";
	static const char lt_only[] = "<";

	CHECK_EQ_INT(RUN_TEXT(&c, no_envelope, &out), -1);
	CHECK_EQ_INT(out.n, 0);
	CHECK_EQ_INT(RUN_TEXT(&c, cut_tag, &out), -1);
	CHECK(RUN_TEXT(&c, cut_text, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_action"), "Hel");
	CHECK(RUN_TEXT(&c, no_body, &out) > 0);
	CHECK_STR(nt_value(&out, OBS_SRC, "wsd_action"), "urn:Hello");
	CHECK_EQ_INT(RUN_TEXT(&c, lt_only, &out), -1);
	CHECK(!dec_wsd.match(&c, (const uint8_t *)"  {\"json\": 1}", 13));
	CHECK(!dec_wsd.match(&c, (const uint8_t *)"\xef\xbb\xbf", 3));
	CHECK(!dec_wsd.match(&c, (const uint8_t *)"", 0));
	c = nt_ctx(IPPROTO_UDP, "10.0.0.1", 50000, "10.0.0.2", 3703);
	CHECK(!dec_wsd.match(&c, (const uint8_t *)hello, sizeof(hello) - 1));
	c = nt_ctx(IPPROTO_TCP, "10.0.0.1", 50000, "10.0.0.2", 3702);
	CHECK(!dec_wsd.match(&c, (const uint8_t *)hello, sizeof(hello) - 1));
}

TEST(every_prefix_of_hello)
{
	struct dec_ctx c = nt_ctx(IPPROTO_UDP, "192.168.1.20", 3702, "239.255.255.250", 3702);
	struct dec_out out;

	for (size_t n = 0; n < sizeof(hello); n++) {
		memset(&out, 0, sizeof(out));
		dec_wsd.decode(&c, (const uint8_t *)hello, n, &out);
		CHECK(out.n <= 10);
	}
}

int main(void)
{
	RUN(real_resolve);
	RUN(crafted_hello_describes_the_sender);
	RUN(crafted_probe_and_probe_matches);
	RUN(crafted_bye_with_empty_elements);
	RUN(broken_or_foreign_payloads);
	RUN(every_prefix_of_hello);
	return testlib_summary();
}
