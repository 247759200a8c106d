/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's configuration and state in memory: what a dump of the kernel
 * returns, what a configuration file or `idtun set` asks for, and what the
 * formatters print. Netlink, parsing and printing all meet here.
 */

#ifndef IDTUN_DEVICE_H
#define IDTUN_DEVICE_H

#include "key.h"

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

/* Which optional fields of a peer are present. */
enum {
	PEER_HAS_PRESHARED_KEY = 1 << 0,
	PEER_HAS_KEEPALIVE = 1 << 1,
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
};

/* Which optional fields of a device are present. */
enum {
	DEV_HAS_PRIVATE_KEY = 1 << 0,
	DEV_HAS_PUBLIC_KEY = 1 << 1,
	DEV_HAS_LISTEN_PORT = 1 << 2,
	DEV_HAS_FWMARK = 1 << 3,
};

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
};

/* A new zeroed peer at the end; NULL when out of memory. */
struct idtun_peer *device_add_peer(struct idtun_device *dev);
int peer_add_ip(struct idtun_peer *peer, const struct idtun_allowedip *ip);
struct idtun_peer *device_find_peer(const struct idtun_device *dev,
				    const uint8_t key[IDTUN_KEY_LEN]);
/* Wipes the keys and frees the peers; the device is then empty. */
void device_free(struct idtun_device *dev);
void peer_free(struct idtun_peer *peer);

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
