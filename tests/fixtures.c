// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <criterion/criterion.h>
#include "fixtures.h"
#include "hist.h"

enum attr_kind fixture_kind(const char *name)
{
	int k = profile__kind_of(name);

	cr_assert_geq(k, 0, "no attribute kind is called %s", name);
	return k;
}

enum attr_op fixture_op(const char *name)
{
	int op = profile__op_of(name);

	cr_assert_geq(op, 0, "no op is called %s", name);
	return op;
}

void timed_at(struct prof_attr *a, uint64_t n, uint64_t ns)
{
	a->count = a->timed = n;
	a->hist[hist__slot(ns)] = n;
	a->max_ns = ns;
	a->total_ns = n * ns;
}

char *render_report(const struct profile *p, enum report_format fmt, const struct report_opts *o,
		    int want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	cr_assert_not_null(f);
	ret = report__render(f, p, fmt, o ? o : &(struct report_opts){0});
	cr_assert_eq(ret, want, "report__render: %d, expected %d", ret, want);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

char *render_diff(const struct diff_result *r, enum diff_format fmt, int want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	cr_assert_not_null(f);
	ret = diff__render(f, r, fmt);
	cr_assert_eq(ret, want, "diff__render: %d, expected %d", ret, want);
	cr_assert_eq(fclose(f), 0);
	return buf;
}
