/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Human units for reports: durations and counts to three significant
 * figures. Shared by every human-facing renderer (text now; markdown and
 * html later) so they all round the same way.
 */
#ifndef ATTRPROF_UNITS_H
#define ATTRPROF_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* Big enough for any value of the functions below, with the NUL. */
#define UNITS_BUF 24

/*
 * A duration in ns as "812ns", "1.25us", "3.40ms", "2.10s": three
 * significant figures, rounded half up, in the largest unit that keeps the
 * value at 1 or more (999500ns is "1.00ms", not "1000us"). From 1000 s on,
 * whole seconds ("1234s"). Writes into buf (truncated to len) and returns buf.
 */
char *units__ns(char *buf, size_t len, uint64_t ns);

/*
 * A count as "812", "12.3k", "4.56M" (then G, T, P, E): exact below 1000,
 * else three significant figures rounded half up; at most 5 characters.
 * Writes into buf (truncated to len) and returns buf.
 */
char *units__count(char *buf, size_t len, uint64_t n);

/*
 * A rate (events per second, >= 0) as "0.50", "12.3", "812", then like
 * units__count ("12.3k"). Writes into buf (truncated to len) and returns buf.
 */
char *units__rate(char *buf, size_t len, double per_s);

/*
 * A recommendation's figure in its unit: unit "ns" as units__ns, "%" with
 * three significant figures ("75%", "99.8%"), small whole numbers as they
 * are ("20"), anything else as units__rate followed by the unit ("12.3kx").
 * Writes into buf (truncated to len) and returns buf.
 */
char *units__figure(char *buf, size_t len, double v, const char *unit);

#endif /* ATTRPROF_UNITS_H */
