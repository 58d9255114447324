#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Containment end to end: a gateway namespace routes between a "device" and a "client" namespace, with iotsense
# loaded on both of its interfaces and the daemon adopting them. Ping and TCP from client to device work; after
# `contain <device IP>` both fail and status counts the drops; `release` restores them; `contain <device MAC>
# --for 3s` cuts them until it expires. The daemon writes one alert record per transition. Containing the
# gateway's own address, its default route's next hop or the SSH peer is refused (exit 1); bad IDs and bad
# --for are usage errors (exit 2). Addresses: 198.18.0.0/15 only; nothing leaves the machine.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
S=ictn$$
NS_D=${S}d NS_G=${S}g NS_C=${S}c
PIN=/sys/fs/bpf/iotsense-contain-$$
DEV_IP=198.18.1.2
tmp=$(mktemp -d)
iot() { # NAMESPACE ARGS...: iotsense in a namespace, on the test's pin dir
	local ns=$1
	shift
	nsx "$ns" "$IOTSENSE" --pin-dir "$PIN" "$@"
}
cleanup() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null
	[ -n "${RUN:-}" ] && kill "$RUN" 2>/dev/null && wait "$RUN" 2>/dev/null
	iot $NS_G unload --all >/dev/null 2>&1
	ip netns del $NS_D 2>/dev/null
	ip netns del $NS_G 2>/dev/null
	ip netns del $NS_C 2>/dev/null
	rm -rf "$PIN"
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

ip netns add $NS_D && ip netns add $NS_G && ip netns add $NS_C &&
	ip link add ${S}d0 type veth peer name ${S}g1 && ip link add ${S}c0 type veth peer name ${S}g2 &&
	ip link set ${S}d0 netns $NS_D && ip link set ${S}g1 netns $NS_G &&
	ip link set ${S}c0 netns $NS_C && ip link set ${S}g2 netns $NS_G &&
	nsx $NS_D ip addr add $DEV_IP/24 dev ${S}d0 && nsx $NS_G ip addr add 198.18.1.1/24 dev ${S}g1 &&
	nsx $NS_G ip addr add 198.18.2.1/24 dev ${S}g2 && nsx $NS_C ip addr add 198.18.2.2/24 dev ${S}c0 &&
	for ns in $NS_D $NS_G $NS_C; do nsx $ns ip link set lo up || exit 1; done &&
	nsx $NS_D ip link set ${S}d0 up && nsx $NS_G ip link set ${S}g1 up && nsx $NS_G ip link set ${S}g2 up &&
	nsx $NS_C ip link set ${S}c0 up &&
	nsx $NS_D ip route add default via 198.18.1.1 && nsx $NS_C ip route add default via 198.18.2.1 &&
	nsx $NS_G sysctl -qw net.ipv4.ip_forward=1
check "lab: device, gateway, client namespaces up" test $? -eq 0
mac_of() { nsx "$1" ip -o link show dev "$2" | sed -n 's/.* link\/ether \([0-9a-f:]*\) .*/\1/p'; } # /sys is the host's
DEV_MAC=$(mac_of $NS_D ${S}d0)
GW_MAC=$(mac_of $NS_G ${S}g1)

can_ping() { nsx $NS_C ping -c 1 -W 1 $DEV_IP >/dev/null 2>&1; }
can_tcp() { nsx $NS_C timeout 3 bash -c "exec 3<>/dev/tcp/$DEV_IP/8080" 2>/dev/null; }
cannot_ping() { ! can_ping; }
cannot_tcp() { ! can_tcp; }
status_has() { # FILE PYTHON-CONDITION on s (the status object) and e (its contained entries by id)
	python3 -c '
import json,sys
s = json.load(open(sys.argv[1]))
e = {x["id"]: x for x in s["contained"]}
drops = sum(h["contained_drops"] for h in s["counters"].values())
sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"
}

iot $NS_G load -i ${S}g1 >/dev/null 2>&1 && iot $NS_G load -i ${S}g2 >/dev/null 2>&1
check "load on both gateway interfaces" test $? -eq 0
check "containment maps pinned" test -e "$PIN/iot_contain" -a -e "$PIN/iot_contain_state"

nsenter --net=/run/netns/$NS_D python3 -m http.server 8080 --bind $DEV_IP >/dev/null 2>&1 &
SRV=$!
# The daemon adopts the pinned programs and turns containment transitions into alert records.
mkdir -p "$tmp/state"
# The device is on an IOC list: the daemon loads it into the kernel's map, which flags the device's new flows.
echo "$DEV_IP   # test: the lab device as a known-bad address" >"$tmp/iocs.txt"
"$IOTSENSE" --state-dir "$tmp/state" feed import iocs "$tmp/iocs.txt" >/dev/null 2>"$tmp/ioc.err"
check "feed import iocs" test $? -eq 0
nsenter --net=/run/netns/$NS_G "$IOTSENSE" --pin-dir "$PIN" --state-dir "$tmp/state" run -i ${S}g1 -i ${S}g2 \
	--snapshot-interval 1 -o "$tmp/run.ndjson" 2>"$tmp/run.err" &
RUN=$!
check "before: client pings the device" wait_for 10 can_ping
check "before: client connects to the device over TCP" wait_for 10 can_tcp
# New connections until one starts after the daemon loaded the IOC map (the first may precede it).
ioc_flagged() { can_tcp >/dev/null 2>&1; grep -q '"ioc":true' "$tmp/run.ndjson"; }
check "the kernel flags flows to the IOC address" wait_for 10 ioc_flagged
check "status counts ioc_flows" bash -c "'$IOTSENSE' --pin-dir '$PIN' status --json | grep -Eq '\"ioc_flows\": *[1-9]'"
check "the ioc_contact alert names the device" wait_for 10 grep -q '"ioc_contact"' "$tmp/run.ndjson"

# ---- usage errors: exit 2, nothing written ----
iot $NS_G contain >/dev/null 2>&1
check "contain without an ID: exit 2" test $? -eq 2
iot $NS_G contain printer >/dev/null 2>"$tmp/err"
check "contain of a non-ID: exit 2" test $? -eq 2
check "contain of a non-ID: says what an ID is" grep -q "not a device ID" "$tmp/err"
iot $NS_G contain 198.18.1.300 >/dev/null 2>&1
check "contain of a bad IPv4 address: exit 2" test $? -eq 2
iot $NS_G contain ff:ff:ff:ff:ff:ff >/dev/null 2>"$tmp/err"
check "contain of the broadcast MAC: exit 2" test $? -eq 2
check "contain of the broadcast MAC: says why" grep -q "broadcast MAC, not a device" "$tmp/err"
iot $NS_G contain 127.0.0.1 >/dev/null 2>&1
check "contain of a loopback address: exit 2" test $? -eq 2
iot $NS_G contain $DEV_IP --for 10 >/dev/null 2>"$tmp/err"
check "--for without a unit: exit 2" test $? -eq 2
check "--for error names the forms" grep -q "30s, 10m, 2h or 1d" "$tmp/err"
iot $NS_G contain $DEV_IP --for 400d >/dev/null 2>&1
check "--for beyond 365d: exit 2" test $? -eq 2
iot $NS_G contain $DEV_IP --for 0s >/dev/null 2>&1
check "--for 0s: exit 2" test $? -eq 2
iot $NS_G release not-an-id >/dev/null 2>&1
check "release of a non-ID: exit 2" test $? -eq 2
check "usage errors contained nothing" can_ping

# ---- refusals: exit 1 with the reason ----
iot $NS_G contain 198.18.1.1 >/dev/null 2>"$tmp/err"
check "gateway's own address: refused, exit 1" test $? -eq 1
check "gateway's own address: says it is this host's" grep -q "address of this host (interface ${S}g1)" "$tmp/err"
iot $NS_G contain "$GW_MAC" >/dev/null 2>"$tmp/err"
check "gateway's own MAC: refused, exit 1" test $? -eq 1
check "gateway's own MAC: says so" grep -q "MAC of an interface of this host" "$tmp/err"
iot $NS_D contain 198.18.1.1 >/dev/null 2>"$tmp/err"
check "device's default next hop: refused, exit 1" test $? -eq 1
check "device's default next hop: says so" grep -q "next hop of this host's default route" "$tmp/err"
iot $NS_D contain "$GW_MAC" >/dev/null 2>"$tmp/err"
check "device's next hop by MAC: refused, exit 1" test $? -eq 1
check "device's next hop by MAC: says so" grep -q "is the MAC of 198.18.1.1, the next hop" "$tmp/err"
SSH_CONNECTION="198.18.2.2 50022 198.18.2.1 22" iot $NS_G contain 198.18.2.2 >/dev/null 2>"$tmp/err"
check "SSH peer: refused, exit 1" test $? -eq 1
check "SSH peer: says so" grep -q "peer of the current SSH session" "$tmp/err"
check "refusals contained nothing" can_ping
iot $NS_G release $DEV_IP >/dev/null 2>"$tmp/err"
check "release of a device that is not contained: exit 1" test $? -eq 1
check "release of a device that is not contained: says so" grep -q "is not contained" "$tmp/err"

# ---- contain by IP: ping and TCP fail, drops counted, release restores ----
iot $NS_G contain $DEV_IP --json >"$tmp/contain.json" 2>"$tmp/err" 
check "contain $DEV_IP: exit 0" test $? -eq 0
check "contain --json: the entry" python3 -c '
import json,sys
c = json.load(open(sys.argv[1]))
assert c["action"] == "contained" and c["id"] == "ip:198.18.1.2" and c["expires"] is None, c' "$tmp/contain.json"
check "contained: ping fails" cannot_ping
check "contained: TCP connect fails" cannot_tcp
iot $NS_G status --json >"$tmp/status.json"
check "status --json lists the device with its drops" \
	status_has "$tmp/status.json" 'e["ip:198.18.1.2"]["drops"] > 0 and e["ip:198.18.1.2"]["expires"] is None'
check "status counts contained_drops" status_has "$tmp/status.json" 'drops > 0'
iot $NS_G status >"$tmp/status.txt"
check "status table lists the device" grep -q "^ip:198.18.1.2 .* until released" "$tmp/status.txt"
iot $NS_C status --json >"$tmp/status-other-ns.json"
check "status from another namespace sees it too (one pinned map)" \
	status_has "$tmp/status-other-ns.json" '"ip:198.18.1.2" in e'
# The daemon's store (device records every second here) shows the device contained.
device_contained() { # python condition on c, the record's "contained"
	"$IOTSENSE" --state-dir "$tmp/state" devices --json 2>/dev/null | python3 -c '
import json, sys
for d in json.load(sys.stdin):
    if "198.18.1.2" in d.get("ips", []):
        c = d.get("contained")
        sys.exit(0 if eval(sys.argv[1]) else 1)
sys.exit(1)' "$1" 2>/dev/null
}
store_contained() { # the containment table mirrors the map: id -> 1 row
	[ "$(sqlite3 "$tmp/state/iotsense.db" "select count(*) from containment where device_id = '$1'" 2>/dev/null)" = "$2" ]
}
check "device record: contained, by its IP, until released" wait_for 10 device_contained \
	'c and c["by"] == "ip:198.18.1.2" and c["until"] is None'
check "store: the containment table has it" wait_for 10 store_contained ip:198.18.1.2 1
iot $NS_G release $DEV_IP >"$tmp/release.out" 2>&1
check "release: exit 0" test $? -eq 0
check "device record: no longer contained" wait_for 10 device_contained 'c is False'
check "store: the containment table no longer has it" wait_for 10 store_contained ip:198.18.1.2 0
check "release: reports the drops" grep -Eq "released 198.18.1.2 .* [1-9][0-9]* frames dropped" "$tmp/release.out"
check "released: ping works again" wait_for 10 can_ping
check "released: TCP works again" wait_for 10 can_tcp

# ---- contain by MAC for 3 s: cut until it expires, with no command in between ----
iot $NS_G contain "$DEV_MAC" --for 3s >"$tmp/contain-mac.out" 2>&1
check "contain MAC --for 3s: exit 0" test $? -eq 0
check "contain MAC --for 3s: names the expiry" grep -q "for 3s, until" "$tmp/contain-mac.out"
check "MAC contained: ping fails" cannot_ping
check "MAC containment expires: ping works again" wait_for 15 can_ping
check "MAC containment expired: TCP works" wait_for 10 can_tcp
sleep 1.5 # one daemon sweep after the expiry
iot $NS_G status --json >"$tmp/status2.json"
check "status: nothing contained after the expiry" status_has "$tmp/status2.json" 'e == {}'

kill -TERM $RUN
timeout 10 tail --pid=$RUN -f /dev/null
wait $RUN
check "daemon exits 0" test $? -eq 0
RUN=
check "daemon records are JSON" python3 -c '
import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$tmp/run.ndjson"
check "daemon: one alert per transition (IP: contained, released; MAC: contained, expired)" python3 -c '
import json,sys
recs = [json.loads(l) for l in open(sys.argv[1])]
a = {}
for r in recs:
	if r.get("record") == "alert" and "action" in r:  # containment alerts (ioc_contact ones are checked above)
		assert r["class_uid"] == 2004 and r["finding"]["uid"] and r["time"], r
		a.setdefault(r["device"]["id"], []).append(r)
ip, mac = a.pop("ip:198.18.1.2"), a.pop("mac:" + sys.argv[2])
assert not a, a
assert [r["action"] for r in ip] == ["contained", "released"], ip
assert [r["action"] for r in mac] == ["contained", "expired"], mac
assert ip[0]["severity"] == "high" and ip[0]["finding"]["title"] == "Device contained" and ip[0]["expires"] is None
assert ip[1]["drops"] > 0 and ip[1]["finding"]["uid"] == ip[0]["finding"]["uid"]
assert mac[0]["expires"] and mac[0]["device"]["mac"] == sys.argv[2] and mac[1]["drops"] > 0
' "$tmp/run.ndjson" "$DEV_MAC"

iot $NS_G contain $DEV_IP >/dev/null 2>&1
iot $NS_G unload --all >/dev/null 2>"$tmp/unload.err"
check "unload: pins gone, containment maps included" test ! -e "$PIN"
check "unload: warns that a containment went with them" grep -q "1 contained device released" "$tmp/unload.err"
check "after unload: traffic flows" wait_for 10 can_ping
iot $NS_G contain $DEV_IP >/dev/null 2>"$tmp/err"
check "contain with nothing loaded: exit 1" test $? -eq 1
check "contain with nothing loaded: says what to do" grep -q "run 'iotsense load -i IFACE' or 'iotsense run' first" \
	"$tmp/err"
summary
