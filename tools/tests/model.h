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

/* A new device as the kernel reports it: a name, nothing else. */
static inline void model_empty(struct idtun_device *dev)
{
	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, "idtun1");
	dev->ifindex = 6;
	dev->has = DEV_HAS_LISTEN_PORT | DEV_HAS_FWMARK;
}

#endif
