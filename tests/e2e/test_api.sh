#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The local API end to end: three corpus captures replayed into a temp store, `iotsense serve` in a fresh network
# namespace on 127.0.0.1, curl (in the namespace) against it. Checks: the device count and filters agree with
# SQL over the same file, a device page, paging, 400/404/405/413/414 with JSON errors, /metrics parses line by
# line and carries devices by type, PATCH sets criticality, contain without pins is 503, the token (401 without
# it, from a file or the environment), a non-loopback listen without a token is refused, DNS-rebinding Host names
# and cross-origin writes are refused, and a bounded loop of hostile requests leaves the server answering.
# Nothing leaves the namespace; the pin dir is a path that does not exist, so no real sensor is touched.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
NS=iapi$$
PORT=18080
TPORT=18081
U=http://127.0.0.1:$PORT
TU=http://127.0.0.1:$TPORT
CORPUS=${CORPUS:-../shared/corpus}
tmp=$(mktemp -d)
ST=$tmp/state
DB=$ST/iotsense.db
PIN=$tmp/no-pins
KPIN=/sys/fs/bpf/iotsense-api-$$ # a real sensor's pins, for the kernel section
VA=iapa$$ VB=iapb$$
TOKEN=api-test-token-0123456789abcdef
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	nsx $NS "$IOTSENSE" --pin-dir "$KPIN" unload --all >/dev/null 2>&1
	rm -rf "$KPIN"
	ip netns del $NS 2>/dev/null
	ip netns del ${NS}p 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

serve() { # log, args...: iotsense serve in the namespace, in the background
	local log=$1
	shift
	# nsenter itself, not the nsx function: a backgrounded function is a subshell, and $! would name it
	# rather than iotsense (nsenter execs it), so kill would leave the server running.
	nsenter --net=/run/netns/$NS "$IOTSENSE" --pin-dir "$PIN" --state-dir "$ST" serve "$@" >"$log" 2>&1 &
	pids+=($!)
}
c() { nsx $NS curl -s -m 10 "$@"; }			      # curl in the namespace
code() { c -o /dev/null -w '%{http_code}' "$@"; }	      # just the status
sq() { sqlite3 -readonly "$DB" "$1"; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; } # a Python expression over d
is() { [ "$1" = "$2" ] || { echo "  got '$1', expected '$2'"; return 1; }; }
err_is() { # status, curl args...: that status, and the body is the JSON error with that status
	local body
	body=$(c -w '\n%{http_code}' "${@:2}")
	is "$(tail -n 1 <<<"$body")" "$1" &&
		is "$(head -n -1 <<<"$body" | jq_ 'd["error"]["status"], bool(d["error"]["message"])')" "$1 True"
}

for f in ndpi-snmp.pcapng ndpi-telnet.pcap zeek-mdns-avahi.pcap; do
	[ -f "$CORPUS/pcaps/$f" ] || { echo "missing $CORPUS/pcaps/$f (set CORPUS)"; echo "0 passed, 1 failed"; exit 1; }
done
"$IOTSENSE" replay --state-dir "$ST" "$CORPUS/pcaps/ndpi-snmp.pcapng" "$CORPUS/pcaps/ndpi-telnet.pcap" \
	"$CORPUS/pcaps/zeek-mdns-avahi.pcap" >/dev/null 2>"$tmp/replay.err"
check "replay filled a store" [ "$(sq 'select count(*) from devices')" -gt 5 ]
ip netns add $NS && nsx $NS ip link set lo up || { echo "0 passed, 1 failed"; exit 1; }

serve "$tmp/serve.log" --listen 127.0.0.1:$PORT --duration 300
check "serve answers" wait_for 10 bash -c "[ \"\$(nsx $NS curl -s -o /dev/null -w '%{http_code}' $U/api/v1/status)\" = 200 ]"

# ---- the inventory, against SQL over the same file ----
n_dev=$(sq 'select count(*) from devices')
check "device count = SQL count" is "$(c "$U/api/v1/devices?limit=1" | jq_ 'd["total"]')" "$n_dev"
check "status counts devices" is "$(c $U/api/v1/status | jq_ 'd["store"]["devices"], d["kernel"]["attached"]')" \
	"$n_dev False"
check "filter type=unknown" is "$(c "$U/api/v1/devices?type=unknown" | jq_ 'd["total"]')" \
	"$(sq 'select count(*) from devices where type is null')"
check "filter risk=high" is "$(c "$U/api/v1/devices?risk=high" | jq_ 'd["total"]')" \
	"$(sq "select count(*) from devices where risk in ('high','critical')")"
check "filter q (hostname substring, any case)" is "$(c "$U/api/v1/devices?q=JOHANNA" | jq_ 'd["total"]')" \
	"$(sq "select count(distinct device_id) from device_hostnames where hostname like '%johanna%'")"
first=$(c "$U/api/v1/devices?limit=1" | jq_ 'd["items"][0]["id"]')
enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$first")
check "a device page by its URL-encoded id" is \
	"$(c "$U/api/v1/devices/$enc" | jq_ 'd["device"]["id"], type(d["alerts"]).__name__, "classification" in d["device"]')" \
	"$first list True"
# Paging: pages of 7 cover every device once, in a stable order.
pages=$(for ((o = 0; o < n_dev && o < 1000; o += 7)); do
	c "$U/api/v1/devices?limit=7&offset=$o" | jq_ '"\n".join(i["id"] for i in d["items"])'
done | sort | uniq | wc -l)
check "paging covers every device once" is "$pages" "$n_dev"
check "limit and offset echoed" is "$(c "$U/api/v1/devices?limit=3&offset=2" | jq_ 'd["limit"], d["offset"], len(d["items"])')" \
	"3 2 3"
check "alerts, newest first" is "$(c "$U/api/v1/alerts?limit=1000" | jq_ 'd["total"], [i["last_seen"] for i in d["items"]] == sorted([i["last_seen"] for i in d["items"]], reverse=True)')" \
	"$(sq 'select count(*) from alerts') True"
check "recommendations" is "$(c "$U/api/v1/recommendations" | jq_ 'd["total"]')" \
	"$(sq 'select count(distinct rec_id) from recommendations')"
check "vulnerabilities" is "$(c "$U/api/v1/vulnerabilities" | jq_ 'd["total"]')" "$(sq 'select count(*) from vulnerabilities')"

# ---- errors: JSON, never a crash ----
check "400 limit=-1" err_is 400 "$U/api/v1/devices?limit=-1"
check "400 limit=abc" err_is 400 "$U/api/v1/devices?limit=abc"
check "400 type with quotes" err_is 400 "$U/api/v1/devices?type=%22x%27%20OR%201=1"
check "400 unknown parameter" err_is 400 "$U/api/v1/devices?limt=5"
check "400 bad %-escape" err_is 400 "$U/api/v1/devices?q=%zz"
check "400 bad since" err_is 400 "$U/api/v1/alerts?since=yesterday"
long=$(python3 -c 'print("a" * 102400)')
check "414 a 100 KiB URL (JSON)" err_is 414 "$U/api/v1/devices?q=$long"
check "404 unknown path" err_is 404 "$U/api/v1/nope"
check "404 unknown device" err_is 404 "$U/api/v1/devices/mac%3A02%3A00%3A00%3A00%3A00%3A99"
check "404 outside the API" err_is 404 "$U/nope.html"
check "405 DELETE a list" err_is 405 -X DELETE "$U/api/v1/devices"
check "405 names what is allowed" bash -c "nsx $NS curl -s -D - -o /dev/null -X POST $U/api/v1/alerts | grep -qi '^Allow: GET, HEAD'"
head -c 70000 /dev/zero | tr '\0' x >"$tmp/big"
check "413 a body over 64 KiB" err_is 413 -X PATCH -H 'Content-Type: application/json' --data-binary @"$tmp/big" \
	"$U/api/v1/devices/$enc"
check "415 a body that is not JSON" err_is 415 -X PATCH --data-binary 'name=x' "$U/api/v1/devices/$enc"

# ---- headers ----
hdr=$(c -D - -o /dev/null "$U/api/v1/status")
check "API: nosniff, no-store, JSON" bash -c 'grep -qi "^X-Content-Type-Options: nosniff" <<<"$1" &&
	grep -qi "^Cache-Control: no-store" <<<"$1" && grep -qi "^Content-Type: application/json" <<<"$1"' _ "$hdr"
hdr=$(c -D - -o /dev/null "$U/")
check "dashboard: CSP default-src 'self'" bash -c "grep -qi \"^Content-Security-Policy: default-src 'self'\" <<<\"\$1\" &&
	grep -qi '^X-Content-Type-Options: nosniff' <<<\"\$1\"" _ "$hdr"

# ---- /metrics ----
c -D "$tmp/metrics.hdr" "$U/metrics" >"$tmp/metrics"
check "/metrics is text 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$tmp/metrics.hdr"
# The exposition format, line by line: comments are HELP/TYPE, one TYPE per family, samples match the grammar.
cat >"$tmp/promcheck.py" <<'EOF'
import re, sys
sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? '
                    r'([+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?|NaN|[+-]Inf)( [0-9]+)?$')
meta = re.compile(r'^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$')
bad, typed, seen = 0, set(), set()
for line in open(sys.argv[1]).read().splitlines():
    if line.startswith('#'):
        if not meta.match(line): print('  bad comment:', line); bad += 1
        if line.startswith('# TYPE '):
            name = line.split()[2]
            if name in typed: print('  family twice:', name); bad += 1
            typed.add(name)
    elif not sample.match(line):
        print('  bad sample:', line); bad += 1
    else:
        seen.add(re.split(r'[{ ]', line)[0])
missing = seen - typed
if missing: print('  samples without # TYPE:', missing); bad += 1
sys.exit(1 if bad or not seen else 0)
EOF
check "/metrics: every line parses" python3 "$tmp/promcheck.py" "$tmp/metrics"
check "/metrics: devices by type = SQL" is \
	"$(grep '^iotsense_devices{type="unknown"}' "$tmp/metrics" | cut -d' ' -f2)" \
	"$(sq 'select count(*) from devices where type is null')"
check "/metrics: store up, alerts by severity" bash -c "grep -q '^iotsense_store_up 1$' $tmp/metrics &&
	grep -q '^iotsense_alerts{severity=\"' $tmp/metrics"

# ---- changes ----
check "PATCH sets criticality" is "$(c -X PATCH -H 'Content-Type: application/json' \
	-d '{"criticality":"high","name":"Front desk","tags":{"room":"B1"}}' "$U/api/v1/devices/$enc" |
	jq_ 'd["criticality"], d["name"], d["tags"]["room"]')" "high Front desk B1"
check "PATCH reached the store" is "$(sq "select criticality, name from devices where id = '$first'")" "high|Front desk"
check "PATCH refuses a bad criticality" err_is 400 -X PATCH -H 'Content-Type: application/json' \
	-d '{"criticality":"extreme"}' "$U/api/v1/devices/$enc"
check "contain without pins: 503" err_is 503 -X POST "$U/api/v1/devices/$enc/contain"
check "cross-origin write refused" err_is 403 -X POST -H 'Origin: http://evil.example' "$U/api/v1/devices/$enc/release"
check "DNS rebinding (foreign Host) refused" err_is 403 -H 'Host: evil.example:18080' "$U/api/v1/devices"

# ---- hostile requests: bounded in count and time; the server must answer afterwards ----
check "hostile loop" nsx $NS timeout 120 python3 - $PORT <<'EOF'
import random, socket, sys, time
port = int(sys.argv[1]); rnd = random.Random(5)
junk = [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"\x00\xff" * 500,
        b"GET /api/v1/devices?limit=%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /api/v1/devices/%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /api/v1/devices/%2e%2e%2f%2e%2e HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /api/v1//devices HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /api/v1/devices?" + b"&".join(b"k%d=1" % i for i in range(100)) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"POST /api/v1/devices/x/contain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
        b"PATCH /api/v1/devices/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"PATCH /api/v1/devices/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"name\":",
        b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X: " + b"y" * 300000 + b"\r\n\r\n",
        b"GET /" + b"a" * 300000 + b" HTTP/1.1\r\n\r\n",
        b"GET /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \xff\xfe\r\n\r\n"]
start = time.time()
for i in range(300):
    if time.time() - start > 90: break
    data = junk[i % len(junk)] if i < 2 * len(junk) else bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 2000)))
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=0.3)
        s.sendall(data)
        if i % 3: s.recv(4096)
        s.close()
    except OSError:
        pass
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
sys.exit(0 if s.recv(64).startswith(b"HTTP/1.1 200") else 1)
EOF
check "still answers after the hostile loop" is "$(code "$U/api/v1/devices?limit=1")" 200

# ---- a token ----
printf '%s\n' "$TOKEN" >"$tmp/token"
chmod 600 "$tmp/token"
serve "$tmp/serve-token.log" --listen 127.0.0.1:$TPORT --token-file "$tmp/token" --duration 300
check "token server answers" wait_for 10 bash -c "[ \"\$(nsx $NS curl -s -o /dev/null -w '%{http_code}' $TU/)\" = 200 ]"
check "401 without the token" err_is 401 "$TU/api/v1/devices"
check "401 says Bearer" bash -c "nsx $NS curl -s -D - -o /dev/null $TU/api/v1/devices | grep -qi '^WWW-Authenticate: Bearer'"
check "401 with a wrong token" err_is 401 -H "Authorization: Bearer ${TOKEN}x" "$TU/api/v1/devices"
check "401 on /metrics without it" err_is 401 "$TU/metrics"
check "200 with the token" is "$(code -H "Authorization: Bearer $TOKEN" "$TU/api/v1/devices")" 200
check "a foreign Host is fine with a token" is \
	"$(code -H "Authorization: Bearer $TOKEN" -H 'Host: sensor.example' "$TU/metrics")" 200
check "--token-env" bash -c "API_T=$TOKEN nsenter --net=/run/netns/$NS '$IOTSENSE' --state-dir '$ST' serve --listen 127.0.0.1:18082 \
	--token-env API_T --duration 5 >/dev/null 2>&1 & p=\$!
	ok=1; for i in \$(seq 50); do [ \"\$(nsx $NS curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TOKEN' \
		http://127.0.0.1:18082/api/v1/status)\" = 200 ] && { ok=0; break; }; sleep 0.1; done; kill \$p; wait \$p; exit \$ok"

# ---- refusals at start ----
out=$(nsx $NS "$IOTSENSE" --state-dir "$ST" serve --listen 0.0.0.0:18083 --duration 1 2>&1)
rc=$?
check "non-loopback listen without a token refused (exit 1)" is "$rc" 1
check "... saying why" grep -q "without a token" <<<"$out"
check "non-loopback listen with a token starts" bash -c "nsx $NS '$IOTSENSE' --state-dir '$ST' serve \
	--listen 0.0.0.0:18083 --token-file '$tmp/token' --duration 1 >/dev/null 2>&1"
printf 'short\n' >"$tmp/short"
check "a short token is refused" bash -c "! nsx $NS '$IOTSENSE' --state-dir '$ST' serve --listen 127.0.0.1:18084 \
	--token-file '$tmp/short' --duration 1 2>/dev/null"
check "--token on the command line does not exist" bash -c "'$IOTSENSE' serve --token x 2>/dev/null; [ \$? = 2 ]"
mkdir -p "$tmp/empty"
nsenter --net=/run/netns/$NS "$IOTSENSE" --state-dir "$tmp/empty" serve --listen 127.0.0.1:18085 --duration 20 \
	>/dev/null 2>&1 &
pids+=($!)
wait_for 10 bash -c "nsx $NS curl -s -o /dev/null http://127.0.0.1:18085/" >/dev/null
check "no store yet: 503 with the reason" bash -c "nsx $NS curl -s http://127.0.0.1:18085/api/v1/devices |
	grep -q '\"status\":503.*no inventory there yet'"

# ---- with a sensor attached (a veth to a peer namespace): kernel counters, interfaces, containment ----
if ip netns add ${NS}p && ip link add $VA type veth peer name $VB && ip link set $VA netns $NS &&
	ip link set $VB netns ${NS}p && nsx $NS ip addr add 198.18.40.1/24 dev $VA &&
	nsx ${NS}p ip addr add 198.18.40.2/24 dev $VB && nsx $NS ip link set $VA up && nsx ${NS}p ip link set $VB up &&
	nsx $NS "$IOTSENSE" --pin-dir "$KPIN" load -i $VA >"$tmp/load.out" 2>&1; then
	nsx ${NS}p ping -c 3 -i 0.2 -W 1 198.18.40.1 >/dev/null
	nsenter --net=/run/netns/$NS "$IOTSENSE" --pin-dir "$KPIN" --state-dir "$ST" serve --listen 127.0.0.1:18086 \
		--duration 120 >"$tmp/serve-k.log" 2>&1 &
	pids+=($!)
	K=http://127.0.0.1:18086
	wait_for 10 bash -c "nsx $NS curl -s -o /dev/null $K/" >/dev/null
	c "$K/metrics" >"$tmp/metrics-k"
	check "/metrics with a sensor: every line parses" python3 "$tmp/promcheck.py" "$tmp/metrics-k"
	check "/metrics: kernel packets counted at the XDP hook" awk '$1 == "iotsense_packets_total{hook=\"xdp\"}" && $2 > 0 { ok = 1 } END { exit !ok }' "$tmp/metrics-k"
	check "/metrics: the interface by name" grep -q "^iotsense_interface_info{ifname=\"$VA\"" "$tmp/metrics-k"
	check "/metrics: every other counter as iotsense_kernel_*" grep -q '^iotsense_kernel_ipv4_total{hook="xdp"}' "$tmp/metrics-k"
	check "status: attached, the interface, counters by name" is \
		"$(c $K/api/v1/status | jq_ 'd["kernel"]["attached"], d["kernel"]["interfaces"][0]["ifname"], d["kernel"]["counters"]["packets"] > 0')" \
		"True $VA True"
	check "contain through the API" is "$(c -X POST -H 'Content-Type: application/json' -d '{"for":"10m"}' \
		"$K/api/v1/devices/$enc/contain" | jq_ 'd["id"], d["contained"], d["until"] is not None')" "$first True True"
	check "... the kernel map has it" bash -c "nsx $NS '$IOTSENSE' --pin-dir '$KPIN' status --json |
		grep -q '\"id\":\"$first\"'"
	check "release through the API" is "$(c -X POST "$K/api/v1/devices/$enc/release" |
		jq_ 'd["contained"], d["was_contained"]')" "False True"
	check "release again is no error" is "$(c -X POST "$K/api/v1/devices/$enc/release" | jq_ 'd["was_contained"]')" False
else
	check "sensor attached for the kernel section ($(tail -n 1 "$tmp/load.out" 2>/dev/null))" false
fi

# ---- SIGTERM ends serve cleanly ----
exited() { # a child that exited stays a zombie until waited for: kill -0 would still find it
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null)
	[ -z "$st" ] || [ "${st:0:1}" = Z ]
}
kill -TERM "${pids[0]}"
rc=0
wait_for 5 exited "${pids[0]}" || rc=timeout
[ "$rc" = 0 ] && { wait "${pids[0]}" || rc=$?; }
check "SIGTERM: serve exits 0 at once" is "$rc" 0
summary
