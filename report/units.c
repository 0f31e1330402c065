// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "units.h"

/*
 * Rounds v (>= 1000) half up to three significant figures. Stores the three
 * digits (100..999) in *sig and returns how many digits the rounded value
 * has, so 999500 gives sig 100 and 7 digits (1.00e6).
 */
static unsigned int round3(uint64_t v, unsigned int *sig)
{
	unsigned int digits = 3;
	uint64_t p = 1, q;

	while (v / p >= 1000) {
		p *= 10;
		digits++;
	}
	/* Compare the remainder rather than add p / 2 to v: v + p / 2 may overflow. */
	q = v / p + (v % p >= p / 2);
	if (q == 1000) {
		q = 100;
		digits++;
	}
	*sig = q;
	return digits;
}

/* Writes three significant digits with int_digits (1..3) before the point. */
static char *put3(char *buf, size_t len, unsigned int sig, unsigned int int_digits,
		  const char *suffix)
{
	if (int_digits == 1)
		snprintf(buf, len, "%u.%02u%s", sig / 100, sig % 100, suffix);
	else if (int_digits == 2)
		snprintf(buf, len, "%u.%u%s", sig / 10, sig % 10, suffix);
	else
		snprintf(buf, len, "%u%s", sig, suffix);
	return buf;
}

char *units__ns(char *buf, size_t len, uint64_t ns)
{
	static const char *const suffix[] = {"us", "ms", "s"};
	unsigned int digits, exp, sig;

	if (ns < 1000) {
		snprintf(buf, len, "%" PRIu64 "ns", ns);
		return buf;
	}
	digits = round3(ns, &sig);
	if (digits > 12) {
		/* Past 999 s a larger unit (ks, min) would be harder to read than whole seconds. */
		snprintf(buf, len, "%" PRIu64 "s",
			 ns / 1000000000 + (ns % 1000000000 >= 500000000));
		return buf;
	}
	exp = (digits - 1) / 3 * 3;
	return put3(buf, len, sig, digits - exp, suffix[exp / 3 - 1]);
}

char *units__count(char *buf, size_t len, uint64_t n)
{
	static const char *const suffix[] = {"k", "M", "G", "T", "P", "E"};
	unsigned int digits, exp, sig;

	if (n < 1000) {
		snprintf(buf, len, "%" PRIu64, n);
		return buf;
	}
	/* UINT64_MAX has 20 digits, so exp stays within "E". */
	digits = round3(n, &sig);
	exp = (digits - 1) / 3 * 3;
	return put3(buf, len, sig, digits - exp, suffix[exp / 3 - 1]);
}

char *units__rate(char *buf, size_t len, double per_s)
{
	if (!(per_s > 0)) /* also catches NaN */
		per_s = 0;
	if (per_s >= 999.5)
		return units__count(buf, len,
				    per_s >= 0x1p64 ? UINT64_MAX : (uint64_t)(per_s + 0.5));
	if (per_s >= 99.95)
		snprintf(buf, len, "%.0f", per_s);
	else if (per_s >= 9.995)
		snprintf(buf, len, "%.1f", per_s);
	else
		snprintf(buf, len, "%.2f", per_s);
	return buf;
}

char *units__figure(char *buf, size_t len, double v, const char *unit)
{
	char u[UNITS_BUF];

	if (!unit)
		unit = "";
	if (!strcmp(unit, "ns"))
		snprintf(buf, len, "%s", units__ns(u, sizeof(u), v > 0 ? (uint64_t)(v + 0.5) : 0));
	else if (!strcmp(unit, "%"))
		snprintf(buf, len, "%.3g%%", v);
	else if (v >= 0 && v < 1000 && v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f%s", v, unit);
	else
		snprintf(buf, len, "%s%s", units__rate(u, sizeof(u), v), unit);
	return buf;
}
