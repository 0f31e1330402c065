// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/floor: run a command with empty uprobes (and uretprobes) on some of
 * its functions, the way `attrprof record` does: fork, attach to the
 * child's PID, then let the child exec.
 *
 *   floor [--entry-only] -f FUNC [-f FUNC...] -- /path/to/binary [ARG...]
 *
 * FUNC is looked up in the binary's .symtab (or .dynsym) and attached at its
 * file offset. Prints "floor: recording PID N (K links)" on stderr once the
 * probes are live, and exits with the command's exit status (1 on our own
 * failure, 64 on bad usage).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

#define MAX_FUNCS 16

static void usage(void)
{
	fprintf(stderr, "usage: floor [--entry-only] -f FUNC [-f FUNC...] -- BINARY [ARG...]\n");
	exit(64);
}

/*
 * File offset of the function name in the ELF file path: its st_value
 * mapped through the PT_LOAD segment that holds it. Returns 0 and sets
 * *offset, or a negative errno (-ENOENT: no such function).
 */
static int func_offset(const char *path, const char *name, unsigned long long *offset)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	unsigned long long vaddr = 0;
	bool found = false;
	int fd, ret = -ENOENT;
	size_t nphdr;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		ret = -ENOEXEC;
		goto out_close;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
	}
	scn = symtab ? symtab : dynsym;
	if (scn) {
		Elf_Data *data = elf_getdata(scn, NULL);
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		for (size_t i = 0; data && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(data, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF)
				continue;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name)) {
				vaddr = sym.st_value;
				found = true;
				break;
			}
		}
	}
	if (!found || elf_getphdrnum(elf, &nphdr))
		goto out_end;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_memsz) {
			*offset = vaddr - ph.p_vaddr + ph.p_offset;
			ret = 0;
			break;
		}
	}
out_end:
	elf_end(elf);
out_close:
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[2 * MAX_FUNCS] = {};
	unsigned long long offsets[MAX_FUNCS];
	const char *funcs[MAX_FUNCS];
	struct floor_bpf *skel = NULL;
	int nfuncs = 0, nlinks = 0, gate[2] = {-1, -1}, status = 0, code = 1, i, ret;
	bool entry_only = false;
	char **cmd = NULL;
	pid_t child = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--entry-only")) {
			entry_only = true;
		} else if (!strcmp(argv[i], "-f") && i + 1 < argc && nfuncs < MAX_FUNCS) {
			funcs[nfuncs++] = argv[++i];
		} else if (!strcmp(argv[i], "--") && i + 1 < argc) {
			cmd = &argv[i + 1];
			break;
		} else {
			usage();
		}
	}
	if (!cmd || !nfuncs)
		usage();
	for (i = 0; i < nfuncs; i++) {
		ret = func_offset(cmd[0], funcs[i], &offsets[i]);
		if (ret) {
			fprintf(stderr, "floor: %s %s: %s\n", cmd[0], funcs[i], strerror(-ret));
			return ret == -ENOENT ? 2 : 1;
		}
	}

	/* Load the empty programs. */
	skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "floor: load BPF programs: %s\n", strerror(errno));
		goto cleanup;
	}

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

	/* Attach: return probe first, as attrprof does, then entry. */
	for (i = 0; i < nfuncs; i++) {
		LIBBPF_OPTS(bpf_uprobe_opts, ret_opts, .retprobe = true);
		LIBBPF_OPTS(bpf_uprobe_opts, entry_opts);
		struct bpf_link *link;

		if (!entry_only) {
			link = bpf_program__attach_uprobe_opts(skel->progs.floor_return, child,
							       cmd[0], offsets[i], &ret_opts);
			if (!link)
				goto attach_fail;
			links[nlinks++] = link;
		}
		link = bpf_program__attach_uprobe_opts(skel->progs.floor_enter, child, cmd[0],
						       offsets[i], &entry_opts);
		if (!link)
			goto attach_fail;
		links[nlinks++] = link;
		continue;
attach_fail:
		fprintf(stderr, "floor: attach %s %s (offset 0x%llx): %s\n", cmd[0], funcs[i],
			offsets[i], strerror(errno));
		goto cleanup;
	}
	fprintf(stderr, "floor: recording PID %d (%d links)\n", child, nlinks);

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
cleanup:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (gate[0] >= 0)
		close(gate[0]);
	if (gate[1] >= 0)
		close(gate[1]);
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	floor_bpf__destroy(skel);
	return code;
}
