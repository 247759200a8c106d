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
#include "label.h"
#include "peer.h"
#include "receive.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/rtnetlink.h>

/* Every idtun device in every namespace; protected by the RTNL. */
static LIST_HEAD(idtun_device_list);

struct workqueue_struct *idtun_wq;

/* Up: open the sockets, send what waited, start persistent keepalives. */
static int idtun_open(struct net_device *dev)
{
	struct idtun_device *idt = netdev_priv(dev);
	struct idtun_peer *peer;
	int ret;

	mutex_lock(&idt->update_lock);
	ret = idtun_socket_init(idt, idt->listen_port);
	if (ret)
		goto out;
	list_for_each_entry(peer, &idt->peer_list, peer_list) {
		idtun_send_staged(peer);
		if (peer->persistent_keepalive_interval)
			idtun_send_keepalive(peer);
	}
out:
	mutex_unlock(&idt->update_lock);
	return ret;
}

/* Down: sessions, handshakes and waiting packets go; so do the sockets. */
static int idtun_stop(struct net_device *dev)
{
	struct idtun_device *idt = netdev_priv(dev);
	struct idtun_peer *peer;

	mutex_lock(&idt->update_lock);
	list_for_each_entry(peer, &idt->peer_list, peer_list) {
		skb_queue_purge(&peer->staged);
		idtun_timers_stop(peer);
		idtun_handshake_clear(&peer->handshake, idt->index_table);
		idtun_keypairs_clear(&peer->keypairs, idt->index_table, false);
		idtun_peer_forget_last_handshake(peer);
	}
	idtun_socket_uninit(idt);
	mutex_unlock(&idt->update_lock);
	skb_queue_purge(&idt->handshake_queue);
	return 0;
}

/* Unregistration (under the RTNL): peers and queued handshakes go. */
static void idtun_uninit(struct net_device *dev)
{
	struct idtun_device *idt = netdev_priv(dev);

	mutex_lock(&idt->update_lock);
	idtun_peer_remove_all(idt);
	idtun_socket_uninit(idt);
	mutex_unlock(&idt->update_lock);
	cancel_work_sync(&idt->handshake_work);
	cancel_delayed_work_sync(&idt->identities.cg_gc);
	skb_queue_purge(&idt->handshake_queue);
	gro_cells_destroy(&idt->gro_cells);
}

static const struct net_device_ops idtun_netdev_ops = {
	.ndo_open		= idtun_open,
	.ndo_stop		= idtun_stop,
	.ndo_uninit		= idtun_uninit,
	.ndo_start_xmit		= idtun_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

bool idtun_is_device(const struct net_device *dev)
{
	return dev->netdev_ops == &idtun_netdev_ops;
}

/* The net_device's last reference is gone: free what outlived uninit. */
static void idtun_destruct(struct net_device *dev)
{
	struct idtun_device *idt = netdev_priv(dev);

	/* Peers freed by RCU callbacks still reach the index table. */
	rcu_barrier();
	mutex_lock(&idt->update_lock);
	idtun_policy_free(idt);
	idtun_identities_free(idt);
	mutex_unlock(&idt->update_lock);
	idtun_audit_free(&idt->audit);
	free_percpu(idt->drops);
	kvfree(idt->index_table);
	kvfree(idt->peer_table);
	memzero_explicit(idt->static_private, IDTUN_KEY_SIZE);
	memzero_explicit(&idt->cookie_checker, sizeof(idt->cookie_checker));
	free_percpu(dev->tstats);
}

#define IDTUN_FEATURES (NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_SG | \
			NETIF_F_GSO | NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA)

static void idtun_setup(struct net_device *dev)
{
	struct idtun_device *idt = netdev_priv(dev);

	dev->netdev_ops = &idtun_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_DISABLE_NETPOLL;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	/* Room for the outer headers and the tag, so sending rarely copies. */
	dev->needed_headroom = sizeof(struct ipv6hdr) + sizeof(struct udphdr) +
			       sizeof(struct idtun_msg_data) + IDTUN_LABEL_LEN +
			       NET_SKB_PAD;
	dev->needed_tailroom = IDTUN_TAG_SIZE + IDTUN_PADDING_MULTIPLE;
	dev->features |= IDTUN_FEATURES;
	dev->hw_features |= IDTUN_FEATURES;
	dev->hw_enc_features |= IDTUN_FEATURES;
	dev->mtu = IDTUN_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IDTUN_MAX_MTU;
	dev->needs_free_netdev = true;
	idtun_set_lltx(dev);

	memset(idt, 0, sizeof(*idt));
	idt->dev = dev;
	INIT_LIST_HEAD(&idt->list);
	INIT_LIST_HEAD(&idt->peer_list);
	mutex_init(&idt->update_lock);
	init_rwsem(&idt->static_identity_lock);
	idtun_cookie_checker_init(&idt->cookie_checker);
	idtun_aip_init(&idt->allowedips);
	idtun_policy_init(&idt->policy);
	skb_queue_head_init(&idt->handshake_queue);
	INIT_WORK(&idt->handshake_work, idtun_handshake_work);
}

static int idtun_newlink(IDTUN_NEWLINK_ARGS)
{
	struct idtun_device *idt = netdev_priv(dev);
	int ret;

	idt->creating_net = IDTUN_NEWLINK_SRC_NET;
	ret = -ENOMEM;
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return ret;
	idt->peer_table = idtun_peer_table_alloc();
	if (!idt->peer_table)
		goto err_free_tstats;
	idt->index_table = idtun_index_table_alloc();
	if (!idt->index_table)
		goto err_free_peer_table;
	idt->drops = alloc_percpu(struct idtun_drop_stats);
	if (!idt->drops)
		goto err_free_index_table;
	ret = idtun_audit_init(&idt->audit);
	if (ret)
		goto err_free_drops;
	ret = idtun_identities_init(idt);
	if (ret)
		goto err_free_audit;
	ret = gro_cells_init(&idt->gro_cells, dev);
	if (ret)
		goto err_free_identities;

	ret = register_netdevice(dev);
	if (ret < 0)
		goto err_destroy_gro_cells;

	list_add(&idt->list, &idtun_device_list);
	/* Set only now, so that a failed registration does not run it. */
	dev->priv_destructor = idtun_destruct;
	return 0;

err_destroy_gro_cells:
	gro_cells_destroy(&idt->gro_cells);
err_free_identities:
	mutex_lock(&idt->update_lock);
	idtun_identities_free(idt);
	mutex_unlock(&idt->update_lock);
err_free_audit:
	idtun_audit_free(&idt->audit);
err_free_drops:
	free_percpu(idt->drops);
err_free_index_table:
	kvfree(idt->index_table);
err_free_peer_table:
	kvfree(idt->peer_table);
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
		/* Kernel sockets do not pin their namespace: close them. */
		mutex_lock(&idt->update_lock);
		idtun_socket_uninit(idt);
		WRITE_ONCE(idt->creating_net, NULL);
		mutex_unlock(&idt->update_lock);
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

	idtun_wq = alloc_workqueue("idtun", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!idtun_wq)
		return -ENOMEM;
	ret = register_pernet_device(&idtun_net_ops);
	if (ret)
		goto err_destroy_wq;
	ret = rtnl_link_register(&idtun_link_ops);
	if (ret)
		goto err_unregister_pernet;
	return 0;

err_unregister_pernet:
	unregister_pernet_device(&idtun_net_ops);
err_destroy_wq:
	destroy_workqueue(idtun_wq);
	return ret;
}

void idtun_device_uninit(void)
{
	/* Deletes every remaining device through idtun_dellink(). */
	rtnl_link_unregister(&idtun_link_ops);
	unregister_pernet_device(&idtun_net_ops);
	/* Sessions are freed by RCU work items on idtun_wq. */
	rcu_barrier();
	destroy_workqueue(idtun_wq);
}
