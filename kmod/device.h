/* SPDX-License-Identifier: GPL-2.0 */

#ifndef _IDTUN_DEVICE_H
#define _IDTUN_DEVICE_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/net_namespace.h>

/*
 * Outer headers a transport message adds to an inner packet: IPv6 (40) or
 * IPv4 (20), UDP (8), WireGuard's data header (16) and the AEAD tag (16).
 * The default MTU leaves room for the larger, IPv6, underlay.
 */
#define IDTUN_OVERHEAD_V6	(40 + 8 + 16 + 16)
#define IDTUN_DEFAULT_MTU	(ETH_DATA_LEN - IDTUN_OVERHEAD_V6)
#define IDTUN_MAX_MTU		(IP_MAX_MTU - IDTUN_OVERHEAD_V6)

struct idtun_device {
	struct net_device *dev;
	/*
	 * The namespace the device was created in: its UDP sockets live there
	 * even after the device moves to another namespace. Not refcounted:
	 * cleared when that namespace is dismantled. Protected by the RTNL.
	 */
	struct net *creating_net;
	/* Entry in idtun_device_list; protected by the RTNL. */
	struct list_head list;
};

extern struct rtnl_link_ops idtun_link_ops;

int idtun_device_init(void);
void idtun_device_uninit(void);
bool idtun_is_device(const struct net_device *dev);

#endif /* _IDTUN_DEVICE_H */
