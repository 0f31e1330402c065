/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * For the renderers of a comparison only (diff_text.c, diff_json.c,
 * diff_markdown.c, diff_junit.c): the words and figures they all print, so
 * that a reason reads the same in every format.
 */
#ifndef ATTRPROF_DIFF_RENDER_H
#define ATTRPROF_DIFF_RENDER_H

#include <stdbool.h>
#include <stdio.h>
#include "diff.h"
#include "units.h"

/* A latency figure of an attribute whose latency was not compared. */
#define DIFF_NOT_COMPARED "n/c"

/* Each limit's bit and its name in JSON ("count", "p99", ...), in the order reasons are listed. */
struct diff_break_key {
	enum diff_break bit;
	const char *key;
};

#define DIFF_NBREAKS 5
extern const struct diff_break_key diff__break_keys[DIFF_NBREAKS];

/* An increase in at most 7 columns: "+10.0%", "-3.5%", "+12.3k%", "-" for NAN. Returns buf. */
char *diff__pct_str(char *buf, size_t len, double v);

/* One limit of e in words, into buf: "count +25.0% (1.00k -> 1.25k) > 10%". */
void diff__reason(const struct diff_result *r, const struct diff_entry *e, enum diff_break bit,
		  char *buf, size_t len);

/* How latency was judged, two or three lines ("\n  " between them), into buf. */
void diff__method_str(char *buf, size_t len, const struct diff_result *r);

/* What follows "PASS" or "FAIL": ": 1 regression", and whether latency was advisory. */
void diff__verdict_str(char *buf, size_t len, const struct diff_result *r);

/* Whether any latency was compared, so that the method is worth printing. */
bool diff__any_latency(const struct diff_result *r);

/* A table row's figures, formatted; the name columns are each renderer's to write. */
struct diff_cells {
	char cnt[UNITS_BUF], cp[16], p99[UNITS_BUF], pp[16], tot[UNITS_BUF];
	char dt[UNITS_BUF + 1], tp[16], lp[16];
	const char *p99_pct, *total_pct, *lock_pct; /* into the buffers, or DIFF_NOT_COMPARED */
};

void diff__fill_cells(struct diff_cells *c, const struct diff_entry *e);

/* One line of a renderer's list of reasons: the entry, why, and whether that is unproven. */
typedef void diff_reason_line(FILE *out, const struct diff_entry *e, const char *why,
			      bool unproven);

/*
 * Every limit an entry breaks, then every limit it may break but not
 * significantly (unproven), one line each in the renderer's style.
 */
void diff__put_reasons(FILE *out, const struct diff_result *r, diff_reason_line *line);

#endif /* ATTRPROF_DIFF_RENDER_H */
