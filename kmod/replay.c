// SPDX-License-Identifier: GPL-2.0
/*
 * Replay window. A counter is accepted once, after its message has been
 * authenticated: the caller decrypts first and asks here second, so a
 * forged message cannot move the window.
 */

#include "replay.h"

#include <linux/bitops.h>
#include <linux/string.h>

void idtun_replay_init(struct idtun_replay *r)
{
	spin_lock_init(&r->lock);
	r->last = 0;
	r->any = false;
	memset(r->bits, 0, sizeof(r->bits));
}

#define WORD(counter)	((counter) / BITS_PER_LONG)
#define SLOT(word)	((word) & (IDTUN_REPLAY_WORDS - 1))

/* Moves the window up to counter, clearing the words it now reuses. */
static void idtun_replay_advance(struct idtun_replay *r, u64 counter)
{
	u64 from = WORD(r->last), to = WORD(counter), w;

	if (!r->any || to - from >= IDTUN_REPLAY_WORDS) {
		memset(r->bits, 0, sizeof(r->bits));
	} else {
		for (w = from + 1; w <= to; w++)
			r->bits[SLOT(w)] = 0;
	}
	r->last = counter;
	r->any = true;
}

/* True when counter is new and inside the window; it is then marked seen. */
bool idtun_replay_accept(struct idtun_replay *r, u64 counter)
{
	bool fresh = false;

	if (counter >= IDTUN_REJECT_AFTER_MESSAGES)
		return false;
	spin_lock_bh(&r->lock);
	if (!r->any || counter > r->last)
		idtun_replay_advance(r, counter);
	else if (r->last - counter >= IDTUN_REPLAY_WINDOW)
		goto out;
	fresh = !__test_and_set_bit(counter % BITS_PER_LONG,
				    &r->bits[SLOT(WORD(counter))]);
out:
	spin_unlock_bh(&r->lock);
	return fresh;
}
