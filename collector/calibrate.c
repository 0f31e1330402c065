// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attrprof.h"
#include "calibrate.h"
#include "attrprof.skel.h"
#include "hist.h"
#include "snapshot.h"

/*
 * Calls per configuration and round: enough for a clean fastest call and
 * mean. A single-stepped call costs 7-15 us: fewer of those, as start-up
 * time is every record's.
 */
#define CALIBRATION_CALLS 160
#define CALIBRATION_SSTEP_CALLS 40
/* Calls before the first round: the first hits fault in pages and allocate task storage. */
#define CALIBRATION_WARMUP_CALLS 16
/*
 * Every configuration is measured in this many rounds, apart in time, and
 * the lowest of the rounds is kept. One round is a millisecond or two: on a
 * loaded machine, with other attrprof sessions starting, all of one round's
 * calls can hit a slow stretch, and costs taken from it would be subtracted,
 * several times too large, from every latency of the run.
 */
#define CALIBRATION_ROUNDS 3
/* Between rounds: longer than a slow stretch seen at start-up, short next to the attach. */
#define CALIBRATION_PAUSE_NS 500000

/*
 * The probed functions, written out so their first instruction is certain:
 * `push %rbp`, which the kernel emulates, and `mov`, which it single-steps.
 * Each configuration gets its own copy so probes never overlap; cal_bare,
 * never probed, is the call without probes. x86-64 only, like insn__classify().
 */
void cal_emulated_timed(void);
void cal_emulated_untimed(void);
void cal_sstep_timed(void);
void cal_sstep_untimed(void);
void cal_bare(void);
asm(".pushsection .text\n"
    ".p2align 4\n"
    "cal_emulated_timed:\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
    ".p2align 4\n"
    "cal_emulated_untimed:\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
    ".p2align 4\n"
    "cal_sstep_timed:\n\tmov %rdi, %rax\n\tret\n"
    ".p2align 4\n"
    "cal_sstep_untimed:\n\tmov %rdi, %rax\n\tret\n"
    ".p2align 4\n"
    "cal_bare:\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
    ".popsection\n");

/* The configurations: timed ones first, indexed by probe class. */
enum { CAL_TIMED = 0, CAL_UNTIMED = PROBE_CLASSES, CAL_CONFIGS = 2 * PROBE_CLASSES };
static void (*const cal_fns[CAL_CONFIGS])(void) = {cal_emulated_timed, cal_sstep_timed,
						   cal_emulated_untimed, cal_sstep_untimed};

/* Whether configuration k is measured for these classes and mode. */
static bool wanted(int k, unsigned int classes, bool timed)
{
	return (classes & (1U << (k % PROBE_CLASSES))) && (timed || k >= CAL_UNTIMED);
}

/* Wall times per call, and the probes' own frame durations, of one round. */
struct cal_round {
	uint64_t bare, wall[CAL_CONFIGS];
	uint64_t frame[PROBE_CLASSES];	    /* mean */
	uint64_t median[PROBE_CLASSES];	    /* the durations' median */
	uint64_t resolution[PROBE_CLASSES]; /* 10th to 90th percentile */
	/*
	 * measure(): the highest and lowest of the rounds' medians. Medians,
	 * not means: one call of 40 preempted for 4 ms moves a round's mean
	 * by 100 us, which is the machine's load, not the probes' spread.
	 */
	uint64_t median_high[PROBE_CLASSES], median_low[PROBE_CLASSES];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The shortest time of one call of fn, clock reads included (they cancel
 * out between the configurations compared). The shortest, not a mean or a
 * median: on a loaded machine most calls wait for a CPU, and a cost taken
 * from them would be subtracted, too large, from every latency. What is
 * subtracted must be the probes' own cost, which the fastest call shows.
 */
static uint64_t ns_per_call(void (*fn)(void), int calls)
{
	uint64_t shortest = UINT64_MAX;

	for (int i = 0; i < calls; i++) {
		uint64_t start = now_ns(), took;

		fn();
		took = now_ns() - start;
		if (took < shortest)
			shortest = took;
	}
	return shortest;
}

/* Where fn lies in our own executable, from where it is mapped. */
static int own_offset(void (*fn)(void), char *path, size_t len, uint64_t *offset)
{
	unsigned long addr = (unsigned long)fn, start, end, off;
	char line[512], file[4096];
	FILE *f = fopen("/proc/self/maps", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %4095s", &start, &end, &off, file) != 4)
			continue;
		if (addr >= start && addr < end) {
			snprintf(path, len, "%s", file);
			*offset = addr - start + off;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * Probes configuration k's function the way the target's probes will be
 * paid: a timed site times every call, an untimed one (on a timed site when
 * the target's are, so its hit is a session entry that skips its return)
 * none. Calls it until warm.
 */
static int probe(struct attrprof_bpf *skel, struct links *l, int k, bool timed, char *err,
		 size_t errlen)
{
	bool sstep = k % PROBE_CLASSES;
	uint64_t flags = (sstep ? COOKIE_SSTEP : 0) |
			 (k < CAL_UNTIMED ? COOKIE_TIME_ALL : COOKIE_TIME_NEVER);
	struct probe_site site = {.kind = SITE_ACCESS,
				  .name = "calibration",
				  .cookie =
					  (ATTR_CALIBRATION + sstep) | flags << COOKIE_FLAGS_SHIFT,
				  .timed = timed};
	char path[4096];
	int ret;

	ret = own_offset(cal_fns[k], path, sizeof(path), &site.offset);
	if (ret) {
		snprintf(err, errlen, "calibration: cannot find own code in /proc/self/maps: %s",
			 strerror(-ret));
		return ret;
	}
	site.host_path = path;
	ret = attach__sites(skel, getpid(), &site, 1, l, err, errlen);
	if (ret)
		return ret;
	ns_per_call(cal_fns[k], CALIBRATION_WARMUP_CALLS);
	return 0;
}

/*
 * One round: each configuration's fastest call and, timed, the mean and
 * the spread of the durations the probes measured (no cost subtracted yet).
 * The untimed probes add to the same attributes' counts only.
 */
static int measure_round(struct attrprof_bpf *skel, unsigned int classes, bool timed,
			 struct cal_round *r)
{
	uint64_t hist[HIST_SLOTS];
	struct attr_stats sum;
	int ret;

	r->bare = ns_per_call(cal_bare, CALIBRATION_CALLS);
	for (int k = 0; k < CAL_CONFIGS; k++) {
		uint32_t attr = ATTR_CALIBRATION + k % PROBE_CLASSES;
		int c = k % PROBE_CLASSES;

		if (!wanted(k, classes, timed))
			continue;
		if (k < CAL_UNTIMED) {
			ret = snapshot__reset_attr(skel, attr);
			if (ret)
				return ret;
		}
		r->wall[k] =
			ns_per_call(cal_fns[k], c ? CALIBRATION_SSTEP_CALLS : CALIBRATION_CALLS);
		if (k >= CAL_UNTIMED)
			continue;
		ret = snapshot__attr_stats(skel, attr, &sum);
		if (ret)
			return ret;
		for (int i = 0; i < HIST_SLOTS; i++)
			hist[i] = sum.hist[i];
		r->frame[c] = sum.timed ? sum.total_ns / sum.timed : 0;
		r->median[c] = hist__percentile(hist, 50, sum.max_ns);
		r->resolution[c] = hist__percentile(hist, 90, sum.max_ns) -
				   hist__percentile(hist, 10, sum.max_ns);
	}
	return 0;
}

static uint64_t lower(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * The lowest of CALIBRATION_ROUNDS rounds, wall times field by field (load
 * only ever adds time), the frame costs as the round with the lowest mean
 * measured them.
 */
static int measure(struct attrprof_bpf *skel, unsigned int classes, bool timed,
		   struct cal_round *low, char *err, size_t errlen)
{
	struct timespec pause = {.tv_nsec = CALIBRATION_PAUSE_NS};
	struct cal_round r;
	int ret;

	for (int round = 0; round < CALIBRATION_ROUNDS; round++) {
		if (round)
			nanosleep(&pause, NULL);
		memset(&r, 0, sizeof(r));
		ret = measure_round(skel, classes, timed, &r);
		if (ret) {
			snprintf(err, errlen, "calibration: reading the stats map: %s",
				 strerror(-ret));
			return ret;
		}
		if (!round) {
			*low = r;
			memcpy(low->median_high, r.median, sizeof(r.median));
			memcpy(low->median_low, r.median, sizeof(r.median));
			continue;
		}
		low->bare = lower(low->bare, r.bare);
		for (int k = 0; k < CAL_CONFIGS; k++)
			low->wall[k] = lower(low->wall[k], r.wall[k]);
		for (int c = 0; c < PROBE_CLASSES; c++) {
			if (r.median[c] > low->median_high[c])
				low->median_high[c] = r.median[c];
			low->median_low[c] = lower(low->median_low[c], r.median[c]);
			if (r.frame[c] >= low->frame[c])
				continue;
			low->frame[c] = r.frame[c];
			low->resolution[c] = r.resolution[c];
		}
	}
	return 0;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Fills out from the lowest round. */
static void costs_of(const struct cal_round *low, unsigned int classes, bool timed,
		     struct prof_calibration *out)
{
	unsigned int nreturns = 0;

	memset(out, 0, sizeof(*out));
	for (int c = 0; c < PROBE_CLASSES; c++) {
		if (!(classes & (1U << c)))
			continue;
		out->entry_ns[c] = minus(low->wall[CAL_UNTIMED + c], low->bare);
		if (!timed)
			continue;
		out->frame_ns[c] = low->frame[c];
		/*
		 * The spread of the probe time inside a call within a round, or
		 * between the rounds (the machine's load moves it, and the lowest is
		 * what is subtracted), and no less than that time itself: from one
		 * run to the next it moves by a third of itself and more (the
		 * target's caches hold its own work, this loop's the probes'), by
		 * an amount nothing here measures. A call shorter than the probe
		 * time it is measured through is not told apart from it.
		 */
		out->resolution_ns[c] = low->resolution[c];
		if (low->median_high[c] - low->median_low[c] > out->resolution_ns[c])
			out->resolution_ns[c] = low->median_high[c] - low->median_low[c];
		if (low->frame[c] > out->resolution_ns[c])
			out->resolution_ns[c] = low->frame[c];
		/* The return hit is the same whichever class the entry was: average them. */
		out->return_ns += minus(low->wall[CAL_TIMED + c], low->wall[CAL_UNTIMED + c]);
		nreturns++;
	}
	if (nreturns)
		out->return_ns /= nreturns;
}

int calibrate__run(struct attrprof_bpf *skel, const struct links *target_links,
		   unsigned int classes, bool timed, struct prof_calibration *out, char *err,
		   size_t errlen)
{
	struct links cal_links = {.multi = target_links->multi, .sessions = target_links->sessions},
		     *l = &cal_links;
	struct cal_round low;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	skel->bss->target_tgid = getpid();
	for (int k = 0; k < CAL_CONFIGS && !ret; k++)
		if (wanted(k, classes, timed))
			ret = probe(skel, l, k, timed, err, errlen);
	if (!ret)
		ret = measure(skel, classes, timed, &low, err, errlen);
	/* Never called again: their detach (a grace period each) need not hold anyone up. */
	attach__destroy_async(l);
	if (ret)
		return ret;
	costs_of(&low, classes, timed, out);
	for (int c = 0; c < PROBE_CLASSES; c++) {
		skel->bss->frame_cost_ns[c] = out->frame_ns[c];
		skel->bss->entry_cost_ns[c] = out->entry_ns[c];
	}
	skel->bss->return_cost_ns = out->return_ns;
	ret = snapshot__reset_attr(skel, ATTR_CALIBRATION) ?:
	      snapshot__reset_attr(skel, ATTR_CALIBRATION + 1) ?: snapshot__reset_traps(skel);
	if (ret)
		snprintf(err, errlen, "calibration: resetting the stats map: %s", strerror(-ret));
	return ret;
}
