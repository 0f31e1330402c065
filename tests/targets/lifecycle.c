// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A C target that forks and execs on command, counting its own calls of
 * one accessor, so tests can check what attrprof counts across process
 * lifecycle events.
 *
 *   lifecycle [--iters N] [--fork]   N calls (and, with --fork, N more in a forked
 *                                    child, printed first); prints counts, exits
 *   lifecycle --control              read commands on stdin:
 *       run N        N calls here; prints "calls life_get_value N", "done"
 *       fork N       a forked child makes N calls and exits; prints the child's
 *                    "child calls life_get_value N", "child PID", "done"
 *       spawn K N    a forked child makes K calls, then execs this program with
 *                    --iters N; prints both counts, "child PID", "done"
 *       forks N      N children, one after the other, each exits at once; prints "done"
 *       exec N       this process execs this program with --iters N
 *       quit         exit
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile unsigned long sink;
static unsigned long calls;

__attribute__((noinline)) unsigned long life_get_value(long i)
{
	calls++;
	return sink + i;
}

static void run(long n, const char *who)
{
	calls = 0;
	for (long i = 0; i < n; i++)
		sink += life_get_value(i);
	printf("%scalls life_get_value %lu\n", who, calls);
	fflush(stdout);
}

static void exec_self(long n)
{
	char arg[32];

	snprintf(arg, sizeof(arg), "%ld", n);
	execl("/proc/self/exe", "lifecycle", "--iters", arg, (char *)NULL);
	perror("exec");
	_exit(127);
}

/* Forks a child that makes k calls and then execs itself for n more (n < 0: exits). */
static pid_t fork_child(long k, long n)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid)
		return pid;
	run(k, "child ");
	if (n >= 0)
		exec_self(n);
	exit(0);
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	long iters = 1000, k, n;
	int control = 0, forks = 0;
	char line[128];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--control"))
			control = 1;
		else if (!strcmp(argv[i], "--fork"))
			forks = 1;
		else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--control] [--iters N] [--fork]\n", argv[0]);
			return 64;
		}
	}
	if (!control) {
		if (forks && wait_child(fork_child(iters, -1)))
			return 1;
		run(iters, "");
		return 0;
	}
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		pid_t child = 0;

		if (sscanf(line, "run %ld", &n) == 1) {
			run(n, "");
		} else if (sscanf(line, "spawn %ld %ld", &k, &n) == 2) {
			child = fork_child(k, n);
		} else if (sscanf(line, "forks %ld", &n) == 1) {
			for (long i = 0; i < n; i++)
				if (wait_child(fork_child(0, -1)))
					return 1;
		} else if (sscanf(line, "fork %ld", &n) == 1) {
			child = fork_child(n, -1);
		} else if (sscanf(line, "exec %ld", &n) == 1) {
			fflush(stdout);
			exec_self(n);
		} else if (!strncmp(line, "quit", 4)) {
			break;
		} else {
			continue;
		}
		if (child && wait_child(child))
			return 1;
		if (child)
			printf("child %d\n", child);
		printf("done\n");
		fflush(stdout);
	}
	return 0;
}
