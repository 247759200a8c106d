#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run idtun's KUnit suites: load the module built with CONFIG_IDTUN_KUNIT
# (the suites run as it loads) and report every case from debugfs. On 6.1
# a module's suites print no top-level KTAP header to the console, so the
# per-suite results files are read instead. Needs the debug kernel.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

# Every suite the sources define must report; a missing one fails, so a
# suite that crashed or was never linked in cannot pass unnoticed.
suites=$(sed -n 's/^\t\.name = "\(idtun_[a-z0-9_]*\)",$/\1/p' "$IDTUN_TOP"/kmod/*_test.c)
if [ -z "$suites" ]; then
	tap_not_ok "no KUnit suites found in kmod/*_test.c"
	tap_end
	exit 1
fi

if [ -z "${IDTUN_KO_KUNIT:-}" ] || [ ! -d /sys/kernel/debug/kunit ]; then
	tap_skip "KUnit" "needs the debug kernel (CONFIG_KUNIT)"
	tap_end
	exit
fi

check "module with KUnit suites loads" insmod_idtun "$IDTUN_KO_KUNIT"

for suite in $suites; do
	results=/sys/kernel/debug/kunit/$suite/results
	if [ ! -r "$results" ]; then
		tap_not_ok "$suite: no results (suite missing or crashed)"
		continue
	fi
	cases=0
	plan=
	while IFS= read -r line; do
		# Case lines are indented; the suite's own line is not.
		if [[ $line =~ ^[[:space:]]+(not\ )?ok\ [0-9]+\ (-\ )?([A-Za-z0-9_]+)(.*)$ ]]; then
			cases=$((cases + 1))
			name="$suite.${BASH_REMATCH[3]}"
			if [ -n "${BASH_REMATCH[1]}" ]; then
				tap_not_ok "$name"
			elif [[ ${BASH_REMATCH[4]} =~ \#\ SKIP(.*) ]]; then
				tap_skip "$name" "${BASH_REMATCH[1]}"
			else
				tap_ok "$name"
			fi
		elif [[ $line =~ ^[[:space:]]+1\.\.([0-9]+)$ ]]; then
			plan=${BASH_REMATCH[1]}
		elif [[ $line =~ ^[[:space:]]+#\  ]]; then
			echo "#$line"
		fi
	done <"$results"
	# A complete document ends with the suite's own result line, and
	# that line is the verdict: KUnit's per-case log buffer is small,
	# and a case that overflows it can lose its own result line.
	verdict=$(grep -E "^(not )?ok [0-9]+ (- )?$suite\$" "$results")
	if [ -z "$verdict" ]; then
		tap_not_ok "$suite: results incomplete (suite crashed?)"
		tap_diag "$results"
	elif [ "$cases" = 0 ]; then
		tap_not_ok "$suite: no test cases ran"
	elif [ "$cases" != "${plan:-}" ]; then
		tap_not_ok "$suite: $cases case results for a plan of ${plan:-none}"
	elif [[ $verdict == not* ]]; then
		tap_not_ok "$suite: the suite failed"
	fi
done

check "module unloads" rmmod idtun
tap_end
