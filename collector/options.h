/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Command-line options that `record` and `attach` share, as an argp child parser. */
#ifndef ATTRPROF_OPTIONS_H
#define ATTRPROF_OPTIONS_H

#include <argp.h>
#include <stdbool.h>
#include <linux/types.h>
#include "attrprof.h"
#include "session.h"

/* Exit codes (see README): */
#define EXIT_RUNTIME 1 /* runtime failure; for diff, a regression */
#define EXIT_BAD_INPUT 2
#define EXIT_WORKLOAD 3 /* record --baseline: a run of the command failed */
#define EXIT_USAGE 64

/* Fills a session_opts; its input is the struct session_opts * to fill. */
extern const struct argp options__tracing;

/* Sets the defaults; call before argp_parse. */
void options__init(struct session_opts *o);

/* Frees what options__tracing allocated. */
void options__free(struct session_opts *o);

/*
 * Parses a positive decimal (or, with allow_frac, fractional) number into *out.
 * Returns 0 or -EINVAL.
 */
int options__parse_number(const char *s, double max, bool allow_frac, double *out);

#endif /* ATTRPROF_OPTIONS_H */
