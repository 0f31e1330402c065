// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* attrprof attach: trace a running process until Ctrl-C, -d, or its exit. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include "caps.h"
#include "commands.h"
#include "elfread.h"
#include "options.h"
#include "session.h"

struct attach_args {
	struct session_opts opts;
	pid_t pid;
};

static const char doc[] =
	"Attach to the running process PID, trace the functions matching --func, and write a "
	"profile on Ctrl-C (SIGINT), SIGTERM, after --duration, or when the process exits.\v"
	"Examples:\n"
	"  attrprof attach -p 4242 -d 30 -o prof.json --func 'model_get_*'\n"
	"  attrprof attach -p \"$(pidof server)\" -f 'cache_*' -f 'pool_get'";

static const struct argp_option attach_options[] = {
	{"pid", 'p', "PID", 0, "The process to trace", 0},
	{},
};

static error_t parse_attach(int key, char *arg, struct argp_state *state)
{
	struct attach_args *a = state->input;
	double v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->opts;
		break;
	case 'p':
		if (options__parse_number(arg, INT_MAX, false, &v)) {
			argp_error(state, "--pid: expected a process ID, got '%s'", arg);
			return EINVAL;
		}
		a->pid = v;
		break;
	case ARGP_KEY_END:
		if (!a->pid) {
			argp_error(state, "say which process with --pid PID");
			return EINVAL;
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child attach_children[] = {{&options__tracing, 0, NULL, 0}, {}};
static const struct argp attach_argp = {attach_options,	 parse_attach, NULL, doc,
					attach_children, NULL,	       NULL};

int cmd_attach(int argc, char **argv)
{
	struct attach_args a = {};
	struct caps_need need = {};
	struct target_objects objs = {};
	struct session s = {};
	int sigfd = -1, pidfd = -1, ret, code = EXIT_RUNTIME;
	char exe[PATH_MAX], err[2048] = "", what[256];
	enum session_end end;
	sigset_t mask;

	options__init(&a.opts);
	argp_parse(&attach_argp, argc, argv, 0, NULL, &a);
	/* Before any thread starts, so that every thread leaves these to the signalfd. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		snprintf(err, sizeof(err), "signalfd: %s", strerror(errno));
		goto cleanup;
	}

	need.tracefs = !a.opts.no_locks;
	need.pid = a.pid;
	ret = caps__check_need(&need, err, sizeof(err));
	if (!ret)
		ret = target__check_pid(a.pid, err, sizeof(err));
	if (ret) {
		code = session__exit_code(ret);
		goto cleanup;
	}
	/* Held from here on: a PID reused after the target exits cannot fool us. */
	pidfd = syscall(SYS_pidfd_open, a.pid, 0);
	if (pidfd < 0) {
		ret = -errno;
		snprintf(err, sizeof(err), "PID %d: %s", a.pid, strerror(errno));
		code = session__exit_code(ret == -EINVAL ? -ESRCH : ret);
		goto cleanup;
	}
	ret = target__pid_objects(a.pid, &objs, err, sizeof(err));
	if (!ret) {
		/* Files deleted or replaced on disk are read through map_files: one more
		 * capability. */
		need.objs = &objs;
		ret = caps__check_need(&need, err, sizeof(err));
	}
	if (!ret)
		ret = elf__check(objs.v[0].host_path, err, sizeof(err));
	if (!ret)
		ret = target__exe(a.pid, exe, sizeof(exe));
	if (!ret)
		ret = session__open(&s, &a.opts, &objs, err, sizeof(err));
	if (ret) {
		code = session__exit_code(ret);
		goto cleanup;
	}

	ret = session__attach(&s, a.pid, err, sizeof(err));
	if (ret)
		goto cleanup;
	session__describe(&s, what, sizeof(what));
	fprintf(stderr, "attrprof: tracing PID %d (%s); Ctrl-C to stop\n", a.pid, what);

	ret = session__wait(&s, sigfd, pidfd, 0, &end);
	if (ret) {
		snprintf(err, sizeof(err), "wait: %s", strerror(-ret));
		goto cleanup;
	}
	ret = session__write_profile(&s, exe, end, -1, err, sizeof(err));
	if (ret)
		goto cleanup;
	fprintf(stderr, "attrprof: wrote %s\n", a.opts.output);
	session__detach(&s);
	code = 0;
cleanup:
	if (err[0])
		fprintf(stderr, "attrprof attach: %s\n", err);
	if (sigfd >= 0)
		close(sigfd);
	if (pidfd >= 0)
		close(pidfd);
	session__close(&s);
	target__objects_free(&objs);
	options__free(&a.opts);
	return code;
}
