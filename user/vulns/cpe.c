// SPDX-License-Identifier: GPL-2.0-only
/* A device's CPE identity from its classification; NVD's vendor names; CPE 2.3 formatted strings. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "vulns/cpe.h"

/*
 * Device and feed vendor names to NVD vendor names. A key matches when its words appear, in order and whole, in
 * the vendor name reduced to lower-case words ("Hangzhou Hikvision Digital Technology Co.,Ltd." holds
 * "hikvision"); the first key that matches wins, so longer keys come before the keys they contain.
 */
static const struct {
	const char *key;
	const char *names[CPE_VENDORS_MAX];
} vendor_aliases[] = {
	{ "hpe aruba", { "arubanetworks", "hpe" } },
	{ "aruba", { "arubanetworks", "hpe" } },
	{ "hewlett packard enterprise", { "hpe" } },
	{ "hpe", { "hpe" } },
	{ "hewlett packard", { "hp" } },
	{ "hp", { "hp" } },
	{ "hikvision", { "hikvision" } },
	{ "axis", { "axis" } },
	{ "dahua", { "dahuasecurity" } },
	{ "hanwha", { "hanwhavision", "hanwha-security" } },
	{ "samsung techwin", { "hanwhavision", "hanwha-security" } },
	{ "cisco", { "cisco" } },
	{ "tandberg", { "cisco" } },
	{ "polycom", { "polycom", "hp" } },
	{ "poly", { "polycom", "hp" } },
	{ "ubiquiti", { "ui", "ubiquiti" } },
	{ "ubnt", { "ui", "ubiquiti" } },
	{ "mikrotik", { "mikrotik" } },
	{ "siemens", { "siemens" } },
	{ "rockwell", { "rockwellautomation" } },
	{ "allen bradley", { "rockwellautomation" } },
	{ "schneider", { "schneider-electric" } },
	{ "omron", { "omron" } },
	{ "abb", { "abb" } },
	{ "mitsubishi electric", { "mitsubishielectric" } },
	{ "ricoh", { "ricoh" } },
	{ "canon", { "canon" } },
	{ "brother", { "brother" } },
	{ "fuji xerox", { "fujixerox", "xerox" } },
	{ "xerox", { "xerox" } },
	{ "epson", { "epson" } },
	{ "lexmark", { "lexmark" } },
	{ "kyocera", { "kyocera", "kyoceradocumentsolutions" } },
	{ "konica minolta", { "konicaminolta" } },
	{ "samsung", { "samsung" } },
	{ "lg", { "lg" } },
	{ "sony", { "sony" } },
	{ "yealink", { "yealink" } },
	{ "grandstream", { "grandstream" } },
	{ "avaya", { "avaya" } },
	{ "snom", { "snom" } },
	{ "mitel", { "mitel" } },
	{ "aastra", { "mitel" } },
	{ "juniper", { "juniper" } },
	{ "tp link", { "tp-link" } },
	{ "netgear", { "netgear" } },
	{ "d link", { "dlink" } },
	{ "zyxel", { "zyxel" } },
	{ "crestron", { "crestron" } },
	{ "sonos", { "sonos" } },
	{ "roku", { "roku" } },
	{ "apple", { "apple" } },
	{ "google", { "google" } },
	{ "amazon", { "amazon" } },
	{ "philips", { "philips" } },
	{ "signify", { "philips" } },
	{ "shelly", { "shelly" } },
	{ "tuya", { "tuya" } },
	{ "zoom", { "zoom" } },
	{ "raspberry pi", { "raspberrypi" } },
	{ "vmware", { "vmware" } },
	{ "espressif", { "espressif" } },
	{ "johnson controls", { "johnsoncontrols" } },
	{ "honeywell", { "honeywell" } },
	{ "tridium", { "tridium" } },
	{ "moxa", { "moxa" } },
};

/* Corporate words dropped from the end of a vendor name that has no alias. */
static const char *const corporate_words[] = {
	"inc",	       "incorporated", "corp",	   "corporation", "co",		  "ltd",	  "limited",
	"llc",	       "gmbh",	       "ag",	   "sa",	  "bv",		  "plc",	  "ab",
	"company",     "communications", "systems", "networks",	  "technologies", "technology", "electronics",
	"international", "group",     "holdings",  "kg",	  "corporate",	  "oy",		  "as",		  "srl",
};

/* "Foo Systems, Inc." -> " foo systems inc ": lower-case words between single spaces, padded for whole-word search. */
static void words_of(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (size < 3) {
		if (size)
			out[0] = 0;
		return;
	}
	out[n++] = ' ';
	for (const char *p = in; *p && n + 2 < size; p++) {
		unsigned char c = (unsigned char)*p;

		if (isalnum(c) || c >= 0x80)
			out[n++] = (char)tolower(c);
		else if (out[n - 1] != ' ')
			out[n++] = ' ';
	}
	if (out[n - 1] != ' ')
		out[n++] = ' ';
	out[n] = 0;
}

size_t cpe_vendor_names(const char *vendor, char out[][CPE_NAME_MAX], size_t max)
{
	char words[256], key[80], *end;
	size_t n = 0, len;
	bool dropped;

	if (!vendor || !max)
		return 0;
	words_of(vendor, words, sizeof(words));
	if (strcmp(words, " ") == 0)
		return 0;
	for (size_t i = 0; i < sizeof(vendor_aliases) / sizeof(vendor_aliases[0]); i++) {
		snprintf(key, sizeof(key), " %s ", vendor_aliases[i].key);
		if (!strstr(words, key))
			continue;
		for (size_t j = 0; j < CPE_VENDORS_MAX && j < max && vendor_aliases[i].names[j]; j++)
			snprintf(out[n++], CPE_NAME_MAX, "%s", vendor_aliases[i].names[j]);
		return n;
	}
	/* No alias: the words, less trailing corporate ones (but never the first), joined by '_'. */
	do {
		dropped = false;
		len = strlen(words);
		words[len - 1] = 0; /* the trailing space */
		end = strrchr(words, ' ');
		if (end && end != words) {
			for (size_t i = 0; i < sizeof(corporate_words) / sizeof(corporate_words[0]); i++) {
				if (strcmp(end + 1, corporate_words[i]) == 0) {
					*end = 0;
					dropped = true;
					break;
				}
			}
		}
		len = strlen(words);
		words[len] = ' ';
		words[len + 1] = 0;
	} while (dropped);
	cpe_normalise(words, out[0], CPE_NAME_MAX);
	return out[0][0] ? 1 : 0;
}

void cpe_normalise(const char *in, char *out, size_t size)
{
	size_t n = 0;
	bool blank = false;

	if (!size)
		return;
	if (!in)
		in = "";
	while (*in == ' ' || *in == '\t')
		in++;
	for (; *in && n + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			blank = true;
			continue;
		}
		if (blank && n + 2 < size)
			out[n++] = '_';
		blank = false;
		out[n++] = (char)tolower(c);
	}
	out[n] = 0;
}

/* Embedded and network operating systems whose version is the device's firmware, by normalised OS name. */
static const struct {
	const char *os;
	const char *vendor; /* NVD vendor of the OS */
	const char *product;
} os_products[] = {
	{ "routeros", "mikrotik", "routeros" },
	{ "junos", "juniper", "junos" },
	{ "cisco_ios", "cisco", "ios" },
	{ "cisco_ios_xe", "cisco", "ios_xe" },
	{ "cisco_ios_xr", "cisco", "ios_xr" },
	{ "cisco_nx-os", "cisco", "nx-os" },
	{ "roomos", "cisco", "roomos" },
	{ "arubaos", "arubanetworks", "arubaos" },
	{ "edgeos", "ui", "edgeos" },
	{ "roku_os", "roku", "roku_os" },
};

static void add_product(struct cpe_ident *id, const char *vendor, const char *product, bool os)
{
	struct cpe_product *p;

	if (id->nproducts >= CPE_PRODUCTS_MAX || !*vendor || !*product)
		return;
	for (size_t i = 0; i < id->nproducts; i++)
		if (!strcmp(id->products[i].vendor, vendor) && !strcmp(id->products[i].product, product))
			return;
	p = &id->products[id->nproducts++];
	snprintf(p->vendor, sizeof(p->vendor), "%s", vendor);
	snprintf(p->product, sizeof(p->product), "%s", product);
	p->os = os;
}

void cpe_escape(const char *value, char *out, size_t size)
{
	size_t n = strlen(out);

	for (const char *p = value; *p && n + 2 < size; p++) {
		unsigned char c = (unsigned char)*p;

		if (!isalnum(c) && c != '_' && c != '-' && c != '.' && c < 0x80)
			out[n++] = '\\';
		out[n++] = (char)c;
	}
	out[n] = 0;
}

static void cpe_build(char *out, size_t size, char part, const char *vendor, const char *product, const char *version)
{
	snprintf(out, size, "cpe:2.3:%c:", part);
	cpe_escape(vendor, out, size);
	strncat(out, ":", size - strlen(out) - 1);
	if (*product)
		cpe_escape(product, out, size);
	else
		strncat(out, "*", size - strlen(out) - 1);
	strncat(out, ":", size - strlen(out) - 1);
	if (*version) {
		char v[CPE_NAME_MAX];

		cpe_normalise(version, v, sizeof(v));
		cpe_escape(v, out, size);
	}
	else
		strncat(out, part == 'h' && *product ? "-" : "*", size - strlen(out) - 1);
	strncat(out, ":*:*:*:*:*:*:*", size - strlen(out) - 1);
}

bool cpe_from_classify(const struct classify_result *r, struct cpe_ident *id)
{
	char os[CPE_NAME_MAX], vendor0[CPE_NAME_MAX] = "", prod[CPE_NAME_MAX + 16];
	int os_idx = -1;

	memset(id, 0, sizeof(*id));
	if (r->vendor.confidence)
		id->nvendors = cpe_vendor_names(r->vendor.value, id->vendors, CPE_VENDORS_MAX);
	if (r->model.confidence)
		cpe_normalise(r->model.value, id->model, sizeof(id->model));
	if (r->firmware.confidence)
		snprintf(id->version, sizeof(id->version), "%s", r->firmware.value);
	if (r->type.confidence)
		snprintf(id->type, sizeof(id->type), "%.31s", r->type.value);
	if (r->os.confidence) {
		cpe_normalise(r->os.value, os, sizeof(os));
		for (size_t i = 0; i < sizeof(os_products) / sizeof(os_products[0]); i++)
			if (!strcmp(os, os_products[i].os))
				os_idx = (int)i;
	}
	if (!id->nvendors && os_idx < 0)
		return false;
	if (!id->nvendors)
		snprintf(id->vendors[id->nvendors++], CPE_NAME_MAX, "%s", os_products[os_idx].vendor);
	snprintf(vendor0, sizeof(vendor0), "%s", id->vendors[0]);

	if (os_idx >= 0)
		add_product(id, os_products[os_idx].vendor, os_products[os_idx].product, true);
	if (id->model[0]) {
		for (size_t v = 0; v < id->nvendors; v++) {
			snprintf(prod, sizeof(prod), "%s_firmware", id->model);
			add_product(id, id->vendors[v], prod, false);
			add_product(id, id->vendors[v], id->model, false);
		}
	}

	/* The record's CPE: the OS when it carries the version, else the model's firmware, else the hardware. */
	if (os_idx >= 0)
		cpe_build(id->cpe, sizeof(id->cpe), 'o', os_products[os_idx].vendor, os_products[os_idx].product,
			  id->version);
	else if (id->model[0] && id->version[0])
		cpe_build(id->cpe, sizeof(id->cpe), 'o', vendor0, id->products[0].product, id->version);
	else
		cpe_build(id->cpe, sizeof(id->cpe), 'h', vendor0, id->model, "");
	return true;
}

/* Copies one field of a CPE string (up to an unescaped ':'), unescaping; returns the rest or NULL at the end. */
static const char *cpe_field(const char *p, char *out, size_t size)
{
	size_t n = 0;

	for (; *p && *p != ':'; p++) {
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 < size)
			out[n++] = *p;
	}
	out[n] = 0;
	return *p == ':' ? p + 1 : NULL;
}

bool cpe_parse(const char *s, struct cpe_name *out)
{
	char part[8];
	const char *p;

	memset(out, 0, sizeof(*out));
	if (!s || strncmp(s, "cpe:2.3:", 8) != 0)
		return false;
	p = cpe_field(s + 8, part, sizeof(part));
	if (!p || strlen(part) != 1 || !strchr("aoh*", part[0]))
		return false;
	out->part = part[0];
	p = cpe_field(p, out->vendor, sizeof(out->vendor));
	if (!p)
		return false;
	p = cpe_field(p, out->product, sizeof(out->product));
	if (!p)
		return false;
	p = cpe_field(p, out->version, sizeof(out->version));
	if (p)
		cpe_field(p, out->update, sizeof(out->update));
	for (char *c = out->vendor; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (char *c = out->product; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return out->vendor[0] && out->product[0];
}

bool cpe_glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat && (*pat == '?' || tolower((unsigned char)*pat) == tolower((unsigned char)*s))) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return !*pat;
}
