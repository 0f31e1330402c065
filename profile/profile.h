/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The profile: what one recording measured, as plain C structs (profile.c),
 * and its versioned JSON file format, PROFILE_SCHEMA below (write.c writes
 * it, read.c reads every version). The module sits between the collector,
 * which fills it, and report/, which reads it, and needs neither: no libbpf
 * and no collector/ header, so report/ and the unit tests use it without root.
 */
#ifndef ATTRPROF_PROFILE_H
#define ATTRPROF_PROFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "attrprof.h"

/* attrprof's own version: `attrprof --version` and every profile's "tool". */
#define ATTRPROF_VERSION "0.1.0"

/*
 * Written: version 2 adds per-attribute signals; version 3 adds optional
 * fields (the bounds' drops, resources, the target's namespace PID, the
 * "process" section, the runs of a repeated recording); version 4 names
 * more lock kinds ("pthread" became "mutex"), times a sample of each hot
 * attribute's calls ("timing"), and says what the probes cost ("overhead",
 * the calibration's "resolution_ns"). Read: versions 1 to 4.
 */
#define PROFILE_SCHEMA "attrprof.profile/4"
#define PROFILE_SCHEMA_V3 "attrprof.profile/3"
#define PROFILE_SCHEMA_V2 "attrprof.profile/2"
#define PROFILE_SCHEMA_V1 "attrprof.profile/1"
/* Most runs one profile holds (record --runs). */
#define PROFILE_MAX_RUNS 100

struct prof_lock {
	uint64_t count;	   /* waits that blocked */
	uint64_t total_ns; /* time blocked */
	uint64_t max_ns;
	uint64_t hist[HIST_SLOTS];
};

/*
 * What the recommendations need beyond counts and latency (schema 2; zero
 * when read from a version 1 profile or not measured). Reads and writes of
 * one attribute are its "get" and "set"/"delete" entries.
 */
struct prof_signals {
	uint64_t repeat_reads; /* gets of the instance this thread just read, no write between */
	uint64_t concurrent; /* accesses begun while another thread was inside it, same instance */
	uint64_t off_cpu_ns; /* time inside the access spent off-CPU, lock waits excluded */
	uint64_t preempted_ns; /* schema 4: time inside it waiting, runnable, for a CPU */
};

/*
 * One attribute in one run of a repeated recording (schema 3): what the
 * statistics compare run by run. All zero in a run where it was not called.
 */
struct prof_run {
	uint64_t count;
	uint64_t timed;
	uint64_t total_ns;
	uint64_t p50_ns;  /* from that run's histogram: its typical call */
	uint64_t p99_ns;  /* from that run's histogram */
	uint64_t lock_ns; /* lock waits over all kinds */
};

struct prof_attr {
	char *owner;	     /* C: basename of the object defining the symbol */
	char *name;	     /* C: the symbol */
	enum attr_kind kind; /* C: KIND_FUNCTION; named in the file (profile__kind_name) */
	enum attr_op op;     /* C: OP_CALL */
	char *probe;	 /* how its probe is paid: "emulated" or "single-step" first instruction */
	char *qualname;	 /* Python: the owner's qualified name, when it has one; else NULL */
	uint64_t count;	 /* calls observed (entries) */
	uint64_t errors; /* timed calls that returned the kind's error value (all, if all timed) */
	uint64_t threads;
	uint64_t timed; /* calls with a latency in hist (count minus untimed drops) */
	/*
	 * Schema 4: probe hits inside those calls, whose calibrated costs
	 * were subtracted: each adds its own error to the latency.
	 */
	uint64_t nested_hits;
	uint64_t total_ns;
	uint64_t max_ns;
	uint64_t hist[HIST_SLOTS];
	struct prof_lock locks[LOCK_KINDS]; /* indexed by enum lock_kind */
	struct prof_signals signals;
	struct prof_run *runs; /* profile.nruns entries when nruns > 1, else NULL */
};

/*
 * What one probe hit costs, measured at start-up (collector/calibrate.c),
 * by class: emulated, single-step. 0 where not measured (a class no site
 * has; frame and return costs in count-only mode).
 */
struct prof_calibration {
	/* Probe time inside a timed frame's own measurement, subtracted from it. */
	uint64_t frame_ns[PROBE_CLASSES];
	/* Wall time one entry hit (its return skipped) adds to the code around it. */
	uint64_t entry_ns[PROBE_CLASSES];
	/* Wall time one return hit adds. */
	uint64_t return_ns;
	/*
	 * Schema 4: how far the probe time inside one frame strays from
	 * frame_ns (the 10th to 90th percentile of do-nothing calls): a latency
	 * below it is not told apart from the probes' own.
	 */
	uint64_t resolution_ns[PROBE_CLASSES];
};

struct prof_dropped {
	uint64_t map_full;
	uint64_t stack_depth;
	uint64_t read_errors;
	uint64_t unmatched_returns;
	uint64_t attrs_over_limit; /* matched functions left unprobed by --max-attrs */
	uint64_t unprobeable;	   /* matched functions whose first instruction uprobes refuse */
	/* Schema 3; 0 when read from an older profile. */
	uint64_t accesses_over_limit;	/* Python accesses of attributes beyond --max-attrs */
	uint64_t allocs_over_limit;	/* instances of classes beyond --max-classes */
	uint64_t lock_waits_over_limit; /* blocked waits beyond --max-lock-entries */
};

/*
 * Which calls were timed (schema 4; policy NULL in older profiles, where
 * every call was): "sample" (each attribute's first first_calls calls on a
 * CPU, then every stride-th, and all calls of one at least half of whose
 * timed calls took slow_ns or more) or "every call".
 */
struct prof_timing {
	char *policy;
	uint64_t first_calls;
	uint64_t stride;
	uint64_t slow_ns;
};

/*
 * What the probes cost the target (schema 4; zeros when not measured):
 * its probe hits, their cost at the calibrated prices, and the CPU time the
 * target's threads used over the session, probe hits included.
 */
struct prof_overhead {
	uint64_t traps[TRAP_KINDS]; /* enum trap_kind */
	uint64_t probe_ns;
	uint64_t cpu_ns;
};

/* What the session cost this machine (schema 3; 0 when not measured). */
struct prof_resources {
	uint64_t map_bytes;	 /* the BPF maps' memory, as the kernel accounts it, at the end */
	uint64_t peak_rss_bytes; /* the collector's peak resident set */
};

/* One attribute's blocked waits on a shared lock. */
struct prof_lock_user {
	size_t attr; /* index in attrs */
	uint64_t waits;
	uint64_t total_ns;
};

/*
 * A lock that accesses blocked on, and which attributes did: attributes
 * sharing one lock, with their read (get) and write (set) counts in attrs,
 * tell a readers-writer lock from a striped one. Ids, never addresses.
 */
struct prof_shared_lock {
	uint64_t id;
	int kind; /* enum lock_kind */
	struct prof_lock_user *users;
	size_t nusers;
};

/* Python: instances created per class (from PyType_GenericAlloc). */
struct prof_class {
	char *owner;	/* tp_name */
	char *qualname; /* NULL when it has none */
	uint64_t allocs;
	int dict; /* its instances carry a __dict__ */
};

/* Python: how well one kind of attribute access could be observed on this target. */
struct prof_coverage {
	char *kind;   /* "descriptor", "property", ... */
	char *status; /* "exact", "partial" or "none" */
	char *why;    /* what is or is not seen, and how to see more */
};

/* Something a traced process did mid-trace (schema 3). */
struct prof_proc_event {
	char *event;	/* "fork", "exec" or "exit" */
	uint64_t at_ns; /* since tracing started */
	int64_t pid;	/* the traced process, by its host PID */
	int64_t child;	/* fork: the new process; else 0 */
	int followed;	/* fork: the child was traced too (--follow-forks) */
	char *filename; /* exec: the program exec'd, as given to exec; else NULL */
	int64_t status; /* exit: its wait(2) status; else 0 */
};

/* A file the target maps whose copy at that path is not the one it runs (deploy in place). */
struct prof_changed_file {
	char *path;	/* as the target maps it */
	char *on_disk;	/* "deleted" or "replaced" */
	char *read_via; /* what attrprof read and probed instead: the process's own mapping */
};

/* The traced processes and what they did (schema 3; present == 0 when absent). */
struct prof_process {
	int present;
	int follow_forks;
	int64_t *pids; /* the processes whose calls count: the target, then followed children */
	size_t npids;
	struct prof_proc_event *events;
	size_t nevents;
	uint64_t dropped_events; /* events past the probes' bound, not listed */
	struct prof_changed_file *changed_files;
	size_t nchanged_files;
};

struct profile {
	struct {
		int64_t pid;
		int64_t ns_pid; /* the PID inside its own PID namespace (schema 3), else 0 */
		char *exe;
		char *build_id; /* hex, or NULL when the binary has none */
		char *runtime;	/* "c" or "python" */
		char *version;	/* the interpreter's version ("3.11.2"), NULL for C */
	} target;
	char *mode;	     /* "timed" (entry + return) or "count" (entry only) */
	char *end;	     /* why recording stopped: "duration", "signal", "target-exited" */
	int64_t exit_status; /* the target's exit status when record ran it, else -1 */
	uint64_t duration_ns;
	uint64_t probe_cost_ns; /* calibration.frame_ns of the common (emulated) class */
	struct prof_calibration calibration;
	struct prof_timing timing;
	struct prof_overhead overhead;
	struct prof_dropped dropped;
	struct prof_resources resources;
	struct prof_lock unattributed[LOCK_KINDS]; /* lock waits outside any access */
	struct prof_attr *attrs;
	size_t nattrs;
	struct prof_class *classes;
	size_t nclasses;
	struct prof_coverage *coverage;
	size_t ncoverage;
	struct prof_shared_lock *locks;
	size_t nlocks;
	struct prof_process process;
	/*
	 * Runs merged into this profile (schema 3, record --runs): 1 for one
	 * recording. With more, every total above is the sum over the runs and
	 * each attribute has its per-run series.
	 */
	size_t nruns;
};

/* Name of a lock kind in profiles and reports ("mutex", "python", "gil", ..., "futex"). */
const char *profile__lock_kind_name(enum lock_kind kind);

/* Name of an attribute kind or op (probe/attrprof.h's tables), "unknown" out of range. */
const char *profile__kind_name(enum attr_kind kind);
const char *profile__op_name(enum attr_op op);
/* The kind or op a name stands for, or -1 for a name no table row has. */
int profile__kind_of(const char *name);
int profile__op_of(const char *name);

/* Name of a trap kind in the profile's "overhead" ("entry_emulated", ..., "return"). */
const char *profile__trap_name(enum trap_kind kind);

/*
 * Appends a zeroed attribute with copies of the two strings.
 * Returns it, or NULL with errno set (ENOMEM). The profile owns it; the
 * pointer stays valid until the next profile__add_attr (p->attrs may move).
 */
struct prof_attr *profile__add_attr(struct profile *p, const char *owner, const char *name,
				    enum attr_kind kind, enum attr_op op);

/*
 * Adds waits of attribute attr to the lock with this id (created, with
 * kind, on first use). Returns 0 or -ENOMEM.
 */
int profile__add_lock_user(struct profile *p, uint64_t id, int kind, size_t attr, uint64_t waits,
			   uint64_t total_ns);

/* Removes and frees the last attribute. */
void profile__pop_attr(struct profile *p);

/* Appends a class with copies of the strings (qualname may be NULL). NULL on ENOMEM. */
struct prof_class *profile__add_class(struct profile *p, const char *owner, const char *qualname);

/*
 * Appends a process event with a copy of event and filename (NULL allowed);
 * the caller sets the numbers. NULL on ENOMEM.
 */
struct prof_proc_event *profile__add_proc_event(struct profile *p, const char *event,
						const char *filename);

/* Adds pid to p->process.pids unless listed. Returns 0 or -ENOMEM. */
int profile__add_pid(struct profile *p, int64_t pid);

/* Appends a changed file with copies of the strings. Returns 0 or -ENOMEM. */
int profile__add_changed_file(struct profile *p, const char *path, const char *on_disk,
			      const char *read_via);

/* Appends a coverage entry with copies of the strings. Returns 0 or -ENOMEM. */
int profile__add_coverage(struct profile *p, const char *kind, const char *status, const char *why);

/*
 * Writes p as JSON to out and flushes it. Returns 0, or -EIO when the stream
 * failed, -ENOMEM, or -EINVAL when p holds what the format cannot (a NULL or
 * non-UTF-8 string other than build_id, a number above INT64_MAX).
 */
int profile__dump(const struct profile *p, FILE *out);

/*
 * Writes p to path atomically: a temporary file in the same directory,
 * fsync, rename. A reader never sees a partial file under path.
 * Returns 0, or a negative errno; on failure path is left untouched.
 */
int profile__write(const struct profile *p, const char *path);

/*
 * Reads a profile from path into *p (zeroed first; free with profile__free).
 * Returns 0, or a negative errno with a one-line message in err naming the
 * file and, for a syntax error, line and column, else the JSON path of the
 * offending member and what was expected. On failure *p holds nothing.
 */
int profile__read(const char *path, struct profile *p, char *err, size_t errlen);

/* Frees everything p owns and zeroes it. NULL-safe. */
void profile__free(struct profile *p);

/* Whether p's timing policy timed a sample of a's calls, not all of them. */
bool profile__sampled(const struct profile *p, const struct prof_attr *a);

/*
 * The time of all of a's calls in ns: its timed calls' total, scaled up to
 * every call when the timing policy timed a sample of them (an estimate then).
 * Calls untimed for other reasons (the drops) are not estimated.
 */
uint64_t profile__time_ns(const struct profile *p, const struct prof_attr *a);

/*
 * a's errors over all its calls: errors are seen at the return, so only on
 * timed calls; scaled up to every call when those were a sample (an
 * estimate then), as profile__time_ns.
 */
uint64_t profile__errors(const struct profile *p, const struct prof_attr *a);

/* Sum of an attribute's lock waits over all kinds, into *out. */
void profile__lock_total(const struct prof_lock locks[LOCK_KINDS], struct prof_lock *out);

#endif /* ATTRPROF_PROFILE_H */
