# SPDX-License-Identifier: GPL-2.0-only
# A lab of devices for end-to-end tests (and the demo): network namespaces on a bridge inside a gateway namespace,
# each device running a real Debian daemon. Source tests/lib/sh.sh first. Addresses: $LAB_NET.0/24 inside
# 198.18.0.0/15 only; no namespace has a default route, so nothing can leave the machine.
#
#   lab_init PREFIX NET        gateway namespace PREFIX-gw, bridge br0 at NET.1
#   lab_add NAME LAST_OCTET    device namespace PREFIX-NAME at NET.LAST_OCTET on the bridge (port lan-NAME)
#   lab_telnetd NAME open|login   busybox telnetd on :23, a root shell with no login, or busybox login (or, in a
#                              chroot, tests/lib/lab_login.sh)
#   lab_snmpd NAME COMMUNITY   net-snmp snmpd answering v1/v2c for COMMUNITY
#   lab_vnc NAME none|password TigerVNC's Xvnc on :5900 with security type None, or VncAuth
#   lab_sshd NAME / lab_vsftpd NAME
#   lab_down                   kills the daemons, deletes the namespaces (also from a trap)
# Each daemon's log is in $LAB_DIR/NAME.*.log.

LAB_PIDS=()
LAB_DEVS=()
LAB_PORTS=()

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
}

lab_add() { # name, last octet
	local ns=$LAB_PREFIX-$1
	ip netns del "$ns" 2>/dev/null
	ip netns add "$ns"
	ip link add "lan-$1" type veth peer name eth0 netns "$ns"
	ip link set "lan-$1" netns "$LAB_GW"
	nsx "$LAB_GW" ip link set "lan-$1" master br0 up
	nsx "$ns" ip addr add "$LAB_NET.$2/24" dev eth0
	nsx "$ns" ip link set eth0 up
	nsx "$ns" ip link set lo up
	LAB_DEVS+=("$1")
	LAB_PORTS+=("lan-$1")
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

lab_snmpd() { # name, community
	local name=$1 conf=$LAB_DIR/$1.snmpd.conf
	printf 'rocommunity %s 198.18.0.0/15\nsysDescr iotsense lab SNMP agent\nsysName lab-%s\n' "$2" "$name" >"$conf"
	# -C: only our config; -m '': no MIB files to parse; the endpoint on the command line only.
	MIBS= lab_bg "$name" snmpd snmpd -f -Lo -C -c "$conf" -m '' -p "$LAB_DIR/$name.snmpd.pid" "udp:$(lab_ip "$name"):161"
	wait_for 10 bash -c "nsx $LAB_PREFIX-$name ss -Hlun 'sport = :161' | grep -q 161"
}

lab_vnc() { # name, none|password
	local name=$1 display=$((70 + ${#LAB_PIDS[@]})) sec=(-SecurityTypes None)
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

lab_down() {
	local p
	for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${LAB_PIDS[@]}"; do timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null; done
	for p in "${LAB_DEVS[@]}"; do ip netns del "$LAB_PREFIX-$p" 2>/dev/null; done
	[ -n "${LAB_GW:-}" ] && ip netns del "$LAB_GW" 2>/dev/null
	[ -n "${LAB_DIR:-}" ] && rm -rf "$LAB_DIR"
	LAB_PIDS=()
	LAB_DEVS=()
}
