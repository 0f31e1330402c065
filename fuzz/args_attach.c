// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attrprof attach's options, with the tracing options it shares with record,
 * on any argv, as in args_diff.c. A parse that succeeds must name a PID.
 */
#include <stdlib.h>
#include "fuzz_util.h"
#include "cmd_attach.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attach_args a = {};
	int argc;
	char **argv = fuzz__argv("attrprof attach", data, size, &argc);

	options__init(&a.opts);
	if (!argp_parse(&attach_argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_ERRS | ARGP_NO_HELP, NULL,
			&a) &&
	    (a.pid <= 0 || !a.opts.max_attrs || !a.opts.max_lock_entries || !a.opts.max_classes))
		abort();
	options__free(&a.opts);
	fuzz__argv_free(argv);
	return 0;
}
