/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

#pragma pack(push, 2)
struct pp_req {
	__u16 a;
	__u16 b;
	__u64 c;
};
#pragma pack(pop)
