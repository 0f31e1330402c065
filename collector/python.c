// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * CPython from its files: which object is the interpreter, its version and build, the struct
 * offsets of that version, and where to probe each descriptor function. The § numbers refer
 * to docs/cpython-layout.md, which says how each fact was checked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elfread.h"
#include "insn.h"
#include "python.h"

/* Supported minor versions of CPython 3: the ones docs/cpython-layout.md covers. */
#define MINOR_MIN 9
#define MINOR_MAX 13

/* PyTypeObject slots (§1) and the fields of a slotdefs entry, struct wrapperbase (§7). */
#define TP_GETATTRO 144
#define TP_DESCR_GET 272
#define TP_DESCR_SET 280
#define SLOTDEF_OFFSET 8
#define SLOTDEF_FUNCTION 16

/* More string copies or pointers to one than this and the data is not what §7 describes. */
#define MAX_HITS 16
/* Longest function body scanned for an instruction pattern. */
#define MAX_SCAN 0x10000
/* Bytes read at a function's start: enough for the prologue walk and head[]. */
#define CODE_LEN 64

static const unsigned char ENDBR64[4] = {0xf3, 0x0f, 0x1e, 0xfa};

/* The table's symbols (probe/py_func.h): before 3.12, and from 3.12 on where it changed. */
#define PY_FUNC_SYMBOL(id, sym, sym312, ...) [PYF_##id] = {sym, sym312},
static const struct {
	const char *name, *since_312;
} func_symbols[PYF_COUNT] = {PY_FUNCS(PY_FUNC_SYMBOL)};
#undef PY_FUNC_SYMBOL

const char *python__func_name(enum py_func f)
{
	return (unsigned int)f < PYF_COUNT ? func_symbols[f].name : "?";
}

const char *python__func_symbol(enum py_func f, unsigned int minor)
{
	if ((unsigned int)f >= PYF_COUNT)
		return "?";
	return minor >= 12 && func_symbols[f].since_312 ? func_symbols[f].since_312
							: func_symbols[f].name;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* What a file name says: libpython3.11.so.1.0, libpython3.13t.so, python3.10. */
struct name_version {
	bool known;
	unsigned int major, minor;
	char flags[8]; /* ABI flags: "t" free-threaded, "d" debug, "m" (3.7 and older) */
};

/* Parses the decimal number at *p, moving *p past it. Returns false when there is none. */
static bool parse_uint(const char **p, unsigned int *v)
{
	const char *s = *p;

	*v = 0;
	while (*s >= '0' && *s <= '9' && *v < 1000)
		*v = *v * 10 + (unsigned int)(*s++ - '0');
	if (s == *p)
		return false;
	*p = s;
	return true;
}

/*
 * Whether base is prefix, MAJOR.MINOR, ABI flags, and then ".so" with any suffix (lib) or
 * nothing (an executable). Fills *nv when it is.
 */
static bool parse_name(const char *base, const char *prefix, bool lib, struct name_version *nv)
{
	size_t plen = strlen(prefix), nflags;
	const char *p;

	memset(nv, 0, sizeof(*nv));
	if (strncmp(base, prefix, plen))
		return false;
	p = base + plen;
	if (!parse_uint(&p, &nv->major) || *p++ != '.' || !parse_uint(&p, &nv->minor))
		return false;
	nflags = strspn(p, "abcdefghijklmnopqrstuvwxyz");
	if (nflags >= sizeof(nv->flags))
		return false;
	memcpy(nv->flags, p, nflags);
	p += nflags;
	if (lib ? strncmp(p, ".so", 3) || (p[3] && p[3] != '.') : *p != '\0')
		return false;
	nv->known = true;
	return true;
}

/*
 * The object holding the interpreter: a libpython by name, else one whose .dynsym exports
 * the C API (a statically linked interpreter such as Debian's /usr/bin/python3.11). Objects
 * that cannot be read are passed over: other modules report them. Fills *nv from the name,
 * and *ef with the object opened, which the caller closes: NULL for a libpython that cannot
 * be read, which check_build refuses.
 */
static const struct target_object *find_interpreter(const struct target_objects *objs,
						    struct name_version *nv, struct elf_file **ef)
{
	size_t i;

	for (i = 0; i < objs->n; i++) {
		if (parse_name(base_name(objs->v[i].path), "libpython", true, nv)) {
			elf__open(objs->v[i].host_path, ef, NULL, 0);
			return &objs->v[i];
		}
	}
	for (i = 0; i < objs->n; i++) {
		if (elf__open(objs->v[i].host_path, ef, NULL, 0))
			continue;
		if (elf__exports(*ef, "Py_Initialize") || elf__exports(*ef, "PyObject_GetAttr")) {
			elf__close(*ef);
			*ef = NULL;
			continue;
		}
		if (!parse_name(base_name(objs->v[i].path), "python", false, nv))
			nv->known = false;
		return &objs->v[i];
	}
	return NULL;
}

/*
 * The version: Py_Version (3.11+, §6) from the file's bytes, else the file name, else marker
 * exports. Returns 0, or -ENOTSUP with a message for a version older than the markers know.
 * ef is NULL only for a libpython, whose name tells the version.
 */
static int read_version(const struct elf_file *ef, const struct target_object *o,
			const struct name_version *nv, struct python *py, char *err, size_t errlen)
{
	uint64_t vaddr, size, v;
	uint8_t b[8];

	if (ef && !elf__find_object(ef, "Py_Version", &vaddr, &size) && size == sizeof(b) &&
	    !elf__read_vaddr(ef, vaddr, b, sizeof(b))) {
		/* PY_VERSION_HEX: 0xMMmmppLS, e.g. 0x030b07f0 for 3.11.7 final. */
		v = le64(b);
		py->major = v >> 24 & 0xff;
		py->minor = v >> 16 & 0xff;
		py->micro = v >> 8 & 0xff;
		return 0;
	}
	if (nv->known) {
		py->major = nv->major;
		py->minor = nv->minor;
		return 0;
	}
	/* §6: PyAIter_Check is new in 3.10 and PyModule_AddType in 3.9; 3.11+ has Py_Version. */
	py->major = 3;
	if (!elf__exports(ef, "PyAIter_Check")) {
		py->minor = 10;
	} else if (!elf__exports(ef, "PyModule_AddType")) {
		py->minor = 9;
	} else {
		set_err(err, errlen,
			"%s: Python older than 3.%d is not supported (3.%d to 3.%d are)", o->path,
			MINOR_MIN, MINOR_MIN, MINOR_MAX);
		return -ENOTSUP;
	}
	return 0;
}

static int free_threaded(const char *path, const struct python *py, char *err, size_t errlen)
{
	set_err(err, errlen,
		"%s: free-threaded Python %u.%ut is not supported: its object header is 16 bytes "
		"longer (the default build is supported)",
		path, py->major, py->minor);
	return -ENOTSUP;
}

/*
 * Refuses what the layout tables do not describe: other versions, free-threaded builds
 * (by name, or by _Py_DebugOffsets.free_threaded at _PyRuntime+16 in 3.13+, §6), builds with
 * other ABI flags, and a file named like libpython that does not export the C API (or cannot
 * be read: ef NULL).
 */
static int check_build(const struct elf_file *ef, const struct target_object *o,
		       const struct name_version *nv, const struct python *py, char *err,
		       size_t errlen)
{
	uint64_t vaddr, size;
	uint8_t dbg[24];

	if (nv->known && strchr(nv->flags, 't'))
		return free_threaded(o->path, py, err, errlen);
	if (py->major != 3 || py->minor < MINOR_MIN || py->minor > MINOR_MAX) {
		set_err(err, errlen, "%s: Python %u.%u is not supported (3.%d to 3.%d are)",
			o->path, py->major, py->minor, MINOR_MIN, MINOR_MAX);
		return -ENOTSUP;
	}
	if (ef && !elf__find_object(ef, "_PyRuntime", &vaddr, &size) && size >= sizeof(dbg) &&
	    !elf__read_vaddr(ef, vaddr, dbg, sizeof(dbg)) && !memcmp(dbg, "xdebugpy", 8) &&
	    le64(dbg + 16))
		return free_threaded(o->path, py, err, errlen);
	if (nv->known && nv->flags[0]) {
		set_err(err, errlen,
			"%s: Python %u.%u with ABI flags \"%s\" is not supported (default builds "
			"are)",
			o->path, py->major, py->minor, nv->flags);
		return -ENOTSUP;
	}
	if (!ef || elf__exports(ef, "PyObject_GetAttr")) {
		set_err(err, errlen, "%s: named like libpython but exports no PyObject_GetAttr",
			o->path);
		return -ENOEXEC;
	}
	return 0;
}

/* The offsets of CPython 3.minor, from the tables of §1 to §4. */
static void fill_layout(struct py_offsets *l, unsigned int minor)
{
	*l = (struct py_offsets){
		.ob_type = 8,
		.tp_name = 24,
		.tp_flags = 168,
		.tp_dict = 264,
		.tp_mro = 344,
		.tp_dictoffset = 288,
		.tuple_items = 24,
		.unicode_state = 32,
		.dict_keys = 32,
		.descr_type = 16,
		.descr_name = 24,
		.prop_get = 16,
		.member_def_name = 0,
		.dict_values = 40,
		.tp_basicsize = 32,
		.tpflags_heaptype = 1UL << 9,
	};
	/* 3.10's am_send moved the heap-type fields by 8, 3.12's tp_watched by 8 more. */
	l->ht_qualname = minor <= 9 ? 856 : minor <= 11 ? 864 : 872;
	/* 3.12 dropped wstr: PyASCIIObject and PyCompactUnicodeObject shrank. */
	l->unicode_ascii_data = minor <= 11 ? 48 : 40;
	l->unicode_compact_utf8 = minor <= 11 ? 56 : 48;
	/* 3.11 replaced dk_size and dk_lookup with u8 log2 sizes. */
	if (minor <= 10) {
		l->dk_size = 8;
		l->dk_nentries = 32;
		l->dk_indices = 40;
	} else {
		l->dk_log2_size = 8;
		l->dk_nentries = 24;
		l->dk_indices = 32;
	}
	/* 3.10 added property.prop_name and moved func_name up in PyFunctionObject. */
	l->prop_name = minor >= 10 ? 48 : 0;
	l->func_name = minor >= 10 ? 32 : 64;
	l->tpflags_managed_dict = minor >= 11 ? 1UL << 4 : 0;
	/* Where instances keep their attributes (§1 "Does an instance have a __dict__?"). */
	l->ht_cached_keys = minor <= 9 ? 864 : minor <= 11 ? 872 : 880;
	l->instance_dict_mode = minor <= 10   ? PY_DICT_AT_OFFSET
				: minor == 11 ? PY_DICT_PREHEADER
				: minor == 12 ? PY_DICT_TAGGED
					      : PY_DICT_INLINE;
	l->tpflags_inline_values = minor >= 13 ? 1UL << 2 : 0;
	l->dict_values_header = minor >= 13 ? 8 : 0;
}

/*
 * Length of the instruction at b when it is one of the prologue forms seen before the first
 * emulated instruction of property_descr_get (3.11+) and slot_tp_descr_set (§5), each of which
 * leaves rdi, rsi and rdx as they were; 0 for anything else.
 */
static size_t args_kept_len(const uint8_t *b, size_t len)
{
	uint8_t mod, rm;
	size_t n;

	if (len < 3 || b[0] != 0x48) /* REX.W, no register extension */
		return 0;
	mod = b[2] >> 6;
	rm = b[2] & 7;
	switch (b[1]) {
	case 0x83: /* sub $imm8,%rsp */
		return b[2] == 0xec && len >= 4 ? 4 : 0;
	case 0x85: /* test %reg,%reg: flags only */
		return mod == 3 ? 3 : 0;
	case 0x3b: /* cmp disp32(%rip),%reg: flags only */
		return mod == 0 && rm == 5 && len >= 7 ? 7 : 0;
	case 0x89: /* mov %reg,disp(%rsp): a store; SIB 0x24 = base rsp, no index */
		if (mod == 3 || rm != 4 || len < 4 || b[3] != 0x24)
			return 0;
		n = mod == 0 ? 4 : mod == 1 ? 5 : 8;
		return len >= n ? n : 0;
	default:
		return 0;
	}
}

static bool is_push_r12(const uint8_t *b, size_t len)
{
	return len >= 2 && b[0] == 0x41 && b[1] == 0x54;
}

static bool is_jcc(const uint8_t *b, size_t len)
{
	return (len >= 2 && b[0] >= 0x70 && b[0] <= 0x7f) ||
	       (len >= 6 && b[0] == 0x0f && b[1] >= 0x80 && b[1] <= 0x8f);
}

/*
 * How far past the function's start at code the entry probe of f may go: to its first
 * emulated instruction when the kernel would single-step the first one (~5 us a hit more),
 * only for the two functions §5 measured, only to the instruction it names (push %r12 in
 * property_descr_get, a jcc in slot_tp_descr_set), and only across instructions
 * args_kept_len() proves harmless to the arguments. 0 otherwise.
 */
static size_t probe_shift(enum py_func f, const uint8_t *code, size_t len, uint32_t *sp_adjust)
{
	size_t off = 0, n;
	uint32_t adjust = 0;

	*sp_adjust = 0;
	if ((f != PYF_PROP_GET && f != PYF_DESCR_SET) || insn__classify(code, len) == INSN_EMULATED)
		return 0;
	while (off < len && (n = args_kept_len(code + off, len - off))) {
		/* sub $imm8,%rsp moves the stack pointer the return probe's frame matching uses */
		if (code[off + 1] == 0x83)
			adjust += code[off + 3];
		off += n;
	}
	if (!off || off >= len)
		return 0;
	if (f == PYF_PROP_GET ? is_push_r12(code + off, len - off)
			      : is_jcc(code + off, len - off)) {
		*sp_adjust = adjust;
		return off;
	}
	return 0;
}

/*
 * The address of the only function called name, and its size into *size; 0 when none or
 * several have that name. *how (if how is not NULL) says which, and is untouched for none.
 */
static uint64_t by_symbol(const struct elf_funcs *funcs, const char *name, uint64_t *size,
			  const char **how)
{
	uint64_t vaddr = 0;
	size_t i;

	for (i = 0; i < funcs->n; i++) {
		if (strcmp(funcs->v[i].name, name))
			continue;
		if (vaddr) {
			if (how)
				*how = "several functions with its name";
			return 0;
		}
		vaddr = funcs->v[i].vaddr;
		if (size)
			*size = funcs->v[i].size;
	}
	if (vaddr && how)
		*how = "symbol";
	return vaddr;
}

/* Whether vaddr starts a function in .eh_frame_hdr: the check on every recovered address. */
static bool is_func_start(const struct elf_file *ef, uint64_t vaddr)
{
	uint64_t start, end;

	return vaddr && !elf__func_bounds(ef, vaddr, &start, &end) && start == vaddr;
}

/* The function in slot off of the exported type object type (§7), or 0. */
static uint64_t type_slot(const struct elf_file *ef, const char *type, uint32_t off)
{
	uint64_t vaddr, size, fn;

	if (elf__find_object(ef, type, &vaddr, &size) || size < off + 8 ||
	    elf__read_pointer(ef, vaddr + off, &fn) || !is_func_start(ef, fn))
		return 0;
	return fn;
}

/*
 * The function of the slotdefs entry for the special method name on slot offset off (§7):
 * a struct wrapperbase in writable data whose name points to the string and whose offset is
 * off. 0 unless exactly one function, a function start, matches.
 */
static uint64_t slotdef(const struct elf_file *ef, const char *name, uint32_t off)
{
	uint64_t strs[MAX_HITS], ptrs[MAX_HITS], fn, found = 0;
	size_t nstrs, nptrs, i, j;
	uint8_t b[4];

	if (elf__find_strings(ef, name, strs, MAX_HITS, &nstrs) || nstrs > MAX_HITS)
		return 0;
	for (i = 0; i < nstrs; i++) {
		if (elf__find_pointers(ef, strs[i], ptrs, MAX_HITS, &nptrs) || nptrs > MAX_HITS)
			return 0;
		for (j = 0; j < nptrs; j++) {
			if (elf__read_vaddr(ef, ptrs[j] + SLOTDEF_OFFSET, b, sizeof(b)) ||
			    le32(b) != off ||
			    elf__read_pointer(ef, ptrs[j] + SLOTDEF_FUNCTION, &fn) || !fn)
				continue;
			if (found && found != fn)
				return 0;
			found = fn;
		}
	}
	return is_func_start(ef, found) ? found : 0;
}

/* Two slotdefs entries that must name the same function (__set__ and __delete__), or 0. */
static uint64_t slotdef_pair(const struct elf_file *ef, const char *a, const char *b, uint32_t off)
{
	uint64_t fa = slotdef(ef, a, off);

	return fa && fa == slotdef(ef, b, off) ? fa : 0;
}

/* [vaddr, vaddr + len) of ef into a new buffer the caller frees, or NULL. */
static uint8_t *read_code(const struct elf_file *ef, uint64_t vaddr, uint64_t len)
{
	uint8_t *code;

	if (!len || len > MAX_SCAN || !(code = malloc(len)))
		return NULL;
	if (elf__read_vaddr(ef, vaddr, code, len)) {
		free(code);
		return NULL;
	}
	return code;
}

/*
 * slot_tp_getattro from the hook that installs it with `tp->tp_getattro = slot_tp_getattro`
 * (§7): in a fixed-address build a movq $imm32,0x90(%reg) within the hook's FDE. 0 unless
 * exactly one such store exists and its immediate starts a function. Position-independent
 * builds load the address with a lea instead: not recognized.
 */
static uint64_t getattro_from_hook(const struct elf_file *ef, uint64_t hook)
{
	uint64_t start, end, fn, found = 0;
	uint8_t *code = NULL, *p;
	size_t i;

	if (elf__func_bounds(ef, hook, &start, &end) || start != hook ||
	    !(code = read_code(ef, start, end - start)))
		goto cleanup;
	for (i = 0; i + 11 <= end - start; i++) {
		p = code + i;
		/* REX.W (or .WB), c7 /0, mod 10 (disp32) without SIB, disp32, imm32 */
		if ((p[0] != 0x48 && p[0] != 0x49) || p[1] != 0xc7 || (p[2] & 0xf8) != 0x80 ||
		    (p[2] & 7) == 4 || le32(p + 3) != TP_GETATTRO || (le32(p + 7) & 0x80000000))
			continue;
		fn = le32(p + 7);
		if (found && found != fn) {
			found = 0;
			goto cleanup;
		}
		found = fn;
	}
	if (found == hook || !is_func_start(ef, found))
		found = 0;

cleanup:
	free(code);
	return found;
}

/*
 * Whether _PyObject_GenericSetAttrWithDict compares an address with member_set's, i.e. PGO
 * promoted its indirect tp_descr_set call and inlined member_set there (Debian 3.11, §7):
 * member_set then misses the sets that matter. Looks for cmp $imm32,%reg (48 3d, or
 * 48/49 81 /7) with that address in the function's bytes, the form a fixed-address build
 * uses; a position-independent one would compare with a lea'd address: not recognized.
 */
static bool member_set_promoted(const struct elf_file *ef, const struct elf_funcs *funcs,
				uint64_t member_set)
{
	uint64_t vaddr, size = 0;
	uint8_t *code, *p;
	bool found = false;
	size_t i;

	vaddr = by_symbol(funcs, "_PyObject_GenericSetAttrWithDict", &size, NULL);
	if (!vaddr || member_set > 0x7fffffff || !(code = read_code(ef, vaddr, size)))
		return false;
	for (i = 0; i + 6 <= size && !found; i++) {
		p = code + i;
		if (p[0] == 0x48 && p[1] == 0x3d)
			found = le32(p + 2) == member_set;
		else if (i + 7 <= size && (p[0] == 0x48 || p[0] == 0x49) && p[1] == 0x81 &&
			 (p[2] & 0xf8) == 0xf8)
			found = le32(p + 3) == member_set;
	}
	free(code);
	return found;
}

/*
 * The address of f recovered from data in a build without its symbol (§7), with how it was
 * found in *how; 0 and *how untouched when it cannot be.
 */
static uint64_t recover(const struct elf_file *ef, enum py_func f, const uint64_t *vaddrs,
			const char **how)
{
	const char *method;
	uint64_t v = 0;

	switch (f) {
	case PYF_PROP_GET:
	case PYF_PROP_SET:
		v = type_slot(ef, "PyProperty_Type",
			      f == PYF_PROP_GET ? TP_DESCR_GET : TP_DESCR_SET);
		method = "PyProperty_Type slot";
		break;
	case PYF_MEMBER_GET:
	case PYF_MEMBER_SET:
		v = type_slot(ef, "PyMemberDescr_Type",
			      f == PYF_MEMBER_GET ? TP_DESCR_GET : TP_DESCR_SET);
		method = "PyMemberDescr_Type slot";
		break;
	case PYF_GETSET_GET:
	case PYF_GETSET_SET:
		v = type_slot(ef, "PyGetSetDescr_Type",
			      f == PYF_GETSET_GET ? TP_DESCR_GET : TP_DESCR_SET);
		method = "PyGetSetDescr_Type slot";
		break;
	case PYF_DESCR_GET:
		v = slotdef(ef, "__get__", TP_DESCR_GET);
		method = "slotdefs __get__";
		break;
	case PYF_DESCR_SET:
		v = slotdef_pair(ef, "__set__", "__delete__", TP_DESCR_SET);
		method = "slotdefs __set__ and __delete__";
		break;
	case PYF_GETATTR_HOOK:
		v = slotdef_pair(ef, "__getattr__", "__getattribute__", TP_GETATTRO);
		method = "slotdefs __getattr__ and __getattribute__";
		break;
	case PYF_GETATTRO:
		if (vaddrs[PYF_GETATTR_HOOK])
			v = getattro_from_hook(ef, vaddrs[PYF_GETATTR_HOOK]);
		method = "store in slot_tp_getattr_hook";
		break;
	default:
		return 0;
	}
	if (v)
		*how = method;
	return v;
}

/*
 * Fills s for f, the function at vaddr: skips an endbr64, moves the entry probe as
 * probe_shift() allows, and keeps the bytes there. Returns false when the file does not hold
 * the code.
 */
static bool place(const struct elf_file *ef, enum py_func f, uint64_t vaddr, struct py_site *s)
{
	uint8_t code[CODE_LEN];
	size_t len = sizeof(code), start = 0, shift;

	/* A function in the last bytes of its segment: enough for head[] will do. */
	if (elf__read_vaddr(ef, vaddr, code, len)) {
		len = sizeof(s->head);
		if (elf__read_vaddr(ef, vaddr, code, len))
			return false;
	}
	if (!memcmp(code, ENDBR64, sizeof(ENDBR64)))
		start = sizeof(ENDBR64);
	if (elf__vaddr_offset(ef, vaddr + start, &s->func_offset))
		return false;
	shift = probe_shift(f, code + start, len - start, &s->sp_adjust);
	s->offset = s->func_offset + shift;
	start += shift;
	s->head_len = len - start < sizeof(s->head) ? len - start : sizeof(s->head);
	memcpy(s->head, code + start, s->head_len);
	s->found = true;
	return true;
}

/*
 * One probe of a member set, not two (member_set calls PyMember_SetOne): member_set, unless
 * it is missing or PGO inlined it into its main caller; then PyMember_SetOne.
 */
static void pick_member_set(const struct elf_file *ef, const struct elf_funcs *funcs,
			    uint64_t member_set, struct python *py)
{
	struct py_site *set = &py->sites[PYF_MEMBER_SET], *one = &py->sites[PYF_MEMBER_SETONE];

	if (!one->found)
		return;
	if (set->found && member_set_promoted(ef, funcs, member_set))
		*set = (struct py_site){
			.how = "inlined into _PyObject_GenericSetAttrWithDict (PGO): "
			       "PyMember_SetOne probed instead",
		};
	else if (set->found)
		*one = (struct py_site){
			.how = "not probed: member_set is, and both would count a set twice",
		};
}

static int find_sites(const struct elf_file *ef, struct python *py, char *err, size_t errlen)
{
	const char *globs[PYF_COUNT + 1];
	uint64_t vaddrs[PYF_COUNT] = {0};
	struct elf_funcs funcs;
	const char *how;
	unsigned int f;
	int ret;

	for (f = 0; f < PYF_COUNT; f++)
		globs[f] = python__func_symbol(f, py->minor);
	/* For member_set_promoted(); symbol names hold no glob characters. */
	globs[PYF_COUNT] = "_PyObject_GenericSetAttrWithDict";
	ret = elf__find_funcs(ef, globs, PYF_COUNT + 1, &funcs, err, errlen);
	if (ret)
		return ret;
	for (f = 0; f < PYF_COUNT; f++) {
		uint64_t size = 0, start, end;

		how = "no symbol, and not recoverable from data";
		vaddrs[f] = by_symbol(&funcs, globs[f], &size, &how);
		if (!vaddrs[f])
			vaddrs[f] = recover(ef, f, vaddrs, &how);
		/* A recovered function's extent: its FDE's, an upper bound. */
		if (vaddrs[f] && !size && !elf__func_bounds(ef, vaddrs[f], &start, &end))
			size = end - start;
		py->sites[f].how = how;
		if (vaddrs[f] && !place(ef, f, vaddrs[f], &py->sites[f]))
			py->sites[f].how = "address outside the file's bytes";
		py->sites[f].vaddr = vaddrs[f];
		py->sites[f].size = size;
	}
	pick_member_set(ef, &funcs, vaddrs[PYF_MEMBER_SET], py);
	elf__funcs_free(&funcs);
	return 0;
}

int python__detect(const struct target_objects *objs, struct python *py, char *err, size_t errlen)
{
	struct elf_file *ef = NULL;
	struct name_version nv;
	int ret;

	memset(py, 0, sizeof(*py));
	if (errlen)
		err[0] = '\0';
	py->obj = find_interpreter(objs, &nv, &ef);
	if (!py->obj)
		return -ENOENT;
	ret = read_version(ef, py->obj, &nv, py, err, errlen);
	if (ret)
		goto cleanup;
	ret = check_build(ef, py->obj, &nv, py, err, errlen);
	if (ret)
		goto cleanup;
	fill_layout(&py->layout, py->minor);
	ret = find_sites(ef, py, err, errlen);

cleanup:
	elf__close(ef);
	return ret;
}
