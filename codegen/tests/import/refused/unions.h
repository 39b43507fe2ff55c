/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

union un_tagged {
	__u32 a;
	__u64 b;
};

struct un_req {
	__u64 head;
	union un_tagged t;
	union {
		__u64 value;
		__u64 ***pages;
	} u;
};
