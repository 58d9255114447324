#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Alerts end to end, through the real datapath: real captures of ../shared/corpus raise the alerts their traffic
# calls for (Modbus writes, an S7 program download, EtherNet/IP writes, clear-text FTP/Telnet/MQTT credentials,
# MQTT to a public broker) and no OT alert where there is no OT command; a capture written here exercises the
# IOC lists (rules/iocs and an imported feed), a port scan, ARP spoofing and a device that appears after the
# learning period. Replays are deterministic: the same capture gives the same alerts.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
CORPUS=${CORPUS:-../shared/corpus/pcaps}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
state=$tmp/state # no imported IOCs unless a test imports them
export IOTSENSE_RULES_DIR=$PWD/rules

replay() { # out capture...
	local out=$1
	shift
	"$IOTSENSE" --state-dir "$state" replay --no-progress "$@" 2>"$out.err" | grep '"record":"alert"' >"$out"
}

# has OUT PYTHON-EXPRESSION: some alert record r satisfies the expression
has() {
	python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if any(eval(sys.argv[2], {}, {"r": r}) for r in recs) else 1)
PY
}

# Every alert record is OCSF-shaped.
wellformed() {
	python3 - "$1" <<'PY'
import json, re, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    assert r["class_uid"] == 2004 and r["category_uid"] == 2, r
    assert r["severity"] in ("low", "medium", "high", "critical", "informational"), r
    assert r["severity_id"] in (1, 2, 3, 4, 5), r
    assert r["count"] >= 1 and r["rule"], r
    if r["rule"] != "builtin:alerts_dropped":
        assert re.fullmatch("[0-9a-f]{16}", r["finding"]["uid"]), r
        assert r["first_seen"] <= r["last_seen"], r
        for a in r["attacks"]:
            assert re.fullmatch(r"T\d{4}(\.\d{3})?", a["technique"]["uid"]), r
PY
}

ot='"builtin:(modbus|s7|enip)_'

replay "$tmp/modbus" "$CORPUS/zeek-modbus-p502.pcap"
check "Modbus writes (fc=5) from 10.0.0.9 to 10.0.0.3" has "$tmp/modbus" \
	'r["rule"]=="builtin:modbus_write" and r["device"]["ip"]=="10.0.0.9" and r["detail"]=="10.0.0.3" and any(e["value"].startswith("fc=5") for e in r["evidence"]) and r["attacks"][0]["technique"]["uid"]=="T0855"'
check "Modbus writes are one aggregated alert" test "$(grep -c modbus_write "$tmp/modbus")" -eq 1
check "no S7 or EtherNet/IP alert in a Modbus capture" bash -c "! grep -Eq '\"builtin:(s7|enip)_' '$tmp/modbus'"
check "alert records are OCSF Detection Findings" wellformed "$tmp/modbus"

replay "$tmp/s7" "$CORPUS/ndpi-s7comm.pcap"
check "S7 program download (T0843)" has "$tmp/s7" \
	'r["rule"]=="builtin:s7_program_download" and r["attacks"][0]["technique"]["uid"]=="T0843" and r["severity"]=="high"'

replay "$tmp/enip" "$CORPUS/ndpi-ethernetip.pcap"
check "EtherNet/IP writes from 141.81.0.10" has "$tmp/enip" \
	'r["rule"]=="builtin:enip_write" and r["device"]["ip"]=="141.81.0.10"'

for f in ndpi-modbus.pcap ndpi-umas.pcap icsnpp-s7ident.pcap; do
	replay "$tmp/reads" "$CORPUS/$f"
	check "OT reads only: no OT command alert ($f)" bash -c "! grep -Eq '$ot' '$tmp/reads'"
done

replay "$tmp/ftp" "$CORPUS/ndpi-ftp.pcap"
check "FTP clear-text credentials (T1552, T1040)" has "$tmp/ftp" \
	'r["rule"]=="builtin:cleartext_credentials" and r["detail"]=="FTP to 90.130.70.73:21" and [a["technique"]["uid"] for a in r["attacks"]]==["T1552","T1040"]'
replay "$tmp/ftp2" "$CORPUS/zeek-ftp-ipv4.pcap"
check "FTP clear-text credentials, user named in the evidence" has "$tmp/ftp2" \
	'r["rule"]=="builtin:cleartext_credentials" and r["device"]["ip"]=="141.142.220.235" and any(e["value"]=="anonymous" for e in r["evidence"])'
replay "$tmp/telnet" "$CORPUS/ndpi-telnet.pcap"
check "Telnet login in clear text, on the client" has "$tmp/telnet" \
	'r["rule"]=="builtin:cleartext_credentials" and r["device"]["ip"]=="192.168.0.2" and r["detail"].startswith("Telnet")'
replay "$tmp/mqtt" "$CORPUS/ndpi-mqtt.pcapng"
check "MQTT password without TLS" has "$tmp/mqtt" \
	'r["rule"]=="builtin:cleartext_credentials" and r["detail"].startswith("MQTT")'
check "custom rule mqtt-public-broker (rules/alerts/iot.yaml)" has "$tmp/mqtt" \
	'r["rule"]=="mqtt-public-broker" and r["device"]["ip"]=="100.67.35.238" and r["finding"]["types"]==["mqtt-public-broker"]'

# No OT alert in any capture that carries no OT command; nothing but JSON on stdout.
quiet=0 n=0
for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
	case $(basename "$f") in *modbus* | *umas* | *s7* | *enip* | *ethernetip*) continue ;; esac
	[ -f "$f" ] || continue
	n=$((n + 1))
	replay "$tmp/other" "$f"
	if grep -Eq "$ot" "$tmp/other" || ! wellformed "$tmp/other" 2>/dev/null; then
		echo "  unexpected OT or malformed alert in $(basename "$f")"
		quiet=1
	fi
done
check "no OT alerts in the $n non-OT captures, every record well formed" test "$quiet" -eq 0

# Deterministic: time comes from the packets.
replay "$tmp/d1" "$CORPUS/ndpi-ethernetip.pcap" "$CORPUS/zeek-modbus-p502.pcap"
replay "$tmp/d2" "$CORPUS/ndpi-ethernetip.pcap" "$CORPUS/zeek-modbus-p502.pcap"
check "the same captures give the same alerts" cmp -s "$tmp/d1" "$tmp/d2"

# A capture written here: IOCs, a port scan, ARP spoofing, a device after the learning period.
python3 - "$tmp/crafted.pcap" <<'PY'
import struct, sys

T0 = 1700000000
def mac(n): return bytes([2, 0, 0x5e, 0x10, 0, n])
def ip(s): return bytes(int(x) for x in s.split("."))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0, ip(src), ip(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload
def eth(dst, src, etype, payload): return dst + src + struct.pack("!H", etype) + payload
def tcp(sport, dport, flags): return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 65535, 0, 0)
def udp(sport, dport, data): return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
def dns_query(name):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)
def arp_reply(ip_s, m):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, m, ip(ip_s), mac(200), ip("10.0.0.200"))
    return eth(b"\xff" * 6, m, 0x0806, body)
def syn(src, smac, dst, dmac, sport, dport): return eth(dmac, smac, 0x0800, ipv4(src, dst, 6, tcp(sport, dport, 0x02)))

pkts = []
gw = mac(1)
pkts.append((T0, arp_reply("10.0.0.1", gw)))
pkts.append((T0 + 1, syn("10.0.0.5", mac(5), "203.0.113.66", gw, 40000, 443)))            # IOC address
pkts.append((T0 + 2, eth(gw, mac(5), 0x0800, ipv4("10.0.0.5", "10.0.0.1", 17,
                                                  udp(40001, 53, dns_query("www.c2.example.invalid"))))))  # IOC name
pkts.append((T0 + 3, syn("10.0.0.5", mac(5), "192.0.2.77", gw, 40002, 8443)))             # imported IOC
pkts.append((T0 + 4, syn("10.0.0.5", mac(5), "192.0.2.10", gw, 40003, 443)))              # benign ...
pkts.append((T0 + 4, eth(mac(5), gw, 0x0800, ipv4("192.0.2.10", "10.0.0.5", 6, tcp(443, 40003, 0x12)))))
for p in range(1, 31):                                                                     # a port scan
    pkts.append((T0 + 10 + p / 10, syn("10.0.0.6", mac(6), "10.0.0.9", mac(9), 50000 + p, p)))
pkts.append((T0 + 20, arp_reply("10.0.0.1", mac(66))))                                    # ARP spoofing
pkts.append((T0 + 21, arp_reply("10.0.0.1", gw)))
pkts.append((T0 + 700, syn("10.0.0.77", mac(77), "10.0.0.9", mac(9), 40000, 80)))          # after learning
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for ts, b in pkts:
        f.write(struct.pack("<IIII", int(ts), int(round((ts % 1) * 1e6)), len(b), len(b)) + b)
PY
replay "$tmp/crafted" "$tmp/crafted.pcap"
check "alerts on the crafted capture are well formed" wellformed "$tmp/crafted"
check "IOC address from rules/iocs (T1071)" has "$tmp/crafted" \
	'r["rule"]=="builtin:ioc_contact" and r["device"]["ip"]=="10.0.0.5" and r["detail"]=="203.0.113.66"'
check "IOC domain in a DNS query, subdomain of the entry" has "$tmp/crafted" \
	'r["rule"]=="builtin:ioc_contact" and r["detail"]=="c2.example.invalid" and r["evidence"][0]["value"]=="www.c2.example.invalid"'
check "no alert for an address that is not listed (yet)" bash -c "! grep -q '192.0.2.77' '$tmp/crafted'"
check "no alert for the answered flow" bash -c "! grep -q '192.0.2.10' '$tmp/crafted'"
check "port scan from 10.0.0.6 (T1046)" has "$tmp/crafted" \
	'r["rule"]=="builtin:port_scan" and r["device"]["ip"]=="10.0.0.6" and r["detail"]=="10.0.0.9"'
check "ARP spoofing of 10.0.0.1 by 02:00:5e:10:00:42 (T1557.002)" has "$tmp/crafted" \
	'r["rule"]=="builtin:arp_spoofing" and r["device"]["mac"]=="02:00:5e:10:00:42" and r["detail"]=="10.0.0.1"'
check "a device after the learning period is new (T1200)" has "$tmp/crafted" \
	'r["rule"]=="builtin:new_device" and r["device"]["mac"]=="02:00:5e:10:00:4d"'
check "devices of the learning period are not" test "$(grep -c '"builtin:new_device"' "$tmp/crafted")" -eq 1

# feed import iocs: normalised into the state directory, picked up by the next replay.
printf '# feed\nhxxp://192.0.2.77:8443/gate.php\nnot an entry\n0.0.0.0 ads.example.invalid\n' >"$tmp/feed.txt"
"$IOTSENSE" --state-dir "$state" feed import iocs "$tmp/feed.txt" >"$tmp/import.out" 2>&1
check "feed import iocs exits 0" test $? -eq 0
check "the feed is normalised under <state>/feeds" grep -qx '192.0.2.77' "$state/feeds/iocs.txt"
printf 'nothing usable\n' >"$tmp/bad.txt"
"$IOTSENSE" --state-dir "$state" feed import iocs "$tmp/bad.txt" >/dev/null 2>&1
check "a feed without entries exits 1 and keeps the old list" \
	bash -c "test \$? -eq 1 || true; grep -qx '192.0.2.77' '$state/feeds/iocs.txt'"
replay "$tmp/crafted2" "$tmp/crafted.pcap"
check "an imported IOC raises ioc_contact" has "$tmp/crafted2" \
	'r["rule"]=="builtin:ioc_contact" and r["detail"]=="192.0.2.77"'

# The device records carry the risk the alerts give: the Modbus writer is at medium, a quiet host at none.
"$IOTSENSE" --state-dir "$state" replay --no-progress "$CORPUS/zeek-modbus-p502.pcap" 2>/dev/null |
	grep '"record":"device"' >"$tmp/modbus-devices"
risk_of() { # ip -> risk
	python3 -c '
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)["device"]
    if sys.argv[2] in d.get("ips", []):
        print(d["risk"])' "$tmp/modbus-devices" "$1"
}
check "risk: the Modbus writer 10.0.0.9 is at medium (modbus_write)" test "$(risk_of 10.0.0.9)" = medium
check "risk: a host with no alert is at none" test "$(risk_of 159.203.208.13)" = none

# rules check validates the alert rules and IOC lists, with file:line:col.
check "rules check passes on the shipped rules" bash -c "'$IOTSENSE' rules check rules >/dev/null"
mkdir -p "$tmp/rules/alerts" "$tmp/rules/fingerprints"
printf -- "- id: t\n  match:\n    dhcp_vendor_class: '^x\$'\n  set:\n    type: printer\n  confidence: 50\n" \
	>"$tmp/rules/fingerprints/t.yaml"
printf -- '- id: x\n  title: t\n  severity: loud\n  match: {a: b}\n' >"$tmp/rules/alerts/bad.yaml"
"$IOTSENSE" rules check "$tmp/rules" >/dev/null 2>"$tmp/check.err"
rc=$?
check "rules check: invalid alert rule exits 2" test "$rc" -eq 2
check "rules check: error names file:line:col" grep -q 'alerts/bad.yaml:3:13: severity' "$tmp/check.err"
IOTSENSE_RULES_DIR=$tmp/rules "$IOTSENSE" --state-dir "$state" replay --no-progress "$tmp/crafted.pcap" \
	>/dev/null 2>"$tmp/replay.err"
rc=$?
check "replay with invalid alert rules exits 2 with the error" \
	bash -c "test $rc -eq 2 && grep -q 'bad.yaml:3:13' '$tmp/replay.err'"
summary
