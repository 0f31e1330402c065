// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/contended: threads queueing on one mutex inside one accessor, for `make bench`.
 *
 *   contended [-t THREADS] [-n CALLS] [-w WARMUP] [-k WORK]
 *
 * THREADS threads (default 4) each call contended_get() WARMUP times (default
 * 2,000), wait for the others, then CALLS times (default 50,000). contended_get
 * locks one pthread mutex shared by all of them, does WORK steps of a small
 * calculation on shared state (default 100, ~150 ns here), and unlocks. Prints
 *   "contended_get ns/call X calls N threads T"
 * where X is the wall time of the timed part (from the first thread starting its
 * timed calls to the last one finishing) divided by THREADS * CALLS: the cost of
 * a call to the program as a whole, which a lock that serializes the threads
 * keeps from shrinking as threads are added. N counts every call, warm-up
 * included, to check a tracer's count against.
 *
 * Built with plain `cc -O2 -pthread`, no frame-pointer flags: contended_get
 * starts with whatever GCC puts first, as in any program a user would probe.
 * scripts/bench prints that first instruction.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The state the lock protects: a value every call reads and updates. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long shared_state = 1;
static long work_steps = 100;
static long warmup_calls = 2000;
static long timed_calls = 50000;
static pthread_barrier_t start_line;
/* Each thread's timed part, CLOCK_MONOTONIC ns: the program's spans from the first start. */
static struct span {
	unsigned long long start, end;
} spans[64];
static volatile unsigned long sink;

/* noinline: one probed function, entered once per call; the asm keeps the loop's steps. */
__attribute__((noinline)) unsigned long contended_get(unsigned long key)
{
	unsigned long v;

	pthread_mutex_lock(&lock);
	v = shared_state;
	for (long i = 0; i < work_steps; i++) {
		v = v * 6364136223846793005UL + key;
		__asm__ volatile("" : "+r"(v));
	}
	shared_state = v;
	pthread_mutex_unlock(&lock);
	return v;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * One thread (arg: its index): the warm-up calls, the start line, the timed calls, each
 * timed by the thread itself, since the main thread may be scheduled after they began.
 */
static void *worker(void *arg)
{
	struct span *span = &spans[(unsigned long)arg];
	unsigned long key = (unsigned long)arg + 1, acc = 0;

	for (long i = 0; i < warmup_calls; i++)
		acc += contended_get(key);
	pthread_barrier_wait(&start_line);
	span->start = now_ns();
	for (long i = 0; i < timed_calls; i++)
		acc += contended_get(key + i);
	span->end = now_ns();
	sink = acc;
	return NULL;
}

/* strtol with errno and a range check; exits 64 on a bad value. */
static long parse_long(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "contended: %s: '%s' is not a number in [%ld, %ld]\n", opt, s, lo,
			hi);
		exit(64);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long long first = ~0ULL, last = 0;
	long nthreads = 4;
	pthread_t tids[64];
	int i, err;

	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			goto usage;
		if (!strcmp(argv[i], "-t"))
			nthreads = parse_long("-t", argv[++i], 1, 64);
		else if (!strcmp(argv[i], "-n"))
			timed_calls = parse_long("-n", argv[++i], 1, 1L << 32);
		else if (!strcmp(argv[i], "-w"))
			warmup_calls = parse_long("-w", argv[++i], 0, 1L << 32);
		else if (!strcmp(argv[i], "-k"))
			work_steps = parse_long("-k", argv[++i], 0, 1000000);
		else
			goto usage;
	}

	/* The timed calls start when every thread has made its warm-up calls. */
	pthread_barrier_init(&start_line, NULL, nthreads);
	for (i = 0; i < nthreads; i++) {
		err = pthread_create(&tids[i], NULL, worker, (void *)(unsigned long)i);
		if (err) {
			fprintf(stderr, "contended: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(tids[i], NULL);
		if (spans[i].start < first)
			first = spans[i].start;
		if (spans[i].end > last)
			last = spans[i].end;
	}
	printf("contended_get ns/call %.1f calls %ld threads %ld\n",
	       (double)(last - first) / (double)(nthreads * timed_calls),
	       nthreads * (warmup_calls + timed_calls), nthreads);
	return 0;
usage:
	fprintf(stderr, "usage: contended [-t THREADS] [-n CALLS] [-w WARMUP] [-k WORK]\n");
	return 64;
}
