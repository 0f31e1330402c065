/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Recommendations: what to do about the costly attributes of a profile,
 * each with the evidence that triggered it (the numbers and the thresholds
 * they crossed), an estimate of the time it saves and how that estimate was
 * computed, and one concrete sentence of how to do it. Rules are pure
 * functions of the profile with named thresholds; none fires on too little
 * data (each has a minimum sample count).
 */
#ifndef ATTRPROF_ADVISE_H
#define ATTRPROF_ADVISE_H

#include <stddef.h>
#include <stdint.h>
#include "profile.h"

enum advice_action {
	ADVICE_CACHE,		 /* reads far outnumber writes, each read is expensive */
	ADVICE_HOIST,		 /* one thread re-reads the same instance: use a local */
	ADVICE_COALESCE,	 /* concurrent same-instance reads, mostly off-CPU */
	ADVICE_SHARD,		 /* a large share of the time is lock wait across threads */
	ADVICE_DEFER_VALIDATION, /* an expensive, CPU-bound __set__ */
	ADVICE_SLOTS,		 /* many instances of a class carrying a __dict__ */
	ADVICE_FIX_ERRORS,	 /* accesses that raise */
	ADVICE_ACTIONS,
};

#define ADVICE_MAX_EVIDENCE 6

/* One number behind a recommendation, and the threshold it crossed. */
struct advice_evidence {
	const char *name; /* "reads per write", "lock wait share", ... */
	double value;
	double threshold;
	const char *unit; /* "", "ns", "%", "x" */
};

struct advice {
	enum advice_action action;
	size_t attr;	       /* index in p->attrs, or SIZE_MAX for a class (slots) */
	size_t cls;	       /* index in p->classes for slots, else SIZE_MAX */
	double saved_ns_per_s; /* estimated time saved per second of the target's run */
	char estimate[256];    /* how saved_ns_per_s was computed, with the numbers */
	char how_to[256];      /* one concrete sentence, in the target's language */
	struct advice_evidence evidence[ADVICE_MAX_EVIDENCE];
	size_t nevidence;
};

/*
 * Runs every rule on p. Stores a malloc'd array (caller frees) in *out,
 * ranked by saved_ns_per_s descending (ties: action, then owner and name),
 * and its length in *n. Returns 0 or -ENOMEM.
 */
int advise__profile(const struct profile *p, struct advice **out, size_t *n);

/* "cache", "hoist", "coalesce", "shard", "defer-validation", "slots", "fix-errors". */
const char *advise__action_name(enum advice_action a);

#endif /* ATTRPROF_ADVISE_H */
