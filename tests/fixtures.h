/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared fixtures of the unit suites: synthetic profiles and renderings
 * into a string (open_memstream), so that each suite asserts on bytes.
 */
#ifndef ATTRPROF_TESTS_FIXTURES_H
#define ATTRPROF_TESTS_FIXTURES_H

#include <stdint.h>
#include "diff.h"
#include "profile.h"
#include "report.h"

/*
 * The kind or op a name in probe/attrprof.h's tables stands for; fails the
 * test for a name no row has. For fixtures written with the names a
 * profile file uses.
 */
enum attr_kind fixture_kind(const char *name);
enum attr_op fixture_op(const char *name);

/* n timed calls all at ns, the lower bound of its slot, so every percentile is ns. */
void timed_at(struct prof_attr *a, uint64_t n, uint64_t ns);

/*
 * p rendered in fmt as o says (NULL: no options), NUL-terminated; caller frees.
 * Fails the test unless report__render returns want (0 for success).
 */
char *render_report(const struct profile *p, enum report_format fmt, const struct report_opts *o,
		    int want);

/* r rendered in fmt, NUL-terminated; caller frees. Fails the test unless diff__render returns want.
 */
char *render_diff(const struct diff_result *r, enum diff_format fmt, int want);

#endif /* ATTRPROF_TESTS_FIXTURES_H */
