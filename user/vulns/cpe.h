/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A device's CPE-style identity, synthesised from its classification (vendor, model, OS, firmware), named the way
 * NVD names things: lower case, spaces as underscores, the vendor by its NVD name ("Axis Communications" is
 * "axis", "Cisco Systems" is "cisco", "Dahua" is "dahuasecurity"). NVD writes a device's firmware either as
 * "<model>_firmware" (part o) next to the hardware "<model>" (part h), or, for network operating systems, as the
 * OS ("routeros", "ios_xe", "junos"): the identity carries every candidate product, and a feed entry matches when
 * it names any of them.
 *
 * The identity only restates what classification found: the version is the firmware the device reported (never
 * inferred from a model or a date), and a device with neither a vendor nor a known OS has no identity.
 */
#ifndef IOTSENSE_VULNS_CPE_H
#define IOTSENSE_VULNS_CPE_H

#include <stdbool.h>
#include <stddef.h>

#include "classify.h"

#define CPE_NAME_MAX 96
#define CPE_VENDORS_MAX 2
#define CPE_PRODUCTS_MAX 6
#define CPE_STRING_MAX 384

struct cpe_product {
	char vendor[CPE_NAME_MAX];  /* NVD vendor name of this product (an OS may come from another vendor) */
	char product[CPE_NAME_MAX]; /* "ds-2cd2142fwd-i_firmware", "ds-2cd2142fwd-i", "routeros" */
	bool os;		    /* the device's OS, whose version is the device's firmware */
};

struct cpe_ident {
	char vendors[CPE_VENDORS_MAX][CPE_NAME_MAX]; /* the device vendor's NVD names; [0] is the main one */
	size_t nvendors;
	char model[CPE_NAME_MAX];   /* normalised model, "" when unknown */
	char version[CPE_NAME_MAX]; /* the reported firmware, as given; "" when unknown */
	char type[32];		    /* the device type ("" when unknown): feeds may restrict an entry to types */
	struct cpe_product products[CPE_PRODUCTS_MAX];
	size_t nproducts;
	char cpe[CPE_STRING_MAX]; /* one CPE 2.3 formatted string for the record, version normalised ("" if none) */
};

/*
 * Fills id from a classification. Returns false (nothing can match) when neither the vendor nor an OS of the
 * table in cpe.c (RouterOS, Cisco IOS, Junos, ...) is known.
 */
bool cpe_from_classify(const struct classify_result *r, struct cpe_ident *id);

/*
 * The NVD names of a vendor as classification or a feed spells it: known aliases first ("HP" and "Hewlett
 * Packard" are "hp", "Ubiquiti" is "ui" and "ubiquiti"), else lower case without corporate suffixes ("Foo
 * Systems, Inc." is "foo"). Returns the count (0 for an empty name), at most max.
 */
size_t cpe_vendor_names(const char *vendor, char out[][CPE_NAME_MAX], size_t max);

/* Lower case, runs of blanks to one '_', trimmed: how NVD spells a product or version. */
void cpe_normalise(const char *in, char *out, size_t size);

/* A CPE 2.3 formatted string, split: part, vendor, product, version, update; backslash escapes removed. */
struct cpe_name {
	char part;
	char vendor[CPE_NAME_MAX], product[CPE_NAME_MAX], version[CPE_NAME_MAX], update[CPE_NAME_MAX];
};

/* Parses "cpe:2.3:o:mikrotik:routeros:6.42:*:...". Returns false when it is not a CPE 2.3 string. */
bool cpe_parse(const char *s, struct cpe_name *out);

/* Appends value to a CPE 2.3 formatted string, escaping what the binding requires ("\/", "\(", "\+"). */
void cpe_escape(const char *value, char *out, size_t size);

/* Case-insensitive glob ('*' any run, '?' one character) of a feed's product pattern against a product. */
bool cpe_glob(const char *pattern, const char *s);

#endif
