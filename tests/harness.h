/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers for the end-to-end tests: run attrprof and the targets as real
 * processes, talk to them over pipes, read what they counted.
 * Tests run from the repository root (scripts/run-tests makes sure).
 */
#ifndef ATTRPROF_TESTS_HARNESS_H
#define ATTRPROF_TESTS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "profile.h"

/*
 * The programs under test, from the build directory the suite was built in
 * (build/, or build/asan/ for the sanitizer build): ATTRPROF_BUILD names it.
 */
#define ATTRPROF build_path("attrprof")
#define ACCESSORS build_path("targets/accessors")

/* ATTRPROF_BUILD (default "build") + "/" + rel, in a static buffer per rel. */
char *build_path(const char *rel);

struct proc {
	pid_t pid;
	FILE *in;   /* its stdin, or NULL */
	FILE *out;  /* its stdout */
	int err_fd; /* its stderr, read with proc_read_err / proc_wait_err */
	char err[8192];
	size_t err_len;
};

/* Starts argv with pipes on stdin, stdout and stderr. Aborts the test on failure. */
void proc_start(struct proc *p, char *const argv[]);

/* Reads one line of stdout into buf (newline stripped); false on EOF or timeout. */
bool proc_read_line(struct proc *p, char *buf, size_t len, int timeout_ms);

/* Waits until stderr so far contains needle; false on EOF or timeout. */
bool proc_wait_err(struct proc *p, const char *needle, int timeout_ms);

/* Writes a line to stdin. */
void proc_send(struct proc *p, const char *line);

/*
 * Waits for exit (killing it with SIGKILL after timeout_ms), drains stderr
 * into p->err, and returns the exit code, or 128 + signal.
 */
int proc_wait(struct proc *p, int timeout_ms);

/*
 * Runs argv to completion with stdout captured into out (may be NULL) and
 * stderr into err. Returns the exit code or 128 + signal.
 */
int run_cmd(char *const argv[], char *out, size_t outlen, char *err, size_t errlen, int timeout_ms);

/* The output of a shell command built like printf, which must succeed. Caller frees. */
char *sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* vaddr mapped to a file offset through the PT_LOAD headers `readelf -l path` prints. */
uint64_t readelf_offset(const char *path, uint64_t vaddr);

/* A fresh path for a profile under build/tests/tmp/, unique per call. */
void temp_path(char *buf, size_t len, const char *name);

/* The "calls NAME N" lines a target printed, looked up by name; -1 when absent. */
long target_count(const char *output, const char *name);

/* The attribute named name in p, or NULL. */
const struct prof_attr *find_attr(const struct profile *p, const char *name);

/* Reads a profile, failing the test with the reader's message on error. */
void read_profile(const char *path, struct profile *p);

/*
 * Sends cmd to a --control target (accessors, py_workload.py) and collects
 * the lines it prints until "done" into out. Fails the test on a silence of
 * timeout_ms.
 */
void proc_command(struct proc *t, const char *cmd, char *out, size_t len, int timeout_ms);

/* True when this process may load BPF programs; tests that need probes skip otherwise. */
bool can_trace(void);

/* Skips the test unless can_trace(). */
void skip_unless_tracing(void);

/* What attrprof attach and record print on stderr once their probes are in. */
#define TRACING_READY "attrprof: tracing PID"

/* Starts a --control target and waits up to timeout_ms for its "ready" line. */
void control_start(struct proc *t, char *const argv[], int timeout_ms);

/* Sends "quit" to a --control target and asserts it exits 0 within timeout_ms. */
void control_quit(struct proc *t, int timeout_ms);

/* Starts attrprof (argv) and waits up to timeout_ms for it to say it is tracing. */
void tracer_start(struct proc *a, char *const argv[], int timeout_ms);

/* Stops a tracing attrprof with SIGINT, as a user would, and asserts it exits 0. */
void tracer_stop(struct proc *a);

/*
 * One command of a --control target, traced start to end: starts the target
 * (target_argv), writes its PID into pidbuf (16 bytes, the "-p" argument
 * tracer_argv holds), starts attrprof (tracer_argv), sends cmd and keeps its
 * lines until "done" in out, stops attrprof with SIGINT and quits the target.
 * tracer keeps attrprof's stderr.
 */
void attach_for_command(struct proc *tracer, char *const target_argv[], char *const tracer_argv[],
			char *pidbuf, const char *cmd, char *out, size_t len);

/* The attribute owner.name in p, or NULL. */
const struct prof_attr *find_owned(const struct profile *p, const char *owner, const char *name);

/* The attribute owner.name of that kind and op in p, or NULL. */
const struct prof_attr *find_py_attr(const struct profile *p, const char *owner, const char *name,
				     const char *kind, const char *op);

/* The class owner in p, or NULL. */
const struct prof_class *find_class(const struct profile *p, const char *owner);

/*
 * Asserts that p counted each model_get_* accessor exactly as often as the
 * accessors target reported in out, and that the target called each one.
 */
void assert_accessor_counts(const struct profile *p, const char *out);

#endif /* ATTRPROF_TESTS_HARNESS_H */
