#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The http output against a real HTTP collector (tests/lib/http_receiver.py) on a namespace's loopback:
# Splunk HEC envelopes with "Authorization: Splunk <token>" and gzip, a webhook (JSON array, Bearer token)
# filtered to alerts of high severity and up. Records are queued while the collector is down (the outbox of a
# state dir filled from `iotsense replay` output); the senders fail, back off, and drain when it comes up:
# every record at least once, in order, nothing extra. Then the sender is killed (-9) mid-drain and restarted:
# still nothing lost. The senders run in tests/unit/outputs/outputs_driver.c (outputs_start/outputs_stop).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/collectors.sh

NS=iots-outhttp-$$
T=$(mktemp -d /tmp/iotsense-outhttp.XXXXXX)
PORT=18088
DPID=
cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	http_receiver_stop "$T"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$NS" && nsx "$NS" ip link set lo up || { echo "cannot create a network namespace"; echo "0 passed, 1 failed"; exit 1; }

check "driver builds" outputs_driver_build
CAPS="../shared/corpus/pcaps/ndpi-snmp.pcapng ../shared/corpus/pcaps/zeek-modbus-p502.pcap"
check "replay fills the store" bash -c "'$IOTSENSE' --state-dir '$T/state' replay --no-progress $CAPS >'$T/records.ndjson'"
sqlite3 "$T/state/iotsense.db" "DELETE FROM outbox" # only the rows this test queues below
N=$(outbox_fill "$T/state" "$T/records.ndjson" 10 "$T/expected1.tsv")
check "records queued ($N)" test "${N:-0}" -ge 300

printf 'tok-%s\n' "$$" >"$T/hec.token"
chmod 600 "$T/hec.token"
export IOTS_HOOK_TOKEN=tok-$$
cat >"$T/iotsense.yaml" <<EOF
sensor: {name: test-sensor, site: lab}
outputs:
  - name: hec
    type: http
    url: http://127.0.0.1:$PORT/services/collector/event
    format: splunk-hec
    token_file: $T/hec.token
    gzip: true
    batch: 25
    timeout: 2s
  - name: hook
    type: http
    url: http://127.0.0.1:$PORT/hook
    format: json
    token_env: IOTS_HOOK_TOKEN
    records: [alert]
    min_severity: high
    timeout: 2s
EOF
check "config check" "$IOTSENSE" config check "$T/iotsense.yaml"

state() { # NAME COLUMN
	sqlite3 "$T/state/iotsense.db" "SELECT $2 FROM output_state WHERE name = '$1'"
}
received() { # PATH: the record_ids that arrived at PATH, in order
	python3 -c "
import json, sys
for l in open('$T/http.jsonl'):
    r = json.loads(l)
    if r.get('path') == '$1': print(r['record_id'])" >"$T/got.txt" 2>/dev/null || : >"$T/got.txt"
}

# 1. Outage: the collector is down while records wait; the senders retry with backoff and drain once it is up.
nsenter --net=/run/netns/"$NS" "$OUTPUTS_DRIVER" --until-drained "$T/state" "$T/iotsense.yaml" 60 >"$T/driver1.out" 2>&1 &
DPID=$!
check "failures counted while the collector is down" wait_for 10 bash -c "[ \"\$(sqlite3 '$T/state/iotsense.db' \"SELECT failures FROM output_state WHERE name = 'hec'\")\" -ge 1 ] 2>/dev/null"
check "last_error says why" bash -c "sqlite3 '$T/state/iotsense.db' \"SELECT last_error FROM output_state WHERE name = 'hec'\" | grep -q 'Could not connect\|Connection refused\|Couldn'"
check "nothing acked during the outage" test "$(state hec acked_seq)" -lt "$(head -n 1 "$T/expected1.tsv" | cut -f 1)"
http_receiver_start "$NS" "$T" "$PORT" "tok-$$"
wait "$DPID"
rc=$?
DPID=
check "drained after the collector came back (driver exit $rc)" test "$rc" -eq 0
cat "$T/driver1.out"
check "no request was refused (auth, envelope, gzip)" bash -c "! grep -q '\"error\"' '$T/http.jsonl'"
received /services/collector/event
check "hec: every record at least once, in order" python3 tests/lib/check_delivery.py "$T/expected1.tsv" "$T/got.txt"
received /hook
check "hook: only alerts of high severity and up" \
	python3 tests/lib/check_delivery.py "$T/expected1.tsv" "$T/got.txt" --kinds alert --min-severity 4
check "hec bodies were gzip'ed, with the sourcetype" python3 -c "
import json, sys
rs = [json.loads(l) for l in open('$T/http.jsonl')]
hec = [r for r in rs if r.get('path') == '/services/collector/event']
sys.exit(not hec or not all(r['gzip'] and r['sourcetype'] == 'iotsense:record' for r in hec))"
check "a duplicate is the same record" python3 -c "
import json, sys
seen = {}
for l in open('$T/http.jsonl'):
    r = json.loads(l)
    if 'record' in r:
        b = json.dumps(r['record'], sort_keys=True)
        if seen.setdefault((r['path'], r['record_id']), b) != b: sys.exit(1)"
check "sent counted" test "$(state hec sent)" -ge "$N"
check "acked rows leave the outbox" bash -c "[ \$(sqlite3 '$T/state/iotsense.db' 'SELECT count(*) FROM outbox') -lt $N ]"

# 2. kill -9 mid-drain, restart: at least once still holds. A slow collector (0.3 s an answer) makes the drain
# long enough to kill it in the middle.
http_receiver_stop "$T"
rm -f "$T/http.jsonl"
http_receiver_start "$NS" "$T" "$PORT" "tok-$$" 0.3
N2=$(outbox_fill "$T/state" "$T/records.ndjson" 10 "$T/expected2.tsv" 100)
FIRST2=$(head -n 1 "$T/expected2.tsv" | cut -f 1)
LAST2=$(tail -n 1 "$T/expected2.tsv" | cut -f 1)
nsenter --net=/run/netns/"$NS" "$OUTPUTS_DRIVER" "$T/state" "$T/iotsense.yaml" 60 >/dev/null 2>&1 &
DPID=$!
check "draining" wait_for 20 bash -c "[ \$(sqlite3 '$T/state/iotsense.db' \"SELECT acked_seq FROM output_state WHERE name = 'hec'\") -ge $((FIRST2 + N2 / 4)) ]"
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
DPID=
check "killed mid-drain" test "$(state hec acked_seq)" -lt "$LAST2"
nsx "$NS" "$OUTPUTS_DRIVER" --until-drained "$T/state" "$T/iotsense.yaml" 90 >"$T/driver2.out" 2>&1
check "drained after the restart" test $? -eq 0
received /services/collector/event
check "hec after kill -9: every record at least once, in order" \
	python3 tests/lib/check_delivery.py "$T/expected2.tsv" "$T/got.txt"
received /hook
check "hook after kill -9: every wanted alert" \
	python3 tests/lib/check_delivery.py "$T/expected2.tsv" "$T/got.txt" --kinds alert --min-severity 4

# 3. A wrong token is a failure to retry (401), never a silent drop.
http_receiver_stop "$T"
http_receiver_start "$NS" "$T" "$PORT" "another-token"
outbox_fill "$T/state" "$T/records.ndjson" 1 "$T/expected3.tsv" 200 >/dev/null
nsx "$NS" "$OUTPUTS_DRIVER" --until-drained "$T/state" "$T/iotsense.yaml" 4 >"$T/driver3.out" 2>&1
check "a refused token does not drain" test $? -eq 1
check "and says HTTP 401" grep -q 'HTTP 401' "$T/driver3.out"
cat "$T/driver3.out"
summary
