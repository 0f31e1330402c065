// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attrprof.h"
#include "attach.h"
#include "attrprof.skel.h"

/* From Linux 6.6's and 6.13's UAPI; Debian 12's headers (6.1) and libbpf 1.1 predate them. */
#define ATTACH_UPROBE_MULTI 48
#define ATTACH_UPROBE_SESSION 57
#define UPROBE_MULTI_RETURN 1U

/* BPF_LINK_CREATE's attribute layout for uprobe_multi (union bpf_attr, Linux 6.6+). */
struct link_create_uprobe_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u64 path;
	__u64 offsets;
	__u64 ref_ctr_offsets;
	__u64 cookies;
	__u32 cnt;
	__u32 multi_flags;
	__u32 pid;
	__u32 pad;
};

/* How a uprobe_multi link's probes fire: at entry, at return, or both as a session. */
enum multi_mode { MULTI_ENTRY, MULTI_RETURN, MULTI_SESSION };

static int uprobe_multi_link(int prog_fd, const char *path, const uint64_t *offsets,
			     const uint64_t *cookies, size_t cnt, enum multi_mode mode, pid_t pid)
{
	struct link_create_uprobe_multi attr = {
		.prog_fd = prog_fd,
		.attach_type = mode == MULTI_SESSION ? ATTACH_UPROBE_SESSION : ATTACH_UPROBE_MULTI,
		.path = (unsigned long)path,
		.offsets = (unsigned long)offsets,
		.cookies = (unsigned long)cookies,
		.cnt = cnt,
		.multi_flags = mode == MULTI_RETURN ? UPROBE_MULTI_RETURN : 0,
		.pid = pid,
	};
	int fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));

	return fd < 0 ? -errno : fd;
}

/* Whether the kernel knows uprobe_multi links of this mode. */
static bool knows_link(enum multi_mode mode)
{
	/* r0 = 0; exit */
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)(
			    mode == MULTI_SESSION ? ATTACH_UPROBE_SESSION : ATTACH_UPROBE_MULTI));
	uint64_t offset = 0;
	int prog, link;

	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &opts);
	if (prog < 0)
		return false;
	/* A kernel that knows the link type fails on "/", a directory, with EBADF. */
	link = uprobe_multi_link(prog, "/", &offset, NULL, 1, mode, 0);
	if (link >= 0)
		close(link);
	close(prog);
	return link == -EBADF;
}

void attach__probe_kernel(struct links *l)
{
	const char *off = getenv("ATTRPROF_NO_SESSIONS");

	l->multi = knows_link(MULTI_ENTRY);
	l->sessions = l->multi && !(off && !strcmp(off, "1")) && knows_link(MULTI_SESSION);
}

/* A program a site needs, and how it fires. */
struct site_prog {
	struct bpf_program *prog;
	enum multi_mode mode;
};

static int progs_of(struct attrprof_bpf *skel, const struct links *l, enum site_kind kind,
		    bool timed, struct site_prog out[2]);

void attach__prepare(struct attrprof_bpf *skel, const struct links *l,
		     const struct probe_site *sites, size_t n, bool timed_calibration)
{
	struct bpf_program *prog;
	struct site_prog use[2];

	/* Verifier time is start-up time: of the uprobe programs, load what the links use. */
	bpf_object__for_each_program(prog,
				     skel->obj) if (bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE)
		bpf_program__set_autoload(prog, false);
	for (size_t i = 0; i <= n; i++) {
		/* The calibration's sites last: native accessors, timed like the target's. */
		int k = i < n ? progs_of(skel, l, sites[i].kind, sites[i].timed, use)
			      : progs_of(skel, l, SITE_ACCESS, timed_calibration, use);

		for (int p = 0; p < k; p++) {
			bpf_program__set_autoload(use[p].prog, true);
			if (l->multi)
				bpf_program__set_expected_attach_type(
					use[p].prog,
					(enum bpf_attach_type)(use[p].mode == MULTI_SESSION
								       ? ATTACH_UPROBE_SESSION
								       : ATTACH_UPROBE_MULTI));
		}
	}
}

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

static int fds_add(struct links *l, int fd)
{
	int *v = realloc(l->fds, (l->nfds + 1) * sizeof(*v));

	if (!v) {
		close(fd);
		return -ENOMEM;
	}
	l->fds = v;
	l->fds[l->nfds++] = fd;
	return 0;
}

/*
 * The programs a site gets, return probes first: an entry whose return
 * probe is missing would leave a frame behind. Returns how many.
 */
static int progs_of(struct attrprof_bpf *skel, const struct links *l, enum site_kind kind,
		    bool timed, struct site_prog out[2])
{
	bool py = kind == SITE_PY;

	if (kind == SITE_PY_ALLOC || kind == SITE_LOCK_ANCHOR) {
		out[0] = (struct site_prog){kind == SITE_PY_ALLOC ? skel->progs.py_alloc
								  : skel->progs.lock_anchor,
					    MULTI_ENTRY};
		return 1;
	}
	/*
	 * Never a session for an untimed site, though one whose entry always
	 * skips would spare loading py_count: a session link whose pid filter
	 * turns a process away arms that process's return all the same (6.18),
	 * and at a site past a moved %rsp, another attrprof's target crashes.
	 */
	if (!timed) {
		out[0] = (struct site_prog){py ? skel->progs.py_count : skel->progs.access_count,
					    MULTI_ENTRY};
		return 1;
	}
	if (l->sessions) {
		out[0] = (struct site_prog){
			py ? skel->progs.py_session : skel->progs.access_session, MULTI_SESSION};
		return 1;
	}
	out[0] = (struct site_prog){skel->progs.access_return, MULTI_RETURN};
	out[1] = (struct site_prog){py ? skel->progs.py_enter : skel->progs.access_enter,
				    MULTI_ENTRY};
	return 2;
}

/* Pre-6.6 kernels: one perf-event link per site and program. */
static int attach_one(const struct site_prog *sp, pid_t pid, const struct probe_site *site,
		      struct links *l, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = site->cookie,
		    .retprobe = sp->mode == MULTI_RETURN);
	struct bpf_link *link;
	int ret;

	/* libbpf's "every process" is -1 (0 is the caller). */
	link = bpf_program__attach_uprobe_opts(sp->prog, pid ? pid : -1, site->host_path,
					       site->offset, &opts);
	if (!link) {
		ret = -errno;
		snprintf(err, errlen, "attach %s %s (offset 0x%llx): %s", site->host_path,
			 site->name, (unsigned long long)site->offset, strerror(-ret));
		return ret;
	}
	return links_add(l, link);
}

/* The sites of one file, kind and timing, as the arrays a uprobe_multi link takes. */
struct group {
	const char *path;
	uint64_t *offsets, *cookies;
	size_t n;
};

static bool same_group(const struct probe_site *a, const struct probe_site *b)
{
	return a->kind == b->kind && a->timed == b->timed && !strcmp(a->host_path, b->host_path);
}

static int group_of(const struct probe_site *sites, size_t n, const struct probe_site *first,
		    struct group *g)
{
	memset(g, 0, sizeof(*g));
	g->path = first->host_path;
	g->offsets = calloc(n, sizeof(*g->offsets));
	g->cookies = calloc(n, sizeof(*g->cookies));
	if (!g->offsets || !g->cookies)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!same_group(&sites[i], first))
			continue;
		g->offsets[g->n] = sites[i].offset;
		g->cookies[g->n++] = sites[i].cookie;
	}
	return 0;
}

static void group_free(struct group *g)
{
	free(g->offsets);
	free(g->cookies);
}

static int attach_group(const struct site_prog *sp, pid_t pid, const struct group *g,
			struct links *l, char *err, size_t errlen)
{
	int fd;

	fd = uprobe_multi_link(bpf_program__fd(sp->prog), g->path, g->offsets, g->cookies, g->n,
			       sp->mode, pid);
	if (fd < 0) {
		snprintf(err, errlen, "attach %zu probes to %s: %s", g->n, g->path, strerror(-fd));
		return fd;
	}
	return fds_add(l, fd);
}

/* Attaches every site of first's group through uprobe_multi links. */
static int attach_file(struct attrprof_bpf *skel, pid_t pid, const struct probe_site *sites,
		       size_t n, const struct probe_site *first, struct links *l, char *err,
		       size_t errlen)
{
	struct site_prog progs[2];
	int nprogs = progs_of(skel, l, first->kind, first->timed, progs), ret;
	struct group g;

	ret = group_of(sites, n, first, &g);
	if (ret)
		snprintf(err, errlen, "out of memory");
	for (int i = 0; i < nprogs && !ret; i++)
		ret = attach_group(&progs[i], pid, &g, l, err, errlen);
	group_free(&g);
	return ret;
}

int attach__sites(struct attrprof_bpf *skel, pid_t pid, const struct probe_site *sites, size_t n,
		  struct links *l, char *err, size_t errlen)
{
	struct site_prog progs[2];
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		bool first = true;

		if (!l->multi) {
			int nprogs = progs_of(skel, l, sites[i].kind, sites[i].timed, progs);

			for (int p = 0; p < nprogs && !ret; p++)
				ret = attach_one(&progs[p], pid, &sites[i], l, err, errlen);
			continue;
		}
		/* One link set per group, made at its first site. */
		for (size_t j = 0; j < i && first; j++)
			first = !same_group(&sites[j], &sites[i]);
		if (first)
			ret = attach_file(skel, pid, sites, n, &sites[i], l, err, errlen);
	}
	return ret;
}

/* Attaches each of progs[0..n), all tracepoints. */
static int attach_tracepoints(struct bpf_program *const *progs, size_t n, struct links *l,
			      char *err, size_t errlen)
{
	int ret;

	for (size_t i = 0; i < n; i++) {
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

int attach__lock_waits(struct attrprof_bpf *skel, struct links *l, char *err, size_t errlen)
{
	struct bpf_program *progs[] = {skel->progs.futex_exit, skel->progs.futex_enter,
				       skel->progs.on_switch};

	return attach_tracepoints(progs, sizeof(progs) / sizeof(progs[0]), l, err, errlen);
}

int attach__process_events(struct attrprof_bpf *skel, struct links *l, char *err, size_t errlen)
{
	struct bpf_program *progs[] = {skel->progs.on_fork, skel->progs.on_exec,
				       skel->progs.on_exit};

	return attach_tracepoints(progs, sizeof(progs) / sizeof(progs[0]), l, err, errlen);
}

/* One link to let go of: a libbpf link, or a raw link's fd. */
struct release {
	struct bpf_link *link;
	int fd;
	pthread_t tid;
	bool threaded;
};

static void *release_one(void *arg)
{
	struct release *r = arg;

	if (r->link)
		bpf_link__destroy(r->link);
	else
		close(r->fd);
	return NULL;
}

/*
 * Each link's release waits out the kernel's grace periods (30-110 ms
 * for a uprobe_multi link here): one thread per link waits them out
 * together, which made a Python record's exit ~0.5 s shorter. Out of
 * memory or threads, a link is released in turn.
 */
void attach__destroy(struct links *l)
{
	size_t n;
	struct release *r;

	if (!l)
		return;
	n = l->n + l->nfds;
	r = calloc(n ? n : 1, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		struct release one = {.link = i < l->n ? l->v[i] : NULL,
				      .fd = i < l->n ? -1 : l->fds[i - l->n]};

		if (!r) {
			release_one(&one);
			continue;
		}
		r[i] = one;
		r[i].threaded = !pthread_create(&r[i].tid, NULL, release_one, &r[i]);
		if (!r[i].threaded)
			release_one(&r[i]);
	}
	for (size_t i = 0; r && i < n; i++)
		if (r[i].threaded)
			pthread_join(r[i].tid, NULL);
	free(r);
	free(l->v);
	free(l->fds);
	l->v = NULL;
	l->fds = NULL;
	l->n = l->nfds = 0;
}

static void *destroy_thread(void *arg)
{
	attach__destroy(arg);
	free(arg);
	return NULL;
}

void attach__destroy_async(struct links *l)
{
	struct links *moved = malloc(sizeof(*moved));
	pthread_t tid;

	if (!moved) {
		attach__destroy(l);
		return;
	}
	*moved = *l;
	l->v = NULL;
	l->fds = NULL;
	l->n = l->nfds = 0;
	if (pthread_create(&tid, NULL, destroy_thread, moved)) {
		destroy_thread(moved);
		return;
	}
	pthread_detach(tid);
}
