/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workload identities of one device: which identity a sent packet has
 * (bindings by cgroup and by source prefix, then the device default), and
 * the counters of every identity the device's configuration names.
 */

#ifndef _IDTUN_IDENTITY_H
#define _IDTUN_IDENTITY_H

#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <uapi/linux/idtun.h>

#include "trie.h"

struct cgroup;
struct idtun_device;
struct idtun_ptable;

struct idtun_ident_stats {
	u64 tx_packets;
	u64 tx_bytes;
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_dropped;
	u64 rx_dropped;
	struct u64_stats_sync syncp;
};

/*
 * An identity the device's configuration names (a binding, the default, a
 * peer's identity or allowed identities, a rule), and identity 0. Readers
 * find it under rcu_read_lock_bh(); it is freed a grace period after its
 * last reference goes.
 */
struct idtun_ident {
	struct rhash_head node;		/* in idtun_identities.idents */
	u32 id;
	/* References from the configuration; under update_lock. */
	unsigned int refs;
	struct idtun_ident_stats __percpu *stats;
	/* Rules matching this source identity, by direction, or NULL. */
	struct idtun_ptable __rcu *policy[2];
	struct rcu_head rcu;
};

/* A cgroup bound to an identity; its descendants inherit the binding. */
struct idtun_cg_binding {
	struct rhash_head node;		/* in idtun_identities.cgroups, by id */
	u64 cgid;
	struct cgroup *cgrp;		/* a reference, so the id stays unique */
	struct idtun_ident *ident;
	struct list_head list;		/* idtun_identities.cg_list */
	struct rcu_head rcu;
};

struct idtun_identities {
	/* struct idtun_ident by number; changed under update_lock. */
	struct rhashtable idents;
	struct idtun_ident *unlabelled;	/* identity 0, always there */
	struct idtun_ident __rcu *default_ident;

	/*
	 * Cgroup bindings by cgroup id, and in order; under update_lock. The
	 * data path reads the count without it, to skip the lookup when 0.
	 */
	struct rhashtable cgroups;
	struct list_head cg_list;
	unsigned int num_cgroups;
	/*
	 * Changes with every cgroup binding change (release after the change,
	 * acquire before a lookup), so a cached resolution older than the
	 * change is never used.
	 */
	u32 cg_gen;
	struct idtun_cg_cache __percpu *cg_cache;
	/* Drops bindings of removed cgroups, every second while any exist. */
	struct delayed_work cg_gc;

	/*
	 * Source prefixes bound to identities (the nodes with one are on
	 * prefix_list); locked and counted as the cgroup bindings are.
	 */
	struct idtun_trie prefixes;
	struct list_head prefix_list;
	unsigned int num_prefixes;

	/* Bits of skb->mark that receive the verified source identity. */
	u32 mark_mask;
};

#define IDTUN_MAX_BINDINGS	(1U << 20)
#define IDTUN_MAX_ALLOWED_IDS	(1U << 16)	/* per peer */

/* The identities a labelled peer may claim, sorted by number. */
struct idtun_idset {
	unsigned int n;
	struct rcu_head rcu;
	struct idtun_ident *idents[];
};

struct idtun_peer;

int idtun_identities_init(struct idtun_device *idt);
/* Under the RTNL and update_lock, once the device is unreachable. */
void idtun_identities_free(struct idtun_device *idt);

/* The entry of identity id, taking a reference; under update_lock. */
struct idtun_ident *idtun_ident_get(struct idtun_device *idt, u32 id);
void idtun_ident_put(struct idtun_device *idt, struct idtun_ident *ident);
/* The entry of identity id, if the device has one; under RCU (BH). */
struct idtun_ident *idtun_ident_find(struct idtun_device *idt, u32 id);

/* Changing the device default and bindings; under update_lock. */
int idtun_set_default_identity(struct idtun_device *idt, u32 id);
int idtun_bind_cgroup(struct idtun_device *idt, struct cgroup *cgrp, u32 id);
int idtun_unbind_cgroup(struct idtun_device *idt, struct cgroup *cgrp);
int idtun_bind_prefix(struct idtun_device *idt, int family, const void *addr,
		      u8 cidr, u32 id);
int idtun_unbind_prefix(struct idtun_device *idt, int family,
			const void *addr, u8 cidr);
void idtun_unbind_all(struct idtun_device *idt);

/* A peer's identity settings; under update_lock. */
int idtun_peer_set_identity(struct idtun_peer *peer, u32 id);
/*
 * Changes a peer's allowed identities: all go first if replace, then del[]
 * go and add[] come (both sorted, without duplicates).
 */
int idtun_peer_change_allowed_ids(struct idtun_peer *peer, bool replace,
				  const u32 *add, unsigned int n_add,
				  const u32 *del, unsigned int n_del);
void idtun_peer_clear_identities(struct idtun_peer *peer);
/* The entry of id if the peer may claim it, else NULL; under RCU (BH). */
struct idtun_ident *idtun_peer_allowed_ident(struct idtun_peer *peer, u32 id);

/*
 * The identity of a packet the device sends: its socket's cgroup binding,
 * else its source prefix's, else the default, else identity 0. Under
 * rcu_read_lock_bh(), as the entry is valid only within it.
 */
struct idtun_ident *idtun_identity_of_skb(struct idtun_device *idt,
					  struct sk_buff *skb);

/* Writes a verified source identity into skb->mark under the mask. */
void idtun_identity_mark(struct idtun_device *idt, struct sk_buff *skb,
			 u32 id);

static inline void idtun_ident_count(struct idtun_ident *ident, bool tx,
				     unsigned int packets, unsigned int bytes)
{
	struct idtun_ident_stats *s = this_cpu_ptr(ident->stats);

	u64_stats_update_begin(&s->syncp);
	if (tx) {
		s->tx_packets += packets;
		s->tx_bytes += bytes;
	} else {
		s->rx_packets += packets;
		s->rx_bytes += bytes;
	}
	u64_stats_update_end(&s->syncp);
}

void idtun_ident_count_drop(struct idtun_ident *ident, bool tx);
void idtun_ident_read_stats(struct idtun_ident *ident,
			    struct idtun_ident_stats *sum);

#endif /* _IDTUN_IDENTITY_H */
