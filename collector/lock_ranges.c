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
#include "lock_ranges.h"
#include "attrprof.skel.h"

/* Priorities: CPython's lock acquire outranks the libc calls it makes. */
enum { PRIO_LIBC = 1, PRIO_PYTHON = 2, PRIO_GIL = 3 };

/*
 * The libc functions a blocked wait can be in, glibc 2.34+ (libc.so.6, or a
 * static executable). Some tail-call an unnamed helper (sem_wait,
 * pthread_mutex_timedlock): their waits show the caller's frame instead, and
 * are told only when the caller is a function listed here.
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

static void add(struct lock_codes *lc, const char *host_path, uint64_t vaddr, uint64_t size,
		uint32_t kind, uint32_t prio)
{
	if (lc->n >= LOCK_RANGES || !vaddr || !size)
		return;
	lc->v[lc->n++] = (struct lock_code){host_path, vaddr, size, kind, prio};
}

static uint32_t libc_kind(const char *name)
{
	for (size_t i = 0; i < NLIBC_LOCKS; i++)
		if (!strcmp(libc_locks[i].name, name))
			return libc_locks[i].kind;
	return LOCK_FUTEX;
}

int lock_ranges__find(struct lock_codes *lc, const struct target_objects *objs,
		      const struct python *py)
{
	const char *names[NLIBC_LOCKS];
	struct elf_funcs funcs = {};
	char err[256];
	uint64_t vaddr, size;
	int ret;

	memset(lc, 0, sizeof(*lc));
	for (size_t i = 0; i < NLIBC_LOCKS; i++)
		names[i] = libc_locks[i].name;
	for (size_t i = 0; i < objs->n; i++) {
		/* An unreadable object holds no ranges we could use: passed over. */
		ret = elf__find_funcs(objs->v[i].host_path, names, NLIBC_LOCKS, &funcs, err,
				      sizeof(err));
		if (ret == -ENOMEM)
			return ret;
		for (size_t f = 0; f < funcs.n; f++)
			add(lc, objs->v[i].host_path, funcs.v[f].vaddr, funcs.v[f].size,
			    libc_kind(funcs.v[f].name), PRIO_LIBC);
		elf__funcs_free(&funcs);
	}
	if (!py)
		return 0;
	if (py->sites[PYF_LOCK_ACQUIRE].found)
		add(lc, py->obj->host_path, py->sites[PYF_LOCK_ACQUIRE].vaddr,
		    py->sites[PYF_LOCK_ACQUIRE].size, LOCK_PYTHON, PRIO_PYTHON);
	if (py->sites[PYF_TAKE_GIL].found)
		add(lc, py->obj->host_path, py->sites[PYF_TAKE_GIL].vaddr,
		    py->sites[PYF_TAKE_GIL].size, LOCK_GIL, PRIO_GIL);
	/* The main interpreter's GIL lives in _PyRuntime (3.9-3.11 ceval.gil, 3.12+ _gil). */
	if (!elf__find_object(py->obj->host_path, "_PyRuntime", &vaddr, &size))
		lc->runtime = (struct lock_code){py->obj->host_path, vaddr, size, LOCK_GIL, 0};
	return 0;
}

/*
 * The load bias of the file at host_path in pid: where vaddr's file bytes are
 * mapped, minus vaddr. Files are matched by device and inode, so the name a
 * loader or a chroot gave the mapping does not matter. -EAGAIN when no
 * mapping of the file holds them yet.
 */
static int load_bias(pid_t pid, const char *host_path, uint64_t vaddr, uint64_t *bias)
{
	unsigned long long start, end, off, ino;
	unsigned int major, minor;
	char path[64], line[4352];
	uint64_t file_off;
	struct stat st;
	int ret = -EAGAIN;
	FILE *maps;

	if (stat(host_path, &st) || elf__vaddr_offset(host_path, vaddr, &file_off))
		return -ENOENT;
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

/* The bias of lc->v[i]'s file, reusing an earlier range's of the same file. */
static int bias_of(struct lock_codes *lc, size_t i, pid_t pid, uint64_t *biases)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(lc->v[j].host_path, lc->v[i].host_path)) {
			biases[i] = biases[j];
			return 0;
		}
	return load_bias(pid, lc->v[i].host_path, lc->v[i].vaddr, &biases[i]);
}

static int by_start(const void *a, const void *b)
{
	const struct lock_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Sorts v[0..n) by start and drops ranges that overlap the one before
 * (aliases of one function): the probes search the table by halves.
 * Returns how many are left.
 */
static __u32 disjoint(struct lock_range *v, size_t n)
{
	size_t kept = 0;

	qsort(v, n, sizeof(*v), by_start);
	for (size_t i = 0; i < n; i++) {
		if (kept && v[i].start < v[kept - 1].end)
			continue;
		v[kept++] = v[i];
	}
	return kept;
}

int lock_ranges__place(struct lock_codes *lc, pid_t pid, struct attrprof_bpf *skel)
{
	uint64_t biases[LOCK_RANGES], runtime_bias = 0;
	struct lock_table table = {};
	__u32 zero = 0;
	int ret;

	for (size_t i = 0; i < lc->n; i++) {
		ret = bias_of(lc, i, pid, biases);
		if (ret)
			return ret;
	}
	if (lc->runtime.size) {
		/* Data, maybe .bss: placed by the bias of code in the same file. */
		bool found = false;

		for (size_t i = 0; i < lc->n && !found; i++)
			if (!strcmp(lc->v[i].host_path, lc->runtime.host_path)) {
				runtime_bias = biases[i];
				found = true;
			}
		ret = found ? 0
			    : load_bias(pid, lc->runtime.host_path, lc->runtime.vaddr,
					&runtime_bias);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < lc->n; i++)
		table.v[i] = (struct lock_range){.start = lc->v[i].vaddr + biases[i],
						 .end = lc->v[i].vaddr + biases[i] + lc->v[i].size,
						 .kind = lc->v[i].kind,
						 .prio = lc->v[i].prio};
	table.n = disjoint(table.v, lc->n);
	if (lc->runtime.size) {
		skel->bss->runtime_start = lc->runtime.vaddr + runtime_bias;
		skel->bss->runtime_end = lc->runtime.vaddr + runtime_bias + lc->runtime.size;
	}
	/* One update: a probe sees the old table or the new one, never half of it. */
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.lock_ranges), &zero, &table, BPF_ANY))
		return -errno;
	lc->placed = true;
	return 0;
}
