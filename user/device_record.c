// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identities become devices, devices become records. A device is a MAC identity with the IP identities bound
 * to it, or an IP identity bound to no MAC (a host behind a router). Binding, in order of authority:
 * ARP/DHCP said so; the IP was only ever sent by one MAC and that MAC is not a router (it sent for at most one
 * IPv4 address).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "assess/alerts.h"
#include "assess/recommend.h"
#include "classify.h"
#include "inventory.h"
#include "oui.h"
#include "vulns/vulndb.h"

struct device {
	struct inv_ident *mac;	  /* NULL for an IP-only device */
	struct inv_ident **ips;
	int nips, cap;
};

static bool is_router(const struct inv_ident *mac)
{
	return mac->nv4 > 1;
}

static struct inv_ident *bound_mac(struct inventory *inv, const struct inv_ident *ip)
{
	char key[32], buf[18];
	struct inv_ident *m;

	if (ip->has_auth_mac) {
		dec_format_mac(ip->auth_mac, buf);
	} else if (ip->nmacs == 1) {
		dec_format_mac(ip->macs[0], buf);
	} else {
		return NULL;
	}
	snprintf(key, sizeof(key), "mac:%s", buf);
	m = hmap_get(&inv->idents, key);
	if (m && !ip->has_auth_mac && is_router(m))
		return NULL;
	return m;
}

static void dev_add_ip(struct device *d, struct inv_ident *ip)
{
	if (d->nips == d->cap) {
		int cap = d->cap ? d->cap * 2 : 4;
		struct inv_ident **n = realloc(d->ips, cap * sizeof(*n));

		if (!n)
			return;
		d->ips = n;
		d->cap = cap;
	}
	d->ips[d->nips++] = ip;
}

/* The identities that make up the device: its MAC first, then its IPs. */
static int dev_idents(const struct device *d, struct inv_ident **out, int max)
{
	int n = 0;

	if (d->mac && n < max)
		out[n++] = d->mac;
	for (int i = 0; i < d->nips && n < max; i++)
		out[n++] = d->ips[i];
	return n;
}

static bool is_hostname_key(const char *k)
{
	static const char *const keys[] = { "dhcp_hostname", "dhcp_client_fqdn", "dhcpv6_fqdn", "mdns_hostname",
					    "netbios_name", "lldp_system_name", "cdp_device_id", "snmp_sysName",
					    "ubnt_hostname", "s7_system_name" };

	for (unsigned int i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

/* Writes every distinct value of the attributes selected by want(), across the device's identities. */
static void put_values(struct jsonw *w, struct inv_ident **ids, int nids, bool (*want)(const char *key),
		       const char *only_key)
{
	const char *seen[256];
	int nseen = 0;

	jw_arr_open(w);
	for (int i = 0; i < nids; i++) {
		for (int a = 0; a < ids[i]->nattrs; a++) {
			const struct inv_attr *at = &ids[i]->attrs[a];

			if (only_key ? strcmp(at->key, only_key) != 0 : !want(at->key))
				continue;
			for (int v = 0; v < at->nvals; v++) {
				bool dup = false;

				for (int s = 0; s < nseen; s++)
					if (!strcmp(seen[s], at->vals[v].value))
						dup = true;
				if (dup)
					continue;
				if (nseen < 256)
					seen[nseen++] = at->vals[v].value;
				jw_str(w, at->vals[v].value);
			}
		}
	}
	jw_arr_close(w);
}

#define CLASSIFY_ATTRS_MAX 512

/* Type, vendor, model, OS and firmware from the fingerprint rules; returns the MAC vendor or NULL. */
static const char *classify_dev(const struct inventory *inv, const struct device *d, struct inv_ident **ids,
				int nids, struct classify_result *r)
{
	struct classify_attr attrs[CLASSIFY_ATTRS_MAX];
	struct classify_input in = { 0 };
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	in.oui_vendor = d->mac && inv->oui ? oui_lookup(inv->oui, d->mac->mac) : NULL;
	for (int i = 0; i < nids; i++)
		for (int a = 0; a < ids[i]->nattrs; a++)
			for (int v = 0; v < ids[i]->attrs[a].nvals && n < CLASSIFY_ATTRS_MAX; v++) {
				attrs[n].key = ids[i]->attrs[a].key;
				attrs[n++].value = ids[i]->attrs[a].vals[v].value;
			}
	in.attrs = attrs;
	in.nattrs = n;
	if (inv->rules && classify_device(inv->rules, &in, r) < 0)
		memset(r, 0, sizeof(*r));
	return in.oui_vendor;
}

/* The classification, each field with the rule and evidence behind it. */
static void put_classification(struct jsonw *w, const char *oui_vendor, const struct classify_result *res)
{
	static const char *const names[] = { "type", "vendor", "model", "os", "firmware" };
	const struct classify_field *fields[] = { &res->type, &res->vendor, &res->model, &res->os, &res->firmware };

	if (oui_vendor)
		jw_kstr(w, "mac_vendor", oui_vendor);
	for (int f = 0; f < 5; f++) {
		jw_key(w, names[f]);
		if (fields[f]->confidence)
			jw_str(w, fields[f]->value);
		else
			jw_null(w);
	}
	jw_key(w, "classification");
	jw_obj_open(w);
	for (int f = 0; f < 5; f++) {
		if (!fields[f]->confidence)
			continue;
		jw_key(w, names[f]);
		jw_obj_open(w);
		jw_kstr(w, "value", fields[f]->value);
		jw_ku64(w, "confidence", fields[f]->confidence);
		jw_kstr(w, "rule", fields[f]->rule_id);
		jw_kstr(w, "evidence", fields[f]->evidence);
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

/*
 * The security assessment: open recommendations (with the observations that prove them), known vulnerabilities
 * of the device's identity, and the exposure level they add up to:
 *   high    an open critical or high recommendation, a CVE in CISA's KEV catalog, or a CVSS of 9.0 or more
 *   medium  an open medium recommendation, or a CVSS of 7.0 or more
 *   low     an open low recommendation, or any other known CVE
 *   none    nothing open
 */
static int put_assessment(struct jsonw *w, const struct inventory *inv, struct inv_ident **ids, int nids,
			  const struct classify_result *cls)
{
	static const char *const levels[] = { "none", "low", "medium", "high" };
	struct assess_attr *attrs;
	struct vuln_summary vs = { .max_cvss10 = -1 };
	size_t n = 0, total = 0;
	int rec_sev = 0, level = 0;

	for (int i = 0; i < nids; i++)
		for (int a = 0; a < ids[i]->nattrs; a++)
			total += ids[i]->attrs[a].nvals;
	attrs = calloc(total + 1, sizeof(*attrs));
	if (!attrs) {
		w->oom = true; /* the record is not written rather than written without its findings */
		return 0;
	}
	for (int i = 0; i < nids; i++)
		for (int a = 0; a < ids[i]->nattrs; a++)
			for (int v = 0; v < ids[i]->attrs[a].nvals; v++) {
				const struct inv_value *val = &ids[i]->attrs[a].vals[v];

				attrs[n].key = ids[i]->attrs[a].key;
				attrs[n].value = val->value;
				attrs[n].flow = val->flow;
				attrs[n++].first_ns = val->first_ns;
			}
	rec_put_device(w, inv->recs, attrs, n, &rec_sev);
	free(attrs);
	vuln_put_device(w, inv->vulns, cls, &vs);
	if (rec_sev >= 3 || vs.kev || vs.max_cvss10 >= 90)
		level = 3;
	else if (rec_sev == 2 || vs.max_cvss10 >= 70)
		level = 2;
	else if (rec_sev == 1 || vs.n)
		level = 1;
	jw_kstr(w, "exposure", levels[level]);
	return level;
}

/* "contained": {since, until, drops} when the device's MAC or one of its IPs is in the containment map. */
static void put_containment(struct jsonw *w, const struct inventory *inv, struct inv_ident **ids, int nids)
{
	for (int c = 0; c < inv->ncontained; c++)
		for (int i = 0; i < nids; i++) {
			const struct inv_contained *e = &inv->contained[c];

			if (strcmp(e->id, ids[i]->key))
				continue;
			jw_key(w, "contained");
			jw_obj_open(w);
			jw_kstr(w, "by", e->id);
			jw_ktime(w, "since", e->since_ns);
			if (e->until_ns)
				jw_ktime(w, "until", e->until_ns);
			else {
				jw_key(w, "until");
				jw_null(w);
			}
			jw_ku64(w, "drops", e->drops);
			jw_obj_close(w);
			return;
		}
	jw_kbool(w, "contained", false);
}

/* The operator's knowledge of the device (its id is the first identity's key), or NULL. */
static const struct inv_operator *operator_of(const struct inventory *inv, const char *id)
{
	for (int i = 0; i < inv->nops; i++)
		if (!strcmp(inv->ops[i].id, id))
			return &inv->ops[i];
	return NULL;
}

/* "name", "criticality" and "tags" when the operator set them. */
static void put_operator(struct jsonw *w, const struct inv_operator *op)
{
	json_t *tags;
	const char *k;
	json_t *v;

	if (!op)
		return;
	if (op->name[0])
		jw_kstr(w, "name", op->name);
	if (op->criticality[0])
		jw_kstr(w, "criticality", op->criticality);
	tags = op->tags_json ? json_loads(op->tags_json, 0, NULL) : NULL;
	if (json_is_object(tags) && json_object_size(tags)) {
		jw_key(w, "tags");
		jw_obj_open(w);
		json_object_foreach(tags, k, v)
			jw_kstr(w, k, json_is_string(v) ? json_string_value(v) : "");
		jw_obj_close(w);
	}
	json_decref(tags);
}

/*
 * The risk level: the worse of the live alerts about the device (low, medium, high, critical) and its exposure
 * (none, low, medium, high), then moved one step by the operator's criticality: high raises it (up to
 * critical), low lowers it (never below low while there is something at all). A device with nothing against
 * it stays at none whatever its criticality: risk is about what was seen, criticality about what is at stake.
 */
static void put_risk(struct jsonw *w, const struct inventory *inv, const struct device *d, int exposure,
		     const struct inv_operator *op)
{
	static const char *const levels[] = { "none", "low", "medium", "high", "critical" };
	struct iot_addr ips[64];
	size_t n = 0;
	int sev, level;

	for (int i = 0; i < d->nips && n < 64; i++)
		ips[n++] = d->ips[i]->ip;
	sev = alerts_device_severity(inv->alerts, d->mac ? d->mac->mac : NULL, ips, n);
	level = sev >= 0 && sev <= 4 ? sev : 0;
	if (exposure > level)
		level = exposure;
	if (level && op && !strcmp(op->criticality, "high") && level < 4)
		level++;
	else if (level > 1 && op && !strcmp(op->criticality, "low"))
		level--;
	jw_kstr(w, "risk", levels[level]);
}

static void emit_device(const struct inventory *inv, const struct device *d, struct jsonw *w, FILE *out)
{
	struct inv_ident *ids[64];
	int nids = dev_idents(d, ids, 64);
	uint64_t first = 0, last = 0;
	const struct inv_operator *op;
	struct classify_result cls;
	const char *oui_vendor;
	int exposure;
	char buf[64];

	if (!nids)
		return;
	for (int i = 0; i < nids; i++) {
		if (ids[i]->first_ns && (!first || ids[i]->first_ns < first))
			first = ids[i]->first_ns;
		if (ids[i]->last_ns > last)
			last = ids[i]->last_ns;
	}
	jw_reset(w);
	jw_obj_open(w);
	jw_kstr(w, "record", "device");
	jw_ku64(w, "class_uid", 5001); /* OCSF Device Inventory Info */
	jw_ktime(w, "time", last);
	jw_key(w, "device");
	jw_obj_open(w);
	jw_kstr(w, "id", ids[0]->key);
	op = operator_of(inv, ids[0]->key);
	put_operator(w, op);
	if (d->mac) {
		dec_format_mac(d->mac->mac, buf);
		jw_kstr(w, "mac", buf);
	}
	jw_key(w, "ips");
	jw_arr_open(w);
	for (int i = 0; i < d->nips; i++) {
		dec_format_addr(&d->ips[i]->ip, buf, sizeof(buf));
		jw_str(w, buf);
	}
	jw_arr_close(w);
	jw_ktime(w, "first_seen", first);
	jw_ktime(w, "last_seen", last);
	oui_vendor = classify_dev(inv, d, ids, nids, &cls);
	put_classification(w, oui_vendor, &cls);
	exposure = put_assessment(w, inv, ids, nids, &cls);
	put_containment(w, inv, ids, nids);
	put_risk(w, inv, d, exposure, op);
	jw_key(w, "hostnames");
	put_values(w, ids, nids, is_hostname_key, NULL);
	jw_key(w, "services");
	put_values(w, ids, nids, NULL, "service");
	jw_key(w, "protocols");
	put_values(w, ids, nids, NULL, "app_protocol");

	/* Every attribute with all its values, then the evidence behind each value. */
	jw_key(w, "attributes");
	jw_obj_open(w);
	for (int i = 0; i < nids; i++) {
		for (int a = 0; a < ids[i]->nattrs; a++) {
			bool done = false;

			/* An attribute on several identities is written once, with all values. */
			for (int j = 0; j < i && !done; j++)
				for (int b = 0; b < ids[j]->nattrs; b++)
					if (!strcmp(ids[j]->attrs[b].key, ids[i]->attrs[a].key))
						done = true;
			if (done)
				continue;
			jw_key(w, ids[i]->attrs[a].key);
			put_values(w, ids + i, nids - i, NULL, ids[i]->attrs[a].key);
		}
	}
	jw_obj_close(w);
	jw_key(w, "evidence");
	jw_arr_open(w);
	for (int i = 0; i < nids; i++) {
		for (int a = 0; a < ids[i]->nattrs; a++) {
			const struct inv_attr *at = &ids[i]->attrs[a];
			const char *us = strchr(at->key, '_');

			for (int v = 0; v < at->nvals; v++) {
				const struct inv_value *val = &at->vals[v];

				jw_obj_open(w);
				jw_kstr(w, "key", at->key);
				jw_kstr(w, "value", val->value);
				snprintf(buf, sizeof(buf), "%.*s", us ? (int)(us - at->key) : (int)strlen(at->key),
					 at->key);
				jw_kstr(w, "protocol", buf);
				jw_ktime(w, "first_seen", val->first_ns);
				jw_ktime(w, "last_seen", val->last_ns);
				jw_ku64(w, "count", val->count);
				jw_ku64(w, "confidence", val->confidence);
				if (val->flow[0])
					jw_kstr(w, "flow", val->flow);
				jw_obj_close(w);
			}
		}
	}
	jw_arr_close(w);
	jw_obj_close(w);
	jw_obj_close(w);
	jw_end_line(w);
	if (!w->oom)
		fwrite(w->buf, 1, w->len, out);
}

int inv_emit_devices(struct inventory *inv, struct jsonw *w, FILE *out, bool only_changed)
{
	struct device *devs = calloc(inv->idents.n + 1, sizeof(*devs));
	size_t ndevs = 0;
	int emitted = 0;

	if (!devs)
		return -1;
	/* One device per MAC, then each IP joins its MAC's device or stands alone. */
	hmap_for_each(&inv->idents, i) {
		struct inv_ident *id = inv->idents.e[i].val;

		if (id->is_mac) {
			id->dev = (int)ndevs;
			devs[ndevs++].mac = id;
		}
	}
	hmap_for_each(&inv->idents, i) {
		struct inv_ident *id = inv->idents.e[i].val, *m;
		struct device *d = NULL;

		if (id->is_mac)
			continue;
		m = bound_mac(inv, id);
		if (m)
			d = &devs[m->dev];
		else
			d = &devs[ndevs++];
		dev_add_ip(d, id);
	}
	for (size_t k = 0; k < ndevs; k++) {
		struct inv_ident *ids[64];
		int nids = dev_idents(&devs[k], ids, 64);
		bool dirty = false;

		for (int i = 0; i < nids; i++)
			dirty |= ids[i]->dirty;
		if (nids && (dirty || !only_changed)) {
			emit_device(inv, &devs[k], w, out);
			emitted++;
		}
		for (int i = 0; i < nids; i++)
			ids[i]->dirty = false;
		free(devs[k].ips);
	}
	free(devs);
	return emitted;
}
