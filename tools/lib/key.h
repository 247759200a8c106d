/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys in WireGuard's text form: 32 bytes as exactly 44 characters of
 * standard, padded, canonical base64.
 */

#ifndef IDTUN_KEY_H
#define IDTUN_KEY_H

#include <stdbool.h>
#include <stdint.h>

#define IDTUN_KEY_LEN 32
#define IDTUN_KEY_B64_LEN 44

void key_to_base64(char out[IDTUN_KEY_B64_LEN + 1], const uint8_t key[IDTUN_KEY_LEN]);
bool key_from_base64(uint8_t key[IDTUN_KEY_LEN], const char *text);
void key_clamp(uint8_t key[IDTUN_KEY_LEN]);
int key_public(uint8_t pub[IDTUN_KEY_LEN], const uint8_t priv[IDTUN_KEY_LEN]);
bool key_is_zero(const uint8_t key[IDTUN_KEY_LEN]);

#endif
