// SPDX-License-Identifier: GPL-2.0
/*
 * Peers: creation, removal and lifetime. A peer is created and removed
 * under its device's update lock. Removal first unlinks it (peer table,
 * peer list, allowed IPs) and marks it dead, then waits for a grace period
 * so that no packet path still holds it unreferenced, then stops its
 * timers and work and drops its sessions. The memory goes when the last
 * reference does, an RCU grace period later, wiped.
 */

#include "device.h"
#include "identity.h"
#include "peer.h"
#include "send.h"
#include "timers.h"

#include <linux/slab.h>

static void idtun_clear_peer_work(struct work_struct *work)
{
	struct idtun_peer *peer = container_of(work, struct idtun_peer,
					       clear_peer_work);

	net_dbg_ratelimited("%s: wiping the keys of a silent peer\n",
			    peer->device->dev->name);
	idtun_keypairs_clear(&peer->keypairs, peer->device->index_table, false);
	idtun_handshake_clear(&peer->handshake, peer->device->index_table);
}

struct idtun_peer *idtun_peer_create(struct idtun_device *idt,
				     const u8 public_key[IDTUN_KEY_SIZE],
				     const u8 preshared_key[IDTUN_KEY_SIZE])
{
	struct idtun_peer *peer;

	lockdep_assert_held(&idt->update_lock);
	if (idt->num_peers >= IDTUN_MAX_PEERS)
		return ERR_PTR(-ENOSPC);
	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return ERR_PTR(-ENOMEM);
	if (dst_cache_init(&peer->endpoint_cache, GFP_KERNEL)) {
		kfree(peer);
		return ERR_PTR(-ENOMEM);
	}
	peer->device = idt;
	idtun_handshake_init(&peer->handshake, peer, public_key, preshared_key);
	down_read(&idt->static_identity_lock);
	idtun_handshake_set_static(&peer->handshake, idt->has_identity ?
				   idt->static_private : NULL);
	up_read(&idt->static_identity_lock);
	idtun_cookie_init(&peer->cookie, public_key);
	idtun_keypairs_init(&peer->keypairs);
	rwlock_init(&peer->endpoint_lock);
	skb_queue_head_init(&peer->staged);
	idtun_timers_init(peer);
	idtun_peer_forget_last_handshake(peer);
	INIT_WORK(&peer->transmit_handshake_work, idtun_transmit_handshake_work);
	INIT_WORK(&peer->clear_peer_work, idtun_clear_peer_work);
	INIT_LIST_HEAD(&peer->allowedips_list);
	kref_init(&peer->refcount);

	list_add_tail(&peer->peer_list, &idt->peer_list);
	idtun_peer_table_add(idt->peer_table, peer);
	idt->num_peers++;
	return peer;
}

/* Long ago, so that the next initiation is not held back. */
void idtun_peer_forget_last_handshake(struct idtun_peer *peer)
{
	atomic64_set(&peer->last_sent_handshake,
		     ktime_get_coarse_boottime_ns() -
		     (u64)(IDTUN_REKEY_TIMEOUT + 1) * NSEC_PER_SEC);
}

struct idtun_peer *idtun_peer_get_maybe_zero(struct idtun_peer *peer)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_bh_held(),
			 "taking a peer reference without RCU-bh");
	if (unlikely(!peer || !kref_get_unless_zero(&peer->refcount)))
		return NULL;
	return peer;
}

static void idtun_peer_rcu_free(struct rcu_head *rcu)
{
	struct idtun_peer *peer = container_of(rcu, struct idtun_peer, rcu);

	dst_cache_destroy(&peer->endpoint_cache);
	/* Handshake state, preshared key and cookies are secrets. */
	kfree_sensitive(peer);
}

/*
 * The last reference is gone (any context). Whatever a racing handshake
 * worker left behind after removal (a staged keepalive, an index) goes
 * here; the device's tables outlive every peer.
 */
static void idtun_peer_release(struct kref *ref)
{
	struct idtun_peer *peer = container_of(ref, struct idtun_peer, refcount);
	struct idtun_index_table *indices = peer->device->index_table;

	skb_queue_purge(&peer->staged);
	idtun_index_remove(indices, &peer->handshake.entry);
	idtun_keypairs_clear(&peer->keypairs, indices, true);
	call_rcu(&peer->rcu, idtun_peer_rcu_free);
}

void idtun_peer_put(struct idtun_peer *peer)
{
	if (peer)
		kref_put(&peer->refcount, idtun_peer_release);
}

/* Phase one of removal, under the update lock: nothing new finds it. */
static void idtun_peer_unlist(struct idtun_peer *peer)
{
	struct idtun_device *idt = peer->device;

	lockdep_assert_held(&idt->update_lock);
	WRITE_ONCE(peer->is_dead, true);
	idtun_peer_table_del(idt->peer_table, peer);
	list_del_init(&peer->peer_list);
	idtun_aip_remove_peer(&idt->allowedips, peer, &idt->update_lock);
	idtun_peer_clear_identities(peer);
	idt->num_peers--;
	idt->generation++;
}

/* Phase two, after a grace period: nothing old is still running. */
static void idtun_peer_shutdown(struct idtun_peer *peer)
{
	struct idtun_device *idt = peer->device;

	idtun_timers_stop(peer);
	cancel_work_sync(&peer->transmit_handshake_work);
	cancel_work_sync(&peer->clear_peer_work);
	skb_queue_purge(&peer->staged);
	idtun_keypairs_clear(&peer->keypairs, idt->index_table, true);
	idtun_handshake_clear(&peer->handshake, idt->index_table);
	idtun_peer_put(peer);
}

void idtun_peer_remove(struct idtun_peer *peer)
{
	idtun_peer_unlist(peer);
	synchronize_net();
	idtun_peer_shutdown(peer);
}

void idtun_peer_remove_all(struct idtun_device *idt)
{
	struct idtun_peer *peer, *tmp;
	LIST_HEAD(dead);

	list_for_each_entry_safe(peer, tmp, &idt->peer_list, peer_list) {
		idtun_peer_unlist(peer);
		list_add_tail(&peer->peer_list, &dead);
	}
	if (list_empty(&dead))
		return;
	synchronize_net();
	list_for_each_entry_safe(peer, tmp, &dead, peer_list) {
		list_del_init(&peer->peer_list);
		idtun_peer_shutdown(peer);
	}
}

void idtun_peer_set_endpoint(struct idtun_peer *peer,
			     const struct idtun_endpoint *ep)
{
	write_lock_bh(&peer->endpoint_lock);
	if (ep->addr.sa_family == AF_INET) {
		peer->endpoint.addr4 = ep->addr4;
		peer->endpoint.src4 = ep->src4;
		peer->endpoint.src_if4 = ep->src_if4;
	} else if (ep->addr.sa_family == AF_INET6) {
		peer->endpoint.addr6 = ep->addr6;
		peer->endpoint.src6 = ep->src6;
	}
	dst_cache_reset(&peer->endpoint_cache);
	write_unlock_bh(&peer->endpoint_lock);
}

/* Forgets the source address we used, so the next route picks afresh. */
void idtun_peer_clear_src(struct idtun_peer *peer)
{
	write_lock_bh(&peer->endpoint_lock);
	memset(&peer->endpoint.src6, 0, sizeof(peer->endpoint.src6));
	dst_cache_reset(&peer->endpoint_cache);
	write_unlock_bh(&peer->endpoint_lock);
}

/* Keys changed under the peer: no more sending on the old sessions. */
void idtun_peer_expire_keys(struct idtun_peer *peer)
{
	idtun_handshake_clear(&peer->handshake, peer->device->index_table);
	idtun_keypairs_expire_current(&peer->keypairs);
}
