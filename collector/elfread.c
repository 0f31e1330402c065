// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libelf readers: function symbols with their uprobe offsets, the GNU build-id, PT_INTERP. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfread.h"

/* .gnu.version entry bit of a non-default version (foo@V, not foo@@V); glibc's elf.h lacks it. */
#define VERSYM_HIDDEN 0x8000

static const unsigned char ENDBR64[4] = {0xf3, 0x0f, 0x1e, 0xfa};

/* A matching symbol before versions and duplicates are resolved. */
struct cand {
	struct elf_func f;
	bool hidden; /* a non-default version */
	bool ifunc;  /* kept only to hide older versions of its name */
};

struct scan {
	const char *path;
	Elf *elf;
	const char *const *globs;
	size_t nglobs;
	bool x86_64;
	const char *raw; /* the whole file, to read the first bytes of functions */
	size_t rawsize;
	struct cand *v;
	size_t n, cap;
};

static pthread_once_t elf_once = PTHREAD_ONCE_INIT;

static void elf_init(void)
{
	elf_version(EV_CURRENT);
}

static void set_err(char *err, size_t errlen, const char *path, const char *cause)
{
	if (errlen)
		snprintf(err, errlen, "%s: %s", path, cause);
}

/*
 * Opens path as ELF into *fd and *elf. Returns 0, or a negative errno with err set and nothing
 * left open.
 */
static int open_elf(const char *path, int *fd, Elf **elf, char *err, size_t errlen)
{
	GElf_Ehdr eh;
	int ret;

	pthread_once(&elf_once, elf_init);
	*elf = NULL;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		ret = -errno;
		set_err(err, errlen, path, strerror(-ret));
		return ret;
	}
	/* libelf leaves read errors (a directory: EISDIR) in errno. */
	errno = 0;
	*elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (!*elf) {
		ret = errno ? -errno : -EIO;
		set_err(err, errlen, path, strerror(-ret));
		goto cleanup;
	}
	if (elf_kind(*elf) != ELF_K_ELF || !gelf_getehdr(*elf, &eh)) {
		ret = -ENOEXEC;
		set_err(err, errlen, path, "not an ELF file");
		goto cleanup;
	}
	return 0;

cleanup:
	elf_end(*elf);
	close(*fd);
	*elf = NULL;
	*fd = -1;
	return ret;
}

int elf__check(const char *path, char *err, size_t errlen)
{
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, err, errlen);
	if (ret)
		return ret;
	elf_end(elf);
	close(fd);
	return 0;
}

static bool matches(const char *name, const char *const *globs, size_t nglobs)
{
	size_t i;

	for (i = 0; i < nglobs; i++)
		if (!fnmatch(globs[i], name, 0))
			return true;
	return false;
}

/* File offset of vaddr through the PT_LOAD segment holding it. Returns false when none does. */
static bool vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *off)
{
	GElf_Phdr ph;
	size_t i, n;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

/* Adds name (already stripped of any @VERSION, owned by s on success). Returns 0 or -ENOMEM. */
static int add_cand(struct scan *s, char *name, const GElf_Sym *sym, bool hidden, bool ifunc)
{
	struct cand *c;
	uint64_t off;

	if (!vaddr_to_offset(s->elf, sym->st_value, &off)) {
		free(name);
		return 0;
	}
	/*
	 * The kernel single-steps an endbr64 out of line (about 5 us per hit) but emulates the
	 * push that usually follows it. A breakpoint past endbr64 still fires on every call:
	 * endbr64 only marks the function as a valid indirect branch target.
	 */
	if (s->x86_64 && off <= s->rawsize && s->rawsize - off >= sizeof(ENDBR64) &&
	    !memcmp(s->raw + off, ENDBR64, sizeof(ENDBR64)))
		off += sizeof(ENDBR64);

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;

		c = realloc(s->v, cap * sizeof(*c));
		if (!c) {
			free(name);
			return -ENOMEM;
		}
		s->v = c;
		s->cap = cap;
	}
	c = &s->v[s->n++];
	*c = (struct cand){
		.f = {.name = name, .vaddr = sym->st_value, .offset = off, .size = sym->st_size},
		.hidden = hidden,
		.ifunc = ifunc,
	};
	if (off < s->rawsize) {
		c->f.head_len =
			s->rawsize - off < sizeof(c->f.head) ? s->rawsize - off : sizeof(c->f.head);
		memcpy(c->f.head, s->raw + off, c->f.head_len);
	}
	return 0;
}

/*
 * Adds the matching functions of one symbol table. versym is its .gnu.version, or NULL.
 * Returns 0 or a negative errno with err set.
 */
static int scan_symtab(struct scan *s, Elf_Scn *scn, const GElf_Shdr *sh, Elf_Data *versym,
		       char *err, size_t errlen)
{
	Elf_Data *data;
	GElf_Versym vs;
	GElf_Sym sym;
	const char *name, *at;
	char *copy;
	size_t i, n;
	bool hidden, ifunc;

	data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize) {
		set_err(err, errlen, s->path, "cannot read a symbol table");
		return -EINVAL;
	}
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		if (!gelf_getsym(data, i, &sym) || sym.st_shndx == SHN_UNDEF || !sym.st_size)
			continue;
		/*
		 * An STT_GNU_IFUNC symbol is a resolver that returns the real implementation, so
		 * it is no target; but as a default version it hides older ones (glibc 2.14+
		 * memcpy@@GLIBC_2.14 is an IFUNC, memcpy@GLIBC_2.2.5 a plain compat function).
		 */
		ifunc = GELF_ST_TYPE(sym.st_info) == STT_GNU_IFUNC;
		if (!ifunc && GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		name = elf_strptr(s->elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		/*
		 * binutils 2.35+ writes versions into .symtab names too: foo@@V is the default
		 * version, foo@V a hidden one. In .dynsym the version is in .gnu.version.
		 */
		at = strchr(name, '@');
		hidden = at && at[1] != '@';
		if (versym && gelf_getversym(versym, i, &vs) && (vs & VERSYM_HIDDEN))
			hidden = true;
		copy = at ? strndup(name, at - name) : NULL;
		if (at && !copy)
			goto enomem;
		if (!matches(copy ? copy : name, s->globs, s->nglobs)) {
			free(copy);
			continue;
		}
		if (!copy && !(copy = strdup(name)))
			goto enomem;
		if (add_cand(s, copy, &sym, hidden, ifunc))
			goto enomem;
	}
	return 0;

enomem:
	set_err(err, errlen, s->path, strerror(ENOMEM));
	return -ENOMEM;
}

static int cmp_cand(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int d = strcmp(a->f.name, b->f.name);

	if (d)
		return d;
	if (a->hidden != b->hidden)
		return a->hidden ? 1 : -1;
	return a->f.vaddr < b->f.vaddr ? -1 : a->f.vaddr > b->f.vaddr;
}

/*
 * Moves the candidates into out, sorted, keeping per name the non-hidden entries if there are
 * any (the version the dynamic linker binds new programs to) and else the hidden ones (compat
 * symbols old programs still call, e.g. glibc's xdr_*), each address once. Returns 0 or
 * -ENOMEM; s->v is empty either way.
 */
static int resolve(struct scan *s, struct elf_funcs *out)
{
	struct elf_func *last;
	bool has_default;
	size_t i, j, k;
	int ret = 0;

	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), cmp_cand);
	out->v = malloc(s->n * sizeof(*out->v));
	if (!out->v)
		ret = -ENOMEM;
	for (i = 0; i < s->n; i = j) {
		/* Sorting puts a name's non-hidden entries first, each group by address. */
		has_default = !s->v[i].hidden;
		for (j = i + 1; j < s->n && !strcmp(s->v[j].f.name, s->v[i].f.name); j++)
			;
		for (k = i; k < j; k++) {
			struct cand *c = &s->v[k];

			last = out->n ? &out->v[out->n - 1] : NULL;
			if (ret || c->ifunc || (has_default && c->hidden) ||
			    (last && last->vaddr == c->f.vaddr && !strcmp(last->name, c->f.name))) {
				free(c->f.name);
				continue;
			}
			out->v[out->n++] = c->f;
		}
	}
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
	return ret;
}

int elf__find_funcs(const char *path, const char *const *globs, size_t nglobs,
		    struct elf_funcs *out, char *err, size_t errlen)
{
	struct scan s = {.path = path, .globs = globs, .nglobs = nglobs};
	Elf_Data *versym = NULL;
	size_t versym_link = 0, i;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	int fd, ret;

	out->v = NULL;
	out->n = 0;
	ret = open_elf(path, &fd, &s.elf, err, errlen);
	if (ret)
		return ret;
	s.x86_64 = gelf_getehdr(s.elf, &eh) && eh.e_machine == EM_X86_64;
	s.raw = elf_rawfile(s.elf, &s.rawsize);

	/* .gnu.version is parallel to the .dynsym its sh_link names. */
	while ((scn = elf_nextscn(s.elf, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym) {
			versym = elf_getdata(scn, NULL);
			versym_link = sh.sh_link;
		}
	}
	while ((scn = elf_nextscn(s.elf, scn))) {
		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		ret = scan_symtab(&s, scn, &sh, elf_ndxscn(scn) == versym_link ? versym : NULL, err,
				  errlen);
		if (ret)
			goto cleanup;
	}
	ret = resolve(&s, out);
	if (ret)
		set_err(err, errlen, path, strerror(-ret));

cleanup:
	for (i = 0; i < s.n; i++)
		free(s.v[i].f.name);
	free(s.v);
	if (ret)
		elf__funcs_free(out);
	elf_end(s.elf);
	close(fd);
	return ret;
}

void elf__funcs_free(struct elf_funcs *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		free(f->v[i].name);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

int elf__build_id(const char *path, char *buf, size_t len)
{
	size_t off, next, name_off, desc_off, i;
	const unsigned char *desc;
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Nhdr nh;
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	ret = -ENOENT;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		for (off = 0; (next = gelf_getnote(data, off, &nh, &name_off, &desc_off));
		     off = next) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != sizeof("GNU") ||
			    memcmp((const char *)data->d_buf + name_off, "GNU", sizeof("GNU")))
				continue;
			if (len < 2 * (size_t)nh.n_descsz + 1) {
				ret = -ENOSPC;
				goto cleanup;
			}
			desc = (const unsigned char *)data->d_buf + desc_off;
			for (i = 0; i < nh.n_descsz; i++)
				snprintf(buf + 2 * i, 3, "%02x", desc[i]);
			buf[2 * i] = '\0';
			ret = 0;
			goto cleanup;
		}
	}

cleanup:
	elf_end(elf);
	close(fd);
	return ret;
}

/*
 * The file bytes of the first program header of this type, checked to lie
 * inside the file. Returns 0, -ENOENT when there is none, -ENOEXEC when it
 * points outside the file.
 */
static int segment_bytes(Elf *elf, Elf64_Word type, GElf_Phdr *ph, const char **bytes)
{
	size_t i, n, rawsize;
	const char *raw = elf_rawfile(elf, &rawsize);

	if (!raw || elf_getphdrnum(elf, &n))
		return -ENOENT;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, ph) || ph->p_type != type)
			continue;
		if (ph->p_offset > rawsize || ph->p_filesz > rawsize - ph->p_offset)
			return -ENOEXEC;
		*bytes = raw + ph->p_offset;
		return 0;
	}
	return -ENOENT;
}

int elf__interp(const char *path, char *buf, size_t len)
{
	const char *interp;
	GElf_Phdr ph;
	size_t slen;
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	ret = segment_bytes(elf, PT_INTERP, &ph, &interp);
	if (ret)
		goto cleanup;
	/* p_filesz counts the NUL; an unterminated path is a broken file. */
	slen = strnlen(interp, ph.p_filesz);
	if (slen == ph.p_filesz)
		ret = -ENOEXEC;
	else if (slen >= len)
		ret = -ENOSPC;
	else
		memcpy(buf, interp, slen + 1);

cleanup:
	elf_end(elf);
	close(fd);
	return ret;
}

/*
 * The first defined symbol called name in the symbol tables of type table (SHT_DYNSYM or
 * SHT_SYMTAB), of ELF type stt, or of any type when stt < 0. Returns true and fills *out.
 */
static bool lookup_sym(Elf *elf, Elf64_Word table, const char *name, int stt, GElf_Sym *out)
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	const char *s;
	size_t i, n;

	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != table || !sh.sh_entsize ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			if (!gelf_getsym(data, i, out) || out->st_shndx == SHN_UNDEF ||
			    (stt >= 0 && GELF_ST_TYPE(out->st_info) != stt))
				continue;
			s = elf_strptr(elf, sh.sh_link, out->st_name);
			if (s && !strcmp(s, name))
				return true;
		}
	}
	return false;
}

int elf__find_object(const char *path, const char *name, uint64_t *vaddr, uint64_t *size)
{
	GElf_Sym sym;
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	ret = -ENOENT;
	if (lookup_sym(elf, SHT_DYNSYM, name, STT_OBJECT, &sym) ||
	    lookup_sym(elf, SHT_SYMTAB, name, STT_OBJECT, &sym)) {
		*vaddr = sym.st_value;
		*size = sym.st_size;
		ret = 0;
	}
	elf_end(elf);
	close(fd);
	return ret;
}

int elf__exports(const char *path, const char *name)
{
	GElf_Sym sym;
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	ret = lookup_sym(elf, SHT_DYNSYM, name, -1, &sym) && GELF_ST_BIND(sym.st_info) != STB_LOCAL
		      ? 0
		      : -ENOENT;
	elf_end(elf);
	close(fd);
	return ret;
}

int elf__is_fixed(const char *path, bool *fixed)
{
	GElf_Ehdr eh;
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	if (gelf_getehdr(elf, &eh))
		*fixed = eh.e_type == ET_EXEC;
	else
		ret = -ENOEXEC;
	elf_end(elf);
	close(fd);
	return ret;
}

/*
 * The file offset of [vaddr, vaddr + len) when one PT_LOAD segment's file bytes hold all of
 * it. Returns false otherwise (.bss, gaps, ranges spanning two segments).
 */
static bool load_range(Elf *elf, uint64_t vaddr, uint64_t len, uint64_t *off)
{
	GElf_Phdr ph;
	size_t i, n;

	if (elf_getphdrnum(elf, &n))
		return false;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr <= ph.p_filesz &&
		    len <= ph.p_filesz - (vaddr - ph.p_vaddr)) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return true;
		}
	}
	return false;
}

int elf__vaddr_offset(const char *path, uint64_t vaddr, uint64_t *off)
{
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	ret = load_range(elf, vaddr, 1, off) ? 0 : -ENOENT;
	elf_end(elf);
	close(fd);
	return ret;
}

int elf__read_vaddr(const char *path, uint64_t vaddr, void *buf, size_t len)
{
	const char *raw;
	size_t rawsize;
	uint64_t off;
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	ret = -ENOENT;
	raw = elf_rawfile(elf, &rawsize);
	if (raw && load_range(elf, vaddr, len, &off) && off <= rawsize && len <= rawsize - off) {
		memcpy(buf, raw + off, len);
		ret = 0;
	}
	elf_end(elf);
	close(fd);
	return ret;
}

/* SHT_RELR (packed relative relocations) is missing from older elf.h. */
#ifndef SHT_RELR
#define SHT_RELR 19
#endif

/*
 * Calls fn(rela, arg) for each entry of every SHT_RELA section of elf until fn returns
 * nonzero, and returns that value; 0 when fn never did. -ENOTSUP for a file that is not
 * x86-64 or that packs relocations into SHT_RELR, which this does not read.
 */
static int each_rela(Elf *elf, int (*fn)(const GElf_Rela *rela, void *arg), void *arg)
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	GElf_Rela r;
	size_t i, n;
	int ret;

	if (!gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64)
		return -ENOTSUP;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELR)
			return -ENOTSUP;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++)
			if (gelf_getrela(data, i, &r) && (ret = fn(&r, arg)))
				return ret;
	}
	return 0;
}

struct reloc_at {
	uint64_t vaddr;
	uint64_t value;
};

/* 1 for the R_X86_64_RELATIVE at a->vaddr, -ENOTSUP for any other type there. */
static int match_reloc_at(const GElf_Rela *r, void *arg)
{
	struct reloc_at *a = arg;

	if (r->r_offset != a->vaddr)
		return 0;
	if (GELF_R_TYPE(r->r_info) != R_X86_64_RELATIVE)
		return -ENOTSUP;
	a->value = r->r_addend;
	return 1;
}

int elf__reloc_relative(const char *path, uint64_t vaddr, uint64_t *value)
{
	struct reloc_at a = {.vaddr = vaddr};
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	ret = each_rela(elf, match_reloc_at, &a);
	if (ret == 1) {
		*value = a.value;
		ret = 0;
	} else if (!ret) {
		ret = -ENOENT;
	}
	elf_end(elf);
	close(fd);
	return ret;
}

int elf__read_pointer(const char *path, uint64_t vaddr, uint64_t *value)
{
	unsigned char b[8];
	int ret, i;

	ret = elf__reloc_relative(path, vaddr, value);
	if (ret != -ENOENT)
		return ret;
	ret = elf__read_vaddr(path, vaddr, b, sizeof(b));
	if (ret)
		return ret;
	/* Little-endian: x86-64 is all this reads (elf__reloc_relative refuses the rest). */
	*value = 0;
	for (i = 7; i >= 0; i--)
		*value = *value << 8 | b[i];
	return 0;
}

int elf__find_strings(const char *path, const char *s, uint64_t *vaddrs, size_t max, size_t *n)
{
	size_t slen = strlen(s) + 1, i, nph, rawsize;
	const char *raw, *seg, *p;
	GElf_Phdr ph;
	Elf *elf;
	int fd, ret;

	*n = 0;
	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	raw = elf_rawfile(elf, &rawsize);
	if (!raw || elf_getphdrnum(elf, &nph)) {
		ret = -ENOEXEC;
		goto cleanup;
	}
	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD || (ph.p_flags & PF_W) ||
		    ph.p_offset > rawsize || ph.p_filesz > rawsize - ph.p_offset)
			continue;
		seg = raw + ph.p_offset;
		/* The NUL is part of the pattern, so a match may be the tail of a longer string. */
		for (p = seg; (p = memmem(p, seg + ph.p_filesz - p, s, slen)); p++) {
			if (*n < max)
				vaddrs[*n] = ph.p_vaddr + (p - seg);
			(*n)++;
		}
	}

cleanup:
	elf_end(elf);
	close(fd);
	return ret;
}

struct pointer_scan {
	uint64_t target;
	uint64_t *where;
	size_t max, n;
};

static int match_relative_to(const GElf_Rela *r, void *arg)
{
	struct pointer_scan *ps = arg;

	if (GELF_R_TYPE(r->r_info) == R_X86_64_RELATIVE && (uint64_t)r->r_addend == ps->target) {
		if (ps->n < ps->max)
			ps->where[ps->n] = r->r_offset;
		ps->n++;
	}
	return 0;
}

/* The 8-byte-aligned words equal to ps->target in the file bytes of writable segments. */
static void scan_words(Elf *elf, const char *raw, size_t rawsize, struct pointer_scan *ps)
{
	uint64_t word, va;
	size_t i, nph, j;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &nph))
		return;
	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_W) ||
		    ph.p_offset > rawsize || ph.p_filesz > rawsize - ph.p_offset)
			continue;
		for (j = (8 - ph.p_vaddr % 8) % 8; j + 8 <= ph.p_filesz; j += 8) {
			memcpy(&word, raw + ph.p_offset + j, sizeof(word));
			if (word != ps->target)
				continue;
			va = ph.p_vaddr + j;
			if (ps->n < ps->max)
				ps->where[ps->n] = va;
			ps->n++;
		}
	}
}

int elf__find_pointers(const char *path, uint64_t target, uint64_t *where, size_t max, size_t *n)
{
	struct pointer_scan ps = {.target = target, .where = where, .max = max};
	const char *raw;
	size_t rawsize;
	GElf_Ehdr eh;
	Elf *elf;
	int fd, ret;

	*n = 0;
	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	raw = elf_rawfile(elf, &rawsize);
	if (!raw || !gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64) {
		ret = raw ? -ENOTSUP : -ENOEXEC;
		goto cleanup;
	}
	/*
	 * A position-independent file holds its own addresses as R_X86_64_RELATIVE addends (its
	 * bytes there are 0 with some linkers); a fixed-address one holds them in its bytes.
	 */
	if (eh.e_type == ET_DYN)
		ret = each_rela(elf, match_relative_to, &ps);
	else
		scan_words(elf, raw, rawsize, &ps);
	*n = ps.n;

cleanup:
	elf_end(elf);
	close(fd);
	return ret;
}

/* DWARF pointer encodings (LSB Core, .eh_frame_hdr) of the table GNU ld writes. */
#define DW_EH_PE_udata4 0x03
#define DW_EH_PE_sdata4 0x0b
#define DW_EH_PE_datarel 0x30

static int32_t le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

int elf__func_bounds(const char *path, uint64_t vaddr, uint64_t *start, uint64_t *end)
{
	const unsigned char *hdr, *tab;
	uint64_t count, lo, hi, mid;
	const char *seg;
	GElf_Phdr ph;
	Elf *elf;
	int fd, ret;

	ret = open_elf(path, &fd, &elf, NULL, 0);
	if (ret)
		return ret;
	ret = -ENOENT;
	if (segment_bytes(elf, PT_GNU_EH_FRAME, &ph, &seg) || ph.p_filesz < 12)
		goto cleanup;
	/*
	 * version 1, eh_frame_ptr (4 bytes in any encoding GNU ld uses), fde_count as udata4,
	 * then (initial location, FDE) pairs as sdata4 relative to the header, sorted by location.
	 */
	hdr = (const unsigned char *)seg;
	if (hdr[0] != 1 ||
	    ((hdr[1] & 0x0f) != DW_EH_PE_udata4 && (hdr[1] & 0x0f) != DW_EH_PE_sdata4) ||
	    hdr[2] != DW_EH_PE_udata4 || hdr[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4)) {
		ret = -ENOTSUP;
		goto cleanup;
	}
	count = (uint32_t)le32(hdr + 8);
	tab = hdr + 12;
	if (count > (ph.p_filesz - 12) / 8) {
		ret = -ENOEXEC;
		goto cleanup;
	}
	/* The last entry whose location is <= vaddr. */
	for (lo = 0, hi = count; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (ph.p_vaddr + le32(tab + 8 * mid) <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		goto cleanup;
	*start = ph.p_vaddr + le32(tab + 8 * (lo - 1));
	*end = lo < count ? ph.p_vaddr + le32(tab + 8 * lo) : UINT64_MAX;
	ret = 0;

cleanup:
	elf_end(elf);
	close(fd);
	return ret;
}
