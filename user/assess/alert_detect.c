// SPDX-License-Identifier: GPL-2.0-only
/*
 * The built-in detectors. Each reads the observations of one packet, or one flow record, and raises through
 * alert_raise(), which aggregates. Their state lives in fixed tables of struct alerts (alert_int.h); windows and
 * thresholds are the ALERT_* constants there. ATT&CK techniques: Enterprise (T1xxx) for IT behaviour, ICS
 * (T0xxx) for industrial commands.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../decoders/dns_msg.h"
#include "../inventory.h"
#include "../oui.h"
#include "alert_int.h"

enum {
	B_NEW_DEVICE,
	B_IOC,
	B_PORT_SCAN,
	B_HOST_SCAN,
	B_BRUTE,
	B_CLEARTEXT,
	B_IOT_INTERNET,
	B_IDENTITY,
	B_ARP,
	B_DHCP,
	B_MODBUS_WRITE,
	B_MODBUS_CONTROL,
	B_MODBUS_RESTART,
	B_MODBUS_DOWNLOAD,
	B_MODBUS_MODE,
	B_S7_WRITE,
	B_S7_DOWNLOAD,
	B_S7_STOP,
	B_S7_CONTROL,
	B_ENIP_WRITE,
	B_ENIP_RESET,
	B_ENIP_MODE,
	B_FLOW_FLOOD,
	B_COUNT
};

/* nattacks is counted when the table is first used (def()). */
#define DEF(i, t, sev, ...) [B_##i] = { .title = t, .severity = sev, .attacks = { __VA_ARGS__ } }
#define ATT(uid, name) { uid, name }

#define T_CMD ATT("T0855", "Unauthorized Command Message")
#define T_PARAM ATT("T0836", "Modify Parameter")
#define T_RESTART ATT("T0816", "Device Restart/Shutdown")
#define T_DOWNLOAD ATT("T0843", "Program Download")
#define T_MODPROG ATT("T0889", "Modify Program")
#define T_MODE ATT("T0858", "Change Operating Mode")

static struct alert_def builtins[B_COUNT] = {
	DEF(NEW_DEVICE, "New device on the network", SEV_LOW, ATT("T1200", "Hardware Additions")),
	DEF(IOC, "Contact with an indicator of compromise", SEV_HIGH, ATT("T1071", "Application Layer Protocol")),
	DEF(PORT_SCAN, "Port scan from a device", SEV_MEDIUM, ATT("T1046", "Network Service Discovery")),
	DEF(HOST_SCAN, "Host scan from a device", SEV_MEDIUM, ATT("T1046", "Network Service Discovery"),
	    ATT("T1018", "Remote System Discovery")),
	DEF(BRUTE, "Login brute force", SEV_HIGH, ATT("T1110", "Brute Force"), ATT("T1110.001", "Password Guessing")),
	DEF(CLEARTEXT, "Credentials sent in clear text", SEV_MEDIUM, ATT("T1552", "Unsecured Credentials"),
	    ATT("T1040", "Network Sniffing")),
	DEF(IOT_INTERNET, "IoT device talking to the internet on an unusual port or protocol", SEV_MEDIUM,
	    ATT("T1571", "Non-Standard Port")),
	DEF(IDENTITY, "Device identity changed (possible MAC spoofing)", SEV_HIGH, ATT("T1036", "Masquerading")),
	DEF(ARP, "ARP spoofing: an IP address is claimed by another MAC", SEV_HIGH,
	    ATT("T1557.002", "ARP Cache Poisoning")),
	DEF(DHCP, "Rogue DHCP server", SEV_HIGH, ATT("T1557.003", "DHCP Spoofing")),
	DEF(MODBUS_WRITE, "Modbus write from a host that is not a known engineering station", SEV_MEDIUM, T_CMD,
	    T_PARAM),
	DEF(MODBUS_CONTROL, "Modbus diagnostics command that changes the device", SEV_MEDIUM, T_CMD),
	DEF(MODBUS_RESTART, "Modbus restart command", SEV_HIGH, T_RESTART),
	DEF(MODBUS_DOWNLOAD, "PLC program download over Modbus (UMAS)", SEV_HIGH, T_DOWNLOAD),
	DEF(MODBUS_MODE, "PLC start or stop over Modbus (UMAS)", SEV_HIGH, T_MODE),
	DEF(S7_WRITE, "S7 write from a host that is not a known engineering station", SEV_MEDIUM, T_CMD, T_PARAM),
	DEF(S7_DOWNLOAD, "S7 program download", SEV_HIGH, T_DOWNLOAD, T_MODPROG),
	DEF(S7_STOP, "S7 CPU stop", SEV_CRITICAL, T_MODE),
	DEF(S7_CONTROL, "S7 PLC control command", SEV_HIGH, T_MODE),
	DEF(ENIP_WRITE, "EtherNet/IP write from a host that is not a known engineering station", SEV_MEDIUM, T_CMD,
	    T_PARAM),
	DEF(ENIP_RESET, "EtherNet/IP device reset", SEV_HIGH, T_RESTART),
	DEF(ENIP_MODE, "EtherNet/IP start or stop", SEV_HIGH, T_MODE),
	DEF(FLOW_FLOOD, "New-flow flood or scan: the sensor shed flows over a budget", SEV_MEDIUM,
	    ATT("T1046", "Network Service Discovery"), ATT("T1498", "Network Denial of Service")),
};

static const char *const builtin_ids[B_COUNT] = {
	"new_device", "ioc_contact", "port_scan", "host_scan", "brute_force", "cleartext_credentials",
	"iot_unusual_internet", "identity_change", "arp_spoofing", "rogue_dhcp", "modbus_write", "modbus_control",
	"modbus_restart", "modbus_program_download", "modbus_mode_change", "s7_write", "s7_program_download",
	"s7_cpu_stop", "s7_plc_control", "enip_write", "enip_reset", "enip_mode_change", "new_flow_flood",
};

static const char *const builtin_rules[B_COUNT] = {
	"builtin:new_device", "builtin:ioc_contact", "builtin:port_scan", "builtin:host_scan", "builtin:brute_force",
	"builtin:cleartext_credentials", "builtin:iot_unusual_internet", "builtin:identity_change",
	"builtin:arp_spoofing", "builtin:rogue_dhcp", "builtin:modbus_write", "builtin:modbus_control",
	"builtin:modbus_restart", "builtin:modbus_program_download", "builtin:modbus_mode_change",
	"builtin:s7_write", "builtin:s7_program_download", "builtin:s7_cpu_stop", "builtin:s7_plc_control",
	"builtin:enip_write", "builtin:enip_reset", "builtin:enip_mode_change", "builtin:new_flow_flood",
};

static const struct alert_def *def(int b)
{
	/* ids live in their own tables so the definitions above stay one line each */
	if (!builtins[b].id) {
		for (int i = 0; i < B_COUNT; i++) {
			struct alert_def *d = &builtins[i];

			d->id = builtin_ids[i];
			d->rule = builtin_rules[i];
			while (d->nattacks < ALERT_ATTACKS_MAX && d->attacks[d->nattacks].uid)
				d->nattacks++;
		}
	}
	return &builtins[b];
}

int alert_builtin_find(const char *id)
{
	for (int i = 0; i < B_COUNT; i++)
		if (!strcmp(builtin_ids[i], id))
			return i;
	return -1;
}

const char *alert_builtin_id(int i)
{
	return builtin_ids[i];
}

int alert_builtin_count(void)
{
	return B_COUNT;
}

bool alert_enabled(const struct alerts *a, int b)
{
	return !a->conf.disabled[b];
}

static const struct iot_obs *find_obs(const struct dec_out *o, const char *key, int subject)
{
	for (int i = 0; o && i < o->n; i++)
		if ((!subject || o->obs[i].subject == subject) && !strcmp(o->obs[i].key, key))
			return &o->obs[i];
	return NULL;
}

static void fmt_ip(const struct iot_addr *a, char *buf, size_t size)
{
	dec_format_addr(a, buf, size);
}

static bool mac_usable(const uint8_t *m)
{
	static const uint8_t zero[6];

	return m && !(m[0] & 1) && memcmp(m, zero, 6);
}

/* ---- new_device ---- */

static void new_device(struct alerts *a, const uint8_t *mac, const struct alert_view *v)
{
	uint64_t k = 1;
	size_t i;
	char ip[48], m[18], desc[ALERT_DESC_MAX];
	struct alert_ev_in ev[3];
	struct alert_dev d;
	int nev = 0;

	if (!mac_usable(mac) || !alert_table((void **)&a->newdev, NEWDEV_SLOTS, sizeof(*a->newdev)))
		return;
	for (int j = 0; j < 6; j++)
		k = k << 8 | mac[j];
	for (i = alert_hash(&k, sizeof(k), ALERT_HASH_INIT) % NEWDEV_SLOTS; a->newdev[i]; i = (i + 1) % NEWDEV_SLOTS)
		if (a->newdev[i] == k)
			return;
	if (a->nnewdev >= NEWDEV_MAX) {
		a->st.untracked_devices++;
		return;
	}
	a->newdev[i] = k;
	a->nnewdev++;
	if (alert_learning(a, v->ts) || !alert_enabled(a, B_NEW_DEVICE))
		return;
	alert_dev_mac(mac, &d);
	dec_format_mac(mac, m);
	ev[nev++] = (struct alert_ev_in){ "first_packet", v->l4_proto ? "ip" : "l2", v->flow };
	if (v->l4_proto && !strcmp(alert_scope(&v->src), "site") && v->src_mac == mac) {
		fmt_ip(&v->src, ip, sizeof(ip));
		ev[nev++] = (struct alert_ev_in){ "ip", ip, NULL };
		alert_fmt(desc, sizeof(desc), "%s (%s) appeared after the learning period", m, ip);
	} else {
		alert_fmt(desc, sizeof(desc), "%s appeared after the learning period", m);
	}
	if (a->inv && a->inv->oui) {
		const char *vendor = oui_lookup(a->inv->oui, mac);

		if (vendor)
			ev[nev++] = (struct alert_ev_in){ "mac_vendor", vendor, NULL };
	}
	alert_raise(a, def(B_NEW_DEVICE), &d, "", desc, v->ts, ev, nev);
}

/* ---- IOC contact ---- */

static void ioc_flow(struct alerts *a, const struct iot_ev_flow *ev, const struct alert_view *v)
{
	const struct ioc_net *hs = ioc_match_ip(&a->iocs, &v->src), *hd = ioc_match_ip(&a->iocs, &v->dst);
	char what[IOC_TEXT_MAX], s[48], d[48], desc[ALERT_DESC_MAX], port[16];
	const struct iot_addr *dev_ip;
	struct alert_dev dev;
	bool inbound;

	if (!hs && !hd && !(ev->flow.flags & IOT_FLOW_F_IOC))
		return;
	fmt_ip(&v->src, s, sizeof(s));
	fmt_ip(&v->dst, d, sizeof(d));
	alert_fmt(port, sizeof(port), "%s/%u", v->l4_proto == 6 ? "tcp" : "udp", v->dport);
	/* The device is the end that is not the indicator; the initiator when both are (or the kernel alone knew). */
	inbound = hs && !hd;
	dev_ip = inbound ? &v->dst : &v->src;
	if (hs || hd)
		ioc_net_format(inbound ? hs : hd ? hd : hs, what, sizeof(what));
	else
		alert_fmt(what, sizeof(what), "%s (kernel IOC map)", d);
	if (inbound)
		alert_fmt(desc, sizeof(desc), "IOC %s connected to %s on %s", what, d, port);
	else
		alert_fmt(desc, sizeof(desc), "%s connected to IOC %s on %s", s, what, port);
	alert_dev_ip(a, dev_ip, &dev);
	alert_raise(a, def(B_IOC), &dev, what, desc, v->ts,
		    &(struct alert_ev_in){ inbound ? "ioc_ip_inbound" : "ioc_ip", what, v->flow }, 1);
}

static void ioc_name(struct alerts *a, const struct alert_view *v, const char *key, const char *name)
{
	const char *hit = ioc_match_domain(&a->iocs, name);
	char desc[ALERT_DESC_MAX], s[48];
	struct alert_dev dev;

	if (!hit)
		return;
	fmt_ip(&v->src, s, sizeof(s));
	alert_fmt(desc, sizeof(desc), "%s asked for %s (%s), listed as an IOC (%s)", s, name,
		 !strcmp(key, "dns_query") ? "DNS query" : !strcmp(key, "tls_sni") ? "TLS SNI" : "HTTP Host", hit);
	alert_dev_ip(a, &v->src, &dev);
	alert_raise(a, def(B_IOC), &dev, hit, desc, v->ts, &(struct alert_ev_in){ key, name, v->flow }, 1);
}

/* The L4 payload of a captured IP packet (the decoders get it from the snippet; the context only has L3). */
static bool l4_payload(const struct dec_ctx *c, const uint8_t **p, size_t *n)
{
	const uint8_t *b = c->l3;
	size_t len = c->l3_len, off;
	uint8_t nh;

	if (!b || len < 20)
		return false;
	if ((b[0] >> 4) == 4) {
		off = (size_t)(b[0] & 0xf) * 4;
		nh = b[9];
		if (off < 20 || (dec_be16(b + 6) & 0x1fff))
			return false;
	} else if ((b[0] >> 4) == 6 && len >= 40) {
		off = 40;
		nh = b[6];
		for (int i = 0; i < 6 && (nh == 0 || nh == 43 || nh == 60 || nh == 44); i++) {
			if (off + 8 > len)
				return false;
			if (nh == 44 && (dec_be16(b + off + 2) & 0xfff8))
				return false; /* a later fragment */
			nh = b[off];
			off += nh == 44 ? 8 : ((size_t)b[off + 1] + 1) * 8;
		}
	} else {
		return false;
	}
	if (nh != c->l4_proto || off > len)
		return false;
	if (nh == 17) {
		off += 8;
	} else if (nh == 6) {
		if (off + 20 > len)
			return false;
		off += (size_t)(b[off + 12] >> 4) * 4;
	} else {
		return false;
	}
	if (off > len)
		return false;
	*p = b + off;
	*n = len - off;
	return true;
}

/* The names a DNS query asks for (queries only: an answer repeats the question). */
static void ioc_dns(struct alerts *a, const struct alert_view *v)
{
	const uint8_t *p;
	size_t n;
	struct dns_iter it;
	struct dns_rr rr;
	char name[DNS_NAME_BUF];

	if (v->dport != 53 || !l4_payload(v->c, &p, &n))
		return;
	if (v->l4_proto == 6) { /* DNS over TCP: a two-byte length first */
		if (n < 2)
			return;
		p += 2;
		n -= 2;
	}
	if (dns_iter_init(&it, p, n) || (it.flags & DNS_FLAG_QR) || DNS_OPCODE(it.flags) != 0)
		return;
	for (int i = 0; i < 4 && dns_iter_next(&it, &rr) == 1 && rr.section == DNS_SEC_QD; i++)
		if (dns_name(p, n, rr.name, name, sizeof(name), NULL) > 0)
			ioc_name(a, v, "dns_query", name);
}

/* ---- scans ---- */

static struct scan_win *scan_slot(struct alerts *a, uint64_t key, uint64_t ts, uint64_t window)
{
	struct scan_win *w;

	if (!alert_table((void **)&a->scans, SCAN_SLOTS, sizeof(*a->scans)))
		return NULL;
	w = &a->scans[key % SCAN_SLOTS];
	if (w->key != key) {
		if (w->key)
			a->st.state_collisions++;
		memset(w, 0, sizeof(*w));
		w->key = key;
		w->start_ns = ts;
	}
	/* Records arrive in end order, not start order: an earlier time counts in the current window. */
	if (ts > w->start_ns + window) {
		memset(w->bits, 0, sizeof(w->bits));
		w->distinct = 0;
		w->fired = false;
		w->start_ns = ts;
	}
	return w;
}

/* Adds item to the window; true when it was not there yet. */
static bool scan_add(struct scan_win *w, uint64_t item)
{
	uint32_t bit = (uint32_t)(alert_hash(&item, sizeof(item), ALERT_HASH_INIT) % SCAN_BITS);

	if (w->bits[bit / 8] & (1u << (bit % 8)))
		return false;
	w->bits[bit / 8] |= (uint8_t)(1u << (bit % 8));
	w->distinct++;
	return true;
}

static void scan_probe(struct alerts *a, const struct alert_view *v)
{
	uint64_t kp = alert_hash("P", 1, ALERT_HASH_INIT), kh = alert_hash("H", 1, ALERT_HASH_INIT), item;
	char s[48], d[48], desc[ALERT_DESC_MAX], val[64];
	struct alert_dev dev;
	struct scan_win *w;

	kp = alert_hash(v->src.b, 16, alert_hash(v->dst.b, 16, kp));
	kh = alert_hash(v->src.b, 16, kh);
	w = scan_slot(a, kp, v->ts, ALERT_SCAN_WINDOW_S * NS);
	if (!w)
		return;
	item = (uint64_t)v->l4_proto << 16 | v->dport;
	if (scan_add(w, item) && w->distinct >= ALERT_PORT_SCAN_PORTS && !w->fired &&
	    alert_enabled(a, B_PORT_SCAN)) {
		w->fired = true;
		fmt_ip(&v->src, s, sizeof(s));
		fmt_ip(&v->dst, d, sizeof(d));
		alert_fmt(desc, sizeof(desc), "%s reached %u ports of %s within %d s", s, w->distinct, d,
			 ALERT_SCAN_WINDOW_S);
		alert_fmt(val, sizeof(val), "%u ports within %d s", w->distinct, ALERT_SCAN_WINDOW_S);
		alert_dev_ip(a, &v->src, &dev);
		alert_raise(a, def(B_PORT_SCAN), &dev, d, desc, v->ts,
			    &(struct alert_ev_in){ "distinct_ports", val, v->flow }, 1);
	}
	w = scan_slot(a, kh, v->ts, ALERT_SCAN_WINDOW_S * NS);
	if (!w)
		return;
	item = alert_hash(v->dst.b, 16, ALERT_HASH_INIT);
	if (scan_add(w, item) && w->distinct >= ALERT_HOST_SCAN_HOSTS && !w->fired &&
	    alert_enabled(a, B_HOST_SCAN)) {
		w->fired = true;
		fmt_ip(&v->src, s, sizeof(s));
		alert_fmt(desc, sizeof(desc), "%s reached %u hosts within %d s", s, w->distinct, ALERT_SCAN_WINDOW_S);
		alert_fmt(val, sizeof(val), "%u hosts within %d s", w->distinct, ALERT_SCAN_WINDOW_S);
		alert_dev_ip(a, &v->src, &dev);
		alert_raise(a, def(B_HOST_SCAN), &dev, "", desc, v->ts,
			    &(struct alert_ev_in){ "distinct_hosts", val, v->flow }, 1);
	}
}

/*
 * A probe is a flow from a site device that ended unanswered: TCP without a SYN-ACK or data from the responder
 * (a reset is no answer), UDP without a packet back. Counted when the flow ends, at the time it started: a
 * supervisor polling a hundred controllers, or a browser reaching fifty web servers, is answered; a sweep or a
 * port scan mostly is not. (A probe that gets no answer ends on the idle timeout: live, the alert comes then.)
 */
static void scan_flow(struct alerts *a, const struct iot_ev_flow *ev, const struct alert_view *v, uint64_t first_ns)
{
	int rsp = !(ev->flow.initiator & 1);
	uint8_t fl = ev->flow.tcp_flags[rsp];
	struct alert_view pv = *v;
	bool answered;

	if (strcmp(alert_scope(&v->src), "site") || !strcmp(alert_scope(&v->dst), "multicast") || !v->dport)
		return;
	if (v->l4_proto == 6)
		answered = (fl & 0x12) == 0x12 || (ev->flow.packets[rsp] && !(fl & 0x04));
	else
		answered = ev->flow.packets[rsp] > 0;
	if (answered)
		return;
	pv.ts = first_ns ? first_ns : v->ts;
	scan_probe(a, &pv);
}

/* ---- windowed counts (brute force; custom rule thresholds use them too) ---- */

static struct count_win *count_slot(struct alerts *a, uint64_t key, uint64_t ts, uint64_t window)
{
	struct count_win *w;

	if (!alert_table((void **)&a->counts, COUNT_SLOTS, sizeof(*a->counts)))
		return NULL;
	w = &a->counts[key % COUNT_SLOTS];
	if (w->key != key) {
		if (w->key)
			a->st.state_collisions++;
		memset(w, 0, sizeof(*w));
		w->key = key;
		w->start_ns = ts;
	}
	if (ts > w->start_ns + window) {
		w->count = 0;
		w->fired = false;
		w->start_ns = ts;
	}
	return w;
}

/* ---- brute force and clear-text credentials ---- */

static void login_attempt(struct alerts *a, const struct alert_view *v, const struct iot_addr *client,
			  const struct iot_addr *server, const char *proto)
{
	uint64_t key = alert_hash("B", 1, ALERT_HASH_INIT);
	char c[48], s[48], detail[ALERT_DETAIL_MAX], desc[ALERT_DESC_MAX], val[64];
	struct count_win *w;
	struct alert_dev dev;

	key = alert_hash(proto, strlen(proto), alert_hash(server->b, 16, alert_hash(client->b, 16, key)));
	w = count_slot(a, key, v->ts, ALERT_BRUTE_WINDOW_S * NS);
	if (!w || ++w->count < ALERT_BRUTE_ATTEMPTS || w->fired || !alert_enabled(a, B_BRUTE))
		return;
	w->fired = true;
	fmt_ip(client, c, sizeof(c));
	fmt_ip(server, s, sizeof(s));
	alert_fmt(detail, sizeof(detail), "%s to %s", proto, s);
	alert_fmt(desc, sizeof(desc), "%u %s login attempts from %s to %s within %d s", w->count, proto, c, s,
		 ALERT_BRUTE_WINDOW_S);
	alert_fmt(val, sizeof(val), "%s: %u within %d s", proto, w->count, ALERT_BRUTE_WINDOW_S);
	alert_dev_ip(a, client, &dev);
	alert_raise(a, def(B_BRUTE), &dev, detail, desc, v->ts, &(struct alert_ev_in){ "login_attempts", val, v->flow },
		    1);
}

static void cleartext(struct alerts *a, const struct alert_view *v, const struct iot_addr *client,
		      const struct iot_addr *server, uint16_t port, const char *proto, const char *what,
		      const struct iot_obs *o)
{
	char c[48], s[48], detail[ALERT_DETAIL_MAX], desc[ALERT_DESC_MAX];
	struct alert_ev_in ev[2] = { { o->key, what, v->flow } };
	const struct iot_obs *user = !strcmp(proto, "FTP") ? find_obs(v->out, "ftp_user", OBS_SRC) : NULL;
	struct alert_dev dev;
	int nev = 1;

	if (!alert_enabled(a, B_CLEARTEXT))
		return;
	fmt_ip(client, c, sizeof(c));
	fmt_ip(server, s, sizeof(s));
	alert_fmt(detail, sizeof(detail), "%s to %s:%u", proto, s, port);
	alert_fmt(desc, sizeof(desc), "%s sent credentials in clear text to %s:%u (%s)", c, s, port, what);
	if (user) {
		ev[nev++] = (struct alert_ev_in){ user->key, user->value, v->flow };
	} else if (!strcmp(proto, "FTP")) { /* USER came in an earlier packet: the inventory has it */
		const char *name = alert_ip_value(a, client, "ftp_user");

		if (name)
			ev[nev++] = (struct alert_ev_in){ "ftp_user", name, NULL };
	}
	alert_dev_ip(a, client, &dev);
	alert_raise(a, def(B_CLEARTEXT), &dev, detail, desc, v->ts, ev, nev);
}

static void logins(struct alerts *a, const struct alert_view *v)
{
	const struct iot_obs *o;

	if ((o = find_obs(v->out, "ssh_client_banner", OBS_SRC)))
		login_attempt(a, v, &v->src, &v->dst, "SSH");
	if ((o = find_obs(v->out, "ftp_password_seen", OBS_SRC))) {
		login_attempt(a, v, &v->src, &v->dst, "FTP");
		cleartext(a, v, &v->src, &v->dst, v->dport, "FTP", "FTP USER/PASS", o);
	}
	if ((o = find_obs(v->out, "http_basic_auth", OBS_SRC))) {
		login_attempt(a, v, &v->src, &v->dst, "HTTP");
		cleartext(a, v, &v->src, &v->dst, v->dport, "HTTP", "HTTP Basic authentication without TLS", o);
	}
	if ((o = find_obs(v->out, "mqtt_password_present", OBS_SRC)))
		cleartext(a, v, &v->src, &v->dst, v->dport, "MQTT", "MQTT CONNECT password without TLS", o);
	/* Telnet: the server asks; whatever the client types next crosses the wire in the clear. */
	if ((o = find_obs(v->out, "telnet_password_prompt", OBS_SRC))) {
		login_attempt(a, v, &v->dst, &v->src, "Telnet");
		cleartext(a, v, &v->dst, &v->src, v->sport, "Telnet", "Telnet login", o);
	}
}

/* ---- IoT devices on the internet ---- */

struct port_range {
	uint8_t proto; /* 6, 17, or 0 for both */
	uint16_t lo, hi;
};

#define P(proto, lo, hi) { proto, lo, hi }
#define ANY 0
/* What a device of each type may reach on the internet on its own initiative (OT: in either direction). */
static const struct {
	const char *type;
	bool ot; /* any internet peer, inbound or outbound, outside the list */
	struct port_range ok[12];
} internet_ports[] = {
	/* web, DNS, NTP, mail (scan to e-mail), XMPP (vendor cloud print: HP ePrint, Google Cloud Print) */
	{ "printer", false, { P(ANY, 53, 53), P(17, 123, 123), P(6, 80, 80), P(6, 443, 443), P(6, 25, 25),
			      P(6, 465, 465), P(6, 587, 587), P(6, 5222, 5223) } },
	/* web, DNS, NTP, RTMP/RTSP streaming to a cloud, MQTT over TLS, STUN, QUIC */
	{ "ip_camera", false, { P(ANY, 53, 53), P(17, 123, 123), P(6, 80, 80), P(ANY, 443, 443), P(6, 554, 554),
				P(6, 1935, 1935), P(6, 8443, 8443), P(6, 8883, 8883), P(17, 3478, 3479) } },
	/* SIP, provisioning (HTTP, TFTP), STUN, RTP on high UDP ports */
	{ "voip_phone", false, { P(ANY, 53, 53), P(17, 123, 123), P(6, 80, 80), P(ANY, 443, 443),
				 P(ANY, 5060, 5061), P(17, 69, 69), P(6, 8443, 8443), P(17, 1024, 65535) } },
	{ "conferencing", false, { P(ANY, 53, 53), P(17, 123, 123), P(6, 80, 80), P(ANY, 443, 443),
				   P(ANY, 5060, 5061), P(6, 8443, 8443), P(17, 1024, 65535) } },
	/* web, QUIC, push (Apple 5223, Google 5228), streaming */
	{ "smart_tv", false, { P(ANY, 53, 53), P(17, 123, 123), P(6, 80, 80), P(ANY, 443, 443), P(6, 1935, 1935),
			       P(6, 5223, 5223), P(6, 5228, 5228), P(6, 8080, 8080), P(6, 8443, 8443),
			       P(17, 3478, 3479) } },
	{ "media_player", false, { P(ANY, 53, 53), P(17, 123, 123), P(6, 80, 80), P(ANY, 443, 443),
				   P(6, 1935, 1935), P(6, 5223, 5223), P(6, 5228, 5228), P(6, 8080, 8080),
				   P(6, 8443, 8443), P(17, 3478, 3479) } },
	/* controllers: name and time service at most */
	{ "plc", true, { P(ANY, 53, 53), P(17, 123, 123) } },
	{ "hmi", true, { P(ANY, 53, 53), P(17, 123, 123) } },
	{ "building_controller", true, { P(ANY, 53, 53), P(17, 123, 123) } },
};

/* Protocols no IoT or OT device should speak with an internet host, whatever the port. */
static const char *const internet_bad_protocols[] = {
	"Telnet", "SSH", "FTP", "VNC", "SNMP", "NetBIOS", "NetBIOS.SMBv1", "Modbus", "Modbus.UMAS", "S7comm",
	"S7CommPlus", "EthernetIP", "DNP3", "BACnet", "IEC60870", "FINS", "HART-IP", "KNXnet_IP", "TuyaLP",
	"UBNTAC2", "MDNS", "SSDP", "LLMNR", "WSD", "BJNP", "DCERPC.PROFINET_IO",
};

static int type_index(const struct profile *p)
{
	if (!p || !p->type.confidence)
		return -1;
	for (size_t i = 0; i < sizeof(internet_ports) / sizeof(internet_ports[0]); i++)
		if (!strcmp(internet_ports[i].type, p->type.value))
			return (int)i;
	return -1;
}

static bool port_ok(int t, uint8_t proto, uint16_t port)
{
	for (int i = 0; i < 12; i++) {
		const struct port_range *r = &internet_ports[t].ok[i];

		if (!r->hi)
			break;
		if ((!r->proto || r->proto == proto) && port >= r->lo && port <= r->hi)
			return true;
	}
	return false;
}

static void internet_raise(struct alerts *a, const struct alert_view *v, const struct iot_addr *dev_ip,
			   const struct iot_addr *peer, const struct profile *p, const char *detail, const char *what)
{
	char s[48], r[48], desc[ALERT_DESC_MAX], type[CLASSIFY_VALUE_MAX + CLASSIFY_ID_MAX + 16];
	struct alert_ev_in ev[2];
	struct alert_dev dev;

	fmt_ip(dev_ip, s, sizeof(s));
	fmt_ip(peer, r, sizeof(r));
	alert_fmt(type, sizeof(type), "%s (rule %s)", p->type.value, p->type.rule_id);
	alert_fmt(desc, sizeof(desc), "%s %s%s%s and internet host %s: %s is unusual for a %s", p->type.value, s,
		 p->vendor.value[0] ? " by " : "", p->vendor.value, r, what, p->type.value);
	ev[0] = (struct alert_ev_in){ "remote", r, v->flow };
	ev[1] = (struct alert_ev_in){ "device_type", type, NULL };
	alert_dev_ip(a, dev_ip, &dev);
	alert_raise(a, def(B_IOT_INTERNET), &dev, detail, desc, v->ts, ev, 2);
}

static void internet_flow(struct alerts *a, const struct alert_view *v)
{
	for (int side = 0; side < 2; side++) {
		const struct iot_addr *me = side ? &v->dst : &v->src, *peer = side ? &v->src : &v->dst;
		const char *proto = v->l4_proto == 6 ? "tcp" : "udp";
		uint16_t port = v->dport; /* the responder's port says what the flow is */
		char detail[ALERT_DETAIL_MAX], what[64];
		struct profile *p;
		bool changed;
		int t;

		if (strcmp(alert_scope(me), "site") || !alert_addr_public(peer))
			continue;
		p = alert_profile(a, me, NULL, &changed);
		t = type_index(p);
		if (t < 0 || (side == 1 && !internet_ports[t].ot) || port_ok(t, v->l4_proto, port))
			continue;
		alert_fmt(detail, sizeof(detail), "%s%s/%u", side ? "inbound " : "", proto, port);
		alert_fmt(what, sizeof(what), "%s %s/%u", side ? "an inbound connection on" : "a connection to", proto,
			 port);
		internet_raise(a, v, me, peer, p, detail, what);
	}
}

static void internet_packet(struct alerts *a, const struct alert_view *v)
{
	const struct iot_obs *o = NULL;

	for (int i = 0; i < v->out->n && !o; i++)
		if (!strcmp(v->out->obs[i].key, "app_protocol") &&
		    (v->out->obs[i].subject == OBS_SRC || v->out->obs[i].subject == OBS_DST))
			for (size_t k = 0; k < sizeof(internet_bad_protocols) / sizeof(internet_bad_protocols[0]); k++)
				if (!strcmp(v->out->obs[i].value, internet_bad_protocols[k]))
					o = &v->out->obs[i];
	if (!o)
		return;
	for (int side = 0; side < 2; side++) {
		const struct iot_addr *me = side ? &v->dst : &v->src, *peer = side ? &v->src : &v->dst;
		char detail[ALERT_DETAIL_MAX], what[64];
		struct profile *p;
		bool changed;

		if (strcmp(alert_scope(me), "site") || !alert_addr_public(peer))
			continue;
		p = alert_profile(a, me, NULL, &changed);
		if (type_index(p) < 0)
			continue;
		alert_fmt(detail, sizeof(detail), "protocol %s", o->value);
		alert_fmt(what, sizeof(what), "speaking %s", o->value);
		internet_raise(a, v, me, peer, p, detail, what);
	}
}

/* ---- identity change ---- */

static void identity_field(struct alerts *a, struct profile *p, const struct classify_field *f, char *est,
			   char *est_rule, uint64_t *est_ns, const char *what, uint64_t ts, const char *flow)
{
	char m[18], desc[ALERT_DESC_MAX], was[CLASSIFY_VALUE_MAX + CLASSIFY_ID_MAX + 16],
		now[CLASSIFY_VALUE_MAX + CLASSIFY_ID_MAX + 16];
	struct alert_ev_in ev[2];
	struct alert_dev dev;

	if (f->confidence < ALERT_IDENTITY_CONF_MIN || !f->value[0] || !strcmp(est, f->value))
		return;
	/* Until a profile has held for a while it is still forming (a printer first looks like a Linux host). */
	if (!est[0] || ts < *est_ns + ALERT_IDENTITY_SETTLE_S * NS) {
		if (!est[0])
			*est_ns = ts;
		snprintf(est, CLASSIFY_VALUE_MAX, "%s", f->value);
		snprintf(est_rule, CLASSIFY_ID_MAX, "%s", f->rule_id);
		return;
	}
	if (alert_enabled(a, B_IDENTITY)) {
		dec_format_mac(p->mac, m);
		alert_fmt(was, sizeof(was), "%s (rule %s)", est, est_rule);
		alert_fmt(now, sizeof(now), "%s (rule %s)", f->value, f->rule_id);
		alert_fmt(desc, sizeof(desc), "the %s of %s changed from %s to %s", what, m, was, now);
		ev[0] = (struct alert_ev_in){ !strcmp(what, "type") ? "type_before" : "vendor_before", was, NULL };
		ev[1] = (struct alert_ev_in){ !strcmp(what, "type") ? "type_now" : "vendor_now", now, flow };
		alert_dev_mac(p->mac, &dev);
		alert_raise(a, def(B_IDENTITY), &dev, what, desc, ts, ev, 2);
	}
	snprintf(est, CLASSIFY_VALUE_MAX, "%s", f->value);
	snprintf(est_rule, CLASSIFY_ID_MAX, "%s", f->rule_id);
	*est_ns = ts;
}

/* True when this device's identity was checked less than ALERT_IDENTITY_CHECK_S ago (packet time). */
static bool identity_recent(struct alerts *a, const struct iot_addr *ip, const uint8_t *mac, uint64_t ts)
{
	uint8_t key[16] = { 0 };
	struct idcheck *c;

	if (!alert_table((void **)&a->idchecks, IDCHECK_SLOTS, sizeof(*a->idchecks)))
		return true;
	memcpy(key, ip ? ip->b : mac, ip ? 16 : 6);
	c = &a->idchecks[alert_hash(key, sizeof(key), ALERT_HASH_INIT) % IDCHECK_SLOTS];
	if (!memcmp(c->key, key, sizeof(key)) && ts >= c->ns && ts < c->ns + ALERT_IDENTITY_CHECK_S * NS)
		return true;
	memcpy(c->key, key, sizeof(key));
	c->ns = ts;
	return false;
}

static void identity_check(struct alerts *a, const struct iot_addr *ip, const uint8_t *mac, const struct alert_view *v)
{
	struct profile *p;
	bool changed;

	if (identity_recent(a, ip, mac, v->ts))
		return;
	p = alert_profile(a, ip, mac, &changed);
	if (!p || !changed || !p->is_mac)
		return;
	identity_field(a, p, &p->type, p->est_type, p->est_type_rule, &p->est_type_ns, "type", v->ts, v->flow);
	identity_field(a, p, &p->vendor, p->est_vendor, p->est_vendor_rule, &p->est_vendor_ns, "vendor", v->ts,
		       v->flow);
}

static void identity_packet(struct alerts *a, const struct alert_view *v)
{
	if (!a->inv || !v->out->n)
		return;
	if (v->l4_proto)
		identity_check(a, &v->src, NULL, v);
	else if (mac_usable(v->src_mac))
		identity_check(a, NULL, v->src_mac, v);
	/* DHCP names its client by chaddr, whoever sends the packet */
	for (int i = 0; i < v->out->n; i++) {
		const struct iot_obs *o = &v->out->obs[i];
		bool seen = false;

		if (o->subject != OBS_MAC || !mac_usable(o->subject_mac) ||
		    (v->src_mac && !memcmp(o->subject_mac, v->src_mac, 6) && !v->l4_proto))
			continue;
		for (int j = 0; j < i && !seen; j++) {
			const struct iot_obs *e = &v->out->obs[j];

			seen = e->subject == OBS_MAC && !memcmp(e->subject_mac, o->subject_mac, 6);
		}
		if (!seen)
			identity_check(a, NULL, o->subject_mac, v);
	}
}

/* ---- ARP spoofing ---- */

static void arp_packet(struct alerts *a, const struct alert_view *v)
{
	if (!alert_table((void **)&a->arp, ARP_SLOTS, sizeof(*a->arp)))
		return;
	for (int i = 0; i < v->out->n; i++) {
		const struct iot_obs *o = &v->out->obs[i];
		struct arp_claim *c;
		uint32_t ip;

		if (o->subject != OBS_MAC || strcmp(o->key, "ip_for_mac") || inet_pton(AF_INET, o->value, &ip) != 1 ||
		    !ip)
			continue;
		c = &a->arp[alert_hash(&ip, sizeof(ip), ALERT_HASH_INIT) % ARP_SLOTS];
		if (c->ip != ip) {
			if (c->ip)
				a->st.state_collisions++;
			c->ip = ip;
			memcpy(c->mac, o->subject_mac, 6);
			c->seen_ns = v->ts;
			continue;
		}
		if (memcmp(c->mac, o->subject_mac, 6) && v->ts < c->seen_ns + ALERT_ARP_CONFLICT_S * NS &&
		    alert_enabled(a, B_ARP)) {
			char was[18], now[18], desc[ALERT_DESC_MAX], val[96];
			struct alert_dev dev;

			dec_format_mac(c->mac, was);
			dec_format_mac(o->subject_mac, now);
			alert_fmt(desc, sizeof(desc), "%s claims %s, which %s claimed %llu s before", now, o->value,
				  was, (unsigned long long)((v->ts - c->seen_ns) / NS));
			alert_fmt(val, sizeof(val), "%s is-at %s (was %s)", o->value, now, was);
			alert_dev_mac(o->subject_mac, &dev);
			alert_raise(a, def(B_ARP), &dev, o->value, desc, v->ts,
				    &(struct alert_ev_in){ "arp_claim", val, NULL }, 1);
		}
		memcpy(c->mac, o->subject_mac, 6);
		c->seen_ns = v->ts;
	}
}

/* ---- rogue DHCP server ---- */

static bool dhcp_is_known(const struct alerts *a, const struct iot_addr *ip, const uint8_t *mac)
{
	for (int i = 0; i < a->ndhcp_known; i++)
		if ((ip && a->dhcp_known[i].ip.family && !memcmp(a->dhcp_known[i].ip.b, ip->b, 16)) ||
		    (mac && !memcmp(a->dhcp_known[i].mac, mac, 6)))
			return true;
	return false;
}

static void dhcp_packet(struct alerts *a, const struct alert_view *v)
{
	const struct iot_obs *srv = find_obs(v->out, "dhcp_server", OBS_SRC), *id;
	char s[48], m[18], desc[ALERT_DESC_MAX];
	struct alert_ev_in ev[2];
	struct alert_dev dev;
	int nev = 0;

	if (!srv)
		return;
	id = find_obs(v->out, "dhcp_server_id", OBS_SRC);
	if (!addr_list_empty(&a->conf.dhcp)) {
		struct iot_addr sid = { .family = 0 };

		if (id && inet_pton(AF_INET, id->value, sid.b + 12) == 1) {
			memset(sid.b, 0, 10);
			sid.b[10] = sid.b[11] = 0xff;
			sid.family = AF_INET;
		}
		if (addr_list_has(&a->conf.dhcp, &v->src, v->src_mac) ||
		    (sid.family && addr_list_has(&a->conf.dhcp, &sid, NULL)))
			return;
	} else {
		if (dhcp_is_known(a, &v->src, v->src_mac))
			return;
		if (alert_learning(a, v->ts)) {
			if (a->ndhcp_known < DHCP_SERVERS_MAX) {
				a->dhcp_known[a->ndhcp_known].ip = v->src;
				memcpy(a->dhcp_known[a->ndhcp_known].mac, v->src_mac, 6);
				a->ndhcp_known++;
			}
			return;
		}
	}
	if (!alert_enabled(a, B_DHCP))
		return;
	fmt_ip(&v->src, s, sizeof(s));
	dec_format_mac(v->src_mac, m);
	alert_fmt(desc, sizeof(desc), "%s (%s) answers DHCP clients%s%s but is not a known DHCP server", s, m,
		 id ? " as server id " : "", id ? id->value : "");
	ev[nev++] = (struct alert_ev_in){ "dhcp_server", m, v->flow };
	if (id)
		ev[nev++] = (struct alert_ev_in){ id->key, id->value, v->flow };
	alert_dev_ip(a, &v->src, &dev);
	if (!dev.has_mac && mac_usable(v->src_mac)) {
		memcpy(dev.mac, v->src_mac, 6);
		dev.has_mac = true;
	}
	alert_raise(a, def(B_DHCP), &dev, "", desc, v->ts, ev, nev);
}

/* ---- OT commands ---- */

static int ot_category(const char *key, const char *value, uint16_t *port, const char **proto)
{
	if (!strncmp(key, "modbus_", 7)) {
		*port = 502;
		*proto = "Modbus";
		if (!strcmp(key, "modbus_write"))
			return B_MODBUS_WRITE;
		if (strcmp(key, "modbus_control"))
			return -1;
		if (!strncmp(value, "umas=", 5))
			return strstr(value, "download") ? B_MODBUS_DOWNLOAD :
			       strstr(value, "_plc")	 ? B_MODBUS_MODE :
							   B_MODBUS_CONTROL;
		return strstr(value, "sub=1 ") ? B_MODBUS_RESTART : B_MODBUS_CONTROL;
	}
	if (!strncmp(key, "s7_", 3)) {
		*port = 102;
		*proto = "S7comm";
		if (!strcmp(key, "s7_write"))
			return B_S7_WRITE;
		if (!strcmp(key, "s7_download"))
			return B_S7_DOWNLOAD;
		if (!strcmp(key, "s7_plc_stop"))
			return B_S7_STOP;
		if (!strcmp(key, "s7_plc_control"))
			return !strncmp(value, "_INSE", 5) || !strncmp(value, "_DELE", 5) ? B_S7_DOWNLOAD :
											      B_S7_CONTROL;
		return -1;
	}
	if (!strncmp(key, "cip_", 4)) {
		*port = 44818;
		*proto = "EtherNet/IP";
		if (!strcmp(key, "cip_write"))
			return B_ENIP_WRITE;
		if (!strcmp(key, "cip_reset"))
			return B_ENIP_RESET;
		if (!strcmp(key, "cip_control"))
			return B_ENIP_MODE;
	}
	return -1;
}

static void ot_packet(struct alerts *a, const struct alert_view *v)
{
	for (int i = 0; i < v->out->n; i++) {
		const struct iot_obs *o = &v->out->obs[i];
		const struct iot_addr *actor, *target;
		const uint8_t *actor_mac;
		char s[48], d[48], desc[ALERT_DESC_MAX];
		const char *proto;
		struct alert_dev dev;
		uint16_t port = 0;
		bool from_src, dup = false;
		int b;

		if (o->subject != OBS_SRC && o->subject != OBS_DST)
			continue;
		b = ot_category(o->key, o->value, &port, &proto);
		if (b < 0)
			continue;
		/* Written on both ends of the packet: once is enough. */
		for (int j = 0; j < i && !dup; j++)
			dup = !strcmp(v->out->obs[j].key, o->key) && !strcmp(v->out->obs[j].value, o->value);
		if (dup || !alert_enabled(a, b))
			continue;
		/* The actor is the client: the side not on the protocol's port (EtherNet/IP I/O uses 2222). */
		if (port == 44818 && (v->sport == 2222 || v->dport == 2222))
			port = 2222;
		if (v->dport == port && v->sport != port)
			from_src = true;
		else if (v->sport == port && v->dport != port)
			from_src = false;
		else
			from_src = v->src_is_initiator;
		actor = from_src ? &v->src : &v->dst;
		target = from_src ? &v->dst : &v->src;
		actor_mac = from_src ? v->src_mac : v->dst_mac;
		if (addr_list_has(&a->conf.stations, actor, mac_usable(actor_mac) ? actor_mac : NULL))
			continue;
		fmt_ip(actor, s, sizeof(s));
		fmt_ip(target, d, sizeof(d));
		alert_fmt(desc, sizeof(desc), "%s sent %s '%s' to %s; it is not a known engineering station", s, proto,
			 o->value, d);
		alert_dev_ip(a, actor, &dev);
		alert_raise(a, def(b), &dev, d, desc, v->ts, &(struct alert_ev_in){ o->key, o->value, v->flow }, 1);
	}
}

/* ---- dispatch ---- */

void detect_packet(struct alerts *a, const struct alert_view *v)
{
	const struct iot_obs *o;

	new_device(a, v->src_mac, v);
	if (!v->l4_proto) {
		if (v->c->eth_proto == 0x0806)
			arp_packet(a, v);
		identity_packet(a, v);
		return;
	}
	if (alert_enabled(a, B_IOC) && a->iocs.ndomains) {
		ioc_dns(a, v);
		if ((o = find_obs(v->out, "tls_sni", OBS_SRC)))
			ioc_name(a, v, "tls_sni", o->value);
		if ((o = find_obs(v->out, "http_host", OBS_DST)))
			ioc_name(a, v, "http_host", o->value);
	}
	if (!v->out->n)
		return;
	dhcp_packet(a, v);
	ot_packet(a, v);
	logins(a, v);
	if (alert_enabled(a, B_IOT_INTERNET))
		internet_packet(a, v);
	identity_packet(a, v);
}

void detect_flow(struct alerts *a, const struct iot_ev_flow *ev, const struct alert_view *v, bool start,
		 uint64_t first_ns)
{
	if (v->l4_proto != 6 && v->l4_proto != 17)
		return;
	if (start) {
		new_device(a, v->src_mac, v);
		if (alert_enabled(a, B_IOC))
			ioc_flow(a, ev, v);
		if (alert_enabled(a, B_IOT_INTERNET))
			internet_flow(a, v);
	}
	if (!start && (alert_enabled(a, B_PORT_SCAN) || alert_enabled(a, B_HOST_SCAN)))
		scan_flow(a, ev, v, first_ns);
}

/*
 * IOT_EV_FLOOD (docs/datapath.md): the datapath stopped recording new flows of v->src over its budget (all:
 * over the budget of every source together) and says so once per interval. One alert per source whose count
 * grows: a scan or flood is one alert, not the million flow records the kernel did not send.
 */
void detect_flood(struct alerts *a, const struct alert_view *v, uint32_t shed, uint32_t admitted, bool all)
{
	char s[48], desc[ALERT_DESC_MAX], val[64];
	struct alert_dev dev;

	if (!alert_enabled(a, B_FLOW_FLOOD))
		return;
	fmt_ip(&v->src, s, sizeof(s));
	if (all)
		alert_fmt(desc, sizeof(desc),
			  "new flows came faster than the sensor records for all sources together; %s sent the first "
			  "one shed: %u shed and %u admitted since the previous report (a flood from many sources)",
			  s, shed, admitted);
	else
		alert_fmt(desc, sizeof(desc),
			  "%s opened new flows faster than its budget: %u shed and %u admitted since the previous "
			  "report (a scan or a flood); the shed flows have no records", s, shed, admitted);
	alert_fmt(val, sizeof(val), "%u new flows shed", shed);
	alert_dev_ip(a, &v->src, &dev);
	alert_raise(a, def(B_FLOW_FLOOD), &dev, all ? "all sources" : "", desc, v->ts,
		    &(struct alert_ev_in){ "flows_shed", val, v->flow }, 1);
}
