// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/loop: the probed target of `make bench`.
 *
 *   loop [-n ITERS] [-l LEAF_ITERS] [-w WARMUP]   time the calls, print, exit
 *   loop --spin [-s SECONDS]                       call both every ~1 ms (attach timing)
 *
 * Calls bench_accessor() ITERS times after WARMUP calls, then bench_leaf()
 * LEAF_ITERS times after WARMUP calls, and prints per function
 *   "NAME ns/call X calls N"
 * where X is measured with clock_gettime around the timed loop only: probe
 * attach and detach, process start and the warm-up are excluded. N counts
 * every call, warm-up included, to check a tracer's count against.
 *
 * This file is built by clang with frame pointers, leaf functions included,
 * so bench_accessor starts with `push %rbp`, which the kernel emulates (GCC
 * 12 leaves the frame out of a function that needs none, flags or not).
 * bench_leaf (leaf.c) is built without them and starts with an instruction
 * the kernel single-steps. scripts/bench prints both first instructions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

unsigned long bench_leaf(unsigned long x); /* leaf.c */

static volatile unsigned long sink;

/* noinline, and the volatile read keeps every call: none can be folded or hoisted. */
__attribute__((noinline)) unsigned long bench_accessor(unsigned long x)
{
	return x * 3 + sink;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Calls fn warmup times untimed, then iters times timed. Prints the line described above. */
static void run(const char *name, unsigned long (*fn)(unsigned long), long warmup, long iters)
{
	unsigned long long start, elapsed;
	unsigned long acc = 0;

	for (long i = 0; i < warmup; i++)
		acc += fn(i);
	start = now_ns();
	for (long i = 0; i < iters; i++)
		acc += fn(i);
	elapsed = now_ns() - start;
	sink = acc;
	printf("%s ns/call %.1f calls %ld\n", name, iters ? (double)elapsed / iters : 0.0,
	       warmup + iters);
	fflush(stdout);
}

/* Calls both functions every millisecond for seconds (0: forever), for attach timing. */
static void spin(double seconds)
{
	struct timespec ms = {.tv_nsec = 1000000};
	unsigned long long end = now_ns() + (unsigned long long)(seconds * 1e9);
	unsigned long acc = 0;

	printf("spinning\n");
	fflush(stdout);
	while (seconds <= 0 || now_ns() < end) {
		acc += bench_accessor(acc) + bench_leaf(acc);
		nanosleep(&ms, NULL);
	}
	sink = acc;
}

/* Parses a non-negative integer option value; exits with status 64 on a bad one. */
static long number(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "loop: %s: expected a non-negative integer, got '%s'\n", opt, s);
		exit(64);
	}
	return v;
}

int main(int argc, char **argv)
{
	long iters = 200000, leaf_iters = 50000, warmup = 20000;
	double spin_s = -1;

	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "--spin")) {
			spin_s = 0;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "usage: loop [-n ITERS] [-l LEAF_ITERS] [-w WARMUP] | "
					"loop --spin [-s SECONDS]\n");
			return 64;
		}
		if (!strcmp(opt, "-n"))
			iters = number(opt, argv[++i]);
		else if (!strcmp(opt, "-l"))
			leaf_iters = number(opt, argv[++i]);
		else if (!strcmp(opt, "-w"))
			warmup = number(opt, argv[++i]);
		else if (!strcmp(opt, "-s"))
			spin_s = number(opt, argv[++i]);
		else {
			fprintf(stderr, "loop: unknown option '%s'\n", opt);
			return 64;
		}
	}
	if (spin_s >= 0) {
		spin(spin_s);
		return 0;
	}
	run("bench_accessor", bench_accessor, warmup, iters);
	run("bench_leaf", bench_leaf, warmup, leaf_iters);
	return 0;
}
