// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Recommendation rules on crafted profiles: each threshold just below, at
 * and above, too little data, the ranking, and a well-behaved profile.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "advise.h"
#include "fixtures.h"
#include "hist.h"
#include "profile.h"

/* A Python 3.11 profile of one second, so saved ns per second equal saved ns. */
static void python_profile(struct profile *p)
{
	memset(p, 0, sizeof(*p));
	p->target.runtime = strdup("python");
	p->target.version = strdup("3.11.2");
	p->mode = strdup("timed");
	p->duration_ns = 1000000000;
}

/* count timed accesses at mean_ns each, by one thread. */
static struct prof_attr *attr(struct profile *p, const char *owner, const char *name,
			      const char *kind, const char *op, uint64_t count, uint64_t mean_ns)
{
	struct prof_attr *a = profile__add_attr(p, owner, name, fixture_kind(kind), fixture_op(op));

	cr_assert_not_null(a);
	a->count = a->timed = count;
	a->total_ns = count * mean_ns;
	/* Every call about the mean: the histogram agrees with the total. */
	a->hist[hist__slot(mean_ns)] = count;
	a->max_ns = mean_ns;
	a->threads = 1;
	return a;
}

/* Runs the rules; the caller frees *v. */
static size_t advise(const struct profile *p, struct advice **v)
{
	size_t n = 99;

	*v = NULL;
	cr_assert_eq(advise__profile(p, v, &n), 0);
	return n;
}

/* The only recommendation's action, or -1 when there is none; fails on more than one. */
static int only_action(const struct profile *p)
{
	struct advice *v;
	size_t n = advise(p, &v);
	int action = n ? (int)v[0].action : -1;

	cr_assert_leq(n, 1, "%zu recommendations, the first %s", n,
		      advise__action_name(v[0].action));
	free(v);
	return action;
}

static const struct advice_evidence *evidence(const struct advice *v, const char *name)
{
	for (size_t i = 0; i < v->nevidence; i++)
		if (!strcmp(v->evidence[i].name, name))
			return &v->evidence[i];
	cr_assert_fail("no evidence named %s", name);
	return NULL;
}

/* 2000 reads at 5us of Invoice.total spread over instances, writes per reads_per_write. */
static void cache_profile(struct profile *p, uint64_t reads, uint64_t writes, uint64_t mean_ns)
{
	python_profile(p);
	attr(p, "Invoice", "total", "property", "get", reads, mean_ns);
	if (writes)
		attr(p, "Invoice", "total", "property", "set", writes, 100);
}

Test(advise, well_behaved_profile_gets_none)
{
	struct profile p;
	struct prof_attr *a;
	struct prof_class *c;

	python_profile(&p);
	/* Cheap, busy, shared by threads, waits that are rare and short, no errors. */
	a = attr(&p, "Point", "norm1", "property", "get", 1000000, 300);
	a->threads = 4;
	a->signals.repeat_reads = 1000;
	a->signals.concurrent = 5000;
	a->locks[LOCK_PYTHON].count = 3;
	a->locks[LOCK_PYTHON].total_ns = 3000;
	attr(&p, "Point", "x", "slot", "set", 200000, 150);
	attr(&p, "Point", "x", "slot", "get", 400000, 80)->signals.repeat_reads = 100;
	attr(&p, "Point", "name", "descriptor", "set", 5000, 400);
	c = profile__add_class(&p, "Point", NULL);
	cr_assert_not_null(c);
	c->allocs = 1000000; /* many instances, but with __slots__ */
	c = profile__add_class(&p, "Config", NULL);
	cr_assert_not_null(c);
	c->allocs = 12;
	c->dict = 1;
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
}

Test(advise, nothing_on_too_few_samples)
{
	struct profile p;

	/* Expensive enough for every rule but one sample short of ADVISE_MIN_SAMPLES. */
	cache_profile(&p, 499, 0, 100000);
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
	cache_profile(&p, 500, 0, 100000);
	cr_assert_eq(only_action(&p), ADVICE_CACHE);
	profile__free(&p);
}

Test(advise, nothing_without_latency_or_duration)
{
	struct profile p;

	cache_profile(&p, 5000, 0, 100000);
	free(p.mode);
	p.mode = strdup("count");
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
	cache_profile(&p, 5000, 0, 100000);
	p.duration_ns = 0;
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
}

Test(advise, cache_reads_per_write_boundary)
{
	struct profile p;
	struct advice *v;

	cache_profile(&p, 5000, 501, 5000); /* 9.98 reads per write */
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);

	cache_profile(&p, 5000, 500, 5000); /* exactly 10 */
	cr_assert_eq(advise(&p, &v), 1);
	cr_assert_eq(v[0].action, ADVICE_CACHE);
	cr_assert_float_eq(evidence(&v[0], "reads per write")->value, 10.0, 1e-9);
	cr_assert_float_eq(evidence(&v[0], "reads per write")->threshold, 10.0, 1e-9);
	/* (5000 reads - 500 writes) x 5us in one second. */
	cr_assert_float_eq(v[0].saved_ns_per_s, 4500 * 5000.0, 1e-3);
	cr_assert_not_null(strstr(v[0].estimate, "(5.00k reads - 500 writes) x 5.00us"), "%s",
			   v[0].estimate);
	cr_assert_not_null(strstr(v[0].how_to, "functools.cached_property"));
	cr_assert_not_null(strstr(v[0].how_to, "self.__dict__.pop('total', None)"));
	cr_assert_eq(v[0].attr, 0);
	cr_assert_eq(v[0].cls, SIZE_MAX);
	free(v);
	profile__free(&p);
}

Test(advise, cache_mean_read_boundary)
{
	struct profile p;

	cache_profile(&p, 5000, 0, 999);
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
	cache_profile(&p, 5000, 0, 1000);
	cr_assert_eq(only_action(&p), ADVICE_CACHE);
	profile__free(&p);
}

Test(advise, cache_not_on_cached_property)
{
	struct profile p;

	python_profile(&p);
	attr(&p, "Order", "summary", "cached_property", "get", 5000, 50000);
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
}

Test(advise, cache_cost_leaves_out_lock_waits)
{
	struct profile p;
	struct prof_attr *a;

	/* 2us a read, of which 1.5us GIL wait: 500ns of work is too cheap to cache. */
	cache_profile(&p, 5000, 0, 2000);
	a = &p.attrs[0];
	a->locks[LOCK_GIL].count = 5000;
	a->locks[LOCK_GIL].total_ns = 5000 * 1500;
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
}

Test(advise, c_function_gets_no_cache)
{
	struct profile p;
	struct advice *v;

	/* Expensive and called often, but a native function's writes are not seen. */
	python_profile(&p);
	free(p.target.runtime);
	p.target.runtime = strdup("c");
	attr(&p, "server", "model_get_price", "function", "call", 80000, 7000);
	cr_assert_eq(advise(&p, &v), 0);
	free(v);
	profile__free(&p);
}

Test(advise, getset_errors_are_not_for_the_user)
{
	struct profile p;
	struct advice *v;

	python_profile(&p);
	attr(&p, "type", "__abstractmethods__", "getset", "get", 800, 500)->errors = 800;
	cr_assert_eq(advise(&p, &v), 0);
	free(v);
	profile__free(&p);
}

Test(advise, hoist_or_cache_by_who_repeats)
{
	struct profile p;
	struct advice *v;

	/* Half the reads re-read the instance the same thread just read: a local. */
	cache_profile(&p, 6000, 0, 20000);
	p.attrs[0].signals.repeat_reads = 3000;
	cr_assert_eq(advise(&p, &v), 1);
	cr_assert_eq(v[0].action, ADVICE_HOIST);
	cr_assert_float_eq(v[0].saved_ns_per_s, 3000 * 20000.0, 1e-3);
	cr_assert_float_eq(evidence(&v[0], "repeated reads")->value, 50.0, 1e-9);
	cr_assert_not_null(strstr(v[0].how_to, "Read obj.total once into a local"));
	free(v);
	profile__free(&p);

	/* Just under half: the reads spread over instances, so cache. */
	cache_profile(&p, 6000, 0, 20000);
	p.attrs[0].signals.repeat_reads = 2999;
	cr_assert_eq(advise(&p, &v), 1);
	cr_assert_eq(v[0].action, ADVICE_CACHE);
	cr_assert_geq(evidence(&v[0], "reads not repeated")->value, 50.0);
	free(v);
	profile__free(&p);
}

Test(advise, hoist_needs_a_saving_worth_making)
{
	struct profile p;

	/* 1000 repeats x 999ns in a second: under 1ms/s. */
	cache_profile(&p, 1000, 0, 999);
	p.attrs[0].signals.repeat_reads = 1000;
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
	cache_profile(&p, 1000, 0, 1000);
	p.attrs[0].signals.repeat_reads = 1000;
	cr_assert_eq(only_action(&p), ADVICE_HOIST);
	profile__free(&p);
}

/* 1000 reads at 2ms of Pricing.rates by 8 threads, off-CPU share and concurrency as given. */
static void coalesce_profile(struct profile *p, uint64_t concurrent, double off_cpu)
{
	struct prof_attr *a;

	python_profile(p);
	a = attr(p, "Pricing", "rates", "descriptor", "get", 1000, 2000000);
	a->threads = 8;
	a->signals.concurrent = concurrent;
	a->signals.off_cpu_ns = (uint64_t)((double)a->total_ns * off_cpu);
}

Test(advise, coalesce_boundaries)
{
	struct profile p;
	struct advice *v;

	coalesce_profile(&p, 200, 0.5);
	cr_assert_eq(advise(&p, &v), 1);
	cr_assert_eq(v[0].action, ADVICE_COALESCE);
	cr_assert_float_eq(v[0].saved_ns_per_s, 200 * 2e6, 1e-3);
	cr_assert_not_null(strstr(v[0].how_to, "concurrent.futures.Future"));
	free(v);
	profile__free(&p);

	/* Under either share, the expensive read is a cache candidate instead. */
	coalesce_profile(&p, 199, 0.5);
	cr_assert_eq(only_action(&p), ADVICE_CACHE);
	profile__free(&p);
	coalesce_profile(&p, 200, 0.49);
	cr_assert_eq(only_action(&p), ADVICE_CACHE);
	profile__free(&p);
	coalesce_profile(&p, 200, 0.5);
	p.attrs[0].threads = 1;
	cr_assert_eq(only_action(&p), ADVICE_CACHE);
	profile__free(&p);
}

/* 2000 reads at 10us of Catalog.lookup by 4 threads, share of the time waiting on a lock. */
static void shard_profile(struct profile *p, double wait, enum lock_kind kind, uint64_t waits)
{
	struct prof_attr *a;

	python_profile(p);
	a = attr(p, "Catalog", "lookup", "descriptor", "get", 2000, 10000);
	a->threads = 4;
	a->locks[kind].count = waits;
	a->locks[kind].total_ns = (uint64_t)((double)a->total_ns * wait);
}

static int has_action(const struct profile *p, enum advice_action action, struct advice *out)
{
	struct advice *v;
	size_t n = advise(p, &v);
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].action == action) {
			if (out)
				*out = v[i];
			found = 1;
		}
	}
	free(v);
	return found;
}

Test(advise, shard_boundaries)
{
	struct profile p;
	struct advice a;

	shard_profile(&p, 0.1, LOCK_PYTHON, 20);
	cr_assert(has_action(&p, ADVICE_SHARD, &a));
	/* 2ms of waits x (1 - 1/4). */
	cr_assert_float_eq(a.saved_ns_per_s, 2e6 * 0.75, 1e-3);
	cr_assert_float_eq(evidence(&a, "lock wait share")->value, 10.0, 1e-9);
	cr_assert_float_eq(evidence(&a, "lock wait share")->threshold, 10.0, 1e-9);
	/* No writes seen: stripe. */
	cr_assert_not_null(strstr(a.how_to, "locks[hash(key) % N]"), "%s", a.how_to);
	profile__free(&p);

	/* Under a tenth of the time, and 20 of 2001 calls blocked: just under one in a hundred. */
	shard_profile(&p, 0.09, LOCK_PYTHON, 20);
	p.attrs[0].count = 2001;
	cr_assert_not(has_action(&p, ADVICE_SHARD, NULL));
	profile__free(&p);
	/* Under a tenth of the time, but 20 of 2000 calls blocked: one in a hundred. */
	shard_profile(&p, 0.08, LOCK_PYTHON, 20);
	cr_assert(has_action(&p, ADVICE_SHARD, &a));
	cr_assert_float_eq(evidence(&a, "calls that blocked")->value, 1.0, 1e-9);
	cr_assert_float_eq(evidence(&a, "calls that blocked")->threshold, 1.0, 1e-9);
	cr_assert(isnan(evidence(&a, "lock wait share")->threshold));
	profile__free(&p);
	shard_profile(&p, 0.9, LOCK_PYTHON, 19);
	cr_assert_not(has_action(&p, ADVICE_SHARD, NULL));
	profile__free(&p);
	shard_profile(&p, 0.9, LOCK_PYTHON, 20);
	p.attrs[0].threads = 1;
	cr_assert_not(has_action(&p, ADVICE_SHARD, NULL));
	profile__free(&p);
	/* Waiting for the GIL: no lock of the attribute's to stripe. */
	shard_profile(&p, 0.9, LOCK_GIL, 2000);
	cr_assert_not(has_action(&p, ADVICE_SHARD, NULL));
	profile__free(&p);
	/* Nor for an event (a condition variable), nor on a futex whose lock was not told. */
	shard_profile(&p, 0.9, LOCK_COND, 2000);
	cr_assert_not(has_action(&p, ADVICE_SHARD, NULL));
	profile__free(&p);
	shard_profile(&p, 0.9, LOCK_FUTEX, 2000);
	cr_assert_not(has_action(&p, ADVICE_SHARD, NULL));
	profile__free(&p);
	/* Mutexes, rwlocks and semaphores are locks to stripe, like CPython's. */
	for (int k = 0; k < 3; k++) {
		const enum lock_kind kinds[] = {LOCK_MUTEX, LOCK_RWLOCK, LOCK_SEM};

		shard_profile(&p, 0.5, kinds[k], 500);
		cr_assert(has_action(&p, ADVICE_SHARD, NULL), "%s",
			  profile__lock_kind_name(kinds[k]));
		profile__free(&p);
	}
}

/*
 * Four threads on two cores: a few calls preempted for 30 us each make the
 * mean six times a typical call. Measured against the mean, the lock's
 * waits look like 8% of the time; against typical calls plus the waits,
 * which is what the lock sees, a third. And a typical call below the
 * probes' resolution counts as the resolution: a lower bound of the share.
 */
Test(advise, shard_sees_past_preemption)
{
	struct profile p;
	struct prof_attr *a;
	struct advice v;

	python_profile(&p);
	a = attr(&p, "Catalog", "lookup", "descriptor", "get", 20000, 300);
	a->hist[hist__slot(300)] = 19000;
	a->hist[hist__slot(30000)] = 1000;
	a->total_ns = 19000 * 300ULL + 1000 * 30000ULL;
	a->max_ns = 30000;
	a->threads = 4;
	a->locks[LOCK_MUTEX].count = 2000;
	a->locks[LOCK_MUTEX].total_ns = 20000 * 150ULL;
	cr_assert(has_action(&p, ADVICE_SHARD, &v));
	cr_assert_float_eq(evidence(&v, "lock wait share")->value,
			   100.0 * 3e6 /
				   ((double)hist__percentile(a->hist, 50, a->max_ns) * 20000 + 3e6),
			   1e-6);
	/*
	 * Below a 2 us resolution, the share is 3ms / (20000 x 2us + 3ms): 7%,
	 * under a tenth; shard still, since one call in ten blocked, and no
	 * shard when only 1 in 200 did.
	 */
	p.calibration.resolution_ns[0] = 2000;
	a->probe = strdup("emulated");
	cr_assert(has_action(&p, ADVICE_SHARD, &v));
	cr_assert(isnan(evidence(&v, "lock wait share")->threshold));
	cr_assert_float_eq(evidence(&v, "calls that blocked")->value, 10.0, 1e-9);
	a->locks[LOCK_MUTEX].count = 100;
	cr_assert_not(has_action(&p, ADVICE_SHARD, NULL));
	profile__free(&p);
}

Test(advise, shard_suggests_rwlock_when_reads_dominate)
{
	struct profile p;
	struct advice a;

	shard_profile(&p, 0.5, LOCK_PYTHON, 500);
	attr(&p, "Catalog", "lookup", "descriptor", "set", 200, 100);
	cr_assert(has_action(&p, ADVICE_SHARD, &a));
	cr_assert_not_null(strstr(a.how_to, "readers-writer lock"), "%s", a.how_to);
	cr_assert_not_null(strstr(a.how_to, "10 to 1"), "%s", a.how_to);
	profile__free(&p);

	shard_profile(&p, 0.5, LOCK_MUTEX, 500);
	p.attrs[0].kind = KIND_FUNCTION;
	p.attrs[0].op = OP_CALL;
	cr_assert(has_action(&p, ADVICE_SHARD, &a));
	cr_assert_not_null(strstr(a.how_to, "pthread_rwlock_t"), "%s", a.how_to);
	profile__free(&p);
}

Test(advise, shard_counts_everyone_on_the_lock)
{
	struct profile p;
	struct advice a;

	/*
	 * Catalog.lookup reads alone would not say readers-writer (no write of
	 * it), but the lock it waits on is also taken by 100 writes of another
	 * attribute, against its 2000 reads: 20 to 1.
	 */
	shard_profile(&p, 0.5, LOCK_PYTHON, 500);
	attr(&p, "Catalog", "reindex", "descriptor", "set", 100, 100);
	cr_assert_eq(profile__add_lock_user(&p, 1, LOCK_PYTHON, 0, 500, 1000), 0);
	cr_assert_eq(profile__add_lock_user(&p, 1, LOCK_PYTHON, 1, 5, 10), 0);
	cr_assert(has_action(&p, ADVICE_SHARD, &a));
	cr_assert_not_null(strstr(a.how_to, "20 to 1"), "%s", a.how_to);
	profile__free(&p);

	/* The same lock shared with as many writes as reads: stripes, not readers-writer. */
	shard_profile(&p, 0.5, LOCK_PYTHON, 500);
	attr(&p, "Catalog", "reindex", "descriptor", "set", 2000, 100);
	cr_assert_eq(profile__add_lock_user(&p, 1, LOCK_PYTHON, 0, 500, 1000), 0);
	cr_assert_eq(profile__add_lock_user(&p, 1, LOCK_PYTHON, 1, 5, 10), 0);
	cr_assert(has_action(&p, ADVICE_SHARD, &a));
	cr_assert_not_null(strstr(a.how_to, "Stripe"), "%s", a.how_to);
	profile__free(&p);
}

/* 1000 writes of Signup.email at mean_ns each, on_cpu of it on the CPU. */
static void defer_profile(struct profile *p, const char *kind, uint64_t mean_ns, double on_cpu)
{
	struct prof_attr *a;

	python_profile(p);
	a = attr(p, "Signup", "email", kind, "set", 1000, mean_ns);
	a->signals.off_cpu_ns = (uint64_t)((double)a->total_ns * (1 - on_cpu) + 0.5);
}

Test(advise, defer_validation_boundaries)
{
	struct profile p;
	struct advice *v;

	defer_profile(&p, "descriptor", 2000, 0.8);
	cr_assert_eq(advise(&p, &v), 1);
	cr_assert_eq(v[0].action, ADVICE_DEFER_VALIDATION);
	cr_assert_float_eq(v[0].saved_ns_per_s, 1000 * 2000 * 0.5, 1e-3);
	cr_assert_not_null(strstr(v[0].how_to, "re.compile"));
	free(v);
	profile__free(&p);

	defer_profile(&p, "property", 1999, 1.0);
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
	defer_profile(&p, "property", 50000, 0.79);
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
	/* A slot store does no validation of its own. */
	defer_profile(&p, "slot", 50000, 1.0);
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
}

static struct prof_class *dict_class(struct profile *p, uint64_t allocs, int dict)
{
	struct prof_class *c = profile__add_class(p, "app.Sample", "Sample");

	cr_assert_not_null(c);
	c->allocs = allocs;
	c->dict = dict;
	return c;
}

Test(advise, slots_boundaries_and_bytes_by_version)
{
	static const struct {
		const char *version;
		double bytes;
	} want[] = {{"3.9.18", 80}, {"3.10.4", 80}, {"3.11.2", 48}, {"3.12.1", 48}, {"3.13.0", 24}};
	struct profile p;
	struct advice *v;

	python_profile(&p);
	dict_class(&p, 9999, 1);
	cr_assert_eq(only_action(&p), -1);
	p.classes[0].allocs = 10000;
	cr_assert_eq(only_action(&p), ADVICE_SLOTS);
	p.classes[0].dict = 0;
	cr_assert_eq(only_action(&p), -1);
	p.classes[0].dict = 1;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		free(p.target.version);
		p.target.version = strdup(want[i].version);
		cr_assert_eq(advise(&p, &v), 1);
		cr_assert_eq(v[0].attr, SIZE_MAX);
		cr_assert_eq(v[0].cls, 0);
		cr_assert_eq(v[0].saved_ns_per_s, 0);
		cr_assert_float_eq(evidence(&v[0], "bytes per instance")->value, want[i].bytes, 0,
				   "%s", want[i].version);
		cr_assert(isnan(evidence(&v[0], "bytes per instance")->threshold));
		cr_assert_not_null(strstr(v[0].how_to, "__slots__ = (...) on Sample"));
		free(v);
	}
	/* Not a Python target: no classes to speak of. */
	free(p.target.runtime);
	p.target.runtime = strdup("c");
	cr_assert_eq(only_action(&p), -1);
	profile__free(&p);
}

Test(advise, fix_errors_boundary)
{
	struct profile p;
	struct advice *v;
	struct prof_attr *a;

	python_profile(&p);
	a = attr(&p, "Config", "version", "property", "set", 100, 1500);
	a->errors = 19;
	cr_assert_eq(only_action(&p), -1);
	a->errors = 20;
	cr_assert_eq(advise(&p, &v), 1);
	cr_assert_eq(v[0].action, ADVICE_FIX_ERRORS);
	cr_assert_float_eq(v[0].saved_ns_per_s, 20 * 1500, 1e-6);
	cr_assert_not_null(strstr(v[0].how_to, "no setter"), "%s", v[0].how_to);
	free(v);

	/* Count-only: still reported, with no time to it. */
	free(p.mode);
	p.mode = strdup("count");
	cr_assert_eq(advise(&p, &v), 1);
	cr_assert_eq(v[0].saved_ns_per_s, 0);
	cr_assert_not_null(strstr(v[0].estimate, "latency not measured"));
	free(v);
	profile__free(&p);
}

Test(advise, ranked_by_time_saved_then_action)
{
	struct profile p;
	struct advice *v;
	struct prof_attr *a;

	python_profile(&p);
	dict_class(&p, 50000, 1);				      /* 0 ns/s */
	attr(&p, "A", "cheap", "property", "get", 1000, 2000);	      /* cache: 2ms/s */
	attr(&p, "B", "dear", "property", "get", 1000, 90000);	      /* cache: 90ms/s */
	a = attr(&p, "C", "again", "descriptor", "get", 1000, 10000); /* hoist: 9ms/s */
	a->signals.repeat_reads = 900;
	a = attr(&p, "D", "bad", "property", "get", 20, 100); /* fix-errors: 2us/s */
	a->errors = 20;
	/* Same saving as A.cheap: cache ranks before defer-validation. */
	attr(&p, "A", "mail", "descriptor", "set", 1000, 4000);

	cr_assert_eq(advise(&p, &v), 6);
	cr_assert_eq(v[0].action, ADVICE_CACHE);
	cr_assert_str_eq(p.attrs[v[0].attr].name, "dear");
	cr_assert_eq(v[1].action, ADVICE_HOIST);
	cr_assert_eq(v[2].action, ADVICE_CACHE);
	cr_assert_eq(v[3].action, ADVICE_DEFER_VALIDATION);
	cr_assert_eq(v[4].action, ADVICE_FIX_ERRORS);
	cr_assert_eq(v[5].action, ADVICE_SLOTS);
	for (size_t i = 1; i < 6; i++)
		cr_assert_geq(v[i - 1].saved_ns_per_s, v[i].saved_ns_per_s);
	free(v);
	profile__free(&p);
}

Test(advise, long_names_keep_text_valid_utf8)
{
	char name[301];
	struct profile p;
	struct advice *v;
	size_t len;

	/* 100 three-byte characters: the how-to is cut, never inside one. */
	for (int i = 0; i < 100; i++)
		memcpy(name + 3 * i, "\xe2\x82\xac", 3);
	name[300] = '\0';
	python_profile(&p);
	attr(&p, "X", name, "property", "get", 5000, 5000);
	cr_assert_eq(advise(&p, &v), 1);
	len = strlen(v[0].how_to);
	cr_assert_gt(len, 0);
	cr_assert_eq(strstr(v[0].how_to, "Make ") - v[0].how_to, 0);
	/* "Make " is 5 bytes; the euros after it come whole. */
	cr_assert_eq((len - 5) % 3, 0, "%zu bytes", len);
	free(v);
	profile__free(&p);
}

Test(advise, action_names)
{
	cr_assert_str_eq(advise__action_name(ADVICE_CACHE), "cache");
	cr_assert_str_eq(advise__action_name(ADVICE_DEFER_VALIDATION), "defer-validation");
	cr_assert_str_eq(advise__action_name(ADVICE_FIX_ERRORS), "fix-errors");
	cr_assert_str_eq(advise__action_name(ADVICE_ACTIONS), "?");
}

Test(advise, interpreter_getsets_get_no_read_advice)
{
	struct profile p;
	struct advice *v;

	/* Expensive and repeated, as cached_property's own __dict__ reads: not user code. */
	python_profile(&p);
	attr(&p, "Order", "__dict__", "getset", "get", 20000, 7000)->signals.repeat_reads = 19000;
	cr_assert_eq(advise(&p, &v), 0);
	free(v);
	profile__free(&p);
}
