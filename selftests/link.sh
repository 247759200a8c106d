#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The idtun link type: create, up/down, MTU, statistics, namespaces, delete,
# and unloading the module with devices present.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

check "module loads" load_idtun
check "ip link add type idtun" ip link add idtun0 type idtun
check_output "link kind is idtun" idtun link_kind idtun0
check_output "default MTU is 1420" 1420 cat /sys/class/net/idtun0/mtu
check_output "no link-layer address" "" cat /sys/class/net/idtun0/address
check "link up" ip link set idtun0 up
# shellcheck disable=SC2016 # expanded by the inner shell
check_output "device is up" 1 sh -c 'echo $(( $(cat /sys/class/net/idtun0/flags) & 1 ))'
check "MTU 1280" ip link set idtun0 mtu 1280
check_output "MTU reads back" 1280 cat /sys/class/net/idtun0/mtu
check "MTU 9000 (jumbo underlay)" ip link set idtun0 mtu 9000
check_fails "MTU below 68 rejected" "mtu less than device minimum|Invalid argument" \
	ip link set idtun0 mtu 67
check_fails "MTU above maximum rejected" "mtu greater than device maximum|Invalid argument" \
	ip link set idtun0 mtu 65536
check_output "rejected MTU leaves the old one" 9000 cat /sys/class/net/idtun0/mtu

# No peer for the destination: packets are counted as errors and answered
# with ICMP unreachable (as WireGuard does), never sent anywhere.
ip addr add 10.200.0.1/24 dev idtun0
before=$(cat /sys/class/net/idtun0/statistics/tx_errors)
check_fails "a destination without a peer is unreachable" "Destination Host Unreachable|100% packet loss" \
	ping -c 3 -i 0.2 -W 1 10.200.0.2
after=$(cat /sys/class/net/idtun0/statistics/tx_errors)
check_true "packets without a peer are counted as errors ($before -> $after)" \
	[ "$after" -ge $((before + 3)) ]
check_output "nothing counted as sent" 0 cat /sys/class/net/idtun0/statistics/tx_packets
check "link down" ip link set idtun0 down

# Namespaces: the device moves; it stays alive when its creating
# namespace goes away.
ip netns add ns1
check "move to another netns" ip link set idtun0 netns ns1
check_fails "gone from the old netns" "does not exist" ip link show idtun0
check "present in the new netns" ip -n ns1 link show idtun0
check "move back" ip -n ns1 link set idtun0 netns 1
check "present again" ip link show idtun0
check "move it away again" ip link set idtun0 netns ns1
check "delete the netns it is in" ip netns del ns1

ip netns add ns2
check "create inside a netns" ip -n ns2 link add idtun1 type idtun
check "move to init netns" ip -n ns2 link set idtun1 netns 1
check "it comes up" ip link set idtun1 up
check "with carrier" sh -c '! ip link show idtun1 | grep -q NO-CARRIER'
check "creating netns deleted" ip netns del ns2
# Namespaces are dismantled asynchronously, by a workqueue.
check "device loses its carrier with its creating netns" \
	wait_until 30 sh -c 'ip link show idtun1 | grep -q NO-CARRIER'
check "device survives its creating netns" ip link show idtun1
check "delete" ip link del idtun1
check_fails "gone" "does not exist" ip link show idtun1

for i in 0 1 2 3; do
	ip link add "idtun$i" type idtun
done
ip link set idtun2 up
ip netns add ns3
ip link set idtun3 netns ns3
check "rmmod with devices present" rmmod idtun
check_output "all devices deleted" "" sh -c \
	'ip -o link show type idtun; ip -n ns3 -o link show type idtun'
ip netns del ns3
check "module loads again" load_idtun
check "and works" ip link add idtun0 type idtun
check "rmmod" rmmod idtun

tap_end
