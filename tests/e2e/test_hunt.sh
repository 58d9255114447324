#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# hunt, alerts and device over a store filled by real replays of corpus captures (SNMP, Telnet, mDNS, S7,
# Modbus, SSH): every example query of docs/hunting.md runs; writes, ATTACH, writable pragmas, a second
# statement and extension loading are refused and the store is unchanged; --json parses, --csv is RFC 4180,
# --limit counts the rest, errors say where; alerts and device give the same answers from the store and from
# the replay's records (--from).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
CORPUS=${CORPUS:-../shared/corpus/pcaps}
CAPS="ndpi-snmp.pcapng ndpi-telnet.pcap zeek-mdns-avahi.pcap icsnpp-s7ident.pcap zeek-modbus-p502.pcap
      ndpi-s7comm.pcap zeek-ssh-multi.pcap"
STATE=$(mktemp -d /tmp/iotsense-hunt.XXXXXX)
trap 'rm -rf "$STATE"' EXIT
paths=()
for c in $CAPS; do
	[ -f "$CORPUS/$c" ] || { echo "FAIL no capture $CORPUS/$c"; echo "0 passed, 1 failed"; exit 1; }
	paths+=("$CORPUS/$c")
done
# Python for JSON and CSV checks: the system's, which starts in a tenth of the time of a version manager's shim.
PY=$(command -v /usr/bin/python3 || command -v python3)
hunt() { "$IOTSENSE" --state-dir "$STATE" hunt "$@"; }
export IOTSENSE STATE PY
export -f hunt

"$IOTSENSE" --state-dir "$STATE" replay --no-progress "${paths[@]}" >"$STATE/records.ndjson" 2>"$STATE/replay.err"
check "replay --state-dir fills the store" test -s "$STATE/iotsense.db"
check "the store has devices and alerts" bash -c \
	'[ "$(hunt --csv "SELECT (SELECT count(*) FROM devices) > 5 AND (SELECT count(*) FROM alerts) > 3 AS ok" | tail -n 1 | tr -d "\r")" = 1 ]'

# --- every example of docs/hunting.md ---
$PY - docs/hunting.md "$STATE/q" <<'PY'
import re, sys
blocks = re.findall(r"```sql\n(.*?)```", open(sys.argv[1]).read(), re.S)
for i, b in enumerate(blocks):
    open(f"{sys.argv[2]}{i:02d}.sql", "w").write(b)
PY
nq=$(ls "$STATE"/q*.sql 2>/dev/null | wc -l)
check "docs/hunting.md has at least ten example queries ($nq)" [ "$nq" -ge 10 ]
for q in "$STATE"/q*.sql; do
	[ -f "$q" ] || continue
	name=$(head -n 1 "$q" | cut -c1-60)
	check "docs example runs: $name..." bash -c \
		"hunt --json - <'$q' >'$q.json' 2>'$q.err' && $PY -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), list)' '$q.json'"
	[ -s "$q.err" ] && sed 's/^/    /' "$q.err" | head -n 5
done
# rows_of SQL-PATTERN: rows of the example whose text matches the pattern.
rows_of() {
	local f
	f=$(grep -l -- "$1" "$STATE"/q*.sql | head -n 1)
	$PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$f.json" 2>/dev/null || echo -1
}
check "the OT-writes example finds the Modbus write and the S7 download" [ "$(rows_of "'modbus_write', 'modbus_control'")" -ge 2 ]
check "the clear-text credentials example finds the Telnet login" [ "$(rows_of "o.key = 'cleartext_credentials'")" -ge 1 ]
check "the vendors example counts devices" [ "$(rows_of "coalesce(vendor, mac_vendor")" -ge 2 ]
check "the recommendations example finds SSH v1" bash -c "grep -q IOTS-REC-0006 '$(grep -l 'GROUP BY rec_id' "$STATE"/q*.sql | head -n 1).json'"
check "the Telnet example finds the Telnet server" [ "$(rows_of "s.service = 'tcp/23'")" -ge 1 ]

# --- refusals: each exits 1, says why, and changes nothing ---
before=$(hunt --csv 'SELECT count(*) FROM devices' | tail -n 1)
refused() { # expected-words SQL
	local out rc
	out=$(hunt "$2" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq 1 ] && grep -qi -- "$1" <<<"$out"
}
export -f refused
check "INSERT refused" refused "hunt is read-only: INSERT is not allowed" "INSERT INTO meta VALUES ('k', 'v')"
check "UPDATE refused" refused "read-only: UPDATE" "UPDATE devices SET name = 'x'"
check "DELETE refused" refused "read-only: DELETE" "DELETE FROM devices"
check "DROP refused" refused "read-only: DROP" "DROP TABLE devices"
check "CREATE refused" refused "read-only: CREATE" "CREATE TABLE t (a)"
check "ATTACH refused" refused "read-only: ATTACH" "ATTACH DATABASE '$STATE/other.db' AS o"
check "ATTACH created no file" test ! -e "$STATE/other.db"
check "PRAGMA that writes refused" refused "PRAGMA journal_mode" "PRAGMA journal_mode = DELETE"
check "PRAGMA user_version = N refused" refused "PRAGMA user_version" "PRAGMA user_version = 7"
check "a write hidden in a CTE refused" refused "read-only" "WITH x AS (SELECT 1) DELETE FROM alerts"
check "two statements refused" refused "one statement" "SELECT 1; DELETE FROM devices"
check "two SELECTs refused too" refused "one statement" "SELECT 1; SELECT 2"
check "load_extension refused" refused "load_extension" "SELECT load_extension('/tmp/nothing.so')"
check "the docs are named in the refusal" refused "docs/hunting.md" "DELETE FROM alerts"
check "nothing changed" [ "$(hunt --csv 'SELECT count(*) FROM devices' | tail -n 1)" = "$before" ]
check "user_version still 1" bash -c '[ "$(hunt --csv "PRAGMA user_version" | tail -n 1 | tr -d "\r")" = 1 ]'
check "schema pragmas allowed" bash -c 'hunt "PRAGMA table_info(devices)" 2>/dev/null | grep -q first_seen'
check "table-valued pragma allowed" bash -c "hunt \"SELECT name FROM pragma_table_info('alerts')\" 2>/dev/null | grep -q severity_id"
check "a trailing comment is not a second statement" bash -c 'hunt "SELECT 1; -- done" >/dev/null 2>&1'

# --- output formats ---
check "--json: numbers as numbers, NULL as null, JSON columns as strings" $PY -c '
import json, subprocess, os, sys
out = subprocess.run([os.environ["IOTSENSE"], "--state-dir", os.environ["STATE"], "hunt", "--json",
    "SELECT id, n_recs, 2.5 AS r, NULL AS z, record FROM devices LIMIT 3"], capture_output=True, check=True).stdout
rows = json.loads(out)
assert len(rows) == 3, rows
for r in rows:
    assert isinstance(r["n_recs"], int) and r["r"] == 2.5 and r["z"] is None and isinstance(r["record"], str)
    assert json.loads(r["record"])["device"]["id"] == r["id"]
'
check "--csv: RFC 4180 quoting, CRLF, same rows as --json" $PY -c '
import csv, io, json, subprocess, os
run = lambda *a: subprocess.run([os.environ["IOTSENSE"], "--state-dir", os.environ["STATE"], "hunt", *a],
    capture_output=True, check=True).stdout
raw = run("--csv", "SELECT '"'"'a,b'"'"' AS x, '"'"'say \"hi\"'"'"' AS y, '"'"'l1'"'"' || char(10) || '"'"'l2'"'"' AS z, NULL AS n")
assert raw.endswith(b"\r\n"), raw
rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
assert rows == [["x", "y", "z", "n"], ["a,b", "say \"hi\"", "l1\nl2", ""]], rows
q = "SELECT id, type, vendor FROM devices ORDER BY id"
c = list(csv.reader(io.StringIO(run("--csv", q).decode(), newline="")))
j = json.loads(run("--json", q))
assert len(c) == len(j) + 1 and [r[0] for r in c[1:]] == [r["id"] for r in j]
'
check "--limit shows N rows and counts the rest on stderr" bash -c '
	n=$(hunt --csv "SELECT count(*) FROM devices" | tail -n 1 | tr -d "\r")
	out=$(hunt --json --limit 2 "SELECT id FROM devices" 2>"$STATE/limit.err")
	[ "$($PY -c "import json,sys; print(len(json.load(sys.stdin)))" <<<"$out")" = 2 ] &&
	grep -q "$((n - 2)) more rows not shown" "$STATE/limit.err"'
check "table output fits COLUMNS=80" bash -c '
	COLUMNS=80 hunt "SELECT id, record FROM devices" 2>/dev/null | $PY -c "
import sys
lines = sys.stdin.read().splitlines()
assert lines and all(len(l) <= 80 for l in lines), max(map(len, lines))"'
check "control bytes are shown escaped in the table" bash -c \
	'out=$(hunt "SELECT char(27) || '"'"'[2J'"'"' AS x" 2>/dev/null); ! grep -q $'"'"'\x1b'"'"' <<<"$out" && grep -qF "\x1b[2J" <<<"$out"'

# --- errors ---
check "syntax error: exit 1, with the position" bash -c \
	'hunt "SELECT id FORM devices" 2>"$STATE/e1"; [ $? -eq 1 ] && grep -q "syntax error" "$STATE/e1" && grep -q "line 1, column" "$STATE/e1"'
check "unknown column: named, on its line" bash -c \
	'hunt $'"'"'SELECT id\nFROM devices\nWHERE nosuch = 1'"'"' 2>"$STATE/e2"; [ $? -eq 1 ] && grep -q "no such column: nosuch" "$STATE/e2" && grep -q "line 3" "$STATE/e2"'
check "no store: exit 1 and what to do" bash -c \
	'"$IOTSENSE" --state-dir "$STATE/none" hunt "SELECT 1" 2>"$STATE/e3"; [ $? -eq 1 ] && grep -q "replay --state-dir" "$STATE/e3"'
check "no SQL: usage, exit 2" bash -c 'hunt >/dev/null 2>&1; [ $? -eq 2 ]'
check "a runaway query stops at --timeout and says so" bash -c '
	start=$(date +%s)
	hunt --timeout 1 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c" \
		>/dev/null 2>"$STATE/e4"
	rc=$?; [ $rc -eq 1 ] && grep -q "stopped after 1 s" "$STATE/e4" && [ $(($(date +%s) - start)) -le 5 ]'
check "--schema lists the documented tables" bash -c \
	'hunt --schema >"$STATE/schema" && grep -q "^devices (table)" "$STATE/schema" && grep -q "^device_alerts (view)" "$STATE/schema" && grep -q last_seen_ns "$STATE/schema"'

# --- alerts: the store and the replay's records agree ---
uids() { # alerts args...: the finding uids, sorted
	"$IOTSENSE" --state-dir "$STATE" alerts --json "$@" | $PY -c \
		'import json,sys; print(",".join(sorted(a["finding"]["uid"] for a in json.load(sys.stdin))))'
}
export -f uids
check "alerts: the store and --from give the same alerts" bash -c \
	'a=$(uids); [ -n "$a" ] && [ "$a" = "$(uids --from "$STATE/records.ndjson")" ]'
check "alerts --severity high: only high and above" bash -c \
	'"$IOTSENSE" --state-dir "$STATE" alerts --json --severity high | $PY -c "
import json,sys; a=json.load(sys.stdin); assert a and all(x[\"severity_id\"] >= 4 for x in a)"'
check "alerts --type modbus_write, from the store and the file" bash -c \
	'a=$(uids --type modbus_write); [ -n "$a" ] && ! grep -q , <<<"$a" && [ "$a" = "$(uids --type modbus_write --from "$STATE/records.ndjson")" ]'
check "alerts newest first" bash -c \
	'"$IOTSENSE" --state-dir "$STATE" alerts --json | $PY -c "
import json,sys; t=[a[\"last_seen\"] for a in json.load(sys.stdin)]; assert t == sorted(t, reverse=True)"'
check "alerts --since in the future: none" bash -c '[ -z "$(uids --since 2999-01-01T00:00:00Z)" ]'
check "alerts --limit 1 counts the rest" bash -c \
	'"$IOTSENSE" --state-dir "$STATE" alerts --limit 1 2>&1 >/dev/null | grep -q "more alerts not shown"'
check "alerts table has its columns" bash -c \
	'"$IOTSENSE" --state-dir "$STATE" alerts | head -n 1 | grep -q "LAST SEEN.*SEVERITY.*TITLE.*DEVICE.*COUNT.*RULE"'
check "alerts --severity nonsense: usage" bash -c '"$IOTSENSE" --state-dir "$STATE" alerts --severity bad 2>/dev/null; [ $? -eq 2 ]'

# --- device: by IP, MAC or id, from the store and from the file ---
TELNET_IP=192.168.0.1
devid() { "$IOTSENSE" --state-dir "$STATE" device "$@" --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["device"]["id"])'; }
export -f devid
check "device by IP: the Telnet server" bash -c "[ \"\$(devid $TELNET_IP)\" = mac:00:00:c0:9f:a0:97 ]"
check "device by MAC in capitals and dashes" bash -c '[ "$(devid 00-00-C0-9F-A0-97)" = mac:00:00:c0:9f:a0:97 ]'
check "device by id, from --from too" bash -c \
	'[ "$(devid mac:00:00:c0:9f:a0:97 --from "$STATE/records.ndjson")" = mac:00:00:c0:9f:a0:97 ]'
check "device --json: the device with its evidence, and its alerts" bash -c '
	"$IOTSENSE" --state-dir "$STATE" device 192.168.0.2 --json | $PY -c "
import json,sys; o=json.load(sys.stdin)
assert set(o) == {\"device\", \"alerts\"}
assert any(a[\"finding\"][\"types\"][0] == \"cleartext_credentials\" for a in o[\"alerts\"]), o[\"alerts\"]"'
check "device profile has every section" bash -c '
	out=$("$IOTSENSE" --state-dir "$STATE" device '"$TELNET_IP"')
	for s in "Classification (" "Services (" "Protocols (" "Recommendations (" "Vulnerabilities (" "Alerts (" "Evidence ("; do
		grep -qF "$s" <<<"$out" || exit 1
	done
	grep -q "telnet_banner" <<<"$out" && grep -q "^MAC  *00:00:c0:9f:a0:97" <<<"$out"'
check "device unknown: exit 1, points to devices" bash -c \
	'"$IOTSENSE" --state-dir "$STATE" device 198.18.99.99 2>"$STATE/e5"; [ $? -eq 1 ] && grep -q "no device 198.18.99.99; .iotsense devices. lists them" "$STATE/e5"'
check "device unknown with --from: the same" bash -c \
	'"$IOTSENSE" device nosuch --from "$STATE/records.ndjson" 2>/dev/null; [ $? -eq 1 ]'

summary
