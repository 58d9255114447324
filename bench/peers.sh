#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The peers on the same capture: `iotsense replay` against ndpiReader, p0f, tshark (protocol hierarchy) and the
# tcpdump read floor, in one session, interleaved (round r starts at tool r mod 5), each pinned to one CPU.
#   bench/peers.sh IOTSENSE CAPTURE WORKDIR ROUNDS CPU
# Writes WORKDIR/peers.tsv (round tool wall_s user_s sys_s maxrss_kb exit) and WORKDIR/facts.tsv (tool what n):
# what each tool extracted in its last run (the outputs of every run are kept in WORKDIR/out-TOOL.*).
# A tool that is not installed (and cannot be installed from Debian) is left out with a line on stderr.
set -u
IOT=$1 CAP=$2 WORK=$3 ROUNDS=$4 CPU=$5
say() { printf 'peers: %s\n' "$*" >&2; }

# Installs the peers from Debian when they are missing: apt-get update only when something is.
need=()
command -v ndpiReader >/dev/null || need+=(libndpi-bin)
command -v p0f >/dev/null || [ -x /usr/sbin/p0f ] || need+=(p0f)
command -v tshark >/dev/null || need+=(tshark)
command -v tcpdump >/dev/null || need+=(tcpdump)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]}"
	timeout 300 apt-get update -qq >&2 || say "apt-get update failed"
	for p in "${need[@]}"; do
		DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "$p" >&2 ||
			say "$p: not installable here: its column is left out"
	done
fi
export PATH=$PATH:/usr/sbin
[ -x /usr/bin/time ] || { say "/usr/bin/time (package time) is needed"; exit 1; }

TOOLS=()
command -v "$IOT" >/dev/null && TOOLS+=(iotsense) || say "iotsense binary $IOT missing"
command -v ndpiReader >/dev/null && TOOLS+=(ndpiReader) || say "ndpiReader missing: skipped"
command -v p0f >/dev/null && TOOLS+=(p0f) || say "p0f missing: skipped"
command -v tshark >/dev/null && TOOLS+=(tshark) || say "tshark missing: skipped"
command -v tcpdump >/dev/null && TOOLS+=(tcpdump) || say "tcpdump missing: skipped"

# Each tool's command: what a user runs to get its analysis of a capture, output to a file (the facts).
cmd_of() {
	case $1 in
	iotsense) echo "$IOT replay --no-progress -o $WORK/out-iotsense.ndjson $CAP" ;;
	ndpiReader) echo "ndpiReader -q -i $CAP -C $WORK/out-ndpiReader.csv" ;;
	p0f) echo "p0f -r $CAP -o $WORK/out-p0f.log" ;;
	tshark) echo "tshark -r $CAP -q -z io,phs" ;;
	tcpdump) echo "tcpdump -r $CAP -w /dev/null" ;;
	esac
}
printf '%s\n' "${TOOLS[@]}" >"$WORK/tools"
for t in "${TOOLS[@]}"; do echo "$t	$(cmd_of "$t")"; done >"$WORK/commands.tsv"

# The capture once through the page cache, so the first tool does not pay the disk.
cat "$CAP" >/dev/null
echo -e "round\ttool\twall_s\tuser_s\tsys_s\tmaxrss_kb\texit" >"$WORK/peers.tsv"
n=${#TOOLS[@]}
for ((r = 0; r < ROUNDS; r++)); do
	for ((i = 0; i < n; i++)); do
		t=${TOOLS[$(((r + i) % n))]}
		rm -f "$WORK/out-$t".*
		t0=$(date +%s%N)
		# p0f appends to its log and refuses an existing one on some versions: a fresh file each run.
		timeout --kill-after=10 1200 taskset -c "$CPU" /usr/bin/time -f '%U %S %M' -o "$WORK/time" \
			$(cmd_of "$t") >"$WORK/out-$t.stdout" 2>"$WORK/out-$t.stderr"
		rc=$?
		t1=$(date +%s%N)
		read -r u s m <"$WORK/time" 2>/dev/null || { u=0 s=0 m=0; }
		case $u in [0-9]*) ;; *) read -r u s m < <(tail -n1 "$WORK/time") ;; esac # "Command exited with ..." first
		printf '%d\t%s\t%s\t%s\t%s\t%s\t%d\n' "$r" "$t" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" \
			"$u" "$s" "$m" "$rc" >>"$WORK/peers.tsv"
		[ "$rc" = 0 ] || say "$t exited $rc (round $r): $(tail -n 2 "$WORK/out-$t.stderr" | tr '\n' ' ')"
	done
done

# ---- what each one extracted (from the last run of each) ----
{
	echo -e "tool\twhat\tn"
	if [ -s "$WORK/out-iotsense.ndjson" ]; then
		python3 - "$WORK/out-iotsense.ndjson" <<'EOF'
import json, sys
flows, devs, ips, facts, l7flows, obs, rport = set(), 0, set(), set(), set(), 0, {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    k = r.get("record")
    if k == "flow" and r.get("event") == "start":
        i, s = r["initiator"], r["responder"]
        flows.add((r["proto"], r.get("vlan"), i["ip"], i["port"], s["ip"], s["port"]))
        rport[(r["proto"], r.get("vlan"), tuple(sorted([(i["ip"], i["port"]), (s["ip"], s["port"])])))] = "%s/%d" % (r["proto"], s["port"])
        ips.update((i["ip"], s["ip"]))
    elif k == "payload":
        for o in r.get("observations", []):
            obs += 1
            subj = r.get("src") if o["subject"] == "src" else r.get("dst") if o["subject"] == "dst" else \
                o.get("subject_mac") or o.get("subject_ip")
            facts.add((subj, o["key"], o["value"]))
            if r.get("proto"):
                l7flows.add((r["proto"], r.get("vlan"), tuple(sorted([(r["src"], r["sport"]), (r["dst"], r["dport"])]))))
    elif k == "device":
        devs += 1
print("iotsense\tflows\t%d" % len(flows))
print("iotsense\thosts (IP addresses in flows)\t%d" % len(ips))
print("iotsense\tdevices (inventory records)\t%d" % devs)
print("iotsense\tflows with an application fact\t%d" % len(l7flows))
print("iotsense\tdistinct facts (host, key, value)\t%d" % len(facts))
bare = {}
for k, port in rport.items():
    if k not in l7flows:
        bare[port] = bare.get(port, 0) + 1
top = sorted(bare.items(), key=lambda x: -x[1])[:4]
print("iotsense\tflows without an application fact, by responder port: %s\t%d" %
      (", ".join("%s %d" % t for t in top) or "none", sum(bare.values())))
print("iotsense\tobservations (per packet)\t%d" % obs)
EOF
	fi
	if [ -s "$WORK/out-ndpiReader.csv" ]; then
		python3 - "$WORK/out-ndpiReader.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter=","))
ips, facts, l7 = set(), set(), 0
meta = ["server_name_sni", "server_info", "ja3c", "ja3s", "tls_alpn", "ssh_client_hassh", "ssh_server_hassh", "flow_info"]
for r in rows:
    ips.update((r["src_ip"], r["dst_ip"]))
    proto = r["ndpi_proto"]
    if proto and not proto.startswith("Unknown"):
        l7 += 1
        facts.add((r["dst_ip"], "protocol", proto))
    for m in meta:
        v = r.get(m) or ""
        if v and v != "0":
            facts.add((r["src_ip"] if m in ("ja3c", "ssh_client_hassh") else r["dst_ip"], m, v))
print("ndpiReader\tflows\t%d" % len(rows))
print("ndpiReader\thosts (IP addresses in flows)\t%d" % len(ips))
print("ndpiReader\tflows with an application fact\t%d" % l7)
print("ndpiReader\tdistinct facts (host, key, value)\t%d" % len(facts))
EOF
	fi
	if [ -s "$WORK/out-p0f.log" ]; then
		python3 - "$WORK/out-p0f.log" <<'EOF'
import sys
hosts, facts, lines, conns = set(), set(), 0, set()
for line in open(sys.argv[1]):
    f = dict(p.split("=", 1) for p in line.strip().split("|")[1:] if "=" in p)
    lines += 1
    cli, srv = f.get("cli", ""), f.get("srv", "")
    conns.add((cli, srv))
    host = (cli if f.get("subj") == "cli" else srv).rsplit("/", 1)[0]
    hosts.add(host)
    for k in ("os", "app", "dist", "link", "raw_mtu", "uptime", "lang"):
        v = f.get(k)
        if v and v != "???":
            facts.add((host, k, v))
print("p0f\tflows (TCP connections seen)\t%d" % len(conns))
print("p0f\thosts (IP addresses with an observation)\t%d" % len(hosts))
print("p0f\tdistinct facts (host, key, value)\t%d" % len(facts))
print("p0f\tobservations (log lines)\t%d" % lines)
EOF
	fi
	if [ -s "$WORK/out-tshark.stdout" ]; then
		awk '/frames:/ { n++; split($1, a, ":"); p[$1] = 1 } END { for (k in p) m++; printf "tshark\tprotocol hierarchy rows\t%d\ntshark\tdistinct protocols\t%d\n", n, m }' \
			"$WORK/out-tshark.stdout"
	fi
} >"$WORK/facts.tsv"
