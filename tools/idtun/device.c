// SPDX-License-Identifier: GPL-2.0
/* One request about one idtun device, with errors printed the wg way. */

#include "idtun.h"

#include <errno.h>
#include <linux/idtun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

int device_request(const char *name, uint8_t cmd, uint16_t flags, mnl_cb_t cb,
		   void *data, const char *verb)
{
	struct nl_error err;
	struct nlmsghdr *nlh;
	char text[512];
	struct nl nl;
	int ret;

	if (strlen(name) >= IF_NAMESIZE) {
		fprintf(stderr, "%s: Interface name `%s' is too long\n", prog, name);
		return -EINVAL;
	}
	ret = nl_open_idtun(&nl);
	if (ret == -ENOENT) {
		fprintf(stderr, "%s: the idtun kernel module is not loaded "
			"(no generic netlink family \"%s\")\n", prog, IDTUN_FAMILY_NAME);
		return ret;
	}
	if (ret) {
		fprintf(stderr, "%s: generic netlink: %s\n", prog, strerror(-ret));
		return ret;
	}
	nlh = nl_genl_request(&nl, cmd, flags);
	mnl_attr_put_strz(nlh, IDTUN_A_DEVICE_IFNAME, name);
	ret = nl_transact(&nl, nlh, cb, data, &err);
	nl_close(&nl);
	if (ret) {
		nl_format_error(text, sizeof(text), &err);
		fprintf(stderr, "%s: Unable to %s interface %s: %s\n", prog, verb, name, text);
	}
	return ret;
}
