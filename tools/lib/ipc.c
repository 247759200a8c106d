// SPDX-License-Identifier: GPL-2.0
/*
 * The idtun family's commands, sent and their replies read; the messages
 * are built in ipc_set.c and read in ipc_parse.c. See ipc.h.
 */

#include "ipc.h"

#include <errno.h>
#include <linux/idtun.h>
#include <stdio.h>
#include <string.h>

static void tool_error(struct nl_error *err, int error, const char *msg)
{
	memset(err, 0, sizeof(*err));
	err->error = error;
	err->offset = -1;
	err->attr_type = -1;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* A device dump (cmd), redone when it raced a change. */
static int get(struct nl *nl, uint8_t cmd, const char *name, struct idtun_device *dev,
	       struct nl_error *err)
{
	struct ipc_get_ctx ctx;
	struct nlmsghdr *nlh;
	unsigned int tries;
	int ret;

	for (tries = 0; tries < IPC_GET_TRIES; tries++) {
		device_free(dev);
		memset(&ctx, 0, sizeof(ctx));
		ctx.dev = dev;
		nlh = nl_genl_request(nl, cmd, NLM_F_DUMP);
		mnl_attr_put_strz(nlh, IDTUN_A_DEVICE_IFNAME, name);
		ret = nl_transact(nl, nlh, ipc_get_parse, &ctx, err);
		if (ret)
			return ret;
		if (ctx.malformed) {
			tool_error(err, -EBADMSG, "malformed reply from the kernel");
			return -EBADMSG;
		}
		if (!ctx.restart)
			return 0;
	}
	tool_error(err, -EAGAIN, "the configuration kept changing while it was read");
	return -EAGAIN;
}

int ipc_get_device(struct nl *nl, const char *name, struct idtun_device *dev,
		   struct nl_error *err)
{
	return get(nl, IDTUN_CMD_GET_DEVICE, name, dev, err);
}

int ipc_get_identities(struct nl *nl, const char *name, struct idtun_device *dev,
		       struct nl_error *err)
{
	int ret = get(nl, IDTUN_CMD_GET_IDENTITIES, name, dev, err);

	if (!ret)
		device_sort_identities(dev);
	return ret;
}

int ipc_get_policy(struct nl *nl, const char *name, struct idtun_device *dev,
		   struct nl_error *err)
{
	int ret = get(nl, IDTUN_CMD_GET_POLICY, name, dev, err);

	if (!ret)
		device_sort_rules(dev);
	return ret;
}

int ipc_get_names(struct nl *nl, struct idtun_names *names, struct nl_error *err)
{
	struct ipc_names_ctx ctx = { .names = names };
	struct nlmsghdr *nlh;
	int ret;

	names_free(names);
	nlh = nl_genl_request(nl, IDTUN_CMD_GET_NAMES, NLM_F_DUMP);
	ret = nl_transact(nl, nlh, ipc_names_parse, &ctx, err);
	if (!ret && ctx.malformed) {
		tool_error(err, -EBADMSG, "malformed reply from the kernel");
		ret = -EBADMSG;
	}
	if (!ret)
		names_sort(names);
	return ret;
}

int ipc_set_name(struct nl *nl, uint32_t id, const char *name, struct nl_error *err)
{
	struct nlmsghdr *nlh = nl_genl_request(nl, IDTUN_CMD_SET_NAME, NLM_F_ACK);

	mnl_attr_put_u32(nlh, IDTUN_A_IDENTITY_IDENTITY, id);
	mnl_attr_put_strz(nlh, IDTUN_A_IDENTITY_NAME, name);
	return nl_transact(nl, nlh, NULL, NULL, err);
}

int ipc_set_device(struct nl *nl, const struct idtun_device *dev, struct nl_error *err)
{
	struct ipc_set_iter it;
	struct nlmsghdr *nlh;
	int ret, error;

	/* Everything must fit before anything is sent. */
	ipc_set_init(&it, dev);
	while (ipc_set_next(&it, nl->buf, IPC_MSG_MAX, nl->family, 0, &error))
		;
	if (error) {
		tool_error(err, error, "an entry does not fit in a netlink message");
		return error;
	}
	ipc_set_init(&it, dev);
	while ((nlh = ipc_set_next(&it, nl->buf, IPC_MSG_MAX, nl->family, ++nl->seq,
				   &error))) {
		ret = nl_transact(nl, nlh, NULL, NULL, err);
		if (ret)
			return ret;
	}
	return 0;
}
