/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, as WireGuard uses it: the
 * primitives the handshake is built from.
 */

#ifndef _IDTUN_NOISE_H
#define _IDTUN_NOISE_H

#include <crypto/blake2s.h>
#include <linux/types.h>

#define IDTUN_HASH_LEN BLAKE2S_HASH_SIZE

void idtun_hmac(u8 out[IDTUN_HASH_LEN], const u8 *in, size_t inlen,
		const u8 *key, size_t keylen);
void idtun_kdf(u8 *out1, u8 *out2, u8 *out3, const u8 *data, size_t len,
	       const u8 chaining_key[IDTUN_HASH_LEN]);

#endif /* _IDTUN_NOISE_H */
