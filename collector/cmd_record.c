// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * attrprof record: start a command with the probes already in place.
 *
 * The child is forked first and waits on a pipe; the probes are attached to
 * its PID (uprobes follow the task through exec, and the kernel installs the
 * breakpoints as the binary and its libraries are mapped), then the pipe
 * releases it into exec. No instruction of the command runs untraced.
 */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "caps.h"
#include "commands.h"
#include "gate.h"
#include "options.h"
#include "runs.h"
#include "session.h"

struct record_args {
	struct session_opts opts;
	char **argv;
	bool no_trampoline;
	unsigned int runs;
	const char *baseline; /* compare against it, as diff does */
	struct gate_args gate;
	enum diff_format format;
	const char *diff_output;
};

enum {
	OPT_NO_PERF_TRAMPOLINE = 0x200,
	OPT_RUNS,
	OPT_BASELINE,
	OPT_DIFF_FORMAT,
	OPT_DIFF_OUTPUT,
};

static const struct argp_option record_options[] = {
	{"no-perf-trampoline", OPT_NO_PERF_TRAMPOLINE, NULL, 0,
	 "Python 3.12+: do not start the interpreter with its perf trampoline; property gets and "
	 "__getattribute__ loads are then not observable",
	 0},
	{"runs", OPT_RUNS, "N", 0,
	 "Run COMMAND N times, each traced afresh, and write one profile of all the runs with "
	 "each run's figures (default 1, at most 100)",
	 0},
	{"baseline", OPT_BASELINE, "FILE", 0,
	 "Then compare the profile against FILE as attrprof diff does, and exit as it does", 0},
	{"diff-format", OPT_DIFF_FORMAT, "FORMAT", 0,
	 "With --baseline: text (default), json, markdown or junit", 0},
	{"diff-output", OPT_DIFF_OUTPUT, "FILE", 0,
	 "With --baseline: write the comparison to FILE instead of stdout", 0},
	{},
};

static const char doc[] =
	"Run COMMAND with probes on the functions matching --func, and write a profile "
	"when it exits. attrprof exits with the command's exit status.\v"
	"With --runs N the command runs N times; a run that fails stops it, with no profile "
	"written, and attrprof exits with that run's status. With --baseline FILE the profile is "
	"then compared against FILE: exit 0 within the limits, 1 on a regression, 2 for a bad "
	"baseline, limits or comparison (checked before the first run), 3 when a run of the "
	"command failed (nothing compared).\n\n"
	"Examples:\n"
	"  attrprof record -o prof.json --func 'model_get_*' -- ./server --threads 4\n"
	"  attrprof record --count-only -f 'cache_*' -- ./batch-job input.csv\n"
	"  attrprof record --runs 5 -o main.json -- python bench.py\n"
	"  attrprof record --baseline main.json --runs 5 -o pr.json -- python "
	"bench.py\n\n" GATE_LIMITS_DOC;

static error_t parse_record(int key, char *arg, struct argp_state *state)
{
	struct record_args *a = state->input;
	double v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->opts;
		state->child_inputs[1] = &a->gate;
		break;
	case OPT_NO_PERF_TRAMPOLINE:
		a->no_trampoline = true;
		break;
	case OPT_RUNS:
		if (options__parse_number(arg, PROFILE_MAX_RUNS, false, &v)) {
			argp_error(state, "--runs: expected a whole number from 1 to %d, got '%s'",
				   PROFILE_MAX_RUNS, arg);
			return EINVAL;
		}
		a->runs = v;
		break;
	case OPT_BASELINE:
		a->baseline = arg;
		break;
	case OPT_DIFF_FORMAT:
		if (diff__parse_format(arg, &a->format)) {
			argp_error(
				state,
				"--diff-format: expected text, json, markdown or junit, got '%s'",
				arg);
			return EINVAL;
		}
		break;
	case OPT_DIFF_OUTPUT:
		a->diff_output = arg;
		break;
	case ARGP_KEY_ARG:
		/* The command and its own arguments are not ours to parse. */
		a->argv = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "give the command to run after --");
		return EINVAL;
	case ARGP_KEY_END:
		/* Limits and a comparison format without a baseline would be ignored: say so. */
		if (!a->baseline &&
		    (a->gate.given || a->gate.config || a->diff_output || a->format != DIFF_TEXT)) {
			argp_error(state,
				   "limits, --diff-format and --diff-output need --baseline");
			return EINVAL;
		}
		break;
	default:
		(void)arg;
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Signals we relay to the command or that stop us: blocked, read from a signalfd. */
static const int relayed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static int relay_signals(sigset_t *mask)
{
	sigemptyset(mask);
	for (size_t i = 0; i < sizeof(relayed) / sizeof(relayed[0]); i++)
		sigaddset(mask, relayed[i]);
	if (sigprocmask(SIG_BLOCK, mask, NULL))
		return -1;
	return signalfd(-1, mask, SFD_CLOEXEC);
}

/*
 * Closes the descriptors the child inherited that exec would close
 * (attrprof's own, all close-on-exec): the last close of a previous run's
 * uprobe link waits out grace periods, ~0.1 s that the command would
 * otherwise spend in its exec. Others stay: they are the command's.
 */
static void close_cloexec_fds(int keep1, int keep2)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name), flags;

		if (fd <= 2 || fd == keep1 || fd == keep2 || fd == dirfd(d))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && (flags & FD_CLOEXEC))
			close(fd);
	}
	closedir(d);
}

/*
 * The child: forked before any BPF object exists, it waits until the
 * probes are attached (the parent writes to or closes the gate), then
 * execs. The gate's byte, 't' or 'g', says whether to turn on CPython's
 * perf trampoline, which the parent learns only after forking. An exec
 * failure is reported through errpipe.
 */
static void run_child(char **argv, int gate, int errpipe, const sigset_t *mask)
{
	char go;
	int e;

	sigprocmask(SIG_UNBLOCK, mask, NULL);
	close_cloexec_fds(gate, errpipe);
	/*
	 * Capabilities we were given as ambient ones (setpriv, systemd's
	 * AmbientCapabilities) would pass to the command through exec: it
	 * runs with the user's own privileges, not with the tracer's.
	 */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		_exit(127);
	if (read(gate, &go, 1) != 1)
		_exit(127); /* the parent gave up before attaching */
	close(gate);
	/*
	 * CPython 3.12+ specializes property and __getattribute__ loads into
	 * bytecode that calls nothing we can probe, unless a frame evaluator
	 * is set. Its perf trampoline is one, enabled from the environment;
	 * its cost is an indirect call per Python call, plus the perf map file
	 * (/tmp/perf-PID.map) it writes, which record removes afterwards.
	 */
	if (go == 't' && setenv("PYTHONPERFSUPPORT", "1", 1))
		_exit(127);
	execvp(argv[0], argv);
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static void perf_map_path(pid_t pid, char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/perf-%d.map", pid);
}

static bool perf_map_exists(pid_t pid)
{
	char path[64];

	perf_map_path(pid, path, sizeof(path));
	return access(path, F_OK) == 0;
}

/* Removes the perf map the trampoline wrote, unless a file by that name predates the command. */
static void remove_perf_map(pid_t pid, bool existed)
{
	char path[64];

	if (existed)
		return;
	perf_map_path(pid, path, sizeof(path));
	unlink(path);
}

/* Exit status of the shell convention: the code, or 128 + the signal. */
static int exit_status_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_RUNTIME;
}

/*
 * One traced run of the command in a fresh session. With out set the
 * profile goes there, else it is written to opts.output. *status gets the
 * command's exit status in the shell convention.
 * Returns 0, or an exit code (EXIT_*) with the reason in err.
 */
static int record_once(const struct record_args *a, int sigfd, const sigset_t *mask,
		       struct profile *out, bool more, int *status, char *err, size_t errlen)
{
	struct caps_need need = {};
	struct target_objects objs = {};
	struct session s = {};
	int gate[2] = {-1, -1}, errpipe[2] = {-1, -1};
	int pidfd = -1, wstatus = 0, exec_errno = 0, ret, code = EXIT_RUNTIME;
	enum session_end end;
	char *exe = NULL, what[256];
	pid_t child = -1;
	bool trampoline = false, perf_map_existed = false;

	need.tracefs = !a->opts.no_locks;
	ret = caps__check_need(&need, err, errlen);
	if (!ret)
		ret = target__command_objects(a->argv[0], &exe, &objs, err, errlen);
	if (ret) {
		code = session__exit_code(ret);
		goto cleanup;
	}
	if (pipe2(gate, O_CLOEXEC) || pipe2(errpipe, O_CLOEXEC)) {
		snprintf(err, errlen, "set up the command: %s", strerror(errno));
		goto cleanup;
	}
	child = fork();
	if (child < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto cleanup;
	}
	if (child == 0) {
		close(gate[1]);
		close(errpipe[0]);
		run_child(a->argv, gate[0], errpipe[1], mask);
	}
	close(gate[0]);
	close(errpipe[1]);
	gate[0] = errpipe[1] = -1;
	pidfd = syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0) {
		snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
		goto cleanup;
	}
	ret = session__open(&s, &a->opts, &objs, err, errlen);
	if (ret) {
		code = session__exit_code(ret);
		goto cleanup;
	}
	trampoline = s.python && s.py.minor >= 12 && !a->no_trampoline;
	s.opts.frame_evaluator = trampoline;
	perf_map_existed = trampoline && perf_map_exists(child);
	ret = session__attach(&s, child, err, errlen);
	if (ret)
		goto cleanup;
	if (write(gate[1], trampoline ? "t" : "g", 1) != 1) {
		snprintf(err, errlen, "release the command: %s", strerror(errno));
		goto cleanup;
	}
	close(gate[1]);
	gate[1] = -1;
	/* The error pipe closes on a successful exec, or carries exec's errno. */
	if (read(errpipe[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
		snprintf(err, errlen, "%s: %s", a->argv[0], strerror(exec_errno));
		code = EXIT_BAD_INPUT;
		goto cleanup;
	}
	session__describe(&s, what, sizeof(what));
	fprintf(stderr, "attrprof: recording PID %d (%s)\n", child, what);

	ret = session__wait(&s, sigfd, pidfd, child, &end);
	if (ret) {
		snprintf(err, errlen, "wait: %s", strerror(-ret));
		goto cleanup;
	}
	if (end == END_DURATION) {
		/* Stop tracing now; the command runs on, untraced, and we return its status. */
		ret = out ? session__collect_profile(&s, exe, end, -1, out, err, errlen)
			  : session__write_profile(&s, exe, end, -1, err, errlen);
		session__detach(&s);
		waitpid(child, &wstatus, 0);
	} else {
		session__stop(&s);
		waitpid(child, &wstatus, 0);
		*status = exit_status_of(wstatus);
		ret = out ? session__collect_profile(&s, exe, end, *status, out, err, errlen)
			  : session__write_profile(&s, exe, end, *status, err, errlen);
	}
	*status = exit_status_of(wstatus);
	if (trampoline)
		remove_perf_map(child, perf_map_existed);
	child = -1;
	if (ret)
		goto cleanup;
	if (!out)
		fprintf(stderr, "attrprof: wrote %s\n", a->opts.output);
	code = 0;
cleanup:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (gate[i] >= 0)
			close(gate[i]);
		if (errpipe[i] >= 0)
			close(errpipe[i]);
	}
	if (pidfd >= 0)
		close(pidfd);
	/*
	 * Detaching waits for the kernel once per probe, most of a second for
	 * CPython's: with runs to follow, it goes on while the next run starts.
	 * Its probes only count the PID it attached to, which has exited.
	 */
	if (more)
		attach__destroy_async(&s.links);
	session__close(&s);
	target__objects_free(&objs);
	free(exe);
	return code;
}

/*
 * Runs the command a->runs times and merges the profiles into *merged.
 * A run whose command fails stops it: nothing is merged from a broken run.
 * Returns 0, or an exit code with the reason in err: the command's own
 * status for a failed run (EXIT_WORKLOAD with --baseline).
 */
static int record_runs(const struct record_args *a, int sigfd, const sigset_t *mask,
		       struct profile *merged, char *err, size_t errlen)
{
	struct profile one;
	int status = 0, code;

	for (unsigned int i = 0; i < a->runs; i++) {
		if (a->runs > 1)
			fprintf(stderr, "attrprof: run %u of %u\n", i + 1, a->runs);
		code = record_once(a, sigfd, mask, &one, i + 1 < a->runs, &status, err, errlen);
		if (code)
			return code;
		if (status) {
			profile__free(&one);
			snprintf(err, errlen,
				 "run %u of %u: %s exited with status %d; no profile written%s",
				 i + 1, a->runs, a->argv[0], status,
				 a->baseline ? ", nothing compared" : "");
			return a->baseline ? EXIT_WORKLOAD : status;
		}
		if (runs__merge(merged, &one, i, a->runs)) {
			snprintf(err, errlen, "run %u of %u: merge the profiles: %s", i + 1,
				 a->runs, strerror(ENOMEM));
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

/*
 * Reads the baseline and checks what can be checked before any run: a bad
 * baseline or limits must not cost a recording. Returns 0 or EXIT_BAD_INPUT.
 */
static int load_baseline(const struct record_args *a, struct profile *base,
			 struct diff_limits *limits, json_t **config)
{
	char err[1024];

	if (gate__resolve_limits("record", &a->gate, limits, config))
		return EXIT_BAD_INPUT;
	if (profile__read(a->baseline, base, err, sizeof(err)) ||
	    ((limits->p99_pct >= 0 || limits->total_pct >= 0 || limits->lock_pct >= 0) &&
	     diff__check_runs(base->nruns, a->runs, limits->confidence, err, sizeof(err)))) {
		fprintf(stderr, "attrprof record: baseline %s\n", err);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* At file scope, so that the argument fuzzer (fuzz/args_record.c) parses with it. */
static const struct argp_child record_children[] = {
	{&options__tracing, 0, NULL, 0},
	{&gate__limits_argp, 0, "With --baseline, the limits (as for attrprof diff):", 0},
	{}};
static const struct argp record_argp = {
	record_options, parse_record, "[OPTION...] -- COMMAND [ARG...]", doc, record_children,
	NULL,		NULL};

int cmd_record(int argc, char **argv)
{
	struct record_args a = {.runs = 1};
	struct profile base = {}, merged = {};
	struct diff_limits limits;
	json_t *config = NULL;
	int sigfd = -1, status = 0, ret, code = EXIT_RUNTIME;
	char err[2048] = "";
	sigset_t mask;

	options__init(&a.opts);
	argp_parse(&record_argp, argc, argv, ARGP_IN_ORDER, NULL, &a);
	if (a.baseline) {
		code = load_baseline(&a, &base, &limits, &config);
		if (code)
			goto cleanup;
		code = EXIT_RUNTIME;
	}
	/* Before any thread starts, so that every thread leaves these to the signalfd. */
	sigfd = relay_signals(&mask);
	if (sigfd < 0) {
		snprintf(err, sizeof(err), "signalfd: %s", strerror(errno));
		goto cleanup;
	}
	if (a.runs == 1 && !a.baseline) {
		/* One run, as always: the profile is written even when the command fails. */
		code = record_once(&a, sigfd, &mask, NULL, false, &status, err, sizeof(err));
		if (!code)
			code = status;
		goto cleanup;
	}
	code = record_runs(&a, sigfd, &mask, &merged, err, sizeof(err));
	if (code)
		goto cleanup;
	ret = profile__write(&merged, a.opts.output);
	if (ret) {
		snprintf(err, sizeof(err), "write %s: %s", a.opts.output, strerror(-ret));
		code = EXIT_RUNTIME;
		goto cleanup;
	}
	fprintf(stderr, "attrprof: wrote %s (%u run%s)\n", a.opts.output, a.runs,
		a.runs == 1 ? "" : "s");
	code = a.baseline
		       ? gate__verdict("record", &base, &merged, &limits, a.format, a.diff_output)
		       : 0;
cleanup:
	if (err[0])
		fprintf(stderr, "attrprof record: %s\n", err);
	if (sigfd >= 0)
		close(sigfd);
	profile__free(&base);
	profile__free(&merged);
	json_decref(config);
	options__free(&a.opts);
	return code;
}
