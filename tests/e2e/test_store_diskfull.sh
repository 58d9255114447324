#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Disk full on the state dir (a small tmpfs): the daemon says so clearly, keeps sensing (its NDJSON output goes
# on), keeps the records it could not store in memory, and stores them when space returns. Nothing committed
# before is damaged. Addresses: 198.18.0.0/15 only; nothing leaves the machine.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/veth_lab.sh
S=iotf$$
PIN=/sys/fs/bpf/iotsense-test-$$
tmp=$(mktemp -d)
STATE=$tmp/state DB=$tmp/state/iotsense.db
for b in sqlite3 curl; do
	command -v "$b" >/dev/null || { echo "FAIL missing $b: run ci/setup"; echo "0 passed, 1 failed"; exit 1; }
done
cleanup() {
	vlab_down "$PIN"
	mountpoint -q "$STATE" && umount "$STATE"
	rm -rf "$tmp"
}
trap cleanup EXIT
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null; }

mkdir -p "$STATE"
mount -t tmpfs -o size=2m,mode=0700 iotsense-test "$STATE"
check "a 2 MiB tmpfs as the state dir" mountpoint -q "$STATE"
vlab_up $S 198.18.11 3
check "lab namespaces up" test $? -eq 0
vlab_http 198.18.11

nsenter --net=/run/netns/$NS_S "$IOTSENSE" --pin-dir "$PIN" --state-dir "$STATE" run -i ${S}a \
	--snapshot-interval 1 --api off -o "$tmp/run.ndjson" 2>"$tmp/run.err" &
RUN=$!
sleep 1
get() { # source address, user agent
	for i in 1 2 3; do
		nsx $NS_C curl -s -o /dev/null -m 3 --interface "$1" -A "$2" http://198.18.11.1:8080/ && break
		sleep 0.5
	done
}
get 198.18.11.2 diskfull-before
has_ip() { [ "$(q "select count(*) from device_addresses where address = '$1'")" -ge 1 ] 2>/dev/null; }
check "before: the client is stored" wait_for 20 has_ip 198.18.11.2

# Fill the disk, then make the client use a second address: its device record changes but cannot be stored.
dd if=/dev/zero of="$STATE/filler" bs=64k 2>/dev/null
check "the state dir is full" bash -c "[ \"\$(df --output=avail '$STATE' | tail -n 1 | tr -d ' ')\" -lt 64 ]"
get 198.18.11.3 diskfull-during
check "full: the daemon says writing to the store failed and why" wait_for 20 grep -q "failed: database or disk is full (records kept in memory and retried)" "$tmp/run.err"
check "full: sensing goes on (the NDJSON output has the new request)" wait_for 20 grep -q "diskfull-during" "$tmp/run.ndjson"
check "full: the daemon is still running" kill -0 $RUN
check "full: what was committed is intact" test "$(q 'pragma quick_check')" = ok
check "full: the new address is not stored yet" bash -c "! sqlite3 -cmd '.timeout 5000' '$DB' \"select 1 from device_addresses where address = '198.18.11.3'\" | grep -q 1"

rm -f "$STATE/filler"
check "space back: the records kept in memory are stored" wait_for 30 has_ip 198.18.11.3
get 198.18.11.2 diskfull-after
check "space back: new records are stored again" wait_for 20 bash -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"select count(*) from device_observations where value = 'diskfull-after'\")\" -ge 1 ]"
kill -TERM $RUN
wait $RUN
check "the daemon stops cleanly" test $? -eq 0
RUN=
check "integrity at the end" test "$(q 'pragma integrity_check')" = ok
summary
