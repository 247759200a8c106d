/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's configuration and state in memory: what a dump of the kernel
 * returns, what a configuration file or `idtun set` asks for, and what the
 * formatters print. Netlink, parsing and printing all meet here.
 */

#ifndef IDTUN_DEVICE_H
#define IDTUN_DEVICE_H

#include "key.h"

#include <linux/idtun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct idtun_allowedip {
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint8_t cidr;
	bool remove;		/* IDTUN_ALLOWEDIP_FLAGS_REMOVE_ME in a request */
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
		uint8_t addr[16];
	};
};

union idtun_endpoint {
	struct sockaddr addr;		/* sa_family 0: none */
	struct sockaddr_in addr4;
	struct sockaddr_in6 addr6;
};

/* One identity a labelled peer may claim (or, in a request, stop claiming). */
struct idtun_allowed_identity {
	uint32_t identity;
	bool remove;		/* IDTUN_ENTRY_FLAGS_REMOVE_ME in a request */
};

/*
 * A binding of sent packets to an identity: by cgroup (cgroup set) or by
 * source prefix (prefix.family set). Its key is the cgroup or the prefix.
 */
struct idtun_binding {
	uint32_t identity;
	char *cgroup;			/* path, NULL for a prefix binding */
	uint64_t cgroup_id;		/* the kernel's, in replies; 0 = unknown */
	struct idtun_allowedip prefix;	/* family 0 for a cgroup binding */
	bool remove;			/* IDTUN_ENTRY_FLAGS_REMOVE_ME in a request */
};

/* Which optional fields of a rule are present. */
enum {
	RULE_HAS_IDENTITY = 1 << 0,	/* else any identity */
	RULE_HAS_PORTS = 1 << 1,	/* else any port */
	RULE_HAS_ACTION = 1 << 2,
	RULE_HAS_COUNTERS = 1 << 3,	/* packets and bytes, in replies */
};

/*
 * A policy rule. Its match (direction, identity, destination, protocol,
 * ports) is its key; the action is what it does.
 */
struct idtun_rule {
	uint32_t has;			/* RULE_HAS_* */
	uint32_t direction;		/* IDTUN_DIRECTION_* */
	uint32_t identity;		/* with RULE_HAS_IDENTITY; 0 = unlabelled */
	struct idtun_allowedip to;	/* family 0: any destination */
	uint8_t protocol;		/* 0: any */
	uint16_t port_min, port_max;	/* with RULE_HAS_PORTS */
	uint32_t action;		/* IDTUN_ACTION_*, with RULE_HAS_ACTION */
	bool remove;			/* IDTUN_ENTRY_FLAGS_REMOVE_ME in a request */
	uint64_t packets, bytes;
};

/* An identity as get-identities reports it for one device. */
struct idtun_identity {
	uint32_t identity;
	char name[IDTUN_NAME_MAX + 1];	/* "" if it has none */
	struct idtun_binding *bindings;
	size_t nbindings, bindings_cap;
	uint64_t tx_packets, tx_bytes, rx_packets, rx_bytes, tx_dropped, rx_dropped;
};

/* Identity names: a network namespace's (get-names), or what a request sets. */
struct idtun_name {
	uint32_t identity;
	char name[IDTUN_NAME_MAX + 1];
};

struct idtun_names {
	struct idtun_name *v;
	size_t n, cap;
};

/* An audit event (the audit multicast group). */
struct idtun_event {
	uint32_t ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t direction, action, reason;	/* IDTUN_DIRECTION_*, ... */
	uint32_t identity;
	char name[IDTUN_NAME_MAX + 1];		/* "" if none */
	bool has_peer;
	uint8_t peer[IDTUN_KEY_LEN];
	uint16_t family;			/* AF_INET, AF_INET6, 0 if unknown */
	uint8_t saddr[16], daddr[16];
	uint8_t protocol;
	bool has_sport, has_dport;
	uint16_t sport, dport;
	uint64_t suppressed;
	uint64_t time_ns;			/* when judged; 0 if not said */
	bool has_rule;				/* else a default decided */
	struct idtun_rule rule;
};

/* Which optional fields of a peer are present. */
enum {
	PEER_HAS_PRESHARED_KEY = 1 << 0,
	PEER_HAS_KEEPALIVE = 1 << 1,
	PEER_HAS_LABELS = 1 << 2,
	PEER_HAS_IDENTITY = 1 << 3,
};

struct idtun_peer {
	uint8_t public_key[IDTUN_KEY_LEN];
	uint8_t preshared_key[IDTUN_KEY_LEN];
	uint32_t has;			/* PEER_HAS_* */
	uint32_t flags;			/* IDTUN_PEER_FLAGS_* of a request */
	union idtun_endpoint endpoint;
	uint16_t keepalive;		/* seconds, 0 = off */
	uint64_t last_handshake_ns;	/* since the epoch, 0 = never */
	uint64_t rx_bytes, tx_bytes;
	uint32_t protocol_version;
	struct idtun_allowedip *ips;
	size_t nips, ips_cap;
	uint8_t labels;			/* with PEER_HAS_LABELS: 0 or 1 */
	uint32_t identity;		/* with PEER_HAS_IDENTITY */
	struct idtun_allowed_identity *aids;	/* allowed identities */
	size_t naids, aids_cap;
};

/* Which optional fields of a device are present. */
enum {
	DEV_HAS_PRIVATE_KEY = 1 << 0,
	DEV_HAS_PUBLIC_KEY = 1 << 1,
	DEV_HAS_LISTEN_PORT = 1 << 2,
	DEV_HAS_FWMARK = 1 << 3,
	DEV_HAS_DEFAULT_IDENTITY = 1 << 4,
	DEV_HAS_MARK_MASK = 1 << 5,
	DEV_HAS_EGRESS_DEFAULT = 1 << 6,
	DEV_HAS_INGRESS_DEFAULT = 1 << 7,
	DEV_HAS_AUDIT_RATE = 1 << 8,
	DEV_HAS_DROPS = 1 << 9,
};

/* The kernel's defaults of the idtun-only device settings. */
#define DEFAULT_AUDIT_RATE 100
#define DEFAULT_ACTION IDTUN_ACTION_ALLOW

/* All of them: what setconf sets, to the file's value or the default. */
#define DEV_HAS_IDTUN (DEV_HAS_DEFAULT_IDENTITY | DEV_HAS_MARK_MASK | \
		       DEV_HAS_EGRESS_DEFAULT | DEV_HAS_INGRESS_DEFAULT | DEV_HAS_AUDIT_RATE)

struct idtun_device {
	char name[IF_NAMESIZE];
	uint32_t ifindex;
	uint32_t has;			/* DEV_HAS_* */
	uint32_t flags;			/* IDTUN_DEVICE_FLAGS_* of a request */
	uint8_t private_key[IDTUN_KEY_LEN];
	uint8_t public_key[IDTUN_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
	struct idtun_peer *peers;
	size_t npeers, peers_cap;
	uint32_t default_identity;
	uint32_t mark_mask;
	uint32_t egress_default, ingress_default;	/* IDTUN_ACTION_* */
	uint32_t audit_rate;
	uint64_t drops[IDTUN_A_DROPS_MAX + 1];	/* by IDTUN_A_DROPS_*, in replies */
	struct idtun_binding *bindings;		/* a request's (set-device) */
	size_t nbindings, bindings_cap;
	struct idtun_rule *rules;		/* a request's, or get-policy's */
	size_t nrules, rules_cap;
	struct idtun_identity *identities;	/* get-identities' */
	size_t nidentities, identities_cap;
	struct idtun_names names;		/* names a configuration sets */
};

/*
 * The device's 32-bit settings, one table for requests, replies, syncconf
 * and the listings: fwmark and idtun's own, each with its presence bit,
 * attribute and the kernel's default.
 */
struct device_setting {
	uint32_t has;		/* DEV_HAS_* */
	uint16_t attr;		/* IDTUN_A_DEVICE_* */
	size_t offset;		/* of its uint32_t in struct idtun_device */
	uint32_t dflt;
};

extern const struct device_setting device_settings[];
extern const size_t device_nsettings;

/* The setting's value, or its default when dev does not have it. */
uint32_t device_get(const struct idtun_device *dev, const struct device_setting *s);
/* By its DEV_HAS_* bit: the table's entry (NULL if none), and the value. */
const struct device_setting *device_setting_of(uint32_t has);
uint32_t device_setting(const struct idtun_device *dev, uint32_t has);
/* Sets the value and the presence bit. */
void device_set(struct idtun_device *dev, const struct device_setting *s, uint32_t v);

/* A new zeroed peer at the end; NULL when out of memory. */
struct idtun_peer *device_add_peer(struct idtun_device *dev);
int peer_add_ip(struct idtun_peer *peer, const struct idtun_allowedip *ip);
struct idtun_peer *device_find_peer(const struct idtun_device *dev,
				    const uint8_t key[IDTUN_KEY_LEN]);
/* Wipes the keys and frees the peers; the device is then empty. */
void device_free(struct idtun_device *dev);
void peer_free(struct idtun_peer *peer);

/* Appends a copy (the cgroup path duplicated); 0 or -ENOMEM. */
int peer_add_aid(struct idtun_peer *peer, uint32_t identity, bool remove);
int device_add_binding(struct idtun_device *dev, const struct idtun_binding *b);
int device_add_rule(struct idtun_device *dev, const struct idtun_rule *rule);
int identity_add_binding(struct idtun_identity *id, const struct idtun_binding *b);
/* A new zeroed identity at the end; NULL when out of memory. */
struct idtun_identity *device_add_identity(struct idtun_device *dev);
void binding_free(struct idtun_binding *b);

/* Bindings with the same key: the same cgroup path, or the same prefix. */
int binding_key_cmp(const struct idtun_binding *a, const struct idtun_binding *b);
bool binding_key_equal(const struct idtun_binding *a, const struct idtun_binding *b);
/* Rules with the same match (their action and counters aside). */
bool rule_key_equal(const struct idtun_rule *a, const struct idtun_rule *b);
/*
 * The order in which rules are listed: egress first, then by identity (any
 * first), destination (any first, IPv4 before IPv6, by address, shorter
 * prefixes first), protocol and ports. 0 only for equal keys.
 */
int rule_cmp(const struct idtun_rule *a, const struct idtun_rule *b);
void device_sort_rules(struct idtun_device *dev);
/* Identities by number; a device's bindings by identity, then key. */
void device_sort_identities(struct idtun_device *dev);

/* Names: look-ups by number or name (NULL if none), and changes. */
const struct idtun_name *names_by_id(const struct idtun_names *names, uint32_t id);
const struct idtun_name *names_by_name(const struct idtun_names *names, const char *name);
/* Sets id's name, replacing one it had; "" removes it. 0 or -ENOMEM. */
int names_set(struct idtun_names *names, uint32_t id, const char *name);
void names_sort(struct idtun_names *names);
void names_free(struct idtun_names *names);

/* Clears the host bits past the prefix length, as the kernel stores it. */
void allowedip_mask(struct idtun_allowedip *ip);
bool allowedip_equal(const struct idtun_allowedip *a, const struct idtun_allowedip *b);
/* Valid family, and a prefix length that fits it. */
bool allowedip_valid(const struct idtun_allowedip *ip);

/*
 * The order in which `show` lists peers: most recent handshake first,
 * never last, ties in the kernel's order. Fills order[npeers].
 */
void device_peer_order(const struct idtun_device *dev, size_t *order);

#endif
