// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake: Noise_IKpsk2 exactly as WireGuard runs it. Its
 * primitives are HMAC over BLAKE2s (RFC 2104, 64-byte blocks) and
 * WireGuard's KDF, HKDF (RFC 5869) with that HMAC, yielding one to three
 * 32-byte outputs. Every intermediate secret is wiped before return.
 *
 * The message functions run in process context (handshake workers, the
 * transmit-handshake work) under the handshake's rwsem: Curve25519 is too
 * slow for softirq context on a flood.
 */

#include "device.h"
#include "keypair.h"
#include "noise.h"
#include "peer.h"

#include <crypto/algapi.h>
#include <crypto/chacha20poly1305.h>
#include <crypto/curve25519.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

void idtun_hmac(u8 out[IDTUN_HASH_LEN], const u8 *in, size_t inlen,
		const u8 *key, size_t keylen)
{
	u8 block[BLAKE2S_BLOCK_SIZE] __aligned(__alignof__(u32)) = { 0 };
	u8 inner[IDTUN_HASH_LEN] __aligned(__alignof__(u32));
	struct blake2s_state state;
	int i;

	/* A key longer than a block is hashed first, as RFC 2104 says. */
	if (keylen > BLAKE2S_BLOCK_SIZE) {
		blake2s_init(&state, IDTUN_HASH_LEN);
		blake2s_update(&state, key, keylen);
		blake2s_final(&state, block);
	} else {
		memcpy(block, key, keylen);
	}

	for (i = 0; i < BLAKE2S_BLOCK_SIZE; i++)
		block[i] ^= 0x36;
	blake2s_init(&state, IDTUN_HASH_LEN);
	blake2s_update(&state, block, BLAKE2S_BLOCK_SIZE);
	blake2s_update(&state, in, inlen);
	blake2s_final(&state, inner);

	for (i = 0; i < BLAKE2S_BLOCK_SIZE; i++)
		block[i] ^= 0x36 ^ 0x5c;
	blake2s_init(&state, IDTUN_HASH_LEN);
	blake2s_update(&state, block, BLAKE2S_BLOCK_SIZE);
	blake2s_update(&state, inner, IDTUN_HASH_LEN);
	blake2s_final(&state, out);

	memzero_explicit(block, sizeof(block));
	memzero_explicit(inner, sizeof(inner));
}

/*
 * KDF_n(chaining_key, data): the pseudorandom key PRK = HMAC(ck, data),
 * then T1 = HMAC(PRK, 0x01), T2 = HMAC(PRK, T1 || 0x02), T3 likewise.
 * Outputs not wanted are NULL; out1 never is.
 */
void idtun_kdf(u8 *out1, u8 *out2, u8 *out3, const u8 *data, size_t len,
	       const u8 chaining_key[IDTUN_HASH_LEN])
{
	u8 *outs[] = { out1, out2, out3 };
	u8 prk[IDTUN_HASH_LEN], t[IDTUN_HASH_LEN + 1];
	size_t tlen = 0;
	int i;

	idtun_hmac(prk, data, len, chaining_key, IDTUN_HASH_LEN);
	for (i = 0; i < ARRAY_SIZE(outs) && outs[i]; i++) {
		/* T(i) = HMAC(PRK, T(i-1) || i), in place: HMAC reads all of
		 * its input before it writes its output.
		 */
		t[tlen] = i + 1;
		idtun_hmac(t, t, tlen + 1, prk, IDTUN_HASH_LEN);
		tlen = IDTUN_HASH_LEN;
		memcpy(outs[i], t, IDTUN_HASH_LEN);
	}
	memzero_explicit(prk, sizeof(prk));
	memzero_explicit(t, sizeof(t));
}

static const u8 idtun_construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const u8 idtun_identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
/* HASH(construction), and HASH of that with the identifier: set at load. */
static u8 idtun_initial_ck[IDTUN_HASH_LEN] __ro_after_init;
static u8 idtun_initial_hash[IDTUN_HASH_LEN] __ro_after_init;

/* Also run by the KUnit suite, which runs before the module's init. */
void idtun_noise_init(void)
{
	struct blake2s_state state;

	blake2s_init(&state, IDTUN_HASH_LEN);
	blake2s_update(&state, idtun_construction,
		       sizeof(idtun_construction) - 1);
	blake2s_final(&state, idtun_initial_ck);
	blake2s_init(&state, IDTUN_HASH_LEN);
	blake2s_update(&state, idtun_initial_ck, IDTUN_HASH_LEN);
	blake2s_update(&state, idtun_identifier, sizeof(idtun_identifier) - 1);
	blake2s_final(&state, idtun_initial_hash);
}

/* h = HASH(h || data) */
static void mix_hash(u8 hash[IDTUN_HASH_LEN], const u8 *data, size_t len)
{
	struct blake2s_state state;

	blake2s_init(&state, IDTUN_HASH_LEN);
	blake2s_update(&state, hash, IDTUN_HASH_LEN);
	blake2s_update(&state, data, len);
	blake2s_final(&state, hash);
}

/* (ck, key) = KDF2(ck, DH(private, public)); false on a low-order point. */
static bool mix_dh(u8 ck[IDTUN_HASH_LEN], u8 key[IDTUN_KEY_SIZE],
		   const u8 private[IDTUN_KEY_SIZE],
		   const u8 public[IDTUN_KEY_SIZE])
{
	u8 dh[IDTUN_KEY_SIZE];

	if (unlikely(!curve25519(dh, private, public)))
		return false;
	idtun_kdf(ck, key, NULL, dh, IDTUN_KEY_SIZE, ck);
	memzero_explicit(dh, sizeof(dh));
	return true;
}

/* The precomputed DH(static, static); all zeros means a low-order point. */
static bool mix_precomputed_dh(u8 ck[IDTUN_HASH_LEN], u8 key[IDTUN_KEY_SIZE],
			       const u8 dh[IDTUN_KEY_SIZE])
{
	static const u8 zero[IDTUN_KEY_SIZE];

	if (unlikely(!crypto_memneq(dh, zero, IDTUN_KEY_SIZE)))
		return false;
	idtun_kdf(ck, key, NULL, dh, IDTUN_KEY_SIZE, ck);
	return true;
}

/* The ephemeral goes into both the transcript and the chaining key. */
static void mix_ephemeral(u8 ck[IDTUN_HASH_LEN], u8 hash[IDTUN_HASH_LEN],
			  const u8 ephemeral[IDTUN_KEY_SIZE])
{
	mix_hash(hash, ephemeral, IDTUN_KEY_SIZE);
	idtun_kdf(ck, NULL, NULL, ephemeral, IDTUN_KEY_SIZE, ck);
}

/* (ck, t, key) = KDF3(ck, psk); h = HASH(h || t) */
static void mix_psk(u8 ck[IDTUN_HASH_LEN], u8 hash[IDTUN_HASH_LEN],
		    u8 key[IDTUN_KEY_SIZE], const u8 psk[IDTUN_KEY_SIZE])
{
	u8 t[IDTUN_HASH_LEN];

	idtun_kdf(ck, t, key, psk, IDTUN_KEY_SIZE, ck);
	mix_hash(hash, t, IDTUN_HASH_LEN);
	memzero_explicit(t, sizeof(t));
}

static void encrypt_and_hash(u8 *dst, const u8 *src, size_t len,
			     u8 key[IDTUN_KEY_SIZE], u8 hash[IDTUN_HASH_LEN])
{
	chacha20poly1305_encrypt(dst, src, len, hash, IDTUN_HASH_LEN, 0, key);
	mix_hash(hash, dst, len + IDTUN_TAG_SIZE);
}

static bool decrypt_and_hash(u8 *dst, const u8 *src, size_t len,
			     u8 key[IDTUN_KEY_SIZE], u8 hash[IDTUN_HASH_LEN])
{
	if (!chacha20poly1305_decrypt(dst, src, len, hash, IDTUN_HASH_LEN, 0,
				      key))
		return false;
	mix_hash(hash, src, len);
	return true;
}

/* The responder's hash and chaining key before the first message. */
static void handshake_start(u8 ck[IDTUN_HASH_LEN], u8 hash[IDTUN_HASH_LEN],
			    const u8 responder_static[IDTUN_KEY_SIZE])
{
	memcpy(ck, idtun_initial_ck, IDTUN_HASH_LEN);
	memcpy(hash, idtun_initial_hash, IDTUN_HASH_LEN);
	mix_hash(hash, responder_static, IDTUN_KEY_SIZE);
}

void idtun_handshake_init(struct idtun_handshake *hs, struct idtun_peer *peer,
			  const u8 public_key[IDTUN_KEY_SIZE],
			  const u8 preshared_key[IDTUN_KEY_SIZE])
{
	memset(hs, 0, sizeof(*hs));
	init_rwsem(&hs->lock);
	INIT_HLIST_NODE(&hs->entry.node);
	hs->entry.type = IDTUN_INDEX_HANDSHAKE;
	hs->entry.peer = peer;
	memcpy(hs->remote_static, public_key, IDTUN_KEY_SIZE);
	if (preshared_key)
		memcpy(hs->preshared_key, preshared_key, IDTUN_KEY_SIZE);
	hs->state = IDTUN_HS_ZEROED;
}

/* Caller holds hs->lock for writing. */
static void handshake_zero(struct idtun_handshake *hs)
{
	memzero_explicit(hs->ephemeral_private, IDTUN_KEY_SIZE);
	memzero_explicit(hs->remote_ephemeral, IDTUN_KEY_SIZE);
	memzero_explicit(hs->hash, IDTUN_HASH_LEN);
	memzero_explicit(hs->chaining_key, IDTUN_HASH_LEN);
	hs->remote_index = 0;
	hs->state = IDTUN_HS_ZEROED;
}

/*
 * Forgets a handshake in flight, and its index (inserted only under the
 * lock, so none can come back behind us).
 */
void idtun_handshake_clear(struct idtun_handshake *hs,
			   struct idtun_index_table *indices)
{
	down_write(&hs->lock);
	idtun_index_remove(indices, &hs->entry);
	handshake_zero(hs);
	up_write(&hs->lock);
}

/* Caller holds the device's static identity lock for writing. */
void idtun_handshake_set_static(struct idtun_handshake *hs,
				const u8 private_key[IDTUN_KEY_SIZE])
{
	down_write(&hs->lock);
	if (!private_key ||
	    !curve25519(hs->static_static, private_key, hs->remote_static))
		memset(hs->static_static, 0, IDTUN_KEY_SIZE);
	up_write(&hs->lock);
}

bool idtun_noise_write_initiation(struct idtun_msg_initiation *msg,
				  struct idtun_handshake *hs,
				  const u8 local_public[IDTUN_KEY_SIZE],
				  const u8 ephemeral[IDTUN_KEY_SIZE],
				  const u8 timestamp[IDTUN_TIMESTAMP_SIZE])
{
	u8 key[IDTUN_KEY_SIZE];
	bool ret = false;

	handshake_start(hs->chaining_key, hs->hash, hs->remote_static);
	memcpy(hs->ephemeral_private, ephemeral, IDTUN_KEY_SIZE);
	if (!curve25519_generate_public(msg->ephemeral, ephemeral))
		goto out;
	mix_ephemeral(hs->chaining_key, hs->hash, msg->ephemeral);
	if (!mix_dh(hs->chaining_key, key, ephemeral, hs->remote_static))
		goto out;
	encrypt_and_hash(msg->encrypted_static, local_public, IDTUN_KEY_SIZE,
			 key, hs->hash);
	if (!mix_precomputed_dh(hs->chaining_key, key, hs->static_static))
		goto out;
	encrypt_and_hash(msg->encrypted_timestamp, timestamp,
			 IDTUN_TIMESTAMP_SIZE, key, hs->hash);
	ret = true;
out:
	memzero_explicit(key, sizeof(key));
	return ret;
}

bool idtun_noise_read_initiation_static(const struct idtun_msg_initiation *msg,
					const u8 local_private[IDTUN_KEY_SIZE],
					const u8 local_public[IDTUN_KEY_SIZE],
					u8 remote_static[IDTUN_KEY_SIZE],
					u8 hash[IDTUN_HASH_LEN],
					u8 chaining_key[IDTUN_HASH_LEN])
{
	u8 key[IDTUN_KEY_SIZE];
	bool ret = false;

	handshake_start(chaining_key, hash, local_public);
	mix_ephemeral(chaining_key, hash, msg->ephemeral);
	if (!mix_dh(chaining_key, key, local_private, msg->ephemeral))
		goto out;
	ret = decrypt_and_hash(remote_static, msg->encrypted_static,
			       sizeof(msg->encrypted_static), key, hash);
out:
	memzero_explicit(key, sizeof(key));
	return ret;
}

bool idtun_noise_read_initiation_timestamp(const struct idtun_msg_initiation *msg,
					   const u8 static_static[IDTUN_KEY_SIZE],
					   u8 hash[IDTUN_HASH_LEN],
					   u8 chaining_key[IDTUN_HASH_LEN],
					   u8 timestamp[IDTUN_TIMESTAMP_SIZE])
{
	u8 key[IDTUN_KEY_SIZE];
	bool ret = false;

	if (!mix_precomputed_dh(chaining_key, key, static_static))
		goto out;
	ret = decrypt_and_hash(timestamp, msg->encrypted_timestamp,
			       sizeof(msg->encrypted_timestamp), key, hash);
out:
	memzero_explicit(key, sizeof(key));
	return ret;
}

bool idtun_noise_write_response(struct idtun_msg_response *msg,
				struct idtun_handshake *hs,
				const u8 ephemeral[IDTUN_KEY_SIZE])
{
	u8 key[IDTUN_KEY_SIZE];
	bool ret = false;

	memcpy(hs->ephemeral_private, ephemeral, IDTUN_KEY_SIZE);
	if (!curve25519_generate_public(msg->ephemeral, ephemeral))
		goto out;
	mix_ephemeral(hs->chaining_key, hs->hash, msg->ephemeral);
	if (!mix_dh(hs->chaining_key, NULL, ephemeral, hs->remote_ephemeral) ||
	    !mix_dh(hs->chaining_key, NULL, ephemeral, hs->remote_static))
		goto out;
	mix_psk(hs->chaining_key, hs->hash, key, hs->preshared_key);
	encrypt_and_hash(msg->encrypted_nothing, NULL, 0, key, hs->hash);
	ret = true;
out:
	memzero_explicit(key, sizeof(key));
	return ret;
}

/* On success the handshake's hash and chaining key have moved on. */
bool idtun_noise_read_response(const struct idtun_msg_response *msg,
			       struct idtun_handshake *hs,
			       const u8 local_private[IDTUN_KEY_SIZE])
{
	u8 hash[IDTUN_HASH_LEN], ck[IDTUN_HASH_LEN], key[IDTUN_KEY_SIZE];
	bool ret = false;

	memcpy(hash, hs->hash, IDTUN_HASH_LEN);
	memcpy(ck, hs->chaining_key, IDTUN_HASH_LEN);
	mix_ephemeral(ck, hash, msg->ephemeral);
	if (!mix_dh(ck, NULL, hs->ephemeral_private, msg->ephemeral) ||
	    !mix_dh(ck, NULL, local_private, msg->ephemeral))
		goto out;
	mix_psk(ck, hash, key, hs->preshared_key);
	if (!decrypt_and_hash(NULL, msg->encrypted_nothing,
			      sizeof(msg->encrypted_nothing), key, hash))
		goto out;
	memcpy(hs->remote_ephemeral, msg->ephemeral, IDTUN_KEY_SIZE);
	memcpy(hs->hash, hash, IDTUN_HASH_LEN);
	memcpy(hs->chaining_key, ck, IDTUN_HASH_LEN);
	ret = true;
out:
	memzero_explicit(hash, sizeof(hash));
	memzero_explicit(ck, sizeof(ck));
	memzero_explicit(key, sizeof(key));
	return ret;
}

/* (first, second) = KDF2(ck, ""): the initiator sends with first. */
void idtun_noise_derive_keys(u8 first[IDTUN_KEY_SIZE], u8 second[IDTUN_KEY_SIZE],
			     const u8 chaining_key[IDTUN_HASH_LEN])
{
	idtun_kdf(first, second, NULL, NULL, 0, chaining_key);
}

/*
 * TAI64N of the wall clock, nanoseconds rounded down to the initiation
 * rate so the timestamp reveals no more of our clock than it must.
 */
static void tai64n_now(u8 out[IDTUN_TIMESTAMP_SIZE])
{
	struct timespec64 now;
	__be64 sec;
	__be32 nsec;

	ktime_get_real_ts64(&now);
	now.tv_nsec = ALIGN_DOWN(now.tv_nsec,
				 rounddown_pow_of_two(NSEC_PER_SEC /
						      IDTUN_INITIATIONS_PER_SECOND));
	sec = cpu_to_be64((1ULL << 62) + 10 + now.tv_sec);
	nsec = cpu_to_be32(now.tv_nsec);
	memcpy(out, &sec, sizeof(sec));
	memcpy(out + sizeof(sec), &nsec, sizeof(nsec));
}

/* Fills msg but its MACs; false if we have no identity or keys are bad. */
bool idtun_noise_create_initiation(struct idtun_msg_initiation *msg,
				   struct idtun_handshake *hs)
{
	struct idtun_device *idt = hs->entry.peer->device;
	u8 ephemeral[IDTUN_KEY_SIZE], timestamp[IDTUN_TIMESTAMP_SIZE];
	bool ret = false;

	down_read(&idt->static_identity_lock);
	down_write(&hs->lock);
	if (!idt->has_identity)
		goto out;
	msg->header.type = cpu_to_le32(IDTUN_MSG_INITIATION);
	curve25519_generate_secret(ephemeral);
	tai64n_now(timestamp);
	if (!idtun_noise_write_initiation(msg, hs, idt->static_public,
					  ephemeral, timestamp))
		goto out;
	msg->sender_index = cpu_to_le32(idtun_index_insert(idt->index_table,
							   &hs->entry));
	hs->state = IDTUN_HS_CREATED_INITIATION;
	ret = true;
out:
	up_write(&hs->lock);
	up_read(&idt->static_identity_lock);
	memzero_explicit(ephemeral, sizeof(ephemeral));
	return ret;
}

/*
 * Consumes an initiation whose MACs were checked. Returns its peer with a
 * reference, its handshake now CONSUMED_INITIATION, or NULL.
 */
struct idtun_peer *idtun_noise_consume_initiation(struct idtun_msg_initiation *msg,
						  struct idtun_device *idt)
{
	u8 remote_static[IDTUN_KEY_SIZE], timestamp[IDTUN_TIMESTAMP_SIZE];
	u8 hash[IDTUN_HASH_LEN], ck[IDTUN_HASH_LEN];
	struct idtun_handshake *hs;
	struct idtun_peer *peer = NULL;

	down_read(&idt->static_identity_lock);
	if (!idt->has_identity)
		goto out;
	if (!idtun_noise_read_initiation_static(msg, idt->static_private,
						idt->static_public,
						remote_static, hash, ck))
		goto out;
	peer = idtun_peer_table_find(idt->peer_table, remote_static);
	if (!peer)
		goto out;
	hs = &peer->handshake;

	down_write(&hs->lock);
	if (!idtun_noise_read_initiation_timestamp(msg, hs->static_static,
						   hash, ck, timestamp))
		goto err_unlock;
	/* Replays and floods of initiations, even genuine ones, are ignored. */
	if (memcmp(timestamp, hs->latest_timestamp, IDTUN_TIMESTAMP_SIZE) <= 0)
		goto err_unlock;
	if (hs->last_initiation_consumption &&
	    ktime_get_coarse_boottime_ns() - hs->last_initiation_consumption <
	    NSEC_PER_SEC / IDTUN_INITIATIONS_PER_SECOND)
		goto err_unlock;
	memcpy(hs->remote_ephemeral, msg->ephemeral, IDTUN_KEY_SIZE);
	memcpy(hs->latest_timestamp, timestamp, IDTUN_TIMESTAMP_SIZE);
	memcpy(hs->hash, hash, IDTUN_HASH_LEN);
	memcpy(hs->chaining_key, ck, IDTUN_HASH_LEN);
	hs->remote_index = msg->sender_index;
	hs->last_initiation_consumption = ktime_get_coarse_boottime_ns();
	hs->state = IDTUN_HS_CONSUMED_INITIATION;
	up_write(&hs->lock);
	goto out;

err_unlock:
	up_write(&hs->lock);
	idtun_peer_put(peer);
	peer = NULL;
out:
	memzero_explicit(hash, sizeof(hash));
	memzero_explicit(ck, sizeof(ck));
	memzero_explicit(remote_static, sizeof(remote_static));
	up_read(&idt->static_identity_lock);
	return peer;
}

bool idtun_noise_create_response(struct idtun_msg_response *msg,
				 struct idtun_handshake *hs)
{
	struct idtun_device *idt = hs->entry.peer->device;
	u8 ephemeral[IDTUN_KEY_SIZE];
	bool ret = false;

	down_read(&idt->static_identity_lock);
	down_write(&hs->lock);
	if (hs->state != IDTUN_HS_CONSUMED_INITIATION)
		goto out;
	msg->header.type = cpu_to_le32(IDTUN_MSG_RESPONSE);
	msg->receiver_index = hs->remote_index;
	curve25519_generate_secret(ephemeral);
	if (!idtun_noise_write_response(msg, hs, ephemeral))
		goto out;
	msg->sender_index = cpu_to_le32(idtun_index_insert(idt->index_table,
							   &hs->entry));
	hs->state = IDTUN_HS_CREATED_RESPONSE;
	ret = true;
out:
	up_write(&hs->lock);
	up_read(&idt->static_identity_lock);
	memzero_explicit(ephemeral, sizeof(ephemeral));
	return ret;
}

/* Returns the peer with a reference, its handshake CONSUMED_RESPONSE. */
struct idtun_peer *idtun_noise_consume_response(struct idtun_msg_response *msg,
						struct idtun_device *idt)
{
	struct idtun_index_entry *entry;
	struct idtun_handshake *hs;
	struct idtun_peer *peer = NULL;
	bool ok = false;

	rcu_read_lock_bh();
	entry = idtun_index_find(idt->index_table, IDTUN_INDEX_HANDSHAKE,
				 le32_to_cpu(msg->receiver_index), &peer);
	rcu_read_unlock_bh();
	if (!entry)
		return NULL;
	hs = &peer->handshake;

	down_read(&idt->static_identity_lock);
	down_write(&hs->lock);
	if (hs->state == IDTUN_HS_CREATED_INITIATION &&
	    hs->entry.index == le32_to_cpu(msg->receiver_index) &&
	    idt->has_identity &&
	    idtun_noise_read_response(msg, hs, idt->static_private)) {
		hs->remote_index = msg->sender_index;
		hs->state = IDTUN_HS_CONSUMED_RESPONSE;
		ok = true;
	}
	up_write(&hs->lock);
	up_read(&idt->static_identity_lock);
	if (!ok) {
		idtun_peer_put(peer);
		return NULL;
	}
	return peer;
}

/*
 * Turns a finished handshake (we created the response, or consumed it)
 * into a session, which takes over the handshake's index; the handshake
 * is zeroed. Returns the new keypair, installed in the peer's slots.
 */
struct idtun_keypair *idtun_noise_begin_session(struct idtun_handshake *hs)
{
	struct idtun_peer *peer = hs->entry.peer;
	struct idtun_index_table *indices = peer->device->index_table;
	u8 first[IDTUN_KEY_SIZE], second[IDTUN_KEY_SIZE];
	struct idtun_keypair *kp = NULL;
	bool initiator;

	down_write(&hs->lock);
	if (hs->state != IDTUN_HS_CREATED_RESPONSE &&
	    hs->state != IDTUN_HS_CONSUMED_RESPONSE)
		goto out;
	initiator = hs->state == IDTUN_HS_CONSUMED_RESPONSE;
	idtun_noise_derive_keys(first, second, hs->chaining_key);
	kp = initiator ? idtun_keypair_create(first, second, true) :
			 idtun_keypair_create(second, first, false);
	memzero_explicit(first, sizeof(first));
	memzero_explicit(second, sizeof(second));
	if (!kp)
		goto zero;
	kp->entry.peer = peer;
	kp->remote_index = hs->remote_index;
	if (!idtun_index_replace(indices, &hs->entry, &kp->entry) ||
	    !idtun_keypairs_add(&peer->keypairs, kp, indices)) {
		idtun_index_remove(indices, &kp->entry);
		idtun_keypair_free(kp);
		kp = NULL;
	}
zero:
	handshake_zero(hs);
out:
	up_write(&hs->lock);
	return kp;
}
