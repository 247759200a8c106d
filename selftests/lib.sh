#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for idtun's selftests: TAP output and checks. A test sources this,
# calls its checks, and ends with tap_end. Tests run as root inside the VM
# (selftests/vm/run), with IDTUN_KO pointing at idtun.ko for the kernel.

set -u

TAP_N=0
TAP_FAILED=0
IDTUN_TOP=${IDTUN_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export IDTUN=$IDTUN_TOP/build/tools/idtun/idtun
CHECK_OUT=$(mktemp)
trap 'rm -f "$CHECK_OUT"' EXIT

echo "TAP version 13"

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

tap_not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

tap_diag() {
	sed 's/^/# /' "$@"
}

tap_end() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" = 0 ]
}

# check DESC CMD...: CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@" >"$CHECK_OUT" 2>&1; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc"
		echo "# command: $*"
		tap_diag "$CHECK_OUT"
	fi
}

# check_fails DESC REGEX CMD...: CMD fails and its output matches REGEX.
check_fails() {
	local desc=$1 regex=$2
	shift 2
	if "$@" >"$CHECK_OUT" 2>&1; then
		tap_not_ok "$desc (succeeded)"
		echo "# command: $*"
		tap_diag "$CHECK_OUT"
	elif grep -qE -- "$regex" "$CHECK_OUT"; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc (output does not match /$regex/)"
		echo "# command: $*"
		tap_diag "$CHECK_OUT"
	fi
}

# check_output DESC EXPECTED CMD...: CMD succeeds and prints exactly EXPECTED.
check_output() {
	local desc=$1 want=$2 got
	shift 2
	if got=$("$@" 2>&1) && [ "$got" = "$want" ]; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc"
		echo "# command: $*"
		echo "# expected: $want"
		printf '%s\n' "$got" | sed 's/^/# got: /'
	fi
}

# check_true DESC EXPR...: a shell test, for values read earlier.
check_true() {
	local desc=$1
	shift
	if "$@"; then
		tap_ok "$desc"
	else
		tap_not_ok "$desc"
		echo "# failed: $*"
	fi
}

# wait_until SECONDS CMD...: poll CMD until it succeeds, at most SECONDS
# (for effects the kernel completes asynchronously, like netns cleanup).
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

idtun_loaded() {
	[ -d /sys/module/idtun ]
}

# idtun_deps KO: loads the modules KO depends on (the kernel's crypto
# library, UDP tunnels), which insmod does not.
idtun_deps() {
	local dep
	for dep in $(modinfo -F depends "$1" | tr , ' '); do
		modprobe -q "$dep" || true
	done
}

# insmod_idtun KO: KO with its dependencies.
insmod_idtun() {
	idtun_deps "$1"
	insmod "$1"
}

load_idtun() {
	idtun_loaded ||
		insmod_idtun "${IDTUN_KO:?IDTUN_KO is not set: run through selftests/vm/run}"
}

# idtun_pair NS1 NS2 NET EP1 EP2: namespaces NS1 and NS2 joined by a veth
# (eth0, 192.168.NET.1 and .2), each with an idtun device tun0 on port
# 51820 (10.NET.0.1 and .2), peers of each other, up. NS1 sends to its peer
# at EP1 and NS2 at EP2 ("" for no endpoint: it learns one from the peer).
idtun_pair() {
	local ns1=$1 ns2=$2 net=$3 k1 k2
	local -a ep1 ep2
	[ -z "$4" ] || ep1=(endpoint "$4")
	[ -z "$5" ] || ep2=(endpoint "$5")
	k1=$("$IDTUN" genkey)
	k2=$("$IDTUN" genkey)
	ip netns add "$ns1" && ip netns add "$ns2" &&
	ip link add eth0 netns "$ns1" type veth peer eth0 netns "$ns2" &&
	ip -n "$ns1" address add "192.168.$net.1/24" dev eth0 &&
	ip -n "$ns2" address add "192.168.$net.2/24" dev eth0 &&
	ip -n "$ns1" link set eth0 up && ip -n "$ns2" link set eth0 up &&
	ip -n "$ns1" link set lo up && ip -n "$ns2" link set lo up &&
	ip -n "$ns1" link add tun0 type idtun && ip -n "$ns2" link add tun0 type idtun &&
	ip netns exec "$ns1" "$IDTUN" set tun0 listen-port 51820 private-key <(echo "$k1") \
		peer "$(echo "$k2" | "$IDTUN" pubkey)" "${ep1[@]}" \
		allowed-ips "10.$net.0.2/32" &&
	ip netns exec "$ns2" "$IDTUN" set tun0 listen-port 51820 private-key <(echo "$k2") \
		peer "$(echo "$k1" | "$IDTUN" pubkey)" "${ep2[@]}" \
		allowed-ips "10.$net.0.1/32" &&
	ip -n "$ns1" address add "10.$net.0.1/24" dev tun0 &&
	ip -n "$ns2" address add "10.$net.0.2/24" dev tun0 &&
	ip -n "$ns1" link set tun0 up && ip -n "$ns2" link set tun0 up
}

unload_idtun() {
	! idtun_loaded || rmmod idtun
}

link_kind() {
	ip -d -j link show dev "$1" | python3 -c \
		'import json,sys; print(json.load(sys.stdin)[0]["linkinfo"]["info_kind"])'
}
