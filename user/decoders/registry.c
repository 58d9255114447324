// SPDX-License-Identifier: GPL-2.0-only
/*
 * The decoder table. Order matters only for output order: every decoder whose match() accepts a packet runs.
 * Each protocol file defines `const struct decoder dec_<name>`; add it below in its group.
 */
#include "decoder.h"

/* group:l2-discovery (ARP, DHCP, DHCPv6, LLDP, CDP) */
/* group:name-discovery (DNS common, mDNS, LLMNR, NetBIOS, SSDP) */
/* group:text-banners (SNMP, Telnet, FTP, SMTP, HTTP, SIP, RTSP) */
/* group:binary-banners (SSH, TLS, VNC, MQTT, CoAP, NTP, IPP) */
/* group:ot (Modbus, S7comm, EtherNet/IP, BACnet, DNP3) */
/* group:long-tail (BJNP, KNX, HART-IP, FINS, IEC 104, PROFINET, Tuya, UBNT, TiVo, WSD, TCP fingerprint) */

const struct decoder *const iot_decoders[] = {
	/* table:l2-discovery */
	/* table:name-discovery */
	/* table:text-banners */
	/* table:binary-banners */
	/* table:ot */
	/* table:long-tail */
	NULL,
};
