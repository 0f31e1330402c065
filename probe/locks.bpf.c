// SPDX-License-Identifier: GPL-2.0
/*
 * Lock waits, from the blocking path only: the futex syscall's tracepoints
 * see every wait a traced thread blocks in, whatever lock API made it, and
 * a lock taken without blocking never reaches them. What the lock was is
 * told from the waiting thread itself (wait_kind_of, locks.bpf.h). The
 * futex word's address names the lock. Part of attrprof.bpf.c's object,
 * which includes this file.
 */
#include "attrprof.h"
#include "hist.bpf.h"
#include "maps.bpf.h"
#include "state.bpf.h"
#include "locks.bpf.h"

/* Futex operations that block (include/uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_LOCK_PI2 13
#define FUTEX_CMD_MASK 0x7f

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
