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

/* What a lock probe's cookie says about the lock it guards. */
enum lock_kind {
	LOCK_PTHREAD = 0, /* pthread mutex, rwlock and POSIX semaphores in native code */
	LOCK_PYTHON = 1,  /* CPython threading.Lock / RLock */
	LOCK_GIL = 2,	  /* CPython's global interpreter lock */
	LOCK_KINDS = 3,
};

/* Why an event could not be recorded in full; indexes the `drops` map. */
enum drop_reason {
	DROP_MAP_FULL = 0,    /* a bounded map had no room (task storage, lock_waits) */
	DROP_STACK_DEPTH = 1, /* an access nested deeper than MAX_STACK_DEPTH: counted, not timed */
	DROP_READ_ERROR = 2,  /* reading target memory failed */
	DROP_UNMATCHED_RET = 3, /* a return with no matching entry (longjmp, exit inside a call) */
	DROP_REASONS = 4,
};

/*
 * The attach cookie: the attribute id (access probes) or the enum lock_kind
 * (lock probes) in the low 32 bits, cookie flags above.
 */
#define COOKIE_ATTR_MASK 0xffffffffULL
#define COOKIE_FLAGS_SHIFT 32
/* The access failed when it returned 0 (a NULL pointer) / a negative int. */
#define COOKIE_ERR_ZERO (1ULL << 0)
#define COOKIE_ERR_NEGATIVE (1ULL << 1)
/* The probed instruction is single-stepped, not emulated: its probe costs more. */
#define COOKIE_SSTEP (1ULL << 2)

/* Probe cost classes, calibrated separately: index 1 when COOKIE_SSTEP is set. */
#define PROBE_CLASSES 2

/* Per attribute, per CPU: `stats` (a per-CPU array indexed by attribute id). */
struct attr_stats {
	__u64 calls;
	__u64 errors;
	__u64 timed;	/* calls whose latency was measured (== calls unless dropped) */
	__u64 total_ns; /* sum of measured latencies, probe cost subtracted */
	__u64 max_ns;
	__u64 threads; /* distinct threads that called it */
	__u64 hist[HIST_SLOTS];
};

/* Per (attribute, lock kind): `lock_waits` (a per-CPU hash). */
struct lock_key {
	__u32 attr;
	__u32 kind;
};

struct lock_stats {
	__u64 count; /* contended acquisitions, i.e. ones that blocked */
	__u64 total_ns;
	__u64 max_ns;
	__u64 hist[HIST_SLOTS];
};

#endif /* ATTRPROF_H */
