#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fault: the flow table fills. `run --flows-max 1024` (the smallest table) on a veth, then two floods of 3 200
# distinct UDP flows from 64 source addresses (50 per source each time, under a source's new-flow budget in
# docs/datapath.md, so the floods are not shed but fill the table). The daemon raises one sensor_flow_table_full
# alert (device "sensor", medium) in its output and its store; the table never holds more than 1024 flows; a
# long-lived TCP conversation that sends every 200 ms is still in the flow table after the floods, has not
# ended, and its device and service reach the store; a new flow after the floods is still sensed; the daemon
# exits 0. (How often the LRU evicted that conversation during the floods, seen as extra start records, is
# printed, not judged: the datapath marks every new flow referenced, so a flood of one-packet flows ages an
# active flow out about as fast as its own.)
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/veth_lab.sh
P=iotftf
NET=198.18.82
API=127.0.0.1:18982
PIN=/sys/fs/bpf/iotsense-test-ft-ft-$$
STATE=$(mktemp -d /tmp/iotsense-ftft.XXXXXX)
OUT=$STATE/records.ndjson
IMP=$NET.5 # the important device: a TCP service on port 7000
SRCS=$(seq 10 73)
RUN='' SERVER='' CLIENT=''
cleanup() {
	[ -n "$CLIENT" ] && kill "$CLIENT" 2>/dev/null
	[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
	vlab_down "$PIN"
	rm -rf "$PIN"
	[ -n "${KEEP:-}" ] || rm -rf "$STATE"
}
trap cleanup EXIT

status_json() { nsx "$NS_S" "$IOTSENSE" --pin-dir "$PIN" status --json; }
counter() { status_json | jq "[.counters[].$1 // 0] | add"; }
full_alerts() { grep -F '"record":"alert"' "$OUT" | jq -c 'select(.finding.uid == "sensor_flow_table_full")'; }
n_full_alerts() { full_alerts | wc -l; }
# Flow start records of the important conversation (client $NET.1, server $IMP:7000).
imp_starts() {
	grep -F '"record":"flow"' "$OUT" | jq -c --arg ip "$IMP" \
		'select(.event == "start" and .responder.ip == $ip and .responder.port == 7000)' | wc -l
}
imp_ends() {
	grep -F '"record":"flow"' "$OUT" | jq -c --arg ip "$IMP" \
		'select(.event == "end" and .responder.ip == $ip and .responder.port == 7000)' | wc -l
}
flow_from() {
	grep -F '"record":"flow"' "$OUT" | jq -e --arg ip "$1" 'select(.initiator.ip == $ip)' >/dev/null
}
# Port 7000 as the key holds it (network byte order), read back as a little-endian __u16 by bpftool.
imp_in_table() {
	bpftool -j map dump pinned "$PIN/iot_flows" | jq -e '[.[] | .formatted.key |
		select(.proto == 6 and (.port_a == 22555 or .port_b == 22555))] | length == 1' >/dev/null
}
hunt1() { "$IOTSENSE" --state-dir "$STATE" hunt --csv "$1" 2>>"$STATE/hunt.err" | tail -n +2 | tr -d '\r'; }
# flood ROUND: 3 200 new flows, 50 on each of the 64 sources, source ports 20000 + ROUND * 50 and up.
flood() {
	local a=() h
	for h in $SRCS; do a+=(--src "$NET.$h"); done
	nsx "$NS_C" python3 tests/lib/udp_burst.py "$NET.1" 7001 "${a[@]}" --ports 50 --port-base $((20000 + $1 * 50)) \
		--count 3200 --pace 32 --seconds 20 >>"$STATE/flood.log"
}

# shellcheck disable=SC2086 # the host numbers are words
check "lab up (64 flood sources)" vlab_up $P $NET 5 6 $SRCS
nsenter --net=/run/netns/"$NS_S" "$IOTSENSE" -v --pin-dir "$PIN" --state-dir "$STATE" run -i "${P}a" \
	--flows-max 1024 --snapshot-interval 1 --api "$API" -o "$OUT" 2>"$STATE/run.log" &
RUN=$!
check "the daemon runs" wait_for 15 grep -q "sensing on 1 interface" "$STATE/run.log"
check "the flow table has 1024 entries (bpftool)" bash -c "bpftool -j map show pinned $PIN/iot_flows | \
	jq -e '.max_entries == 1024' >/dev/null"

# The important conversation: a TCP service in the client namespace, a client in the sensor namespace that
# sends every 200 ms over one connection (bounded: 75 s, then it stops by itself).
nsenter --net=/run/netns/"$NS_C" python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$IMP', 7000)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(5)
end = time.monotonic() + 75
while time.monotonic() < end:
    d = c.recv(64)
    if not d: break
    c.sendall(b'ok ' + d)
" 2>>"$STATE/imp.err" &
SERVER=$!
listening() { nsx "$NS_C" ss -Hltn "sport = :7000" | grep -q 7000; }
check "the important service listens" wait_for 10 listening
nsenter --net=/run/netns/"$NS_S" python3 -c "
import socket, time
for _ in range(50):
    try:
        c = socket.create_connection(('$IMP', 7000), timeout=2); break
    except OSError: time.sleep(0.1)
end = time.monotonic() + 75
while time.monotonic() < end:
    c.sendall(b'status?\n'); c.recv(64); time.sleep(0.2)
" 2>>"$STATE/imp.err" &
CLIENT=$!
imp_started() { test "$(imp_starts)" -ge 1; }
check "the important conversation is sensed" wait_for 10 imp_started
check "... as one flow (one start record)" test "$(imp_starts)" = 1
check "no sensor_flow_table_full alert before the flood" test "$(n_full_alerts)" = 0

# The flood: 3 200 new flows for a table of 1 024.
created0=$(counter flows_created)
flood 0
echo "     flood: $(tail -n 1 "$STATE/flood.log"); flows_created +$(($(counter flows_created) - created0)), \
flows_shed $(counter flows_shed) (0 while status does not name it), table $(status_json | jq .flows)"
check "the flood created more flows than the table holds" test $(($(counter flows_created) - created0)) -gt 1024
full_raised() { test "$(n_full_alerts)" -ge 1; }
check "a sensor_flow_table_full alert is raised" wait_for 10 full_raised
alert=$(full_alerts | head -n 1)
check "its device is the sensor, severity medium" test "$(jq -r '.device.id + " " + .severity' <<<"$alert")" = \
	"sensor medium"
count=$(jq -r '.count // 0' <<<"$alert")
echo "     alert: count $count; $(jq -r .finding.desc <<<"$alert" | cut -d: -f1)"
check "its count is the table's fill, 1..1024" test "$count" -ge 1 -a "$count" -le 1024
check "the table holds at most 1024 flows (status)" test "$(status_json | jq .flows)" -le 1024
check "the table holds at most 1024 flows (bpftool dump)" test "$(bpftool -j map dump pinned "$PIN/iot_flows" | \
	jq length)" -le 1024

# A second flood within the minute: the table stays full, the alert is not repeated.
flood 1
sleep 3 # three more ticks, each of which would have raised it again
check "still one sensor_flow_table_full record (once a minute)" test "$(n_full_alerts)" = 1
check "the table still holds at most 1024 flows" test "$(status_json | jq .flows)" -le 1024
echo "     the important conversation: $(imp_starts) flow start record(s) so far"
check "the important conversation is in the flow table after the floods (bpftool)" imp_in_table
check "... and it has not ended" test "$(imp_ends)" = 0
check "the client is still talking" kill -0 "$CLIENT"

# The daemon still senses: a new flow after the floods.
nsx "$NS_C" python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
s.bind(('$NET.6', 0)); s.sendto(b'after', ('$NET.1', 5000))"
check "a new flow after the floods is recorded" wait_for 10 flow_from "$NET.6"
store_full() {
	test "$(hunt1 "SELECT device_id, severity FROM alerts WHERE uid = 'sensor_flow_table_full'")" = sensor,medium
}
check "the alert is in the store (alerts table: sensor, medium)" wait_for 10 store_full

kill "$CLIENT" "$SERVER" 2>/dev/null
wait "$CLIENT" "$SERVER" 2>/dev/null
CLIENT='' SERVER=''
kill -TERM "$RUN"
check "daemon exits on SIGTERM" wait_for 15 bash -c "! kill -0 $RUN 2>/dev/null"
wait "$RUN"
check "exit status 0" test $? -eq 0
RUN=
# The inventory at the end: the important device and its service, in the store.
imp_id=$(hunt1 "SELECT device_id FROM device_addresses WHERE kind = 'ip' AND address = '$IMP'")
check "the important device is in the store ($IMP: ${imp_id:-none})" test -n "$imp_id"
check "... with its service tcp/7000" test "$(hunt1 "SELECT service FROM device_services WHERE device_id = \
'$imp_id' AND service = 'tcp/7000'")" = tcp/7000
check "no error in its log" bash -c "! grep -v '^libbpf:' $STATE/run.log | grep -qiE 'error|fail|abort'"
summary
