// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A comparison as JUnit XML, one test case per attribute, for CI test views. */
#include <errno.h>
#include <string.h>
#include "diff_render.h"
#include "markup.h"

/* Each limit of bits in words, escaped, "; " between them, each after prefix. */
static void junit_reasons(FILE *out, const struct diff_result *r, const struct diff_entry *e,
			  unsigned int bits, const char *prefix)
{
	bool first = true;
	char buf[512];

	for (size_t k = 0; k < DIFF_NBREAKS; k++) {
		if (!(bits & diff__break_keys[k].bit))
			continue;
		diff__reason(r, e, diff__break_keys[k].bit, buf, sizeof(buf));
		fputs(first ? "" : "; ", out);
		fputs(prefix, out);
		markup__escape(out, buf);
		first = false;
	}
}

static void junit_case(FILE *out, const struct diff_result *r, const struct diff_entry *e)
{
	fputs("  <testcase classname=\"", out);
	markup__escape(out, e->owner);
	fputs("\" name=\"", out);
	markup__escape(out, e->name);
	fputc(' ', out);
	markup__escape(out, e->kind);
	fputc('/', out);
	markup__escape(out, e->op);
	if (!e->breaks && !e->unproven && e->status != DIFF_VANISHED) {
		fputs("\"/>\n", out);
		return;
	}
	fputs("\">\n", out);
	if (e->status == DIFF_VANISHED)
		fprintf(out,
			"    <system-out>vanished: %llu calls in the base profile, none in the "
			"new one</system-out>\n",
			(unsigned long long)e->base.count);
	/* The message holds every reason: CI summaries often show only the message. */
	if (e->breaks) {
		fputs("    <failure message=\"", out);
		junit_reasons(out, r, e, e->breaks, "");
		fputs("\" type=\"regression\"/>\n", out);
	}
	/* Listed where CI shows a passing case's output, and no failure. */
	if (e->unproven) {
		fputs("    <system-out>", out);
		junit_reasons(out, r, e, e->unproven, "unproven: ");
		fputs("</system-out>\n", out);
	}
	fputs("  </testcase>\n", out);
}

/* s escaped as XML text, its newlines written as they are: a text node may hold them. */
static void junit_text(FILE *out, const char *s)
{
	char line[512];

	for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
		snprintf(line, sizeof(line), "%.*s", (int)(nl - s), s);
		markup__escape(out, line);
		fputc('\n', out);
	}
	markup__escape(out, s);
}

int diff__render_junit(FILE *out, const struct diff_result *r)
{
	char verdict[512], method[512];

	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuite name=\"attrprof diff\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		"skipped=\"0\">\n",
		r->nentries, r->nregressions);
	for (size_t i = 0; i < r->nentries; i++)
		junit_case(out, r, &r->entries[i]);
	/* The suite's output: the verdict line and how latency was judged, as the text says. */
	if (diff__any_latency(r)) {
		diff__verdict_str(verdict, sizeof(verdict), r);
		diff__method_str(method, sizeof(method), r);
		fprintf(out, "  <system-out>%s", r->nregressions ? "FAIL" : "PASS");
		markup__escape(out, verdict);
		fputc('\n', out);
		junit_text(out, method);
		fputs("</system-out>\n", out);
	}
	fputs("</testsuite>\n", out);
	return ferror(out) ? -EIO : 0;
}
