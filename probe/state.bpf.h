/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers around the state the probes share: the per-hit target filter, the
 * drop and trap counters, and each thread's stack of accesses in progress
 * (thread.bpf.h). The maps and settings they use are declared at the top of
 * attrprof.bpf.c.
 */
#ifndef ATTRPROF_STATE_BPF_H
#define ATTRPROF_STATE_BPF_H

#include "attrprof.h"
#include "thread.bpf.h"

static __always_inline __u32 probe_class(__u64 cookie)
{
	return PROBE_CLASS_OF(cookie);
}

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

static __always_inline void count_trap(__u32 kind)
{
	__u64 *n = bpf_map_lookup_elem(&traps, &kind);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* An entry hit: counted as a trap of its class, its cost charged to enclosing frames. */
static __always_inline void entry_hit(struct thread_state *ts, __u64 cookie)
{
	__u32 class = probe_class(cookie);

	count_trap(class ? TRAP_ENTRY_SSTEP : TRAP_ENTRY_EMULATED);
	if (ts) {
		ts->probe_ns += entry_cost_ns[class];
		ts->hits++;
	}
}

/* The user stack pointer at function entry, from the probe's sp and the cookie's adjust. */
static __always_inline __u64 entry_sp_of(__u64 sp, __u64 cookie)
{
	return sp +
	       ((cookie >> (COOKIE_FLAGS_SHIFT + COOKIE_SP_ADJUST_SHIFT)) & COOKIE_SP_ADJUST_MASK);
}

/*
 * A timed frame popped without its return: a longjmp, counted, unless a
 * timing window closed on it (its return probe went with the window).
 */
static __always_inline void lost_return(const struct frame *f)
{
	if ((f->flags & FRAME_TIMED) && !(f->flags & COOKIE_WINDOW))
		drop(DROP_UNMATCHED_RET);
}

struct pop_walk {
	struct thread_state *ts;
	__u64 entry_sp;
};

/* One frame off the top: pops it if the call at entry_sp proves it returned. */
static long pop_if_returned(__u32 i, void *arg)
{
	struct pop_walk *p = arg;
	struct thread_state *ts = p->ts;
	__u32 depth = ts->depth;
	struct frame *f;

	if (!depth)
		return 1;
	f = &ts->stack[(depth - 1) & (MAX_STACK_DEPTH - 1)];
	if (f->sp > p->entry_sp)
		return 1;
	lost_return(f);
	ts->depth = depth - 1;
	return 0;
}

/*
 * Pops the frames a call at entry_sp proves returned: a frame whose return
 * slot lies at or below the new call's was left, whether its return probe ran
 * (an untimed frame has none) or not (longjmp: counted as unmatched).
 * A bpf_loop: the verifier checks its step once, not MAX_STACK_DEPTH times.
 */
static __always_inline void pop_returned(struct thread_state *ts, __u64 entry_sp)
{
	struct pop_walk p = {.ts = ts, .entry_sp = entry_sp};

	bpf_loop(MAX_STACK_DEPTH, pop_if_returned, &p, 0);
}

/*
 * The current process's uretprobe trampoline: a return probe, any tracer's,
 * replaces the return address in its slot with it (uprobes.c
 * get_trampoline_vaddr(): the first slot of the xol area). 0 when none.
 */
static __always_inline __u64 uretprobe_trampoline(void)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return BPF_CORE_READ(t, mm, uprobes_state.xol_area, vaddr);
}

/*
 * Whether the thread's current call chain still holds frame f: a timed
 * frame until its return probe pops it, an untimed one while its return
 * address is still in its slot, above the thread's stack pointer user_sp,
 * or a return probe's trampoline stands in for it there (another tracer's
 * on the same function, say).
 */
static __always_inline bool frame_live(const struct frame *f, __u64 user_sp, __u64 trampoline)
{
	__u64 slot = 0;

	if (f->flags & FRAME_TIMED)
		return true;
	if (f->sp < user_sp || bpf_probe_read_user(&slot, sizeof(slot), (const void *)f->sp))
		return false;
	return slot == f->ret_addr || (trampoline && slot == trampoline);
}

/* The current thread's user stack pointer, where it entered the kernel. */
static __always_inline __u64 user_sp(void)
{
	return PT_REGS_SP((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()));
}

struct live_search {
	struct thread_state *ts;
	__u64 user_sp, trampoline;
	__u32 attr;
};

/* One frame off the top: stops at a live one, pops a dead one. */
static long pop_if_dead(__u32 i, void *arg)
{
	struct live_search *l = arg;
	struct thread_state *ts = l->ts;
	__u32 depth = ts->depth;
	struct frame *f;

	if (!depth)
		return 1;
	f = &ts->stack[(depth - 1) & (MAX_STACK_DEPTH - 1)];
	if (frame_live(f, l->user_sp, l->trampoline)) {
		l->attr = f->attr;
		return 1;
	}
	lost_return(f);
	ts->depth = depth - 1;
	return 0;
}

/*
 * Pops the frames that are no longer live off the top and returns the
 * innermost live one's attribute, or ATTR_UNATTRIBUTED when none is.
 * A global function: checked once by the verifier.
 */
__noinline __u32 innermost_live(struct thread_state *ts, __u64 user_sp)
{
	struct live_search l = {.ts = ts,
				.user_sp = user_sp,
				.trampoline = uretprobe_trampoline(),
				.attr = ATTR_UNATTRIBUTED};

	if (!ts)
		return ATTR_UNATTRIBUTED;
	/* A bpf_loop: the verifier checks its step once. */
	bpf_loop(MAX_STACK_DEPTH, pop_if_dead, &l, 0);
	return l.attr;
}

/*
 * Whether to time this call of the attribute whose per-CPU stats are s (its
 * call already counted): the policy in attrprof.h, or the cookie's override.
 */
static __always_inline bool wants_timing(const struct attr_stats *s, __u64 cookie)
{
	__u64 flags = cookie >> COOKIE_FLAGS_SHIFT;

	if (flags & COOKIE_TIME_NEVER)
		return false;
	if (flags & COOKIE_TIME_ALL)
		return true;
	if (!s)
		return false;
	return s->calls <= TIME_ALL_CALLS || s->slow_calls * 2 >= s->timed ||
	       s->calls % time_stride == 0;
}

/*
 * Keeps only the live frames of a full stack, in order: untimed frames of
 * calls that returned pile up under deeper calls when nothing pops them (a
 * call at or above their slot does). Returns the new depth.
 */
struct compaction {
	struct thread_state *ts;
	__u64 user_sp, trampoline;
	__u32 kept;
};

static long keep_if_live(__u32 i, void *arg)
{
	struct compaction *c = arg;
	struct thread_state *ts = c->ts;

	if (i >= ts->depth)
		return 1;
	if (!frame_live(&ts->stack[i & (MAX_STACK_DEPTH - 1)], c->user_sp, c->trampoline))
		return 0;
	if (c->kept != i)
		ts->stack[c->kept & (MAX_STACK_DEPTH - 1)] = ts->stack[i & (MAX_STACK_DEPTH - 1)];
	c->kept++;
	return 0;
}

/* A bpf_loop: the verifier checks its step once, not sixteen times over. */
static __always_inline __u32 compact(struct thread_state *ts, __u64 user_sp)
{
	struct compaction c = {.ts = ts, .user_sp = user_sp, .trampoline = uretprobe_trampoline()};

	bpf_loop(MAX_STACK_DEPTH, keep_if_live, &c, 0);
	ts->depth = c.kept;
	return c.kept;
}

/*
 * Pushes a frame for a counted call of attr entered at entry_sp, timed or
 * not. Frames past MAX_STACK_DEPTH are counted as dropped. Returns the
 * frame's index, or -1; the caller starts the clock of a timed one last.
 * A global function: the verifier checks it once, not on every path of
 * each entry program's policy.
 */
__noinline int push_frame(struct thread_state *ts, __u32 attr, __u64 cookie, __u64 entry_sp,
			  bool timed)
{
	struct frame *f;
	__u32 depth;

	if (!ts)
		return -1;
	pop_returned(ts, entry_sp);
	depth = ts->depth;
	if (depth >= MAX_STACK_DEPTH && (depth = compact(ts, entry_sp)) >= MAX_STACK_DEPTH) {
		drop(DROP_STACK_DEPTH);
		return -1;
	}
	f = &ts->stack[depth & (MAX_STACK_DEPTH - 1)];
	f->attr = attr;
	f->flags = (cookie >> COOKIE_FLAGS_SHIFT) | (timed ? FRAME_TIMED : 0);
	f->sp = entry_sp;
	f->ret_addr = 0;
	bpf_probe_read_user(&f->ret_addr, sizeof(f->ret_addr), (const void *)entry_sp);
	f->probe_ns = ts->probe_ns;
	f->hits = ts->hits;
	f->inflight = (struct inflight_key){};
	ts->depth = depth + 1;
	return depth;
}

#endif /* ATTRPROF_STATE_BPF_H */
