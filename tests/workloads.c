// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "workloads.h"

#define PYENV_PYTHON "/root/.pyenv/versions/3.12.1/bin/python"
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

const char *workloads__python(void)
{
	/* 3.12: record starts it with the perf trampoline, the most intrusive mode there is. */
	return access(PYENV_PYTHON, X_OK) ? "/usr/bin/python3" : PYENV_PYTHON;
}

static void resolve(struct workload *w, const char *program)
{
	const char *build = getenv("ATTRPROF_BUILD");

	if (!strcmp(program, "python"))
		snprintf(w->program, sizeof(w->program), "%s", workloads__python());
	else if (!strncmp(program, "targets/", 8))
		snprintf(w->program, sizeof(w->program), "%s/%s", build ? build : "build", program);
	else
		snprintf(w->program, sizeof(w->program), "%s", program);
	w->argv[0] = w->program;
}

/* Splits one manifest line into w; returns false for a comment or a blank line. */
static bool parse_line(struct workload *w, const char *text, int lineno)
{
	char *save = NULL, *tok, *funcs, *program;
	size_t nargs = 1, nfuncs = 0;

	memset(w, 0, sizeof(*w));
	snprintf(w->line, sizeof(w->line), "%s", text);
	tok = strtok_r(w->line, " \t\n", &save);
	if (!tok || tok[0] == '#')
		return false;
	cr_assert_lt(strlen(tok), sizeof(w->name), "%s:%d: name too long", WORKLOADS_FILE, lineno);
	cr_assert_eq(strspn(tok, NAME_CHARS), strlen(tok), "%s:%d: bad name '%s'", WORKLOADS_FILE,
		     lineno, tok);
	strcpy(w->name, tok);
	funcs = strtok_r(NULL, " \t\n", &save);
	program = strtok_r(NULL, " \t\n", &save);
	cr_assert(funcs && program, "%s:%d: expected NAME FUNCS PROGRAM [ARG...]", WORKLOADS_FILE,
		  lineno);
	while ((tok = strtok_r(NULL, " \t\n", &save))) {
		cr_assert_lt(nargs + 1, WORKLOAD_MAX_ARGS, "%s:%d: too many args", WORKLOADS_FILE,
			     lineno);
		w->argv[nargs++] = tok;
	}
	if (strcmp(funcs, "-")) {
		char *fsave = NULL;

		for (tok = strtok_r(funcs, ",", &fsave); tok; tok = strtok_r(NULL, ",", &fsave)) {
			cr_assert_lt(nfuncs + 1, WORKLOAD_MAX_FUNCS, "%s:%d: too many globs",
				     WORKLOADS_FILE, lineno);
			w->funcs[nfuncs++] = tok;
		}
	}
	resolve(w, program);
	return true;
}

size_t workloads__load(struct workload *v, size_t max)
{
	FILE *f = fopen(WORKLOADS_FILE, "r");
	char text[1024];
	size_t n = 0;
	int lineno = 0;

	cr_assert_not_null(f, "open %s", WORKLOADS_FILE);
	while (fgets(text, sizeof(text), f)) {
		lineno++;
		cr_assert(strchr(text, '\n') || feof(f), "%s:%d: line too long", WORKLOADS_FILE,
			  lineno);
		cr_assert_lt(n, max, "%s: more than %zu workloads", WORKLOADS_FILE, max);
		if (!parse_line(&v[n], text, lineno))
			continue;
		for (size_t i = 0; i < n; i++)
			cr_assert_str_neq(v[i].name, v[n].name, "%s:%d: workload %s named twice",
					  WORKLOADS_FILE, lineno, v[n].name);
		n++;
	}
	fclose(f);
	cr_assert_gt(n, 0, "%s lists no workload", WORKLOADS_FILE);
	return n;
}
