// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The ELF readers (collector/elfread.c) on any bytes as a file: function
 * symbols with their versions and uprobe offsets, the build-id note,
 * PT_INTERP, and the PT_LOAD, relocation and .eh_frame_hdr walks, at the
 * addresses of the file's own functions and strings as CPython detection
 * would ask for them.
 */
#include "elfread.h"
#include "fuzz_util.h"

/* Each reader asked about one address the file itself names. */
static void at_address(const struct elf_file *ef, uint64_t vaddr)
{
	uint64_t off, value, start, end, where[8];
	unsigned char buf[64];
	size_t n;

	elf__vaddr_offset(ef, vaddr, &off);
	elf__read_vaddr(ef, vaddr, buf, sizeof(buf));
	elf__reloc_relative(ef, vaddr, &value);
	elf__read_pointer(ef, vaddr, &value);
	elf__func_bounds(ef, vaddr, &start, &end);
	elf__find_pointers(ef, vaddr, where, sizeof(where) / sizeof(where[0]), &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const globs[] = {"*"};
	const char *path = fuzz__file(0, data, size);
	uint64_t vaddrs[4], vaddr, objsize;
	struct elf_funcs funcs;
	char err[256], buf[256];
	struct elf_file *ef;
	size_t n;

	if (elf__open(path, &ef, err, sizeof(err)))
		return 0;
	elf__build_id(ef, buf, sizeof(buf));
	elf__build_id(ef, buf, 8); /* too small for any real build-id */
	elf__interp(ef, buf, sizeof(buf));
	elf__exports(ef, "Py_Initialize");
	if (!elf__find_funcs(ef, globs, 1, &funcs, err, sizeof(err))) {
		for (size_t i = 0; i < funcs.n && i < 4; i++)
			at_address(ef, funcs.v[i].vaddr);
		elf__funcs_free(&funcs);
	}
	if (!elf__find_object(ef, "Py_Version", &vaddr, &objsize))
		at_address(ef, vaddr);
	if (!elf__find_strings(ef, "__get__", vaddrs, 4, &n))
		for (size_t i = 0; i < n && i < 4; i++)
			at_address(ef, vaddrs[i]);
	elf__close(ef);
	return 0;
}
