// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The text report: a header saying what was recorded and how far to trust
 * it, then one row per called attribute, heaviest first, within 100 columns.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "advise.h"
#include "hist.h"
#include "markup.h"
#include "report.h"
#include "units.h"

#define LINE_COLS 100
/* Kinds and ops are short words; a longer pair would only starve ATTRIBUTE. */
#define KIND_COLS_MAX 16

#define ANSI_BOLD "\033[1m"
#define ANSI_TOP "\033[1;33m" /* bold yellow: the attribute to look at first */
#define ANSI_RESET "\033[0m"

enum col {
	COL_COUNT,
	COL_RATE,
	COL_P50,
	COL_P90,
	COL_P99,
	COL_MAX,
	COL_TOTAL,
	COL_LOCK,
	COL_THREADS,
	NUM_COLS,
};

static const char *const col_names[NUM_COLS] = {
	[COL_COUNT] = "COUNT", [COL_RATE] = "CALLS/S",	 [COL_P50] = "P50",
	[COL_P90] = "P90",     [COL_P99] = "P99",	 [COL_MAX] = "MAX",
	[COL_TOTAL] = "TOTAL", [COL_LOCK] = "LOCK WAIT", [COL_THREADS] = "THREADS",
};

struct cells {
	char v[NUM_COLS][UNITS_BUF];
};

struct layout {
	size_t attr;
	size_t kind;
	size_t num[NUM_COLS];
};

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* The owner as the table shows it: a Python class's qualified name when it has one. */
static const char *owner_of(const struct prof_attr *a)
{
	return a->qualname ? a->qualname : or_empty(a->owner);
}

static size_t attr_cols(const struct prof_attr *a)
{
	size_t o = markup__cols(owner_of(a)), n = markup__cols(or_empty(a->name));

	return o ? o + 1 + n : n;
}

/*
 * Writes owner.name in exactly width columns. When it is too long the owner
 * is cut first: the name says what was called, the owner only where.
 */
static void put_attr(FILE *out, const struct prof_attr *a, size_t width)
{
	const char *owner = owner_of(a), *name = or_empty(a->name);
	size_t o = markup__cols(owner), n = markup__cols(name), full = o ? o + 1 + n : n;

	if (full <= width) {
		if (o) {
			markup__text(out, owner, o);
			fputc('.', out);
		}
		markup__text(out, name, n);
		markup__pad(out, width - full);
	} else if (o && n + 3 <= width) {
		/* At least one column of owner, the ellipsis and the dot. */
		markup__text(out, owner, width - n - 2);
		fputs(MARKUP_ELLIPSIS ".", out);
		markup__text(out, name, n);
	} else if (o && n < width) {
		/* No room for any of the owner, but the ellipsis still says there is one. */
		fputs(MARKUP_ELLIPSIS, out);
		markup__text(out, name, n);
		markup__pad(out, width - 1 - n);
	} else {
		markup__fit(out, name, width);
	}
}

/* "kind/op" into buf, which holds more than KIND_COLS_MAX columns so a cut shows. */
static const char *kind_op(char *buf, size_t len, const struct prof_attr *a)
{
	snprintf(buf, len, "%s/%s", profile__kind_name(a->kind), profile__op_name(a->op));
	return buf;
}

static char *dash(char *buf)
{
	strcpy(buf, "-");
	return buf;
}

static void fill_cells(const struct profile *p, const struct prof_attr *a, struct cells *c)
{
	bool timed = report__latency_measured(p, a);
	struct prof_lock lw;
	double per_s;

	units__count(c->v[COL_COUNT], UNITS_BUF, a->count);
	if (report__calls_per_s(p, a, &per_s))
		units__rate(c->v[COL_RATE], UNITS_BUF, per_s);
	else
		dash(c->v[COL_RATE]);
	if (timed) {
		units__ns(c->v[COL_P50], UNITS_BUF, hist__percentile(a->hist, 50, a->max_ns));
		units__ns(c->v[COL_P90], UNITS_BUF, hist__percentile(a->hist, 90, a->max_ns));
		units__ns(c->v[COL_P99], UNITS_BUF, hist__percentile(a->hist, 99, a->max_ns));
		units__ns(c->v[COL_MAX], UNITS_BUF, a->max_ns);
		/* "~": the total of a sample of the calls, scaled up to all of them. */
		units__ns(c->v[COL_TOTAL] + report__time_sampled(p, a), UNITS_BUF - 1,
			  profile__time_ns(p, a));
		if (report__time_sampled(p, a))
			c->v[COL_TOTAL][0] = '~';
		/* "<": a typical call below the probes' own noise, not told apart from it. */
		if (!report__latency_resolved(p, a)) {
			c->v[COL_P50][0] = '<';
			units__ns(c->v[COL_P50] + 1, UNITS_BUF - 1, report__resolution_ns(p, a));
		}
	} else {
		dash(c->v[COL_P50]);
		dash(c->v[COL_P90]);
		dash(c->v[COL_P99]);
		dash(c->v[COL_MAX]);
		dash(c->v[COL_TOTAL]);
	}
	profile__lock_total(a->locks, &lw);
	if (lw.count)
		units__ns(c->v[COL_LOCK], UNITS_BUF, lw.total_ns);
	else
		dash(c->v[COL_LOCK]);
	units__count(c->v[COL_THREADS], UNITS_BUF, a->threads);
}

/*
 * Column widths for the rows shown: each numeric column as wide as its
 * widest cell or header, KIND/OP up to KIND_COLS_MAX, and ATTRIBUTE gets
 * what is left of the line (never less than its header).
 */
static void layout(const struct profile *p, const size_t *order, size_t n, struct layout *l)
{
	size_t attr = strlen("ATTRIBUTE"), used, i;
	char kind[4 * KIND_COLS_MAX + 8];
	struct cells c;
	unsigned int k;

	l->kind = strlen("KIND/OP");
	for (k = 0; k < NUM_COLS; k++)
		l->num[k] = strlen(col_names[k]);
	for (i = 0; i < n; i++) {
		const struct prof_attr *a = &p->attrs[order[i]];

		if (!a->count)
			continue;
		fill_cells(p, a, &c);
		for (k = 0; k < NUM_COLS; k++)
			if (strlen(c.v[k]) > l->num[k])
				l->num[k] = strlen(c.v[k]);
		if (attr_cols(a) > attr)
			attr = attr_cols(a);
		if (markup__cols(kind_op(kind, sizeof(kind), a)) > l->kind)
			l->kind = markup__cols(kind);
	}
	if (l->kind > KIND_COLS_MAX)
		l->kind = KIND_COLS_MAX;
	/* Two spaces after ATTRIBUTE, one before each right-aligned number. */
	used = 2 + l->kind;
	for (k = 0; k < NUM_COLS; k++)
		used += 1 + l->num[k];
	if (used + attr > LINE_COLS)
		attr = LINE_COLS - used;
	/* Only absurd figures (2^64 calls) widen the numbers this far: keep the header whole. */
	if (used > LINE_COLS || attr < strlen("ATTRIBUTE"))
		attr = strlen("ATTRIBUTE");
	l->attr = attr;
}

static void put_row(FILE *out, const struct layout *l, const struct prof_attr *a,
		    const char *const num[NUM_COLS])
{
	char kind[4 * KIND_COLS_MAX + 8];
	unsigned int k;

	if (a)
		put_attr(out, a, l->attr);
	else
		markup__fit(out, "ATTRIBUTE", l->attr);
	fputs("  ", out);
	markup__fit(out, a ? kind_op(kind, sizeof(kind), a) : "KIND/OP", l->kind);
	for (k = 0; k < NUM_COLS; k++)
		fprintf(out, " %*s", (int)l->num[k], num[k]);
}

static void put_table(FILE *out, const struct profile *p, const size_t *order, size_t n, bool color)
{
	const char *num[NUM_COLS];
	bool top = true;
	struct layout l;
	struct cells c;
	unsigned int k;
	size_t i;

	layout(p, order, n, &l);
	fputs(color ? ANSI_BOLD : "", out);
	put_row(out, &l, NULL, col_names);
	fputs(color ? ANSI_RESET "\n" : "\n", out);
	for (i = 0; i < n; i++) {
		const struct prof_attr *a = &p->attrs[order[i]];

		if (!a->count)
			continue;
		fill_cells(p, a, &c);
		for (k = 0; k < NUM_COLS; k++)
			num[k] = c.v[k];
		fputs(color && top ? ANSI_TOP : "", out);
		put_row(out, &l, a, num);
		fputs(color && top ? ANSI_RESET "\n" : "\n", out);
		top = false;
	}
}

/*
 * What the traced processes did that changes what the counts cover: execs
 * (counting stopped), children (followed or not), files changed on disk.
 */
static void put_process(FILE *out, const struct prof_process *pr)
{
	size_t forks = 0, followed = 0;
	char at[UNITS_BUF], msg[80];

	for (size_t i = 0; i < pr->nevents; i++) {
		const struct prof_proc_event *e = &pr->events[i];

		if (!strcmp(e->event, "fork")) {
			forks++;
			followed += e->followed;
		} else if (!strcmp(e->event, "exec")) {
			units__ns(at, sizeof(at), e->at_ns);
			fprintf(out,
				"process: pid %" PRId64
				" exec'd at %s: its calls after that are not "
				"counted\n",
				e->pid, at);
		}
	}
	if (followed)
		fprintf(out, "process: followed %zu child%s, counted with the target\n", followed,
			followed == 1 ? "" : "ren");
	if (forks > followed)
		fprintf(out, "process: %zu child%s forked, not traced%s\n", forks - followed,
			forks - followed == 1 ? "" : "ren",
			pr->follow_forks ? "" : " (--follow-forks traces them)");
	if (pr->dropped_events)
		fprintf(out,
			"process: %" PRIu64 " more events were not kept: the lines above count the "
			"first %zu\n",
			pr->dropped_events, pr->nevents);
	for (size_t i = 0; i < pr->nchanged_files; i++) {
		snprintf(msg, sizeof(msg), " was %.16s on disk: probed through its mapping",
			 pr->changed_files[i].on_disk);
		fputs("process: ", out);
		markup__tail(out, pr->changed_files[i].path, LINE_COLS - 9 - markup__cols(msg));
		fprintf(out, "%s\n", msg);
	}
}

/*
 * What the probes cost the target: its probe hits at the calibrated prices,
 * as a share of its CPU time, and which calls were timed.
 */
static void put_overhead(FILE *out, const struct profile *p)
{
	const struct prof_overhead *o = &p->overhead;
	char hits[UNITS_BUF], cost[UNITS_BUF], cpu[UNITS_BUF];
	uint64_t traps = 0;

	for (int t = 0; t < TRAP_KINDS; t++)
		traps += o->traps[t];
	if (traps) {
		fprintf(out, "probes:  %s hits (%s single-stepped), ~%s",
			units__count(hits, sizeof(hits), traps),
			units__count(cost, sizeof(cost), o->traps[TRAP_ENTRY_SSTEP]),
			units__ns(cpu, sizeof(cpu), o->probe_ns));
		if (o->cpu_ns)
			fprintf(out, " = %.1f%% of the target's %s CPU time",
				100.0 * (double)o->probe_ns / (double)o->cpu_ns,
				units__ns(cpu, sizeof(cpu), o->cpu_ns));
		fputc('\n', out);
	}
	if (p->timing.policy && !strcmp(p->timing.policy, "sample"))
		fprintf(out,
			"timing:  every call of each attribute's first %" PRIu64 " per CPU, then "
			"1 in %" PRIu64 " (\"~\": totals scaled up from them)\n",
			p->timing.first_calls, p->timing.stride);
}

static void put_header(FILE *out, const struct profile *p)
{
	char dur[UNITS_BUF], cost[UNITS_BUF], tail[96], ns[48] = "";
	struct report_drop drops[REPORT_DROPS];
	bool dropped = false;
	unsigned int i;

	/* tail is short, so the path is what gets cut: from the left, keeping the file name. */
	if (p->target.ns_pid && p->target.ns_pid != p->target.pid)
		snprintf(ns, sizeof(ns), ", %" PRId64 " in its namespace", p->target.ns_pid);
	snprintf(tail, sizeof(tail), " (pid %" PRId64 "%s, runtime %s%s%s)", p->target.pid, ns,
		 p->target.runtime ? p->target.runtime : "?", p->target.version ? " " : "",
		 p->target.version ? p->target.version : "");
	fputs("target:  ", out);
	markup__tail(out, p->target.exe ? p->target.exe : "?", LINE_COLS - 9 - markup__cols(tail));
	markup__text(out, tail, markup__cols(tail));
	fputc('\n', out);

	units__ns(dur, sizeof(dur), p->duration_ns);
	fputs("mode:    ", out);
	markup__text(out, p->mode ? p->mode : "?", KIND_COLS_MAX);
	if (report__count_only(p)) {
		fprintf(out, " for %s; latency not measured (entry probes only)\n", dur);
	} else {
		fprintf(out, " for %s; probe cost %s subtracted per call\n", dur,
			units__ns(cost, sizeof(cost), p->probe_cost_ns));
	}
	put_overhead(out, p);

	if (p->end) {
		fputs("end:     ", out);
		markup__text(out, p->end, 32);
		if (p->exit_status >= 0)
			fprintf(out, ", exit status %" PRId64, p->exit_status);
		fputc('\n', out);
	}

	report__drops(p, drops);
	for (i = 0; i < REPORT_DROPS; i++) {
		if (!drops[i].count)
			continue;
		fprintf(out, "dropped: %" PRIu64 " %s (%s)\n", drops[i].count, drops[i].name,
			drops[i].why);
		dropped = true;
	}
	if (!dropped)
		fputs("dropped: none\n", out);
	put_process(out, &p->process);
}

/*
 * Writes text after a prefix, wrapped at spaces to LINE_COLS, continuation
 * lines indented by indent columns. A word wider than a whole line (a long
 * C symbol) is cut with an ellipsis.
 */
static void put_wrapped(FILE *out, const char *prefix, const char *text, size_t indent)
{
	size_t col = markup__text(out, prefix, markup__cols(prefix)), room = LINE_COLS - indent;

	while (*text) {
		size_t word = strcspn(text, " "), wcols = markup__cols_n(text, word);

		if (col > indent && col + 1 + (wcols < room ? wcols : room) > LINE_COLS) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		if (col + wcols > LINE_COLS) {
			col += markup__text(out, text, LINE_COLS - col - 1) + 1;
			fputs(MARKUP_ELLIPSIS, out);
		} else {
			col += markup__text(out, text, wcols);
		}
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

/* What this profile could not see: every coverage entry short of exact. */
static void put_coverage(FILE *out, const struct profile *p)
{
	char prefix[64];

	for (size_t i = 0; i < p->ncoverage; i++) {
		const struct prof_coverage *c = &p->coverage[i];

		if (!strcmp(c->status, "exact"))
			continue;
		snprintf(prefix, sizeof(prefix), "not all seen: %s (%s):", c->kind, c->status);
		put_wrapped(out, prefix, c->why, 4);
	}
}

/*
 * "   evidence: reads per write 420 (>= 10), mean read 1.53us (>= 1.00us)",
 * wrapped between items so a figure stays next to its threshold. A NAN
 * threshold marks a figure given for information: no bound is shown.
 */
static void put_evidence(FILE *out, const struct advice *v)
{
	char val[UNITS_BUF + 8], thr[UNITS_BUF + 8], item[160];
	size_t col = fprintf(out, "   evidence:");

	for (size_t i = 0; i < v->nevidence; i++) {
		const struct advice_evidence *e = &v->evidence[i];
		bool last = i + 1 == v->nevidence;
		size_t n;

		units__figure(val, sizeof(val), e->value, e->unit);
		if (isnan(e->threshold)) {
			snprintf(item, sizeof(item), "%s %s%s", e->name, val, last ? "" : ",");
		} else {
			units__figure(thr, sizeof(thr), e->threshold, e->unit);
			snprintf(item, sizeof(item), "%s %s (>= %s)%s", e->name, val, thr,
				 last ? "" : ",");
		}
		n = markup__cols(item);
		if (col > 12 && col + 1 + n > LINE_COLS) {
			/* The space before the item completes the six-column indent. */
			fputs("\n     ", out);
			col = 5;
		}
		col += fprintf(out, " %s", item);
	}
	fputc('\n', out);
}

/* "cache Order.total (property get): saves ~12.3ms/s", the subject cut to fit one line. */
static void put_headline(FILE *out, const struct profile *p, const struct advice *v, size_t rank)
{
	char lead[48], tail[96], saved[UNITS_BUF];
	size_t room;

	snprintf(lead, sizeof(lead), "%zu. %s ", rank, advise__action_name(v->action));
	if (v->attr == SIZE_MAX) {
		const struct prof_class *c = &p->classes[v->cls];

		double bytes = 0;

		for (size_t i = 0; i < v->nevidence; i++)
			if (!strcmp(v->evidence[i].unit, "B"))
				bytes = v->evidence[i].value;
		snprintf(tail, sizeof(tail), " (class): saves ~%.0fB per instance", bytes);
		room = LINE_COLS - markup__cols(lead) - markup__cols(tail);
		fputs(lead, out);
		markup__tail(out, c->qualname ? c->qualname : or_empty(c->owner), room);
	} else {
		const struct prof_attr *a = &p->attrs[v->attr];

		units__ns(saved, sizeof(saved), (uint64_t)(v->saved_ns_per_s + 0.5));
		/* kind and op are short words from the tables; KIND_COLS_MAX bounds them anyway. */
		snprintf(tail, sizeof(tail), " (%.*s %.*s): saves ~%s/s", KIND_COLS_MAX,
			 profile__kind_name(a->kind), KIND_COLS_MAX, profile__op_name(a->op),
			 saved);
		room = LINE_COLS - markup__cols(lead) - markup__cols(tail);
		fputs(lead, out);
		put_attr(out, a, attr_cols(a) < room ? attr_cols(a) : room);
	}
	markup__text(out, tail, markup__cols(tail));
	fputc('\n', out);
}

/* Recommendations, most time saved first, each in a few lines within LINE_COLS. */
static int put_recommendations(FILE *out, const struct profile *p)
{
	struct advice *v;
	size_t n, i;
	int err;

	err = advise__profile(p, &v, &n);
	if (err)
		return err;
	if (!n)
		fputs("recommendations: none\n", out);
	else
		fputs("recommendations:\n", out);
	for (i = 0; i < n; i++) {
		put_headline(out, p, &v[i], i + 1);
		put_evidence(out, &v[i]);
		put_wrapped(out, "   estimate:", v[i].estimate, 6);
		put_wrapped(out, "   how:", v[i].how_to, 6);
	}
	free(v);
	return 0;
}

/* Latency histograms of the heaviest attributes, one line each. */
#define SPARK_ATTRS 3
#define SPARK_CELLS 40

/*
 * One line: the attribute, the lower bound of its first non-empty slot, a
 * bar per slot up to the last non-empty one (eight heights, scaled to the
 * fullest; slots merge in twos, fours... to fit SPARK_CELLS), its upper bound.
 */
static void put_spark(FILE *out, const struct prof_attr *a)
{
	static const char *const bars[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	uint64_t cells[SPARK_CELLS] = {0}, top = 0;
	char lo[UNITS_BUF], hi[UNITS_BUF];
	int first = -1, last = -1, merge = 1, n;

	for (int i = 0; i < HIST_SLOTS; i++) {
		if (!a->hist[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
	}
	if (first < 0)
		return;
	while ((last - first) / merge + 1 > SPARK_CELLS)
		merge *= 2;
	n = (last - first) / merge + 1;
	for (int i = first; i <= last; i++)
		cells[(i - first) / merge] += a->hist[i];
	for (int c = 0; c < n; c++)
		top = cells[c] > top ? cells[c] : top;
	put_attr(out, a, 24);
	fprintf(out, " %8s ", units__ns(lo, sizeof(lo), hist__lower(first)));
	/* Any non-empty cell shows at least the lowest bar; the fullest, the highest. */
	for (int c = 0; c < n; c++)
		fputs(bars[cells[c] ? 1 + cells[c] * 7 / top : 0], out);
	fprintf(out, " %s\n", units__ns(hi, sizeof(hi), hist__upper(last)));
}

static void put_sparks(FILE *out, const struct profile *p, const size_t *order, size_t rows)
{
	size_t shown = 0;

	if (report__count_only(p))
		return;
	for (size_t i = 0; i < rows && shown < SPARK_ATTRS; i++) {
		const struct prof_attr *a = &p->attrs[order[i]];

		if (!report__latency_measured(p, a))
			continue;
		if (!shown++)
			fputs("\nlatency histograms:\n", out);
		put_spark(out, a);
	}
}

int report__render_text(FILE *out, const struct profile *p, const struct report_opts *o)
{
	char cnt[UNITS_BUF], total[UNITS_BUF];
	size_t *order, n, i, idle = 0, rows;
	struct prof_lock lw;
	int err;

	order = malloc((p->nattrs ? p->nattrs : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	n = report__rank(p, order);

	put_header(out, p);
	fputc('\n', out);
	err = put_recommendations(out, p);
	if (err)
		goto out_free;
	fputc('\n', out);
	for (i = 0; i < n; i++)
		idle += !p->attrs[i].count;
	/* Probed but never called: thousands of such rows would bury the ones that matter. */
	if (!n)
		fputs("no attributes were probed\n", out);
	else if (idle == n)
		fprintf(out, "none of the %zu probed attributes was called\n", n);
	else {
		/* Ranking puts the called ones first: the table is a prefix of order. */
		rows = o->top && o->top < n - idle ? o->top : n - idle;
		put_table(out, p, order, rows, o->color);
		if (rows < n - idle)
			fprintf(out, "%zu more attribute%s called (--top 0 lists all)\n",
				n - idle - rows, n - idle - rows == 1 ? " was" : "s were");
		put_sparks(out, p, order, rows);
	}
	if (idle && idle < n)
		fprintf(out, "%zu more attribute%s probed but never called\n", idle,
			idle == 1 ? " was" : "s were");

	profile__lock_total(p->unattributed, &lw);
	if (lw.count)
		fprintf(out, "lock waits outside any traced access: %s wait%s, %s\n",
			units__count(cnt, sizeof(cnt), lw.count), lw.count == 1 ? "" : "s",
			units__ns(total, sizeof(total), lw.total_ns));
	put_coverage(out, p);
	err = ferror(out) ? -EIO : 0;

out_free:
	free(order);
	return err;
}
