// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attrprof.h"
#include "attrprof.skel.h"
#include "coverage.h"
#include "elfread.h"
#include "process.h"
#include "profile.h"
#include "report.h"
#include "session.h"
#include "snapshot.h"

uint64_t session__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* With ATTRPROF_DEBUG set, says on stderr when each step of a session ended. */
static void debug_step(const char *step)
{
	static uint64_t t0;

	if (!getenv("ATTRPROF_DEBUG"))
		return;
	if (!t0)
		t0 = session__now_ns();
	fprintf(stderr, "attrprof: debug: %8.3f ms %s\n", (session__now_ns() - t0) / 1e6, step);
}

int session__exit_code(int err)
{
	switch (err) {
	case -ENOENT:
	case -ESRCH:
	case -ENOEXEC:
	case -ENOTSUP:
	case -EINVAL:
	case -EPERM:
	case -EACCES:
		return 2;
	default:
		return 1;
	}
}

static int load(struct session *s, char *err, size_t errlen)
{
	struct attrprof_bpf *skel;
	uint32_t nattrs;
	int ret;

	skel = attrprof_bpf__open();
	if (!skel) {
		ret = -errno;
		snprintf(err, errlen, "open BPF object: %s", strerror(-ret));
		return ret;
	}
	s->skel = skel;
	attach__probe_kernel(&s->links);
	attach__prepare(skel, &s->links, s->sites.v, s->sites.n, !s->opts.count_only);
	if (s->python)
		skel->rodata->py = s->py.layout;
	skel->rodata->follow_forks = s->opts.follow_forks;
	skel->rodata->time_stride = s->opts.time_stride;
	skel->rodata->count_only = s->opts.count_only;
	skel->rodata->c_getset_kind = s->opts.getsets ? KIND_GETSET : KIND_IGNORED;
	/*
	 * Size the bounded maps: a stats slot per attribute id, native ones
	 * first, then room for max_attrs Python attributes named in the probe.
	 */
	s->first_py_attr = ATTR_FIRST_USER + s->sites.naccess;
	nattrs = s->first_py_attr;
	if (s->python)
		nattrs += s->opts.max_attrs;
	if (nattrs > MAX_ATTRS)
		nattrs = MAX_ATTRS;
	ret = bpf_map__set_max_entries(skel->maps.stats, nattrs) ?:
	      bpf_map__set_max_entries(skel->maps.attr_info, nattrs) ?:
	      bpf_map__set_max_entries(skel->maps.py_attrs, s->opts.max_attrs) ?:
	      bpf_map__set_max_entries(skel->maps.classes, s->opts.max_classes) ?:
	      bpf_map__set_max_entries(skel->maps.lock_waits, s->opts.max_lock_entries);
	if (ret) {
		snprintf(err, errlen, "size BPF maps: %s", strerror(-ret));
		return ret;
	}
	ret = attrprof_bpf__load(skel);
	if (ret) {
		snprintf(err, errlen, "load BPF programs: %s", strerror(-ret));
		return ret;
	}
	if (!s->opts.no_locks) {
		ret = lock_ranges__load(&s->locks, skel);
		if (ret) {
			snprintf(err, errlen, "load the lock ranges: %s", strerror(-ret));
			return ret;
		}
	}
	skel->bss->next_attr = s->first_py_attr;
	skel->bss->attr_limit = nattrs;
	return 0;
}

/* The probe classes (bit 1 << class) of the sites: what calibration must price. */
static unsigned int probe_classes(const struct probe_set *sites)
{
	unsigned int classes = 0;

	for (size_t i = 0; i < sites->n; i++)
		classes |= 1U << PROBE_CLASS_OF(sites->v[i].cookie);
	return classes;
}

int session__open(struct session *s, const struct session_opts *opts, struct target_objects *objs,
		  char *err, size_t errlen)
{
	int ret;

	debug_step("open");
	memset(s, 0, sizeof(*s));
	s->opts = *opts;
	s->objs = *objs;
	memset(objs, 0, sizeof(*objs));
	if (s->opts.max_attrs > MAX_ATTRS - ATTR_FIRST_USER)
		s->opts.max_attrs = MAX_ATTRS - ATTR_FIRST_USER;

	ret = python__detect(&s->objs, &s->py, err, errlen);
	if (ret && ret != -ENOENT)
		return ret;
	s->python = !ret;
	if (!s->python && !s->opts.nglobs) {
		snprintf(
			err, errlen,
			"%s is not a Python process: say which functions to probe with --func GLOB",
			s->objs.v[0].path);
		return -EINVAL;
	}
	ret = sites__add_funcs(&s->sites, &s->objs, s->opts.globs, s->opts.nglobs,
			       s->opts.max_attrs, !s->opts.count_only, err, errlen);
	if (!ret && s->python)
		ret = sites__add_python(&s->sites, &s->py, !s->opts.count_only, s->opts.getsets);
	if (!ret && !s->opts.no_locks) {
		ret = lock_ranges__find(&s->locks, &s->objs, s->python ? &s->py : NULL)
			      ?: lock_ranges__add_anchors(&s->locks, &s->sites);
		if (ret)
			snprintf(err, errlen, "find the lock functions: %s", strerror(-ret));
	}
	if (ret)
		return ret;
	debug_step("sites resolved");
	ret = load(s, err, errlen);
	if (ret)
		return ret;
	debug_step("loaded");
	ret = calibrate__run(s->skel, &s->links, probe_classes(&s->sites), !s->opts.count_only,
			     &s->calib, err, errlen);
	debug_step("calibrated");
	return ret;
}

void session__describe(const struct session *s, char *buf, size_t len)
{
	size_t used = 0;

	if (s->sites.naccess)
		used += snprintf(buf + used, len - used, "%zu functions, ", s->sites.naccess);
	if (s->python && used < len)
		used += snprintf(buf + used, len - used, "CPython %u.%u.%u, ", s->py.major,
				 s->py.minor, s->py.micro);
	if (used < len)
		snprintf(buf + used, len - used, "%s",
			 s->opts.no_locks ? "no lock waits" : "lock waits from futex");
}

/*
 * Attaches the sites that are (window) or are not timing windows' to s->pid,
 * links into l. With --follow-forks, a forked child's copy of the
 * breakpoints reaches the programs only through probes on every process
 * (pid 0), which is_target() filters; the lock anchors stay on the target,
 * whose children share its libraries' addresses (and a trap in every
 * program's start would be every process's).
 */
static int attach_sites(struct session *s, bool window, struct links *l, char *err, size_t errlen)
{
	struct probe_site *v = malloc((s->sites.n ? s->sites.n : 1) * sizeof(*v));
	size_t wide = 0, local = s->sites.n;
	int ret;

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Shallow copies, every process's first, the target's from the end: attach only reads them.
	 */
	for (size_t i = 0; i < s->sites.n; i++) {
		if (s->sites.v[i].window != window)
			continue;
		if (s->opts.follow_forks && s->sites.v[i].kind != SITE_LOCK_ANCHOR)
			v[wide++] = s->sites.v[i];
		else
			v[--local] = s->sites.v[i];
	}
	ret = attach__sites(s->skel, 0, v, wide, l, err, errlen)
		      ?: attach__sites(s->skel, s->pid, v + local, s->sites.n - local, l, err,
				       errlen);
	free(v);
	return ret;
}

/*
 * Timing windows, for the functions only a single-stepped first instruction
 * can time (sites.h: window). A window stays open while its single steps
 * cost the target under WINDOW_BUDGET of a CPU since it opened, and, up to
 * WINDOW_OVER_MAX_MS over that budget, while an attribute of those
 * functions still lacks the timing policy's first TIME_ALL_CALLS timed
 * calls: a rare or slow __set__ is timed like any other attribute, a hot one
 * then only in a window of WINDOW_ON_MS every WINDOW_EVERY_MS. Every call is
 * counted either way.
 */
#define WINDOW_CHECK_MS 50
#define WINDOW_ON_MS 20
#define WINDOW_EVERY_MS 400
#define WINDOW_OVER_MAX_MS 2000
#define WINDOW_BUDGET 0.10

/* Whether the window sites' function is f. */
static bool window_func(const struct session *s, uint32_t f)
{
	for (size_t i = 0; i < s->sites.n; i++)
		if (s->sites.v[i].window && (s->sites.v[i].cookie & COOKIE_ATTR_MASK) == f)
			return true;
	return false;
}

/* Whether an attribute of the window sites' functions has untimed calls and few timed ones. */
static bool window_attr_unsampled(struct session *s)
{
	int fd = bpf_map__fd(s->skel->maps.attr_info);
	uint32_t end = s->skel->bss->next_attr;
	struct attr_stats sum;
	struct attr_info info;

	for (uint32_t id = s->first_py_attr; id < end; id++) {
		if (bpf_map_lookup_elem(fd, &id, &info) || !window_func(s, info.func) ||
		    snapshot__attr_stats(s->skel, id, &sum))
			continue;
		if (sum.timed < TIME_ALL_CALLS && sum.calls > sum.timed)
			return true;
	}
	return false;
}

static bool has_windows(const struct session *s)
{
	for (size_t i = 0; i < s->sites.n; i++)
		if (s->sites.v[i].window)
			return true;
	return false;
}

/* The single-stepped probe hits so far; the window probes' are most of them. */
static uint64_t sstep_hits(struct session *s)
{
	uint64_t traps[TRAP_KINDS];

	return snapshot__traps(s->skel, traps) ? 0 : traps[TRAP_ENTRY_SSTEP];
}

static void open_window_until(struct session *s, uint64_t now, unsigned int ms)
{
	s->window_next_ns = now + ms * 1000000ULL;
	s->window_since_ns = now;
	s->window_sstep = sstep_hits(s);
	s->window_over_ns = 0;
}

/* Opens, keeps or closes the window when it is due. Returns 0 or -errno with a message. */
static int turn_window(struct session *s, char *err, size_t errlen)
{
	uint64_t now = session__now_ns(), cost;
	int ret;

	if (!s->window_next_ns || now < s->window_next_ns)
		return 0;
	if (s->window_open) {
		cost = (sstep_hits(s) - s->window_sstep) * s->calib.entry_ns[1];
		if (cost < WINDOW_BUDGET * (double)(now - s->window_since_ns)) {
			s->window_next_ns = now + WINDOW_CHECK_MS * 1000000ULL;
			s->window_over_ns = 0;
			return 0;
		}
		if (!s->window_over_ns)
			s->window_over_ns = now;
		if (now - s->window_over_ns < WINDOW_OVER_MAX_MS * 1000000ULL &&
		    window_attr_unsampled(s)) {
			s->window_next_ns = now + WINDOW_CHECK_MS * 1000000ULL;
			return 0;
		}
		s->window_over_ns = 0;
		/* Nobody need wait for the detach's grace period. */
		attach__destroy_async(&s->window_links);
		s->window_open = false;
		s->window_next_ns = now + (WINDOW_EVERY_MS - WINDOW_ON_MS) * 1000000ULL;
		debug_step("window closed");
		return 0;
	}
	ret = attach_sites(s, true, &s->window_links, err, errlen);
	if (ret)
		return ret;
	s->window_open = true;
	/* Attaching can take milliseconds: the window lasts from when it is open. */
	open_window_until(s, session__now_ns(), WINDOW_ON_MS);
	debug_step("window opened");
	return 0;
}

/* Milliseconds until the window turns, for poll(): at most max_ms. */
static int window_wait_ms(const struct session *s, int max_ms)
{
	uint64_t now = session__now_ns(), ms;

	if (!s->window_next_ns)
		return max_ms;
	ms = s->window_next_ns > now ? (s->window_next_ns - now + 999999) / 1000000 : 0;
	return ms < (uint64_t)max_ms ? (int)ms : max_ms;
}

/*
 * A running target's lock objects are placed from its maps now: their
 * anchors ran long ago. A command record launches places them itself, at
 * its anchors, before any code of its own runs. An object that cannot be
 * placed is said once; its waits are told as futex waits.
 */
static void place_locks(struct session *s)
{
	int ret;

	if (s->skel->bss->launch_exec_pending)
		return;
	ret = lock_ranges__place(&s->locks, s->pid, s->skel);
	if (ret)
		fprintf(stderr,
			"attrprof: warning: lock kinds cannot be told (%s): waits are listed as "
			"futex waits\n",
			ret == -EAGAIN ? "the lock functions are not mapped" : strerror(-ret));
}

int session__attach(struct session *s, pid_t pid, char *err, size_t errlen)
{
	int ret;

	s->pid = pid;
	s->ns_pid = target__ns_pid(pid);
	s->skel->bss->launch_exec_pending = target__is_unlaunched_child(pid);
	s->skel->bss->target_tgid = pid;
	s->skel->bss->following = 1;
	/* Before the probes: a fork or exec in between must not go unseen. */
	ret = attach__process_events(s->skel, &s->links, err, errlen);
	if (ret)
		return ret;
	/*
	 * The windows first: a call their function's counting probe sees after
	 * its attach was seen by the window's probe too, and timed if due.
	 */
	if (has_windows(s)) {
		s->window_links =
			(struct links){.multi = s->links.multi, .sessions = s->links.sessions};
		ret = attach_sites(s, true, &s->window_links, err, errlen);
		if (ret)
			return ret;
		s->window_open = true;
		/* --time-every 1 times every call: its window never closes. */
		if (s->opts.time_stride != 1)
			open_window_until(s, session__now_ns(), WINDOW_CHECK_MS);
	}
	ret = attach_sites(s, false, &s->links, err, errlen);
	if (ret)
		return ret;
	if (!s->opts.no_locks) {
		ret = attach__lock_waits(s->skel, &s->links, err, errlen);
		if (ret)
			return ret;
		place_locks(s);
	}
	s->start_ns = session__now_ns();
	s->cpu_start_ns = target__cpu_ns(pid);
	debug_step("attached");
	return 0;
}

/*
 * Keeps the target's CPU time over the session: read now and then, since a
 * target that is not our child is reaped, /proc entry and all, by its own
 * parent the moment it exits.
 */
#define CPU_POLL_MS 1000

static void note_cpu(struct session *s)
{
	uint64_t ns = target__cpu_ns(s->pid);

	if (ns > s->cpu_start_ns)
		s->cpu_ns = ns - s->cpu_start_ns;
}

/* Relays a signal a user sent us; the terminal's go to the whole group already. */
static void forward(const struct signalfd_siginfo *si, pid_t to)
{
	if (si->ssi_code == SI_USER || si->ssi_code == SI_QUEUE)
		kill(to, si->ssi_signo);
}

static int arm_timer(double seconds)
{
	struct itimerspec its = {};
	int fd;

	if (seconds <= 0)
		return -1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd < 0)
		return -1;
	its.it_value.tv_sec = (time_t)seconds;
	its.it_value.tv_nsec = (long)((seconds - (time_t)seconds) * 1e9);
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

int session__wait(struct session *s, int sigfd, int pidfd, pid_t forward_to, enum session_end *end)
{
	int timerfd = arm_timer(s->opts.duration_s);
	struct pollfd fds[3] = {
		{.fd = sigfd, .events = POLLIN},
		{.fd = pidfd, .events = POLLIN},
		{.fd = timerfd, .events = POLLIN},
	};
	int ret = 0;

	for (;;) {
		int n = poll(fds, 3, window_wait_ms(s, CPU_POLL_MS));
		char err[256];

		if (n == 0) {
			note_cpu(s);
			/* A window that cannot open leaves those calls counted, untimed: go on. */
			if (turn_window(s, err, sizeof(err))) {
				fprintf(stderr, "attrprof: warning: timing window: %s\n", err);
				s->window_next_ns = 0;
			}
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (fds[1].revents) {
			*end = END_TARGET_EXITED;
			break;
		}
		if (fds[2].revents) {
			*end = END_DURATION;
			break;
		}
		if (fds[0].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (forward_to > 0) {
				forward(&si, forward_to);
				continue;
			}
			if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) {
				*end = END_SIGNAL;
				break;
			}
		}
	}
	if (timerfd >= 0)
		close(timerfd);
	return ret;
}

void session__stop(struct session *s)
{
	if (s->stop_ns)
		return;
	s->skel->bss->target_tgid = 0;
	s->skel->bss->following = 0;
	s->stop_ns = session__now_ns();
	s->window_next_ns = 0;
	/* Before record reaps its child: a zombie's /proc/PID/stat still has its times. */
	note_cpu(s);
}

void session__detach(struct session *s)
{
	session__stop(s);
	debug_step("detaching");
	attach__destroy(&s->links);
	attach__destroy(&s->window_links);
	debug_step("detached");
}

/*
 * The maps' memory as the kernel accounts it (fdinfo's memlock: for maps
 * that allocate on demand, what they hold now). Returns bytes, 0 if unknown.
 */
static uint64_t map_bytes(struct attrprof_bpf *skel)
{
	struct bpf_map *map;
	uint64_t total = 0;

	bpf_object__for_each_map(map, skel->obj)
	{
		unsigned long long bytes;
		char path[64], line[128];
		int fd = bpf_map__fd(map);
		FILE *f;

		if (fd < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "memlock: %llu", &bytes) == 1)
				total += bytes;
		fclose(f);
	}
	return total;
}

static uint64_t peak_rss_bytes(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : (uint64_t)ru.ru_maxrss * 1024;
}

/* One warning per drop counter that is not zero: nothing is dropped silently. */
static void warn_drops(const struct profile *p)
{
	struct report_drop drops[REPORT_DROPS];

	report__drops(p, drops);
	for (size_t i = 0; i < REPORT_DROPS; i++)
		if (drops[i].count)
			fprintf(stderr, "attrprof: warning: dropped %" PRIu64 " %s: %s\n",
				drops[i].count, drops[i].name, drops[i].why);
}

static const char *end_name(enum session_end end)
{
	switch (end) {
	case END_DURATION:
		return "duration";
	case END_TARGET_EXITED:
		return "target-exited";
	default:
		return "signal";
	}
}

/* What the target's probe hits cost it at the calibrated prices. */
static void price_traps(const struct prof_calibration *c, struct prof_overhead *o)
{
	o->probe_ns = o->traps[TRAP_ENTRY_EMULATED] * c->entry_ns[0] +
		      o->traps[TRAP_ENTRY_SSTEP] * c->entry_ns[1] +
		      o->traps[TRAP_RETURN] * c->return_ns;
}

/* Fills the profile's header fields. Returns 0 or -ENOMEM. */
static int describe(struct session *s, struct profile *p, const char *exe, enum session_end end,
		    int64_t exit_status)
{
	char build_id[128], version[32];
	struct elf_file *ef = NULL;

	p->target.pid = s->pid;
	p->target.exe = strdup(exe);
	p->target.runtime = strdup(s->python ? "python" : "c");
	if (s->python) {
		snprintf(version, sizeof(version), "%u.%u.%u", s->py.major, s->py.minor,
			 s->py.micro);
		p->target.version = strdup(version);
		if (!p->target.version || coverage__python(p, &s->py, s->opts.frame_evaluator,
							   has_windows(s), s->opts.getsets))
			return -ENOMEM;
	}
	if (coverage__locks(p, s->opts.no_locks ? NULL : &s->locks, s->skel))
		return -ENOMEM;
	if (s->objs.n && !elf__open(s->objs.v[0].host_path, &ef, NULL, 0) &&
	    !elf__build_id(ef, build_id, sizeof(build_id)))
		p->target.build_id = strdup(build_id);
	elf__close(ef);
	p->mode = strdup(s->opts.count_only ? "count" : "timed");
	p->end = strdup(end_name(end));
	p->exit_status = exit_status;
	p->duration_ns = s->stop_ns - s->start_ns;
	p->probe_cost_ns = s->calib.frame_ns[0];
	p->calibration = s->calib;
	p->timing.policy = strdup(s->opts.count_only  ? "none"
				  : s->links.sessions ? "sample"
						      : "every call");
	p->timing.first_calls = s->links.sessions ? TIME_ALL_CALLS : 0;
	p->timing.stride = s->links.sessions ? s->opts.time_stride : 1;
	p->timing.slow_ns = s->links.sessions ? DEFAULT_SLOW_NS : 0;
	p->overhead.cpu_ns = s->cpu_ns;
	if (!p->timing.policy)
		return -ENOMEM;
	p->dropped.attrs_over_limit = s->sites.over_limit;
	p->dropped.unprobeable = s->sites.refused;
	if (!p->target.exe || !p->target.runtime || !p->mode || !p->end)
		return -ENOMEM;
	return 0;
}

int session__collect_profile(struct session *s, const char *exe, enum session_end end,
			     int64_t exit_status, struct profile *p, char *err, size_t errlen)
{
	int ret;

	memset(p, 0, sizeof(*p));
	session__stop(s);
	ret = describe(s, p, exe, end, exit_status);
	if (!ret)
		ret = snapshot__collect(s->skel, &s->sites, s->python ? s->first_py_attr : 0, p);
	if (!ret)
		price_traps(&s->calib, &p->overhead);
	if (!ret)
		ret = process__collect(s, p);
	if (!ret && s->opts.frame_evaluator)
		process__remove_children_perf_maps(p);
	if (ret) {
		snprintf(err, errlen, "collect the profile: %s", strerror(-ret));
		profile__free(p);
		return ret;
	}
	p->resources.map_bytes = map_bytes(s->skel);
	p->resources.peak_rss_bytes = peak_rss_bytes();
	warn_drops(p);
	return 0;
}

int session__write_profile(struct session *s, const char *exe, enum session_end end,
			   int64_t exit_status, char *err, size_t errlen)
{
	struct profile p = {};
	int ret;

	ret = session__collect_profile(s, exe, end, exit_status, &p, err, errlen);
	if (ret)
		return ret;
	ret = profile__write(&p, s->opts.output);
	if (ret)
		snprintf(err, errlen, "write %s: %s", s->opts.output, strerror(-ret));
	debug_step("profile written");
	profile__free(&p);
	return ret;
}

void session__close(struct session *s)
{
	if (!s)
		return;
	attach__destroy(&s->links);
	attach__destroy(&s->window_links);
	attrprof_bpf__destroy(s->skel);
	sites__free(&s->sites);
	lock_ranges__free(&s->locks);
	target__objects_free(&s->objs);
	memset(s, 0, sizeof(*s));
}
