// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "elfread.h"
#include "insn.h"
#include "lock_ranges.h"
#include "attrprof.skel.h"

/* Priorities: CPython's lock acquire outranks the libc calls it makes. */
enum { PRIO_LIBC = 1, PRIO_PYTHON = 2, PRIO_GIL = 3 };

/*
 * The libc functions a blocked wait can be in, glibc 2.34+ (libc.so.6, or a
 * static executable), and the helpers they tail-call (add_tail_calls).
 */
static const struct {
	const char *name;
	uint32_t kind;
} libc_locks[] = {
	{"pthread_mutex_lock", LOCK_MUTEX},
	{"pthread_mutex_timedlock", LOCK_MUTEX},
	{"pthread_mutex_clocklock", LOCK_MUTEX},
	{"pthread_rwlock_rdlock", LOCK_RWLOCK},
	{"pthread_rwlock_wrlock", LOCK_RWLOCK},
	{"pthread_rwlock_timedrdlock", LOCK_RWLOCK},
	{"pthread_rwlock_timedwrlock", LOCK_RWLOCK},
	{"pthread_rwlock_clockrdlock", LOCK_RWLOCK},
	{"pthread_rwlock_clockwrlock", LOCK_RWLOCK},
	{"sem_wait", LOCK_SEM},
	{"sem_timedwait", LOCK_SEM},
	{"sem_clockwait", LOCK_SEM},
	{"pthread_cond_wait", LOCK_COND},
	{"pthread_cond_timedwait", LOCK_COND},
	{"pthread_cond_clockwait", LOCK_COND},
};
#define NLIBC_LOCKS (sizeof(libc_locks) / sizeof(libc_locks[0]))

/* The functions an object's anchor may be: called once as a program starts. */
static const char *const anchors[] = {
	"__libc_start_main",	   /* libc, before main */
	"Py_InitializeFromConfig", /* a shared libpython, as the interpreter starts */
};
#define NANCHORS (sizeof(anchors) / sizeof(anchors[0]))

struct range_of_obj {
	struct lock_range r;
	uint32_t obj;
};

static uint32_t libc_kind(const char *name)
{
	for (size_t i = 0; i < NLIBC_LOCKS; i++)
		if (!strcmp(libc_locks[i].name, name))
			return libc_locks[i].kind;
	return LOCK_FUTEX;
}

/*
 * The index of object o in lc, added (with its anchor) on first use, read through ef; -1 when
 * full, or when o is new and ef NULL (o cannot be read).
 */
static int obj_index(struct lock_codes *lc, const struct target_object *o,
		     const struct elf_file *ef)
{
	struct lock_obj *lo;
	struct elf_funcs funcs = {};
	char err[256];
	uint64_t off;

	for (uint32_t i = 0; i < lc->table.nobjs; i++)
		if (lc->objs[i].obj == o)
			return i;
	if (lc->table.nobjs >= LOCK_OBJECTS || !ef)
		return -1;
	lo = &lc->objs[lc->table.nobjs];
	memset(lo, 0, sizeof(*lo));
	lo->obj = o;
	lo->fixed = elf__is_fixed(ef);
	/* A loaded-at-its-addresses object needs no anchor. */
	if (!lo->fixed && !elf__find_funcs(ef, anchors, NANCHORS, &funcs, err, sizeof(err)) &&
	    funcs.n && !elf__vaddr_offset(ef, funcs.v[0].vaddr, &off)) {
		lo->anchor = funcs.v[0];
		lo->anchor.name = strdup(funcs.v[0].name);
		/* The probe sits past an endbr64: its address is the function's plus that. */
		lo->anchor_vaddr = funcs.v[0].vaddr + (funcs.v[0].offset - off);
		if (!lo->anchor.name)
			lo->anchor_vaddr = 0;
	}
	elf__funcs_free(&funcs);
	return lc->table.nobjs++;
}

static int by_obj_and_start(const void *a, const void *b)
{
	const struct range_of_obj *x = a, *y = b;

	if (x->obj != y->obj)
		return x->obj < y->obj ? -1 : 1;
	return x->r.start < y->r.start ? -1 : x->r.start > y->r.start;
}

/*
 * Sorts the ranges by object and start into the table, dropping one that
 * overlaps the one before it (aliases of one function): the probes search
 * each object's ranges by halves.
 */
static void fill_table(struct lock_codes *lc, struct range_of_obj *v, size_t n)
{
	struct lock_table *t = &lc->table;
	uint32_t k = 0;

	qsort(v, n, sizeof(*v), by_obj_and_start);
	for (size_t i = 0; i < n; i++) {
		struct lock_object *o = &t->objs[v[i].obj];

		/* An object's ranges are contiguous: t->v[k - 1] is its last so far. */
		if (o->n && v[i].r.start < t->v[k - 1].end)
			continue;
		if (!o->n) {
			o->first = k;
			o->lo = v[i].r.start;
		}
		t->v[k++] = v[i].r;
		o->n++;
		o->hi = v[i].r.end;
	}
	for (uint32_t i = 0; i < t->nobjs; i++)
		t->objs[i].anchor = lc->objs[i].anchor_vaddr;
}

static void add(struct range_of_obj *v, size_t *n, int obj, uint64_t vaddr, uint64_t size,
		uint32_t kind, uint32_t prio)
{
	if (*n >= LOCK_RANGES || obj < 0 || !vaddr || !size)
		return;
	v[(*n)++] = (struct range_of_obj){{vaddr, vaddr + size, kind, prio}, obj};
}

/* Longest lock function whose bytes are read for tail calls. */
#define TAIL_SCAN_MAX 4096

/*
 * Adds, with f's kind, the functions f tail-calls (a jmp rel32 out of it to
 * a function start): sem_wait and pthread_mutex_timedlock leave their frame
 * for an unnamed helper's, whose code is then on the waiting thread's stack.
 * A jmp opcode read inside another instruction is ruled out by its target:
 * it must start a function in .eh_frame_hdr.
 */
static void add_tail_calls(struct range_of_obj *v, size_t *n, int obj, const struct elf_file *ef,
			   const struct elf_func *f, uint32_t kind)
{
	uint64_t len = f->size < TAIL_SCAN_MAX ? f->size : TAIL_SCAN_MAX, start, end;
	uint8_t code[TAIL_SCAN_MAX];

	if (len < 5 || elf__read_vaddr(ef, f->vaddr, code, len))
		return;
	for (uint64_t i = 0; i + 5 <= len; i++) {
		int32_t rel = (int32_t)((uint32_t)code[i + 1] | (uint32_t)code[i + 2] << 8 |
					(uint32_t)code[i + 3] << 16 | (uint32_t)code[i + 4] << 24);
		uint64_t to = f->vaddr + i + 5 + (int64_t)rel;

		if (code[i] != 0xe9 || (to >= f->vaddr && to < f->vaddr + f->size))
			continue;
		if (!elf__func_bounds(ef, to, &start, &end) && start == to && end != UINT64_MAX)
			add(v, n, obj, start, end - start, kind, PRIO_LIBC);
	}
}

int lock_ranges__find(struct lock_codes *lc, const struct target_objects *objs,
		      const struct python *py)
{
	struct range_of_obj v[LOCK_RANGES];
	const char *names[NLIBC_LOCKS];
	struct elf_funcs funcs = {};
	struct elf_file *ef;
	uint64_t vaddr, size;
	char err[256];
	size_t n = 0;
	int ret, obj;

	memset(lc, 0, sizeof(*lc));
	for (size_t i = 0; i < NLIBC_LOCKS; i++)
		names[i] = libc_locks[i].name;
	for (size_t i = 0; i < objs->n; i++) {
		/* An unreadable object holds no ranges we could use: passed over. */
		ret = elf__open(objs->v[i].host_path, &ef, err, sizeof(err))
			      ?: elf__find_funcs(ef, names, NLIBC_LOCKS, &funcs, err, sizeof(err));
		if (ret == -ENOMEM) {
			elf__close(ef);
			return ret;
		}
		obj = funcs.n ? obj_index(lc, &objs->v[i], ef) : -1;
		for (size_t f = 0; f < funcs.n; f++) {
			uint32_t kind = libc_kind(funcs.v[f].name);

			add(v, &n, obj, funcs.v[f].vaddr, funcs.v[f].size, kind, PRIO_LIBC);
			add_tail_calls(v, &n, obj, ef, &funcs.v[f], kind);
		}
		elf__funcs_free(&funcs);
		elf__close(ef);
	}
	if (py) {
		/* Not readable (ef NULL): no index, unless the loop above gave it one. */
		elf__open(py->obj->host_path, &ef, NULL, 0);
		obj = obj_index(lc, py->obj, ef);
		if (py->sites[PYF_LOCK_ACQUIRE].found)
			add(v, &n, obj, py->sites[PYF_LOCK_ACQUIRE].vaddr,
			    py->sites[PYF_LOCK_ACQUIRE].size, LOCK_PYTHON, PRIO_PYTHON);
		if (py->sites[PYF_TAKE_GIL].found)
			add(v, &n, obj, py->sites[PYF_TAKE_GIL].vaddr, py->sites[PYF_TAKE_GIL].size,
			    LOCK_GIL, PRIO_GIL);
		/* The main interpreter's GIL lives in _PyRuntime (3.9-3.11 ceval.gil, 3.12+ _gil).
		 */
		if (obj >= 0 && ef && !elf__find_object(ef, "_PyRuntime", &vaddr, &size)) {
			lc->table.runtime_obj = obj;
			lc->table.runtime_lo = vaddr;
			lc->table.runtime_hi = vaddr + size;
		}
		elf__close(ef);
	}
	fill_table(lc, v, n);
	return 0;
}

void lock_ranges__free(struct lock_codes *lc)
{
	if (!lc)
		return;
	for (uint32_t i = 0; i < lc->table.nobjs; i++)
		free(lc->objs[i].anchor.name);
	memset(lc, 0, sizeof(*lc));
}

int lock_ranges__add_anchors(const struct lock_codes *lc, struct probe_set *set)
{
	for (uint32_t i = 0; i < lc->table.nobjs; i++) {
		const struct lock_obj *o = &lc->objs[i];
		int ret;

		if (!o->anchor_vaddr)
			continue;
		ret = sites__add(set, SITE_LOCK_ANCHOR, o->obj, &o->anchor, i, false);
		if (ret)
			return ret;
	}
	return 0;
}

/* The fixed objects' biases are 0, known from the start. */
int lock_ranges__load(const struct lock_codes *lc, struct attrprof_bpf *skel)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(skel->maps.lock_ranges), &zero, &lc->table, BPF_ANY))
		return -errno;
	for (uint32_t i = 0; i < lc->table.nobjs; i++)
		if (lc->objs[i].fixed)
			skel->bss->lock_biases |= 1U << i;
	return 0;
}

/*
 * The load bias of the object at host_path in pid: where vaddr's file bytes
 * are mapped, minus vaddr. Files are matched by device and inode, so the
 * name a loader or a chroot gave the mapping does not matter. -EAGAIN when
 * no mapping of the file holds them.
 */
static int load_bias(pid_t pid, const char *host_path, uint64_t vaddr, uint64_t *bias)
{
	unsigned long long start, end, off, ino;
	unsigned int major, minor;
	char path[64], line[4352];
	struct elf_file *ef = NULL;
	uint64_t file_off;
	struct stat st;
	FILE *maps;
	int ret;

	ret = stat(host_path, &st) || elf__open(host_path, &ef, NULL, 0) ||
	      elf__vaddr_offset(ef, vaddr, &file_off);
	elf__close(ef);
	if (ret)
		return -ENOENT;
	ret = -EAGAIN;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "re");
	if (!maps)
		return -errno;
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &start, &end, &off, &major,
			   &minor, &ino) != 6)
			continue;
		if (ino != st.st_ino || makedev(major, minor) != st.st_dev || file_off < off ||
		    file_off - off >= end - start)
			continue;
		*bias = start + (file_off - off) - vaddr;
		ret = 0;
		break;
	}
	fclose(maps);
	return ret;
}

int lock_ranges__place(const struct lock_codes *lc, pid_t pid, struct attrprof_bpf *skel)
{
	for (uint32_t i = 0; i < lc->table.nobjs; i++) {
		const struct lock_object *o = &lc->table.objs[i];
		uint64_t bias, vaddr = o->n ? o->lo : lc->table.runtime_lo;
		int ret;

		if (skel->bss->lock_biases & (1U << i) || !vaddr)
			continue;
		ret = load_bias(pid, lc->objs[i].obj->host_path, vaddr, &bias);
		if (ret)
			return ret;
		skel->bss->lock_bias[i] = bias;
		__atomic_or_fetch(&skel->bss->lock_biases, 1U << i, __ATOMIC_RELEASE);
	}
	return 0;
}

void lock_ranges__placed(const struct lock_codes *lc, const struct attrprof_bpf *skel,
			 unsigned int *objects, unsigned int *placed)
{
	*objects = lc->table.nobjs;
	*placed = 0;
	for (uint32_t i = 0; i < lc->table.nobjs; i++)
		*placed += !!(skel->bss->lock_biases & (1U << i));
}
