// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The markdown report: a compact summary to paste into a pull-request
 * comment. A title line, the recommendations, the heaviest attributes as a
 * table, then what the profile could not see and what it dropped. It stays
 * short (about 40 lines) however large the profile: the HTML report is the
 * place for everything.
 */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "advise.h"
#include "hist.h"
#include "markup.h"
#include "report.h"
#include "units.h"

/* Rows of the table and recommendations listed: a comment is read at a glance. */
#define MD_TOP_ATTRS 10
#define MD_TOP_ADVICE 5

/* owner.name, the owner being a Python class's qualified name when it has one. */
static void put_attr(FILE *out, const struct prof_attr *a)
{
	const char *owner = a->qualname ? a->qualname : a->owner;

	if (owner && *owner) {
		markup__md(out, owner);
		fputc('.', out);
	}
	markup__md(out, a->name);
}

/* What a recommendation is about: an attribute with its kind/op, or a class. */
static void put_subject(FILE *out, const struct profile *p, const struct advice *ad)
{
	const struct prof_attr *a;
	const struct prof_class *c;

	if (ad->attr < p->nattrs) {
		a = &p->attrs[ad->attr];
		put_attr(out, a);
		fputs(" (", out);
		markup__md(out, profile__kind_name(a->kind));
		fputc('/', out);
		markup__md(out, profile__op_name(a->op));
		fputc(')', out);
	} else if (ad->cls < p->nclasses) {
		c = &p->classes[ad->cls];
		markup__md(out, c->qualname ? c->qualname : c->owner);
		fputs(" (class)", out);
	} else {
		fputs("(unknown)", out);
	}
}

static void put_advice(FILE *out, const struct profile *p, const struct advice *ads, size_t n)
{
	char val[UNITS_BUF + 8], thr[UNITS_BUF + 8], saved[UNITS_BUF];
	size_t i, e, shown = n < MD_TOP_ADVICE ? n : MD_TOP_ADVICE;

	if (!n) {
		fputs("**Recommendations:** none; no rule found enough evidence.\n\n", out);
		return;
	}
	fputs("**Recommendations**\n\n", out);
	for (i = 0; i < shown; i++) {
		const struct advice *ad = &ads[i];

		fprintf(out, "%zu. **%s** ", i + 1, advise__action_name(ad->action));
		put_subject(out, p, ad);
		units__ns(saved, sizeof(saved),
			  ad->saved_ns_per_s > 0 ? (uint64_t)ad->saved_ns_per_s : 0);
		fprintf(out, ": saves ~%s/s.", saved);
		for (e = 0; e < ad->nevidence && e < ADVICE_MAX_EVIDENCE; e++) {
			const struct advice_evidence *ev = &ad->evidence[e];

			fputs(e ? ", " : " Evidence: ", out);
			markup__md(out, ev->name);
			fprintf(out, " %s", units__figure(val, sizeof(val), ev->value, ev->unit));
			/* NAN: a figure given for information, with no bound. */
			if (!isnan(ev->threshold))
				fprintf(out, " (threshold %s)",
					units__figure(thr, sizeof(thr), ev->threshold, ev->unit));
		}
		fputs(ad->nevidence ? ". How: " : " How: ", out);
		markup__md(out, ad->how_to);
		fputc('\n', out);
	}
	if (n > shown)
		fprintf(out, "\n%zu more in `attrprof report --format html`.\n", n - shown);
	fputc('\n', out);
}

static void put_title(FILE *out, const struct profile *p)
{
	char dur[UNITS_BUF];

	fputs("### attrprof: ", out);
	markup__md(out, p->target.exe ? p->target.exe : "?");
	fprintf(out, " (pid %" PRId64 ", runtime ", p->target.pid);
	markup__md(out, p->target.runtime ? p->target.runtime : "?");
	if (p->target.version) {
		fputc(' ', out);
		markup__md(out, p->target.version);
	}
	units__ns(dur, sizeof(dur), p->duration_ns);
	if (report__count_only(p))
		fprintf(out, "), counted for %s, latency not measured\n\n", dur);
	else
		fprintf(out, "), timed for %s\n\n", dur);
}

static void put_row(FILE *out, const struct profile *p, const struct prof_attr *a)
{
	char c[6][UNITS_BUF];
	struct prof_lock lw;

	units__count(c[0], UNITS_BUF, a->count);
	if (report__latency_measured(p, a)) {
		units__ns(c[1], UNITS_BUF, hist__percentile(a->hist, 50, a->max_ns));
		units__ns(c[2], UNITS_BUF, hist__percentile(a->hist, 99, a->max_ns));
		/* "~": scaled up from a sample of the calls (the timing policy). */
		c[3][0] = '~';
		units__ns(c[3] + report__time_sampled(p, a), UNITS_BUF - 1, profile__time_ns(p, a));
	} else {
		strcpy(c[1], "-");
		strcpy(c[2], "-");
		strcpy(c[3], "-");
	}
	profile__lock_total(a->locks, &lw);
	if (lw.count)
		units__ns(c[4], UNITS_BUF, lw.total_ns);
	else
		strcpy(c[4], "-");
	fputs("| ", out);
	put_attr(out, a);
	fputs(" | ", out);
	markup__md(out, profile__kind_name(a->kind));
	fputc('/', out);
	markup__md(out, profile__op_name(a->op));
	fprintf(out, " | %s | %s | %s | %s | %s |\n", c[0], c[1], c[2], c[3], c[4]);
}

static void put_table(FILE *out, const struct profile *p, const size_t *order, size_t n)
{
	size_t i, called = 0, rows;

	for (i = 0; i < n; i++)
		called += !!p->attrs[i].count;
	if (!n) {
		fputs("No attributes were probed.\n\n", out);
		return;
	}
	if (!called) {
		fprintf(out, "None of the %zu probed attributes was called.\n\n", n);
		return;
	}
	/* Ranking puts the called ones first: the table is a prefix of order. */
	rows = called < MD_TOP_ATTRS ? called : MD_TOP_ATTRS;
	fprintf(out, "**Top attributes** (%zu of %zu called)\n\n", rows, called);
	fputs("| attribute | kind/op | count | p50 | p99 | total | lock wait |\n", out);
	fputs("|---|---|--:|--:|--:|--:|--:|\n", out);
	for (i = 0; i < rows; i++)
		put_row(out, p, &p->attrs[order[i]]);
	if (n > called)
		fprintf(out, "\n%zu more probed but never called.\n", n - called);
	fputc('\n', out);
}

/* Coverage short of exact, unattributed lock waits and drops: what to trust less. */
static void put_caveats(FILE *out, const struct profile *p)
{
	struct report_drop drops[REPORT_DROPS];
	char cnt[UNITS_BUF], total[UNITS_BUF];
	struct prof_lock lw;
	bool first = true;
	size_t i;

	for (i = 0; i < p->ncoverage; i++) {
		const struct prof_coverage *c = &p->coverage[i];

		if (c->status && !strcmp(c->status, "exact"))
			continue;
		fputs(first ? "**Not all seen**\n\n- " : "- ", out);
		markup__md(out, c->kind);
		fputs(" (", out);
		markup__md(out, c->status);
		fputs("): ", out);
		markup__md(out, c->why);
		fputc('\n', out);
		first = false;
	}
	if (!first)
		fputc('\n', out);

	profile__lock_total(p->unattributed, &lw);
	if (lw.count)
		fprintf(out, "Lock waits outside any traced access: %s wait%s, %s.\n\n",
			units__count(cnt, sizeof(cnt), lw.count), lw.count == 1 ? "" : "s",
			units__ns(total, sizeof(total), lw.total_ns));

	report__drops(p, drops);
	first = true;
	for (i = 0; i < REPORT_DROPS; i++) {
		if (!drops[i].count)
			continue;
		fputs(first ? "**Dropped**\n\n" : "", out);
		fprintf(out, "- %" PRIu64 " %s: %s\n", drops[i].count, drops[i].name, drops[i].why);
		first = false;
	}
	if (!first)
		fputc('\n', out);
}

int report__render_markdown(FILE *out, const struct profile *p)
{
	struct advice *ads = NULL;
	size_t *order, n, nads = 0;
	int err;

	order = malloc((p->nattrs ? p->nattrs : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	err = advise__profile(p, &ads, &nads);
	if (err)
		goto out_free;
	n = report__rank(p, order);

	put_title(out, p);
	put_advice(out, p, ads, nads);
	put_table(out, p, order, n);
	put_caveats(out, p);
	err = ferror(out) ? -EIO : 0;

	free(ads);
out_free:
	free(order);
	return err;
}
