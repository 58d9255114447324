/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The inventory: observations become devices. Facts are first kept on identities (a MAC, or an IP); when a
 * snapshot is taken the identities are resolved into devices: a device is keyed by its MAC where it is on the
 * link, else by its IP. IP-to-MAC bindings come from ARP and DHCP (authoritative) and from the addresses of
 * the packets a device sends; a MAC seen sending for several IPv4 addresses is a router, so the remote hosts
 * behind it stay devices of their own. Every value keeps its evidence: protocol, time, flow, confidence.
 */
#ifndef IOTSENSE_INVENTORY_H
#define IOTSENSE_INVENTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decoders/decoder.h"
#include "lib/hmap.h"
#include "lib/jsonw.h"

#define INV_VALUES_MAX 32 /* distinct values kept per attribute; more are counted, not kept */
#define INV_SIGHTINGS_MAX 4

struct inv_value {
	char *value;
	uint32_t count;
	uint8_t confidence;
	uint64_t first_ns, last_ns;
	char flow[128]; /* the flow of the first sighting: "udp 198.18.0.5:68 -> 255.255.255.255:67" */
};

struct inv_attr {
	char key[OBS_KEY_MAX];
	struct inv_value vals[INV_VALUES_MAX];
	int nvals;
	uint32_t dropped; /* distinct values past INV_VALUES_MAX */
};

/* A MAC or an IP and the facts that name it. */
struct inv_ident {
	char key[56]; /* "mac:aa:bb:cc:dd:ee:ff" or "ip:198.18.0.5" */
	bool is_mac;
	uint8_t mac[6];
	struct iot_addr ip;
	uint64_t first_ns, last_ns;
	struct inv_attr *attrs;
	int nattrs, cap;
	/* IP identities: the MACs that sent for this IP, and the binding ARP/DHCP gave it. */
	uint8_t macs[INV_SIGHTINGS_MAX][6];
	int nmacs;
	bool has_auth_mac;
	uint8_t auth_mac[6];
	/* MAC identities: distinct IPv4 addresses it sent for (more than one and it is a router). */
	uint32_t v4_seen[INV_SIGHTINGS_MAX];
	int nv4;
	bool dirty; /* changed since the last emitted snapshot */
	int dev;    /* scratch: index of its device while a snapshot is resolved */
};

/* A contained device, as the daemon reads the containment map (times in epoch ns; until 0: no expiry). */
struct inv_contained {
	char id[64]; /* "mac:aa:bb:cc:dd:ee:ff" or "ip:198.18.0.5": the identity key form */
	uint64_t since_ns, until_ns;
	uint64_t drops;
};

/* What the operator set on a device (`iotsense set/tag`, the API), as the store keeps it. */
struct inv_operator {
	char id[64];	      /* the device id ("mac:.." / "ip:..") */
	char name[128];	      /* "" when not set */
	char criticality[8];  /* low|medium|high, "" when not set */
	char *tags_json;      /* {"key":"value"}, NULL when none; owned */
};

struct classify_rules;
struct oui_db;
struct rec_catalog;
struct alerts;
struct vuln_db;

struct inventory {
	struct hmap idents;
	struct classify_rules *rules; /* owned; NULL: devices are not classified */
	struct oui_db *oui;	      /* owned; NULL: no MAC vendors */
	struct rec_catalog *recs;     /* owned; NULL: no recommendations */
	struct vuln_db *vulns;	      /* owned; NULL: no vulnerability matching */
	uint64_t observations, unattributed;
	struct inv_contained *contained; /* owned; the daemon's latest view of the containment map */
	const struct alerts *alerts;	 /* not owned; NULL: device risk is "none" */
	int ncontained;
	struct inv_operator *ops; /* owned; operator knowledge by device id */
	int nops;
};

void inv_init(struct inventory *inv);
void inv_free(struct inventory *inv);
/*
 * Loads the fingerprint rules (rules_dir, or $IOTSENSE_RULES_DIR, or the installed ones, or ./rules), the IEEE
 * MAC vendor registry, the recommendations catalog and the vulnerability feeds (the rules' and those imported
 * into state_dir/feeds). Unreadable rules: a warning, devices stay unclassified, returns 0. Invalid rules:
 * the file:line:col error is printed and 2 (a usage-class error) is returned.
 */
int inv_load_knowledge(struct inventory *inv, const char *rules_dir, const char *state_dir);

/* Adds the observations a decoder made on one packet; flow describes the packet ("tcp a:1 -> b:2"). */
void inv_observe(struct inventory *inv, const struct dec_ctx *c, const struct dec_out *out, const char *flow);
/* Records that a packet from mac carried ip as its source address. */
void inv_sighting(struct inventory *inv, const struct iot_addr *ip, const uint8_t mac[6], uint64_t ts_ns);
/* Adds one fact about the sender of a packet (e.g. "service" = "tcp/80"). */
void inv_add_src(struct inventory *inv, const struct dec_ctx *c, const char *key, const char *value,
		 const char *flow);

/* Adds one fact about the device with this IP (derived facts, user/assess/derive.c). */
void inv_add_ip(struct inventory *inv, const struct iot_addr *ip, const char *key, const char *value,
		uint8_t confidence, uint64_t ts_ns, const char *flow);

/* Replaces the list of contained devices; only the identities whose containment changed (entered, left, a new
 * expiry) are marked for the next snapshot, so the daemon may call it every sweep. Returns 0 or -ENOMEM. */
int inv_set_contained(struct inventory *inv, const struct inv_contained *list, int n);

/* Replaces the operator knowledge (takes ownership of list and its tags); the devices it concerns, before or
 * after, get a new record at the next snapshot. */
void inv_set_operator(struct inventory *inv, struct inv_operator *list, int n);

/*
 * Resolves identities into devices and writes one device record (OCSF Device Inventory Info, class 5001) per
 * device to out; only devices with a change since the last call when only_changed. Returns the count.
 */
int inv_emit_devices(struct inventory *inv, struct jsonw *w, FILE *out, bool only_changed);

#endif
