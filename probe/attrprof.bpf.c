// SPDX-License-Identifier: GPL-2.0
/*
 * attrprof probes. One entry/return program pair serves every probed
 * accessor: the attribute id travels as the attach cookie (libbpf 1.1 has
 * no uprobe_multi). Everything is aggregated here, in bounded per-CPU maps;
 * nothing is sent per event.
 *
 * Lock waits: an entry-only probe on each lock function remembers which lock
 * the thread asked for; the futex syscall tracepoints then time the waits on
 * that lock's futex words, i.e. only acquisitions that blocked, and charge
 * them to the innermost access active on the thread. One trap per lock call
 * instead of an entry/return pair, and an uncontended lock adds no wait.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "attrprof.h"
#include "hist.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Futex operations that block (include/uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_LOCK_PI2 13
#define FUTEX_CMD_MASK 0x7f
/* Futex words of pthread mutexes, rwlocks and semaphores lie in their first 64 bytes. */
#define LOCK_SPAN 64

/* Set by the collector through the mmapped .bss; 0 means "nobody". */
__u32 target_tgid;
/*
 * Calibrated probe costs, by probe class (COOKIE_SSTEP): the probe time
 * that lands inside a frame's own measurement, and the wall time one entry
 * or return hit adds to an enclosing frame.
 */
__u64 frame_cost_ns[PROBE_CLASSES];
__u64 entry_cost_ns[PROBE_CLASSES];
__u64 return_cost_ns;

const struct lock_stats zero_lock_stats = {};

struct frame {
	__u32 attr;
	__u32 flags;
	__u64 start_ns;
	__u64 sp;	/* user stack pointer at entry: pairs returns with entries */
	__u64 probe_ns; /* the thread's probe_ns after this frame's entry */
};

struct thread_state {
	__u32 depth; /* frames on stack[] */
	__u32 lock_kind;
	__u64 probe_ns;	 /* wall time probe hits cost this thread so far */
	__u64 lock_addr; /* lock last asked for by this thread */
	__u64 wait_start;
	struct frame stack[MAX_STACK_DEPTH];
	__u64 seen[MAX_ATTRS / 64]; /* attributes this thread has called */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_ATTRS); /* resized by the collector */
	__type(key, __u32);
	__type(value, struct attr_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024); /* resized by the collector */
	__type(key, struct lock_key);
	__type(value, struct lock_stats);
} lock_waits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} threads SEC(".maps");

static __always_inline __u32 probe_class(__u64 cookie)
{
	return (cookie >> COOKIE_FLAGS_SHIFT) & COOKIE_SSTEP ? 1 : 0;
}

static __always_inline bool is_target(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static __always_inline void drop(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &reason);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline struct thread_state *thread_state(bool create)
{
	struct thread_state *ts;

	ts = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), NULL,
				  create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (!ts && create)
		drop(DROP_MAP_FULL);
	return ts;
}

/* Never loses a concurrent update: a preempted program may share this CPU's value. */
static __always_inline void update_max(__u64 *max, __u64 v)
{
	__u64 old = *max;

	for (int i = 0; i < 4 && v > old; i++) {
		__u64 seen = __sync_val_compare_and_swap(max, old, v);

		if (seen == old)
			break;
		old = seen;
	}
}

/* Counts the call and, on a thread's first call of attr, the thread. */
static __always_inline struct attr_stats *count_call(struct thread_state *ts, __u32 attr)
{
	struct attr_stats *s = bpf_map_lookup_elem(&stats, &attr);
	__u32 word = (attr / 64) & (MAX_ATTRS / 64 - 1);
	__u64 bit = 1ULL << (attr % 64);

	if (!s)
		return NULL;
	__sync_fetch_and_add(&s->calls, 1);
	if (!(ts->seen[word] & bit)) {
		ts->seen[word] |= bit;
		__sync_fetch_and_add(&s->threads, 1);
	}
	return s;
}

/* Entry of an accessor, count-only mode: one trap per call, no latency. */
SEC("uprobe")
int access_count(struct pt_regs *ctx)
{
	struct thread_state *ts;

	if (!is_target())
		return 0;
	ts = thread_state(true);
	if (ts)
		count_call(ts, bpf_get_attach_cookie(ctx) & COOKIE_ATTR_MASK);
	return 0;
}

/* Entry of an accessor, timed mode: count it and push a frame. */
SEC("uprobe")
int access_enter(struct pt_regs *ctx)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	struct thread_state *ts;
	struct frame *f;
	__u32 depth;

	if (!is_target())
		return 0;
	ts = thread_state(true);
	if (!ts)
		return 0;
	count_call(ts, cookie & COOKIE_ATTR_MASK);
	ts->probe_ns += entry_cost_ns[probe_class(cookie)];
	depth = ts->depth;
	if (depth >= MAX_STACK_DEPTH) {
		/* Counted above; its return finds no frame and is ignored. */
		drop(DROP_STACK_DEPTH);
		return 0;
	}
	f = &ts->stack[depth & (MAX_STACK_DEPTH - 1)];
	f->attr = cookie & COOKIE_ATTR_MASK;
	f->flags = cookie >> COOKIE_FLAGS_SHIFT;
	f->sp = PT_REGS_SP(ctx);
	f->probe_ns = ts->probe_ns;
	ts->depth = depth + 1;
	f->start_ns = bpf_ktime_get_ns();
	return 0;
}

static __always_inline bool returned_error(struct pt_regs *ctx, __u32 flags)
{
	long rc = PT_REGS_RC(ctx);

	return ((flags & COOKIE_ERR_ZERO) && rc == 0) || ((flags & COOKIE_ERR_NEGATIVE) && rc < 0);
}

/*
 * Return of an accessor. The frame is found by stack pointer, not by
 * position: frames deeper than the returning one were left by longjmp or
 * similar and are discarded; a returning frame deeper than the top one was
 * never pushed (stack full) and is ignored.
 */
SEC("uretprobe")
int access_return(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	/* ret popped the return address the entry saw at sp */
	__u64 entry_sp = PT_REGS_SP(ctx) - 8;
	struct thread_state *ts;
	struct attr_stats *s;
	struct frame *f = NULL;
	__u64 dur, cost;
	__u32 depth;

	if (!is_target())
		return 0;
	ts = thread_state(false);
	if (!ts)
		return 0;
	for (int i = 0; i < MAX_STACK_DEPTH; i++) {
		depth = ts->depth;
		if (depth == 0) {
			drop(DROP_UNMATCHED_RET);
			return 0;
		}
		f = &ts->stack[(depth - 1) & (MAX_STACK_DEPTH - 1)];
		if (f->sp == entry_sp)
			break;
		if (f->sp > entry_sp)
			return 0;
		ts->depth = depth - 1;
		drop(DROP_UNMATCHED_RET);
		f = NULL;
	}
	if (!f)
		return 0;
	ts->depth = depth - 1;

	s = bpf_map_lookup_elem(&stats, &f->attr);
	if (!s)
		return 0;
	if (returned_error(ctx, f->flags))
		__sync_fetch_and_add(&s->errors, 1);
	dur = now - f->start_ns;
	cost = frame_cost_ns[(f->flags & COOKIE_SSTEP) ? 1 : 0] + ts->probe_ns - f->probe_ns;
	dur = dur > cost ? dur - cost : 0;
	ts->probe_ns += return_cost_ns;
	__sync_fetch_and_add(&s->timed, 1);
	__sync_fetch_and_add(&s->total_ns, dur);
	update_max(&s->max_ns, dur);
	__sync_fetch_and_add(&s->hist[hist_slot(dur)], 1);
	return 0;
}

/* Entry of a lock function; the cookie is the enum lock_kind. */
SEC("uprobe")
int lock_enter(struct pt_regs *ctx)
{
	struct thread_state *ts;
	__u64 cookie;

	if (!is_target())
		return 0;
	ts = thread_state(true);
	if (!ts)
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	ts->probe_ns += entry_cost_ns[probe_class(cookie)];
	ts->lock_addr = PT_REGS_PARM1(ctx);
	ts->lock_kind = cookie & COOKIE_ATTR_MASK;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_futex")
int futex_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 uaddr = ctx->args[0];
	int cmd = ctx->args[1] & FUTEX_CMD_MASK;
	struct thread_state *ts;

	if (!is_target())
		return 0;
	if (cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI &&
	    cmd != FUTEX_LOCK_PI2)
		return 0;
	ts = thread_state(false);
	if (!ts || !ts->lock_addr || uaddr - ts->lock_addr >= LOCK_SPAN)
		return 0;
	ts->wait_start = bpf_ktime_get_ns();
	return 0;
}

static __always_inline struct lock_stats *lock_stats_of(__u32 attr, __u32 kind)
{
	struct lock_key key = {.attr = attr, .kind = kind};
	struct lock_stats *l;

	l = bpf_map_lookup_elem(&lock_waits, &key);
	if (l)
		return l;
	bpf_map_update_elem(&lock_waits, &key, &zero_lock_stats, BPF_NOEXIST);
	l = bpf_map_lookup_elem(&lock_waits, &key);
	if (!l)
		drop(DROP_MAP_FULL);
	return l;
}

SEC("tracepoint/syscalls/sys_exit_futex")
int futex_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct thread_state *ts;
	struct lock_stats *l;
	__u32 attr = ATTR_UNATTRIBUTED;
	__u64 wait;

	if (!is_target())
		return 0;
	ts = thread_state(false);
	if (!ts || !ts->wait_start)
		return 0;
	wait = bpf_ktime_get_ns() - ts->wait_start;
	ts->wait_start = 0;
	if (ts->depth > 0)
		attr = ts->stack[(ts->depth - 1) & (MAX_STACK_DEPTH - 1)].attr;
	l = lock_stats_of(attr, ts->lock_kind);
	if (!l)
		return 0;
	__sync_fetch_and_add(&l->count, 1);
	__sync_fetch_and_add(&l->total_ns, wait);
	update_max(&l->max_ns, wait);
	__sync_fetch_and_add(&l->hist[hist_slot(wait)], 1);
	return 0;
}
