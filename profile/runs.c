// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Merging repeated runs into one profile: the rules are in runs.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "runs.h"

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static struct prof_attr *find_attr(struct profile *p, const struct prof_attr *a)
{
	for (size_t i = 0; i < p->nattrs; i++) {
		struct prof_attr *b = &p->attrs[i];

		if (str_eq(a->owner, b->owner) && str_eq(a->name, b->name) && a->kind == b->kind &&
		    a->op == b->op)
			return b;
	}
	return NULL;
}

/* What the statistics need of one run of one attribute. */
static void run_of(const struct prof_attr *a, struct prof_run *out)
{
	struct prof_lock lock;

	profile__lock_total(a->locks, &lock);
	*out = (struct prof_run){
		.count = a->count,
		.timed = a->timed,
		.total_ns = a->total_ns,
		.p50_ns = hist__percentile(a->hist, 50, a->max_ns),
		.p99_ns = hist__percentile(a->hist, 99, a->max_ns),
		.lock_ns = lock.total_ns,
	};
}

static void add_lock(struct prof_lock *to, const struct prof_lock *from)
{
	to->count += from->count;
	to->total_ns += from->total_ns;
	if (from->max_ns > to->max_ns)
		to->max_ns = from->max_ns;
	for (unsigned int s = 0; s < HIST_SLOTS; s++)
		to->hist[s] += from->hist[s];
}

static void add_attr(struct prof_attr *to, const struct prof_attr *from)
{
	to->count += from->count;
	to->errors += from->errors;
	if (from->threads > to->threads)
		to->threads = from->threads;
	to->timed += from->timed;
	to->nested_hits += from->nested_hits;
	to->total_ns += from->total_ns;
	if (from->max_ns > to->max_ns)
		to->max_ns = from->max_ns;
	for (unsigned int s = 0; s < HIST_SLOTS; s++)
		to->hist[s] += from->hist[s];
	for (unsigned int k = 0; k < LOCK_KINDS; k++)
		add_lock(&to->locks[k], &from->locks[k]);
	to->signals.repeat_reads += from->signals.repeat_reads;
	to->signals.concurrent += from->signals.concurrent;
	to->signals.off_cpu_ns += from->signals.off_cpu_ns;
	to->signals.preempted_ns += from->signals.preempted_ns;
}

/* acc's attribute for a (added, with its strings, when new), or NULL on ENOMEM. */
static struct prof_attr *attr_in(struct profile *acc, const struct prof_attr *a, size_t total)
{
	struct prof_attr *to = find_attr(acc, a);

	if (to)
		return to;
	to = profile__add_attr(acc, a->owner, a->name, a->kind, a->op);
	if (!to)
		return NULL;
	to->probe = a->probe ? strdup(a->probe) : NULL;
	to->qualname = a->qualname ? strdup(a->qualname) : NULL;
	to->runs = calloc(total, sizeof(*to->runs));
	if ((a->probe && !to->probe) || (a->qualname && !to->qualname) || !to->runs) {
		profile__pop_attr(acc);
		return NULL;
	}
	return to;
}

static int add_classes(struct profile *acc, const struct profile *run)
{
	for (size_t i = 0; i < run->nclasses; i++) {
		const struct prof_class *c = &run->classes[i];
		struct prof_class *to = NULL;

		for (size_t j = 0; j < acc->nclasses && !to; j++)
			if (str_eq(acc->classes[j].owner, c->owner) &&
			    str_eq(acc->classes[j].qualname, c->qualname))
				to = &acc->classes[j];
		if (!to) {
			to = profile__add_class(acc, c->owner, c->qualname);
			if (!to)
				return -ENOMEM;
			to->dict = c->dict;
		}
		to->allocs += c->allocs;
	}
	return 0;
}

/* Shared locks, their users renumbered into acc's attributes. Ids are per run. */
static int add_shared_locks(struct profile *acc, const struct profile *run)
{
	for (size_t i = 0; i < run->nlocks; i++) {
		const struct prof_shared_lock *l = &run->locks[i];

		for (size_t u = 0; u < l->nusers; u++) {
			const struct prof_attr *to = find_attr(acc, &run->attrs[l->users[u].attr]);

			if (to && profile__add_lock_user(acc, l->id, l->kind, to - acc->attrs,
							 l->users[u].waits, l->users[u].total_ns))
				return -ENOMEM;
		}
	}
	return 0;
}

static void add_header(struct profile *acc, const struct profile *run)
{
	acc->duration_ns += run->duration_ns;
	acc->dropped.map_full += run->dropped.map_full;
	acc->dropped.stack_depth += run->dropped.stack_depth;
	acc->dropped.read_errors += run->dropped.read_errors;
	acc->dropped.unmatched_returns += run->dropped.unmatched_returns;
	if (run->dropped.attrs_over_limit > acc->dropped.attrs_over_limit)
		acc->dropped.attrs_over_limit = run->dropped.attrs_over_limit;
	if (run->dropped.unprobeable > acc->dropped.unprobeable)
		acc->dropped.unprobeable = run->dropped.unprobeable;
	acc->dropped.accesses_over_limit += run->dropped.accesses_over_limit;
	acc->dropped.allocs_over_limit += run->dropped.allocs_over_limit;
	acc->dropped.lock_waits_over_limit += run->dropped.lock_waits_over_limit;
	/* Each run's session had its own maps and its own peak: the largest is the cost. */
	if (run->resources.map_bytes > acc->resources.map_bytes)
		acc->resources.map_bytes = run->resources.map_bytes;
	if (run->resources.peak_rss_bytes > acc->resources.peak_rss_bytes)
		acc->resources.peak_rss_bytes = run->resources.peak_rss_bytes;
	for (unsigned int k = 0; k < LOCK_KINDS; k++)
		add_lock(&acc->unattributed[k], &run->unattributed[k]);
	/* The runs' probe hits and CPU time add up, as their durations do. */
	for (unsigned int t = 0; t < TRAP_KINDS; t++)
		acc->overhead.traps[t] += run->overhead.traps[t];
	acc->overhead.probe_ns += run->overhead.probe_ns;
	acc->overhead.cpu_ns += run->overhead.cpu_ns;
	if (run->exit_status)
		acc->exit_status = run->exit_status;
}

static int merge_first(struct profile *acc, struct profile *run, size_t total)
{
	*acc = *run;
	memset(run, 0, sizeof(*run));
	acc->nruns = total;
	for (size_t i = 0; i < acc->nattrs; i++) {
		acc->attrs[i].runs = calloc(total, sizeof(*acc->attrs[i].runs));
		if (!acc->attrs[i].runs)
			return -ENOMEM;
		run_of(&acc->attrs[i], &acc->attrs[i].runs[0]);
	}
	return 0;
}

int runs__merge(struct profile *acc, struct profile *run, size_t index, size_t total)
{
	int err = 0;

	if (total < 1 || total > PROFILE_MAX_RUNS || index >= total ||
	    (index && (acc->nruns != total || !str_eq(acc->target.runtime, run->target.runtime)))) {
		err = -EINVAL;
		goto out;
	}
	if (!index)
		return merge_first(acc, run, total);
	for (size_t i = 0; i < run->nattrs; i++) {
		struct prof_attr *to = attr_in(acc, &run->attrs[i], total);

		if (!to) {
			err = -ENOMEM;
			goto out;
		}
		add_attr(to, &run->attrs[i]);
		run_of(&run->attrs[i], &to->runs[index]);
	}
	err = add_classes(acc, run) ?: add_shared_locks(acc, run);
	add_header(acc, run);
out:
	profile__free(run);
	return err;
}
