/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The decoder contract. A decoder is a pure function from the bytes of one captured packet to typed
 * observations: it never touches the store, the network or global state, so each one can be unit-tested and
 * fuzzed alone (tests/unit/decoders/test_<name>.c, tests/fuzz/). One decoder per protocol file, registered in
 * the table in registry.c.
 *
 * Observation keys are "<protocol>_<field>" in lower case (dhcp_hostname, ssh_server_banner, snmp_sysDescr is
 * spelled snmp_sysdescr), plus three shared keys:
 *   app_protocol  the protocol a device speaks (value: "SSH", "DHCP", "Modbus", ...), subject = the speaker
 *   ip_for_mac    an IP address bound to a MAC (subject OBS_MAC)
 *   service       "tcp/22" or "udp/161": a port the subject answered on (server side)
 * Each decoder file lists the keys it emits in its header comment.
 */
#ifndef IOTSENSE_DECODER_H
#define IOTSENSE_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OBS_KEY_MAX 40
#define OBS_VALUE_MAX 512
#define DEC_OUT_MAX 96

/* An IP address: IPv4 is stored v4-mapped (::ffff:a.b.c.d), as in the kernel flow key. */
struct iot_addr {
	uint8_t b[16];
	uint8_t family; /* AF_INET, AF_INET6 or 0 when absent */
};

/* Reasons the kernel copied a packet (mirrors IOT_SNIP_* in headers/iotsense_abi.h). */
enum dec_reason {
	DEC_REASON_FLOW = 1,	  /* one of the first N payload packets of a flow direction */
	DEC_REASON_DISCOVERY = 2, /* a discovery protocol packet (DHCP, mDNS, ARP, LLDP, ...) */
	DEC_REASON_SYN = 3,	  /* a TCP SYN or SYN-ACK, for the passive OS fingerprint */
};

/* What a decoder knows about the packet it is given. */
struct dec_ctx {
	const uint8_t *l3;   /* IP header (IPv4 or IPv6), NULL for L2 protocols */
	uint32_t l3_len;     /* bytes available from l3 */
	/*
	 * Host order, after VLAN tags: 0x0800 IPv4, 0x86dd IPv6 (p = L4 payload); 0x0806 ARP, 0x88cc LLDP (p = the
	 * bytes after the EtherType); 0x2000 CDP, its SNAP protocol id (p = the CDP header, after LLC/SNAP).
	 */
	uint16_t eth_proto;
	uint8_t l4_proto;    /* IPPROTO_TCP, IPPROTO_UDP, or 0 */
	uint8_t reason;      /* enum dec_reason */
	uint16_t sport;      /* host order */
	uint16_t dport;      /* host order */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	struct iot_addr src_ip;
	struct iot_addr dst_ip;
	bool from_initiator; /* the packet travels from the side that opened the flow (the client) */
	uint8_t seq;         /* index of this packet among the copied payload packets of its direction, 0-based */
	uint8_t tcp_flags;   /* TCP flags of this packet, 0 for non-TCP */
	bool truncated;      /* the payload was cut by the snapshot length */
	uint64_t ts_ns;      /* packet time, ns since the epoch */
};

/* Which device an observation describes. */
enum obs_subject {
	OBS_SRC = 1, /* the sender of this packet */
	OBS_DST = 2, /* the receiver of this packet */
	OBS_MAC = 3, /* the device with subject_mac (e.g. a DHCP client named by chaddr) */
	OBS_IP = 4,  /* the device with subject_ip (e.g. an SNMP agent named in a trap) */
};

struct iot_obs {
	char key[OBS_KEY_MAX];
	char value[OBS_VALUE_MAX]; /* NUL-terminated; control bytes replaced by spaces; may be cut */
	uint8_t subject;           /* enum obs_subject */
	uint8_t confidence;        /* 0..100: how sure the decoder is that the value is what the key says */
	uint8_t subject_mac[6];    /* OBS_MAC */
	struct iot_addr subject_ip; /* OBS_IP */
};

struct dec_out {
	struct iot_obs obs[DEC_OUT_MAX];
	int n;
	int dropped;   /* observations lost because obs[] was full */
	int malformed; /* a decoder found the bytes malformed (counted, never fatal) */
};

struct decoder {
	const char *name; /* the protocol, as in the file name: "ssh", "dhcp", ... */
	/* Cheap test (ports, ethertype, first bytes): should decode() look at this packet? */
	bool (*match)(const struct dec_ctx *ctx, const uint8_t *p, size_t n);
	/* Append observations to out; return the number appended, or -1 when the bytes are malformed. */
	int (*decode)(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out);
};

/* The table (registry.c), NULL-terminated. */
extern const struct decoder *const iot_decoders[];

/* Run every matching decoder on one packet. Returns the number of observations in out. */
int dec_run_all(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out);
const struct decoder *dec_find(const char *name);

/*
 * Emitters: each copies and sanitises the value (control bytes become spaces, trailing blanks trimmed, cut at
 * OBS_VALUE_MAX-1) and returns the new observation, or NULL when out is full (out->dropped counts it) or the
 * value is empty after trimming.
 */
struct iot_obs *dec_emit(struct dec_out *out, enum obs_subject subj, const char *key, const char *val,
			 size_t len, uint8_t confidence);
struct iot_obs *dec_emit_str(struct dec_out *out, enum obs_subject subj, const char *key, const char *val);
struct iot_obs *dec_emitf(struct dec_out *out, enum obs_subject subj, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct iot_obs *dec_emit_for_mac(struct dec_out *out, const uint8_t mac[6], const char *key, const char *val);
struct iot_obs *dec_emit_for_ip(struct dec_out *out, const struct iot_addr *ip, const char *key, const char *val);

/* Small helpers every decoder needs. */
void dec_format_mac(const uint8_t mac[6], char buf[18]);
/* Formats an iot_addr as dotted IPv4 (for v4-mapped) or RFC 5952 IPv6; buf >= 46 bytes. */
void dec_format_addr(const struct iot_addr *a, char *buf, size_t size);
void dec_addr_from_v4(struct iot_addr *a, const uint8_t v4[4]);
void dec_addr_from_v6(struct iot_addr *a, const uint8_t v6[16]);
/* Lower-case hex of n bytes into buf (2n+1 bytes). */
void dec_hex(const uint8_t *p, size_t n, char *buf);
static inline uint16_t dec_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t dec_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t dec_le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }
static inline uint32_t dec_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
/* Either port of a TCP/UDP packet equals port. */
static inline bool dec_port_is(const struct dec_ctx *c, uint16_t port)
{
	return c->sport == port || c->dport == port;
}

#endif
