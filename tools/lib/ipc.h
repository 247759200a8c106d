/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The idtun generic netlink family in terms of the device model: building
 * SET_DEVICE requests (split across messages as a large configuration
 * needs) and reading GET_DEVICE dumps (peers and allowed IPs continued
 * across messages, retried when the dump raced a change). The building and
 * reading work on buffers, so the tests run them without a kernel.
 */

#ifndef IDTUN_IPC_H
#define IDTUN_IPC_H

#include "device.h"
#include "nl.h"

/*
 * Largest SET_DEVICE message built. The kernel accepts any size up to its
 * socket buffer; staying at a page keeps every message far below that.
 */
#define IPC_MSG_MAX 4096

/* How often a dump that raced a change is redone before giving up. */
#define IPC_GET_TRIES 5

struct ipc_set_iter {
	const struct idtun_device *dev;
	size_t peer;		/* the next peer to send */
	size_t ip;		/* its next allowed IP */
	bool started;		/* the first message is built */
	bool peer_started;	/* the peer's own attributes are sent */
};

void ipc_set_init(struct ipc_set_iter *it, const struct idtun_device *dev);
/*
 * Builds the next SET_DEVICE request for family into buf (size bytes, at
 * least IPC_MSG_MAX is sensible). Returns NULL once everything is built, and
 * sets *error to -EMSGSIZE if something can never fit.
 *
 * Peers and allowed IPs are indexed arrays: nests of type 1, 2, ... as the
 * kernel's dumps number them (the kernel reads any numbering). The first
 * message carries the device's own attributes and flags. A peer
 * whose allowed IPs do not fit continues, first in the next message, with
 * only its public key, its flags minus REPLACE_ALLOWEDIPS and the rest of
 * its allowed IPs.
 */
struct nlmsghdr *ipc_set_next(struct ipc_set_iter *it, void *buf, size_t size,
			      uint16_t family, uint32_t seq, int *error);

struct ipc_get_ctx {
	struct idtun_device *dev;
	uint32_t generation;
	unsigned int messages;
	bool restart;		/* the dump raced a change: redo it */
	bool malformed;
};

/* Adds one GET_DEVICE reply message to ctx->dev (an MNL callback). */
int ipc_get_parse(const struct nlmsghdr *nlh, void *ctx);

/*
 * The kernel side: read a device's state into dev (zeroed by the caller,
 * freed by the caller even on failure), or apply dev as a request. The
 * device is named by dev->name, else dev->ifindex. On failure: a negative
 * errno, with err as the kernel explained it (err->msg is filled here when
 * the failure is the tool's own).
 */
int ipc_get_device(struct nl *nl, const char *name, struct idtun_device *dev,
		   struct nl_error *err);
int ipc_set_device(struct nl *nl, const struct idtun_device *dev, struct nl_error *err);

#endif
