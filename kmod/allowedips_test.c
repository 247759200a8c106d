// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the allowed-IPs trie, on fixed cases and on random tables checked
 * against a naive longest-prefix-match reference.
 */

#include <kunit/test.h>
#include <linux/inet.h>
#include <linux/random.h>
#include <linux/socket.h>

#include "allowedips.h"
#include "peer.h"

#define NPEERS 8

struct aip_fixture {
	struct idtun_allowedips table;
	struct mutex lock;	/* the device update lock, in real use */
	struct idtun_peer peers[NPEERS];
};

static int aip_init(struct kunit *test)
{
	struct aip_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int i;

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	idtun_aip_init(&f->table);
	for (i = 0; i < NPEERS; i++)
		INIT_LIST_HEAD(&f->peers[i].allowedips_list);
	test->priv = f;
	return 0;
}

static void aip_exit(struct kunit *test)
{
	struct aip_fixture *f = test->priv;

	mutex_lock(&f->lock);
	idtun_aip_free(&f->table, &f->lock);
	mutex_unlock(&f->lock);
}

static void parse(int family, const char *ip, u8 *addr)
{
	if (family == AF_INET)
		in4_pton(ip, -1, addr, -1, NULL);
	else
		in6_pton(ip, -1, addr, -1, NULL);
}

/* Adds (add) or removes ip/cidr for peer, as a netlink request would. */
static int change(struct aip_fixture *f, bool add, int family, const char *ip,
		  u8 cidr, int peer)
{
	u8 addr[16];
	int ret;

	parse(family, ip, addr);
	mutex_lock(&f->lock);
	if (add)
		ret = idtun_aip_insert(&f->table, family, addr, cidr, &f->peers[peer],
				       &f->lock);
	else
		ret = idtun_aip_remove(&f->table, family, addr, cidr, &f->peers[peer],
				       &f->lock);
	mutex_unlock(&f->lock);
	return ret;
}

#define insert(f, family, ip, cidr, peer) change(f, true, family, ip, cidr, peer)
#define del(f, family, ip, cidr, peer) change(f, false, family, ip, cidr, peer)

/* The peer's index, or -1 for no match. */
static int lookup(struct aip_fixture *f, int family, const char *ip)
{
	struct idtun_peer *peer;
	u8 addr[16];

	parse(family, ip, addr);
	rcu_read_lock_bh();
	peer = idtun_aip_lookup(&f->table, family, addr);
	rcu_read_unlock_bh();
	return peer ? peer - f->peers : -1;
}

static void aip_ipv4_fixed(struct kunit *test)
{
	struct aip_fixture *f = test->priv;

	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "10.0.0.1"), -1);
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET, "10.0.0.0", 8, 0), 0);
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET, "10.1.0.0", 16, 1), 0);
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET, "10.1.2.3", 32, 2), 0);
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET, "0.0.0.0", 0, 3), 0);
	/* Host bits past the cidr are ignored, as by wg. */
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET, "192.168.1.77", 24, 4), 0);

	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "10.1.2.3"), 2);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "10.1.2.4"), 1);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "10.2.0.1"), 0);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "11.0.0.1"), 3);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "192.168.1.1"), 4);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "192.168.2.1"), 3);

	/* The same prefix again moves it to the new peer. */
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET, "10.1.0.0", 16, 5), 0);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "10.1.2.4"), 5);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->peers[1].allowedips_list));

	/* Only the owner removes a prefix. */
	KUNIT_EXPECT_EQ(test, del(f, AF_INET, "10.1.0.0", 16, 1), -ENOENT);
	KUNIT_EXPECT_EQ(test, del(f, AF_INET, "10.1.0.0", 15, 5), -ENOENT);
	KUNIT_EXPECT_EQ(test, del(f, AF_INET, "10.1.0.0", 16, 5), 0);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "10.1.2.4"), 0);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "10.1.2.3"), 2);
	KUNIT_EXPECT_EQ(test, del(f, AF_INET, "0.0.0.0", 0, 3), 0);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET, "11.0.0.1"), -1);

	KUNIT_EXPECT_EQ(test, insert(f, AF_INET, "10.0.0.0", 33, 0), -EINVAL);
	/* IPv4 and IPv6 tables are separate. */
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET6, "::a01:203"), -1);
}

static void aip_ipv6_fixed(struct kunit *test)
{
	struct aip_fixture *f = test->priv;

	KUNIT_ASSERT_EQ(test, insert(f, AF_INET6, "2001:db8::", 32, 0), 0);
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET6, "2001:db8:1::", 48, 1), 0);
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET6, "2001:db8:1::1", 128, 2), 0);
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET6, "2001:db8:8000::", 33, 3), 0);
	KUNIT_ASSERT_EQ(test, insert(f, AF_INET6, "::", 0, 4), 0);

	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET6, "2001:db8:1::1"), 2);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET6, "2001:db8:1::2"), 1);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET6, "2001:db8:2::1"), 0);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET6, "2001:db8:8001::1"), 3);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET6, "2001:db9::1"), 4);
	KUNIT_EXPECT_EQ(test, insert(f, AF_INET6, "::", 129, 0), -EINVAL);

	mutex_lock(&f->lock);
	idtun_aip_remove_peer(&f->table, &f->peers[1], &f->lock);
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->peers[1].allowedips_list));
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET6, "2001:db8:1::2"), 0);
	KUNIT_EXPECT_EQ(test, lookup(f, AF_INET6, "2001:db8:1::1"), 2);
}

/* The reference: a list of (prefix, peer), searched exhaustively. */
struct ref_entry {
	u8 key[16];
	u8 cidr;
	int peer;		/* -1: removed */
};

static bool ref_match(const u8 *key, const u8 *addr, u8 cidr)
{
	unsigned int i;

	for (i = 0; i < cidr; i++)
		if (((key[i / 8] ^ addr[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

static void ref_mask(u8 *key, u8 cidr, u8 bits)
{
	unsigned int i;

	for (i = cidr; i < bits; i++)
		key[i / 8] &= ~(1 << (7 - i % 8));
}

static int ref_lookup(struct ref_entry *ref, int n, const u8 *addr)
{
	int i, best = -1, best_cidr = -1;

	for (i = 0; i < n; i++) {
		if (ref[i].peer >= 0 && ref[i].cidr > best_cidr &&
		    ref_match(ref[i].key, addr, ref[i].cidr)) {
			best = ref[i].peer;
			best_cidr = ref[i].cidr;
		}
	}
	return best;
}

/* Addresses that share prefixes often, so the trie branches and splits. */
static void random_addr(u8 *addr)
{
	static const u8 firsts[] = { 10, 172, 192, 0xfd };

	get_random_bytes(addr, 16);
	addr[0] = firsts[get_random_u32() % ARRAY_SIZE(firsts)];
	if (get_random_u32() % 2)
		addr[1] = get_random_u32() % 4;
}

static int check_lookups(struct kunit *test, struct aip_fixture *f, int family,
			 struct ref_entry *ref, int n, int rounds)
{
	u8 bits = family == AF_INET ? 32 : 128, addr[16];
	struct idtun_peer *peer;
	int i, want, got, bad = 0;

	for (i = 0; i < rounds; i++) {
		if (n && i % 2) {
			/* Inside a stored prefix, with random host bits. */
			memcpy(addr, ref[get_random_u32() % n].key, 16);
			addr[bits / 8 - 1] ^= get_random_u32() & 0xff;
		} else {
			random_addr(addr);
		}
		want = ref_lookup(ref, n, addr);
		rcu_read_lock_bh();
		peer = idtun_aip_lookup(&f->table, family, addr);
		rcu_read_unlock_bh();
		got = peer ? peer - f->peers : -1;
		if (got != want && bad++ < 3)
			KUNIT_FAIL(test, "family %d lookup %*phN: trie %d, reference %d",
				   family, bits / 8, addr, got, want);
	}
	return bad;
}

static void aip_random(struct kunit *test, int family, int n)
{
	struct aip_fixture *f = test->priv;
	u8 bits = family == AF_INET ? 32 : 128;
	struct ref_entry *ref;
	int i, j, peer, bad = 0, failed_removals = 0;

	ref = kunit_kcalloc(test, n, sizeof(*ref), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ref);
	mutex_lock(&f->lock);
	for (i = 0; i < n; i++) {
		random_addr(ref[i].key);
		ref[i].cidr = get_random_u32() % (bits + 1);
		/* All 16 bytes: an IPv4 key must not differ past its 4. */
		ref_mask(ref[i].key, ref[i].cidr, 128);
		ref[i].peer = get_random_u32() % NPEERS;
		/* A prefix added twice belongs to its last peer. */
		for (j = 0; j < i; j++)
			if (ref[j].cidr == ref[i].cidr && !memcmp(ref[j].key, ref[i].key, 16))
				ref[j].peer = -1;
		KUNIT_ASSERT_EQ(test, idtun_aip_insert(&f->table, family, ref[i].key,
						       ref[i].cidr, &f->peers[ref[i].peer],
						       &f->lock), 0);
	}
	mutex_unlock(&f->lock);
	bad += check_lookups(test, f, family, ref, n, 20000);

	/* Remove about half, by prefix. */
	mutex_lock(&f->lock);
	for (i = 0; i < n; i++) {
		if (ref[i].peer < 0 || get_random_u32() % 2)
			continue;
		if (idtun_aip_remove(&f->table, family, ref[i].key, ref[i].cidr,
				     &f->peers[ref[i].peer], &f->lock))
			failed_removals++;
		ref[i].peer = -1;
	}
	mutex_unlock(&f->lock);
	KUNIT_EXPECT_EQ_MSG(test, failed_removals, 0, "removals that failed");
	bad += check_lookups(test, f, family, ref, n, 20000);

	/* Remove two peers entirely. */
	mutex_lock(&f->lock);
	for (peer = 0; peer < 2; peer++) {
		idtun_aip_remove_peer(&f->table, &f->peers[peer], &f->lock);
		KUNIT_EXPECT_TRUE(test, list_empty(&f->peers[peer].allowedips_list));
		for (i = 0; i < n; i++)
			if (ref[i].peer == peer)
				ref[i].peer = -1;
	}
	mutex_unlock(&f->lock);
	bad += check_lookups(test, f, family, ref, n, 20000);
	KUNIT_EXPECT_EQ(test, bad, 0);
}

static void aip_random_ipv4(struct kunit *test)
{
	aip_random(test, AF_INET, 3000);
}

static void aip_random_ipv6(struct kunit *test)
{
	aip_random(test, AF_INET6, 3000);
}

/* Removing every prefix leaves an empty trie: no branch node lingers. */
static void aip_remove_all_empties(struct kunit *test)
{
	struct aip_fixture *f = test->priv;
	u8 addr[16];
	int i;

	mutex_lock(&f->lock);
	for (i = 0; i < 500; i++) {
		random_addr(addr);
		idtun_aip_insert(&f->table, AF_INET, addr, 8 + get_random_u32() % 25,
				 &f->peers[i % NPEERS], &f->lock);
	}
	for (i = 0; i < NPEERS; i++)
		idtun_aip_remove_peer(&f->table, &f->peers[i], &f->lock);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(f->table.trie.root4));
	mutex_unlock(&f->lock);
}

static struct kunit_case idtun_allowedips_cases[] = {
	KUNIT_CASE(aip_ipv4_fixed),
	KUNIT_CASE(aip_ipv6_fixed),
	KUNIT_CASE(aip_random_ipv4),
	KUNIT_CASE(aip_random_ipv6),
	KUNIT_CASE(aip_remove_all_empties),
	{}
};

static struct kunit_suite idtun_allowedips_suite = {
	.name = "idtun_allowedips",
	.init = aip_init,
	.exit = aip_exit,
	.test_cases = idtun_allowedips_cases,
};

kunit_test_suites(&idtun_allowedips_suite);
