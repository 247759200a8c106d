/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two ways a received message finds its peer: an initiation names the
 * peer by its public key (the peer table), every other message by the
 * receiver index we chose for a handshake or a session (the index table).
 */

#ifndef _IDTUN_LOOKUP_H
#define _IDTUN_LOOKUP_H

#include <linux/hashtable.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "messages.h"

struct idtun_peer;

/* Peers by public key. Writers hold the device's update lock; RCU readers. */
struct idtun_peer_table {
	siphash_key_t key;
	DECLARE_HASHTABLE(buckets, 11);
};

enum idtun_index_type {
	IDTUN_INDEX_HANDSHAKE = 1 << 0,
	IDTUN_INDEX_KEYPAIR = 1 << 1,
};

/* An index we handed out, embedded in a handshake or a keypair. */
struct idtun_index_entry {
	struct hlist_node node;
	struct idtun_peer *peer;
	u32 index;
	enum idtun_index_type type;
};

/* Indices in use. Writers take the lock (any context); RCU readers. */
struct idtun_index_table {
	DECLARE_HASHTABLE(buckets, 13);
	spinlock_t lock;
};

struct idtun_peer_table *idtun_peer_table_alloc(void);
void idtun_peer_table_add(struct idtun_peer_table *t, struct idtun_peer *peer);
void idtun_peer_table_del(struct idtun_peer_table *t, struct idtun_peer *peer);
struct idtun_peer *idtun_peer_table_find(struct idtun_peer_table *t,
					 const u8 public_key[IDTUN_KEY_SIZE]);

struct idtun_index_table *idtun_index_table_alloc(void);
u32 idtun_index_insert(struct idtun_index_table *t,
		       struct idtun_index_entry *entry);
bool idtun_index_replace(struct idtun_index_table *t,
			 struct idtun_index_entry *old,
			 struct idtun_index_entry *new);
void idtun_index_remove(struct idtun_index_table *t,
			struct idtun_index_entry *entry);
struct idtun_index_entry *idtun_index_find(struct idtun_index_table *t,
					   unsigned int types, u32 index,
					   struct idtun_peer **peer);

#endif /* _IDTUN_LOOKUP_H */
