// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attach and detach again and again on one running process: it keeps
 * running, each window's counts are exact, its output never changes, and
 * nothing is left behind, neither in it nor in the kernel.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "leaks.h"

#define C_CYCLES 50
/*
 * Python gets fewer cycles: each costs about a second more than a C one
 * (the CPython programs' verification and the workload's round), and the
 * C target already runs the fifty.
 */
#define PY_CYCLES 10
/* Attach and detach while the target's threads run through the probed functions. */
#define MID_RUN_CYCLES 10
#define PYTHON "/root/.pyenv/versions/3.11.7/bin/python"
#define PY_WORKLOAD "tests/targets/py_workload.py"
#define OUT_MAX 16384

/* A running --control target and what an untraced round printed. */
struct cycling {
	struct proc target;
	const char *round;  /* the command of one round */
	char *const *extra; /* attrprof attach's arguments after -p PID -o FILE */
	char reference[OUT_MAX];
	int fds; /* the target's fd count before any cycle */
	long rss_kb[C_CYCLES];
};

/* Each "calls NAME N" line the target printed against the profile. */
static void assert_c_counts(const struct profile *p, const char *during, int cycle)
{
	static const char *const funcs[] = {"model_get_plain", "model_get_locked",
					    "model_get_outer", "model_get_inner", "model_get_tree"};

	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct prof_attr *a = find_attr(p, funcs[i]);
		long truth = target_count(during, funcs[i]);

		cr_assert_not_null(a, "cycle %d: %s missing", cycle, funcs[i]);
		cr_assert_gt(truth, 0);
		cr_assert_eq(a->count, (uint64_t)truth, "cycle %d: %s counted %lu, target made %ld",
			     cycle, funcs[i], (unsigned long)a->count, truth);
	}
}

/* Each "count", "errors" and "allocs" line py_workload.py printed against the profile. */
static void assert_py_counts(const struct profile *p, const char *during, int cycle)
{
	char *copy = strdup(during), *save = NULL;
	size_t checked = 0;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char what[16], owner[64], name[64], kind[32], op[16];
		const struct prof_attr *a;
		unsigned long n, got = 0;

		cr_assert_eq(
			sscanf(l, "%15s %63s %63s %31s %15s %lu", what, owner, name, kind, op, &n),
			6, "unexpected workload line: %s", l);
		if (!strcmp(what, "allocs")) {
			for (size_t i = 0; i < p->nclasses; i++)
				if (!strcmp(p->classes[i].owner, owner))
					got = p->classes[i].allocs;
		} else if ((a = find_py_attr(p, owner, name, kind, op))) {
			got = !strcmp(what, "errors") ? a->errors : a->count;
		}
		cr_assert_eq(got, n, "cycle %d: %s %s.%s %s %s: profile %lu, workload %lu", cycle,
			     what, owner, name, kind, op, got, n);
		checked++;
	}
	free(copy);
	cr_assert_gt(checked, 20, "the workload printed only %zu lines", checked);
}

/*
 * One cycle: attach, check the probes are in the code, run a round, SIGINT,
 * then check the counts and that everything attrprof had is gone.
 */
static void cycle(struct cycling *c, int i,
		  void (*assert_counts)(const struct profile *, const char *, int))
{
	char prof[256], pidbuf[16], during[OUT_MAX], needle[64];
	char *argv[16] = {ATTRPROF, "attach", "-p", pidbuf, "-o", prof};
	struct proc tracer;
	struct bpf_ids ids;
	struct profile p = {};
	size_t n = 6;
	int code;

	for (size_t k = 0; c->extra[k]; k++)
		argv[n++] = c->extra[k];
	argv[n] = NULL;
	snprintf(pidbuf, sizeof(pidbuf), "%d", c->target.pid);
	temp_path(prof, sizeof(prof), "cycle.json");
	proc_start(&tracer, argv);
	cr_assert(proc_wait_err(&tracer, TRACING_READY, 60000), "cycle %d: never ready: %s", i,
		  tracer.err);
	leaks__bpf_ids(tracer.pid, &ids);
	cr_assert(ids.nprog && ids.nlink && ids.nmap, "cycle %d: %zu programs, %zu links, %zu maps",
		  i, ids.nprog, ids.nlink, ids.nmap);
	/* The checks below can fail: while attached, the code holds breakpoints, the kernel links.
	 */
	cr_assert_gt(leaks__code_changes(c->target.pid, NULL), 0, "cycle %d: no probe in the code",
		     i);
	cr_assert_gt(leaks__uprobe_links_on(c->target.pid), 0, "cycle %d: no link on the target",
		     i);

	proc_command(&c->target, c->round, during, sizeof(during), 120000);
	kill(tracer.pid, SIGINT);
	code = proc_wait(&tracer, 60000);
	cr_assert_eq(code, 0, "cycle %d: attrprof exit %d: %s", i, code, tracer.err);
	cr_assert_str_eq(during, c->reference, "cycle %d: the target's output changed", i);
	read_profile(prof, &p);
	assert_counts(&p, during, i);
	profile__free(&p);
	unlink(prof);

	snprintf(needle, sizeof(needle), "cycle %d", i);
	leaks__assert_bpf_gone(&ids, 10000, needle);
	leaks__assert_no_uprobe_link_on(c->target.pid, 10000, needle);
	{
		unsigned long where = 0;
		size_t changed = leaks__code_changes(c->target.pid, &where);

		cr_assert_eq(changed, 0, "cycle %d: %zu bytes of code still changed, at 0x%lx", i,
			     changed, where);
	}
	/* libbpf names the tracefs probes it makes after its own PID. */
	snprintf(needle, sizeof(needle), "libbpf_%d_", tracer.pid);
	leaks__assert_no_uprobe_event(needle, "after a cycle");
	cr_assert_eq(leaks__fd_count(c->target.pid), c->fds,
		     "cycle %d: the target's fds went %d -> %d", i, c->fds,
		     leaks__fd_count(c->target.pid));
}

static void run_cycles(struct cycling *c, int cycles,
		       void (*assert_counts)(const struct profile *, const char *, int))
{
	char after[OUT_MAX];

	proc_command(&c->target, c->round, c->reference, sizeof(c->reference), 120000);
	c->fds = leaks__fd_count(c->target.pid);
	for (int i = 0; i < cycles; i++) {
		cycle(c, i, assert_counts);
		c->rss_kb[i] = leaks__rss_kb(c->target.pid);
	}
	/*
	 * Memory settles after the first cycles (the kernel's one [uprobes]
	 * page, the code pages the breakpoints copied, the allocator's
	 * arenas): from then on it must stay flat, not grow with each cycle.
	 */
	cr_assert_leq(c->rss_kb[cycles - 1], c->rss_kb[cycles / 5] + 64,
		      "the target's RSS grew from %ld kB (cycle %d) to %ld kB (cycle %d)",
		      c->rss_kb[cycles / 5], cycles / 5, c->rss_kb[cycles - 1], cycles - 1);
	proc_command(&c->target, c->round, after, sizeof(after), 120000);
	cr_assert_str_eq(after, c->reference, "the target's output changed after the cycles");
	proc_send(&c->target, "quit");
	cr_assert_eq(proc_wait(&c->target, 30000), 0, "the target: %s", c->target.err);
}

Test(safety, fifty_attach_detach_cycles_on_one_c_process, .timeout = 900)
{
	static char *const extra[] = {"--func", "model_get_*", NULL};
	char *argv[] = {ACCESSORS, "--control", "--threads", "2", NULL};
	struct cycling *c = calloc(1, sizeof(*c));

	skip_unless_tracing();
	cr_assert_not_null(c);
	c->round = "run 30";
	c->extra = extra;
	control_start(&c->target, argv, 10000);
	run_cycles(c, C_CYCLES, assert_c_counts);
	free(c);
}

Test(safety, attach_detach_cycles_on_one_python_process, .timeout = 900)
{
	/* Every call timed (errors, seen at the return, are exact then); the workload reads
	 * getsets. */
	static char *const extra[] = {"--time-every", "1", "--getsets", NULL};
	char *argv[] = {PYTHON, PY_WORKLOAD, "--control", "--threads", "2", NULL};
	struct cycling *c = calloc(1, sizeof(*c));

	skip_unless_tracing();
	if (access(PYTHON, X_OK))
		cr_skip_test("%s is not installed on this machine", PYTHON);
	cr_assert_not_null(c);
	c->round = "run";
	c->extra = extra;
	control_start(&c->target, argv, 30000);
	run_cycles(c, PY_CYCLES, assert_py_counts);
	free(c);
}

/*
 * The riskiest moments: probes put in and taken out while the target's
 * threads run through the probed functions, some of them inside one with
 * its return probe pending. Each "calls" count must still equal the
 * iterations the threads finished (tree: depth 3, four calls each).
 */
static void assert_consistent(const char *out)
{
	static const char *const once[] = {"model_get_plain", "model_get_locked", "model_get_outer",
					   "model_get_inner"};
	const char *it = strstr(out, "iterations ");
	long iterations = it ? strtol(it + strlen("iterations "), NULL, 10) : -1;

	cr_assert_gt(iterations, 0, "no iterations: %s", out);
	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		cr_assert_eq(target_count(out, once[i]), iterations, "%s: %s", once[i], out);
	cr_assert_eq(target_count(out, "model_get_tree"), 4 * iterations, "%s", out);
}

Test(safety, attach_detach_while_the_target_runs_changes_nothing, .timeout = 600)
{
	char *argv[] = {ACCESSORS, "--control", "--threads", "2", NULL};
	char pidbuf[16], prof[256], reference[OUT_MAX], out[OUT_MAX], label[32];
	char *att[] = {ATTRPROF, "attach", "-p",     pidbuf,	    "-d", "0.1",
		       "-o",	 prof,	   "--func", "model_get_*", NULL};
	struct proc target, tracer;
	struct bpf_ids ids;
	struct profile p = {};
	int fds;

	skip_unless_tracing();
	control_start(&target, argv, 10000);
	snprintf(pidbuf, sizeof(pidbuf), "%d", target.pid);
	proc_command(&target, "run 30", reference, sizeof(reference), 60000);
	fds = leaks__fd_count(target.pid);
	proc_send(&target, "start");
	for (int i = 0; i < MID_RUN_CYCLES; i++) {
		snprintf(label, sizeof(label), "mid-run cycle %d", i);
		temp_path(prof, sizeof(prof), "midrun.json");
		proc_start(&tracer, att);
		cr_assert(proc_wait_err(&tracer, TRACING_READY, 60000), "%s: %s", label,
			  tracer.err);
		leaks__bpf_ids(tracer.pid, &ids);
		cr_assert_eq(proc_wait(&tracer, 60000), 0, "%s: %s", label, tracer.err);
		read_profile(prof, &p);
		cr_assert_gt(find_attr(&p, "model_get_plain")->count, 0, "%s: nothing counted",
			     label);
		profile__free(&p);
		unlink(prof);
		leaks__assert_bpf_gone(&ids, 10000, label);
		leaks__assert_no_uprobe_link_on(target.pid, 10000, label);
		cr_assert_eq(leaks__code_changes(target.pid, NULL), 0, "%s: code still changed",
			     label);
		cr_assert_eq(leaks__fd_count(target.pid), fds, "%s: the target's fds changed",
			     label);
	}
	proc_command(&target, "stop", out, sizeof(out), 60000);
	assert_consistent(out);
	proc_command(&target, "run 30", out, sizeof(out), 60000);
	cr_assert_str_eq(out, reference, "the target's output changed after the mid-run cycles");
	proc_send(&target, "quit");
	cr_assert_eq(proc_wait(&target, 30000), 0, "the target: %s", target.err);
}
