/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the libFuzzer targets share: the parsers under test read files by path
 * and commands take an argv, so the fuzzer's bytes become one or the other.
 */
#ifndef ATTRPROF_FUZZ_UTIL_H
#define ATTRPROF_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A path that opens a file holding exactly data (a memfd, "/proc/self/fd/N"),
 * rewritten on each call; slot 0 or 1 for targets that need two files. Aborts
 * when the memfd cannot be made: a broken harness, not a finding.
 */
const char *fuzz__file(unsigned int slot, const uint8_t *data, size_t size);

/* A stream that discards what is written: renderers run in full. Opened once. */
FILE *fuzz__null(void);

/*
 * An argv: argv0, then data split at NUL bytes (at most FUZZ_MAX_ARGS), NULL
 * terminated, *argc set. Free with fuzz__argv_free.
 */
#define FUZZ_MAX_ARGS 64
char **fuzz__argv(const char *argv0, const uint8_t *data, size_t size, int *argc);
void fuzz__argv_free(char **argv);

#endif /* ATTRPROF_FUZZ_UTIL_H */
