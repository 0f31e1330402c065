/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The statistics behind diff's latency verdicts: pure functions, no I/O.
 *
 * Several runs a side: each run gives one value per attribute (its p99,
 * its time per call); the two sets of values are two samples. The shift
 * of log(value) between them is estimated by Hodges-Lehmann (the median
 * of all new - base differences) with the distribution-free confidence
 * interval that inverts the Mann-Whitney test, from the exact null
 * distribution of U. exp(shift) reads as a ratio.
 *
 * One run a side: the samples are the calls in the histograms. A quantile
 * gets the order-statistic (binomial) interval, a mean the normal interval
 * from the histogram's variance. This measures sampling noise only.
 */
#ifndef ATTRPROF_STATS_H
#define ATTRPROF_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../probe/attrprof.h"

/* An estimate and its interval; low and high may be -INFINITY and INFINITY (unbounded). */
struct stats_interval {
	double estimate;
	double low, high;
	double confidence; /* achieved coverage, 0 to 1 */
};

/*
 * The exact null distribution of the Mann-Whitney U for samples of m and n
 * values without ties: cdf[u] = P(U <= u) for u = 0 .. m*n. cdf holds
 * m*n + 1 doubles. Returns 0, or -EINVAL when m or n is 0 or above 1000.
 */
int stats__mw_cdf(unsigned int m, unsigned int n, double *cdf);

/* The highest confidence (0 to 1) two samples of m and n values can give an interval. */
double stats__max_confidence(unsigned int m, unsigned int n);

/*
 * Hodges-Lehmann shift of y (n values) over x (m values), with the
 * interval [d(k), d(mn+1-k)] of the sorted differences y_j - x_i, k the
 * largest rank whose two-sided level 2 * P(U <= k-1) is at most
 * 1 - conf; cdf from stats__mw_cdf(m, n). When even k = 1 is above it,
 * the interval is the widest one and out->confidence says what it covers.
 * Returns 0, -EINVAL (an empty sample) or -ENOMEM.
 */
int stats__hodges_lehmann(const double *x, unsigned int m, const double *y, unsigned int n,
			  const double *cdf, double conf, struct stats_interval *out);

/* P(B <= k) for B ~ Binomial(n, p), 0 < p < 1. */
double stats__binom_cdf(uint64_t n, double p, uint64_t k);

/*
 * Ranks (1-based) of the order statistics bounding the p-quantile of n
 * values at confidence conf: P(X(lo) <= q <= X(hi)) >= conf. *lo is 0 when
 * no order statistic is low enough (unbounded below), *hi is n + 1 when none
 * is high enough. Returns the achieved coverage.
 */
double stats__quantile_ranks(uint64_t n, double p, double conf, uint64_t *lo, uint64_t *hi);

/* The x with P(Z <= x) = p for a standard normal Z, 0 < p < 1. */
double stats__normal_quantile(double p);

/*
 * Variance of the values in a histogram plus zeros extra zero values,
 * each value taken as its slot's midpoint (the last slot's lower bound).
 * Returns 0 for fewer than two values.
 */
double stats__hist_variance(const uint64_t hist[HIST_SLOTS], uint64_t zeros);

/*
 * The ratio of two means, new over base, each of n values with the given
 * variance, and the normal interval of its logarithm at confidence conf.
 * Both means must be positive and both n at least 2; else -EINVAL.
 */
int stats__mean_ratio(double base_mean, double base_var, uint64_t base_n, double new_mean,
		      double new_var, uint64_t new_n, double conf, struct stats_interval *out);

#endif /* ATTRPROF_STATS_H */
