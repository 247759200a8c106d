// SPDX-License-Identifier: GPL-2.0
/*
 * Audit events. Each device remembers recent flows in a fixed table of
 * signatures (a keyed hash of direction, identity and 5-tuple per slot,
 * with the time last seen): a flow is new when its slot does not hold its
 * signature from the last IDTUN_AUDIT_FLOW_IDLE. Two flows that share a
 * slot push each other out, which at worst reports a flow again. Nothing
 * is allocated per packet; an event's message is allocated only when one
 * is sent, within the rate.
 */

#include "audit.h"
#include "device.h"
#include "identity.h"
#include "names.h"
#include "netlink.h"
#include "peer.h"
#include "policy.h"

#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#define IDTUN_AUDIT_FLOWS	4096	/* slots, a power of 2 */
#define IDTUN_AUDIT_FLOW_IDLE	(30 * HZ)

struct idtun_audit_flow {
	u64 sig;
	unsigned long seen;
};

int idtun_audit_init(struct idtun_audit *audit)
{
	spin_lock_init(&audit->lock);
	audit->rate = IDTUN_AUDIT_DEFAULT_RATE;
	audit->tokens = 2ULL * audit->rate * HZ;
	audit->last = jiffies;
	get_random_bytes(&audit->key, sizeof(audit->key));
	audit->flows = kvcalloc(IDTUN_AUDIT_FLOWS, sizeof(*audit->flows),
				GFP_KERNEL);
	return audit->flows ? 0 : -ENOMEM;
}

void idtun_audit_free(struct idtun_audit *audit)
{
	kvfree(audit->flows);
	audit->flows = NULL;
}

void idtun_audit_set_rate(struct idtun_audit *audit, u32 rate)
{
	spin_lock_bh(&audit->lock);
	audit->rate = rate;
	audit->tokens = min_t(u64, audit->tokens, 2ULL * rate * HZ);
	spin_unlock_bh(&audit->lock);
}

/* Takes one event's token: rate per second, bursts of twice the rate. */
static bool audit_token(struct idtun_audit *audit)
{
	unsigned long now = jiffies;
	bool ok = false;
	u64 cap;

	spin_lock(&audit->lock);
	cap = 2ULL * audit->rate * HZ;
	audit->tokens = min(cap, audit->tokens +
			    (u64)(now - audit->last) * audit->rate);
	audit->last = now;
	if (audit->tokens >= HZ) {
		audit->tokens -= HZ;
		ok = true;
	}
	spin_unlock(&audit->lock);
	if (!ok) {
		atomic64_inc(&audit->pending_suppressed);
		atomic64_inc(&audit->suppressed);
	}
	return ok;
}

/* Whether the flow of this event was not seen lately; then it is now. */
static bool audit_new_flow(struct idtun_audit *audit,
			   const struct idtun_audit_event *ev)
{
	const struct idtun_flow *f = ev->flow;
	struct idtun_audit_flow *slot;
	unsigned long now = jiffies;
	struct {
		struct idtun_flow flow;
		u32 identity;
		u8 dir;
	} __aligned(SIPHASH_ALIGNMENT) k;
	u64 sig;

	memset(&k, 0, sizeof(k));
	k.flow = *f;
	k.identity = ev->identity;
	k.dir = ev->dir;
	sig = siphash(&k, sizeof(k), &audit->key);
	slot = &audit->flows[sig & (IDTUN_AUDIT_FLOWS - 1)];
	if (READ_ONCE(slot->sig) == sig &&
	    time_before(now, READ_ONCE(slot->seen) + IDTUN_AUDIT_FLOW_IDLE)) {
		/* Refreshed at most once a second: little cache traffic. */
		if (time_after(now, READ_ONCE(slot->seen) + HZ))
			WRITE_ONCE(slot->seen, now);
		return false;
	}
	WRITE_ONCE(slot->sig, sig);
	WRITE_ONCE(slot->seen, now);
	return true;
}

bool idtun_audit_wanted(struct idtun_device *idt)
{
	return READ_ONCE(idt->audit.rate) &&
	       idtun_nl_audit_listeners(dev_net(idt->dev));
}

static int audit_fill(struct sk_buff *skb, struct idtun_device *idt,
		      const struct idtun_audit_event *ev, u64 suppressed)
{
	const struct idtun_flow *f = ev->flow;
	struct net *net = dev_net(idt->dev);
	unsigned int alen;
	const char *name;
	int ret;

	if (nla_put_u32(skb, IDTUN_A_EVENT_IFINDEX, idt->dev->ifindex) ||
	    nla_put_string(skb, IDTUN_A_EVENT_IFNAME, idt->dev->name) ||
	    nla_put_u32(skb, IDTUN_A_EVENT_DIRECTION, ev->dir) ||
	    nla_put_u32(skb, IDTUN_A_EVENT_ACTION, ev->action) ||
	    nla_put_u32(skb, IDTUN_A_EVENT_REASON, ev->reason) ||
	    nla_put_u32(skb, IDTUN_A_EVENT_IDENTITY, ev->identity) ||
	    nla_put_u64_64bit(skb, IDTUN_A_EVENT_SUPPRESSED, suppressed, 0) ||
	    nla_put_u64_64bit(skb, IDTUN_A_EVENT_TIME, ktime_get_real_ns(), 0))
		return -EMSGSIZE;
	rcu_read_lock();
	name = idtun_name_lookup(net, ev->identity);
	ret = name ? nla_put_string(skb, IDTUN_A_EVENT_NAME, name) : 0;
	rcu_read_unlock();
	if (ret)
		return ret;
	if (ev->peer && nla_put(skb, IDTUN_A_EVENT_PEER_PUBLIC_KEY,
				IDTUN_KEY_SIZE,
				ev->peer->handshake.remote_static))
		return -EMSGSIZE;
	if (f) {
		alen = f->family == AF_INET ? 4 : 16;
		if (nla_put_u16(skb, IDTUN_A_EVENT_FAMILY, f->family) ||
		    nla_put(skb, IDTUN_A_EVENT_SADDR, alen, &f->saddr) ||
		    nla_put(skb, IDTUN_A_EVENT_DADDR, alen, &f->daddr) ||
		    nla_put_u8(skb, IDTUN_A_EVENT_PROTOCOL, f->proto))
			return -EMSGSIZE;
		if (f->has_ports &&
		    (nla_put_u16(skb, IDTUN_A_EVENT_SPORT, ntohs(f->sport)) ||
		     nla_put_u16(skb, IDTUN_A_EVENT_DPORT, ntohs(f->dport))))
			return -EMSGSIZE;
	}
	if (ev->rule)
		return idtun_nl_fill_rule(skb, IDTUN_A_EVENT_RULE, ev->rule,
					  false);
	return 0;
}

void idtun_audit(struct idtun_device *idt, const struct idtun_audit_event *ev)
{
	struct idtun_audit *audit = &idt->audit;
	struct sk_buff *skb;
	u64 suppressed;
	void *hdr;

	if (ev->action == IDTUN_ACTION_ALLOW &&
	    (!ev->flow || !audit_new_flow(audit, ev)))
		return;
	if (!audit_token(audit))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!skb)
		goto suppressed;
	hdr = idtun_nl_event_put(skb);
	if (!hdr)
		goto free;
	suppressed = atomic64_xchg(&audit->pending_suppressed, 0);
	if (audit_fill(skb, idt, ev, suppressed)) {
		atomic64_add(suppressed, &audit->pending_suppressed);
		goto free;
	}
	genlmsg_end(skb, hdr);
	idtun_nl_audit_send(dev_net(idt->dev), skb);
	return;

free:
	nlmsg_free(skb);
suppressed:
	atomic64_inc(&audit->pending_suppressed);
	atomic64_inc(&audit->suppressed);
}
