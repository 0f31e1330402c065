// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "insn.h"
#include "snapshot.h"
#include "attrprof.skel.h"

/* Reads all CPUs' copies of one per-CPU map value. Returns a malloc'd array or NULL (errno set). */
static void *read_percpu(int fd, const void *key, size_t value_size, int *ncpus)
{
	void *values;

	*ncpus = libbpf_num_possible_cpus();
	if (*ncpus < 0) {
		errno = -*ncpus;
		return NULL;
	}
	/* The kernel copies each CPU's value at an 8-byte aligned stride. */
	values = calloc(*ncpus, (value_size + 7) & ~7UL);
	if (!values)
		return NULL;
	if (bpf_map_lookup_elem(fd, key, values)) {
		free(values);
		return NULL;
	}
	return values;
}

int snapshot__attr_stats(struct attrprof_bpf *skel, uint32_t attr, struct attr_stats *sum)
{
	struct attr_stats *cpu;
	int ncpus;

	cpu = read_percpu(bpf_map__fd(skel->maps.stats), &attr, sizeof(*cpu), &ncpus);
	if (!cpu)
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (int c = 0; c < ncpus; c++) {
		sum->calls += cpu[c].calls;
		sum->errors += cpu[c].errors;
		sum->timed += cpu[c].timed;
		sum->total_ns += cpu[c].total_ns;
		sum->threads += cpu[c].threads;
		if (cpu[c].max_ns > sum->max_ns)
			sum->max_ns = cpu[c].max_ns;
		for (int i = 0; i < HIST_SLOTS; i++)
			sum->hist[i] += cpu[c].hist[i];
	}
	free(cpu);
	return 0;
}

int snapshot__reset_attr(struct attrprof_bpf *skel, uint32_t attr)
{
	int ncpus = libbpf_num_possible_cpus();
	void *zeros;
	int ret;

	if (ncpus < 0)
		return ncpus;
	zeros = calloc(ncpus, sizeof(struct attr_stats));
	if (!zeros)
		return -ENOMEM;
	ret = bpf_map_update_elem(bpf_map__fd(skel->maps.stats), &attr, zeros, BPF_ANY);
	free(zeros);
	return ret ? -errno : 0;
}

static void add_lock(struct prof_lock *dst, const struct lock_stats *src)
{
	dst->count += src->count;
	dst->total_ns += src->total_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (int i = 0; i < HIST_SLOTS; i++)
		dst->hist[i] += src->hist[i];
}

/* Charges every (attribute, kind) entry of lock_waits to its attribute or to unattributed. */
static int collect_locks(struct attrprof_bpf *skel, const struct probe_set *sites,
			 struct profile *p, size_t first_attr)
{
	int fd = bpf_map__fd(skel->maps.lock_waits);
	struct lock_key key, next, *prev = NULL;
	struct lock_stats *cpu;
	int ncpus;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct prof_lock *locks = p->unattributed;

		key = next;
		prev = &key;
		if (key.kind >= LOCK_KINDS)
			continue;
		if (key.attr != ATTR_UNATTRIBUTED) {
			/* Skips the calibration attribute, which takes no locks anyway. */
			if (key.attr < ATTR_FIRST_USER ||
			    key.attr >= ATTR_FIRST_USER + sites->naccess)
				continue;
			locks = p->attrs[first_attr + key.attr - ATTR_FIRST_USER].locks;
		}
		cpu = read_percpu(fd, &key, sizeof(*cpu), &ncpus);
		if (!cpu)
			return -errno;
		for (int c = 0; c < ncpus; c++)
			add_lock(&locks[key.kind], &cpu[c]);
		free(cpu);
	}
	return 0;
}

static int collect_drops(struct attrprof_bpf *skel, struct profile *p)
{
	uint64_t total[DROP_REASONS] = {};
	int fd = bpf_map__fd(skel->maps.drops);

	for (__u32 r = 0; r < DROP_REASONS; r++) {
		__u64 *cpu;
		int ncpus;

		cpu = read_percpu(fd, &r, sizeof(*cpu), &ncpus);
		if (!cpu)
			return -errno;
		for (int c = 0; c < ncpus; c++)
			total[r] += cpu[c];
		free(cpu);
	}
	p->dropped.map_full = total[DROP_MAP_FULL];
	p->dropped.stack_depth = total[DROP_STACK_DEPTH];
	p->dropped.read_errors = total[DROP_READ_ERROR];
	p->dropped.unmatched_returns = total[DROP_UNMATCHED_RET];
	return 0;
}

int snapshot__collect(struct attrprof_bpf *skel, const struct probe_set *sites, struct profile *p)
{
	size_t first_attr = p->nattrs;
	struct attr_stats sum;
	int ret;

	/* Attribute ids are dense from ATTR_FIRST_USER: the n-th access site is prof_attr n. */
	for (size_t i = 0; i < sites->n; i++) {
		const struct probe_site *site = &sites->v[i];
		struct prof_attr *a;
		bool sstep;

		if (site->kind != SITE_ACCESS)
			continue;
		a = profile__add_attr(p, site->owner, site->name, "function", "call");
		if (!a)
			return -ENOMEM;
		sstep = site->cookie & (COOKIE_SSTEP << COOKIE_FLAGS_SHIFT);
		a->probe = strdup(insn__class_name(sstep ? INSN_SSTEP : INSN_EMULATED));
		if (!a->probe)
			return -ENOMEM;
		ret = snapshot__attr_stats(skel, site->cookie & COOKIE_ATTR_MASK, &sum);
		if (ret)
			return ret;
		a->count = sum.calls;
		a->errors = sum.errors;
		a->threads = sum.threads;
		a->timed = sum.timed;
		a->total_ns = sum.total_ns;
		a->max_ns = sum.max_ns;
		for (int h = 0; h < HIST_SLOTS; h++)
			a->hist[h] = sum.hist[h];
	}
	ret = collect_locks(skel, sites, p, first_attr);
	if (ret)
		return ret;
	return collect_drops(skel, p);
}
