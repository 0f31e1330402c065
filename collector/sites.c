// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "attrprof.h"
#include "elfread.h"
#include "insn.h"
#include "python.h"
#include "sites.h"

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool has_offset(const struct probe_set *set, enum site_kind kind, const char *host_path,
		       uint64_t offset)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].kind == kind && set->v[i].offset == offset &&
		    !strcmp(set->v[i].host_path, host_path))
			return true;
	return false;
}

int sites__add(struct probe_set *set, enum site_kind kind, const struct target_object *obj,
	       const struct elf_func *fn, uint64_t cookie, bool timed)
{
	struct probe_site *v, *s;

	v = realloc(set->v, (set->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	set->v = v;
	s = &v[set->n];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->owner = strdup(basename_of(obj->path));
	s->name = strdup(fn->name);
	s->host_path = obj->host_path;
	s->offset = fn->offset;
	s->cookie = cookie;
	s->timed = timed;
	if (insn__classify(fn->head, fn->head_len) == INSN_SSTEP)
		s->cookie |= COOKIE_SSTEP << COOKIE_FLAGS_SHIFT;
	if (!s->owner || !s->name) {
		free(s->owner);
		free(s->name);
		return -ENOMEM;
	}
	set->n++;
	if (kind == SITE_ACCESS)
		set->naccess++;
	return 0;
}

/* Appends "path, " for each object to buf, for the "matches nothing" message. */
static void list_objects(char *buf, size_t len, const struct target_objects *objs)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < objs->n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", objs->v[i].path);
}

int sites__add_funcs(struct probe_set *set, const struct target_objects *objs,
		     const char *const *globs, size_t nglobs, unsigned int max_attrs, bool timed,
		     char *err, size_t errlen)
{
	struct elf_funcs funcs = {};
	struct elf_file **ef = NULL;
	int ret = 0;

	/* Each object opened once, on first use, for every glob. */
	if (nglobs && objs->n && !(ef = calloc(objs->n, sizeof(*ef)))) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (size_t g = 0; g < nglobs; g++) {
		size_t matched = 0;

		for (size_t i = 0; i < objs->n; i++) {
			ret = ef[i] ? 0 : elf__open(objs->v[i].host_path, &ef[i], err, errlen);
			if (!ret)
				ret = elf__find_funcs(ef[i], &globs[g], 1, &funcs, err, errlen);
			if (ret)
				goto cleanup;
			for (size_t f = 0; f < funcs.n; f++) {
				const struct elf_func *fn = &funcs.v[f];

				matched++;
				/* Aliases and a second matching glob name the same instruction. */
				if (has_offset(set, SITE_ACCESS, objs->v[i].host_path, fn->offset))
					continue;
				if (insn__classify(fn->head, fn->head_len) == INSN_REFUSED) {
					fprintf(stderr,
						"attrprof: warning: not probing %s in %s: its "
						"first "
						"instruction has a prefix uprobes refuse (lock or "
						"segment)\n",
						fn->name, objs->v[i].path);
					set->refused++;
					continue;
				}
				if (set->naccess >= max_attrs) {
					set->over_limit++;
					continue;
				}
				ret = sites__add(set, SITE_ACCESS, &objs->v[i], fn,
						 ATTR_FIRST_USER + set->naccess, timed);
				if (ret)
					goto cleanup;
			}
			elf__funcs_free(&funcs);
		}
		if (!matched) {
			char searched[1024];

			list_objects(searched, sizeof(searched), objs);
			snprintf(err, errlen, "--func '%s' matches no function in %s", globs[g],
				 searched);
			ret = -ENOENT;
			goto cleanup;
		}
	}
cleanup:
	elf__funcs_free(&funcs);
	for (size_t i = 0; ef && i < objs->n; i++)
		elf__close(ef[i]);
	free(ef);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return ret;
}

/*
 * The site kind and cookie flags of each CPython function, from its use in
 * the table (probe/py_func.h): a get that raised returns NULL, a set or
 * delete -1; lock code is found for the lock ranges, never probed.
 */
#define PY_SITE_GET SITE_PY, COOKIE_ERR_ZERO, true
#define PY_SITE_SET SITE_PY, COOKIE_ERR_NEGATIVE, true
#define PY_SITE_ALLOC SITE_PY_ALLOC, 0, true
#define PY_SITE_LOCK SITE_PY, 0, false
#define PY_SITE_ROW(id, sym, sym312, use, ...) [PYF_##id] = {PY_SITE_##use},
static const struct {
	enum site_kind kind;
	uint64_t flags;
	bool probed;
} python_sites[PYF_COUNT] = {PY_FUNCS(PY_SITE_ROW)};
#undef PY_SITE_ROW

int sites__add_python(struct probe_set *set, const struct python *py, bool timed, bool getsets)
{
	for (int f = 0; f < PYF_COUNT; f++) {
		const struct py_site *ps = &py->sites[f];
		struct elf_func fn = {.name = (char *)python__func_name(f), .offset = ps->offset};
		enum site_kind kind = python_sites[f].kind;
		uint64_t flags = python_sites[f].flags;
		bool with_return, moved, window;
		int ret;

		if (!ps->found || !python_sites[f].probed ||
		    (!getsets && (f == PYF_GETSET_GET || f == PYF_GETSET_SET)))
			continue;
		with_return = timed && kind == SITE_PY;
		/*
		 * An entry probe moved past a single-stepped first instruction
		 * can carry a return probe only where %rsp has not moved yet
		 * (property_descr_get's push %r12). Past a sub from %rsp
		 * (slot_tp_descr_set) it counts every call, and timing needs
		 * the first instruction, single-stepped: a window site there.
		 */
		moved = ps->offset != ps->func_offset;
		window = moved && with_return && ps->sp_adjust;
		if (insn__classify(ps->head, ps->head_len) == INSN_REFUSED) {
			fprintf(stderr,
				"attrprof: warning: not probing %s in %s: its first instruction "
				"has a prefix uprobes refuse\n",
				fn.name, py->obj->path);
			set->refused++;
			continue;
		}
		memcpy(fn.head, ps->head, sizeof(fn.head));
		fn.head_len = ps->head_len;
		if (window) {
			struct elf_func first = fn;

			first.offset = ps->func_offset;
			ret = sites__add(set, kind, py->obj, &first,
					 (uint64_t)f | (flags | COOKIE_SSTEP | COOKIE_WINDOW)
							       << COOKIE_FLAGS_SHIFT,
					 true);
			if (ret)
				return ret;
			set->v[set->n - 1].window = true;
		}
		if (moved) {
			flags |= (uint64_t)(ps->sp_adjust & COOKIE_SP_ADJUST_MASK)
				 << COOKIE_SP_ADJUST_SHIFT;
		}
		ret = sites__add(set, kind, py->obj, &fn, (uint64_t)f | flags << COOKIE_FLAGS_SHIFT,
				 with_return && !window);
		if (ret)
			return ret;
	}
	return 0;
}

void sites__free(struct probe_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].owner);
		free(set->v[i].name);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}
