#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The store under a live daemon: real traffic on a veth pair, devices and alerts committed to
# <state-dir>/iotsense.db; operator knowledge set while it runs; then SIGKILL (no clean shutdown) and a
# restart: every device and alert committed before the kill is still there, history (first_seen) is kept, the
# operator's name and criticality survive rediscovery and raise the device's risk.
# Addresses: 198.18.0.0/15 only; nothing leaves the machine.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/veth_lab.sh
S=iotr$$
PIN=/sys/fs/bpf/iotsense-test-$$
tmp=$(mktemp -d)
STATE=$tmp/state DB=$tmp/state/iotsense.db
for b in sqlite3 curl python3; do
	command -v "$b" >/dev/null || { echo "FAIL missing $b: run ci/setup"; echo "0 passed, 1 failed"; exit 1; }
done
cleanup() {
	vlab_down "$PIN"
	rm -rf "$tmp"
}
trap cleanup EXIT
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null; }

vlab_up $S 198.18.9
check "lab namespaces up" test $? -eq 0
vlab_http 198.18.9

start_daemon() { # log file
	nsenter --net=/run/netns/$NS_S "$IOTSENSE" --pin-dir "$PIN" --state-dir "$STATE" run -i ${S}a \
		--snapshot-interval 1 --api off -o /dev/null 2>"$1" &
	RUN=$!
}
traffic() { # HTTP with Basic credentials (a clear-text credentials alert), and a ping
	for i in 1 2 3; do
		nsx $NS_C curl -s -o /dev/null -m 3 -u admin:secret -A "store-e2e/$1" http://198.18.9.1:8080/ && break
		sleep 0.5
	done
	nsx $NS_C ping -c 1 -W 1 198.18.9.1 >/dev/null
}
client_id() { q "select device_id from device_addresses where address = '198.18.9.2' limit 1"; }

start_daemon "$tmp/run1.err"
sleep 1
traffic 1
check "devices committed while running" wait_for 20 bash -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' 'select count(*) from devices' 2>/dev/null)\" -ge 2 ]"
check "the clear-text credentials alert committed" wait_for 20 bash -c \
	"[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"select count(*) from alerts where type = 'cleartext_credentials'\" 2>/dev/null)\" -ge 1 ]"
CID=$(client_id)
check "the client device has an id" test -n "$CID"
"$IOTSENSE" --state-dir "$STATE" set 198.18.9.2 "name=Lab client" criticality=high >/dev/null 2>"$tmp/set.err"
check "set while the daemon runs" test $? -eq 0
"$IOTSENSE" --state-dir "$STATE" tag 198.18.9.2 room=B12 >/dev/null 2>&1
# The daemon notices (settings_version) and re-emits the device with them; criticality high moves its risk.
record_has() { # python condition on d, the device object of CID's stored record
	q "select record from devices where id = '$CID'" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())["device"]
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" 2>/dev/null
}
check "the daemon's next record carries the name and tags" wait_for 20 record_has \
	'd.get("name") == "Lab client" and d.get("tags", {}).get("room") == "B12"'
check "criticality high raises the client's risk above its medium alert" wait_for 20 record_has \
	'd.get("criticality") == "high" and d["risk"] in ("high", "critical")'

# What was committed before the kill.
q "select id || ' ' || first_seen from devices order by id" >"$tmp/devices.before"
q "select uid from alerts order by uid" >"$tmp/alerts.before"
kill -9 $RUN
wait $RUN 2>/dev/null
RUN=
check "integrity after SIGKILL" test "$(q 'pragma integrity_check')" = ok
q "select id || ' ' || first_seen from devices order by id" >"$tmp/devices.killed"
check "every committed device survived SIGKILL" bash -c "[ -s '$tmp/devices.before' ] && comm -23 '$tmp/devices.before' '$tmp/devices.killed' | wc -l | grep -qx 0"
q "select uid from alerts order by uid" >"$tmp/alerts.killed"
check "every committed alert survived SIGKILL" bash -c "[ -s '$tmp/alerts.before' ] && comm -23 '$tmp/alerts.before' '$tmp/alerts.killed' | wc -l | grep -qx 0"
"$IOTSENSE" --state-dir "$STATE" devices >"$tmp/devices.txt" 2>&1
check "devices reads the store with no daemon running" grep -q "198.18.9.2" "$tmp/devices.txt"

# Restart: the pins the killed daemon left are adopted; the inventory starts empty in memory and is rebuilt
# from traffic, but the store keeps the history.
LAST1=$(q "select last_seen from devices where id = '$CID'")
start_daemon "$tmp/run2.err"
sleep 1
traffic 2
check "after restart the device is seen again (last_seen moves)" wait_for 20 bash -c \
	"[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"select last_seen from devices where id = '$CID'\")\" \\> '$LAST1' ]"
check "first_seen kept across the restart" bash -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"select id || ' ' || first_seen from devices where id = '$CID'\")\" = \"\$(grep '^$CID ' '$tmp/devices.before')\" ]"
check "name and criticality survive rediscovery" wait_for 20 record_has \
	'd.get("name") == "Lab client" and d.get("criticality") == "high"'
check "evidence from both runs is kept" test "$(q "select count(*) from device_observations where device_id = '$CID' and key = 'http_user_agent' and value like 'store-e2e/%'")" -ge 2
kill -TERM $RUN
wait $RUN
check "daemon stops cleanly on SIGTERM" test $? -eq 0
RUN=
check "no WAL left behind (checkpointed on close)" bash -c "[ ! -s '$DB-wal' ]"
summary
