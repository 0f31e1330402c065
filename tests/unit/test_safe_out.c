// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hostile names through every format of report and diff: escape sequences,
 * BEL, CR, other C0 bytes, DEL, C1, invalid UTF-8 and long multibyte names
 * must reach no output raw, markup must be escaped, JSON must keep the exact
 * string, and no cut may split a character (report/markup.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include "diff.h"
#include "fixtures.h"
#include "profile.h"
#include "report.h"

/* Owner and name pairs, all valid UTF-8 (JSON can carry them). */
static const char *const hostile[][2] = {
	{"Evil\x1b[31mRed", "get\x1b]0;pwned\x07"},
	{"bell\x07owner", "cr\rname"},
	{"c0\x01\x02\x1f\x0b", "del\x7fname"},
	{"c1\xc2\x9b"
	 "31m",
	 "tab\there"},
	{"x<y>&\"'", "a|b`c*_d"},
	{"Ünïcødé…Ünïcødé…Ünïcødé…Ünïcødé…", "属性の名前がとても長い属性の名前"},
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* Not UTF-8: a lone continuation byte, a truncated sequence, 0xff. */
static const char *const invalid[2] = {"bad\x80\xff", "cut\xe2\x80"};

static void init(struct profile *p)
{
	memset(p, 0, sizeof(*p));
	p->target.pid = 7;
	p->target.exe = strdup("/opt/\x1b[2Jevil/Ünï\x07");
	p->target.runtime = strdup("c");
	p->mode = strdup("timed");
	p->end = strdup("target-exited");
	p->duration_ns = 1000000000;
	p->probe_cost_ns = 10;
}

/* Every hostile attribute, calls times 1000 calls at 2 us; and the invalid one when asked. */
static void fill(struct profile *p, uint64_t calls, bool with_invalid)
{
	init(p);
	for (size_t i = 0; i < NHOSTILE; i++) {
		struct prof_attr *a =
			profile__add_attr(p, hostile[i][0], hostile[i][1], KIND_FUNCTION, OP_CALL);

		cr_assert_not_null(a);
		timed_at(a, calls * 1000, 2048);
		a->threads = 1;
	}
	if (with_invalid) {
		struct prof_attr *a =
			profile__add_attr(p, invalid[0], invalid[1], KIND_FUNCTION, OP_CALL);

		cr_assert_not_null(a);
		timed_at(a, calls * 1000, 2048);
	}
}

/* Whether s is valid UTF-8 throughout (so no cut split a character). */
static bool valid_utf8(const char *s)
{
	const unsigned char *c = (const unsigned char *)s;

	while (*c) {
		size_t n = *c < 0x80		      ? 1
			   : *c >= 0xc2 && *c <= 0xdf ? 2
			   : *c >= 0xe0 && *c <= 0xef ? 3
			   : *c >= 0xf0 && *c <= 0xf4 ? 4
						      : 0;

		if (!n)
			return false;
		for (size_t i = 1; i < n; i++)
			if ((c[i] & 0xc0) != 0x80)
				return false;
		c += n;
	}
	return true;
}

/* No control byte but newline (and tab, where the format has some of its own), no DEL, no C1. */
static void assert_clean(const char *what, const char *s, bool tabs)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		cr_assert(*c >= 0x20 || *c == '\n' || (tabs && *c == '\t'),
			  "%s: byte 0x%02x at %zu", what, *c,
			  (size_t)(c - (const unsigned char *)s));
		cr_assert_neq(*c, 0x7f, "%s: DEL at %zu", what,
			      (size_t)(c - (const unsigned char *)s));
		cr_assert(!(c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f), "%s: C1 at %zu", what,
			  (size_t)(c - (const unsigned char *)s));
	}
	cr_assert(valid_utf8(s), "%s: not UTF-8 (a cut split a character?)", what);
}

/* No line wider than cols columns (code points). */
static void assert_fits(const char *what, const char *s, size_t cols)
{
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '\n') {
			n = 0;
			continue;
		}
		n += (*c & 0xc0) != 0x80;
		cr_assert_leq(n, cols, "%s: a line wider than %zu columns", what, cols);
	}
}

static void compare(struct profile *b, struct profile *n, struct diff_result *r, bool invalid)
{
	struct diff_limits l;

	fill(b, 1, invalid);
	fill(n, 2, invalid); /* twice the calls: every attribute breaks the count limit */
	diff__default_limits(&l);
	cr_assert_eq(diff__compare(b, n, &l, r), 0, "%s", r->err);
	cr_assert_gt(r->nregressions, 0);
}

Test(safe_out, report_text_markdown_html)
{
	static const struct {
		enum report_format fmt;
		const char *name;
		bool tabs;
	} fmts[] = {
		{REPORT_TEXT, "report text", false},
		{REPORT_MARKDOWN, "report markdown", false},
		{REPORT_HTML, "report html", true},
	};
	struct profile p;

	fill(&p, 1, true);
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *s = render_report(&p, fmts[i].fmt, &(struct report_opts){.top = 0}, 0);

		assert_clean(fmts[i].name, s, fmts[i].tabs);
		if (fmts[i].fmt == REPORT_TEXT)
			assert_fits(fmts[i].name, s, 100);
		if (fmts[i].fmt == REPORT_HTML)
			cr_assert(strstr(s, "x&lt;y&gt;&amp;&quot;&#39;"),
				  "html: owner not escaped");
		if (fmts[i].fmt == REPORT_MARKDOWN)
			cr_assert(strstr(s, "x\\<y\\>\\&\"'"), "markdown: owner not escaped");
		free(s);
	}
	profile__free(&p);
}

Test(safe_out, diff_text_markdown_junit)
{
	static const struct {
		enum diff_format fmt;
		const char *name;
	} fmts[] = {
		{DIFF_TEXT, "diff text"},
		{DIFF_MARKDOWN, "diff markdown"},
		{DIFF_JUNIT, "diff junit"},
	};
	struct profile b, n;
	struct diff_result r;

	compare(&b, &n, &r, true);
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *s = render_diff(&r, fmts[i].fmt, 0);

		assert_clean(fmts[i].name, s, false);
		if (fmts[i].fmt == DIFF_TEXT) {
			assert_fits(fmts[i].name, strstr(s, "\nATTRIBUTE"), 100);
			/* The reasons name the attribute whole, its control bytes shown as '?'. */
			cr_assert(strstr(s, "Evil?[31mRed.get?]0;pwned?"), "%s", s);
			cr_assert(strstr(s, "bad??.cut?? (function/call)"), "%s", s);
		}
		if (fmts[i].fmt == DIFF_JUNIT)
			cr_assert(strstr(s, "classname=\"x&lt;y&gt;&amp;&quot;&#39;\""), "%s", s);
		if (fmts[i].fmt == DIFF_MARKDOWN)
			cr_assert(strstr(s, "`x<y>&\"'.a\\|b'c*_d`"), "%s", s);
		free(s);
	}
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

/* A cut in the ATTRIBUTE column falls between characters and keeps the name's end. */
Test(safe_out, diff_text_cuts_multibyte_names_whole)
{
	struct profile b, n;
	struct diff_result r;
	char *s;

	compare(&b, &n, &r, false);
	s = render_diff(&r, DIFF_TEXT, 0);
	/* 21 columns: the ellipsis, the owner's last 3, the dot, the name's 16. */
	cr_assert(strstr(s, "\n\xe2\x80\xa6"
			    "dé….属性の名前がとても長い属性の名前 function/call"),
		  "%s", s);
	assert_clean("diff text", s, false);
	free(s);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

/* The exact string of every hostile owner and name, from "attributes" or "changes". */
static void assert_round_trip(const char *what, const char *s, const char *key)
{
	json_error_t jerr;
	json_t *root = json_loads(s, 0, &jerr), *list, *item;
	size_t i, found = 0;

	cr_assert_not_null(root, "%s: %s", what, jerr.text);
	list = json_object_get(root, key);
	json_array_foreach(list, i, item)
	{
		const char *owner = json_string_value(json_object_get(item, "owner"));
		const char *name = json_string_value(json_object_get(item, "name"));

		for (size_t k = 0; k < NHOSTILE; k++)
			found += !strcmp(owner, hostile[k][0]) && !strcmp(name, hostile[k][1]);
	}
	cr_assert_eq(found, NHOSTILE, "%s: %zu of %zu names came back exactly", what, found,
		     NHOSTILE);
	json_decref(root);
}

Test(safe_out, json_keeps_exact_strings)
{
	struct profile p, b, n;
	struct diff_result r;
	char *s;

	fill(&p, 1, false);
	s = render_report(&p, REPORT_JSON, NULL, 0);
	assert_round_trip("report json", s, "attributes");
	free(s);
	compare(&b, &n, &r, false);
	s = render_diff(&r, DIFF_JSON, 0);
	assert_round_trip("diff json", s, "changes");
	free(s);
	diff__free(&r);
	profile__free(&p);
	profile__free(&b);
	profile__free(&n);
}

/* JSON cannot carry invalid UTF-8: both writers refuse it rather than write a broken file. */
Test(safe_out, json_refuses_invalid_utf8)
{
	struct profile p, b, n;
	struct diff_result r;

	fill(&p, 1, true);
	free(render_report(&p, REPORT_JSON, NULL, -EINVAL));
	compare(&b, &n, &r, true);
	free(render_diff(&r, DIFF_JSON, -EINVAL));
	diff__free(&r);
	profile__free(&p);
	profile__free(&b);
	profile__free(&n);
}

/* A figure above INT64_MAX is refused (-ERANGE), as profile__write refuses it, not clamped. */
Test(safe_out, json_refuses_figures_above_int64_max)
{
	struct profile p, b, n;
	struct diff_result r;

	fill(&p, 1, false);
	p.attrs[0].count = (uint64_t)INT64_MAX + 1;
	free(render_report(&p, REPORT_JSON, NULL, -ERANGE));
	compare(&b, &n, &r, false);
	r.entries[0].new.count = UINT64_MAX;
	free(render_diff(&r, DIFF_JSON, -ERANGE));
	diff__free(&r);
	profile__free(&p);
	profile__free(&b);
	profile__free(&n);
}
