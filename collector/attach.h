/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Attaching probe sites to a process, and tearing the links down.
 *
 * Each uprobe link costs a grace period to detach (about 85-110 ms here),
 * and the kernel serializes them: 200 links take 20 s however many threads
 * close them. So on kernels with uprobe_multi links (Linux 6.6+) every
 * file's sites share one link per program, created with the raw syscall
 * since libbpf 1.1 predates them; older kernels get a perf-event link per
 * site, the attribute id in its cookie either way.
 */
#ifndef ATTRPROF_ATTACH_H
#define ATTRPROF_ATTACH_H

#include <stdbool.h>
#include <sys/types.h>
#include "sites.h"

struct bpf_link;
struct attrprof_bpf;

struct links {
	struct bpf_link **v; /* libbpf links: tracepoints, per-site uprobes */
	size_t n;
	int *fds; /* uprobe_multi link fds */
	size_t nfds;
	bool multi;    /* uprobes go through uprobe_multi links */
	bool sessions; /* timed sites get uprobe session links (implies multi) */
};

/*
 * What this kernel offers, into l->multi (uprobe_multi links, Linux 6.6+)
 * and l->sessions (uprobe sessions, 6.13+). Needs CAP_BPF; false on any
 * doubt. ATTRPROF_NO_SESSIONS=1 in the environment turns sessions off, so
 * that the older kernels' way is tested here too.
 */
void attach__probe_kernel(struct links *l);

/*
 * Between open and load: loads only the uprobe programs that sites[0..n)
 * and the calibration (timed or not) will use through links like l's, and
 * sets each one's attach type for them.
 */
void attach__prepare(struct attrprof_bpf *skel, const struct links *l,
		     const struct probe_site *sites, size_t n, bool timed_calibration);

/*
 * Attaches sites[0..n) in process pid (0: in every process that maps
 * them, for the programs to filter). A timed site gets a session (its entry
 * decides whether the return runs) or, without sessions, an entry and a
 * return probe on every call; an untimed one an entry probe. Links are
 * added to l. Returns 0, or a negative errno with a message naming the
 * file, the symbol when there is one, and the cause.
 */
int attach__sites(struct attrprof_bpf *skel, pid_t pid, const struct probe_site *sites, size_t n,
		  struct links *l, char *err, size_t errlen);

/*
 * Attaches the futex tracepoints that time lock waits and the scheduler one
 * that times off-CPU spells inside accesses. Returns 0 or -errno with a message.
 */
int attach__lock_waits(struct attrprof_bpf *skel, struct links *l, char *err, size_t errlen);

/*
 * Attaches the scheduler tracepoints that see traced processes fork, exec
 * and exit. Returns 0 or -errno with a message.
 */
int attach__process_events(struct attrprof_bpf *skel, struct links *l, char *err, size_t errlen);

/* Destroys every link and empties l; returns when the kernel has let go. NULL-safe. */
void attach__destroy(struct links *l);

/*
 * Moves l's links to a detached thread that destroys them, and empties l:
 * for links that will never fire again, so nobody waits for their detach.
 */
void attach__destroy_async(struct links *l);

#endif /* ATTRPROF_ATTACH_H */
