// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * End to end on every CPython of this machine: record and attach
 * tests/targets/py_workload.py and compare each count, error, instance
 * count and lock wait with what the workload itself counted.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

#define WORKLOAD "tests/targets/py_workload.py"

struct interp {
	const char *python;
	unsigned int minor;
};

static void skip_unless_usable(const struct interp *in)
{
	skip_unless_tracing();
	if (access(in->python, X_OK))
		cr_skip_test("%s is not installed on this machine", in->python);
}

static const char *coverage_of(const struct profile *p, const char *kind)
{
	for (size_t i = 0; i < p->ncoverage; i++)
		if (!strcmp(p->coverage[i].kind, kind))
			return p->coverage[i].status;
	return "(missing)";
}

/* Whether this kind and op can be seen on an interpreter started without the trampoline. */
static bool observable_when_attached(const struct interp *in, const char *kind, const char *op)
{
	if (in->minor < 12)
		return true;
	return !(!strcmp(kind, "property") && !strcmp(op, "get")) && strcmp(kind, "getattribute");
}

/*
 * Checks every line the workload printed against the profile: "count" and
 * "errors" per (owner, name, kind, op), "allocs" per class. Lines of kinds
 * not observable are expected absent (or zero) instead.
 */
static void assert_matches(const struct profile *p, const char *output, const struct interp *in,
			   bool attached)
{
	char *copy = strdup(output), *save = NULL;
	size_t checked = 0;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char what[16], owner[64], name[64], kind[32], op[16];
		const struct prof_attr *a;
		unsigned long n;

		cr_assert_eq(sscanf(line, "%15s %63s %63s %31s %15s %lu", what, owner, name, kind,
				    op, &n),
			     6, "unexpected workload line: %s", line);
		checked++;
		if (!strcmp(what, "allocs")) {
			const struct prof_class *c = find_class(p, owner);

			cr_assert_not_null(c, "class %s missing from the profile", owner);
			cr_assert_eq(c->allocs, n, "%s: %lu instances, workload made %lu", owner,
				     (unsigned long)c->allocs, n);
			continue;
		}
		a = find_py_attr(p, owner, name, kind, op);
		if (attached && !observable_when_attached(in, kind, op)) {
			cr_assert(!a || !a->count, "%s.%s %s %s: counted %lu though not observable",
				  owner, name, kind, op, a ? (unsigned long)a->count : 0UL);
			continue;
		}
		cr_assert_not_null(a, "%s.%s %s %s missing from the profile", owner, name, kind,
				   op);
		if (!strcmp(what, "errors"))
			cr_assert_eq(a->errors, n, "%s.%s %s %s: %lu errors, workload saw %lu",
				     owner, name, kind, op, (unsigned long)a->errors, n);
		else
			cr_assert_eq(a->count, n, "%s.%s %s %s: profile %lu, workload %lu", owner,
				     name, kind, op, (unsigned long)a->count, n);
	}
	free(copy);
	cr_assert_gt(checked, 20, "the workload printed only %zu lines", checked);
}

/* Lock waits land on the contended descriptor, as threading.Lock waits, and nowhere else. */
static void assert_lock_waits(const struct profile *p)
{
	const struct prof_attr *shared = find_py_attr(p, "Shared", "value", "descriptor", "get");
	static const char *const quiet[][4] = {
		{"Form", "email", "descriptor", "get"},	   {"Form", "email", "descriptor", "set"},
		{"Account", "balance", "property", "set"}, {"Slotted", "x", "slot", "set"},
		{"Lazy", "virt_a", "getattr_hook", "get"},
	};

	cr_assert_not_null(shared);
	cr_assert_gt(shared->locks[LOCK_PYTHON].count, 0, "no threading.Lock wait on Shared.value");
	cr_assert_gt(shared->locks[LOCK_PYTHON].total_ns, 0);
	/* Told apart from the stack: CPython's lock acquire, not the sem_wait under it. */
	for (int k = 0; k < LOCK_KINDS; k++)
		if (k != LOCK_PYTHON && k != LOCK_GIL)
			cr_assert_eq(shared->locks[k].count, 0, "Shared.value: %lu %s waits",
				     (unsigned long)shared->locks[k].count,
				     profile__lock_kind_name(k));
	cr_assert_str_eq(coverage_of(p, "lock_wait"), "exact");
	cr_assert_str_eq(coverage_of(p, "gil_wait"), "exact");
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		const struct prof_attr *a =
			find_py_attr(p, quiet[i][0], quiet[i][1], quiet[i][2], quiet[i][3]);

		cr_assert_not_null(a, "%s.%s", quiet[i][0], quiet[i][1]);
		cr_assert_eq(a->locks[LOCK_PYTHON].count, 0, "%s.%s waited on a lock", quiet[i][0],
			     quiet[i][1]);
	}
}

/*
 * The signals behind the recommendations, against what the workload does:
 * Form.__dict__ is read N times on one instance with no write (N - 1
 * repeats), Form.email is written between reads (none), and each of the
 * readers of Shared.value reads the one instance again and again, sleeping
 * with the lock held while the others wait in flight.
 */
static void assert_signals(const struct profile *p, unsigned int threads)
{
	const struct prof_attr *dict = find_py_attr(p, "Form", "__dict__", "getset", "get");
	const struct prof_attr *email = find_py_attr(p, "Form", "email", "descriptor", "get");
	const struct prof_attr *shared = find_py_attr(p, "Shared", "value", "descriptor", "get");

	cr_assert(dict && email && shared);
	cr_assert_eq(dict->signals.repeat_reads, dict->count - 1, "Form.__dict__: %lu repeats",
		     (unsigned long)dict->signals.repeat_reads);
	cr_assert_eq(email->signals.repeat_reads, 0);
	cr_assert_eq(email->signals.concurrent, 0);
	cr_assert_eq(shared->signals.repeat_reads, shared->count - threads,
		     "Shared.value: %lu repeats", (unsigned long)shared->signals.repeat_reads);
	cr_assert_gt(shared->signals.concurrent, 0, "no concurrent reads of Shared.value");
	cr_assert_gt(shared->signals.off_cpu_ns, 0, "no off-CPU time inside Shared.value");
}

/* Lazy.real lives in the instance: its reads pass through the hook but never fall back. */
static void assert_no_false_fallback(const struct profile *p)
{
	const struct prof_attr *a = find_py_attr(p, "Lazy", "real", "getattr_hook", "get");

	cr_assert(!a || !a->count, "Lazy.real counted as %lu __getattr__ fallbacks",
		  a ? (unsigned long)a->count : 0UL);
}

static void check_record(const struct interp *in)
{
	char prof[256], traced[16384], untraced[16384], err[8192];
	/* Every call timed (errors, seen at the return, are exact then); the workload reads
	 * getsets. */
	char *rec[] = {ATTRPROF,	   "record", "-o",	  prof,
		       "--time-every",	   "1",	     "--getsets", "--",
		       (char *)in->python, WORKLOAD, NULL};
	char *plain[] = {(char *)in->python, WORKLOAD, NULL};
	struct profile p = {};
	char version[16];

	skip_unless_usable(in);
	temp_path(prof, sizeof(prof), "py.json");
	cr_assert_eq(run_cmd(plain, untraced, sizeof(untraced), err, sizeof(err), 120000), 0, "%s",
		     err);
	cr_assert_eq(run_cmd(rec, traced, sizeof(traced), err, sizeof(err), 180000), 0, "%s", err);
	cr_assert_str_eq(traced, untraced, "the workload's output changed under tracing");
	read_profile(prof, &p);
	cr_assert_str_eq(p.target.runtime, "python");
	snprintf(version, sizeof(version), "3.%u.", in->minor);
	cr_assert_eq(strncmp(p.target.version, version, strlen(version)), 0, "version %s",
		     p.target.version);
	assert_matches(&p, traced, in, false);
	assert_lock_waits(&p);
	assert_no_false_fallback(&p);
	assert_signals(&p, 4);
	cr_assert(find_class(&p, "Point")->dict, "Point instances carry a __dict__");
	cr_assert(!find_class(&p, "SlotPoint")->dict, "SlotPoint instances have no __dict__");
	cr_assert_str_eq(coverage_of(&p, "descriptor"), "exact");
	cr_assert_str_eq(coverage_of(&p, "property"), "exact");
	cr_assert_str_eq(coverage_of(&p, "getattribute"), "exact");
	cr_assert_str_eq(coverage_of(&p, "slot"), in->minor <= 10 ? "exact" : "partial");
	cr_assert_str_eq(coverage_of(&p, "cached_property"), "partial");
	cr_assert_eq(p.dropped.map_full + p.dropped.read_errors + p.dropped.unmatched_returns, 0,
		     "dropped: %lu map_full, %lu read_errors, %lu unmatched_returns",
		     (unsigned long)p.dropped.map_full, (unsigned long)p.dropped.read_errors,
		     (unsigned long)p.dropped.unmatched_returns);
	profile__free(&p);
}

static void check_attach(const struct interp *in)
{
	char *work[] = {(char *)in->python, WORKLOAD, "--control", NULL};
	char prof[256], pidbuf[16], before[16384], during[16384], after[16384];
	char *att[] = {ATTRPROF, "attach",	 "-p", pidbuf,	    "-o",
		       prof,	 "--time-every", "1",  "--getsets", NULL};
	struct proc target, tracer;
	struct profile p = {};

	skip_unless_usable(in);
	temp_path(prof, sizeof(prof), "pyattach.json");
	control_start(&target, work, 30000);
	proc_command(&target, "run", before, sizeof(before), 120000);
	snprintf(pidbuf, sizeof(pidbuf), "%d", target.pid);
	tracer_start(&tracer, att, 60000);
	proc_command(&target, "run", during, sizeof(during), 120000);
	tracer_stop(&tracer);
	proc_command(&target, "run", after, sizeof(after), 120000);
	control_quit(&target, 30000);
	/* Every round does the same: tracing changed nothing the workload can see. */
	cr_assert_str_eq(before, during);
	cr_assert_str_eq(during, after);

	read_profile(prof, &p);
	assert_matches(&p, during, in, true);
	assert_no_false_fallback(&p);
	assert_signals(&p, 4);
	assert_lock_waits(&p);
	if (in->minor >= 12) {
		cr_assert_str_eq(coverage_of(&p, "property"), "partial");
		cr_assert_str_eq(coverage_of(&p, "getattribute"), "none");
	}
	profile__free(&p);
}

/*
 * Two attrprof sessions on one libpython, each attached to its own target,
 * and each target run while both sessions' probes are in: every probe hit
 * runs both sessions' programs, the one whose PID filter turns the process
 * away too. Neither target may crash or change its output (a session whose
 * return is armed where %rsp has moved would crash it), and each profile
 * still counts exactly what its own target did.
 */
Test(python_attach, two_sessions_leave_each_other_s_target_whole, .timeout = 300)
{
	const struct interp in = {"/root/.pyenv/versions/3.11.7/bin/python", 11};
	char *work[] = {(char *)in.python, WORKLOAD, "--control", NULL};
	char prof[2][256], pidbuf[2][16], before[2][16384], during[2][16384];
	struct proc target[2], tracer[2];

	skip_unless_usable(&in);
	for (int i = 0; i < 2; i++) {
		char *att[] = {ATTRPROF, "attach",	 "-p", pidbuf[i],   "-o",
			       prof[i],	 "--time-every", "1",  "--getsets", NULL};

		temp_path(prof[i], sizeof(prof[i]), i ? "pytwo-b.json" : "pytwo-a.json");
		control_start(&target[i], work, 30000);
		proc_command(&target[i], "run", before[i], sizeof(before[i]), 120000);
		snprintf(pidbuf[i], sizeof(pidbuf[i]), "%d", target[i].pid);
		tracer_start(&tracer[i], att, 60000);
	}
	for (int i = 0; i < 2; i++)
		proc_command(&target[i], "run", during[i], sizeof(during[i]), 120000);
	for (int i = 0; i < 2; i++) {
		struct profile p = {};

		tracer_stop(&tracer[i]);
		control_quit(&target[i], 30000);
		cr_assert_str_eq(before[i], during[i], "target %d's output changed", i);
		read_profile(prof[i], &p);
		assert_matches(&p, during[i], &in, true);
		profile__free(&p);
	}
}

#define PYTHON_TESTS(tag, path, minor_)                                                            \
	Test(python_record, tag, .timeout = 300)                                                   \
	{                                                                                          \
		const struct interp in = {path, minor_};                                           \
		check_record(&in);                                                                 \
	}                                                                                          \
	Test(python_attach, tag, .timeout = 300)                                                   \
	{                                                                                          \
		const struct interp in = {path, minor_};                                           \
		check_attach(&in);                                                                 \
	}

PYTHON_TESTS(pyenv_3_9, "/root/.pyenv/versions/3.9.18/bin/python", 9)
PYTHON_TESTS(pyenv_3_10, "/root/.pyenv/versions/3.10.13/bin/python", 10)
PYTHON_TESTS(pyenv_3_11, "/root/.pyenv/versions/3.11.7/bin/python", 11)
PYTHON_TESTS(pyenv_3_12, "/root/.pyenv/versions/3.12.1/bin/python", 12)
PYTHON_TESTS(pyenv_3_13, "/root/.pyenv/versions/3.13.0/bin/python", 13)
PYTHON_TESTS(debian_3_11_stripped, "/usr/bin/python3.11", 11)

Test(python_errors, unsupported_python_is_refused_by_name)
{
	const struct interp in = {"/root/.pyenv/versions/3.8.18/bin/python", 8};
	char *argv[] = {ATTRPROF, "record", "--", (char *)in.python, "-c", "pass", NULL};
	char err[4096];

	skip_unless_usable(&in);
	cr_assert_eq(run_cmd(argv, NULL, 0, err, sizeof(err), 60000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "3.8"), "%s", err);
	cr_assert_not_null(strstr(err, "not supported"), "%s", err);
}

Test(python_errors, exited_process_is_refused)
{
	const struct interp in = {"/root/.pyenv/versions/3.12.1/bin/python", 12};
	char *py[] = {(char *)in.python, "-c", "pass", NULL};
	char pidbuf[16], err[4096];
	char *argv[] = {ATTRPROF, "attach", "-p", pidbuf, NULL};
	struct proc gone;

	skip_unless_usable(&in);
	proc_start(&gone, py);
	cr_assert_eq(proc_wait(&gone, 30000), 0);
	snprintf(pidbuf, sizeof(pidbuf), "%d", gone.pid);
	cr_assert_eq(run_cmd(argv, NULL, 0, err, sizeof(err), 60000), 2, "%s", err);
	cr_assert_not_null(strstr(err, "no such process"), "%s", err);
}

/* The number the workload printed after the line's first words, prefix; -1 when absent. */
static long workload_count(const char *output, const char *prefix)
{
	for (const char *l = output; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, strlen(prefix)) && l[strlen(prefix)] == ' ')
			return strtol(l + strlen(prefix) + 1, NULL, 10);
	return -1;
}

/*
 * By default the interpreter's C getsets are not probed (isinstance() reads
 * __class__ at every turn): the workload's __dict__ reads are nowhere, the
 * other kinds are all there, and coverage says how to see getsets.
 */
Test(python_record, getsets_only_when_asked, .timeout = 180)
{
	const struct interp in = {"/root/.pyenv/versions/3.11.7/bin/python", 11};
	char *rec[] = {ATTRPROF, "record", "-o", NULL, "--", (char *)in.python, WORKLOAD, NULL};
	char prof[256], out[16384], err[8192];
	struct profile p = {};

	skip_unless_usable(&in);
	temp_path(prof, sizeof(prof), "nogetsets.json");
	rec[3] = prof;
	cr_assert_eq(run_cmd(rec, out, sizeof(out), err, sizeof(err), 180000), 0, "%s", err);
	read_profile(prof, &p);
	for (size_t i = 0; i < p.nattrs; i++)
		cr_assert_neq(p.attrs[i].kind, KIND_GETSET, "%s.%s probed", p.attrs[i].owner,
			      p.attrs[i].name);
	cr_assert_eq(find_py_attr(&p, "Form", "email", "descriptor", "get")->count,
		     (uint64_t)workload_count(out, "count Form email descriptor get"));
	cr_assert_str_eq(coverage_of(&p, "getset"), "none");
	profile__free(&p);
}
