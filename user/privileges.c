// SPDX-License-Identifier: GPL-2.0-only
/* Dropping capabilities and switching user after attach (see privileges.h). Raw capset(2): no libcap. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "privileges.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const struct {
	int cap;
	const char *name;
} cap_names[] = {
	{ CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE" },
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	{ CAP_PERFMON, "CAP_PERFMON" },
	{ CAP_BPF, "CAP_BPF" },
};

const char *privileges_names(uint64_t bits, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if (!(bits & (1ull << cap_names[i].cap)))
			continue;
		off += snprintf(buf + off, off < size ? size - off : 0, "%s%s", off ? "," : "", cap_names[i].name);
		bits &= ~(1ull << cap_names[i].cap);
	}
	if (bits && off < size)
		snprintf(buf + off, size - off, "%s0x%llx", off ? "," : "", (unsigned long long)bits);
	if (!buf[0])
		snprintf(buf, size, "none");
	return buf;
}

uint64_t privileges_effective(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/thread-self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff;
}

static uint64_t permitted(void)
{
	unsigned long long prm = 0;
	char line[256];
	FILE *f = fopen("/proc/thread-self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapPrm: %llx", &prm) == 1)
			break;
	fclose(f);
	return prm;
}

static int last_cap(void)
{
	int last = CAP_BPF;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");

	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < CAP_BPF || last > 63)
			last = CAP_BPF;
		fclose(f);
	}
	return last;
}

static uid_t chown_uid;
static gid_t chown_gid;

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	/* lchown: a symlink in the tree is changed itself, never what it points to. */
	return lchown(path, chown_uid, chown_gid) ? -1 : 0;
}

static int lookup_user(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errsz)
{
	struct passwd *pw = getpwnam(user);
	char *end;
	unsigned long v;

	if (!pw) {
		errno = 0;
		v = strtoul(user, &end, 10);
		if (!*user || *end || errno || v == 0 || v > 0x7fffffff) {
			snprintf(err, errsz, "--user %s: no such user (useradd --system --no-create-home %s)", user,
				 user);
			return -1;
		}
		pw = getpwuid((uid_t)v);
		*uid = (uid_t)v;
		*gid = pw ? pw->pw_gid : (gid_t)v;
		return 0;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errsz, "--user %s: that is root; name an unprivileged user", user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int privileges_drop(const struct priv_needs *needs, uint64_t *kept, char *err, size_t errsz)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint64_t keep = 1ull << CAP_BPF, prm;
	uid_t uid = 0;
	gid_t gid = 0;
	int last = last_cap();

	if (needs->net_admin)
		keep |= 1ull << CAP_NET_ADMIN;
	if (needs->perfmon)
		keep |= 1ull << CAP_PERFMON;
	if (needs->sys_admin)
		keep |= 1ull << CAP_SYS_ADMIN;
	if (needs->bind_service)
		keep |= 1ull << CAP_NET_BIND_SERVICE;
	prm = permitted();
	keep &= prm; /* what this process does not have cannot be kept (capset would refuse) */
	if (needs->user) {
		if (lookup_user(needs->user, &uid, &gid, err, errsz))
			return -1;
		chown_uid = uid;
		chown_gid = gid;
		for (int i = 0; i < needs->nchown; i++)
			/* FTW_DEPTH: a directory after what is in it, so its new owner never locks us out of it. */
			if (nftw(needs->chown_dirs[i], chown_one, 16, FTW_PHYS | FTW_DEPTH)) {
				snprintf(err, errsz, "--user: handing %s to uid %u failed: %s", needs->chown_dirs[i],
					 (unsigned int)uid, strerror(errno));
				return -1;
			}
	}
	/*
	 * The bounding set first: dropping from it needs CAP_SETPCAP, which goes below. A supervisor that bounded
	 * us already (systemd's CapabilityBoundingSet=, a container's --cap-drop) may not have left CAP_SETPCAP:
	 * then its bound stands, and only what is still in the set and not kept is dropped when we can.
	 */
	for (int cap = 0; (prm & (1ull << CAP_SETPCAP)) && cap <= last; cap++)
		if (!(keep & (1ull << cap)) && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			snprintf(err, errsz, "dropping capability %d from the bounding set failed: %s", cap,
				 strerror(errno));
			return -1;
		}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (needs->user) {
		/* Keep the permitted set across the uid change; the effective set is restored below. */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid)) {
			snprintf(err, errsz, "--user %s: switching to uid %u failed: %s", needs->user,
				 (unsigned int)uid, strerror(errno));
			return -1;
		}
	}
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(err, errsz, "reducing the capabilities failed: %s", strerror(errno));
		return -1;
	}
	if (needs->user)
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errsz, "setting no_new_privs failed: %s", strerror(errno));
		return -1;
	}
	if (kept)
		*kept = keep;
	return 0;
}
