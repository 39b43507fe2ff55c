/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _ANON_LIKE_H
#define _ANON_LIKE_H

#include <linux/types.h>

/* Untagged structs as linux/kvm.h and drm/drm_mode.h nest them. */
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
	union {
		struct {
			__u16 count;
			__u16 width;
			__u32 stride;
		} s;
		__u64 raw;
	} u;
	struct {
		__u32 tail;
		__u32 pad;
	};
};

#endif /* _ANON_LIKE_H */
