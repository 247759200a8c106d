// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: identity-aware policy. A fixed rule set and a table of packets
 * with the verdict and the deciding rule each must get; rules that change
 * and go; the counters; 10,000 rules; and the order in which a sent
 * packet's identity is resolved (prefix binding, then the default).
 */

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>

#include "device.h"
#include "identity.h"
#include "policy.h"

#define EG IDTUN_DIRECTION_EGRESS
#define IN IDTUN_DIRECTION_INGRESS
#define ALLOW IDTUN_ACTION_ALLOW
#define DENY IDTUN_ACTION_DENY
#define ANY_ID (-1LL)
#define NOPORT (-1)

struct rule_spec {
	u8 dir;
	s64 identity;		/* ANY_ID: any */
	const char *prefix;	/* "a.b.c.d/n", "x::/n" or NULL: any */
	u8 proto;
	u16 port_min, port_max;	/* 0, 0: any */
	u8 action;
};

static const struct rule_spec rules[] = {
	/* 0 */ { EG, ANY_ID, "10.0.0.0/8", 0, 0, 0, ALLOW },
	/* 1 */ { EG, ANY_ID, "10.1.0.0/16", 0, 0, 0, ALLOW },
	/* 2 */ { EG, ANY_ID, "10.9.9.9/32", 0, 0, 0, DENY },
	/* 3 */ { EG, 1001, "10.9.0.0/16", IPPROTO_TCP, 443, 443, ALLOW },
	/* 4 */ { EG, 1002, "10.2.0.0/16", IPPROTO_TCP, 1000, 2000, ALLOW },
	/* 5 */ { EG, 1002, "10.2.0.0/16", IPPROTO_TCP, 1500, 1500, DENY },
	/* 6 */ { EG, 1002, "10.2.0.0/16", IPPROTO_TCP, 1400, 1600, ALLOW },
	/* 7 */ { EG, 1003, "10.3.0.0/16", IPPROTO_UDP, 0, 0, DENY },
	/* 8 */ { EG, 1003, "10.3.0.0/16", 0, 0, 0, ALLOW },
	/* 9 */ { EG, 0, NULL, 0, 0, 0, DENY },
	/* 10 */ { EG, 1004, "fd00::/8", IPPROTO_TCP, 22, 22, DENY },
	/* 11 */ { EG, 1004, "fd00:1::/32", 0, 0, 0, ALLOW },
	/* 12 */ { IN, ANY_ID, NULL, IPPROTO_ICMP, 0, 0, ALLOW },
	/* 13 */ { IN, 1005, "192.168.0.0/16", IPPROTO_TCP, 0, 0, DENY },
	/* 14 */ { IN, 1005, "192.168.1.0/24", IPPROTO_TCP, 80, 80, ALLOW },
};

struct packet_case {
	const char *what;
	u8 dir;
	u32 identity;
	const char *daddr;
	u8 proto;
	int dport;		/* NOPORT: none (a fragment, or ICMP) */
	u8 action;
	int rule;		/* the deciding rule, or -1 for the default */
};

static const struct packet_case cases[] = {
	{ "no rule: default", EG, 1001, "11.0.0.1", IPPROTO_TCP, 80, DENY, -1 },
	{ "any identity /8", EG, 1001, "10.5.0.1", IPPROTO_TCP, 80, ALLOW, 0 },
	{ "longer prefix decides", EG, 1001, "10.1.2.3", IPPROTO_UDP, 53, ALLOW, 1 },
	{ "deny wins over a shorter allow", EG, 1001, "10.9.9.9", IPPROTO_TCP, 80, DENY, 2 },
	{ "deny wins over an identity's allow", EG, 1001, "10.9.9.9", IPPROTO_TCP, 443, DENY, 2 },
	{ "identity rule over an any rule", EG, 1001, "10.9.1.1", IPPROTO_TCP, 443, ALLOW, 3 },
	{ "other port: the /8", EG, 1001, "10.9.1.1", IPPROTO_TCP, 444, ALLOW, 0 },
	{ "range", EG, 1002, "10.2.3.4", IPPROTO_TCP, 1000, ALLOW, 4 },
	{ "range end", EG, 1002, "10.2.3.4", IPPROTO_TCP, 2000, ALLOW, 4 },
	{ "narrower range", EG, 1002, "10.2.3.4", IPPROTO_TCP, 1450, ALLOW, 6 },
	{ "single port deny", EG, 1002, "10.2.3.4", IPPROTO_TCP, 1500, DENY, 5 },
	{ "past the range: the /8", EG, 1002, "10.2.3.4", IPPROTO_TCP, 2001, ALLOW, 0 },
	{ "udp is not tcp", EG, 1002, "10.2.3.4", IPPROTO_UDP, 1500, ALLOW, 0 },
	{ "fragment: no port rule", EG, 1002, "10.2.3.4", IPPROTO_TCP, NOPORT, ALLOW, 0 },
	{ "protocol deny", EG, 1003, "10.3.0.1", IPPROTO_UDP, 53, DENY, 7 },
	{ "protocol deny, no ports", EG, 1003, "10.3.0.1", IPPROTO_UDP, NOPORT, DENY, 7 },
	{ "other protocol: any", EG, 1003, "10.3.0.1", IPPROTO_TCP, 53, ALLOW, 8 },
	{ "icmp: any protocol", EG, 1003, "10.3.0.1", IPPROTO_ICMP, NOPORT, ALLOW, 8 },
	{ "unlabelled: to any", EG, 0, "10.5.5.5", IPPROTO_TCP, 80, DENY, 9 },
	{ "unlabelled elsewhere", EG, 0, "11.5.5.5", IPPROTO_TCP, 80, DENY, 9 },
	{ "v6 deny port", EG, 1004, "fd00:1::1", IPPROTO_TCP, 22, DENY, 10 },
	{ "v6 allow", EG, 1004, "fd00:1::1", IPPROTO_TCP, 23, ALLOW, 11 },
	{ "v6 outside", EG, 1004, "fc00::1", IPPROTO_TCP, 22, DENY, -1 },
	{ "v6 prefix only", EG, 1004, "fd00:2::1", IPPROTO_TCP, 23, DENY, -1 },
	{ "ingress icmp", IN, 77, "192.168.1.1", IPPROTO_ICMP, NOPORT, ALLOW, 12 },
	{ "ingress deny", IN, 1005, "192.168.2.1", IPPROTO_TCP, 80, DENY, 13 },
	{ "ingress deny wins", IN, 1005, "192.168.1.1", IPPROTO_TCP, 80, DENY, 13 },
	{ "ingress default", IN, 1005, "192.168.1.1", IPPROTO_UDP, 80, ALLOW, -1 },
	{ "egress rules not ingress", IN, 1001, "10.5.0.1", IPPROTO_TCP, 80, ALLOW, -1 },
};

static int parse_addr(const char *s, u8 *addr, u8 *cidr)
{
	const char *end;

	memset(addr, 0, 16);
	if (in4_pton(s, -1, addr, '/', &end)) {
		*cidr = 32;
		if (*end == '/' && kstrtou8(end + 1, 10, cidr))
			return 0;
		return AF_INET;
	}
	if (in6_pton(s, -1, addr, '/', &end)) {
		*cidr = 128;
		if (*end == '/' && kstrtou8(end + 1, 10, cidr))
			return 0;
		return AF_INET6;
	}
	return 0;
}

static void spec_key(struct kunit *test, const struct rule_spec *r,
		     struct idtun_rule_key *key)
{
	memset(key, 0, sizeof(*key));
	key->dir = r->dir;
	key->any_identity = r->identity == ANY_ID;
	key->identity = key->any_identity ? 0 : r->identity;
	if (r->prefix) {
		key->family = parse_addr(r->prefix, key->addr, &key->cidr);
		KUNIT_ASSERT_NE(test, key->family, 0);
		idtun_prefix_mask(key->addr, key->cidr);
	}
	key->proto = r->proto;
	key->port_min = r->port_min;
	key->port_max = r->port_max ?: 0xffff;
}

static struct idtun_device *fake_device(struct kunit *test)
{
	struct idtun_device *idt = kunit_kzalloc(test, sizeof(*idt), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, idt);
	mutex_init(&idt->update_lock);
	idtun_policy_init(&idt->policy);
	KUNIT_ASSERT_EQ(test, idtun_identities_init(idt), 0);
	return idt;
}

static void fake_device_free(struct idtun_device *idt)
{
	mutex_lock(&idt->update_lock);
	idtun_policy_free(idt);
	idtun_identities_free(idt);
	mutex_unlock(&idt->update_lock);
	cancel_delayed_work_sync(&idt->identities.cg_gc);
	rcu_barrier();
}

static void install(struct kunit *test, struct idtun_device *idt,
		    const struct rule_spec *specs, unsigned int n)
{
	struct idtun_rule_key key;
	unsigned int i;

	mutex_lock(&idt->update_lock);
	for (i = 0; i < n; i++) {
		spec_key(test, &specs[i], &key);
		KUNIT_EXPECT_EQ_MSG(test, idtun_rule_set(idt, &key, specs[i].action),
				    0, "rule %u", i);
	}
	KUNIT_EXPECT_EQ(test, idtun_policy_commit(idt), 0);
	mutex_unlock(&idt->update_lock);
}

/* The verdict on one packet; *rule is the deciding rule or NULL. */
static u8 decide(struct kunit *test, struct idtun_device *idt, u8 dir,
		 u32 identity, const char *daddr, u8 proto, int dport,
		 struct idtun_rule **rule)
{
	struct idtun_flow flow = { .proto = proto };
	struct idtun_ident *ident;
	u8 addr[16], cidr, action;

	flow.family = parse_addr(daddr, addr, &cidr);
	KUNIT_ASSERT_NE(test, flow.family, 0);
	memcpy(&flow.daddr, addr, 16);
	flow.has_ports = dport != NOPORT;
	if (flow.has_ports)
		flow.dport = htons(dport);
	mutex_lock(&idt->update_lock);
	ident = idtun_ident_get(idt, identity);
	mutex_unlock(&idt->update_lock);
	KUNIT_ASSERT_NOT_NULL(test, ident);
	rcu_read_lock_bh();
	action = idtun_policy_decide(idt, dir, ident, &flow, 1, 100, rule);
	rcu_read_unlock_bh();
	mutex_lock(&idt->update_lock);
	idtun_ident_put(idt, ident);
	mutex_unlock(&idt->update_lock);
	return action;
}

static void policy_table(struct kunit *test)
{
	struct idtun_device *idt = fake_device(test);
	struct idtun_rule_key key;
	struct idtun_rule *rule;
	unsigned int i;
	u8 action;

	install(test, idt, rules, ARRAY_SIZE(rules));
	idt->policy.defaults[EG] = DENY;
	idt->policy.defaults[IN] = ALLOW;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct packet_case *c = &cases[i];

		action = decide(test, idt, c->dir, c->identity, c->daddr,
				c->proto, c->dport, &rule);
		KUNIT_EXPECT_EQ_MSG(test, action, c->action, "%s", c->what);
		if (c->rule < 0) {
			KUNIT_EXPECT_NULL_MSG(test, rule, "%s", c->what);
			continue;
		}
		KUNIT_EXPECT_NOT_NULL_MSG(test, rule, "%s", c->what);
		if (!rule)
			continue;
		spec_key(test, &rules[c->rule], &key);
		KUNIT_EXPECT_TRUE_MSG(test, !memcmp(&rule->key, &key, sizeof(key)),
				      "%s: decided by another rule", c->what);
	}
	fake_device_free(idt);
}

/* Changing a rule's action, removing rules, flushing. */
static void policy_changes(struct kunit *test)
{
	static const struct rule_spec r[] = {
		{ EG, 7, "10.0.0.0/8", IPPROTO_TCP, 80, 80, ALLOW },
		{ EG, ANY_ID, "10.0.0.0/8", 0, 0, 0, DENY },
	};
	struct idtun_device *idt = fake_device(test);
	struct idtun_rule_key key;
	struct idtun_rule *rule;

	install(test, idt, r, 1);
	KUNIT_EXPECT_EQ(test, decide(test, idt, EG, 7, "10.0.0.1", IPPROTO_TCP,
				     80, &rule), ALLOW);
	KUNIT_EXPECT_EQ(test, idt->policy.num_rules, 1U);

	/* The same key again changes the action, not the number of rules. */
	mutex_lock(&idt->update_lock);
	spec_key(test, &r[0], &key);
	KUNIT_EXPECT_EQ(test, idtun_rule_set(idt, &key, DENY), 0);
	KUNIT_EXPECT_EQ(test, idtun_policy_commit(idt), 0);
	mutex_unlock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, idt->policy.num_rules, 1U);
	KUNIT_EXPECT_EQ(test, decide(test, idt, EG, 7, "10.0.0.1", IPPROTO_TCP,
				     80, &rule), DENY);

	/* Removing it leaves the default. */
	mutex_lock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, idtun_rule_del(idt, &key), 0);
	KUNIT_EXPECT_EQ(test, idtun_rule_del(idt, &key), -ENOENT);
	KUNIT_EXPECT_EQ(test, idtun_policy_commit(idt), 0);
	mutex_unlock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, decide(test, idt, EG, 7, "10.0.0.1", IPPROTO_TCP,
				     80, &rule), ALLOW);
	KUNIT_EXPECT_NULL(test, rule);

	/* A flush takes everything; identity 7 is then unused and gone. */
	install(test, idt, r, ARRAY_SIZE(r));
	KUNIT_EXPECT_EQ(test, decide(test, idt, EG, 8, "10.0.0.1", IPPROTO_TCP,
				     80, &rule), DENY);
	mutex_lock(&idt->update_lock);
	idtun_rules_flush(idt);
	KUNIT_EXPECT_EQ(test, idtun_policy_commit(idt), 0);
	mutex_unlock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, idt->policy.num_rules, 0U);
	KUNIT_EXPECT_NULL(test, idtun_ident_find(idt, 7));
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(idt->policy.any[EG]));
	KUNIT_EXPECT_EQ(test, decide(test, idt, EG, 7, "10.0.0.1", IPPROTO_TCP,
				     80, &rule), ALLOW);
	fake_device_free(idt);
}

/* Each decision counts on its rule: packets and bytes. */
static void policy_counters(struct kunit *test)
{
	static const struct rule_spec r[] = {
		{ EG, 3, "10.0.0.0/8", 0, 0, 0, ALLOW },
	};
	struct idtun_device *idt = fake_device(test);
	struct idtun_rule *rule = NULL;
	struct idtun_ident_stats st;
	struct idtun_ident *ident;
	u64 packets, bytes;
	int i;

	install(test, idt, r, 1);
	for (i = 0; i < 5; i++)
		decide(test, idt, EG, 3, "10.0.0.1", IPPROTO_UDP, 9, &rule);
	decide(test, idt, EG, 3, "11.0.0.1", IPPROTO_UDP, 9, &rule);
	KUNIT_ASSERT_NULL(test, rule);
	decide(test, idt, EG, 3, "10.0.0.1", IPPROTO_UDP, 9, &rule);
	KUNIT_ASSERT_NOT_NULL(test, rule);
	idtun_rule_read_stats(rule, &packets, &bytes);
	KUNIT_EXPECT_EQ(test, packets, 6ULL);
	KUNIT_EXPECT_EQ(test, bytes, 600ULL);

	/* Identity counters are the data path's to bump; they add up. */
	mutex_lock(&idt->update_lock);
	ident = idtun_ident_get(idt, 3);
	mutex_unlock(&idt->update_lock);
	KUNIT_ASSERT_NOT_NULL(test, ident);
	local_bh_disable();
	idtun_ident_count(ident, true, 2, 3000);
	idtun_ident_count(ident, false, 1, 60);
	idtun_ident_count_drop(ident, false);
	local_bh_enable();
	idtun_ident_read_stats(ident, &st);
	KUNIT_EXPECT_EQ(test, st.tx_packets, 2ULL);
	KUNIT_EXPECT_EQ(test, st.tx_bytes, 3000ULL);
	KUNIT_EXPECT_EQ(test, st.rx_packets, 1ULL);
	KUNIT_EXPECT_EQ(test, st.rx_bytes, 60ULL);
	KUNIT_EXPECT_EQ(test, st.rx_dropped, 1ULL);
	KUNIT_EXPECT_EQ(test, st.tx_dropped, 0ULL);
	mutex_lock(&idt->update_lock);
	idtun_ident_put(idt, ident);
	mutex_unlock(&idt->update_lock);
	fake_device_free(idt);
}

/*
 * 10,000 rules: one per identity and /32, plus 2,000 ports on one prefix
 * of one identity, which compile into segments rather than a list.
 */
static void policy_many(struct kunit *test)
{
	struct idtun_device *idt = fake_device(test);
	struct idtun_rule_key key;
	struct idtun_rule *rule;
	char addr[32];
	unsigned int i;

	mutex_lock(&idt->update_lock);
	for (i = 0; i < 8000; i++) {
		memset(&key, 0, sizeof(key));
		key.dir = EG;
		key.identity = 100000 + i;
		key.family = AF_INET;
		key.cidr = 32;
		key.addr[0] = 10;
		key.addr[1] = i >> 16;
		key.addr[2] = i >> 8;
		key.addr[3] = i;
		key.port_max = 0xffff;
		KUNIT_ASSERT_EQ(test, idtun_rule_set(idt, &key, ALLOW), 0);
	}
	for (i = 0; i < 2000; i++) {
		memset(&key, 0, sizeof(key));
		key.dir = EG;
		key.identity = 5;
		key.family = AF_INET;
		key.cidr = 8;
		key.addr[0] = 10;
		key.proto = IPPROTO_TCP;
		key.port_min = 2 * i + 1;
		key.port_max = 2 * i + 1;
		KUNIT_ASSERT_EQ(test, idtun_rule_set(idt, &key, ALLOW), 0);
	}
	KUNIT_EXPECT_EQ(test, idtun_policy_commit(idt), 0);
	mutex_unlock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, idt->policy.num_rules, 10000U);
	idt->policy.defaults[EG] = DENY;

	KUNIT_EXPECT_EQ(test, decide(test, idt, EG, 100000 + 4242, "10.0.16.146",
				     IPPROTO_TCP, 1, &rule), ALLOW);
	KUNIT_EXPECT_EQ(test, decide(test, idt, EG, 100000 + 4242, "10.0.16.147",
				     IPPROTO_TCP, 1, &rule), DENY);
	/* Odd ports up to 3999 are allowed, the rest falls to the default. */
	for (i = 0; i < 4010; i += 97) {
		snprintf(addr, sizeof(addr), "10.%u.0.1", i % 200);
		KUNIT_EXPECT_EQ_MSG(test, decide(test, idt, EG, 5, addr,
						 IPPROTO_TCP, i, &rule),
				    (i & 1) && i <= 3999 ? ALLOW : DENY,
				    "port %u", i);
	}
	fake_device_free(idt);
}

static struct sk_buff *ipv4_skb(struct kunit *test, const char *saddr)
{
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL);
	struct iphdr *iph;
	u8 cidr;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	KUNIT_ASSERT_EQ(test, parse_addr(saddr, (u8 *)&iph->saddr, &cidr),
			AF_INET);
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

static u32 identity_of(struct kunit *test, struct idtun_device *idt,
		       const char *saddr)
{
	struct sk_buff *skb = ipv4_skb(test, saddr);
	u32 id;

	rcu_read_lock_bh();
	id = idtun_identity_of_skb(idt, skb)->id;
	rcu_read_unlock_bh();
	kfree_skb(skb);
	return id;
}

/* Without a socket: the longest bound prefix, else the default, else 0. */
static void identity_order(struct kunit *test)
{
	struct idtun_device *idt = fake_device(test);
	u8 addr[16], cidr;

	KUNIT_EXPECT_EQ(test, identity_of(test, idt, "10.1.2.3"), 0U);
	mutex_lock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, idtun_set_default_identity(idt, 9), 0);
	parse_addr("10.1.0.0", addr, &cidr);
	KUNIT_EXPECT_EQ(test, idtun_bind_prefix(idt, AF_INET, addr, 16, 20), 0);
	parse_addr("10.1.2.0", addr, &cidr);
	KUNIT_EXPECT_EQ(test, idtun_bind_prefix(idt, AF_INET, addr, 24, 21), 0);
	mutex_unlock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, identity_of(test, idt, "10.1.2.3"), 21U);
	KUNIT_EXPECT_EQ(test, identity_of(test, idt, "10.1.3.3"), 20U);
	KUNIT_EXPECT_EQ(test, identity_of(test, idt, "10.2.3.3"), 9U);

	mutex_lock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, idtun_unbind_prefix(idt, AF_INET, addr, 24), 0);
	KUNIT_EXPECT_EQ(test, idtun_unbind_prefix(idt, AF_INET, addr, 24),
			-ENOENT);
	mutex_unlock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, identity_of(test, idt, "10.1.2.3"), 20U);
	mutex_lock(&idt->update_lock);
	idtun_unbind_all(idt);
	KUNIT_EXPECT_EQ(test, idtun_set_default_identity(idt, 0), 0);
	mutex_unlock(&idt->update_lock);
	KUNIT_EXPECT_EQ(test, identity_of(test, idt, "10.1.2.3"), 0U);
	/* Nothing refers to 9, 20 or 21 any more: only identity 0 is left. */
	KUNIT_EXPECT_EQ(test, atomic_read(&idt->identities.idents.nelems), 1);
	fake_device_free(idt);
}

/* The mark takes the identity at the mask's lowest bit, if it fits. */
static void identity_mark(struct kunit *test)
{
	struct idtun_device *idt = fake_device(test);
	struct sk_buff *skb = ipv4_skb(test, "10.0.0.1");

	skb->mark = 0x1234;
	idtun_identity_mark(idt, skb, 77);
	KUNIT_EXPECT_EQ(test, skb->mark, 0x1234U);
	idt->identities.mark_mask = 0xffff0000;
	idtun_identity_mark(idt, skb, 77);
	KUNIT_EXPECT_EQ(test, skb->mark, (77U << 16) | 0x1234);
	idtun_identity_mark(idt, skb, 0x10000);
	KUNIT_EXPECT_EQ(test, skb->mark, 0x1234U);
	idt->identities.mark_mask = 0xff;
	idtun_identity_mark(idt, skb, 0xab);
	KUNIT_EXPECT_EQ(test, skb->mark, 0x12abU);
	kfree_skb(skb);
	fake_device_free(idt);
}

static struct kunit_case idtun_policy_cases[] = {
	KUNIT_CASE(policy_table),
	KUNIT_CASE(policy_changes),
	KUNIT_CASE(policy_counters),
	KUNIT_CASE(policy_many),
	KUNIT_CASE(identity_order),
	KUNIT_CASE(identity_mark),
	{}
};

static struct kunit_suite idtun_policy_suite = {
	.name = "idtun_policy",
	.test_cases = idtun_policy_cases,
};

kunit_test_suites(&idtun_policy_suite);
