#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The protocol reference scripts/wgref.py, which computes the values the
# module's handshake and transport code must match, against a stock
# WireGuard peer: wireguard.ko configured with wg, on loopback. The
# reference handshakes with it and exchanges an ICMP echo through it; then,
# in a new session, sends it a labelled echo request (docs/protocol.md,
# "Labelled transport"), which the stock peer must drop as a packet of no
# known IP version, before the same request unlabelled.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

ref=$IDTUN_TOP/scripts/wgref.py
check "reference self-test (RFC known answers, round trip)" "$ref" selftest

if ! modprobe wireguard 2>/dev/null && [ ! -d /sys/module/wireguard ]; then
	tap_skip "stock WireGuard peer" "no wireguard module in this kernel"
	tap_end
	exit
fi

hex() { base64 -d | od -An -tx1 -v | tr -d ' \n'; }
wgpriv=$(wg genkey)
ourpriv=$(wg genkey)
psk=$(wg genpsk)
ip link add wgref0 type wireguard
wg set wgref0 listen-port 51820 private-key <(echo "$wgpriv") \
	peer "$(echo "$ourpriv" | wg pubkey)" preshared-key <(echo "$psk") \
	allowed-ips 10.77.0.2/32
ip address add 10.77.0.1/24 dev wgref0
ip link set wgref0 up

# ref_ping PREFIX [LABEL]: the reference's exchange with the stock peer,
# its TAP lines reported here with PREFIX.
ref_ping() {
	local prefix=$1 line
	shift
	"$ref" ping 51820 "$(echo "$ourpriv" | hex)" "$(echo "$wgpriv" | wg pubkey | hex)" \
		"$(echo "$psk" | hex)" 10.77.0.2 10.77.0.1 "$@" >"$CHECK_OUT" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok "*) tap_ok "$prefix${line#ok * - }" ;;
		"not ok "*) tap_not_ok "$prefix${line#not ok * - }" ;;
		esac
	done <"$CHECK_OUT"
	grep -q '^ok' "$CHECK_OUT" || tap_diag "$CHECK_OUT"
}

ref_ping ""
handshake=$(wg show wgref0 latest-handshakes | cut -f2)
check_true "stock peer records the handshake ($handshake)" [ "${handshake:-0}" -gt 0 ]

# What wireguard.ko does with a labelled message: it authenticates it and
# drops it as neither IPv4 nor IPv6 (receive.c, dishonest_packet_type).
rxstat() { cat "/sys/class/net/wgref0/statistics/$1"; }
transfer() { wg show wgref0 transfer | cut -f2; }
declare -A before
for name in rx_errors rx_frame_errors rx_length_errors rx_packets; do
	before[$name]=$(rxstat "$name")
done
rx_before=$(transfer)
ref_ping "labelled: " 1001
errors=$(($(rxstat rx_errors) - before[rx_errors]))
frame=$(($(rxstat rx_frame_errors) - before[rx_frame_errors]))
length=$(($(rxstat rx_length_errors) - before[rx_length_errors]))
packets=$(($(rxstat rx_packets) - before[rx_packets]))
rx=$(($(transfer) - rx_before))
check_true "labelled: stock peer counts the labelled message in rx_errors and rx_frame_errors (+$errors, +$frame; rx_length_errors +$length)" \
	[ "$errors $frame $length" = "1 1 0" ]
# The initiation (148 bytes) and the unlabelled echo request (68 bytes
# padded to 80, a 112-byte message); the labelled one (also 112) is not
# counted.
check_true "labelled: stock peer's received counters leave it out (transfer rx +$rx bytes, rx_packets +$packets; want 260 and 2)" \
	[ "$rx $packets" = "260 2" ]
ip link del wgref0
tap_end
