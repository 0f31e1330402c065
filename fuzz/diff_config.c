// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attrprof diff --config FILE: the thresholds reader (diff__read_config) on
 * any bytes; limits it accepts then drive a comparison of two small profiles,
 * so globs and percentages reach the code that uses them.
 */
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "fuzz_util.h"
#include "profile.h"

/* Base and new: one attribute each side grows, one vanishes, one is new. */
static void make_profiles(struct profile *base, struct profile *new)
{
	static const char *const names[] = {"get_a", "get_b", "get_c"};

	for (int side = 0; side < 2; side++) {
		struct profile *p = side ? new : base;

		p->target.runtime = strdup("c");
		p->mode = strdup("timed");
		if (!p->target.runtime || !p->mode)
			abort();
		for (int i = side; i < 2 + side; i++) {
			struct prof_attr *a =
				profile__add_attr(p, "lib.so", names[i], KIND_FUNCTION, OP_CALL);

			if (!a)
				abort();
			a->count = a->timed = 1000 * (1 + side);
			a->total_ns = a->max_ns = 5000000 * (1 + side);
			a->hist[10] = a->count;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct profile base, new;
	struct diff_limits limits;
	struct diff_result r;
	json_t *doc;
	char err[512];

	if (!base.nattrs)
		make_profiles(&base, &new);
	diff__default_limits(&limits);
	if (diff__read_config(fuzz__file(0, data, size), &limits, &doc, err, sizeof(err)))
		return 0;
	if (!diff__compare(&base, &new, &limits, &r)) {
		diff__render_text(fuzz__null(), &r);
		diff__render_json(fuzz__null(), &r);
		diff__render_markdown(fuzz__null(), &r);
		diff__render_junit(fuzz__null(), &r);
		diff__free(&r);
	}
	json_decref(doc);
	return 0;
}
