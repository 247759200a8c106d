/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel APIs idtun uses, from 5.15 to the newest.
 * Every version test in the module lives here.
 */

#ifndef _IDTUN_COMPAT_H
#define _IDTUN_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include <linux/timer.h>

/* 6.12 moved the unaligned access helpers out of asm/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.4 moved skb_gso_segment() to its own header. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#include <net/gso.h>
#endif

/* 6.16 renamed from_timer(); 6.2 added timer_delete_sync(). */
#ifdef timer_container_of
#define idtun_from_timer(var, t, field) timer_container_of(var, t, field)
#else
#define idtun_from_timer(var, t, field) from_timer(var, t, field)
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define idtun_timer_delete_sync(t) timer_delete_sync(t)
#define idtun_timer_delete(t) timer_delete(t)
#else
#define idtun_timer_delete_sync(t) del_timer_sync(t)
#define idtun_timer_delete(t) del_timer(t)
#endif

/* 6.12 turned the NETIF_F_LLTX feature bit into a device flag. */
static inline void idtun_set_lltx(struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* Lockless device statistics; older stable kernels lack the helper. */
#ifndef DEV_STATS_INC
#define DEV_STATS_INC(dev, field) atomic_long_inc((atomic_long_t *)&(dev)->stats.field)
#endif

/* 6.2 moved a dump's parsed attributes into a struct genl_info. */
static inline struct nlattr **idtun_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * Since 6.1 a family states which commands predate strict validation; all
 * of idtun's are validated strictly.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define IDTUN_GENL_RESV_START_OP(n) .resv_start_op = (n),
#else
#define IDTUN_GENL_RESV_START_OP(n)
#endif

/*
 * A multicast group can require CAP_NET_ADMIN to join since 6.7 (and the
 * stable kernels that took the fix); before, the family's mcast_bind hook
 * checks it (netlink.c).
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#define GENL_MCAST_CAP_NET_ADMIN 0
#define IDTUN_MCAST_BIND_CHECKS_CAP 1
#endif

/* 6.15 packed rtnl_link_ops.newlink's arguments into a struct. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
#define IDTUN_NEWLINK_ARGS struct net_device *dev, \
	struct rtnl_newlink_params *params, struct netlink_ext_ack *extack
#define IDTUN_NEWLINK_SRC_NET (params->src_net)
#else
#define IDTUN_NEWLINK_ARGS struct net *src_net, struct net_device *dev, \
	struct nlattr *tb[], struct nlattr *data[], \
	struct netlink_ext_ack *extack
#define IDTUN_NEWLINK_SRC_NET (src_net)
#endif

#endif /* _IDTUN_COMPAT_H */
