// SPDX-License-Identifier: GPL-2.0
/* Netlink client on libmnl; see nl.h. */

#include "nl.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/idtun.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Dumps may fill messages up to the size of the largest read buffer. */
#define NL_RECV_SIZE 32768

static int nl_open(struct nl *nl, int bus)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(MNL_SOCKET_BUFFER_SIZE + NL_RECV_SIZE);
	if (!nl->buf)
		return -ENOMEM;
	nl->sock = mnl_socket_open(bus);
	if (!nl->sock)
		goto err_errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err_errno;
	/* Old kernels lack these; errors then simply carry no text. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;

err_errno:
	ret = -errno;
	nl_close(nl);
	return ret;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	memset(nl, 0, sizeof(*nl));
}

struct family {
	uint16_t id;
	uint32_t audit_group;
};

/* The audit group among the family's multicast groups. */
static void find_group(const struct nlattr *groups, struct family *fam)
{
	const struct nlattr *group, *a;
	const char *name;
	uint32_t id;

	mnl_attr_for_each_nested(group, groups) {
		name = NULL;
		id = 0;
		mnl_attr_for_each_nested(a, group) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
				 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				id = mnl_attr_get_u32(a);
		}
		if (name && !strcmp(name, IDTUN_MCGRP_AUDIT))
			fam->audit_group = id;
	}
}

static int family_id_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family *fam = data;
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			fam->id = mnl_attr_get_u16(attr);
		else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GROUPS)
			find_group(attr, fam);
	}
	return MNL_CB_OK;
}

int nl_open_idtun(struct nl *nl)
{
	struct family fam = { 0 };
	struct nl_error err;
	struct nlmsghdr *nlh;
	int ret;

	ret = nl_open(nl, NETLINK_GENERIC);
	if (ret)
		return ret;
	nl->family = GENL_ID_CTRL;
	nlh = nl_genl_request(nl, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, IDTUN_FAMILY_NAME);
	ret = nl_transact(nl, nlh, family_id_cb, &fam, &err);
	if (ret == 0 && fam.id == 0)
		ret = -ENOENT;
	if (ret) {
		nl_close(nl);
		return ret;
	}
	nl->family = fam.id;
	nl->audit_group = fam.audit_group;
	return 0;
}

int nl_join_audit(struct nl *nl)
{
	int group = (int)nl->audit_group;

	if (!group)
		return -ENOENT;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		return -errno;
	return 0;
}

int nl_open_route(struct nl *nl)
{
	return nl_open(nl, NETLINK_ROUTE);
}

struct nlmsghdr *nl_genl_request(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = nl->family == GENL_ID_CTRL ? 1 : IDTUN_FAMILY_VERSION;
	return nlh;
}

struct nlmsghdr *nl_route_request(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

static void error_attr(struct nl_error *err, const struct nlmsghdr *req)
{
	const struct nlattr *attr;

	if (!req || err->offset < (int32_t)sizeof(struct nlmsghdr) ||
	    (uint32_t)err->offset + sizeof(*attr) > req->nlmsg_len)
		return;
	attr = (const struct nlattr *)((const char *)req + err->offset);
	err->attr_type = attr->nla_type & NLA_TYPE_MASK;
}

bool nl_parse_error(const struct nlmsghdr *nlh, const struct nlmsghdr *req,
		    struct nl_error *err)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh), tlv;
	const char *payload = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;

	memset(err, 0, sizeof(*err));
	err->offset = -1;
	err->attr_type = -1;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* The end of a dump; a failed dump puts its error here. */
		if (len < sizeof(int))
			return len == 0;
		memcpy(&err->error, payload, sizeof(int));
		tlv = sizeof(int);
	} else {
		struct nlmsgerr e;

		if (len < sizeof(e))
			return false;
		memcpy(&e, payload, sizeof(e));
		err->error = e.error;
		tlv = sizeof(e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			tlv += e.msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (err->error > 0)
		return false;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || tlv > len)
		return true;
	mnl_attr_for_each_payload((const void *)(payload + tlv), len - tlv) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				snprintf(err->msg, sizeof(err->msg), "%s",
					 mnl_attr_get_str(attr));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
				err->offset = (int32_t)mnl_attr_get_u32(attr);
				error_attr(err, req);
			}
			break;
		}
	}
	return true;
}

void nl_format_error(char *out, size_t len, const struct nl_error *err)
{
	int n = snprintf(out, len, "%s", strerror(-err->error));

	if (n >= 0 && (size_t)n < len && err->msg[0])
		n += snprintf(out + n, len - n, ": %s", err->msg);
	if (n >= 0 && (size_t)n < len && err->attr_type >= 0)
		snprintf(out + n, len - n, " (attribute %d)", err->attr_type);
}

int nl_transact(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		struct nl_error *err)
{
	char *rbuf = nl->buf + MNL_SOCKET_BUFFER_SIZE;
	const struct nlmsghdr *m;
	ssize_t n;
	int left, ret;

	memset(err, 0, sizeof(*err));
	err->offset = -1;
	err->attr_type = -1;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, rbuf, NL_RECV_SIZE);
		if (n < 0)
			return -errno;
		left = (int)n;
		for (m = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(m, left);
		     m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != nlh->nlmsg_seq || m->nlmsg_pid != nl->portid)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR || m->nlmsg_type == NLMSG_DONE) {
				if (!nl_parse_error(m, nlh, err))
					return -EBADMSG;
				return err->error;
			}
			if (m->nlmsg_type < NLMSG_MIN_TYPE || !cb)
				continue;
			ret = cb(m, data);
			if (ret == MNL_CB_ERROR)
				return errno ? -errno : -EINVAL;
		}
	}
}
