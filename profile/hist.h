/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Log-linear latency histograms (layout in probe/attrprof.h): slot maths
 * and percentiles. The BPF side fills slots with the same mapping
 * (probe/hist.bpf.h); tests/unit/test_hist.c holds both to it.
 */
#ifndef ATTRPROF_HIST_H
#define ATTRPROF_HIST_H

#include <stdint.h>
#include <linux/types.h>
#include "attrprof.h"

/* Slot of a value in ns; values past the last slot clamp to it. */
unsigned int hist__slot(uint64_t ns);

/* Smallest value that maps to slot (slot < HIST_SLOTS). */
uint64_t hist__lower(unsigned int slot);

/* Smallest value of the next slot; UINT64_MAX for the last slot. */
uint64_t hist__upper(unsigned int slot);

/* Sum of all slots. */
uint64_t hist__count(const uint64_t hist[HIST_SLOTS]);

/*
 * The p-th percentile (0 < p <= 100) in ns: the value at which the rank
 * falls, interpolated linearly inside its slot, never above max_ns when
 * max_ns is non-zero. Returns 0 for an empty histogram.
 */
uint64_t hist__percentile(const uint64_t hist[HIST_SLOTS], double p, uint64_t max_ns);

/*
 * The rank-th smallest value (1-based; clamped to 1 .. count) in ns,
 * interpolated as hist__percentile does. Returns 0 for an empty histogram.
 */
uint64_t hist__at_rank(const uint64_t hist[HIST_SLOTS], uint64_t rank, uint64_t max_ns);

#endif /* ATTRPROF_HIST_H */
