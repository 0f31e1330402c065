// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "atomic_file.h"

/* A temporary is PATH.XXXXXX.attrprof-tmp, flock()ed by its writer from creation to rename. */
#define TMP_SUFFIX ".attrprof-tmp"
#define TMP_RANDOM 6

/* Whether name (in path's directory) is one of path's temporaries. */
static bool is_temporary(const char *name, const char *base)
{
	size_t nlen = strlen(name), blen = strlen(base), slen = strlen(TMP_SUFFIX);

	return nlen == blen + 1 + TMP_RANDOM + slen && !strncmp(name, base, blen) &&
	       name[blen] == '.' && !strcmp(name + nlen - slen, TMP_SUFFIX);
}

/*
 * Removes the temporaries a killed writer left next to path (SIGKILL leaves
 * no chance to clean up). A live writer holds its lock; one that died
 * released it with its last fd, so a temporary we can lock is stale.
 */
static void remove_stale(const char *path)
{
	char *dcopy = strdup(path), *bcopy = strdup(path);
	const char *dir, *base;
	struct dirent *e;
	DIR *d = NULL;

	if (!dcopy || !bcopy)
		goto out;
	dir = dirname(dcopy);
	base = basename(bcopy);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		int fd;

		if (!is_temporary(e->d_name, base))
			continue;
		fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!flock(fd, LOCK_EX | LOCK_NB) && !unlinkat(dirfd(d), e->d_name, 0))
			fprintf(stderr,
				"attrprof: removed %s/%s, left by a writer that was killed\n", dir,
				e->d_name);
		close(fd);
	}
out:
	if (d)
		closedir(d);
	free(dcopy);
	free(bcopy);
}

/* Creates path's temporary, locked; *tmp gets its name (caller frees). Returns an fd or -errno. */
static int create_temporary(const char *path, char **tmp)
{
	for (;;) {
		struct stat st;
		int fd;

		if (asprintf(tmp, "%s.XXXXXX" TMP_SUFFIX, path) < 0)
			return -ENOMEM;
		fd = mkstemps(*tmp, strlen(TMP_SUFFIX));
		if (fd < 0) {
			fd = -errno;
			free(*tmp);
			return fd;
		}
		/*
		 * Another writer's remove_stale() may lock and delete it before we
		 * lock it: once we hold the lock, it must still be there. A file
		 * system without locks leaves it unlocked (and never removed).
		 */
		if (flock(fd, LOCK_EX) || (!fstat(fd, &st) && st.st_nlink))
			return fd;
		close(fd);
		free(*tmp);
	}
}

int atomic_file__write(const char *path, int (*write)(FILE *f, const void *arg), const void *arg)
{
	char *tmp;
	FILE *f;
	int fd, err;

	remove_stale(path);
	fd = create_temporary(path, &tmp);
	if (fd < 0)
		return fd;
	/*
	 * mkstemp creates the file 0600; profiles and reports are read by
	 * users other than the root that recorded them (report needs no root).
	 */
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		err = -errno;
		close(fd);
		goto out_unlink;
	}
	err = write(f, arg);
	if (!err && (fflush(f) || fsync(fileno(f))))
		err = -errno;
	/* Renamed before the close: the lock must cover the temporary for as long as it exists. */
	if (!err && rename(tmp, path))
		err = -errno;
	/* Flushed and synced already: closing can lose nothing of it. */
	fclose(f);
out_unlink:
	if (err)
		unlink(tmp);
	free(tmp);
	return err;
}
