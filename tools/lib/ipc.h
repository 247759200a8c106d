/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The idtun generic netlink family in terms of the device model: building
 * SET_DEVICE requests (split across messages as a large configuration
 * needs) and reading GET_DEVICE, GET_IDENTITIES and GET_POLICY dumps
 * (peers, allowed IPs and bindings continued across messages, retried when
 * the dump raced a change), identity names (SET_NAME, GET_NAMES) and audit
 * events. The building and reading work on buffers, so the tests run them
 * without a kernel.
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
	size_t aid;		/* its next allowed identity */
	size_t binding;		/* the next binding */
	size_t rule;		/* the next rule */
	bool started;		/* the first message is built */
	bool peer_started;	/* the peer's own attributes are sent */
};

void ipc_set_init(struct ipc_set_iter *it, const struct idtun_device *dev);
/*
 * Builds the next SET_DEVICE request for family into buf (size bytes, at
 * least IPC_MSG_MAX is sensible). Returns NULL once everything is built, and
 * sets *error to -EMSGSIZE if something can never fit.
 *
 * Peers, allowed IPs, allowed identities, bindings and rules are indexed
 * arrays: nests of type 1, 2, ... as the kernel's dumps number them (the
 * kernel reads any numbering). The first message carries the device's own
 * attributes and flags; then come the bindings, then the rules, then the
 * peers (the order in which the kernel applies one message's), each array
 * in order, as many entries to a message as fit. A peer
 * whose allowed IPs or allowed identities do not fit continues, first in
 * the next message, with only its public key, its flags minus the
 * REPLACE_ ones and the rest of its lists.
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

/*
 * Adds one reply message of GET_DEVICE, GET_IDENTITIES or GET_POLICY to
 * ctx->dev (an MNL callback).
 */
int ipc_get_parse(const struct nlmsghdr *nlh, void *ctx);

struct ipc_names_ctx {
	struct idtun_names *names;
	bool malformed;
};

/* Adds one GET_NAMES reply message to ctx->names (an MNL callback). */
int ipc_names_parse(const struct nlmsghdr *nlh, void *ctx);

/* A rule nest (of a GET_POLICY reply or an event). */
bool ipc_parse_rule(const struct nlattr *nest, struct idtun_rule *rule);
/* An AUDIT message of the audit group; false if it is none or malformed. */
bool ipc_event_parse(const struct nlmsghdr *nlh, struct idtun_event *ev);

/*
 * The kernel side: read a device's state into dev (zeroed by the caller,
 * freed by the caller even on failure), or apply dev as a request. The
 * device is named by dev->name, else dev->ifindex. On failure: a negative
 * errno, with err as the kernel explained it (err->msg is filled here when
 * the failure is the tool's own).
 */
int ipc_get_device(struct nl *nl, const char *name, struct idtun_device *dev,
		   struct nl_error *err);
/* dev->identities, sorted by number, their bindings by key. */
int ipc_get_identities(struct nl *nl, const char *name, struct idtun_device *dev,
		       struct nl_error *err);
/* The defaults and dev->rules, sorted (rule_cmp). */
int ipc_get_policy(struct nl *nl, const char *name, struct idtun_device *dev,
		   struct nl_error *err);
/* All of it is checked to fit in messages before the first is sent. */
int ipc_set_device(struct nl *nl, const struct idtun_device *dev, struct nl_error *err);

/* The network namespace's identity names, sorted by number. */
int ipc_get_names(struct nl *nl, struct idtun_names *names, struct nl_error *err);
/* Names an identity; "" removes its name. */
int ipc_set_name(struct nl *nl, uint32_t id, const char *name, struct nl_error *err);

#endif
