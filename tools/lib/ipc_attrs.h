/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attribute types that carry a prefix (family, ipaddr, cidr-mask) in
 * each nest that has one: requests are built and replies read with them.
 */

#ifndef IDTUN_IPC_ATTRS_H
#define IDTUN_IPC_ATTRS_H

#include <linux/idtun.h>
#include <stdint.h>

static const uint16_t ip_types[3] = {
	IDTUN_A_ALLOWEDIP_FAMILY, IDTUN_A_ALLOWEDIP_IPADDR, IDTUN_A_ALLOWEDIP_CIDR_MASK,
};
static const uint16_t binding_types[3] = {
	IDTUN_A_BINDING_FAMILY, IDTUN_A_BINDING_IPADDR, IDTUN_A_BINDING_CIDR_MASK,
};
static const uint16_t rule_types[3] = {
	IDTUN_A_RULE_FAMILY, IDTUN_A_RULE_IPADDR, IDTUN_A_RULE_CIDR_MASK,
};

#endif
