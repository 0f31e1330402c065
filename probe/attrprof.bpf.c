// SPDX-License-Identifier: GPL-2.0
/*
 * attrprof probes. One entry/return program pair serves every probed native
 * accessor: the attribute id travels as the attach cookie. CPython's
 * descriptor functions get their own entry program, which finds the
 * attribute from the arguments, and share the return program. Everything is
 * aggregated here, in bounded maps; nothing is sent per event.
 *
 * Lock waits: an entry-only probe on each lock function remembers which lock
 * the thread asked for; the futex syscall tracepoints then time the waits on
 * that lock's futex words, i.e. only acquisitions that blocked, and charge
 * them to the innermost access active on the thread. One trap per lock call
 * instead of an entry/return pair, and an uncontended lock adds no wait.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "attrprof.h"
#include "hist.bpf.h"
#include "state.bpf.h"
#include "py_func.h"
#include "python.bpf.h"
#include "process.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Futex operations that block (include/uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_LOCK_PI2 13
#define FUTEX_CMD_MASK 0x7f
/* Futex words of pthread mutexes, rwlocks and semaphores lie in their first 64 bytes. */
#define LOCK_SPAN 64

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

	if (!is_target())
		return 0;
	ts = thread_state(true);
	if (!ts)
		return 0;
	count_call(ts, cookie & COOKIE_ATTR_MASK);
	push_frame(PT_REGS_SP(ctx), ts, cookie & COOKIE_ATTR_MASK, cookie);
	return 0;
}

static __always_inline bool returned_error(struct pt_regs *ctx, __u32 flags)
{
	long rc = PT_REGS_RC(ctx);

	/* Negative-is-error functions return int: only %eax is defined. */
	return ((flags & COOKIE_ERR_ZERO) && rc == 0) ||
	       ((flags & COOKIE_ERR_NEGATIVE) && (int)rc < 0);
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
	__u64 dur, cost, off_cpu;
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
	if (f->inflight.obj) {
		__u64 *n = bpf_map_lookup_elem(&inflight, &f->inflight);

		if (n)
			__sync_fetch_and_add(n, -1);
	}
	if (f->flags & FRAME_IGNORED) {
		ts->probe_ns += return_cost_ns;
		return 0;
	}

	s = bpf_map_lookup_elem(&stats, &f->attr);
	if (!s)
		return 0;
	if (returned_error(ctx, f->flags))
		__sync_fetch_and_add(&s->errors, 1);
	off_cpu = ts->off_cpu_ns - ts->waited_ns - f->off_cpu_ns;
	if ((__s64)off_cpu > 0)
		__sync_fetch_and_add(&s->off_cpu_ns, off_cpu);
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
	__u64 cookie, addr;

	if (!is_target())
		return 0;
	ts = thread_state(true);
	if (!ts)
		return 0;
	cookie = bpf_get_attach_cookie(ctx);
	addr = PT_REGS_PARM1(ctx);
	ts->probe_ns += entry_cost_ns[probe_class(cookie)];
	/*
	 * CPython's lock acquire calls sem_wait & co. on the same semaphore:
	 * the outer, more specific kind stays.
	 */
	if (addr != ts->lock_addr)
		ts->lock_kind = cookie & COOKIE_ATTR_MASK;
	ts->lock_addr = addr;
	return 0;
}

/* CPython's take_gil: the futex waits until its return are GIL waits. */
SEC("uprobe")
int gil_enter(struct pt_regs *ctx)
{
	struct thread_state *ts;

	if (!is_target())
		return 0;
	ts = thread_state(true);
	if (!ts)
		return 0;
	ts->probe_ns += entry_cost_ns[probe_class(bpf_get_attach_cookie(ctx))];
	ts->in_take_gil = 1;
	return 0;
}

SEC("uretprobe")
int gil_return(struct pt_regs *ctx)
{
	struct thread_state *ts;

	if (!is_target())
		return 0;
	ts = thread_state(false);
	if (!ts)
		return 0;
	ts->probe_ns += return_cost_ns;
	ts->in_take_gil = 0;
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
	if (!ts)
		return 0;
	if (ts->in_take_gil) {
		ts->wait_kind = LOCK_GIL;
		ts->wait_lock = 0;
	} else if (ts->lock_addr && uaddr - ts->lock_addr < LOCK_SPAN) {
		ts->wait_kind = ts->lock_kind;
		ts->wait_lock = ts->lock_addr;
	} else {
		return 0;
	}
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
	__u32 attr = ATTR_UNATTRIBUTED;
	__u64 wait;

	if (!is_target())
		return 0;
	ts = thread_state(false);
	if (!ts || !ts->wait_start)
		return 0;
	wait = bpf_ktime_get_ns() - ts->wait_start;
	ts->wait_start = 0;
	ts->waited_ns += wait; /* off the CPU, but as a lock wait: not off-CPU time */
	if (ts->depth > 0)
		attr = ts->stack[(ts->depth - 1) & (MAX_STACK_DEPTH - 1)].attr;
	l = lock_stats_of(attr, ts->wait_kind, ts->wait_lock);
	if (!l)
		return 0;
	__sync_fetch_and_add(&l->count, 1);
	__sync_fetch_and_add(&l->total_ns, wait);
	update_max(&l->max_ns, wait);
	__sync_fetch_and_add(&l->hist[hist_slot(wait)], 1);
	return 0;
}

/* The attribute a CPython descriptor call touches, from its arguments. */
static __always_inline bool py_key_of(__u32 func, __u64 a0, __u64 a1, __u64 a2, struct py_key *k)
{
	k->func = func;
	switch (func) {
	case PYF_DESCR_GET:
	case PYF_PROP_GET:
	case PYF_MEMBER_GET:
	case PYF_GETSET_GET:
		/* (descr, obj, type): obj is NULL when the class itself is accessed */
		k->owner = a1 ? type_of(a1) : a2;
		k->ident = a0;
		k->op = OP_GET;
		return true;
	case PYF_DESCR_SET:
	case PYF_PROP_SET:
	case PYF_MEMBER_SET:
	case PYF_GETSET_SET:
		/* (descr, obj, value): a NULL value deletes */
		k->owner = type_of(a1);
		k->ident = a0;
		k->op = a2 ? OP_SET : OP_DELETE;
		return true;
	case PYF_MEMBER_SETONE:
		/* (obj, PyMemberDef *, value) */
		k->owner = type_of(a0);
		k->ident = a1;
		k->op = a2 ? OP_SET : OP_DELETE;
		return true;
	case PYF_GETATTR_HOOK:
	case PYF_GETATTRO:
		/* (self, name): names are interned, so the pointer identifies the name */
		k->owner = type_of(a0);
		k->ident = a1;
		k->op = OP_GET;
		return true;
	default:
		return false;
	}
}

/* Is the descriptor an instance of functools.cached_property? */
static __always_inline bool is_cached_property(__u64 descr)
{
	static const char want[] = "cached_property";
	char name[sizeof(want)] = {};

	read_cstr_n(read_ptr(type_of(descr) + py.tp_name), name, sizeof(name));
	for (int i = 0; i < sizeof(want); i++)
		if (name[i] != want[i])
			return false;
	return true;
}

/* Fills info with the kind and name of the attribute k stands for. */
static __always_inline void py_describe(const struct py_key *k, struct attr_info *info)
{
	__u64 key;

	info->op = k->op;
	read_type_names(k->owner, info->owner, info->qualname);
	switch (k->func) {
	case PYF_DESCR_GET:
	case PYF_DESCR_SET:
		info->kind = is_cached_property(k->ident) ? KIND_CACHED_PROPERTY : KIND_DESCRIPTOR;
		read_pystr(mro_lookup(k->owner, k->ident, false), info->name);
		break;
	case PYF_PROP_GET:
	case PYF_PROP_SET:
		info->kind = KIND_PROPERTY;
		/* The class dict names aliases right; prop_name (3.10+), fget's name next. */
		key = mro_lookup(k->owner, k->ident, false);
		if (!key && py.prop_name)
			key = read_ptr(k->ident + py.prop_name);
		if (!key)
			key = read_ptr(read_ptr(k->ident + py.prop_get) + py.func_name);
		read_pystr(key, info->name);
		break;
	case PYF_MEMBER_GET:
	case PYF_MEMBER_SET:
		info->kind =
			is_heap_type(read_ptr(k->ident + py.descr_type)) ? KIND_SLOT : KIND_GETSET;
		read_pystr(read_ptr(k->ident + py.descr_name), info->name);
		break;
	case PYF_MEMBER_SETONE:
		info->kind = is_heap_type(k->owner) ? KIND_SLOT : KIND_GETSET;
		read_cstr(read_ptr(k->ident + py.member_def_name), info->name);
		break;
	case PYF_GETSET_GET:
	case PYF_GETSET_SET:
		info->kind = KIND_GETSET;
		read_pystr(read_ptr(k->ident + py.descr_name), info->name);
		break;
	case PYF_GETATTR_HOOK:
		/*
		 * A class overriding __getattribute__ but not __getattr__ passes
		 * its first lookup through the hook, which then hands over to
		 * slot_tp_getattro. Otherwise the hook sees every lookup on the
		 * class, and only names its MRO lacks fall back to __getattr__.
		 */
		if (!mro_has_getattr(k->owner))
			info->kind = KIND_GETATTRIBUTE;
		else if (mro_lookup(k->owner, k->ident, true))
			info->kind = KIND_IGNORED;
		else
			info->kind = KIND_GETATTR_HOOK;
		read_pystr(k->ident, info->name);
		break;
	default:
		info->kind = KIND_GETATTRIBUTE;
		read_pystr(k->ident, info->name);
		break;
	}
	if (!info->name[0])
		__builtin_memcpy(info->name, "?", 2);
}

/*
 * The id of the attribute k stands for, given one on first sight, when the
 * names are read. Returns 0 when the id space or the key map is full.
 */
static __always_inline __u32 py_attr_id(const struct py_key *k)
{
	struct attr_info *info;
	__u32 id, *known;

	known = bpf_map_lookup_elem(&py_attrs, k);
	if (known)
		return *known;
	/*
	 * Past the limit, each access of an unnamed attribute is counted
	 * as dropped, and next_attr no longer moves: it cannot wrap around.
	 */
	if (next_attr >= attr_limit) {
		drop(DROP_ATTR_LIMIT);
		return 0;
	}
	id = __sync_fetch_and_add(&next_attr, 1);
	info = id < attr_limit ? bpf_map_lookup_elem(&attr_info, &id) : NULL;
	if (!info) {
		drop(DROP_ATTR_LIMIT);
		return 0;
	}
	py_describe(k, info);
	if (info->kind == KIND_IGNORED)
		id |= PY_ATTR_IGNORED;
	else if (info->kind == KIND_GETATTR_HOOK)
		id |= PY_ATTR_HOOK;
	if (!bpf_map_update_elem(&py_attrs, k, &id, BPF_NOEXIST))
		return id;
	/* Another CPU named it first (our id stays unused), or the map is full. */
	known = bpf_map_lookup_elem(&py_attrs, k);
	if (known)
		return *known;
	drop(DROP_MAP_FULL);
	return 0;
}

/* The instance a descriptor function works on: NULL for an access to the class itself. */
static __always_inline __u64 py_instance_of(__u32 func, __u64 a0, __u64 a1)
{
	switch (func) {
	case PYF_MEMBER_SETONE:
	case PYF_GETATTR_HOOK:
	case PYF_GETATTRO:
		return a0;
	default:
		return a1;
	}
}

/*
 * Counts a get of the instance this thread last touched this attribute on,
 * with a get: a value read again and again, which a local could hold.
 */
static __always_inline void note_touch(struct thread_state *ts, struct attr_stats *s,
				       const struct py_key *k, __u64 obj)
{
	bool get = k->op == OP_GET;
	struct last_touch *t = NULL;
	__u32 slot;

	for (int i = 0; i < RECENT_SLOTS; i++) {
		if (ts->recent[i].ident == k->ident) {
			t = &ts->recent[i];
			break;
		}
	}
	if (!t) {
		slot = ts->recent_next++ & (RECENT_SLOTS - 1);
		t = &ts->recent[slot];
		t->was_get = 0;
	}
	if (get && t->was_get && t->ident == k->ident && t->obj == obj)
		__sync_fetch_and_add(&s->repeat_reads, 1);
	t->ident = k->ident;
	t->obj = obj;
	t->was_get = get;
}

/* Counts a get begun while another thread is inside the same attribute of the same instance. */
static __always_inline void note_inflight(struct frame *f, struct attr_stats *s,
					  const struct py_key *k, __u64 obj)
{
	struct inflight_key key = {.attr = k->ident, .obj = obj};
	__u64 zero = 0, *n;

	n = bpf_map_lookup_elem(&inflight, &key);
	if (!n) {
		bpf_map_update_elem(&inflight, &key, &zero, BPF_NOEXIST);
		n = bpf_map_lookup_elem(&inflight, &key);
		if (!n)
			return;
	}
	if (__sync_fetch_and_add(n, 1))
		__sync_fetch_and_add(&s->concurrent, 1);
	f->inflight = key;
}

/* Entry of a CPython descriptor function; the cookie names which (enum py_func). */
SEC("uprobe")
int py_enter(struct pt_regs *ctx)
{
	/* Everything from ctx first: the verifier refuses ctx reads through a moved pointer. */
	__u64 cookie = bpf_get_attach_cookie(ctx), sp = PT_REGS_SP(ctx);
	__u64 a0 = PT_REGS_PARM1(ctx), a1 = PT_REGS_PARM2(ctx), a2 = PT_REGS_PARM3(ctx);
	struct thread_state *ts;
	struct attr_stats *s;
	struct py_key k = {};
	struct frame *f;
	__u64 obj;
	__u32 id;

	if (!is_target())
		return 0;
	if (!py_key_of(cookie & COOKIE_ATTR_MASK, a0, a1, a2, &k) || !k.owner)
		return 0;
	ts = thread_state(true);
	if (!ts)
		return 0;
	id = py_attr_id(&k);
	/* The hook also sees the instance's own attributes: those are no fallback. */
	if ((id & PY_ATTR_HOOK) && instance_has(a0, k.owner, a1))
		id |= PY_ATTR_IGNORED;
	id &= ~PY_ATTR_HOOK;
	if (count_only) {
		if (id && !(id & PY_ATTR_IGNORED))
			count_call(ts, id);
		return 0;
	}
	if (!id || (id & PY_ATTR_IGNORED)) {
		/*
		 * Timed like the rest so its return pairs up, charged to nobody:
		 * an ignored access, or one dropped for want of an id.
		 */
		push_frame(sp, ts,
			   ts->depth ? ts->stack[(ts->depth - 1) & (MAX_STACK_DEPTH - 1)].attr
				     : ATTR_UNATTRIBUTED,
			   cookie | ((__u64)FRAME_IGNORED << COOKIE_FLAGS_SHIFT));
		return 0;
	}
	s = count_call(ts, id);
	obj = py_instance_of(k.func, a0, a1);
	if (s && obj)
		note_touch(ts, s, &k, obj);
	f = push_frame(sp, ts, id, cookie);
	if (f && s && obj && k.op == OP_GET)
		note_inflight(f, s, &k, obj);
	return 0;
}

/* PyType_GenericAlloc(type, nitems): one more instance of a Python class. */
SEC("uprobe")
int py_alloc(struct pt_regs *ctx)
{
	__u64 type = PT_REGS_PARM1(ctx), flags;
	struct class_info *c;

	if (!is_target())
		return 0;
	flags = read_ptr(type + py.tp_flags);
	if (!(flags & py.tpflags_heaptype))
		return 0;
	c = bpf_map_lookup_elem(&classes, &type);
	if (!c) {
		bpf_map_update_elem(&classes, &type, &zero_class_info, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&classes, &type);
		if (!c) {
			drop(DROP_CLASS_LIMIT);
			return 0;
		}
		if (!c->name[0]) {
			read_type_names(type, c->name, c->qualname);
			c->has_dict = (flags & py.tpflags_managed_dict) ||
				      read_ptr(type + py.tp_dictoffset) != 0;
		}
	}
	__sync_fetch_and_add(&c->allocs, 1);
	return 0;
}

/* Linux 5.14 renamed task_struct.state to __state. */
struct task_struct___pre_5_14 {
	long state;
} __attribute__((preserve_access_index));

/* The task is going to sleep, not merely giving up the CPU (TASK_RUNNING is 0). */
static __always_inline bool task_blocked(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state) != 0;
	return BPF_CORE_READ((struct task_struct___pre_5_14 *)t, state) != 0;
}

/* Off-CPU time inside accesses: a thread leaving the CPU with frames open, and coming back. */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	bool prev_traced = is_target_tgid(prev->tgid), next_traced = is_target_tgid(next->tgid);
	struct thread_state *ts;
	__u64 now;

	if (!prev_traced && !next_traced)
		return 0;
	now = bpf_ktime_get_ns();
	/*
	 * Only a thread that blocked counts as off-CPU: one switched out while
	 * still runnable (preempted, in the kernel or on its way back to user
	 * space, where `preempt` is false) still wants the CPU, and counting it
	 * would make a CPU-bound access on a busy machine look like one that waits.
	 */
	if (prev_traced && task_blocked(prev)) {
		ts = bpf_task_storage_get(&threads, prev, NULL, 0);
		if (ts && ts->depth)
			ts->switched_out = now;
	}
	if (next_traced) {
		ts = bpf_task_storage_get(&threads, next, NULL, 0);
		if (ts && ts->switched_out) {
			ts->off_cpu_ns += now - ts->switched_out;
			ts->switched_out = 0;
		}
	}
	return 0;
}
