/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device's UDP sockets, in the namespace the device was created in,
 * and sending to a peer's endpoint.
 */

#ifndef _IDTUN_SOCKET_H
#define _IDTUN_SOCKET_H

#include <linux/skbuff.h>
#include <linux/types.h>

struct idtun_device;
struct idtun_endpoint;
struct idtun_peer;

int idtun_socket_init(struct idtun_device *idt, u16 port);
void idtun_socket_uninit(struct idtun_device *idt);

int idtun_socket_send_skb_to_peer(struct idtun_peer *peer, struct sk_buff *skb,
				  u8 ds);
int idtun_socket_send_buffer_to_peer(struct idtun_peer *peer, const void *buf,
				     size_t len, u8 ds);
int idtun_socket_send_buffer_as_reply(struct idtun_device *idt,
				      struct sk_buff *in_skb, const void *buf,
				      size_t len);

int idtun_endpoint_from_skb(struct idtun_endpoint *ep,
			    const struct sk_buff *skb);
void idtun_socket_set_peer_endpoint_from_skb(struct idtun_peer *peer,
					     const struct sk_buff *skb);

/* The receive hook of the sockets (receive.c). */
int idtun_receive(struct sock *sk, struct sk_buff *skb);

#endif /* _IDTUN_SOCKET_H */
