// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * End to end: `attrprof attach` to a running accessors target, and the
 * lifecycle around it (SIGINT, the target exiting, attrprof killed).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "leaks.h"

static void start_target(struct proc *t, const char *threads)
{
	char *argv[] = {ACCESSORS, "--control", "--threads", (char *)threads, NULL};

	control_start(t, argv, 10000);
}

static void start_attach(struct proc *a, pid_t pid, const char *prof)
{
	char pidbuf[16];
	char *argv[] = {ATTRPROF,     "attach", "-p",	       pidbuf, "-o",
			(char *)prof, "--func", "model_get_*", NULL};

	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	tracer_start(a, argv, 30000);
}

Test(attach, counts_only_the_attached_window_and_sigint_writes_the_profile, .timeout = 180)
{
	char prof[256], before[1024], during[1024], after[1024];
	struct proc target, tracer;
	struct profile p = {};

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "attach.json");
	start_target(&target, "4");
	proc_command(&target, "run 300", before, sizeof(before), 60000);
	start_attach(&tracer, target.pid, prof);
	proc_command(&target, "run 250", during, sizeof(during), 60000);
	tracer_stop(&tracer);
	proc_command(&target, "run 100", after, sizeof(after), 60000);
	control_quit(&target, 10000);

	read_profile(prof, &p);
	cr_assert_str_eq(p.end, "signal");
	cr_assert_eq(p.target.pid, target.pid);
	/* Only the attached window counts: the batches before and after are not in it. */
	assert_accessor_counts(&p, during);
	profile__free(&p);
}

Test(attach, target_exiting_mid_trace_ends_with_a_complete_profile, .timeout = 120)
{
	char prof[256], out[1024];
	struct proc target, tracer;
	struct profile p = {};

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "exit.json");
	start_target(&target, "2");
	start_attach(&tracer, target.pid, prof);
	proc_command(&target, "run 200", out, sizeof(out), 60000);
	control_quit(&target, 10000);
	cr_assert_eq(proc_wait(&tracer, 60000), 0, "%s", tracer.err);
	read_profile(prof, &p);
	cr_assert_str_eq(p.end, "target-exited");
	cr_assert_eq(find_attr(&p, "model_get_plain")->count,
		     (uint64_t)target_count(out, "model_get_plain"));
	profile__free(&p);
}

Test(attach, duration_ends_the_trace, .timeout = 120)
{
	char prof[256], pidbuf[16], err[4096];
	char *argv[] = {ATTRPROF, "attach", "-p", pidbuf,	 "-d", "0.5",
			"-o",	  prof,	    "-f", "model_get_*", NULL};
	struct proc target;
	struct profile p = {};

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "duration.json");
	start_target(&target, "1");
	snprintf(pidbuf, sizeof(pidbuf), "%d", target.pid);
	cr_assert_eq(run_cmd(argv, NULL, 0, err, sizeof(err), 60000), 0, "%s", err);
	proc_send(&target, "quit");
	proc_wait(&target, 10000);
	read_profile(prof, &p);
	cr_assert_str_eq(p.end, "duration");
	cr_assert_geq(p.duration_ns, 500000000ULL);
	profile__free(&p);
}

Test(attach, sigkill_leaves_no_probe_behind, .timeout = 120)
{
	char prof[256], out[1024];
	struct proc target, tracer;
	struct bpf_ids ids;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "killed.json");
	start_target(&target, "1");
	start_attach(&tracer, target.pid, prof);
	leaks__bpf_ids(tracer.pid, &ids);
	cr_assert_geq(ids.nprog, 5, "attrprof holds %zu programs", ids.nprog);
	cr_assert_geq(ids.nlink, 5, "attrprof holds %zu links", ids.nlink);
	kill(tracer.pid, SIGKILL);
	proc_wait(&tracer, 10000);
	/* The kernel frees them once the last fd closes, after a grace period each. */
	leaks__assert_bpf_gone(&ids, 30000, "attrprof killed while tracing");
	leaks__assert_no_uprobe_link_on(target.pid, 30000, "attrprof killed while tracing");
	cr_assert_eq(leaks__code_changes(target.pid, NULL), 0,
		     "a probe's int3 is left in the code");
	/* And the target runs on, unharmed. */
	proc_command(&target, "run 10", out, sizeof(out), 60000);
	cr_assert_eq(target_count(out, "model_get_plain"), 10);
	cr_assert(access(prof, F_OK) != 0, "a killed attrprof left a profile");
	proc_send(&target, "quit");
	proc_wait(&target, 10000);
}
