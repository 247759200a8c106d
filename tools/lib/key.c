// SPDX-License-Identifier: GPL-2.0
/* Key encoding and derivation, on libsodium. */

#include "key.h"

#include <sodium.h>
#include <string.h>

void key_to_base64(char out[IDTUN_KEY_B64_LEN + 1], const uint8_t key[IDTUN_KEY_LEN])
{
	sodium_bin2base64(out, IDTUN_KEY_B64_LEN + 1, key, IDTUN_KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

/*
 * Accepts exactly what wg accepts: 44 characters, no whitespace, and the
 * unused low bits of the last symbol zero (libsodium rejects non-canonical
 * encodings), so a key has a single text form.
 */
bool key_from_base64(uint8_t key[IDTUN_KEY_LEN], const char *text)
{
	size_t len = 0;
	const char *end;

	if (strlen(text) != IDTUN_KEY_B64_LEN || text[IDTUN_KEY_B64_LEN - 1] != '=' ||
	    text[IDTUN_KEY_B64_LEN - 2] == '=')
		return false;
	if (sodium_base642bin(key, IDTUN_KEY_LEN, text, IDTUN_KEY_B64_LEN, NULL, &len,
			      &end, sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return len == IDTUN_KEY_LEN && end == text + IDTUN_KEY_B64_LEN;
}

/* Curve25519 private keys as WireGuard stores them: clamped. */
void key_clamp(uint8_t key[IDTUN_KEY_LEN])
{
	key[0] &= 248;
	key[31] = (key[31] & 127) | 64;
}

int key_public(uint8_t pub[IDTUN_KEY_LEN], const uint8_t priv[IDTUN_KEY_LEN])
{
	return crypto_scalarmult_curve25519_base(pub, priv);
}

bool key_is_zero(const uint8_t key[IDTUN_KEY_LEN])
{
	return sodium_is_zero(key, IDTUN_KEY_LEN);
}
