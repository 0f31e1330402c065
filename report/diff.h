/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Comparing two profiles for CI: which attributes got more frequent or
 * slower than the limits allow, which appeared hot, which vanished.
 * Pure logic on struct profile plus two renderers that take a FILE *.
 *
 * The rules:
 * - An attribute is (owner, name, kind, op). --only/--ignore globs match
 *   "owner.name" or the name alone; with several --only globs, any one
 *   selects, with several --ignore globs, any one leaves out.
 * - Count: the increase (new - base) / base is exact and always compared.
 * - Latency: p99 and total time per call, compared only when both sides
 *   have at least min_count timed calls; lock wait per call under the same
 *   condition. Per call, so that a longer recording is no regression.
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
#include "../collector/profile.h"

#define DIFF_SCHEMA "attrprof.diff/1"
#define DIFF_NO_LIMIT (-1.0)
/* Total time from which a new attribute is hot: 1 ms, above timer and probe noise. */
#define DIFF_HOT_NS 1000000ULL
/* --only and --ignore globs each. */
#define DIFF_MAX_GLOBS 16
/* Changes in the markdown table: a PR comment stays short. */
#define DIFF_MD_ROWS 10

/* Percentages (10 means +10%); a negative one means no limit. */
struct diff_limits {
	double count_pct;
	double p99_pct;
	double total_pct; /* total time per call */
	double lock_pct;  /* lock wait per call */
	uint64_t min_count;
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
	uint64_t p99_ns;
	uint64_t total_ns;
	uint64_t lock_ns; /* lock waits over all kinds */
};

struct diff_entry {
	const char *owner, *name, *kind, *op; /* borrowed from the profiles */
	enum diff_status status;
	struct diff_side base, new;
	bool latency_compared; /* both sides had min_count timed calls */
	/* Increases in %, NAN when not compared, INFINITY from zero. */
	double count_pct;
	double p99_pct;
	double total_pct;    /* of total time per call */
	double lock_pct;     /* of lock wait per call */
	unsigned int breaks; /* enum diff_break bits */
};

struct diff_result {
	struct diff_limits limits;  /* as compared (globs borrowed) */
	struct diff_entry *entries; /* by impact: total time added, then calls added */
	size_t nentries;
	size_t nregressions; /* entries with breaks */
	char err[256];	     /* why diff__compare returned -EINVAL */
};

/* Defaults: count 10%, p99 25%, total per call 25%, lock wait per call 25%, min_count 100. */
void diff__default_limits(struct diff_limits *l);

/*
 * Reads thresholds from the JSON object in the file path onto *l; keys the
 * file leaves out keep their value. Keys: max_count_increase,
 * max_p99_increase, max_total_increase, max_lock_wait_increase (a
 * percentage >= 0 or "off"), min_count (a whole number >= 0), only and
 * ignore (a glob or an array of at most DIFF_MAX_GLOBS globs).
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
 * (different runtimes, or one count-only and one timed while a latency or
 * lock limit is set); -ENOMEM. On failure out holds nothing to free.
 */
int diff__compare(const struct profile *base, const struct profile *new,
		  const struct diff_limits *l, struct diff_result *out);

/* Frees what out owns and zeroes it. NULL-safe. */
void diff__free(struct diff_result *r);

/*
 * The verdict first ("PASS: ..." or "FAIL: N regressions", N regressed
 * attributes, and one line per broken limit), then the changes by impact
 * within 100 columns.
 * Returns 0 or -EIO.
 */
int diff__render_text(FILE *out, const struct diff_result *r);

/* The result as JSON, schema DIFF_SCHEMA. Returns 0, -ENOMEM or -EIO. */
int diff__render_json(FILE *out, const struct diff_result *r);

/*
 * A pull-request comment in Markdown: "**PASS**" or "**FAIL**" with the
 * reasons as a list, then a table of the DIFF_MD_ROWS changes with most
 * impact. Returns 0 or -EIO.
 */
int diff__render_markdown(FILE *out, const struct diff_result *r);

/*
 * JUnit XML: one testsuite "attrprof diff", one testcase per attribute
 * compared, new or vanished (classname the owner, name "NAME KIND/OP"),
 * with a failure element for each regression. Returns 0 or -EIO.
 */
int diff__render_junit(FILE *out, const struct diff_result *r);

#endif /* ATTRPROF_DIFF_H */
