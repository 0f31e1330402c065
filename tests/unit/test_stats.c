// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * stats: the latency verdicts' statistics against values worked out by hand
 * (small Mann-Whitney tables, binomial sums, a textbook median interval) or
 * by an independent formula (the U distribution by direct recursion).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include "hist.h"
#include "stats.h"

#define EPS 1e-12

/* Orderings of m x's and n y's with U = u, by the textbook recursion on the largest value. */
static double count_u(int m, int n, int u)
{
	if (u < 0)
		return 0;
	if (!m || !n)
		return u == 0;
	/* The largest value is a y (it beats all m x's) or an x (it beats none). */
	return count_u(m, n - 1, u - m) + count_u(m - 1, n, u);
}

Test(stats, mw_cdf_2_2_by_hand)
{
	/* The 6 orderings of 2 and 2 values: U = 0, 1, 2, 2, 3, 4. */
	const double want[] = {1 / 6.0, 2 / 6.0, 4 / 6.0, 5 / 6.0, 1};
	double cdf[5];

	cr_assert_eq(stats__mw_cdf(2, 2, cdf), 0);
	for (int u = 0; u < 5; u++)
		cr_assert_float_eq(cdf[u], want[u], EPS, "u=%d: %g", u, cdf[u]);
}

Test(stats, mw_cdf_5_5_tail)
{
	double cdf[26];

	/* C(10,5) = 252 orderings; U = 0..4 in 1, 1, 2, 3, 5 of them (partitions of u). */
	cr_assert_eq(stats__mw_cdf(5, 5, cdf), 0);
	cr_assert_float_eq(cdf[0], 1 / 252.0, EPS);
	cr_assert_float_eq(cdf[2], 4 / 252.0, EPS);
	cr_assert_float_eq(cdf[3], 7 / 252.0, EPS);
	cr_assert_float_eq(cdf[4], 12 / 252.0, EPS);
}

Test(stats, mw_cdf_matches_direct_recursion)
{
	const int m = 7, n = 9;
	double cdf[7 * 9 + 1], run = 0, total = 11440; /* C(16, 7) */

	cr_assert_eq(stats__mw_cdf(m, n, cdf), 0);
	for (int u = 0; u <= m * n; u++) {
		run += count_u(m, n, u);
		cr_assert_float_eq(cdf[u], run / total, 1e-12, "u=%d", u);
	}
	cr_assert_eq(stats__mw_cdf(0, 3, cdf), -EINVAL);
}

Test(stats, mw_cdf_large_stays_symmetric)
{
	static double cdf[60 * 80 + 1];
	const int mn = 60 * 80;

	/* U and mn - U have the same distribution: P(U <= u) = 1 - P(U <= mn - 1 - u). */
	cr_assert_eq(stats__mw_cdf(60, 80, cdf), 0);
	for (int u = 0; u < mn; u += 97)
		cr_assert_float_eq(cdf[u], 1 - cdf[mn - 1 - u], 1e-9, "u=%d", u);
	/* The extreme tail is exact: one ordering in C(140, 60). */
	cr_assert_float_eq(log(cdf[0]), -(lgamma(141) - lgamma(61) - lgamma(81)), 1e-6);
}

Test(stats, max_confidence)
{
	cr_assert_float_eq(stats__max_confidence(2, 2), 1 - 2 / 6.0, EPS);
	cr_assert_float_eq(stats__max_confidence(3, 3), 0.9, EPS);
	cr_assert_float_eq(stats__max_confidence(4, 4), 1 - 2 / 70.0, 1e-9);
	cr_assert_float_eq(stats__max_confidence(5, 5), 1 - 2 / 252.0, 1e-9);
}

Test(stats, hodges_lehmann_by_hand)
{
	/* Differences y - x: 8, 9, 9, 10, 10, 10, 11, 11, 12. */
	const double x[] = {2, 0, 1}, y[] = {12, 10, 11};
	struct stats_interval iv;
	double cdf[10];

	cr_assert_eq(stats__mw_cdf(3, 3, cdf), 0);
	cr_assert_eq(stats__hodges_lehmann(x, 3, y, 3, cdf, 0.8, &iv), 0);
	/* 2 P(U <= 1) = 0.2: k = 2, the 2nd and 8th differences, exactly 80%. */
	cr_assert_float_eq(iv.estimate, 10, EPS);
	cr_assert_float_eq(iv.low, 9, EPS);
	cr_assert_float_eq(iv.high, 11, EPS);
	cr_assert_float_eq(iv.confidence, 0.8, EPS);
	/* 95% is out of reach of 3 and 3: the widest interval, and what it covers. */
	cr_assert_eq(stats__hodges_lehmann(x, 3, y, 3, cdf, 0.95, &iv), 0);
	cr_assert_float_eq(iv.low, 8, EPS);
	cr_assert_float_eq(iv.high, 12, EPS);
	cr_assert_float_eq(iv.confidence, 0.9, EPS);
}

Test(stats, hodges_lehmann_even_count_and_overlap)
{
	/* 5 vs 5 at 95%: k = 3 (2 P(U <= 2) = 8/252 <= 0.05 < 14/252). */
	const double x[] = {1, 2, 3, 4, 5}, y[] = {3, 4, 5, 6, 7};
	struct stats_interval iv;
	double cdf[26];

	cr_assert_eq(stats__mw_cdf(5, 5, cdf), 0);
	cr_assert_eq(stats__hodges_lehmann(x, 5, y, 5, cdf, 0.95, &iv), 0);
	/* Differences: -2, -1 x2, 0 x3, 1 x4, 2 x5, 3 x4, 4 x3, 5 x2, 6. Median: the 13th, 2. */
	cr_assert_float_eq(iv.estimate, 2, EPS);
	cr_assert_float_eq(iv.low, -1, EPS);
	cr_assert_float_eq(iv.high, 5, EPS);
	cr_assert_float_eq(iv.confidence, 1 - 8 / 252.0, 1e-9);
}

Test(stats, binomial_cdf_by_hand)
{
	/* Sum of C(10, k) for k <= 5 is 638. */
	cr_assert_float_eq(stats__binom_cdf(10, 0.5, 5), 638 / 1024.0, 1e-12);
	cr_assert_float_eq(stats__binom_cdf(10, 0.5, 0), 1 / 1024.0, 1e-12);
	cr_assert_float_eq(stats__binom_cdf(10, 0.5, 10), 1, EPS);
	/* P(B <= 98) of Bin(100, 0.99) = 1 - P(99) - P(100). */
	cr_assert_float_eq(stats__binom_cdf(100, 0.99, 98),
			   1 - 100 * pow(0.99, 99) * 0.01 - pow(0.99, 100), 1e-12);
}

Test(stats, median_interval_of_100_is_the_textbook_one)
{
	uint64_t lo, hi;
	double got = stats__quantile_ranks(100, 0.5, 0.95, &lo, &hi);

	/* X(40) and X(61): P(40 <= B <= 60) for B ~ Bin(100, 1/2), 96.48%. */
	cr_assert_eq(lo, 40);
	cr_assert_eq(hi, 61);
	cr_assert_float_eq(got, 1 - 2 * stats__binom_cdf(100, 0.5, 39), 1e-12);
	cr_assert_float_eq(got, 0.9648, 1e-4);
}

Test(stats, p99_of_100_has_no_upper_bound)
{
	uint64_t lo, hi;
	double got;

	/* Even X(100) is below the p99 with probability 0.99^100 = 36.6% > 2.5%. */
	got = stats__quantile_ranks(100, 0.99, 0.95, &lo, &hi);
	cr_assert_eq(hi, 101);
	cr_assert(stats__binom_cdf(100, 0.99, lo - 1) <= 0.025);
	cr_assert(stats__binom_cdf(100, 0.99, lo) > 0.025);
	cr_assert_geq(got, 0.95);
	/* With many calls both bounds exist and close in around rank 9900 of 10000. */
	got = stats__quantile_ranks(10000, 0.99, 0.95, &lo, &hi);
	cr_assert(lo < 9900 && hi > 9900 && hi <= 10000, "%lu %lu", lo, hi);
	cr_assert_geq(got, 0.95);
}

Test(stats, normal_quantile)
{
	cr_assert_float_eq(stats__normal_quantile(0.975), 1.959963984540054, 1e-9);
	cr_assert_float_eq(stats__normal_quantile(0.5), 0, 1e-9);
	cr_assert_float_eq(stats__normal_quantile(0.05), -1.6448536269514722, 1e-9);
}

Test(stats, histogram_variance_by_hand)
{
	uint64_t hist[HIST_SLOTS] = {0};

	/* Slots below HIST_SUBS hold one value each: 2 and 3, mean 2.5, sample variance 0.5. */
	hist[2] = 1;
	hist[3] = 1;
	cr_assert_float_eq(stats__hist_variance(hist, 0), 0.5, EPS);
	/* With two zeros: 0, 0, 2, 3, mean 1.25, squares about it 6.75 over 3. */
	cr_assert_float_eq(stats__hist_variance(hist, 2), 2.25, EPS);
	/* A wide slot counts as its midpoint: [1024, 1280) holds 1024..1279, middle 1151.5. */
	memset(hist, 0, sizeof(hist));
	hist[hist__slot(1024)] = 1;
	hist[2] = 1;
	cr_assert_float_eq(stats__hist_variance(hist, 0), pow(1151.5 - 2, 2) / 2, 1e-6);
}

Test(stats, mean_ratio_by_hand)
{
	struct stats_interval iv;

	/* se of the log ratio: sqrt(400/(100*100^2) + 1600/(100*200^2)) = sqrt(0.0008). */
	cr_assert_eq(stats__mean_ratio(100, 400, 100, 200, 1600, 100, 0.95, &iv), 0);
	cr_assert_float_eq(iv.estimate, 2, EPS);
	cr_assert_float_eq(iv.low, 2 * exp(-1.959963984540054 * sqrt(0.0008)), 1e-9);
	cr_assert_float_eq(iv.high, 2 * exp(1.959963984540054 * sqrt(0.0008)), 1e-9);
	cr_assert_float_eq(iv.low, 1.892144, 1e-6);
	cr_assert_eq(stats__mean_ratio(0, 1, 100, 1, 1, 100, 0.95, &iv), -EINVAL);
	cr_assert_eq(stats__mean_ratio(1, 1, 1, 1, 1, 100, 0.95, &iv), -EINVAL);
}
