// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* diff: each rule at its boundary, the renderers, and the CLI's exit codes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include "diff.h"
#include "fixtures.h"
#include "harness.h"
#include "hist.h"
#include "profile.h"

static void init(struct profile *p, const char *runtime, const char *mode)
{
	memset(p, 0, sizeof(*p));
	p->target.pid = 1;
	p->target.exe = strdup("/bin/shop");
	p->target.runtime = strdup(runtime);
	p->mode = strdup(mode);
	p->end = strdup("target-exited");
	p->exit_status = 0;
	p->duration_ns = 1000000000;
}

/* n timed calls all at ns, so p99 is at most ns and total per call is ns. */
static struct prof_attr *add(struct profile *p, const char *name, uint64_t n, uint64_t ns)
{
	struct prof_attr *a = profile__add_attr(p, "shop", name, KIND_FUNCTION, OP_CALL);

	cr_assert_not_null(a);
	a->probe = strdup("emulated");
	a->count = a->timed = n;
	a->hist[hist__slot(ns)] = n;
	a->max_ns = ns;
	a->total_ns = n * ns;
	a->threads = 1;
	return a;
}

static void compare(const struct profile *b, const struct profile *n, const struct diff_limits *l,
		    struct diff_result *r)
{
	struct diff_limits def;

	if (!l) {
		diff__default_limits(&def);
		l = &def;
	}
	cr_assert_eq(diff__compare(b, n, l, r), 0, "%s", r->err);
}

static const struct diff_entry *entry(const struct diff_result *r, const char *name)
{
	for (size_t i = 0; i < r->nentries; i++)
		if (!strcmp(r->entries[i].name, name))
			return &r->entries[i];
	cr_assert_fail("no entry %s", name);
	return NULL;
}

static char *render(const struct diff_result *r, bool json)
{
	return render_diff(r, json ? DIFF_JSON : DIFF_TEXT, 0);
}

/* How many times needle occurs in s. */
static int count_of(const char *s, const char *needle)
{
	int n = 0;

	for (s = strstr(s, needle); s; s = strstr(s + 1, needle))
		n++;
	return n;
}

Test(diff, count_at_limit_passes_just_above_fails)
{
	struct profile b, n, n2;
	struct diff_result r;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	init(&n2, "c", "timed");
	add(&b, "get", 1000, 1024);
	add(&n, "get", 1100, 1024);  /* +10.0% */
	add(&n2, "get", 1101, 1024); /* +10.1% */
	compare(&b, &n, NULL, &r);
	cr_assert_eq(r.nregressions, 0);
	cr_assert_float_eq(entry(&r, "get")->count_pct, 10.0, 1e-9);
	diff__free(&r);
	compare(&b, &n2, NULL, &r);
	cr_assert_eq(r.nregressions, 1);
	cr_assert_eq(entry(&r, "get")->breaks, DIFF_BREAK_COUNT);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
	profile__free(&n2);
}

Test(diff, zero_limit_allows_no_increase)
{
	struct profile b, n;
	struct diff_limits l;
	struct diff_result r;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 1000, 1024);
	add(&n, "get", 1001, 1024);
	diff__default_limits(&l);
	l.count_pct = 0;
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nregressions, 1);
	diff__free(&r);
	l.count_pct = DIFF_NO_LIMIT;
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nregressions, 0);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

/* The limits with --trust-single-run: one run a side may break a latency limit. */
static const struct diff_limits *trusting(struct diff_limits *l)
{
	diff__default_limits(l);
	l->trust_single_run = true;
	return l;
}

Test(diff, p99_three_times_slower_fails_when_single_runs_are_trusted)
{
	struct profile b, n;
	struct diff_limits l;
	struct diff_result r;
	const struct diff_entry *e;
	char *text;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 1000, 4096);
	add(&n, "get", 1000, 3 * 4096);
	compare(&b, &n, trusting(&l), &r);
	e = entry(&r, "get");
	cr_assert(e->latency_compared);
	cr_assert(!e->advisory);
	cr_assert(e->p99.significant && e->total.significant);
	cr_assert(e->breaks & DIFF_BREAK_P99);
	cr_assert(e->breaks & DIFF_BREAK_TOTAL);
	cr_assert_float_eq(e->total_pct, 200.0, 1e-9);
	cr_assert_gt(e->p99_pct, 100.0);
	text = render(&r, false);
	cr_assert(!strncmp(text, "FAIL: 1 regression\n  shop.get (function/call): p99 +", 50), "%s",
		  text);
	cr_assert_not_null(strstr(text, "trusted (--trust-single-run)"), "%s", text);
	cr_assert_null(strstr(text, "advisory"), "%s", text);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, too_few_samples_not_compared)
{
	struct profile b, n;
	struct diff_result r;
	const struct diff_entry *e;
	char *text;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 99, 1024);
	add(&n, "get", 99, 100 * 1024);
	compare(&b, &n, NULL, &r);
	e = entry(&r, "get");
	cr_assert(!e->latency_compared);
	cr_assert_eq(e->breaks, 0);
	cr_assert(isnan(e->p99_pct));
	text = render(&r, false);
	cr_assert(!strncmp(text, "PASS: no attribute regressed beyond the limits\n", 47), "%s",
		  text);
	cr_assert_not_null(strstr(text, "n/c: latency not compared (too few samples: under 100"),
			   "%s", text);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, lock_wait_per_call)
{
	struct profile b, n;
	struct diff_limits l;
	struct diff_result r;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 1000, 4096)->locks[LOCK_MUTEX].total_ns = 1000000;
	add(&n, "get", 1000, 4096)->locks[LOCK_MUTEX].total_ns = 1250000;
	compare(&b, &n, trusting(&l), &r);
	cr_assert_eq(r.nregressions, 0, "+25%% is at the limit");
	cr_assert_eq(entry(&r, "get")->unproven, 0);
	diff__free(&r);
	n.attrs[0].locks[LOCK_MUTEX].total_ns = 1260000;
	compare(&b, &n, trusting(&l), &r);
	cr_assert_eq(entry(&r, "get")->breaks, DIFF_BREAK_LOCK);
	diff__free(&r);
	/* Untrusted, the same one run a side only lists it. */
	compare(&b, &n, NULL, &r);
	cr_assert_eq(entry(&r, "get")->breaks, 0);
	cr_assert_eq(entry(&r, "get")->unproven, DIFF_BREAK_LOCK);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, new_hot_fails_new_cold_passes)
{
	struct profile b, n;
	struct diff_result r;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&n, "hot", 100, 10000);   /* 100 calls, 1ms: hot */
	add(&n, "cool", 100, 9999);   /* 999.9us */
	add(&n, "rare", 99, 1000000); /* 99ms but under min_count */
	compare(&b, &n, NULL, &r);
	cr_assert_eq(r.nregressions, 1);
	cr_assert_eq(entry(&r, "hot")->breaks, DIFF_BREAK_NEW_HOT);
	cr_assert_eq(entry(&r, "hot")->status, DIFF_NEW);
	cr_assert_eq(entry(&r, "cool")->breaks, 0);
	cr_assert_eq(entry(&r, "rare")->breaks, 0);
	cr_assert_str_eq(r.entries[0].name, "hot", "regressions come first");
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, vanished_listed_and_sorted_by_impact)
{
	struct profile b, n;
	struct diff_result r;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "gone", 5000, 4096);
	add(&b, "small", 1000, 1024);
	add(&b, "big", 1000, 1024);
	add(&n, "small", 1050, 1024);
	add(&n, "big", 1000, 1200);
	compare(&b, &n, NULL, &r);
	cr_assert_eq(r.nregressions, 0);
	cr_assert_eq(r.nentries, 3);
	cr_assert_str_eq(r.entries[0].name, "big");
	cr_assert_str_eq(r.entries[1].name, "small");
	cr_assert_str_eq(r.entries[2].name, "gone");
	cr_assert_eq(r.entries[2].status, DIFF_VANISHED);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

/*
 * Sides list attributes in any order; a key listed twice pairs in profile
 * order (first with first), and a third one on one side is new.
 */
Test(diff, attributes_pair_by_key_whatever_the_order)
{
	struct profile b, n;
	struct diff_result r;
	size_t both = 0, fresh = 0;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "a", 1000, 1024);
	add(&b, "twice", 1000, 1024);
	add(&b, "twice", 2000, 1024);
	add(&b, "z", 1000, 1024);
	add(&n, "z", 1000, 1024);
	add(&n, "twice", 1000, 1024);
	add(&n, "twice", 2000, 1024);
	add(&n, "twice", 10, 1024);
	add(&n, "a", 1000, 1024);
	compare(&b, &n, NULL, &r);
	cr_assert_eq(r.nentries, 5);
	for (size_t i = 0; i < r.nentries; i++) {
		const struct diff_entry *e = &r.entries[i];

		both += e->status == DIFF_BOTH;
		fresh += e->status == DIFF_NEW;
		if (e->status == DIFF_BOTH)
			cr_assert_eq(e->base.count, e->new.count, "%s paired out of order",
				     e->name);
	}
	cr_assert_eq(both, 4);
	cr_assert_eq(fresh, 1);
	cr_assert_eq(r.nregressions, 0);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, only_and_ignore)
{
	struct profile b, n;
	struct diff_limits l;
	struct diff_result r;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get_a", 1000, 1024);
	add(&b, "get_b", 1000, 1024);
	add(&n, "get_a", 2000, 1024);
	add(&n, "get_b", 1000, 1024);
	diff__default_limits(&l);
	l.ignore[0] = "shop.get_a";
	l.nignore = 1;
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nregressions, 0);
	cr_assert_eq(r.nentries, 1);
	diff__free(&r);
	l.nignore = 0;
	l.only[0] = "*_b";
	l.nonly = 1;
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nregressions, 0);
	cr_assert_str_eq(r.entries[0].name, "get_b");
	diff__free(&r);
	l.only[0] = "get_?";
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nregressions, 1);
	diff__free(&r);
	l.only[0] = "nothing";
	l.only[1] = "*_a";
	l.nonly = 2;
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nentries, 1, "any --only glob selects");
	cr_assert_str_eq(r.entries[0].name, "get_a");
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, incompatible_profiles)
{
	struct profile b, n, c;
	struct diff_limits l;
	struct diff_result r;

	init(&b, "c", "timed");
	init(&n, "python", "timed");
	init(&c, "c", "count");
	diff__default_limits(&l);
	cr_assert_eq(diff__compare(&b, &n, &l, &r), -EINVAL);
	cr_assert_not_null(strstr(r.err, "different runtimes"), "%s", r.err);
	cr_assert_eq(diff__compare(&b, &c, &l, &r), -EINVAL);
	cr_assert_not_null(strstr(r.err, "base is timed but new is count"), "%s", r.err);
	l.p99_pct = l.total_pct = l.lock_pct = DIFF_NO_LIMIT;
	cr_assert_eq(diff__compare(&b, &c, &l, &r), 0, "counts alone compare");
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
	profile__free(&c);
}

Test(diff, json_schema)
{
	struct profile b, n;
	struct diff_result r;
	json_error_t jerr;
	json_t *root, *reg;
	char *text;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 1000, 1024);
	add(&b, "gone", 1000, 1024);
	add(&n, "get", 2000, 1024);
	add(&n, "hot", 1000, 4096);
	compare(&b, &n, NULL, &r);
	text = render(&r, true);
	root = json_loads(text, 0, &jerr);
	cr_assert_not_null(root, "%s: %s", jerr.text, text);
	cr_assert_str_eq(json_string_value(json_object_get(root, "schema")), DIFF_SCHEMA);
	cr_assert_str_eq(json_string_value(json_object_get(root, "verdict")), "fail");
	cr_assert_float_eq(json_real_value(json_object_get(json_object_get(root, "limits"),
							   "max_count_increase_pct")),
			   10.0, 1e-9);
	cr_assert_eq(json_array_size(json_object_get(root, "regressions")), 2);
	cr_assert_eq(json_array_size(json_object_get(root, "changes")), 1);
	cr_assert_eq(json_array_size(json_object_get(root, "new")), 1);
	cr_assert_eq(json_array_size(json_object_get(root, "vanished")), 1);
	reg = json_array_get(json_object_get(root, "regressions"), 0);
	cr_assert_not_null(json_object_get(reg, "reasons"));
	cr_assert_float_eq(
		json_real_value(json_object_get(json_array_get(json_object_get(root, "changes"), 0),
						"count_pct")),
		100.0, 1e-9);
	json_decref(root);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, text_fits_100_columns)
{
	struct profile b, n;
	struct diff_result r;
	char *text, *line, *save;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "a_rather_long_accessor_name_for_a_model_field", 1000, 1024);
	add(&n, "a_rather_long_accessor_name_for_a_model_field", 1234567, 3 * 1048576);
	compare(&b, &n, NULL, &r);
	text = render(&r, false);
	line = strtok_r(text, "\n", &save);
	/* The table, not the verdict lines (a reason names the whole attribute). */
	while (line && strncmp(line, "ATTRIBUTE", 9))
		line = strtok_r(NULL, "\n", &save);
	cr_assert_not_null(line);
	for (; line; line = strtok_r(NULL, "\n", &save)) {
		size_t cols = 0;

		/* Columns, not bytes: UTF-8 continuation bytes take none. */
		for (const char *c = line; *c; c++)
			cols += (*c & 0xc0) != 0x80;
		cr_assert_leq(cols, 100, "%zu columns: %s", cols, line);
	}
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

static void write_pair(char *bpath, char *npath, size_t len, const char *nruntime, uint64_t ncount)
{
	struct profile b, n;

	init(&b, "c", "timed");
	init(&n, nruntime, "timed");
	add(&b, "get", 1000, 1024);
	add(&n, "get", ncount, 1024);
	temp_path(bpath, len, "base.json");
	temp_path(npath, len, "new.json");
	cr_assert_eq(profile__write(&b, bpath), 0);
	cr_assert_eq(profile__write(&n, npath), 0);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, cli_exit_codes)
{
	char bpath[256], npath[256], out[8192], err[4096];
	char *plain[] = {ATTRPROF, "diff", bpath, npath, NULL};
	char *loose[] = {ATTRPROF, "diff", bpath, npath, "--max-count-increase", "50", NULL};
	char *bad_pct[] = {ATTRPROF, "diff", bpath, npath, "--max-p99-increase", "5x", NULL};
	char *one[] = {ATTRPROF, "diff", bpath, NULL};
	char *missing[] = {ATTRPROF, "diff", bpath, "/nonexistent/new.json", NULL};

	write_pair(bpath, npath, sizeof(bpath), "c", 1200);
	cr_assert_eq(run_cmd(plain, out, sizeof(out), err, sizeof(err), 10000), 1, "%s", err);
	cr_assert(!strncmp(out, "FAIL: 1 regression", 18), "%s", out);
	cr_assert_eq(run_cmd(loose, out, sizeof(out), err, sizeof(err), 10000), 0, "%s", err);
	cr_assert(!strncmp(out, "PASS", 4), "%s", out);
	cr_assert_eq(run_cmd(bad_pct, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "--max-p99-increase: expected a percentage"), "%s", err);
	cr_assert_eq(run_cmd(one, out, sizeof(out), err, sizeof(err), 10000), 64, "%s", err);
	cr_assert_eq(run_cmd(missing, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "/nonexistent/new.json"), "%s", err);
	write_pair(bpath, npath, sizeof(bpath), "python", 1000);
	cr_assert_eq(run_cmd(plain, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "different runtimes"), "%s", err);
}

Test(diff, markdown_verdict_reasons_top_table)
{
	struct profile b, n;
	struct diff_result r;
	char *md, name[32];

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 1000, 1024);
	add(&n, "get", 2000, 1024);
	/* 12 unchanged attributes: the table shows 10 rows of 13. */
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "same_%02d", i);
		add(&b, name, 1000, 1024);
		add(&n, name, 1000, 1024);
	}
	compare(&b, &n, NULL, &r);
	md = render_diff(&r, DIFF_MARKDOWN, 0);
	cr_assert(!strncmp(md,
			   "**FAIL**: 1 regression; latency is advisory with 1 run a side\n\n- "
			   "`shop.get` (function/call): count +100.0% (1.00k -> 2.00k) > 10%\n",
			   130),
		  "%s", md);
	cr_assert_not_null(strstr(md, "\n_latency: 1 run a side: the histograms, at 95% "
				      "confidence, advisory: no latency limit breaks;\n"),
			   "%s", md);
	cr_assert_not_null(strstr(md, "\n| Attribute | Kind/op | Count | Change |"), "%s", md);
	cr_assert_not_null(strstr(md, "\n| `shop.get` | `function/call` | 2.00k | +100.0% |"), "%s",
			   md);
	/* Header, alignment row and 10 rows. */
	cr_assert_eq(count_of(md, "\n|"), 12, "%s", md);
	cr_assert_not_null(strstr(md, "\n3 more changes not shown"), "%s", md);
	free(md);
	diff__free(&r);
	compare(&b, &b, NULL, &r);
	md = render_diff(&r, DIFF_MARKDOWN, 0);
	cr_assert(
		!strncmp(md,
			 "**PASS**: no attribute regressed beyond the limits; latency is advisory "
			 "with 1 run a side\n",
			 90),
		"%s", md);
	free(md);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, junit_balanced_counted_escaped)
{
	struct profile b, n;
	struct diff_result r;
	char *x;
	struct prof_attr *a;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 1000, 1024);
	add(&b, "gone", 1000, 1024);
	add(&b, "same", 1000, 1024);
	add(&n, "get", 2000, 1024);
	add(&n, "same", 1000, 1024);
	a = add(&n, "hot", 1000, 4096);
	free(a->owner);
	a->owner = strdup("Shop<\"T\"&U>");
	compare(&b, &n, NULL, &r);
	cr_assert_eq(r.nentries, 4);
	cr_assert_eq(r.nregressions, 2);
	x = render_diff(&r, DIFF_JUNIT, 0);
	cr_assert(!strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39), "%s", x);
	cr_assert_not_null(
		strstr(x, "<testsuite name=\"attrprof diff\" tests=\"4\" failures=\"2\""), "%s", x);
	cr_assert_eq(count_of(x, "<testsuite "), 1, "%s", x);
	cr_assert_eq(count_of(x, "</testsuite>"), 1, "%s", x);
	/* Each testcase closes itself or has a closing tag. */
	cr_assert_eq(count_of(x, "<testcase "), 4, "%s", x);
	cr_assert_eq(count_of(x, "</testcase>") + count_of(x, "\"/>\n  <testcase") +
			     (strstr(x, "\"/>\n</testsuite>") != NULL),
		     4, "%s", x);
	cr_assert_eq(count_of(x, "<failure "), 2, "%s", x);
	cr_assert_not_null(
		strstr(x, "<testcase classname=\"shop\" name=\"get function/call\">\n    <failure "
			  "message=\"count +100.0% (1.00k -&gt; 2.00k) &gt; 10%\""),
		"%s", x);
	cr_assert_not_null(strstr(x, "classname=\"Shop&lt;&quot;T&quot;&amp;U&gt;\" name=\"hot "),
			   "%s", x);
	cr_assert_not_null(strstr(x, "name=\"gone function/call\">\n    <system-out>vanished"),
			   "%s", x);
	/* Nothing unescaped: every '<' opens a tag, every '&' an entity. */
	for (const char *c = strchr(x, '&'); c; c = strchr(c + 1, '&'))
		cr_assert(!strncmp(c, "&lt;", 4) || !strncmp(c, "&gt;", 4) ||
				  !strncmp(c, "&amp;", 5) || !strncmp(c, "&quot;", 6),
			  "%.20s", c);
	for (const char *c = strchr(x, '<'); c; c = strchr(c + 1, '<'))
		cr_assert(c[1] == '?' || c[1] == '/' || !strncmp(c + 1, "test", 4) ||
				  !strncmp(c + 1, "failure", 7) ||
				  !strncmp(c + 1, "system-out", 10),
			  "%.20s", c);
	free(x);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	cr_assert_geq(fputs(text, f), 0);
	cr_assert_eq(fclose(f), 0);
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "%s", path);
	cr_assert_geq(getdelim(&buf, &len, '\0', f), 0);
	fclose(f);
	return buf;
}

Test(diff, cli_output_file)
{
	char bpath[256], npath[256], opath[256], out[8192], err[4096];
	char *junit[] = {ATTRPROF, "diff", bpath, npath, "--format", "junit", "-o", opath, NULL};
	char *bad_dir[] = {ATTRPROF, "diff", bpath, npath, "-o", "/nonexistent/x.md", NULL};
	char *text;

	write_pair(bpath, npath, sizeof(bpath), "c", 1200);
	temp_path(opath, sizeof(opath), "junit.xml");
	cr_assert_eq(run_cmd(junit, out, sizeof(out), err, sizeof(err), 10000), 1, "%s", err);
	cr_assert_str_eq(out, "", "the report goes to the file, not stdout");
	text = slurp(opath);
	cr_assert_not_null(strstr(text, "tests=\"1\" failures=\"1\""), "%s", text);
	cr_assert_not_null(strstr(text, "</testsuite>\n"), "%s", text);
	free(text);
	cr_assert_eq(run_cmd(bad_dir, out, sizeof(out), err, sizeof(err), 10000), 1, "%s", err);
	cr_assert_not_null(strstr(err, "/nonexistent/x.md"), "%s", err);
}

Test(diff, cli_config_file)
{
	char bpath[256], npath[256], cpath[256], out[8192], err[4096];
	char *with[] = {ATTRPROF, "diff", bpath, npath, "--config", cpath, NULL};
	/* The flag wins whether it comes before or after --config. */
	char *flag[] = {ATTRPROF, "diff", "--max-count-increase", "10", bpath, npath, "--config",
			cpath,	  NULL};
	char *ignored[] = {ATTRPROF, "diff",   bpath,	   npath, "--config",
			   cpath,    "--only", "nothing*", NULL};

	write_pair(bpath, npath, sizeof(bpath), "c", 1200); /* +20% calls */
	temp_path(cpath, sizeof(cpath), "limits.json");
	write_file(cpath, "{\"max_count_increase\": 25, \"max_p99_increase\": \"off\",\n"
			  " \"min_count\": 100, \"ignore\": [\"*.__dict__\"]}\n");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 0, "%s", err);
	cr_assert(!strncmp(out, "PASS", 4), "%s", out);
	cr_assert_eq(run_cmd(flag, out, sizeof(out), err, sizeof(err), 10000), 1, "%s", err);
	cr_assert(!strncmp(out, "FAIL: 1 regression", 18), "%s", out);
	write_file(cpath, "{\"max_count_increase\": 5, \"only\": \"*.get\"}");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 1, "%s", err);
	cr_assert_eq(run_cmd(ignored, out, sizeof(out), err, sizeof(err), 10000), 0, "%s", err);
	cr_assert(!strncmp(out, "PASS", 4), "%s", out);
}

Test(diff, cli_bad_config_exits_2)
{
	char bpath[256], npath[256], cpath[256], out[8192], err[4096], want[512];
	char *with[] = {ATTRPROF, "diff", bpath, npath, "--config", cpath, NULL};

	write_pair(bpath, npath, sizeof(bpath), "c", 1000);
	temp_path(cpath, sizeof(cpath), "limits.json");
	write_file(cpath, "{\"max_count_increase\": 10,\n \"min_count\" 100}\n");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	snprintf(want, sizeof(want), "attrprof diff: %s:2:", cpath);
	cr_assert_not_null(strstr(err, want), "%s", err);
	write_file(cpath, "{\"max_count_increse\": 10}");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "unknown key 'max_count_increse'"), "%s", err);
	write_file(cpath, "{\"max_p99_increase\": \"of\"}");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "key 'max_p99_increase': expected a percentage"), "%s", err);
	write_file(cpath, "{\"min_count\": -1}");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_str_eq(out, "");
}

/*
 * An attribute of a profile of n runs: calls calls a run at us microseconds
 * each (so p99 and time per call are us in that run). Sets p->nruns.
 */
static void add_runs(struct profile *p, const char *name, size_t n, const double *us,
		     uint64_t calls)
{
	struct prof_attr *a = add(p, name, 0, 1);

	p->nruns = n;
	a->runs = calloc(n, sizeof(*a->runs));
	cr_assert_not_null(a->runs);
	memset(a->hist, 0, sizeof(a->hist));
	for (size_t i = 0; i < n; i++) {
		uint64_t ns = us[i] * 1000;

		a->runs[i] = (struct prof_run){.count = calls,
					       .timed = calls,
					       .total_ns = calls * ns,
					       .p50_ns = ns,
					       .p99_ns = ns};
		a->count += calls;
		a->timed += calls;
		a->total_ns += calls * ns;
		a->hist[hist__slot(ns)] += calls;
		if (ns > a->max_ns)
			a->max_ns = ns;
	}
}

static const double five_base[] = {10, 11, 12, 13, 14};

/*
 * A base and a new timed Python profile of nruns runs each, with one
 * attribute "get" of calls calls a run at base_us and new_us microseconds.
 */
static void runs_pair(struct profile *b, struct profile *n, size_t nruns, const double *base_us,
		      const double *new_us, uint64_t calls)
{
	init(b, "python", "timed");
	init(n, "python", "timed");
	add_runs(b, "get", nruns, base_us, calls);
	add_runs(n, "get", nruns, new_us, calls);
}

Test(diff, runs_three_times_slower_breaks_with_hand_interval)
{
	const double slow[] = {30, 33, 36, 39, 42};
	struct profile b, n;
	struct diff_result r;
	const struct diff_entry *e;
	char *text;

	runs_pair(&b, &n, 5, five_base, slow, 1000);
	compare(&b, &n, NULL, &r);
	e = entry(&r, "get");
	cr_assert_eq(e->method, DIFF_METHOD_RUNS);
	cr_assert_eq(e->base_samples, 5);
	/* Differences of logs: log 3 + log(x_j / x_i), symmetric about log 3. */
	cr_assert_float_eq(e->total.pct, 200, 1e-6);
	/* k = 3 of 25 at 95%: the 3rd smallest log(x_j / x_i) is log(11/14). */
	cr_assert_float_eq(e->total.low_pct, (3 * 11 / 14.0 - 1) * 100, 1e-6);
	cr_assert_float_eq(e->total.high_pct, (3 * 14 / 11.0 - 1) * 100, 1e-6);
	cr_assert_float_eq(e->total.confidence, (1 - 8 / 252.0) * 100, 1e-6);
	cr_assert(e->breaks & DIFF_BREAK_TOTAL);
	cr_assert(e->breaks & DIFF_BREAK_P99);
	cr_assert(!(e->breaks & DIFF_BREAK_COUNT));
	text = render(&r, false);
	cr_assert_not_null(strstr(text, "96.8% CI +135.7% to +281.8%, 5 vs 5 runs"), "%s", text);
	cr_assert_not_null(strstr(text, "latency: 5 base runs vs 5 new runs"), "%s", text);
	free(text);
	text = render(&r, true);
	cr_assert_not_null(strstr(text, "\"method\": \"runs\""), "%s", text);
	cr_assert_not_null(strstr(text, "\"schema\": \"attrprof.diff/3\""), "%s", text);
	cr_assert_not_null(strstr(text, "\"advisory\": false"), "%s", text);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, runs_above_limit_but_not_surely_is_unproven)
{
	/* 1.4 x each base run: +40% estimated, but the interval starts at +10%, under 25%. */
	const double more[] = {14, 15.4, 16.8, 18.2, 19.6};
	struct profile b, n;
	struct diff_result r;
	const struct diff_entry *e;
	char *text;

	runs_pair(&b, &n, 5, five_base, more, 1000);
	compare(&b, &n, NULL, &r);
	e = entry(&r, "get");
	cr_assert_float_eq(e->total.pct, 40, 1e-6);
	cr_assert_float_eq(e->total.low_pct, (1.4 * 11 / 14.0 - 1) * 100, 1e-6);
	cr_assert(e->total.significant);
	cr_assert_eq(e->breaks, 0);
	cr_assert(e->unproven & DIFF_BREAK_TOTAL);
	cr_assert_eq(r.nregressions, 0);
	text = render(&r, false);
	cr_assert(!strncmp(text, "PASS", 4), "%s", text);
	cr_assert_not_null(strstr(text, "unproven: shop.get"), "%s", text);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, runs_cheap_attribute_cannot_break_latency)
{
	/* 3x slower, but 10 calls of 30 to 42us a run add up to under DIFF_HOT_NS (1 ms). */
	const double slow[] = {30, 33, 36, 39, 42};
	struct profile b, n;
	struct diff_result r;
	struct diff_limits l;

	diff__default_limits(&l);
	l.min_count = 10;
	runs_pair(&b, &n, 5, five_base, slow, 10);
	compare(&b, &n, &l, &r);
	cr_assert(entry(&r, "get")->latency_compared);
	cr_assert(!entry(&r, "get")->hot);
	cr_assert_eq(r.nregressions, 0);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, runs_too_few_for_the_confidence_is_bad_input)
{
	const double two[] = {10, 11};
	struct profile b, n;
	struct diff_result r;
	struct diff_limits l;
	char err[256];

	diff__default_limits(&l);
	runs_pair(&b, &n, 2, two, two, 1000);
	cr_assert_eq(diff__compare(&b, &n, &l, &r), -EINVAL);
	cr_assert_not_null(strstr(r.err, "record at least 4 runs a side"), "%s", r.err);
	/* 2 and 2 runs reach 66.7%: asking for that much is fine. */
	l.confidence = 60;
	compare(&b, &n, &l, &r);
	diff__free(&r);
	cr_assert_eq(diff__check_runs(5, 5, 99.9, err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "at least 7 runs"), "%s", err);
	cr_assert_eq(diff__check_runs(1, 5, 99.9, err, sizeof(err)), 0);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, count_compared_per_run)
{
	const double one[] = {10}, five[] = {10, 10, 10, 10, 10};
	struct profile b, n;
	struct diff_result r;

	/* 5 runs of 1000 calls against one run: 1100 is +10%, the limit; 1101 is above. */
	init(&b, "python", "timed");
	init(&n, "python", "timed");
	add_runs(&b, "get", 5, five, 1000);
	add_runs(&n, "get", 1, one, 1100);
	n.nruns = 1;
	free(n.attrs[0].runs);
	n.attrs[0].runs = NULL;
	compare(&b, &n, NULL, &r);
	cr_assert_float_eq(entry(&r, "get")->count_pct, 10, 1e-9);
	cr_assert(!(entry(&r, "get")->breaks & DIFF_BREAK_COUNT));
	/* One run a side is not several: the histograms are compared. */
	cr_assert_eq(entry(&r, "get")->method, DIFF_METHOD_HIST);
	diff__free(&r);
	n.attrs[0].count = 1101;
	compare(&b, &n, NULL, &r);
	cr_assert(entry(&r, "get")->breaks & DIFF_BREAK_COUNT);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, runs_under_the_probe_cost_floor_cannot_break)
{
	const double slow[] = {30, 33, 36, 39, 42};
	struct profile b, n;
	struct diff_result r;
	const struct diff_entry *e;

	/* 3x slower, hot, but the base's 10 to 14us are under 4 probe costs of 5us. */
	runs_pair(&b, &n, 5, five_base, slow, 1000);
	b.probe_cost_ns = 5000;
	compare(&b, &n, NULL, &r);
	e = entry(&r, "get");
	cr_assert(e->hot);
	cr_assert_float_eq(e->total.pct, 200, 1e-6);
	cr_assert_eq(e->breaks, 0);
	cr_assert_eq(e->unproven, 0);
	diff__free(&r);
	/* 2.5us of probe cost: 10us is at the floor, and the slowdown breaks. */
	b.probe_cost_ns = 2500;
	compare(&b, &n, NULL, &r);
	cr_assert(entry(&r, "get")->breaks & DIFF_BREAK_TOTAL);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

/* Whether s begins with prefix. */
static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* One run a side, "get" 3x slower per call in new: p99 and time per call above their limits. */
static void slow_pair(struct profile *b, struct profile *n, uint64_t ncalls)
{
	init(b, "c", "timed");
	init(n, "c", "timed");
	add(b, "get", 1000, 4096);
	add(n, "get", ncalls, 3 * 4096);
}

Test(diff, one_run_a_side_latency_is_advisory)
{
	struct profile b, n;
	struct diff_result r;
	const struct diff_entry *e;
	json_t *root, *change, *latency;
	char *text;

	slow_pair(&b, &n, 1000);
	compare(&b, &n, NULL, &r);
	e = entry(&r, "get");
	cr_assert_eq(e->method, DIFF_METHOD_HIST);
	cr_assert(e->advisory);
	/* The sampling interval lies wholly above the limit, and still proves nothing. */
	cr_assert_gt(e->total.low_pct, 25);
	cr_assert(!e->p99.significant && !e->total.significant && !e->lock.significant);
	cr_assert_eq(e->breaks, 0);
	cr_assert_eq(e->unproven, DIFF_BREAK_P99 | DIFF_BREAK_TOTAL);
	cr_assert_eq(r.nregressions, 0);
	cr_assert_eq(r.settle_runs, 5);

	text = render(&r, false);
	cr_assert(starts_with(text,
			      "PASS: no attribute regressed beyond the limits; latency is advisory "
			      "with 1 run a side\n  unproven: shop.get (function/call): p99 +"),
		  "%s", text);
	cr_assert_eq(count_of(text, "; sampling noise only: record --runs 5 on both sides to "
				    "settle it\n"),
		     2, "%s", text);
	cr_assert_not_null(strstr(text, "advisory: no latency limit breaks;\n"), "%s", text);
	cr_assert_not_null(strstr(text, "  record --runs 5 on both sides to judge latency\n"), "%s",
			   text);
	free(text);

	text = render_diff(&r, DIFF_MARKDOWN, 0);
	cr_assert(starts_with(
			  text,
			  "**PASS**: no attribute regressed beyond the limits; latency is advisory "
			  "with 1 run a side\n- unproven: `shop.get` (function/call): p99 +"),
		  "%s", text);
	free(text);

	text = render_diff(&r, DIFF_JUNIT, 0);
	cr_assert_not_null(strstr(text, "failures=\"0\""), "%s", text);
	cr_assert_eq(count_of(text, "<failure "), 0, "%s", text);
	cr_assert_not_null(strstr(text, "name=\"get function/call\">\n    <system-out>unproven: "
					"p99 +"),
			   "%s", text);
	cr_assert_not_null(strstr(text, "; unproven: time per call +200.0%"), "%s", text);
	cr_assert_not_null(strstr(text, "  <system-out>PASS: no attribute regressed beyond the "
					"limits; latency is advisory with 1 run a side\n"),
			   "%s", text);
	free(text);

	text = render(&r, true);
	root = json_loads(text, 0, NULL);
	cr_assert_not_null(root, "%s", text);
	cr_assert_str_eq(json_string_value(json_object_get(root, "verdict")), "pass");
	cr_assert_eq(json_array_size(json_object_get(root, "regressions")), 0);
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(root, "runs"), "to_settle")), 5);
	cr_assert(json_is_false(
		json_object_get(json_object_get(root, "limits"), "trust_single_run")));
	change = json_array_get(json_object_get(root, "changes"), 0);
	cr_assert_eq(json_array_size(json_object_get(change, "breaks")), 0, "%s", text);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(change, "unproven"), 0)),
			 "p99");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(change, "unproven"), 1)),
			 "total_per_call");
	latency = json_object_get(change, "latency");
	cr_assert(json_is_true(json_object_get(latency, "advisory")), "%s", text);
	cr_assert(json_is_false(json_object_get(json_object_get(latency, "time_per_call"),
						"significant")),
		  "%s", text);
	cr_assert_gt(json_real_value(json_object_get(json_object_get(latency, "time_per_call"),
						     "ci_low_pct")),
		     25, "%s", text);
	json_decref(root);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, one_run_a_side_counts_still_fail)
{
	struct profile b, n;
	struct diff_result r;
	const struct diff_entry *e;
	char *text;

	/* 20% more calls, each 3x slower: the count breaks exactly, the latency is listed. */
	slow_pair(&b, &n, 1200);
	compare(&b, &n, NULL, &r);
	e = entry(&r, "get");
	cr_assert_eq(e->breaks, DIFF_BREAK_COUNT);
	cr_assert_eq(e->unproven, DIFF_BREAK_P99 | DIFF_BREAK_TOTAL);
	cr_assert_eq(r.nregressions, 1);
	text = render(&r, false);
	cr_assert(starts_with(text,
			      "FAIL: 1 regression; latency is advisory with 1 run a side\n"
			      "  shop.get (function/call): count +20.0% (1.00k -> 1.20k) > 10%\n"
			      "  unproven: shop.get (function/call): p99 +"),
		  "%s", text);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, one_run_against_several_is_advisory)
{
	const double five[] = {10, 10, 10, 10, 10}, one[] = {30};
	struct profile b, n;
	struct diff_result r;
	char *text;

	init(&b, "python", "timed");
	init(&n, "python", "timed");
	add_runs(&b, "get", 5, five, 1000);
	add_runs(&n, "get", 1, one, 1000);
	compare(&b, &n, NULL, &r);
	cr_assert(entry(&r, "get")->advisory);
	cr_assert_eq(entry(&r, "get")->breaks, 0);
	cr_assert(entry(&r, "get")->unproven & DIFF_BREAK_TOTAL);
	text = render(&r, false);
	cr_assert(starts_with(text,
			      "PASS: no attribute regressed beyond the limits; latency is advisory "
			      "with 5 base runs vs 1 new run\n"),
		  "%s", text);
	cr_assert_not_null(strstr(text, "record --runs 5 on both sides to settle it"), "%s", text);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

/* Leaves "get" of p with calls and times in its first run only, as a rare attribute has. */
static void first_run_only(struct profile *p)
{
	struct prof_attr *a = &p->attrs[0];

	for (size_t i = 1; i < p->nruns; i++) {
		const struct prof_run *run = &a->runs[i];

		a->count -= run->count;
		a->timed -= run->timed;
		a->total_ns -= run->total_ns;
		a->hist[hist__slot(run->p50_ns)] -= run->timed;
		a->runs[i] = (struct prof_run){};
	}
}

Test(diff, attribute_timed_in_one_run_is_advisory)
{
	const double base[] = {10, 10, 10, 10, 10}, slow[] = {30, 30, 30, 30, 30};
	struct profile b, n;
	struct diff_limits l;
	struct diff_result r;
	const struct diff_entry *e;
	char *text;

	/* 1000 calls of 10us in one run of five: 10 ms, hot at 1 ms a run. */
	runs_pair(&b, &n, 5, base, slow, 1000);
	first_run_only(&b);
	first_run_only(&n);
	compare(&b, &n, NULL, &r);
	e = entry(&r, "get");
	cr_assert_eq(e->method, DIFF_METHOD_HIST);
	cr_assert(e->hot && e->advisory);
	cr_assert_eq(e->breaks, 0);
	cr_assert(e->unproven & DIFF_BREAK_TOTAL);
	text = render(&r, false);
	cr_assert(starts_with(
			  text,
			  "PASS: no attribute regressed beyond the limits; latency of 1 attribute "
			  "is advisory (timed in under 2 runs a side)\n"),
		  "%s", text);
	cr_assert_not_null(strstr(text, "; sampling noise only: timed in under 2 runs a side\n"),
			   "%s", text);
	free(text);
	diff__free(&r);
	compare(&b, &n, trusting(&l), &r);
	cr_assert(entry(&r, "get")->breaks & DIFF_BREAK_TOTAL);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, runs_to_settle_follow_the_confidence)
{
	const double want[][2] = {{50, 3}, {90, 4}, {95, 5}, {99, 6}, {99.9, 8}};
	struct profile b, n;
	struct diff_limits l;
	struct diff_result r;
	char *text;

	slow_pair(&b, &n, 1000);
	diff__default_limits(&l);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		l.confidence = want[i][0];
		compare(&b, &n, &l, &r);
		cr_assert_eq(r.settle_runs, want[i][1], "at %g%%", want[i][0]);
		diff__free(&r);
	}
	l.confidence = 99;
	compare(&b, &n, &l, &r);
	text = render(&r, false);
	cr_assert_not_null(strstr(text, "record --runs 6 on both sides to judge latency"), "%s",
			   text);
	free(text);
	diff__free(&r);
	profile__free(&b);
	profile__free(&n);
}

/* slow_pair written to bpath and npath. */
static void write_slow_pair(char *bpath, char *npath, size_t len)
{
	struct profile b, n;

	slow_pair(&b, &n, 1000);
	temp_path(bpath, len, "base.json");
	temp_path(npath, len, "new.json");
	cr_assert_eq(profile__write(&b, bpath), 0);
	cr_assert_eq(profile__write(&n, npath), 0);
	profile__free(&b);
	profile__free(&n);
}

Test(diff, cli_trust_single_run)
{
	char bpath[256], npath[256], cpath[256], out[8192], err[4096];
	char *plain[] = {ATTRPROF, "diff", bpath, npath, NULL};
	char *trust[] = {ATTRPROF, "diff", bpath, npath, "--trust-single-run", NULL};
	char *with[] = {ATTRPROF, "diff", bpath, npath, "--config", cpath, NULL};
	/* The flag turns trust on over a file that leaves it off. */
	char *both[] = {ATTRPROF, "diff", bpath, npath, "--config", cpath, "--trust-single-run",
			NULL};

	write_slow_pair(bpath, npath, sizeof(bpath));
	cr_assert_eq(run_cmd(plain, out, sizeof(out), err, sizeof(err), 10000), 0, "%s", err);
	cr_assert(starts_with(out, "PASS: no attribute regressed beyond the limits; latency is "
				   "advisory with 1 run a side\n"),
		  "%s", out);
	cr_assert_eq(run_cmd(trust, out, sizeof(out), err, sizeof(err), 10000), 1, "%s", err);
	cr_assert(starts_with(out, "FAIL: 1 regression\n  shop.get (function/call): p99 +"), "%s",
		  out);
	temp_path(cpath, sizeof(cpath), "limits.json");
	write_file(cpath, "{\"trust_single_run\": true}");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 1, "%s", err);
	write_file(cpath, "{\"trust_single_run\": false}");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 0, "%s", err);
	cr_assert_eq(run_cmd(both, out, sizeof(out), err, sizeof(err), 10000), 1, "%s", err);
	write_file(cpath, "{\"trust_single_run\": 1}");
	cr_assert_eq(run_cmd(with, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "key 'trust_single_run': expected true or false"), "%s",
			   err);
}
