/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A longest-prefix trie over IPv4 and IPv6 prefixes whose nodes hold an
 * opaque value: the allowed IPs' peers, the source prefixes bound to
 * identities, and the policy rules of one identity by destination.
 */

#ifndef _IDTUN_TRIE_H
#define _IDTUN_TRIE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

/*
 * A node of a path-compressed binary trie. A node's prefix extends its
 * parent's; nodes without a value only branch. Readers walk the trie under
 * rcu_read_lock_bh(); writers hold the owner's lock (passed to every call
 * that changes the trie) and nodes are freed after a grace period.
 */
struct idtun_trie_node {
	void __rcu *value;
	struct idtun_trie_node __rcu *child[2];
	/* The owner's, under the lock: e.g. the nodes of one peer. */
	struct list_head list;
	struct rcu_head rcu;
	u8 cidr;
	u8 bits;			/* 32 or 128 */
	u8 key[16] __aligned(8);	/* the prefix, zero past cidr */
};

struct idtun_trie {
	struct idtun_trie_node __rcu *root4;
	struct idtun_trie_node __rcu *root6;
};

void idtun_trie_init(struct idtun_trie *t);
/* Frees every node; the owner has let go of the values. */
void idtun_trie_free(struct idtun_trie *t, struct mutex *lock);

/*
 * The node of exactly this prefix, created without a value if there is
 * none: an ERR_PTR for a bad prefix or no memory.
 */
struct idtun_trie_node *idtun_trie_get(struct idtun_trie *t, int family,
				       const void *addr, u8 cidr,
				       struct mutex *lock);
/* The node of exactly this prefix, or NULL. */
struct idtun_trie_node *idtun_trie_find(struct idtun_trie *t, int family,
					const void *addr, u8 cidr,
					struct mutex *lock);
/* Takes node, whose value the owner has cleared, out of the trie. */
void idtun_trie_remove(struct idtun_trie *t, struct idtun_trie_node *node,
		       struct mutex *lock);

/*
 * The nodes whose prefix contains addr, shortest first; under
 * rcu_read_lock_bh(). Nodes without a value are among them.
 */
struct idtun_trie_node *idtun_trie_first(struct idtun_trie *t, int family,
					 const void *addr);
struct idtun_trie_node *idtun_trie_next(struct idtun_trie_node *node,
					const void *addr);
#define idtun_trie_for_each_match(node, t, family, addr)		\
	for (node = idtun_trie_first(t, family, addr); node;		\
	     node = idtun_trie_next(node, addr))

/* The value of the longest prefix with one that contains addr, or NULL. */
void *idtun_trie_lookup(struct idtun_trie *t, int family, const void *addr);

/* Clears the bits of a 16-byte address buffer past cidr. */
void idtun_prefix_mask(u8 *addr, u8 cidr);

/* The prefix of one node: family, address and cidr. */
void idtun_trie_node_prefix(const struct idtun_trie_node *node, int *family,
			    void *addr, u8 *cidr);

#endif /* _IDTUN_TRIE_H */
