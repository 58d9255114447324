# SPDX-License-Identifier: GPL-2.0-only
# The iotsense sensor as a container image (docs/container.md). Two stages on Debian 12: one builds with the
# packages ci/setup lists for building, the other gets only the runtime libraries and what `make install` put in
# /out. With a registry: `buildah bud -t iotsense .` or `docker build -t iotsense .`; without one:
# ci/container-build (a debootstrap'd base passed as BASE_IMAGE).
#
# BPF needs privileges, so the image has no non-root default: run it --privileged, or with CAP_BPF,
# CAP_NET_ADMIN, CAP_PERFMON and CAP_SYS_ADMIN, on the host's network, with /sys/fs/bpf mounted.

ARG BASE_IMAGE=debian:bookworm

FROM ${BASE_IMAGE} AS build
ARG MAKE_JOBS=2
# ARG, not ENV: noninteractive apt while building, nothing left in the image's environment.
ARG DEBIAN_FRONTEND=noninteractive
# The build half of ci/setup's PKGS (no test tools): clang for the BPF target, bpftool for the skeletons;
# python3 for the man page (docs/man/mkman.py, which `make install` builds).
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		make gcc clang llvm libbpf-dev libxdp-dev bpftool pkg-config libelf-dev zlib1g-dev \
		libpcap-dev libssl-dev libyaml-dev libsqlite3-dev libjansson-dev libpcre2-dev libmicrohttpd-dev \
		libcurl4-openssl-dev python3 \
	&& rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
WORKDIR /src
COPY . .
RUN make -j"${MAKE_JOBS}" all \
	&& make install DESTDIR=/out PREFIX=/usr SYSCONFDIR=/etc
# The layout the runtime stage and docs/container.md rely on; a change to the install target fails here, with
# the missing path named, instead of in a running container.
RUN for p in /out/usr/sbin/iotsense /out/usr/share/iotsense/rules/fingerprints /out/etc/iotsense/iotsense.yaml; do \
		test -e "$p" || { echo "make install did not install $p" >&2; exit 1; }; \
	done

FROM ${BASE_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive
# Only what the binary links (readelf -d: libxdp, libbpf, libz, libpcap, libcrypto, libyaml, libpcre2-8,
# libjansson, libsqlite3, libmicrohttpd, libcurl; libelf through libbpf; libxdp1 also ships the dispatcher
# object libxdp loads), the IEEE MAC registry the classifier reads (/usr/share/ieee-data) and the CA
# certificates the HTTP outputs verify against. No compiler. apt's lists and its package caches
# (/var/cache/apt/*.bin, 80 MB) go in the same step, or they stay in the layer.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends \
		libbpf1 libxdp1 libelf1 zlib1g libpcap0.8 libssl3 libyaml-0-2 libsqlite3-0 libjansson4 libpcre2-8-0 \
		libmicrohttpd12 libcurl4 ieee-data ca-certificates \
	&& rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY --from=build /out/ /
# The store (state_dir; 0700 like the daemon makes it: the inventory is sensitive) and a directory for an
# ndjson output.
RUN install -d -m 0700 /var/lib/iotsense && install -d -m 0755 /var/log/iotsense
VOLUME ["/var/lib/iotsense"]
# The API, /metrics and the dashboard (api.listen in the config: 127.0.0.1:8080 unless told otherwise).
EXPOSE 8080/tcp

ARG BASE_IMAGE
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="iotsense" \
	org.opencontainers.image.description="Passive IoT/OT device sensor: eBPF (XDP and TC) datapath, device inventory, classification, security assessment. Needs --privileged (or CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON, CAP_SYS_ADMIN), the host network and /sys/fs/bpf." \
	org.opencontainers.image.licenses="GPL-2.0-only" \
	org.opencontainers.image.version="${VERSION}" \
	org.opencontainers.image.revision="${REVISION}" \
	org.opencontainers.image.documentation="docs/container.md" \
	org.opencontainers.image.base.name="${BASE_IMAGE}"

ENTRYPOINT ["/usr/sbin/iotsense"]
CMD ["run", "-c", "/etc/iotsense/iotsense.yaml"]
