// SPDX-License-Identifier: GPL-2.0
/* Talking to the kernel about one device, with errors printed the wg way. */

#include "idtun.h"
#include "ipc.h"

#include <errno.h>
#include <linux/idtun.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool check_ifname(const char *name)
{
	if (!*name || strlen(name) >= IF_NAMESIZE) {
		fprintf(stderr, "%s: Interface name `%s' is %s\n", prog, name,
			*name ? "too long" : "empty");
		return false;
	}
	return true;
}

int open_idtun(struct nl *nl)
{
	int ret = nl_open_idtun(nl);

	if (ret == -ENOENT)
		fprintf(stderr, "%s: the idtun kernel module is not loaded "
			"(no generic netlink family \"%s\")\n", prog, IDTUN_FAMILY_NAME);
	else if (ret)
		fprintf(stderr, "%s: generic netlink: %s\n", prog, strerror(-ret));
	return ret;
}

void print_error(const char *verb, const char *name, const struct nl_error *err)
{
	char text[512];

	nl_format_error(text, sizeof(text), err);
	fprintf(stderr, "%s: Unable to %s interface %s: %s\n", prog, verb, name, text);
}

typedef int (*ipc_get_fn)(struct nl *nl, const char *name, struct idtun_device *dev,
			 struct nl_error *err);

static int get_with(ipc_get_fn fn, const char *name, struct idtun_device *dev)
{
	struct nl_error err;
	struct nl nl;
	int ret;

	if (!check_ifname(name))
		return -EINVAL;
	ret = open_idtun(&nl);
	if (ret)
		return ret;
	ret = fn(&nl, name, dev, &err);
	nl_close(&nl);
	if (ret)
		print_error("access", name, &err);
	return ret;
}

int get_device(const char *name, struct idtun_device *dev)
{
	return get_with(ipc_get_device, name, dev);
}

int get_identities(const char *name, struct idtun_device *dev)
{
	return get_with(ipc_get_identities, name, dev);
}

int get_policy(const char *name, struct idtun_device *dev)
{
	return get_with(ipc_get_policy, name, dev);
}

int get_full_device(const char *name, struct idtun_device *dev)
{
	struct idtun_device ids = { 0 }, pol = { 0 };
	int ret;

	ret = get_device(name, dev);
	if (!ret)
		ret = get_identities(name, &ids);
	if (!ret)
		ret = get_policy(name, &pol);
	if (!ret) {
		/* Move what the two other dumps read into dev. */
		dev->identities = ids.identities;
		dev->nidentities = ids.nidentities;
		dev->identities_cap = ids.identities_cap;
		ids.identities = NULL;
		ids.nidentities = ids.identities_cap = 0;
		dev->rules = pol.rules;
		dev->nrules = pol.nrules;
		dev->rules_cap = pol.rules_cap;
		pol.rules = NULL;
		pol.nrules = pol.rules_cap = 0;
		if (!(dev->has & DEV_HAS_EGRESS_DEFAULT))
			dev->egress_default = pol.egress_default;
		if (!(dev->has & DEV_HAS_INGRESS_DEFAULT))
			dev->ingress_default = pol.ingress_default;
		dev->has |= pol.has & (DEV_HAS_EGRESS_DEFAULT | DEV_HAS_INGRESS_DEFAULT);
	}
	device_free(&ids);
	device_free(&pol);
	return ret;
}

int set_device(const struct idtun_device *dev)
{
	struct nl_error err;
	struct nl nl;
	int ret;

	if (!check_ifname(dev->name))
		return -EINVAL;
	ret = open_idtun(&nl);
	if (ret)
		return ret;
	ret = ipc_set_device(&nl, dev, &err);
	nl_close(&nl);
	if (ret)
		print_error("modify", dev->name, &err);
	return ret;
}

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
	if (!name || !kind || strcmp(kind, IDTUN_FAMILY_NAME))
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

void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

char **list_devices(size_t *n)
{
	struct names names = { 0 };
	struct nl_error err;
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	struct nl nl;
	int ret;

	ret = nl_open_route(&nl);
	if (ret) {
		fprintf(stderr, "%s: rtnetlink: %s\n", prog, strerror(-ret));
		return NULL;
	}
	nlh = nl_route_request(&nl, RTM_GETLINK, NLM_F_DUMP);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ret = nl_transact(&nl, nlh, link_cb, &names, &err);
	nl_close(&nl);
	if (ret) {
		fprintf(stderr, "%s: Unable to list interfaces: %s\n", prog, strerror(-ret));
		free_names(names.v, names.n);
		return NULL;
	}
	*n = names.n;
	/* Never NULL on success, even without devices. */
	return names.v ? names.v : calloc(1, sizeof(char *));
}
