// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One accessor per kind of blocking lock call, each made to block exactly
 * once, for certain: a helper thread holds the lock (or withholds the post
 * or signal) until /proc shows the accessor's thread asleep in futex, then
 * lets it go. attrprof must charge each wait to its accessor, as its kind.
 *
 *   lock_kinds       run every accessor once, print "calls NAME 1" lines, exit
 *
 * Built like the other targets, with frame pointers, so every accessor
 * starts with an emulated push.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t timed_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t cond_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t sem, timed_sem;
static int signalled;

static pid_t waiter; /* the accessors' thread */
static int ready;    /* the helper holds the locks */

static void pause_briefly(void)
{
	struct timespec ts = {.tv_nsec = 100000};

	nanosleep(&ts, NULL);
}

/* Whether the accessors' thread sleeps in a futex syscall, as /proc says. */
static int waiter_in_futex(void)
{
	char path[64];
	long nr = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)waiter);
	f = fopen(path, "re");
	if (!f) {
		perror(path);
		exit(70);
	}
	/* "NR ARG1 ..." while in a syscall, "running" (no match) otherwise. */
	if (fscanf(f, "%ld", &nr) != 1)
		nr = -1;
	fclose(f);
	return nr == SYS_futex;
}

static void await_waiter(void)
{
	while (!waiter_in_futex())
		pause_briefly();
}

static struct timespec in_a_minute(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	return ts;
}

__attribute__((noinline)) void lock_wait_mutex(void)
{
	pthread_mutex_lock(&mutex);
	pthread_mutex_unlock(&mutex);
}

__attribute__((noinline)) void lock_wait_timed_mutex(void)
{
	struct timespec ts = in_a_minute();

	pthread_mutex_timedlock(&timed_mutex, &ts);
	pthread_mutex_unlock(&timed_mutex);
}

__attribute__((noinline)) void lock_wait_rwlock(void)
{
	pthread_rwlock_rdlock(&rwlock);
	pthread_rwlock_unlock(&rwlock);
}

__attribute__((noinline)) void lock_wait_sem(void)
{
	sem_wait(&sem);
}

__attribute__((noinline)) void lock_wait_timed_sem(void)
{
	struct timespec ts = in_a_minute();

	sem_timedwait(&timed_sem, &ts);
}

__attribute__((noinline)) void lock_wait_cond(void)
{
	pthread_mutex_lock(&cond_mutex);
	while (!signalled)
		pthread_cond_wait(&cond, &cond_mutex);
	pthread_mutex_unlock(&cond_mutex);
}

/* The helper: for each accessor in turn, holds back what it waits for until it sleeps. */
static void *helper(void *arg)
{
	(void)arg;
	/* Locks are released by their owner: glibc reads an rwlock unlocked by another as a
	 * reader's. */
	pthread_mutex_lock(&mutex);
	pthread_mutex_lock(&timed_mutex);
	pthread_rwlock_wrlock(&rwlock);
	__atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&waiter, __ATOMIC_SEQ_CST))
		pause_briefly();
	await_waiter();
	pthread_mutex_unlock(&mutex);
	pause_briefly();
	await_waiter();
	pthread_mutex_unlock(&timed_mutex);
	pause_briefly();
	await_waiter();
	pthread_rwlock_unlock(&rwlock);
	pause_briefly();
	await_waiter();
	sem_post(&sem);
	pause_briefly();
	await_waiter();
	sem_post(&timed_sem);
	pause_briefly();
	await_waiter();
	pthread_mutex_lock(&cond_mutex);
	signalled = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&cond_mutex);
	return NULL;
}

static void *accessors(void *arg)
{
	(void)arg;
	__atomic_store_n(&waiter, (pid_t)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	lock_wait_mutex();
	lock_wait_timed_mutex();
	lock_wait_rwlock();
	lock_wait_sem();
	lock_wait_timed_sem();
	lock_wait_cond();
	return NULL;
}

int main(void)
{
	static const char *const names[] = {"lock_wait_mutex",	   "lock_wait_timed_mutex",
					    "lock_wait_rwlock",	   "lock_wait_sem",
					    "lock_wait_timed_sem", "lock_wait_cond"};
	pthread_t a, h;

	sem_init(&sem, 0, 0);
	sem_init(&timed_sem, 0, 0);
	if (pthread_create(&h, NULL, helper, NULL))
		return 1;
	while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
		pause_briefly();
	if (pthread_create(&a, NULL, accessors, NULL))
		return 1;
	pthread_join(h, NULL);
	pthread_join(a, NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		printf("calls %s 1\n", names[i]);
	return 0;
}
