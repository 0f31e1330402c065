/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Escaping for the HTML report and the JUnit XML of diff: names come from the target's binaries. */
#ifndef ATTRPROF_MARKUP_H
#define ATTRPROF_MARKUP_H

#include <stdio.h>

/*
 * Writes s (NULL: nothing) escaped for HTML and XML text and attribute
 * values alike: &<>"' as entities, tab and newlines as character
 * references (an attribute value keeps them), other control characters,
 * which XML 1.0 forbids and terminals obey, as '?'.
 */
void markup__escape(FILE *out, const char *s);

#endif /* ATTRPROF_MARKUP_H */
