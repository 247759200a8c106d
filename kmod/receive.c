// SPDX-License-Identifier: GPL-2.0
/*
 * The receive path. The sockets' encap_rcv hook sorts messages: handshake
 * messages and cookie replies are queued for the handshake worker (process
 * context, where Curve25519 may take its time and cookies are issued when
 * the queue is long); transport messages are decrypted at once, in the
 * softirq that received them, and the inner packet, once its source is
 * checked against the sending peer's allowed IPs, goes up through GRO.
 */

#include "compat.h"
#include "device.h"
#include "label.h"
#include "peer.h"
#include "receive.h"
#include "send.h"
#include "socket.h"
#include "timers.h"

#include <net/inet_ecn.h>
#include <net/ip_tunnels.h>
#include <net/ipv6.h>
#include <net/udp.h>

/* The message type of skb, its data now the UDP payload; 0 if malformed. */
static u32 idtun_prepare_skb(struct sk_buff *skb)
{
	size_t offset, len, need;
	struct udphdr *udp;
	u32 type;

	if (unlikely(skb_transport_header(skb) < skb->head ||
		     skb_transport_header(skb) + sizeof(*udp) >
		     skb_tail_pointer(skb)))
		return 0;
	udp = udp_hdr(skb);
	offset = (u8 *)udp + sizeof(*udp) - skb->data;
	len = ntohs(udp->len);
	if (unlikely(offset > skb->len || len < sizeof(*udp) ||
		     len - sizeof(*udp) > skb->len - offset))
		return 0;
	len -= sizeof(*udp);
	if (unlikely(pskb_trim(skb, offset + len) ||
		     !pskb_may_pull(skb, offset + sizeof(struct idtun_msg_header))))
		return 0;
	skb_pull(skb, offset);
	type = le32_to_cpu(((struct idtun_msg_header *)skb->data)->type);
	switch (type) {
	case IDTUN_MSG_INITIATION:
		need = sizeof(struct idtun_msg_initiation);
		break;
	case IDTUN_MSG_RESPONSE:
		need = sizeof(struct idtun_msg_response);
		break;
	case IDTUN_MSG_COOKIE:
		need = sizeof(struct idtun_msg_cookie);
		break;
	case IDTUN_MSG_DATA:
		if (unlikely(skb->len < IDTUN_MIN_DATA_LEN))
			return 0;
		return pskb_may_pull(skb, sizeof(struct idtun_msg_data)) ?
		       type : 0;
	default:
		return 0;
	}
	if (unlikely(skb->len != need || !pskb_may_pull(skb, need)))
		return 0;
	return type;
}

static void idtun_rx_stats(struct idtun_peer *peer, unsigned int len)
{
	atomic64_add(len, &peer->rx_bytes);
	dev_sw_netstats_rx_add(peer->device->dev, len);
}

/*
 * Under load if the queue is long now or was within the last second: a
 * flood must not get a breather each time the worker catches up.
 */
static bool idtun_under_load(struct idtun_device *idt)
{
	u64 now = ktime_get_coarse_boottime_ns();

	if (skb_queue_len(&idt->handshake_queue) >= IDTUN_UNDER_LOAD_HANDSHAKES) {
		WRITE_ONCE(idt->last_under_load, now);
		return true;
	}
	return idt->last_under_load &&
	       !idtun_birthdate_expired(READ_ONCE(idt->last_under_load), 1);
}

static void idtun_process_handshake(struct idtun_device *idt,
				    struct sk_buff *skb)
{
	u32 type = le32_to_cpu(((struct idtun_msg_header *)skb->data)->type);
	enum idtun_cookie_mac_state mac;
	struct idtun_peer *peer = NULL;
	bool under_load, needs_cookie;

	if (type == IDTUN_MSG_COOKIE) {
		idtun_cookie_consume_reply((struct idtun_msg_cookie *)skb->data,
					   idt);
		return;
	}
	under_load = idtun_under_load(idt);
	mac = idtun_cookie_validate(idt, skb, under_load);
	if ((under_load && mac == IDTUN_MAC_VALID_WITH_COOKIE) ||
	    (!under_load && mac == IDTUN_MAC_VALID_NO_COOKIE)) {
		needs_cookie = false;
	} else if (under_load && mac == IDTUN_MAC_VALID_NO_COOKIE) {
		needs_cookie = true;
	} else {
		net_dbg_ratelimited("%s: handshake message with invalid MAC or rate limited\n", idt->dev->name);
		DEV_STATS_INC(idt->dev, rx_dropped);
		return;
	}

	if (type == IDTUN_MSG_INITIATION) {
		struct idtun_msg_initiation *msg = (void *)skb->data;

		if (needs_cookie) {
			idtun_send_cookie_reply(idt, skb, msg->sender_index);
			return;
		}
		peer = idtun_noise_consume_initiation(msg, idt);
		if (!peer) {
			net_dbg_ratelimited("%s: invalid initiation\n", idt->dev->name);
			return;
		}
		idtun_socket_set_peer_endpoint_from_skb(peer, skb);
		idtun_send_handshake_response(peer);
	} else {
		struct idtun_msg_response *msg = (void *)skb->data;

		if (needs_cookie) {
			idtun_send_cookie_reply(idt, skb, msg->sender_index);
			return;
		}
		peer = idtun_noise_consume_response(msg, idt);
		if (!peer) {
			net_dbg_ratelimited("%s: invalid response\n", idt->dev->name);
			return;
		}
		idtun_socket_set_peer_endpoint_from_skb(peer, skb);
		if (idtun_noise_begin_session(&peer->handshake)) {
			idtun_timers_session_derived(peer);
			idtun_timers_handshake_complete(peer);
			/*
			 * Confirm the session at once: with the staged
			 * packets, or with a keepalive if there are none.
			 */
			idtun_send_keepalive(peer);
		}
	}
	local_bh_disable();
	idtun_rx_stats(peer, skb->len);
	local_bh_enable();
	idtun_timers_any_authenticated_packet_received(peer);
	idtun_timers_any_authenticated_packet_traversal(peer);
	idtun_peer_put(peer);
}

void idtun_handshake_work(struct work_struct *work)
{
	struct idtun_device *idt = container_of(work, struct idtun_device,
						handshake_work);
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&idt->handshake_queue))) {
		idtun_process_handshake(idt, skb);
		consume_skb(skb);
		cond_resched();
	}
}

/* The initiator rekeys ahead of REJECT_AFTER_TIME if it hears the peer. */
static void idtun_keep_key_fresh_rx(struct idtun_peer *peer)
{
	struct idtun_keypair *kp;
	bool rekey;

	if (peer->sent_lastminute_handshake)
		return;
	rcu_read_lock_bh();
	kp = rcu_dereference_bh(peer->keypairs.current_keypair);
	rekey = kp && READ_ONCE(kp->sending_valid) && kp->i_am_initiator &&
		idtun_birthdate_expired(kp->birthdate,
					IDTUN_REJECT_AFTER_TIME -
					IDTUN_KEEPALIVE_TIMEOUT -
					IDTUN_REKEY_TIMEOUT);
	rcu_read_unlock_bh();
	if (rekey) {
		peer->sent_lastminute_handshake = true;
		idtun_send_handshake_initiation(peer, false);
	}
}

/* Hands an authenticated inner packet to the stack; consumes skb. */
static const u8 idtun_label_drop[] = {
	[IDTUN_LABEL_MISSING] = IDTUN_DROP_LABEL_MISSING,
	[IDTUN_LABEL_MALFORMED] = IDTUN_DROP_LABEL_MALFORMED,
	[IDTUN_LABEL_UNEXPECTED] = IDTUN_DROP_LABEL_UNEXPECTED,
};

static const u8 idtun_label_reason[] = {
	[IDTUN_LABEL_MISSING] = IDTUN_REASON_LABEL_MISSING,
	[IDTUN_LABEL_MALFORMED] = IDTUN_REASON_LABEL_MALFORMED,
	[IDTUN_LABEL_UNEXPECTED] = IDTUN_REASON_LABEL_UNEXPECTED,
};

/* Counts and audits a received packet dropped for its label or policy. */
static void idtun_ingress_drop(struct idtun_device *idt,
			       struct idtun_audit_event *ev, enum idtun_drop why)
{
	idtun_count_drop(idt, why);
	DEV_STATS_INC(idt->dev, rx_dropped);
	ev->action = IDTUN_ACTION_DENY;
	rcu_read_lock_bh();
	if (unlikely(idtun_audit_wanted(idt)))
		idtun_audit(idt, ev);
	rcu_read_unlock_bh();
}

/*
 * The verified source identity of a received packet and the ingress
 * policy's verdict: false if it is dropped (counted and audited).
 */
static bool idtun_ingress(struct idtun_device *idt, struct idtun_peer *peer,
			  struct sk_buff *skb, bool labelled, u32 label,
			  u32 *identity)
{
	struct idtun_audit_event ev = {
		.dir = IDTUN_DIRECTION_INGRESS,
		.peer = peer,
		.identity = label,
	};
	struct idtun_ident *ident;
	struct idtun_flow flow;
	bool pass;

	if (unlikely(!idtun_flow_parse(skb, &flow))) {
		/* Extension headers that do not add up. */
		DEV_STATS_INC(idt->dev, rx_errors);
		DEV_STATS_INC(idt->dev, rx_frame_errors);
		return false;
	}
	ev.flow = &flow;
	rcu_read_lock_bh();
	if (labelled)
		ident = idtun_peer_allowed_ident(peer, label);
	else
		ident = rcu_dereference_bh(peer->ident) ?:
			idt->identities.unlabelled;
	if (unlikely(!ident)) {
		rcu_read_unlock_bh();
		ev.reason = IDTUN_REASON_LABEL_NOT_ALLOWED;
		idtun_ingress_drop(idt, &ev, IDTUN_DROP_LABEL_NOT_ALLOWED);
		return false;
	}
	pass = idtun_judge(idt, ident, 1, skb->len, &ev);
	rcu_read_unlock_bh();
	if (!pass)
		DEV_STATS_INC(idt->dev, rx_dropped);
	*identity = ev.identity;
	return pass;
}

static void idtun_deliver(struct idtun_device *idt, struct idtun_peer *peer,
			  struct sk_buff *skb, u8 outer_ds)
{
	bool labelled = READ_ONCE(peer->labels);
	struct net_device *dev = idt->dev;
	enum idtun_label_verdict verdict;
	struct idtun_peer *routed;
	u32 label = 0, identity;
	unsigned int len;

	verdict = idtun_label_pull(skb, labelled, &label);
	if (unlikely(verdict != IDTUN_LABEL_OK)) {
		struct idtun_audit_event ev = {
			.dir = IDTUN_DIRECTION_INGRESS,
			.reason = idtun_label_reason[verdict],
			.peer = peer,
		};

		net_dbg_ratelimited("%s: label check failed (%d)\n", dev->name,
				    verdict);
		idtun_ingress_drop(idt, &ev, idtun_label_drop[verdict]);
		goto drop;
	}
	skb_reset_network_header(skb);
	if (pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
	    ip_hdr(skb)->version == 4) {
		skb->protocol = htons(ETH_P_IP);
		len = ntohs(ip_hdr(skb)->tot_len);
		if (unlikely(len < sizeof(struct iphdr)))
			goto dishonest_size;
	} else if (pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
		   ipv6_hdr(skb)->version == 6) {
		skb->protocol = htons(ETH_P_IPV6);
		len = ntohs(ipv6_hdr(skb)->payload_len) +
		      sizeof(struct ipv6hdr);
	} else {
		goto dishonest_type;
	}
	if (unlikely(len > skb->len))
		goto dishonest_size;
	if (unlikely(pskb_trim(skb, len)))
		goto drop;

	rcu_read_lock_bh();
	if (skb->protocol == htons(ETH_P_IP))
		routed = idtun_aip_lookup(&idt->allowedips, AF_INET,
					  &ip_hdr(skb)->saddr);
	else
		routed = idtun_aip_lookup(&idt->allowedips, AF_INET6,
					  &ipv6_hdr(skb)->saddr);
	rcu_read_unlock_bh();
	if (unlikely(routed != peer))
		goto dishonest_peer;
	if (unlikely(!idtun_ingress(idt, peer, skb, labelled, label, &identity)))
		goto drop;

	/* The tag proved the packet intact: no checksum needs a look. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	if (skb->protocol == htons(ETH_P_IP))
		INET_ECN_decapsulate(skb, outer_ds, ip_hdr(skb)->tos);
	else
		INET_ECN_decapsulate(skb, outer_ds,
				     ipv6_get_dsfield(ipv6_hdr(skb)));
	/* Nothing of the outer packet (route, conntrack, mark) carries over. */
	skb_scrub_packet(skb, !net_eq(dev_net(dev), READ_ONCE(idt->creating_net)));
	skb->dev = dev;
	idtun_identity_mark(idt, skb, identity);
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	skb_probe_transport_header(skb);
	gro_cells_receive(&idt->gro_cells, skb);
	return;

dishonest_peer:
	net_dbg_ratelimited("%s: inner source not allowed for the peer\n", dev->name);
	DEV_STATS_INC(dev, rx_frame_errors);
	goto drop_error;
dishonest_type:
	DEV_STATS_INC(dev, rx_frame_errors);
	goto drop_error;
dishonest_size:
	DEV_STATS_INC(dev, rx_length_errors);
drop_error:
	DEV_STATS_INC(dev, rx_errors);
drop:
	kfree_skb(skb);
}

static void idtun_receive_data(struct idtun_device *idt, struct sk_buff *skb)
{
	struct idtun_msg_data *hdr = (struct idtun_msg_data *)skb->data;
	struct net_device *dev = idt->dev;
	unsigned int msg_len = skb->len;
	struct idtun_index_entry *entry;
	struct idtun_peer *peer = NULL;
	struct idtun_keypair *kp;
	u64 counter;
	u8 outer_ds;

	outer_ds = ip_hdr(skb)->version == 4 ? ip_hdr(skb)->tos :
		   ipv6_get_dsfield(ipv6_hdr(skb));
	counter = le64_to_cpu(hdr->counter);

	rcu_read_lock_bh();
	entry = idtun_index_find(idt->index_table, IDTUN_INDEX_KEYPAIR,
				 le32_to_cpu(hdr->receiver_index), &peer);
	if (unlikely(!entry)) {
		/* No session of ours, or one that is gone. */
		DEV_STATS_INC(dev, rx_dropped);
		goto drop;
	}
	kp = container_of(entry, struct idtun_keypair, entry);
	if (unlikely(!READ_ONCE(kp->receiving_valid) ||
		     idtun_birthdate_expired(kp->birthdate,
					     IDTUN_REJECT_AFTER_TIME))) {
		WRITE_ONCE(kp->receiving_valid, false);
		DEV_STATS_INC(dev, rx_dropped);
		goto drop;
	}
	skb_pull(skb, sizeof(*hdr));
	if (unlikely(!idtun_decrypt_skb(skb, kp->recv, counter))) {
		net_dbg_ratelimited("%s: transport message does not authenticate\n",
				    dev->name);
		DEV_STATS_INC(dev, rx_errors);
		DEV_STATS_INC(dev, rx_crc_errors);
		goto drop;
	}
	if (unlikely(!idtun_replay_accept(&kp->replay, counter))) {
		net_dbg_ratelimited("%s: replayed or too old counter %llu\n",
				    dev->name, counter);
		DEV_STATS_INC(dev, rx_dropped);
		goto drop;
	}

	/* Authenticated: the peer is where this came from, and is alive. */
	idtun_socket_set_peer_endpoint_from_skb(peer, skb);
	if (idtun_keypairs_received_with(&peer->keypairs, kp,
					 idt->index_table)) {
		idtun_timers_handshake_complete(peer);
		idtun_send_staged(peer);
	}
	rcu_read_unlock_bh();

	idtun_keep_key_fresh_rx(peer);
	idtun_timers_any_authenticated_packet_received(peer);
	idtun_timers_any_authenticated_packet_traversal(peer);
	idtun_rx_stats(peer, msg_len);
	if (!skb->len) {
		consume_skb(skb);	/* a keepalive */
	} else {
		idtun_timers_data_received(peer);
		idtun_deliver(idt, peer, skb, outer_ds);
	}
	idtun_peer_put(peer);
	return;

drop:
	rcu_read_unlock_bh();
	if (peer)
		idtun_peer_put(peer);
	kfree_skb(skb);
}

/* The sockets' encap_rcv: always consumes skb. */
int idtun_receive(struct sock *sk, struct sk_buff *skb)
{
	struct idtun_device *idt = rcu_dereference_sk_user_data(sk);
	u32 type;

	if (unlikely(!idt))
		goto free;
	type = idtun_prepare_skb(skb);
	if (unlikely(!type)) {
		DEV_STATS_INC(idt->dev, rx_errors);
		DEV_STATS_INC(idt->dev, rx_length_errors);
		goto free;
	}
	if (type == IDTUN_MSG_DATA) {
		idtun_receive_data(idt, skb);
		return 0;
	}
	if (skb_queue_len(&idt->handshake_queue) >= IDTUN_MAX_QUEUED_HANDSHAKES) {
		net_dbg_ratelimited("%s: handshake queue full, dropping\n", idt->dev->name);
		DEV_STATS_INC(idt->dev, rx_dropped);
		goto free;
	}
	skb_queue_tail(&idt->handshake_queue, skb);
	queue_work(idtun_wq, &idt->handshake_work);
	return 0;

free:
	kfree_skb(skb);
	return 0;
}
