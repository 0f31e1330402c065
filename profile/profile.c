// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The profile model: building one (the collector, the merge of runs), freeing
 * it, and the sums every reader of it takes. The file format is write.c's and
 * read.c's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "profile.h"
#include "hist.h"

static const char *const lock_kind_names[LOCK_KINDS] = {
	[LOCK_MUTEX] = "mutex",	  [LOCK_PYTHON] = "python", [LOCK_GIL] = "gil",
	[LOCK_RWLOCK] = "rwlock", [LOCK_SEM] = "semaphore", [LOCK_COND] = "condvar",
	[LOCK_FUTEX] = "futex",
};
static const char *const trap_names[TRAP_KINDS] = {
	[TRAP_ENTRY_EMULATED] = "entry_emulated",
	[TRAP_ENTRY_SSTEP] = "entry_single_step",
	[TRAP_RETURN] = "return",
};

const char *profile__lock_kind_name(enum lock_kind kind)
{
	return (unsigned int)kind < LOCK_KINDS ? lock_kind_names[kind] : "unknown";
}

#define NAME_OF(id, name) name,
static const char *const kind_names[ATTR_KINDS] = {ATTR_KIND_TABLE(NAME_OF)};
static const char *const op_names[ATTR_OPS] = {ATTR_OP_TABLE(NAME_OF)};
#undef NAME_OF

const char *profile__kind_name(enum attr_kind kind)
{
	return (unsigned int)kind < ATTR_KINDS ? kind_names[kind] : "unknown";
}

const char *profile__op_name(enum attr_op op)
{
	return (unsigned int)op < ATTR_OPS ? op_names[op] : "unknown";
}

static int index_of(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int profile__kind_of(const char *name)
{
	return index_of(kind_names, ATTR_KINDS, name);
}

int profile__op_of(const char *name)
{
	return index_of(op_names, ATTR_OPS, name);
}

const char *profile__trap_name(enum trap_kind kind)
{
	return (unsigned int)kind < TRAP_KINDS ? trap_names[kind] : "unknown";
}

struct prof_attr *profile__add_attr(struct profile *p, const char *owner, const char *name,
				    enum attr_kind kind, enum attr_op op)
{
	struct prof_attr *attrs, *a;

	/*
	 * Room for a power of two of them, doubled when full (nattrs a power
	 * of two): an attribute is 9.5 KB, and growing the array one at a time
	 * copied it on every add, most of reading a 10,000-attribute profile.
	 */
	if (!(p->nattrs & (p->nattrs - 1))) {
		attrs = realloc(p->attrs, (p->nattrs ? 2 * p->nattrs : 1) * sizeof(*attrs));
		if (!attrs)
			return NULL;
		p->attrs = attrs;
	}
	attrs = p->attrs;
	a = memset(&attrs[p->nattrs], 0, sizeof(*a));
	a->owner = strdup(owner);
	a->name = strdup(name);
	a->kind = kind;
	a->op = op;
	if (!a->owner || !a->name) {
		free(a->owner);
		free(a->name);
		errno = ENOMEM;
		return NULL;
	}
	p->nattrs++;
	return a;
}

static void attr_free(struct prof_attr *a)
{
	free(a->owner);
	free(a->name);
	free(a->probe);
	free(a->qualname);
	free(a->runs);
}

int profile__add_lock_user(struct profile *p, uint64_t id, int kind, size_t attr, uint64_t waits,
			   uint64_t total_ns)
{
	struct prof_shared_lock *l = NULL;
	struct prof_lock_user *users;

	for (size_t i = 0; i < p->nlocks && !l; i++)
		if (p->locks[i].id == id)
			l = &p->locks[i];
	if (!l) {
		l = realloc(p->locks, (p->nlocks + 1) * sizeof(*l));
		if (!l)
			return -ENOMEM;
		p->locks = l;
		l = memset(&l[p->nlocks++], 0, sizeof(*l));
		l->id = id;
		l->kind = kind;
	}
	for (size_t i = 0; i < l->nusers; i++) {
		if (l->users[i].attr == attr) {
			l->users[i].waits += waits;
			l->users[i].total_ns += total_ns;
			return 0;
		}
	}
	users = realloc(l->users, (l->nusers + 1) * sizeof(*users));
	if (!users)
		return -ENOMEM;
	l->users = users;
	users[l->nusers++] = (struct prof_lock_user){attr, waits, total_ns};
	return 0;
}

void profile__pop_attr(struct profile *p)
{
	if (p->nattrs)
		attr_free(&p->attrs[--p->nattrs]);
}

struct prof_class *profile__add_class(struct profile *p, const char *owner, const char *qualname)
{
	struct prof_class *classes, *c;

	classes = realloc(p->classes, (p->nclasses + 1) * sizeof(*classes));
	if (!classes)
		return NULL;
	p->classes = classes;
	c = memset(&classes[p->nclasses], 0, sizeof(*c));
	c->owner = strdup(owner);
	c->qualname = qualname ? strdup(qualname) : NULL;
	if (!c->owner || (qualname && !c->qualname)) {
		free(c->owner);
		free(c->qualname);
		errno = ENOMEM;
		return NULL;
	}
	p->nclasses++;
	return c;
}

int profile__add_coverage(struct profile *p, const char *kind, const char *status, const char *why)
{
	struct prof_coverage *v, *c;

	v = realloc(p->coverage, (p->ncoverage + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->coverage = v;
	c = &v[p->ncoverage];
	c->kind = strdup(kind);
	c->status = strdup(status);
	c->why = strdup(why);
	if (!c->kind || !c->status || !c->why) {
		free(c->kind);
		free(c->status);
		free(c->why);
		return -ENOMEM;
	}
	p->ncoverage++;
	return 0;
}

struct prof_proc_event *profile__add_proc_event(struct profile *p, const char *event,
						const char *filename)
{
	struct prof_process *pr = &p->process;
	struct prof_proc_event *v, *e;

	v = realloc(pr->events, (pr->nevents + 1) * sizeof(*v));
	if (!v)
		return NULL;
	pr->events = v;
	e = memset(&v[pr->nevents], 0, sizeof(*e));
	e->event = strdup(event);
	e->filename = filename ? strdup(filename) : NULL;
	if (!e->event || (filename && !e->filename)) {
		free(e->event);
		free(e->filename);
		return NULL;
	}
	pr->nevents++;
	return e;
}

int profile__add_pid(struct profile *p, int64_t pid)
{
	struct prof_process *pr = &p->process;
	int64_t *v;

	for (size_t i = 0; i < pr->npids; i++)
		if (pr->pids[i] == pid)
			return 0;
	v = realloc(pr->pids, (pr->npids + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	pr->pids = v;
	v[pr->npids++] = pid;
	return 0;
}

int profile__add_changed_file(struct profile *p, const char *path, const char *on_disk,
			      const char *read_via)
{
	struct prof_process *pr = &p->process;
	struct prof_changed_file *v, *f;

	v = realloc(pr->changed_files, (pr->nchanged_files + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	pr->changed_files = v;
	f = &v[pr->nchanged_files];
	f->path = strdup(path);
	f->on_disk = strdup(on_disk);
	f->read_via = strdup(read_via);
	if (!f->path || !f->on_disk || !f->read_via) {
		free(f->path);
		free(f->on_disk);
		free(f->read_via);
		return -ENOMEM;
	}
	pr->nchanged_files++;
	return 0;
}

static void process_free(struct prof_process *pr)
{
	for (size_t i = 0; i < pr->nevents; i++) {
		free(pr->events[i].event);
		free(pr->events[i].filename);
	}
	for (size_t i = 0; i < pr->nchanged_files; i++) {
		free(pr->changed_files[i].path);
		free(pr->changed_files[i].on_disk);
		free(pr->changed_files[i].read_via);
	}
	free(pr->events);
	free(pr->changed_files);
	free(pr->pids);
}

void profile__free(struct profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nattrs; i++)
		attr_free(&p->attrs[i]);
	for (i = 0; i < p->nclasses; i++) {
		free(p->classes[i].owner);
		free(p->classes[i].qualname);
	}
	for (i = 0; i < p->ncoverage; i++) {
		free(p->coverage[i].kind);
		free(p->coverage[i].status);
		free(p->coverage[i].why);
	}
	for (i = 0; i < p->nlocks; i++)
		free(p->locks[i].users);
	free(p->locks);
	free(p->classes);
	free(p->coverage);
	free(p->target.version);
	free(p->attrs);
	free(p->target.exe);
	free(p->target.build_id);
	free(p->target.runtime);
	free(p->mode);
	free(p->end);
	free(p->timing.policy);
	process_free(&p->process);
	memset(p, 0, sizeof(*p));
}

bool profile__sampled(const struct profile *p, const struct prof_attr *a)
{
	return p->timing.policy && !strcmp(p->timing.policy, "sample") && a->timed &&
	       a->timed < a->count;
}

uint64_t profile__time_ns(const struct profile *p, const struct prof_attr *a)
{
	if (!profile__sampled(p, a))
		return a->total_ns;
	return (uint64_t)((double)a->total_ns / (double)a->timed * (double)a->count);
}

uint64_t profile__errors(const struct profile *p, const struct prof_attr *a)
{
	if (!profile__sampled(p, a))
		return a->errors;
	return (uint64_t)((double)a->errors / (double)a->timed * (double)a->count + 0.5);
}

void profile__lock_total(const struct prof_lock locks[LOCK_KINDS], struct prof_lock *out)
{
	unsigned int k, s;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < LOCK_KINDS; k++) {
		out->count += locks[k].count;
		out->total_ns += locks[k].total_ns;
		if (locks[k].max_ns > out->max_ns)
			out->max_ns = locks[k].max_ns;
		for (s = 0; s < HIST_SLOTS; s++)
			out->hist[s] += locks[k].hist[s];
	}
}
