// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every decoder of the table, on every seed of its fuzz corpus (tests/fuzz/corpus/<name>/, real and crafted
 * packets with the fuzz harness's 8-byte context in front): the whole input cut at every length, and each of its
 * first 48 payload bytes set to 0x00, 0x7f, 0x80 and 0xff (lying length and count fields). The payload is an
 * exact-size heap copy each time, so under `make check SANITIZE=1` any read past the end is an ASan report; in
 * both builds a crash or an inconsistent output fails the run. Deterministic, unlike the fuzzer, so it runs in
 * every `make check`.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoders/decoder.h"
#include "../../fuzz/fuzz_ctx.h"
#include "testlib.h"

#define MAX_SEED 65536
#define LIE_BYTES 48

static struct dec_out out;
static unsigned long long runs;

static bool run_one(const struct decoder *dec, const uint8_t *data, size_t size)
{
	if (size < 8)
		return true;
	if (!fuzz_ctx_run(dec, data, size, &out))
		return false;
	runs++;
	return out.n <= DEC_OUT_MAX && out.n >= 0;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* Every cut and every lie of every seed; the number of seeds, or -1 at the first inconsistent output. */
static int torture(const struct decoder *dec)
{
	static uint8_t seed[MAX_SEED], copy[MAX_SEED];
	static const uint8_t lies[] = { 0x00, 0x7f, 0x80, 0xff };
	char dir[512], path[1024];
	struct dirent *e;
	int seeds = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", dec->name);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n = read_file(path, seed, sizeof(seed));
		if (n < 8)
			continue;
		seeds++;
		for (size_t cut = 8; cut <= n; cut++)
			if (!run_one(dec, seed, cut)) {
				printf("  %s: %s cut at %zu: inconsistent output\n", dec->name, e->d_name, cut);
				closedir(d);
				return -1;
			}
		for (size_t i = 8; i < n && i < 8 + LIE_BYTES; i++)
			for (unsigned int l = 0; l < sizeof(lies); l++) {
				memcpy(copy, seed, n);
				copy[i] = lies[l];
				if (!run_one(dec, copy, n)) {
					printf("  %s: %s byte %zu = 0x%02x: inconsistent output\n", dec->name, e->d_name,
					       i - 8, lies[l]);
					closedir(d);
					return -1;
				}
			}
	}
	closedir(d);
	return seeds;
}

/* One test per decoder of the table, run the way RUN() runs one, under the decoder's name. */
int main(void)
{
	int decoders = 0;

	for (const struct decoder *const *dp = iot_decoders; *dp; dp++, decoders++) {
		int seeds;

		testlib_cur = (*dp)->name;
		testlib_cur_failed = 0;
		seeds = torture(*dp);
		/* A decoder without seeds is a gap in the corpus: it fails here instead of passing untested. */
		CHECK(seeds != 0);
		CHECK(seeds > 0);
		if (testlib_cur_failed) {
			testlib_failed++;
			printf("FAIL %s: every cut and lying byte of its seeds\n", (*dp)->name);
		} else {
			testlib_passed++;
			printf("ok   %s: every cut and lying byte of its %d seeds\n", (*dp)->name, seeds);
		}
	}
	printf("  %d decoders, %llu runs\n", decoders, runs);
	return testlib_summary();
}
