// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Writing the profile file, PROFILE_SCHEMA: JSON through libjansson.
 * Histograms are stored as [lower_ns, count] pairs of their non-empty slots;
 * percentiles and lock sums are written for readers of the file and ignored
 * on reading (read.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "atomic_file.h"
#include "profile.h"
#include "hist.h"

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
		    "kind", profile__kind_name(a->kind),
		    "op", profile__op_name(a->op),
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
		if (json_object_set_new(traps, profile__trap_name(t), u64(o->traps[t], err))) {
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
			"version", ATTRPROF_VERSION,
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
