#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The outputs through the product's own commands: `replay -c CFG --state-dir D` queues the records of corpus
# captures in the store's outbox, `serve -c CFG` drains it to a Splunk HEC collector (tests/lib/http_receiver.py)
# that is down at first: failures are counted in `status`, nothing is lost, and when the collector comes up every
# queued record arrives, in order, with the config's sensor and site. Records queued while serve runs follow.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/collectors.sh

NS=iots-outsrv-$$
T=$(mktemp -d /tmp/iotsense-outsrv.XXXXXX)
PORT=18089
SRV=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	http_receiver_stop "$T"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$NS" && nsx "$NS" ip link set lo up || { echo "cannot create a network namespace"; echo "0 passed, 1 failed"; exit 1; }
CORPUS=../shared/corpus/pcaps
printf 'hec-%s\n' "$$" >"$T/hec.token"
chmod 600 "$T/hec.token"
cat >"$T/iotsense.yaml" <<EOF
sensor: {name: sensor-e2e, site: plant-a, zone: cell-3}
api: {listen: 127.0.0.1:18090}
outputs:
  - name: splunk
    type: http
    url: http://127.0.0.1:$PORT/services/collector/event
    format: splunk-hec
    token_file: $T/hec.token
    batch: 20
    timeout: 2s
EOF
check "config check" "$IOTSENSE" config check "$T/iotsense.yaml"
DB=$T/state/iotsense.db
"$IOTSENSE" --state-dir "$T/state" replay -c "$T/iotsense.yaml" --no-progress "$CORPUS/ndpi-snmp.pcapng" \
	"$CORPUS/ndpi-telnet.pcap" >/dev/null 2>"$T/replay1.err"
check "replay -c queues records in the outbox" test "$(sqlite3 "$DB" 'select count(*) from outbox')" -ge 30
check "the outbox holds devices, alerts and findings" test "$(sqlite3 "$DB" "select count(distinct kind) from outbox where kind in ('device','alert','recommendation')")" -eq 3
sqlite3 "$DB" 'select record_id from outbox order by seq' >"$T/queued1.txt"

nsenter --net=/run/netns/"$NS" "$IOTSENSE" --state-dir "$T/state" serve -c "$T/iotsense.yaml" >"$T/serve.out" 2>&1 &
SRV=$!
failures() { [ "$(sqlite3 -cmd '.timeout 3000' "$DB" "select failures from output_state where name = 'splunk'" 2>/dev/null)" -ge 1 ] 2>/dev/null; }
check "collector down: failures counted" wait_for 15 failures
"$IOTSENSE" --state-dir "$T/state" status --json >"$T/status.json" 2>/dev/null
check "status shows the queue and its last error" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["store"]["outputs"][0]
sys.exit(0 if o["name"] == "splunk" and o["queued"] >= 30 and o["last_error"] else 1)' "$T/status.json"
check "/metrics shows the queue depth" bash -c "nsenter --net=/run/netns/$NS curl -s http://127.0.0.1:18090/metrics | grep -Eq '^iotsense_output_queue_depth\{output=\"splunk\"\} [1-9]'"

http_receiver_start "$NS" "$T" "$PORT" "hec-$$"
drained() { [ "$(sqlite3 -cmd '.timeout 3000' "$DB" 'select count(*) from outbox' 2>/dev/null)" = 0 ]; }
check "the outbox drains when the collector is up" wait_for 90 drained
got() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if "record_id" in r: print(r["record_id"])' "$T/http.jsonl" 2>/dev/null; }
got >"$T/got1.txt"
check "every queued record arrived, in order" bash -c "[ -s '$T/queued1.txt' ] && awk '!seen[\$0]++' '$T/got1.txt' | cmp -s - '$T/queued1.txt'"
check "HEC envelopes carry the sensor and site" python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    if "record" not in r: continue
    ev = r["record"]
    if ev.get("sensor") != "sensor-e2e" or ev.get("site") != "plant-a":
        sys.exit(1)
    n += 1
sys.exit(0 if n else 1)' "$T/http.jsonl"

# More records while serve runs: they follow.
"$IOTSENSE" --state-dir "$T/state" replay -c "$T/iotsense.yaml" --no-progress "$CORPUS/zeek-mdns-avahi.pcap" \
	>/dev/null 2>"$T/replay2.err"
check "records queued while serving are delivered too" wait_for 60 drained
got >"$T/got2.txt"
check "more records arrived after the second replay" test "$(sort -u "$T/got2.txt" | wc -l)" -gt "$(sort -u "$T/got1.txt" | wc -l)"
kill -TERM "$SRV"
wait "$SRV"
check "serve stops on SIGTERM" test $? -eq 0
SRV=
summary
