// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "attrprof.h"
#include "attach.h"
#include "attrprof.skel.h"

/* Enough threads that 100 links take two grace periods, not a hundred. */
#define DETACH_THREADS 64

static int links_add(struct links *l, struct bpf_link *link)
{
	struct bpf_link **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v) {
		bpf_link__destroy(link);
		return -ENOMEM;
	}
	l->v = v;
	l->v[l->n++] = link;
	return 0;
}

static int attach_one(struct bpf_program *prog, pid_t pid, const struct probe_site *site,
		      bool retprobe, struct links *l, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = site->cookie, .retprobe = retprobe);
	struct bpf_link *link;
	int ret;

	link = bpf_program__attach_uprobe_opts(prog, pid, site->host_path, site->offset, &opts);
	if (!link) {
		ret = -errno;
		snprintf(err, errlen, "attach %s %s (offset 0x%llx): %s", site->host_path,
			 site->name, (unsigned long long)site->offset, strerror(-ret));
		return ret;
	}
	return links_add(l, link);
}

int attach__site(struct attrprof_bpf *skel, pid_t pid, const struct probe_site *site, bool timed,
		 struct links *l, char *err, size_t errlen)
{
	int ret;

	if (site->kind == SITE_LOCK)
		return attach_one(skel->progs.lock_enter, pid, site, false, l, err, errlen);
	if (!timed)
		return attach_one(skel->progs.access_count, pid, site, false, l, err, errlen);
	/* Return first: an entry whose return probe is missing would leave a frame behind. */
	ret = attach_one(skel->progs.access_return, pid, site, true, l, err, errlen);
	if (!ret)
		ret = attach_one(skel->progs.access_enter, pid, site, false, l, err, errlen);
	return ret;
}

int attach__lock_waits(struct attrprof_bpf *skel, struct links *l, char *err, size_t errlen)
{
	struct bpf_program *progs[] = {skel->progs.futex_exit, skel->progs.futex_enter};
	int ret;

	for (size_t i = 0; i < 2; i++) {
		struct bpf_link *link = bpf_program__attach(progs[i]);

		if (!link) {
			ret = -errno;
			snprintf(err, errlen, "attach tracepoint %s: %s (is tracefs mounted?)",
				 bpf_program__section_name(progs[i]), strerror(-ret));
			return ret;
		}
		ret = links_add(l, link);
		if (ret)
			return ret;
	}
	return 0;
}

struct detach_work {
	struct links *l;
	size_t first, step;
};

static void *detach_slice(void *arg)
{
	struct detach_work *w = arg;

	for (size_t i = w->first; i < w->l->n; i += w->step)
		bpf_link__destroy(w->l->v[i]);
	return NULL;
}

void attach__destroy(struct links *l)
{
	struct detach_work work[DETACH_THREADS];
	pthread_t tids[DETACH_THREADS];
	size_t nthreads, started = 0;

	if (!l || !l->n)
		goto cleanup;
	nthreads = l->n < DETACH_THREADS ? l->n : DETACH_THREADS;
	for (size_t t = 0; t < nthreads; t++) {
		work[t] = (struct detach_work){.l = l, .first = t, .step = nthreads};
		if (pthread_create(&tids[t], NULL, detach_slice, &work[t]))
			break;
		started++;
	}
	/* Whatever no thread took is detached here, one by one. */
	for (size_t t = started; t < nthreads; t++)
		detach_slice(&work[t]);
	for (size_t t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
cleanup:
	if (l) {
		free(l->v);
		l->v = NULL;
		l->n = 0;
	}
}
