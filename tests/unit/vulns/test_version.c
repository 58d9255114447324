// SPDX-License-Identifier: GPL-2.0-only
/* Version comparison (user/vulns/version.c): every rule of version.h, vendor styles, ranges, and the order's laws. */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "vulns/version.h"

/* cmp(a, b) as -1/0/1, or 9 when either is not a version. */
static int cmp(const char *a, const char *b)
{
	int r;

	if (!version_cmp(a, b, &r))
		return 9;
	return (r > 0) - (r < 0);
}

/* a < b, and the comparison is antisymmetric. */
#define LT(a, b)                                                                                                  \
	do {                                                                                                      \
		CHECK_EQ_INT(cmp(a, b), -1);                                                                      \
		CHECK_EQ_INT(cmp(b, a), 1);                                                                       \
	} while (0)
#define EQ(a, b)                                                                                                  \
	do {                                                                                                      \
		CHECK_EQ_INT(cmp(a, b), 0);                                                                       \
		CHECK_EQ_INT(cmp(b, a), 0);                                                                       \
	} while (0)

TEST(dotted_numbers)
{
	LT("5.4.61", "5.5.0");
	LT("1.2", "1.10");
	LT("1.9.9", "1.10");
	LT("6.42", "6.42.1");
	LT("6.41.3", "6.42");
	LT("6.48.6", "6.49");
	EQ("1.0", "1.0.0");
	EQ("1.0", "1.0.0.0");
	EQ("010", "10");
	EQ("1.02", "1.2");
	LT("2", "10");
	EQ("5.5.0", "5.5.0");
	LT("0.9", "1");
	/* Numbers longer than any integer type compare by value too. */
	LT("99999999999999999999999", "100000000000000000000000");
	EQ("0000000000000000000000001", "1");
	LT("2.800.0000000.16.r", "2.800.0000000.29.r.210630");
}

TEST(letter_suffixes)
{
	LT("1.2.3a", "1.2.3b");
	LT("1.2.3", "1.2.3a");
	LT("1.2.3z", "1.2.4");
	LT("1.0.2k", "1.0.2l");
	EQ("1.2.3A", "1.2.3a");
	/* A letter run sorts before a number in the same place. */
	LT("1.0.a", "1.0.1");
	LT("1.0a", "1.0.1");
	/* Letter runs compare as words. */
	LT("1.0ab", "1.0b");
	LT("1.0a", "1.0aa");
	/* Zeros are padding, also before letters. */
	EQ("1.0a", "1.0.0a");
	EQ("1.0.a", "1.0a");
	LT("1.0", "1.0a");
	LT("1.0a", "1.0.1");
	EQ("1.0rc1", "1.0.0rc1");
}

TEST(cisco_trains)
{
	LT("12.2(55)SE", "12.2(58)SE");
	LT("12.2(55)SE", "12.2(55)SE1");
	LT("12.2(55)SE9", "12.2(55)SE10");
	LT("12.2(55)SE", "12.2(55)SG");
	LT("15.2(4)E10", "15.2(7)E3");
	EQ("15.2(5)E", "15.2(5)e");
	EQ("15.2(5)E", "15.2.5e");
	LT("15.0(2)SE", "15.2(5)E");
	LT("11.3.7", "11.3.7SR1");
	LT("11.3.6SR2", "11.3.7SR1");
	EQ("11.0(1)", "11.0.1");
	LT("10.3(1)ES14", "11.0(1)");
}

TEST(pre_releases)
{
	LT("6.42rc27", "6.42");
	LT("6.42rc27", "6.42.1");
	LT("6.41.3", "6.42rc27");
	LT("1.0alpha", "1.0beta");
	LT("1.0beta2", "1.0rc1");
	LT("1.0dev", "1.0alpha");
	LT("1.0-rc1", "1.0-rc2");
	LT("1.0.0rc1", "1.0");
	LT("1.0rc1", "1.0a");
	EQ("1.0preview", "1.0pre");
	LT("1.0pre", "1.0rc");
	LT("2.0-beta", "2.0");
	/* A single letter is a patch letter, not a pre-release. */
	LT("1.0", "1.0a1");
	LT("1.0", "1.0b");
}

TEST(vendor_prefixes)
{
	EQ("V5.5.0", "5.5.0");
	EQ("v5.5.0", "5.5.0");
	EQ("RouterOS 6.48.6", "6.48.6");
	EQ("version 2.1.0", "2.1.0");
	EQ("R7000-V1.0.9.88_10.2.88", "1.0.9.88");
	LT("R7000-V1.0.9.88_10.2.88", "1.0.11.116");
	EQ("UniFiSecurityGateway.ER-e120.v4.3.33.4936086.161203.2031", "4.3.33.4936086.161203.2031");
	/* No digit that begins a word: the first digit anywhere. */
	EQ("ce9.15.3.17", "9.15.3.17");
	EQ("TC7.3.6", "7.3.6");
	/* Lexmark names the family in the version. */
	LT("MXTCT.073.293", "MXTCT.081.232");
	LT("CXTPC.081.231", "CXTPC.081.232");
	/* A leading model with digits is not the version. */
	EQ("RB4011-v6.48.6", "6.48.6");
	EQ("RB4011 6.48.6", "6.48.6");
	EQ("MikroTik RouterOS 6.48.6", "6.48.6");
}

TEST(build_parts)
{
	EQ("V5.5.0build 180511", "5.5.0");
	EQ("V5.5.0 build 180511", "5.5.0");
	EQ("V5.5.0 Build 180511", "5.5.0");
	LT("V5.5.0 build 180511", "V5.5.0 build 190101");
	LT("V5.4.0 build 160530", "5.5.0");
	LT("5.4.9 build 999999", "5.5.0 build 100000");
	EQ("4.0.3_build_1234", "4.0.3");
	LT("4.0.3_build_1234", "4.0.3_build_1235");
	EQ("1.0.9.88_10.2.88", "1.0.9.88");
	LT("1.0.7.2_1.1.93", "1.0.7.2_1.1.99");
	EQ("1.0+git7", "1.0");
	EQ("1.2.3bld 42", "1.2.3");
	LT("1.1.3 Build 20220101 Rel. 1", "1.1.4");
	EQ("1.1.4 Build 20230219 rel.70", "1.1.4");
	/* The main part decides before the build part. */
	LT("5.4.0 build 999999", "5.4.1 build 1");
}

TEST(not_versions)
{
	CHECK(!version_valid(NULL));
	CHECK(!version_valid(""));
	CHECK(!version_valid("unknown"));
	CHECK(!version_valid("-"));
	CHECK(!version_valid("*"));
	CHECK(version_valid("V1"));
	CHECK(version_valid("JSI24090012"));
	CHECK_EQ_INT(cmp("abc", "1.0"), 9);
	CHECK_EQ_INT(cmp("1.0", ""), 9);
	CHECK_EQ_INT(cmp(NULL, "1.0"), 9);
	CHECK_EQ_INT(cmp("...", "..."), 9);
}

TEST(many_tokens_are_bounded)
{
	char a[512] = "", b[512] = "";

	for (int i = 0; i < 60; i++) {
		strcat(a, "1.");
		strcat(b, "1.");
	}
	strcat(a, "1");
	strcat(b, "2");
	/* Only the first VERSION_TOKENS_MAX tokens count. */
	EQ(a, b);
	LT("1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1",
	   "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.2");
}

TEST(laws)
{
	static const char *const vs[] = {
		"1.0",	      "1.0.0",	     "1.0a",	      "1.0rc1",	   "1.0.1",	    "6.42",
		"6.42rc27",   "6.42.1",	     "12.2(55)SE",    "12.2(55)SE1", "15.2(5)E",    "V5.5.0 build 180511",
		"5.5.0",      "4.0.3_build_1234", "1.0.9.88_10.2.88", "0", "2.800.0000000.29.r.210630", "MXTCT.081.232",
		"1.0alpha",   "1.0beta",     "99999999999999999999", "1.0.a",  "v2",	    "a1b2c3",
	};
	size_t n = sizeof(vs) / sizeof(vs[0]);

	for (size_t i = 0; i < n; i++) {
		CHECK_EQ_INT(cmp(vs[i], vs[i]), 0);
		for (size_t j = 0; j < n; j++) {
			CHECK_EQ_INT(cmp(vs[i], vs[j]), -cmp(vs[j], vs[i]));
			/* Transitive where build parts do not make equality partial. */
			for (size_t k = 0; k < n; k++) {
				if (strpbrk(vs[i], "_+") || strpbrk(vs[j], "_+") || strpbrk(vs[k], "_+") ||
				    strstr(vs[i], "build") || strstr(vs[j], "build") || strstr(vs[k], "build"))
					continue;
				if (cmp(vs[i], vs[j]) < 0 && cmp(vs[j], vs[k]) < 0)
					CHECK_EQ_INT(cmp(vs[i], vs[k]), -1);
			}
		}
	}
}

/* Random versions from a small alphabet of tokens and separators: the order's laws on thousands of triples. */
TEST(laws_random)
{
	static const char *const parts[] = { "0", "1", "2", "10", "a", "b", "rc", "beta", "SE", ".", "-", "(", ")" };
	char vs[120][24];
	unsigned int seed = 12345;
	size_t n = 120;
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = 0, k = 1 + (seed >> 16) % 6;

		vs[i][0] = 0;
		vs[i][len++] = '1';
		vs[i][len] = 0;
		for (size_t t = 0; t < k; t++) {
			const char *p;

			seed = seed * 1103515245 + 12345;
			p = parts[(seed >> 16) % (sizeof(parts) / sizeof(parts[0]))];
			if (len + strlen(p) + 1 < sizeof(vs[i]))
				strcat(vs[i], p), len += strlen(p);
		}
		seed = seed * 1103515245 + 12345;
	}
	for (size_t i = 0; i < n && bad < 5; i++) {
		for (size_t j = 0; j < n && bad < 5; j++) {
			int ij = cmp(vs[i], vs[j]);

			if (ij != -cmp(vs[j], vs[i])) {
				printf("  not antisymmetric: %s vs %s\n", vs[i], vs[j]);
				bad++;
			}
			for (size_t k = 0; k < n && bad < 5; k++) {
				int jk = cmp(vs[j], vs[k]), ik = cmp(vs[i], vs[k]);

				if ((ij <= 0 && jk <= 0 && ik > 0) || (ij == 0 && jk == 0 && ik != 0)) {
					printf("  not transitive: %s, %s, %s\n", vs[i], vs[j], vs[k]);
					bad++;
				}
			}
		}
	}
	CHECK_EQ_INT(bad, 0);
}

static bool in(const char *v, const char *exact, const char *start, bool si, const char *end, bool ei)
{
	struct version_range r = { .exact = exact, .start = start, .start_incl = si, .end = end, .end_incl = ei };

	return version_in_range(v, &r);
}

TEST(ranges)
{
	/* versionEndIncluding 6.42 */
	CHECK(in("6.42", NULL, NULL, false, "6.42", true));
	CHECK(in("6.40.5", NULL, NULL, false, "6.42", true));
	CHECK(!in("6.42.1", NULL, NULL, false, "6.42", true));
	CHECK(in("6.42rc27", NULL, NULL, false, "6.42", true));
	/* versionEndExcluding */
	CHECK(!in("6.41.3", NULL, NULL, false, "6.41.3", false));
	CHECK(in("6.41.2", NULL, NULL, false, "6.41.3", false));
	/* start and end */
	CHECK(in("6.34", "", "6.34", true, "6.49.7", false));
	CHECK(!in("6.34", "", "6.34", false, "6.49.7", false));
	CHECK(in("6.34.1", "*", "6.34", false, "6.49.7", false));
	CHECK(!in("6.33.9", NULL, "6.34", true, "6.49.7", false));
	CHECK(!in("6.49.7", NULL, "6.34", true, "6.49.7", false));
	CHECK(in("6.49.6", NULL, "6.34", true, "6.49.7", false));
	/* exact */
	CHECK(in("15.2(5)E", "15.2(5)e", NULL, false, NULL, false));
	CHECK(!in("15.2(5)E1", "15.2(5)e", NULL, false, NULL, false));
	/* every version, even an unknown one */
	CHECK(in("1.0", NULL, NULL, false, NULL, false));
	CHECK(in(NULL, NULL, NULL, false, NULL, false));
	CHECK(in("", "-", NULL, false, NULL, false));
	CHECK(in("", "*", "", false, "", false));
	/* no guessing: an unknown version is in no bounded range */
	CHECK(!in(NULL, NULL, NULL, false, "6.42", true));
	CHECK(!in("", NULL, "1.0", true, NULL, false));
	CHECK(!in("unknown", "1.0", NULL, false, NULL, false));
	/* a bound that is no version decides nothing */
	CHECK(!in("1.0", NULL, NULL, false, "n/a", true));
	/* build parts: "through 5.5.0" includes every 5.5.0 build */
	CHECK(in("V5.5.0 build 180511", NULL, NULL, false, "5.5.0", true));
	CHECK(!in("V5.5.0 build 180511", NULL, NULL, false, "5.5.0", false));
	CHECK(in("V5.4.0 build 160530", NULL, "5.2.0 build 140721", true, "5.4.0 build 160530", true));
	CHECK(!in("V5.4.0 build 160601", NULL, "5.2.0 build 140721", true, "5.4.0 build 160530", true));
}

TEST(range_text)
{
	struct version_range r = { .end = "6.42", .end_incl = true };
	char b[64];

	CHECK_STR(version_range_str(&r, b, sizeof(b)), "<= 6.42");
	r = (struct version_range){ .start = "6.34", .start_incl = true, .end = "6.49.7" };
	CHECK_STR(version_range_str(&r, b, sizeof(b)), ">= 6.34, < 6.49.7");
	r = (struct version_range){ .start = "1" };
	CHECK_STR(version_range_str(&r, b, sizeof(b)), "> 1");
	r = (struct version_range){ .exact = "15.2(5)E" };
	CHECK_STR(version_range_str(&r, b, sizeof(b)), "= 15.2(5)E");
	r = (struct version_range){ .exact = "-" };
	CHECK_STR(version_range_str(&r, b, sizeof(b)), "all versions");
	CHECK(version_range_all(&r));
	/* A small buffer is cut, never overrun. */
	r = (struct version_range){ .start = "6.34", .start_incl = true, .end = "6.49.7" };
	CHECK_STR(version_range_str(&r, b, 5), ">= 6");
}

int main(void)
{
	RUN(dotted_numbers);
	RUN(letter_suffixes);
	RUN(cisco_trains);
	RUN(pre_releases);
	RUN(vendor_prefixes);
	RUN(build_parts);
	RUN(not_versions);
	RUN(many_tokens_are_bounded);
	RUN(laws);
	RUN(laws_random);
	RUN(ranges);
	RUN(range_text);
	return testlib_summary();
}
