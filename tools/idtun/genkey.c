// SPDX-License-Identifier: GPL-2.0
/* idtun genkey | genpsk | pubkey: wg's key commands, on libsodium. */

#include "idtun.h"
#include "key.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int init_sodium(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "%s: libsodium failed to initialise\n", prog);
		return -1;
	}
	return 0;
}

static int genkey_common(int argc, char *argv[], int clamp)
{
	uint8_t key[IDTUN_KEY_LEN];
	char text[IDTUN_KEY_B64_LEN + 1];
	struct stat st;

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", prog, argv[0]);
		return 1;
	}
	if (init_sodium())
		return 1;
	/* A key written to a file others can read is no secret: say so. */
	if (!fstat(fileno(stdout), &st) && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing key to world accessible file.\n", stderr);
	randombytes_buf(key, sizeof(key));
	if (clamp)
		key_clamp(key);
	key_to_base64(text, key);
	sodium_memzero(key, sizeof(key));
	puts(text);
	sodium_memzero(text, sizeof(text));
	return fflush(stdout) ? 1 : 0;
}

int genkey_main(int argc, char *argv[])
{
	return genkey_common(argc, argv, 1);
}

int genpsk_main(int argc, char *argv[])
{
	return genkey_common(argc, argv, 0);
}

int pubkey_main(int argc, char *argv[])
{
	uint8_t priv[IDTUN_KEY_LEN], pub[IDTUN_KEY_LEN];
	char text[128], out[IDTUN_KEY_B64_LEN + 1];
	size_t len;
	int ret = 1;

	if (argc != 1) {
		fprintf(stderr, "Usage: %s %s\n", prog, argv[0]);
		return 1;
	}
	if (init_sodium())
		return 1;
	/* Exactly one key, optionally followed by whitespace, like wg. */
	len = fread(text, 1, sizeof(text) - 1, stdin);
	text[len] = '\0';
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		text[--len] = '\0';
	if (getc(stdin) != EOF || !key_from_base64(priv, text)) {
		fprintf(stderr, "%s: Key is not the correct length or format\n", prog);
		goto out;
	}
	if (key_public(pub, priv)) {
		fprintf(stderr, "%s: Key is not a valid Curve25519 private key\n", prog);
		goto out;
	}
	key_to_base64(out, pub);
	puts(out);
	ret = fflush(stdout) ? 1 : 0;
out:
	sodium_memzero(priv, sizeof(priv));
	sodium_memzero(text, sizeof(text));
	return ret;
}
