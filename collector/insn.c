// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdbool.h>
#include "insn.h"

/* Legacy prefixes; uprobes refuse LOCK and the ES/CS/SS/DS segment overrides. */
static bool is_prefix(uint8_t b, bool *refused)
{
	switch (b) {
	case 0xf0: /* lock */
	case 0x26: /* es */
	case 0x2e: /* cs */
	case 0x36: /* ss */
	case 0x3e: /* ds */
		*refused = true;
		return true;
	case 0xf2:
	case 0xf3:
	case 0x64:
	case 0x65:
	case 0x66:
	case 0x67:
		return true;
	default:
		return false;
	}
}

/*
 * The kernel emulates (Linux 6.x, arch/x86/kernel/uprobes.c): push of a
 * register, nops, and relative jmp, call and jcc.
 */
enum insn_class insn__classify(const uint8_t *code, size_t len)
{
	bool refused = false;
	size_t i = 0;
	uint8_t op;

	while (i < len && is_prefix(code[i], &refused))
		i++;
	if (refused)
		return INSN_REFUSED;
	if (i < len && (code[i] & 0xf0) == 0x40) /* REX */
		i++;
	if (i >= len)
		return INSN_SSTEP;
	op = code[i];
	if ((op >= 0x50 && op <= 0x57) || op == 0x90 || op == 0xe8 || op == 0xe9 || op == 0xeb ||
	    (op >= 0x70 && op <= 0x7f))
		return INSN_EMULATED;
	if (op == 0x0f && i + 1 < len &&
	    (code[i + 1] == 0x1f || (code[i + 1] >= 0x80 && code[i + 1] <= 0x8f)))
		return INSN_EMULATED;
	return INSN_SSTEP;
}

const char *insn__class_name(enum insn_class c)
{
	switch (c) {
	case INSN_EMULATED:
		return "emulated";
	case INSN_REFUSED:
		return "refused";
	default:
		return "single-step";
	}
}
