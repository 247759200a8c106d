#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the sockets live, and what they carry. An idtun device created in
# one namespace (the "host", which has the underlay) and moved into
# another (a "Pod") keeps its UDP sockets in the host: the Pod gets a
# tunnel without any underlay of its own. When the host namespace goes,
# the device stays in the Pod without a carrier. The fwmark set on the
# device marks its UDP packets, for the host's routing rules and firewall.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
	local n
	for n in ns-host ns-pod ns-peer; do
		ip netns del $n 2>/dev/null
	done
	rm -f "$CHECK_OUT"
}
trap cleanup EXIT
load_idtun

k1=$("$IDTUN" genkey)
k2=$("$IDTUN" genkey)
setup() {
	ip netns add ns-host && ip netns add ns-pod && ip netns add ns-peer &&
	ip link add eth0 netns ns-host type veth peer eth0 netns ns-peer &&
	ip -n ns-host address add 192.168.93.1/24 dev eth0 &&
	ip -n ns-peer address add 192.168.93.2/24 dev eth0 &&
	ip -n ns-host link set eth0 up && ip -n ns-peer link set eth0 up &&
	ip -n ns-host link add tun0 type idtun &&
	ip netns exec ns-host "$IDTUN" set tun0 listen-port 51820 fwmark 0x42 \
		private-key <(echo "$k1") peer "$(echo "$k2" | "$IDTUN" pubkey)" \
		endpoint 192.168.93.2:51820 allowed-ips 10.93.0.2/32 &&
	ip -n ns-peer link add tun0 type idtun &&
	ip netns exec ns-peer "$IDTUN" set tun0 listen-port 51820 \
		private-key <(echo "$k2") peer "$(echo "$k1" | "$IDTUN" pubkey)" \
		allowed-ips 10.93.0.1/32 &&
	ip -n ns-peer address add 10.93.0.2/24 dev tun0 &&
	ip -n ns-peer link set tun0 up
}
check "host, pod and peer namespaces; the device made in the host" setup
check "the device moves into the pod" ip -n ns-host link set tun0 netns ns-pod
check "the pod configures it" sh -c \
	'ip -n ns-pod address add 10.93.0.1/24 dev tun0 && ip -n ns-pod link set tun0 up'
check_output "the pod reads the configuration back" "0x42" \
	ip netns exec ns-pod "$IDTUN" show tun0 fwmark

# Count the host's outgoing UDP packets to the peer by mark.
check "a firewall counter for marked tunnel packets in the host" \
	ip netns exec ns-host nft -f - <<'NFT'
table inet marks {
	chain out {
		type filter hook output priority 0;
		meta mark 0x42 udp dport 51820 counter
	}
}
NFT
check "the pod reaches the peer through the tunnel" \
	ip netns exec ns-pod ping -c 2 -W 5 10.93.0.2
check "the peer reaches the pod" ip netns exec ns-peer ping -c 2 -W 5 10.93.0.1
check "the sockets are in the host" sh -c \
	"ip netns exec ns-host ss -Hlun | grep -q ':51820 '"
check_output "and not in the pod" "" ip netns exec ns-pod ss -Hlun
# marked: how many marked packets the host sent to the peer's port.
marked() {
	ip netns exec ns-host nft list table inet marks |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}
marked=$(marked)
check_true "the host's tunnel packets carry the fwmark ($marked)" [ "${marked:-0}" -ge 4 ]

check "fwmark off" ip netns exec ns-pod "$IDTUN" set tun0 fwmark off
check_output "reads back off" "off" ip netns exec ns-pod "$IDTUN" show tun0 fwmark
before=$(marked)
check "traffic flows unmarked" ip netns exec ns-pod ping -c 2 -W 5 10.93.0.2
after=$(marked)
check_true "no more marked packets ($before -> $after)" [ "${before:-x}" = "${after:-y}" ]

# Port 0: the sockets reopen, in the host, on a random free port.
random_port() {
	[ "${1:-0}" -gt 0 ] && [ "$1" != 51820 ]
}
check "listen-port 0" ip netns exec ns-pod "$IDTUN" set tun0 listen-port 0
port=$(ip netns exec ns-pod "$IDTUN" show tun0 listen-port)
check_true "picks a random port ($port)" random_port "$port"
check "the host listens on it" sh -c "ip netns exec ns-host ss -Hlun | grep -q ':$port '"
check "traffic flows from the new port" ip netns exec ns-pod ping -c 2 -W 5 10.93.0.2

# The host namespace goes: the device stays in the pod, cut off.
check "the host namespace is deleted" ip netns del ns-host
check "the device is still in the pod" wait_until 10 ip -n ns-pod link show tun0
check "without a carrier" wait_until 60 sh -c \
	"ip -n ns-pod link show tun0 | grep -q NO-CARRIER"
check_fails "and sends nothing" "100% packet loss" \
	ip netns exec ns-pod ping -c 2 -W 1 10.93.0.2
check "the pod still configures it" ip netns exec ns-pod "$IDTUN" show tun0
check "and deletes it" ip -n ns-pod link del tun0
tap_end
