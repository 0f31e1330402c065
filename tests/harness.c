// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "caps.h"
#include "harness.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *build_path(const char *rel)
{
	static struct {
		const char *rel;
		char path[512];
	} cache[4];
	const char *dir = getenv("ATTRPROF_BUILD");
	size_t i;

	for (i = 0; i < 4 && cache[i].rel; i++)
		if (!strcmp(cache[i].rel, rel))
			return cache[i].path;
	cr_assert_lt(i, 4, "build_path: more programs than its cache holds");
	cache[i].rel = rel;
	snprintf(cache[i].path, sizeof(cache[i].path), "%s/%s", dir ? dir : "build", rel);
	return cache[i].path;
}

void proc_start(struct proc *p, char *const argv[])
{
	int in[2], out[2], err[2];

	memset(p, 0, sizeof(*p));
	cr_assert(!pipe2(in, O_CLOEXEC) && !pipe2(out, O_CLOEXEC) && !pipe2(err, O_CLOEXEC));
	p->pid = fork();
	cr_assert(p->pid >= 0, "fork: %s", strerror(errno));
	if (p->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	p->in = fdopen(in[1], "w");
	p->out = fdopen(out[0], "r");
	setvbuf(p->out, NULL, _IONBF, 0);
	p->err_fd = err[0];
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
}

bool proc_read_line(struct proc *p, char *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = {.fd = fileno(p->out), .events = POLLIN};

	/* stdout is unbuffered (proc_start), so poll sees every byte not yet read. */
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return false;
	if (!fgets(buf, len, p->out))
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* Appends whatever stderr has now; returns false at EOF. */
static bool drain_err(struct proc *p)
{
	for (;;) {
		ssize_t n = read(p->err_fd, p->err + p->err_len, sizeof(p->err) - 1 - p->err_len);

		if (n > 0) {
			p->err_len += n;
			p->err[p->err_len] = '\0';
			if (p->err_len == sizeof(p->err) - 1)
				return true;
			continue;
		}
		return n < 0 && errno == EAGAIN;
	}
}

bool proc_wait_err(struct proc *p, const char *needle, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = {.fd = p->err_fd, .events = POLLIN};
		bool open = drain_err(p);

		if (strstr(p->err, needle))
			return true;
		if (!open || now_ms() >= deadline)
			return false;
		poll(&pfd, 1, deadline - now_ms());
	}
}

void proc_send(struct proc *p, const char *line)
{
	fprintf(p->in, "%s\n", line);
	fflush(p->in);
}

int proc_wait(struct proc *p, int timeout_ms)
{
	long deadline = now_ms() + timeout_ms;
	int status = 0;

	if (p->in) {
		fclose(p->in);
		p->in = NULL;
	}
	while (waitpid(p->pid, &status, WNOHANG) == 0) {
		if (now_ms() >= deadline) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			break;
		}
		drain_err(p);
		usleep(10000);
	}
	drain_err(p);
	close(p->err_fd);
	if (p->out)
		fclose(p->out);
	p->out = NULL;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void proc_command(struct proc *t, const char *cmd, char *out, size_t len, int timeout_ms)
{
	char line[512];
	size_t used = 0;

	proc_send(t, cmd);
	out[0] = '\0';
	for (;;) {
		cr_assert(proc_read_line(t, line, sizeof(line), timeout_ms),
			  "target %d stopped answering '%s'", t->pid, cmd);
		if (!strcmp(line, "done"))
			return;
		cr_assert_lt(used + strlen(line) + 1, len, "'%s' printed more than the test keeps",
			     cmd);
		used += snprintf(out + used, len - used, "%s\n", line);
	}
}

int run_cmd(char *const argv[], char *out, size_t outlen, char *err, size_t errlen, int timeout_ms)
{
	struct proc p;
	size_t used = 0;
	int code;

	proc_start(&p, argv);
	fclose(p.in);
	p.in = NULL;
	while (out && used + 1 < outlen && fgets(out + used, outlen - used, p.out))
		used += strlen(out + used);
	code = proc_wait(&p, timeout_ms);
	if (err)
		snprintf(err, errlen, "%s", p.err);
	return code;
}

char *sh(const char *fmt, ...)
{
	char cmd[4096], *out = NULL;
	size_t len = 0;
	FILE *p, *m;
	va_list ap;
	int c;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "popen %s", cmd);
	m = open_memstream(&out, &len);
	while ((c = fgetc(p)) != EOF)
		fputc(c, m);
	fclose(m);
	cr_assert_eq(pclose(p), 0, "failed: %s", cmd);
	return out;
}

void temp_path(char *buf, size_t len, const char *name)
{
	static int seq;

	mkdir("build/tests", 0755);
	mkdir("build/tests/tmp", 0755);
	snprintf(buf, len, "build/tests/tmp/%d-%d-%s", getpid(), seq++, name);
	unlink(buf);
}

long target_count(const char *output, const char *name)
{
	char needle[256];
	const char *p;

	snprintf(needle, sizeof(needle), "calls %s ", name);
	p = strstr(output, needle);
	return p ? strtol(p + strlen(needle), NULL, 10) : -1;
}

const struct prof_attr *find_attr(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->nattrs; i++)
		if (!strcmp(p->attrs[i].name, name))
			return &p->attrs[i];
	return NULL;
}

void read_profile(const char *path, struct profile *p)
{
	char err[1024];

	cr_assert_eq(profile__read(path, p, err, sizeof(err)), 0, "%s", err);
}

bool can_trace(void)
{
	char err[256];

	return caps__check(err, sizeof(err)) == 0;
}

void skip_unless_tracing(void)
{
	if (!can_trace())
		cr_skip_test("needs CAP_BPF and CAP_PERFMON (run the suite as root)");
}

void control_start(struct proc *t, char *const argv[], int timeout_ms)
{
	char line[64];

	proc_start(t, argv);
	cr_assert(proc_read_line(t, line, sizeof(line), timeout_ms) && !strcmp(line, "ready"),
		  "target %s never got ready: %s", argv[0], t->err);
}

void control_quit(struct proc *t, int timeout_ms)
{
	int code;

	proc_send(t, "quit");
	code = proc_wait(t, timeout_ms);
	cr_assert_eq(code, 0, "target exit %d: %s", code, t->err);
}

void tracer_start(struct proc *a, char *const argv[], int timeout_ms)
{
	proc_start(a, argv);
	cr_assert(proc_wait_err(a, TRACING_READY, timeout_ms), "attrprof never got ready: %s",
		  a->err);
}

void tracer_stop(struct proc *a)
{
	int code;

	kill(a->pid, SIGINT);
	code = proc_wait(a, 60000);
	cr_assert_eq(code, 0, "attrprof exit %d: %s", code, a->err);
}

void attach_for_command(struct proc *tracer, char *const target_argv[], char *const tracer_argv[],
			char *pidbuf, const char *cmd, char *out, size_t len)
{
	struct proc target;

	control_start(&target, target_argv, 20000);
	snprintf(pidbuf, 16, "%d", target.pid);
	tracer_start(tracer, tracer_argv, 60000);
	proc_command(&target, cmd, out, len, 60000);
	tracer_stop(tracer);
	control_quit(&target, 10000);
}

const struct prof_attr *find_owned(const struct profile *p, const char *owner, const char *name)
{
	for (size_t i = 0; i < p->nattrs; i++)
		if (!strcmp(p->attrs[i].owner, owner) && !strcmp(p->attrs[i].name, name))
			return &p->attrs[i];
	return NULL;
}

const struct prof_attr *find_py_attr(const struct profile *p, const char *owner, const char *name,
				     const char *kind, const char *op)
{
	for (size_t i = 0; i < p->nattrs; i++) {
		const struct prof_attr *a = &p->attrs[i];

		if (!strcmp(a->owner, owner) && !strcmp(a->name, name) &&
		    !strcmp(profile__kind_name(a->kind), kind) &&
		    !strcmp(profile__op_name(a->op), op))
			return a;
	}
	return NULL;
}

const struct prof_class *find_class(const struct profile *p, const char *owner)
{
	for (size_t i = 0; i < p->nclasses; i++)
		if (!strcmp(p->classes[i].owner, owner))
			return &p->classes[i];
	return NULL;
}

void assert_accessor_counts(const struct profile *p, const char *out)
{
	static const char *const funcs[] = {"model_get_plain", "model_get_locked",
					    "model_get_outer", "model_get_inner", "model_get_tree"};

	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		const struct prof_attr *a = find_attr(p, funcs[i]);
		long truth = target_count(out, funcs[i]);

		cr_assert_not_null(a, "%s missing from the profile", funcs[i]);
		cr_assert_gt(truth, 0, "the target did not report %s", funcs[i]);
		cr_assert_eq(a->count, (uint64_t)truth, "%s: profile %lu, target %ld", funcs[i],
			     (unsigned long)a->count, truth);
	}
}

/* From readelf, not elfread: the tests of elfread must not agree with it by construction. */
uint64_t readelf_offset(const char *path, uint64_t vaddr)
{
	char *out = sh("readelf -W -l %s | awk '$1 == \"LOAD\" { print $2, $3, $5 }'", path);
	uint64_t off, va, filesz, ret = UINT64_MAX;
	char *line = out;
	int n;

	while (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64 "%n", &off, &va, &filesz, &n) == 3) {
		if (vaddr >= va && vaddr < va + filesz)
			ret = vaddr - va + off;
		line += n;
	}
	free(out);
	cr_assert_neq(ret, UINT64_MAX, "%#" PRIx64 " in no PT_LOAD of %s", vaddr, path);
	return ret;
}
