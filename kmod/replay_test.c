// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the replay window, at its edges and on random sequences against a
 * reference that remembers every counter it ever accepted.
 */

#include <kunit/test.h>
#include <linux/random.h>

#include "replay.h"

static struct idtun_replay *replay_new(struct kunit *test)
{
	struct idtun_replay *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	idtun_replay_init(r);
	return r;
}

static void replay_basics(struct kunit *test)
{
	struct idtun_replay *r = replay_new(test);

	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, 0));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, 0));
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, 1));
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, 3));
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, 2));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, 2));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, 3));
}

static void replay_window_edge(struct kunit *test)
{
	struct idtun_replay *r = replay_new(test);
	u64 top = 3 * IDTUN_REPLAY_WINDOW + 17;

	KUNIT_EXPECT_GE(test, (u64)IDTUN_REPLAY_WINDOW, 2048ULL);
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, top));
	/* The oldest counter still inside the window, and the first outside. */
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, top - IDTUN_REPLAY_WINDOW + 1));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, top - IDTUN_REPLAY_WINDOW));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, top - IDTUN_REPLAY_WINDOW + 1));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, 0));
}

static void replay_far_jump(struct kunit *test)
{
	struct idtun_replay *r = replay_new(test);
	u64 i;

	for (i = 0; i < 200; i++)
		KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, i));
	/* A jump past the whole ring clears it: old bits must not linger. */
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, 1000000));
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, 1000000 - 64 * 5));
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, 1000000 - 1));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, 199));
	/* A jump of exactly one ring's worth of words. */
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, 1000000 + IDTUN_REPLAY_WORDS * BITS_PER_LONG));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, 1000000));
}

static void replay_reject_after(struct kunit *test)
{
	struct idtun_replay *r = replay_new(test);

	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, IDTUN_REJECT_AFTER_MESSAGES - 1));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, IDTUN_REJECT_AFTER_MESSAGES));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, U64_MAX));
	KUNIT_EXPECT_FALSE(test, idtun_replay_accept(r, IDTUN_REJECT_AFTER_MESSAGES - 1));
	KUNIT_EXPECT_TRUE(test, idtun_replay_accept(r, IDTUN_REJECT_AFTER_MESSAGES - 2));
}

#define REF_RANGE 40000

/* What the window must do: accept each counter once, unless too old. */
static bool reference_accept(unsigned long *seen, u64 *last, bool *any, u64 c)
{
	if (*any && c <= *last && *last - c >= IDTUN_REPLAY_WINDOW)
		return false;
	if (test_bit(c, seen))
		return false;
	__set_bit(c, seen);
	if (!*any || c > *last)
		*last = c;
	*any = true;
	return true;
}

static void replay_random(struct kunit *test)
{
	unsigned long *seen = kunit_kzalloc(test, BITS_TO_LONGS(REF_RANGE) * sizeof(long),
					    GFP_KERNEL);
	struct idtun_replay *r = replay_new(test);
	u64 last = 0, base = 0, c;
	bool any = false, want, got;
	int i, mismatches = 0;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	for (i = 0; i < 100000; i++) {
		/* Mostly near the front, sometimes far behind, sometimes ahead. */
		switch (get_random_u32() % 8) {
		case 0:
			c = get_random_u32() % REF_RANGE;
			break;
		case 1:
			base = min_t(u64, base + get_random_u32() % 3000, REF_RANGE - 1);
			c = base;
			break;
		default:
			c = base + get_random_u32() % 200;
			c = c >= 150 ? c - 150 : c;
			c = min_t(u64, c, REF_RANGE - 1);
			break;
		}
		want = reference_accept(seen, &last, &any, c);
		got = idtun_replay_accept(r, c);
		if (want != got && mismatches++ < 5)
			KUNIT_FAIL(test, "counter %llu: window says %d, reference %d", c, got, want);
		base = max(base, c);
	}
	KUNIT_EXPECT_EQ(test, mismatches, 0);
}

static struct kunit_case idtun_replay_cases[] = {
	KUNIT_CASE(replay_basics),
	KUNIT_CASE(replay_window_edge),
	KUNIT_CASE(replay_far_jump),
	KUNIT_CASE(replay_reject_after),
	KUNIT_CASE(replay_random),
	{}
};

static struct kunit_suite idtun_replay_suite = {
	.name = "idtun_replay",
	.test_cases = idtun_replay_cases,
};

kunit_test_suites(&idtun_replay_suite);
