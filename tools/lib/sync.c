// SPDX-License-Identifier: GPL-2.0
/* syncconf's difference between a file and a device; see sync.h. */

#include "sync.h"

#include <errno.h>
#include <linux/idtun.h>
#include <sodium.h>
#include <string.h>

static bool has_ip(const struct idtun_peer *peer, const struct idtun_allowedip *ip)
{
	size_t i;

	for (i = 0; i < peer->nips; i++) {
		if (allowedip_equal(&peer->ips[i], ip))
			return true;
	}
	return false;
}

static struct idtun_peer *add_keyed(struct idtun_device *req, const uint8_t *key)
{
	struct idtun_peer *r = device_add_peer(req);

	if (r)
		memcpy(r->public_key, key, IDTUN_KEY_LEN);
	return r;
}

/*
 * The file's peers as the kernel would end up with them: a public key named
 * twice is one peer, later values winning, prefixes masked and unique.
 */
static int desired_peers(struct idtun_device *want, const struct idtun_device *file)
{
	const struct idtun_peer *p;
	struct idtun_allowedip ip;
	struct idtun_peer *d;
	size_t i, j;

	for (i = 0; i < file->npeers; i++) {
		p = &file->peers[i];
		d = device_find_peer(want, p->public_key);
		if (!d)
			d = add_keyed(want, p->public_key);
		if (!d)
			return -ENOMEM;
		if (p->has & PEER_HAS_PRESHARED_KEY) {
			memcpy(d->preshared_key, p->preshared_key, IDTUN_KEY_LEN);
			d->has |= PEER_HAS_PRESHARED_KEY;
		}
		if (p->endpoint.addr.sa_family)
			d->endpoint = p->endpoint;
		if (p->has & PEER_HAS_KEEPALIVE) {
			d->keepalive = p->keepalive;
			d->has |= PEER_HAS_KEEPALIVE;
		}
		if (p->flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS)
			d->nips = 0;
		for (j = 0; j < p->nips; j++) {
			ip = p->ips[j];
			allowedip_mask(&ip);
			ip.remove = false;
			if (!has_ip(d, &ip) && peer_add_ip(d, &ip))
				return -ENOMEM;
		}
	}
	return 0;
}

static bool same_endpoint(const union idtun_endpoint *a, const union idtun_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	if (a->addr.sa_family == AF_INET)
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	if (a->addr.sa_family == AF_INET6)
		return a->addr6.sin6_port == b->addr6.sin6_port &&
		       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id &&
		       !memcmp(&a->addr6.sin6_addr, &b->addr6.sin6_addr,
			       sizeof(a->addr6.sin6_addr));
	return true;
}

/* Pass one: the prefixes kept peers lose. */
static int removals(struct idtun_device *req, const struct idtun_device *want,
		    const struct idtun_device *current)
{
	const struct idtun_peer *c, *d;
	struct idtun_allowedip ip;
	struct idtun_peer *r;
	size_t i, j;

	for (i = 0; i < current->npeers; i++) {
		c = &current->peers[i];
		d = device_find_peer(want, c->public_key);
		r = NULL;
		for (j = 0; d && j < c->nips; j++) {
			if (has_ip(d, &c->ips[j]))
				continue;
			if (!r) {
				r = add_keyed(req, c->public_key);
				if (!r)
					return -ENOMEM;
				r->flags = IDTUN_PEER_FLAGS_UPDATE_ONLY;
			}
			ip = c->ips[j];
			ip.remove = true;
			if (peer_add_ip(r, &ip))
				return -ENOMEM;
		}
	}
	return 0;
}

/* Pass two: a wanted peer, whole if new, else only what differs. */
static int update(struct idtun_device *req, const struct idtun_peer *d,
		  const struct idtun_device *current)
{
	const struct idtun_peer *c = device_find_peer(current, d->public_key);
	static const uint8_t zero[IDTUN_KEY_LEN];
	struct idtun_peer *r;
	bool changed = false;
	size_t j;

	r = add_keyed(req, d->public_key);
	if (!r)
		return -ENOMEM;
	if (!c) {
		r->flags = IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS;
		r->has = d->has;
		memcpy(r->preshared_key, d->preshared_key, IDTUN_KEY_LEN);
		r->endpoint = d->endpoint;
		r->keepalive = d->keepalive;
		for (j = 0; j < d->nips; j++) {
			if (peer_add_ip(r, &d->ips[j]))
				return -ENOMEM;
		}
		return 0;
	}
	if (sodium_memcmp(d->has & PEER_HAS_PRESHARED_KEY ? d->preshared_key : zero,
			  c->has & PEER_HAS_PRESHARED_KEY ? c->preshared_key : zero,
			  IDTUN_KEY_LEN)) {
		memcpy(r->preshared_key, d->preshared_key, IDTUN_KEY_LEN);
		r->has |= PEER_HAS_PRESHARED_KEY;
		changed = true;
	}
	if (d->endpoint.addr.sa_family && !same_endpoint(&d->endpoint, &c->endpoint)) {
		r->endpoint = d->endpoint;
		changed = true;
	}
	if (d->keepalive != c->keepalive) {
		r->keepalive = d->keepalive;
		r->has |= PEER_HAS_KEEPALIVE;
		changed = true;
	}
	for (j = 0; j < d->nips; j++) {
		if (has_ip(c, &d->ips[j]))
			continue;
		if (peer_add_ip(r, &d->ips[j]))
			return -ENOMEM;
		changed = true;
	}
	if (!changed)
		peer_free(&req->peers[--req->npeers]);
	return 0;
}

int sync_request(struct idtun_device *req, const struct idtun_device *file,
		 const struct idtun_device *current)
{
	static const uint8_t zero[IDTUN_KEY_LEN];
	struct idtun_device want = { 0 };
	const uint8_t *key;
	struct idtun_peer *r;
	uint32_t fwmark;
	size_t i;
	int ret;

	memcpy(req->name, file->name, sizeof(req->name));
	req->ifindex = file->ifindex;
	key = file->has & DEV_HAS_PRIVATE_KEY ? file->private_key : zero;
	if (sodium_memcmp(key, current->has & DEV_HAS_PRIVATE_KEY ?
			  current->private_key : zero, IDTUN_KEY_LEN)) {
		memcpy(req->private_key, key, IDTUN_KEY_LEN);
		req->has |= DEV_HAS_PRIVATE_KEY;
	}
	if ((file->has & DEV_HAS_LISTEN_PORT) && file->listen_port != current->listen_port) {
		req->listen_port = file->listen_port;
		req->has |= DEV_HAS_LISTEN_PORT;
	}
	fwmark = file->has & DEV_HAS_FWMARK ? file->fwmark : 0;
	if (fwmark != current->fwmark) {
		req->fwmark = fwmark;
		req->has |= DEV_HAS_FWMARK;
	}

	ret = desired_peers(&want, file);
	for (i = 0; !ret && i < current->npeers; i++) {
		if (device_find_peer(&want, current->peers[i].public_key))
			continue;
		r = add_keyed(req, current->peers[i].public_key);
		if (!r)
			ret = -ENOMEM;
		else
			r->flags = IDTUN_PEER_FLAGS_REMOVE_ME;
	}
	if (!ret)
		ret = removals(req, &want, current);
	for (i = 0; !ret && i < want.npeers; i++)
		ret = update(req, &want.peers[i], current);
	device_free(&want);
	return ret;
}
