// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libelf readers: function symbols with their uprobe offsets, the GNU build-id, PT_INTERP, and
 * data through symbols, addresses and relocations, each asked of a file opened once.
 */
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

/*
 * An ELF file open for queries: opened, checked and mapped once, where each query used to
 * do it again.
 */
struct elf_file {
	char *path; /* for messages */
	int fd;
	Elf *elf;
	GElf_Ehdr eh;	 /* read when opened: the file is ELF */
	const char *raw; /* the whole file, or NULL when libelf cannot give it */
	size_t rawsize;
};

struct scan {
	const struct elf_file *ef;
	const char *const *globs;
	size_t nglobs;
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

int elf__open(const char *path, struct elf_file **out, char *err, size_t errlen)
{
	struct elf_file *ef;
	int ret;

	pthread_once(&elf_once, elf_init);
	*out = NULL;
	ef = calloc(1, sizeof(*ef));
	if (!ef || !(ef->path = strdup(path))) {
		free(ef);
		set_err(err, errlen, path, strerror(ENOMEM));
		return -ENOMEM;
	}
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0) {
		ret = -errno;
		set_err(err, errlen, path, strerror(-ret));
		goto cleanup;
	}
	/* libelf leaves read errors (a directory: EISDIR) in errno. */
	errno = 0;
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	if (!ef->elf) {
		ret = errno ? -errno : -EIO;
		set_err(err, errlen, path, strerror(-ret));
		goto cleanup;
	}
	if (elf_kind(ef->elf) != ELF_K_ELF || !gelf_getehdr(ef->elf, &ef->eh)) {
		ret = -ENOEXEC;
		set_err(err, errlen, path, "not an ELF file");
		goto cleanup;
	}
	ef->raw = elf_rawfile(ef->elf, &ef->rawsize);
	*out = ef;
	return 0;

cleanup:
	elf__close(ef);
	return ret;
}

void elf__close(struct elf_file *ef)
{
	if (!ef)
		return;
	elf_end(ef->elf);
	if (ef->fd >= 0)
		close(ef->fd);
	free(ef->path);
	free(ef);
}

int elf__check(const char *path, char *err, size_t errlen)
{
	struct elf_file *ef;
	int ret;

	ret = elf__open(path, &ef, err, errlen);
	elf__close(ef);
	return ret;
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

	const struct elf_file *ef = s->ef;

	if (!vaddr_to_offset(ef->elf, sym->st_value, &off)) {
		free(name);
		return 0;
	}
	/*
	 * The kernel single-steps an endbr64 out of line (about 5 us per hit) but emulates the
	 * push that usually follows it. A breakpoint past endbr64 still fires on every call:
	 * endbr64 only marks the function as a valid indirect branch target.
	 */
	if (ef->eh.e_machine == EM_X86_64 && off <= ef->rawsize &&
	    ef->rawsize - off >= sizeof(ENDBR64) &&
	    !memcmp(ef->raw + off, ENDBR64, sizeof(ENDBR64)))
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
	if (off < ef->rawsize) {
		c->f.head_len = ef->rawsize - off < sizeof(c->f.head) ? ef->rawsize - off
								      : sizeof(c->f.head);
		memcpy(c->f.head, ef->raw + off, c->f.head_len);
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
		set_err(err, errlen, s->ef->path, "cannot read a symbol table");
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
		name = elf_strptr(s->ef->elf, sh->sh_link, sym.st_name);
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
	set_err(err, errlen, s->ef->path, strerror(ENOMEM));
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

int elf__find_funcs(const struct elf_file *ef, const char *const *globs, size_t nglobs,
		    struct elf_funcs *out, char *err, size_t errlen)
{
	struct scan s = {.ef = ef, .globs = globs, .nglobs = nglobs};
	Elf_Data *versym = NULL;
	size_t versym_link = 0, i;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	int ret = 0;

	out->v = NULL;
	out->n = 0;
	/* .gnu.version is parallel to the .dynsym its sh_link names. */
	while ((scn = elf_nextscn(ef->elf, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_versym) {
			versym = elf_getdata(scn, NULL);
			versym_link = sh.sh_link;
		}
	}
	while ((scn = elf_nextscn(ef->elf, scn))) {
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
		set_err(err, errlen, ef->path, strerror(-ret));

cleanup:
	for (i = 0; i < s.n; i++)
		free(s.v[i].f.name);
	free(s.v);
	if (ret)
		elf__funcs_free(out);
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

int elf__build_id(const struct elf_file *ef, char *buf, size_t len)
{
	size_t off, next, name_off, desc_off, i;
	const unsigned char *desc;
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Nhdr nh;

	while ((scn = elf_nextscn(ef->elf, scn))) {
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
			if (len < 2 * (size_t)nh.n_descsz + 1)
				return -ENOSPC;
			desc = (const unsigned char *)data->d_buf + desc_off;
			for (i = 0; i < nh.n_descsz; i++)
				snprintf(buf + 2 * i, 3, "%02x", desc[i]);
			buf[2 * i] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The file bytes of the first program header of this type, checked to lie
 * inside the file. Returns 0, -ENOENT when there is none, -ENOEXEC when it
 * points outside the file.
 */
static int segment_bytes(const struct elf_file *ef, Elf64_Word type, GElf_Phdr *ph,
			 const char **bytes)
{
	size_t i, n;

	if (!ef->raw || elf_getphdrnum(ef->elf, &n))
		return -ENOENT;
	for (i = 0; i < n; i++) {
		if (!gelf_getphdr(ef->elf, i, ph) || ph->p_type != type)
			continue;
		if (ph->p_offset > ef->rawsize || ph->p_filesz > ef->rawsize - ph->p_offset)
			return -ENOEXEC;
		*bytes = ef->raw + ph->p_offset;
		return 0;
	}
	return -ENOENT;
}

int elf__interp(const struct elf_file *ef, char *buf, size_t len)
{
	const char *interp;
	GElf_Phdr ph;
	size_t slen;
	int ret;

	ret = segment_bytes(ef, PT_INTERP, &ph, &interp);
	if (ret)
		return ret;
	/* p_filesz counts the NUL; an unterminated path is a broken file. */
	slen = strnlen(interp, ph.p_filesz);
	if (slen == ph.p_filesz)
		return -ENOEXEC;
	if (slen >= len)
		return -ENOSPC;
	memcpy(buf, interp, slen + 1);
	return 0;
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

int elf__find_object(const struct elf_file *ef, const char *name, uint64_t *vaddr, uint64_t *size)
{
	GElf_Sym sym;

	if (!lookup_sym(ef->elf, SHT_DYNSYM, name, STT_OBJECT, &sym) &&
	    !lookup_sym(ef->elf, SHT_SYMTAB, name, STT_OBJECT, &sym))
		return -ENOENT;
	*vaddr = sym.st_value;
	*size = sym.st_size;
	return 0;
}

int elf__exports(const struct elf_file *ef, const char *name)
{
	GElf_Sym sym;

	return lookup_sym(ef->elf, SHT_DYNSYM, name, -1, &sym) &&
			       GELF_ST_BIND(sym.st_info) != STB_LOCAL
		       ? 0
		       : -ENOENT;
}

bool elf__is_fixed(const struct elf_file *ef)
{
	return ef->eh.e_type == ET_EXEC;
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

int elf__vaddr_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *off)
{
	return load_range(ef->elf, vaddr, 1, off) ? 0 : -ENOENT;
}

int elf__read_vaddr(const struct elf_file *ef, uint64_t vaddr, void *buf, size_t len)
{
	uint64_t off;

	if (!ef->raw || !load_range(ef->elf, vaddr, len, &off) || off > ef->rawsize ||
	    len > ef->rawsize - off)
		return -ENOENT;
	memcpy(buf, ef->raw + off, len);
	return 0;
}

/* SHT_RELR (packed relative relocations) is missing from older elf.h. */
#ifndef SHT_RELR
#define SHT_RELR 19
#endif

/*
 * Calls fn(rela, arg) for each entry of every SHT_RELA section of ef until fn returns
 * nonzero, and returns that value; 0 when fn never did. -ENOTSUP for a file that is not
 * x86-64 or that packs relocations into SHT_RELR, which this does not read.
 */
static int each_rela(const struct elf_file *ef, int (*fn)(const GElf_Rela *rela, void *arg),
		     void *arg)
{
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;
	GElf_Rela r;
	size_t i, n;
	int ret;

	if (ef->eh.e_machine != EM_X86_64)
		return -ENOTSUP;
	while ((scn = elf_nextscn(ef->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELR)
			return -ENOTSUP;
	while ((scn = elf_nextscn(ef->elf, scn))) {
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

int elf__reloc_relative(const struct elf_file *ef, uint64_t vaddr, uint64_t *value)
{
	struct reloc_at a = {.vaddr = vaddr};
	int ret;

	ret = each_rela(ef, match_reloc_at, &a);
	if (ret == 1) {
		*value = a.value;
		return 0;
	}
	return ret ? ret : -ENOENT;
}

int elf__read_pointer(const struct elf_file *ef, uint64_t vaddr, uint64_t *value)
{
	unsigned char b[8];
	int ret, i;

	ret = elf__reloc_relative(ef, vaddr, value);
	if (ret != -ENOENT)
		return ret;
	ret = elf__read_vaddr(ef, vaddr, b, sizeof(b));
	if (ret)
		return ret;
	/* Little-endian: x86-64 is all this reads (elf__reloc_relative refuses the rest). */
	*value = 0;
	for (i = 7; i >= 0; i--)
		*value = *value << 8 | b[i];
	return 0;
}

int elf__find_strings(const struct elf_file *ef, const char *s, uint64_t *vaddrs, size_t max,
		      size_t *n)
{
	size_t slen = strlen(s) + 1, i, nph;
	const char *seg, *p;
	GElf_Phdr ph;

	*n = 0;
	if (!ef->raw || elf_getphdrnum(ef->elf, &nph))
		return -ENOEXEC;
	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(ef->elf, i, &ph) || ph.p_type != PT_LOAD || (ph.p_flags & PF_W) ||
		    ph.p_offset > ef->rawsize || ph.p_filesz > ef->rawsize - ph.p_offset)
			continue;
		seg = ef->raw + ph.p_offset;
		/* The NUL is part of the pattern, so a match may be the tail of a longer string. */
		for (p = seg; (p = memmem(p, seg + ph.p_filesz - p, s, slen)); p++) {
			if (*n < max)
				vaddrs[*n] = ph.p_vaddr + (p - seg);
			(*n)++;
		}
	}
	return 0;
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
static void scan_words(const struct elf_file *ef, struct pointer_scan *ps)
{
	uint64_t word, va;
	size_t i, nph, j;
	GElf_Phdr ph;

	if (elf_getphdrnum(ef->elf, &nph))
		return;
	for (i = 0; i < nph; i++) {
		if (!gelf_getphdr(ef->elf, i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_W) || ph.p_offset > ef->rawsize ||
		    ph.p_filesz > ef->rawsize - ph.p_offset)
			continue;
		for (j = (8 - ph.p_vaddr % 8) % 8; j + 8 <= ph.p_filesz; j += 8) {
			memcpy(&word, ef->raw + ph.p_offset + j, sizeof(word));
			if (word != ps->target)
				continue;
			va = ph.p_vaddr + j;
			if (ps->n < ps->max)
				ps->where[ps->n] = va;
			ps->n++;
		}
	}
}

int elf__find_pointers(const struct elf_file *ef, uint64_t target, uint64_t *where, size_t max,
		       size_t *n)
{
	struct pointer_scan ps = {.target = target, .where = where, .max = max};
	int ret = 0;

	*n = 0;
	if (!ef->raw)
		return -ENOEXEC;
	if (ef->eh.e_machine != EM_X86_64)
		return -ENOTSUP;
	/*
	 * A position-independent file holds its own addresses as R_X86_64_RELATIVE addends (its
	 * bytes there are 0 with some linkers); a fixed-address one holds them in its bytes.
	 */
	if (ef->eh.e_type == ET_DYN)
		ret = each_rela(ef, match_relative_to, &ps);
	else
		scan_words(ef, &ps);
	*n = ps.n;
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

int elf__func_bounds(const struct elf_file *ef, uint64_t vaddr, uint64_t *start, uint64_t *end)
{
	const unsigned char *hdr, *tab;
	uint64_t count, lo, hi, mid;
	const char *seg;
	GElf_Phdr ph;

	if (segment_bytes(ef, PT_GNU_EH_FRAME, &ph, &seg) || ph.p_filesz < 12)
		return -ENOENT;
	/*
	 * version 1, eh_frame_ptr (4 bytes in any encoding GNU ld uses), fde_count as udata4,
	 * then (initial location, FDE) pairs as sdata4 relative to the header, sorted by location.
	 */
	hdr = (const unsigned char *)seg;
	if (hdr[0] != 1 ||
	    ((hdr[1] & 0x0f) != DW_EH_PE_udata4 && (hdr[1] & 0x0f) != DW_EH_PE_sdata4) ||
	    hdr[2] != DW_EH_PE_udata4 || hdr[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4))
		return -ENOTSUP;
	count = (uint32_t)le32(hdr + 8);
	tab = hdr + 12;
	if (count > (ph.p_filesz - 12) / 8)
		return -ENOEXEC;
	/* The last entry whose location is <= vaddr. */
	for (lo = 0, hi = count; lo < hi;) {
		mid = lo + (hi - lo) / 2;
		if (ph.p_vaddr + le32(tab + 8 * mid) <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	*start = ph.p_vaddr + le32(tab + 8 * (lo - 1));
	*end = lo < count ? ph.p_vaddr + le32(tab + 8 * lo) : UINT64_MAX;
	return 0;
}
