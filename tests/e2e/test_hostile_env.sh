#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hostile or wrong environment: a store file that is garbage or a damaged SQLite file, IOTSENSE_RULES_DIR naming a
# missing directory, IOTSENSE_PIN_DIR and IOTSENSE_STATE_DIR, API tokens in the environment that are too short
# or hold a non-printable byte. Each gets a clear message and the right exit status, and nothing is lost: a
# damaged store is never rewritten.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
T=$(mktemp -d /tmp/iotsense-henv.XXXXXX)
NS=iothenv-$$
trap 'ip netns del $NS 2>/dev/null; rm -rf "$T"' EXIT
out() { "$@" >"$T/out" 2>&1; echo $? >"$T/rc"; }
rc_is() { test "$(cat "$T/rc")" = "$1"; }
says() { grep -q "$1" "$T/out"; }

# A store that is not a database, and one that is cut in half.
mkdir -p "$T/garbage" "$T/cut"
head -c 8192 /dev/urandom >"$T/garbage/iotsense.db"
sha_garbage=$(sha256sum <"$T/garbage/iotsense.db")
out "$IOTSENSE" --state-dir "$T/garbage" devices
check "garbage store: devices exits 1" rc_is 1
check "... saying it is not an iotsense store" says "not an iotsense store"
out "$IOTSENSE" --state-dir "$T/garbage" hunt "SELECT 1"
check "garbage store: hunt exits 1 saying so" bash -c "rc_is() { test \"\$(cat $T/rc)\" = 1; }; rc_is 1 && grep -q 'not an iotsense store' $T/out"
ip netns add "$NS" && nsx "$NS" ip link set lo up
out nsx "$NS" "$IOTSENSE" --pin-dir "/sys/fs/bpf/iotsense-test-henv-$$" --state-dir "$T/garbage" run -i lo --api off -d 2
check "garbage store: run exits 1 before attaching" rc_is 1
check "... saying why" says "not an iotsense store"
check "... and attached nothing" bash -c "! nsx $NS ip -d link show lo | grep -q prog/xdp"
check "the garbage file is left as it was" test "$(sha256sum <"$T/garbage/iotsense.db")" = "$sha_garbage"

# A real store, replayed, then cut in half (a disk that lost its tail).
cap=$(ls ../shared/corpus/*/*.pcap* 2>/dev/null | head -n 1)
"$IOTSENSE" replay --state-dir "$T/cut" "$cap" >/dev/null 2>&1
sqlite3 "$T/cut/iotsense.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null 2>&1
size=$(stat -c %s "$T/cut/iotsense.db")
truncate -s $((size / 2)) "$T/cut/iotsense.db"
sha_cut=$(sha256sum <"$T/cut/iotsense.db")
out "$IOTSENSE" --state-dir "$T/cut" hunt "SELECT count(*) FROM devices"
check "damaged store: hunt fails with exit 1" rc_is 1
check "... with a message naming the store" says "$T/cut/iotsense.db"
check "damaged store: not rewritten by a reader" test "$(sha256sum <"$T/cut/iotsense.db")" = "$sha_cut"

# IOTSENSE_STATE_DIR is the state dir when --state-dir is not given.
mkdir -p "$T/env"
"$IOTSENSE" replay --state-dir "$T/env" "$cap" >/dev/null 2>&1
out env IOTSENSE_STATE_DIR="$T/env" "$IOTSENSE" hunt --csv "SELECT count(*) > 0 FROM devices"
check "IOTSENSE_STATE_DIR is read" bash -c "tail -n 1 $T/out | tr -d '\r' | grep -qx 1"

# IOTSENSE_RULES_DIR naming nothing: said, not silently the built-in rules.
out env IOTSENSE_RULES_DIR="$T/no-such-dir" "$IOTSENSE" rules check
check "missing IOTSENSE_RULES_DIR: rules check exits 1" rc_is 1
check "... naming the directory" says "$T/no-such-dir"
out env IOTSENSE_RULES_DIR="$T/no-such-dir" "$IOTSENSE" replay "$cap"
check "missing IOTSENSE_RULES_DIR: replay warns that devices get no recommendations" says "no security recommendations"
check "... and still writes records" says '"record":"device"'

# IOTSENSE_PIN_DIR: where status and contain look.
out env IOTSENSE_PIN_DIR="$T/nopins" "$IOTSENSE" status
check "IOTSENSE_PIN_DIR: status names that pin dir" says "pin dir $T/nopins"
out env IOTSENSE_PIN_DIR="$T/nopins" "$IOTSENSE" contain 198.18.0.9
check "IOTSENSE_PIN_DIR without pins: contain exits 1" rc_is 1
check "... saying what to do" says "run 'iotsense load -i IFACE' or 'iotsense run' first"

# API tokens from the environment that cannot be tokens.
mkdir -p "$T/api"
"$IOTSENSE" replay --state-dir "$T/api" "$cap" >/dev/null 2>&1
out env TOK=short "$IOTSENSE" --state-dir "$T/api" serve --listen 127.0.0.1:0 --token-env TOK --duration 1
check "a 5-byte token in the environment is refused (exit 1)" rc_is 1
check "... saying how long a token must be" says "it needs 16 to 4096"
out env TOK="$(printf 'abcdefghijklmnop\001qrs')" "$IOTSENSE" --state-dir "$T/api" serve --listen 127.0.0.1:0 \
	--token-env TOK --duration 1
check "a token with a control byte is refused (exit 1)" rc_is 1
check "... naming the offset" says "non-printable byte at offset 16"
out env -u NO_SUCH_VAR "$IOTSENSE" --state-dir "$T/api" serve --listen 127.0.0.1:0 --token-env NO_SUCH_VAR --duration 1
check "an unset token variable is refused" bash -c "! rc_is() { :; }; [ \"\$(cat $T/rc)\" != 0 ]"
summary
