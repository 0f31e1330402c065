// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * End to end: `attrprof attach` to a running accessors target, and the
 * lifecycle around it (SIGINT, the target exiting, attrprof killed).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"

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

/* IDs of the BPF programs and links that process pid holds, from its fds' fdinfo. */
static size_t bpf_ids_of(pid_t pid, const char *field, unsigned int *ids, size_t max)
{
	char dir[64], path[384], line[256];
	size_t n = 0, flen = strlen(field);
	struct dirent *d;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	fds = opendir(dir);
	cr_assert_not_null(fds, "%s", dir);
	while ((d = readdir(fds)) && n < max) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, field, flen) && line[flen] == ':' && n < max)
				ids[n++] = strtoul(line + flen + 1, NULL, 10);
		if (f)
			fclose(f);
	}
	closedir(fds);
	return n;
}

/* Whether the kernel still knows object id: bpftool prog|link show id N. */
static bool bpf_object_exists(const char *kind, unsigned int id)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "bpftool %s show id %u >/dev/null 2>&1", kind, id);
	return system(cmd) == 0;
}

Test(attach, sigkill_leaves_no_probe_behind, .timeout = 120)
{
	unsigned int progs[64], links[256];
	char prof[256], out[1024];
	struct proc target, tracer;
	size_t nprogs, nlinks;

	skip_unless_tracing();
	temp_path(prof, sizeof(prof), "killed.json");
	start_target(&target, "1");
	start_attach(&tracer, target.pid, prof);
	nprogs = bpf_ids_of(tracer.pid, "prog_id", progs, 64);
	nlinks = bpf_ids_of(tracer.pid, "link_id", links, 256);
	cr_assert_geq(nprogs, 5, "attrprof holds %zu programs", nprogs);
	cr_assert_geq(nlinks, 5, "attrprof holds %zu links", nlinks);
	kill(tracer.pid, SIGKILL);
	proc_wait(&tracer, 10000);
	/* The kernel frees them once the last fd closes, after a grace period each. */
	for (int tries = 0; tries < 300; tries++) {
		size_t left = 0;

		for (size_t i = 0; i < nprogs; i++)
			left += bpf_object_exists("prog", progs[i]);
		for (size_t i = 0; i < nlinks; i++)
			left += bpf_object_exists("link", links[i]);
		if (!left)
			break;
		usleep(100000);
	}
	for (size_t i = 0; i < nprogs; i++)
		cr_assert(!bpf_object_exists("prog", progs[i]), "program %u outlived attrprof",
			  progs[i]);
	for (size_t i = 0; i < nlinks; i++)
		cr_assert(!bpf_object_exists("link", links[i]), "link %u outlived attrprof",
			  links[i]);
	/* And the target runs on, unharmed. */
	proc_command(&target, "run 10", out, sizeof(out), 60000);
	cr_assert_eq(target_count(out, "model_get_plain"), 10);
	cr_assert(access(prof, F_OK) != 0, "a killed attrprof left a profile");
	proc_send(&target, "quit");
	proc_wait(&target, 10000);
}
