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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_table);
} lock_ranges SEC(".maps");

/*
 * Written by the collector once the target's code is mapped: where CPython's
 * _PyRuntime lies (0, 0 when it has none). Until then lock_ranges is empty
 * and waits are told by address only.
 */
__u64 runtime_start, runtime_end;

/* The stack words of one wait being classified: too big for the BPF stack. */
struct scan {
	__u64 words[LOCK_SCAN_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scan);
} scans SEC(".maps");

/* bpf_loop's context must live on the stack: the words, the table, the best range so far. */
struct scan_ctx {
	struct scan *sc;
	struct lock_table *t;
	__u32 kind, prio;
};

/* The range holding w, found by halving the sorted table, or NULL. */
static __always_inline struct lock_range *range_of(struct lock_table *t, __u64 w)
{
	__u32 lo = 0, hi = t->n < LOCK_RANGES ? t->n : LOCK_RANGES;

	/* log2(LOCK_RANGES) + 1 halvings reach one entry */
	for (int step = 0; step < 6 && lo < hi; step++) {
		__u32 mid = (lo + hi) / 2;
		struct lock_range *r = &t->v[mid & (LOCK_RANGES - 1)];

		if (w < r->start)
			hi = mid;
		else if (w >= r->end)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* Takes word i's range, if it has a better one than found so far. */
static long scan_word(__u32 i, void *arg)
{
	struct scan_ctx *ctx = arg;
	struct lock_range *r = range_of(ctx->t, ctx->sc->words[i & (LOCK_SCAN_WORDS - 1)]);

	if (r && r->prio > ctx->prio) {
		ctx->prio = r->prio;
		ctx->kind = r->kind;
	}
	return 0;
}

/* The lock kind of a wait on uaddr by the current thread, its stack pointer at sp. */
static __always_inline __u32 wait_kind_of(__u64 uaddr, __u64 sp)
{
	struct scan_ctx ctx = {.kind = LOCK_FUTEX};
	__u32 zero = 0;

	if (uaddr >= runtime_start && uaddr < runtime_end)
		return LOCK_GIL;
	ctx.sc = bpf_map_lookup_elem(&scans, &zero);
	ctx.t = bpf_map_lookup_elem(&lock_ranges, &zero);
	if (!ctx.sc || !ctx.t || !ctx.t->n)
		return LOCK_FUTEX;
	if (bpf_probe_read_user(ctx.sc->words, sizeof(ctx.sc->words), (const void *)sp))
		return LOCK_FUTEX;
	bpf_loop(LOCK_SCAN_WORDS, scan_word, &ctx, 0);
	return ctx.kind;
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
	struct lock_stats *l;

	l = bpf_map_lookup_elem(&lock_waits, &key);
	if (l)
		return l;
	bpf_map_update_elem(&lock_waits, &key, &zero_lock_stats, BPF_NOEXIST);
	l = bpf_map_lookup_elem(&lock_waits, &key);
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
