#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The login program of the lab's Telnet device where busybox login cannot run on its own accounts (a chroot,
# where a private mount namespace for /etc/passwd is refused): the same prompts, one account, then a shell.
# User iotuser, password secret.
printf '%s login: ' "$(hostname)"
read -r user
printf 'Password: '
stty -echo 2>/dev/null
read -r pass
stty echo 2>/dev/null
echo
if [ "$user" = iotuser ] && [ "$pass" = secret ]; then
	exec /bin/sh
fi
echo "Login incorrect"
sleep 1
exit 1
