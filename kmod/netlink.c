// SPDX-License-Identifier: GPL-2.0
/*
 * The idtun generic netlink family: the handlers. The attribute policies
 * and the operation table are generated from docs/netlink/idtun.yaml into
 * netlink-gen.c, so the core has validated every attribute (strictly, with
 * an extack message and offset on rejection) before a handler runs.
 */

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "peer.h"
#include "send.h"
#include "socket.h"

#include <crypto/curve25519.h>
#include <net/sock.h>

static struct genl_family idtun_genl_family;

static struct net_device *idtun_nl_dev_by_attr(struct net *net,
					       struct nlattr *attr,
					       struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (nla_type(attr) == IDTUN_A_DEVICE_IFINDEX) {
		dev = dev_get_by_index(net, nla_get_u32(attr));
		if (!dev)
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_DEVICE_IFINDEX: no such device");
	} else {
		dev = dev_get_by_name(net, nla_data(attr));
		if (!dev)
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_DEVICE_IFNAME: no such device");
	}
	return dev;
}

/*
 * The device a request names by ifindex, ifname or both (which must then
 * name the same device). Returns it with a reference on its net_device,
 * which the caller drops with dev_put(), or an ERR_PTR with extack set.
 */
struct idtun_device *idtun_nl_lookup(struct net *net, struct nlattr **attrs,
				     struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex = attrs[IDTUN_A_DEVICE_IFINDEX];
	struct nlattr *ifname = attrs[IDTUN_A_DEVICE_IFNAME];
	struct net_device *dev, *other;

	if (!ifindex && !ifname) {
		NL_SET_ERR_MSG(extack,
			       "IDTUN_A_DEVICE_IFINDEX or IDTUN_A_DEVICE_IFNAME is required");
		return ERR_PTR(-EINVAL);
	}
	dev = idtun_nl_dev_by_attr(net, ifindex ?: ifname, extack);
	if (!dev)
		return ERR_PTR(-ENODEV);
	if (ifindex && ifname) {
		other = idtun_nl_dev_by_attr(net, ifname, extack);
		if (other != dev) {
			if (other) {
				dev_put(other);
				NL_SET_ERR_MSG_ATTR(extack, ifname,
						    "IDTUN_A_DEVICE_IFNAME names another device than IDTUN_A_DEVICE_IFINDEX");
			}
			dev_put(dev);
			return ERR_PTR(other ? -EINVAL : -ENODEV);
		}
		dev_put(other);
	}
	if (!idtun_is_device(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex ?: ifname,
				    "not an idtun device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

/* The attributes only the first message of a dump carries. */
static int idtun_nl_fill_config(struct sk_buff *skb, struct idtun_device *idt)
{
	int ret = 0;

	down_read(&idt->static_identity_lock);
	if (idt->has_identity &&
	    (nla_put(skb, IDTUN_A_DEVICE_PRIVATE_KEY, IDTUN_KEY_SIZE,
		     idt->static_private) ||
	     nla_put(skb, IDTUN_A_DEVICE_PUBLIC_KEY, IDTUN_KEY_SIZE,
		     idt->static_public)))
		ret = -EMSGSIZE;
	up_read(&idt->static_identity_lock);
	if (ret || nla_put_u16(skb, IDTUN_A_DEVICE_LISTEN_PORT, idt->listen_port) ||
	    nla_put_u32(skb, IDTUN_A_DEVICE_FWMARK, idt->fwmark))
		return -EMSGSIZE;
	return idtun_nl_fill_identity_config(skb, idt);
}

static int idtun_nl_fill_endpoint(struct sk_buff *skb, struct idtun_peer *peer)
{
	int ret = 0;

	read_lock_bh(&peer->endpoint_lock);
	if (peer->endpoint.addr.sa_family == AF_INET)
		ret = nla_put(skb, IDTUN_A_PEER_ENDPOINT,
			      sizeof(peer->endpoint.addr4),
			      &peer->endpoint.addr4);
	else if (peer->endpoint.addr.sa_family == AF_INET6)
		ret = nla_put(skb, IDTUN_A_PEER_ENDPOINT,
			      sizeof(peer->endpoint.addr6),
			      &peer->endpoint.addr6);
	read_unlock_bh(&peer->endpoint_lock);
	return ret;
}

/* A peer's own attributes, without its allowed IPs. */
static int idtun_nl_fill_peer(struct sk_buff *skb, struct idtun_peer *peer)
{
	struct idtun_handshake *hs = &peer->handshake;
	int ret;

	down_read(&hs->lock);
	ret = nla_put(skb, IDTUN_A_PEER_PRESHARED_KEY, IDTUN_KEY_SIZE,
		      hs->preshared_key);
	up_read(&hs->lock);
	if (ret || idtun_nl_fill_endpoint(skb, peer) ||
	    nla_put_u16(skb, IDTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL,
			peer->persistent_keepalive_interval) ||
	    nla_put_u64_64bit(skb, IDTUN_A_PEER_LAST_HANDSHAKE_TIME,
			      atomic64_read(&peer->last_handshake_ns), 0) ||
	    nla_put_u64_64bit(skb, IDTUN_A_PEER_RX_BYTES,
			      atomic64_read(&peer->rx_bytes), 0) ||
	    nla_put_u64_64bit(skb, IDTUN_A_PEER_TX_BYTES,
			      atomic64_read(&peer->tx_bytes), 0) ||
	    nla_put_u32(skb, IDTUN_A_PEER_PROTOCOL_VERSION, 1))
		return -EMSGSIZE;
	return idtun_nl_fill_peer_identity(skb, peer);
}

/*
 * Allowed IPs of a peer from the skip-th on, as many as fit. Returns how
 * many went in, or a negative error if not even the nest did; *complete
 * says whether the last one is in.
 */
static int idtun_nl_fill_allowedips(struct sk_buff *skb,
				    struct idtun_peer *peer, long skip,
				    bool *complete)
{
	struct idtun_trie_node *node;
	struct nlattr *aips, *aip;
	u8 addr[16], cidr;
	long i = 0;
	int n = 0, family;

	*complete = false;
	aips = nla_nest_start(skb, IDTUN_A_PEER_ALLOWED_IPS);
	if (!aips)
		return -EMSGSIZE;
	list_for_each_entry(node, &peer->allowedips_list, list) {
		if (i++ < skip)
			continue;
		idtun_trie_node_prefix(node, &family, addr, &cidr);
		aip = nla_nest_start(skb, n + 1);
		if (!aip || nla_put_u16(skb, IDTUN_A_ALLOWEDIP_FAMILY, family) ||
		    nla_put(skb, IDTUN_A_ALLOWEDIP_IPADDR,
			    family == AF_INET ? 4 : 16, addr) ||
		    nla_put_u8(skb, IDTUN_A_ALLOWEDIP_CIDR_MASK, cidr)) {
			if (aip)
				nla_nest_cancel(skb, aip);
			nla_nest_end(skb, aips);
			return n;
		}
		nla_nest_end(skb, aip);
		n++;
	}
	nla_nest_end(skb, aips);
	*complete = true;
	return n;
}

/*
 * A peer's allowed IPs and then its allowed identities, from the skip-th
 * entry of the two lists on, as many as fit: returns how many went in, or
 * a negative error if nothing did; *complete says whether all are in.
 */
static int idtun_nl_fill_peer_lists(struct sk_buff *skb,
				    struct idtun_peer *peer, long skip,
				    bool *complete)
{
	struct idtun_trie_node *node;
	long naips = 0;
	int n = 0, ret;

	list_for_each_entry(node, &peer->allowedips_list, list)
		naips++;
	if (skip <= naips) {
		n = idtun_nl_fill_allowedips(skb, peer, skip, complete);
		if (n < 0 || !*complete)
			return n;
	}
	if (!idtun_nl_allowed_ids_count(peer))
		return n;
	ret = idtun_nl_fill_allowed_ids(skb, peer, max(skip - naips, 0L),
					complete);
	if (ret < 0) {
		*complete = false;
		return n ?: ret;
	}
	return n + ret;
}

/* Dump cursor, in cb->args. */
enum {
	DUMP_DEVICE,		/* the device, with a reference */
	DUMP_STARTED,		/* the first message went out */
	DUMP_PEER,		/* peers fully dumped */
	DUMP_AIP,		/* allowed IPs of the next peer dumped */
	DUMP_DONE,		/* nothing left */
};

/*
 * Fills peers from the cursor on, as many as fit. Returns true when every
 * peer is in.
 */
static bool idtun_nl_fill_peers(struct sk_buff *skb, struct idtun_device *idt,
				struct netlink_callback *cb)
{
	struct idtun_peer *peer;
	struct nlattr *peers;
	struct nlattr *pnest = NULL;
	bool complete;
	long i = 0;
	int n = 0, ret;

	peers = nla_nest_start(skb, IDTUN_A_DEVICE_PEERS);
	if (!peers)
		return false;
	list_for_each_entry(peer, &idt->peer_list, peer_list) {
		if (i++ < cb->args[DUMP_PEER])
			continue;
		pnest = nla_nest_start(skb, ++n);
		if (!pnest ||
		    nla_put(skb, IDTUN_A_PEER_PUBLIC_KEY, IDTUN_KEY_SIZE,
			    peer->handshake.remote_static) ||
		    (!cb->args[DUMP_AIP] && idtun_nl_fill_peer(skb, peer)))
			goto full;
		ret = idtun_nl_fill_peer_lists(skb, peer, cb->args[DUMP_AIP],
					       &complete);
		if (ret < 0)
			goto full;
		nla_nest_end(skb, pnest);
		if (!complete) {
			/* The rest follows, under the same key, next time. */
			cb->args[DUMP_AIP] += ret;
			nla_nest_end(skb, peers);
			return false;
		}
		cb->args[DUMP_PEER]++;
		cb->args[DUMP_AIP] = 0;
	}
	nla_nest_end(skb, peers);
	return true;

full:
	if (pnest)
		nla_nest_cancel(skb, pnest);
	nla_nest_end(skb, peers);
	return false;
}

/*
 * A dump of one device. The first call looks the device up (here rather
 * than in a start hook, which before 6.2 has no extack to explain a
 * failure) and holds it until done, so every message of the dump
 * describes the same device. Each message carries the generation, and is
 * flagged NLM_F_DUMP_INTR if the configuration changed since the first.
 */
int idtun_nl_get_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct idtun_device *idt = (struct idtun_device *)cb->args[DUMP_DEVICE];
	bool done;
	void *hdr;

	if (!idt) {
		idt = idtun_nl_lookup(sock_net(cb->skb->sk), idtun_dump_attrs(cb),
				      cb->extack);
		if (IS_ERR(idt))
			return PTR_ERR(idt);
		cb->args[DUMP_DEVICE] = (long)idt;
	}
	if (cb->args[DUMP_DONE])
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &idtun_genl_family, NLM_F_MULTI, IDTUN_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;

	/* The RTNL keeps the name stable, the update lock the rest. */
	rtnl_lock();
	mutex_lock(&idt->update_lock);
	if (!cb->args[DUMP_STARTED])
		cb->seq = idt->generation ?: 1;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, IDTUN_A_DEVICE_IFINDEX, idt->dev->ifindex) ||
	    nla_put_string(skb, IDTUN_A_DEVICE_IFNAME, idt->dev->name) ||
	    nla_put_u32(skb, IDTUN_A_DEVICE_GENERATION, idt->generation) ||
	    (!cb->args[DUMP_STARTED] && idtun_nl_fill_config(skb, idt)))
		goto err_cancel;
	done = idtun_nl_fill_peers(skb, idt, cb);
	mutex_unlock(&idt->update_lock);
	rtnl_unlock();

	cb->args[DUMP_STARTED] = 1;
	cb->args[DUMP_DONE] = done;
	genlmsg_end(skb, hdr);
	return skb->len;

err_cancel:
	mutex_unlock(&idt->update_lock);
	rtnl_unlock();
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int idtun_nl_get_device_done(struct netlink_callback *cb)
{
	struct idtun_device *idt = (struct idtun_device *)cb->args[DUMP_DEVICE];

	if (idt)
		dev_put(idt->dev);
	return 0;
}

/* ---- SET_DEVICE: everything is checked before anything changes. */

static int idtun_nl_check_allowedip(struct nlattr *nest,
				    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IDTUN_A_ALLOWEDIP_MAX + 1];
	unsigned int len, bits;
	int ret;

	ret = nla_parse_nested(tb, IDTUN_A_ALLOWEDIP_MAX, nest,
			       idtun_allowedip_nl_policy, extack);
	if (ret)
		return ret;
	if (!tb[IDTUN_A_ALLOWEDIP_FAMILY] || !tb[IDTUN_A_ALLOWEDIP_IPADDR] ||
	    !tb[IDTUN_A_ALLOWEDIP_CIDR_MASK]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IDTUN_A_PEER_ALLOWED_IPS: an entry needs IDTUN_A_ALLOWEDIP_FAMILY, _IPADDR and _CIDR_MASK");
		return -EINVAL;
	}
	switch (nla_get_u16(tb[IDTUN_A_ALLOWEDIP_FAMILY])) {
	case AF_INET:
		len = 4;
		break;
	case AF_INET6:
		len = 16;
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, tb[IDTUN_A_ALLOWEDIP_FAMILY],
				    "IDTUN_A_ALLOWEDIP_FAMILY: not AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (nla_len(tb[IDTUN_A_ALLOWEDIP_IPADDR]) != len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDTUN_A_ALLOWEDIP_IPADDR],
				    "IDTUN_A_ALLOWEDIP_IPADDR: length does not match IDTUN_A_ALLOWEDIP_FAMILY");
		return -EINVAL;
	}
	bits = len * 8;
	if (nla_get_u8(tb[IDTUN_A_ALLOWEDIP_CIDR_MASK]) > bits) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDTUN_A_ALLOWEDIP_CIDR_MASK],
				    "IDTUN_A_ALLOWEDIP_CIDR_MASK: longer than the address");
		return -EINVAL;
	}
	return 0;
}

static int idtun_nl_check_peer(struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IDTUN_A_PEER_MAX + 1], *attr;
	int ret, rem;

	ret = nla_parse_nested(tb, IDTUN_A_PEER_MAX, nest, idtun_peer_nl_policy,
			       extack);
	if (ret)
		return ret;
	if (!tb[IDTUN_A_PEER_PUBLIC_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IDTUN_A_PEER_PUBLIC_KEY: required for every peer");
		return -EINVAL;
	}
	attr = tb[IDTUN_A_PEER_ENDPOINT];
	if (attr) {
		const struct sockaddr *sa = nla_data(attr);

		if (!((sa->sa_family == AF_INET &&
		       nla_len(attr) == sizeof(struct sockaddr_in)) ||
		      (sa->sa_family == AF_INET6 &&
		       nla_len(attr) == sizeof(struct sockaddr_in6)))) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_PEER_ENDPOINT: not a sockaddr_in or sockaddr_in6");
			return -EINVAL;
		}
	}
	attr = tb[IDTUN_A_PEER_LAST_HANDSHAKE_TIME] ?: tb[IDTUN_A_PEER_RX_BYTES] ?:
	       tb[IDTUN_A_PEER_TX_BYTES];
	if (attr) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "IDTUN_A_PEER_LAST_HANDSHAKE_TIME, _RX_BYTES and _TX_BYTES are read-only");
		return -EINVAL;
	}
	if (tb[IDTUN_A_PEER_ALLOWED_IPS]) {
		nla_for_each_nested(attr, tb[IDTUN_A_PEER_ALLOWED_IPS], rem) {
			ret = idtun_nl_check_allowedip(attr, extack);
			if (ret)
				return ret;
		}
	}
	return idtun_nl_check_peer_identity(tb, extack);
}

static int idtun_nl_check(struct genl_info *info)
{
	struct nlattr *attr;
	int ret, rem;

	ret = idtun_nl_check_identity(info);
	if (ret || !info->attrs[IDTUN_A_DEVICE_PEERS])
		return ret;
	nla_for_each_nested(attr, info->attrs[IDTUN_A_DEVICE_PEERS], rem) {
		ret = idtun_nl_check_peer(attr, info->extack);
		if (ret)
			return ret;
	}
	return 0;
}

static void idtun_nl_set_private_key(struct idtun_device *idt,
				     const u8 key[IDTUN_KEY_SIZE])
{
	static const u8 zero[IDTUN_KEY_SIZE];
	u8 private[IDTUN_KEY_SIZE], public[IDTUN_KEY_SIZE];
	bool has = memcmp(key, zero, IDTUN_KEY_SIZE) != 0;
	struct idtun_peer *peer, *tmp;

	memcpy(private, key, IDTUN_KEY_SIZE);
	curve25519_clamp_secret(private);
	if (has && idt->has_identity &&
	    !memcmp(private, idt->static_private, IDTUN_KEY_SIZE))
		goto out;
	if (has && !curve25519_generate_public(public, private))
		has = false;
	/* A peer with our own public key would be ourselves: it goes. */
	if (has) {
		peer = idtun_peer_table_find(idt->peer_table, public);
		if (peer) {
			idtun_peer_remove(peer);
			idtun_peer_put(peer);
		}
	}

	down_write(&idt->static_identity_lock);
	idt->has_identity = has;
	memcpy(idt->static_private, has ? private : zero, IDTUN_KEY_SIZE);
	memcpy(idt->static_public, has ? public : zero, IDTUN_KEY_SIZE);
	idtun_cookie_checker_set_key(&idt->cookie_checker,
				     has ? public : NULL);
	list_for_each_entry_safe(peer, tmp, &idt->peer_list, peer_list) {
		idtun_handshake_set_static(&peer->handshake,
					   has ? private : NULL);
		idtun_peer_expire_keys(peer);
	}
	up_write(&idt->static_identity_lock);
out:
	memzero_explicit(private, sizeof(private));
}

static int idtun_nl_set_allowedip(struct idtun_device *idt,
				  struct idtun_peer *peer, struct nlattr *nest)
{
	struct nlattr *tb[IDTUN_A_ALLOWEDIP_MAX + 1];
	int family, ret;
	u32 flags = 0;
	u8 cidr;

	/* Checked by idtun_nl_check_allowedip(). */
	ret = nla_parse_nested(tb, IDTUN_A_ALLOWEDIP_MAX, nest,
			       idtun_allowedip_nl_policy, NULL);
	if (ret)
		return ret;
	family = nla_get_u16(tb[IDTUN_A_ALLOWEDIP_FAMILY]);
	cidr = nla_get_u8(tb[IDTUN_A_ALLOWEDIP_CIDR_MASK]);
	if (tb[IDTUN_A_ALLOWEDIP_FLAGS])
		flags = nla_get_u32(tb[IDTUN_A_ALLOWEDIP_FLAGS]);
	if (flags & IDTUN_ALLOWEDIP_FLAGS_REMOVE_ME) {
		ret = idtun_aip_remove(&idt->allowedips, family,
				       nla_data(tb[IDTUN_A_ALLOWEDIP_IPADDR]),
				       cidr, peer, &idt->update_lock);
		/* Removing what is not there is no error, as in wg. */
		return ret == -ENOENT ? 0 : ret;
	}
	return idtun_aip_insert(&idt->allowedips, family,
				nla_data(tb[IDTUN_A_ALLOWEDIP_IPADDR]), cidr,
				peer, &idt->update_lock);
}

static int idtun_nl_set_peer(struct idtun_device *idt, struct nlattr *nest,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IDTUN_A_PEER_MAX + 1], *attr;
	struct idtun_endpoint ep = { };
	struct idtun_peer *peer;
	const u8 *public_key;
	u32 flags = 0;
	int ret, rem;

	ret = nla_parse_nested(tb, IDTUN_A_PEER_MAX, nest, idtun_peer_nl_policy,
			       extack);
	if (ret)
		return ret;
	public_key = nla_data(tb[IDTUN_A_PEER_PUBLIC_KEY]);
	if (tb[IDTUN_A_PEER_FLAGS])
		flags = nla_get_u32(tb[IDTUN_A_PEER_FLAGS]);

	/* Our own key names no peer; wg ignores it the same way. */
	if (idt->has_identity &&
	    !memcmp(public_key, idt->static_public, IDTUN_KEY_SIZE))
		return 0;
	peer = idtun_peer_table_find(idt->peer_table, public_key);
	if (!peer) {
		if (flags & (IDTUN_PEER_FLAGS_REMOVE_ME |
			     IDTUN_PEER_FLAGS_UPDATE_ONLY))
			return 0;
		peer = idtun_peer_create(idt, public_key, NULL);
		if (PTR_ERR(peer) == -ENOSPC) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IDTUN_A_PEER_PUBLIC_KEY],
					    "IDTUN_A_PEER_PUBLIC_KEY: too many peers");
			return -ENOSPC;
		}
		if (IS_ERR(peer))
			return PTR_ERR(peer);
		idtun_peer_get(peer);
	}
	if (flags & IDTUN_PEER_FLAGS_REMOVE_ME) {
		idtun_peer_remove(peer);
		goto out;
	}

	attr = tb[IDTUN_A_PEER_PRESHARED_KEY];
	if (attr) {
		down_write(&peer->handshake.lock);
		memcpy(peer->handshake.preshared_key, nla_data(attr),
		       IDTUN_KEY_SIZE);
		up_write(&peer->handshake.lock);
	}
	attr = tb[IDTUN_A_PEER_ENDPOINT];
	if (attr) {
		/* Its length was checked against its family. */
		if (nla_len(attr) == sizeof(ep.addr6))
			memcpy(&ep.addr6, nla_data(attr), sizeof(ep.addr6));
		else
			memcpy(&ep.addr4, nla_data(attr), sizeof(ep.addr4));
		idtun_peer_set_endpoint(peer, &ep);
	}
	if (flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS)
		idtun_aip_remove_peer(&idt->allowedips, peer, &idt->update_lock);
	if (tb[IDTUN_A_PEER_ALLOWED_IPS]) {
		nla_for_each_nested(attr, tb[IDTUN_A_PEER_ALLOWED_IPS], rem) {
			ret = idtun_nl_set_allowedip(idt, peer, attr);
			if (ret) {
				NL_SET_ERR_MSG_ATTR(extack, attr,
						    "IDTUN_A_PEER_ALLOWED_IPS: cannot add the entry");
				goto out;
			}
		}
	}
	ret = idtun_nl_set_peer_identity(peer, tb, flags, extack);
	if (ret)
		goto out;
	attr = tb[IDTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL];
	if (attr) {
		u16 old = peer->persistent_keepalive_interval;

		WRITE_ONCE(peer->persistent_keepalive_interval,
			   nla_get_u16(attr));
		if (!old && peer->persistent_keepalive_interval &&
		    netif_running(idt->dev))
			idtun_send_keepalive(peer);
	}
	if (netif_running(idt->dev))
		idtun_send_staged(peer);
out:
	idtun_peer_put(peer);
	return ret;
}

static int idtun_nl_set_port(struct idtun_device *idt, struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	u16 port = nla_get_u16(attr);
	int ret;

	if (!netif_running(idt->dev)) {
		idt->listen_port = port;
		return 0;
	}
	if (port && port == idt->listen_port)
		return 0;
	ret = idtun_socket_init(idt, port);
	if (ret == -EADDRINUSE)
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "IDTUN_A_DEVICE_LISTEN_PORT: port in use");
	else if (ret)
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "IDTUN_A_DEVICE_LISTEN_PORT: cannot open the sockets");
	return ret;
}

int idtun_nl_set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct idtun_device *idt;
	struct idtun_peer *peer;
	struct nlattr *attr;
	int ret, rem;

	idt = idtun_nl_lookup(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(idt))
		return PTR_ERR(idt);
	ret = idtun_nl_check(info);
	if (ret)
		goto out_put;

	rtnl_lock();
	mutex_lock(&idt->update_lock);
	idt->generation++;
	/* The one change that can fail for reasons outside us goes first. */
	if (attrs[IDTUN_A_DEVICE_LISTEN_PORT]) {
		ret = idtun_nl_set_port(idt, attrs[IDTUN_A_DEVICE_LISTEN_PORT],
					info->extack);
		if (ret)
			goto out_unlock;
	}
	if (attrs[IDTUN_A_DEVICE_FWMARK]) {
		idt->fwmark = nla_get_u32(attrs[IDTUN_A_DEVICE_FWMARK]);
		list_for_each_entry(peer, &idt->peer_list, peer_list)
			idtun_peer_clear_src(peer);
	}
	if (attrs[IDTUN_A_DEVICE_FLAGS] &&
	    (nla_get_u32(attrs[IDTUN_A_DEVICE_FLAGS]) &
	     IDTUN_DEVICE_FLAGS_REPLACE_PEERS))
		idtun_peer_remove_all(idt);
	if (attrs[IDTUN_A_DEVICE_PRIVATE_KEY])
		idtun_nl_set_private_key(idt,
					 nla_data(attrs[IDTUN_A_DEVICE_PRIVATE_KEY]));
	/* Bindings and rules before peers: no packet goes out unjudged. */
	ret = idtun_nl_set_identity(idt, info);
	if (ret)
		goto out_unlock;
	if (attrs[IDTUN_A_DEVICE_PEERS]) {
		nla_for_each_nested(attr, attrs[IDTUN_A_DEVICE_PEERS], rem) {
			ret = idtun_nl_set_peer(idt, attr, info->extack);
			if (ret)
				break;
		}
	}
out_unlock:
	mutex_unlock(&idt->update_lock);
	rtnl_unlock();
out_put:
	dev_put(idt->dev);
	return ret;
}

#ifdef IDTUN_MCAST_BIND_CHECKS_CAP
/* Joining the audit group needs CAP_NET_ADMIN in the namespace. */
static int idtun_nl_mcast_bind(struct net *net, int group)
{
	return ns_capable(net->user_ns, CAP_NET_ADMIN) ? 0 : -EPERM;
}
#endif

static struct genl_family idtun_genl_family __ro_after_init = {
	.name		= IDTUN_FAMILY_NAME,
	.version	= IDTUN_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= true,
	.ops		= idtun_nl_ops,
	.n_ops		= ARRAY_SIZE(idtun_nl_ops),
	.mcgrps		= idtun_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(idtun_nl_mcgrps),
#ifdef IDTUN_MCAST_BIND_CHECKS_CAP
	.mcast_bind	= idtun_nl_mcast_bind,
#endif
	IDTUN_GENL_RESV_START_OP(IDTUN_CMD_MAX + 1)
};

struct genl_family *idtun_nl_family(void)
{
	return &idtun_genl_family;
}

bool idtun_nl_audit_listeners(struct net *net)
{
	return genl_has_listeners(&idtun_genl_family, net, IDTUN_NLGRP_AUDIT);
}

void *idtun_nl_event_put(struct sk_buff *skb)
{
	return genlmsg_put(skb, 0, 0, &idtun_genl_family, 0, IDTUN_CMD_AUDIT);
}

void idtun_nl_audit_send(struct net *net, struct sk_buff *skb)
{
	genlmsg_multicast_netns(&idtun_genl_family, net, skb, 0,
				IDTUN_NLGRP_AUDIT, GFP_ATOMIC);
}

int __init idtun_genl_init(void)
{
	return genl_register_family(&idtun_genl_family);
}

void idtun_genl_uninit(void)
{
	genl_unregister_family(&idtun_genl_family);
}
