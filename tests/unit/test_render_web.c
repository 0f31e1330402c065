// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The markdown and HTML reports: key lines of the markdown, the HTML's
 * structure and escaping, and the HTML in a real headless Chromium (the
 * page's script sorts the table, the charts render, a screenshot is kept
 * at build/tests/report.png).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "advise.h"
#include "fixtures.h"
#include "harness.h"
#include "hist.h"
#include "profile.h"
#include "report.h"

#define CHROMIUM "/usr/bin/chromium"
#define PAGE "build/tests/report.html"
#define SHOT "build/tests/report.png"

static char *render(const struct profile *p, enum report_format fmt)
{
	return render_report(p, fmt, NULL, 0);
}

static struct prof_attr *add(struct profile *p, const char *owner, const char *name,
			     const char *kind, const char *op)
{
	struct prof_attr *a = profile__add_attr(p, owner, name, fixture_kind(kind), fixture_op(op));

	cr_assert_not_null(a);
	return a;
}

/*
 * A Python profile with a clear lock problem and accesses that raise:
 * Catalog.rates spends 3.00s of its 4.19s in lock waits across 4 threads
 * (the heaviest by total), Order.total is the most called, Order.email
 * raises on a quarter of its sets, and one attribute is never called.
 */
static void crafted(struct profile *p)
{
	struct prof_attr *a;

	p->target.pid = 4242;
	p->target.exe = strdup("/usr/bin/python3");
	p->target.runtime = strdup("python");
	p->target.version = strdup("3.11.2");
	p->mode = strdup("timed");
	p->end = strdup("target-exited");
	p->exit_status = 0;
	p->duration_ns = 2000000000;
	p->probe_cost_ns = 416;
	p->dropped.map_full = 3;
	cr_assert_eq(profile__add_coverage(p, "property", "exact", "every get is seen"), 0);
	cr_assert_eq(profile__add_coverage(p, "cached_property", "partial",
					   "misses are exact; hits call nothing"),
		     0);

	a = add(p, "Catalog", "rates", "descriptor", "get");
	timed_at(a, 2000, 1 << 21);
	a->hist[hist__slot(1 << 22)] = 20;
	a->count = a->timed = 2020;
	a->max_ns = 1 << 22;
	a->total_ns += 20 * (1 << 22);
	a->threads = 4;
	a->locks[LOCK_PYTHON].count = 1800;
	a->locks[LOCK_PYTHON].total_ns = 3000000000;
	a->locks[LOCK_PYTHON].hist[hist__slot(1 << 20)] = 1800;
	a->signals.concurrent = 1500;
	a = add(p, "Order", "total", "property", "get");
	timed_at(a, 42000, 2048);
	a->threads = 4;
	a->signals.repeat_reads = 40000;
	a = add(p, "Order", "email", "descriptor", "set");
	timed_at(a, 2000, 4096);
	a->errors = 500;
	a->threads = 1;
	add(p, "Order", "unused", "property", "get");
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *s = hay; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

static size_t lines_of(const char *s)
{
	return count_of(s, "\n");
}

Test(web, markdown_key_lines)
{
	static const char want_title[] = "### attrprof: /usr/bin/python3 (pid 4242, runtime python "
					 "3.11.2), timed for 2.00s\n\n";
	struct profile p = {0};
	struct advice *ads;
	char line[512];
	size_t nads, i;
	char *md;

	crafted(&p);
	md = render(&p, REPORT_MARKDOWN);
	cr_assert(!strncmp(md, want_title, strlen(want_title)), "got:\n%s", md);
	cr_assert_not_null(strstr(md, "| attribute | kind/op | count | p50 | p99 | total | "
				      "lock wait |\n|---|---|--:|--:|--:|--:|--:|\n"),
			   "got:\n%s", md);
	/*
	 * Ranked by total. Catalog.rates: 2000 calls in the slot from 2^21 ns (2.10ms) to
	 * 2.62ms, 20 in the next: the median interpolates halfway, p99 near the slot's end.
	 */
	cr_assert_not_null(strstr(md, "**Top attributes** (3 of 3 called)\n"), "got:\n%s", md);
	cr_assert_not_null(strstr(md,
				  "| Catalog.rates | descriptor/get | 2.02k | 2.36ms | 2.62ms | "
				  "4.28s | 3.00s |\n| Order.total | property/get | 42.0k | "
				  "2.05us | 2.05us | 86.0ms | - |\n"),
			   "got:\n%s", md);
	cr_assert_not_null(strstr(md, "1 more probed but never called.\n"), "got:\n%s", md);
	/* Only what is not exact, with markdown's emphasis character escaped. */
	cr_assert_not_null(strstr(md, "- cached\\_property (partial): misses are exact; hits call "
				      "nothing\n"),
			   "got:\n%s", md);
	cr_assert_null(strstr(md, "every get is seen"), "got:\n%s", md);
	cr_assert_not_null(strstr(md, "**Dropped**\n\n- 3 map_full: a bounded BPF map"), "got:\n%s",
			   md);

	/* The recommendations, in advise__profile's order, each numbered with its action. */
	cr_assert_eq(advise__profile(&p, &ads, &nads), 0);
	cr_assert_gt(nads, 0, "the crafted profile should trigger at least one rule");
	for (i = 0; i < nads && i < 5; i++) {
		snprintf(line, sizeof(line), "\n%zu. **%s** ", i + 1,
			 advise__action_name(ads[i].action));
		cr_assert_not_null(strstr(md, line), "no '%s' in:\n%s", line + 1, md);
	}
	cr_assert_not_null(strstr(md, "**Recommendations**\n\n1. **"), "got:\n%s", md);
	cr_assert_not_null(strstr(md, "Evidence: "), "got:\n%s", md);
	cr_assert_not_null(strstr(md, "How: "), "got:\n%s", md);
	free(ads);
	free(md);
	profile__free(&p);
}

Test(web, markdown_stays_compact)
{
	struct profile p = {0};
	char name[32];
	char *md;

	crafted(&p);
	/* Forty more called attributes, and one whose name would break a table row. */
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "attr%02d", i);
		timed_at(add(&p, "Bulk", name, "slot", "get"), 10 + i, 512);
	}
	timed_at(add(&p, "Pipe", "a|b\nc", "slot", "get"), 5, 256);
	md = render(&p, REPORT_MARKDOWN);
	cr_assert_lt(lines_of(md), 60, "%zu lines:\n%s", lines_of(md), md);
	cr_assert_eq(count_of(md, "\n| "), 11, "a header and 10 rows:\n%s", md);
	cr_assert_not_null(strstr(md, "**Top attributes** (10 of 44 called)\n"), "got:\n%s", md);
	free(md);

	/* Even the row cut from the table is escaped: no raw '|' or newline in a name. */
	profile__free(&p);
	crafted(&p);
	timed_at(add(&p, "Pipe", "a|b\nc", "slot", "get"), 5, 1 << 30);
	md = render(&p, REPORT_MARKDOWN);
	cr_assert_not_null(strstr(md, "| Pipe.a\\|b?c | slot/get | 5 | "), "got:\n%s", md);
	free(md);
	profile__free(&p);
}

Test(web, markdown_empty_profile)
{
	struct profile p = {0};
	char *md;

	p.mode = strdup("count");
	md = render(&p, REPORT_MARKDOWN);
	cr_assert_str_eq(md, "### attrprof: ? (pid 0, runtime ?), counted for 0ns, latency not "
			     "measured\n\n**Recommendations:** none; no rule found enough "
			     "evidence.\n\nNo attributes were probed.\n\n");
	free(md);
	profile__free(&p);
}

/* Every opening tag of these has its closing tag: enough to catch a renderer that forgets one. */
static void assert_balanced(const char *html)
{
	static const char *const tags[] = {"html",  "head",   "body",	"section", "table", "thead",
					   "tbody", "tr",     "svg",	"ol",	   "ul",    "li",
					   "div",   "figure", "dl",	"script",  "style", "h1",
					   "h2",    "h3",     "header", "code",	   "a",	    "p"};
	char open[32], open_sp[32], close[32];

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		snprintf(open, sizeof(open), "<%s>", tags[i]);
		snprintf(open_sp, sizeof(open_sp), "<%s ", tags[i]);
		snprintf(close, sizeof(close), "</%s>", tags[i]);
		cr_assert_eq(count_of(html, open) + count_of(html, open_sp), count_of(html, close),
			     "<%s> opened %zu times, closed %zu times", tags[i],
			     count_of(html, open) + count_of(html, open_sp), count_of(html, close));
	}
}

Test(web, html_structure)
{
	struct profile p = {0};
	char *html;

	crafted(&p);
	html = render(&p, REPORT_HTML);
	cr_assert(!strncmp(html, "<!DOCTYPE html>\n", 16));
	cr_assert_not_null(strstr(html, "</html>\n"));
	assert_balanced(html);
	/* Self-contained: no URL of any scheme, no external script or style sheet. */
	cr_assert_null(strcasestr(html, "http"), "a URL in the page");
	cr_assert_null(strstr(html, " src="), "an external resource in the page");
	cr_assert_null(strstr(html, "<link"), "an external resource in the page");
	cr_assert_not_null(strstr(html, "<section id=\"recommendations\">"));
	cr_assert_not_null(strstr(html, "<table id=\"attributes\">"));
	cr_assert_eq(count_of(html, "<tr data-rank="), 3, "one row per called attribute");
	/* Three timed attributes: three histograms, one bar per non-empty slot. */
	cr_assert_eq(count_of(html, "<svg class=\"histogram\""), 3);
	cr_assert_eq(count_of(html, "<svg class=\"lockwait\""), 3);
	cr_assert_eq(count_of(html, "<rect class=\"bar\""), 4);
	cr_assert_not_null(
		strstr(html, "data-lower=\"2097152\" data-count=\"2000\"><title>2.10ms and up"));
	cr_assert_not_null(strstr(html, "data-kind=\"python\" data-total=\"3000000000\""));
	cr_assert_not_null(strstr(html, "<strong>cached_property</strong> (partial)"));
	free(html);
	profile__free(&p);
}

Test(web, html_escapes_names)
{
	struct profile p = {0};
	char *html;

	crafted(&p);
	free(p.target.exe);
	p.target.exe = strdup("/srv/a&b/\"app\"");
	timed_at(add(&p, "Evil'Co", "<script>alert(1)</script>", "getset", "get"), 9, 100);
	html = render(&p, REPORT_HTML);
	assert_balanced(html);
	cr_assert_null(strstr(html, "<script>alert"));
	cr_assert_eq(count_of(html, "<script>"), 1, "only the page's own script");
	cr_assert_not_null(strstr(html, "Evil&#39;Co.&lt;script&gt;alert(1)&lt;/script&gt;"));
	cr_assert_not_null(strstr(html, "<title>attrprof: /srv/a&amp;b/&quot;app&quot;</title>"));
	free(html);
	profile__free(&p);
}

/* Writes the HTML report of p to path. */
static void write_page(const struct profile *p, const char *path)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "open %s", path);
	cr_assert_eq(report__render(f, p, REPORT_HTML, &(struct report_opts){0}), 0);
	cr_assert_eq(fclose(f), 0);
}

/* The page's DOM after its script ran, loaded from file://abs + fragment. Caller frees. */
static char *dump_dom(const char *abs, const char *fragment)
{
	char dir[] = "/tmp/attrprof-chromium-XXXXXX";
	char *dom;

	cr_assert_not_null(mkdtemp(dir));
	dom = sh("timeout 60 " CHROMIUM " --headless --no-sandbox --disable-gpu "
		 "--disable-background-networking --disable-component-update --disable-sync "
		 "--no-first-run --user-data-dir=%s --dump-dom 'file://%s%s' 2>/dev/null",
		 dir, abs, fragment);
	free(sh("rm -rf %s", dir));
	return dom;
}

/* Offset of the table row whose attribute is name, in dom; fails the test without one. */
static size_t row_at(const char *dom, const char *name)
{
	char needle[128];
	const char *s;

	snprintf(needle, sizeof(needle), "<td class=\"name\" data-v=\"%s\">", name);
	s = strstr(dom, needle);
	cr_assert_not_null(s, "no row %s in the DOM", name);
	return s - dom;
}

Test(web, html_in_chromium, .timeout = 180)
{
	struct profile p = {0};
	char abs[PATH_MAX], line[128], *dom, *svg, *end;
	struct advice *ads;
	unsigned char magic[8];
	struct stat st;
	size_t nads;
	FILE *f;

	if (access(CHROMIUM, X_OK))
		cr_skip_test(CHROMIUM
			     " is not installed (Debian's chromium package; scripts/setup)");
	crafted(&p);
	cr_assert_eq(advise__profile(&p, &ads, &nads), 0);
	cr_assert_gt(nads, 0, "the crafted profile should trigger at least one rule");
	mkdir("build", 0755);
	mkdir("build/tests", 0755);
	write_page(&p, PAGE);
	cr_assert_not_null(realpath(PAGE, abs));

	free(sh("scripts/html-screenshot " PAGE " " SHOT));
	cr_assert_eq(stat(SHOT, &st), 0, SHOT " was not written");
	cr_assert_gt(st.st_size, 0);
	f = fopen(SHOT, "rb");
	cr_assert_not_null(f);
	cr_assert_eq(fread(magic, 1, sizeof(magic), f), sizeof(magic));
	fclose(f);
	cr_assert(!memcmp(magic, "\x89PNG\r\n\x1a\n", 8), SHOT " is not a PNG");

	/* As rendered: ranked by total, the lock-bound Catalog.rates first. */
	dom = dump_dom(abs, "");
	cr_assert_not_null(strstr(dom, "<section id=\"recommendations\">"));
	cr_assert_eq(count_of(dom, "<li class=\"advice\""), nads);
	snprintf(line, sizeof(line), "<li class=\"advice\" data-action=\"%s\"",
		 advise__action_name(ads[0].action));
	cr_assert_not_null(strstr(dom, line), "no %s in the DOM", line);
	cr_assert_eq(count_of(dom, "<tr data-rank="), 3);
	cr_assert_lt(row_at(dom, "Catalog.rates"), row_at(dom, "Order.total"));
	svg = strstr(dom, "<svg class=\"histogram\"");
	cr_assert_not_null(svg, "no svg.histogram in the DOM");
	end = strstr(svg, "</svg>");
	cr_assert_not_null(end);
	cr_assert(strstr(svg, "<rect") && strstr(svg, "<rect") < end, "a histogram with no bars");
	cr_assert_not_null(strstr(dom, "<svg class=\"lockwait\""));
	free(dom);

	/* The fragment sorts on load: the most called, Order.total, comes first. */
	dom = dump_dom(abs, "#sort=count");
	cr_assert_lt(row_at(dom, "Order.total"), row_at(dom, "Catalog.rates"));
	cr_assert_lt(row_at(dom, "Catalog.rates"), row_at(dom, "Order.email"));
	cr_assert_not_null(strstr(dom, "data-key=\"count\" data-type=\"num\" class=\"num\" "
				       "aria-sort=\"descending\""));
	free(dom);

	dom = dump_dom(abs, "#sort=attribute:asc");
	cr_assert_lt(row_at(dom, "Catalog.rates"), row_at(dom, "Order.email"));
	cr_assert_lt(row_at(dom, "Order.email"), row_at(dom, "Order.total"));
	free(dom);
	free(ads);
	profile__free(&p);
}
