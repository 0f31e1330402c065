// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/many: 100 probe-able functions fn_00 .. fn_99, for timing how long
 * attaching to and detaching from 100 functions takes.
 *
 *   many [SECONDS]    call every function once a millisecond, for SECONDS (0: forever)
 *
 * Built by clang with frame pointers like loop.c, so every fn_* starts with `push %rbp`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

/* Two pasted digits name fn_00 .. fn_99; 1##n - 100 gives each a distinct body (no folding). */
#define FN(n)                                                                                      \
	__attribute__((noinline)) unsigned long fn_##n(unsigned long x)                            \
	{                                                                                          \
		return x + (1##n - 100) + sink;                                                    \
	}
#define REF(n) fn_##n,

// clang-format off
#define TEN(M, d) M(d##0) M(d##1) M(d##2) M(d##3) M(d##4) M(d##5) M(d##6) M(d##7) M(d##8) M(d##9)
#define HUNDRED(M) TEN(M, 0) TEN(M, 1) TEN(M, 2) TEN(M, 3) TEN(M, 4) \
		   TEN(M, 5) TEN(M, 6) TEN(M, 7) TEN(M, 8) TEN(M, 9)

HUNDRED(FN)

static unsigned long (*const fns[])(unsigned long) = { HUNDRED(REF) };
// clang-format on

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
