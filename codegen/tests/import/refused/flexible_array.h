/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct fa_list {
	__u32 count;
	__u32 pad;
	__u64 entries[];
};

struct fa_zero {
	__u32 count;
	__u32 entries[0];
};
