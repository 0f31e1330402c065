/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The regression gate's options and output, shared by `diff` and
 * `record --baseline`: the limit flags as an argp child parser, the
 * --config file under them, and the verdict in the chosen format.
 */
#ifndef ATTRPROF_GATE_H
#define ATTRPROF_GATE_H

#include <argp.h>
#include <jansson.h>
#include "diff.h"

struct gate_args {
	const char *config;
	struct diff_limits limits; /* from the command line: only the given ones count */
	unsigned int given;	   /* which of them were given */
};

/* Parses the limit flags and --config; its input is the struct gate_args * to fill. */
extern const struct argp gate__limits_argp;

/* Help text for the limits and the config file, for a command's doc after \v. */
#define GATE_LIMITS_DOC                                                                            \
	"Limits are percent increases; 0 allows none, 'off' disables one. Calls are compared "     \
	"per run, exactly. Latency (p99, time per call, lock wait per call) is compared where "    \
	"both sides have --min-count timed calls, and breaks a limit only on an attribute with "   \
	"1ms of time a run in the base, when the whole interval of the increase at "               \
	"--confidence lies above the limit (else it is listed as unproven). With several runs a "  \
	"side (record --runs, 4 or more; 5 settles a verdict at 95%) the runs are compared as "    \
	"two samples (Hodges-Lehmann, exact Mann-Whitney). With one run a side the histograms "    \
	"are, whose intervals measure sampling noise only, not the machine's run-to-run noise: "   \
	"latency is then advisory, listed as unproven and never a regression, unless "             \
	"--trust-single-run. Calls still fail exactly. A new attribute with --min-count calls "    \
	"and 1ms of time a run is a regression.\n\n"                                               \
	"--config reads a JSON object with any of the keys max_count_increase, "                   \
	"max_p99_increase, max_total_increase, max_lock_wait_increase (a percentage or "           \
	"\"off\"), min_count, confidence, trust_single_run (true or false), only and ignore (a "   \
	"glob or an array of globs), e.g.\n"                                                       \
	"  {\"max_p99_increase\": 50, \"min_count\": 1000, \"ignore\": [\"*.__dict__\"]}\n"        \
	"Options given on the command line override the file."

/*
 * The limits: defaults, then a->config, then what the command line gave.
 * The globs may borrow from *doc: json_decref it after the last use of *l.
 * Returns 0, or -EINVAL after printing why to stderr, prefixed by cmd.
 */
int gate__resolve_limits(const char *cmd, const struct gate_args *a, struct diff_limits *l,
			 json_t **doc);

/*
 * The gate: compares new against base under l, writes the result in format
 * to path (replaced atomically) or, path NULL, stdout, and returns the exit
 * code of cmd: 0 when nothing regressed, EXIT_RUNTIME when something did or
 * writing failed, EXIT_BAD_INPUT when the profiles cannot be compared. Says
 * why on stderr, prefixed by "attrprof CMD: ", whenever it is not 0 for a
 * reason other than a regression.
 */
int gate__verdict(const char *cmd, const struct profile *base, const struct profile *new,
		  const struct diff_limits *l, enum diff_format format, const char *path);

#endif /* ATTRPROF_GATE_H */
