// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "attrprof.h"
#include "calibrate.h"
#include "attrprof.skel.h"
#include "hist.h"
#include "snapshot.h"

/* Enough for a clean fastest call; each single-stepped timed call costs over 10 us. */
#define CALIBRATION_CALLS 200
/*
 * Every configuration is measured in this many rounds, apart in time, and
 * the lowest of the rounds is kept. One round is a few milliseconds: on a
 * loaded machine, with other attrprof sessions starting, all of one round's
 * calls can hit a slow stretch, and costs taken from it would be subtracted,
 * several times too large, from every latency of the run.
 */
#define CALIBRATION_ROUNDS 5
/* Between rounds: longer than a slow stretch seen at start-up, short next to the attach. */
#define CALIBRATION_PAUSE_NS 2000000

/*
 * The probed functions, written out so their first instruction is certain:
 * `push %rbp`, which the kernel emulates, and `mov`, which it single-steps.
 * Each mode (timed, count-only) gets its own copy so probes never overlap;
 * cal_bare, never probed, is the call without probes.
 * x86-64 only, like insn__classify().
 */
void cal_emulated_timed(void);
void cal_emulated_count(void);
void cal_sstep_timed(void);
void cal_sstep_count(void);
void cal_bare(void);
asm(".pushsection .text\n"
    ".p2align 4\n"
    "cal_emulated_timed:\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
    ".p2align 4\n"
    "cal_emulated_count:\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
    ".p2align 4\n"
    "cal_sstep_timed:\n\tmov %rdi, %rax\n\tret\n"
    ".p2align 4\n"
    "cal_sstep_count:\n\tmov %rdi, %rax\n\tret\n"
    ".p2align 4\n"
    "cal_bare:\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
    ".popsection\n");

/* The probed configurations: timed ones first, indexed by probe class. */
enum { CAL_TIMED = 0, CAL_COUNT = PROBE_CLASSES, CAL_CONFIGS = 2 * PROBE_CLASSES };
static void (*const cal_fns[CAL_CONFIGS])(void) = {cal_emulated_timed, cal_sstep_timed,
						   cal_emulated_count, cal_sstep_count};

/* Wall times per call, and the probes' own low frame durations, of one round. */
struct cal_round {
	uint64_t bare, wall[CAL_CONFIGS], frame[PROBE_CLASSES];
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
static uint64_t ns_per_call(void (*fn)(void))
{
	uint64_t shortest = UINT64_MAX;

	for (int i = 0; i < CALIBRATION_CALLS; i++) {
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

/* Probes fn (class sstep) in timed or count-only mode and calls it until warm. */
static int probe(struct attrprof_bpf *skel, struct links *l, void (*fn)(void), bool sstep,
		 bool timed, char *err, size_t errlen)
{
	struct probe_site site = {.kind = SITE_ACCESS,
				  .name = "calibration",
				  .cookie = (ATTR_CALIBRATION + sstep) |
					    (sstep ? COOKIE_SSTEP << COOKIE_FLAGS_SHIFT : 0)};
	char path[4096];
	int ret;

	ret = own_offset(fn, path, sizeof(path), &site.offset);
	if (ret) {
		snprintf(err, errlen, "calibration: cannot find own code in /proc/self/maps: %s",
			 strerror(-ret));
		return ret;
	}
	site.host_path = path;
	site.ret_offset = site.offset;
	ret = attach__sites(skel, getpid(), &site, 1, timed, l, err, errlen);
	if (ret)
		return ret;
	ns_per_call(fn); /* warm-up: the first hits fault in pages and allocate task storage */
	return 0;
}

/*
 * One round: each configuration's fastest call and, timed, the low (10th
 * percentile) duration the probes measured; a low percentile for the same
 * reason as the fastest call, as the histogram's slots are too coarse for a
 * minimum. The count-only probes add to the same attributes' counts only.
 */
static int measure_round(struct attrprof_bpf *skel, struct cal_round *r)
{
	uint64_t hist[HIST_SLOTS];
	struct attr_stats sum;
	int ret;

	r->bare = ns_per_call(cal_bare);
	for (int k = 0; k < CAL_CONFIGS; k++) {
		bool timed = k < CAL_COUNT;
		uint32_t attr = ATTR_CALIBRATION + k % PROBE_CLASSES;

		if (timed) {
			ret = snapshot__reset_attr(skel, attr);
			if (ret)
				return ret;
		}
		r->wall[k] = ns_per_call(cal_fns[k]);
		if (!timed)
			continue;
		ret = snapshot__attr_stats(skel, attr, &sum);
		if (ret)
			return ret;
		for (int i = 0; i < HIST_SLOTS; i++)
			hist[i] = sum.hist[i];
		r->frame[k] = hist__percentile(hist, 10, sum.max_ns);
	}
	return 0;
}

static uint64_t lower(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The lowest of CALIBRATION_ROUNDS rounds, field by field: load only ever adds time. */
static int measure(struct attrprof_bpf *skel, struct cal_round *low, char *err, size_t errlen)
{
	struct timespec pause = {.tv_nsec = CALIBRATION_PAUSE_NS};
	struct cal_round r;
	int ret;

	for (int round = 0; round < CALIBRATION_ROUNDS; round++) {
		if (round)
			nanosleep(&pause, NULL);
		ret = measure_round(skel, &r);
		if (ret) {
			snprintf(err, errlen, "calibration: reading the stats map: %s",
				 strerror(-ret));
			return ret;
		}
		if (!round) {
			*low = r;
			continue;
		}
		low->bare = lower(low->bare, r.bare);
		for (int k = 0; k < CAL_CONFIGS; k++)
			low->wall[k] = lower(low->wall[k], r.wall[k]);
		for (int c = 0; c < PROBE_CLASSES; c++)
			low->frame[c] = lower(low->frame[c], r.frame[c]);
	}
	return 0;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

int calibrate__run(struct attrprof_bpf *skel, bool multi, struct prof_calibration *out, char *err,
		   size_t errlen)
{
	struct links cal_links = {.multi = multi}, *l = &cal_links;
	struct cal_round low;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	skel->bss->target_tgid = getpid();
	for (int k = 0; k < CAL_CONFIGS && !ret; k++)
		ret = probe(skel, l, cal_fns[k], k % PROBE_CLASSES, k < CAL_COUNT, err, errlen);
	if (!ret)
		ret = measure(skel, &low, err, errlen);
	/* Never called again: their detach (a grace period each) need not hold anyone up. */
	attach__destroy_async(l);
	if (ret)
		return ret;
	for (int c = 0; c < PROBE_CLASSES; c++) {
		out->frame_ns[c] = low.frame[c];
		out->entry_ns[c] = minus(low.wall[CAL_COUNT + c], low.bare);
	}
	/* The return hit is the same whichever class the entry was: average both. */
	out->return_ns = (minus(low.wall[CAL_TIMED], low.wall[CAL_COUNT]) +
			  minus(low.wall[CAL_TIMED + 1], low.wall[CAL_COUNT + 1])) /
			 2;

	for (int c = 0; c < PROBE_CLASSES; c++) {
		skel->bss->frame_cost_ns[c] = out->frame_ns[c];
		skel->bss->entry_cost_ns[c] = out->entry_ns[c];
	}
	skel->bss->return_cost_ns = out->return_ns;
	ret = snapshot__reset_attr(skel, ATTR_CALIBRATION);
	if (!ret)
		ret = snapshot__reset_attr(skel, ATTR_CALIBRATION + 1);
	if (ret)
		snprintf(err, errlen, "calibration: resetting the stats map: %s", strerror(-ret));
	return ret;
}
