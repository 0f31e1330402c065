// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * elf: symbols, uprobe offsets and build-ids of this machine's libc and of small objects the
 * tests compile. Expectations come from readelf(1) at test time, never from libelf, so the
 * module cannot silently agree with itself.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfread.h"
#include "harness.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static char dir[] = "/tmp/test_elf.XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	free(sh("rm -rf %s", dir));
}

TestSuite(elf, .init = setup, .fini = teardown);

static void tmp_path(char path[PATH_MAX], const char *name)
{
	snprintf(path, PATH_MAX, "%s/%s", dir, name);
}

/* Writes text to dir/name, whose path goes to path. */
static void write_file(char path[PATH_MAX], const char *name, const char *text)
{
	FILE *f;

	tmp_path(path, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* Compiles src with cc and flags into dir/name, whose path goes to out. */
static void build(char out[PATH_MAX], const char *name, const char *flags, const char *src)
{
	char c[PATH_MAX];

	write_file(c, "src.c", src);
	tmp_path(out, name);
	free(sh("cc %s -o %s %s", flags, out, c));
}

/* st_value and st_size of the symbol readelf prints as name (@version included) in table. */
static uint64_t readelf_sym(const char *path, const char *table, const char *name, uint64_t *size)
{
	char *out = sh("readelf -W %s %s | awk '$8 == \"%s\" { print $2, $3; exit }'", table, path,
		       name);
	char *end;
	uint64_t v = strtoull(out, &end, 16);

	cr_assert_neq(end, out, "%s not in readelf %s %s", name, table, path);
	if (size)
		*size = strtoull(end, NULL, 0); /* readelf prints big sizes as 0x... */
	free(out);
	return v;
}

static bool endbr64_at(const char *path, uint64_t off)
{
	unsigned char b[4] = {0};
	int fd = open(path, O_RDONLY);

	cr_assert_eq(pread(fd, b, sizeof(b), off), 4);
	close(fd);
	return !memcmp(b, "\xf3\x0f\x1e\xfa", 4);
}

/* path opened as ELF; the test fails if it cannot be. */
static struct elf_file *open_elf(const char *path)
{
	char err[PATH_MAX + 64] = "";
	struct elf_file *ef;

	cr_assert_eq(elf__open(path, &ef, err, sizeof(err)), 0, "%s", err);
	return ef;
}

static struct elf_funcs find(const char *path, const char *glob)
{
	struct elf_file *ef = open_elf(path);
	struct elf_funcs f;
	char err[256] = "";

	cr_assert_eq(elf__find_funcs(ef, &glob, 1, &f, err, sizeof(err)), 0, "%s", err);
	elf__close(ef);
	return f;
}

/* The only entry named name; a second one fails the test. */
static const struct elf_func *only(const struct elf_funcs *f, const char *name)
{
	const struct elf_func *hit = NULL;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].name, name))
			continue;
		cr_assert_null(hit, "%s found twice", name);
		hit = &f->v[i];
	}
	cr_assert_not_null(hit, "%s not found", name);
	return hit;
}

static void absent(const struct elf_funcs *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		cr_assert_str_neq(f->v[i].name, name);
}

Test(elf, libc_function_offset)
{
	struct elf_funcs f = find(LIBC, "pthread_mutex_lock");
	const struct elf_func *fn = only(&f, "pthread_mutex_lock");
	uint64_t size, vaddr, off;

	vaddr = readelf_sym(LIBC, "--dyn-syms", "pthread_mutex_lock@@GLIBC_2.2.5", &size);
	off = readelf_offset(LIBC, vaddr);

	cr_assert_eq(f.n, 1);
	cr_assert_eq(fn->vaddr, vaddr);
	cr_assert_eq(fn->size, size);
	cr_assert_eq(fn->offset, off + (endbr64_at(LIBC, off) ? 4 : 0));
	elf__funcs_free(&f);
}

Test(elf, libc_default_version)
{
	struct elf_funcs f = find(LIBC, "pthread_cond_timedwait");
	uint64_t def = readelf_sym(LIBC, "--dyn-syms", "pthread_cond_timedwait@@GLIBC_2.3.2", NULL);
	uint64_t old = readelf_sym(LIBC, "--dyn-syms", "pthread_cond_timedwait@GLIBC_2.2.5", NULL);

	cr_assert_neq(def, old);
	cr_assert_eq(only(&f, "pthread_cond_timedwait")->vaddr, def);
	elf__funcs_free(&f);
}

/* memcpy@@GLIBC_2.14 is an IFUNC resolver, no target, and it hides memcpy@GLIBC_2.2.5. */
Test(elf, libc_ifunc_hides_old_version)
{
	char *types = sh("readelf -W --dyn-syms %s | awk '$8 ~ /^memcpy@/ { print $8, $4 }' | "
			 "LC_ALL=C sort | tr '\\n' ' '",
			 LIBC);
	struct elf_funcs f = find(LIBC, "memcpy");

	cr_assert_str_eq(types, "memcpy@@GLIBC_2.14 IFUNC memcpy@GLIBC_2.2.5 FUNC ");
	cr_assert_eq(f.n, 0);
	free(types);
	elf__funcs_free(&f);
}

Test(elf, libc_glob)
{
	const char *glob = "pthread_mutex_*lock";
	char *names = sh("readelf -W --dyn-syms %s | awk '$4 == \"FUNC\" && $7 != \"UND\" && $3 "
			 "!= 0 { sub(/@.*/, \"\", $8); print $8 }' | LC_ALL=C sort -u",
			 LIBC);
	struct elf_funcs f = find(LIBC, glob);
	char *name, *save;
	size_t i = 0;

	for (name = strtok_r(names, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
		if (fnmatch(glob, name, 0))
			continue;
		cr_assert_lt(i, f.n, "%s missing", name);
		cr_assert_str_eq(f.v[i++].name, name);
	}
	cr_assert_geq(i, 4, "too few matches for the test to mean anything");
	cr_assert_eq(f.n, i);
	free(names);
	elf__funcs_free(&f);
}

Test(elf, glob_matching_nothing)
{
	struct elf_funcs f = find(LIBC, "no_such_function_*");

	cr_assert_eq(f.n, 0);
	elf__funcs_free(&f);
}

Test(elf, not_elf)
{
	char path[PATH_MAX], err[PATH_MAX + 64], want[PATH_MAX + 64];
	struct elf_file *ef;

	write_file(path, "text", "not an ELF file, just text\n");
	snprintf(want, sizeof(want), "%s: not an ELF file", path);
	cr_assert_eq(elf__check(path, err, sizeof(err)), -ENOEXEC);
	cr_assert_str_eq(err, want);
	cr_assert_eq(elf__open(path, &ef, err, sizeof(err)), -ENOEXEC);
	cr_assert_str_eq(err, want);
	cr_assert_null(ef);
	cr_assert_eq(elf__check(LIBC, err, sizeof(err)), 0);
}

Test(elf, missing_file)
{
	char path[PATH_MAX], err[PATH_MAX + 64], want[PATH_MAX + 64];
	struct elf_file *ef;

	tmp_path(path, "missing");
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	cr_assert_eq(elf__check(path, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, want);
	cr_assert_eq(elf__open(path, &ef, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, want);
	cr_assert_null(ef);
}

Test(elf, build_id)
{
	char *want = sh("readelf -n /bin/true | awk '/Build ID:/ { printf \"%%s\", $3 }'");
	struct elf_file *ef = open_elf("/bin/true");
	char id[128], exe[PATH_MAX];

	cr_assert_gt(strlen(want), 0);
	cr_assert_eq(elf__build_id(ef, id, sizeof(id)), 0);
	cr_assert_str_eq(id, want);
	cr_assert_eq(elf__build_id(ef, id, strlen(want)), -ENOSPC);
	elf__close(ef);

	build(exe, "noid", "-Wl,--build-id=none", "int main(void) { return 0; }\n");
	ef = open_elf(exe);
	cr_assert_eq(elf__build_id(ef, id, sizeof(id)), -ENOENT);
	elf__close(ef);
	free(want);
}

Test(elf, interp)
{
	char *want =
		sh("readelf -W -l /bin/true | "
		   "sed -n 's/.*Requesting program interpreter: \\(.*\\)]$/\\1/p' | tr -d '\\n'");
	struct elf_file *ef = open_elf("/bin/true");
	char interp[PATH_MAX], so[PATH_MAX];

	cr_assert_gt(strlen(want), 0);
	cr_assert_eq(elf__interp(ef, interp, sizeof(interp)), 0);
	cr_assert_str_eq(interp, want);
	cr_assert_eq(elf__interp(ef, interp, strlen(want)), -ENOSPC);
	elf__close(ef);

	/* Not libc.so.6 here: it has a PT_INTERP, to run as a program that prints its version. */
	build(so, "lib.so", "-shared -fPIC", "int work(void) { return 1; }\n");
	ef = open_elf(so);
	cr_assert_eq(elf__interp(ef, interp, sizeof(interp)), -ENOENT);
	elf__close(ef);
	free(want);
}

/* The uprobe goes after an endbr64 and at the symbol otherwise. */
static void check_endbr(const char *flags, bool endbr)
{
	char so[PATH_MAX];
	struct elf_funcs f;
	uint64_t off;

	build(so, "lib.so", flags, "int work(int x) { return x * 3 + 1; }\n");
	off = readelf_offset(so, readelf_sym(so, "--dyn-syms", "work", NULL));
	cr_assert_eq(endbr64_at(so, off), endbr, "compiler did not do what the test needs");
	f = find(so, "work");
	cr_assert_eq(only(&f, "work")->offset, off + (endbr ? 4 : 0));
	elf__funcs_free(&f);
}

Test(elf, endbr64_skipped)
{
	check_endbr("-O2 -shared -fPIC -fcf-protection=full", true);
}

Test(elf, no_endbr64)
{
	check_endbr("-O2 -shared -fPIC -fcf-protection=none", false);
}

Test(elf, static_function_in_executable)
{
	char exe[PATH_MAX];
	struct elf_funcs f;
	uint64_t size, vaddr;
	const struct elf_func *fn;

	/* Non-PIE, so that file offsets differ from addresses. */
	build(exe, "prog", "-O2 -fcf-protection=none -no-pie",
	      "static __attribute__((noinline)) int helper(int x)\n"
	      "{ __asm__ volatile(\"\"); return x * 7; }\n"
	      "int main(int argc, char **argv) { (void)argv; return helper(argc); }\n");
	vaddr = readelf_sym(exe, "-s", "helper", &size);
	f = find(exe, "help*");
	fn = only(&f, "helper");
	cr_assert_eq(fn->vaddr, vaddr);
	cr_assert_eq(fn->size, size);
	cr_assert_eq(fn->offset, readelf_offset(exe, vaddr));
	cr_assert_neq(fn->offset, vaddr);
	elf__funcs_free(&f);
}

Test(elf, stripped_keeps_dynsym)
{
	char so[PATH_MAX], stripped[PATH_MAX];
	struct elf_funcs f;

	build(so, "lib.so", "-O2 -shared -fPIC",
	      "static __attribute__((noinline)) int inner(int x)\n"
	      "{ __asm__ volatile(\"\"); return x * 7; }\n"
	      "int api_work(int x) { return inner(x) + 1; }\n");
	tmp_path(stripped, "stripped.so");
	free(sh("strip --strip-all -o %s %s", stripped, so));

	/* In .symtab and .dynsym, listed once. */
	f = find(so, "*");
	only(&f, "api_work");
	only(&f, "inner");
	absent(&f, "_init"); /* st_size 0 */
	elf__funcs_free(&f);

	f = find(stripped, "*");
	cr_assert_eq(only(&f, "api_work")->vaddr, readelf_sym(so, "--dyn-syms", "api_work", NULL));
	absent(&f, "inner");
	elf__funcs_free(&f);
}

/* vfn has an old version and a default one; cfn has an old (hidden) version only. */
Test(elf, symbol_versions)
{
	char so[PATH_MAX], map[PATH_MAX], flags[PATH_MAX + 64], stripped[PATH_MAX];
	const char *paths[] = {so, stripped};
	struct elf_funcs f;
	size_t i;

	write_file(map, "v.map", "V1 { global: vfn; cfn; local: *; };\nV2 { global: vfn; } V1;\n");
	snprintf(flags, sizeof(flags), "-O2 -shared -fPIC -Wl,--version-script=%s", map);
	build(so, "libv.so", flags,
	      "__asm__(\".symver old_impl, vfn@V1\");\n"
	      "__asm__(\".symver new_impl, vfn@@V2\");\n"
	      "__asm__(\".symver compat_impl, cfn@V1\");\n"
	      "int old_impl(int x) { return x + 1; }\n"
	      "int new_impl(int x) { return x + 2; }\n"
	      "int compat_impl(int x) { return x + 3; }\n");
	tmp_path(stripped, "stripped.so");
	free(sh("strip --strip-all -o %s %s", stripped, so));

	/* Unstripped, .symtab also holds "vfn@V1" and "vfn@@V2" as names: the glob sees neither. */
	for (i = 0; i < 2; i++) {
		f = find(paths[i], "?fn*");
		cr_assert_eq(f.n, 2, "%s", paths[i]);
		cr_assert_eq(only(&f, "vfn")->vaddr,
			     readelf_sym(so, "--dyn-syms", "vfn@@V2", NULL));
		cr_assert_eq(only(&f, "cfn")->vaddr, readelf_sym(so, "--dyn-syms", "cfn@V1", NULL));
		elf__funcs_free(&f);
	}
}

/* Data read through symbols and addresses: the readers a stripped CPython needs. */
Test(elf, data_symbols)
{
	static const unsigned char word[8] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
	uint64_t vaddr, size, off, want_size;
	struct elf_file *ef, *other;
	unsigned char b[8];
	char so[PATH_MAX];

	build(so, "lib.so", "-O2 -shared -fPIC",
	      "const unsigned long api_version = 0x0102030405060708UL;\n"
	      "unsigned long api_counter[64];\n"
	      "int api_work(int x) { return x + (int)api_counter[x & 63]; }\n");
	ef = open_elf(so);
	cr_assert_eq(elf__find_object(ef, "api_version", &vaddr, &size), 0);
	cr_assert_eq(vaddr, readelf_sym(so, "--dyn-syms", "api_version", &want_size));
	cr_assert_eq(size, want_size);
	cr_assert_eq(elf__vaddr_offset(ef, vaddr, &off), 0);
	cr_assert_eq(off, readelf_offset(so, vaddr));
	cr_assert_eq(elf__read_vaddr(ef, vaddr, b, sizeof(b)), 0);
	cr_assert_arr_eq(b, word, sizeof(word));

	/* A function is no object; .bss has no file bytes; a missing name is missing. */
	cr_assert_eq(elf__find_object(ef, "api_work", &vaddr, &size), -ENOENT);
	cr_assert_eq(elf__find_object(ef, "api_counter", &vaddr, &size), 0);
	cr_assert_eq(elf__read_vaddr(ef, vaddr, b, sizeof(b)), -ENOENT);
	cr_assert_eq(elf__vaddr_offset(ef, vaddr, &off), -ENOENT);
	cr_assert_eq(elf__find_object(ef, "no_such_object", &vaddr, &size), -ENOENT);

	cr_assert_eq(elf__exports(ef, "api_work"), 0);
	cr_assert_eq(elf__exports(ef, "api_version"), 0);
	cr_assert_eq(elf__exports(ef, "no_such_symbol"), -ENOENT);
	elf__close(ef);
	/* Imported, not defined. */
	other = open_elf("/bin/true");
	cr_assert_eq(elf__exports(other, "exit"), -ENOENT);
	elf__close(other);
	other = open_elf(LIBC);
	cr_assert_eq(elf__exports(other, "exit"), 0);
	elf__close(other);
	cr_assert_eq(elf__open("/nonexistent", &other, NULL, 0), -ENOENT);
}

/* The type of the relocation readelf -r lists at vaddr, "" when none. */
static char *reloc_type(const char *path, uint64_t vaddr)
{
	return sh("readelf -W -r %s | awk '$1 == \"%016" PRIx64 "\" { printf \"%%s\", $3 }'", path,
		  vaddr);
}

#define POINTERS_SRC                                                                               \
	"static __attribute__((noinline)) int target_fn(int x)\n"                                  \
	"{ __asm__ volatile(\"\"); return x * 5; }\n"                                              \
	"int api_work(int x) { return target_fn(x) + 1; }\n"                                       \
	"int (*ptr_to_static)(int) = target_fn;\n"                                                 \
	"int (*ptr_to_global)(int) = api_work;\n"                                                  \
	"int main(void) { return ptr_to_static(1) + ptr_to_global(2); }\n"

/* Returns where ptr_to_static lies, and checks elf__find_pointers finds it and only it. */
static uint64_t check_pointer_to(const char *path, uint64_t target)
{
	uint64_t where[4], at = readelf_sym(path, "-s", "ptr_to_static", NULL), value;
	struct elf_file *ef = open_elf(path);
	size_t n;

	cr_assert_eq(elf__find_pointers(ef, target, where, 4, &n), 0);
	cr_assert_eq(n, 1, "%zu words hold %#" PRIx64, n, target);
	cr_assert_eq(where[0], at);
	cr_assert_eq(elf__read_pointer(ef, at, &value), 0);
	cr_assert_eq(value, target);
	cr_assert_eq(elf__find_pointers(ef, target + 1, where, 4, &n), 0);
	cr_assert_eq(n, 0);
	elf__close(ef);
	return at;
}

Test(elf, relative_relocations)
{
	char so[PATH_MAX], *type;
	uint64_t target, at, value;
	struct elf_file *ef;

	build(so, "lib.so", "-O2 -shared -fPIC", POINTERS_SRC);
	target = readelf_sym(so, "-s", "target_fn", NULL);
	at = check_pointer_to(so, target);
	type = reloc_type(so, at);
	cr_assert_str_eq(type, "R_X86_64_RELATIVE", "the test needs a relative relocation");
	free(type);
	ef = open_elf(so);
	cr_assert_eq(elf__reloc_relative(ef, at, &value), 0);
	cr_assert_eq(value, target);

	/* A preemptible symbol's address depends on binding: no value to give. */
	at = readelf_sym(so, "-s", "ptr_to_global", NULL);
	type = reloc_type(so, at);
	cr_assert_str_eq(type, "R_X86_64_64");
	free(type);
	cr_assert_eq(elf__reloc_relative(ef, at, &value), -ENOTSUP);
	cr_assert_eq(elf__read_pointer(ef, at, &value), -ENOTSUP);

	/* No relocation at all at the function's own address. */
	cr_assert_eq(elf__reloc_relative(ef, target, &value), -ENOENT);
	elf__close(ef);
}

/* In a fixed-address executable the pointer is in the file bytes. */
Test(elf, pointers_in_executable)
{
	char exe[PATH_MAX], *type;
	uint64_t target, at, value;
	struct elf_file *ef;

	build(exe, "prog", "-O2 -no-pie", POINTERS_SRC);
	target = readelf_sym(exe, "-s", "target_fn", NULL);
	at = check_pointer_to(exe, target);
	type = reloc_type(exe, at);
	cr_assert_str_empty(type);
	free(type);
	ef = open_elf(exe);
	cr_assert_eq(elf__reloc_relative(ef, at, &value), -ENOENT);
	elf__close(ef);
}

Test(elf, find_strings)
{
	uint64_t v[4], needle;
	char so[PATH_MAX], b[14];
	struct elf_file *ef;
	size_t n, i;
	int fd;

	build(so, "lib.so", "-O2 -shared -fPIC",
	      "const char *const names[] = {\"needle_string\", \"other\"};\n");
	ef = open_elf(so);
	cr_assert_eq(elf__find_strings(ef, "needle_string", v, 4, &n), 0);
	cr_assert_eq(n, 1);
	needle = v[0];
	fd = open(so, O_RDONLY);
	cr_assert_eq(pread(fd, b, sizeof(b), readelf_offset(so, needle)), (ssize_t)sizeof(b));
	close(fd);
	cr_assert_arr_eq(b, "needle_string", sizeof(b));

	/* The NUL is part of the pattern: a prefix does not match, a suffix does. */
	cr_assert_eq(elf__find_strings(ef, "needle_str", v, 4, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(elf__find_strings(ef, "_string", v, 4, &n), 0);
	for (i = 0; i < n && i < 4 && v[i] != needle + 6; i++)
		;
	cr_assert_lt(i, n, "the tail of needle_string not found");
	cr_assert_eq(elf__find_strings(ef, "no such string", v, 4, &n), 0);
	cr_assert_eq(n, 0);
	elf__close(ef);
}

Test(elf, func_bounds)
{
	uint64_t f1, f2, size, start, end;
	char so[PATH_MAX], bare[PATH_MAX];
	struct elf_file *ef;

	build(so, "lib.so", "-O2 -shared -fPIC -fcf-protection=none",
	      "__attribute__((noinline)) int first(int x) { __asm__ volatile(\"\"); return x * 3; "
	      "}\n"
	      "__attribute__((noinline)) int second(int x) { return first(x) + 7; }\n");
	f1 = readelf_sym(so, "--dyn-syms", "first", &size);
	f2 = readelf_sym(so, "--dyn-syms", "second", NULL);
	ef = open_elf(so);
	cr_assert_eq(elf__func_bounds(ef, f1 + size - 1, &start, &end), 0);
	cr_assert_eq(start, f1);
	cr_assert_geq(end, f1 + size);
	cr_assert_eq(elf__func_bounds(ef, f2, &start, &end), 0);
	cr_assert_eq(start, f2);
	elf__close(ef);

	/* Without .eh_frame_hdr there is no table to search. */
	build(bare, "bare.so",
	      "-O2 -shared -fPIC -fno-asynchronous-unwind-tables -Wl,--no-eh-frame-hdr",
	      "int first(int x) { return x * 3; }\n");
	free(sh("! readelf -W -l %s | grep -q GNU_EH_FRAME", bare));
	ef = open_elf(bare);
	cr_assert_eq(elf__func_bounds(ef, f1, &start, &end), -ENOENT);
	elf__close(ef);
}
