/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _LINUX_ARCH_USER_H
#define _LINUX_ARCH_USER_H

#include <linux/types.h>
#include <linux/arch_conditions.h>

/* Holds another header's struct declared per architecture, as linux/bpf_perf_event.h's
 * `bpf_perf_event_data` holds x86's asm/ptrace.h's `struct pt_regs`. */
struct au_frame {
	struct ac_regs regs;
	__u64 addr;
};

#endif /* _LINUX_ARCH_USER_H */
