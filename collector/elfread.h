/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading the ELF files of a target with libelf: which functions match the
 * user's globs and at which file offset to put their uprobes, the GNU
 * build-id that identifies a binary in a profile, and the program interpreter
 * that lists a command's libraries. A file is opened once, read-only, and every
 * query of it goes through that handle.
 */
#ifndef ATTRPROF_ELFREAD_H
#define ATTRPROF_ELFREAD_H

#include <stdbool.h>
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

/* An ELF file open for the queries below. */
struct elf_file;

/*
 * Opens path read-only as an ELF file into *ef, which the caller closes with
 * elf__close. Returns 0; or, with *ef NULL, -ENOEXEC with "PATH: not an ELF
 * file" in err, or -errno with "PATH: strerror" for I/O errors (-ENOMEM too).
 * err is NUL-terminated on failure when errlen > 0.
 */
int elf__open(const char *path, struct elf_file **ef, char *err, size_t errlen);

/* Closes ef and frees it; NULL-safe. */
void elf__close(struct elf_file *ef);

/* elf__open and elf__close: 0 when path is a readable ELF file, else elf__open's errors. */
int elf__check(const char *path, char *err, size_t errlen);

/*
 * Defined, sized STT_FUNC symbols of ef, local and global, from .symtab and
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
int elf__find_funcs(const struct elf_file *ef, const char *const *globs, size_t nglobs,
		    struct elf_funcs *out, char *err, size_t errlen);

/* Frees the names and the array of f and empties it; NULL-safe. */
void elf__funcs_free(struct elf_funcs *f);

/*
 * The GNU build-id note of ef as lowercase hex into buf (len bytes, NUL
 * included). Returns 0, -ENOENT when there is none, or -ENOSPC if buf is too
 * small.
 */
int elf__build_id(const struct elf_file *ef, char *buf, size_t len);

/*
 * The program interpreter (PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2) of ef into buf (len
 * bytes, NUL included). Returns 0, -ENOENT when there is none (a static executable, a shared
 * library), -ENOSPC if buf is too small, or -ENOEXEC if its PT_INTERP is broken.
 */
int elf__interp(const struct elf_file *ef, char *buf, size_t len);

/*
 * Data and code read through symbols, addresses and relocations, for a binary whose static
 * functions have no symbols left (a stripped CPython). The functions below return 0, -ENOENT
 * when what they look for is not there, or the error each names; no message.
 */

/* Address and size of the defined STT_OBJECT symbol name, from .dynsym or else .symtab. */
int elf__find_object(const struct elf_file *ef, const char *name, uint64_t *vaddr, uint64_t *size);

/* 0 when ef's .dynsym defines a global or weak symbol called name, of any type. */
int elf__exports(const struct elf_file *ef, const char *name);

/* Whether ef is ET_EXEC: loaded at its own addresses, with no load bias. */
bool elf__is_fixed(const struct elf_file *ef);

/* The file offset of virtual address vaddr; -ENOENT outside every PT_LOAD's file bytes. */
int elf__vaddr_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *off);

/*
 * The len file bytes at [vaddr, vaddr + len) into buf, as mapped through one PT_LOAD segment.
 * -ENOENT when no segment's file bytes hold the whole range (.bss, for one).
 */
int elf__read_vaddr(const struct elf_file *ef, uint64_t vaddr, void *buf, size_t len);

/*
 * The addend of the R_X86_64_RELATIVE relocation at vaddr, i.e. the unrelocated address an
 * ET_DYN file stores there. -ENOENT when no relocation applies at vaddr; -ENOTSUP when one of
 * another type does (its value depends on symbol binding), for a file that is not x86-64, or
 * for one that packs relocations into SHT_RELR (not read).
 */
int elf__reloc_relative(const struct elf_file *ef, uint64_t vaddr, uint64_t *value);

/*
 * The 8-byte address stored at vaddr before relocation by the load bias: the
 * R_X86_64_RELATIVE addend there if there is one, else the file bytes (an ET_EXEC binary).
 * Errors as elf__reloc_relative and elf__read_vaddr.
 */
int elf__read_pointer(const struct elf_file *ef, uint64_t vaddr, uint64_t *value);

/*
 * Addresses of every occurrence of the string s, its NUL included, in the file bytes of
 * read-only PT_LOAD segments (a match may be the tail of a longer string). Stores the first
 * max into vaddrs and the count of all into *n; 0 even when there is none, -ENOEXEC when the
 * file's bytes or program headers cannot be read.
 */
int elf__find_strings(const struct elf_file *ef, const char *s, uint64_t *vaddrs, size_t max,
		      size_t *n);

/*
 * Addresses of the 8-byte words in writable data that hold the address target once loaded:
 * R_X86_64_RELATIVE relocations with that addend in an ET_DYN file, 8-byte-aligned file bytes
 * of writable PT_LOAD segments otherwise. Stores the first max into where and the count of
 * all into *n. -ENOTSUP for a file that is not x86-64 or that has SHT_RELR relocations,
 * -ENOEXEC when the file's bytes cannot be read.
 */
int elf__find_pointers(const struct elf_file *ef, uint64_t target, uint64_t *where, size_t max,
		       size_t *n);

/*
 * The function containing vaddr according to the .eh_frame_hdr search table: *start is the
 * greatest FDE start <= vaddr, *end the next FDE start (UINT64_MAX after the last), an upper
 * bound of the function's code, which may end earlier. -ENOENT without PT_GNU_EH_FRAME or
 * below its first FDE; -ENOTSUP for a table in an encoding other than GNU ld's; -ENOEXEC for
 * one longer than its segment.
 */
int elf__func_bounds(const struct elf_file *ef, uint64_t vaddr, uint64_t *start, uint64_t *end);

#endif /* ATTRPROF_ELFREAD_H */
