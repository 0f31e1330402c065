// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * CPython detection (python__detect) on any bytes as the one mapped object of
 * a process: its name, picked by the first byte, decides which of the
 * version-from-name and by-export paths detection takes; the rest is the file.
 */
#include "fuzz_util.h"
#include "python.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"/usr/lib/libpython3.12.so.1.0",
		"/usr/bin/python3.11",
		"/usr/lib/libpython3.13t.so.1.0",
		"/opt/app/server",
	};
	struct target_object obj;
	struct target_objects objs = {&obj, 1};
	struct python py;
	char err[512];

	if (!size)
		return 0;
	obj.path = (char *)names[data[0] % (sizeof(names) / sizeof(names[0]))];
	obj.host_path = (char *)fuzz__file(0, data + 1, size - 1);
	python__detect(&objs, &py, err, sizeof(err));
	return 0;
}
