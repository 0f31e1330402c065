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
 * The probed functions, written out so their first instruction is certain:
 * `push %rbp`, which the kernel emulates, and `mov`, which it single-steps.
 * Each mode (timed, count-only) gets its own copy so probes never overlap.
 * x86-64 only, like insn__classify().
 */
void cal_emulated_timed(void);
void cal_emulated_count(void);
void cal_sstep_timed(void);
void cal_sstep_count(void);
asm(".pushsection .text\n"
    ".p2align 4\n"
    "cal_emulated_timed:\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
    ".p2align 4\n"
    "cal_emulated_count:\n\tpush %rbp\n\tmov %rsp, %rbp\n\tpop %rbp\n\tret\n"
    ".p2align 4\n"
    "cal_sstep_timed:\n\tmov %rdi, %rax\n\tret\n"
    ".p2align 4\n"
    "cal_sstep_count:\n\tmov %rdi, %rax\n\tret\n"
    ".popsection\n");

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

/*
 * Probes fn in timed or count-only mode and returns the wall time per call
 * in *wall and, timed, the low (10th percentile) duration the probes measured in *frame.
 */
static int measure(struct attrprof_bpf *skel, struct links *l, void (*fn)(void), uint32_t attr,
		   bool sstep, bool timed, uint64_t *wall, uint64_t *frame, char *err,
		   size_t errlen)
{
	struct probe_site site = {.kind = SITE_ACCESS,
				  .name = "calibration",
				  .cookie =
					  attr | (sstep ? COOKIE_SSTEP << COOKIE_FLAGS_SHIFT : 0)};
	uint64_t hist[HIST_SLOTS];
	struct attr_stats sum;
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
	ret = snapshot__reset_attr(skel, attr);
	if (ret)
		goto fail;
	*wall = ns_per_call(fn);
	if (!timed)
		return 0;
	ret = snapshot__attr_stats(skel, attr, &sum);
	if (ret)
		goto fail;
	for (int i = 0; i < HIST_SLOTS; i++)
		hist[i] = sum.hist[i];
	/* A low percentile for the same reason as ns_per_call's minimum; slots are too coarse for a
	 * minimum. */
	*frame = hist__percentile(hist, 10, sum.max_ns);
	return 0;
fail:
	snprintf(err, errlen, "calibration: reading the stats map: %s", strerror(-ret));
	return ret;
}

static uint64_t minus(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

int calibrate__run(struct attrprof_bpf *skel, bool multi, struct prof_calibration *out, char *err,
		   size_t errlen)
{
	uint64_t bare, timed[PROBE_CLASSES], count[PROBE_CLASSES], unused;
	struct links cal_links = {.multi = multi}, *l = &cal_links;
	int ret;

	memset(out, 0, sizeof(*out));
	skel->bss->target_tgid = getpid();
	bare = ns_per_call(cal_emulated_timed);
	ret = measure(skel, l, cal_emulated_timed, ATTR_CALIBRATION, false, true, &timed[0],
		      &out->frame_ns[0], err, errlen) ?:
	      measure(skel, l, cal_sstep_timed, ATTR_CALIBRATION + 1, true, true, &timed[1],
		      &out->frame_ns[1], err, errlen) ?:
	      measure(skel, l, cal_emulated_count, ATTR_CALIBRATION, false, false, &count[0],
		      &unused, err, errlen) ?:
	      measure(skel, l, cal_sstep_count, ATTR_CALIBRATION + 1, true, false, &count[1],
		      &unused, err, errlen);
	/* Never called again: their detach (a grace period each) need not hold anyone up. */
	attach__destroy_async(l);
	if (ret)
		return ret;
	for (int c = 0; c < PROBE_CLASSES; c++)
		out->entry_ns[c] = minus(count[c], bare);
	/* The return hit is the same whichever class the entry was: average both. */
	out->return_ns = (minus(timed[0], count[0]) + minus(timed[1], count[1])) / 2;

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
