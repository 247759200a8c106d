// SPDX-License-Identifier: GPL-2.0
/*
 * Identities of one device and the bindings that give sent packets theirs.
 *
 * A sent packet's identity is found without a scan: its socket's cgroup
 * and that cgroup's ancestors are looked up by id in a hash table, deepest
 * first, and the answer (also "no binding") is cached per CPU by cgroup id;
 * else the source address's longest bound prefix; else the default. A
 * binding holds its cgroup, and a work item drops the bindings of cgroups
 * that were removed, so none lingers and none leaks.
 */

#include "compat.h"
#include "device.h"
#include "identity.h"
#include "peer.h"
#include "policy.h"

#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/sock.h>

#define IDTUN_CG_CACHE_SIZE	64	/* entries per CPU, a power of 2 */

struct idtun_cg_cache {
	struct {
		u64 cgid;
		u32 gen;
		bool valid;
		struct idtun_ident *ident;	/* NULL: no binding covers it */
	} e[IDTUN_CG_CACHE_SIZE];
};

static const struct rhashtable_params ident_params = {
	.key_len = sizeof(u32),
	.key_offset = offsetof(struct idtun_ident, id),
	.head_offset = offsetof(struct idtun_ident, node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params cgroup_params = {
	.key_len = sizeof(u64),
	.key_offset = offsetof(struct idtun_cg_binding, cgid),
	.head_offset = offsetof(struct idtun_cg_binding, node),
	.automatic_shrinking = true,
};

static void ident_free_rcu(struct rcu_head *rcu)
{
	struct idtun_ident *ident = container_of(rcu, struct idtun_ident, rcu);

	free_percpu(ident->stats);
	kfree(ident);
}

static struct idtun_ident *ident_alloc(u32 id)
{
	struct idtun_ident *ident = kzalloc(sizeof(*ident), GFP_KERNEL);
	int cpu;

	if (!ident)
		return NULL;
	ident->stats = alloc_percpu(struct idtun_ident_stats);
	if (!ident->stats) {
		kfree(ident);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(ident->stats, cpu)->syncp);
	ident->id = id;
	ident->refs = 1;
	return ident;
}

struct idtun_ident *idtun_ident_get(struct idtun_device *idt, u32 id)
{
	struct idtun_identities *ids = &idt->identities;
	struct idtun_ident *ident;
	int ret;

	lockdep_assert_held(&idt->update_lock);
	ident = rhashtable_lookup_fast(&ids->idents, &id, ident_params);
	if (ident) {
		ident->refs++;
		return ident;
	}
	ident = ident_alloc(id);
	if (!ident)
		return NULL;
	ret = rhashtable_insert_fast(&ids->idents, &ident->node, ident_params);
	if (ret) {
		ident_free_rcu(&ident->rcu);
		return NULL;
	}
	return ident;
}

void idtun_ident_put(struct idtun_device *idt, struct idtun_ident *ident)
{
	lockdep_assert_held(&idt->update_lock);
	if (!ident || --ident->refs)
		return;
	rhashtable_remove_fast(&idt->identities.idents, &ident->node,
			       ident_params);
	/* The last rule of an identity took its policy tables with it. */
	call_rcu(&ident->rcu, ident_free_rcu);
}

struct idtun_ident *idtun_ident_find(struct idtun_device *idt, u32 id)
{
	/* Takes its own RCU read lock: callers may hold only the BH one. */
	return rhashtable_lookup_fast(&idt->identities.idents, &id,
				      ident_params);
}

int idtun_set_default_identity(struct idtun_device *idt, u32 id)
{
	struct idtun_ident *old = idtun_locked(idt, idt->identities.default_ident);
	struct idtun_ident *ident = NULL;

	if (old && old->id == id)
		return 0;
	if (id) {
		ident = idtun_ident_get(idt, id);
		if (!ident)
			return -ENOMEM;
	}
	rcu_assign_pointer(idt->identities.default_ident, ident);
	idtun_ident_put(idt, old);
	return 0;
}

/* Every cached cgroup resolution is stale from now on. */
static void cg_changed(struct idtun_identities *ids)
{
	/* Pairs with cg_lookup()'s acquire: the change is visible first. */
	smp_store_release(&ids->cg_gen, ids->cg_gen + 1);
}

static void cg_binding_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct idtun_cg_binding, rcu));
}

static void cg_binding_del(struct idtun_device *idt, struct idtun_cg_binding *b)
{
	struct idtun_identities *ids = &idt->identities;

	rhashtable_remove_fast(&ids->cgroups, &b->node, cgroup_params);
	list_del(&b->list);
	WRITE_ONCE(ids->num_cgroups, ids->num_cgroups - 1);
	cg_changed(ids);
	idtun_ident_put(idt, b->ident);
	cgroup_put(b->cgrp);
	call_rcu(&b->rcu, cg_binding_free_rcu);
}

int idtun_bind_cgroup(struct idtun_device *idt, struct cgroup *cgrp, u32 id)
{
	struct idtun_identities *ids = &idt->identities;
	struct idtun_ident *ident, *old;
	struct idtun_cg_binding *b;
	u64 cgid = cgroup_id(cgrp);
	int ret;

	lockdep_assert_held(&idt->update_lock);
	b = rhashtable_lookup_fast(&ids->cgroups, &cgid, cgroup_params);
	if (b && b->ident->id == id)
		return 0;
	ident = idtun_ident_get(idt, id);
	if (!ident)
		return -ENOMEM;
	if (b) {
		/* Readers see the old or the new identity, both valid. */
		old = b->ident;
		WRITE_ONCE(b->ident, ident);
		cg_changed(ids);
		idtun_ident_put(idt, old);
		return 0;
	}
	ret = -ENOSPC;
	if (ids->num_cgroups >= IDTUN_MAX_BINDINGS)
		goto err_put;
	ret = -ENOMEM;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		goto err_put;
	b->cgid = cgid;
	b->ident = ident;
	cgroup_get(cgrp);
	b->cgrp = cgrp;
	ret = rhashtable_insert_fast(&ids->cgroups, &b->node, cgroup_params);
	if (ret) {
		cgroup_put(cgrp);
		kfree(b);
		goto err_put;
	}
	list_add_tail(&b->list, &ids->cg_list);
	WRITE_ONCE(ids->num_cgroups, ids->num_cgroups + 1);
	cg_changed(ids);
	mod_delayed_work(system_wq, &ids->cg_gc, HZ);
	return 0;

err_put:
	idtun_ident_put(idt, ident);
	return ret;
}

int idtun_unbind_cgroup(struct idtun_device *idt, struct cgroup *cgrp)
{
	struct idtun_cg_binding *b;
	u64 cgid = cgroup_id(cgrp);

	lockdep_assert_held(&idt->update_lock);
	b = rhashtable_lookup_fast(&idt->identities.cgroups, &cgid,
				   cgroup_params);
	if (!b)
		return -ENOENT;
	cg_binding_del(idt, b);
	return 0;
}

static void cg_gc_work(struct work_struct *work)
{
	struct idtun_identities *ids = container_of(to_delayed_work(work),
						    struct idtun_identities,
						    cg_gc);
	struct idtun_device *idt = container_of(ids, struct idtun_device,
						identities);
	struct idtun_cg_binding *b, *tmp;

	mutex_lock(&idt->update_lock);
	list_for_each_entry_safe(b, tmp, &ids->cg_list, list) {
		/* Offline: removed by rmdir, only references keep it. */
		if (!(READ_ONCE(b->cgrp->self.flags) & CSS_ONLINE)) {
			cg_binding_del(idt, b);
			idt->generation++;
		}
	}
	if (ids->num_cgroups)
		queue_delayed_work(system_wq, &ids->cg_gc, HZ);
	mutex_unlock(&idt->update_lock);
}

static void prefix_clear(struct idtun_device *idt, struct idtun_trie_node *node)
{
	struct idtun_identities *ids = &idt->identities;

	idtun_ident_put(idt, idtun_locked(idt, node->value));
	RCU_INIT_POINTER(node->value, NULL);
	list_del_init(&node->list);
	WRITE_ONCE(ids->num_prefixes, ids->num_prefixes - 1);
	idtun_trie_remove(&ids->prefixes, node, &idt->update_lock);
}

int idtun_bind_prefix(struct idtun_device *idt, int family, const void *addr,
		      u8 cidr, u32 id)
{
	struct idtun_identities *ids = &idt->identities;
	struct idtun_ident *ident, *old;
	struct idtun_trie_node *node;

	if (ids->num_prefixes >= IDTUN_MAX_BINDINGS)
		return -ENOSPC;
	ident = idtun_ident_get(idt, id);
	if (!ident)
		return -ENOMEM;
	node = idtun_trie_get(&ids->prefixes, family, addr, cidr,
			      &idt->update_lock);
	if (IS_ERR(node)) {
		idtun_ident_put(idt, ident);
		return PTR_ERR(node);
	}
	old = idtun_locked(idt, node->value);
	rcu_assign_pointer(node->value, ident);
	if (old) {
		idtun_ident_put(idt, old);
	} else {
		list_add_tail(&node->list, &ids->prefix_list);
		WRITE_ONCE(ids->num_prefixes, ids->num_prefixes + 1);
	}
	return 0;
}

int idtun_unbind_prefix(struct idtun_device *idt, int family,
			const void *addr, u8 cidr)
{
	struct idtun_trie_node *node;

	node = idtun_trie_find(&idt->identities.prefixes, family, addr, cidr,
			       &idt->update_lock);
	if (!node || !rcu_access_pointer(node->value))
		return -ENOENT;
	prefix_clear(idt, node);
	return 0;
}

void idtun_unbind_all(struct idtun_device *idt)
{
	struct idtun_identities *ids = &idt->identities;
	struct idtun_cg_binding *b, *btmp;
	struct idtun_trie_node *node, *ntmp;

	lockdep_assert_held(&idt->update_lock);
	list_for_each_entry_safe(b, btmp, &ids->cg_list, list)
		cg_binding_del(idt, b);
	list_for_each_entry_safe(node, ntmp, &ids->prefix_list, list)
		prefix_clear(idt, node);
}

/* The binding that covers cgrp: its own, or its nearest ancestor's. */
static struct idtun_ident *cg_resolve(struct idtun_identities *ids,
				      struct cgroup *cgrp)
{
	struct idtun_cg_binding *b;
	struct cgroup *anc;
	int level;
	u64 cgid;

	for (level = cgrp->level; level >= 0; level--) {
		anc = cgroup_ancestor(cgrp, level);
		if (!anc)
			break;
		cgid = cgroup_id(anc);
		b = rhashtable_lookup_fast(&ids->cgroups, &cgid, cgroup_params);
		if (b)
			return READ_ONCE(b->ident);
	}
	return NULL;
}

static struct idtun_ident *cg_lookup(struct idtun_identities *ids,
				     struct sock *sk)
{
	struct cgroup *cgrp = sock_cgroup_ptr(&sk->sk_cgrp_data);
	struct idtun_cg_cache *cache = this_cpu_ptr(ids->cg_cache);
	/* Pairs with cg_changed(): a lookup sees changes up to gen. */
	u32 gen = smp_load_acquire(&ids->cg_gen);
	u64 cgid = cgroup_id(cgrp);
	unsigned int slot = hash_64(cgid, ilog2(IDTUN_CG_CACHE_SIZE));
	struct idtun_ident *ident;

	if (cache->e[slot].valid && cache->e[slot].cgid == cgid &&
	    cache->e[slot].gen == gen)
		return cache->e[slot].ident;
	ident = cg_resolve(ids, cgrp);
	cache->e[slot].cgid = cgid;
	cache->e[slot].gen = gen;
	cache->e[slot].ident = ident;
	cache->e[slot].valid = true;
	return ident;
}

struct idtun_ident *idtun_identity_of_skb(struct idtun_device *idt,
					  struct sk_buff *skb)
{
	struct idtun_identities *ids = &idt->identities;
	struct idtun_ident *ident = NULL;
	struct sock *sk;

	if (READ_ONCE(ids->num_cgroups)) {
		sk = skb_to_full_sk(skb);
		if (sk && sk_fullsock(sk))
			ident = cg_lookup(ids, sk);
		if (ident)
			return ident;
	}
	if (READ_ONCE(ids->num_prefixes)) {
		if (skb->protocol == htons(ETH_P_IP))
			ident = idtun_trie_lookup(&ids->prefixes, AF_INET,
						  &ip_hdr(skb)->saddr);
		else
			ident = idtun_trie_lookup(&ids->prefixes, AF_INET6,
						  &ipv6_hdr(skb)->saddr);
		if (ident)
			return ident;
	}
	return rcu_dereference_bh(ids->default_ident) ?: ids->unlabelled;
}

void idtun_identity_mark(struct idtun_device *idt, struct sk_buff *skb, u32 id)
{
	u32 mask = READ_ONCE(idt->identities.mark_mask);
	unsigned int shift;

	if (!mask)
		return;
	shift = __ffs(mask);
	/* An identity too wide for the mask marks nothing: 0. */
	if ((u64)id << shift & ~(u64)mask)
		id = 0;
	skb->mark = (skb->mark & ~mask) | (id << shift);
}

void idtun_ident_count_drop(struct idtun_ident *ident, bool tx)
{
	struct idtun_ident_stats *s = this_cpu_ptr(ident->stats);

	u64_stats_update_begin(&s->syncp);
	if (tx)
		s->tx_dropped++;
	else
		s->rx_dropped++;
	u64_stats_update_end(&s->syncp);
}

void idtun_ident_read_stats(struct idtun_ident *ident,
			    struct idtun_ident_stats *sum)
{
	const struct idtun_ident_stats *s;
	struct idtun_ident_stats v;
	unsigned int start;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(ident->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v = *s;
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->tx_packets += v.tx_packets;
		sum->tx_bytes += v.tx_bytes;
		sum->rx_packets += v.rx_packets;
		sum->rx_bytes += v.rx_bytes;
		sum->tx_dropped += v.tx_dropped;
		sum->rx_dropped += v.rx_dropped;
	}
}

int idtun_identities_init(struct idtun_device *idt)
{
	struct idtun_identities *ids = &idt->identities;
	int ret;

	INIT_LIST_HEAD(&ids->cg_list);
	INIT_LIST_HEAD(&ids->prefix_list);
	idtun_trie_init(&ids->prefixes);
	INIT_DELAYED_WORK(&ids->cg_gc, cg_gc_work);
	ret = rhashtable_init(&ids->idents, &ident_params);
	if (ret)
		return ret;
	ret = rhashtable_init(&ids->cgroups, &cgroup_params);
	if (ret)
		goto err_destroy_idents;
	ret = -ENOMEM;
	ids->cg_cache = alloc_percpu(struct idtun_cg_cache);
	if (!ids->cg_cache)
		goto err_destroy_cgroups;
	mutex_lock(&idt->update_lock);
	ids->unlabelled = idtun_ident_get(idt, 0);
	mutex_unlock(&idt->update_lock);
	if (!ids->unlabelled)
		goto err_free_cache;
	return 0;

err_free_cache:
	free_percpu(ids->cg_cache);
err_destroy_cgroups:
	rhashtable_destroy(&ids->cgroups);
err_destroy_idents:
	rhashtable_destroy(&ids->idents);
	return ret;
}

void idtun_identities_free(struct idtun_device *idt)
{
	struct idtun_identities *ids = &idt->identities;

	lockdep_assert_held(&idt->update_lock);
	idtun_unbind_all(idt);
	idtun_set_default_identity(idt, 0);
	idtun_ident_put(idt, ids->unlabelled);
	ids->unlabelled = NULL;
	WARN_ON(atomic_read(&ids->idents.nelems));
	idtun_trie_free(&ids->prefixes, &idt->update_lock);
	rhashtable_destroy(&ids->cgroups);
	rhashtable_destroy(&ids->idents);
	free_percpu(ids->cg_cache);
}

int idtun_peer_set_identity(struct idtun_peer *peer, u32 id)
{
	struct idtun_device *idt = peer->device;
	struct idtun_ident *old = idtun_locked(idt, peer->ident), *ident = NULL;

	if ((old ? old->id : 0) == id)
		return 0;
	if (id) {
		ident = idtun_ident_get(idt, id);
		if (!ident)
			return -ENOMEM;
	}
	rcu_assign_pointer(peer->ident, ident);
	idtun_ident_put(idt, old);
	return 0;
}

static bool in_sorted(const u32 *ids, unsigned int n, u32 id)
{
	unsigned int lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (ids[mid] == id)
			return true;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Merges what stays of old with add[] into a new set, taking references. */
static struct idtun_idset *idset_merge(struct idtun_device *idt,
				       const struct idtun_idset *old,
				       const u32 *add, unsigned int n_add,
				       const u32 *del, unsigned int n_del)
{
	unsigned int i = 0, j = 0, n_old = old ? old->n : 0;
	struct idtun_idset *set;
	struct idtun_ident *ident;
	u32 id;

	set = kvzalloc(struct_size(set, idents, n_old + n_add), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);
	while (i < n_old || j < n_add) {
		if (j == n_add || (i < n_old && old->idents[i]->id <= add[j])) {
			if (j < n_add && old->idents[i]->id == add[j])
				j++;
			id = old->idents[i++]->id;
			if (in_sorted(del, n_del, id))
				continue;
		} else {
			id = add[j++];
		}
		ident = idtun_ident_get(idt, id);
		if (!ident)
			goto err;
		set->idents[set->n++] = ident;
	}
	if (set->n > IDTUN_MAX_ALLOWED_IDS) {
		for (i = 0; i < set->n; i++)
			idtun_ident_put(idt, set->idents[i]);
		kvfree(set);
		return ERR_PTR(-ENOSPC);
	}
	return set;

err:
	for (i = 0; i < set->n; i++)
		idtun_ident_put(idt, set->idents[i]);
	kvfree(set);
	return ERR_PTR(-ENOMEM);
}

static void idset_release(struct idtun_device *idt, struct idtun_idset *set)
{
	unsigned int i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		idtun_ident_put(idt, set->idents[i]);
	kvfree_rcu(set, rcu);
}

int idtun_peer_change_allowed_ids(struct idtun_peer *peer, bool replace,
				  const u32 *add, unsigned int n_add,
				  const u32 *del, unsigned int n_del)
{
	struct idtun_device *idt = peer->device;
	struct idtun_idset *old = idtun_locked(idt, peer->allowed_ids), *set;

	set = idset_merge(idt, replace ? NULL : old, add, n_add, del, n_del);
	if (IS_ERR(set))
		return PTR_ERR(set);
	if (!set->n) {
		kvfree(set);
		set = NULL;
	}
	rcu_assign_pointer(peer->allowed_ids, set);
	idset_release(idt, old);
	return 0;
}

void idtun_peer_clear_identities(struct idtun_peer *peer)
{
	struct idtun_device *idt = peer->device;

	idtun_peer_set_identity(peer, 0);
	idset_release(idt, idtun_locked(idt, peer->allowed_ids));
	RCU_INIT_POINTER(peer->allowed_ids, NULL);
}

struct idtun_ident *idtun_peer_allowed_ident(struct idtun_peer *peer, u32 id)
{
	struct idtun_idset *set = rcu_dereference_bh(peer->allowed_ids);
	unsigned int lo = 0, hi, mid;

	if (!set)
		return NULL;
	hi = set->n;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (set->idents[mid]->id == id)
			return set->idents[mid];
		if (set->idents[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
