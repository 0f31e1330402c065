/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Drains the probes' per-CPU maps into plain structs and the profile. */
#ifndef ATTRPROF_SNAPSHOT_H
#define ATTRPROF_SNAPSHOT_H

#include <stdint.h>
#include <linux/types.h>
#include "attrprof.h"
#include "profile.h"
#include "sites.h"

struct attrprof_bpf;

/* Sums attribute attr's per-CPU stats into *sum. Returns 0 or a negative errno. */
int snapshot__attr_stats(struct attrprof_bpf *skel, uint32_t attr, struct attr_stats *sum);

/* Zeroes attribute attr's stats on every CPU. Returns 0 or a negative errno. */
int snapshot__reset_attr(struct attrprof_bpf *skel, uint32_t attr);

/* Zeroes the probe hit counters (the calibration's hits are not the target's). 0 or -errno. */
int snapshot__reset_traps(struct attrprof_bpf *skel);

/* The probe hits so far, by enum trap_kind, into out. Returns 0 or a negative errno. */
int snapshot__traps(struct attrprof_bpf *skel, uint64_t out[TRAP_KINDS]);

/*
 * Adds one prof_attr per access site (those never called too, with count 0)
 * and, when first_py_attr is not 0, one per Python attribute the probes
 * named from first_py_attr on, with the instances per class; and fills p's
 * lock waits, probe hits (p->overhead.traps) and drop counters from the
 * maps. Returns 0 or a negative errno.
 */
int snapshot__collect(struct attrprof_bpf *skel, const struct probe_set *sites,
		      uint32_t first_py_attr, struct profile *p);

#endif /* ATTRPROF_SNAPSHOT_H */
