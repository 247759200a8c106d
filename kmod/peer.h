/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A WireGuard peer of one device: its keys and handshake, its sessions,
 * where it was last seen, its timers and counters.
 */

#ifndef _IDTUN_PEER_H
#define _IDTUN_PEER_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <net/dst_cache.h>

#include "cookie.h"
#include "keypair.h"
#include "noise.h"

struct idtun_device;

/* Where a peer is: its address and, once learnt, our source address. */
struct idtun_endpoint {
	union {
		struct sockaddr addr;
		struct sockaddr_in addr4;
		struct sockaddr_in6 addr6;
	};
	union {
		struct {
			struct in_addr src4;
			/* The interface src4 was learnt on. */
			int src_if4;
		};
		struct in6_addr src6;
	};
};

/* Packets waiting for a session, at most; the oldest are dropped. */
#define IDTUN_MAX_STAGED_PACKETS	128

struct idtun_peer {
	struct idtun_device *device;
	struct idtun_handshake handshake;
	struct idtun_cookie cookie;
	struct idtun_keypairs keypairs;

	/* Protects endpoint; taken for reading on every transmit. */
	rwlock_t endpoint_lock;
	struct idtun_endpoint endpoint;
	/* Routes to the endpoint; reset whenever it changes. */
	struct dst_cache endpoint_cache;

	/* Packets waiting for a session (its own lock). */
	struct sk_buff_head staged;

	/* Timers; armed only while the device is up and the peer alive. */
	struct timer_list timer_retransmit_handshake;
	struct timer_list timer_send_keepalive;
	struct timer_list timer_new_handshake;
	struct timer_list timer_zero_key_material;
	struct timer_list timer_persistent_keepalive;
	unsigned int timer_handshake_attempts;
	u16 persistent_keepalive_interval;
	bool timer_need_another_keepalive;
	bool sent_lastminute_handshake;
	/* When we last sent an initiation (boottime ns). */
	atomic64_t last_sent_handshake;

	/* Sends an initiation from process context. */
	struct work_struct transmit_handshake_work;
	/* Wipes the sessions and the handshake after long silence. */
	struct work_struct clear_peer_work;

	atomic64_t rx_bytes;
	atomic64_t tx_bytes;
	/* Wall-clock time of the last completed handshake (ns), 0 for never. */
	atomic64_t last_handshake_ns;

	/* Entry in the device's peer_list and peer table; under update_lock. */
	struct list_head peer_list;
	struct hlist_node pubkey_hash;
	/* The peer's allowed IPs (struct idtun_trie_node.list); ditto. */
	struct list_head allowedips_list;

	/*
	 * Identity settings: whether messages carry labels, the identity of an
	 * unlabelled peer's packets (NULL: 0) and the identities a labelled
	 * peer may claim. Changed under update_lock, read under RCU (BH).
	 */
	bool labels;
	struct idtun_ident __rcu *ident;
	struct idtun_idset __rcu *allowed_ids;

	struct kref refcount;
	struct rcu_head rcu;
	/* Set once the peer is being removed: nothing may arm or queue it. */
	bool is_dead;
};

struct idtun_peer *idtun_peer_create(struct idtun_device *idt,
				     const u8 public_key[IDTUN_KEY_SIZE],
				     const u8 preshared_key[IDTUN_KEY_SIZE]);
void idtun_peer_remove(struct idtun_peer *peer);
void idtun_peer_remove_all(struct idtun_device *idt);

struct idtun_peer *idtun_peer_get_maybe_zero(struct idtun_peer *peer);
static inline struct idtun_peer *idtun_peer_get(struct idtun_peer *peer)
{
	kref_get(&peer->refcount);
	return peer;
}
void idtun_peer_put(struct idtun_peer *peer);

void idtun_peer_set_endpoint(struct idtun_peer *peer,
			     const struct idtun_endpoint *ep);
void idtun_peer_clear_src(struct idtun_peer *peer);
void idtun_peer_expire_keys(struct idtun_peer *peer);
void idtun_peer_forget_last_handshake(struct idtun_peer *peer);

#endif /* _IDTUN_PEER_H */
