// SPDX-License-Identifier: GPL-2.0
/*
 * Allowed IPs: the device's trie of prefixes, each node's value the peer it
 * routes to. A peer keeps its nodes on its allowedips_list, so removing a
 * peer touches only its own prefixes.
 */

#include "allowedips.h"
#include "peer.h"

#include <linux/err.h>
#include <linux/errno.h>

static void set_peer(struct idtun_trie_node *node, struct idtun_peer *peer)
{
	if (rcu_access_pointer(node->value) == peer)
		return;
	if (rcu_access_pointer(node->value))
		list_del_init(&node->list);
	rcu_assign_pointer(node->value, peer);
	if (peer)
		list_add_tail(&node->list, &peer->allowedips_list);
}

int idtun_aip_insert(struct idtun_allowedips *t, int family, const void *addr,
		     u8 cidr, struct idtun_peer *peer, struct mutex *lock)
{
	struct idtun_trie_node *node;

	if (!peer)
		return -EINVAL;
	node = idtun_trie_get(&t->trie, family, addr, cidr, lock);
	if (IS_ERR(node))
		return PTR_ERR(node);
	t->seq++;
	set_peer(node, peer);
	return 0;
}

int idtun_aip_remove(struct idtun_allowedips *t, int family, const void *addr,
		     u8 cidr, struct idtun_peer *peer, struct mutex *lock)
{
	struct idtun_trie_node *node;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (cidr > (family == AF_INET ? 32 : 128))
		return -EINVAL;
	node = idtun_trie_find(&t->trie, family, addr, cidr, lock);
	if (!node || !peer || rcu_access_pointer(node->value) != peer)
		return -ENOENT;
	t->seq++;
	set_peer(node, NULL);
	idtun_trie_remove(&t->trie, node, lock);
	return 0;
}

void idtun_aip_remove_peer(struct idtun_allowedips *t, struct idtun_peer *peer,
			   struct mutex *lock)
{
	struct idtun_trie_node *node, *tmp;

	list_for_each_entry_safe(node, tmp, &peer->allowedips_list, list) {
		t->seq++;
		set_peer(node, NULL);
		idtun_trie_remove(&t->trie, node, lock);
	}
}

void idtun_aip_init(struct idtun_allowedips *t)
{
	idtun_trie_init(&t->trie);
	t->seq = 1;
}

void idtun_aip_free(struct idtun_allowedips *t, struct mutex *lock)
{
	t->seq++;
	idtun_trie_free(&t->trie, lock);
}
