/* SPDX-License-Identifier: GPL-2.0 */

#ifndef _IDTUN_SEND_H
#define _IDTUN_SEND_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct idtun_device;
struct idtun_peer;

/* What the transmit path keeps with a packet while it waits. */
struct idtun_skb_cb {
	/* The path MTU the padding must stay within. */
	unsigned int mtu;
	/* The packet's identity, for the label of a labelled peer. */
	u32 identity;
};

#define IDTUN_SKB_CB(skb) ((struct idtun_skb_cb *)(skb)->cb)

/* DSCP AF41 on handshake messages, as WireGuard marks them. */
#define IDTUN_HANDSHAKE_DS	0x88

netdev_tx_t idtun_xmit(struct sk_buff *skb, struct net_device *dev);
void idtun_send_staged(struct idtun_peer *peer);
void idtun_send_keepalive(struct idtun_peer *peer);
void idtun_send_handshake_initiation(struct idtun_peer *peer, bool is_retry);
void idtun_send_handshake_response(struct idtun_peer *peer);
void idtun_send_cookie_reply(struct idtun_device *idt, struct sk_buff *skb,
			     __le32 sender_index);
void idtun_transmit_handshake_work(struct work_struct *work);

#endif /* _IDTUN_SEND_H */
