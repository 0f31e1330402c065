/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The code that tells a futex wait's lock kind: the lock functions of libc
 * and of the CPython interpreter, and where CPython's runtime state lies
 * (its GIL). The probes see absolute addresses, so these are found in the
 * files first (lock_ranges__find) and placed in the target once its maps
 * hold them (lock_ranges__place): at attach, or right after record's exec,
 * while the dynamic loader maps the libraries.
 */
#ifndef ATTRPROF_LOCK_RANGES_H
#define ATTRPROF_LOCK_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "attrprof.h"
#include "python.h"
#include "target.h"

struct attrprof_bpf;

/* One range as the file links it; placed at vaddr + the object's load bias. */
struct lock_code {
	const char *host_path; /* borrowed from the target_objects */
	uint64_t vaddr, size;
	uint32_t kind, prio; /* as struct lock_range */
};

struct lock_codes {
	struct lock_code v[LOCK_RANGES];
	size_t n;
	struct lock_code runtime; /* CPython's _PyRuntime; size 0 when none */
	bool placed;		  /* the probes have the absolute ranges */
};

/*
 * Finds the lock functions in objs and, for a CPython target (py not NULL),
 * its lock acquire, take_gil and _PyRuntime. Finding none is not an error:
 * the waits are then told as "futex". Returns 0 or a negative errno.
 */
int lock_ranges__find(struct lock_codes *lc, const struct target_objects *objs,
		      const struct python *py);

/*
 * Gives the probes the absolute ranges, read through pid's /proc maps.
 * Returns 0 (lc->placed set), -EAGAIN while a file holding a range is not
 * mapped yet, or another negative errno.
 */
int lock_ranges__place(struct lock_codes *lc, pid_t pid, struct attrprof_bpf *skel);

#endif /* ATTRPROF_LOCK_RANGES_H */
