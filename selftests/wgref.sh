#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The protocol reference scripts/wgref.py, which computes the values the
# module's handshake and transport code must match, against a stock
# WireGuard peer: wireguard.ko configured with wg, on loopback. The
# reference handshakes with it and exchanges an ICMP echo through it.

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

"$ref" ping 51820 "$(echo "$ourpriv" | hex)" "$(echo "$wgpriv" | wg pubkey | hex)" \
	"$(echo "$psk" | hex)" 10.77.0.2 10.77.0.1 >"$CHECK_OUT" 2>&1
while IFS= read -r line; do
	case $line in
	"ok "*) tap_ok "${line#ok * - }" ;;
	"not ok "*) tap_not_ok "${line#not ok * - }" ;;
	esac
done <"$CHECK_OUT"
grep -q '^ok' "$CHECK_OUT" || tap_diag "$CHECK_OUT"
handshake=$(wg show wgref0 latest-handshakes | cut -f2)
check_true "stock peer records the handshake ($handshake)" [ "${handshake:-0}" -gt 0 ]
ip link del wgref0
tap_end
