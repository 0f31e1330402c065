// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of `make bench`: a uprobe and a uretprobe that do nothing. What
 * they add per call is the price of the trap, the uprobe dispatch and the
 * BPF program call alone; any tracer's extra work shows on top of it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("uprobe")
int floor_enter(void *ctx)
{
	return 0;
}

SEC("uretprobe")
int floor_return(void *ctx)
{
	return 0;
}
