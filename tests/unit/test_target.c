// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The /proc and loader-list parsers of collector/target.c, on text as the kernel and ld.so write
 * it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "target.h"

static FILE *text(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");

	cr_assert_not_null(f);
	return f;
}

Test(target, stat_flags_after_the_last_parenthesis)
{
	unsigned long flags = 0;

	/* A command name may hold spaces and parentheses. */
	cr_assert_eq(target__stat_flags("42 (a) b (c)) S 1 42 42 0 -1 4194560 100 0", &flags), 0);
	cr_assert_eq(flags, 4194560);
	cr_assert_eq(target__stat_flags("2 (kthreadd) S 0 0 0 0 -1 2129984 0", &flags), 0);
	cr_assert_eq(flags, 2129984);
	cr_assert_eq(target__stat_flags("42 (cut short", &flags), -EINVAL);
	cr_assert_eq(target__stat_flags("42 (x) S 1 2", &flags), -EINVAL);
	cr_assert_eq(target__stat_flags("", &flags), -EINVAL);
}

/* A PID above any pid_max: nothing under /proc for it, so every file reads as deleted. */
#define NO_PID 0x7fffffff

Test(target, maps_lists_executable_files_once)
{
	FILE *f = text("55d0-55d1 r--p 00000000 08:01 100 /usr/bin/prog\n"
		       "55d1-55d2 r-xp 00001000 08:01 100 /usr/bin/prog\n"
		       "7f00-7f10 r-xp 00000000 08:01 200 /usr/lib/with space/lib a.so (deleted)\n"
		       "7f10-7f20 rw-p 00000000 08:01 300 /usr/lib/data.so\n"
		       "7f20-7f30 r-xp 00000000 00:00 0 \n"
		       "7f30-7f40 r-xp 00000000 00:00 0 [vdso]\n"
		       "7f40-7f50 r-xp 00002000 08:01 100 /usr/bin/prog\n"
		       "not a mapping\n");
	struct target_objects o = {};

	cr_assert_eq(target__maps_objects(f, NO_PID, &o), 0);
	fclose(f);
	cr_assert_eq(o.n, 2);
	cr_assert_str_eq(o.v[0].path, "/usr/bin/prog");
	cr_assert_str_eq(o.v[0].host_path, "/proc/2147483647/map_files/55d1-55d2");
	cr_assert_str_eq(o.v[0].on_disk, "deleted");
	cr_assert_str_eq(o.v[1].path, "/usr/lib/with space/lib a.so");
	cr_assert_str_eq(o.v[1].host_path, "/proc/2147483647/map_files/7f00-7f10");
	target__objects_free(&o);
	cr_assert_eq(o.n, 0);
}

Test(target, maps_of_a_live_process_open_under_its_root)
{
	FILE *f = fopen("/proc/self/maps", "re");
	struct target_objects o = {};
	char root[64];

	cr_assert_not_null(f);
	cr_assert_eq(target__maps_objects(f, getpid(), &o), 0);
	fclose(f);
	cr_assert_gt(o.n, 0);
	snprintf(root, sizeof(root), "/proc/%d/root/", getpid());
	for (size_t i = 0; i < o.n; i++) {
		cr_assert_null(o.v[i].on_disk, "%s: %s", o.v[i].path, o.v[i].on_disk);
		cr_assert_eq(strncmp(o.v[i].host_path, root, strlen(root) - 1), 0, "%s",
			     o.v[i].host_path);
	}
	target__objects_free(&o);
}

Test(target, status_gives_the_innermost_ns_pid)
{
	FILE *f = text("Name:\tpython3\nTgid:\t4242\nNSpid:\t4242\t17\t1\nVmRSS:\t100 kB\n");

	cr_assert_eq(target__status_ns_pid(f), 1);
	fclose(f);
	f = text("Name:\tx\nNSpid:\n");
	cr_assert_eq(target__status_ns_pid(f), 0);
	fclose(f);
}

Test(target, loader_list_gives_absolute_paths)
{
	FILE *f = text("\tlinux-vdso.so.1 (0x00007ffc1b5f2000)\n"
		       "\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f3d1c000000)\n"
		       "\tlibmissing.so => not found\n"
		       "\t/lib64/ld-linux-x86-64.so.2 (0x00007f3d1c200000)\n"
		       "\tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f3d1c000000)\n");
	struct target_objects o = {};

	cr_assert_eq(target__loader_objects(f, &o), 0);
	fclose(f);
	cr_assert_eq(o.n, 2);
	cr_assert_str_eq(o.v[0].path, "/lib/x86_64-linux-gnu/libm.so.6");
	cr_assert_str_eq(o.v[0].host_path, o.v[0].path);
	cr_assert_str_eq(o.v[1].path, "/lib64/ld-linux-x86-64.so.2");
	target__objects_free(&o);
}
