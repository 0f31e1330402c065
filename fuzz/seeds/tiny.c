// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A small dynamically linked program with versioned symbols, for the elf fuzz target. */
#include <stdio.h>

__attribute__((noinline)) int model_get_plain(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) static int model_get_static(int x)
{
	return x ^ 0x5a;
}

int old_api_v1(int x)
{
	return x + 1;
}

int new_api(int x)
{
	return x + 2;
}

__asm__(".symver old_api_v1, api@V1");
__asm__(".symver new_api, api@@V2");

int main(int argc, char **argv)
{
	(void)argv;
	printf("%d\n", model_get_plain(argc) + model_get_static(argc));
	return 0;
}
