// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attrprof report's options on any argv, as in args_diff.c. A parse that
 * succeeds must have named the profile and a known format.
 */
#include <stdlib.h>
#include "fuzz_util.h"
#include "cmd_report.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_args a = {.format = REPORT_TEXT, .opts.top = REPORT_TOP_DEFAULT};
	int argc;
	char **argv = fuzz__argv("attrprof report", data, size, &argc);

	if (!argp_parse(&report_argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_ERRS | ARGP_NO_HELP, NULL,
			&a) &&
	    (!a.path || a.format > REPORT_HTML))
		abort();
	fuzz__argv_free(argv);
	return 0;
}
