/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Session keys: what a completed handshake yields, one AEAD transform per
 * direction, and the rotation of a peer's current, previous and next
 * sessions.
 */

#ifndef _IDTUN_KEYPAIR_H
#define _IDTUN_KEYPAIR_H

#include <linux/atomic.h>
#include <linux/skbuff.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "lookup.h"
#include "messages.h"
#include "replay.h"

struct crypto_aead;

/*
 * One session. Readers use it under rcu_read_lock_bh() only; it is freed,
 * its transforms wiped by the crypto API, an RCU grace period after it
 * leaves the peer's slots and the index table.
 */
struct idtun_keypair {
	struct idtun_index_entry entry;
	struct crypto_aead *send;
	struct crypto_aead *recv;
	atomic64_t send_counter;
	struct idtun_replay replay;
	/* When the session was derived (boottime ns). */
	u64 birthdate;
	__le32 remote_index;
	bool i_am_initiator;
	/* Cleared once the session may no longer send (or receive). */
	bool sending_valid;
	bool receiving_valid;
	struct rcu_work free_work;
};

/* A peer's sessions: next is the responder's until the initiator confirms. */
struct idtun_keypairs {
	struct idtun_keypair __rcu *current_keypair;
	struct idtun_keypair __rcu *previous_keypair;
	struct idtun_keypair __rcu *next_keypair;
	/* Serialises writers of the three slots and closed. */
	spinlock_t lock;
	/* The peer is going: no new session may be added. */
	bool closed;
};

int idtun_keypair_crypto_init(void);
void idtun_keypair_crypto_uninit(void);

struct idtun_keypair *idtun_keypair_create(const u8 send_key[IDTUN_KEY_SIZE],
					   const u8 recv_key[IDTUN_KEY_SIZE],
					   bool i_am_initiator);
void idtun_keypair_free(struct idtun_keypair *kp);

void idtun_keypairs_init(struct idtun_keypairs *kps);
bool idtun_keypairs_add(struct idtun_keypairs *kps, struct idtun_keypair *kp,
			struct idtun_index_table *indices);
bool idtun_keypairs_received_with(struct idtun_keypairs *kps,
				  struct idtun_keypair *kp,
				  struct idtun_index_table *indices);
void idtun_keypairs_clear(struct idtun_keypairs *kps,
			  struct idtun_index_table *indices, bool close);
void idtun_keypairs_expire_current(struct idtun_keypairs *kps);

/*
 * The transport AEAD on a whole skb, in place, with per-CPU requests and
 * scatterlists prepared when the module loads. Callers run with bottom
 * halves disabled. The skb holds only the plaintext (padded) on encrypt,
 * and only the ciphertext with its tag on decrypt.
 */
bool idtun_encrypt_skb(struct sk_buff *skb, struct crypto_aead *tfm,
		       u64 counter, unsigned int padding);
bool idtun_decrypt_skb(struct sk_buff *skb, struct crypto_aead *tfm,
		       u64 counter);

#endif /* _IDTUN_KEYPAIR_H */
