// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* attrprof diff: compare two profiles and gate CI on regressions. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "diff.h"
#include "options.h"
#include "profile.h"

enum {
	OPT_COUNT = 0x100,
	OPT_P99,
	OPT_TOTAL,
	OPT_LOCK,
	OPT_MIN_COUNT,
	OPT_ONLY,
	OPT_IGNORE,
};

struct diff_args {
	const char *paths[2];
	int npaths;
	bool json;
	struct diff_limits limits;
};

static const char doc[] =
	"Compare the profile NEW against BASE; exit 1 when an attribute regressed beyond the "
	"limits, 2 when the profiles cannot be read or compared.\v"
	"Limits are percent increases; 0 allows none, 'off' disables one. Latency (p99, total "
	"time per call, lock wait per call) is compared only when both sides have --min-count "
	"timed calls. A new attribute with --min-count calls and 1ms of total time is a "
	"regression.\n\n"
	"Examples:\n"
	"  attrprof diff main.json pr.json\n"
	"  attrprof diff main.json pr.json --max-p99-increase 50 --only 'Order.*'\n"
	"  attrprof diff main.json pr.json --format json > diff.json";

static const struct argp_option diff_options[] = {
	{"format", 'F', "FORMAT", 0, "text (default) or json", 0},
	{"max-count-increase", OPT_COUNT, "PCT", 0, "calls (default 10)", 0},
	{"max-p99-increase", OPT_P99, "PCT", 0, "p99 latency (default 25)", 0},
	{"max-total-increase", OPT_TOTAL, "PCT", 0, "total time per call (default 25)", 0},
	{"max-lock-wait-increase", OPT_LOCK, "PCT", 0, "lock wait per call (default 25)", 0},
	{"min-count", OPT_MIN_COUNT, "N", 0,
	 "timed calls each side needs for latency to be compared, and calls a new attribute needs "
	 "to be hot (default 100)",
	 0},
	{"only", OPT_ONLY, "GLOB", 0, "compare only attributes matching GLOB (owner.name or name)",
	 0},
	{"ignore", OPT_IGNORE, "GLOB", 0, "leave out attributes matching GLOB", 0},
	{},
};

/* A percentage: 0, a positive number, or "off" (no limit, stored negative). */
static void parse_pct(struct argp_state *state, const char *opt, const char *arg, double *out)
{
	if (!strcmp(arg, "off"))
		*out = DIFF_NO_LIMIT;
	else if (!strcmp(arg, "0"))
		*out = 0;
	else if (options__parse_number(arg, 1e9, true, out))
		argp_error(state, "--%s: expected a percentage (0 or more) or 'off', got '%s'", opt,
			   arg);
}

static error_t parse_diff(int key, char *arg, struct argp_state *state)
{
	struct diff_args *a = state->input;
	double v;

	switch (key) {
	case 'F':
		if (!strcmp(arg, "json"))
			a->json = true;
		else if (!strcmp(arg, "text"))
			a->json = false;
		else
			argp_error(state, "--format: expected text or json, got '%s'", arg);
		break;
	case OPT_COUNT:
		parse_pct(state, "max-count-increase", arg, &a->limits.count_pct);
		break;
	case OPT_P99:
		parse_pct(state, "max-p99-increase", arg, &a->limits.p99_pct);
		break;
	case OPT_TOTAL:
		parse_pct(state, "max-total-increase", arg, &a->limits.total_pct);
		break;
	case OPT_LOCK:
		parse_pct(state, "max-lock-wait-increase", arg, &a->limits.lock_pct);
		break;
	case OPT_MIN_COUNT:
		if (!strcmp(arg, "0"))
			a->limits.min_count = 0;
		else if (options__parse_number(arg, 1e15, false, &v))
			argp_error(state, "--min-count: expected a whole number, got '%s'", arg);
		else
			a->limits.min_count = v;
		break;
	case OPT_ONLY:
		a->limits.only = arg;
		break;
	case OPT_IGNORE:
		a->limits.ignore = arg;
		break;
	case ARGP_KEY_ARG:
		if (a->npaths == 2)
			argp_error(state, "give two profiles: BASE and NEW");
		a->paths[a->npaths++] = arg;
		break;
	case ARGP_KEY_END:
		if (a->npaths != 2)
			argp_error(state, "give two profiles: BASE and NEW");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	static const struct argp argp = {diff_options, parse_diff, "BASE NEW", doc,
					 NULL,	       NULL,	   NULL};
	struct profile base = {}, new = {};
	struct diff_result r = {};
	struct diff_args a = {};
	char err[1024];
	int ret, code;

	diff__default_limits(&a.limits);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	if (profile__read(a.paths[0], &base, err, sizeof(err)) ||
	    profile__read(a.paths[1], &new, err, sizeof(err))) {
		fprintf(stderr, "attrprof diff: %s\n", err);
		code = EXIT_BAD_INPUT;
		goto out_free_profiles;
	}
	ret = diff__compare(&base, &new, &a.limits, &r);
	if (ret) {
		fprintf(stderr, "attrprof diff: %s\n", ret == -EINVAL ? r.err : strerror(-ret));
		code = ret == -EINVAL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
		goto out_free_profiles;
	}
	ret = a.json ? diff__render_json(stdout, &r) : diff__render_text(stdout, &r);
	if (!ret && fflush(stdout))
		ret = -errno;
	if (ret) {
		fprintf(stderr, "attrprof diff: writing the comparison failed\n");
		code = EXIT_RUNTIME;
	} else {
		code = r.nregressions ? EXIT_RUNTIME : 0;
	}
	diff__free(&r);
out_free_profiles:
	profile__free(&base);
	profile__free(&new);
	return code;
}
