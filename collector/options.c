// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

enum {
	OPT_MAX_ATTRS = 0x100,
	OPT_MAX_LOCK_ENTRIES,
	OPT_NO_LOCKS,
	OPT_COUNT_ONLY,
	OPT_MAX_CLASSES,
	OPT_FOLLOW_FORKS,
	OPT_TIME_EVERY,
	OPT_GETSETS,
};

static const struct argp_option tracing_options[] = {
	{"func", 'f', "GLOB", 0,
	 "Probe functions matching GLOB in the executable and its shared objects (repeatable; "
	 "optional for a Python process)",
	 0},
	{"output", 'o', "FILE", 0, "Write the profile to FILE (default attrprof.json)", 0},
	{"duration", 'd', "SECONDS", 0, "Stop tracing after SECONDS", 0},
	{"count-only", OPT_COUNT_ONLY, NULL, 0,
	 "Count calls only: one probe hit per call, no latency", 0},
	{"time-every", OPT_TIME_EVERY, "N", 0,
	 "Time every call of an attribute until its first 1024 on a CPU, then one in N (default 8; "
	 "1 times every call), and every call of one whose typical call takes 20 us or more",
	 0},
	{"no-locks", OPT_NO_LOCKS, NULL, 0, "Do not time lock waits", 0},
	{"getsets", OPT_GETSETS, NULL, 0,
	 "Python: also probe C getset descriptors (obj.__dict__, type.__class__, "
	 "function.__name__): "
	 "off by default, as the interpreter's own code reads them at every turn (isinstance reads "
	 "__class__) and each read would take a probe hit",
	 0},
	{"max-attrs", OPT_MAX_ATTRS, "N", 0,
	 "Probe at most N functions and name at most N Python attributes; the rest are "
	 "reported as dropped (default 1024)",
	 0},
	{"max-classes", OPT_MAX_CLASSES, "N", 0,
	 "Python: count instances of at most N classes (default 4096)", 0},
	{"max-lock-entries", OPT_MAX_LOCK_ENTRIES, "N", 0,
	 "Room for N (function, lock kind) wait records (default 4096)", 0},
	{"follow-forks", OPT_FOLLOW_FORKS, NULL, 0,
	 "Also trace the processes the target forks that keep running its program, counted "
	 "together with it, until they exec. The access probes then trap in every process "
	 "mapping the probed files, counting only these; children's lock waits are not timed",
	 0},
	{},
};

int options__parse_number(const char *s, double max, bool allow_frac, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > max ||
	    (!allow_frac && v != floor(v)))
		return -EINVAL;
	*out = v;
	return 0;
}

static error_t parse_tracing(int key, char *arg, struct argp_state *state)
{
	struct session_opts *o = state->input;
	const char **globs;
	double v;

	switch (key) {
	case 'f':
		globs = realloc(o->globs, (o->nglobs + 1) * sizeof(*globs));
		/* With ARGP_NO_EXIT (the fuzzer's), argp_failure and argp_error return. */
		if (!globs) {
			argp_failure(state, EXIT_RUNTIME, ENOMEM, "--func");
			return ENOMEM;
		}
		o->globs = globs;
		o->globs[o->nglobs++] = arg;
		break;
	case 'o':
		o->output = arg;
		break;
	case 'd':
		if (options__parse_number(arg, 1e7, true, &v)) {
			argp_error(state,
				   "--duration: expected a positive number of seconds, got '%s'",
				   arg);
			return EINVAL;
		}
		o->duration_s = v;
		break;
	case OPT_COUNT_ONLY:
		o->count_only = true;
		break;
	case OPT_NO_LOCKS:
		o->no_locks = true;
		break;
	case OPT_GETSETS:
		o->getsets = true;
		break;
	case OPT_FOLLOW_FORKS:
		o->follow_forks = true;
		break;
	case OPT_TIME_EVERY:
		if (options__parse_number(arg, 1 << 20, false, &v)) {
			argp_error(state,
				   "--time-every: expected an integer from 1 to %d, got '%s'",
				   1 << 20, arg);
			return EINVAL;
		}
		o->time_stride = v;
		break;
	case OPT_MAX_ATTRS:
		if (options__parse_number(arg, MAX_ATTRS - ATTR_FIRST_USER, false, &v)) {
			argp_error(state, "--max-attrs: expected an integer from 1 to %d, got '%s'",
				   MAX_ATTRS - ATTR_FIRST_USER, arg);
			return EINVAL;
		}
		o->max_attrs = v;
		break;
	case OPT_MAX_LOCK_ENTRIES:
		if (options__parse_number(arg, 1 << 20, false, &v)) {
			argp_error(state,
				   "--max-lock-entries: expected an integer from 1 to %d, "
				   "got '%s'",
				   1 << 20, arg);
			return EINVAL;
		}
		o->max_lock_entries = v;
		break;
	case OPT_MAX_CLASSES:
		if (options__parse_number(arg, 1 << 20, false, &v)) {
			argp_error(state,
				   "--max-classes: expected an integer from 1 to %d, got '%s'",
				   1 << 20, arg);
			return EINVAL;
		}
		o->max_classes = v;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp options__tracing = {tracing_options, parse_tracing, NULL, NULL, NULL, NULL, NULL};

void options__init(struct session_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->output = "attrprof.json";
	o->max_attrs = DEFAULT_MAX_ATTRS;
	o->max_lock_entries = DEFAULT_MAX_LOCK_ENTRIES;
	o->max_classes = DEFAULT_MAX_CLASSES;
	o->time_stride = DEFAULT_TIME_STRIDE;
}

void options__free(struct session_opts *o)
{
	free(o->globs);
	o->globs = NULL;
	o->nglobs = 0;
}
