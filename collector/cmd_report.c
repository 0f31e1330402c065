// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* attrprof report: render a profile. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "options.h"
#include "profile.h"
#include "report.h"

struct report_args {
	const char *path;
	enum report_format format;
	struct report_opts opts;
};

static const char doc[] = "Render the profile FILE: attributes ranked by total time.\v"
			  "Examples:\n"
			  "  attrprof report prof.json\n"
			  "  attrprof report prof.json --format json\n"
			  "  attrprof report prof.json --format markdown > comment.md\n"
			  "  attrprof report prof.json --format html > report.html";

static const struct argp_option report_options[] = {
	{"format", 'F', "FORMAT", 0,
	 "text (default), json, markdown (a summary for a pull-request comment) or html (one "
	 "self-contained page with charts)",
	 0},
	{"top", 'n', "N", 0, "text: list the N heaviest attributes (default 20; 0 lists all)", 0},
	{},
};

static error_t parse_report(int key, char *arg, struct argp_state *state)
{
	struct report_args *a = state->input;
	double top;

	switch (key) {
	case 'F':
		if (report__parse_format(arg, &a->format)) {
			argp_error(state,
				   "--format: expected text, json, markdown or html, got '%s'",
				   arg);
			return EINVAL;
		}
		break;
	case 'n':
		if (!strcmp(arg, "0")) {
			a->opts.top = 0;
		} else if (options__parse_number(arg, 1e9, false, &top)) {
			argp_error(state, "--top: expected a whole number, got '%s'", arg);
			return EINVAL;
		} else {
			a->opts.top = top;
		}
		break;
	case ARGP_KEY_ARG:
		if (a->path) {
			argp_error(state, "one profile at a time");
			return EINVAL;
		}
		a->path = arg;
		break;
	case ARGP_KEY_END:
		if (!a->path) {
			argp_error(state, "give the profile to report on");
			return EINVAL;
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp report_argp = {report_options, parse_report, "FILE", doc,
					NULL,		NULL,	      NULL};

int cmd_report(int argc, char **argv)
{
	struct report_args a = {.format = REPORT_TEXT, .opts.top = REPORT_TOP_DEFAULT};
	struct profile p = {};
	char err[1024];
	int ret;

	argp_parse(&report_argp, argc, argv, 0, NULL, &a);
	ret = profile__read(a.path, &p, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "attrprof report: %s\n", err);
		return EXIT_BAD_INPUT;
	}
	a.opts.color = a.format == REPORT_TEXT && isatty(STDOUT_FILENO);
	ret = report__render(stdout, &p, a.format, &a.opts);
	if (!ret && fflush(stdout))
		ret = -errno;
	profile__free(&p);
	if (ret) {
		fprintf(stderr, "attrprof report: writing the report failed: %s\n", strerror(-ret));
		return EXIT_RUNTIME;
	}
	return 0;
}
