// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The HTML report: one self-contained page, to open from disk or attach to
 * a CI run. Everything is inline (CSS, a small script, SVG charts) and the
 * page fetches nothing: it must work offline and leak nothing about the
 * profile to a third party. It holds the target, the recommendations with
 * their evidence, a sortable table of every called attribute, and for the
 * heaviest ones a latency histogram and a lock-wait chart.
 *
 * Stable hooks for tests and scripts: section#recommendations (li.advice),
 * table#attributes (th[data-key], td[data-v]), svg.histogram (one rect per
 * non-empty slot, data-lower and data-count), svg.lockwait, and a URL
 * fragment "#sort=KEY" or "#sort=KEY:asc|desc" that sorts the table on load.
 */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "advise.h"
#include "hist.h"
#include "markup.h"
#include "report.h"
#include "units.h"

/* Attributes that get charts: each is two SVGs, and past these the page only grows. */
#define HTML_CHART_ATTRS 20

/* Histogram geometry, in SVG user units (px). */
#define HIST_W 420
#define HIST_H 150
#define HIST_PAD_L 6
#define HIST_PAD_R 6
#define HIST_PAD_T 16	  /* room for the "max N calls" caption */
#define HIST_PAD_B 18	  /* room for the axis labels */
#define HIST_MIN_SLOTS 16 /* four powers of two */

/* Lock-wait chart: one row per lock kind that was waited on. */
#define LOCK_W 420
#define LOCK_ROW_H 22
#define LOCK_LABEL_W 62
#define LOCK_BAR_W 180

static const char style[] =
	"body{font-family:'DejaVu Sans',sans-serif;margin:1.5em auto;max-width:1200px;"
	"padding:0 1em;color:#1d2228;background:#fff}\n"
	"h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .5em;"
	"border-bottom:1px solid #d5dae0;padding-bottom:.2em}h3{font-size:1em;margin:.2em 0}\n"
	"dl{display:grid;grid-template-columns:max-content auto;gap:.15em 1em;margin:0}"
	"dt{color:#5a6470}dd{margin:0;overflow-wrap:anywhere}\n"
	"code{font-family:'DejaVu Sans Mono',monospace;font-size:.92em}\n"
	"li.advice{margin:.6em 0}.saved{color:#1a7f37;font-weight:bold}\n"
	"ul.evidence{margin:.2em 0;padding-left:1.2em;color:#3d4650}\n"
	".how{margin:.2em 0}.estimate{margin:.2em 0;color:#5a6470;font-size:.9em}\n"
	"table{border-collapse:collapse;font-size:.9em;width:100%}"
	"th,td{padding:.25em .6em;border-bottom:1px solid #e4e7eb;white-space:nowrap}"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
	"td.name{white-space:normal;overflow-wrap:anywhere}\n"
	"th{cursor:pointer;user-select:none;background:#f3f5f7;position:sticky;top:0}"
	"th:hover{background:#e6eaee}"
	"th[aria-sort=descending]::after{content:' \\25BE'}"
	"th[aria-sort=ascending]::after{content:' \\25B4'}\n"
	"tbody tr:nth-child(odd){background:#fafbfc}\n"
	".charts{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0;padding:.6em;"
	"border:1px solid #e4e7eb;border-radius:4px}"
	".charts h3{flex-basis:100%}figure{margin:0}"
	"figcaption{font-size:.8em;color:#5a6470}\n"
	"svg text{font-size:11px;fill:#3d4650}rect.bar{fill:#3b7dd8}rect.bar:hover{fill:#1f5fb8}"
	"rect.lock{fill:#d8663b}rect.track{fill:#eef0f2}\n"
	".nodata{color:#5a6470;font-style:italic}\n";

/*
 * Sorts table#attributes by a clicked header: numbers descending first,
 * text ascending first, a second click reverses; ties keep the report's
 * rank, so every order is total. "#sort=KEY[:asc|desc]" applies on load.
 */
static const char script[] =
	"(function () {\n"
	"\tvar t = document.getElementById('attributes');\n"
	"\tif (!t)\n"
	"\t\treturn;\n"
	"\tvar ths = t.tHead.rows[0].cells;\n"
	"\tfunction sort(col, desc) {\n"
	"\t\tvar body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
	"\t\tvar num = ths[col].dataset.type === 'num';\n"
	"\t\trows.sort(function (a, b) {\n"
	"\t\t\tvar x = a.cells[col].dataset.v, y = b.cells[col].dataset.v, c;\n"
	"\t\t\tc = num ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);\n"
	"\t\t\treturn (desc ? -c : c) || Number(a.dataset.rank) - Number(b.dataset.rank);\n"
	"\t\t});\n"
	"\t\trows.forEach(function (r) { body.appendChild(r); });\n"
	"\t\tfor (var i = 0; i < ths.length; i++)\n"
	"\t\t\tths[i].removeAttribute('aria-sort');\n"
	"\t\tths[col].setAttribute('aria-sort', desc ? 'descending' : 'ascending');\n"
	"\t}\n"
	"\tArray.prototype.forEach.call(ths, function (th, i) {\n"
	"\t\tth.addEventListener('click', function () {\n"
	"\t\t\tvar cur = th.getAttribute('aria-sort');\n"
	"\t\t\tsort(i, cur ? cur === 'ascending' : th.dataset.type === 'num');\n"
	"\t\t});\n"
	"\t});\n"
	"\tvar m = /^#sort=([a-z_]+)(?::(asc|desc))?$/.exec(location.hash);\n"
	"\tArray.prototype.forEach.call(ths, function (th, i) {\n"
	"\t\tif (m && th.dataset.key === m[1])\n"
	"\t\t\tsort(i, m[2] ? m[2] === 'desc' : th.dataset.type === 'num');\n"
	"\t});\n"
	"})();\n";

static const char *owner_of(const struct prof_attr *a)
{
	return a->qualname ? a->qualname : a->owner;
}

/* owner.name, escaped. */
static void put_attr(FILE *out, const struct prof_attr *a)
{
	if (owner_of(a) && *owner_of(a)) {
		markup__escape(out, owner_of(a));
		fputc('.', out);
	}
	markup__escape(out, a->name);
}

static void put_kind_op(FILE *out, const struct prof_attr *a)
{
	markup__escape(out, profile__kind_name(a->kind));
	fputc('/', out);
	markup__escape(out, profile__op_name(a->op));
}

static void put_header(FILE *out, const struct profile *p)
{
	struct report_drop drops[REPORT_DROPS];
	char dur[UNITS_BUF], cost[UNITS_BUF];
	bool dropped = false;
	unsigned int i;

	fputs("<header id=\"target\">\n<h1>attrprof report: <code>", out);
	markup__escape(out, p->target.exe ? p->target.exe : "?");
	fputs("</code></h1>\n<dl>\n<dt>target</dt><dd><code>", out);
	markup__escape(out, p->target.exe ? p->target.exe : "?");
	fprintf(out, "</code> (pid %" PRId64 ")</dd>\n<dt>runtime</dt><dd>", p->target.pid);
	markup__escape(out, p->target.runtime ? p->target.runtime : "?");
	if (p->target.version) {
		fputc(' ', out);
		markup__escape(out, p->target.version);
	}
	fputs("</dd>\n", out);
	if (p->target.build_id) {
		fputs("<dt>build id</dt><dd><code>", out);
		markup__escape(out, p->target.build_id);
		fputs("</code></dd>\n", out);
	}
	units__ns(dur, sizeof(dur), p->duration_ns);
	fputs("<dt>mode</dt><dd>", out);
	markup__escape(out, p->mode ? p->mode : "?");
	if (report__count_only(p))
		fprintf(out, " for %s; latency not measured (entry probes only)</dd>\n", dur);
	else
		fprintf(out, " for %s; probe cost %s subtracted per call</dd>\n", dur,
			units__ns(cost, sizeof(cost), p->probe_cost_ns));
	if (p->end) {
		fputs("<dt>end</dt><dd>", out);
		markup__escape(out, p->end);
		if (p->exit_status >= 0)
			fprintf(out, ", exit status %" PRId64, p->exit_status);
		fputs("</dd>\n", out);
	}
	fputs("<dt>dropped</dt><dd>", out);
	report__drops(p, drops);
	for (i = 0; i < REPORT_DROPS; i++) {
		if (!drops[i].count)
			continue;
		fprintf(out, "%s%" PRIu64 " %s (%s)", dropped ? "; " : "", drops[i].count,
			drops[i].name, drops[i].why);
		dropped = true;
	}
	fputs(dropped ? "</dd>\n" : "none</dd>\n", out);
	fputs("</dl>\n</header>\n", out);
}

/* What a recommendation is about, linked to its charts when it has some. */
static void put_subject(FILE *out, const struct profile *p, const struct advice *ad,
			const size_t *rank_of)
{
	const struct prof_class *c;

	if (ad->attr < p->nattrs) {
		if (rank_of[ad->attr] < HTML_CHART_ATTRS)
			fprintf(out, "<a href=\"#attr-%zu\">", rank_of[ad->attr] + 1);
		fputs("<code>", out);
		put_attr(out, &p->attrs[ad->attr]);
		fputs("</code>", out);
		if (rank_of[ad->attr] < HTML_CHART_ATTRS)
			fputs("</a>", out);
		fputs(" (", out);
		put_kind_op(out, &p->attrs[ad->attr]);
		fputc(')', out);
	} else if (ad->cls < p->nclasses) {
		c = &p->classes[ad->cls];
		fputs("<code>", out);
		markup__escape(out, c->qualname ? c->qualname : c->owner);
		fprintf(out, "</code> (class, %" PRIu64 " instances)", c->allocs);
	} else {
		fputs("(unknown)", out);
	}
}

static void put_advice(FILE *out, const struct profile *p, const struct advice *ads, size_t n,
		       const size_t *rank_of)
{
	char val[UNITS_BUF + 8], thr[UNITS_BUF + 8], saved[UNITS_BUF];
	size_t i, e;

	fputs("<section id=\"recommendations\">\n<h2>Recommendations</h2>\n", out);
	if (!n) {
		fputs("<p class=\"nodata\">None: no rule found enough evidence.</p>\n</section>\n",
		      out);
		return;
	}
	fputs("<ol>\n", out);
	for (i = 0; i < n; i++) {
		const struct advice *ad = &ads[i];

		units__ns(saved, sizeof(saved),
			  ad->saved_ns_per_s > 0 ? (uint64_t)ad->saved_ns_per_s : 0);
		fprintf(out, "<li class=\"advice\" data-action=\"%s\"><strong>%s</strong> ",
			advise__action_name(ad->action), advise__action_name(ad->action));
		put_subject(out, p, ad, rank_of);
		fprintf(out, ": <span class=\"saved\">saves ~%s per second</span>\n", saved);
		fputs("<ul class=\"evidence\">\n", out);
		for (e = 0; e < ad->nevidence && e < ADVICE_MAX_EVIDENCE; e++) {
			const struct advice_evidence *ev = &ad->evidence[e];

			fputs("<li>", out);
			markup__escape(out, ev->name);
			fprintf(out, ": %s", units__figure(val, sizeof(val), ev->value, ev->unit));
			/* NAN: a figure given for information, with no bound. */
			if (!isnan(ev->threshold))
				fprintf(out, " (threshold %s)",
					units__figure(thr, sizeof(thr), ev->threshold, ev->unit));
			fputs("</li>\n", out);
		}
		fputs("</ul>\n<p class=\"how\">", out);
		markup__escape(out, ad->how_to);
		fputs("</p>\n<p class=\"estimate\">Estimate: ", out);
		markup__escape(out, ad->estimate);
		fputs("</p></li>\n", out);
	}
	fputs("</ol>\n</section>\n", out);
}

/* A numeric cell: data-v holds the raw figure the script sorts by, -1 when not measured. */
static void put_num(FILE *out, bool have, uint64_t v, const char *shown)
{
	if (have)
		fprintf(out, "<td class=\"num\" data-v=\"%" PRIu64 "\">%s</td>", v, shown);
	else
		fputs("<td class=\"num\" data-v=\"-1\">-</td>", out);
}

static void put_row(FILE *out, const struct profile *p, const struct prof_attr *a, size_t rank)
{
	bool timed = report__latency_measured(p, a);
	uint64_t p50 = 0, p90 = 0, p99 = 0;
	char b[UNITS_BUF];
	struct prof_lock lw;
	double per_s = 0;
	bool rate;

	if (timed) {
		p50 = hist__percentile(a->hist, 50, a->max_ns);
		p90 = hist__percentile(a->hist, 90, a->max_ns);
		p99 = hist__percentile(a->hist, 99, a->max_ns);
	}
	profile__lock_total(a->locks, &lw);
	rate = report__calls_per_s(p, a, &per_s);

	fprintf(out, "<tr data-rank=\"%zu\"><td class=\"name\" data-v=\"", rank + 1);
	put_attr(out, a);
	fputs("\">", out);
	if (rank < HTML_CHART_ATTRS)
		fprintf(out, "<a href=\"#attr-%zu\">", rank + 1);
	put_attr(out, a);
	fputs(rank < HTML_CHART_ATTRS ? "</a></td><td data-v=\"" : "</td><td data-v=\"", out);
	put_kind_op(out, a);
	fputs("\">", out);
	put_kind_op(out, a);
	fputs("</td>", out);
	put_num(out, true, a->count, units__count(b, sizeof(b), a->count));
	if (rate)
		fprintf(out, "<td class=\"num\" data-v=\"%.3f\">%s</td>", per_s,
			units__rate(b, sizeof(b), per_s));
	else
		put_num(out, false, 0, NULL);
	put_num(out, timed, p50, units__ns(b, sizeof(b), p50));
	put_num(out, timed, p90, units__ns(b, sizeof(b), p90));
	put_num(out, timed, p99, units__ns(b, sizeof(b), p99));
	put_num(out, timed, a->max_ns, units__ns(b, sizeof(b), a->max_ns));
	b[0] = '~'; /* scaled up from a sample of the calls */
	units__ns(b + report__time_sampled(p, a), sizeof(b) - 1, profile__time_ns(p, a));
	put_num(out, timed, profile__time_ns(p, a), b);
	put_num(out, lw.count, lw.total_ns, units__ns(b, sizeof(b), lw.total_ns));
	b[0] = '~'; /* scaled up from a sample of the calls */
	units__count(b + report__time_sampled(p, a), sizeof(b) - 1, profile__errors(p, a));
	put_num(out, true, profile__errors(p, a), b);
	put_num(out, true, a->threads, units__count(b, sizeof(b), a->threads));
	fputs("</tr>\n", out);
}

static void put_table(FILE *out, const struct profile *p, const size_t *order, size_t called)
{
	static const struct {
		const char *key, *label;
		bool num;
	} cols[] = {
		{"attribute", "attribute", false},
		{"kind", "kind/op", false},
		{"count", "count", true},
		{"rate", "calls/s", true},
		{"p50", "p50", true},
		{"p90", "p90", true},
		{"p99", "p99", true},
		{"max", "max", true},
		{"total", "total", true},
		{"lock", "lock wait", true},
		{"errors", "errors", true},
		{"threads", "threads", true},
	};
	const char *ranked = report__count_only(p) ? "count" : "total";
	size_t i;

	fputs("<table id=\"attributes\">\n<thead><tr>", out);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		fprintf(out, "<th data-key=\"%s\" data-type=\"%s\"%s%s>%s</th>", cols[i].key,
			cols[i].num ? "num" : "str", cols[i].num ? " class=\"num\"" : "",
			/* The rows come in report__rank order: say so. */
			strcmp(cols[i].key, ranked) ? "" : " aria-sort=\"descending\"",
			cols[i].label);
	fputs("</tr></thead>\n<tbody>\n", out);
	for (i = 0; i < called; i++)
		put_row(out, p, &p->attrs[order[i]], i);
	fputs("</tbody>\n</table>\n", out);
}

/*
 * The latency histogram of a: one bar per non-empty slot, placed by slot
 * index from the first non-empty slot to the last, so the x axis is
 * log-linear like the slots themselves and gaps show as gaps.
 */
static void put_histogram(FILE *out, const struct prof_attr *a)
{
	const int plot_w = HIST_W - HIST_PAD_L - HIST_PAD_R,
		  plot_h = HIST_H - HIST_PAD_T - HIST_PAD_B;
	unsigned int s, first = HIST_SLOTS, last = 0;
	char lo[UNITS_BUF], hi[UNITS_BUF], cnt[UNITS_BUF];
	uint64_t top = 0;
	double bw;

	for (s = 0; s < HIST_SLOTS; s++) {
		if (!a->hist[s])
			continue;
		first = first < s ? first : s;
		last = s;
		top = a->hist[s] > top ? a->hist[s] : top;
	}
	if (!top) {
		fputs("<p class=\"nodata\">no timed calls</p>\n", out);
		return;
	}
	/* At least HIST_MIN_SLOTS wide, so one busy slot is a bar, not a block. */
	while (last - first + 1 < HIST_MIN_SLOTS && last + 1 < HIST_SLOTS)
		last++;
	while (last - first + 1 < HIST_MIN_SLOTS && first > 0)
		first--;
	bw = (double)plot_w / (last - first + 1);
	fprintf(out,
		"<svg class=\"histogram\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" aria-label=\"latency histogram\">\n",
		HIST_W, HIST_H, HIST_W, HIST_H);
	fprintf(out, "<text x=\"%d\" y=\"11\">max %s calls in one slot</text>\n", HIST_PAD_L,
		units__count(cnt, sizeof(cnt), top));
	for (s = first; s <= last; s++) {
		double h;

		if (!a->hist[s])
			continue;
		/* A bar of one call among millions still shows. */
		h = (double)a->hist[s] * plot_h / (double)top;
		h = h < 1 ? 1 : h;
		fprintf(out,
			"<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"data-lower=\"%" PRIu64 "\" data-count=\"%" PRIu64
			"\"><title>%s and up: %s "
			"calls</title></rect>\n",
			HIST_PAD_L + (s - first) * bw, HIST_PAD_T + plot_h - h,
			bw > 2 ? bw - 1 : bw, h, hist__lower(s), a->hist[s],
			units__ns(lo, sizeof(lo), hist__lower(s)),
			units__count(cnt, sizeof(cnt), a->hist[s]));
	}
	/* The last slot is open-ended: label the axis with its lower bound then. */
	units__ns(lo, sizeof(lo), hist__lower(first));
	units__ns(hi, sizeof(hi), last + 1 < HIST_SLOTS ? hist__upper(last) : hist__lower(last));
	fprintf(out,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8a949e\"/>\n"
		"<text x=\"%d\" y=\"%d\">%s</text>\n"
		"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n</svg>\n",
		HIST_PAD_L, HIST_PAD_T + plot_h, HIST_W - HIST_PAD_R, HIST_PAD_T + plot_h,
		HIST_PAD_L, HIST_H - 4, lo, HIST_W - HIST_PAD_R, HIST_H - 4, hi);
}

/*
 * a's lock waits by kind, each bar scaled to the attribute's total time
 * (or the longest wait total, if larger), so its length reads as the share
 * of the access spent waiting.
 */
static void put_lockwait(FILE *out, const struct profile *p, const struct prof_attr *a)
{
	char total[UNITS_BUF], cnt[UNITS_BUF];
	uint64_t scale = profile__time_ns(p, a);
	unsigned int k, rows = 0, row = 0;

	for (k = 0; k < LOCK_KINDS; k++) {
		rows += !!a->locks[k].count;
		scale = a->locks[k].total_ns > scale ? a->locks[k].total_ns : scale;
	}
	fprintf(out,
		"<svg class=\"lockwait\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" aria-label=\"lock waits by kind\">\n",
		LOCK_W, (rows ? rows : 1) * LOCK_ROW_H + 4, LOCK_W,
		(rows ? rows : 1) * LOCK_ROW_H + 4);
	if (!rows)
		fprintf(out, "<text x=\"0\" y=\"%d\">no lock waits</text>\n", LOCK_ROW_H - 7);
	for (k = 0; k < LOCK_KINDS; k++) {
		const struct prof_lock *l = &a->locks[k];
		double w;
		int y;

		if (!l->count)
			continue;
		y = row++ * LOCK_ROW_H + 4;
		w = scale ? (double)l->total_ns * LOCK_BAR_W / (double)scale : 0;
		fprintf(out,
			"<text x=\"0\" y=\"%d\">%s</text>"
			"<rect class=\"track\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
			"<rect class=\"lock\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			"data-kind=\"%s\" data-total=\"%" PRIu64 "\"/>"
			"<text x=\"%d\" y=\"%d\">%s, %s wait%s</text>\n",
			y + LOCK_ROW_H - 9, profile__lock_kind_name(k), LOCK_LABEL_W, y, LOCK_BAR_W,
			LOCK_ROW_H - 6, LOCK_LABEL_W, y, w < 1 ? 1 : w, LOCK_ROW_H - 6,
			profile__lock_kind_name(k), l->total_ns, LOCK_LABEL_W + LOCK_BAR_W + 6,
			y + LOCK_ROW_H - 9, units__ns(total, sizeof(total), l->total_ns),
			units__count(cnt, sizeof(cnt), l->count), l->count == 1 ? "" : "s");
	}
	fputs("</svg>\n", out);
}

static void put_charts(FILE *out, const struct profile *p, const size_t *order, size_t called)
{
	size_t i, n = called < HTML_CHART_ATTRS ? called : HTML_CHART_ATTRS;
	char total[UNITS_BUF];

	fprintf(out, "<section id=\"charts\">\n<h2>Latency and lock waits (top %zu)</h2>\n", n);
	for (i = 0; i < n; i++) {
		const struct prof_attr *a = &p->attrs[order[i]];

		fprintf(out, "<div class=\"charts\" id=\"attr-%zu\">\n<h3>%zu. <code>", i + 1,
			i + 1);
		put_attr(out, a);
		fputs("</code> ", out);
		put_kind_op(out, a);
		if (report__latency_measured(p, a))
			fprintf(out, ", total %s%s", report__time_sampled(p, a) ? "~" : "",
				units__ns(total, sizeof(total), profile__time_ns(p, a)));
		fputs("</h3>\n<figure>\n", out);
		if (report__latency_measured(p, a))
			put_histogram(out, a);
		else
			fputs("<p class=\"nodata\">latency not measured</p>\n", out);
		fputs("<figcaption>latency per call (log-linear slots)</figcaption>\n</figure>\n"
		      "<figure>\n",
		      out);
		put_lockwait(out, p, a);
		fputs("<figcaption>lock waits by kind, against the total time</figcaption>\n"
		      "</figure>\n</div>\n",
		      out);
	}
	fputs("</section>\n", out);
}

/* What the profile could not see, and lock waits outside any access. */
static void put_coverage(FILE *out, const struct profile *p)
{
	char cnt[UNITS_BUF], total[UNITS_BUF];
	struct prof_lock lw;
	bool any = false;
	size_t i;

	fputs("<section id=\"coverage\">\n<h2>Coverage</h2>\n<ul>\n", out);
	for (i = 0; i < p->ncoverage; i++) {
		const struct prof_coverage *c = &p->coverage[i];

		if (c->status && !strcmp(c->status, "exact"))
			continue;
		fputs("<li><strong>", out);
		markup__escape(out, c->kind);
		fputs("</strong> (", out);
		markup__escape(out, c->status);
		fputs("): ", out);
		markup__escape(out, c->why);
		fputs("</li>\n", out);
		any = true;
	}
	profile__lock_total(p->unattributed, &lw);
	if (lw.count) {
		fprintf(out, "<li>lock waits outside any traced access: %s wait%s, %s</li>\n",
			units__count(cnt, sizeof(cnt), lw.count), lw.count == 1 ? "" : "s",
			units__ns(total, sizeof(total), lw.total_ns));
		any = true;
	}
	if (!any)
		fputs("<li>every kind of access this target makes was seen exactly</li>\n", out);
	fputs("</ul>\n</section>\n", out);
}

int report__render_html(FILE *out, const struct profile *p)
{
	size_t *order, *rank_of, n, i, called = 0;
	struct advice *ads = NULL;
	size_t nads = 0;
	int err = -ENOMEM;

	order = malloc((p->nattrs ? p->nattrs : 1) * sizeof(*order));
	rank_of = malloc((p->nattrs ? p->nattrs : 1) * sizeof(*rank_of));
	if (!order || !rank_of)
		goto out_free;
	err = advise__profile(p, &ads, &nads);
	if (err)
		goto out_free;
	n = report__rank(p, order);
	for (i = 0; i < n; i++) {
		rank_of[order[i]] = i;
		called += !!p->attrs[i].count;
	}

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>attrprof: ",
	      out);
	markup__escape(out, p->target.exe ? p->target.exe : "?");
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	put_header(out, p);
	put_advice(out, p, ads, nads, rank_of);

	fputs("<section id=\"table\">\n<h2>Attributes</h2>\n", out);
	if (!n)
		fputs("<p class=\"nodata\">No attributes were probed.</p>\n", out);
	else if (!called)
		fprintf(out,
			"<p class=\"nodata\">None of the %zu probed attributes was called.</p>\n",
			n);
	else
		put_table(out, p, order, called);
	if (called && n > called)
		fprintf(out, "<p>%zu more probed but never called.</p>\n", n - called);
	fputs("</section>\n", out);
	/* Ranking puts the called ones first: the charts take a prefix of order. */
	if (called)
		put_charts(out, p, order, called);
	put_coverage(out, p);
	fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n", script);
	err = ferror(out) ? -EIO : 0;

	free(ads);
out_free:
	free(rank_of);
	free(order);
	return err;
}
