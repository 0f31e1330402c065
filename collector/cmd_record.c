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
#include "options.h"
#include "session.h"

struct record_args {
	struct session_opts opts;
	char **argv;
	bool no_trampoline;
};

#define OPT_NO_PERF_TRAMPOLINE 0x200

static const struct argp_option record_options[] = {
	{"no-perf-trampoline", OPT_NO_PERF_TRAMPOLINE, NULL, 0,
	 "Python 3.12+: do not start the interpreter with its perf trampoline; property gets and "
	 "__getattribute__ loads are then not observable",
	 0},
	{},
};

static const char doc[] =
	"Run COMMAND with probes on the functions matching --func, and write a profile "
	"when it exits. attrprof exits with the command's exit status.\v"
	"Examples:\n"
	"  attrprof record -o prof.json --func 'model_get_*' -- ./server --threads 4\n"
	"  attrprof record --count-only -f 'cache_*' -- ./batch-job input.csv";

static error_t parse_record(int key, char *arg, struct argp_state *state)
{
	struct record_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->opts;
		break;
	case OPT_NO_PERF_TRAMPOLINE:
		a->no_trampoline = true;
		break;
	case ARGP_KEY_ARG:
		/* The command and its own arguments are not ours to parse. */
		a->argv = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "give the command to run after --");
		return EINVAL;
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
 * The child: waits until the probes are attached (the parent writes to or
 * closes the gate), then execs. An exec failure is reported through errpipe.
 */
static void run_child(char **argv, int gate, int errpipe, const sigset_t *mask, bool trampoline)
{
	char go;
	int e;

	sigprocmask(SIG_UNBLOCK, mask, NULL);
	/*
	 * CPython 3.12+ specializes property and __getattribute__ loads into
	 * bytecode that calls nothing we can probe, unless a frame evaluator
	 * is set. Its perf trampoline is one, enabled from the environment;
	 * its cost is an indirect call per Python call, plus the perf map file
	 * (/tmp/perf-PID.map) it writes, which record removes afterwards.
	 */
	if (trampoline && setenv("PYTHONPERFSUPPORT", "1", 1))
		_exit(127);
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

static const struct argp_child record_children[] = {{&options__tracing, 0, NULL, 0}, {}};
static const struct argp record_argp = {
	record_options, parse_record, "[OPTION...] -- COMMAND [ARG...]", doc, record_children,
	NULL,		NULL};

int cmd_record(int argc, char **argv)
{
	struct record_args a = {};
	struct caps_need need = {};
	struct target_objects objs = {};
	struct session s = {};
	int gate[2] = {-1, -1}, errpipe[2] = {-1, -1};
	int sigfd = -1, pidfd = -1, status = 0, exec_errno = 0, ret, code = EXIT_RUNTIME;
	enum session_end end;
	char *exe = NULL, err[2048] = "", what[256];
	sigset_t mask;
	pid_t child = -1;
	bool trampoline, perf_map_existed = false;

	options__init(&a.opts);
	argp_parse(&record_argp, argc, argv, ARGP_IN_ORDER, NULL, &a);
	/* Before any thread starts, so that every thread leaves these to the signalfd. */
	sigfd = relay_signals(&mask);
	if (sigfd < 0) {
		snprintf(err, sizeof(err), "signalfd: %s", strerror(errno));
		goto cleanup;
	}

	need.tracefs = !a.opts.no_locks;
	ret = caps__check_need(&need, err, sizeof(err));
	if (!ret)
		ret = target__command_objects(a.argv[0], &exe, &objs, err, sizeof(err));
	if (!ret)
		ret = session__open(&s, &a.opts, &objs, err, sizeof(err));
	if (ret) {
		code = session__exit_code(ret);
		goto cleanup;
	}
	trampoline = s.python && s.py.minor >= 12 && !a.no_trampoline;
	s.opts.frame_evaluator = trampoline;

	if (pipe2(gate, O_CLOEXEC) || pipe2(errpipe, O_CLOEXEC)) {
		snprintf(err, sizeof(err), "set up the command: %s", strerror(errno));
		goto cleanup;
	}
	child = fork();
	if (child < 0) {
		snprintf(err, sizeof(err), "fork: %s", strerror(errno));
		goto cleanup;
	}
	if (child == 0) {
		close(gate[1]);
		close(errpipe[0]);
		run_child(a.argv, gate[0], errpipe[1], &mask, trampoline);
	}
	close(gate[0]);
	close(errpipe[1]);
	gate[0] = errpipe[1] = -1;
	pidfd = syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0) {
		snprintf(err, sizeof(err), "pidfd_open: %s", strerror(errno));
		goto cleanup;
	}
	perf_map_existed = trampoline && perf_map_exists(child);
	ret = session__attach(&s, child, err, sizeof(err));
	if (ret)
		goto cleanup;
	if (write(gate[1], "g", 1) != 1) {
		snprintf(err, sizeof(err), "release the command: %s", strerror(errno));
		goto cleanup;
	}
	close(gate[1]);
	gate[1] = -1;
	/* The error pipe closes on a successful exec, or carries exec's errno. */
	if (read(errpipe[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno)) {
		snprintf(err, sizeof(err), "%s: %s", a.argv[0], strerror(exec_errno));
		code = EXIT_BAD_INPUT;
		goto cleanup;
	}
	session__describe(&s, what, sizeof(what));
	fprintf(stderr, "attrprof: recording PID %d (%s)\n", child, what);

	ret = session__wait(&s, sigfd, pidfd, child, &end);
	if (ret) {
		snprintf(err, sizeof(err), "wait: %s", strerror(-ret));
		goto cleanup;
	}
	if (end == END_DURATION) {
		/* Stop tracing now; the command runs on, untraced, and we return its status. */
		ret = session__write_profile(&s, exe, end, -1, err, sizeof(err));
		session__detach(&s);
		waitpid(child, &status, 0);
	} else {
		waitpid(child, &status, 0);
		ret = session__write_profile(&s, exe, end, exit_status_of(status), err,
					     sizeof(err));
	}
	if (trampoline)
		remove_perf_map(child, perf_map_existed);
	child = -1;
	if (ret)
		goto cleanup;
	fprintf(stderr, "attrprof: wrote %s\n", a.opts.output);
	code = exit_status_of(status);
	err[0] = '\0';
cleanup:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (err[0])
		fprintf(stderr, "attrprof record: %s\n", err);
	for (int i = 0; i < 2; i++) {
		if (gate[i] >= 0)
			close(gate[i]);
		if (errpipe[i] >= 0)
			close(errpipe[i]);
	}
	if (pidfd >= 0)
		close(pidfd);
	if (sigfd >= 0)
		close(sigfd);
	session__close(&s);
	target__objects_free(&objs);
	options__free(&a.opts);
	free(exe);
	return code;
}
