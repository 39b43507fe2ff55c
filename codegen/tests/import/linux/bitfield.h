/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct bf_req {
	__u32 argsz;
	__u32 mode : 3;
	__u32 rest : 29;
};
