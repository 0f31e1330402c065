// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attrprof diff's options: its own argp parser on any argv (arguments split at
 * NUL bytes). The command's file is included for its static parser. argp runs
 * with ARGP_NO_EXIT and ARGP_NO_ERRS, so an error returns instead of exiting,
 * and ARGP_NO_HELP, so argp's own --HANG option cannot sleep. A parse that
 * succeeds must have named both profiles.
 */
#include <stdlib.h>
#include "fuzz_util.h"
#include "cmd_diff.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diff_args a = {};
	int argc;
	char **argv = fuzz__argv("attrprof diff", data, size, &argc);

	if (!argp_parse(&diff_argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_ERRS | ARGP_NO_HELP, NULL,
			&a) &&
	    (a.npaths != 2 || a.gate.limits.nonly > DIFF_MAX_GLOBS ||
	     a.gate.limits.nignore > DIFF_MAX_GLOBS))
		abort();
	fuzz__argv_free(argv);
	return 0;
}
