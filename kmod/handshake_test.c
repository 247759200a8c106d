// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: whole handshakes, cookie replies, MACs, transport encryption and
 * padding, and labelled transport (the identity label, its padding and the
 * receiver's label checks), against messages computed independently by
 * scripts/wgref.py (kmod/handshake_vectors.h), whose code
 * selftests/wgref.sh checks against a stock WireGuard peer.
 */

#include <crypto/aead.h>
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>

#include "compat.h"
#include "cookie.h"
#include "handshake_vectors.h"
#include "keypair.h"
#include "label.h"
#include "messages.h"
#include "noise.h"

#define EXPECT_BYTES(test, got, want, len, ...) \
	KUNIT_EXPECT_EQ_MSG(test, memcmp(got, want, len), 0, __VA_ARGS__)

static void public_of(struct kunit *test, u8 pub[IDTUN_KEY_SIZE],
		      const u8 priv[IDTUN_KEY_SIZE])
{
	KUNIT_ASSERT_TRUE(test, curve25519_generate_public(pub, priv));
}

/* MAC1 as a sender to the owner of public computes it. */
static void put_mac1(void *msg, size_t len, const u8 public[IDTUN_KEY_SIZE])
{
	struct idtun_msg_macs *macs = msg + len - sizeof(*macs);
	u8 key[IDTUN_KEY_SIZE];

	idtun_cookie_derive_key(key, "mac1----", public);
	idtun_cookie_mac(macs->mac1, msg, len - sizeof(*macs), key,
			 IDTUN_KEY_SIZE);
	memset(macs->mac2, 0, IDTUN_MAC_SIZE);
}

struct hs_run {
	u8 init_pub[IDTUN_KEY_SIZE], resp_pub[IDTUN_KEY_SIZE];
	struct idtun_handshake init, resp;
	struct idtun_msg_initiation initiation;
	struct idtun_msg_response response;
};

/* Both sides of vector v, each step compared with the reference. */
static void hs_vector(struct kunit *test, const struct idtun_hs_vector *v,
		      struct hs_run *r, size_t i)
{
	u8 remote[IDTUN_KEY_SIZE], ts[IDTUN_TIMESTAMP_SIZE];
	u8 a[IDTUN_KEY_SIZE], b[IDTUN_KEY_SIZE];

	public_of(test, r->init_pub, v->init_static);
	public_of(test, r->resp_pub, v->resp_static);

	/* Initiator: what it sends. */
	memset(&r->init, 0, sizeof(r->init));
	memcpy(r->init.remote_static, r->resp_pub, IDTUN_KEY_SIZE);
	memcpy(r->init.preshared_key, v->psk, IDTUN_KEY_SIZE);
	KUNIT_ASSERT_TRUE(test, curve25519(r->init.static_static,
					   v->init_static, r->resp_pub));
	KUNIT_ASSERT_TRUE(test, idtun_noise_write_initiation(&r->initiation,
							     &r->init, r->init_pub,
							     v->init_ephemeral,
							     v->timestamp));
	r->initiation.header.type = cpu_to_le32(IDTUN_MSG_INITIATION);
	r->initiation.sender_index = cpu_to_le32(v->init_index);
	put_mac1(&r->initiation, sizeof(r->initiation), r->resp_pub);
	EXPECT_BYTES(test, &r->initiation, v->initiation, 148,
		     "vector %zu: initiation", i);

	/* Responder: what it learns from the reference's initiation. */
	memset(&r->resp, 0, sizeof(r->resp));
	KUNIT_ASSERT_TRUE(test, idtun_noise_read_initiation_static(
		(const void *)v->initiation, v->resp_static, r->resp_pub,
		remote, r->resp.hash, r->resp.chaining_key));
	EXPECT_BYTES(test, remote, r->init_pub, IDTUN_KEY_SIZE,
		     "vector %zu: initiator's static key", i);
	KUNIT_ASSERT_TRUE(test, curve25519(r->resp.static_static,
					   v->resp_static, remote));
	KUNIT_ASSERT_TRUE(test, idtun_noise_read_initiation_timestamp(
		(const void *)v->initiation, r->resp.static_static,
		r->resp.hash, r->resp.chaining_key, ts));
	EXPECT_BYTES(test, ts, v->timestamp, IDTUN_TIMESTAMP_SIZE,
		     "vector %zu: timestamp", i);

	/* Responder: what it answers. */
	memcpy(r->resp.remote_static, remote, IDTUN_KEY_SIZE);
	memcpy(r->resp.remote_ephemeral,
	       ((const struct idtun_msg_initiation *)v->initiation)->ephemeral,
	       IDTUN_KEY_SIZE);
	memcpy(r->resp.preshared_key, v->psk, IDTUN_KEY_SIZE);
	KUNIT_ASSERT_TRUE(test, idtun_noise_write_response(&r->response,
							   &r->resp,
							   v->resp_ephemeral));
	r->response.header.type = cpu_to_le32(IDTUN_MSG_RESPONSE);
	r->response.sender_index = cpu_to_le32(v->resp_index);
	r->response.receiver_index = cpu_to_le32(v->init_index);
	put_mac1(&r->response, sizeof(r->response), r->init_pub);
	EXPECT_BYTES(test, &r->response, v->response, 92,
		     "vector %zu: response", i);
	idtun_noise_derive_keys(a, b, r->resp.chaining_key);
	EXPECT_BYTES(test, a, v->init_send, IDTUN_KEY_SIZE,
		     "vector %zu: responder's receiving key", i);
	EXPECT_BYTES(test, b, v->init_recv, IDTUN_KEY_SIZE,
		     "vector %zu: responder's sending key", i);

	/* Initiator: the reference's response completes its side. */
	KUNIT_ASSERT_TRUE(test, idtun_noise_read_response(
		(const void *)v->response, &r->init, v->init_static));
	idtun_noise_derive_keys(a, b, r->init.chaining_key);
	EXPECT_BYTES(test, a, v->init_send, IDTUN_KEY_SIZE,
		     "vector %zu: initiator's sending key", i);
	EXPECT_BYTES(test, b, v->init_recv, IDTUN_KEY_SIZE,
		     "vector %zu: initiator's receiving key", i);
}

static void handshake_vectors(struct kunit *test)
{
	struct hs_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	for (i = 0; i < ARRAY_SIZE(idtun_hs_vectors); i++)
		hs_vector(test, &idtun_hs_vectors[i], r, i);
}

/* Any changed byte of either message makes its receiver refuse it. */
static void handshake_tampered(struct kunit *test)
{
	const struct idtun_hs_vector *v = &idtun_hs_vectors[0];
	struct hs_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	u8 msg[148], remote[IDTUN_KEY_SIZE], ts[IDTUN_TIMESTAMP_SIZE];
	struct idtun_handshake hs = { };
	size_t off;

	KUNIT_ASSERT_NOT_NULL(test, r);
	hs_vector(test, v, r, 0);
	KUNIT_ASSERT_TRUE(test, curve25519(hs.static_static, v->resp_static,
					   r->init_pub));
	/* Ephemeral, encrypted static and encrypted timestamp. */
	for (off = 8; off < 116; off += 7) {
		bool ok;

		memcpy(msg, v->initiation, sizeof(msg));
		msg[off] ^= 0x20;
		ok = idtun_noise_read_initiation_static((void *)msg,
							v->resp_static,
							r->resp_pub, remote,
							hs.hash, hs.chaining_key) &&
		     idtun_noise_read_initiation_timestamp((void *)msg,
							   hs.static_static,
							   hs.hash,
							   hs.chaining_key, ts);
		KUNIT_EXPECT_FALSE_MSG(test, ok, "initiation byte %zu", off);
	}
	/* The initiator's state is past the response now: rebuild it. */
	hs_vector(test, v, r, 0);
	memcpy(&hs, &r->init, sizeof(hs));
	memcpy(msg, v->response, 92);
	msg[50] ^= 1;
	KUNIT_EXPECT_FALSE(test, idtun_noise_read_response((void *)msg, &hs,
							   v->init_static));
}

static void cookie_vectors(struct kunit *test)
{
	u8 pub[IDTUN_KEY_SIZE], key[IDTUN_KEY_SIZE], cookie[IDTUN_COOKIE_SIZE];
	struct idtun_msg_cookie reply;
	u8 mac2[IDTUN_MAC_SIZE];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(idtun_cookie_vectors); i++) {
		const struct idtun_cookie_vector *v = &idtun_cookie_vectors[i];
		const struct idtun_msg_initiation *msg = (const void *)v->msg;

		idtun_cookie_compute(cookie, v->secret, v->src_addr, v->src_len,
				     htons(v->src_port));
		EXPECT_BYTES(test, cookie, v->cookie, IDTUN_COOKIE_SIZE,
			     "vector %zu: cookie", i);
		idtun_cookie_mac(mac2, v->msg, sizeof(v->msg) - IDTUN_MAC_SIZE,
				 cookie, IDTUN_COOKIE_SIZE);
		EXPECT_BYTES(test, mac2, v->mac2, IDTUN_MAC_SIZE,
			     "vector %zu: mac2", i);

		public_of(test, pub, v->resp_static);
		idtun_cookie_derive_key(key, "cookie--", pub);
		reply.header.type = cpu_to_le32(IDTUN_MSG_COOKIE);
		reply.receiver_index = msg->sender_index;
		memcpy(reply.nonce, v->nonce, sizeof(reply.nonce));
		xchacha20poly1305_encrypt(reply.encrypted_cookie, cookie,
					  IDTUN_COOKIE_SIZE, msg->macs.mac1,
					  IDTUN_MAC_SIZE, v->nonce, key);
		EXPECT_BYTES(test, &reply, v->reply, sizeof(reply),
			     "vector %zu: cookie reply", i);
	}
}

/* Padding is to 16 bytes, within the MTU, never below the length. */
static void transport_padding(struct kunit *test)
{
	static const struct { unsigned int len, mtu, want; } cases[] = {
		{ 0, 1420, 0 }, { 1, 1420, 16 }, { 16, 1420, 16 },
		{ 17, 1420, 32 }, { 1419, 1420, 1420 }, { 1419, 1419, 1419 },
		{ 1405, 1410, 1408 }, { 1409, 1410, 1410 }, { 1500, 1420, 1500 }, { 5, 0, 5 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, idtun_padded_len(cases[i].len,
							   cases[i].mtu),
				    cases[i].want, "len %u mtu %u",
				    cases[i].len, cases[i].mtu);
}

/* Never published, so freed at once (the module's workqueue may not exist). */
static void transport_free(struct idtun_keypair *kp)
{
	crypto_free_aead(kp->send);
	crypto_free_aead(kp->recv);
	kfree_sensitive(kp);
}

/* What a type-4 message is sealed from: a label unless identity is 0. */
struct seal_input {
	const u8 *data;
	unsigned int len, padding;
	u32 identity;
	u64 counter;
	u32 receiver;
};

/* Builds a type-4 message the way the transmit path does. */
static struct sk_buff *seal(struct kunit *test, const struct seal_input *in,
			    struct idtun_keypair *kp)
{
	struct idtun_msg_data *hdr;
	struct sk_buff *skb;
	bool ok;

	skb = alloc_skb(64 + IDTUN_LABEL_LEN + in->len + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64 + IDTUN_LABEL_LEN);
	skb_put_data(skb, in->data, in->len);
	if (in->identity)
		idtun_label_push(skb, in->identity);
	local_bh_disable();
	ok = idtun_encrypt_skb(skb, kp->send, in->counter, in->padding);
	local_bh_enable();
	KUNIT_EXPECT_TRUE(test, ok);
	hdr = skb_push(skb, sizeof(*hdr));
	hdr->header.type = cpu_to_le32(IDTUN_MSG_DATA);
	hdr->receiver_index = cpu_to_le32(in->receiver);
	hdr->counter = cpu_to_le64(in->counter);
	return skb;
}

static struct sk_buff *transport_seal(struct kunit *test,
				      const struct idtun_transport_vector *v,
				      struct idtun_keypair *kp)
{
	struct seal_input in = {
		.data = v->plaintext, .len = v->len,
		.padding = idtun_padded_len(v->len, v->mtu) - v->len,
		.counter = v->counter, .receiver = v->receiver,
	};

	return seal(test, &in, kp);
}

/*
 * A received message's encrypted part in an skb, as the receive path has
 * it after the header; with head bytes in the linear area and the rest in
 * a page fragment, unless head is the whole.
 */
static struct sk_buff *received(struct kunit *test, const u8 *msg,
				unsigned int msg_len, unsigned int head)
{
	unsigned int len = msg_len - sizeof(struct idtun_msg_data);
	const u8 *data = msg + sizeof(struct idtun_msg_data);
	struct sk_buff *skb = alloc_skb(64 + len, GFP_KERNEL);
	struct page *page;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_put_data(skb, data, min(head, len));
	if (head < len) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			kfree_skb(skb);
		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page), data + head, len - head);
		skb_add_rx_frag(skb, 0, page, 0, len - head, PAGE_SIZE);
	}
	return skb;
}

static void transport_vectors(struct kunit *test)
{
	struct idtun_keypair *kp;
	struct sk_buff *skb;
	size_t i;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(idtun_transport_vectors); i++) {
		const struct idtun_transport_vector *v =
			&idtun_transport_vectors[i];

		kp = idtun_keypair_create(v->key, v->key, true);
		KUNIT_ASSERT_NOT_NULL(test, kp);
		skb = transport_seal(test, v, kp);
		KUNIT_EXPECT_EQ_MSG(test, skb->len, (unsigned int)v->msg_len,
				    "vector %zu: length", i);
		if (skb->len == v->msg_len)
			EXPECT_BYTES(test, skb->data, v->msg, v->msg_len,
				     "vector %zu: message", i);

		/* And back, through the receive side's decryption. */
		skb_pull(skb, sizeof(struct idtun_msg_data));
		local_bh_disable();
		ok = idtun_decrypt_skb(skb, kp->recv, v->counter);
		local_bh_enable();
		KUNIT_EXPECT_TRUE_MSG(test, ok, "vector %zu: decrypt", i);
		KUNIT_EXPECT_EQ(test, skb->len,
				idtun_padded_len(v->len, v->mtu));
		EXPECT_BYTES(test, skb->data, v->plaintext, v->len,
			     "vector %zu: plaintext", i);
		kfree_skb(skb);
		transport_free(kp);
	}
}

/* A flipped bit, or the wrong counter, fails authentication. */
static void transport_tampered(struct kunit *test)
{
	const struct idtun_transport_vector *v = &idtun_transport_vectors[5];
	struct idtun_keypair *kp = idtun_keypair_create(v->key, v->key, true);
	struct sk_buff *skb;
	int round;
	bool ok;

	KUNIT_ASSERT_NOT_NULL(test, kp);
	for (round = 0; round < 2; round++) {
		skb = alloc_skb(v->msg_len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_put_data(skb, v->msg + sizeof(struct idtun_msg_data),
			     v->msg_len - sizeof(struct idtun_msg_data));
		if (!round)
			skb->data[20] ^= 4;
		local_bh_disable();
		ok = idtun_decrypt_skb(skb, kp->recv, v->counter + round);
		local_bh_enable();
		KUNIT_EXPECT_FALSE_MSG(test, ok, "round %d", round);
		kfree_skb(skb);
	}
	transport_free(kp);
}

/* The IP packet's own length, which the receive path trims padding to. */
static unsigned int ip_packet_len(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6;
	const struct iphdr *ip;

	if (pskb_may_pull(skb, sizeof(*ip))) {
		ip = (const void *)skb->data;
		if (ip->version == 4)
			return ntohs(ip->tot_len);
	}
	if (pskb_may_pull(skb, sizeof(*ip6))) {
		ip6 = (const void *)skb->data;
		if (ip6->version == 6)
			return sizeof(*ip6) + ntohs(ip6->payload_len);
	}
	return 0;
}

/*
 * Labelled messages: the label pushed in front of the packet and the
 * padding of idtun_label_padding() seal to the reference's bytes; the
 * reference's message, decrypted, is "unexpected" for a peer with labels
 * off, and for a peer with labels on gives the identity and leaves the
 * packet and its zero padding. Every other vector arrives with the label
 * split between the linear area and a page fragment.
 */
static void label_vectors(struct kunit *test)
{
	struct sk_buff *skb, *copy;
	struct idtun_keypair *kp;
	u32 identity;
	size_t i;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(idtun_label_vectors); i++) {
		const struct idtun_label_vector *v = &idtun_label_vectors[i];
		struct seal_input in = {
			.data = v->packet, .len = v->len,
			.padding = idtun_label_padding(v->len, v->mtu),
			.identity = v->identity, .counter = v->counter,
			.receiver = v->receiver,
		};

		KUNIT_EXPECT_EQ_MSG(test, in.padding, (unsigned int)v->padding,
				    "vector %zu: padding", i);
		kp = idtun_keypair_create(v->key, v->key, true);
		KUNIT_ASSERT_NOT_NULL(test, kp);
		skb = seal(test, &in, kp);
		KUNIT_EXPECT_EQ_MSG(test, skb->len, (unsigned int)v->msg_len,
				    "vector %zu: length", i);
		if (skb->len == v->msg_len)
			EXPECT_BYTES(test, skb->data, v->msg, v->msg_len,
				     "vector %zu: message", i);
		kfree_skb(skb);

		skb = received(test, v->msg, v->msg_len, i % 2 ? 5 : UINT_MAX);
		local_bh_disable();
		ok = idtun_decrypt_skb(skb, kp->recv, v->counter);
		local_bh_enable();
		KUNIT_EXPECT_TRUE_MSG(test, ok, "vector %zu: decrypt", i);
		KUNIT_EXPECT_EQ_MSG(test, skb->len,
				    (unsigned int)(IDTUN_LABEL_LEN + v->len +
						   v->padding),
				    "vector %zu: plaintext length", i);
		identity = 0;
		/* A copy for labels off: the original keeps its fragment. */
		copy = skb_copy(skb, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, copy);
		KUNIT_EXPECT_EQ_MSG(test, idtun_label_pull(copy, false, &identity),
				    IDTUN_LABEL_UNEXPECTED,
				    "vector %zu: labels off", i);
		kfree_skb(copy);
		KUNIT_EXPECT_EQ_MSG(test, idtun_label_pull(skb, true, &identity),
				    IDTUN_LABEL_OK, "vector %zu: labels on", i);
		KUNIT_EXPECT_EQ_MSG(test, identity, v->identity,
				    "vector %zu: identity", i);
		KUNIT_EXPECT_EQ_MSG(test, skb->len,
				    (unsigned int)(v->len + v->padding),
				    "vector %zu: the label taken off", i);
		KUNIT_EXPECT_EQ_MSG(test, ip_packet_len(skb), (unsigned int)v->len,
				    "vector %zu: the packet's length", i);
		KUNIT_ASSERT_EQ(test, skb_linearize(skb), 0);
		if (skb->len == v->len + v->padding) {
			EXPECT_BYTES(test, skb->data, v->packet, v->len,
				     "vector %zu: packet", i);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(skb->data + v->len,
							       0, v->padding),
					      "vector %zu: zero padding", i);
		}
		kfree_skb(skb);
		transport_free(kp);
	}
}

/*
 * Plaintexts a labelled peer refuses (missing, malformed) and labels a peer
 * with labels off refuses (unexpected), each sealed as it is: the verdict
 * of idtun_label_pull(), which takes nothing off and gives no identity.
 */
static void label_bad_vectors(struct kunit *test)
{
	struct idtun_keypair *kp;
	struct sk_buff *skb;
	u32 identity;
	size_t i;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(idtun_label_bad_vectors); i++) {
		const struct idtun_label_bad_vector *v =
			&idtun_label_bad_vectors[i];
		struct seal_input in = {
			.data = v->plaintext, .len = v->len,
			.counter = v->counter, .receiver = v->receiver,
		};

		kp = idtun_keypair_create(v->key, v->key, true);
		KUNIT_ASSERT_NOT_NULL(test, kp);
		skb = seal(test, &in, kp);
		KUNIT_EXPECT_EQ_MSG(test, skb->len, (unsigned int)v->msg_len,
				    "vector %zu: length", i);
		if (skb->len == v->msg_len)
			EXPECT_BYTES(test, skb->data, v->msg, v->msg_len,
				     "vector %zu: message", i);
		kfree_skb(skb);

		skb = received(test, v->msg, v->msg_len, i % 2 ? 3 : UINT_MAX);
		local_bh_disable();
		ok = idtun_decrypt_skb(skb, kp->recv, v->counter);
		local_bh_enable();
		KUNIT_EXPECT_TRUE_MSG(test, ok, "vector %zu: decrypt", i);
		KUNIT_EXPECT_EQ_MSG(test, skb->len, (unsigned int)v->len,
				    "vector %zu: plaintext length", i);
		identity = 0;
		KUNIT_EXPECT_EQ_MSG(test,
				    idtun_label_pull(skb, v->labelled, &identity),
				    v->verdict, "vector %zu: verdict", i);
		KUNIT_EXPECT_EQ_MSG(test, skb->len, (unsigned int)v->len,
				    "vector %zu: nothing taken off", i);
		KUNIT_EXPECT_EQ_MSG(test, identity, 0U,
				    "vector %zu: no identity", i);
		KUNIT_ASSERT_EQ(test, skb_linearize(skb), 0);
		if (skb->len == v->len)
			EXPECT_BYTES(test, skb->data, v->plaintext, v->len,
				     "vector %zu: plaintext", i);
		kfree_skb(skb);
		transport_free(kp);
	}
}

static struct kunit_case idtun_handshake_cases[] = {
	KUNIT_CASE(handshake_vectors),
	KUNIT_CASE(handshake_tampered),
	KUNIT_CASE(cookie_vectors),
	KUNIT_CASE(transport_padding),
	KUNIT_CASE(transport_vectors),
	KUNIT_CASE(transport_tampered),
	KUNIT_CASE(label_vectors),
	KUNIT_CASE(label_bad_vectors),
	{}
};

/*
 * KUnit runs a module's suites before the module's init: set up what the
 * suites use here, and tear it down for init to set up again.
 */
static int idtun_handshake_suite_init(struct kunit_suite *suite)
{
	idtun_noise_init();
	return idtun_keypair_crypto_init();
}

static void idtun_handshake_suite_exit(struct kunit_suite *suite)
{
	idtun_keypair_crypto_uninit();
}

static struct kunit_suite idtun_handshake_suite = {
	.name = "idtun_handshake",
	.suite_init = idtun_handshake_suite_init,
	.suite_exit = idtun_handshake_suite_exit,
	.test_cases = idtun_handshake_cases,
};

kunit_test_suites(&idtun_handshake_suite);
