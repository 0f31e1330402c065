/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A traced thread's state, the value of the threads task storage: its
 * stack of accesses in progress, the futex wait it is in, and what it
 * touched last.
 */
#ifndef ATTRPROF_THREAD_BPF_H
#define ATTRPROF_THREAD_BPF_H

#include "attrprof.h"

/* A frame flag beside the cookie flags: its return probe will run and time it. */
#define FRAME_TIMED (1U << 16)

/*
 * An access in progress. Every counted call pushes one; only timed ones get
 * a return probe to pop them. An untimed frame is live while the return
 * address its entry saw is still in its stack slot: once the function has
 * returned, the next call its caller makes writes its own return address
 * there. Lock waits and off-CPU time go to live frames.
 */
struct frame {
	__u32 attr;
	__u32 flags;
	__u64 sp;	/* user stack pointer at function entry: the return address slot */
	__u64 ret_addr; /* what that slot held at entry */
	__u64 start_ns; /* timed frames only, like probe_ns and inflight */
	__u64 probe_ns; /* the thread's probe_ns after this frame's entry */
	__u64 hits;	/* the thread's hits after this frame's entry */
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
	__u32 depth;	    /* frames on stack[] */
	__u32 wait_kind;    /* lock kind of the futex wait in progress */
	__u32 wait_attr;    /* the access it is charged to */
	__u32 off_cpu_live; /* bit i: frame i was live when the thread left the CPU */
	__u64 probe_ns;	    /* wall time probe hits cost this thread so far */
	__u64 hits;	    /* probe hits on this thread so far */
	__u64 wait_start;   /* a futex wait in progress began, else 0 */
	__u64 wait_lock;    /* its futex word */
	__u64 switched_out; /* when the thread last left the CPU inside an access, else 0 */
	__u64 preempted;    /* it left runnable (preempted), not blocked */
	__u64 window_sp;    /* a timing window's probe counted the call entered here */
	struct frame stack[MAX_STACK_DEPTH];
	/* The instance this thread last touched each Python attribute on: repeat reads. */
	struct last_touch recent[RECENT_SLOTS];
	__u32 recent_next; /* the slot a new attribute takes */
	__u32 pad2;
	__u64 seen[MAX_ATTRS / 64]; /* attributes this thread has called */
};

#endif /* ATTRPROF_THREAD_BPF_H */
