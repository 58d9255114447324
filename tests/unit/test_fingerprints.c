// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shipped rules (rules/fingerprints, loaded from the repository root where tests run) on realistic attribute
 * sets, most of them taken from the devices of the captures in ../shared/corpus.
 */
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "oui.h"
#include "testlib.h"

#define RULES_DIR "rules/fingerprints"

struct expect {
	const char *type, *vendor, *model, *os, *firmware;
};

/* NULL in want means "do not care"; "" means "must stay unset". */
static void check_field(const char *device, const char *name, const struct classify_field *f, const char *want)
{
	if (!want || testlib_streq(f->value, want))
		return;
	printf("  %s: %s == \"%s\" (rule %s, %u), expected \"%s\"\n", device, name, f->value, f->rule_id, f->confidence,
	       want);
	testlib_cur_failed = 1;
}

static void expect(const struct classify_rules *rs, const char *device, const char *oui, const struct classify_attr *a,
		   size_t n, struct expect want)
{
	struct classify_input in = { .oui_vendor = oui, .nattrs = n, .attrs = a };
	struct classify_result r;

	CHECK(classify_device(rs, &in, &r) > 0);
	check_field(device, "type", &r.type, want.type);
	check_field(device, "vendor", &r.vendor, want.vendor);
	check_field(device, "model", &r.model, want.model);
	check_field(device, "os", &r.os, want.os);
	check_field(device, "firmware", &r.firmware, want.firmware);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct classify_rules *load(void)
{
	struct classify_error err;
	struct classify_rules *rs = classify_load(RULES_DIR, &err);

	if (!rs)
		printf("  %s\n", err.msg);
	return rs;
}

TEST(rules_load)
{
	struct classify_rules *rs = load();

	CHECK(rs != NULL);
	CHECK(classify_rule_count(rs) >= 60);
	CHECK(classify_file_count(rs) >= 8);
	classify_free(rs);
}

TEST(corpus_devices)
{
	struct classify_rules *rs = load();

	if (!rs) {
		CHECK(rs != NULL);
		return;
	}
	{ /* zeek-dhcp-grandstream-discover.pcap: only the MAC vendor says what it is */
		const struct classify_attr a[] = { { "dhcp_param_req_list", "1,3,6,42" },
						   { "dhcp_hostname", "test0000" } };
		expect(rs, "grandstream", "Grandstream Networks, Inc.", a, N(a),
		       (struct expect){ .type = "voip_phone", .vendor = "Grandstream" });
	}
	{ /* tcpdump-cdp-3560.pcap */
		const struct classify_attr a[] = {
			{ "cdp_platform", "cisco WS-C3560G-24PS" },
			{ "cdp_capabilities", "L2 Switch, IGMP snooping" },
			{ "cdp_software_version",
			  "Cisco IOS Software, C3560 Software (C3560-ADVIPSERVICESK9-M), Version "
			  "12.2(25)SEB4, RELEASE SOFTWARE (fc1)" },
		};
		expect(rs, "c3560", "Cisco Systems, Inc", a, N(a),
		       (struct expect){ "network_switch", "Cisco", "WS-C3560G-24PS", "Cisco IOS", "12.2(25)SEB4" });
	}
	{ /* icsnpp-enip-cip.pcap: a Rockwell module behind a Cisco MAC, the CIP identity wins */
		const struct classify_attr a[] = {
			{ "cip_vendor", "Rockwell Automation/Allen-Bradley" },
			{ "cip_device_type", "Communications Adapter" },
			{ "cip_product_name", "1756-ENBT/A" },
			{ "cip_revision", "4.3" },
			{ "tcp_os", "embedded/RTOS" },
		};
		expect(rs, "1756-enbt", "Cisco Systems, Inc", a, N(a),
		       (struct expect){ "plc", "Rockwell Automation", "1756-ENBT/A", NULL, "4.3" });
	}
	{ /* icsnpp-s7ident.pcap */
		const struct classify_attr a[] = {
			{ "s7_module_order", "6ES7 315-2EH14-0AB0" },
			{ "s7_firmware", "V3.2.6" },
			{ "s7_module_name", "CPU 315-2 PN/DP" },
			{ "s7_module_type", "CPU 315-2 PN/DP" },
			{ "tcp_os", "Linux" },
		};
		expect(rs, "s7-315", NULL, a, N(a),
		       (struct expect){ "plc", "Siemens", "CPU 315-2 PN/DP", NULL, "3.2.6" });
	}
	{ /* ndpi-s7comm-plus.pcap: S7-1200, order number only */
		const struct classify_attr a[] = { { "s7_module_order", "6ES7 211-1BE31-0XB0" },
						   { "s7_firmware", "V3.0" } };
		expect(rs, "s7-1200", "Siemens Numerical Control Ltd., Nanjing", a, N(a),
		       (struct expect){ "plc", "Siemens", "6ES7 211-1BE31-0XB0", NULL, "3.0" });
	}
	{ /* ndpi-lan-telegram.pcap: TP-Link Easy Smart switch */
		const struct classify_attr a[] = { { "dhcp_hostname", "TL-SG116E" },
						   { "dhcp_vendor_class", "TL-SG116E" },
						   { "dhcp_param_req_list", "1,3" } };
		expect(rs, "tl-sg116e", "TP-LINK TECHNOLOGIES CO.,LTD.", a, N(a),
		       (struct expect){ "network_switch", "TP-Link", "TL-SG116E", NULL, NULL });
	}
	{ /* ndpi-lan-telegram.pcap: Raspberry Pi 3 behind another vendor's MAC */
		const struct classify_attr a[] = {
			{ "dhcp_vendor_class", "dhcpcd-6.10.1:Linux-4.9.57-v7+:armv7l:BCM2835" },
			{ "dhcp_hostname", "pi3.ntop.org" },
		};
		expect(rs, "raspberry-pi", "C. ITOH ELECTRONICS, INC.", a, N(a),
		       (struct expect){ "iot_other", "Raspberry Pi", "Raspberry Pi", "Linux", NULL });
	}
	{ /* ndpi-ubnt-discovery.pcap */
		const struct classify_attr a[] = {
			{ "app_protocol", "UBNTAC2" },
			{ "ubnt_platform", "UGW3" },
			{ "ubnt_model", "UGW3" },
			{ "ubnt_firmware", "UniFiSecurityGateway.ER-e120.v4.3.33.4936086.161203.2031" },
			{ "ubnt_version", "4.3.33.4936086" },
		};
		expect(rs, "usg", "Ubiquiti Networks Inc.", a, N(a),
		       (struct expect){ "router", "Ubiquiti", "UGW3", "EdgeOS", "4.3.33.4936086" });
	}
	{ /* ndpi-fins.pcapng */
		const struct classify_attr a[] = { { "fins_controller_model", "CP1L-EL20DR-D" },
						   { "fins_controller_version", "01.00" } };
		expect(rs, "omron-cp1l", NULL, a, N(a),
		       (struct expect){ "plc", "Omron", "CP1L-EL20DR-D", NULL, "01.00" });
	}
	{ /* ndpi-umas.pcap */
		const struct classify_attr a[] = { { "app_protocol", "Modbus" },
						   { "app_protocol", "Modbus.UMAS" },
						   { "modbus_role", "server" } };
		expect(rs, "modicon", "Schneider Electric", a, N(a),
		       (struct expect){ .type = "plc", .vendor = "Schneider Electric" });
	}
	{ /* icsnpp-bacnet-example.pcap */
		const struct classify_attr a[] = {
			{ "bacnet_device_instance", "661" },
			{ "bacnet_vendor", "Siemens Schweiz AG (Formerly: Cerberus AG)" },
			{ "bacnet_model_name", "RCG-525" },
			{ "bacnet_firmware", "1.4.7" },
		};
		expect(rs, "bacnet", NULL, a, N(a),
		       (struct expect){ "building_controller", "Siemens", "RCG-525", NULL, "1.4.7" });
	}
	{ /* ndpi-lan-telegram.pcap: iMac */
		const struct classify_attr a[] = { { "mdns_txt_model", "iMac11,3" },
						   { "mdns_txt_osxvers", "17" },
						   { "mdns_service", "_companion-link._tcp.local" } };
		expect(rs, "imac", "Apple, Inc.", a, N(a),
		       (struct expect){ "workstation", "Apple", "iMac11,3", "macOS" });
	}
	{ /* ndpi-lan-telegram.pcap: iPad by its default name */
		const struct classify_attr a[] = { { "mdns_hostname", "Gabrieles-iPad.local" },
						   { "mdns_query_service", "_airplay._tcp.local" } };
		expect(rs, "ipad", "Apple, Inc.", a, N(a), (struct expect){ "mobile", "Apple", NULL, "iOS" });
	}
	{ /* ndpi-lan-1kxun.pcap: Windows by DHCP, old Android by host name */
		const struct classify_attr w[] = { { "dhcp_vendor_class", "MSFT 5.0" },
						   { "dhcp_hostname", "kevin-PC" } };
		const struct classify_attr d[] = { { "dhcp_vendor_class", "dhcpcd-5.5.6" },
						   { "dhcp_hostname", "android-f7ca0f571270c52d" } };

		expect(rs, "windows", NULL, w, N(w), (struct expect){ .type = "workstation", .os = "Windows" });
		expect(rs, "android", NULL, d, N(d), (struct expect){ .type = "mobile", .os = "Android" });
	}
	classify_free(rs);
}

TEST(common_devices)
{
	struct classify_rules *rs = load();

	if (!rs) {
		CHECK(rs != NULL);
		return;
	}
	{
		const struct classify_attr a[] = {
			{ "snmp_sysdescr", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24090012,"
					   "CIDATE 02/19/2020" },
			{ "mdns_txt_ty", "HP LaserJet Pro M404dn" },
			{ "service", "tcp/9100" },
		};
		expect(rs, "hp", "Hewlett Packard", a, N(a),
		       (struct expect){ "printer", "HP", "LaserJet Pro M404dn", "", "JSI24090012" });
	}
	{
		const struct classify_attr a[] = { { "snmp_sysdescr", "Lexmark MX611de version MXTGM.052.024 kernel "
								      "3.0.0 All-N-1" } };
		expect(rs, "lexmark", NULL, a, N(a),
		       (struct expect){ "printer", "Lexmark", "MX611de", NULL, "MXTGM.052.024" });
	}
	{
		const struct classify_attr a[] = { { "snmp_sysdescr",
						     "RICOH MP C3003 1.12 / RICOH Network Printer C model "
						     "/ RICOH Network Scanner C model" } };
		expect(rs, "ricoh", NULL, a, N(a), (struct expect){ "printer", "Ricoh", "MP C3003", NULL, "1.12" });
	}
	{
		const struct classify_attr a[] = { { "snmp_sysdescr",
						     "Brother NC-8300h, Firmware Ver.1.10  (14.01.21),MID "
						     "8C5-F16,FID 2" },
						   { "mdns_txt_ty", "Brother HL-L2350DW series" } };
		expect(rs, "brother", NULL, a, N(a),
		       (struct expect){ "printer", "Brother", "HL-L2350DW series", NULL, "1.10" });
	}
	{
		const struct classify_attr a[] = { { "snmp_sysdescr",
						     "Xerox WorkCentre 7855 v1; SS 073.040.075.34540, NC "
						     "073.045.75.34540" } };
		expect(rs, "xerox", NULL, a, N(a),
		       (struct expect){ "printer", "Xerox", "WorkCentre 7855", NULL, "073.040.075.34540" });
	}
	{
		const struct classify_attr a[] = { { "mdns_txt_ty", "EPSON ET-2750 Series" } };
		expect(rs, "epson", "Seiko Epson Corporation", a, N(a),
		       (struct expect){ "printer", "Epson", "ET-2750 Series" });
	}
	{
		const struct classify_attr a[] = { { "ipp_make_and_model", "Canon iR-ADV C5535" } };
		expect(rs, "canon", NULL, a, N(a), (struct expect){ "printer", "Canon", "iR-ADV C5535" });
	}
	{
		const struct classify_attr a[] = { { "sip_user_agent", "Yealink SIP-T46S 66.85.0.5" } };
		expect(rs, "yealink", NULL, a, N(a),
		       (struct expect){ "voip_phone", "Yealink", "T46S", NULL, "66.85.0.5" });
	}
	{
		const struct classify_attr a[] = { { "sip_user_agent", "PolycomVVX-VVX_411-UA/5.9.5.0614" } };
		expect(rs, "polycom", "Polycom", a, N(a),
		       (struct expect){ "voip_phone", "Poly", "VVX_411", NULL, "5.9.5.0614" });
	}
	{
		const struct classify_attr a[] = { { "sip_user_agent", "Cisco-CP8845/12.8.1" } };
		expect(rs, "cisco-phone", "Cisco Systems, Inc", a, N(a),
		       (struct expect){ "voip_phone", "Cisco", "CP-8845", NULL, "12.8.1" });
	}
	{
		const struct classify_attr a[] = { { "dhcp_vendor_class", "ccp.avaya.com" } };
		expect(rs, "avaya", "Avaya Inc", a, N(a), (struct expect){ "voip_phone", "Avaya" });
	}
	{
		const struct classify_attr a[] = { { "http_server", "App-webs/" } };
		expect(rs, "hikvision", "Hangzhou Hikvision Digital Technology Co.,Ltd.", a, N(a),
		       (struct expect){ "ip_camera", "Hikvision" });
	}
	{
		const struct classify_attr a[] = { { "mdns_instance",
						     "AXIS M3045-V - ACCC8E123456._axis-video._tcp.local" } };
		expect(rs, "axis", "Axis Communications AB", a, N(a),
		       (struct expect){ "ip_camera", "Axis", "M3045-V" });
	}
	{
		const struct classify_attr a[] = { { "wsd_types", "dn:NetworkVideoTransmitter" } };
		expect(rs, "onvif", "Zhejiang Dahua Technology Co., Ltd.", a, N(a),
		       (struct expect){ "ip_camera", "Dahua" });
	}
	{
		const struct classify_attr a[] = { { "ssdp_server", "Roku/9.4.0 UPnP/1.0 Roku/9.4.0" } };
		expect(rs, "roku", NULL, a, N(a), (struct expect){ "media_player", "Roku", NULL, "Roku OS", "9.4.0" });
	}
	{
		const struct classify_attr a[] = { { "mdns_service", "_googlecast._tcp.local" },
						   { "mdns_txt_md", "Chromecast Ultra" } };
		expect(rs, "chromecast", "Google, Inc.", a, N(a),
		       (struct expect){ "media_player", "Google", "Chromecast Ultra" });
	}
	{
		const struct classify_attr a[] = { { "mdns_service", "_airplay._tcp.local" },
						   { "mdns_txt_model", "AppleTV6,2" } };
		expect(rs, "apple-tv", "Apple, Inc.", a, N(a),
		       (struct expect){ "media_player", "Apple", "AppleTV6,2", "tvOS" });
	}
	{
		const struct classify_attr a[] = { { "ssdp_server", "Linux UPnP/1.0 Sonos/57.3-79200 (ZPS12)" } };
		expect(rs, "sonos", "Sonos, Inc.", a, N(a),
		       (struct expect){ "media_player", "Sonos", "ZPS12", NULL, "57.3-79200" });
	}
	{
		const struct classify_attr a[] = { { "ssdp_server", "WebOS/4.1.0 UPnP/1.0 webOSTV/1.0" } };
		expect(rs, "lg-tv", "LG Electronics", a, N(a), (struct expect){ "smart_tv", "LG", NULL, "webOS" });
	}
	{
		const struct classify_attr a[] = { { "ssdp_server", "SHP, UPnP/1.0, Samsung UPnP SDK/1.0" } };
		expect(rs, "samsung-tv", "Samsung Electronics Co.,Ltd", a, N(a),
		       (struct expect){ "smart_tv", "Samsung" });
	}
	{
		const struct classify_attr a[] = { { "sip_user_agent",
						     "PolycomRealPresenceTrio-Trio_8800-UA/5.7.1.1003" } };
		expect(rs, "trio", NULL, a, N(a), (struct expect){ "conferencing", "Poly", "Trio_8800" });
	}
	{
		const struct classify_attr a[] = { { "lldp_system_description",
						     "MikroTik RouterOS 6.48.6 (long-term) RB4011iGS+" } };
		expect(rs, "mikrotik", "Routerboard.com", a, N(a),
		       (struct expect){ "router", "MikroTik", "RB4011iGS+", "RouterOS", "6.48.6" });
	}
	{
		const struct classify_attr a[] = {
			{ "lldp_system_description",
			  "HP J9773A 2530-24G-PoEP Switch, revision YA.16.04.0008, ROM YA.15.20" }
		};
		expect(rs, "aruba-2530", NULL, a, N(a),
		       (struct expect){ "network_switch", "HPE Aruba", "2530-24G-PoEP", NULL, "YA.16.04.0008" });
	}
	{
		const struct classify_attr a[] = { { "cip_product_name", "PanelView Plus 7 Standard 700" },
						   { "cip_vendor", "Rockwell Automation/Allen-Bradley" },
						   { "cip_device_type", "Human-Machine Interface" } };
		expect(rs, "panelview", NULL, a, N(a),
		       (struct expect){ .type = "hmi", .vendor = "Rockwell Automation" });
	}
	{
		const struct classify_attr a[] = { { "dhcp_vendor_class", "android-dhcp-11" }, { "tcp_os", "Linux" } };
		expect(rs, "android-11", NULL, a, N(a), (struct expect){ .type = "mobile", .os = "Android" });
	}
	{
		const struct classify_attr a[] = { { "dhcp_vendor_class",
						     "dhcpcd-9.4.1:Linux-5.15.0:x86_64:GenuineIntel" } };
		expect(rs, "linux", NULL, a, N(a), (struct expect){ .os = "Linux" });
	}
	{
		const struct classify_attr a[] = { { "http_user_agent",
						     "Mozilla/5.0 (iPhone; CPU iPhone OS 15_4 like Mac OS "
						     "X) AppleWebKit/605.1.15" } };
		expect(rs, "iphone", OUI_LOCAL, a, N(a), (struct expect){ "mobile", "Apple", NULL, "iOS" });
	}
	classify_free(rs);
}

int main(void)
{
	RUN(rules_load);
	RUN(corpus_devices);
	RUN(common_devices);
	return testlib_summary();
}
