// SPDX-License-Identifier: GPL-2.0-only
/* A fopencookie() stream: bytes to the output, and a buffer of records for the store (record_tee.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "record_tee.h"
#include "store/store.h"

/* A store that keeps failing (disk full) must not make the daemon grow without bound: past this, the oldest
 * uncommitted bytes are dropped (whole records) and counted as store errors. */
#define TEE_MAX_PENDING (64u << 20)

static ssize_t tee_write(void *cookie, const char *data, size_t size)
{
	struct record_tee *t = cookie;

	if (t->out && fwrite(data, 1, size, t->out) != size)
		return -1;
	if (!t->store)
		return size;
	if (t->len + size > t->cap) {
		size_t cap = t->cap ? t->cap : 1 << 16;
		char *p;

		while (cap < t->len + size)
			cap *= 2;
		p = realloc(t->buf, cap);
		if (!p) {
			errno = ENOMEM;
			return -1;
		}
		t->buf = p;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, data, size);
	t->len += size;
	return size;
}

static int tee_close(void *cookie)
{
	return 0;
}

int record_tee_open(struct record_tee *t, FILE *out, struct store *store)
{
	cookie_io_functions_t io = { .write = tee_write, .close = tee_close };

	memset(t, 0, sizeof(*t));
	t->out = out;
	t->store = store;
	t->f = fopencookie(t, "w", io);
	return t->f ? 0 : -1;
}

int record_tee_commit(struct record_tee *t)
{
	char *end;
	size_t done;
	int n;

	fflush(t->f);
	if (t->out)
		fflush(t->out);
	if (!t->store || !t->len)
		return 0;
	/* Only whole lines: a record the pipeline is half-way through writing waits for the next commit. */
	end = memrchr(t->buf, '\n', t->len);
	if (!end)
		return 0;
	done = end - t->buf + 1;
	n = store_put_ndjson(t->store, t->buf, done, t->last_error, sizeof(t->last_error));
	if (n < 0) {
		if (!t->store_errors++ || !(t->store_errors & 63))
			pr_warn("%s (records kept in memory and retried)\n", t->last_error);
		if (t->len > TEE_MAX_PENDING) {
			char *cut = memchr(t->buf + t->len / 2, '\n', t->len - t->len / 2);

			if (cut) {
				size_t drop = cut - t->buf + 1;

				memmove(t->buf, t->buf + drop, t->len - drop);
				t->len -= drop;
			}
		}
		return -1;
	}
	memmove(t->buf, t->buf + done, t->len - done);
	t->len -= done;
	t->commits++;
	return n;
}

void record_tee_close(struct record_tee *t)
{
	if (!t->f)
		return;
	record_tee_commit(t);
	fclose(t->f);
	t->f = NULL;
	free(t->buf);
	t->buf = NULL;
}
