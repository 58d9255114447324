#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# SIGHUP reloads the daemon's config: a broken file changes nothing and the error says where; a good one
# takes effect without a restart (a new sensor name, a new output). Addresses: 198.18.0.0/15 only.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/veth_lab.sh
S=iotc$$
PIN=/sys/fs/bpf/iotsense-test-$$
tmp=$(mktemp -d)
STATE=$tmp/state DB=$tmp/state/iotsense.db CFG=$tmp/iotsense.yaml
cleanup() {
	vlab_down "$PIN"
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

vlab_up $S 198.18.13
check "lab namespaces up" test $? -eq 0
vlab_http 198.18.13
config() { # sensor name, output file
	cat >"$CFG" <<EOF
sensor: {name: $1, site: lab}
snapshot_interval: 1s
outputs:
  - name: file
    type: ndjson
    path: $2
EOF
}
get() { # user agent: one request, retried while the server is slow to answer
	for i in 1 2 3; do
		nsx $NS_C curl -s -o /dev/null -m 3 -A "$1" http://198.18.13.1:8080/ && return 0
		sleep 0.5
	done
	return 1
}
has() { grep -q "$2" "$1" 2>/dev/null; }

config sensor-a "$tmp/a.ndjson"
nsenter --net=/run/netns/$NS_S "$IOTSENSE" -v --pin-dir "$PIN" --state-dir "$STATE" run -c "$CFG" -i ${S}a \
	--api off 2>"$tmp/run.err" &
RUN=$!
sleep 1
get reload-1
check "before: records reach the output, as sensor-a" wait_for 20 bash -c "grep 'reload-1' '$tmp/a.ndjson' 2>/dev/null | grep -q '\"sensor\":\"sensor-a\"'"

printf 'sensor: {name: sensor-b\noutputs: [\n' >"$CFG"
kill -HUP $RUN
check "broken file: the error says where and that the running config stays" wait_for 10 \
	grep -Eq "SIGHUP: $CFG:[0-9]+:[0-9]+: .*keeping the running config" "$tmp/run.err"
check "broken file: the daemon runs on" kill -0 $RUN
get reload-2
check "broken file: records still reach the old output" wait_for 20 has "$tmp/a.ndjson" reload-2

config sensor-b "$tmp/b.ndjson"
kill -HUP $RUN
check "good file: reloaded" wait_for 10 grep -q "SIGHUP: $CFG reloaded: sensor sensor-b" "$tmp/run.err"
get reload-3
check "good file: new records go to the new output, as sensor-b" wait_for 20 bash -c \
	"grep 'reload-3' '$tmp/b.ndjson' 2>/dev/null | grep -q '\"sensor\":\"sensor-b\"'"
check "good file: the store's rows carry the new sensor" wait_for 20 bash -c \
	"[ \"\$(sqlite3 -cmd '.timeout 5000' '$DB' \"select count(*) from devices where sensor = 'sensor-b'\")\" -ge 1 ]"
check "good file: the old output gets nothing new" bash -c "! grep -q reload-3 '$tmp/a.ndjson'"
check "the output lost nothing across the reloads" test "$(sqlite3 -cmd '.timeout 5000' "$DB" "select dropped from output_state where name = 'file'")" = 0
kill -TERM $RUN
wait $RUN
check "the daemon stops cleanly" test $? -eq 0
RUN=
summary
