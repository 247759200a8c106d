/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fixed device for the formatter and netlink tests: keys, both endpoint
 * families, peers with and without allowed IPs, handshakes from never to
 * years ago (and one in the future), counters from bytes to TiB.
 */

#ifndef IDTUN_TEST_MODEL_H
#define IDTUN_TEST_MODEL_H

#include "device.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* "now" for the pretty format's "... ago". */
#define MODEL_NOW 1700000063

#define MODEL_PRIVATE "yDczSIGuNrhTG17JTk3/nYmT9jLqNkfbmTfbGcQw/08="
#define MODEL_PUBLIC "NtZubLQhKZLkr2PNGRN0mtdjhAEQsAgKHObNRuEhl0M="
#define MODEL_PSK "Hg/0ZXrWWBzE3DmrKtU8oFmRUfyxvrYqDsUGvFZlu1w="

static const char *const model_peer_keys[] = {
	"MrHhIAn+tEeiOhin+nmd7z2AlaNV4wPzc/mbGasp52w=",
	"rOAXQYuL/imDnjRJvWKeRp+jQxo1Jb68UANeDTzaD1I=",
	"R/EobDBIjB2XKCsE8KgsydOy/hLfEfo9OMQRQ/0e+iM=",
	"mR0VYUEyaK74lRS1IJr+ntDA40ihO+3Z1Q7TDJogDFc=",
	"U1Ds4TU59fuSqNBXZCG7Aog8jVHeHV/4jQWa2EkCGn4=",
};

static inline void model_ip(struct idtun_peer *peer, const char *text, uint8_t cidr)
{
	struct idtun_allowedip ip = { 0 };

	ip.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	inet_pton(ip.family, text, ip.addr);
	ip.cidr = cidr;
	if (peer_add_ip(peer, &ip))
		abort();
}

static inline struct idtun_peer *model_peer(struct idtun_device *dev, int i)
{
	struct idtun_peer *peer = device_add_peer(dev);

	if (!peer || !key_from_base64(peer->public_key, model_peer_keys[i]))
		abort();
	peer->protocol_version = 1;
	return peer;
}

static inline void model_device(struct idtun_device *dev)
{
	struct idtun_peer *p;

	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, "idtun0");
	dev->ifindex = 5;
	key_from_base64(dev->private_key, MODEL_PRIVATE);
	key_from_base64(dev->public_key, MODEL_PUBLIC);
	dev->has = DEV_HAS_PRIVATE_KEY | DEV_HAS_PUBLIC_KEY | DEV_HAS_LISTEN_PORT |
		   DEV_HAS_FWMARK;
	dev->listen_port = 51820;
	dev->fwmark = 0x1234;

	/* Never shaken hands, no endpoint, no allowed IPs: listed last. */
	p = model_peer(dev, 0);

	/* Years ago, IPv6 endpoint, GiB. */
	p = model_peer(dev, 1);
	p->endpoint.addr6.sin6_family = AF_INET6;
	p->endpoint.addr6.sin6_port = htons(51820);
	inet_pton(AF_INET6, "2001:db8::2", &p->endpoint.addr6.sin6_addr);
	p->last_handshake_ns = (MODEL_NOW - (2ULL * 365 * 86400 + 86400 + 3600 * 2 + 1)) *
			       1000000000ULL + 7;
	p->rx_bytes = 5;
	p->tx_bytes = 3ULL << 30;
	model_ip(p, "10.9.0.0", 16);

	/* A minute ago, with everything. */
	p = model_peer(dev, 2);
	key_from_base64(p->preshared_key, MODEL_PSK);
	p->has |= PEER_HAS_PRESHARED_KEY | PEER_HAS_KEEPALIVE;
	p->keepalive = 25;
	p->endpoint.addr4.sin_family = AF_INET;
	p->endpoint.addr4.sin_port = htons(51821);
	inet_pton(AF_INET, "192.0.2.1", &p->endpoint.addr4.sin_addr);
	p->last_handshake_ns = (MODEL_NOW - 63) * 1000000000ULL + 500000000;
	p->rx_bytes = 1234567;
	p->tx_bytes = 1023;
	model_ip(p, "10.0.0.2", 32);
	model_ip(p, "10.1.0.0", 24);
	model_ip(p, "fd00::", 64);
	model_ip(p, "::", 0);

	/* Just now, TiB, keepalive of over an hour. */
	p = model_peer(dev, 3);
	p->has |= PEER_HAS_KEEPALIVE;
	p->keepalive = 3661;
	p->last_handshake_ns = MODEL_NOW * 1000000000ULL;
	p->rx_bytes = 5ULL << 40;
	p->tx_bytes = 1536;
	model_ip(p, "192.0.2.128", 25);

	/* A handshake in the future: the clock went back. */
	p = model_peer(dev, 4);
	p->last_handshake_ns = (MODEL_NOW + 10) * 1000000000ULL;
	p->rx_bytes = 1048576;
	model_ip(p, "0.0.0.0", 0);
}

/* Identity names of the model's network namespace. */
static inline void model_names(struct idtun_names *names)
{
	memset(names, 0, sizeof(*names));
	if (names_set(names, 0, "unlabelled") || names_set(names, 1001, "web") ||
	    names_set(names, 1002, "db") || names_set(names, 2001, "laptop") ||
	    names_set(names, 3000, "123"))	/* a name that reads as a number */
		abort();
}

static inline void model_binding(struct idtun_device *dev, uint32_t id, const char *cgroup,
				 const char *prefix, uint8_t cidr)
{
	struct idtun_binding b = { .identity = id, .cgroup = (char *)cgroup };

	if (prefix) {
		b.prefix.family = strchr(prefix, ':') ? AF_INET6 : AF_INET;
		inet_pton(b.prefix.family, prefix, b.prefix.addr);
		b.prefix.cidr = cidr;
	}
	if (device_add_binding(dev, &b))
		abort();
}

/* A rule: direction, identity (-1 for any), destination (NULL for any), ... */
static inline void model_rule(struct idtun_device *dev, uint32_t direction, int64_t id,
			      const char *to, uint8_t cidr, uint8_t protocol,
			      uint16_t port_min, uint16_t port_max, uint32_t action)
{
	struct idtun_rule r = {
		.has = RULE_HAS_ACTION, .direction = direction, .protocol = protocol,
		.action = action,
	};

	if (id >= 0) {
		r.has |= RULE_HAS_IDENTITY;
		r.identity = (uint32_t)id;
	}
	if (to) {
		r.to.family = strchr(to, ':') ? AF_INET6 : AF_INET;
		inet_pton(r.to.family, to, r.to.addr);
		r.to.cidr = cidr;
	}
	if (port_min || port_max) {
		r.has |= RULE_HAS_PORTS;
		r.port_min = port_min;
		r.port_max = port_max;
	}
	if (device_add_rule(dev, &r))
		abort();
}

/*
 * The model with every idtun setting: device settings and drop counters,
 * labelled and unlabelled peers, bindings of both kinds, and rules of
 * every shape, listed in rule_cmp's order.
 */
static inline void model_idtun(struct idtun_device *dev)
{
	struct idtun_peer *p;

	model_device(dev);
	dev->has |= DEV_HAS_IDTUN | DEV_HAS_DROPS;
	dev->default_identity = 1001;
	dev->mark_mask = 0xff00;
	dev->egress_default = IDTUN_ACTION_DENY;
	dev->ingress_default = IDTUN_ACTION_ALLOW;
	dev->audit_rate = 50;
	dev->drops[IDTUN_A_DROPS_EGRESS_POLICY] = 12;
	dev->drops[IDTUN_A_DROPS_LABEL_NOT_ALLOWED] = 3;
	dev->drops[IDTUN_A_DROPS_AUDIT_SUPPRESSED] = 7;

	/* Labelled, claiming web and db. */
	p = &dev->peers[2];
	p->has |= PEER_HAS_LABELS | PEER_HAS_IDENTITY;
	p->labels = 1;
	if (peer_add_aid(p, 1001, false) || peer_add_aid(p, 1002, false))
		abort();
	/* Unlabelled: everything from it is laptop, or an unnamed identity. */
	p = &dev->peers[3];
	p->has |= PEER_HAS_LABELS | PEER_HAS_IDENTITY;
	p->identity = 2001;
	p = &dev->peers[4];
	p->has |= PEER_HAS_LABELS | PEER_HAS_IDENTITY;
	p->identity = 4242;

	model_binding(dev, 1001, "/system.slice/web.service", NULL, 0);
	model_binding(dev, 1001, "/kubepods/pod-a b", NULL, 0);
	model_binding(dev, 1001, NULL, "10.1.0.0", 24);
	model_binding(dev, 1002, NULL, "fd00:2::", 64);

	model_rule(dev, IDTUN_DIRECTION_EGRESS, -1, NULL, 0, 0, 0, 0, IDTUN_ACTION_DENY);
	model_rule(dev, IDTUN_DIRECTION_EGRESS, 0, "10.9.0.0", 16, 0, 0, 0, IDTUN_ACTION_ALLOW);
	model_rule(dev, IDTUN_DIRECTION_EGRESS, 1001, "10.2.0.0", 16, IPPROTO_TCP, 443, 443,
		   IDTUN_ACTION_ALLOW);
	model_rule(dev, IDTUN_DIRECTION_EGRESS, 1001, "fd00::", 8, IPPROTO_UDP, 1000, 2000,
		   IDTUN_ACTION_DENY);
	model_rule(dev, IDTUN_DIRECTION_EGRESS, 3000, NULL, 0, IPPROTO_ICMP, 0, 0,
		   IDTUN_ACTION_ALLOW);
	model_rule(dev, IDTUN_DIRECTION_INGRESS, 1002, NULL, 0, 47, 0, 0, IDTUN_ACTION_ALLOW);
	model_rule(dev, IDTUN_DIRECTION_INGRESS, 4242, "::", 0, IPPROTO_ICMPV6, 0, 0,
		   IDTUN_ACTION_DENY);
	dev->rules[0].has |= RULE_HAS_COUNTERS;
	dev->rules[0].packets = 5;
	dev->rules[0].bytes = 420;
	dev->rules[2].has |= RULE_HAS_COUNTERS;
	dev->rules[2].packets = 1234;
	dev->rules[2].bytes = 5ULL << 20;
}

/* What get-identities reports for model_idtun: identities, bindings, counters. */
static inline void model_identities(struct idtun_device *dev)
{
	static const struct { uint32_t id; const char *name; } ids[] = {
		{ 0, "unlabelled" }, { 1001, "web" }, { 1002, "db" }, { 2001, "laptop" },
		{ 4242, "" },
	};
	struct idtun_device bound;
	struct idtun_identity *id;
	size_t i, j;

	model_idtun(&bound);
	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, "idtun0");
	dev->ifindex = 5;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		id = device_add_identity(dev);
		if (!id)
			abort();
		id->identity = ids[i].id;
		strcpy(id->name, ids[i].name);
		id->tx_packets = i * 10;
		id->tx_bytes = i * 1000;
		id->rx_packets = i * 20;
		id->rx_bytes = i << 20;
		id->tx_dropped = i == 1 ? 12 : 0;
		id->rx_dropped = i == 2 ? 3 : 0;
		for (j = 0; j < bound.nbindings; j++) {
			if (bound.bindings[j].identity != id->identity)
				continue;
			bound.bindings[j].cgroup_id = bound.bindings[j].cgroup ? 4000 + j : 0;
			if (identity_add_binding(id, &bound.bindings[j]))
				abort();
		}
	}
	device_free(&bound);
}

/* A new device as the kernel reports it: a name, nothing else. */
static inline void model_empty(struct idtun_device *dev)
{
	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, "idtun1");
	dev->ifindex = 6;
	dev->has = DEV_HAS_LISTEN_PORT | DEV_HAS_FWMARK;
}

#endif
