// SPDX-License-Identifier: GPL-2.0
/*
 * The idtun netdevice: its link type, setup and lifetime.
 *
 * A device is created over rtnetlink ("ip link add idtun0 type idtun") in
 * any network namespace and may move to another one. It remembers the
 * namespace it was created in, where its UDP sockets live (WireGuard's
 * semantics): when that namespace is dismantled, the device stays where it
 * is but loses its link to the outside (carrier off).
 */

#include "compat.h"
#include "device.h"

#include <linux/if_arp.h>
#include <linux/ip.h>
#include <net/rtnetlink.h>

/* Every idtun device in every namespace; protected by the RTNL. */
static LIST_HEAD(idtun_device_list);

static int idtun_open(struct net_device *dev)
{
	return 0;
}

static int idtun_stop(struct net_device *dev)
{
	return 0;
}

static netdev_tx_t idtun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* There are no peers yet, so no packet has anywhere to go. */
	DEV_STATS_INC(dev, tx_dropped);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops idtun_netdev_ops = {
	.ndo_open		= idtun_open,
	.ndo_stop		= idtun_stop,
	.ndo_start_xmit		= idtun_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

bool idtun_is_device(const struct net_device *dev)
{
	return dev->netdev_ops == &idtun_netdev_ops;
}

static void idtun_destruct(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static void idtun_setup(struct net_device *dev)
{
	struct idtun_device *idt = netdev_priv(dev);

	dev->netdev_ops = &idtun_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = IDTUN_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IDTUN_MAX_MTU;
	dev->needs_free_netdev = true;
	idtun_set_lltx(dev);

	memset(idt, 0, sizeof(*idt));
	idt->dev = dev;
	INIT_LIST_HEAD(&idt->list);
}

static int idtun_newlink(IDTUN_NEWLINK_ARGS)
{
	struct idtun_device *idt = netdev_priv(dev);
	int ret;

	idt->creating_net = IDTUN_NEWLINK_SRC_NET;
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;

	ret = register_netdevice(dev);
	if (ret < 0)
		goto err_free_tstats;

	list_add(&idt->list, &idtun_device_list);
	/* Set only now, so that a failed registration does not run it. */
	dev->priv_destructor = idtun_destruct;
	return 0;

err_free_tstats:
	free_percpu(dev->tstats);
	return ret;
}

/* Every deletion comes here: ip link del, rmmod, namespace teardown. */
static void idtun_dellink(struct net_device *dev, struct list_head *head)
{
	struct idtun_device *idt = netdev_priv(dev);

	list_del_init(&idt->list);
	unregister_netdevice_queue(dev, head);
}

struct rtnl_link_ops idtun_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct idtun_device),
	.setup		= idtun_setup,
	.newlink	= idtun_newlink,
	.dellink	= idtun_dellink,
};

/*
 * A namespace that created devices is going away: the devices may live
 * elsewhere by now, so they stay, cut off from the namespace they would
 * have sent through.
 */
static void __net_exit idtun_netns_pre_exit(struct net *net)
{
	struct idtun_device *idt;

	rtnl_lock();
	list_for_each_entry(idt, &idtun_device_list, list) {
		if (idt->creating_net != net)
			continue;
		idt->creating_net = NULL;
		netif_carrier_off(idt->dev);
	}
	rtnl_unlock();
}

static struct pernet_operations idtun_net_ops = {
	.pre_exit = idtun_netns_pre_exit,
};

int __init idtun_device_init(void)
{
	int ret;

	ret = register_pernet_device(&idtun_net_ops);
	if (ret)
		return ret;
	ret = rtnl_link_register(&idtun_link_ops);
	if (ret)
		goto err_unregister_pernet;
	return 0;

err_unregister_pernet:
	unregister_pernet_device(&idtun_net_ops);
	return ret;
}

void idtun_device_uninit(void)
{
	/* Deletes every remaining device through idtun_dellink(). */
	rtnl_link_unregister(&idtun_link_ops);
	unregister_pernet_device(&idtun_net_ops);
}
