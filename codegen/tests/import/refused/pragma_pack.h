/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

#pragma pack(push, 2)
struct pp_req {
	__u16 a;
	__u16 b;
	__u64 c;
};
#pragma pack(4)
struct pp_bits {
	__u8 c;
	__u32 a:4;
	__u32 b:28;
	__u8 pad[3];
};
#pragma pack(pop)
struct pp_plain {
	__u32 a;
	__u32 b;
};
