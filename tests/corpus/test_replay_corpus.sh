#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every capture of ../shared/corpus replays through the real datapath without error, and the SSH capture's
# records carry both banners. A corrupt capture gives a clear error naming the file and packet, after the
# records of the packets before it.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
CORPUS=${CORPUS:-../shared/corpus/pcaps}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	check "replay $(basename "$f")" "$IOTSENSE" replay --no-progress -o "$tmp/out.ndjson" "$f"
done
check "corpus has captures ($n)" test "$n" -ge 50

"$IOTSENSE" replay --no-progress "$CORPUS/zeek-ssh-curve25519.pcap" >"$tmp/ssh.ndjson" 2>/dev/null
check "client banner SSH-2.0-OpenSSH_7.4" grep -q 'SSH-2.0-OpenSSH_7.4' "$tmp/ssh.ndjson"
check "server banner SSH-2.0-OpenSSH_7.5" grep -q 'SSH-2.0-OpenSSH_7.5' "$tmp/ssh.ndjson"
check "every line is JSON" python3 -c '
import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$tmp/ssh.ndjson"
check "flow closed by FIN" grep -q '"reason":"fin"' "$tmp/ssh.ndjson"

# A capture cut in the middle of a packet: error names the file and packet; earlier records are kept.
head -c 2000 "$CORPUS/zeek-ssh-curve25519.pcap" >"$tmp/cut.pcap"
"$IOTSENSE" replay --no-progress "$tmp/cut.pcap" >"$tmp/cut.ndjson" 2>"$tmp/cut.err"
rc=$?
check "truncated capture exits 1" test "$rc" -eq 1
check "error names the file and packet" grep -q "cut.pcap: packet [0-9]" "$tmp/cut.err"
check "records before the damage are written" grep -q '"record":"flow"' "$tmp/cut.ndjson"

printf 'not a capture' >"$tmp/junk.pcap"
"$IOTSENSE" replay --no-progress "$tmp/junk.pcap" >/dev/null 2>"$tmp/junk.err"
check "garbage file exits 1 with a message" test $? -eq 1 -a -s "$tmp/junk.err"
"$IOTSENSE" replay >/dev/null 2>&1
check "no file is a usage error (exit 2)" test $? -eq 2

# Without privileges: one clear line and exit 1 for every command that needs BPF (not a misleading error).
chmod 755 "$tmp"
cp "$IOTSENSE" "$tmp/iotsense"
for cmd in "replay $CORPUS/zeek-arp-who-has.pcap" "status" "load -i lo" "unload --all" "run -i lo"; do
	setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/iotsense" $cmd >/dev/null 2>"$tmp/np.err"
	rc=$?
	check "unprivileged '${cmd%% *}': exit 1, one line naming root" \
		test "$rc" -eq 1 -a "$(wc -l <"$tmp/np.err")" -eq 1 -a -n "$(grep 'needs root' "$tmp/np.err")"
done
summary
