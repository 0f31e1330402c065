// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A C program with accessor functions to profile, counting its own calls so
 * tests can compare attrprof's counts with the truth.
 *
 *   accessors [--threads N] [--iters N] [--depth N] [--hold-us N]   run, print counts, exit
 *   accessors --control [--threads N] [--depth N]        read commands on stdin:
 *       run N    each thread does N iterations; prints the counts of this run, then "done"
 *       start    the threads iterate until "stop" (for probes attached and detached mid-run)
 *       stop     ends a start; prints the counts and "iterations N" (all threads), then "done"
 *       quit     exit
 *
 * One iteration calls: model_get_plain once, model_get_locked once (a mutex
 * shared by all threads, held for a little work, so threads contend),
 * model_get_outer once (which calls model_get_inner, which takes another
 * shared mutex) and model_get_tree(depth) (recursive: depth + 1 calls).
 * With 2+ threads, iteration 0 blocks once on each mutex for certain (see
 * struct collision). --hold-us N makes model_get_locked sleep N us with its
 * mutex held: every other thread then queues on it for most of its time,
 * whatever the machine's load (a thread asleep holds no CPU to give up).
 * Counts print as "calls NAME N" lines.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t model_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t inner_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile unsigned long sink;

enum { PLAIN, LOCKED, OUTER, INNER, TREE, NFUNCS };
static const char *const names[NFUNCS] = {"model_get_plain", "model_get_locked", "model_get_outer",
					  "model_get_inner", "model_get_tree"};
static unsigned long counts[NFUNCS];
static long hold_us; /* --hold-us */

static void counted(int f)
{
	__atomic_add_fetch(&counts[f], 1, __ATOMIC_RELAXED);
}

static void work(int n)
{
	for (int i = 0; i < n; i++)
		sink += i;
}

/*
 * One blocked wait on a mutex, made certain: in iteration 0, thread 0 takes
 * the mutex and keeps it until thread 1 sleeps in the kernel on its futex.
 * Left to chance, threads on a loaded 2-core machine often run one after
 * another, and a run can end with no thread ever blocked on a mutex, which
 * tests that expect waits on both locks cannot tell from a broken probe.
 */
struct collision {
	pthread_mutex_t *lock;
	int held;     /* thread 0 holds lock */
	pid_t waiter; /* thread 1's TID, once it runs */
};
static struct collision collisions[2] = {{.lock = &model_lock}, {.lock = &inner_lock}};
static __thread struct collision *hold_for; /* thread 0, around its colliding call */

static void pause_briefly(void)
{
	struct timespec ts = {.tv_nsec = 100000};

	nanosleep(&ts, NULL);
}

/* Whether thread tid is in a futex syscall on lock's word, as /proc says. */
static int blocked_on(pid_t tid, pthread_mutex_t *lock)
{
	unsigned long addr = 0;
	char path[64];
	long nr = -1;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "re");
	if (!f) {
		perror(path);
		exit(70); /* a hang or a silent run without a collision would hide the cause */
	}
	/* "NR ARG1 ..." while in a syscall, "running" (no match) otherwise. */
	n = fscanf(f, "%ld %lx", &nr, &addr);
	fclose(f);
	return n == 2 && nr == SYS_futex && addr == (unsigned long)lock;
}

/* Called with lock held: in thread 0's colliding call, keeps it until thread 1 blocks on it. */
static void held(pthread_mutex_t *lock)
{
	struct collision *c = hold_for;
	pid_t waiter;

	if (!c || c->lock != lock)
		return;
	__atomic_store_n(&c->held, 1, __ATOMIC_RELEASE);
	while (!(waiter = __atomic_load_n(&c->waiter, __ATOMIC_ACQUIRE)))
		pause_briefly();
	while (!blocked_on(waiter, lock))
		pause_briefly();
}

/* Thread 1: waits until thread 0 holds c's mutex, so that its next call blocks. */
static void await_holder(struct collision *c)
{
	while (!__atomic_load_n(&c->held, __ATOMIC_ACQUIRE))
		pause_briefly();
}

__attribute__((noinline)) unsigned long model_get_plain(int i)
{
	counted(PLAIN);
	return sink + i;
}

__attribute__((noinline)) unsigned long model_get_locked(void)
{
	unsigned long v;

	counted(LOCKED);
	pthread_mutex_lock(&model_lock);
	held(&model_lock);
	work(2000);
	if (hold_us) {
		struct timespec ts = {.tv_nsec = hold_us * 1000};

		nanosleep(&ts, NULL);
	}
	v = sink;
	pthread_mutex_unlock(&model_lock);
	return v;
}

__attribute__((noinline)) unsigned long model_get_inner(void)
{
	unsigned long v;

	counted(INNER);
	pthread_mutex_lock(&inner_lock);
	held(&inner_lock);
	work(2000);
	v = sink;
	pthread_mutex_unlock(&inner_lock);
	return v;
}

__attribute__((noinline)) unsigned long model_get_outer(void)
{
	counted(OUTER);
	work(100);
	return model_get_inner() + 1;
}

__attribute__((noinline)) unsigned long model_get_tree(int depth)
{
	unsigned long v;

	counted(TREE);
	if (depth <= 0)
		return sink;
	v = model_get_tree(depth - 1);
	/* Keeps gcc from turning the recursion into a loop: every level must be a call. */
	asm volatile("" : "+r"(v));
	return v + 1;
}

struct job {
	long iters; /* -1: until stopping is set */
	int depth;
	int stopping;
	int started;	    /* threads that took an index */
	unsigned long done; /* iterations, all threads */
	pthread_t tids[64];
	int threads;
};

/* Iteration 0 of threads 0 and 1: the same calls, with a certain wait on each mutex. */
static void collide(int index, int depth)
{
	model_get_plain(0);
	if (index == 0) {
		hold_for = &collisions[0];
		model_get_locked();
		hold_for = &collisions[1];
		model_get_outer();
		hold_for = NULL;
	} else {
		await_holder(&collisions[0]);
		model_get_locked();
		await_holder(&collisions[1]);
		model_get_outer();
	}
	model_get_tree(depth);
}

static void *run_thread(void *arg)
{
	struct job *job = arg;
	int index = __atomic_fetch_add(&job->started, 1, __ATOMIC_RELAXED);
	long i = 0;

	/* Even if a stop comes first: either thread alone would wait for the other forever. */
	if (index < 2 && job->threads >= 2 && job->iters != 0) {
		if (index == 1)
			for (int c = 0; c < 2; c++)
				__atomic_store_n(&collisions[c].waiter, (pid_t)syscall(SYS_gettid),
						 __ATOMIC_RELEASE);
		collide(index, job->depth);
		__atomic_add_fetch(&job->done, 1, __ATOMIC_RELAXED);
		i = 1;
	}
	for (; job->iters < 0 ? !__atomic_load_n(&job->stopping, __ATOMIC_RELAXED) : i < job->iters;
	     i++) {
		model_get_plain(i);
		model_get_locked();
		model_get_outer();
		model_get_tree(job->depth);
		__atomic_add_fetch(&job->done, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void start(struct job *job, int threads, long iters, int depth)
{
	memset(job, 0, sizeof(*job));
	job->iters = iters;
	job->depth = depth;
	job->threads = threads;
	memset(counts, 0, sizeof(counts));
	for (int c = 0; c < 2; c++) {
		collisions[c].held = 0;
		collisions[c].waiter = 0;
	}
	for (int t = 0; t < threads; t++)
		pthread_create(&job->tids[t], NULL, run_thread, job);
}

static void finish(struct job *job)
{
	for (int t = 0; t < job->threads; t++)
		pthread_join(job->tids[t], NULL);
	for (int f = 0; f < NFUNCS; f++)
		printf("calls %s %lu\n", names[f], counts[f]);
	fflush(stdout);
}

static void run(int threads, long iters, int depth)
{
	struct job job;

	start(&job, threads, iters, depth);
	finish(&job);
}

int main(int argc, char **argv)
{
	int threads = 4, depth = 3, control = 0, running = 0;
	struct job job;
	long iters = 1000;
	char line[128];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--control"))
			control = 1;
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = atol(argv[++i]);
		else if (!strcmp(argv[i], "--depth") && i + 1 < argc)
			depth = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--hold-us") && i + 1 < argc)
			hold_us = atol(argv[++i]) % 1000000;
		else {
			fprintf(stderr,
				"usage: %s [--control] [--threads N] [--iters N] [--depth N] "
				"[--hold-us N]\n",
				argv[0]);
			return 64;
		}
	}
	if (threads < 1 || threads > 64)
		threads = 4;
	if (!control) {
		run(threads, iters, depth);
		return 0;
	}
	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "run ", 4)) {
			run(threads, atol(line + 4), depth);
			printf("done\n");
			fflush(stdout);
		} else if (!strncmp(line, "start", 5) && !running) {
			start(&job, threads, -1, depth);
			running = 1;
		} else if (!strncmp(line, "stop", 4) && running) {
			__atomic_store_n(&job.stopping, 1, __ATOMIC_RELAXED);
			finish(&job);
			running = 0;
			printf("iterations %lu\ndone\n", job.done);
			fflush(stdout);
		} else if (!strncmp(line, "quit", 4)) {
			break;
		}
	}
	return 0;
}
