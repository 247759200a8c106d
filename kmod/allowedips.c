// SPDX-License-Identifier: GPL-2.0
/*
 * Allowed IPs: a path-compressed binary trie per address family.
 *
 * Every node holds a prefix (key, cidr); a child's prefix extends its
 * parent's by at least one bit and sits under the parent's child[b], b being
 * the child's bit at position parent->cidr. A lookup walks down while the
 * node's prefix matches and remembers the last node with a peer: that is
 * the longest match, found in at most cidr + 1 steps, with no allocation.
 *
 * Writers build new nodes completely before publishing them with one
 * rcu_assign_pointer(), so a concurrent reader sees either the old or the
 * new trie; removed nodes are freed after a grace period.
 */

#include "allowedips.h"
#include "peer.h"

#include <linux/bitops.h>
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

static void set_peer(struct idtun_aip_node *node, struct idtun_peer *peer)
{
	if (rcu_access_pointer(node->peer) == peer)
		return;
	if (rcu_access_pointer(node->peer))
		list_del_init(&node->peer_list);
	rcu_assign_pointer(node->peer, peer);
	if (peer)
		list_add_tail(&node->peer_list, &peer->allowedips_list);
}

static struct idtun_aip_node *new_node(const u8 *key, u8 cidr, u8 bits,
				       struct idtun_peer *peer)
{
	struct idtun_aip_node *node = kzalloc(sizeof(*node), GFP_KERNEL);

	if (!node)
		return NULL;
	mask_key(node->key, key, cidr);
	node->cidr = cidr;
	node->bits = bits;
	INIT_LIST_HEAD(&node->peer_list);
	set_peer(node, peer);
	return node;
}

static void free_node(struct idtun_aip_node *node)
{
	list_del_init(&node->peer_list);
	kfree_rcu(node, rcu);
}

static struct idtun_aip_node __rcu **root_of(struct idtun_allowedips *t,
					     int family, u8 *bits)
{
	if (family == AF_INET) {
		*bits = 32;
		return &t->root4;
	}
	*bits = 128;
	return &t->root6;
}

int idtun_aip_insert(struct idtun_allowedips *t, int family, const void *addr,
		     u8 cidr, struct idtun_peer *peer, struct mutex *lock)
{
	struct idtun_aip_node __rcu **link;
	struct idtun_aip_node *node, *leaf, *branch;
	u8 key[16], bits, common;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	link = root_of(t, family, &bits);
	if (cidr > bits || !peer)
		return -EINVAL;
	mask_key(key, addr, cidr);
	t->seq++;

	for (;;) {
		node = deref_locked(*link, lock);
		if (!node)
			break;
		common = common_bits(node->key, key, min(node->cidr, cidr));
		if (common < node->cidr)
			goto split;
		if (node->cidr == cidr) {
			set_peer(node, peer);
			return 0;
		}
		link = &node->child[bit_at(key, node->cidr)];
	}
	leaf = new_node(key, cidr, bits, peer);
	if (!leaf)
		return -ENOMEM;
	rcu_assign_pointer(*link, leaf);
	return 0;

split:
	/* The new prefix leaves node's path at bit common. */
	leaf = new_node(key, cidr, bits, peer);
	if (!leaf)
		return -ENOMEM;
	if (common == cidr) {
		/* It is a shorter prefix of node: it becomes node's parent. */
		RCU_INIT_POINTER(leaf->child[bit_at(node->key, cidr)], node);
		rcu_assign_pointer(*link, leaf);
		return 0;
	}
	branch = new_node(key, common, bits, NULL);
	if (!branch) {
		free_node(leaf);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(branch->child[bit_at(node->key, common)], node);
	RCU_INIT_POINTER(branch->child[bit_at(key, common)], leaf);
	rcu_assign_pointer(*link, branch);
	return 0;
}

/*
 * Takes node (reached through link, its parent through parent_link) out of
 * the trie once it has no peer, keeping only nodes that hold a peer or
 * branch two ways.
 */
static void prune(struct idtun_aip_node __rcu **link,
		  struct idtun_aip_node __rcu **parent_link, struct mutex *lock)
{
	struct idtun_aip_node *node = deref_locked(*link, lock), *parent, *child;
	struct idtun_aip_node *c0 = deref_locked(node->child[0], lock);
	struct idtun_aip_node *c1 = deref_locked(node->child[1], lock);

	if (c0 && c1)
		return;
	rcu_assign_pointer(*link, c0 ?: c1);
	free_node(node);
	if (c0 || c1 || !parent_link)
		return;
	/* node was a leaf: its parent may now branch one way only. */
	parent = deref_locked(*parent_link, lock);
	if (rcu_access_pointer(parent->peer))
		return;
	child = deref_locked(parent->child[0], lock) ?: deref_locked(parent->child[1], lock);
	rcu_assign_pointer(*parent_link, child);
	free_node(parent);
}

int idtun_aip_remove(struct idtun_allowedips *t, int family, const void *addr,
		     u8 cidr, struct idtun_peer *peer, struct mutex *lock)
{
	struct idtun_aip_node __rcu **link, **parent_link = NULL;
	struct idtun_aip_node *node;
	u8 key[16], bits;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	link = root_of(t, family, &bits);
	if (cidr > bits)
		return -EINVAL;
	mask_key(key, addr, cidr);

	for (;;) {
		node = deref_locked(*link, lock);
		if (!node || node->cidr > cidr ||
		    !prefix_matches(node->key, key, node->cidr))
			return -ENOENT;
		if (node->cidr == cidr)
			break;
		parent_link = link;
		link = &node->child[bit_at(key, node->cidr)];
	}
	if (rcu_access_pointer(node->peer) != peer || !peer)
		return -ENOENT;
	t->seq++;
	set_peer(node, NULL);
	prune(link, parent_link, lock);
	return 0;
}

void idtun_aip_remove_peer(struct idtun_allowedips *t, struct idtun_peer *peer,
			   struct mutex *lock)
{
	struct idtun_aip_node *node, *tmp;
	int family;
	u8 addr[16], cidr;

	list_for_each_entry_safe(node, tmp, &peer->allowedips_list, peer_list) {
		idtun_aip_node_prefix(node, &family, addr, &cidr);
		WARN_ON(idtun_aip_remove(t, family, addr, cidr, peer, lock));
	}
}

static void free_trie(struct idtun_aip_node __rcu **root, struct mutex *lock)
{
	struct idtun_aip_node __rcu **link;
	struct idtun_aip_node *node, *child;

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

void idtun_aip_init(struct idtun_allowedips *t)
{
	RCU_INIT_POINTER(t->root4, NULL);
	RCU_INIT_POINTER(t->root6, NULL);
	t->seq = 1;
}

void idtun_aip_free(struct idtun_allowedips *t, struct mutex *lock)
{
	t->seq++;
	free_trie(&t->root4, lock);
	free_trie(&t->root6, lock);
}

/* Called under rcu_read_lock_bh(); the peer is valid until it is dropped. */
struct idtun_peer *idtun_aip_lookup(struct idtun_allowedips *t, int family,
				    const void *addr)
{
	struct idtun_aip_node *node;
	struct idtun_peer *found = NULL, *peer;

	node = family == AF_INET ? rcu_dereference_bh(t->root4) :
				   rcu_dereference_bh(t->root6);
	while (node && prefix_matches(node->key, addr, node->cidr)) {
		peer = rcu_dereference_bh(node->peer);
		if (peer)
			found = peer;
		if (node->cidr == node->bits)
			break;
		node = rcu_dereference_bh(node->child[bit_at(addr, node->cidr)]);
	}
	return found;
}

void idtun_aip_node_prefix(const struct idtun_aip_node *node, int *family,
			   void *addr, u8 *cidr)
{
	*family = node->bits == 32 ? AF_INET : AF_INET6;
	memcpy(addr, node->key, node->bits / 8);
	*cidr = node->cidr;
}
