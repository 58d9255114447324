/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Indicators of compromise: IP addresses, networks and domain names that nobody on the site should talk to.
 *
 * Lists (rules/iocs/NAME.txt, and the imported feed <state-dir>/feeds/iocs.txt), one entry a line, '#' starts a
 * comment (at the start of a line or after a blank):
 *   203.0.113.66              an IPv4 or IPv6 address
 *   198.51.100.0/24           a network (the host bits must be zero)
 *   c2.example.invalid        a domain: it and every name under it (a.b.c2.example.invalid) match
 *   *.c2.example.invalid      the same, written as a wildcard
 * A domain needs at least two labels (a whole top-level domain is refused). Format in rules/iocs/README.md.
 *
 * Matching: an address against every network (one binary search per distinct prefix length present); a name
 * against itself and each of its parent domains (one binary search each). Sets are immutable once finished.
 */
#ifndef IOTSENSE_IOC_H
#define IOTSENSE_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../decoders/decoder.h"

#define IOC_ENTRIES_MAX (1u << 20) /* per set: a list past this is refused at load, cut at import */
#define IOC_LINE_MAX 4096
#define IOC_FEED_FILE "iocs.txt"   /* under <state-dir>/feeds/ */
#define IOC_TEXT_MAX 256	   /* an entry as text: "198.51.100.0/24", "c2.example.invalid" */

struct ioc_net {
	uint8_t addr[16]; /* IPv4 v4-mapped, host bits zero */
	uint8_t plen;	  /* over the 128-bit form: an IPv4 /24 is 120 */
};

struct ioc_set {
	struct ioc_net *nets;
	size_t nnets, capnets;
	char **domains; /* lower case, no trailing dot; sorted once finished */
	size_t ndomains, capdomains;
	/* Once finished: nets sorted by prefix length (longest first), then address; one range per length. */
	struct {
		uint8_t plen;
		size_t start, end;
	} ranges[129];
	int nranges;
	bool finished;
	size_t files; /* lists loaded into it */
};

enum ioc_kind { IOC_NONE = 0, IOC_NET = 1, IOC_DOMAIN = 2 };

void ioc_set_init(struct ioc_set *s);
void ioc_set_free(struct ioc_set *s);

/*
 * Parses one entry (no comment, no blanks). strict: host bits set in a network are an error (lists the operator
 * wrote); else they are cleared (imported feeds). Returns the kind, or IOC_NONE with the reason in why.
 */
enum ioc_kind ioc_parse(const char *tok, bool strict, struct ioc_net *net, char *domain, size_t domain_size,
			char *why, size_t why_size);
/* Adds an entry; -1 when the set is full (IOC_ENTRIES_MAX) or out of memory. */
int ioc_add_net(struct ioc_set *s, const struct ioc_net *n);
int ioc_add_domain(struct ioc_set *s, const char *d);

/* Loads one list strictly; 0, or -1 with "file:line:col: message" (or "file: reason", *io set) in err. */
int ioc_load_file(struct ioc_set *s, const char *path, char *err, size_t err_size, bool *io);
/* Every *.txt file of dir in name order; a missing dir is not an error. */
int ioc_load_dir(struct ioc_set *s, const char *dir, char *err, size_t err_size, bool *io);
/* Sorts and removes duplicates; the set is ready for matching. */
void ioc_set_finish(struct ioc_set *s);

/* The entry that contains a, or NULL. */
const struct ioc_net *ioc_match_ip(const struct ioc_set *s, const struct iot_addr *a);
/*
 * The listed domain that name is, or is under (case-insensitive; a trailing dot, a ":port" and brackets around
 * an address are ignored), or NULL.
 */
const char *ioc_match_domain(const struct ioc_set *s, const char *name);
/* "203.0.113.66", "198.51.100.0/24" */
void ioc_net_format(const struct ioc_net *n, char *buf, size_t size);
/* The single addresses of the set (networks are matched in user space only). */
size_t ioc_host_addrs(const struct ioc_set *s, struct iot_addr *out, size_t max);

/* The imported list: <state_dir>/feeds/iocs.txt into buf. */
const char *ioc_feed_path(const char *state_dir, char *buf, size_t size);

struct ioc_import_report {
	char path[4096];
	uint64_t lines, ips, nets, domains, duplicates;
	uint64_t skipped_invalid, skipped_too_long, skipped_over_limit;
	char example_invalid[80];
};

/*
 * `iotsense feed import iocs FILE`: reads a list leniently (hosts-file lines "0.0.0.0 name", URLs, defanged
 * "evil[.]example" and "hxxp://", "ip:port", the first field of CSV; what cannot be read is counted and
 * skipped), then writes the normalised list to <state_dir>/feeds/iocs.txt atomically (a temporary file renamed
 * over the old one): on any error the previous list stays. gzip input is accepted. Returns 0 or -1 with err.
 */
int ioc_import(const char *file, const char *state_dir, struct ioc_import_report *rep, char *err,
	       size_t err_size);
/* The command: imports, prints the report (text, or one JSON line), returns the exit code (0, 1). */
int ioc_feed_import_cmd(const char *file, const char *state_dir, bool json);

#endif
