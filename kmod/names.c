// SPDX-License-Identifier: GPL-2.0
/*
 * Identity names of each network namespace: an xarray from number to name,
 * so audit events can carry names from softirq under RCU.
 */

#include "names.h"

#include <linux/ctype.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/netns/generic.h>

struct idtun_name {
	struct rcu_head rcu;
	char name[];
};

struct idtun_names {
	/* Serialises changes; readers use RCU. */
	struct mutex lock;
	struct xarray names;	/* id -> struct idtun_name */
};

static unsigned int idtun_names_id __read_mostly;

static struct idtun_names *names_of(struct net *net)
{
	return net_generic(net, idtun_names_id);
}

int idtun_name_set(struct net *net, u32 id, const char *name)
{
	struct idtun_names *n = names_of(net);
	struct idtun_name *entry = NULL, *old, *other;
	unsigned long index;
	size_t len = strlen(name);
	int ret = 0;

	if (len) {
		entry = kmalloc(sizeof(*entry) + len + 1, GFP_KERNEL);
		if (!entry)
			return -ENOMEM;
		memcpy(entry->name, name, len + 1);
	}
	mutex_lock(&n->lock);
	if (entry) {
		xa_for_each(&n->names, index, other) {
			if (index != id && !strcmp(other->name, name)) {
				ret = -EEXIST;
				goto out_unlock;
			}
		}
	}
	old = entry ? xa_store(&n->names, id, entry, GFP_KERNEL) :
		      xa_erase(&n->names, id);
	if (xa_is_err(old)) {
		ret = xa_err(old);
		goto out_unlock;
	}
	entry = NULL;
	if (old)
		kfree_rcu(old, rcu);
out_unlock:
	mutex_unlock(&n->lock);
	kfree(entry);
	return ret;
}

const char *idtun_name_lookup(struct net *net, u32 id)
{
	struct idtun_name *entry = xa_load(&names_of(net)->names, id);

	return entry ? entry->name : NULL;
}

int idtun_names_walk(struct net *net, unsigned long *pos,
		     int (*fn)(void *arg, u32 id, const char *name), void *arg)
{
	struct idtun_names *n = names_of(net);
	struct idtun_name *entry;
	unsigned long index;
	int ret = 0;

	rcu_read_lock();
	index = *pos;
	for (entry = xa_find(&n->names, &index, ULONG_MAX, XA_PRESENT); entry;
	     entry = xa_find_after(&n->names, &index, ULONG_MAX, XA_PRESENT)) {
		ret = fn(arg, index, entry->name);
		if (ret)
			break;
		*pos = index + 1;
	}
	rcu_read_unlock();
	return ret;
}

static int __net_init idtun_names_net_init(struct net *net)
{
	struct idtun_names *n = names_of(net);

	mutex_init(&n->lock);
	xa_init(&n->names);
	return 0;
}

static void __net_exit idtun_names_net_exit(struct net *net)
{
	struct idtun_names *n = names_of(net);
	struct idtun_name *entry;
	unsigned long index;

	xa_for_each(&n->names, index, entry)
		kfree_rcu(entry, rcu);
	xa_destroy(&n->names);
}

static struct pernet_operations idtun_names_net_ops = {
	.init = idtun_names_net_init,
	.exit = idtun_names_net_exit,
	.id = &idtun_names_id,
	.size = sizeof(struct idtun_names),
};

int __init idtun_names_init(void)
{
	return register_pernet_subsys(&idtun_names_net_ops);
}

void idtun_names_uninit(void)
{
	unregister_pernet_subsys(&idtun_names_net_ops);
}
