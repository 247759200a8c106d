/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The identity label of labelled transport messages (docs/protocol.md).
 *
 * Between two peers that both have labels on, the plaintext of every
 * transport message that carries a packet starts with an 8-byte label
 * header; keepalives stay empty. The first byte's high nibble is 1, which
 * is neither IPv4 nor IPv6, so a stock WireGuard peer that receives a
 * labelled message by mistake drops it as a packet of unknown version.
 */

#ifndef _IDTUN_LABEL_H
#define _IDTUN_LABEL_H

#include <linux/skbuff.h>
#include <linux/types.h>

#include "messages.h"

#define IDTUN_LABEL_TYPE	0x10	/* "label", format 0 */
#define IDTUN_LABEL_LEN		8

struct idtun_label {
	u8 type;
	u8 flags;		/* none defined: must be 0 */
	__le16 reserved;	/* must be 0 */
	__le32 identity;	/* the sender's identity, never 0 */
} __packed;

static_assert(sizeof(struct idtun_label) == IDTUN_LABEL_LEN);

/* Why a received plaintext's label was not accepted. */
enum idtun_label_verdict {
	IDTUN_LABEL_OK,
	IDTUN_LABEL_MISSING,	/* an IP packet where a label belongs */
	IDTUN_LABEL_MALFORMED,	/* short, unknown format, reserved bits, 0 */
	IDTUN_LABEL_UNEXPECTED,	/* a label from a peer with labels off */
};

/*
 * Zero bytes that follow a labelled packet of len bytes on a device of this
 * mtu: label and packet are padded together to the multiple of 16, and the
 * padding never takes the packet past the MTU.
 */
static inline unsigned int idtun_label_padding(unsigned int len,
					       unsigned int mtu)
{
	return idtun_padded_len(IDTUN_LABEL_LEN + len, IDTUN_LABEL_LEN + mtu) -
	       IDTUN_LABEL_LEN - len;
}

/* Puts the label in front of skb's data; the caller made the headroom. */
static inline void idtun_label_push(struct sk_buff *skb, u32 identity)
{
	struct idtun_label *label = skb_push(skb, sizeof(*label));

	label->type = IDTUN_LABEL_TYPE;
	label->flags = 0;
	label->reserved = 0;
	label->identity = cpu_to_le32(identity);
}

/*
 * Checks the front of a decrypted, non-empty plaintext against the peer's
 * labels setting and, for a good label, takes it off and gives its
 * identity.
 */
static inline enum idtun_label_verdict
idtun_label_pull(struct sk_buff *skb, bool labelled, u32 *identity)
{
	const struct idtun_label *label;
	u8 version;

	if (!labelled) {
		/* Without the first byte, the IP checks that follow drop it. */
		if (unlikely(!pskb_may_pull(skb, 1)))
			return IDTUN_LABEL_OK;
		return skb->data[0] >> 4 == IDTUN_LABEL_TYPE >> 4 ?
		       IDTUN_LABEL_UNEXPECTED : IDTUN_LABEL_OK;
	}
	if (unlikely(!pskb_may_pull(skb, min_t(unsigned int, skb->len,
					       sizeof(*label)))))
		return IDTUN_LABEL_MALFORMED;
	label = (const void *)skb->data;
	version = skb->data[0] >> 4;
	if (version == 4 || version == 6)
		return IDTUN_LABEL_MISSING;
	if (skb->len < sizeof(*label) || label->type != IDTUN_LABEL_TYPE ||
	    label->flags || label->reserved || !label->identity)
		return IDTUN_LABEL_MALFORMED;
	*identity = le32_to_cpu(label->identity);
	__skb_pull(skb, sizeof(*label));
	return IDTUN_LABEL_OK;
}

#endif /* _IDTUN_LABEL_H */
