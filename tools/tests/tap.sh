#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TAP output for the tools' shell tests: source it, call ok STATUS DESC,
# end with tap_end.
n=0
failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

tap_end() {
	echo "1..$n"
	[ "$failed" = 0 ]
}
