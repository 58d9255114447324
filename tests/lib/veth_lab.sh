# SPDX-License-Identifier: GPL-2.0-only
# The smallest lab for a live daemon: a sensor namespace and a client namespace joined by one veth pair, and
# python's HTTP server in the sensor namespace for real traffic. Source after tests/lib/sh.sh.
#   vlab_up PREFIX NET [HOST...]   namespaces ${PREFIX}s (NS_S, NET.1 on ${PREFIX}a) and ${PREFIX}c (NS_C, NET.2
#                                  and NET.HOST... on ${PREFIX}b), /24, lo up in the sensor namespace
#   vlab_http NET                  the HTTP server on NET.1:8080 (VLAB_SRV), answering before it returns
#   vlab_down PIN                  stops $RUN (the test's daemon) and the server, unloads, deletes the namespaces
vlab_up() {
	local p=$1 net=$2 h
	shift 2
	NS_S=${p}s NS_C=${p}c
	ip netns add "$NS_S" && ip netns add "$NS_C" &&
		ip link add "${p}a" type veth peer name "${p}b" &&
		ip link set "${p}a" netns "$NS_S" && ip link set "${p}b" netns "$NS_C" &&
		nsx "$NS_S" ip addr add "$net.1/24" dev "${p}a" && nsx "$NS_C" ip addr add "$net.2/24" dev "${p}b" ||
		return 1
	for h in "$@"; do
		nsx "$NS_C" ip addr add "$net.$h/24" dev "${p}b" || return 1
	done
	nsx "$NS_S" ip link set "${p}a" up && nsx "$NS_C" ip link set "${p}b" up && nsx "$NS_S" ip link set lo up
}

vlab_http() {
	nsenter --net=/run/netns/"$NS_S" python3 -m http.server 8080 --bind "$1.1" >/dev/null 2>&1 &
	VLAB_SRV=$!
	wait_for 10 nsx "$NS_C" bash -c "exec 3<>/dev/tcp/$1.1/8080" 2>/dev/null
}

vlab_down() {
	[ -n "${VLAB_SRV:-}" ] && kill "$VLAB_SRV" 2>/dev/null
	[ -n "${RUN:-}" ] && kill "$RUN" 2>/dev/null && wait "$RUN" 2>/dev/null
	[ -n "${NS_S:-}" ] && nsx "$NS_S" "$IOTSENSE" --pin-dir "$1" unload --all >/dev/null 2>&1
	ip netns del "$NS_S" 2>/dev/null
	ip netns del "$NS_C" 2>/dev/null
}
