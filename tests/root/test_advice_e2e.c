// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * End to end: each workload of tests/targets/py_advice.py (and the C target
 * for shard) reproduces one situation; profiled for real, it must get its
 * action as the top recommendation for its attribute, and the quiet one
 * must get none.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "advise.h"
#include "harness.h"

#define PYTHON "/root/.pyenv/versions/3.11.7/bin/python"
#define ADVICE_WORKLOAD "tests/targets/py_advice.py"

static void skip_unless_usable(void)
{
	skip_unless_tracing();
	if (access(PYTHON, X_OK))
		cr_skip_test("%s is not installed on this machine", PYTHON);
}

/* Records scenario into p; prof (256 bytes) gets the file's path, kept for a failure's message. */
static void record_scenario(const char *scenario, struct profile *p, char *prof)
{
	char err[8192];
	char *argv[] = {ATTRPROF,	 "record",	   "-o", prof, "--", PYTHON,
			ADVICE_WORKLOAD, (char *)scenario, NULL};

	temp_path(prof, 256, "advice.json");
	cr_assert_eq(run_cmd(argv, NULL, 0, err, sizeof(err), 120000), 0, "%s", err);
	read_profile(prof, p);
}

/* The first recommendation about owner.name (op), or NULL. */
static const struct advice *first_for(const struct profile *p, const struct advice *v, size_t n,
				      const char *owner, const char *name, const char *op)
{
	for (size_t i = 0; i < n; i++) {
		const struct prof_attr *a;

		if (v[i].attr == SIZE_MAX)
			continue;
		a = &p->attrs[v[i].attr];
		if (!strcmp(a->owner, owner) && !strcmp(a->name, name) &&
		    !strcmp(profile__op_name(a->op), op))
			return &v[i];
	}
	return NULL;
}

static void expect_action(const char *scenario, const char *owner, const char *name, const char *op,
			  enum advice_action want)
{
	struct profile p = {};
	struct advice *v = NULL;
	const struct advice *a;
	char prof[256];
	size_t n = 0;

	skip_unless_usable();
	record_scenario(scenario, &p, prof);
	cr_assert_eq(advise__profile(&p, &v, &n), 0);
	a = first_for(&p, v, n, owner, name, op);
	cr_assert_not_null(a, "%s: no recommendation for %s.%s (%s); profile: %s", scenario, owner,
			   name, op, prof);
	cr_assert_eq(a->action, want, "%s: %s.%s got %s, expected %s", scenario, owner, name,
		     advise__action_name(a->action), advise__action_name(want));
	cr_assert_gt(a->nevidence, 0);
	free(v);
	profile__free(&p);
}

Test(advice, computed_property_gets_cache, .timeout = 120)
{
	expect_action("cache", "Invoice", "total", "get", ADVICE_CACHE);
}

Test(advice, repeated_decrypt_gets_hoist, .timeout = 120)
{
	expect_action("hoist", "Vault", "api_key", "get", ADVICE_HOIST);
}

Test(advice, concurrent_fetch_gets_coalesce, .timeout = 120)
{
	expect_action("coalesce", "Pricing", "rates", "get", ADVICE_COALESCE);
}

Test(advice, expensive_validation_gets_defer_validation, .timeout = 120)
{
	expect_action("defer", "Signup", "email", "set", ADVICE_DEFER_VALIDATION);
}

Test(advice, raising_writes_get_fix_errors, .timeout = 120)
{
	expect_action("errors", "Config", "version", "set", ADVICE_FIX_ERRORS);
}

Test(advice, many_dict_instances_get_slots, .timeout = 120)
{
	struct profile p = {};
	struct advice *v = NULL;
	bool found = false;
	char prof[256];
	size_t n = 0;

	skip_unless_usable();
	record_scenario("slots", &p, prof);
	cr_assert_eq(advise__profile(&p, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (v[i].action == ADVICE_SLOTS && v[i].cls != SIZE_MAX &&
		    !strcmp(p.classes[v[i].cls].owner, "Sample"))
			found = true;
	cr_assert(found, "no slots recommendation for Sample");
	free(v);
	profile__free(&p);
}

Test(advice, well_behaved_workload_gets_none, .timeout = 120)
{
	struct profile p = {};
	struct advice *v = NULL;
	char prof[256];
	size_t n = 0;

	skip_unless_usable();
	record_scenario("quiet", &p, prof);
	cr_assert_eq(advise__profile(&p, &v, &n), 0);
	cr_assert_eq(n, 0, "%zu recommendations, the first: %s", n,
		     n ? advise__action_name(v[0].action) : "");
	free(v);
	profile__free(&p);
}

/*
 * The lock is held across a sleep: the other three threads queue on it for
 * about three quarters of their time in model_get_locked, far above the
 * rule's 30%, however the scheduler interleaves them on a busy machine.
 */
Test(advice, contended_mutex_gets_shard, .timeout = 120)
{
	char prof[256], err[8192];
	char *argv[] = {ATTRPROF,    "record",	"-o",	     prof, "--func",  "model_get_*",
			"--",	     ACCESSORS, "--threads", "4",  "--iters", "200",
			"--hold-us", "200",	"--depth",   "0",  NULL};
	struct profile p = {};
	struct advice *v = NULL;
	const struct advice *a;
	size_t n = 0;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "shard.json");
	cr_assert_eq(run_cmd(argv, NULL, 0, err, sizeof(err), 120000), 0, "%s", err);
	read_profile(prof, &p);
	cr_assert_eq(advise__profile(&p, &v, &n), 0);
	a = first_for(&p, v, n, "accessors", "model_get_locked", "call");
	cr_assert_not_null(a, "no recommendation for model_get_locked (profile kept: %s)", prof);
	cr_assert_eq(a->action, ADVICE_SHARD, "got %s", advise__action_name(a->action));
	free(v);
	profile__free(&p);
}
