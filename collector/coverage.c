// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "coverage.h"
#include "attrprof.skel.h"

static bool found(const struct python *py, enum py_func a, enum py_func b)
{
	return py->sites[a].found && py->sites[b].found;
}

static int add(struct profile *p, const char *kind, const char *status, const char *why)
{
	return profile__add_coverage(p, kind, status, why);
}

static int descriptor(struct profile *p, const struct python *py, bool windows)
{
	if (!found(py, PYF_DESCR_GET, PYF_DESCR_SET))
		return add(p, "descriptor", "none",
			   "slot_tp_descr_get/set were not found in this interpreter build");
	if (windows)
		return add(p, "descriptor", "exact",
			   "custom __get__/__set__/__delete__ are never specialized: every access "
			   "calls slot_tp_descr_get or slot_tp_descr_set, and is counted. Timing a "
			   "__set__ or __delete__ needs a probe on slot_tp_descr_set's first "
			   "instruction, which the kernel single-steps: it is attached in windows, "
			   "for as long as it costs under 10% of a CPU or an attribute lacks its "
			   "first 1024 timed calls, else 20 ms of every 400 ms");
	return add(p, "descriptor", "exact",
		   "custom __get__/__set__/__delete__ are never specialized: every access calls "
		   "slot_tp_descr_get or slot_tp_descr_set");
}

static int property(struct profile *p, const struct python *py, bool frame_evaluator)
{
	if (!found(py, PYF_PROP_GET, PYF_PROP_SET))
		return add(p, "property", "none",
			   "property_descr_get/set were not found in this interpreter build");
	if (py->minor <= 11)
		return add(p, "property", "exact",
			   "every get, set and delete calls property_descr_get or _set");
	if (frame_evaluator)
		return add(p, "property", "exact",
			   "record started the interpreter with its perf trampoline "
			   "(PYTHONPERFSUPPORT=1), which keeps property loads unspecialized");
	return add(
		p, "property", "partial",
		"sets and deletes are exact; gets are inlined by the specializing interpreter "
		"(LOAD_ATTR_PROPERTY) after warm-up and cannot be observed on this process: "
		"start it with `python -X perf` (or PYTHONPERFSUPPORT=1), or use attrprof record");
}

static int slot(struct profile *p, const struct python *py)
{
	if (!py->sites[PYF_MEMBER_GET].found ||
	    !(py->sites[PYF_MEMBER_SET].found || py->sites[PYF_MEMBER_SETONE].found))
		return add(p, "slot", "none", "member_get/set were not found in this build");
	if (py->minor <= 10)
		return add(p, "slot", "exact", "every __slots__ access calls member_get or _set");
	return add(
		p, "slot", "partial",
		"getattr()/setattr()/delattr() on __slots__ members are exact; plain obj.x reads "
		"and writes are specialized (LOAD_ATTR_SLOT, STORE_ATTR_SLOT) after warm-up and "
		"call nothing: see classes for instances per class instead");
}

static int getset(struct profile *p, const struct python *py, bool getsets)
{
	if (!py->sites[PYF_GETSET_GET].found)
		return add(p, "getset", "none", "getset_get was not found");
	if (!getsets)
		return add(p, "getset", "none",
			   "C getset descriptors (obj.__dict__, type.__class__) are not probed by "
			   "default: the interpreter's own code reads them at every turn; "
			   "--getsets probes them");
	return add(p, "getset", "exact", "every access calls getset_get or _set");
}

static int getattr_hook(struct profile *p, const struct python *py)
{
	if (!py->sites[PYF_GETATTR_HOOK].found)
		return add(p, "getattr_hook", "none", "slot_tp_getattr_hook was not found");
	return add(p, "getattr_hook", "exact",
		   "every lookup on a class with __getattr__ passes through slot_tp_getattr_hook; "
		   "it counts as a fallback when neither the instance, its class nor a base has "
		   "the name");
}

static int getattribute(struct profile *p, const struct python *py, bool frame_evaluator)
{
	if (!py->sites[PYF_GETATTRO].found)
		return add(p, "getattribute", "none", "slot_tp_getattro was not found");
	if (py->minor <= 11 || frame_evaluator)
		return add(p, "getattribute", "exact",
			   "every lookup on a class overriding __getattribute__ calls "
			   "slot_tp_getattro");
	return add(p, "getattribute", "none",
		   "loads on classes overriding __getattribute__ are specialized "
		   "(LOAD_ATTR_GETATTRIBUTE_OVERRIDDEN) after warm-up: start the interpreter "
		   "with `python -X perf` (or PYTHONPERFSUPPORT=1), or use attrprof record");
}

static int gil(struct profile *p, const struct lock_codes *lc, bool runtime_placed)
{
	if (!lc->table.runtime_hi)
		return 0;
	if (!runtime_placed)
		return add(
			p, "gil_wait", "none",
			"_PyRuntime was never found mapped: GIL waits are listed as futex waits");
	return add(p, "gil_wait", "exact",
		   "futex waits on a word inside _PyRuntime, where the main interpreter's GIL "
		   "lives; a subinterpreter's own GIL (3.12+) only where take_gil has a symbol");
}

int coverage__locks(struct profile *p, const struct lock_codes *lc, const struct attrprof_bpf *skel)
{
	unsigned int objects, placed;
	int ret;

	if (!lc)
		return add(p, "lock_wait", "none", "--no-locks: lock waits were not timed");
	lock_ranges__placed(lc, skel, &objects, &placed);
	ret = gil(p, lc, skel->bss->lock_biases & (1U << lc->table.runtime_obj));
	if (ret)
		return ret;
	if (placed < objects)
		return add(p, "lock_wait", "partial",
			   "every blocked futex wait is timed and charged to the access that "
			   "waited, but some lock functions were never found mapped in the target: "
			   "their waits are listed as futex waits");
	return add(
		p, "lock_wait", "exact",
		"every wait that blocked is timed from the futex syscall and charged to the "
		"innermost access in progress; a lock taken without blocking costs nothing. "
		"Its kind is told from the lock function on the waiting thread's stack "
		"(\"futex\" where none is: a wait through a helper glibc tail-calls, such as "
		"pthread_mutex_timedlock's, shows its caller), the GIL from where its futex word "
		"lies. Spinning before blocking is not seen");
}
int coverage__python(struct profile *p, const struct python *py, bool frame_evaluator, bool windows,
		     bool getsets)
{
	return descriptor(p, py, windows) ?: property(p, py, frame_evaluator) ?:
	       add(p, "cached_property", "partial",
		   "misses (the first read on each instance, which computes the value) are exact; "
		   "hits read the instance __dict__ and call nothing") ?:
	       slot(p, py) ?:
	       getset(p, py, getsets) ?:
	       getattr_hook(p, py) ?: getattribute(p, py, frame_evaluator);
}
