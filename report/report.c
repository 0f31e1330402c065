// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Report plumbing shared by the renderers: format names, ranking, derived figures. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "report.h"

#define STR_(x) #x
#define STR(x) STR_(x)

int report__parse_format(const char *s, enum report_format *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "text"))
		*out = REPORT_TEXT;
	else if (!strcmp(s, "json"))
		*out = REPORT_JSON;
	else if (!strcmp(s, "markdown"))
		*out = REPORT_MARKDOWN;
	else if (!strcmp(s, "html"))
		*out = REPORT_HTML;
	else
		return -EINVAL;
	return 0;
}

int report__render(FILE *out, const struct profile *p, enum report_format fmt,
		   const struct report_opts *o)
{
	int err;

	switch (fmt) {
	case REPORT_TEXT:
		err = report__render_text(out, p, o);
		break;
	case REPORT_JSON:
		err = report__render_json(out, p);
		break;
	case REPORT_MARKDOWN:
		err = report__render_markdown(out, p);
		break;
	case REPORT_HTML:
		err = report__render_html(out, p);
		break;
	default:
		return -EINVAL;
	}
	/* A full disk or closed pipe shows only when the buffer goes out. */
	if (!err && fflush(out))
		err = -EIO;
	return err;
}

bool report__count_only(const struct profile *p)
{
	return p->mode && !strcmp(p->mode, "count");
}

bool report__latency_measured(const struct profile *p, const struct prof_attr *a)
{
	return !report__count_only(p) && a->timed;
}

uint64_t report__resolution_ns(const struct profile *p, const struct prof_attr *a)
{
	const struct prof_calibration *c = &p->calibration;
	int class = a->probe && !strcmp(a->probe, "single-step");
	double nested = a->timed ? (double)a->nested_hits / (double)a->timed : 0;

	/* A nested hit's cost in the target is known no better than to its whole estimate. */
	return (uint64_t)((double)c->resolution_ns[class] + nested * (double)c->entry_ns[0]);
}

bool report__latency_resolved(const struct profile *p, const struct prof_attr *a)
{
	return report__latency_measured(p, a) &&
	       hist__percentile(a->hist, 50, a->max_ns) >= report__resolution_ns(p, a);
}

bool report__time_sampled(const struct profile *p, const struct prof_attr *a)
{
	return profile__sampled(p, a);
}

bool report__calls_per_s(const struct profile *p, const struct prof_attr *a, double *per_s)
{
	if (!p->duration_ns)
		return false;
	*per_s = (double)a->count * 1e9 / (double)p->duration_ns;
	return true;
}

void report__drops(const struct profile *p, struct report_drop out[REPORT_DROPS])
{
	const struct prof_dropped *d = &p->dropped;
	const struct report_drop drops[REPORT_DROPS] = {
		{"map_full", "a bounded BPF map was full: events were lost", d->map_full},
		{"stack_depth",
		 "accesses nested deeper than " STR(MAX_STACK_DEPTH) " were counted but not timed",
		 d->stack_depth},
		{"read_errors", "reading target memory failed", d->read_errors},
		{"unmatched_returns", "returns without a matching entry, e.g. after longjmp",
		 d->unmatched_returns},
		{"attrs_over_limit", "matched functions left unprobed by --max-attrs",
		 d->attrs_over_limit},
		{"unprobeable", "matched functions whose first instruction uprobes refuse",
		 d->unprobeable},
		{"accesses_over_limit",
		 "Python accesses of attributes beyond --max-attrs, counted nowhere",
		 d->accesses_over_limit},
		{"allocs_over_limit", "instances of classes beyond --max-classes, counted nowhere",
		 d->allocs_over_limit},
		{"lock_waits_over_limit",
		 "blocked lock waits beyond --max-lock-entries, timed nowhere",
		 d->lock_waits_over_limit},
	};

	memcpy(out, drops, sizeof(drops));
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

/* strcmp that orders a missing string first rather than crashing on it. */
static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

static int cmp_rank(const void *l, const void *r, void *ctx)
{
	const struct profile *p = ctx;
	size_t i = *(const size_t *)l, j = *(const size_t *)r;
	const struct prof_attr *a = &p->attrs[i], *b = &p->attrs[j];
	int c = 0;

	/* Totals of a count-only profile carry no information: skip them even if set. */
	if (!report__count_only(p))
		c = cmp_u64_desc(profile__time_ns(p, a), profile__time_ns(p, b));
	/* The index last makes the order total: qsort is not stable. */
	return c ?: cmp_u64_desc(a->count, b->count) ?: cmp_str(a->owner, b->owner) ?:
	       cmp_str(a->name, b->name) ?: cmp_str(profile__kind_name(a->kind), profile__kind_name(b->kind)) ?:
	       cmp_str(profile__op_name(a->op), profile__op_name(b->op)) ?: (i > j) - (i < j);
}

size_t report__rank(const struct profile *p, size_t *order)
{
	size_t i;

	for (i = 0; i < p->nattrs; i++)
		order[i] = i;
	if (p->nattrs > 1)
		qsort_r(order, p->nattrs, sizeof(*order), cmp_rank, (void *)p);
	return p->nattrs;
}
