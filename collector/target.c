// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "elfread.h"
#include "target.h"

extern char **environ;

/* include/linux/sched.h */
#define PF_KTHREAD 0x00200000

int target__stat_flags(const char *stat, unsigned long *flags)
{
	/* The command name may hold spaces and parentheses: fields resume after the last ')'. */
	const char *p = strrchr(stat, ')');

	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", flags) != 1)
		return -EINVAL;
	return 0;
}

int target__stat_cpu_ticks(const char *stat, uint64_t *ticks)
{
	const char *p = strrchr(stat, ')');
	unsigned long long utime, stime;

	/* Fields 14 and 15: utime and stime, the 12th and 13th after the command name. */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
			 &stime) != 2)
		return -EINVAL;
	*ticks = utime + stime;
	return 0;
}

/* pid's /proc stat line into buf. Returns 0 or -ESRCH. */
static int read_stat(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

uint64_t target__cpu_ns(pid_t pid)
{
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t ticks;
	char buf[1024];

	if (hz <= 0 || read_stat(pid, buf, sizeof(buf)) || target__stat_cpu_ticks(buf, &ticks))
		return 0;
	return ticks * (1000000000ULL / hz);
}

int target__check_pid(pid_t pid, char *err, size_t errlen)
{
	unsigned long flags = 0;
	char buf[1024];

	if (read_stat(pid, buf, sizeof(buf))) {
		snprintf(err, errlen, "PID %d: no such process", pid);
		return -ESRCH;
	}
	if (target__stat_flags(buf, &flags)) {
		snprintf(err, errlen, "PID %d: cannot parse /proc/%d/stat", pid, pid);
		return -EINVAL;
	}
	if (flags & PF_KTHREAD) {
		snprintf(err, errlen,
			 "PID %d is a kernel thread: it has no user-space code to probe", pid);
		return -EINVAL;
	}
	return 0;
}

/* The kernel's mark on a mapped file unlinked since (also in /proc/PID/exe). */
#define DELETED_MARK " (deleted)"

/* Drops a trailing DELETED_MARK from path. */
static void strip_deleted(char *path)
{
	size_t n = strlen(path), m = strlen(DELETED_MARK);

	if (n > m && !strcmp(path + n - m, DELETED_MARK))
		path[n - m] = '\0';
}

int target__exe(pid_t pid, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	strip_deleted(buf);
	return 0;
}

pid_t target__status_ns_pid(FILE *status)
{
	char *line = NULL;
	size_t cap = 0;
	pid_t ns_pid = 0;

	while (getline(&line, &cap, status) > 0) {
		char *p = line + 6, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		/* Outermost first: the last one is the PID the process sees itself as. */
		for (long v = strtol(p, &end, 10); end != p; v = strtol(p, &end, 10)) {
			ns_pid = v;
			p = end;
		}
		break;
	}
	free(line);
	return ns_pid;
}

pid_t target__ns_pid(pid_t pid)
{
	char path[64];
	pid_t ns_pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	ns_pid = target__status_ns_pid(f);
	fclose(f);
	return ns_pid;
}

/* Device and inode of path (following links), false when it cannot be stat'ed. */
static bool file_id(const char *path, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (stat(path, &st))
		return false;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return true;
}

bool target__is_unlaunched_child(pid_t pid)
{
	char path[64], buf[512], *p;
	dev_t dev, self_dev;
	ino_t ino, self_ino;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1 || ppid != getpid())
		return false;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	return file_id(path, &dev, &ino) && file_id("/proc/self/exe", &self_dev, &self_ino) &&
	       dev == self_dev && ino == self_ino;
}

static int objects_add(struct target_objects *o, const char *path, const char *host_path,
		       const char *on_disk)
{
	struct target_object *v;

	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].path, path))
			return 0;
	v = realloc(o->v, (o->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	o->v = v;
	v[o->n].path = strdup(path);
	v[o->n].host_path = strdup(host_path);
	if (!v[o->n].path || !v[o->n].host_path) {
		free(v[o->n].path);
		free(v[o->n].host_path);
		return -ENOMEM;
	}
	v[o->n].on_disk = on_disk;
	o->n++;
	return 0;
}

/*
 * What became of a mapped file on disk: NULL when host (the path as the
 * process sees it) still is the mapped file (dev:ino as maps shows it, or
 * as the mapping itself stats: overlayfs shows the lower file in maps),
 * "deleted" when nothing is there, "replaced" when another file is.
 */
static const char *on_disk_state(const char *host, const char *mapping, unsigned int maj,
				 unsigned int min, unsigned long ino)
{
	dev_t dev, mdev;
	ino_t i, mi;

	if (!file_id(host, &dev, &i))
		return "deleted";
	if (major(dev) == maj && minor(dev) == min && i == ino)
		return NULL;
	if (file_id(mapping, &mdev, &mi) && mdev == dev && mi == i)
		return NULL;
	return "replaced";
}

/*
 * Adds the file of one executable mapping: "START-END perms offset MAJ:MIN
 * inode path" from /proc/PID/maps. Opened under /proc/PID/root (the
 * process's mount namespace), or through the mapping when that file is
 * no longer the one mapped.
 */
static int add_mapping(struct target_objects *o, pid_t pid, char *line)
{
	char range[64], perms[8], host[PATH_MAX + 32], mapping[128], *file;
	unsigned int maj, min;
	unsigned long ino;
	const char *on_disk;
	int off = 0;

	if (sscanf(line, "%63s %7s %*s %x:%x %lu %n", range, perms, &maj, &min, &ino, &off) != 5 ||
	    !off)
		return 0;
	file = line + off;
	file[strcspn(file, "\n")] = '\0';
	if (perms[2] != 'x' || file[0] != '/')
		return 0;
	strip_deleted(file);
	snprintf(host, sizeof(host), "/proc/%d/root%s", pid, file);
	snprintf(mapping, sizeof(mapping), "/proc/%d/map_files/%s", pid, range);
	on_disk = on_disk_state(host, mapping, maj, min, ino);
	return objects_add(o, file, on_disk ? mapping : host, on_disk);
}

int target__maps_objects(FILE *maps, pid_t pid, struct target_objects *out)
{
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	while (!err && getline(&line, &cap, maps) > 0)
		err = add_mapping(out, pid, line);
	free(line);
	return err;
}

int target__pid_objects(pid_t pid, struct target_objects *out, char *err, size_t errlen)
{
	char path[64], exe[PATH_MAX], host[PATH_MAX + 32];
	FILE *f = NULL;
	size_t i;
	int err_ = 0;

	memset(out, 0, sizeof(*out));
	err_ = target__exe(pid, exe, sizeof(exe));
	if (err_) {
		snprintf(err, errlen, "PID %d: cannot read its executable: %s", pid,
			 strerror(-err_));
		goto cleanup;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		err_ = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	err_ = target__maps_objects(f, pid, out);
	if (err_)
		goto cleanup;
	/* The executable first; a process that maps it no more (a loader) gets its path. */
	for (i = 0; i < out->n && strcmp(out->v[i].path, exe); i++)
		;
	if (i == out->n) {
		snprintf(host, sizeof(host), "/proc/%d/root%s", pid, exe);
		err_ = objects_add(out, exe, host, NULL);
		if (err_)
			goto cleanup;
	}
	if (i) {
		struct target_object first = out->v[i];

		memmove(&out->v[1], &out->v[0], i * sizeof(out->v[0]));
		out->v[0] = first;
	}
cleanup:
	if (f)
		fclose(f);
	if (err_ == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	if (err_)
		target__objects_free(out);
	return err_;
}

/* Resolves argv0 the way execvp(3) will. Returns a malloc'd path or NULL. */
static char *resolve_command(const char *argv0)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(argv0, '/'))
		return access(argv0, X_OK) ? NULL : strdup(argv0);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		struct stat st;

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? path : ".", argv0);
		if (!access(buf, X_OK) && !stat(buf, &st) && S_ISREG(st.st_mode))
			return strdup(buf);
		path += len + (path[len] == ':');
	}
	return NULL;
}

int target__loader_objects(FILE *list, struct target_objects *o)
{
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	/* Read to the end even after a failure: the loader must not block on a full pipe. */
	while (getline(&line, &cap, list) > 0) {
		char *arrow = strstr(line, "=> "), *p = arrow ? arrow + 3 : line;

		p += strspn(p, " \t");
		if (*p != '/')
			continue;
		p[strcspn(p, " \t\n")] = '\0';
		if (!err)
			err = objects_add(o, p, p, NULL);
	}
	free(line);
	return err;
}

/* Adds what the dynamic loader lists for exe (target__loader_objects). */
static int add_loader_list(struct target_objects *o, const char *interp, const char *exe)
{
	char *argv[] = {(char *)interp, "--list", (char *)exe, NULL};
	posix_spawn_file_actions_t fa;
	int fds[2], status, err = 0;
	pid_t child;
	FILE *f;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	err = -posix_spawn(&child, interp, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		return err;
	}
	f = fdopen(fds[0], "r");
	if (f)
		err = target__loader_objects(f, o);
	if (f)
		fclose(f);
	else
		close(fds[0]);
	waitpid(child, &status, 0);
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
		err = -ENOEXEC;
	return err;
}

int target__command_objects(const char *argv0, char **exe, struct target_objects *out, char *err,
			    size_t errlen)
{
	struct elf_file *ef = NULL;
	char interp[PATH_MAX];
	int err_;

	memset(out, 0, sizeof(*out));
	*exe = resolve_command(argv0);
	if (!*exe) {
		snprintf(err, errlen, "%s: command not found or not executable", argv0);
		return -ENOENT;
	}
	err_ = elf__open(*exe, &ef, err, errlen);
	if (err_)
		goto cleanup;
	err_ = objects_add(out, *exe, *exe, NULL);
	if (err_)
		goto cleanup;
	err_ = elf__interp(ef, interp, sizeof(interp));
	if (err_ == -ENOENT) {
		/* Statically linked: the executable is all there is. */
		err_ = 0;
		goto cleanup;
	}
	if (!err_)
		err_ = add_loader_list(out, interp, *exe);
	if (err_)
		snprintf(err, errlen, "%s: cannot list its shared libraries with %s: %s", *exe,
			 interp, strerror(-err_));
cleanup:
	elf__close(ef);
	if (err_) {
		target__objects_free(out);
		free(*exe);
		*exe = NULL;
	}
	return err_;
}

void target__objects_free(struct target_objects *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].path);
		free(o->v[i].host_path);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}
