// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bench/stopwatch: times how long a tool takes to become ready and to stop.
 *
 *   stopwatch -r TEXT [-s SIGNAL] [-d DELAY_MS] [-R RESEND_MS] [-t TIMEOUT_S] [-o LOG] \
 *             -- CMD [ARG...]
 *
 * Starts CMD with its stdout and stderr on one pipe and reads it line by
 * line (copied to LOG). ready is the time from just before fork() to the
 * first line containing TEXT. With -s, DELAY_MS after that line it sends
 * SIGNAL (a number) to CMD; stop is the time from that kill() to CMD's exit
 * as seen by waitpid(). With -R, SIGNAL is sent again every RESEND_MS
 * while CMD is still asleep in epoll_wait, i.e. has not started to stop:
 * bpftrace 0.17 sometimes sleeps through a SIGINT there. A tool busy
 * detaching is left alone. stop then runs from the last signal sent, and
 * N says how many were. Prints one line on stdout:
 *   "ready_ms R stop_ms S status X signals N links L"   (S is -1 without -s)
 * where L lists the BPF links CMD held when it became ready, by type, and
 * its perf event fds ("uprobe_multi:2,perf_event:1,perf_fds:1"), from
 * /proc/PID/fd and fdinfo: how the tool attached.
 * and exits 0 if TEXT was seen and CMD exited (any status), 1 otherwise:
 * TEXT never came, CMD did not exit within TIMEOUT_S (it is then killed),
 * or a system call failed. 64 on bad usage. CLOCK_MONOTONIC throughout.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Whether pid's main thread sleeps in epoll_wait(2), from /proc/PID/wchan. */
static bool in_epoll_wait(pid_t pid)
{
	char path[64], wchan[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(wchan, sizeof(wchan), f))
		wchan[0] = '\0';
	fclose(f);
	return !strcmp(wchan, "do_epoll_wait");
}

/* Writes CMD's BPF links by type and its perf event fds into buf, as described above. */
static void count_links(pid_t pid, char *buf, size_t len)
{
	char types[8][32], dir[64], path[320], target[64], line[128];
	int counts[8] = {}, ntypes = 0, perf_fds = 0;
	struct dirent *d;
	size_t used = 0;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	fds = opendir(dir);
	while (fds && (d = readdir(fds))) {
		ssize_t n;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, "anon_inode:[perf_event]"))
			perf_fds++;
		if (strcmp(target, "anon_inode:bpf_link"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, d->d_name);
		f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f)) {
			char type[32];
			int t;

			if (sscanf(line, "link_type: %31s", type) != 1)
				continue;
			for (t = 0; t < ntypes && strcmp(types[t], type); t++)
				;
			if (t == ntypes && ntypes < 8)
				snprintf(types[ntypes++], sizeof(types[0]), "%s", type);
			if (t < ntypes)
				counts[t]++;
		}
		if (f)
			fclose(f);
	}
	if (fds)
		closedir(fds);
	buf[0] = '\0';
	for (int t = 0; t < ntypes && used < len; t++)
		used += snprintf(buf + used, len - used, "%s:%d,", types[t], counts[t]);
	if (used < len)
		snprintf(buf + used, len - used, "perf_fds:%d", perf_fds);
}

static void usage(void)
{
	fprintf(stderr, "usage: stopwatch -r TEXT [-s SIGNAL] [-d DELAY_MS] [-R RESEND_MS] "
			"[-t TIMEOUT_S] [-o LOG] -- CMD [ARG...]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	double start, ready = -1, sig_at = -1, stop = -1, deadline, delay_ms = 0, timeout_s = 60;
	double resend_ms = 0, last_check = 0, last_kill = 0;
	int nsigs = 0;
	const char *text = NULL, *log_path = "/dev/null";
	char buf[8192], line[4096], links[256] = "?";
	size_t line_len = 0;
	int sig = 0, out[2], pidfd, status = 0, i;
	bool eof = false, exited = false;
	char **cmd = NULL;
	FILE *log;
	pid_t child;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			cmd = &argv[i + 1];
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "-r"))
			text = argv[++i];
		else if (!strcmp(argv[i], "-s"))
			sig = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-d"))
			delay_ms = atof(argv[++i]);
		else if (!strcmp(argv[i], "-R"))
			resend_ms = atof(argv[++i]);
		else if (!strcmp(argv[i], "-t"))
			timeout_s = atof(argv[++i]);
		else if (!strcmp(argv[i], "-o"))
			log_path = argv[++i];
		else
			usage();
	}
	if (!cmd || !cmd[0] || !text || timeout_s <= 0)
		usage();
	log = fopen(log_path, "we");
	if (!log) {
		fprintf(stderr, "stopwatch: %s: %s\n", log_path, strerror(errno));
		return 1;
	}
	if (pipe2(out, O_CLOEXEC)) {
		fprintf(stderr, "stopwatch: pipe: %s\n", strerror(errno));
		return 1;
	}

	start = now_ms();
	deadline = start + timeout_s * 1e3;
	child = fork();
	if (child < 0) {
		fprintf(stderr, "stopwatch: fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0)
			dup2(null, 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execvp(cmd[0], cmd);
		fprintf(stderr, "stopwatch: exec %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);

	/*
	 * Read lines until EOF and the child's exit, both: EOF alone is not the
	 * end (a grandchild may hold the pipe), nor is the exit alone (output may
	 * still sit in the pipe). The exit is seen through a pidfd, so its time is
	 * taken without busy-polling a CPU the tool under test needs.
	 */
	pidfd = syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0) {
		fprintf(stderr, "stopwatch: pidfd_open: %s\n", strerror(errno));
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return 1;
	}
	while (!exited || !eof) {
		struct pollfd pfd[2] = {{.fd = eof ? -1 : out[0], .events = POLLIN},
					{.fd = exited ? -1 : pidfd, .events = POLLIN}};
		double t = now_ms(), next = deadline;
		ssize_t n;

		if (t >= deadline)
			break;
		if (ready >= 0 && sig && sig_at < 0) {
			if (t >= ready + delay_ms) {
				sig_at = last_check = last_kill = now_ms();
				kill(child, sig);
				nsigs++;
			} else {
				next = ready + delay_ms;
			}
		}
		if (sig_at >= 0 && !exited && resend_ms > 0) {
			if (t >= last_check + resend_ms) {
				last_check = t;
				if (in_epoll_wait(child)) {
					last_kill = now_ms();
					kill(child, sig);
					nsigs++;
				}
			}
			if (last_check + resend_ms < next)
				next = last_check + resend_ms;
		}
		if (poll(pfd, 2, (int)(next - t) + 1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "stopwatch: poll: %s\n", strerror(errno));
			break;
		}
		if (pfd[1].revents && waitpid(child, &status, WNOHANG) == child) {
			stop = now_ms();
			exited = true;
		}
		if (!pfd[0].revents)
			continue;
		n = read(out[0], buf, sizeof(buf));
		if (n <= 0) {
			eof = true;
			continue;
		}
		for (ssize_t k = 0; k < n; k++) {
			if (buf[k] != '\n') {
				if (line_len < sizeof(line) - 1) /* an overlong line is cut */
					line[line_len++] = buf[k];
				continue;
			}
			line[line_len] = '\0';
			fprintf(log, "%s\n", line);
			if (ready < 0 && strstr(line, text)) {
				ready = now_ms();
				count_links(child, links, sizeof(links));
			}
			line_len = 0;
		}
	}
	if (!exited) {
		fprintf(stderr, "stopwatch: %s still running after %.0f s: killed\n", cmd[0],
			timeout_s);
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	fclose(log);
	close(out[0]);
	printf("ready_ms %.2f stop_ms %.2f status %d signals %d links %s\n",
	       ready >= 0 ? ready - start : -1.0, sig_at >= 0 && exited ? stop - last_kill : -1.0,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), nsigs, links);
	if (ready < 0)
		fprintf(stderr, "stopwatch: '%s' never appeared in the output of %s\n", text,
			cmd[0]);
	return ready >= 0 && exited ? 0 : 1;
}
