/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Attaching probe sites to a process, and tearing all links down fast. */
#ifndef ATTRPROF_ATTACH_H
#define ATTRPROF_ATTACH_H

#include <stdbool.h>
#include <sys/types.h>
#include "sites.h"

struct bpf_link;
struct attrprof_bpf;

struct links {
	struct bpf_link **v;
	size_t n;
};

/*
 * Attaches the programs a site needs in process pid: access_enter and
 * access_return (timed) or access_count (count-only) for SITE_ACCESS,
 * lock_enter for SITE_LOCK. The links are appended to l.
 * Returns 0, or a negative errno with a message naming file, symbol and cause.
 */
int attach__site(struct attrprof_bpf *skel, pid_t pid, const struct probe_site *site, bool timed,
		 struct links *l, char *err, size_t errlen);

/* Attaches the futex tracepoints that time lock waits. Returns 0 or -errno with a message. */
int attach__lock_waits(struct attrprof_bpf *skel, struct links *l, char *err, size_t errlen);

/*
 * Destroys every link, in parallel: each uprobe detach waits for an RCU
 * grace period (about 110 ms here), so 100 links closed one by one would
 * take 11 s. NULL-safe; leaves l empty.
 */
void attach__destroy(struct links *l);

#endif /* ATTRPROF_ATTACH_H */
