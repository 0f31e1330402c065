/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading the ELF files of a target with libelf: which functions match the
 * user's globs and at which file offset to put their uprobes, the GNU
 * build-id that identifies a binary in a profile, and the program interpreter
 * that lists a command's libraries. Paths are opened read-only and nothing is
 * cached between calls.
 */
#ifndef ATTRPROF_ELFREAD_H
#define ATTRPROF_ELFREAD_H

#include <stddef.h>
#include <stdint.h>

struct elf_func {
	char *name;	  /* symbol name, without any @VERSION suffix */
	uint64_t vaddr;	  /* st_value */
	uint64_t offset;  /* file offset to put a uprobe at (past an endbr64) */
	uint64_t size;	  /* st_size, bytes */
	uint8_t head[16]; /* the first bytes at offset, for insn__classify() */
	size_t head_len;
};

struct elf_funcs {
	struct elf_func *v;
	size_t n;
};

/*
 * Returns 0 when path is a readable ELF file; -ENOEXEC with "PATH: not an ELF
 * file" in err otherwise, or -errno with "PATH: strerror" for I/O errors.
 * err is always NUL-terminated when errlen > 0.
 */
int elf__check(const char *path, char *err, size_t errlen);

/*
 * Defined, sized STT_FUNC symbols of path, local and global, from .symtab and
 * .dynsym, whose name matches any of the nglobs fnmatch(3) globs. Sorted by
 * (name, vaddr) with (name, vaddr) pairs unique. A versioned name yields its
 * default (@@) version only; versions hidden by it are dropped, while a name
 * that has hidden versions only (old compat symbols) keeps them. Distinct
 * static functions sharing a name each appear, as do aliases of one address.
 *
 * Returns 0 (possibly with out->n == 0) and fills *out, which the caller
 * frees with elf__funcs_free; on error returns a negative errno, leaves *out
 * empty and writes "PATH: cause" into err.
 */
int elf__find_funcs(const char *path, const char *const *globs, size_t nglobs,
		    struct elf_funcs *out, char *err, size_t errlen);

/* Frees the names and the array of f and empties it; NULL-safe. */
void elf__funcs_free(struct elf_funcs *f);

/*
 * The GNU build-id note of path as lowercase hex into buf (len bytes, NUL
 * included). Returns 0, -ENOENT when there is none, -ENOSPC if buf is too
 * small, -ENOEXEC if path is not ELF, or -errno if path cannot be read.
 */
int elf__build_id(const char *path, char *buf, size_t len);

/*
 * The program interpreter (PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2) of path into buf (len
 * bytes, NUL included). Returns 0, -ENOENT when there is none (a static executable, a shared
 * library), -ENOSPC if buf is too small, -ENOEXEC if path is not ELF or its PT_INTERP is
 * broken, or -errno if path cannot be read.
 */
int elf__interp(const char *path, char *buf, size_t len);

#endif /* ATTRPROF_ELFREAD_H */
