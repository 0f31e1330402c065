// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A leaf built WITHOUT frame pointers (Makefile): its first instruction is
 * a plain mov/lea, which x86 uprobes cannot emulate and single-step instead
 * (kernel 6.18 emulates push, nops and branches only). Kept in its own file
 * so the flag applies to it alone.
 */
unsigned long bench_leaf(unsigned long x);

unsigned long leaf_sink;

__attribute__((noinline)) unsigned long bench_leaf(unsigned long x)
{
	return x * 3 + leaf_sink;
}
