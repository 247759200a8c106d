/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Identity-aware policy: rules (source identity or any, destination prefix
 * or any, protocol, destination port range) that allow or deny, evaluated
 * on egress before encryption and on ingress after the label check. A
 * matching deny wins over any allow; with no match, the direction's
 * default decides (docs/policy.md).
 */

#ifndef _IDTUN_POLICY_H
#define _IDTUN_POLICY_H

#include <linux/list.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/idtun.h>

#include "trie.h"

struct idtun_device;
struct idtun_ident;
struct idtun_pnode;

#define IDTUN_DIRS		2	/* IDTUN_DIRECTION_EGRESS, _INGRESS */
#define IDTUN_MAX_RULES		(1U << 20)

struct idtun_rule_stats {
	u64 packets;
	u64 bytes;
	struct u64_stats_sync syncp;
};

/* What a rule matches: also its key. */
struct idtun_rule_key {
	u8 dir;			/* enum idtun_direction */
	bool any_identity;
	u8 family;		/* AF_INET, AF_INET6, or 0 for any destination */
	u8 cidr;
	u8 proto;		/* 0: any */
	u16 port_min;
	u16 port_max;
	u32 identity;		/* unless any_identity */
	u8 addr[16];		/* zero past cidr */
};

struct idtun_rule {
	struct idtun_rule_key key;
	u8 action;		/* enum idtun_action */
	/* In the device's rules (dump order) and in its node; update_lock. */
	struct list_head dev_list;
	struct list_head node_list;
	struct idtun_pnode *pnode;
	struct idtun_ident *ident;	/* the key's identity, unless any */
	struct idtun_rule_stats __percpu *stats;
	struct rcu_head rcu;
};

/* The rules of one source identity (or of any) in one direction. */
struct idtun_ptable {
	struct idtun_trie trie;			/* values: struct idtun_pnode */
	struct idtun_pnode __rcu *anyaddr;	/* rules for any destination */
	unsigned int num_rules;
	struct rcu_head rcu;
};

struct idtun_policy {
	/* Rules matching any identity, by direction; under update_lock. */
	struct idtun_ptable __rcu *any[IDTUN_DIRS];
	u8 defaults[IDTUN_DIRS];	/* enum idtun_action */
	struct list_head rules;		/* in the order they were added */
	unsigned int num_rules;
	/* Nodes whose rules changed since they were last compiled. */
	struct list_head dirty;
	/* Incremented on every change, so dumps can tell they raced one. */
	u64 seq;
};

/* What a packet is, for matching: parsed once per packet. */
struct idtun_flow {
	u8 family;
	u8 proto;
	bool has_ports;
	__be16 sport;
	__be16 dport;
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr, daddr;
};

/* Fills flow from skb's IP header (and ports); false if malformed. */
bool idtun_flow_parse(struct sk_buff *skb, struct idtun_flow *flow);

void idtun_policy_init(struct idtun_policy *pol);
/* Under update_lock, once the device is unreachable. */
void idtun_policy_free(struct idtun_device *idt);

/* Changes under update_lock; idtun_policy_commit() makes them live. */
int idtun_rule_set(struct idtun_device *idt, const struct idtun_rule_key *key,
		   u8 action);
int idtun_rule_del(struct idtun_device *idt, const struct idtun_rule_key *key);
void idtun_rules_flush(struct idtun_device *idt);
int idtun_policy_commit(struct idtun_device *idt);

/*
 * The verdict on a packet of identity ident: IDTUN_ACTION_ALLOW or _DENY,
 * with the deciding rule in *rule (NULL for the default), which is
 * counted. Under rcu_read_lock_bh().
 */
u8 idtun_policy_decide(struct idtun_device *idt, u8 dir,
		       struct idtun_ident *ident,
		       const struct idtun_flow *flow, unsigned int packets,
		       unsigned int bytes, struct idtun_rule **rule);

struct idtun_audit_event;
/*
 * Judges one packet of ident by the policy of ev->dir and keeps the books:
 * the deciding rule's, the identity's and the device's drop counters, and
 * the audit event. ev comes with its direction, peer and flow, and with a
 * reason if the caller already drops the packet (no identity). Returns
 * whether the packet may pass. Under rcu_read_lock_bh().
 */
bool idtun_judge(struct idtun_device *idt, struct idtun_ident *ident,
		 unsigned int packets, unsigned int bytes,
		 struct idtun_audit_event *ev);

void idtun_rule_read_stats(struct idtun_rule *rule, u64 *packets, u64 *bytes);

#endif /* _IDTUN_POLICY_H */
