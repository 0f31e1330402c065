/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Measures what the probes themselves cost, on functions of our own, so
 * that reported latencies can exclude it.
 */
#ifndef ATTRPROF_CALIBRATE_H
#define ATTRPROF_CALIBRATE_H

#include <stdint.h>
#include "attach.h"
#include "profile.h"

/*
 * Probes do-nothing functions of this process, one per probe class in
 * classes (bit 1 << class: emulated and single-stepped first instruction),
 * with timed calls (when timed) and untimed ones, through the links l says
 * the target's probes use (multi, sessions), calls them, and sets the
 * skeleton's cost variables and *out. Must run after load and before the
 * target's probes are attached; leaves target_tgid pointing at this process.
 * The calibration probes are detached in the background.
 * Returns 0, or a negative errno with a message in err.
 */
int calibrate__run(struct attrprof_bpf *skel, const struct links *l, unsigned int classes,
		   bool timed, struct prof_calibration *out, char *err, size_t errlen);

#endif /* ATTRPROF_CALIBRATE_H */
