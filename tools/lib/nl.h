/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small netlink client on libmnl: generic netlink requests to the idtun
 * family and rtnetlink link dumps, with the kernel's extended ACK (error
 * message and offending attribute) turned into one line of text.
 */

#ifndef IDTUN_NL_H
#define IDTUN_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;	/* generic netlink family id, 0 for rtnetlink */
	uint32_t audit_group;	/* the audit multicast group's id, 0 if none */
	char *buf;		/* MNL_SOCKET_BUFFER_SIZE bytes */
};

/* What an NLMSG_ERROR or NLMSG_DONE carried. */
struct nl_error {
	int error;		/* negative errno, 0 for an ACK */
	char msg[256];		/* NLMSGERR_ATTR_MSG, or "" */
	int32_t offset;		/* NLMSGERR_ATTR_OFFS into the request, or -1 */
	int attr_type;		/* type of the attribute at offset, or -1 */
};

/* Opens a socket to the idtun family; -ENOENT when the module is absent. */
int nl_open_idtun(struct nl *nl);
/* Joins the audit multicast group: -ENOENT without one, -EPERM without CAP_NET_ADMIN. */
int nl_join_audit(struct nl *nl);
int nl_open_route(struct nl *nl);
void nl_close(struct nl *nl);

struct nlmsghdr *nl_genl_request(struct nl *nl, uint8_t cmd, uint16_t flags);
struct nlmsghdr *nl_route_request(struct nl *nl, uint16_t type, uint16_t flags);

/*
 * Sends nlh and runs cb on every reply until the ACK or the end of the dump.
 * Returns 0, or a negative errno with *err filled from the kernel's extack.
 */
int nl_transact(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		struct nl_error *err);

/* Parses an NLMSG_ERROR or NLMSG_DONE message; false if malformed. */
bool nl_parse_error(const struct nlmsghdr *nlh, const struct nlmsghdr *req,
		    struct nl_error *err);

/* "Invalid argument: IDTUN_A_DEVICE_IFNAME: no such device (attribute 2)" */
void nl_format_error(char *out, size_t len, const struct nl_error *err);

#endif
