/* SPDX-License-Identifier: GPL-2.0 */

#ifndef _IDTUN_DEVICE_H
#define _IDTUN_DEVICE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rwsem.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <net/gro_cells.h>
#include <net/ip.h>
#include <net/net_namespace.h>

#include "allowedips.h"
#include "audit.h"
#include "cookie.h"
#include "identity.h"
#include "lookup.h"
#include "messages.h"
#include "policy.h"

/*
 * Outer headers a transport message adds to an inner packet: IPv6 (40) or
 * IPv4 (20), UDP (8), WireGuard's data header (16) and the AEAD tag (16).
 * The default MTU leaves room for the larger, IPv6, underlay.
 */
#define IDTUN_OVERHEAD_V6	(40 + 8 + 16 + 16)
#define IDTUN_DEFAULT_MTU	(ETH_DATA_LEN - IDTUN_OVERHEAD_V6)
#define IDTUN_MAX_MTU		(IP_MAX_MTU - IDTUN_OVERHEAD_V6)

/* Handshake messages waiting for the handshake worker, at most. */
#define IDTUN_MAX_QUEUED_HANDSHAKES	4096
/* Above this many, the device is "under load" and asks for cookies. */
#define IDTUN_UNDER_LOAD_HANDSHAKES	(IDTUN_MAX_QUEUED_HANDSHAKES / 8)
/* Peers per device, at most. */
#define IDTUN_MAX_PEERS			(1U << 20)

/* Packets dropped by identity and policy, by reason (the drops nest). */
enum idtun_drop {
	IDTUN_DROP_NO_IDENTITY = IDTUN_A_DROPS_NO_IDENTITY - 1,
	IDTUN_DROP_EGRESS_POLICY = IDTUN_A_DROPS_EGRESS_POLICY - 1,
	IDTUN_DROP_INGRESS_POLICY = IDTUN_A_DROPS_INGRESS_POLICY - 1,
	IDTUN_DROP_LABEL_MISSING = IDTUN_A_DROPS_LABEL_MISSING - 1,
	IDTUN_DROP_LABEL_MALFORMED = IDTUN_A_DROPS_LABEL_MALFORMED - 1,
	IDTUN_DROP_LABEL_UNEXPECTED = IDTUN_A_DROPS_LABEL_UNEXPECTED - 1,
	IDTUN_DROP_LABEL_NOT_ALLOWED = IDTUN_A_DROPS_LABEL_NOT_ALLOWED - 1,
	IDTUN_DROPS
};

struct idtun_drop_stats {
	u64 n[IDTUN_DROPS];
	struct u64_stats_sync syncp;
};

struct idtun_device {
	struct net_device *dev;
	/*
	 * The namespace the device was created in: its UDP sockets live there
	 * even after the device moves to another namespace. Not refcounted:
	 * cleared when that namespace is dismantled. Protected by the RTNL.
	 */
	struct net *creating_net;
	/* Entry in idtun_device_list; protected by the RTNL. */
	struct list_head list;

	/*
	 * Serialises configuration: the peer list and peer table, allowed-IPs
	 * writers, the port, the fwmark and the sockets. Taken after the RTNL.
	 */
	struct mutex update_lock;
	/* Our static keypair and the peers' static_static; readers may sleep. */
	struct rw_semaphore static_identity_lock;
	u8 static_private[IDTUN_KEY_SIZE];
	u8 static_public[IDTUN_KEY_SIZE];
	bool has_identity;

	struct idtun_cookie_checker cookie_checker;
	struct idtun_peer_table *peer_table;
	struct idtun_index_table *index_table;
	struct idtun_allowedips allowedips;
	/* Peers in the order they were added; under update_lock. */
	struct list_head peer_list;
	unsigned int num_peers;
	/* Incremented on every configuration change; under update_lock. */
	u32 generation;

	/* The UDP sockets; replaced under update_lock, read under RCU. */
	struct sock __rcu *sock4;
	struct sock __rcu *sock6;
	/* The port the sockets are bound to, or are to be bound to. */
	u16 listen_port;
	u32 fwmark;

	/* Received handshake messages, consumed by handshake_work. */
	struct sk_buff_head handshake_queue;
	struct work_struct handshake_work;
	/* When the queue was last long (boottime ns): cookies for a second. */
	u64 last_under_load;
	struct gro_cells gro_cells;

	/*
	 * Identities, bindings and policy: changed under update_lock (after
	 * the RTNL), read under rcu_read_lock_bh() on the data path.
	 */
	struct idtun_identities identities;
	struct idtun_policy policy;
	struct idtun_audit audit;
	struct idtun_drop_stats __percpu *drops;
};

/* A configuration pointer, read under update_lock. */
#define idtun_locked(idt, p) rcu_dereference_protected(p, \
		lockdep_is_held(&(idt)->update_lock))

/* For sort() and bsearch() over u32 arrays. */
static inline int idtun_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static inline void idtun_count_drop(struct idtun_device *idt,
				    enum idtun_drop why)
{
	struct idtun_drop_stats *s = this_cpu_ptr(idt->drops);

	u64_stats_update_begin(&s->syncp);
	s->n[why]++;
	u64_stats_update_end(&s->syncp);
}

extern struct rtnl_link_ops idtun_link_ops;
/* Runs handshakes, key changes and peer teardown: work that may sleep. */
extern struct workqueue_struct *idtun_wq;

int idtun_device_init(void);
void idtun_device_uninit(void);
bool idtun_is_device(const struct net_device *dev);

#endif /* _IDTUN_DEVICE_H */
