// SPDX-License-Identifier: GPL-2.0
/*
 * What traced processes do to themselves while traced: fork, exec, exit.
 * Each is kept as a process_event for the profile; exec also ends counting for
 * the process, and with --follow-forks a fork adds the child to `followed`.
 * Threads are no news: only new processes and whole-process exits are kept.
 * Part of attrprof.bpf.c's object, which includes this file.
 */
#include "attrprof.h"
#include "state.bpf.h"

/* include/linux/sched/signal.h: the whole thread group is exiting. */
#define SIGNAL_GROUP_EXIT 0x00000004

/* A slot for the next event, or NULL when the list is full (still counted). */
static __always_inline struct process_event *new_event(__u32 kind, __u32 pid)
{
	__u32 i = __sync_fetch_and_add(&proc_nevents, 1);
	struct process_event *e;

	if (i >= PROC_EVENTS)
		return NULL;
	e = bpf_map_lookup_elem(&proc_events, &i);
	if (!e)
		return NULL;
	e->ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->pid = pid;
	return e;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid, one = 1;
	struct process_event *e;
	bool follow = false;

	/* A new thread shares its parent's tgid: not a new process. */
	if (ctgid == ptgid || !is_target_tgid(ptgid))
		return 0;
	if (follow_forks) {
		follow = !bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
		if (!follow)
			drop(DROP_MAP_FULL);
	}
	e = new_event(PROC_FORK, ptgid);
	if (e) {
		e->child = ctgid;
		e->followed = follow;
	}
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct process_event *e;

	if (!is_target_tgid(tgid))
		return 0;
	if (tgid == target_tgid && launch_exec_pending) {
		launch_exec_pending = 0;
		return 0;
	}
	/* Counting ends here: the new program's ids and addresses are not the old ones. */
	if (tgid == target_tgid)
		target_tgid = 0;
	else
		bpf_map_delete_elem(&followed, &tgid);
	e = new_event(PROC_EXEC, tgid);
	if (e)
		bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), bprm->filename);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct process_event *e;
	int status;

	/* Every thread passes here; the last one has taken signal->live to zero. */
	if (!is_target_tgid(tgid) || p->signal->live.counter)
		return 0;
	status = p->signal->flags & SIGNAL_GROUP_EXIT ? p->signal->group_exit_code : p->exit_code;
	if (tgid != target_tgid)
		bpf_map_delete_elem(&followed, &tgid);
	e = new_event(PROC_EXIT, tgid);
	if (e)
		e->status = status;
	return 0;
}
