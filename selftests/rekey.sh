#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real rekey, on WireGuard's own clock, between idtun and stock WireGuard:
# traffic flows for longer than REKEY_AFTER_TIME (120 s), so the side that
# initiated the session starts a new handshake by itself and both sides move
# to the new session while packets keep flowing. Two pairs run side by side:
# idtun initiating to wireguard.ko, and wireguard.ko initiating to idtun.
# Each side is configured only with its own tool.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

# Packets every half second, for longer than REKEY_AFTER_TIME plus the time
# a rekey may wait for its retransmission.
count=290
ns="rk-i1 rk-w1 rk-w2 rk-i2"

cleanup() {
	local n
	for n in $ns; do
		ip netns del "$n" 2>/dev/null
	done
	rm -f "$CHECK_OUT" "${logs[@]}"
}
trap cleanup EXIT

if ! modprobe wireguard 2>/dev/null && [ ! -d /sys/module/wireguard ]; then
	tap_skip "rekey with stock WireGuard" "no wireguard module in this kernel"
	tap_end
	exit
fi
load_idtun

# pair NAME_A KIND_A NAME_B KIND_B NET: two namespaces joined by a veth,
# 192.168.NET.1 and .2 outside, 10.NET.0.1 and .2 inside.
pair() {
	local a=$1 ka=$2 b=$3 kb=$4 net=$5 side n kind key peerpub i
	ip netns add "$a"
	ip netns add "$b"
	ip link add eth0 netns "$a" type veth peer eth0 netns "$b"
	declare -A priv
	priv[$a]=$(wg genkey)
	priv[$b]=$(wg genkey)
	i=0
	for side in "$a:$ka:$b" "$b:$kb:$a"; do
		i=$((i + 1))
		n=${side%%:*}
		kind=${side#*:}
		kind=${kind%%:*}
		key=${priv[$n]}
		peerpub=$(echo "${priv[${side##*:}]}" | wg pubkey)
		ip -n "$n" link set lo up
		ip -n "$n" address add "192.168.$net.$i/24" dev eth0
		ip -n "$n" link set eth0 up
		if [ "$kind" = idtun ]; then
			ip -n "$n" link add tun0 type idtun
			ip netns exec "$n" "$IDTUN" set tun0 listen-port 51820 \
				private-key <(echo "$key") peer "$peerpub" \
				endpoint "192.168.$net.$((3 - i)):51820" \
				allowed-ips "10.$net.0.$((3 - i))/32"
		else
			ip -n "$n" link add tun0 type wireguard
			ip netns exec "$n" wg set tun0 listen-port 51820 \
				private-key <(echo "$key") peer "$peerpub" \
				endpoint "192.168.$net.$((3 - i)):51820" \
				allowed-ips "10.$net.0.$((3 - i))/32"
		fi
		ip -n "$n" address add "10.$net.0.$i/24" dev tun0
		ip -n "$n" link set tun0 up
	done
}

check "set up idtun (initiator) and wireguard.ko" pair rk-i1 idtun rk-w1 wg 1
check "set up wireguard.ko (initiator) and idtun" pair rk-w2 wg rk-i2 idtun 2

# tool NS: the command that shows the tunnel in NS.
tool() {
	case $1 in
	rk-i*) echo "$IDTUN" ;;
	*) echo wg ;;
	esac
}

# handshake NS: the latest handshake of NS's one peer, in Unix seconds.
handshake() {
	ip netns exec "$1" "$(tool "$1")" show tun0 latest-handshakes | cut -f2
}

# transfer NS: "rx tx" of NS's one peer.
transfer() {
	ip netns exec "$1" "$(tool "$1")" show tun0 transfer | cut -f2,3 | tr '\t' ' '
}

# The initiators speak first: one packet each makes the first session.
check "idtun initiates the first session" ip netns exec rk-i1 ping -c 1 -W 5 10.1.0.2
check "wireguard.ko initiates the first session" ip netns exec rk-w2 ping -c 1 -W 5 10.2.0.2
first1=$(handshake rk-i1)
first2=$(handshake rk-i2)
echo "# first handshakes: $first1 (pair 1), $first2 (pair 2)"

logs=("$(mktemp)" "$(mktemp)")
ip netns exec rk-i1 ping -n -i 0.5 -c "$count" -W 2 10.1.0.2 >"${logs[0]}" 2>&1 &
p1=$!
ip netns exec rk-w2 ping -n -i 0.5 -c "$count" -W 2 10.2.0.2 >"${logs[1]}" 2>&1 &
p2=$!
wait "$p1" "$p2"

# transfers_agree A B: what A received is what B sent, and the other way
# round. Sets ti and tr to the two sides' "rx tx".
transfers_agree() {
	ti=$(transfer "$1")
	tr=$(transfer "$2")
	[ -n "$ti" ] && [ "$ti" = "$(echo "$tr" | awk '{ print $2, $1 }')" ]
}

received() {
	sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1"
}
for pair in 1 2; do
	case $pair in
	1) init=rk-i1 resp=rk-w1 what="idtun initiating, wireguard.ko responding" first=$first1 ;;
	2) init=rk-w2 resp=rk-i2 what="wireguard.ko initiating, idtun responding" first=$first2 ;;
	esac
	log=${logs[$((pair - 1))]}
	got=$(received "$log")
	echo "# $what: $got of $count echo replies"
	grep -E 'packet loss|rtt' "$log" | sed 's/^/# /'
	# A rekey is seamless: the old session carries packets until the new
	# one is confirmed. Allow for one lost packet under emulation.
	check_true "$what: traffic flowed across the rekey ($got of $count)" \
		[ "${got:-0}" -ge $((count - 1)) ]
	hi=$(handshake "$init")
	hr=$(handshake "$resp")
	echo "# handshakes now: initiator $hi, responder $hr (first $first)"
	check_true "$what: the initiator rekeyed after REKEY_AFTER_TIME" \
		[ "${hi:-0}" -ge $((first + 115)) ]
	check_true "$what: the responder completed the same handshake" \
		[ "${hr:-0}" -ge $((first + 115)) ]
	# Polled: a passive keepalive (10 s after data was last received)
	# may pass between the two reads.
	if wait_until 20 transfers_agree "$init" "$resp"; then
		tap_ok "$what: each side received exactly what the other sent"
	else
		tap_not_ok "$what: each side received exactly what the other sent"
	fi
	echo "# transfer (rx tx): initiator $ti, responder $tr"
done
tap_end
