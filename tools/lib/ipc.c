// SPDX-License-Identifier: GPL-2.0
/* SET_DEVICE requests and GET_DEVICE dumps; see ipc.h. */

#include "ipc.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/idtun.h>
#include <stdio.h>
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

static const uint16_t ip_types[3] = {
	IDTUN_A_ALLOWEDIP_FAMILY, IDTUN_A_ALLOWEDIP_IPADDR, IDTUN_A_ALLOWEDIP_CIDR_MASK,
};
static const uint16_t binding_types[3] = {
	IDTUN_A_BINDING_FAMILY, IDTUN_A_BINDING_IPADDR, IDTUN_A_BINDING_CIDR_MASK,
};
static const uint16_t rule_types[3] = {
	IDTUN_A_RULE_FAMILY, IDTUN_A_RULE_IPADDR, IDTUN_A_RULE_CIDR_MASK,
};

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

/* One nest's attributes by type; later duplicates win, unknown types are skipped. */
struct table {
	const struct nlattr **tb;
	uint16_t max;
};

static int table_cb(const struct nlattr *attr, void *data)
{
	struct table *t = data;

	if (mnl_attr_get_type(attr) <= t->max)
		t->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void table(const struct nlattr *nest, const struct nlattr **tb, uint16_t max)
{
	struct table t = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	mnl_attr_parse_nested(nest, table_cb, &t);
}

/* An optional integer attribute of v's size; false only if malformed. */
static bool get_int(const struct nlattr *a, void *v, enum mnl_attr_data_type type,
		    size_t size)
{
	if (!a)
		return true;
	if (mnl_attr_validate(a, type) < 0)
		return false;
	memcpy(v, mnl_attr_get_payload(a), size);
	return true;
}

/* v points to a uint16_t, uint32_t or uint64_t as the name says. */
#define get_u16(a, v) get_int(a, v, MNL_TYPE_U16, sizeof(*(v)))
#define get_u32(a, v) get_int(a, v, MNL_TYPE_U32, sizeof(*(v)))
#define get_u64(a, v) get_int(a, v, MNL_TYPE_U64, sizeof(*(v)))

static bool get_key(const struct nlattr *a, uint8_t key[IDTUN_KEY_LEN])
{
	if (mnl_attr_get_payload_len(a) != IDTUN_KEY_LEN)
		return false;
	memcpy(key, mnl_attr_get_payload(a), IDTUN_KEY_LEN);
	return true;
}

/* A prefix of the three attributes types (family, ipaddr, cidr-mask) names. */
static bool parse_prefix(const struct nlattr *const *tb, const uint16_t types[3],
			 struct idtun_allowedip *ip)
{
	const struct nlattr *family = tb[types[0]], *addr = tb[types[1]], *cidr = tb[types[2]];
	size_t len;

	memset(ip, 0, sizeof(*ip));
	if (!family || !addr || !cidr || !get_u16(family, &ip->family) ||
	    mnl_attr_validate(cidr, MNL_TYPE_U8) < 0)
		return false;
	ip->cidr = mnl_attr_get_u8(cidr);
	len = mnl_attr_get_payload_len(addr);
	if (len != (ip->family == AF_INET ? 4u : 16u) || !allowedip_valid(ip))
		return false;
	memcpy(ip->addr, mnl_attr_get_payload(addr), len);
	return true;
}

static bool parse_ip(const struct nlattr *nest, struct idtun_allowedip *ip)
{
	const struct nlattr *tb[IDTUN_A_ALLOWEDIP_MAX + 1];

	table(nest, tb, IDTUN_A_ALLOWEDIP_MAX);
	return parse_prefix(tb, ip_types, ip);
}

/* A string of at most max characters into out (max + 1 bytes). */
static bool get_str(const struct nlattr *a, char *out, size_t max)
{
	if (!a)
		return true;
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 || strlen(mnl_attr_get_str(a)) > max)
		return false;
	strcpy(out, mnl_attr_get_str(a));
	return true;
}

static bool parse_binding(const struct nlattr *nest, struct idtun_binding *b)
{
	const struct nlattr *tb[IDTUN_A_BINDING_MAX + 1];

	memset(b, 0, sizeof(*b));
	table(nest, tb, IDTUN_A_BINDING_MAX);
	if (!get_u32(tb[IDTUN_A_BINDING_IDENTITY], &b->identity) ||
	    !get_u64(tb[IDTUN_A_BINDING_CGROUP_ID], &b->cgroup_id))
		return false;
	if (tb[IDTUN_A_BINDING_CGROUP]) {
		if (mnl_attr_validate(tb[IDTUN_A_BINDING_CGROUP], MNL_TYPE_NUL_STRING) < 0)
			return false;
		/* The caller copies it (device_add_binding). */
		b->cgroup = (char *)mnl_attr_get_str(tb[IDTUN_A_BINDING_CGROUP]);
		/* A cgroup outside the reader's cgroup namespace has only its id. */
		if (!*b->cgroup)
			b->cgroup = NULL;
		return true;
	}
	if (b->cgroup_id && !tb[IDTUN_A_BINDING_FAMILY])
		return true;
	return parse_prefix(tb, binding_types, &b->prefix);
}

bool ipc_parse_rule(const struct nlattr *nest, struct idtun_rule *r)
{
	const struct nlattr *tb[IDTUN_A_RULE_MAX + 1];

	memset(r, 0, sizeof(*r));
	table(nest, tb, IDTUN_A_RULE_MAX);
	if (!tb[IDTUN_A_RULE_DIRECTION] ||
	    !get_u32(tb[IDTUN_A_RULE_DIRECTION], &r->direction) ||
	    !get_u32(tb[IDTUN_A_RULE_IDENTITY], &r->identity) ||
	    !get_u16(tb[IDTUN_A_RULE_PORT_MIN], &r->port_min) ||
	    !get_u16(tb[IDTUN_A_RULE_PORT_MAX], &r->port_max) ||
	    !get_u32(tb[IDTUN_A_RULE_ACTION], &r->action) ||
	    !get_u64(tb[IDTUN_A_RULE_PACKETS], &r->packets) ||
	    !get_u64(tb[IDTUN_A_RULE_BYTES], &r->bytes) ||
	    r->direction > IDTUN_DIRECTION_INGRESS)
		return false;
	if (tb[IDTUN_A_RULE_PROTOCOL]) {
		if (mnl_attr_validate(tb[IDTUN_A_RULE_PROTOCOL], MNL_TYPE_U8) < 0)
			return false;
		r->protocol = mnl_attr_get_u8(tb[IDTUN_A_RULE_PROTOCOL]);
	}
	if ((tb[IDTUN_A_RULE_FAMILY] || tb[IDTUN_A_RULE_IPADDR] || tb[IDTUN_A_RULE_CIDR_MASK]) &&
	    !parse_prefix(tb, rule_types, &r->to))
		return false;
	if (tb[IDTUN_A_RULE_IDENTITY])
		r->has |= RULE_HAS_IDENTITY;
	if (tb[IDTUN_A_RULE_PORT_MIN] || tb[IDTUN_A_RULE_PORT_MAX]) {
		if (!tb[IDTUN_A_RULE_PORT_MAX])
			r->port_max = r->port_min;
		else if (!tb[IDTUN_A_RULE_PORT_MIN])
			r->port_min = r->port_max;
		/* The whole range is no range, as the kernel keys it. */
		if (r->port_min || r->port_max != 65535)
			r->has |= RULE_HAS_PORTS;
	}
	if (tb[IDTUN_A_RULE_ACTION])
		r->has |= RULE_HAS_ACTION;
	if (tb[IDTUN_A_RULE_PACKETS] || tb[IDTUN_A_RULE_BYTES])
		r->has |= RULE_HAS_COUNTERS;
	return true;
}

static bool parse_endpoint(const struct nlattr *a, union idtun_endpoint *ep)
{
	size_t len = mnl_attr_get_payload_len(a);
	uint16_t family;

	if (len < sizeof(family))
		return false;
	memcpy(&family, mnl_attr_get_payload(a), sizeof(family));
	memset(ep, 0, sizeof(*ep));
	if ((family == AF_INET && len == sizeof(ep->addr4)) ||
	    (family == AF_INET6 && len == sizeof(ep->addr6)))
		memcpy(ep, mnl_attr_get_payload(a), len);
	/* Anything else is no endpoint the tool can show. */
	return true;
}

static bool parse_aid(const struct nlattr *nest, struct idtun_peer *peer)
{
	const struct nlattr *tb[IDTUN_A_ALLOWED_IDENTITY_MAX + 1];
	uint32_t id = 0;

	table(nest, tb, IDTUN_A_ALLOWED_IDENTITY_MAX);
	return tb[IDTUN_A_ALLOWED_IDENTITY_IDENTITY] &&
	       get_u32(tb[IDTUN_A_ALLOWED_IDENTITY_IDENTITY], &id) &&
	       !peer_add_aid(peer, id, false);
}

static bool parse_peer(const struct nlattr *nest, struct ipc_get_ctx *ctx, bool first)
{
	const struct nlattr *tb[IDTUN_A_PEER_MAX + 1], *a;
	struct idtun_device *dev = ctx->dev;
	struct idtun_peer *peer, *last;
	struct idtun_allowedip ip;
	uint8_t key[IDTUN_KEY_LEN];

	table(nest, tb, IDTUN_A_PEER_MAX);
	if (!tb[IDTUN_A_PEER_PUBLIC_KEY] || !get_key(tb[IDTUN_A_PEER_PUBLIC_KEY], key))
		return false;
	last = dev->npeers ? &dev->peers[dev->npeers - 1] : NULL;
	if (first && last && !memcmp(last->public_key, key, IDTUN_KEY_LEN)) {
		/* The rest of the previous message's last peer. */
		peer = last;
	} else {
		peer = device_add_peer(dev);
		if (!peer)
			return false;
		memcpy(peer->public_key, key, IDTUN_KEY_LEN);
		a = tb[IDTUN_A_PEER_PRESHARED_KEY];
		if (a) {
			if (!get_key(a, peer->preshared_key))
				return false;
			if (!key_is_zero(peer->preshared_key))
				peer->has |= PEER_HAS_PRESHARED_KEY;
		}
		if (tb[IDTUN_A_PEER_ENDPOINT] &&
		    !parse_endpoint(tb[IDTUN_A_PEER_ENDPOINT], &peer->endpoint))
			return false;
		if (!get_u16(tb[IDTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL], &peer->keepalive) ||
		    !get_u64(tb[IDTUN_A_PEER_LAST_HANDSHAKE_TIME], &peer->last_handshake_ns) ||
		    !get_u64(tb[IDTUN_A_PEER_RX_BYTES], &peer->rx_bytes) ||
		    !get_u64(tb[IDTUN_A_PEER_TX_BYTES], &peer->tx_bytes) ||
		    !get_u32(tb[IDTUN_A_PEER_PROTOCOL_VERSION], &peer->protocol_version) ||
		    !get_u32(tb[IDTUN_A_PEER_IDENTITY], &peer->identity))
			return false;
		if (peer->keepalive)
			peer->has |= PEER_HAS_KEEPALIVE;
		if (tb[IDTUN_A_PEER_IDENTITY])
			peer->has |= PEER_HAS_IDENTITY;
		a = tb[IDTUN_A_PEER_LABELS];
		if (a) {
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0 || mnl_attr_get_u8(a) > 1)
				return false;
			peer->labels = mnl_attr_get_u8(a);
			peer->has |= PEER_HAS_LABELS;
		}
	}
	if (tb[IDTUN_A_PEER_ALLOWED_IPS]) {
		mnl_attr_for_each_nested(a, tb[IDTUN_A_PEER_ALLOWED_IPS]) {
			if (!parse_ip(a, &ip) || peer_add_ip(peer, &ip))
				return false;
		}
	}
	if (tb[IDTUN_A_PEER_ALLOWED_IDENTITIES]) {
		mnl_attr_for_each_nested(a, tb[IDTUN_A_PEER_ALLOWED_IDENTITIES]) {
			if (!parse_aid(a, peer))
				return false;
		}
	}
	return true;
}

static bool parse_identity(const struct nlattr *nest, struct idtun_device *dev, bool first)
{
	const struct nlattr *tb[IDTUN_A_IDENTITY_MAX + 1], *a;
	struct idtun_identity *id, *last;
	struct idtun_binding b;
	uint32_t number = 0;

	table(nest, tb, IDTUN_A_IDENTITY_MAX);
	if (!tb[IDTUN_A_IDENTITY_IDENTITY] ||
	    !get_u32(tb[IDTUN_A_IDENTITY_IDENTITY], &number))
		return false;
	last = dev->nidentities ? &dev->identities[dev->nidentities - 1] : NULL;
	/* An identity whose bindings continue from the previous message. */
	if (first && last && last->identity == number) {
		id = last;
	} else {
		id = device_add_identity(dev);
		if (!id)
			return false;
		id->identity = number;
	}
	if (!get_str(tb[IDTUN_A_IDENTITY_NAME], id->name, IDTUN_NAME_MAX) ||
	    !get_u64(tb[IDTUN_A_IDENTITY_TX_PACKETS], &id->tx_packets) ||
	    !get_u64(tb[IDTUN_A_IDENTITY_TX_BYTES], &id->tx_bytes) ||
	    !get_u64(tb[IDTUN_A_IDENTITY_RX_PACKETS], &id->rx_packets) ||
	    !get_u64(tb[IDTUN_A_IDENTITY_RX_BYTES], &id->rx_bytes) ||
	    !get_u64(tb[IDTUN_A_IDENTITY_TX_DROPPED], &id->tx_dropped) ||
	    !get_u64(tb[IDTUN_A_IDENTITY_RX_DROPPED], &id->rx_dropped))
		return false;
	if (tb[IDTUN_A_IDENTITY_BINDINGS]) {
		mnl_attr_for_each_nested(a, tb[IDTUN_A_IDENTITY_BINDINGS]) {
			if (!parse_binding(a, &b))
				return false;
			b.identity = number;
			if (identity_add_binding(id, &b))
				return false;
		}
	}
	return true;
}

static bool parse_drops(const struct nlattr *nest, struct idtun_device *dev)
{
	const struct nlattr *tb[IDTUN_A_DROPS_MAX + 1];
	unsigned int i;

	table(nest, tb, IDTUN_A_DROPS_MAX);
	for (i = 1; i <= IDTUN_A_DROPS_MAX; i++) {
		if (!get_u64(tb[i], &dev->drops[i]))
			return false;
	}
	dev->has |= DEV_HAS_DROPS;
	return true;
}

/* Every attribute of a device reply: GET_DEVICE, GET_IDENTITIES, GET_POLICY. */
static bool parse_device(const struct nlmsghdr *nlh, struct ipc_get_ctx *ctx)
{
	const struct nlattr *tb[IDTUN_A_DEVICE_MAX + 1] = { 0 }, *a;
	struct idtun_device *dev = ctx->dev;
	struct idtun_rule rule;
	uint32_t generation = 0, v;
	bool first = true;
	size_t i;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) <= IDTUN_A_DEVICE_MAX)
			tb[mnl_attr_get_type(a)] = a;
	}
	if (!get_u32(tb[IDTUN_A_DEVICE_GENERATION], &generation) ||
	    !get_u32(tb[IDTUN_A_DEVICE_IFINDEX], &dev->ifindex) ||
	    !get_u16(tb[IDTUN_A_DEVICE_LISTEN_PORT], &dev->listen_port))
		return false;
	if (ctx->messages++ && generation != ctx->generation) {
		ctx->restart = true;
		return true;
	}
	ctx->generation = generation;
	if (tb[IDTUN_A_DEVICE_LISTEN_PORT])
		dev->has |= DEV_HAS_LISTEN_PORT;
	for (i = 0; i < device_nsettings; i++) {
		a = tb[device_settings[i].attr];
		if (!a)
			continue;
		if (!get_u32(a, &v))
			return false;
		device_set(dev, &device_settings[i], v);
	}
	if (!get_str(tb[IDTUN_A_DEVICE_IFNAME], dev->name, IF_NAMESIZE - 1))
		return false;
	a = tb[IDTUN_A_DEVICE_PRIVATE_KEY];
	if (a) {
		if (!get_key(a, dev->private_key))
			return false;
		if (!key_is_zero(dev->private_key))
			dev->has |= DEV_HAS_PRIVATE_KEY;
	}
	a = tb[IDTUN_A_DEVICE_PUBLIC_KEY];
	if (a) {
		if (!get_key(a, dev->public_key))
			return false;
		if (!key_is_zero(dev->public_key))
			dev->has |= DEV_HAS_PUBLIC_KEY;
	}
	if (tb[IDTUN_A_DEVICE_DROPS] && !parse_drops(tb[IDTUN_A_DEVICE_DROPS], dev))
		return false;
	if (tb[IDTUN_A_DEVICE_PEERS]) {
		mnl_attr_for_each_nested(a, tb[IDTUN_A_DEVICE_PEERS]) {
			if (!parse_peer(a, ctx, first))
				return false;
			first = false;
		}
	}
	if (tb[IDTUN_A_DEVICE_RULES]) {
		mnl_attr_for_each_nested(a, tb[IDTUN_A_DEVICE_RULES]) {
			if (!ipc_parse_rule(a, &rule) || device_add_rule(dev, &rule))
				return false;
		}
	}
	first = true;
	if (tb[IDTUN_A_DEVICE_IDENTITIES]) {
		mnl_attr_for_each_nested(a, tb[IDTUN_A_DEVICE_IDENTITIES]) {
			if (!parse_identity(a, dev, first))
				return false;
			first = false;
		}
	}
	return true;
}

int ipc_get_parse(const struct nlmsghdr *nlh, void *data)
{
	struct ipc_get_ctx *ctx = data;

	if (ctx->restart || ctx->malformed)
		return MNL_CB_OK;	/* read to the end, then start over */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		ctx->restart = true;
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct genlmsghdr)) ||
	    !parse_device(nlh, ctx))
		ctx->malformed = true;
	return MNL_CB_OK;
}

int ipc_names_parse(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IDTUN_A_IDENTITY_MAX + 1] = { 0 }, *a;
	struct ipc_names_ctx *ctx = data;
	char name[IDTUN_NAME_MAX + 1] = "";
	uint32_t id = 0;

	if (ctx->malformed)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct genlmsghdr))) {
		ctx->malformed = true;
		return MNL_CB_OK;
	}
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) <= IDTUN_A_IDENTITY_MAX)
			tb[mnl_attr_get_type(a)] = a;
	}
	if (!tb[IDTUN_A_IDENTITY_IDENTITY] || !tb[IDTUN_A_IDENTITY_NAME] ||
	    !get_u32(tb[IDTUN_A_IDENTITY_IDENTITY], &id) ||
	    !get_str(tb[IDTUN_A_IDENTITY_NAME], name, IDTUN_NAME_MAX) ||
	    names_set(ctx->names, id, name))
		ctx->malformed = true;
	return MNL_CB_OK;
}

static bool get_addr(const struct nlattr *a, uint16_t family, uint8_t out[16])
{
	if (!a)
		return true;
	if (mnl_attr_get_payload_len(a) != (family == AF_INET6 ? 16u : 4u))
		return false;
	memcpy(out, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	return true;
}

bool ipc_event_parse(const struct nlmsghdr *nlh, struct idtun_event *ev)
{
	const struct nlattr *tb[IDTUN_A_EVENT_MAX + 1] = { 0 }, *a;
	const struct genlmsghdr *genl;

	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*genl)))
		return false;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != IDTUN_CMD_AUDIT)
		return false;
	mnl_attr_for_each(a, nlh, sizeof(*genl)) {
		if (mnl_attr_get_type(a) <= IDTUN_A_EVENT_MAX)
			tb[mnl_attr_get_type(a)] = a;
	}
	if (!get_u32(tb[IDTUN_A_EVENT_IFINDEX], &ev->ifindex) ||
	    !get_str(tb[IDTUN_A_EVENT_IFNAME], ev->ifname, IF_NAMESIZE - 1) ||
	    !get_u32(tb[IDTUN_A_EVENT_DIRECTION], &ev->direction) ||
	    !get_u32(tb[IDTUN_A_EVENT_ACTION], &ev->action) ||
	    !get_u32(tb[IDTUN_A_EVENT_REASON], &ev->reason) ||
	    !get_u32(tb[IDTUN_A_EVENT_IDENTITY], &ev->identity) ||
	    !get_str(tb[IDTUN_A_EVENT_NAME], ev->name, IDTUN_NAME_MAX) ||
	    !get_u16(tb[IDTUN_A_EVENT_FAMILY], &ev->family) ||
	    !get_u16(tb[IDTUN_A_EVENT_SPORT], &ev->sport) ||
	    !get_u16(tb[IDTUN_A_EVENT_DPORT], &ev->dport) ||
	    !get_u64(tb[IDTUN_A_EVENT_SUPPRESSED], &ev->suppressed) ||
	    !get_u64(tb[IDTUN_A_EVENT_TIME], &ev->time_ns))
		return false;
	if (ev->family != AF_INET && ev->family != AF_INET6)
		ev->family = 0;
	if (!get_addr(tb[IDTUN_A_EVENT_SADDR], ev->family, ev->saddr) ||
	    !get_addr(tb[IDTUN_A_EVENT_DADDR], ev->family, ev->daddr))
		return false;
	a = tb[IDTUN_A_EVENT_PROTOCOL];
	if (a) {
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return false;
		ev->protocol = mnl_attr_get_u8(a);
	}
	a = tb[IDTUN_A_EVENT_PEER_PUBLIC_KEY];
	if (a) {
		if (!get_key(a, ev->peer))
			return false;
		ev->has_peer = true;
	}
	ev->has_sport = tb[IDTUN_A_EVENT_SPORT];
	ev->has_dport = tb[IDTUN_A_EVENT_DPORT];
	a = tb[IDTUN_A_EVENT_RULE];
	if (a) {
		if (!ipc_parse_rule(a, &ev->rule))
			return false;
		ev->has_rule = true;
	}
	return true;
}

static void tool_error(struct nl_error *err, int error, const char *msg)
{
	memset(err, 0, sizeof(*err));
	err->error = error;
	err->offset = -1;
	err->attr_type = -1;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* A device dump (cmd), redone when it raced a change. */
static int get(struct nl *nl, uint8_t cmd, const char *name, struct idtun_device *dev,
	       struct nl_error *err)
{
	struct ipc_get_ctx ctx;
	struct nlmsghdr *nlh;
	unsigned int tries;
	int ret;

	for (tries = 0; tries < IPC_GET_TRIES; tries++) {
		device_free(dev);
		memset(&ctx, 0, sizeof(ctx));
		ctx.dev = dev;
		nlh = nl_genl_request(nl, cmd, NLM_F_DUMP);
		mnl_attr_put_strz(nlh, IDTUN_A_DEVICE_IFNAME, name);
		ret = nl_transact(nl, nlh, ipc_get_parse, &ctx, err);
		if (ret)
			return ret;
		if (ctx.malformed) {
			tool_error(err, -EBADMSG, "malformed reply from the kernel");
			return -EBADMSG;
		}
		if (!ctx.restart)
			return 0;
	}
	tool_error(err, -EAGAIN, "the configuration kept changing while it was read");
	return -EAGAIN;
}

int ipc_get_device(struct nl *nl, const char *name, struct idtun_device *dev,
		   struct nl_error *err)
{
	return get(nl, IDTUN_CMD_GET_DEVICE, name, dev, err);
}

int ipc_get_identities(struct nl *nl, const char *name, struct idtun_device *dev,
		       struct nl_error *err)
{
	int ret = get(nl, IDTUN_CMD_GET_IDENTITIES, name, dev, err);

	if (!ret)
		device_sort_identities(dev);
	return ret;
}

int ipc_get_policy(struct nl *nl, const char *name, struct idtun_device *dev,
		   struct nl_error *err)
{
	int ret = get(nl, IDTUN_CMD_GET_POLICY, name, dev, err);

	if (!ret)
		device_sort_rules(dev);
	return ret;
}

int ipc_get_names(struct nl *nl, struct idtun_names *names, struct nl_error *err)
{
	struct ipc_names_ctx ctx = { .names = names };
	struct nlmsghdr *nlh;
	int ret;

	names_free(names);
	nlh = nl_genl_request(nl, IDTUN_CMD_GET_NAMES, NLM_F_DUMP);
	ret = nl_transact(nl, nlh, ipc_names_parse, &ctx, err);
	if (!ret && ctx.malformed) {
		tool_error(err, -EBADMSG, "malformed reply from the kernel");
		ret = -EBADMSG;
	}
	if (!ret)
		names_sort(names);
	return ret;
}

int ipc_set_name(struct nl *nl, uint32_t id, const char *name, struct nl_error *err)
{
	struct nlmsghdr *nlh = nl_genl_request(nl, IDTUN_CMD_SET_NAME, NLM_F_ACK);

	mnl_attr_put_u32(nlh, IDTUN_A_IDENTITY_IDENTITY, id);
	mnl_attr_put_strz(nlh, IDTUN_A_IDENTITY_NAME, name);
	return nl_transact(nl, nlh, NULL, NULL, err);
}

int ipc_set_device(struct nl *nl, const struct idtun_device *dev, struct nl_error *err)
{
	struct ipc_set_iter it;
	struct nlmsghdr *nlh;
	int ret, error;

	/* Everything must fit before anything is sent. */
	ipc_set_init(&it, dev);
	while (ipc_set_next(&it, nl->buf, IPC_MSG_MAX, nl->family, 0, &error))
		;
	if (error) {
		tool_error(err, error, "an entry does not fit in a netlink message");
		return error;
	}
	ipc_set_init(&it, dev);
	while ((nlh = ipc_set_next(&it, nl->buf, IPC_MSG_MAX, nl->family, ++nl->seq,
				   &error))) {
		ret = nl_transact(nl, nlh, NULL, NULL, err);
		if (ret)
			return ret;
	}
	return 0;
}
