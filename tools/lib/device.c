// SPDX-License-Identifier: GPL-2.0
/* The in-memory device model; see device.h. */

#include "device.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	p = reallocarray(*v, ncap, size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

struct idtun_peer *device_add_peer(struct idtun_device *dev)
{
	struct idtun_peer *peer;

	if (grow((void **)&dev->peers, &dev->peers_cap, dev->npeers, sizeof(*peer)))
		return NULL;
	peer = &dev->peers[dev->npeers++];
	memset(peer, 0, sizeof(*peer));
	return peer;
}

int peer_add_ip(struct idtun_peer *peer, const struct idtun_allowedip *ip)
{
	if (grow((void **)&peer->ips, &peer->ips_cap, peer->nips, sizeof(*ip)))
		return -ENOMEM;
	peer->ips[peer->nips++] = *ip;
	return 0;
}

struct idtun_peer *device_find_peer(const struct idtun_device *dev,
				    const uint8_t key[IDTUN_KEY_LEN])
{
	size_t i;

	for (i = 0; i < dev->npeers; i++) {
		if (!memcmp(dev->peers[i].public_key, key, IDTUN_KEY_LEN))
			return &dev->peers[i];
	}
	return NULL;
}

void peer_free(struct idtun_peer *peer)
{
	free(peer->ips);
	sodium_memzero(peer, sizeof(*peer));
}

void device_free(struct idtun_device *dev)
{
	size_t i;

	for (i = 0; i < dev->npeers; i++)
		peer_free(&dev->peers[i]);
	free(dev->peers);
	sodium_memzero(dev, sizeof(*dev));
}

static unsigned int family_bits(uint16_t family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

bool allowedip_valid(const struct idtun_allowedip *ip)
{
	unsigned int bits = family_bits(ip->family);

	return bits && ip->cidr <= bits;
}

void allowedip_mask(struct idtun_allowedip *ip)
{
	unsigned int bytes = family_bits(ip->family) / 8, i;

	for (i = 0; i < bytes; i++) {
		if (ip->cidr >= (i + 1) * 8)
			continue;
		if (ip->cidr <= i * 8)
			ip->addr[i] = 0;
		else
			ip->addr[i] &= (uint8_t)(0xff00 >> (ip->cidr - i * 8));
	}
}

bool allowedip_equal(const struct idtun_allowedip *a, const struct idtun_allowedip *b)
{
	return a->family == b->family && a->cidr == b->cidr &&
	       !memcmp(a->addr, b->addr, family_bits(a->family) / 8);
}

static const struct idtun_device *sort_dev;

static int handshake_cmp(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	uint64_t a = sort_dev->peers[i].last_handshake_ns;
	uint64_t b = sort_dev->peers[j].last_handshake_ns;

	if (a != b) {
		if (!a || !b)
			return a ? -1 : 1;
		return a > b ? -1 : 1;
	}
	return i < j ? -1 : i > j;
}

void device_peer_order(const struct idtun_device *dev, size_t *order)
{
	size_t i;

	for (i = 0; i < dev->npeers; i++)
		order[i] = i;
	sort_dev = dev;
	qsort(order, dev->npeers, sizeof(*order), handshake_cmp);
	sort_dev = NULL;
}
