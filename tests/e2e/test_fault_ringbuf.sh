#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fault: the ring buffer overflows for real. The live daemon is stopped (SIGSTOP) while a burst of discovery
# packets (every one copied whole into the ring) produces more records than the 8 MiB ring holds; then it goes
# on (SIGCONT). The kernel counts the losses (ringbuf_drops in `status --json` and /metrics), the daemon raises
# one alert about itself (sensor_event_loss, device "sensor", its count the counter's) in its NDJSON output and
# its store, senses again, raises no second alert for a second burst within the minute, and exits 0.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/veth_lab.sh
P=iotftr
NET=198.18.81
API=127.0.0.1:18981
PIN=/sys/fs/bpf/iotsense-test-ft-rb-$$
STATE=$(mktemp -d /tmp/iotsense-ftrb.XXXXXX)
OUT=$STATE/records.ndjson
RUN=
cleanup() {
	[ -n "$RUN" ] && kill -CONT "$RUN" 2>/dev/null # a stopped daemon would not act on vlab_down's SIGTERM
	vlab_down "$PIN"
	rm -rf "$PIN"
	[ -n "${KEEP:-}" ] || rm -rf "$STATE"
}
trap cleanup EXIT

# ringbuf_drops summed over the hooks, from the pins (`status --json`) and from the daemon's /metrics.
status_sum() { nsx "$NS_S" "$IOTSENSE" --pin-dir "$PIN" status --json | jq "[.counters[].$1] | add"; }
drops_status() { status_sum ringbuf_drops; }
drops_metrics() {
	local m
	m=$(nsx "$NS_S" curl -sf "http://$API/metrics") &&
		awk '/^iotsense_ringbuf_drops_total\{/ { s += $2; n++ } END { if (n) print s; else exit 1 }' <<<"$m"
}
discovery_status() { status_sum discovery_snippets; }
# The sensor_event_loss alert records in the NDJSON output (grep first: the output holds ~12 MB per burst).
loss_alerts() { grep -F '"record":"alert"' "$OUT" | jq -c 'select(.finding.uid == "sensor_event_loss")'; }
n_loss_alerts() { loss_alerts | wc -l; }
flow_from() {
	grep -F '"record":"flow"' "$OUT" | jq -e --arg ip "$1" 'select(.initiator.ip == $ip)' >/dev/null
}
stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }
# BURST: 30 000 mDNS packets of 1 200 bytes from one flow, ~38 MB of records for an 8 MiB ring.
burst() {
	nsx "$NS_C" python3 tests/lib/udp_burst.py "$NET.1" 5353 --src "$NET.2" --count 30000 --size 1200 \
		--pace 64 --seconds 20 >>"$STATE/burst.log"
}

check "lab up" vlab_up $P $NET 7 8
nsenter --net=/run/netns/"$NS_S" "$IOTSENSE" -v --pin-dir "$PIN" --state-dir "$STATE" run -i "${P}a" \
	--snapshot-interval 1 --api "$API" -o "$OUT" 2>"$STATE/run.log" &
RUN=$!
check "the daemon runs" wait_for 15 grep -q "sensing on 1 interface" "$STATE/run.log"
check "its API answers /metrics" wait_for 10 drops_metrics
# A first flow and its device record: the daemon's once-a-second tick (sweep, health, snapshot) has run, so the
# health check has taken its baseline before the burst.
nsx "$NS_C" bash -c "echo hello >/dev/udp/$NET.1/5000"
check "a first flow is sensed" wait_for 10 flow_from "$NET.2"
check "... and its device snapshot written (the tick ran)" wait_for 10 grep -qF '"record":"device"' "$OUT"
check "no ring buffer drops yet" test "$(drops_status)" = 0
check "no sensor_event_loss alert yet" test "$(n_loss_alerts)" = 0

# The burst while the consumer is stopped.
kill -STOP "$RUN"
check "daemon stopped" wait_for 5 stopped "$RUN"
d0=$(discovery_status)
burst
check "the burst reached the hook (discovery snippets rose by 5 000+)" test $(($(discovery_status) - d0)) -ge 5000
drops1=$(drops_status)
echo "     ringbuf_drops after the first burst: $drops1 ($(tail -n 1 "$STATE/burst.log"))"
check "ringbuf_drops rose while the daemon was stopped" test "$drops1" -gt 0
kill -CONT "$RUN"

loss_raised() { test "$(n_loss_alerts)" -ge 1; }
check "a sensor_event_loss alert is raised after SIGCONT" wait_for 10 loss_raised
check "... one" test "$(n_loss_alerts)" = 1
alert=$(loss_alerts | head -n 1)
check "its device is the sensor, severity high" test "$(jq -r '.device.id + " " + .severity' <<<"$alert")" = \
	"sensor high"
check "its count is the counter ($drops1)" test "$(jq -r .count <<<"$alert")" = "$drops1"
check "the counter did not move after SIGCONT" test "$(drops_status)" = "$drops1"
check "/metrics shows the same ringbuf_drops" test "$(drops_metrics)" = "$drops1"
check "rule builtin:sensor_event_loss, activity created" test "$(jq -r '.rule + " " + (.activity_id|tostring)' \
	<<<"$alert")" = "builtin:sensor_event_loss 1"
# The store's view: `iotsense alerts --json` (an array of alert records) and the alerts table through hunt.
store_loss() {
	"$IOTSENSE" --state-dir "$STATE" alerts --json --type sensor_event_loss 2>>"$STATE/cli.err" |
		jq -e --argjson n "$1" 'map(select(.finding.uid == "sensor_event_loss"))
			| length == 1 and .[0].count == $n and .[0].device.id == "sensor"' >/dev/null
}
check "the store has it, count $drops1 (iotsense alerts --json)" wait_for 10 store_loss "$drops1"
hunt_loss() {
	"$IOTSENSE" --state-dir "$STATE" hunt --csv "SELECT device_id, severity, count FROM alerts WHERE uid = \
'sensor_event_loss'" 2>>"$STATE/cli.err" | tail -n +2 | tr -d '\r'
}
check "one alerts row: sensor, high, count $drops1 (hunt)" test "$(hunt_loss)" = "sensor,high,$drops1"

# Sensing goes on: a new flow after SIGCONT is recorded.
nsx "$NS_C" python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
s.bind(('$NET.7', 0)); s.sendto(b'after', ('$NET.1', 5000))"
check "a new flow after SIGCONT is recorded" wait_for 10 flow_from "$NET.7"

# A second burst within the minute: the counter rises, no second alert record.
kill -STOP "$RUN"
check "daemon stopped again" wait_for 5 stopped "$RUN"
burst
drops2=$(drops_status)
echo "     ringbuf_drops after the second burst: $drops2"
check "ringbuf_drops rose again" test "$drops2" -gt "$drops1"
kill -CONT "$RUN"
nsx "$NS_C" python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
s.bind(('$NET.8', 0)); s.sendto(b'after', ('$NET.1', 5000))"
check "the ring drained again (a flow after the second SIGCONT)" wait_for 10 flow_from "$NET.8"
sleep 3 # three more ticks, each of which would have raised it
check "/metrics follows ($drops2)" test "$(drops_metrics)" = "$drops2"
check "still one sensor_event_loss record in the output (once a minute)" test "$(n_loss_alerts)" = 1
check "the store row is unchanged" test "$(hunt_loss)" = "sensor,high,$drops1"

kill -TERM "$RUN"
check "daemon exits on SIGTERM" wait_for 15 bash -c "! kill -0 $RUN 2>/dev/null"
wait "$RUN"
check "exit status 0" test $? -eq 0
RUN=
# (libbpf's own lines are about libxdp's dispatcher, which some kernels refuse: not ours to judge here)
check "no error in its log" bash -c "! grep -v '^libbpf:' $STATE/run.log | grep -qiE 'error|fail|abort'"
summary
