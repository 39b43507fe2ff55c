/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct bu_req {
	__u32 argsz;
	union {
		__u32 mode : 3;
		__u32 kind : 5;
	} u;
};
