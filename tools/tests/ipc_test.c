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
			} else if (mnl_attr_get_u32(a) & IDTUN_DEVICE_FLAGS_REPLACE_PEERS) {
				while (s->state.npeers)
					remove_peer(&s->state, &s->state.peers[0]);
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

static void sim_init(struct sim *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->state.name, sizeof(s->state.name), "%s", name);
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
		struct genlmsghdr *genl;

		if (n == max)
			abort();
		nlh = mnl_nlmsg_put_header(msgs[n]);
		nlh->nlmsg_type = FAMILY;
		nlh->nlmsg_flags = NLM_F_MULTI;
		genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
		genl->cmd = IDTUN_CMD_GET_DEVICE;
		mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_IFINDEX, dev->ifindex);
		mnl_attr_put_strz(nlh, IDTUN_A_DEVICE_IFNAME, dev->name);
		mnl_attr_put_u32(nlh, IDTUN_A_DEVICE_GENERATION, generation);
		if (!n) {
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

static bool same_peer(const struct idtun_peer *a, const struct idtun_peer *b)
{
	size_t i;

	if (memcmp(a->public_key, b->public_key, IDTUN_KEY_LEN) || a->has != b->has ||
	    ((a->has & PEER_HAS_PRESHARED_KEY) &&
	     memcmp(a->preshared_key, b->preshared_key, IDTUN_KEY_LEN)) ||
	    memcmp(&a->endpoint, &b->endpoint, sizeof(a->endpoint)) ||
	    a->keepalive != b->keepalive || a->last_handshake_ns != b->last_handshake_ns ||
	    a->rx_bytes != b->rx_bytes || a->tx_bytes != b->tx_bytes ||
	    a->protocol_version != b->protocol_version || a->nips != b->nips)
		return false;
	for (i = 0; i < a->nips; i++) {
		if (!allowedip_equal(&a->ips[i], &b->ips[i]))
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
	    memcmp(a->public_key, b->public_key, IDTUN_KEY_LEN) || a->npeers != b->npeers)
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

/* Keepalive and the peer flags of a model as a request means them. */
static void as_request(struct idtun_device *dev)
{
	for (size_t i = 0; i < dev->npeers; i++) {
		dev->peers[i].has |= PEER_HAS_KEEPALIVE;
		dev->peers[i].flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
	}
	dev->flags = IDTUN_DEVICE_FLAGS_REPLACE_PEERS;
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

static void test_set_model(void)
{
	struct idtun_device dev, want;
	struct sim s;
	int error, n;

	model_device(&dev);
	as_request(&dev);
	sim_init(&s, dev.name);
	n = sim_set(&s, &dev, &error);
	ok(n == 1 && !error, "the model fits one message");
	ok(!s.error, "every attribute well formed%s%s", s.error ? ": " : "",
	   s.error ? s.error : "");
	model_device(&want);
	want.has &= ~(uint32_t)DEV_HAS_PUBLIC_KEY;
	memset(want.public_key, 0, IDTUN_KEY_LEN);
	want.ifindex = 0;
	for (size_t i = 0; i < want.npeers; i++) {
		struct idtun_peer *p = &want.peers[i];

		p->last_handshake_ns = p->tx_bytes = p->protocol_version = 0;
		p->has &= ~(uint32_t)PEER_HAS_KEEPALIVE;
		p->serial = i + 1;
	}
	for (size_t i = 0; i < s.state.npeers; i++)
		s.state.peers[i].has &= ~(uint32_t)PEER_HAS_KEEPALIVE;
	ok(same_device(&s.state, &want), "the kernel ends up with the model");
	device_free(&dev);
	device_free(&want);
	device_free(&s.state);
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

	model_device(&dev);
	ipc_set_init(&it, &dev);
	ok(!ipc_set_next(&it, buf, 96, FAMILY, 1, &error) && error == -EMSGSIZE,
	   "a buffer too small for anything: EMSGSIZE, not a loop");
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

int main(void)
{
	tap_start();
	test_set_model();
	test_set_split();
	test_set_many_peers();
	test_set_too_small();
	test_get();
	test_sync();
	return tap_end();
}
