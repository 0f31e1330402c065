// SPDX-License-Identifier: GPL-2.0
/*
 * attrprof probes. One set of programs serves every probed native accessor:
 * the attribute id travels as the attach cookie. CPython's descriptor
 * functions get their own entry programs, which find the attribute from the
 * arguments. Everything is aggregated here, in bounded maps; nothing is sent
 * per event.
 *
 * Every call is counted at its entry and pushes a frame. Timing is the
 * return probe's business, and a uprobe session lets the entry decide, call
 * by call, whether the return probe runs at all (the policy in attrprof.h):
 * a hot, fast attribute pays the return on a sample of its calls only.
 *
 * Lock waits come from the blocking path alone: the futex syscall's
 * tracepoints time every blocked wait of a traced thread, the words on its
 * stack tell the lock's kind, the futex word names the lock, and the
 * innermost live access on the thread is charged. A lock taken without
 * blocking costs nothing.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "attrprof.h"
#include "thread.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * Everything the programs share with the collector, and with each other,
 * declared here once, each with who writes and who reads it. Settings
 * (const volatile: .rodata) are set by the collector between open and
 * load; .bss variables are read and written through the mmapped skel->bss
 * while the programs run; maps through their fds. "BPF only": the
 * collector never touches it.
 */

/* --follow-forks. session.c sets it; is_target_tgid() and on_fork read it. */
const volatile bool follow_forks;
/* The timing policy (attrprof.h, TIME_ALL_CALLS). session.c sets it; wants_timing() reads it. */
const volatile __u32 time_stride = DEFAULT_TIME_STRIDE;
/* A call this long is slow. Never set: return_access reads it; session.c records the default. */
const volatile __u64 slow_ns = DEFAULT_SLOW_NS;
/* CPython's struct offsets. session.c sets them (python.c's); python.bpf.h's readers use them. */
const volatile struct py_offsets py = {};
/*
 * Count-only mode: no latency, so none of the signals that only matter
 * beside it. session.c sets it; python_entry() reads it.
 */
const volatile bool count_only;
/*
 * What a C type's member descriptor (function.__doc__) counts as: a getset
 * with --getsets, else nothing (its probe, member_get, is there for
 * __slots__, and the interpreter's own code reads such members often).
 * session.c sets it; py_describe() reads it.
 */
const volatile __u32 c_getset_kind = KIND_GETSET;
/* BPF only: the first value of a new entry, too big for the BPF stack (maps.bpf.h). */
const struct lock_stats zero_lock_stats = {};
const struct class_info zero_class_info = {};

/*
 * The traced process; 0 means "nobody". session.c and calibrate.c set it;
 * is_target_tgid() reads it; on_exec clears it when the target execs
 * mid-trace: the new program's addresses mean nothing to the state
 * gathered so far.
 */
__u32 target_tgid;
/* 1 while the session runs: followed processes count only then. session.c; is_followed(). */
__u32 following;
/*
 * Calibrated probe costs, by probe class (COOKIE_SSTEP): the probe time
 * that lands inside a frame's own measurement, and the wall time one entry
 * (its return skipped) or one return hit adds to an enclosing frame.
 * calibrate.c sets them; return_access and entry_hit() read them.
 */
__u64 frame_cost_ns[PROBE_CLASSES];
__u64 entry_cost_ns[PROBE_CLASSES];
__u64 return_cost_ns;
/*
 * Python attribute ids are handed out from next_attr up to attr_limit.
 * session.c sets both; py_new_attr() moves next_attr; session.c and
 * snapshot.c read it back, the end of the ids in use.
 */
__u32 next_attr;
__u32 attr_limit;
/*
 * Each lock object's load bias in the target, valid where its bit in
 * lock_biases is set: by lock_ranges.c (a running process, a fixed-address
 * executable) or by lock_anchor. Until then its waits cannot be told.
 * wait_kind_of() reads them; coverage.c reads lock_biases.
 */
__u64 lock_bias[LOCK_OBJECTS];
__u32 lock_biases;
/* Process events seen, those past PROC_EVENTS that found no room too. new_event(); process.c. */
__u32 proc_nevents;
/*
 * Set by session.c when it attached to a child of its own that has not
 * exec'd the command yet (record): that first exec is the launch, not
 * news. on_exec clears it.
 */
__u32 launch_exec_pending;

/* Each attribute's counts, per CPU. The probes add; session.c sizes, snapshot.c reads, resets. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_ATTRS); /* resized by the collector */
	__type(key, __u32);
	__type(value, struct attr_stats);
} stats SEC(".maps");

/*
 * Lock waits by (attribute, lock kind, lock). futex_exit adds; session.c
 * sizes it, snapshot.c reads it. Not preallocated: most (attribute, lock
 * kind) pairs never wait, and zeroing thousands of per-CPU histograms up
 * front dominated attach time.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024); /* resized by the collector */
	__type(key, struct lock_key);
	__type(value, struct lock_stats);
} lock_waits SEC(".maps");

/* What the probes could not count, by enum drop_reason. drop() adds; snapshot.c reads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_REASONS);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* Probe hits on the target by enum trap_kind, what probes cost it. count_trap(); snapshot.c. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TRAP_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} traps SEC(".maps");

/* Python attribute ids by what they stand for. py_new_attr() adds; session.c only sizes it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_ATTRS); /* resized by the collector */
	__type(key, struct py_key);
	__type(value, __u32);
} py_attrs SEC(".maps");

/* Each Python attribute's kind and names, by id. py_new_attr() writes; session.c, snapshot.c. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_ATTRS); /* resized with stats */
	__type(key, __u32);
	__type(value, struct attr_info);
} attr_info SEC(".maps");

/* Python classes by type object: names and instances made. py_alloc writes; snapshot.c reads. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096); /* resized by the collector */
	__type(key, __u64);
	__type(value, struct class_info);
} classes SEC(".maps");

/* The lock functions' code ranges. lock_ranges.c writes it before attach; wait_kind_of() reads. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_table);
} lock_ranges SEC(".maps");

/* Forks, execs and exits of traced processes. new_event() fills them; process.c reads them. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PROC_EVENTS);
	__type(key, __u32);
	__type(value, struct process_event);
} proc_events SEC(".maps");

/* BPF only: each traced thread's state (thread.bpf.h), made by thread_state(). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} threads SEC(".maps");

/* BPF only: processes traced besides the target, by tgid (--follow-forks). on_fork adds them. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_FOLLOWED);
	__type(key, __u32);
	__type(value, __u32);
} followed SEC(".maps");

/* BPF only: gets of one attribute on one instance in flight (LRU: idle ones age out). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct inflight_key);
	__type(value, __u64);
} inflight SEC(".maps");

/* BPF only: the stack words of one wait being classified, too big for the BPF stack. */
struct scan {
	__u64 words[LOCK_SCAN_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scan);
} scans SEC(".maps");

/* The helpers use the declarations above: included after them, into this one object. */
#include "maps.bpf.h"
#include "hist.bpf.h"
#include "state.bpf.h"
#include "py_func.h"
#include "python.bpf.h"
#include "locks.bpf.h"

/* Uprobe sessions (Linux 6.13+): which half of the session this run is. */
extern bool bpf_session_is_return(void) __ksym __weak;

/* What a session entry returns: run the return probe, or skip it. */
#define SESSION_RETURN 0
#define SESSION_SKIP 1

/* Which calls an entry program may time. */
enum timing {
	TIME_NONE,   /* no return probe follows */
	TIME_POLICY, /* a session: as the timing policy says */
	TIME_EVERY,  /* a return probe follows every call anyway (no sessions) */
};

/*
 * The entry of a counted access of attr whose probe sits at sp: pushes its
 * frame, timed when the policy (and the probe) allow. Returns the timed
 * frame, whose clock the caller starts last thing (start_clock), or NULL
 * when the call is not timed and its return need not run.
 */
static __always_inline struct frame *enter_access(struct thread_state *ts, struct attr_stats *s,
						  __u32 attr, __u64 cookie, __u64 sp,
						  enum timing timing)
{
	bool timed = timing == TIME_EVERY ? !(cookie >> COOKIE_FLAGS_SHIFT & COOKIE_TIME_NEVER)
					  : timing == TIME_POLICY && wants_timing(s, cookie);
	int i;

	entry_hit(ts, cookie);
	i = push_frame(ts, attr, cookie, entry_sp_of(sp, cookie), timed);
	if (i < 0 || !timed)
		return NULL;
	return &ts->stack[i & (MAX_STACK_DEPTH - 1)];
}

/*
 * Starts a timed frame's clock: the entry program's last act, so that none
 * of its own work lands in the call's latency (the calibration measures the
 * rest of the probe's time inside a call, and it is subtracted).
 */
static __always_inline bool start_clock(struct frame *f)
{
	f->start_ns = bpf_ktime_get_ns();
	return true;
}

/* Entry of a native accessor: counts the call, and times it as timing allows. */
static __always_inline bool native_entry(struct pt_regs *ctx, enum timing timing)
{
	__u64 cookie = bpf_get_attach_cookie(ctx), sp = PT_REGS_SP(ctx);
	__u32 attr = cookie & COOKIE_ATTR_MASK;
	struct thread_state *ts;
	struct frame *f;

	if (!is_target())
		return false;
	ts = thread_state(true);
	if (!ts)
		return false;
	f = enter_access(ts, count_call(ts, attr), attr, cookie, sp, timing);
	return f && start_clock(f);
}

static __always_inline bool returned_error(struct pt_regs *ctx, __u32 flags)
{
	long rc = PT_REGS_RC(ctx);

	/* Negative-is-error functions return int: only %eax is defined. */
	return ((flags & COOKIE_ERR_ZERO) && rc == 0) ||
	       ((flags & COOKIE_ERR_NEGATIVE) && (int)rc < 0);
}

/*
 * Return of a timed access. The frame is found by stack pointer, not by
 * position: frames deeper than the returning one are untimed ones that
 * returned unseen, or were left by longjmp, and are discarded; a returning
 * frame deeper than the top one was never pushed (stack full) and is ignored.
 */
__noinline int return_access(struct pt_regs *ctx)
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
	count_trap(TRAP_RETURN);
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
		lost_return(f);
		ts->depth = depth - 1;
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
	s = bpf_map_lookup_elem(&stats, &f->attr);
	if (s && returned_error(ctx, f->flags))
		__sync_fetch_and_add(&s->errors, 1);
	if (!s || !(f->flags & FRAME_TIMED)) {
		ts->probe_ns += return_cost_ns;
		ts->hits++;
		return 0;
	}
	dur = now - f->start_ns;
	cost = frame_cost_ns[(f->flags & COOKIE_SSTEP) ? 1 : 0] + ts->probe_ns - f->probe_ns;
	dur = dur > cost ? dur - cost : 0;
	if (ts->hits != f->hits)
		__sync_fetch_and_add(&s->nested_hits, ts->hits - f->hits);
	if (f->flags & COOKIE_SSTEP)
		__sync_fetch_and_add(&s->sstep_timed, 1);
	ts->probe_ns += return_cost_ns;
	ts->hits++;
	__sync_fetch_and_add(&s->timed, 1);
	__sync_fetch_and_add(&s->total_ns, dur);
	if (dur >= slow_ns)
		__sync_fetch_and_add(&s->slow_calls, 1);
	update_max(&s->max_ns, dur);
	__sync_fetch_and_add(&s->hist[hist_slot(dur)], 1);
	return 0;
}

/* Entry of a native accessor where no return probe can follow, or none is wanted. */
SEC("uprobe")
int access_count(struct pt_regs *ctx)
{
	native_entry(ctx, TIME_NONE);
	return 0;
}

/* A native accessor's uprobe session: the entry decides whether its return runs. */
SEC("uprobe")
int access_session(struct pt_regs *ctx)
{
	if (bpf_session_is_return()) {
		return_access(ctx);
		return 0;
	}
	return native_entry(ctx, TIME_POLICY) ? SESSION_RETURN : SESSION_SKIP;
}

/*
 * Kernels without uprobe sessions: a return probe follows every call, so
 * the entry times every call.
 */
SEC("uprobe")
int access_enter(struct pt_regs *ctx)
{
	native_entry(ctx, TIME_EVERY);
	return 0;
}

SEC("uretprobe")
int access_return(struct pt_regs *ctx)
{
	return_access(ctx);
	return 0;
}

/*
 * The table's argument roles (py_func.h) as expressions of a probed call's
 * first three arguments, which py_key_of and py_instance_of name a0, a1, a2.
 */
#define PY_ARG_A0 a0
#define PY_ARG_A1 a1
#define PY_ARG_A2 a2
#define PY_ARG_TYPE_A0 type_of(a0)
#define PY_ARG_TYPE_A1 type_of(a1)

/* One case per access row of the table; allocations and lock code are no access. */
#define PY_KEY_ACCESS(id, o, i, op_expr)                                                           \
	case PYF_##id:                                                                             \
		k->owner = PY_ARG_##o;                                                             \
		k->ident = PY_ARG_##i;                                                             \
		k->op = op_expr;                                                                   \
		return true;
#define PY_KEY_GET(id, o, i) PY_KEY_ACCESS(id, o, i, OP_GET)
#define PY_KEY_SET(id, o, i) PY_KEY_ACCESS(id, o, i, a2 ? OP_SET : OP_DELETE) /* NULL deletes */
#define PY_KEY_ALLOC(id, o, i)
#define PY_KEY_LOCK(id, o, i)
#define PY_KEY_CASE(id, sym, sym312, use, o, i, inst) PY_KEY_##use(id, o, i)

/* The attribute a CPython descriptor call touches, from its arguments. */
static __always_inline bool py_key_of(__u32 func, __u64 a0, __u64 a1, __u64 a2, struct py_key *k)
{
	k->func = func;
	switch (func) {
		PY_FUNCS(PY_KEY_CASE)
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
		info->kind = is_heap_type(read_ptr(k->ident + py.descr_type)) ? KIND_SLOT
									      : c_getset_kind;
		read_pystr(read_ptr(k->ident + py.descr_name), info->name);
		break;
	case PYF_MEMBER_SETONE:
		info->kind = is_heap_type(k->owner) ? KIND_SLOT : c_getset_kind;
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
/*
 * The first sight of the attribute (owner, ident, func, op): a new id, its
 * names read and recorded. A global function, so the verifier checks the
 * naming walk once, apart from the entry path (it was most of start-up).
 * Returns the id, or 0 when the id space or the key map is full.
 */
__noinline __u32 py_new_attr(__u64 owner, __u64 ident, __u32 func, __u32 op, __u64 cookie)
{
	struct py_key k = {.owner = owner, .ident = ident, .func = func, .op = op};
	struct attr_info *info;
	__u32 id, *known;

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
	py_describe(&k, info);
	info->func = func;
	info->flags = cookie >> COOKIE_FLAGS_SHIFT;
	if (info->kind == KIND_IGNORED)
		id |= PY_ATTR_IGNORED;
	else if (info->kind == KIND_GETATTR_HOOK)
		id |= PY_ATTR_HOOK;
	/* Another CPU may have named it first: its id stands, ours stays unused. */
	known = map_try_insert(&py_attrs, &k, &id);
	if (known)
		return *known;
	drop(DROP_MAP_FULL);
	return 0;
}

/* The id of the attribute k stands for, given one on first sight. 0: none to be had. */
static __always_inline __u32 py_attr_id(const struct py_key *k, __u64 cookie)
{
	__u32 *known = bpf_map_lookup_elem(&py_attrs, k);

	if (known)
		return *known;
	return py_new_attr(k->owner, k->ident, k->func, k->op, cookie);
}

#define PY_INSTANCE_CASE(id, sym, sym312, use, o, i, inst) PY_INSTANCE_##inst(id)
#define PY_INSTANCE_A0(id)                                                                         \
	case PYF_##id:                                                                             \
		return a0;
#define PY_INSTANCE_A1(id)
#define PY_INSTANCE_NONE(id)

/* The instance a descriptor function works on: NULL for an access to the class itself. */
static __always_inline __u64 py_instance_of(__u32 func, __u64 a0, __u64 a1)
{
	switch (func) {
		PY_FUNCS(PY_INSTANCE_CASE)
	default:
		return a1;
	}
}

/*
 * Counts a get of the instance this thread last touched this attribute on,
 * with a get: a value read again and again, which a local could hold.
 * Global functions, this one and the next: the verifier checks each once,
 * apart from the entry path (their branches multiplied its states).
 */
__noinline int note_touch(struct thread_state *ts, struct attr_stats *s, __u64 ident, __u32 op,
			  __u64 obj)
{
	bool get = op == OP_GET;
	struct last_touch *t = NULL;
	__u32 slot;

	if (!ts || !s)
		return 0;
	for (int i = 0; i < RECENT_SLOTS; i++) {
		if (ts->recent[i].ident == ident) {
			t = &ts->recent[i];
			break;
		}
	}
	if (!t) {
		slot = ts->recent_next++ & (RECENT_SLOTS - 1);
		t = &ts->recent[slot];
		t->was_get = 0;
	}
	if (get && t->was_get && t->ident == ident && t->obj == obj)
		__sync_fetch_and_add(&s->repeat_reads, 1);
	t->ident = ident;
	t->obj = obj;
	t->was_get = get;
	return 0;
}

/* Counts a get begun while another thread is inside the same attribute of the same instance. */
__noinline int note_inflight(struct frame *f, struct attr_stats *s, __u64 ident, __u64 obj)
{
	struct inflight_key key = {.attr = ident, .obj = obj};
	__u64 zero = 0, *n;

	if (!f || !s)
		return 0;
	n = map_lookup_or_init(&inflight, &key, &zero);
	if (!n)
		return 0;
	if (__sync_fetch_and_add(n, 1))
		__sync_fetch_and_add(&s->concurrent, 1);
	f->inflight = key;
	return 0;
}

/*
 * Whether a timing window's probe on this function's first instruction has
 * just counted the call entered at entry_sp: it left the call's entry stack
 * pointer for the counting probe, which every call reaches next.
 */
static __always_inline bool counted_by_window(struct thread_state *ts, __u64 entry_sp)
{
	bool counted = ts->window_sp == entry_sp;

	ts->window_sp = 0;
	return counted;
}

/*
 * Entry of a CPython descriptor function (the cookie names which, enum
 * py_func). Returns whether the call is timed, i.e. whether its return must run.
 */
static __always_inline bool python_entry(struct pt_regs *ctx, enum timing timing)
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
		return false;
	ts = thread_state(true);
	if (!py_key_of(cookie & COOKIE_ATTR_MASK, a0, a1, a2, &k) || !k.owner || !ts) {
		entry_hit(ts, cookie);
		return false;
	}
	/*
	 * A window's probe counts only a call it can push a frame for: the
	 * counting probe further in, which skips what the window counted, sees
	 * that frame.
	 */
	if (cookie >> COOKIE_FLAGS_SHIFT & COOKIE_WINDOW) {
		if (ts->depth >= MAX_STACK_DEPTH) {
			entry_hit(ts, cookie);
			return false;
		}
		ts->window_sp = entry_sp_of(sp, cookie);
	} else if (counted_by_window(ts, entry_sp_of(sp, cookie))) {
		entry_hit(ts, cookie);
		return false;
	}
	id = py_attr_id(&k, cookie);
	/* The hook also sees the instance's own attributes: those are no fallback. */
	if ((id & PY_ATTR_HOOK) && instance_has(a0, k.owner, a1))
		id |= PY_ATTR_IGNORED;
	id &= ~PY_ATTR_HOOK;
	/* An ignored access, or one dropped for want of an id: a probe hit, charged to nobody. */
	if (!id || (id & PY_ATTR_IGNORED)) {
		entry_hit(ts, cookie);
		return false;
	}
	s = count_call(ts, id);
	obj = py_instance_of(k.func, a0, a1);
	/* Repeat reads feed hoist, which needs latency: none in count-only mode. */
	if (s && obj && !count_only)
		note_touch(ts, s, k.ident, k.op, obj);
	f = enter_access(ts, s, id, cookie, sp, timing);
	if (!f)
		return false;
	if (s && obj && k.op == OP_GET)
		note_inflight(f, s, k.ident, obj);
	return start_clock(f);
}

/* Entry of a CPython function where no return probe can follow (or count-only mode). */
SEC("uprobe")
int py_count(struct pt_regs *ctx)
{
	python_entry(ctx, TIME_NONE);
	return 0;
}

/* A CPython function's uprobe session: the entry decides whether its return runs. */
SEC("uprobe")
int py_session(struct pt_regs *ctx)
{
	if (bpf_session_is_return()) {
		return_access(ctx);
		return 0;
	}
	return python_entry(ctx, TIME_POLICY) ? SESSION_RETURN : SESSION_SKIP;
}

/* Kernels without uprobe sessions: every call timed, access_return on its return. */
SEC("uprobe")
int py_enter(struct pt_regs *ctx)
{
	python_entry(ctx, TIME_EVERY);
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
	entry_hit(thread_state(false), bpf_get_attach_cookie(ctx));
	flags = read_ptr(type + py.tp_flags);
	if (!(flags & py.tpflags_heaptype))
		return 0;
	c = bpf_map_lookup_elem(&classes, &type);
	if (!c) {
		/* First sight of the class here: named, unless another CPU already did. */
		c = map_try_insert(&classes, &type, &zero_class_info);
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

/* A walk of a thread's frames for bpf_loop, whose context lives on the stack. */
struct frames_walk {
	struct thread_state *ts;
	bool preempted;	  /* charge_off_cpu: the time was waiting for a CPU, not blocked */
	__u64 sp;	  /* live_frames: the thread's user stack pointer */
	__u64 trampoline; /* live_frames: its process's uretprobe trampoline */
	__u64 ns;	  /* charge_off_cpu: the time to charge */
	__u32 live;	  /* bit i: frame i is live */
	__u32 ncharged;	  /* charge_off_cpu: attributes charged so far */
	__u32 charged[MAX_STACK_DEPTH];
};

static long note_live(__u32 i, void *arg)
{
	struct frames_walk *w = arg;

	if (i >= w->ts->depth)
		return 1;
	if (frame_live(&w->ts->stack[i & (MAX_STACK_DEPTH - 1)], w->sp, w->trampoline))
		w->live |= 1U << i;
	return 0;
}

/* Bit i set: frame i of the current thread's stack is live. */
static __always_inline __u32 live_frames(struct thread_state *ts)
{
	struct frames_walk w = {.ts = ts, .sp = user_sp(), .trampoline = uretprobe_trampoline()};

	bpf_loop(MAX_STACK_DEPTH, note_live, &w, 0);
	return w.live;
}

static long charge_frame(__u32 i, void *arg)
{
	struct frames_walk *w = arg;
	struct attr_stats *s;
	__u32 attr;

	if (!(w->ts->off_cpu_live & (1U << (i & 31))))
		return 0;
	attr = w->ts->stack[i & (MAX_STACK_DEPTH - 1)].attr;
	for (int j = 0; j < MAX_STACK_DEPTH; j++)
		if (j < w->ncharged && w->charged[j] == attr)
			return 0;
	w->charged[w->ncharged & (MAX_STACK_DEPTH - 1)] = attr;
	w->ncharged++;
	s = bpf_map_lookup_elem(&stats, &attr);
	if (s)
		__sync_fetch_and_add(w->preempted ? &s->preempted_ns : &s->off_cpu_ns, w->ns);
	return 0;
}

/*
 * Adds time off the CPU to every attribute with a frame live when the thread
 * left it, each once: as off-CPU time when it blocked, as preempted time when
 * it still wanted the CPU.
 */
static __always_inline void charge_off_cpu(struct thread_state *ts, __u64 ns)
{
	struct frames_walk w = {.ts = ts, .ns = ns, .preempted = ts->preempted};

	bpf_loop(MAX_STACK_DEPTH, charge_frame, &w, 0);
}

/*
 * Off-CPU time inside accesses: a thread that leaves the CPU with live
 * frames, other than in a futex wait (a lock wait, counted as such), is
 * charged from the switch out to its switch back in: as off-CPU time when it
 * blocked, as preempted time when it was still runnable (a busy machine's,
 * or more threads than cores: not the access's own doing).
 */
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
	 * A thread switched out while still runnable (preempted, in the kernel or
	 * on its way back to user space, where `preempt` is false) still wants
	 * the CPU: counted apart, so that a CPU-bound access on a busy machine
	 * does not look like one that waits. prev is the current task here, so
	 * its user memory is the one read.
	 */
	if (prev_traced) {
		ts = bpf_task_storage_get(&threads, prev, NULL, 0);
		if (ts && ts->depth && !ts->wait_start) {
			ts->off_cpu_live = live_frames(ts);
			ts->preempted = !task_blocked(prev);
			if (ts->off_cpu_live)
				ts->switched_out = now;
		}
	}
	if (next_traced) {
		ts = bpf_task_storage_get(&threads, next, NULL, 0);
		if (ts && ts->switched_out) {
			charge_off_cpu(ts, now - ts->switched_out);
			ts->switched_out = 0;
		}
	}
	return 0;
}

/*
 * The process and lock-wait programs, in files of their own but in this
 * one translation unit: one object and one skeleton, and the declarations
 * above serve them as they are (separate objects linked by `bpftool gen
 * object` would each need extern copies of every map and variable).
 */
#include "process.bpf.c"
#include "locks.bpf.c"
