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
	struct prof_attr *a = profile__add_attr(p, "shop", name, "function", "call");

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
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(json ? diff__render_json(f, r) : diff__render_text(f, r), 0);
	cr_assert_eq(fclose(f), 0);
	return buf;
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

Test(diff, p99_three_times_slower_fails)
{
	struct profile b, n;
	struct diff_result r;
	const struct diff_entry *e;
	char *text;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 1000, 4096);
	add(&n, "get", 1000, 3 * 4096);
	compare(&b, &n, NULL, &r);
	e = entry(&r, "get");
	cr_assert(e->latency_compared);
	cr_assert(e->breaks & DIFF_BREAK_P99);
	cr_assert(e->breaks & DIFF_BREAK_TOTAL);
	cr_assert_float_eq(e->total_pct, 200.0, 1e-9);
	cr_assert_gt(e->p99_pct, 100.0);
	text = render(&r, false);
	cr_assert(!strncmp(text, "FAIL: 1 regression\n  shop.get (function/call): p99 +", 50), "%s",
		  text);
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
	struct diff_result r;

	init(&b, "c", "timed");
	init(&n, "c", "timed");
	add(&b, "get", 1000, 4096)->locks[LOCK_PTHREAD].total_ns = 1000000;
	add(&n, "get", 1000, 4096)->locks[LOCK_PTHREAD].total_ns = 1250000;
	compare(&b, &n, NULL, &r);
	cr_assert_eq(r.nregressions, 0, "+25%% is at the limit");
	diff__free(&r);
	n.attrs[0].locks[LOCK_PTHREAD].total_ns = 1260000;
	compare(&b, &n, NULL, &r);
	cr_assert_eq(entry(&r, "get")->breaks, DIFF_BREAK_LOCK);
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
	l.ignore = "shop.get_a";
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nregressions, 0);
	cr_assert_eq(r.nentries, 1);
	diff__free(&r);
	l.ignore = NULL;
	l.only = "*_b";
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nregressions, 0);
	cr_assert_str_eq(r.entries[0].name, "get_b");
	diff__free(&r);
	l.only = "get_?";
	compare(&b, &n, &l, &r);
	cr_assert_eq(r.nregressions, 1);
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
	cr_assert_eq(run_cmd(bad_pct, out, sizeof(out), err, sizeof(err), 10000), 64, "%s", err);
	cr_assert_eq(run_cmd(one, out, sizeof(out), err, sizeof(err), 10000), 64, "%s", err);
	cr_assert_eq(run_cmd(missing, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "/nonexistent/new.json"), "%s", err);
	write_pair(bpath, npath, sizeof(bpath), "python", 1000);
	cr_assert_eq(run_cmd(plain, out, sizeof(out), err, sizeof(err), 10000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "different runtimes"), "%s", err);
}
