// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Reading a profile file, schemas attrprof.profile/1 to PROFILE_SCHEMA
 * (write.c), into the model. Every member is checked: a malformed file is
 * refused with the JSON path of what is wrong, never half read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "profile.h"
#include "hist.h"

/* Longest JSON path in a message, e.g. "attributes[4095].lock_wait_ns.by_kind.python". */
#define JPATH_LEN 128
/* What schemas 1 to 3 called LOCK_MUTEX, for every pthread lock function. */
#define LOCK_MUTEX_V3_NAME "pthread"

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
		err = get_u64(r, traps, tpath, profile__trap_name(t), &o->traps[t]);
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
	int kind, op;
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
	kind = profile__kind_of(str[2]);
	if (kind < 0)
		return bad(r, path, "kind", "expected an attribute kind (%s, %s, ...)",
			   profile__kind_name(KIND_FUNCTION), profile__kind_name(KIND_DESCRIPTOR));
	op = profile__op_of(str[3]);
	if (op < 0)
		return bad(r, path, "op", "expected call, get, set or delete");
	a = profile__add_attr(p, str[0], str[1], kind, op);
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
