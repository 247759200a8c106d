#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared harness of the tunnel selftests (tunnel.sh, interop.sh): network
# namespaces, and two tunnel endpoints, "a" and "b", each of one kind:
#
#   idtun  idtun.ko, configured with the idtun tool only
#   wg     the stock wireguard.ko, configured with wg and ip only
#   wggo   wireguard-go (userspace, on a tun device), configured with wg
#
# A test sources this file, picks the kinds from the environment (A, B),
# builds a topology with tl_pair for each case and tears it down with
# tl_down; the EXIT trap cleans up whatever is left.
#
# Topologies (tl_pair; outer = the UDP underlay, inner = the tunnel):
#
#   direct:  [tl-a] eth0 192.0.2.1/24 2001:db8::1/64
#               |  veth
#            [tl-b] eth0 192.0.2.2/24 2001:db8::2/64
#
#   nat (-n): [tl-a] eth0 198.51.100.2/24, default via tl-r
#               |
#             [tl-r] eth-a 198.51.100.1/24 | eth-b 192.0.2.254/24,
#               |    nftables masquerade out of eth-b
#             [tl-b] eth0 192.0.2.2/24 (no route back to 198.51.100.0/24)
#
#   client (-c): [tl-c] 10.98.0.2/24 fd98::2/64 routed through tl-a
#
#   tunnel:  a 10.99.0.1/24 fd99::1/64 (device tun-a, UDP port 51820)
#            b 10.99.0.2/24 fd99::2/64 (device tun-b, UDP port 51821)
#
# Run on the host (where modules cannot load), a test that sources this
# file starts itself in the VM instead: `A=wg B=wggo bash selftests/tunnel.sh
# [-k KERNEL] [-o DIR] [-K]` runs it through selftests/vm/run with A and B
# passed on.

if [ -z "${IDTUN_KO:-}" ]; then
	tl_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	tl_test=$(realpath "$0")
	tl_name=$(basename "$tl_test" .sh)-${A:-default}-${B:-default}
	tl_name=${tl_name// /+}
	tl_wrap=$(mktemp -d "${TMPDIR:-/tmp}/idtun-tl.XXXXXX")
	cp "$tl_top/selftests/settings" "$tl_wrap/settings"
	{
		echo '#!/bin/bash'
		[ -z "${A+x}" ] || printf 'export A=%q\n' "$A"
		[ -z "${B+x}" ] || printf 'export B=%q\n' "$B"
		printf 'exec bash %q\n' "$tl_test"
	} >"$tl_wrap/$tl_name.sh"
	chmod +x "$tl_wrap/$tl_name.sh"
	"$tl_top/selftests/vm/run" "$@" "$tl_wrap/$tl_name.sh"
	tl_rc=$?
	rm -rf "$tl_wrap"
	exit "$tl_rc"
fi

# shellcheck source=selftests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export WG_HIDE_KEYS=never LC_ALL=C
umask 077
PY=/usr/bin/python3
# iperf3 runs this long (s); the debug kernel is ten times slower.
TL_IPERF_TIME=2
[ "${IDTUN_KERNEL:-}" != debug ] || TL_IPERF_TIME=1

TL_NS_A=tl-a
TL_NS_B=tl-b
TL_NS_R=tl-r
TL_NS_C=tl-c
TL_DIR=$(mktemp -d)
declare -A TL_KIND TL_NS TL_DEV TL_PORT TL_PUB TL_PID TL_IN4 TL_IN6 \
	TL_OUT4 TL_OUT6 TL_ALLOWED TL_KEYS
TL_NS[a]=$TL_NS_A
TL_NS[b]=$TL_NS_B
TL_DEV[a]=tun-a
TL_DEV[b]=tun-b
TL_IN4[a]=10.99.0.1
TL_IN4[b]=10.99.0.2
TL_IN6[a]=fd99::1
TL_IN6[b]=fd99::2
# What each side's peer accepts from it (and routes to it): its own inner
# addresses, and for a, the client network behind it.
TL_ALLOWED[a]=10.99.0.1/32,fd99::1/128,10.98.0.0/24,fd98::/64
TL_ALLOWED[b]=10.99.0.2/32,fd99::2/128

tl_exit() {
	tl_down
	rm -rf "$TL_DIR" "$CHECK_OUT"
}
trap tl_exit EXIT

tl_other() {
	if [ "$1" = a ]; then echo b; else echo a; fi
}

# tl_kinds_ok KIND...: each kind is known and usable here; loads what it
# needs. A kind that cannot run in this kernel ends the test with a skip;
# an idtun that cannot load fails it.
tl_kinds_ok() {
	local k
	for k in "$@"; do
		case $k in
		idtun)
			if [ ! -x "$IDTUN" ]; then
				tap_not_ok "idtun tool not built ($IDTUN)"
				tap_end
				exit 1
			fi
			if ! load_idtun; then
				tap_not_ok "idtun.ko loads"
				tap_end
				exit 1
			fi
			;;
		wg)
			if ! modprobe wireguard 2>/dev/null && [ ! -d /sys/module/wireguard ]; then
				tap_skip "stock WireGuard" "no wireguard module in this kernel"
				tap_end
				exit 0
			fi
			;;
		wggo)
			modprobe tun 2>/dev/null
			if ! command -v wireguard-go >/dev/null || [ ! -c /dev/net/tun ]; then
				tap_skip "wireguard-go" "wireguard-go or /dev/net/tun missing"
				tap_end
				exit 0
			fi
			;;
		*)
			tap_not_ok "unknown kind '$k' (idtun, wg or wggo)"
			tap_end
			exit 1
			;;
		esac
	done
}

# tl_in SIDE CMD...: run CMD in SIDE's namespace (a, b, r or c).
tl_in() {
	local ns
	case $1 in
	a | b) ns=${TL_NS[$1]} ;;
	r) ns=$TL_NS_R ;;
	c) ns=$TL_NS_C ;;
	esac
	shift
	ip netns exec "$ns" "$@"
}

# tl_tool SIDE ARGS...: SIDE's own configuration tool, in its namespace.
tl_tool() {
	local side=$1
	shift
	if [ "${TL_KIND[$side]}" = idtun ]; then
		tl_in "$side" "$IDTUN" "$@"
	else
		tl_in "$side" wg "$@"
	fi
}

# tl_set SIDE ARGS...: `set DEV ARGS` with SIDE's tool.
tl_set() {
	local side=$1
	shift
	tl_tool "$side" set "${TL_DEV[$side]}" "$@"
}

# tl_show SIDE [FIELD]: `show DEV FIELD` with SIDE's tool.
tl_show() {
	local side=$1
	shift
	tl_tool "$side" show "${TL_DEV[$side]}" "$@"
}

# tl_genkey SIDE NAME: a private key made by SIDE's tool in $TL_DIR/NAME;
# prints its public key.
tl_genkey() {
	local side=$1 f=$TL_DIR/$2
	if [ "${TL_KIND[$side]}" = idtun ]; then
		"$IDTUN" genkey >"$f" && "$IDTUN" pubkey <"$f"
	else
		wg genkey >"$f" && wg pubkey <"$f"
	fi
}

# tl_endpoint SIDE FAMILY: SIDE's outer address and port, as an endpoint.
tl_endpoint() {
	if [ "$2" = 6 ]; then
		echo "[${TL_OUT6[$1]}]:${TL_PORT[$1]}"
	else
		echo "${TL_OUT4[$1]}:${TL_PORT[$1]}"
	fi
}

# tl_endpoints FAMILY: each side is given the other's endpoint of FAMILY.
tl_endpoints() {
	tl_set a peer "${TL_PUB[b]}" endpoint "$(tl_endpoint b "$1")" &&
		tl_set b peer "${TL_PUB[a]}" endpoint "$(tl_endpoint a "$1")"
}

# tl_create SIDE: start wireguard-go for SIDE (the kernel kinds' devices
# are created by tl_pair's ip batch), in the foreground so the pid is ours
# to stop; it creates its tun device, then listens on
# /var/run/wireguard/DEV.sock, where wg finds it by name.
tl_create() {
	local side=$1 dev=${TL_DEV[$1]}
	[ "${TL_KIND[$side]}" = wggo ] || return 0
	tl_in "$side" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error \
		wireguard-go "$dev" >"$TL_DIR/wggo-$side.log" 2>&1 &
	TL_PID[$side]=$!
	if ! wait_until 30 test -S "/var/run/wireguard/$dev.sock"; then
		echo "wireguard-go did not start:" >&2
		cat "$TL_DIR/wggo-$side.log" >&2
		return 1
	fi
}

# tl_pair [-o 4|6] [-e both|a|b|none] [-n] [-c] [-k SECONDS] [-m MTU]:
# namespaces, underlay, and a tunnel between a (kind $TL_A) and b (kind
# $TL_B), configured and up, nothing sent yet.
#   -o  outer address family of the endpoints (default 4)
#   -e  which side is given the other's endpoint (default both): a side
#       without one learns it from the first authenticated packet
#   -n  a behind a masquerading router (implies -e a, outer IPv4)
#   -c  a client namespace behind a, routed through the tunnel
#   -k  a's persistent keepalive towards b
#   -m  MTU of the underlay links (default 1500)
# Each process costs seconds on the debug kernel under TCG, so ip runs in
# batches, one per namespace.
tl_pair() {
	local fam=4 ends=both nat="" client="" ka="" mtu=1500 opt OPTIND=1 s o
	local -A batch
	while getopts o:e:nck:m: opt; do
		case $opt in
		o) fam=$OPTARG ;;
		e) ends=$OPTARG ;;
		n) nat=1 ends=a fam=4 ;;
		c) client=1 ;;
		k) ka=$OPTARG ;;
		m) mtu=$OPTARG ;;
		*) return 2 ;;
		esac
	done
	tl_down
	TL_KIND[a]=$TL_A
	TL_KIND[b]=$TL_B
	TL_PORT[a]=51820
	TL_PORT[b]=51821
	batch[a]="link set lo up"$'\n'
	batch[b]=${batch[a]}
	batch[r]=${batch[a]}
	batch[c]=${batch[a]}
	ip netns add "$TL_NS_A" && ip netns add "$TL_NS_B" || return 1
	if [ -n "$nat" ]; then
		ip netns add "$TL_NS_R" || return 1
		batch[a]+="link add eth0 type veth peer name eth-a netns $TL_NS_R
link set eth0 up
addr add 198.51.100.2/24 dev eth0
route add default via 198.51.100.1
"
		batch[r]+="link add eth-b type veth peer name eth0 netns $TL_NS_B
link set eth-a up
link set eth-b up
addr add 198.51.100.1/24 dev eth-a
addr add 192.0.2.254/24 dev eth-b
"
		batch[b]+="link set eth0 up
addr add 192.0.2.2/24 dev eth0
"
		TL_OUT4[a]=198.51.100.2
		TL_OUT4[b]=192.0.2.2
	else
		TL_OUT4[a]=192.0.2.1
		TL_OUT4[b]=192.0.2.2
		TL_OUT6[a]=2001:db8::1
		TL_OUT6[b]=2001:db8::2
		batch[a]+="link add eth0 type veth peer name eth0 netns $TL_NS_B"$'\n'
		for s in a b; do
			batch[$s]+="link set eth0 mtu $mtu up
addr add ${TL_OUT4[$s]}/24 dev eth0
addr add ${TL_OUT6[$s]}/64 dev eth0 nodad
"
		done
	fi
	if [ -n "$client" ]; then
		ip netns add "$TL_NS_C" || return 1
		batch[c]+="link add eth0 type veth peer name eth-c netns $TL_NS_A
link set eth0 up
addr add 10.98.0.2/24 dev eth0
addr add fd98::2/64 dev eth0 nodad
route add default via 10.98.0.1
route add default via fd98::1
"
	fi
	for s in a b; do
		case ${TL_KIND[$s]} in
		idtun) batch[$s]+="link add ${TL_DEV[$s]} type idtun"$'\n' ;;
		wg) batch[$s]+="link add ${TL_DEV[$s]} type wireguard"$'\n' ;;
		esac
	done
	# Order: each veth is created from the namespace listed first.
	tl_batch "$TL_NS_A" "${batch[a]}" || return 1
	[ -z "$nat" ] || tl_batch "$TL_NS_R" "${batch[r]}" || return 1
	tl_batch "$TL_NS_B" "${batch[b]}" || return 1
	[ -z "$client" ] || tl_batch "$TL_NS_C" "${batch[c]}" || return 1
	if [ -n "$nat" ]; then
		# Masquerade, with UDP mappings that expire after 2 s so a
		# test sees them go.
		tl_in r sh -c 'sysctl -qw net.ipv4.ip_forward=1 &&
			nft -f - &&
			sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2 \
				net.netfilter.nf_conntrack_udp_timeout_stream=2' <<-EOF || return 1
			table ip nat {
				chain post {
					type nat hook postrouting priority srcnat;
					oifname "eth-b" masquerade
				}
			}
		EOF
	fi
	batch[a]=""
	batch[b]=""
	if [ -n "$client" ]; then
		batch[a]+="link set eth-c up
addr add 10.98.0.1/24 dev eth-c
addr add fd98::1/64 dev eth-c nodad
"
		batch[b]+="route add 10.98.0.0/24 dev ${TL_DEV[b]}
route add fd98::/64 dev ${TL_DEV[b]}
"
		tl_in a sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	fi
	for s in a b; do
		tl_create "$s" || return 1
		tl_keys "$s" || return 1
		o=$(tl_other "$s")
		batch[$s]="addr add ${TL_IN4[$s]}/24 dev ${TL_DEV[$s]}
addr add ${TL_IN6[$s]}/64 dev ${TL_DEV[$s]} nodad
link set ${TL_DEV[$s]} up
${batch[$s]}"
	done
	for s in a b; do
		local args=()
		o=$(tl_other "$s")
		args=(private-key "$TL_DIR/$s.key" listen-port "${TL_PORT[$s]}"
			peer "${TL_PUB[$o]}" allowed-ips "${TL_ALLOWED[$o]}")
		if [ "$ends" = both ] || [ "$ends" = "$s" ]; then
			args+=(endpoint "$(tl_endpoint "$o" "$fam")")
		fi
		if [ "$s" = a ] && [ -n "$ka" ]; then
			args+=(persistent-keepalive "$ka")
		fi
		tl_set "$s" "${args[@]}" || return 1
		tl_batch "${TL_NS[$s]}" "${batch[$s]}" || return 1
	done
	# wireguard-go brings its device up when it sees the link up.
	for s in a b; do
		[ "${TL_KIND[$s]}" != wggo ] ||
			wait_until 10 sh -c "ip -n ${TL_NS[$s]} link show ${TL_DEV[$s]} | grep -q LOWER_UP"
	done
}

# tl_batch NS COMMANDS: ip commands, one a line, in namespace NS.
tl_batch() {
	ip -n "$1" -batch - <<<"$2"
}

# tl_keys SIDE: SIDE's key pair in $TL_DIR/SIDE.key and TL_PUB[SIDE],
# made by its kind's tool once per test and kept for later pairs.
tl_keys() {
	local side=$1 kind=${TL_KIND[$1]}
	if [ -z "${TL_KEYS[$side-$kind]:-}" ]; then
		TL_KEYS[$side-$kind]=$(tl_genkey "$side" "$side-$kind.key") || return 1
	fi
	cp "$TL_DIR/$side-$kind.key" "$TL_DIR/$side.key"
	TL_PUB[$side]=${TL_KEYS[$side-$kind]}
}

# tl_down: stop wireguard-go, delete the namespaces (and with them the
# devices and veths).
tl_down() {
	local s ns
	for s in a b; do
		if [ -n "${TL_PID[$s]:-}" ]; then
			kill "${TL_PID[$s]}" 2>/dev/null
			wait "${TL_PID[$s]}" 2>/dev/null
			TL_PID[$s]=
		fi
	done
	for ns in "$TL_NS_A" "$TL_NS_B" "$TL_NS_R" "$TL_NS_C"; do
		[ -e "/run/netns/$ns" ] || continue
		# shellcheck disable=SC2046 # one pid per word
		kill $(ip netns pids "$ns") 2>/dev/null
		ip netns del "$ns"
	done
	return 0
}

# tl_ping SIDE ADDRESS [PING OPTIONS...]: a few pings from SIDE (success:
# at least one answer; the first may wait for the handshake).
tl_ping() {
	local side=$1 dst=$2
	shift 2
	tl_in "$side" ping -q -c 3 -i 0.3 -W 3 "$@" "$dst"
}

# tl_noping SIDE ADDRESS: two pings, none answered.
tl_noping() {
	! tl_in "$1" ping -q -c 2 -i 0.3 -W 1 "$2"
}

# tl_transfer SIDE: "RX TX" bytes of SIDE's (only) peer.
tl_transfer() {
	local _k rx tx
	IFS=$'\t' read -r _k rx tx < <(tl_show "$1" transfer)
	echo "$rx $tx"
}

# tl_counters_agree: what a counted as received is what b counted as
# sent, and the other way round. Sets TL_RX_A TL_TX_A TL_RX_B TL_TX_B.
tl_counters_agree() {
	read -r TL_RX_A TL_TX_A < <(tl_transfer a)
	read -r TL_RX_B TL_TX_B < <(tl_transfer b)
	[ -n "$TL_RX_A" ] && [ "$TL_RX_A" = "$TL_TX_B" ] && [ "$TL_TX_A" = "$TL_RX_B" ]
}

# tl_counters_bounded: neither side received more than the other sent
# (packets may be lost on the underlay). Sets the same variables. Poll it
# (wait_until): a packet may pass between the two sides' reads.
tl_counters_bounded() {
	tl_counters_agree
	[ -n "$TL_RX_A" ] && [ -n "$TL_RX_B" ] &&
		[ "$TL_RX_A" -le "$TL_TX_B" ] && [ "$TL_RX_B" -le "$TL_TX_A" ]
}

# tl_check_counters DESC: the counters agree once the last packets are
# counted; the figures go to TAP. They are polled: a passive keepalive
# (sent 10 s after data was last received) may pass between two reads.
tl_check_counters() {
	if wait_until 20 tl_counters_agree; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
	fi
	echo "# a (${TL_KIND[a]}): rx $TL_RX_A tx $TL_TX_A; b (${TL_KIND[b]}): rx $TL_RX_B tx $TL_TX_B"
}

# shows SIDE FIELD REGEX: `show DEV FIELD` has a line whose value (after
# the peer's key) matches REGEX.
shows() {
	tl_show "$1" "$2" | cut -f2- | grep -qE -- "$3"
}

# tl_handshake SIDE: unix time of SIDE's latest handshake with its peer.
tl_handshake() {
	local _k t
	IFS=$'\t' read -r _k t < <(tl_show "$1" latest-handshakes)
	echo "$t"
}

# tl_listening SIDE PORT: a TCP socket listens on PORT in SIDE's netns.
tl_listening() {
	[ -n "$(ss -N "${TL_NS[$1]}" -Hltn "sport = :$2")" ]
}

# tl_iperf DESC CLIENT SERVER-SIDE ADDRESS [IPERF3 OPTIONS...]: a short
# iperf3 run; passes when it completes with data moved, and prints the
# throughput as a diagnostic (TCG: figures only compare within one run),
# and in Mbit/s in TL_IPERF_MBPS (empty when the run failed).
tl_iperf() {
	local desc=$1 cli=$2 srv=$3 dst=$4 spid rate
	shift 4
	TL_IPERF_MBPS=
	tl_in "$srv" iperf3 -s -1 -p 5201 >"$TL_DIR/iperf-server.log" 2>&1 &
	spid=$!
	if ! wait_until 30 tl_listening "$srv" 5201; then
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
		tap_not_ok "$desc (iperf3 server did not start)"
		tap_diag "$TL_DIR/iperf-server.log"
		return
	fi
	timeout 60 ip netns exec "${TL_NS[$cli]}" iperf3 -c "$dst" -p 5201 \
		-t "$TL_IPERF_TIME" --connect-timeout 5000 -J "$@" >"$TL_DIR/iperf.json" 2>&1
	wait "$spid" 2>/dev/null
	# The receiver's sum, without a JSON parser (python3 alone takes
	# seconds to start on the debug kernel).
	local j bytes bps
	j=$(<"$TL_DIR/iperf.json")
	j=${j//[[:space:]]/}
	if [[ $j =~ \"sum_received\":\{[^}]*\"bytes\":([0-9]+)[^}]*\"bits_per_second\":([0-9.eE+-]+) ]] &&
		bytes=${BASH_REMATCH[1]} bps=${BASH_REMATCH[2]} &&
		[ "$bytes" -gt 0 ] && [[ $j != *\"error\":* ]]; then
		printf -v TL_IPERF_MBPS '%.1f' "${bps}e-6"
		printf -v rate '%s Mbit/s, %d bytes received' "$TL_IPERF_MBPS" "$bytes"
		tap_ok "$desc"
		echo "# $desc: $rate"
	else
		tap_not_ok "$desc"
		tail -n 20 "$TL_DIR/iperf.json" | sed 's/^/# /'
	fi
}

# tl_nl SIDE CASE...: for each CASE, send a malformed (for "valid", a
# well-formed and empty) set-device request for SIDE's device, from its
# namespace, to the generic netlink family of its kind (idtun, or
# wireguard for wg: their attribute numbers match). Prints a line per
# case: "CASE<TAB>ERRNO: extack message @ attribute" (the attribute the
# extack offset points at, as a path), or "CASE<TAB>ok".
tl_nl() {
	local family=idtun side=$1
	shift
	[ "${TL_KIND[$side]}" != wg ] || family=wireguard
	tl_in "$side" "$PY" - "$family" "${TL_DEV[$side]}" "$@" <<-'EOF'
		import errno, os, socket, struct, sys

		family, dev = sys.argv[1:3]
		SET_DEVICE = {"idtun": 2, "wireguard": 1}[family]
		NESTED = 0x8000

		def u8(v): return struct.pack("=B", v)
		def u16(v): return struct.pack("=H", v)
		def u32(v): return struct.pack("=I", v)
		def sz(s): return s.encode() + b"\0"

		# attribute: (path label, type, bytes or list of attributes)
		key = bytes(range(32))
		def peer(*extra, pubkey=key, allowed=None):
		    attrs = [("public-key", 1, pubkey)] + list(extra)
		    if allowed is not None:
		        attrs.append(("allowed-ips", 9 | NESTED, [("0", NESTED, allowed)]))
		    return [("peers", 8 | NESTED, [("0", NESTED, attrs)])]
		ip4 = [("family", 1, u16(socket.AF_INET)), ("ipaddr", 2, bytes([10, 0, 0, 0])),
		       ("cidr-mask", 3, u8(8))]
		def ip(name, t, v):
		    return [a for a in ip4 if a[0] != name] + [(name, t, v)]
		# struct sockaddr_in: family in host order, port in network order
		sin = u16(socket.AF_INET) + struct.pack("!H", 51820) + bytes([192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0])
		name = [("ifname", 2, sz(dev))]
		cases = {
		    "valid": name,
		    "private-key-short": name + [("private-key", 3, key[:31])],
		    "private-key-long": name + [("private-key", 3, key + b"x")],
		    "ifname-long": [("ifname", 2, sz("x" * 16))],
		    "listen-port-size": name + [("listen-port", 6, u32(1))],
		    "generation": name + [("generation", 9, u32(1))],
		    "device-flags": name + [("flags", 5, u32(8))],
		    "peers-not-nested": name + [("peers", 8, b"")],
		    "peer-key-short": name + peer(pubkey=key[:31]),
		    "preshared-key-long": name + peer(("preshared-key", 2, key + b"x")),
		    "peer-flags": name + peer(("flags", 3, u32(16))),
		    "endpoint-short": name + peer(("endpoint", 4, sin[:15])),
		    "endpoint-long": name + peer(("endpoint", 4, sin + bytes(13))),
		    "protocol-version": name + peer(("protocol-version", 10, u32(2))),
		    "cidr-mask": name + peer(allowed=ip("cidr-mask", 3, u8(129))),
		    "ipaddr-short": name + peer(allowed=ip("ipaddr", 2, bytes(3))),
		    "ipaddr-long": name + peer(allowed=ip("ipaddr", 2, bytes(17))),
		    "allowedip-flags": name + peer(allowed=ip4 + [("flags", 4, u32(2))]),
		}

		labels = {}
		def pack(attrs, base, path):
		    out = b""
		    for label, t, v in attrs:
		        here = base + len(out)
		        full = path + [label]
		        labels[here] = "/".join(full)
		        body = pack(v, here + 4, full) if isinstance(v, list) else v
		        out += struct.pack("=HH", 4 + len(body), t) + body
		        out += bytes(-len(out) % 4)
		    return out

		def request(sock, ftype, flags, cmd, payload):
		    msg = struct.pack("=IHHII", 16 + 4 + len(payload), ftype, flags, 1, 0)
		    msg += struct.pack("=BBH", cmd, 1, 0) + payload
		    sock.send(msg)
		    return sock.recv(65536)

		def attrs_of(data):
		    out = {}
		    while len(data) >= 4:
		        ln, t = struct.unpack_from("=HH", data)
		        out[t & 0x3fff] = data[4:ln]
		        data = data[(ln + 3) & ~3:]
		    return out

		s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # GENERIC
		s.setsockopt(270, 10, 1)  # SOL_NETLINK, NETLINK_CAP_ACK
		s.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
		s.bind((0, 0))
		# CTRL_CMD_GETFAMILY (3) to nlctrl (0x10): CTRL_ATTR_FAMILY_NAME (2)
		r = request(s, 0x10, 1, 3, pack([("name", 2, sz(family))], 0, []))
		if struct.unpack_from("=H", r, 4)[0] == 2:
		    sys.exit("no generic netlink family " + family)
		fid = struct.unpack_from("=H", attrs_of(r[20:])[1])[0]

		for case in sys.argv[3:]:
		    labels.clear()
		    payload = pack(cases[case], 20, [])
		    r = request(s, fid, 1 | 4, SET_DEVICE, payload)  # REQUEST|ACK
		    ln, typ, flags = struct.unpack_from("=IHH", r)
		    assert typ == 2, "expected an NLMSG_ERROR"
		    err = -struct.unpack_from("=i", r, 16)[0]
		    ext = attrs_of(r[16 + 4 + 16:ln]) if flags & 0x200 else {}
		    msg = ext.get(1, b"").rstrip(b"\0").decode()
		    where = ""
		    if 2 in ext:
		        off = struct.unpack("=I", ext[2])[0]
		        where = " @ " + labels.get(off, "offset %d" % off)
		    if err == 0:
		        print(case + "\tok")
		    else:
		        print("%s\t%s: %s%s" % (case, errno.errorcode.get(err, str(err)), msg, where))
	EOF
}
