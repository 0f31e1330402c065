/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The manifest of every workload under tests/ (tests/targets/WORKLOADS, format at its top). */
#ifndef ATTRPROF_TESTS_WORKLOADS_H
#define ATTRPROF_TESTS_WORKLOADS_H

#include <stddef.h>

#define WORKLOADS_FILE "tests/targets/WORKLOADS"
#define WORKLOAD_MAX_ARGS 32
#define WORKLOAD_MAX_FUNCS 8

struct workload {
	char name[64];
	char *funcs[WORKLOAD_MAX_FUNCS]; /* --func globs, NULL-terminated */
	char *argv[WORKLOAD_MAX_ARGS];	 /* the program, resolved, and its args; NULL-terminated */
	char line[1024];		 /* what funcs and argv point into */
	char program[512];		 /* the resolved program argv[0] points to */
};

/* The CPython that "python" in the manifest stands for. */
const char *workloads__python(void);

/*
 * Reads the manifest into v (room for max), failing the test with the line
 * number on a malformed line or a repeated name. Returns the count.
 */
size_t workloads__load(struct workload *v, size_t max);

#endif /* ATTRPROF_TESTS_WORKLOADS_H */
