// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A comparison as JSON, schema DIFF_SCHEMA: for programs reading the verdict. */
#include <errno.h>
#include <math.h>
#include <jansson.h>
#include "diff_render.h"
#include "json_out.h"

/* A percentage, or null when not compared or infinite (JSON has no infinity). */
static json_t *pct_json(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *limit_json(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

static int set_id(json_t *o, const struct diff_entry *e)
{
	return json_object_set_new(o, "owner", json_string(e->owner)) |
	       json_object_set_new(o, "name", json_string(e->name)) |
	       json_object_set_new(o, "kind", json_string(e->kind)) |
	       json_object_set_new(o, "op", json_string(e->op));
}

static json_t *side_json(const struct diff_side *s)
{
	json_t *o = json_object();
	int bad = !o;

	bad |= json_object_set_new(o, "count", json_out__u64(s->count));
	bad |= json_object_set_new(o, "timed", json_out__u64(s->timed));
	bad |= json_object_set_new(o, "p99_ns", s->timed ? json_out__u64(s->p99_ns) : json_null());
	bad |= json_object_set_new(o, "total_ns", json_out__u64(s->total_ns));
	bad |= json_object_set_new(o, "lock_wait_ns", json_out__u64(s->lock_ns));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *stat_json(const struct diff_stat *st)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:b}", "estimate_pct", pct_json(st->pct),
			 "ci_low_pct", pct_json(st->low_pct), "ci_high_pct", pct_json(st->high_pct),
			 "confidence_pct", pct_json(st->confidence), "significant",
			 st->significant);
}

/* How latency was compared, with each statistic's estimate and interval. */
static json_t *latency_json(const struct diff_entry *e)
{
	return json_pack("{s:s, s:b, s:I, s:I, s:o, s:o, s:o}", "method",
			 e->method == DIFF_METHOD_RUNS ? "runs" : "histogram", "advisory",
			 e->advisory, "base_samples", (json_int_t)e->base_samples, "new_samples",
			 (json_int_t)e->new_samples, "p99", stat_json(&e->p99), "time_per_call",
			 stat_json(&e->total), "lock_wait_per_call", stat_json(&e->lock));
}

static json_t *breaks_json(unsigned int bits)
{
	json_t *a = json_array();

	for (size_t k = 0; k < DIFF_NBREAKS && a; k++)
		if ((bits & diff__break_keys[k].bit) &&
		    json_array_append_new(a, json_string(diff__break_keys[k].key))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *entry_json(const struct diff_entry *e)
{
	json_t *o = json_object(), *br = json_array();
	int bad = !o || !br;

	for (size_t k = 0; k < DIFF_NBREAKS && br; k++)
		if (e->breaks & diff__break_keys[k].bit)
			bad |= json_array_append_new(br, json_string(diff__break_keys[k].key));
	bad |= set_id(o, e);
	if (e->status != DIFF_NEW)
		bad |= json_object_set_new(o, "base", side_json(&e->base));
	if (e->status != DIFF_VANISHED)
		bad |= json_object_set_new(o, "new", side_json(&e->new));
	if (e->status == DIFF_BOTH) {
		bad |= json_object_set_new(o, "count_pct", pct_json(e->count_pct));
		bad |= json_object_set_new(o, "latency_compared",
					   json_boolean(e->latency_compared));
		bad |= json_object_set_new(o, "p99_pct", pct_json(e->p99_pct));
		bad |= json_object_set_new(o, "total_per_call_pct", pct_json(e->total_pct));
		bad |= json_object_set_new(o, "lock_wait_per_call_pct", pct_json(e->lock_pct));
		if (e->latency_compared)
			bad |= json_object_set_new(o, "latency", latency_json(e));
		bad |= json_object_set_new(o, "unproven", breaks_json(e->unproven));
	}
	bad |= json_object_set_new(o, "breaks", br);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *regression_json(const struct diff_result *r, const struct diff_entry *e)
{
	json_t *o = json_object(), *rs = json_array();
	int bad = !o || !rs;
	char buf[512];

	bad |= set_id(o, e);
	for (size_t k = 0; k < DIFF_NBREAKS && rs; k++) {
		json_t *one;

		if (!(e->breaks & diff__break_keys[k].bit))
			continue;
		diff__reason(r, e, diff__break_keys[k].bit, buf, sizeof(buf));
		one = json_pack("{s:s, s:s}", "limit", diff__break_keys[k].key, "message", buf);
		bad |= json_array_append_new(rs, one);
	}
	bad |= json_object_set_new(o, "reasons", rs);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The globs as an array, or null when there are none. */
static json_t *globs_json(const char *const *globs, size_t n)
{
	json_t *a;

	if (!n)
		return json_null();
	a = json_array();
	for (size_t i = 0; i < n && a; i++)
		if (json_array_append_new(a, json_string(globs[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *limits_json(const struct diff_limits *l)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:f, s:b, s:o, s:o}", "max_count_increase_pct",
			 limit_json(l->count_pct), "max_p99_increase_pct", limit_json(l->p99_pct),
			 "max_total_per_call_increase_pct", limit_json(l->total_pct),
			 "max_lock_wait_per_call_increase_pct", limit_json(l->lock_pct),
			 "min_count", (json_int_t)l->min_count, "confidence_pct", l->confidence,
			 "trust_single_run", l->trust_single_run, "only",
			 globs_json(l->only, l->nonly), "ignore",
			 globs_json(l->ignore, l->nignore));
}

int diff__render_json(FILE *out, const struct diff_result *r)
{
	json_t *root = json_object(), *regs = json_array(), *changes = json_array();
	json_t *news = json_array(), *gone = json_array();
	int bad = !root || !regs || !changes || !news || !gone;

	errno = 0;
	for (size_t i = 0; i < r->nentries && !bad; i++) {
		const struct diff_entry *e = &r->entries[i];
		json_t *list = e->status == DIFF_NEW	    ? news
			       : e->status == DIFF_VANISHED ? gone
							    : changes;

		if (e->breaks)
			bad |= json_array_append_new(regs, regression_json(r, e));
		bad |= json_array_append_new(list, entry_json(e));
	}
	bad |= json_object_set_new(root, "schema", json_string(DIFF_SCHEMA));
	bad |= json_object_set_new(root, "verdict", json_string(r->nregressions ? "fail" : "pass"));
	bad |= json_object_set_new(root, "limits", limits_json(&r->limits));
	bad |= json_object_set_new(root, "runs",
				   json_pack("{s:I, s:I, s:I}", "base", (json_int_t)r->base_runs,
					     "new", (json_int_t)r->new_runs, "to_settle",
					     (json_int_t)r->settle_runs));
	bad |= json_object_set_new(root, "regressions", regs);
	bad |= json_object_set_new(root, "changes", changes);
	bad |= json_object_set_new(root, "new", news);
	bad |= json_object_set_new(root, "vanished", gone);
	return json_out__dump(out, json_out__built(root, bad));
}
