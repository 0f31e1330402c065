// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The target never changes behaviour: every workload of the manifest
 * (tests/targets/WORKLOADS) prints the same bytes and exits the same way
 * with and without `attrprof record`. And a profile's temporary file, left
 * by a writer that was killed, is removed by the next one, never a live
 * writer's.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include "atomic_file.h"
#include "harness.h"
#include "workloads.h"

#define MAX_WORKLOADS 128
#define OUTPUT_MAX (1 << 20)

struct run {
	char *out; /* stdout, OUTPUT_MAX bytes */
	char err[8192];
	int code;
};

/* Runs argv to completion, failing the test if its stdout fills the buffer. */
static void run_capture(char *const argv[], struct run *r)
{
	r->out = calloc(1, OUTPUT_MAX);
	cr_assert_not_null(r->out);
	r->code = run_cmd(argv, r->out, OUTPUT_MAX, r->err, sizeof(r->err), 300000);
	cr_assert_lt(strlen(r->out), OUTPUT_MAX - 1, "%s printed more than the test keeps",
		     argv[0]);
}

/* Removes attrprof's own lines (and libbpf's) from a traced run's stderr, in place. */
static void strip_tracer_lines(char *err)
{
	char *dst = err, *line = err;

	while (*line) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line + 1) : strlen(line);

		if (strncmp(line, "attrprof", 8) && strncmp(line, "libbpf: ", 8)) {
			memmove(dst, line, len);
			dst += len;
		}
		line += len;
	}
	*dst = '\0';
}

static void check_workload(const struct workload *w)
{
	char prof[256], *rec[8 + 2 * WORKLOAD_MAX_FUNCS + WORKLOAD_MAX_ARGS];
	struct run plain, traced;
	struct profile p = {};
	size_t n = 0;

	temp_path(prof, sizeof(prof), "workload.json");
	rec[n++] = ATTRPROF;
	rec[n++] = "record";
	rec[n++] = "-o";
	rec[n++] = prof;
	for (size_t i = 0; w->funcs[i]; i++) {
		rec[n++] = "--func";
		rec[n++] = w->funcs[i];
	}
	rec[n++] = "--";
	for (size_t i = 0; w->argv[i]; i++)
		rec[n++] = w->argv[i];
	rec[n] = NULL;

	run_capture(w->argv, &plain);
	run_capture(rec, &traced);
	cr_assert_neq(plain.code, 127, "%s: %s did not start: %s", w->name, w->argv[0], plain.err);
	cr_assert_eq(traced.code, plain.code, "%s: exit %d traced, %d untraced: %s", w->name,
		     traced.code, plain.code, traced.err);
	cr_assert_str_eq(traced.out, plain.out, "%s: stdout changed under tracing", w->name);
	/* The profile is there and complete: the workload really ran traced. */
	read_profile(prof, &p);
	cr_assert_str_eq(p.end, "target-exited", "%s", w->name);
	cr_assert_eq(p.exit_status, plain.code, "%s", w->name);
	strip_tracer_lines(traced.err);
	cr_assert_str_eq(traced.err, plain.err, "%s: stderr changed under tracing", w->name);
	profile__free(&p);
	free(plain.out);
	free(traced.out);
}

Test(safety, every_workload_prints_the_same_traced_and_untraced, .timeout = 900)
{
	struct workload *v = calloc(MAX_WORKLOADS, sizeof(*v));
	size_t n;

	cr_assert_not_null(v);
	n = workloads__load(v, MAX_WORKLOADS);
	skip_unless_tracing();
	for (size_t i = 0; i < n; i++)
		check_workload(&v[i]);
	free(v);
}

static int write_text(FILE *f, const void *text)
{
	return fputs(text, f) < 0 ? -EIO : 0;
}

static void create(const char *path, char *name, size_t len, const char *suffix)
{
	int fd;

	snprintf(name, len, "%s%s", path, suffix);
	fd = open(name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0, "%s: %s", name, strerror(errno));
	close(fd);
}

/*
 * A writer's temporary is locked while it lives: the next writer removes
 * only those of dead writers, and no file that merely looks alike.
 */
Test(safety, only_a_dead_writers_temporary_is_removed)
{
	char path[256], live[320], dead[320], other[320], longer[320], *text;
	int fd;

	temp_path(path, sizeof(path), "atomic.txt");
	create(path, dead, sizeof(dead), ".Ab3dE9.attrprof-tmp");
	create(path, other, sizeof(other), ".Ab3dE9.tmp");
	create(path, longer, sizeof(longer), ".Ab3dE9x.attrprof-tmp");
	snprintf(live, sizeof(live), "%s.Zz9yX8.attrprof-tmp", path);
	fd = open(live, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	/* Another open file description, even in this process, conflicts with this lock. */
	cr_assert_eq(flock(fd, LOCK_EX), 0);

	cr_assert_eq(atomic_file__write(path, write_text, "complete\n"), 0);
	text = sh("cat %s", path);
	cr_assert_str_eq(text, "complete\n");
	free(text);
	cr_assert_neq(access(dead, F_OK), 0, "a dead writer's temporary is still there");
	cr_assert_eq(access(live, F_OK), 0, "a live writer's temporary was removed");
	cr_assert_eq(access(other, F_OK), 0, "%s is not a temporary of ours", other);
	cr_assert_eq(access(longer, F_OK), 0, "%s is not a temporary of ours", longer);
	close(fd);
	unlink(live);
	unlink(other);
	unlink(longer);
	unlink(path);
}
