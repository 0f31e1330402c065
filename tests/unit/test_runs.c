// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* runs: merging repeated runs into one profile, and the per-run series through the file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "harness.h"
#include "hist.h"
#include "profile.h"
#include "runs.h"

static void init(struct profile *p, int64_t pid)
{
	memset(p, 0, sizeof(*p));
	p->target.pid = pid;
	p->target.exe = strdup("/usr/bin/python3");
	p->target.runtime = strdup("python");
	p->mode = strdup("timed");
	p->end = strdup("target-exited");
	p->duration_ns = 1000;
}

/* n calls of owner.name at ns each, with lock_ns of pthread waits and off_ns off-CPU. */
static void add(struct profile *p, const char *owner, const char *name, uint64_t n, uint64_t ns,
		uint64_t lock_ns, uint64_t off_ns)
{
	struct prof_attr *a = profile__add_attr(p, owner, name, KIND_PROPERTY, OP_GET);

	cr_assert_not_null(a);
	a->count = a->timed = n;
	a->total_ns = n * ns;
	a->max_ns = ns;
	a->hist[hist__slot(ns)] = n;
	a->threads = 1;
	a->locks[LOCK_MUTEX].count = lock_ns ? 1 : 0;
	a->locks[LOCK_MUTEX].total_ns = lock_ns;
	a->locks[LOCK_MUTEX].max_ns = lock_ns;
	if (lock_ns)
		a->locks[LOCK_MUTEX].hist[hist__slot(lock_ns)] = 1;
	a->signals.off_cpu_ns = off_ns;
}

static const struct prof_attr *attr(const struct profile *p, const char *owner, const char *name)
{
	for (size_t i = 0; i < p->nattrs; i++)
		if (!strcmp(p->attrs[i].owner, owner) && !strcmp(p->attrs[i].name, name))
			return &p->attrs[i];
	cr_assert_fail("no %s.%s", owner, name);
	return NULL;
}

/* Three runs: A.x in all, B.y in the first two, C.z only in the last. */
static void merge_three(struct profile *acc)
{
	struct profile run;

	memset(acc, 0, sizeof(*acc));
	init(&run, 10);
	add(&run, "A", "x", 100, 1024, 50, 7);
	add(&run, "B", "y", 10, 200, 0, 0);
	cr_assert_eq(runs__merge(acc, &run, 0, 3), 0);
	init(&run, 11);
	add(&run, "B", "y", 20, 400, 0, 0);
	add(&run, "A", "x", 100, 3072, 0, 0);
	cr_assert_eq(runs__merge(acc, &run, 1, 3), 0);
	init(&run, 12);
	add(&run, "A", "x", 100, 2048, 0, 0);
	add(&run, "C", "z", 5, 100, 0, 0);
	cr_assert_eq(runs__merge(acc, &run, 2, 3), 0);
}

static void check_three(const struct profile *p)
{
	const struct prof_attr *x = attr(p, "A", "x"), *y = attr(p, "B", "y"),
			       *z = attr(p, "C", "z");

	cr_assert_eq(p->nruns, 3);
	cr_assert_eq(p->nattrs, 3);
	/* Sums over the runs, so every report reads the merged profile as one recording. */
	cr_assert_eq(x->count, 300);
	cr_assert_eq(x->total_ns, 100 * (1024 + 3072 + 2048));
	cr_assert_eq(x->max_ns, 3072);
	cr_assert_eq(hist__count(x->hist), 300);
	cr_assert_eq(x->locks[LOCK_MUTEX].total_ns, 50);
	cr_assert_eq(y->count, 30);
	cr_assert_eq(p->duration_ns, 3000);
	cr_assert_eq(p->target.pid, 10);
	/* Each run's own figures, zero where the run never called the attribute. */
	/* Slot bounds as values, so each run's p99 is exactly its value. */
	cr_assert_eq(x->runs[0].total_ns, 102400);
	cr_assert_eq(x->runs[1].total_ns, 307200);
	cr_assert_eq(x->runs[1].p99_ns, 3072);
	cr_assert_eq(x->runs[2].p99_ns, 2048);
	cr_assert_eq(x->runs[2].p50_ns, 2048);
	cr_assert_eq(x->runs[0].lock_ns, 50);
	cr_assert_eq(y->runs[1].count, 20);
	cr_assert_eq(y->runs[2].count, 0);
	cr_assert_eq(z->runs[0].count, 0);
	cr_assert_eq(z->runs[1].timed, 0);
	cr_assert_eq(z->runs[2].count, 5);
}

Test(runs, merge_sums_and_keeps_each_run)
{
	struct profile acc;

	merge_three(&acc);
	check_three(&acc);
	profile__free(&acc);
}

Test(runs, merge_refuses_another_runtime_and_bad_indexes)
{
	struct profile acc = {}, run;

	init(&run, 1);
	cr_assert_eq(runs__merge(&acc, &run, 0, 2), 0);
	init(&run, 2);
	free(run.target.runtime);
	run.target.runtime = strdup("c");
	cr_assert_eq(runs__merge(&acc, &run, 1, 2), -EINVAL);
	init(&run, 3);
	cr_assert_eq(runs__merge(&acc, &run, 2, 2), -EINVAL);
	init(&run, 4);
	cr_assert_eq(runs__merge(&acc, &run, 1, PROFILE_MAX_RUNS + 1), -EINVAL);
	profile__free(&acc);
}

Test(runs, series_survive_the_file)
{
	struct profile acc, back;
	char path[256], err[512];

	merge_three(&acc);
	temp_path(path, sizeof(path), "runs.json");
	cr_assert_eq(profile__write(&acc, path), 0);
	cr_assert_eq(profile__read(path, &back, err, sizeof(err)), 0, "%s", err);
	check_three(&back);
	profile__free(&acc);
	profile__free(&back);
}

Test(runs, reader_checks_the_series)
{
	char path[256], err[512], *cmd;
	struct profile acc, back;

	merge_three(&acc);
	temp_path(path, sizeof(path), "runs.json");
	cr_assert_eq(profile__write(&acc, path), 0);
	/* One run too few for the attribute: named, with what was expected. */
	cmd = sh(
		"python3 -c 'import json,sys; p=json.load(open(sys.argv[1]));"
		" p[\"attributes\"][0][\"runs\"].pop(); json.dump(p, open(sys.argv[1], \"w\"))' %s",
		path);
	free(cmd);
	cr_assert_eq(profile__read(path, &back, err, sizeof(err)), -EINVAL);
	cr_assert_not_null(strstr(err, "attributes[0].runs: expected 3 runs"), "%s", err);
	profile__free(&acc);
}

Test(runs, one_run_profiles_have_no_series)
{
	struct profile p, back;
	char path[256], err[512];

	init(&p, 1);
	add(&p, "A", "x", 1, 1, 0, 0);
	temp_path(path, sizeof(path), "one.json");
	cr_assert_eq(profile__write(&p, path), 0);
	cr_assert_eq(profile__read(path, &back, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(back.nruns, 1);
	cr_assert_null(back.attrs[0].runs);
	profile__free(&p);
	profile__free(&back);
}
