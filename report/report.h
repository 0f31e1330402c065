/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reports: a profile rendered for people (text, a markdown summary for a
 * pull-request comment, a self-contained HTML page) or programs (JSON).
 * Every renderer takes a FILE * and ranks attributes through report__rank,
 * so all formats list them in the same order.
 */
#ifndef ATTRPROF_REPORT_H
#define ATTRPROF_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "profile.h"

#define REPORT_SCHEMA "attrprof.report/1"

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_MARKDOWN,
	REPORT_HTML,
};

/* How to render. */
struct report_opts {
	bool color; /* text: ANSI escapes (the caller decides, e.g. from isatty) */
	size_t top; /* text: at most this many attribute rows; 0 for all */
};

#define REPORT_TOP_DEFAULT 20

/*
 * Parses "text", "json", "markdown" or "html" into *out. Returns 0, or -EINVAL for anything
 * else (or NULL).
 */
int report__parse_format(const char *s, enum report_format *out);

/*
 * Writes p to out in fmt, as o says, and flushes out. Returns 0, -EIO when writing to out
 * failed, -ENOMEM, -EINVAL for an unknown fmt or (JSON) a string in p
 * that is not UTF-8, or (JSON) -ERANGE for a figure above INT64_MAX, refused
 * rather than clamped (report/json_out.h). out may hold a partial report
 * after a failure.
 */
int report__render(FILE *out, const struct profile *p, enum report_format fmt,
		   const struct report_opts *o);

/*
 * Fills order[] (room for p->nattrs) with every attribute index, heaviest
 * first: total time (profile__time_ns) descending, then count descending, then owner, name,
 * kind and op ascending, then index, so the order is total and deterministic.
 * A count-only profile skips totals and ranks by count. Returns p->nattrs.
 */
size_t report__rank(const struct profile *p, size_t *order);

/* True when p recorded entries only (mode "count"): no latency at all. */
bool report__count_only(const struct profile *p);

/* True when a has latencies to report: a timed profile and calls of a that were timed. */
bool report__latency_measured(const struct profile *p, const struct prof_attr *a);

/*
 * The smallest latency of a's calls that stands apart from the probes' own
 * noise, in ns: the calibrated resolution of its probe class, plus the
 * estimated cost of each probe hit nested in a call, on average (each one's
 * cost in the target is known no better than that).
 */
uint64_t report__resolution_ns(const struct profile *p, const struct prof_attr *a);

/*
 * True when a's latencies stand above the probes' own noise: measured, and a
 * typical call (p50) at least report__resolution_ns. Below it, figures are
 * shown marked, and no rule or gate judges them.
 */
bool report__latency_resolved(const struct profile *p, const struct prof_attr *a);

/* True when a's total time is an estimate from a sample of its calls (profile__sampled). */
bool report__time_sampled(const struct profile *p, const struct prof_attr *a);

/*
 * Stores a's calls per second of recording in *per_s. Returns false (and
 * leaves *per_s alone) when p has no duration to divide by.
 */
bool report__calls_per_s(const struct profile *p, const struct prof_attr *a, double *per_s);

/* One drop counter: its name in reports, what it means for the numbers, its value. */
struct report_drop {
	const char *name;
	const char *why;
	uint64_t count;
};

#define REPORT_DROPS 9

/* Fills out[] with p's drop counters, always in the same order (the JSON key order). */
void report__drops(const struct profile *p, struct report_drop out[REPORT_DROPS]);

/*
 * The renderers report__render dispatches to; same return convention, but no flush.
 * Markdown and HTML also run the recommendation rules (report/advise.h).
 */
int report__render_text(FILE *out, const struct profile *p, const struct report_opts *o);
int report__render_json(FILE *out, const struct profile *p);
int report__render_markdown(FILE *out, const struct profile *p);
int report__render_html(FILE *out, const struct profile *p);

#endif /* ATTRPROF_REPORT_H */
