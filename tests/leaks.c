// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "leaks.h"

static void add_id(unsigned int *v, size_t *n, unsigned int id)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == id)
			return;
	cr_assert_lt(*n, LEAKS_MAX_IDS, "more BPF objects than the test keeps");
	v[(*n)++] = id;
}

void leaks__bpf_ids(pid_t pid, struct bpf_ids *ids)
{
	char dir[64], path[384], line[256];
	struct dirent *d;
	DIR *fds;

	memset(ids, 0, sizeof(*ids));
	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	fds = opendir(dir);
	cr_assert_not_null(fds, "%s: %s", dir, strerror(errno));
	while ((d = readdir(fds))) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned int id;

			if (sscanf(line, "prog_id: %u", &id) == 1)
				add_id(ids->prog, &ids->nprog, id);
			else if (sscanf(line, "link_id: %u", &id) == 1)
				add_id(ids->link, &ids->nlink, id);
			else if (sscanf(line, "map_id: %u", &id) == 1)
				add_id(ids->map, &ids->nmap, id);
			else if (sscanf(line, "btf_id: %u", &id) == 1)
				add_id(ids->btf, &ids->nbtf, id);
		}
		if (f)
			fclose(f);
	}
	closedir(fds);
}

/* Whether the kernel still has the object: an fd by id, or ENOENT. */
static bool alive(int (*get_fd)(__u32), unsigned int id)
{
	int fd = get_fd(id);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	cr_assert_eq(errno, ENOENT, "get fd of BPF id %u: %s", id, strerror(errno));
	return false;
}

static size_t count_alive(const struct bpf_ids *ids, const char **kind, unsigned int *id)
{
	static const char *const kinds[] = {"program", "link", "map", "BTF"};
	int (*const getters[])(__u32) = {bpf_prog_get_fd_by_id, bpf_link_get_fd_by_id,
					 bpf_map_get_fd_by_id, bpf_btf_get_fd_by_id};
	const unsigned int *v[] = {ids->prog, ids->link, ids->map, ids->btf};
	const size_t n[] = {ids->nprog, ids->nlink, ids->nmap, ids->nbtf};
	size_t left = 0;

	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < n[k]; i++)
			if (alive(getters[k], v[k][i])) {
				*kind = kinds[k];
				*id = v[k][i];
				left++;
			}
	return left;
}

void leaks__assert_bpf_gone(const struct bpf_ids *ids, int timeout_ms, const char *what)
{
	const char *kind = "";
	unsigned int id = 0;
	size_t left;

	for (int waited = 0;; waited += 20) {
		left = count_alive(ids, &kind, &id);
		if (!left || waited >= timeout_ms)
			break;
		usleep(20000);
	}
	cr_assert_eq(left, 0, "%s: %zu BPF objects outlived attrprof (%s %u among them)", what,
		     left, kind, id);
}

/* BPF_LINK_TYPE_UPROBE_MULTI and its bpf_link_info (Linux 6.6+; libbpf 1.1's headers predate it).
 */
#define LINK_TYPE_UPROBE_MULTI 12
struct uprobe_multi_link_info {
	__u32 type, id, prog_id, pad;
	__u64 path, offsets, ref_ctr_offsets, cookies;
	__u32 path_size, count, flags, pid;
};

size_t leaks__uprobe_links_on(pid_t pid)
{
	__u32 id = 0;
	size_t n = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct uprobe_multi_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue; /* released since the walk saw it */
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == LINK_TYPE_UPROBE_MULTI && info.pid == (__u32)pid)
			n++;
		close(fd);
	}
	return n;
}

void leaks__assert_no_uprobe_link_on(pid_t pid, int timeout_ms, const char *what)
{
	size_t left;

	for (int waited = 0;; waited += 20) {
		left = leaks__uprobe_links_on(pid);
		if (!left || waited >= timeout_ms)
			break;
		usleep(20000);
	}
	cr_assert_eq(left, 0, "%s: the kernel still has %zu uprobe_multi links on PID %d", what,
		     left, pid);
}

/* Compares len bytes at addr in mem with the file at off; returns how many differ. */
static size_t compare_mapping(int mem, unsigned long addr, unsigned long len, const char *file,
			      unsigned long off, unsigned long *where)
{
	char *live = malloc(len), *orig = malloc(len);
	size_t diff = 0;
	ssize_t got;
	int fd;

	cr_assert(live && orig);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(fd, 0, "%s: %s", file, strerror(errno));
	/* The last page of a mapping may run past the end of the file: compare what the file has.
	 */
	got = pread(fd, orig, len, off);
	cr_assert_geq(got, 0, "%s: %s", file, strerror(errno));
	close(fd);
	cr_assert_eq(pread(mem, live, got, addr), got, "read code at 0x%lx: %s", addr,
		     strerror(errno));
	for (ssize_t i = 0; i < got; i++)
		if (live[i] != orig[i]) {
			if (!diff && where)
				*where = addr + i;
			diff++;
		}
	free(live);
	free(orig);
	return diff;
}

size_t leaks__code_changes(pid_t pid, unsigned long *where)
{
	char path[64], line[1024];
	size_t diff = 0;
	FILE *maps;
	int mem;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "r");
	cr_assert_not_null(maps, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(mem, 0, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), maps)) {
		unsigned long start, end, off;
		char perms[8], file[512] = "";

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %511[^\n]", &start, &end, perms, &off,
			   file) < 4)
			continue;
		/* Code from a file still on disk ([vdso] and [uprobes] are the kernel's own). */
		if (perms[2] != 'x' || file[0] != '/' || strstr(file, " (deleted)"))
			continue;
		diff += compare_mapping(mem, start, end - start, file, off, diff ? NULL : where);
	}
	close(mem);
	fclose(maps);
	return diff;
}

int leaks__fd_count(pid_t pid)
{
	char path[64];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	cr_assert_not_null(dir, "%s: %s", path, strerror(errno));
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

long leaks__rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	cr_assert_geq(kb, 0, "no VmRSS in %s", path);
	return kb;
}

void leaks__assert_no_uprobe_event(const char *needle, const char *what)
{
	FILE *f = fopen("/sys/kernel/tracing/uprobe_events", "r");
	char line[1024];

	if (!f)
		f = fopen("/sys/kernel/debug/tracing/uprobe_events", "r");
	cr_assert_not_null(f, "uprobe_events: %s (is tracefs mounted?)", strerror(errno));
	while (fgets(line, sizeof(line), f))
		cr_assert_null(strstr(line, needle), "%s: uprobe_events still has %s", what, line);
	fclose(f);
}
