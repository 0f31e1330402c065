/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The profile's "process" section: the processes a session traced, what
 * they did while traced (fork, exec, exit, from the probes' proc_events),
 * the target's namespace PID and the files changed on disk under it.
 */
#ifndef ATTRPROF_PROCESS_H
#define ATTRPROF_PROCESS_H

#include "profile.h"

struct session;

/* Fills p->process and p->target.ns_pid from a stopped session. Returns 0 or -errno. */
int process__collect(const struct session *s, struct profile *p);

/*
 * Removes /tmp/perf-CHILD.map of each child p says a traced process forked:
 * the perf trampoline record turns on (frame_evaluator) is inherited, and a
 * forked CPython writes its own map. The target's own is record's to remove.
 */
void process__remove_children_perf_maps(const struct profile *p);

#endif /* ATTRPROF_PROCESS_H */
