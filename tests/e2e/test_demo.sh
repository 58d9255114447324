#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo` end to end: ci/demo runs for 40 s with its own namespace prefix (iotdt-), network (198.19.71.0/24),
# pin directory and dashboard port, so that it can run while someone runs the demo itself. Checks that it ends by
# itself, that the store it leaves has each lab device classified with its type, that the recommendations
# (Telnet without a login, SNMP v2c, ...) and the alerts the site provokes were raised, and that nothing is left
# behind: no namespace, pin, process or lab directory.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh

[ "$(id -u)" -eq 0 ] || { echo "test_demo: needs root"; echo "0 passed, 1 failed"; exit 1; }
PREFIX=iotdt
NET=198.19.71
PIN=/sys/fs/bpf/iotsense-demotest
LOG=$(mktemp /tmp/iotsense-demotest.XXXXXX)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DEMO=
STATE=

cleanup() {
	# Only when the test itself is stopped early: ci/demo tears its own site down on TERM.
	if [ -n "$DEMO" ] && kill -0 "$DEMO" 2>/dev/null; then
		kill -TERM "$DEMO"
		timeout 30 tail --pid="$DEMO" -f /dev/null
	fi
	[ -n "$STATE" ] && rm -rf "$STATE"
	rm -f "$LOG"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$(date +%s)
# The demo in its own process group, so that a TERM from the test reaches ci/demo's trap, not its children.
DEMO_SECONDS=40 DEMO_PORT=$PORT DEMO_PREFIX=$PREFIX DEMO_NET=$NET DEMO_PIN=$PIN BUILD=$BUILD \
	timeout --foreground -s TERM 150 bash ci/demo >"$LOG" 2>&1 &
DEMO=$!
wait "$DEMO"
rc=$?
DEMO=
took=$(($(date +%s) - start))
STATE=$(sed -n 's/^demo: records kept in .*, the store in \(.*\)\/iotsense\.db .*/\1/p' "$LOG" | head -1)
LABDIR=$(sed -n 's/^demo: starting the devices (logs in \(.*\))$/\1/p' "$LOG" | head -1)

check "demo ends by itself, exit 0 (exit $rc after $took s)" test "$rc" -eq 0
check "demo printed where its store is" test -n "$STATE" -a -s "$STATE/iotsense.db"
check "demo printed the inventory" grep -q '=== after [0-9]* s: inventory ===' "$LOG"
check "demo printed the recommendations" grep -q '=== after [0-9]* s: security recommendations ===' "$LOG"
check "demo printed the alerts" grep -q '=== after [0-9]* s: alerts ===' "$LOG"
check "no device failed to start" bash -c "! grep 'did not start\|got no lease' '$LOG'"

# The type of the device at an address, from the store the demo left.
type_of() { "$IOTSENSE" --state-dir "$STATE" hunt --csv "SELECT type FROM devices WHERE ip = '$1'" 2>/dev/null | sed -n 2p | tr -d '\r'; }
is_type() { [ "$(type_of "$1")" = "$2" ]; }
seen() { [ -n "$("$IOTSENSE" --state-dir "$STATE" hunt --csv "SELECT id FROM devices WHERE ip = '$1'" 2>/dev/null | sed -n 2p)" ]; }
for d in "gw 1 router" "camera 10 ip_camera" "printer 20 printer" "phone 25 voip_phone" "ws 30 workstation" \
	"tv 40 smart_tv" "plc 50 plc"; do
	set -- $d
	check "$1 ($NET.$2) classified $3 (got: $(type_of "$NET.$2"))" is_type "$NET.$2" "$3"
done
# No fingerprint rule gives a type from what these show (a VNC server alone; SSH, FTP and HTTPS servers):
# they must be in the inventory, unclassified.
check "kiosk ($NET.60) in the inventory" seen "$NET.60"
check "nas ($NET.70) in the inventory" seen "$NET.70"
vendor_model() { "$IOTSENSE" --state-dir "$STATE" hunt --csv "SELECT vendor || ' ' || model FROM devices WHERE ip = '$1'" 2>/dev/null | sed -n 2p | tr -d '\r'; }
check "printer is an HP LaserJet Pro M404dn" test "$(vendor_model "$NET.20")" = "HP LaserJet Pro M404dn"
check "phone is a Yealink T46S" test "$(vendor_model "$NET.25")" = "Yealink T46S"
check "TV is a Sony BRAVIA 4K VH2" test "$(vendor_model "$NET.40")" = "Sony BRAVIA 4K VH2"
check "PLC is a Schneider Electric BMX P34 2020" test "$(vendor_model "$NET.50")" = "Schneider Electric BMX P34 2020"

# A recommendation open on the device at an address.
rec_on() { # id, ip
	"$IOTSENSE" --state-dir "$STATE" recommendations --json 2>/dev/null | python3 -c '
import json, sys
recs = json.load(sys.stdin)["recommendations"]
sys.exit(0 if any(r["id"] == sys.argv[1] and any(sys.argv[2] in d["ips"] for d in r["devices"]) for r in recs) else 1)
' "$1" "$2"
}
check "recommendation: Telnet without authentication on the camera" rec_on IOTS-REC-0001 "$NET.10"
check "recommendation: SNMP v1/v2c on the printer" rec_on IOTS-REC-0003 "$NET.20"
check "recommendation: default SNMP community on the printer" rec_on IOTS-REC-0008 "$NET.20"
check "recommendation: VNC without authentication on the kiosk" rec_on IOTS-REC-0004 "$NET.60"
check "recommendation: clear-text credentials on the NAS" rec_on IOTS-REC-0005 "$NET.70"

alert() { [ -n "$("$IOTSENSE" --state-dir "$STATE" alerts --type "$1" --device "$2" 2>/dev/null | grep "$1")" ]; }
check "alert: Modbus write from the workstation" alert modbus_write "$NET.30"
check "alert: IOC lookup (c2.example.invalid) by the workstation" alert ioc_contact "$NET.30"
check "alert: clear-text FTP password from the workstation" alert cleartext_credentials "$NET.30"

# Nothing left behind.
check "no $PREFIX- namespace left" bash -c "! ip netns list | grep -q '^$PREFIX-'"
check "pin directory $PIN removed" test ! -e "$PIN"
# Other tests on the machine pin their own directories meanwhile: only ours count.
check "no ${PIN##*/}* entry under /sys/fs/bpf" test -z "$(ls /sys/fs/bpf | grep "^${PIN##*/}")"
check "lab directory removed" test -n "$LABDIR" -a ! -e "$LABDIR"
# Every daemon names the lab directory, the store or a lab address on its command line, but the open telnetd
# (other tests run the same one): a telnetd of ours left behind would be in a namespace no longer in /run/netns.
orphan_telnetds() {
	local known p ns
	known=$(stat -L -c %i /run/netns/* /proc/self/ns/net 2>/dev/null)
	for p in $(pgrep -f '^busybox telnetd'); do
		ns=$(stat -L -c %i "/proc/$p/ns/net" 2>/dev/null) || continue
		grep -qx "$ns" <<<"$known" || echo "$p"
	done
}
no_procs() { ! pgrep -af -- "$LABDIR|$STATE|$NET\\." && [ -z "$(orphan_telnetds)" ]; }
check "no process of the lab or the sensor left" no_procs
check "dashboard port $PORT closed" bash -c "! curl -s -o /dev/null -m 2 http://127.0.0.1:$PORT/"
check "finished in under 3 minutes ($took s)" test "$took" -lt 180
if [ "$_fail" -gt 0 ]; then
	echo "--- ci/demo's output:"
	tail -80 "$LOG"
fi
summary
