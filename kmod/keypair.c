// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions and the transport AEAD. Each session has two crypto API
 * transforms of "rfc7539(chacha20,poly1305)" (WireGuard's construction: a
 * 96-bit nonce of four zero bytes and the 64-bit little-endian counter,
 * no associated data), so accelerated drivers plug in. Transforms are
 * allocated with the session, in process context; per packet, the request
 * and the scatterlist come from per-CPU buffers sized when the module
 * loads, so the hot path allocates nothing.
 */

#include "device.h"
#include "keypair.h"

#include <crypto/aead.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include "compat.h"

#define IDTUN_AEAD		"rfc7539(chacha20,poly1305)"
#define IDTUN_AEAD_IV_SIZE	12
/* Scatterlist entries a packet may need after skb_cow_data(). */
#define IDTUN_MAX_SG		(MAX_SKB_FRAGS + 8)

struct idtun_crypt_scratch {
	struct scatterlist sg[IDTUN_MAX_SG];
	/* An aead_request followed by the transform's context. */
	u8 req[] __aligned(CRYPTO_MINALIGN);
};

/* The implementation every session uses, so its request size is known. */
static char idtun_aead_driver[CRYPTO_MAX_ALG_NAME];
static struct idtun_crypt_scratch __percpu *idtun_scratch;

/* Also run by the KUnit suite, which runs before the module's init. */
int idtun_keypair_crypto_init(void)
{
	struct crypto_aead *probe;
	size_t size;

	probe = crypto_alloc_aead(IDTUN_AEAD, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(probe)) {
		pr_err("idtun: no synchronous %s: %ld\n", IDTUN_AEAD,
		       PTR_ERR(probe));
		return PTR_ERR(probe);
	}
	strscpy(idtun_aead_driver, crypto_aead_driver_name(probe),
		sizeof(idtun_aead_driver));
	size = sizeof(struct idtun_crypt_scratch) +
	       sizeof(struct aead_request) + crypto_aead_reqsize(probe);
	crypto_free_aead(probe);
	idtun_scratch = __alloc_percpu(size, CRYPTO_MINALIGN);
	return idtun_scratch ? 0 : -ENOMEM;
}

void idtun_keypair_crypto_uninit(void)
{
	free_percpu(idtun_scratch);
	idtun_scratch = NULL;
}

static struct crypto_aead *idtun_aead_alloc(const u8 key[IDTUN_KEY_SIZE])
{
	struct crypto_aead *tfm;

	tfm = crypto_alloc_aead(idtun_aead_driver, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm))
		return NULL;
	if (crypto_aead_setkey(tfm, key, IDTUN_KEY_SIZE) ||
	    crypto_aead_setauthsize(tfm, IDTUN_TAG_SIZE)) {
		crypto_free_aead(tfm);
		return NULL;
	}
	return tfm;
}

static void idtun_keypair_free_work(struct work_struct *work)
{
	struct idtun_keypair *kp =
		container_of(to_rcu_work(work), struct idtun_keypair, free_work);

	/* The crypto API wipes each transform's key as it frees it. */
	crypto_free_aead(kp->send);
	crypto_free_aead(kp->recv);
	kfree_sensitive(kp);
}

/* Process context only. */
struct idtun_keypair *idtun_keypair_create(const u8 send_key[IDTUN_KEY_SIZE],
					   const u8 recv_key[IDTUN_KEY_SIZE],
					   bool i_am_initiator)
{
	struct idtun_keypair *kp = kzalloc(sizeof(*kp), GFP_KERNEL);

	if (!kp)
		return NULL;
	kp->send = idtun_aead_alloc(send_key);
	kp->recv = idtun_aead_alloc(recv_key);
	if (!kp->send || !kp->recv)
		goto err_free;
	INIT_HLIST_NODE(&kp->entry.node);
	kp->entry.type = IDTUN_INDEX_KEYPAIR;
	atomic64_set(&kp->send_counter, 0);
	idtun_replay_init(&kp->replay);
	kp->birthdate = ktime_get_coarse_boottime_ns();
	kp->i_am_initiator = i_am_initiator;
	kp->sending_valid = true;
	kp->receiving_valid = true;
	INIT_RCU_WORK(&kp->free_work, idtun_keypair_free_work);
	return kp;

err_free:
	if (kp->send)
		crypto_free_aead(kp->send);
	if (kp->recv)
		crypto_free_aead(kp->recv);
	kfree(kp);
	return NULL;
}

/* Frees kp once no reader can see it; it must be out of the index table. */
void idtun_keypair_free(struct idtun_keypair *kp)
{
	if (kp)
		queue_rcu_work(idtun_wq, &kp->free_work);
}

static void idtun_keypair_drop(struct idtun_keypair *kp,
			       struct idtun_index_table *indices)
{
	if (!kp)
		return;
	idtun_index_remove(indices, &kp->entry);
	idtun_keypair_free(kp);
}

void idtun_keypairs_init(struct idtun_keypairs *kps)
{
	RCU_INIT_POINTER(kps->current_keypair, NULL);
	RCU_INIT_POINTER(kps->previous_keypair, NULL);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	spin_lock_init(&kps->lock);
	kps->closed = false;
}

#define slot(kps, name) \
	rcu_dereference_protected((kps)->name, lockdep_is_held(&(kps)->lock))

/*
 * A new session. The initiator may send with it at once: it becomes
 * current. The responder's waits in next until the initiator's first
 * message confirms it, and the previous session goes.
 */
bool idtun_keypairs_add(struct idtun_keypairs *kps, struct idtun_keypair *kp,
			struct idtun_index_table *indices)
{
	struct idtun_keypair *prev, *next, *cur;

	spin_lock_bh(&kps->lock);
	if (kps->closed) {
		spin_unlock_bh(&kps->lock);
		return false;
	}
	prev = slot(kps, previous_keypair);
	next = slot(kps, next_keypair);
	cur = slot(kps, current_keypair);
	if (kp->i_am_initiator) {
		if (next) {
			/* An unconfirmed session outlives the current one. */
			RCU_INIT_POINTER(kps->next_keypair, NULL);
			rcu_assign_pointer(kps->previous_keypair, next);
			idtun_keypair_drop(cur, indices);
		} else {
			rcu_assign_pointer(kps->previous_keypair, cur);
		}
		idtun_keypair_drop(prev, indices);
		rcu_assign_pointer(kps->current_keypair, kp);
	} else {
		rcu_assign_pointer(kps->next_keypair, kp);
		idtun_keypair_drop(next, indices);
		RCU_INIT_POINTER(kps->previous_keypair, NULL);
		idtun_keypair_drop(prev, indices);
	}
	spin_unlock_bh(&kps->lock);
	return true;
}

/*
 * A message arrived on kp: if it is the responder's next session, the
 * initiator has confirmed it and it becomes current. True if it did.
 */
bool idtun_keypairs_received_with(struct idtun_keypairs *kps,
				  struct idtun_keypair *kp,
				  struct idtun_index_table *indices)
{
	struct idtun_keypair *prev;

	if (kp != rcu_access_pointer(kps->next_keypair))
		return false;
	spin_lock_bh(&kps->lock);
	if (kp != slot(kps, next_keypair)) {
		spin_unlock_bh(&kps->lock);
		return false;
	}
	prev = slot(kps, previous_keypair);
	rcu_assign_pointer(kps->previous_keypair, slot(kps, current_keypair));
	idtun_keypair_drop(prev, indices);
	rcu_assign_pointer(kps->current_keypair, kp);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	spin_unlock_bh(&kps->lock);
	return true;
}

/* Drops every session; with close, no new one can be added. */
void idtun_keypairs_clear(struct idtun_keypairs *kps,
			  struct idtun_index_table *indices, bool close)
{
	struct idtun_keypair *kp[3];
	int i;

	spin_lock_bh(&kps->lock);
	kps->closed |= close;
	kp[0] = slot(kps, previous_keypair);
	kp[1] = slot(kps, current_keypair);
	kp[2] = slot(kps, next_keypair);
	RCU_INIT_POINTER(kps->previous_keypair, NULL);
	RCU_INIT_POINTER(kps->current_keypair, NULL);
	RCU_INIT_POINTER(kps->next_keypair, NULL);
	for (i = 0; i < ARRAY_SIZE(kp); i++)
		idtun_keypair_drop(kp[i], indices);
	spin_unlock_bh(&kps->lock);
}

/* Stops sending on the sessions we have, so the next packet rekeys. */
void idtun_keypairs_expire_current(struct idtun_keypairs *kps)
{
	struct idtun_keypair *kp;

	spin_lock_bh(&kps->lock);
	kp = slot(kps, current_keypair);
	if (kp)
		WRITE_ONCE(kp->sending_valid, false);
	kp = slot(kps, next_keypair);
	if (kp)
		WRITE_ONCE(kp->sending_valid, false);
	spin_unlock_bh(&kps->lock);
}

/* nfrags: what skb_cow_data() said the skb needs, at most IDTUN_MAX_SG. */
static bool idtun_crypt_skb(struct sk_buff *skb, struct crypto_aead *tfm,
			    u64 counter, unsigned int len, int nfrags,
			    bool encrypt)
{
	struct idtun_crypt_scratch *scratch = this_cpu_ptr(idtun_scratch);
	struct aead_request *req = (struct aead_request *)scratch->req;
	u8 iv[IDTUN_AEAD_IV_SIZE] = { 0 };
	int nsg;

	/* Fresh entries: the last packet's end mark must not linger. */
	sg_init_table(scratch->sg, nfrags);
	nsg = skb_to_sgvec_nomark(skb, scratch->sg, 0, skb->len);
	if (unlikely(nsg <= 0))
		return false;
	sg_mark_end(&scratch->sg[nsg - 1]);
	put_unaligned_le64(counter, iv + 4);
	aead_request_set_tfm(req, tfm);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_crypt(req, scratch->sg, scratch->sg, len, iv);
	aead_request_set_ad(req, 0);
	return !(encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req));
}

/*
 * Encrypts the plaintext that is all of skb, after zero padding, and
 * appends the tag. Bottom halves are disabled (the scratch is per CPU).
 */
bool idtun_encrypt_skb(struct sk_buff *skb, struct crypto_aead *tfm,
		       u64 counter, unsigned int padding)
{
	unsigned int plain = skb->len + padding;
	struct sk_buff *trailer;
	int nfrags;

	nfrags = skb_cow_data(skb, padding + IDTUN_TAG_SIZE, &trailer);
	if (unlikely(nfrags < 0 || nfrags > IDTUN_MAX_SG))
		return false;
	memset(pskb_put(skb, trailer, padding + IDTUN_TAG_SIZE), 0,
	       padding + IDTUN_TAG_SIZE);
	return idtun_crypt_skb(skb, tfm, counter, plain, nfrags, true);
}

/* Decrypts in place and trims the tag; false if it does not authenticate. */
bool idtun_decrypt_skb(struct sk_buff *skb, struct crypto_aead *tfm,
		       u64 counter)
{
	struct sk_buff *trailer;
	int nfrags;

	if (unlikely(skb->len < IDTUN_TAG_SIZE))
		return false;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (unlikely(nfrags < 0 || nfrags > IDTUN_MAX_SG))
		return false;
	if (!idtun_crypt_skb(skb, tfm, counter, skb->len, nfrags, false))
		return false;
	return !pskb_trim(skb, skb->len - IDTUN_TAG_SIZE);
}
