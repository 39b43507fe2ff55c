/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct pk_sizeof {
	__u32 a;
	__u32 b __attribute__((aligned(sizeof(__u32))));
};

struct pk_bare {
	__u32 value;
} __attribute__((aligned));

struct pk_odd {
	__u32 value;
} __attribute__((aligned(8192)));

struct pk_union {
	__u32 a;
	union {
		__u32 x;
	} __attribute__((packed)) u;
};
