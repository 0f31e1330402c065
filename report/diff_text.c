// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The text verdict of a comparison: what a terminal or a CI log shows. */
#include <errno.h>
#include <string.h>
#include "diff_render.h"

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */
/* 21 + 13 + the figures' 58 + 9 separators: 100 columns. */
#define ATTR_COLS 21
#define KIND_COLS 13

/* s cut to cols columns, keeping its end (the attribute name) and marking the cut. */
static void put_cut(FILE *out, const char *s, int cols)
{
	int n = strlen(s);

	if (n <= cols)
		fprintf(out, "%-*s", cols, s);
	else
		fprintf(out, ELLIPSIS "%s", s + n - (cols - 1));
}

static void text_reason(FILE *out, const struct diff_entry *e, const char *why, bool unproven)
{
	fprintf(out, "  %s%s.%s (%s/%s): %s\n", unproven ? "unproven: " : "", e->owner, e->name,
		e->kind, e->op, why);
}

static void text_row(FILE *out, const struct diff_entry *e)
{
	struct diff_cells c;

	char attr[512], kind[64];

	diff__fill_cells(&c, e);
	snprintf(attr, sizeof(attr), "%s.%s", e->owner, e->name);
	snprintf(kind, sizeof(kind), "%s/%s", e->kind, e->op);
	put_cut(out, attr, ATTR_COLS);
	fputc(' ', out);
	put_cut(out, kind, KIND_COLS);
	fprintf(out, " %5s %7s %6s %7s %6s %8s %7s %7s\n", c.cnt, c.cp, c.p99, c.p99_pct, c.tot,
		c.dt, c.total_pct, c.lock_pct);
}

int diff__render_text(FILE *out, const struct diff_result *r)
{
	bool few = false;
	char buf[512];

	diff__verdict_str(buf, sizeof(buf), r);
	fprintf(out, "%s%s\n", r->nregressions ? "FAIL" : "PASS", buf);
	diff__put_reasons(out, r, text_reason);
	if (diff__any_latency(r)) {
		diff__method_str(buf, sizeof(buf), r);
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
			"\n" DIFF_NOT_COMPARED
			": latency not compared (too few samples: under %llu timed "
			"calls on a side)\n",
			(unsigned long long)r->limits.min_count);
	return ferror(out) ? -EIO : 0;
}
