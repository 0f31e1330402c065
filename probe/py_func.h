/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The CPython functions attrprof finds, one row each: ABI shared by the
 * probes and the collector (the cookie of a Python probe names its row's
 * enum py_func). Adding an entry point is adding a row; every list of them,
 * in the probes and in the collector, is made from this table.
 *
 * PY_FUNCS(X) calls X(id, symbol, symbol_312, use, owner, ident, instance):
 * - symbol: the function's name; symbol_312, its name from CPython 3.12 on
 *   where that changed (3.12 made the getattr slots extern, with a prefix;
 *   docs/cpython-layout.md §5), else NULL.
 * - use: GET or SET (an access, probed; a get that raised returns NULL, a set
 *   or delete -1, and a set's NULL value deletes), ALLOC (instances per
 *   class, probed, no attribute), LOCK (never probed: its code tells a lock
 *   wait's kind, lock_ranges).
 * - owner, ident, instance: where an access finds the class whose attribute
 *   it is, what identifies the attribute in that class, and the instance
 *   (NULL for an access to the class itself), from arguments a0, a1, a2:
 *   TYPE_A1 is a1's type; "-" (NONE) where use is not an access.
 *
 * The functions' arguments, in order:
 *   slot_tp_descr_get, property_descr_get, member_get, getset_get:
 *     (descr, obj, type); obj is NULL when the class itself is accessed, and
 *     every caller passes type(obj) as type (super() its starting type, the
 *     instance's too): no read of obj's type.
 *   slot_tp_descr_set, property_descr_set, member_set, getset_set:
 *     (descr, obj, value).
 *   PyMember_SetOne (obj, PyMemberDef *, value): probed where member_set is
 *     inlined.
 *   slot_tp_getattr_hook (self, name), classes with __getattr__;
 *   slot_tp_getattro (self, name), Python __getattribute__ overrides: names
 *     are interned, so the pointer identifies the name.
 *   PyType_GenericAlloc (type, nitems).
 *   PyThread_acquire_lock_timed (lock, ...): threading.Lock waits.
 *   take_gil (tstate): GIL waits (of subinterpreters' own GILs too).
 */
#ifndef ATTRPROF_PY_FUNC_H
#define ATTRPROF_PY_FUNC_H

/* clang-format off */
#define PY_FUNCS(X)								       \
	X(DESCR_GET,	 "slot_tp_descr_get",	       NULL, GET,   A2,	     A0,   A1)	       \
	X(DESCR_SET,	 "slot_tp_descr_set",	       NULL, SET,   TYPE_A1, A0,   A1)	       \
	X(PROP_GET,	 "property_descr_get",	       NULL, GET,   A2,	     A0,   A1)	       \
	X(PROP_SET,	 "property_descr_set",	       NULL, SET,   TYPE_A1, A0,   A1)	       \
	X(MEMBER_GET,	 "member_get",		       NULL, GET,   A2,	     A0,   A1)	       \
	X(MEMBER_SET,	 "member_set",		       NULL, SET,   TYPE_A1, A0,   A1)	       \
	X(MEMBER_SETONE, "PyMember_SetOne",	       NULL, SET,   TYPE_A0, A1,   A0)	       \
	X(GETSET_GET,	 "getset_get",		       NULL, GET,   A2,	     A0,   A1)	       \
	X(GETSET_SET,	 "getset_set",		       NULL, SET,   TYPE_A1, A0,   A1)	       \
	X(GETATTR_HOOK,	 "slot_tp_getattr_hook",       "_Py_slot_tp_getattr_hook",	       \
							     GET,   TYPE_A0, A1,   A0)	       \
	X(GETATTRO,	 "slot_tp_getattro",	       "_Py_slot_tp_getattro",		       \
							     GET,   TYPE_A0, A1,   A0)	       \
	X(ALLOC,	 "PyType_GenericAlloc",	       NULL, ALLOC, NONE,    NONE, NONE)       \
	X(LOCK_ACQUIRE,	 "PyThread_acquire_lock_timed", NULL, LOCK, NONE,    NONE, NONE)       \
	X(TAKE_GIL,	 "take_gil",		       NULL, LOCK,  NONE,    NONE, NONE)
/* clang-format on */

#define PY_FUNC_ENUM(id, ...) PYF_##id,
enum py_func {
	PY_FUNCS(PY_FUNC_ENUM) PYF_COUNT,
};
#undef PY_FUNC_ENUM

#endif /* ATTRPROF_PY_FUNC_H */
