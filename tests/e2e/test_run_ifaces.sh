#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `run -i PATTERN`: interfaces that match and appear later are attached, those that go are forgotten, one
# that comes back (removed and re-created while attached) is attached again and sensed, a renamed one that no
# longer matches is detached; and least privilege after attach: the live daemon's CapEff/CapBnd/NoNewPrivs,
# the flow sweep and a containment through its API still working without the capabilities it dropped, a clean
# detach at exit with only CAP_NET_ADMIN, `--no-watch` over pins that `load` made keeping CAP_BPF alone, and
# `--user nobody`.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/veth_lab.sh
P=iotri$$ # unique: another run of the suite may be beside this one
NET=198.18.61
RV=198.18.62 # the re-created rv0's own subnet: the client's traffic must cross rv0, not the lab's first veth
PIN=/sys/fs/bpf/iotsense-test-ri-$$
STATE=$(mktemp -d /tmp/iotsense-ri.XXXXXX)
UPIN=/run/iotsense-test-ri-bpf-$$
RUN=
cleanup() {
	vlab_down "$PIN"
	rm -rf "$PIN"
	umount "$UPIN" 2>/dev/null
	rmdir "$UPIN" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$STATE"
}
trap cleanup EXIT

cap_of() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
# The capability bits as the kernel prints them (16 hex digits).
caps_hex() { local v=0 b; for b in "$@"; do v=$((v | (1 << b))); done; printf '%016x' "$v"; }
CAP_NET_ADMIN=12 CAP_SYS_ADMIN=21 CAP_PERFMON=38 CAP_BPF=39
xdp_on() { nsx "$NS_S" ip -d link show "$1" 2>/dev/null | grep -q 'prog/xdp'; }
registry_has() { nsx "$NS_S" "$IOTSENSE" --pin-dir "$PIN" status --json 2>/dev/null | grep -q "\"$1\""; }
log_has() { grep -q "$1" "$STATE/run.log"; }
# A veth NAME in the sensor namespace, its peer in the client namespace (address NET.H there, NET.1H here).
# Made inside the sensor namespace, so nothing is ever named in the host's.
add_port() {
	nsx "$NS_S" ip link add "$1" type veth peer name "$1p" netns "$NS_C" &&
		nsx "$NS_S" ip link set "$1" up && nsx "$NS_C" ip link set "$1p" up
}

check "lab up" vlab_up $P $NET
check "first port rv0" add_port rv0
nsenter --net=/run/netns/"$NS_S" "$IOTSENSE" -v --pin-dir "$PIN" --state-dir "$STATE" run -i 'rv*' \
	--idle-timeout 2 --snapshot-interval 1 --api "127.0.0.1:18961" -o "$STATE/records.ndjson" 2>"$STATE/run.log" &
RUN=$!
check "rv0 matched by 'rv*' at start: XDP attached" wait_for 15 xdp_on rv0
check "the daemon runs" wait_for 15 log_has "sensing on 1 interface(s) and watching"

# Least privilege: what the daemon kept after attaching (it watches, so NET_ADMIN and PERFMON stay).
want=$(caps_hex $CAP_NET_ADMIN $CAP_PERFMON $CAP_BPF)
check "CapEff is BPF+PERFMON+NET_ADMIN ($want)" test "$(cap_of $RUN CapEff)" = "$want"
check "CapPrm is the same" test "$(cap_of $RUN CapPrm)" = "$want"
check "CapBnd is the same (nothing can come back)" test "$(cap_of $RUN CapBnd)" = "$want"
check "NoNewPrivs is set" test "$(cap_of $RUN NoNewPrivs)" = 1
check "every thread has the reduced set" bash -c "for t in /proc/$RUN/task/*; do
	[ \"\$(sed -n 's/^CapEff:[[:space:]]*//p' \$t/status)\" = '$want' ] || exit 1; done"
check "the log says what was kept" log_has "capabilities after attach: CAP_NET_ADMIN,CAP_PERFMON,CAP_BPF"

# An interface that appears later and matches; one that does not match.
check "rv1 created" add_port rv1
check "rv1 attached when it appeared" wait_for 10 xdp_on rv1
check "rv1 in the registry" wait_for 5 registry_has rv1
check "other0 created" add_port other0
sleep 1
check "other0 (no match) left alone" bash -c "! nsx $NS_S ip -d link show other0 | grep -q prog/xdp"

# Removed and re-created while attached: forgotten, then attached again and sensed.
check "rv0 deleted" nsx "$NS_S" ip link del rv0
check "rv0 forgotten" wait_for 10 log_has "rv0 (ifindex [0-9]*) is gone: forgotten; attached again"
check "rv0 gone from the registry" wait_for 5 bash -c "! nsx $NS_S $IOTSENSE --pin-dir $PIN status --json | grep -q '\"rv0\"'"
check "rv0 re-created" add_port rv0
check "rv0 attached again" wait_for 10 xdp_on rv0
nsx "$NS_S" ip addr add "$RV.1/24" dev rv0
nsx "$NS_C" ip addr add "$RV.2/24" dev rv0p
check "traffic on the new rv0" wait_for 10 nsx "$NS_C" ping -c 1 -W 1 "$RV.1" >/dev/null
# A UDP flow (a TCP SYN answered by RST makes no record: docs/datapath.md): start now, end by the idle sweep.
nsx "$NS_C" bash -c "echo hello >/dev/udp/$RV.1/5000"
check "a flow on the re-created rv0 is recorded" wait_for 15 bash -c "grep '\"record\":\"flow\"' $STATE/records.ndjson | grep -q '\"$RV.2\"'"
# The flow sweep reads and deletes map entries: with CAP_BPF alone of the bpf() capabilities it must work.
check "idle flows are swept after the drop (flow end records)" wait_for 15 grep -q '"reason":"idle"' "$STATE/records.ndjson"

# Renamed to a name no pattern matches: detached.
nsx "$NS_S" ip link set rv1 down
check "rv1 renamed zz1" nsx "$NS_S" ip link set rv1 name zz1
check "zz1 detached" wait_for 10 bash -c "! nsx $NS_S ip -d link show zz1 | grep -q prog/xdp"

# Containment through the daemon's own API thread (CAP_BPF only among what it dropped to).
check "contain through the daemon's API" bash -c "nsx $NS_S curl -sf -X POST -H 'Content-Type: application/json' \
	-d '{}' http://127.0.0.1:18961/api/v1/devices/$RV.2/contain >/dev/null"
check "the contained device's frames are dropped" wait_for 10 bash -c "! nsx $NS_C ping -c 1 -W 1 $RV.1 >/dev/null"
check "release through the API" bash -c "nsx $NS_S curl -sf -X POST -H 'Content-Type: application/json' \
	-d '{}' http://127.0.0.1:18961/api/v1/devices/$RV.2/release >/dev/null"

# Stop: it detaches what it attached with the capabilities it kept.
kill -TERM $RUN
check "daemon exits on SIGTERM" wait_for 15 bash -c "! kill -0 $RUN 2>/dev/null"
wait $RUN
check "exit status 0" test $? -eq 0
RUN=
check "no XDP left on rv0, rv1/zz1, other0" bash -c "! nsx $NS_S ip -d link | grep -q prog/xdp"
check "no clsact qdisc left" bash -c "! nsx $NS_S tc qdisc show | grep -q clsact"
check "pins removed" test ! -e "$PIN"
check "no detach warning in the log" bash -c "! grep -qiE 'detaching (XDP|the TC)|left as it is|not ours' $STATE/run.log"

# --no-watch over what `load` attached: nothing of its own to detach, nothing to attach: CAP_BPF alone.
check "load rv0" nsx "$NS_S" "$IOTSENSE" --pin-dir "$PIN" load -i rv0
nsenter --net=/run/netns/"$NS_S" "$IOTSENSE" -v --pin-dir "$PIN" --state-dir "$STATE" run -i rv0 --no-watch \
	--api off -o /dev/null 2>"$STATE/run2.log" &
RUN=$!
check "adopting run started" wait_for 15 grep -q "sensing on 1 interface(s);" "$STATE/run2.log"
check "adopting --no-watch keeps CAP_BPF alone" test "$(cap_of $RUN CapEff)" = "$(caps_hex $CAP_BPF)"
kill -TERM $RUN; wait $RUN; RUN=
check "the adopted programs stay after it stops" xdp_on rv0
nsx "$NS_S" "$IOTSENSE" --pin-dir "$PIN" unload --all >/dev/null 2>&1

# Under a supervisor that bounded it already without CAP_SETPCAP (systemd's CapabilityBoundingSet= as in
# deploy/systemd/iotsense.service, a container's --cap-drop ALL --cap-add ...): it starts and drops what it can.
nsenter --net=/run/netns/"$NS_S" setpriv --bounding-set=-all,+bpf,+perfmon,+net_admin,+sys_admin,+sys_resource \
	"$IOTSENSE" -v --pin-dir "$PIN" --state-dir "$STATE" run -i 'rv*' --api off -o /dev/null 2>"$STATE/run5.log" &
RUN=$!
check "bounded without CAP_SETPCAP: run starts" wait_for 15 grep -q "sensing on" "$STATE/run5.log"
check "... and keeps BPF+PERFMON+NET_ADMIN" test "$(cap_of $RUN CapEff)" = "$(caps_hex $CAP_NET_ADMIN $CAP_PERFMON $CAP_BPF)"
kill -TERM $RUN; wait $RUN
check "... and exits 0 after detaching" test $? -eq 0
RUN=
check "... leaving no XDP program" bash -c "! nsx $NS_S ip -d link | grep -q prog/xdp"

# --user nobody, pins on a bpffs the user can reach; the state directory is handed over.
mkdir -p "$UPIN" && mount -t bpf -o mode=0755 bpf "$UPIN"
USTATE=$STATE/nobody
nsenter --net=/run/netns/"$NS_S" "$IOTSENSE" -v --pin-dir "$UPIN/iotsense" --state-dir "$USTATE" run -i 'rv*' \
	--user nobody --api off --snapshot-interval 1 -o "$STATE/records3.ndjson" 2>"$STATE/run3.log" &
RUN=$!
check "run --user nobody started" wait_for 15 grep -q "sensing on" "$STATE/run3.log"
check "it runs as nobody" test "$(cap_of $RUN Uid | awk '{print $2}')" = "$(id -u nobody)"
check "as nobody it keeps BPF+PERFMON+NET_ADMIN" test "$(cap_of $RUN CapEff)" = "$(caps_hex $CAP_NET_ADMIN $CAP_PERFMON $CAP_BPF)"
check "the store belongs to nobody" test "$(stat -c %U "$USTATE/iotsense.db")" = nobody
nsx "$NS_C" ip neigh flush dev rv0p
nsx "$NS_C" bash -c "echo hello >/dev/udp/$RV.1/5001"
check "as nobody it still senses and stores" wait_for 15 bash -c "$IOTSENSE --state-dir $USTATE hunt --csv \
	\"SELECT count(*) FROM device_addresses WHERE address = '$RV.2'\" 2>>$STATE/hunt.err | tail -n 1 | tr -d '\\r' | grep -qx 1"
check "as nobody it attaches a new interface" add_port rv2
check "rv2 attached by the nobody daemon" wait_for 10 xdp_on rv2
kill -TERM $RUN; wait $RUN
check "the nobody daemon exits 0" test $? -eq 0
RUN=
check "it detached everything as nobody" bash -c "! nsx $NS_S ip -d link | grep -q prog/xdp"
check "unknown --user is refused before anything" bash -c "! nsx $NS_S $IOTSENSE --pin-dir $PIN --state-dir $STATE \
	run -i rv0 --user no-such-user-x --api off -o /dev/null 2>$STATE/run4.log && grep -q 'no such user' $STATE/run4.log"
check "... and leaves nothing attached" bash -c "! nsx $NS_S ip -d link | grep -q prog/xdp"
summary
