// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Recommendation rules. Each rule is a pure function of one attribute (or
 * class) and the profile around it; every number it compares is a named
 * threshold below, and every threshold it crosses goes into the evidence.
 *
 * The time of an access is split so no two rules claim the same
 * nanosecond: lock waits belong to shard; the rest ("work") to cache, hoist
 * or coalesce, and a read gets at most one of those three, chosen by who
 * repeats it: the same thread on the same instance (hoist), other threads
 * at the same moment (coalesce), or anyone later (cache).
 *
 * Evidence thresholds are all lower bounds (value >= threshold); an upper
 * bound is stated as its complement ("on-CPU share" rather than "off-CPU
 * share below"). A threshold of NAN marks a figure given for information.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "advise.h"
#include "hist.h"
#include "report.h"
#include "units.h"

/* A mean or a share over fewer accesses swings with one page fault or preemption. */
#define ADVISE_MIN_SAMPLES 500
/* 1ms per second of run time (0.1%): below it a change is not worth making. */
#define ADVISE_MIN_SAVED_NS_PER_S 1e6

/* cache: a value read ten times per change; fewer and invalidation eats the gain. */
#define CACHE_MIN_READS_PER_WRITE 10.0
/* cache: a cached read costs a dict or field lookup (~50ns); 1us makes it a 20x win. */
#define CACHE_MIN_READ_NS 1000.0
/* cache: reads not repeated back to back; the rest is hoist's (HOIST_MIN_REPEAT_SHARE). */
#define CACHE_MIN_SPREAD_SHARE (1.0 - HOIST_MIN_REPEAT_SHARE)

/* hoist: most reads are the same thread re-reading the same instance, unchanged. */
#define HOIST_MIN_REPEAT_SHARE 0.5

/* coalesce: one read in five overlaps another thread's read of the same instance. */
#define COALESCE_MIN_CONCURRENT_SHARE 0.2
/* coalesce: mostly waiting (I/O, sleep): sharing the wait helps, sharing CPU work less so. */
#define COALESCE_MIN_OFF_CPU_SHARE 0.5
#define COALESCE_MIN_THREADS 2

/*
 * shard: lock wait is a tenth of the time, or one call in a hundred blocks
 * on the lock; GIL waits are left out, no striping removes them. The wait
 * share alone misses: the probes' own cost spreads the threads'
 * acquisitions apart, and on fewer cores than threads the queue forms in
 * the run queue (a holder preempted) more than in the futex, so a lock that
 * serializes its callers untraced shows 6-47% of wait under attrprof from
 * run to run (BENCH.md, section 6). How often a call blocks moves the
 * other way (few waits are long ones): over 52 runs of that program, the
 * runs under a fifth of the time in waits had 3-7% of calls blocked, those
 * under 2% blocked had 29-36% in waits, and each block costs two context
 * switches, many times a short critical section.
 */
#define SHARD_MIN_WAIT_SHARE 0.1
#define SHARD_MIN_BLOCKED_SHARE 0.01
#define SHARD_MIN_THREADS 2
/* shard: fewer blocked acquisitions are start-up noise, not a hot lock. */
#define SHARD_MIN_WAITS 20
/* shard: reads this far ahead of writes make a readers-writer lock the better fix. */
#define SHARD_RW_MIN_READS_PER_WRITE 10.0

/* defer-validation: a plain __set__ stores in ~100ns; 2us means real validation work. */
#define DEFER_MIN_SET_NS 2000.0
/* defer-validation: CPU-bound; a __set__ that waits needs coalescing or batching of I/O. */
#define DEFER_MIN_ON_CPU_SHARE 0.8
/* defer-validation: batched checks with compiled patterns still run once; assume half saved. */
#define DEFER_SAVED_SHARE 0.5

/* slots: below ten thousand instances the memory saved is under a megabyte. */
#define SLOTS_MIN_ALLOCS 10000
/*
 * slots: bytes an instance saves, by CPython version (estimates for a small
 * instance; fields move into the object either way, so only the overhead counts).
 * 3.9/3.10: a split __dict__ (48 + 16 GC header + 40 for 5 values) plus the
 * __dict__ and __weakref__ pointers, less the 5 values the slots now hold.
 */
#define SLOTS_BYTES_PY39 80
/* 3.11/3.12: the pre-header (16) and the separately allocated values array's header and spares. */
#define SLOTS_BYTES_PY311 48
/* 3.13: values are inline in the object; the pre-header and the values header remain. */
#define SLOTS_BYTES_PY313 24

/*
 * fix-errors: a pattern, not start-up probing: imports raise a handful of
 * errors through hasattr on classes (type.__abstractmethods__, EnumType
 * hooks: 4 to 12 each in demo/app.py on 3.11).
 */
#define FIX_ERRORS_MIN_ERRORS 20

/* What the rules derive from one attribute and its siblings (same owner, name and kind). */
struct facts {
	const struct profile *p;
	const struct prof_attr *a;
	size_t idx;
	bool python;	  /* a Python attribute (not a C function) */
	bool read;	  /* op get, or a C call (which reads as far as anyone can tell) */
	uint64_t reads;	  /* get entries of the attribute (its count for a C call) */
	uint64_t writes;  /* set and delete entries */
	bool timed;	  /* latency measured and a duration to divide by */
	double secs;	  /* run time */
	double mean_ns;	  /* total / timed */
	double work_ns;	  /* mean less all lock waits per call */
	double time_ns;	  /* the time of all calls (profile__time_ns) */
	uint64_t wait_ns; /* waits on locks striping can spread (stripeable) */
	uint64_t waits;
	/* Over every attribute that blocked on a lock this one blocked on. */
	uint64_t lock_reads, lock_writes;
};

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static bool eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* The owner as people know it: a Python class's qualified name when it has one. */
static const char *owner_of(const struct prof_attr *a)
{
	return a->qualname ? a->qualname : or_empty(a->owner);
}

static double share(double part, double whole)
{
	return whole > 0 ? part / whole : 0;
}

/* Sums the reads and writes of the attributes sharing a lock with attribute idx. */
static void shared_lock_counts(const struct profile *p, size_t idx, struct facts *f)
{
	for (size_t l = 0; l < p->nlocks; l++) {
		const struct prof_shared_lock *lk = &p->locks[l];
		bool mine = false;

		for (size_t u = 0; u < lk->nusers && !mine; u++)
			mine = lk->users[u].attr == idx;
		for (size_t u = 0; mine && u < lk->nusers; u++) {
			const struct prof_attr *b = &p->attrs[lk->users[u].attr];

			if (b->op == OP_GET || b->op == OP_CALL)
				f->lock_reads += b->count;
			else
				f->lock_writes += b->count;
		}
	}
}

/*
 * Whether waits of lock kind k are queueing on a lock that striping can
 * spread: not the GIL (no striping removes it), not a condition variable
 * (a thread waiting for an event), not a futex wait of a lock not told.
 */
static bool stripeable(unsigned int k)
{
	return k == LOCK_MUTEX || k == LOCK_RWLOCK || k == LOCK_SEM || k == LOCK_PYTHON;
}

static void facts_of(const struct profile *p, size_t idx, struct facts *f)
{
	const struct prof_attr *a = &p->attrs[idx];
	uint64_t all_waits = 0;
	unsigned int k;

	memset(f, 0, sizeof(*f));
	f->p = p;
	f->a = a;
	f->idx = idx;
	f->python = a->kind != KIND_FUNCTION;
	f->read = a->op == OP_GET || a->op == OP_CALL;
	for (size_t i = 0; i < p->nattrs; i++) {
		const struct prof_attr *b = &p->attrs[i];

		if (!eq(b->owner, a->owner) || !eq(b->name, a->name) || b->kind != a->kind)
			continue;
		if (b->op == OP_GET || b->op == OP_CALL)
			f->reads += b->count;
		else if (b->op == OP_SET || b->op == OP_DELETE)
			f->writes += b->count;
	}
	for (k = 0; k < LOCK_KINDS; k++) {
		all_waits += a->locks[k].total_ns;
		if (!stripeable(k))
			continue;
		f->wait_ns += a->locks[k].total_ns;
		f->waits += a->locks[k].count;
	}
	shared_lock_counts(p, idx, f);
	/* A latency the probes cannot tell from their own noise is no evidence. */
	f->timed = report__latency_resolved(p, a) && p->duration_ns;
	f->secs = (double)p->duration_ns / 1e9;
	f->time_ns = (double)profile__time_ns(p, a);
	if (a->timed) {
		/* Waits are counted on every call, latency maybe on a sample: per call both. */
		f->mean_ns = (double)a->total_ns / (double)a->timed;
		f->work_ns = fmax(f->mean_ns - (double)all_waits / (double)a->count, 0);
	}
}

static void add_evidence(struct advice *v, const char *name, double value, double threshold,
			 const char *unit)
{
	if (v->nevidence < ADVICE_MAX_EVIDENCE)
		v->evidence[v->nevidence++] =
			(struct advice_evidence){name, value, threshold, unit};
}

static void start(struct advice *v, enum advice_action action, size_t attr)
{
	memset(v, 0, sizeof(*v));
	v->action = action;
	v->attr = attr;
	v->cls = SIZE_MAX;
}

/* The run time, for estimates: "2.00s". */
static const char *run_time(char *buf, const struct facts *f)
{
	return units__ns(buf, UNITS_BUF, f->p->duration_ns);
}

/*
 * The rules. Each returns true and fills *v when it fires. Time rules need
 * ADVISE_MIN_SAMPLES timed accesses and a saving of ADVISE_MIN_SAVED_NS_PER_S.
 */

static bool enough(const struct facts *f)
{
	return f->timed && f->a->timed >= ADVISE_MIN_SAMPLES;
}

static bool rule_hoist(const struct facts *f, struct advice *v)
{
	const struct prof_attr *a = f->a;
	double repeat = share(a->signals.repeat_reads, a->count), saved;
	char n[UNITS_BUF], w[UNITS_BUF], d[UNITS_BUF];

	if (!f->read || !enough(f) || repeat < HOIST_MIN_REPEAT_SHARE)
		return false;
	saved = (double)a->signals.repeat_reads * f->work_ns / f->secs;
	if (saved < ADVISE_MIN_SAVED_NS_PER_S)
		return false;
	start(v, ADVICE_HOIST, f->idx);
	v->saved_ns_per_s = saved;
	add_evidence(v, "repeated reads", repeat * 100, HOIST_MIN_REPEAT_SHARE * 100, "%");
	add_evidence(v, "reads", a->count, ADVISE_MIN_SAMPLES, "");
	add_evidence(v, "saved per second", saved, ADVISE_MIN_SAVED_NS_PER_S, "ns");
	snprintf(v->estimate, sizeof(v->estimate),
		 "%s repeated reads x %s mean read (lock waits excluded) / %s run",
		 units__count(n, sizeof(n), a->signals.repeat_reads),
		 units__ns(w, sizeof(w), (uint64_t)f->work_ns), run_time(d, f));
	snprintf(v->how_to, sizeof(v->how_to),
		 f->python ? "Read obj.%s once into a local before the loop and use the local: "
			     "nothing writes it between the reads."
			   : "Call %s once into a local before the loop and use the local: "
			     "nothing changes it between the calls.",
		 or_empty(a->name));
	return true;
}

static bool rule_coalesce(const struct facts *f, struct advice *v)
{
	const struct prof_attr *a = f->a;
	double conc = share(a->signals.concurrent, a->count);
	double off = share(a->signals.off_cpu_ns, f->time_ns), saved;
	char n[UNITS_BUF], w[UNITS_BUF], d[UNITS_BUF];

	if (!f->read || !enough(f) || a->threads < COALESCE_MIN_THREADS ||
	    conc < COALESCE_MIN_CONCURRENT_SHARE || off < COALESCE_MIN_OFF_CPU_SHARE)
		return false;
	saved = (double)a->signals.concurrent * f->work_ns / f->secs;
	if (saved < ADVISE_MIN_SAVED_NS_PER_S)
		return false;
	start(v, ADVICE_COALESCE, f->idx);
	v->saved_ns_per_s = saved;
	add_evidence(v, "concurrent reads", conc * 100, COALESCE_MIN_CONCURRENT_SHARE * 100, "%");
	add_evidence(v, "off-CPU share", off * 100, COALESCE_MIN_OFF_CPU_SHARE * 100, "%");
	add_evidence(v, "threads", a->threads, COALESCE_MIN_THREADS, "");
	add_evidence(v, "saved per second", saved, ADVISE_MIN_SAVED_NS_PER_S, "ns");
	snprintf(v->estimate, sizeof(v->estimate),
		 "%s concurrent reads x %s mean read (lock waits excluded) / %s run: each "
		 "would wait for the read in flight instead of starting its own",
		 units__count(n, sizeof(n), a->signals.concurrent),
		 units__ns(w, sizeof(w), (uint64_t)f->work_ns), run_time(d, f));
	snprintf(v->how_to, sizeof(v->how_to),
		 f->python ? "Share one in-flight fetch of %s per instance: the first thread "
			     "stores a concurrent.futures.Future under a lock and fetches, the "
			     "others wait on that future."
			   : "Share one in-flight call of %s per object (single-flight): the "
			     "first caller computes, the others wait on a condition variable.",
		 or_empty(a->name));
	return true;
}

static bool rule_cache(const struct facts *f, struct advice *v)
{
	const struct prof_attr *a = f->a;
	double per_write = (double)f->reads / (double)(f->writes ? f->writes : 1);
	double spread = 1 - share(a->signals.repeat_reads, a->count), saved;
	char r[UNITS_BUF], wr[UNITS_BUF], w[UNITS_BUF], d[UNITS_BUF];

	/*
	 * A cached_property is cached already: its gets are the misses. A
	 * native function's writes are not seen, so "reads far outnumber
	 * writes" cannot be shown for it.
	 */
	if (!f->read || a->kind == KIND_CACHED_PROPERTY || a->kind == KIND_FUNCTION || !enough(f) ||
	    per_write < CACHE_MIN_READS_PER_WRITE || f->work_ns < CACHE_MIN_READ_NS ||
	    spread < CACHE_MIN_SPREAD_SHARE)
		return false;
	saved = (double)(a->count - (f->writes < a->count ? f->writes : a->count)) * f->work_ns /
		f->secs;
	if (saved < ADVISE_MIN_SAVED_NS_PER_S)
		return false;
	start(v, ADVICE_CACHE, f->idx);
	v->saved_ns_per_s = saved;
	/* No write seen (always so for a C function): a ratio of infinity says nothing. */
	if (f->writes)
		add_evidence(v, "reads per write", per_write, CACHE_MIN_READS_PER_WRITE, "");
	add_evidence(v, "mean read", f->work_ns, CACHE_MIN_READ_NS, "ns");
	/* The probe measures repeats of Python reads only. */
	if (f->python)
		add_evidence(v, "reads not repeated", spread * 100, CACHE_MIN_SPREAD_SHARE * 100,
			     "%");
	add_evidence(v, "reads", a->count, ADVISE_MIN_SAMPLES, "");
	units__count(r, sizeof(r), a->count);
	units__ns(w, sizeof(w), (uint64_t)f->work_ns);
	if (f->writes)
		snprintf(v->estimate, sizeof(v->estimate),
			 "(%s reads - %s writes) x %s mean read (lock waits excluded) / %s run; "
			 "an upper bound: the first read of each instance still computes",
			 r, units__count(wr, sizeof(wr), f->writes), w, run_time(d, f));
	else
		snprintf(v->estimate, sizeof(v->estimate),
			 "%s reads x %s mean read (lock waits excluded) / %s run, no write seen; "
			 "an upper bound: the first read of each instance still computes",
			 r, w, run_time(d, f));
	if (f->python)
		snprintf(v->how_to, sizeof(v->how_to),
			 "Make %s a functools.cached_property and drop the cached value where "
			 "its inputs change: self.__dict__.pop('%s', None).",
			 or_empty(a->name), or_empty(a->name));
	else
		snprintf(v->how_to, sizeof(v->how_to),
			 "Cache the result of %s in the object and invalidate it where its "
			 "inputs change.",
			 or_empty(a->name));
	return true;
}

/*
 * The time of an attribute's calls as its lock sees them: all of it, unless
 * waiting for a CPU inflated it (more threads than cores, a busy machine: a
 * few calls preempted for milliseconds make the mean): then as many typical
 * calls plus their lock waits, whichever is less. A typical call (p50) below
 * the probes' resolution counts as the resolution: an upper bound, so the
 * share of the (exactly counted) waits is a lower bound, not a guess.
 */
static double lock_view_ns(const struct facts *f)
{
	const struct prof_attr *a = f->a;
	double p50 = fmax((double)hist__percentile(a->hist, 50, a->max_ns),
			  (double)report__resolution_ns(f->p, a));

	return fmin(f->time_ns, p50 * (double)a->count + (double)f->wait_ns);
}

static bool rule_shard(const struct facts *f, struct advice *v)
{
	const struct prof_attr *a = f->a;
	double wait = share(f->wait_ns, lock_view_ns(f)), saved;
	double blocked = share((double)f->waits, (double)a->count);
	/* Who else takes the lock decides between readers-writer and stripes. */
	uint64_t reads = f->lock_reads + f->lock_writes ? f->lock_reads : f->reads;
	uint64_t writes = f->lock_reads + f->lock_writes ? f->lock_writes : f->writes;
	double per_write = (double)reads / (double)(writes ? writes : 1);
	char lw[UNITS_BUF], d[UNITS_BUF];

	/* Lock waits are counted on every call: the latency need only be measured. */
	if (!report__latency_measured(f->p, a) || a->timed < ADVISE_MIN_SAMPLES || !f->secs ||
	    a->threads < SHARD_MIN_THREADS || f->waits < SHARD_MIN_WAITS ||
	    (wait < SHARD_MIN_WAIT_SHARE && blocked < SHARD_MIN_BLOCKED_SHARE))
		return false;
	saved = (double)f->wait_ns * (1 - 1.0 / (double)a->threads) / f->secs;
	if (saved < ADVISE_MIN_SAVED_NS_PER_S)
		return false;
	start(v, ADVICE_SHARD, f->idx);
	v->saved_ns_per_s = saved;
	/* Either share suffices: the one that did not is shown for information. */
	add_evidence(v, "lock wait share", wait * 100,
		     wait >= SHARD_MIN_WAIT_SHARE ? SHARD_MIN_WAIT_SHARE * 100 : NAN, "%");
	add_evidence(v, "calls that blocked", blocked * 100,
		     blocked >= SHARD_MIN_BLOCKED_SHARE ? SHARD_MIN_BLOCKED_SHARE * 100 : NAN, "%");
	add_evidence(v, "threads", a->threads, SHARD_MIN_THREADS, "");
	add_evidence(v, "blocked waits", f->waits, SHARD_MIN_WAITS, "");
	add_evidence(v, "saved per second", saved, ADVISE_MIN_SAVED_NS_PER_S, "ns");
	snprintf(v->estimate, sizeof(v->estimate),
		 "%s lock wait (GIL and condvar waits excluded) x (1 - 1/%llu threads) / %s run: "
		 "waits shrink as the threads stop queueing on one lock",
		 units__ns(lw, sizeof(lw), f->wait_ns), (unsigned long long)a->threads,
		 run_time(d, f));
	/* A C function's writes are not seen: offer both fixes. */
	if (!f->python)
		snprintf(v->how_to, sizeof(v->how_to),
			 "Stripe the mutex %s takes (an array of pthread_mutex_t indexed by a "
			 "hash of the object), or make it a pthread_rwlock_t if most callers "
			 "only read.",
			 or_empty(a->name));
	else if (writes && per_write >= SHARD_RW_MIN_READS_PER_WRITE)
		snprintf(v->how_to, sizeof(v->how_to),
			 "Reads outnumber writes %.0f to 1 among the accesses waiting on the lock "
			 "%s takes: make it a readers-writer lock so readers stop excluding each "
			 "other.",
			 per_write, or_empty(a->name));
	else
		snprintf(v->how_to, sizeof(v->how_to),
			 "Stripe the lock %s takes: keep N threading.Lock objects and take "
			 "locks[hash(key) %% N], so threads on different keys stop queueing.",
			 or_empty(a->name));
	return true;
}

static bool rule_defer(const struct facts *f, struct advice *v)
{
	const struct prof_attr *a = f->a;
	double on_cpu = 1 - share(a->signals.off_cpu_ns + f->wait_ns, f->time_ns), saved;
	char n[UNITS_BUF], m[UNITS_BUF], d[UNITS_BUF];

	if (a->op != OP_SET || !(a->kind == KIND_DESCRIPTOR || a->kind == KIND_PROPERTY) ||
	    !enough(f) || f->mean_ns < DEFER_MIN_SET_NS || on_cpu < DEFER_MIN_ON_CPU_SHARE)
		return false;
	saved = (double)a->count * f->mean_ns * DEFER_SAVED_SHARE / f->secs;
	if (saved < ADVISE_MIN_SAVED_NS_PER_S)
		return false;
	start(v, ADVICE_DEFER_VALIDATION, f->idx);
	v->saved_ns_per_s = saved;
	add_evidence(v, "mean write", f->mean_ns, DEFER_MIN_SET_NS, "ns");
	add_evidence(v, "on-CPU share", on_cpu * 100, DEFER_MIN_ON_CPU_SHARE * 100, "%");
	add_evidence(v, "writes", a->count, ADVISE_MIN_SAMPLES, "");
	add_evidence(v, "saved per second", saved, ADVISE_MIN_SAVED_NS_PER_S, "ns");
	snprintf(v->estimate, sizeof(v->estimate),
		 "%s writes x %s mean write x %.0f%% / %s run: assumes lazy or batched "
		 "validation with compiled patterns removes half of each write's cost",
		 units__count(n, sizeof(n), a->count),
		 units__ns(m, sizeof(m), (uint64_t)f->mean_ns), DEFER_SAVED_SHARE * 100,
		 run_time(d, f));
	snprintf(v->how_to, sizeof(v->how_to),
		 "Validate %s lazily or once per batch (a validate() after all fields are set), "
		 "and compile its patterns once (re.compile in __set_name__).",
		 or_empty(a->name));
	return true;
}

/*
 * A C-level getset (obj.__dict__, function.__name__) is the interpreter's
 * code: it can be contended, but not cached, hoisted or coalesced by the
 * user, and what calls it (cached_property reading __dict__) has its own
 * entry.
 */
static bool interpreter_owned(const struct facts *f)
{
	return f->a->kind == KIND_GETSET;
}

static bool rule_fix_errors(const struct facts *f, struct advice *v)
{
	const struct prof_attr *a = f->a;
	char n[UNITS_BUF], m[UNITS_BUF], d[UNITS_BUF];

	/*
	 * C-level getsets of the interpreter raise by design where code probes
	 * with hasattr() (type.__abstractmethods__): nothing for the user to fix.
	 */
	/* Errors are seen on timed calls: a sample's are scaled up to every call. */
	uint64_t errors = profile__errors(f->p, a);

	if (errors < FIX_ERRORS_MIN_ERRORS || !a->count || interpreter_owned(f))
		return false;
	start(v, ADVICE_FIX_ERRORS, f->idx);
	add_evidence(v, "errors", errors, FIX_ERRORS_MIN_ERRORS, "");
	add_evidence(v, "error share", share(errors, a->count) * 100, NAN, "%");
	units__count(n, sizeof(n), errors);
	if (f->timed) {
		v->saved_ns_per_s = (double)errors * f->mean_ns / f->secs;
		snprintf(v->estimate, sizeof(v->estimate),
			 "%s errors x %s mean access / %s run, as if a raising access cost "
			 "the mean",
			 n, units__ns(m, sizeof(m), (uint64_t)f->mean_ns), run_time(d, f));
	} else {
		snprintf(v->estimate, sizeof(v->estimate),
			 "latency not measured: the %s errors are not turned into time", n);
	}
	if (!f->python)
		snprintf(v->how_to, sizeof(v->how_to),
			 "Find why %s returns its error value and check for that case before "
			 "calling it.",
			 or_empty(a->name));
	else if (a->op == OP_GET)
		snprintf(v->how_to, sizeof(v->how_to),
			 "Find why reading %s raises and test for that case instead of catching "
			 "it (hasattr and getattr with a default raise inside too).",
			 or_empty(a->name));
	else
		snprintf(v->how_to, sizeof(v->how_to),
			 "Stop the %s of %s that raise (e.g. a property with no setter): check "
			 "first, or give it the setter or deleter it lacks.",
			 profile__op_name(a->op), or_empty(a->name));
	return true;
}

/* Bytes __slots__ saves per instance on the target's CPython, or 0 when unknown. */
static unsigned int slots_bytes(const char *version)
{
	unsigned int major, minor;

	if (!version || sscanf(version, "%u.%u", &major, &minor) != 2 || major != 3)
		return 0;
	if (minor <= 10)
		return SLOTS_BYTES_PY39;
	if (minor <= 12)
		return SLOTS_BYTES_PY311;
	return SLOTS_BYTES_PY313;
}

static bool rule_slots(const struct profile *p, size_t idx, struct advice *v)
{
	const struct prof_class *c = &p->classes[idx];
	unsigned int bytes = slots_bytes(p->target.version);
	char n[UNITS_BUF];

	if (!eq(p->target.runtime, "python") || !c->dict || c->allocs < SLOTS_MIN_ALLOCS || !bytes)
		return false;
	start(v, ADVICE_SLOTS, SIZE_MAX);
	v->cls = idx;
	add_evidence(v, "instances", c->allocs, SLOTS_MIN_ALLOCS, "");
	add_evidence(v, "bytes per instance", bytes, NAN, "B");
	snprintf(v->estimate, sizeof(v->estimate),
		 "memory, not time: about %u bytes per instance on Python %s (an estimate for "
		 "a small instance), %s instances created",
		 bytes, p->target.version, units__count(n, sizeof(n), c->allocs));
	snprintf(v->how_to, sizeof(v->how_to),
		 "Declare __slots__ = (...) on %s, listing its instance attributes (add "
		 "'__weakref__' if instances are weakly referenced).",
		 c->qualname ? c->qualname : or_empty(c->owner));
	return true;
}

/*
 * Drops a UTF-8 sequence that snprintf cut short at the end of s: names come
 * from the target and may be long, and a report must stay valid UTF-8.
 */
static void trim_utf8(char *s)
{
	size_t len = strlen(s), start = len, need;
	unsigned char lead;

	while (start > 0 && ((unsigned char)s[start - 1] & 0xc0) == 0x80 && len - start < 3)
		start--;
	if (!start)
		return;
	lead = s[start - 1];
	if (lead < 0xc0)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (len - (start - 1) < need)
		s[start - 1] = '\0';
}

/* Appends *v to the growing array. Returns 0 or -ENOMEM. */
static int push(struct advice **arr, size_t *n, size_t *cap, const struct advice *v)
{
	struct advice *grown;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		grown = realloc(*arr, *cap * sizeof(**arr));
		if (!grown)
			return -ENOMEM;
		*arr = grown;
	}
	(*arr)[*n] = *v;
	trim_utf8((*arr)[*n].estimate);
	trim_utf8((*arr)[*n].how_to);
	(*n)++;
	return 0;
}

static const char *subject_owner(const struct profile *p, const struct advice *v)
{
	if (v->attr != SIZE_MAX)
		return owner_of(&p->attrs[v->attr]);
	return or_empty(p->classes[v->cls].owner);
}

static int cmp_advice(const void *l, const void *r, void *ctx)
{
	const struct profile *p = ctx;
	const struct advice *a = l, *b = r;
	const char *an = a->attr != SIZE_MAX ? or_empty(p->attrs[a->attr].name) : "";
	const char *bn = b->attr != SIZE_MAX ? or_empty(p->attrs[b->attr].name) : "";
	int c;

	if (a->saved_ns_per_s != b->saved_ns_per_s)
		return a->saved_ns_per_s < b->saved_ns_per_s ? 1 : -1;
	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	c = strcmp(subject_owner(p, a), subject_owner(p, b)) ?: strcmp(an, bn);
	if (c)
		return c;
	/* get before set of the same name; the index makes the order total. */
	return (a->attr > b->attr) - (a->attr < b->attr) ?: (a->cls > b->cls) - (a->cls < b->cls);
}

int advise__profile(const struct profile *p, struct advice **out, size_t *n)
{
	struct advice *arr = NULL, v;
	size_t len = 0, cap = 0, i;
	struct facts f;
	int err = 0;

	for (i = 0; i < p->nattrs && !err; i++) {
		facts_of(p, i, &f);
		/*
		 * One of coalesce, hoist, cache per read: who repeats it decides.
		 * Concurrent off-CPU reads come first: a thread serving request
		 * after request also re-reads the same instance, but the fetch
		 * the others wait on is the cost to remove.
		 */
		if (!interpreter_owned(&f) &&
		    (rule_coalesce(&f, &v) || rule_hoist(&f, &v) || rule_cache(&f, &v)))
			err = push(&arr, &len, &cap, &v);
		if (!err && rule_shard(&f, &v))
			err = push(&arr, &len, &cap, &v);
		if (!err && rule_defer(&f, &v))
			err = push(&arr, &len, &cap, &v);
		if (!err && rule_fix_errors(&f, &v))
			err = push(&arr, &len, &cap, &v);
	}
	for (i = 0; i < p->nclasses && !err; i++)
		if (rule_slots(p, i, &v))
			err = push(&arr, &len, &cap, &v);
	if (err) {
		free(arr);
		return err;
	}
	if (len > 1)
		qsort_r(arr, len, sizeof(*arr), cmp_advice, (void *)p);
	*out = arr;
	*n = len;
	return 0;
}

const char *advise__action_name(enum advice_action a)
{
	static const char *const names[ADVICE_ACTIONS] = {
		[ADVICE_CACHE] = "cache",
		[ADVICE_HOIST] = "hoist",
		[ADVICE_COALESCE] = "coalesce",
		[ADVICE_SHARD] = "shard",
		[ADVICE_DEFER_VALIDATION] = "defer-validation",
		[ADVICE_SLOTS] = "slots",
		[ADVICE_FIX_ERRORS] = "fix-errors",
	};

	return (unsigned int)a < ADVICE_ACTIONS ? names[a] : "?";
}
