/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

_Pragma("pack(2)")
struct po_req {
	__u16 a;
	__u16 b;
	__u64 c;
};
_Pragma("pack()")
