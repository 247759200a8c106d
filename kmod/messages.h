/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WireGuard's wire format and protocol constants, which idtun speaks
 * unchanged with every peer (docs/protocol.md). All multi-byte fields are
 * little-endian.
 */

#ifndef _IDTUN_MESSAGES_H
#define _IDTUN_MESSAGES_H

#include <crypto/blake2s.h>
#include <crypto/chacha20poly1305.h>
#include <crypto/curve25519.h>
#include <linux/kernel.h>
#include <linux/timekeeping.h>
#include <linux/types.h>

enum {
	IDTUN_KEY_SIZE = CURVE25519_KEY_SIZE,
	IDTUN_TAG_SIZE = CHACHA20POLY1305_AUTHTAG_SIZE,
	IDTUN_TIMESTAMP_SIZE = 12,
	IDTUN_COOKIE_SIZE = 16,
	IDTUN_COOKIE_NONCE_SIZE = XCHACHA20POLY1305_NONCE_SIZE,
	IDTUN_MAC_SIZE = 16,
};

/* Protocol timing and limits, in seconds and messages (the paper, §6). */
#define IDTUN_REKEY_AFTER_MESSAGES	(1ULL << 60)
#define IDTUN_REKEY_AFTER_TIME		120
#define IDTUN_REJECT_AFTER_TIME		180
#define IDTUN_REKEY_ATTEMPT_TIME	90
#define IDTUN_REKEY_TIMEOUT		5
#define IDTUN_KEEPALIVE_TIMEOUT		10
#define IDTUN_COOKIE_SECRET_MAX_AGE	120
#define IDTUN_COOKIE_SECRET_LATENCY	5
#define IDTUN_MAX_TIMER_HANDSHAKES \
	(IDTUN_REKEY_ATTEMPT_TIME / IDTUN_REKEY_TIMEOUT)
/* At most this many initiations per second are accepted from one peer. */
#define IDTUN_INITIATIONS_PER_SECOND	50

enum idtun_message_type {
	IDTUN_MSG_INITIATION = 1,
	IDTUN_MSG_RESPONSE = 2,
	IDTUN_MSG_COOKIE = 3,
	IDTUN_MSG_DATA = 4,
};

/* The first word: a type byte and three zero bytes. */
struct idtun_msg_header {
	__le32 type;
};

/* Closes initiations and responses; mac2 is zero without a cookie. */
struct idtun_msg_macs {
	u8 mac1[IDTUN_MAC_SIZE];
	u8 mac2[IDTUN_MAC_SIZE];
};

struct idtun_msg_initiation {
	struct idtun_msg_header header;
	__le32 sender_index;
	u8 ephemeral[IDTUN_KEY_SIZE];
	u8 encrypted_static[IDTUN_KEY_SIZE + IDTUN_TAG_SIZE];
	u8 encrypted_timestamp[IDTUN_TIMESTAMP_SIZE + IDTUN_TAG_SIZE];
	struct idtun_msg_macs macs;
} __packed;

struct idtun_msg_response {
	struct idtun_msg_header header;
	__le32 sender_index;
	__le32 receiver_index;
	u8 ephemeral[IDTUN_KEY_SIZE];
	u8 encrypted_nothing[IDTUN_TAG_SIZE];
	struct idtun_msg_macs macs;
} __packed;

struct idtun_msg_cookie {
	struct idtun_msg_header header;
	__le32 receiver_index;
	u8 nonce[IDTUN_COOKIE_NONCE_SIZE];
	u8 encrypted_cookie[IDTUN_COOKIE_SIZE + IDTUN_TAG_SIZE];
} __packed;

struct idtun_msg_data {
	struct idtun_msg_header header;
	__le32 receiver_index;
	__le64 counter;
	u8 encrypted_data[];
} __packed;

static_assert(sizeof(struct idtun_msg_initiation) == 148);
static_assert(sizeof(struct idtun_msg_response) == 92);
static_assert(sizeof(struct idtun_msg_cookie) == 64);
static_assert(sizeof(struct idtun_msg_data) == 16);

/* Whether something born at birthdate (boottime ns) is seconds old. */
static inline bool idtun_birthdate_expired(u64 birthdate, u64 seconds)
{
	return (s64)(birthdate + seconds * NSEC_PER_SEC) <=
	       (s64)ktime_get_coarse_boottime_ns();
}

/* Transport plaintext is padded to this multiple, within the MTU. */
#define IDTUN_PADDING_MULTIPLE	16
#define IDTUN_DATA_LEN(plain_len) \
	(sizeof(struct idtun_msg_data) + (plain_len) + IDTUN_TAG_SIZE)
#define IDTUN_MIN_DATA_LEN	IDTUN_DATA_LEN(0)

/* How long a plaintext of len bytes becomes on a device of this mtu. */
static inline unsigned int idtun_padded_len(unsigned int len, unsigned int mtu)
{
	unsigned int padded = ALIGN(len, IDTUN_PADDING_MULTIPLE);

	return max(len, min(padded, mtu));
}

#endif /* _IDTUN_MESSAGES_H */
