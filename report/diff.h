/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Comparing two profiles for CI: which attributes got more frequent or
 * slower than the limits allow, which appeared hot, which vanished.
 * Pure logic on struct profile (diff.c), its limits from a file
 * (diff_config.c), and one renderer a format (diff_text.c, diff_json.c,
 * diff_markdown.c, diff_junit.c), each taking a FILE *.
 *
 * The rules:
 * - An attribute is (owner, name, kind, op). --only/--ignore globs match
 *   "owner.name" or the name alone; with several --only globs, any one
 *   selects, with several --ignore globs, any one leaves out.
 * - Count: calls per run (a profile of several runs holds their sum); the
 *   increase is exact and always compared.
 * - Latency: p99, time per call and lock wait per call, compared only when
 *   both sides have at least min_count timed calls. Per call, so that a
 *   longer recording is no regression. A latency limit breaks when the
 *   estimated increase is above it AND so is the lower bound of its
 *   interval at the limits' confidence (report/stats.h), on an attribute
 *   with DIFF_HOT_NS of time per run in the base; an estimate above the
 *   limit whose interval is not is "unproven".
 *   Profiles of several runs each compare the per-run values as two
 *   samples (Hodges-Lehmann, exact Mann-Whitney); otherwise the
 *   histograms are compared (order-statistic interval for p99, normal
 *   interval from the histogram variance for the means). That interval
 *   measures sampling noise only, not how the machine moves from one run
 *   to the next, so a histogram comparison is advisory: it never breaks a
 *   latency limit, and an estimate above one is unproven, unless the
 *   limits trust single runs (trust_single_run).
 * - A new attribute is a regression ("new hot attribute") when it has at
 *   least min_count calls and, in a timed profile, at least DIFF_HOT_NS of
 *   total time. A vanished attribute is listed, never a regression.
 * - A limit of exactly L% passes at +L% and fails above it.
 */
#ifndef ATTRPROF_DIFF_H
#define ATTRPROF_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "profile.h"

/*
 * Version 2: count_pct is per run; latency carries its interval and confidence.
 * Version 3: latency from the histograms is advisory (never significant, never a break)
 * unless limits.trust_single_run; runs.to_settle says how many runs would judge it.
 */
#define DIFF_SCHEMA "attrprof.diff/3"
#define DIFF_NO_LIMIT (-1.0)
/*
 * Total time (per run) from which an attribute is hot: 1 ms, above timer and
 * probe noise. A new attribute must be hot to be a regression, and so must
 * an attribute to break a latency limit.
 */
#define DIFF_HOT_NS 1000000ULL
/* --only and --ignore globs each. */
#define DIFF_MAX_GLOBS 16
/* Changes in the markdown table: a PR comment stays short. */
#define DIFF_MD_ROWS 10
/* Range of the confidence the limits may ask for, in %. */
#define DIFF_MIN_CONFIDENCE 50.0
#define DIFF_MAX_CONFIDENCE 99.9
/* Lock wait per call below this (ns) counts as this in the per-run logarithms. */
#define DIFF_LOCK_FLOOR_NS 1e-3
/*
 * A p99 or time per call under this many probe costs (the base profile's
 * probe_cost_ns) cannot break a limit: the probes' own cost and its jitter
 * are of that size, and any change in what runs around the access (cache
 * state, interrupts) moves it by as much.
 */
#define DIFF_MIN_PROBE_COSTS 4

/* Percentages (10 means +10%); a negative one means no limit. */
struct diff_limits {
	double count_pct;
	double p99_pct;
	double total_pct; /* total time per call */
	double lock_pct;  /* lock wait per call */
	uint64_t min_count;
	double confidence;     /* % a latency increase needs to break a limit */
	bool trust_single_run; /* the histograms' sampling interval may break latency limits */
	const char *only[DIFF_MAX_GLOBS]; /* borrowed; none: every attribute */
	size_t nonly;
	const char *ignore[DIFF_MAX_GLOBS]; /* borrowed; none: leave out none */
	size_t nignore;
};

/* Limits an attribute broke (bits of diff_entry.breaks). */
enum diff_break {
	DIFF_BREAK_COUNT = 1 << 0,
	DIFF_BREAK_P99 = 1 << 1,
	DIFF_BREAK_TOTAL = 1 << 2,
	DIFF_BREAK_LOCK = 1 << 3,
	DIFF_BREAK_NEW_HOT = 1 << 4,
};

enum diff_status {
	DIFF_BOTH,
	DIFF_NEW,
	DIFF_VANISHED,
};

/* One attribute on one side; all zero on the side where it is absent. */
struct diff_side {
	uint64_t count;
	uint64_t timed;
	uint64_t p50_ns;   /* several runs: the median of the runs' own p50s */
	uint64_t p99_ns;   /* several runs: the median of the runs' own p99s */
	uint64_t total_ns; /* the time of all calls, estimated from the timed ones if sampled */
	double mean_ns;	   /* the timed calls' mean */
	uint64_t lock_ns;  /* lock waits over all kinds, every call's */
};

/* How latency was compared. */
enum diff_method {
	DIFF_METHOD_NONE,
	DIFF_METHOD_RUNS, /* per-run values of several runs a side, as two samples */
	DIFF_METHOD_HIST, /* the histograms: one run a side, or too few runs with calls */
};

/* One latency statistic compared: increases in %, NAN when not compared. */
struct diff_stat {
	double pct;		  /* the estimate; INFINITY from zero */
	double low_pct, high_pct; /* its interval; may be -100 or INFINITY (unbounded) */
	double confidence;	  /* achieved coverage of the interval, % */
	bool significant;	  /* low_pct > 0 at the limits' confidence; never when advisory */
};

struct diff_entry {
	const char *owner, *name, *kind, *op; /* borrowed from the profiles and their tables */
	enum diff_status status;
	struct diff_side base, new;
	bool latency_compared; /* both sides had min_count timed calls */
	bool hot;	       /* DIFF_HOT_NS of time per run in the base: latency can break */
	enum diff_method method;
	/* The histograms compared, untrusted: latency is listed (unproven), never breaks. */
	bool advisory;
	unsigned int base_samples, new_samples; /* runs (or calls) each side compared */
	/* Increases in %, NAN when not compared, INFINITY from zero. */
	double count_pct; /* of calls per run */
	double p99_pct;	  /* the estimates of p99, total and lock below */
	double total_pct; /* of total time per call */
	double lock_pct;  /* of lock wait per call */
	struct diff_stat p99, total, lock;
	unsigned int breaks;   /* enum diff_break bits */
	unsigned int unproven; /* enum diff_break bits: estimate above the limit, not significant */
};

struct diff_result {
	struct diff_limits limits;  /* as compared (globs borrowed) */
	size_t base_runs, new_runs; /* runs in each profile */
	unsigned int settle_runs;   /* runs a side that would judge an advisory latency */
	struct diff_entry *entries; /* by impact: total time added, then calls added */
	size_t nentries;
	size_t nregressions; /* entries with breaks */
	char err[256];	     /* why diff__compare returned -EINVAL */
};

/*
 * Defaults: count 10%, p99 25%, total per call 25%, lock wait per call 25%,
 * min_count 100, confidence 95%.
 */
void diff__default_limits(struct diff_limits *l);

/*
 * Whether profiles of base_runs and new_runs runs can reach confidence (%)
 * when both have several: two samples of m and n runs cannot give an
 * interval above 1 - 2 / C(m+n, m). Returns 0, or -EINVAL with why in err
 * and the runs needed.
 */
int diff__check_runs(size_t base_runs, size_t new_runs, double confidence, char *err, size_t len);

/*
 * Reads thresholds from the JSON object in the file path onto *l; keys the
 * file leaves out keep their value. Keys: max_count_increase,
 * max_p99_increase, max_total_increase, max_lock_wait_increase (a
 * percentage >= 0 or "off"), min_count (a whole number >= 0), confidence
 * (DIFF_MIN_CONFIDENCE to DIFF_MAX_CONFIDENCE), trust_single_run (a
 * boolean), only and ignore (a glob or an array of at most DIFF_MAX_GLOBS
 * globs).
 * The globs borrow from *doc (NULL on failure): json_decref it after the
 * last use of *l. Returns 0; -EINVAL with err set, "FILE:LINE:COL: why" for
 * malformed JSON or "FILE: key 'KEY': why" for an unknown or bad key (*l
 * may then be half-applied); -ENOMEM.
 */
int diff__read_config(const char *path, struct diff_limits *l, json_t **doc, char *err, size_t len);

/*
 * Compares new against base into *out (zeroed first; free with diff__free).
 * out borrows strings from both profiles: keep them until diff__free.
 * Returns 0; -EINVAL with out->err set when the profiles cannot be compared
 * (different runtimes, one count-only and one timed while a latency or
 * lock limit is set, or too few runs for the confidence); -ENOMEM. On failure out holds nothing to
 * free.
 */
int diff__compare(const struct profile *base, const struct profile *new,
		  const struct diff_limits *l, struct diff_result *out);

/* Frees what out owns and zeroes it. NULL-safe. */
void diff__free(struct diff_result *r);

enum diff_format {
	DIFF_TEXT,
	DIFF_JSON,
	DIFF_MARKDOWN,
	DIFF_JUNIT,
};

/* Parses "text", "json", "markdown" or "junit" into *out. Returns 0, or -EINVAL (or NULL). */
int diff__parse_format(const char *s, enum diff_format *out);

/*
 * Writes r to out in fmt, without flushing: the renderer below for it.
 * Returns as it does, or -EINVAL for an unknown fmt.
 */
int diff__render(FILE *out, const struct diff_result *r, enum diff_format fmt);

/*
 * The verdict first ("PASS: ..." or "FAIL: N regressions", N regressed
 * attributes, with "; latency is advisory ..." when an advisory comparison
 * could not break, and one line per broken limit, then per unproven one),
 * the method, then the changes by impact within 100 columns.
 * Returns 0 or -EIO.
 */
int diff__render_text(FILE *out, const struct diff_result *r);

/*
 * The result as JSON, schema DIFF_SCHEMA. Returns 0, -ENOMEM, -EIO, -EINVAL
 * for a name that is not UTF-8, or -ERANGE for a figure above INT64_MAX
 * (refused, not clamped: report/json_out.h).
 */
int diff__render_json(FILE *out, const struct diff_result *r);

/*
 * A pull-request comment in Markdown: "**PASS**" or "**FAIL**" and the rest
 * of the text verdict line, the reasons as a list, then a table of the
 * DIFF_MD_ROWS changes with most impact. Returns 0 or -EIO.
 */
int diff__render_markdown(FILE *out, const struct diff_result *r);

/*
 * JUnit XML: one testsuite "attrprof diff", one testcase per attribute
 * compared, new or vanished (classname the owner, name "NAME KIND/OP"),
 * with a failure element for each regression and the unproven limits in its
 * system-out; the suite's system-out holds the text verdict line and method
 * when latency was compared. Returns 0 or -EIO.
 */
int diff__render_junit(FILE *out, const struct diff_result *r);

#endif /* ATTRPROF_DIFF_H */
