// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attrprof killed (SIGKILL) at any point: while it loads and attaches,
 * while it traces, while it writes the profile. After each kill no BPF
 * object of it is left in the kernel, no breakpoint in the target, the
 * target runs on with the right output, and the profile's final name holds
 * either the previous complete file or a complete new one. A temporary file
 * a killed writer leaves is removed by the next attrprof that writes there.
 *
 * The points come from one reference run under strace: the Nth bpf(2),
 * perf_event_open(2), openat(2), write(2), fsync(2) or rename(2) of
 * attrprof's main thread. strace holds attrprof still at that syscall
 * (inject=SYSCALL:delay_enter or delay_exit), the test reads which BPF
 * objects it holds from /proc/PID/fdinfo, then sends the SIGKILL itself.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "harness.h"
#include "leaks.h"

#define STRACE "/usr/bin/strace"
#define TRACED "bpf,perf_event_open,openat,write,fsync,rename"
#define MAX_POINTS 64
/* A load-phase point every BPF_EVERY bpf(2) calls, besides each link's creation. */
#define BPF_EVERY 10
#define OUT_MAX 4096

struct point {
	const char *syscall;
	long nr;	   /* its number, as /proc/PID/syscall shows it */
	unsigned int when; /* the Nth call of that syscall */
	bool at_exit;	   /* held after the call instead of before it */
	bool writing;	   /* after SIGINT: attrprof is writing the profile */
	char label[96];
};

struct kill_run {
	struct proc target;
	char pidbuf[16];
	char prof[256];
	char reference[OUT_MAX]; /* what an untraced round printed */
	char *previous;		 /* the profile at prof before this kill */
	size_t previous_len;
};

static void skip_unless_usable(void)
{
	skip_unless_tracing();
	if (access(STRACE, X_OK))
		cr_skip_test("%s is missing (scripts/setup installs it)", STRACE);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t size = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &size);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	*len = size;
	return buf;
}

/*
 * strace's child that runs attrprof, once it does: strace forks other
 * children of its own for a moment, to test what ptrace can do.
 */
static pid_t child_of(pid_t parent)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	for (int tries = 0; tries < 1000; tries++) {
		size_t len;
		char *s = slurp(path, &len), *p = s, *end;

		for (long pid; p && (pid = strtol(p, &end, 10)) > 0; p = end) {
			char comm_path[64], *comm;

			snprintf(comm_path, sizeof(comm_path), "/proc/%ld/comm", pid);
			comm = slurp(comm_path, &len);
			if (comm && !strcmp(comm, "attrprof\n")) {
				free(comm);
				free(s);
				return pid;
			}
			free(comm);
		}
		free(s);
		usleep(10000);
	}
	cr_assert_fail("strace %d never started attrprof", parent);
	return -1;
}

/* Whether pid sits in a ptrace stop at syscall nr. */
static bool stopped_at(pid_t pid, long nr)
{
	char path[64], *s;
	bool stopped = false;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	s = slurp(path, &len);
	if (s && strrchr(s, ')'))
		stopped = strrchr(s, ')')[2] == 't';
	free(s);
	if (!stopped)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	s = slurp(path, &len);
	stopped = s && strtol(s, NULL, 10) == nr;
	free(s);
	return stopped;
}

/*
 * Waits until strace holds pid at the point: stopped at the syscall for
 * 300 ms on end, far longer than strace keeps it at any other call.
 */
static void wait_held(struct proc *a, pid_t pid, const struct point *pt)
{
	int still = 0;

	for (int tries = 0; tries < 600 && still < 6; tries++) {
		if (kill(pid, 0)) {
			proc_wait(a, 30000);
			cr_assert_fail("%s: attrprof exited before the point: %s", pt->label,
				       a->err);
		}
		still = stopped_at(pid, pt->nr) ? still + 1 : 0;
		usleep(50000);
	}
	cr_assert_eq(still, 6, "%s: attrprof never stopped there", pt->label);
}

static void start_attach(struct proc *a, struct kill_run *k, const char *strace_opts[])
{
	char *argv[24];
	size_t n = 0;

	argv[n++] = STRACE;
	/* LeakSanitizer cannot work under ptrace; the cycles test finds the ASan build's leaks. */
	argv[n++] = "-E";
	argv[n++] = "ASAN_OPTIONS=detect_leaks=0";
	for (size_t i = 0; strace_opts[i]; i++)
		argv[n++] = (char *)strace_opts[i];
	argv[n++] = ATTRPROF;
	argv[n++] = "attach";
	argv[n++] = "-p";
	argv[n++] = k->pidbuf;
	argv[n++] = "-o";
	argv[n++] = k->prof;
	argv[n++] = "--func";
	argv[n++] = "model_get_*";
	argv[n] = NULL;
	proc_start(a, argv);
}

static void add_point(struct point *v, size_t *n, const char *syscall, long nr, unsigned int when,
		      bool at_exit, bool writing, const char *what)
{
	cr_assert_lt(*n, MAX_POINTS);
	v[*n] = (struct point){syscall, nr, when, at_exit, writing, ""};
	snprintf(v[*n].label, sizeof(v[*n].label), "%s #%u (%s), %s", syscall, when,
		 at_exit ? "after" : "before", what);
	(*n)++;
}

/*
 * One attach under strace, SIGINT once tracing, a profile written: the
 * syscalls it made, in order, give the kill points.
 */
static size_t plan(struct kill_run *k, struct point *v)
{
	const char *opts[] = {"-qq", "-o", NULL, "-e", "trace=" TRACED, NULL};
	unsigned int nbpf = 0, nperf = 0, nopen = 0, nwrite = 0, nfsync = 0, nrename = 0;
	unsigned int last_link = 0;
	char trace[256], line[4096], tmpfd[16] = "", tmpname[300];
	bool writing = false, first_write = true;
	struct proc a;
	size_t n = 0;
	FILE *f;
	int code;

	temp_path(trace, sizeof(trace), "strace.txt");
	opts[2] = trace;
	start_attach(&a, k, opts);
	cr_assert(proc_wait_err(&a, TRACING_READY, 60000), "reference run: %s", a.err);
	kill(child_of(a.pid), SIGINT);
	code = proc_wait(&a, 60000);
	cr_assert_eq(code, 0, "reference run: exit %d: %s", code, a.err);
	snprintf(tmpname, sizeof(tmpname), "\"%s.", k->prof);

	f = fopen(trace, "r");
	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "bpf(", 4)) {
			nbpf++;
			if (strstr(line, "BPF_LINK_CREATE")) {
				add_point(v, &n, "bpf", SYS_bpf, nbpf, false, false,
					  "a link's creation");
				last_link = nbpf;
			} else if (nbpf % BPF_EVERY == 1) {
				add_point(v, &n, "bpf", SYS_bpf, nbpf, false, writing,
					  writing ? "reading the maps" : "loading");
			}
		} else if (!strncmp(line, "perf_event_open(", 16)) {
			add_point(v, &n, "perf_event_open", SYS_perf_event_open, ++nperf, false,
				  false, "a tracepoint's event");
		} else if (!strncmp(line, "openat(", 7)) {
			nopen++;
			if (writing && strstr(line, tmpname) && strstr(line, "= ")) {
				add_point(v, &n, "openat", SYS_openat, nopen, false, true,
					  "creating the temporary file");
				add_point(v, &n, "openat", SYS_openat, nopen, true, true,
					  "the temporary file created");
				snprintf(tmpfd, sizeof(tmpfd), "write(%ld,",
					 strtol(strrchr(line, '=') + 1, NULL, 10));
			}
		} else if (!strncmp(line, "write(", 6)) {
			nwrite++;
			if (strstr(line, TRACING_READY))
				writing = true;
			if (tmpfd[0] && !strncmp(line, tmpfd, strlen(tmpfd)) && first_write) {
				add_point(v, &n, "write", SYS_write, nwrite, false, true,
					  "the profile's first bytes");
				first_write = false;
			}
		} else if (!strncmp(line, "fsync(", 6) && writing) {
			add_point(v, &n, "fsync", SYS_fsync, ++nfsync, false, true,
				  "the profile written, not synced");
		} else if (!strncmp(line, "rename(", 7) && writing) {
			add_point(v, &n, "rename", SYS_rename, ++nrename, false, true,
				  "the profile synced, not renamed");
			add_point(v, &n, "rename", SYS_rename, nrename, true, true,
				  "the profile renamed into place, probes still attached");
		}
	}
	fclose(f);
	cr_assert_gt(last_link, 0, "the reference run created no link");
	add_point(v, &n, "bpf", SYS_bpf, last_link, true, false, "every probe attached");
	cr_assert(tmpfd[0] && nfsync && nrename, "no profile written in the reference run");
	return n;
}

/* The temporary files next to the profile, removed if remove is set. */
static size_t temporaries(const char *prof)
{
	char *out = sh("ls -a %s.* 2>/dev/null | wc -l", prof);
	size_t n = strtoul(out, NULL, 10);

	free(out);
	return n;
}

/* Whether the point lies between the temporary's creation and its rename. */
static bool temporary_exists(const struct point *pt)
{
	if (!strcmp(pt->syscall, "openat"))
		return pt->at_exit;
	if (!strcmp(pt->syscall, "rename"))
		return !pt->at_exit;
	return !strcmp(pt->syscall, "fsync") || (!strcmp(pt->syscall, "write") && pt->writing);
}

/* Whether the point comes after rename(2) completed: the new profile is in place. */
static bool renamed(const struct point *pt)
{
	return !strcmp(pt->syscall, "rename") && pt->at_exit;
}

static void check_after_kill(struct kill_run *k, const struct point *pt, const struct bpf_ids *ids)
{
	char out[OUT_MAX];
	unsigned long where = 0;
	size_t changed, len = 0;
	char *now;

	leaks__assert_bpf_gone(ids, 10000, pt->label);
	leaks__assert_no_uprobe_link_on(k->target.pid, 10000, pt->label);
	changed = leaks__code_changes(k->target.pid, &where);
	cr_assert_eq(changed, 0, "%s: %zu bytes of the target's code still changed, at 0x%lx",
		     pt->label, changed, where);
	proc_command(&k->target, "run 20", out, sizeof(out), 60000);
	cr_assert_str_eq(out, k->reference, "%s: the target's output changed", pt->label);

	now = slurp(k->prof, &len);
	cr_assert_not_null(now, "%s: the profile %s is gone", pt->label, k->prof);
	if (renamed(pt)) {
		struct profile p = {};

		read_profile(k->prof, &p);
		profile__free(&p);
		free(k->previous);
		k->previous = now;
		k->previous_len = len;
	} else {
		cr_assert(len == k->previous_len && !memcmp(now, k->previous, len),
			  "%s: the profile changed though attrprof never renamed a new one",
			  pt->label);
		free(now);
	}
}

/*
 * A temporary is left exactly when attrprof died between its creation and
 * its rename; then the next writer removes it and says so.
 */
static void check_temporaries(struct kill_run *k, const struct point *pt)
{
	char *argv[] = {ATTRPROF, "attach", "-p",     k->pidbuf,     "-d", "0.1",
			"-o",	  k->prof,  "--func", "model_get_*", NULL};
	char err[8192];
	size_t left = temporaries(k->prof);

	cr_assert_eq(left, temporary_exists(pt), "%s: %zu temporary files left", pt->label, left);
	if (!left)
		return;
	cr_assert_eq(run_cmd(argv, NULL, 0, err, sizeof(err), 60000), 0, "%s: %s", pt->label, err);
	cr_assert_not_null(strstr(err, "removed"),
			   "%s: the next run said nothing of the temporary: %s", pt->label, err);
	cr_assert_eq(temporaries(k->prof), 0, "%s: the next run left the temporary", pt->label);
	free(k->previous);
	k->previous = slurp(k->prof, &k->previous_len);
}

static void kill_at(struct kill_run *k, const struct point *pt)
{
	char inject[128];
	const char *opts[] = {"-qq", "-o", "/dev/null", "-e", NULL, "-e", inject, NULL};
	char trace[64];
	struct bpf_ids ids;
	struct proc a;
	pid_t pid;

	snprintf(trace, sizeof(trace), "trace=%s", pt->syscall);
	opts[4] = trace;
	snprintf(inject, sizeof(inject), "inject=%s:%s=60s:when=%u", pt->syscall,
		 pt->at_exit ? "delay_exit" : "delay_enter", pt->when);
	start_attach(&a, k, opts);
	pid = child_of(a.pid);
	if (pt->writing) {
		cr_assert(proc_wait_err(&a, TRACING_READY, 60000), "%s: %s", pt->label, a.err);
		kill(pid, SIGINT);
	}
	wait_held(&a, pid, pt);
	leaks__bpf_ids(pid, &ids);
	kill(pid, SIGKILL);
	/* strace would hold on until the delay ends: it is done with. */
	kill(a.pid, SIGKILL);
	proc_wait(&a, 30000);
	check_after_kill(k, pt, &ids);
	check_temporaries(k, pt);
}

/* A plain SIGKILL, no strace, while the probes count a round of the target. */
static void kill_while_tracing(struct kill_run *k)
{
	char *argv[] = {ATTRPROF, "attach", "-p",	   k->pidbuf, "-o",
			k->prof,  "--func", "model_get_*", NULL};
	const struct point pt = {"(none)", -1, 0, false, false, "while tracing"};
	char out[OUT_MAX];
	struct bpf_ids ids;
	struct proc a;

	proc_start(&a, argv);
	cr_assert(proc_wait_err(&a, TRACING_READY, 60000), "%s", a.err);
	proc_command(&k->target, "run 20", out, sizeof(out), 60000);
	cr_assert_str_eq(out, k->reference, "the target's output changed under tracing");
	leaks__bpf_ids(a.pid, &ids);
	cr_assert(ids.nprog && ids.nlink && ids.nmap, "attrprof holds no BPF object");
	cr_assert_gt(leaks__code_changes(k->target.pid, NULL), 0, "no probe in the target's code");
	cr_assert_gt(leaks__uprobe_links_on(k->target.pid), 0, "no link on the target");
	kill(a.pid, SIGKILL);
	proc_wait(&a, 30000);
	check_after_kill(k, &pt, &ids);
	check_temporaries(k, &pt);
}

Test(safety, sigkill_at_any_point_of_attach_leaves_nothing_behind, .timeout = 900)
{
	char *argv[] = {ACCESSORS, "--control", "--threads", "2", NULL};
	struct kill_run *k = calloc(1, sizeof(*k));
	struct point *v = calloc(MAX_POINTS, sizeof(*v));
	size_t n;

	skip_unless_usable();
	cr_assert(k && v);
	control_start(&k->target, argv, 10000);
	snprintf(k->pidbuf, sizeof(k->pidbuf), "%d", k->target.pid);
	temp_path(k->prof, sizeof(k->prof), "killed.json");
	proc_command(&k->target, "run 20", k->reference, sizeof(k->reference), 60000);

	n = plan(k, v);
	k->previous = slurp(k->prof, &k->previous_len);
	cr_assert_not_null(k->previous, "the reference run wrote no profile");
	for (size_t i = 0; i < n; i++)
		kill_at(k, &v[i]);
	kill_while_tracing(k);
	cr_log_info("killed attrprof at %zu points", n + 1);

	control_quit(&k->target, 30000);
	free(k->previous);
	free(k);
	free(v);
}

/*
 * record's command is its child: killed, record leaves it running,
 * untraced, its output unchanged, with no probe in it.
 */
Test(safety, sigkill_of_record_leaves_the_command_running, .timeout = 120)
{
	char prof[256], reference[OUT_MAX], out[OUT_MAX], line[64], *s;
	char *plain[] = {ACCESSORS, "--threads", "2", "--iters", "20", NULL};
	char *argv[] = {ATTRPROF, "record",  "-o",	  prof,	       "--func", "model_get_*",
			"--",	  ACCESSORS, "--control", "--threads", "2",	 NULL};
	struct bpf_ids ids;
	struct proc r;
	pid_t child;
	int status;

	skip_unless_usable();
	temp_path(prof, sizeof(prof), "record-killed.json");
	cr_assert_eq(run_cmd(plain, reference, sizeof(reference), NULL, 0, 30000), 0);
	proc_start(&r, argv);
	cr_assert(proc_wait_err(&r, "attrprof: recording PID", 60000), "%s", r.err);
	s = strstr(r.err, "recording PID");
	child = strtol(s + strlen("recording PID"), NULL, 10);
	cr_assert(proc_read_line(&r, line, sizeof(line), 10000) && !strcmp(line, "ready"));
	proc_command(&r, "run 20", out, sizeof(out), 60000);
	cr_assert_str_eq(out, reference);
	leaks__bpf_ids(r.pid, &ids);
	cr_assert(ids.nprog && ids.nlink && ids.nmap, "record holds no BPF object");
	cr_assert_gt(leaks__code_changes(child, NULL), 0, "no probe in the command's code");
	cr_assert_gt(leaks__uprobe_links_on(child), 0, "no link on the command");

	/* Reaped here, its pipes kept open: the command still reads and writes them. */
	kill(r.pid, SIGKILL);
	cr_assert_eq(waitpid(r.pid, &status, 0), r.pid);
	leaks__assert_bpf_gone(&ids, 10000, "record killed");
	leaks__assert_no_uprobe_link_on(child, 10000, "record killed");
	cr_assert_eq(leaks__code_changes(child, NULL), 0, "probes left in the command's code");
	proc_command(&r, "run 20", out, sizeof(out), 60000);
	cr_assert_str_eq(out, reference, "the command's output changed after record died");
	proc_send(&r, "quit");
	cr_assert(!proc_read_line(&r, line, sizeof(line), 10000), "the command did not quit");
	cr_assert(access(prof, F_OK) && !temporaries(prof), "a killed record left a file");
	fclose(r.in);
	fclose(r.out);
	close(r.err_fd);
}
