/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading CPython objects from a probe: type names, str contents, and the
 * walk of a class's MRO dicts that names a descriptor. Offsets come from the
 * collector (py, struct py_offsets in rodata, attrprof.bpf.c), never from here. Every read is
 * bpf_probe_read_user; a failed one is counted, never trusted.
 */
#ifndef ATTRPROF_PYTHON_BPF_H
#define ATTRPROF_PYTHON_BPF_H

#include "attrprof.h"

/* Longest MRO and class dict walked when naming a descriptor (docs/cpython-layout.md §3). */
#define PY_MRO_MAX 16
#define PY_DICT_MAX 128

/* Marks a py_attrs id whose accesses count nowhere (KIND_IGNORED). */
#define PY_ATTR_IGNORED 0x80000000U
/* Marks a __getattr__ fallback id: each hit checks the instance's own attributes first. */
#define PY_ATTR_HOOK 0x40000000U

static __always_inline __u64 read_ptr(__u64 addr)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (const void *)addr))
		drop(DROP_READ_ERROR);
	return v;
}

static __always_inline __u64 type_of(__u64 obj)
{
	return obj ? read_ptr(obj + py.ob_type) : 0;
}

/* A C string into buf of len bytes; empty on failure. */
static __always_inline void read_cstr_n(__u64 addr, char *buf, __u32 len)
{
	if (!addr || bpf_probe_read_user_str(buf, len, (const void *)addr) < 0)
		buf[0] = '\0';
}

/* A C string (tp_name, PyMemberDef.name) into a PY_NAME_LEN buffer. */
static __always_inline void read_cstr(__u64 addr, char *buf)
{
	read_cstr_n(addr, buf, PY_NAME_LEN);
}

/*
 * A str object's text into buf: compact ASCII strings (all identifiers in
 * practice) directly, others through their cached UTF-8 copy when there is
 * one, else "?".
 */
static __always_inline void read_pystr(__u64 str, char *buf)
{
	__u32 state = 0;
	__u64 utf8;

	buf[0] = '\0';
	if (!str ||
	    bpf_probe_read_user(&state, sizeof(state), (const void *)(str + py.unicode_state))) {
		drop(DROP_READ_ERROR);
		return;
	}
	if ((state & 0x60) == 0x60) {
		read_cstr(str + py.unicode_ascii_data, buf);
		return;
	}
	utf8 = (state & 0x20) ? read_ptr(str + py.unicode_compact_utf8) : 0;
	if (utf8)
		read_cstr(utf8, buf);
	else
		__builtin_memcpy(buf, "?", 2);
}

static __always_inline bool is_heap_type(__u64 type)
{
	return read_ptr(type + py.tp_flags) & py.tpflags_heaptype;
}

/* tp_name, and ht_qualname for a heap type. */
static __always_inline void read_type_names(__u64 type, char *name, char *qualname)
{
	read_cstr(read_ptr(type + py.tp_name), name);
	qualname[0] = '\0';
	if (is_heap_type(type))
		read_pystr(read_ptr(type + py.ht_qualname), qualname);
}

/* Longest name a by_name walk compares, NUL included. */
#define PY_SPECIAL_NAME_LEN 16

/*
 * A walk of the MRO dicts: find the entry whose `match` half equals want,
 * or, with by_name set, whose key's text is name.
 */
struct dict_walk {
	__u64 want;
	__u64 found; /* the other half of the matching entry */
	bool by_key; /* match keys (an interned name) instead of values (a descriptor) */
	bool by_name;
	char name[PY_SPECIAL_NAME_LEN];
	__u64 mro, nclasses;
	__u64 entries, nentries;
	__u64 values; /* a split table's values array, else 0 (values in the entries) */
	__u32 entry_size, key_off, value_off;
};

static long walk_entry(__u32 i, void *arg)
{
	struct dict_walk *w = arg;
	__u64 entry, key, value;

	if (i >= w->nentries)
		return 1;
	entry = w->entries + (__u64)i * w->entry_size;
	key = read_ptr(entry + w->key_off);
	value = read_ptr(w->values ? w->values + (__u64)i * 8 : entry + w->value_off);
	if (!key || !value)
		return 0; /* a deleted entry */
	if (w->by_name) {
		char text[PY_SPECIAL_NAME_LEN] = {};

		read_cstr_n(key + py.unicode_ascii_data, text, sizeof(text));
		for (int c = 0; c < PY_SPECIAL_NAME_LEN; c++) {
			if (text[c] != w->name[c])
				return 0;
			if (!text[c])
				break;
		}
		w->found = value;
		return 1;
	}
	if ((w->by_key ? key : value) == w->want) {
		w->found = w->by_key ? value : key;
		return 1;
	}
	return 0;
}

/* Points w at the entries of a dict keys object. Returns false if unusable. */
static __always_inline bool keys_entries(__u64 keys, struct dict_walk *w)
{
	__u8 log2[3] = {};

	if (!keys)
		return false;
	w->nentries = read_ptr(keys + py.dk_nentries);
	if (py.dk_log2_size) {
		/* 3.11+: dk_log2_size, dk_log2_index_bytes, dk_kind */
		if (bpf_probe_read_user(log2, sizeof(log2), (const void *)(keys + py.dk_log2_size)))
			return false;
		w->entries = keys + py.dk_indices + (1ULL << (log2[1] & 63));
		w->entry_size =
			log2[2] ? 16
				: 24; /* unicode keys: {key, value}; general: {hash, key, value} */
		w->key_off = log2[2] ? 0 : 8;
		w->value_off = log2[2] ? 8 : 16;
	} else {
		/* 3.9/3.10: dk_size slots of 1, 2, 4 or 8 index bytes each */
		__u64 size = read_ptr(keys + py.dk_size);
		__u64 ix = size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffffffffULL ? 4 : 8;

		w->entries = keys + py.dk_indices + size * ix;
		w->entry_size = 24;
		w->key_off = 8;
		w->value_off = 16;
	}
	return true;
}

/* Points w at the entries of a combined dict (a class's). Returns false if unusable. */
static __always_inline bool dict_entries(__u64 dict, struct dict_walk *w)
{
	return keys_entries(read_ptr(dict + py.dict_keys), w);
}

static long walk_class(__u32 i, void *arg)
{
	struct dict_walk *w = arg;
	__u64 cls, dict;

	if (i >= w->nclasses)
		return 1;
	cls = read_ptr(w->mro + py.tuple_items + (__u64)i * 8);
	/* 3.12+: static builtin types (object, int) keep their dict elsewhere: NULL here. */
	dict = cls ? read_ptr(cls + py.tp_dict) : 0;
	if (!dict || !dict_entries(dict, w))
		return 0;
	bpf_loop(PY_DICT_MAX, walk_entry, w, 0);
	return w->found ? 1 : 0;
}

/*
 * Looks through the dicts of type's MRO, nearest class first, for an entry
 * whose value (or, by_key, whose key) is want. Returns the other half of the
 * entry, or 0 when there is none in the first PY_MRO_MAX classes and
 * PY_DICT_MAX entries of each. A global function: the verifier checks it
 * once, not once per caller.
 */
__noinline __u64 mro_lookup(__u64 type, __u64 want, bool by_key)
{
	struct dict_walk w = {.want = want, .by_key = by_key};

	w.mro = read_ptr(type + py.tp_mro);
	if (!w.mro)
		return 0;
	w.nclasses = read_ptr(w.mro + 16); /* ob_size */
	bpf_loop(PY_MRO_MAX, walk_class, &w, 0);
	return w.found;
}

/*
 * Whether any class of type's MRO defines __getattr__. Class dict keys are
 * compact ASCII strings, whose text the walk reads in place.
 */
__noinline bool mro_has_getattr(__u64 type)
{
	struct dict_walk w = {.by_name = true};

	__builtin_memcpy(w.name, "__getattr__", sizeof("__getattr__"));
	w.mro = read_ptr(type + py.tp_mro);
	if (!w.mro)
		return false;
	w.nclasses = read_ptr(w.mro + 16); /* ob_size */
	bpf_loop(PY_MRO_MAX, walk_class, &w, 0);
	return w.found != 0;
}

/*
 * Whether obj's own attributes (its __dict__, or the values the interpreter
 * keeps in place of one) hold name, an interned str. Where they live
 * depends on the version (docs/cpython-layout.md §1).
 */
__noinline bool instance_has(__u64 obj, __u64 type, __u64 name)
{
	__u64 flags = read_ptr(type + py.tp_flags), dict = 0, keys;
	struct dict_walk w = {.want = name, .by_key = true};
	__s64 off;

	if (py.instance_dict_mode == PY_DICT_AT_OFFSET) {
		off = read_ptr(type + py.tp_dictoffset);
		if (off <= 0) /* none, or from the end of a var-sized object: not a plain class */
			return false;
		dict = read_ptr(obj + off);
	} else if (flags & py.tpflags_managed_dict) {
		/* The pre-header word below the GC header. */
		dict = read_ptr(obj - 24);
		if (py.instance_dict_mode == PY_DICT_TAGGED && (dict & 1)) {
			w.values = dict + 1; /* 3.12: an odd word is values - 1 */
			dict = 0;
		} else if (!dict && py.instance_dict_mode == PY_DICT_PREHEADER) {
			w.values = read_ptr(obj - 32); /* 3.11 */
		} else if (!dict && (flags & py.tpflags_inline_values)) {
			/* 3.13: values right after the object, behind a 4-byte header */
			__u64 inline_values = obj + read_ptr(type + py.tp_basicsize);
			__u8 valid = 0;

			if (bpf_probe_read_user(&valid, 1, (const void *)(inline_values + 3)) ||
			    !valid)
				return false;
			w.values = inline_values + 8;
		}
	}
	if (dict) {
		keys = read_ptr(dict + py.dict_keys);
		w.values = read_ptr(dict + py.dict_values);
		if (w.values)
			w.values += py.dict_values_header;
	} else if (w.values) {
		keys = read_ptr(type + py.ht_cached_keys);
	} else {
		return false;
	}
	if (!keys || !keys_entries(keys, &w))
		return false;
	bpf_loop(PY_DICT_MAX, walk_entry, &w, 0);
	return w.found != 0;
}

#endif /* ATTRPROF_PYTHON_BPF_H */
