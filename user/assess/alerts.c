// SPDX-License-Identifier: GPL-2.0-only
/*
 * The alerts engine's core: loading, the alert table (aggregation with bounded memory), dispatch of packets and
 * flow records to the detectors (alert_detect.c) and custom rules (alert_rules.c), and the records.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../inventory.h"
#include "alert_int.h"
#include "derive.h"

uint64_t alert_hash(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

void alert_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool alert_addr_is_v4(const struct iot_addr *a)
{
	return !memcmp(a->b, v4mapped, 12);
}

static bool addr_is_group(const struct iot_addr *a)
{
	if (alert_addr_is_v4(a))
		return (a->b[12] & 0xf0) == 0xe0 || !memcmp(a->b + 12, "\xff\xff\xff\xff", 4);
	return a->b[0] == 0xff;
}

const char *alert_scope(const struct iot_addr *a)
{
	if (addr_is_group(a))
		return "multicast";
	return derive_addr_in_site(a) ? "site" : "internet";
}

bool alert_addr_public(const struct iot_addr *a)
{
	return a->family && !addr_is_group(a) && !derive_addr_in_site(a);
}

void *alert_table(void **tab, size_t n, size_t size)
{
	if (!*tab)
		*tab = calloc(n, size);
	return *tab;
}

bool alert_learning(const struct alerts *a, uint64_t ts)
{
	return a->learning_ns && ts < a->start_ns + a->learning_ns;
}

void alert_dev_mac(const uint8_t mac[6], struct alert_dev *d)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->mac, mac, 6);
	d->has_mac = true;
}

void alert_dev_ip(struct alerts *a, const struct iot_addr *ip, struct alert_dev *d)
{
	char key[64], buf[48];
	const struct inv_ident *id, *m;
	const uint8_t *mac = NULL;

	memset(d, 0, sizeof(*d));
	d->ip = *ip;
	if (!d->ip.family)
		d->ip.family = alert_addr_is_v4(ip) ? AF_INET : AF_INET6;
	if (!a->inv)
		return;
	dec_format_addr(ip, buf, sizeof(buf));
	snprintf(key, sizeof(key), "ip:%s", buf);
	id = hmap_get(&a->inv->idents, key);
	if (!id)
		return;
	/* As the device records bind them (device_record.c): ARP/DHCP said so, or one MAC that is not a router. */
	if (id->has_auth_mac) {
		mac = id->auth_mac;
	} else if (id->nmacs == 1) {
		dec_format_mac(id->macs[0], buf);
		snprintf(key, sizeof(key), "mac:%s", buf);
		m = hmap_get(&a->inv->idents, key);
		if (m && m->nv4 <= 1)
			mac = id->macs[0];
	}
	if (mac) {
		memcpy(d->mac, mac, 6);
		d->has_mac = true;
	}
}

/* "ip:198.18.0.5" when the device has an IP (alerts about IP devices stay one alert as MACs are learned). */
static void dev_key(const struct alert_dev *d, char *buf, size_t size)
{
	char s[48];

	if (d->ip.family) {
		dec_format_addr(&d->ip, s, sizeof(s));
		snprintf(buf, size, "ip:%s", s);
	} else {
		dec_format_mac(d->mac, s);
		snprintf(buf, size, "mac:%s", s);
	}
}

static void add_evidence(struct alert *al, const struct alert_ev_in *e, uint64_t ts)
{
	struct alert_evidence *x;
	char value[ALERT_EV_VALUE_MAX];

	snprintf(value, sizeof(value), "%s", e->value ? e->value : "");
	for (int i = 0; i < al->nev; i++)
		if (!strcmp(al->ev[i].key, e->key) && !strcmp(al->ev[i].value, value))
			return;
	if (al->nev == ALERT_EVIDENCE_MAX) {
		al->ev_omitted++;
		return;
	}
	x = &al->ev[al->nev++];
	snprintf(x->key, sizeof(x->key), "%s", e->key);
	memcpy(x->value, value, sizeof(value));
	snprintf(x->flow, sizeof(x->flow), "%s", e->flow ? e->flow : "");
	x->ts_ns = ts;
}

static void unlink_alert(struct alerts *a, struct alert *al)
{
	struct alert **pp = &a->buckets[al->hash % ALERT_BUCKETS];

	while (*pp && *pp != al)
		pp = &(*pp)->next;
	if (*pp)
		*pp = al->next;
}

/* Room for one more: forget the written alert seen longest ago. False when every alert still waits to be written. */
static bool make_room(struct alerts *a)
{
	size_t victim = a->nall;

	for (size_t i = 0; i < a->nall; i++) {
		const struct alert *al = a->all[i];

		if (al->sent_count != al->count)
			continue;
		if (victim == a->nall || al->last_ns < a->all[victim]->last_ns)
			victim = i;
	}
	if (victim == a->nall)
		return false;
	unlink_alert(a, a->all[victim]);
	free(a->all[victim]);
	memmove(&a->all[victim], &a->all[victim + 1], (a->nall - victim - 1) * sizeof(a->all[0]));
	a->nall--;
	a->st.evicted++;
	return true;
}

void alert_raise(struct alerts *a, const struct alert_def *def, const struct alert_dev *dev, const char *detail,
		 const char *desc, uint64_t ts, const struct alert_ev_in *ev, int nev)
{
	char key[ALERT_KEY_MAX], dk[64];
	struct alert *al;
	uint64_t h;

	a->st.hits++;
	dev_key(dev, dk, sizeof(dk));
	snprintf(key, sizeof(key), "%s|%s|%s", def->id, dk, detail ? detail : "");
	h = alert_hash(key, strlen(key), ALERT_HASH_INIT);
	for (al = a->buckets[h % ALERT_BUCKETS]; al; al = al->next)
		if (al->hash == h && !strcmp(al->key, key))
			break;
	if (!al) {
		if (a->nall == ALERTS_MAX && !make_room(a)) {
			a->st.dropped++;
			return;
		}
		al = calloc(1, sizeof(*al));
		if (!al) {
			a->st.dropped++;
			return;
		}
		al->hash = h;
		memcpy(al->key, key, sizeof(key));
		al->def = def;
		al->dev = *dev;
		snprintf(al->detail, sizeof(al->detail), "%s", detail ? detail : "");
		snprintf(al->desc, sizeof(al->desc), "%s", desc ? desc : def->title);
		al->first_ns = al->last_ns = ts;
		al->seq = ++a->seq;
		al->next = a->buckets[h % ALERT_BUCKETS];
		a->buckets[h % ALERT_BUCKETS] = al;
		a->all[a->nall++] = al;
		a->st.alerts++;
	}
	al->count++;
	if (ts < al->first_ns)
		al->first_ns = ts;
	if (ts > al->last_ns)
		al->last_ns = ts;
	if (!al->dev.has_mac && dev->has_mac) {
		memcpy(al->dev.mac, dev->mac, 6);
		al->dev.has_mac = true;
	}
	for (int i = 0; i < nev; i++)
		add_evidence(al, &ev[i], ts);
}

/* ---- lifecycle ---- */

struct alerts *alerts_new(const char *rules_dir, const char *state_dir, char *err, size_t err_size)
{
	struct alerts *a = calloc(1, sizeof(*a));
	char root[4096], path[4200];
	bool io;

	if (!a) {
		snprintf(err, err_size, "alerts: out of memory");
		return NULL;
	}
	ioc_set_init(&a->iocs);
	a->learning_ns = ALERT_LEARNING_S * NS;
	a->update_ns = ALERT_UPDATE_INTERVAL_S * NS;
	alert_rules_root(rules_dir, root, sizeof(root));
	snprintf(path, sizeof(path), "%s/alerts", root);
	if (alert_conf_load(&a->conf, path, err, err_size, &io))
		goto fail;
	snprintf(path, sizeof(path), "%s/iocs", root);
	if (ioc_load_dir(&a->iocs, path, err, err_size, &io))
		goto fail;
	if (state_dir && *state_dir) {
		ioc_feed_path(state_dir, path, sizeof(path));
		if (ioc_load_file(&a->iocs, path, err, err_size, &io) && !io)
			goto fail;
		/* an absent (never imported) or unreadable feed: the lists in rules/ still apply */
	}
	ioc_set_finish(&a->iocs);
	/* The detectors' tables come with their first use (alert_table()). */
	a->all = calloc(ALERTS_MAX, sizeof(*a->all));
	if (!a->all) {
		snprintf(err, err_size, "alerts: out of memory");
		goto fail;
	}
	a->st.rules = a->conf.nrules;
	a->st.ioc_entries = a->iocs.nnets + a->iocs.ndomains;
	return a;
fail:
	alerts_free(a);
	return NULL;
}

void alerts_free(struct alerts *a)
{
	if (!a)
		return;
	for (size_t i = 0; a->all && i < a->nall; i++)
		free(a->all[i]);
	free(a->all);
	free(a->newdev);
	free(a->arp);
	free(a->scans);
	free(a->counts);
	free(a->profiles);
	free(a->idchecks);
	alert_conf_free(&a->conf);
	ioc_set_free(&a->iocs);
	free(a);
}

void alerts_set_learning(struct alerts *a, unsigned int seconds)
{
	a->learning_ns = (uint64_t)seconds * NS;
}

void alerts_set_update_interval(struct alerts *a, unsigned int seconds)
{
	a->update_ns = (uint64_t)seconds * NS;
}

int alerts_device_severity(const struct alerts *a, const uint8_t *mac, const struct iot_addr *ips, size_t nips)
{
	int best = 0;

	for (size_t i = 0; a && i < a->nall; i++) {
		const struct alert *al = a->all[i];
		bool ours = mac && al->dev.has_mac && !memcmp(al->dev.mac, mac, 6);

		for (size_t k = 0; !ours && k < nips; k++)
			ours = al->dev.ip.family && !memcmp(al->dev.ip.b, ips[k].b, 16);
		if (ours && al->def->severity > best)
			best = al->def->severity;
	}
	return best;
}

size_t alerts_ioc_ips(const struct alerts *a, struct iot_addr *out, size_t max)
{
	return a ? ioc_host_addrs(&a->iocs, out, max) : 0;
}

void alerts_get_stats(const struct alerts *a, struct alerts_stats *st)
{
	*st = a->st;
}

static void tick(struct alerts *a, uint64_t ts)
{
	if (!a->start_ns || ts < a->start_ns)
		a->start_ns = ts ? ts : 1;
	if (ts > a->now_ns)
		a->now_ns = ts;
}

/* ---- input ---- */

void alerts_packet(struct alerts *a, const struct dec_ctx *c, const struct dec_out *out, struct inventory *inv,
		   const char *flow)
{
	struct alert_view v = {
		.l4_proto = c->l4_proto,
		.sport = c->sport,
		.dport = c->dport,
		.src_mac = c->src_mac,
		.dst_mac = c->dst_mac,
		.src_is_initiator = c->from_initiator,
		.flow = flow ? flow : "",
		.ts = c->ts_ns,
		.c = c,
		.out = out,
	};

	if (!a)
		return;
	if (inv)
		a->inv = inv;
	tick(a, c->ts_ns);
	if (c->l4_proto) {
		v.src = c->src_ip;
		v.dst = c->dst_ip;
	}
	detect_packet(a, &v);
	rules_eval(a, &v, false);
}

static const char *proto_name(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : "other";
}

void alerts_flow(struct alerts *a, const struct iot_ev_flow *ev, uint64_t epoch_ns, uint64_t first_ns,
		 uint64_t last_ns)
{
	int ini = ev->flow.initiator & 1;
	const uint8_t *addr[2] = { ev->key.addr_a, ev->key.addr_b };
	const uint16_t port[2] = { ev->key.port_a, ev->key.port_b };
	const uint8_t *mac[2] = { ev->mac_a, ev->mac_b };
	bool start = ev->hdr.type == IOT_EV_FLOW_START;
	char flow[ALERT_FLOW_MAX], s[48], d[48];
	struct alert_view v = { 0 };

	if (!a)
		return;
	v.l4_proto = ev->key.proto;
	memcpy(v.src.b, addr[ini], 16);
	memcpy(v.dst.b, addr[!ini], 16);
	v.src.family = alert_addr_is_v4(&v.src) ? AF_INET : AF_INET6;
	v.dst.family = alert_addr_is_v4(&v.dst) ? AF_INET : AF_INET6;
	v.sport = ntohs(port[ini]);
	v.dport = ntohs(port[!ini]);
	v.src_mac = mac[ini];
	v.dst_mac = mac[!ini];
	v.src_is_initiator = true;
	/* An end record's own time is when it was swept; the flow's last packet is when it happened. */
	v.ts = start ? epoch_ns : last_ns;
	dec_format_addr(&v.src, s, sizeof(s));
	dec_format_addr(&v.dst, d, sizeof(d));
	snprintf(flow, sizeof(flow), "%s %s:%u -> %s:%u", proto_name(v.l4_proto), s, v.sport, d, v.dport);
	v.flow = flow;
	tick(a, v.ts);
	detect_flow(a, ev, &v, start, first_ns);
	if (start)
		rules_eval(a, &v, true);
}

void alerts_flood(struct alerts *a, const struct iot_ev_flood *ev, uint64_t epoch_ns)
{
	/* The shed flow's key holds the source at the side its packet came from; the other side is its peer. */
	int from = ev->dir & 1;
	const uint8_t *addr[2] = { ev->key.addr_a, ev->key.addr_b };
	const uint16_t port[2] = { ev->key.port_a, ev->key.port_b };
	char flow[ALERT_FLOW_MAX], s[48], d[48];
	struct alert_view v = { 0 };

	if (!a)
		return;
	v.l4_proto = ev->key.proto;
	memcpy(v.src.b, ev->src, 16);
	memcpy(v.dst.b, memcmp(addr[from], ev->src, 16) ? addr[from] : addr[!from], 16);
	v.src.family = alert_addr_is_v4(&v.src) ? AF_INET : AF_INET6;
	v.dst.family = alert_addr_is_v4(&v.dst) ? AF_INET : AF_INET6;
	v.sport = ntohs(port[from]);
	v.dport = ntohs(port[!from]);
	v.src_mac = ev->src_mac;
	v.src_is_initiator = true;
	v.ts = epoch_ns;
	dec_format_addr(&v.src, s, sizeof(s));
	dec_format_addr(&v.dst, d, sizeof(d));
	snprintf(flow, sizeof(flow), "%s %s:%u -> %s:%u", proto_name(v.l4_proto), s, v.sport, d, v.dport);
	v.flow = flow;
	tick(a, v.ts);
	detect_flood(a, &v, ev->shed, ev->admitted, ev->scope == IOT_FLOOD_ALL);
}

/* ---- records ---- */

static const char *const sev_names[] = { "informational", "low", "medium", "high", "critical" };

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static bool emit(struct alerts *a, struct jsonw *w, FILE *out)
{
	jw_end_line(w);
	if (w->oom || fwrite(w->buf, 1, w->len, out) != w->len) {
		a->st.write_errors++;
		return false;
	}
	a->st.written++;
	return true;
}

static void put_head(struct jsonw *w, int activity, uint64_t time, uint8_t sev)
{
	jw_kstr(w, "record", "alert");
	jw_ku64(w, "class_uid", 2004); /* OCSF Detection Finding */
	jw_ku64(w, "category_uid", 2);
	jw_ku64(w, "activity_id", activity);
	jw_ku64(w, "type_uid", 200400 + activity);
	jw_ktime(w, "time", time);
	jw_kstr(w, "severity", sev_names[sev]);
	jw_ku64(w, "severity_id", sev + 1);
}

static void write_alert(struct alerts *a, const struct alert *al, struct jsonw *w, FILE *out)
{
	const struct alert_def *d = al->def;
	char buf[160];

	jw_reset(w);
	jw_obj_open(w);
	put_head(w, al->sent_count ? 2 : 1, al->last_ns, d->severity);
	jw_key(w, "finding");
	jw_obj_open(w);
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)al->hash);
	jw_kstr(w, "uid", buf);
	jw_kstr(w, "title", d->title);
	jw_key(w, "types");
	jw_arr_open(w);
	jw_str(w, d->id);
	jw_arr_close(w);
	jw_kstr(w, "desc", al->desc);
	jw_obj_close(w);
	jw_key(w, "attacks");
	jw_arr_open(w);
	for (int i = 0; i < d->nattacks; i++) {
		jw_obj_open(w);
		jw_key(w, "technique");
		jw_obj_open(w);
		jw_kstr(w, "uid", d->attacks[i].uid);
		if (d->attacks[i].name && d->attacks[i].name[0])
			jw_kstr(w, "name", d->attacks[i].name);
		jw_obj_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_key(w, "device");
	jw_obj_open(w);
	dev_key(&al->dev, buf, sizeof(buf));
	jw_kstr(w, "id", buf);
	if (al->dev.ip.family) {
		dec_format_addr(&al->dev.ip, buf, sizeof(buf));
		jw_kstr(w, "ip", buf);
	}
	if (al->dev.has_mac) {
		dec_format_mac(al->dev.mac, buf);
		jw_kstr(w, "mac", buf);
	}
	jw_obj_close(w);
	jw_kstr(w, "detail", al->detail);
	jw_key(w, "evidence");
	jw_arr_open(w);
	for (int i = 0; i < al->nev; i++) {
		jw_obj_open(w);
		jw_kstr(w, "key", al->ev[i].key);
		jw_kstr(w, "value", al->ev[i].value);
		if (al->ev[i].flow[0])
			jw_kstr(w, "flow", al->ev[i].flow);
		jw_ktime(w, "time", al->ev[i].ts_ns);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	if (al->ev_omitted)
		jw_ku64(w, "evidence_omitted", al->ev_omitted);
	jw_ktime(w, "first_seen", al->first_ns);
	jw_ktime(w, "last_seen", al->last_ns);
	jw_ku64(w, "count", al->count);
	jw_kstr(w, "rule", d->rule);
	jw_obj_close(w);
	emit(a, w, out);
}

/* The sensor about itself: hits it could not keep. */
static void write_loss(struct alerts *a, struct jsonw *w, FILE *out)
{
	char buf[200];

	jw_reset(w);
	jw_obj_open(w);
	put_head(w, a->dropped_sent ? 2 : 1, a->now_ns, SEV_MEDIUM);
	jw_key(w, "finding");
	jw_obj_open(w);
	jw_kstr(w, "uid", "alerts_dropped");
	jw_kstr(w, "title", "Alerts lost: the sensor's alert table is full");
	jw_key(w, "types");
	jw_arr_open(w);
	jw_str(w, "alerts_dropped");
	jw_arr_close(w);
	snprintf(buf, sizeof(buf), "%llu detector hits were dropped: %d alerts are waiting to be written",
		 (unsigned long long)a->st.dropped, ALERTS_MAX);
	jw_kstr(w, "desc", buf);
	jw_obj_close(w);
	jw_key(w, "attacks");
	jw_arr_open(w);
	jw_arr_close(w);
	jw_key(w, "device");
	jw_obj_open(w);
	jw_kstr(w, "id", "sensor");
	jw_obj_close(w);
	jw_ku64(w, "count", a->st.dropped);
	jw_kstr(w, "rule", "builtin:alerts_dropped");
	jw_obj_close(w);
	emit(a, w, out);
	a->dropped_sent = a->st.dropped;
}

static int cmp_alert(const void *x, const void *y)
{
	const struct alert *p = *(struct alert *const *)x, *q = *(struct alert *const *)y;

	if (p->first_ns != q->first_ns)
		return p->first_ns < q->first_ns ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

int alerts_flush(struct alerts *a, struct jsonw *w, FILE *out, bool final)
{
	struct alert **due;
	uint64_t now = mono_ns();
	size_t n = 0;
	int written = 0;

	if (!a)
		return 0;
	due = malloc((a->nall + 1) * sizeof(*due));
	if (!due)
		return 0;
	for (size_t i = 0; i < a->nall; i++) {
		struct alert *al = a->all[i];

		if (al->count == al->sent_count)
			continue;
		if (al->sent_count && !final && now - al->sent_mono_ns < a->update_ns)
			continue;
		due[n++] = al;
	}
	if (n)
		qsort(due, n, sizeof(*due), cmp_alert);
	for (size_t i = 0; i < n; i++) {
		uint64_t before = a->st.written;

		write_alert(a, due[i], w, out);
		if (a->st.written != before) {
			due[i]->sent_count = due[i]->count;
			due[i]->sent_mono_ns = now;
			written++;
		}
	}
	free(due);
	if (a->st.dropped != a->dropped_sent) {
		write_loss(a, w, out);
		written++;
	}
	return written;
}
