// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the handshake's primitives against values computed independently
 * by scripts/wgref.py (Python's BLAKE2s and HMAC), which selftests/wgref.sh
 * checks against a stock WireGuard peer.
 */

#include <kunit/test.h>

#include "noise.h"
#include "noise_vectors.h"

/* KUNIT_EXPECT_MEMEQ arrived after 6.1. */
#define EXPECT_BYTES(test, got, want, len, ...) \
	KUNIT_EXPECT_EQ_MSG(test, memcmp(got, want, len), 0, __VA_ARGS__)

static void noise_hmac_vectors(struct kunit *test)
{
	u8 out[IDTUN_HASH_LEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(idtun_hmac_vectors); i++) {
		const struct idtun_hmac_vector *v = &idtun_hmac_vectors[i];

		idtun_hmac(out, v->data, v->len, v->key, v->keylen);
		EXPECT_BYTES(test, out, v->out, IDTUN_HASH_LEN,
			     "vector %zu: key %zu bytes, data %zu bytes",
			     i, v->keylen, v->len);
	}
}

static void noise_kdf_vectors(struct kunit *test)
{
	u8 a[IDTUN_HASH_LEN], b[IDTUN_HASH_LEN], c[IDTUN_HASH_LEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(idtun_kdf_vectors); i++) {
		const struct idtun_kdf_vector *v = &idtun_kdf_vectors[i];

		/* KDF_1, KDF_2 and KDF_3 share their leading outputs. */
		idtun_kdf(a, NULL, NULL, v->data, v->len, v->key);
		EXPECT_BYTES(test, a, v->out, IDTUN_HASH_LEN, "KDF_1 %zu", i);
		idtun_kdf(a, b, NULL, v->data, v->len, v->key);
		EXPECT_BYTES(test, b, v->out + 32, IDTUN_HASH_LEN, "KDF_2 %zu", i);
		idtun_kdf(a, b, c, v->data, v->len, v->key);
		EXPECT_BYTES(test, a, v->out, IDTUN_HASH_LEN, "KDF_3.1 %zu", i);
		EXPECT_BYTES(test, b, v->out + 32, IDTUN_HASH_LEN, "KDF_3.2 %zu", i);
		EXPECT_BYTES(test, c, v->out + 64, IDTUN_HASH_LEN, "KDF_3.3 %zu", i);
	}
}

/* The chaining key may be one of the outputs, as the handshake uses it. */
static void noise_kdf_in_place(struct kunit *test)
{
	const struct idtun_kdf_vector *v = &idtun_kdf_vectors[2];
	u8 ck[IDTUN_HASH_LEN], k[IDTUN_HASH_LEN];

	memcpy(ck, v->key, IDTUN_HASH_LEN);
	idtun_kdf(ck, k, NULL, v->data, v->len, ck);
	EXPECT_BYTES(test, ck, v->out, IDTUN_HASH_LEN, "chaining key");
	EXPECT_BYTES(test, k, v->out + 32, IDTUN_HASH_LEN, "key");
}

static struct kunit_case idtun_noise_cases[] = {
	KUNIT_CASE(noise_hmac_vectors),
	KUNIT_CASE(noise_kdf_vectors),
	KUNIT_CASE(noise_kdf_in_place),
	{}
};

static struct kunit_suite idtun_noise_suite = {
	.name = "idtun_noise",
	.test_cases = idtun_noise_cases,
};

kunit_test_suites(&idtun_noise_suite);
