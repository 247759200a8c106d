/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of identities, per network namespace: identity numbers are
 * cluster-wide, so their names belong to the namespace, not to a device.
 */

#ifndef _IDTUN_NAMES_H
#define _IDTUN_NAMES_H

#include <linux/types.h>
#include <net/net_namespace.h>

int idtun_names_init(void);
void idtun_names_uninit(void);

/* Names id (an empty name removes it); -EEXIST if another has the name. */
int idtun_name_set(struct net *net, u32 id, const char *name);
/* The name of id or NULL, valid until rcu_read_unlock(). */
const char *idtun_name_lookup(struct net *net, u32 id);
/*
 * Calls fn for each name with an id at or above *pos, in order, under
 * rcu_read_lock(), until fn returns nonzero; *pos is then where to resume.
 */
int idtun_names_walk(struct net *net, unsigned long *pos,
		     int (*fn)(void *arg, u32 id, const char *name), void *arg);

#endif /* _IDTUN_NAMES_H */
