// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the kernel's replies: GET_DEVICE, GET_IDENTITIES and GET_POLICY
 * dumps, GET_NAMES dumps and audit events; see ipc.h.
 */

#include "ipc.h"
#include "ipc_attrs.h"

#include <linux/genetlink.h>
#include <linux/idtun.h>
#include <string.h>

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
