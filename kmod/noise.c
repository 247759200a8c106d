// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake's primitives: HMAC over BLAKE2s (RFC 2104, 64-byte blocks)
 * and WireGuard's KDF, HKDF (RFC 5869) with that HMAC, yielding one to
 * three 32-byte outputs. Every intermediate secret is wiped before return.
 */

#include "noise.h"

#include <linux/string.h>

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
