// SPDX-License-Identifier: GPL-2.0
/*
 * idtun show [<interface> | all | interfaces]
 *
 * Devices are listed over rtnetlink (links of kind "idtun"); a device's
 * state comes from the idtun generic netlink family.
 */

#include "idtun.h"
#include "nl.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/idtun.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct names {
	char **v;
	size_t n;
};

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct names *names = data;
	const char *name = NULL, *kind = NULL;
	struct nlattr *attr, *info;
	char **v;

	mnl_attr_for_each(attr, nlh, sizeof(struct ifinfomsg)) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_IFNAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(attr);
			break;
		case IFLA_LINKINFO:
			mnl_attr_for_each_nested(info, attr) {
				if (mnl_attr_get_type(info) == IFLA_INFO_KIND &&
				    mnl_attr_validate(info, MNL_TYPE_NUL_STRING) == 0)
					kind = mnl_attr_get_str(info);
			}
			break;
		}
	}
	if (!name || !kind || strcmp(kind, "idtun"))
		return MNL_CB_OK;
	v = realloc(names->v, (names->n + 1) * sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	names->v = v;
	names->v[names->n] = strdup(name);
	if (!names->v[names->n])
		return MNL_CB_ERROR;
	names->n++;
	return MNL_CB_OK;
}

static void names_free(struct names *names)
{
	while (names->n)
		free(names->v[--names->n]);
	free(names->v);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_devices(struct names *names)
{
	struct nl_error err;
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	struct nl nl;
	int ret;

	memset(names, 0, sizeof(*names));
	ret = nl_open_route(&nl);
	if (ret) {
		fprintf(stderr, "%s: rtnetlink: %s\n", prog, strerror(-ret));
		return ret;
	}
	nlh = nl_route_request(&nl, RTM_GETLINK, NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ret = nl_transact(&nl, nlh, link_cb, names, &err);
	nl_close(&nl);
	if (ret) {
		fprintf(stderr, "%s: Unable to list interfaces: %s\n", prog, strerror(-ret));
		names_free(names);
		return ret;
	}
	qsort(names->v, names->n, sizeof(*names->v), cmp_names);
	return 0;
}

struct device {
	uint32_t ifindex;
	char name[IF_NAMESIZE];
};

static int device_cb(const struct nlmsghdr *nlh, void *data)
{
	struct device *dev = data;
	struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case IDTUN_A_DEVICE_IFINDEX:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				dev->ifindex = mnl_attr_get_u32(attr);
			break;
		case IDTUN_A_DEVICE_IFNAME:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				snprintf(dev->name, sizeof(dev->name), "%s",
					 mnl_attr_get_str(attr));
			break;
		}
	}
	return MNL_CB_OK;
}

static int get_device(const char *name, struct device *dev)
{
	memset(dev, 0, sizeof(*dev));
	return device_request(name, IDTUN_CMD_GET_DEVICE, NLM_F_DUMP, device_cb, dev,
			      "access");
}

static int show_device(const char *name)
{
	struct device dev;

	if (get_device(name, &dev))
		return 1;
	printf("interface: %s\n", dev.name);
	return 0;
}

int show_main(int argc, char *argv[])
{
	struct names names;
	size_t i;
	int ret = 0;

	if (argc > 2) {
		fprintf(stderr, "Usage: %s %s [<interface> | all | interfaces]\n",
			prog, argv[0] ? argv[0] : "show");
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "all") && strcmp(argv[1], "interfaces"))
		return show_device(argv[1]);
	if (list_devices(&names))
		return 1;
	if (argc == 2 && !strcmp(argv[1], "interfaces")) {
		for (i = 0; i < names.n; i++)
			printf("%s%c", names.v[i], i + 1 < names.n ? ' ' : '\n');
	} else {
		for (i = 0; i < names.n; i++) {
			if (i)
				putchar('\n');
			ret |= show_device(names.v[i]);
		}
	}
	names_free(&names);
	return ret;
}
