// SPDX-License-Identifier: GPL-2.0
/*
 * The transmit path. A packet finds its peer by its destination in the
 * allowed-IPs trie, is segmented if it is GSO, and joins the peer's staged
 * queue; the queue is then drained through the current session: each
 * packet gets the next counter, is padded, encrypted in place and handed
 * to the UDP socket, all on the sending CPU with bottom halves disabled.
 * Without a usable session the packets wait and a handshake starts.
 */

#include "compat.h"
#include "device.h"
#include "label.h"
#include "peer.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

#include <net/dst_metadata.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>

/* Room in front of a plaintext for the data header and outer headers. */
#define IDTUN_DATA_HEADROOM ALIGN(sizeof(struct idtun_msg_data) + \
				  sizeof(struct ipv6hdr) + \
				  sizeof(struct udphdr) + NET_SKB_PAD, 4)

void idtun_transmit_handshake_work(struct work_struct *work)
{
	struct idtun_peer *peer = container_of(work, struct idtun_peer,
					       transmit_handshake_work);
	struct idtun_msg_initiation msg;

	if (!idtun_birthdate_expired(atomic64_read(&peer->last_sent_handshake),
				     IDTUN_REKEY_TIMEOUT))
		return;
	atomic64_set(&peer->last_sent_handshake, ktime_get_coarse_boottime_ns());
	if (!idtun_noise_create_initiation(&msg, &peer->handshake))
		goto out;
	idtun_cookie_add_macs(&msg, sizeof(msg), &peer->cookie);
	idtun_timers_any_authenticated_packet_traversal(peer);
	idtun_timers_any_authenticated_packet_sent(peer);
	idtun_socket_send_buffer_to_peer(peer, &msg, sizeof(msg),
					 IDTUN_HANDSHAKE_DS);
	idtun_timers_handshake_initiated(peer);
out:
	memzero_explicit(&msg, sizeof(msg));
}

/*
 * Starts a handshake from process context, at most one per REKEY_TIMEOUT;
 * the retransmit timer repeats it (is_retry) until one completes.
 */
void idtun_send_handshake_initiation(struct idtun_peer *peer, bool is_retry)
{
	if (!is_retry)
		peer->timer_handshake_attempts = 0;
	rcu_read_lock_bh();
	if (idtun_birthdate_expired(atomic64_read(&peer->last_sent_handshake),
				    IDTUN_REKEY_TIMEOUT) &&
	    !READ_ONCE(peer->is_dead))
		queue_work(idtun_wq, &peer->transmit_handshake_work);
	rcu_read_unlock_bh();
}

/* Called by the handshake worker after consuming an initiation. */
void idtun_send_handshake_response(struct idtun_peer *peer)
{
	struct idtun_msg_response msg;

	atomic64_set(&peer->last_sent_handshake, ktime_get_coarse_boottime_ns());
	if (!idtun_noise_create_response(&msg, &peer->handshake))
		goto out;
	idtun_cookie_add_macs(&msg, sizeof(msg), &peer->cookie);
	if (!idtun_noise_begin_session(&peer->handshake))
		goto out;
	idtun_timers_session_derived(peer);
	idtun_timers_any_authenticated_packet_traversal(peer);
	idtun_timers_any_authenticated_packet_sent(peer);
	idtun_socket_send_buffer_to_peer(peer, &msg, sizeof(msg),
					 IDTUN_HANDSHAKE_DS);
out:
	memzero_explicit(&msg, sizeof(msg));
}

void idtun_send_cookie_reply(struct idtun_device *idt, struct sk_buff *skb,
			     __le32 sender_index)
{
	struct idtun_msg_cookie reply;

	net_dbg_ratelimited("%s: under load, answering with a cookie\n", idt->dev->name);
	idtun_cookie_make_reply(&reply, idt, skb, sender_index);
	idtun_socket_send_buffer_as_reply(idt, skb, &reply, sizeof(reply));
}

/* Encrypts one packet with counter and sends it; consumes skb. */
static void idtun_send_one(struct idtun_peer *peer, struct idtun_keypair *kp,
			   struct sk_buff *skb, u64 counter)
{
	struct net_device *dev = peer->device->dev;
	unsigned int len = skb->len, mtu = IDTUN_SKB_CB(skb)->mtu, padding;
	u32 identity = IDTUN_SKB_CB(skb)->identity;
	struct idtun_msg_data *hdr;
	bool keepalive = !len;
	bool label = !keepalive && READ_ONCE(peer->labels);
	u8 ds = 0;

	if (!keepalive)
		ds = ip_tunnel_ecn_encap(0, ip_hdr(skb), skb);
	padding = label ? idtun_label_padding(len, mtu) :
			  idtun_padded_len(len, mtu) - len;
	if (unlikely(label && !identity)) {
		/* Labels were turned on after the packet was staged. */
		idtun_count_drop(peer->device, IDTUN_DROP_NO_IDENTITY);
		DEV_STATS_INC(dev, tx_dropped);
		kfree_skb(skb);
		return;
	}
	if (unlikely(skb->ip_summed == CHECKSUM_PARTIAL &&
		     skb_checksum_help(skb)))
		goto drop;
	if (unlikely(skb_cow_head(skb, IDTUN_DATA_HEADROOM + IDTUN_LABEL_LEN)))
		goto drop;
	if (label)
		idtun_label_push(skb, identity);
	if (unlikely(!idtun_encrypt_skb(skb, kp->send, counter, padding)))
		goto drop;
	hdr = skb_push(skb, sizeof(*hdr));
	hdr->header.type = cpu_to_le32(IDTUN_MSG_DATA);
	hdr->receiver_index = kp->remote_index;
	hdr->counter = cpu_to_le64(counter);
	skb->ip_summed = CHECKSUM_NONE;
	skb_set_inner_network_header(skb, 0);

	if (unlikely(idtun_socket_send_skb_to_peer(peer, skb, ds))) {
		DEV_STATS_INC(dev, tx_errors);
		return;
	}
	idtun_timers_any_authenticated_packet_traversal(peer);
	idtun_timers_any_authenticated_packet_sent(peer);
	if (!keepalive)
		idtun_timers_data_sent(peer);
	return;

drop:
	DEV_STATS_INC(dev, tx_errors);
	kfree_skb(skb);
}

/*
 * Adds list to the staged packets, behind them or (packets that were
 * already staged) in front, dropping the oldest beyond the bound.
 */
static void idtun_stage(struct idtun_peer *peer, struct sk_buff_head *list,
			bool front)
{
	struct net_device *dev = peer->device->dev;

	spin_lock_bh(&peer->staged.lock);
	if (front)
		skb_queue_splice(list, &peer->staged);
	else
		skb_queue_splice_tail(list, &peer->staged);
	while (skb_queue_len(&peer->staged) > IDTUN_MAX_STAGED_PACKETS) {
		kfree_skb(__skb_dequeue(&peer->staged));
		DEV_STATS_INC(dev, tx_dropped);
	}
	spin_unlock_bh(&peer->staged.lock);
}

/* The initiator rekeys a session that is old or has sent a lot. */
static void idtun_keep_key_fresh(struct idtun_peer *peer,
				 struct idtun_keypair *kp, u64 counter)
{
	if (kp->i_am_initiator &&
	    (counter >= IDTUN_REKEY_AFTER_MESSAGES ||
	     idtun_birthdate_expired(kp->birthdate, IDTUN_REKEY_AFTER_TIME)))
		idtun_send_handshake_initiation(peer, false);
}

void idtun_send_staged(struct idtun_peer *peer)
{
	struct idtun_keypair *kp;
	struct sk_buff_head list;
	struct sk_buff *skb;
	u64 counter = 0;

	__skb_queue_head_init(&list);
	spin_lock_bh(&peer->staged.lock);
	skb_queue_splice_init(&peer->staged, &list);
	spin_unlock_bh(&peer->staged.lock);
	if (skb_queue_empty(&list))
		return;

	rcu_read_lock_bh();
	kp = rcu_dereference_bh(peer->keypairs.current_keypair);
	if (unlikely(!kp || !READ_ONCE(kp->sending_valid) ||
		     idtun_birthdate_expired(kp->birthdate,
					     IDTUN_REJECT_AFTER_TIME)))
		goto no_session;
	while ((skb = __skb_dequeue(&list))) {
		counter = atomic64_inc_return(&kp->send_counter) - 1;
		if (unlikely(counter >= IDTUN_REJECT_AFTER_MESSAGES)) {
			WRITE_ONCE(kp->sending_valid, false);
			__skb_queue_head(&list, skb);
			goto no_session;
		}
		idtun_send_one(peer, kp, skb, counter);
	}
	idtun_keep_key_fresh(peer, kp, counter);
	rcu_read_unlock_bh();
	return;

no_session:
	rcu_read_unlock_bh();
	idtun_stage(peer, &list, true);
	idtun_send_handshake_initiation(peer, false);
}

/* An empty transport message, which proves we are alive. */
void idtun_send_keepalive(struct idtun_peer *peer)
{
	struct sk_buff *skb;

	if (skb_queue_empty_lockless(&peer->staged)) {
		skb = alloc_skb(IDTUN_DATA_HEADROOM + IDTUN_TAG_SIZE,
				GFP_ATOMIC);
		if (unlikely(!skb))
			return;
		skb_reserve(skb, IDTUN_DATA_HEADROOM);
		skb->dev = peer->device->dev;
		IDTUN_SKB_CB(skb)->mtu = 0;
		IDTUN_SKB_CB(skb)->identity = 0;
		skb_queue_tail(&peer->staged, skb);
	}
	idtun_send_staged(peer);
}

static struct idtun_peer *idtun_route(struct idtun_device *idt,
				      struct sk_buff *skb)
{
	struct idtun_peer *peer = NULL;

	rcu_read_lock_bh();
	if (skb->protocol == htons(ETH_P_IP))
		peer = idtun_aip_lookup(&idt->allowedips, AF_INET,
					&ip_hdr(skb)->daddr);
	else
		peer = idtun_aip_lookup(&idt->allowedips, AF_INET6,
					&ipv6_hdr(skb)->daddr);
	if (peer)
		peer = idtun_peer_get_maybe_zero(peer);
	rcu_read_unlock_bh();
	return peer;
}

/*
 * The packet's identity and the egress policy's verdict on it: false if it
 * is dropped (counted and audited; the caller frees it).
 */
static bool idtun_egress(struct idtun_device *idt, struct idtun_peer *peer,
			 struct sk_buff *skb, u32 *identity)
{
	unsigned int packets = skb_is_gso(skb) ?
			       max_t(u16, skb_shinfo(skb)->gso_segs, 1) : 1;
	struct idtun_audit_event ev = {
		.dir = IDTUN_DIRECTION_EGRESS,
		.peer = peer,
	};
	struct idtun_ident *ident;
	struct idtun_flow flow;
	bool pass;

	if (unlikely(!idtun_flow_parse(skb, &flow)))
		return false;
	ev.flow = &flow;
	rcu_read_lock_bh();
	ident = idtun_identity_of_skb(idt, skb);
	if (unlikely(!ident->id && READ_ONCE(peer->labels))) {
		/* A labelled peer is never sent an unidentified packet. */
		ev.reason = IDTUN_REASON_NO_IDENTITY;
		idtun_count_drop(idt, IDTUN_DROP_NO_IDENTITY);
	}
	pass = idtun_judge(idt, ident, packets, skb->len, &ev);
	rcu_read_unlock_bh();
	*identity = ev.identity;
	return pass;
}

static bool idtun_xmit_valid(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		return pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
		       ip_hdr(skb)->version == 4;
	if (skb->protocol == htons(ETH_P_IPV6))
		return pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		       ipv6_hdr(skb)->version == 6;
	return false;
}

netdev_tx_t idtun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct idtun_device *idt = netdev_priv(dev);
	struct sk_buff *segs, *next;
	struct sk_buff_head list;
	struct idtun_peer *peer;
	unsigned int mtu;
	u32 identity;

	if (unlikely(!idtun_xmit_valid(skb))) {
		DEV_STATS_INC(dev, tx_errors);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	peer = idtun_route(idt, skb);
	if (unlikely(!peer)) {
		net_dbg_ratelimited("%s: no peer for this destination\n", dev->name);
		goto err_unreachable;
	}
	if (unlikely(READ_ONCE(peer->endpoint.addr.sa_family) == AF_UNSPEC)) {
		net_dbg_ratelimited("%s: peer has no endpoint\n", dev->name);
		idtun_peer_put(peer);
		goto err_unreachable;
	}

	if (unlikely(!idtun_egress(idt, peer, skb, &identity))) {
		DEV_STATS_INC(dev, tx_dropped);
		idtun_peer_put(peer);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}

	mtu = skb_valid_dst(skb) ? dst_mtu(skb_dst(skb)) : dev->mtu;
	__skb_queue_head_init(&list);
	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs)) {
			DEV_STATS_INC(dev, tx_errors);
			idtun_peer_put(peer);
			kfree_skb(skb);
			return NETDEV_TX_OK;
		}
		consume_skb(skb);
		skb = segs;
	}
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (unlikely(!skb))
			continue;
		IDTUN_SKB_CB(skb)->mtu = mtu;
		IDTUN_SKB_CB(skb)->identity = identity;
		/* The route was ours; the outer packet gets its own. */
		skb_dst_drop(skb);
		__skb_queue_tail(&list, skb);
	}
	idtun_stage(peer, &list, false);
	idtun_send_staged(peer);
	idtun_peer_put(peer);
	return NETDEV_TX_OK;

err_unreachable:
	DEV_STATS_INC(dev, tx_errors);
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}
