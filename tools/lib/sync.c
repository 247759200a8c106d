// SPDX-License-Identifier: GPL-2.0
/* syncconf's difference between a file and a device; see sync.h. */

#include "sync.h"

#include <errno.h>
#include <linux/idtun.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
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

static bool has_aid(const struct idtun_peer *peer, uint32_t id)
{
	size_t i;

	for (i = 0; i < peer->naids; i++) {
		if (peer->aids[i].identity == id)
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
		if (p->has & PEER_HAS_LABELS)
			d->labels = p->labels;
		if (p->has & PEER_HAS_IDENTITY)
			d->identity = p->identity;
		d->has |= p->has & (PEER_HAS_LABELS | PEER_HAS_IDENTITY);
		if (p->flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWEDIPS)
			d->nips = 0;
		for (j = 0; j < p->nips; j++) {
			ip = p->ips[j];
			allowedip_mask(&ip);
			ip.remove = false;
			if (!has_ip(d, &ip) && peer_add_ip(d, &ip))
				return -ENOMEM;
		}
		if (p->flags & IDTUN_PEER_FLAGS_REPLACE_ALLOWED_IDENTITIES)
			d->naids = 0;
		for (j = 0; j < p->naids; j++) {
			if (!has_aid(d, p->aids[j].identity) &&
			    peer_add_aid(d, p->aids[j].identity, false))
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

/* The entry of pass one for a kept peer, made when it first needs one. */
static struct idtun_peer *removal_entry(struct idtun_device *req, struct idtun_peer **r,
					const uint8_t *key)
{
	if (!*r) {
		*r = add_keyed(req, key);
		if (*r)
			(*r)->flags = IDTUN_PEER_FLAGS_UPDATE_ONLY;
	}
	return *r;
}

/* Pass one: the prefixes and allowed identities kept peers lose. */
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
			if (!removal_entry(req, &r, c->public_key))
				return -ENOMEM;
			ip = c->ips[j];
			ip.remove = true;
			if (peer_add_ip(r, &ip))
				return -ENOMEM;
		}
		for (j = 0; d && j < c->naids; j++) {
			if (has_aid(d, c->aids[j].identity))
				continue;
			if (!removal_entry(req, &r, c->public_key) ||
			    peer_add_aid(r, c->aids[j].identity, true))
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
		r->labels = d->labels;
		r->identity = d->identity;
		for (j = 0; j < d->nips; j++) {
			if (peer_add_ip(r, &d->ips[j]))
				return -ENOMEM;
		}
		for (j = 0; j < d->naids; j++) {
			if (peer_add_aid(r, d->aids[j].identity, false))
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
	/* Labels and identity the file leaves out are off and 0. */
	if (d->labels != c->labels) {
		r->labels = d->labels;
		r->has |= PEER_HAS_LABELS;
		changed = true;
	}
	if (d->identity != c->identity) {
		r->identity = d->identity;
		r->has |= PEER_HAS_IDENTITY;
		changed = true;
	}
	for (j = 0; j < d->nips; j++) {
		if (has_ip(c, &d->ips[j]))
			continue;
		if (peer_add_ip(r, &d->ips[j]))
			return -ENOMEM;
		changed = true;
	}
	for (j = 0; j < d->naids; j++) {
		if (has_aid(c, d->aids[j].identity))
			continue;
		if (peer_add_aid(r, d->aids[j].identity, false))
			return -ENOMEM;
		changed = true;
	}
	if (!changed)
		peer_free(&req->peers[--req->npeers]);
	return 0;
}

/* fwmark and idtun's settings: the file's, else the kernel's defaults. */
static void sync_settings(struct idtun_device *req, const struct idtun_device *file,
			  const struct idtun_device *current)
{
	const struct device_setting *s;
	uint32_t want;
	size_t i;

	for (i = 0; i < device_nsettings; i++) {
		s = &device_settings[i];
		want = device_get(file, s);
		if (want != device_get(current, s))
			device_set(req, s, want);
	}
}

/* Entries sorted by key, the later of two with one key winning. */
struct sorted {
	const void *entry;
	size_t index;
};

static int (*sorted_key_cmp)(const void *a, const void *b);

static int sorted_cmp(const void *x, const void *y)
{
	const struct sorted *a = x, *b = y;
	int c = sorted_key_cmp(a->entry, b->entry);

	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/*
 * v's n entries (stride bytes each) by key, the last of each key only;
 * *out is malloc'd (NULL and -ENOMEM on failure), *nout entries.
 */
static int sort_unique(const void *v, size_t n, size_t stride,
		       int (*cmp)(const void *a, const void *b),
		       struct sorted **out, size_t *nout)
{
	struct sorted *s = calloc(n ? n : 1, sizeof(*s));
	size_t i, k = 0;

	*out = s;
	*nout = 0;
	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		s[i].entry = (const char *)v + i * stride;
		s[i].index = i;
	}
	sorted_key_cmp = cmp;
	qsort(s, n, sizeof(*s), sorted_cmp);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && !cmp(s[i].entry, s[i + 1].entry))
			continue;
		s[k++] = s[i];
	}
	*nout = k;
	return 0;
}

static int binding_entry_cmp(const void *a, const void *b)
{
	return binding_key_cmp(a, b);
}

static int rule_entry_cmp(const void *a, const void *b)
{
	return rule_cmp(a, b);
}

/*
 * Walks the wanted and the current entries, both sorted by key: each
 * wanted entry that is new or changed is added, then each current one not
 * wanted is removed. Nothing is flushed, so there is never a moment with
 * only part of either set.
 */
struct diff {
	int (*cmp)(const void *a, const void *b);
	bool (*changed)(const void *want, const void *now);
	int (*add)(struct idtun_device *req, const void *entry, bool remove);
};

static int apply_diff(struct idtun_device *req, const struct diff *d,
		      const struct sorted *want, size_t nwant,
		      const struct sorted *now, size_t nnow)
{
	size_t i = 0, j = 0;
	int c, ret = 0;

	while (!ret && i < nwant) {
		c = j < nnow ? d->cmp(want[i].entry, now[j].entry) : -1;
		if (c > 0) {
			j++;
		} else if (c < 0 || d->changed(want[i].entry, now[j].entry)) {
			ret = d->add(req, want[i++].entry, false);
		} else {
			i++;
			j++;
		}
	}
	for (i = 0, j = 0; !ret && j < nnow; j++) {
		while (i < nwant && d->cmp(want[i].entry, now[j].entry) < 0)
			i++;
		if (i >= nwant || d->cmp(want[i].entry, now[j].entry))
			ret = d->add(req, now[j].entry, true);
	}
	return ret;
}

static bool binding_changed(const void *want, const void *now)
{
	return ((const struct idtun_binding *)want)->identity !=
	       ((const struct idtun_binding *)now)->identity;
}

static int add_binding(struct idtun_device *req, const void *entry, bool remove)
{
	struct idtun_binding b = *(const struct idtun_binding *)entry;

	b.remove = remove;
	b.cgroup_id = 0;
	return device_add_binding(req, &b);
}

static bool rule_changed(const void *want, const void *now)
{
	return ((const struct idtun_rule *)want)->action !=
	       ((const struct idtun_rule *)now)->action;
}

static int add_rule(struct idtun_device *req, const void *entry, bool remove)
{
	struct idtun_rule r = *(const struct idtun_rule *)entry;

	r.remove = remove;
	r.has &= ~(uint32_t)RULE_HAS_COUNTERS;
	if (remove)
		r.has &= ~(uint32_t)RULE_HAS_ACTION;
	r.packets = r.bytes = 0;
	return device_add_rule(req, &r);
}

/* Both sets of entries by key, then the difference into req. */
static int diff_entries(struct idtun_device *req, const struct diff *d, size_t stride,
			const void *want_v, size_t want_n, const void *now_v, size_t now_n)
{
	struct sorted *want = NULL, *now = NULL;
	size_t nwant, nnow;
	int ret;

	ret = sort_unique(want_v, want_n, stride, d->cmp, &want, &nwant);
	if (!ret)
		ret = sort_unique(now_v, now_n, stride, d->cmp, &now, &nnow);
	if (!ret)
		ret = apply_diff(req, d, want, nwant, now, nnow);
	free(want);
	free(now);
	return ret;
}

static int sync_bindings(struct idtun_device *req, const struct idtun_device *file,
			 const struct idtun_device *current)
{
	static const struct diff d = { binding_entry_cmp, binding_changed, add_binding };
	struct idtun_device flat = { 0 };
	size_t i, j;
	int ret = 0;

	/* The current bindings, as get-identities lists them under identities. */
	for (i = 0; !ret && i < current->nidentities; i++) {
		const struct idtun_identity *id = &current->identities[i];

		for (j = 0; !ret && j < id->nbindings; j++) {
			/* A cgroup known only by its id cannot be named: left alone. */
			if (!id->bindings[j].cgroup && !id->bindings[j].prefix.family)
				continue;
			ret = device_add_binding(&flat, &id->bindings[j]);
		}
	}
	if (!ret)
		ret = diff_entries(req, &d, sizeof(*file->bindings), file->bindings,
				   file->nbindings, flat.bindings, flat.nbindings);
	device_free(&flat);
	return ret;
}

static int sync_rules(struct idtun_device *req, const struct idtun_device *file,
		      const struct idtun_device *current)
{
	static const struct diff d = { rule_entry_cmp, rule_changed, add_rule };

	return diff_entries(req, &d, sizeof(*file->rules), file->rules, file->nrules,
			    current->rules, current->nrules);
}

int sync_request(struct idtun_device *req, const struct idtun_device *file,
		 const struct idtun_device *current)
{
	static const uint8_t zero[IDTUN_KEY_LEN];
	struct idtun_device want = { 0 };
	const uint8_t *key;
	struct idtun_peer *r;
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
	sync_settings(req, file, current);

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
	if (!ret)
		ret = sync_bindings(req, file, current);
	if (!ret)
		ret = sync_rules(req, file, current);
	device_free(&want);
	return ret;
}

void sync_late_defaults(struct idtun_device *req, struct idtun_device *late)
{
	static const uint32_t bits[] = { DEV_HAS_EGRESS_DEFAULT, DEV_HAS_INGRESS_DEFAULT };
	const struct device_setting *s;
	size_t i;

	memcpy(late->name, req->name, sizeof(late->name));
	late->ifindex = req->ifindex;
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		s = device_setting_of(bits[i]);
		if (!(req->has & bits[i]) || device_get(req, s) != IDTUN_ACTION_ALLOW)
			continue;
		device_set(late, s, IDTUN_ACTION_ALLOW);
		req->has &= ~bits[i];
	}
}
