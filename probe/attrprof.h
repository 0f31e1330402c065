/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ABI shared by the BPF programs (probe/attrprof.bpf.c) and the collector.
 * Fixed-width fields only, no pointers, explicit padding: both sides must
 * agree on every byte. Every limit both sides use is defined once here.
 */
#ifndef ATTRPROF_H
#define ATTRPROF_H

/* BPF code gets the kernel's types from vmlinux.h; user space from the UAPI. */
#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Latency histogram: log-linear. Values below 2^HIST_SUB_BITS ns get a slot
 * each; above that every power of two is split into 2^HIST_SUB_BITS equal
 * sub-buckets, so a slot's width is at most 25% of its lower bound and a
 * percentile read at the slot's midpoint is within 12.5%.
 */
#define HIST_SUB_BITS 2
#define HIST_SUBS (1 << HIST_SUB_BITS)
/* Highest power of two with its own slots: 2^36 ns is about 69 s; longer values clamp. */
#define HIST_MAX_EXP 36
#define HIST_SLOTS ((HIST_MAX_EXP - HIST_SUB_BITS + 2) * HIST_SUBS)

/* Per-thread stack of active accesses; deeper frames are counted as dropped. */
#define MAX_STACK_DEPTH 16

/*
 * Upper bound on attribute ids. The per-thread "seen" bitmap (distinct
 * threads per attribute) has one bit per id, so this sizes task storage.
 */
#define MAX_ATTRS 4096

/* Attribute id 0 collects lock waits that happen outside any access. */
#define ATTR_UNATTRIBUTED 0
/* Attribute ids 1 and 2 are the collector's own calibration functions. */
#define ATTR_CALIBRATION 1
#define ATTR_FIRST_USER 3

/*
 * What kind of lock a blocked futex wait was on: told from the code on the
 * waiting thread's stack (a return address inside one of the lock_ranges the
 * collector lists) or, for the GIL, from where the futex word lies. 0-2 keep
 * their schema 1-3 numbers.
 */
enum lock_kind {
	LOCK_MUTEX = 0,	 /* pthread_mutex_lock & co. (profiles before schema 4: "pthread") */
	LOCK_PYTHON = 1, /* CPython threading.Lock / RLock and the waits built on them */
	LOCK_GIL = 2,	 /* CPython's global interpreter lock */
	LOCK_RWLOCK = 3, /* pthread_rwlock_*lock */
	LOCK_SEM = 4,	 /* sem_wait & co. */
	LOCK_COND = 5,	 /* pthread_cond_*wait */
	LOCK_FUTEX = 6,	 /* a futex wait whose lock could not be told */
	LOCK_KINDS = 7,
};

/*
 * Code ranges that tell a futex wait's lock kind (`lock_ranges`, one map
 * value the collector writes before attaching). The wait takes the kind of
 * the highest-priority range that a word of the stack's first
 * LOCK_SCAN_WORDS points into, the nearest of equals: CPython's lock
 * acquire outranks the sem_wait it calls. Ranges are file addresses of up
 * to LOCK_OBJECTS objects, placed in the target by each object's load bias
 * (lock_bias): written by the collector for a running process, or learnt by
 * the probe on the object's anchor, a function the program calls once,
 * before any code of its own runs (libc's __libc_start_main).
 */
#define LOCK_RANGES 32
#define LOCK_OBJECTS 4
#define LOCK_SCAN_WORDS 64

struct lock_range {
	__u64 start, end; /* file addresses */
	__u32 kind;	  /* enum lock_kind */
	__u32 prio;
};

struct lock_object {
	__u64 lo, hi;	/* file addresses its ranges span */
	__u64 anchor;	/* file address of its anchor probe, 0 if none */
	__u32 first, n; /* its ranges: v[first .. first + n), sorted by start, disjoint */
};

struct lock_table {
	__u32 nobjs;
	__u32 runtime_obj;	      /* the object holding CPython's _PyRuntime */
	__u64 runtime_lo, runtime_hi; /* its file addresses; 0, 0 when none */
	struct lock_object objs[LOCK_OBJECTS];
	struct lock_range v[LOCK_RANGES];
};

/* Why an event could not be recorded in full; indexes the `drops` map. */
enum drop_reason {
	DROP_MAP_FULL = 0,    /* a bounded map had no room (task storage, py_attrs) */
	DROP_STACK_DEPTH = 1, /* an access nested deeper than MAX_STACK_DEPTH: counted, not timed */
	DROP_READ_ERROR = 2,  /* reading target memory failed */
	DROP_UNMATCHED_RET = 3, /* a return with no matching entry (longjmp, exit inside a call) */
	DROP_ATTR_LIMIT = 4,	/* a Python access of an attribute beyond --max-attrs */
	DROP_CLASS_LIMIT = 5,	/* an instance of a class beyond --max-classes */
	DROP_LOCK_LIMIT = 6,	/* a blocked wait with no room left in lock_waits */
	DROP_REASONS = 7,
};

/*
 * The attach cookie: the attribute id (native accessors) or the enum py_func
 * (CPython functions) in the low 32 bits, cookie flags above.
 */
#define COOKIE_ATTR_MASK 0xffffffffULL
#define COOKIE_FLAGS_SHIFT 32
/* The access failed when it returned 0 (a NULL pointer) / a negative int. */
#define COOKIE_ERR_ZERO (1ULL << 0)
#define COOKIE_ERR_NEGATIVE (1ULL << 1)
/* The probed instruction is single-stepped, not emulated: its probe costs more. */
#define COOKIE_SSTEP (1ULL << 2)
/* Calibration sites: time every call / never time one, whatever the policy says. */
#define COOKIE_TIME_ALL (1ULL << 3)
#define COOKIE_TIME_NEVER (1ULL << 4)
/*
 * A timing window's probe: on the single-stepped first instruction of a
 * function whose every call an entry probe further in counts. Attached now
 * and then only; it counts the call itself, and that probe then skips it.
 */
#define COOKIE_WINDOW (1ULL << 5)

/*
 * Flags bits 8-15: how many bytes the function's prologue had taken off %rsp
 * where the entry probe sits (a probe moved past a single-stepped first
 * instruction), so the frame records the stack pointer at function entry.
 */
#define COOKIE_SP_ADJUST_SHIFT 8
#define COOKIE_SP_ADJUST_MASK 0xffU

/* Probe cost classes, calibrated separately: index 1 when COOKIE_SSTEP is set. */
#define PROBE_CLASSES 2
#define PROBE_CLASS_OF(cookie) ((((cookie) >> COOKIE_FLAGS_SHIFT) & COOKIE_SSTEP) ? 1 : 0)

/*
 * Timing policy of a session probe (the entry decides whether the return
 * probe runs): each attribute's first TIME_ALL_CALLS calls on a CPU are
 * timed, then every time_stride-th one, and every call of an attribute at
 * least half of whose timed calls took slow_ns or more, where the return
 * probe's cost is small beside the call's own. Half, not the mean: a few
 * calls preempted for milliseconds must not make a fast attribute "slow".
 */
#define TIME_ALL_CALLS 1024
#define DEFAULT_TIME_STRIDE 8
#define DEFAULT_SLOW_NS 20000

/* Probe hits on the target's threads, by what they cost (`traps`, a per-CPU array). */
enum trap_kind {
	TRAP_ENTRY_EMULATED = 0,
	TRAP_ENTRY_SSTEP = 1,
	TRAP_RETURN = 2,
	TRAP_KINDS = 3,
};

/* Per attribute, per CPU: `stats` (a per-CPU array indexed by attribute id). */
struct attr_stats {
	__u64 calls;
	__u64 errors;
	__u64 timed;	/* calls whose latency was measured: all, or the policy's subset */
	__u64 total_ns; /* sum of measured latencies, probe cost subtracted */
	__u64 max_ns;
	__u64 threads;	    /* distinct threads that called it */
	__u64 repeat_reads; /* Python gets of the instance this thread last touched it on, a get */
	__u64 concurrent;   /* Python gets begun while another was in flight on the same instance */
	__u64 off_cpu_ns;   /* time inside its calls blocked off-CPU, lock waits excluded */
	__u64 slow_calls;   /* timed calls that took slow_ns or more: the timing policy's */
	__u64 preempted_ns; /* time inside its calls waiting, runnable, for a CPU */
	__u64 sstep_timed;  /* timed calls whose probe was single-stepped */
	__u64 nested_hits;  /* probe hits inside its timed calls: their costs were estimated */
	__u64 hist[HIST_SLOTS];
};

/* A Python attribute on one instance, for `inflight` (concurrent same-instance gets). */
struct inflight_key {
	__u64 attr; /* the (owner, descriptor) identity shared by an attribute's get and set */
	__u64 obj;
};

/* Per (attribute, lock kind): `lock_waits` (a per-CPU hash). */
struct lock_key {
	__u32 attr;
	__u32 kind;
	__u64 lock; /* the futex word's address, to see which attributes share one; 0: GIL */
};

struct lock_stats {
	__u64 count; /* contended acquisitions, i.e. ones that blocked */
	__u64 total_ns;
	__u64 max_ns;
	__u64 hist[HIST_SLOTS];
};

/*
 * CPython. The cookie of a Python probe names the interpreter function
 * (enum py_func, collector/python.h) in its low 32 bits; the probe derives
 * the attribute from the arguments and gives it an id on first sight.
 */

/*
 * What kind of attribute an id stands for (attr_info.kind), and what was done
 * to it (attr_info.op): X(id, name), name as profiles and reports spell it.
 * Adding a kind is adding a row; profile/ translates names and enums.
 */
#define ATTR_KIND_TABLE(X)                                                                         \
	X(FUNCTION, "function") /* a native accessor probed by name */                             \
	X(DESCRIPTOR, "descriptor")                                                                \
	X(PROPERTY, "property")                                                                    \
	X(CACHED_PROPERTY, "cached_property")                                                      \
	X(SLOT, "slot")                                                                            \
	X(GETSET, "getset")                                                                        \
	X(GETATTR_HOOK, "getattr_hook")                                                            \
	X(GETATTRIBUTE, "getattribute")                                                            \
	X(IGNORED, "ignored") /* seen through a hook but not one: a probe hit, counted nowhere */
#define ATTR_OP_TABLE(X) X(CALL, "call") X(GET, "get") X(SET, "set") X(DELETE, "delete")

#define ATTR_KIND_ENUM(id, name) KIND_##id,
enum attr_kind { ATTR_KIND_TABLE(ATTR_KIND_ENUM) ATTR_KINDS };
#undef ATTR_KIND_ENUM
#define ATTR_OP_ENUM(id, name) OP_##id,
enum attr_op { ATTR_OP_TABLE(ATTR_OP_ENUM) ATTR_OPS };
#undef ATTR_OP_ENUM

#define PY_NAME_LEN 64

/* Identifies a Python attribute: `py_attrs` maps it to an attribute id. */
struct py_key {
	__u64 owner; /* the class whose instance (or itself) was accessed */
	__u64 ident; /* the descriptor object, PyMemberDef or interned name */
	__u32 func;  /* enum py_func */
	__u32 op;    /* enum attr_op */
};

/* Names of an attribute id resolved in the probe (`attr_info`, indexed by id). */
struct attr_info {
	__u32 kind; /* enum attr_kind; 0 with an empty name: id not (yet) used */
	__u32 op;
	__u32 func;  /* enum py_func of the probe that named it */
	__u32 flags; /* that probe's cookie flags (COOKIE_SSTEP: how its probe is paid) */
	char owner[PY_NAME_LEN];    /* tp_name */
	char qualname[PY_NAME_LEN]; /* ht_qualname of a heap type, else empty */
	char name[PY_NAME_LEN];
};

/* Instances created per class (`classes`, keyed by the type object's address). */
struct class_info {
	__u64 allocs;
	__u32 has_dict; /* its instances carry a __dict__ */
	__u32 pad;
	char name[PY_NAME_LEN];
	char qualname[PY_NAME_LEN];
};

/* Struct offsets of one CPython version, set in the probes' rodata (docs/cpython-layout.md). */
struct py_offsets {
	__u32 ob_type;
	__u32 tp_name, tp_flags, tp_dict, tp_mro, tp_dictoffset;
	__u32 ht_qualname;
	__u32 tuple_items;
	__u32 unicode_state, unicode_ascii_data, unicode_compact_utf8;
	__u32 dict_keys;
	__u32 dk_nentries;
	__u32 dk_indices;	   /* where dk_indices starts */
	__u32 dk_log2_size;	   /* 3.11+: three u8 (log2 size, log2 index bytes, kind); else 0 */
	__u32 dk_size;		   /* 3.9/3.10: the ssize dk_size; else 0 */
	__u32 descr_name;	   /* PyDescr_COMMON d_name */
	__u32 descr_type;	   /* d_type */
	__u32 prop_get, prop_name; /* prop_name 0 when absent (3.9) */
	__u32 func_name;
	__u32 member_def_name;	  /* PyMemberDef.name */
	__u32 dict_values;	  /* PyDictObject.ma_values */
	__u32 dict_values_header; /* bytes before a split dict's values array (3.13: 8) */
	__u32 ht_cached_keys;	  /* shared keys of a class's instance dicts */
	__u32 tp_basicsize;
	__u32 instance_dict_mode; /* enum py_dict_mode */
	__u32 pad;
	__u64 tpflags_heaptype, tpflags_managed_dict, tpflags_inline_values;
};

/* Where an instance keeps its attributes, by version (docs/cpython-layout.md §1). */
enum py_dict_mode {
	PY_DICT_AT_OFFSET = 0, /* 3.9, 3.10: a dict at obj + tp_dictoffset */
	PY_DICT_PREHEADER = 1, /* 3.11: dict at obj-24, else values at obj-32 */
	PY_DICT_TAGGED = 2,    /* 3.12: obj-24 holds the dict, or values - 1 (odd) */
	PY_DICT_INLINE = 3,    /* 3.13: dict at obj-24, else values inline after the object */
};

/*
 * What a traced process did (`proc_events`, filled in order up to
 * PROC_EVENTS; `proc_nevents` keeps counting past it, so the rest are
 * known as dropped).
 */
#define PROC_EVENTS 256
#define PROC_FILENAME_LEN 128
/* Room for the processes --follow-forks traces besides the target (`followed`). */
#define MAX_FOLLOWED 1024

enum proc_event_kind {
	PROC_FORK = 0, /* a new process (not a thread) forked by a traced one */
	PROC_EXEC = 1, /* a traced process exec'd: from here on it is not counted */
	PROC_EXIT = 2, /* a traced process exited (its last thread) */
};

struct process_event {
	__u64 ns;	/* CLOCK_MONOTONIC */
	__u32 kind;	/* enum proc_event_kind */
	__u32 pid;	/* the traced process (tgid) */
	__u32 child;	/* fork: the new process */
	__u32 followed; /* fork: the child is traced too (--follow-forks, room left) */
	__s32 status;	/* exit: the wait(2) status */
	__u32 pad;
	char filename[PROC_FILENAME_LEN]; /* exec: the program, as exec was given it */
};

#endif /* ATTRPROF_H */
