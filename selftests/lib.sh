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

unload_idtun() {
	! idtun_loaded || rmmod idtun
}

link_kind() {
	ip -d -j link show dev "$1" | python3 -c \
		'import json,sys; print(json.load(sys.stdin)[0]["linkinfo"]["info_kind"])'
}
