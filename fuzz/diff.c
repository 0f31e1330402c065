// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attrprof diff on two profiles given as one input, BASE and NEW split at the
 * first NUL byte: the reader on both, then the comparison and its renderers.
 */
#include <string.h>
#include "diff.h"
#include "fuzz_util.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n = nul ? (size_t)(nul - data) : size;
	struct profile base = {}, new = {};
	struct diff_limits limits;
	struct diff_result r;
	char err[512];

	if (!nul || profile__read(fuzz__file(0, data, n), &base, err, sizeof(err)) ||
	    profile__read(fuzz__file(1, nul + 1, size - n - 1), &new, err, sizeof(err)))
		goto cleanup;
	diff__default_limits(&limits);
	if (diff__compare(&base, &new, &limits, &r))
		goto cleanup;
	diff__render_text(fuzz__null(), &r);
	diff__render_json(fuzz__null(), &r);
	diff__render_markdown(fuzz__null(), &r);
	diff__render_junit(fuzz__null(), &r);
	diff__free(&r);
cleanup:
	profile__free(&base);
	profile__free(&new);
	return 0;
}
