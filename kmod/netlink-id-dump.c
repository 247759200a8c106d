// SPDX-License-Identifier: GPL-2.0
/*
 * Reporting identities and policy over generic netlink: the identity
 * parts of get-device, the get-identities and get-policy dumps, the
 * identity names of a namespace, and the rule nest audit events carry.
 */

#include "compat.h"
#include "device.h"
#include "identity.h"
#include "names.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "peer.h"
#include "policy.h"

#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/rhashtable.h>
#include <linux/sort.h>
#include <net/genetlink.h>

int idtun_nl_fill_identity_config(struct sk_buff *skb, struct idtun_device *idt)
{
	struct idtun_ident *def = idtun_locked(idt, idt->identities.default_ident);
	const struct idtun_drop_stats *s;
	u64 sum[IDTUN_DROPS] = { }, v[IDTUN_DROPS];
	struct nlattr *drops;
	unsigned int start;
	int cpu, i;

	if (nla_put_u32(skb, IDTUN_A_DEVICE_DEFAULT_IDENTITY, def ? def->id : 0) ||
	    nla_put_u32(skb, IDTUN_A_DEVICE_MARK_MASK, idt->identities.mark_mask) ||
	    nla_put_u32(skb, IDTUN_A_DEVICE_EGRESS_DEFAULT,
			idt->policy.defaults[IDTUN_DIRECTION_EGRESS]) ||
	    nla_put_u32(skb, IDTUN_A_DEVICE_INGRESS_DEFAULT,
			idt->policy.defaults[IDTUN_DIRECTION_INGRESS]) ||
	    nla_put_u32(skb, IDTUN_A_DEVICE_AUDIT_RATE, idt->audit.rate))
		return -EMSGSIZE;
	for_each_possible_cpu(cpu) {
		s = per_cpu_ptr(idt->drops, cpu);
		do {
			start = u64_stats_fetch_begin(&s->syncp);
			memcpy(v, s->n, sizeof(v));
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < IDTUN_DROPS; i++)
			sum[i] += v[i];
	}
	drops = nla_nest_start(skb, IDTUN_A_DEVICE_DROPS);
	if (!drops)
		return -EMSGSIZE;
	for (i = 0; i < IDTUN_DROPS; i++)
		if (nla_put_u64_64bit(skb, i + 1, sum[i], 0))
			return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, IDTUN_A_DROPS_AUDIT_SUPPRESSED,
			      atomic64_read(&idt->audit.suppressed), 0))
		return -EMSGSIZE;
	nla_nest_end(skb, drops);
	return 0;
}

int idtun_nl_fill_peer_identity(struct sk_buff *skb, struct idtun_peer *peer)
{
	struct idtun_ident *ident = idtun_locked(peer->device, peer->ident);

	if (nla_put_u8(skb, IDTUN_A_PEER_LABELS, peer->labels) ||
	    nla_put_u32(skb, IDTUN_A_PEER_IDENTITY, ident ? ident->id : 0))
		return -EMSGSIZE;
	return 0;
}

unsigned int idtun_nl_allowed_ids_count(struct idtun_peer *peer)
{
	struct idtun_idset *set = idtun_locked(peer->device, peer->allowed_ids);

	return set ? set->n : 0;
}

int idtun_nl_fill_allowed_ids(struct sk_buff *skb, struct idtun_peer *peer,
			      long skip, bool *complete)
{
	struct idtun_idset *set = idtun_locked(peer->device, peer->allowed_ids);
	struct nlattr *ids, *entry;
	unsigned int i;
	int n = 0;

	*complete = false;
	ids = nla_nest_start(skb, IDTUN_A_PEER_ALLOWED_IDENTITIES);
	if (!ids)
		return -EMSGSIZE;
	for (i = skip; set && i < set->n; i++) {
		entry = nla_nest_start(skb, n + 1);
		if (!entry || nla_put_u32(skb, IDTUN_A_ALLOWED_IDENTITY_IDENTITY,
					  set->idents[i]->id)) {
			if (entry)
				nla_nest_cancel(skb, entry);
			nla_nest_end(skb, ids);
			return n;
		}
		nla_nest_end(skb, entry);
		n++;
	}
	nla_nest_end(skb, ids);
	*complete = true;
	return n;
}

static int fill_prefix(struct sk_buff *skb, int fam_attr, int family,
		       const void *addr, u8 cidr)
{
	/* _FAMILY, _IPADDR and _CIDR_MASK follow each other in each set. */
	if (nla_put_u16(skb, fam_attr, family) ||
	    nla_put(skb, fam_attr + 1, family == AF_INET ? 4 : 16, addr) ||
	    nla_put_u8(skb, fam_attr + 2, cidr))
		return -EMSGSIZE;
	return 0;
}

int idtun_nl_fill_rule(struct sk_buff *skb, int attrtype,
		       struct idtun_rule *rule, bool stats)
{
	const struct idtun_rule_key *k = &rule->key;
	struct nlattr *nest = nla_nest_start(skb, attrtype);
	u64 packets, bytes;

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, IDTUN_A_RULE_DIRECTION, k->dir) ||
	    nla_put_u32(skb, IDTUN_A_RULE_ACTION, READ_ONCE(rule->action)) ||
	    (!k->any_identity &&
	     nla_put_u32(skb, IDTUN_A_RULE_IDENTITY, k->identity)) ||
	    (k->family && fill_prefix(skb, IDTUN_A_RULE_FAMILY, k->family,
				      k->addr, k->cidr)) ||
	    (k->proto && nla_put_u8(skb, IDTUN_A_RULE_PROTOCOL, k->proto)) ||
	    ((k->port_min || k->port_max != 0xffff) &&
	     (nla_put_u16(skb, IDTUN_A_RULE_PORT_MIN, k->port_min) ||
	      nla_put_u16(skb, IDTUN_A_RULE_PORT_MAX, k->port_max))))
		goto cancel;
	if (stats) {
		idtun_rule_read_stats(rule, &packets, &bytes);
		if (nla_put_u64_64bit(skb, IDTUN_A_RULE_PACKETS, packets, 0) ||
		    nla_put_u64_64bit(skb, IDTUN_A_RULE_BYTES, bytes, 0))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* Dump cursor of get-policy and get-identities, in cb->args. */
enum {
	ID_DUMP_DEVICE,		/* the device, with a reference */
	ID_DUMP_STARTED,	/* the first message went out */
	ID_DUMP_POS,		/* entries dumped */
	ID_DUMP_SNAPSHOT,	/* get-identities: the numbers, sorted */
	ID_DUMP_COUNT,		/* how many numbers the snapshot has */
	ID_DUMP_DONE,		/* nothing left */
};

/* Looks the device up on the first call and starts each message. */
static void *dump_start(struct sk_buff *skb, struct netlink_callback *cb,
			u8 cmd, struct idtun_device **idtp)
{
	struct idtun_device *idt = (void *)cb->args[ID_DUMP_DEVICE];
	void *hdr;

	if (!idt) {
		idt = idtun_nl_lookup(sock_net(cb->skb->sk), idtun_dump_attrs(cb),
				      cb->extack);
		if (IS_ERR(idt))
			return idt;
		cb->args[ID_DUMP_DEVICE] = (long)idt;
	}
	*idtp = idt;
	if (cb->args[ID_DUMP_DONE])
		return NULL;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  idtun_nl_family(), NLM_F_MULTI, cmd);
	if (!hdr)
		return ERR_PTR(-EMSGSIZE);
	rtnl_lock();
	mutex_lock(&idt->update_lock);
	if (!cb->args[ID_DUMP_STARTED])
		cb->seq = idt->generation ?: 1;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, IDTUN_A_DEVICE_IFINDEX, idt->dev->ifindex) ||
	    nla_put_string(skb, IDTUN_A_DEVICE_IFNAME, idt->dev->name) ||
	    nla_put_u32(skb, IDTUN_A_DEVICE_GENERATION, idt->generation)) {
		mutex_unlock(&idt->update_lock);
		rtnl_unlock();
		genlmsg_cancel(skb, hdr);
		return ERR_PTR(-EMSGSIZE);
	}
	return hdr;
}

static int dump_end(struct sk_buff *skb, struct netlink_callback *cb,
		    struct idtun_device *idt, void *hdr, bool done)
{
	mutex_unlock(&idt->update_lock);
	rtnl_unlock();
	cb->args[ID_DUMP_STARTED] = 1;
	cb->args[ID_DUMP_DONE] = done;
	genlmsg_end(skb, hdr);
	return skb->len;
}

int idtun_nl_get_policy_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct idtun_device *idt;
	struct idtun_rule *rule;
	struct nlattr *rules;
	long i = 0;
	int n = 0;
	bool done = false;
	void *hdr;

	hdr = dump_start(skb, cb, IDTUN_CMD_GET_POLICY, &idt);
	if (IS_ERR_OR_NULL(hdr))
		return PTR_ERR_OR_ZERO(hdr);
	if (!cb->args[ID_DUMP_STARTED] &&
	    (nla_put_u32(skb, IDTUN_A_DEVICE_EGRESS_DEFAULT,
			 idt->policy.defaults[IDTUN_DIRECTION_EGRESS]) ||
	     nla_put_u32(skb, IDTUN_A_DEVICE_INGRESS_DEFAULT,
			 idt->policy.defaults[IDTUN_DIRECTION_INGRESS])))
		goto full;
	rules = nla_nest_start(skb, IDTUN_A_DEVICE_RULES);
	if (!rules)
		goto full;
	done = true;
	list_for_each_entry(rule, &idt->policy.rules, dev_list) {
		if (i++ < cb->args[ID_DUMP_POS])
			continue;
		if (idtun_nl_fill_rule(skb, ++n, rule, true)) {
			done = false;
			break;
		}
		cb->args[ID_DUMP_POS]++;
	}
	nla_nest_end(skb, rules);
	if (!done && !n)
		goto full;	/* not even one rule fits: give up */
	return dump_end(skb, cb, idt, hdr, done);

full:
	mutex_unlock(&idt->update_lock);
	rtnl_unlock();
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int dump_done(struct netlink_callback *cb)
{
	struct idtun_device *idt = (void *)cb->args[ID_DUMP_DEVICE];

	kvfree((void *)cb->args[ID_DUMP_SNAPSHOT]);
	if (idt)
		dev_put(idt->dev);
	return 0;
}

int idtun_nl_get_policy_done(struct netlink_callback *cb)
{
	return dump_done(cb);
}

/* The device's bindings, sorted by identity, for one message. */
struct binding_ref {
	u32 id;
	bool is_cgroup;
	void *p;	/* struct idtun_cg_binding or struct idtun_trie_node */
};

static int cmp_binding_ref(const void *a, const void *b)
{
	return idtun_cmp_u32(&((const struct binding_ref *)a)->id,
		       &((const struct binding_ref *)b)->id);
}

static struct binding_ref *binding_index(struct idtun_device *idt,
					 unsigned int *count)
{
	struct idtun_identities *ids = &idt->identities;
	struct idtun_cg_binding *b;
	struct idtun_trie_node *node;
	struct idtun_ident *ident;
	struct binding_ref *refs;
	unsigned int n = 0;

	refs = kvmalloc_array(ids->num_cgroups + ids->num_prefixes + 1,
			      sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return NULL;
	list_for_each_entry(b, &ids->cg_list, list)
		refs[n++] = (struct binding_ref){ b->ident->id, true, b };
	list_for_each_entry(node, &ids->prefix_list, list) {
		ident = idtun_locked(idt, node->value);
		refs[n++] = (struct binding_ref){ ident->id, false, node };
	}
	sort(refs, n, sizeof(*refs), cmp_binding_ref, NULL);
	*count = n;
	return refs;
}

static int fill_bindings(struct sk_buff *skb, const struct binding_ref *refs,
			 unsigned int count, u32 id, char *buf)
{
	unsigned int lo = 0, hi = count, mid, n = 0;
	struct idtun_cg_binding *b;
	struct nlattr *list, *entry;
	u8 addr[16], cidr;
	int family;

	list = nla_nest_start(skb, IDTUN_A_IDENTITY_BINDINGS);
	if (!list)
		return -EMSGSIZE;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (refs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < count && refs[lo].id == id; lo++) {
		entry = nla_nest_start(skb, ++n);
		if (!entry || nla_put_u32(skb, IDTUN_A_BINDING_IDENTITY, id))
			return -EMSGSIZE;
		if (refs[lo].is_cgroup) {
			b = refs[lo].p;
			/* A path the reader cannot have is left out: the id stays. */
			if ((cgroup_path_ns(b->cgrp, buf, PATH_MAX,
					    current->nsproxy->cgroup_ns) >= 0 &&
			     nla_put_string(skb, IDTUN_A_BINDING_CGROUP, buf)) ||
			    nla_put_u64_64bit(skb, IDTUN_A_BINDING_CGROUP_ID,
					      b->cgid, 0))
				return -EMSGSIZE;
		} else {
			idtun_trie_node_prefix(refs[lo].p, &family, addr, &cidr);
			if (fill_prefix(skb, IDTUN_A_BINDING_FAMILY, family,
					addr, cidr))
				return -EMSGSIZE;
		}
		nla_nest_end(skb, entry);
	}
	nla_nest_end(skb, list);
	return 0;
}

static int fill_ident(struct sk_buff *skb, struct idtun_device *idt,
		      struct idtun_ident *ident, const struct binding_ref *refs,
		      unsigned int nrefs, int index, char *buf)
{
	struct nlattr *nest = nla_nest_start(skb, index);
	struct idtun_ident_stats st;
	const char *name;
	int ret;

	if (!nest)
		return -EMSGSIZE;
	idtun_ident_read_stats(ident, &st);
	rcu_read_lock();
	name = idtun_name_lookup(dev_net(idt->dev), ident->id);
	ret = name ? nla_put_string(skb, IDTUN_A_IDENTITY_NAME, name) : 0;
	rcu_read_unlock();
	if (ret || nla_put_u32(skb, IDTUN_A_IDENTITY_IDENTITY, ident->id) ||
	    nla_put_u64_64bit(skb, IDTUN_A_IDENTITY_TX_PACKETS, st.tx_packets, 0) ||
	    nla_put_u64_64bit(skb, IDTUN_A_IDENTITY_TX_BYTES, st.tx_bytes, 0) ||
	    nla_put_u64_64bit(skb, IDTUN_A_IDENTITY_RX_PACKETS, st.rx_packets, 0) ||
	    nla_put_u64_64bit(skb, IDTUN_A_IDENTITY_RX_BYTES, st.rx_bytes, 0) ||
	    nla_put_u64_64bit(skb, IDTUN_A_IDENTITY_TX_DROPPED, st.tx_dropped, 0) ||
	    nla_put_u64_64bit(skb, IDTUN_A_IDENTITY_RX_DROPPED, st.rx_dropped, 0) ||
	    fill_bindings(skb, refs, nrefs, ident->id, buf)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The numbers of the device's identities, sorted: the dump's order. */
static u32 *ident_snapshot(struct idtun_device *idt, unsigned int *count)
{
	struct rhashtable_iter iter;
	struct idtun_ident *ident;
	unsigned int n = 0, max;
	u32 *ids;

	max = atomic_read(&idt->identities.idents.nelems);
	ids = kvmalloc_array(max + 1, sizeof(u32), GFP_KERNEL);
	if (!ids)
		return NULL;
	rhashtable_walk_enter(&idt->identities.idents, &iter);
	rhashtable_walk_start(&iter);
	while ((ident = rhashtable_walk_next(&iter))) {
		if (IS_ERR(ident))
			continue;	/* -EAGAIN: a resize; no change under us */
		if (n < max)
			ids[n++] = ident->id;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	sort(ids, n, sizeof(u32), idtun_cmp_u32, NULL);
	*count = n;
	return ids;
}

int idtun_nl_get_identities_dumpit(struct sk_buff *skb,
				   struct netlink_callback *cb)
{
	struct binding_ref *refs = NULL;
	struct idtun_device *idt;
	struct idtun_ident *ident;
	unsigned int count, nrefs;
	struct nlattr *list;
	bool done = true;
	char *buf = NULL;
	int n = 0, ret;
	u32 *ids;
	void *hdr;

	hdr = dump_start(skb, cb, IDTUN_CMD_GET_IDENTITIES, &idt);
	if (IS_ERR_OR_NULL(hdr))
		return PTR_ERR_OR_ZERO(hdr);
	ret = -ENOMEM;
	if (!cb->args[ID_DUMP_STARTED]) {
		ids = ident_snapshot(idt, &count);
		if (!ids)
			goto cancel;
		cb->args[ID_DUMP_SNAPSHOT] = (long)ids;
		cb->args[ID_DUMP_COUNT] = count;
	}
	ids = (u32 *)cb->args[ID_DUMP_SNAPSHOT];
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	refs = binding_index(idt, &nrefs);
	if (!buf || !refs)
		goto cancel;
	ret = -EMSGSIZE;
	list = nla_nest_start(skb, IDTUN_A_DEVICE_IDENTITIES);
	if (!list)
		goto cancel;
	while (cb->args[ID_DUMP_POS] < cb->args[ID_DUMP_COUNT]) {
		rcu_read_lock();
		ident = idtun_ident_find(idt, ids[cb->args[ID_DUMP_POS]]);
		rcu_read_unlock();
		/* Gone since the snapshot: skipped (the dump is flagged). */
		if (ident && fill_ident(skb, idt, ident, refs, nrefs, n + 1,
					buf)) {
			done = false;
			break;
		}
		n += !!ident;
		cb->args[ID_DUMP_POS]++;
	}
	nla_nest_end(skb, list);
	if (!done && !n)
		goto cancel;	/* not even one fits: give up */
	kvfree(refs);
	kfree(buf);
	return dump_end(skb, cb, idt, hdr, done);

cancel:
	kvfree(refs);
	kfree(buf);
	mutex_unlock(&idt->update_lock);
	rtnl_unlock();
	genlmsg_cancel(skb, hdr);
	return ret;
}

int idtun_nl_get_identities_done(struct netlink_callback *cb)
{
	return dump_done(cb);
}

/* ---- names */

struct names_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int names_dump_one(void *arg, u32 id, const char *name)
{
	struct names_dump *d = arg;
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, idtun_nl_family(), NLM_F_MULTI,
			  IDTUN_CMD_GET_NAMES);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(d->skb, IDTUN_A_IDENTITY_IDENTITY, id) ||
	    nla_put_string(d->skb, IDTUN_A_IDENTITY_NAME, name)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/* One message per name; cb->args[0] is the next number. */
int idtun_nl_get_names_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct names_dump d = { .skb = skb, .cb = cb };
	unsigned long pos = cb->args[0];
	int ret;

	ret = idtun_names_walk(sock_net(cb->skb->sk), &pos, names_dump_one, &d);
	cb->args[0] = pos;
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

int idtun_nl_get_names_done(struct netlink_callback *cb)
{
	return 0;
}
