// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink requests and dumps without a kernel. SET_DEVICE requests are
 * built, checked attribute by attribute, and applied to a model of the
 * kernel's semantics (WireGuard's: replace-peers, remove-me, update-only,
 * replace-allowedips, prefixes moving between peers); GET_DEVICE dumps are
 * produced the way the kernel splits them and read back. syncconf's
 * requests are applied the same way and must reach the file's state
 * without recreating the peers that stay.
 */

#include "config.h"
#include "ipc.h"
#include "model.h"
#include "sync.h"
#include "tap.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/idtun.h>
#include <stdlib.h>
#include <string.h>

#define FAMILY 0x1d

static char buf[IPC_MSG_MAX];

/* ---- the kernel, as far as SET_DEVICE goes ---- */

struct sim {
	struct idtun_device state;
	unsigned int created;	/* peers created so far: each gets a serial */
	size_t binding_entries, rule_entries;	/* entries received */
	const char *error;	/* the first malformed attribute seen */
};

/* A peer's serial, kept where the tests read nothing else: rx_bytes. */
#define serial rx_bytes

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
static int sim_apply(struct sim *s, const struct nlmsghdr *nlh, bool first)
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
static int sim_set(struct sim *s, const struct idtun_device *dev, int *error)
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
static void sim_init(struct sim *s, const char *name)
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
 * msgs) from dev, at most ips_per_msg allowed IPs per message; returns the
 * number of messages.
 */
static int dump(const struct idtun_device *dev, char (*msgs)[IPC_MSG_MAX], int max,
		size_t ips_per_msg, uint32_t generation)
{
	size_t peer = 0, ip = 0, budget;
	struct nlattr *peers, *pn, *ips, *in;
	struct nlmsghdr *nlh;
	int n = 0;

	do {
		if (n == max)
			abort();
		nlh = dump_header(msgs[n], dev, IDTUN_CMD_GET_DEVICE, generation);
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

static bool same_bindings(const struct idtun_binding *a, size_t na,
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

static bool same_rules(const struct idtun_device *a, const struct idtun_device *b)
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

static bool same_device(const struct idtun_device *a, const struct idtun_device *b)
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

static char msgs[4000][IPC_MSG_MAX];

/* Reads n dump messages into dev. */
static void read_dump(struct ipc_get_ctx *ctx, struct idtun_device *dev, int n)
{
	int i;

	memset(ctx, 0, sizeof(*ctx));
	memset(dev, 0, sizeof(*dev));
	ctx->dev = dev;
	for (i = 0; i < n; i++)
		ipc_get_parse((struct nlmsghdr *)msgs[i], ctx);
}

/* Keepalive and the flags of a model as a request means them. */
static void as_request(struct idtun_device *dev)
{
	for (size_t i = 0; i < dev->npeers; i++) {
		dev->peers[i].has |= PEER_HAS_KEEPALIVE;
		dev->peers[i].flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS |
				      IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES;
	}
	dev->flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS | IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS |
		     IDTUN_DEVICE_FLAGS_REPLACE_RULES;
}

static void add_many_ips(struct idtun_peer *p, size_t n, size_t base)
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

/* What the kernel keeps of a model: nothing reply-only. */
static void as_kept(struct idtun_device *want)
{
	want->has &= ~(uint32_t)(DEV_HAS_PUBLIC_KEY | DEV_HAS_DROPS);
	memset(want->public_key, 0, IDTUN_KEY_LEN);
	memset(want->drops, 0, sizeof(want->drops));
	want->ifindex = 0;
	for (size_t i = 0; i < want->npeers; i++) {
		struct idtun_peer *p = &want->peers[i];

		p->last_handshake_ns = p->tx_bytes = p->protocol_version = 0;
		p->has &= ~(uint32_t)PEER_HAS_KEEPALIVE;
		p->serial = i + 1;
	}
	for (size_t i = 0; i < want->nrules; i++)
		want->rules[i].packets = want->rules[i].bytes = 0;
}

static void set_model(void (*make)(struct idtun_device *), const char *what)
{
	struct idtun_device dev, want;
	struct sim s;
	int error, n;

	make(&dev);
	as_request(&dev);
	sim_init(&s, dev.name);
	n = sim_set(&s, &dev, &error);
	ok(n == 1 && !error, "%s fits one message", what);
	ok(!s.error, "every attribute well formed%s%s", s.error ? ": " : "",
	   s.error ? s.error : "");
	make(&want);
	as_kept(&want);
	for (size_t i = 0; i < s.state.npeers; i++)
		s.state.peers[i].has &= ~(uint32_t)PEER_HAS_KEEPALIVE;
	ok(same_device(&s.state, &want), "the kernel ends up with %s", what);
	device_free(&dev);
	device_free(&want);
	device_free(&s.state);
}

static void test_set_model(void)
{
	set_model(model_device, "the model");
	set_model(model_idtun, "the model with identities and policy");
}

static void test_set_split(void)
{
	struct idtun_device dev = { 0 };
	struct idtun_peer *p;
	struct sim s;
	int error, n;
	bool ips_ok = true;

	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS;
	dev.has = DEV_HAS_LISTEN_PORT;
	dev.listen_port = 7;
	p = model_peer(&dev, 0);
	p->flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
	p->has = PEER_HAS_KEEPALIVE;
	p->keepalive = 9;
	add_many_ips(p, 10000, 0);
	p = model_peer(&dev, 1);
	p->flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
	model_ip(p, "192.0.2.0", 24);

	sim_init(&s, dev.name);
	/* What the device had must go: replace-peers and replace-allowedips. */
	p = model_peer(&s.state, 0);
	model_ip(p, "172.16.0.0", 12);
	p = model_peer(&s.state, 2);
	n = sim_set(&s, &dev, &error);
	ok(!error && n > 50, "10,000 allowed IPs take %d messages", n);
	ok(!s.error, "all well formed, each at most %d bytes%s%s", IPC_MSG_MAX,
	   s.error ? ": " : "", s.error ? s.error : "");
	ok(s.state.npeers == 2 && s.state.listen_port == 7, "two peers, the port set");
	p = device_find_peer(&s.state, dev.peers[0].public_key);
	ok(p && p->nips == 10000 && p->keepalive == 9, "the first peer has all 10,000");
	for (size_t i = 0; p && i < p->nips && i < 10000; i++)
		ips_ok &= allowedip_equal(&p->ips[i], &dev.peers[0].ips[i]);
	ok(p && ips_ok, "in order");
	p = device_find_peer(&s.state, dev.peers[1].public_key);
	ok(p && p->nips == 1, "the second peer follows in the last message");
	device_free(&s.state);

	/* Continuations: key, flags minus replace-allowedips, prefixes only. */
	{
		struct ipc_set_iter it;
		struct nlmsghdr *nlh;
		const struct nlattr *a, *peers = NULL, *first;
		bool cont_ok = true;
		int m = 0;

		dev.peers[0].flags |= IDTUN_PEER_FLAGS_UPDATE_ONLY;
		ipc_set_init(&it, &dev);
		while ((nlh = ipc_set_next(&it, buf, sizeof(buf), FAMILY, 1, &error))) {
			if (!m++)
				continue;
			mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
				if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_PEERS)
					peers = a;
				else if (mnl_attr_get_type(a) != IDTUN_A_DEVICE_IFNAME)
					cont_ok = false;
			}
			first = mnl_attr_get_payload(peers);
			mnl_attr_for_each_nested(a, first) {
				uint16_t t = mnl_attr_get_type(a);

				if (t == IDTUN_A_PEER_FLAGS)
					cont_ok &= mnl_attr_get_u32(a) ==
						   IDTUN_PEER_FLAGS_UPDATE_ONLY;
				else if (t != IDTUN_A_PEER_PUBLIC_KEY &&
					 t != IDTUN_A_PEER_ALLOWED_IPS)
					cont_ok = false;
			}
		}
		ok(m == n && cont_ok, "continued peers carry only key, update-only and prefixes");
	}
	device_free(&dev);
}

static void test_set_many_peers(void)
{
	struct idtun_device dev = { 0 };
	struct idtun_peer *p;
	struct sim s;
	int error, n;
	bool all = true;

	strcpy(dev.name, "idtun0");
	for (int i = 0; i < 1000; i++) {
		p = device_add_peer(&dev);
		p->public_key[0] = (uint8_t)i;
		p->public_key[1] = (uint8_t)(i >> 8);
		p->public_key[31] = 1;
		p->has = PEER_HAS_PRESHARED_KEY;
		p->preshared_key[0] = 1;
		add_many_ips(p, 3, 3 * (size_t)i);
	}
	sim_init(&s, dev.name);
	n = sim_set(&s, &dev, &error);
	ok(!error && n > 1 && !s.error && s.state.npeers == 1000,
	   "1000 peers in %d messages", n);
	for (size_t i = 0; i < s.state.npeers; i++)
		all &= s.state.peers[i].nips == 3 &&
		       (s.state.peers[i].has & PEER_HAS_PRESHARED_KEY);
	ok(all, "each with its key and prefixes");
	device_free(&s.state);

	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS;
	device_free(&dev);
	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS;
	sim_init(&s, dev.name);
	model_peer(&s.state, 0);
	n = sim_set(&s, &dev, &error);
	ok(n == 1 && !error && !s.state.npeers, "no peers: one message, replace-peers");
	device_free(&s.state);
}

static void test_set_too_small(void)
{
	struct idtun_device dev;
	struct ipc_set_iter it;
	int error;

	int n = 0;

	model_device(&dev);
	ipc_set_init(&it, &dev);
	while (n < 100 && ipc_set_next(&it, buf, 96, FAMILY, 1, &error))
		n++;
	ok(n < 100 && error == -EMSGSIZE,
	   "a buffer too small for a peer: EMSGSIZE after %d messages, not a loop", n);
	ipc_set_init(&it, &dev);
	ok(!ipc_set_next(&it, buf, 60, FAMILY, 1, &error) && error == -EMSGSIZE,
	   "too small for the device's own attributes: EMSGSIZE at once");
	device_free(&dev);
}

static void test_get(void)
{
	struct idtun_device dev, got;
	struct ipc_get_ctx ctx;
	int n;

	model_device(&dev);
	n = dump(&dev, msgs, 4000, 1000, 9);
	read_dump(&ctx, &got, n);
	ok(n == 1 && !ctx.restart && !ctx.malformed && same_device(&got, &dev),
	   "one message reads back as the model");
	device_free(&got);

	n = dump(&dev, msgs, 4000, 1, 9);
	read_dump(&ctx, &got, n);
	ok(n > 5 && !ctx.restart && !ctx.malformed && same_device(&got, &dev),
	   "one prefix per message (%d messages): peers continued, same model", n);
	device_free(&got);

	add_many_ips(&dev.peers[0], 10000, 0);
	n = dump(&dev, msgs, 4000, 80, 9);
	read_dump(&ctx, &got, n);
	ok(n > 100 && !ctx.malformed && same_device(&got, &dev),
	   "10,000 prefixes over %d messages", n);
	device_free(&got);

	/* The configuration changed between two messages of the dump. */
	n = dump(&dev, msgs, 4000, 80, 9);
	mnl_attr_put_u32((struct nlmsghdr *)msgs[n - 1], IDTUN_A_DEVICE_GENERATION, 10);
	read_dump(&ctx, &got, n);
	ok(ctx.restart, "a new generation mid-dump: read it again");
	device_free(&got);

	n = dump(&dev, msgs, 4000, 80, 9);
	((struct nlmsghdr *)msgs[1])->nlmsg_flags |= NLM_F_DUMP_INTR;
	read_dump(&ctx, &got, n);
	ok(ctx.restart, "NLM_F_DUMP_INTR: read it again");
	device_free(&got);
	device_free(&dev);

	/* Replies the tool must refuse rather than misread. */
	model_device(&dev);
	dev.peers[2].ips[0].cidr = 33;
	n = dump(&dev, msgs, 4000, 1000, 9);
	read_dump(&ctx, &got, n);
	ok(ctx.malformed, "an IPv4 prefix longer than 32: malformed");
	device_free(&got);
	device_free(&dev);
}

/* Parses text as a configuration file named idtun0. */
static bool conf(struct idtun_device *dev, const char *text, bool append)
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

#define K(i) model_peer_keys[i]

static void test_sync(void)
{
	struct idtun_device file, setconf, req = { 0 };
	struct sim s, want;
	char text[2048];
	int error;
	bool kept;

	/* The device as setconf left it. */
	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\nListenPort = 51820\nFwMark = 5\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.1/32, 10.0.0.2/32\n"
		 "PersistentKeepalive = 25\n"
		 "[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.0.1.0/24\n"
		 "Endpoint = 192.0.2.1:1\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.2.0/24\n",
		 MODEL_PRIVATE, K(0), K(1), MODEL_PSK, K(2));
	conf(&setconf, text, false);
	sim_init(&s, "idtun0");
	sim_set(&s, &setconf, &error);
	ok(s.state.npeers == 3 && !s.error, "setconf: three peers");

	/* The file: peer 2 gone, peer 3 new, 10.0.0.2 moved from peer 0 to 1,
	 * peer 1's preshared key dropped, peer 0's keepalive off, port unnamed. */
	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\nFwMark = 5\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.1/32\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.1.0/24, 10.0.0.2/32\n"
		 "Endpoint = 192.0.2.1:1\n"
		 "[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.3.0/24\n",
		 MODEL_PRIVATE, K(0), K(1), K(3));
	ok(conf(&file, text, true), "syncconf parses the file");
	ok(!sync_request(&req, &file, &s.state), "computes the difference");
	ok(!(req.has & (DEV_HAS_PRIVATE_KEY | DEV_HAS_LISTEN_PORT | DEV_HAS_FWMARK)) &&
	   !req.flags, "unchanged key, port and fwmark are not sent, nor replace-peers");
	kept = true;
	for (size_t i = 0; i < req.npeers; i++) {
		const struct idtun_peer *r = &req.peers[i];
		bool old = !memcmp(r->public_key, s.state.peers[0].public_key, 32) ||
			   !memcmp(r->public_key, s.state.peers[1].public_key, 32);

		if (old && (r->flags & (IDTUN_PEER_FLAGS_REMOVE_ME |
					IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS)))
			kept = false;
	}
	ok(kept, "kept peers are neither removed nor have their prefixes replaced");
	sim_set(&s, &req, &error);
	ok(!s.error && !error, "the request is well formed");
	ok(s.state.npeers == 3 && s.state.peers[0].serial == 1 &&
	   s.state.peers[1].serial == 2, "kept peers were never recreated");

	/* Applying the file with setconf to a fresh device gives the same. */
	device_free(&setconf);
	conf(&setconf, text, false);
	setconf.has &= ~(uint32_t)DEV_HAS_LISTEN_PORT;
	sim_init(&want, "idtun0");
	want.state.listen_port = 51820;
	sim_set(&want, &setconf, &error);
	for (size_t i = 0; i < s.state.npeers; i++)
		s.state.peers[i].serial = want.state.peers[i].serial;
	ok(same_device(&s.state, &want.state), "the device now is what the file says");
	device_free(&req);
	memset(&req, 0, sizeof(req));
	ok(!sync_request(&req, &file, &s.state) && req.npeers == 0 && !req.has,
	   "a second syncconf changes nothing");

	device_free(&req);
	device_free(&file);
	device_free(&setconf);
	device_free(&s.state);
	device_free(&want.state);
}


/* ---- identities and policy: many entries, split and read back ---- */

static void many_rules(struct idtun_device *dev, size_t n, size_t base)
{
	struct idtun_rule r;
	size_t i;

	for (i = base; i < base + n; i++) {
		memset(&r, 0, sizeof(r));
		r.has = RULE_HAS_IDENTITY | RULE_HAS_ACTION | RULE_HAS_PORTS;
		r.direction = (uint32_t)(i % 2);
		r.identity = (uint32_t)(i / 50);
		r.to.family = AF_INET;
		r.to.addr[0] = 10;
		r.to.addr[1] = (uint8_t)(i >> 8);
		r.to.addr[2] = (uint8_t)i;
		r.to.cidr = 24;
		r.protocol = i % 3 ? IPPROTO_TCP : IPPROTO_UDP;
		r.port_min = (uint16_t)(1000 + i % 50);
		r.port_max = (uint16_t)(r.port_min + i % 7);
		r.action = i % 3 == 0;
		device_add_rule(dev, &r);
	}
}

static void many_bindings(struct idtun_device *dev, size_t n, size_t base)
{
	struct idtun_binding b;
	char path[128];
	size_t i;

	for (i = base; i < base + n; i++) {
		memset(&b, 0, sizeof(b));
		b.identity = (uint32_t)(1 + i % 100);
		if (i % 2) {
			snprintf(path, sizeof(path),
				 "/kubepods.slice/kubepods-burstable.slice/pod%zu.slice/cri-%0*zu",
				 i, (int)(i % 40), i);
			b.cgroup = path;
		} else {
			b.prefix.family = AF_INET6;
			b.prefix.addr[0] = 0xfd;
			b.prefix.addr[13] = (uint8_t)(i >> 16);
			b.prefix.addr[14] = (uint8_t)(i >> 8);
			b.prefix.addr[15] = (uint8_t)i;
			b.prefix.cidr = 128;
		}
		device_add_binding(dev, &b);
	}
}

static void test_set_many_entries(void)
{
	struct idtun_device dev = { 0 };
	struct sim s;
	int error, n;

	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_RULES;
	many_rules(&dev, 10000, 0);
	sim_init(&s, dev.name);
	many_rules(&s.state, 3, 20000);		/* replaced */
	n = sim_set(&s, &dev, &error);
	ok(!error && n > 50 && !s.error, "10,000 rules in %d messages of at most %d bytes%s%s",
	   n, IPC_MSG_MAX, s.error ? ": " : "", s.error ? s.error : "");
	ok(s.rule_entries == 10000 && same_rules(&s.state, &dev),
	   "each rule sent once, none lost, in order (%zu sent)", s.rule_entries);
	device_free(&s.state);
	device_free(&dev);

	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS;
	many_bindings(&dev, 10000, 0);
	sim_init(&s, dev.name);
	many_bindings(&s.state, 3, 20001);	/* replaced */
	n = sim_set(&s, &dev, &error);
	ok(!error && n > 50 && !s.error, "10,000 bindings in %d messages%s%s", n,
	   s.error ? ": " : "", s.error ? s.error : "");
	ok(s.binding_entries == 10000 &&
	   same_bindings(s.state.bindings, s.state.nbindings, dev.bindings, dev.nbindings),
	   "each binding sent once, none lost, in order (%zu sent)", s.binding_entries);
	device_free(&s.state);
	device_free(&dev);
}

/* Which arrays a request message holds: 1 bindings, 2 rules, 4 peers. */
static unsigned int kinds(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;
	unsigned int k = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_BINDINGS)
			k |= 1;
		else if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_RULES)
			k |= 2;
		else if (mnl_attr_get_type(a) == IDTUN_A_DEVICE_PEERS)
			k |= 4;
	}
	return k;
}

static void test_set_order(void)
{
	struct idtun_device dev = { 0 }, want;
	struct ipc_set_iter it;
	struct nlmsghdr *nlh;
	struct idtun_peer *p;
	unsigned int last = 0, k;
	bool ordered = true;
	struct sim s;
	int error, n = 0;

	strcpy(dev.name, "idtun0");
	dev.flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS | IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS |
		    IDTUN_DEVICE_FLAGS_REPLACE_RULES;
	p = model_peer(&dev, 0);
	add_many_ips(p, 2000, 0);
	for (uint32_t i = 1; i <= 3000; i++)
		peer_add_aid(p, i, false);
	p->flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES;
	model_peer(&dev, 1)->labels = 1;
	dev.peers[1].has = PEER_HAS_LABELS;
	many_bindings(&dev, 3000, 0);
	many_rules(&dev, 3000, 0);
	ipc_set_init(&it, &dev);
	sim_init(&s, dev.name);
	while ((nlh = ipc_set_next(&it, buf, sizeof(buf), FAMILY, (uint32_t)n, &error))) {
		k = kinds(nlh);
		/* Never an earlier kind after a later one. */
		if (k && last && (k & (last - 1) & ~last))
			ordered = false;
		if (k)
			last = 1u << (31 - __builtin_clz(k));
		sim_apply(&s, nlh, !n++);
	}
	ok(!error && ordered && n > 40,
	   "bindings, then rules, then peers, as the kernel applies them (%d messages)", n);
	want = dev;
	ok(!s.error && s.state.npeers == 2 && s.state.peers[0].nips == 2000 &&
	   s.state.peers[0].naids == 3000 && s.state.peers[1].labels == 1 &&
	   same_bindings(s.state.bindings, s.state.nbindings, want.bindings, want.nbindings) &&
	   same_rules(&s.state, &want), "a peer's allowed identities continue like its prefixes");
	device_free(&s.state);
	device_free(&dev);
}

static void test_set_long_cgroup(void)
{
	struct idtun_device dev = { 0 };
	struct idtun_binding b = { .identity = 1 };
	struct ipc_set_iter it;
	struct nlmsghdr *nlh;
	char *path = malloc(4100);
	int error;

	strcpy(dev.name, "idtun0");
	memset(path, 'a', 4099);
	path[0] = '/';
	path[4000] = '\0';	/* the longest the tool sends */
	b.cgroup = path;
	device_add_binding(&dev, &b);
	ipc_set_init(&it, &dev);
	nlh = ipc_set_next(&it, buf, sizeof(buf), FAMILY, 1, &error);
	ok(nlh && nlh->nlmsg_len <= IPC_MSG_MAX && kinds(nlh) == 1 &&
	   !ipc_set_next(&it, buf, sizeof(buf), FAMILY, 2, &error) && !error,
	   "a 4000-character cgroup path fits a message");
	device_free(&dev);

	strcpy(dev.name, "idtun0");
	path[4000] = 'a';
	path[4090] = '\0';
	device_add_binding(&dev, &b);
	ipc_set_init(&it, &dev);
	while (ipc_set_next(&it, buf, sizeof(buf), FAMILY, 1, &error))
		;
	ok(error == -EMSGSIZE, "a longer one: EMSGSIZE, not a loop");
	device_free(&dev);
	free(path);
}

/* A dump of get-identities, at most per_msg bindings to a message. */
static int dump_identities(const struct idtun_device *dev, size_t per_msg)
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

static bool same_identities(const struct idtun_device *a, const struct idtun_device *b)
{
	if (a->nidentities != b->nidentities)
		return false;
	for (size_t i = 0; i < a->nidentities; i++) {
		const struct idtun_identity *x = &a->identities[i], *y = &b->identities[i];

		if (x->identity != y->identity || strcmp(x->name, y->name) ||
		    x->tx_packets != y->tx_packets || x->tx_bytes != y->tx_bytes ||
		    x->rx_packets != y->rx_packets || x->rx_bytes != y->rx_bytes ||
		    x->tx_dropped != y->tx_dropped || x->rx_dropped != y->rx_dropped ||
		    !same_bindings(x->bindings, x->nbindings, y->bindings, y->nbindings))
			return false;
	}
	return true;
}

/* A dump of get-policy, at most per_msg rules to a message. */
static int dump_policy(const struct idtun_device *dev, size_t per_msg)
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

static void test_get_idtun(void)
{
	struct idtun_device dev, got;
	struct ipc_get_ctx ctx;
	int n;

	model_idtun(&dev);
	free(dev.rules);
	dev.rules = NULL;
	dev.nrules = dev.rules_cap = 0;
	for (size_t i = 0; i < dev.nbindings; i++)
		binding_free(&dev.bindings[i]);
	dev.nbindings = 0;
	n = dump(&dev, msgs, 4000, 1, 9);
	read_dump(&ctx, &got, n);
	ok(n > 5 && !ctx.malformed && same_device(&got, &dev),
	   "settings, drops, labels, identities and allowed identities read back (%d messages)",
	   n);
	device_free(&got);
	device_free(&dev);

	model_identities(&dev);
	n = dump_identities(&dev, 1);
	read_dump(&ctx, &got, n);
	ok(n > 3 && !ctx.malformed && same_identities(&got, &dev),
	   "identities with one binding a message (%d messages): bindings continued", n);
	device_free(&got);
	many_bindings(&dev, 10000, 0);
	for (size_t i = 0; i < dev.nbindings; i++) {
		struct idtun_identity *id = &dev.identities[1 + i % 4];

		dev.bindings[i].identity = id->identity;
		identity_add_binding(id, &dev.bindings[i]);
	}
	n = dump_identities(&dev, 25);
	read_dump(&ctx, &got, n);
	ok(n > 100 && !ctx.malformed && same_identities(&got, &dev),
	   "10,000 bindings over %d messages", n);

	device_free(&got);
	device_free(&dev);

	model_idtun(&dev);
	n = dump_policy(&dev, 2);
	read_dump(&ctx, &got, n);
	dev.ifindex = got.ifindex;
	ok(n == 4 && !ctx.malformed && same_rules(&got, &dev) &&
	   got.egress_default == IDTUN_ACTION_DENY && (got.has & DEV_HAS_EGRESS_DEFAULT),
	   "policy: defaults and rules with counters read back");
	device_free(&got);
	many_rules(&dev, 10000, 0);
	n = dump_policy(&dev, 35);
	read_dump(&ctx, &got, n);
	ok(n > 250 && !ctx.malformed && same_rules(&got, &dev), "10,000 rules over %d messages",
	   n);
	device_free(&got);
	device_free(&dev);

	/* Replies the tool must refuse rather than misread. */
	model_idtun(&dev);
	dev.rules[1].to.cidr = 40;
	n = dump_policy(&dev, 100);
	read_dump(&ctx, &got, n);
	ok(ctx.malformed, "a rule's IPv4 prefix longer than 32: malformed");
	device_free(&got);
	device_free(&dev);
}

static void test_names(void)
{
	struct idtun_names want, got = { 0 };
	struct ipc_names_ctx ctx = { .names = &got };
	struct nlmsghdr *nlh;
	bool same = true;

	model_names(&want);
	for (size_t i = 0; i < want.n; i++) {
		nlh = mnl_nlmsg_put_header(msgs[i]);
		nlh->nlmsg_type = FAMILY;
		nlh->nlmsg_flags = NLM_F_MULTI;
		((struct genlmsghdr *)mnl_nlmsg_put_extra_header(nlh, 4))->cmd =
			IDTUN_CMD_GET_NAMES;
		mnl_attr_put_u32(nlh, IDTUN_A_IDENTITY_IDENTITY, want.v[i].identity);
		mnl_attr_put_strz(nlh, IDTUN_A_IDENTITY_NAME, want.v[i].name);
		ipc_names_parse(nlh, &ctx);
	}
	for (size_t i = 0; i < want.n; i++)
		same &= names_by_id(&got, want.v[i].identity) &&
			!strcmp(names_by_id(&got, want.v[i].identity)->name, want.v[i].name);
	ok(!ctx.malformed && got.n == want.n && same, "get-names read back");
	nlh = mnl_nlmsg_put_header(msgs[0]);
	nlh->nlmsg_type = FAMILY;
	mnl_nlmsg_put_extra_header(nlh, 4);
	mnl_attr_put_u32(nlh, IDTUN_A_IDENTITY_IDENTITY, 7);
	mnl_attr_put_strz(nlh, IDTUN_A_IDENTITY_NAME,
			  "a-name-of-sixty-four-characters-which-is-one-more-than-the-spec!");
	ipc_names_parse(nlh, &ctx);
	ok(ctx.malformed, "a name longer than 63 characters: malformed");
	names_free(&want);
	names_free(&got);
}

/* The sim's flat bindings as get-identities lists them, under identities. */
static void as_dumped(struct idtun_device *st)
{
	struct idtun_identity *id;
	size_t i, j;

	for (i = 0; i < st->nbindings; i++) {
		for (j = 0; j < st->nidentities; j++) {
			if (st->identities[j].identity == st->bindings[i].identity)
				break;
		}
		id = j < st->nidentities ? &st->identities[j] : device_add_identity(st);
		id->identity = st->bindings[i].identity;
		identity_add_binding(id, &st->bindings[i]);
	}
	device_sort_rules(st);
}

static void forget_identities(struct idtun_device *st)
{
	for (size_t i = 0; i < st->nidentities; i++) {
		for (size_t j = 0; j < st->identities[i].nbindings; j++)
			binding_free(&st->identities[i].bindings[j]);
		free(st->identities[i].bindings);
	}
	free(st->identities);
	st->identities = NULL;
	st->nidentities = st->identities_cap = 0;
}

static int qsort_binding(const void *a, const void *b)
{
	return binding_key_cmp(a, b);
}

static void sort_state(struct idtun_device *st)
{
	qsort(st->bindings, st->nbindings, sizeof(*st->bindings), qsort_binding);
	device_sort_rules(st);
}

static void test_sync_policy(void)
{
	struct idtun_device setconf, file, req = { 0 };
	struct sim s, want;
	char text[2048];
	bool no_remove_changed = true, no_flush;
	int error;

	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\nAuditRate = 10\n"
		 "[Peer]\nPublicKey = %s\nLabels = on\nAllowedIdentities = 1001, db\n"
		 "[Identity]\nIdentity = 1001\nName = web\nCgroup = /a\nPrefix = 10.1.0.0/24\n"
		 "[Identity]\nIdentity = 1002\nName = db\nCgroup = /b\n"
		 "[Policy]\nRule = egress from web to 10.2.0.0/16 proto tcp port 443 allow\n"
		 "Rule = egress deny\nRule = ingress from 1002 allow\n",
		 MODEL_PRIVATE, K(0));
	ok(conf(&setconf, text, false), "setconf: a file with identities and policy");
	sim_init(&s, "idtun0");
	sim_set(&s, &setconf, &error);
	ok(!s.error && s.state.nbindings == 3 && s.state.nrules == 3 &&
	   s.state.peers[0].naids == 2 && s.state.audit_rate == 10, "setconf applies it");

	/* /a moves to db, /b goes, a prefix comes; one rule changes its action,
	 * one goes, one comes; db is no longer allowed, 1003 is; labels off. */
	snprintf(text, sizeof(text),
		 "[Interface]\nPrivateKey = %s\nEgressDefault = deny\n"
		 "[Peer]\nPublicKey = %s\nAllowedIdentities = 1001, 1003\n"
		 "[Identity]\nIdentity = 1001\nName = web\nPrefix = 10.1.0.0/24, 10.3.0.0/24\n"
		 "[Identity]\nIdentity = 1002\nName = db\nCgroup = /a\n"
		 "[Policy]\nRule = egress from web to 10.2.0.0/16 proto tcp port 443 deny\n"
		 "Rule = ingress from 1002 allow\nRule = ingress from web to fd00::/8 deny\n",
		 MODEL_PRIVATE, K(0));
	ok(conf(&file, text, true), "syncconf parses the new file");
	as_dumped(&s.state);
	ok(!sync_request(&req, &file, &s.state), "computes the difference");
	forget_identities(&s.state);
	no_flush = !(req.flags & (IDTUN_DEVICE_FLAGS_REPLACE_BINDINGS |
				  IDTUN_DEVICE_FLAGS_REPLACE_RULES)) &&
		   !(req.npeers && (req.peers[req.npeers - 1].flags &
				    IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES));
	ok(no_flush, "nothing is flushed");
	for (size_t i = 0; i < req.nrules; i++) {
		if (req.rules[i].remove && req.rules[i].protocol == IPPROTO_TCP)
			no_remove_changed = false;
	}
	for (size_t i = 0; i < req.nbindings; i++) {
		if (req.bindings[i].remove && req.bindings[i].cgroup &&
		    !strcmp(req.bindings[i].cgroup, "/a"))
			no_remove_changed = false;
	}
	ok(no_remove_changed && req.nrules == 3 && req.nbindings == 3,
	   "a changed rule or binding is re-added, never removed (%zu rules, %zu bindings)",
	   req.nrules, req.nbindings);
	ok(!req.nrules || !req.rules[0].remove, "additions come before removals");
	sim_set(&s, &req, &error);
	ok(!s.error && !error, "the request is well formed");

	device_free(&setconf);
	conf(&setconf, text, false);
	sim_init(&want, "idtun0");
	sim_set(&want, &setconf, &error);
	sort_state(&s.state);
	sort_state(&want.state);
	want.state.peers[0].serial = s.state.peers[0].serial;
	ok(same_device(&s.state, &want.state), "the device now is what the file says");

	device_free(&req);
	memset(&req, 0, sizeof(req));
	as_dumped(&s.state);
	ok(!sync_request(&req, &file, &s.state) && !req.npeers && !req.has &&
	   !req.nbindings && !req.nrules, "a second syncconf changes nothing");
	forget_identities(&s.state);

	device_free(&req);
	device_free(&file);
	device_free(&setconf);
	device_free(&s.state);
	device_free(&want.state);

	/* A default that opens waits for the rules; one that closes does not. */
	memset(&req, 0, sizeof(req));
	strcpy(req.name, "idtun0");
	device_set(&req, device_setting_of(DEV_HAS_EGRESS_DEFAULT), IDTUN_ACTION_ALLOW);
	device_set(&req, device_setting_of(DEV_HAS_INGRESS_DEFAULT), IDTUN_ACTION_DENY);
	device_set(&req, device_setting_of(DEV_HAS_AUDIT_RATE), 5);
	many_rules(&req, 100, 0);
	memset(&file, 0, sizeof(file));
	sync_late_defaults(&req, &file);
	ok(!(req.has & DEV_HAS_EGRESS_DEFAULT) && (req.has & DEV_HAS_INGRESS_DEFAULT) &&
	   (req.has & DEV_HAS_AUDIT_RATE) && file.has == DEV_HAS_EGRESS_DEFAULT &&
	   file.egress_default == IDTUN_ACTION_ALLOW && !strcmp(file.name, "idtun0"),
	   "an allow default goes after the rules, a deny default before them");
	device_free(&req);
	device_free(&file);
}

static void test_late_defaults(void)
{
	struct idtun_device req = { 0 }, late = { 0 };

	/* A default that opens waits for the rules; one that closes does not. */
	strcpy(req.name, "idtun0");
	device_set(&req, device_setting_of(DEV_HAS_EGRESS_DEFAULT), IDTUN_ACTION_ALLOW);
	device_set(&req, device_setting_of(DEV_HAS_INGRESS_DEFAULT), IDTUN_ACTION_DENY);
	device_set(&req, device_setting_of(DEV_HAS_AUDIT_RATE), 5);
	many_rules(&req, 100, 0);
	sync_late_defaults(&req, &late);
	ok(!(req.has & DEV_HAS_EGRESS_DEFAULT) && (req.has & DEV_HAS_INGRESS_DEFAULT) &&
	   (req.has & DEV_HAS_AUDIT_RATE) && late.has == DEV_HAS_EGRESS_DEFAULT &&
	   late.egress_default == IDTUN_ACTION_ALLOW && !strcmp(late.name, "idtun0"),
	   "an allow default goes after the rules, a deny default before them");
	device_free(&req);
	device_free(&late);
}

int main(void)
{
	tap_start();
	test_set_model();
	test_set_split();
	test_set_many_peers();
	test_set_too_small();
	test_get();
	test_sync();
	test_set_many_entries();
	test_set_order();
	test_set_long_cgroup();
	test_get_idtun();
	test_names();
	test_sync_policy();
	test_late_defaults();
	return tap_end();
}
