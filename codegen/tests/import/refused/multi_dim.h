/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#include <linux/types.h>

struct md_matrix {
	__u32 m[4][4];
};
