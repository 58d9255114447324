#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make install` into a staging root (DESTDIR, PREFIX=/usr): every file where iotsense(8) says, the installed
# binary finds its installed rules from anywhere, the installed config loads as it is, the man page renders
# without a groff warning and documents every command, the systemd unit passes `systemd-analyze verify`, a
# second install keeps an edited config, and uninstall removes what install put there and nothing else.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
T=$(mktemp -d /tmp/iotsense-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
R=$T/root
# The same build the suite tests (with the sanitizers when it was built with them): install must not rebuild.
san=0
ldd "$IOTSENSE" 2>/dev/null | grep -q libasan && san=1
mk() { make --no-print-directory -s O="$BUILD" SANITIZE=$san DESTDIR="$R" PREFIX=/usr "$@" >"$T/make.log" 2>&1; }

check "make install succeeds" mk install
check "no rebuild during install" bash -c "! grep -qE '^ *(CC|LINK|BPF) ' '$T/make.log'"
for f in usr/sbin/iotsense usr/share/man/man8/iotsense.8 usr/lib/systemd/system/iotsense.service \
	etc/iotsense/iotsense.yaml usr/share/iotsense/rules/recommendations.yaml usr/share/doc/iotsense/api.md; do
	check "installed: /$f" test -s "$R/$f"
done
check "binary is 0755" test "$(stat -c %a "$R/usr/sbin/iotsense")" = 755
check "rules are world-readable files" bash -c "[ -z \"\$(find '$R/usr/share/iotsense/rules' -type f ! -perm 0644)\" ]"
check "every rule file installed" bash -c "[ \$(find rules -type f | wc -l) -eq \$(find '$R/usr/share/iotsense/rules' -type f | wc -l) ]"

# Run from / with no IOTSENSE_RULES_DIR: the rules next to the installed binary, not the source tree's.
(cd / && env -u IOTSENSE_RULES_DIR "$R/usr/sbin/iotsense" rules check >"$T/rules.out" 2>&1)
check "installed binary loads the installed rules" grep -q "$R/usr/share/iotsense/rules/fingerprints" "$T/rules.out"
check "installed config loads as it is" "$R/usr/sbin/iotsense" config check "$R/etc/iotsense/iotsense.yaml"

# The man page: no groff warning; every command of --help has its section.
check "man page renders without warnings" bash -c "[ -z \"\$(groff -man -ww -z '$R/usr/share/man/man8/iotsense.8' 2>&1)\" ]"
man -l "$R/usr/share/man/man8/iotsense.8" 2>/dev/null | col -b >"$T/man.txt"
missing=
for c in $("$IOTSENSE" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
	grep -qE "^   $c\$" "$T/man.txt" || missing="$missing $c"
done
check "man page has every command (missing:${missing:- none})" test -z "$missing"
for s in SYNOPSIS CAPABILITIES FILES SIGNALS; do
	check "man page section $s" grep -q "^$s" "$T/man.txt"
done

# The unit, pointed at a binary that exists here (verify checks the ExecStart paths).
sed "s|/usr/sbin/iotsense|$R/usr/sbin/iotsense|g" "$R/usr/lib/systemd/system/iotsense.service" >"$T/iotsense.service"
check "unit has the installed path" grep -q '^ExecStart=/usr/sbin/iotsense ' "$R/usr/lib/systemd/system/iotsense.service"
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify" systemd-analyze verify --man=no "$T/iotsense.service"
	check "unit hardening score is OK or better" bash -c \
		"systemd-analyze security --offline=yes '$T/iotsense.service' 2>/dev/null | grep -qE 'exposure level.*(OK|SAFE)'"
else
	echo "skip systemd-analyze (not installed)"
fi
check "unit bounds capabilities" grep -q '^CapabilityBoundingSet=CAP_BPF ' "$T/iotsense.service"

# An edited config survives a second install; uninstall leaves it (and only it).
echo "# edited" >>"$R/etc/iotsense/iotsense.yaml"
check "second install succeeds" mk install
check "edited config kept" grep -q '^# edited' "$R/etc/iotsense/iotsense.yaml"
check "uninstall succeeds" mk uninstall
check "uninstall removes the binary, rules, man page, unit" bash -c "[ ! -e '$R/usr/sbin/iotsense' ] && \
	[ ! -e '$R/usr/share/iotsense' ] && [ ! -e '$R/usr/share/man/man8/iotsense.8' ] && \
	[ ! -e '$R/usr/lib/systemd/system/iotsense.service' ]"
check "uninstall keeps the config" test -s "$R/etc/iotsense/iotsense.yaml"
summary
