/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the alerts engine, shared by its files: alerts.c (the table, aggregation, records, dispatch),
 * alert_detect.c (built-in detectors), alert_rules.c (custom rules, engineering stations, DHCP servers) and
 * alert_profile.c (device classification for the detectors and rules). Not for use outside user/assess/alert*.
 */
#ifndef IOTSENSE_ALERT_INT_H
#define IOTSENSE_ALERT_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "../classify.h"
#include "../decoders/decoder.h"
#include "alerts.h"
#include "ioc.h"

/* ---- sizes: every table is fixed, and counts what it could not keep ---- */
#define ALERTS_MAX 4096		/* live alerts (written ones are evicted, oldest first, when full) */
#define ALERT_BUCKETS 8192
#define ALERT_EVIDENCE_MAX 4	/* distinct pieces of evidence kept per alert */
#define ALERT_EV_VALUE_MAX 160
#define ALERT_FLOW_MAX 128
#define ALERT_DETAIL_MAX 128
#define ALERT_DESC_MAX 320
#define ALERT_KEY_MAX 256
#define ALERT_ATTACKS_MAX 3

#define NEWDEV_MAX 65536	/* MACs remembered for new_device */
#define NEWDEV_SLOTS (2 * NEWDEV_MAX)
#define ARP_SLOTS 8192		/* IPv4 address -> MAC claims */
#define SCAN_SLOTS 4096		/* port-scan (src, dst) and host-scan (src) windows */
#define SCAN_BITS 1024		/* distinct ports or hosts per window, estimated on a bitmap */
#define COUNT_SLOTS 4096	/* brute-force and custom-rule threshold windows */
#define PROFILE_SLOTS 2048	/* device classifications, cached */
#define PROFILE_IPS 4		/* IPs remembered per MAC device */
#define DHCP_SERVERS_MAX 64	/* DHCP servers learned */
#define IDCHECK_SLOTS 4096	/* when each device's identity was last checked */

/* ---- windows and thresholds (seconds, counts) ---- */
#define ALERT_SCAN_WINDOW_S 60
#define ALERT_PORT_SCAN_PORTS 25   /* distinct ports of one host */
#define ALERT_HOST_SCAN_HOSTS 32   /* distinct hosts */
#define ALERT_BRUTE_WINDOW_S 60
#define ALERT_BRUTE_ATTEMPTS 10    /* login attempts from one client to one server and protocol */
#define ALERT_ARP_CONFLICT_S 300   /* a second MAC claiming an IP within this of the first claim */
#define ALERT_IDENTITY_SETTLE_S 300 /* a MAC's type/vendor must have held this long before a change alerts */
#define ALERT_IDENTITY_CONF_MIN 70 /* only classifications at least this sure take part */
#define ALERT_IDENTITY_CHECK_S 1   /* a device's identity is re-checked at most this often (it costs lookups) */

#define NS 1000000000ull

enum alert_sev { SEV_INFO = 0, SEV_LOW = 1, SEV_MEDIUM = 2, SEV_HIGH = 3, SEV_CRITICAL = 4 };

struct alert_attack {
	const char *uid, *name;
};

/* What a detector or custom rule reports. Built-ins are static; custom ones live as long as the engine. */
struct alert_def {
	const char *id;	   /* "modbus_write", or the custom rule's id */
	const char *rule;  /* "builtin:modbus_write", or the custom rule's id */
	const char *title;
	uint8_t severity;  /* enum alert_sev */
	uint8_t nattacks;
	struct alert_attack attacks[ALERT_ATTACKS_MAX];
};

/* The device an alert is about: its IP (family 0: none) and, when known, its MAC. */
struct alert_dev {
	struct iot_addr ip;
	uint8_t mac[6];
	bool has_mac;
};

struct alert_evidence {
	char key[OBS_KEY_MAX];
	char value[ALERT_EV_VALUE_MAX];
	char flow[ALERT_FLOW_MAX];
	uint64_t ts_ns;
};

struct alert {
	struct alert *next; /* hash chain */
	uint64_t hash;
	char key[ALERT_KEY_MAX]; /* "id|device|detail" */
	const struct alert_def *def;
	struct alert_dev dev;
	char detail[ALERT_DETAIL_MAX];
	char desc[ALERT_DESC_MAX];
	uint64_t first_ns, last_ns, count;
	uint64_t sent_count;   /* count in the last record written; 0: never written */
	uint64_t sent_mono_ns; /* when it was written (CLOCK_MONOTONIC) */
	uint64_t seq;	       /* creation order: records of one flush are in first_seen, then creation order */
	struct alert_evidence ev[ALERT_EVIDENCE_MAX];
	int nev;
	uint64_t ev_omitted;
};

/* One piece of evidence as a detector hands it over. */
struct alert_ev_in {
	const char *key, *value, *flow;
};

/* A packet, or a flow at its start or end, as the detectors and rules see it. */
struct alert_view {
	uint8_t l4_proto;	/* 6, 17, or 0 for an L2 packet */
	struct iot_addr src, dst; /* the packet's sender and receiver; for a flow record: initiator, responder */
	uint16_t sport, dport;
	const uint8_t *src_mac, *dst_mac;
	bool src_is_initiator;
	const char *flow;	/* "tcp a:1 -> b:2", "" */
	uint64_t ts;
	const struct dec_ctx *c;   /* packets only */
	const struct dec_out *out; /* packets only */
};

/* A device's classification, cached until its observations change. */
struct profile {
	char key[56]; /* "mac:.." or "ip:..": the device as the inventory will resolve it */
	uint64_t sig; /* of the observations it was computed from */
	bool valid;
	struct classify_field type, vendor;
	char model[CLASSIFY_VALUE_MAX], os[CLASSIFY_VALUE_MAX];
	const char *mac_vendor;
	uint8_t mac[6];
	bool is_mac;
	struct iot_addr ips[PROFILE_IPS]; /* MAC devices: the IPs seen bound to it */
	int nips;
	/* identity_change: what the device settled as, and since when */
	char est_type[CLASSIFY_VALUE_MAX], est_vendor[CLASSIFY_VALUE_MAX];
	char est_type_rule[CLASSIFY_ID_MAX], est_vendor_rule[CLASSIFY_ID_MAX];
	uint64_t est_type_ns, est_vendor_ns;
};

/* ---- custom rules (alert_rules.c) ---- */
#define ARULES_MAX 1024
#define ARULE_CONDS_MAX 8
#define ARULE_ID_MAX 48
#define ARULE_COUNT_MAX 100000
#define ARULE_WINDOW_MAX 86400

enum arule_kind { AC_OBS, AC_FLOW, AC_DEV };
enum flow_field { FF_PROTO, FF_SRC, FF_DST, FF_SPORT, FF_DPORT, FF_SRC_SCOPE, FF_DST_SCOPE, FF_DIRECTION, FF_MAX };
enum dev_field { DF_TYPE, DF_VENDOR, DF_MODEL, DF_OS, DF_MAC_VENDOR, DF_MAC, DF_IP, DF_ATTR };
enum arule_by { BY_DEVICE, BY_SRC, BY_DST, BY_SRC_DST };

struct arule_cond {
	uint8_t kind;  /* enum arule_kind */
	uint8_t field; /* enum flow_field / enum dev_field */
	uint8_t side;  /* AC_DEV: 0 src, 1 dst */
	char key[OBS_KEY_MAX]; /* AC_OBS: the observation key; AC_DEV DF_ATTR: the attribute */
	pcre2_code *re;
};

struct arule {
	struct alert_def def;
	char *id, *title, *desc, *tech, *tech_name;
	struct arule_cond conds[ARULE_CONDS_MAX];
	int nconds;
	bool on_packets;     /* has an observation condition: tested per packet; else once per flow start */
	uint8_t device_side; /* 0 src, 1 dst */
	uint32_t thr_count, thr_window_s;
	uint8_t thr_by;	     /* enum arule_by */
};

struct addr_list {
	struct ioc_set nets;
	uint8_t (*macs)[6];
	size_t nmacs;
};

struct alert_conf {
	struct arule *rules;
	size_t nrules, caprules;
	struct addr_list stations; /* engineering stations: OT commands from them are expected */
	struct addr_list dhcp;	   /* DHCP servers: when any is listed, every other one is rogue */
	bool disabled[64];	   /* built-ins switched off, by index */
	size_t files;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
};

/* ---- detector state ---- */
struct count_win {
	uint64_t key; /* 0: free */
	uint64_t start_ns;
	uint32_t count;
	bool fired;
};

struct scan_win {
	uint64_t key;
	uint64_t start_ns;
	uint32_t distinct;
	bool fired;
	uint8_t bits[SCAN_BITS / 8];
};

struct arp_claim {
	uint32_t ip; /* network order; 0: free */
	uint8_t mac[6];
	uint64_t seen_ns;
};

struct idcheck {
	uint8_t key[16]; /* the IP, or the MAC (rest zero) */
	uint64_t ns;
};

struct dhcp_known {
	struct iot_addr ip;
	uint8_t mac[6];
};

struct alerts {
	struct alert_conf conf;
	struct ioc_set iocs;
	uint64_t learning_ns, update_ns;
	uint64_t start_ns, now_ns; /* first and latest packet or record time */
	struct inventory *inv;	   /* as given to the last alerts_packet() */

	struct alert *buckets[ALERT_BUCKETS];
	struct alert **all; /* ALERTS_MAX slots, creation order with holes closed on eviction */
	size_t nall;
	uint64_t seq;
	uint64_t dropped_sent; /* dropped as of the last loss record */

	uint64_t *newdev;      /* NEWDEV_SLOTS MACs (+1, so 0 is free) */
	size_t nnewdev;
	struct arp_claim *arp;
	struct scan_win *scans;
	struct count_win *counts;
	struct profile *profiles;
	struct idcheck *idchecks;
	struct dhcp_known dhcp_known[DHCP_SERVERS_MAX];
	int ndhcp_known;

	struct alerts_stats st;
};

/* alerts.c */
void alert_raise(struct alerts *a, const struct alert_def *def, const struct alert_dev *dev, const char *detail,
		 const char *desc, uint64_t ts, const struct alert_ev_in *ev, int nev);
uint64_t alert_hash(const void *p, size_t n, uint64_t h);
/* snprintf for texts that may be cut on purpose (descriptions, details): no truncation warnings. */
void alert_fmt(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define ALERT_HASH_INIT 14695981039346656037ull
bool alert_addr_is_v4(const struct iot_addr *a);
/* "site", "internet" or "multicast" (multicast and broadcast) */
const char *alert_scope(const struct iot_addr *a);
bool alert_addr_public(const struct iot_addr *a);
/* The device with this IP, with the MAC the inventory binds to it (when L2-adjacent and not a router). */
void alert_dev_ip(struct alerts *a, const struct iot_addr *ip, struct alert_dev *d);
void alert_dev_mac(const uint8_t mac[6], struct alert_dev *d);
bool alert_learning(const struct alerts *a, uint64_t ts);
/* A detector's table, allocated (zeroed) on first use; NULL when out of memory. */
void *alert_table(void **tab, size_t n, size_t size);

/* alert_detect.c */
int alert_builtin_find(const char *id);
const char *alert_builtin_id(int i);
int alert_builtin_count(void);
void detect_packet(struct alerts *a, const struct alert_view *v);
void detect_flow(struct alerts *a, const struct iot_ev_flow *ev, const struct alert_view *v, bool start,
		 uint64_t first_ns);
bool alert_enabled(const struct alerts *a, int builtin);
void detect_flood(struct alerts *a, const struct alert_view *v, uint32_t shed, uint32_t admitted, bool all);

/* alert_profile.c */
/* The profile of the device behind ip (or mac when ip is NULL); NULL without an inventory. *changed: it was
 * (re)classified just now. */
struct profile *alert_profile(struct alerts *a, const struct iot_addr *ip, const uint8_t *mac, bool *changed);
/* Every value the device has for an observation key, in turn: cb returns true to stop. */
bool alert_profile_attr(struct alerts *a, const struct profile *p, const char *key,
			bool (*cb)(const char *value, void *ctx), void *ctx);

/* The latest value of an observation key on the identity of this IP, or NULL. */
const char *alert_ip_value(struct alerts *a, const struct iot_addr *ip, const char *key);

/* alert_rules.c */
int alert_conf_load(struct alert_conf *c, const char *dir, char *err, size_t err_size, bool *io);
void alert_conf_free(struct alert_conf *c);
bool addr_list_has(const struct addr_list *l, const struct iot_addr *ip, const uint8_t *mac);
bool addr_list_empty(const struct addr_list *l);
void rules_eval(struct alerts *a, const struct alert_view *v, bool flow_start);
/* <root> for rules_dir as the fingerprints resolve it, with a trailing fingerprints/, alerts/ or iocs/ cut. */
const char *alert_rules_root(const char *dir, char *buf, size_t size);

#endif
