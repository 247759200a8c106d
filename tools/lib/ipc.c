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
	if ((dev->has & DEV_HAS_PRIVATE_KEY) &&
	    !mnl_attr_put_check(nlh, size, IDTUN_A_DEVICE_PRIVATE_KEY, IDTUN_KEY_LEN,
				dev->private_key))
		return false;
	if ((dev->has & DEV_HAS_LISTEN_PORT) &&
	    !mnl_attr_put_u16_check(nlh, size, IDTUN_A_DEVICE_LISTEN_PORT, dev->listen_port))
		return false;
	if ((dev->has & DEV_HAS_FWMARK) &&
	    !mnl_attr_put_u32_check(nlh, size, IDTUN_A_DEVICE_FWMARK, dev->fwmark))
		return false;
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
	return true;
}

static bool put_ip(struct nlmsghdr *nlh, size_t size, uint16_t index,
		   const struct idtun_allowedip *ip)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, size, index);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, size, IDTUN_A_ALLOWEDIP_FAMILY, ip->family) ||
	    !mnl_attr_put_check(nlh, size, IDTUN_A_ALLOWEDIP_IPADDR,
				ip->family == AF_INET ? 4 : 16, ip->addr) ||
	    !mnl_attr_put_u8_check(nlh, size, IDTUN_A_ALLOWEDIP_CIDR_MASK, ip->cidr) ||
	    (ip->remove && !mnl_attr_put_u32_check(nlh, size, IDTUN_A_ALLOWEDIP_FLAGS,
						   IDTUN_ALLOWEDIP_FLAGS_REMOVE_ME))) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/*
 * Adds as much of the iterator's current peer as fits; true if anything
 * was added (then the peer is finished unless it->ip < nips).
 */
static bool put_peer_chunk(struct nlmsghdr *nlh, size_t size, struct ipc_set_iter *it,
			   uint16_t index)
{
	const struct idtun_peer *peer = &it->dev->peers[it->peer];
	struct nlattr *nest, *ips;
	uint32_t flags;
	uint16_t n = 0;

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
		flags = peer->flags & ~(uint32_t)IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
		if (flags && !mnl_attr_put_u32_check(nlh, size, IDTUN_A_PEER_FLAGS, flags))
			goto cancel;
	}
	if (it->ip < peer->nips) {
		ips = mnl_attr_nest_start_check(nlh, size, IDTUN_A_PEER_ALLOWED_IPS);
		if (ips) {
			while (it->ip < peer->nips &&
			       put_ip(nlh, size, n + 1, &peer->ips[it->ip])) {
				it->ip++;
				n++;
			}
			if (n)
				mnl_attr_nest_end(nlh, ips);
			else
				mnl_attr_nest_cancel(nlh, ips);
		}
	}
	if (it->peer_started && !n)
		goto cancel;
	mnl_attr_nest_end(nlh, nest);
	it->peer_started = true;
	return true;
cancel:
	mnl_attr_nest_cancel(nlh, nest);
	return false;
}

struct nlmsghdr *ipc_set_next(struct ipc_set_iter *it, void *buf, size_t size,
			      uint16_t family, uint32_t seq, int *error)
{
	const struct idtun_device *dev = it->dev;
	struct nlmsghdr *nlh;
	struct nlattr *peers;
	uint16_t n = 0;

	*error = 0;
	if (it->started && it->peer >= dev->npeers)
		return NULL;
	nlh = put_header(buf, dev, family, seq);
	if (!it->started) {
		if (!put_device(nlh, size, dev))
			goto too_big;
		it->started = true;
	}
	if (it->peer >= dev->npeers)
		return nlh;
	peers = mnl_attr_nest_start_check(nlh, size, IDTUN_A_DEVICE_PEERS);
	if (!peers)
		goto too_big;
	while (it->peer < dev->npeers && put_peer_chunk(nlh, size, it, n + 1)) {
		n++;
		if (it->ip < dev->peers[it->peer].nips)
			break;
		it->peer++;
		it->ip = 0;
		it->peer_started = false;
	}
	if (!n)
		goto too_big;
	mnl_attr_nest_end(nlh, peers);
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

static bool parse_ip(const struct nlattr *nest, struct idtun_allowedip *ip)
{
	const struct nlattr *tb[IDTUN_A_ALLOWEDIP_MAX + 1];
	size_t len;

	memset(ip, 0, sizeof(*ip));
	table(nest, tb, IDTUN_A_ALLOWEDIP_MAX);
	if (!tb[IDTUN_A_ALLOWEDIP_FAMILY] || !tb[IDTUN_A_ALLOWEDIP_IPADDR] ||
	    !tb[IDTUN_A_ALLOWEDIP_CIDR_MASK] ||
	    !get_u16(tb[IDTUN_A_ALLOWEDIP_FAMILY], &ip->family) ||
	    mnl_attr_validate(tb[IDTUN_A_ALLOWEDIP_CIDR_MASK], MNL_TYPE_U8) < 0)
		return false;
	ip->cidr = mnl_attr_get_u8(tb[IDTUN_A_ALLOWEDIP_CIDR_MASK]);
	len = mnl_attr_get_payload_len(tb[IDTUN_A_ALLOWEDIP_IPADDR]);
	if (len != (ip->family == AF_INET ? 4u : 16u) || !allowedip_valid(ip))
		return false;
	memcpy(ip->addr, mnl_attr_get_payload(tb[IDTUN_A_ALLOWEDIP_IPADDR]), len);
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
		    !get_u32(tb[IDTUN_A_PEER_PROTOCOL_VERSION], &peer->protocol_version))
			return false;
		if (peer->keepalive)
			peer->has |= PEER_HAS_KEEPALIVE;
	}
	if (tb[IDTUN_A_PEER_ALLOWED_IPS]) {
		mnl_attr_for_each_nested(a, tb[IDTUN_A_PEER_ALLOWED_IPS]) {
			if (!parse_ip(a, &ip) || peer_add_ip(peer, &ip))
				return false;
		}
	}
	return true;
}

static bool parse_device(const struct nlmsghdr *nlh, struct ipc_get_ctx *ctx)
{
	const struct nlattr *tb[IDTUN_A_DEVICE_MAX + 1] = { 0 }, *a;
	struct idtun_device *dev = ctx->dev;
	uint32_t generation = 0;
	bool first = true;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) <= IDTUN_A_DEVICE_MAX)
			tb[mnl_attr_get_type(a)] = a;
	}
	if (!get_u32(tb[IDTUN_A_DEVICE_GENERATION], &generation) ||
	    !get_u32(tb[IDTUN_A_DEVICE_IFINDEX], &dev->ifindex) ||
	    !get_u16(tb[IDTUN_A_DEVICE_LISTEN_PORT], &dev->listen_port) ||
	    !get_u32(tb[IDTUN_A_DEVICE_FWMARK], &dev->fwmark))
		return false;
	if (ctx->messages++ && generation != ctx->generation) {
		ctx->restart = true;
		return true;
	}
	ctx->generation = generation;
	if (tb[IDTUN_A_DEVICE_LISTEN_PORT])
		dev->has |= DEV_HAS_LISTEN_PORT;
	if (tb[IDTUN_A_DEVICE_FWMARK])
		dev->has |= DEV_HAS_FWMARK;
	a = tb[IDTUN_A_DEVICE_IFNAME];
	if (a) {
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return false;
		snprintf(dev->name, sizeof(dev->name), "%s", mnl_attr_get_str(a));
	}
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
	if (tb[IDTUN_A_DEVICE_PEERS]) {
		mnl_attr_for_each_nested(a, tb[IDTUN_A_DEVICE_PEERS]) {
			if (!parse_peer(a, ctx, first))
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

static void tool_error(struct nl_error *err, int error, const char *msg)
{
	memset(err, 0, sizeof(*err));
	err->error = error;
	err->offset = -1;
	err->attr_type = -1;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

int ipc_get_device(struct nl *nl, const char *name, struct idtun_device *dev,
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
		nlh = nl_genl_request(nl, IDTUN_CMD_GET_DEVICE, NLM_F_DUMP);
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

int ipc_set_device(struct nl *nl, const struct idtun_device *dev, struct nl_error *err)
{
	struct ipc_set_iter it;
	struct nlmsghdr *nlh;
	int ret, error;

	ipc_set_init(&it, dev);
	while ((nlh = ipc_set_next(&it, nl->buf, IPC_MSG_MAX, nl->family, ++nl->seq,
				   &error))) {
		ret = nl_transact(nl, nlh, NULL, NULL, err);
		if (ret)
			return ret;
	}
	if (error) {
		tool_error(err, error, "a peer does not fit in a netlink message");
		return error;
	}
	return 0;
}
