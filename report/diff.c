// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Comparing two profiles: the rules are in diff.h. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "diff.h"
#include "markup.h"
#include "hist.h"
#include "stats.h"
#include "units.h"

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */
/* 21 + 13 + the figures' 58 + 9 separators: 100 columns. */
#define ATTR_COLS 21
#define KIND_COLS 13
#define NOT_COMPARED "n/c"
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))
#define STR_(x) #x
#define STR(x) STR_(x)

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
	c = c ?: str_cmp(a->kind, b->kind);
	return c ?: str_cmp(a->op, b->op);
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
		*e = (struct diff_entry){
			.owner = na->owner, .name = na->name, .kind = na->kind, .op = na->op};
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
					 .kind = ba->kind,
					 .op = ba->op,
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

static const struct {
	enum diff_break bit;
	const char *key;
} break_keys[] = {
	{DIFF_BREAK_COUNT, "count"},	      {DIFF_BREAK_P99, "p99"},
	{DIFF_BREAK_TOTAL, "total_per_call"}, {DIFF_BREAK_LOCK, "lock_wait_per_call"},
	{DIFF_BREAK_NEW_HOT, "new_hot"},
};

#define NBREAKS (sizeof(break_keys) / sizeof(break_keys[0]))

/* An increase in at most 7 columns: "+10.0%", "-3.5%", "+12.3k%", "-" when not compared. */
static char *pct_str(char *buf, size_t len, double v)
{
	char n[UNITS_BUF];

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "+inf" : "-inf");
	else if (fabs(v) >= 1000)
		snprintf(buf, len, "%c%s%%", v < 0 ? '-' : '+',
			 units__count(n, sizeof(n), fabs(v)));
	else
		snprintf(buf, len, "%+.1f%%", v);
	return buf;
}

/* Where an interval came from: "5 vs 5 runs" or "1.00k vs 1.20k calls". */
static void samples_str(char *buf, size_t len, const struct diff_entry *e)
{
	char b[UNITS_BUF], n[UNITS_BUF];

	if (e->method == DIFF_METHOD_RUNS)
		snprintf(buf, len, "%u vs %u runs", e->base_samples, e->new_samples);
	else
		snprintf(buf, len, "%s vs %s calls", units__count(b, sizeof(b), e->base_samples),
			 units__count(n, sizeof(n), e->new_samples));
}

/* A latency statistic's interval: "95.0% CI +180.0% to +220.0%, 5 vs 5 runs". */
static void interval_str(char *buf, size_t len, const struct diff_entry *e,
			 const struct diff_stat *st)
{
	char lo[16], hi[16], smp[64];

	samples_str(smp, sizeof(smp), e);
	snprintf(buf, len, "%.1f%% CI %s to %s, %s", st->confidence,
		 pct_str(lo, sizeof(lo), st->low_pct), pct_str(hi, sizeof(hi), st->high_pct), smp);
}

/* Whether a side has a single run: its attributes' latency can only come from the histograms. */
static bool single_run(const struct diff_result *r)
{
	return r->base_runs < 2 || r->new_runs < 2;
}

/* The runs compared: "1 run a side" or "1 base run vs 5 new runs". */
static void runs_str(char *buf, size_t len, const struct diff_result *r)
{
	if (r->base_runs == 1 && r->new_runs == 1)
		snprintf(buf, len, "1 run a side");
	else
		snprintf(buf, len, "%zu base run%s vs %zu new run%s", r->base_runs,
			 r->base_runs == 1 ? "" : "s", r->new_runs, r->new_runs == 1 ? "" : "s");
}

/*
 * Why an advisory latency finding cannot break, and what would settle it:
 * more runs, unless both sides have them and the attribute was timed in
 * too few of them.
 */
static void advisory_str(char *buf, size_t len, const struct diff_result *r)
{
	if (single_run(r))
		snprintf(buf, len,
			 "sampling noise only: record --runs %u on both sides to settle it",
			 r->settle_runs);
	else
		snprintf(buf, len, "sampling noise only: timed in under 2 runs a side");
}

/* One limit in words: "count +25.0% (1.00k -> 1.25k per run) > 10%". */
static void reason(const struct diff_result *r, const struct diff_entry *e, enum diff_break bit,
		   char *buf, size_t len)
{
	char p[UNITS_BUF], a[UNITS_BUF], b[UNITS_BUF], ci[128], adv[128];
	const struct diff_side *bs = &e->base, *ns = &e->new;
	const struct diff_limits *l = &r->limits;
	size_t used;

	switch (bit) {
	case DIFF_BREAK_COUNT:
		snprintf(buf, len, "count %s (%s -> %s) > %g%%",
			 pct_str(p, sizeof(p), e->count_pct), units__count(a, sizeof(a), bs->count),
			 units__count(b, sizeof(b), ns->count), l->count_pct);
		break;
	case DIFF_BREAK_P99:
		interval_str(ci, sizeof(ci), e, &e->p99);
		snprintf(buf, len, "p99 %s (%s -> %s) > %g%%, %s",
			 pct_str(p, sizeof(p), e->p99_pct), units__ns(a, sizeof(a), bs->p99_ns),
			 units__ns(b, sizeof(b), ns->p99_ns), l->p99_pct, ci);
		break;
	case DIFF_BREAK_TOTAL:
		interval_str(ci, sizeof(ci), e, &e->total);
		if (e->method == DIFF_METHOD_RUNS)
			snprintf(buf, len, "time per call (median) %s (%s -> %s) > %g%%, %s",
				 pct_str(p, sizeof(p), e->total_pct),
				 units__ns(a, sizeof(a), bs->p50_ns),
				 units__ns(b, sizeof(b), ns->p50_ns), l->total_pct, ci);
		else
			snprintf(buf, len, "time per call %s (%s -> %s) > %g%%, %s",
				 pct_str(p, sizeof(p), e->total_pct),
				 units__ns(a, sizeof(a), (uint64_t)bs->mean_ns),
				 units__ns(b, sizeof(b), (uint64_t)ns->mean_ns), l->total_pct, ci);
		break;
	case DIFF_BREAK_LOCK:
		interval_str(ci, sizeof(ci), e, &e->lock);
		snprintf(buf, len, "lock wait per call %s (%s -> %s) > %g%%, %s",
			 pct_str(p, sizeof(p), e->lock_pct),
			 units__ns(a, sizeof(a), bs->lock_ns / bs->count),
			 units__ns(b, sizeof(b), ns->lock_ns / ns->count), l->lock_pct, ci);
		break;
	case DIFF_BREAK_NEW_HOT:
		snprintf(buf, len, "new hot attribute: %s calls (>= %llu), %s total",
			 units__count(a, sizeof(a), ns->count), (unsigned long long)l->min_count,
			 units__ns(b, sizeof(b), ns->total_ns));
		break;
	}
	if (e->advisory && (bit & (DIFF_BREAK_P99 | DIFF_BREAK_TOTAL | DIFF_BREAK_LOCK))) {
		advisory_str(adv, sizeof(adv), r);
		used = strlen(buf);
		snprintf(buf + used, len - used, "; %s", adv);
	}
}

/* How latency was judged, two or three lines for the text, markdown and junit verdicts. */
static void method_str(char *buf, size_t len, const struct diff_result *r)
{
	char runs[64];

	runs_str(runs, sizeof(runs), r);
	if (!single_run(r))
		snprintf(buf, len,
			 "latency: %zu base runs vs %zu new runs as two samples (Hodges-Lehmann, "
			 "exact Mann-Whitney);\n  a limit breaks when the %g%% interval lies above "
			 "it (\"unproven\": the estimate is above, the interval is not)",
			 r->base_runs, r->new_runs, r->limits.confidence);
	else if (r->limits.trust_single_run)
		snprintf(buf, len,
			 "latency: %s: the histograms, at %g%% confidence, trusted "
			 "(--trust-single-run):\n  a limit breaks when the interval lies above it, "
			 "though it measures sampling noise only",
			 runs, r->limits.confidence);
	else
		snprintf(buf, len,
			 "latency: %s: the histograms, at %g%% confidence, advisory: no latency "
			 "limit breaks;\n  their intervals measure sampling noise only, not the "
			 "run-to-run noise of the machine:\n  record --runs %u on both sides to "
			 "judge latency",
			 runs, r->limits.confidence, r->settle_runs);
}

/*
 * The verdict after "PASS" or "FAIL": ": 1 regression", and when latency
 * was compared but could not break, that it is advisory.
 */
static void verdict_str(char *buf, size_t len, const struct diff_result *r)
{
	size_t nadvisory = 0, used;
	char runs[64];

	if (!r->nregressions)
		used = snprintf(buf, len, ": no attribute regressed beyond the limits");
	else
		used = snprintf(buf, len, ": %zu regression%s", r->nregressions,
				r->nregressions == 1 ? "" : "s");
	if (used >= len)
		return;
	for (size_t i = 0; i < r->nentries; i++)
		nadvisory += r->entries[i].latency_compared && r->entries[i].advisory;
	runs_str(runs, sizeof(runs), r);
	if (nadvisory && single_run(r))
		snprintf(buf + used, len - used, "; latency is advisory with %s", runs);
	else if (nadvisory)
		snprintf(buf + used, len - used,
			 "; latency of %zu attribute%s is advisory (timed in under 2 runs a side)",
			 nadvisory, nadvisory == 1 ? "" : "s");
}

/* Whether any latency was compared, so the method line is worth printing. */
static bool any_latency(const struct diff_result *r)
{
	for (size_t i = 0; i < r->nentries; i++)
		if (r->entries[i].latency_compared)
			return true;
	return false;
}

/* s cut to cols columns, keeping its end (the attribute name) and marking the cut. */
static void put_cut(FILE *out, const char *s, int cols)
{
	int n = strlen(s);

	if (n <= cols)
		fprintf(out, "%-*s", cols, s);
	else
		fprintf(out, ELLIPSIS "%s", s + n - (cols - 1));
}

/* One row's figures, formatted; the text table and the markdown table both print them. */
struct row_cells {
	char attr[512], kind[64], cnt[UNITS_BUF], cp[16], p99[UNITS_BUF], pp[16], tot[UNITS_BUF];
	char dt[UNITS_BUF + 1], tp[16], lp[16];
	const char *p99_pct, *total_pct, *lock_pct; /* into the buffers, or NOT_COMPARED */
};

static void fill_cells(struct row_cells *c, const struct diff_entry *e)
{
	int64_t d = signed_delta(e->base.total_ns, e->new.total_ns);
	const struct diff_side *s = e->status == DIFF_VANISHED ? &e->base : &e->new;
	const char *latency = e->status == DIFF_BOTH && !e->latency_compared ? NOT_COMPARED : NULL;

	snprintf(c->attr, sizeof(c->attr), "%s.%s", e->owner, e->name);
	snprintf(c->kind, sizeof(c->kind), "%s/%s", e->kind, e->op);
	units__count(c->cnt, sizeof(c->cnt), s->count);
	if (e->status == DIFF_NEW)
		snprintf(c->cp, sizeof(c->cp), "new");
	else if (e->status == DIFF_VANISHED)
		snprintf(c->cp, sizeof(c->cp), "gone");
	else
		pct_str(c->cp, sizeof(c->cp), e->count_pct);
	if (s->timed)
		units__ns(c->p99, sizeof(c->p99), s->p99_ns);
	else
		snprintf(c->p99, sizeof(c->p99), "-");
	units__ns(c->tot, sizeof(c->tot), s->total_ns);
	c->dt[0] = d < 0 ? '-' : '+';
	units__ns(c->dt + 1, sizeof(c->dt) - 1, d < 0 ? -(uint64_t)d : (uint64_t)d);
	c->p99_pct = latency ?: pct_str(c->pp, sizeof(c->pp), e->p99_pct);
	c->total_pct = latency ?: pct_str(c->tp, sizeof(c->tp), e->total_pct);
	c->lock_pct = latency ?: pct_str(c->lp, sizeof(c->lp), e->lock_pct);
}

/* One line of a renderer's list of reasons: the entry, why, and whether that is unproven. */
typedef void reason_line(FILE *out, const struct diff_entry *e, const char *why, bool unproven);

/*
 * Every limit an entry breaks, then every limit it may break but not
 * significantly (unproven), one line each in the renderer's style.
 */
static void put_reasons(FILE *out, const struct diff_result *r, reason_line *line)
{
	char buf[512];

	for (int unproven = 0; unproven < 2; unproven++) {
		for (size_t i = 0; i < r->nentries; i++) {
			const struct diff_entry *e = &r->entries[i];
			unsigned int bits = unproven ? e->unproven : e->breaks;

			for (size_t k = 0; k < NBREAKS; k++) {
				if (!(bits & break_keys[k].bit))
					continue;
				reason(r, e, break_keys[k].bit, buf, sizeof(buf));
				line(out, e, buf, unproven);
			}
		}
	}
}

static void text_reason(FILE *out, const struct diff_entry *e, const char *why, bool unproven)
{
	fprintf(out, "  %s%s.%s (%s/%s): %s\n", unproven ? "unproven: " : "", e->owner, e->name,
		e->kind, e->op, why);
}

static void text_row(FILE *out, const struct diff_entry *e)
{
	struct row_cells c;

	fill_cells(&c, e);
	put_cut(out, c.attr, ATTR_COLS);
	fputc(' ', out);
	put_cut(out, c.kind, KIND_COLS);
	fprintf(out, " %5s %7s %6s %7s %6s %8s %7s %7s\n", c.cnt, c.cp, c.p99, c.p99_pct, c.tot,
		c.dt, c.total_pct, c.lock_pct);
}

int diff__render_text(FILE *out, const struct diff_result *r)
{
	bool few = false;
	char buf[512];

	verdict_str(buf, sizeof(buf), r);
	fprintf(out, "%s%s\n", r->nregressions ? "FAIL" : "PASS", buf);
	put_reasons(out, r, text_reason);
	if (any_latency(r)) {
		method_str(buf, sizeof(buf), r);
		fprintf(out, "%s\n", buf);
	}
	if (!r->nentries)
		return ferror(out) ? -EIO : 0;
	/* COUNT, P99 and TOTAL are the new side's (the base's for a vanished attribute). */
	fprintf(out, "\n%-*s %-*s %5s %7s %6s %7s %6s %8s %7s %7s\n", ATTR_COLS, "ATTRIBUTE",
		KIND_COLS, "KIND/OP", "COUNT", "CHANGE", "P99", "CHANGE", "TOTAL", "ADDED",
		"PERCALL", "LOCK");
	for (size_t i = 0; i < r->nentries; i++) {
		const struct diff_entry *e = &r->entries[i];

		text_row(out, e);
		few |= e->status == DIFF_BOTH && !e->latency_compared;
	}
	if (few)
		fprintf(out,
			"\n" NOT_COMPARED
			": latency not compared (too few samples: under %llu timed "
			"calls on a side)\n",
			(unsigned long long)r->limits.min_count);
	return ferror(out) ? -EIO : 0;
}

static json_t *u64(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* A percentage, or null when not compared or infinite (JSON has no infinity). */
static json_t *pct_json(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *limit_json(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static int set_id(json_t *o, const struct diff_entry *e)
{
	return json_object_set_new(o, "owner", json_string(e->owner)) |
	       json_object_set_new(o, "name", json_string(e->name)) |
	       json_object_set_new(o, "kind", json_string(e->kind)) |
	       json_object_set_new(o, "op", json_string(e->op));
}

static json_t *side_json(const struct diff_side *s)
{
	json_t *o = json_object();
	int bad = !o;

	bad |= json_object_set_new(o, "count", u64(s->count));
	bad |= json_object_set_new(o, "timed", u64(s->timed));
	bad |= json_object_set_new(o, "p99_ns", s->timed ? u64(s->p99_ns) : json_null());
	bad |= json_object_set_new(o, "total_ns", u64(s->total_ns));
	bad |= json_object_set_new(o, "lock_wait_ns", u64(s->lock_ns));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *stat_json(const struct diff_stat *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:b}", "estimate_pct", pct_json(st->pct),
			 "ci_low_pct", pct_json(st->low_pct), "ci_high_pct", pct_json(st->high_pct),
			 "confidence_pct", pct_json(st->confidence), "significant",
			 st->significant);
}

/* How latency was compared, with each statistic's estimate and interval. */
static json_t *latency_json(const struct diff_entry *e)
{
	return json_pack("{s:s, s:b, s:I, s:I, s:o, s:o, s:o}", "method",
			 e->method == DIFF_METHOD_RUNS ? "runs" : "histogram", "advisory",
			 e->advisory, "base_samples", (json_int_t)e->base_samples, "new_samples",
			 (json_int_t)e->new_samples, "p99", stat_json(&e->p99), "time_per_call",
			 stat_json(&e->total), "lock_wait_per_call", stat_json(&e->lock));
}

static json_t *breaks_json(unsigned int bits)
{
	json_t *a = json_array();

	for (size_t k = 0; k < NBREAKS && a; k++)
		if ((bits & break_keys[k].bit) &&
		    json_array_append_new(a, json_string(break_keys[k].key))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *entry_json(const struct diff_entry *e)
{
	json_t *o = json_object(), *br = json_array();
	int bad = !o || !br;

	for (size_t k = 0; k < NBREAKS && br; k++)
		if (e->breaks & break_keys[k].bit)
			bad |= json_array_append_new(br, json_string(break_keys[k].key));
	bad |= set_id(o, e);
	if (e->status != DIFF_NEW)
		bad |= json_object_set_new(o, "base", side_json(&e->base));
	if (e->status != DIFF_VANISHED)
		bad |= json_object_set_new(o, "new", side_json(&e->new));
	if (e->status == DIFF_BOTH) {
		bad |= json_object_set_new(o, "count_pct", pct_json(e->count_pct));
		bad |= json_object_set_new(o, "latency_compared",
					   json_boolean(e->latency_compared));
		bad |= json_object_set_new(o, "p99_pct", pct_json(e->p99_pct));
		bad |= json_object_set_new(o, "total_per_call_pct", pct_json(e->total_pct));
		bad |= json_object_set_new(o, "lock_wait_per_call_pct", pct_json(e->lock_pct));
		if (e->latency_compared)
			bad |= json_object_set_new(o, "latency", latency_json(e));
		bad |= json_object_set_new(o, "unproven", breaks_json(e->unproven));
	}
	bad |= json_object_set_new(o, "breaks", br);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *regression_json(const struct diff_result *r, const struct diff_entry *e)
{
	json_t *o = json_object(), *rs = json_array();
	int bad = !o || !rs;
	char buf[512];

	bad |= set_id(o, e);
	for (size_t k = 0; k < NBREAKS && rs; k++) {
		json_t *one;

		if (!(e->breaks & break_keys[k].bit))
			continue;
		reason(r, e, break_keys[k].bit, buf, sizeof(buf));
		one = json_pack("{s:s, s:s}", "limit", break_keys[k].key, "message", buf);
		bad |= json_array_append_new(rs, one);
	}
	bad |= json_object_set_new(o, "reasons", rs);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The globs as an array, or null when there are none. */
static json_t *globs_json(const char *const *globs, size_t n)
{
	json_t *a;

	if (!n)
		return json_null();
	a = json_array();
	for (size_t i = 0; i < n && a; i++)
		if (json_array_append_new(a, json_string(globs[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *limits_json(const struct diff_limits *l)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:f, s:b, s:o, s:o}", "max_count_increase_pct",
			 limit_json(l->count_pct), "max_p99_increase_pct", limit_json(l->p99_pct),
			 "max_total_per_call_increase_pct", limit_json(l->total_pct),
			 "max_lock_wait_per_call_increase_pct", limit_json(l->lock_pct),
			 "min_count", (json_int_t)l->min_count, "confidence_pct", l->confidence,
			 "trust_single_run", l->trust_single_run, "only",
			 globs_json(l->only, l->nonly), "ignore",
			 globs_json(l->ignore, l->nignore));
}

int diff__render_json(FILE *out, const struct diff_result *r)
{
	json_t *root = json_object(), *regs = json_array(), *changes = json_array();
	json_t *news = json_array(), *gone = json_array();
	int bad = !root || !regs || !changes || !news || !gone;
	int err = 0;

	for (size_t i = 0; i < r->nentries && !bad; i++) {
		const struct diff_entry *e = &r->entries[i];
		json_t *list = e->status == DIFF_NEW	    ? news
			       : e->status == DIFF_VANISHED ? gone
							    : changes;

		if (e->breaks)
			bad |= json_array_append_new(regs, regression_json(r, e));
		bad |= json_array_append_new(list, entry_json(e));
	}
	bad |= json_object_set_new(root, "schema", json_string(DIFF_SCHEMA));
	bad |= json_object_set_new(root, "verdict", json_string(r->nregressions ? "fail" : "pass"));
	bad |= json_object_set_new(root, "limits", limits_json(&r->limits));
	bad |= json_object_set_new(root, "runs",
				   json_pack("{s:I, s:I, s:I}", "base", (json_int_t)r->base_runs,
					     "new", (json_int_t)r->new_runs, "to_settle",
					     (json_int_t)r->settle_runs));
	bad |= json_object_set_new(root, "regressions", regs);
	bad |= json_object_set_new(root, "changes", changes);
	bad |= json_object_set_new(root, "new", news);
	bad |= json_object_set_new(root, "vanished", gone);
	if (bad)
		err = -ENOMEM;
	else if (json_dumpf(root, out, DUMP_FLAGS) || fputc('\n', out) == EOF || ferror(out))
		err = -EIO;
	json_decref(root);
	return err;
}

/* A percentage limit: a number >= 0, or "off". */
static int config_pct(json_t *v, double *out)
{
	if (json_is_string(v) && !strcmp(json_string_value(v), "off")) {
		*out = DIFF_NO_LIMIT;
		return 0;
	}
	if (!json_is_number(v) || !(json_number_value(v) >= 0) || !isfinite(json_number_value(v)))
		return -EINVAL;
	*out = json_number_value(v);
	return 0;
}

/* A glob or an array of globs, borrowed from v. */
static int config_globs(json_t *v, const char **globs, size_t *n)
{
	json_t *g;
	size_t i;

	if (json_is_string(v)) {
		globs[0] = json_string_value(v);
		*n = 1;
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) > DIFF_MAX_GLOBS)
		return -EINVAL;
	json_array_foreach(v, i, g)
	{
		if (!json_is_string(g))
			return -EINVAL;
		globs[i] = json_string_value(g);
	}
	*n = json_array_size(v);
	return 0;
}

static const char config_keys[] = "max_count_increase, max_p99_increase, max_total_increase, "
				  "max_lock_wait_increase, min_count, confidence, "
				  "trust_single_run, only, ignore";

static int apply_config_key(const char *key, json_t *v, struct diff_limits *l, const char **why)
{
	static const char pct_why[] = "expected a percentage (0 or more) or \"off\"";
	static const char glob_why[] =
		"expected a glob or an array of globs (at most " STR(DIFF_MAX_GLOBS) ")";

	*why = pct_why;
	if (!strcmp(key, "max_count_increase"))
		return config_pct(v, &l->count_pct);
	if (!strcmp(key, "max_p99_increase"))
		return config_pct(v, &l->p99_pct);
	if (!strcmp(key, "max_total_increase"))
		return config_pct(v, &l->total_pct);
	if (!strcmp(key, "max_lock_wait_increase"))
		return config_pct(v, &l->lock_pct);
	if (!strcmp(key, "confidence")) {
		*why = "expected a percentage from " STR(DIFF_MIN_CONFIDENCE) " to " STR(
			DIFF_MAX_CONFIDENCE);
		if (!json_is_number(v) || !(json_number_value(v) >= DIFF_MIN_CONFIDENCE) ||
		    !(json_number_value(v) <= DIFF_MAX_CONFIDENCE))
			return -EINVAL;
		l->confidence = json_number_value(v);
		return 0;
	}
	if (!strcmp(key, "min_count")) {
		*why = "expected a whole number (0 or more)";
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return -EINVAL;
		l->min_count = json_integer_value(v);
		return 0;
	}
	if (!strcmp(key, "trust_single_run")) {
		*why = "expected true or false";
		if (!json_is_boolean(v))
			return -EINVAL;
		l->trust_single_run = json_is_true(v);
		return 0;
	}
	*why = glob_why;
	if (!strcmp(key, "only"))
		return config_globs(v, l->only, &l->nonly);
	if (!strcmp(key, "ignore"))
		return config_globs(v, l->ignore, &l->nignore);
	*why = NULL;
	return -ENOENT;
}

int diff__read_config(const char *path, struct diff_limits *l, json_t **doc, char *err, size_t len)
{
	json_error_t jerr;
	const char *key, *why;
	json_t *root, *v;
	int ret;

	*doc = NULL;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		/* jansson reports a file it cannot open at line -1, its text naming the file. */
		if (jerr.line > 0)
			snprintf(err, len, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		else
			snprintf(err, len, "%s", jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		snprintf(err, len, "%s: expected a JSON object of thresholds", path);
		json_decref(root);
		return -EINVAL;
	}
	json_object_foreach(root, key, v)
	{
		ret = apply_config_key(key, v, l, &why);
		if (ret == -ENOENT) {
			snprintf(err, len, "%s: unknown key '%s' (known: %s)", path, key,
				 config_keys);
			json_decref(root);
			return -EINVAL;
		}
		if (ret) {
			snprintf(err, len, "%s: key '%s': %s", path, key, why);
			json_decref(root);
			return -EINVAL;
		}
	}
	*doc = root;
	return 0;
}

/* s inside a code span: a backtick would end it, and in a table a pipe would end the cell. */
static void put_md_code(FILE *out, const char *s, bool in_table)
{
	fputc('`', out);
	for (; *s; s++) {
		if (*s == '`')
			fputc('\'', out);
		else if (*s == '|' && in_table)
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
	fputc('`', out);
}

/* A markdown bullet: the attribute as code, why it breaks a limit. */
static void md_reason(FILE *out, const struct diff_entry *e, const char *why, bool unproven)
{
	char attr[512];

	snprintf(attr, sizeof(attr), "%s.%s", e->owner, e->name);
	fputs(unproven ? "- unproven: " : "- ", out);
	put_md_code(out, attr, false);
	fprintf(out, " (%s/%s): %s\n", e->kind, e->op, why);
}

int diff__render_markdown(FILE *out, const struct diff_result *r)
{
	size_t rows = r->nentries < DIFF_MD_ROWS ? r->nentries : DIFF_MD_ROWS;
	bool few = false;
	char buf[512];

	verdict_str(buf, sizeof(buf), r);
	fprintf(out, "**%s**%s\n%s", r->nregressions ? "FAIL" : "PASS", buf,
		r->nregressions ? "\n" : "");
	put_reasons(out, r, md_reason);
	if (any_latency(r)) {
		method_str(buf, sizeof(buf), r);
		fprintf(out, "\n_%s_\n", buf);
	}
	if (!rows)
		return ferror(out) ? -EIO : 0;
	fprintf(out, "\n| Attribute | Kind/op | Count | Change | p99 | Change | Total | Added "
		     "| Per call | Lock wait |\n"
		     "|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < rows; i++) {
		const struct diff_entry *e = &r->entries[i];
		struct row_cells c;

		fill_cells(&c, e);
		few |= e->status == DIFF_BOTH && !e->latency_compared;
		fputs("| ", out);
		put_md_code(out, c.attr, true);
		fputs(" | ", out);
		put_md_code(out, c.kind, true);
		fprintf(out, " | %s | %s | %s | %s | %s | %s | %s | %s |\n", c.cnt, c.cp, c.p99,
			c.p99_pct, c.tot, c.dt, c.total_pct, c.lock_pct);
	}
	if (r->nentries > rows)
		fprintf(out, "\n%zu more change%s not shown: `attrprof diff` lists them all.\n",
			r->nentries - rows, r->nentries - rows == 1 ? "" : "s");
	if (few)
		fprintf(out,
			"\n" NOT_COMPARED ": latency not compared (under %llu timed calls on a "
			"side)\n",
			(unsigned long long)r->limits.min_count);
	return ferror(out) ? -EIO : 0;
}

/* Each limit of bits in words, escaped, "; " between them, each after prefix. */
static void junit_reasons(FILE *out, const struct diff_result *r, const struct diff_entry *e,
			  unsigned int bits, const char *prefix)
{
	bool first = true;
	char buf[512];

	for (size_t k = 0; k < NBREAKS; k++) {
		if (!(bits & break_keys[k].bit))
			continue;
		reason(r, e, break_keys[k].bit, buf, sizeof(buf));
		fputs(first ? "" : "; ", out);
		fputs(prefix, out);
		markup__escape(out, buf);
		first = false;
	}
}

static void junit_case(FILE *out, const struct diff_result *r, const struct diff_entry *e)
{
	char name[512];

	snprintf(name, sizeof(name), "%s %s/%s", e->name, e->kind, e->op);
	fputs("  <testcase classname=\"", out);
	markup__escape(out, e->owner);
	fputs("\" name=\"", out);
	markup__escape(out, name);
	if (!e->breaks && !e->unproven && e->status != DIFF_VANISHED) {
		fputs("\"/>\n", out);
		return;
	}
	fputs("\">\n", out);
	if (e->status == DIFF_VANISHED)
		fprintf(out,
			"    <system-out>vanished: %llu calls in the base profile, none in the "
			"new one</system-out>\n",
			(unsigned long long)e->base.count);
	/* The message holds every reason: CI summaries often show only the message. */
	if (e->breaks) {
		fputs("    <failure message=\"", out);
		junit_reasons(out, r, e, e->breaks, "");
		fputs("\" type=\"regression\"/>\n", out);
	}
	/* Listed where CI shows a passing case's output, and no failure. */
	if (e->unproven) {
		fputs("    <system-out>", out);
		junit_reasons(out, r, e, e->unproven, "unproven: ");
		fputs("</system-out>\n", out);
	}
	fputs("  </testcase>\n", out);
}

/* s escaped as XML text, its newlines written as they are: a text node may hold them. */
static void junit_text(FILE *out, const char *s)
{
	char line[512];

	for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
		snprintf(line, sizeof(line), "%.*s", (int)(nl - s), s);
		markup__escape(out, line);
		fputc('\n', out);
	}
	markup__escape(out, s);
}

int diff__render_junit(FILE *out, const struct diff_result *r)
{
	char verdict[512], method[512];

	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuite name=\"attrprof diff\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"0\">\n",
		r->nentries, r->nregressions);
	for (size_t i = 0; i < r->nentries; i++)
		junit_case(out, r, &r->entries[i]);
	/* The suite's output: the verdict line and how latency was judged, as the text says. */
	if (any_latency(r)) {
		verdict_str(verdict, sizeof(verdict), r);
		method_str(method, sizeof(method), r);
		fprintf(out, "  <system-out>%s", r->nregressions ? "FAIL" : "PASS");
		markup__escape(out, verdict);
		fputc('\n', out);
		junit_text(out, method);
		fputs("</system-out>\n", out);
	}
	fputs("</testsuite>\n", out);
	return ferror(out) ? -EIO : 0;
}
