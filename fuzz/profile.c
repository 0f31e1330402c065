// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The profile reader (profile__read) on any bytes; what it accepts then goes
 * through every renderer, a diff against itself, and a write and re-read that
 * must give the same file: a profile attrprof reads, it can also write.
 */
#include <stdlib.h>
#include <string.h>
#include "diff.h"
#include "fuzz_util.h"
#include "profile.h"
#include "report.h"

static void render_all(const struct profile *p)
{
	struct report_opts opts = {.top = REPORT_TOP_DEFAULT};
	struct diff_limits limits;
	struct diff_result r;

	for (int fmt = REPORT_TEXT; fmt <= REPORT_HTML; fmt++)
		report__render(fuzz__null(), p, fmt, &opts);
	diff__default_limits(&limits);
	if (diff__compare(p, p, &limits, &r))
		return;
	diff__render_text(fuzz__null(), &r);
	diff__render_json(fuzz__null(), &r);
	diff__render_markdown(fuzz__null(), &r);
	diff__render_junit(fuzz__null(), &r);
	diff__free(&r);
}

/* The JSON p writes, into *buf (caller frees). Aborts when p cannot be written. */
static size_t dump(const struct profile *p, char **buf)
{
	size_t len;
	FILE *f = open_memstream(buf, &len);

	if (!f || profile__dump(p, f))
		abort();
	fclose(f);
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile p, again;
	char err[512], *first, *second;
	size_t n1, n2;

	if (profile__read(fuzz__file(0, data, size), &p, err, sizeof(err)))
		return 0;
	render_all(&p);
	n1 = dump(&p, &first);
	if (profile__read(fuzz__file(1, (const uint8_t *)first, n1), &again, err, sizeof(err)))
		abort();
	n2 = dump(&again, &second);
	if (n1 != n2 || memcmp(first, second, n1))
		abort();
	free(first);
	free(second);
	profile__free(&p);
	profile__free(&again);
	return 0;
}
