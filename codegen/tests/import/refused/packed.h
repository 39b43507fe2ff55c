/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct pk_packed {
	__u8 kind;
	__u32 value;
} __attribute__((packed));

struct pk_aligned {
	__u32 value;
} __attribute__((aligned(16)));

struct pk_member {
	__u32 a;
	__u32 b __attribute__((aligned(8)));
	__u64 c __attribute__((aligned(16)));
};
