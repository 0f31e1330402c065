/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Probe sites: which instruction of which file gets which probe and cookie. */
#ifndef ATTRPROF_SITES_H
#define ATTRPROF_SITES_H

#include <stdbool.h>
#include <stdint.h>
#include "target.h"

enum site_kind {
	SITE_ACCESS, /* an accessor: entry (and return when timed), cookie = attribute id */
	SITE_LOCK,   /* a lock function: entry only, cookie = enum lock_kind */
	SITE_PY,     /* a CPython descriptor function: entry (and return), cookie = enum py_func */
	SITE_PY_ALLOC, /* PyType_GenericAlloc: entry only */
	SITE_GIL,      /* CPython's take_gil: entry and return */
};

struct probe_site {
	enum site_kind kind;
	char *owner;	       /* basename of the object that defines the symbol */
	char *name;	       /* the symbol */
	const char *host_path; /* borrowed from the target_objects it came from */
	uint64_t offset;       /* file offset of the probed instruction */
	uint64_t ret_offset;   /* where its return probe goes: the function's first instruction */
	uint64_t cookie;       /* COOKIE_SSTEP set when the kernel single-steps it */
};

struct probe_set {
	struct probe_site *v;
	size_t n;
	size_t naccess;	     /* of which SITE_ACCESS */
	uint64_t over_limit; /* matching functions left out by max_attrs */
	uint64_t refused;    /* matching functions whose first instruction uprobes refuse */
};

/*
 * Adds a SITE_ACCESS per function matching any glob in any object, attribute
 * ids from ATTR_FIRST_USER up, at most max_attrs of them (the rest counted
 * in over_limit). Functions that start with an instruction uprobes refuse
 * are left out with a warning on stderr and counted in refused: the kernel
 * would accept the probe and silently never install it.
 * Each glob must match something: otherwise returns -ENOENT
 * with a message naming the glob and every object searched.
 * Returns 0 or a negative errno with a message in err.
 */
int sites__add_funcs(struct probe_set *set, const struct target_objects *objs,
		     const char *const *globs, size_t nglobs, unsigned int max_attrs, char *err,
		     size_t errlen);

/*
 * Adds a SITE_LOCK for every pthread mutex/rwlock and semaphore wait function
 * found in objs (glibc's libc.so.6, or a static executable). Finding none is
 * not an error: the program may take no locks. Returns 0 or a negative errno.
 */
int sites__add_locks(struct probe_set *set, const struct target_objects *objs, char *err,
		     size_t errlen);

struct python;

/*
 * Adds the CPython interpreter's probe sites that py found: descriptor
 * functions (SITE_PY, with the error convention of each in the cookie),
 * instance allocation, and, unless no_locks, threading.Lock acquisition
 * (SITE_LOCK, LOCK_PYTHON) and take_gil. timed: the descriptor functions
 * get return probes too. Returns 0 or -ENOMEM.
 */
int sites__add_python(struct probe_set *set, const struct python *py, bool timed, bool no_locks);

void sites__free(struct probe_set *set);

#endif /* ATTRPROF_SITES_H */
