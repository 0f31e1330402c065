// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/floor: empty uprobes (and uretprobes) on a process's functions: the
 * least any uprobe-based tracer can cost, in calls, attach and detach.
 *
 *   floor [--entry-only] [--multi] -f GLOB [-f GLOB...] -- BINARY [ARG...]
 *   floor [--entry-only] [--multi] -f GLOB [-f GLOB...] -p PID
 *
 * The first form runs BINARY the way `attrprof record` does: fork, attach to
 * the child's PID, then let it exec; floor exits with its exit status. The
 * second attaches to a running process until SIGINT/SIGTERM or its exit.
 * Either way the functions of the executable whose names match a GLOB get a
 * uprobe at their file offset (from .symtab, else .dynsym) and, without
 * --entry-only, a uretprobe. By default each probe is one perf-event link,
 * as libbpf 1.1 and attrprof make them; --multi makes one uprobe_multi link
 * for all entries and one for all returns (kernel 6.6+, raw bpf(2) since
 * libbpf 1.1 has no API for it).
 *
 * stderr: "floor: tracing PID N (F functions, L links)" once the probes are
 * live, "floor: detached L links in X ms" at the end. Exit: the command's
 * status in the first form, else 0; 1 on failure, 2 if nothing matches,
 * 64 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

#define MAX_FUNCS 1024
#define MAX_GLOBS 16

/* From the 6.6+ UAPI; Debian 12's <linux/bpf.h> (6.1) predates them. */
#define FLOOR_TRACE_UPROBE_MULTI 48
#define FLOOR_F_UPROBE_MULTI_RETURN 1

/* bpf_attr.link_create as kernel 6.6+ lays it out for uprobe_multi. */
struct link_create_uprobe_multi {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u64 path;
	__u64 offsets;
	__u64 ref_ctr_offsets;
	__u64 cookies;
	__u32 cnt;
	__u32 multi_flags;
	__u32 pid;
};

struct funcs {
	unsigned long offsets[MAX_FUNCS];
	size_t n;
};

static void usage(void)
{
	fprintf(stderr, "usage: floor [--entry-only] [--multi] -f GLOB [-f GLOB...] "
			"(-p PID | -- BINARY [ARG...])\n");
	exit(64);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool matches(const char *name, const char *const *globs, int nglobs)
{
	for (int i = 0; i < nglobs; i++)
		if (!fnmatch(globs[i], name, 0))
			return true;
	return false;
}

/*
 * Fills out with the file offsets of the defined functions of the ELF file
 * path whose names match a glob: st_value mapped through the PT_LOAD segment
 * that holds it; one entry per address. Returns 0 (out->n may be 0) or a
 * negative errno.
 */
static int find_funcs(const char *path, const char *const *globs, int nglobs, struct funcs *out)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	size_t nphdr;
	int fd, ret = 0;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getphdrnum(elf, &nphdr)) {
		ret = -ENOEXEC;
		goto out_close;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
	}
	scn = symtab ? symtab : dynsym;
	if (!scn || !gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
		goto out_end;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *name;
		unsigned long off = 0;
		bool dup = false;
		GElf_Sym sym;

		if (!gelf_getsym(data, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !matches(name, globs, nglobs))
			continue;
		for (size_t p = 0; p < nphdr; p++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, p, &ph) && ph.p_type == PT_LOAD &&
			    sym.st_value >= ph.p_vaddr && sym.st_value < ph.p_vaddr + ph.p_memsz) {
				off = sym.st_value - ph.p_vaddr + ph.p_offset;
				break;
			}
		}
		for (size_t k = 0; k < out->n; k++)
			dup |= out->offsets[k] == off;
		if (!off || dup)
			continue;
		if (out->n == MAX_FUNCS) {
			ret = -E2BIG;
			break;
		}
		out->offsets[out->n++] = off;
	}
out_end:
	elf_end(elf);
out_close:
	close(fd);
	return ret;
}

/* One uprobe_multi link on every offset. Returns the link fd or a negative errno. */
static int link_uprobe_multi(const struct bpf_program *prog, const char *path,
			     const struct funcs *f, pid_t pid, bool retprobe)
{
	struct link_create_uprobe_multi attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = bpf_program__fd(prog);
	attr.attach_type = FLOOR_TRACE_UPROBE_MULTI;
	attr.path = (__u64)(unsigned long)path;
	attr.offsets = (__u64)(unsigned long)f->offsets;
	attr.cnt = f->n;
	attr.multi_flags = retprobe ? FLOOR_F_UPROBE_MULTI_RETURN : 0;
	attr.pid = pid;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

struct probes {
	struct bpf_link **links; /* perf-event links */
	size_t nlinks;
	int multi_fds[2];
	size_t nmulti;
};

/* Attaches the probes to pid. Returns 0 or a negative errno, with a message printed. */
static int attach(struct floor_bpf *skel, const char *path, const struct funcs *f, pid_t pid,
		  bool entry_only, bool multi, struct probes *p)
{
	int ret;

	if (multi) {
		/* Returns first, as attrprof does: no entry without its return. */
		for (int r = entry_only ? 0 : 1; r >= 0; r--) {
			ret = link_uprobe_multi(r ? skel->progs.floor_return
						  : skel->progs.floor_enter,
						path, f, pid, r);
			if (ret < 0) {
				fprintf(stderr, "floor: uprobe_multi link on %s: %s\n", path,
					strerror(-ret));
				return ret;
			}
			p->multi_fds[p->nmulti++] = ret;
		}
		return 0;
	}
	p->links = calloc(2 * f->n, sizeof(*p->links));
	if (!p->links)
		return -ENOMEM;
	for (size_t i = 0; i < f->n; i++) {
		for (int r = entry_only ? 0 : 1; r >= 0; r--) {
			LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = r);
			struct bpf_link *link;

			link = bpf_program__attach_uprobe_opts(r ? skel->progs.floor_return
								 : skel->progs.floor_enter,
							       pid, path, f->offsets[i], &opts);
			if (!link) {
				ret = -errno;
				fprintf(stderr, "floor: attach %s offset 0x%lx: %s\n", path,
					f->offsets[i], strerror(-ret));
				return ret;
			}
			p->links[p->nlinks++] = link;
		}
	}
	return 0;
}

/* Detaches everything, one link after the other. NULL-safe, idempotent. */
static void detach(struct probes *p)
{
	size_t n = p->nlinks + p->nmulti;
	double start = now_ms();

	for (size_t i = 0; i < p->nlinks; i++)
		bpf_link__destroy(p->links[i]);
	for (size_t i = 0; i < p->nmulti; i++)
		close(p->multi_fds[i]);
	if (n)
		fprintf(stderr, "floor: detached %zu links in %.1f ms\n", n, now_ms() - start);
	free(p->links);
	memset(p, 0, sizeof(*p));
}

/* Waits for SIGINT/SIGTERM (blocked by the caller, read from sigfd) or the exit of pidfd's process.
 */
static void wait_stop(int sigfd, int pidfd)
{
	struct pollfd fds[2] = {{.fd = sigfd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};

	while (poll(fds, 2, -1) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static struct funcs funcs;
	const char *globs[MAX_GLOBS];
	struct floor_bpf *skel = NULL;
	struct probes probes = {};
	int nglobs = 0, gate[2] = {-1, -1}, sigfd = -1, pidfd = -1, status = 0, code = 1, ret;
	bool entry_only = false, multi = false;
	char path[PATH_MAX], link[64];
	char **cmd = NULL;
	pid_t pid = 0, child = -1;
	sigset_t mask;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--entry-only")) {
			entry_only = true;
		} else if (!strcmp(argv[i], "--multi")) {
			multi = true;
		} else if (!strcmp(argv[i], "-f") && i + 1 < argc && nglobs < MAX_GLOBS) {
			globs[nglobs++] = argv[++i];
		} else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			pid = atoi(argv[++i]);
			if (pid <= 0)
				usage();
		} else if (!strcmp(argv[i], "--") && i + 1 < argc && !pid) {
			cmd = &argv[i + 1];
			break;
		} else {
			usage();
		}
	}
	if (!nglobs || !(cmd || pid))
		usage();
	/* The probes go on the file itself: its real path, symlinks resolved. */
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	if (!realpath(cmd ? cmd[0] : link, path)) {
		fprintf(stderr, "floor: %s: %s\n", cmd ? cmd[0] : link, strerror(errno));
		return 2;
	}
	ret = find_funcs(path, globs, nglobs, &funcs);
	if (ret || !funcs.n) {
		fprintf(stderr, "floor: %s: %s\n", path,
			ret ? strerror(-ret) : "no function matches");
		return ret ? 1 : 2;
	}

	/* Open, retarget for uprobe_multi if asked, and load the empty programs. */
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: open BPF object: %s\n", strerror(errno));
		goto cleanup;
	}
	if (multi) {
		bpf_program__set_expected_attach_type(
			skel->progs.floor_enter, (enum bpf_attach_type)FLOOR_TRACE_UPROBE_MULTI);
		bpf_program__set_expected_attach_type(
			skel->progs.floor_return, (enum bpf_attach_type)FLOOR_TRACE_UPROBE_MULTI);
	}
	ret = floor_bpf__load(skel);
	if (ret) {
		fprintf(stderr, "floor: load BPF programs: %s\n", strerror(-ret));
		goto cleanup;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);

	if (cmd) {
		/* Fork the command, held on a pipe until the probes are on its PID. */
		if (pipe(gate)) {
			fprintf(stderr, "floor: pipe: %s\n", strerror(errno));
			goto cleanup;
		}
		child = fork();
		if (child < 0) {
			fprintf(stderr, "floor: fork: %s\n", strerror(errno));
			goto cleanup;
		}
		if (child == 0) {
			char go;

			close(gate[1]);
			if (read(gate[0], &go, 1) != 1)
				_exit(127);
			close(gate[0]);
			execv(cmd[0], cmd);
			fprintf(stderr, "floor: exec %s: %s\n", cmd[0], strerror(errno));
			_exit(127);
		}
		close(gate[0]);
		gate[0] = -1;
		pid = child;
	} else {
		sigprocmask(SIG_BLOCK, &mask, NULL);
		sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		if (sigfd < 0 || pidfd < 0) {
			fprintf(stderr, "floor: signalfd/pidfd_open %d: %s\n", pid,
				strerror(errno));
			goto cleanup;
		}
	}

	if (attach(skel, path, &funcs, pid, entry_only, multi, &probes))
		goto cleanup;
	fprintf(stderr, "floor: tracing PID %d (%zu functions, %zu links)\n", pid, funcs.n,
		probes.nlinks + probes.nmulti);

	if (cmd) {
		/* Release the command and wait for it. */
		if (write(gate[1], "g", 1) != 1) {
			fprintf(stderr, "floor: release the command: %s\n", strerror(errno));
			goto cleanup;
		}
		if (waitpid(child, &status, 0) < 0) {
			fprintf(stderr, "floor: waitpid: %s\n", strerror(errno));
			goto cleanup;
		}
		child = -1;
		code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	} else {
		wait_stop(sigfd, pidfd);
		code = 0;
	}
	detach(&probes);
cleanup:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	for (int i = 0; i < 2; i++)
		if (gate[i] >= 0)
			close(gate[i]);
	if (sigfd >= 0)
		close(sigfd);
	if (pidfd >= 0)
		close(pidfd);
	detach(&probes);
	floor_bpf__destroy(skel);
	return code;
}
