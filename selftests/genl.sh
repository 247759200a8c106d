#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The idtun generic netlink family through the idtun command: listing and
# showing devices, errors carrying the kernel's extack text, permissions
# (CAP_NET_ADMIN in the namespace's user namespace), namespaces.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

[ -x "$IDTUN" ] || { tap_not_ok "idtun tool not built ($IDTUN)"; tap_end; exit 1; }

check_fails "without the module: says so" "kernel module is not loaded" \
	"$IDTUN" show idtun0
check "module loads" load_idtun
check_output "no devices: empty list" "" "$IDTUN" show interfaces
ip link add idtun0 type idtun
ip link add idtun1 type idtun
ip link add notidtun0 type dummy
check_output "show interfaces lists idtun devices only" "idtun0 idtun1" \
	"$IDTUN" show interfaces
check_output "show DEV" "interface: idtun0" "$IDTUN" show idtun0
check_output "show all" "interface: idtun0

interface: idtun1" "$IDTUN" show all
check_fails "unknown device: kernel names the attribute" \
	"Unable to access interface nosuch0: No such device: IDTUN_A_DEVICE_IFNAME: no such device" \
	"$IDTUN" show nosuch0
check_fails "other kind of device: rejected" \
	"Unable to access interface notidtun0: Operation not supported: not an idtun device" \
	"$IDTUN" show notidtun0
check "set DEV (no settings: changes nothing)" "$IDTUN" set idtun0
check_output "and the device is unchanged" "interface: idtun0" "$IDTUN" show idtun0
check_fails "set on another kind of device: rejected" \
	"Unable to modify interface notidtun0: Operation not supported: not an idtun device" \
	"$IDTUN" set notidtun0
check_fails "set on an unknown device: the kernel names the attribute" \
	"Unable to modify interface nosuch0: No such device: IDTUN_A_DEVICE_IFNAME" \
	"$IDTUN" set nosuch0
check_fails "set, unprivileged: denied" "Operation not permitted" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$IDTUN" set idtun0
check_fails "name too long: rejected before the kernel" "too long" \
	"$IDTUN" show abcdefghijklmnopq
check_fails "unprivileged: denied" "Operation not permitted" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$IDTUN" show idtun0

# Root of a user namespace owns its network namespace: that is enough.
check_output "CAP_NET_ADMIN in a user namespace's own netns suffices" \
	"interface: idtun9" unshare --user --map-root-user --net sh -c \
	"ip link add idtun9 type idtun && $IDTUN show idtun9"
check_fails "but not over the initial netns" "Operation not permitted" \
	unshare --user --map-root-user "$IDTUN" show idtun0

ip netns add ns1
ip link set idtun1 netns ns1
check_output "a moved device answers in its new netns" "interface: idtun1" \
	ip netns exec ns1 "$IDTUN" show idtun1
check_fails "and no longer in the old one" "No such device" "$IDTUN" show idtun1
ip netns del ns1

ip link del notidtun0
check "rmmod" unload_idtun
check_fails "after rmmod: says the module is gone" "kernel module is not loaded" \
	"$IDTUN" show idtun0
tap_end
