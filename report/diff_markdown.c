// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A comparison as a pull-request comment in Markdown. */
#include <errno.h>
#include <stdint.h>
#include "diff_render.h"
#include "markup.h"

/* "`owner.name`" as a code span; in a table, with its pipes escaped. */
static void put_attr(FILE *out, const struct diff_entry *e, int in_table)
{
	fputc('`', out);
	markup__md_code(out, e->owner, in_table);
	fputc('.', out);
	markup__md_code(out, e->name, in_table);
	fputc('`', out);
}

/*
 * A markdown bullet: the attribute as code, its kind/op (short words from
 * the probe: only their control characters are replaced), why it breaks a
 * limit.
 */
static void md_reason(FILE *out, const struct diff_entry *e, const char *why, bool unproven)
{
	fputs(unproven ? "- unproven: " : "- ", out);
	put_attr(out, e, false);
	fputs(" (", out);
	markup__text(out, e->kind, SIZE_MAX);
	fputc('/', out);
	markup__text(out, e->op, SIZE_MAX);
	fprintf(out, "): %s\n", why);
}

int diff__render_markdown(FILE *out, const struct diff_result *r)
{
	size_t rows = r->nentries < DIFF_MD_ROWS ? r->nentries : DIFF_MD_ROWS;
	bool few = false;
	char buf[512];

	diff__verdict_str(buf, sizeof(buf), r);
	fprintf(out, "**%s**%s\n%s", r->nregressions ? "FAIL" : "PASS", buf,
		r->nregressions ? "\n" : "");
	diff__put_reasons(out, r, md_reason);
	if (diff__any_latency(r)) {
		diff__method_str(buf, sizeof(buf), r);
		fprintf(out, "\n_%s_\n", buf);
	}
	if (!rows)
		return ferror(out) ? -EIO : 0;
	fprintf(out, "\n| Attribute | Kind/op | Count | Change | p99 | Change | Total | Added "
		     "| Per call | Lock wait |\n"
		     "|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < rows; i++) {
		const struct diff_entry *e = &r->entries[i];
		struct diff_cells c;

		diff__fill_cells(&c, e);
		few |= e->status == DIFF_BOTH && !e->latency_compared;
		fputs("| ", out);
		put_attr(out, e, true);
		fputs(" | `", out);
		markup__md_code(out, e->kind, true);
		fputc('/', out);
		markup__md_code(out, e->op, true);
		fputc('`', out);
		fprintf(out, " | %s | %s | %s | %s | %s | %s | %s | %s |\n", c.cnt, c.cp, c.p99,
			c.p99_pct, c.tot, c.dt, c.total_pct, c.lock_pct);
	}
	if (r->nentries > rows)
		fprintf(out, "\n%zu more change%s not shown: `attrprof diff` lists them all.\n",
			r->nentries - rows, r->nentries - rows == 1 ? "" : "s");
	if (few)
		fprintf(out,
			"\n" DIFF_NOT_COMPARED
			": latency not compared (under %llu timed calls on a "
			"side)\n",
			(unsigned long long)r->limits.min_count);
	return ferror(out) ? -EIO : 0;
}
