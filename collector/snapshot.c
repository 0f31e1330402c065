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
		sum->repeat_reads += cpu[c].repeat_reads;
		sum->concurrent += cpu[c].concurrent;
		sum->off_cpu_ns += cpu[c].off_cpu_ns;
		sum->preempted_ns += cpu[c].preempted_ns;
		sum->sstep_timed += cpu[c].sstep_timed;
		sum->nested_hits += cpu[c].nested_hits;
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

/* Sums the per-CPU counters of an array of n __u64 into total[]. */
static int sum_counters(int fd, uint32_t n, uint64_t *total)
{
	for (__u32 i = 0; i < n; i++) {
		__u64 *cpu;
		int ncpus;

		cpu = read_percpu(fd, &i, sizeof(*cpu), &ncpus);
		if (!cpu)
			return -errno;
		total[i] = 0;
		for (int c = 0; c < ncpus; c++)
			total[i] += cpu[c];
		free(cpu);
	}
	return 0;
}

int snapshot__traps(struct attrprof_bpf *skel, uint64_t out[TRAP_KINDS])
{
	return sum_counters(bpf_map__fd(skel->maps.traps), TRAP_KINDS, out);
}

int snapshot__reset_traps(struct attrprof_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus(), fd = bpf_map__fd(skel->maps.traps);
	__u64 *zeros;
	int ret = 0;

	if (ncpus < 0)
		return ncpus;
	zeros = calloc(ncpus, sizeof(*zeros));
	if (!zeros)
		return -ENOMEM;
	for (__u32 t = 0; t < TRAP_KINDS && !ret; t++)
		if (bpf_map_update_elem(fd, &t, zeros, BPF_ANY))
			ret = -errno;
	free(zeros);
	return ret;
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

/* Where each attribute id's prof_attr is in the profile; -1 for none. */
struct id_index {
	ssize_t *of;
	uint32_t n;
};

/* Profile ids for lock addresses, in order of first sight; addresses never leave the collector. */
struct lock_ids {
	uint64_t *addr;
	size_t n;
};

static int lock_id(struct lock_ids *ids, uint64_t addr, uint64_t *id)
{
	uint64_t *v;

	for (size_t i = 0; i < ids->n; i++) {
		if (ids->addr[i] == addr) {
			*id = i + 1;
			return 0;
		}
	}
	v = realloc(ids->addr, (ids->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	ids->addr = v;
	v[ids->n++] = addr;
	*id = ids->n;
	return 0;
}

/*
 * Charges every (attribute, kind, lock) entry of lock_waits to its
 * attribute or to unattributed, and notes which attributes waited on each
 * lock (the GIL aside: every thread shares it).
 */
static int collect_locks(struct attrprof_bpf *skel, const struct id_index *ix, struct profile *p)
{
	int fd = bpf_map__fd(skel->maps.lock_waits);
	struct lock_key key, next, *prev = NULL;
	struct lock_ids ids = {};
	struct lock_stats *cpu;
	int ncpus, ret = 0;

	while (!ret && !bpf_map_get_next_key(fd, prev, &next)) {
		struct prof_lock *locks = p->unattributed, sum = {};
		ssize_t attr = -1;
		uint64_t id;

		key = next;
		prev = &key;
		if (key.kind >= LOCK_KINDS)
			continue;
		if (key.attr != ATTR_UNATTRIBUTED) {
			/* The calibration attributes take no locks; a Python id may be unnamed. */
			if (key.attr >= ix->n || ix->of[key.attr] < 0)
				continue;
			attr = ix->of[key.attr];
			locks = p->attrs[attr].locks;
		}
		cpu = read_percpu(fd, &key, sizeof(*cpu), &ncpus);
		if (!cpu) {
			ret = -errno;
			break;
		}
		for (int c = 0; c < ncpus; c++) {
			add_lock(&locks[key.kind], &cpu[c]);
			add_lock(&sum, &cpu[c]);
		}
		free(cpu);
		if (attr >= 0 && key.lock && key.kind != LOCK_GIL)
			ret = lock_id(&ids, key.lock, &id)
				      ?: profile__add_lock_user(p, id, key.kind, attr, sum.count,
								sum.total_ns);
	}
	free(ids.addr);
	return ret;
}

static int collect_drops(struct attrprof_bpf *skel, struct profile *p)
{
	uint64_t total[DROP_REASONS];
	int ret;

	ret = sum_counters(bpf_map__fd(skel->maps.drops), DROP_REASONS, total);
	if (ret)
		return ret;
	p->dropped.map_full = total[DROP_MAP_FULL];
	p->dropped.stack_depth = total[DROP_STACK_DEPTH];
	p->dropped.read_errors = total[DROP_READ_ERROR];
	p->dropped.unmatched_returns = total[DROP_UNMATCHED_RET];
	p->dropped.accesses_over_limit = total[DROP_ATTR_LIMIT];
	p->dropped.allocs_over_limit = total[DROP_CLASS_LIMIT];
	p->dropped.lock_waits_over_limit = total[DROP_LOCK_LIMIT];
	return 0;
}

/*
 * Adds attribute id's stats as a prof_attr named by the strings, with the
 * class of its probe (cookie flags), and notes its index.
 */
static int add_attr(struct attrprof_bpf *skel, struct id_index *ix, uint32_t id, const char *owner,
		    const char *name, enum attr_kind kind, enum attr_op op, uint64_t flags,
		    struct profile *p)
{
	struct attr_stats sum;
	struct prof_attr *a;
	int ret;

	ret = snapshot__attr_stats(skel, id, &sum);
	if (ret)
		return ret;
	a = profile__add_attr(p, owner, name, kind, op);
	if (!a)
		return -ENOMEM;
	a->count = sum.calls;
	a->errors = sum.errors;
	a->threads = sum.threads;
	a->timed = sum.timed;
	a->nested_hits = sum.nested_hits;
	a->total_ns = sum.total_ns;
	a->max_ns = sum.max_ns;
	for (int h = 0; h < HIST_SLOTS; h++)
		a->hist[h] = sum.hist[h];
	a->signals.repeat_reads = sum.repeat_reads;
	a->signals.concurrent = sum.concurrent;
	a->signals.off_cpu_ns = sum.off_cpu_ns;
	a->signals.preempted_ns = sum.preempted_ns;
	/* The class of the probe that timed most of its calls, else of the one that named it. */
	if (sum.timed)
		flags = sum.sstep_timed * 2 > sum.timed ? COOKIE_SSTEP : 0;
	a->probe = strdup(insn__class_name(flags & COOKIE_SSTEP ? INSN_SSTEP : INSN_EMULATED));
	if (!a->probe)
		return -ENOMEM;
	if (id < ix->n)
		ix->of[id] = p->nattrs - 1;
	return 0;
}

/* The native accessors: attribute ids are the sites' cookies. */
static int collect_funcs(struct attrprof_bpf *skel, const struct probe_set *sites,
			 struct id_index *ix, struct profile *p)
{
	for (size_t i = 0; i < sites->n; i++) {
		const struct probe_site *site = &sites->v[i];
		int ret;

		if (site->kind != SITE_ACCESS)
			continue;
		ret = add_attr(skel, ix, site->cookie & COOKIE_ATTR_MASK, site->owner, site->name,
			       KIND_FUNCTION, OP_CALL, site->cookie >> COOKIE_FLAGS_SHIFT, p);
		if (ret)
			return ret;
	}
	return 0;
}

static bool same_attr(const struct prof_attr *a, const struct prof_attr *b)
{
	return !strcmp(a->owner, b->owner) && !strcmp(a->name, b->name) && a->kind == b->kind &&
	       a->op == b->op;
}

/*
 * Folds the last attribute into an earlier one with the same names, if any:
 * two probe sites can see one attribute (a class's first lookup passes
 * through the __getattr__ hook before slot_tp_getattro takes over).
 * Distinct threads cannot be unioned: the larger count is kept.
 */
static void fold_last(struct profile *p, size_t first, struct id_index *ix, uint32_t id)
{
	struct prof_attr *last = &p->attrs[p->nattrs - 1];

	for (size_t i = first; i + 1 < p->nattrs; i++) {
		struct prof_attr *a = &p->attrs[i];

		if (!same_attr(a, last))
			continue;
		a->count += last->count;
		a->errors += last->errors;
		/* The probe class of the one that timed more of the calls. */
		if (last->timed > a->timed) {
			char *probe = a->probe;

			a->probe = last->probe;
			last->probe = probe;
		}
		a->timed += last->timed;
		a->nested_hits += last->nested_hits;
		a->total_ns += last->total_ns;
		a->max_ns = a->max_ns > last->max_ns ? a->max_ns : last->max_ns;
		a->threads = a->threads > last->threads ? a->threads : last->threads;
		a->signals.repeat_reads += last->signals.repeat_reads;
		a->signals.concurrent += last->signals.concurrent;
		a->signals.off_cpu_ns += last->signals.off_cpu_ns;
		a->signals.preempted_ns += last->signals.preempted_ns;
		for (int h = 0; h < HIST_SLOTS; h++)
			a->hist[h] += last->hist[h];
		ix->of[id] = i;
		profile__pop_attr(p);
		return;
	}
}

/* The Python attributes the probes named, ids first_py_attr up to next_attr. */
static int collect_python(struct attrprof_bpf *skel, uint32_t first, struct id_index *ix,
			  struct profile *p)
{
	uint32_t end = skel->bss->next_attr < ix->n ? skel->bss->next_attr : ix->n;
	int fd = bpf_map__fd(skel->maps.attr_info);
	size_t first_index = p->nattrs;
	struct attr_info info;
	int ret;

	for (uint32_t id = first; id < end; id++) {
		struct prof_attr *a;

		if (bpf_map_lookup_elem(fd, &id, &info))
			return -errno;
		/* Unnamed ids were lost to a race on first sight; ignored ones count nowhere. */
		if (!info.name[0] || info.kind >= KIND_IGNORED || info.op >= ATTR_OPS)
			continue;
		info.owner[PY_NAME_LEN - 1] = info.qualname[PY_NAME_LEN - 1] = '\0';
		info.name[PY_NAME_LEN - 1] = '\0';
		ret = add_attr(skel, ix, id, info.owner, info.name, info.kind, info.op, info.flags,
			       p);
		if (ret)
			return ret;
		a = &p->attrs[p->nattrs - 1];
		if (!a->count) {
			ix->of[id] = -1;
			profile__pop_attr(p);
			continue;
		}
		if (info.qualname[0] && strcmp(info.qualname, info.owner)) {
			a->qualname = strdup(info.qualname);
			if (!a->qualname)
				return -ENOMEM;
		}
		fold_last(p, first_index, ix, id);
	}
	return 0;
}

/* Instances created per Python class. */
static int collect_classes(struct attrprof_bpf *skel, struct profile *p)
{
	int fd = bpf_map__fd(skel->maps.classes);
	__u64 key, next, *prev = NULL;
	struct class_info c;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct prof_class *pc;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c))
			continue; /* freed meanwhile: nothing to report */
		c.name[PY_NAME_LEN - 1] = c.qualname[PY_NAME_LEN - 1] = '\0';
		pc = profile__add_class(
			p, c.name, c.qualname[0] && strcmp(c.qualname, c.name) ? c.qualname : NULL);
		if (!pc)
			return -ENOMEM;
		pc->allocs = c.allocs;
		pc->dict = c.has_dict;
	}
	return 0;
}

int snapshot__collect(struct attrprof_bpf *skel, const struct probe_set *sites,
		      uint32_t first_py_attr, struct profile *p)
{
	struct id_index ix = {.n = bpf_map__max_entries(skel->maps.stats)};
	int ret = -ENOMEM;

	ix.of = malloc(ix.n * sizeof(*ix.of));
	if (!ix.of)
		goto cleanup;
	for (uint32_t i = 0; i < ix.n; i++)
		ix.of[i] = -1;
	ret = collect_funcs(skel, sites, &ix, p);
	if (!ret && first_py_attr)
		ret = collect_python(skel, first_py_attr, &ix, p) ?: collect_classes(skel, p);
	if (!ret)
		ret = collect_locks(skel, &ix, p);
	if (!ret)
		ret = collect_drops(skel, p);
	if (!ret)
		ret = snapshot__traps(skel, p->overhead.traps);
cleanup:
	free(ix.of);
	return ret;
}
