/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct as_req {
	__u32 argsz;
	__u32 flags;
	struct {
		__u32 lo;
		__u32 hi;
	} range;
	union {
		struct {
			__u32 x;
			__u32 y;
		};
		__u64 xy;
	};
};
