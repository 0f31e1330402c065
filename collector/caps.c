// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "caps.h"

/* Older headers lack these (Linux 5.8). */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

/* Where libbpf 1.1 reads tracepoint ids: debugfs's copy when it is there, else tracefs. */
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"
#define TRACEFS "/sys/kernel/tracing"
#define FUTEX_TP_ID "/events/syscalls/sys_enter_futex/id"

/* The capabilities a command may need, in the order messages name them. */
enum { NEED_BPF, NEED_PERFMON, NEED_DAC_READ_SEARCH, NEED_SYS_PTRACE, NEED_MAP_FILES, NEEDS };

struct cap_use {
	const char *name;
	const char *setcap; /* its name for setcap(8) */
	const char *why;
};

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1U << (cap % 32));
}

/*
 * Whether the futex tracepoint's id, where libbpf will read it, is closed to
 * this user without capabilities (needed), and with ours (missing). A file
 * that is not there is no capability's business: attaching reports it.
 */
static void check_tracefs(bool *needed, bool *missing)
{
	const char *dir =
		faccessat(AT_FDCWD, DEBUGFS_TRACING, F_OK, AT_EACCESS) ? TRACEFS : DEBUGFS_TRACING;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s%s", dir, FUTEX_TP_ID);
	/* Without AT_EACCESS, a non-root real user is checked without capabilities. */
	*needed = faccessat(AT_FDCWD, path, R_OK, 0) && (errno == EACCES || errno == EPERM);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	*missing = fd < 0 && (errno == EACCES || errno == EPERM);
	if (fd >= 0)
		close(fd);
}

/*
 * Whether pid's /proc files are another user's (needed), and whether
 * /proc/PID/exe is refused to us (missing): /proc/PID belongs to the
 * process's effective user, or to root when it is not dumpable.
 */
static void check_proc(pid_t pid, bool *needed, bool *missing)
{
	char path[64], target[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	*needed = !stat(path, &st) && st.st_uid != geteuid();
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	*missing =
		readlink(path, target, sizeof(target)) < 0 && (errno == EACCES || errno == EPERM);
	*needed = *needed || *missing;
}

/*
 * Whether a file of objs is read through /proc/PID/map_files (deleted or
 * replaced on disk: needed), and whether opening it is refused (missing).
 * The first refused one is described in why.
 */
static void check_map_files(const struct target_objects *objs, bool *needed, bool *missing,
			    char *why, size_t len)
{
	for (size_t i = 0; i < objs->n; i++) {
		const struct target_object *o = &objs->v[i];
		int fd;

		if (!o->on_disk)
			continue;
		*needed = true;
		fd = open(o->host_path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if ((errno == EPERM || errno == EACCES) && !*missing) {
			*missing = true;
			snprintf(why, len, "to read %s, %s on disk, through %s", o->path,
				 o->on_disk, o->host_path);
		}
	}
}

/* What CAP_SYS_PTRACE is for: reading the /proc files of pid, which its owner keeps. */
static void describe_owner(pid_t pid, char *buf, size_t len)
{
	char dir[32];
	struct stat st;

	snprintf(dir, sizeof(dir), "/proc/%d", pid);
	if (stat(dir, &st))
		snprintf(buf, len, "to read /proc/%d/{exe,maps,root}", pid);
	else
		snprintf(buf, len, "to read /proc/%d/{exe,maps,root} of a process of uid %u", pid,
			 (unsigned int)st.st_uid);
}

int caps__check_need(const struct caps_need *need, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {};
	char ptrace_why[128] = "", map_files_why[PATH_MAX + 128] = "";
	const struct cap_use uses[NEEDS] = {
		[NEED_BPF] = {"CAP_BPF", "cap_bpf",
			      "to load the BPF programs and create their maps"},
		[NEED_PERFMON] = {"CAP_PERFMON", "cap_perfmon",
				  "to open uprobes and tracepoints and read the target's memory "
				  "from BPF"},
		[NEED_DAC_READ_SEARCH] = {"CAP_DAC_READ_SEARCH", "cap_dac_read_search",
					  "to read the futex tracepoint ids in tracefs; --no-locks "
					  "needs none"},
		[NEED_SYS_PTRACE] = {"CAP_SYS_PTRACE", "cap_sys_ptrace", ptrace_why},
		[NEED_MAP_FILES] = {"CAP_CHECKPOINT_RESTORE", "cap_checkpoint_restore",
				    map_files_why},
	};
	bool needed[NEEDS] = {[NEED_BPF] = true, [NEED_PERFMON] = true}, missing[NEEDS] = {};
	size_t used = 0, nmissing = 0;
	bool admin;
	int ret;

	if (syscall(SYS_capget, &hdr, data)) {
		ret = -errno;
		snprintf(err, errlen, "cannot read own capabilities: %s", strerror(-ret));
		return ret;
	}
	/* CAP_SYS_ADMIN stands in for both, as bpf_capable() and perfmon_capable() allow. */
	admin = has_cap(data, CAP_SYS_ADMIN);
	missing[NEED_BPF] = !admin && !has_cap(data, CAP_BPF);
	missing[NEED_PERFMON] = !admin && !has_cap(data, CAP_PERFMON);
	/* Tried rather than assumed: tracefs may be mounted readable, CAP_DAC_OVERRIDE may do. */
	if (need->tracefs)
		check_tracefs(&needed[NEED_DAC_READ_SEARCH], &missing[NEED_DAC_READ_SEARCH]);
	if (need->pid > 0)
		check_proc(need->pid, &needed[NEED_SYS_PTRACE], &missing[NEED_SYS_PTRACE]);
	if (need->objs)
		check_map_files(need->objs, &needed[NEED_MAP_FILES], &missing[NEED_MAP_FILES],
				map_files_why, sizeof(map_files_why));
	for (size_t i = 0; i < NEEDS; i++)
		nmissing += missing[i];
	if (!nmissing)
		return 0;
	if (missing[NEED_SYS_PTRACE])
		describe_owner(need->pid, ptrace_why, sizeof(ptrace_why));
	used = snprintf(err, errlen, "missing capabilit%s:", nmissing > 1 ? "ies" : "y");
	for (size_t i = 0, n = 0; i < NEEDS && used < errlen; i++)
		if (missing[i])
			used += snprintf(err + used, errlen - used, "%s %s (%s)", n++ ? "," : "",
					 uses[i].name, uses[i].why);
	if (used < errlen)
		used += snprintf(err + used, errlen - used, "; run as root, or grant: setcap ");
	for (size_t i = 0, n = 0; i < NEEDS && used < errlen; i++)
		if (needed[i])
			used += snprintf(err + used, errlen - used, "%s%s", n++ ? "," : "",
					 uses[i].setcap);
	if (used < errlen)
		snprintf(err + used, errlen - used, "+ep attrprof");
	return -EPERM;
}

int caps__check(char *err, size_t errlen)
{
	const struct caps_need need = {.tracefs = true};

	return caps__check_need(&need, err, errlen);
}
