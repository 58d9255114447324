/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device classification: YAML fingerprint rules (the *.yaml files of rules/fingerprints, format in
 * rules/fingerprints/README.md) matched against a device's observations and its MAC vendor, giving a type, vendor,
 * model, OS and firmware, each with a confidence, the rule that set it and the evidence that matched.
 *
 * The rules are loaded and validated once (every pattern compiled with PCRE2); a loaded rule set is immutable, so
 * classify_device() may run from several threads at once.
 */
#ifndef IOTSENSE_CLASSIFY_H
#define IOTSENSE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLASSIFY_VALUE_MAX 96
#define CLASSIFY_ID_MAX 48
#define CLASSIFY_EVIDENCE_MAX 160

/* The device types a rule may set: a closed list, so that inventories and dashboards can group by it. */
extern const char *const classify_types[];
bool classify_type_valid(const char *type);

/* Where an installed sensor finds its rules; "rules" (the source tree's) when that does not exist. */
#define CLASSIFY_RULES_DIR_DEFAULT "/usr/share/iotsense/rules"

/*
 * The rules root every loader starts from: dir when given, else $IOTSENSE_RULES_DIR, else the installed rules
 * next to the binary (<prefix>/sbin/iotsense -> <prefix>/share/iotsense/rules, whatever PREFIX `make install`
 * used), else CLASSIFY_RULES_DIR_DEFAULT, else "rules" (the source tree's, for a binary run from it). buf
 * (PATH_MAX) holds the result when it is not dir itself.
 */
const char *rules_root(const char *dir, char *buf, size_t size);

struct classify_rules;

struct classify_error {
	char msg[768];		   /* "file:line:col: message", or "path: reason" when io is set */
	char file[512];		   /* the file the error is in ("" when none) */
	unsigned int line, column; /* 1-based; 0 when the error has no position */
	bool io;		   /* the directory or a file could not be read: not a fault of the rules */
};

/* One value of one observation; the caller flattens a device's attributes into these. */
struct classify_attr {
	const char *key;
	const char *value;
};

struct classify_input {
	const char *oui_vendor; /* the MAC vendor (oui_lookup()), or NULL */
	size_t nattrs;
	const struct classify_attr *attrs;
};

struct classify_field {
	char value[CLASSIFY_VALUE_MAX];	       /* "" when no rule set this field */
	uint8_t confidence;		       /* 0 when unset */
	char rule_id[CLASSIFY_ID_MAX];	       /* the rule that set it */
	char evidence[CLASSIFY_EVIDENCE_MAX]; /* "key=value" of the conditions that held, "; "-separated */
};

struct classify_result {
	struct classify_field type, vendor, model, os, firmware;
};

/*
 * Loads every *.yaml file directly under dir, in name order (the order breaks confidence ties: the first rule
 * wins). On the first error fills err and returns NULL.
 */
struct classify_rules *classify_load(const char *dir, struct classify_error *err);
void classify_free(struct classify_rules *rules);
size_t classify_rule_count(const struct classify_rules *rules);
size_t classify_file_count(const struct classify_rules *rules);

/*
 * The fingerprint directory to load: dir (a --rules-dir flag, may be NULL), else $IOTSENSE_RULES_DIR, else
 * CLASSIFY_RULES_DIR_DEFAULT when it exists, else "rules"; then its fingerprints/ subdirectory when it has one.
 * Returns buf.
 */
const char *classify_rules_dir(const char *dir, char *buf, size_t size);

/*
 * Clears res, then applies every rule whose conditions hold: for each field, the value of the matching rule with
 * the highest confidence wins. Returns the number of rules that matched, or -1 when out of memory. Safe to call
 * from several threads on one rule set.
 */
int classify_device(const struct classify_rules *rules, const struct classify_input *in,
		    struct classify_result *res);

#endif
