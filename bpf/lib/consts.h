/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Constants that the UAPI defines in headers vmlinux.h does not carry (macros are not in BTF). */
#ifndef IOT_BPF_CONSTS_H
#define IOT_BPF_CONSTS_H

#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_IPV6 0x86DD
#define ETH_P_LLDP 0x88CC
#define ETH_P_PROFINET 0x8892
#define ETH_P_CDP_SNAP 0x2000 /* CDP's SNAP protocol id, used as its eth_proto */
#define ETH_P_802_3_MIN 0x0600 /* below this the EtherType field is an 802.3 length */

#define IP_MF 0x2000
#define IP_OFFSET 0x1FFF
#define IP6_OFFSET_MASK 0xFFF8

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* IPv6 extension header numbers are macros in linux/in6.h, so BTF does not carry them. */
#define IPPROTO_HOPOPTS 0
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_DSTOPTS 60

/* TC_ACT_UNSPEC lets the next filter on the hook run (then the packet goes on): we observe, others decide. */
#define TC_ACT_UNSPEC (-1)

#ifndef AF_INET
#define AF_INET 2
#endif

#endif
