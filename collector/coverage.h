/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a profile could see: per kind of attribute access and for lock waits,
 * whether it was observed exactly, partly or not at all on this target, and why.
 * CPython 3.11+ specializes some attribute loads into bytecode that calls
 * no C function a probe could see (docs/cpython-layout.md §8).
 */
#ifndef ATTRPROF_COVERAGE_H
#define ATTRPROF_COVERAGE_H

#include <stdbool.h>
#include "lock_ranges.h"
#include "profile.h"
#include "python.h"

/*
 * Adds p's coverage entries for interpreter py. frame_evaluator: the
 * interpreter ran with a frame evaluator (its perf trampoline), which keeps
 * property and __getattribute__ loads unspecialized on 3.12+. windows:
 * __set__ and __delete__ were timed in windows (session.c). getsets: C
 * getset descriptors were probed (--getsets).
 * Returns 0 or -ENOMEM.
 */
int coverage__python(struct profile *p, const struct python *py, bool frame_evaluator, bool windows,
		     bool getsets);

struct attrprof_bpf;

/*
 * Adds the lock wait entries: how waits were seen and told apart, given the
 * session's lock codes (NULL: lock waits were not timed) and the probes
 * that placed them. Returns 0 or -ENOMEM.
 */
int coverage__locks(struct profile *p, const struct lock_codes *lc,
		    const struct attrprof_bpf *skel);

#endif /* ATTRPROF_COVERAGE_H */
