// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A comparison as a pull-request comment in Markdown. */
#include <errno.h>
#include "diff_render.h"

/* s inside a code span: a backtick would end it, and in a table a pipe would end the cell. */
static void put_md_code(FILE *out, const char *s, bool in_table)
{
	fputc('`', out);
	for (; *s; s++) {
		if (*s == '`')
			fputc('\'', out);
		else if (*s == '|' && in_table)
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
	fputc('`', out);
}

/* A markdown bullet: the attribute as code, why it breaks a limit. */
static void md_reason(FILE *out, const struct diff_entry *e, const char *why, bool unproven)
{
	char attr[512];

	snprintf(attr, sizeof(attr), "%s.%s", e->owner, e->name);
	fputs(unproven ? "- unproven: " : "- ", out);
	put_md_code(out, attr, false);
	fprintf(out, " (%s/%s): %s\n", e->kind, e->op, why);
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
		char attr[512], kind[64];

		diff__fill_cells(&c, e);
		snprintf(attr, sizeof(attr), "%s.%s", e->owner, e->name);
		snprintf(kind, sizeof(kind), "%s/%s", e->kind, e->op);
		few |= e->status == DIFF_BOTH && !e->latency_compared;
		fputs("| ", out);
		put_md_code(out, attr, true);
		fputs(" | ", out);
		put_md_code(out, kind, true);
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
