#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module as DKMS installs it on a node (built on the host by
# scripts/dkms-build, with the index depmod makes after the install): under
# /lib/modules/$(uname -r)/updates/dkms, it loads with modprobe, and is
# loaded on demand by `ip link add ... type idtun` and by the first idtun
# command.

# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "${IDTUN_KERNEL:-}" = debug ]; then
	tap_skip "DKMS" "DKMS targets the distro kernels"
	tap_end
	exit
fi
ko=$(find "$IDTUN_TOP/build/dkms/$IDTUN_KVER/install/$IDTUN_KVER" -name 'idtun.ko*' 2>/dev/null | head -n 1)
if [ -z "$ko" ]; then
	tap_not_ok "no DKMS build for $IDTUN_KVER: run scripts/dkms-build $IDTUN_KERNEL"
	tap_end
	exit 1
fi

kdir=/lib/modules/$(uname -r)
dest=$kdir/updates/dkms
index=$IDTUN_TOP/build/dkms/$IDTUN_KVER/depmod/lib/modules/$IDTUN_KVER
saved=$(mktemp -d)
cp -a "$kdir"/modules.* "$saved/"
mkdir -p "$dest"
check "install the DKMS-built module" cp "$ko" "$dest/"
check "install the index depmod made for it" cp "$index"/modules.* "$kdir/"
check "modprobe idtun" modprobe idtun
check_output "loaded from the DKMS location" "$dest/$(basename "$ko")" modinfo -n idtun
check "modprobe -r idtun" modprobe -r idtun
check "ip link add autoloads the module" ip link add idtun0 type idtun
check_true "module is loaded" idtun_loaded
check "rmmod" rmmod idtun
check_fails "the idtun command autoloads it too" "No such device" "$IDTUN" show idtun0
check_true "module is loaded again" idtun_loaded
check "rmmod" rmmod idtun
# Later tests in this VM expect no installed module to autoload.
rm -f "$dest/$(basename "$ko")"
cp -a "$saved"/modules.* "$kdir/"
rm -rf "$saved"
tap_end
