// SPDX-License-Identifier: GPL-2.0
/*
 * Changing identities and policy over generic netlink: the device's
 * identity settings, bindings and rules in set-device (checked before
 * anything changes, like the rest of it), a peer's identity settings, and
 * identity names. Dumps are in netlink-id-dump.c.
 */

#include "compat.h"
#include "device.h"
#include "identity.h"
#include "names.h"
#include "netlink.h"
#include "netlink-gen.h"
#include "peer.h"
#include "policy.h"

#include <linux/cgroup.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/rhashtable.h>
#include <linux/sort.h>
#include <net/genetlink.h>

/* ---- checking */

static int check_prefix(struct nlattr *fam, struct nlattr *addr,
			struct nlattr *cidr, struct nlattr *nest,
			struct netlink_ext_ack *extack)
{
	unsigned int len;

	if (!fam || !addr || !cidr) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a prefix needs _FAMILY, _IPADDR and _CIDR_MASK");
		return -EINVAL;
	}
	switch (nla_get_u16(fam)) {
	case AF_INET:
		len = 4;
		break;
	case AF_INET6:
		len = 16;
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, fam, "_FAMILY: not AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (nla_len(addr) != len) {
		NL_SET_ERR_MSG_ATTR(extack, addr,
				    "_IPADDR: length does not match _FAMILY");
		return -EINVAL;
	}
	if (nla_get_u8(cidr) > len * 8) {
		NL_SET_ERR_MSG_ATTR(extack, cidr, "_CIDR_MASK: longer than the address");
		return -EINVAL;
	}
	return 0;
}

static int check_binding(struct nlattr *nest, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IDTUN_A_BINDING_MAX + 1];
	struct cgroup *cgrp;
	int ret;

	ret = nla_parse_nested(tb, IDTUN_A_BINDING_MAX, nest,
			       idtun_binding_nl_policy, extack);
	if (ret)
		return ret;
	if (!tb[IDTUN_A_BINDING_IDENTITY]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IDTUN_A_DEVICE_BINDINGS: an entry needs IDTUN_A_BINDING_IDENTITY");
		return -EINVAL;
	}
	if (tb[IDTUN_A_BINDING_CGROUP_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IDTUN_A_BINDING_CGROUP_ID],
				    "IDTUN_A_BINDING_CGROUP_ID: read-only");
		return -EINVAL;
	}
	if (tb[IDTUN_A_BINDING_CGROUP]) {
		if (tb[IDTUN_A_BINDING_FAMILY] || tb[IDTUN_A_BINDING_IPADDR] ||
		    tb[IDTUN_A_BINDING_CIDR_MASK]) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "IDTUN_A_DEVICE_BINDINGS: an entry has a cgroup or a prefix, not both");
			return -EINVAL;
		}
		cgrp = cgroup_get_from_path(nla_data(tb[IDTUN_A_BINDING_CGROUP]));
		if (IS_ERR(cgrp)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IDTUN_A_BINDING_CGROUP],
					    "IDTUN_A_BINDING_CGROUP: no such cgroup v2");
			return PTR_ERR(cgrp);
		}
		cgroup_put(cgrp);
		return 0;
	}
	return check_prefix(tb[IDTUN_A_BINDING_FAMILY],
			    tb[IDTUN_A_BINDING_IPADDR],
			    tb[IDTUN_A_BINDING_CIDR_MASK], nest, extack);
}

static int parse_rule(struct nlattr *nest, struct idtun_rule_key *key,
		      u8 *action, bool *remove, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IDTUN_A_RULE_MAX + 1], *attr;
	int ret;

	ret = nla_parse_nested(tb, IDTUN_A_RULE_MAX, nest, idtun_rule_nl_policy,
			       extack);
	if (ret)
		return ret;
	memset(key, 0, sizeof(*key));
	*remove = tb[IDTUN_A_RULE_FLAGS] &&
		  (nla_get_u32(tb[IDTUN_A_RULE_FLAGS]) &
		   IDTUN_ENTRY_FLAGS_REMOVE_ME);
	if (!tb[IDTUN_A_RULE_DIRECTION]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IDTUN_A_DEVICE_RULES: a rule needs IDTUN_A_RULE_DIRECTION");
		return -EINVAL;
	}
	key->dir = nla_get_u32(tb[IDTUN_A_RULE_DIRECTION]);
	if (!tb[IDTUN_A_RULE_ACTION] && !*remove) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IDTUN_A_DEVICE_RULES: a rule needs IDTUN_A_RULE_ACTION");
		return -EINVAL;
	}
	*action = tb[IDTUN_A_RULE_ACTION] ?
		  nla_get_u32(tb[IDTUN_A_RULE_ACTION]) : 0;
	attr = tb[IDTUN_A_RULE_PACKETS] ?: tb[IDTUN_A_RULE_BYTES];
	if (attr) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "IDTUN_A_RULE_PACKETS and _BYTES are read-only");
		return -EINVAL;
	}
	key->any_identity = !tb[IDTUN_A_RULE_IDENTITY];
	if (tb[IDTUN_A_RULE_IDENTITY])
		key->identity = nla_get_u32(tb[IDTUN_A_RULE_IDENTITY]);
	if (tb[IDTUN_A_RULE_FAMILY] || tb[IDTUN_A_RULE_IPADDR] ||
	    tb[IDTUN_A_RULE_CIDR_MASK]) {
		ret = check_prefix(tb[IDTUN_A_RULE_FAMILY],
				   tb[IDTUN_A_RULE_IPADDR],
				   tb[IDTUN_A_RULE_CIDR_MASK], nest, extack);
		if (ret)
			return ret;
		key->family = nla_get_u16(tb[IDTUN_A_RULE_FAMILY]);
		key->cidr = nla_get_u8(tb[IDTUN_A_RULE_CIDR_MASK]);
		memcpy(key->addr, nla_data(tb[IDTUN_A_RULE_IPADDR]),
		       nla_len(tb[IDTUN_A_RULE_IPADDR]));
		idtun_prefix_mask(key->addr, key->cidr);
	}
	if (tb[IDTUN_A_RULE_PROTOCOL])
		key->proto = nla_get_u8(tb[IDTUN_A_RULE_PROTOCOL]);
	key->port_min = 0;
	key->port_max = 0xffff;
	attr = tb[IDTUN_A_RULE_PORT_MIN] ?: tb[IDTUN_A_RULE_PORT_MAX];
	if (attr) {
		if (key->proto != IPPROTO_TCP && key->proto != IPPROTO_UDP &&
		    key->proto != IPPROTO_UDPLITE && key->proto != IPPROTO_SCTP) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_RULE_PORT_MIN/_MAX: only with TCP, UDP, UDP-Lite or SCTP");
			return -EINVAL;
		}
		key->port_min = tb[IDTUN_A_RULE_PORT_MIN] ?
				nla_get_u16(tb[IDTUN_A_RULE_PORT_MIN]) : 0;
		key->port_max = tb[IDTUN_A_RULE_PORT_MAX] ?
				nla_get_u16(tb[IDTUN_A_RULE_PORT_MAX]) :
				key->port_min;
		if (!tb[IDTUN_A_RULE_PORT_MIN])
			key->port_min = key->port_max;
		if (key->port_min > key->port_max) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_RULE_PORT_MIN: above IDTUN_A_RULE_PORT_MAX");
			return -EINVAL;
		}
	}
	return 0;
}

int idtun_nl_check_identity(struct genl_info *info)
{
	struct idtun_rule_key key;
	struct nlattr *attr;
	bool remove;
	int ret, rem;
	u8 action;

	if (info->attrs[IDTUN_A_DEVICE_BINDINGS]) {
		nla_for_each_nested(attr, info->attrs[IDTUN_A_DEVICE_BINDINGS],
				    rem) {
			ret = check_binding(attr, info->extack);
			if (ret)
				return ret;
		}
	}
	if (info->attrs[IDTUN_A_DEVICE_RULES]) {
		nla_for_each_nested(attr, info->attrs[IDTUN_A_DEVICE_RULES], rem) {
			ret = parse_rule(attr, &key, &action, &remove,
					 info->extack);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int idtun_nl_check_peer_identity(struct nlattr **tb,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *ta[IDTUN_A_ALLOWED_IDENTITY_MAX + 1], *attr;
	int ret, rem, n = 0;

	if (!tb[IDTUN_A_PEER_ALLOWED_IDENTITIES])
		return 0;
	nla_for_each_nested(attr, tb[IDTUN_A_PEER_ALLOWED_IDENTITIES], rem) {
		ret = nla_parse_nested(ta, IDTUN_A_ALLOWED_IDENTITY_MAX, attr,
				       idtun_allowed_identity_nl_policy, extack);
		if (ret)
			return ret;
		if (!ta[IDTUN_A_ALLOWED_IDENTITY_IDENTITY]) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_PEER_ALLOWED_IDENTITIES: an entry needs IDTUN_A_ALLOWED_IDENTITY_IDENTITY");
			return -EINVAL;
		}
		if (++n > IDTUN_MAX_ALLOWED_IDS) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_PEER_ALLOWED_IDENTITIES: too many entries");
			return -E2BIG;
		}
	}
	return 0;
}

/* ---- applying */

static int set_binding(struct idtun_device *idt, struct nlattr *nest,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IDTUN_A_BINDING_MAX + 1];
	struct cgroup *cgrp;
	bool remove;
	u8 addr[16] = { };
	int ret, family;
	u32 id;

	ret = nla_parse_nested(tb, IDTUN_A_BINDING_MAX, nest,
			       idtun_binding_nl_policy, extack);
	if (ret)
		return ret;
	id = nla_get_u32(tb[IDTUN_A_BINDING_IDENTITY]);
	remove = tb[IDTUN_A_BINDING_FLAGS] &&
		 (nla_get_u32(tb[IDTUN_A_BINDING_FLAGS]) &
		  IDTUN_ENTRY_FLAGS_REMOVE_ME);
	if (tb[IDTUN_A_BINDING_CGROUP]) {
		cgrp = cgroup_get_from_path(nla_data(tb[IDTUN_A_BINDING_CGROUP]));
		if (IS_ERR(cgrp)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IDTUN_A_BINDING_CGROUP],
					    "IDTUN_A_BINDING_CGROUP: no such cgroup v2");
			return PTR_ERR(cgrp);
		}
		ret = remove ? idtun_unbind_cgroup(idt, cgrp) :
			       idtun_bind_cgroup(idt, cgrp, id);
		cgroup_put(cgrp);
	} else {
		family = nla_get_u16(tb[IDTUN_A_BINDING_FAMILY]);
		memcpy(addr, nla_data(tb[IDTUN_A_BINDING_IPADDR]),
		       nla_len(tb[IDTUN_A_BINDING_IPADDR]));
		ret = remove ?
		      idtun_unbind_prefix(idt, family, addr,
					  nla_get_u8(tb[IDTUN_A_BINDING_CIDR_MASK])) :
		      idtun_bind_prefix(idt, family, addr,
					nla_get_u8(tb[IDTUN_A_BINDING_CIDR_MASK]),
					id);
	}
	/* Removing what is not there is not an error, as for allowed IPs. */
	if (ret == -ENOENT)
		return 0;
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IDTUN_A_DEVICE_BINDINGS: too many bindings");
	else if (ret)
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "IDTUN_A_DEVICE_BINDINGS: cannot add the entry");
	return ret;
}

static int set_rules(struct idtun_device *idt, struct nlattr *rules,
		     struct netlink_ext_ack *extack)
{
	struct idtun_rule_key key;
	struct nlattr *attr;
	bool remove;
	int ret = 0, rem;
	u8 action;

	nla_for_each_nested(attr, rules, rem) {
		ret = parse_rule(attr, &key, &action, &remove, extack);
		if (ret)
			break;
		ret = remove ? idtun_rule_del(idt, &key) :
			       idtun_rule_set(idt, &key, action);
		if (ret == -ENOENT) {
			ret = 0;
			continue;
		}
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_DEVICE_RULES: too many rules");
		else if (ret)
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_DEVICE_RULES: cannot add the rule");
		if (ret)
			break;
	}
	return ret;
}

int idtun_nl_set_identity(struct idtun_device *idt, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct nlattr *attr;
	u32 flags = 0;
	int ret = 0, rem, cret;

	lockdep_assert_held(&idt->update_lock);
	if (attrs[IDTUN_A_DEVICE_FLAGS])
		flags = nla_get_u32(attrs[IDTUN_A_DEVICE_FLAGS]);
	attr = attrs[IDTUN_A_DEVICE_DEFAULT_IDENTITY];
	if (attr) {
		ret = idtun_set_default_identity(idt, nla_get_u32(attr));
		if (ret)
			return ret;
	}
	if (attrs[IDTUN_A_DEVICE_MARK_MASK])
		WRITE_ONCE(idt->identities.mark_mask,
			   nla_get_u32(attrs[IDTUN_A_DEVICE_MARK_MASK]));
	if (attrs[IDTUN_A_DEVICE_EGRESS_DEFAULT])
		WRITE_ONCE(idt->policy.defaults[IDTUN_DIRECTION_EGRESS],
			   nla_get_u32(attrs[IDTUN_A_DEVICE_EGRESS_DEFAULT]));
	if (attrs[IDTUN_A_DEVICE_INGRESS_DEFAULT])
		WRITE_ONCE(idt->policy.defaults[IDTUN_DIRECTION_INGRESS],
			   nla_get_u32(attrs[IDTUN_A_DEVICE_INGRESS_DEFAULT]));
	if (attrs[IDTUN_A_DEVICE_AUDIT_RATE])
		idtun_audit_set_rate(&idt->audit,
				     nla_get_u32(attrs[IDTUN_A_DEVICE_AUDIT_RATE]));

	if (flags & IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS)
		idtun_unbind_all(idt);
	if (attrs[IDTUN_A_DEVICE_BINDINGS]) {
		nla_for_each_nested(attr, attrs[IDTUN_A_DEVICE_BINDINGS], rem) {
			ret = set_binding(idt, attr, info->extack);
			if (ret)
				break;
		}
	}
	if (!ret && (flags & IDTUN_DEVICE_FLAGS_REPLACE_RULES))
		idtun_rules_flush(idt);
	if (!ret && attrs[IDTUN_A_DEVICE_RULES])
		ret = set_rules(idt, attrs[IDTUN_A_DEVICE_RULES], info->extack);
	/* What changed goes live at once, even after an error. */
	cret = idtun_policy_commit(idt);
	if (cret && !ret) {
		NL_SET_ERR_MSG(info->extack,
			       "IDTUN_A_DEVICE_RULES: out of memory compiling the rules");
		ret = cret;
	}
	return ret;
}

int idtun_nl_set_peer_identity(struct idtun_peer *peer, struct nlattr **tb,
			       u32 flags, struct netlink_ext_ack *extack)
{
	struct nlattr *ta[IDTUN_A_ALLOWED_IDENTITY_MAX + 1], *attr;
	unsigned int n = 0, n_add = 0, n_del = 0, i, k;
	u32 *add = NULL, *del = NULL, id;
	int ret = 0, rem;

	if (tb[IDTUN_A_PEER_LABELS])
		WRITE_ONCE(peer->labels, nla_get_u8(tb[IDTUN_A_PEER_LABELS]));
	if (tb[IDTUN_A_PEER_IDENTITY]) {
		ret = idtun_peer_set_identity(peer,
					      nla_get_u32(tb[IDTUN_A_PEER_IDENTITY]));
		if (ret)
			return ret;
	}
	if (!tb[IDTUN_A_PEER_ALLOWED_IDENTITIES] &&
	    !(flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES))
		return 0;
	if (tb[IDTUN_A_PEER_ALLOWED_IDENTITIES])
		n = nla_len(tb[IDTUN_A_PEER_ALLOWED_IDENTITIES]) / NLA_HDRLEN + 1;
	add = kvmalloc_array(n + 1, sizeof(u32), GFP_KERNEL);
	del = kvmalloc_array(n + 1, sizeof(u32), GFP_KERNEL);
	if (!add || !del) {
		ret = -ENOMEM;
		goto out;
	}
	if (tb[IDTUN_A_PEER_ALLOWED_IDENTITIES]) {
		nla_for_each_nested(attr, tb[IDTUN_A_PEER_ALLOWED_IDENTITIES],
				    rem) {
			nla_parse_nested(ta, IDTUN_A_ALLOWED_IDENTITY_MAX, attr,
					 idtun_allowed_identity_nl_policy, NULL);
			id = nla_get_u32(ta[IDTUN_A_ALLOWED_IDENTITY_IDENTITY]);
			if (ta[IDTUN_A_ALLOWED_IDENTITY_FLAGS] &&
			    (nla_get_u32(ta[IDTUN_A_ALLOWED_IDENTITY_FLAGS]) &
			     IDTUN_ENTRY_FLAGS_REMOVE_ME))
				del[n_del++] = id;
			else
				add[n_add++] = id;
		}
	}
	/* Sorted and without duplicates, as the merge wants them. */
	sort(add, n_add, sizeof(u32), idtun_cmp_u32, NULL);
	sort(del, n_del, sizeof(u32), idtun_cmp_u32, NULL);
	for (i = 0, k = 0; i < n_add; i++)
		if (!k || add[k - 1] != add[i])
			add[k++] = add[i];
	n_add = k;
	for (i = 0, k = 0; i < n_del; i++)
		if (!k || del[k - 1] != del[i])
			del[k++] = del[i];
	n_del = k;
	ret = idtun_peer_change_allowed_ids(peer,
					    flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES,
					    add, n_add, del, n_del);
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG_ATTR(extack, tb[IDTUN_A_PEER_ALLOWED_IDENTITIES],
				    "IDTUN_A_PEER_ALLOWED_IDENTITIES: too many identities");
out:
	kvfree(add);
	kvfree(del);
	return ret;
}

/* ---- names */

/*
 * Printable, without spaces or the characters that separate list items
 * and comments in configuration files, and not all digits (it would read
 * as a number).
 */
static bool name_valid(const char *name)
{
	bool digits = true;

	for (; *name; name++) {
		if (!isgraph(*name) || strchr(",#=", *name))
			return false;
		digits &= !!isdigit(*name);
	}
	return !digits;
}

int idtun_nl_set_name_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	const char *name;
	int ret;

	if (!attrs[IDTUN_A_IDENTITY_IDENTITY] || !attrs[IDTUN_A_IDENTITY_NAME]) {
		NL_SET_ERR_MSG(info->extack,
			       "IDTUN_A_IDENTITY_IDENTITY and _NAME are required");
		return -EINVAL;
	}
	name = nla_data(attrs[IDTUN_A_IDENTITY_NAME]);
	if (*name && !name_valid(name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[IDTUN_A_IDENTITY_NAME],
				    "IDTUN_A_IDENTITY_NAME: printable, no spaces, commas, '#' or '=', not all digits");
		return -EINVAL;
	}
	ret = idtun_name_set(genl_info_net(info),
			     nla_get_u32(attrs[IDTUN_A_IDENTITY_IDENTITY]), name);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[IDTUN_A_IDENTITY_NAME],
				    "IDTUN_A_IDENTITY_NAME: another identity has this name");
	return ret;
}
