// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The statistics behind diff's latency verdicts; the methods are in stats.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "stats.h"

/* Largest sample stats__mw_cdf takes: its polynomial has m*n + m + 1 terms. */
#define MW_MAX_N 1000

/*
 * The number of orderings with U = u is the coefficient of q^u in the
 * Gaussian binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).
 * Each factor keeps integer coefficients, and the small ones in the tails
 * (the ones a confidence interval reads) stay exact in doubles.
 */
int stats__mw_cdf(unsigned int m, unsigned int n, double *cdf)
{
	size_t deg = (size_t)m * n, len = deg + m + 1;
	double *c, total = 0, run = 0;

	if (!m || !n || m > MW_MAX_N || n > MW_MAX_N)
		return -EINVAL;
	c = calloc(len, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c[0] = 1;
	for (unsigned int i = 1; i <= m; i++) {
		size_t a = (size_t)n + i, top = (size_t)(i - 1) * n + a;

		/* Multiply by (1 - q^a): from the top down, so each term reads the old one. */
		for (size_t u = top; u >= a; u--)
			c[u] -= c[u - a];
		/* Divide by (1 - q^i), exact: c'[u] = c[u] + c'[u - i]. */
		for (size_t u = i; u <= top; u++)
			c[u] += c[u - i];
		/* The quotient ends at degree i*n; clear what rounding left above it. */
		for (size_t u = (size_t)i * n + 1; u <= top; u++)
			c[u] = 0;
	}
	for (size_t u = 0; u <= deg; u++)
		total += c[u];
	for (size_t u = 0; u <= deg; u++) {
		run += c[u];
		cdf[u] = run / total;
	}
	cdf[deg] = 1;
	free(c);
	return 0;
}

double stats__max_confidence(unsigned int m, unsigned int n)
{
	/* The two most extreme orderings, one each way, out of C(m+n, m). */
	double log_orderings = lgamma(m + n + 1.0) - lgamma(m + 1.0) - lgamma(n + 1.0);

	if (!m || !n)
		return 0;
	return 1 - 2 * exp(-log_orderings);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int stats__hodges_lehmann(const double *x, unsigned int m, const double *y, unsigned int n,
			  const double *cdf, double conf, struct stats_interval *out)
{
	size_t nd = (size_t)m * n, k = 1;
	double *d, alpha = 1 - conf;

	if (!m || !n)
		return -EINVAL;
	d = malloc(nd * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (unsigned int i = 0; i < m; i++)
		for (unsigned int j = 0; j < n; j++)
			d[(size_t)i * n + j] = y[j] - x[i];
	qsort(d, nd, sizeof(*d), cmp_double);
	out->estimate = nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2;
	/* The largest k with 2 P(U <= k-1) <= alpha; a tiny slack absorbs rounding in cdf. */
	while (k < (nd + 1) / 2 && 2 * cdf[k] <= alpha * (1 + 1e-12))
		k++;
	out->low = d[k - 1];
	out->high = d[nd - k];
	out->confidence = 1 - 2 * cdf[k - 1];
	free(d);
	return 0;
}

/* What every term of one binomial CDF shares, computed once. */
struct binom {
	uint64_t n;
	double lg_n, log_p, log_q; /* lgamma(n + 1), log(p), log(1 - p) */
};

static double log_pmf(const struct binom *b, uint64_t j)
{
	return b->lg_n - lgamma(j + 1.0) - lgamma(b->n - j + 1.0) + j * b->log_p +
	       (b->n - j) * b->log_q;
}

/*
 * Tail sums from k away from the mean: the terms shrink geometrically past
 * a few standard deviations, so the sum stops once they no longer count.
 */
double stats__binom_cdf(uint64_t n, double p, uint64_t k)
{
	const struct binom b = {n, lgamma(n + 1.0), log(p), log1p(-p)};
	double sum = 0, t;

	if (k >= n)
		return 1;
	if (k < n * p) {
		for (uint64_t j = k + 1; j-- > 0;) {
			t = exp(log_pmf(&b, j));
			sum += t;
			if (t <= sum * 1e-17)
				break;
		}
		return sum;
	}
	for (uint64_t j = k + 1; j <= n; j++) {
		t = exp(log_pmf(&b, j));
		sum += t;
		if (t <= sum * 1e-17)
			break;
	}
	return 1 - sum;
}

/* P(B <= k - 1), with the empty sum for k = 0. */
static double below(uint64_t n, double p, uint64_t k)
{
	return k ? stats__binom_cdf(n, p, k - 1) : 0;
}

double stats__quantile_ranks(uint64_t n, double p, double conf, uint64_t *lo, uint64_t *hi)
{
	double a = (1 - conf) / 2;
	uint64_t l = 0, h = n + 1, mid, x0, x1;

	/*
	 * X(r) <= q exactly when at least r of the n values are <= q, B ~ Bin(n, p)
	 * of them, so P(X(lo) <= q <= X(hi)) = P(lo <= B < hi): lo is the largest
	 * rank with P(B < lo) <= a, hi the smallest with P(B >= hi) <= a.
	 */
	for (x0 = 1, x1 = n; x0 <= x1;) {
		mid = x0 + (x1 - x0) / 2;
		if (below(n, p, mid) <= a) {
			l = mid;
			x0 = mid + 1;
		} else {
			x1 = mid - 1;
		}
	}
	for (x0 = 1, x1 = n; x0 <= x1;) {
		mid = x0 + (x1 - x0) / 2;
		if (1 - below(n, p, mid) <= a) {
			h = mid;
			x1 = mid - 1;
		} else {
			x0 = mid + 1;
		}
	}
	*lo = l;
	*hi = h;
	return (h <= n ? below(n, p, h) : 1) - below(n, p, l);
}

double stats__normal_quantile(double p)
{
	double lo = -40, hi = 40, mid;

	/* Bisection on the normal CDF: 100 halvings reach double precision. */
	for (int i = 0; i < 100; i++) {
		mid = (lo + hi) / 2;
		if (0.5 * erfc(-mid / M_SQRT2) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

double stats__hist_variance(const uint64_t hist[HIST_SLOTS], uint64_t zeros)
{
	double n = zeros, sum = 0, sq = 0, mean;

	for (unsigned int s = 0; s < HIST_SLOTS; s++) {
		/* The slot holds whole ns from its lower bound to one below the next. */
		double mid = s + 1 < HIST_SLOTS ? (hist__lower(s) + hist__upper(s) - 1) / 2.0
						: (double)hist__lower(s);

		n += hist[s];
		sum += hist[s] * mid;
		sq += hist[s] * mid * mid;
	}
	if (n < 2)
		return 0;
	mean = sum / n;
	/* The sample variance; clamped at 0 against rounding. */
	return fmax(0, (sq - n * mean * mean) / (n - 1));
}

int stats__mean_ratio(double base_mean, double base_var, uint64_t base_n, double new_mean,
		      double new_var, uint64_t new_n, double conf, struct stats_interval *out)
{
	double se, z, r;

	if (!(base_mean > 0) || !(new_mean > 0) || base_n < 2 || new_n < 2)
		return -EINVAL;
	/* The delta method: var(log mean) ~ var / (n mean^2). */
	se = sqrt(base_var / (base_n * base_mean * base_mean) +
		  new_var / (new_n * new_mean * new_mean));
	z = stats__normal_quantile(1 - (1 - conf) / 2);
	r = new_mean / base_mean;
	*out = (struct stats_interval){
		.estimate = r,
		.low = r * exp(-z * se),
		.high = r * exp(z * se),
		.confidence = conf,
	};
	return 0;
}
