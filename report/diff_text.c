// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The text verdict of a comparison: what a terminal or a CI log shows. Names
 * go through markup.h, as in the text report: no control byte of a name
 * reaches the terminal, and a cut never splits a character.
 */
#include <errno.h>
#include <stdint.h>
#include "diff_render.h"
#include "markup.h"

/* 21 + 13 + the figures' 58 + 9 separators: 100 columns. */
#define ATTR_COLS 21
#define KIND_COLS 13

/* Writes "a" sep "b" (an owner.name, a kind/op) in all its columns, for a terminal. */
static void put_pair(FILE *out, const char *a, char sep, const char *b)
{
	markup__text(out, a, SIZE_MAX);
	fputc(sep, out);
	markup__text(out, b, SIZE_MAX);
}

/*
 * Writes "a" sep "b" in exactly width columns: padded, or cut keeping its
 * end (the attribute's name) behind an ellipsis.
 */
static void put_pair_cut(FILE *out, const char *a, char sep, const char *b, size_t width)
{
	size_t na = markup__cols(a), nb = markup__cols(b), room;

	if (na + 1 + nb <= width) {
		put_pair(out, a, sep, b);
		markup__pad(out, width - (na + 1 + nb));
		return;
	}
	fputs(MARKUP_ELLIPSIS, out);
	if (nb >= width - 1) {
		markup__text(out, markup__skip_cols(b, nb - (width - 1)), width - 1);
		return;
	}
	/* What is left after the ellipsis and b: the end of a, then sep. */
	room = width - 1 - nb - 1;
	markup__text(out, markup__skip_cols(a, na - room), room);
	fputc(sep, out);
	markup__text(out, b, nb);
}

static void text_reason(FILE *out, const struct diff_entry *e, const char *why, bool unproven)
{
	fprintf(out, "  %s", unproven ? "unproven: " : "");
	put_pair(out, e->owner, '.', e->name);
	fputs(" (", out);
	put_pair(out, e->kind, '/', e->op);
	fprintf(out, "): %s\n", why);
}

static void text_row(FILE *out, const struct diff_entry *e)
{
	struct diff_cells c;

	diff__fill_cells(&c, e);
	put_pair_cut(out, e->owner, '.', e->name, ATTR_COLS);
	fputc(' ', out);
	put_pair_cut(out, e->kind, '/', e->op, KIND_COLS);
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
