#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload the module 100 times (25 on the debug kernel), each time
# with a device that is up and one moved to another namespace, so unloading
# must delete them. Leaks show on the debug kernel's kmemleak scan at the
# end of the run.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

# Under the debug kernel (KASAN, lockdep) a round takes seconds: fewer
# rounds there; kmemleak still sees what any of them leaked.
rounds=100
[ "${IDTUN_KERNEL:-}" = debug ] && rounds=25
failed=
ip netns add modload
idtun_deps "$IDTUN_KO"
for i in $(seq "$rounds"); do
	if ! { insmod "$IDTUN_KO" &&
		ip link add idtun0 type idtun && ip link set idtun0 up &&
		ip link add idtun1 type idtun && ip link set idtun1 netns modload &&
		rmmod idtun; } >"$CHECK_OUT" 2>&1; then
		failed=$i
		break
	fi
done
if [ -z "$failed" ]; then
	tap_ok "$rounds rounds of load, create devices, unload"
else
	tap_not_ok "round $failed of load, create devices, unload"
	tap_diag "$CHECK_OUT"
fi
check_output "no idtun device left" "" sh -c \
	'ip -o link show type idtun; ip -n modload -o link show type idtun'
check_true "module unloaded" test ! -d /sys/module/idtun
ip netns del modload

# Unloading with live tunnels: two devices in two namespaces with peers,
# sessions, timers and traffic in flight, then rmmod. Everything the
# tunnels hold must go with them.
live_round() {
	idtun_pair ml1 ml2 77 192.168.77.2:51820 192.168.77.1:51820 &&
	ip netns exec ml1 ping -c 2 -W 5 10.77.0.2 &&
	ip netns exec ml1 "$IDTUN" set tun0 \
		peer "$(ip netns exec ml1 "$IDTUN" show tun0 peers)" persistent-keepalive 1 &&
	{ ip netns exec ml1 ping -f -w 2 10.77.0.2 >/dev/null 2>&1 & } &&
	sleep 1 && timeout 60 rmmod idtun
}
live_rounds=5
failed=
for i in $(seq "$live_rounds"); do
	if ! { insmod "$IDTUN_KO" && live_round; } >"$CHECK_OUT" 2>&1; then
		failed=$i
	fi
	wait
	ip netns del ml1 2>/dev/null
	ip netns del ml2 2>/dev/null
	[ -z "$failed" ] || break
done
if [ -z "$failed" ]; then
	tap_ok "$live_rounds rounds of unload with live tunnels"
else
	tap_not_ok "round $failed of unload with live tunnels"
	tap_diag "$CHECK_OUT"
fi
check_true "module unloaded" test ! -d /sys/module/idtun
tap_end
