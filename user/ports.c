// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ports whose every packet is copied to user space, not just the first few of each flow: the protocols devices
 * use to announce themselves, which repeat on one long-lived "flow" (a multicast group or a broadcast).
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
} discovery_ports[] = {
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
	{ 44818, IOT_PORT_DISCOVERY_UDP }, /* EtherNet/IP ListIdentity */
	{ 47808, IOT_PORT_DISCOVERY_UDP }, /* BACnet/IP */
};

int ports_fill(int map_fd)
{
	for (unsigned int i = 0; i < sizeof(discovery_ports) / sizeof(discovery_ports[0]); i++) {
		uint32_t key = discovery_ports[i].port;
		uint8_t val = discovery_ports[i].flags;

		if (bpf_map_update_elem(map_fd, &key, &val, BPF_ANY)) {
			pr_err("writing the discovery port table failed: %s\n", strerror(errno));
			return -errno;
		}
	}
	return 0;
}
