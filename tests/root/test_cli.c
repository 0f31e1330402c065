// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bad input: each gets one clear line on stderr and exit code 2 (64 for usage). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "harness.h"

/* Runs argv; asserts the exit code and that stderr mentions needle on one line. */
static void expect_error(char *const argv[], int code, const char *needle)
{
	char err[8192];
	int got = run_cmd(argv, NULL, 0, err, sizeof(err), 60000);

	cr_assert_eq(got, code, "exit %d, expected %d; stderr: %s", got, code, err);
	cr_assert_not_null(strstr(err, needle), "stderr lacks '%s': %s", needle, err);
	cr_assert_eq(strchr(err, '\n'), err + strlen(err) - 1, "more than one line: %s", err);
}

Test(cli, no_such_pid)
{
	char *argv[] = {ATTRPROF, "attach", "-p", "999999999", "-f", "x", NULL};

	skip_unless_tracing();
	expect_error(argv, 2, "PID 999999999: no such process");
}

Test(cli, kernel_thread)
{
	/* PID 2 is kthreadd on every Linux system. */
	char *argv[] = {ATTRPROF, "attach", "-p", "2", "-f", "x", NULL};

	skip_unless_tracing();
	expect_error(argv, 2, "kernel thread");
}

Test(cli, non_elf_command)
{
	char script[256];
	char *argv[] = {ATTRPROF, "record", "-f", "x", "--", script, NULL};
	FILE *f;

	skip_unless_tracing();
	temp_path(script, sizeof(script), "script.sh");
	f = fopen(script, "w");
	fprintf(f, "#!/bin/sh\nexit 0\n");
	fclose(f);
	chmod(script, 0755);
	expect_error(argv, 2, "not an ELF file");
}

Test(cli, glob_matching_nothing_names_what_was_searched)
{
	char *argv[] = {ATTRPROF, "record", "-f", "no_such_function_*", "--", ACCESSORS, NULL};

	skip_unless_tracing();
	expect_error(argv, 2, "--func 'no_such_function_*' matches no function in");
	expect_error(argv, 2, "libc.so.6");
}

Test(cli, native_target_without_func)
{
	char *argv[] = {ATTRPROF, "record", "--", ACCESSORS, NULL};

	skip_unless_tracing();
	expect_error(argv, 2, "is not a Python process: say which functions to probe with --func");
}

Test(cli, missing_command)
{
	char *argv[] = {ATTRPROF, "record", "-f", "x", "--", "/nonexistent/cmd", NULL};

	skip_unless_tracing();
	expect_error(argv, 2, "/nonexistent/cmd: command not found");
}

Test(cli, usage_errors_exit_64)
{
	char *no_pid[] = {ATTRPROF, "attach", "-f", "x", NULL};
	char *bad_pid[] = {ATTRPROF, "attach", "-p", "12abc", "-f", "x", NULL};
	char *bad_dur[] = {ATTRPROF, "attach", "-p", "1", "-d", "-3", "-f", "x", NULL};
	char *unknown[] = {ATTRPROF, "frobnicate", NULL};
	char err[4096];

	cr_assert_eq(run_cmd(no_pid, NULL, 0, err, sizeof(err), 10000), 64, "%s", err);
	cr_assert_eq(run_cmd(bad_pid, NULL, 0, err, sizeof(err), 10000), 64, "%s", err);
	cr_assert_eq(run_cmd(bad_dur, NULL, 0, err, sizeof(err), 10000), 64, "%s", err);
	cr_assert_eq(run_cmd(unknown, NULL, 0, err, sizeof(err), 10000), 64, "%s", err);
}

Test(cli, malformed_profile)
{
	char path[256];
	char *argv[] = {ATTRPROF, "report", path, NULL};
	FILE *f;

	temp_path(path, sizeof(path), "bad.json");
	f = fopen(path, "w");
	fprintf(f, "{\"schema\": \"attrprof.profile/1\",\n \"attributes\": [}\n");
	fclose(f);
	expect_error(argv, 2, path);
	expect_error(argv, 2, ":2:");
}

Test(cli, unreadable_profile)
{
	char *argv[] = {ATTRPROF, "report", "/nonexistent/prof.json", NULL};

	expect_error(argv, 2, "/nonexistent/prof.json");
}
