// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * End to end: `attrprof record` on the accessors target. Every count is
 * compared with what the target itself counted.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

/* No perf trampoline before 3.12: its perf map file would be one more descriptor. */
#define PYTHON_311 "/root/.pyenv/versions/3.11.7/bin/python"

static const char *const funcs[] = {"model_get_plain", "model_get_locked", "model_get_outer",
				    "model_get_inner", "model_get_tree"};

/*
 * Records the accessors target, timing every call (--time-every 1: the
 * sampling policy has a test of its own); returns attrprof's exit code,
 * target output in out.
 */
static int record(const char *prof, const char *threads, const char *iters, const char *depth,
		  char *out, size_t outlen, char *err, size_t errlen)
{
	char *argv[] = {ATTRPROF,  "record",	  "-o",		  (char *)prof,
			"--func",  "model_get_*", "--time-every", "1",
			"--",	   ACCESSORS,	  "--threads",	  (char *)threads,
			"--iters", (char *)iters, "--depth",	  (char *)depth,
			NULL};

	return run_cmd(argv, out, outlen, err, errlen, 120000);
}

/* Exact counts, and each accessor named as a C function call of the accessors target. */
static void assert_counts_match(const struct profile *p, const char *out)
{
	assert_accessor_counts(p, out);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct prof_attr *a = find_attr(p, funcs[i]);

		cr_assert_str_eq(a->owner, "accessors");
		cr_assert_eq(a->kind, KIND_FUNCTION);
		cr_assert_eq(a->op, OP_CALL);
	}
}

Test(record, counts_and_lock_waits_with_four_threads, .timeout = 180)
{
	char prof[256], out[4096], err[8192];
	struct profile p = {};
	struct prof_lock locked, inner, outer, plain;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "four.json");
	cr_assert_eq(record(prof, "4", "400", "3", out, sizeof(out), err, sizeof(err)), 0, "%s",
		     err);
	read_profile(prof, &p);
	assert_counts_match(&p, out);
	cr_assert_str_eq(p.target.runtime, "c");
	cr_assert_str_eq(p.end, "target-exited");
	cr_assert_eq(p.exit_status, 0);
	cr_assert_eq(find_attr(&p, "model_get_plain")->threads, 4);
	cr_assert_eq(p.dropped.stack_depth, 0);
	cr_assert_eq(p.dropped.unmatched_returns, 0);
	cr_assert_eq(p.dropped.map_full, 0);

	/* Waits land on the accessor that holds the contended lock, the innermost one. */
	profile__lock_total(find_attr(&p, "model_get_locked")->locks, &locked);
	profile__lock_total(find_attr(&p, "model_get_inner")->locks, &inner);
	profile__lock_total(find_attr(&p, "model_get_outer")->locks, &outer);
	profile__lock_total(find_attr(&p, "model_get_plain")->locks, &plain);
	cr_assert_gt(locked.count, 0);
	cr_assert_gt(locked.total_ns, 0);
	cr_assert_gt(inner.count, 0);
	cr_assert_eq(outer.count, 0, "outer got %lu waits of its callee",
		     (unsigned long)outer.count);
	cr_assert_eq(plain.count, 0);
	cr_assert_gt(find_attr(&p, "model_get_locked")->locks[LOCK_MUTEX].count, 0);
	/* Two mutexes, each waited on by the one accessor that takes it. */
	cr_assert_eq(p.nlocks, 2, "%zu locks", p.nlocks);
	for (size_t i = 0; i < p.nlocks; i++) {
		const char *user = p.attrs[p.locks[i].users[0].attr].name;

		cr_assert_eq(p.locks[i].nusers, 1);
		cr_assert(!strcmp(user, "model_get_locked") || !strcmp(user, "model_get_inner"),
			  "%s waited on a mutex", user);
	}

	/*
	 * Every call was timed. (Outer's time minus the probe costs inside it
	 * is not compared with inner's: with the machine loaded, the calibrated
	 * costs are estimates and the difference is within their noise.)
	 */
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct prof_attr *a = find_attr(&p, funcs[i]);

		cr_assert_eq(a->timed, a->count, "%s", funcs[i]);
		cr_assert_gt(a->max_ns, 0, "%s: no latency measured", funcs[i]);
	}
	profile__free(&p);
}

Test(record, single_thread_has_no_lock_wait, .timeout = 120)
{
	char prof[256], out[4096], err[8192];
	struct profile p = {};

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "one.json");
	cr_assert_eq(record(prof, "1", "300", "3", out, sizeof(out), err, sizeof(err)), 0, "%s",
		     err);
	read_profile(prof, &p);
	assert_counts_match(&p, out);
	for (size_t i = 0; i < p.nattrs; i++) {
		struct prof_lock l;

		profile__lock_total(p.attrs[i].locks, &l);
		cr_assert_eq(l.count, 0, "%s waited alone", p.attrs[i].name);
		cr_assert_eq(p.attrs[i].threads, 1);
	}
	profile__free(&p);
}

Test(record, recursion_deeper_than_the_stack_is_counted_and_reported, .timeout = 120)
{
	char prof[256], out[4096], err[8192];
	const struct prof_attr *tree;
	struct profile p = {};
	/* depth 20 is 21 nested calls per iteration; the stack holds MAX_STACK_DEPTH. */
	const long iters = 200, threads = 2, per_iter = 21;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "deep.json");
	cr_assert_eq(record(prof, "2", "200", "20", out, sizeof(out), err, sizeof(err)), 0, "%s",
		     err);
	read_profile(prof, &p);
	assert_counts_match(&p, out);
	tree = find_attr(&p, "model_get_tree");
	cr_assert_eq(tree->count, (uint64_t)(iters * threads * per_iter));
	cr_assert_eq(p.dropped.stack_depth,
		     (uint64_t)(iters * threads * (per_iter - MAX_STACK_DEPTH)));
	cr_assert_eq(tree->timed, (uint64_t)(iters * threads * MAX_STACK_DEPTH));
	cr_assert_eq(p.dropped.unmatched_returns, 0);
	profile__free(&p);
}

/*
 * The timing policy, exactly: with one thread pinned to one CPU, an
 * attribute's calls are that CPU's, the first TIME_ALL_CALLS of them are
 * timed and then every stride-th (none of these calls is slow).
 */
static uint64_t policy_timed(uint64_t calls, uint64_t stride)
{
	if (calls <= TIME_ALL_CALLS)
		return calls;
	return TIME_ALL_CALLS + calls / stride - TIME_ALL_CALLS / stride;
}

Test(record, sampled_timing_follows_the_policy, .timeout = 120)
{
	char prof[256], out[4096], err[8192];
	char *argv[] = {"/usr/bin/taskset",
			"-c",
			"0",
			ATTRPROF,
			"record",
			"-o",
			prof,
			"-f",
			"model_get_*",
			"--time-every",
			"5",
			"--",
			ACCESSORS,
			"--threads",
			"1",
			"--iters",
			"3000",
			"--depth",
			"0",
			NULL};
	struct profile p = {};

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "policy.json");
	cr_assert_eq(run_cmd(argv, out, sizeof(out), err, sizeof(err), 120000), 0, "%s", err);
	read_profile(prof, &p);
	assert_counts_match(&p, out);
	cr_assert_str_eq(p.timing.policy, "sample");
	cr_assert_eq(p.timing.stride, 5);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct prof_attr *a = find_attr(&p, funcs[i]);

		cr_assert_eq(a->timed, policy_timed(a->count, 5), "%s: %lu of %lu timed", funcs[i],
			     (unsigned long)a->timed, (unsigned long)a->count);
	}
	cr_assert_gt(find_attr(&p, "model_get_plain")->count, TIME_ALL_CALLS);
	/* Every call pushed a frame all the same: each return found its own. */
	cr_assert_eq(p.dropped.unmatched_returns, 0);
	profile__free(&p);
}

Test(record, count_only_mode_counts_exactly, .timeout = 120)
{
	char prof[256], out[4096], err[8192];
	char *argv[] = {ATTRPROF, "record",  "--count-only", "-o", prof,      "-f",  "model_get_*",
			"--",	  ACCESSORS, "--threads",    "3",  "--iters", "300", NULL};
	struct profile p = {};

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "count.json");
	cr_assert_eq(run_cmd(argv, out, sizeof(out), err, sizeof(err), 120000), 0, "%s", err);
	read_profile(prof, &p);
	assert_counts_match(&p, out);
	cr_assert_str_eq(p.mode, "count");
	cr_assert_eq(find_attr(&p, "model_get_plain")->timed, 0);
	profile__free(&p);
}

Test(record, passes_the_command_exit_status_through, .timeout = 60)
{
	char prof[256], err[8192];
	char *argv[] = {ATTRPROF,  "record",	     "-o", prof, "-f", "model_get_*", "--",
			ACCESSORS, "--no-such-flag", NULL};
	struct profile p = {};

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "status.json");
	/* The target's usage error is 64; the profile is still written. */
	cr_assert_eq(run_cmd(argv, NULL, 0, err, sizeof(err), 60000), 64, "%s", err);
	read_profile(prof, &p);
	cr_assert_eq(p.exit_status, 64);
	cr_assert_eq(find_attr(&p, "model_get_plain")->count, 0);
	profile__free(&p);
}

/*
 * The command gets the descriptors it would get untraced, and none of
 * attrprof's (BPF objects, pipes, pidfds), on every run: the second forks
 * while the first's links are still being let go of.
 */
Test(record, command_inherits_none_of_attrprofs_descriptors, .timeout = 120)
{
	char prof[256], plain_out[4096], traced_out[4096], err[8192];
	char *script = "import os; print(sorted(int(f) for f in os.listdir('/proc/self/fd')))";
	char *plain[] = {PYTHON_311, "-c", script, NULL};
	char *traced[] = {ATTRPROF, "record",	"--runs", "2",	  "-o", prof,
			  "--",	    PYTHON_311, "-c",	  script, NULL};

	skip_unless_tracing();
	if (access(PYTHON_311, X_OK))
		cr_skip_test("%s is not installed on this machine", PYTHON_311);
	temp_path(prof, sizeof(prof), "fds.json");
	cr_assert_eq(run_cmd(plain, plain_out, sizeof(plain_out), err, sizeof(err), 60000), 0, "%s",
		     err);
	cr_assert_eq(run_cmd(traced, traced_out, sizeof(traced_out), err, sizeof(err), 60000), 0,
		     "%s", err);
	/* Each run prints the list once. */
	cr_assert_eq(strlen(traced_out), 2 * strlen(plain_out), "untraced %s, traced %s", plain_out,
		     traced_out);
	cr_assert_eq(strncmp(traced_out, plain_out, strlen(plain_out)), 0, "untraced %s, traced %s",
		     plain_out, traced_out);
	cr_assert_str_eq(traced_out + strlen(plain_out), plain_out);
}
