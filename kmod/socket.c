// SPDX-License-Identifier: GPL-2.0
/*
 * UDP sockets and endpoints. A device has an IPv4 and, where the kernel
 * has IPv6, an IPv6 socket on the same port, created in the namespace the
 * device was created in while the device is up. Routes to a peer are
 * cached per peer (dst_cache), with the source address they chose, and
 * dropped whenever the endpoint changes.
 */

#include "device.h"
#include "peer.h"
#include "socket.h"

#include <linux/if.h>
#include <linux/inetdevice.h>
#include <net/addrconf.h>
#include <net/inet_common.h>
#include <net/ip6_route.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/ipv6_stubs.h>
#include <net/route.h>
#include <net/udp_tunnel.h>

/* What every outer packet carries whatever its family. */
static void idtun_outer_prepare(struct idtun_device *idt, struct sk_buff *skb)
{
	skb_mark_not_on_list(skb);
	skb->dev = idt->dev;
	skb->mark = idt->fwmark;
}

static int send4(struct idtun_device *idt, struct sk_buff *skb,
		 struct idtun_endpoint *ep, u8 ds, struct dst_cache *cache)
{
	struct flowi4 fl = {
		.saddr = ep->src4.s_addr,
		.daddr = ep->addr4.sin_addr.s_addr,
		.fl4_dport = ep->addr4.sin_port,
		.flowi4_mark = idt->fwmark,
		.flowi4_proto = IPPROTO_UDP,
	};
	struct rtable *rt = NULL;
	struct sock *sock;
	int ret = 0;

	idtun_outer_prepare(idt, skb);
	rcu_read_lock_bh();
	sock = rcu_dereference_bh(idt->sock4);
	if (unlikely(!sock)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl4_sport = inet_sk(sock)->inet_sport;
	rt = cache ? dst_cache_get_ip4(cache, &fl.saddr) : NULL;
	if (!rt) {
		/* A source that left the host is forgotten, not insisted on. */
		if (fl.saddr && !inet_confirm_addr(sock_net(sock), NULL, 0,
						   fl.saddr, RT_SCOPE_HOST)) {
			ep->src4.s_addr = 0;
			ep->src_if4 = 0;
			fl.saddr = 0;
			if (cache)
				dst_cache_reset(cache);
		}
		rt = ip_route_output_flow(sock_net(sock), &fl, sock);
		if (PTR_ERR_OR_ZERO(rt) == -EINVAL && fl.saddr) {
			ep->src4.s_addr = 0;
			ep->src_if4 = 0;
			fl.saddr = 0;
			if (cache)
				dst_cache_reset(cache);
			rt = ip_route_output_flow(sock_net(sock), &fl, sock);
		}
		if (IS_ERR(rt)) {
			ret = PTR_ERR(rt);
			net_dbg_ratelimited("%s: no route to %pISpfsc: %d\n",
					    idt->dev->name, &ep->addr, ret);
			goto err;
		}
		if (unlikely(rt->dst.dev == skb->dev)) {
			ip_rt_put(rt);
			ret = -ELOOP;
			net_dbg_ratelimited("%s: route to %pISpfsc loops through the device\n",
					    idt->dev->name, &ep->addr);
			goto err;
		}
		if (cache)
			dst_cache_set_ip4(cache, &rt->dst, fl.saddr);
	}
	skb->ignore_df = 1;
	udp_tunnel_xmit_skb(rt, sock, skb, fl.saddr, fl.daddr, ds,
			    ip4_dst_hoplimit(&rt->dst), 0, fl.fl4_sport,
			    fl.fl4_dport, false, false);
	goto out;

err:
	kfree_skb(skb);
out:
	rcu_read_unlock_bh();
	return ret;
}

static int send6(struct idtun_device *idt, struct sk_buff *skb,
		 struct idtun_endpoint *ep, u8 ds, struct dst_cache *cache)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct flowi6 fl = {
		.saddr = ep->src6,
		.daddr = ep->addr6.sin6_addr,
		.fl6_dport = ep->addr6.sin6_port,
		.flowi6_mark = idt->fwmark,
		.flowi6_oif = ep->addr6.sin6_scope_id,
		.flowi6_proto = IPPROTO_UDP,
	};
	struct dst_entry *dst = NULL;
	struct sock *sock;
	int ret = 0;

	idtun_outer_prepare(idt, skb);
	rcu_read_lock_bh();
	sock = rcu_dereference_bh(idt->sock6);
	if (unlikely(!sock)) {
		ret = -ENONET;
		goto err;
	}
	fl.fl6_sport = inet_sk(sock)->inet_sport;
	dst = cache ? dst_cache_get_ip6(cache, &fl.saddr) : NULL;
	if (!dst) {
		if (!ipv6_addr_any(&fl.saddr) &&
		    !ipv6_chk_addr(sock_net(sock), &fl.saddr, NULL, 0)) {
			ep->src6 = fl.saddr = in6addr_any;
			if (cache)
				dst_cache_reset(cache);
		}
		dst = ipv6_stub->ipv6_dst_lookup_flow(sock_net(sock), sock, &fl,
						      NULL);
		if (IS_ERR(dst)) {
			ret = PTR_ERR(dst);
			net_dbg_ratelimited("%s: no route to %pISpfsc: %d\n",
					    idt->dev->name, &ep->addr, ret);
			goto err;
		}
		if (unlikely(dst->dev == skb->dev)) {
			dst_release(dst);
			ret = -ELOOP;
			goto err;
		}
		if (cache)
			dst_cache_set_ip6(cache, dst, &fl.saddr);
	}
	skb->ignore_df = 1;
	udp_tunnel6_xmit_skb(dst, sock, skb, skb->dev, &fl.saddr, &fl.daddr, ds,
			     ip6_dst_hoplimit(dst), 0, fl.fl6_sport,
			     fl.fl6_dport, false);
	goto out;

err:
	kfree_skb(skb);
out:
	rcu_read_unlock_bh();
	return ret;
#else
	kfree_skb(skb);
	return -EAFNOSUPPORT;
#endif
}

/* Sends a whole message to the peer's endpoint; counts it on success. */
int idtun_socket_send_skb_to_peer(struct idtun_peer *peer, struct sk_buff *skb,
				  u8 ds)
{
	unsigned int len = skb->len;
	int ret = -EDESTADDRREQ;

	read_lock_bh(&peer->endpoint_lock);
	if (peer->endpoint.addr.sa_family == AF_INET)
		ret = send4(peer->device, skb, &peer->endpoint, ds,
			    &peer->endpoint_cache);
	else if (peer->endpoint.addr.sa_family == AF_INET6)
		ret = send6(peer->device, skb, &peer->endpoint, ds,
			    &peer->endpoint_cache);
	else
		kfree_skb(skb);
	read_unlock_bh(&peer->endpoint_lock);
	/* The device's counters are the tunnel xmit helpers' business. */
	if (likely(!ret))
		atomic64_add(len, &peer->tx_bytes);
	return ret;
}

/* Room in front of a message for the outer IP and UDP headers. */
#define IDTUN_OUTER_HEADROOM \
	(sizeof(struct ipv6hdr) + sizeof(struct udphdr) + NET_SKB_PAD)

static struct sk_buff *idtun_buffer_skb(const void *buf, size_t len)
{
	struct sk_buff *skb = alloc_skb(IDTUN_OUTER_HEADROOM + len, GFP_ATOMIC);

	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, IDTUN_OUTER_HEADROOM);
	skb_set_inner_network_header(skb, 0);
	skb_put_data(skb, buf, len);
	return skb;
}

/* Handshake messages and cookie replies are not on the hot path. */
int idtun_socket_send_buffer_to_peer(struct idtun_peer *peer, const void *buf,
				     size_t len, u8 ds)
{
	struct sk_buff *skb = idtun_buffer_skb(buf, len);

	if (unlikely(!skb))
		return -ENOMEM;
	return idtun_socket_send_skb_to_peer(peer, skb, ds);
}

/* Answers the sender of in_skb, from the address it wrote to. */
int idtun_socket_send_buffer_as_reply(struct idtun_device *idt,
				      struct sk_buff *in_skb, const void *buf,
				      size_t len)
{
	struct idtun_endpoint ep;
	struct sk_buff *skb;
	int ret;

	ret = idtun_endpoint_from_skb(&ep, in_skb);
	if (unlikely(ret < 0))
		return ret;
	skb = idtun_buffer_skb(buf, len);
	if (unlikely(!skb))
		return -ENOMEM;
	/* No cache: the route is to a stranger, used once. */
	if (ep.addr.sa_family == AF_INET)
		return send4(idt, skb, &ep, 0, NULL);
	return send6(idt, skb, &ep, 0, NULL);
}

int idtun_endpoint_from_skb(struct idtun_endpoint *ep,
			    const struct sk_buff *skb)
{
	memset(ep, 0, sizeof(*ep));
	if (skb->protocol == htons(ETH_P_IP) && ip_hdr(skb)->version == 4) {
		ep->addr4.sin_family = AF_INET;
		ep->addr4.sin_port = udp_hdr(skb)->source;
		ep->addr4.sin_addr.s_addr = ip_hdr(skb)->saddr;
		ep->src4.s_addr = ip_hdr(skb)->daddr;
		ep->src_if4 = skb->skb_iif;
		return 0;
	}
	if (skb->protocol == htons(ETH_P_IPV6) && ipv6_hdr(skb)->version == 6) {
		ep->addr6.sin6_family = AF_INET6;
		ep->addr6.sin6_port = udp_hdr(skb)->source;
		ep->addr6.sin6_addr = ipv6_hdr(skb)->saddr;
		ep->addr6.sin6_scope_id =
			ipv6_iface_scope_id(&ipv6_hdr(skb)->saddr,
					    skb->skb_iif);
		ep->src6 = ipv6_hdr(skb)->daddr;
		return 0;
	}
	return -EINVAL;
}

static bool idtun_endpoint_eq(const struct idtun_endpoint *a,
			      const struct idtun_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr &&
		       a->src4.s_addr == b->src4.s_addr &&
		       a->src_if4 == b->src_if4;
	return a->addr6.sin6_port == b->addr6.sin6_port &&
	       ipv6_addr_equal(&a->addr6.sin6_addr, &b->addr6.sin6_addr) &&
	       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id &&
	       ipv6_addr_equal(&a->src6, &b->src6);
}

/* Roaming: an authenticated message came from here, so the peer is here. */
void idtun_socket_set_peer_endpoint_from_skb(struct idtun_peer *peer,
					     const struct sk_buff *skb)
{
	struct idtun_endpoint ep;
	bool same;

	if (idtun_endpoint_from_skb(&ep, skb))
		return;
	read_lock_bh(&peer->endpoint_lock);
	same = idtun_endpoint_eq(&ep, &peer->endpoint);
	read_unlock_bh(&peer->endpoint_lock);
	if (likely(same))
		return;
	idtun_peer_set_endpoint(peer, &ep);
}

static void idtun_sock_release(struct sock *sk)
{
	if (sk)
		udp_tunnel_sock_release(sk->sk_socket);
}

static int idtun_sock_open(struct idtun_device *idt, struct net *net,
			   int family, u16 port, struct sock **out)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = idt,
		.encap_type = 1,
		.encap_rcv = idtun_receive,
	};
	struct udp_port_cfg cfg = {
		.family = family,
		.local_udp_port = htons(port),
	};
	struct socket *sock;
	int ret;

	if (family == AF_INET6) {
		cfg.local_ip6 = in6addr_any;
		cfg.ipv6_v6only = true;
		cfg.use_udp6_rx_checksums = true;
		cfg.use_udp6_tx_checksums = true;
	}
	ret = udp_sock_create(net, &cfg, &sock);
	if (ret < 0)
		return ret;
	sock->sk->sk_allocation = GFP_ATOMIC;
	sock->sk->sk_sndbuf = INT_MAX;
	setup_udp_tunnel_sock(net, sock, &tcfg);
	*out = sock->sk;
	return 0;
}

/*
 * Opens the sockets on port (0: a random port free for both families) and
 * replaces the old ones. Called under the RTNL and the update lock.
 */
int idtun_socket_init(struct idtun_device *idt, u16 port)
{
	struct net *net = idt->creating_net;
	struct sock *sk4 = NULL, *sk6 = NULL;
	int ret, tries = port ? 1 : 100;

	if (!net)
		return -ENONET;
	do {
		ret = idtun_sock_open(idt, net, AF_INET, port, &sk4);
		if (ret < 0)
			return ret;
		if (!IS_ENABLED(CONFIG_IPV6) || !ipv6_mod_enabled())
			break;
		ret = idtun_sock_open(idt, net, AF_INET6,
				      ntohs(inet_sk(sk4)->inet_sport), &sk6);
		if (ret == -EADDRINUSE && !port && --tries) {
			idtun_sock_release(sk4);
			sk4 = NULL;
			continue;
		}
		if (ret < 0 && ret != -EAFNOSUPPORT) {
			idtun_sock_release(sk4);
			return ret;
		}
		break;
	} while (1);

	idtun_socket_uninit(idt);
	rcu_assign_pointer(idt->sock4, sk4);
	rcu_assign_pointer(idt->sock6, sk6);
	idt->listen_port = ntohs(inet_sk(sk4)->inet_sport);
	return 0;
}

/* Closes the sockets; no sender or receiver uses them afterwards. */
void idtun_socket_uninit(struct idtun_device *idt)
{
	struct sock *sk4 = rtnl_dereference(idt->sock4);
	struct sock *sk6 = rtnl_dereference(idt->sock6);

	RCU_INIT_POINTER(idt->sock4, NULL);
	RCU_INIT_POINTER(idt->sock6, NULL);
	synchronize_net();
	idtun_sock_release(sk4);
	idtun_sock_release(sk6);
}
