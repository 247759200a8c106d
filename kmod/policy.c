// SPDX-License-Identifier: GPL-2.0
/*
 * Policy rules and their lookup.
 *
 * Rules live in tables: one per (source identity, direction), hung off the
 * identity, plus one per direction for rules of any identity. A table is a
 * prefix trie of destination prefixes (and a node for "any destination");
 * each node holds the rules of that prefix, compiled into a lookup
 * structure: per protocol, the port space cut into segments, each with the
 * narrowest deny and the narrowest allow covering it, found by binary
 * search. A packet's lookup visits its identity's table and the "any"
 * table, in each the prefixes that contain its destination: its cost grows
 * with address length and the log of the rules on one prefix, never with
 * the number of rules.
 *
 * Writers (under update_lock) change rule lists and mark their nodes dirty;
 * idtun_policy_commit() compiles the dirty nodes and publishes each with
 * one pointer. Readers hold rcu_read_lock_bh(); compiled nodes, nodes,
 * tables and removed rules are freed after a grace period.
 */

#include "device.h"
#include "identity.h"
#include "policy.h"

#include <linux/bsearch.h>
#include <linux/err.h>
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <net/ipv6.h>

struct idtun_pseg {
	u32 start;			/* the first port of the segment */
	struct idtun_rule *rule;	/* NULL: no rule covers it */
};

struct idtun_pgroup {
	u8 proto;
	struct idtun_rule *full[2];	/* by action: the whole port range */
	unsigned int nseg[2];
	struct idtun_pseg *seg[2];
};

struct idtun_pcomp {
	struct idtun_rule *anyproto[2];	/* by action */
	unsigned int ngroups;
	struct rcu_head rcu;
	struct idtun_pgroup groups[];	/* by protocol; then the segments */
};

/* The rules of one prefix (or of any destination) of one table. */
struct idtun_pnode {
	struct list_head rules;		/* idtun_rule.node_list */
	struct list_head dead;		/* removed, freed once recompiled */
	struct list_head dirty;		/* in idtun_policy.dirty, or empty */
	struct idtun_pcomp __rcu *comp;
	struct idtun_ptable *table;
	struct idtun_trie_node *tnode;	/* NULL for any destination */
	/* Where table is published: ident->policy[dir] or policy.any[dir]. */
	struct idtun_ptable __rcu **table_link;
	struct rcu_head rcu;
};

static bool has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP;
}

bool idtun_flow_parse(struct sk_buff *skb, struct idtun_flow *flow)
{
	__be16 ports[2], *pp;
	unsigned int thoff;
	__be16 frag_off;
	bool first = true;
	u8 nexthdr;
	int off;

	memset(flow, 0, sizeof(*flow));
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		flow->family = AF_INET;
		flow->saddr.v4 = iph->saddr;
		flow->daddr.v4 = iph->daddr;
		flow->proto = iph->protocol;
		first = !(iph->frag_off & htons(IP_OFFSET));
		thoff = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		flow->family = AF_INET6;
		flow->saddr.v6 = ip6h->saddr;
		flow->daddr.v6 = ip6h->daddr;
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(*ip6h), &nexthdr, &frag_off);
		if (off < 0)
			return false;
		flow->proto = nexthdr;
		first = !(frag_off & htons(IP6_OFFSET));
		thoff = off;
	}
	/* A fragment other than the first has no ports to match. */
	if (!first || !has_ports(flow->proto))
		return true;
	pp = skb_header_pointer(skb, thoff, sizeof(ports), ports);
	if (!pp)
		return true;
	flow->has_ports = true;
	flow->sport = pp[0];
	flow->dport = pp[1];
	return true;
}

/* The rule of this action that a flow meets in one compiled node. */
static struct idtun_rule *pcomp_match(const struct idtun_pcomp *c,
				      const struct idtun_flow *flow, u8 action)
{
	const struct idtun_pgroup *g = NULL;
	unsigned int lo = 0, hi = c->ngroups, mid, port;
	const struct idtun_pseg *seg;
	struct idtun_rule *rule = NULL;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (c->groups[mid].proto == flow->proto) {
			g = &c->groups[mid];
			break;
		}
		if (c->groups[mid].proto < flow->proto)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (g && !flow->has_ports) {
		rule = g->full[action];
	} else if (g && g->nseg[action]) {
		/* The last segment that starts at or before the port. */
		port = ntohs(flow->dport);
		seg = g->seg[action];
		lo = 0;
		hi = g->nseg[action];
		while (hi - lo > 1) {
			mid = (lo + hi) / 2;
			if (seg[mid].start <= port)
				lo = mid;
			else
				hi = mid;
		}
		rule = seg[lo].rule;
	}
	return rule ?: c->anyproto[action];
}

struct idtun_verdict {
	struct idtun_rule *best[2];	/* by action: the most specific */
};

static void pnode_match(struct idtun_pnode *pn, const struct idtun_flow *flow,
			struct idtun_verdict *v)
{
	struct idtun_pcomp *c;
	struct idtun_rule *r;
	int a;

	if (!pn)
		return;
	c = rcu_dereference_bh(pn->comp);
	if (!c)
		return;
	for (a = 0; a < 2; a++) {
		r = pcomp_match(c, flow, a);
		if (r)
			v->best[a] = r;
	}
}

static void ptable_match(struct idtun_ptable *t, const struct idtun_flow *flow,
			 struct idtun_verdict *v)
{
	struct idtun_trie_node *node;

	if (!t)
		return;
	/* Least specific first: later matches override earlier ones. */
	pnode_match(rcu_dereference_bh(t->anyaddr), flow, v);
	idtun_trie_for_each_match(node, &t->trie, flow->family, &flow->daddr)
		pnode_match(rcu_dereference_bh(node->value), flow, v);
}

u8 idtun_policy_decide(struct idtun_device *idt, u8 dir,
		       struct idtun_ident *ident,
		       const struct idtun_flow *flow, unsigned int packets,
		       unsigned int bytes, struct idtun_rule **rulep)
{
	struct idtun_verdict v = { };
	struct idtun_rule_stats *s;
	struct idtun_rule *rule;
	u8 action;

	ptable_match(rcu_dereference_bh(idt->policy.any[dir]), flow, &v);
	ptable_match(rcu_dereference_bh(ident->policy[dir]), flow, &v);
	if (v.best[IDTUN_ACTION_DENY]) {
		action = IDTUN_ACTION_DENY;
	} else if (v.best[IDTUN_ACTION_ALLOW]) {
		action = IDTUN_ACTION_ALLOW;
	} else {
		*rulep = NULL;
		return READ_ONCE(idt->policy.defaults[dir]);
	}
	rule = v.best[action];
	s = this_cpu_ptr(rule->stats);
	u64_stats_update_begin(&s->syncp);
	s->packets += packets;
	s->bytes += bytes;
	u64_stats_update_end(&s->syncp);
	*rulep = rule;
	return action;
}

bool idtun_judge(struct idtun_device *idt, struct idtun_ident *ident,
		 unsigned int packets, unsigned int bytes,
		 struct idtun_audit_event *ev)
{
	bool tx = ev->dir == IDTUN_DIRECTION_EGRESS;

	ev->identity = ident->id;
	if (ev->reason) {
		ev->action = IDTUN_ACTION_DENY;
	} else {
		ev->action = idtun_policy_decide(idt, ev->dir, ident, ev->flow,
						 packets, bytes, &ev->rule);
		if (ev->action == IDTUN_ACTION_DENY) {
			ev->reason = IDTUN_REASON_POLICY;
			idtun_count_drop(idt, tx ? IDTUN_DROP_EGRESS_POLICY :
						   IDTUN_DROP_INGRESS_POLICY);
		}
	}
	if (ev->action == IDTUN_ACTION_DENY)
		idtun_ident_count_drop(ident, tx);
	else
		idtun_ident_count(ident, tx, packets, bytes);
	if (unlikely(idtun_audit_wanted(idt)))
		idtun_audit(idt, ev);
	return ev->action == IDTUN_ACTION_ALLOW;
}

void idtun_rule_read_stats(struct idtun_rule *rule, u64 *packets, u64 *bytes)
{
	const struct idtun_rule_stats *s;
	unsigned int start;
	u64 p, b;
	int cpu;

	*packets = 0;
	*bytes = 0;
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(rule->stats, cpu);
		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = s->packets;
			b = s->bytes;
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*packets += p;
		*bytes += b;
	}
}

/* ---- compiling one node ---- */

/* Narrowest first; the order among equals does not change the outcome. */
static int cmp_width(const void *a, const void *b)
{
	const struct idtun_rule *x = *(struct idtun_rule * const *)a;
	const struct idtun_rule *y = *(struct idtun_rule * const *)b;
	u32 wx = x->key.port_max - x->key.port_min;
	u32 wy = y->key.port_max - y->key.port_min;

	if (wx != wy)
		return wx < wy ? -1 : 1;
	return x->key.port_min < y->key.port_min ? -1 :
	       x->key.port_min > y->key.port_min;
}

static int cmp_proto_action(const void *a, const void *b)
{
	const struct idtun_rule *x = *(struct idtun_rule * const *)a;
	const struct idtun_rule *y = *(struct idtun_rule * const *)b;

	if (x->key.proto != y->key.proto)
		return x->key.proto < y->key.proto ? -1 : 1;
	return x->action < y->action ? -1 : x->action > y->action;
}

static unsigned int seg_index(const struct idtun_pseg *seg, unsigned int n,
			      u32 port)
{
	unsigned int lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (seg[mid].start < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;	/* the first segment starting at or after port */
}

/* "Next unpainted segment" with path halving: painting is near linear. */
static unsigned int next_free(unsigned int *next, unsigned int i)
{
	while (next[i] != i) {
		next[i] = next[next[i]];
		i = next[i];
	}
	return i;
}

/*
 * Cuts the port space at every rule's edges and gives each segment the
 * narrowest of rules[] that covers it. seg has room for 2 * n + 1 entries,
 * scratch for as many u32s plus one; returns the segments used.
 */
static unsigned int paint(struct idtun_rule **rules, unsigned int n,
			  struct idtun_pseg *seg, u32 *scratch)
{
	unsigned int i, j, nb = 0, nseg, first, end;

	scratch[nb++] = 0;
	for (i = 0; i < n; i++) {
		scratch[nb++] = rules[i]->key.port_min;
		scratch[nb++] = (u32)rules[i]->key.port_max + 1;
	}
	sort(scratch, nb, sizeof(u32), idtun_cmp_u32, NULL);
	for (i = 0, nseg = 0; i < nb; i++) {
		if (scratch[i] > 0xffff || (nseg && seg[nseg - 1].start == scratch[i]))
			continue;
		seg[nseg].start = scratch[i];
		seg[nseg++].rule = NULL;
	}
	sort(rules, n, sizeof(*rules), cmp_width, NULL);
	for (i = 0; i <= nseg; i++)
		scratch[i] = i;
	for (i = 0; i < n; i++) {
		first = seg_index(seg, nseg, rules[i]->key.port_min);
		end = seg_index(seg, nseg, (u32)rules[i]->key.port_max + 1);
		for (j = next_free(scratch, first); j < end;
		     j = next_free(scratch, j)) {
			seg[j].rule = rules[i];
			scratch[j] = j + 1;
		}
	}
	return nseg;
}

static struct idtun_pcomp *pnode_compile(struct idtun_pnode *pn)
{
	unsigned int n = 0, ngroups = 0, nseg = 0, i, k, a, m;
	struct idtun_rule **rules = NULL, **grp, *r;
	struct idtun_pcomp *c = NULL;
	struct idtun_pgroup *g;
	struct idtun_pseg *seg;
	u32 *scratch = NULL;
	int last = -1;

	list_for_each_entry(r, &pn->rules, node_list) {
		n++;
		if (r->key.proto && r->key.proto != last) {
			last = r->key.proto;
			ngroups++;	/* at most; counted exactly below */
		}
	}
	if (!n)
		return NULL;
	rules = kvmalloc_array(n, sizeof(*rules), GFP_KERNEL);
	scratch = kvmalloc_array(2 * n + 2, sizeof(u32), GFP_KERNEL);
	if (!rules || !scratch)
		goto err;
	/* Each (protocol, action) needs at most 2 segments per rule + 1. */
	c = kvzalloc(struct_size(c, groups, ngroups) +
		     (3 * n + 1) * sizeof(*seg), GFP_KERNEL);
	if (!c)
		goto err;
	seg = (struct idtun_pseg *)&c->groups[ngroups];

	/* Any-protocol rules match any port: one per action at most. */
	i = 0;
	list_for_each_entry(r, &pn->rules, node_list) {
		if (!r->key.proto)
			c->anyproto[r->action] = r;
		else
			rules[i++] = r;
	}
	n = i;
	/* Group by protocol, then per action the segments. */
	sort(rules, n, sizeof(*rules), cmp_proto_action, NULL);
	for (i = 0; i < n; i = k) {
		g = &c->groups[c->ngroups++];
		g->proto = rules[i]->key.proto;
		for (k = i; k < n && rules[k]->key.proto == g->proto; k++)
			;
		for (a = 0; a < 2; a++) {
			/* grp[0..m): this protocol's rules of action a. */
			grp = &rules[i];
			while (grp < &rules[k] && (*grp)->action != a)
				grp++;
			for (m = 0; grp + m < &rules[k] && grp[m]->action == a;
			     m++)
				if (!grp[m]->key.port_min &&
				    grp[m]->key.port_max == 0xffff)
					g->full[a] = grp[m];
			if (!m)
				continue;
			g->seg[a] = seg + nseg;
			g->nseg[a] = paint(grp, m, seg + nseg, scratch);
			nseg += g->nseg[a];
		}
	}
	kvfree(scratch);
	kvfree(rules);
	return c;

err:
	kvfree(scratch);
	kvfree(rules);
	return ERR_PTR(-ENOMEM);
}

/* ---- changing rules ---- */

static struct idtun_ptable __rcu **table_link(struct idtun_device *idt,
					      const struct idtun_rule_key *key,
					      struct idtun_ident *ident)
{
	return key->any_identity ? &idt->policy.any[key->dir] :
				   &ident->policy[key->dir];
}

static struct idtun_pnode *pnode_get(struct idtun_device *idt,
				     struct idtun_ptable __rcu **link,
				     const struct idtun_rule_key *key)
{
	struct idtun_ptable *t = idtun_locked(idt, *link);
	struct idtun_trie_node *tnode = NULL;
	struct idtun_pnode *pn;
	bool new_table = false;

	if (!t) {
		t = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!t)
			return ERR_PTR(-ENOMEM);
		idtun_trie_init(&t->trie);
		new_table = true;
	}
	if (key->family) {
		tnode = idtun_trie_get(&t->trie, key->family, key->addr,
				       key->cidr, &idt->update_lock);
		if (IS_ERR(tnode)) {
			pn = ERR_CAST(tnode);
			goto err;
		}
		pn = idtun_locked(idt, tnode->value);
	} else {
		pn = idtun_locked(idt, t->anyaddr);
	}
	if (pn)
		return pn;
	pn = kzalloc(sizeof(*pn), GFP_KERNEL);
	if (!pn) {
		if (tnode)
			idtun_trie_remove(&t->trie, tnode, &idt->update_lock);
		pn = ERR_PTR(-ENOMEM);
		goto err;
	}
	INIT_LIST_HEAD(&pn->rules);
	INIT_LIST_HEAD(&pn->dead);
	INIT_LIST_HEAD(&pn->dirty);
	pn->table = t;
	pn->tnode = tnode;
	pn->table_link = link;
	if (tnode)
		rcu_assign_pointer(tnode->value, pn);
	else
		rcu_assign_pointer(t->anyaddr, pn);
	if (new_table)
		rcu_assign_pointer(*link, t);
	return pn;

err:
	if (new_table)
		kfree(t);
	return pn;
}

static void pnode_dirty(struct idtun_device *idt, struct idtun_pnode *pn)
{
	if (list_empty(&pn->dirty))
		list_add_tail(&pn->dirty, &idt->policy.dirty);
	idt->policy.seq++;
}

static bool key_equal(const struct idtun_rule_key *a,
		      const struct idtun_rule_key *b)
{
	return a->proto == b->proto && a->port_min == b->port_min &&
	       a->port_max == b->port_max;
}

static struct idtun_rule *rule_find(struct idtun_device *idt,
				    const struct idtun_rule_key *key)
{
	struct idtun_ident *ident = NULL;
	struct idtun_trie_node *tnode;
	struct idtun_ptable *t;
	struct idtun_pnode *pn;
	struct idtun_rule *r;

	if (!key->any_identity) {
		ident = idtun_ident_find(idt, key->identity);
		if (!ident)
			return NULL;
	}
	t = idtun_locked(idt, *table_link(idt, key, ident));
	if (!t)
		return NULL;
	if (key->family) {
		tnode = idtun_trie_find(&t->trie, key->family, key->addr,
					key->cidr, &idt->update_lock);
		pn = tnode ? idtun_locked(idt, tnode->value) : NULL;
	} else {
		pn = idtun_locked(idt, t->anyaddr);
	}
	if (!pn)
		return NULL;
	list_for_each_entry(r, &pn->rules, node_list)
		if (key_equal(&r->key, key))
			return r;
	return NULL;
}

int idtun_rule_set(struct idtun_device *idt, const struct idtun_rule_key *key,
		   u8 action)
{
	struct idtun_policy *pol = &idt->policy;
	struct idtun_ident *ident = NULL;
	struct idtun_pnode *pn;
	struct idtun_rule *r;
	int cpu, ret;

	lockdep_assert_held(&idt->update_lock);
	r = rule_find(idt, key);
	if (r) {
		if (r->action != action) {
			WRITE_ONCE(r->action, action);
			pnode_dirty(idt, r->pnode);
		}
		return 0;
	}
	if (pol->num_rules >= IDTUN_MAX_RULES)
		return -ENOSPC;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->stats = alloc_percpu(struct idtun_rule_stats);
	if (!r->stats) {
		ret = -ENOMEM;
		goto err_free;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(r->stats, cpu)->syncp);
	if (!key->any_identity) {
		ident = idtun_ident_get(idt, key->identity);
		if (!ident) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	pn = pnode_get(idt, table_link(idt, key, ident), key);
	if (IS_ERR(pn)) {
		ret = PTR_ERR(pn);
		goto err_put;
	}
	r->key = *key;
	r->action = action;
	r->ident = ident;
	r->pnode = pn;
	list_add_tail(&r->node_list, &pn->rules);
	list_add_tail(&r->dev_list, &pol->rules);
	pn->table->num_rules++;
	pol->num_rules++;
	pnode_dirty(idt, pn);
	return 0;

err_put:
	idtun_ident_put(idt, ident);
err_free:
	free_percpu(r->stats);
	kfree(r);
	return ret;
}

static void rule_unlink(struct idtun_device *idt, struct idtun_rule *r)
{
	struct idtun_pnode *pn = r->pnode;

	list_del(&r->dev_list);
	list_move_tail(&r->node_list, &pn->dead);
	pn->table->num_rules--;
	idt->policy.num_rules--;
	pnode_dirty(idt, pn);
}

int idtun_rule_del(struct idtun_device *idt, const struct idtun_rule_key *key)
{
	struct idtun_rule *r;

	lockdep_assert_held(&idt->update_lock);
	r = rule_find(idt, key);
	if (!r)
		return -ENOENT;
	rule_unlink(idt, r);
	return 0;
}

void idtun_rules_flush(struct idtun_device *idt)
{
	struct idtun_rule *r, *tmp;

	lockdep_assert_held(&idt->update_lock);
	list_for_each_entry_safe(r, tmp, &idt->policy.rules, dev_list)
		rule_unlink(idt, r);
}

static void rule_free_rcu(struct rcu_head *rcu)
{
	struct idtun_rule *r = container_of(rcu, struct idtun_rule, rcu);

	free_percpu(r->stats);
	kfree(r);
}

static void ptable_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct idtun_ptable, rcu));
}

/* pn's rules are all gone: it leaves its table, and an empty table goes. */
static void pnode_drop(struct idtun_device *idt, struct idtun_pnode *pn)
{
	struct idtun_ptable __rcu **link = pn->table_link;
	struct idtun_ptable *t = pn->table;

	if (pn->tnode) {
		RCU_INIT_POINTER(pn->tnode->value, NULL);
		idtun_trie_remove(&t->trie, pn->tnode, &idt->update_lock);
	} else {
		RCU_INIT_POINTER(t->anyaddr, NULL);
	}
	kfree_rcu(pn, rcu);
	if (t->num_rules || rcu_access_pointer(t->anyaddr) ||
	    rcu_access_pointer(t->trie.root4) ||
	    rcu_access_pointer(t->trie.root6))
		return;
	RCU_INIT_POINTER(*link, NULL);
	call_rcu(&t->rcu, ptable_free_rcu);
}

/* Makes one dirty node's rules live; on failure, it stays dirty. */
static int pnode_commit(struct idtun_device *idt, struct idtun_pnode *pn)
{
	struct idtun_pcomp *c = pnode_compile(pn), *old;
	struct idtun_rule *r, *tmp;
	LIST_HEAD(dead);

	if (IS_ERR(c))
		return PTR_ERR(c);
	old = idtun_locked(idt, pn->comp);
	rcu_assign_pointer(pn->comp, c);
	if (old)
		kvfree_rcu(old, rcu);
	list_splice_init(&pn->dead, &dead);
	list_del_init(&pn->dirty);
	/* Before the rules' identities go: a table may live in one. */
	if (list_empty(&pn->rules))
		pnode_drop(idt, pn);
	/* Readers of the old compilation may still hold removed rules. */
	list_for_each_entry_safe(r, tmp, &dead, node_list) {
		idtun_ident_put(idt, r->ident);
		call_rcu(&r->rcu, rule_free_rcu);
	}
	return 0;
}

int idtun_policy_commit(struct idtun_device *idt)
{
	struct idtun_pnode *pn, *tmp;
	int ret = 0;

	lockdep_assert_held(&idt->update_lock);
	list_for_each_entry_safe(pn, tmp, &idt->policy.dirty, dirty)
		ret = pnode_commit(idt, pn) ?: ret;
	return ret;
}

void idtun_policy_init(struct idtun_policy *pol)
{
	INIT_LIST_HEAD(&pol->rules);
	INIT_LIST_HEAD(&pol->dirty);
	pol->seq = 1;
}

void idtun_policy_free(struct idtun_device *idt)
{
	idtun_rules_flush(idt);
	/* Nodes without rules compile without allocating: this cannot fail. */
	WARN_ON(idtun_policy_commit(idt));
}
