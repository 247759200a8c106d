// SPDX-License-Identifier: GPL-2.0
/*
 * Building SET_DEVICE requests, split across messages as a large
 * configuration needs; see ipc.h.
 */

#include "ipc.h"
#include "ipc_attrs.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/idtun.h>
#include <string.h>

void ipc_set_init(struct ipc_set_iter *it, const struct idtun_device *dev)
{
	memset(it, 0, sizeof(*it));
	it->dev = dev;
}

static struct nlmsghdr *put_header(void *buf, const struct idtun_device *dev,
				   uint16_t family, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = IDTUN_CMD_SET_DEVICE;
	genl->version = IDTUN_FAMILY_VERSION;
	if (dev->name[0])
		mnl_attr_put_strz(nlh, IDTUN_A_DEVICE_IFNAME, dev->name);
	else
		mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_IFINDEX, dev->ifindex);
	return nlh;
}

static bool put_device(struct nlmsghdr *nlh, size_t size, const struct idtun_device *dev)
{
	const struct device_setting *s;
	size_t i;

	if ((dev->has & DEV_HAS_PRIVATE_KEY) &&
	    !mnl_attr_put_check(nlh, size, IDTUN_A_DEVICE_PRIVATE_KEY, IDTUN_KEY_LEN,
				dev->private_key))
		return false;
	if ((dev->has & DEV_HAS_LISTEN_PORT) &&
	    !mnl_attr_put_u16_check(nlh, size, IDTUN_A_DEVICE_LISTEN_PORT, dev->listen_port))
		return false;
	for (i = 0; i < device_nsettings; i++) {
		s = &device_settings[i];
		if ((dev->has & s->has) &&
		    !mnl_attr_put_u32_check(nlh, size, s->attr, device_get(dev, s)))
			return false;
	}
	if (dev->flags &&
	    !mnl_attr_put_u32_check(nlh, size, IDTUN_A_DEVICE_FLAGS, dev->flags))
		return false;
	return true;
}

/* The peer's own attributes, sent with its first allowed IPs. */
static bool put_peer(struct nlmsghdr *nlh, size_t size, const struct idtun_peer *peer)
{
	size_t len;

	if (peer->flags &&
	    !mnl_attr_put_u32_check(nlh, size, IDTUN_A_PEER_FLAGS, peer->flags))
		return false;
	if ((peer->has & PEER_HAS_PRESHARED_KEY) &&
	    !mnl_attr_put_check(nlh, size, IDTUN_A_PEER_PRESHARED_KEY, IDTUN_KEY_LEN,
				peer->preshared_key))
		return false;
	if (peer->endpoint.addr.sa_family == AF_INET ||
	    peer->endpoint.addr.sa_family == AF_INET6) {
		len = peer->endpoint.addr.sa_family == AF_INET ?
			sizeof(peer->endpoint.addr4) : sizeof(peer->endpoint.addr6);
		if (!mnl_attr_put_check(nlh, size, IDTUN_A_PEER_ENDPOINT, len,
					&peer->endpoint))
			return false;
	}
	if ((peer->has & PEER_HAS_KEEPALIVE) &&
	    !mnl_attr_put_u16_check(nlh, size, IDTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL,
				    peer->keepalive))
		return false;
	if ((peer->has & PEER_HAS_LABELS) &&
	    !mnl_attr_put_u8_check(nlh, size, IDTUN_A_PEER_LABELS, peer->labels))
		return false;
	if ((peer->has & PEER_HAS_IDENTITY) &&
	    !mnl_attr_put_u32_check(nlh, size, IDTUN_A_PEER_IDENTITY, peer->identity))
		return false;
	return true;
}

/* family, ipaddr and cidr-mask, which allowed IPs, bindings and rules number alike. */
static bool put_prefix(struct nlmsghdr *nlh, size_t size, const uint16_t types[3],
		       const struct idtun_allowedip *ip)
{
	return mnl_attr_put_u16_check(nlh, size, types[0], ip->family) &&
	       mnl_attr_put_check(nlh, size, types[1], ip->family == AF_INET ? 4 : 16,
				  ip->addr) &&
	       mnl_attr_put_u8_check(nlh, size, types[2], ip->cidr);
}

static bool put_remove(struct nlmsghdr *nlh, size_t size, uint16_t type, bool remove)
{
	return !remove || mnl_attr_put_u32_check(nlh, size, type, IDTUN_ENTRY_FLAGS_REMOVE_ME);
}

/* One entry's attributes, inside its nest; false if they do not fit. */
typedef bool (*put_entry_fn)(struct nlmsghdr *nlh, size_t size, const void *entry);

static bool put_ip(struct nlmsghdr *nlh, size_t size, const void *entry)
{
	const struct idtun_allowedip *ip = entry;

	return put_prefix(nlh, size, ip_types, ip) &&
	       put_remove(nlh, size, IDTUN_A_ALLOWEDIP_FLAGS, ip->remove);
}

static bool put_aid(struct nlmsghdr *nlh, size_t size, const void *entry)
{
	const struct idtun_allowed_identity *aid = entry;

	return mnl_attr_put_u32_check(nlh, size, IDTUN_A_ALLOWED_IDENTITY_IDENTITY,
				      aid->identity) &&
	       put_remove(nlh, size, IDTUN_A_ALLOWED_IDENTITY_FLAGS, aid->remove);
}

static bool put_binding(struct nlmsghdr *nlh, size_t size, const void *entry)
{
	const struct idtun_binding *b = entry;

	if (b->identity &&
	    !mnl_attr_put_u32_check(nlh, size, IDTUN_A_BINDING_IDENTITY, b->identity))
		return false;
	if (b->cgroup ? !mnl_attr_put_strz_check(nlh, size, IDTUN_A_BINDING_CGROUP, b->cgroup) :
	    !put_prefix(nlh, size, binding_types, &b->prefix))
		return false;
	return put_remove(nlh, size, IDTUN_A_BINDING_FLAGS, b->remove);
}

static bool put_rule_attrs(struct nlmsghdr *nlh, size_t size, const struct idtun_rule *r)
{
	if (!mnl_attr_put_u32_check(nlh, size, IDTUN_A_RULE_DIRECTION, r->direction))
		return false;
	if ((r->has & RULE_HAS_IDENTITY) &&
	    !mnl_attr_put_u32_check(nlh, size, IDTUN_A_RULE_IDENTITY, r->identity))
		return false;
	if (r->to.family && !put_prefix(nlh, size, rule_types, &r->to))
		return false;
	if (r->protocol &&
	    !mnl_attr_put_u8_check(nlh, size, IDTUN_A_RULE_PROTOCOL, r->protocol))
		return false;
	if ((r->has & RULE_HAS_PORTS) &&
	    (!mnl_attr_put_u16_check(nlh, size, IDTUN_A_RULE_PORT_MIN, r->port_min) ||
	     !mnl_attr_put_u16_check(nlh, size, IDTUN_A_RULE_PORT_MAX, r->port_max)))
		return false;
	if ((r->has & RULE_HAS_ACTION) &&
	    !mnl_attr_put_u32_check(nlh, size, IDTUN_A_RULE_ACTION, r->action))
		return false;
	return true;
}

static bool put_rule(struct nlmsghdr *nlh, size_t size, const void *entry)
{
	const struct idtun_rule *r = entry;

	return put_rule_attrs(nlh, size, r) &&
	       put_remove(nlh, size, IDTUN_A_RULE_FLAGS, r->remove);
}

/*
 * Adds the entries v[*next], v[*next + 1], ... (each stride bytes) as the
 * indexed array type, numbered from 1, as many as fit; returns how many.
 */
static size_t put_array(struct nlmsghdr *nlh, size_t size, uint16_t type, const void *v,
			size_t stride, size_t n, size_t *next, put_entry_fn put)
{
	struct nlattr *array, *entry;
	size_t added = 0;

	if (*next >= n)
		return 0;
	array = mnl_attr_nest_start_check(nlh, size, type);
	if (!array)
		return 0;
	while (*next < n && added < UINT16_MAX) {
		entry = mnl_attr_nest_start_check(nlh, size, (uint16_t)(added + 1));
		if (!entry)
			break;
		if (!put(nlh, size, (const char *)v + *next * stride)) {
			mnl_attr_nest_cancel(nlh, entry);
			break;
		}
		mnl_attr_nest_end(nlh, entry);
		(*next)++;
		added++;
	}
	if (added)
		mnl_attr_nest_end(nlh, array);
	else
		mnl_attr_nest_cancel(nlh, array);
	return added;
}

#define PUT_ARRAY(nlh, size, type, v, n, next, put) \
	put_array(nlh, size, type, v, sizeof(*(v)), n, next, put)

static bool peer_done(const struct ipc_set_iter *it)
{
	const struct idtun_peer *peer = &it->dev->peers[it->peer];

	return it->ip >= peer->nips && it->aid >= peer->naids;
}

/*
 * Adds as much of the iterator's current peer as fits: its own attributes
 * first, then allowed IPs, then allowed identities. True if anything was
 * added (then the peer is finished if peer_done).
 */
static bool put_peer_chunk(struct nlmsghdr *nlh, size_t size, struct ipc_set_iter *it,
			   uint16_t index)
{
	const struct idtun_peer *peer = &it->dev->peers[it->peer];
	struct nlattr *nest;
	uint32_t flags;
	size_t n;

	nest = mnl_attr_nest_start_check(nlh, size, index);
	if (!nest)
		return false;
	if (!mnl_attr_put_check(nlh, size, IDTUN_A_PEER_PUBLIC_KEY, IDTUN_KEY_LEN,
				peer->public_key))
		goto cancel;
	if (!it->peer_started) {
		if (!put_peer(nlh, size, peer))
			goto cancel;
	} else {
		/* A continuation adds to what the previous message set. */
		flags = peer->flags & ~(uint32_t)(IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS |
						  IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES);
		if (flags && !mnl_attr_put_u32_check(nlh, size, IDTUN_A_PEER_FLAGS, flags))
			goto cancel;
	}
	n = PUT_ARRAY(nlh, size, IDTUN_A_PEER_ALLOWED_IPS, peer->ips, peer->nips, &it->ip,
		      put_ip);
	if (it->ip >= peer->nips)
		n += PUT_ARRAY(nlh, size, IDTUN_A_PEER_ALLOWED_IDENTITIES, peer->aids,
			       peer->naids, &it->aid, put_aid);
	if (it->peer_started && !n)
		goto cancel;
	mnl_attr_nest_end(nlh, nest);
	it->peer_started = true;
	return true;
cancel:
	mnl_attr_nest_cancel(nlh, nest);
	return false;
}

static bool all_sent(const struct ipc_set_iter *it)
{
	const struct idtun_device *dev = it->dev;

	return it->peer >= dev->npeers && it->binding >= dev->nbindings &&
	       it->rule >= dev->nrules;
}

struct nlmsghdr *ipc_set_next(struct ipc_set_iter *it, void *buf, size_t size,
			      uint16_t family, uint32_t seq, int *error)
{
	const struct idtun_device *dev = it->dev;
	struct nlattr *peers = NULL;
	struct nlmsghdr *nlh;
	bool first = !it->started;
	uint16_t n = 0;
	size_t added;

	*error = 0;
	if (!first && all_sent(it))
		return NULL;
	nlh = put_header(buf, dev, family, seq);
	if (first) {
		if (!put_device(nlh, size, dev))
			goto too_big;
		it->started = true;
	}
	/*
	 * Bindings, then rules, then peers, each once everything before it
	 * is sent: the kernel applies a message's bindings and rules before
	 * its peers too, so no peer is added before the policy is complete.
	 */
	added = PUT_ARRAY(nlh, size, IDTUN_A_DEVICE_BINDINGS, dev->bindings, dev->nbindings,
			  &it->binding, put_binding);
	if (it->binding >= dev->nbindings)
		added += PUT_ARRAY(nlh, size, IDTUN_A_DEVICE_RULES, dev->rules, dev->nrules,
				   &it->rule, put_rule);
	if (it->binding >= dev->nbindings && it->rule >= dev->nrules && it->peer < dev->npeers)
		peers = mnl_attr_nest_start_check(nlh, size, IDTUN_A_DEVICE_PEERS);
	if (peers) {
		while (it->peer < dev->npeers && put_peer_chunk(nlh, size, it, n + 1)) {
			n++;
			if (!peer_done(it))
				break;
			it->peer++;
			it->ip = it->aid = 0;
			it->peer_started = false;
		}
		if (n)
			mnl_attr_nest_end(nlh, peers);
		else
			mnl_attr_nest_cancel(nlh, peers);
	}
	/* A message after the first that holds nothing: an entry that never fits. */
	if (!first && !added && !n)
		goto too_big;
	return nlh;

too_big:
	*error = -EMSGSIZE;
	return NULL;
}
