#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Security recommendations on a lab of real daemons, decided by the sensor from what it sees on the wire: the
# exact set of recommendations on each device, and none on the others (issue 4's seed recommendations:
# IOTS-REC-0001 Telnet without authentication, 0002 Telnet enabled, 0003 SNMP v1/v2c, 0004 VNC without
# authentication; and 0005 clear-text credentials, 0008 default SNMP community).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
. tests/lib/lab.sh

[ "$(id -u)" -eq 0 ] || { echo "needs root"; echo "0 passed, 1 failed"; exit 1; }
for b in busybox snmpd snmpget Xvnc vncpasswd /usr/sbin/sshd vsftpd openssl curl; do
	command -v "$b" >/dev/null || { echo "FAIL missing $b: run ci/setup"; echo "0 passed, 1 failed"; exit 1; }
done

PIN=/sys/fs/bpf/iotsense-test-rec
STATE=$(mktemp -d /tmp/iotsense-rec-state.XXXXXX)
OUT=$STATE/records.ndjson
SENSOR=
cleanup() {
	[ -n "$SENSOR" ] && kill -TERM "$SENSOR" 2>/dev/null && timeout 10 tail --pid="$SENSOR" -f /dev/null
	lab_down
	rm -rf "$PIN"
	if [ -n "${KEEP:-}" ]; then echo "records kept in $STATE"; else rm -rf "$STATE"; fi
}
trap cleanup EXIT

lab_init iotr 198.18.21
lab_add client 100
lab_add tnopen 11
lab_add tnlogin 12
lab_add snmp 13
lab_add vncopen 14
lab_add vncpw 15
lab_add ssh 16
lab_add ftp 17

check "lab: telnetd without login is up" lab_telnetd tnopen open
check "lab: telnetd with a login is up" lab_telnetd tnlogin login
check "lab: snmpd (v2c, community public) is up" lab_snmpd snmp public
check "lab: Xvnc with security type None is up" lab_vnc vncopen none
check "lab: Xvnc with a password is up" lab_vnc vncpw password
check "lab: sshd is up" lab_sshd ssh
check "lab: vsftpd is up" lab_vsftpd ftp

ports=()
for p in "${LAB_PORTS[@]}"; do ports+=(-i "$p"); done
nsenter --net=/run/netns/"$LAB_GW" "$IOTSENSE" --pin-dir "$PIN" --state-dir "$STATE" run "${ports[@]}" -o "$OUT" \
	2>"$STATE/sensor.log" &
SENSOR=$!
check "sensor attached to every LAN port" wait_for 15 bash -c \
	"nsx $LAB_GW ip link show lan-ftp | grep -q prog/xdp && nsx $LAB_GW ip link show lan-client | grep -q prog/xdp"

# Real clients drive the devices from the client namespace.
C=iotr-client
check "client: telnet gets a shell with no login" nsx $C timeout 20 python3 tests/lib/clients/telnet_client.py \
	"$(lab_ip tnopen)" 23 open
check "client: telnet logs in, then gets a shell" nsx $C timeout 20 python3 tests/lib/clients/telnet_client.py \
	"$(lab_ip tnlogin)" 23 login iotuser secret
check "client: snmpget v2c public answers" bash -c \
	"nsx $C timeout 10 snmpget -m '' -v2c -c public -t 1 -r 2 $(lab_ip snmp) 1.3.6.1.2.1.1.1.0 | grep -q 'lab SNMP agent'"
check "client: snmpget with a wrong community gets no answer" bash -c \
	"! nsx $C timeout 10 snmpget -m '' -v2c -c wrong -t 1 -r 0 $(lab_ip snmp) 1.3.6.1.2.1.1.1.0"
check "client: VNC viewer handshake, security None" bash -c \
	"nsx $C timeout 10 python3 tests/lib/clients/vnc_client.py $(lab_ip vncopen) 5900 | grep -q 'chose None'"
check "client: VNC viewer handshake, VNC authentication" bash -c \
	"nsx $C timeout 10 python3 tests/lib/clients/vnc_client.py $(lab_ip vncpw) 5900 | grep -q 'chose 2'"
check "client: ssh reaches the server (and is refused)" bash -c \
	"nsx $C timeout 15 ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o ConnectTimeout=5 nobody@$(lab_ip ssh) true 2>&1 | grep -q 'Permission denied'"
check "client: FTP login in the clear (refused)" bash -c \
	"nsx $C timeout 15 curl -s -m 10 ftp://labuser:labpass@$(lab_ip ftp)/; [ \$? -eq 67 ]"

# Let the last snippets drain, then stop the sensor: it writes every device in its final state.
sleep 1
kill -TERM "$SENSOR"
check "sensor stopped cleanly" timeout 15 tail --pid="$SENSOR" -f /dev/null
wait "$SENSOR"
check "sensor exit status 0" test $? -eq 0
SENSOR=

# Expected recommendations per device IP; every other device (client, gateway) must have none.
expect_recs() {
	python3 - "$OUT" "$@" <<'PY'
import json, sys
out, pairs = sys.argv[1], sys.argv[2:]
expected = {}
for p in pairs:
    ip, recs = p.split("=")
    expected[ip] = set(r for r in recs.split(",") if r)
got = {}
for line in open(out):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get("record") != "device":
        continue
    d = r["device"]
    ids = set(x["id"] for x in d.get("recommendations", []))
    for ip in d.get("ips", []) or [d["id"]]:
        got.setdefault(ip, set()).update(ids)
    if not d.get("ips"):
        got.setdefault(d["id"], set()).update(ids)
bad = 0
for ip, want in sorted(expected.items()):
    have = got.get(ip, set())
    if have != want:
        print("  %s: expected %s, got %s" % (ip, sorted(want), sorted(have)))
        bad += 1
for ip, have in sorted(got.items()):
    if ip not in expected and have:
        print("  %s: unexpected %s" % (ip, sorted(have)))
        bad += 1
sys.exit(1 if bad else 0)
PY
}
check "exactly the right recommendations on exactly the right devices" expect_recs \
	"$(lab_ip tnopen)=IOTS-REC-0001,IOTS-REC-0002" \
	"$(lab_ip tnlogin)=IOTS-REC-0002,IOTS-REC-0005" \
	"$(lab_ip snmp)=IOTS-REC-0003,IOTS-REC-0008" \
	"$(lab_ip vncopen)=IOTS-REC-0004" \
	"$(lab_ip vncpw)=" \
	"$(lab_ip ssh)=" \
	"$(lab_ip ftp)=IOTS-REC-0005" \
	"$(lab_ip client)=" \
	"$LAB_NET.1="

# Each proof names the observation behind it.
proof_of() { # ip, rec id, key, value pattern
	python3 - "$OUT" "$@" <<'PY'
import json, re, sys
out, ip, rid, key, pat = sys.argv[1:]
for line in open(out):
    r = json.loads(line) if line.startswith('{"record":"device"') else None
    if not r or ip not in r["device"].get("ips", []):
        continue
    for rec in r["device"].get("recommendations", []):
        if rec["id"] == rid and any(p["key"] == key and re.search(pat, p["value"]) and p.get("flow")
                                    for p in rec["proof"]):
            sys.exit(0)
sys.exit(1)
PY
}
check "REC-0001 proof: the shell prompt, with its flow" proof_of "$(lab_ip tnopen)" IOTS-REC-0001 \
	telnet_noauth_shell '#'
check "REC-0003 proof: SNMP 2c answered" proof_of "$(lab_ip snmp)" IOTS-REC-0003 snmp_answered_version '^2c$'
check "REC-0003 proof notes the community" proof_of "$(lab_ip snmp)" IOTS-REC-0003 snmp_answered_community \
	'^public$'
check "REC-0004 proof: security type None" proof_of "$(lab_ip vncopen)" IOTS-REC-0004 vnc_auth_none '^1$'
check "REC-0005 proof on the FTP server: FTP USER/PASS" proof_of "$(lab_ip ftp)" IOTS-REC-0005 \
	cleartext_credentials '^FTP USER/PASS$'

# The read command, over the daemon's store.
check "the daemon kept the store" test -s "$STATE/iotsense.db"
check "recommendations --json counts the exposed devices" bash -c "
	'$IOTSENSE' --state-dir '$STATE' recommendations --json | python3 -c '
import json, sys
r = {x[\"id\"]: x for x in json.load(sys.stdin)[\"recommendations\"]}
want = {\"IOTS-REC-0001\": 1, \"IOTS-REC-0002\": 2, \"IOTS-REC-0003\": 1, \"IOTS-REC-0004\": 1, \"IOTS-REC-0005\": 2}
bad = [(k, r.get(k, {}).get(\"count\")) for k, n in want.items() if r.get(k, {}).get(\"count\") != n]
sys.exit(1 if bad else 0)'"
check "recommendations (text) names the Telnet device" bash -c \
	"'$IOTSENSE' --state-dir '$STATE' recommendations | grep -A1 '^IOTS-REC-0001' | grep -q '$(lab_ip tnopen)'"
check "recommendations without a device file says what to do" bash -c \
	"'$IOTSENSE' --state-dir /nonexistent recommendations 2>&1 | grep -q 'iotsense run'; [ \${PIPESTATUS[0]} -eq 1 ]"
check "recommendations rejects arguments (exit 2)" bash -c \
	"'$IOTSENSE' recommendations extra 2>/dev/null; [ \$? -eq 2 ]"

summary
