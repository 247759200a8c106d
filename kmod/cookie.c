// SPDX-License-Identifier: GPL-2.0
/*
 * MAC1, MAC2 and cookie replies (WireGuard §5.4.4 and §5.4.7). All of it
 * runs in the handshake worker or the transmit-handshake work: process
 * context, so the locks here are rwsems.
 */

#include "cookie.h"
#include "device.h"
#include "peer.h"
#include "ratelimiter.h"

#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <crypto/chacha20poly1305.h>
#include <linux/ipv6.h>
#include <linux/random.h>
#include <net/ip.h>
#include <net/udp.h>

static const char idtun_label_mac1[8] = "mac1----";
static const char idtun_label_cookie[8] = "cookie--";

/* HASH(label || public key): the keys of MAC1 and of cookie replies. */
void idtun_cookie_derive_key(u8 key[IDTUN_KEY_SIZE], const char label[8],
			     const u8 public_key[IDTUN_KEY_SIZE])
{
	struct blake2s_state state;

	blake2s_init(&state, IDTUN_KEY_SIZE);
	blake2s_update(&state, label, 8);
	blake2s_update(&state, public_key, IDTUN_KEY_SIZE);
	blake2s_final(&state, key);
}

/* Keyed BLAKE2s with a 16-byte output. */
void idtun_cookie_mac(u8 out[IDTUN_MAC_SIZE], const void *msg, size_t len,
		      const u8 *key, size_t keylen)
{
	struct blake2s_state state;

	blake2s_init_key(&state, IDTUN_MAC_SIZE, key, keylen);
	blake2s_update(&state, msg, len);
	blake2s_final(&state, out);
}

/* MAC(secret, source address || source port in network order) */
void idtun_cookie_compute(u8 cookie[IDTUN_COOKIE_SIZE],
			  const u8 secret[IDTUN_KEY_SIZE],
			  const void *addr, size_t addr_len, __be16 port)
{
	struct blake2s_state state;

	blake2s_init_key(&state, IDTUN_COOKIE_SIZE, secret, IDTUN_KEY_SIZE);
	blake2s_update(&state, addr, addr_len);
	blake2s_update(&state, (const u8 *)&port, sizeof(port));
	blake2s_final(&state, cookie);
}

void idtun_cookie_checker_init(struct idtun_cookie_checker *checker)
{
	init_rwsem(&checker->secret_lock);
	/* Born expired: the first cookie draws a fresh secret. */
	checker->secret_birthdate = ktime_get_coarse_boottime_ns() -
		(u64)(IDTUN_COOKIE_SECRET_MAX_AGE + 1) * NSEC_PER_SEC;
	memset(checker->secret, 0, sizeof(checker->secret));
	memset(checker->cookie_encryption_key, 0, IDTUN_KEY_SIZE);
	memset(checker->message_mac1_key, 0, IDTUN_KEY_SIZE);
}

/* Caller holds the device's static identity lock for writing. */
void idtun_cookie_checker_set_key(struct idtun_cookie_checker *checker,
				  const u8 public_key[IDTUN_KEY_SIZE])
{
	if (!public_key) {
		memzero_explicit(checker->cookie_encryption_key, IDTUN_KEY_SIZE);
		memzero_explicit(checker->message_mac1_key, IDTUN_KEY_SIZE);
		return;
	}
	idtun_cookie_derive_key(checker->cookie_encryption_key,
				idtun_label_cookie, public_key);
	idtun_cookie_derive_key(checker->message_mac1_key, idtun_label_mac1,
				public_key);
}

void idtun_cookie_init(struct idtun_cookie *cookie,
		       const u8 public_key[IDTUN_KEY_SIZE])
{
	memset(cookie, 0, sizeof(*cookie));
	init_rwsem(&cookie->lock);
	idtun_cookie_derive_key(cookie->cookie_decryption_key,
				idtun_label_cookie, public_key);
	idtun_cookie_derive_key(cookie->message_mac1_key, idtun_label_mac1,
				public_key);
}

/* The cookie for the source of skb, drawing a new secret when it is old. */
static void idtun_cookie_for(u8 cookie[IDTUN_COOKIE_SIZE],
			     struct idtun_cookie_checker *checker,
			     struct sk_buff *skb)
{
	__be16 port = udp_hdr(skb)->source;

	if (idtun_birthdate_expired(checker->secret_birthdate,
			  IDTUN_COOKIE_SECRET_MAX_AGE)) {
		down_write(&checker->secret_lock);
		if (idtun_birthdate_expired(checker->secret_birthdate,
				  IDTUN_COOKIE_SECRET_MAX_AGE)) {
			get_random_bytes(checker->secret, IDTUN_KEY_SIZE);
			checker->secret_birthdate =
				ktime_get_coarse_boottime_ns();
		}
		up_write(&checker->secret_lock);
	}
	down_read(&checker->secret_lock);
	if (ip_hdr(skb)->version == 4)
		idtun_cookie_compute(cookie, checker->secret,
				     &ip_hdr(skb)->saddr, 4, port);
	else
		idtun_cookie_compute(cookie, checker->secret,
				     &ipv6_hdr(skb)->saddr, 16, port);
	up_read(&checker->secret_lock);
}

/*
 * Checks the MACs closing the handshake message that is all of skb's
 * data. MAC2 is checked, and the sender rate limited, only under load.
 */
enum idtun_cookie_mac_state
idtun_cookie_validate(struct idtun_device *idt, struct sk_buff *skb,
		      bool check_cookie)
{
	struct idtun_cookie_checker *checker = &idt->cookie_checker;
	struct idtun_msg_macs *macs;
	u8 mac[IDTUN_MAC_SIZE], cookie[IDTUN_COOKIE_SIZE];
	size_t len = skb->len;
	enum idtun_cookie_mac_state ret = IDTUN_MAC_INVALID;

	macs = (struct idtun_msg_macs *)(skb->data + len - sizeof(*macs));
	down_read(&idt->static_identity_lock);
	idtun_cookie_mac(mac, skb->data, len - sizeof(*macs),
			 checker->message_mac1_key, IDTUN_KEY_SIZE);
	up_read(&idt->static_identity_lock);
	if (crypto_memneq(mac, macs->mac1, IDTUN_MAC_SIZE))
		goto out;
	ret = IDTUN_MAC_VALID_NO_COOKIE;
	if (!check_cookie)
		goto out;

	idtun_cookie_for(cookie, checker, skb);
	idtun_cookie_mac(mac, skb->data, len - IDTUN_MAC_SIZE, cookie,
			 IDTUN_COOKIE_SIZE);
	if (crypto_memneq(mac, macs->mac2, IDTUN_MAC_SIZE))
		goto out;
	ret = IDTUN_MAC_VALID_WITH_COOKIE;
	if (!idtun_ratelimiter_allow(skb, dev_net(idt->dev)))
		ret = IDTUN_MAC_VALID_COOKIE_RATELIMITED;
out:
	memzero_explicit(cookie, sizeof(cookie));
	return ret;
}

/* Fills the MACs at the end of a handshake message of len bytes to a peer. */
void idtun_cookie_add_macs(void *msg, size_t len, struct idtun_cookie *cookie)
{
	struct idtun_msg_macs *macs = msg + len - sizeof(*macs);

	down_write(&cookie->lock);
	idtun_cookie_mac(macs->mac1, msg, len - sizeof(*macs),
			 cookie->message_mac1_key, IDTUN_KEY_SIZE);
	memcpy(cookie->last_mac1_sent, macs->mac1, IDTUN_MAC_SIZE);
	cookie->have_sent_mac1 = true;
	if (cookie->is_valid &&
	    !idtun_birthdate_expired(cookie->birthdate, IDTUN_COOKIE_SECRET_MAX_AGE -
						IDTUN_COOKIE_SECRET_LATENCY))
		idtun_cookie_mac(macs->mac2, msg, len - IDTUN_MAC_SIZE,
				 cookie->cookie, IDTUN_COOKIE_SIZE);
	else
		memset(macs->mac2, 0, IDTUN_MAC_SIZE);
	up_write(&cookie->lock);
}

/* A cookie reply to the handshake message in skb. */
void idtun_cookie_make_reply(struct idtun_msg_cookie *dst,
			     struct idtun_device *idt, struct sk_buff *skb,
			     __le32 receiver_index)
{
	struct idtun_msg_macs *macs;
	u8 cookie[IDTUN_COOKIE_SIZE];

	macs = (struct idtun_msg_macs *)(skb->data + skb->len - sizeof(*macs));
	dst->header.type = cpu_to_le32(IDTUN_MSG_COOKIE);
	dst->receiver_index = receiver_index;
	get_random_bytes(dst->nonce, IDTUN_COOKIE_NONCE_SIZE);
	idtun_cookie_for(cookie, &idt->cookie_checker, skb);
	down_read(&idt->static_identity_lock);
	xchacha20poly1305_encrypt(dst->encrypted_cookie, cookie,
				  IDTUN_COOKIE_SIZE, macs->mac1, IDTUN_MAC_SIZE,
				  dst->nonce,
				  idt->cookie_checker.cookie_encryption_key);
	up_read(&idt->static_identity_lock);
	memzero_explicit(cookie, sizeof(cookie));
}

/* A peer answered our last handshake message with a cookie: keep it. */
void idtun_cookie_consume_reply(struct idtun_msg_cookie *src,
				struct idtun_device *idt)
{
	struct idtun_peer *peer = NULL;
	u8 cookie[IDTUN_COOKIE_SIZE];
	bool ok;

	rcu_read_lock_bh();
	if (!idtun_index_find(idt->index_table,
			      IDTUN_INDEX_HANDSHAKE | IDTUN_INDEX_KEYPAIR,
			      le32_to_cpu(src->receiver_index), &peer))
		peer = NULL;
	rcu_read_unlock_bh();
	if (!peer)
		return;

	down_read(&peer->cookie.lock);
	ok = peer->cookie.have_sent_mac1 &&
	     xchacha20poly1305_decrypt(cookie, src->encrypted_cookie,
				       sizeof(src->encrypted_cookie),
				       peer->cookie.last_mac1_sent,
				       IDTUN_MAC_SIZE, src->nonce,
				       peer->cookie.cookie_decryption_key);
	up_read(&peer->cookie.lock);
	if (ok) {
		down_write(&peer->cookie.lock);
		memcpy(peer->cookie.cookie, cookie, IDTUN_COOKIE_SIZE);
		peer->cookie.birthdate = ktime_get_coarse_boottime_ns();
		peer->cookie.is_valid = true;
		peer->cookie.have_sent_mac1 = false;
		up_write(&peer->cookie.lock);
	} else {
		net_dbg_ratelimited("%s: cookie reply that does not authenticate\n",
				    idt->dev->name);
	}
	memzero_explicit(cookie, sizeof(cookie));
	idtun_peer_put(peer);
}
