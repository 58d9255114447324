# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for shell tests: named checks, a "N passed, N failed" summary, bounded waits.
# Source it; call check NAME COMMAND... and finally summary.
BUILD=${BUILD:-build}
case $BUILD in /*) IOTSENSE=${IOTSENSE:-$BUILD/iotsense} ;; *) IOTSENSE=${IOTSENSE:-$PWD/$BUILD/iotsense} ;; esac
_pass=0
_fail=0

check() { # name, command...
	local name=$1
	shift
	if "$@"; then
		echo "ok   $name"
		_pass=$((_pass + 1))
	else
		echo "FAIL $name"
		_fail=$((_fail + 1))
	fi
}

summary() {
	echo "$_pass passed, $_fail failed"
	[ "$_fail" -eq 0 ]
}

# wait_for SECONDS COMMAND...: polls every 0.1 s, bounded in time.
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# nsx NAME COMMAND...: run a command in a network namespace made by `ip netns add`. nsenter, unlike
# `ip netns exec` and `ip -n`, does not remount /sys, so it also works where / is not a mount point (a chroot)
# and keeps the host's /sys/fs/bpf, where the sensor's pins live.
nsx() {
	local ns=$1
	shift
	nsenter --net=/run/netns/"$ns" "$@"
}
export -f nsx # for checks that run in `bash -c`
