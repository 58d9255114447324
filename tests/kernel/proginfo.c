// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the verifier made of pinned BPF programs, one line each:
 *   NAME TYPE id=N xlated_insns=N verified_insns=N jited_bytes=N
 * verified_insns is the number of instructions the verifier processed (bpf_prog_info.verified_insns, Linux 5.16+);
 * Debian 12's bpftool 7.1 does not print it, hence this helper. Used by ci/kernel-matrix.
 * Usage: proginfo PINNED_PROG...
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		const char *type;
		int fd = bpf_obj_get(argv[i]);

		if (fd < 0) {
			fprintf(stderr, "proginfo: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			fprintf(stderr, "proginfo: %s: %s\n", argv[i], strerror(errno));
			close(fd);
			rc = 1;
			continue;
		}
		type = libbpf_bpf_prog_type_str(info.type);
		printf("%s %s id=%u xlated_insns=%u verified_insns=%u jited_bytes=%u\n", info.name[0] ? info.name : "-",
		       type ? type : "?", info.id, info.xlated_prog_len / 8, info.verified_insns, info.jited_prog_len);
		close(fd);
	}
	return rc;
}
