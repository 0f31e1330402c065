/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The code that tells a futex wait's lock kind: the lock functions of libc
 * and of the CPython interpreter, and where CPython's runtime state lies
 * (its GIL), as file addresses of up to LOCK_OBJECTS objects. The probes
 * place each object by its load bias, which the collector reads from a
 * running target's maps, or which an anchor probe learns as a launched
 * command starts, before any code of its own runs.
 */
#ifndef ATTRPROF_LOCK_RANGES_H
#define ATTRPROF_LOCK_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "attrprof.h"
#include "elfread.h"
#include "python.h"
#include "sites.h"
#include "target.h"

struct attrprof_bpf;

/* One object holding lock ranges. */
struct lock_obj {
	const struct target_object *obj; /* borrowed from the target_objects */
	bool fixed;			 /* ET_EXEC: loaded at its file addresses */
	struct elf_func anchor;		 /* name NULL when it has none */
	uint64_t anchor_vaddr;		 /* where the anchor probe sits */
};

struct lock_codes {
	struct lock_table table; /* what the probes get */
	struct lock_obj objs[LOCK_OBJECTS];
};

/*
 * Finds the lock functions in objs and, for a CPython target (py not NULL),
 * its lock acquire, take_gil and _PyRuntime. Finding none is not an error:
 * the waits are then told as "futex". Returns 0 or a negative errno.
 */
int lock_ranges__find(struct lock_codes *lc, const struct target_objects *objs,
		      const struct python *py);

/* Frees what lock_ranges__find allocated. */
void lock_ranges__free(struct lock_codes *lc);

/* Adds a SITE_LOCK_ANCHOR per object that has an anchor. Returns 0 or -ENOMEM. */
int lock_ranges__add_anchors(const struct lock_codes *lc, struct probe_set *set);

/*
 * Between load and attach: gives the probes the table, and the biases of
 * fixed-address objects. Returns 0 or a negative errno.
 */
int lock_ranges__load(const struct lock_codes *lc, struct attrprof_bpf *skel);

/*
 * Gives the probes the load biases of the objects pid maps now (a running
 * target: its anchors ran long ago). Returns 0 or a negative errno.
 */
int lock_ranges__place(const struct lock_codes *lc, pid_t pid, struct attrprof_bpf *skel);

/* How many objects have ranges, and how many of them the probes have placed. */
void lock_ranges__placed(const struct lock_codes *lc, const struct attrprof_bpf *skel,
			 unsigned int *objects, unsigned int *placed);

#endif /* ATTRPROF_LOCK_RANGES_H */
