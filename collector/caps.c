// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include "caps.h"

/* Older headers lack these (Linux 5.8). */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1U << (cap % 32));
}

int caps__check(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {};
	bool admin, bpf, perfmon;

	if (syscall(SYS_capget, &hdr, data)) {
		snprintf(err, errlen, "cannot read own capabilities: %s", strerror(errno));
		return -errno;
	}
	admin = has_cap(data, CAP_SYS_ADMIN);
	bpf = admin || has_cap(data, CAP_BPF);
	perfmon = admin || has_cap(data, CAP_PERFMON);
	if (bpf && perfmon)
		return 0;
	snprintf(err, errlen,
		 "missing capabilities:%s%s (run as root, or grant them: "
		 "setcap cap_bpf,cap_perfmon,cap_sys_ptrace,cap_dac_read_search+ep attrprof)",
		 bpf ? "" : " CAP_BPF", perfmon ? "" : " CAP_PERFMON");
	return -EPERM;
}
