/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct ho_req {
	__u8 kind;
	__u32 value;
};
