// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What every rendering of a comparison shares: the limits' names, the
 * sentences of the reasons and the verdict, a table row's figures, and
 * diff__render, which picks the renderer.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "diff_render.h"
#include "units.h"

const struct diff_break_key diff__break_keys[DIFF_NBREAKS] = {
	{DIFF_BREAK_COUNT, "count"},	      {DIFF_BREAK_P99, "p99"},
	{DIFF_BREAK_TOTAL, "total_per_call"}, {DIFF_BREAK_LOCK, "lock_wait_per_call"},
	{DIFF_BREAK_NEW_HOT, "new_hot"},
};

/* An increase in at most 7 columns: "+10.0%", "-3.5%", "+12.3k%", "-" when not compared. */
char *diff__pct_str(char *buf, size_t len, double v)
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
		 diff__pct_str(lo, sizeof(lo), st->low_pct),
		 diff__pct_str(hi, sizeof(hi), st->high_pct), smp);
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
void diff__reason(const struct diff_result *r, const struct diff_entry *e, enum diff_break bit,
		  char *buf, size_t len)
{
	char p[UNITS_BUF], a[UNITS_BUF], b[UNITS_BUF], ci[128], adv[128];
	const struct diff_side *bs = &e->base, *ns = &e->new;
	const struct diff_limits *l = &r->limits;
	size_t used;

	switch (bit) {
	case DIFF_BREAK_COUNT:
		snprintf(buf, len, "count %s (%s -> %s) > %g%%",
			 diff__pct_str(p, sizeof(p), e->count_pct),
			 units__count(a, sizeof(a), bs->count),
			 units__count(b, sizeof(b), ns->count), l->count_pct);
		break;
	case DIFF_BREAK_P99:
		interval_str(ci, sizeof(ci), e, &e->p99);
		snprintf(buf, len, "p99 %s (%s -> %s) > %g%%, %s",
			 diff__pct_str(p, sizeof(p), e->p99_pct),
			 units__ns(a, sizeof(a), bs->p99_ns), units__ns(b, sizeof(b), ns->p99_ns),
			 l->p99_pct, ci);
		break;
	case DIFF_BREAK_TOTAL:
		interval_str(ci, sizeof(ci), e, &e->total);
		if (e->method == DIFF_METHOD_RUNS)
			snprintf(buf, len, "time per call (median) %s (%s -> %s) > %g%%, %s",
				 diff__pct_str(p, sizeof(p), e->total_pct),
				 units__ns(a, sizeof(a), bs->p50_ns),
				 units__ns(b, sizeof(b), ns->p50_ns), l->total_pct, ci);
		else
			snprintf(buf, len, "time per call %s (%s -> %s) > %g%%, %s",
				 diff__pct_str(p, sizeof(p), e->total_pct),
				 units__ns(a, sizeof(a), (uint64_t)bs->mean_ns),
				 units__ns(b, sizeof(b), (uint64_t)ns->mean_ns), l->total_pct, ci);
		break;
	case DIFF_BREAK_LOCK:
		interval_str(ci, sizeof(ci), e, &e->lock);
		snprintf(buf, len, "lock wait per call %s (%s -> %s) > %g%%, %s",
			 diff__pct_str(p, sizeof(p), e->lock_pct),
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
void diff__method_str(char *buf, size_t len, const struct diff_result *r)
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
void diff__verdict_str(char *buf, size_t len, const struct diff_result *r)
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
bool diff__any_latency(const struct diff_result *r)
{
	for (size_t i = 0; i < r->nentries; i++)
		if (r->entries[i].latency_compared)
			return true;
	return false;
}

/* The figures of one row: the table; the name columns are the renderer's to write. */
void diff__fill_cells(struct diff_cells *c, const struct diff_entry *e)
{
	bool less = e->new.total_ns < e->base.total_ns;
	const struct diff_side *s = e->status == DIFF_VANISHED ? &e->base : &e->new;
	const char *latency =
		e->status == DIFF_BOTH && !e->latency_compared ? DIFF_NOT_COMPARED : NULL;

	units__count(c->cnt, sizeof(c->cnt), s->count);
	if (e->status == DIFF_NEW)
		snprintf(c->cp, sizeof(c->cp), "new");
	else if (e->status == DIFF_VANISHED)
		snprintf(c->cp, sizeof(c->cp), "gone");
	else
		diff__pct_str(c->cp, sizeof(c->cp), e->count_pct);
	if (s->timed)
		units__ns(c->p99, sizeof(c->p99), s->p99_ns);
	else
		snprintf(c->p99, sizeof(c->p99), "-");
	units__ns(c->tot, sizeof(c->tot), s->total_ns);
	c->dt[0] = less ? '-' : '+';
	units__ns(c->dt + 1, sizeof(c->dt) - 1,
		  less ? e->base.total_ns - e->new.total_ns : e->new.total_ns - e->base.total_ns);
	c->p99_pct = latency ?: diff__pct_str(c->pp, sizeof(c->pp), e->p99_pct);
	c->total_pct = latency ?: diff__pct_str(c->tp, sizeof(c->tp), e->total_pct);
	c->lock_pct = latency ?: diff__pct_str(c->lp, sizeof(c->lp), e->lock_pct);
}

/*
 * Every limit an entry breaks, then every limit it may break but not
 * significantly (unproven), one line each in the renderer's style.
 */
void diff__put_reasons(FILE *out, const struct diff_result *r, diff_reason_line *line)
{
	char buf[512];

	for (int unproven = 0; unproven < 2; unproven++) {
		for (size_t i = 0; i < r->nentries; i++) {
			const struct diff_entry *e = &r->entries[i];
			unsigned int bits = unproven ? e->unproven : e->breaks;

			for (size_t k = 0; k < DIFF_NBREAKS; k++) {
				if (!(bits & diff__break_keys[k].bit))
					continue;
				diff__reason(r, e, diff__break_keys[k].bit, buf, sizeof(buf));
				line(out, e, buf, unproven);
			}
		}
	}
}

int diff__parse_format(const char *s, enum diff_format *out)
{
	static const char *const formats[] = {
		[DIFF_TEXT] = "text",
		[DIFF_JSON] = "json",
		[DIFF_MARKDOWN] = "markdown",
		[DIFF_JUNIT] = "junit",
	};

	for (size_t i = 0; s && i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!strcmp(s, formats[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

int diff__render(FILE *out, const struct diff_result *r, enum diff_format fmt)
{
	switch (fmt) {
	case DIFF_TEXT:
		return diff__render_text(out, r);
	case DIFF_JSON:
		return diff__render_json(out, r);
	case DIFF_MARKDOWN:
		return diff__render_markdown(out, r);
	case DIFF_JUNIT:
		return diff__render_junit(out, r);
	}
	return -EINVAL;
}
