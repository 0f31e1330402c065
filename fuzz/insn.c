// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The x86-64 instruction classifier (insn__classify) on any bytes as a function's start. */
#include <stdlib.h>
#include "fuzz_util.h"
#include "insn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum insn_class c = insn__classify(data, size);

	if (c != INSN_EMULATED && c != INSN_SSTEP && c != INSN_REFUSED)
		abort();
	insn__class_name(c);
	return 0;
}
