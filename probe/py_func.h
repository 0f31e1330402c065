/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The CPython functions attrprof finds, as the cookie of a Python probe
 * names them: ABI shared by the probes and the collector. The last two are
 * never probed: their code tells a lock wait's kind (lock_ranges).
 */
#ifndef ATTRPROF_PY_FUNC_H
#define ATTRPROF_PY_FUNC_H

enum py_func {
	PYF_DESCR_GET,	/* slot_tp_descr_get(descr, obj, type): custom __get__, cached_property */
	PYF_DESCR_SET,	/* slot_tp_descr_set(descr, obj, value): __set__, value NULL = __delete__ */
	PYF_PROP_GET,	/* property_descr_get(prop, obj, type) */
	PYF_PROP_SET,	/* property_descr_set(prop, obj, value) */
	PYF_MEMBER_GET, /* member_get(descr, obj, type): __slots__ and C members */
	PYF_MEMBER_SET, /* member_set(descr, obj, value) */
	PYF_MEMBER_SETONE, /* PyMember_SetOne(obj, PyMemberDef *, value): where member_set is
			      inlined */
	PYF_GETSET_GET,	   /* getset_get(descr, obj, type) */
	PYF_GETSET_SET,	   /* getset_set(descr, obj, value) */
	PYF_GETATTR_HOOK,  /* slot_tp_getattr_hook(self, name): classes with __getattr__ */
	PYF_GETATTRO,	   /* slot_tp_getattro(self, name): Python __getattribute__ overrides */
	PYF_ALLOC,	   /* PyType_GenericAlloc(type, nitems): instances per class */
	PYF_LOCK_ACQUIRE,  /* PyThread_acquire_lock_timed(lock, ...): threading.Lock waits */
	PYF_TAKE_GIL,	   /* take_gil(tstate): GIL waits (of subinterpreters' own GILs too) */
	PYF_COUNT,
};

#endif /* ATTRPROF_PY_FUNC_H */
