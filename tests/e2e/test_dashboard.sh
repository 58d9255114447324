#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The web dashboard in a real browser: corpus captures replayed into a store, `iotsense serve` over it in a fresh
# network namespace, Debian's chromium (headless) in the same namespace. The inventory lists every device of the
# store, a device page shows its evidence, recommendations and alerts, the other pages render, a device whose
# hostname is HTML shows it as text and runs nothing, and a 401 brings up the token prompt. Screenshots of the
# inventory and a device page are kept under $BUILD/test-logs/ for people to look at.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh

CORPUS=${CORPUS:-../shared/corpus/pcaps}
CAPTURES="zeek-mdns-avahi.pcap ndpi-snmp.pcapng ndpi-telnet.pcap"
bail() {
	echo "FAIL $*"
	echo "0 passed, 1 failed"
	exit 1
}
[ "$(id -u)" -eq 0 ] || bail "needs root (it makes a network namespace)"
for b in chromium sqlite3 curl python3; do
	command -v "$b" >/dev/null || bail "$b is missing: run ci/setup"
done
[ -x "$IOTSENSE" ] || bail "$IOTSENSE is missing: run make"
for f in $CAPTURES; do
	[ -f "$CORPUS/$f" ] || bail "$CORPUS/$f is missing (the shared corpus; set CORPUS=DIR)"
done

NS=iotdash$$
PORT=8080
URL=http://127.0.0.1:$PORT
TMP=$(mktemp -d /tmp/iotsense-dash.XXXXXX)
D=$TMP/state
DB=$D/iotsense.db
LOGS=$(realpath -m "$BUILD")/test-logs
SERVER=
cleanup() {
	stop_server
	ip netns del "$NS" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
stop_server() {
	if [ -n "$SERVER" ]; then
		kill -TERM "$SERVER" 2>/dev/null && timeout 10 tail --pid="$SERVER" -f /dev/null
		wait "$SERVER" 2>/dev/null
		SERVER=
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM # so that a timeout or ^C still cleans up (EXIT runs on exit)
mkdir -p "$LOGS" "$TMP/home/run"
chmod 700 "$TMP/home/run"
# Chromium writes its profile, caches and crash reports under these; the real HOME may be read-only.
export HOME=$TMP/home XDG_CONFIG_HOME=$TMP/home/.config XDG_CACHE_HOME=$TMP/home/.cache XDG_RUNTIME_DIR=$TMP/home/run

ip netns add "$NS" || bail "cannot make the network namespace $NS"
nsx "$NS" ip link set lo up

# chromium_run ARGS... URL: one headless browser with its own profile, bounded in virtual time (the page's
# fetches and timers) and in real time.
chromium_run() {
	local ud rc
	ud=$(mktemp -d "$TMP/profile.XXXXXX")
	timeout 90 nsenter --net=/run/netns/"$NS" chromium --headless=new --no-sandbox --disable-gpu \
		--no-first-run --no-default-browser-check --disable-extensions --disable-sync \
		--user-data-dir="$ud" --virtual-time-budget=8000 "$@" 2>>"$TMP/chromium.log"
	rc=$?
	rm -rf "$ud"
	return $rc
}
dom() { # URL OUT
	chromium_run --dump-dom "$1" >"$2" && [ -s "$2" ]
}
shot() { # URL OUT.png
	rm -f "$2"
	chromium_run --hide-scrollbars --window-size=1366,900 --screenshot="$2" "$1" >/dev/null
}
is_png() { # FILE MIN_BYTES: a PNG of at least that size (a blank page compresses to much less)
	[ -f "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
		[ "$(stat -c %s "$1")" -ge "$2" ]
}
urlenc() {
	python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}
q() {
	sqlite3 "$DB" "$1"
}
start_server() { # extra serve arguments...
	# nsenter itself, not the nsx function, so that $! is the server (nsenter execs it) and not a subshell.
	nsenter --net=/run/netns/"$NS" "$IOTSENSE" --state-dir "$D" serve --listen 127.0.0.1:$PORT "$@" \
		>>"$TMP/serve.log" 2>&1 &
	SERVER=$!
	wait_for 15 nsx "$NS" curl -s -o /dev/null -m 2 "$URL/"
}

# --- the store: real captures, and one device whose wire strings are HTML ---
for f in $CAPTURES; do
	check "replay $f into the store" bash -c "'$IOTSENSE' --state-dir '$D' replay --no-progress '$CORPUS/$f' >/dev/null 2>>'$TMP/replay.log'"
done
NDEV=$(q 'SELECT count(*) FROM devices' 2>/dev/null || echo 0)
check "the store has devices ($NDEV)" test "${NDEV:-0}" -gt 0

# A hostname, vendor and model chosen by an attacker on the wire (DHCP option 12, SNMP sysDescr, an HTTP
# banner). The second and third would mark the page if they ever ran.
XSS1='<img src=x onerror=alert(1)>'
XSS2='<svg onload=document.body.classList.add(/pwned/.source)>'
XSS3='</td><img src=x onerror=document.title=/pwned/.source>'
XID=ip:198.18.0.66
check "insert a device whose hostname is HTML" q "
INSERT INTO devices (id, uid, ip, type, vendor, model, risk, exposure, first_seen, last_seen, record, updated_at)
VALUES ('$XID', 'lab/198.18.0.66', '198.18.0.66', 'printer', '$XSS2', '$XSS3', 'high', 'low',
	'2024-05-01T10:00:00Z', '2024-05-01T10:05:00Z',
	json_object('record', 'device', 'device', json_object('id', '$XID', 'ips', json_array('198.18.0.66'),
		'type', 'printer', 'vendor', '$XSS2', 'model', '$XSS3', 'hostnames', json_array('$XSS1'),
		'evidence', json_array(json_object('key', 'dhcp_hostname', 'value', '$XSS1', 'protocol', 'dhcp',
			'first_seen', '2024-05-01T10:00:00Z', 'last_seen', '2024-05-01T10:05:00Z', 'count', 3,
			'confidence', 90, 'flow', 'udp 198.18.0.66:68 -> 255.255.255.255:67')),
		'recommendations', json_array(), 'vulnerabilities', json_array(), 'services', json_array(),
		'protocols', json_array('DHCP'), 'risk', 'high', 'exposure', 'low')),
	'2024-05-01T10:05:00Z');
INSERT INTO device_addresses VALUES ('$XID', 'ip', '198.18.0.66', '2024-05-01T10:00:00Z', '2024-05-01T10:05:00Z');
INSERT INTO device_hostnames VALUES ('$XID', '$XSS1', '2024-05-01T10:00:00Z', '2024-05-01T10:05:00Z');"
NDEV=$(q 'SELECT count(*) FROM devices' 2>/dev/null || echo 0)

# --- the server and the files it serves ---
check "iotsense serve answers in namespace $NS" start_server
check "/ is the dashboard, under Content-Security-Policy default-src 'self'" bash -c "
	nsx $NS curl -s -m 5 -D - $URL/ | tr -d '\r' >'$TMP/index.txt' &&
	grep -qi \"^content-security-policy: default-src 'self'\" '$TMP/index.txt' &&
	grep -q '<script src=\"/app.js\"' '$TMP/index.txt'"
for f in app.js style.css favicon.svg; do
	check "/$f is served as in the source tree" bash -c \
		"nsx $NS curl -sf -m 5 $URL/$f | cmp -s - user/api/dashboard/$f"
done
check "the dashboard has no inline script or style (the CSP would block them)" bash -c \
	"! grep -qiE '<script>|<script [^>]*>[^<]|<style|[[:space:]]style=|[[:space:]]on[a-z]+=' user/api/dashboard/index.html"
check "app.js never puts markup into the page (innerHTML, outerHTML, insertAdjacentHTML, document.write)" bash -c \
	"! grep -nE '\\.(innerHTML|outerHTML)[[:space:]]*\\+?=|insertAdjacentHTML\\(|document\\.write' user/api/dashboard/app.js"

# --- inventory: every device of the store, page by page (50 a page) ---
pages=()
for ((off = 0; off < NDEV && off < 2000; off += 50)); do
	dom "$URL/#/devices?offset=$off" "$TMP/inventory-$off.html"
	pages+=("$TMP/inventory-$off.html")
done
check "inventory lists every device id and IP of the store ($NDEV devices)" \
	python3 tests/e2e/dashboard_check.py inventory "$DB" "${pages[@]}"
check "inventory shows the HTML hostname as text and runs none of it" \
	python3 tests/e2e/dashboard_check.py xss "$TMP/inventory-0.html" "$XSS1" "$XSS2" "$XSS3"
dom "$URL/#/devices?q=198.18.0.66" "$TMP/inventory-q.html"
check "inventory search (q) finds the device by IP, and only it" \
	python3 tests/e2e/dashboard_check.py rows "$TMP/inventory-q.html" 1
NHIGH=$(q "SELECT count(*) FROM devices WHERE risk IN ('high','critical')")
dom "$URL/#/devices?risk=high" "$TMP/inventory-risk.html"
check "inventory risk filter (high or more: $NHIGH)" \
	python3 tests/e2e/dashboard_check.py rows "$TMP/inventory-risk.html" $((NHIGH < 50 ? NHIGH : 50))
shot "$URL/#/devices" "$LOGS/dashboard-inventory.png"
check "inventory screenshot is a PNG of a drawn page ($LOGS/dashboard-inventory.png)" \
	is_png "$LOGS/dashboard-inventory.png" 20000

# --- a device page: the device with the most evidence and recommendations ---
DEV=$(q "SELECT id FROM devices WHERE id != '$XID' ORDER BY n_recs DESC,
	json_array_length(record, '\$.device.evidence') DESC, id LIMIT 1")
dom "$URL/#/device/$(urlenc "$DEV")" "$TMP/device.html"
check "device page of $DEV shows its header, evidence, recommendations with proof, alerts" \
	python3 tests/e2e/dashboard_check.py device "$DB" "$DEV" "$TMP/device.html"
shot "$URL/#/device/$(urlenc "$DEV")" "$LOGS/dashboard-device.png"
check "device page screenshot is a PNG of a drawn page ($LOGS/dashboard-device.png)" \
	is_png "$LOGS/dashboard-device.png" 20000
dom "$URL/#/device/$(urlenc "$XID")" "$TMP/device-xss.html"
check "device page shows the HTML hostname, vendor, model and evidence as text and runs none of it" \
	python3 tests/e2e/dashboard_check.py xss "$TMP/device-xss.html" "$XSS1" "$XSS2" "$XSS3"
dom "$URL/#/device/$(urlenc mac:02:00:00:00:00:99)" "$TMP/device-none.html"
check "an unknown device says so" bash -c "grep -q 'data-state=\"error\"' '$TMP/device-none.html'"

# --- the other pages ---
NAL=$(q 'SELECT count(*) FROM alerts')
dom "$URL/#/alerts" "$TMP/alerts.html"
check "alerts page lists the store's alerts ($NAL, 50 a page)" \
	python3 tests/e2e/dashboard_check.py rows "$TMP/alerts.html" $((NAL < 50 ? NAL : 50))
mapfile -t titles < <(q 'SELECT DISTINCT title FROM alerts ORDER BY last_seen DESC LIMIT 10')
check "alerts page shows the newest alerts' titles" python3 tests/e2e/dashboard_check.py page "$TMP/alerts.html" \
	"${titles[@]}"
mapfile -t recs < <(q 'SELECT DISTINCT rec_id FROM recommendations')
dom "$URL/#/recommendations" "$TMP/recommendations.html"
check "recommendations page lists each open recommendation (${#recs[@]})" \
	python3 tests/e2e/dashboard_check.py rows "$TMP/recommendations.html" "${#recs[@]}"
check "recommendations page names them and their devices" python3 tests/e2e/dashboard_check.py page \
	"$TMP/recommendations.html" "${recs[@]}" $(q 'SELECT device_id FROM recommendations LIMIT 5')
dom "$URL/#/health" "$TMP/health.html"
check "health page shows the store, the kernel and the outputs" python3 tests/e2e/dashboard_check.py page \
	"$TMP/health.html" "$DB" "Kernel counters" "Outputs" "not attached"
dom "$URL/#/vulnerabilities" "$TMP/vulns.html"
check "vulnerabilities page renders" python3 tests/e2e/dashboard_check.py page "$TMP/vulns.html" "Vulnerabilities"

# --- clicks and forms, in a browser driven over the DevTools pipe ---
browse() { # URL JS: prints the value of JS once the view rendered
	local ud rc
	ud=$(mktemp -d "$TMP/profile.XXXXXX")
	timeout 90 python3 tests/e2e/dashboard_check.py browse "$1" "$2" -- nsenter --net=/run/netns/"$NS" chromium \
		--headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions --disable-sync \
		--user-data-dir="$ud" 2>>"$TMP/chromium.log"
	rc=$?
	rm -rf "$ud"
	return $rc
}
# wait_js CONDITION: an async expression that polls CONDITION (a JS expression) for at most 10 s.
wait_js() {
	echo "(async () => { for (let i = 0; i < 100; i++) { const v = $1; if (v) return v; \
		await new Promise((r) => setTimeout(r, 100)); } return 'timed out'; })()"
}
click_js() { # BUTTON-TEXT: clicks the view's button with that text
	echo "[...document.querySelectorAll('#view button')].find((b) => b.textContent === '$1').click()"
}
DEVURL="$URL/#/device/$(urlenc "$DEV")"
# Nothing is attached in this namespace: the API says why with a 503, and the page must show its words.
WANT=$(nsx "$NS" curl -s -m 5 -X POST "$URL/api/v1/devices/$(urlenc "$DEV")/contain" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["error"]["message"])' 2>/dev/null)
GOT=$(browse "$DEVURL" "$(click_js Contain); $(wait_js "(document.querySelector('#view .action-msg .notice') || {}).textContent")")
check "Contain with nothing attached shows the API's message ($WANT)" \
	bash -c '[ -n "$1" ] && [ "${2#*: }" = "$1" ]' _ "$WANT" "$GOT"
GOT=$(browse "$DEVURL" "document.querySelector('#view details.edit-card').open = true;
	document.querySelector('#view input[name=name]').value = 'Lobby <printer>';
	document.querySelector('#view select[name=criticality]').value = 'high';
	document.querySelector('#view textarea[name=tags]').value = 'owner=facilities\nfloor=2';
	document.querySelector('#view form.edit').requestSubmit();
	$(wait_js "document.querySelector('#view h1').textContent === 'Lobby <printer>' && document.querySelector('#view').dataset.state === 'ready' && document.querySelector('#view .prop:nth-child(10) dd').textContent")")
check "the edit form saves name, criticality and tags (PATCH) and the page shows them" \
	bash -c '[ "$1" = "owner=facilities, floor=2" ] || [ "$1" = "floor=2, owner=facilities" ]' _ "$GOT"
check "the store has the new name, criticality and tags" bash -c "[ \"\$(sqlite3 '$DB' \"SELECT name, criticality,
	json_extract(tags, '\\\$.owner') FROM devices WHERE id = '$DEV'\")\" = 'Lobby <printer>|high|facilities' ]"

# --- a token: the API answers 401, the page asks for it, and works once given it ---
stop_server
TOKEN=dash-test-token-0123456789abcdef
echo "$TOKEN" >"$TMP/token"
chmod 600 "$TMP/token"
check "iotsense serve with a token answers" start_server --token-file "$TMP/token"
dom "$URL/#/devices" "$TMP/token.html"
check "without the token the page asks for it (401)" python3 tests/e2e/dashboard_check.py token "$TMP/token.html"
GOT=$(browse "$URL/#/devices" "document.getElementById('token-input').value = '$TOKEN';
	document.getElementById('token-form').requestSubmit();
	$(wait_js "document.querySelector('#view').dataset.state === 'ready' && document.querySelectorAll('#view tr[data-id]').length + ' ' + sessionStorage.getItem('iotsense.token')")")
check "with the token typed in, the inventory loads (and the token is kept for the tab)" \
	test "$GOT" = "$((NDEV < 50 ? NDEV : 50)) $TOKEN"
stop_server

[ -s "$TMP/serve.log" ] && { echo "--- serve log (last lines)"; tail -n 5 "$TMP/serve.log"; }
summary
