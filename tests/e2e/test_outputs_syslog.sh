#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The syslog output against Debian's rsyslogd (imudp, imtcp; omfile with the raw message) on a namespace's
# loopback: CEF and LEEF over UDP and TCP in RFC 5424, CEF over UDP in RFC 3164 once; the lines arrive, parse
# (CEF/LEEF headers and extensions, unescaped), and carry the record's values. Filters: records and
# min_severity. Outage over TCP: records queued while rsyslog is down drain when it starts, in order, none lost.
# The senders run in tests/unit/outputs/outputs_driver.c (outputs_start/outputs_stop).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/collectors.sh

NS=iots-outsys-$$
T=$(mktemp -d /tmp/iotsense-outsys.XXXXXX)
UDP=15514
TCP=15515
cleanup() {
	rsyslog_stop "$T"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$NS" && nsx "$NS" ip link set lo up || { echo "cannot create a network namespace"; echo "0 passed, 1 failed"; exit 1; }

check "driver builds" outputs_driver_build
check "replay fills the store" bash -c "'$IOTSENSE' --state-dir '$T/state' replay --no-progress ../shared/corpus/pcaps/ndpi-snmp.pcapng >'$T/records.ndjson'"
sqlite3 "$T/state/iotsense.db" "DELETE FROM outbox"
N=$(outbox_fill "$T/state" "$T/records.ndjson" 2 "$T/expected.tsv")
check "records queued ($N)" test "${N:-0}" -ge 50

cat >"$T/iotsense.yaml" <<EOF
sensor: {name: test-sensor, site: lab, zone: z1}
outputs:
  - {name: cef-tcp, type: syslog, address: 'tcp://127.0.0.1:$TCP', format: cef, app_name: cef-tcp}
  - {name: leef-tcp, type: syslog, address: 'tcp://127.0.0.1:$TCP', format: leef, app_name: leef-tcp}
  - {name: cef-udp, type: syslog, address: 'udp://127.0.0.1:$UDP', format: cef, app_name: cef-udp,
     records: [alert]}
  - {name: leef-udp, type: syslog, address: 'udp://127.0.0.1:$UDP', format: leef, app_name: leef-udp,
     records: [alert, device], min_severity: medium}
  - {name: cef-3164, type: syslog, address: 'udp://127.0.0.1:$UDP', format: cef, app_name: cef3164,
     protocol: rfc3164, records: [alert], min_severity: critical}
EOF
check "config check" "$IOTSENSE" config check "$T/iotsense.yaml"

# 1. rsyslog is down: the TCP outputs fail and retry; UDP learns it only from the ICMP error of an earlier
#    datagram, so the datagrams before it are lost (UDP promises nothing). Start the senders, then rsyslog, and wait for the TCP outputs to drain.
nsenter --net=/run/netns/"$NS" "$OUTPUTS_DRIVER" "$T/state" "$T/iotsense.yaml" 60 >"$T/driver1.out" 2>&1 &
DPID=$!
check "tcp failures counted while rsyslog is down" wait_for 10 bash -c "[ \"\$(sqlite3 '$T/state/iotsense.db' \"SELECT failures FROM output_state WHERE name = 'cef-tcp'\")\" -ge 1 ] 2>/dev/null"
check "rsyslogd starts" rsyslog_start "$NS" "$T" "$UDP" "$TCP"
LAST=$(tail -n 1 "$T/expected.tsv" | cut -f 1)
check "tcp outputs drain once rsyslog is up" wait_for 30 bash -c "[ \$(sqlite3 '$T/state/iotsense.db' \"SELECT min(acked_seq) FROM output_state WHERE name IN ('cef-tcp','leef-tcp')\") -ge $LAST ]"
kill "$DPID"
wait "$DPID"
DPID=

# 2. Now that rsyslog listens, the UDP outputs: queue the same records again (new copies) and send them all.
sqlite3 "$T/state/iotsense.db" "DELETE FROM outbox"
N2=$(outbox_fill "$T/state" "$T/records.ndjson" 2 "$T/expected2.tsv" 10)
nsenter --net=/run/netns/"$NS" "$OUTPUTS_DRIVER" --until-drained "$T/state" "$T/iotsense.yaml" 30 >"$T/driver2.out" 2>&1
check "all outputs drained ($N2 more records)" test $? -eq 0
cat "$T/driver2.out"
sleep 1 # omfile writes asynchronously to the senders' acks
cat "$T/expected.tsv" "$T/expected2.tsv" >"$T/expected_all.tsv"

# Parses raw.log: RFC 5424 or 3164 header, then CEF or LEEF; prints app<TAB>record_id per message, and fails
# when a message does not parse or a field disagrees with the record it came from.
cat >"$T/parse.py" <<'PY'
import json, re, sys
recs = {}
for l in open(sys.argv[2]):
    seq, rid, kind, sev, body = l.rstrip("\n").split("\t", 4)
    recs[rid] = json.loads(body)

def cef_split_header(s):
    out, cur, i = [], "", 0
    while i < len(s) and len(out) < 7:
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur += s[i + 1]; i += 2; continue
        if c == "|":
            out.append(cur); cur = ""; i += 1; continue
        cur += c; i += 1
    return out, s[i:]

def cef_ext(s):
    # key=value pairs; values may contain escaped \= and spaces; a new key starts at " key="
    out, keys = {}, [(m.start(), m.group(1)) for m in re.finditer(r"(?:^| )([A-Za-z0-9_]+)=", s)]
    real = []
    for pos, k in keys:  # skip matches preceded by a backslash-escaped '='? keys never contain '\'
        real.append((pos, k))
    for j, (pos, k) in enumerate(real):
        start = s.index("=", pos) + 1
        end = real[j + 1][0] if j + 1 < len(real) else len(s)
        v = s[start:end]
        v = v.replace("\\=", "=").replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")
        out[k] = v
    return out

def leef_ext(s, delim):
    out = {}
    parts, cur, i = [], "", 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            cur += s[i:i + 2]; i += 2; continue
        if s[i] == delim:
            parts.append(cur); cur = ""; i += 1; continue
        cur += s[i]; i += 1
    parts.append(cur)
    for p in parts:
        if "=" in p:
            k, v = p.split("=", 1)
            out[k] = v.replace("\\^", "^").replace("\\=", "=").replace("\\\\", "\\")
    return out

bad = 0
for line in open(sys.argv[1], errors="replace"):
    line = line.rstrip("\n")
    if not line:
        continue
    m = re.match(r"<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\]) (.*)$", line)
    if m:
        pri, ts, host, app, procid, msgid, sd, msg = m.groups()
    else:
        m = re.match(r"<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) ([^\[:]+)(?:\[\d+\])?: (.*)$", line)
        if not m:
            print("unparsed: " + line[:200], file=sys.stderr); bad += 1; continue
        pri, ts, host, app, msg = m.groups()
        msgid = None
    if int(pri) >> 3 != 20 or host != "test-sensor":
        print("bad PRI/host: " + line[:200], file=sys.stderr); bad += 1
    if msg.startswith("CEF:"):
        hdr, ext = cef_split_header(msg)
        f = cef_ext(ext)
        rid = f.get("externalId")
        ok = hdr[0] == "CEF:0" and hdr[1] == "iotsense" and hdr[4] and 0 <= int(hdr[6]) <= 10 \
            and f.get("dvchost") == "test-sensor" and f.get("cs5") == "lab" and f.get("cs5Label") == "site"
    elif msg.startswith("LEEF:"):
        hdr = msg.split("|", 6)
        f = leef_ext(hdr[6], "^")
        rid = f.get("recordId")
        ok = hdr[0] == "LEEF:2.0" and hdr[1] == "iotsense" and hdr[5] == "^" and f.get("sensor") == "test-sensor" \
            and f.get("site") == "lab"
    else:
        print("neither CEF nor LEEF: " + line[:200], file=sys.stderr); bad += 1; continue
    rec = recs.get(rid)
    if rec is None or not ok or (msgid is not None and msgid != rec["record"]):
        print("bad fields: " + line[:300], file=sys.stderr); bad += 1; continue
    mac = (rec.get("device") or {}).get("mac") if rec["record"] == "device" else None
    if mac and f.get("smac" if msg.startswith("CEF:") else "srcMAC") != mac:
        print("device mac %s not in: %s" % (mac, line[:300]), file=sys.stderr); bad += 1; continue
    print("%s\t%s" % (app, rid))
sys.exit(1 if bad else 0)
PY
check "every line parses as RFC 5424/3164 + CEF/LEEF with the record's values" \
	bash -c "python3 '$T/parse.py' '$T/raw.log' '$T/expected_all.tsv' >'$T/got_all.tsv'"
got() { awk -F'\t' -v a="$1" '$1 == a { print $2 }' "$T/got_all.tsv" >"$T/got.txt"; }
got cef-tcp
check "cef over tcp: every record, in order (outage included)" \
	python3 tests/lib/check_delivery.py "$T/expected_all.tsv" "$T/got.txt"
got leef-tcp
check "leef over tcp: every record, in order (outage included)" \
	python3 tests/lib/check_delivery.py "$T/expected_all.tsv" "$T/got.txt"
got cef-udp
check "cef over udp: the alerts" python3 tests/lib/check_delivery.py "$T/expected2.tsv" "$T/got.txt" --kinds alert \
	--ignore "$T/expected.tsv"
got leef-udp
check "leef over udp: devices, and alerts of medium and up" \
	python3 tests/lib/check_delivery.py "$T/expected2.tsv" "$T/got.txt" --kinds alert,device --min-severity 3 \
	--ignore "$T/expected.tsv"
got cef3164
check "cef over udp in rfc3164: the critical alerts" \
	python3 tests/lib/check_delivery.py "$T/expected2.tsv" "$T/got.txt" --kinds alert --min-severity 5 \
	--ignore "$T/expected.tsv"
check "rfc3164 lines have the BSD header" grep -qE '^<[0-9]+>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} test-sensor cef3164(\[[0-9]+\])?: CEF:0' "$T/raw.log"
LAST2=$(tail -n 1 "$T/expected2.tsv" | cut -f 1)
check "filtered records are acked too" test "$(sqlite3 "$T/state/iotsense.db" "SELECT count(*) FROM output_state WHERE acked_seq >= $LAST2")" -eq 5
check "and counted" grep -q '^cef-3164 .* filtered=[1-9]' "$T/driver2.out"
check "rows every output acked left the outbox" test "$(sqlite3 "$T/state/iotsense.db" "SELECT count(*) FROM outbox")" -eq 0
summary
