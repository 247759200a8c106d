// SPDX-License-Identifier: GPL-2.0
/* Key text encoding by wg's rules, and Curve25519 public keys. */

#include "key.h"
#include "tap.h"

#include <sodium.h>
#include <string.h>

static void from_hex(uint8_t *out, const char *hex)
{
	sodium_hex2bin(out, IDTUN_KEY_LEN, hex, strlen(hex), NULL, NULL, NULL);
}

/* RFC 7748, section 6.1: Alice's key pair. */
static void test_rfc7748(void)
{
	uint8_t priv[IDTUN_KEY_LEN], pub[IDTUN_KEY_LEN], want[IDTUN_KEY_LEN];

	from_hex(priv, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	from_hex(want, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	ok(key_public(pub, priv) == 0 && !memcmp(pub, want, sizeof(want)),
	   "public key of RFC 7748 Alice");
}

static void test_known_text(void)
{
	uint8_t key[IDTUN_KEY_LEN];
	char text[IDTUN_KEY_B64_LEN + 1];
	int i;

	memset(key, 0, sizeof(key));
	key_to_base64(text, key);
	ok(!strcmp(text, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), "zero key text");
	for (i = 0; i < IDTUN_KEY_LEN; i++)
		key[i] = (uint8_t)i;
	key_to_base64(text, key);
	ok(!strcmp(text, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="), "counting key text");
}

static void test_roundtrip(void)
{
	uint8_t key[IDTUN_KEY_LEN], back[IDTUN_KEY_LEN];
	char text[IDTUN_KEY_B64_LEN + 1];
	int i, good = 1;

	for (i = 0; i < 1000; i++) {
		randombytes_buf(key, sizeof(key));
		key_to_base64(text, key);
		if (strlen(text) != IDTUN_KEY_B64_LEN || !key_from_base64(back, text) ||
		    memcmp(key, back, sizeof(key)))
			good = 0;
	}
	ok(good, "1000 random keys survive encode and decode");
}

static void test_rejects(void)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "empty" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "43 characters" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "45 characters" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "no padding" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", "double padding" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=", "non-canonical last symbol" },
		{ "AAAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAA=", "space inside" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*A=", "invalid character" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-A=", "url-safe alphabet" },
	};
	uint8_t key[IDTUN_KEY_LEN];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!key_from_base64(key, bad[i].text), "rejects %s", bad[i].why);
}

static void test_clamp(void)
{
	uint8_t key[IDTUN_KEY_LEN];

	memset(key, 0xff, sizeof(key));
	key_clamp(key);
	ok(key[0] == 0xf8 && key[31] == 0x7f && key[15] == 0xff, "clamp clears and sets the right bits");
	memset(key, 0, sizeof(key));
	key_clamp(key);
	ok(key[0] == 0 && key[31] == 0x40, "clamp sets bit 254");
	ok(!key_is_zero(key), "a clamped key is never zero");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	tap_start();
	test_rfc7748();
	test_known_text();
	test_roundtrip();
	test_rejects();
	test_clamp();
	return tap_end();
}
