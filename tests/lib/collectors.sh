# SPDX-License-Identifier: GPL-2.0-only
# Collectors for the output tests, run in a network namespace on its loopback: Debian's rsyslogd (imudp, imtcp,
# omfile with the raw message) and an HTTP receiver (tests/lib/http_receiver.py). Also the outputs test driver
# and the outbox filler. Source after tests/lib/sh.sh; every wait is bounded.
LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The outputs test driver (tests/unit/outputs/outputs_driver.c: outputs_start/outputs_stop over a state dir),
# built by `make unit-test` into $BUILD with the same flags as the tests (sanitizers included).
outputs_driver_build() {
	local b=$BUILD
	case $b in /*) ;; *) b=$PWD/$b ;; esac
	OUTPUTS_DRIVER=$b/tests/e2e-bin/outputs_driver
	[ -x "$OUTPUTS_DRIVER" ] || { echo "  $OUTPUTS_DRIVER is missing: run 'make unit-test' (make check does)"; return 1; }
}

# port_open NS PORT: something listens on 127.0.0.1:PORT (TCP) in NS.
port_open() {
	nsx "$1" python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $2), 0.5).close()" 2>/dev/null
}

# rsyslog_start NS DIR UDP_PORT TCP_PORT: messages land in DIR/raw.log (%rawmsg%) and DIR/msg.log (%msg%).
rsyslog_start() {
	local ns=$1 dir=$2
	mkdir -p "$dir/rsyslog-work"
	cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/rsyslog-work" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="$3")
input(type="imtcp" address="127.0.0.1" port="$4")
template(name="raw" type="string" string="%rawmsg%\n")
template(name="msg" type="string" string="%msg%\n")
*.* action(type="omfile" file="$dir/raw.log" template="raw")
*.* action(type="omfile" file="$dir/msg.log" template="msg")
CONF
	rm -f "$dir/rsyslog.pid"
	nsenter --net=/run/netns/"$ns" rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslog.pid" >"$dir/rsyslog.out" 2>&1 &
	wait_for 10 port_open "$ns" "$4"
}

rsyslog_stop() {
	local dir=$1 pid
	pid=$(cat "$dir/rsyslog.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait_for 5 bash -c "! kill -0 $pid 2>/dev/null"
	rm -f "$dir/rsyslog.pid"
}

# http_receiver_start NS DIR PORT TOKEN [DELAY_S]: records in DIR/http.jsonl; its pid in DIR/http.pid (nsenter
# execs, so $! is the server itself, not a subshell: nsx is a function).
http_receiver_start() {
	local ns=$1 dir=$2
	nsenter --net=/run/netns/"$ns" python3 "$LIBDIR/http_receiver.py" "$3" "$4" "$dir/http.jsonl" "${5:-0}" >"$dir/http.out" 2>&1 &
	echo $! >"$dir/http.pid"
	wait_for 10 port_open "$ns" "$3"
}

http_receiver_stop() {
	local pid
	pid=$(cat "$1/http.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$1/http.pid"
}

# outbox_fill STATE_DIR NDJSON COPIES EXPECTED [FIRST_COPY]: queues records (tests/lib/outbox_fill.py); prints
# the count.
outbox_fill() {
	python3 "$LIBDIR/outbox_fill.py" "$1/iotsense.db" "$2" "$3" "$4" "${5:-0}"
}
