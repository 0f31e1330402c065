// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Reports: human units, ranking, the text layout (golden) and the JSON schema. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include "fixtures.h"
#include "hist.h"
#include "profile.h"
#include "report.h"
#include "units.h"

#define ELLIPSIS "\xe2\x80\xa6"

static char *render(const struct profile *p, enum report_format fmt, bool color)
{
	return render_report(p, fmt, &(struct report_opts){.color = color}, 0);
}

static struct prof_attr *add(struct profile *p, const char *owner, const char *name)
{
	struct prof_attr *a = profile__add_attr(p, owner, name, KIND_FUNCTION, OP_CALL);

	cr_assert_not_null(a);
	return a;
}

static void set_target(struct profile *p, const char *exe, const char *mode)
{
	p->target.pid = 4242;
	p->target.exe = strdup(exe);
	p->target.runtime = strdup("c");
	p->mode = strdup(mode);
	p->end = strdup("target-exited");
	p->exit_status = 0;
	p->duration_ns = 2000000000;
	p->probe_cost_ns = 38;
}

/*
 * Four called attributes (added out of rank order) and one never called.
 * get_user: 9000 calls in the 1024ns slot and 1000 in the 2^20 ns slot with
 * max 1.2ms, so p50 = 1024 + 256 * 5000 / 9000 = 1166, p90 = 1280 and
 * p99 = 2^20 + (1200000 - 2^20) * 900 / 1000 = 1184857.
 */
static void golden_profile(struct profile *p)
{
	struct prof_attr *a;

	set_target(p, "/opt/demo/bin/shop", "timed");
	p->dropped.stack_depth = 12;
	p->unattributed[LOCK_MUTEX].count = 3;
	p->unattributed[LOCK_MUTEX].total_ns = 1200000;

	a = add(p, "shop", "set_name");
	timed_at(a, 40, 98304);
	a->threads = 1;
	add(p, "shop", "unused");
	a = add(p, "libshop.so", "cart_total");
	timed_at(a, 150, 196608);
	a->threads = 2;
	a = add(p, "shop", "get_user");
	a->count = 10012;
	a->timed = 10000;
	a->hist[hist__slot(1024)] = 9000;
	a->hist[hist__slot(1 << 20)] = 1000;
	a->max_ns = 1200000;
	a->total_ns = 1150000000;
	a->threads = 8;
	a->locks[LOCK_MUTEX].count = 2;
	a->locks[LOCK_MUTEX].total_ns = 1000000;
	a->locks[LOCK_GIL].count = 1;
	a->locks[LOCK_GIL].total_ns = 500000;
	a = add(p, "shop", "get_name");
	timed_at(a, 40, 98304);
	a->threads = 1;
}

Test(report, units_ns)
{
	char b[UNITS_BUF];

	cr_assert_str_eq(units__ns(b, sizeof(b), 0), "0ns");
	cr_assert_str_eq(units__ns(b, sizeof(b), 812), "812ns");
	cr_assert_str_eq(units__ns(b, sizeof(b), 999), "999ns");
	cr_assert_str_eq(units__ns(b, sizeof(b), 1000), "1.00us");
	cr_assert_str_eq(units__ns(b, sizeof(b), 1254), "1.25us");
	cr_assert_str_eq(units__ns(b, sizeof(b), 1255), "1.26us");
	cr_assert_str_eq(units__ns(b, sizeof(b), 9995), "10.0us");
	cr_assert_str_eq(units__ns(b, sizeof(b), 999499), "999us");
	cr_assert_str_eq(units__ns(b, sizeof(b), 999500), "1.00ms");
	cr_assert_str_eq(units__ns(b, sizeof(b), 1000000), "1.00ms");
	cr_assert_str_eq(units__ns(b, sizeof(b), 3400000), "3.40ms");
	cr_assert_str_eq(units__ns(b, sizeof(b), 2100000000), "2.10s");
	cr_assert_str_eq(units__ns(b, sizeof(b), 999499999999), "999s");
	cr_assert_str_eq(units__ns(b, sizeof(b), 999500000000), "1000s");
	cr_assert_str_eq(units__ns(b, sizeof(b), 1234400000000), "1234s");
	cr_assert_str_eq(units__ns(b, sizeof(b), UINT64_MAX), "18446744074s");
}

Test(report, units_count_and_rate)
{
	char b[UNITS_BUF];

	cr_assert_str_eq(units__count(b, sizeof(b), 0), "0");
	cr_assert_str_eq(units__count(b, sizeof(b), 999), "999");
	cr_assert_str_eq(units__count(b, sizeof(b), 1000), "1.00k");
	cr_assert_str_eq(units__count(b, sizeof(b), 12345), "12.3k");
	cr_assert_str_eq(units__count(b, sizeof(b), 999499), "999k");
	cr_assert_str_eq(units__count(b, sizeof(b), 999500), "1.00M");
	cr_assert_str_eq(units__count(b, sizeof(b), 1000000), "1.00M");
	cr_assert_str_eq(units__count(b, sizeof(b), 4560000), "4.56M");
	cr_assert_str_eq(units__count(b, sizeof(b), UINT64_MAX), "18.4E");

	cr_assert_str_eq(units__rate(b, sizeof(b), 0.5), "0.50");
	cr_assert_str_eq(units__rate(b, sizeof(b), 12.34), "12.3");
	cr_assert_str_eq(units__rate(b, sizeof(b), 99.96), "100");
	cr_assert_str_eq(units__rate(b, sizeof(b), 999.4), "999");
	cr_assert_str_eq(units__rate(b, sizeof(b), 999.6), "1.00k");
	cr_assert_str_eq(units__rate(b, sizeof(b), 5006), "5.01k");
	cr_assert_str_eq(units__rate(b, sizeof(b), -1), "0.00");
}

Test(report, rank_total_then_count_then_name)
{
	struct profile p = {0};
	size_t order[5];

	set_target(&p, "/bin/x", "timed");
	add(&p, "b", "tie")->total_ns = 500;	/* 0 */
	add(&p, "a", "light")->total_ns = 10;	/* 1 */
	add(&p, "a", "tie")->total_ns = 500;	/* 2 */
	add(&p, "z", "heavy")->total_ns = 9000; /* 3 */
	add(&p, "z", "busier")->total_ns = 500; /* 4 */
	p.attrs[4].count = 7;
	cr_assert_eq(report__rank(&p, order), 5);
	/* heavy; then the 500ns ties: more calls first, then owner a before b. */
	cr_assert_eq(order[0], 3);
	cr_assert_eq(order[1], 4);
	cr_assert_eq(order[2], 2);
	cr_assert_eq(order[3], 0);
	cr_assert_eq(order[4], 1);
	profile__free(&p);
}

Test(report, rank_count_only_by_count)
{
	struct profile p = {0};
	size_t order[3];

	set_target(&p, "/bin/x", "count");
	add(&p, "o", "few")->count = 3;
	add(&p, "o", "many")->count = 300;
	/* A stray total must not outrank calls when latency was not measured. */
	add(&p, "o", "some")->count = 30;
	p.attrs[2].total_ns = 1000000;
	cr_assert_eq(report__rank(&p, order), 3);
	cr_assert_eq(order[0], 1);
	cr_assert_eq(order[1], 2);
	cr_assert_eq(order[2], 0);
	profile__free(&p);
}

Test(report, text_golden)
{
	/* clang-format off */
	static const char want[] =
		"target:  /opt/demo/bin/shop (pid 4242, runtime c)\n"
		"mode:    timed for 2.00s; probe cost 38ns subtracted per call\n"
		"end:     target-exited, exit status 0\n"
		"dropped: 12 stack_depth (accesses nested deeper than 16"
		" were counted but not timed)\n"
		"\n"
		/* Native functions get no cache advice: their writes are not seen. */
		"recommendations: none\n"
		"\n"
		"ATTRIBUTE           KIND/OP       COUNT CALLS/S    P50"
		"    P90    P99    MAX  TOTAL LOCK WAIT THREADS\n"
		"shop.get_user       function/call 10.0k   5.01k 1.17us"
		" 1.28us 1.18ms 1.20ms  1.15s    1.50ms       8\n"
		"libsho" ELLIPSIS ".cart_total  function/call   150    75.0  197us"
		"  197us  197us  197us 29.5ms         -       2\n"
		"shop.get_name       function/call    40    20.0 98.3us"
		" 98.3us 98.3us 98.3us 3.93ms         -       1\n"
		"shop.set_name       function/call    40    20.0 98.3us"
		" 98.3us 98.3us 98.3us 3.93ms         -       1\n"
		"\n"
		"latency histograms:\n"
		"shop.get_user              1.02us \u2588                   \u2581 1.31ms\n"
		"libshop.so.cart_total       197us \u2588 229us\n"
		"shop.get_name              98.3us \u2588 115us\n"
		"1 more attribute was probed but never called\n"
		"lock waits outside any traced access: 3 waits, 1.20ms\n";
	/* clang-format on */
	struct profile p = {0};
	char *got;

	golden_profile(&p);
	got = render(&p, REPORT_TEXT, false);
	cr_assert_str_eq(got, want, "got:\n%s", got);
	free(got);
	profile__free(&p);
}

Test(report, text_color_only_when_asked)
{
	struct profile p = {0};
	char *plain, *color;

	golden_profile(&p);
	plain = render(&p, REPORT_TEXT, false);
	color = render(&p, REPORT_TEXT, true);
	cr_assert_null(strchr(plain, '\033'));
	cr_assert_not_null(strstr(color, "\033[1mATTRIBUTE"));
	cr_assert_not_null(strstr(color, "\033[1;33mshop.get_user"));
	/* Only the top row is highlighted. */
	cr_assert_null(strstr(color, "\033[1;33mlibsho"));
	free(plain);
	free(color);
	profile__free(&p);
}

/* Display columns of each line: UTF-8 continuation bytes take none. */
static void assert_lines_fit(const char *s, size_t max)
{
	size_t cols = 0, line = 1;

	for (; *s; s++) {
		if (*s == '\n') {
			cr_assert_leq(cols, max, "line %zu is %zu columns", line, cols);
			cols = 0;
			line++;
		} else if (((unsigned char)*s & 0xc0) != 0x80) {
			cols++;
		}
	}
	cr_assert_eq(cols, 0, "output does not end with a newline");
}

Test(report, text_fits_100_columns)
{
	struct profile p = {0};
	char long_name[201], *got;
	struct prof_attr *a;

	memset(long_name, 'n', 200);
	long_name[200] = '\0';
	set_target(&p, "/opt/demo/bin/shop", "timed");
	free(p.target.exe);
	p.target.exe = strdup(long_name);
	a = profile__add_attr(&p, long_name, long_name, KIND_CACHED_PROPERTY, OP_DELETE);
	cr_assert_not_null(a);
	timed_at(a, 5, 1000);
	/* Largest possible figures: the numeric columns widen, ATTRIBUTE gives way. */
	a = add(&p, "lib.so", long_name);
	timed_at(a, 1, 1000);
	a->count = UINT64_MAX;
	a->total_ns = UINT64_MAX / 2;
	a->threads = UINT64_MAX;
	timed_at(add(&p, long_name, "short"), 3, 1000);
	p.dropped.stack_depth = 12;
	p.dropped.unmatched_returns = 99;

	got = render(&p, REPORT_TEXT, false);
	assert_lines_fit(got, 100);
	/* Cut names end in an ellipsis; a short name survives a long owner. */
	cr_assert_not_null(strstr(got, "nnn" ELLIPSIS " "));
	cr_assert_not_null(strstr(got, "n" ELLIPSIS ".short "));
	cr_assert_not_null(strstr(got, "target:  " ELLIPSIS "nnn"));
	free(got);
	profile__free(&p);
}

Test(report, text_shows_control_characters_as_question_marks)
{
	struct profile p = {0};
	char *got;

	set_target(&p, "/bin/x", "timed");
	timed_at(add(&p, "evil", "a\033[2Jb\xc2\x9bz"), 1, 1000);
	got = render(&p, REPORT_TEXT, false);
	cr_assert_null(strchr(got, '\033'));
	cr_assert_null(strstr(got, "\xc2\x9b"));
	cr_assert_not_null(strstr(got, "evil.a?[2Jb?z "));
	free(got);
	profile__free(&p);
}

Test(report, text_count_only_shows_dashes)
{
	/* clang-format off */
	static const char want[] =
		"target:  /bin/x (pid 4242, runtime c)\n"
		"mode:    count for 2.00s; latency not measured (entry probes only)\n"
		"end:     target-exited, exit status 0\n"
		"dropped: none\n"
		"\n"
		"recommendations: none\n"
		"\n"
		"ATTRIBUTE  KIND/OP       COUNT CALLS/S P50 P90 P99 MAX TOTAL LOCK WAIT THREADS\n"
		"o.many     function/call 1.50k     750   -   -   -   -     -         -       3\n"
		"o.few      function/call    12    6.00   -   -   -   -     -         -       1\n";
	/* clang-format on */
	struct profile p = {0};
	struct prof_attr *a;
	char *got;

	set_target(&p, "/bin/x", "count");
	a = add(&p, "o", "few");
	a->count = 12;
	a->threads = 1;
	a = add(&p, "o", "many");
	a->count = 1500;
	a->threads = 3;
	got = render(&p, REPORT_TEXT, false);
	cr_assert_str_eq(got, want, "got:\n%s", got);
	free(got);
	profile__free(&p);
}

Test(report, text_empty_profiles)
{
	struct profile p = {0};
	char *got;

	set_target(&p, "/bin/x", "timed");
	p.exit_status = -1;
	got = render(&p, REPORT_TEXT, false);
	cr_assert_not_null(strstr(got, "end:     target-exited\n"));
	cr_assert_not_null(strstr(got, "\nno attributes were probed\n"));
	free(got);
	add(&p, "o", "idle");
	add(&p, "o", "idler");
	got = render(&p, REPORT_TEXT, false);
	cr_assert_not_null(strstr(got, "\nnone of the 2 probed attributes was called\n"));
	cr_assert_null(strstr(got, "ATTRIBUTE"));
	free(got);
	profile__free(&p);
}

static json_int_t int_at(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	cr_assert(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

Test(report, json_schema_and_ranked_order)
{
	static const char *const want_names[] = {"get_user", "cart_total", "get_name", "set_name",
						 "unused"};
	static const char *const want_keys[] = {
		"schema",	   "profile_schema", "target",
		"duration_ns",	   "mode",	     "dropped",
		"recommendations", "attributes",     "unattributed_lock_wait_ns",
		"coverage",
	};
	struct profile p = {0};
	json_t *root, *attrs, *a, *lat, *lw;
	json_error_t jerr;
	const char *key;
	json_t *v;
	size_t i = 0;
	char *got;

	golden_profile(&p);
	got = render(&p, REPORT_JSON, false);
	root = json_loads(got, 0, &jerr);
	cr_assert_not_null(root, "line %d: %s", jerr.line, jerr.text);

	json_object_foreach(root, key, v)
	{
		cr_assert_lt(i, sizeof(want_keys) / sizeof(want_keys[0]));
		cr_assert_str_eq(key, want_keys[i++]);
	}
	cr_assert_eq(i, sizeof(want_keys) / sizeof(want_keys[0]));
	cr_assert_str_eq(json_string_value(json_object_get(root, "schema")), "attrprof.report/1");
	cr_assert_str_eq(json_string_value(json_object_get(root, "profile_schema")),
			 "attrprof.profile/4");
	cr_assert_eq(int_at(json_object_get(root, "target"), "pid"), 4242);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "target"), "exe")),
			 "/opt/demo/bin/shop");
	cr_assert(json_is_null(json_object_get(json_object_get(root, "target"), "build_id")));
	cr_assert_eq(int_at(root, "duration_ns"), 2000000000);
	cr_assert_eq(int_at(json_object_get(root, "dropped"), "stack_depth"), 12);
	cr_assert_eq(int_at(json_object_get(root, "dropped"), "map_full"), 0);
	cr_assert_eq(int_at(json_object_get(root, "unattributed_lock_wait_ns"), "count"), 3);
	cr_assert_eq(int_at(json_object_get(root, "unattributed_lock_wait_ns"), "total"), 1200000);

	attrs = json_object_get(root, "attributes");
	cr_assert_eq(json_array_size(attrs), 5);
	json_array_foreach(attrs, i, a)
	{
		cr_assert_eq(int_at(a, "rank"), (json_int_t)i + 1);
		cr_assert_str_eq(json_string_value(json_object_get(a, "name")), want_names[i]);
	}

	a = json_array_get(attrs, 0);
	cr_assert_str_eq(json_string_value(json_object_get(a, "owner")), "shop");
	cr_assert_str_eq(json_string_value(json_object_get(a, "kind")), "function");
	cr_assert_str_eq(json_string_value(json_object_get(a, "op")), "call");
	cr_assert_eq(int_at(a, "count"), 10012);
	cr_assert(json_is_real(json_object_get(a, "calls_per_s")));
	cr_assert_float_eq(json_real_value(json_object_get(a, "calls_per_s")), 5006.0, 1e-9);
	cr_assert_eq(int_at(a, "threads"), 8);
	lat = json_object_get(a, "latency_ns");
	cr_assert_eq(int_at(lat, "total"), 1150000000);
	cr_assert_eq(int_at(lat, "p50"), 1166);
	cr_assert_eq(int_at(lat, "p90"), 1280);
	cr_assert_eq(int_at(lat, "p99"), 1184857);
	cr_assert_eq(int_at(lat, "max"), 1200000);
	lw = json_object_get(a, "lock_wait_ns");
	cr_assert_eq(int_at(lw, "count"), 3);
	cr_assert_eq(int_at(lw, "total"), 1500000);

	json_decref(root);
	free(got);
	profile__free(&p);
}

Test(report, json_count_only_has_null_latency)
{
	struct profile p = {0};
	json_t *root, *a;
	char *got;

	set_target(&p, "/bin/x", "count");
	add(&p, "o", "f")->count = 4;
	p.duration_ns = 0;
	got = render(&p, REPORT_JSON, false);
	root = json_loads(got, 0, NULL);
	cr_assert_not_null(root);
	cr_assert_str_eq(json_string_value(json_object_get(root, "mode")), "count");
	a = json_array_get(json_object_get(root, "attributes"), 0);
	cr_assert(json_is_null(json_object_get(a, "latency_ns")));
	/* No duration, no rate: null rather than a made-up 0. */
	cr_assert(json_is_null(json_object_get(a, "calls_per_s")));
	json_decref(root);
	free(got);
	profile__free(&p);
}

Test(report, parse_format)
{
	enum report_format f = REPORT_JSON;

	cr_assert_eq(report__parse_format("text", &f), 0);
	cr_assert_eq(f, REPORT_TEXT);
	cr_assert_eq(report__parse_format("json", &f), 0);
	cr_assert_eq(f, REPORT_JSON);
	cr_assert_eq(report__parse_format("xml", &f), -EINVAL);
	cr_assert_eq(report__parse_format("JSON", &f), -EINVAL);
	cr_assert_eq(report__parse_format("", &f), -EINVAL);
	cr_assert_eq(report__parse_format(NULL, &f), -EINVAL);
	cr_assert_eq(f, REPORT_JSON);
}

Test(report, render_errors)
{
	struct profile p = {0};
	FILE *ro;

	set_target(&p, "/bin/x", "timed");
	cr_assert_eq(report__render(stdout, &p, (enum report_format)7, &(struct report_opts){0}),
		     -EINVAL);
	/* A stream that cannot be written: every renderer says -EIO. */
	ro = fopen("/dev/null", "r");
	cr_assert_not_null(ro);
	cr_assert_eq(report__render(ro, &p, REPORT_TEXT, &(struct report_opts){0}), -EIO);
	cr_assert_eq(report__render(ro, &p, REPORT_JSON, &(struct report_opts){0}), -EIO);
	fclose(ro);
	profile__free(&p);
}

Test(report, text_top_limits_the_rows)
{
	struct profile p = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	for (int i = 0; i < 5; i++) {
		char name[16];
		struct prof_attr *a;

		snprintf(name, sizeof(name), "get_%d", i);
		a = profile__add_attr(&p, "srv", name, KIND_FUNCTION, OP_CALL);
		cr_assert_not_null(a);
		a->count = 10 + i;
	}
	p.mode = strdup("count");
	f = open_memstream(&out, &len);
	cr_assert_eq(report__render(f, &p, REPORT_TEXT, &(struct report_opts){.top = 2}), 0);
	fclose(f);
	cr_assert_not_null(strstr(out, "srv.get_4"));
	cr_assert_not_null(strstr(out, "srv.get_3"));
	cr_assert_null(strstr(out, "srv.get_2"), "%s", out);
	cr_assert_not_null(strstr(out, "3 more attributes were called (--top 0 lists all)"), "%s",
			   out);
	free(out);
	profile__free(&p);
}

/* A Python profile that earns a cache, a shard and a slots recommendation. */
static void advised_profile(struct profile *p, const char *name)
{
	struct prof_attr *a;
	struct prof_class *c;

	set_target(p, "/usr/bin/python3", "timed");
	free(p->target.runtime);
	p->target.runtime = strdup("python");
	p->target.version = strdup("3.11.2");
	a = profile__add_attr(p, "Order", name, KIND_PROPERTY, OP_GET);
	cr_assert_not_null(a);
	timed_at(a, 42000, 2048);
	a->threads = 4;
	a = profile__add_attr(p, "Catalog", "rates", KIND_DESCRIPTOR, OP_GET);
	cr_assert_not_null(a);
	timed_at(a, 2000, 1 << 20);
	a->threads = 4;
	a->signals.repeat_reads = 1500;
	a->locks[LOCK_PYTHON].count = 1800;
	a->locks[LOCK_PYTHON].total_ns = 1500ULL << 20;
	c = profile__add_class(p, "Sample", NULL);
	cr_assert_not_null(c);
	c->allocs = 60000;
	c->dict = 1;
}

Test(report, text_recommendations_before_the_table)
{
	struct profile p = {0};
	char long_name[201], *got, *rec, *table;

	advised_profile(&p, "total");
	got = render(&p, REPORT_TEXT, false);
	rec = strstr(got, "\nrecommendations:\n1. ");
	table = strstr(got, "\nATTRIBUTE");
	cr_assert(rec && table && rec < table, "%s", got);
	cr_assert_not_null(strstr(got, "1. shard Catalog.rates (descriptor get): saves ~"), "%s",
			   got);
	cr_assert_not_null(strstr(got, "2. hoist Catalog.rates"), "%s", got);
	cr_assert_not_null(strstr(got, "3. cache Order.total (property get): saves ~43.0ms/s"),
			   "%s", got);
	cr_assert_not_null(strstr(got, "4. slots Sample (class): saves ~48B per instance\n"), "%s",
			   got);
	cr_assert_not_null(strstr(got, "bytes per instance 48B\n"), "%s", got);
	assert_lines_fit(got, 100);
	free(got);
	profile__free(&p);

	/* A name longer than a line is cut in the headline and in the how-to alike. */
	memset(long_name, 'n', 200);
	long_name[200] = '\0';
	advised_profile(&p, long_name);
	got = render(&p, REPORT_TEXT, false);
	assert_lines_fit(got, 100);
	free(got);
	profile__free(&p);
}

Test(report, json_recommendations)
{
	struct profile p = {0};
	json_t *root, *recs, *r, *ev;
	char *got;

	advised_profile(&p, "total");
	got = render(&p, REPORT_JSON, false);
	root = json_loads(got, 0, NULL);
	cr_assert_not_null(root);
	recs = json_object_get(root, "recommendations");
	cr_assert_eq(json_array_size(recs), 4);
	r = json_array_get(recs, 2);
	cr_assert_str_eq(json_string_value(json_object_get(r, "action")), "cache");
	cr_assert_str_eq(json_string_value(json_object_get(r, "owner")), "Order");
	cr_assert_str_eq(json_string_value(json_object_get(r, "name")), "total");
	cr_assert_str_eq(json_string_value(json_object_get(r, "kind")), "property");
	cr_assert_str_eq(json_string_value(json_object_get(r, "op")), "get");
	cr_assert_float_eq(json_real_value(json_object_get(r, "saved_ns_per_s")),
			   42000 * 2048 / 2.0, 1e-3);
	ev = json_object_get(json_object_get(r, "evidence"), "mean read");
	cr_assert_float_eq(json_real_value(json_object_get(ev, "value")), 2048, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(ev, "threshold")), 1000, 1e-9);
	cr_assert_str_eq(json_string_value(json_object_get(ev, "unit")), "ns");
	cr_assert_not_null(
		strstr(json_string_value(json_object_get(r, "how_to")), "cached_property"));
	cr_assert_not_null(json_string_value(json_object_get(r, "estimate")));
	/* slots: a class, its bytes for information (no threshold). */
	r = json_array_get(recs, 3);
	cr_assert_str_eq(json_string_value(json_object_get(r, "kind")), "class");
	cr_assert(json_is_null(json_object_get(r, "name")));
	ev = json_object_get(json_object_get(r, "evidence"), "bytes per instance");
	cr_assert(json_is_null(json_object_get(ev, "threshold")));
	json_decref(root);
	free(got);
	profile__free(&p);
}

Test(report, text_says_what_the_processes_did)
{
	struct profile p = {0};
	struct prof_proc_event *e;
	char long_path[201], *got;

	memset(long_path, 'd', 200);
	long_path[0] = '/';
	long_path[200] = '\0';
	set_target(&p, "/opt/demo/bin/shop", "timed");
	p.target.ns_pid = 7;
	p.process.present = 1;
	e = profile__add_proc_event(&p, "fork", NULL);
	e->pid = 4242;
	e->child = 4300;
	e->followed = 1;
	profile__add_proc_event(&p, "fork", NULL)->pid = 4242;
	e = profile__add_proc_event(&p, "exec", "/bin/sh");
	e->pid = 4242;
	e->at_ns = 1200000000;
	profile__add_changed_file(&p, long_path, "deleted", "/proc/4242/map_files/1-2");
	timed_at(add(&p, "shop", "get_user"), 3, 1000);

	got = render(&p, REPORT_TEXT, false);
	assert_lines_fit(got, 100);
	cr_assert_not_null(strstr(got, "(pid 4242, 7 in its namespace, runtime c)"), "%s", got);
	cr_assert_not_null(strstr(got, "process: pid 4242 exec'd at 1.20s"), "%s", got);
	cr_assert_not_null(strstr(got, "process: followed 1 child, counted with the target\n"));
	cr_assert_not_null(
		strstr(got, "process: 1 child forked, not traced (--follow-forks traces them)\n"));
	cr_assert_not_null(strstr(got, "ddd was deleted on disk: probed through its mapping\n"),
			   "%s", got);
	free(got);
	profile__free(&p);
}
