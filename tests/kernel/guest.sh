#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The per-kernel half of ci/kernel-matrix. Runs as a child of /init inside the qemu guest (busybox ash) and
# directly on the host. Prints marker lines that ci/kernel-matrix parses:
#   KM-DATAPATH <passed> <failed> rc=<exit>     the BPF_PROG_TEST_RUN suite (tests/bpf/test_datapath)
#   KM-CHECK ok|FAIL <section>: <what>          one per check of the load and coexistence sections
#   KM-PROG <name> <type> id= xlated_insns= verified_insns= jited_bytes=   what the verifier made of each program
#   KM-VLOG-BEGIN ... KM-VLOG-END               the verifier log (`iotsense -vv replay`) when loading failed
#   KM-END
# Environment: IOTSENSE TEST_DATAPATH PROGINFO PCAP [IP: iproute2's ip, which busybox ash would otherwise
# replace with its own applet, lacking netns]; COEX=1 XDP_LOADER XDP_PASS_OBJ for the coexistence test.
# Addresses: 198.18.0.0/15 between two namespaces on one veth pair; nothing leaves the machine.
set -u
T=km$$
PIN=/sys/fs/bpf/iotsense-$T
NS=${T}s PEER=${T}p
A=${T}a B=${T}b C=${T}c D=${T}d
tmp=$(mktemp -d)
vlog_done=0
IP=${IP:-ip}

nsx() { # NAMESPACE COMMAND...: like `ip netns exec`, but keeps /sys (and the bpffs holding the pins)
	_ns=$1
	shift
	nsenter --net=/run/netns/"$_ns" "$@"
}
check() { # SECTION WHAT COMMAND...
	_sec=$1 _what=$2
	shift 2
	if "$@"; then
		echo "KM-CHECK ok $_sec: $_what"
	else
		echo "KM-CHECK FAIL $_sec: $_what"
		return 1
	fi
}
verifier_log() { # once: the libbpf/verifier output of loading the programs, bounded
	[ "$vlog_done" = 0 ] || return 0
	vlog_done=1
	"$IOTSENSE" -vv replay --no-progress "$PCAP" >"$tmp/vlog" 2>&1
	echo "KM-VLOG-BEGIN (iotsense -vv replay: exit $?, $(wc -l <"$tmp/vlog") lines; first 40 and last 250 shown)"
	head -n 40 "$tmp/vlog"
	echo "..."
	tail -n 250 "$tmp/vlog"
	echo "KM-VLOG-END"
}
xdp_packets() { # STATUS_JSON_FILE: the XDP hook's packet counter
	sed -n 's/.*"counters":{"xdp":{"packets":\([0-9]*\).*/\1/p' "$1"
}
cleanup() {
	nsx "$NS" "$IOTSENSE" --pin-dir "$PIN" unload --all >/dev/null 2>&1
	"$IP" netns del "$NS" 2>/dev/null
	"$IP" netns del "$PEER" 2>/dev/null
	rm -rf "$PIN" "$tmp"
}
trap cleanup EXIT

# ---- 1. the datapath suite: every parser path through BPF_PROG_TEST_RUN ----
echo "KM-BEGIN datapath"
timeout 240 "$TEST_DATAPATH" >"$tmp/dp.out" 2>&1
rc=$?
cat "$tmp/dp.out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/dp.out" | tail -n 1)
if [ -n "$line" ]; then
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
else
	p=0 f=1
fi
[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
echo "KM-DATAPATH $p $f rc=$rc"
[ "$f" -eq 0 ] || verifier_log

# ---- 2. load on a veth (XDP + TC egress, then TC ingress + egress); what the verifier made of each program ----
echo "KM-BEGIN load"
"$IP" netns add "$NS" && "$IP" netns add "$PEER" &&
	"$IP" -n "$NS" link add "$A" type veth peer name "$B" &&
	"$IP" -n "$NS" link set "$A" up && "$IP" -n "$NS" link set "$B" up && "$IP" -n "$NS" link set lo up
check load "namespaces and veth pair up" test $? -eq 0
nsx "$NS" "$IOTSENSE" --pin-dir "$PIN" load -i "$A" >"$tmp/load1" 2>&1
rc=$?
sed 's/^/  /' "$tmp/load1"
check load "iotsense load -i veth (XDP auto mode + TC egress)" test $rc -eq 0 || verifier_log
nsx "$NS" "$IOTSENSE" --pin-dir "$PIN" load -i "$B" --mode tc >"$tmp/load2" 2>&1
rc=$?
sed 's/^/  /' "$tmp/load2"
check load "iotsense load -i veth --mode tc (TC ingress + egress)" test $rc -eq 0 || verifier_log
for what in xdp tc_ingress tc_egress; do
	for pin in "$PIN"/progs/*-"$what"; do
		[ -e "$pin" ] || continue
		"$PROGINFO" "$pin" | sed 's/^/KM-PROG /'
		break
	done
done
nsx "$NS" "$IOTSENSE" --pin-dir "$PIN" unload --all >/dev/null 2>&1
check load "iotsense unload --all" test $? -eq 0
check load "no XDP program left on the veth" sh -c "! $IP -n $NS link show $A | grep -q xdp"

# ---- 3. coexistence through libxdp's dispatcher: another XDP program first, then iotsense, then unload ----
if [ "${COEX:-0}" = 1 ]; then
	echo "KM-BEGIN coexistence"
	export LIBXDP_OBJECT_PATH=${LIBXDP_OBJECT_PATH:-/usr/lib/x86_64-linux-gnu/bpf}
	"$IP" -n "$NS" link add "$C" type veth peer name "$D" netns "$PEER" &&
		"$IP" -n "$NS" addr add 198.18.9.1/24 dev "$C" && "$IP" -n "$PEER" addr add 198.18.9.2/24 dev "$D" &&
		"$IP" -n "$NS" link set "$C" up && "$IP" -n "$PEER" link set "$D" up && "$IP" -n "$PEER" link set lo up
	check coexistence "veth pair between two namespaces" test $? -eq 0
	nsx "$NS" "$XDP_LOADER" load -m native "$C" "$XDP_PASS_OBJ" >"$tmp/xl" 2>&1
	rc=$?
	sed 's/^/  /' "$tmp/xl"
	check coexistence "xdp-loader load: the other XDP program (km_pass) attached first" test $rc -eq 0
	nsx "$NS" "$IOTSENSE" --pin-dir "$PIN" load -i "$C" >"$tmp/load3" 2>&1
	rc=$?
	sed 's/^/  /' "$tmp/load3"
	check coexistence "iotsense load -i on the same interface" test $rc -eq 0
	nsx "$NS" "$XDP_LOADER" status "$C" >"$tmp/st1" 2>&1
	sed 's/^/  /' "$tmp/st1"
	check coexistence "xdp-loader status: dispatcher runs km_pass and iot_xdp" \
		sh -c "grep -q xdp_dispatcher $tmp/st1 && grep -q km_pass $tmp/st1 && grep -q iot_xdp $tmp/st1"
	nsx "$NS" "$IOTSENSE" --pin-dir "$PIN" status --json >"$tmp/j1" 2>&1
	check coexistence "iotsense status --json: \"xdp_multiprog\":true" grep -q '"xdp_multiprog":true' "$tmp/j1"
	before=$(xdp_packets "$tmp/j1")
	nsx "$PEER" ping -c 3 -w 10 198.18.9.1 >"$tmp/ping1" 2>&1
	check coexistence "ping through both programs" test $? -eq 0 || sed 's/^/  /' "$tmp/ping1"
	nsx "$NS" "$IOTSENSE" --pin-dir "$PIN" status --json >"$tmp/j2" 2>&1
	after=$(xdp_packets "$tmp/j2")
	echo "  iotsense XDP packets: before ${before:-?}, after ${after:-?}"
	check coexistence "iotsense's XDP counters rose" test "${after:-0}" -gt "${before:-0}"
	nsx "$NS" "$IOTSENSE" --pin-dir "$PIN" unload -i "$C" >"$tmp/ul" 2>&1
	rc=$?
	sed 's/^/  /' "$tmp/ul"
	check coexistence "iotsense unload -i" test $rc -eq 0
	nsx "$NS" "$XDP_LOADER" status "$C" >"$tmp/st2" 2>&1
	sed 's/^/  /' "$tmp/st2"
	check coexistence "after unload: km_pass still attached, iot_xdp gone" \
		sh -c "grep -q km_pass $tmp/st2 && ! grep -q iot_xdp $tmp/st2"
	nsx "$PEER" ping -c 2 -w 10 198.18.9.1 >/dev/null 2>&1
	check coexistence "ping still passes after unload" test $? -eq 0
	nsx "$NS" "$XDP_LOADER" unload --all "$C" >/dev/null 2>&1
fi
echo "KM-END"
