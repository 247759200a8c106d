// SPDX-License-Identifier: GPL-2.0
/*
 * Token buckets by source (a concurrent first packet from one source may
 * briefly create two entries; the extra one is collected like any other). Entries live in one hash table for the module,
 * keyed by namespace and address; idle ones are collected every second,
 * and the table's size is bounded, so a flood of spoofed sources costs a
 * bounded amount of memory (sources past the bound are refused).
 */

#include "ratelimiter.h"

#include <linux/hashtable.h>
#include <linux/ipv6.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/ip.h>

#define PACKET_COST	(NSEC_PER_SEC / IDTUN_RATELIMIT_PER_SECOND)
#define TOKEN_MAX	(PACKET_COST * IDTUN_RATELIMIT_BURST)
#define MAX_ENTRIES	8192

struct idtun_rl_entry {
	struct hlist_node hash;
	struct rcu_head rcu;
	/* Protects tokens and last. */
	spinlock_t lock;
	u64 last;
	u64 tokens;
	struct net *net;	/* compared, never dereferenced */
	u8 addr[16];		/* IPv4 address, or the IPv6 /64 */
};

static DEFINE_HASHTABLE(idtun_rl_table, 12);
/* Protects insertion and removal in idtun_rl_table, and the count. */
static DEFINE_SPINLOCK(idtun_rl_lock);
static unsigned int idtun_rl_count;
static siphash_key_t idtun_rl_key;
static struct delayed_work idtun_rl_gc;

static void idtun_rl_gc_work(struct work_struct *work)
{
	u64 now = ktime_get_coarse_boottime_ns();
	struct idtun_rl_entry *e;
	struct hlist_node *tmp;
	int bkt;

	spin_lock_bh(&idtun_rl_lock);
	hash_for_each_safe(idtun_rl_table, bkt, tmp, e, hash) {
		if (now - READ_ONCE(e->last) > NSEC_PER_SEC) {
			hash_del_rcu(&e->hash);
			idtun_rl_count--;
			kfree_rcu(e, rcu);
		}
	}
	spin_unlock_bh(&idtun_rl_lock);
	queue_delayed_work(system_power_efficient_wq, &idtun_rl_gc, HZ);
}

int __init idtun_ratelimiter_init(void)
{
	get_random_bytes(&idtun_rl_key, sizeof(idtun_rl_key));
	INIT_DELAYED_WORK(&idtun_rl_gc, idtun_rl_gc_work);
	queue_delayed_work(system_power_efficient_wq, &idtun_rl_gc, HZ);
	return 0;
}

void idtun_ratelimiter_uninit(void)
{
	struct idtun_rl_entry *e;
	struct hlist_node *tmp;
	int bkt;

	cancel_delayed_work_sync(&idtun_rl_gc);
	spin_lock_bh(&idtun_rl_lock);
	hash_for_each_safe(idtun_rl_table, bkt, tmp, e, hash) {
		hash_del_rcu(&e->hash);
		kfree_rcu(e, rcu);
	}
	idtun_rl_count = 0;
	spin_unlock_bh(&idtun_rl_lock);
}

bool idtun_ratelimiter_allow(struct sk_buff *skb, struct net *net)
{
	struct { struct net *net; u8 addr[16]; } key = { .net = net };
	struct idtun_rl_entry *e, *fresh;
	struct hlist_head *bucket;
	u64 now, tokens;
	bool ret;

	if (ip_hdr(skb)->version == 4)
		memcpy(key.addr, &ip_hdr(skb)->saddr, 4);
	else
		memcpy(key.addr, &ipv6_hdr(skb)->saddr, 8);
	bucket = &idtun_rl_table[hash_min(siphash(&key, sizeof(key),
						  &idtun_rl_key),
					  HASH_BITS(idtun_rl_table))];

	rcu_read_lock_bh();
	hlist_for_each_entry_rcu(e, bucket, hash) {
		if (e->net != net || memcmp(e->addr, key.addr, 16))
			continue;
		spin_lock(&e->lock);
		now = ktime_get_coarse_boottime_ns();
		tokens = min_t(u64, TOKEN_MAX, e->tokens + now - e->last);
		WRITE_ONCE(e->last, now);
		ret = tokens >= PACKET_COST;
		e->tokens = ret ? tokens - PACKET_COST : tokens;
		spin_unlock(&e->lock);
		rcu_read_unlock_bh();
		return ret;
	}
	rcu_read_unlock_bh();

	fresh = kmalloc(sizeof(*fresh), GFP_ATOMIC);
	if (!fresh)
		return false;
	spin_lock_init(&fresh->lock);
	fresh->net = net;
	memcpy(fresh->addr, key.addr, 16);
	fresh->last = ktime_get_coarse_boottime_ns();
	fresh->tokens = TOKEN_MAX - PACKET_COST;
	spin_lock_bh(&idtun_rl_lock);
	if (idtun_rl_count >= MAX_ENTRIES) {
		spin_unlock_bh(&idtun_rl_lock);
		kfree(fresh);
		return false;
	}
	idtun_rl_count++;
	hlist_add_head_rcu(&fresh->hash, bucket);
	spin_unlock_bh(&idtun_rl_lock);
	return true;
}
