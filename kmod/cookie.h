/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MAC1, MAC2 and cookie replies: WireGuard's defence against handshake
 * floods. Every handshake message carries mac1, keyed by the receiver's
 * public key; a receiver under load answers with a cookie tied to the
 * sender's address instead of computing, and later accepts only messages
 * whose mac2 proves the sender holds that cookie.
 */

#ifndef _IDTUN_COOKIE_H
#define _IDTUN_COOKIE_H

#include <linux/rwsem.h>
#include <linux/skbuff.h>

#include "messages.h"

struct idtun_device;
struct idtun_peer;

/* The device's side: checking incoming MACs and issuing cookies. */
struct idtun_cookie_checker {
	/* Protects the secret and its birthdate. */
	struct rw_semaphore secret_lock;
	u8 secret[IDTUN_KEY_SIZE];
	u64 secret_birthdate;
	/* Derived from our public key, under the static identity lock. */
	u8 cookie_encryption_key[IDTUN_KEY_SIZE];
	u8 message_mac1_key[IDTUN_KEY_SIZE];
};

/* A peer's side: the MACs we put on messages to it, and its cookie. */
struct idtun_cookie {
	/* Protects every field below. */
	struct rw_semaphore lock;
	u64 birthdate;
	bool is_valid;
	u8 cookie[IDTUN_COOKIE_SIZE];
	bool have_sent_mac1;
	u8 last_mac1_sent[IDTUN_MAC_SIZE];
	/* Derived from the peer's public key; never change. */
	u8 cookie_decryption_key[IDTUN_KEY_SIZE];
	u8 message_mac1_key[IDTUN_KEY_SIZE];
};

enum idtun_cookie_mac_state {
	IDTUN_MAC_INVALID,
	IDTUN_MAC_VALID_NO_COOKIE,
	IDTUN_MAC_VALID_WITH_COOKIE,
	IDTUN_MAC_VALID_COOKIE_RATELIMITED,
};

void idtun_cookie_checker_init(struct idtun_cookie_checker *checker);
void idtun_cookie_checker_set_key(struct idtun_cookie_checker *checker,
				  const u8 public_key[IDTUN_KEY_SIZE]);
void idtun_cookie_init(struct idtun_cookie *cookie,
		       const u8 public_key[IDTUN_KEY_SIZE]);

enum idtun_cookie_mac_state
idtun_cookie_validate(struct idtun_device *idt, struct sk_buff *skb,
		      bool check_cookie);
void idtun_cookie_add_macs(void *msg, size_t len, struct idtun_cookie *cookie);
void idtun_cookie_make_reply(struct idtun_msg_cookie *dst,
			     struct idtun_device *idt, struct sk_buff *skb,
			     __le32 receiver_index);
void idtun_cookie_consume_reply(struct idtun_msg_cookie *src,
				struct idtun_device *idt);

/* The deterministic cores, driven by the KUnit suite. */
void idtun_cookie_mac(u8 out[IDTUN_MAC_SIZE], const void *msg, size_t len,
		      const u8 *key, size_t keylen);
void idtun_cookie_compute(u8 cookie[IDTUN_COOKIE_SIZE],
			  const u8 secret[IDTUN_KEY_SIZE],
			  const void *addr, size_t addr_len, __be16 port);
void idtun_cookie_derive_key(u8 key[IDTUN_KEY_SIZE], const char label[8],
			     const u8 public_key[IDTUN_KEY_SIZE]);

#endif /* _IDTUN_COOKIE_H */
