// SPDX-License-Identifier: GPL-2.0-only
/* What the feed imports share: skip reasons, the atomic output file, progress on a terminal. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vulns/feed_int.h"
#include "vulns/vulndb.h"

const char *const feed_skip_names[SKIP_COUNT] = {
	[SKIP_NOT_ENTRY] = "not_an_entry",     [SKIP_BAD_ID] = "bad_cve_id",
	[SKIP_REJECTED] = "rejected",	       [SKIP_NO_CONFIG] = "no_cpe_configuration",
	[SKIP_NO_VULN_CPE] = "no_vulnerable_cpe", [SKIP_DUPLICATE] = "duplicate",
	[SKIP_TOO_LARGE] = "too_large",
};

const char *const feed_skip_reasons[SKIP_COUNT] = {
	[SKIP_NOT_ENTRY] = "not an entry of this feed",
	[SKIP_BAD_ID] = "not a CVE-YYYY-NNNN id",
	[SKIP_REJECTED] = "rejected by NVD",
	[SKIP_NO_CONFIG] = "no CPE configuration yet (awaiting NVD analysis)",
	[SKIP_NO_VULN_CPE] = "no usable vulnerable CPE match",
	[SKIP_DUPLICATE] = "listed twice in the file",
	[SKIP_TOO_LARGE] = "entry too large",
};

static int mkdir_one(const char *path, char *err, size_t err_size)
{
	struct stat st;

	if (mkdir(path, 0700) == 0 || (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	snprintf(err, err_size, "cannot create %s: %s", path, strerror(errno == EEXIST ? ENOTDIR : errno));
	return -1;
}

int feed_out_open(struct feed_out *o, const char *state_dir, const char *name, char *err, size_t err_size)
{
	char dir[3072];
	int fd;

	memset(o, 0, sizeof(*o));
	if (!state_dir || !*state_dir) {
		snprintf(err, err_size, "no state directory (--state-dir)");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", state_dir, VULN_FEEDS_SUBDIR);
	if (mkdir_one(state_dir, err, err_size) || mkdir_one(dir, err, err_size))
		return -1;
	snprintf(o->path, sizeof(o->path), "%s/%s", dir, name);
	snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.tmp.%ld", dir, name, (long)getpid());
	fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		snprintf(err, err_size, "cannot write %s: %s", o->tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

void feed_out_abort(struct feed_out *o)
{
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp[0])
		unlink(o->tmp);
}

int feed_out_commit(struct feed_out *o, char *err, size_t err_size)
{
	int rc = 0;

	if (fflush(o->f) || ferror(o->f) || fsync(fileno(o->f))) {
		snprintf(err, err_size, "writing %s failed: %s", o->tmp, strerror(errno));
		rc = -1;
	}
	if (fclose(o->f) && !rc) {
		snprintf(err, err_size, "writing %s failed: %s", o->tmp, strerror(errno));
		rc = -1;
	}
	o->f = NULL;
	if (!rc && rename(o->tmp, o->path)) {
		snprintf(err, err_size, "cannot replace %s: %s", o->path, strerror(errno));
		rc = -1;
	}
	if (rc)
		unlink(o->tmp);
	return rc;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void feed_progress(struct feed_progress *p, const struct jstream *js, const struct feed_report *rep, bool done)
{
	double now, frac;

	if (!p->enabled)
		return;
	if (done) {
		if (p->shown)
			fprintf(stderr, "\r%*s\r", 72, "");
		return;
	}
	now = mono_now();
	if (!p->next) {
		p->next = now + 0.5;
		return;
	}
	if (now < p->next)
		return;
	p->next = now + 0.5;
	p->shown = true;
	frac = js_progress(js);
	if (frac >= 0)
		fprintf(stderr, "\r%s: %llu entries read, %llu imported (%.0f%%)   ", rep->feed,
			(unsigned long long)rep->entries, (unsigned long long)rep->imported, frac * 100);
	else
		fprintf(stderr, "\r%s: %llu entries read, %llu imported   ", rep->feed,
			(unsigned long long)rep->entries, (unsigned long long)rep->imported);
	fflush(stderr);
}

bool feed_cve_id_valid(const char *s)
{
	size_t n = 0;

	if (!s || strncmp(s, "CVE-", 4) != 0)
		return false;
	for (int i = 4; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	if (s[8] != '-')
		return false;
	for (const char *p = s + 9; *p; p++, n++)
		if (*p < '0' || *p > '9')
			return false;
	return n >= 4 && n <= 8;
}

/* Cuts s to at most max bytes without splitting a UTF-8 sequence; returns the length to keep. */
size_t feed_utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

void feed_prefix_error(char *err, size_t err_size, const char *file)
{
	char msg[1024];

	if (!err_size)
		return;
	snprintf(msg, sizeof(msg), "%s", err);
	snprintf(err, err_size, "%s: %s", file, msg);
}
