// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The profile file, "attrprof.profile/4": JSON through libjansson. Histograms
 * are stored as [lower_ns, count] pairs of their non-empty slots; percentiles
 * and lock sums are written for readers of the file and ignored on reading.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "atomic_file.h"
#include "profile.h"
#include "hist.h"

#define TOOL_VERSION "0.1.0"
/* Longest JSON path in a message, e.g. "attributes[4095].lock_wait_ns.by_kind.python". */
#define JPATH_LEN 128

static const char *const lock_kind_names[LOCK_KINDS] = {
	[LOCK_MUTEX] = "mutex",	  [LOCK_PYTHON] = "python", [LOCK_GIL] = "gil",
	[LOCK_RWLOCK] = "rwlock", [LOCK_SEM] = "semaphore", [LOCK_COND] = "condvar",
	[LOCK_FUTEX] = "futex",
};
/* What schemas 1 to 3 called LOCK_MUTEX, for every pthread lock function. */
#define LOCK_MUTEX_V3_NAME "pthread"

static const char *const trap_names[TRAP_KINDS] = {
	[TRAP_ENTRY_EMULATED] = "entry_emulated",
	[TRAP_ENTRY_SSTEP] = "entry_single_step",
	[TRAP_RETURN] = "return",
};

const char *profile__lock_kind_name(enum lock_kind kind)
{
	return (unsigned int)kind < LOCK_KINDS ? lock_kind_names[kind] : "unknown";
}

struct prof_attr *profile__add_attr(struct profile *p, const char *owner, const char *name,
				    const char *kind, const char *op)
{
	struct prof_attr *attrs, *a;

	attrs = realloc(p->attrs, (p->nattrs + 1) * sizeof(*attrs));
	if (!attrs)
		return NULL;
	p->attrs = attrs;
	a = memset(&attrs[p->nattrs], 0, sizeof(*a));
	a->owner = strdup(owner);
	a->name = strdup(name);
	a->kind = strdup(kind);
	a->op = strdup(op);
	if (!a->owner || !a->name || !a->kind || !a->op) {
		free(a->owner);
		free(a->name);
		free(a->kind);
		free(a->op);
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
	free(a->kind);
	free(a->op);
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

/*
 * Building the JSON tree. Each builder returns a new reference, or NULL with
 * the first failure kept in *err, so callers check once at the end; json_pack
 * releases the values it was given when it fails. The pack calls list one key
 * and its value per line, which clang-format would run together.
 */
static json_t *nomem(int *err)
{
	if (!*err)
		*err = -ENOMEM;
	return NULL;
}

static json_t *pack(int *err, const char *fmt, ...)
{
	json_error_t jerr;
	json_t *j;
	va_list ap;

	va_start(ap, fmt);
	j = json_vpack_ex(&jerr, 0, fmt, ap);
	va_end(ap);
	/* Other than out of memory, json_pack fails on a NULL or non-UTF-8 string. */
	if (!j && !*err)
		*err = json_error_code(&jerr) == json_error_out_of_memory ? -ENOMEM : -EINVAL;
	return j;
}

/* JSON integers are signed 64-bit in jansson, so larger counters cannot be written. */
static json_t *u64(uint64_t v, int *err)
{
	if (v > INT64_MAX) {
		if (!*err)
			*err = -EINVAL;
		return NULL;
	}
	return json_integer(v) ?: nomem(err);
}

static json_t *hist_json(const uint64_t hist[HIST_SLOTS], int *err)
{
	json_t *arr = json_array(), *pair;
	unsigned int s;

	if (!arr)
		return nomem(err);
	for (s = 0; s < HIST_SLOTS; s++) {
		if (!hist[s])
			continue;
		pair = pack(err, "[Io]", (json_int_t)hist__lower(s), u64(hist[s], err));
		if (json_array_append_new(arr, pair)) {
			json_decref(arr);
			return nomem(err);
		}
	}
	return arr;
}

static json_t *lock_json(const struct prof_lock *l, int *err)
{
	/* clang-format off */
	return pack(err, "{s:o, s:o, s:o, s:o, s:o, s:o}",
		    "count", u64(l->count, err),
		    "total", u64(l->total_ns, err),
		    "p50", u64(hist__percentile(l->hist, 50, l->max_ns), err),
		    "p99", u64(hist__percentile(l->hist, 99, l->max_ns), err),
		    "max", u64(l->max_ns, err),
		    "histogram", hist_json(l->hist, err));
	/* clang-format on */
}

/* A kind that never blocked: nothing in it to write. */
static bool lock_empty(const struct prof_lock *l)
{
	for (unsigned int s = 0; s < HIST_SLOTS; s++)
		if (l->hist[s])
			return false;
	return !l->count && !l->total_ns && !l->max_ns;
}

/*
 * The sum over kinds, with "by_kind" listing the kinds that blocked at all. A kind
 * with a zero count but times (a profile read from a hand-edited file) is listed
 * too: the sum includes it, so leaving it out would change the file on a rewrite.
 */
static json_t *locks_json(const struct prof_lock locks[LOCK_KINDS], int *err)
{
	json_t *j, *by_kind = json_object();
	struct prof_lock sum;
	unsigned int k;

	if (!by_kind)
		return nomem(err);
	for (k = 0; k < LOCK_KINDS; k++) {
		if (!lock_empty(&locks[k]) &&
		    json_object_set_new(by_kind, profile__lock_kind_name(k),
					lock_json(&locks[k], err))) {
			json_decref(by_kind);
			return nomem(err);
		}
	}
	profile__lock_total(locks, &sum);
	j = lock_json(&sum, err);
	if (json_object_set_new(j, "by_kind", by_kind)) {
		json_decref(j);
		return nomem(err);
	}
	return j;
}

static json_t *run_json(const struct prof_run *run, int *err)
{
	/* clang-format off */
	return pack(err, "{s:o, s:o, s:o, s:o, s:o, s:o}",
		    "count", u64(run->count, err),
		    "timed", u64(run->timed, err),
		    "total_ns", u64(run->total_ns, err),
		    "p50_ns", u64(run->p50_ns, err),
		    "p99_ns", u64(run->p99_ns, err),
		    "lock_wait_ns", u64(run->lock_ns, err));
	/* clang-format on */
}

static json_t *attr_fields_json(const struct prof_attr *a, int *err)
{
	/* clang-format off */
	return pack(err, "{s:s, s:s*, s:s, s:s, s:s, s:s*, s:o, s:o, s:o,"
			 " s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}, s:o, s:{s:o, s:o, s:o, s:o}}",
		    "owner", a->owner,
		    "qualname", a->qualname,
		    "name", a->name,
		    "kind", a->kind,
		    "op", a->op,
		    "probe", a->probe,
		    "count", u64(a->count, err),
		    "errors", u64(a->errors, err),
		    "threads", u64(a->threads, err),
		    "latency_ns",
			"timed", u64(a->timed, err),
			"nested_hits", u64(a->nested_hits, err),
			"total", u64(a->total_ns, err),
			"p50", u64(hist__percentile(a->hist, 50, a->max_ns), err),
			"p90", u64(hist__percentile(a->hist, 90, a->max_ns), err),
			"p99", u64(hist__percentile(a->hist, 99, a->max_ns), err),
			"max", u64(a->max_ns, err),
			"histogram", hist_json(a->hist, err),
		    "lock_wait_ns", locks_json(a->locks, err),
		    "signals",
			"repeat_reads", u64(a->signals.repeat_reads, err),
			"concurrent", u64(a->signals.concurrent, err),
			"off_cpu_ns", u64(a->signals.off_cpu_ns, err),
			"preempted_ns", u64(a->signals.preempted_ns, err));
	/* clang-format on */
}

/* A JSON array of n items, each made by item_json. */
#define ARRAY_JSON(items, n, item_json, err)                                                       \
	({                                                                                         \
		json_t *arr_ = json_array();                                                       \
		for (size_t i_ = 0; arr_ && i_ < (n); i_++)                                        \
			if (json_array_append_new(arr_, item_json(&(items)[i_], err))) {           \
				json_decref(arr_);                                                 \
				arr_ = NULL;                                                       \
			}                                                                          \
		arr_ ?: nomem(err);                                                                \
	})

static json_t *class_json(const struct prof_class *c, int *err)
{
	return pack(err, "{s:s, s:s*, s:o, s:b}", "owner", c->owner, "qualname", c->qualname,
		    "allocs", u64(c->allocs, err), "dict", c->dict);
}

static json_t *lock_user_json(const struct prof_lock_user *u, int *err)
{
	return pack(err, "{s:I, s:o, s:o}", "attr", (json_int_t)u->attr, "waits",
		    u64(u->waits, err), "total_ns", u64(u->total_ns, err));
}

static json_t *shared_lock_json(const struct prof_shared_lock *l, int *err)
{
	return pack(err, "{s:o, s:s, s:o}", "id", u64(l->id, err), "kind",
		    profile__lock_kind_name(l->kind), "users",
		    ARRAY_JSON(l->users, l->nusers, lock_user_json, err));
}

static json_t *coverage_json(const struct prof_coverage *c, int *err)
{
	return pack(err, "{s:s, s:s, s:s}", "kind", c->kind, "status", c->status, "why", c->why);
}

static json_t *proc_event_json(const struct prof_proc_event *e, int *err)
{
	json_t *j = pack(err, "{s:s, s:o, s:I}", "event", e->event, "at_ns", u64(e->at_ns, err),
			 "pid", (json_int_t)e->pid);
	int set = 0;

	if (!j)
		return NULL;
	if (!strcmp(e->event, "fork"))
		set = json_object_set_new(j, "child", json_integer(e->child)) ||
		      json_object_set_new(j, "followed", json_boolean(e->followed));
	else if (!strcmp(e->event, "exec"))
		set = json_object_set_new(j, "filename",
					  pack(err, "s", e->filename ? e->filename : ""));
	else if (!strcmp(e->event, "exit"))
		set = json_object_set_new(j, "status", json_integer(e->status));
	if (set) {
		json_decref(j);
		return nomem(err);
	}
	return j;
}

/* The attribute, with its per-run series in a profile of several runs. */
static json_t *attr_json(const struct prof_attr *a, size_t nruns, int *err)
{
	json_t *j;

	/* A profile of several runs with an attribute lacking its series is a bug upstream. */
	if (nruns > 1 && !a->runs) {
		if (!*err)
			*err = -EINVAL;
		return NULL;
	}
	j = attr_fields_json(a, err);
	if (j && nruns > 1 &&
	    json_object_set_new(j, "runs", ARRAY_JSON(a->runs, nruns, run_json, err))) {
		json_decref(j);
		return nomem(err);
	}
	return j;
}

static json_t *changed_file_json(const struct prof_changed_file *f, int *err)
{
	return pack(err, "{s:s, s:s, s:s}", "path", f->path, "on_disk", f->on_disk, "read_via",
		    f->read_via);
}

static json_t *pid_json(const int64_t *pid, int *err)
{
	return json_integer(*pid) ?: nomem(err);
}

/* Schema 3: the traced processes, what they did, and files changed under them. */
static json_t *process_json(const struct prof_process *pr, int *err)
{
	/* clang-format off */
	return pack(err, "{s:b, s:o, s:o, s:o, s:o}",
		    "follow_forks", pr->follow_forks,
		    "pids", ARRAY_JSON(pr->pids, pr->npids, pid_json, err),
		    "events", ARRAY_JSON(pr->events, pr->nevents, proc_event_json, err),
		    "dropped_events", u64(pr->dropped_events, err),
		    "changed_files", ARRAY_JSON(pr->changed_files, pr->nchanged_files,
						changed_file_json, err));
	/* clang-format on */
}

/* Adds the schema 3 members to the tree profile_json built. */
static json_t *overhead_json(const struct prof_overhead *o, int *err)
{
	json_t *traps = json_object();

	for (int t = 0; traps && t < TRAP_KINDS; t++)
		if (json_object_set_new(traps, trap_names[t], u64(o->traps[t], err))) {
			json_decref(traps);
			traps = NULL;
		}
	if (!traps)
		return nomem(err);
	return pack(err, "{s:o, s:o, s:o}", "traps", traps, "probe_ns", u64(o->probe_ns, err),
		    "cpu_ns", u64(o->cpu_ns, err));
}

/* Adds the schema 4 members to the tree profile_json built. */
static json_t *add_v4_json(json_t *root, const struct profile *p, int *err)
{
	const struct prof_calibration *c = &p->calibration;
	json_t *cal;

	if (!root)
		return NULL;
	cal = json_object_get(root, "calibration");
	if (json_object_set_new(cal, "resolution_ns",
				pack(err, "[o, o]", u64(c->resolution_ns[0], err),
				     u64(c->resolution_ns[1], err))) ||
	    json_object_set_new(root, "overhead", overhead_json(&p->overhead, err)))
		goto nomem;
	if (p->timing.policy &&
	    json_object_set_new(root, "timing",
				pack(err, "{s:s, s:o, s:o, s:o}", "policy", p->timing.policy,
				     "first_calls", u64(p->timing.first_calls, err), "stride",
				     u64(p->timing.stride, err), "slow_ns",
				     u64(p->timing.slow_ns, err))))
		goto nomem;
	return root;
nomem:
	json_decref(root);
	return nomem(err);
}

static json_t *add_v3_json(json_t *root, const struct profile *p, int *err)
{
	if (!root)
		return NULL;
	if (p->target.ns_pid && json_object_set_new(json_object_get(root, "target"), "ns_pid",
						    json_integer(p->target.ns_pid)))
		goto nomem;
	if (p->process.present &&
	    json_object_set_new(root, "process", process_json(&p->process, err)))
		goto nomem;
	return root;
nomem:
	json_decref(root);
	return nomem(err);
}

static json_t *attrs_json(const struct profile *p, int *err)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < p->nattrs; i++)
		if (json_array_append_new(arr, attr_json(&p->attrs[i], p->nruns, err))) {
			json_decref(arr);
			arr = NULL;
		}
	return arr ?: nomem(err);
}

static json_t *profile_json(const struct profile *p, int *err)
{
	json_t *attrs = attrs_json(p, err);
	json_t *classes = ARRAY_JSON(p->classes, p->nclasses, class_json, err);
	json_t *coverage = ARRAY_JSON(p->coverage, p->ncoverage, coverage_json, err);
	json_t *locks = ARRAY_JSON(p->locks, p->nlocks, shared_lock_json, err);

	/* clang-format off */
	return pack(err, "{s:s, s:{s:s, s:s}, s:{s:I, s:s, s:s?, s:s, s:s*},"
			 " s:s, s:s, s:I, s:o, s:I, s:o, s:{s:[o, o], s:[o, o], s:o},"
			 " s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}, s:{s:o, s:o},"
			 " s:o, s:o, s:o, s:o, s:o}",
		    "schema", PROFILE_SCHEMA,
		    "tool",
			"name", "attrprof",
			"version", TOOL_VERSION,
		    "target",
			"pid", (json_int_t)p->target.pid,
			"exe", p->target.exe,
			"build_id", p->target.build_id,
			"runtime", p->target.runtime,
			"version", p->target.version,
		    "mode", p->mode,
		    "end", p->end,
		    "exit_status", (json_int_t)p->exit_status,
		    "duration_ns", u64(p->duration_ns, err),
		    "runs", (json_int_t)(p->nruns > 1 ? p->nruns : 1),
		    "probe_cost_ns", u64(p->probe_cost_ns, err),
		    "calibration",
			"frame_ns", u64(p->calibration.frame_ns[0], err),
				    u64(p->calibration.frame_ns[1], err),
			"entry_ns", u64(p->calibration.entry_ns[0], err),
				    u64(p->calibration.entry_ns[1], err),
			"return_ns", u64(p->calibration.return_ns, err),
		    "dropped",
			"map_full", u64(p->dropped.map_full, err),
			"stack_depth", u64(p->dropped.stack_depth, err),
			"read_errors", u64(p->dropped.read_errors, err),
			"unmatched_returns", u64(p->dropped.unmatched_returns, err),
			"attrs_over_limit", u64(p->dropped.attrs_over_limit, err),
			"unprobeable", u64(p->dropped.unprobeable, err),
			"accesses_over_limit", u64(p->dropped.accesses_over_limit, err),
			"allocs_over_limit", u64(p->dropped.allocs_over_limit, err),
			"lock_waits_over_limit", u64(p->dropped.lock_waits_over_limit, err),
		    "resources",
			"map_bytes", u64(p->resources.map_bytes, err),
			"peak_rss_bytes", u64(p->resources.peak_rss_bytes, err),
		    "unattributed_lock_wait_ns", locks_json(p->unattributed, err),
		    "attributes", attrs,
		    "classes", classes,
		    "coverage", coverage,
		    "locks", locks);
	/* clang-format on */
}

int profile__dump(const struct profile *p, FILE *out)
{
	json_t *root;
	int err = 0;

	root = add_v4_json(add_v3_json(profile_json(p, &err), p, &err), p, &err);
	if (!root)
		return err;
	/* Flush here: a full disk only shows when the buffer goes out. */
	if (json_dumpf(root, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) ||
	    fputc('\n', out) == EOF || fflush(out))
		err = -EIO;
	json_decref(root);
	return err;
}

static int dump_to(FILE *f, const void *p)
{
	return profile__dump(p, f);
}

int profile__write(const struct profile *p, const char *path)
{
	return atomic_file__write(path, dump_to, p);
}

/*
 * Reading. Each step knows the JSON path of the object it reads so that a
 * message can name the offending member: "FILE: PATH.KEY: what is wrong".
 */
struct reader {
	const char *file;
	char *err;
	size_t errlen;
	bool v1; /* a version 1 profile: no signals */
	bool v3; /* a version 1 to 3 profile: LOCK_MUTEX is called "pthread" */
};

static int bad(struct reader *r, const char *path, const char *key, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(r->err, r->errlen, "%s: %s%s%s: ", r->file, path, *path ? "." : "", key);
	va_start(ap, fmt);
	if (n < r->errlen)
		vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int no_memory(struct reader *r)
{
	snprintf(r->err, r->errlen, "%s: %s", r->file, strerror(ENOMEM));
	return -ENOMEM;
}

/* Member key of obj if it has the type, else NULL with the failure recorded. */
static json_t *member(struct reader *r, json_t *obj, const char *path, const char *key,
		      json_type type, const char *expected)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		bad(r, path, key, "missing");
	else if (json_typeof(v) != type)
		bad(r, path, key, "expected %s", expected);
	else
		return v;
	return NULL;
}

/* Member object key of obj, its JSON path into sub (JPATH_LEN bytes). */
static json_t *object(struct reader *r, json_t *obj, const char *path, const char *key, char *sub)
{
	if (snprintf(sub, JPATH_LEN, "%s%s%s", path, *path ? "." : "", key) >= JPATH_LEN)
		strcpy(sub + JPATH_LEN - 4, "...");
	return member(r, obj, path, key, JSON_OBJECT, "an object");
}

static int get_u64(struct reader *r, json_t *obj, const char *path, const char *key, uint64_t *out)
{
	json_t *v = member(r, obj, path, key, JSON_INTEGER, "a non-negative integer");

	if (!v)
		return -EINVAL;
	if (json_integer_value(v) < 0)
		return bad(r, path, key, "expected a non-negative integer");
	*out = json_integer_value(v);
	return 0;
}

/* A member newer schemas added: absent reads as 0. */
static int get_opt_u64(struct reader *r, json_t *obj, const char *path, const char *key,
		       uint64_t *out)
{
	*out = 0;
	return json_object_get(obj, key) ? get_u64(r, obj, path, key, out) : 0;
}

static int get_i64(struct reader *r, json_t *obj, const char *path, const char *key, int64_t *out)
{
	json_t *v = member(r, obj, path, key, JSON_INTEGER, "an integer");

	if (!v)
		return -EINVAL;
	*out = json_integer_value(v);
	return 0;
}

/* A copy of a string member into *out; null leaves *out NULL when nullable. */
static int get_str(struct reader *r, json_t *obj, const char *path, const char *key, char **out,
		   int nullable)
{
	json_t *v;

	if (nullable && json_is_null(json_object_get(obj, key)))
		return 0;
	v = member(r, obj, path, key, JSON_STRING, nullable ? "a string or null" : "a string");
	if (!v)
		return -EINVAL;
	*out = strdup(json_string_value(v));
	return *out ? 0 : no_memory(r);
}

static int get_hist(struct reader *r, json_t *obj, const char *path, uint64_t hist[HIST_SLOTS])
{
	json_t *arr, *pair;
	json_int_t lower, n;
	char key[32];
	unsigned int s;
	size_t i;

	arr = member(r, obj, path, "histogram", JSON_ARRAY, "an array of [lower_ns, count]");
	if (!arr)
		return -EINVAL;
	for (i = 0; i < json_array_size(arr); i++) {
		pair = json_array_get(arr, i);
		snprintf(key, sizeof(key), "histogram[%zu]", i);
		if (json_unpack(pair, "[II!]", &lower, &n) || lower < 0 || n < 0)
			return bad(r, path, key,
				   "expected [lower_ns, count], non-negative integers");
		s = hist__slot(lower);
		if (hist__lower(s) != (uint64_t)lower)
			return bad(r, path, key, "%lld is not the lower bound of a slot", lower);
		if (hist[s])
			return bad(r, path, key, "slot %lld listed twice", lower);
		hist[s] = n;
	}
	return 0;
}

static int get_lock(struct reader *r, json_t *obj, const char *path, struct prof_lock *l)
{
	return get_u64(r, obj, path, "count", &l->count) ?:
	       get_u64(r, obj, path, "total", &l->total_ns) ?:
	       get_u64(r, obj, path, "max", &l->max_ns) ?:
	       get_hist(r, obj, path, l->hist);
}

/* Lock kind k's name in the file r reads. */
static const char *lock_kind_name_in(const struct reader *r, unsigned int k)
{
	return r->v3 && k == LOCK_MUTEX ? LOCK_MUTEX_V3_NAME : profile__lock_kind_name(k);
}

/* Only by_kind is read: the sums above it are derived. Absent kinds never blocked. */
static int get_locks(struct reader *r, json_t *obj, const char *path, const char *key,
		     struct prof_lock locks[LOCK_KINDS])
{
	char sub[JPATH_LEN], kinds[JPATH_LEN], kpath[JPATH_LEN];
	json_t *by_kind;
	unsigned int k;
	int err;

	obj = object(r, obj, path, key, sub);
	by_kind = obj ? object(r, obj, sub, "by_kind", kinds) : NULL;
	if (!by_kind)
		return -EINVAL;
	for (k = 0; k < LOCK_KINDS; k++) {
		const char *name = lock_kind_name_in(r, k);

		if (!json_object_get(by_kind, name))
			continue;
		obj = object(r, by_kind, kinds, name, kpath);
		err = obj ? get_lock(r, obj, kpath, &locks[k]) : -EINVAL;
		if (err)
			return err;
	}
	return 0;
}

/* A [emulated, single-step] pair of non-negative integers. */
static int get_pair(struct reader *r, json_t *obj, const char *path, const char *key,
		    uint64_t out[PROBE_CLASSES])
{
	json_t *arr = member(r, obj, path, key, JSON_ARRAY, "an array of 2 integers");

	if (!arr)
		return -EINVAL;
	if (json_array_size(arr) != PROBE_CLASSES || !json_is_integer(json_array_get(arr, 0)) ||
	    !json_is_integer(json_array_get(arr, 1)) ||
	    json_integer_value(json_array_get(arr, 0)) < 0 ||
	    json_integer_value(json_array_get(arr, 1)) < 0)
		return bad(r, path, key, "expected an array of 2 non-negative integers");
	out[0] = json_integer_value(json_array_get(arr, 0));
	out[1] = json_integer_value(json_array_get(arr, 1));
	return 0;
}

static int get_calibration(struct reader *r, json_t *root, struct prof_calibration *c)
{
	char path[JPATH_LEN];
	json_t *obj = object(r, root, "", "calibration", path);

	if (!obj)
		return -EINVAL;
	return get_pair(r, obj, path, "frame_ns", c->frame_ns) ?:
	       get_pair(r, obj, path, "entry_ns", c->entry_ns) ?:
	       get_u64(r, obj, path, "return_ns", &c->return_ns) ?:
	       (json_object_get(obj, "resolution_ns")
			? get_pair(r, obj, path, "resolution_ns", c->resolution_ns)
			: 0);
}

/* Optional (schema 4): absent reads as zeros. */
static int get_overhead(struct reader *r, json_t *root, struct prof_overhead *o)
{
	char path[JPATH_LEN], tpath[JPATH_LEN];
	json_t *obj, *traps;
	int err = 0;

	if (!json_object_get(root, "overhead"))
		return 0;
	obj = object(r, root, "", "overhead", path);
	traps = obj ? object(r, obj, path, "traps", tpath) : NULL;
	if (!traps)
		return -EINVAL;
	for (int t = 0; !err && t < TRAP_KINDS; t++)
		err = get_u64(r, traps, tpath, trap_names[t], &o->traps[t]);
	return err ?: get_u64(r, obj, path, "probe_ns", &o->probe_ns) ?:
		      get_u64(r, obj, path, "cpu_ns", &o->cpu_ns);
}

/* Optional (schema 4): absent means every call was timed. */
static int get_timing(struct reader *r, json_t *root, struct prof_timing *t)
{
	char path[JPATH_LEN];
	json_t *obj;

	if (!json_object_get(root, "timing"))
		return 0;
	obj = object(r, root, "", "timing", path);
	if (!obj)
		return -EINVAL;
	return get_str(r, obj, path, "policy", &t->policy, 0) ?:
	       get_u64(r, obj, path, "first_calls", &t->first_calls) ?:
	       get_u64(r, obj, path, "stride", &t->stride) ?:
	       get_u64(r, obj, path, "slow_ns", &t->slow_ns);
}

/* Optional (schema 3): absent reads as zeros. */
static int get_resources(struct reader *r, json_t *root, struct prof_resources *res)
{
	char path[JPATH_LEN];
	json_t *obj;

	if (!json_object_get(root, "resources"))
		return 0;
	obj = object(r, root, "", "resources", path);
	if (!obj)
		return -EINVAL;
	return get_opt_u64(r, obj, path, "map_bytes", &res->map_bytes)
		       ?: get_opt_u64(r, obj, path, "peak_rss_bytes", &res->peak_rss_bytes);
}

/* The per-run series of an attribute in a profile of nruns runs: exactly nruns objects. */
static int get_runs(struct reader *r, json_t *obj, const char *path, size_t nruns,
		    struct prof_attr *a)
{
	json_t *arr = member(r, obj, path, "runs", JSON_ARRAY, "an array of runs");
	char rpath[JPATH_LEN];

	if (!arr)
		return -EINVAL;
	if (json_array_size(arr) != nruns)
		return bad(r, path, "runs", "expected %zu runs (the profile's runs), found %zu",
			   nruns, json_array_size(arr));
	a->runs = calloc(nruns, sizeof(*a->runs));
	if (!a->runs)
		return no_memory(r);
	for (size_t i = 0; i < nruns; i++) {
		json_t *run = json_array_get(arr, i);
		struct prof_run *out = &a->runs[i];

		if (snprintf(rpath, sizeof(rpath), "%s.runs[%zu]", path, i) >= JPATH_LEN)
			strcpy(rpath + JPATH_LEN - 4, "...");
		if (!json_is_object(run))
			return bad(r, "", rpath, "expected an object");
		if (get_u64(r, run, rpath, "count", &out->count) ||
		    get_u64(r, run, rpath, "timed", &out->timed) ||
		    get_u64(r, run, rpath, "total_ns", &out->total_ns) ||
		    get_u64(r, run, rpath, "p50_ns", &out->p50_ns) ||
		    get_u64(r, run, rpath, "p99_ns", &out->p99_ns) ||
		    get_u64(r, run, rpath, "lock_wait_ns", &out->lock_ns))
			return -EINVAL;
		if (out->timed > out->count)
			return bad(r, rpath, "timed", "more timed calls than calls");
	}
	return 0;
}

static int get_attr(struct reader *r, json_t *obj, const char *path, struct profile *p)
{
	const char *str[4], *keys[4] = {"owner", "name", "kind", "op"};
	char lat_path[JPATH_LEN], sig_path[JPATH_LEN];
	struct prof_attr *a;
	json_t *lat, *sig;
	int i;

	for (i = 0; i < 4; i++) {
		json_t *v = member(r, obj, path, keys[i], JSON_STRING, "a string");

		if (!v)
			return -EINVAL;
		str[i] = json_string_value(v);
	}
	a = profile__add_attr(p, str[0], str[1], str[2], str[3]);
	if (!a)
		return no_memory(r);
	if (json_object_get(obj, "probe") && get_str(r, obj, path, "probe", &a->probe, 1))
		return -EINVAL;
	if (json_object_get(obj, "qualname") && get_str(r, obj, path, "qualname", &a->qualname, 1))
		return -EINVAL;
	lat = object(r, obj, path, "latency_ns", lat_path);
	if (!lat)
		return -EINVAL;
	if (!r->v1) {
		sig = object(r, obj, path, "signals", sig_path);
		if (!sig || get_u64(r, sig, sig_path, "repeat_reads", &a->signals.repeat_reads) ||
		    get_u64(r, sig, sig_path, "concurrent", &a->signals.concurrent) ||
		    get_u64(r, sig, sig_path, "off_cpu_ns", &a->signals.off_cpu_ns) ||
		    get_opt_u64(r, sig, sig_path, "preempted_ns", &a->signals.preempted_ns))
			return -EINVAL;
	}
	if (p->nruns > 1 && get_runs(r, obj, path, p->nruns, a))
		return -EINVAL;
	return get_u64(r, obj, path, "count", &a->count) ?:
	       get_u64(r, obj, path, "errors", &a->errors) ?:
	       get_u64(r, obj, path, "threads", &a->threads) ?:
	       get_u64(r, lat, lat_path, "timed", &a->timed) ?:
	       get_opt_u64(r, lat, lat_path, "nested_hits", &a->nested_hits) ?:
	       get_u64(r, lat, lat_path, "total", &a->total_ns) ?:
	       get_u64(r, lat, lat_path, "max", &a->max_ns) ?:
	       get_hist(r, lat, lat_path, a->hist) ?:
	       get_locks(r, obj, path, "lock_wait_ns", a->locks);
}

static int get_class(struct reader *r, json_t *obj, const char *path, struct profile *p)
{
	json_t *owner = member(r, obj, path, "owner", JSON_STRING, "a string");
	json_t *dict = json_object_get(obj, "dict");
	struct prof_class *c;

	if (!owner)
		return -EINVAL;
	if (!json_is_boolean(dict))
		return bad(r, path, "dict", dict ? "expected true or false" : "missing");
	c = profile__add_class(p, json_string_value(owner), NULL);
	if (!c)
		return no_memory(r);
	c->dict = json_is_true(dict);
	if (json_object_get(obj, "qualname") && get_str(r, obj, path, "qualname", &c->qualname, 1))
		return -EINVAL;
	return get_u64(r, obj, path, "allocs", &c->allocs);
}

static int get_coverage(struct reader *r, json_t *obj, const char *path, struct profile *p)
{
	const char *keys[3] = {"kind", "status", "why"};
	json_t *v[3];

	for (int i = 0; i < 3; i++) {
		v[i] = member(r, obj, path, keys[i], JSON_STRING, "a string");
		if (!v[i])
			return -EINVAL;
	}
	if (profile__add_coverage(p, json_string_value(v[0]), json_string_value(v[1]),
				  json_string_value(v[2])))
		return no_memory(r);
	return 0;
}

/* An optional array member: each object element read by get_item. */
static int get_array(struct reader *r, json_t *root, const char *key,
		     int (*get_item)(struct reader *, json_t *, const char *, struct profile *),
		     struct profile *p)
{
	char ipath[JPATH_LEN];
	json_t *arr;
	int err = 0;

	if (!json_object_get(root, key))
		return 0;
	arr = member(r, root, "", key, JSON_ARRAY, "an array");
	if (!arr)
		return -EINVAL;
	for (size_t i = 0; !err && i < json_array_size(arr); i++) {
		json_t *item = json_array_get(arr, i);

		snprintf(ipath, sizeof(ipath), "%s[%zu]", key, i);
		err = json_is_object(item) ? get_item(r, item, ipath, p)
					   : bad(r, "", ipath, "expected an object");
	}
	return err;
}

static int get_lock_kind(const struct reader *r, const char *name)
{
	for (int k = 0; k < LOCK_KINDS; k++)
		if (!strcmp(name, lock_kind_name_in(r, k)))
			return k;
	return -1;
}

static int get_shared_lock(struct reader *r, json_t *obj, const char *path, struct profile *p)
{
	json_t *kind = member(r, obj, path, "kind", JSON_STRING, "a string");
	json_t *users = kind ? member(r, obj, path, "users", JSON_ARRAY, "an array") : NULL;
	char upath[JPATH_LEN];
	uint64_t id, attr, waits, total;
	int k;

	if (!users || get_u64(r, obj, path, "id", &id))
		return -EINVAL;
	k = get_lock_kind(r, json_string_value(kind));
	if (k < 0)
		return bad(r, path, "kind", "expected a lock kind (%s, %s, ...)",
			   lock_kind_name_in(r, 0), lock_kind_name_in(r, 1));
	for (size_t i = 0; i < json_array_size(users); i++) {
		json_t *u = json_array_get(users, i);

		snprintf(upath, sizeof(upath), "%s.users[%zu]", path, i);
		if (!json_is_object(u))
			return bad(r, "", upath, "expected an object");
		if (get_u64(r, u, upath, "attr", &attr) || get_u64(r, u, upath, "waits", &waits) ||
		    get_u64(r, u, upath, "total_ns", &total))
			return -EINVAL;
		if (attr >= p->nattrs)
			return bad(r, upath, "attr", "expected the index of an attribute");
		if (profile__add_lock_user(p, id, k, attr, waits, total))
			return no_memory(r);
	}
	return 0;
}

static int get_proc_event(struct reader *r, json_t *obj, const char *path, struct profile *p)
{
	json_t *event = member(r, obj, path, "event", JSON_STRING, "a string");
	struct prof_proc_event *e;
	const char *name;

	if (!event)
		return -EINVAL;
	name = json_string_value(event);
	if (strcmp(name, "fork") && strcmp(name, "exec") && strcmp(name, "exit"))
		return bad(r, path, "event", "expected fork, exec or exit");
	e = profile__add_proc_event(p, name, NULL);
	if (!e)
		return no_memory(r);
	if (get_u64(r, obj, path, "at_ns", &e->at_ns) || get_i64(r, obj, path, "pid", &e->pid))
		return -EINVAL;
	if (!strcmp(name, "fork")) {
		json_t *followed = json_object_get(obj, "followed");

		if (!json_is_boolean(followed))
			return bad(r, path, "followed",
				   followed ? "expected true or false" : "missing");
		e->followed = json_is_true(followed);
		return get_i64(r, obj, path, "child", &e->child);
	}
	if (!strcmp(name, "exec"))
		return get_str(r, obj, path, "filename", &e->filename, 0);
	return get_i64(r, obj, path, "status", &e->status);
}

static int get_changed_file(struct reader *r, json_t *obj, const char *path, struct profile *p)
{
	const char *keys[3] = {"path", "on_disk", "read_via"};
	json_t *v[3];

	for (int i = 0; i < 3; i++) {
		v[i] = member(r, obj, path, keys[i], JSON_STRING, "a string");
		if (!v[i])
			return -EINVAL;
	}
	if (profile__add_changed_file(p, json_string_value(v[0]), json_string_value(v[1]),
				      json_string_value(v[2])))
		return no_memory(r);
	return 0;
}

/* Schema 3's optional "process" section. */
static int get_process(struct reader *r, json_t *root, struct profile *p)
{
	char path[JPATH_LEN], ipath[JPATH_LEN];
	json_t *obj, *pids, *follow;
	int err;

	if (!json_object_get(root, "process"))
		return 0;
	obj = object(r, root, "", "process", path);
	pids = obj ? member(r, obj, path, "pids", JSON_ARRAY, "an array of PIDs") : NULL;
	if (!pids)
		return -EINVAL;
	p->process.present = 1;
	follow = json_object_get(obj, "follow_forks");
	if (!json_is_boolean(follow))
		return bad(r, path, "follow_forks", follow ? "expected true or false" : "missing");
	p->process.follow_forks = json_is_true(follow);
	for (size_t i = 0; i < json_array_size(pids); i++) {
		json_t *pid = json_array_get(pids, i);

		if (!json_is_integer(pid) || json_integer_value(pid) <= 0) {
			snprintf(ipath, sizeof(ipath), "pids[%zu]", i);
			return bad(r, path, ipath, "expected a PID");
		}
		if (profile__add_pid(p, json_integer_value(pid)))
			return no_memory(r);
	}
	err = get_u64(r, obj, path, "dropped_events", &p->process.dropped_events);
	/* Messages name these "events[i]" and "changed_files[i]": they only live under process. */
	return err ?: get_array(r, obj, "events", get_proc_event, p) ?:
		      get_array(r, obj, "changed_files", get_changed_file, p);
}

static int get_profile(struct reader *r, json_t *root, struct profile *p)
{
	const char *schema = json_string_value(json_object_get(root, "schema"));
	char tpath[JPATH_LEN], dpath[JPATH_LEN], apath[JPATH_LEN];
	json_t *target, *dropped, *attrs, *a;
	size_t i;
	int err;

	if (!schema || (strcmp(schema, PROFILE_SCHEMA) && strcmp(schema, PROFILE_SCHEMA_V3) &&
			strcmp(schema, PROFILE_SCHEMA_V2) && strcmp(schema, PROFILE_SCHEMA_V1))) {
		snprintf(r->err, r->errlen, "%s: expected schema %s (or %s, %s, %s), found %s",
			 r->file, PROFILE_SCHEMA, PROFILE_SCHEMA_V3, PROFILE_SCHEMA_V2,
			 PROFILE_SCHEMA_V1, schema ?: "none");
		return -EINVAL;
	}
	r->v1 = !strcmp(schema, PROFILE_SCHEMA_V1);
	r->v3 = strcmp(schema, PROFILE_SCHEMA);
	p->nruns = 1;
	/* Schema 3: a profile of several runs says how many; older ones hold one. */
	if (json_object_get(root, "runs")) {
		uint64_t runs;

		if (get_u64(r, root, "", "runs", &runs))
			return -EINVAL;
		if (runs < 1 || runs > PROFILE_MAX_RUNS)
			return bad(r, "", "runs", "expected 1 to %d runs", PROFILE_MAX_RUNS);
		p->nruns = runs;
	}
	target = object(r, root, "", "target", tpath);
	dropped = target ? object(r, root, "", "dropped", dpath) : NULL;
	attrs = dropped ? member(r, root, "", "attributes", JSON_ARRAY, "an array") : NULL;
	if (!attrs)
		return -EINVAL;
	err = get_i64(r, target, tpath, "pid", &p->target.pid) ?:
	      get_str(r, target, tpath, "exe", &p->target.exe, 0) ?:
	      get_str(r, target, tpath, "build_id", &p->target.build_id, 1) ?:
	      get_str(r, target, tpath, "runtime", &p->target.runtime, 0) ?:
	      (json_object_get(target, "version")
		       ? get_str(r, target, tpath, "version", &p->target.version, 1)
		       : 0) ?:
	      (json_object_get(target, "ns_pid")
		       ? get_i64(r, target, tpath, "ns_pid", &p->target.ns_pid)
		       : 0) ?:
	      get_str(r, root, "", "mode", &p->mode, 0) ?:
	      get_str(r, root, "", "end", &p->end, 0) ?:
	      get_i64(r, root, "", "exit_status", &p->exit_status) ?:
	      get_u64(r, root, "", "duration_ns", &p->duration_ns) ?:
	      get_u64(r, root, "", "probe_cost_ns", &p->probe_cost_ns) ?:
	      get_calibration(r, root, &p->calibration) ?:
	      get_timing(r, root, &p->timing) ?:
	      get_overhead(r, root, &p->overhead) ?:
	      get_u64(r, dropped, dpath, "map_full", &p->dropped.map_full) ?:
	      get_u64(r, dropped, dpath, "stack_depth", &p->dropped.stack_depth) ?:
	      get_u64(r, dropped, dpath, "read_errors", &p->dropped.read_errors) ?:
	      get_u64(r, dropped, dpath, "unmatched_returns", &p->dropped.unmatched_returns) ?:
	      get_u64(r, dropped, dpath, "attrs_over_limit", &p->dropped.attrs_over_limit) ?:
	      get_u64(r, dropped, dpath, "unprobeable", &p->dropped.unprobeable) ?:
	      get_opt_u64(r, dropped, dpath, "accesses_over_limit",
			  &p->dropped.accesses_over_limit) ?:
	      get_opt_u64(r, dropped, dpath, "allocs_over_limit", &p->dropped.allocs_over_limit) ?:
	      get_opt_u64(r, dropped, dpath, "lock_waits_over_limit",
			  &p->dropped.lock_waits_over_limit) ?:
	      get_resources(r, root, &p->resources) ?:
	      get_locks(r, root, "", "unattributed_lock_wait_ns", p->unattributed);
	for (i = 0; !err && i < json_array_size(attrs); i++) {
		a = json_array_get(attrs, i);
		snprintf(apath, sizeof(apath), "attributes[%zu]", i);
		err = json_is_object(a) ? get_attr(r, a, apath, p)
					: bad(r, "", apath, "expected an object");
	}
	return err ?: get_array(r, root, "classes", get_class, p) ?:
		       get_array(r, root, "coverage", get_coverage, p) ?:
		       get_array(r, root, "locks", get_shared_lock, p) ?: get_process(r, root, p);
}

int profile__read(const char *path, struct profile *p, char *err, size_t errlen)
{
	struct reader r = {.file = path, .err = err, .errlen = errlen};
	json_error_t jerr;
	json_t *root;
	FILE *f;
	int ret;

	memset(p, 0, sizeof(*p));
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	ret = get_profile(&r, root, p);
	json_decref(root);
	if (ret)
		profile__free(p);
	return ret;
}
