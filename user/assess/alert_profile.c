// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a device is, for the detectors that depend on it (an IoT device on an unusual port, a MAC whose identity
 * changed) and for custom rules on device attributes: the fingerprint rules run over the device's observations
 * in the inventory, as the device records do, and the result is cached per device until its observations
 * change (a new distinct value). The cache is a fixed table (PROFILE_SLOTS); a collision forgets the older
 * device's profile, which can only lose a finding, never invent one.
 */
#include <string.h>

#include "../inventory.h"
#include "../oui.h"
#include "alert_int.h"

#define PROFILE_ATTRS_MAX 512

static struct inv_ident *ident_ip(const struct inventory *inv, const struct iot_addr *ip)
{
	char key[64], buf[48];

	dec_format_addr(ip, buf, sizeof(buf));
	snprintf(key, sizeof(key), "ip:%s", buf);
	return hmap_get(&inv->idents, key);
}

static struct inv_ident *ident_mac(const struct inventory *inv, const uint8_t mac[6])
{
	char key[32], buf[18];

	dec_format_mac(mac, buf);
	snprintf(key, sizeof(key), "mac:%s", buf);
	return hmap_get(&inv->idents, key);
}

/* The MAC device an IP belongs to, as device_record.c binds them. */
static struct inv_ident *bound_mac(const struct inventory *inv, const struct inv_ident *ip)
{
	struct inv_ident *m;

	if (ip->has_auth_mac)
		return ident_mac(inv, ip->auth_mac);
	if (ip->nmacs != 1)
		return NULL;
	m = ident_mac(inv, ip->macs[0]);
	return m && m->nv4 <= 1 ? m : NULL;
}

/* The identities of the profile's device: its MAC, then its IPs. */
static int idents(const struct inventory *inv, const struct profile *p, struct inv_ident **out)
{
	int n = 0;

	if (p->is_mac) {
		out[n] = ident_mac(inv, p->mac);
		if (out[n])
			n++;
	}
	for (int i = 0; i < p->nips; i++) {
		out[n] = ident_ip(inv, &p->ips[i]);
		if (out[n])
			n++;
	}
	return n;
}

static uint64_t signature(struct inv_ident **ids, int n)
{
	uint64_t sig = ALERT_HASH_INIT;

	for (int i = 0; i < n; i++) {
		uint32_t v = (uint32_t)ids[i]->nattrs;

		sig = alert_hash(&ids[i], sizeof(ids[i]), sig);
		for (int k = 0; k < ids[i]->nattrs; k++)
			v += (uint32_t)ids[i]->attrs[k].nvals << 8;
		sig = alert_hash(&v, sizeof(v), sig);
	}
	return sig;
}

static void classify_profile(struct alerts *a, struct profile *p, struct inv_ident **ids, int nids)
{
	struct classify_attr attrs[PROFILE_ATTRS_MAX];
	struct classify_input in = { 0 };
	struct classify_result r;
	size_t n = 0;

	for (int i = 0; i < nids; i++)
		for (int k = 0; k < ids[i]->nattrs; k++)
			for (int v = 0; v < ids[i]->attrs[k].nvals && n < PROFILE_ATTRS_MAX; v++) {
				attrs[n].key = ids[i]->attrs[k].key;
				attrs[n++].value = ids[i]->attrs[k].vals[v].value;
			}
	in.attrs = attrs;
	in.nattrs = n;
	in.oui_vendor = p->is_mac && a->inv->oui ? oui_lookup(a->inv->oui, p->mac) : NULL;
	memset(&r, 0, sizeof(r));
	if (a->inv->rules && classify_device(a->inv->rules, &in, &r) < 0)
		memset(&r, 0, sizeof(r));
	p->type = r.type;
	p->vendor = r.vendor;
	snprintf(p->model, sizeof(p->model), "%s", r.model.value);
	snprintf(p->os, sizeof(p->os), "%s", r.os.value);
	p->mac_vendor = in.oui_vendor;
	p->valid = true;
}

struct profile *alert_profile(struct alerts *a, const struct iot_addr *ip, const uint8_t *mac, bool *changed)
{
	struct inv_ident *ipid = NULL, *macid = NULL, *ids[PROFILE_IPS + 1];
	const char *key;
	struct profile *p;
	uint64_t sig;
	int nids;

	*changed = false;
	if (!a->inv || !alert_table((void **)&a->profiles, PROFILE_SLOTS, sizeof(*a->profiles)))
		return NULL;
	if (ip) {
		ipid = ident_ip(a->inv, ip);
		if (ipid)
			macid = bound_mac(a->inv, ipid);
	} else if (mac) {
		macid = ident_mac(a->inv, mac);
	}
	if (!ipid && !macid)
		return NULL;
	key = macid ? macid->key : ipid->key;
	p = &a->profiles[alert_hash(key, strlen(key), ALERT_HASH_INIT) % PROFILE_SLOTS];
	if (strcmp(p->key, key)) {
		if (p->key[0])
			a->st.state_collisions++;
		memset(p, 0, sizeof(*p));
		snprintf(p->key, sizeof(p->key), "%s", key);
		if (macid) {
			p->is_mac = true;
			memcpy(p->mac, macid->mac, 6);
		}
	}
	if (ipid) {
		int i;

		for (i = 0; i < p->nips; i++)
			if (!memcmp(p->ips[i].b, ipid->ip.b, 16))
				break;
		if (i == p->nips && p->nips < PROFILE_IPS)
			p->ips[p->nips++] = ipid->ip;
	}
	nids = idents(a->inv, p, ids);
	sig = signature(ids, nids);
	if (!p->valid || sig != p->sig) {
		classify_profile(a, p, ids, nids);
		p->sig = sig;
		*changed = true;
	}
	return p;
}

bool alert_profile_attr(struct alerts *a, const struct profile *p, const char *key,
			bool (*cb)(const char *value, void *ctx), void *ctx)
{
	struct inv_ident *ids[PROFILE_IPS + 1];
	int n;

	if (!a->inv || !p)
		return false;
	n = idents(a->inv, p, ids);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < ids[i]->nattrs; k++) {
			if (strcmp(ids[i]->attrs[k].key, key))
				continue;
			for (int v = 0; v < ids[i]->attrs[k].nvals; v++)
				if (cb(ids[i]->attrs[k].vals[v].value, ctx))
					return true;
		}
	return false;
}

const char *alert_ip_value(struct alerts *a, const struct iot_addr *ip, const char *key)
{
	const struct inv_ident *id;
	const struct inv_value *best = NULL;

	if (!a->inv || !(id = ident_ip(a->inv, ip)))
		return NULL;
	for (int k = 0; k < id->nattrs; k++) {
		if (strcmp(id->attrs[k].key, key))
			continue;
		for (int v = 0; v < id->attrs[k].nvals; v++)
			if (!best || id->attrs[k].vals[v].last_ns >= best->last_ns)
				best = &id->attrs[k].vals[v];
	}
	return best ? best->value : NULL;
}
