// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The target never changes behaviour: every workload of the manifest
 * (tests/targets/WORKLOADS) prints the same bytes and exits the same way
 * with and without `attrprof record`.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "workloads.h"

#define MAX_WORKLOADS 128
#define OUTPUT_MAX (1 << 20)

struct run {
	char *out; /* stdout, OUTPUT_MAX bytes */
	char err[8192];
	int code;
};

/* Runs argv to completion, failing the test if its stdout fills the buffer. */
static void run_capture(char *const argv[], struct run *r)
{
	r->out = calloc(1, OUTPUT_MAX);
	cr_assert_not_null(r->out);
	r->code = run_cmd(argv, r->out, OUTPUT_MAX, r->err, sizeof(r->err), 300000);
	cr_assert_lt(strlen(r->out), OUTPUT_MAX - 1, "%s printed more than the test keeps",
		     argv[0]);
}

/* Removes attrprof's own lines (and libbpf's) from a traced run's stderr, in place. */
static void strip_tracer_lines(char *err)
{
	char *dst = err, *line = err;

	while (*line) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line + 1) : strlen(line);

		if (strncmp(line, "attrprof", 8) && strncmp(line, "libbpf: ", 8)) {
			memmove(dst, line, len);
			dst += len;
		}
		line += len;
	}
	*dst = '\0';
}

static void check_workload(const struct workload *w)
{
	char prof[256], *rec[8 + 2 * WORKLOAD_MAX_FUNCS + WORKLOAD_MAX_ARGS];
	struct run plain, traced;
	struct profile p = {};
	size_t n = 0;

	temp_path(prof, sizeof(prof), "workload.json");
	rec[n++] = ATTRPROF;
	rec[n++] = "record";
	rec[n++] = "-o";
	rec[n++] = prof;
	for (size_t i = 0; w->funcs[i]; i++) {
		rec[n++] = "--func";
		rec[n++] = w->funcs[i];
	}
	rec[n++] = "--";
	for (size_t i = 0; w->argv[i]; i++)
		rec[n++] = w->argv[i];
	rec[n] = NULL;

	run_capture(w->argv, &plain);
	run_capture(rec, &traced);
	cr_assert_neq(plain.code, 127, "%s: %s did not start: %s", w->name, w->argv[0], plain.err);
	cr_assert_eq(traced.code, plain.code, "%s: exit %d traced, %d untraced: %s", w->name,
		     traced.code, plain.code, traced.err);
	cr_assert_str_eq(traced.out, plain.out, "%s: stdout changed under tracing", w->name);
	/* The profile is there and complete: the workload really ran traced. */
	read_profile(prof, &p);
	cr_assert_str_eq(p.end, "target-exited", "%s", w->name);
	cr_assert_eq(p.exit_status, plain.code, "%s", w->name);
	strip_tracer_lines(traced.err);
	cr_assert_str_eq(traced.err, plain.err, "%s: stderr changed under tracing", w->name);
	profile__free(&p);
	free(plain.out);
	free(traced.out);
}

Test(safety, every_workload_prints_the_same_traced_and_untraced, .timeout = 900)
{
	struct workload *v = calloc(MAX_WORKLOADS, sizeof(*v));
	size_t n;

	cr_assert_not_null(v);
	n = workloads__load(v, MAX_WORKLOADS);
	if (!can_trace())
		cr_skip_test("needs CAP_BPF and CAP_PERFMON (run the suite as root)");
	for (size_t i = 0; i < n; i++)
		check_workload(&v[i]);
	free(v);
}
