// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel that ipc_test and ipc_policy_test talk to: SET_DEVICE requests
 * checked attribute by attribute and applied to a model of the kernel's
 * semantics, GET dumps split the way the kernel splits them, and what both
 * tests compare and build their devices with.
 */

#include "config.h"
#include "ipc_sim.h"

#include <linux/genetlink.h>
#include <linux/idtun.h>
#include <stdlib.h>
#include <string.h>

char buf[IPC_MSG_MAX];
char msgs[4000][IPC_MSG_MAX];

/* ---- the kernel, as far as SET_DEVICE goes ---- */

static void sim_error(struct sim *s, const char *what)
{
	if (!s->error)
		s->error = what;
}

static bool nested(const struct nlattr *a)
{
	return a->nla_type & NLA_F_NESTED;
}

static void remove_peer(struct idtun_device *dev, struct idtun_peer *p)
{
	size_t i = (size_t)(p - dev->peers);

	peer_free(p);
	memmove(p, p + 1, (dev->npeers - i - 1) * sizeof(*p));
	dev->npeers--;
}

static void remove_ip(struct idtun_peer *p, const struct idtun_allowedip *ip)
{
	size_t i;

	for (i = 0; i < p->nips; i++) {
		if (allowedip_equal(&p->ips[i], ip)) {
			memmove(&p->ips[i], &p->ips[i + 1], (p->nips - i - 1) * sizeof(*ip));
			p->nips--;
			return;
		}
	}
}

static void sim_ip(struct sim *s, struct idtun_peer *p, const struct nlattr *nest)
{
	const struct nlattr *a;
	struct idtun_allowedip ip = { 0 };
	uint32_t flags = 0;
	bool fam = false, addr = false, cidr = false;
	size_t i, len = 0;

	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case IDTUN_A_ALLOWEDIP_FAMILY:
			fam = mnl_attr_get_payload_len(a) == 2;
			ip.family = mnl_attr_get_u16(a);
			break;
		case IDTUN_A_ALLOWEDIP_IPADDR:
			len = mnl_attr_get_payload_len(a);
			addr = len == 4 || len == 16;
			if (addr)
				memcpy(ip.addr, mnl_attr_get_payload(a), len);
			break;
		case IDTUN_A_ALLOWEDIP_CIDR_MASK:
			cidr = mnl_attr_get_payload_len(a) == 1;
			ip.cidr = mnl_attr_get_u8(a);
			break;
		case IDTUN_A_ALLOWEDIP_FLAGS:
			flags = mnl_attr_get_u32(a);
			break;
		default:
			sim_error(s, "unknown allowed IP attribute");
		}
	}
	if (!fam || !addr || !cidr || len != (ip.family == AF_INET ? 4u : 16u) ||
	    !allowedip_valid(&ip) || (flags & ~(uint32_t)IDTUN_ALLOWEDIP_FLAGS_REMOVE_ME)) {
		sim_error(s, "bad allowed IP");
		return;
	}
	allowedip_mask(&ip);
	if (flags & IDTUN_ALLOWEDIP_FLAGS_REMOVE_ME) {
		remove_ip(p, &ip);	/* only if it is this peer's */
		return;
	}
	for (i = 0; i < s->state.npeers; i++)
		remove_ip(&s->state.peers[i], &ip);
	peer_add_ip(p, &ip);
}

/* An indexed array: NLA_F_NESTED, entries numbered 1, 2, ... */
static void sim_array(struct sim *s, const struct nlattr *array, const char *what)
{
	const struct nlattr *e;
	uint16_t n = 0;

	if (!nested(array))
		sim_error(s, what);
	mnl_attr_for_each_nested(e, array) {
		if (mnl_attr_get_type(e) != ++n || !nested(e))
			sim_error(s, what);
	}
}

static void sim_aids(struct sim *s, struct idtun_peer *p, const struct nlattr *array)
{
	const struct nlattr *e, *a;
	size_t i;

	sim_array(s, array, "allowed identities not an indexed array");
	mnl_attr_for_each_nested(e, array) {
		uint32_t id = 0, flags = 0;

		mnl_attr_for_each_nested(a, e) {
			if (mnl_attr_get_type(a) == IDTUN_A_ALLOWED_IDENTITY_IDENTITY)
				id = mnl_attr_get_u32(a);
			else if (mnl_attr_get_type(a) == IDTUN_A_ALLOWED_IDENTITY_FLAGS)
				flags = mnl_attr_get_u32(a);
			else
				sim_error(s, "unknown allowed identity attribute");
		}
		if (!id || (flags & ~(uint32_t)IDTUN_ENTRY_FLAGS_REMOVE_ME)) {
			sim_error(s, "bad allowed identity");
			continue;
		}
		for (i = 0; i < p->naids && p->aids[i].identity != id; i++)
			;
		if (flags && i < p->naids) {
			memmove(&p->aids[i], &p->aids[i + 1], (p->naids - i - 1) * sizeof(*p->aids));
			p->naids--;
		} else if (!flags && i == p->naids) {
			peer_add_aid(p, id, false);
		}
	}
}

/* family, ipaddr, cidr-mask of three consecutive attribute types from first. */
static bool sim_prefix(const struct nlattr *const *tb, uint16_t first,
		       struct idtun_allowedip *ip)
{
	const struct nlattr *fam = tb[first], *addr = tb[first + 1], *cidr = tb[first + 2];

	memset(ip, 0, sizeof(*ip));
	if (!fam || !addr || !cidr || mnl_attr_get_payload_len(fam) != 2 ||
	    mnl_attr_get_payload_len(cidr) != 1)
		return false;
	ip->family = mnl_attr_get_u16(fam);
	ip->cidr = mnl_attr_get_u8(cidr);
	if (mnl_attr_get_payload_len(addr) != (ip->family == AF_INET ? 4u : 16u) ||
	    !allowedip_valid(ip))
		return false;
	memcpy(ip->addr, mnl_attr_get_payload(addr), mnl_attr_get_payload_len(addr));
	allowedip_mask(ip);
	return true;
}

static void sim_binding(struct sim *s, const struct nlattr *e)
{
	const struct nlattr *tb[IDTUN_A_BINDING_MAX + 1] = { 0 }, *a;
	struct idtun_binding b = { 0 };
	struct idtun_device *st = &s->state;
	uint32_t flags = 0;
	size_t i;

	mnl_attr_for_each_nested(a, e) {
		if (mnl_attr_get_type(a) > IDTUN_A_BINDING_MAX ||
		    mnl_attr_get_type(a) == IDTUN_A_BINDING_CGROUP_ID)
			sim_error(s, "unexpected binding attribute");
		else
			tb[mnl_attr_get_type(a)] = a;
	}
	if (tb[IDTUN_A_BINDING_FLAGS])
		flags = mnl_attr_get_u32(tb[IDTUN_A_BINDING_FLAGS]);
	if (tb[IDTUN_A_BINDING_IDENTITY])
		b.identity = mnl_attr_get_u32(tb[IDTUN_A_BINDING_IDENTITY]);
	if (tb[IDTUN_A_BINDING_CGROUP]) {
		b.cgroup = (char *)mnl_attr_get_str(tb[IDTUN_A_BINDING_CGROUP]);
		if (tb[IDTUN_A_BINDING_FAMILY])
			sim_error(s, "a binding with a cgroup and a prefix");
	} else if (!sim_prefix(tb, IDTUN_A_BINDING_FAMILY, &b.prefix)) {
		sim_error(s, "bad binding prefix");
		return;
	}
	if (!b.identity || (flags & ~(uint32_t)IDTUN_ENTRY_FLAGS_REMOVE_ME)) {
		sim_error(s, "bad binding");
		return;
	}
	s->binding_entries++;
	for (i = 0; i < st->nbindings && !binding_key_equal(&st->bindings[i], &b); i++)
		;
	if (flags) {
		if (i < st->nbindings) {
			binding_free(&st->bindings[i]);
			memmove(&st->bindings[i], &st->bindings[i + 1],
				(st->nbindings - i - 1) * sizeof(b));
			st->nbindings--;
		}
	} else if (i < st->nbindings) {
		st->bindings[i].identity = b.identity;	/* re-adding a key rebinds it */
	} else {
		device_add_binding(st, &b);
	}
}

static void sim_rule(struct sim *s, const struct nlattr *e)
{
	const struct nlattr *tb[IDTUN_A_RULE_MAX + 1] = { 0 }, *a;
	struct idtun_device *st = &s->state;
	struct idtun_rule r = { 0 };
	uint32_t flags = 0;
	size_t i;

	mnl_attr_for_each_nested(a, e) {
		if (mnl_attr_get_type(a) > IDTUN_A_RULE_FLAGS)
			sim_error(s, "unexpected rule attribute");
		else
			tb[mnl_attr_get_type(a)] = a;
	}
	if (tb[IDTUN_A_RULE_FLAGS])
		flags = mnl_attr_get_u32(tb[IDTUN_A_RULE_FLAGS]);
	if (!tb[IDTUN_A_RULE_DIRECTION] || (!flags && !tb[IDTUN_A_RULE_ACTION]) ||
	    (tb[IDTUN_A_RULE_FAMILY] && !sim_prefix(tb, IDTUN_A_RULE_FAMILY, &r.to)) ||
	    (tb[IDTUN_A_RULE_PORT_MAX] && !tb[IDTUN_A_RULE_PORT_MIN]) ||
	    (flags & ~(uint32_t)IDTUN_ENTRY_FLAGS_REMOVE_ME)) {
		sim_error(s, "bad rule");
		return;
	}
	r.direction = mnl_attr_get_u32(tb[IDTUN_A_RULE_DIRECTION]);
	if (tb[IDTUN_A_RULE_IDENTITY]) {
		r.has |= RULE_HAS_IDENTITY;
		r.identity = mnl_attr_get_u32(tb[IDTUN_A_RULE_IDENTITY]);
	}
	if (tb[IDTUN_A_RULE_PROTOCOL])
		r.protocol = mnl_attr_get_u8(tb[IDTUN_A_RULE_PROTOCOL]);
	if (tb[IDTUN_A_RULE_PORT_MIN]) {
		r.has |= RULE_HAS_PORTS;
		r.port_min = r.port_max = mnl_attr_get_u16(tb[IDTUN_A_RULE_PORT_MIN]);
		if (tb[IDTUN_A_RULE_PORT_MAX])
			r.port_max = mnl_attr_get_u16(tb[IDTUN_A_RULE_PORT_MAX]);
	}
	if (tb[IDTUN_A_RULE_ACTION]) {
		r.has |= RULE_HAS_ACTION;
		r.action = mnl_attr_get_u32(tb[IDTUN_A_RULE_ACTION]);
	}
	s->rule_entries++;
	for (i = 0; i < st->nrules && !rule_key_equal(&st->rules[i], &r); i++)
		;
	if (flags) {
		if (i < st->nrules) {
			memmove(&st->rules[i], &st->rules[i + 1],
				(st->nrules - i - 1) * sizeof(r));
			st->nrules--;
		}
	} else if (i < st->nrules) {
		st->rules[i].action = r.action;	/* re-adding a key changes its action */
	} else {
		device_add_rule(st, &r);
	}
}

static void sim_peer(struct sim *s, const struct nlattr *nest)
{
	const struct nlattr *tb[IDTUN_A_PEER_MAX + 1] = { 0 }, *a;
	struct idtun_peer *p;
	uint32_t flags = 0;

	if (!nested(nest))
		sim_error(s, "peer without NLA_F_NESTED");
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) > IDTUN_A_PEER_MAX)
			sim_error(s, "unknown peer attribute");
		else
			tb[mnl_attr_get_type(a)] = a;
	}
	if (!tb[IDTUN_A_PEER_PUBLIC_KEY] ||
	    mnl_attr_get_payload_len(tb[IDTUN_A_PEER_PUBLIC_KEY]) != IDTUN_KEY_LEN) {
		sim_error(s, "peer without a public key");
		return;
	}
	if (tb[IDTUN_A_PEER_LAST_HANDSHAKE_TIME] || tb[IDTUN_A_PEER_RX_BYTES] ||
	    tb[IDTUN_A_PEER_TX_BYTES] || tb[IDTUN_A_PEER_PROTOCOL_VERSION])
		sim_error(s, "a reply-only attribute in a request");
	if (tb[IDTUN_A_PEER_FLAGS])
		flags = mnl_attr_get_u32(tb[IDTUN_A_PEER_FLAGS]);
	p = device_find_peer(&s->state, mnl_attr_get_payload(tb[IDTUN_A_PEER_PUBLIC_KEY]));
	if (flags & IDTUN_PEER_FLAGS_REMOVE_ME) {
		if (p)
			remove_peer(&s->state, p);
		return;
	}
	if (!p) {
		if (flags & IDTUN_PEER_FLAGS_UPDATE_ONLY)
			return;
		p = device_add_peer(&s->state);
		memcpy(p->public_key, mnl_attr_get_payload(tb[IDTUN_A_PEER_PUBLIC_KEY]),
		       IDTUN_KEY_LEN);
		p->serial = ++s->created;
	}
	a = tb[IDTUN_A_PEER_PRESHARED_KEY];
	if (a) {
		memcpy(p->preshared_key, mnl_attr_get_payload(a), IDTUN_KEY_LEN);
		p->has &= ~(uint32_t)PEER_HAS_PRESHARED_KEY;
		if (!key_is_zero(p->preshared_key))
			p->has |= PEER_HAS_PRESHARED_KEY;
	}
	a = tb[IDTUN_A_PEER_ENDPOINT];
	if (a)
		memcpy(&p->endpoint, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	a = tb[IDTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL];
	if (a)
		p->keepalive = mnl_attr_get_u16(a);
	a = tb[IDTUN_A_PEER_LABELS];
	if (a) {
		if (mnl_attr_get_payload_len(a) != 1 || mnl_attr_get_u8(a) > 1)
			sim_error(s, "bad labels");
		p->labels = mnl_attr_get_u8(a);
	}
	a = tb[IDTUN_A_PEER_IDENTITY];
	if (a)
		p->identity = mnl_attr_get_u32(a);
	p->has |= PEER_HAS_LABELS | PEER_HAS_IDENTITY;
	if (flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES)
		p->naids = 0;
	a = tb[IDTUN_A_PEER_ALLOWED_IDENTITIES];
	if (a)
		sim_aids(s, p, a);
	if (flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS)
		p->nips = 0;
	a = tb[IDTUN_A_PEER_ALLOWED_IPS];
	if (a) {
		const struct nlattr *ip;

		if (!nested(a))
			sim_error(s, "allowed IPs without NLA_F_NESTED");
		uint16_t n = 0;

		mnl_attr_for_each_nested(ip, a) {
			if (mnl_attr_get_type(ip) != ++n)
				sim_error(s, "allowed IPs not numbered 1, 2, ...");
			sim_ip(s, p, ip);
		}
	}
}

static void sim_setting(struct sim *s, const struct nlattr *a)
{
	uint32_t v = mnl_attr_get_u32(a);
	size_t i;

	if (mnl_attr_get_payload_len(a) != 4)
		sim_error(s, "a setting is not a u32");
	for (i = 0; i < device_nsettings; i++) {
		if (device_settings[i].attr == mnl_attr_get_type(a))
			device_set(&s->state, &device_settings[i], v);
	}
	if ((mnl_attr_get_type(a) == IDTUN_A_DEVICE_EGRESS_DEFAULT ||
	     mnl_attr_get_type(a) == IDTUN_A_DEVICE_INGRESS_DEFAULT) && v > 1)
		sim_error(s, "bad default action");
}

static void sim_flags(struct sim *s, uint32_t flags)
{
	struct idtun_device *st = &s->state;

	if (flags & ~(uint32_t)(IDTUN_DEVICE_FLAGS_REPLACE_PEERS |
				IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS |
				IDTUN_DEVICE_FLAGS_REPLACE_RULES))
		sim_error(s, "unknown device flags");
	if (flags & IDTUN_DEVICE_FLAGS_REPLACE_PEERS) {
		while (st->npeers)
			remove_peer(st, &st->peers[0]);
	}
	if (flags & IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS) {
		while (st->nbindings)
			binding_free(&st->bindings[--st->nbindings]);
	}
	if (flags & IDTUN_DEVICE_FLAGS_REPLACE_RULES)
		st->nrules = 0;
}

/* Applies one request; returns its number of peer entries. */
int sim_apply(struct sim *s, const struct nlmsghdr *nlh, bool first)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *peer;
	bool named = false;
	int peers = 0;

	if (nlh->nlmsg_type != FAMILY || nlh->nlmsg_flags != (NLM_F_REQUEST | NLM_F_ACK) ||
	    genl->cmd != IDTUN_CMD_SET_DEVICE || genl->version != IDTUN_FAMILY_VERSION)
		sim_error(s, "bad header");
	if (nlh->nlmsg_len > IPC_MSG_MAX)
		sim_error(s, "message larger than IPC_MSG_MAX");
	mnl_attr_for_each(a, nlh, sizeof(*genl)) {
		switch (mnl_attr_get_type(a)) {
		case IDTUN_A_DEVICE_IFNAME:
			named = !strcmp(mnl_attr_get_str(a), s->state.name);
			break;
		case IDTUN_A_DEVICE_DEFAULT_IDENTITY:
		case IDTUN_A_DEVICE_MARK_MASK:
		case IDTUN_A_DEVICE_EGRESS_DEFAULT:
		case IDTUN_A_DEVICE_INGRESS_DEFAULT:
		case IDTUN_A_DEVICE_AUDIT_RATE:
			if (!first)
				sim_error(s, "device attribute after the first message");
			sim_setting(s, a);
			break;
		case IDTUN_A_DEVICE_BINDINGS:
			sim_array(s, a, "bindings not an indexed array");
			mnl_attr_for_each_nested(peer, a)
				sim_binding(s, peer);
			break;
		case IDTUN_A_DEVICE_RULES:
			sim_array(s, a, "rules not an indexed array");
			mnl_attr_for_each_nested(peer, a)
				sim_rule(s, peer);
			break;
		case IDTUN_A_DEVICE_PRIVATE_KEY:
		case IDTUN_A_DEVICE_LISTEN_PORT:
		case IDTUN_A_DEVICE_FWMARK:
		case IDTUN_A_DEVICE_FLAGS:
			if (!first)
				sim_error(s, "device attribute after the first message");
			if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_PRIVATE_KEY) {
				memcpy(s->state.private_key, mnl_attr_get_payload(a),
				       IDTUN_KEY_LEN);
				s->state.has &= ~(uint32_t)DEV_HAS_PRIVATE_KEY;
				if (!key_is_zero(s->state.private_key))
					s->state.has |= DEV_HAS_PRIVATE_KEY;
			} else if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_LISTEN_PORT) {
				s->state.listen_port = mnl_attr_get_u16(a);
			} else if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_FWMARK) {
				s->state.fwmark = mnl_attr_get_u32(a);
			} else {
				sim_flags(s, mnl_attr_get_u32(a));
			}
			break;
		case IDTUN_A_DEVICE_PEERS:
			if (!nested(a))
				sim_error(s, "peers without NLA_F_NESTED");
			mnl_attr_for_each_nested(peer, a) {
				if (mnl_attr_get_type(peer) != peers + 1)
					sim_error(s, "peers not numbered 1, 2, ...");
				sim_peer(s, peer);
				peers++;
			}
			break;
		default:
			sim_error(s, "unexpected device attribute");
		}
	}
	if (!named)
		sim_error(s, "message without the device's name");
	return peers;
}

/* Sends dev to the simulated kernel; returns the number of messages. */
int sim_set(struct sim *s, const struct idtun_device *dev, int *error)
{
	struct ipc_set_iter it;
	struct nlmsghdr *nlh;
	int n = 0;

	ipc_set_init(&it, dev);
	while ((nlh = ipc_set_next(&it, buf, sizeof(buf), FAMILY, (uint32_t)n, error)))
		sim_apply(s, nlh, !n++);
	return n;
}

/* A new device: the kernel's defaults. */
void sim_init(struct sim *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->state.name, sizeof(s->state.name), "%s", name);
	s->state.audit_rate = DEFAULT_AUDIT_RATE;
	s->state.has |= DEV_HAS_IDTUN | DEV_HAS_FWMARK | DEV_HAS_LISTEN_PORT;
}

/* ---- the kernel, as far as GET_DEVICE goes: a dump split like its own ---- */

static void put_peer_attrs(struct nlmsghdr *nlh, const struct idtun_peer *p)
{
	static const uint8_t zero[IDTUN_KEY_LEN];

	mnl_attr_put(nlh, IDTUN_A_PEER_PRESHARED_KEY, IDTUN_KEY_LEN,
		     p->has & PEER_HAS_PRESHARED_KEY ? p->preshared_key : zero);
	if (p->endpoint.addr.sa_family)
		mnl_attr_put(nlh, IDTUN_A_PEER_ENDPOINT,
			     p->endpoint.addr.sa_family == AF_INET ?
			     sizeof(p->endpoint.addr4) : sizeof(p->endpoint.addr6),
			     &p->endpoint);
	mnl_attr_put_u16(nlh, IDTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL, p->keepalive);
	mnl_attr_put_u64(nlh, IDTUN_A_PEER_LAST_HANDSHAKE_TIME, p->last_handshake_ns);
	mnl_attr_put_u64(nlh, IDTUN_A_PEER_RX_BYTES, p->rx_bytes);
	mnl_attr_put_u64(nlh, IDTUN_A_PEER_TX_BYTES, p->tx_bytes);
	mnl_attr_put_u32(nlh, IDTUN_A_PEER_PROTOCOL_VERSION, p->protocol_version);
	if (p->has & PEER_HAS_LABELS)
		mnl_attr_put_u8(nlh, IDTUN_A_PEER_LABELS, p->labels);
	if (p->has & PEER_HAS_IDENTITY)
		mnl_attr_put_u32(nlh, IDTUN_A_PEER_IDENTITY, p->identity);
}

static void put_aids(struct nlmsghdr *nlh, const struct idtun_peer *p)
{
	struct nlattr *aids, *e;

	if (!p->naids)
		return;
	aids = mnl_attr_nest_start(nlh, IDTUN_A_PEER_ALLOWED_IDENTITIES);
	for (size_t i = 0; i < p->naids; i++) {
		e = mnl_attr_nest_start(nlh, (uint16_t)(i + 1));
		mnl_attr_put_u32(nlh, IDTUN_A_ALLOWED_IDENTITY_IDENTITY, p->aids[i].identity);
		mnl_attr_nest_end(nlh, e);
	}
	mnl_attr_nest_end(nlh, aids);
}

/* A device dump message's header and the attributes every message has. */
static struct nlmsghdr *dump_header(char *msg, const struct idtun_device *dev, uint8_t cmd,
				    uint32_t generation)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = FAMILY;
	nlh->nlmsg_flags = NLM_F_MULTI;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_IFINDEX, dev->ifindex);
	mnl_attr_put_strz(nlh, IDTUN_A_DEVICE_IFNAME, dev->name);
	mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_GENERATION, generation);
	return nlh;
}

static void put_settings(struct nlmsghdr *nlh, const struct idtun_device *dev)
{
	struct nlattr *drops;

	if (dev->has & DEV_HAS_DEFAULT_IDENTITY)
		mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_DEFAULT_IDENTITY, dev->default_identity);
	if (dev->has & DEV_HAS_MARK_MASK)
		mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_MARK_MASK, dev->mark_mask);
	if (dev->has & DEV_HAS_EGRESS_DEFAULT)
		mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_EGRESS_DEFAULT, dev->egress_default);
	if (dev->has & DEV_HAS_INGRESS_DEFAULT)
		mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_INGRESS_DEFAULT, dev->ingress_default);
	if (dev->has & DEV_HAS_AUDIT_RATE)
		mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_AUDIT_RATE, dev->audit_rate);
	if (dev->has & DEV_HAS_DROPS) {
		drops = mnl_attr_nest_start(nlh, IDTUN_A_DEVICE_DROPS);
		for (uint16_t i = 1; i <= IDTUN_A_DROPS_MAX; i++)
			mnl_attr_put_u64(nlh, i, dev->drops[i]);
		mnl_attr_nest_end(nlh, drops);
	}
}

/*
 * Fills dump messages of at most size bytes (each in its own slot of
 * out) from dev, at most ips_per_msg allowed IPs per message; returns the
 * number of messages.
 */
int dump(const struct idtun_device *dev, char (*out)[IPC_MSG_MAX], int max,
	 size_t ips_per_msg, uint32_t generation)
{
	size_t peer = 0, ip = 0, budget;
	struct nlattr *peers, *pn, *ips, *in;
	struct nlmsghdr *nlh;
	int n = 0;

	do {
		if (n == max)
			abort();
		nlh = dump_header(out[n], dev, IDTUN_CMD_GET_DEVICE, generation);
		if (!n) {
			put_settings(nlh, dev);
			if (dev->has & DEV_HAS_PRIVATE_KEY)
				mnl_attr_put(nlh, IDTUN_A_DEVICE_PRIVATE_KEY, IDTUN_KEY_LEN,
					     dev->private_key);
			if (dev->has & DEV_HAS_PUBLIC_KEY)
				mnl_attr_put(nlh, IDTUN_A_DEVICE_PUBLIC_KEY, IDTUN_KEY_LEN,
					     dev->public_key);
			mnl_attr_put_u16(nlh, IDTUN_A_DEVICE_LISTEN_PORT, dev->listen_port);
			mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_FWMARK, dev->fwmark);
		}
		budget = ips_per_msg;
		if (peer < dev->npeers) {
			peers = mnl_attr_nest_start(nlh, IDTUN_A_DEVICE_PEERS);
			for (uint16_t i = 0; peer < dev->npeers && budget; i++) {
				const struct idtun_peer *p = &dev->peers[peer];

				pn = mnl_attr_nest_start(nlh, i);
				mnl_attr_put(nlh, IDTUN_A_PEER_PUBLIC_KEY, IDTUN_KEY_LEN,
					     p->public_key);
				if (!ip)
					put_peer_attrs(nlh, p);
				ips = mnl_attr_nest_start(nlh, IDTUN_A_PEER_ALLOWED_IPS);
				for (uint16_t j = 0; ip < p->nips && budget; j++, ip++, budget--) {
					in = mnl_attr_nest_start(nlh, j);
					mnl_attr_put_u16(nlh, IDTUN_A_ALLOWEDIP_FAMILY,
							 p->ips[ip].family);
					mnl_attr_put(nlh, IDTUN_A_ALLOWEDIP_IPADDR,
						     p->ips[ip].family == AF_INET ? 4 : 16,
						     p->ips[ip].addr);
					mnl_attr_put_u8(nlh, IDTUN_A_ALLOWEDIP_CIDR_MASK,
							p->ips[ip].cidr);
					mnl_attr_nest_end(nlh, in);
				}
				mnl_attr_nest_end(nlh, ips);
				if (ip == p->nips)
					put_aids(nlh, p);
				mnl_attr_nest_end(nlh, pn);
				if (ip < p->nips)
					break;	/* continued in the next message */
				peer++;
				ip = 0;
				if (budget)
					budget--;	/* a peer costs room too */
			}
			mnl_attr_nest_end(nlh, peers);
		}
		n++;
	} while (peer < dev->npeers);
	return n;
}

#define PEER_HAS_WG (PEER_HAS_PRESHARED_KEY | PEER_HAS_KEEPALIVE)

static bool same_peer(const struct idtun_peer *a, const struct idtun_peer *b)
{
	size_t i;

	if (memcmp(a->public_key, b->public_key, IDTUN_KEY_LEN) ||
	    (a->has & PEER_HAS_WG) != (b->has & PEER_HAS_WG) ||
	    ((a->has & PEER_HAS_PRESHARED_KEY) &&
	     memcmp(a->preshared_key, b->preshared_key, IDTUN_KEY_LEN)) ||
	    memcmp(&a->endpoint, &b->endpoint, sizeof(a->endpoint)) ||
	    a->keepalive != b->keepalive || a->last_handshake_ns != b->last_handshake_ns ||
	    a->rx_bytes != b->rx_bytes || a->tx_bytes != b->tx_bytes ||
	    a->protocol_version != b->protocol_version || a->nips != b->nips ||
	    a->labels != b->labels || a->identity != b->identity || a->naids != b->naids)
		return false;
	for (i = 0; i < a->nips; i++) {
		if (!allowedip_equal(&a->ips[i], &b->ips[i]))
			return false;
	}
	for (i = 0; i < a->naids; i++) {
		if (a->aids[i].identity != b->aids[i].identity)
			return false;
	}
	return true;
}

static bool same_settings(const struct idtun_device *a, const struct idtun_device *b)
{
	for (size_t i = 0; i < device_nsettings; i++) {
		if (device_get(a, &device_settings[i]) != device_get(b, &device_settings[i]))
			return false;
	}
	return !memcmp(a->drops, b->drops, sizeof(a->drops));
}

bool same_bindings(const struct idtun_binding *a, size_t na,
		   const struct idtun_binding *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		if (a[i].identity != b[i].identity || !binding_key_equal(&a[i], &b[i]) ||
		    a[i].cgroup_id != b[i].cgroup_id)
			return false;
	}
	return true;
}

bool same_rules(const struct idtun_device *a, const struct idtun_device *b)
{
	size_t i;

	if (a->nrules != b->nrules)
		return false;
	for (i = 0; i < a->nrules; i++) {
		const struct idtun_rule *x = &a->rules[i], *y = &b->rules[i];

		if (!rule_key_equal(x, y) || x->action != y->action ||
		    x->packets != y->packets || x->bytes != y->bytes)
			return false;
	}
	return true;
}

bool same_device(const struct idtun_device *a, const struct idtun_device *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || a->ifindex != b->ifindex ||
	    a->listen_port != b->listen_port || a->fwmark != b->fwmark ||
	    (a->has & (DEV_HAS_PRIVATE_KEY | DEV_HAS_PUBLIC_KEY)) !=
	    (b->has & (DEV_HAS_PRIVATE_KEY | DEV_HAS_PUBLIC_KEY)) ||
	    memcmp(a->private_key, b->private_key, IDTUN_KEY_LEN) ||
	    memcmp(a->public_key, b->public_key, IDTUN_KEY_LEN) || a->npeers != b->npeers ||
	    !same_settings(a, b) || !same_rules(a, b) ||
	    !same_bindings(a->bindings, a->nbindings, b->bindings, b->nbindings))
		return false;
	for (i = 0; i < a->npeers; i++) {
		if (!same_peer(&a->peers[i], &b->peers[i]))
			return false;
	}
	return true;
}

/* Reads n dump messages into dev. */
void read_dump(struct ipc_get_ctx *ctx, struct idtun_device *dev, int n)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	memset(dev, 0, sizeof(*dev));
	ctx->dev = dev;
	for (i = 0; i < n; i++)
		ipc_get_parse((struct nlmsghdr *)msgs[i], ctx);
}

void add_many_ips(struct idtun_peer *p, size_t n, size_t base)
{
	struct idtun_allowedip ip = { 0 };
	size_t i;

	for (i = base; i < base + n; i++) {
		memset(&ip, 0, sizeof(ip));
		if (i % 3 == 2) {
			ip.family = AF_INET6;
			ip.addr[0] = 0xfd;
			ip.addr[12] = (uint8_t)(i >> 8);
			ip.addr[13] = (uint8_t)i;
			ip.cidr = 128;
		} else {
			ip.family = AF_INET;
			ip.addr[0] = 10;
			ip.addr[1] = (uint8_t)(i >> 16);
			ip.addr[2] = (uint8_t)(i >> 8);
			ip.addr[3] = (uint8_t)i;
			ip.cidr = 32;
		}
		peer_add_ip(p, &ip);
	}
}

/* Parses text as a configuration file named idtun0. */
bool conf(struct idtun_device *dev, const char *text, bool append)
{
	char err[CONFIG_ERR_LEN];
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	bool ret;

	memset(dev, 0, sizeof(*dev));
	ret = config_parse(dev, f, "test", append, err);
	fclose(f);
	if (!ret)
		printf("# %s\n", err);
	strcpy(dev->name, "idtun0");
	return ret;
}

/* A dump of get-identities, at most per_msg bindings to a message. */
int dump_identities(const struct idtun_device *dev, size_t per_msg)
{
	size_t id = 0, bnd = 0, budget;
	struct nlattr *ids, *in, *bs, *bn;
	struct nlmsghdr *nlh;
	int n = 0;

	do {
		nlh = dump_header(msgs[n], dev, IDTUN_CMD_GET_IDENTITIES, 3);
		ids = mnl_attr_nest_start(nlh, IDTUN_A_DEVICE_IDENTITIES);
		for (budget = per_msg; id < dev->nidentities && budget; ) {
			const struct idtun_identity *x = &dev->identities[id];

			in = mnl_attr_nest_start(nlh, (uint16_t)(id + 1));
			mnl_attr_put_u32(nlh, IDTUN_A_IDENTITY_IDENTITY, x->identity);
			if (!bnd) {
				if (x->name[0])
					mnl_attr_put_strz(nlh, IDTUN_A_IDENTITY_NAME, x->name);
				mnl_attr_put_u64(nlh, IDTUN_A_IDENTITY_TX_PACKETS, x->tx_packets);
				mnl_attr_put_u64(nlh, IDTUN_A_IDENTITY_TX_BYTES, x->tx_bytes);
				mnl_attr_put_u64(nlh, IDTUN_A_IDENTITY_RX_PACKETS, x->rx_packets);
				mnl_attr_put_u64(nlh, IDTUN_A_IDENTITY_RX_BYTES, x->rx_bytes);
				mnl_attr_put_u64(nlh, IDTUN_A_IDENTITY_TX_DROPPED, x->tx_dropped);
				mnl_attr_put_u64(nlh, IDTUN_A_IDENTITY_RX_DROPPED, x->rx_dropped);
			}
			bs = mnl_attr_nest_start(nlh, IDTUN_A_IDENTITY_BINDINGS);
			for (uint16_t j = 1; bnd < x->nbindings && budget; bnd++, budget--, j++) {
				const struct idtun_binding *b = &x->bindings[bnd];

				bn = mnl_attr_nest_start(nlh, j);
				mnl_attr_put_u32(nlh, IDTUN_A_BINDING_IDENTITY, b->identity);
				if (b->cgroup) {
					mnl_attr_put_strz(nlh, IDTUN_A_BINDING_CGROUP, b->cgroup);
					mnl_attr_put_u64(nlh, IDTUN_A_BINDING_CGROUP_ID, b->cgroup_id);
				} else {
					mnl_attr_put_u16(nlh, IDTUN_A_BINDING_FAMILY, b->prefix.family);
					mnl_attr_put(nlh, IDTUN_A_BINDING_IPADDR,
						     b->prefix.family == AF_INET ? 4 : 16,
						     b->prefix.addr);
					mnl_attr_put_u8(nlh, IDTUN_A_BINDING_CIDR_MASK, b->prefix.cidr);
				}
				mnl_attr_nest_end(nlh, bn);
			}
			mnl_attr_nest_end(nlh, bs);
			mnl_attr_nest_end(nlh, in);
			if (bnd < x->nbindings)
				break;
			id++;
			bnd = 0;
			budget--;
		}
		mnl_attr_nest_end(nlh, ids);
		if (nlh->nlmsg_len > IPC_MSG_MAX)
			abort();	/* the test's own mistake */
		n++;
	} while (id < dev->nidentities);
	return n;
}

/* A dump of get-policy, at most per_msg rules to a message. */
int dump_policy(const struct idtun_device *dev, size_t per_msg)
{
	struct nlattr *rules, *rn;
	struct nlmsghdr *nlh;
	size_t r = 0, k;
	int n = 0;

	do {
		nlh = dump_header(msgs[n], dev, IDTUN_CMD_GET_POLICY, 4);
		if (!n) {
			mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_EGRESS_DEFAULT, dev->egress_default);
			mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_INGRESS_DEFAULT, dev->ingress_default);
		}
		rules = mnl_attr_nest_start(nlh, IDTUN_A_DEVICE_RULES);
		for (k = 0; r < dev->nrules && k < per_msg; r++, k++) {
			const struct idtun_rule *x = &dev->rules[r];

			rn = mnl_attr_nest_start(nlh, (uint16_t)(k + 1));
			mnl_attr_put_u32(nlh, IDTUN_A_RULE_DIRECTION, x->direction);
			if (x->has & RULE_HAS_IDENTITY)
				mnl_attr_put_u32(nlh, IDTUN_A_RULE_IDENTITY, x->identity);
			if (x->to.family) {
				mnl_attr_put_u16(nlh, IDTUN_A_RULE_FAMILY, x->to.family);
				mnl_attr_put(nlh, IDTUN_A_RULE_IPADDR,
					     x->to.family == AF_INET ? 4 : 16, x->to.addr);
				mnl_attr_put_u8(nlh, IDTUN_A_RULE_CIDR_MASK, x->to.cidr);
			}
			if (x->protocol)
				mnl_attr_put_u8(nlh, IDTUN_A_RULE_PROTOCOL, x->protocol);
			if (x->has & RULE_HAS_PORTS) {
				mnl_attr_put_u16(nlh, IDTUN_A_RULE_PORT_MIN, x->port_min);
				/* port-max defaults to port-min */
				if (x->port_max != x->port_min)
					mnl_attr_put_u16(nlh, IDTUN_A_RULE_PORT_MAX, x->port_max);
			}
			mnl_attr_put_u32(nlh, IDTUN_A_RULE_ACTION, x->action);
			mnl_attr_put_u64(nlh, IDTUN_A_RULE_PACKETS, x->packets);
			mnl_attr_put_u64(nlh, IDTUN_A_RULE_BYTES, x->bytes);
			mnl_attr_nest_end(nlh, rn);
		}
		mnl_attr_nest_end(nlh, rules);
		if (nlh->nlmsg_len > IPC_MSG_MAX)
			abort();	/* the test's own mistake */
		n++;
	} while (r < dev->nrules);
	return n;
}
