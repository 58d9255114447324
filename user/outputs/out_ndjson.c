// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ndjson output: one record a line, to a file rotated by size (FILE.1 .. FILE.<keep>) or to stdout ("-").
 * A batch is written with as few write()s as possible and then fdatasync()ed before the sender acks it, so an
 * acked record survives a crash of the machine too. A failed write is cut back off the file (ftruncate), so a
 * retry never leaves half a line in front of a whole one. A file moved away by logrotate is noticed (the path
 * no longer names our inode) and reopened.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "outputs/out_int.h"

struct nd {
	const struct output_config *cfg;
	int fd;
	bool is_file;
	uint64_t size;
};

static int nd_reopen(struct nd *d, char *err, size_t err_size)
{
	struct stat st;

	if (d->fd >= 0)
		close(d->fd);
	d->fd = open(d->cfg->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (d->fd < 0) {
		snprintf(err, err_size, "%s: %s (create its directory, or give another path)", d->cfg->path,
			 strerror(errno));
		return -1;
	}
	if (fstat(d->fd, &st) < 0) {
		snprintf(err, err_size, "%s: %s", d->cfg->path, strerror(errno));
		return -1;
	}
	d->is_file = S_ISREG(st.st_mode);
	d->size = (uint64_t)st.st_size;
	return 0;
}

static int nd_open(void **state, const struct out_env *env, char *err, size_t err_size)
{
	struct nd *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	d->cfg = env->cfg;
	d->fd = -1;
	if (!strcmp(d->cfg->path, "-")) {
		d->fd = STDOUT_FILENO;
	} else if (nd_reopen(d, err, err_size) < 0) {
		if (d->fd >= 0)
			close(d->fd);
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

/* FILE -> FILE.1 -> ... -> FILE.<keep>; the oldest goes. keep 0: the file is simply started again. */
static int nd_rotate(struct nd *d, char *err, size_t err_size)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];

	for (unsigned int i = d->cfg->keep; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", d->cfg->path, i - 1);
		snprintf(to, sizeof(to), "%s.%u", d->cfg->path, i);
		if (rename(from, to) < 0 && errno != ENOENT) {
			snprintf(err, err_size, "rotating %s: %s", from, strerror(errno));
			return -1;
		}
	}
	if (d->cfg->keep) {
		snprintf(to, sizeof(to), "%s.1", d->cfg->path);
		if (rename(d->cfg->path, to) < 0 && errno != ENOENT) {
			snprintf(err, err_size, "rotating %s: %s", d->cfg->path, strerror(errno));
			return -1;
		}
	} else if (unlink(d->cfg->path) < 0 && errno != ENOENT) {
		snprintf(err, err_size, "rotating %s: %s", d->cfg->path, strerror(errno));
		return -1;
	}
	return nd_reopen(d, err, err_size);
}

/* Writes iov fully, or cuts the file back to where it was and fails. */
static int nd_write(struct nd *d, struct iovec *iov, int n, size_t total, char *err, size_t err_size)
{
	size_t left = total;

	while (left) {
		ssize_t w = writev(d->fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, err_size, "writing %s: %s", d->cfg->path, w < 0 ? strerror(errno) : "short write");
			if (d->is_file && ftruncate(d->fd, (off_t)d->size) < 0)
				snprintf(err, err_size, "writing %s: %s (and the partial line could not be cut)",
					 d->cfg->path, strerror(errno));
			return -1;
		}
		left -= (size_t)w;
		while (w > 0 && n) {
			if ((size_t)w >= iov->iov_len) {
				w -= (ssize_t)iov->iov_len;
				iov++;
				n--;
			} else {
				iov->iov_base = (char *)iov->iov_base + w;
				iov->iov_len -= (size_t)w;
				w = 0;
			}
		}
	}
	d->size += total;
	return 0;
}

/* Does the path still name the file we write (logrotate may have moved it)? */
static bool nd_moved(struct nd *d)
{
	struct stat a, b;

	if (!d->is_file || fstat(d->fd, &a) < 0)
		return false;
	return stat(d->cfg->path, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

#define IOV_BATCH 512 /* two iovecs per record (line, newline); under IOV_MAX */

static int nd_send(void *state, const struct out_batch *b, const struct out_item *items, size_t n, size_t *done,
		   char *err, size_t err_size)
{
	struct nd *d = state;
	struct iovec iov[IOV_BATCH];
	size_t i = 0, total = 0, start = 0;
	int niov = 0;

	*done = 0;
	if (d->is_file && nd_moved(d) && nd_reopen(d, err, err_size) < 0)
		return -1;
	while (i < n) {
		size_t line = items[i].len + 1;
		bool rotate = d->is_file && d->cfg->max_size && d->size + total + line > d->cfg->max_size &&
			      d->size + total > 0;

		if (niov && (rotate || niov + 2 > IOV_BATCH)) {
			if (nd_write(d, iov, niov, total, err, err_size) < 0)
				return -1;
			*done = start = i;
			niov = 0;
			total = 0;
		}
		if (rotate && d->size && nd_rotate(d, err, err_size) < 0)
			return -1;
		iov[niov++] = (struct iovec){ b->buf.p + items[i].off, items[i].len };
		iov[niov++] = (struct iovec){ "\n", 1 };
		total += line;
		i++;
	}
	if (niov && nd_write(d, iov, niov, total, err, err_size) < 0)
		return -1;
	/* Durable before acked; stdout (a pipe, a terminal) has nothing to sync. */
	if (d->is_file && fdatasync(d->fd) < 0) {
		snprintf(err, err_size, "syncing %s: %s", d->cfg->path, strerror(errno));
		*done = start;
		return -1;
	}
	*done = n;
	return 0;
}

static void nd_close(void *state)
{
	struct nd *d = state;

	if (d->fd > STDOUT_FILENO)
		close(d->fd);
	free(d);
}

const struct out_driver out_ndjson = { .open = nd_open, .send = nd_send, .close = nd_close };
