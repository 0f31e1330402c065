/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Merging the profiles of repeated runs of one command (record --runs) into
 * one profile: totals summed so every report reads it as one recording, and
 * per attribute the per-run series the statistics of `diff` compare.
 * Pure logic on struct profile: no libbpf, testable without root.
 */
#ifndef ATTRPROF_RUNS_H
#define ATTRPROF_RUNS_H

#include <stddef.h>
#include "profile.h"

/*
 * Merges run (the index-th of total runs, counted from 0) into acc and
 * frees run. Index 0 moves run into acc (acc must be empty); later runs
 * must come from the same runtime. Counts, histograms, total and lock
 * times, signals, errors, class allocations, dropped events and durations
 * are summed; max_ns, threads and resources take the largest run; the header (pid,
 * calibration, coverage, the process section) is the first run's. Every attribute of acc gets
 * total per-run entries, zero in the runs that did not call it.
 * Returns 0, -EINVAL (index out of order, total out of range, another
 * runtime) or -ENOMEM; on failure acc must be freed by the caller.
 */
int runs__merge(struct profile *acc, struct profile *run, size_t index, size_t total);

#endif /* ATTRPROF_RUNS_H */
