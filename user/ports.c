// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ports that change what the kernel copies. Discovery ports: every packet, not just the first few of each flow
 * (devices announce themselves again and again on one long-lived "flow", a multicast group or a broadcast).
 * Long ports: snippets_long payload packets per direction instead of snippets_per_dir, for logins and commands.
 */
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <bpf/bpf.h>

#include "iotsense_abi.h"
#include "lib/log.h"
#include "ports.h"

static const struct {
	uint16_t port;
	uint8_t flags;
} port_table[] = {
	{ 67, IOT_PORT_DISCOVERY_UDP },	   /* DHCP server */
	{ 68, IOT_PORT_DISCOVERY_UDP },	   /* DHCP client */
	{ 137, IOT_PORT_DISCOVERY_UDP },   /* NetBIOS name service */
	{ 138, IOT_PORT_DISCOVERY_UDP },   /* NetBIOS datagrams (browser announcements) */
	{ 161, IOT_PORT_DISCOVERY_UDP },   /* SNMP */
	{ 162, IOT_PORT_DISCOVERY_UDP },   /* SNMP traps */
	{ 546, IOT_PORT_DISCOVERY_UDP },   /* DHCPv6 client */
	{ 547, IOT_PORT_DISCOVERY_UDP },   /* DHCPv6 server */
	{ 1900, IOT_PORT_DISCOVERY_UDP },  /* SSDP */
	{ 2190, IOT_PORT_DISCOVERY_UDP },  /* TiVo Connect beacons */
	{ 3671, IOT_PORT_DISCOVERY_UDP },  /* KNXnet/IP search */
	{ 3702, IOT_PORT_DISCOVERY_UDP },  /* WS-Discovery */
	{ 5353, IOT_PORT_DISCOVERY_UDP },  /* mDNS / DNS-SD */
	{ 5355, IOT_PORT_DISCOVERY_UDP },  /* LLMNR */
	{ 6666, IOT_PORT_DISCOVERY_UDP },  /* Tuya local discovery */
	{ 6667, IOT_PORT_DISCOVERY_UDP },  /* Tuya local discovery (encrypted) */
	{ 8612, IOT_PORT_DISCOVERY_UDP },  /* Canon BJNP */
	{ 10001, IOT_PORT_DISCOVERY_UDP }, /* Ubiquiti discovery */
	{ 44818, IOT_PORT_DISCOVERY_UDP | IOT_PORT_LONG }, /* EtherNet/IP ListIdentity; CIP over TCP */
	{ 47808, IOT_PORT_DISCOVERY_UDP }, /* BACnet/IP */
	/* Clear-text logins and OT commands: the interesting bytes come after the first few packets. */
	{ 21, IOT_PORT_LONG },	  /* FTP */
	{ 23, IOT_PORT_LONG },	  /* Telnet */
	{ 25, IOT_PORT_LONG },	  /* SMTP */
	{ 102, IOT_PORT_LONG },	  /* S7comm (ISO-TSAP) */
	{ 110, IOT_PORT_LONG },	  /* POP3 */
	{ 143, IOT_PORT_LONG },	  /* IMAP */
	{ 502, IOT_PORT_LONG },	  /* Modbus/TCP */
	{ 587, IOT_PORT_LONG },	  /* SMTP submission */
	{ 1883, IOT_PORT_LONG },  /* MQTT */
	{ 2323, IOT_PORT_LONG },  /* Telnet (IoT alternate) */
	{ 2404, IOT_PORT_LONG },  /* IEC 60870-5-104 */
	{ 9600, IOT_PORT_LONG },  /* Omron FINS */
	{ 20000, IOT_PORT_LONG }, /* DNP3 */
};

int ports_fill(int map_fd)
{
	for (unsigned int i = 0; i < sizeof(port_table) / sizeof(port_table[0]); i++) {
		uint32_t key = port_table[i].port;
		uint8_t val = port_table[i].flags;

		if (bpf_map_update_elem(map_fd, &key, &val, BPF_ANY)) {
			pr_err("writing the discovery port table failed: %s\n", strerror(errno));
			return -errno;
		}
	}
	return 0;
}
