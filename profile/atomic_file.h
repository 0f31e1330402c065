/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Files written whole or not at all: a reader never sees half a profile or report. */
#ifndef ATTRPROF_ATOMIC_FILE_H
#define ATTRPROF_ATOMIC_FILE_H

#include <stdio.h>

/*
 * Calls write(f, arg) on a temporary file next to path (mode 0644), then
 * flushes, fsyncs and renames it over path. write returns 0 or a negative
 * errno. Returns 0, or a negative errno with path untouched and the
 * temporary file removed.
 *
 * The temporary is PATH.XXXXXX.attrprof-tmp, flock()ed from its creation
 * to its rename. A writer killed meanwhile (SIGKILL) leaves it behind,
 * unlocked: the next write to path removes it and says so on stderr.
 */
int atomic_file__write(const char *path, int (*write)(FILE *f, const void *arg), const void *arg);

#endif /* ATTRPROF_ATOMIC_FILE_H */
