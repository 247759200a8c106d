/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, as WireGuard uses it: the
 * handshake's primitives, its state per peer, and the messages that move
 * it forward. The session keys it yields live in keypair.h.
 */

#ifndef _IDTUN_NOISE_H
#define _IDTUN_NOISE_H

#include <crypto/blake2s.h>
#include <linux/rwsem.h>
#include <linux/types.h>

#include "lookup.h"
#include "messages.h"

#define IDTUN_HASH_LEN BLAKE2S_HASH_SIZE

struct idtun_device;
struct idtun_keypair;

enum idtun_handshake_state {
	IDTUN_HS_ZEROED,
	IDTUN_HS_CREATED_INITIATION,
	IDTUN_HS_CONSUMED_INITIATION,
	IDTUN_HS_CREATED_RESPONSE,
	IDTUN_HS_CONSUMED_RESPONSE,
};

/* One peer's handshake in progress. */
struct idtun_handshake {
	/* Our sender index while a handshake is in flight. */
	struct idtun_index_entry entry;
	/* Protects every field below; held by handshake workers (may sleep). */
	struct rw_semaphore lock;
	enum idtun_handshake_state state;
	/* The peer's public key; set at creation and never changed. */
	u8 remote_static[IDTUN_KEY_SIZE];
	/*
	 * DH(our static, their static), recomputed when our private key
	 * changes (under the device's static identity lock, held for write).
	 */
	u8 static_static[IDTUN_KEY_SIZE];
	u8 preshared_key[IDTUN_KEY_SIZE];
	u8 ephemeral_private[IDTUN_KEY_SIZE];
	u8 remote_ephemeral[IDTUN_KEY_SIZE];
	u8 hash[IDTUN_HASH_LEN];
	u8 chaining_key[IDTUN_HASH_LEN];
	/* The newest initiation timestamp accepted from the peer. */
	u8 latest_timestamp[IDTUN_TIMESTAMP_SIZE];
	/* When we last accepted an initiation (boottime ns), for flood limits. */
	u64 last_initiation_consumption;
	__le32 remote_index;
};

void idtun_hmac(u8 out[IDTUN_HASH_LEN], const u8 *in, size_t inlen,
		const u8 *key, size_t keylen);
void idtun_kdf(u8 *out1, u8 *out2, u8 *out3, const u8 *data, size_t len,
	       const u8 chaining_key[IDTUN_HASH_LEN]);

void idtun_noise_init(void);
void idtun_handshake_init(struct idtun_handshake *hs, struct idtun_peer *peer,
			  const u8 public_key[IDTUN_KEY_SIZE],
			  const u8 preshared_key[IDTUN_KEY_SIZE]);
void idtun_handshake_clear(struct idtun_handshake *hs,
			   struct idtun_index_table *indices);
void idtun_handshake_set_static(struct idtun_handshake *hs,
				const u8 private_key[IDTUN_KEY_SIZE]);

/*
 * The deterministic cores of the messages, which the KUnit suite drives
 * with fixed ephemeral keys and timestamps. They fill and consume the
 * message bodies only: indices and MACs are the callers' business.
 */
bool idtun_noise_write_initiation(struct idtun_msg_initiation *msg,
				  struct idtun_handshake *hs,
				  const u8 local_public[IDTUN_KEY_SIZE],
				  const u8 ephemeral[IDTUN_KEY_SIZE],
				  const u8 timestamp[IDTUN_TIMESTAMP_SIZE]);
bool idtun_noise_read_initiation_static(const struct idtun_msg_initiation *msg,
					const u8 local_private[IDTUN_KEY_SIZE],
					const u8 local_public[IDTUN_KEY_SIZE],
					u8 remote_static[IDTUN_KEY_SIZE],
					u8 hash[IDTUN_HASH_LEN],
					u8 chaining_key[IDTUN_HASH_LEN]);
bool idtun_noise_read_initiation_timestamp(const struct idtun_msg_initiation *msg,
					   const u8 static_static[IDTUN_KEY_SIZE],
					   u8 hash[IDTUN_HASH_LEN],
					   u8 chaining_key[IDTUN_HASH_LEN],
					   u8 timestamp[IDTUN_TIMESTAMP_SIZE]);
bool idtun_noise_write_response(struct idtun_msg_response *msg,
				struct idtun_handshake *hs,
				const u8 ephemeral[IDTUN_KEY_SIZE]);
bool idtun_noise_read_response(const struct idtun_msg_response *msg,
			       struct idtun_handshake *hs,
			       const u8 local_private[IDTUN_KEY_SIZE]);
void idtun_noise_derive_keys(u8 first[IDTUN_KEY_SIZE], u8 second[IDTUN_KEY_SIZE],
			     const u8 chaining_key[IDTUN_HASH_LEN]);

/* The full steps, with random ephemerals, the clock and the index table. */
bool idtun_noise_create_initiation(struct idtun_msg_initiation *msg,
				   struct idtun_handshake *hs);
struct idtun_peer *idtun_noise_consume_initiation(struct idtun_msg_initiation *msg,
						  struct idtun_device *idt);
bool idtun_noise_create_response(struct idtun_msg_response *msg,
				 struct idtun_handshake *hs);
struct idtun_peer *idtun_noise_consume_response(struct idtun_msg_response *msg,
						struct idtun_device *idt);
struct idtun_keypair *idtun_noise_begin_session(struct idtun_handshake *hs);

#endif /* _IDTUN_NOISE_H */
