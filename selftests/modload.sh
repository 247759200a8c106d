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
for i in $(seq "$rounds"); do
	if ! { insmod_idtun "$IDTUN_KO" &&
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
tap_end
