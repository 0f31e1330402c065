// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * End to end: targets that fork, exec and exit mid-trace (with and without
 * --follow-forks), binaries deleted or replaced on disk under a running
 * target (a deploy in place), and a target in its own PID and mount
 * namespace. Counts are compared with what the targets counted themselves.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "harness.h"
#include "workloads.h"

#define LIFECYCLE build_path("targets/lifecycle")
#define FUNC "life_get_value"

/*
 * Sends cmd and appends what the target prints up to "done" to log
 * (LOG_LEN bytes), less "child PID" lines: returns that PID, else 0.
 */
#define LOG_LEN 4096
static pid_t command(struct proc *t, const char *cmd, char *log)
{
	char line[256];
	pid_t child = 0;

	proc_send(t, cmd);
	for (;;) {
		cr_assert(proc_read_line(t, line, sizeof(line), 60000), "target stopped at '%s'",
			  cmd);
		if (!strcmp(line, "done"))
			return child;
		if (sscanf(line, "child %d", &child) == 1)
			continue;
		snprintf(log + strlen(log), LOG_LEN - strlen(log), "%s\n", line);
	}
}

/* Sum of the N of every "calls NAME N" line in log, of the target's own lines or its children's. */
static long sum_calls(const char *log, const char *prefix)
{
	char needle[128];
	long sum = 0;

	snprintf(needle, sizeof(needle), "%scalls %s ", prefix, FUNC);
	for (const char *p = log; (p = strstr(p, needle)); p += strlen(needle))
		if (p == log || p[-1] == '\n')
			sum += atol(p + strlen(needle));
	return sum;
}

/* attach -p pid -o prof -f glob [extra], ready to trace. */
static void start_attach(struct proc *a, pid_t pid, const char *prof, const char *glob,
			 const char *extra)
{
	char pidbuf[16];
	char *argv[] = {ATTRPROF,     "attach", "-p",	      pidbuf,	     "-o",
			(char *)prof, "--func", (char *)glob, (char *)extra, NULL};

	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	tracer_start(a, argv, 30000);
}

static const struct prof_proc_event *find_event(const struct profile *p, const char *event,
						pid_t pid)
{
	for (size_t i = 0; i < p->process.nevents; i++)
		if (!strcmp(p->process.events[i].event, event) && p->process.events[i].pid == pid)
			return &p->process.events[i];
	return NULL;
}

static bool traced_pid(const struct profile *p, pid_t pid)
{
	for (size_t i = 0; i < p->process.npids; i++)
		if (p->process.pids[i] == pid)
			return true;
	return false;
}

/* What the lifecycle target and its children say they did in fork_scenario. */
#define FORK_SCENARIO_LOG                                                                          \
	"calls " FUNC " 100\n"                                                                     \
	"child calls " FUNC " 300\n"                                                               \
	"child calls " FUNC " 50\n"                                                                \
	"calls " FUNC " 70\n"

/*
 * The lifecycle target under attach: runs some calls itself, forks a child
 * that calls and exits, forks one that calls and then execs this same
 * program (whose calls in the new program must never count), and quits.
 */
static void fork_scenario(bool follow, struct profile *p, char *log, pid_t *target, pid_t *forked,
			  pid_t *spawned)
{
	char *targv[] = {LIFECYCLE, "--control", NULL};
	struct proc t, a;
	char prof[256];
	int code;

	temp_path(prof, sizeof(prof), follow ? "follow.json" : "nofollow.json");
	control_start(&t, targv, 10000);
	start_attach(&a, t.pid, prof, "life_get_*", follow ? "--follow-forks" : NULL);
	log[0] = '\0';
	command(&t, "run 100", log);
	*forked = command(&t, "fork 300", log);
	*spawned = command(&t, "spawn 50 70", log);
	control_quit(&t, 10000);
	code = proc_wait(&a, 60000);
	cr_assert_eq(code, 0, "attach exit %d: %s", code, a.err);
	*target = t.pid;
	read_profile(prof, p);
	cr_assert(p->process.present, "no process section");
	cr_assert_str_eq(p->end, "target-exited");
	cr_assert(*forked > 0 && *spawned > 0, "no child PIDs");
	/* The target's 100, the forked child's 300, the spawned one's 50, then 70 after its exec.
	 */
	cr_assert_str_eq(log, FORK_SCENARIO_LOG);
}

Test(lifecycle, children_are_never_counted_without_follow_forks, .timeout = 120)
{
	pid_t target, forked, spawned;
	const struct prof_proc_event *e;
	char log[LOG_LEN];
	struct profile p = {};

	skip_unless_tracing();
	fork_scenario(false, &p, log, &target, &forked, &spawned);
	cr_assert_eq(find_attr(&p, FUNC)->count, 100);
	cr_assert(!p.process.follow_forks);
	cr_assert_eq(p.process.npids, 1);
	cr_assert_eq(p.process.pids[0], target);
	/* Both forks are reported, neither followed; the children's exits are not ours. */
	for (size_t i = 0; i < p.process.nevents; i++) {
		e = &p.process.events[i];
		cr_assert_eq(e->pid, target, "an event of PID %ld", (long)e->pid);
		if (!strcmp(e->event, "fork"))
			cr_assert(!e->followed && (e->child == forked || e->child == spawned));
	}
	e = find_event(&p, "exit", target);
	cr_assert_not_null(e, "the target's exit is not in the profile");
	cr_assert_eq(e->status, 0);
	cr_assert_eq(p.process.nevents, 3, "%zu events", p.process.nevents);
	profile__free(&p);
}

Test(lifecycle, follow_forks_counts_children_until_they_exec, .timeout = 120)
{
	pid_t target, forked, spawned;
	const struct prof_proc_event *e;
	char log[LOG_LEN];
	struct profile p = {};

	skip_unless_tracing();
	fork_scenario(true, &p, log, &target, &forked, &spawned);
	/* The target's own calls and its children's before any exec; not the exec'd program's. */
	cr_assert_eq(find_attr(&p, FUNC)->count, 100 + 300 + 50);
	cr_assert(p.process.follow_forks);
	cr_assert_eq(p.process.npids, 3);
	cr_assert_eq(p.process.pids[0], target);
	cr_assert(traced_pid(&p, forked) && traced_pid(&p, spawned));
	e = find_event(&p, "exit", forked);
	cr_assert(e && e->status == 0, "the followed child's exit");
	e = find_event(&p, "exec", spawned);
	cr_assert_not_null(e, "the followed child's exec");
	cr_assert_str_eq(e->filename, "/proc/self/exe");
	cr_assert_null(find_event(&p, "exit", spawned), "traced past its exec");
	profile__free(&p);
}

Test(lifecycle, exec_mid_trace_stops_counting_and_is_reported, .timeout = 120)
{
	char *targv[] = {LIFECYCLE, "--control", NULL};
	char prof[256], log[LOG_LEN] = "", line[256];
	const struct prof_proc_event *e;
	struct proc t, a;
	struct profile p = {};
	int code;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "exec.json");
	control_start(&t, targv, 10000);
	start_attach(&a, t.pid, prof, "life_get_*", NULL);
	command(&t, "run 100", log);
	/* The same program again, in the same process: its probes would fire, its calls must not
	 * count. */
	proc_send(&t, "exec 40");
	cr_assert(proc_read_line(&t, line, sizeof(line), 60000));
	cr_assert_str_eq(line, "calls " FUNC " 40");
	cr_assert_eq(proc_wait(&t, 10000), 0);
	code = proc_wait(&a, 60000);
	cr_assert_eq(code, 0, "attach exit %d: %s", code, a.err);
	read_profile(prof, &p);
	cr_assert_str_eq(p.end, "target-exited");
	cr_assert_eq(find_attr(&p, FUNC)->count, 100);
	e = find_event(&p, "exec", t.pid);
	cr_assert_not_null(e, "no exec event");
	cr_assert_str_eq(e->filename, "/proc/self/exe");
	cr_assert_gt(e->at_ns, 0);
	cr_assert_leq(e->at_ns, p.duration_ns);
	profile__free(&p);
}

/* record runs lifecycle --iters 500 --fork: the launch exec is no news, the child counts when
 * followed. */
static void record_fork(bool follow)
{
	char prof[256], out[1024] = "", err[8192];
	char *argv[] = {ATTRPROF,  "record",  "-o",  prof,     "-f", "life_get_*", "--",
			LIFECYCLE, "--iters", "500", "--fork", NULL, NULL};
	struct profile p = {};
	int code;

	if (follow) {
		/* Options go before "--": shift the command right by one. */
		memmove(&argv[7], &argv[6], 5 * sizeof(argv[0]));
		argv[6] = "--follow-forks";
	}
	temp_path(prof, sizeof(prof), "record-fork.json");
	code = run_cmd(argv, out, sizeof(out), err, sizeof(err), 60000);
	cr_assert_eq(code, 0, "exit %d: %s", code, err);
	read_profile(prof, &p);
	cr_assert_eq(sum_calls(out, ""), 500, "%s", out);
	cr_assert_eq(sum_calls(out, "child "), 500, "%s", out);
	cr_assert_eq(find_attr(&p, FUNC)->count, follow ? 1000 : 500);
	cr_assert_null(find_event(&p, "exec", p.target.pid), "the launch exec reported as news");
	cr_assert_not_null(find_event(&p, "fork", p.target.pid));
	cr_assert_eq(find_event(&p, "fork", p.target.pid)->followed, follow);
	cr_assert_eq(p.process.npids, follow ? 2 : 1);
	cr_assert_eq(p.exit_status, 0);
	profile__free(&p);
}

Test(lifecycle, record_does_not_report_its_own_launch_exec, .timeout = 120)
{
	skip_unless_tracing();
	record_fork(false);
}

Test(lifecycle, record_follow_forks_counts_the_child, .timeout = 120)
{
	skip_unless_tracing();
	record_fork(true);
}

/*
 * A copy of accessors runs from dir; then the file at its path is deleted,
 * or replaced by another program (rename, as deploy tools do). Attach must
 * probe the program the process runs, through its own mapping.
 */
static void deploy_in_place(bool replace)
{
	static const char *const funcs[] = {"model_get_plain", "model_get_locked",
					    "model_get_outer", "model_get_inner", "model_get_tree"};
	char dir[256], bin[300], next[310], prof[256], log[LOG_LEN] = "";
	char *targv[] = {bin, "--control", "--threads", "2", NULL};
	const struct prof_changed_file *f;
	struct proc t, a;
	struct profile p = {};

	temp_path(dir, sizeof(dir), "deploy");
	cr_assert_eq(mkdir(dir, 0755), 0);
	snprintf(bin, sizeof(bin), "%s/server", dir);
	snprintf(next, sizeof(next), "%s/server.new", dir);
	free(sh("cp %s %s", ACCESSORS, bin));
	control_start(&t, targv, 10000);
	if (replace) {
		free(sh("cp %s %s", LIFECYCLE, next));
		cr_assert_eq(rename(next, bin), 0);
	} else {
		cr_assert_eq(unlink(bin), 0);
	}
	temp_path(prof, sizeof(prof), "deploy.json");
	start_attach(&a, t.pid, prof, "model_get_*", NULL);
	command(&t, "run 200", log);
	tracer_stop(&a);
	control_quit(&t, 10000);

	read_profile(prof, &p);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct prof_attr *at = find_attr(&p, funcs[i]);

		cr_assert_not_null(at, "%s", funcs[i]);
		cr_assert_eq(at->count, (uint64_t)target_count(log, funcs[i]), "%s: %lu vs %ld",
			     funcs[i], (unsigned long)at->count, target_count(log, funcs[i]));
	}
	cr_assert_gt(find_attr(&p, "model_get_plain")->count, 0);
	cr_assert_eq(p.process.nchanged_files, 1);
	f = &p.process.changed_files[0];
	cr_assert(strstr(f->path, "/server") && !strstr(f->path, "deleted"), "%s", f->path);
	cr_assert_str_eq(f->on_disk, replace ? "replaced" : "deleted");
	cr_assert(strstr(f->read_via, "/map_files/"), "read via %s", f->read_via);
	cr_assert_str_eq(p.target.exe, f->path);
	profile__free(&p);
}

Test(lifecycle, binary_deleted_under_the_target_is_probed_through_its_mapping, .timeout = 120)
{
	skip_unless_tracing();
	deploy_in_place(false);
}

Test(lifecycle, binary_replaced_under_the_target_is_probed_through_its_mapping, .timeout = 120)
{
	skip_unless_tracing();
	deploy_in_place(true);
}

/* The PID of the only child of pid, from /proc/PID/task/PID/children; 0 if none yet. */
static pid_t only_child(pid_t pid)
{
	char path[96];
	pid_t child = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	f = fopen(path, "r");
	if (f && fscanf(f, "%d", &child) != 1)
		child = 0;
	if (f)
		fclose(f);
	return child;
}

/* A fresh empty directory under the test tree, its absolute path in abs (PATH_MAX bytes). */
static void container_dir(const char *name, char *abs)
{
	char dir[256];

	temp_path(dir, sizeof(dir), name);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_not_null(realpath(dir, abs));
}

/*
 * Runs sh -c "mount a tmpfs over dir && cmd" in new PID and mount
 * namespaces (what a container runtime does, less the image): files cmd
 * puts under dir exist only in there. Waits for "ready"; returns the host
 * PID of the process inside.
 */
static pid_t start_in_container(struct proc *t, const char *dir, const char *cmd)
{
	char script[4 * PATH_MAX];
	char *argv[] = {"/usr/bin/unshare",
			"--pid",
			"--mount",
			"--fork",
			"--mount-proc",
			"sh",
			"-c",
			script,
			NULL};
	pid_t host_pid;

	snprintf(script, sizeof(script), "mount -t tmpfs none %s && %s", dir, cmd);
	control_start(t, argv, 10000);
	host_pid = only_child(t->pid);
	cr_assert_gt(host_pid, 0, "no process inside the namespace");
	return host_pid;
}

/* Attaches to host_pid (with --func glob unless NULL), runs cmd, stops with SIGINT. */
static void attach_around(pid_t host_pid, struct proc *t, const char *prof, const char *glob,
			  const char *cmd, char *log)
{
	char pidbuf[16];
	char *argv[] = {ATTRPROF,     "attach", "-p",	      pidbuf, "-o",
			(char *)prof, "-f",	(char *)glob, NULL};
	struct proc a;

	snprintf(pidbuf, sizeof(pidbuf), "%d", host_pid);
	if (!glob)
		argv[6] = NULL;
	tracer_start(&a, argv, 60000);
	proc_command(t, cmd, log, LOG_LEN, 120000);
	tracer_stop(&a);
	control_quit(t, 30000);
}

Test(lifecycle, container_target_is_attached_by_host_pid, .timeout = 120)
{
	static const char *const funcs[] = {"model_get_plain", "model_get_outer", "model_get_tree"};
	char dir[PATH_MAX], cmd[3 * PATH_MAX], prof[256], log[LOG_LEN] = "";
	struct proc t;
	struct profile p = {};
	pid_t host_pid;

	skip_unless_tracing();
	container_dir("container", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s/server && exec %s/server --control --threads 2",
		 ACCESSORS, dir, dir);
	host_pid = start_in_container(&t, dir, cmd);
	temp_path(prof, sizeof(prof), "container.json");
	attach_around(host_pid, &t, prof, "model_get_*", "run 150", log);

	read_profile(prof, &p);
	cr_assert_eq(p.target.pid, host_pid);
	cr_assert_eq(p.target.ns_pid, 1, "ns_pid %ld", (long)p.target.ns_pid);
	cr_assert(strstr(p.target.exe, "/server"), "%s", p.target.exe);
	cr_assert_eq(p.process.nchanged_files, 0, "%s is no deploy in place",
		     p.process.nchanged_files ? p.process.changed_files[0].path : "");
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct prof_attr *at = find_attr(&p, funcs[i]);

		cr_assert_not_null(at, "%s", funcs[i]);
		cr_assert_gt(at->count, 0);
		cr_assert_eq(at->count, (uint64_t)target_count(log, funcs[i]), "%s", funcs[i]);
	}
	profile__free(&p);
}

/* The count of owner.name's op accesses in p, or -1 when it is not there. */
static long long attr_count(const struct profile *p, const char *owner, const char *name,
			    const char *op)
{
	for (size_t i = 0; i < p->nattrs; i++)
		if (!strcmp(p->attrs[i].owner, owner) && !strcmp(p->attrs[i].name, name) &&
		    !strcmp(profile__op_name(p->attrs[i].op), op))
			return p->attrs[i].count;
	return -1;
}

/*
 * CPython forks (os.fork, no exec): its per-thread state starts afresh in
 * the child and its attribute ids, keyed by type addresses the child shares,
 * stay right, so followed gets count under the same attribute.
 */
Test(lifecycle, python_follow_forks_counts_the_child_under_the_same_attribute, .timeout = 120)
{
	char prof[256], out[1024] = "", err[8192], perf_map[64],
			*python = (char *)workloads__python();
	char *argv[] = {ATTRPROF,
			"record",
			"-o",
			prof,
			"--follow-forks",
			"--",
			python,
			"tests/targets/py_fork.py",
			NULL};
	struct profile p = {};
	int code;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "py-fork.json");
	code = run_cmd(argv, out, sizeof(out), err, sizeof(err), 60000);
	cr_assert_eq(code, 0, "exit %d: %s", code, err);
	cr_assert_str_eq(out, "child Box value descriptor get 500\n"
			      "parent Box value descriptor get 300\n");
	read_profile(prof, &p);
	cr_assert_eq(attr_count(&p, "Box", "value", "get"), 800);
	cr_assert_eq(p.process.npids, 2);
	/* The child inherited record's perf trampoline and wrote its own map: record removes it. */
	snprintf(perf_map, sizeof(perf_map), "/tmp/perf-%" PRId64 ".map", p.process.pids[1]);
	cr_assert_neq(access(perf_map, F_OK), 0, "%s left behind", perf_map);
	profile__free(&p);
}

#define PYENV_312 "/root/.pyenv/versions/3.12.1"

/*
 * A deploy in place under CPython: the shared libpython it runs is deleted;
 * the interpreter is found and probed through the mapping.
 */
Test(lifecycle, libpython_deleted_under_python_is_probed_through_its_mapping, .timeout = 180)
{
	static const char src[] = PYENV_312 "/lib/libpython3.12.so.1.0";
	static const char get[] = "count Form email descriptor get ";
	char dir[PATH_MAX], lib[PATH_MAX + 32], prof[256], log[LOG_LEN] = "";
	char *targv[] = {PYENV_312 "/bin/python",
			 "tests/targets/py_workload.py",
			 "--control",
			 "--threads",
			 "2",
			 NULL};
	const struct prof_changed_file *f;
	struct proc t;
	struct profile p = {};
	const char *truth;

	skip_unless_tracing();
	if (access(src, R_OK))
		cr_skip_test("needs %s", src);
	container_dir("libpython", dir);
	snprintf(lib, sizeof(lib), "%s/libpython3.12.so.1.0", dir);
	free(sh("cp %s %s", src, lib));
	/* The interpreter's RUNPATH yields to LD_LIBRARY_PATH: it loads the copy. */
	setenv("LD_LIBRARY_PATH", dir, 1);
	control_start(&t, targv, 10000);
	unsetenv("LD_LIBRARY_PATH");
	cr_assert_eq(unlink(lib), 0);
	temp_path(prof, sizeof(prof), "libpython.json");
	attach_around(t.pid, &t, prof, NULL, "run", log);

	read_profile(prof, &p);
	cr_assert_str_eq(p.target.runtime, "python");
	cr_assert_eq(p.process.nchanged_files, 1);
	f = &p.process.changed_files[0];
	cr_assert_str_eq(f->path, lib);
	cr_assert_str_eq(f->on_disk, "deleted");
	truth = strstr(log, get);
	cr_assert_not_null(truth, "%s", log);
	cr_assert_gt(atoll(truth + strlen(get)), 0);
	cr_assert_eq(attr_count(&p, "Form", "email", "get"), atoll(truth + strlen(get)));
	profile__free(&p);
}

/* CPython in a container, its libpython at a path only the container sees. */
Test(lifecycle, container_python_finds_libpython_under_its_root, .timeout = 180)
{
	static const char get[] = "count Form email descriptor get ";
	char dir[PATH_MAX], cmd[3 * PATH_MAX], prof[256], log[LOG_LEN] = "", *truth;
	struct proc t;
	struct profile p = {};
	pid_t host_pid;

	skip_unless_tracing();
	if (access(PYENV_312 "/lib/libpython3.12.so.1.0", R_OK))
		cr_skip_test("needs CPython 3.12.1 from pyenv");
	container_dir("container-py", dir);
	snprintf(cmd, sizeof(cmd),
		 "cp " PYENV_312
		 "/lib/libpython3.12.so.1.0 %s/ && LD_LIBRARY_PATH=%s exec " PYENV_312
		 "/bin/python tests/targets/py_workload.py --control --threads 2",
		 dir, dir);
	host_pid = start_in_container(&t, dir, cmd);
	temp_path(prof, sizeof(prof), "container-py.json");
	attach_around(host_pid, &t, prof, NULL, "run", log);

	read_profile(prof, &p);
	cr_assert_str_eq(p.target.runtime, "python");
	cr_assert_eq(p.target.pid, host_pid);
	cr_assert_eq(p.target.ns_pid, 1);
	truth = strstr(log, get);
	cr_assert_not_null(truth, "%s", log);
	cr_assert_gt(atoll(truth + strlen(get)), 0);
	cr_assert_eq(attr_count(&p, "Form", "email", "get"), atoll(truth + strlen(get)));
	profile__free(&p);
}

/* More events than the probes keep: the first PROC_EVENTS are listed, the rest counted. */
Test(lifecycle, events_past_the_bound_are_counted_as_dropped, .timeout = 120)
{
	char *targv[] = {LIFECYCLE, "--control", NULL};
	char prof[256], log[LOG_LEN] = "", cmd[32];
	struct proc t, a;
	struct profile p = {};
	int code;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "many-forks.json");
	control_start(&t, targv, 10000);
	start_attach(&a, t.pid, prof, "life_get_*", NULL);
	snprintf(cmd, sizeof(cmd), "forks %d", PROC_EVENTS + 44);
	command(&t, cmd, log);
	control_quit(&t, 10000);
	code = proc_wait(&a, 60000);
	cr_assert_eq(code, 0, "attach exit %d: %s", code, a.err);
	read_profile(prof, &p);
	/* PROC_EVENTS + 44 forks and the target's exit. */
	cr_assert_eq(p.process.nevents, PROC_EVENTS);
	cr_assert_eq(p.process.dropped_events, 45);
	cr_assert(strstr(a.err, "warning: dropped 45 process events"), "%s", a.err);
	for (size_t i = 0; i < p.process.nevents; i++)
		cr_assert_str_eq(p.process.events[i].event, "fork");
	profile__free(&p);
}
