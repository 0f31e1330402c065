/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Probe sites: which instruction of which file gets which probe and cookie. */
#ifndef ATTRPROF_SITES_H
#define ATTRPROF_SITES_H

#include <stdbool.h>
#include <stdint.h>
#include "target.h"

enum site_kind {
	SITE_ACCESS,	  /* an accessor: cookie = attribute id */
	SITE_PY,	  /* a CPython descriptor function: cookie = enum py_func */
	SITE_PY_ALLOC,	  /* PyType_GenericAlloc: entry only */
	SITE_LOCK_ANCHOR, /* a lock object's anchor (lock_ranges.h): entry only, cookie = its index
			   */
};

struct probe_site {
	enum site_kind kind;
	char *owner;	       /* basename of the object that defines the symbol */
	char *name;	       /* the symbol */
	const char *host_path; /* borrowed from the target_objects it came from */
	uint64_t offset;       /* file offset of the probed instruction */
	uint64_t cookie;       /* COOKIE_SSTEP set when the kernel single-steps it */
	/*
	 * Timed: its calls may get a return probe, at offset too, where (%rsp)
	 * is still the return address. Else entry only (count-only mode, or an
	 * entry moved past a prologue that moved %rsp).
	 */
	bool timed;
	/*
	 * A timing window's site (COOKIE_WINDOW): attached now and then only,
	 * on the first instruction of a function an untimed site counts.
	 */
	bool window;
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
 * in over_limit), timed or not. Functions that start with an instruction uprobes refuse
 * are left out with a warning on stderr and counted in refused: the kernel
 * would accept the probe and silently never install it.
 * Each glob must match something: otherwise returns -ENOENT
 * with a message naming the glob and every object searched.
 * Returns 0 or a negative errno with a message in err.
 */
int sites__add_funcs(struct probe_set *set, const struct target_objects *objs,
		     const char *const *globs, size_t nglobs, unsigned int max_attrs, bool timed,
		     char *err, size_t errlen);

struct python;
struct elf_func;

/*
 * Adds a site of kind at fn (its offset and first bytes) in obj, with cookie,
 * the probe class of its first instruction added to it. Returns 0 or -ENOMEM.
 */
int sites__add(struct probe_set *set, enum site_kind kind, const struct target_object *obj,
	       const struct elf_func *fn, uint64_t cookie, bool timed);

/*
 * Adds the CPython interpreter's probe sites that py found: descriptor
 * functions (SITE_PY, with the error convention of each in the cookie) and
 * instance allocation. timed: the descriptor functions may get return probes
 * too; one whose counting probe sits past a prologue that moved %rsp gets a
 * window site on its first instruction for that. getsets: C getset
 * descriptors too (getset_get/_set). Returns 0 or -ENOMEM.
 */
int sites__add_python(struct probe_set *set, const struct python *py, bool timed, bool getsets);

void sites__free(struct probe_set *set);

#endif /* ATTRPROF_SITES_H */
