// SPDX-License-Identifier: GPL-2.0-only
/* Identities and their facts; resolution into devices lives in device_record.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <limits.h>

#include "assess/recommend.h"
#include "classify.h"
#include "inventory.h"
#include "lib/log.h"
#include "oui.h"
#include "vulns/vulndb.h"

void inv_init(struct inventory *inv)
{
	memset(inv, 0, sizeof(*inv));
}

static void ident_free(void *p)
{
	struct inv_ident *id = p;

	for (int i = 0; i < id->nattrs; i++)
		for (int v = 0; v < id->attrs[i].nvals; v++)
			free(id->attrs[i].vals[v].value);
	free(id->attrs);
	free(id);
}

void inv_free(struct inventory *inv)
{
	inv_set_operator(inv, NULL, 0);
	hmap_free(&inv->idents, ident_free);
	free(inv->contained);
	inv->contained = NULL;
	inv->ncontained = 0;
	classify_free(inv->rules);
	rec_free(inv->recs);
	vuln_db_free(inv->vulns);
	inv->vulns = NULL;
	oui_free(inv->oui);
	inv->recs = NULL;
	inv->rules = NULL;
	inv->oui = NULL;
}

int inv_load_knowledge(struct inventory *inv, const char *rules_dir, const char *state_dir)
{
	struct classify_error err;
	char buf[PATH_MAX];
	const char *dir = classify_rules_dir(rules_dir, buf, sizeof(buf));

	inv->rules = classify_load(dir, &err);
	if (!inv->rules) {
		if (!err.io) {
			pr_err("%s\n", err.msg);
			return 2;
		}
		pr_warn("%s: devices will not be classified (set IOTSENSE_RULES_DIR)\n", err.msg);
	}
	inv->oui = oui_load(NULL);
	rec_catalog_path(rules_dir, buf, sizeof(buf));
	if (access(buf, R_OK) < 0) {
		pr_warn("%s: %s: devices get no security recommendations (set IOTSENSE_RULES_DIR)\n", buf,
			strerror(errno));
		return 0;
	}
	inv->recs = rec_load(buf, err.msg, sizeof(err.msg));
	if (!inv->recs) {
		pr_err("%s\n", err.msg);
		return 2;
	}
	inv->vulns = vuln_db_load(rules_dir, state_dir, err.msg, sizeof(err.msg));
	if (!inv->vulns) {
		pr_err("%s\n", err.msg);
		return 2;
	}
	return 0;
}

static bool mac_is_device(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	/* Group (multicast/broadcast) addresses and all-zero name no single device. */
	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

static bool addr_is_v4(const struct iot_addr *a)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return a->family == AF_INET || (a->family != AF_INET6 && memcmp(a->b, v4mapped, 12) == 0);
}

static bool addr_is_device(const struct iot_addr *a)
{
	static const uint8_t zero[16];

	if (addr_is_v4(a)) {
		const uint8_t *v4 = a->b + 12;

		/* 0.0.0.0 (DHCP clients), limited broadcast and multicast are not devices. */
		return !(v4[0] == 0 || (v4[0] == 255 && v4[1] == 255 && v4[2] == 255 && v4[3] == 255) ||
			 (v4[0] >= 224 && v4[0] <= 239));
	}
	return memcmp(a->b, zero, 16) != 0 && a->b[0] != 0xff;
}

static struct inv_ident *ident_get(struct inventory *inv, const char *key)
{
	struct inv_ident *id = hmap_get(&inv->idents, key);

	if (id)
		return id;
	id = calloc(1, sizeof(*id));
	if (!id)
		return NULL;
	snprintf(id->key, sizeof(id->key), "%s", key);
	if (hmap_put(&inv->idents, key, id)) {
		free(id);
		return NULL;
	}
	return id;
}

static struct inv_ident *ident_mac(struct inventory *inv, const uint8_t mac[6])
{
	char key[32], buf[18];
	struct inv_ident *id;

	if (!mac_is_device(mac))
		return NULL;
	dec_format_mac(mac, buf);
	snprintf(key, sizeof(key), "mac:%s", buf);
	id = ident_get(inv, key);
	if (id && !id->is_mac) {
		id->is_mac = true;
		memcpy(id->mac, mac, 6);
	}
	return id;
}

static struct inv_ident *ident_ip(struct inventory *inv, const struct iot_addr *ip)
{
	char key[64], buf[48];
	struct inv_ident *id;

	if (!ip->family && !addr_is_v4(ip))
		return NULL;
	if (!addr_is_device(ip))
		return NULL;
	dec_format_addr(ip, buf, sizeof(buf));
	snprintf(key, sizeof(key), "ip:%s", buf);
	id = ident_get(inv, key);
	if (id && !id->ip.family) {
		id->ip = *ip;
		id->ip.family = addr_is_v4(ip) ? AF_INET : AF_INET6;
	}
	return id;
}

static void touch(struct inv_ident *id, uint64_t ts)
{
	if (!id->first_ns || ts < id->first_ns)
		id->first_ns = ts;
	if (ts > id->last_ns)
		id->last_ns = ts;
	id->dirty = true;
}

static void add_value(struct inv_ident *id, const char *key, const char *value, uint8_t conf, uint64_t ts,
		      const char *flow)
{
	struct inv_attr *a = NULL;
	struct inv_value *v;

	for (int i = 0; i < id->nattrs; i++)
		if (!strcmp(id->attrs[i].key, key))
			a = &id->attrs[i];
	if (!a) {
		if (id->nattrs == id->cap) {
			int cap = id->cap ? id->cap * 2 : 8;
			struct inv_attr *na = realloc(id->attrs, cap * sizeof(*na));

			if (!na)
				return;
			id->attrs = na;
			id->cap = cap;
		}
		a = &id->attrs[id->nattrs++];
		memset(a, 0, sizeof(*a));
		snprintf(a->key, sizeof(a->key), "%s", key);
	}
	touch(id, ts);
	for (int i = 0; i < a->nvals; i++) {
		v = &a->vals[i];
		if (!strcmp(v->value, value)) {
			v->count++;
			if (ts > v->last_ns)
				v->last_ns = ts;
			if (conf > v->confidence)
				v->confidence = conf;
			return;
		}
	}
	if (a->nvals == INV_VALUES_MAX) {
		a->dropped++;
		return;
	}
	v = &a->vals[a->nvals];
	v->value = strdup(value);
	if (!v->value)
		return;
	a->nvals++;
	v->count = 1;
	v->confidence = conf;
	v->first_ns = v->last_ns = ts;
	snprintf(v->flow, sizeof(v->flow), "%s", flow ? flow : "");
}

void inv_sighting(struct inventory *inv, const struct iot_addr *ip, const uint8_t mac[6], uint64_t ts_ns)
{
	struct inv_ident *ipid, *macid;
	uint32_t v4;
	int i;

	macid = ident_mac(inv, mac);
	ipid = ident_ip(inv, ip);
	if (macid)
		touch(macid, ts_ns);
	if (!ipid)
		return;
	touch(ipid, ts_ns);
	if (!macid)
		return;
	for (i = 0; i < ipid->nmacs; i++)
		if (!memcmp(ipid->macs[i], mac, 6))
			break;
	if (i == ipid->nmacs && ipid->nmacs < INV_SIGHTINGS_MAX)
		memcpy(ipid->macs[ipid->nmacs++], mac, 6);
	if (!addr_is_v4(ip))
		return;
	memcpy(&v4, ip->b + 12, 4);
	for (i = 0; i < macid->nv4; i++)
		if (macid->v4_seen[i] == v4)
			return;
	if (macid->nv4 < INV_SIGHTINGS_MAX)
		macid->v4_seen[macid->nv4++] = v4;
}

/* An observation's identity: the MAC where the subject is named by one, else its IP. */
static struct inv_ident *subject_ident(struct inventory *inv, const struct dec_ctx *c, const struct iot_obs *o)
{
	switch (o->subject) {
	case OBS_MAC:
		return ident_mac(inv, o->subject_mac);
	case OBS_IP:
		return ident_ip(inv, &o->subject_ip);
	case OBS_SRC:
		if (!c->l4_proto) /* L2 protocols: the sender is its MAC */
			return ident_mac(inv, c->src_mac);
		return ident_ip(inv, &c->src_ip);
	case OBS_DST:
		if (!c->l4_proto)
			return ident_mac(inv, c->dst_mac);
		return ident_ip(inv, &c->dst_ip);
	}
	return NULL;
}

void inv_observe(struct inventory *inv, const struct dec_ctx *c, const struct dec_out *out, const char *flow)
{
	for (int i = 0; i < out->n; i++) {
		const struct iot_obs *o = &out->obs[i];
		struct inv_ident *id = subject_ident(inv, c, o);

		inv->observations++;
		if (!id) {
			inv->unattributed++;
			continue;
		}
		add_value(id, o->key, o->value, o->confidence, c->ts_ns, flow);
		/* ARP and DHCP bind an IP to this MAC with authority: the IP's facts join this device. */
		if (id->is_mac && !strcmp(o->key, "ip_for_mac")) {
			struct iot_addr ip = { .family = 0 };
			struct inv_ident *ipid;

			if (inet_pton(AF_INET, o->value, ip.b + 12) == 1) {
				ip.b[10] = ip.b[11] = 0xff;
				ip.family = AF_INET;
			} else if (inet_pton(AF_INET6, o->value, ip.b) == 1) {
				ip.family = AF_INET6;
			} else {
				continue;
			}
			ipid = ident_ip(inv, &ip);
			if (ipid) {
				ipid->has_auth_mac = true;
				memcpy(ipid->auth_mac, id->mac, 6);
				touch(ipid, c->ts_ns);
			}
		}
	}
}

void inv_add_src(struct inventory *inv, const struct dec_ctx *c, const char *key, const char *value,
		 const char *flow)
{
	struct inv_ident *id = c->l4_proto ? ident_ip(inv, &c->src_ip) : ident_mac(inv, c->src_mac);

	if (id)
		add_value(id, key, value, 100, c->ts_ns, flow);
}

void inv_add_ip(struct inventory *inv, const struct iot_addr *ip, const char *key, const char *value,
		uint8_t confidence, uint64_t ts_ns, const char *flow)
{
	struct inv_ident *id = ident_ip(inv, ip);

	if (id)
		add_value(id, key, value, confidence, ts_ns, flow);
}

static void mark_dirty(struct inventory *inv, const char *id)
{
	struct inv_ident *ident = hmap_get(&inv->idents, id);

	if (ident)
		ident->dirty = true;
}

/* The same entry (by id, with the same expiry give or take a second: the clock offset jitters) in list? */
static bool contained_has(const struct inv_contained *list, int n, const struct inv_contained *e)
{
	for (int i = 0; i < n; i++) {
		int64_t d = (int64_t)(list[i].until_ns - e->until_ns);

		if (!strcmp(list[i].id, e->id) && !list[i].until_ns == !e->until_ns && d < 1000000000ll &&
		    d > -1000000000ll)
			return true;
	}
	return false;
}

int inv_set_contained(struct inventory *inv, const struct inv_contained *list, int n)
{
	struct inv_contained *copy = NULL;

	if (n > 0) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, list, n * sizeof(*copy));
	}
	/* Devices leaving, entering or changing containment get a new record; the others do not. */
	for (int i = 0; i < inv->ncontained; i++)
		if (!contained_has(copy, n, &inv->contained[i]))
			mark_dirty(inv, inv->contained[i].id);
	for (int i = 0; i < n; i++)
		if (!contained_has(inv->contained, inv->ncontained, &copy[i]))
			mark_dirty(inv, copy[i].id);
	free(inv->contained);
	inv->contained = copy;
	inv->ncontained = n > 0 ? n : 0;
	return 0;
}

void inv_set_operator(struct inventory *inv, struct inv_operator *list, int n)
{
	/* Operator changes are rare and few: every device named before or after gets a new record. */
	for (int i = 0; i < inv->nops; i++) {
		mark_dirty(inv, inv->ops[i].id);
		free(inv->ops[i].tags_json);
	}
	free(inv->ops);
	inv->ops = list;
	inv->nops = list ? n : 0;
	for (int i = 0; i < inv->nops; i++)
		mark_dirty(inv, inv->ops[i].id);
}
