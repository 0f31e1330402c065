// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The profile file: golden output, round trip, atomic write, reader errors. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "profile.h"
#include "hist.h"

/* Each test runs in its own process (Criterion forks), with its own directory. */
static char dir[] = "/tmp/attrprof-test.XXXXXX";
static char file[sizeof(dir) + 16];

static void make_dir(void)
{
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(file, sizeof(file), "%s/prof.json", dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_dir(void)
{
	chmod(dir, 0700);
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(profile, .init = make_dir, .fini = remove_dir);

static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d, "opendir %s: %s", path, strerror(errno));
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void fill_lock(struct prof_lock *l, uint64_t seed)
{
	l->count = seed;
	l->total_ns = seed * 1000;
	l->max_ns = seed * 100;
	l->hist[hist__slot(seed)] = seed;
	l->hist[hist__slot(seed * 100)] += 1;
}

/* A profile with a distinct value in every field, extremes included. */
static void fill(struct profile *p)
{
	const char *names[] = {"model_get_cached", "model_set", "session_user"};
	struct prof_attr *a;
	unsigned int i, s;

	memset(p, 0, sizeof(*p));
	p->target.pid = 4242;
	p->target.exe = strdup("/srv/server");
	p->target.build_id = strdup("ab12cd34ef56");
	p->target.runtime = strdup("c");
	p->mode = strdup("timed");
	p->end = strdup("target-exited");
	p->exit_status = -1;
	p->duration_ns = 5000000001;
	p->probe_cost_ns = 310;
	p->calibration = (struct prof_calibration){{310, 5100}, {700, 6000}, 750, {90, 1300}};
	p->timing = (struct prof_timing){strdup("sample"), TIME_ALL_CALLS, 8, 20000};
	p->overhead = (struct prof_overhead){{1000001, 2002, 30003}, 704000000, 5100000000};
	p->dropped = (struct prof_dropped){1, 2, 3, 4, 5, 6};
	fill_lock(&p->unattributed[LOCK_GIL], 7);
	for (i = 0; i < 3; i++) {
		a = profile__add_attr(p, "server", names[i], KIND_FUNCTION, OP_CALL);
		cr_assert_not_null(a);
		a->count = 800000 + i;
		a->errors = i;
		a->threads = 4 + i;
		a->timed = 799990 + i;
		a->nested_hits = 2 * a->timed + i;
		a->total_ns = INT64_MAX - i;
		a->max_ns = (1ULL << 40) + i;
		for (s = i; s < HIST_SLOTS; s += 3)
			a->hist[s] = s * 1000 + i + 1;
		fill_lock(&a->locks[i], 11 + i);
		fill_lock(&a->locks[(i + 1) % LOCK_KINDS], 20 + i);
		a->signals = (struct prof_signals){700 + i, 30 + i, 123456789ULL + i, 5500 + i};
		cr_assert_eq(profile__add_lock_user(p, 7, LOCK_PYTHON, i, 10 + i, 1000 + i), 0);
	}
}

static void assert_same(const struct profile *a, const struct profile *b)
{
	size_t i;

	cr_assert_eq(a->target.pid, b->target.pid);
	cr_assert_str_eq(a->target.exe, b->target.exe);
	if (a->target.build_id)
		cr_assert_str_eq(a->target.build_id, b->target.build_id);
	else
		cr_assert_null(b->target.build_id);
	cr_assert_str_eq(a->target.runtime, b->target.runtime);
	cr_assert_str_eq(a->mode, b->mode);
	cr_assert_str_eq(a->end, b->end);
	cr_assert_eq(a->exit_status, b->exit_status);
	cr_assert_eq(a->duration_ns, b->duration_ns);
	cr_assert_eq(a->probe_cost_ns, b->probe_cost_ns);
	/* All-uint64_t structs: no padding, so bytes compare fields. */
	cr_assert_arr_eq(&a->calibration, &b->calibration, sizeof(a->calibration));
	cr_assert_arr_eq(&a->overhead, &b->overhead, sizeof(a->overhead));
	if (a->timing.policy)
		cr_assert_str_eq(a->timing.policy, b->timing.policy);
	else
		cr_assert_null(b->timing.policy);
	cr_assert_eq(a->timing.first_calls, b->timing.first_calls);
	cr_assert_eq(a->timing.stride, b->timing.stride);
	cr_assert_eq(a->timing.slow_ns, b->timing.slow_ns);
	cr_assert_arr_eq(&a->dropped, &b->dropped, sizeof(a->dropped));
	cr_assert_arr_eq(a->unattributed, b->unattributed, sizeof(a->unattributed));
	cr_assert_eq(a->nattrs, b->nattrs);
	for (i = 0; i < a->nattrs; i++) {
		const struct prof_attr *x = &a->attrs[i], *y = &b->attrs[i];

		cr_assert_str_eq(x->owner, y->owner);
		cr_assert_str_eq(x->name, y->name);
		cr_assert_eq(x->kind, y->kind);
		cr_assert_eq(x->op, y->op);
		cr_assert_eq(x->count, y->count);
		cr_assert_eq(x->errors, y->errors);
		cr_assert_eq(x->threads, y->threads);
		cr_assert_eq(x->timed, y->timed);
		cr_assert_eq(x->nested_hits, y->nested_hits);
		cr_assert_eq(x->total_ns, y->total_ns);
		cr_assert_eq(x->max_ns, y->max_ns);
		cr_assert_arr_eq(x->hist, y->hist, sizeof(x->hist), "attrs[%zu].hist", i);
		cr_assert_arr_eq(x->locks, y->locks, sizeof(x->locks), "attrs[%zu].locks", i);
		cr_assert_arr_eq(&x->signals, &y->signals, sizeof(x->signals), "attrs[%zu].signals",
				 i);
	}
	cr_assert_eq(a->nlocks, b->nlocks);
	for (i = 0; i < a->nlocks; i++) {
		cr_assert_eq(a->locks[i].id, b->locks[i].id);
		cr_assert_eq(a->locks[i].kind, b->locks[i].kind);
		cr_assert_eq(a->locks[i].nusers, b->locks[i].nusers);
		cr_assert_arr_eq(a->locks[i].users, b->locks[i].users,
				 a->locks[i].nusers * sizeof(*a->locks[i].users));
	}
}

static void assert_empty(const struct profile *p)
{
	cr_assert_null(p->attrs);
	cr_assert_eq(p->nattrs, 0);
	cr_assert_null(p->target.exe);
	cr_assert_null(p->mode);
}

Test(profile, dump_matches_golden)
{
	struct profile p = {
		.target = {.pid = 7, .exe = "/bin/t", .runtime = "c"},
		.mode = "count",
		.end = "duration",
		.exit_status = -1,
		.duration_ns = 1000,
		.dropped = {.attrs_over_limit = 2},
	};
	struct prof_attr a = {
		.owner = "t",
		.name = "get",
		.kind = KIND_FUNCTION,
		.op = OP_CALL,
		.count = 3,
		.errors = 1,
		.threads = 1,
		.timed = 3,
		.total_ns = 30,
		.max_ns = 12,
	};
	const char *golden =
		"{\"schema\":\"attrprof.profile/4\",\"tool\":{\"name\":\"attrprof\","
		"\"version\":\"0.1.0\"},\"target\":{\"pid\":7,\"exe\":\"/bin/t\",\"build_id\":null,"
		"\"runtime\":\"c\"},\"mode\":\"count\",\"end\":\"duration\",\"exit_status\":-1,"
		"\"duration_ns\":1000,\"runs\":1,\"probe_cost_ns\":0,\"calibration\":{\"frame_ns\":"
		"[0,0],"
		"\"entry_ns\":[0,0],\"return_ns\":0,\"resolution_ns\":[0,0]},\"dropped\":{"
		"\"map_full\":0,\"stack_depth\":0,\"read_errors\":0,\"unmatched_returns\":0,"
		"\"attrs_over_limit\":2,\"unprobeable\":0,\"accesses_over_limit\":0,"
		"\"allocs_over_limit\":0,\"lock_waits_over_limit\":0},\"resources\":{"
		"\"map_bytes\":0,\"peak_rss_bytes\":0},\"unattributed_lock_wait_ns\":{"
		"\"count\":0,\"total\":0,"
		"\"p50\":0,\"p99\":0,\"max\":0,\"histogram\":[],\"by_kind\":{}},\"attributes\":[{"
		"\"owner\":\"t\",\"name\":\"get\",\"kind\":\"function\",\"op\":\"call\",\"count\":"
		"3,"
		"\"errors\":1,\"threads\":1,\"latency_ns\":{\"timed\":3,\"nested_hits\":0,"
		"\"total\":30,"
		"\"p50\":10,"
		"\"p90\":12,\"p99\":12,\"max\":12,\"histogram\":[[8,2],[12,1]]},\"lock_wait_ns\":{"
		"\"count\":1,\"total\":5,\"p50\":5,\"p99\":5,\"max\":5,\"histogram\":[[5,1]],"
		"\"by_kind\":{\"mutex\":{\"count\":1,\"total\":5,\"p50\":5,\"p99\":5,\"max\":5,"
		"\"histogram\":[[5,1]]}}},\"signals\":{\"repeat_reads\":0,\"concurrent\":0,"
		"\"off_cpu_ns\":0,\"preempted_ns\":0}}],\"classes\":[],\"coverage\":[],"
		"\"locks\":[],"
		"\"overhead\":{\"traps\":{\"entry_emulated\":0,\"entry_single_step\":0,"
		"\"return\":0},\"probe_ns\":0,\"cpu_ns\":0}}";
	const char *head = "{\n \"schema\": \"attrprof.profile/4\",\n \"tool\": {\n  \"name\"";
	char *buf = NULL, *compact;
	size_t len;
	json_t *root;
	FILE *out;

	a.hist[hist__slot(8)] = 2;
	a.hist[hist__slot(12)] = 1;
	a.locks[LOCK_MUTEX] = (struct prof_lock){.count = 1, .total_ns = 5, .max_ns = 5};
	a.locks[LOCK_MUTEX].hist[5] = 1;
	p.attrs = &a;
	p.nattrs = 1;

	out = open_memstream(&buf, &len);
	cr_assert_eq(profile__dump(&p, out), 0);
	fclose(out);
	/* Indented one level per depth, one value per line, ending in a newline. */
	cr_assert_eq(strncmp(buf, head, strlen(head)), 0, "%s", buf);
	cr_assert_str_eq(buf + len - 3, "\n}\n");
	/* Key order and every value, compacted to keep the golden short. */
	root = json_loads(buf, 0, NULL);
	compact = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cr_assert_str_eq(compact, golden);
	free(compact);
	json_decref(root);
	free(buf);
}

Test(profile, dump_rejects_values_json_cannot_hold)
{
	struct profile p;
	FILE *out = fopen("/dev/null", "w");

	fill(&p);
	p.attrs[1].count = UINT64_MAX;
	cr_assert_eq(profile__dump(&p, out), -EINVAL);
	p.attrs[1].count = 0;
	p.attrs[2].locks[LOCK_PYTHON].hist[3] = (uint64_t)INT64_MAX + 1;
	cr_assert_eq(profile__dump(&p, out), -EINVAL);
	p.attrs[2].locks[LOCK_PYTHON].hist[3] = 0;
	free(p.target.exe);
	p.target.exe = strdup("/srv/\xff");
	cr_assert_eq(profile__dump(&p, out), -EINVAL);
	free(p.target.exe);
	p.target.exe = NULL;
	cr_assert_eq(profile__dump(&p, out), -EINVAL);
	fclose(out);
	profile__free(&p);
}

Test(profile, dump_reports_a_full_disk)
{
	struct profile p;
	FILE *out = fopen("/dev/full", "w");

	cr_assert_not_null(out);
	fill(&p);
	cr_assert_eq(profile__dump(&p, out), -EIO);
	fclose(out);
	profile__free(&p);
}

Test(profile, round_trip_keeps_every_field)
{
	struct profile p, q;
	char err[256] = "";

	fill(&p);
	cr_assert_eq(profile__write(&p, file), 0);
	cr_assert_eq(profile__read(file, &q, err, sizeof(err)), 0, "%s", err);
	assert_same(&p, &q);
	profile__free(&q);

	/* The other shapes: no build-id, no attributes, a clean exit. */
	profile__free(&p);
	p = (struct profile){.target = {.pid = 1, .exe = strdup("/x"), .runtime = strdup("c")},
			     .mode = strdup("count"),
			     .end = strdup("signal")};
	cr_assert_eq(profile__write(&p, file), 0);
	cr_assert_eq(profile__read(file, &q, err, sizeof(err)), 0, "%s", err);
	assert_same(&p, &q);
	profile__free(&q);
	profile__free(&p);
	profile__free(NULL);
}

/* Found by the profile fuzzer: a hand-edited "count": 0 kind with times lost them on rewrite. */
Test(profile, round_trip_keeps_a_lock_kind_with_a_zero_count)
{
	struct profile p, q;
	char err[256] = "";

	fill(&p);
	fill_lock(&p.unattributed[LOCK_MUTEX], 9);
	p.unattributed[LOCK_MUTEX].count = 0;
	p.attrs[0].locks[LOCK_GIL] = (struct prof_lock){.total_ns = 7, .max_ns = 7};
	cr_assert_eq(profile__write(&p, file), 0);
	cr_assert_eq(profile__read(file, &q, err, sizeof(err)), 0, "%s", err);
	assert_same(&p, &q);
	profile__free(&q);
	profile__free(&p);
}

Test(profile, write_replaces_the_file_and_leaves_no_temporary)
{
	struct profile p, q;
	char err[256] = "";
	FILE *f = fopen(file, "w");

	fputs("old", f);
	fclose(f);
	fill(&p);
	cr_assert_eq(profile__write(&p, file), 0);
	cr_assert_eq(entries(dir), 1);
	cr_assert_eq(profile__read(file, &q, err, sizeof(err)), 0, "%s", err);
	assert_same(&p, &q);
	profile__free(&q);
	profile__free(&p);
}

/* Fails at the last step: rename(2) cannot put a file over a directory. */
Test(profile, failed_rename_removes_the_temporary)
{
	char inner[sizeof(file) + 8];
	struct profile p;

	cr_assert_eq(mkdir(file, 0700), 0);
	snprintf(inner, sizeof(inner), "%s/keep", file);
	fclose(fopen(inner, "w"));
	fill(&p);
	cr_assert_eq(profile__write(&p, file), -EISDIR);
	cr_assert_eq(entries(dir), 1);
	cr_assert_eq(entries(file), 1);
	profile__free(&p);
}

/* Runs profile__write in a child that, when root, becomes nobody: root ignores modes. */
static int write_unprivileged(const struct profile *p, const char *path)
{
	int status;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (!pid) {
		if (!geteuid() && (setgid(65534) || setuid(65534)))
			_exit(255);
		_exit(-profile__write(p, path));
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 255, "could not drop root");
	return -WEXITSTATUS(status);
}

Test(profile, unwritable_directory_leaves_the_file_alone)
{
	struct profile p;
	char buf[8] = "";
	FILE *f = fopen(file, "w");

	fputs("old", f);
	fclose(f);
	cr_assert_eq(chmod(file, 0644) | chmod(dir, 0555), 0);
	fill(&p);
	cr_assert_eq(write_unprivileged(&p, file), -EACCES);
	f = fopen(file, "r");
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	cr_assert_str_eq(buf, "old");
	cr_assert_eq(entries(dir), 1);
	profile__free(&p);
}

Test(profile, unreadable_file)
{
	struct profile p;
	char err[256], want[256];

	snprintf(want, sizeof(want), "%s: No such file or directory", file);
	cr_assert_eq(profile__read(file, &p, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, want);
	assert_empty(&p);
}

static void write_text(const char *text)
{
	FILE *f = fopen(file, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* Reads file, expecting failure with "FILE<sep>msg" and nothing left in the profile. */
static void expect_error(const char *sep, const char *msg)
{
	struct profile p;
	char err[512], want[512];

	snprintf(want, sizeof(want), "%s%s%s", file, sep, msg);
	cr_assert_eq(profile__read(file, &p, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, want);
	assert_empty(&p);
}

Test(profile, malformed_json_names_line_and_column)
{
	write_text("{\n \"schema\": \"attrprof.profile/1\",\n \"mode\": ]\n}\n");
	expect_error(":3:10: ", "unexpected token near ']'");
}

Test(profile, wrong_schema)
{
	write_text("{\"schema\": \"attrprof.profile/5\"}");
	expect_error(": ", "expected schema attrprof.profile/4 (or attrprof.profile/3, "
			   "attrprof.profile/2, attrprof.profile/1), found attrprof.profile/5");
	write_text("[1, 2]");
	expect_error(": ", "expected schema attrprof.profile/4 (or attrprof.profile/3, "
			   "attrprof.profile/2, attrprof.profile/1), found none");
}

/* The profile filler makes, as a JSON tree, for tests to break one member of. */
static json_t *json_of(void (*filler)(struct profile *))
{
	struct profile p;
	char *buf = NULL;
	size_t len;
	json_t *root;
	FILE *out = open_memstream(&buf, &len);

	filler(&p);
	cr_assert_eq(profile__dump(&p, out), 0);
	fclose(out);
	profile__free(&p);
	root = json_loads(buf, 0, NULL);
	free(buf);
	return root;
}

/* A valid profile as a JSON tree. */
static json_t *valid_json(void)
{
	return json_of(fill);
}

/* Writes root to the test's file, frees it, and reads it back into p, which must work. */
static void read_json(json_t *root, struct profile *p)
{
	char err[512] = "";

	cr_assert_eq(json_dump_file(root, file, 0), 0);
	json_decref(root);
	cr_assert_eq(profile__read(file, p, err, sizeof(err)), 0, "%s", err);
}

static json_t *attr(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "attributes"), i);
}

static void expect_json_error(json_t *root, const char *msg)
{
	cr_assert_eq(json_dump_file(root, file, 0), 0);
	json_decref(root);
	expect_error(": ", msg);
}

Test(profile, missing_field)
{
	json_t *root = valid_json(), *kinds;

	json_object_del(attr(root, 1), "count");
	expect_json_error(root, "attributes[1].count: missing");

	root = valid_json();
	json_object_del(json_object_get(root, "target"), "build_id");
	expect_json_error(root, "target.build_id: missing");

	root = valid_json();
	kinds = json_object_get(json_object_get(attr(root, 0), "lock_wait_ns"), "by_kind");
	json_object_del(kinds, "mutex");
	json_object_del(json_object_get(kinds, "python"), "max");
	expect_json_error(root, "attributes[0].lock_wait_ns.by_kind.python.max: missing");
}

Test(profile, wrong_type)
{
	json_t *root = valid_json();

	json_object_set_new(attr(root, 1), "count", json_string("7"));
	expect_json_error(root, "attributes[1].count: expected a non-negative integer");

	root = valid_json();
	json_object_set_new(root, "duration_ns", json_integer(-5));
	expect_json_error(root, "duration_ns: expected a non-negative integer");

	root = valid_json();
	json_object_set_new(json_object_get(root, "target"), "build_id", json_integer(12));
	expect_json_error(root, "target.build_id: expected a string or null");

	root = valid_json();
	json_array_set_new(json_object_get(root, "attributes"), 2, json_true());
	expect_json_error(root, "attributes[2]: expected an object");

	root = valid_json();
	json_object_set_new(json_object_get(root, "dropped"), "map_full", json_real(1.0));
	expect_json_error(root, "dropped.map_full: expected a non-negative integer");
}

/* Kinds and ops are the tables' names: anything else, a hostile string too, is refused. */
Test(profile, unknown_kind_or_op)
{
	json_t *root = valid_json();

	json_object_set_new(attr(root, 1), "kind", json_string("function\x1b[2J"));
	expect_json_error(
		root, "attributes[1].kind: expected an attribute kind (function, descriptor, ...)");

	root = valid_json();
	json_object_set_new(attr(root, 0), "op", json_string("read"));
	expect_json_error(root, "attributes[0].op: expected call, get, set or delete");
}

Test(profile, bad_histogram)
{
	json_t *root = valid_json(), *hist;

	hist = json_object_get(json_object_get(attr(root, 0), "latency_ns"), "histogram");
	json_array_set_new(json_array_get(hist, 1), 0, json_integer(9));
	expect_json_error(
		root, "attributes[0].latency_ns.histogram[1]: 9 is not the lower bound of a slot");

	root = valid_json();
	hist = json_object_get(json_object_get(attr(root, 0), "latency_ns"), "histogram");
	json_array_set_new(hist, 0, json_pack("[i]", 8));
	expect_json_error(root, "attributes[0].latency_ns.histogram[0]: "
				"expected [lower_ns, count], non-negative integers");

	root = valid_json();
	hist = json_object_get(json_object_get(attr(root, 0), "latency_ns"), "histogram");
	json_array_append_new(hist, json_pack("[ii]", 0, 1));
	expect_json_error(root, "attributes[0].latency_ns.histogram[48]: slot 0 listed twice");
}

Test(profile, unknown_keys_are_ignored)
{
	json_t *root = valid_json();
	struct profile p, q;

	json_object_set_new(root, "host", json_string("ci-7"));
	json_object_set_new(attr(root, 0), "source",
			    json_pack("{s:s, s:i}", "file", "m.c", "line", 9));
	json_object_set_new(
		json_object_get(json_object_get(root, "unattributed_lock_wait_ns"), "by_kind"),
		"spinlock", json_object());
	read_json(root, &q);
	fill(&p);
	assert_same(&p, &q);
	profile__free(&p);
	profile__free(&q);
}

Test(profile, lock_helpers)
{
	struct prof_lock locks[LOCK_KINDS] = {0}, sum;

	fill_lock(&locks[LOCK_MUTEX], 3);
	fill_lock(&locks[LOCK_GIL], 5);
	profile__lock_total(locks, &sum);
	cr_assert_eq(sum.count, 8);
	cr_assert_eq(sum.total_ns, 8000);
	cr_assert_eq(sum.max_ns, 500);
	cr_assert_eq(hist__count(sum.hist), 10);
	cr_assert_str_eq(profile__lock_kind_name(LOCK_MUTEX), "mutex");
	cr_assert_str_eq(profile__lock_kind_name(LOCK_PYTHON), "python");
	cr_assert_str_eq(profile__lock_kind_name(LOCK_GIL), "gil");
}

Test(profile, version_1_is_still_read)
{
	json_t *root = valid_json();
	struct profile p;

	/* What attrprof 0.1 wrote: schema 1, no signals. */
	json_object_set_new(root, "schema", json_string("attrprof.profile/1"));
	for (size_t i = 0; i < json_array_size(json_object_get(root, "attributes")); i++)
		json_object_del(attr(root, i), "signals");
	read_json(root, &p);
	cr_assert_eq(p.nattrs, 3);
	cr_assert_eq(p.attrs[0].signals.repeat_reads, 0);
	cr_assert_eq(p.attrs[0].count, 800000);
	profile__free(&p);
}

/* Renames lock kind from to to in every by_kind object of attribute i's lock waits. */
static void rename_kind(json_t *root, size_t i, const char *from, const char *to)
{
	json_t *kinds = json_object_get(json_object_get(attr(root, i), "lock_wait_ns"), "by_kind");
	json_t *v = json_object_get(kinds, from);

	cr_assert_not_null(v, "attributes[%zu] has no %s waits", i, from);
	json_object_set(kinds, to, v);
	json_object_del(kinds, from);
}

Test(profile, version_3_pthread_waits_read_as_mutex_waits)
{
	json_t *root = valid_json();
	struct profile p, want;

	/* Schema 3 named every pthread lock function's waits "pthread", and had no timing. */
	json_object_set_new(root, "schema", json_string("attrprof.profile/3"));
	json_object_del(root, "timing");
	json_object_del(root, "overhead");
	json_object_del(json_object_get(root, "calibration"), "resolution_ns");
	rename_kind(root, 0, "mutex", "pthread");
	read_json(root, &p);
	fill(&want);
	cr_assert_arr_eq(p.attrs[0].locks, want.attrs[0].locks, sizeof(p.attrs[0].locks));
	cr_assert_null(p.timing.policy);
	cr_assert_eq(p.overhead.traps[TRAP_RETURN], 0);
	cr_assert_eq(p.calibration.resolution_ns[1], 0);
	profile__free(&p);
	profile__free(&want);

	/* A schema 4 file has no "pthread" kind: it is an unknown key there. */
	root = valid_json();
	rename_kind(root, 0, "mutex", "pthread");
	read_json(root, &p);
	cr_assert_eq(p.attrs[0].locks[LOCK_MUTEX].count, 0);
	profile__free(&p);
}

Test(profile, version_2_needs_signals)
{
	json_t *root = valid_json();

	json_object_del(attr(root, 1), "signals");
	expect_json_error(root, "attributes[1].signals: missing");
}

/* fill() plus a schema 3 "process" section with one event of each kind and a changed file. */
static void fill_process(struct profile *p)
{
	struct prof_proc_event *e;

	fill(p);
	p->target.ns_pid = 12;
	p->process.present = 1;
	p->process.follow_forks = 1;
	p->process.dropped_events = 9;
	cr_assert_eq(profile__add_pid(p, 4242), 0);
	cr_assert_eq(profile__add_pid(p, 4300), 0);
	cr_assert_eq(profile__add_pid(p, 4242), 0, "listed once");
	e = profile__add_proc_event(p, "fork", NULL);
	*e = (struct prof_proc_event){e->event, 1000, 4242, 4300, 1, NULL, 0};
	e = profile__add_proc_event(p, "exec", "/usr/bin/env");
	e->at_ns = 2000;
	e->pid = 4300;
	e = profile__add_proc_event(p, "exit", NULL);
	*e = (struct prof_proc_event){e->event, 3000, 4242, 0, 0, NULL, 139};
	cr_assert_eq(profile__add_changed_file(p, "/srv/server", "replaced",
					       "/proc/4242/map_files/1000-2000"),
		     0);
}

Test(profile, process_section_round_trips)
{
	struct profile p, q;
	char err[256] = "";

	fill_process(&p);
	cr_assert_eq(p.process.npids, 2);
	cr_assert_eq(profile__write(&p, file), 0);
	cr_assert_eq(profile__read(file, &q, err, sizeof(err)), 0, "%s", err);
	assert_same(&p, &q);
	cr_assert_eq(q.target.ns_pid, 12);
	cr_assert(q.process.present && q.process.follow_forks);
	cr_assert_eq(q.process.dropped_events, 9);
	cr_assert_eq(q.process.npids, 2);
	cr_assert(q.process.pids[0] == 4242 && q.process.pids[1] == 4300);
	cr_assert_eq(q.process.nevents, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct prof_proc_event *x = &p.process.events[i], *y = &q.process.events[i];

		cr_assert_str_eq(x->event, y->event);
		cr_assert_eq(x->at_ns, y->at_ns);
		cr_assert_eq(x->pid, y->pid);
		cr_assert_eq(x->child, y->child);
		cr_assert_eq(x->followed, y->followed);
		cr_assert_eq(x->status, y->status);
		if (x->filename)
			cr_assert_str_eq(x->filename, y->filename);
		else
			cr_assert_null(y->filename);
	}
	cr_assert_eq(q.process.nchanged_files, 1);
	cr_assert_str_eq(q.process.changed_files[0].path, "/srv/server");
	cr_assert_str_eq(q.process.changed_files[0].on_disk, "replaced");
	cr_assert_str_eq(q.process.changed_files[0].read_via, "/proc/4242/map_files/1000-2000");
	profile__free(&q);
	profile__free(&p);
}

Test(profile, process_section_and_ns_pid_are_optional)
{
	struct profile p;
	json_t *root = valid_json();

	cr_assert_null(json_object_get(root, "process"), "written only when collected");
	cr_assert_null(json_object_get(json_object_get(root, "target"), "ns_pid"));
	read_json(root, &p);
	cr_assert(!p.process.present);
	cr_assert_eq(p.target.ns_pid, 0);
	profile__free(&p);
}

/* valid_json() of fill_process(). */
static json_t *process_json(void)
{
	return json_of(fill_process);
}

static json_t *process_member(json_t *root, const char *key)
{
	return json_object_get(json_object_get(root, "process"), key);
}

Test(profile, process_section_errors_name_the_member)
{
	json_t *root = process_json();

	json_object_set_new(json_array_get(process_member(root, "events"), 0), "event",
			    json_string("clone"));
	expect_json_error(root, "events[0].event: expected fork, exec or exit");

	root = process_json();
	json_object_del(json_array_get(process_member(root, "events"), 0), "followed");
	expect_json_error(root, "events[0].followed: missing");

	root = process_json();
	json_object_del(json_array_get(process_member(root, "events"), 1), "filename");
	expect_json_error(root, "events[1].filename: missing");

	root = process_json();
	json_array_set_new(process_member(root, "pids"), 1, json_integer(-3));
	expect_json_error(root, "process.pids[1]: expected a PID");

	root = process_json();
	json_object_del(json_array_get(process_member(root, "changed_files"), 0), "read_via");
	expect_json_error(root, "changed_files[0].read_via: missing");

	root = process_json();
	json_object_set_new(json_object_get(root, "target"), "ns_pid", json_string("1"));
	expect_json_error(root, "target.ns_pid: expected an integer");
}
