// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* attrprof diff: compare two profiles and gate CI on regressions. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "atomic_file.h"
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
	OPT_CONFIG,
};

enum diff_format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_MARKDOWN,
	FORMAT_JUNIT,
};

/* Limits given on the command line (bits of diff_args.given): they override --config. */
enum {
	GIVEN_COUNT = 1 << 0,
	GIVEN_P99 = 1 << 1,
	GIVEN_TOTAL = 1 << 2,
	GIVEN_LOCK = 1 << 3,
	GIVEN_MIN_COUNT = 1 << 4,
	GIVEN_ONLY = 1 << 5,
	GIVEN_IGNORE = 1 << 6,
};

struct diff_args {
	const char *paths[2];
	int npaths;
	enum diff_format format;
	const char *output; /* NULL: stdout */
	const char *config;
	struct diff_limits limits; /* from the command line: only the given ones count */
	unsigned int given;
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
	"  attrprof diff main.json pr.json --format json > diff.json\n"
	"  attrprof diff main.json pr.json --config limits.json -F junit -o junit.xml\n\n"
	"--config reads a JSON object with any of the keys max_count_increase, "
	"max_p99_increase, max_total_increase, max_lock_wait_increase (a percentage or "
	"\"off\"), min_count, only and ignore (a glob or an array of globs), e.g.\n"
	"  {\"max_p99_increase\": 50, \"min_count\": 1000, \"ignore\": [\"*.__dict__\"]}\n"
	"Options given on the command line override the file.";

static const struct argp_option diff_options[] = {
	{"format", 'F', "FORMAT", 0, "text (default), json, markdown or junit", 0},
	{"output", 'o', "FILE", 0, "write to FILE (replaced atomically) instead of stdout", 0},
	{"config", OPT_CONFIG, "FILE", 0, "read limits from the JSON file FILE", 0},
	{"max-count-increase", OPT_COUNT, "PCT", 0, "calls (default 10)", 0},
	{"max-p99-increase", OPT_P99, "PCT", 0, "p99 latency (default 25)", 0},
	{"max-total-increase", OPT_TOTAL, "PCT", 0, "total time per call (default 25)", 0},
	{"max-lock-wait-increase", OPT_LOCK, "PCT", 0, "lock wait per call (default 25)", 0},
	{"min-count", OPT_MIN_COUNT, "N", 0,
	 "timed calls each side needs for latency to be compared, and calls a new attribute needs "
	 "to be hot (default 100)",
	 0},
	{"only", OPT_ONLY, "GLOB", 0,
	 "compare only attributes matching GLOB (owner.name or name); repeatable", 0},
	{"ignore", OPT_IGNORE, "GLOB", 0, "leave out attributes matching GLOB; repeatable", 0},
	{},
};

/*
 * A percentage: 0, a positive number, or "off" (no limit, stored negative).
 * Like every argp_error below, returns EINVAL for a parse with ARGP_NO_EXIT
 * (the fuzzer's), where argp_error returns instead of exiting.
 */
static error_t parse_pct(struct argp_state *state, const char *opt, const char *arg, double *out)
{
	if (!strcmp(arg, "off")) {
		*out = DIFF_NO_LIMIT;
	} else if (!strcmp(arg, "0")) {
		*out = 0;
	} else if (options__parse_number(arg, 1e9, true, out)) {
		argp_error(state, "--%s: expected a percentage (0 or more) or 'off', got '%s'", opt,
			   arg);
		return EINVAL;
	}
	return 0;
}

static error_t add_glob(struct argp_state *state, const char *opt, const char *arg,
			const char **globs, size_t *n)
{
	if (*n == DIFF_MAX_GLOBS) {
		argp_error(state, "--%s: at most %d globs", opt, DIFF_MAX_GLOBS);
		return EINVAL;
	}
	globs[(*n)++] = arg;
	return 0;
}

static error_t parse_diff(int key, char *arg, struct argp_state *state)
{
	static const char *const formats[] = {
		[FORMAT_TEXT] = "text",
		[FORMAT_JSON] = "json",
		[FORMAT_MARKDOWN] = "markdown",
		[FORMAT_JUNIT] = "junit",
	};
	struct diff_args *a = state->input;
	double v;
	size_t i;

	switch (key) {
	case 'F':
		for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
			if (!strcmp(arg, formats[i]))
				break;
		if (i == sizeof(formats) / sizeof(formats[0])) {
			argp_error(state,
				   "--format: expected text, json, markdown or junit, got '%s'",
				   arg);
			return EINVAL;
		}
		a->format = i;
		break;
	case 'o':
		a->output = arg;
		break;
	case OPT_CONFIG:
		a->config = arg;
		break;
	case OPT_COUNT:
		a->given |= GIVEN_COUNT;
		return parse_pct(state, "max-count-increase", arg, &a->limits.count_pct);
	case OPT_P99:
		a->given |= GIVEN_P99;
		return parse_pct(state, "max-p99-increase", arg, &a->limits.p99_pct);
	case OPT_TOTAL:
		a->given |= GIVEN_TOTAL;
		return parse_pct(state, "max-total-increase", arg, &a->limits.total_pct);
	case OPT_LOCK:
		a->given |= GIVEN_LOCK;
		return parse_pct(state, "max-lock-wait-increase", arg, &a->limits.lock_pct);
	case OPT_MIN_COUNT:
		a->given |= GIVEN_MIN_COUNT;
		if (!strcmp(arg, "0")) {
			a->limits.min_count = 0;
		} else if (options__parse_number(arg, 1e15, false, &v)) {
			argp_error(state, "--min-count: expected a whole number, got '%s'", arg);
			return EINVAL;
		} else {
			a->limits.min_count = v;
		}
		break;
	case OPT_ONLY:
		a->given |= GIVEN_ONLY;
		return add_glob(state, "only", arg, a->limits.only, &a->limits.nonly);
	case OPT_IGNORE:
		a->given |= GIVEN_IGNORE;
		return add_glob(state, "ignore", arg, a->limits.ignore, &a->limits.nignore);
	case ARGP_KEY_ARG:
		if (a->npaths == 2) {
			argp_error(state, "give two profiles: BASE and NEW");
			return EINVAL;
		}
		a->paths[a->npaths++] = arg;
		break;
	case ARGP_KEY_END:
		if (a->npaths != 2) {
			argp_error(state, "give two profiles: BASE and NEW");
			return EINVAL;
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp diff_argp = {diff_options, parse_diff, "BASE NEW", doc, NULL, NULL, NULL};

/* The limits: defaults, then the --config file, then what the command line gave. */
static int resolve_limits(const struct diff_args *a, struct diff_limits *l, json_t **doc)
{
	const struct diff_limits *cli = &a->limits;
	char err[1024];

	diff__default_limits(l);
	*doc = NULL;
	if (a->config && diff__read_config(a->config, l, doc, err, sizeof(err))) {
		fprintf(stderr, "attrprof diff: %s\n", err);
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

static int render(FILE *out, enum diff_format format, const struct diff_result *r)
{
	switch (format) {
	case FORMAT_JSON:
		return diff__render_json(out, r);
	case FORMAT_MARKDOWN:
		return diff__render_markdown(out, r);
	case FORMAT_JUNIT:
		return diff__render_junit(out, r);
	default:
		return diff__render_text(out, r);
	}
}

struct rendering {
	enum diff_format format;
	const struct diff_result *r;
};

static int render_to(FILE *f, const void *arg)
{
	const struct rendering *how = arg;

	return render(f, how->format, how->r);
}

int cmd_diff(int argc, char **argv)
{
	struct profile base = {}, new = {};
	struct diff_result r = {};
	struct diff_limits limits;
	struct diff_args a = {};
	json_t *config = NULL;
	char err[1024];
	int ret, code;

	argp_parse(&diff_argp, argc, argv, 0, NULL, &a);
	if (resolve_limits(&a, &limits, &config))
		return EXIT_BAD_INPUT;
	if (profile__read(a.paths[0], &base, err, sizeof(err)) ||
	    profile__read(a.paths[1], &new, err, sizeof(err))) {
		fprintf(stderr, "attrprof diff: %s\n", err);
		code = EXIT_BAD_INPUT;
		goto out_free_profiles;
	}
	ret = diff__compare(&base, &new, &limits, &r);
	if (ret) {
		fprintf(stderr, "attrprof diff: %s\n", ret == -EINVAL ? r.err : strerror(-ret));
		code = ret == -EINVAL ? EXIT_BAD_INPUT : EXIT_RUNTIME;
		goto out_free_profiles;
	}
	if (a.output) {
		ret = atomic_file__write(a.output, render_to, &(struct rendering){a.format, &r});
	} else {
		ret = render(stdout, a.format, &r);
		if (!ret && fflush(stdout))
			ret = -errno;
	}
	if (ret) {
		fprintf(stderr, "attrprof diff: writing %s: %s\n", a.output ?: "the comparison",
			strerror(-ret));
		code = EXIT_RUNTIME;
	} else {
		code = r.nregressions ? EXIT_RUNTIME : 0;
	}
	diff__free(&r);
out_free_profiles:
	profile__free(&base);
	profile__free(&new);
	json_decref(config);
	return code;
}
