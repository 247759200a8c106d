// SPDX-License-Identifier: GPL-2.0
/* The in-memory device model; see device.h. */

#include "device.h"

#include <errno.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
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

#define SETTING(bit, attr, field, dflt) \
	{ bit, attr, offsetof(struct idtun_device, field), dflt }

const struct device_setting device_settings[] = {
	SETTING(DEV_HAS_FWMARK, IDTUN_A_DEVICE_FWMARK, fwmark, 0),
	SETTING(DEV_HAS_DEFAULT_IDENTITY, IDTUN_A_DEVICE_DEFAULT_IDENTITY, default_identity, 0),
	SETTING(DEV_HAS_MARK_MASK, IDTUN_A_DEVICE_MARK_MASK, mark_mask, 0),
	SETTING(DEV_HAS_EGRESS_DEFAULT, IDTUN_A_DEVICE_EGRESS_DEFAULT, egress_default,
		DEFAULT_ACTION),
	SETTING(DEV_HAS_INGRESS_DEFAULT, IDTUN_A_DEVICE_INGRESS_DEFAULT, ingress_default,
		DEFAULT_ACTION),
	SETTING(DEV_HAS_AUDIT_RATE, IDTUN_A_DEVICE_AUDIT_RATE, audit_rate, DEFAULT_AUDIT_RATE),
};

const size_t device_nsettings = sizeof(device_settings) / sizeof(device_settings[0]);

uint32_t device_get(const struct idtun_device *dev, const struct device_setting *s)
{
	uint32_t v;

	if (!(dev->has & s->has))
		return s->dflt;
	memcpy(&v, (const char *)dev + s->offset, sizeof(v));
	return v;
}

const struct device_setting *device_setting_of(uint32_t has)
{
	size_t i;

	for (i = 0; i < device_nsettings; i++) {
		if (device_settings[i].has == has)
			return &device_settings[i];
	}
	return NULL;
}

uint32_t device_setting(const struct idtun_device *dev, uint32_t has)
{
	const struct device_setting *s = device_setting_of(has);

	return s ? device_get(dev, s) : 0;
}

void device_set(struct idtun_device *dev, const struct device_setting *s, uint32_t v)
{
	memcpy((char *)dev + s->offset, &v, sizeof(v));
	dev->has |= s->has;
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

int peer_add_aid(struct idtun_peer *peer, uint32_t identity, bool remove)
{
	if (grow((void **)&peer->aids, &peer->aids_cap, peer->naids, sizeof(*peer->aids)))
		return -ENOMEM;
	peer->aids[peer->naids].identity = identity;
	peer->aids[peer->naids++].remove = remove;
	return 0;
}

static int add_binding(struct idtun_binding **v, size_t *n, size_t *cap,
		       const struct idtun_binding *b)
{
	struct idtun_binding copy = *b;

	if (grow((void **)v, cap, *n, sizeof(*b)))
		return -ENOMEM;
	if (b->cgroup) {
		copy.cgroup = strdup(b->cgroup);
		if (!copy.cgroup)
			return -ENOMEM;
	}
	(*v)[(*n)++] = copy;
	return 0;
}

int device_add_binding(struct idtun_device *dev, const struct idtun_binding *b)
{
	return add_binding(&dev->bindings, &dev->nbindings, &dev->bindings_cap, b);
}

int identity_add_binding(struct idtun_identity *id, const struct idtun_binding *b)
{
	return add_binding(&id->bindings, &id->nbindings, &id->bindings_cap, b);
}

int device_add_rule(struct idtun_device *dev, const struct idtun_rule *rule)
{
	if (grow((void **)&dev->rules, &dev->rules_cap, dev->nrules, sizeof(*rule)))
		return -ENOMEM;
	dev->rules[dev->nrules++] = *rule;
	return 0;
}

struct idtun_identity *device_add_identity(struct idtun_device *dev)
{
	struct idtun_identity *id;

	if (grow((void **)&dev->identities, &dev->identities_cap, dev->nidentities,
		 sizeof(*id)))
		return NULL;
	id = &dev->identities[dev->nidentities++];
	memset(id, 0, sizeof(*id));
	return id;
}

void binding_free(struct idtun_binding *b)
{
	free(b->cgroup);
	b->cgroup = NULL;
}

static void free_bindings(struct idtun_binding *v, size_t n)
{
	while (n)
		binding_free(&v[--n]);
	free(v);
}

void peer_free(struct idtun_peer *peer)
{
	free(peer->ips);
	free(peer->aids);
	sodium_memzero(peer, sizeof(*peer));
}

void device_free(struct idtun_device *dev)
{
	size_t i;

	for (i = 0; i < dev->npeers; i++)
		peer_free(&dev->peers[i]);
	free(dev->peers);
	free_bindings(dev->bindings, dev->nbindings);
	free(dev->rules);
	for (i = 0; i < dev->nidentities; i++)
		free_bindings(dev->identities[i].bindings, dev->identities[i].nbindings);
	free(dev->identities);
	names_free(&dev->names);
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

#define CMP(a, b) do { if ((a) != (b)) return (a) < (b) ? -1 : 1; } while (0)

/* Any destination first, then IPv4 before IPv6, by address, then length. */
static int prefix_cmp(const struct idtun_allowedip *a, const struct idtun_allowedip *b)
{
	int c;

	CMP(a->family, b->family);
	c = memcmp(a->addr, b->addr, family_bits(a->family) / 8);
	if (c)
		return c < 0 ? -1 : 1;
	CMP(a->cidr, b->cidr);
	return 0;
}

int binding_key_cmp(const struct idtun_binding *a, const struct idtun_binding *b)
{
	/* Cgroups before prefixes. */
	CMP(!a->cgroup, !b->cgroup);
	if (a->cgroup)
		return strcmp(a->cgroup, b->cgroup);
	return prefix_cmp(&a->prefix, &b->prefix);
}

bool binding_key_equal(const struct idtun_binding *a, const struct idtun_binding *b)
{
	return !binding_key_cmp(a, b);
}

int rule_cmp(const struct idtun_rule *a, const struct idtun_rule *b)
{
	bool ai = a->has & RULE_HAS_IDENTITY, bi = b->has & RULE_HAS_IDENTITY;
	bool ap = a->has & RULE_HAS_PORTS, bp = b->has & RULE_HAS_PORTS;
	int c;

	CMP(a->direction, b->direction);
	CMP(ai, bi);
	if (ai)
		CMP(a->identity, b->identity);
	c = prefix_cmp(&a->to, &b->to);
	if (c)
		return c;
	CMP(a->protocol, b->protocol);
	CMP(ap, bp);
	if (ap) {
		CMP(a->port_min, b->port_min);
		CMP(a->port_max, b->port_max);
	}
	return 0;
}

bool rule_key_equal(const struct idtun_rule *a, const struct idtun_rule *b)
{
	return !rule_cmp(a, b);
}

static int rule_qsort_cmp(const void *a, const void *b)
{
	return rule_cmp(a, b);
}

void device_sort_rules(struct idtun_device *dev)
{
	if (dev->nrules)
		qsort(dev->rules, dev->nrules, sizeof(*dev->rules), rule_qsort_cmp);
}

static int binding_cmp(const void *x, const void *y)
{
	const struct idtun_binding *a = x, *b = y;

	CMP(a->identity, b->identity);
	return binding_key_cmp(a, b);
}

static int identity_cmp(const void *x, const void *y)
{
	const struct idtun_identity *a = x, *b = y;

	CMP(a->identity, b->identity);
	return 0;
}

void device_sort_identities(struct idtun_device *dev)
{
	size_t i;

	if (dev->nidentities)
		qsort(dev->identities, dev->nidentities, sizeof(*dev->identities),
		      identity_cmp);
	for (i = 0; i < dev->nidentities; i++) {
		if (dev->identities[i].nbindings)
			qsort(dev->identities[i].bindings, dev->identities[i].nbindings,
			      sizeof(struct idtun_binding), binding_cmp);
	}
}

const struct idtun_name *names_by_id(const struct idtun_names *names, uint32_t id)
{
	size_t i;

	for (i = 0; names && i < names->n; i++) {
		if (names->v[i].identity == id)
			return &names->v[i];
	}
	return NULL;
}

const struct idtun_name *names_by_name(const struct idtun_names *names, const char *name)
{
	size_t i;

	for (i = 0; names && i < names->n; i++) {
		if (!strcmp(names->v[i].name, name))
			return &names->v[i];
	}
	return NULL;
}

int names_set(struct idtun_names *names, uint32_t id, const char *name)
{
	struct idtun_name *n = (struct idtun_name *)names_by_id(names, id);

	if (!*name) {
		if (n) {
			memmove(n, n + 1, (names->n - (size_t)(n - names->v) - 1) * sizeof(*n));
			names->n--;
		}
		return 0;
	}
	if (!n) {
		if (grow((void **)&names->v, &names->cap, names->n, sizeof(*n)))
			return -ENOMEM;
		n = &names->v[names->n++];
		n->identity = id;
	}
	snprintf(n->name, sizeof(n->name), "%s", name);
	return 0;
}

static int name_cmp(const void *x, const void *y)
{
	const struct idtun_name *a = x, *b = y;

	CMP(a->identity, b->identity);
	return 0;
}

void names_sort(struct idtun_names *names)
{
	if (names->n)
		qsort(names->v, names->n, sizeof(*names->v), name_cmp);
}

void names_free(struct idtun_names *names)
{
	free(names->v);
	memset(names, 0, sizeof(*names));
}
