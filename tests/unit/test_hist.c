// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Histogram slot maths (shared with probe/hist.bpf.h) and percentiles. */
#include <criterion/criterion.h>
#include "hist.h"

#define LAST (HIST_SLOTS - 1)

/* xorshift64: reproducible values spread over every magnitude. */
static uint64_t next_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

Test(hist, small_values_get_a_slot_each)
{
	uint64_t v;

	for (v = 0; v < 2 * HIST_SUBS; v++)
		cr_assert_eq(hist__slot(v), v, "slot(%lu)", v);
}

Test(hist, slot_boundaries)
{
	cr_assert_eq(hist__slot(8), 8);
	cr_assert_eq(hist__slot(9), 8);
	cr_assert_eq(hist__slot(10), 9);
	cr_assert_eq(hist__slot(15), 11);
	cr_assert_eq(hist__slot(16), 12);
	cr_assert_eq(hist__slot(1000), 35);
	cr_assert_eq(hist__lower(35), 896);
	cr_assert_eq(hist__upper(35), 1024);
}

Test(hist, powers_of_two_and_neighbours)
{
	unsigned int e;

	for (e = HIST_SUB_BITS; e <= HIST_MAX_EXP; e++) {
		uint64_t v = 1ULL << e;
		unsigned int first = (e - HIST_SUB_BITS + 1) * HIST_SUBS;

		cr_assert_eq(hist__slot(v), first, "slot(2^%u)", e);
		cr_assert_eq(hist__slot(v - 1), first - 1, "slot(2^%u - 1)", e);
		cr_assert_eq(hist__slot(v + 1), e == HIST_SUB_BITS ? first + 1 : first,
			     "slot(2^%u + 1)", e);
		cr_assert_eq(hist__lower(first), v);
	}
}

Test(hist, values_past_the_last_power_clamp)
{
	uint64_t end = 1ULL << (HIST_MAX_EXP + 1);

	cr_assert_eq(hist__slot(end - 1), LAST);
	cr_assert_eq(hist__slot(end), LAST);
	cr_assert_eq(hist__slot(UINT64_MAX), LAST);
	cr_assert_eq(hist__upper(LAST), UINT64_MAX);
}

Test(hist, lower_is_the_inverse_of_slot)
{
	unsigned int s;

	for (s = 0; s < HIST_SLOTS; s++) {
		cr_assert_eq(hist__slot(hist__lower(s)), s, "slot %u", s);
		cr_assert_lt(hist__lower(s), hist__upper(s), "slot %u", s);
		if (s < LAST)
			cr_assert_eq(hist__slot(hist__upper(s) - 1), s, "slot %u", s);
		/* The layout's promise: a slot is at most 25% of its lower bound wide. */
		if (s >= HIST_SUBS && s < LAST)
			cr_assert_leq((hist__upper(s) - hist__lower(s)) * 4, hist__lower(s));
	}
}

Test(hist, every_value_lies_in_its_slot)
{
	uint64_t state = 0x9e3779b97f4a7c15ULL, v;
	int i;

	for (i = 0; i < 200000; i++) {
		/* Random magnitude, then random bits below it. */
		v = i < 5000 ? (uint64_t)i : next_rand(&state) >> (next_rand(&state) % 64);
		cr_assert_leq(hist__lower(hist__slot(v)), v, "v=%lu", v);
		cr_assert_lt(v, hist__upper(hist__slot(v)), "v=%lu", v);
	}
}

Test(hist, count_and_empty_percentile)
{
	uint64_t h[HIST_SLOTS] = {0};

	cr_assert_eq(hist__count(h), 0);
	cr_assert_eq(hist__percentile(h, 50, 0), 0);
	h[0] = 3;
	h[LAST] = 4;
	cr_assert_eq(hist__count(h), 7);
}

Test(hist, percentile_in_a_single_slot)
{
	uint64_t h[HIST_SLOTS] = {0};

	/* Ten values in [896, 1024): interpolate across the slot... */
	h[hist__slot(1000)] = 10;
	cr_assert_eq(hist__percentile(h, 50, 0), 896 + 128 * 5 / 10);
	cr_assert_eq(hist__percentile(h, 10, 0), 896 + 128 / 10);
	cr_assert_eq(hist__percentile(h, 100, 0), 1024);
	/* ...or up to the largest value seen, which bounds the slot more tightly. */
	cr_assert_eq(hist__percentile(h, 50, 1000), 896 + 104 * 5 / 10);
	cr_assert_eq(hist__percentile(h, 100, 1000), 1000);
	/* A slot one value wide: p100 is that value once max_ns says so. */
	h[hist__slot(1000)] = 0;
	h[3] = 5;
	cr_assert_eq(hist__percentile(h, 50, 0), 3);
	cr_assert_eq(hist__percentile(h, 100, 3), 3);
}

Test(hist, percentile_of_a_uniform_distribution)
{
	uint64_t h[HIST_SLOTS] = {0}, v, got;
	double p;

	for (v = 1; v <= 100000; v++)
		h[hist__slot(v)]++;
	for (p = 1; p <= 100; p += 1) {
		uint64_t want = (uint64_t)(p * 1000);

		got = hist__percentile(h, p, 100000);
		/* Interpolation errs by at most one slot width: 25% of the value. */
		cr_assert_leq(got > want ? got - want : want - got, want / 4, "p%.0f: %lu", p, got);
	}
	cr_assert_eq(hist__percentile(h, 100, 100000), 100000);
}

Test(hist, p100_is_max_and_percentiles_grow)
{
	uint64_t state = 42, h[HIST_SLOTS] = {0}, max = 0, v, prev = 0, got;
	double p;
	int i;

	for (i = 0; i < 10000; i++) {
		v = next_rand(&state) % 5000000;
		h[hist__slot(v)]++;
		max = v > max ? v : max;
	}
	cr_assert_eq(hist__percentile(h, 100, max), max);
	for (p = 0.5; p <= 100; p += 0.5) {
		got = hist__percentile(h, p, max);
		cr_assert_geq(got, prev, "p%.1f", p);
		cr_assert_leq(got, max, "p%.1f", p);
		prev = got;
	}
}

Test(hist, last_slot_uses_max_as_upper)
{
	uint64_t h[HIST_SLOTS] = {0}, max = 1ULL << 40, lo = hist__lower(LAST);

	h[LAST] = 2;
	cr_assert_eq(hist__percentile(h, 100, max), max);
	cr_assert_eq(hist__percentile(h, 50, max), lo + (max - lo) / 2);
	/* Without a max the slot ends where its own range does. */
	cr_assert_eq(hist__percentile(h, 100, 0), 1ULL << (HIST_MAX_EXP + 1));
}

/* The BPF side's slot function, compiled here as plain C, must agree everywhere. */
#include <sys/cdefs.h>
#include "hist.bpf.h"

Test(hist, bpf_twin_agrees)
{
	for (unsigned int e = 0; e < 64; e++) {
		uint64_t base = 1ULL << e;
		uint64_t probes[] = {base - 1, base, base + 1, base + base / 3, base + base / 2};

		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			cr_assert_eq(hist_slot(probes[i]), hist__slot(probes[i]), "value %llu",
				     (unsigned long long)probes[i]);
	}
	cr_assert_eq(hist_slot(UINT64_MAX), hist__slot(UINT64_MAX));
}
