// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The /proc readers of collector/target.c on any text: the first byte picks
 * the parser (a /proc/PID/stat line, a /proc/PID/maps listing, the dynamic
 * loader's --list output, a /proc/PID/status listing), the rest is its input.
 * The maps parser stats what it lists under /proc/PID: a PID above any
 * pid_max (2^22) has no /proc entry, so every file reads as deleted, the same
 * on every run.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_util.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target_objects objs = {};
	unsigned long flags;
	char *text;
	FILE *f;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0:
		/* check_pid reads up to 1023 bytes and terminates them. */
		text = strndup((const char *)data + 1, size - 1);
		if (!text)
			abort();
		target__stat_flags(text, &flags);
		free(text);
		break;
	default:
		f = fopen(fuzz__file(0, data + 1, size - 1), "re");
		if (!f)
			abort();
		if (data[0] % 4 == 1)
			target__maps_objects(f, INT_MAX, &objs);
		else if (data[0] % 4 == 2)
			target__loader_objects(f, &objs);
		else
			target__status_ns_pid(f);
		fclose(f);
		target__objects_free(&objs);
		break;
	}
	return 0;
}
