// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/many: 100 probe-able functions fn_00 .. fn_99, for timing how long
 * attaching to and detaching from 100 functions takes.
 *
 *   many [SECONDS]    call every function once a millisecond, for SECONDS (0: forever)
 *
 * Built with frame pointers like loop.c, so every fn_* starts with `push %rbp`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

#define FN(n)                                                                                      \
	__attribute__((noinline)) unsigned long fn_##n(unsigned long x)                               \
	{                                                                                          \
		return x + (1##n - 100) + sink;                                                    \
	}
#define FN10(d) FN(d##0) FN(d##1) FN(d##2) FN(d##3) FN(d##4) FN(d##5) FN(d##6) FN(d##7) FN(d##8) FN(d##9)
/* Two pasted digits name fn_00 .. fn_99; 1##n - 100 gives each a distinct body (no folding). */
FN10(0) FN10(1) FN10(2) FN10(3) FN10(4) FN10(5) FN10(6) FN10(7) FN10(8) FN10(9)

#define REF(n) fn_##n,
#define REF10(d) REF(d##0) REF(d##1) REF(d##2) REF(d##3) REF(d##4) REF(d##5) REF(d##6) REF(d##7) REF(d##8) REF(d##9)
static unsigned long (*const fns[])(unsigned long) = {
	REF10(0) REF10(1) REF10(2) REF10(3) REF10(4) REF10(5) REF10(6) REF10(7) REF10(8) REF10(9)};

int main(int argc, char **argv)
{
	struct timespec ms = {.tv_nsec = 1000000}, t;
	double seconds = argc > 1 ? atof(argv[1]) : 0;
	double end;
	unsigned long acc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t);
	end = t.tv_sec + t.tv_nsec / 1e9 + seconds;
	printf("spinning %zu functions\n", sizeof(fns) / sizeof(fns[0]));
	fflush(stdout);
	for (;;) {
		for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
			acc += fns[i](acc);
		sink = acc;
		nanosleep(&ms, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (seconds > 0 && t.tv_sec + t.tv_nsec / 1e9 >= end)
			break;
	}
	return 0;
}
