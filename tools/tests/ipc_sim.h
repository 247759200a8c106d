/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The simulated kernel of the netlink tests (ipc_sim.c), shared by
 * ipc_test (devices, peers, allowed IPs) and ipc_policy_test (identities,
 * bindings, rules, names): what it keeps of SET_DEVICE requests, the GET
 * dumps it splits, and the comparisons and builders both tests use.
 */

#ifndef IDTUN_TEST_IPC_SIM_H
#define IDTUN_TEST_IPC_SIM_H

#include "ipc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAMILY 0x1d

/* One request, and the messages of one dump: too large for the stack. */
extern char buf[IPC_MSG_MAX];
extern char msgs[4000][IPC_MSG_MAX];

struct sim {
	struct idtun_device state;
	unsigned int created;	/* peers created so far: each gets a serial */
	size_t binding_entries, rule_entries;	/* entries received */
	const char *error;	/* the first malformed attribute seen */
};

/* A peer's serial, kept where the tests read nothing else: rx_bytes. */
#define serial rx_bytes

/* model.h's peer keys, for the configuration texts. */
#define K(i) model_peer_keys[i]

/* SET_DEVICE */
void sim_init(struct sim *s, const char *name);
int sim_apply(struct sim *s, const struct nlmsghdr *nlh, bool first);
int sim_set(struct sim *s, const struct idtun_device *dev, int *error);

/* GET_DEVICE, GET_IDENTITIES and GET_POLICY, into msgs; read back by read_dump. */
int dump(const struct idtun_device *dev, char (*out)[IPC_MSG_MAX], int max,
	 size_t ips_per_msg, uint32_t generation);
int dump_identities(const struct idtun_device *dev, size_t per_msg);
int dump_policy(const struct idtun_device *dev, size_t per_msg);
void read_dump(struct ipc_get_ctx *ctx, struct idtun_device *dev, int n);

bool same_bindings(const struct idtun_binding *a, size_t na,
		   const struct idtun_binding *b, size_t nb);
bool same_rules(const struct idtun_device *a, const struct idtun_device *b);
bool same_device(const struct idtun_device *a, const struct idtun_device *b);

void add_many_ips(struct idtun_peer *p, size_t n, size_t base);
bool conf(struct idtun_device *dev, const char *text, bool append);

#endif
