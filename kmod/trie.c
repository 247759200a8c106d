// SPDX-License-Identifier: GPL-2.0
/*
 * A path-compressed binary trie per address family.
 *
 * Every node holds a prefix (key, cidr); a child's prefix extends its
 * parent's by at least one bit and sits under the parent's child[b], b being
 * the child's bit at position parent->cidr. A lookup walks down while the
 * node's prefix matches: the nodes it passes are exactly the prefixes that
 * contain the address, found in at most cidr + 1 steps, with no allocation.
 *
 * Writers build new nodes completely before publishing them with one
 * rcu_assign_pointer(), so a concurrent reader sees either the old or the
 * new trie; removed nodes are freed after a grace period. Only nodes that
 * hold a value or branch two ways stay in the trie.
 */

#include "trie.h"

#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/string.h>

#define deref_locked(p, lock) rcu_dereference_protected(p, lockdep_is_held(lock))

static int bit_at(const u8 *key, u8 pos)
{
	return (key[pos / 8] >> (7 - pos % 8)) & 1;
}

/* Leading bits a and b share, at most max. */
static u8 common_bits(const u8 *a, const u8 *b, u8 max)
{
	unsigned int i;
	u8 x;

	for (i = 0; i * 8 < max; i++) {
		x = a[i] ^ b[i];
		if (x)
			return min_t(u8, max, i * 8 + 8 - fls(x));
	}
	return max;
}

static bool prefix_matches(const u8 *key, const u8 *addr, u8 cidr)
{
	unsigned int full = cidr / 8, rest = cidr % 8;

	if (memcmp(key, addr, full))
		return false;
	return !rest || !((key[full] ^ addr[full]) & (0xff << (8 - rest)));
}

static void mask_key(u8 *key, const u8 *addr, u8 cidr)
{
	unsigned int full = cidr / 8, rest = cidr % 8;

	memset(key, 0, 16);
	memcpy(key, addr, full);
	if (rest)
		key[full] = addr[full] & (0xff << (8 - rest));
}

static struct idtun_trie_node *new_node(const u8 *key, u8 cidr, u8 bits)
{
	struct idtun_trie_node *node = kzalloc(sizeof(*node), GFP_KERNEL);

	if (!node)
		return NULL;
	mask_key(node->key, key, cidr);
	node->cidr = cidr;
	node->bits = bits;
	INIT_LIST_HEAD(&node->list);
	return node;
}

static void free_node(struct idtun_trie_node *node)
{
	list_del_init(&node->list);
	kfree_rcu(node, rcu);
}

static struct idtun_trie_node __rcu **root_of(struct idtun_trie *t,
					      int family, u8 *bits)
{
	if (family == AF_INET) {
		*bits = 32;
		return &t->root4;
	}
	if (family != AF_INET6)
		return NULL;
	*bits = 128;
	return &t->root6;
}

struct idtun_trie_node *idtun_trie_get(struct idtun_trie *t, int family,
				       const void *addr, u8 cidr,
				       struct mutex *lock)
{
	struct idtun_trie_node __rcu **link;
	struct idtun_trie_node *node, *leaf, *branch;
	u8 key[16], bits, common;

	link = root_of(t, family, &bits);
	if (!link)
		return ERR_PTR(-EAFNOSUPPORT);
	if (cidr > bits)
		return ERR_PTR(-EINVAL);
	mask_key(key, addr, cidr);

	for (;;) {
		node = deref_locked(*link, lock);
		if (!node)
			break;
		common = common_bits(node->key, key, min(node->cidr, cidr));
		if (common < node->cidr)
			goto split;
		if (node->cidr == cidr)
			return node;
		link = &node->child[bit_at(key, node->cidr)];
	}
	leaf = new_node(key, cidr, bits);
	if (!leaf)
		return ERR_PTR(-ENOMEM);
	rcu_assign_pointer(*link, leaf);
	return leaf;

split:
	/* The new prefix leaves node's path at bit common. */
	leaf = new_node(key, cidr, bits);
	if (!leaf)
		return ERR_PTR(-ENOMEM);
	if (common == cidr) {
		/* It is a shorter prefix of node: it becomes node's parent. */
		RCU_INIT_POINTER(leaf->child[bit_at(node->key, cidr)], node);
		rcu_assign_pointer(*link, leaf);
		return leaf;
	}
	branch = new_node(key, common, bits);
	if (!branch) {
		free_node(leaf);
		return ERR_PTR(-ENOMEM);
	}
	RCU_INIT_POINTER(branch->child[bit_at(node->key, common)], node);
	RCU_INIT_POINTER(branch->child[bit_at(key, common)], leaf);
	rcu_assign_pointer(*link, branch);
	return leaf;
}

/* The link to the node of this prefix, and its parent's link; or NULL. */
static struct idtun_trie_node __rcu **
find_link(struct idtun_trie *t, int family, const u8 *key, u8 cidr,
	  struct idtun_trie_node __rcu ***parent_link, struct mutex *lock)
{
	struct idtun_trie_node __rcu **link;
	struct idtun_trie_node *node;
	u8 bits;

	link = root_of(t, family, &bits);
	if (!link || cidr > bits)
		return NULL;
	*parent_link = NULL;
	for (;;) {
		node = deref_locked(*link, lock);
		if (!node || node->cidr > cidr ||
		    !prefix_matches(node->key, key, node->cidr))
			return NULL;
		if (node->cidr == cidr)
			return link;
		*parent_link = link;
		link = &node->child[bit_at(key, node->cidr)];
	}
}

struct idtun_trie_node *idtun_trie_find(struct idtun_trie *t, int family,
					const void *addr, u8 cidr,
					struct mutex *lock)
{
	struct idtun_trie_node __rcu **link, **parent_link;
	u8 key[16];

	if (cidr > 128)
		return NULL;
	mask_key(key, addr, cidr);
	link = find_link(t, family, key, cidr, &parent_link, lock);
	return link ? deref_locked(*link, lock) : NULL;
}

void idtun_trie_remove(struct idtun_trie *t, struct idtun_trie_node *node,
		       struct mutex *lock)
{
	struct idtun_trie_node __rcu **link, **parent_link;
	struct idtun_trie_node *parent, *child, *c0, *c1;

	link = find_link(t, node->bits == 32 ? AF_INET : AF_INET6, node->key,
			 node->cidr, &parent_link, lock);
	if (WARN_ON(!link || deref_locked(*link, lock) != node ||
		    rcu_access_pointer(node->value)))
		return;
	c0 = deref_locked(node->child[0], lock);
	c1 = deref_locked(node->child[1], lock);
	if (c0 && c1) {
		list_del_init(&node->list);
		return;		/* it still branches */
	}
	rcu_assign_pointer(*link, c0 ?: c1);
	free_node(node);
	if (c0 || c1 || !parent_link)
		return;
	/* node was a leaf: its parent may now branch one way only. */
	parent = deref_locked(*parent_link, lock);
	if (rcu_access_pointer(parent->value))
		return;
	child = deref_locked(parent->child[0], lock) ?:
		deref_locked(parent->child[1], lock);
	rcu_assign_pointer(*parent_link, child);
	free_node(parent);
}

static void free_trie(struct idtun_trie_node __rcu **root, struct mutex *lock)
{
	struct idtun_trie_node __rcu **link;
	struct idtun_trie_node *node, *child;

	/* Cut one leaf at a time: no recursion, no stack to size. */
	while ((node = deref_locked(*root, lock))) {
		link = root;
		for (;;) {
			child = deref_locked(node->child[0], lock);
			if (child) {
				link = &node->child[0];
			} else {
				child = deref_locked(node->child[1], lock);
				if (!child)
					break;
				link = &node->child[1];
			}
			node = child;
		}
		RCU_INIT_POINTER(*link, NULL);
		free_node(node);
	}
}

void idtun_trie_init(struct idtun_trie *t)
{
	RCU_INIT_POINTER(t->root4, NULL);
	RCU_INIT_POINTER(t->root6, NULL);
}

void idtun_trie_free(struct idtun_trie *t, struct mutex *lock)
{
	free_trie(&t->root4, lock);
	free_trie(&t->root6, lock);
}

struct idtun_trie_node *idtun_trie_first(struct idtun_trie *t, int family,
					 const void *addr)
{
	struct idtun_trie_node *node;

	node = family == AF_INET ? rcu_dereference_bh(t->root4) :
				   rcu_dereference_bh(t->root6);
	if (node && !prefix_matches(node->key, addr, node->cidr))
		return NULL;
	return node;
}

struct idtun_trie_node *idtun_trie_next(struct idtun_trie_node *node,
					const void *addr)
{
	if (node->cidr == node->bits)
		return NULL;
	node = rcu_dereference_bh(node->child[bit_at(addr, node->cidr)]);
	if (node && !prefix_matches(node->key, addr, node->cidr))
		return NULL;
	return node;
}

void *idtun_trie_lookup(struct idtun_trie *t, int family, const void *addr)
{
	struct idtun_trie_node *node;
	void *found = NULL, *value;

	idtun_trie_for_each_match(node, t, family, addr) {
		value = rcu_dereference_bh(node->value);
		if (value)
			found = value;
	}
	return found;
}

void idtun_trie_node_prefix(const struct idtun_trie_node *node, int *family,
			    void *addr, u8 *cidr)
{
	*family = node->bits == 32 ? AF_INET : AF_INET6;
	memcpy(addr, node->key, node->bits / 8);
	*cidr = node->cidr;
}

void idtun_prefix_mask(u8 *addr, u8 cidr)
{
	u8 key[16];

	mask_key(key, addr, cidr);
	memcpy(addr, key, sizeof(key));
}
