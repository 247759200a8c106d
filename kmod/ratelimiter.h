/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-source rate limiting of handshake messages under load: a token
 * bucket per source address (IPv6 by /64) and network namespace.
 */

#ifndef _IDTUN_RATELIMITER_H
#define _IDTUN_RATELIMITER_H

#include <linux/skbuff.h>
#include <net/net_namespace.h>

/* Handshake messages a source may send per second, and in a burst. */
#define IDTUN_RATELIMIT_PER_SECOND	20
#define IDTUN_RATELIMIT_BURST		5

int idtun_ratelimiter_init(void);
void idtun_ratelimiter_uninit(void);
bool idtun_ratelimiter_allow(struct sk_buff *skb, struct net *net);

#endif /* _IDTUN_RATELIMITER_H */
