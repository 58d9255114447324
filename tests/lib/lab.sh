# SPDX-License-Identifier: GPL-2.0-only
# A lab of devices for end-to-end tests (and the demo): network namespaces on a bridge inside a gateway namespace,
# each device running a real Debian daemon. Source tests/lib/sh.sh first. Addresses: $LAB_NET.0/24 inside
# 198.18.0.0/15 only; no namespace has a default route, so nothing can leave the machine.
#
#   lab_init PREFIX NET        gateway namespace PREFIX-gw, bridge br0 at NET.1
#   lab_add NAME LAST_OCTET    device namespace PREFIX-NAME at NET.LAST_OCTET on the bridge (port lan-NAME)
#   lab_telnetd NAME open|login   busybox telnetd on :23, a root shell with no login, or busybox login (or, in a
#                              chroot, tests/lib/lab_login.sh)
#   lab_snmpd NAME COMMUNITY [SYSDESCR]   net-snmp snmpd answering v1/v2c for COMMUNITY
#   lab_vnc NAME none|password TigerVNC's Xvnc on :5900 with security type None, or VncAuth
#   lab_sshd NAME / lab_vsftpd NAME
#   lab_down                   kills the daemons, deletes the namespaces (also from a trap)
# The demo's site (ci/demo) adds, each a real Debian daemon or client with its config from tests/lib/lab/:
#   lab_add_dhcp NAME LAST_OCTET HOSTNAME   a device without an address: lab_dnsmasq reserves NET.LAST_OCTET for
#                              its MAC and HOSTNAME, lab_dhclient asks for it
#   lab_dnsmasq                dnsmasq on the gateway's bridge: DHCP (no router option) and DNS for NAME.lab only
#   lab_dhclient NAME VENDOR_CLASS   ISC dhclient on eth0, sending its host name and vendor class
#   lab_cupsd NAME MAKE MODEL  CUPS' cupsd on :631 with one queue "lab" that names MAKE MODEL
#   lab_sip_registrar NAME     Kamailio on udp/5060 (NAME may be gw, the gateway itself)
#   lab_sip_register NAME REGISTRAR USER USER_AGENT   one REGISTER from NAME by sipsak (a client, not a daemon)
#   lab_rtsp NAME PATH         GStreamer's RTSP server on :554 serving a test pattern at /PATH
#   lab_avahi NAME HOSTNAME INSTANCE TYPE PORT TXT...   avahi-daemon publishing one service, without D-Bus
#   lab_minissdpd NAME SERVER TYPE...   MiniSSDPd answering M-SEARCHes for the UPnP types, with SERVER
#   lab_modbus NAME            a Modbus/TCP server (pymodbus) on :502 with device identification
#   lab_https NAME             openssl s_server -www on :443 with a fresh self-signed certificate for NAME.lab
# The gateway namespace is PREFIX-gw, so lab_bg and lab_ip take gw as a device name too.
# Each daemon's log is in $LAB_DIR/NAME.*.log.

LAB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

LAB_PIDS=()
LAB_DEVS=()
LAB_PORTS=()
LAB_DHCP_HOSTS=()

lab_init() {
	LAB_PREFIX=$1
	LAB_NET=$2
	LAB_GW=$LAB_PREFIX-gw
	LAB_DIR=$(mktemp -d /tmp/iotsense-lab.XXXXXX)
	ip netns del "$LAB_GW" 2>/dev/null
	ip netns add "$LAB_GW"
	nsx "$LAB_GW" ip link set lo up
	nsx "$LAB_GW" ip link add br0 type bridge
	nsx "$LAB_GW" ip addr add "$LAB_NET.1/24" dev br0
	nsx "$LAB_GW" ip link set br0 up
	LAB_IP_gw=$LAB_NET.1
}

# _lab_link NAME: the device's namespace, its eth0 and the peer lan-NAME on the gateway's bridge.
_lab_link() {
	local ns=$LAB_PREFIX-$1
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns"
	# Made in the gateway's namespace, never the host's: two labs (a demo and a test) can come up at once.
	nsx "$LAB_GW" ip link add "lan-$1" type veth peer name eth0 netns "$ns"
	nsx "$LAB_GW" ip link set "lan-$1" master br0 up
	LAB_DEVS+=("$1")
	LAB_PORTS+=("lan-$1")
}

lab_add() { # name, last octet
	local ns=$LAB_PREFIX-$1
	_lab_link "$1"
	nsx "$ns" ip addr add "$LAB_NET.$2/24" dev eth0
	nsx "$ns" ip link set eth0 up
	nsx "$ns" ip link set lo up
	eval "LAB_IP_$1=$LAB_NET.$2"
}

lab_add_dhcp() { # name, last octet, host name
	local ns=$LAB_PREFIX-$1 mac
	_lab_link "$1"
	nsx "$ns" ip link set lo up
	mac=$(nsx "$ns" ip -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	LAB_DHCP_HOSTS+=("$mac,$LAB_NET.$2,$3")
	eval "LAB_IP_$1=$LAB_NET.$2"
}

lab_ip() { eval "echo \$LAB_IP_$1"; }

# lab_bg NAME TAG COMMAND...: a daemon in the device's namespace; nsenter execs it, so $! is the daemon.
lab_bg() {
	local name=$1 tag=$2
	shift 2
	nsenter --net=/run/netns/"$LAB_PREFIX-$name" "$@" >"$LAB_DIR/$name.$tag.log" 2>&1 &
	LAB_PIDS+=($!)
}

# lab_wait_tcp NAME PORT: until the device's port accepts, from the gateway; bounded (10 s).
lab_wait_tcp() {
	wait_for 10 nsx "$LAB_GW" timeout 1 bash -c "exec 3<>/dev/tcp/$(lab_ip "$1")/$2" 2>/dev/null
}

lab_telnetd() { # name, open|login
	local name=$1 d=$LAB_DIR/$1
	mkdir -p "$d"
	if [ "$2" = open ]; then
		# A device that hands out a root shell to whoever connects.
		lab_bg "$name" telnetd busybox telnetd -F -p 23 -l /bin/sh
	elif unshare -m true 2>/dev/null; then
		# busybox login against a passwd/shadow of our own, bound over /etc in a private mount namespace:
		# the host's accounts are not touched. User iotuser, password "secret".
		cp /etc/passwd "$d/passwd"
		cp /etc/shadow "$d/shadow"
		echo "iotuser:x:4242:4242:lab:/tmp:/bin/sh" >>"$d/passwd"
		echo "iotuser:$(openssl passwd -6 secret):19000:0:99999:7:::" >>"$d/shadow"
		ln -sf /bin/busybox "$d/login" # argv[0] "login" selects busybox's login applet
		lab_bg "$name" telnetd unshare -m sh -c "mount --bind $d/passwd /etc/passwd &&
			mount --bind $d/shadow /etc/shadow && exec busybox telnetd -F -p 23 -l $d/login"
	else
		# No private mount namespace here (a chroot): the same prompts from a script, same account.
		lab_bg "$name" telnetd busybox telnetd -F -p 23 -l "$PWD/tests/lib/lab_login.sh"
	fi
	lab_wait_tcp "$name" 23
}

lab_snmpd() { # name, community[, sysDescr]
	local name=$1 conf=$LAB_DIR/$1.snmpd.conf
	printf 'rocommunity %s 198.18.0.0/15\nsysDescr %s\nsysName lab-%s\n' "$2" "${3:-iotsense lab SNMP agent}" "$name" >"$conf"
	# -C: only our config; -m '': no MIB files to parse; the endpoint on the command line only.
	MIBS= lab_bg "$name" snmpd snmpd -f -Lo -C -c "$conf" -m '' -p "$LAB_DIR/$name.snmpd.pid" "udp:$(lab_ip "$name"):161"
	wait_for 10 bash -c "nsx $LAB_PREFIX-$name ss -Hlun 'sport = :161' | grep -q 161"
}

lab_vnc() { # name, none|password
	local name=$1 display=$((70 + ${#LAB_PIDS[@]})) sec=(-SecurityTypes None) i
	# X display numbers are host-wide (/tmp/.X<N>-lock): skip those another lab (a demo beside a test) holds.
	for ((i = 0; i < 100; i++)); do
		[ -e "/tmp/.X$display-lock" ] || break
		display=$((display + 1))
	done
	if [ "$2" = password ]; then
		printf 'secret12\n' | vncpasswd -f >"$LAB_DIR/$name.vncpass"
		chmod 600 "$LAB_DIR/$name.vncpass"
		sec=(-SecurityTypes VncAuth -PasswordFile "$LAB_DIR/$name.vncpass")
	fi
	HOME=$LAB_DIR lab_bg "$name" xvnc Xvnc ":$display" -rfbport 5900 -interface "$(lab_ip "$name")" -nolisten tcp \
		-desktop "lab-$name" "${sec[@]}"
	lab_wait_tcp "$name" 5900
}

lab_sshd() {
	local name=$1 d=$LAB_DIR/$1
	mkdir -p "$d" /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" >/dev/null
	printf 'ListenAddress %s\nHostKey %s/host_key\nPidFile %s/sshd.pid\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n' \
		"$(lab_ip "$name")" "$d" "$d" >"$d/sshd_config"
	lab_bg "$name" sshd /usr/sbin/sshd -D -e -f "$d/sshd_config"
	lab_wait_tcp "$name" 22
}

lab_vsftpd() {
	local name=$1 d=$LAB_DIR/$1
	mkdir -p "$d/empty"
	printf 'listen=YES\nlisten_address=%s\nanonymous_enable=NO\nlocal_enable=YES\nsecure_chroot_dir=%s/empty\nseccomp_sandbox=NO\nbackground=NO\nftpd_banner=lab FTP ready\n' \
		"$(lab_ip "$name")" "$d" >"$d/vsftpd.conf"
	lab_bg "$name" vsftpd vsftpd "$d/vsftpd.conf"
	lab_wait_tcp "$name" 21
}

# _lab_fill TEMPLATE OUT KEY=VALUE...: a config from tests/lib/lab/, each @KEY@ replaced by VALUE.
_lab_fill() {
	local in=$1 out=$2 kv v args=()
	shift 2
	for kv in "$@"; do
		v=${kv#*=}
		v=${v//\\/\\\\}
		args+=(-e "s|@${kv%%=*}@|${v//|/\\|}|g")
	done
	sed "${args[@]}" "$in" >"$out"
}

# lab_wait_udp NAME PORT: until a socket of the device's namespace is bound to the UDP port; bounded (10 s).
lab_wait_udp() {
	wait_for 10 bash -c "nsx $LAB_PREFIX-$1 ss -Hlun 'sport = :$2' | grep -q ."
}

lab_dnsmasq() {
	local d=$LAB_DIR/gw.dnsmasq n h args=()
	mkdir -p "$d"
	for n in gw "${LAB_DEVS[@]}"; do args+=("--host-record=$n.lab,$(lab_ip "$n")"); done
	for h in "${LAB_DHCP_HOSTS[@]}"; do args+=("--dhcp-host=$h"); done
	# --conf-file=/dev/null, --no-resolv, --no-hosts: nothing of the host's configuration, and no upstream server,
	# so a name outside .lab is answered REFUSED here and never goes further. --dhcp-option=3 with no value: no
	# router option, so no client installs a default route.
	lab_bg gw dnsmasq dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
		--interface=br0 --bind-interfaces --listen-address="$LAB_NET.1" --pid-file="$d/pid" \
		--dhcp-leasefile="$d/leases" --dhcp-authoritative --dhcp-range="$LAB_NET.100,$LAB_NET.199,255.255.255.0,10m" \
		--dhcp-option=3 --dhcp-option="6,$LAB_NET.1" --domain=lab --local=/lab/ --log-facility=- --log-dhcp \
		--log-queries "${args[@]}"
	lab_wait_udp gw 67 && lab_wait_udp gw 53
}

lab_dhclient() { # name, vendor class
	local name=$1 d=$LAB_DIR/$1.dhclient host
	host=$(printf '%s\n' "${LAB_DHCP_HOSTS[@]}" | awk -F, -v ip="$(lab_ip "$name")" '$2 == ip { print $3 }')
	mkdir -p "$d"
	printf 'send host-name "%s";\nsend vendor-class-identifier "%s";\nrequest subnet-mask, broadcast-address, time-offset, routers, domain-name, domain-name-servers, domain-search, host-name, ntp-servers;\n' \
		"$host" "$2" >"$d/dhclient.conf"
	# Our own script (tests/lib/lab/dhclient-script): the address only, no route, the host's resolv.conf untouched.
	lab_bg "$name" dhclient dhclient -d -4 -cf "$d/dhclient.conf" -lf "$d/leases" -pf "$d/pid" \
		-sf "$LAB_LIB/lab/dhclient-script" eth0
	wait_for 20 bash -c "nsx $LAB_PREFIX-$name ip -4 -o addr show dev eth0 | grep -q 'inet $(lab_ip "$name")/'"
}

lab_cupsd() { # name, make, model
	local name=$1 d=$LAB_DIR/$1.cups f kv
	mkdir -p "$d/ppd" "$d/cache" "$d/state" "$d/spool" "$d/tmp"
	kv=("DIR=$d" "ADDR=$(lab_ip "$name")" "NAME=$name" "MFG=$2" "MODEL=$2 $3")
	for f in cups-files.conf cupsd.conf printers.conf; do _lab_fill "$LAB_LIB/lab/cups/$f" "$d/$f" "${kv[@]}"; done
	_lab_fill "$LAB_LIB/lab/cups/printer.ppd" "$d/ppd/lab.ppd" "${kv[@]}"
	lab_bg "$name" cupsd cupsd -f -c "$d/cupsd.conf" -s "$d/cups-files.conf"
	lab_wait_tcp "$name" 631
}

lab_sip_registrar() {
	local name=$1 d=$LAB_DIR/$1.kamailio modules
	modules=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -1)
	mkdir -p "$d"
	_lab_fill "$LAB_LIB/lab/kamailio.cfg" "$d/kamailio.cfg" "ADDR=$(lab_ip "$name")" "MODULES=$modules"
	# -DD: stays in the foreground (its workers are its children and end with it); -m/-M: small shared and
	# private memory, a lab registrar holds a handful of bindings.
	lab_bg "$name" kamailio kamailio -DD -E -f "$d/kamailio.cfg" -P "$d/pid" -Y "$d" -m 16 -M 4
	lab_wait_udp "$name" 5060
}

# lab_sip_register NAME REGISTRAR USER USER_AGENT: the device NAME registers USER at the registrar device with one
# REGISTER sent by sipsak (a phone's periodic registration); exit 0 when the registrar answered 200.
lab_sip_register() {
	local name=$1 ip reg f tag
	ip=$(lab_ip "$1")
	reg=$(lab_ip "$2")
	f=$LAB_DIR/$name.register.sip
	tag=$RANDOM$RANDOM
	printf '%s\r\n' "REGISTER sip:$reg SIP/2.0" "Via: SIP/2.0/UDP $ip:5060;rport;branch=z9hG4bK$tag" \
		"From: <sip:$3@$reg>;tag=$tag" "To: <sip:$3@$reg>" "Call-ID: $tag@$ip" "CSeq: 1 REGISTER" \
		"Contact: <sip:$3@$ip:5060>" "Max-Forwards: 70" "User-Agent: $4" "Expires: 120" "Content-Length: 0" "" >"$f"
	# -i: no Via of sipsak's own (the message has the phone's); -l 5060: from the phone's SIP port.
	nsx "$LAB_PREFIX-$name" timeout 5 sipsak -i -l 5060 -f "$f" -s "sip:$3@$reg" >/dev/null 2>&1
}

lab_rtsp() { # name, path
	lab_bg "$1" rtsp /usr/bin/python3 "$LAB_LIB/lab/rtsp_server.py" "$(lab_ip "$1")" 554 "$2"
	# GStreamer scans its plugins on a first start: allow it more than lab_wait_tcp's 10 s.
	wait_for 30 nsx "$LAB_GW" timeout 1 bash -c "exec 3<>/dev/tcp/$(lab_ip "$1")/554" 2>/dev/null
}

lab_avahi() { # name, host name, instance, service type, port, TXT records...
	local name=$1 d=$LAB_DIR/$1.avahi txt
	mkdir -p "$d/services"
	_lab_fill "$LAB_LIB/lab/avahi-daemon.conf" "$d/avahi-daemon.conf" "HOSTNAME=$2"
	{
		printf '<?xml version="1.0" standalone="no"?>\n<!DOCTYPE service-group SYSTEM "avahi-service.dtd">\n'
		printf '<service-group>\n  <name>%s</name>\n  <service>\n    <type>%s</type>\n    <port>%s</port>\n' "$3" "$4" "$5"
		for txt in "${@:6}"; do printf '    <txt-record>%s</txt-record>\n' "$txt"; done
		printf '  </service>\n</service-group>\n'
	} >"$d/services/lab.service"
	# avahi-daemon has fixed paths: its pid file and socket in /run/avahi-daemon, services in /etc/avahi/services.
	# A private mount namespace gives it a /run of its own and our services directory, so neither the host's
	# avahi-daemon nor another lab's is seen or touched.
	unshare -m true 2>/dev/null || { echo "lab_avahi: no private mount namespace here (a chroot?)" >&2; return 1; }
	lab_bg "$name" avahi unshare -m --propagation private sh -c "mount -t tmpfs lab-run /run &&
		mount --bind $d/services /etc/avahi/services &&
		exec avahi-daemon -f $d/avahi-daemon.conf --no-drop-root --no-chroot --no-rlimits"
	wait_for 15 grep -qs 'Server startup complete' "$LAB_DIR/$name.avahi.log"
}

lab_minissdpd() { # name, SERVER string, UPnP types...
	local name=$1 d=$LAB_DIR/$1.minissdpd server=$2 st uuid
	mkdir -p "$d"
	uuid=$(cat /proc/sys/kernel/random/uuid)
	lab_bg "$name" minissdpd minissdpd -d -i eth0 -s "$d/sock" -p "$d/pid"
	wait_for 10 test -S "$d/sock" || return 1
	# What a UPnP device stack (miniupnpd) does: hand minissdpd the types it offers, then minissdpd answers for them.
	for st in "${@:3}"; do
		nsx "$LAB_PREFIX-$name" /usr/bin/python3 "$LAB_LIB/lab/minissdpd_submit.py" "$d/sock" "$st" \
			"uuid:$uuid::$st" "$server" "http://$(lab_ip "$name"):52323/dmr.xml" || return 1
	done
}

lab_modbus() {
	lab_bg "$1" modbus /usr/bin/python3 "$LAB_LIB/lab/modbus_plc.py" "$(lab_ip "$1")" 502
	lab_wait_tcp "$1" 502
}

lab_https() {
	local name=$1 d=$LAB_DIR/$1.https
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$name.lab" \
		-keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null || return 1
	lab_bg "$name" https openssl s_server -quiet -www -accept "$(lab_ip "$name"):443" -cert "$d/cert.pem" \
		-key "$d/key.pem"
	lab_wait_tcp "$name" 443
}

lab_down() {
	local p
	for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${LAB_PIDS[@]}"; do timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null; done
	for p in "${LAB_DEVS[@]}"; do ip netns del "$LAB_PREFIX-$p" 2>/dev/null; done
	[ -n "${LAB_GW:-}" ] && ip netns del "$LAB_GW" 2>/dev/null
	[ -n "${LAB_DIR:-}" ] && rm -rf "$LAB_DIR"
	LAB_PIDS=()
	LAB_DEVS=()
	LAB_DHCP_HOSTS=()
}
