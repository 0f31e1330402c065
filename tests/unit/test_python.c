// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * python: CPython detection on the interpreters of this machine: the pyenv builds (full
 * symbols), stripped copies of them (sites recovered from data), and Debian's stripped
 * /usr/bin/python3.11. Expected addresses come from readelf(1) at test time or, for the
 * Debian binary, from docs/cpython-layout.md §7, and each symbol attrprof's table of entry
 * points names must be where docs §5 says; bytes are read with pread(2). Nothing is
 * computed with elfread, so the module cannot silently agree with itself.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "python.h"

#define PYENV "/root/.pyenv/versions"
#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"
#define DEBIAN "/usr/bin/python3.11"
/* The build docs/cpython-layout.md §7 describes. */
#define DEBIAN_BUILD_ID "571d98e01096d5c1c32420d229a6731a0a50d2a0"

static char dir[] = "/tmp/test_python.XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	free(sh("rm -rf %s", dir));
}

TestSuite(python, .init = setup, .fini = teardown);

static void need(const char *path)
{
	if (access(path, R_OK))
		cr_skip_test("%s is missing on this machine", path);
}

/* The only address readelf -s lists for the function or object name in path. */
static uint64_t readelf_sym(const char *path, const char *name)
{
	char *out = sh("readelf -W -s %s | awk '$8 == \"%s\" && ($4 == \"FUNC\" || $4 == "
		       "\"OBJECT\") { print $2 }' | sort -u",
		       path, name);
	char *end;
	uint64_t v = strtoull(out, &end, 16);

	cr_assert_neq(end, out, "%s not in readelf -s %s", name, path);
	cr_assert_str_eq(end, "\n", "%s: several addresses for %s", path, name);
	free(out);
	return v;
}

static void read_at(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	cr_assert_geq(fd, 0, "%s", path);
	cr_assert_eq(pread(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static void write_at(const char *path, uint64_t off, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY);

	cr_assert_geq(fd, 0, "%s", path);
	cr_assert_eq(pwrite(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

/* The site's head[] must be the file's bytes at its offset. */
static void check_head(const char *path, enum py_func f, const struct py_site *s)
{
	uint8_t b[sizeof(s->head)];

	cr_assert_gt(s->head_len, 0, "%s", python__func_name(f));
	read_at(path, s->offset, b, s->head_len);
	cr_assert_arr_eq(s->head, b, s->head_len, "%s: head", python__func_name(f));
}

static int detect(const char *const *paths, size_t n, struct python *py, char *err, size_t errlen)
{
	struct target_object o[8];
	struct target_objects objs = {.v = o, .n = n};
	size_t i;

	cr_assert_leq(n, 8);
	for (i = 0; i < n; i++)
		o[i] = (struct target_object){.path = (char *)paths[i],
					      .host_path = (char *)paths[i]};
	return python__detect(&objs, py, err, errlen);
}

#define DOCS "docs/cpython-layout.md"

/*
 * The address docs §5's symbol table gives symbol in pyenv build `column`
 * (0 for 3.9 ... 4 for 3.13): its row is the function's name, and a cell
 * marked `_Py_` names the prefixed symbol. 0 when the table lacks it. The
 * table came from readelf, not from attrprof's own list of entry points.
 */
static uint64_t docs_vaddr(const char *symbol, unsigned int column)
{
	FILE *f = fopen(DOCS, "r");
	char line[1024];
	bool in_table = false;
	uint64_t vaddr = 0;

	cr_assert_not_null(f, "%s", DOCS);
	while (!vaddr && fgets(line, sizeof(line), f)) {
		char row[128], *cell = line;
		size_t len;

		if (strstr(line, "Symbols, pyenv builds"))
			in_table = true;
		if (!in_table || line[0] != '|' || sscanf(line, "| %127s", row) != 1)
			continue;
		/* Past the name and bind cells to the build's. */
		for (unsigned int c = 0; c < column + 2 && cell; c++)
			cell = strchr(cell + 1, '|');
		if (!cell)
			continue;
		cell += strspn(cell + 1, " ") + 1;
		len = strlen("`_Py_`");
		if (!strncmp(cell, "`_Py_`", len)) {
			cell += len;
			memmove(row + 4, row, strlen(row) + 1);
			memcpy(row, "_Py_", 4);
		}
		if (!strcmp(row, symbol))
			vaddr = strtoull(cell, NULL, 16);
	}
	fclose(f);
	return vaddr;
}

/*
 * Where docs §5 says the entry probe goes past the symbol: property_descr_get+7 (push %r12)
 * from 3.11 on, slot_tp_descr_set+0x10 (je) everywhere. Fills the expected first bytes.
 */
static uint64_t expected_shift(enum py_func f, unsigned int minor, uint8_t want[2], size_t *n)
{
	*n = 0;
	if (f == PYF_PROP_GET && minor >= 11) {
		want[0] = 0x41;
		want[1] = 0x54;
		*n = 2;
		return 7;
	}
	if (f == PYF_DESCR_SET) {
		want[0] = 0x74;
		*n = 1;
		return 0x10;
	}
	return 0;
}

struct pyenv {
	const char *version;
	unsigned int minor, micro; /* micro only where Py_Version exists (3.11+) */
};

static const struct pyenv builds[] = {
	{"3.9.18", 9, 0},  {"3.10.13", 10, 0}, {"3.11.7", 11, 7},
	{"3.12.1", 12, 1}, {"3.13.0", 13, 0},
};

static void lib_path(char out[PATH_MAX], const struct pyenv *b)
{
	snprintf(out, PATH_MAX, PYENV "/%s/lib/libpython3.%u.so.1.0", b->version, b->minor);
}

/* The layout values docs §1-§4 give for 3.minor. */
static void check_layout(const struct py_offsets *l, unsigned int minor)
{
	static const uint32_t ht_qualname[] = {856, 864, 864, 872, 872};
	unsigned int i = minor - 9;

	cr_assert_eq(l->ob_type, 8);
	cr_assert_eq(l->tp_name, 24);
	cr_assert_eq(l->tp_flags, 168);
	cr_assert_eq(l->tp_dict, 264);
	cr_assert_eq(l->tp_dictoffset, 288);
	cr_assert_eq(l->tp_mro, 344);
	cr_assert_eq(l->ht_qualname, ht_qualname[i]);
	cr_assert_eq(l->tuple_items, 24);
	cr_assert_eq(l->unicode_state, 32);
	cr_assert_eq(l->unicode_ascii_data, minor <= 11 ? 48 : 40);
	cr_assert_eq(l->unicode_compact_utf8, minor <= 11 ? 56 : 48);
	cr_assert_eq(l->dict_keys, 32);
	cr_assert_eq(l->dk_size, minor <= 10 ? 8 : 0);
	cr_assert_eq(l->dk_log2_size, minor <= 10 ? 0 : 8);
	cr_assert_eq(l->dk_nentries, minor <= 10 ? 32 : 24);
	cr_assert_eq(l->dk_indices, minor <= 10 ? 40 : 32);
	cr_assert_eq(l->descr_type, 16);
	cr_assert_eq(l->descr_name, 24);
	cr_assert_eq(l->prop_get, 16);
	cr_assert_eq(l->prop_name, minor == 9 ? 0 : 48);
	cr_assert_eq(l->func_name, minor == 9 ? 64 : 32);
	cr_assert_eq(l->member_def_name, 0);
	cr_assert_eq(l->tpflags_heaptype, 0x200);
	cr_assert_eq(l->tpflags_managed_dict, minor >= 11 ? 0x10 : 0);
}

/*
 * Checks py's site for f against the symbol's address in symbols (a file with .symtab) and
 * the bytes of probed, the file python__detect read.
 */
static void check_site(const struct python *py, enum py_func f, const char *symbols,
		       const char *probed)
{
	const struct py_site *s = &py->sites[f];
	const char *name = python__func_symbol(f, py->minor);
	uint64_t vaddr = readelf_sym(symbols, name), off = readelf_offset(symbols, vaddr), shift;
	uint8_t want[2];
	size_t n;

	/* The symbol attrprof looks for is the one docs §5 lists for this build, where it is. */
	cr_assert_eq(docs_vaddr(name, py->minor - 9), vaddr,
		     "3.%u %s: not at the address docs §5 gives", py->minor, name);

	shift = expected_shift(f, py->minor, want, &n);
	cr_assert(s->found, "3.%u %s not found: %s", py->minor, name, s->how);
	cr_assert_not_null(s->how);
	cr_assert_eq(s->func_offset, off, "3.%u %s: func_offset %#" PRIx64 ", want %#" PRIx64,
		     py->minor, name, s->func_offset, off);
	cr_assert_eq(s->offset, off + shift, "3.%u %s: offset %#" PRIx64 ", want %#" PRIx64,
		     py->minor, name, s->offset, off + shift);
	check_head(probed, f, s);
	cr_assert_arr_eq(s->head, want, n, "3.%u %s: not the instruction docs §5 name", py->minor,
			 name);
}

static void check_pyenv(const struct pyenv *b)
{
	char exe[PATH_MAX], lib[PATH_MAX], err[512] = "x";
	const char *paths[] = {exe, lib, LIBC};
	struct python py;
	unsigned int f;

	snprintf(exe, sizeof(exe), PYENV "/%s/bin/python3.%u", b->version, b->minor);
	lib_path(lib, b);
	need(exe);
	need(lib);
	/* The executable imports the C API from libpython: not the interpreter file. */
	cr_assert_eq(detect(paths, 3, &py, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_empty(err);
	cr_assert_str_eq(py.obj->path, lib);
	cr_assert_eq(py.major, 3);
	cr_assert_eq(py.minor, b->minor);
	cr_assert_eq(py.micro, b->micro);
	check_layout(&py.layout, b->minor);
	for (f = 0; f < PYF_COUNT; f++) {
		if (f == PYF_MEMBER_SETONE)
			cr_assert_not(py.sites[f].found,
				      "3.%u: both member_set and PyMember_SetOne", b->minor);
		else
			check_site(&py, f, lib, lib);
	}
}

Test(python, pyenv_3_9)
{
	check_pyenv(&builds[0]);
}

Test(python, pyenv_3_10)
{
	check_pyenv(&builds[1]);
}

Test(python, pyenv_3_11)
{
	check_pyenv(&builds[2]);
}

Test(python, pyenv_3_12)
{
	check_pyenv(&builds[3]);
}

Test(python, pyenv_3_13)
{
	check_pyenv(&builds[4]);
}

/*
 * A stripped copy keeps .dynsym only: the static functions come back from the type slots and
 * slotdefs, through R_X86_64_RELATIVE addends, at the addresses the original's .symtab gives.
 * slot_tp_getattro (no absolute store in PIC code) and take_gil stay unknown.
 */
static void check_stripped(const struct pyenv *b)
{
	char lib[PATH_MAX], copy[PATH_MAX], err[512];
	const char *paths[] = {copy};
	struct python py;
	unsigned int f;

	lib_path(lib, b);
	need(lib);
	snprintf(copy, sizeof(copy), "%s/libpython3.%u.so.1.0", dir, b->minor);
	free(sh("strip --strip-all -o %s %s", copy, lib));
	free(sh("! readelf -W -S %s | grep -q '\\.symtab'", copy));

	cr_assert_eq(detect(paths, 1, &py, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(py.minor, b->minor);
	for (f = 0; f < PYF_COUNT; f++) {
		if (f == PYF_MEMBER_SETONE || f == PYF_GETATTRO || f == PYF_TAKE_GIL) {
			cr_assert_not(py.sites[f].found, "%s", python__func_name(f));
			cr_assert_not_null(py.sites[f].how);
			continue;
		}
		check_site(&py, f, lib, copy);
	}
	cr_assert_str_eq(py.sites[PYF_PROP_GET].how, "PyProperty_Type slot");
	cr_assert_str_eq(py.sites[PYF_DESCR_GET].how, "slotdefs __get__");
}

Test(python, stripped_3_9)
{
	check_stripped(&builds[0]);
}

Test(python, stripped_3_10)
{
	check_stripped(&builds[1]);
}

Test(python, stripped_3_11)
{
	check_stripped(&builds[2]);
}

Test(python, stripped_3_12)
{
	check_stripped(&builds[3]);
}

Test(python, stripped_3_13)
{
	check_stripped(&builds[4]);
}

/* A site docs §7 gives for the Debian binary: file offset, first bytes at the function. */
struct debian_site {
	enum py_func f;
	uint64_t func_offset, offset;
	const char *first; /* bytes at func_offset */
	size_t first_len;
};

Test(python, debian_python3_11)
{
	static const struct debian_site want[] = {
		{PYF_DESCR_GET, 0x1e35d0, 0x1e35d0, "\x41\x55", 2},	  /* push %r13 */
		{PYF_DESCR_SET, 0xb1761, 0xb1772, "\x48\x83\xec\x28", 4}, /* sub; jne at +0x11 */
		{PYF_PROP_GET, 0x167a10, 0x167a10, "\x55", 1},		  /* push %rbp */
		{PYF_PROP_SET, 0x23af60, 0x23af60, "\x55", 1},
		{PYF_MEMBER_GET, 0x144600, 0x144600, "\x55", 1},
		{PYF_GETSET_GET, 0x148920, 0x148920, "\x55", 1},
		{PYF_GETSET_SET, 0x150910, 0x150910, "\x41\x56", 2},	   /* push %r14 */
		{PYF_GETATTR_HOOK, 0x1d9750, 0x1d9750, "\x41\x57", 2},	   /* push %r15 */
		{PYF_GETATTRO, 0x27cde0, 0x27cde0, "\x48\x83\xec\x18", 4}, /* sub $0x18 */
		/* Exported (§7): ET_EXEC text, file offset = vaddr - 0x400000. */
		{PYF_MEMBER_SETONE, 0x150850, 0x150850, NULL, 0},
		{PYF_ALLOC, 0x1081c0, 0x1081c0, NULL, 0},
	};
	const char *paths[] = {LIBC, DEBIAN};
	char *id, err[512];
	struct python py;
	uint8_t b[8];
	size_t i;

	need(DEBIAN);
	id = sh("readelf -n %s | awk '/Build ID:/ { printf \"%%s\", $3 }'", DEBIAN);
	if (strcmp(id, DEBIAN_BUILD_ID))
		cr_skip_test("%s is build %s, not the one docs §7 describes", DEBIAN, id);
	free(id);

	cr_assert_eq(detect(paths, 2, &py, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(py.obj->path, DEBIAN);
	cr_assert_eq(py.major, 3);
	cr_assert_eq(py.minor, 11);
	cr_assert_eq(py.micro, 2);
	check_layout(&py.layout, 11);

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct py_site *s = &py.sites[want[i].f];
		const char *name = python__func_name(want[i].f);

		cr_assert(s->found, "%s: %s", name, s->how);
		cr_assert_eq(s->func_offset, want[i].func_offset, "%s at %#" PRIx64, name,
			     s->func_offset);
		cr_assert_eq(s->offset, want[i].offset, "%s at %#" PRIx64, name, s->offset);
		check_head(DEBIAN, want[i].f, s);
		if (want[i].first) {
			read_at(DEBIAN, s->func_offset, b, want[i].first_len);
			cr_assert_arr_eq(b, want[i].first, want[i].first_len, "%s", name);
		}
	}
	cr_assert_eq(py.sites[PYF_DESCR_SET].head[0], 0x75, "jne");
	cr_assert_eq(py.sites[PYF_LOCK_ACQUIRE].offset,
		     readelf_offset(DEBIAN, readelf_sym(DEBIAN, "PyThread_acquire_lock_timed")));
	/* §7: PGO inlined member_set into its caller, so member sets go to PyMember_SetOne. */
	cr_assert_not(py.sites[PYF_MEMBER_SET].found);
	cr_assert_not(py.sites[PYF_TAKE_GIL].found);
	cr_assert_str_eq(py.sites[PYF_DESCR_GET].how, "slotdefs __get__");
	cr_assert_str_eq(py.sites[PYF_MEMBER_GET].how, "PyMemberDescr_Type slot");
}

Test(python, not_python)
{
	const char *paths[] = {"/bin/true", LIBC};
	char err[256] = "x";
	struct python py;

	cr_assert_eq(detect(paths, 2, &py, err, sizeof(err)), -ENOENT);
	cr_assert_str_empty(err);
	cr_assert_eq(detect(paths, 0, &py, err, sizeof(err)), -ENOENT);
}

/* Links dir/name to target, whose path goes to out. */
static void link_as(char out[PATH_MAX], const char *name, const char *target)
{
	snprintf(out, PATH_MAX, "%s/%s", dir, name);
	cr_assert_eq(symlink(target, out), 0, "%s", out);
}

static void check_refused(const char *path, const char *msg)
{
	const char *paths[] = {LIBC, path};
	char err[PATH_MAX + 256], want[PATH_MAX + 256];
	struct python py;

	snprintf(want, sizeof(want), "%s: %s", path, msg);
	cr_assert_eq(detect(paths, 2, &py, err, sizeof(err)), -ENOTSUP, "%s", path);
	cr_assert_str_eq(err, want);
}

/* The name alone decides for a file without Py_Version: here a library that is not Python. */
Test(python, fake_libpython_3_8)
{
	char fake[PATH_MAX];

	link_as(fake, "libpython3.8.so", LIBC);
	check_refused(fake, "Python 3.8 is not supported (3.9 to 3.13 are)");
}

Test(python, old_versions)
{
	static const char *const old[][2] = {
		{PYENV "/3.8.18/lib/libpython3.8.so.1.0", "3.8"},
		{PYENV "/3.7.16/lib/libpython3.7m.so.1.0", "3.7"},
		{PYENV "/2.7.18/lib/libpython2.7.so.1.0", "2.7"},
	};
	char msg[64];
	size_t i;

	need(old[0][0]);
	for (i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		if (access(old[i][0], R_OK)) {
			cr_log_warn("%s is missing on this machine: not checked", old[i][0]);
			continue;
		}
		snprintf(msg, sizeof(msg), "Python %s is not supported (3.9 to 3.13 are)",
			 old[i][1]);
		check_refused(old[i][0], msg);
	}
}

/* Under a name that says nothing, the exports give the version (docs §6). */
Test(python, version_from_exports)
{
	char lib[PATH_MAX], anon[PATH_MAX], err[512];
	const char *paths[] = {anon};
	struct python py;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		lib_path(lib, &builds[i]);
		need(lib);
		snprintf(anon, sizeof(anon), "%s/libembedded%u.so", dir, i);
		cr_assert_eq(symlink(lib, anon), 0);
		cr_assert_eq(detect(paths, 1, &py, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(py.minor, builds[i].minor);
		cr_assert(py.sites[PYF_DESCR_GET].found);
	}
	need(PYENV "/3.8.18/lib/libpython3.8.so.1.0");
	link_as(anon, "libembedded38.so", PYENV "/3.8.18/lib/libpython3.8.so.1.0");
	check_refused(anon, "Python older than 3.9 is not supported (3.9 to 3.13 are)");
}

Test(python, free_threaded_by_name)
{
	char lib[PATH_MAX], ft[PATH_MAX];

	lib_path(lib, &builds[4]);
	need(lib);
	link_as(ft, "libpython3.13t.so.1.0", lib);
	check_refused(ft, "free-threaded Python 3.13t is not supported: its object header is 16 "
			  "bytes longer (the default build is supported)");
}

/* A copy of the 3.13 library, the 8 bytes at sym+add replaced by value (little-endian). */
static void patched_copy(char out[PATH_MAX], const char *sym, uint64_t add, uint64_t value)
{
	char lib[PATH_MAX];
	uint64_t off;

	lib_path(lib, &builds[4]);
	need(lib);
	snprintf(out, PATH_MAX, "%s/libpython3.13.so.1.0", dir);
	free(sh("cp %s %s", lib, out));
	off = readelf_offset(out, readelf_sym(out, sym)) + add;
	write_at(out, off, &value, sizeof(value));
}

/* §6: 3.13's _PyRuntime starts with _Py_DebugOffsets, free_threaded at +16. */
Test(python, free_threaded_by_debug_offsets)
{
	char copy[PATH_MAX], cookie[8];

	patched_copy(copy, "_PyRuntime", 16, 1);
	read_at(copy, readelf_offset(copy, readelf_sym(copy, "_PyRuntime")), cookie, 8);
	cr_assert_arr_eq(cookie, "xdebugpy", 8);
	check_refused(copy, "free-threaded Python 3.13t is not supported: its object header is 16 "
			    "bytes longer (the default build is supported)");
}

/* Py_Version wins over the file name. */
Test(python, version_from_py_version)
{
	char copy[PATH_MAX];

	patched_copy(copy, "Py_Version", 0, 0x030e00f0);
	check_refused(copy, "Python 3.14 is not supported (3.9 to 3.13 are)");
}

Test(python, func_names)
{
	cr_assert_str_eq(python__func_name(PYF_DESCR_GET), "slot_tp_descr_get");
	cr_assert_str_eq(python__func_name(PYF_MEMBER_SETONE), "PyMember_SetOne");
	cr_assert_str_eq(python__func_name(PYF_GETATTR_HOOK), "slot_tp_getattr_hook");
	cr_assert_str_eq(python__func_name(PYF_TAKE_GIL), "take_gil");
	cr_assert_str_eq(python__func_name(PYF_COUNT), "?");
}
