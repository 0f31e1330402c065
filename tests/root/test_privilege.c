// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Least privilege, as a non-root user: the suite runs as root and starts
 * attrprof as nobody with setpriv(1), holding exactly the capabilities a
 * test names. The minimal set records and attaches with exact counts; each
 * capability left out makes attrprof exit 2 naming it. attrprof and the
 * targets are copied into a directory nobody can read, and profiles go to
 * one nobody can write: the checkout itself may be closed to nobody.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "harness.h"

#define SETPRIV "/usr/bin/setpriv"
#define NOBODY "65534"
#define OTHER_USER "1" /* daemon on Debian: a user that is neither us nor nobody */
#define DEBIAN_PYTHON "/usr/bin/python3.11"
#define FUTEX_ID "/events/syscalls/sys_enter_futex/id"

struct sandbox {
	char dir[64];
	char attrprof[128];
	char accessors[128];
	char py_bounds[128];
	char out[128]; /* writable by nobody */
};

static struct sandbox sb;

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("drops privileges with setpriv: run the suite as root");
	if (access(SETPRIV, X_OK))
		cr_skip_test("%s (util-linux) is not installed", SETPRIV);
	skip_unless_tracing();
}

static void sandbox_setup(void)
{
	const char *lsan = getenv("LSAN_OPTIONS");
	char *done;

	skip_unless_root();
	snprintf(sb.dir, sizeof(sb.dir), "/tmp/attrprof-priv-XXXXXX");
	cr_assert_not_null(mkdtemp(sb.dir));
	cr_assert_eq(chmod(sb.dir, 0755), 0);
	snprintf(sb.attrprof, sizeof(sb.attrprof), "%s/attrprof", sb.dir);
	snprintf(sb.accessors, sizeof(sb.accessors), "%s/accessors", sb.dir);
	snprintf(sb.py_bounds, sizeof(sb.py_bounds), "%s/py_bounds.py", sb.dir);
	snprintf(sb.out, sizeof(sb.out), "%s/out", sb.dir);
	done = sh("cp %s %s && cp %s %s && cp tests/targets/py_bounds.py tests/lsan.supp %s && "
		  "mkdir -m 0777 %s && echo ok",
		  ATTRPROF, sb.attrprof, ACCESSORS, sb.accessors, sb.dir, sb.out);
	free(done);
	/* The sanitizer build reads its suppressions as the user it runs as. */
	if (lsan) {
		char opts[256];

		snprintf(opts, sizeof(opts), "suppressions=%s/lsan.supp:print_suppressions=0",
			 sb.dir);
		setenv("LSAN_OPTIONS", opts, 1);
	}
}

static void sandbox_teardown(void)
{
	if (sb.dir[0])
		free(sh("rm -rf %s", sb.dir));
	memset(&sb, 0, sizeof(sb));
}

TestSuite(privilege, .init = sandbox_setup, .fini = sandbox_teardown, .timeout = 180);

/*
 * argv for cmd run as uid with exactly caps ("bpf,perfmon"; "" for none),
 * in a static buffer: setpriv keeps them as ambient capabilities across exec.
 */
static char **as_user(const char *uid, const char *caps, char *const cmd[])
{
	static char inh[128], amb[128], reuid[32], regid[32];
	static char *argv[48];
	size_t n = 0;
	char list[96] = "-all";

	for (const char *c = caps; *c;) {
		size_t len = strcspn(c, ",");

		snprintf(list + strlen(list), sizeof(list) - strlen(list), ",+%.*s", (int)len, c);
		c += len + (c[len] == ',');
	}
	snprintf(inh, sizeof(inh), "--inh-caps=%s", list);
	snprintf(amb, sizeof(amb), "--ambient-caps=%s", list);
	snprintf(reuid, sizeof(reuid), "--reuid=%s", uid);
	snprintf(regid, sizeof(regid), "--regid=%s", uid);
	argv[n++] = SETPRIV;
	argv[n++] = reuid;
	argv[n++] = regid;
	argv[n++] = "--clear-groups";
	argv[n++] = inh;
	argv[n++] = amb;
	argv[n++] = "--";
	for (size_t i = 0; cmd[i] && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	return argv;
}

/* Whether nobody, without capabilities, is refused the futex tracepoint's id (mode 0700 tracefs).
 */
static bool tracefs_closed_to_nobody(void)
{
	char *cmd[] = {"/bin/sh", "-c",
		       "test -r /sys/kernel/debug/tracing" FUTEX_ID
		       " || test -r /sys/kernel/tracing" FUTEX_ID,
		       NULL};

	return run_cmd(as_user(NOBODY, "", cmd), NULL, 0, NULL, 0, 10000) != 0;
}

/* The minimal set for record, and for attach to one's own process, on this machine. */
static const char *minimal_set(void)
{
	return tracefs_closed_to_nobody() ? "bpf,perfmon,dac_read_search" : "bpf,perfmon";
}

/* The "missing ..." part of attrprof's message: up to the '; run as root' hint. */
static void missing_part(const char *err, char *buf, size_t len)
{
	const char *start = strstr(err, "missing capabilit");
	const char *end = start ? strstr(start, "; run as root") : NULL;

	cr_assert(start && end, "no capability message in: %s", err);
	snprintf(buf, len, "%.*s", (int)(end - start), start);
}

static void record_accessors(const char *caps, const char *extra, char *prof, size_t proflen,
			     char *out, size_t outlen, char *err, size_t errlen, int *code)
{
	char *cmd[] = {sb.attrprof,   "record",	     "-o",  prof,	  "--func",
		       "model_get_*", (char *)extra, "--",  sb.accessors, "--threads",
		       "2",	      "--iters",     "150", NULL};

	snprintf(prof, proflen, "%s/record-%s.json", sb.out, caps[0] ? caps : "none");
	if (!extra) {
		/* No extra flag: close the gap in argv. */
		memmove(&cmd[6], &cmd[7], sizeof(cmd) - 7 * sizeof(cmd[0]));
	}
	*code = run_cmd(as_user(NOBODY, caps, cmd), out, outlen, err, errlen, 120000);
}

Test(privilege, without_capabilities_each_missing_one_is_named_and_exit_is_2)
{
	char prof[256], out[4096], err[8192], missing[1024];
	bool dac = tracefs_closed_to_nobody();
	int code;

	record_accessors("", NULL, prof, sizeof(prof), out, sizeof(out), err, sizeof(err), &code);
	cr_assert_eq(code, 2, "exit %d: %s", code, err);
	missing_part(err, missing, sizeof(missing));
	cr_assert(strstr(missing, "CAP_BPF (") && strstr(missing, "CAP_PERFMON ("), "%s", err);
	cr_assert_eq(strstr(missing, "CAP_DAC_READ_SEARCH (") != NULL, dac, "%s", err);
	cr_assert_null(strstr(missing, "CAP_SYS_PTRACE"), "record needs no ptrace: %s", err);
	cr_assert(strstr(err, dac ? "setcap cap_bpf,cap_perfmon,cap_dac_read_search+ep attrprof"
				  : "setcap cap_bpf,cap_perfmon+ep attrprof"),
		  "%s", err);
	cr_assert(access(prof, F_OK), "a profile was written without the capabilities");
	/* Nothing ran: the command was never started. */
	cr_assert_eq(target_count(out, "model_get_plain"), -1, "%s", out);
}

Test(privilege, the_minimal_set_records_a_c_target_exactly)
{
	char prof[256], out[4096], err[8192];
	struct profile p = {};
	struct stat st;
	int code;

	record_accessors(minimal_set(), NULL, prof, sizeof(prof), out, sizeof(out), err,
			 sizeof(err), &code);
	cr_assert_eq(code, 0, "exit %d with %s: %s", code, minimal_set(), err);
	cr_assert_eq(stat(prof, &st), 0);
	cr_assert_eq(st.st_uid, 65534, "the profile belongs to uid %u", (unsigned int)st.st_uid);
	read_profile(prof, &p);
	assert_accessor_counts(&p, out);
	cr_assert_eq(p.dropped.map_full + p.dropped.unmatched_returns, 0);
	profile__free(&p);
}

/* The set minus one capability, and the message that names it ("CAP_DAC_READ_SEARCH ("). */
static void without(const char *set, const char *cap, char *rest, size_t restlen, char *named,
		    size_t namedlen)
{
	size_t used = 0, n;

	rest[0] = '\0';
	for (const char *c = set; *c; c += n + (c[n] == ',')) {
		n = strcspn(c, ",");
		if (strlen(cap) != n || strncmp(c, cap, n))
			used += snprintf(rest + used, restlen - used, "%s%.*s", used ? "," : "",
					 (int)n, c);
	}
	used = snprintf(named, namedlen, "missing capability: CAP_");
	for (const char *c = cap; *c && used + 1 < namedlen; c++)
		named[used++] = *c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c;
	snprintf(named + used, namedlen - used, " (");
}

Test(privilege, each_capability_of_the_minimal_set_is_needed)
{
	char set[64], rest[64], named[64], prof[256], out[4096], err[8192], missing[1024];
	char *save = NULL;
	size_t tried = 0;
	int code;

	snprintf(set, sizeof(set), "%s", minimal_set());
	for (char *cap = strtok_r(set, ",", &save); cap; cap = strtok_r(NULL, ",", &save)) {
		without(minimal_set(), cap, rest, sizeof(rest), named, sizeof(named));
		record_accessors(rest, NULL, prof, sizeof(prof), out, sizeof(out), err, sizeof(err),
				 &code);
		cr_assert_eq(code, 2, "without %s: exit %d: %s", cap, code, err);
		missing_part(err, missing, sizeof(missing));
		/* Exactly that one: "missing capability: CAP_X (why)", singular. */
		cr_assert_eq(strncmp(missing, named, strlen(named)), 0, "without %s: %s", cap, err);
		cr_assert(access(prof, F_OK), "without %s, a profile was written", cap);
		tried++;
	}
	cr_assert_geq(tried, 2);
}

Test(privilege, no_locks_needs_only_cap_bpf_and_cap_perfmon)
{
	char prof[256], out[4096], err[8192];
	struct profile p = {};
	int code;

	record_accessors("bpf,perfmon", "--no-locks", prof, sizeof(prof), out, sizeof(out), err,
			 sizeof(err), &code);
	cr_assert_eq(code, 0, "exit %d: %s", code, err);
	read_profile(prof, &p);
	assert_accessor_counts(&p, out);
	profile__free(&p);
}

/*
 * Attaches to program (an accessors target, deleted from disk once running
 * if delete is set) run as owner, with caps, during one batch. Returns
 * attrprof's exit code; its stderr into err, the batch's counts into counts.
 */
static int attach_to_program(const char *program, bool delete, const char *owner, const char *caps,
			     char *prof, size_t proflen, char *counts, size_t countslen, char *err,
			     size_t errlen)
{
	char *target_cmd[] = {(char *)program, "--control", "--threads", "2", NULL};
	char pidbuf[16];
	char *cmd[] = {sb.attrprof, "attach", "-p",	     pidbuf, "-o",
		       prof,	    "--func", "model_get_*", NULL};
	struct proc target, tracer;
	int code;

	snprintf(prof, proflen, "%s/attach-%s-%s.json", sb.out, owner, caps);
	control_start(&target, as_user(owner, "", target_cmd), 10000);
	if (delete)
		cr_assert_eq(unlink(program), 0);
	snprintf(pidbuf, sizeof(pidbuf), "%d", target.pid);
	proc_start(&tracer, as_user(NOBODY, caps, cmd));
	if (proc_wait_err(&tracer, TRACING_READY, 60000)) {
		proc_command(&target, "run 100", counts, countslen, 60000);
		kill(tracer.pid, SIGINT);
	}
	code = proc_wait(&tracer, 60000);
	snprintf(err, errlen, "%s", tracer.err);
	control_quit(&target, 10000);
	return code;
}

static int attach_to(const char *owner, const char *caps, char *prof, size_t proflen, char *counts,
		     size_t countslen, char *err, size_t errlen)
{
	return attach_to_program(sb.accessors, false, owner, caps, prof, proflen, counts, countslen,
				 err, errlen);
}

Test(privilege, the_minimal_set_attaches_to_the_users_own_process)
{
	char prof[256], counts[1024] = "", err[8192];
	struct profile p = {};
	int code;

	code = attach_to(NOBODY, minimal_set(), prof, sizeof(prof), counts, sizeof(counts), err,
			 sizeof(err));
	cr_assert_eq(code, 0, "exit %d: %s", code, err);
	read_profile(prof, &p);
	assert_accessor_counts(&p, counts);
	profile__free(&p);
}

Test(privilege, another_users_process_needs_cap_sys_ptrace)
{
	char prof[256], counts[1024] = "", err[8192], missing[1024], caps[96];
	struct profile p = {};
	int code;

	code = attach_to(OTHER_USER, minimal_set(), prof, sizeof(prof), counts, sizeof(counts), err,
			 sizeof(err));
	cr_assert_eq(code, 2, "exit %d: %s", code, err);
	missing_part(err, missing, sizeof(missing));
	cr_assert(strstr(missing, "missing capability: CAP_SYS_PTRACE (to read /proc/"), "%s", err);
	cr_assert(strstr(missing, "of a process of uid " OTHER_USER ")"), "%s", err);

	snprintf(caps, sizeof(caps), "%s,sys_ptrace", minimal_set());
	code = attach_to(OTHER_USER, caps, prof, sizeof(prof), counts, sizeof(counts), err,
			 sizeof(err));
	cr_assert_eq(code, 0, "exit %d: %s", code, err);
	read_profile(prof, &p);
	assert_accessor_counts(&p, counts);
	profile__free(&p);
}

/*
 * A Python target recorded by nobody, with Debian's stripped interpreter:
 * py_bounds's accesses and instances, under the default limits, all exact.
 */
Test(privilege, the_minimal_set_records_python_exactly)
{
	char prof[256], output[4096] = "";
	char *cmd[] = {sb.attrprof, "record", "-o", prof, "--", DEBIAN_PYTHON, sb.py_bounds, NULL};
	char *save = NULL;
	struct profile p = {};
	size_t checked = 0;
	struct proc rec;
	int code;

	if (access(DEBIAN_PYTHON, X_OK))
		cr_skip_test("%s is not installed on this machine", DEBIAN_PYTHON);
	snprintf(prof, sizeof(prof), "%s/python.json", sb.out);
	control_start(&rec, as_user(NOBODY, minimal_set(), cmd), 60000);
	proc_command(&rec, "run", output, sizeof(output), 60000);
	proc_send(&rec, "quit");
	code = proc_wait(&rec, 60000);
	cr_assert_eq(code, 0, "exit %d: %s", code, rec.err);
	read_profile(prof, &p);
	for (char *l = strtok_r(output, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char owner[32], name[32];
		unsigned long n;

		if (sscanf(l, "count %31s %31s %lu", owner, name, &n) == 3) {
			const struct prof_attr *a = find_owned(&p, owner, name);

			cr_assert_not_null(a, "%s.%s missing", owner, name);
			cr_assert_eq(a->count, n, "%s.%s: profile %lu, workload %lu", owner, name,
				     (unsigned long)a->count, n);
			checked++;
		} else if (sscanf(l, "allocs %31s %lu", owner, &n) == 2) {
			const struct prof_class *c = find_class(&p, owner);

			cr_assert_not_null(c, "class %s missing", owner);
			cr_assert_eq(c->allocs, n, "%s: %lu instances, workload made %lu", owner,
				     (unsigned long)c->allocs, n);
			checked++;
		}
	}
	cr_assert_eq(checked, 16, "checked %zu lines of: %s", checked, output);
	profile__free(&p);
}

/* Ambient capabilities given to attrprof do not pass to the command it runs. */
Test(privilege, record_does_not_pass_its_capabilities_to_the_command)
{
	char prof[256], out[4096], err[8192];
	char *cmd[] = {
		sb.attrprof, "record",
		"-o",	     prof,
		"--",	     DEBIAN_PYTHON,
		"-c",	     "import sys; sys.stdout.write(open('/proc/self/status').read())",
		NULL};
	int code;

	if (access(DEBIAN_PYTHON, X_OK))
		cr_skip_test("%s is not installed on this machine", DEBIAN_PYTHON);
	snprintf(prof, sizeof(prof), "%s/caps.json", sb.out);
	code = run_cmd(as_user(NOBODY, minimal_set(), cmd), out, sizeof(out), err, sizeof(err),
		       60000);
	cr_assert_eq(code, 0, "exit %d: %s", code, err);
	cr_assert(strstr(out, "CapEff:\t0000000000000000\n"), "%s", out);
	cr_assert(strstr(out, "CapAmb:\t0000000000000000\n"), "%s", out);
	cr_assert(strstr(out, "Uid:\t65534\t65534\t65534\t65534\n"), "%s", out);
}

/*
 * A binary deleted on disk (a deploy in place) is read through
 * /proc/PID/map_files, which the kernel opens only with CAP_CHECKPOINT_RESTORE
 * (or CAP_SYS_ADMIN), even for the user's own process.
 */
Test(privilege, a_deleted_binary_needs_cap_checkpoint_restore)
{
	char prof[256], counts[1024] = "", err[8192], missing[1024], caps[96], copy[160];
	struct profile p = {};
	int code;

	snprintf(copy, sizeof(copy), "%s/deployed", sb.dir);
	free(sh("cp %s %s && echo ok", sb.accessors, copy));
	code = attach_to_program(copy, true, NOBODY, minimal_set(), prof, sizeof(prof), counts,
				 sizeof(counts), err, sizeof(err));
	cr_assert_eq(code, 2, "exit %d: %s", code, err);
	missing_part(err, missing, sizeof(missing));
	cr_assert(strstr(missing, "missing capability: CAP_CHECKPOINT_RESTORE (to read "), "%s",
		  err);
	cr_assert(strstr(missing, ", deleted on disk, through /proc/"), "%s", err);

	free(sh("cp %s %s && echo ok", sb.accessors, copy));
	snprintf(caps, sizeof(caps), "%s,checkpoint_restore", minimal_set());
	code = attach_to_program(copy, true, NOBODY, caps, prof, sizeof(prof), counts,
				 sizeof(counts), err, sizeof(err));
	cr_assert_eq(code, 0, "exit %d: %s", code, err);
	read_profile(prof, &p);
	assert_accessor_counts(&p, counts);
	profile__free(&p);
}
