#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tunnel between two network namespaces: side a of kind $A, side b of
# kind $B (idtun, wg or wggo; both idtun by default, so `A=wg B=wg` runs the
# same cases with stock WireGuard). See tunnel-lib.sh for the topologies.
#
# Cases: ping IPv4 and IPv6 inside over IPv4 and IPv6 outside; iperf3 TCP
# both ways and UDP; exact transfer counters; the default MTU, path MTU
# (local and forwarded) and a jumbo underlay; roaming; a key change while
# traffic flows; peer removal; persistent keepalive through a NAT; a peer
# with 10,000 allowed IPs from a config file; malformed keys; out-of-range
# netlink attributes with their extack messages.

# shellcheck source=selftests/tunnel-lib.sh
. "$(dirname "$0")/tunnel-lib.sh"

TL_A=${A:-idtun}
TL_B=${B:-idtun}
P="$TL_A-$TL_B"
echo "# a: $TL_A, b: $TL_B, kernel $(uname -r)"
tl_kinds_ok "$TL_A" "$TL_B"
# The sides whose own configuration interface is tested: a, and b too when
# it is another kind.
sides=a
[ "$TL_B" = "$TL_A" ] || sides="a b"
t0=$SECONDS
took() {
	echo "# $1: $((SECONDS - t0)) s"
	t0=$SECONDS
}

setup() {
	if ! tl_pair "$@" >"$CHECK_OUT" 2>&1; then
		tap_not_ok "$P: set up the tunnel (tl_pair $*)"
		tap_diag "$CHECK_OUT"
		return 1
	fi
}

# --- Reachability: both inner families over both outer families ---------
# One pair; for IPv6 outside, both sides are given the other's IPv6
# endpoint.
if setup; then
	for outer in 4 6; do
		if [ "$outer" = 6 ]; then
			check "$P: endpoints switched to IPv6" tl_endpoints 6
		fi
		check "$P: ping IPv4 a->b over IPv$outer" tl_ping a 10.99.0.2
		check "$P: ping IPv4 b->a over IPv$outer" tl_ping b 10.99.0.1
		check "$P: ping IPv6 a->b over IPv$outer" tl_ping a fd99::2
		check "$P: ping IPv6 b->a over IPv$outer" tl_ping b fd99::1
		ep=$(tl_endpoint a "$outer")
		check_output "$P: b sees a at $ep" "${TL_PUB[a]}	$ep" tl_show b endpoints
		ep=$(tl_endpoint b "$outer")
		check_output "$P: a sees b at $ep" "${TL_PUB[b]}	$ep" tl_show a endpoints
	done
	for s in a b; do
		hs=$(tl_handshake "$s")
		check_true "$P: $s records the handshake ($hs)" [ "${hs:-0}" -gt 0 ]
	done
fi
took "reachability"

# --- Throughput: completion and figures only, never speed -----------------
if setup; then
	tl_iperf "$P: iperf3 TCP a->b" a b 10.99.0.2
	tl_iperf "$P: iperf3 TCP b->a" b a 10.99.0.1
	tl_iperf "$P: iperf3 TCP a->b over IPv6 inside" a b fd99::2
	tl_iperf "$P: iperf3 UDP a->b" a b 10.99.0.2 -u -b 20M
	tl_iperf "$P: iperf3 UDP b->a" b a 10.99.0.1 -u -b 20M
	# Datagrams may be lost on the way (a full socket buffer): each side
	# received at most what the other sent.
	check "$P: after iperf3, no side received more than the other sent" \
		wait_until 20 tl_counters_bounded
	echo "# a (${TL_KIND[a]}): rx $TL_RX_A tx $TL_TX_A; b (${TL_KIND[b]}): rx $TL_RX_B tx $TL_TX_B"
fi
took "iperf3"

# --- Exact counters ---------------------------------------------------------
# a initiates (only it knows an endpoint), then 10 echo requests of 84
# bytes, each padded to 96 and sealed into a 128-byte transport message:
# a sends initiation (148) + 10 x 128, b sends response (92) + 10 x 128;
# a may add one keepalive (32) if its echo request left before the
# response arrived. Both sides count UDP payload bytes.
if setup -e a; then
	check "$P: 10 pings a->b, all answered" \
		tl_in a ping -q -c 10 -i 0.05 -W 3 10.99.0.2
	tl_check_counters "$P: exact counters: each side received what the other sent"
	check_true "$P: a sent 148 + 10 x 128 (+32) bytes, received 92 + 10 x 128" \
		test "$TL_RX_A" = 1372 -a "(" "$TL_TX_A" = 1428 -o "$TL_TX_A" = 1460 ")"
fi
took "counters"

# --- MTU --------------------------------------------------------------------
if setup -c; then
	for s in a b; do
		check_output "$P: $s: default MTU 1420" 1420 \
			tl_in "$s" cat "/sys/class/net/${TL_DEV[$s]}/mtu"
	done
	check "$P: IPv4 packet of 1420 bytes with DF crosses" \
		tl_ping a 10.99.0.2 -Mdo -s 1392
	check_fails "$P: IPv4 packet of 1421 with DF: message too long, locally" \
		"message too long" tl_in a ping -c 1 -W 1 -Mdo -s 1393 10.99.0.2
	check "$P: IPv6 packet of 1420 bytes crosses" tl_ping a fd99::2 -Mdo -s 1372
	check_fails "$P: IPv6 packet of 1421: message too long, locally" \
		"message too long" tl_in a ping -c 1 -W 1 -Mdo -s 1373 fd99::2
	# Forwarded from the client namespace: a answers with ICMP.
	check_fails "$P: forwarded IPv4 1428 with DF: frag needed, mtu 1420" \
		"mtu ?= ?1420" tl_in c ping -c 2 -i 0.3 -W 1 -Mdo -s 1400 10.99.0.2
	check "$P: the client learnt the path MTU" \
		sh -c "ip -n $TL_NS_C route get 10.99.0.2 | grep -q 'mtu 1420'"
	check "$P: forwarded IPv4 of 1420 crosses" tl_ping c 10.99.0.2 -Mdo -s 1392
	check_fails "$P: forwarded IPv6 of 1448: packet too big, mtu 1420" \
		"mtu ?= ?1420" tl_in c ping -c 2 -i 0.3 -W 1 -Mdo -s 1400 fd99::2
	check "$P: forwarded IPv6 of 1420 crosses" tl_ping c fd99::2 -Mdo -s 1372
fi
if setup -m 9000; then
	for s in a b; do
		ip -n "${TL_NS[$s]}" link set "${TL_DEV[$s]}" mtu 8920
	done
	for outer in 4 6; do
		[ "$outer" = 4 ] || check "$P: jumbo: endpoints switched to IPv6" tl_endpoints 6
		check "$P: jumbo: IPv4 packet of 8920 with DF over IPv$outer (underlay 9000)" \
			tl_ping a 10.99.0.2 -Mdo -s 8892
		check "$P: jumbo: IPv6 packet of 8920 over IPv$outer, b->a" \
			tl_ping b fd99::1 -Mdo -s 8872
	done
	check_fails "$P: jumbo: 8921 bytes: message too long" "message too long" \
		tl_in a ping -c 1 -W 1 -Mdo -s 8893 10.99.0.2
fi
took "mtu"

# --- Roaming ----------------------------------------------------------------
if setup; then
	check "$P: roaming: ping a->b" tl_ping a 10.99.0.2
	check_output "$P: roaming: b sees a at 192.0.2.1:51820" \
		"${TL_PUB[a]}	192.0.2.1:51820" tl_show b endpoints
	ip -n "$TL_NS_A" addr del 192.0.2.1/24 dev eth0
	ip -n "$TL_NS_A" addr add 192.0.2.3/24 dev eth0
	check "$P: roaming: a changes its port" tl_set a listen-port 51830
	check_output "$P: roaming: a reads its new port back" 51830 tl_show a listen-port
	check "$P: roaming: a->b from the new address and port" tl_ping a 10.99.0.2
	check_output "$P: roaming: b follows a to 192.0.2.3:51830" \
		"${TL_PUB[a]}	192.0.2.3:51830" tl_show b endpoints
	check "$P: roaming: b->a reaches the new endpoint" tl_ping b 10.99.0.1
	check "$P: roaming: a talks to b over IPv6 now" \
		tl_set a peer "${TL_PUB[b]}" endpoint "[2001:db8::2]:51821"
	check "$P: roaming: a->b over IPv6" tl_ping a 10.99.0.2
	check_output "$P: roaming: b follows a to [2001:db8::1]:51830" \
		"${TL_PUB[a]}	[2001:db8::1]:51830" tl_show b endpoints
	check "$P: roaming: b->a over IPv6" tl_ping b fd99::1
fi
took "roaming"

# --- Key change while traffic flows -----------------------------------------
# b learns a's new public key (old peer out, new peer in), then a takes
# the new private key; a background ping must get answers again.
last_seq() {
	sed -n 's/.*icmp_seq=\([0-9]*\).*time=.*/\1/p' "$TL_DIR/flow.log" | tail -n 1
}
answered_after() {
	[ "$(last_seq)" -gt "$1" ] 2>/dev/null
}
if setup; then
	tl_in a ping -i 0.2 -w 40 -W 1 10.99.0.2 >"$TL_DIR/flow.log" 2>&1 &
	flow=$!
	check "$P: key change: traffic flows" wait_until 15 answered_after 0
	newpub=$(tl_genkey a a2.key)
	before=$(last_seq)
	check "$P: key change: b swaps a's public key" \
		tl_set b peer "${TL_PUB[a]}" remove \
		peer "$newpub" allowed-ips "${TL_ALLOWED[a]}" endpoint "$(tl_endpoint a 4)"
	check "$P: key change: a takes its new private key" \
		tl_set a private-key "$TL_DIR/a2.key"
	check "$P: key change: traffic resumes (after icmp_seq ${before:-?})" \
		wait_until 20 answered_after "${before:-0}"
	echo "# key change: answered up to icmp_seq $(last_seq)"
	kill "$flow" 2>/dev/null
	wait "$flow" 2>/dev/null
	check_output "$P: key change: a shows its new public key" "$newpub" \
		tl_show a public-key
	check_output "$P: key change: b has only the new peer" "$newpub" tl_show b peers
	check "$P: key change: b->a with the new keys" tl_ping b 10.99.0.1
fi
took "key change"

# --- Peer removal -----------------------------------------------------------
if setup; then
	check "$P: removal: ping a->b" tl_ping a 10.99.0.2
	check "$P: removal: a removes b" tl_set a peer "${TL_PUB[b]}" remove
	check_output "$P: removal: a has no peers" "" tl_show a peers
	check_output "$P: removal: no transfer lines" "" tl_show a transfer
	check "$P: removal: a->b stops" tl_noping a 10.99.0.2
	check "$P: removal: b->a stops" tl_noping b 10.99.0.1
fi
took "removal"

# --- Persistent keepalive through a NAT ---------------------------------
# a sits behind a masquerading router whose UDP mappings expire after 2 s;
# only a knows an endpoint. Without keepalives b loses a when the mapping
# expires; with a keepalive every second it keeps it.
if setup -n; then
	at_router='^192\.0\.2\.254:[0-9]+$'
	check "$P: NAT: b cannot reach a before a speaks" tl_noping b 10.99.0.1
	check "$P: NAT: a->b through the NAT" tl_ping a 10.99.0.2
	check "$P: NAT: b sees a at the router's address" shows b endpoints "$at_router"
	sleep 4
	check "$P: NAT: no keepalive, mapping expired: b->a fails" tl_noping b 10.99.0.1
	check "$P: NAT: a sets persistent-keepalive 1" \
		tl_set a peer "${TL_PUB[b]}" persistent-keepalive 1
	check_output "$P: NAT: a shows it" "${TL_PUB[b]}	1" tl_show a persistent-keepalive
	sleep 4
	check "$P: NAT: keepalives hold the mapping: b->a after 4 idle seconds" \
		tl_ping b 10.99.0.1
	check "$P: NAT: b sees a at the router's address" shows b endpoints "$at_router"
	check "$P: NAT: a turns keepalives off" \
		tl_set a peer "${TL_PUB[b]}" persistent-keepalive off
	check_output "$P: NAT: and shows off" "${TL_PUB[b]}	off" tl_show a persistent-keepalive
fi
took "nat"

# --- Each side's own configuration interface ---------------------------
# Malformed keys, netlink attributes out of range, and a peer with 10,002
# allowed IPs, on a (and b, when it is another kind), on one pair.

b64=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
# noncanonical KEY: the same 32 bytes with a stray bit in the 43rd digit,
# which a strict decoder refuses.
noncanonical() {
	local rest=${b64#*"${1:42:1}"}
	echo "${1:0:42}${rest:0:1}="
}
# check_key_rejected DESC CMD...: CMD fails with one line about a key.
check_key_rejected() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_not_ok "$desc (accepted)"
	elif [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && grep -qi key <<<"$out"; then
		tap_ok "$desc"
		echo "# error: $out"
	else
		tap_not_ok "$desc (not one line about a key)"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}

# CASE|expected for idtun|expected for stock wireguard.ko ("=": the same;
# "*": rejected, the message unchecked: it validates nested attributes in
# its handlers, without extack; "-": not rejected by it, skipped).
nl_cases="valid|ok|ok
private-key-short|ERANGE: binary attribute size out of range @ private-key|=
private-key-long|ERANGE: binary attribute size out of range @ private-key|=
ifname-long|EINVAL: Attribute failed policy validation @ ifname|=
listen-port-size|EINVAL: invalid attribute length @ listen-port|=
generation|EINVAL: Unsupported attribute @ generation|*
peers-not-nested|EINVAL: NLA_F_NESTED is missing @ peers|=
device-flags|EINVAL: reserved bit set @ flags|*
peer-key-short|ERANGE: binary attribute size out of range @ peers/0/public-key|*
preshared-key-long|ERANGE: binary attribute size out of range @ peers/0/preshared-key|*
peer-flags|EINVAL: reserved bit set @ peers/0/flags|*
endpoint-short|ERANGE: binary attribute size out of range @ peers/0/endpoint|*
endpoint-long|ERANGE: binary attribute size out of range @ peers/0/endpoint|-
protocol-version|ERANGE: integer out of range @ peers/0/protocol-version|*
cidr-mask|ERANGE: integer out of range @ peers/0/allowed-ips/0/cidr-mask|*
ipaddr-short|ERANGE: binary attribute size out of range @ peers/0/allowed-ips/0/ipaddr|*
ipaddr-long|ERANGE: binary attribute size out of range @ peers/0/allowed-ips/0/ipaddr|*
allowedip-flags|EINVAL: reserved bit set @ peers/0/allowed-ips/0/flags|*"

# allowed_ips EXTRA: 10,000 prefixes (IPv4 /32 and /24, IPv6 /128 and
# /48) and EXTRA (comma-separated), one a line.
allowed_ips() {
	local i
	for ((i = 0; i < 2500; i++)); do
		echo "10.1.$((i / 250)).$((i % 250))/32"
		echo "10.$((64 + i / 250)).$((i % 250)).0/24"
		printf 'fd00:1::%x/128\nfd00:2:%x::/48\n' $((i + 1)) $((i + 1))
	done
	tr ',' '\n' <<<"$1"
}

for s in $sides; do
	setup || break
	o=$(tl_other "$s")
	k=${TL_KIND[$s]}

	# Malformed keys: rejected with one line, nothing changed.
	priv=$(<"$TL_DIR/$s.key")
	noncanonical "$priv" >"$TL_DIR/bad-noncanonical"
	head -c 31 /dev/urandom | base64 >"$TL_DIR/bad-31"
	head -c 33 /dev/urandom | base64 >"$TL_DIR/bad-33"
	echo "${priv:0:20}" >"$TL_DIR/bad-short"
	for f in noncanonical 31 33 short; do
		check_key_rejected "$P: $k: private key file ($f) rejected" \
			tl_set "$s" private-key "$TL_DIR/bad-$f"
	done
	check_key_rejected "$P: $k: non-canonical peer public key rejected" \
		tl_set "$s" peer "$(noncanonical "${TL_PUB[$o]}")"
	check_key_rejected "$P: $k: peer public key of 33 bytes rejected" \
		tl_set "$s" peer "$(<"$TL_DIR/bad-33")"
	check_key_rejected "$P: $k: peer public key of 31 bytes rejected" \
		tl_set "$s" peer "$(<"$TL_DIR/bad-31")"
	check_key_rejected "$P: $k: non-canonical preshared key rejected" \
		tl_set "$s" peer "${TL_PUB[$o]}" preshared-key "$TL_DIR/bad-noncanonical"
	check_output "$P: $k: private key unchanged" "$priv" tl_show "$s" private-key
	check_output "$P: $k: peers unchanged" "${TL_PUB[$o]}" tl_show "$s" peers
	check_output "$P: $k: no preshared key set" "${TL_PUB[$o]}	(none)" \
		tl_show "$s" preshared-keys
	took "$s: keys"

	# Netlink attributes out of range, with their extack messages.
	if [ "$k" = wggo ]; then
		tap_skip "$P: netlink attribute checks" "wireguard-go has no netlink interface"
	else
		declare -A nl_got=()
		mapfile -t nl_names < <(cut -d'|' -f1 <<<"$nl_cases")
		while IFS=$'\t' read -r c got; do
			nl_got[$c]=$got
		done < <(tl_nl "$s" "${nl_names[@]}")
		while IFS='|' read -r c want_idtun want_wg; do
			want=$want_idtun
			if [ "$k" = wg ]; then
				want=$want_wg
				[ "$want" != = ] || want=$want_idtun
			fi
			got=${nl_got[$c]:-no answer}
			case $want in
			-) tap_skip "$P: $k: netlink $c" "accepted by this implementation" ;;
			\*) check_true "$P: $k: netlink $c rejected ($got)" \
				test "$got" != ok -a "$got" != "no answer" ;;
			*) check_true "$P: $k: netlink $c: $want" test "$got" = "$want" ;;
			esac
		done <<<"$nl_cases"
		if [ "$k" = idtun ]; then
			check_output "$P: $k: rejected requests changed nothing" "${TL_PUB[$o]}" \
				tl_show "$s" peers
		else
			tap_skip "$P: $k: rejected requests changed nothing" \
				"stock WireGuard applies what precedes an error in its handler"
		fi
	fi
	took "$s: netlink"

	# A peer with 10,002 allowed IPs, from a config file.
	allowed_ips "${TL_ALLOWED[$o]}" >"$TL_DIR/allowed"
	sort "$TL_DIR/allowed" >"$TL_DIR/want"
	{
		echo "[Interface]"
		echo "PrivateKey = $priv"
		echo "ListenPort = ${TL_PORT[$s]}"
		echo
		echo "[Peer]"
		echo "PublicKey = ${TL_PUB[$o]}"
		echo "Endpoint = $(tl_endpoint "$o" 4)"
		n=0 line=""
		while read -r ip; do
			line+=${line:+, }$ip
			n=$((n + 1))
			if [ "$n" = 100 ]; then
				echo "AllowedIPs = $line"
				n=0 line=""
			fi
		done <"$TL_DIR/allowed"
		[ -z "$line" ] || echo "AllowedIPs = $line"
	} >"$TL_DIR/big.conf"
	check "$P: $k: setconf with 10,002 allowed IPs" \
		tl_tool "$s" setconf "${TL_DEV[$s]}" "$TL_DIR/big.conf"
	tl_show "$s" allowed-ips | cut -f2 | tr ' ' '\n' | sort >"$TL_DIR/got"
	check "$P: $k: show allowed-ips lists all 10,002" cmp "$TL_DIR/want" "$TL_DIR/got"
	echo "# show allowed-ips: $(wc -l <"$TL_DIR/got") prefixes"
	tl_tool "$s" showconf "${TL_DEV[$s]}" | sed -n 's/^AllowedIPs = //p' |
		tr -d ' ' | tr ',' '\n' | sort >"$TL_DIR/got"
	check "$P: $k: showconf lists all 10,002" cmp "$TL_DIR/want" "$TL_DIR/got"
	check "$P: $k: traffic still routed to the peer" tl_ping "$s" "${TL_IN4[$o]}"
	took "$s: allowed ips"
done

tl_down
tap_end
