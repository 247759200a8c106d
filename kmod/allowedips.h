/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cryptokey routing: each device maps IP prefixes to peers. On transmit the
 * destination's longest matching prefix picks the peer; on receive the
 * source must map back to the peer that sent the packet.
 */

#ifndef _IDTUN_ALLOWEDIPS_H
#define _IDTUN_ALLOWEDIPS_H

#include "trie.h"

struct idtun_peer;

/*
 * A trie whose values are peers; each peer links its nodes through their
 * list (peer->allowedips_list). Readers look up under rcu_read_lock_bh();
 * writers hold the table's lock, passed to every call that changes it.
 */
struct idtun_allowedips {
	struct idtun_trie trie;
	/* Incremented on every change, so dumps can tell they raced one. */
	u64 seq;
};

void idtun_aip_init(struct idtun_allowedips *t);
void idtun_aip_free(struct idtun_allowedips *t, struct mutex *lock);

int idtun_aip_insert(struct idtun_allowedips *t, int family, const void *addr,
		     u8 cidr, struct idtun_peer *peer, struct mutex *lock);
int idtun_aip_remove(struct idtun_allowedips *t, int family, const void *addr,
		     u8 cidr, struct idtun_peer *peer, struct mutex *lock);
void idtun_aip_remove_peer(struct idtun_allowedips *t, struct idtun_peer *peer,
			   struct mutex *lock);

/* Under rcu_read_lock_bh(); the peer is valid until it is dropped. */
static inline struct idtun_peer *
idtun_aip_lookup(struct idtun_allowedips *t, int family, const void *addr)
{
	return idtun_trie_lookup(&t->trie, family, addr);
}

#endif /* _IDTUN_ALLOWEDIPS_H */
