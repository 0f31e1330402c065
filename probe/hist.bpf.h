/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Log-linear histogram slot, the BPF twin of profile/hist.c's hist__slot(). */
#ifndef ATTRPROF_HIST_BPF_H
#define ATTRPROF_HIST_BPF_H

#include "attrprof.h"

/* Index of the most significant set bit; v must be non-zero. Branch-light for the verifier. */
static __always_inline __u64 msb64(__u64 v)
{
	__u64 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5;
	v >>= shift;
	r |= shift;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	return r | (v >> 1);
}

/* 64-bit all through: 32-bit values make clang check a copy and index with the original. */
static __always_inline __u64 hist_slot(__u64 v)
{
	__u64 e;

	if (v < HIST_SUBS)
		return v;
	e = msb64(v);
	/* Bounding e bounds the slot, in a form the verifier follows. */
	if (e > HIST_MAX_EXP)
		return HIST_SLOTS - 1;
	return (e - HIST_SUB_BITS + 1) * HIST_SUBS + ((v >> (e - HIST_SUB_BITS)) & (HIST_SUBS - 1));
}

#endif /* ATTRPROF_HIST_BPF_H */
