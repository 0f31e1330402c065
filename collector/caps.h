/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The capabilities tracing needs, checked before anything is loaded. The set
 * was found by experiment as a non-root user (README, "Running in
 * production"; tests/root/test_privilege.c):
 *   CAP_BPF              load the programs, create their maps (kernel.unprivileged_bpf_disabled)
 *   CAP_PERFMON          uprobe perf events and uprobe_multi links, tracing programs
 *                        (tp_btf, bpf_probe_read_user); kernel.perf_event_paranoid
 *   CAP_DAC_READ_SEARCH  read the futex tracepoints' ids in tracefs (root-only, mode 0700),
 *                        only when lock waits are timed and tracefs is not readable anyway
 *   CAP_SYS_PTRACE       attach: read /proc/PID/{exe,maps,root} of another user's process
 *   CAP_CHECKPOINT_RESTORE  attach: open a binary deleted or replaced on disk through
 *                        /proc/PID/map_files, which the kernel allows only with it
 * CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON, as in the kernel.
 */
#ifndef ATTRPROF_CAPS_H
#define ATTRPROF_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "target.h"

/* What one command will do, which decides the capabilities it needs. */
struct caps_need {
	bool tracefs; /* lock waits are timed: the futex tracepoints are attached */
	pid_t pid;    /* attach: the process to trace; 0 for record (our own child) */
	/* attach, once resolved: the process's files, some maybe read through map_files */
	const struct target_objects *objs;
};

/*
 * Checks that this process holds every capability need calls for, trying
 * the files each one is for (tracefs, /proc/PID/exe) rather than assuming.
 * Returns 0, or -EPERM with a one-line message in err naming each missing
 * capability and what it is for, then the whole set the command needs.
 */
int caps__check_need(const struct caps_need *need, char *err, size_t errlen);

/* caps__check_need for a default `record`: locks timed. */
int caps__check(char *err, size_t errlen);

#endif /* ATTRPROF_CAPS_H */
