// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attrprof.h"
#include "attrprof.skel.h"
#include "process.h"
#include "session.h"

static const char *const event_names[] = {
	[PROC_FORK] = "fork",
	[PROC_EXEC] = "exec",
	[PROC_EXIT] = "exit",
};

/* One event from the probes; a fork with its child followed adds the child's PID. */
static int add_event(const struct session *s, const struct process_event *e, struct profile *p)
{
	struct prof_proc_event *pe;
	char filename[PROC_FILENAME_LEN + 1];

	if (e->kind >= sizeof(event_names) / sizeof(event_names[0]))
		return 0;
	memcpy(filename, e->filename, PROC_FILENAME_LEN);
	filename[PROC_FILENAME_LEN] = '\0';
	pe = profile__add_proc_event(p, event_names[e->kind],
				     e->kind == PROC_EXEC ? filename : NULL);
	if (!pe)
		return -ENOMEM;
	/* Events from before the clock started (attach order) count as at its start. */
	pe->at_ns = e->ns > s->start_ns ? e->ns - s->start_ns : 0;
	pe->pid = e->pid;
	pe->child = e->child;
	pe->followed = e->followed;
	pe->status = e->status;
	return e->kind == PROC_FORK && e->followed ? profile__add_pid(p, e->child) : 0;
}

int process__collect(const struct session *s, struct profile *p)
{
	uint32_t n = s->skel->bss->proc_nevents, kept = n < PROC_EVENTS ? n : PROC_EVENTS;
	int fd = bpf_map__fd(s->skel->maps.proc_events), ret;

	p->process.present = 1;
	p->process.follow_forks = s->opts.follow_forks;
	p->process.dropped_events = n - kept;
	if (n > kept)
		fprintf(stderr,
			"attrprof: warning: dropped %u process events: only the first %d forks, "
			"execs and exits are listed\n",
			n - kept, PROC_EVENTS);
	p->target.ns_pid = s->ns_pid;
	ret = profile__add_pid(p, s->pid);
	for (uint32_t i = 0; !ret && i < kept; i++) {
		struct process_event e;

		if (bpf_map_lookup_elem(fd, &i, &e))
			return -errno;
		ret = add_event(s, &e, p);
	}
	for (size_t i = 0; !ret && i < s->objs.n; i++)
		if (s->objs.v[i].on_disk)
			ret = profile__add_changed_file(p, s->objs.v[i].path, s->objs.v[i].on_disk,
							s->objs.v[i].host_path);
	return ret;
}

void process__remove_children_perf_maps(const struct profile *p)
{
	char path[64];

	for (size_t i = 0; i < p->process.nevents; i++) {
		if (strcmp(p->process.events[i].event, "fork"))
			continue;
		snprintf(path, sizeof(path), "/tmp/perf-%" PRId64 ".map",
			 p->process.events[i].child);
		unlink(path);
	}
}
