/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct fa_env {
	__u32 argsz;
	__u8 data[];
};

struct fa_union {
	__u32 n;
	union {
		__u32 a;
		__u8 b[0];
	} u;
};

struct fa_zero_first {
	__u32 entries[0];
	__u32 count;
};
