/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny test harness shared by every C test runner. Why not cmocka: every runner in the project, C or shell,
 * must close on the same "N passed, N failed" line so that tests/run can add them up; this header is that
 * contract in 60 lines.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_EQ_INT(a, b); CHECK_STR(a, "b"); }
 *   int main(void) { RUN(name); return testlib_summary(); }
 */
#ifndef IOTSENSE_TESTLIB_H
#define IOTSENSE_TESTLIB_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>

static int testlib_passed, testlib_failed, testlib_cur_failed;
static const char *testlib_cur;

#define TEST(name) static void test_##name(void)

#define RUN(name)                                                                          \
	do {                                                                               \
		testlib_cur = #name;                                                       \
		testlib_cur_failed = 0;                                                    \
		test_##name();                                                             \
		if (testlib_cur_failed) {                                                  \
			testlib_failed++;                                                  \
			printf("FAIL %s\n", #name);                                        \
		} else {                                                                   \
			testlib_passed++;                                                  \
			printf("ok   %s\n", #name);                                        \
		}                                                                          \
	} while (0)

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			printf("  %s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__,      \
			       testlib_cur, #cond);                                        \
			testlib_cur_failed = 1;                                            \
		}                                                                          \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                                 \
	do {                                                                               \
		long long _a = (long long)(a), _b = (long long)(b);                        \
		if (_a != _b) {                                                            \
			printf("  %s:%d: %s: %s == %lld, expected %s == %lld\n", __FILE__,  \
			       __LINE__, testlib_cur, #a, _a, #b, _b);                     \
			testlib_cur_failed = 1;                                            \
		}                                                                          \
	} while (0)

/* Out of line, so the compiler's flow analysis cannot second-guess a test's own NULL checks. */
static __attribute__((noinline, unused)) int testlib_streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *_a = (a), *_b = (b);                                           \
		if (!testlib_streq(_a, _b)) {                                              \
			printf("  %s:%d: %s: %s == \"%s\", expected \"%s\"\n", __FILE__,    \
			       __LINE__, testlib_cur, #a, _a ? _a : "(null)",              \
			       _b ? _b : "(null)");                                        \
			testlib_cur_failed = 1;                                            \
		}                                                                          \
	} while (0)

static inline int testlib_summary(void)
{
	printf("%d passed, %d failed\n", testlib_passed, testlib_failed);
	return testlib_failed ? 1 : 0;
}

#endif
