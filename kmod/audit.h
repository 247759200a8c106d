/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Audit: flow verdicts sent to the "audit" generic netlink group. The first
 * packet of each new flow (allowed) and every denied or dropped packet make
 * an event, within a rate limit per device; events over the limit are
 * counted as suppressed.
 */

#ifndef _IDTUN_AUDIT_H
#define _IDTUN_AUDIT_H

#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct idtun_device;
struct idtun_flow;
struct idtun_peer;
struct idtun_rule;

#define IDTUN_AUDIT_DEFAULT_RATE	100

struct idtun_audit {
	u32 rate;			/* events per second; 0: none */
	/* Token bucket of events: tokens (in 1/HZ units of an event). */
	spinlock_t lock;
	u64 tokens;
	unsigned long last;
	/* Suppressed since the last event sent, and in all. */
	atomic64_t pending_suppressed;
	atomic64_t suppressed;
	/* Recently seen flows: a signature and when (jiffies) per slot. */
	siphash_key_t key;
	struct idtun_audit_flow *flows;
};

/* What happened to one packet, for its event. */
struct idtun_audit_event {
	u8 dir;				/* enum idtun_direction */
	u8 action;			/* enum idtun_action */
	u8 reason;			/* enum idtun_reason */
	u32 identity;
	struct idtun_peer *peer;
	const struct idtun_flow *flow;	/* NULL if the packet has none */
	struct idtun_rule *rule;	/* NULL for a default */
};

int idtun_audit_init(struct idtun_audit *audit);
void idtun_audit_free(struct idtun_audit *audit);
void idtun_audit_set_rate(struct idtun_audit *audit, u32 rate);

/* Whether anyone listens: cheap, so callers skip the rest when not. */
bool idtun_audit_wanted(struct idtun_device *idt);
/* Sends an allow only for a flow not seen lately. Softirq or BH off. */
void idtun_audit(struct idtun_device *idt, const struct idtun_audit_event *ev);

#endif /* _IDTUN_AUDIT_H */
