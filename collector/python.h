/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * CPython detection: which mapped file holds the interpreter, its version
 * and build read from the file (never by running it), the descriptor entry
 * points to probe, found by symbol or, in a stripped build, through data the
 * binary carries (type slots, the slotdefs table), and the struct offsets of
 * that version. docs/cpython-layout.md has the facts and how each was checked.
 */
#ifndef ATTRPROF_PYTHON_H
#define ATTRPROF_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "py_func.h" /* enum py_func: also the probes' cookie, so it lives in probe/ */
#include <linux/types.h>
#include "attrprof.h"
#include "target.h"

/*
 * Where to probe one function; found == false when this build has no usable one (or when
 * another site stands in for it), and then only how is set. An entry probe goes at offset,
 * which may lie past the first instruction when that one would be single-stepped and a later
 * emulated one still sees the arguments (docs §5); the stack pointer may have moved by then
 * (slot_tp_descr_set+0x10 follows a sub $0x28,%rsp), so a return probe must go at
 * func_offset, where the return address is still at (%rsp).
 */
struct py_site {
	bool found;
	uint64_t vaddr; /* the function, [vaddr, vaddr + size) as the file links it */
	uint64_t size;
	uint64_t offset;      /* file offset of the entry-probe instruction in obj->host_path */
	uint64_t func_offset; /* file offset of the function's first instruction (past endbr64) */
	uint32_t sp_adjust;   /* bytes the prologue before offset took off %rsp: no return
				 probe can go at offset then, only at func_offset */
	uint8_t head[16];     /* bytes at offset, for insn__classify() */
	size_t head_len;
	const char *how; /* static string: how it was found ("symbol", "PyProperty_Type slot",
			    "slotdefs", ...) or why not; for diagnostics */
};

struct python {
	const struct target_object
		*obj; /* the file with the interpreter (executable or libpython) */
	unsigned int major, minor, micro;
	struct py_offsets layout; /* for the probes' rodata (probe/attrprof.h) */
	struct py_site sites[PYF_COUNT];
};

/*
 * Looks for a CPython interpreter among objs (a libpython3.X.so by name, else
 * an object whose .dynsym exports the C API, like Debian's statically linked
 * /usr/bin/python3.11; objects that cannot be read are passed over). Returns 0
 * and fills *py (py->obj points into objs), -ENOENT when there is none (not a
 * Python process: no message), or -ENOTSUP with "PATH: cause" in err naming
 * the version or build refused (supported: 3.9 to 3.13, default build;
 * free-threaded and other ABI-flag builds are refused), or another negative
 * errno with a message. Reads the files only; nothing is kept open.
 */
int python__detect(const struct target_objects *objs, struct python *py, char *err, size_t errlen);

/* "property_descr_get" etc. */
const char *python__func_name(enum py_func f);
/* f's symbol in CPython 3.minor (3.12 renamed the getattr slots); "?" when out of range. */
const char *python__func_symbol(enum py_func f, unsigned int minor);

#endif /* ATTRPROF_PYTHON_H */
