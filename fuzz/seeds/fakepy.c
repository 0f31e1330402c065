// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A stand-in for libpython, a few KB: what CPython detection reads from the
 * real one (the exported C API, Py_Version, type objects whose slots point to
 * descriptor functions, slotdefs entries naming "__get__"), so the python and
 * elf fuzz targets start from an input that reaches their deeper paths.
 */
#include <stdint.h>

#define NOINLINE __attribute__((noinline, used))
/* -DDESCR=static: the descriptor functions lose their symbols, as in a stripped CPython. */
#ifndef DESCR
#define DESCR
#endif

const uint64_t Py_Version = 0x030c01f0; /* 3.12.1 final */
volatile long sink;

NOINLINE DESCR void *property_descr_get(void *self, void *obj, void *type)
{
	sink++;
	return obj ? obj : type ? type : self;
}

NOINLINE DESCR int property_descr_set(void *self, void *obj, void *value)
{
	sink += value != 0;
	return obj == self;
}

NOINLINE DESCR void *member_get(void *self, void *obj, void *type)
{
	sink--;
	return obj ? obj : type ? type : self;
}

NOINLINE DESCR void *slot_tp_descr_get(void *self, void *obj, void *type)
{
	return property_descr_get(self, obj, type);
}

NOINLINE DESCR int slot_tp_descr_set(void *self, void *obj, void *value)
{
	return property_descr_set(self, obj, value);
}

NOINLINE void *PyObject_GetAttr(void *o, void *name)
{
	return member_get(o, name, 0);
}

NOINLINE void Py_Initialize(void)
{
	sink = 0;
}

/* A type object: tp_descr_get and tp_descr_set at 0x110 and 0x118 as in 3.12. */
void *PyProperty_Type[40] = {[34] = (void *)property_descr_get, [35] = (void *)property_descr_set};

struct wrapperbase {
	const char *name;
	int offset;
	void *function;
};

struct wrapperbase slotdefs[] = {
	{"__get__", 0x110, (void *)slot_tp_descr_get},
	{"__set__", 0x118, (void *)slot_tp_descr_set},
	{"__delete__", 0x118, (void *)slot_tp_descr_set},
	{0, 0, 0},
};
