// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The regression gate's limit flags, config file and output, for diff and record --baseline. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "atomic_file.h"
#include "gate.h"
#include "options.h"

enum {
	OPT_COUNT = 0x300,
	OPT_P99,
	OPT_TOTAL,
	OPT_LOCK,
	OPT_MIN_COUNT,
	OPT_ONLY,
	OPT_IGNORE,
	OPT_CONFIG,
	OPT_CONFIDENCE,
	OPT_TRUST_SINGLE_RUN,
};

/* Limits given on the command line (bits of gate_args.given): they override --config. */
enum {
	GIVEN_COUNT = 1 << 0,
	GIVEN_P99 = 1 << 1,
	GIVEN_TOTAL = 1 << 2,
	GIVEN_LOCK = 1 << 3,
	GIVEN_MIN_COUNT = 1 << 4,
	GIVEN_ONLY = 1 << 5,
	GIVEN_IGNORE = 1 << 6,
	GIVEN_CONFIDENCE = 1 << 7,
	GIVEN_TRUST_SINGLE_RUN = 1 << 8,
};

static const struct argp_option limit_options[] = {
	{"config", OPT_CONFIG, "FILE", 0, "read limits from the JSON file FILE", 0},
	{"max-count-increase", OPT_COUNT, "PCT", 0, "calls per run (default 10)", 0},
	{"max-p99-increase", OPT_P99, "PCT", 0, "p99 latency (default 25)", 0},
	{"max-total-increase", OPT_TOTAL, "PCT", 0, "time per call (default 25)", 0},
	{"max-lock-wait-increase", OPT_LOCK, "PCT", 0, "lock wait per call (default 25)", 0},
	{"min-count", OPT_MIN_COUNT, "N", 0,
	 "timed calls each side needs for latency to be compared, and calls a new attribute needs "
	 "to be hot (default 100)",
	 0},
	{"confidence", OPT_CONFIDENCE, "PCT", 0,
	 "confidence of the latency intervals (50 to 99.9, default 95)", 0},
	{"trust-single-run", OPT_TRUST_SINGLE_RUN, NULL, 0,
	 "let latency from one run a side break limits; only on a pinned runner with nothing "
	 "else running: a busy machine fails unchanged code",
	 0},
	{"only", OPT_ONLY, "GLOB", 0,
	 "compare only attributes matching GLOB (owner.name or name); repeatable", 0},
	{"ignore", OPT_IGNORE, "GLOB", 0, "leave out attributes matching GLOB; repeatable", 0},
	{},
};

/*
 * A percentage: 0, a positive number, or "off" (no limit, stored negative).
 * A bad threshold is bad input to the gate (exit 2, as a bad config file),
 * not a usage error. Every failure below returns EINVAL as well, for a parse
 * with ARGP_NO_EXIT (the fuzzers'), where argp_failure returns.
 */
static error_t parse_pct(struct argp_state *state, const char *opt, const char *arg, double *out)
{
	if (!strcmp(arg, "off")) {
		*out = DIFF_NO_LIMIT;
	} else if (!strcmp(arg, "0")) {
		*out = 0;
	} else if (options__parse_number(arg, 1e9, true, out)) {
		argp_failure(state, EXIT_BAD_INPUT, 0,
			     "--%s: expected a percentage (0 or more) or 'off', got '%s'", opt,
			     arg);
		return EINVAL;
	}
	return 0;
}

static error_t add_glob(struct argp_state *state, const char *opt, const char *arg,
			const char **globs, size_t *n)
{
	if (*n == DIFF_MAX_GLOBS) {
		argp_failure(state, EXIT_BAD_INPUT, 0, "--%s: at most %d globs", opt,
			     DIFF_MAX_GLOBS);
		return EINVAL;
	}
	globs[(*n)++] = arg;
	return 0;
}

static error_t parse_limits(int key, char *arg, struct argp_state *state)
{
	struct gate_args *a = state->input;
	struct diff_limits *l = &a->limits;
	double v;

	switch (key) {
	case OPT_CONFIG:
		a->config = arg;
		break;
	case OPT_COUNT:
		a->given |= GIVEN_COUNT;
		return parse_pct(state, "max-count-increase", arg, &l->count_pct);
	case OPT_P99:
		a->given |= GIVEN_P99;
		return parse_pct(state, "max-p99-increase", arg, &l->p99_pct);
	case OPT_TOTAL:
		a->given |= GIVEN_TOTAL;
		return parse_pct(state, "max-total-increase", arg, &l->total_pct);
	case OPT_LOCK:
		a->given |= GIVEN_LOCK;
		return parse_pct(state, "max-lock-wait-increase", arg, &l->lock_pct);
	case OPT_CONFIDENCE:
		if (options__parse_number(arg, DIFF_MAX_CONFIDENCE, true, &v) ||
		    v < DIFF_MIN_CONFIDENCE) {
			argp_failure(state, EXIT_BAD_INPUT, 0,
				     "--confidence: expected a percentage from %g to %g, got '%s'",
				     DIFF_MIN_CONFIDENCE, DIFF_MAX_CONFIDENCE, arg);
			return EINVAL;
		}
		l->confidence = v;
		a->given |= GIVEN_CONFIDENCE;
		break;
	case OPT_TRUST_SINGLE_RUN:
		l->trust_single_run = true;
		a->given |= GIVEN_TRUST_SINGLE_RUN;
		break;
	case OPT_MIN_COUNT:
		a->given |= GIVEN_MIN_COUNT;
		if (!strcmp(arg, "0"))
			l->min_count = 0;
		else if (options__parse_number(arg, 1e15, false, &v)) {
			argp_failure(state, EXIT_BAD_INPUT, 0,
				     "--min-count: expected a whole number, got '%s'", arg);
			return EINVAL;
		} else
			l->min_count = v;
		break;
	case OPT_ONLY:
		a->given |= GIVEN_ONLY;
		return add_glob(state, "only", arg, l->only, &l->nonly);
	case OPT_IGNORE:
		a->given |= GIVEN_IGNORE;
		return add_glob(state, "ignore", arg, l->ignore, &l->nignore);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp gate__limits_argp = {limit_options, parse_limits, NULL, NULL, NULL, NULL, NULL};

int gate__resolve_limits(const char *cmd, const struct gate_args *a, struct diff_limits *l,
			 json_t **doc)
{
	const struct diff_limits *cli = &a->limits;
	char err[1024];

	diff__default_limits(l);
	*doc = NULL;
	if (a->config && diff__read_config(a->config, l, doc, err, sizeof(err))) {
		fprintf(stderr, "attrprof %s: %s\n", cmd, err);
		return -EINVAL;
	}
	if (a->given & GIVEN_COUNT)
		l->count_pct = cli->count_pct;
	if (a->given & GIVEN_P99)
		l->p99_pct = cli->p99_pct;
	if (a->given & GIVEN_TOTAL)
		l->total_pct = cli->total_pct;
	if (a->given & GIVEN_LOCK)
		l->lock_pct = cli->lock_pct;
	if (a->given & GIVEN_MIN_COUNT)
		l->min_count = cli->min_count;
	if (a->given & GIVEN_CONFIDENCE)
		l->confidence = cli->confidence;
	if (a->given & GIVEN_TRUST_SINGLE_RUN)
		l->trust_single_run = true;
	if (a->given & GIVEN_ONLY) {
		memcpy(l->only, cli->only, sizeof(l->only));
		l->nonly = cli->nonly;
	}
	if (a->given & GIVEN_IGNORE) {
		memcpy(l->ignore, cli->ignore, sizeof(l->ignore));
		l->nignore = cli->nignore;
	}
	return 0;
}

struct rendering {
	enum diff_format format;
	const struct diff_result *r;
};

static int render_to(FILE *f, const void *arg)
{
	const struct rendering *how = arg;

	return diff__render(f, how->r, how->format);
}

/* Writes r in format to path or stdout. Returns 0 or a negative errno after saying why. */
static int output(const char *cmd, const struct diff_result *r, enum diff_format format,
		  const char *path)
{
	int ret;

	if (path) {
		ret = atomic_file__write(path, render_to, &(struct rendering){format, r});
	} else {
		ret = diff__render(stdout, r, format);
		if (!ret && fflush(stdout))
			ret = -errno;
	}
	if (ret)
		fprintf(stderr, "attrprof %s: writing %s: %s\n", cmd, path ?: "the comparison",
			strerror(-ret));
	return ret;
}

int gate__verdict(const char *cmd, const struct profile *base, const struct profile *new,
		  const struct diff_limits *l, enum diff_format format, const char *path)
{
	struct diff_result r = {};
	int ret, code;

	ret = diff__compare(base, new, l, &r);
	if (ret) {
		fprintf(stderr, "attrprof %s: %s\n", cmd, ret == -EINVAL ? r.err : strerror(-ret));
		return ret == -EINVAL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
	}
	if (output(cmd, &r, format, path))
		code = EXIT_RUNTIME;
	else
		code = r.nregressions ? EXIT_RUNTIME : 0;
	diff__free(&r);
	return code;
}
