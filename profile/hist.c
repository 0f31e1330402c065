// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Log-linear histogram maths; the layout is described in probe/attrprof.h. */
#include <math.h>
#include "hist.h"

unsigned int hist__slot(uint64_t ns)
{
	unsigned int e;

	if (ns < HIST_SUBS)
		return ns;
	e = 63 - __builtin_clzll(ns);
	if (e > HIST_MAX_EXP)
		return HIST_SLOTS - 1;
	return (e - HIST_SUB_BITS + 1) * HIST_SUBS +
	       ((ns >> (e - HIST_SUB_BITS)) & (HIST_SUBS - 1));
}

uint64_t hist__lower(unsigned int slot)
{
	unsigned int e;

	if (slot < HIST_SUBS)
		return slot;
	e = slot / HIST_SUBS + HIST_SUB_BITS - 1;
	return (uint64_t)(HIST_SUBS + slot % HIST_SUBS) << (e - HIST_SUB_BITS);
}

uint64_t hist__upper(unsigned int slot)
{
	return slot + 1 < HIST_SLOTS ? hist__lower(slot + 1) : UINT64_MAX;
}

uint64_t hist__count(const uint64_t hist[HIST_SLOTS])
{
	uint64_t n = 0;
	unsigned int s;

	for (s = 0; s < HIST_SLOTS; s++)
		n += hist[s];
	return n;
}

uint64_t hist__percentile(const uint64_t hist[HIST_SLOTS], double p, uint64_t max_ns)
{
	uint64_t count = hist__count(hist);
	double want = ceil(p / 100 * (double)count);

	if (!count)
		return 0;
	/* Compare as doubles: converting one at or above 2^64 back to uint64_t is undefined. */
	return hist__at_rank(hist,
			     want < 1		     ? 1
			     : want >= (double)count ? count
						     : (uint64_t)want,
			     max_ns);
}

uint64_t hist__at_rank(const uint64_t hist[HIST_SLOTS], uint64_t rank, uint64_t max_ns)
{
	uint64_t count = hist__count(hist), before = 0, lo, hi;
	unsigned int s;

	if (!count)
		return 0;
	if (rank < 1)
		rank = 1;
	if (rank > count)
		rank = count;
	for (s = 0; before + hist[s] < rank; s++)
		before += hist[s];

	lo = hist__lower(s);
	/* The last slot also holds every clamped value: it has no upper bound of its own. */
	hi = s + 1 < HIST_SLOTS ? hist__lower(s + 1) : 1ULL << (HIST_MAX_EXP + 1);
	/*
	 * No value in the slot exceeds max_ns, so interpolating up to it rather than
	 * to the slot's end keeps the top slot's percentiles spread out and p100 == max.
	 */
	if (max_ns && (max_ns < hi || s == HIST_SLOTS - 1))
		hi = max_ns;
	/* max_ns at the slot's lower bound (or, inconsistently, below it): nothing to spread. */
	if (hi <= lo)
		return hi;
	/* 128 bits: the width times a count can exceed 2^64, the quotient cannot. */
	return lo + (uint64_t)((unsigned __int128)(hi - lo) * (rank - before) / hist[s]);
}
