/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cryptokey routing: each device maps IP prefixes to peers. On transmit the
 * destination's longest matching prefix picks the peer; on receive the
 * source must map back to the peer that sent the packet.
 */

#ifndef _IDTUN_ALLOWEDIPS_H
#define _IDTUN_ALLOWEDIPS_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct idtun_peer;

/*
 * A node of a path-compressed binary trie. A node's prefix extends its
 * parent's; nodes without a peer only branch. Readers walk the trie under
 * rcu_read_lock_bh(); writers hold the table's lock (passed to every call
 * that changes it) and free nodes after a grace period.
 */
struct idtun_aip_node {
	struct idtun_peer __rcu *peer;
	struct idtun_aip_node __rcu *child[2];
	/* Entry in peer->allowedips_list while peer is set; under the lock. */
	struct list_head peer_list;
	struct rcu_head rcu;
	u8 cidr;
	u8 bits;			/* 32 or 128 */
	u8 key[16] __aligned(8);	/* the prefix, zero past cidr */
};

struct idtun_allowedips {
	struct idtun_aip_node __rcu *root4;
	struct idtun_aip_node __rcu *root6;
	/* Incremented on every change, so dumps can tell they raced one. */
	u64 seq;
};

void idtun_aip_init(struct idtun_allowedips *t);
void idtun_aip_free(struct idtun_allowedips *t, struct mutex *lock);

int idtun_aip_insert(struct idtun_allowedips *t, int family, const void *addr,
		     u8 cidr, struct idtun_peer *peer, struct mutex *lock);
int idtun_aip_remove(struct idtun_allowedips *t, int family, const void *addr,
		     u8 cidr, struct idtun_peer *peer, struct mutex *lock);
void idtun_aip_remove_peer(struct idtun_allowedips *t, struct idtun_peer *peer,
			   struct mutex *lock);

struct idtun_peer *idtun_aip_lookup(struct idtun_allowedips *t, int family,
				    const void *addr);

/* The prefix of one node, for dumps: family, address and cidr. */
void idtun_aip_node_prefix(const struct idtun_aip_node *node, int *family,
			   void *addr, u8 *cidr);

#endif /* _IDTUN_ALLOWEDIPS_H */
