#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# End to end on a veth pair between two namespaces: load, real traffic (python's HTTP server, curl),
# status counters, the daemon's NDJSON records, then unload must leave no pin, no clsact qdisc, no XDP.
# Addresses: 198.18.0.0/15 only; nothing leaves the machine.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
S=iots$$
NS_S=${S}s NS_C=${S}c
PIN=/sys/fs/bpf/iotsense-test-$$
tmp=$(mktemp -d)
in_sensor() { nsx $NS_S "$@"; }
cleanup() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	[ -n "${RUN:-}" ] && kill "$RUN" 2>/dev/null && wait "$RUN" 2>/dev/null
	in_sensor "$IOTSENSE" --pin-dir "$PIN" unload --all >/dev/null 2>&1
	ip netns del $NS_S 2>/dev/null
	ip netns del $NS_C 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add $NS_S && ip netns add $NS_C &&
	ip link add ${S}a type veth peer name ${S}b &&
	ip link set ${S}a netns $NS_S && ip link set ${S}b netns $NS_C &&
	nsx $NS_S ip addr add 198.18.7.1/24 dev ${S}a && nsx $NS_C ip addr add 198.18.7.2/24 dev ${S}b &&
	nsx $NS_S ip link set ${S}a up && nsx $NS_C ip link set ${S}b up && nsx $NS_S ip link set lo up
check "lab namespaces up" test $? -eq 0

in_sensor "$IOTSENSE" --pin-dir "$PIN" load -i nosuchif >/dev/null 2>"$tmp/err"
check "unknown interface: exit 1" test $? -eq 1
check "unknown interface: one clear line" grep -q "no interface named 'nosuchif'" "$tmp/err"
in_sensor "$IOTSENSE" --pin-dir "$PIN" load --bogus >/dev/null 2>&1
check "bad flag: exit 2" test $? -eq 2

in_sensor "$IOTSENSE" --pin-dir "$PIN" load -i ${S}a >"$tmp/load.out" 2>&1
check "load succeeds" test $? -eq 0
check "load reports XDP and TC" grep -q "TC egress" "$tmp/load.out"
in_sensor "$IOTSENSE" --pin-dir "$PIN" load -i ${S}a >/dev/null 2>&1
check "second load on the same interface refused" test $? -eq 1
check "maps pinned" test -e "$PIN/iot_flows" -a -e "$PIN/iot_events"
check "XDP attached" bash -c "nsx $NS_S ip link show ${S}a | grep -q 'prog/xdp'"
check "clsact qdisc present" bash -c "nsx $NS_S tc qdisc show dev ${S}a | grep -q clsact"

# The daemon adopts what load attached and records real traffic.
nsenter --net=/run/netns/$NS_S python3 -m http.server 8080 --bind 198.18.7.1 >/dev/null 2>&1 &
SRV=$!
wait_for 10 nsx $NS_C bash -c 'exec 3<>/dev/tcp/198.18.7.1/8080' 2>/dev/null
nsenter --net=/run/netns/$NS_S "$IOTSENSE" --pin-dir "$PIN" --state-dir "$tmp/state" run -i ${S}a --duration 4 -o "$tmp/run.ndjson" \
	2>"$tmp/run.err" &
RUN=$!
sleep 1
nsx $NS_C curl -s -o /dev/null -m 5 -A "iotsense-e2e/1.0" http://198.18.7.1:8080/
nsx $NS_C ping -c 2 -W 1 198.18.7.1 >/dev/null
wait $RUN
check "run exits 0 after --duration" test $? -eq 0
check "record: the HTTP request" grep -q '"payload":"GET / HTTP/1.1' "$tmp/run.ndjson"
check "record: the client's user agent" grep -q 'iotsense-e2e/1.0' "$tmp/run.ndjson"
check "record: the server banner" grep -q 'Server: SimpleHTTP' "$tmp/run.ndjson"
check "record: flow start with initiator 198.18.7.2" \
	grep -q '"event":"start".*"initiator":{"ip":"198.18.7.2"' "$tmp/run.ndjson"
check "records are JSON" python3 -c '
import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$tmp/run.ndjson"
check "daemon left the adopted programs attached" bash -c "nsx $NS_S ip link show ${S}a | grep -q 'prog/xdp'"

in_sensor "$IOTSENSE" --pin-dir "$PIN" status --json >"$tmp/status.json"
check "status --json parses" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/status.json"
check "status counts XDP and TC packets, TCP, flows; no ring drops" python3 -c '
import json,sys
s = json.load(open(sys.argv[1]))
c = s["counters"]
assert s["attached"] and s["interfaces"][0]["xdp_attached"] and s["interfaces"][0]["tc_egress_attached"], s
assert c["xdp"]["packets"] > 0 and c["tc_egress"]["packets"] > 0, c
assert c["xdp"]["tcp"] > 0 and c["xdp"]["flows_created"] + c["tc_egress"]["flows_created"] > 0, c
assert c["xdp"]["ringbuf_drops"] == 0 and c["tc_egress"]["ringbuf_drops"] == 0, c
' "$tmp/status.json"
in_sensor "$IOTSENSE" --pin-dir "$PIN" status >"$tmp/status.txt"
check "status table names the interface" grep -q "^${S}a " "$tmp/status.txt"

in_sensor "$IOTSENSE" --pin-dir "$PIN" unload -i ${S}a >/dev/null
check "unload succeeds" test $? -eq 0
check "no pins left" test ! -e "$PIN"
check "no XDP program left" bash -c "! nsx $NS_S ip link show ${S}a | grep -q 'prog/xdp'"
check "no clsact qdisc left" bash -c "! nsx $NS_S tc qdisc show dev ${S}a | grep -q clsact"
in_sensor "$IOTSENSE" --pin-dir "$PIN" unload -i ${S}a >/dev/null 2>&1
check "unload of a detached interface: exit 1" test $? -eq 1

# A daemon that attached by itself detaches on SIGTERM and leaves nothing.
# nsenter execs the daemon, so $! is the daemon itself (a shell function would put a subshell between).
nsenter --net=/run/netns/$NS_S "$IOTSENSE" --pin-dir "$PIN" --state-dir "$tmp/state" run -i ${S}a -o "$tmp/run2.ndjson" 2>/dev/null &
RUN=$!
check "daemon attached by itself" wait_for 10 bash -c "nsx $NS_S ip link show ${S}a | grep -q 'prog/xdp'"
kill -TERM $RUN
timeout 10 tail --pid=$RUN -f /dev/null
wait $RUN
check "daemon exits 0 on SIGTERM" test $? -eq 0
RUN=
check "daemon detached what it attached" bash -c "! nsx $NS_S ip link show ${S}a | grep -q 'prog/xdp'"
check "daemon removed its pins" test ! -e "$PIN"

# A clsact qdisc that was there before us stays after unload.
nsx $NS_S tc qdisc add dev ${S}a clsact
in_sensor "$IOTSENSE" --pin-dir "$PIN" load -i ${S}a >/dev/null 2>&1
in_sensor "$IOTSENSE" --pin-dir "$PIN" unload --all >/dev/null 2>&1
check "pre-existing clsact qdisc kept" bash -c "nsx $NS_S tc qdisc show dev ${S}a | grep -q clsact"
summary
