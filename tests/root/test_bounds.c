// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Resource bounds: a workload with more functions, Python attributes,
 * classes or lock entries than the limits allow. The run goes on (exit 0),
 * what is kept is exact, and what is dropped is counted exactly, in the
 * profile and as a warning on stderr. Also the schema 3 fields' reader.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "harness.h"

#define MANY_ACCESSORS build_path("targets/many_accessors")
#define PY_BOUNDS "tests/targets/py_bounds.py"

Test(bounds, functions_over_max_attrs_are_dropped_and_counted, .timeout = 120)
{
	char prof[256], out[4096], err[8192];
	char *argv[] = {ATTRPROF, "record", "-o", prof,		  "--max-attrs", "7",
			"--func", "acc_*",  "--", MANY_ACCESSORS, NULL};
	struct profile p = {};

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "many.json");
	cr_assert_eq(run_cmd(argv, out, sizeof(out), err, sizeof(err), 60000), 0, "%s", err);
	read_profile(prof, &p);
	/* 40 functions match: 7 are probed, each counted exactly; 33 are dropped. */
	cr_assert_eq(p.nattrs, 7, "%zu attributes", p.nattrs);
	for (size_t i = 0; i < p.nattrs; i++) {
		long truth = target_count(out, p.attrs[i].name);

		cr_assert_gt(truth, 0, "%s: the target did not call it", p.attrs[i].name);
		cr_assert_eq(p.attrs[i].count, (uint64_t)truth, "%s: profile %lu, target %ld",
			     p.attrs[i].name, (unsigned long)p.attrs[i].count, truth);
	}
	cr_assert_eq(p.dropped.attrs_over_limit, 33);
	cr_assert(strstr(err, "attrprof: warning: dropped 33 attrs_over_limit"), "%s", err);
	/* The maps' memory and the collector's peak RSS are reported. */
	cr_assert_gt(p.resources.map_bytes, 0);
	cr_assert_gt(p.resources.peak_rss_bytes, 0);
	profile__free(&p);
}

/*
 * What py_bounds printed for one run: "allocs Cc n" and "count Cc fa n" in
 * the order of first sight. Sums what a limit of max_attrs attributes and
 * max_classes classes keeps out, checking the kept ones against p.
 */
static void assert_python_bounds(const struct profile *p, const char *output, size_t max_attrs,
				 size_t max_classes)
{
	char *copy = strdup(output), *save = NULL;
	uint64_t over_attrs = 0, over_allocs = 0;
	size_t nattrs = 0, nclasses = 0;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char owner[32], name[32];
		unsigned long n;

		if (sscanf(line, "allocs %31s %lu", owner, &n) == 2) {
			const struct prof_class *c = find_class(p, owner);

			if (nclasses++ >= max_classes) {
				cr_assert_null(c, "class %s kept beyond --max-classes", owner);
				over_allocs += n;
				continue;
			}
			cr_assert_not_null(c, "class %s missing", owner);
			cr_assert_eq(c->allocs, n, "%s: %lu instances, workload made %lu", owner,
				     (unsigned long)c->allocs, n);
		} else if (sscanf(line, "count %31s %31s %lu", owner, name, &n) == 3) {
			const struct prof_attr *a = find_owned(p, owner, name);

			if (nattrs++ >= max_attrs) {
				cr_assert_null(a, "%s.%s kept beyond --max-attrs", owner, name);
				over_attrs += n;
				continue;
			}
			cr_assert_not_null(a, "%s.%s missing", owner, name);
			cr_assert_eq(a->count, n, "%s.%s: profile %lu, workload %lu", owner, name,
				     (unsigned long)a->count, n);
		}
	}
	free(copy);
	cr_assert_gt(nattrs, max_attrs, "the workload touched only %zu attributes", nattrs);
	cr_assert_gt(nclasses, max_classes, "the workload made only %zu classes", nclasses);
	cr_assert_eq(p->nattrs, max_attrs, "%zu attributes kept", p->nattrs);
	cr_assert_eq(p->nclasses, max_classes, "%zu classes kept", p->nclasses);
	cr_assert_eq(p->dropped.accesses_over_limit, over_attrs,
		     "dropped %lu accesses, expected %lu",
		     (unsigned long)p->dropped.accesses_over_limit, (unsigned long)over_attrs);
	cr_assert_eq(p->dropped.allocs_over_limit, over_allocs, "dropped %lu allocs, expected %lu",
		     (unsigned long)p->dropped.allocs_over_limit, (unsigned long)over_allocs);
	/* A dropped access still pairs its return: no unmatched returns. */
	cr_assert_eq(p->dropped.unmatched_returns, 0);
	cr_assert_eq(p->dropped.map_full, 0);
}

/*
 * Attaches to py_bounds, idle, so that the run's accesses are the first the
 * probes see; then one run over the limits.
 */
static void python_over_limits(const char *python, bool count_only)
{
	char *target_argv[] = {(char *)python, PY_BOUNDS, "--classes", "5", "--attrs", "3", NULL};
	char prof[256], pidbuf[16], output[4096] = "", want[128];
	char *tracer_argv[] = {ATTRPROF,
			       "attach",
			       "-p",
			       pidbuf,
			       "-o",
			       prof,
			       "--max-attrs",
			       "5",
			       "--max-classes",
			       "2",
			       count_only ? "--count-only" : "--no-locks",
			       NULL};
	struct proc tracer;
	struct profile p = {};

	skip_unless_tracing();
	if (access(python, X_OK))
		cr_skip_test("%s is not installed on this machine", python);
	temp_path(prof, sizeof(prof), "pybounds.json");
	attach_for_command(&tracer, target_argv, tracer_argv, pidbuf, "run", output,
			   sizeof(output));
	read_profile(prof, &p);
	assert_python_bounds(&p, output, 5, 2);
	snprintf(want, sizeof(want), "attrprof: warning: dropped %lu accesses_over_limit",
		 (unsigned long)p.dropped.accesses_over_limit);
	cr_assert(strstr(tracer.err, want), "%s", tracer.err);
	snprintf(want, sizeof(want), "attrprof: warning: dropped %lu allocs_over_limit",
		 (unsigned long)p.dropped.allocs_over_limit);
	cr_assert(strstr(tracer.err, want), "%s", tracer.err);
	profile__free(&p);
}

Test(bounds, python_attrs_and_classes_over_limits_debian, .timeout = 180)
{
	python_over_limits("/usr/bin/python3.11", false);
}

Test(bounds, python_attrs_and_classes_over_limits_3_13_count_only, .timeout = 180)
{
	python_over_limits("/root/.pyenv/versions/3.13.0/bin/python", true);
}

Test(bounds, lock_entries_over_limit_are_dropped_and_the_run_goes_on, .timeout = 120)
{
	char prof[256], out[4096], err[8192];
	char *argv[] = {ATTRPROF,    "record", "-o",	      prof,  "--max-lock-entries",
			"1",	     "--func", "model_get_*", "--",  ACCESSORS,
			"--threads", "4",      "--iters",     "300", NULL};
	struct profile p = {};
	size_t entries = 0;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "locks.json");
	cr_assert_eq(run_cmd(argv, out, sizeof(out), err, sizeof(err), 120000), 0, "%s", err);
	read_profile(prof, &p);
	/* The counts stay exact; blocked waits have room for one (attribute, kind, lock) entry. */
	for (size_t i = 0; i < p.nattrs; i++) {
		cr_assert_eq(p.attrs[i].count, (uint64_t)target_count(out, p.attrs[i].name), "%s",
			     p.attrs[i].name);
		for (int k = 0; k < LOCK_KINDS; k++)
			entries += p.attrs[i].locks[k].count > 0;
	}
	for (int k = 0; k < LOCK_KINDS; k++)
		entries += p.unattributed[k].count > 0;
	cr_assert_eq(entries, 1, "%zu lock entries kept", entries);
	cr_assert_eq(p.nlocks, 1);
	/*
	 * Two mutexes are contended by four threads: the waits on the other one
	 * are dropped. The target does not know how many of its locks blocked,
	 * so the count is checked against the warning, not against the truth.
	 */
	cr_assert_gt(p.dropped.lock_waits_over_limit, 0);
	cr_assert(strstr(err, "lock_waits_over_limit"), "%s", err);
	profile__free(&p);
}

/* Schema 3's additions are optional on read: a version 2 profile reads them as zero. */
Test(bounds, schema_3_fields_round_trip_and_default_to_zero)
{
	struct profile p = {
		.target = {.pid = 7, .exe = "/bin/t", .runtime = "c"},
		.mode = "count",
		.end = "duration",
		.exit_status = -1,
		.dropped = {.accesses_over_limit = 11,
			    .allocs_over_limit = 22,
			    .lock_waits_over_limit = 33},
		.resources = {.map_bytes = 4096, .peak_rss_bytes = 8192},
	};
	struct profile back = {};
	json_t *root, *dropped;
	char path[256];

	temp_path(path, sizeof(path), "v3.json");
	cr_assert_eq(profile__write(&p, path), 0);
	read_profile(path, &back);
	cr_assert_eq(back.dropped.accesses_over_limit, 11);
	cr_assert_eq(back.dropped.allocs_over_limit, 22);
	cr_assert_eq(back.dropped.lock_waits_over_limit, 33);
	cr_assert_eq(back.resources.map_bytes, 4096);
	cr_assert_eq(back.resources.peak_rss_bytes, 8192);
	profile__free(&back);

	/* The same file as version 2 wrote it: no resources, no new drop counters. */
	root = json_load_file(path, 0, NULL);
	cr_assert_not_null(root);
	dropped = json_object_get(root, "dropped");
	json_object_set_new(root, "schema", json_string("attrprof.profile/2"));
	json_object_del(root, "resources");
	json_object_del(dropped, "accesses_over_limit");
	json_object_del(dropped, "allocs_over_limit");
	json_object_del(dropped, "lock_waits_over_limit");
	cr_assert_eq(json_dump_file(root, path, 0), 0);
	json_decref(root);
	read_profile(path, &back);
	cr_assert_eq(back.dropped.accesses_over_limit, 0);
	cr_assert_eq(back.dropped.lock_waits_over_limit, 0);
	cr_assert_eq(back.resources.map_bytes, 0);
	profile__free(&back);
}

Test(bounds, schema_3_fields_are_checked_when_present)
{
	struct profile p = {.target = {.pid = 7, .exe = "/bin/t", .runtime = "c"},
			    .mode = "count",
			    .end = "duration"};
	char path[256], err[512];
	json_t *root;

	temp_path(path, sizeof(path), "badres.json");
	cr_assert_eq(profile__write(&p, path), 0);
	root = json_load_file(path, 0, NULL);
	cr_assert_not_null(root);
	json_object_set_new(json_object_get(root, "dropped"), "allocs_over_limit",
			    json_integer(-1));
	json_object_set_new(json_object_get(root, "resources"), "map_bytes", json_string("1"));
	cr_assert_eq(json_dump_file(root, path, 0), 0);
	json_decref(root);
	cr_assert_neq(profile__read(path, &p, err, sizeof(err)), 0);
	cr_assert(strstr(err, "dropped.allocs_over_limit: expected a non-negative integer"), "%s",
		  err);
}
