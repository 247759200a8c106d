// SPDX-License-Identifier: GPL-2.0
/*
 * The peer table (public key -> peer) and the index table (our receiver
 * index -> handshake or session). Indices are random, so an attacker
 * cannot guess which of our sessions an index belongs to, and they index
 * the buckets directly.
 */

#include "lookup.h"
#include "peer.h"

#include <linux/random.h>
#include <linux/slab.h>

struct idtun_peer_table *idtun_peer_table_alloc(void)
{
	struct idtun_peer_table *t = kvmalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	get_random_bytes(&t->key, sizeof(t->key));
	hash_init(t->buckets);
	return t;
}

static struct hlist_head *idtun_peer_bucket(struct idtun_peer_table *t,
					    const u8 key[IDTUN_KEY_SIZE])
{
	u64 h = siphash(key, IDTUN_KEY_SIZE, &t->key);

	return &t->buckets[h & (HASH_SIZE(t->buckets) - 1)];
}

/* Caller holds the device's update lock. */
void idtun_peer_table_add(struct idtun_peer_table *t, struct idtun_peer *peer)
{
	hlist_add_head_rcu(&peer->pubkey_hash,
			   idtun_peer_bucket(t, peer->handshake.remote_static));
}

/* Caller holds the device's update lock. */
void idtun_peer_table_del(struct idtun_peer_table *t, struct idtun_peer *peer)
{
	hlist_del_init_rcu(&peer->pubkey_hash);
}

/* Returns the peer with a reference, or NULL. */
struct idtun_peer *idtun_peer_table_find(struct idtun_peer_table *t,
					 const u8 public_key[IDTUN_KEY_SIZE])
{
	struct idtun_peer *iter, *peer = NULL;

	rcu_read_lock_bh();
	hlist_for_each_entry_rcu(iter, idtun_peer_bucket(t, public_key),
				 pubkey_hash) {
		if (!memcmp(public_key, iter->handshake.remote_static,
			    IDTUN_KEY_SIZE)) {
			peer = idtun_peer_get_maybe_zero(iter);
			break;
		}
	}
	rcu_read_unlock_bh();
	return peer;
}

struct idtun_index_table *idtun_index_table_alloc(void)
{
	struct idtun_index_table *t = kvmalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	hash_init(t->buckets);
	spin_lock_init(&t->lock);
	return t;
}

static struct hlist_head *idtun_index_bucket(struct idtun_index_table *t,
					     u32 index)
{
	return &t->buckets[index & (HASH_SIZE(t->buckets) - 1)];
}

static bool idtun_index_used(struct idtun_index_table *t, u32 index)
{
	struct idtun_index_entry *e;

	hlist_for_each_entry_rcu(e, idtun_index_bucket(t, index), node,
				 lockdep_is_held(&t->lock))
		if (e->index == index)
			return true;
	return false;
}

/*
 * Gives entry a fresh random index and publishes it, replacing the index
 * it had if it was in the table. Returns the new index.
 */
u32 idtun_index_insert(struct idtun_index_table *t,
		       struct idtun_index_entry *entry)
{
	u32 index;

	spin_lock_bh(&t->lock);
	hlist_del_init_rcu(&entry->node);
	do {
		index = get_random_u32();
	} while (idtun_index_used(t, index));
	entry->index = index;
	hlist_add_head_rcu(&entry->node, idtun_index_bucket(t, index));
	spin_unlock_bh(&t->lock);
	return index;
}

/* Hands old's index over to new (a handshake becoming a session). */
bool idtun_index_replace(struct idtun_index_table *t,
			 struct idtun_index_entry *old,
			 struct idtun_index_entry *new)
{
	bool ret = false;

	spin_lock_bh(&t->lock);
	if (hlist_unhashed(&old->node))
		goto out;
	new->index = old->index;
	hlist_replace_rcu(&old->node, &new->node);
	/*
	 * Marks old unhashed but keeps its next pointer: a reader standing
	 * on it still walks on to the rest of the bucket.
	 */
	old->node.pprev = NULL;
	ret = true;
out:
	spin_unlock_bh(&t->lock);
	return ret;
}

void idtun_index_remove(struct idtun_index_table *t,
			struct idtun_index_entry *entry)
{
	spin_lock_bh(&t->lock);
	hlist_del_init_rcu(&entry->node);
	spin_unlock_bh(&t->lock);
}

/*
 * The entry of one of the given types with this index, and its peer with a
 * reference (dropped by the caller). Called under rcu_read_lock_bh(), which
 * also keeps the entry alive.
 */
struct idtun_index_entry *idtun_index_find(struct idtun_index_table *t,
					   unsigned int types, u32 index,
					   struct idtun_peer **peer)
{
	struct idtun_index_entry *e;

	hlist_for_each_entry_rcu(e, idtun_index_bucket(t, index), node) {
		if (e->index != index || !(e->type & types))
			continue;
		*peer = idtun_peer_get_maybe_zero(e->peer);
		return *peer ? e : NULL;
	}
	return NULL;
}
