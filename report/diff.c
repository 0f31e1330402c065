// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Comparing two profiles: the rules are in diff.h. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "hist.h"
#include "stats.h"

void diff__default_limits(struct diff_limits *l)
{
	*l = (struct diff_limits){
		.count_pct = 10,
		.p99_pct = 25,
		.total_pct = 25,
		.lock_pct = 25,
		.min_count = 100,
		.confidence = 95,
	};
}

int diff__check_runs(size_t base_runs, size_t new_runs, double confidence, char *err, size_t len)
{
	size_t need = 2;

	if (base_runs < 2 || new_runs < 2 ||
	    stats__max_confidence(base_runs, new_runs) >= confidence / 100)
		return 0;
	while (stats__max_confidence(need, need) < confidence / 100)
		need++;
	snprintf(err, len,
		 "%zu and %zu runs cannot show a latency change at %g%% confidence (at most "
		 "%.1f%%): record at least %zu runs a side (record --runs %zu), or lower "
		 "--confidence",
		 base_runs, new_runs, confidence, stats__max_confidence(base_runs, new_runs) * 100,
		 need, need);
	return -EINVAL;
}

/*
 * Runs a side that settle a latency verdict at confidence (%): the fewest
 * whose interval need not be the widest one, from the smallest to the
 * largest base/new difference, which a single odd pair of runs decides.
 * The next one in (k = 2 in stats__hodges_lehmann) needs 2 P(U <= 1) =
 * 4 / C(2n, n) <= 1 - confidence: 5 runs a side at 95%, 8 at 99.9%.
 */
static unsigned int settling_runs(double confidence)
{
	unsigned int n = 2;

	/* 1 - stats__max_confidence(n, n) is 2 / C(2n, n). */
	while (1 - 2 * (1 - stats__max_confidence(n, n)) < confidence / 100)
		n++;
	return n;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* strcmp with NULL before every string, so that NULL matches only NULL. */
static int str_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

/* The order of attributes by (owner, name, kind, op): equal exactly when they are the same. */
static int attr_cmp(const struct prof_attr *a, const struct prof_attr *b)
{
	int c = str_cmp(a->owner, b->owner);

	c = c ?: str_cmp(a->name, b->name);
	c = c ?: str_cmp(profile__kind_name(a->kind), profile__kind_name(b->kind));
	return c ?: str_cmp(profile__op_name(a->op), profile__op_name(b->op));
}

/*
 * The base's attributes sorted for bsearch, each once, with those of one key
 * in profile order: a profile that lists a key twice pairs its first with
 * the other side's first.
 */
struct attr_index {
	const struct prof_attr *attrs;
	size_t *order; /* indices into attrs, sorted */
	size_t n;
};

/* qsort_r's context: the attributes the indices point into. */
static int by_key_then_index(const void *pa, const void *pb, void *arg)
{
	const struct prof_attr *attrs = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = attr_cmp(&attrs[a], &attrs[b]);

	return c ? c : (a > b) - (a < b);
}

static int index_build(struct attr_index *ix, const struct profile *p)
{
	ix->attrs = p->attrs;
	ix->n = p->nattrs;
	ix->order = malloc((p->nattrs + 1) * sizeof(*ix->order));
	if (!ix->order)
		return -ENOMEM;
	for (size_t i = 0; i < p->nattrs; i++)
		ix->order[i] = i;
	qsort_r(ix->order, ix->n, sizeof(*ix->order), by_key_then_index, p->attrs);
	return 0;
}

/*
 * The first base attribute with a's key not yet matched, or ix->n. A binary
 * search for the first of the key: O(log n) a lookup where comparing each
 * pair made 10,000 attributes a side take most of a second.
 */
static size_t index_find(const struct attr_index *ix, const struct prof_attr *a,
			 const bool *matched)
{
	size_t lo = 0, hi = ix->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (attr_cmp(&ix->attrs[ix->order[mid]], a) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->n && !attr_cmp(&ix->attrs[ix->order[lo]], a); lo++)
		if (!matched[ix->order[lo]])
			return ix->order[lo];
	return ix->n;
}

static bool glob_match(const char *glob, const struct prof_attr *a)
{
	char full[512];

	snprintf(full, sizeof(full), "%s.%s", a->owner ? a->owner : "", a->name ? a->name : "");
	return !fnmatch(glob, full, 0) || (a->name && !fnmatch(glob, a->name, 0));
}

static bool any_match(const char *const *globs, size_t n, const struct prof_attr *a)
{
	for (size_t i = 0; i < n; i++)
		if (glob_match(globs[i], a))
			return true;
	return false;
}

static bool selected(const struct diff_limits *l, const struct prof_attr *a)
{
	if (l->nonly && !any_match(l->only, l->nonly, a))
		return false;
	return !any_match(l->ignore, l->nignore, a);
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* The median over the runs that timed a call of one per-run percentile (p50 or p99). */
static uint64_t run_median(const struct prof_attr *a, size_t nruns, bool p99)
{
	uint64_t v[PROFILE_MAX_RUNS];
	size_t n = 0;

	for (size_t i = 0; i < nruns && i < PROFILE_MAX_RUNS; i++)
		if (a->runs[i].timed)
			v[n++] = p99 ? a->runs[i].p99_ns : a->runs[i].p50_ns;
	if (!n)
		return 0;
	qsort(v, n, sizeof(v[0]), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * With several runs, p50 and p99 are the medians of the runs' own: what the
 * run-by-run estimate compares, so the figures shown move the way it does.
 * The merged histogram's p99 would mostly be the worst run's.
 */
static void fill_side(struct diff_side *s, const struct profile *p, const struct prof_attr *a,
		      size_t nruns)
{
	bool runs = nruns > 1 && a->runs;
	struct prof_lock lock;

	profile__lock_total(a->locks, &lock);
	*s = (struct diff_side){
		.count = a->count,
		.timed = a->timed,
		.p50_ns = runs ? run_median(a, nruns, false)
			       : hist__percentile(a->hist, 50, a->max_ns),
		.p99_ns = runs ? run_median(a, nruns, true)
			       : hist__percentile(a->hist, 99, a->max_ns),
		.total_ns = profile__time_ns(p, a),
		.mean_ns = a->timed ? (double)a->total_ns / (double)a->timed : 0,
		.lock_ns = lock.total_ns,
	};
}

/* Increase from base to new in %: INFINITY from zero to more, 0 from zero to zero. */
static double pct(double base, double new)
{
	if (base == 0)
		return new > 0 ? INFINITY : 0;
	return (new - base) / base * 100;
}

/*
 * Whether new exceeds base by more than limit %. Cross-multiplied so that
 * integer counts exactly at the limit (1000 -> 1100 at 10%) pass: the
 * quotient would round to 10.000000000000002.
 */
static bool over(double base, double new, double limit)
{
	if (limit < 0 || new <= base)
		return false;
	return (new - base) * 100 > limit * base;
}

static bool timed_profile(const struct profile *p)
{
	return p->mode && !strcmp(p->mode, "timed");
}

static size_t runs_of(const struct profile *p)
{
	return p->nruns > 1 ? p->nruns : 1;
}

/* The exact null distribution of U for the last (m, n) asked: most attributes share it. */
struct mw_cache {
	unsigned int m, n;
	double *cdf;
};

static const double *mw_cdf(struct mw_cache *c, unsigned int m, unsigned int n)
{
	double *cdf;

	if (c->cdf && c->m == m && c->n == n)
		return c->cdf;
	cdf = malloc(((size_t)m * n + 1) * sizeof(*cdf));
	if (!cdf || stats__mw_cdf(m, n, cdf)) {
		free(cdf);
		return NULL;
	}
	free(c->cdf);
	*c = (struct mw_cache){m, n, cdf};
	return cdf;
}

/* The statistic's verdict from a ratio interval: increases in %, significant above 0. */
static void stat_from_ratio(struct diff_stat *st, const struct stats_interval *r, double conf)
{
	st->pct = (r->estimate - 1) * 100;
	st->low_pct = (r->low - 1) * 100;
	st->high_pct = (r->high - 1) * 100;
	st->confidence = r->confidence * 100;
	/* A hair of slack: an interval built for conf reports conf back through rounding. */
	st->significant = st->low_pct > 0 && r->confidence >= conf * (1 - 1e-9);
}

/* Per-run logarithms of one statistic, over the runs that timed a call. */
enum run_stat { RUN_P99, RUN_TOTAL, RUN_LOCK };

static unsigned int run_logs(const struct prof_attr *a, size_t nruns, enum run_stat which,
			     double *out)
{
	unsigned int n = 0;

	for (size_t i = 0; i < nruns; i++) {
		const struct prof_run *r = &a->runs[i];

		if (!r->timed)
			continue;
		if (which == RUN_P99)
			out[n++] = log(fmax(r->p99_ns, 1));
		else if (which == RUN_TOTAL)
			/*
			 * Each run's median call, not its mean: on a busy machine one
			 * call preempted for milliseconds moves a run's mean by more
			 * than a 3x slower __get__ does.
			 */
			out[n++] = log(fmax(r->p50_ns, 1));
		else
			/* Lock waits are every call's, whichever calls were timed. */
			out[n++] = log(fmax((double)r->lock_ns / r->count, DIFF_LOCK_FLOOR_NS));
	}
	return n;
}

/* Several runs a side: Hodges-Lehmann on the log of each per-run statistic. */
static int compare_runs(struct diff_entry *e, const struct prof_attr *ba, size_t bruns,
			const struct prof_attr *na, size_t nruns, double conf, struct mw_cache *c)
{
	double x[PROFILE_MAX_RUNS], y[PROFILE_MAX_RUNS];
	struct diff_stat *stats[] = {
		[RUN_P99] = &e->p99, [RUN_TOTAL] = &e->total, [RUN_LOCK] = &e->lock};
	struct stats_interval iv;
	const double *cdf;
	unsigned int m, n;

	for (int w = RUN_P99; w <= RUN_LOCK; w++) {
		m = run_logs(ba, bruns, w, x);
		n = run_logs(na, nruns, w, y);
		cdf = mw_cdf(c, m, n);
		if (!cdf || stats__hodges_lehmann(x, m, y, n, cdf, conf, &iv))
			return -ENOMEM;
		iv = (struct stats_interval){exp(iv.estimate), exp(iv.low), exp(iv.high),
					     iv.confidence};
		stat_from_ratio(stats[w], &iv, conf);
	}
	e->method = DIFF_METHOD_RUNS;
	e->base_samples = m;
	e->new_samples = n;
	return 0;
}

/* The interval of a side's p99, its ranks at conf; high is INFINITY when unbounded. */
static double p99_bounds(const struct prof_attr *a, double conf, double *low, double *high)
{
	uint64_t n = hist__count(a->hist), lo, hi;
	double got = stats__quantile_ranks(n, 0.99, conf, &lo, &hi);

	*low = lo ? (double)hist__at_rank(a->hist, lo, a->max_ns) : 0;
	*high = hi <= n ? (double)hist__at_rank(a->hist, hi, a->max_ns) : INFINITY;
	return got;
}

/*
 * One run a side: the histograms' calls as the samples. p99 gets the ratio
 * of the two order-statistic intervals, each at sqrt(conf) so that both hold
 * together with probability conf; the means the normal interval of a ratio.
 */
static void compare_p99_hist(struct diff_entry *e, const struct prof_attr *ba,
			     const struct prof_attr *na, double conf)
{
	double bl, bh, nl, nh, got;
	struct stats_interval iv;

	got = p99_bounds(ba, sqrt(conf), &bl, &bh) * p99_bounds(na, sqrt(conf), &nl, &nh);
	if (!e->base.p99_ns) {
		e->p99 = (struct diff_stat){pct(0, e->new.p99_ns), NAN, NAN, got * 100, false};
		return;
	}
	iv = (struct stats_interval){
		.estimate = (double)e->new.p99_ns / e->base.p99_ns,
		.low = bh > 0 ? nl / bh : 0,
		.high = bl > 0 ? nh / bl : INFINITY,
		.confidence = got,
	};
	stat_from_ratio(&e->p99, &iv, conf);
}

/* Means of calls' values, zeros among them, compared by their ratio. */
static void compare_means(struct diff_stat *st, double bmean, double bvar, uint64_t bn,
			  double nmean, double nvar, uint64_t nn, double conf)
{
	struct stats_interval iv;
	double z, nlow;

	if (bmean > 0 && nmean > 0 &&
	    !stats__mean_ratio(bmean, bvar, bn, nmean, nvar, nn, conf, &iv)) {
		stat_from_ratio(st, &iv, conf);
		return;
	}
	/* From nothing: an increase when the new mean's own interval excludes 0. */
	z = stats__normal_quantile(1 - (1 - conf) / 2);
	nlow = nmean - z * sqrt(nvar / fmax(nn, 1));
	*st = (struct diff_stat){
		.pct = pct(bmean, nmean),
		.low_pct = bmean > 0  ? -100
			   : nlow > 0 ? INFINITY
				      : 0,
		.high_pct = bmean > 0	? -100
			    : nmean > 0 ? INFINITY
					: 0,
		.confidence = conf * 100,
		.significant = !(bmean > 0) && nlow > 0,
	};
}

static void compare_hist(struct diff_entry *e, const struct prof_attr *ba,
			 const struct prof_attr *na, double conf)
{
	const struct diff_side *b = &e->base, *n = &e->new;
	struct prof_lock bl, nl;

	compare_p99_hist(e, ba, na, conf);
	compare_means(&e->total, b->mean_ns, stats__hist_variance(ba->hist, 0), b->timed,
		      n->mean_ns, stats__hist_variance(na->hist, 0), n->timed, conf);
	/* Lock waits are counted on every call: per call, over all of them. */
	profile__lock_total(ba->locks, &bl);
	profile__lock_total(na->locks, &nl);
	compare_means(&e->lock, (double)b->lock_ns / b->count,
		      stats__hist_variance(bl.hist, b->count > bl.count ? b->count - bl.count : 0),
		      b->count, (double)n->lock_ns / n->count,
		      stats__hist_variance(nl.hist, n->count > nl.count ? n->count - nl.count : 0),
		      n->count, conf);
	e->method = DIFF_METHOD_HIST;
	e->base_samples = b->timed > UINT32_MAX ? UINT32_MAX : b->timed;
	e->new_samples = n->timed > UINT32_MAX ? UINT32_MAX : n->timed;
}

/* Whether both attributes have per-run series with at least two timed runs each. */
static bool runs_usable(const struct prof_attr *ba, size_t bruns, const struct prof_attr *na,
			size_t nruns)
{
	unsigned int bt = 0, nt = 0;

	if (bruns < 2 || nruns < 2 || !ba->runs || !na->runs)
		return false;
	for (size_t i = 0; i < bruns; i++)
		bt += !!ba->runs[i].timed;
	for (size_t i = 0; i < nruns; i++)
		nt += !!na->runs[i].timed;
	return bt >= 2 && nt >= 2;
}

/*
 * A latency limit breaks, where it can be judged (a hot attribute, above the
 * probe-cost floor: see compare_both), when the whole interval is
 * above it: the increase is over the limit at the chosen confidence, a
 * one-sided test of "at most the limit". An estimate over the limit with an
 * interval reaching below it is unproven: listed, not a regression. A
 * machine that drifts by less than the limit between the two recordings
 * cannot fail a good change this way. An advisory comparison's estimate
 * over the limit is unproven whatever its interval: that interval is the
 * calls' sampling noise, and a busy machine slows a whole run's calls
 * together, far outside it (twice the time per call on unchanged code, seen).
 */
static void judge(struct diff_entry *e, const struct diff_stat *st, double limit, double conf,
		  enum diff_break bit, double base, double new, bool judged)
{
	bool above = e->method == DIFF_METHOD_HIST ? over(base, new, limit)
						   : limit >= 0 && st->pct > limit;
	bool sure = st->confidence >= conf * (1 - 1e-9) && st->low_pct > limit;

	if (!judged || !above)
		return;
	if (sure && !e->advisory)
		e->breaks |= bit;
	else
		e->unproven |= bit;
}

static int compare_both(struct diff_entry *e, const struct prof_attr *ba, size_t bruns,
			const struct prof_attr *na, size_t nruns, const struct diff_limits *l,
			double floor_ns, struct mw_cache *c)
{
	const struct diff_side *b = &e->base, *n = &e->new;
	double conf = l->confidence / 100, base_call;
	int err;

	/* Calls per run, cross-multiplied: exact for whole counts. */
	e->count_pct = pct((double)b->count * nruns, (double)n->count * bruns);
	if (over((double)b->count * nruns, (double)n->count * bruns, l->count_pct))
		e->breaks |= DIFF_BREAK_COUNT;
	e->p99_pct = e->total_pct = e->lock_pct = NAN;
	e->p99 = e->total = e->lock = (struct diff_stat){NAN, NAN, NAN, NAN, false};
	e->latency_compared = b->timed >= l->min_count && n->timed >= l->min_count &&
			      b->timed > 0 && n->timed > 0;
	if (!e->latency_compared)
		return 0;
	if (runs_usable(ba, bruns, na, nruns)) {
		err = compare_runs(e, ba, bruns, na, nruns, conf, c);
		if (err)
			return err;
	} else {
		compare_hist(e, ba, na, conf);
		e->advisory = !l->trust_single_run;
	}
	/* An advisory interval shows sampling noise; it proves nothing about the machine. */
	if (e->advisory)
		e->p99.significant = e->total.significant = e->lock.significant = false;
	e->p99_pct = e->p99.pct;
	e->total_pct = e->total.pct;
	e->lock_pct = e->lock.pct;
	/*
	 * Dozens of attributes are compared at once: each test's false alarms add
	 * up. Only an attribute that cost DIFF_HOT_NS a run in the base can break
	 * a latency limit: a slower cheap attribute costs little, and cheap ones
	 * are the noisiest (times near the probes' own cost, inflated by one
	 * preemption). The base decides, so noise in the new runs cannot make an
	 * attribute hot.
	 */
	e->hot = b->total_ns >= DIFF_HOT_NS * (double)bruns;
	base_call = e->method == DIFF_METHOD_RUNS ? (double)b->p50_ns : b->mean_ns;
	judge(e, &e->p99, l->p99_pct, l->confidence, DIFF_BREAK_P99, b->p99_ns, n->p99_ns,
	      e->hot && b->p99_ns >= floor_ns);
	judge(e, &e->total, l->total_pct, l->confidence, DIFF_BREAK_TOTAL, b->mean_ns, n->mean_ns,
	      e->hot && base_call >= floor_ns);
	judge(e, &e->lock, l->lock_pct, l->confidence, DIFF_BREAK_LOCK,
	      (double)b->lock_ns / b->count, (double)n->lock_ns / n->count, e->hot);
	return 0;
}

static void compare_new(struct diff_entry *e, const struct diff_limits *l, bool timed, size_t nruns)
{
	e->count_pct = INFINITY;
	e->p99_pct = e->total_pct = e->lock_pct = NAN;
	e->p99 = e->total = e->lock = (struct diff_stat){NAN, NAN, NAN, NAN, false};
	if (e->new.count >= l->min_count &&
	    (!timed || e->new.total_ns >= DIFF_HOT_NS *(double)nruns))
		e->breaks |= DIFF_BREAK_NEW_HOT;
}

static int64_t signed_delta(uint64_t base, uint64_t new)
{
	return new >= base ? (int64_t)(new - base) : -(int64_t)(base - new);
}

/* Regressions first, then most total time added, then most calls added, then by name. */
static int by_impact(const void *pa, const void *pb)
{
	const struct diff_entry *a = pa, *b = pb;
	int64_t ta = signed_delta(a->base.total_ns, a->new.total_ns);
	int64_t tb = signed_delta(b->base.total_ns, b->new.total_ns);
	int64_t ca = signed_delta(a->base.count, a->new.count);
	int64_t cb = signed_delta(b->base.count, b->new.count);
	int c;

	if (!a->breaks != !b->breaks)
		return a->breaks ? -1 : 1;
	if (ta != tb)
		return ta > tb ? -1 : 1;
	if (ca != cb)
		return ca > cb ? -1 : 1;
	c = strcmp(a->owner ? a->owner : "", b->owner ? b->owner : "");
	return c ? c : strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

static int check_compatible(const struct profile *base, const struct profile *new,
			    const struct diff_limits *l, struct diff_result *out)
{
	bool latency_limits = l->p99_pct >= 0 || l->total_pct >= 0 || l->lock_pct >= 0;

	if (!str_eq(base->target.runtime, new->target.runtime)) {
		snprintf(out->err, sizeof(out->err),
			 "different runtimes: base is '%s', new is '%s'; compare like with like",
			 base->target.runtime ? base->target.runtime : "?",
			 new->target.runtime ? new->target.runtime : "?");
		return -EINVAL;
	}
	if (latency_limits && timed_profile(base) != timed_profile(new)) {
		snprintf(out->err, sizeof(out->err),
			 "base is %s but new is %s: latency limits need both timed; record both "
			 "the same way, or set --max-p99-increase, --max-total-increase and "
			 "--max-lock-wait-increase to off",
			 base->mode ? base->mode : "?", new->mode ? new->mode : "?");
		return -EINVAL;
	}
	if (latency_limits)
		return diff__check_runs(runs_of(base), runs_of(new), l->confidence, out->err,
					sizeof(out->err));
	return 0;
}

int diff__compare(const struct profile *base, const struct profile *new,
		  const struct diff_limits *l, struct diff_result *out)
{
	struct attr_index index = {};
	struct mw_cache cache = {};
	bool *matched = NULL;
	struct diff_entry *e;
	int err;

	memset(out, 0, sizeof(*out));
	out->limits = *l;
	out->base_runs = runs_of(base);
	out->new_runs = runs_of(new);
	out->settle_runs = settling_runs(l->confidence);
	err = check_compatible(base, new, l, out);
	if (err)
		return err;
	/* At most every attribute of both sides, each once. */
	out->entries = calloc(base->nattrs + new->nattrs + 1, sizeof(*out->entries));
	matched = calloc(base->nattrs + 1, sizeof(*matched));
	if (!out->entries || !matched || index_build(&index, base)) {
		err = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < new->nattrs; i++) {
		const struct prof_attr *na = &new->attrs[i];
		size_t j;

		if (!selected(l, na))
			continue;
		j = index_find(&index, na, matched);
		e = &out->entries[out->nentries++];
		*e = (struct diff_entry){.owner = na->owner,
					 .name = na->name,
					 .kind = profile__kind_name(na->kind),
					 .op = profile__op_name(na->op)};
		fill_side(&e->new, new, na, out->new_runs);
		if (j < base->nattrs) {
			matched[j] = true;
			e->status = DIFF_BOTH;
			fill_side(&e->base, base, &base->attrs[j], out->base_runs);
			err = compare_both(e, &base->attrs[j], out->base_runs, na, out->new_runs, l,
					   DIFF_MIN_PROBE_COSTS * (double)base->probe_cost_ns,
					   &cache);
			if (err)
				goto out_free;
		} else {
			e->status = DIFF_NEW;
			compare_new(e, l, timed_profile(new), out->new_runs);
		}
	}
	for (size_t j = 0; j < base->nattrs; j++) {
		const struct prof_attr *ba = &base->attrs[j];

		if (matched[j] || !selected(l, ba))
			continue;
		e = &out->entries[out->nentries++];
		*e = (struct diff_entry){.owner = ba->owner,
					 .name = ba->name,
					 .kind = profile__kind_name(ba->kind),
					 .op = profile__op_name(ba->op),
					 .status = DIFF_VANISHED};
		fill_side(&e->base, base, ba, out->base_runs);
		e->count_pct = -100;
		e->p99_pct = e->total_pct = e->lock_pct = NAN;
		e->p99 = e->total = e->lock = (struct diff_stat){NAN, NAN, NAN, NAN, false};
	}
	for (size_t i = 0; i < out->nentries; i++)
		out->nregressions += !!out->entries[i].breaks;
	qsort(out->entries, out->nentries, sizeof(*out->entries), by_impact);
	free(index.order);
	free(matched);
	free(cache.cdf);
	return 0;

out_free:
	free(index.order);
	free(cache.cdf);
	free(matched);
	free(out->entries);
	out->entries = NULL;
	return err;
}

void diff__free(struct diff_result *r)
{
	if (!r)
		return;
	free(r->entries);
	memset(r, 0, sizeof(*r));
}
