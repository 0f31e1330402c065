/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock waits, from the blocking path only: the futex syscall's tracepoints
 * see every wait a traced thread blocks in, whatever lock API made it, and
 * a lock taken without blocking never reaches them. What the lock was is
 * told from the waiting thread itself: a futex word inside the interpreter's
 * runtime state is the GIL's, and otherwise the return addresses on its
 * stack say which lock function it is in (the lock_ranges the collector
 * lists). The futex word's address names the lock.
 */
#ifndef ATTRPROF_LOCKS_BPF_H
#define ATTRPROF_LOCKS_BPF_H

#include "attrprof.h"
#include "state.bpf.h"

/* Futex operations that block (include/uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_LOCK_PI2 13
#define FUTEX_CMD_MASK 0x7f

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

/*
 * A lock object's anchor: a function the target runs once, before its own
 * code (libc's __libc_start_main), its probe cookie the object's index.
 * Where it runs tells where the object was loaded.
 */
SEC("uprobe")
int lock_anchor(struct pt_regs *ctx)
{
	__u32 o = bpf_get_attach_cookie(ctx) & (LOCK_OBJECTS - 1), zero = 0;
	struct lock_table *t;

	if (!is_target())
		return 0;
	count_trap(TRAP_ENTRY_EMULATED);
	t = bpf_map_lookup_elem(&lock_ranges, &zero);
	if (!t || !t->objs[o].anchor || (lock_biases & (1U << o)))
		return 0;
	lock_bias[o] = PT_REGS_IP(ctx) - t->objs[o].anchor;
	__sync_fetch_and_or(&lock_biases, 1U << o);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_futex")
int futex_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 uaddr = ctx->args[0];
	int cmd = ctx->args[1] & FUTEX_CMD_MASK;
	struct thread_state *ts;
	__u64 sp;

	if (!is_target())
		return 0;
	if (cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI &&
	    cmd != FUTEX_LOCK_PI2)
		return 0;
	ts = thread_state(true);
	if (!ts)
		return 0;
	sp = user_sp();
	ts->wait_kind = wait_kind_of(uaddr, sp);
	ts->wait_lock = ts->wait_kind == LOCK_GIL ? 0 : uaddr;
	ts->wait_attr = innermost_live(ts, sp);
	ts->wait_start = bpf_ktime_get_ns();
	return 0;
}

static __always_inline struct lock_stats *lock_stats_of(__u32 attr, __u32 kind, __u64 lock)
{
	struct lock_key key = {.attr = attr, .kind = kind, .lock = lock};
	struct lock_stats *l = map_lookup_or_init(&lock_waits, &key, &zero_lock_stats);

	if (!l)
		drop(DROP_LOCK_LIMIT);
	return l;
}

SEC("tracepoint/syscalls/sys_exit_futex")
int futex_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct thread_state *ts;
	struct lock_stats *l;
	__u64 wait;

	if (!is_target())
		return 0;
	ts = thread_state(false);
	if (!ts || !ts->wait_start)
		return 0;
	wait = bpf_ktime_get_ns() - ts->wait_start;
	ts->wait_start = 0;
	l = lock_stats_of(ts->wait_attr, ts->wait_kind, ts->wait_lock);
	if (!l)
		return 0;
	__sync_fetch_and_add(&l->count, 1);
	__sync_fetch_and_add(&l->total_ns, wait);
	update_max(&l->max_ns, wait);
	__sync_fetch_and_add(&l->hist[hist_slot(wait)], 1);
	return 0;
}

#endif /* ATTRPROF_LOCKS_BPF_H */
