#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Not a selftest: scripts/check runs this to prove that selftests/vm/run
# fails a run whose kernel log holds a report, even when the test passed.
echo "WARNING: CPU: 0 PID: 1 at idtun harness self-check" >/dev/kmsg
echo "TAP version 13"
echo "ok 1 - wrote a fake kernel warning"
echo "1..1"
