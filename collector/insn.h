/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the kernel does with a uprobe on an x86-64 instruction: the trap's
 * cost depends on it (emulated: about 1 us a hit here; single-stepped out of
 * line: about 5 us), and some instructions it refuses without telling
 * anyone (the breakpoint is simply never installed).
 */
#ifndef ATTRPROF_INSN_H
#define ATTRPROF_INSN_H

#include <stddef.h>
#include <stdint.h>

enum insn_class {
	INSN_EMULATED, /* push, nop, jmp, call, jcc: executed by the kernel in the trap */
	INSN_SSTEP,    /* copied out of line and single-stepped */
	INSN_REFUSED,  /* a LOCK or segment prefix: arch/x86/kernel/uprobes.c is_prefix_bad() */
};

/*
 * Classifies the instruction at code (len bytes available). An empty or
 * truncated buffer classifies as INSN_SSTEP: the costlier guess.
 */
enum insn_class insn__classify(const uint8_t *code, size_t len);

/* "emulated", "single-step" or "refused". */
const char *insn__class_name(enum insn_class c);

#endif /* ATTRPROF_INSN_H */
