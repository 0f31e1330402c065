// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz_util.h"

const char *fuzz__file(unsigned int slot, const uint8_t *data, size_t size)
{
	static int fds[2] = {-1, -1};
	static char paths[2][32];

	if (slot > 1)
		abort();
	if (fds[slot] < 0) {
		fds[slot] = memfd_create("fuzz-input", MFD_CLOEXEC);
		if (fds[slot] < 0)
			abort();
		snprintf(paths[slot], sizeof(paths[slot]), "/proc/self/fd/%d", fds[slot]);
	}
	if (ftruncate(fds[slot], 0) || (size && pwrite(fds[slot], data, size, 0) != (ssize_t)size))
		abort();
	return paths[slot];
}

FILE *fuzz__null(void)
{
	static FILE *null;

	if (!null && !(null = fopen("/dev/null", "we")))
		abort();
	return null;
}

char **fuzz__argv(const char *argv0, const uint8_t *data, size_t size, int *argc)
{
	char **argv = calloc(FUZZ_MAX_ARGS + 2, sizeof(*argv));
	size_t start = 0;
	int n = 0;

	if (!argv)
		abort();
	argv[n++] = strdup(argv0);
	while (start < size && n <= FUZZ_MAX_ARGS) {
		const uint8_t *nul = memchr(data + start, 0, size - start);
		size_t len = nul ? (size_t)(nul - data) - start : size - start;

		argv[n++] = strndup((const char *)data + start, len);
		start += len + 1;
	}
	for (int i = 0; i < n; i++)
		if (!argv[i])
			abort();
	*argc = n;
	return argv;
}

void fuzz__argv_free(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}
