// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The first-instruction classifier against hand-assembled x86-64 bytes. */
#include <criterion/criterion.h>
#include "insn.h"

#define CLASSIFY(...)                                                                              \
	({                                                                                         \
		const uint8_t code[] = {__VA_ARGS__};                                              \
		insn__classify(code, sizeof(code));                                                \
	})

Test(insn, emulated)
{
	cr_assert_eq(CLASSIFY(0x55), INSN_EMULATED);			     /* push %rbp */
	cr_assert_eq(CLASSIFY(0x41, 0x57), INSN_EMULATED);		     /* push %r15 */
	cr_assert_eq(CLASSIFY(0x90), INSN_EMULATED);			     /* nop */
	cr_assert_eq(CLASSIFY(0x0f, 0x1f, 0x44, 0x00, 0x00), INSN_EMULATED); /* nopl */
	cr_assert_eq(CLASSIFY(0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00), INSN_EMULATED);
	cr_assert_eq(CLASSIFY(0xe9, 0, 0, 0, 0), INSN_EMULATED);       /* jmp rel32 */
	cr_assert_eq(CLASSIFY(0xe8, 0, 0, 0, 0), INSN_EMULATED);       /* call rel32 */
	cr_assert_eq(CLASSIFY(0x74, 0x10), INSN_EMULATED);	       /* je rel8 */
	cr_assert_eq(CLASSIFY(0x0f, 0x85, 0, 0, 0, 0), INSN_EMULATED); /* jne rel32 */
}

Test(insn, single_stepped)
{
	cr_assert_eq(CLASSIFY(0x48, 0x89, 0xf8), INSN_SSTEP);	    /* mov %rdi,%rax */
	cr_assert_eq(CLASSIFY(0x8b, 0x47, 0x10), INSN_SSTEP);	    /* mov 0x10(%rdi),%eax */
	cr_assert_eq(CLASSIFY(0x48, 0x63, 0xc7), INSN_SSTEP);	    /* movslq %edi,%rax */
	cr_assert_eq(CLASSIFY(0xc3), INSN_SSTEP);		    /* ret */
	cr_assert_eq(CLASSIFY(0x48, 0x83, 0xec, 0x08), INSN_SSTEP); /* sub $8,%rsp */
	cr_assert_eq(insn__classify(NULL, 0), INSN_SSTEP);
	cr_assert_eq(CLASSIFY(0x41), INSN_SSTEP); /* truncated after REX */
}

Test(insn, refused_prefixes)
{
	/* lock addq $1,0x2a37(%rip): what gcc emits first for a counter bump */
	cr_assert_eq(CLASSIFY(0xf0, 0x48, 0x83, 0x05, 0x37, 0x2a, 0, 0, 0x01), INSN_REFUSED);
	cr_assert_eq(CLASSIFY(0x66, 0xf0, 0x83, 0x00, 0x01), INSN_REFUSED);
	cr_assert_eq(CLASSIFY(0x2e, 0x90), INSN_REFUSED);	/* cs prefix */
	cr_assert_eq(CLASSIFY(0x3e, 0xff, 0xe0), INSN_REFUSED); /* ds prefix (notrack jmp) */
	/* fs and gs overrides are fine: thread-local accesses use them */
	cr_assert_eq(CLASSIFY(0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0), INSN_SSTEP);
}

Test(insn, names)
{
	cr_assert_str_eq(insn__class_name(INSN_EMULATED), "emulated");
	cr_assert_str_eq(insn__class_name(INSN_SSTEP), "single-step");
	cr_assert_str_eq(insn__class_name(INSN_REFUSED), "refused");
}
