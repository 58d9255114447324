/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Firmware version comparison, for the version ranges of vulnerability feeds. Devices and feeds write versions
 * in many styles; this orders all of them by one set of rules:
 *
 *   1. Vendor prefix. The version starts at the first number, when that begins a word (at the start, after a
 *      separator, or after a lone "v"/"V" that itself begins a word); everything before it is ignored: "V5.5.0"
 *      is 5.5.0, "RouterOS 6.48.6" is 6.48.6. When the first number is glued to a word (a model: "R7000",
 *      "RB4011"), the version starts at the next number after a lone v or a separator other than '.'
 *      ("R7000-V1.0.9.88_10.2.88" is 1.0.9.88_10.2.88, "RB4011 6.48.6" is 6.48.6), else at that first number
 *      ("ce9.15.3" is 9.15.3, "TC7.3.6" is 7.3.6). No digit at all: not a version (version_cmp() fails).
 *   2. Tokens. The rest splits into runs of digits (numbers, any length, compared by value: "010" = "10") and
 *      runs of letters (compared case-insensitively); every other character separates. "12.2(55)SE10" is
 *      12 2 55 se 10; "1.2.3a" is 1 2 3 a.
 *   3. Build part. "build"/"bld" (as a word or glued: "5.5.0build"), a "+" or a "_" start the build part:
 *      "V5.5.0build 180511", "4.0.3_build_1234", "1.0.9.88_10.2.88", "1.0+git7". The build part decides only
 *      between two versions that both have one; "5.5.0 build 180511" = "5.5.0". Feeds name releases, not
 *      builds, so "up to 5.5.0" includes every 5.5.0 build. (This equality is not transitive; it is not meant
 *      for sorting mixed lists.)
 *   4. Token by token: numbers by value; letter runs alphabetically ("1.2.3a" < "1.2.3b", "SE" < "SG"); a
 *      letter run sorts before a number in the same place ("1.0.a" < "1.0.1"). Pre-release words (dev, alpha,
 *      beta, pre, preview, rc, in that order) sort before anything else, including the end of the version:
 *      "1.0rc1" < "1.0" < "1.0a" < "1.0.1". A single letter is a patch letter, never a pre-release.
 *   5. Zeros are padding: trailing zeros and zeros right before a letter run do not count ("1.0" = "1.0.0",
 *      "1.0a" = "1.0.0a", "1.0rc1" = "1.0.0rc1"). When one side ends, any extra token makes the longer version
 *      the greater one ("12.2(55)SE" < "12.2(55)SE1", "1.2.3" < "1.2.3a"), unless it is a pre-release (rule 4).
 *      With these rules the order is total (build parts aside).
 *
 * Only the first VERSION_TOKENS_MAX tokens count. Pure functions, no allocation: safe anywhere.
 */
#ifndef IOTSENSE_VULNS_VERSION_H
#define IOTSENSE_VULNS_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#define VERSION_TOKENS_MAX 32

/* True when s has a version in it (at least one digit). */
bool version_valid(const char *s);

/* Compares a with b: *res < 0, 0 or > 0. Returns false (and leaves *res) when either is not a version. */
bool version_cmp(const char *a, const char *b, int *res);

/*
 * A range of affected versions, as NVD's cpeMatch writes it: an exact version, or optional bounds (each
 * including or excluding). No exact version and no bound: every version, including an unknown one.
 */
struct version_range {
	const char *exact;	   /* NULL or "" when the range is given by bounds */
	const char *start, *end;   /* NULL or "": unbounded on that side */
	bool start_incl, end_incl; /* >= / <= instead of > / < */
};

bool version_range_all(const struct version_range *r);

/*
 * True when version v is in r. An unknown version (NULL, "" or no digit) is in a range only when the range
 * covers all versions: no guessing.
 */
bool version_in_range(const char *v, const struct version_range *r);

/* The range as text: "= 6.40", ">= 6.29, < 6.42.1", "all versions". Returns buf. */
const char *version_range_str(const struct version_range *r, char *buf, size_t size);

#endif
