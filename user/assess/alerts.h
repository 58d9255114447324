/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Alerts: built-in detectors and custom rules (rules/alerts/NAME.yaml, format in rules/alerts/README.md) over the
 * decoders' observations and the flow records, aggregated and written as OCSF Detection Finding records.
 *
 * Aggregation. An alert is keyed by detector (or custom rule) + device + detail (what else tells two alerts of
 * one detector on one device apart: the target of a Modbus write, the IOC contacted, ...). A repeat adds to the
 * alert's count and last_seen, and keeps up to ALERT_EVIDENCE_MAX distinct pieces of evidence; it is never
 * re-sent per packet. alerts_flush() writes the alerts that are new, and those whose count changed when the
 * last record about them is at least the update interval old (default ALERT_UPDATE_INTERVAL_S, measured on
 * the monotonic clock; a final flush writes every change).
 *
 * Record (one NDJSON line; aligned with the containment alerts of user/contain.c):
 *   {"record":"alert","class_uid":2004,"category_uid":2,
 *    "activity_id":1 (Create: the first record of this alert) | 2 (Update: a later one),
 *    "type_uid":200401|200402, "time": last_seen,
 *    "severity":"low|medium|high|critical","severity_id":2|3|4|5 (OCSF),
 *    "finding":{"uid":"<16 hex: FNV-1a 64 of detector|device|detail, stable across runs>","title":"...",
 *               "types":["<detector id, or the custom rule id>"],"desc":"<one sentence, with the detail>"},
 *    "attacks":[{"technique":{"uid":"T0855","name":"Unauthorized Command Message"}}, ...] (MITRE ATT&CK,
 *               Enterprise or ICS; [] when a custom rule names none),
 *    "device":{"id":"ip:198.18.0.5" | "mac:aa:bb:cc:dd:ee:ff","ip":"198.18.0.5","mac":"aa:bb:cc:dd:ee:ff"},
 *    "detail":"198.18.0.9",
 *    "evidence":[{"key":"modbus_write","value":"fc=6 addr=5 value=11","flow":"tcp a:1 -> b:502",
 *                 "time":"..."}], "evidence_omitted":N (distinct evidence past the cap; only when > 0),
 *    "first_seen":"...","last_seen":"...","count":N,
 *    "rule":"builtin:<detector id>" | "<custom rule id>"}
 * When hits were lost (alerts_stats.dropped grew) the next flush adds one record of rule
 * "builtin:alerts_dropped" about the sensor itself: nothing is lost silently.
 *
 * Built-in detectors (ids; ATT&CK in alert_detect.c's table; windows and thresholds are the ALERT_* constants):
 *   new_device            a unicast MAC first seen after the learning period (see alerts_set_learning)
 *   ioc_contact           a flow to or from an IOC address (the kernel's IOT_FLOW_F_IOC flag, or the user-space
 *                         lists at flow start), or a DNS query, TLS SNI or HTTP Host naming an IOC domain
 *   port_scan, host_scan  a site device probing many ports of one host / many hosts within a window (probes:
 *                         flows that ended unanswered)
 *   brute_force           many Telnet/FTP/SSH/HTTP login attempts from one client to one server in a window
 *   cleartext_credentials FTP PASS, HTTP Basic without TLS, a Telnet login, an MQTT password
 *   iot_unusual_internet  a printer, camera, phone, TV, conferencing or OT device talking to the internet on a
 *                         port, or in a protocol, unusual for its type
 *   identity_change       the classified type or vendor of a MAC changed after it had settled (spoofing)
 *   arp_spoofing          an IPv4 address claimed by a second MAC while the first claim is recent
 *   rogue_dhcp            a DHCP server that is not listed (dhcp_servers:) or was not seen while learning
 *   modbus_write, modbus_control, modbus_restart, modbus_program_download, modbus_mode_change,
 *   s7_write, s7_program_download, s7_cpu_stop, s7_plc_control, enip_write, enip_reset, enip_mode_change
 *                         OT commands from a host that is not a known engineering station
 *
 * Time comes from the packets and flow records only (replay is deterministic). Memory is bounded: every table
 * has a fixed size and counts what it could not keep (struct alerts_stats).
 */
#ifndef IOTSENSE_ALERTS_H
#define IOTSENSE_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../decoders/decoder.h"
#include "../lib/jsonw.h"
#include "iotsense_abi.h"

/*
 * Devices seen in the first ALERT_LEARNING_S seconds after the first packet are the site's baseline: no
 * new_device alert for them, and the DHCP servers seen then are known ones. A replay shorter than that raises
 * neither (every device of a capture is "new" to a sensor that starts with it).
 */
#define ALERT_LEARNING_S 600
#define ALERT_UPDATE_INTERVAL_S 60

struct alerts;
struct inventory;

struct alerts_stats {
	uint64_t hits;		    /* detector and rule hits, before aggregation */
	uint64_t alerts;	    /* distinct alerts created */
	uint64_t written;	    /* records written */
	uint64_t dropped;	    /* hits lost: the alert table was full of alerts not yet written */
	uint64_t evicted;	    /* written alerts forgotten (oldest first) to make room */
	uint64_t untracked_devices; /* MACs past the new-device table's capacity: never announced */
	uint64_t state_collisions;  /* detector state (scan, brute force, ARP, threshold, profile) overwritten */
	uint64_t write_errors;
	uint64_t rules, ioc_entries; /* loaded custom rules and IOC entries */
};

/*
 * Loads <rules_dir>/alerts/NAME.yaml (custom rules, engineering stations, DHCP servers, disabled built-ins),
 * <rules_dir>/iocs/NAME.txt and <state_dir>/feeds/iocs.txt (`feed import iocs`). rules_dir NULL: as the
 * fingerprints ($IOTSENSE_RULES_DIR, the installed rules, ./rules); state_dir NULL: no imported IOCs. Missing
 * directories and files are fine. An invalid file: NULL and "file:line:col: message" in err.
 */
struct alerts *alerts_new(const char *rules_dir, const char *state_dir, char *err, size_t err_size);
void alerts_free(struct alerts *a);
/* Learning period in seconds (default ALERT_LEARNING_S); 0: every device and DHCP server is new. */
void alerts_set_learning(struct alerts *a, unsigned int seconds);
/* Least seconds between two update records of one alert (default ALERT_UPDATE_INTERVAL_S; 0: every flush). */
void alerts_set_update_interval(struct alerts *a, unsigned int seconds);

/*
 * After the decoders ran on one captured packet: c and its observations, the inventory they were added to (may
 * be NULL: no device classification; it is remembered for alerts_flow()), and the packet's flow as text
 * ("tcp 198.18.0.5:40000 -> 198.18.0.9:502", "" for L2).
 */
void alerts_packet(struct alerts *a, const struct dec_ctx *c, const struct dec_out *out, struct inventory *inv,
		   const char *flow);
/*
 * Every flow start and end record; epoch_ns is the record's time, first_ns and last_ns the flow's, all in ns
 * since the epoch. IOC addresses are matched at flow start (and the kernel's IOT_FLOW_F_IOC flag honoured);
 * scans count the flows from a site device that ended unanswered (no SYN-ACK or data, no packet back).
 */
void alerts_flow(struct alerts *a, const struct iot_ev_flow *ev, uint64_t epoch_ns, uint64_t first_ns,
		 uint64_t last_ns);
/* An IOT_EV_FLOOD record (new flows shed over a budget in the kernel); epoch_ns is its time. */
void alerts_flood(struct alerts *a, const struct iot_ev_flood *ev, uint64_t epoch_ns);
/*
 * Writes one record per alert that is new or changed (see above) to out, through w. final: the end of the run
 * or replay: every change is written. Returns the number of records written.
 */
int alerts_flush(struct alerts *a, struct jsonw *w, FILE *out, bool final);
/* The IOC addresses (single hosts; networks are matched in user space), for the kernel's IOC map. */
size_t alerts_ioc_ips(const struct alerts *a, struct iot_addr *out, size_t max);
/*
 * The highest severity among the live alerts about a device, named by its MAC (may be NULL) or one of its IPs:
 * 0 none or informational, 1 low, 2 medium, 3 high, 4 critical. A scan of the live alerts (ALERTS_MAX).
 */
int alerts_device_severity(const struct alerts *a, const uint8_t *mac, const struct iot_addr *ips, size_t nips);
void alerts_get_stats(const struct alerts *a, struct alerts_stats *st);

/*
 * `iotsense rules check`: validates <root>/alerts/NAME.yaml and <root>/iocs/NAME.txt (root as for the
 * fingerprints). Prints "ok: ..." (json: one object line) or the first error. Returns an exit code: 0 valid or
 * absent, 1 unreadable, 2 invalid.
 */
int alert_rules_check(const char *dir, bool json);

#endif
