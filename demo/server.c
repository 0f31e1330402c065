// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The demo workload: a toy "model server" whose request handlers go through
 * accessor functions, each with a cost a profile should reveal:
 *   model_get_cached  cheap: a field read
 *   model_get_price   computed on every read (no cache)
 *   model_get_stock   behind one mutex that every thread queues on
 *   model_set_name    validates every write, character by character
 *
 *   server [--threads N] [--requests N]
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct model {
	long id;
	double base_price;
	long stock;
	char name[32];
};

static struct model models[64];
static pthread_mutex_t stock_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) long model_get_cached(const struct model *m)
{
	return m->id;
}

__attribute__((noinline)) double model_get_price(const struct model *m)
{
	double price = m->base_price;

	/* A discount schedule recomputed on every read. */
	for (int i = 0; i < 2000; i++)
		price = price * 0.9999 + (i % 7) * 0.0001;
	return price;
}

__attribute__((noinline)) long model_get_stock(struct model *m)
{
	long v;

	pthread_mutex_lock(&stock_lock);
	v = m->stock;
	for (volatile int i = 0; i < 3000; i++)
		; /* the critical section: an audit trail, say */
	pthread_mutex_unlock(&stock_lock);
	return v;
}

__attribute__((noinline)) int model_set_name(struct model *m, const char *name)
{
	size_t len = strlen(name);

	if (len >= sizeof(m->name))
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-')
			return -1;
	memcpy(m->name, name, len + 1);
	return 0;
}

static long requests = 20000;

static void *serve(void *arg)
{
	unsigned int seed = (unsigned long)arg;
	double total = 0;

	for (long r = 0; r < requests; r++) {
		struct model *m = &models[rand_r(&seed) % 64];

		total += model_get_cached(m);
		total += model_get_cached(m);
		total += model_get_price(m);
		if (r % 4 == 0)
			total += model_get_stock(m);
		if (r % 10 == 0)
			model_set_name(m, r % 20 ? "widget-42" : "bad name!");
	}
	return (void *)(long)(total > 0);
}

int main(int argc, char **argv)
{
	pthread_t tids[64];
	int threads = 4;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--threads"))
			threads = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--requests"))
			requests = atol(argv[i + 1]);
	}
	if (threads < 1 || threads > 64)
		threads = 4;
	for (int i = 0; i < 64; i++)
		models[i] = (struct model){.id = i, .base_price = 10 + i, .stock = 100};
	for (int t = 0; t < threads; t++)
		pthread_create(&tids[t], NULL, serve, (void *)(long)(t + 1));
	for (int t = 0; t < threads; t++)
		pthread_join(tids[t], NULL);
	printf("served %ld requests on %d threads\n", requests * threads, threads);
	return 0;
}
