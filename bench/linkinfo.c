// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/linkinfo: what another process's BPF links and programs are, read
 * back from the kernel, for the Python section of `make bench`.
 *
 *   linkinfo links PID   one line per probe of each uprobe_multi link PID holds:
 *                        "uprobe_multi|uretprobe_multi PROG PATH 0xOFFSET 0xCOOKIE"
 *                        (OFFSET is a file offset), and "LINKTYPE PROG - - -" for
 *                        other links (perf, tracing...)
 *   linkinfo runs PID    "PROG TYPE RUN_CNT RUN_TIME_NS" for each program PID holds
 *                        (summed by name); RUN_CNT counts only while
 *                        kernel.bpf_stats_enabled is 1
 *
 * The links and programs are found through /proc/PID/fdinfo (link_id,
 * prog_id) and opened by id, so PID keeps them. uprobe_multi link info needs
 * kernel 6.8+; libbpf 1.1's headers predate it, so the layout is spelled out
 * here. Exit: 0, 1 on failure, 64 on bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#define MAX_IDS 1024
#define MAX_PROBES 4096
#define LINK_UPROBE_MULTI_RETURN 1 /* BPF_F_UPROBE_MULTI_RETURN */

/* struct bpf_link_info as kernel 6.8+ lays it out for a uprobe_multi link. */
struct link_info_uprobe_multi {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad;
	__u64 path;
	__u64 offsets;
	__u64 ref_ctr_offsets;
	__u64 cookies;
	__u32 path_size;
	__u32 count;
	__u32 flags;
	__u32 pid;
	__u8 rest[64]; /* room for fields newer kernels add */
};

struct ids {
	__u32 link[MAX_IDS], prog[MAX_IDS];
	size_t nlink, nprog;
};

static void add_id(__u32 *v, size_t *n, __u32 id)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == id)
			return;
	if (*n < MAX_IDS)
		v[(*n)++] = id;
}

/* The link and program ids of every BPF fd of pid. */
static int read_ids(int pid, struct ids *ids)
{
	char dir[64], path[PATH_MAX], line[256];
	struct dirent *e;
	unsigned int id;
	DIR *d;
	FILE *f;

	memset(ids, 0, sizeof(*ids));
	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "linkinfo: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		__u32 prog = 0;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue; /* closed meanwhile */
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "link_id: %u", &id) == 1)
				add_id(ids->link, &ids->nlink, id);
			else if (sscanf(line, "prog_id: %u", &id) == 1)
				prog = id;
		}
		fclose(f);
		/* A link's prog_id is its program's: each program is counted once. */
		if (prog)
			add_id(ids->prog, &ids->nprog, prog);
	}
	closedir(d);
	return 0;
}

static int prog_info(__u32 id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_prog_get_fd_by_id(id), ret;

	memset(info, 0, sizeof(*info));
	if (fd < 0)
		return -1;
	ret = bpf_obj_get_info_by_fd(fd, info, &len);
	close(fd);
	return ret;
}

static const char *prog_type_name(__u32 type)
{
	switch (type) {
	case BPF_PROG_TYPE_KPROBE:
		return "kprobe";
	case BPF_PROG_TYPE_TRACEPOINT:
		return "tracepoint";
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return "raw_tracepoint";
	case BPF_PROG_TYPE_TRACING:
		return "tracing";
	default:
		return "other";
	}
}

static int cmd_runs(int pid)
{
	struct {
		char name[BPF_OBJ_NAME_LEN];
		const char *type;
		unsigned long long cnt, ns;
	} acc[MAX_IDS];
	struct bpf_prog_info info;
	struct ids ids;
	size_t n = 0, i, j;

	if (read_ids(pid, &ids))
		return 1;
	for (i = 0; i < ids.nprog; i++) {
		if (prog_info(ids.prog[i], &info))
			continue;
		for (j = 0; j < n && strcmp(acc[j].name, info.name); j++)
			;
		if (j == n) {
			snprintf(acc[n].name, sizeof(acc[n].name), "%s",
				 info.name[0] ? info.name : "?");
			acc[n].type = prog_type_name(info.type);
			acc[n].cnt = acc[n].ns = 0;
			n++;
		}
		acc[j].cnt += info.run_cnt;
		acc[j].ns += info.run_time_ns;
	}
	for (j = 0; j < n; j++)
		printf("%s %s %llu %llu\n", acc[j].name, acc[j].type, acc[j].cnt, acc[j].ns);
	return 0;
}

static const char *link_type_name(__u32 type)
{
	switch (type) {
	case 1:
		return "raw_tracepoint";
	case 2:
		return "tracing";
	case 7:
		return "perf";
	case 8:
		return "kprobe_multi";
	case 12:
		return "uprobe_multi";
	default:
		return "other";
	}
}

static int cmd_links(int pid)
{
	static __u64 offsets[MAX_PROBES], cookies[MAX_PROBES];
	struct link_info_uprobe_multi li;
	struct bpf_prog_info pinfo;
	char path[PATH_MAX];
	struct ids ids;
	__u32 len;
	int fd, ret = 0;

	if (read_ids(pid, &ids))
		return 1;
	for (size_t i = 0; i < ids.nlink; i++) {
		fd = bpf_link_get_fd_by_id(ids.link[i]);
		if (fd < 0) {
			fprintf(stderr, "linkinfo: link %u: %s\n", ids.link[i], strerror(errno));
			ret = 1;
			continue;
		}
		memset(&li, 0, sizeof(li));
		li.path = (unsigned long)path;
		li.path_size = sizeof(path);
		li.offsets = (unsigned long)offsets;
		li.cookies = (unsigned long)cookies;
		li.count = MAX_PROBES;
		len = sizeof(li);
		if (bpf_obj_get_info_by_fd(fd, &li, &len)) {
			/* Not a uprobe_multi link, or a kernel without its info: the basics. */
			memset(&li, 0, sizeof(li));
			len = 16;
			if (bpf_obj_get_info_by_fd(fd, &li, &len)) {
				fprintf(stderr, "linkinfo: link %u: %s\n", ids.link[i],
					strerror(errno));
				ret = 1;
				close(fd);
				continue;
			}
		}
		close(fd);
		prog_info(li.prog_id, &pinfo);
		if (li.type != 12) {
			printf("%s %s - - -\n", link_type_name(li.type),
			       pinfo.name[0] ? pinfo.name : "?");
			continue;
		}
		if (li.count > MAX_PROBES) {
			fprintf(stderr, "linkinfo: link %u has %u probes, more than %d\n",
				ids.link[i], li.count, MAX_PROBES);
			ret = 1;
			continue;
		}
		for (__u32 k = 0; k < li.count; k++)
			printf("%s %s %s 0x%llx 0x%llx\n",
			       li.flags & LINK_UPROBE_MULTI_RETURN ? "uretprobe_multi"
								   : "uprobe_multi",
			       pinfo.name[0] ? pinfo.name : "?", path,
			       (unsigned long long)offsets[k], (unsigned long long)cookies[k]);
	}
	return ret;
}

int main(int argc, char **argv)
{
	int pid;

	if (argc != 3 || (pid = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: linkinfo links|runs PID\n");
		return 64;
	}
	if (!strcmp(argv[1], "links"))
		return cmd_links(pid);
	if (!strcmp(argv[1], "runs"))
		return cmd_runs(pid);
	fprintf(stderr, "usage: linkinfo links|runs PID\n");
	return 64;
}
