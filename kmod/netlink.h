/* SPDX-License-Identifier: GPL-2.0 */

#ifndef _IDTUN_NETLINK_H
#define _IDTUN_NETLINK_H

#include <net/netlink.h>

struct idtun_device;

struct idtun_device *idtun_nl_lookup(struct net *net, struct nlattr **attrs,
				     struct netlink_ext_ack *extack);
int idtun_genl_init(void);
struct genl_family *idtun_nl_family(void);

/* Identities and policy (netlink-id.c); under update_lock where it matters. */
struct genl_info;
struct idtun_peer;
struct idtun_rule;
int idtun_nl_check_identity(struct genl_info *info);
int idtun_nl_check_peer_identity(struct nlattr **tb,
				 struct netlink_ext_ack *extack);
int idtun_nl_set_identity(struct idtun_device *idt, struct genl_info *info);
int idtun_nl_set_peer_identity(struct idtun_peer *peer, struct nlattr **tb,
			       u32 flags, struct netlink_ext_ack *extack);
int idtun_nl_fill_identity_config(struct sk_buff *skb, struct idtun_device *idt);
int idtun_nl_fill_peer_identity(struct sk_buff *skb, struct idtun_peer *peer);
unsigned int idtun_nl_allowed_ids_count(struct idtun_peer *peer);
int idtun_nl_fill_allowed_ids(struct sk_buff *skb, struct idtun_peer *peer,
			      long skip, bool *complete);
int idtun_nl_fill_rule(struct sk_buff *skb, int attrtype,
		       struct idtun_rule *rule, bool stats);

/* The audit group. */
bool idtun_nl_audit_listeners(struct net *net);
void *idtun_nl_event_put(struct sk_buff *skb);
void idtun_nl_audit_send(struct net *net, struct sk_buff *skb);
void idtun_genl_uninit(void);

#endif /* _IDTUN_NETLINK_H */
