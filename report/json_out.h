/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one way report's and diff's JSON writers build and write a document
 * (jansson): builders return a new reference or NULL, json_object_set_new
 * and json_array_append_new consume even a NULL, so a builder adds every
 * member, checks once at the end and leaks nothing.
 *
 * Numbers above INT64_MAX: jansson's integers are signed 64-bit, so such a
 * figure cannot be written as it is. As profile__write does, the writers
 * refuse it (-ERANGE) rather than clamp it silently: a clamped figure would
 * read as a real one.
 */
#ifndef ATTRPROF_JSON_OUT_H
#define ATTRPROF_JSON_OUT_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/* Six significant digits: a rate measured over one window carries no more. */
#define JSON_OUT_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* v as a JSON integer; NULL with errno ERANGE above INT64_MAX. */
json_t *json_out__u64(uint64_t v);

/* j, or NULL (j released) when bad. */
json_t *json_out__built(json_t *j, int bad);

/*
 * Writes root and a newline to out, and releases root. root NULL means a
 * builder failed, and errno says why, set to 0 before building: ENOMEM,
 * ERANGE (a figure above INT64_MAX), or neither, a string that is not UTF-8
 * (jansson refuses those without setting errno). Returns 0, -ENOMEM,
 * -ERANGE, -EINVAL or -EIO.
 */
int json_out__dump(FILE *out, json_t *root);

#endif /* ATTRPROF_JSON_OUT_H */
