/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lock a futex wait is on (locks.bpf.c has the programs): a futex word
 * inside the interpreter's runtime state is the GIL's, and otherwise the
 * return addresses on the waiting thread's stack say which lock function it
 * is in (the lock_ranges the collector lists).
 */
#ifndef ATTRPROF_LOCKS_BPF_H
#define ATTRPROF_LOCKS_BPF_H

#include "attrprof.h"
#include "state.bpf.h"

/* bpf_loop's context must live on the stack: the words, the table, the best range so far. */
struct scan_ctx {
	struct scan *sc;
	struct lock_table *t;
	__u32 kind, prio;
};

/* The range of object o holding file address v, found by halving its ranges, or NULL. */
static __always_inline struct lock_range *range_of(struct lock_table *t,
						   const struct lock_object *o, __u64 v)
{
	__u32 lo = o->first, hi = o->first + o->n;

	if (hi > LOCK_RANGES)
		hi = LOCK_RANGES;
	/* log2(LOCK_RANGES) + 1 halvings reach one entry */
	for (int step = 0; step < 6 && lo < hi; step++) {
		__u32 mid = (lo + hi) / 2;
		struct lock_range *r = &t->v[mid & (LOCK_RANGES - 1)];

		if (v < r->start)
			hi = mid;
		else if (v >= r->end)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/*
 * Step i looks up word i / LOCK_OBJECTS in object i % LOCK_OBJECTS, and
 * takes its range if better than found so far. One object a step keeps the
 * verifier's paths few.
 */
static long scan_word(__u32 i, void *arg)
{
	struct scan_ctx *ctx = arg;
	__u32 o = i % LOCK_OBJECTS;
	const struct lock_object *obj = &ctx->t->objs[o];
	struct lock_range *r;
	__u64 v;

	if (o >= ctx->t->nobjs || !(lock_biases & (1U << o)))
		return 0;
	v = ctx->sc->words[(i / LOCK_OBJECTS) & (LOCK_SCAN_WORDS - 1)] - lock_bias[o];
	if (v < obj->lo || v >= obj->hi)
		return 0;
	r = range_of(ctx->t, obj, v);
	if (r && r->prio > ctx->prio) {
		ctx->prio = r->prio;
		ctx->kind = r->kind;
	}
	return 0;
}

/* The lock kind of a wait on uaddr by the current thread, its stack pointer at sp. */
__noinline __u32 wait_kind_of(__u64 uaddr, __u64 sp)
{
	struct scan_ctx ctx = {.kind = LOCK_FUTEX};
	__u32 zero = 0, robj;
	__u64 v;

	ctx.t = bpf_map_lookup_elem(&lock_ranges, &zero);
	if (!ctx.t)
		return LOCK_FUTEX;
	robj = ctx.t->runtime_obj & (LOCK_OBJECTS - 1);
	v = uaddr - lock_bias[robj];
	if ((lock_biases & (1U << robj)) && v >= ctx.t->runtime_lo && v < ctx.t->runtime_hi)
		return LOCK_GIL;
	ctx.sc = bpf_map_lookup_elem(&scans, &zero);
	if (!ctx.sc || !lock_biases ||
	    bpf_probe_read_user(ctx.sc->words, sizeof(ctx.sc->words), (const void *)sp))
		return LOCK_FUTEX;
	bpf_loop(LOCK_SCAN_WORDS * LOCK_OBJECTS, scan_word, &ctx, 0);
	return ctx.kind;
}

#endif /* ATTRPROF_LOCKS_BPF_H */
