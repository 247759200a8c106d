// SPDX-License-Identifier: GPL-2.0
/*
 * The idtun generic netlink family: the handlers. The attribute policies
 * and the operation table are generated from docs/netlink/idtun.yaml into
 * netlink-gen.c, so the core has validated every attribute (strictly, with
 * an extack message and offset on rejection) before a handler runs.
 */

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "netlink-gen.h"
#include <net/sock.h>

static struct genl_family idtun_genl_family;

static struct net_device *idtun_nl_dev_by_attr(struct net *net,
					       struct nlattr *attr,
					       struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (nla_type(attr) == IDTUN_A_DEVICE_IFINDEX) {
		dev = dev_get_by_index(net, nla_get_u32(attr));
		if (!dev)
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_DEVICE_IFINDEX: no such device");
	} else {
		dev = dev_get_by_name(net, nla_data(attr));
		if (!dev)
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "IDTUN_A_DEVICE_IFNAME: no such device");
	}
	return dev;
}

/*
 * The device a request names by ifindex, ifname or both (which must then
 * name the same device). Returns it with a reference on its net_device,
 * which the caller drops with dev_put(), or an ERR_PTR with extack set.
 */
struct idtun_device *idtun_nl_lookup(struct net *net, struct nlattr **attrs,
				     struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex = attrs[IDTUN_A_DEVICE_IFINDEX];
	struct nlattr *ifname = attrs[IDTUN_A_DEVICE_IFNAME];
	struct net_device *dev, *other;

	if (!ifindex && !ifname) {
		NL_SET_ERR_MSG(extack,
			       "IDTUN_A_DEVICE_IFINDEX or IDTUN_A_DEVICE_IFNAME is required");
		return ERR_PTR(-EINVAL);
	}
	dev = idtun_nl_dev_by_attr(net, ifindex ?: ifname, extack);
	if (!dev)
		return ERR_PTR(-ENODEV);
	if (ifindex && ifname) {
		other = idtun_nl_dev_by_attr(net, ifname, extack);
		if (other != dev) {
			if (other) {
				dev_put(other);
				NL_SET_ERR_MSG_ATTR(extack, ifname,
						    "IDTUN_A_DEVICE_IFNAME names another device than IDTUN_A_DEVICE_IFINDEX");
			}
			dev_put(dev);
			return ERR_PTR(other ? -EINVAL : -ENODEV);
		}
		dev_put(other);
	}
	if (!idtun_is_device(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex ?: ifname,
				    "not an idtun device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static int idtun_nl_fill_device(struct sk_buff *skb, struct idtun_device *idt)
{
	ASSERT_RTNL();
	if (nla_put_u32(skb, IDTUN_A_DEVICE_IFINDEX, idt->dev->ifindex) ||
	    nla_put_string(skb, IDTUN_A_DEVICE_IFNAME, idt->dev->name))
		return -EMSGSIZE;
	return 0;
}

/*
 * A dump of one device. The first call looks the device up (here rather
 * than in a start hook, which before 6.2 has no extack to explain a
 * failure) and holds it in args[0] until done, so every message of the
 * dump describes the same device.
 */
int idtun_nl_get_device_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct idtun_device *idt = (struct idtun_device *)cb->args[0];
	void *hdr;
	int ret;

	if (!idt) {
		idt = idtun_nl_lookup(sock_net(cb->skb->sk), idtun_dump_attrs(cb),
				      cb->extack);
		if (IS_ERR(idt))
			return PTR_ERR(idt);
		cb->args[0] = (long)idt;
	}
	/* args[1]: the device's attributes went out in an earlier message. */
	if (cb->args[1])
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &idtun_genl_family, NLM_F_MULTI, IDTUN_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;
	/* The RTNL keeps the name and ifindex stable while they are copied. */
	rtnl_lock();
	ret = idtun_nl_fill_device(skb, idt);
	rtnl_unlock();
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	cb->args[1] = 1;
	return skb->len;
}

int idtun_nl_get_device_done(struct netlink_callback *cb)
{
	struct idtun_device *idt = (struct idtun_device *)cb->args[0];

	if (idt)
		dev_put(idt->dev);
	return 0;
}

int idtun_nl_set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct idtun_device *idt;

	idt = idtun_nl_lookup(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(idt))
		return PTR_ERR(idt);
	/* Nothing is settable yet: the tunnel's settings arrive with it. */
	dev_put(idt->dev);
	return 0;
}

static struct genl_family idtun_genl_family __ro_after_init = {
	.name		= IDTUN_FAMILY_NAME,
	.version	= IDTUN_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= true,
	.ops		= idtun_nl_ops,
	.n_ops		= ARRAY_SIZE(idtun_nl_ops),
	IDTUN_GENL_RESV_START_OP(IDTUN_CMD_MAX + 1)
};

int __init idtun_genl_init(void)
{
	return genl_register_family(&idtun_genl_family);
}

void idtun_genl_uninit(void)
{
	genl_unregister_family(&idtun_genl_family);
}
