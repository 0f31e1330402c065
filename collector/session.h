/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One tracing session, shared by `record` and `attach`: resolve probe sites,
 * load and calibrate the probes, attach them to a process, wait, and write
 * the profile.
 */
#ifndef ATTRPROF_SESSION_H
#define ATTRPROF_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "attach.h"
#include "calibrate.h"
#include "lock_ranges.h"
#include "profile.h"
#include "python.h"
#include "sites.h"
#include "target.h"

#define DEFAULT_MAX_ATTRS 1024
#define DEFAULT_MAX_LOCK_ENTRIES 4096
#define DEFAULT_MAX_CLASSES 4096

struct session_opts {
	const char **globs;
	size_t nglobs;
	const char *output;
	double duration_s; /* 0: until stopped */
	bool count_only;
	bool no_locks;
	unsigned int max_attrs;
	unsigned int max_lock_entries;
	unsigned int max_classes;
	unsigned int time_stride; /* time one in N calls of a hot attribute */
	bool frame_evaluator;	  /* record started CPython 3.12+ with its perf trampoline */
	bool follow_forks;	  /* children that keep the program are traced too */
	bool getsets;		  /* Python: probe the interpreter's C getsets too */
};

enum session_end { END_SIGNAL, END_DURATION, END_TARGET_EXITED };

struct session {
	struct session_opts opts;
	struct target_objects objs;
	struct probe_set sites;
	struct attrprof_bpf *skel;
	struct links links;
	/*
	 * Timing windows: the window sites' links, attached now and then, and
	 * when the window opens or closes next (0: no window sites).
	 */
	struct links window_links;
	bool window_open;
	uint64_t window_next_ns;
	uint64_t window_since_ns; /* the open window's cost is judged from here */
	uint64_t window_sstep;	  /* single-stepped probe hits then */
	uint64_t window_over_ns;  /* since when it is over its budget, else 0 */
	struct prof_calibration calib;
	struct python py;
	bool python;		 /* py holds the target's interpreter */
	uint32_t first_py_attr;	 /* Python attribute ids start here */
	struct lock_codes locks; /* what tells a lock wait's kind */
	pid_t pid;
	pid_t ns_pid; /* pid in its own PID namespace, read at attach */
	uint64_t start_ns;
	uint64_t stop_ns;
	uint64_t cpu_start_ns; /* the target's CPU time at attach and over the session */
	uint64_t cpu_ns;
};

/* Monotonic clock in ns. */
uint64_t session__now_ns(void);

/*
 * Resolves probe sites in objs (the session takes ownership of objs): the
 * --func globs, and CPython's descriptor functions when the target runs a
 * supported interpreter; opens and sizes the maps, loads the probes and
 * calibrates them. A target that is neither Python nor given --func is
 * refused with -EINVAL, an unsupported Python with -ENOTSUP.
 * Returns 0, or a negative errno with a message in err.
 */
int session__open(struct session *s, const struct session_opts *opts, struct target_objects *objs,
		  char *err, size_t errlen);

/* What the session probes, for a one-line message: "5 functions, CPython 3.12.1, 12 locks". */
void session__describe(const struct session *s, char *buf, size_t len);

/*
 * Attaches every site to pid, and the tracepoints that see it fork, exec
 * and exit, and starts the clock. A pid that is our own child not yet
 * exec'd (record) has its first exec taken as the launch, not as news.
 * Returns 0 or -errno with a message.
 */
int session__attach(struct session *s, pid_t pid, char *err, size_t errlen);

/*
 * Waits for the first of: a stop signal on sigfd (SIGINT, SIGTERM), the
 * session's duration, or pidfd becoming readable (the target exited).
 * With forward_to set, stop signals a user sent to us go to that process
 * instead, and only its exit or the duration stop the session; a signal the
 * terminal sent to the whole process group is not sent twice.
 * Returns 0 with *end set, or a negative errno.
 */
int session__wait(struct session *s, int sigfd, int pidfd, pid_t forward_to, enum session_end *end);

/*
 * Stops counting (the probes stay attached but ignore every hit) and the
 * clock, so the profile can be written before the slow detach. Call it
 * before reaping the target: it reads the target's CPU time.
 */
void session__stop(struct session *s);

/* Detaches every probe; the maps stay readable. */
void session__detach(struct session *s);

/*
 * Stops the session if it runs and drains the maps into *p (zeroed first;
 * free with profile__free). exe and exit_status as for
 * session__write_profile. Returns 0 or -errno with a message; on failure
 * *p holds nothing.
 */
int session__collect_profile(struct session *s, const char *exe, enum session_end end,
			     int64_t exit_status, struct profile *p, char *err, size_t errlen);

/*
 * Stops the session if it runs, drains the maps into a profile and writes
 * it atomically to opts.output.
 * exe is the target's executable as it names it; exit_status is the
 * target's exit status or -1. Returns 0 or -errno with a message.
 */
int session__write_profile(struct session *s, const char *exe, enum session_end end,
			   int64_t exit_status, char *err, size_t errlen);

/* Detaches and frees everything. NULL-safe. */
void session__close(struct session *s);

/* Exit code for a failed step: 2 for bad input (no such PID, not ELF, no match...), else 1. */
int session__exit_code(int err);

#endif /* ATTRPROF_SESSION_H */
