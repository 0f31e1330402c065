// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * End to end: lock waits come from the blocking path and are told apart by
 * kind. tests/targets/lock_kinds blocks once, for certain, in each of six
 * accessors, each on another kind of lock; every wait must land on its
 * accessor as its kind, in timed mode (uprobe sessions), in count-only mode
 * (no return probes: the frames' return addresses tell which are live) and
 * the way kernels without sessions are traced (a return probe on every call).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

#define LOCK_KINDS_TARGET build_path("targets/lock_kinds")

static const struct {
	const char *accessor;
	enum lock_kind kind;
} waits[] = {
	{"lock_wait_mutex", LOCK_MUTEX},   {"lock_wait_timed_mutex", LOCK_MUTEX},
	{"lock_wait_rwlock", LOCK_RWLOCK}, {"lock_wait_sem", LOCK_SEM},
	{"lock_wait_timed_sem", LOCK_SEM}, {"lock_wait_cond", LOCK_COND},
};

/* Records the target with the extra flag (or none), under ATTRPROF_NO_SESSIONS=no_sessions. */
static void record_kinds(const char *flag, const char *no_sessions, struct profile *p)
{
	char prof[256], out[4096], err[8192];
	char *argv[] = {ATTRPROF, "record",	 "-o", prof,
			"-f",	  "lock_wait_*", "--", (char *)LOCK_KINDS_TARGET,
			NULL,	  NULL};
	int code;

	skip_unless_tracing();
	if (flag) {
		memmove(&argv[3], &argv[2], 7 * sizeof(*argv));
		argv[2] = (char *)flag;
	}
	temp_path(prof, sizeof(prof), "kinds.json");
	setenv("ATTRPROF_NO_SESSIONS", no_sessions, 1);
	code = run_cmd(argv, out, sizeof(out), err, sizeof(err), 60000);
	unsetenv("ATTRPROF_NO_SESSIONS");
	cr_assert_eq(code, 0, "%s", err);
	read_profile(prof, p);
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		cr_assert_eq(find_attr(p, waits[i].accessor)->count,
			     (uint64_t)target_count(out, waits[i].accessor), "%s",
			     waits[i].accessor);
}

/*
 * Each accessor blocked on its lock once (a condvar's waiter may also block
 * once more, on its mutex, as it wakes: still inside pthread_cond_wait), and
 * on nothing else.
 */
static void assert_kinds(const struct profile *p)
{
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		const struct prof_attr *a = find_attr(p, waits[i].accessor);
		uint64_t most = waits[i].kind == LOCK_COND ? 2 : 1;

		char seen[256] = "";
		size_t used = 0;

		for (int k = 0; k < LOCK_KINDS; k++)
			used += snprintf(seen + used, sizeof(seen) - used, " %s %lu",
					 profile__lock_kind_name(k),
					 (unsigned long)a->locks[k].count);
		for (int k = 0; k < LOCK_KINDS; k++) {
			uint64_t n = a->locks[k].count;

			if (k == (int)waits[i].kind)
				cr_assert(n >= 1 && n <= most, "%s waits:%s", waits[i].accessor,
					  seen);
			else
				cr_assert_eq(n, 0, "%s waits:%s", waits[i].accessor, seen);
		}
	}
	cr_assert_eq(p->dropped.lock_waits_over_limit, 0);
}

static const char *coverage_of(const struct profile *p, const char *kind)
{
	for (size_t i = 0; i < p->ncoverage; i++)
		if (!strcmp(p->coverage[i].kind, kind))
			return p->coverage[i].status;
	return "(missing)";
}

Test(lock_kinds, timed_with_sessions, .timeout = 90)
{
	struct profile p = {};

	record_kinds(NULL, "0", &p);
	cr_assert_str_eq(p.timing.policy, "sample");
	assert_kinds(&p);
	cr_assert_str_eq(coverage_of(&p, "lock_wait"), "exact");
	/* Each accessor's one call was timed, and blocked for as long as its wait. */
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		const struct prof_attr *a = find_attr(&p, waits[i].accessor);

		cr_assert_eq(a->timed, 1, "%s", waits[i].accessor);
		cr_assert_geq(a->total_ns, a->locks[waits[i].kind].total_ns, "%s",
			      waits[i].accessor);
	}
	profile__free(&p);
}

Test(lock_kinds, count_only, .timeout = 90)
{
	struct profile p = {};

	record_kinds("--count-only", "0", &p);
	cr_assert_str_eq(p.mode, "count");
	assert_kinds(&p);
	profile__free(&p);
}

Test(lock_kinds, without_sessions, .timeout = 90)
{
	struct profile p = {};

	record_kinds(NULL, "1", &p);
	cr_assert_str_eq(p.timing.policy, "every call");
	assert_kinds(&p);
	profile__free(&p);
}
