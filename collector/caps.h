/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The capabilities tracing needs, checked before anything is loaded. */
#ifndef ATTRPROF_CAPS_H
#define ATTRPROF_CAPS_H

#include <stddef.h>

/*
 * Checks that this process may load tracing BPF programs and open uprobes:
 * CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN, which implies both). Returns 0,
 * or -EPERM with a message in err naming each missing capability.
 */
int caps__check(char *err, size_t errlen);

#endif /* ATTRPROF_CAPS_H */
