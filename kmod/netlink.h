/* SPDX-License-Identifier: GPL-2.0 */

#ifndef _IDTUN_NETLINK_H
#define _IDTUN_NETLINK_H

#include <net/netlink.h>

struct idtun_device;

struct idtun_device *idtun_nl_lookup(struct net *net, struct nlattr **attrs,
				     struct netlink_ext_ack *extack);
int idtun_genl_init(void);
void idtun_genl_uninit(void);

#endif /* _IDTUN_NETLINK_H */
