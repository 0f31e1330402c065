/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The traced process: checks on a PID, and the ELF objects it maps or will map. */
#ifndef ATTRPROF_TARGET_H
#define ATTRPROF_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct target_object {
	char *path;	 /* as the target names it (/proc/PID/maps, the loader's list) */
	char *host_path; /* where this process opens it: under /proc/PID/root for a PID */
	/*
	 * NULL when the file at path is the one mapped; else "deleted" or
	 * "replaced" (a deploy in place), and host_path is the process's own
	 * mapping, /proc/PID/map_files/START-END.
	 */
	const char *on_disk;
};

struct target_objects {
	struct target_object *v;
	size_t n;
};

/*
 * Checks that pid is a live user-space process this process may trace.
 * Returns 0, or -ESRCH (no such process), -EINVAL (a kernel thread) or
 * another negative errno, with a one-line message in err.
 */
int target__check_pid(pid_t pid, char *err, size_t errlen);

/*
 * The flags field (PF_*) of a /proc/PID/stat line (NUL-terminated) into *flags.
 * Returns 0, or -EINVAL when the line has no such field.
 */
int target__stat_flags(const char *stat, unsigned long *flags);

/*
 * The CPU time (utime + stime, in clock ticks) of a /proc/PID/stat line into
 * *ticks. Returns 0, or -EINVAL when the line has no such fields.
 */
int target__stat_cpu_ticks(const char *stat, uint64_t *ticks);

/* The CPU time pid's threads have used, the exited ones included, in ns; 0 if unknown. */
uint64_t target__cpu_ns(pid_t pid);

/*
 * The target's executable as it names it (readlink of /proc/PID/exe, less
 * the " (deleted)" the kernel adds once the file is gone). Returns 0 or -errno.
 */
int target__exe(pid_t pid, char *buf, size_t len);

/* pid's PID in its own PID namespace (the last NSpid of /proc/PID/status), or 0. */
pid_t target__ns_pid(pid_t pid);

/* The last NSpid of a /proc/PID/status listing, or 0 when it has none. */
pid_t target__status_ns_pid(FILE *status);

/*
 * Whether pid is a child of this process still running this process's own
 * program: record's command, forked but not yet exec'd.
 */
bool target__is_unlaunched_child(pid_t pid);

/*
 * The files pid maps executable, main executable first, each once. A file
 * deleted or replaced on disk since it was mapped is read through the
 * mapping itself (see on_disk).
 * Returns 0, or a negative errno with a message in err. Free with target__objects_free.
 */
int target__pid_objects(pid_t pid, struct target_objects *out, char *err, size_t errlen);

/*
 * For a command about to be started: resolves argv0 through PATH into
 * *exe (caller frees) and lists the executable and the shared objects the
 * dynamic loader will map for it (the loader's --list, which loads but runs
 * none of the program's code). Returns 0, or a negative errno with a message.
 */
int target__command_objects(const char *argv0, char **exe, struct target_objects *out, char *err,
			    size_t errlen);

/*
 * Adds to out the files a /proc/PID/maps listing of pid maps executable, each
 * once, as target__pid_objects does (host paths under /proc/PID). Other lines
 * are passed over. Returns 0 or -ENOMEM (out keeps what was added).
 */
int target__maps_objects(FILE *maps, pid_t pid, struct target_objects *out);

/*
 * Adds to o the absolute paths the dynamic loader's --list prints
 * ("name => /path (addr)" or "/path (addr)"), each once, reading list to its
 * end. Returns 0 or -ENOMEM.
 */
int target__loader_objects(FILE *list, struct target_objects *o);

void target__objects_free(struct target_objects *o);

#endif /* ATTRPROF_TARGET_H */
