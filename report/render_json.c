// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The JSON report, "attrprof.report/1": the profile's figures, ranked and
 * reduced to what a program reading the report needs. Keys come out in a
 * fixed order (jansson keeps insertion order). A figure that was not
 * measured is null, never 0: "latency_ns" when no call of the attribute was
 * timed (always so in a count-only profile), "calls_per_s" when the
 * profile has no duration.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <jansson.h>
#include "advise.h"
#include "hist.h"
#include "json_out.h"
#include "report.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The same members as the profile's "target". */
static json_t *target_json(const struct profile *p)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "pid", json_integer(p->target.pid));
	bad |= json_object_set_new(o, "exe", str_or_null(p->target.exe));
	bad |= json_object_set_new(o, "build_id", str_or_null(p->target.build_id));
	bad |= json_object_set_new(o, "runtime", str_or_null(p->target.runtime));
	if (p->target.version)
		bad |= json_object_set_new(o, "version", json_string(p->target.version));
	return json_out__built(o, bad);
}

/* Python: what could not be seen, as in the profile. */
static json_t *coverage_json(const struct profile *p)
{
	json_t *arr = json_array();
	int bad = 0;

	for (size_t i = 0; arr && i < p->ncoverage; i++) {
		const struct prof_coverage *c = &p->coverage[i];
		json_t *o = json_object();
		int obad = 0;

		obad |= json_object_set_new(o, "kind", json_string(c->kind));
		obad |= json_object_set_new(o, "status", json_string(c->status));
		obad |= json_object_set_new(o, "why", json_string(c->why));
		bad |= json_array_append_new(arr, json_out__built(o, obad));
	}
	return json_out__built(arr, bad);
}

static json_t *dropped_json(const struct profile *p)
{
	struct report_drop drops[REPORT_DROPS];
	json_t *o = json_object();
	unsigned int i;
	int bad = 0;

	report__drops(p, drops);
	for (i = 0; i < REPORT_DROPS; i++)
		bad |= json_object_set_new(o, drops[i].name, json_out__u64(drops[i].count));
	return json_out__built(o, bad);
}

static json_t *latency_json(const struct profile *p, const struct prof_attr *a)
{
	json_t *o;
	int bad = 0;

	if (!report__latency_measured(p, a))
		return json_null();
	o = json_object();
	/* The time of all calls: scaled up from the timed ones when they were a sample. */
	bad |= json_object_set_new(o, "total", json_out__u64(profile__time_ns(p, a)));
	bad |= json_object_set_new(o, "timed", json_out__u64(a->timed));
	bad |= json_object_set_new(o, "sampled", json_boolean(report__time_sampled(p, a)));
	bad |= json_object_set_new(o, "resolved", json_boolean(report__latency_resolved(p, a)));
	bad |= json_object_set_new(o, "p50",
				   json_out__u64(hist__percentile(a->hist, 50, a->max_ns)));
	bad |= json_object_set_new(o, "p90",
				   json_out__u64(hist__percentile(a->hist, 90, a->max_ns)));
	bad |= json_object_set_new(o, "p99",
				   json_out__u64(hist__percentile(a->hist, 99, a->max_ns)));
	bad |= json_object_set_new(o, "max", json_out__u64(a->max_ns));
	return json_out__built(o, bad);
}

/* An attribute's lock waits summed over lock kinds. */
static json_t *lock_json(const struct prof_attr *a)
{
	json_t *o = json_object();
	struct prof_lock lw;
	int bad = 0;

	profile__lock_total(a->locks, &lw);
	bad |= json_object_set_new(o, "count", json_out__u64(lw.count));
	bad |= json_object_set_new(o, "total", json_out__u64(lw.total_ns));
	bad |= json_object_set_new(o, "p99",
				   json_out__u64(hist__percentile(lw.hist, 99, lw.max_ns)));
	bad |= json_object_set_new(o, "max", json_out__u64(lw.max_ns));
	return json_out__built(o, bad);
}

static json_t *attr_json(const struct profile *p, const struct prof_attr *a, size_t rank)
{
	json_t *o = json_object(), *rate;
	double per_s;
	int bad = 0;

	bad |= json_object_set_new(o, "rank", json_out__u64(rank));
	bad |= json_object_set_new(o, "owner", str_or_null(a->owner));
	bad |= json_object_set_new(o, "name", str_or_null(a->name));
	bad |= json_object_set_new(o, "kind", json_string(profile__kind_name(a->kind)));
	bad |= json_object_set_new(o, "op", json_string(profile__op_name(a->op)));
	/* How its probe is paid: "emulated" or "single-step" first instruction. */
	bad |= json_object_set_new(o, "probe", str_or_null(a->probe));
	bad |= json_object_set_new(o, "count", json_out__u64(a->count));
	rate = report__calls_per_s(p, a, &per_s) ? json_real(per_s) : json_null();
	bad |= json_object_set_new(o, "calls_per_s", rate);
	bad |= json_object_set_new(o, "errors", json_out__u64(profile__errors(p, a)));
	bad |= json_object_set_new(o, "threads", json_out__u64(a->threads));
	bad |= json_object_set_new(o, "latency_ns", latency_json(p, a));
	bad |= json_object_set_new(o, "lock_wait_ns", lock_json(a));
	return json_out__built(o, bad);
}

static json_t *attrs_json(const struct profile *p)
{
	json_t *arr = json_array();
	size_t *order, n, i;
	int bad = 0;

	order = malloc((p->nattrs ? p->nattrs : 1) * sizeof(*order));
	if (!order) {
		json_decref(arr);
		return NULL;
	}
	n = report__rank(p, order);
	for (i = 0; i < n; i++)
		bad |= json_array_append_new(arr, attr_json(p, &p->attrs[order[i]], i + 1));
	free(order);
	return json_out__built(arr, bad);
}

/* {name: {"value", "threshold", "unit"}}; a NAN threshold (a figure for information) is null. */
static json_t *evidence_json(const struct advice *v)
{
	json_t *o = json_object();
	int bad = 0;

	for (size_t i = 0; i < v->nevidence; i++) {
		const struct advice_evidence *e = &v->evidence[i];
		json_t *j = json_object();
		int jbad = 0;

		jbad |= json_object_set_new(j, "value", json_real(e->value));
		jbad |= json_object_set_new(j, "threshold",
					    isnan(e->threshold) ? json_null()
								: json_real(e->threshold));
		jbad |= json_object_set_new(j, "unit", json_string(e->unit));
		bad |= json_object_set_new(o, e->name, json_out__built(j, jbad));
	}
	return json_out__built(o, bad);
}

/* A class (slots) has an owner and kind "class", no name or op. */
static json_t *advice_json(const struct profile *p, const struct advice *v)
{
	const struct prof_attr *a = v->attr != SIZE_MAX ? &p->attrs[v->attr] : NULL;
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "owner",
				   str_or_null(a ? a->owner : p->classes[v->cls].owner));
	bad |= json_object_set_new(o, "name", str_or_null(a ? a->name : NULL));
	bad |= json_object_set_new(o, "kind",
				   json_string(a ? profile__kind_name(a->kind) : "class"));
	bad |= json_object_set_new(o, "op", a ? json_string(profile__op_name(a->op)) : json_null());
	bad |= json_object_set_new(o, "action", json_string(advise__action_name(v->action)));
	bad |= json_object_set_new(o, "evidence", evidence_json(v));
	bad |= json_object_set_new(o, "saved_ns_per_s", json_real(v->saved_ns_per_s));
	bad |= json_object_set_new(o, "estimate", json_string(v->estimate));
	bad |= json_object_set_new(o, "how_to", json_string(v->how_to));
	return json_out__built(o, bad);
}

/* Recommendations in advise__profile's order: most time saved first. */
static json_t *recommendations_json(const struct profile *p)
{
	struct advice *v;
	json_t *arr;
	size_t n, i;
	int bad = 0;

	if (advise__profile(p, &v, &n))
		return NULL;
	arr = json_array();
	for (i = 0; arr && i < n; i++)
		bad |= json_array_append_new(arr, advice_json(p, &v[i]));
	free(v);
	return json_out__built(arr, bad);
}

static json_t *unattributed_json(const struct profile *p)
{
	json_t *o = json_object();
	struct prof_lock lw;
	int bad = 0;

	profile__lock_total(p->unattributed, &lw);
	bad |= json_object_set_new(o, "count", json_out__u64(lw.count));
	bad |= json_object_set_new(o, "total", json_out__u64(lw.total_ns));
	return json_out__built(o, bad);
}

static json_t *report_json(const struct profile *p)
{
	json_t *o = json_object();
	int bad = 0;

	bad |= json_object_set_new(o, "schema", json_string(REPORT_SCHEMA));
	bad |= json_object_set_new(o, "profile_schema", json_string(PROFILE_SCHEMA));
	bad |= json_object_set_new(o, "target", target_json(p));
	bad |= json_object_set_new(o, "duration_ns", json_out__u64(p->duration_ns));
	bad |= json_object_set_new(o, "mode", str_or_null(p->mode));
	bad |= json_object_set_new(o, "dropped", dropped_json(p));
	bad |= json_object_set_new(o, "recommendations", recommendations_json(p));
	bad |= json_object_set_new(o, "attributes", attrs_json(p));
	bad |= json_object_set_new(o, "unattributed_lock_wait_ns", unattributed_json(p));
	bad |= json_object_set_new(o, "coverage", coverage_json(p));
	return json_out__built(o, bad);
}

int report__render_json(FILE *out, const struct profile *p)
{
	errno = 0;
	return json_out__dump(out, report_json(p));
}
