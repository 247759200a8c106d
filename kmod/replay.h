/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The receive replay window of one session key: which message counters
 * have been seen, so that every authenticated message is accepted at most
 * once, in any order within the window.
 */

#ifndef _IDTUN_REPLAY_H
#define _IDTUN_REPLAY_H

#include <linux/spinlock.h>
#include <linux/types.h>

/*
 * A ring of IDTUN_REPLAY_WORDS words, 4096 bits whatever the word size
 * (RFC 6479): the newest word holds the highest counter seen, and counters
 * up to IDTUN_REPLAY_WINDOW below it are still tracked (4032 on 64-bit
 * kernels, 4064 on 32-bit). Older counters are refused outright.
 */
#define IDTUN_REPLAY_WORDS	(4096 / BITS_PER_LONG)
#define IDTUN_REPLAY_WINDOW	((IDTUN_REPLAY_WORDS - 1) * BITS_PER_LONG)

/* WireGuard's limit: a key never accepts a counter at or past this. */
#define IDTUN_REJECT_AFTER_MESSAGES	(U64_MAX - (1ULL << 13) - 1)

struct idtun_replay {
	/* Serialises receivers of the same key; protects the fields below. */
	spinlock_t lock;
	/* The highest counter accepted, valid once any is set. */
	u64 last;
	bool any;
	unsigned long bits[IDTUN_REPLAY_WORDS];
};

void idtun_replay_init(struct idtun_replay *r);
bool idtun_replay_accept(struct idtun_replay *r, u64 counter);

#endif /* _IDTUN_REPLAY_H */
