// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attrprof record's options, with the tracing options it shares with attach
 * (collector/options.c), on any argv, as in args_diff.c. A parse that
 * succeeds must have a command to run and limits within their ranges.
 */
#include <stdlib.h>
#include "fuzz_util.h"
#include "cmd_record.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record_args a = {};
	int argc;
	char **argv = fuzz__argv("attrprof record", data, size, &argc);

	options__init(&a.opts);
	if (!argp_parse(&record_argp, argc, argv,
			ARGP_IN_ORDER | ARGP_NO_EXIT | ARGP_NO_ERRS | ARGP_NO_HELP, NULL, &a) &&
	    (!a.argv || !a.argv[0] || !a.opts.max_attrs || !a.opts.max_lock_entries ||
	     !a.opts.max_classes || a.opts.duration_s < 0))
		abort();
	options__free(&a.opts);
	fuzz__argv_free(argv);
	return 0;
}
