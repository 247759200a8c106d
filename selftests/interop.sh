#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interoperability of one implementation (A, default idtun) with others
# (B, default "wg wggo": the stock wireguard.ko with wg, and wireguard-go;
# "wg" alone on the debug kernel), each way round: A as the handshake's
# initiator (only A knows the other's endpoint) and as its responder. `A=wg B="wg wggo"` runs the same cases
# between stock implementations. See tunnel-lib.sh for the topology.
#
# Per pair and role: first contact with exact byte counts, ping both ways
# over IPv4 and IPv6, iperf3 TCP both ways, transfer counters that match
# across implementations, rekeying forced from either side (with a new
# preshared key), and persistent keepalives both ways.

# shellcheck source=selftests/tunnel-lib.sh
. "$(dirname "$0")/tunnel-lib.sh"

subject=${A:-idtun}
# The debug kernel checks idtun's kernel code for KASAN, lockdep and leak
# reports, and is five to ten times slower: there idtun meets wireguard.ko
# only, as against wireguard-go (a userspace peer) it runs the same code,
# and wireguard-go under KASAN and TCG would not fit the time limit.
if [ "${IDTUN_KERNEL:-}" = debug ]; then
	others=${B:-wg}
else
	others=${B:-wg wggo}
fi
echo "# subject: $subject, others: $others, kernel $(uname -r)"
# shellcheck disable=SC2086 # a list of kinds
tl_kinds_ok "$subject" $others

# handshake_after SIDE TIME: SIDE's latest handshake is later than TIME.
handshake_after() {
	local t
	t=$(tl_handshake "$1")
	[ "${t:-0}" -gt "$2" ]
}

# rx_grew SIDE BEFORE MIN: SIDE's rx counter grew by at least MIN bytes
# since BEFORE, in whole keepalives (32 bytes each).
rx_grew() {
	local rx d
	read -r rx _ < <(tl_transfer "$1")
	d=$((rx - $2))
	echo "rx grew by $d bytes"
	[ "$d" -ge "$3" ] && [ $((d % 32)) = 0 ]
}

# deltas_match MIN: since the snapshot rxa txa rxb txb, what each side
# received grew as much as what the other sent, by at least MIN bytes.
deltas_match() {
	tl_counters_agree
	[ $((TL_RX_A - rxa)) = $((TL_TX_B - txb)) ] &&
		[ $((TL_TX_A - txa)) = $((TL_RX_B - rxb)) ] &&
		[ $((TL_TX_A - txa)) -ge "$1" ]
}

# snapshot: rxa txa rxb txb, read when two readings agree (nothing in
# flight).
snapshot() {
	local prev=
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		tl_counters_agree
		[ "$prev" = "$TL_RX_A $TL_TX_A $TL_RX_B $TL_TX_B" ] && break
		prev="$TL_RX_A $TL_TX_A $TL_RX_B $TL_TX_B"
		sleep 0.3
	done
	rxa=$TL_RX_A txa=$TL_TX_A rxb=$TL_RX_B txb=$TL_TX_B
}

tl_genpsk() {
	if [ "$subject" = idtun ]; then "$IDTUN" genpsk; else wg genpsk; fi
}

for other in $others; do
	for role in initiator responder; do
		TL_A=$subject
		TL_B=$other
		P="$subject($role)-$other"
		if [ "$role" = initiator ]; then
			init=a resp=b
		else
			init=b resp=a
		fi
		t0=$SECONDS
		if ! tl_pair -e "$init" >"$CHECK_OUT" 2>&1; then
			tap_not_ok "$P: set up the tunnel"
			tap_diag "$CHECK_OUT"
			continue
		fi

		# First contact: the initiator's 10 echo requests; see
		# tunnel.sh for the arithmetic of the byte counts.
		check "$P: first contact: 10 pings from the initiator, all answered" \
			tl_in "$init" ping -q -c 10 -i 0.05 -W 3 "${TL_IN4[$resp]}"
		tl_check_counters "$P: first contact: each side counted what the other sent"
		if [ "$init" = a ]; then
			irx=$TL_RX_A itx=$TL_TX_A
		else
			irx=$TL_RX_B itx=$TL_TX_B
		fi
		check_true "$P: first contact: initiator sent 1428 (+32) bytes, received 1372" \
			test "$irx" = 1372 -a "(" "$itx" = 1428 -o "$itx" = 1460 ")"
		check_output "$P: the responder learnt the initiator's endpoint" \
			"${TL_PUB[$init]}	$(tl_endpoint "$init" 4)" tl_show "$resp" endpoints
		for s in a b; do
			hs=$(tl_handshake "$s")
			check_true "$P: $s (${TL_KIND[$s]}) records the handshake ($hs)" \
				[ "${hs:-0}" -gt 0 ]
		done
		check "$P: ping IPv4 responder->initiator" tl_ping "$resp" "${TL_IN4[$init]}"
		check "$P: ping IPv6 a->b" tl_ping a fd99::2
		check "$P: ping IPv6 b->a" tl_ping b fd99::1

		tl_iperf "$P: iperf3 TCP a->b" a b 10.99.0.2
		tl_iperf "$P: iperf3 TCP b->a" b a 10.99.0.1
		check "$P: after iperf3, no side received more than the other sent" \
			wait_until 20 tl_counters_bounded
		echo "# a: rx $TL_RX_A tx $TL_TX_A; b: rx $TL_RX_B tx $TL_TX_B"

		# Counted alike, once nothing is lost: a known exchange moves
		# both sides' counters by the same amounts.
		snapshot
		check "$P: 10 pings a->b" tl_in a ping -q -c 10 -i 0.05 -W 3 10.99.0.2
		check "$P: both sides count the exchange alike" wait_until 20 deltas_match 1280
		echo "# a: +$((TL_RX_A - rxa)) rx +$((TL_TX_A - txa)) tx; b: +$((TL_RX_B - rxb)) rx +$((TL_TX_B - txb)) tx"

		# Forced rekeying (no knob for REKEY_AFTER_TIME): a new
		# preshared key on both sides, and the peer removed and added
		# again on one side, which then has no session and starts a
		# handshake; the other replaces its session.
		for fresh in b a; do
			keep=$(tl_other "$fresh")
			tl_genpsk >"$TL_DIR/psk"
			ha=$(tl_handshake a)
			hb=$(tl_handshake b)
			sleep 1.1 # handshake times have a resolution of a second
			check "$P: rekey from $fresh: $keep takes a new preshared key" \
				tl_set "$keep" peer "${TL_PUB[$fresh]}" preshared-key "$TL_DIR/psk"
			check "$P: rekey from $fresh: $fresh removes its peer" \
				tl_set "$fresh" peer "${TL_PUB[$keep]}" remove
			check "$P: rekey from $fresh: and adds it back with the key" \
				tl_set "$fresh" peer "${TL_PUB[$keep]}" preshared-key "$TL_DIR/psk" \
				allowed-ips "${TL_ALLOWED[$keep]}" endpoint "$(tl_endpoint "$keep" 4)"
			check "$P: rekey from $fresh: traffic continues ($fresh->$keep)" \
				tl_ping "$fresh" "${TL_IN4[$keep]}"
			check "$P: rekey from $fresh: a's latest handshake advances" \
				wait_until 10 handshake_after a "${ha:-0}"
			check "$P: rekey from $fresh: b's latest handshake advances" \
				wait_until 10 handshake_after b "${hb:-0}"
			check "$P: rekey from $fresh: traffic continues ($keep->$fresh, IPv6)" \
				tl_ping "$keep" "${TL_IN6[$fresh]}"
		done

		# Persistent keepalives, each way: the receiver counts them.
		# (Removing a peer reset its counters: a new snapshot.)
		snapshot
		for s in a b; do
			o=$(tl_other "$s")
			read -r orx _ < <(tl_transfer "$o")
			check "$P: $s (${TL_KIND[$s]}) sends a keepalive every second" \
				tl_set "$s" peer "${TL_PUB[$o]}" persistent-keepalive 1
			sleep 3
			check "$P: $o (${TL_KIND[$o]}) receives them" rx_grew "$o" "$orx" 64
			check "$P: $s stops them" \
				tl_set "$s" peer "${TL_PUB[$o]}" persistent-keepalive off
		done
		check "$P: keepalives: each side counted what the other sent" \
			wait_until 20 deltas_match 64
		echo "# a: +$((TL_RX_A - rxa)) rx +$((TL_TX_A - txa)) tx; b: +$((TL_RX_B - rxb)) rx +$((TL_TX_B - txb)) tx"
		echo "# $P: $((SECONDS - t0)) s"
	done
done
tl_down
tap_end
