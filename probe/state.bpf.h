/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State the probes share: settings the collector writes, the bounded maps,
 * and the per-thread stack of active accesses, with the helpers around them.
 */
#ifndef ATTRPROF_STATE_BPF_H
#define ATTRPROF_STATE_BPF_H

#include "attrprof.h"

/*
 * Set by the collector through the mmapped .bss; 0 means "nobody". The
 * exec tracepoint clears it when the target execs mid-trace: the new
 * program's addresses mean nothing to the state gathered so far.
 */
__u32 target_tgid;
/* --follow-forks: children of traced processes are traced too, listed in `followed`. */
const volatile bool follow_forks;
/* 1 while the session runs: followed processes count only then. */
__u32 following;
/*
 * Calibrated probe costs, by probe class (COOKIE_SSTEP): the probe time
 * that lands inside a frame's own measurement, and the wall time one entry
 * or return hit adds to an enclosing frame.
 */
__u64 frame_cost_ns[PROBE_CLASSES];
__u64 entry_cost_ns[PROBE_CLASSES];
__u64 return_cost_ns;

const struct lock_stats zero_lock_stats = {};

/* A frame flag beside the cookie flags: an access that counts nowhere (KIND_IGNORED). */
#define FRAME_IGNORED (1U << 16)

struct frame {
	__u32 attr;
	__u32 flags;
	__u64 start_ns;
	__u64 sp;		      /* user stack pointer at entry: pairs returns with entries */
	__u64 probe_ns;		      /* the thread's probe_ns after this frame's entry */
	__u64 off_cpu_ns;	      /* the thread's off_cpu_ns - waited_ns at entry */
	struct inflight_key inflight; /* a Python get in flight on this instance, else zero */
};

/*
 * Fully associative, replaced round-robin: a thread that touches more than
 * RECENT_SLOTS attributes between two reads forgets, it never invents a repeat.
 */
#define RECENT_SLOTS 16

struct last_touch {
	__u64 ident; /* attribute identity (struct py_key.ident) */
	__u64 obj;
	__u64 was_get;
};

struct thread_state {
	__u32 depth; /* frames on stack[] */
	__u32 lock_kind;
	__u32 wait_kind;   /* lock kind of the futex wait in progress */
	__u32 in_take_gil; /* inside CPython's take_gil: its futex waits are GIL waits */
	__u64 probe_ns;	   /* wall time probe hits cost this thread so far */
	__u64 lock_addr;   /* lock last asked for by this thread */
	__u64 wait_start;
	__u64 wait_lock;    /* the lock of the futex wait in progress */
	__u64 switched_out; /* when the thread last left the CPU inside an access, else 0 */
	__u64 off_cpu_ns;   /* off-CPU time inside accesses so far */
	__u64 waited_ns;    /* lock waits so far, taken out of off-CPU time */
	struct frame stack[MAX_STACK_DEPTH];
	/* The instance this thread last touched each Python attribute on: repeat reads. */
	struct last_touch recent[RECENT_SLOTS];
	__u32 recent_next; /* the slot a new attribute takes */
	__u32 pad2;
	__u64 seen[MAX_ATTRS / 64]; /* attributes this thread has called */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_ATTRS); /* resized by the collector */
	__type(key, __u32);
	__type(value, struct attr_stats);
} stats SEC(".maps");

/* Not preallocated: most (attribute, lock kind) pairs never wait, and zeroing
 * thousands of per-CPU histograms up front dominated attach time. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
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

/* Processes traced besides the target, by tgid (--follow-forks only). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_FOLLOWED);
	__type(key, __u32);
	__type(value, __u32);
} followed SEC(".maps");

static __always_inline bool is_followed(__u32 tgid)
{
	return following && bpf_map_lookup_elem(&followed, &tgid);
}

/*
 * The per-hit filter: whether a process is traced. tgid 0 (the idle task,
 * or target_tgid after the target exec'd) never is. Without --follow-forks
 * (a constant the verifier prunes on) it stays two compares; only children
 * pay for the map lookup.
 */
static __always_inline bool is_target_tgid(__u32 tgid)
{
	if (tgid && tgid == target_tgid)
		return true;
	return follow_forks && tgid && is_followed(tgid);
}

static __always_inline bool is_target(void)
{
	return is_target_tgid(bpf_get_current_pid_tgid() >> 32);
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

/*
 * Pushes a frame for an access of attr (its call already counted), sp being
 * the stack pointer at the probe. Frames past MAX_STACK_DEPTH are counted as
 * dropped: their return finds no frame. Returns the frame or NULL.
 */
static __always_inline struct frame *push_frame(__u64 sp, struct thread_state *ts, __u32 attr,
						__u64 cookie)
{
	struct frame *f;
	__u32 depth;

	ts->probe_ns += entry_cost_ns[probe_class(cookie)];
	depth = ts->depth;
	if (depth >= MAX_STACK_DEPTH) {
		drop(DROP_STACK_DEPTH);
		return NULL;
	}
	f = &ts->stack[depth & (MAX_STACK_DEPTH - 1)];
	f->attr = attr;
	f->flags = cookie >> COOKIE_FLAGS_SHIFT;
	f->sp = sp +
		((cookie >> (COOKIE_FLAGS_SHIFT + COOKIE_SP_ADJUST_SHIFT)) & COOKIE_SP_ADJUST_MASK);
	f->probe_ns = ts->probe_ns;
	f->off_cpu_ns = ts->off_cpu_ns - ts->waited_ns;
	f->inflight = (struct inflight_key){};
	ts->depth = depth + 1;
	f->start_ns = bpf_ktime_get_ns();
	return f;
}

/* Gets of one attribute on one instance in flight, across threads (an LRU: idle ones age out). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct inflight_key);
	__type(value, __u64);
} inflight SEC(".maps");

#endif /* ATTRPROF_STATE_BPF_H */
