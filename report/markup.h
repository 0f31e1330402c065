/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one place untrusted names are written: owners, names, qualnames,
 * kinds, exe and file paths, anything read from a target or a profile.
 * Every renderer, text, markdown, HTML and JUnit, of report and diff, writes
 * them through these, so a name cannot drive a terminal, end a table row or
 * a markup element, or be cut in the middle of a character.
 *
 * One policy for all: a control character (C0, DEL, and C1 written as
 * UTF-8) or a byte that is not part of valid UTF-8 is shown as '?'.
 * Columns are counted one per code point.
 */
#ifndef ATTRPROF_MARKUP_H
#define ATTRPROF_MARKUP_H

#include <stddef.h>
#include <stdio.h>

#define MARKUP_ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */

/* Display columns of s (NULL: 0). */
size_t markup__cols(const char *s);

/* Display columns of the first len bytes of s. */
size_t markup__cols_n(const char *s, size_t len);

/* s after its first n columns. */
const char *markup__skip_cols(const char *s, size_t n);

/* Writes at most n columns of s (NULL: nothing) for a terminal; returns the columns written. */
size_t markup__text(FILE *out, const char *s, size_t n);

/* Writes n spaces. */
void markup__pad(FILE *out, size_t n);

/* Writes s in exactly width columns: cut at its end with an ellipsis, or padded. */
void markup__fit(FILE *out, const char *s, size_t width);

/* Writes at most width columns of s, keeping its end (the telling part of a path). */
void markup__tail(FILE *out, const char *s, size_t width);

/*
 * Writes s escaped for HTML and XML text and attribute values alike:
 * &<>"' as entities, tab and newlines as character references (an
 * attribute value keeps them), other control characters, which XML 1.0
 * forbids and terminals obey, as '?'.
 */
void markup__escape(FILE *out, const char *s);

/*
 * Writes s so that markdown shows it as is: the characters markdown (and a
 * table cell) would act on are backslash-escaped, control characters,
 * which would end a line or a table row, are '?'.
 */
void markup__md(FILE *out, const char *s);

/*
 * Writes s for inside a markdown code span: a backtick, which would end it,
 * as "'", newlines as spaces, other control characters as '?', and in a
 * table a pipe, which would end the cell, as "\|".
 */
void markup__md_code(FILE *out, const char *s, int in_table);

#endif /* ATTRPROF_MARKUP_H */
