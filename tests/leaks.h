/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What a traced process and the kernel look like after attrprof is gone,
 * read from the kernel itself: the BPF objects an attrprof held (by id),
 * the target's code against its files, its fds and memory, tracefs' uprobes.
 */
#ifndef ATTRPROF_TESTS_LEAKS_H
#define ATTRPROF_TESTS_LEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LEAKS_MAX_IDS 512

/* The ids of the BPF programs, links, maps and BTF objects a process holds. */
struct bpf_ids {
	unsigned int prog[LEAKS_MAX_IDS], link[LEAKS_MAX_IDS], map[LEAKS_MAX_IDS];
	unsigned int btf[LEAKS_MAX_IDS];
	size_t nprog, nlink, nmap, nbtf;
};

/* Reads pid's /proc/PID/fdinfo/ into ids (a link's program counts among the programs). */
void leaks__bpf_ids(pid_t pid, struct bpf_ids *ids);

/*
 * Fails the test unless every object in ids is gone from the kernel
 * (BPF_*_GET_FD_BY_ID says ENOENT) within timeout_ms: the kernel frees
 * them after the last reference goes, a grace period later. what names the
 * case in the message.
 */
void leaks__assert_bpf_gone(const struct bpf_ids *ids, int timeout_ms, const char *what);

/*
 * The uprobe_multi links on pid, from the kernel's list of every BPF link
 * (BPF_LINK_GET_NEXT_ID), whoever made them.
 */
size_t leaks__uprobe_links_on(pid_t pid);

/* Fails the test unless no uprobe_multi link is on pid within timeout_ms. */
void leaks__assert_no_uprobe_link_on(pid_t pid, int timeout_ms, const char *what);

/*
 * How many bytes of pid's executable file mappings differ from the files
 * they map (read through /proc/PID/mem): a uprobe is an int3 written into
 * the code, so this is 0 once every probe is gone. Sets *where (may be NULL)
 * to the first such address.
 */
size_t leaks__code_changes(pid_t pid, unsigned long *where);

/* The number of open fds of pid. */
int leaks__fd_count(pid_t pid);

/* pid's VmRSS in kB. */
long leaks__rss_kb(pid_t pid);

/* Fails the test if tracefs' uprobe_events has a line holding needle. */
void leaks__assert_no_uprobe_event(const char *needle, const char *what);

#endif /* ATTRPROF_TESTS_LEAKS_H */
