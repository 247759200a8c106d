// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the netlink policies generated from the spec, and the device
 * lookup every command begins with, on real devices in init_net.
 *
 * Built only with CONFIG_IDTUN_KUNIT, for the debug kernel (see Kbuild).
 */

#include <kunit/test.h>
#include <linux/rtnetlink.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "netlink.h"
#include "netlink-gen.h"

#define MSG_SIZE 256

struct msg {
	struct sk_buff *skb;
	struct nlattr *tb[IDTUN_A_DEVICE_MAX + 1];
	struct netlink_ext_ack extack;
};

static struct msg *msg_new(struct kunit *test)
{
	struct msg *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->skb = alloc_skb(MSG_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m->skb);
	return m;
}

static void msg_free(struct msg *m)
{
	kfree_skb(m->skb);
}

/* Validates the message the way generic netlink does for op. */
static int msg_parse(const struct genl_ops *op, struct msg *m)
{
	memset(m->tb, 0, sizeof(m->tb));
	memset(&m->extack, 0, sizeof(m->extack));
	return nla_parse(m->tb, op->maxattr, (struct nlattr *)m->skb->data,
			 m->skb->len, op->policy, &m->extack);
}

static struct nlattr *put_u32(struct kunit *test, struct msg *m, int type, u32 v)
{
	struct nlattr *attr = (struct nlattr *)skb_tail_pointer(m->skb);

	KUNIT_ASSERT_EQ(test, nla_put_u32(m->skb, type, v), 0);
	return attr;
}

static struct nlattr *put_str(struct kunit *test, struct msg *m, int type,
			      const char *s)
{
	struct nlattr *attr = (struct nlattr *)skb_tail_pointer(m->skb);

	KUNIT_ASSERT_EQ(test, nla_put_string(m->skb, type, s), 0);
	return attr;
}

/* The operations on one device, which take IDTUN_A_DEVICE_* attributes. */
static bool device_op(const struct genl_ops *op)
{
	return op->cmd != IDTUN_CMD_SET_NAME && op->cmd != IDTUN_CMD_GET_NAMES;
}

static void policy_accepts_device(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(idtun_nl_ops); i++) {
		struct msg *m;

		if (!device_op(&idtun_nl_ops[i]))
			continue;
		m = msg_new(test);

		put_u32(test, m, IDTUN_A_DEVICE_IFINDEX, 1);
		put_str(test, m, IDTUN_A_DEVICE_IFNAME, "idtun0");
		KUNIT_EXPECT_EQ(test, msg_parse(&idtun_nl_ops[i], m), 0);
		KUNIT_EXPECT_EQ(test, nla_get_u32(m->tb[IDTUN_A_DEVICE_IFINDEX]), 1U);
		KUNIT_EXPECT_STREQ(test, (char *)nla_data(m->tb[IDTUN_A_DEVICE_IFNAME]),
				   "idtun0");
		msg_free(m);
	}
}

/* Each rejection names the offending attribute and says why. */
static void expect_rejected(struct kunit *test, struct msg *m,
			    const struct nlattr *bad)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(idtun_nl_ops); i++) {
		if (!device_op(&idtun_nl_ops[i]))
			continue;
		KUNIT_EXPECT_LT(test, msg_parse(&idtun_nl_ops[i], m), 0);
		KUNIT_EXPECT_PTR_EQ(test, m->extack.bad_attr, bad);
		KUNIT_EXPECT_NOT_NULL(test, m->extack._msg);
	}
}

static void policy_rejects_zero_ifindex(struct kunit *test)
{
	struct msg *m = msg_new(test);
	struct nlattr *bad;

	put_str(test, m, IDTUN_A_DEVICE_IFNAME, "idtun0");
	bad = put_u32(test, m, IDTUN_A_DEVICE_IFINDEX, 0);
	expect_rejected(test, m, bad);
	msg_free(m);
}

static void policy_rejects_short_ifindex(struct kunit *test)
{
	struct msg *m = msg_new(test);
	struct nlattr *bad = (struct nlattr *)skb_tail_pointer(m->skb);

	KUNIT_ASSERT_EQ(test, nla_put_u16(m->skb, IDTUN_A_DEVICE_IFINDEX, 1), 0);
	expect_rejected(test, m, bad);
	msg_free(m);
}

static void policy_rejects_long_ifname(struct kunit *test)
{
	struct msg *m = msg_new(test);
	struct nlattr *bad;

	/* IFNAMSIZ - 1 characters fit; one more does not. */
	put_str(test, m, IDTUN_A_DEVICE_IFNAME, "abcdefghijklmno");
	KUNIT_EXPECT_EQ(test, msg_parse(&idtun_nl_ops[0], m), 0);
	msg_free(m);

	m = msg_new(test);
	bad = put_str(test, m, IDTUN_A_DEVICE_IFNAME, "abcdefghijklmnop");
	expect_rejected(test, m, bad);
	msg_free(m);
}

static void policy_rejects_unterminated_ifname(struct kunit *test)
{
	struct msg *m = msg_new(test);
	struct nlattr *bad = (struct nlattr *)skb_tail_pointer(m->skb);

	KUNIT_ASSERT_EQ(test, nla_put(m->skb, IDTUN_A_DEVICE_IFNAME, 6, "idtun0"), 0);
	expect_rejected(test, m, bad);
	msg_free(m);
}

static void policy_rejects_unknown_attribute(struct kunit *test)
{
	struct msg *m = msg_new(test);
	struct nlattr *bad;

	put_u32(test, m, IDTUN_A_DEVICE_IFINDEX, 1);
	bad = put_u32(test, m, IDTUN_A_DEVICE_MAX + 1, 1);
	expect_rejected(test, m, bad);
	msg_free(m);
}

static void ops_require_admin_and_policy(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(idtun_nl_ops); i++) {
		KUNIT_EXPECT_TRUE(test, idtun_nl_ops[i].flags & GENL_UNS_ADMIN_PERM);
		KUNIT_EXPECT_NOT_NULL(test, idtun_nl_ops[i].policy);
		/* get-names takes no attributes: the netns is the caller's. */
		if (idtun_nl_ops[i].cmd != IDTUN_CMD_GET_NAMES)
			KUNIT_EXPECT_GT(test, idtun_nl_ops[i].maxattr, 0U);
		KUNIT_EXPECT_TRUE(test, idtun_nl_ops[i].doit || idtun_nl_ops[i].dumpit);
	}
}

/* The lookup suite runs on a real idtun device, created for each case. */
static int lookup_init(struct kunit *test)
{
	struct nlattr *tb[IFLA_MAX + 1] = {};
	struct net_device *dev;
	int ret;

	rtnl_lock();
	dev = rtnl_create_link(&init_net, "idtunkunit%d", NET_NAME_ENUM,
			       &idtun_link_ops, tb, NULL);
	if (IS_ERR(dev)) {
		rtnl_unlock();
		return PTR_ERR(dev);
	}
	ret = idtun_link_ops.newlink(&init_net, dev, tb, NULL, NULL);
	if (ret)
		free_netdev(dev);
	rtnl_unlock();
	test->priv = ret ? NULL : dev;
	return ret;
}

static void lookup_exit(struct kunit *test)
{
	struct net_device *dev = test->priv;
	LIST_HEAD(list);

	if (!dev)
		return;
	rtnl_lock();
	idtun_link_ops.dellink(dev, &list);
	unregister_netdevice_many(&list);
	rtnl_unlock();
}

static struct idtun_device *lookup(struct kunit *test, struct msg *m)
{
	KUNIT_ASSERT_EQ(test, msg_parse(&idtun_nl_ops[0], m), 0);
	return idtun_nl_lookup(&init_net, m->tb, &m->extack);
}

static void lookup_by_name_and_index(struct kunit *test)
{
	struct net_device *dev = test->priv;
	struct idtun_device *idt;
	struct msg *m;

	m = msg_new(test);
	put_str(test, m, IDTUN_A_DEVICE_IFNAME, dev->name);
	idt = lookup(test, m);
	KUNIT_ASSERT_FALSE(test, IS_ERR(idt));
	KUNIT_EXPECT_PTR_EQ(test, idt->dev, dev);
	KUNIT_EXPECT_PTR_EQ(test, idt->creating_net, &init_net);
	dev_put(idt->dev);
	msg_free(m);

	m = msg_new(test);
	put_u32(test, m, IDTUN_A_DEVICE_IFINDEX, dev->ifindex);
	put_str(test, m, IDTUN_A_DEVICE_IFNAME, dev->name);
	idt = lookup(test, m);
	KUNIT_ASSERT_FALSE(test, IS_ERR(idt));
	KUNIT_EXPECT_PTR_EQ(test, idt->dev, dev);
	dev_put(idt->dev);
	msg_free(m);
}

static void lookup_rejects(struct kunit *test, struct msg *m, int err,
			   const char *text)
{
	struct idtun_device *idt = lookup(test, m);

	KUNIT_ASSERT_TRUE(test, IS_ERR(idt));
	KUNIT_EXPECT_EQ(test, PTR_ERR(idt), (long)err);
	KUNIT_ASSERT_NOT_NULL(test, m->extack._msg);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m->extack._msg, text));
	msg_free(m);
}

static void lookup_errors(struct kunit *test)
{
	struct net_device *dev = test->priv;
	struct msg *m;

	m = msg_new(test);
	lookup_rejects(test, m, -EINVAL, "IDTUN_A_DEVICE_IFINDEX or IDTUN_A_DEVICE_IFNAME");

	m = msg_new(test);
	put_str(test, m, IDTUN_A_DEVICE_IFNAME, "nosuchdev0");
	lookup_rejects(test, m, -ENODEV, "IDTUN_A_DEVICE_IFNAME");

	m = msg_new(test);
	put_u32(test, m, IDTUN_A_DEVICE_IFINDEX, 0x7ffffff0);
	lookup_rejects(test, m, -ENODEV, "IDTUN_A_DEVICE_IFINDEX");

	m = msg_new(test);
	put_str(test, m, IDTUN_A_DEVICE_IFNAME, "lo");
	lookup_rejects(test, m, -EOPNOTSUPP, "not an idtun device");

	m = msg_new(test);
	put_u32(test, m, IDTUN_A_DEVICE_IFINDEX, dev->ifindex);
	put_str(test, m, IDTUN_A_DEVICE_IFNAME, "lo");
	lookup_rejects(test, m, -EINVAL, "another device");
}

static void device_defaults(struct kunit *test)
{
	struct net_device *dev = test->priv;

	KUNIT_EXPECT_TRUE(test, idtun_is_device(dev));
	KUNIT_EXPECT_FALSE(test, idtun_is_device(init_net.loopback_dev));
	KUNIT_EXPECT_EQ(test, dev->mtu, (unsigned int)IDTUN_DEFAULT_MTU);
	KUNIT_EXPECT_EQ(test, dev->mtu, 1420U);
	KUNIT_EXPECT_EQ(test, dev->max_mtu, (unsigned int)IDTUN_MAX_MTU);
	KUNIT_EXPECT_TRUE(test, dev->flags & IFF_NOARP);
	KUNIT_EXPECT_TRUE(test, dev->flags & IFF_POINTOPOINT);
	KUNIT_EXPECT_NOT_NULL(test, dev->tstats);
}

static struct kunit_case idtun_netlink_policy_cases[] = {
	KUNIT_CASE(policy_accepts_device),
	KUNIT_CASE(policy_rejects_zero_ifindex),
	KUNIT_CASE(policy_rejects_short_ifindex),
	KUNIT_CASE(policy_rejects_long_ifname),
	KUNIT_CASE(policy_rejects_unterminated_ifname),
	KUNIT_CASE(policy_rejects_unknown_attribute),
	KUNIT_CASE(ops_require_admin_and_policy),
	{}
};

static struct kunit_suite idtun_netlink_policy_suite = {
	.name = "idtun_netlink_policy",
	.test_cases = idtun_netlink_policy_cases,
};

static struct kunit_case idtun_device_lookup_cases[] = {
	KUNIT_CASE(lookup_by_name_and_index),
	KUNIT_CASE(lookup_errors),
	KUNIT_CASE(device_defaults),
	{}
};

static struct kunit_suite idtun_device_lookup_suite = {
	.name = "idtun_device_lookup",
	.init = lookup_init,
	.exit = lookup_exit,
	.test_cases = idtun_device_lookup_cases,
};

kunit_test_suites(&idtun_netlink_policy_suite, &idtun_device_lookup_suite);
