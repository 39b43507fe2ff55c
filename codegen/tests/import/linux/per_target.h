/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

#if defined(__s390x__)
#define PT_VALUE 6
#else
#define PT_VALUE 4
#endif

#ifdef __x86_64__
#define PT_X86_ONLY 1
struct pt_x86_only {
	__u32 a;
};
#endif
