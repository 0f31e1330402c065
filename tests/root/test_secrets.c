// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Profiles hold names and numbers, never values: tests/targets/py_secrets.py
 * reads and writes random secrets, fresh each run, through every kind of
 * attribute attrprof sees. After record and attach, neither the profile, nor
 * any report format, nor anything attrprof printed or left behind holds a
 * secret: as its bytes, in hex (either case) or in base64.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "harness.h"

#define PY_SECRETS "tests/targets/py_secrets.py"
#define C_SECRETS build_path("targets/c_secrets")
#define DEBIAN_PYTHON "/usr/bin/python3.11"
#define PYTHON_3_12 "/root/.pyenv/versions/3.12.1/bin/python"
#define MAX_FORMS 32

struct needle {
	char name[32];
	unsigned char bytes[256];
	size_t len;
};

struct needles {
	struct needle v[MAX_FORMS];
	size_t n;
};

static void skip_unless_usable(const char *python)
{
	skip_unless_tracing();
	if (access(python, X_OK))
		cr_skip_test("%s is not installed on this machine", python);
}

static void add(struct needles *n, const char *name, const char *form, const void *bytes,
		size_t len)
{
	struct needle *v = &n->v[n->n++];

	cr_assert_leq(n->n, MAX_FORMS);
	cr_assert_leq(len, sizeof(v->bytes));
	snprintf(v->name, sizeof(v->name), "%s/%s", name, form);
	memcpy(v->bytes, bytes, len);
	v->len = len;
}

static size_t hex(const unsigned char *in, size_t len, char *out, const char *digits)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	return 2 * len;
}

static size_t base64(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		unsigned int v = in[i] << 16 | (i + 1 < len ? in[i + 1] << 8 : 0) |
				 (i + 2 < len ? in[i + 2] : 0);

		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	return o;
}

/* The secrets py_secrets wrote ("name hex" lines), each in every form to look for. */
static void read_secrets(const char *path, struct needles *n)
{
	char name[32], text[256], enc[256];
	unsigned char raw[120];
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "the workload wrote no %s", path);
	memset(n, 0, sizeof(*n));
	while (fscanf(f, "%31s %255s", name, text) == 2) {
		size_t len = strlen(text) / 2;

		cr_assert_leq(len, sizeof(raw));
		for (size_t i = 0; i < len; i++)
			cr_assert_eq(sscanf(text + 2 * i, "%2hhx", &raw[i]), 1);
		/* Long enough that a match cannot be chance. */
		cr_assert_geq(len, 8, "secret %s is too short to search for", name);
		add(n, name, "bytes", raw, len);
		add(n, name, "hex", enc, hex(raw, len, enc, "0123456789abcdef"));
		add(n, name, "HEX", enc, hex(raw, len, enc, "0123456789ABCDEF"));
		add(n, name, "base64", enc, base64(raw, len, enc));
	}
	fclose(f);
	cr_assert_geq(n->n, 3 * 4, "read %zu forms of the secrets", n->n);
}

static void assert_clean(const char *what, const void *data, size_t len, const struct needles *n)
{
	for (size_t i = 0; i < n->n; i++)
		cr_assert_null(memmem(data, len, n->v[i].bytes, n->v[i].len), "%s holds secret %s",
			       what, n->v[i].name);
}

static void assert_file_clean(const char *path, const struct needles *n)
{
	char *data;
	FILE *f = fopen(path, "r");
	long len;

	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	data = malloc(len + 1);
	cr_assert_eq(fread(data, 1, len, f), (size_t)len);
	fclose(f);
	assert_clean(path, data, len, n);
	free(data);
}

/*
 * Renders prof.json in dir in every format, then checks every file in dir:
 * it must hold exactly the files named in want (nothing half-written, no
 * temporary left) and no secret.
 */
static void assert_dir_clean(const char *dir, const struct needles *n)
{
	static const char *const formats[] = {"text", "json", "markdown", "html"};
	static const char *const want[] = {"prof.json",	  "attrprof.stderr", "report.text",
					   "report.json", "report.markdown", "report.html"};
	struct dirent *e;
	size_t files = 0;
	DIR *d;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		free(sh("%s report --top 0 --format %s %s/prof.json > %s/report.%s", ATTRPROF,
			formats[i], dir, dir, formats[i]));
	d = opendir(dir);
	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		char path[512];
		bool known = false;

		if (e->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			known |= !strcmp(e->d_name, want[i]);
		cr_assert(known, "unexpected file %s/%s", dir, e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_file_clean(path, n);
		files++;
	}
	closedir(d);
	cr_assert_eq(files, sizeof(want) / sizeof(want[0]));
}

/* The workload's "count ..." lines against the profile: the probes saw the secrets pass. */
static void assert_seen(const struct profile *p, const char *output)
{
	char *copy = strdup(output), *save = NULL;
	size_t checked = 0;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char owner[32], name[32], kind[32], op[16];
		unsigned long count;
		bool found = false;

		if (sscanf(l, "count %31s %31s %31s %15s %lu", owner, name, kind, op, &count) != 5)
			continue;
		for (size_t i = 0; i < p->nattrs; i++) {
			const struct prof_attr *a = &p->attrs[i];

			if (strcmp(a->owner, owner) || strcmp(a->name, name) ||
			    strcmp(profile__kind_name(a->kind), kind) ||
			    strcmp(profile__op_name(a->op), op))
				continue;
			cr_assert_eq(a->count, count, "%s", l);
			found = true;
		}
		cr_assert(found, "%s missing from the profile", l);
		checked++;
	}
	free(copy);
	cr_assert_eq(checked, 6, "checked %zu lines of: %s", checked, output);
}

static void make_dir(char *dir, size_t len, const char *name)
{
	temp_path(dir, len, name);
	cr_assert_eq(mkdir(dir, 0755), 0);
}

/* Whether path was last modified before t. */
static bool modified_before(const char *path, const struct timespec *t)
{
	struct stat st;

	if (stat(path, &st))
		return false;
	return st.st_mtim.tv_sec < t->tv_sec ||
	       (st.st_mtim.tv_sec == t->tv_sec && st.st_mtim.tv_nsec < t->tv_nsec);
}

static void record_secrets(const char *python)
{
	char dir[256], secrets[256], out[4096], prof[512], perf_map[64];
	struct timespec started;
	struct needles n;
	struct profile p = {};
	char *cmd;

	skip_unless_usable(python);
	clock_gettime(CLOCK_REALTIME, &started);
	make_dir(dir, sizeof(dir), "secrets-record");
	temp_path(secrets, sizeof(secrets), "secrets.txt");
	snprintf(prof, sizeof(prof), "%s/prof.json", dir);
	/* The workload's stdout is attrprof's: captured, and checked too. */
	cmd = sh("%s record -o %s -- %s %s %s 2> %s/attrprof.stderr", ATTRPROF, prof, python,
		 PY_SECRETS, secrets, dir);
	snprintf(out, sizeof(out), "%s", cmd);
	free(cmd);
	read_secrets(secrets, &n);
	assert_clean("record's stdout", out, strlen(out), &n);
	read_profile(prof, &p);
	assert_seen(&p, out);
	/*
	 * CPython 3.12+ wrote a perf map for its trampoline: record removed it,
	 * unless a file by that name predates the run (PIDs wrap at pid_max,
	 * and a killed interpreter leaves its map behind): record leaves that.
	 */
	snprintf(perf_map, sizeof(perf_map), "/tmp/perf-%ld.map", (long)p.target.pid);
	cr_assert(access(perf_map, F_OK) || modified_before(perf_map, &started), "%s left behind",
		  perf_map);
	profile__free(&p);
	assert_dir_clean(dir, &n);
	unlink(secrets);
	free(sh("rm -rf %s", dir));
}

Test(secrets, record_debian_python_keeps_no_value, .timeout = 120)
{
	record_secrets(DEBIAN_PYTHON);
}

Test(secrets, record_python_3_12_with_trampoline_keeps_no_value, .timeout = 120)
{
	record_secrets(PYTHON_3_12);
}

Test(secrets, attach_keeps_no_value, .timeout = 120)
{
	char dir[256], secrets[256], prof[512], pidbuf[16], output[2048] = "";
	char *target_argv[] = {DEBIAN_PYTHON, PY_SECRETS, secrets, "--control", NULL};
	char *tracer_argv[] = {ATTRPROF, "attach", "-p", pidbuf, "-o", prof, NULL};
	struct proc tracer;
	struct profile p = {};
	struct needles n;
	FILE *f;

	skip_unless_usable(DEBIAN_PYTHON);
	make_dir(dir, sizeof(dir), "secrets-attach");
	temp_path(secrets, sizeof(secrets), "secrets.txt");
	snprintf(prof, sizeof(prof), "%s/prof.json", dir);
	attach_for_command(&tracer, target_argv, tracer_argv, pidbuf, "run", output,
			   sizeof(output));

	read_secrets(secrets, &n);
	read_profile(prof, &p);
	assert_seen(&p, output);
	profile__free(&p);
	/* attrprof's own stderr goes with the files it wrote. */
	snprintf(prof, sizeof(prof), "%s/attrprof.stderr", dir);
	f = fopen(prof, "w");
	cr_assert_not_null(f);
	fputs(tracer.err, f);
	fclose(f);
	assert_dir_clean(dir, &n);
	unlink(secrets);
	free(sh("rm -rf %s", dir));
}

/* Native accessors: the key passes as an argument, a return value and a struct. */
Test(secrets, record_c_keeps_no_value, .timeout = 120)
{
	static const char *const funcs[] = {"vault_set_key", "vault_get_key", "vault_get_pin"};
	char dir[256], secrets[256], out[1024], prof[512];
	struct profile p = {};
	struct needles n;
	char *cmd;

	skip_unless_tracing();
	make_dir(dir, sizeof(dir), "secrets-c");
	temp_path(secrets, sizeof(secrets), "c-secrets.txt");
	snprintf(prof, sizeof(prof), "%s/prof.json", dir);
	cmd = sh("%s record -o %s --func 'vault_*' -- %s %s 2> %s/attrprof.stderr", ATTRPROF, prof,
		 C_SECRETS, secrets, dir);
	snprintf(out, sizeof(out), "%s", cmd);
	free(cmd);
	read_secrets(secrets, &n);
	read_profile(prof, &p);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct prof_attr *a = find_attr(&p, funcs[i]);

		cr_assert_not_null(a, "%s missing", funcs[i]);
		cr_assert_eq(a->count, (uint64_t)target_count(out, funcs[i]), "%s", funcs[i]);
	}
	profile__free(&p);
	assert_dir_clean(dir, &n);
	unlink(secrets);
	free(sh("rm -rf %s", dir));
}
