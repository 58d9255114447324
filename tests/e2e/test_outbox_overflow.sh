#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The outbox bound under a live daemon whose only collector is down: the queue stays within
# outbox_max_records, the oldest records go first, the loss is counted for the output (status) and raised as an
# alert about the sensor itself. Addresses: 198.18.0.0/15 only; nothing leaves the machine.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/veth_lab.sh
S=ioto$$
PIN=/sys/fs/bpf/iotsense-test-$$
tmp=$(mktemp -d)
STATE=$tmp/state DB=$tmp/state/iotsense.db
cleanup() {
	vlab_down "$PIN"
	rm -rf "$tmp"
}
trap cleanup EXIT
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null; }

vlab_up $S 198.18.12
check "lab namespaces up" test $? -eq 0
vlab_http 198.18.12
cat >"$tmp/iotsense.yaml" <<EOF
sensor: {name: overflow-test, site: lab}
store: {outbox_max_records: 4}
outputs:
  - name: down
    type: http
    url: http://127.0.0.1:9/collector
    format: json
    timeout: 1s
EOF
check "config check" "$IOTSENSE" config check "$tmp/iotsense.yaml"
nsenter --net=/run/netns/$NS_S "$IOTSENSE" --pin-dir "$PIN" --state-dir "$STATE" run -c "$tmp/iotsense.yaml" \
	-i ${S}a --snapshot-interval 1 --api off 2>"$tmp/run.err" &
RUN=$!
sleep 1
# Each request a new user agent: the client's device record changes every snapshot.
for i in $(seq 1 12); do
	nsx $NS_C curl -s -o /dev/null -m 2 -A "overflow-$i" http://198.18.12.1:8080/
	sleep 0.5
done
dropped() { [ "$(q "select dropped from output_state where name = 'down'")" -ge 1 ] 2>/dev/null; }
check "records beyond the bound are dropped and counted for the output" wait_for 20 dropped
check "the outbox stays within the bound" test "$(q 'select count(*) from outbox')" -le 5
check "the sensor raised an alert about it" wait_for 20 bash -c \
	"[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"select count(*) from alerts where type = 'output_overflow' and device_id = 'sensor'\")\" = 1 ]"
check "the alert says how many were lost" bash -c "sqlite3 -cmd '.timeout 5000' '$DB' \"select description from alerts where type = 'output_overflow'\" | grep -Eq '^[0-9]+ records were removed'"
"$IOTSENSE" --state-dir "$STATE" status >"$tmp/status.txt" 2>&1
check "status shows the drops and the collector's error" grep -Eq "^down +[0-9]+ +[0-9]+ +[1-9][0-9]* +[1-9][0-9]* " "$tmp/status.txt"
kill -TERM $RUN
wait $RUN
check "the daemon stops cleanly" test $? -eq 0
RUN=
summary
