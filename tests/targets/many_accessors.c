// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Forty accessor functions, for the bounds tests: more than a small
 * --max-attrs lets attrprof probe. acc_NN is called (NN + 1) * 10 times, so
 * no two have the same count; each is printed as "calls acc_NN N".
 *
 *   many_accessors      run, print counts, exit
 */
#include <stdio.h>

#define NACC 40

static volatile unsigned long sink;
static unsigned long counts[NACC];

#define ACCESSOR(n)                                                                                \
	__attribute__((noinline)) unsigned long acc_##n(void)                                      \
	{                                                                                          \
		counts[1##n - 100]++;                                                              \
		return sink + 1##n;                                                                \
	}

ACCESSOR(00)
ACCESSOR(01)
ACCESSOR(02)
ACCESSOR(03)
ACCESSOR(04)
ACCESSOR(05)
ACCESSOR(06)
ACCESSOR(07)
ACCESSOR(08)
ACCESSOR(09)
ACCESSOR(10)
ACCESSOR(11)
ACCESSOR(12)
ACCESSOR(13)
ACCESSOR(14)
ACCESSOR(15)
ACCESSOR(16)
ACCESSOR(17)
ACCESSOR(18)
ACCESSOR(19)
ACCESSOR(20)
ACCESSOR(21)
ACCESSOR(22)
ACCESSOR(23)
ACCESSOR(24)
ACCESSOR(25)
ACCESSOR(26)
ACCESSOR(27)
ACCESSOR(28)
ACCESSOR(29)
ACCESSOR(30)
ACCESSOR(31)
ACCESSOR(32)
ACCESSOR(33)
ACCESSOR(34)
ACCESSOR(35)
ACCESSOR(36)
ACCESSOR(37)
ACCESSOR(38)
ACCESSOR(39)

static unsigned long (*const accessors[NACC])(void) = {
	acc_00, acc_01, acc_02, acc_03, acc_04, acc_05, acc_06, acc_07, acc_08, acc_09,
	acc_10, acc_11, acc_12, acc_13, acc_14, acc_15, acc_16, acc_17, acc_18, acc_19,
	acc_20, acc_21, acc_22, acc_23, acc_24, acc_25, acc_26, acc_27, acc_28, acc_29,
	acc_30, acc_31, acc_32, acc_33, acc_34, acc_35, acc_36, acc_37, acc_38, acc_39,
};

int main(void)
{
	for (int i = 0; i < NACC; i++)
		for (int n = 0; n < (i + 1) * 10; n++)
			sink += accessors[i]();
	for (int i = 0; i < NACC; i++)
		printf("calls acc_%02d %lu\n", i, counts[i]);
	return 0;
}
