// SPDX-License-Identifier: GPL-2.0-only
/*
 * The decoder table. Order matters only for output order: every decoder whose match() accepts a packet runs.
 * Each protocol file defines `const struct decoder dec_<name>`; add it below in its group.
 */
#include "decoder.h"

/* group:l2-discovery (ARP, DHCP, DHCPv6, LLDP, CDP) */
extern const struct decoder dec_arp;
extern const struct decoder dec_dhcp;
extern const struct decoder dec_dhcpv6;
extern const struct decoder dec_lldp;
extern const struct decoder dec_cdp;
/* group:name-discovery (DNS common, mDNS, LLMNR, NetBIOS, SSDP) */
extern const struct decoder dec_mdns;
extern const struct decoder dec_llmnr;
extern const struct decoder dec_netbios;
extern const struct decoder dec_ssdp;
extern const struct decoder dec_wsd;
/* group:text-banners (SNMP, Telnet, FTP, SMTP, HTTP, SIP, RTSP) */
extern const struct decoder dec_snmp;
extern const struct decoder dec_telnet;
extern const struct decoder dec_ftp;
extern const struct decoder dec_smtp;
extern const struct decoder dec_http;
extern const struct decoder dec_sip;
extern const struct decoder dec_rtsp;
/* group:binary-banners (SSH, TLS, VNC, MQTT, CoAP, NTP, IPP) */
extern const struct decoder dec_ssh;
extern const struct decoder dec_tls;
extern const struct decoder dec_vnc;
extern const struct decoder dec_mqtt;
extern const struct decoder dec_coap;
extern const struct decoder dec_ntp;
extern const struct decoder dec_ipp;
extern const struct decoder dec_smb;
/* group:ot (Modbus, S7comm, EtherNet/IP, BACnet, DNP3) */
extern const struct decoder dec_modbus;
extern const struct decoder dec_s7comm;
extern const struct decoder dec_enip;
extern const struct decoder dec_bacnet;
extern const struct decoder dec_dnp3;
/* group:long-tail (BJNP, KNX, HART-IP, FINS, IEC 104, PROFINET, Tuya, UBNT, TiVo, WSD, TCP fingerprint) */
extern const struct decoder dec_bjnp;
extern const struct decoder dec_knx;
extern const struct decoder dec_hartip;
extern const struct decoder dec_fins;
extern const struct decoder dec_iec104;
extern const struct decoder dec_profinet;
extern const struct decoder dec_tuya;
extern const struct decoder dec_ubnt;
extern const struct decoder dec_tivo;
extern const struct decoder dec_tcpfp;

const struct decoder *const iot_decoders[] = {
	/* table:l2-discovery */
	&dec_arp,
	&dec_dhcp,
	&dec_dhcpv6,
	&dec_lldp,
	&dec_cdp,
	/* table:name-discovery */
	&dec_mdns,
	&dec_llmnr,
	&dec_netbios,
	&dec_ssdp,
	&dec_wsd,
	/* table:text-banners */
	&dec_snmp,
	&dec_telnet,
	&dec_ftp,
	&dec_smtp,
	&dec_http,
	&dec_sip,
	&dec_rtsp,
	/* table:binary-banners */
	&dec_ssh,
	&dec_tls,
	&dec_vnc,
	&dec_mqtt,
	&dec_coap,
	&dec_ntp,
	&dec_ipp,
	&dec_smb,
	/* table:ot */
	&dec_modbus,
	&dec_s7comm,
	&dec_enip,
	&dec_bacnet,
	&dec_dnp3,
	/* table:long-tail */
	&dec_bjnp,
	&dec_knx,
	&dec_hartip,
	&dec_fins,
	&dec_iec104,
	&dec_profinet,
	&dec_tuya,
	&dec_ubnt,
	&dec_tivo,
	&dec_tcpfp,
	NULL,
};
