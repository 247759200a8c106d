/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syncconf: the request that turns a device's current state into what a
 * configuration file describes, touching only what differs, so sessions of
 * the peers that stay are kept.
 */

#ifndef IDTUN_SYNC_H
#define IDTUN_SYNC_H

#include "device.h"

/*
 * file was parsed with append (only the keys it names are set). The file's
 * private key and fwmark default to none, its idtun settings to the
 * kernel's defaults; a port it does not name is left as it is (the kernel
 * picked one). Peers not in the file are removed; a peer in the file gets
 * its preshared key, keepalive, endpoint (when the file names one), labels
 * and identity if they differ, and its allowed IPs and allowed identities
 * by adding the missing and removing the extra ones: removals first, in a
 * pass of their own, so a prefix moving between two peers is never lost.
 *
 * current holds GET_DEVICE's state, GET_POLICY's rules and GET_IDENTITIES'
 * identities (with their bindings). Bindings and rules are changed, never
 * flushed: wanted entries that are new or changed (a binding's identity, a
 * rule's action) are added first, then current ones the file does not
 * have are removed. A cgroup binding the kernel reports without a path is
 * left alone. req must be zeroed; its name is file's. Returns 0 or -ENOMEM.
 */
int sync_request(struct idtun_device *req, const struct idtun_device *file,
		 const struct idtun_device *current);

/*
 * Moves the defaults that req opens (sets to allow) into late, to be sent
 * after req: the first message of a split request sets the defaults, its
 * rules may follow in later ones, and an allow default must not let
 * through what those rules deny. A default that closes stays first.
 * late must be zeroed; its name is req's.
 */
void sync_late_defaults(struct idtun_device *req, struct idtun_device *late);

#endif
