// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* attrprof diff: compare two profiles and gate CI on regressions. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "diff.h"
#include "gate.h"
#include "options.h"
#include "profile.h"

struct diff_args {
	const char *paths[2];
	int npaths;
	enum diff_format format;
	const char *output; /* NULL: stdout */
	struct gate_args gate;
};

static const char doc[] =
	"Compare the profile NEW against BASE; exit 1 when an attribute regressed beyond the "
	"limits, 2 when the profiles cannot be read or compared.\v" GATE_LIMITS_DOC "\n\n"
	"Examples:\n"
	"  attrprof diff main.json pr.json\n"
	"  attrprof diff main.json pr.json --max-p99-increase 50 --only 'Order.*'\n"
	"  attrprof diff main.json pr.json --format json > diff.json\n"
	"  attrprof diff main.json pr.json --config limits.json -F junit -o junit.xml";

static const struct argp_option diff_options[] = {
	{"format", 'F', "FORMAT", 0, "text (default), json, markdown or junit", 0},
	{"output", 'o', "FILE", 0, "write to FILE (replaced atomically) instead of stdout", 0},
	{},
};

static error_t parse_diff(int key, char *arg, struct argp_state *state)
{
	struct diff_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->gate;
		break;
	case 'F':
		if (diff__parse_format(arg, &a->format)) {
			argp_error(state,
				   "--format: expected text, json, markdown or junit, got '%s'",
				   arg);
			return EINVAL;
		}
		break;
	case 'o':
		a->output = arg;
		break;
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

/* At file scope, so that the argument fuzzer (fuzz/args_diff.c) parses with it. */
static const struct argp_child diff_children[] = {{&gate__limits_argp, 0, NULL, 0}, {}};
static const struct argp diff_argp = {diff_options,  parse_diff, "BASE NEW", doc,
				      diff_children, NULL,	 NULL};

int cmd_diff(int argc, char **argv)
{
	struct profile base = {}, new = {};
	struct diff_limits limits;
	struct diff_args a = {};
	json_t *config = NULL;
	char err[1024];
	int code;

	argp_parse(&diff_argp, argc, argv, 0, NULL, &a);
	if (gate__resolve_limits("diff", &a.gate, &limits, &config))
		return EXIT_BAD_INPUT;
	if (profile__read(a.paths[0], &base, err, sizeof(err)) ||
	    profile__read(a.paths[1], &new, err, sizeof(err))) {
		fprintf(stderr, "attrprof diff: %s\n", err);
		code = EXIT_BAD_INPUT;
		goto out_free_profiles;
	}
	code = gate__verdict("diff", &base, &new, &limits, a.format, a.output);
out_free_profiles:
	profile__free(&base);
	profile__free(&new);
	json_decref(config);
	return code;
}
